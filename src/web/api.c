/*
 * api.c — the JSON API of the applicant portal (docs/openapi.yaml):
 * states and fees, creating an application (idempotent), reading and
 * updating its fields, uploading documents, submitting, paying, the payment
 * provider's signed callback, status lookup and /healthz.  Validation
 * errors answer 422 with [{field, code, message}]; other errors a stable
 * {"code", "message"}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "render/photo.h"
#include "render/render_err.h"
#include "web/portal.h"

static const char *lang_of(const struct http_request *r, const char *fallback)
{
    const char *q = http_query(r, "lang");
    return i18n_negotiate(q, fallback, http_header(r, "Accept-Language"));
}

static void unprocessable(struct portal *p, struct http_response *w, const struct app_errors *e,
                          const char *lang)
{
    http_json(w, 422,
              json_pack("{s:s, s:s, s:o}", "code", "validation_failed", "message",
                        "some fields are not valid", "errors", portal_errors_json(p, e, lang)));
}

static json_t *parse_body(struct http_request *r, struct http_response *w)
{
    if (strcmp(http_content_type(r), "application/json") != 0) {
        http_error_json(w, 415, "unsupported_media_type", "send application/json");
        return NULL;
    }
    json_error_t e;
    json_t *j = json_loadb((const char *)r->body, r->body_len, JSON_REJECT_DUPLICATES, &e);
    if (!json_is_object(j)) {
        json_decref(j);
        http_error_json(w, 400, "bad_json", "the body must be one JSON object");
        return NULL;
    }
    return j;
}

/* Loads the application of params[0] with the request's bearer token, or
 * answers 401/404 and returns false. */
static bool load_app(struct http_request *r, struct http_response *w, struct portal_app *a)
{
    struct portal *p = r->app;
    const char *tok = portal_bearer(r);
    if (!tok) {
        http_set_header(w, "WWW-Authenticate", "Bearer");
        http_error_json(w, 401, "unauthorized", "send Authorization: Bearer <access_token>");
        return false;
    }
    int rc = portal_app_load(p, r->params[0], tok, a);
    if (rc == 404)
        http_error_json(w, 404, "not_found", "no such application");
    else if (rc)
        http_error_json(w, 500, "internal", "the application could not be read");
    return rc == 0;
}

void api_healthz(struct http_request *r, struct http_response *w)
{
    (void)r;
    http_set_header(w, "Content-Type", "application/json");
    http_append(w, "{\"status\":\"ok\"}", 15);
}

void api_states(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    json_t *a = json_array();
    for (size_t i = 0; i < p->policy->n_states; i++)
        json_array_append_new(a, portal_state_json(&p->policy->states[i]));
    http_json(w, 200, json_pack("{s:o}", "states", a));
}

/* The JSON of an application for its owner. */
static json_t *app_json(struct portal *p, struct portal_app *a, const char *lang, time_t now)
{
    struct app_errors missing = {0};
    bool ready = portal_app_ready(p, a, now, &missing);
    char name[40];
    bool cut = false;
    json_t *mrz_name = app_mrz_name(&a->vals, a->st, name, &cut) == 0
                           ? json_pack("{s:s, s:b}", "field", name, "truncated", cut)
                           : json_null();
    json_t *fields = json_object();
    for (int f = 0; f < F__MAX; f++)
        if (a->vals.v[f][0])
            json_object_set_new(fields, app_fields[f].name, json_string(a->vals.v[f]));
    unsigned docs = portal_app_documents(p, a);
    json_t *documents = json_object();
    for (int d = 0; d < DOC__MAX; d++)
        if (a->vt->documents[d])
            json_object_set_new(documents, policy_document_ids[d], json_boolean(docs & (1u << d)));
    char fee[32];
    portal_money(a->track->fee_minor, fee);
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:o, s:{s:I, s:s, s:s}, s:b, s:o}",
        "reference", a->row.reference, "state", a->row.state, "visa_type", a->row.visa_type,
        "track", a->row.track, "status", a->row.status, "lang", a->row.lang, "version",
        a->row.version, "fields", fields, "documents", documents, "mrz_name", mrz_name, "fee",
        "amount_minor", (json_int_t)a->track->fee_minor, "amount", fee, "currency", a->st->currency,
        "ready_for_payment", ready && a->status == APP_DRAFT, "missing",
        portal_errors_json(p, &missing, lang));
    if (a->row.submitted_at) {
        json_object_set_new(j, "submitted_at", json_integer(a->row.submitted_at));
        json_object_set_new(j, "deadline_at", json_integer(a->row.deadline_at));
    }
    return j;
}

/* SHA-256 hex of the request body: what an idempotency key is bound to. */
static void body_hash(const struct http_request *r, char out[65])
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(r->body, r->body_len, md, &len, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static bool idem_key_ok(const char *k)
{
    size_t n = k ? strlen(k) : 0;
    if (n < 8 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') ||
              (k[i] >= '0' && k[i] <= '9') || k[i] == '-' || k[i] == '_'))
            return false;
    return true;
}

void api_create(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    const char *idem = http_header(r, "Idempotency-Key");
    if (idem && !idem_key_ok(idem)) {
        http_error_json(w, 400, "bad_idempotency_key", "Idempotency-Key: 8-64 of A-Z a-z 0-9 - _");
        return;
    }
    json_t *body = parse_body(r, w);
    if (!body)
        return;
    struct app_errors errs = {0};
    const char *state = json_string_value(json_object_get(body, "state"));
    const char *type = json_string_value(json_object_get(body, "visa_type"));
    const char *track = json_string_value(json_object_get(body, "track"));
    const char *lang = json_string_value(json_object_get(body, "lang"));
    lang = lang ? i18n_lang_code(lang) : lang_of(r, NULL);
    const struct policy_state *st = state ? policy_find_state(p->policy, state) : NULL;
    const struct policy_visa_type *vt = st && type ? policy_find_type(st, type) : NULL;
    const struct policy_track *tr =
        vt ? policy_find_track(vt, track ? track : vt->tracks[0].id) : NULL;
    struct app_values vals = {0};
    const char *key;
    json_t *val;
    json_object_foreach(body, key, val)
    {
        if (strcmp(key, "state") && strcmp(key, "visa_type") && strcmp(key, "track") &&
            strcmp(key, "lang") && strcmp(key, "fields") && errs.n < APP_MAX_ERRORS) {
            struct app_error *e = &errs.e[errs.n++];
            snprintf(e->field, sizeof e->field, "%.31s", key);
            snprintf(e->code, sizeof e->code, "unknown_field");
            snprintf(e->detail, sizeof e->detail, "not a known member");
        }
    }
    struct {
        const char *field;
        bool bad;
    } checks[] = {{"state", !st}, {"visa_type", !vt}, {"track", !tr}};
    for (size_t i = 0; i < 3 && errs.n < APP_MAX_ERRORS; i++)
        if (checks[i].bad) {
            struct app_error *e = &errs.e[errs.n++];
            snprintf(e->field, sizeof e->field, "%s", checks[i].field);
            snprintf(e->code, sizeof e->code, "%s", "unknown_choice");
            snprintf(e->detail, sizeof e->detail, "not offered by this state");
            break;
        }
    json_t *fields = json_object_get(body, "fields");
    if (fields) {
        char *text = json_dumps(fields, JSON_COMPACT);
        app_values_from_json(text, &vals, false, &errs);
        free(text);
    }
    if (st && vals.v[F_NATIONALITY][0] && !policy_nationality_eligible(st, vals.v[F_NATIONALITY]) &&
        errs.n < APP_MAX_ERRORS) {
        struct app_error *e = &errs.e[errs.n++];
        snprintf(e->field, sizeof e->field, "nationality");
        snprintf(e->code, sizeof e->code, "not_eligible");
        snprintf(e->detail, sizeof e->detail, "cannot apply online");
    }
    if (errs.n) {
        unprocessable(p, w, &errs, lang);
        json_decref(body);
        return;
    }
    struct store_app in = {0}, out = {0};
    if (app_new_reference(st->code, in.reference) < 0) {
        http_error_json(w, 500, "internal", "no randomness");
        json_decref(body);
        return;
    }
    char token[48], req_hash[65];
    portal_access_token(p, in.reference, token);
    app_token_hash(token, in.token_hash);
    snprintf(in.state, sizeof in.state, "%s", st->code);
    snprintf(in.visa_type, sizeof in.visa_type, "%s", vt->id);
    snprintf(in.track, sizeof in.track, "%.15s", tr->id);
    snprintf(in.status, sizeof in.status, "draft");
    snprintf(in.lang, sizeof in.lang, "%s", lang);
    snprintf(in.passport_number, sizeof in.passport_number, "%.15s", vals.v[F_PASSPORT_NUMBER]);
    snprintf(in.date_of_birth, sizeof in.date_of_birth, "%.10s", vals.v[F_DATE_OF_BIRTH]);
    in.fields_json = app_values_to_json(&vals);
    in.fee_minor = tr->fee_minor;
    snprintf(in.currency, sizeof in.currency, "%s", st->currency);
    body_hash(r, req_hash);
    bool replayed = false;
    int rc = store_app_create(p->store, &in, idem, req_hash, &out, &replayed);
    free(in.fields_json);
    json_decref(body);
    if (rc == -STORE_E_IDEM_MISMATCH) {
        http_error_json(w, 422, "idempotency_key_reused",
                        "this Idempotency-Key was used for a different request");
        return;
    }
    if (rc < 0) {
        http_error_json(w, 503, "store_unavailable", "please retry");
        return;
    }
    portal_access_token(p, out.reference, token);
    char location[64];
    snprintf(location, sizeof location, "/api/v1/applications/%s", out.reference);
    http_set_header(w, "Location", location);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:b}", "reference", out.reference, "access_token",
                          token, "status", out.status, "resume_url", "", "replayed", replayed);
    char resume[128];
    snprintf(resume, sizeof resume, "/a/%s/resume?t=%s", out.reference, token);
    json_object_set_new(j, "resume_url", json_string(resume));
    store_app_clear(&out);
    http_json(w, replayed ? 200 : 201, j);
}

void api_get(struct http_request *r, struct http_response *w)
{
    struct portal_app a;
    if (!load_app(r, w, &a))
        return;
    http_json(w, 200, app_json(r->app, &a, lang_of(r, a.row.lang), time(NULL)));
    portal_app_clear(&a);
}

/* Saves new field values when the application is editable. */
static int save_values(struct portal *p, struct portal_app *a, const struct app_values *vals,
                       const char *lang, const char *actor)
{
    static const char *const editable[] = {"draft", "info_requested", NULL};
    struct store_app upd = a->row, out = {0};
    upd.fields_json = app_values_to_json(vals);
    snprintf(upd.passport_number, sizeof upd.passport_number, "%.15s", vals->v[F_PASSPORT_NUMBER]);
    snprintf(upd.date_of_birth, sizeof upd.date_of_birth, "%.10s", vals->v[F_DATE_OF_BIRTH]);
    if (lang)
        snprintf(upd.lang, sizeof upd.lang, "%s", lang);
    int rc = store_app_update_fields(p->store, a->row.reference, a->row.version, editable, &upd,
                                     actor, &out);
    free(upd.fields_json);
    if (rc == 0) {
        store_app_clear(&a->row);
        a->row = out;
        a->vals = *vals;
    }
    return rc;
}

void api_patch(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    struct portal_app a;
    if (!load_app(r, w, &a))
        return;
    json_t *body = parse_body(r, w);
    if (!body) {
        portal_app_clear(&a);
        return;
    }
    const char *lang = lang_of(r, a.row.lang);
    struct app_errors errs = {0};
    struct app_values vals = a.vals;
    const char *key;
    json_t *val;
    const char *new_lang = NULL;
    json_object_foreach(body, key, val)
    {
        if (!strcmp(key, "lang") && json_is_string(val))
            new_lang = i18n_lang_code(json_string_value(val));
        else if (strcmp(key, "fields") && errs.n < APP_MAX_ERRORS) {
            struct app_error *e = &errs.e[errs.n++];
            snprintf(e->field, sizeof e->field, "%.31s", key);
            snprintf(e->code, sizeof e->code, "unknown_field");
        }
    }
    json_t *fields = json_object_get(body, "fields");
    if (fields) {
        char *text = json_dumps(fields, JSON_COMPACT);
        app_values_from_json(text, &vals, false, &errs);
        free(text);
    }
    json_decref(body);
    if (errs.n) {
        unprocessable(p, w, &errs, lang);
        portal_app_clear(&a);
        return;
    }
    int rc = save_values(p, &a, &vals, new_lang, "applicant");
    if (rc == -STORE_E_BAD_STATUS)
        http_error_json(w, 409, "not_editable", "the application can no longer be changed");
    else if (rc == -STORE_E_CONFLICT)
        http_error_json(w, 409, "conflict", "the application changed meanwhile; reload it");
    else if (rc < 0)
        http_error_json(w, 503, "store_unavailable", "please retry");
    else
        http_json(w, 200, app_json(p, &a, new_lang ? new_lang : lang, time(NULL)));
    portal_app_clear(&a);
}

/* Stores a processed upload; answers the request. */
static void put_document(struct http_request *r, struct http_response *w, enum policy_document doc,
                         enum photo_kind kind)
{
    struct portal *p = r->app;
    struct portal_app a;
    if (!load_app(r, w, &a))
        return;
    const char *lang = lang_of(r, a.row.lang);
    if (a.status != APP_DRAFT && a.status != APP_INFO_REQUESTED) {
        http_error_json(w, 409, "not_editable", "the application can no longer be changed");
    } else if (r->body_len > PHOTO_MAX_INPUT) {
        http_error_json(w, 413, "upload_too_large", "an image may be at most 5 MiB");
    } else {
        struct photo_result res;
        int rc = photo_process(r->body, r->body_len, kind, &res);
        if (rc < 0) {
            struct app_errors errs = {0};
            struct app_error *e = &errs.e[errs.n++];
            snprintf(e->field, sizeof e->field, "%s", policy_document_ids[doc]);
            snprintf(e->code, sizeof e->code, "%s", render_err_code(rc));
            snprintf(e->detail, sizeof e->detail, "%s", render_err_message(rc));
            unprocessable(p, w, &errs, lang);
        } else {
            struct store_upload up = {0};
            snprintf(up.kind, sizeof up.kind, "%s", policy_document_ids[doc]);
            snprintf(up.mime, sizeof up.mime, "image/jpeg");
            up.width = res.width, up.height = res.height;
            up.data = res.jpeg, up.len = res.len;
            if (store_upload_put(p->store, a.row.reference, &up, "applicant") < 0)
                http_error_json(w, 503, "store_unavailable", "please retry");
            else
                http_json(w, 200,
                          json_pack("{s:s, s:i, s:i, s:I}", "document", policy_document_ids[doc],
                                    "width", res.width, "height", res.height, "bytes",
                                    (json_int_t)res.len));
            photo_result_free(&res);
        }
    }
    portal_app_clear(&a);
}

void api_photo(struct http_request *r, struct http_response *w)
{
    put_document(r, w, DOC_PHOTO, PHOTO_FACE);
}

void api_passport_page(struct http_request *r, struct http_response *w)
{
    put_document(r, w, DOC_PASSPORT_PAGE, PHOTO_PASSPORT_PAGE);
}

void api_submit(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    struct portal_app a;
    if (!load_app(r, w, &a))
        return;
    const char *lang = lang_of(r, a.row.lang);
    time_t now = time(NULL);
    struct app_errors errs = {0};
    if (a.status == APP_INFO_REQUESTED) {
        /* Fixed after a request for information: back to the queue. */
        if (!portal_app_ready(p, &a, now, &errs)) {
            unprocessable(p, w, &errs, lang);
        } else if (store_app_transition(p->store, a.row.reference, "info_requested", "submitted", 0,
                                        0, "applicant", "resubmitted", "{}") < 0) {
            http_error_json(w, 409, "conflict", "the application changed meanwhile");
        } else {
            http_json(w, 200,
                      json_pack("{s:s, s:s}", "reference", a.row.reference, "status", "submitted"));
        }
    } else if (a.status != APP_DRAFT) {
        http_json(w, 200, app_json(p, &a, lang, now));
    } else if (!portal_app_ready(p, &a, now, &errs)) {
        unprocessable(p, w, &errs, lang);
    } else {
        char fee[32], url[96];
        portal_money(a.track->fee_minor, fee);
        snprintf(url, sizeof url, "/api/v1/applications/%s/payments", a.row.reference);
        http_json(w, 402,
                  json_pack("{s:s, s:s, s:{s:I, s:s, s:s}, s:s}", "code", "payment_required",
                            "message", "the application is complete; pay the fee to submit it",
                            "fee", "amount_minor", (json_int_t)a.track->fee_minor, "amount", fee,
                            "currency", a.st->currency, "payments_url", url));
    }
    portal_app_clear(&a);
}

static json_t *payment_json(const struct store_payment *pay, const struct portal_app *a)
{
    json_t *j = json_pack("{s:s, s:s, s:I, s:s, s:s}", "payment_id", pay->payment_id, "status",
                          store_pay_status_names[pay->status], "amount_minor",
                          (json_int_t)pay->amount_minor, "currency", pay->currency, "provider",
                          pay->provider);
    if (pay->decline_code[0])
        json_object_set_new(j, "decline_code", json_string(pay->decline_code));
    if (a)
        json_object_set_new(j, "reference", json_string(a->row.reference));
    return j;
}

void api_payments(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    const char *idem = http_header(r, "Idempotency-Key");
    if (!idem_key_ok(idem)) {
        http_error_json(w, 400, "idempotency_key_required",
                        "payments need an Idempotency-Key header (8-64 of A-Z a-z 0-9 - _)");
        return;
    }
    struct portal_app a;
    if (!load_app(r, w, &a))
        return;
    json_t *body = parse_body(r, w);
    if (!body) {
        portal_app_clear(&a);
        return;
    }
    const char *card = json_string_value(json_object_get(body, "card_number"));
    const char *expiry = json_string_value(json_object_get(body, "expiry"));
    const char *cvc = json_string_value(json_object_get(body, "cvc"));
    struct store_payment pay;
    const char *code, *msg;
    int rc = portal_pay(p, &a, idem, card, expiry, cvc, time(NULL), &pay, &code, &msg);
    json_decref(body);
    if (rc) {
        http_error_json(w, rc, code, msg);
    } else {
        struct portal_app now_app;
        int status = pay.status == PAY_SUCCEEDED  ? 201
                     : pay.status == PAY_DECLINED ? 402
                     : pay.status == PAY_PENDING  ? 202
                                                  : 502;
        json_t *j = payment_json(&pay, &a);
        if (portal_app_load(p, a.row.reference, portal_bearer(r), &now_app) == 0) {
            json_object_set_new(j, "application_status", json_string(now_app.row.status));
            if (now_app.row.deadline_at)
                json_object_set_new(j, "deadline_at", json_integer(now_app.row.deadline_at));
            portal_app_clear(&now_app);
        }
        if (pay.status == PAY_DECLINED)
            json_object_set_new(j, "code", json_string("payment_declined"));
        http_json(w, status, j);
    }
    portal_app_clear(&a);
}

void api_payment_callback(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    bool applied = false;
    int rc = portal_payment_callback(p, (const char *)r->body, r->body_len,
                                     http_header(r, "X-Evisa-Signature"), &applied);
    if (rc == 200)
        http_json(w, 200, json_pack("{s:b}", "applied", applied));
    else if (rc == 401)
        http_error_json(w, 401, "bad_signature", "the callback signature does not verify");
    else if (rc == 400)
        http_error_json(w, 400, "bad_callback", "the callback body is not valid");
    else if (rc == 404)
        http_error_json(w, 404, "not_found", "no such payment");
    else
        http_error_json(w, 500, "internal", "the callback could not be recorded");
}

void api_status(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    if (!ratelimit_hit(p->status_limit, r->remote_ip, (int64_t)time(NULL))) {
        http_set_header(w, "Retry-After", "60");
        http_error_json(w, 429, "rate_limited", "too many lookups; try again in a minute");
        return;
    }
    const char *ref = http_query(r, "reference");
    const char *pn = http_query(r, "passport_number");
    const char *dob = http_query(r, "date_of_birth");
    struct app_values v = {0};
    struct app_errors e = {0};
    if (pn)
        app_set_field(&v, F_PASSPORT_NUMBER, pn, strlen(pn), &e);
    struct store_app row = {0};
    int rc = ref && pn && dob && !e.n && app_reference_valid(ref)
                 ? store_app_lookup(p->store, ref, v.v[F_PASSPORT_NUMBER], dob, &row)
                 : -STORE_E_NOT_FOUND;
    if (rc == -STORE_E_NOT_FOUND) {
        /* The same answer for "no such reference" and "wrong details". */
        http_error_json(w, 404, "not_found",
                        "no application matches this reference, passport number and date of birth");
        return;
    }
    if (rc < 0) {
        http_error_json(w, 503, "store_unavailable", "please retry");
        return;
    }
    json_t *j = json_pack("{s:s, s:s, s:s}", "reference", row.reference, "status", row.status,
                          "state", row.state);
    if (row.deadline_at)
        json_object_set_new(j, "deadline_at", json_integer(row.deadline_at));
    store_app_clear(&row);
    http_json(w, 200, j);
}
