/*
 * pages.c — the applicant's HTML pages: choose a state and visa type, fill
 * the form in steps (saved at each step, resumable with the reference and a
 * secret link), upload documents, review with the name exactly as it will
 * print in the MRZ, pay with the clearly labelled test provider, see the
 * reference and deadline, and look up a status.  Every page works without
 * JavaScript; every form carries a CSRF token; all text comes from the
 * translation catalogs (en, az, ur) and every value is escaped by the
 * templates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "render/photo.h"
#include "render/render_err.h"
#include "web/portal.h"

#define ACCESS_COOKIE "evisa_access"

static const char *page_lang(const struct http_request *r)
{
    return i18n_negotiate(http_query(r, "lang"), http_cookie(r, "evisa_lang"),
                          http_header(r, "Accept-Language"));
}

static const char *tr(const struct portal *p, const char *lang, const char *key)
{
    const char *s = i18n_get(p->i18n, lang, key);
    return s ? s : key;
}

static int lang_index(const char *lang)
{
    for (int l = 0; l < LANG__MAX; l++)
        if (!strcmp(lang, policy_lang_codes[l]))
            return l;
    return LANG_EN;
}

static const char *text_in(const struct policy_text *t, const char *lang)
{
    const char *s = t->text[lang_index(lang)];
    return s[0] ? s : t->text[LANG_EN];
}

/* The context every page starts from: language, direction, the language
 * switcher, the CSRF token, the official-portal notice. */
static json_t *page_ctx(struct http_request *r, struct http_response *w, const char *lang,
                        const char *title_key)
{
    struct portal *p = r->app;
    char csrf[48];
    portal_csrf(p, r, w, csrf);
    if (http_query(r, "lang"))
        http_set_cookie(w, "evisa_lang", lang, 365 * 86400);
    json_t *langs = json_array();
    for (int l = 0; l < LANG__MAX; l++) {
        char href[1200];
        snprintf(href, sizeof href, "%s?lang=%s", r->path, policy_lang_codes[l]);
        char key[32];
        snprintf(key, sizeof key, "lang.%s", policy_lang_codes[l]);
        json_array_append_new(langs, json_pack("{s:s, s:s, s:s, s:b}", "code", policy_lang_codes[l],
                                               "name", tr(p, lang, key), "href", href, "current",
                                               !strcmp(lang, policy_lang_codes[l])));
    }
    return json_pack("{s:s, s:s, s:o, s:s, s:s}", "path", r->path, "csrf", csrf, "langs", langs,
                     "title", title_key, "official_site",
                     http_header(r, "Host") ? http_header(r, "Host") : "");
}

static void render(struct http_request *r, struct http_response *w, int status, const char *name,
                   json_t *ctx, const char *lang)
{
    struct portal *p = r->app;
    char *html = NULL;
    size_t len = 0;
    /* Every page is the layout around its own template ("page"). */
    json_object_set_new(ctx, "page", json_string(name));
    if (tmpl_render(p->tmpl, "layout", ctx, p->i18n, lang, &html, &len) < 0) {
        http_status(w, 500);
        http_append(w, "<!doctype html><title>Error</title><p>Internal error</p>", 56);
    } else {
        http_status(w, status);
        http_set_header(w, "Content-Type", "text/html; charset=utf-8");
        http_append(w, html, len);
    }
    free(html);
    json_decref(ctx);
}

/* A page with one message (not found, errors, rate limits). */
static void message(struct http_request *r, struct http_response *w, int status,
                    const char *title_key, const char *text_key)
{
    struct portal *p = r->app;
    const char *lang = page_lang(r);
    json_t *ctx = page_ctx(r, w, lang, title_key);
    json_object_set_new(ctx, "message", json_string(tr(p, lang, text_key)));
    render(r, w, status, "message", ctx, lang);
}

static void form_nonce(char out[33])
{
    unsigned char rnd[16];
    RAND_bytes(rnd, sizeof rnd);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", rnd[i]);
}

static void format_time(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm);
}

/* ---- choosing ----------------------------------------------------------- */

static json_t *processing_text(const struct portal *p, const struct policy_track *t,
                               const char *lang)
{
    char buf[160];
    if (t->processing_hours)
        snprintf(buf, sizeof buf, "%d %s", t->processing_hours, tr(p, lang, "unit.hours"));
    else
        snprintf(buf, sizeof buf, "%d %s", t->processing_working_days,
                 tr(p, lang, "unit.working_days"));
    return json_string(buf);
}

static json_t *types_json(const struct portal *p, const struct policy_state *st, const char *lang)
{
    json_t *types = json_array();
    for (size_t i = 0; i < st->n_types; i++) {
        const struct policy_visa_type *t = &st->types[i];
        json_t *tracks = json_array();
        for (size_t k = 0; k < t->n_tracks; k++) {
            char fee[32], value[80];
            portal_money(t->tracks[k].fee_minor, fee);
            snprintf(value, sizeof value, "%s:%s", t->id, t->tracks[k].id);
            json_array_append_new(
                tracks,
                json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:s}", "id", t->tracks[k].id,
                          "type_name", text_in(&t->name, lang), "name",
                          text_in(&t->tracks[k].name, lang), "fee", fee, "currency", st->currency,
                          "processing", processing_text(p, &t->tracks[k], lang), "fee_unconfirmed",
                          t->tracks[k].fee_unconfirmed, "value", value));
        }
        char entries[64];
        if (t->entries == 0)
            snprintf(entries, sizeof entries, "%s", tr(p, lang, "visa.entries_multiple"));
        else
            snprintf(entries, sizeof entries, "%d", t->entries);
        json_array_append_new(
            types, json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:o, s:b, s:s}", "id", t->id, "name",
                             text_in(&t->name, lang), "description", text_in(&t->description, lang),
                             "entries", entries, "validity_days", t->validity_days, "stay_days",
                             t->stay_days, "tracks", tracks, "unconfirmed", t->unconfirmed,
                             "unconfirmed_note", t->unconfirmed_note));
    }
    return types;
}

static json_t *states_json(const struct portal *p, const char *lang)
{
    json_t *a = json_array();
    for (size_t i = 0; i < p->policy->n_states; i++) {
        const struct policy_state *st = &p->policy->states[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:o}", "code", st->code, "name",
                                           text_in(&st->name, lang), "notice",
                                           text_in(&st->official_portal_notice, lang), "types",
                                           types_json(p, st, lang)));
    }
    return a;
}

void page_home(struct http_request *r, struct http_response *w)
{
    const char *lang = page_lang(r);
    json_t *ctx = page_ctx(r, w, lang, "home.title");
    json_object_set_new(ctx, "states", states_json(r->app, lang));
    render(r, w, 200, "home", ctx, lang);
}

void page_fees(struct http_request *r, struct http_response *w)
{
    const char *lang = page_lang(r);
    json_t *ctx = page_ctx(r, w, lang, "fees.title");
    json_object_set_new(ctx, "states", states_json(r->app, lang));
    render(r, w, 200, "fees", ctx, lang);
}

static void state_page(struct http_request *r, struct http_response *w, int status,
                       const struct policy_state *st, const char *lang, const char *chosen,
                       const char *nationality, const char *error_key)
{
    struct portal *p = r->app;
    json_t *ctx = page_ctx(r, w, lang, "state.title");
    char nonce[33];
    form_nonce(nonce);
    json_t *types = types_json(p, st, lang);
    size_t i, k;
    json_t *t, *tk;
    bool any = false;
    json_array_foreach(types, i, t)
    {
        json_array_foreach(json_object_get(t, "tracks"), k, tk)
        {
            const char *v = json_string_value(json_object_get(tk, "value"));
            bool sel = chosen ? !strcmp(chosen, v) : !any;
            any = true;
            json_object_set_new(tk, "checked", json_boolean(sel));
        }
    }
    json_t *nats = json_array();
    for (size_t n = 0; n < st->n_nationalities; n++) {
        char key[32];
        snprintf(key, sizeof key, "country.%s", st->nationalities[n]);
        const char *name = i18n_get(p->i18n, lang, key);
        json_array_append_new(nats,
                              json_pack("{s:s, s:s, s:b}", "code", st->nationalities[n], "name",
                                        name ? name : st->nationalities[n], "selected",
                                        nationality && !strcmp(nationality, st->nationalities[n])));
    }
    json_array_append_new(nats, json_pack("{s:s, s:s, s:b}", "code", "OTHER", "name",
                                          tr(p, lang, "state.other_nationality"), "selected",
                                          nationality && !strcmp(nationality, "OTHER")));
    json_object_set_new(ctx, "state",
                        json_pack("{s:s, s:s, s:s}", "code", st->code, "name",
                                  text_in(&st->name, lang), "notice",
                                  text_in(&st->official_portal_notice, lang)));
    json_object_set_new(ctx, "types", types);
    json_object_set_new(ctx, "nationalities", nats);
    json_object_set_new(ctx, "nonce", json_string(nonce));
    if (error_key)
        json_object_set_new(ctx, "error", json_string(tr(p, lang, error_key)));
    render(r, w, status, "state", ctx, lang);
}

void page_state(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    const struct policy_state *st = policy_find_state(p->policy, r->params[0]);
    if (!st) {
        message(r, w, 404, "notfound.title", "notfound.text");
        return;
    }
    state_page(r, w, 200, st, page_lang(r), NULL, NULL, NULL);
}

static void set_access_cookie(struct http_request *r, struct http_response *w, const char *ref)
{
    char token[48], value[80];
    portal_access_token(r->app, ref, token);
    snprintf(value, sizeof value, "%s.%s", ref, token);
    http_set_cookie(w, ACCESS_COOKIE, value, 30 * 86400);
}

void page_start(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    const char *lang = page_lang(r);
    const struct policy_state *st = policy_find_state(p->policy, r->params[0]);
    if (!st) {
        message(r, w, 404, "notfound.title", "notfound.text");
        return;
    }
    if (!http_form_ok(r))
        return; /* the HTTP layer has answered (400/413) */
    if (!portal_csrf_ok(p, r)) {
        message(r, w, 403, "csrf.title", "csrf.text");
        return;
    }
    const char *choice = http_form(r, "choice");
    const char *nat = http_form(r, "nationality");
    const char *nonce = http_form(r, "nonce");
    char type_id[POLICY_ID_MAX] = "", track_id[POLICY_ID_MAX] = "";
    const char *colon = choice ? strchr(choice, ':') : NULL;
    if (colon && (size_t)(colon - choice) < sizeof type_id && strlen(colon + 1) < sizeof track_id) {
        memcpy(type_id, choice, (size_t)(colon - choice));
        snprintf(track_id, sizeof track_id, "%s", colon + 1);
    }
    const struct policy_visa_type *vt = policy_find_type(st, type_id);
    const struct policy_track *tk = vt ? policy_find_track(vt, track_id) : NULL;
    if (!tk) {
        state_page(r, w, 422, st, lang, NULL, nat, "err.choose_visa");
        return;
    }
    if (!nat || !policy_nationality_eligible(st, nat)) {
        state_page(r, w, 422, st, lang, choice, nat, "err.not_eligible_long");
        return;
    }
    struct store_app in = {0}, out = {0};
    app_new_reference(st->code, in.reference);
    char token[48], req_hash[96];
    portal_access_token(p, in.reference, token);
    app_token_hash(token, in.token_hash);
    snprintf(in.state, sizeof in.state, "%s", st->code);
    snprintf(in.visa_type, sizeof in.visa_type, "%s", vt->id);
    snprintf(in.track, sizeof in.track, "%.15s", tk->id);
    snprintf(in.status, sizeof in.status, "draft");
    snprintf(in.lang, sizeof in.lang, "%s", lang);
    struct app_values vals = {0};
    struct app_errors errs = {0};
    app_set_field(&vals, F_NATIONALITY, nat, strlen(nat), &errs);
    in.fields_json = app_values_to_json(&vals);
    in.fee_minor = tk->fee_minor;
    snprintf(in.currency, sizeof in.currency, "%s", st->currency);
    /* The form's nonce makes a double click create one application. */
    snprintf(req_hash, sizeof req_hash, "%.3s|%.63s|%.3s", st->code, choice, nat);
    char idem[80];
    snprintf(idem, sizeof idem, "form-%.64s", nonce ? nonce : "");
    bool replayed;
    int rc = store_app_create(p->store, &in, nonce && strlen(nonce) == 32 ? idem : NULL, req_hash,
                              &out, &replayed);
    free(in.fields_json);
    if (rc < 0) {
        message(r, w, 503, "error.title", "error.retry");
        return;
    }
    set_access_cookie(r, w, out.reference);
    char loc[96];
    snprintf(loc, sizeof loc, "/a/%s/step/passport", out.reference);
    store_app_clear(&out);
    http_redirect(w, loc);
}

/* ---- the application's own pages ----------------------------------------- */

/* Loads the application of params[0] with the access cookie; answers with
 * a "not found" page otherwise. */
static bool page_app(struct http_request *r, struct http_response *w, struct portal_app *a)
{
    const char *c = http_cookie(r, ACCESS_COOKIE);
    const char *ref = r->params[0];
    size_t rl = ref ? strlen(ref) : 0;
    if (!c || strncmp(c, ref, rl) != 0 || c[rl] != '.' ||
        portal_app_load(r->app, ref, c + rl + 1, a) != 0) {
        message(r, w, 404, "notfound.title", "notfound.app");
        return false;
    }
    return true;
}

static int step_from_name(const char *name)
{
    for (int s = 0; s < STEP__MAX; s++)
        if (name && !strcmp(name, app_step_names[s]))
            return s;
    return -1;
}

/* The steps for the indicator: passport ... declarations, documents, review. */
static json_t *steps_json(const struct portal *p, const char *ref, const char *current,
                          const char *lang)
{
    json_t *a = json_array();
    char href[96], key[48];
    for (int s = 0; s <= STEP__MAX + 1; s++) {
        const char *name = s < STEP__MAX    ? app_step_names[s]
                           : s == STEP__MAX ? "documents"
                                            : "review";
        if (s < STEP__MAX)
            snprintf(href, sizeof href, "/a/%s/step/%s", ref, name);
        else
            snprintf(href, sizeof href, "/a/%s/%s", ref, name);
        snprintf(key, sizeof key, "step.%s", name);
        json_array_append_new(a,
                              json_pack("{s:s, s:s, s:b, s:i}", "name", tr(p, lang, key), "href",
                                        href, "current", !strcmp(name, current), "number", s + 1));
    }
    return a;
}

static const char *input_type(enum app_validator v)
{
    switch (v) {
    case V_DATE:
        return "date";
    case V_EMAIL:
        return "email";
    case V_PHONE:
        return "tel";
    default:
        return "text";
    }
}

static json_t *mrz_preview(const struct portal *p, const struct portal_app *a, const char *lang)
{
    char name[40];
    bool cut = false;
    if (app_mrz_name(&a->vals, a->st, name, &cut) < 0)
        return json_null();
    const char *src = a->vals.v[F_MRZ_LINE1][0] ? "mrz.source_passport" : "mrz.source_translit";
    return json_pack("{s:s, s:b, s:s}", "field", name, "truncated", cut, "source",
                     tr(p, lang, src));
}

static void step_page(struct http_request *r, struct http_response *w, int status,
                      struct portal_app *a, enum app_step step, const struct app_values *vals,
                      const struct app_errors *errs, const char *lang)
{
    struct portal *p = r->app;
    json_t *ctx = page_ctx(r, w, lang, "form.title");
    json_t *fields = json_array();
    for (int f = 0; f < F__MAX; f++) {
        const struct app_field_def *d = &app_fields[f];
        if (d->step != step)
            continue;
        char key[64];
        snprintf(key, sizeof key, "field.%s", d->name);
        json_t *fj = json_pack(
            "{s:s, s:s, s:s, s:s, s:b, s:i, s:b, s:b, s:b, s:b, s:b}", "name", d->name, "label",
            tr(p, lang, key), "value", vals->v[f], "type", input_type(d->validator), "required",
            d->required, "maxlength", (int)d->max_len, "is_sex", d->validator == V_SEX, "is_check",
            d->validator == V_YES, "is_area", d->validator == V_TEXT && d->max_len > 120, "is_mrz",
            d->validator == V_MRZ_LINE, "checked", !strcmp(vals->v[f], "yes"));
        snprintf(key, sizeof key, "field.%s.hint", d->name);
        const char *hint = i18n_get(p->i18n, lang, key);
        if (hint)
            json_object_set_new(fj, "hint", json_string(hint));
        if (d->validator == V_SEX) {
            json_t *opts = json_array();
            static const char *const sexes[] = {"M", "F", "X"};
            for (int i = 0; i < 3; i++) {
                snprintf(key, sizeof key, "field.sex.%s", sexes[i]);
                json_array_append_new(opts, json_pack("{s:s, s:s, s:b}", "value", sexes[i], "label",
                                                      tr(p, lang, key), "selected",
                                                      !strcmp(vals->v[f], sexes[i])));
            }
            json_object_set_new(fj, "options", opts);
        }
        for (size_t i = 0; errs && i < errs->n; i++)
            if (!strcmp(errs->e[i].field, d->name)) {
                snprintf(key, sizeof key, "err.%s", errs->e[i].code);
                json_object_set_new(fj, "error", json_string(tr(p, lang, key)));
            }
        json_array_append_new(fields, fj);
    }
    char action[96], resume[160], token[48];
    snprintf(action, sizeof action, "/a/%s/step/%s", a->row.reference, app_step_names[step]);
    portal_access_token(p, a->row.reference, token);
    snprintf(resume, sizeof resume, "/a/%s/resume?t=%s", a->row.reference, token);
    char step_title[48];
    snprintf(step_title, sizeof step_title, "step.%s", app_step_names[step]);
    json_object_set_new(ctx, "fields", fields);
    json_object_set_new(ctx, "action", json_string(action));
    json_object_set_new(ctx, "reference", json_string(a->row.reference));
    json_object_set_new(ctx, "resume_url", json_string(resume));
    json_object_set_new(ctx, "step_title", json_string(tr(p, lang, step_title)));
    json_object_set_new(ctx, "steps", steps_json(p, a->row.reference, app_step_names[step], lang));
    json_object_set_new(ctx, "has_errors", json_boolean(errs && errs->n));
    json_object_set_new(ctx, "is_passport", json_boolean(step == STEP_PASSPORT));
    json_object_set_new(ctx, "first_step", json_boolean(step == STEP_PASSPORT));
    if (step == STEP_PASSPORT)
        json_object_set_new(ctx, "mrz_name", mrz_preview(p, a, lang));
    render(r, w, status, "step", ctx, lang);
}

void page_step_get(struct http_request *r, struct http_response *w)
{
    struct portal_app a;
    if (!page_app(r, w, &a))
        return;
    int step = step_from_name(r->params[1]);
    if (step < 0)
        message(r, w, 404, "notfound.title", "notfound.text");
    else if (a.status != APP_DRAFT && a.status != APP_INFO_REQUESTED)
        http_redirect(w, "done");
    else
        step_page(r, w, 200, &a, (enum app_step)step, &a.vals, NULL, page_lang(r));
    portal_app_clear(&a);
}

void page_step_post(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    struct portal_app a;
    if (!page_app(r, w, &a))
        return;
    const char *lang = page_lang(r);
    int step = step_from_name(r->params[1]);
    if (step < 0) {
        message(r, w, 404, "notfound.title", "notfound.text");
    } else if (!http_form_ok(r)) {
        /* the HTTP layer has answered (400/413) */
    } else if (!portal_csrf_ok(p, r)) {
        message(r, w, 403, "csrf.title", "csrf.text");
    } else if (a.status != APP_DRAFT && a.status != APP_INFO_REQUESTED) {
        message(r, w, 409, "locked.title", "locked.text");
    } else {
        struct app_values vals = a.vals;
        struct app_errors errs = {0};
        for (int f = 0; f < F__MAX; f++) {
            if ((int)app_fields[f].step != step)
                continue;
            const char *v = http_form(r, app_fields[f].name);
            app_set_field(&vals, (enum app_field)f, v ? v : "", v ? strlen(v) : 0, &errs);
        }
        if (step == STEP_PASSPORT && vals.v[F_MRZ_LINE1][0] && vals.v[F_MRZ_LINE2][0] && !errs.n)
            app_prefill_from_mrz(&vals, time(NULL));
        app_check(&vals, (enum app_step)step, a.st, a.vt, a.track, time(NULL), &errs);
        if (errs.n) {
            step_page(r, w, 422, &a, (enum app_step)step, &vals, &errs, lang);
        } else {
            static const char *const editable[] = {"draft", "info_requested", NULL};
            struct store_app upd = a.row, out = {0};
            upd.fields_json = app_values_to_json(&vals);
            snprintf(upd.passport_number, sizeof upd.passport_number, "%.15s",
                     vals.v[F_PASSPORT_NUMBER]);
            snprintf(upd.date_of_birth, sizeof upd.date_of_birth, "%.10s", vals.v[F_DATE_OF_BIRTH]);
            snprintf(upd.lang, sizeof upd.lang, "%s", lang);
            int rc = store_app_update_fields(p->store, a.row.reference, a.row.version, editable,
                                             &upd, "applicant", &out);
            free(upd.fields_json);
            store_app_clear(&out);
            if (rc < 0) {
                message(r, w, rc == -STORE_E_CONFLICT ? 409 : 503, "error.title", "error.retry");
            } else {
                char loc[96];
                if (step + 1 < STEP__MAX)
                    snprintf(loc, sizeof loc, "/a/%s/step/%s", a.row.reference,
                             app_step_names[step + 1]);
                else
                    snprintf(loc, sizeof loc, "/a/%s/documents", a.row.reference);
                http_redirect(w, loc);
            }
        }
    }
    portal_app_clear(&a);
}

void page_resume(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    struct portal_app a;
    const char *t = http_query(r, "t");
    if (portal_app_load(p, r->params[0], t, &a) != 0) {
        message(r, w, 404, "notfound.title", "notfound.app");
        return;
    }
    set_access_cookie(r, w, a.row.reference);
    char loc[96];
    if (a.status != APP_DRAFT && a.status != APP_INFO_REQUESTED) {
        snprintf(loc, sizeof loc, "/a/%s/done", a.row.reference);
    } else {
        /* The first step that still has something missing, else the review. */
        int s;
        for (s = 0; s < STEP__MAX; s++) {
            struct app_errors e = {0};
            app_check(&a.vals, (enum app_step)s, a.st, a.vt, a.track, time(NULL), &e);
            if (e.n)
                break;
        }
        if (s < STEP__MAX)
            snprintf(loc, sizeof loc, "/a/%s/step/%s", a.row.reference, app_step_names[s]);
        else
            snprintf(loc, sizeof loc, "/a/%s/review", a.row.reference);
    }
    portal_app_clear(&a);
    http_redirect(w, loc);
}

/* ---- documents ------------------------------------------------------------ */

static void documents_page(struct http_request *r, struct http_response *w, int status,
                           struct portal_app *a, const struct app_errors *errs, const char *lang)
{
    struct portal *p = r->app;
    json_t *ctx = page_ctx(r, w, lang, "documents.title");
    unsigned have = portal_app_documents(p, a);
    json_t *docs = json_array();
    for (int d = 0; d < DOC__MAX; d++) {
        if (!a->vt->documents[d])
            continue;
        char key[64], img[96];
        snprintf(key, sizeof key, "doc.%s", policy_document_ids[d]);
        snprintf(img, sizeof img, "/a/%s/documents/%s", a->row.reference, policy_document_ids[d]);
        json_t *dj = json_pack("{s:s, s:s, s:b, s:s}", "name", policy_document_ids[d], "label",
                               tr(p, lang, key), "uploaded", (have >> d) & 1u, "image", img);
        snprintf(key, sizeof key, "doc.%s.hint", policy_document_ids[d]);
        json_object_set_new(dj, "hint", json_string(tr(p, lang, key)));
        for (size_t i = 0; errs && i < errs->n; i++)
            if (!strcmp(errs->e[i].field, policy_document_ids[d])) {
                snprintf(key, sizeof key, "err.%s", errs->e[i].code);
                json_object_set_new(dj, "error", json_string(tr(p, lang, key)));
            }
        json_array_append_new(docs, dj);
    }
    char action[96], next[96];
    snprintf(action, sizeof action, "/a/%s/documents", a->row.reference);
    snprintf(next, sizeof next, "/a/%s/review", a->row.reference);
    json_object_set_new(ctx, "documents", docs);
    json_object_set_new(ctx, "action", json_string(action));
    json_object_set_new(ctx, "next", json_string(next));
    json_object_set_new(ctx, "reference", json_string(a->row.reference));
    json_object_set_new(ctx, "steps", steps_json(p, a->row.reference, "documents", lang));
    render(r, w, status, "documents", ctx, lang);
}

void page_documents_get(struct http_request *r, struct http_response *w)
{
    struct portal_app a;
    if (!page_app(r, w, &a))
        return;
    documents_page(r, w, 200, &a, NULL, page_lang(r));
    portal_app_clear(&a);
}

void page_documents_post(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    struct portal_app a;
    if (!page_app(r, w, &a))
        return;
    const char *lang = page_lang(r);
    if (!http_form_ok(r)) {
        struct app_errors errs = {0};
        struct app_error *e = &errs.e[errs.n++];
        snprintf(e->field, sizeof e->field, "%s", "photo");
        snprintf(e->code, sizeof e->code, "upload_too_large");
        documents_page(r, w, 413, &a, &errs, lang);
    } else if (!portal_csrf_ok(p, r)) {
        message(r, w, 403, "csrf.title", "csrf.text");
    } else if (a.status != APP_DRAFT && a.status != APP_INFO_REQUESTED) {
        message(r, w, 409, "locked.title", "locked.text");
    } else {
        struct app_errors errs = {0};
        static const enum photo_kind kinds[DOC__MAX] = {PHOTO_FACE, PHOTO_PASSPORT_PAGE};
        for (int d = 0; d < DOC__MAX; d++) {
            const struct http_part *part = http_file(r, policy_document_ids[d]);
            if (!a.vt->documents[d] || !part || part->len == 0)
                continue;
            struct photo_result res;
            int rc = part->len > PHOTO_MAX_INPUT
                         ? -RENDER_E_TOO_LARGE
                         : photo_process(part->data, part->len, kinds[d], &res);
            if (rc < 0) {
                struct app_error *e = &errs.e[errs.n++];
                snprintf(e->field, sizeof e->field, "%s", policy_document_ids[d]);
                snprintf(e->code, sizeof e->code, "%s", render_err_code(rc));
                continue;
            }
            struct store_upload up = {0};
            snprintf(up.kind, sizeof up.kind, "%s", policy_document_ids[d]);
            snprintf(up.mime, sizeof up.mime, "image/jpeg");
            up.width = res.width, up.height = res.height, up.data = res.jpeg, up.len = res.len;
            if (store_upload_put(p->store, a.row.reference, &up, "applicant") < 0) {
                struct app_error *e = &errs.e[errs.n++];
                snprintf(e->field, sizeof e->field, "%s", policy_document_ids[d]);
                snprintf(e->code, sizeof e->code, "store_unavailable");
            }
            photo_result_free(&res);
        }
        if (errs.n || !http_form(r, "continue")) {
            documents_page(r, w, errs.n ? 422 : 200, &a, &errs, lang);
        } else {
            char loc[96];
            snprintf(loc, sizeof loc, "/a/%s/review", a.row.reference);
            http_redirect(w, loc);
        }
    }
    portal_app_clear(&a);
}

void page_document_image(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    struct portal_app a;
    if (!page_app(r, w, &a))
        return;
    struct store_upload up = {0};
    bool known = false;
    for (int d = 0; d < DOC__MAX; d++)
        known = known || !strcmp(r->params[1], policy_document_ids[d]);
    if (!known || store_upload_get(p->store, a.row.reference, r->params[1], &up) < 0) {
        http_status(w, 404);
    } else {
        http_set_header(w, "Content-Type", "image/jpeg");
        http_append(w, up.data, up.len);
    }
    store_upload_clear(&up);
    portal_app_clear(&a);
}

/* ---- review, payment, done ---------------------------------------------- */

static json_t *summary_json(const struct portal *p, const struct portal_app *a, const char *lang)
{
    json_t *groups = json_array();
    for (int s = 0; s < STEP__MAX; s++) {
        json_t *rows = json_array();
        for (int f = 0; f < F__MAX; f++) {
            if ((int)app_fields[f].step != s || !a->vals.v[f][0])
                continue;
            char key[64], vkey[64];
            snprintf(key, sizeof key, "field.%s", app_fields[f].name);
            /* Coded values read as words in the page's language. */
            const char *value = a->vals.v[f];
            if (app_fields[f].validator == V_SEX)
                snprintf(vkey, sizeof vkey, "field.sex.%s", value);
            else if (app_fields[f].validator == V_COUNTRY)
                snprintf(vkey, sizeof vkey, "country.%s", value);
            else if (app_fields[f].validator == V_YES)
                snprintf(vkey, sizeof vkey, "form.yes");
            else
                vkey[0] = '\0';
            if (vkey[0] && i18n_get(p->i18n, lang, vkey))
                value = i18n_get(p->i18n, lang, vkey);
            json_array_append_new(
                rows, json_pack("{s:s, s:s}", "label", tr(p, lang, key), "value", value));
        }
        char key[48], href[96];
        snprintf(key, sizeof key, "step.%s", app_step_names[s]);
        snprintf(href, sizeof href, "/a/%s/step/%s", a->row.reference, app_step_names[s]);
        json_array_append_new(groups, json_pack("{s:s, s:s, s:o}", "title", tr(p, lang, key),
                                                "edit", href, "rows", rows));
    }
    return groups;
}

static json_t *app_summary_ctx(struct http_request *r, struct http_response *w,
                               struct portal_app *a, const char *lang, const char *title)
{
    struct portal *p = r->app;
    json_t *ctx = page_ctx(r, w, lang, title);
    char fee[32];
    portal_money(a->track->fee_minor, fee);
    json_object_set_new(ctx, "reference", json_string(a->row.reference));
    json_object_set_new(ctx, "state_name", json_string(text_in(&a->st->name, lang)));
    json_object_set_new(ctx, "visa_name", json_string(text_in(&a->vt->name, lang)));
    json_object_set_new(ctx, "track_name", json_string(text_in(&a->track->name, lang)));
    json_object_set_new(ctx, "fee", json_string(fee));
    json_object_set_new(ctx, "currency", json_string(a->st->currency));
    json_object_set_new(ctx, "mrz_name", mrz_preview(p, a, lang));
    return ctx;
}

void page_review(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    struct portal_app a;
    if (!page_app(r, w, &a))
        return;
    const char *lang = page_lang(r);
    if (a.status != APP_DRAFT && a.status != APP_INFO_REQUESTED) {
        char loc[96];
        snprintf(loc, sizeof loc, "/a/%s/done", a.row.reference);
        http_redirect(w, loc);
        portal_app_clear(&a);
        return;
    }
    struct app_errors missing = {0};
    bool ready = portal_app_ready(p, &a, time(NULL), &missing);
    json_t *ctx = app_summary_ctx(r, w, &a, lang, "review.title");
    json_t *miss = json_array();
    for (size_t i = 0; i < missing.n; i++) {
        char lkey[64], ekey[64];
        snprintf(lkey, sizeof lkey, "%s.%s",
                 app_field_from_name(missing.e[i].field) >= 0 ? "field" : "doc",
                 missing.e[i].field);
        snprintf(ekey, sizeof ekey, "err.%s", missing.e[i].code);
        json_array_append_new(
            miss, json_pack("{s:s, s:s}", "label", tr(p, lang, lkey), "error", tr(p, lang, ekey)));
    }
    char pay[96], docs[96], resubmit[96];
    snprintf(pay, sizeof pay, "/a/%s/pay", a.row.reference);
    snprintf(docs, sizeof docs, "/a/%s/documents", a.row.reference);
    snprintf(resubmit, sizeof resubmit, "/a/%s/resubmit", a.row.reference);
    json_object_set_new(ctx, "documents_url", json_string(docs));
    json_object_set_new(ctx, "resubmit_url", json_string(resubmit));
    json_object_set_new(ctx, "info_requested", json_boolean(a.status == APP_INFO_REQUESTED));
    json_object_set_new(ctx, "groups", summary_json(p, &a, lang));
    json_object_set_new(ctx, "has_missing", json_boolean(json_array_size(miss) > 0));
    json_object_set_new(ctx, "missing", miss);
    json_object_set_new(ctx, "ready", json_boolean(ready));
    json_object_set_new(ctx, "pay_url", json_string(pay));
    json_object_set_new(ctx, "steps", steps_json(p, a.row.reference, "review", lang));
    render(r, w, 200, "review", ctx, lang);
    portal_app_clear(&a);
}

static void pay_page(struct http_request *r, struct http_response *w, int status,
                     struct portal_app *a, const char *lang, const char *error_key, bool pending)
{
    struct portal *p = r->app;
    json_t *ctx = app_summary_ctx(r, w, a, lang, "pay.title");
    char nonce[33], action[96];
    form_nonce(nonce);
    snprintf(action, sizeof action, "/a/%s/pay", a->row.reference);
    json_object_set_new(ctx, "nonce", json_string(nonce));
    json_object_set_new(ctx, "action", json_string(action));
    json_object_set_new(ctx, "test_provider", json_boolean(p->pay->is_test));
    json_object_set_new(ctx, "test_mode", json_boolean(p->pay->is_test));
    json_object_set_new(ctx, "pending", json_boolean(pending));
    if (error_key)
        json_object_set_new(ctx, "error", json_string(tr(p, lang, error_key)));
    render(r, w, status, "pay", ctx, lang);
}

void page_pay_get(struct http_request *r, struct http_response *w)
{
    struct portal_app a;
    if (!page_app(r, w, &a))
        return;
    if (a.status != APP_DRAFT) {
        char loc[96];
        snprintf(loc, sizeof loc, "/a/%s/done", a.row.reference);
        http_redirect(w, loc);
    } else {
        pay_page(r, w, 200, &a, page_lang(r), NULL, false);
    }
    portal_app_clear(&a);
}

/* A pending payment may be another request's charge in flight (a double
 * click): wait up to 3 s for it to finish.  True when it succeeded. */
static bool wait_for_payment(const struct portal *p, struct store_payment *pay)
{
    char id[STORE_ID_MAX];
    snprintf(id, sizeof id, "%s", pay->payment_id);
    for (int i = 0; i < 30 && pay->status == PAY_PENDING; i++) {
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
        if (store_payment_get(p->store, id, pay) != 0)
            return false;
    }
    return pay->status == PAY_SUCCEEDED;
}

void page_pay_post(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    struct portal_app a;
    if (!page_app(r, w, &a))
        return;
    const char *lang = page_lang(r);
    const char *nonce = http_form(r, "nonce");
    char idem[80];
    snprintf(idem, sizeof idem, "form-%.64s", nonce ? nonce : "");
    if (!http_form_ok(r) || !portal_csrf_ok(p, r) || !nonce || strlen(nonce) != 32) {
        if (http_form_ok(r))
            message(r, w, 403, "csrf.title", "csrf.text");
        portal_app_clear(&a);
        return;
    }
    struct store_payment pay;
    const char *code, *msg;
    int rc = portal_pay(p, &a, idem, http_form(r, "card_number"), http_form(r, "expiry"),
                        http_form(r, "cvc"), time(NULL), &pay, &code, &msg);
    char loc[96];
    snprintf(loc, sizeof loc, "/a/%s/done", a.row.reference);
    if (rc == 409) {
        http_redirect(w, loc);
    } else if (rc) {
        char key[48];
        snprintf(key, sizeof key, "pay.err.%s", code);
        pay_page(r, w, rc, &a, lang, key, false);
    } else if (pay.status == PAY_SUCCEEDED) {
        http_redirect(w, loc);
    } else if (pay.status == PAY_PENDING && wait_for_payment(p, &pay)) {
        http_redirect(w, loc); /* a double click: the first request's charge succeeded */
    } else if (pay.status == PAY_PENDING) {
        pay_page(r, w, 202, &a, lang, "pay.pending", true);
    } else {
        char key[64];
        snprintf(key, sizeof key, "pay.declined.%s", pay.decline_code);
        if (!i18n_get(p->i18n, lang, key))
            snprintf(key, sizeof key, "pay.declined.other");
        pay_page(r, w, 402, &a, lang, key, false);
    }
    portal_app_clear(&a);
}

/* The done page of a loaded application; share_code/share_expiry (may be
 * NULL) show a share code just made. */
static void done_render(struct http_request *r, struct http_response *w, struct portal_app *a,
                        const char *share_code, int64_t share_expiry, const char *share_error)
{
    struct portal *p = r->app;
    const char *lang = page_lang(r);
    json_t *ctx = app_summary_ctx(r, w, a, lang, "done.title");
    char key[48], deadline[32] = "", resume[160], token[48];
    snprintf(key, sizeof key, "status.%s", a->row.status);
    if (a->row.deadline_at)
        format_time(a->row.deadline_at, deadline);
    portal_access_token(p, a->row.reference, token);
    snprintf(resume, sizeof resume, "/a/%s/resume?t=%s", a->row.reference, token);
    json_object_set_new(ctx, "status", json_string(tr(p, lang, key)));
    json_object_set_new(ctx, "submitted", json_boolean(a->status != APP_DRAFT));
    json_object_set_new(ctx, "deadline", json_string(deadline));
    json_object_set_new(ctx, "urgent", json_boolean(a->track->processing_hours > 0));
    json_object_set_new(ctx, "resume_url", json_string(resume));
    char pay[96];
    snprintf(pay, sizeof pay, "/a/%s/review", a->row.reference);
    json_object_set_new(ctx, "review_url", json_string(pay));
    /* What the consulate decided, in the applicant's language. */
    struct store_decision d;
    if (store_decision_last(p->store, a->row.reference, &d) == 0) {
        const struct policy_reason *reason = policy_find_reason(a->st, d.reason_code);
        if (a->status == APP_REFUSED && reason)
            json_object_set_new(ctx, "refusal", json_string(text_in(&reason->text, lang)));
        if (a->status == APP_INFO_REQUESTED)
            json_object_set_new(ctx, "info_request", json_string(d.info_request));
    }
    json_object_set_new(ctx, "info_requested", json_boolean(a->status == APP_INFO_REQUESTED));
    static const char *const headings[APP__MAX] = {
        [APP_DRAFT] = "done.heading_draft",      [APP_SUBMITTED] = "done.heading",
        [APP_IN_REVIEW] = "done.heading",        [APP_INFO_REQUESTED] = "done.heading_info",
        [APP_APPROVED] = "done.heading_issued",  [APP_ISSUED] = "done.heading_issued",
        [APP_REFUSED] = "done.heading_refused",  [APP_REVOKED] = "done.heading_revoked",
        [APP_WITHDRAWN] = "done.heading_closed", [APP_EXPIRED] = "done.heading_closed",
    };
    json_object_set_new(ctx, "heading", json_string(headings[a->status]));
    /* The secret link matters while the applicant still has something to do. */
    json_object_set_new(ctx, "editable",
                        json_boolean(a->status == APP_DRAFT || a->status == APP_INFO_REQUESTED));
    if (a->status == APP_ISSUED || a->status == APP_REVOKED) {
        char pdf[96], png[96];
        snprintf(pdf, sizeof pdf, "/a/%s/visa.pdf", a->row.reference);
        snprintf(png, sizeof png, "/a/%s/visa.png", a->row.reference);
        json_object_set_new(ctx, "visa_pdf", json_string(pdf));
        json_object_set_new(ctx, "visa_png", json_string(png));
    }
    char resubmit[96];
    snprintf(resubmit, sizeof resubmit, "/a/%s/resubmit", a->row.reference);
    json_object_set_new(ctx, "resubmit_url", json_string(resubmit));
    /* Minimal disclosure: an issued visa may be shared with a hotel. */
    if (a->status == APP_ISSUED) {
        char share[96];
        snprintf(share, sizeof share, "/a/%s/share", a->row.reference);
        json_object_set_new(ctx, "share_url", json_string(share));
    }
    if (share_code) {
        char until[32];
        format_time(share_expiry, until);
        json_object_set_new(ctx, "share_code", json_string(share_code));
        json_object_set_new(ctx, "share_expiry", json_string(until));
    }
    if (share_error)
        json_object_set_new(ctx, "share_error", json_string(tr(p, lang, share_error)));
    render(r, w, 200, "done", ctx, lang);
}

void page_done(struct http_request *r, struct http_response *w)
{
    struct portal_app a;
    if (!page_app(r, w, &a))
        return;
    done_render(r, w, &a, NULL, 0, NULL);
    portal_app_clear(&a);
}

void page_share_post(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    struct portal_app a;
    if (!page_app(r, w, &a))
        return;
    if (!http_form_ok(r)) {
        /* the HTTP layer has answered (400/413) */
    } else if (!portal_csrf_ok(p, r)) {
        message(r, w, 403, "csrf.title", "csrf.text");
    } else {
        char code[PORTAL_SHARE_CODE_MAX];
        int64_t exp;
        int st = portal_share_create(p, &a, PORTAL_SHARE_DEFAULT_HOURS, code, &exp);
        if (st == 201)
            done_render(r, w, &a, code, exp, NULL);
        else
            done_render(r, w, &a, NULL, 0, st == 409 ? "share.no_valid_visa" : "error.retry");
    }
    portal_app_clear(&a);
}

void page_resubmit(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    struct portal_app a;
    if (!page_app(r, w, &a))
        return;
    char loc[96];
    snprintf(loc, sizeof loc, "/a/%s/done", a.row.reference);
    struct app_errors missing = {0};
    if (!http_form_ok(r)) {
        /* the HTTP layer has answered (400/413) */
    } else if (!portal_csrf_ok(p, r)) {
        message(r, w, 403, "csrf.title", "csrf.text");
    } else if (a.status != APP_INFO_REQUESTED) {
        http_redirect(w, loc);
    } else if (!portal_app_ready(p, &a, time(NULL), &missing)) {
        snprintf(loc, sizeof loc, "/a/%s/review", a.row.reference);
        http_redirect(w, loc);
    } else {
        store_app_transition(p->store, a.row.reference, "info_requested", "submitted", 0, 0,
                             "applicant", "resubmitted", "{}");
        http_redirect(w, loc);
    }
    portal_app_clear(&a);
}

/* ---- status lookup --------------------------------------------------------- */

static void status_page(struct http_request *r, struct http_response *w, int status,
                        const char *lang, json_t *result, const char *error_key)
{
    struct portal *p = r->app;
    json_t *ctx = page_ctx(r, w, lang, "status.title");
    static const char *const keep[] = {"reference", "passport_number", "date_of_birth"};
    for (int i = 0; i < 3; i++) {
        const char *v = http_form(r, keep[i]);
        json_object_set_new(ctx, keep[i], json_string(v ? v : ""));
    }
    if (result)
        json_object_set_new(ctx, "result", result);
    if (error_key)
        json_object_set_new(ctx, "error", json_string(tr(p, lang, error_key)));
    render(r, w, status, "status", ctx, lang);
}

void page_status_get(struct http_request *r, struct http_response *w)
{
    status_page(r, w, 200, page_lang(r), NULL, NULL);
}

void page_status_post(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    const char *lang = page_lang(r);
    if (!http_form_ok(r))
        return; /* the HTTP layer has answered (400/413) */
    if (!portal_csrf_ok(p, r)) {
        message(r, w, 403, "csrf.title", "csrf.text");
        return;
    }
    if (!ratelimit_hit(p->status_limit, r->remote_ip, (int64_t)time(NULL))) {
        http_set_header(w, "Retry-After", "60");
        status_page(r, w, 429, lang, NULL, "status.rate_limited");
        return;
    }
    const char *ref = http_form(r, "reference"), *pn = http_form(r, "passport_number");
    const char *dob = http_form(r, "date_of_birth");
    struct app_values v = {0};
    struct app_errors e = {0};
    char refu[24] = "";
    if (ref) {
        snprintf(refu, sizeof refu, "%.23s", ref);
        for (char *c = refu; *c; c++)
            if (*c >= 'a' && *c <= 'z')
                *c = (char)(*c - 'a' + 'A');
    }
    if (pn)
        app_set_field(&v, F_PASSPORT_NUMBER, pn, strlen(pn), &e);
    struct store_app row = {0};
    int rc = pn && dob && !e.n && app_reference_valid(refu)
                 ? store_app_lookup(p->store, refu, v.v[F_PASSPORT_NUMBER], dob, &row)
                 : -STORE_E_NOT_FOUND;
    if (rc < 0) {
        status_page(r, w, rc == -STORE_E_NOT_FOUND ? 404 : 503, lang, NULL,
                    rc == -STORE_E_NOT_FOUND ? "status.not_found" : "error.retry");
        return;
    }
    char key[48], deadline[32] = "";
    snprintf(key, sizeof key, "status.%s", row.status);
    if (row.deadline_at)
        format_time(row.deadline_at, deadline);
    json_t *res = json_pack("{s:s, s:s, s:s}", "reference", row.reference, "status",
                            tr(p, lang, key), "deadline", deadline);
    store_app_clear(&row);
    status_page(r, w, 200, lang, res, NULL);
}

/* ---- share-code check for hotels and carriers ------------------------------ */

static void check_page(struct http_request *r, struct http_response *w, int status,
                       const char *lang, const struct portal_share_facts *f, const char *error_key)
{
    struct portal *p = r->app;
    json_t *ctx = page_ctx(r, w, lang, "check.title");
    static const char *const keep[] = {"code", "passport_number"};
    for (int i = 0; i < 2; i++) {
        const char *v = http_form(r, keep[i]);
        json_object_set_new(ctx, keep[i], json_string(v ? v : ""));
    }
    if (f) {
        char entries[32];
        if (f->entries)
            snprintf(entries, sizeof entries, "%d", f->entries);
        else
            snprintf(entries, sizeof entries, "%s", tr(p, lang, "visa.entries_multiple"));
        char key[32];
        snprintf(key, sizeof key, "check.status_%s", f->status);
        json_object_set_new(ctx, "result",
                            json_pack("{s:b, s:s, s:s, s:s, s:s}", "valid", f->valid, "valid_from",
                                      f->valid_from, "valid_until", f->valid_until, "entries",
                                      entries, "status", tr(p, lang, key)));
    }
    if (error_key)
        json_object_set_new(ctx, "error", json_string(tr(p, lang, error_key)));
    render(r, w, status, "check", ctx, lang);
}

void page_check_get(struct http_request *r, struct http_response *w)
{
    check_page(r, w, 200, page_lang(r), NULL, NULL);
}

void page_check_post(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    const char *lang = page_lang(r);
    if (!http_form_ok(r))
        return; /* the HTTP layer has answered (400/413) */
    if (!portal_csrf_ok(p, r)) {
        message(r, w, 403, "csrf.title", "csrf.text");
        return;
    }
    struct portal_share_facts f;
    int st = portal_share_check(p, r->remote_ip, http_form(r, "code"),
                                http_form(r, "passport_number"), &f);
    if (st == 429)
        http_set_header(w, "Retry-After", "60");
    if (st == 200)
        check_page(r, w, 200, lang, &f, NULL);
    else
        check_page(r, w, st, lang, NULL,
                   st == 404   ? "check.not_found"
                   : st == 429 ? "status.rate_limited"
                               : "error.retry");
}
