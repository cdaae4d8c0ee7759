/*
 * signer_cert.h — the document signer (DS) certificate of a seal and the
 * CSCA trust store (spec §7.4): loading certificates, private keys and trust
 * stores with bounded sizes, matching a certificate to the seal header's
 * signer identifier + certificate reference, deriving that reference for
 * signing, and checking validity at the signing date and the chain to a
 * trusted CSCA.  Functions return 0 or the negative of an enum crypto_err
 * code (crypto/crypto_err.h).  Objects handed out are owned by the caller
 * (X509_free, EVP_PKEY_free, X509_STORE_free).
 */
#ifndef EVISA_SIGNER_CERT_H
#define EVISA_SIGNER_CERT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#define SIGNER_FILE_MAX (64u * 1024u)    /* largest certificate or key file */
#define SIGNER_TRUST_MAX (1024u * 1024u) /* largest trust store file */
#define SIGNER_TRUST_CERTS_MAX 256       /* certificates in one trust store */
#define SIGNER_ID_LEN 4                  /* "DETS": country + signer */
#define SIGNER_REF_MAX 64                /* hex digits of a serial (RFC 5280: 40) */

/* Loads one certificate, PEM ("-----BEGIN CERTIFICATE-----") or DER, from
 * memory / from a file.  Returns 0 and *out, or -CRYPTO_E_TOO_LARGE (over
 * SIGNER_FILE_MAX), -CRYPTO_E_BAD_CERT, -CRYPTO_E_IO (file unreadable). */
int signer_cert_load_mem(const uint8_t *data, size_t n, X509 **out);
int signer_cert_load_file(const char *path, X509 **out);

/* Loads an unencrypted PEM EC private key from memory / a file (encrypted
 * keys are refused, never prompted for).  The file's bytes are wiped after
 * parsing.  Returns 0 and *out, or -CRYPTO_E_TOO_LARGE, -CRYPTO_E_BAD_KEY
 * (unparsable, encrypted or not EC), -CRYPTO_E_IO. */
int signer_key_load_mem(const uint8_t *data, size_t n, EVP_PKEY **out);
int signer_key_load_file(const char *path, EVP_PKEY **out);

/* 0 when `key` is the private key of `cert`'s public key, else
 * -CRYPTO_E_CERT_MISMATCH. */
int signer_key_matches_cert(EVP_PKEY *key, X509 *cert);

/* Derives the seal header fields from a DS certificate: signer_id = subject
 * C (2 letters A-Z) + subject CN (2 characters A-Z/0-9), NUL-terminated in
 * id_cap >= 5 bytes; cert_ref = the serial number in upper-case hex without
 * leading zeros ("32", "1F4A"; "0" for zero).  Either output may be NULL.
 * Returns 0, -CRYPTO_E_BAD_CERT (no single such C/CN, negative or over
 * SIGNER_REF_MAX-digit serial), -CRYPTO_E_NO_SPACE. */
int signer_cert_reference(X509 *cert, char *signer_id, size_t id_cap, char *cert_ref,
                          size_t ref_cap);

/* 0 when the certificate is the one a seal names (spec §7.4): subject C + CN
 * equals signer_id (4 characters) and the serial in hex equals cert_ref,
 * leading zeros ignored on both sides, hex letters in either case
 * ("DETS" + "00032" matches C=DE, CN=TS, serial 0x32).  Otherwise
 * -CRYPTO_E_CERT_MISMATCH. */
int signer_cert_matches(X509 *cert, const char *signer_id, const char *cert_ref);

/* Checks the DS certificate for a seal signed on the UTC day holding `at`
 * (seal dates have day resolution: valid if the certificate is valid at any
 * moment of that day) and, when trust is not NULL, that it chains to a
 * trusted CSCA at that moment (X509_VERIFY_PARAM_set_time).  Writes a
 * sentence for people to msg (may be NULL / 0).  Returns 0,
 * -CRYPTO_E_CERT_NOT_YET_VALID, -CRYPTO_E_CERT_EXPIRED (the DS, or a CA of
 * the chain, at that date), -CRYPTO_E_UNTRUSTED, -CRYPTO_E_BAD_CERT (unreadable
 * validity), -CRYPTO_E_INTERNAL. */
int signer_cert_check(X509 *ds, X509_STORE *trust, time_t at, char *msg, size_t msg_cap);

/* Loads a trust store of one or more PEM CA certificates (at most
 * SIGNER_TRUST_CERTS_MAX) from memory / a file.  Returns 0 and *out, or
 * -CRYPTO_E_TOO_LARGE (over SIGNER_TRUST_MAX bytes or too many
 * certificates), -CRYPTO_E_BAD_CERT (none, or one unparsable),
 * -CRYPTO_E_IO, -CRYPTO_E_INTERNAL. */
int signer_trust_load_mem(const uint8_t *data, size_t n, X509_STORE **out);
int signer_trust_load_file(const char *path, X509_STORE **out);

#endif
