/*
 * auth_err.c — names and messages of enum auth_err, in one table indexed by
 * the code.
 */
#include "auth/auth_err.h"

static const struct {
    const char *code, *message;
} auth_errs[AUTH_E__MAX - AUTH_E__BASE] = {
    [0] = {"ok", "success"},
    [AUTH_E_MISMATCH - AUTH_E__BASE] = {"mismatch", "the password or code does not match"},
    [AUTH_E_BAD_HASH -
        AUTH_E__BASE] = {"bad_hash", "the stored password hash is not a usable Argon2id hash"},
    [AUTH_E_BAD_SECRET -
        AUTH_E__BASE] = {"bad_secret", "the TOTP secret is not base32 of 16 to 64 bytes"},
    [AUTH_E_BAD_CODE - AUTH_E__BASE] = {"bad_code", "the one-time code is not six digits"},
    [AUTH_E_TOO_LONG - AUTH_E__BASE] = {"too_long", "the password is too long"},
    [AUTH_E_BAD_EMAIL - AUTH_E__BASE] = {"bad_email", "not a valid e-mail address"},
    [AUTH_E_NO_SPACE - AUTH_E__BASE] = {"no_space", "output buffer too small"},
    [AUTH_E_INVALID - AUTH_E__BASE] = {"invalid_argument", "a missing or invalid argument"},
    [AUTH_E_INTERNAL - AUTH_E__BASE] = {"internal", "a cryptographic library failed"},
};

static int slot(int err)
{
    int e = err < 0 ? -err : err;
    if (e == 0)
        return 0;
    if (e <= AUTH_E__BASE || e >= AUTH_E__MAX)
        return -1;
    return e - AUTH_E__BASE;
}

const char *auth_err_code(int err)
{
    int i = slot(err);
    return i < 0 ? "unknown" : auth_errs[i].code;
}

const char *auth_err_message(int err)
{
    int i = slot(err);
    return i < 0 ? "unknown error" : auth_errs[i].message;
}
