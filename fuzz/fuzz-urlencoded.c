/*
 * fuzz-urlencoded.c — libFuzzer target for the urlencoded form / query
 * parser (src/web/http_parse.c).  Whatever parses must stay within the
 * arena, give NUL-terminated names and values whose lengths match, and
 * respect the pair and value limits; the path decoder is fed the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/http.h"
#include "web/http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_PAIRS 16
#define FUZZ_VALUE 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_pair pairs[FUZZ_PAIRS];
    if (size > 1 << 16)
        return 0;
    size_t cap = http_urlencoded_arena(size, FUZZ_PAIRS);
    char *arena = malloc(cap);
    if (!arena)
        return 0;
    int n =
        http_parse_urlencoded((const char *)data, size, pairs, FUZZ_PAIRS, arena, cap, FUZZ_VALUE);
    if (n > FUZZ_PAIRS)
        abort();
    for (int i = 0; i < n; i++) {
        if (pairs[i].name < arena || pairs[i].value < arena ||
            pairs[i].value + pairs[i].value_len >= arena + cap)
            abort();
        if (strlen(pairs[i].value) != pairs[i].value_len || pairs[i].value_len > FUZZ_VALUE)
            abort();
        if (pairs[i].name[0] == '\0')
            abort();
    }
    free(arena);

    /* the path decoder: a success never yields a '/' that was not in the input */
    char out[256];
    long m = http_pct_decode((const char *)data, size, false, false, out, sizeof out);
    if (m >= 0) {
        size_t in_slashes = 0, out_slashes = 0;
        for (size_t i = 0; i < size; i++)
            in_slashes += data[i] == '/';
        for (long i = 0; i < m; i++)
            out_slashes += out[i] == '/';
        if ((size_t)m >= sizeof out || strlen(out) != (size_t)m || out_slashes != in_slashes)
            abort();
    }
    return 0;
}
