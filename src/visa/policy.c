/*
 * policy.c — loads and validates issuing-state policy files
 * (config/states/<STATE>.json, schema in docs/policy.md) into the immutable
 * structures of policy.h, and looks things up in them.
 *
 * Validation is strict and table-driven: every JSON object level declares
 * its keys once (name, required); unknown keys, missing keys, wrong types,
 * out-of-range numbers, malformed ids/codes and duplicates are rejected with
 * the file, the JSON path of the field and an English reason.  The first
 * error found stops loading.  No global mutable state.
 */
#include "visa/policy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

const char *const policy_lang_codes[LANG__MAX] = {"en", "az", "ur"};
const char *const policy_document_ids[DOC__MAX] = {"photo", "passport_page"};

#define PATH_CAP sizeof(((struct policy_error *)0)->field)
#define ROOT "$" /* the field of errors about the whole file */

/* Where errors go while one file is validated. */
struct ctx {
    const char *file;
    struct policy_error *err;
};

/* Fills the error (when wanted) and returns -1.  Truncation of the error
 * texts is accepted: they are messages, never parsed. */
__attribute__((format(printf, 3, 4))) static int fail(const struct ctx *c, const char *field,
                                                      const char *fmt, ...)
{
    if (!c->err)
        return -1;
    (void)snprintf(c->err->file, sizeof c->err->file, "%s", c->file);
    (void)snprintf(c->err->field, sizeof c->err->field, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(c->err->reason, sizeof c->err->reason, fmt, ap);
    va_end(ap);
    return -1;
}

/* base.key (or key at the root).  A key that is empty or holds anything but
 * A-Z a-z 0-9 _ - (only unknown keys can) is written base["key"] ($["key"]
 * at the root), bytes outside printable ASCII, '"' and '\\' as '?'.  Only
 * error paths can be cut (an unknown key of any length); paths of declared
 * keys always fit. */
static void path_key(char out[PATH_CAP], const char *base, const char *key)
{
    bool plain = key[0] != '\0';
    for (const char *k = key; *k && plain; k++)
        plain = (*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') ||
                *k == '_' || *k == '-';
    int n;
    if (plain) {
        n = base[0] ? snprintf(out, PATH_CAP, "%s.%s", base, key)
                    : snprintf(out, PATH_CAP, "%s", key);
    } else {
        char shown[PATH_CAP];
        size_t i = 0;
        for (; i < sizeof shown - 1 && key[i]; i++) {
            unsigned char b = (unsigned char)key[i];
            shown[i] = (b < 0x20 || b > 0x7E || b == '"' || b == '\\') ? '?' : (char)b;
        }
        shown[i] = '\0';
        n = snprintf(out, PATH_CAP, "%s[\"%s\"]", base[0] ? base : ROOT, shown);
    }
    if (n < 0 || (size_t)n >= PATH_CAP)
        out[PATH_CAP - 1] = '\0'; /* cut: still names the place well enough */
}

static void path_index(char out[PATH_CAP], const char *base, size_t i)
{
    int n = snprintf(out, PATH_CAP, "%s[%zu]", base, i);
    if (n < 0 || (size_t)n >= PATH_CAP)
        out[PATH_CAP - 1] = '\0';
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "an unknown value";
}

/* ---- declared keys ------------------------------------------------------ */

struct key_def {
    const char *name;
    bool required;
};

static const struct key_def state_keys[] = {
    {"schema", true},
    {"code", true},
    {"name", true},
    {"currency", true},
    {"mrv_format", true},
    {"translit", true},
    {"passport_min_validity_months", true},
    {"eligible_nationalities", true},
    {"unconfirmed_nationalities", false},
    {"official_portal_notice", true},
    {"visa_types", true},
    {"refusal_reasons", false},
    {"note", false},
};

static const struct key_def reason_keys[] = {
    {"code", true},
    {"text", true},
};

static const struct key_def translit_keys[] = {
    {"umlaut", true},
    {"schwa", true},
};

static const struct key_def type_keys[] = {
    {"id", true},
    {"name", true},
    {"description", true},
    {"entries", true},
    {"validity_days", true},
    {"stay_days", true},
    {"vds_visa_type", true},
    {"documents", true},
    {"tracks", true},
    {"unconfirmed", false},
    {"unconfirmed_note", false},
    {"four_eyes", false},
    {"note", false},
};

static const struct key_def track_keys[] = {
    {"id", true},
    {"name", true},
    {"fee_minor", true},
    {"processing_hours", false},
    {"processing_working_days", false},
    {"fee_unconfirmed", false},
    {"note", false},
};

#define N_KEYS(a) (sizeof(a) / sizeof((a)[0]))

/* obj must be an object holding every required key and no other key. */
static int check_object(const struct ctx *c, const json_t *obj, const char *path,
                        const struct key_def *keys, size_t n_keys)
{
    char p[PATH_CAP];
    if (!json_is_object(obj))
        return fail(c, path[0] ? path : ROOT, "expected an object, got %s", type_name(obj));
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        bool known = false;
        for (size_t i = 0; i < n_keys && !known; i++)
            known = strcmp(keys[i].name, key) == 0;
        if (!known) {
            path_key(p, path, key);
            return fail(c, p, "unknown key");
        }
    }
    for (size_t i = 0; i < n_keys; i++) {
        if (keys[i].required && !json_object_get(obj, keys[i].name)) {
            path_key(p, path, keys[i].name);
            return fail(c, p, "required key is missing");
        }
    }
    return 0;
}

/* ---- typed getters (the key is present when required) ------------------- */

static int get_int(const struct ctx *c, const json_t *obj, const char *path, const char *key,
                   long long min, long long max, long long *out)
{
    char p[PATH_CAP];
    path_key(p, path, key);
    const json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v))
        return fail(c, p, "expected an integer, got %s", type_name(v));
    long long x = json_integer_value(v);
    if (x < min || x > max)
        return fail(c, p, "must be between %lld and %lld (got %lld)", min, max, x);
    *out = x;
    return 0;
}

/* Like get_int into an int (ranges used here all fit an int). */
static int get_int_small(const struct ctx *c, const json_t *obj, const char *path, const char *key,
                         int min, int max, int *out)
{
    long long x;
    if (get_int(c, obj, path, key, min, max, &x) < 0)
        return -1;
    *out = (int)x;
    return 0;
}

/* An optional boolean, false when absent. */
static int get_bool(const struct ctx *c, const json_t *obj, const char *path, const char *key,
                    bool *out)
{
    char p[PATH_CAP];
    const json_t *v = json_object_get(obj, key);
    *out = false;
    if (!v)
        return 0;
    if (!json_is_boolean(v)) {
        path_key(p, path, key);
        return fail(c, p, "expected true or false, got %s", type_name(v));
    }
    *out = json_is_true(v);
    return 0;
}

static int get_string(const struct ctx *c, const json_t *v, const char *p, const char **out,
                      size_t *len)
{
    if (!json_is_string(v))
        return fail(c, p, "expected a string, got %s", type_name(v));
    *out = json_string_value(v);
    *len = json_string_length(v);
    return 0;
}

/* id: 1..POLICY_ID_MAX-1 of [a-z0-9-]. */
static int check_id(const struct ctx *c, const json_t *v, const char *p, char out[POLICY_ID_MAX])
{
    const char *s;
    size_t n;
    if (get_string(c, v, p, &s, &n) < 0)
        return -1;
    if (n == 0 || n >= POLICY_ID_MAX)
        return fail(c, p, "an id must be 1 to %d characters long (got %zu)", POLICY_ID_MAX - 1, n);
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'))
            return fail(c, p, "an id may hold only a-z, 0-9 and '-' (bad character at %zu)", i);
    }
    memcpy(out, s, n + 1);
    return 0;
}

/* A 3-letter code A-Z (state, nationality, currency). */
static int check_code3(const struct ctx *c, const json_t *v, const char *p, char out[4])
{
    const char *s;
    size_t n;
    if (get_string(c, v, p, &s, &n) < 0)
        return -1;
    if (n != 3 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' || s[2] < 'A' || s[2] > 'Z')
        return fail(c, p, "expected 3 capital letters A-Z, got \"%.16s\"", s);
    memcpy(out, s, 4);
    return 0;
}

/* Free text: 1..POLICY_TEXT_MAX-1 bytes of UTF-8 (jansson has checked the
 * encoding), not only spaces, no C0/C1 control characters or DEL. */
static int check_free_text(const struct ctx *c, const json_t *v, const char *p,
                           char out[POLICY_TEXT_MAX])
{
    const char *s;
    size_t n;
    if (get_string(c, v, p, &s, &n) < 0)
        return -1;
    if (n >= POLICY_TEXT_MAX)
        return fail(c, p, "text is longer than %d bytes (got %zu)", POLICY_TEXT_MAX - 1, n);
    bool blank = true;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x20 || b == 0x7F ||
            (b == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
             (unsigned char)s[i + 1] <= 0x9F))
            return fail(c, p, "text holds a control character at byte %zu", i);
        if (b != ' ')
            blank = false;
    }
    if (blank)
        return fail(c, p, "text is empty");
    memcpy(out, s, n + 1);
    return 0;
}

/* A translated text: {"en": ..., "az": ..., "ur": ...}, all required. */
static int get_text(const struct ctx *c, const json_t *obj, const char *path, const char *key,
                    struct policy_text *out)
{
    static const struct key_def lang_keys[LANG__MAX] = {{"en", true}, {"az", true}, {"ur", true}};
    char p[PATH_CAP], q[PATH_CAP];
    path_key(p, path, key);
    const json_t *t = json_object_get(obj, key);
    if (check_object(c, t, p, lang_keys, LANG__MAX) < 0)
        return -1;
    for (int l = 0; l < LANG__MAX; l++) {
        path_key(q, p, policy_lang_codes[l]);
        if (check_free_text(c, json_object_get(t, policy_lang_codes[l]), q, out->text[l]) < 0)
            return -1;
    }
    return 0;
}

/* An optional operator note ("" when absent). */
static int get_note(const struct ctx *c, const json_t *obj, const char *path, const char *key,
                    char out[POLICY_TEXT_MAX])
{
    char p[PATH_CAP];
    const json_t *v = json_object_get(obj, key);
    out[0] = '\0';
    if (!v)
        return 0;
    path_key(p, path, key);
    return check_free_text(c, v, p, out);
}

/* An array of min..max elements; what names one element in reasons. */
static int get_array(const struct ctx *c, const json_t *obj, const char *path, const char *key,
                     size_t min, size_t max, const char *what, const json_t **out)
{
    char p[PATH_CAP];
    path_key(p, path, key);
    const json_t *a = json_object_get(obj, key);
    if (!json_is_array(a))
        return fail(c, p, "expected an array, got %s", type_name(a));
    size_t n = json_array_size(a);
    if (n < min)
        return fail(c, p, "at least %zu %s required", min, what);
    if (n > max)
        return fail(c, p, "at most %zu %s allowed (got %zu)", max, what, n);
    *out = a;
    return 0;
}

/* ---- one track, one visa type, one state -------------------------------- */

static int load_track(const struct ctx *c, const json_t *o, const char *path,
                      struct policy_track *tr)
{
    char p[PATH_CAP];
    long long fee;
    if (check_object(c, o, path, track_keys, N_KEYS(track_keys)) < 0)
        return -1;
    path_key(p, path, "id");
    if (check_id(c, json_object_get(o, "id"), p, tr->id) < 0 ||
        get_text(c, o, path, "name", &tr->name) < 0 ||
        get_int(c, o, path, "fee_minor", 0, POLICY_FEE_MAX, &fee) < 0 ||
        get_bool(c, o, path, "fee_unconfirmed", &tr->fee_unconfirmed) < 0 ||
        get_note(c, o, path, "note", tr->note) < 0)
        return -1;
    tr->fee_minor = (int64_t)fee;
    bool has_hours = json_object_get(o, "processing_hours") != NULL;
    bool has_days = json_object_get(o, "processing_working_days") != NULL;
    if (has_hours && has_days) {
        path_key(p, path, "processing_hours");
        return fail(c, p, "give processing_hours or processing_working_days, not both");
    }
    if (!has_hours && !has_days)
        return fail(c, path, "processing_hours or processing_working_days is required");
    tr->processing_hours = 0;
    tr->processing_working_days = 0;
    if (has_hours)
        return get_int_small(c, o, path, "processing_hours", 1, POLICY_HOURS_MAX,
                             &tr->processing_hours);
    return get_int_small(c, o, path, "processing_working_days", 1, POLICY_DAYS_MAX,
                         &tr->processing_working_days);
}

static int load_documents(const struct ctx *c, const json_t *o, const char *path,
                          struct policy_visa_type *t)
{
    char p[PATH_CAP], q[PATH_CAP];
    const json_t *a;
    if (get_array(c, o, path, "documents", 0, DOC__MAX, "documents", &a) < 0)
        return -1;
    path_key(p, path, "documents");
    for (size_t i = 0; i < json_array_size(a); i++) {
        path_index(q, p, i);
        const char *s;
        size_t n;
        if (get_string(c, json_array_get(a, i), q, &s, &n) < 0)
            return -1;
        int d = -1;
        for (int k = 0; k < DOC__MAX; k++)
            if (strcmp(s, policy_document_ids[k]) == 0)
                d = k;
        if (d < 0)
            return fail(c, q, "unknown document \"%.32s\" (known: photo, passport_page)", s);
        if (t->documents[d])
            return fail(c, q, "duplicate document \"%s\"", s);
        t->documents[d] = true;
    }
    return 0;
}

/* "four_eyes": the decisions of this type that need a second officer. */
static int load_four_eyes(const struct ctx *c, const json_t *o, const char *path,
                          struct policy_visa_type *t)
{
    char p[PATH_CAP], q[PATH_CAP];
    const json_t *a;
    if (!json_object_get(o, "four_eyes"))
        return 0;
    if (get_array(c, o, path, "four_eyes", 0, 2, "decisions", &a) < 0)
        return -1;
    path_key(p, path, "four_eyes");
    for (size_t i = 0; i < json_array_size(a); i++) {
        path_index(q, p, i);
        const char *s;
        size_t n;
        if (get_string(c, json_array_get(a, i), q, &s, &n) < 0)
            return -1;
        bool *flag = !strcmp(s, "approve")  ? &t->four_eyes_approve
                     : !strcmp(s, "refuse") ? &t->four_eyes_refuse
                                            : NULL;
        if (!flag)
            return fail(c, q, "unknown decision \"%.32s\" (known: approve, refuse)", s);
        if (*flag)
            return fail(c, q, "duplicate decision \"%s\"", s);
        *flag = true;
    }
    return 0;
}

static int load_tracks(const struct ctx *c, const json_t *o, const char *path,
                       struct policy_visa_type *t)
{
    char p[PATH_CAP], q[PATH_CAP], r[PATH_CAP];
    const json_t *a;
    if (get_array(c, o, path, "tracks", 1, POLICY_MAX_TRACKS, "tracks", &a) < 0)
        return -1;
    path_key(p, path, "tracks");
    for (size_t i = 0; i < json_array_size(a); i++) {
        path_index(q, p, i);
        if (load_track(c, json_array_get(a, i), q, &t->tracks[i]) < 0)
            return -1;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(t->tracks[j].id, t->tracks[i].id) == 0) {
                path_key(r, q, "id");
                return fail(c, r, "duplicate track id \"%s\" (also tracks[%zu])", t->tracks[i].id,
                            j);
            }
        }
        t->n_tracks = i + 1;
    }
    return 0;
}

static int load_type(const struct ctx *c, const json_t *o, const char *path,
                     struct policy_visa_type *t)
{
    char p[PATH_CAP];
    int vds;
    if (check_object(c, o, path, type_keys, N_KEYS(type_keys)) < 0)
        return -1;
    path_key(p, path, "id");
    if (check_id(c, json_object_get(o, "id"), p, t->id) < 0 ||
        get_text(c, o, path, "name", &t->name) < 0 ||
        get_text(c, o, path, "description", &t->description) < 0 ||
        get_int_small(c, o, path, "entries", 0, 255, &t->entries) < 0 ||
        get_int_small(c, o, path, "validity_days", 1, POLICY_DAYS_MAX, &t->validity_days) < 0 ||
        get_int_small(c, o, path, "stay_days", 1, POLICY_DAYS_MAX, &t->stay_days) < 0)
        return -1;
    if (t->stay_days > t->validity_days) {
        path_key(p, path, "stay_days");
        return fail(c, p, "stay_days (%d) exceeds validity_days (%d)", t->stay_days,
                    t->validity_days);
    }
    if (get_int_small(c, o, path, "vds_visa_type", 0, 255, &vds) < 0)
        return -1;
    t->vds_visa_type = (uint8_t)vds;
    if (load_documents(c, o, path, t) < 0 || load_tracks(c, o, path, t) < 0 ||
        load_four_eyes(c, o, path, t) < 0 ||
        get_bool(c, o, path, "unconfirmed", &t->unconfirmed) < 0 ||
        get_note(c, o, path, "unconfirmed_note", t->unconfirmed_note) < 0 ||
        get_note(c, o, path, "note", t->note) < 0)
        return -1;
    if (t->unconfirmed && !t->unconfirmed_note[0]) {
        path_key(p, path, "unconfirmed_note");
        return fail(c, p, "required when unconfirmed is true: say what is unconfirmed");
    }
    if (!t->unconfirmed && t->unconfirmed_note[0]) {
        path_key(p, path, "unconfirmed_note");
        return fail(c, p, "given but unconfirmed is not true");
    }
    return 0;
}

static int load_translit(const struct ctx *c, const json_t *o, struct translit_profile *tp)
{
    const json_t *t = json_object_get(o, "translit");
    const char *s;
    size_t n;
    if (check_object(c, t, "translit", translit_keys, N_KEYS(translit_keys)) < 0)
        return -1;
    if (get_string(c, json_object_get(t, "umlaut"), "translit.umlaut", &s, &n) < 0)
        return -1;
    if (strcmp(s, "expand") == 0)
        tp->umlaut_expand = true;
    else if (strcmp(s, "plain") == 0)
        tp->umlaut_expand = false;
    else
        return fail(c, "translit.umlaut", "expected \"expand\" or \"plain\"");
    if (get_string(c, json_object_get(t, "schwa"), "translit.schwa", &s, &n) < 0)
        return -1;
    if (strcmp(s, "A") != 0 && strcmp(s, "E") != 0)
        return fail(c, "translit.schwa", "expected \"A\" or \"E\"");
    tp->schwa = s[0];
    return 0;
}

static int load_nationalities(const struct ctx *c, const json_t *o, struct policy_state *st)
{
    char p[PATH_CAP];
    const json_t *a;
    if (get_array(c, o, "", "eligible_nationalities", 1, POLICY_MAX_NATIONALITIES, "nationalities",
                  &a) < 0)
        return -1;
    for (size_t i = 0; i < json_array_size(a); i++) {
        path_index(p, "eligible_nationalities", i);
        if (check_code3(c, json_array_get(a, i), p, st->nationalities[i]) < 0)
            return -1;
        if (strcmp(st->nationalities[i], st->code) == 0)
            return fail(c, p, "a state does not issue visas to its own nationals (%s)", st->code);
        for (size_t j = 0; j < i; j++)
            if (strcmp(st->nationalities[j], st->nationalities[i]) == 0)
                return fail(c, p, "duplicate nationality %s (also eligible_nationalities[%zu])",
                            st->nationalities[i], j);
        st->n_nationalities = i + 1;
    }
    if (!json_object_get(o, "unconfirmed_nationalities"))
        return 0;
    if (get_array(c, o, "", "unconfirmed_nationalities", 0, POLICY_MAX_NATIONALITIES,
                  "nationalities", &a) < 0)
        return -1;
    for (size_t i = 0; i < json_array_size(a); i++) {
        char code[4];
        path_index(p, "unconfirmed_nationalities", i);
        if (check_code3(c, json_array_get(a, i), p, code) < 0)
            return -1;
        size_t k = 0;
        while (k < st->n_nationalities && strcmp(st->nationalities[k], code) != 0)
            k++;
        if (k == st->n_nationalities)
            return fail(c, p, "%s is not in eligible_nationalities", code);
        if (st->nationality_unconfirmed[k])
            return fail(c, p, "duplicate nationality %s", code);
        st->nationality_unconfirmed[k] = true;
    }
    return 0;
}

static int load_types(const struct ctx *c, const json_t *o, struct policy_state *st)
{
    char p[PATH_CAP], q[PATH_CAP];
    const json_t *a;
    if (get_array(c, o, "", "visa_types", 1, POLICY_MAX_TYPES, "visa types", &a) < 0)
        return -1;
    for (size_t i = 0; i < json_array_size(a); i++) {
        struct policy_visa_type *t = &st->types[i];
        path_index(p, "visa_types", i);
        if (load_type(c, json_array_get(a, i), p, t) < 0)
            return -1;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(st->types[j].id, t->id) == 0) {
                path_key(q, p, "id");
                return fail(c, q, "duplicate visa type id \"%s\" (also visa_types[%zu])", t->id, j);
            }
            if (st->types[j].vds_visa_type == t->vds_visa_type) {
                path_key(q, p, "vds_visa_type");
                return fail(c, q, "duplicate vds_visa_type %d (also visa_types[%zu])",
                            t->vds_visa_type, j);
            }
        }
        st->n_types = i + 1;
    }
    return 0;
}

static int load_reasons(const struct ctx *c, const json_t *o, struct policy_state *st)
{
    char p[PATH_CAP], q[PATH_CAP];
    const json_t *a;
    if (!json_object_get(o, "refusal_reasons"))
        return 0; /* a state without reason codes cannot refuse through the console */
    if (get_array(c, o, "", "refusal_reasons", 1, POLICY_MAX_REASONS, "refusal reasons", &a) < 0)
        return -1;
    for (size_t i = 0; i < json_array_size(a); i++) {
        struct policy_reason *r = &st->refusal_reasons[i];
        const json_t *e = json_array_get(a, i);
        path_index(p, "refusal_reasons", i);
        if (check_object(c, e, p, reason_keys, N_KEYS(reason_keys)) < 0)
            return -1;
        path_key(q, p, "code");
        if (check_id(c, json_object_get(e, "code"), q, r->code) < 0 ||
            get_text(c, e, p, "text", &r->text) < 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(st->refusal_reasons[j].code, r->code) == 0)
                return fail(c, q, "duplicate refusal reason \"%s\" (also refusal_reasons[%zu])",
                            r->code, j);
        st->n_reasons = i + 1;
    }
    return 0;
}

static int load_state(const struct ctx *c, const json_t *o, struct policy_state *st)
{
    long long schema;
    const char *s;
    size_t n;
    if (check_object(c, o, "", state_keys, N_KEYS(state_keys)) < 0)
        return -1;
    if (get_int(c, o, "", "schema", POLICY_SCHEMA_VERSION, POLICY_SCHEMA_VERSION, &schema) < 0 ||
        check_code3(c, json_object_get(o, "code"), "code", st->code) < 0 ||
        get_text(c, o, "", "name", &st->name) < 0 ||
        check_code3(c, json_object_get(o, "currency"), "currency", st->currency) < 0)
        return -1;
    if (get_string(c, json_object_get(o, "mrv_format"), "mrv_format", &s, &n) < 0)
        return -1;
    if (strcmp(s, "MRV-A") == 0)
        st->mrv_format = MRZ_FORMAT_MRV_A;
    else if (strcmp(s, "MRV-B") == 0)
        st->mrv_format = MRZ_FORMAT_MRV_B;
    else
        return fail(c, "mrv_format", "expected \"MRV-A\" or \"MRV-B\"");
    if (load_translit(c, o, &st->translit) < 0 ||
        get_int_small(c, o, "", "passport_min_validity_months", 0, POLICY_MONTHS_MAX,
                      &st->passport_min_validity_months) < 0 ||
        load_nationalities(c, o, st) < 0 ||
        get_text(c, o, "", "official_portal_notice", &st->official_portal_notice) < 0 ||
        load_types(c, o, st) < 0 || load_reasons(c, o, st) < 0 ||
        get_note(c, o, "", "note", st->note) < 0)
        return -1;
    return 0;
}

int policy_load_json(const char *text, size_t len, const char *file, struct policy_state *st,
                     struct policy_error *err)
{
    const struct ctx c = {file ? file : "(input)", err};
    memset(st, 0, sizeof *st);
    if (len > POLICY_CONFIG_MAX)
        return fail(&c, ROOT, "file is larger than %u bytes (%zu)", POLICY_CONFIG_MAX, len);
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        const char *what =
            json_error_code(&jerr) == json_error_invalid_utf8 ? "invalid UTF-8" : "invalid JSON";
        return fail(&c, ROOT, "%s at line %d, column %d: %s", what, jerr.line, jerr.column,
                    jerr.text);
    }
    int r = load_state(&c, root, st);
    json_decref(root);
    if (r < 0)
        memset(st, 0, sizeof *st);
    return r;
}

/* ---- a directory of state files ----------------------------------------- */

static int is_state_file(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

static int byte_order(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Reads a regular file of at most POLICY_CONFIG_MAX bytes into a malloc'd
 * buffer. */
static int read_config(const struct ctx *c, const char *path, char **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(c, ROOT, "cannot open: %s", strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return fail(c, ROOT, "not a regular file");
    }
    if (sb.st_size > (off_t)POLICY_CONFIG_MAX) {
        close(fd);
        return fail(c, ROOT, "file is larger than %u bytes (%lld)", POLICY_CONFIG_MAX,
                    (long long)sb.st_size);
    }
    /* One byte more than allowed, to notice a file that grew meanwhile. */
    char *buf = malloc(POLICY_CONFIG_MAX + 1u);
    if (!buf) {
        close(fd);
        return fail(c, ROOT, "out of memory");
    }
    size_t n = 0;
    while (n < POLICY_CONFIG_MAX + 1u) {
        ssize_t r = read(fd, buf + n, POLICY_CONFIG_MAX + 1u - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            free(buf);
            return fail(c, ROOT, "cannot read: %s", strerror(e));
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    *out = buf;
    *len = n;
    return 0;
}

int policy_load_dir(const char *dir, struct policy_set *set, struct policy_error *err)
{
    struct ctx c = {dir, err};
    struct dirent **names = NULL;
    memset(set, 0, sizeof *set);
    int n = scandir(dir, &names, is_state_file, byte_order);
    if (n < 0)
        return fail(&c, ROOT, "cannot read the directory: %s", strerror(errno));
    int r = 0;
    if (n == 0)
        r = fail(&c, ROOT, "no *.json state files");
    for (int i = 0; i < n && r == 0; i++) {
        char path[sizeof err->file];
        const char *name = names[i]->d_name;
        int w = snprintf(path, sizeof path, "%s/%s", dir, name);
        if (w < 0 || (size_t)w >= sizeof path) {
            c.file = name;
            r = fail(&c, ROOT, "the path is longer than %zu bytes", sizeof path - 1);
            break;
        }
        c.file = path;
        if (set->n_states == POLICY_MAX_STATES) {
            r = fail(&c, ROOT, "more than %d state files", POLICY_MAX_STATES);
            break;
        }
        char *text = NULL;
        size_t len = 0;
        if ((r = read_config(&c, path, &text, &len)) < 0)
            break;
        struct policy_state *st = &set->states[set->n_states];
        r = policy_load_json(text, len, path, st, err);
        free(text);
        if (r < 0)
            break;
        size_t stem = strlen(name) - 5;
        if (strlen(st->code) != stem || memcmp(st->code, name, stem) != 0) {
            r = fail(&c, "code", "\"%s\" does not match the file name %s", st->code, name);
            break;
        }
        /* Unreachable while codes must match distinct file names; kept so that
         * relaxing the naming rule can never let one state shadow another. */
        if (policy_find_state(set, st->code)) {
            r = fail(&c, "code", "duplicate state %s", st->code);
            break;
        }
        set->n_states++;
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (r < 0)
        memset(set, 0, sizeof *set);
    return r;
}

/* ---- lookups ------------------------------------------------------------ */

const struct policy_state *policy_find_state(const struct policy_set *set, const char *code)
{
    if (!set || !code)
        return NULL;
    for (size_t i = 0; i < set->n_states; i++)
        if (strcmp(set->states[i].code, code) == 0)
            return &set->states[i];
    return NULL;
}

const struct policy_visa_type *policy_find_type(const struct policy_state *st, const char *id)
{
    if (!st || !id)
        return NULL;
    for (size_t i = 0; i < st->n_types; i++)
        if (strcmp(st->types[i].id, id) == 0)
            return &st->types[i];
    return NULL;
}

const struct policy_track *policy_find_track(const struct policy_visa_type *t, const char *id)
{
    if (!t || !id)
        return NULL;
    for (size_t i = 0; i < t->n_tracks; i++)
        if (strcmp(t->tracks[i].id, id) == 0)
            return &t->tracks[i];
    return NULL;
}

bool policy_nationality_eligible(const struct policy_state *st, const char *nationality)
{
    if (!st || !nationality || strlen(nationality) != 3)
        return false;
    char up[4];
    for (int i = 0; i < 3; i++) {
        char ch = nationality[i];
        up[i] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 'a' + 'A') : ch;
    }
    up[3] = '\0';
    for (size_t i = 0; i < st->n_nationalities; i++)
        if (strcmp(st->nationalities[i], up) == 0)
            return true;
    return false;
}

const struct policy_reason *policy_find_reason(const struct policy_state *st, const char *code)
{
    if (!st || !code)
        return NULL;
    for (size_t i = 0; i < st->n_reasons; i++)
        if (strcmp(st->refusal_reasons[i].code, code) == 0)
            return &st->refusal_reasons[i];
    return NULL;
}
