/*
 * i18n.c — PO catalogs (a strict, bounded subset of gettext's format), key
 * lookup with English fallback, catalog consistency checks and language
 * negotiation (?lang=, cookie, Accept-Language).  See i18n.h.
 */
#include "util/text.h"
#include "web/i18n.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const lang_codes[I18N__MAX] = {"en", "az", "ur"};

struct entry {
    char *key;
    char *text;
    unsigned line;
};

struct catalog {
    struct entry *e; /* sorted by key once loaded */
    size_t n;
};

struct i18n_counters {
    atomic_ulong fallbacks;
    atomic_ulong missing;
};

struct i18n {
    struct catalog cat[I18N__MAX];
    struct i18n_counters *ctr; /* separate so const lookups can count */
};

static int lang_index(const char *lang)
{
    if (!lang)
        return -1;
    for (int k = 0; k < I18N__MAX; k++)
        if (strcmp(lang, lang_codes[k]) == 0)
            return k;
    return -1;
}

struct i18n *i18n_new(void)
{
    struct i18n *i = calloc(1, sizeof *i);
    if (!i)
        return NULL;
    i->ctr = calloc(1, sizeof *i->ctr);
    if (!i->ctr) {
        free(i);
        return NULL;
    }
    atomic_init(&i->ctr->fallbacks, 0);
    atomic_init(&i->ctr->missing, 0);
    return i;
}

static void catalog_clear(struct catalog *c)
{
    for (size_t k = 0; k < c->n; k++) {
        free(c->e[k].key);
        free(c->e[k].text);
    }
    free(c->e);
    c->e = NULL;
    c->n = 0;
}

void i18n_free(struct i18n *i)
{
    if (!i)
        return;
    for (int k = 0; k < I18N__MAX; k++)
        catalog_clear(&i->cat[k]);
    free(i->ctr);
    free(i);
}

/* ---- UTF-8 ---------------------------------------------------------------- */


/* ---- PO parsing ------------------------------------------------------------- */

struct po_parser {
    const char *fname;
    unsigned line;
    char *err;
    size_t cap;
    struct entry *e;
    size_t n, alloc;
    bool seen_entry; /* any entry, including the header, so far */
    char key[I18N_MAX_KEY + 1];
    size_t key_len;
    char *text; /* I18N_MAX_TEXT + 1 bytes */
    size_t text_len;
    unsigned entry_line;
};

__attribute__((format(printf, 2, 3))) static int po_fail(struct po_parser *p, const char *fmt, ...)
{
    if (p->err && p->cap) {
        int n = snprintf(p->err, p->cap, "%s:%u: ", p->fname, p->line);
        if (n >= 0 && (size_t)n < p->cap) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(p->err + n, p->cap - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

static bool key_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

/* Appends the quoted string at s[0..n) (starting at its opening quote) to
 * dst (length *len, capacity cap bytes before the NUL). */
static int po_string(struct po_parser *p, const char *s, size_t n, char *dst, size_t *len,
                     size_t cap, const char *what)
{
    if (n == 0 || s[0] != '"')
        return po_fail(p, "expected a quoted string");
    size_t k = 1;
    for (;;) {
        if (k >= n)
            return po_fail(p, "unterminated string");
        unsigned char c = (unsigned char)s[k];
        if (c == '"')
            break;
        if (c < 0x20 || c == 0x7F)
            return po_fail(p, "control character in string");
        if (c == '\\') {
            if (k + 1 >= n)
                return po_fail(p, "unterminated string");
            switch (s[k + 1]) {
            case '"':
                c = '"';
                break;
            case '\\':
                c = '\\';
                break;
            case 'n':
                c = '\n';
                break;
            case 't':
                c = '\t';
                break;
            default:
                return po_fail(p, "unsupported escape '\\%c'", s[k + 1]);
            }
            k += 2;
        } else {
            k++;
        }
        if (*len >= cap)
            return po_fail(p, "%s longer than %zu bytes", what, cap);
        dst[(*len)++] = (char)c;
    }
    for (k++; k < n; k++)
        if (s[k] != ' ' && s[k] != '\t')
            return po_fail(p, "text after the closing quote");
    dst[*len] = '\0';
    return 0;
}

enum po_state { PO_IDLE, PO_MSGID, PO_MSGSTR };

static int po_finish(struct po_parser *p)
{
    unsigned line = p->line;
    p->line = p->entry_line;
    if (p->key_len == 0) {
        /* The header entry: allowed once, first. */
        if (p->seen_entry)
            return po_fail(p, "empty msgid (only the first entry may be the header)");
        p->seen_entry = true;
        p->line = line;
        return 0;
    }
    p->seen_entry = true;
    for (size_t k = 0; k < p->key_len; k++)
        if (!key_char((unsigned char)p->key[k]))
            return po_fail(p, "msgid \"%s\" is not a key ([A-Za-z0-9_.-])", p->key);
    if (p->text_len == 0)
        return po_fail(p, "empty msgstr for \"%s\" (translate it or leave the entry out)", p->key);
    if (memchr(p->text, '\0', p->text_len))
        return po_fail(p, "NUL in msgstr");
    if (p->n >= I18N_MAX_ENTRIES)
        return po_fail(p, "more than %d entries", I18N_MAX_ENTRIES);
    if (p->n == p->alloc) {
        size_t na = p->alloc ? p->alloc * 2 : 64;
        struct entry *ne = realloc(p->e, na * sizeof *ne);
        if (!ne)
            return po_fail(p, "out of memory");
        p->e = ne;
        p->alloc = na;
    }
    struct entry *e = &p->e[p->n];
    e->key = strdup(p->key);
    e->text = strdup(p->text);
    e->line = p->entry_line;
    if (!e->key || !e->text) {
        free(e->key);
        free(e->text);
        return po_fail(p, "out of memory");
    }
    p->n++;
    p->line = line;
    return 0;
}

static int entry_cmp(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

static bool starts_with(const char *s, size_t n, const char *word)
{
    size_t w = strlen(word);
    return n >= w && memcmp(s, word, w) == 0;
}

static int po_parse(struct po_parser *p, const char *text, size_t len)
{
    if (len > I18N_MAX_FILE)
        return po_fail(p, "file larger than %u bytes", I18N_MAX_FILE);
    /* The whole file must be UTF-8 without NUL bytes. */
    for (size_t k = 0; k < len;) {
        size_t l = text[k] ? utf8_seq((const unsigned char *)text + k, len - k) : 0;
        if (l == 0) {
            p->line = 1;
            for (size_t j = 0; j < k; j++)
                p->line += text[j] == '\n';
            return po_fail(p, text[k] ? "invalid UTF-8" : "NUL byte");
        }
        k += l;
    }
    size_t pos = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    enum po_state st = PO_IDLE;
    p->line = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        const char *s = text + pos;
        size_t n = end - pos;
        pos = nl ? end + 1 : len;
        p->line++;
        if (n && s[n - 1] == '\r')
            n--;
        while (n && (*s == ' ' || *s == '\t'))
            s++, n--;
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        if (n == 0 || s[0] == '#') {
            if (st == PO_MSGID)
                return po_fail(p, "msgid without msgstr");
            if (st == PO_MSGSTR && po_finish(p) < 0)
                return -1;
            st = PO_IDLE;
            continue;
        }
        if (starts_with(s, n, "msgctxt") || starts_with(s, n, "msgid_plural") ||
            starts_with(s, n, "msgstr[")) {
            return po_fail(p, "contexts and plural forms are not supported");
        }
        if (starts_with(s, n, "msgid ") || starts_with(s, n, "msgid\t")) {
            if (st == PO_MSGID)
                return po_fail(p, "msgid without msgstr");
            if (st == PO_MSGSTR && po_finish(p) < 0)
                return -1;
            size_t k = 5;
            while (k < n && (s[k] == ' ' || s[k] == '\t'))
                k++;
            p->key_len = 0;
            p->text_len = 0;
            p->entry_line = p->line;
            if (po_string(p, s + k, n - k, p->key, &p->key_len, I18N_MAX_KEY, "msgid") < 0)
                return -1;
            st = PO_MSGID;
        } else if (starts_with(s, n, "msgstr ") || starts_with(s, n, "msgstr\t")) {
            if (st != PO_MSGID)
                return po_fail(p, "msgstr without msgid");
            size_t k = 6;
            while (k < n && (s[k] == ' ' || s[k] == '\t'))
                k++;
            if (po_string(p, s + k, n - k, p->text, &p->text_len, I18N_MAX_TEXT, "msgstr") < 0)
                return -1;
            st = PO_MSGSTR;
        } else if (s[0] == '"') {
            if (st == PO_MSGID) {
                if (po_string(p, s, n, p->key, &p->key_len, I18N_MAX_KEY, "msgid") < 0)
                    return -1;
            } else if (st == PO_MSGSTR) {
                if (po_string(p, s, n, p->text, &p->text_len, I18N_MAX_TEXT, "msgstr") < 0)
                    return -1;
            } else {
                return po_fail(p, "string outside an entry");
            }
        } else {
            return po_fail(p, "expected msgid, msgstr, a string or a comment");
        }
    }
    if (st == PO_MSGID)
        return po_fail(p, "msgid without msgstr at end of file");
    if (st == PO_MSGSTR && po_finish(p) < 0)
        return -1;
    if (p->n > 1) {
        qsort(p->e, p->n, sizeof *p->e, entry_cmp);
        for (size_t k = 1; k < p->n; k++) {
            if (strcmp(p->e[k - 1].key, p->e[k].key) == 0) {
                p->line = p->e[k].line;
                return po_fail(p, "duplicate msgid \"%s\" (first on line %u)", p->e[k].key,
                               p->e[k - 1].line);
            }
        }
    }
    return 0;
}

int i18n_load_string(struct i18n *i, const char *lang, const char *fname, const char *text,
                     size_t len, char *err, size_t cap)
{
    struct po_parser p = {.fname = fname ? fname : "(po)", .err = err, .cap = cap};
    if (err && cap)
        err[0] = '\0';
    int li = lang_index(lang);
    if (!i || li < 0)
        return po_fail(&p, "unknown language");
    if (i->cat[li].n)
        return po_fail(&p, "catalog for %s already loaded", lang);
    if (!text && len)
        return po_fail(&p, "no text");
    p.text = malloc(I18N_MAX_TEXT + 1);
    if (!p.text)
        return po_fail(&p, "out of memory");
    int rc = po_parse(&p, text ? text : "", len);
    free(p.text);
    if (rc < 0) {
        struct catalog c = {p.e, p.n};
        catalog_clear(&c);
        return -1;
    }
    i->cat[li].e = p.e;
    i->cat[li].n = p.n;
    return 0;
}

int i18n_load_dir(const char *dir, struct i18n **out, char *err, size_t cap)
{
    *out = NULL;
    struct i18n *i = i18n_new();
    if (!i) {
        snprintf(err, cap, "%s: out of memory", dir);
        return -1;
    }
    char path[4096];
    for (int k = 0; k < I18N__MAX; k++) {
        int n = snprintf(path, sizeof path, "%s/%s.po", dir, lang_codes[k]);
        if (n < 0 || (size_t)n >= sizeof path) {
            snprintf(err, cap, "%s:0: path too long", dir);
            i18n_free(i);
            return -1;
        }
        FILE *f = fopen(path, "rb");
        if (!f) {
            snprintf(err, cap, "%s:0: cannot open", path);
            i18n_free(i);
            return -1;
        }
        char *buf = malloc(I18N_MAX_FILE + 1);
        size_t got = buf ? fread(buf, 1, I18N_MAX_FILE + 1, f) : 0;
        bool rd_err = !buf || ferror(f);
        fclose(f);
        if (rd_err) {
            snprintf(err, cap, "%s:0: cannot read", path);
            free(buf);
            i18n_free(i);
            return -1;
        }
        int rc = i18n_load_string(i, lang_codes[k], path, buf, got, err, cap);
        free(buf);
        if (rc < 0) {
            i18n_free(i);
            return -1;
        }
    }
    *out = i;
    return 0;
}

/* ---- lookup ------------------------------------------------------------------- */

static const char *catalog_find(const struct catalog *c, const char *key)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(key, c->e[mid].key);
        if (cmp == 0)
            return c->e[mid].text;
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const char *i18n_get(const struct i18n *i, const char *lang, const char *key)
{
    if (!i || !key)
        return NULL;
    int li = lang_index(lang);
    if (li > 0) {
        const char *t = catalog_find(&i->cat[li], key);
        if (t)
            return t;
    }
    const char *t = catalog_find(&i->cat[I18N_EN], key);
    if (t) {
        if (li != I18N_EN)
            atomic_fetch_add(&i->ctr->fallbacks, 1);
        return t;
    }
    atomic_fetch_add(&i->ctr->missing, 1);
    return NULL;
}

void i18n_stats(const struct i18n *i, unsigned long *fallbacks, unsigned long *missing)
{
    if (fallbacks)
        *fallbacks = i ? atomic_load(&i->ctr->fallbacks) : 0;
    if (missing)
        *missing = i ? atomic_load(&i->ctr->missing) : 0;
}

size_t i18n_count(const struct i18n *i, const char *lang)
{
    int li = lang_index(lang);
    return i && li >= 0 ? i->cat[li].n : 0;
}

const char *i18n_key_at(const struct i18n *i, const char *lang, size_t idx)
{
    int li = lang_index(lang);
    if (!i || li < 0 || idx >= i->cat[li].n)
        return NULL;
    return i->cat[li].e[idx].key;
}

/* ---- consistency ----------------------------------------------------------------- */

#define MAX_PLACEHOLDERS 16

/* The distinct {name} placeholders of text, sorted, as "name\0" slices;
 * returns their number, or -1 when there are too many. */
static int placeholders(const char *text, const char *names[MAX_PLACEHOLDERS],
                        size_t lens[MAX_PLACEHOLDERS])
{
    int n = 0;
    for (const char *s = text; (s = strchr(s, '{')) != NULL; s++) {
        size_t l = 0;
        while (s[1 + l] && (key_char((unsigned char)s[1 + l]) && s[1 + l] != '-'))
            l++;
        if (l == 0 || s[1 + l] != '}')
            continue;
        bool dup = false;
        for (int k = 0; k < n; k++)
            if (lens[k] == l && memcmp(names[k], s + 1, l) == 0)
                dup = true;
        if (dup)
            continue;
        if (n == MAX_PLACEHOLDERS)
            return -1;
        /* insertion sort */
        int at = n;
        while (at > 0) {
            size_t m = lens[at - 1] < l ? lens[at - 1] : l;
            int c = memcmp(names[at - 1], s + 1, m);
            if (c < 0 || (c == 0 && lens[at - 1] < l))
                break;
            names[at] = names[at - 1];
            lens[at] = lens[at - 1];
            at--;
        }
        names[at] = s + 1;
        lens[at] = l;
        n++;
    }
    return n;
}

static bool same_placeholders(const char *a, const char *b)
{
    const char *na[MAX_PLACEHOLDERS], *nb[MAX_PLACEHOLDERS];
    size_t la[MAX_PLACEHOLDERS], lb[MAX_PLACEHOLDERS];
    int ca = placeholders(a, na, la), cb = placeholders(b, nb, lb);
    if (ca < 0 || cb < 0 || ca != cb)
        return false;
    for (int k = 0; k < ca; k++)
        if (la[k] != lb[k] || memcmp(na[k], nb[k], la[k]) != 0)
            return false;
    return true;
}

int i18n_check_catalogs(const struct i18n *i, char *err, size_t cap)
{
    const struct catalog *en = &i->cat[I18N_EN];
    if (en->n == 0) {
        snprintf(err, cap, "en: empty catalog");
        return -1;
    }
    for (int li = 1; li < I18N__MAX; li++) {
        const struct catalog *c = &i->cat[li];
        size_t a = 0, b = 0;
        while (a < en->n || b < c->n) {
            int cmp = a == en->n ? 1 : b == c->n ? -1 : strcmp(en->e[a].key, c->e[b].key);
            if (cmp < 0) {
                snprintf(err, cap, "%s: missing key '%s'", lang_codes[li], en->e[a].key);
                return -1;
            }
            if (cmp > 0) {
                snprintf(err, cap, "%s:%u: key '%s' is not in en", lang_codes[li], c->e[b].line,
                         c->e[b].key);
                return -1;
            }
            if (!same_placeholders(en->e[a].text, c->e[b].text)) {
                snprintf(err, cap, "%s:%u: '%s' has other {placeholders} than en", lang_codes[li],
                         c->e[b].line, c->e[b].key);
                return -1;
            }
            a++, b++;
        }
    }
    return 0;
}

/* ---- negotiation ------------------------------------------------------------------- */

bool i18n_rtl(const char *lang)
{
    const char *code = i18n_lang_code(lang);
    return code && strcmp(code, "ur") == 0;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Our code for the tag s[0..n), or NULL. */
static const char *tag_code(const char *s, size_t n)
{
    if (n == 0 || n > 35)
        return NULL;
    size_t primary = 0;
    while (primary < n && s[primary] != '-' && s[primary] != '_')
        primary++;
    for (size_t k = 0; k < n; k++) {
        char c = s[k];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && c != '-' && c != '_')
            return NULL;
    }
    if (primary != 2)
        return NULL;
    for (int k = 0; k < I18N__MAX; k++)
        if (lower(s[0]) == lang_codes[k][0] && lower(s[1]) == lang_codes[k][1])
            return lang_codes[k];
    return NULL;
}

const char *i18n_lang_code(const char *tag)
{
    return tag ? tag_code(tag, strnlen(tag, 64)) : NULL;
}

/* A qvalue (RFC 9110: 0[.ddd] or 1[.000]) in thousandths, or -1. */
static int qvalue(const char *s, size_t n)
{
    if (n == 0 || (s[0] != '0' && s[0] != '1'))
        return -1;
    int q = (s[0] - '0') * 1000;
    if (n == 1)
        return q;
    if (s[1] != '.' || n > 5)
        return -1;
    int scale = 100;
    for (size_t k = 2; k < n; k++, scale /= 10) {
        if (s[k] < '0' || s[k] > '9')
            return -1;
        q += (s[k] - '0') * scale;
    }
    return q > 1000 ? -1 : q;
}

static bool ows(char c)
{
    return c == ' ' || c == '\t';
}

/* The best of our languages in an Accept-Language value, or NULL. */
static const char *accept_best(const char *h)
{
    const char *best = NULL;
    int best_q = 0;
    size_t len = strnlen(h, 4096);
    size_t pos = 0;
    for (int items = 0; pos < len && items < 64; items++) {
        size_t end = pos;
        while (end < len && h[end] != ',')
            end++;
        /* item = h[pos..end): tag *( OWS ";" OWS param ) */
        size_t a = pos, b;
        while (a < end && ows(h[a]))
            a++;
        b = a;
        while (b < end && h[b] != ';' && !ows(h[b]))
            b++;
        const char *code = tag_code(h + a, b - a);
        int q = 1000;
        size_t k = b;
        while (k < end) {
            while (k < end && ows(h[k]))
                k++;
            if (k == end)
                break;
            if (h[k] != ';') {
                q = -1;
                break;
            }
            k++;
            while (k < end && ows(h[k]))
                k++;
            size_t ps = k;
            while (k < end && h[k] != ';' && !ows(h[k]))
                k++;
            if (k - ps >= 2 && lower(h[ps]) == 'q' && h[ps + 1] == '=')
                q = qvalue(h + ps + 2, k - ps - 2);
            if (q < 0)
                break;
        }
        if (code && q > best_q) {
            best = code;
            best_q = q;
        }
        pos = end + 1;
    }
    return best;
}

const char *i18n_negotiate(const char *query_lang, const char *cookie_lang,
                           const char *accept_language)
{
    const char *c = i18n_lang_code(query_lang);
    if (c)
        return c;
    c = i18n_lang_code(cookie_lang);
    if (c)
        return c;
    if (accept_language) {
        c = accept_best(accept_language);
        if (c)
            return c;
    }
    return "en";
}
