/*
 * template.h — HTML templates with automatic escaping: a Mustache subset
 * over jansson values, compiled once at start-up into node lists and
 * rendered many times (by many threads: a loaded set is immutable).
 *
 * Tags (whitespace inside the braces is ignored):
 *   {{name}} {{a.b.c}} {{.}}  the value at that path (string, number, bool;
 *                             null/object/array/missing print nothing),
 *                             HTML-escaped: & < > " ' become entities.
 *                             Invalid UTF-8 and control characters (except
 *                             tab and newline) become U+FFFD.
 *   {{name|url}}              percent-encoded: only [A-Za-z0-9-._~] kept,
 *                             for a path segment or query value of a link.
 *   {{#name}}...{{/name}}     section: repeated for each element of an array
 *                             (the element becomes the current context),
 *                             rendered once for any other truthy value (which
 *                             becomes the context); skipped for false, null,
 *                             missing, an empty array or an empty string.
 *                             The number 0 is truthy.
 *   {{^name}}...{{/name}}     inverted section: rendered when name is falsy.
 *   {{>name}}                 the template `name` of the same set.
 *   {{>*key}}                 the template named by the string at context
 *                             path `key` (how pages plug into the layout).
 *   {{@key}}                  the translation of `key` in the render's
 *                             language (i18n.h), HTML-escaped; "{var}" in it
 *                             is replaced by the escaped value of `var` in
 *                             the context.  Missing: English, then the key.
 *   {{@*path}}                the translation of the key held by the string
 *                             at context path `path` (e.g. an error code
 *                             "err.required" chosen by the handler).
 *   {{! comment }}
 * There is no raw output: "{{{" and "{{&" are errors, as are delimiter
 * changes "{{=".  Names are [A-Za-z0-9_-] segments joined by dots.
 *
 * Lookup: the first segment is searched in the current context, then in each
 * enclosing section's context, outwards to the render's ctx, and last in the
 * built-ins; later segments descend into objects only.  Built-ins:
 *   lang   the render's language ("en", "az", "ur")
 *   dir    "rtl" for Urdu, else "ltr"
 *   is_en, is_az, is_ur   true for the render's language (absent otherwise)
 *
 * Attribute safety: values are escaped for quoted attribute values too, so
 * templates MUST always quote attributes (href="{{x}}", never href={{x}}),
 * and must not put values in URL-bearing attributes unless the value is a
 * site-relative path chosen by the server or passed through |url.  Values
 * never go into <script>/<style> (there are none: the CSP forbids them).
 *
 * Forms: a field's error is shown next to it and tied to it, e.g.
 *   <input id="surname" name="surname" value="{{values.surname}}"
 *     {{#errors.surname}}aria-invalid="true" aria-describedby="surname-error"{{/errors.surname}}>
 *   {{#errors.surname}}<p class="field-error" id="surname-error">{{@*errors.surname}}</p>
 *   {{/errors.surname}}
 *
 * Layout: templates/layout.html is the page skeleton; a handler renders
 * "layout" with ctx keys page (name of the body template, e.g. "apply"),
 * title (an i18n key for <title>), path (the request path, starting with a
 * single '/', for the language links), official_site (host name shown in the
 * footer notice), test_mode (true shows the TEST banner).
 *
 * Limits: TMPL_MAX_* below; every parse and render is bounded by them.
 */
#ifndef EVISA_TEMPLATE_H
#define EVISA_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "web/i18n.h"

#define TMPL_MAX_SOURCE (256u * 1024) /* bytes of one template */
#define TMPL_MAX_NODES 8192           /* nodes of one template */
#define TMPL_MAX_TAG 128              /* bytes between {{ and }} */
#define TMPL_MAX_NEST 32              /* section nesting in one template */
#define TMPL_MAX_TEMPLATES 256        /* templates in a set */
#define TMPL_MAX_PARTIAL_DEPTH 16     /* partial inclusion depth at render */
#define TMPL_MAX_OUTPUT (4u << 20)    /* bytes of one rendered page */

/* Every *.html in a directory, compiled at start-up; immutable, shared by
 * threads. */
struct tmpl_set;

/* An empty set, for tmpl_compile_string; NULL when out of memory. */
struct tmpl_set *tmpl_set_new(void);

/* Compiles every regular file dir/NAME.html (NAME of [A-Za-z0-9_-]; files
 * starting with '.' are skipped) as template NAME, then checks that every
 * {{>partial}} exists and that partials form no loop.  Returns 0 and *out
 * (free with tmpl_free), or -1 with err "file:line: reason". */
int tmpl_load_dir(const char *dir, struct tmpl_set **out, char *err, size_t err_cap);

/* Compiles text[0..len) as template `name` into set (name must be new).
 * Rejects a {{>partial}} that closes a loop with templates already in the
 * set; partials not yet in the set are allowed (checked at render).
 * Returns 0, or -1 with err "name:line: reason" (the set is unchanged). */
int tmpl_compile_string(struct tmpl_set *set, const char *name, const char *text, size_t len,
                        char *err, size_t cap);

/* Whether the set has a template of that name. */
bool tmpl_exists(const struct tmpl_set *set, const char *name);

void tmpl_free(struct tmpl_set *set);

/* Renders template `name` with ctx (a jansson object, or NULL) in language
 * lang (NULL = "en"); i18n may be NULL (translations then print their keys).
 * *out is malloc'd NUL-terminated HTML of *out_len bytes (out_len may be
 * NULL).  Returns 0, or -1 (unknown template or partial, partial depth or
 * output limit exceeded, out of memory) with *out NULL. */
int tmpl_render(const struct tmpl_set *set, const char *name, const json_t *ctx,
                const struct i18n *i18n, const char *lang, char **out, size_t *out_len);

#endif
