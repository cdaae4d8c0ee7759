/*
 * fuzz-c40.c — libFuzzer target for the C40 codec (src/icao/c40.c).  The
 * input is decoded as C40 bytes; whatever decodes must re-encode to the very
 * same bytes (the decoder accepts canonical forms only) and decode again to
 * the same text.  The input is also encoded as text, and anything that
 * encodes must decode back to it ('<' and space being the same character).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icao/c40.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_C40_MAX 1024

static void check_decode(const uint8_t *data, size_t size)
{
    char text[FUZZ_C40_MAX * 3 / 2 + 1], again[sizeof text];
    uint8_t bytes[FUZZ_C40_MAX + 2];
    int n = c40_decode(data, size, text, sizeof text);
    if (n < 0)
        return;
    if ((size_t)n != strlen(text))
        abort();
    int m = c40_encode(text, (size_t)n, bytes, sizeof bytes);
    if (m < 0 || (size_t)m != size || memcmp(bytes, data, size) != 0)
        abort();
    int k = c40_decode(bytes, (size_t)m, again, sizeof again);
    if (k != n || strcmp(again, text) != 0)
        abort();
}

static void check_encode(const uint8_t *data, size_t size)
{
    uint8_t bytes[C40_ENCODED_LEN(FUZZ_C40_MAX)];
    char text[FUZZ_C40_MAX + 1];
    int m = c40_encode((const char *)data, size, bytes, sizeof bytes);
    if (m < 0)
        return;
    if ((size_t)m != C40_ENCODED_LEN(size))
        abort();
    int n = c40_decode(bytes, (size_t)m, text, sizeof text);
    if (n < 0 || (size_t)n != size)
        abort();
    for (size_t i = 0; i < size; i++) {
        char want = data[i] == ' ' ? '<' : (char)data[i];
        if (text[i] != want)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_C40_MAX)
        return 0;
    check_decode(data, size);
    check_encode(data, size);
    return 0;
}
