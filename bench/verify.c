/*
 * verify.c — benchmark of the offline verifier (verify/verifier.h): full
 * verdicts per second from seal bytes against a trust store opened once
 * (decode + MRZ checks + signer lookup + ECDSA P-256 verify + chain and
 * dates, the chain memoised per signer and day + revocation + expiry), and
 * milliseconds per verdict from a 600x600 PNG of the DataMatrix.  Prints
 * "name value" lines that scripts/bench sets against `openssl speed
 * ecdsap256` from the same run:
 *   verify_per_s           verifier_check_cached on seal bytes
 *   verify_uncached_per_s  verifier_check (chain re-checked every time)
 *   png_verify_ms          dm_decode_image + verifier_check_cached
 * Times are CPU time of this process, as `openssl speed` counts them.
 * Usage: bench-verify [seconds per measurement, default 3]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/keys.h"
#include "crypto/seal_sig.h"
#include "crypto/signer_cert.h"
#include "icao/mrz.h"
#include "icao/vds.h"
#include "render/datamatrix.h"
#include "verify/trust.h"
#include "verify/verifier.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const struct mrv_input visa_fields = {
    .document_code = "V",
    .issuing_state = "AZE",
    .primary = "Khan",
    .secondary = "Imran Ahmed",
    .number = "AZ0001234",
    .nationality = "PAK",
    .birth = "790315",
    .sex = 'M',
    .expiry = "350220",
    .optional = "",
    .profile = {true, 'A'},
};

/* Builds and signs one visa seal with the DS; returns its length or 0. */
static size_t make_seal(EVP_PKEY *key, X509 *ds, struct vds_date today, uint8_t *seal, size_t cap)
{
    struct vds_header h = {
        .version = 4, .issuing_country = "AZE", .issue_date = today, .signature_date = today};
    struct vds_visa v = {.mrz_tag = VDS_TAG_MRZ_MRVA,
                         .has_entries = true,
                         .entries = 1,
                         .duration_days = 30,
                         .passport_number = "AB1234567",
                         .visa_type_len = 1,
                         .visa_type = {1}};
    char l1[MRZ_LINE_MAX + 1], l2[MRZ_LINE_MAX + 1];
    uint8_t rs[SEAL_SIG_MAX];
    size_t len, rs_len, total;
    if (signer_cert_reference(ds, h.signer_id, sizeof h.signer_id, h.cert_ref, sizeof h.cert_ref) <
            0 ||
        mrz_build_visa(MRZ_FORMAT_MRV_A, &visa_fields, l1, l2, NULL, NULL) < 0)
        return 0;
    memcpy(v.mrz_line1, l1, sizeof v.mrz_line1);
    memcpy(v.mrz_line2, l2, 28);
    if (vds_encode_visa(&h, &v, seal, cap, &len) < 0 ||
        seal_sig_sign(key, seal, len, rs, sizeof rs, &rs_len) < 0 ||
        vds_append_signature(seal, len, cap, rs, rs_len, &total) < 0)
        return 0;
    return total;
}

/* A trust store DIR/AZE/{csca.pem,ds/ds.pem} for a fresh P-256 PKI. */
static int make_trust(const char *dir, EVP_PKEY **ds_key, X509 **ds)
{
    EVP_PKEY *csca_key = NULL;
    X509 *csca = NULL;
    char path[512];
    time_t now = time(NULL) - 86400;
    int rc = keys_generate(KEYS_DEFAULT_CURVE, &csca_key);
    if (!rc)
        rc = keys_generate(KEYS_DEFAULT_CURVE, ds_key);
    if (!rc)
        rc = keys_make_csca(csca_key, "AZE", "AZ", now, &csca);
    if (!rc)
        rc = keys_make_ds(*ds_key, csca, csca_key, "AZE", "AZ", NULL, now, ds);
    snprintf(path, sizeof path, "%s/AZE", dir);
    if (!rc && mkdir(path, 0700) < 0)
        rc = -1;
    snprintf(path, sizeof path, "%s/AZE/ds", dir);
    if (!rc && mkdir(path, 0700) < 0)
        rc = -1;
    snprintf(path, sizeof path, "%s/AZE/csca.pem", dir);
    if (!rc)
        rc = keys_write_cert(path, csca);
    snprintf(path, sizeof path, "%s/AZE/ds/ds.pem", dir);
    if (!rc)
        rc = keys_write_cert(path, *ds);
    EVP_PKEY_free(csca_key);
    X509_free(csca);
    return rc;
}

static void remove_trust(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/AZE/ds/ds.pem", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/AZE/csca.pem", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/AZE/ds", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/AZE", dir);
    rmdir(path);
    rmdir(dir);
}

static int fail(const char *what)
{
    fprintf(stderr, "bench-verify: %s\n", what);
    return 1;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 3.0;
    const char *tmp = getenv("TMPDIR");
    char dir[256];
    snprintf(dir, sizeof dir, "%s/evisa-bench-verify-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return fail("cannot create a temporary directory");
    EVP_PKEY *ds_key = NULL;
    X509 *ds = NULL;
    struct trust *t = NULL;
    int rc = make_trust(dir, &ds_key, &ds);
    if (!rc)
        rc = trust_open(dir, &t, NULL, 0);
    remove_trust(dir);
    if (rc)
        return fail("cannot make the trust store");

    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    struct vds_date today = {(uint16_t)(tm.tm_year + 1900), (uint8_t)(tm.tm_mon + 1),
                             (uint8_t)tm.tm_mday};
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = make_seal(ds_key, ds, today, seal, sizeof seal);
    if (!n)
        return fail("signing failed");

    struct verifier_cache cache = {0};
    struct verdict v;
    long count = 0;
    double t0 = now_s(), el;
    do {
        for (int i = 0; i < 64; i++, count++)
            if (verifier_check_cached(seal, n, t, NULL, now, &cache, &v) < 0 ||
                v.status != VERDICT_VALID)
                return fail("verification failed");
        el = now_s() - t0;
    } while (el < secs);
    printf("verify_per_s %.1f\n", (double)count / el);

    count = 0;
    t0 = now_s();
    do {
        for (int i = 0; i < 16; i++, count++)
            if (verifier_check(seal, n, t, NULL, now, &v) < 0 || v.status != VERDICT_VALID)
                return fail("verification failed");
        el = now_s() - t0;
    } while (el < secs / 2);
    printf("verify_uncached_per_s %.1f\n", (double)count / el);

    /* A 44x44 symbol with a 3-module quiet zone at 12 px per module: 600x600. */
    struct dm_options o = {.quiet_zone = 3, .module_px = 12, .module_mm = 0.5};
    uint8_t *png;
    size_t png_len;
    if (dm_render_png(seal, n, &o, &png, &png_len) < 0)
        return fail("rendering failed");
    count = 0;
    t0 = now_s();
    do {
        uint8_t got[VDS_MAX_BYTES];
        size_t got_len;
        if (dm_decode_image(png, png_len, got, sizeof got, &got_len) < 0 ||
            verifier_check_cached(got, got_len, t, NULL, now, &cache, &v) < 0 ||
            v.status != VERDICT_VALID)
            return fail("PNG verification failed");
        count++;
        el = now_s() - t0;
    } while (el < secs / 2 || count < 10);
    printf("png_verify_ms %.2f\n", el * 1000.0 / (double)count);
    printf("seal_bytes %zu\n", n);
    free(png);
    verifier_cache_clear(&cache);
    trust_close(t);
    X509_free(ds);
    EVP_PKEY_free(ds_key);
    return 0;
}
