/*
 * crypto_err.h — result codes of the crypto module (src/crypto): seal
 * signatures, signer certificates, trust stores and key generation.
 *
 * Functions of src/crypto return 0 on success or the negative of one of
 * these codes.  The codes start above CRYPTO_E__BASE (100) so that they never
 * collide with enum icao_err: a caller that handles both kinds can tell them
 * apart by value.  Each code has a stable lower-case name (used in JSON output
 * and the CLI's "evisa: <code>: ..." lines) and a short English message.
 * Codes never change meaning; new ones are appended before CRYPTO_E__MAX.
 */
#ifndef EVISA_CRYPTO_ERR_H
#define EVISA_CRYPTO_ERR_H

enum crypto_err {
    CRYPTO_OK = 0,
    CRYPTO_E__BASE = 100,
    CRYPTO_E_SIGNATURE_INVALID,  /* well formed, but the ECDSA check fails */
    CRYPTO_E_BAD_SIG_LENGTH,     /* r||s is not twice the curve order size */
    CRYPTO_E_CERT_MISMATCH,      /* certificate is not the one the seal names */
    CRYPTO_E_CERT_NOT_YET_VALID, /* certificate not yet valid at the signing date */
    CRYPTO_E_CERT_EXPIRED,       /* certificate expired before the signing date */
    CRYPTO_E_UNTRUSTED,          /* no chain to a trusted CSCA */
    CRYPTO_E_BAD_KEY,            /* unreadable, encrypted or non-EC key */
    CRYPTO_E_BAD_CERT,           /* unreadable or unusable certificate */
    CRYPTO_E_UNSUPPORTED_CURVE,  /* curve or key size without a seal hash */
    CRYPTO_E_TOO_LARGE,          /* an input file or buffer is over its limit */
    CRYPTO_E_IO,                 /* a file or directory cannot be read/written */
    CRYPTO_E_EXISTS,             /* refusing to overwrite existing key files */
    CRYPTO_E_UNKNOWN_STATE,      /* no ISO 3166 alpha-2 code for the state */
    CRYPTO_E_BAD_SERIAL,         /* a serial number is not 1-40 hex digits > 0 */
    CRYPTO_E_NO_SPACE,           /* output buffer too small */
    CRYPTO_E_INTERNAL,           /* OpenSSL failed (allocation, RNG...) */
    CRYPTO_E__MAX
};

/* Stable code name, e.g. "signature_invalid"; "ok" for 0; "unknown" for
 * anything out of range.  Accepts the code with either sign. */
const char *crypto_err_code(int err);

/* A short English sentence describing the code. */
const char *crypto_err_message(int err);

#endif
