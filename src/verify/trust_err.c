/*
 * trust_err.c — names and messages of the trust distribution result codes,
 * one table indexed by enum trust_err (offset by TRUST_E__BASE).
 */
#include "verify/trust_err.h"

#define TRUST_N_ERRORS (TRUST_E__MAX - TRUST_E__BASE)

static const struct {
    const char *code;
    const char *message;
} trust_errors[TRUST_N_ERRORS] = {
    [0] = {"ok", "no error"},
    [TRUST_E_BAD_MAGIC -
        TRUST_E__BASE] = {"revlist_bad_magic", "not a revocation list (no EVRL magic)"},
    [TRUST_E_UNSUPPORTED_VERSION -
        TRUST_E__BASE] = {"revlist_unsupported_version", "unsupported revocation list version"},
    [TRUST_E_TRUNCATED - TRUST_E__BASE] = {"revlist_truncated", "the revocation list is cut short"},
    [TRUST_E_TRAILING_DATA -
        TRUST_E__BASE] = {"revlist_trailing_data", "bytes follow the revocation list signature"},
    [TRUST_E_BAD_STATE - TRUST_E__BASE] = {"bad_state", "the State code is not 1-3 letters A-Z"},
    [TRUST_E_BAD_TIME -
        TRUST_E__BASE] = {"revlist_bad_time", "issue or next-update time out of range"},
    [TRUST_E_BAD_NUMBER -
        TRUST_E__BASE] = {"revlist_bad_number", "a visa number is not 1-9 characters A-Z 0-9 <"},
    [TRUST_E_NOT_SORTED -
        TRUST_E__BASE] = {"revlist_not_sorted", "visa numbers are not strictly ascending"},
    [TRUST_E_TOO_MANY - TRUST_E__BASE] = {"too_many", "more entries than the limit"},
    [TRUST_E_BAD_SIG_LENGTH - TRUST_E__BASE] = {"revlist_bad_signature_length",
                                                "the revocation list signature length is wrong"},
    [TRUST_E_SIGNATURE_INVALID -
        TRUST_E__BASE] = {"revlist_signature_invalid", "no CSCA of the State signed this list"},
    [TRUST_E_STATE_MISMATCH - TRUST_E__BASE] = {"state_mismatch", "it belongs to another State"},
    [TRUST_E_STALE -
        TRUST_E__BASE] = {"revlist_stale", "the revocation list is past its next-update time"},
    [TRUST_E_NOT_YET_VALID -
        TRUST_E__BASE] = {"revlist_not_yet_valid", "the revocation list is issued in the future"},
    [TRUST_E_NO_CSCA - TRUST_E__BASE] = {"no_csca", "the trust store has no CSCA for the State"},
    [TRUST_E_UNKNOWN_SIGNER -
        TRUST_E__BASE] = {"unknown_signer", "no trusted document signer matches"},
    [TRUST_E_BAD_CERT - TRUST_E__BASE] = {"bad_cert", "unreadable or unusable certificate"},
    [TRUST_E_NOT_CHAINED -
        TRUST_E__BASE] = {"not_chained", "the document signer is not issued by the CSCA"},
    [TRUST_E_BAD_KEY - TRUST_E__BASE] = {"bad_key", "unreadable or unusable signing key"},
    [TRUST_E_IO - TRUST_E__BASE] = {"io_error", "a file or directory cannot be used"},
    [TRUST_E_TOO_LARGE - TRUST_E__BASE] = {"too_large", "the input is over its size limit"},
    [TRUST_E_INTERNAL - TRUST_E__BASE] = {"crypto_failure", "an OpenSSL operation failed"},
};

static int trust_err_index(int err)
{
    if (err < 0)
        err = -err;
    if (err == TRUST_OK)
        return 0;
    if (err <= TRUST_E__BASE || err >= TRUST_E__MAX)
        return -1;
    return err - TRUST_E__BASE;
}

const char *trust_err_code(int err)
{
    int i = trust_err_index(err);
    return i < 0 ? "unknown" : trust_errors[i].code;
}

const char *trust_err_message(int err)
{
    int i = trust_err_index(err);
    return i < 0 ? "unknown error" : trust_errors[i].message;
}
