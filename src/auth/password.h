/*
 * password.h — officer passwords: Argon2id hashing and verification
 * (libargon2) and the acceptability rules for a new password (NIST SP
 * 800-63B style: a minimum length, no composition rules, and a refusal of
 * passwords that are common, repetitive, sequential or built from the
 * account's e-mail address).  docs/auth.md states the chosen parameters and
 * why.  Every function is thread-safe; none keeps a copy of a password.
 *
 * Returns: 0 on success or a negative enum auth_err (auth/auth_err.h).
 */
#ifndef EVISA_PASSWORD_H
#define EVISA_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest encoded hash the functions produce or accept (with the NUL); the
 * same as struct store_user's password_hash. */
#define PASSWORD_ENCODED_MAX 160
/* Shortest acceptable new password, in characters (Unicode code points). */
#define PASSWORD_MIN_CHARS 12
/* Longest password hashed or verified, in bytes (UTF-8).  Longer input is
 * refused rather than truncated. */
#define PASSWORD_MAX_BYTES 256
/* Salt and hash lengths of every hash we make. */
#define PASSWORD_SALT_BYTES 16
#define PASSWORD_HASH_BYTES 32
/* password_verify refuses a stored hash asking for more than this much
 * memory (KiB) or passes: a corrupted row must not exhaust the server. */
#define PASSWORD_M_COST_MAX (1024u * 1024u)
#define PASSWORD_T_COST_MAX 16u
#define PASSWORD_P_MAX 8u

/* Argon2id cost parameters. */
struct password_params {
    uint32_t t_cost;      /* passes over memory */
    uint32_t m_cost_kib;  /* memory in KiB */
    uint32_t parallelism; /* lanes (and threads) */
};

/* The production parameters: m = 64 MiB, t = 3, p = 1 (docs/auth.md). */
extern const struct password_params password_default_params;

/* Hashes pw with the default parameters and a fresh random 16-byte salt into
 * out as an encoded string "$argon2id$v=19$m=65536,t=3,p=1$<salt>$<hash>".
 * AUTH_E_INVALID (NULL), AUTH_E_TOO_LONG, AUTH_E_NO_SPACE, AUTH_E_INTERNAL. */
int password_hash(const char *pw, char *out, size_t cap);

/* As password_hash with explicit parameters (tests use cheap ones).
 * AUTH_E_INVALID for parameters libargon2 refuses or above the _MAX limits. */
int password_hash_params(const char *pw, const struct password_params *p, char *out, size_t cap);

/* Checks pw against an encoded Argon2id hash (in constant time with respect
 * to the hash).  0 when it matches, AUTH_E_MISMATCH when it does not,
 * AUTH_E_BAD_HASH when encoded is not an argon2id string within the _MAX
 * limits, AUTH_E_TOO_LONG, AUTH_E_INVALID (NULL), AUTH_E_INTERNAL. */
int password_verify(const char *encoded, const char *pw);

/* Reads the parameters of an encoded argon2id hash.  AUTH_E_BAD_HASH when it
 * is not one. */
int password_params_of(const char *encoded, struct password_params *out);

/* Whether a stored hash was made with other than the default parameters (or
 * cannot be read): after a successful login the caller may re-hash the
 * password and store the new hash. */
bool password_needs_rehash(const char *encoded);

/* Whether pw may be chosen as a new password by the account with this e-mail
 * address (email may be NULL).  Refuses, with a short English reason in why
 * (may be NULL; truncated to cap): NULL or invalid UTF-8 or control
 * characters; fewer than PASSWORD_MIN_CHARS characters or more than
 * PASSWORD_MAX_BYTES bytes; fewer than 5 different characters; one
 * ascending or descending run ("123456789012", "lkjihgfedcba"); a password
 * containing the e-mail's local part or any part of it of 3+ characters
 * split at . _ - +; one of a list of common passwords, or whose letters
 * alone spell a common word ("Password2024!" -> "password"). */
bool password_acceptable(const char *pw, const char *email, char *why, size_t cap);

#endif
