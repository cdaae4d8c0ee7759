/*
 * template.c — the template compiler (text -> flat node list with section
 * extents), the partial loop check, and the renderer (node list + jansson
 * context stack -> escaped HTML in a bounded growing buffer).  See
 * template.h for the language.
 */
#include "util/text.h"
#include "web/template.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum nkind {
    N_TEXT,        /* s[0..len) copied verbatim */
    N_VAR,         /* s = path; HTML-escaped value */
    N_URL,         /* s = path; percent-encoded value */
    N_SECTION,     /* s = path; children up to end */
    N_INVERTED,    /* s = path; children up to end */
    N_PARTIAL,     /* s = template name */
    N_PARTIAL_DYN, /* s = path of a string naming a template */
    N_TRANS,       /* s = i18n key */
    N_TRANS_DYN,   /* s = path of a string holding an i18n key */
};

struct node {
    enum nkind kind;
    unsigned line;
    size_t end;    /* sections: index past the last child */
    const char *s; /* into tmpl->src; names are NUL-terminated in place */
    size_t len;
};

struct tmpl {
    char *name;
    char *src;
    struct node *nodes;
    size_t n;
};

struct tmpl_set {
    struct tmpl *t[TMPL_MAX_TEMPLATES];
    size_t n;
};

#define NAME_MAX_LEN 64

struct tmpl_set *tmpl_set_new(void)
{
    return calloc(1, sizeof(struct tmpl_set));
}

static void tmpl_destroy(struct tmpl *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->src);
    free(t->nodes);
    free(t);
}

void tmpl_free(struct tmpl_set *set)
{
    if (!set)
        return;
    for (size_t k = 0; k < set->n; k++)
        tmpl_destroy(set->t[k]);
    free(set);
}

static const struct tmpl *find_tmpl(const struct tmpl_set *set, const char *name)
{
    for (size_t k = 0; k < set->n; k++)
        if (strcmp(set->t[k]->name, name) == 0)
            return set->t[k];
    return NULL;
}

bool tmpl_exists(const struct tmpl_set *set, const char *name)
{
    return set && name && find_tmpl(set, name) != NULL;
}

/* ---- characters ---------------------------------------------------------------- */

static bool name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static bool space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}


/* A dotted path: "." or name segments joined by single dots. */
static bool valid_path(const char *s, size_t n)
{
    if (n == 1 && s[0] == '.')
        return true;
    if (n == 0 || s[0] == '.' || s[n - 1] == '.')
        return false;
    for (size_t k = 0; k < n; k++) {
        if (s[k] == '.') {
            if (s[k + 1] == '.')
                return false;
        } else if (!name_char((unsigned char)s[k])) {
            return false;
        }
    }
    return true;
}

static bool valid_key(const char *s, size_t n)
{
    if (n == 0 || n > I18N_MAX_KEY)
        return false;
    for (size_t k = 0; k < n; k++)
        if (!name_char((unsigned char)s[k]) && s[k] != '.')
            return false;
    return true;
}

static bool valid_name(const char *s, size_t n)
{
    if (n == 0 || n > NAME_MAX_LEN)
        return false;
    for (size_t k = 0; k < n; k++)
        if (!name_char((unsigned char)s[k]))
            return false;
    return true;
}

/* ---- compiler ----------------------------------------------------------------------- */

struct compiler {
    const char *label;
    unsigned line;
    char *err;
    size_t cap;
    struct tmpl *t;
    size_t alloc;
};

__attribute__((format(printf, 2, 3))) static int cfail(struct compiler *c, const char *fmt, ...)
{
    if (c->err && c->cap) {
        int n = snprintf(c->err, c->cap, "%s:%u: ", c->label, c->line);
        if (n >= 0 && (size_t)n < c->cap) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(c->err + n, c->cap - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

static struct node *add_node(struct compiler *c, enum nkind kind, const char *s, size_t len)
{
    struct tmpl *t = c->t;
    if (t->n >= TMPL_MAX_NODES) {
        cfail(c, "more than %d tags and text runs", TMPL_MAX_NODES);
        return NULL;
    }
    if (t->n == c->alloc) {
        size_t na = c->alloc ? c->alloc * 2 : 32;
        struct node *nn = realloc(t->nodes, na * sizeof *nn);
        if (!nn) {
            cfail(c, "out of memory");
            return NULL;
        }
        t->nodes = nn;
        c->alloc = na;
    }
    struct node *nd = &t->nodes[t->n++];
    *nd = (struct node){.kind = kind, .line = c->line, .end = 0, .s = s, .len = len};
    return nd;
}

static unsigned count_lines(const char *s, size_t n)
{
    unsigned l = 0;
    for (size_t k = 0; k < n; k++)
        l += s[k] == '\n';
    return l;
}

/* Trims spaces of s[0..*n) in place; returns the new start. */
static char *trim(char *s, size_t *n)
{
    while (*n && space(*s))
        s++, (*n)--;
    while (*n && space(s[*n - 1]))
        (*n)--;
    return s;
}

static int parse(struct compiler *c, char *src, size_t len)
{
    size_t open_sec[TMPL_MAX_NEST];
    size_t depth = 0;
    size_t pos = 0;
    c->line = 1;
    while (pos < len) {
        char *open = NULL;
        for (size_t k = pos; k + 1 < len; k++)
            if (src[k] == '{' && src[k + 1] == '{') {
                open = src + k;
                break;
            }
        size_t text_end = open ? (size_t)(open - src) : len;
        if (text_end > pos) {
            if (!add_node(c, N_TEXT, src + pos, text_end - pos))
                return -1;
            c->line += count_lines(src + pos, text_end - pos);
        }
        if (!open)
            break;
        size_t ts = text_end + 2, te = ts;
        while (te + 1 < len && !(src[te] == '}' && src[te + 1] == '}'))
            te++;
        if (te + 1 >= len)
            return cfail(c, "unterminated tag (no closing }})");
        size_t n = te - ts;
        char *tag = src + ts;
        unsigned tag_line = c->line;
        c->line += count_lines(tag, n);
        pos = te + 2;
        if (n > TMPL_MAX_TAG && tag[0] != '!') {
            c->line = tag_line;
            return cfail(c, "tag longer than %d bytes", TMPL_MAX_TAG);
        }
        unsigned after_line = c->line;
        c->line = tag_line;
        char sigil = n ? tag[0] : '\0';
        if (sigil == '!') {
            c->line = after_line;
            continue;
        }
        if (sigil == '{' || sigil == '&')
            return cfail(c, "unescaped output ({{{ or {{&) is not allowed");
        if (sigil == '=')
            return cfail(c, "delimiter changes ({{=) are not supported");
        bool has_sigil =
            sigil == '#' || sigil == '^' || sigil == '/' || sigil == '>' || sigil == '@';
        size_t bn = has_sigil ? n - 1 : n;
        char *body = trim(has_sigil ? tag + 1 : tag, &bn);
        bool dyn = false;
        if ((sigil == '>' || sigil == '@') && bn && body[0] == '*') {
            dyn = true;
            body++, bn--;
            body = trim(body, &bn);
        }
        struct node *nd = NULL;
        switch (sigil) {
        case '#':
        case '^':
            if (!valid_path(body, bn))
                return cfail(c, "bad section name '%.*s'", (int)bn, body);
            if (depth == TMPL_MAX_NEST)
                return cfail(c, "sections nested deeper than %d", TMPL_MAX_NEST);
            nd = add_node(c, sigil == '#' ? N_SECTION : N_INVERTED, body, bn);
            if (!nd)
                return -1;
            open_sec[depth++] = c->t->n - 1;
            break;
        case '/': {
            if (depth == 0)
                return cfail(c, "{{/%.*s}} closes no section", (int)bn, body);
            struct node *sec = &c->t->nodes[open_sec[depth - 1]];
            if (sec->len != bn || memcmp(sec->s, body, bn) != 0)
                return cfail(c, "{{/%.*s}} closes section '%.*s' opened on line %u", (int)bn, body,
                             (int)sec->len, sec->s, sec->line);
            sec->end = c->t->n;
            depth--;
            break;
        }
        case '>':
            if (dyn ? !valid_path(body, bn) : !valid_name(body, bn))
                return cfail(c, "bad partial name '%.*s'", (int)bn, body);
            nd = add_node(c, dyn ? N_PARTIAL_DYN : N_PARTIAL, body, bn);
            break;
        case '@':
            if (dyn ? !valid_path(body, bn) : !valid_key(body, bn))
                return cfail(c, "bad translation key '%.*s'", (int)bn, body);
            nd = add_node(c, dyn ? N_TRANS_DYN : N_TRANS, body, bn);
            break;
        default: {
            char *bar = memchr(body, '|', bn);
            size_t pn = bar ? (size_t)(bar - body) : bn;
            char *path = trim(body, &pn);
            enum nkind kind = N_VAR;
            if (bar) {
                size_t fn = (size_t)(body + bn - (bar + 1));
                char *filter = trim(bar + 1, &fn);
                if (fn != 3 || memcmp(filter, "url", 3) != 0)
                    return cfail(c, "unknown filter '%.*s' (only |url)", (int)fn, filter);
                kind = N_URL;
            }
            if (!valid_path(path, pn))
                return cfail(c, "bad name '%.*s'", (int)pn, path);
            body = path;
            bn = pn;
            nd = add_node(c, kind, body, bn);
            break;
        }
        }
        if (sigil != '/' && !nd)
            return -1;
        /* NUL-terminate the name in place: the byte after it is inside the
         * tag (a space, '|' or the first '}'), never part of a text node. */
        if (nd)
            body[bn] = '\0';
        c->line = after_line;
    }
    if (depth) {
        struct node *sec = &c->t->nodes[open_sec[depth - 1]];
        c->line = sec->line;
        return cfail(c, "section '%.*s' is never closed", (int)sec->len, sec->s);
    }
    return 0;
}

/* Whether template `from` reaches template `target` through static partials
 * (a reference to `target` itself counts even though it is not in the set
 * yet).  seen[] marks templates already explored. */
static bool reaches(const struct tmpl_set *set, const char *from, const char *target,
                    bool seen[TMPL_MAX_TEMPLATES])
{
    if (strcmp(from, target) == 0)
        return true;
    size_t idx = 0;
    for (; idx < set->n; idx++)
        if (strcmp(set->t[idx]->name, from) == 0)
            break;
    if (idx == set->n || seen[idx])
        return false;
    seen[idx] = true;
    const struct tmpl *t = set->t[idx];
    for (size_t k = 0; k < t->n; k++)
        if (t->nodes[k].kind == N_PARTIAL && reaches(set, t->nodes[k].s, target, seen))
            return true;
    return false;
}

static int compile(struct tmpl_set *set, const char *name, const char *label, const char *text,
                   size_t len, char *err, size_t cap)
{
    struct compiler c = {.label = label, .line = 0, .err = err, .cap = cap};
    if (err && cap)
        err[0] = '\0';
    if (!set || !name)
        return cfail(&c, "no set or name");
    if (!valid_name(name, strlen(name)))
        return cfail(&c, "template name must be 1-%d of [A-Za-z0-9_-]", NAME_MAX_LEN);
    if (find_tmpl(set, name))
        return cfail(&c, "template '%s' defined twice", name);
    if (set->n >= TMPL_MAX_TEMPLATES)
        return cfail(&c, "more than %d templates", TMPL_MAX_TEMPLATES);
    if (len > TMPL_MAX_SOURCE)
        return cfail(&c, "template larger than %u bytes", TMPL_MAX_SOURCE);
    if (!text && len)
        return cfail(&c, "no text");
    c.line = 1;
    for (size_t k = 0; k < len;) {
        size_t l = text[k] ? utf8_seq((const unsigned char *)text + k, len - k) : 0;
        if (l == 0)
            return cfail(&c, text[k] ? "invalid UTF-8" : "NUL byte");
        c.line += text[k] == '\n';
        k += l;
    }
    struct tmpl *t = calloc(1, sizeof *t);
    if (!t)
        return cfail(&c, "out of memory");
    t->name = strdup(name);
    t->src = malloc(len + 1);
    if (!t->name || !t->src) {
        tmpl_destroy(t);
        return cfail(&c, "out of memory");
    }
    if (len)
        memcpy(t->src, text, len);
    t->src[len] = '\0';
    c.t = t;
    if (parse(&c, t->src, len) < 0) {
        tmpl_destroy(t);
        return -1;
    }
    for (size_t k = 0; k < t->n; k++) {
        if (t->nodes[k].kind != N_PARTIAL)
            continue;
        bool seen[TMPL_MAX_TEMPLATES] = {false};
        if (reaches(set, t->nodes[k].s, name, seen)) {
            c.line = t->nodes[k].line;
            cfail(&c, "partial '%s' makes a loop back to '%s'", t->nodes[k].s, name);
            tmpl_destroy(t);
            return -1;
        }
    }
    set->t[set->n++] = t;
    return 0;
}

int tmpl_compile_string(struct tmpl_set *set, const char *name, const char *text, size_t len,
                        char *err, size_t cap)
{
    return compile(set, name, name ? name : "(null)", text, len, err, cap);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_file(struct tmpl_set *set, const char *dir, const char *fname, char *err,
                     size_t cap)
{
    char path[4096];
    int pn = snprintf(path, sizeof path, "%s/%s", dir, fname);
    if (pn < 0 || (size_t)pn >= sizeof path) {
        snprintf(err, cap, "%s:0: path too long", dir);
        return -1;
    }
    char name[NAME_MAX_LEN + 1];
    size_t nl = strlen(fname) - 5; /* without ".html" */
    if (!valid_name(fname, nl)) {
        snprintf(err, cap, "%s:0: template name must be 1-%d of [A-Za-z0-9_-]", path, NAME_MAX_LEN);
        return -1;
    }
    memcpy(name, fname, nl);
    name[nl] = '\0';
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, cap, "%s:0: not a regular file", path);
        return -1;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, cap, "%s:0: cannot open", path);
        return -1;
    }
    char *buf = malloc(TMPL_MAX_SOURCE + 1);
    size_t got = buf ? fread(buf, 1, TMPL_MAX_SOURCE + 1, f) : 0;
    bool bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        snprintf(err, cap, "%s:0: cannot read", path);
        return -1;
    }
    int rc = compile(set, name, path, buf, got, err, cap);
    free(buf);
    return rc;
}

int tmpl_load_dir(const char *dir, struct tmpl_set **out, char *err, size_t err_cap)
{
    *out = NULL;
    if (err && err_cap)
        err[0] = '\0';
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, err_cap, "%s:0: cannot open directory", dir);
        return -1;
    }
    char *names[TMPL_MAX_TEMPLATES + 1];
    size_t n = 0;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name);
        if (de->d_name[0] == '.' || l <= 5 || strcmp(de->d_name + l - 5, ".html") != 0)
            continue;
        if (n == TMPL_MAX_TEMPLATES) {
            snprintf(err, err_cap, "%s:0: more than %d templates", dir, TMPL_MAX_TEMPLATES);
            rc = -1;
            break;
        }
        names[n] = strdup(de->d_name);
        if (!names[n]) {
            snprintf(err, err_cap, "%s:0: out of memory", dir);
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    struct tmpl_set *set = rc == 0 ? tmpl_set_new() : NULL;
    if (rc == 0 && !set) {
        snprintf(err, err_cap, "%s:0: out of memory", dir);
        rc = -1;
    }
    if (rc == 0)
        qsort(names, n, sizeof names[0], name_cmp);
    for (size_t k = 0; rc == 0 && k < n; k++)
        rc = load_file(set, dir, names[k], err, err_cap);
    /* Every static partial must exist. */
    for (size_t k = 0; rc == 0 && k < set->n; k++) {
        const struct tmpl *t = set->t[k];
        for (size_t j = 0; j < t->n; j++) {
            if (t->nodes[j].kind == N_PARTIAL && !find_tmpl(set, t->nodes[j].s)) {
                snprintf(err, err_cap, "%s/%s.html:%u: unknown partial '%s'", dir, t->name,
                         t->nodes[j].line, t->nodes[j].s);
                rc = -1;
                break;
            }
        }
    }
    for (size_t k = 0; k < n; k++)
        free(names[k]);
    if (rc < 0) {
        tmpl_free(set);
        return -1;
    }
    *out = set;
    return 0;
}

/* ---- renderer ------------------------------------------------------------------------- */

#define MAX_STACK (TMPL_MAX_NEST * (TMPL_MAX_PARTIAL_DEPTH + 1) + 2)

struct render {
    const struct tmpl_set *set;
    const struct i18n *i18n;
    const char *lang;
    const json_t *stack[MAX_STACK];
    size_t depth;
    int partial_depth;
    char *buf;
    size_t len, cap;
    bool failed;
};

static void put(struct render *r, const char *s, size_t n)
{
    if (r->failed || n == 0)
        return;
    if (n > TMPL_MAX_OUTPUT - r->len) {
        r->failed = true;
        return;
    }
    if (r->len + n + 1 > r->cap) {
        size_t nc = r->cap ? r->cap : 4096;
        while (nc < r->len + n + 1)
            nc *= 2;
        char *nb = realloc(r->buf, nc);
        if (!nb) {
            r->failed = true;
            return;
        }
        r->buf = nb;
        r->cap = nc;
    }
    memcpy(r->buf + r->len, s, n);
    r->len += n;
    r->buf[r->len] = '\0';
}

/* HTML-escapes s[0..n); invalid UTF-8, NUL and control characters other
 * than tab, LF and CR become U+FFFD. */
static void put_escaped(struct render *r, const char *s, size_t n)
{
    static const char replacement[] = "\xEF\xBF\xBD";
    size_t run = 0; /* start of the pending run of plain bytes */
    size_t k = 0;
    while (k < n) {
        unsigned char c = (unsigned char)s[k];
        const char *rep = NULL;
        size_t adv = 1;
        switch (c) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
                rep = replacement;
            } else if (c >= 0x80) {
                adv = utf8_seq((const unsigned char *)s + k, n - k);
                if (adv == 0) {
                    rep = replacement;
                    adv = 1;
                }
            }
        }
        if (rep) {
            put(r, s + run, k - run);
            put(r, rep, strlen(rep));
            run = k + adv;
        }
        k += adv;
    }
    put(r, s + run, n - run);
}

static void put_url(struct render *r, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)s[k];
        if (name_char(c) || c == '.' || c == '~') {
            put(r, s + k, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            put(r, e, 3);
        }
    }
}

/* The text of a scalar value ("" for others); buf holds numbers. */
static const char *scalar_text(const json_t *v, char *buf, size_t cap, size_t *n)
{
    const char *s = "";
    switch (json_typeof(v)) {
    case JSON_STRING:
        *n = json_string_length(v);
        return json_string_value(v);
    case JSON_INTEGER:
        snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        s = buf;
        break;
    case JSON_REAL:
        snprintf(buf, cap, "%.15g", json_real_value(v));
        s = buf;
        break;
    case JSON_TRUE:
        s = "true";
        break;
    case JSON_FALSE:
        s = "false";
        break;
    default:
        break;
    }
    *n = strlen(s);
    return s;
}

static void put_value(struct render *r, const json_t *v, bool url)
{
    if (!v)
        return;
    char buf[64];
    size_t n;
    const char *s = scalar_text(v, buf, sizeof buf, &n);
    if (url)
        put_url(r, s, n);
    else
        put_escaped(r, s, n);
}

/* The value at path p[0..n) ("." or dotted names), or NULL. */
static const json_t *lookup(const struct render *r, const char *p, size_t n)
{
    if (r->depth == 0)
        return NULL;
    if (n == 1 && p[0] == '.')
        return r->stack[r->depth - 1];
    const char *dot = memchr(p, '.', n);
    size_t sl = dot ? (size_t)(dot - p) : n;
    if (sl == 0)
        return NULL;
    const json_t *v = NULL;
    for (size_t k = r->depth; k-- > 0;) {
        if (json_is_object(r->stack[k])) {
            v = json_object_getn(r->stack[k], p, sl);
            if (v)
                break;
        }
    }
    while (v && dot) {
        p = dot + 1;
        n -= sl + 1;
        dot = memchr(p, '.', n);
        sl = dot ? (size_t)(dot - p) : n;
        if (sl == 0 || !json_is_object(v))
            return NULL;
        v = json_object_getn(v, p, sl);
    }
    return v;
}

static bool truthy(const json_t *v)
{
    if (!v || json_is_null(v) || json_is_false(v))
        return false;
    if (json_is_array(v))
        return json_array_size(v) > 0;
    if (json_is_string(v))
        return json_string_length(v) > 0;
    return true;
}

static void put_translation(struct render *r, const char *key)
{
    const char *t = r->i18n ? i18n_get(r->i18n, r->lang, key) : NULL;
    if (!t) {
        put_escaped(r, key, strlen(key));
        return;
    }
    const char *run = t;
    for (const char *s = t; *s; s++) {
        if (*s != '{')
            continue;
        size_t l = 0;
        while (s[1 + l] && (name_char((unsigned char)s[1 + l]) || s[1 + l] == '.') &&
               s[1 + l] != '-')
            l++;
        if (l == 0 || s[1 + l] != '}' || !valid_path(s + 1, l))
            continue;
        put_escaped(r, run, (size_t)(s - run));
        put_value(r, lookup(r, s + 1, l), false);
        s += l + 1;
        run = s + 1;
    }
    put_escaped(r, run, strlen(run));
}

static void render_tmpl(struct render *r, const struct tmpl *t);

static bool push(struct render *r, const json_t *v)
{
    if (r->depth == MAX_STACK) {
        r->failed = true;
        return false;
    }
    r->stack[r->depth++] = v;
    return true;
}

static void render_range(struct render *r, const struct tmpl *t, size_t from, size_t to)
{
    for (size_t i = from; i < to && !r->failed; i++) {
        const struct node *nd = &t->nodes[i];
        switch (nd->kind) {
        case N_TEXT:
            put(r, nd->s, nd->len);
            break;
        case N_VAR:
        case N_URL:
            put_value(r, lookup(r, nd->s, nd->len), nd->kind == N_URL);
            break;
        case N_SECTION: {
            const json_t *v = lookup(r, nd->s, nd->len);
            if (json_is_array(v)) {
                for (size_t k = 0; k < json_array_size(v) && !r->failed; k++) {
                    if (!push(r, json_array_get(v, k)))
                        break;
                    render_range(r, t, i + 1, nd->end);
                    r->depth--;
                }
            } else if (truthy(v) && push(r, v)) {
                render_range(r, t, i + 1, nd->end);
                r->depth--;
            }
            i = nd->end - 1;
            break;
        }
        case N_INVERTED:
            if (!truthy(lookup(r, nd->s, nd->len)))
                render_range(r, t, i + 1, nd->end);
            i = nd->end - 1;
            break;
        case N_PARTIAL:
        case N_PARTIAL_DYN: {
            const char *name = nd->s;
            if (nd->kind == N_PARTIAL_DYN) {
                const json_t *v = lookup(r, nd->s, nd->len);
                name = json_is_string(v) ? json_string_value(v) : "";
            }
            const struct tmpl *p = find_tmpl(r->set, name);
            if (!p || r->partial_depth >= TMPL_MAX_PARTIAL_DEPTH) {
                r->failed = true;
                break;
            }
            r->partial_depth++;
            render_tmpl(r, p);
            r->partial_depth--;
            break;
        }
        case N_TRANS:
            put_translation(r, nd->s);
            break;
        case N_TRANS_DYN: {
            const json_t *v = lookup(r, nd->s, nd->len);
            if (json_is_string(v) && json_string_length(v) > 0)
                put_translation(r, json_string_value(v));
            break;
        }
        }
    }
}

static void render_tmpl(struct render *r, const struct tmpl *t)
{
    /* Each partial starts from the includer's context stack; a section that
     * failed half-way may leave the stack deeper, which is harmless because
     * rendering stops at the first failure. */
    size_t depth = r->depth;
    render_range(r, t, 0, t->n);
    if (!r->failed)
        r->depth = depth;
}

int tmpl_render(const struct tmpl_set *set, const char *name, const json_t *ctx,
                const struct i18n *i18n, const char *lang, char **out, size_t *out_len)
{
    *out = NULL;
    if (out_len)
        *out_len = 0;
    if (!set || !name)
        return -1;
    const struct tmpl *t = find_tmpl(set, name);
    if (!t)
        return -1;
    const char *code = i18n_lang_code(lang);
    if (!code)
        code = "en";
    char is_key[8];
    snprintf(is_key, sizeof is_key, "is_%s", code);
    json_t *builtins = json_pack("{s:s, s:s, s:b}", "lang", code, "dir",
                                 i18n_rtl(code) ? "rtl" : "ltr", is_key, 1);
    if (!builtins)
        return -1;
    struct render *r = calloc(1, sizeof *r);
    if (!r) {
        json_decref(builtins);
        return -1;
    }
    r->set = set;
    r->i18n = i18n;
    r->lang = code;
    push(r, builtins);
    if (ctx)
        push(r, ctx);
    render_tmpl(r, t);
    if (!r->failed && !r->buf) {
        r->buf = calloc(1, 1);
        r->failed = r->buf == NULL;
    }
    json_decref(builtins);
    int rc = -1;
    if (!r->failed) {
        *out = r->buf;
        if (out_len)
            *out_len = r->len;
        rc = 0;
    } else {
        free(r->buf);
    }
    free(r);
    return rc;
}
