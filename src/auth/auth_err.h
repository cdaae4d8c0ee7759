/*
 * auth_err.h — result codes of the officer authentication primitives
 * (src/auth): Argon2id passwords, TOTP one-time codes, random tokens and
 * e-mail addresses of accounts.
 *
 * Functions of src/auth return 0 on success or the negative of one of these
 * codes.  The codes start above AUTH_E__BASE (400) so that they never
 * collide with enum icao_err (< 64), render (64-99), crypto (100-) or store
 * (300-) codes.  Each code has a stable lower_snake_case name and a short
 * English message.  Codes never change meaning; new ones are appended before
 * AUTH_E__MAX.
 */
#ifndef EVISA_AUTH_ERR_H
#define EVISA_AUTH_ERR_H

enum auth_err {
    AUTH_OK = 0,
    AUTH_E__BASE = 400,
    AUTH_E_MISMATCH,   /* the password or one-time code does not match */
    AUTH_E_BAD_HASH,   /* a stored password hash is not an acceptable Argon2id string */
    AUTH_E_BAD_SECRET, /* a TOTP secret is not base32 of 16..64 bytes */
    AUTH_E_BAD_CODE,   /* a one-time code is not six digits */
    AUTH_E_TOO_LONG,   /* a password over PASSWORD_MAX_BYTES */
    AUTH_E_BAD_EMAIL,  /* not an e-mail address we accept */
    AUTH_E_NO_SPACE,   /* output buffer too small */
    AUTH_E_INVALID,    /* a NULL or out-of-range argument (caller bug) */
    AUTH_E_INTERNAL,   /* the RNG, libargon2, liboath or OpenSSL failed */
    AUTH_E__MAX
};

/* Stable code name, e.g. "mismatch"; "ok" for 0; "unknown" for anything
 * out of range.  Accepts the code with either sign. */
const char *auth_err_code(int err);

/* A short English sentence describing the code; never NULL. */
const char *auth_err_message(int err);

#endif
