/*
 * http_parse.c — bounded parsers for untrusted request data: query strings
 * and application/x-www-form-urlencoded bodies, multipart/form-data bodies
 * (RFC 7578 / RFC 2046), Cookie headers (RFC 6265, leniently), percent-
 * decoded request paths and Content-Type parameters.  They do nothing but
 * parse: no allocation, all output goes to caller-given arrays and arenas,
 * every length is checked against its limit before it is used.
 */
#include "web/http_parse.h"

#include <string.h>

/* ---- small helpers ------------------------------------------------------- */

static int hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool ieq_n(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

/* RFC 9110 tchar. */
static bool is_tchar(unsigned char c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* A bump allocator over the caller's arena. */
struct arena {
    char *buf;
    size_t cap, used;
};

/* Copies s[0..len) plus a NUL; NULL if it does not fit. */
static char *arena_copy(struct arena *a, const char *s, size_t len)
{
    if (len >= a->cap - a->used)
        return NULL;
    char *out = a->buf + a->used;
    memcpy(out, s, len);
    out[len] = '\0';
    a->used += len + 1;
    return out;
}

long http_pct_decode(const char *s, size_t len, bool plus, bool allow_slash, char *out, size_t cap)
{
    size_t o = 0;
    if (cap == 0)
        return -1;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (len - i < 3)
                return -1;
            int hi = hex_val(s[i + 1]), lo = hex_val(s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            if (c == '\0' || (c == '/' && !allow_slash))
                return -1;
            i += 2;
        } else if (c == '+' && plus) {
            c = ' ';
        } else if (c == '\0') {
            return -1;
        }
        if (o + 1 >= cap)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return (long)o;
}

/* ---- application/x-www-form-urlencoded ----------------------------------- */

size_t http_urlencoded_arena(size_t len, size_t max_pairs)
{
    return len + 2 * max_pairs + 2;
}

int http_urlencoded_parse(const char *s, size_t len, struct http_pair *pairs, size_t max_pairs,
                          char *arena, size_t cap, size_t max_value)
{
    struct arena a = {arena, cap, 0};
    size_t n = 0;
    if (!s && len > 0)
        return -HTTP_PE_MALFORMED;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && s[j] != '&')
            j++;
        if (j > i) {
            size_t k = i;
            while (k < j && s[k] != '=')
                k++;
            if (k == i)
                return -HTTP_PE_MALFORMED; /* empty name */
            if (n >= max_pairs)
                return -HTTP_PE_TOO_MANY;
            if (k - i > 3 * HTTP_NAME_MAX)
                return -HTTP_PE_FIELD_TOO_LARGE;
            if (a.cap - a.used < (k - i) + 1)
                return -HTTP_PE_NO_SPACE;
            char *name = a.buf + a.used;
            long nl = http_pct_decode(s + i, k - i, true, true, name, a.cap - a.used);
            if (nl < 0)
                return -HTTP_PE_MALFORMED;
            if ((size_t)nl > HTTP_NAME_MAX)
                return -HTTP_PE_FIELD_TOO_LARGE;
            a.used += (size_t)nl + 1;
            size_t vs = k < j ? k + 1 : j;
            if (a.cap - a.used < (j - vs) + 1)
                return -HTTP_PE_NO_SPACE;
            char *value = a.buf + a.used;
            long vl = http_pct_decode(s + vs, j - vs, true, true, value, a.cap - a.used);
            if (vl < 0)
                return -HTTP_PE_MALFORMED;
            if ((size_t)vl > max_value)
                return -HTTP_PE_FIELD_TOO_LARGE;
            a.used += (size_t)vl + 1;
            pairs[n].name = name;
            pairs[n].value = value;
            pairs[n].value_len = (size_t)vl;
            n++;
        }
        i = j + 1;
    }
    return (int)n;
}

int http_parse_urlencoded(const char *s, size_t len, struct http_pair *pairs, size_t max_pairs,
                          char *arena, size_t cap, size_t max_value)
{
    int n = http_urlencoded_parse(s, len, pairs, max_pairs, arena, cap, max_value);
    return n < 0 ? -1 : n;
}

/* ---- Cookie header -------------------------------------------------------- */

int http_cookies_parse(const char *header, struct http_pair *pairs, size_t max_pairs, char *arena,
                       size_t cap)
{
    struct arena a = {arena, cap, 0};
    size_t n = 0;
    if (!header)
        return 0;
    const char *p = header;
    while (*p) {
        const char *end = strchr(p, ';');
        if (!end)
            end = p + strlen(p);
        const char *b = p, *e = end;
        while (b < e && is_ows(*b))
            b++;
        while (e > b && is_ows(e[-1]))
            e--;
        const char *eq = memchr(b, '=', (size_t)(e - b));
        /* Lenient: segments without '=' or with a bad name are skipped. */
        if (eq && eq > b) {
            const char *ne = eq;
            while (ne > b && is_ows(ne[-1]))
                ne--;
            bool name_ok = ne > b && (size_t)(ne - b) <= HTTP_NAME_MAX;
            for (const char *q = b; name_ok && q < ne; q++)
                name_ok = is_tchar((unsigned char)*q);
            if (name_ok) {
                const char *vb = eq + 1;
                while (vb < e && is_ows(*vb))
                    vb++;
                const char *ve = e;
                if (ve - vb >= 2 && *vb == '"' && ve[-1] == '"') {
                    vb++;
                    ve--;
                }
                if (n >= max_pairs)
                    return -HTTP_PE_TOO_MANY;
                char *name = arena_copy(&a, b, (size_t)(ne - b));
                char *value = name ? arena_copy(&a, vb, (size_t)(ve - vb)) : NULL;
                if (!value)
                    return -HTTP_PE_NO_SPACE;
                pairs[n].name = name;
                pairs[n].value = value;
                pairs[n].value_len = (size_t)(ve - vb);
                n++;
            }
        }
        p = *end ? end + 1 : end;
    }
    return (int)n;
}

int http_parse_cookies(const char *header, struct http_pair *pairs, size_t max_pairs, char *arena,
                       size_t cap)
{
    int n = http_cookies_parse(header, pairs, max_pairs, arena, cap);
    return n < 0 ? -1 : n;
}

/* ---- Content-Type --------------------------------------------------------- */

int http_media_type(const char *content_type, char *out, size_t cap)
{
    size_t o = 0;
    if (cap == 0)
        return -1;
    out[0] = '\0';
    if (!content_type)
        return 0;
    const char *p = content_type;
    while (is_ows(*p))
        p++;
    const char *e = p;
    while (*e && *e != ';')
        e++;
    while (e > p && is_ows(e[-1]))
        e--;
    if ((size_t)(e - p) >= cap)
        return -1;
    for (; p < e; p++)
        out[o++] = lower(*p);
    out[o] = '\0';
    return 0;
}

/* Parses a token or quoted-string at *pp (up to end) into out; advances *pp.
 * Returns the length or -1. */
static int param_value(const char **pp, const char *end, char *out, size_t cap)
{
    const char *p = *pp;
    size_t o = 0;
    if (p < end && *p == '"') {
        p++;
        for (;;) {
            if (p >= end)
                return -1; /* unterminated */
            char c = *p++;
            if (c == '"')
                break;
            if (c == '\\') {
                if (p >= end)
                    return -1;
                c = *p++;
            }
            if (c == '\r' || c == '\n' || c == '\0')
                return -1;
            if (o + 1 >= cap)
                return -1;
            out[o++] = c;
        }
    } else {
        while (p < end && *p != ';' && !is_ows(*p)) {
            if (!is_tchar((unsigned char)*p))
                return -1;
            if (o + 1 >= cap)
                return -1;
            out[o++] = *p++;
        }
        if (o == 0)
            return -1;
    }
    if (cap == 0)
        return -1;
    out[o] = '\0';
    *pp = p;
    return (int)o;
}

/* Walks "; name=value" parameters in [p, end): calls back into found for the
 * wanted name.  Returns the value length, -1 when absent, -2 malformed. */
static int find_param(const char *p, const char *end, const char *want, char *out, size_t cap)
{
    char scratch[HTTP_NAME_MAX + 1];
    int found = -1;
    while (p < end) {
        while (p < end && is_ows(*p))
            p++;
        if (p >= end)
            break;
        if (*p != ';')
            return -2;
        p++;
        while (p < end && is_ows(*p))
            p++;
        if (p >= end)
            break; /* a trailing ';' is tolerated */
        const char *nb = p;
        while (p < end && is_tchar((unsigned char)*p))
            p++;
        const char *ne = p;
        if (ne == nb)
            return -2;
        while (p < end && is_ows(*p))
            p++;
        if (p >= end || *p != '=')
            return -2;
        p++;
        while (p < end && is_ows(*p))
            p++;
        bool wanted = found < 0 && ieq_n(nb, (size_t)(ne - nb), want);
        int n =
            wanted ? param_value(&p, end, out, cap) : param_value(&p, end, scratch, sizeof scratch);
        if (n < 0)
            return -2;
        if (wanted)
            found = n;
    }
    return found;
}

int http_ct_param(const char *content_type, const char *name, char *out, size_t cap)
{
    if (!content_type || cap == 0)
        return -1;
    const char *semi = strchr(content_type, ';');
    if (!semi)
        return -1;
    int n = find_param(semi, semi + strlen(semi), name, out, cap);
    return n < 0 ? -1 : n;
}

/* ---- multipart/form-data -------------------------------------------------- */

size_t http_multipart_arena(size_t len, size_t max_parts)
{
    size_t hdr = max_parts * HTTP_PART_HEADERS_MAX;
    return (len < hdr ? len : hdr) + 3 * max_parts + 3;
}

/* First occurrence of needle (nlen > 0) in hay[from..len), or len. */
static size_t find_bytes(const uint8_t *hay, size_t len, size_t from, const uint8_t *needle,
                         size_t nlen)
{
    size_t i = from;
    while (i < len && len - i >= nlen) {
        const uint8_t *c = memchr(hay + i, needle[0], len - i - nlen + 1);
        if (!c)
            return len;
        i = (size_t)(c - hay);
        if (memcmp(c, needle, nlen) == 0)
            return i;
        i++;
    }
    return len;
}

/* Fills part from one header block [p, end) (lines separated by CRLF, no
 * final blank line).  Returns 0 or -enum http_perr. */
static int part_headers(const char *p, const char *end, struct http_part *part, struct arena *a)
{
    bool have_cd = false;
    char val[HTTP_NAME_MAX + 1];
    while (p < end) {
        const char *le = p;
        while (le < end && *le != '\r')
            le++;
        if (le < end && (end - le < 2 || le[1] != '\n'))
            return -HTTP_PE_MALFORMED;
        const char *colon = memchr(p, ':', (size_t)(le - p));
        if (!colon || colon == p)
            return -HTTP_PE_MALFORMED;
        for (const char *q = p; q < colon; q++)
            if (!is_tchar((unsigned char)*q))
                return -HTTP_PE_MALFORMED; /* also refuses obs-fold */
        const char *vb = colon + 1, *ve = le;
        while (vb < ve && is_ows(*vb))
            vb++;
        while (ve > vb && is_ows(ve[-1]))
            ve--;
        for (const char *q = vb; q < ve; q++)
            if (*q == '\0' || *q == '\n')
                return -HTTP_PE_MALFORMED;
        if (ieq_n(p, (size_t)(colon - p), "content-disposition")) {
            if (have_cd)
                return -HTTP_PE_MALFORMED;
            have_cd = true;
            const char *tb = vb;
            while (vb < ve && *vb != ';' && !is_ows(*vb))
                vb++;
            if (!ieq_n(tb, (size_t)(vb - tb), "form-data"))
                return -HTTP_PE_MALFORMED;
            int n = find_param(vb, ve, "name", val, sizeof val);
            if (n < 0)
                return -HTTP_PE_MALFORMED;
            part->name = arena_copy(a, val, (size_t)n);
            if (!part->name)
                return -HTTP_PE_NO_SPACE;
            n = find_param(vb, ve, "filename", val, sizeof val);
            if (n == -2)
                return -HTTP_PE_MALFORMED;
            if (n >= 0) {
                /* Keep only the last path component (old browsers sent paths). */
                const char *base = val;
                for (const char *q = val; *q; q++)
                    if (*q == '/' || *q == '\\')
                        base = q + 1;
                part->filename = arena_copy(a, base, strlen(base));
                if (!part->filename)
                    return -HTTP_PE_NO_SPACE;
            }
        } else if (ieq_n(p, (size_t)(colon - p), "content-type")) {
            if (part->content_type || (size_t)(ve - vb) > HTTP_NAME_MAX)
                return -HTTP_PE_MALFORMED;
            part->content_type = arena_copy(a, vb, (size_t)(ve - vb));
            if (!part->content_type)
                return -HTTP_PE_NO_SPACE;
        }
        p = le + 2;
    }
    return have_cd ? 0 : -HTTP_PE_MALFORMED;
}

int http_multipart_parse(const uint8_t *body, size_t len, const char *boundary,
                         struct http_part *parts, size_t max_parts, char *arena, size_t cap,
                         size_t max_field, size_t max_file)
{
    struct arena a = {arena, cap, 0};
    uint8_t delim[HTTP_BOUNDARY_MAX + 4];
    size_t n = 0;
    if (!boundary || (!body && len > 0))
        return -HTTP_PE_MALFORMED;
    size_t blen = strlen(boundary);
    if (blen == 0 || blen > HTTP_BOUNDARY_MAX)
        return -HTTP_PE_MALFORMED;
    for (size_t i = 0; i < blen; i++)
        if ((unsigned char)boundary[i] < 0x20 || (unsigned char)boundary[i] > 0x7e)
            return -HTTP_PE_MALFORMED;
    /* delim = CRLF "--" boundary */
    memcpy(delim, "\r\n--", 4);
    memcpy(delim + 4, boundary, blen);
    size_t dlen = blen + 4;

    /* The first delimiter may come without its CRLF at the very start;
     * anything before it is a preamble to ignore. */
    size_t pos;
    if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0)
        pos = dlen - 2;
    else {
        pos = find_bytes(body, len, 0, delim, dlen);
        if (pos == len)
            return -HTTP_PE_MALFORMED;
        pos += dlen;
    }
    for (;;) {
        /* pos is just after a delimiter */
        if (len - pos >= 2 && body[pos] == '-' && body[pos + 1] == '-')
            return (int)n; /* close delimiter; the epilogue is ignored */
        while (pos < len && (body[pos] == ' ' || body[pos] == '\t'))
            pos++;
        if (len - pos < 2 || body[pos] != '\r' || body[pos + 1] != '\n')
            return -HTTP_PE_MALFORMED;
        pos += 2;
        /* header block: up to the first CRLFCRLF (or an immediate CRLF) */
        size_t hend, dstart;
        if (len - pos >= 2 && body[pos] == '\r' && body[pos + 1] == '\n') {
            hend = pos;
            dstart = pos + 2;
        } else {
            size_t lim =
                len - pos > HTTP_PART_HEADERS_MAX + 4 ? pos + HTTP_PART_HEADERS_MAX + 4 : len;
            hend = find_bytes(body, lim, pos, (const uint8_t *)"\r\n\r\n", 4);
            if (hend == lim)
                return -HTTP_PE_MALFORMED; /* truncated or headers too long */
            dstart = hend + 4;
        }
        if (n >= max_parts)
            return -HTTP_PE_TOO_MANY;
        struct http_part *part = &parts[n];
        memset(part, 0, sizeof *part);
        int rc = part_headers((const char *)body + pos, (const char *)body + hend, part, &a);
        if (rc < 0)
            return rc;
        size_t dend = find_bytes(body, len, dstart, delim, dlen);
        if (dend == len)
            return -HTTP_PE_MALFORMED; /* truncated: no closing delimiter */
        part->data = body + dstart;
        part->len = dend - dstart;
        if (part->filename && part->len > max_file)
            return -HTTP_PE_UPLOAD_TOO_LARGE;
        if (!part->filename && part->len > max_field)
            return -HTTP_PE_FIELD_TOO_LARGE;
        n++;
        pos = dend + dlen;
    }
}

int http_parse_multipart(const uint8_t *body, size_t len, const char *boundary,
                         struct http_part *parts, size_t max_parts, char *arena, size_t cap,
                         size_t max_field, size_t max_file)
{
    int n = http_multipart_parse(body, len, boundary, parts, max_parts, arena, cap, max_field,
                                 max_file);
    return n < 0 ? -1 : n;
}
