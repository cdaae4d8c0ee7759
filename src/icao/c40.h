/*
 * c40.h — C40 encoding of text fields as used by Visible Digital Seals
 * (ICAO Doc 9303 Part 13; spec §7.1).  Values: space=3, 0-9=4..13,
 * A-Z=14..39.  The MRZ filler '<' is carried as space and decoded back to '<'.
 */
#ifndef EVISA_C40_H
#define EVISA_C40_H

#include <stddef.h>
#include <stdint.h>

/* Bytes needed to encode n characters: 2*ceil(n/3). */
#define C40_ENCODED_LEN(n) (2 * (((n) + 2) / 3))

/* Encodes n characters of text (A-Z, 0-9, space, '<').  Returns the number
 * of bytes written to out, -ICAO_E_BAD_C40 for a character outside the set,
 * -ICAO_E_NO_SPACE when cap is too small. */
int c40_encode(const char *text, size_t n, uint8_t *out, size_t cap);

/* Decodes n bytes of C40 into out (NUL-terminated; spaces become '<').
 * Returns the number of characters, -ICAO_E_BAD_C40 for malformed data
 * (odd length, value >= 64001, a value 0-2 other than the final Shift-1
 * pad, 0xFE anywhere but the last pair), -ICAO_E_NO_SPACE. */
int c40_decode(const uint8_t *in, size_t n, char *out, size_t cap);

#endif
