/*
 * i18n.h — translations of the applicant portal (en, az, ur) and language
 * negotiation.
 *
 * Catalogs are gettext PO files, po/<lang>.po, in a strict subset: comments
 * ("#..." lines, e.g. "#, needs-review"), entries `msgid "key"` followed by
 * `msgstr "text"`, strings continued on following lines ("..." concatenated),
 * escapes \" \\ \n \t only.  An optional header entry (msgid "") is ignored.
 * msgids are stable KEYS ("apply.title", "err.required", "field.surname"),
 * not English sentences; keys use [A-Za-z0-9_.-].  Translations may hold
 * "{var}" placeholders that templates fill from the render context
 * (template.h).  Translations are plain text: templates HTML-escape them, so
 * a translation can never carry markup.
 *
 * Parsing is bounded (file size, entries, string length) and strict: any
 * deviation is an error "file:line: reason".  A loaded struct i18n is
 * immutable and may be shared by threads; only its statistics counters
 * (missing keys, fallbacks) change, atomically.
 */
#ifndef EVISA_I18N_H
#define EVISA_I18N_H

#include <stdbool.h>
#include <stddef.h>

/* The languages of the portal; "en" is the fallback for every lookup. */
enum i18n_lang { I18N_EN, I18N_AZ, I18N_UR, I18N__MAX };

#define I18N_MAX_FILE (1u << 20) /* bytes of one PO file */
#define I18N_MAX_ENTRIES 4096    /* entries per catalog */
#define I18N_MAX_KEY 128         /* bytes of a msgid */
#define I18N_MAX_TEXT 4096       /* bytes of a msgstr (after unescaping) */

struct i18n;

/* An empty set of catalogs (for tests and fuzzing); NULL when out of
 * memory.  Free with i18n_free. */
struct i18n *i18n_new(void);

/* Parses one PO text (len bytes, need not be NUL-terminated) into the
 * catalog of lang ("en", "az" or "ur"), which must still be empty.  fname
 * names the text in error messages.  Returns 0, or -1 with err set to
 * "fname:line: reason" (the catalog is then left empty). */
int i18n_load_string(struct i18n *i, const char *lang, const char *fname, const char *text,
                     size_t len, char *err, size_t cap);

/* Loads dir/en.po, dir/az.po and dir/ur.po (all three must exist).  Returns 0
 * and *out (free with i18n_free), or -1 with err "file:line: reason" (line 0
 * when the file cannot be read). */
int i18n_load_dir(const char *dir, struct i18n **out, char *err, size_t cap);

/* The translation of key in lang; falls back to English when lang has no
 * such key (or lang is not one of ours, or NULL), then NULL.  Fallbacks and
 * misses are counted (i18n_stats).  The string lives as long as i. */
const char *i18n_get(const struct i18n *i, const char *lang, const char *key);

/* Counters since load: lookups answered from English for another language,
 * and lookups with no answer at all.  Tests use them to catch missing keys. */
void i18n_stats(const struct i18n *i, unsigned long *fallbacks, unsigned long *missing);

/* The number of keys of lang's catalog and the idx-th key in sorted order
 * (NULL when out of range or lang unknown). */
size_t i18n_count(const struct i18n *i, const char *lang);
const char *i18n_key_at(const struct i18n *i, const char *lang, size_t idx);

/* Checks that every catalog has exactly en's key set and that each
 * translation uses the same {placeholders} as English.  Returns 0, or -1 with
 * err naming the first difference ("az: missing key 'err.required'"). */
int i18n_check_catalogs(const struct i18n *i, char *err, size_t cap);

/* Whether lang is written right to left ("ur", "ur-PK": true). */
bool i18n_rtl(const char *lang);

/* The code of one of our languages, or NULL: "az-Latn-AZ" -> "az",
 * "UR" -> "ur", "fr" -> NULL.  Only the primary subtag counts. */
const char *i18n_lang_code(const char *tag);

/* The language of a request: the ?lang= value when it names one of ours,
 * else the cookie's, else the best of the Accept-Language header (q-values,
 * ties to the earlier entry, q=0 excluded), else "en".  Any argument may be
 * NULL.  Returns a static "en", "az" or "ur". */
const char *i18n_negotiate(const char *query_lang, const char *cookie_lang,
                           const char *accept_language);

void i18n_free(struct i18n *i);

#endif
