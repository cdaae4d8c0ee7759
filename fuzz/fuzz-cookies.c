/*
 * fuzz-cookies.c — libFuzzer target for the Cookie header parser
 * (src/web/http_parse.c).  The input becomes a NUL-terminated header;
 * parsed pairs must lie in the arena with token names and consistent value
 * lengths.  The Content-Type helpers are fed the same text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/http.h"
#include "web/http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_COOKIES 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_pair pairs[FUZZ_COOKIES];
    if (size > 1 << 14)
        return 0;
    char *header = malloc(size + 1);
    if (!header)
        return 0;
    memcpy(header, data, size);
    header[size] = '\0';
    size_t cap = strlen(header) + 2 * FUZZ_COOKIES + 2;
    char *arena = malloc(cap);
    if (!arena) {
        free(header);
        return 0;
    }
    int n = http_parse_cookies(header, pairs, FUZZ_COOKIES, arena, cap);
    if (n > FUZZ_COOKIES)
        abort();
    for (int i = 0; i < n; i++) {
        if (pairs[i].name < arena || pairs[i].value + pairs[i].value_len >= arena + cap)
            abort();
        if (strlen(pairs[i].value) != pairs[i].value_len || !pairs[i].name[0] ||
            strpbrk(pairs[i].name, " \t;=\"") || strchr(pairs[i].value, ';'))
            abort();
    }
    char mt[64], b[HTTP_BOUNDARY_MAX + 2];
    if (http_media_type(header, mt, sizeof mt) == 0 && strchr(mt, ';'))
        abort();
    int bl = http_ct_param(header, "boundary", b, sizeof b);
    if (bl >= 0 && (size_t)bl != strlen(b))
        abort();
    free(arena);
    free(header);
    return 0;
}
