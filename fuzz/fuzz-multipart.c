/*
 * fuzz-multipart.c — libFuzzer target for the multipart/form-data parser
 * (src/web/http_parse.c).  The first input line is the boundary, the rest
 * the body.  Every part found must point inside the body, have a name,
 * respect the field/file limits, and its strings must lie in the arena.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/http.h"
#include "web/http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_PARTS 16
#define FUZZ_FIELD 256
#define FUZZ_FILE 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_part parts[FUZZ_PARTS];
    char boundary[HTTP_BOUNDARY_MAX + 8];
    if (size > 1 << 16)
        return 0;
    const uint8_t *nl = memchr(data, '\n', size < sizeof boundary ? size : sizeof boundary);
    if (!nl)
        return 0;
    size_t blen = (size_t)(nl - data);
    memcpy(boundary, data, blen);
    boundary[blen] = '\0';
    const uint8_t *body = nl + 1;
    size_t len = size - blen - 1;
    /* a private copy so ASan catches any read past the body */
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return 0;
    memcpy(copy, body, len);
    size_t cap = http_multipart_arena(len, FUZZ_PARTS);
    char *arena = malloc(cap);
    if (!arena) {
        free(copy);
        return 0;
    }
    int n = http_parse_multipart(copy, len, boundary, parts, FUZZ_PARTS, arena, cap, FUZZ_FIELD,
                                 FUZZ_FILE);
    if (n > FUZZ_PARTS)
        abort();
    for (int i = 0; i < n; i++) {
        const struct http_part *p = &parts[i];
        if (p->data < copy || p->data + p->len > copy + len)
            abort();
        if (!p->name || p->name < arena || p->name >= arena + cap)
            abort();
        if (p->filename ? p->len > FUZZ_FILE : p->len > FUZZ_FIELD)
            abort();
        if (p->filename && (strchr(p->filename, '/') || strchr(p->filename, '\\')))
            abort();
    }
    free(arena);
    free(copy);
    return 0;
}
