/*
 * portal.h — the applicant portal: the context every handler shares (policy,
 * store, templates, translations, secrets, payment provider, limits), the
 * route table of the HTML pages and the JSON API, and the helpers both use:
 * access tokens, CSRF tokens, loading an application and computing what is
 * still missing before it can be paid and submitted.
 */
#ifndef EVISA_PORTAL_H
#define EVISA_PORTAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "notify/outbox.h"
#include "store/store.h"
#include "visa/app.h"
#include "visa/payment.h"
#include "visa/policy.h"
#include "web/http.h"
#include "web/i18n.h"
#include "web/ratelimit.h"
#include "web/template.h"

/* What the web process knows of a state's document signer: only public
 * data (the private key stays in the signer process). */
struct portal_signer {
    char state[4];
    char signer_id[5];
    char cert_ref[33];
};

/* Trust distribution (trust_web.c): a state's published certificates, which
 * the web process gets from the signer at start (it cannot read the keys). */
#define PORTAL_CERT_DER_MAX 3000
#define PORTAL_OLD_DS_MAX 8

struct portal_trust_certs {
    char state[4];                         /* "AZE" */
    uint8_t csca_der[PORTAL_CERT_DER_MAX]; /* the CSCA certificate (DER) */
    size_t csca_der_len;                   /* 0: none published */
    uint8_t ds_der[PORTAL_CERT_DER_MAX];   /* the current document signer's (DER) */
    size_t ds_der_len;
    /* Earlier document signers kept after `evisa keys rotate` (public
     * certificates only): their seals stay verifiable until they expire. */
    uint8_t old_ds_der[PORTAL_OLD_DS_MAX][PORTAL_CERT_DER_MAX];
    size_t old_ds_der_len[PORTAL_OLD_DS_MAX];
    size_t n_old_ds;
};
struct trust_web_cache; /* the revocation lists made lately, per state */

struct portal {
    const struct policy_set *policy;
    struct store *store;
    const struct tmpl_set *tmpl;
    const struct i18n *i18n;
    uint8_t secret[32];         /* derives access and CSRF tokens; var/keys/portal.secret */
    uint8_t payment_secret[32]; /* signs the test provider's callbacks */
    const struct payment_provider *pay;
    struct ratelimit *status_limit; /* status lookups per client IP */
    struct ratelimit *login_limit;  /* officer login attempts per client IP */
    bool secure_cookies;
    /* consular side */
    char signer_socket[256]; /* the signer process's Unix socket */
    struct portal_signer signers[POLICY_MAX_STATES];
    size_t n_signers;
    const char *base_url;         /* for links in mails, e.g. "http://127.0.0.1:8080" */
    struct outbox_worker *outbox; /* woken when a mail is queued; may be NULL */
    /* trust distribution (trust_web.c) */
    struct portal_trust_certs trust_certs[POLICY_MAX_STATES];
    size_t n_trust_certs;
    struct trust_web_cache *trust_cache; /* NULL: every list is made afresh */
};

/* The routes of the portal (pages and API), for http_server_config. */
const struct http_route *portal_routes(size_t *n);

/* ---- shared helpers (portal.c) ---- */

/* The access token of an application: base64url(HMAC-SHA256(secret,
 * "access:" || reference)), 43 characters.  Derived, so an idempotent replay
 * of a create can answer with the same token while the store keeps only its
 * hash. */
void portal_access_token(const struct portal *p, const char *reference, char out[48]);

/* A loaded application with everything handlers need. */
struct portal_app {
    struct store_app row;
    struct app_values vals;
    enum app_status status;
    const struct policy_state *st;
    const struct policy_visa_type *vt;
    const struct policy_track *track;
};
void portal_app_clear(struct portal_app *a);

/* Loads the application named by reference if token is its access token.
 * Returns 0, or 404 (no such application or wrong token: the same answer),
 * or 500. */
int portal_app_load(const struct portal *p, const char *reference, const char *token,
                    struct portal_app *out);

/* The token a request carries: "Authorization: Bearer <t>" (API). */
const char *portal_bearer(const struct http_request *r);

/* What is missing before payment: every step's errors (app_check) and the
 * required documents that are not uploaded.  Adds them to errs (documents
 * as field "photo"/"passport_page", code "required").  Returns true when
 * nothing is missing. */
bool portal_app_ready(const struct portal *p, const struct portal_app *a, time_t now,
                      struct app_errors *errs);

/* Which required documents are present (bit per enum policy_document). */
unsigned portal_app_documents(const struct portal *p, const struct portal_app *a);

/* CSRF: the token for a form is HMAC(secret, "csrf:" || cookie value); the
 * cookie "evisa_csrf" is random, HttpOnly, SameSite=Strict.  portal_csrf
 * returns the form token (setting the cookie when the request had none);
 * portal_csrf_ok checks a submitted form. */
void portal_csrf(const struct portal *p, const struct http_request *r, struct http_response *w,
                 char out[48]);
bool portal_csrf_ok(const struct portal *p, const struct http_request *r);

/* Money as text: 2700 USD -> "27.00". */
void portal_money(int64_t minor, char out[32]);

/* The public description of one state's policy (GET /api/v1/states and the
 * fee pages): names in every language, fees, processing, documents. */
json_t *portal_state_json(const struct policy_state *st);

/* Errors as [{field, code, message}] with messages in lang. */
json_t *portal_errors_json(const struct portal *p, const struct app_errors *errs, const char *lang);

/* Handlers of the JSON API (api.c) and of the pages (pages.c). */
void api_states(struct http_request *r, struct http_response *w);
void api_create(struct http_request *r, struct http_response *w);
void api_get(struct http_request *r, struct http_response *w);
void api_patch(struct http_request *r, struct http_response *w);
void api_photo(struct http_request *r, struct http_response *w);
void api_passport_page(struct http_request *r, struct http_response *w);
void api_submit(struct http_request *r, struct http_response *w);
void api_payments(struct http_request *r, struct http_response *w);
void api_payment_callback(struct http_request *r, struct http_response *w);
void api_status(struct http_request *r, struct http_response *w);
void api_healthz(struct http_request *r, struct http_response *w);

/* Completes a payment from a (signed) callback body: verifies, parses and
 * records it exactly once.  Returns the HTTP status (200, 400, 401, 404). */
int portal_payment_callback(const struct portal *p, const char *body, size_t len,
                            const char *signature, bool *applied);

/* Charges a payment for a ready draft: idempotent per idem_key.  Fills
 * *pay with the stored payment after the attempt.  Returns 0, or an HTTP
 * status with code/message set (402 declined is returned as 0 with
 * pay->status PAY_DECLINED). */
int portal_pay(const struct portal *p, struct portal_app *a, const char *idem_key, const char *card,
               const char *expiry, const char *cvc, time_t now, struct store_payment *pay,
               const char **code, const char **message);

/* Consular console (console.c) and the applicant's visa downloads (visa_web.c). */
void officer_login_get(struct http_request *r, struct http_response *w);
void officer_login_post(struct http_request *r, struct http_response *w);
void officer_enrol_get(struct http_request *r, struct http_response *w);
void officer_enrol_post(struct http_request *r, struct http_response *w);
void officer_logout(struct http_request *r, struct http_response *w);
void officer_logout_all(struct http_request *r, struct http_response *w);
void officer_queue(struct http_request *r, struct http_response *w);
void officer_app(struct http_request *r, struct http_response *w);
void officer_doc(struct http_request *r, struct http_response *w);
void officer_decide(struct http_request *r, struct http_response *w);
void officer_confirm(struct http_request *r, struct http_response *w);
void officer_revoke(struct http_request *r, struct http_response *w);
void api_officer_session(struct http_request *r, struct http_response *w);
void api_officer_queue(struct http_request *r, struct http_response *w);
void api_officer_decision(struct http_request *r, struct http_response *w);
void api_visa(struct http_request *r, struct http_response *w);
void api_visa_pdf(struct http_request *r, struct http_response *w);
void api_visa_png(struct http_request *r, struct http_response *w);
void page_visa_pdf(struct http_request *r, struct http_response *w);
void page_resubmit(struct http_request *r, struct http_response *w);
void page_visa_png(struct http_request *r, struct http_response *w);

/* Trust distribution (trust_web.c): GET /trust/{STATE}/certs.pem (CSCA + DS,
 * PEM), /trust/{STATE}/index.json and /trust/{STATE}/revoked (the state's
 * signed revocation list, made through the signer with a next update 24 h
 * ahead, cached up to TRUST_WEB_CACHE_SECONDS and made afresh as soon as the
 * number of revoked visas changes).  Unknown state: 404. */
#define TRUST_WEB_CACHE_SECONDS 300
#define TRUST_WEB_NEXT_UPDATE_SECONDS (24 * 3600)
void trust_certs_pem(struct http_request *r, struct http_response *w);
void trust_index_json(struct http_request *r, struct http_response *w);
void trust_revoked(struct http_request *r, struct http_response *w);

/* The cache of revocation lists (thread-safe); NULL when out of memory. */
struct trust_web_cache *trust_web_cache_new(void);
void trust_web_cache_free(struct trust_web_cache *c);

/* Hook for a revocation: drops the cached list of `state` so the next
 * request makes a new one (safe with a NULL cache). */
void trust_web_revoked_changed(const struct portal *p, const char *state);

/* Queues the applicant's notification of the application's current status
 * (in their language; nothing for statuses that send none). */
void portal_notify(const struct portal *p, const char *reference);

/* Issues the visa of an approved application (builds the MRZ and seal,
 * signs through the signer process, stores it).  0, or -1 with a message. */
int portal_issue(const struct portal *p, const char *reference, const char *actor, char *err,
                 size_t err_cap);

/* The public verify page and API (verify_web.c): a visa photo or scan
 * (decoded in the server within 5 MiB, 4000 px and 2 s, never stored) or the
 * seal as hex, checked against this server's document signers and its
 * revoked visas; per-IP rate limited with status_limit.  The API takes
 * {"seal_hex": "..."} or an image/png or image/jpeg body and answers
 * {"verdict", "status", "reason", "message", "revocation", "visa"}; 422
 * for input without a readable seal, 429 over the limit. */
void page_verify_get(struct http_request *r, struct http_response *w);
void page_verify_post(struct http_request *r, struct http_response *w);
void api_verify(struct http_request *r, struct http_response *w);

void page_home(struct http_request *r, struct http_response *w);
void page_fees(struct http_request *r, struct http_response *w);
void page_state(struct http_request *r, struct http_response *w);
void page_start(struct http_request *r, struct http_response *w);
void page_resume(struct http_request *r, struct http_response *w);
void page_step_get(struct http_request *r, struct http_response *w);
void page_step_post(struct http_request *r, struct http_response *w);
void page_documents_get(struct http_request *r, struct http_response *w);
void page_documents_post(struct http_request *r, struct http_response *w);
void page_document_image(struct http_request *r, struct http_response *w);
void page_review(struct http_request *r, struct http_response *w);
void page_pay_get(struct http_request *r, struct http_response *w);
void page_pay_post(struct http_request *r, struct http_response *w);
void page_done(struct http_request *r, struct http_response *w);
void page_status_get(struct http_request *r, struct http_response *w);
void page_status_post(struct http_request *r, struct http_response *w);

/* Minimal disclosure (share_web.c): share codes for hotels and carriers.
 * POST /api/v1/applications/{ref}/share (bearer token) makes a code, valid
 * PORTAL_SHARE_DEFAULT_HOURS (body {"hours": 1..72}); GET
 * /api/v1/share/{code}?passport_number=P answers only the facts below. */
#define PORTAL_SHARE_CODE_MAX 10 /* "XXXX-XXXX" */
#define PORTAL_SHARE_DEFAULT_HOURS 24
#define PORTAL_SHARE_MAX_HOURS 72
#define PORTAL_SHARE_CHECKS_PER_MINUTE 10 /* per client IP, counted in the store */
struct portal_share_facts {
    bool valid;                           /* status is "valid" */
    char valid_from[11], valid_until[11]; /* YYYY-MM-DD */
    int entries;                          /* 0 = multiple */
    char status[8];                       /* "valid", "revoked", "expired" */
};
/* Makes a share code for the issued visa of a (loaded) application.
 * Returns 201 (code "XXXX-XXXX" and *expires_at set), 422 (hours out of
 * 1..72), 409 (no issued visa that is still valid) or 503. */
int portal_share_create(const struct portal *p, const struct portal_app *a, int hours,
                        char code[PORTAL_SHARE_CODE_MAX], int64_t *expires_at);
/* Looks a code up for a passport number (counting a hit for remote_ip).
 * Returns 200 (*out filled), 404 (the same for every miss: unknown,
 * expired or malformed code, wrong passport number), 429 or 503. */
int portal_share_check(const struct portal *p, const char *remote_ip, const char *code,
                       const char *passport_number, struct portal_share_facts *out);
/* The facts as the only JSON the check ever answers. */
json_t *portal_share_facts_json(const struct portal_share_facts *f);
void api_share_create(struct http_request *r, struct http_response *w);
void api_share_check(struct http_request *r, struct http_response *w);
void page_share_post(struct http_request *r, struct http_response *w);
void page_check_get(struct http_request *r, struct http_response *w);
void page_check_post(struct http_request *r, struct http_response *w);

/* Entry, exit and stay (border_web.c, issue 6).  console_session_user
 * (console.c) is the session user of any role behind the officer cookie
 * and whether X-CSRF-Token matches.  POST /api/v1/border/crossings records
 * an entry or exit for a border user (or supervisor, administrator) of
 * the visa's state. */
bool console_session_user(const struct portal *p, const struct http_request *r,
                          struct store_user *user, bool *csrf_ok);
void api_border_crossing(struct http_request *r, struct http_response *w);

#endif
