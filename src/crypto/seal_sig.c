/*
 * seal_sig.c — ECDSA signing and verification of seal bytes with the
 * OpenSSL 3 EVP API.  The message is hashed once with the size-matched
 * digest (the static EVP_sha*() objects, no per-call lookup by name) and the
 * digest is signed/verified through an EVP_PKEY_CTX on the caller's parsed
 * key; r || s is converted to and from DER with ECDSA_SIG on a stack buffer.
 */
#include "crypto/seal_sig.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "crypto/crypto_err.h"

int seal_sig_hash_for_bits(int bits)
{
    if (bits <= 0 || bits > 521)
        return -CRYPTO_E_UNSUPPORTED_CURVE;
    if (bits <= 224)
        return NID_sha224;
    if (bits <= 256)
        return NID_sha256;
    if (bits <= 384)
        return NID_sha384;
    return NID_sha512;
}

/* The digest object for a seal_sig_hash_for_bits() NID. */
static const EVP_MD *md_for_nid(int nid)
{
    switch (nid) {
    case NID_sha224:
        return EVP_sha224();
    case NID_sha256:
        return EVP_sha256();
    case NID_sha384:
        return EVP_sha384();
    case NID_sha512:
        return EVP_sha512();
    default:
        return NULL;
    }
}

/* Order bits of an EC key, or a negative code. */
static int key_bits(EVP_PKEY *key)
{
    if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC)
        return -CRYPTO_E_BAD_KEY;
    int bits = EVP_PKEY_get_bits(key);
    if (bits <= 0)
        return -CRYPTO_E_BAD_KEY;
    return bits;
}

/* Digest and half length for `key`. */
static int key_params(EVP_PKEY *key, const EVP_MD **md, size_t *half)
{
    int bits = key_bits(key);
    if (bits < 0)
        return bits;
    int nid = seal_sig_hash_for_bits(bits);
    if (nid < 0)
        return nid;
    *md = md_for_nid(nid);
    *half = ((size_t)bits + 7) / 8;
    return 0;
}

const EVP_MD *seal_sig_md(EVP_PKEY *key)
{
    const EVP_MD *md;
    size_t half;
    return key_params(key, &md, &half) ? NULL : md;
}

int seal_sig_half_length(EVP_PKEY *key)
{
    const EVP_MD *md;
    size_t half;
    int rc = key_params(key, &md, &half);
    return rc ? rc : (int)half;
}

int seal_sig_rs_to_der(const uint8_t *rs, size_t rs_len, uint8_t *der, size_t cap, size_t *der_len)
{
    if (rs_len == 0 || rs_len % 2 || rs_len > SEAL_SIG_MAX)
        return -CRYPTO_E_BAD_SIG_LENGTH;
    int half = (int)(rs_len / 2), rc = -CRYPTO_E_INTERNAL;
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(rs, half, NULL), *s = BN_bin2bn(rs + half, half, NULL);
    if (!sig || !r || !s)
        goto out;
    ECDSA_SIG_set0(sig, r, s); /* sig owns r and s now */
    r = s = NULL;
    int len = i2d_ECDSA_SIG(sig, NULL);
    if (len <= 0)
        goto out;
    if ((size_t)len > cap) {
        rc = -CRYPTO_E_NO_SPACE;
        goto out;
    }
    unsigned char *p = der;
    if (i2d_ECDSA_SIG(sig, &p) != len)
        goto out;
    *der_len = (size_t)len;
    rc = 0;
out:
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return rc;
}

int seal_sig_der_to_rs(const uint8_t *der, size_t der_len, size_t half, uint8_t *rs, size_t cap,
                       size_t *rs_len)
{
    if (half == 0 || half > SEAL_SIG_MAX / 2 || der_len > SEAL_SIG_DER_MAX)
        return -CRYPTO_E_SIGNATURE_INVALID;
    if (cap < 2 * half)
        return -CRYPTO_E_NO_SPACE;
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    if (!sig) {
        ERR_clear_error();
        return -CRYPTO_E_SIGNATURE_INVALID;
    }
    int rc = 0;
    const BIGNUM *r, *s;
    ECDSA_SIG_get0(sig, &r, &s);
    if (p != der + der_len || BN_is_negative(r) || BN_is_negative(s) ||
        BN_bn2binpad(r, rs, (int)half) < 0 || BN_bn2binpad(s, rs + half, (int)half) < 0)
        rc = -CRYPTO_E_SIGNATURE_INVALID;
    ECDSA_SIG_free(sig);
    if (rc == 0)
        *rs_len = 2 * half;
    return rc;
}

int seal_sig_sign(EVP_PKEY *priv, const uint8_t *msg, size_t n, uint8_t *rs, size_t cap,
                  size_t *rs_len)
{
    const EVP_MD *md;
    size_t half;
    int rc = key_params(priv, &md, &half);
    if (rc)
        return rc;
    if (cap < 2 * half)
        return -CRYPTO_E_NO_SPACE;

    unsigned char dgst[EVP_MAX_MD_SIZE], der[SEAL_SIG_DER_MAX];
    unsigned int dlen = 0;
    size_t der_len = sizeof der;
    if (!EVP_Digest(msg, n, dgst, &dlen, md, NULL)) {
        ERR_clear_error();
        return -CRYPTO_E_INTERNAL;
    }
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv, NULL);
    if (!pctx) {
        ERR_clear_error();
        return -CRYPTO_E_INTERNAL;
    }
    /* Fails without a private key: that is the caller's key, not OpenSSL. */
    if (EVP_PKEY_sign_init(pctx) <= 0 || EVP_PKEY_sign(pctx, der, &der_len, dgst, dlen) <= 0)
        rc = -CRYPTO_E_BAD_KEY;
    EVP_PKEY_CTX_free(pctx);
    if (rc) {
        ERR_clear_error();
        return rc;
    }
    rc = seal_sig_der_to_rs(der, der_len, half, rs, cap, rs_len);
    return rc ? -CRYPTO_E_INTERNAL : 0;
}

int seal_sig_verify(EVP_PKEY *pub, const uint8_t *msg, size_t n, const uint8_t *rs, size_t rs_len)
{
    const EVP_MD *md;
    size_t half;
    int rc = key_params(pub, &md, &half);
    if (rc)
        return rc;
    if (!rs || rs_len != 2 * half)
        return -CRYPTO_E_BAD_SIG_LENGTH;

    unsigned char der[SEAL_SIG_DER_MAX], dgst[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    size_t der_len = 0;
    rc = seal_sig_rs_to_der(rs, rs_len, der, sizeof der, &der_len);
    if (rc)
        return rc == -CRYPTO_E_BAD_SIG_LENGTH ? rc : -CRYPTO_E_INTERNAL;
    if (!EVP_Digest(msg, n, dgst, &dlen, md, NULL)) {
        ERR_clear_error();
        return -CRYPTO_E_INTERNAL;
    }
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
    if (!pctx) {
        ERR_clear_error();
        return -CRYPTO_E_INTERNAL;
    }
    if (EVP_PKEY_verify_init(pctx) <= 0)
        rc = -CRYPTO_E_BAD_KEY;
    else if (EVP_PKEY_verify(pctx, der, der_len, dgst, dlen) != 1)
        rc = -CRYPTO_E_SIGNATURE_INVALID;
    EVP_PKEY_CTX_free(pctx);
    if (rc)
        ERR_clear_error();
    return rc;
}
