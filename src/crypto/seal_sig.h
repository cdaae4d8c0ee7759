/*
 * seal_sig.h — ECDSA signatures of Visible Digital Seals (spec §7.7).
 *
 * A seal carries the raw signature r || s, each half left-padded with zeros
 * to the byte size of the curve order (28+28 for 224-bit curves, 32+32,
 * 48+48, 66+66 for P-521).  The hash follows the order size: up to 224 bits
 * SHA-224, then SHA-256, SHA-384 and SHA-512 (for 512 and 521 bits).  Keys
 * are OpenSSL EVP_PKEYs of any named EC curve the library supports; they are
 * parsed once by the caller and only borrowed here.  Functions return 0 or
 * the negative of an enum crypto_err code (crypto/crypto_err.h).
 */
#ifndef EVISA_SEAL_SIG_H
#define EVISA_SEAL_SIG_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define SEAL_SIG_MAX 132     /* r||s of P-521 (66 + 66 bytes) */
#define SEAL_SIG_DER_MAX 144 /* DER ECDSA-Sig-Value of P-521 (at most 141) */

/* The hash for a curve order of `bits` bits, as an OpenSSL NID (NID_sha224,
 * NID_sha256, NID_sha384 or NID_sha512), or -CRYPTO_E_UNSUPPORTED_CURVE for
 * bits <= 0 or > 521.  In-between sizes take the next larger hash. */
int seal_sig_hash_for_bits(int bits);

/* The digest to use with `key` (library-owned, never freed), or NULL when the
 * key is not an EC key or its size has no seal hash. */
const EVP_MD *seal_sig_md(EVP_PKEY *key);

/* Bytes of one signature half (the curve order size) for `key`, or
 * -CRYPTO_E_BAD_KEY (not an EC key) / -CRYPTO_E_UNSUPPORTED_CURVE. */
int seal_sig_half_length(EVP_PKEY *key);

/* Signs the n bytes at msg (header + message zone) with the EC private key
 * `priv`, writing r || s (2 x order size bytes) to rs.  Returns 0 and
 * *rs_len, or -CRYPTO_E_BAD_KEY (not an EC private key),
 * -CRYPTO_E_UNSUPPORTED_CURVE, -CRYPTO_E_NO_SPACE (cap too small),
 * -CRYPTO_E_INTERNAL. */
int seal_sig_sign(EVP_PKEY *priv, const uint8_t *msg, size_t n, uint8_t *rs, size_t cap,
                  size_t *rs_len);

/* Verifies r || s over the n bytes at msg with the EC public key `pub`.
 * Returns 0 when valid, -CRYPTO_E_BAD_SIG_LENGTH when rs_len is not twice
 * the order size, -CRYPTO_E_SIGNATURE_INVALID when the check fails (also for
 * r or s out of range), -CRYPTO_E_BAD_KEY / -CRYPTO_E_UNSUPPORTED_CURVE for an
 * unusable key, -CRYPTO_E_INTERNAL. */
int seal_sig_verify(EVP_PKEY *pub, const uint8_t *msg, size_t n, const uint8_t *rs, size_t rs_len);

/* Converts r || s (two halves of rs_len / 2 bytes) to a DER ECDSA-Sig-Value
 * (what `openssl dgst -verify` reads).  Returns 0 and *der_len, or
 * -CRYPTO_E_BAD_SIG_LENGTH (empty, odd or over SEAL_SIG_MAX),
 * -CRYPTO_E_NO_SPACE, -CRYPTO_E_INTERNAL. */
int seal_sig_rs_to_der(const uint8_t *rs, size_t rs_len, uint8_t *der, size_t cap, size_t *der_len);

/* Converts a DER ECDSA-Sig-Value to r || s with halves of `half` bytes.
 * Returns 0 and *rs_len (= 2 * half), or -CRYPTO_E_SIGNATURE_INVALID (not a
 * DER signature, or r/s negative or longer than half), -CRYPTO_E_NO_SPACE. */
int seal_sig_der_to_rs(const uint8_t *der, size_t der_len, size_t half, uint8_t *rs, size_t cap,
                       size_t *rs_len);

#endif
