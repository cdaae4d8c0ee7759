/*
 * test_seal_sig.c — seal signatures (crypto/seal_sig.h): every published
 * and own vector verifies with its certificate, tampered seals fail, and
 * sign -> verify works on every supported curve, also with `openssl dgst`.
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "crypto/crypto_err.h"
#include "crypto/seal_sig.h"
#include "crypto/signer_cert.h"

static const struct {
    const char *curve;
    size_t half;
    const char *dgst; /* openssl dgst option */
} curves[] = {
    {"brainpoolP224r1", 28, "-sha224"}, {"prime256v1", 32, "-sha256"},
    {"brainpoolP256r1", 32, "-sha256"}, {"secp384r1", 48, "-sha384"},
    {"brainpoolP384r1", 48, "-sha384"}, {"brainpoolP512r1", 64, "-sha512"},
    {"secp521r1", 66, "-sha512"},
};
#define N_CURVES (sizeof curves / sizeof curves[0])

static X509 *vector_cert(const char *file)
{
    char rel[256], path[1024];
    X509 *x = NULL;
    snprintf(rel, sizeof rel, "vectors/%s", file);
    if (!test_shared_path(rel, path, sizeof path) || signer_cert_load_file(path, &x) != 0)
        return NULL;
    return x;
}

TEST(seal_sig_hash_follows_curve_order_size)
{
    CHECK_INT(seal_sig_hash_for_bits(160), NID_sha224);
    CHECK_INT(seal_sig_hash_for_bits(224), NID_sha224);
    CHECK_INT(seal_sig_hash_for_bits(256), NID_sha256);
    CHECK_INT(seal_sig_hash_for_bits(320), NID_sha384);
    CHECK_INT(seal_sig_hash_for_bits(384), NID_sha384);
    CHECK_INT(seal_sig_hash_for_bits(512), NID_sha512);
    CHECK_INT(seal_sig_hash_for_bits(521), NID_sha512);
    CHECK_INT(seal_sig_hash_for_bits(0), -CRYPTO_E_UNSUPPORTED_CURVE);
    CHECK_INT(seal_sig_hash_for_bits(522), -CRYPTO_E_UNSUPPORTED_CURVE);
}

TEST(seal_sig_verifies_every_valid_vector_with_a_certificate)
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
        uint8_t seal[2048];
        long n = test_unhex(json_string_value(json_object_get(v, "hex")), seal, sizeof seal);
        size_t signed_len = (size_t)json_integer_value(json_object_get(exp, "signed_length"));
        size_t sig_len = (size_t)json_integer_value(
            json_object_get(json_object_get(exp, "signature"), "length"));
        X509 *cert = vector_cert(pem);
        CHECK_CTX(cert != NULL, id);
        CHECK_CTX(n > 0 && signed_len + sig_len <= (size_t)n, id);
        if (!cert || n <= 0) {
            X509_free(cert);
            continue;
        }
        EVP_PKEY *pub = X509_get0_pubkey(cert);
        const char *hash = json_string_value(json_object_get(exp, "hash"));
        CHECK_CTX(hash && !strcmp(EVP_MD_get0_name(seal_sig_md(pub)),
                                  !strcmp(hash, "sha224") ? "SHA224" : "SHA256"),
                  id);
        CHECK_CTX(seal_sig_half_length(pub) == (int)sig_len / 2, id);
        CHECK_CTX(json_is_true(json_object_get(exp, "signature_valid")), id);
        CHECK_CTX(seal_sig_verify(pub, seal, signed_len, seal + n - (long)sig_len, sig_len) == 0,
                  id);
        checked++;
        X509_free(cert);
    }
    json_decref(root);
    CHECK(checked >= 6);
}

TEST(seal_sig_rejects_signature_invalid_vectors)
{
    json_t *root, *vecs = test_load_vectors("vds_invalid.json", &root);
    size_t i, checked = 0;
    json_t *v;
    if (!vecs)
        return;
    json_array_foreach(vecs, i, v)
    {
        const char *id = json_string_value(json_object_get(v, "id"));
        const char *err = json_string_value(json_object_get(v, "expected_error"));
        if (!err || strcmp(err, "signature_invalid") != 0)
            continue;
        uint8_t seal[2048];
        long n = test_unhex(json_string_value(json_object_get(v, "hex")), seal, sizeof seal);
        X509 *cert = vector_cert(json_string_value(json_object_get(v, "cert_pem")));
        CHECK_CTX(cert != NULL, id);
        if (!cert)
            continue;
        EVP_PKEY *pub = X509_get0_pubkey(cert);
        /* The signature zone ends the seal: 0xFF, a one-byte length, r||s. */
        size_t sig_len = 2 * (size_t)seal_sig_half_length(pub);
        CHECK_CTX(n > (long)sig_len + 2, id);
        if (n > (long)sig_len + 2) {
            size_t signed_len = (size_t)n - sig_len - 2;
            CHECK_CTX(seal[signed_len] == 0xFF && seal[signed_len + 1] == sig_len, id);
            CHECK_CTX(seal_sig_verify(pub, seal, signed_len, seal + signed_len + 2, sig_len) ==
                          -CRYPTO_E_SIGNATURE_INVALID,
                      id);
            checked++;
        }
        X509_free(cert);
    }
    json_decref(root);
    CHECK(checked >= 2);
}

TEST(seal_sig_round_trips_on_every_curve)
{
    for (size_t c = 0; c < N_CURVES; c++) {
        EVP_PKEY *key = EVP_EC_gen(curves[c].curve);
        uint8_t msg[100], rs[SEAL_SIG_MAX];
        size_t rs_len = 0;
        CHECK_CTX(key != NULL, curves[c].curve);
        CHECK(RAND_bytes(msg, sizeof msg) == 1);
        CHECK_CTX(seal_sig_half_length(key) == (int)curves[c].half, curves[c].curve);
        CHECK_CTX(seal_sig_sign(key, msg, sizeof msg, rs, sizeof rs, &rs_len) == 0,
                  curves[c].curve);
        CHECK_CTX(rs_len == 2 * curves[c].half, curves[c].curve);
        CHECK_CTX(seal_sig_verify(key, msg, sizeof msg, rs, rs_len) == 0, curves[c].curve);
        EVP_PKEY_free(key);
    }
}

TEST(seal_sig_rejects_a_flipped_bit)
{
    EVP_PKEY *key = EVP_EC_gen("prime256v1");
    uint8_t msg[80] = "DC03 header and message", rs[SEAL_SIG_MAX];
    size_t rs_len = 0;
    CHECK(key != NULL);
    CHECK_INT(seal_sig_sign(key, msg, sizeof msg, rs, sizeof rs, &rs_len), 0);
    for (size_t bit = 0; bit < rs_len * 8; bit += 37) {
        rs[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        CHECK_INT(seal_sig_verify(key, msg, sizeof msg, rs, rs_len), -CRYPTO_E_SIGNATURE_INVALID);
        rs[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    msg[5] ^= 0x10;
    CHECK_INT(seal_sig_verify(key, msg, sizeof msg, rs, rs_len), -CRYPTO_E_SIGNATURE_INVALID);
    msg[5] ^= 0x10;
    CHECK_INT(seal_sig_verify(key, msg, sizeof msg, rs, rs_len), 0);
    EVP_PKEY_free(key);
}

TEST(seal_sig_rejects_zero_and_out_of_range_halves)
{
    EVP_PKEY *key = EVP_EC_gen("prime256v1");
    uint8_t msg[10] = {0}, rs[64];
    CHECK(key != NULL);
    memset(rs, 0, sizeof rs);
    CHECK_INT(seal_sig_verify(key, msg, sizeof msg, rs, sizeof rs), -CRYPTO_E_SIGNATURE_INVALID);
    memset(rs, 0xFF, sizeof rs); /* r, s >= the group order */
    CHECK_INT(seal_sig_verify(key, msg, sizeof msg, rs, sizeof rs), -CRYPTO_E_SIGNATURE_INVALID);
    EVP_PKEY_free(key);
}

TEST(seal_sig_rejects_wrong_signature_length)
{
    EVP_PKEY *key = EVP_EC_gen("brainpoolP224r1");
    uint8_t msg[10] = {1}, rs[SEAL_SIG_MAX];
    size_t rs_len = 0;
    CHECK(key != NULL);
    CHECK_INT(seal_sig_sign(key, msg, sizeof msg, rs, sizeof rs, &rs_len), 0);
    CHECK_INT(rs_len, 56);
    CHECK_INT(seal_sig_verify(key, msg, sizeof msg, rs, 55), -CRYPTO_E_BAD_SIG_LENGTH);
    CHECK_INT(seal_sig_verify(key, msg, sizeof msg, rs, 64), -CRYPTO_E_BAD_SIG_LENGTH);
    CHECK_INT(seal_sig_verify(key, msg, sizeof msg, rs, 0), -CRYPTO_E_BAD_SIG_LENGTH);
    CHECK_INT(seal_sig_verify(key, msg, sizeof msg, NULL, 56), -CRYPTO_E_BAD_SIG_LENGTH);
    EVP_PKEY_free(key);
}

TEST(seal_sig_sign_rejects_small_buffer)
{
    EVP_PKEY *key = EVP_EC_gen("prime256v1");
    uint8_t msg[4] = {0}, rs[63];
    size_t rs_len = 0;
    CHECK(key != NULL);
    CHECK_INT(seal_sig_sign(key, msg, sizeof msg, rs, sizeof rs, &rs_len), -CRYPTO_E_NO_SPACE);
    EVP_PKEY_free(key);
}

TEST(seal_sig_sign_rejects_public_only_key)
{
    X509 *cert = vector_cert("own_ds_AZE.cert.pem");
    uint8_t msg[4] = {0}, rs[SEAL_SIG_MAX];
    size_t rs_len = 0;
    CHECK(cert != NULL);
    CHECK_INT(seal_sig_sign(X509_get0_pubkey(cert), msg, sizeof msg, rs, sizeof rs, &rs_len),
              -CRYPTO_E_BAD_KEY);
    X509_free(cert);
}

TEST(seal_sig_rejects_non_ec_key)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    uint8_t msg[4] = {0}, rs[SEAL_SIG_MAX] = {0};
    size_t rs_len = 0;
    CHECK(key != NULL);
    CHECK(seal_sig_md(key) == NULL);
    CHECK_INT(seal_sig_half_length(key), -CRYPTO_E_BAD_KEY);
    CHECK_INT(seal_sig_sign(key, msg, sizeof msg, rs, sizeof rs, &rs_len), -CRYPTO_E_BAD_KEY);
    CHECK_INT(seal_sig_verify(key, msg, sizeof msg, rs, 64), -CRYPTO_E_BAD_KEY);
    CHECK_INT(seal_sig_verify(NULL, msg, sizeof msg, rs, 64), -CRYPTO_E_BAD_KEY);
    EVP_PKEY_free(key);
}

TEST(seal_sig_der_conversion_round_trips)
{
    uint8_t rs[132], der[SEAL_SIG_DER_MAX], back[132];
    size_t der_len = 0, back_len = 0;
    memset(rs, 0, sizeof rs);
    rs[0] = 0x01; /* r = 0x01 00..00 (66 bytes), s = 0x80 (high bit: DER pads) */
    rs[131] = 0x80;
    CHECK_INT(seal_sig_rs_to_der(rs, 132, der, sizeof der, &der_len), 0);
    CHECK(der_len <= 141);
    CHECK_INT(seal_sig_der_to_rs(der, der_len, 66, back, sizeof back, &back_len), 0);
    CHECK_INT(back_len, 132);
    CHECK(memcmp(rs, back, 132) == 0);
    /* Halves are left-padded: r = 1, s = 2 in 28-byte halves. */
    uint8_t small[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02};
    CHECK_INT(seal_sig_der_to_rs(small, sizeof small, 28, back, sizeof back, &back_len), 0);
    CHECK_INT(back_len, 56);
    CHECK(back[27] == 1 && back[55] == 2 && back[0] == 0 && back[28] == 0);
}

TEST(seal_sig_der_conversion_rejects_bad_input)
{
    uint8_t rs[64] = {1}, der[SEAL_SIG_DER_MAX], out[64];
    size_t len = 0;
    CHECK_INT(seal_sig_rs_to_der(rs, 63, der, sizeof der, &len), -CRYPTO_E_BAD_SIG_LENGTH);
    CHECK_INT(seal_sig_rs_to_der(rs, 0, der, sizeof der, &len), -CRYPTO_E_BAD_SIG_LENGTH);
    CHECK_INT(seal_sig_rs_to_der(rs, 134, der, sizeof der, &len), -CRYPTO_E_BAD_SIG_LENGTH);
    CHECK_INT(seal_sig_rs_to_der(rs, 64, der, 8, &len), -CRYPTO_E_NO_SPACE);
    uint8_t garbage[] = {0x30, 0x03, 0x02, 0x01};
    CHECK_INT(seal_sig_der_to_rs(garbage, sizeof garbage, 32, out, sizeof out, &len),
              -CRYPTO_E_SIGNATURE_INVALID);
    uint8_t trailing[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x00};
    CHECK_INT(seal_sig_der_to_rs(trailing, sizeof trailing, 32, out, sizeof out, &len),
              -CRYPTO_E_SIGNATURE_INVALID);
    uint8_t negative[] = {0x30, 0x06, 0x02, 0x01, 0xFF, 0x02, 0x01, 0x02};
    CHECK_INT(seal_sig_der_to_rs(negative, sizeof negative, 32, out, sizeof out, &len),
              -CRYPTO_E_SIGNATURE_INVALID);
    uint8_t too_long[] = {0x30, 0x08, 0x02, 0x03, 0x01, 0x00, 0x00, 0x02, 0x01, 0x02};
    CHECK_INT(seal_sig_der_to_rs(too_long, sizeof too_long, 2, out, sizeof out, &len),
              -CRYPTO_E_SIGNATURE_INVALID);
    uint8_t ok[] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02};
    CHECK_INT(seal_sig_der_to_rs(ok, sizeof ok, 32, out, 63, &len), -CRYPTO_E_NO_SPACE);
}

/* Writes n bytes to dir/name; false on error. */
static bool write_tmp(const char *dir, const char *name, const void *data, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, n, f) == n;
    return fclose(f) == 0 && ok;
}

/* `openssl dgst -<hash> -verify pub.pem -signature sig.der msg.bin` in dir. */
static int openssl_verify(const char *dir, const char *dgst)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && openssl dgst %s -verify pub.pem -signature sig.der msg.bin "
             ">/dev/null 2>&1",
             dir, dgst);
    return system(cmd);
}

TEST(seal_sig_signature_verifies_with_openssl_dgst)
{
    char dir[256];
    CHECK(test_tmpdir(dir, sizeof dir) != NULL);
    for (size_t c = 0; c < N_CURVES; c++) {
        const char *name = curves[c].curve;
        EVP_PKEY *key = EVP_EC_gen(name);
        uint8_t msg[89], rs[SEAL_SIG_MAX], der[SEAL_SIG_DER_MAX];
        size_t rs_len = 0, der_len = 0;
        CHECK_CTX(key != NULL, name);
        if (!key)
            continue;
        CHECK(RAND_bytes(msg, sizeof msg) == 1);
        CHECK_CTX(seal_sig_sign(key, msg, sizeof msg, rs, sizeof rs, &rs_len) == 0, name);
        CHECK_CTX(seal_sig_rs_to_der(rs, rs_len, der, sizeof der, &der_len) == 0, name);
        BIO *bio = BIO_new(BIO_s_mem());
        char *pem = NULL;
        long pem_len = 0;
        if (bio && PEM_write_bio_PUBKEY(bio, key))
            pem_len = BIO_get_mem_data(bio, &pem);
        CHECK_CTX(pem_len > 0 && write_tmp(dir, "pub.pem", pem, (size_t)pem_len), name);
        CHECK_CTX(write_tmp(dir, "msg.bin", msg, sizeof msg), name);
        CHECK_CTX(write_tmp(dir, "sig.der", der, der_len), name);
        CHECK_CTX(openssl_verify(dir, curves[c].dgst) == 0, name);
        msg[0] ^= 1; /* and a tampered message fails there too */
        CHECK_CTX(write_tmp(dir, "msg.bin", msg, sizeof msg), name);
        CHECK_CTX(openssl_verify(dir, curves[c].dgst) != 0, name);
        BIO_free(bio);
        EVP_PKEY_free(key);
    }
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}
