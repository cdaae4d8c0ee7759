/*
 * test_signer_cert.c — document signer certificates (crypto/signer_cert.h):
 * loading PEM/DER/keys/trust stores with their limits, matching the seal
 * references (DETS32, UTTS5B, AZEV1F4A, PKEVB7), validity at the signing
 * date with day resolution, and chains to the own test CSCAs.  Also the
 * crypto module's error names.
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "crypto/crypto_err.h"
#include "crypto/signer_cert.h"

/* Seconds since the epoch of a UTC date and time. */
static time_t utc(int y, int m, int d, int hh, int mm, int ss)
{
    long long yy = y - (m <= 2);
    long long era = (yy >= 0 ? yy : yy - 399) / 400, yoe = yy - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    return (time_t)(days * 86400 + hh * 3600 + mm * 60 + ss);
}

static const char *vector_path(const char *file, char *buf, size_t cap)
{
    char rel[256];
    snprintf(rel, sizeof rel, "vectors/%s", file);
    return test_shared_path(rel, buf, cap);
}

static X509 *vector_cert(const char *file)
{
    char path[1024];
    X509 *x = NULL;
    if (!vector_path(file, path, sizeof path) || signer_cert_load_file(path, &x) != 0)
        return NULL;
    return x;
}

static X509_STORE *vector_store(const char *file)
{
    char path[1024];
    X509_STORE *s = NULL;
    if (!vector_path(file, path, sizeof path) || signer_trust_load_file(path, &s) != 0)
        return NULL;
    return s;
}

TEST(crypto_err_names_are_unique_stable_and_sign_agnostic)
{
    CHECK_STR(crypto_err_code(-CRYPTO_E_SIGNATURE_INVALID), "signature_invalid");
    CHECK_STR(crypto_err_code(CRYPTO_E_CERT_MISMATCH), "cert_mismatch");
    CHECK_STR(crypto_err_code(-CRYPTO_E_CERT_NOT_YET_VALID), "cert_not_yet_valid");
    CHECK_STR(crypto_err_code(-CRYPTO_E_CERT_EXPIRED), "cert_expired");
    CHECK_STR(crypto_err_code(-CRYPTO_E_UNTRUSTED), "untrusted");
    CHECK_STR(crypto_err_code(-CRYPTO_E_BAD_KEY), "bad_key");
    CHECK_STR(crypto_err_code(-CRYPTO_E_BAD_CERT), "bad_cert");
    CHECK_STR(crypto_err_code(0), "ok");
    CHECK_STR(crypto_err_code(CRYPTO_E__BASE), "unknown");
    CHECK_STR(crypto_err_code(CRYPTO_E__MAX), "unknown");
    CHECK_STR(crypto_err_code(5), "unknown");
    CHECK_STR(crypto_err_message(CRYPTO_E__MAX), "unknown error");
    for (int e = CRYPTO_E__BASE + 1; e < CRYPTO_E__MAX; e++) {
        CHECK(crypto_err_code(e) != NULL && strcmp(crypto_err_code(e), "unknown") != 0);
        CHECK(crypto_err_message(e) != NULL && strcmp(crypto_err_message(e), "unknown error"));
        for (int f = CRYPTO_E__BASE + 1; f < e; f++)
            CHECK(strcmp(crypto_err_code(e), crypto_err_code(f)) != 0);
    }
}

TEST(signer_cert_loads_every_vector_certificate_as_pem_and_der)
{
    static const char *files[] = {"published_DETS32.cert.pem", "published_UTTS5B.cert.pem",
                                  "own_ds_AZE.cert.pem",       "own_csca_AZE.cert.pem",
                                  "own_ds_PAK.cert.pem",       "own_csca_PAK.cert.pem"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        X509 *pem = vector_cert(files[i]), *der = NULL;
        CHECK_CTX(pem != NULL, files[i]);
        if (!pem)
            continue;
        unsigned char *buf = NULL;
        int n = i2d_X509(pem, &buf);
        CHECK_CTX(n > 0 && signer_cert_load_mem(buf, (size_t)n, &der) == 0, files[i]);
        CHECK_CTX(der && X509_cmp(pem, der) == 0, files[i]);
        OPENSSL_free(buf);
        X509_free(der);
        X509_free(pem);
    }
}

TEST(signer_cert_loads_pem_after_leading_text)
{
    char path[1024];
    size_t n = 0;
    CHECK(vector_path("own_ds_AZE.cert.pem", path, sizeof path) != NULL);
    char *pem = test_read_file(path, &n);
    CHECK(pem != NULL);
    char *text = malloc(n + 32);
    CHECK(text != NULL);
    int k = snprintf(text, 32, "0 = leading comment\n");
    memcpy(text + k, pem, n);
    X509 *x = NULL;
    CHECK_INT(signer_cert_load_mem((const uint8_t *)text, (size_t)k + n, &x), 0);
    CHECK_INT(signer_cert_matches(x, "AZEV", "1F4A"), 0);
    X509_free(x);
    free(text);
    free(pem);
}

TEST(signer_cert_load_rejects_bad_input)
{
    X509 *x = NULL;
    static const uint8_t garbage[] = "not a certificate";
    CHECK_INT(signer_cert_load_mem(garbage, sizeof garbage, &x), -CRYPTO_E_BAD_CERT);
    CHECK_INT(signer_cert_load_mem(garbage, 0, &x), -CRYPTO_E_BAD_CERT);
    static const uint8_t bad_der[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    CHECK_INT(signer_cert_load_mem(bad_der, sizeof bad_der, &x), -CRYPTO_E_BAD_CERT);
    uint8_t *big = calloc(SIGNER_FILE_MAX + 1, 1);
    CHECK(big != NULL);
    CHECK_INT(signer_cert_load_mem(big, SIGNER_FILE_MAX + 1, &x), -CRYPTO_E_TOO_LARGE);
    free(big);
    CHECK_INT(signer_cert_load_file("/nonexistent/cert.pem", &x), -CRYPTO_E_IO);
    CHECK_INT(signer_cert_load_file("/tmp", &x), -CRYPTO_E_IO);
    CHECK(x == NULL);
}

TEST(signer_cert_load_rejects_der_with_trailing_bytes)
{
    X509 *pem = vector_cert("own_ds_PAK.cert.pem"), *x = NULL;
    CHECK(pem != NULL);
    uint8_t buf[4096];
    unsigned char *p = buf;
    int n = i2d_X509(pem, &p);
    X509_free(pem);
    CHECK(n > 0 && (size_t)n < sizeof buf);
    buf[n] = 0;
    CHECK_INT(signer_cert_load_mem(buf, (size_t)n + 1, &x), -CRYPTO_E_BAD_CERT);
}

TEST(signer_cert_load_file_rejects_oversized_file)
{
    char dir[256], path[300];
    CHECK(test_tmpdir(dir, sizeof dir) != NULL);
    snprintf(path, sizeof path, "%s/big.pem", dir);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    for (unsigned i = 0; i <= SIGNER_FILE_MAX; i++)
        fputc('A', f);
    fclose(f);
    X509 *x = NULL;
    EVP_PKEY *k = NULL;
    CHECK_INT(signer_cert_load_file(path, &x), -CRYPTO_E_TOO_LARGE);
    CHECK_INT(signer_key_load_file(path, &k), -CRYPTO_E_TOO_LARGE);
    remove(path);
    remove(dir);
}

TEST(signer_cert_matches_vector_references)
{
    json_t *root, *vecs = test_load_vectors("vds_seals.json", &root);
    size_t i, checked = 0;
    json_t *v;
    if (!vecs)
        return;
    json_array_foreach(vecs, i, v)
    {
        const char *id = json_string_value(json_object_get(v, "id"));
        const char *pem = json_string_value(json_object_get(v, "cert_pem"));
        json_t *exp = json_object_get(v, "expected");
        if (!pem)
            continue;
        X509 *cert = vector_cert(pem);
        CHECK_CTX(cert != NULL, id);
        const char *sid = json_string_value(json_object_get(exp, "signer_identifier"));
        const char *ref = json_string_value(json_object_get(exp, "cert_ref"));
        CHECK_CTX(json_is_true(json_object_get(exp, "cert_matches_reference")), id);
        CHECK_CTX(signer_cert_matches(cert, sid, ref) == 0, id);
        X509_free(cert);
        checked++;
    }
    json_decref(root);
    CHECK(checked >= 6);
}

TEST(signer_cert_matches_ignores_leading_zeros_and_case)
{
    X509 *dets = vector_cert("published_DETS32.cert.pem");
    X509 *aze = vector_cert("own_ds_AZE.cert.pem"), *pak = vector_cert("own_ds_PAK.cert.pem");
    X509 *ut = vector_cert("published_UTTS5B.cert.pem");
    CHECK(dets && aze && pak && ut);
    CHECK_INT(signer_cert_matches(dets, "DETS", "32"), 0);
    CHECK_INT(signer_cert_matches(dets, "DETS", "00032"), 0); /* version-3 layout */
    CHECK_INT(signer_cert_matches(aze, "AZEV", "1F4A"), 0);
    CHECK_INT(signer_cert_matches(aze, "AZEV", "01f4a"), 0);
    CHECK_INT(signer_cert_matches(pak, "PKEV", "B7"), 0);
    CHECK_INT(signer_cert_matches(ut, "UTTS", "5B"), 0);
    X509_free(dets);
    X509_free(aze);
    X509_free(pak);
    X509_free(ut);
}

TEST(signer_cert_matches_rejects_wrong_signer_or_reference)
{
    X509 *dets = vector_cert("published_DETS32.cert.pem");
    X509 *aze = vector_cert("own_ds_AZE.cert.pem"), *csca = vector_cert("own_csca_AZE.cert.pem");
    CHECK(dets && aze && csca);
    CHECK_INT(signer_cert_matches(dets, "DETS", "33"), -CRYPTO_E_CERT_MISMATCH);
    CHECK_INT(signer_cert_matches(dets, "DETS", "320"), -CRYPTO_E_CERT_MISMATCH);
    CHECK_INT(signer_cert_matches(dets, "DETX", "32"), -CRYPTO_E_CERT_MISMATCH);
    CHECK_INT(signer_cert_matches(dets, "UTTS", "32"), -CRYPTO_E_CERT_MISMATCH);
    CHECK_INT(signer_cert_matches(dets, "DET", "32"), -CRYPTO_E_CERT_MISMATCH);
    CHECK_INT(signer_cert_matches(dets, "DETSS", "32"), -CRYPTO_E_CERT_MISMATCH);
    CHECK_INT(signer_cert_matches(dets, "DETS", ""), -CRYPTO_E_CERT_MISMATCH);
    CHECK_INT(signer_cert_matches(dets, "DETS", "3G"), -CRYPTO_E_CERT_MISMATCH);
    CHECK_INT(signer_cert_matches(dets, "DETS", NULL), -CRYPTO_E_CERT_MISMATCH);
    CHECK_INT(signer_cert_matches(aze, "AZEV", "B7"), -CRYPTO_E_CERT_MISMATCH);
    CHECK_INT(signer_cert_matches(aze, "PKEV", "1F4A"), -CRYPTO_E_CERT_MISMATCH);
    /* The CSCA's CN is not two characters: it names no seal signer. */
    CHECK_INT(signer_cert_matches(csca, "AZTE", "1"), -CRYPTO_E_CERT_MISMATCH);
    CHECK_INT(signer_cert_matches(NULL, "AZEV", "1F4A"), -CRYPTO_E_CERT_MISMATCH);
    X509_free(dets);
    X509_free(aze);
    X509_free(csca);
}

TEST(signer_cert_reference_derives_seal_header_fields)
{
    X509 *dets = vector_cert("published_DETS32.cert.pem"),
         *aze = vector_cert("own_ds_AZE.cert.pem");
    X509 *csca = vector_cert("own_csca_AZE.cert.pem");
    char id[5], ref[SIGNER_REF_MAX + 1];
    CHECK(dets && aze && csca);
    CHECK_INT(signer_cert_reference(dets, id, sizeof id, ref, sizeof ref), 0);
    CHECK_STR(id, "DETS");
    CHECK_STR(ref, "32");
    CHECK_INT(signer_cert_reference(aze, id, sizeof id, ref, sizeof ref), 0);
    CHECK_STR(id, "AZEV");
    CHECK_STR(ref, "1F4A");
    CHECK_INT(signer_cert_reference(aze, NULL, 0, ref, sizeof ref), 0);
    CHECK_INT(signer_cert_reference(aze, id, 4, NULL, 0), -CRYPTO_E_NO_SPACE);
    CHECK_INT(signer_cert_reference(aze, NULL, 0, ref, 4), -CRYPTO_E_NO_SPACE);
    CHECK_INT(signer_cert_reference(csca, id, sizeof id, NULL, 0), -CRYPTO_E_BAD_CERT);
    CHECK_INT(signer_cert_reference(NULL, id, sizeof id, ref, sizeof ref), -CRYPTO_E_BAD_CERT);
    X509_free(dets);
    X509_free(aze);
    X509_free(csca);
}

TEST(signer_cert_check_own_seal_date_is_before_certificate)
{
    /* The own seals say signed 2026-11-21; their DS certificates start on
     * 2026-11-23 04:54:34 UTC.  A real finding, reported as such. */
    X509 *aze = vector_cert("own_ds_AZE.cert.pem");
    X509_STORE *trust = vector_store("own_csca_AZE.cert.pem");
    char msg[256] = "";
    CHECK(aze && trust);
    CHECK_INT(signer_cert_check(aze, NULL, utc(2026, 11, 21, 0, 0, 0), msg, sizeof msg),
              -CRYPTO_E_CERT_NOT_YET_VALID);
    CHECK(strstr(msg, "2026-11-21") && strstr(msg, "2026-11-23 04:54:34 UTC"));
    CHECK_INT(signer_cert_check(aze, trust, utc(2026, 11, 22, 23, 59, 59), msg, sizeof msg),
              -CRYPTO_E_CERT_NOT_YET_VALID);
    X509_free(aze);
    X509_STORE_free(trust);
}

TEST(signer_cert_check_counts_the_whole_signing_day)
{
    X509 *aze = vector_cert("own_ds_AZE.cert.pem"),
         *dets = vector_cert("published_DETS32.cert.pem");
    X509_STORE *trust = vector_store("own_csca_AZE.cert.pem");
    char msg[256];
    CHECK(aze && dets && trust);
    /* Midnight of the day the certificate starts (04:54:34 that day). */
    CHECK_INT(signer_cert_check(aze, trust, utc(2026, 11, 23, 0, 0, 0), msg, sizeof msg), 0);
    CHECK_STR(msg, "ok");
    /* DETS32 expires 2025-01-10 07:47:00 UTC; a seal of that day is fine. */
    CHECK_INT(signer_cert_check(dets, NULL, utc(2025, 1, 10, 23, 0, 0), msg, sizeof msg), 0);
    X509_free(aze);
    X509_free(dets);
    X509_STORE_free(trust);
}

TEST(signer_cert_check_accepts_date_inside_validity_and_chain)
{
    X509 *aze = vector_cert("own_ds_AZE.cert.pem"), *pak = vector_cert("own_ds_PAK.cert.pem");
    X509_STORE *taze = vector_store("own_csca_AZE.cert.pem");
    X509_STORE *tpak = vector_store("own_csca_PAK.cert.pem");
    X509 *dets = vector_cert("published_DETS32.cert.pem");
    CHECK(aze && pak && taze && tpak && dets);
    CHECK_INT(signer_cert_check(aze, taze, utc(2030, 6, 1, 0, 0, 0), NULL, 0), 0);
    CHECK_INT(signer_cert_check(pak, tpak, utc(2036, 11, 20, 0, 0, 0), NULL, 0), 0);
    CHECK_INT(signer_cert_check(dets, NULL, utc(2023, 8, 19, 0, 0, 0), NULL, 0), 0);
    X509_free(aze);
    X509_free(pak);
    X509_free(dets);
    X509_STORE_free(taze);
    X509_STORE_free(tpak);
}

TEST(signer_cert_check_reports_expired)
{
    X509 *dets = vector_cert("published_DETS32.cert.pem"),
         *aze = vector_cert("own_ds_AZE.cert.pem");
    char msg[256] = "";
    CHECK(dets && aze);
    CHECK_INT(signer_cert_check(dets, NULL, utc(2025, 1, 11, 0, 0, 0), msg, sizeof msg),
              -CRYPTO_E_CERT_EXPIRED);
    CHECK(strstr(msg, "2025-01-10 07:47:00 UTC") != NULL);
    CHECK_INT(signer_cert_check(aze, NULL, utc(2037, 1, 1, 0, 0, 0), msg, sizeof msg),
              -CRYPTO_E_CERT_EXPIRED);
    X509_free(dets);
    X509_free(aze);
}

TEST(signer_cert_check_rejects_wrong_csca)
{
    X509 *aze = vector_cert("own_ds_AZE.cert.pem"),
         *dets = vector_cert("published_DETS32.cert.pem");
    X509_STORE *tpak = vector_store("own_csca_PAK.cert.pem");
    char msg[256] = "";
    CHECK(aze && dets && tpak);
    CHECK_INT(signer_cert_check(aze, tpak, utc(2030, 1, 1, 0, 0, 0), msg, sizeof msg),
              -CRYPTO_E_UNTRUSTED);
    CHECK(strstr(msg, "trusted CSCA") != NULL);
    CHECK_INT(signer_cert_check(dets, tpak, utc(2023, 8, 19, 0, 0, 0), NULL, 0),
              -CRYPTO_E_UNTRUSTED);
    X509_free(aze);
    X509_free(dets);
    X509_STORE_free(tpak);
}

TEST(signer_cert_check_rejects_unreadable_validity)
{
    X509 *x = X509_new();
    char msg[128];
    CHECK(x != NULL);
    CHECK_INT(signer_cert_check(x, NULL, 0, msg, sizeof msg), -CRYPTO_E_BAD_CERT);
    CHECK_INT(signer_cert_check(NULL, NULL, 0, msg, sizeof msg), -CRYPTO_E_BAD_CERT);
    X509_free(x);
}

/* The text of a vector file, malloc'd. */
static char *vector_text(const char *file, size_t *len)
{
    char path[1024];
    return vector_path(file, path, sizeof path) ? test_read_file(path, len) : NULL;
}

TEST(signer_trust_loads_several_csca_certificates)
{
    size_t na = 0, np = 0;
    char *a = vector_text("own_csca_AZE.cert.pem", &na),
         *p = vector_text("own_csca_PAK.cert.pem", &np);
    CHECK(a && p);
    char *both = malloc(na + np);
    CHECK(both != NULL);
    memcpy(both, a, na);
    memcpy(both + na, p, np);
    X509_STORE *store = NULL;
    CHECK_INT(signer_trust_load_mem((const uint8_t *)both, na + np, &store), 0);
    X509 *aze = vector_cert("own_ds_AZE.cert.pem"), *pak = vector_cert("own_ds_PAK.cert.pem");
    CHECK(aze && pak);
    CHECK_INT(signer_cert_check(aze, store, utc(2027, 1, 1, 0, 0, 0), NULL, 0), 0);
    CHECK_INT(signer_cert_check(pak, store, utc(2027, 1, 1, 0, 0, 0), NULL, 0), 0);
    X509_free(aze);
    X509_free(pak);
    X509_STORE_free(store);
    free(both);
    free(a);
    free(p);
}

TEST(signer_trust_load_rejects_bad_input)
{
    X509_STORE *store = NULL;
    static const uint8_t none[] = "no certificates here\n";
    CHECK_INT(signer_trust_load_mem(none, sizeof none - 1, &store), -CRYPTO_E_BAD_CERT);
    CHECK_INT(signer_trust_load_mem(none, 0, &store), -CRYPTO_E_BAD_CERT);
    size_t na = 0;
    char *a = vector_text("own_csca_AZE.cert.pem", &na);
    CHECK(a != NULL && na > 100);
    /* A damaged second block after a good one. */
    char *damaged = malloc(2 * na);
    CHECK(damaged != NULL);
    memcpy(damaged, a, na);
    memcpy(damaged + na, a, na);
    damaged[na + 40] = '!';
    CHECK_INT(signer_trust_load_mem((const uint8_t *)damaged, 2 * na, &store), -CRYPTO_E_BAD_CERT);
    free(damaged);
    /* Too many certificates, and too many bytes. */
    size_t many_len = na * (SIGNER_TRUST_CERTS_MAX + 1);
    char *many = malloc(many_len);
    CHECK(many != NULL);
    for (size_t i = 0; i <= SIGNER_TRUST_CERTS_MAX; i++)
        memcpy(many + i * na, a, na);
    CHECK_INT(signer_trust_load_mem((const uint8_t *)many, many_len, &store), -CRYPTO_E_TOO_LARGE);
    free(many);
    CHECK_INT(signer_trust_load_mem((const uint8_t *)a, SIGNER_TRUST_MAX + 1, &store),
              -CRYPTO_E_TOO_LARGE);
    CHECK_INT(signer_trust_load_file("/nonexistent/ca.pem", &store), -CRYPTO_E_IO);
    CHECK(store == NULL);
    free(a);
}

/* PEM text of key (encrypted with `pass` when not NULL) in a malloc'd buffer. */
static char *key_pem(EVP_PKEY *key, const char *pass, size_t *len)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL, *copy = NULL;
    int ok = bio && PEM_write_bio_PrivateKey(bio, key, pass ? EVP_aes_128_cbc() : NULL,
                                             (const unsigned char *)pass,
                                             pass ? (int)strlen(pass) : 0, NULL, NULL);
    long n = ok ? BIO_get_mem_data(bio, &data) : 0;
    if (n > 0 && (copy = malloc((size_t)n)) != NULL) {
        memcpy(copy, data, (size_t)n);
        *len = (size_t)n;
    }
    BIO_free(bio);
    return copy;
}

TEST(signer_key_loads_ec_pem_and_matches_its_certificate)
{
    EVP_PKEY *key = EVP_EC_gen("brainpoolP256r1"), *loaded = NULL;
    size_t n = 0;
    char *pem = key ? key_pem(key, NULL, &n) : NULL;
    CHECK(pem != NULL);
    CHECK_INT(signer_key_load_mem((const uint8_t *)pem, n, &loaded), 0);
    CHECK(EVP_PKEY_eq(key, loaded) == 1);
    /* A certificate for the key (self-signed is enough here). */
    X509 *x = X509_new();
    CHECK(x && X509_set_pubkey(x, key) && X509_sign(x, key, EVP_sha256()) > 0);
    CHECK_INT(signer_key_matches_cert(loaded, x), 0);
    X509 *other = vector_cert("own_ds_PAK.cert.pem");
    CHECK_INT(signer_key_matches_cert(loaded, other), -CRYPTO_E_CERT_MISMATCH);
    CHECK_INT(signer_key_matches_cert(NULL, other), -CRYPTO_E_CERT_MISMATCH);
    X509_free(other);
    X509_free(x);
    EVP_PKEY_free(loaded);
    EVP_PKEY_free(key);
    free(pem);
}

TEST(signer_key_load_refuses_encrypted_non_ec_and_garbage)
{
    EVP_PKEY *ec = EVP_EC_gen("prime256v1"), *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    EVP_PKEY *out = NULL;
    size_t n1 = 0, n2 = 0;
    char *enc = ec ? key_pem(ec, "secret", &n1) : NULL, *edp = ed ? key_pem(ed, NULL, &n2) : NULL;
    CHECK(enc && edp);
    CHECK_INT(signer_key_load_mem((const uint8_t *)enc, n1, &out), -CRYPTO_E_BAD_KEY);
    CHECK_INT(signer_key_load_mem((const uint8_t *)edp, n2, &out), -CRYPTO_E_BAD_KEY);
    static const uint8_t garbage[] =
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    CHECK_INT(signer_key_load_mem(garbage, sizeof garbage - 1, &out), -CRYPTO_E_BAD_KEY);
    CHECK_INT(signer_key_load_mem(garbage, 0, &out), -CRYPTO_E_BAD_KEY);
    CHECK_INT(signer_key_load_mem(garbage, SIGNER_FILE_MAX + 1, &out), -CRYPTO_E_TOO_LARGE);
    CHECK_INT(signer_key_load_file("/nonexistent/key.pem", &out), -CRYPTO_E_IO);
    CHECK(out == NULL);
    free(enc);
    free(edp);
    EVP_PKEY_free(ec);
    EVP_PKEY_free(ed);
}
