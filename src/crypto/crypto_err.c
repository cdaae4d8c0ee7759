/*
 * crypto_err.c — names and messages of the crypto module's result codes,
 * one table indexed by enum crypto_err (offset by CRYPTO_E__BASE).
 */
#include "crypto/crypto_err.h"

#define CRYPTO_N_ERRORS (CRYPTO_E__MAX - CRYPTO_E__BASE)

static const struct {
    const char *code;
    const char *message;
} crypto_errors[CRYPTO_N_ERRORS] = {
    [0] = {"ok", "no error"},
    [CRYPTO_E_SIGNATURE_INVALID -
        CRYPTO_E__BASE] = {"signature_invalid", "the seal signature does not verify"},
    [CRYPTO_E_BAD_SIG_LENGTH -
        CRYPTO_E__BASE] = {"bad_signature_length", "the signature length does not fit the curve"},
    [CRYPTO_E_CERT_MISMATCH -
        CRYPTO_E__BASE] = {"cert_mismatch", "the certificate is not the one the seal names"},
    [CRYPTO_E_CERT_NOT_YET_VALID -
        CRYPTO_E__BASE] = {"cert_not_yet_valid", "the certificate was not yet valid"},
    [CRYPTO_E_CERT_EXPIRED - CRYPTO_E__BASE] = {"cert_expired", "the certificate had expired"},
    [CRYPTO_E_UNTRUSTED -
        CRYPTO_E__BASE] = {"untrusted", "the certificate does not chain to a trusted CSCA"},
    [CRYPTO_E_BAD_KEY - CRYPTO_E__BASE] = {"bad_key", "unreadable or unusable private key"},
    [CRYPTO_E_BAD_CERT - CRYPTO_E__BASE] = {"bad_cert", "unreadable or unusable certificate"},
    [CRYPTO_E_UNSUPPORTED_CURVE -
        CRYPTO_E__BASE] = {"unsupported_curve", "unsupported elliptic curve"},
    [CRYPTO_E_TOO_LARGE - CRYPTO_E__BASE] = {"too_large", "the input is over its size limit"},
    [CRYPTO_E_IO - CRYPTO_E__BASE] = {"io_error", "a file or directory cannot be used"},
    [CRYPTO_E_EXISTS - CRYPTO_E__BASE] = {"exists", "refusing to overwrite existing files"},
    [CRYPTO_E_UNKNOWN_STATE -
        CRYPTO_E__BASE] = {"unknown_state", "no ISO 3166 country code for the state"},
    [CRYPTO_E_BAD_SERIAL -
        CRYPTO_E__BASE] = {"bad_serial", "a serial number must be 1 to 40 hex digits, not 0"},
    [CRYPTO_E_NO_SPACE -
        CRYPTO_E__BASE] = {"no_space", "the result does not fit the output buffer"},
    [CRYPTO_E_INTERNAL - CRYPTO_E__BASE] = {"crypto_failure", "an OpenSSL operation failed"},
};

static int crypto_err_index(int err)
{
    if (err < 0)
        err = -err;
    if (err == CRYPTO_OK)
        return 0;
    if (err <= CRYPTO_E__BASE || err >= CRYPTO_E__MAX)
        return -1;
    return err - CRYPTO_E__BASE;
}

const char *crypto_err_code(int err)
{
    int i = crypto_err_index(err);
    return i < 0 ? "unknown" : crypto_errors[i].code;
}

const char *crypto_err_message(int err)
{
    int i = crypto_err_index(err);
    return i < 0 ? "unknown error" : crypto_errors[i].message;
}
