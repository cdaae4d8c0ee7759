/*
 * test_verifier.c — the offline verifier (verify/verifier.h): one test per
 * verdict and reason, with test PKIs made in memory (fixed dates, so the
 * results do not depend on the day the tests run), trust stores written to
 * a temporary directory, seals built and signed here, signed revocation
 * lists from revlist_build, the published vectors, and photo-like images.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/crypto_err.h"
#include "crypto/keys.h"
#include "crypto/seal_sig.h"
#include "crypto/signer_cert.h"
#include "icao/mrz.h"
#include "icao/vds.h"
#include "render/datamatrix.h"
#include "render/image.h"
#include "imgops.h"
#include "test.h"
#include "verify/revlist.h"
#include "verify/trust.h"
#include "verify/verifier.h"

#define T_PKI 1790000000     /* 2026-09-21: the test PKIs' notBefore */
#define T_CHECK 1796083200   /* 2026-12-01T00:00:00Z: when seals are checked */
#define T_EXPIRED 1803945600 /* 2027-03-02T00:00:00Z: the day after the visas' expiry */

struct pki {
    EVP_PKEY *csca_key, *ds_key;
    X509 *csca, *ds;
    char state[4];
};

static void pki_free(struct pki *p)
{
    EVP_PKEY_free(p->csca_key);
    EVP_PKEY_free(p->ds_key);
    X509_free(p->csca);
    X509_free(p->ds);
    memset(p, 0, sizeof *p);
}

/* A CSCA + DS for state, valid from `now`; 0 or a negative crypto error. */
static int pki_make(const char *state, time_t now, struct pki *p)
{
    char alpha2[3];
    memset(p, 0, sizeof *p);
    snprintf(p->state, sizeof p->state, "%s", state);
    int rc;
    if ((rc = keys_state_alpha2(state, alpha2)) < 0 ||
        (rc = keys_generate(KEYS_DEFAULT_CURVE, &p->csca_key)) < 0 ||
        (rc = keys_generate(KEYS_DEFAULT_CURVE, &p->ds_key)) < 0 ||
        (rc = keys_make_csca(p->csca_key, state, alpha2, now, &p->csca)) < 0 ||
        (rc = keys_make_ds(p->ds_key, p->csca, p->csca_key, state, alpha2, NULL, now, &p->ds)) < 0)
        pki_free(p);
    return rc;
}

/* Writes DIR/STATE/csca.pem and DIR/STATE/ds/ds.pem (csca/ds may come from
 * different PKIs). */
static int trust_write(const char *dir, const char *state, X509 *csca, X509 *ds)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, state);
    mkdir(dir, 0755);
    if (mkdir(path, 0755) < 0)
        return -1;
    snprintf(path, sizeof path, "%s/%s/ds", dir, state);
    if (mkdir(path, 0755) < 0)
        return -1;
    snprintf(path, sizeof path, "%s/%s/csca.pem", dir, state);
    if (keys_write_cert(path, csca) < 0)
        return -1;
    snprintf(path, sizeof path, "%s/%s/ds/ds.pem", dir, state);
    return keys_write_cert(path, ds) < 0 ? -1 : 0;
}

struct seal_spec {
    const char *state;  /* MRZ and header issuing State */
    const char *header; /* header issuing State when different (NULL: state) */
    const char *number; /* visa number */
    const char *expiry; /* YYMMDD */
    struct vds_date issue, signed_on;
    bool bad_check_digit; /* spoil the visa number's check digit */
};

static const struct seal_spec default_spec = {"AZE",         NULL,          "AZ0001234", "270301",
                                              {2026, 10, 1}, {2026, 10, 1}, false};

/* Builds and signs a visa seal with signer's DS; returns its length or 0. */
static size_t seal_make(const struct pki *signer, const struct seal_spec *sp, uint8_t *out,
                        size_t cap)
{
    struct mrv_input in = {.document_code = "V",
                           .issuing_state = sp->state,
                           .primary = "Khan",
                           .secondary = "Imran Ahmed",
                           .number = sp->number,
                           .nationality = "PAK",
                           .birth = "790315",
                           .sex = 'M',
                           .expiry = sp->expiry,
                           .optional = "",
                           .profile = {true, 'A'}};
    char l1[MRZ_LINE_MAX + 1], l2[MRZ_LINE_MAX + 1];
    if (mrz_build_visa(MRZ_FORMAT_MRV_A, &in, l1, l2, NULL, NULL) < 0)
        return 0;
    if (sp->bad_check_digit)
        l2[9] = l2[9] == '0' ? '1' : '0';
    struct vds_header h = {.version = 4, .issue_date = sp->issue, .signature_date = sp->signed_on};
    const char *hs = sp->header ? sp->header : sp->state;
    for (size_t i = 0; i < 3; i++)
        h.issuing_country[i] = i < strlen(hs) ? hs[i] : '<';
    h.issuing_country[3] = '\0';
    char ref[SIGNER_REF_MAX + 1];
    if (signer_cert_reference(signer->ds, h.signer_id, sizeof h.signer_id, ref, sizeof ref) < 0)
        return 0;
    snprintf(h.cert_ref, sizeof h.cert_ref, "%s", ref);
    struct vds_visa v = {.mrz_tag = VDS_TAG_MRZ_MRVA,
                         .has_entries = true,
                         .entries = 2,
                         .duration_days = 30,
                         .passport_number = "AB1234567",
                         .visa_type_len = 1,
                         .visa_type = {1}};
    memcpy(v.mrz_line1, l1, sizeof v.mrz_line1);
    memcpy(v.mrz_line2, l2, 28);
    uint8_t rs[SEAL_SIG_MAX];
    size_t len, rs_len, total;
    if (vds_encode_visa(&h, &v, out, cap, &len) < 0 ||
        seal_sig_sign(signer->ds_key, out, len, rs, sizeof rs, &rs_len) < 0 ||
        vds_append_signature(out, len, cap, rs, rs_len, &total) < 0)
        return 0;
    return total;
}

/* The shared fixture: AZE and PAK PKIs and a trust store with both. */
struct fixture {
    struct pki aze, pak;
    char dir[600];
    struct trust *trust;
};

static int fixture_open(struct fixture *f, bool with_pak)
{
    memset(f, 0, sizeof *f);
    char tmp[512];
    if (!test_tmpdir(tmp, sizeof tmp) || pki_make("AZE", T_PKI, &f->aze) < 0 ||
        pki_make("PAK", T_PKI, &f->pak) < 0)
        return -1;
    snprintf(f->dir, sizeof f->dir, "%s/trust", tmp);
    if (trust_write(f->dir, "AZE", f->aze.csca, f->aze.ds) < 0 ||
        (with_pak && trust_write(f->dir, "PAK", f->pak.csca, f->pak.ds) < 0))
        return -1;
    return trust_open(f->dir, &f->trust, NULL, 0) < 0 ? -1 : 0;
}

static void fixture_close(struct fixture *f)
{
    trust_close(f->trust);
    pki_free(&f->aze);
    pki_free(&f->pak);
}

/* A signed revocation list of `state` holding one visa number. */
static int make_revlist(const struct pki *p, time_t issued, time_t next, const char *number,
                        struct revlist *rl)
{
    char numbers[1][16];
    snprintf(numbers[0], sizeof numbers[0], "%s", number);
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = revlist_build(p->state, issued, next, (const char(*)[16])numbers, 1, p->csca_key,
                           &data, &len);
    if (rc == 0)
        rc = revlist_parse(data, len, rl);
    free(data);
    return rc;
}

/* A shared vector's .hex file as bytes (whitespace ignored); length or -1. */
static long load_hex_vector(const char *name, uint8_t *out, size_t cap)
{
    char path[512], rel[128];
    snprintf(rel, sizeof rel, "vectors/%s", name);
    size_t len = 0;
    char *hex = test_read_file(test_shared_path(rel, path, sizeof path), &len);
    if (!hex)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
        if (hex[i] != ' ' && hex[i] != '\n' && hex[i] != '\r' && hex[i] != '\t')
            hex[k++] = hex[i];
    hex[k] = '\0';
    long n = test_unhex(hex, out, cap);
    free(hex);
    return n;
}

TEST(verifier_valid_seal_is_valid)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &default_spec, seal, sizeof seal);
    struct verdict v;
    int rc = verifier_check(seal, n, f.trust, NULL, T_CHECK, &v);
    fixture_close(&f);
    CHECK(n > 0);
    CHECK_INT(rc, 0);
    CHECK_INT(v.status, VERDICT_VALID);
    CHECK_INT(v.reason, VREASON_NONE);
    CHECK_INT(v.revocation, REVOCATION_NOT_CHECKED);
    CHECK_STR(v.visa_number, "AZ0001234");
    CHECK_STR(v.signer_state, "AZE");
    CHECK_INT(v.valid_until.year, 2027);
    CHECK_INT(v.valid_until.month, 3);
    CHECK_INT(v.valid_until.day, 1);
    CHECK_INT(strlen(v.mrz_line2), 44);
    CHECK(!strncmp(v.mrz_line2, v.seal.visa.mrz_line2, 28));
    CHECK_STR(v.mrz_line2 + 28, "<<<<<<<<<<<<<<<<");
    CHECK_STR(v.seal.visa.passport_number, "AB1234567");
}

TEST(verifier_altered_byte_at_any_offset_is_not_valid)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &default_spec, seal, sizeof seal);
    int bad = 0;
    for (size_t off = 0; off < n; off++)
        for (int bit = 0; bit < 8; bit += 3) {
            uint8_t copy[VDS_MAX_BYTES];
            memcpy(copy, seal, n);
            copy[off] ^= (uint8_t)(1u << bit);
            struct verdict v;
            int rc = verifier_check(copy, n, f.trust, NULL, T_CHECK, &v);
            if (rc != 0 || v.status == VERDICT_VALID ||
                (v.status != VERDICT_INVALID && v.status != VERDICT_UNKNOWN_SIGNER)) {
                fprintf(stderr, "offset %zu bit %d: status %d\n", off, bit, v.status);
                bad++;
            }
        }
    fixture_close(&f);
    CHECK(n > 0);
    CHECK_INT(bad, 0);
}

TEST(verifier_altered_signature_is_signature_invalid)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &default_spec, seal, sizeof seal);
    seal[n - 5] ^= 0x10;
    struct verdict v;
    verifier_check(seal, n, f.trust, NULL, T_CHECK, &v);
    fixture_close(&f);
    CHECK_INT(v.status, VERDICT_INVALID);
    CHECK_INT(v.reason, VREASON_SIGNATURE_INVALID);
    CHECK_INT(v.error, -CRYPTO_E_SIGNATURE_INVALID);
}

TEST(verifier_truncated_seal_is_bad_format)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &default_spec, seal, sizeof seal);
    struct verdict v;
    verifier_check(seal, n / 2, f.trust, NULL, T_CHECK, &v);
    fixture_close(&f);
    CHECK_INT(v.status, VERDICT_INVALID);
    CHECK_INT(v.reason, VREASON_BAD_FORMAT);
    CHECK(!v.decoded);
    CHECK(v.error < 0);
}

TEST(verifier_non_visa_seal_is_not_a_visa)
{
    uint8_t seal[VDS_MAX_BYTES];
    long n = load_hex_vector("vdstools-emergency-travel-doc-generic.hex", seal, sizeof seal);
    CHECK(n > 0);
    CHECK(n > 0);
    struct verdict v;
    verifier_check_cert(seal, (size_t)n, NULL, NULL, NULL, T_CHECK, &v);
    CHECK_INT(v.status, VERDICT_INVALID);
    CHECK_INT(v.reason, VREASON_NOT_A_VISA);
}

TEST(verifier_wrong_mrz_check_digit_is_mrz_check_digits)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    struct seal_spec sp = default_spec;
    sp.bad_check_digit = true;
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &sp, seal, sizeof seal);
    struct verdict v;
    verifier_check(seal, n, f.trust, NULL, T_CHECK, &v);
    fixture_close(&f);
    CHECK(n > 0);
    CHECK_INT(v.status, VERDICT_INVALID);
    CHECK_INT(v.reason, VREASON_MRZ_CHECK_DIGITS);
    CHECK(strstr(v.message, "document_number"));
}

TEST(verifier_signer_missing_from_store_is_unknown_signer)
{
    struct fixture f;
    CHECK(fixture_open(&f, false) == 0);
    struct seal_spec sp = default_spec;
    sp.state = "PAK";
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.pak, &sp, seal, sizeof seal);
    struct verdict v;
    verifier_check(seal, n, f.trust, NULL, T_CHECK, &v);
    fixture_close(&f);
    CHECK_INT(v.status, VERDICT_UNKNOWN_SIGNER);
    CHECK(v.signer == NULL);
    CHECK_STR(v.signer_state, "");
}

TEST(verifier_seal_naming_another_state_is_state_mismatch)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    struct seal_spec sp = default_spec;
    sp.state = "PAK"; /* a PAK visa signed with AZE's document signer */
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &sp, seal, sizeof seal);
    struct verdict v;
    verifier_check(seal, n, f.trust, NULL, T_CHECK, &v);
    sp.header = "AZE"; /* header AZE, MRZ PAK */
    size_t n2 = seal_make(&f.aze, &sp, seal, sizeof seal);
    struct verdict v2;
    verifier_check(seal, n2, f.trust, NULL, T_CHECK, &v2);
    fixture_close(&f);
    CHECK_INT(v.status, VERDICT_INVALID);
    CHECK_INT(v.reason, VREASON_STATE_MISMATCH);
    CHECK_INT(v2.status, VERDICT_INVALID);
    CHECK_INT(v2.reason, VREASON_STATE_MISMATCH);
}

TEST(verifier_other_ds_than_named_is_cert_mismatch)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &default_spec, seal, sizeof seal);
    struct verdict v;
    X509_STORE *store = trust_store_for(f.trust, "PAK");
    verifier_check_cert(seal, n, f.pak.ds, store, NULL, T_CHECK, &v);
    fixture_close(&f);
    CHECK_INT(v.status, VERDICT_INVALID);
    CHECK_INT(v.reason, VREASON_CERT_MISMATCH);
}

TEST(verifier_ds_under_another_states_csca_is_untrusted_chain)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &default_spec, seal, sizeof seal);
    struct verdict v, v2;
    verifier_check_cert(seal, n, f.aze.ds, trust_store_for(f.trust, "PAK"), NULL, T_CHECK, &v);
    verifier_check_cert(seal, n, f.aze.ds, NULL, NULL, T_CHECK, &v2);
    fixture_close(&f);
    CHECK_INT(v.status, VERDICT_INVALID);
    CHECK_INT(v.reason, VREASON_UNTRUSTED_CHAIN);
    CHECK_INT(v.error, -CRYPTO_E_UNTRUSTED);
    CHECK_INT(v2.reason, VREASON_UNTRUSTED_CHAIN);
}

TEST(verifier_trust_store_refuses_ds_of_another_states_csca)
{
    struct pki aze, pak;
    char tmp[512], dir[600];
    CHECK(test_tmpdir(tmp, sizeof tmp));
    CHECK(pki_make("AZE", T_PKI, &aze) == 0);
    CHECK(pki_make("PAK", T_PKI, &pak) == 0);
    snprintf(dir, sizeof dir, "%s/crossed", tmp);
    int wrc = trust_write(dir, "AZE", aze.csca, pak.ds);
    struct trust *t = NULL;
    int rc = trust_open(dir, &t, NULL, 0);
    trust_close(t);
    pki_free(&aze);
    pki_free(&pak);
    CHECK_INT(wrc, 0);
    CHECK(rc < 0);
}

TEST(verifier_signed_before_ds_validity_is_signer_not_valid_at_signing)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    struct seal_spec sp = default_spec;
    sp.issue = (struct vds_date){2026, 9, 1};
    sp.signed_on = (struct vds_date){2026, 9, 1}; /* before T_PKI (2026-09-21) */
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &sp, seal, sizeof seal);
    struct verdict v;
    verifier_check(seal, n, f.trust, NULL, T_CHECK, &v);
    fixture_close(&f);
    CHECK_INT(v.status, VERDICT_INVALID);
    CHECK_INT(v.reason, VREASON_SIGNER_NOT_VALID_AT_SIGNING);
    CHECK_INT(v.error, -CRYPTO_E_CERT_NOT_YET_VALID);
}

TEST(verifier_signed_after_ds_expiry_is_signer_not_valid_at_signing)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    struct seal_spec sp = default_spec;
    sp.issue = (struct vds_date){2037, 1, 1}; /* DS valid ~10 years from 2026-09-21 */
    sp.signed_on = (struct vds_date){2037, 1, 1};
    sp.expiry = "370301";
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &sp, seal, sizeof seal);
    struct verdict v;
    verifier_check(seal, n, f.trust, NULL, 2117836800 /* 2037-02-10 */, &v);
    fixture_close(&f);
    CHECK_INT(v.status, VERDICT_INVALID);
    CHECK_INT(v.reason, VREASON_SIGNER_NOT_VALID_AT_SIGNING);
    CHECK_INT(v.error, -CRYPTO_E_CERT_EXPIRED);
}

TEST(verifier_visa_past_valid_until_is_expired)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &default_spec, seal, sizeof seal);
    struct verdict last_second, next_day;
    verifier_check(seal, n, f.trust, NULL, T_EXPIRED - 1, &last_second);
    verifier_check(seal, n, f.trust, NULL, T_EXPIRED, &next_day);
    fixture_close(&f);
    CHECK_INT(last_second.status, VERDICT_VALID);
    CHECK_INT(next_day.status, VERDICT_EXPIRED);
}

TEST(verifier_expiry_century_follows_issue_year)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    struct seal_spec sp = default_spec;
    sp.expiry = "991231"; /* issued 2026: 2099, not 1999 */
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &sp, seal, sizeof seal);
    struct verdict v;
    verifier_check(seal, n, f.trust, NULL, T_CHECK, &v);
    sp.expiry = "260930"; /* the issue year itself, already over at T_CHECK */
    n = seal_make(&f.aze, &sp, seal, sizeof seal);
    struct verdict v2;
    verifier_check(seal, n, f.trust, NULL, T_CHECK, &v2);
    fixture_close(&f);
    CHECK_INT(v.status, VERDICT_VALID);
    CHECK_INT(v.valid_until.year, 2099);
    CHECK_INT(v2.status, VERDICT_EXPIRED);
    CHECK_INT(v2.valid_until.year, 2026);
}

TEST(verifier_visa_on_revocation_list_is_revoked)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &default_spec, seal, sizeof seal);
    struct revlist rl = {0};
    int rc = make_revlist(&f.aze, T_CHECK - 3600, T_CHECK + 86400, "AZ0001234", &rl);
    struct verdict v;
    verifier_check(seal, n, f.trust, &rl, T_CHECK, &v);
    revlist_free(&rl);
    fixture_close(&f);
    CHECK_INT(rc, 0);
    CHECK_INT(v.status, VERDICT_REVOKED);
    CHECK_INT(v.revocation, REVOCATION_FRESH);
}

TEST(verifier_revocation_list_in_trust_store_is_used)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &default_spec, seal, sizeof seal);
    static const char numbers[1][16] = {"AZ0001234"};
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = revlist_build("AZE", T_CHECK - 3600, T_CHECK + 86400, numbers, 1, f.aze.csca_key,
                           &data, &len);
    int rc2 = rc ? rc : trust_set_revlist(f.dir, "AZE", data, len, NULL, 0);
    free(data);
    struct trust *t = NULL;
    int rc3 = trust_open(f.dir, &t, NULL, 0);
    struct verdict v;
    if (rc3 == 0)
        verifier_check(seal, n, t, NULL, T_CHECK, &v);
    trust_close(t);
    fixture_close(&f);
    CHECK_INT(rc2, 0);
    CHECK_INT(rc3, 0);
    CHECK_INT(v.status, VERDICT_REVOKED);
}

TEST(verifier_list_of_another_state_does_not_apply)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &default_spec, seal, sizeof seal);
    struct revlist rl = {0};
    int rc = make_revlist(&f.pak, T_CHECK - 3600, T_CHECK + 86400, "AZ0001234", &rl);
    struct verdict v;
    verifier_check(seal, n, f.trust, &rl, T_CHECK, &v);
    revlist_free(&rl);
    fixture_close(&f);
    CHECK_INT(rc, 0);
    CHECK_INT(v.status, VERDICT_VALID);
    CHECK_INT(v.revocation, REVOCATION_NOT_CHECKED);
}

TEST(verifier_fresh_list_without_the_visa_is_valid)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &default_spec, seal, sizeof seal);
    struct revlist rl = {0};
    int rc = make_revlist(&f.aze, T_CHECK - 3600, T_CHECK + 86400, "AZ0009999", &rl);
    struct verdict v;
    verifier_check(seal, n, f.trust, &rl, T_CHECK, &v);
    revlist_free(&rl);
    fixture_close(&f);
    CHECK_INT(rc, 0);
    CHECK_INT(v.status, VERDICT_VALID);
    CHECK_INT(v.revocation, REVOCATION_FRESH);
    CHECK_INT(v.revlist_next_update, T_CHECK + 86400);
}

TEST(verifier_stale_list_is_stale_revocation_list)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &default_spec, seal, sizeof seal);
    struct revlist rl = {0};
    int rc = make_revlist(&f.aze, T_CHECK - 86400 * 3, T_CHECK - 86400, "AZ0009999", &rl);
    struct verdict v;
    verifier_check(seal, n, f.trust, &rl, T_CHECK, &v);
    revlist_free(&rl);
    fixture_close(&f);
    CHECK_INT(rc, 0);
    CHECK_INT(v.status, VERDICT_STALE_REVOCATION_LIST);
    CHECK_INT(v.revocation, REVOCATION_STALE);
}

TEST(verifier_stale_list_still_revokes)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &default_spec, seal, sizeof seal);
    struct revlist rl = {0};
    int rc = make_revlist(&f.aze, T_CHECK - 86400 * 3, T_CHECK - 86400, "AZ0001234", &rl);
    struct verdict v;
    verifier_check(seal, n, f.trust, &rl, T_CHECK, &v);
    revlist_free(&rl);
    fixture_close(&f);
    CHECK_INT(rc, 0);
    CHECK_INT(v.status, VERDICT_REVOKED);
}

TEST(verifier_list_from_the_future_is_stale_revocation_list)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &default_spec, seal, sizeof seal);
    struct revlist rl = {0};
    int rc = make_revlist(&f.aze, T_CHECK + 86400, T_CHECK + 86400 * 2, "AZ0009999", &rl);
    struct verdict v;
    verifier_check(seal, n, f.trust, &rl, T_CHECK, &v);
    revlist_free(&rl);
    fixture_close(&f);
    CHECK_INT(rc, 0);
    CHECK_INT(v.status, VERDICT_STALE_REVOCATION_LIST);
    CHECK_INT(v.revocation, REVOCATION_FUTURE);
}

TEST(verifier_refused_list_in_trust_store_is_stale_revocation_list)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &default_spec, seal, sizeof seal);
    /* An AZE list signed by PAK's CSCA, put in place by hand. */
    static const char numbers[1][16] = {"AZ0009999"};
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = revlist_build("AZE", T_CHECK - 3600, T_CHECK + 86400, numbers, 1, f.pak.csca_key,
                           &data, &len);
    char path[700];
    snprintf(path, sizeof path, "%s/AZE/revoked.bin", f.dir);
    FILE *fp = fopen(path, "wb");
    if (fp) {
        fwrite(data, 1, len, fp);
        fclose(fp);
    }
    free(data);
    struct trust *t = NULL;
    int rc2 = trust_open(f.dir, &t, NULL, 0);
    struct verdict v;
    if (rc2 == 0)
        verifier_check(seal, n, t, NULL, T_CHECK, &v);
    trust_close(t);
    fixture_close(&f);
    CHECK_INT(rc, 0);
    CHECK(fp != NULL);
    CHECK_INT(rc2, 0);
    CHECK_INT(v.status, VERDICT_STALE_REVOCATION_LIST);
    CHECK_INT(v.revocation, REVOCATION_REFUSED);
}

TEST(verifier_checks_before_revocation_and_expiry_win)
{
    /* A seal that is both badly signed and revoked and expired: INVALID. */
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &default_spec, seal, sizeof seal);
    seal[n - 1] ^= 1;
    struct revlist rl = {0};
    int rc = make_revlist(&f.aze, T_EXPIRED - 3600, T_EXPIRED + 86400, "AZ0001234", &rl);
    struct verdict v;
    verifier_check(seal, n, f.trust, &rl, T_EXPIRED, &v);
    seal[n - 1] ^= 1;
    struct verdict v2; /* revoked beats expired */
    verifier_check(seal, n, f.trust, &rl, T_EXPIRED, &v2);
    revlist_free(&rl);
    fixture_close(&f);
    CHECK_INT(rc, 0);
    CHECK_INT(v.status, VERDICT_INVALID);
    CHECK_INT(v.reason, VREASON_SIGNATURE_INVALID);
    CHECK_INT(v2.status, VERDICT_REVOKED);
}

TEST(verifier_cache_gives_the_same_verdicts)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &default_spec, seal, sizeof seal);
    struct seal_spec early = default_spec;
    early.issue = early.signed_on = (struct vds_date){2026, 9, 1};
    uint8_t seal2[VDS_MAX_BYTES];
    size_t n2 = seal_make(&f.aze, &early, seal2, sizeof seal2);
    struct verifier_cache cache = {0};
    int ok = 1;
    for (int i = 0; i < 40; i++) {
        struct verdict v;
        verifier_check_cached(seal, n, f.trust, NULL, T_CHECK, &cache, &v);
        ok &= v.status == VERDICT_VALID;
        verifier_check_cached(seal2, n2, f.trust, NULL, T_CHECK, &cache, &v);
        ok &= v.status == VERDICT_INVALID && v.reason == VREASON_SIGNER_NOT_VALID_AT_SIGNING;
    }
    seal[n - 3] ^= 4; /* the cached signature path still rejects a bad signature */
    struct verdict bad;
    verifier_check_cached(seal, n, f.trust, NULL, T_CHECK, &cache, &bad);
    unsigned chain_checks = cache.next;
    verifier_cache_clear(&cache);
    fixture_close(&f);
    CHECK(ok);
    CHECK_INT(bad.reason, VREASON_SIGNATURE_INVALID);
    CHECK_INT(chain_checks, 2);
    CHECK_INT(cache.next, 0);
}

/* The published vdstools seal with its DS given directly. */
TEST(verifier_published_dets32_seal_signature_holds_but_chain_is_untrusted)
{
    char path[512];
    uint8_t seal[VDS_MAX_BYTES];
    long n = load_hex_vector("vdstools-visa-224.hex", seal, sizeof seal);
    CHECK(n > 0);
    X509 *ds = NULL;
    CHECK(signer_cert_load_file(
              test_shared_path("vectors/published_DETS32.cert.pem", path, sizeof path), &ds) == 0);
    /* DETS32 is not self-issued (issuer O=tsenger OU=sealver CN=TS), so it
     * cannot anchor its own chain even when trusted. */
    X509_STORE *store = X509_STORE_new();
    X509_STORE_add_cert(store, ds);
    struct verdict v;
    verifier_check_cert(seal, (size_t)n, ds, store, NULL, T_CHECK, &v);
    X509_STORE_free(store);
    X509_free(ds);
    CHECK(n > 0);
    CHECK_INT(v.status, VERDICT_INVALID);
    CHECK_INT(v.reason, VREASON_UNTRUSTED_CHAIN);
    CHECK_STR(v.visa_number, "1234567XY");
}

TEST(verifier_published_utts5b_seal_is_expired_with_self_signed_signer)
{
    char path[512];
    uint8_t seal[VDS_MAX_BYTES];
    long n = load_hex_vector("li0ard-visa-256-unordered-tags.hex", seal, sizeof seal);
    CHECK(n > 0);
    X509 *ds = NULL;
    CHECK(signer_cert_load_file(
              test_shared_path("vectors/published_UTTS5B.cert.pem", path, sizeof path), &ds) == 0);
    X509_STORE *store = X509_STORE_new();
    X509_STORE_add_cert(store, ds);
    struct verdict v;
    verifier_check_cert(seal, (size_t)n, ds, store, NULL, T_CHECK, &v);
    struct verdict before_expiry; /* on 2020-03-01, before its MRZ expiry 2020-05-25 */
    verifier_check_cert(seal, (size_t)n, ds, store, NULL, 1583020800, &before_expiry);
    X509_STORE_free(store);
    X509_free(ds);
    CHECK(n > 0);
    CHECK(v.decoded);
    CHECK_INT(v.status, VERDICT_EXPIRED);
    CHECK_INT(before_expiry.status, VERDICT_VALID);
}

/* Photo-like input: the PNG of a seal rotated, scaled and blurred, then
 * read back and verified. */
TEST(verifier_photo_like_png_of_a_seal_is_valid)
{
    struct fixture f;
    CHECK(fixture_open(&f, true) == 0);
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = seal_make(&f.aze, &default_spec, seal, sizeof seal);
    struct dm_options o = {.quiet_zone = 2, .module_px = 6};
    uint8_t *png = NULL, *png2 = NULL;
    size_t png_len = 0, png2_len = 0;
    struct gray_image g = {0}, r = {0}, s = {0}, b = {0};
    int rc = dm_render_png(seal, n, &o, &png, &png_len);
    if (rc == 0)
        rc = image_decode_gray(png, png_len, 0, &g);
    if (rc == 0)
        rc = imgops_rotate(&g, 11, &r);
    if (rc == 0)
        rc = imgops_scale(&r, 1.3, &s);
    if (rc == 0)
        rc = imgops_blur3(&s, &b);
    if (rc == 0)
        rc = image_encode_png(&b, &png2, &png2_len);
    uint8_t got[VDS_MAX_BYTES];
    size_t got_len = 0;
    int drc = rc == 0 ? dm_decode_image(png2, png2_len, got, sizeof got, &got_len) : rc;
    struct verdict v;
    if (drc == 0)
        verifier_check(got, got_len, f.trust, NULL, T_CHECK, &v);
    free(png);
    free(png2);
    image_free(&g);
    image_free(&r);
    image_free(&s);
    image_free(&b);
    fixture_close(&f);
    CHECK_INT(rc, 0);
    CHECK_INT(drc, 0);
    CHECK_INT(got_len, n);
    CHECK_INT(v.status, VERDICT_VALID);
}

TEST(verifier_names_and_codes_cover_every_value)
{
    for (int i = 0; i < VERDICT__MAX; i++)
        CHECK(verdict_status_names[i] && verdict_status_codes[i]);
    for (int i = 0; i < VREASON__MAX; i++)
        CHECK(verdict_reason_codes[i]);
    for (int i = 0; i < REVOCATION__MAX; i++)
        CHECK(revocation_state_codes[i]);
    CHECK_STR(verdict_status_names[VERDICT_UNKNOWN_SIGNER], "UNKNOWN SIGNER");
    CHECK_STR(verdict_reason_codes[VREASON_UNTRUSTED_CHAIN], "untrusted_chain");
}
