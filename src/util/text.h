/*
 * text.h — small text helpers every layer above the standards library
 * shares: strict UTF-8 sequence checking, base64url without padding, and
 * upper-case hex.  (src/icao keeps its own decoder so that it stays usable
 * on its own.)
 */
#ifndef EVISA_TEXT_H
#define EVISA_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length (1-4) of the valid UTF-8 sequence at s, n bytes available; 0 if
 * invalid: overlong forms, surrogates, code points above U+10FFFF and
 * truncated sequences are rejected. */
size_t utf8_seq(const unsigned char *s, size_t n);

/* Whether n bytes of s are valid UTF-8 throughout. */
bool utf8_valid(const char *s, size_t n);

/* base64url (RFC 4648 §5) of n bytes without padding into out (NUL-terminated);
 * returns the length, or 0 when cap is too small. */
size_t base64url_encode(const uint8_t *in, size_t n, char *out, size_t cap);

/* Upper-case hex of n bytes into out (2n + 1 bytes). */
void hex_upper(const uint8_t *in, size_t n, char *out);

#endif
