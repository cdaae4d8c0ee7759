/*
 * verify_web.c — the public verify page (GET/POST /verify) and the carriers'
 * JSON API (POST /api/v1/verify): a photo or scan of a visa (decoded in the
 * server with strict limits and never stored) or the seal as hex text is
 * checked against the document signers and revocation data this server
 * holds for its states, and the verdict is shown with the data the seal
 * carries.  The revocation list used is built from the store itself (this
 * server is the source of every list it signs), so a revocation counts at
 * once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/x509.h>

#include "icao/vds.h"
#include "crypto/signer_cert.h"
#include "render/datamatrix.h"
#include "verify/revlist.h"
#include "verify/verifier.h"
#include "web/portal.h"

#define VERIFY_MAX_IMAGE (5u * 1024u * 1024u)
#define VERIFY_MAX_SIDE 4000
#define VERIFY_TIMEOUT_MS 2000

/* ---- the check ------------------------------------------------------------- */

static int cmp9(const void *a, const void *b)
{
    return memcmp(a, b, REVLIST_NUMBER_LEN);
}

/* The state's revoked visas as an (unsigned) revocation list valid from
 * now; 0 or -1.  Numbers that cannot be visa numbers are skipped. */
static int store_revlist(const struct portal *p, const char *state, time_t now, struct revlist *rl)
{
    char(*numbers)[16] = NULL;
    size_t n = 0;
    memset(rl, 0, sizeof *rl);
    if (store_visa_revoked(p->store, state, &numbers, &n) < 0)
        return -1;
    rl->raw = malloc(n ? n * REVLIST_NUMBER_LEN : 1);
    if (!rl->raw) {
        free(numbers);
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strnlen(numbers[i], sizeof numbers[i]);
        if (len < 1 || len > REVLIST_NUMBER_LEN)
            continue;
        char *dst = (char *)rl->raw + k * REVLIST_NUMBER_LEN;
        memset(dst, '<', REVLIST_NUMBER_LEN);
        memcpy(dst, numbers[i], len);
        k++;
    }
    free(numbers);
    qsort(rl->raw, k, REVLIST_NUMBER_LEN, cmp9);
    snprintf(rl->state, sizeof rl->state, "%s", state);
    rl->issued = (int64_t)now;
    rl->next_update = (int64_t)now + TRUST_WEB_NEXT_UPDATE_SECONDS;
    rl->count = k;
    rl->numbers = (const char *)rl->raw;
    rl->raw_len = k * REVLIST_NUMBER_LEN;
    return 0;
}

static X509 *cert_of(const uint8_t *der, size_t len)
{
    const unsigned char *q = der;
    X509 *x = len ? d2i_X509(NULL, &q, (long)len) : NULL;
    if (x && q != der + len) {
        X509_free(x);
        x = NULL;
    }
    return x;
}

/* Verifies seal[0..n) against the document signer of this server's state
 * that it names (UNKNOWN SIGNER when none).  *v points into seal; its
 * signer pointer is cleared (the certificate is freed here).  0, or -1 when
 * the check could not be made (store or OpenSSL failure). */
static int verify_seal(const struct portal *p, const uint8_t *seal, size_t n, struct verdict *v)
{
    time_t now = time(NULL);
    struct vds_seal s;
    X509 *ds = NULL, *csca = NULL;
    const struct portal_trust_certs *tc = NULL;
    if (vds_decode(seal, n, &s) == 0)
        for (size_t i = 0; i < p->n_trust_certs && !ds; i++) {
            const struct portal_trust_certs *t = &p->trust_certs[i];
            /* the current signer, then the ones kept after rotations */
            for (size_t k = 0; k <= t->n_old_ds && !ds; k++) {
                X509 *x = k == 0 ? cert_of(t->ds_der, t->ds_der_len)
                                 : cert_of(t->old_ds_der[k - 1], t->old_ds_der_len[k - 1]);
                if (x && signer_cert_matches(x, s.header.signer_id, s.header.cert_ref) == 0) {
                    ds = x;
                    tc = t;
                } else {
                    X509_free(x);
                }
            }
        }
    X509_STORE *store = NULL;
    struct revlist rl = {0};
    bool have_rl = false;
    int rc = 0;
    if (tc) {
        csca = cert_of(tc->csca_der, tc->csca_der_len);
        store = X509_STORE_new();
        if (!store || (csca && X509_STORE_add_cert(store, csca) != 1))
            rc = -1;
        if (rc == 0 && store_revlist(p, tc->state, now, &rl) < 0)
            rc = -1;
        have_rl = rc == 0;
    }
    if (rc == 0 && verifier_check_cert(seal, n, ds, store, have_rl ? &rl : NULL, now, v) < 0)
        rc = -1;
    v->signer = NULL;
    revlist_free(&rl);
    X509_STORE_free(store);
    X509_free(csca);
    X509_free(ds);
    return rc;
}

/* Hex text (whitespace ignored) to bytes.  0, or -1 when not hex, odd or
 * longer than cap. */
static int hex_bytes(const char *s, uint8_t *out, size_t cap, size_t *n)
{
    size_t k = 0;
    int hi = -1;
    for (; *s; s++) {
        int c = (unsigned char)*s, d;
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        if (hi < 0) {
            hi = d;
            continue;
        }
        if (k == cap)
            return -1;
        out[k++] = (uint8_t)(hi << 4 | d);
        hi = -1;
    }
    if (hi >= 0 || k == 0)
        return -1;
    *n = k;
    return 0;
}

/* The DataMatrix of an image, within the verify limits.  0 or -1. */
static int image_seal(const uint8_t *img, size_t len, uint8_t *out, size_t cap, size_t *n)
{
    struct dm_decode_options o = {.max_side = VERIFY_MAX_SIDE,
                                  .max_input = VERIFY_MAX_IMAGE,
                                  .timeout_ms = VERIFY_TIMEOUT_MS};
    if (len == 0 || len > VERIFY_MAX_IMAGE)
        return -1;
    return dm_decode_image_ex(img, len, &o, out, cap, n) == 0 ? 0 : -1;
}

static void date_text(struct vds_date d, char out[11])
{
    vds_date_format_iso(d, out);
}

/* The visa data of a decoded visa seal as JSON (API). */
static json_t *visa_json(const struct verdict *v)
{
    const struct vds_seal *s = &v->seal;
    char d[11];
    json_t *j = json_object();
    json_object_set_new(j, "issuing_country", json_string(s->header.issuing_country));
    json_object_set_new(j, "mrz", json_pack("[s,s]", s->visa.mrz_line1, s->visa.mrz_line2));
    if (v->mrz_parsed) {
        json_object_set_new(j, "visa_number", json_string(v->visa_number));
        json_object_set_new(j, "surname", json_string(v->mrz.primary));
        json_object_set_new(j, "given_names", json_string(v->mrz.secondary));
        json_object_set_new(j, "nationality", json_string(v->mrz.nationality));
        json_object_set_new(j, "date_of_birth", json_string(v->mrz.birth));
        json_object_set_new(j, "sex", json_string(v->mrz.sex));
    }
    if (v->has_valid_until) {
        date_text(v->valid_until, d);
        json_object_set_new(j, "valid_until", json_string(d));
    }
    json_object_set_new(j, "passport_number", json_string(s->visa.passport_number));
    json_object_set_new(j, "number_of_entries",
                        s->visa.has_entries ? json_integer(s->visa.entries) : json_null());
    json_object_set_new(j, "duration_of_stay",
                        json_pack("{s:i, s:i, s:i}", "days", s->visa.duration_days, "months",
                                  s->visa.duration_months, "years", s->visa.duration_years));
    date_text(s->header.issue_date, d);
    json_object_set_new(j, "issue_date", json_string(d));
    return j;
}

/* ---- the JSON API -------------------------------------------------------------- */

void api_verify(struct http_request *r, struct http_response *w)
{
    const struct portal *p = r->app;
    if (!ratelimit_hit(p->status_limit, r->remote_ip, (int64_t)time(NULL))) {
        http_set_header(w, "Retry-After", "60");
        http_error_json(w, 429, "rate_limited", "too many verifications; try again in a minute");
        return;
    }
    const char *ct = http_content_type(r);
    uint8_t seal[DM_MAX_PAYLOAD];
    size_t n = 0;
    if (!strcmp(ct, "image/png") || !strcmp(ct, "image/jpeg")) {
        if (r->body_len > VERIFY_MAX_IMAGE) {
            http_error_json(w, 413, "upload_too_large", "images are limited to 5 MiB");
            return;
        }
        if (image_seal(r->body, r->body_len, seal, sizeof seal, &n) < 0) {
            http_error_json(w, 422, "no_seal_found", "no readable visa seal in the image");
            return;
        }
    } else if (!strcmp(ct, "application/json")) {
        json_t *root = json_loadb((const char *)r->body, r->body_len, 0, NULL);
        const char *hex = json_string_value(json_object_get(root, "seal_hex"));
        int ok = hex && hex_bytes(hex, seal, sizeof seal, &n) == 0;
        json_decref(root);
        if (!ok) {
            http_error_json(w, 422, "bad_seal_hex", "seal_hex must be the seal's bytes in hex");
            return;
        }
    } else {
        http_error_json(w, 415, "unsupported_media_type",
                        "send application/json {\"seal_hex\"} or an image/png or image/jpeg body");
        return;
    }
    struct verdict v;
    if (verify_seal(p, seal, n, &v) < 0) {
        http_error_json(w, 503, "unavailable", "the seal cannot be checked now");
        return;
    }
    json_t *j = json_object();
    json_object_set_new(j, "verdict", json_string(verdict_status_names[v.status]));
    json_object_set_new(j, "status", json_string(verdict_status_codes[v.status]));
    json_object_set_new(j, "reason",
                        v.status == VERDICT_INVALID ? json_string(verdict_reason_codes[v.reason])
                                                    : json_null());
    json_object_set_new(j, "message", json_string(v.message));
    json_object_set_new(j, "revocation", json_string(revocation_state_codes[v.revocation]));
    json_object_set_new(j, "visa", v.decoded && v.seal.is_visa ? visa_json(&v) : json_null());
    http_set_header(w, "Cache-Control", "no-store");
    http_json(w, 200, j);
}

/* ---- the page -------------------------------------------------------------------- */

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

/* One label/value row of the result. */
static void row(json_t *rows, const struct portal *p, const char *lang, const char *key,
                const char *value, bool code)
{
    json_array_append_new(
        rows, json_pack("{s:s, s:s, s:b}", "label", tr(p, lang, key), "value", value, "ltr", code));
}

/* The verdict and the seal's data for the template. */
static json_t *result_json(const struct portal *p, const char *lang, const struct verdict *v)
{
    static const char *const keys[VERDICT__MAX] = {
        [VERDICT_VALID] = "verify.valid",
        [VERDICT_INVALID] = "verify.invalid",
        [VERDICT_REVOKED] = "verify.revoked",
        [VERDICT_EXPIRED] = "verify.expired",
        [VERDICT_UNKNOWN_SIGNER] = "verify.unknown_signer",
        [VERDICT_STALE_REVOCATION_LIST] = "verify.stale",
    };
    char key[64], buf[96];
    json_t *res = json_pack("{s:s, s:s, s:b}", "verdict", tr(p, lang, keys[v->status]), "code",
                            verdict_status_codes[v->status], "valid", v->status == VERDICT_VALID);
    if (v->status == VERDICT_INVALID) {
        snprintf(key, sizeof key, "verify.reason.%s", verdict_reason_codes[v->reason]);
        json_object_set_new(res, "reason", json_string(tr(p, lang, key)));
    }
    if (!v->decoded || !v->seal.is_visa)
        return res;
    const struct vds_seal *s = &v->seal;
    json_t *rows = json_array();
    if (v->mrz_parsed) {
        row(rows, p, lang, "verify.visa_number", v->visa_number, true);
        snprintf(buf, sizeof buf, "%s%s%s", v->mrz.primary, v->mrz.secondary[0] ? ", " : "",
                 v->mrz.secondary);
        row(rows, p, lang, "verify.name", buf, false);
        row(rows, p, lang, "verify.nationality", v->mrz.nationality, true);
    }
    char pn[10];
    snprintf(pn, sizeof pn, "%s", s->visa.passport_number);
    for (size_t i = strlen(pn); i > 0 && pn[i - 1] == '<'; i--)
        pn[i - 1] = '\0';
    row(rows, p, lang, "verify.passport_number", pn, true);
    if (!s->visa.has_entries)
        snprintf(buf, sizeof buf, "%s", tr(p, lang, "verify.not_stated"));
    else if (s->visa.entries == 0)
        snprintf(buf, sizeof buf, "%s", tr(p, lang, "visa.entries_multiple"));
    else
        snprintf(buf, sizeof buf, "%u", s->visa.entries);
    row(rows, p, lang, "verify.entries", buf, false);
    snprintf(buf, sizeof buf, "%u %s", s->visa.duration_days, tr(p, lang, "verify.days"));
    if (s->visa.duration_months || s->visa.duration_years)
        snprintf(buf, sizeof buf, "%u %s, %u %s, %u %s", s->visa.duration_days,
                 tr(p, lang, "verify.days"), s->visa.duration_months, tr(p, lang, "verify.months"),
                 s->visa.duration_years, tr(p, lang, "verify.years"));
    row(rows, p, lang, "verify.duration", buf, false);
    char d[11];
    if (v->has_valid_until) {
        date_text(v->valid_until, d);
        row(rows, p, lang, "verify.valid_until", d, true);
    }
    date_text(s->header.issue_date, d);
    row(rows, p, lang, "verify.issue_date", d, true);
    row(rows, p, lang, "verify.issuing_state", s->header.issuing_country, true);
    json_object_set_new(res, "data",
                        json_pack("{s:o, s:s, s:s, s:b}", "rows", rows, "mrz1", s->visa.mrz_line1,
                                  "mrz2", s->visa.mrz_line2, "unconfirmed",
                                  v->status != VERDICT_VALID));
    return res;
}

static void verify_page(struct http_request *r, struct http_response *w, int status,
                        const char *lang, json_t *result, const char *error_key)
{
    struct portal *p = r->app;
    char csrf[48];
    portal_csrf(p, r, w, csrf);
    if (http_query(r, "lang"))
        http_set_cookie(w, "evisa_lang", lang, 365 * 86400);
    const char *seal = r->method == HTTP_POST ? http_form(r, "seal") : NULL;
    json_t *ctx = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "path", r->path, "csrf", csrf,
                            "title", "verify.title", "official_site",
                            http_header(r, "Host") ? http_header(r, "Host") : "", "page", "verify",
                            "seal", seal ? seal : "");
    if (result)
        json_object_set_new(ctx, "result", result);
    if (error_key)
        json_object_set_new(ctx, "error", json_string(tr(p, lang, error_key)));
    char *html = NULL;
    size_t len = 0;
    if (!ctx || tmpl_render(p->tmpl, "layout", ctx, p->i18n, lang, &html, &len) < 0) {
        http_status(w, 500);
        http_append(w, "<!doctype html><title>Error</title><p>Internal error</p>", 56);
    } else {
        http_status(w, status);
        http_set_header(w, "Content-Type", "text/html; charset=utf-8");
        http_set_header(w, "Cache-Control", "no-store");
        http_append(w, html, len);
    }
    free(html);
    json_decref(ctx);
}

void page_verify_get(struct http_request *r, struct http_response *w)
{
    verify_page(r, w, 200, page_lang(r), NULL, NULL);
}

void page_verify_post(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    const char *lang = page_lang(r);
    if (!http_form_ok(r))
        return; /* the HTTP layer has answered (400/413) */
    if (!portal_csrf_ok(p, r)) {
        verify_page(r, w, 403, lang, NULL, "csrf.text");
        return;
    }
    if (!ratelimit_hit(p->status_limit, r->remote_ip, (int64_t)time(NULL))) {
        http_set_header(w, "Retry-After", "60");
        verify_page(r, w, 429, lang, NULL, "verify.rate_limited");
        return;
    }
    const struct http_part *img = http_file(r, "image");
    const char *hex = http_form(r, "seal");
    uint8_t seal[DM_MAX_PAYLOAD];
    size_t n = 0;
    if (img && img->len > 0) {
        if (image_seal(img->data, img->len, seal, sizeof seal, &n) < 0) {
            verify_page(r, w, 422, lang, NULL, "verify.no_seal");
            return;
        }
    } else if (hex && hex[0]) {
        if (hex_bytes(hex, seal, sizeof seal, &n) < 0) {
            verify_page(r, w, 422, lang, NULL, "verify.bad_hex");
            return;
        }
    } else {
        verify_page(r, w, 422, lang, NULL, "verify.nothing");
        return;
    }
    struct verdict v;
    if (verify_seal(p, seal, n, &v) < 0) {
        verify_page(r, w, 503, lang, NULL, "error.retry");
        return;
    }
    verify_page(r, w, 200, lang, result_json(p, lang, &v), NULL);
}
