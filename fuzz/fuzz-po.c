/*
 * fuzz-po.c — libFuzzer target for the PO catalog parser and the
 * Accept-Language negotiation: the input is parsed as az.po over a fixed
 * en.po; a catalog that loads must give a NUL-free, valid lookup for each
 * of its keys, and the consistency check must not crash.  The input (up to
 * its first NUL) is also negotiated as an Accept-Language header and as
 * a ?lang= value, which must give "en", "az" or "ur".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char po_en[] = "msgid \"a\"\nmsgstr \"A {x}\"\nmsgid \"b.c\"\nmsgstr \"B\"\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    struct i18n *i = i18n_new();
    if (!i || i18n_load_string(i, "en", "en.po", po_en, strlen(po_en), err, sizeof err) < 0)
        abort();
    if (i18n_load_string(i, "az", "az.po", (const char *)data, size, err, sizeof err) == 0) {
        size_t n = i18n_count(i, "az");
        if (n > I18N_MAX_ENTRIES)
            abort();
        for (size_t k = 0; k < n; k++) {
            const char *key = i18n_key_at(i, "az", k);
            const char *t = key ? i18n_get(i, "az", key) : NULL;
            if (!t || strlen(key) > I18N_MAX_KEY || strlen(t) > I18N_MAX_TEXT || !*t)
                abort();
            if (k > 0 && strcmp(i18n_key_at(i, "az", k - 1), key) >= 0)
                abort();
        }
        (void)i18n_check_catalogs(i, err, sizeof err);
    } else if (strncmp(err, "az.po:", 6) != 0) {
        abort();
    }
    i18n_free(i);

    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    const char *l1 = i18n_negotiate(NULL, NULL, s);
    const char *l2 = i18n_negotiate(s, NULL, NULL);
    for (int k = 0; k < 2; k++) {
        const char *l = k ? l2 : l1;
        if (strcmp(l, "en") && strcmp(l, "az") && strcmp(l, "ur"))
            abort();
    }
    (void)i18n_rtl(s);
    free(s);
    return 0;
}
