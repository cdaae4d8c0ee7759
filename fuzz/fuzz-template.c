/*
 * fuzz-template.c — libFuzzer target for the template compiler and
 * renderer: the input (split at the first NUL byte) is compiled as template
 * "t" and as partial "p"; when both compile, "t" is rendered with a fixed
 * context whose strings hold the marker "<" + U+2603 (snowman) and a small
 * catalog.  Output must be NUL-terminated and of the reported length; when
 * the input holds no snowman, the only snowmen in the output come from
 * values, so a raw "<" before one means a value escaped escaping.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/i18n.h"
#include "web/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SNOWMAN "\xE2\x98\x83"

static bool contains(const char *s, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t k = 0; k + m <= n; k++)
        if (memcmp(s + k, needle, m) == 0)
            return true;
    return false;
}

static const char ctx_json[] =
    "{\"s\": \"<\xE2\x98\x83\\\"'&\", \"n\": 7, \"r\": 1.5, \"t\": true, \"f\": false, \"z\": null,"
    " \"e\": \"\", \"a\": [\"<\xE2\x98\x83\", {\"s\": \"x<\xE2\x98\x83\", \"a\": [1, 2]}, "
    "[\"<\xE2\x98\x83\"], 3],"
    " \"o\": {\"s\": \"<\xE2\x98\x83\", \"o\": {\"s\": \"<\xE2\x98\x83>\"}, \"key\": \"k.one\"},"
    " \"page\": \"p\", \"self\": \"t\", \"key\": \"k.two\", \"bad\": \"<\xE2\x98\x83\"}";

static const char po_en[] = "msgid \"k.one\"\nmsgstr \"One {s} {o.s} {n} {a}\"\n"
                            "msgid \"k.two\"\nmsgstr \"Two {key} {missing}\"\n";
static const char po_ur[] = "msgid \"k.one\"\nmsgstr \"ایک {s}\"\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    size_t tlen = nul ? (size_t)(nul - text) : size;
    const char *ptext = nul ? nul + 1 : "";
    size_t plen = nul ? size - tlen - 1 : 0;
    char err[256];

    struct tmpl_set *set = tmpl_set_new();
    struct i18n *i = i18n_new();
    json_t *ctx = json_loads(ctx_json, 0, NULL);
    if (!set || !i || !ctx ||
        i18n_load_string(i, "en", "en.po", po_en, strlen(po_en), err, sizeof err) < 0 ||
        i18n_load_string(i, "ur", "ur.po", po_ur, strlen(po_ur), err, sizeof err) < 0)
        abort();
    int rt = tmpl_compile_string(set, "t", text, tlen, err, sizeof err);
    if (rt < 0 && strlen(err) >= sizeof err)
        abort();
    int rp = tmpl_compile_string(set, "p", ptext, plen, err, sizeof err);
    if (rt == 0 && rp == 0) {
        static const char *const langs[] = {"en", "ur"};
        for (int k = 0; k < 2; k++) {
            char *out = NULL;
            size_t len = 0;
            if (tmpl_render(set, "t", ctx, i, langs[k], &out, &len) == 0) {
                if (!out || strlen(out) > len || len > TMPL_MAX_OUTPUT)
                    abort();
                if (!contains(text, size, SNOWMAN) && contains(out, len, "<" SNOWMAN))
                    abort();
                free(out);
            } else if (out) {
                abort();
            }
        }
    }
    json_decref(ctx);
    i18n_free(i);
    tmpl_free(set);
    return 0;
}
