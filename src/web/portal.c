/*
 * portal.c — what the portal's pages and API share: the route table,
 * derived access tokens, CSRF tokens, loading an application and checking
 * what is missing before payment, payments and their signed callbacks, and
 * the public JSON of a state's policy.
 */
#include "web/portal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "notify/outbox.h"
#include "util/text.h"

static const struct http_route routes[] = {
    {HTTP_GET, "/healthz", api_healthz},
    {HTTP_GET, "/api/v1/states", api_states},
    {HTTP_POST, "/api/v1/applications", api_create},
    {HTTP_GET, "/api/v1/applications/{}", api_get},
    {HTTP_PATCH, "/api/v1/applications/{}", api_patch},
    {HTTP_PUT, "/api/v1/applications/{}/photo", api_photo},
    {HTTP_PUT, "/api/v1/applications/{}/passport-page", api_passport_page},
    {HTTP_POST, "/api/v1/applications/{}/submit", api_submit},
    {HTTP_POST, "/api/v1/applications/{}/payments", api_payments},
    {HTTP_POST, "/api/v1/payments/callback", api_payment_callback},
    {HTTP_GET, "/api/v1/status", api_status},
    {HTTP_GET, "/", page_home},
    {HTTP_GET, "/fees", page_fees},
    {HTTP_GET, "/apply/{}", page_state},
    {HTTP_POST, "/apply/{}", page_start},
    {HTTP_GET, "/a/{}/resume", page_resume},
    {HTTP_GET, "/a/{}/documents", page_documents_get},
    {HTTP_POST, "/a/{}/documents", page_documents_post},
    {HTTP_GET, "/a/{}/documents/{}", page_document_image},
    {HTTP_GET, "/a/{}/review", page_review},
    {HTTP_GET, "/a/{}/pay", page_pay_get},
    {HTTP_POST, "/a/{}/pay", page_pay_post},
    {HTTP_GET, "/a/{}/done", page_done},
    {HTTP_GET, "/a/{}/step/{}", page_step_get},
    {HTTP_POST, "/a/{}/step/{}", page_step_post},
    {HTTP_GET, "/status", page_status_get},
    {HTTP_POST, "/status", page_status_post},
    {HTTP_GET, "/a/{}/visa.pdf", page_visa_pdf},
    {HTTP_POST, "/a/{}/resubmit", page_resubmit},
    {HTTP_GET, "/a/{}/visa.png", page_visa_png},
    {HTTP_GET, "/api/v1/applications/{}/visa", api_visa},
    {HTTP_GET, "/api/v1/applications/{}/visa.pdf", api_visa_pdf},
    {HTTP_GET, "/api/v1/applications/{}/visa.png", api_visa_png},
    {HTTP_POST, "/api/v1/officer/session", api_officer_session},
    {HTTP_GET, "/api/v1/officer/queue", api_officer_queue},
    {HTTP_POST, "/api/v1/officer/applications/{}/decision", api_officer_decision},
    {HTTP_GET, "/officer/login", officer_login_get},
    {HTTP_POST, "/officer/login", officer_login_post},
    {HTTP_GET, "/officer/enrol", officer_enrol_get},
    {HTTP_POST, "/officer/enrol", officer_enrol_post},
    {HTTP_POST, "/officer/logout", officer_logout},
    {HTTP_POST, "/officer/logout-all", officer_logout_all},
    {HTTP_GET, "/officer", officer_queue},
    {HTTP_GET, "/officer/a/{}", officer_app},
    {HTTP_GET, "/officer/a/{}/doc/{}", officer_doc},
    {HTTP_POST, "/officer/a/{}/decide", officer_decide},
    {HTTP_POST, "/officer/a/{}/confirm", officer_confirm},
    {HTTP_POST, "/officer/a/{}/revoke", officer_revoke},
    {HTTP_GET, "/trust/{}/certs.pem", trust_certs_pem},
    {HTTP_GET, "/trust/{}/index.json", trust_index_json},
    {HTTP_GET, "/trust/{}/revoked", trust_revoked},
    {HTTP_POST, "/api/v1/applications/{}/share", api_share_create},
    {HTTP_GET, "/api/v1/share/{}", api_share_check},
    {HTTP_POST, "/api/v1/border/crossings", api_border_crossing},
    {HTTP_POST, "/a/{}/share", page_share_post},
    {HTTP_GET, "/check", page_check_get},
    {HTTP_POST, "/check", page_check_post},
    {HTTP_GET, "/verify", page_verify_get},
    {HTTP_POST, "/verify", page_verify_post},
    {HTTP_POST, "/api/v1/verify", api_verify},
};

const struct http_route *portal_routes(size_t *n)
{
    *n = sizeof routes / sizeof routes[0];
    return routes;
}

static void hmac_b64url(const uint8_t *key, size_t klen, const char *prefix, const char *msg,
                        char out[48])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    char buf[256];
    int n = snprintf(buf, sizeof buf, "%s%s", prefix, msg);
    if (n < 0 || (size_t)n >= sizeof buf)
        n = (int)sizeof buf - 1;
    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)buf, (size_t)n, mac, &mac_len);
    base64url_encode(mac, 32, out, 48);
}

void portal_access_token(const struct portal *p, const char *reference, char out[48])
{
    hmac_b64url(p->secret, sizeof p->secret, "access:", reference, out);
}

void portal_app_clear(struct portal_app *a)
{
    store_app_clear(&a->row);
}

int portal_app_load(const struct portal *p, const char *reference, const char *token,
                    struct portal_app *out)
{
    memset(out, 0, sizeof *out);
    if (!reference || !token || !app_reference_valid(reference))
        return 404;
    char want[48];
    portal_access_token(p, reference, want);
    if (strlen(token) != strlen(want) || CRYPTO_memcmp(token, want, strlen(want)) != 0)
        return 404;
    int rc = store_app_get(p->store, reference, &out->row);
    if (rc == -STORE_E_NOT_FOUND)
        return 404;
    if (rc < 0)
        return 500;
    struct app_errors ignore = {0};
    app_values_from_json(out->row.fields_json, &out->vals, true, &ignore);
    out->status = (enum app_status)app_status_from_name(out->row.status);
    out->st = policy_find_state(p->policy, out->row.state);
    out->vt = out->st ? policy_find_type(out->st, out->row.visa_type) : NULL;
    out->track = out->vt ? policy_find_track(out->vt, out->row.track) : NULL;
    if (!out->track || (int)out->status < 0) {
        portal_app_clear(out);
        return 500;
    }
    return 0;
}

const char *portal_bearer(const struct http_request *r)
{
    const char *h = http_header(r, "Authorization");
    if (!h || strncmp(h, "Bearer ", 7) != 0)
        return NULL;
    return h + 7;
}

unsigned portal_app_documents(const struct portal *p, const struct portal_app *a)
{
    unsigned mask = 0;
    const char *kinds[DOC__MAX + 1] = {NULL}; /* the store takes a NULL-terminated list */
    for (int d = 0; d < DOC__MAX; d++)
        kinds[d] = policy_document_ids[d];
    if (store_upload_kinds(p->store, a->row.reference, kinds, &mask) < 0)
        return 0;
    return mask;
}

bool portal_app_ready(const struct portal *p, const struct portal_app *a, time_t now,
                      struct app_errors *errs)
{
    size_t before = errs->n;
    app_check(&a->vals, STEP__MAX, a->st, a->vt, a->track, now, errs);
    unsigned have = portal_app_documents(p, a);
    for (int d = 0; d < DOC__MAX; d++) {
        if (!a->vt->documents[d] || (have & (1u << d)) || errs->n >= APP_MAX_ERRORS)
            continue;
        struct app_error *e = &errs->e[errs->n++];
        snprintf(e->field, sizeof e->field, "%s", policy_document_ids[d]);
        snprintf(e->code, sizeof e->code, "required");
        snprintf(e->detail, sizeof e->detail, "this document must be uploaded");
    }
    return errs->n == before;
}

void portal_csrf(const struct portal *p, const struct http_request *r, struct http_response *w,
                 char out[48])
{
    const char *c = http_cookie(r, "evisa_csrf");
    char fresh[48];
    if (!c || strlen(c) != 43) {
        unsigned char rnd[32];
        RAND_bytes(rnd, sizeof rnd);
        char hex[65];
        for (int i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
        hmac_b64url(p->secret, sizeof p->secret, "csrf-cookie:", hex, fresh);
        http_set_cookie(w, "evisa_csrf", fresh, -1);
        c = fresh;
    }
    hmac_b64url(p->secret, sizeof p->secret, "csrf:", c, out);
}

bool portal_csrf_ok(const struct portal *p, const struct http_request *r)
{
    const char *c = http_cookie(r, "evisa_csrf");
    const char *f = http_form(r, "csrf");
    if (!c || !f || strlen(c) != 43)
        return false;
    char want[48];
    hmac_b64url(p->secret, sizeof p->secret, "csrf:", c, want);
    return strlen(f) == strlen(want) && CRYPTO_memcmp(f, want, strlen(want)) == 0;
}

void portal_money(int64_t minor, char out[32])
{
    snprintf(out, 32, "%lld.%02lld", (long long)(minor / 100), (long long)(minor % 100));
}

static json_t *text_json(const struct policy_text *t)
{
    json_t *o = json_object();
    for (int l = 0; l < LANG__MAX; l++)
        json_object_set_new(o, policy_lang_codes[l], json_string(t->text[l]));
    return o;
}

json_t *portal_state_json(const struct policy_state *st)
{
    json_t *types = json_array();
    for (size_t i = 0; i < st->n_types; i++) {
        const struct policy_visa_type *t = &st->types[i];
        json_t *tracks = json_array(), *docs = json_array();
        for (size_t k = 0; k < t->n_tracks; k++) {
            const struct policy_track *tr = &t->tracks[k];
            char fee[32];
            portal_money(tr->fee_minor, fee);
            json_t *proc = tr->processing_hours
                               ? json_pack("{s:i}", "hours", tr->processing_hours)
                               : json_pack("{s:i}", "working_days", tr->processing_working_days);
            json_array_append_new(tracks, json_pack("{s:s, s:o, s:I, s:s, s:s, s:o, s:b}", "id",
                                                    tr->id, "name", text_json(&tr->name),
                                                    "fee_minor", (json_int_t)tr->fee_minor, "fee",
                                                    fee, "currency", st->currency, "processing",
                                                    proc, "fee_unconfirmed", tr->fee_unconfirmed));
        }
        for (int d = 0; d < DOC__MAX; d++)
            if (t->documents[d])
                json_array_append_new(docs, json_string(policy_document_ids[d]));
        json_array_append_new(types, json_pack("{s:s, s:o, s:o, s:i, s:i, s:i, s:o, s:o, s:b}",
                                               "id", t->id, "name", text_json(&t->name),
                                               "description", text_json(&t->description), "entries",
                                               t->entries, "validity_days", t->validity_days,
                                               "stay_days", t->stay_days, "documents", docs,
                                               "tracks", tracks, "unconfirmed", t->unconfirmed));
    }
    json_t *nats = json_array();
    for (size_t i = 0; i < st->n_nationalities; i++)
        json_array_append_new(nats, json_string(st->nationalities[i]));
    return json_pack("{s:s, s:o, s:s, s:s, s:i, s:o, s:o}", "code", st->code, "name",
                     text_json(&st->name), "currency", st->currency, "mrv_format",
                     st->mrv_format == MRZ_FORMAT_MRV_A ? "A" : "B", "passport_min_validity_months",
                     st->passport_min_validity_months, "eligible_nationalities", nats, "visa_types",
                     types);
}

json_t *portal_errors_json(const struct portal *p, const struct app_errors *errs, const char *lang)
{
    json_t *a = json_array();
    for (size_t i = 0; i < errs->n; i++) {
        char key[64];
        snprintf(key, sizeof key, "err.%s", errs->e[i].code);
        const char *msg = i18n_get(p->i18n, lang, key);
        json_array_append_new(a,
                              json_pack("{s:s, s:s, s:s}", "field", errs->e[i].field, "code",
                                        errs->e[i].code, "message", msg ? msg : errs->e[i].detail));
    }
    return a;
}

/* ---- notifications ----------------------------------------------------------- */

void portal_notify(const struct portal *p, const char *reference)
{
    struct store_app row;
    if (store_app_get(p->store, reference, &row) != 0)
        return;
    struct store_mail mail;
    if (outbox_mail_for_status(p->i18n, &row, row.status, &mail) == 0) {
        if (store_outbox_enqueue(p->store, reference, &mail) == 0 && p->outbox)
            outbox_kick(p->outbox);
        outbox_mail_clear(&mail);
    }
    store_app_clear(&row);
}

/* ---- payments ------------------------------------------------------------ */

int portal_payment_callback(const struct portal *p, const char *body, size_t len,
                            const char *signature, bool *applied)
{
    *applied = false;
    if (!payment_verify(p->payment_secret, sizeof p->payment_secret, body, len, signature))
        return 401;
    struct pay_callback cb;
    if (payment_callback_parse(body, len, &cb) < 0)
        return 400;
    struct store_payment pay;
    if (store_payment_get(p->store, cb.payment_id, &pay) < 0)
        return 404;
    struct store_app row;
    if (store_app_get(p->store, pay.reference, &row) < 0)
        return 404;
    const struct policy_state *st = policy_find_state(p->policy, row.state);
    const struct policy_visa_type *vt = st ? policy_find_type(st, row.visa_type) : NULL;
    const struct policy_track *tr = vt ? policy_find_track(vt, row.track) : NULL;
    store_app_clear(&row);
    if (!tr)
        return 500;
    time_t now = time(NULL);
    int rc = store_payment_complete(
        p->store, cb.payment_id, cb.result == PAY_RESULT_SUCCEEDED ? PAY_SUCCEEDED : PAY_DECLINED,
        cb.provider_ref, cb.decline_code, (int64_t)now, (int64_t)app_deadline(tr, now), applied);
    if (rc == 0 && *applied && cb.result == PAY_RESULT_SUCCEEDED)
        portal_notify(p, pay.reference);
    return rc < 0 ? 500 : 200;
}

int portal_pay(const struct portal *p, struct portal_app *a, const char *idem_key, const char *card,
               const char *expiry, const char *cvc, time_t now, struct store_payment *pay,
               const char **code, const char **message)
{
    *code = *message = NULL;
    bool draft = a->status == APP_DRAFT;
    struct app_errors errs = {0};
    if (draft && !portal_app_ready(p, a, now, &errs)) {
        *code = "incomplete";
        *message = "the application is not complete";
        return 422;
    }
    struct store_payment in = {0};
    snprintf(in.provider, sizeof in.provider, "%s", p->pay->name);
    in.amount_minor = a->track->fee_minor;
    snprintf(in.currency, sizeof in.currency, "%s", a->st->currency);
    bool replayed = false;
    int rc = store_payment_begin(p->store, a->row.reference, idem_key, &in, pay, &replayed);
    if (rc == -STORE_E_BAD_STATUS) {
        *code = "already_paid";
        *message = "this application has already been paid";
        return 409;
    }
    if (rc < 0) {
        *code = "store_error";
        *message = "the payment could not be recorded; please try again";
        return 503;
    }
    if (replayed)
        return 0; /* a retry never charges again: report what we know */
    if (!draft) {
        *code = "already_submitted";
        *message = "this application has already been paid and submitted";
        return 409;
    }
    struct pay_charge ch = {pay->payment_id, pay->amount_minor, pay->currency, card, expiry, cvc};
    struct pay_outcome out;
    if (p->pay->charge(&ch, &out) < 0) {
        /* Malformed card data: the attempt is closed as declined. */
        out.result = PAY_RESULT_DECLINED;
    }
    if (out.result != PAY_RESULT_PENDING) {
        struct pay_callback cb = {{0}, out.result, {0}, {0}};
        snprintf(cb.payment_id, sizeof cb.payment_id, "%s", pay->payment_id);
        snprintf(cb.provider_ref, sizeof cb.provider_ref, "%s", out.provider_ref);
        snprintf(cb.decline_code, sizeof cb.decline_code, "%s", out.decline_code);
        char *body = payment_callback_body(&cb);
        char sig[65];
        bool applied;
        if (body) {
            payment_sign(p->payment_secret, sizeof p->payment_secret, body, strlen(body), sig);
            portal_payment_callback(p, body, strlen(body), sig, &applied);
            free(body);
        }
    }
    char id[STORE_ID_MAX];
    snprintf(id, sizeof id, "%s", pay->payment_id); /* the store clears *pay first */
    store_payment_get(p->store, id, pay);
    return 0;
}
