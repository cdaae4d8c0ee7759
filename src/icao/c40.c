/*
 * c40.c — C40 text encoding for Visible Digital Seals (spec §7.1).  Three
 * characters share one big-endian 16-bit word 1600*c1 + 40*c2 + c3 + 1; a
 * two-character tail is padded with Shift-1 (value 0), a one-character tail
 * is written as 0xFE followed by its ASCII code plus one.  The decoder is
 * strict: any form the encoder would not produce is rejected, so every
 * accepted byte string has exactly one text.
 */
#include "icao/c40.h"

#include <stdbool.h>

#include "icao/icao_err.h"

/* C40 value of a character (the MRZ filler '<' counts as space), or -1. */
static int c40_value(char c)
{
    if (c == ' ' || c == '<')
        return 3;
    if (c >= '0' && c <= '9')
        return 4 + (c - '0');
    if (c >= 'A' && c <= 'Z')
        return 14 + (c - 'A');
    return -1;
}

/* Text character of a C40 value 3..39 (space is given back as '<'). */
static char c40_char(unsigned v)
{
    if (v == 3)
        return '<';
    if (v <= 13)
        return (char)('0' + (v - 4));
    return (char)('A' + (v - 14));
}

int c40_encode(const char *text, size_t n, uint8_t *out, size_t cap)
{
    size_t need = C40_ENCODED_LEN(n);
    if (need > cap)
        return -ICAO_E_NO_SPACE;
    if (need > (size_t)0x7FFFFFFF) /* the count would not fit the int result */
        return -ICAO_E_NO_SPACE;
    size_t o = 0;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        int c1 = c40_value(text[i]), c2 = c40_value(text[i + 1]), c3 = c40_value(text[i + 2]);
        if (c1 < 0 || c2 < 0 || c3 < 0)
            return -ICAO_E_BAD_C40;
        unsigned v = 1600u * (unsigned)c1 + 40u * (unsigned)c2 + (unsigned)c3 + 1u;
        out[o++] = (uint8_t)(v >> 8);
        out[o++] = (uint8_t)(v & 0xFF);
    }
    if (n - i == 2) {
        int c1 = c40_value(text[i]), c2 = c40_value(text[i + 1]);
        if (c1 < 0 || c2 < 0)
            return -ICAO_E_BAD_C40;
        unsigned v = 1600u * (unsigned)c1 + 40u * (unsigned)c2 + 1u; /* c3 = Shift-1 pad */
        out[o++] = (uint8_t)(v >> 8);
        out[o++] = (uint8_t)(v & 0xFF);
    } else if (n - i == 1) {
        if (c40_value(text[i]) < 0)
            return -ICAO_E_BAD_C40;
        char c = text[i] == '<' ? ' ' : text[i];
        out[o++] = 0xFE;
        out[o++] = (uint8_t)((unsigned char)c + 1u);
    }
    return (int)o;
}

int c40_decode(const uint8_t *in, size_t n, char *out, size_t cap)
{
    if (n % 2 != 0)
        return -ICAO_E_BAD_C40;
    if (n / 2 > (size_t)0x7FFFFFFF / 3) /* the count would not fit the int result */
        return -ICAO_E_NO_SPACE;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 2) {
        bool last = i + 2 == n;
        if (in[i] == 0xFE) {
            /* Unlatch: one ASCII character (code + 1), only as the final pair. */
            if (!last || in[i + 1] == 0)
                return -ICAO_E_BAD_C40;
            char c = (char)(in[i + 1] - 1);
            if (c40_value(c) < 0 || c == '<')
                return -ICAO_E_BAD_C40;
            if (o + 1 >= cap)
                return -ICAO_E_NO_SPACE;
            out[o++] = c == ' ' ? '<' : c;
            continue;
        }
        unsigned v = ((unsigned)in[i] << 8) | in[i + 1];
        if (v == 0 || v >= 64001)
            return -ICAO_E_BAD_C40;
        v -= 1;
        unsigned c1 = v / 1600, c2 = (v / 40) % 40, c3 = v % 40;
        if (c1 < 3 || c2 < 3)
            return -ICAO_E_BAD_C40;
        if (c3 < 3 && !(c3 == 0 && last))
            return -ICAO_E_BAD_C40;
        size_t k = c3 == 0 ? 2 : 3;
        if (o + k >= cap)
            return -ICAO_E_NO_SPACE;
        out[o++] = c40_char(c1);
        out[o++] = c40_char(c2);
        if (k == 3)
            out[o++] = c40_char(c3);
    }
    if (cap == 0)
        return -ICAO_E_NO_SPACE;
    out[o] = '\0';
    return (int)o;
}
