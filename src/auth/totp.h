/*
 * totp.h — time-based one-time codes (RFC 6238, via liboath) for the
 * officers' second factor: HMAC-SHA1, 6 digits, 30-second steps from the
 * Unix epoch — the defaults every authenticator app assumes.  Secrets are
 * 20 random bytes written in base32 (RFC 4648, no padding).
 *
 * Replay: totp_verify reports which time step matched; the caller stores the
 * last step it accepted for the account and refuses a code whose step is not
 * greater (so a code works once, even within its window).
 *
 * Returns: 0 on success or a negative enum auth_err (auth/auth_err.h).
 */
#ifndef EVISA_TOTP_H
#define EVISA_TOTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TOTP_SECRET_BYTES 20    /* bytes of a new secret (160 bits, RFC 4226) */
#define TOTP_SECRET_B32_MAX 104 /* longest base32 secret accepted (64 bytes), + NUL */
#define TOTP_DIGITS 6
#define TOTP_STEP 30       /* seconds */
#define TOTP_WINDOW_MAX 10 /* largest window totp_verify accepts */

/* Writes a new random secret as base32 (32 characters, A-Z 2-7) into out;
 * cap must be at least 33.  AUTH_E_NO_SPACE, AUTH_E_INVALID,
 * AUTH_E_INTERNAL (RNG). */
int totp_new_secret(char *base32, size_t cap);

/* The provisioning URI authenticator apps read from a QR code:
 * otpauth://totp/ISSUER:ACCOUNT?secret=S&issuer=ISSUER&digits=6&period=30&algorithm=SHA1
 * with issuer and account percent-encoded (everything but A-Z a-z 0-9 - . _ ~).
 * AUTH_E_BAD_SECRET (not base32), AUTH_E_INVALID (NULL or empty issuer or
 * account), AUTH_E_NO_SPACE. */
int totp_uri(const char *secret_b32, const char *issuer, const char *account, char *out,
             size_t cap);

/* The 6-digit code of time t (t >= 0) into out.  The secret is base32 of 16
 * to 64 bytes, upper or lower case; spaces and '=' padding are ignored.
 * AUTH_E_BAD_SECRET, AUTH_E_INVALID, AUTH_E_INTERNAL. */
int totp_code(const char *secret_b32, time_t t, char out[7]);

/* Checks a code typed at time now against the steps now-window..now+window
 * (window 0..TOTP_WINDOW_MAX; 1 is the usual ±30 s for clock drift).  Spaces
 * in code are ignored ("287 082").  Every step is computed and compared in
 * constant time.  On a match returns 0 and sets *matched_step (may be NULL)
 * to the step number (t / 30); the caller must refuse the code if that step
 * is not after the last one it accepted.  AUTH_E_MISMATCH, AUTH_E_BAD_CODE
 * (not six digits), AUTH_E_BAD_SECRET, AUTH_E_INVALID, AUTH_E_INTERNAL. */
int totp_verify(const char *secret_b32, const char *code, time_t now, int window,
                int64_t *matched_step);

#endif
