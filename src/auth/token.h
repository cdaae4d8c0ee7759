/*
 * token.h — random bearer tokens (enrolment links, session cookies, CSRF
 * tokens): 32 bytes from OpenSSL's RNG written base64url without padding
 * (43 characters), the SHA-256 hex that the store keeps instead of the
 * token, and a constant-time comparison.
 *
 * Returns: 0 on success or a negative enum auth_err (auth/auth_err.h).
 */
#ifndef EVISA_TOKEN_H
#define EVISA_TOKEN_H

#include <stdbool.h>

#define TOKEN_BYTES 32 /* random bytes of a token */
#define TOKEN_CHARS 43 /* its base64url length */

/* A new random token, 43 characters of A-Z a-z 0-9 - _ and a NUL.
 * AUTH_E_INTERNAL when the RNG fails (out is then ""). */
int token_new(char out[48]);

/* SHA-256 of the token's bytes as 64 lower-case hex characters and a NUL
 * (the same as app_token_hash).  AUTH_E_INVALID (NULL), AUTH_E_INTERNAL. */
int token_hash(const char *t, char out[65]);

/* Whether two NUL-terminated strings are equal, taking time that depends on
 * their length only, never on where they differ.  Either may be NULL (then
 * false). */
bool token_equal(const char *a, const char *b);

/* Whether t looks like a token: exactly 43 base64url characters. */
bool token_well_formed(const char *t);

#endif
