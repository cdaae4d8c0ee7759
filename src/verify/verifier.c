/*
 * verifier.c — the offline verdict on a visa seal (see verifier.h for the
 * order of the checks and what each verdict means).  One core function runs
 * the checks against a resolved signer; verifier_check resolves the signer
 * from a trust store, verifier_check_cert takes it from the caller.
 */
#include "verify/verifier.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "crypto/crypto_err.h"
#include "crypto/seal_sig.h"
#include "crypto/signer_cert.h"
#include "icao/icao_err.h"

const char *const verdict_status_names[VERDICT__MAX] = {
    [VERDICT_VALID] = "VALID",
    [VERDICT_INVALID] = "INVALID",
    [VERDICT_REVOKED] = "REVOKED",
    [VERDICT_EXPIRED] = "EXPIRED",
    [VERDICT_UNKNOWN_SIGNER] = "UNKNOWN SIGNER",
    [VERDICT_STALE_REVOCATION_LIST] = "STALE REVOCATION LIST",
};

const char *const verdict_status_codes[VERDICT__MAX] = {
    [VERDICT_VALID] = "valid",
    [VERDICT_INVALID] = "invalid",
    [VERDICT_REVOKED] = "revoked",
    [VERDICT_EXPIRED] = "expired",
    [VERDICT_UNKNOWN_SIGNER] = "unknown_signer",
    [VERDICT_STALE_REVOCATION_LIST] = "stale_revocation_list",
};

const char *const verdict_reason_codes[VREASON__MAX] = {
    [VREASON_NONE] = "none",
    [VREASON_BAD_FORMAT] = "bad_format",
    [VREASON_NOT_A_VISA] = "not_a_visa",
    [VREASON_MRZ_CHECK_DIGITS] = "mrz_check_digits",
    [VREASON_STATE_MISMATCH] = "state_mismatch",
    [VREASON_CERT_MISMATCH] = "cert_mismatch",
    [VREASON_SIGNATURE_INVALID] = "signature_invalid",
    [VREASON_SIGNER_NOT_VALID_AT_SIGNING] = "signer_not_valid_at_signing",
    [VREASON_UNTRUSTED_CHAIN] = "untrusted_chain",
};

const char *const revocation_state_codes[REVOCATION__MAX] = {
    [REVOCATION_NOT_CHECKED] = "not_checked",
    [REVOCATION_FRESH] = "fresh",
    [REVOCATION_STALE] = "stale",
    [REVOCATION_FUTURE] = "not_yet_valid",
    [REVOCATION_REFUSED] = "refused",
};

#define SECONDS_PER_DAY 86400

static void set_message(struct verdict *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_message(struct verdict *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->message, sizeof v->message, fmt, ap); /* truncation is fine for a sentence */
    va_end(ap);
}

/* Ends the checks with status/reason; returns 0 (a verdict was reached). */
static int conclude(struct verdict *v, enum verdict_status status, enum verdict_reason reason,
                    int error)
{
    v->status = status;
    v->reason = reason;
    v->error = error;
    return 0;
}

static int two_digits(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* The MRZ valid-until date YYMMDD with the century that puts it in the
 * hundred years starting at the seal's issue year.  false if impossible. */
static bool resolve_expiry(const char *yymmdd, struct vds_date issue, struct vds_date *out)
{
    int yy = two_digits(yymmdd), mm = two_digits(yymmdd + 2), dd = two_digits(yymmdd + 4);
    if (yy < 0 || mm < 0 || dd < 0)
        return false;
    int year = issue.year - issue.year % 100 + yy;
    if (year < issue.year)
        year += 100;
    if (year > 9999)
        return false;
    struct vds_date d = {(uint16_t)year, (uint8_t)mm, (uint8_t)dd};
    if (vds_date_check(d) < 0)
        return false;
    *out = d;
    return true;
}

/* A State code without its '<' fillers ("D<<" -> "D"). */
static void strip_fillers(const char *in, char out[4])
{
    size_t k = 0;
    for (size_t i = 0; i < 3 && in[i]; i++)
        if (in[i] != '<' && in[i] != ' ')
            out[k++] = in[i];
    out[k] = '\0';
}

/* Stage 1: decode, visa, MRZ rebuilt and parsed, check digits, State of
 * the MRZ = State of the header.  Returns 1 to go on, 0 when concluded. */
static int check_format(const uint8_t *seal, size_t n, struct verdict *v)
{
    int rc = vds_decode(seal, n, &v->seal);
    if (rc < 0) {
        set_message(v, "the seal does not decode: %s (%s)", icao_err_message(rc),
                    icao_err_code(rc));
        conclude(v, VERDICT_INVALID, VREASON_BAD_FORMAT, rc);
        return 0;
    }
    v->decoded = true;
    if (!v->seal.is_visa) {
        set_message(v, "the seal is not a visa (feature 0x%02X, category 0x%02X)",
                    v->seal.header.feature_ref, v->seal.header.doc_type_cat);
        conclude(v, VERDICT_INVALID, VREASON_NOT_A_VISA, 0);
        return 0;
    }
    const struct vds_visa *visa = &v->seal.visa;
    enum mrz_format fmt = visa->mrz_tag == VDS_TAG_MRZ_MRVA ? MRZ_FORMAT_MRV_A : MRZ_FORMAT_MRV_B;
    size_t width = mrz_formats[fmt].line_length;
    snprintf(v->mrz_line1, sizeof v->mrz_line1, "%s", visa->mrz_line1);
    memset(v->mrz_line2, '<', width);
    memcpy(v->mrz_line2, visa->mrz_line2, strnlen(visa->mrz_line2, 28));
    v->mrz_line2[width] = '\0';
    rc = mrz_parse(v->mrz_line1, strlen(v->mrz_line1), v->mrz_line2, width, &v->mrz);
    if (rc < 0 || v->mrz.format != fmt || v->mrz.document_code[0] != 'V') {
        set_message(v, "the MRZ in the seal is not a visa MRZ of its format%s%s",
                    rc < 0 ? ": " : "", rc < 0 ? icao_err_message(rc) : "");
        conclude(v, VERDICT_INVALID, VREASON_NOT_A_VISA, rc < 0 ? rc : 0);
        return 0;
    }
    v->mrz_parsed = true;
    snprintf(v->visa_number, sizeof v->visa_number, "%s", v->mrz.number);
    v->has_valid_until = resolve_expiry(v->mrz.expiry, v->seal.header.issue_date, &v->valid_until);
    if (!v->mrz.valid) {
        char failed[96] = "";
        size_t used = 0;
        for (int c = 0; c < MRZ_CHECK__MAX; c++)
            if (v->mrz.check_present[c] && !v->mrz.check_ok[c] && used < sizeof failed) {
                int w = snprintf(failed + used, sizeof failed - used, "%s%s", used ? ", " : "",
                                 mrz_check_names[c]);
                used += w > 0 ? (size_t)w : 0;
            }
        set_message(v, "a check digit of the MRZ in the seal is wrong: %s", failed);
        conclude(v, VERDICT_INVALID, VREASON_MRZ_CHECK_DIGITS, 0);
        return 0;
    }
    if (!v->has_valid_until) {
        set_message(v, "the MRZ valid-until date %s is not a date", v->mrz.expiry);
        conclude(v, VERDICT_INVALID, VREASON_MRZ_CHECK_DIGITS, -ICAO_E_BAD_DATE);
        return 0;
    }
    return 1;
}

/* Chain and dates at the signing day, through the memo when there is one. */
static int chain_check(X509 *ds, X509_STORE *cscas, time_t at, struct verifier_cache *cache,
                       char *msg, size_t cap)
{
    long day = (long)(at / SECONDS_PER_DAY);
    if (cache)
        for (unsigned i = 0; i < VERIFIER_CACHE_SLOTS; i++)
            if (cache->slot[i].ds == ds && cache->slot[i].day == day) {
                snprintf(msg, cap, "%s", cache->slot[i].msg);
                return cache->slot[i].rc;
            }
    int rc = signer_cert_check(ds, cscas, at, msg, cap);
    /* Only definite answers are kept; an internal failure may not recur. */
    if (cache && rc != -CRYPTO_E_INTERNAL) {
        unsigned i = cache->next++ % VERIFIER_CACHE_SLOTS;
        cache->slot[i].ds = ds;
        cache->slot[i].day = day;
        cache->slot[i].rc = rc;
        snprintf(cache->slot[i].msg, sizeof cache->slot[i].msg, "%s", msg);
    }
    return rc;
}

void verifier_cache_clear(struct verifier_cache *cache)
{
    if (!cache)
        return;
    for (unsigned i = 0; i < VERIFIER_CACHE_SIGNERS; i++)
        EVP_PKEY_CTX_free(cache->signer[i].ctx);
    memset(cache, 0, sizeof *cache);
}

/* seal_sig_verify with the per-signer context of the cache (made on first
 * use); the same results.  Without a cache, or when the context cannot be
 * made, seal_sig_verify itself. */
static int signature_check(X509 *ds, EVP_PKEY *pub, const uint8_t *msg, size_t n, const uint8_t *rs,
                           size_t rs_len, struct verifier_cache *cache)
{
    if (!cache)
        return seal_sig_verify(pub, msg, n, rs, rs_len);
    unsigned k = 0;
    while (k < VERIFIER_CACHE_SIGNERS && cache->signer[k].ds != ds)
        k++;
    if (k == VERIFIER_CACHE_SIGNERS) {
        const EVP_MD *md = seal_sig_md(pub);
        int half = seal_sig_half_length(pub);
        EVP_PKEY_CTX *ctx = md && half > 0 ? EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL) : NULL;
        if (!ctx || EVP_PKEY_verify_init(ctx) <= 0) {
            EVP_PKEY_CTX_free(ctx);
            ERR_clear_error();
            return seal_sig_verify(pub, msg, n, rs, rs_len);
        }
        k = cache->next_signer++ % VERIFIER_CACHE_SIGNERS;
        EVP_PKEY_CTX_free(cache->signer[k].ctx);
        cache->signer[k].ds = ds;
        cache->signer[k].ctx = ctx;
        cache->signer[k].md = md;
        cache->signer[k].half = (size_t)half;
    }
    if (!rs || rs_len != 2 * cache->signer[k].half)
        return -CRYPTO_E_BAD_SIG_LENGTH;
    uint8_t der[SEAL_SIG_DER_MAX], dgst[EVP_MAX_MD_SIZE];
    size_t der_len = 0;
    unsigned dlen = 0;
    int rc = seal_sig_rs_to_der(rs, rs_len, der, sizeof der, &der_len);
    if (rc)
        return rc == -CRYPTO_E_BAD_SIG_LENGTH ? rc : -CRYPTO_E_INTERNAL;
    if (!EVP_Digest(msg, n, dgst, &dlen, cache->signer[k].md, NULL)) {
        ERR_clear_error();
        return -CRYPTO_E_INTERNAL;
    }
    if (EVP_PKEY_verify(cache->signer[k].ctx, der, der_len, dgst, dlen) != 1) {
        ERR_clear_error();
        return -CRYPTO_E_SIGNATURE_INVALID;
    }
    return 0;
}

/* Stages 3-8 with a resolved signer.  state_rl is the revocation list for
 * the signer's State (NULL: none), rl_err why the trust store refused one. */
static int check_signed(const uint8_t *seal, struct verdict *v, X509 *ds, X509_STORE *cscas,
                        const struct revlist *rl, int rl_err, time_t now,
                        struct verifier_cache *cache)
{
    const struct vds_header *h = &v->seal.header;
    int rc = signer_cert_matches(ds, h->signer_id, h->cert_ref);
    if (rc < 0) {
        set_message(v, "the document signer certificate is not %s/%s", h->signer_id, h->cert_ref);
        return conclude(v, VERDICT_INVALID, VREASON_CERT_MISMATCH, rc);
    }
    EVP_PKEY *pub = X509_get0_pubkey(ds);
    rc = pub ? signature_check(ds, pub, seal, v->seal.signed_length, v->seal.signature,
                               v->seal.signature_length, cache)
             : -CRYPTO_E_BAD_CERT;
    if (rc == -CRYPTO_E_INTERNAL) {
        set_message(v, "OpenSSL failed while checking the signature");
        return -TRUST_E_INTERNAL;
    }
    if (rc < 0) {
        set_message(v, "the signature does not verify with the signer's key: %s",
                    crypto_err_message(rc));
        return conclude(v, VERDICT_INVALID, VREASON_SIGNATURE_INVALID, rc);
    }
    if (!cscas) {
        set_message(v, "no CSCA certificates to check the document signer's chain against");
        return conclude(v, VERDICT_INVALID, VREASON_UNTRUSTED_CHAIN, -CRYPTO_E_UNTRUSTED);
    }
    char why[VERDICT_MSG_MAX];
    rc =
        chain_check(ds, cscas, (time_t)vds_date_to_unix(h->signature_date), cache, why, sizeof why);
    if (rc == -CRYPTO_E_INTERNAL) {
        set_message(v, "%s", why);
        return -TRUST_E_INTERNAL;
    }
    if (rc == -CRYPTO_E_CERT_NOT_YET_VALID || rc == -CRYPTO_E_CERT_EXPIRED ||
        rc == -CRYPTO_E_BAD_CERT) {
        set_message(v, "%s", why);
        return conclude(v, VERDICT_INVALID, VREASON_SIGNER_NOT_VALID_AT_SIGNING, rc);
    }
    if (rc < 0) {
        set_message(v, "%s", why);
        return conclude(v, VERDICT_INVALID, VREASON_UNTRUSTED_CHAIN, rc);
    }

    if (rl) {
        v->revlist_issued = rl->issued;
        v->revlist_next_update = rl->next_update;
        int fresh = revlist_fresh(rl, now);
        v->revocation = fresh == 0                        ? REVOCATION_FRESH
                        : fresh == -TRUST_E_NOT_YET_VALID ? REVOCATION_FUTURE
                                                          : REVOCATION_STALE;
    } else if (rl_err) {
        v->revocation = REVOCATION_REFUSED;
    }
    if (rl && revlist_contains(rl, v->visa_number)) {
        set_message(v, "visa %s is on the revocation list of %s", v->visa_number, rl->state);
        return conclude(v, VERDICT_REVOKED, VREASON_NONE, 0);
    }
    char until[11];
    vds_date_format_iso(v->valid_until, until);
    if (now >= (time_t)vds_date_to_unix(v->valid_until) + SECONDS_PER_DAY) {
        set_message(v, "the visa was valid until %s", until);
        return conclude(v, VERDICT_EXPIRED, VREASON_NONE, 0);
    }
    switch (v->revocation) {
    case REVOCATION_STALE:
        set_message(v,
                    "the seal is genuine and valid until %s, but the revocation list of %s is "
                    "out of date: get a current one",
                    until, rl->state);
        return conclude(v, VERDICT_STALE_REVOCATION_LIST, VREASON_NONE, -TRUST_E_STALE);
    case REVOCATION_FUTURE:
        set_message(v,
                    "the seal is genuine and valid until %s, but the revocation list of %s is "
                    "dated in the future: check this device's clock",
                    until, rl->state);
        return conclude(v, VERDICT_STALE_REVOCATION_LIST, VREASON_NONE, -TRUST_E_NOT_YET_VALID);
    case REVOCATION_REFUSED:
        set_message(v,
                    "the seal is genuine and valid until %s, but the trust store's revocation "
                    "list was refused: %s",
                    until, trust_err_message(rl_err));
        return conclude(v, VERDICT_STALE_REVOCATION_LIST, VREASON_NONE, rl_err);
    default:
        break;
    }
    set_message(v, "the seal is genuine and the visa is valid until %s%s", until,
                v->revocation == REVOCATION_NOT_CHECKED ? " (no revocation list: not checked)"
                                                        : "");
    return conclude(v, VERDICT_VALID, VREASON_NONE, 0);
}

static void verdict_init(struct verdict *out, time_t now)
{
    memset(out, 0, sizeof *out);
    out->checked_at = now;
    out->status = VERDICT_INVALID;
    out->reason = VREASON_BAD_FORMAT;
}

int verifier_check_cached(const uint8_t *seal, size_t n, const struct trust *t,
                          const struct revlist *override, time_t now, struct verifier_cache *cache,
                          struct verdict *out)
{
    verdict_init(out, now);
    if (!check_format(seal, n, out))
        return 0;
    const struct vds_header *h = &out->seal.header;
    X509 *ds = NULL;
    const char *state = NULL;
    int rc = trust_find_signer(t, h->signer_id, h->cert_ref, &ds, &state);
    if (rc < 0 || !ds || !state) {
        set_message(out, "no document signer %s/%s in the trust store", h->signer_id, h->cert_ref);
        return conclude(out, VERDICT_UNKNOWN_SIGNER, VREASON_NONE, rc < 0 ? rc : 0);
    }
    out->signer = ds;
    snprintf(out->signer_state, sizeof out->signer_state, "%s", state);
    char hdr[4], mrz[4];
    strip_fillers(h->issuing_country, hdr);
    strip_fillers(out->mrz.issuing_state, mrz);
    if (strcmp(hdr, state) != 0 || strcmp(mrz, state) != 0) {
        set_message(out,
                    "the seal says issuing State %s (header) / %s (MRZ) but its signer %s "
                    "belongs to %s",
                    hdr, mrz, h->signer_id, state);
        return conclude(out, VERDICT_INVALID, VREASON_STATE_MISMATCH, -TRUST_E_STATE_MISMATCH);
    }
    int rl_err = 0;
    const struct revlist *rl = NULL;
    if (override && !strcmp(override->state, state))
        rl = override;
    else
        rl = trust_revlist(t, state, &rl_err);
    return check_signed(seal, out, ds, trust_store_for(t, state), rl, rl_err, now, cache);
}

int verifier_check(const uint8_t *seal, size_t n, const struct trust *t,
                   const struct revlist *override, time_t now, struct verdict *out)
{
    return verifier_check_cached(seal, n, t, override, now, NULL, out);
}

int verifier_check_cert(const uint8_t *seal, size_t n, X509 *ds, X509_STORE *cscas,
                        const struct revlist *rl, time_t now, struct verdict *out)
{
    verdict_init(out, now);
    if (!check_format(seal, n, out))
        return 0;
    if (!ds) {
        set_message(out, "no document signer certificate given");
        return conclude(out, VERDICT_UNKNOWN_SIGNER, VREASON_NONE, -TRUST_E_UNKNOWN_SIGNER);
    }
    out->signer = ds;
    return check_signed(seal, out, ds, cscas, rl, 0, now, NULL);
}
