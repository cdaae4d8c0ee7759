/*
 * seal.c — benchmark of seal signing, seal verification and DataMatrix
 * decoding, measured in-process on one core.  Prints "name value" lines
 * that scripts/bench sets against `openssl speed ecdsap256` from the same
 * run:
 *   sign_per_s      build the MRZ + encode the seal + ECDSA P-256 sign + append
 *   verify_per_s    decode the seal + ECDSA P-256 verify
 *   png_decode_ms   find and decode the DataMatrix in a 600x600 PNG
 * Times are CPU time of this process, as `openssl speed` (without
 * -elapsed) counts them, so a busy machine does not skew the ratios.
 * Usage: bench-seal [seconds per measurement, default 3]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "crypto/seal_sig.h"
#include "icao/mrz.h"
#include "icao/vds.h"
#include "render/datamatrix.h"

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
    .expiry = "270220",
    .optional = "",
    .profile = {true, 'A'},
};

/* Builds and signs one visa seal; returns its length or 0 on failure. */
static size_t make_seal(EVP_PKEY *key, uint8_t *seal, size_t cap)
{
    struct vds_header h = {.version = 4,
                           .issuing_country = "AZE",
                           .signer_id = "AZEV",
                           .cert_ref = "1F4A",
                           .issue_date = {2026, 11, 20},
                           .signature_date = {2026, 11, 21}};
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
    if (mrz_build_visa(MRZ_FORMAT_MRV_A, &visa_fields, l1, l2, NULL, NULL) < 0)
        return 0;
    memcpy(v.mrz_line1, l1, sizeof v.mrz_line1);
    memcpy(v.mrz_line2, l2, 28);
    if (vds_encode_visa(&h, &v, seal, cap, &len) < 0 ||
        seal_sig_sign(key, seal, len, rs, sizeof rs, &rs_len) < 0 ||
        vds_append_signature(seal, len, cap, rs, rs_len, &total) < 0)
        return 0;
    return total;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 3.0;
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!key) {
        fprintf(stderr, "bench-seal: cannot generate a P-256 key\n");
        return 1;
    }
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = 0;

    long signs = 0;
    double t0 = now_s(), t;
    do {
        for (int i = 0; i < 64; i++, signs++)
            if (!(n = make_seal(key, seal, sizeof seal))) {
                fprintf(stderr, "bench-seal: signing failed\n");
                return 1;
            }
        t = now_s() - t0;
    } while (t < secs);
    printf("sign_per_s %.1f\n", (double)signs / t);

    long verifies = 0;
    t0 = now_s();
    do {
        for (int i = 0; i < 64; i++, verifies++) {
            struct vds_seal s;
            if (vds_decode(seal, n, &s) < 0 ||
                seal_sig_verify(key, seal, s.signed_length, s.signature, s.signature_length) < 0) {
                fprintf(stderr, "bench-seal: verification failed\n");
                return 1;
            }
        }
        t = now_s() - t0;
    } while (t < secs);
    printf("verify_per_s %.1f\n", (double)verifies / t);

    /* A 44x44 symbol with a 3-module quiet zone at 12 px per module: 600x600. */
    struct dm_options o = {.quiet_zone = 3, .module_px = 12, .module_mm = 0.5};
    uint8_t *png;
    size_t png_len;
    if (dm_render_png(seal, n, &o, &png, &png_len) < 0) {
        fprintf(stderr, "bench-seal: rendering failed\n");
        return 1;
    }
    long decodes = 0;
    t0 = now_s();
    do {
        uint8_t out[VDS_MAX_BYTES];
        size_t got;
        if (dm_decode_image(png, png_len, out, sizeof out, &got) < 0 || got != n ||
            memcmp(out, seal, n) != 0) {
            fprintf(stderr, "bench-seal: DataMatrix decoding failed\n");
            return 1;
        }
        decodes++;
        t = now_s() - t0;
    } while (t < secs / 2 || decodes < 10);
    printf("png_decode_ms %.2f\n", t * 1000.0 / (double)decodes);
    printf("png_bytes %zu\n", png_len);
    printf("seal_bytes %zu\n", n);
    free(png);
    EVP_PKEY_free(key);
    return 0;
}
