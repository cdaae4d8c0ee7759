/*
 * console.c — the consular officers' console: enrolment with a one-time
 * link (password + TOTP), login with lockout and per-IP limits, sessions in
 * the store (idle and absolute expiry, logout everywhere), the review queue
 * of the officer's own state ordered by deadline, the application detail
 * (every field, documents, MRZ cross-check, the name as it will print,
 * earlier applications by the same passport), decisions with four-eyes
 * where policy says so, issuance through the signer process, and
 * revocation by supervisors.  Officers of one state never see another
 * state's applications: every lookup checks the state and answers "not
 * found" otherwise.  Pages are in English; the JSON API mirrors them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/password.h"
#include "auth/token.h"
#include "auth/totp.h"
#include "icao/mrz.h"
#include "signer/signer_client.h"
#include "visa/issuance.h"
#include "web/portal.h"

#define OFFICER_COOKIE "evisa_officer"
#define SESSION_IDLE_S (30 * 60)
#define SESSION_MAX_S (12 * 3600)
#define LOCK_AFTER 5
#define LOCK_SECONDS (15 * 60)

struct officer {
    struct store_user user;
    struct store_session sess;
};

/* ---- sessions ------------------------------------------------------------ */

/* The user of the request's session cookie (any role), touching its idle
 * expiry. */
static bool session_user_of(const struct portal *p, const struct http_request *r, struct officer *o)
{
    const char *c = http_cookie(r, OFFICER_COOKIE);
    if (!c || strlen(c) != 43)
        return false;
    char hash[65];
    token_hash(c, hash);
    int64_t now = (int64_t)time(NULL);
    if (store_session_get(p->store, hash, now, &o->sess, &o->user) != 0)
        return false;
    int64_t until = now + SESSION_IDLE_S;
    if (until > o->sess.created_at + SESSION_MAX_S)
        until = o->sess.created_at + SESSION_MAX_S;
    store_session_touch(p->store, hash, now, until);
    return true;
}

/* The officer of the request's session cookie: border users (issue 6) only
 * record crossings and never see the console. */
static bool officer_of(const struct portal *p, const struct http_request *r, struct officer *o)
{
    return session_user_of(p, r, o) && strcmp(o->user.role, "border") != 0;
}

static bool csrf_matches(const struct officer *o, const char *given)
{
    size_t n = strlen(o->sess.csrf);
    return given && n && strlen(given) == n && CRYPTO_memcmp(given, o->sess.csrf, n) == 0;
}

/* Exported for border_web.c (issue 6): the session user of any role and
 * whether the X-CSRF-Token header matches its session. */
bool console_session_user(const struct portal *p, const struct http_request *r,
                          struct store_user *user, bool *csrf_ok)
{
    struct officer o;
    *csrf_ok = false;
    if (!session_user_of(p, r, &o))
        return false;
    *user = o.user;
    *csrf_ok = csrf_matches(&o, http_header(r, "X-CSRF-Token"));
    return true;
}

/* The audit actor of an officer ("user:<id>"; emails may be too long). */
static void actor_of(const struct officer *o, char out[32])
{
    snprintf(out, 32, "user:%lld", (long long)o->user.id);
}

static bool is_role(const struct officer *o, const char *role)
{
    return !strcmp(o->user.role, role);
}

/* ---- rendering ------------------------------------------------------------ */

static void render(struct http_request *r, struct http_response *w, int status, const char *page,
                   json_t *ctx)
{
    struct portal *p = r->app;
    char *html = NULL;
    size_t len = 0;
    json_object_set_new(ctx, "page", json_string(page));
    json_object_set_new(ctx, "path", json_string(r->path));
    json_object_set_new(ctx, "console", json_true());
    if (!json_object_get(ctx, "csrf")) { /* forms before sign-in: the cookie-bound token */
        char csrf[48];
        portal_csrf(p, r, w, csrf);
        json_object_set_new(ctx, "csrf", json_string(csrf));
    }
    if (tmpl_render(p->tmpl, "officer_layout", ctx, p->i18n, "en", &html, &len) < 0) {
        http_status(w, 500);
        http_append(w, "internal error", 14);
    } else {
        http_status(w, status);
        http_set_header(w, "Content-Type", "text/html; charset=utf-8");
        http_append(w, html, len);
    }
    free(html);
    json_decref(ctx);
}

static json_t *officer_ctx(const struct officer *o)
{
    return json_pack("{s:{s:s, s:s, s:s}, s:s}", "officer", "email", o->user.email, "state",
                     o->user.state, "role", o->user.role, "csrf", o->sess.csrf);
}

static void login_page(struct http_request *r, struct http_response *w, int status,
                       const char *error, const char *notice)
{
    json_t *ctx = json_object();
    if (error)
        json_object_set_new(ctx, "error", json_string(error));
    if (notice)
        json_object_set_new(ctx, "notice", json_string(notice));
    const char *email = http_form(r, "email");
    json_object_set_new(ctx, "email", json_string(email ? email : ""));
    render(r, w, status, "officer_login", ctx);
}

/* Sends the officer to the login page when there is no session. */
static bool require_officer(struct http_request *r, struct http_response *w, struct officer *o)
{
    if (officer_of(r->app, r, o))
        return true;
    http_redirect(w, "/officer/login");
    return false;
}

/* ---- login, enrolment, logout -------------------------------------------- */

void officer_login_get(struct http_request *r, struct http_response *w)
{
    login_page(r, w, 200, NULL,
               http_query(r, "enrolled") ? "Your account is ready: sign in." : NULL);
}

/* Checks email + password + TOTP; on success creates a session.  Returns 0,
 * 429 (rate limited), 423 (locked) or 401 (wrong credentials, one answer for
 * every kind of mistake). */
static int login(struct portal *p, const struct http_request *r, const char *email,
                 const char *password, const char *code, char token_out[48], char csrf_out[48])
{
    int64_t now = (int64_t)time(NULL);
    if (!ratelimit_hit(p->login_limit, r->remote_ip, now))
        return 429;
    struct store_user u;
    char lower[STORE_EMAIL_MAX];
    snprintf(lower, sizeof lower, "%s", email ? email : "");
    for (char *c = lower; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    if (store_user_get_by_email(p->store, lower, &u) != 0 || !u.enrolled || u.disabled) {
        /* Spend the same work as a real check so timing does not tell. */
        password_verify("$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHRzYWx0c2FsdA$"
                        "qLml5cbXdHmZ9UvTGEhU8g",
                        password ? password : "");
        return 401;
    }
    if (u.locked_until > now)
        return 423;
    int64_t step = 0;
    bool ok = password && code && password_verify(u.password_hash, password) == 0 &&
              totp_verify(u.totp_secret, code, (time_t)now, 1, &step) == 0;
    /* A code is good once: the step must be later than the last one used. */
    if (!ok || store_user_totp_use(p->store, u.id, step) != 0) {
        store_user_login_failed(p->store, u.id, now, LOCK_AFTER, LOCK_SECONDS);
        return 401;
    }
    store_user_login_ok(p->store, u.id, r->remote_ip);
    struct store_session s = {0};
    token_new(token_out);
    token_new(csrf_out);
    token_hash(token_out, s.id_hash);
    s.user_id = u.id;
    snprintf(s.csrf, sizeof s.csrf, "%s", csrf_out);
    s.created_at = s.last_seen = now;
    s.expires_at = now + SESSION_IDLE_S;
    return store_session_create(p->store, &s) == 0 ? 0 : 503;
}

void officer_login_post(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    if (!http_form_ok(r) || !portal_csrf_ok(p, r)) {
        login_page(r, w, 403, "The form expired; please try again.", NULL);
        return;
    }
    char token[48], csrf[48];
    int rc = login(p, r, http_form(r, "email"), http_form(r, "password"), http_form(r, "totp"),
                   token, csrf);
    if (rc == 429)
        login_page(r, w, 429, "Too many attempts from this address; wait a minute.", NULL);
    else if (rc == 423)
        login_page(r, w, 423, "This account is locked after repeated failures; try again later.",
                   NULL);
    else if (rc)
        login_page(r, w, rc == 401 ? 401 : 503, "Wrong email, password or code.", NULL);
    else {
        http_set_cookie(w, OFFICER_COOKIE, token, -1);
        http_redirect(w, "/officer");
    }
    OPENSSL_cleanse(token, sizeof token);
}

void api_officer_session(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    json_error_t e;
    json_t *b = json_loadb((const char *)r->body, r->body_len, 0, &e);
    const char *email = json_string_value(json_object_get(b, "email"));
    const char *pw = json_string_value(json_object_get(b, "password"));
    const char *code = json_string_value(json_object_get(b, "totp"));
    char token[48], csrf[48];
    int rc = b ? login(p, r, email, pw, code, token, csrf) : 400;
    json_decref(b);
    if (rc == 400)
        http_error_json(w, 400, "bad_json", "send {email, password, totp}");
    else if (rc == 429)
        http_error_json(w, 429, "rate_limited", "too many attempts; wait a minute");
    else if (rc == 423)
        http_error_json(w, 423, "locked", "the account is locked after repeated failures");
    else if (rc == 401)
        http_error_json(w, 401, "unauthorized", "wrong email, password or code");
    else if (rc)
        http_error_json(w, 503, "store_unavailable", "please retry");
    else {
        http_set_cookie(w, OFFICER_COOKIE, token, -1);
        http_json(w, 201,
                  json_pack("{s:s, s:i}", "csrf_token", csrf, "expires_in", SESSION_IDLE_S));
    }
    OPENSSL_cleanse(token, sizeof token);
}

void officer_logout(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    struct officer o;
    if (session_user_of(p, r, &o) && csrf_matches(&o, http_form(r, "csrf")))
        store_session_delete(p->store, o.sess.id_hash);
    http_set_cookie(w, OFFICER_COOKIE, "", 0);
    http_redirect(w, "/officer/login");
}

void officer_logout_all(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    struct officer o;
    if (session_user_of(p, r, &o) && csrf_matches(&o, http_form(r, "csrf")))
        store_user_logout_everywhere(p->store, o.user.id, (int64_t)time(NULL));
    http_set_cookie(w, OFFICER_COOKIE, "", 0);
    http_redirect(w, "/officer/login");
}

static void enrol_page(struct http_request *r, struct http_response *w, int status,
                       const char *token, const char *secret, const char *error)
{
    char uri[512] = "";
    totp_uri(secret, "evisa", "officer", uri, sizeof uri);
    render(r, w, status, "officer_enrol",
           json_pack("{s:s, s:s, s:s, s:s}", "token", token, "secret", secret, "otpauth", uri,
                     "error", error ? error : ""));
}

/* The TOTP secret of an enrolment: derived from the one-time token under
 * the portal secret (HMAC-SHA256, first 160 bits, base32), so the form
 * cannot choose it and nothing needs storing until enrolment succeeds. */
static void enrol_secret(const struct portal *p, const char *token, char out[40])
{
    static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    char msg[96];
    int n = snprintf(msg, sizeof msg, "totp:%.64s", token);
    HMAC(EVP_sha256(), p->secret, (int)sizeof p->secret, (const unsigned char *)msg,
         (size_t)(n > 0 ? n : 0), mac, &mac_len);
    for (int i = 0; i < 32; i++) { /* 20 bytes = 160 bits = 32 base32 characters */
        int bit = i * 5, byte = bit / 8, shift = bit % 8;
        unsigned v =
            ((unsigned)mac[byte] << 8 | (byte + 1 < 20 ? mac[byte + 1] : 0u)) >> (11 - shift);
        out[i] = b32[v & 31u];
    }
    out[32] = '\0';
    OPENSSL_cleanse(mac, sizeof mac);
}

void officer_enrol_get(struct http_request *r, struct http_response *w)
{
    const char *t = http_query(r, "t");
    char secret[40];
    if (!t || strlen(t) != 43) {
        login_page(r, w, 404, "This enrolment link is not valid.", NULL);
        return;
    }
    enrol_secret(r->app, t, secret);
    enrol_page(r, w, 200, t, secret, NULL);
}

void officer_enrol_post(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    const char *t = http_form(r, "t");
    const char *pw = http_form(r, "password"), *pw2 = http_form(r, "password2");
    const char *code = http_form(r, "totp"), *email = http_form(r, "email");
    char secret[40];
    if (!http_form_ok(r) || !portal_csrf_ok(p, r) || !t || strlen(t) != 43) {
        login_page(r, w, 403, "The form expired; please open your enrolment link again.", NULL);
        return;
    }
    enrol_secret(p, t, secret);
    char why[160] = "";
    int64_t step;
    if (!pw || !pw2 || strcmp(pw, pw2) != 0) {
        enrol_page(r, w, 422, t, secret, "The two passwords differ.");
    } else if (!password_acceptable(pw, email ? email : "", why, sizeof why)) {
        enrol_page(r, w, 422, t, secret, why);
    } else if (!code || totp_verify(secret, code, time(NULL), 1, &step) != 0) {
        enrol_page(r, w, 422, t, secret,
                   "The code from your authenticator app does not match; check the key and the "
                   "clock of your phone.");
    } else {
        char hash[65], encoded[160];
        token_hash(t, hash);
        struct store_user u;
        if (password_hash(pw, encoded, sizeof encoded) < 0 ||
            store_user_enrol(p->store, hash, encoded, secret, (int64_t)time(NULL), &u) != 0) {
            login_page(r, w, 404, "This enrolment link is not valid or was already used.", NULL);
        } else {
            store_user_totp_use(p->store, u.id, step); /* the enrolment code is spent */
            http_redirect(w, "/officer/login?enrolled=1");
        }
        OPENSSL_cleanse(encoded, sizeof encoded);
    }
}

/* ---- queue ------------------------------------------------------------------ */

static json_t *queue_json(const struct portal *p, const struct officer *o, const char *filter,
                          int64_t now)
{
    static const char *const open_statuses[] = {"submitted", "in_review", NULL};
    const char *one[2] = {filter, NULL};
    const char *const *statuses = filter && app_status_from_name(filter) >= 0 ? one : open_statuses;
    struct store_app *rows = NULL;
    size_t n = 0;
    json_t *a = json_array();
    if (store_queue(p->store, o->user.state, statuses, 0, 200, &rows, &n) != 0)
        return a;
    for (size_t i = 0; i < n; i++) {
        struct app_values v = {0};
        struct app_errors e = {0};
        app_values_from_json(rows[i].fields_json, &v, true, &e);
        const struct policy_state *st = policy_find_state(p->policy, rows[i].state);
        const struct policy_visa_type *vt = st ? policy_find_type(st, rows[i].visa_type) : NULL;
        const struct policy_track *tr = vt ? policy_find_track(vt, rows[i].track) : NULL;
        int64_t left = rows[i].deadline_at - now;
        char clock[48];
        if (!rows[i].deadline_at)
            snprintf(clock, sizeof clock, "-");
        else if (left < 0)
            snprintf(clock, sizeof clock, "overdue by %lldh %02lldm", (long long)(-left / 3600),
                     (long long)(-left % 3600 / 60));
        else
            snprintf(clock, sizeof clock, "%lldh %02lldm left", (long long)(left / 3600),
                     (long long)(left % 3600 / 60));
        char name[256];
        snprintf(name, sizeof name, "%.120s, %.120s", v.v[F_SURNAME], v.v[F_GIVEN_NAMES]);
        json_array_append_new(
            a,
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:b, s:b}", "reference",
                      rows[i].reference, "status", rows[i].status, "visa_type",
                      vt ? vt->name.text[LANG_EN] : rows[i].visa_type, "name", name, "nationality",
                      v.v[F_NATIONALITY], "passport_number", rows[i].passport_number, "deadline_at",
                      (json_int_t)rows[i].deadline_at, "clock", clock, "overdue",
                      rows[i].deadline_at && left < 0, "urgent", tr && tr->processing_hours > 0));
    }
    store_apps_free(rows, n);
    return a;
}

/* The border crossings of a visa and its stay as of now (issue 6), added
 * to the visa's JSON object vj. */
static void add_crossings(const struct portal *p, json_t *vj, const char *visa_number)
{
    struct store_crossing_state cs;
    if (!vj || store_crossing_status(p->store, visa_number, (int64_t)time(NULL), &cs) != 0)
        return;
    json_object_set_new(vj, "stay",
                        json_pack("{s:i, s:i, s:i, s:i, s:b, s:b}", "entries_used", cs.entries_used,
                                  "days_in_stay", cs.days_in_current_stay, "days_total",
                                  cs.days_total, "days_remaining", cs.days_remaining, "inside",
                                  cs.inside, "overstay", cs.overstay));
    struct store_crossing *rows = NULL;
    size_t n = 0;
    json_t *list = json_array();
    if (store_crossings_of(p->store, visa_number, &rows, &n) == 0) {
        for (size_t i = 0; i < n; i++) {
            char at[24] = "";
            time_t t = (time_t)rows[i].at;
            struct tm tm;
            if (gmtime_r(&t, &tm))
                strftime(at, sizeof at, "%Y-%m-%d %H:%M UTC", &tm);
            json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "direction", rows[i].direction,
                                                  "at", at, "post", rows[i].post));
        }
        free(rows);
    }
    json_object_set_new(vj, "crossings", list);
}

/* Visas of the officer's state whose holder is inside past the allowed
 * stay (issue 6), longest overstay first. */
static json_t *overstays_json(const struct portal *p, const struct officer *o, int64_t now)
{
    json_t *a = json_array();
    struct store_overstay *rows = NULL;
    size_t n = 0;
    if (store_overstays(p->store, o->user.state, now, 100, &rows, &n) != 0)
        return a;
    for (size_t i = 0; i < n; i++) {
        char entered[16] = "";
        time_t t = (time_t)rows[i].entry_at;
        struct tm tm;
        if (gmtime_r(&t, &tm))
            strftime(entered, sizeof entered, "%Y-%m-%d", &tm);
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:i, s:i}", "visa_number",
                                           rows[i].visa_number, "reference", rows[i].reference,
                                           "entered", entered, "stay_days", rows[i].stay_days,
                                           "days_over", rows[i].days_over));
    }
    free(rows);
    return a;
}

void officer_queue(struct http_request *r, struct http_response *w)
{
    struct officer o;
    if (!require_officer(r, w, &o))
        return;
    const char *filter = http_query(r, "status");
    json_t *ctx = officer_ctx(&o);
    json_object_set_new(ctx, "rows", queue_json(r->app, &o, filter, (int64_t)time(NULL)));
    json_object_set_new(ctx, "filter", json_string(filter ? filter : ""));
    json_object_set_new(ctx, "overstays", overstays_json(r->app, &o, (int64_t)time(NULL)));
    render(r, w, 200, "officer_queue", ctx);
}

void api_officer_queue(struct http_request *r, struct http_response *w)
{
    struct officer o;
    if (!officer_of(r->app, r, &o)) {
        http_error_json(w, 401, "unauthorized", "sign in with POST /api/v1/officer/session");
        return;
    }
    http_json(w, 200,
              json_pack("{s:s, s:o}", "state", o.user.state, "applications",
                        queue_json(r->app, &o, http_query(r, "status"), (int64_t)time(NULL))));
}

/* ---- one application ---------------------------------------------------------- */

/* The application of params[0] if it belongs to the officer's state. */
static bool officer_app_load(const struct portal *p, const struct officer *o, const char *ref,
                             struct portal_app *a)
{
    memset(a, 0, sizeof *a);
    if (!app_reference_valid(ref) || store_app_get(p->store, ref, &a->row) != 0)
        return false;
    if (strcmp(a->row.state, o->user.state) != 0) { /* another state's: not found */
        store_app_clear(&a->row);
        return false;
    }
    struct app_errors e = {0};
    app_values_from_json(a->row.fields_json, &a->vals, true, &e);
    a->status = (enum app_status)app_status_from_name(a->row.status);
    a->st = policy_find_state(p->policy, a->row.state);
    a->vt = a->st ? policy_find_type(a->st, a->row.visa_type) : NULL;
    a->track = a->vt ? policy_find_track(a->vt, a->row.track) : NULL;
    if (!a->track) {
        store_app_clear(&a->row);
        return false;
    }
    return true;
}

static void not_found(struct http_request *r, struct http_response *w, const struct officer *o)
{
    json_t *ctx = officer_ctx(o);
    json_object_set_new(ctx, "message",
                        json_string("No application with this reference in your "
                                    "state's queue."));
    render(r, w, 404, "officer_message", ctx);
}

void officer_app(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    struct officer o;
    if (!require_officer(r, w, &o))
        return;
    struct portal_app a;
    if (!officer_app_load(p, &o, r->params[0], &a)) {
        not_found(r, w, &o);
        return;
    }
    char actor[32];
    actor_of(&o, actor);
    if (a.status == APP_SUBMITTED &&
        store_app_transition(p->store, a.row.reference, "submitted", "in_review", 0, 0, actor,
                             "opened", "{}") == 0)
        snprintf(a.row.status, sizeof a.row.status, "in_review");
    json_t *ctx = officer_ctx(&o);
    json_t *fields = json_array();
    for (int f = 0; f < F__MAX; f++) {
        if (!a.vals.v[f][0])
            continue;
        char key[64];
        snprintf(key, sizeof key, "field.%s", app_fields[f].name);
        const char *label = i18n_get(p->i18n, "en", key);
        json_array_append_new(
            fields, json_pack("{s:s, s:s}", "name", label ? label : key + 6, "value", a.vals.v[f]));
    }
    /* The documents this visa type takes, with whether each was uploaded. */
    unsigned have = portal_app_documents(p, &a);
    json_t *docs = json_array();
    for (int d = 0; d < DOC__MAX; d++)
        if (a.vt->documents[d])
            json_array_append_new(docs, json_pack("{s:s, s:b}", "kind", policy_document_ids[d],
                                                  "uploaded", (have >> d) & 1u));
    /* The MRZ cross-check: the same checks the applicant passed, rerun now. */
    struct app_errors check = {0};
    app_check(&a.vals, STEP_PASSPORT, a.st, a.vt, a.track, time(NULL), &check);
    json_t *issues = json_array();
    for (size_t i = 0; i < check.n; i++)
        json_array_append_new(
            issues, json_pack("{s:s, s:s}", "field", check.e[i].field, "code", check.e[i].code));
    char name[40] = "";
    bool cut = false;
    app_mrz_name(&a.vals, a.st, name, &cut);
    struct store_app *hist = NULL;
    size_t nh = 0;
    json_t *history = json_array();
    if (a.row.passport_number[0] && store_apps_by_passport(p->store, a.row.passport_number,
                                                           a.row.reference, 20, &hist, &nh) == 0) {
        for (size_t i = 0; i < nh; i++)
            if (!strcmp(hist[i].state, o.user.state))
                json_array_append_new(
                    history, json_pack("{s:s, s:s, s:s}", "reference", hist[i].reference, "status",
                                       hist[i].status, "visa_type", hist[i].visa_type));
        store_apps_free(hist, nh);
    }
    json_t *reasons = json_array();
    for (size_t i = 0; i < a.st->n_reasons; i++)
        json_array_append_new(reasons,
                              json_pack("{s:s, s:s}", "code", a.st->refusal_reasons[i].code, "text",
                                        a.st->refusal_reasons[i].text.text[LANG_EN]));
    json_t *fixables = json_array();
    for (int f = 0; f < F__MAX; f++)
        json_array_append_new(fixables, json_string(app_fields[f].name));
    for (int d = 0; d < DOC__MAX; d++)
        if (a.vt->documents[d])
            json_array_append_new(fixables, json_string(policy_document_ids[d]));
    struct store_decision pend;
    if (store_decision_pending(p->store, a.row.reference, &pend) == 0)
        json_object_set_new(ctx, "pending",
                            json_pack("{s:I, s:s, s:s, s:s, s:b}", "id", (json_int_t)pend.id,
                                      "decision", pend.decision, "reason_code", pend.reason_code,
                                      "note", pend.note, "mine", pend.officer_id == o.user.id));
    struct store_decision last;
    if (store_decision_last(p->store, a.row.reference, &last) == 0)
        json_object_set_new(ctx, "last",
                            json_pack("{s:s, s:s, s:s}", "decision", last.decision, "reason_code",
                                      last.reason_code, "note", last.note));
    struct store_visa visa;
    if (store_visa_get_by_reference(p->store, a.row.reference, &visa) == 0) {
        json_t *vj =
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "number", visa.visa_number, "status",
                      visa.status, "valid_until", visa.valid_until, "mrz1", visa.mrz_line1, "mrz2",
                      visa.mrz_line2, "revoked_reason", visa.revoked_reason);
        add_crossings(p, vj, visa.visa_number);
        json_object_set_new(ctx, "visa", vj);
    }
    bool open = !strcmp(a.row.status, "submitted") || !strcmp(a.row.status, "in_review");
    json_object_set_new(ctx, "app",
                        json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:b, s:o, s:o}", "reference",
                                  a.row.reference, "status", a.row.status, "visa_type",
                                  a.vt->name.text[LANG_EN], "track", a.track->id, "fields", fields,
                                  "issues", issues, "mrz_name", name, "mrz_truncated", cut,
                                  "history", history, "reasons", reasons));
    json_object_set_new(ctx, "fixables", fixables);
    json_object_set_new(ctx, "documents", docs);
    json_object_set_new(ctx, "can_decide", json_boolean(open && !json_object_get(ctx, "pending")));
    json_object_set_new(ctx, "can_revoke",
                        json_boolean(json_object_get(ctx, "visa") &&
                                     !strcmp(visa.status, "valid") &&
                                     (is_role(&o, "supervisor") || is_role(&o, "administrator"))));
    json_object_set_new(ctx, "notice",
                        json_string(http_query(r, "msg") ? http_query(r, "msg") : ""));
    portal_app_clear(&a);
    render(r, w, 200, "officer_app", ctx);
}

void officer_doc(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    struct officer o;
    if (!require_officer(r, w, &o))
        return;
    struct portal_app a;
    struct store_upload up = {0};
    if (!officer_app_load(p, &o, r->params[0], &a)) {
        http_status(w, 404);
        return;
    }
    bool known = false;
    for (int d = 0; d < DOC__MAX; d++)
        known = known || !strcmp(r->params[1], policy_document_ids[d]);
    if (!known || store_upload_get(p->store, a.row.reference, r->params[1], &up) != 0) {
        http_status(w, 404);
    } else {
        http_set_header(w, "Content-Type", "image/jpeg");
        http_append(w, up.data, up.len);
    }
    store_upload_clear(&up);
    portal_app_clear(&a);
}

/* ---- decisions ---------------------------------------------------------------- */

static const char *target_status(const char *decision)
{
    if (!strcmp(decision, "approve"))
        return "approved";
    if (!strcmp(decision, "refuse"))
        return "refused";
    if (!strcmp(decision, "request_info"))
        return "info_requested";
    return NULL;
}

static int signer_cb(void *ctx, const char *state, const uint8_t *tbs, size_t n, uint8_t *rs,
                     size_t cap, size_t *rs_len, char *err, size_t err_cap)
{
    const struct portal *p = ctx;
    return signer_sign(p->signer_socket, state, tbs, n, rs, cap, rs_len, err, err_cap);
}

int portal_issue(const struct portal *p, const char *reference, const char *actor, char *err,
                 size_t err_cap)
{
    struct store_app row;
    if (store_app_get(p->store, reference, &row) != 0) {
        snprintf(err, err_cap, "no such application");
        return -1;
    }
    struct app_values v = {0};
    struct app_errors e = {0};
    app_values_from_json(row.fields_json, &v, true, &e);
    const struct policy_state *st = policy_find_state(p->policy, row.state);
    const struct policy_visa_type *vt = st ? policy_find_type(st, row.visa_type) : NULL;
    const struct portal_signer *sg = NULL;
    for (size_t i = 0; i < p->n_signers; i++)
        if (!strcmp(p->signers[i].state, row.state))
            sg = &p->signers[i];
    int rc = -1;
    int64_t serial = 0;
    struct store_visa *visa = calloc(1, sizeof *visa);
    if (!vt || !sg || !visa)
        snprintf(err, err_cap, "no policy or signer for %s", row.state);
    else if (store_visa_next_serial(p->store, row.state, &serial) != 0)
        snprintf(err, err_cap, "no visa number could be reserved");
    else {
        struct issuance_signer signer = {{0}, {0}, signer_cb, (void *)p};
        snprintf(signer.signer_id, sizeof signer.signer_id, "%s", sg->signer_id);
        snprintf(signer.cert_ref, sizeof signer.cert_ref, "%s", sg->cert_ref);
        if (issuance_build(st, vt, &v, reference, serial, &signer, time(NULL), visa, err,
                           err_cap) == 0) {
            if (store_visa_issue(p->store, visa, actor) == 0)
                rc = 0;
            else
                snprintf(err, err_cap, "the visa could not be stored");
        }
    }
    free(visa);
    store_app_clear(&row);
    return rc;
}

/* Records a decision (or its confirmation) and issues the visa when an
 * approval becomes final.  Returns the HTTP status; *msg says what happened. */
static int decide(struct portal *p, const struct officer *o, const char *ref, const char *decision,
                  const char *reason, const char *note, const char *info, const char **msg)
{
    struct portal_app a;
    if (!officer_app_load(p, o, ref, &a)) {
        *msg = "no such application in your state";
        return 404;
    }
    const char *to = decision ? target_status(decision) : NULL;
    int status = 200;
    if (!to) {
        *msg = "decision must be approve, refuse or request_info";
        status = 422;
    } else if (!strcmp(decision, "refuse") && !policy_find_reason(a.st, reason ? reason : "")) {
        *msg = "a refusal needs one of the state's reason codes";
        status = 422;
    } else if (!strcmp(decision, "request_info") && (!info || !info[0])) {
        *msg = "say what the applicant must fix or upload";
        status = 422;
    } else if (a.status != APP_SUBMITTED && a.status != APP_IN_REVIEW) {
        *msg = "this application was already decided";
        status = 409;
    } else {
        struct store_decision d = {0}, out;
        snprintf(d.reference, sizeof d.reference, "%s", a.row.reference);
        snprintf(d.decision, sizeof d.decision, "%s", decision);
        snprintf(d.reason_code, sizeof d.reason_code, "%.31s", reason ? reason : "");
        snprintf(d.note, sizeof d.note, "%.511s", note ? note : "");
        snprintf(d.info_request, sizeof d.info_request, "%.511s", info ? info : "");
        d.officer_id = o->user.id;
        bool second = (!strcmp(decision, "approve") && a.vt->four_eyes_approve) ||
                      (!strcmp(decision, "refuse") && a.vt->four_eyes_refuse);
        int rc = store_decision_propose(p->store, &d, second, a.row.status, to, &out);
        if (rc == -STORE_E_BAD_STATUS || rc == -STORE_E_CONFLICT) {
            *msg = "another officer decided this application first";
            status = 409;
        } else if (rc) {
            *msg = "the decision could not be recorded; try again";
            status = 503;
        } else if (second) {
            *msg = "recorded; a second officer must confirm it (four-eyes)";
            status = 202;
        } else {
            if (strcmp(decision, "approve") != 0)
                portal_notify(p, a.row.reference);
            *msg = "decision recorded";
            char err[200], actor[32];
            actor_of(o, actor);
            if (!strcmp(decision, "approve") &&
                portal_issue(p, a.row.reference, actor, err, sizeof err) != 0)
                *msg = "approved, but the visa could not be issued yet (signer)";
            else if (!strcmp(decision, "approve")) {
                *msg = "approved and visa issued";
                portal_notify(p, a.row.reference);
            }
        }
    }
    portal_app_clear(&a);
    return status;
}

static void back_to_app(struct http_response *w, const char *ref, const char *msg)
{
    char loc[320];
    char enc[256];
    size_t o = 0;
    for (const char *c = msg; *c && o + 4 < sizeof enc; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9'))
            enc[o++] = *c;
        else
            o += (size_t)snprintf(enc + o, sizeof enc - o, "%%%02X", (unsigned char)*c);
    }
    enc[o] = '\0';
    snprintf(loc, sizeof loc, "/officer/a/%s?msg=%s", ref, enc);
    http_redirect(w, loc);
}

void officer_decide(struct http_request *r, struct http_response *w)
{
    struct officer o;
    if (!require_officer(r, w, &o))
        return;
    if (!http_form_ok(r) || !csrf_matches(&o, http_form(r, "csrf"))) {
        back_to_app(w, r->params[0], "the form expired; try again");
        return;
    }
    const char *msg;
    decide(r->app, &o, r->params[0], http_form(r, "decision"), http_form(r, "reason_code"),
           http_form(r, "note"), http_form(r, "info_request"), &msg);
    back_to_app(w, r->params[0], msg);
}

void api_officer_decision(struct http_request *r, struct http_response *w)
{
    struct officer o;
    if (!officer_of(r->app, r, &o)) {
        http_error_json(w, 401, "unauthorized", "sign in with POST /api/v1/officer/session");
        return;
    }
    if (!csrf_matches(&o, http_header(r, "X-CSRF-Token"))) {
        http_error_json(w, 403, "csrf", "send the session's csrf_token as X-CSRF-Token");
        return;
    }
    json_error_t e;
    json_t *b = json_loadb((const char *)r->body, r->body_len, 0, &e);
    if (!json_is_object(b)) {
        json_decref(b);
        http_error_json(w, 400, "bad_json", "the body must be one JSON object");
        return;
    }
    const char *msg;
    int status = decide(r->app, &o, r->params[0], json_string_value(json_object_get(b, "decision")),
                        json_string_value(json_object_get(b, "reason_code")),
                        json_string_value(json_object_get(b, "note")),
                        json_string_value(json_object_get(b, "info_request")), &msg);
    json_decref(b);
    struct store_app row;
    const char *now_status = "";
    if (store_app_get(((struct portal *)r->app)->store, r->params[0], &row) == 0)
        now_status = row.status;
    json_t *j = json_pack("{s:s, s:s, s:s}", "code",
                          status == 200   ? "ok"
                          : status == 202 ? "awaiting_second_officer"
                          : status == 409 ? "already_decided"
                          : status == 404 ? "not_found"
                          : status == 422 ? "invalid_decision"
                                          : "unavailable",
                          "message", msg, "status", status == 404 ? "" : now_status);
    if (status == 404)
        json_object_set_new(j, "status", json_string(""));
    if (now_status[0])
        store_app_clear(&row);
    http_json(w, status, j);
}

void officer_confirm(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    struct officer o;
    if (!require_officer(r, w, &o))
        return;
    if (!http_form_ok(r) || !csrf_matches(&o, http_form(r, "csrf"))) {
        back_to_app(w, r->params[0], "the form expired; try again");
        return;
    }
    struct portal_app a;
    struct store_decision d, out;
    if (!officer_app_load(p, &o, r->params[0], &a) ||
        store_decision_pending(p->store, a.row.reference, &d) != 0) {
        if (a.row.fields_json)
            portal_app_clear(&a);
        back_to_app(w, r->params[0], "nothing to confirm");
        return;
    }
    bool yes = http_form(r, "confirm") && !strcmp(http_form(r, "confirm"), "yes");
    int rc = store_decision_confirm(p->store, d.id, o.user.id, yes, a.row.status,
                                    target_status(d.decision), &out);
    const char *msg = rc == -STORE_E_CONFLICT ? "four-eyes: a second officer must confirm"
                      : rc                    ? "the application changed meanwhile"
                      : !yes                  ? "decision rejected; the application stays open"
                                              : "decision confirmed";
    char err[200], actor[32];
    actor_of(&o, actor);
    if (rc == 0 && yes && !strcmp(d.decision, "approve"))
        msg = portal_issue(p, a.row.reference, actor, err, sizeof err) == 0
                  ? "approval confirmed and visa issued"
                  : "approval confirmed, but the visa could not be issued yet (signer)";
    if (rc == 0 && yes)
        portal_notify(p, a.row.reference);
    portal_app_clear(&a);
    back_to_app(w, r->params[0], msg);
}

void officer_revoke(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    struct officer o;
    if (!require_officer(r, w, &o))
        return;
    const char *reason = http_form(r, "reason");
    struct portal_app a;
    struct store_visa visa;
    const char *msg = "revoked";
    if (!http_form_ok(r) || !csrf_matches(&o, http_form(r, "csrf")))
        msg = "the form expired; try again";
    else if (!is_role(&o, "supervisor") && !is_role(&o, "administrator"))
        msg = "only a supervisor can revoke a visa";
    else if (!reason || !reason[0])
        msg = "give the reason for the revocation";
    else if (!officer_app_load(p, &o, r->params[0], &a))
        msg = "no such application in your state";
    else {
        char actor[32];
        actor_of(&o, actor);
        if (store_visa_get_by_reference(p->store, a.row.reference, &visa) != 0 ||
            store_visa_revoke(p->store, visa.visa_number, reason, actor, (int64_t)time(NULL)) != 0)
            msg = "this visa cannot be revoked";
        else {
            portal_notify(p, a.row.reference);
            trust_web_revoked_changed(p, a.row.state); /* the published list is rebuilt */
        }
        portal_app_clear(&a);
    }
    back_to_app(w, r->params[0], msg);
}
