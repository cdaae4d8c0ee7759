/*
 * share_web.c — minimal disclosure for hotels and carriers (issue 6).  The
 * holder of an issued, valid visa makes a short-lived share code; whoever
 * has the code and the passport number learns only the visa's dates, its
 * entries and its status, nothing else.  Codes are 8 Crockford base32
 * characters shown as "XXXX-XXXX"; the store keeps only their SHA-256.
 * Lookups are rate-limited per client IP in the store (so the limit holds
 * across web processes), and every miss gets the same 404.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "web/portal.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* The 8 significant characters of a code as typed: '-' and spaces dropped,
 * lower case raised, I/L read as 1 and O as 0.  False if it is not a code. */
static bool code_normalise(const char *in, char out[9])
{
    size_t n = 0;
    for (const char *c = in; c && *c; c++) {
        char ch = *c;
        if (ch == '-' || ch == ' ')
            continue;
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        if (ch == 'I' || ch == 'L')
            ch = '1';
        else if (ch == 'O')
            ch = '0';
        if (!strchr(crockford, ch) || ch == '\0' || n >= 8)
            return false;
        out[n++] = ch;
    }
    out[n] = '\0';
    return n == 8;
}

static bool code_hash(const char code[9], char hex[65])
{
    unsigned char md[32];
    if (EVP_Digest(code, 8, md, NULL, EVP_sha256(), NULL) != 1)
        return false;
    for (size_t i = 0; i < sizeof md; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return true;
}

/* Today (UTC) as YYYY-MM-DD. */
static void today(time_t now, char out[11])
{
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

int portal_share_create(const struct portal *p, const struct portal_app *a, int hours,
                        char code[PORTAL_SHARE_CODE_MAX], int64_t *expires_at)
{
    code[0] = '\0';
    *expires_at = 0;
    if (hours < 1 || hours > PORTAL_SHARE_MAX_HOURS)
        return 422;
    if (a->status != APP_ISSUED)
        return 409;
    struct store_visa *v = calloc(1, sizeof *v);
    if (!v)
        return 500;
    int rc = store_visa_get_by_reference(p->store, a->row.reference, v);
    time_t now = time(NULL);
    char day[11];
    today(now, day);
    if (rc < 0 || strcmp(v->status, "valid") != 0 || strcmp(v->valid_until, day) < 0) {
        free(v);
        return rc < 0 && rc != -STORE_E_NOT_FOUND ? 503 : 409;
    }
    int64_t exp = (int64_t)now + (int64_t)hours * 3600;
    for (int attempt = 0; attempt < 3; attempt++) {
        unsigned char rnd[5];
        if (RAND_bytes(rnd, sizeof rnd) != 1)
            break;
        uint64_t bits = 0;
        for (size_t i = 0; i < sizeof rnd; i++)
            bits = bits << 8 | rnd[i];
        char raw[9], hex[65];
        for (int i = 0; i < 8; i++)
            raw[i] = crockford[(bits >> (35 - 5 * i)) & 31];
        raw[8] = '\0';
        if (!code_hash(raw, hex))
            break;
        rc = store_share_create(p->store, hex, v->visa_number, a->row.reference, exp);
        if (rc == -STORE_E_CONFLICT)
            continue; /* the same code drawn twice: draw another */
        if (rc == 0) {
            snprintf(code, PORTAL_SHARE_CODE_MAX, "%.4s-%.4s", raw, raw + 4);
            *expires_at = exp;
        }
        break;
    }
    free(v);
    return code[0] ? 201 : 503;
}

int portal_share_check(const struct portal *p, const char *remote_ip, const char *code,
                       const char *passport_number, struct portal_share_facts *out)
{
    memset(out, 0, sizeof *out);
    time_t now = time(NULL);
    char key[96];
    snprintf(key, sizeof key, "share:%.64s", remote_ip ? remote_ip : "");
    bool allowed = false;
    if (store_rate_hit(p->store, key, 60, PORTAL_SHARE_CHECKS_PER_MINUTE, (int64_t)now, &allowed) <
        0)
        return 503;
    if (!allowed)
        return 429;
    char norm[9], hex[65];
    struct app_values vals = {0};
    struct app_errors errs = {0};
    if (!code || !passport_number || !code_normalise(code, norm) || !code_hash(norm, hex))
        return 404;
    app_set_field(&vals, F_PASSPORT_NUMBER, passport_number, strlen(passport_number), &errs);
    if (errs.n || !vals.v[F_PASSPORT_NUMBER][0])
        return 404;
    struct store_share sh;
    int rc = store_share_lookup(p->store, hex, (int64_t)now, &sh);
    if (rc < 0)
        return rc == -STORE_E_NOT_FOUND ? 404 : 503;
    struct store_app row = {0};
    if ((rc = store_app_get(p->store, sh.reference, &row)) < 0)
        return rc == -STORE_E_NOT_FOUND ? 404 : 503;
    bool same =
        row.passport_number[0] && strcmp(row.passport_number, vals.v[F_PASSPORT_NUMBER]) == 0;
    store_app_clear(&row);
    if (!same)
        return 404;
    struct store_visa *v = calloc(1, sizeof *v);
    if (!v)
        return 500;
    rc = store_visa_get(p->store, sh.visa_number, v);
    if (rc == 0) {
        char day[11];
        today(now, day);
        snprintf(out->valid_from, sizeof out->valid_from, "%s", v->valid_from);
        snprintf(out->valid_until, sizeof out->valid_until, "%s", v->valid_until);
        out->entries = v->entries;
        if (strcmp(v->status, "valid") != 0)
            snprintf(out->status, sizeof out->status, "revoked");
        else if (strcmp(v->valid_until, day) < 0)
            snprintf(out->status, sizeof out->status, "expired");
        else
            snprintf(out->status, sizeof out->status, "valid");
        out->valid = strcmp(out->status, "valid") == 0;
    }
    free(v);
    return rc == 0 ? 200 : rc == -STORE_E_NOT_FOUND ? 404 : 503;
}

json_t *portal_share_facts_json(const struct portal_share_facts *f)
{
    return json_pack("{s:b, s:s, s:s, s:i, s:s}", "valid", f->valid, "valid_from", f->valid_from,
                     "valid_until", f->valid_until, "entries", f->entries, "status", f->status);
}

void api_share_create(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    struct portal_app a;
    const char *token = portal_bearer(r);
    if (!token || portal_app_load(p, r->params[0], token, &a) != 0) {
        http_error_json(w, 404, "not_found", "no such application");
        return;
    }
    int hours = PORTAL_SHARE_DEFAULT_HOURS;
    if (r->body_len > 0) {
        json_error_t e;
        json_t *j = json_loadb((const char *)r->body, r->body_len, JSON_REJECT_DUPLICATES, &e);
        json_t *h = j ? json_object_get(j, "hours") : NULL;
        if (!json_is_object(j) || (h && !json_is_integer(h))) {
            json_decref(j);
            portal_app_clear(&a);
            http_error_json(w, 400, "bad_request", "the body must be {\"hours\": 1..72}");
            return;
        }
        if (h)
            hours = json_integer_value(h) < 0 || json_integer_value(h) > 1000
                        ? 0
                        : (int)json_integer_value(h);
        json_decref(j);
    }
    char code[PORTAL_SHARE_CODE_MAX];
    int64_t exp;
    int st = portal_share_create(p, &a, hours, code, &exp);
    portal_app_clear(&a);
    if (st == 201)
        http_json(w, 201, json_pack("{s:s, s:I}", "code", code, "expires_at", (json_int_t)exp));
    else if (st == 422)
        http_error_json(w, 422, "invalid_hours", "hours must be between 1 and 72");
    else if (st == 409)
        http_error_json(w, 409, "no_valid_visa",
                        "share codes are for issued visas that are still valid");
    else
        http_error_json(w, 503, "store_unavailable", "please retry");
}

void api_share_check(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    struct portal_share_facts f;
    int st =
        portal_share_check(p, r->remote_ip, r->params[0], http_query(r, "passport_number"), &f);
    if (st == 200) {
        http_json(w, 200, portal_share_facts_json(&f));
    } else if (st == 429) {
        http_set_header(w, "Retry-After", "60");
        http_error_json(w, 429, "rate_limited", "too many lookups; try again in a minute");
    } else if (st == 404) {
        /* The same answer for a wrong code, a wrong passport number and an
         * expired code. */
        http_error_json(w, 404, "not_found", "no valid share code matches this passport number");
    } else {
        http_error_json(w, 503, "store_unavailable", "please retry");
    }
}
