/*
 * mail.c — composing notification e-mails (RFC 5322 headers, MIME text/plain
 * in UTF-8, RFC 2047 encoded-words, quoted-printable) and the localised
 * status-change texts.  See mail.h.
 */
#include "util/text.h"
#include "notify/mail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "web/i18n.h"

/* ---- error codes ---------------------------------------------------------- */

static const struct {
    const char *code, *message;
} notify_errors[NOTIFY_E__MAX - NOTIFY_E__BASE] = {
    [0] = {"ok", "success"},
    [NOTIFY_E_HEADER_INJECTION -
        NOTIFY_E__BASE] = {"header_injection", "a header value holds a line break"},
    [NOTIFY_E_BAD_ADDRESS - NOTIFY_E__BASE] = {"bad_address", "not an acceptable e-mail address"},
    [NOTIFY_E_BAD_UTF8 - NOTIFY_E__BASE] = {"bad_utf8", "the text is not valid UTF-8"},
    [NOTIFY_E_TOO_LARGE - NOTIFY_E__BASE] = {"too_large", "the mail is over its size limit"},
    [NOTIFY_E_INVALID - NOTIFY_E__BASE] = {"invalid", "a missing or malformed argument"},
    [NOTIFY_E_NO_TEMPLATE -
        NOTIFY_E__BASE] = {"no_template", "no translation for this notification"},
    [NOTIFY_E_NO_SPACE -
        NOTIFY_E__BASE] = {"no_space", "the result does not fit the output buffer"},
    [NOTIFY_E_NOMEM - NOTIFY_E__BASE] = {"out_of_memory", "out of memory"},
    [NOTIFY_E_IO - NOTIFY_E__BASE] = {"io_error", "the mail could not be written"},
    [NOTIFY_E_SMTP - NOTIFY_E__BASE] = {"smtp_failed", "SMTP delivery failed; will retry"},
    [NOTIFY_E_REJECTED - NOTIFY_E__BASE] = {"smtp_rejected", "the SMTP server refused the mail"},
    [NOTIFY_E_CONFIG - NOTIFY_E__BASE] = {"bad_config", "unusable notification configuration"},
};

static int err_index(int err)
{
    if (err < 0)
        err = -err;
    if (err == 0)
        return 0;
    if (err <= NOTIFY_E__BASE || err >= NOTIFY_E__MAX)
        return -1;
    return err - NOTIFY_E__BASE;
}

const char *notify_err_code(int err)
{
    int k = err_index(err);
    return k < 0 ? "unknown" : notify_errors[k].code;
}

const char *notify_err_message(int err)
{
    int k = err_index(err);
    return k < 0 ? "unknown error" : notify_errors[k].message;
}

/* ---- growing output buffer ------------------------------------------------ */

struct obuf {
    char *p;
    size_t n, cap, limit;
    int err; /* first error, sticky */
};

static void ob_put(struct obuf *b, const char *s, size_t len)
{
    if (b->err)
        return;
    if (len > b->limit - b->n) {
        b->err = -NOTIFY_E_TOO_LARGE;
        return;
    }
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + len + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->err = -NOTIFY_E_NOMEM;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = '\0';
}

static void ob_puts(struct obuf *b, const char *s)
{
    ob_put(b, s, strlen(s));
}

/* ---- UTF-8 ------------------------------------------------------------------ */



/* Header values: no control characters at all (CR and LF above all). */
static bool has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            return true;
    return false;
}

/* ---- addresses -------------------------------------------------------------- */

int mail_check_address(const char *addr)
{
    if (!addr)
        return -NOTIFY_E_BAD_ADDRESS;
    if (has_control(addr))
        return -NOTIFY_E_HEADER_INJECTION;
    size_t len = strlen(addr);
    const char *at = strchr(addr, '@');
    if (len > MAIL_ADDR_MAX || !at || at == addr || at - addr > 64 || strchr(at + 1, '@'))
        return -NOTIFY_E_BAD_ADDRESS;
    for (const char *p = addr; p < at; p++)
        if (*p <= ' ' || *p > '~' || strchr("()<>,;:\\\"[]", *p))
            return -NOTIFY_E_BAD_ADDRESS;
    const char *dom = at + 1;
    size_t dl = strlen(dom);
    if (dl < 3 || !strchr(dom, '.') || dom[0] == '.' || dom[dl - 1] == '.' || dom[0] == '-')
        return -NOTIFY_E_BAD_ADDRESS;
    for (const char *p = dom; *p; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '-' || (*p == '.' && p[1] != '.');
        if (!ok)
            return -NOTIFY_E_BAD_ADDRESS;
    }
    return 0;
}

/* ---- RFC 2047 encoded-words ------------------------------------------------- */

#define EW_CHUNK 39 /* bytes of text per encoded-word: 52 base64 characters */
#define EW_PLAIN_MAX 60

static bool needs_encoding(const char *text, size_t len)
{
    if (len > EW_PLAIN_MAX || strstr(text, "=?"))
        return true;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] >= 0x80)
            return true;
    return false;
}

/* RFC 2047 B-encoded words of at most EW_CHUNK bytes of whole characters
 * (text is valid UTF-8), folded with CRLF SP: each line is at most 64
 * characters plus the header name or the folding space. */
static int encode_words(const char *text, size_t len, char *out, size_t cap)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < len;) {
        size_t take = 0;
        while (i + take < len) {
            size_t l = utf8_seq(u + i + take, len - i - take);
            if (take + l > EW_CHUNK)
                break;
            take += l;
        }
        unsigned char b64[4 * ((EW_CHUNK + 2) / 3) + 1];
        EVP_EncodeBlock(b64, u + i, (int)take);
        int n = snprintf(out + o, cap - o, "%s=?UTF-8?B?%s?=", o ? "\r\n " : "", (char *)b64);
        if (n < 0 || (size_t)n >= cap - o)
            return -NOTIFY_E_NO_SPACE;
        o += (size_t)n;
        i += take;
    }
    return 0;
}

int mail_encode_header_text(const char *text, char *out, size_t cap)
{
    if (!text || !out || cap == 0)
        return -NOTIFY_E_INVALID;
    if (has_control(text))
        return -NOTIFY_E_HEADER_INJECTION;
    size_t len = strlen(text);
    if (!utf8_valid(text, len))
        return -NOTIFY_E_BAD_UTF8;
    if (!needs_encoding(text, len)) {
        int n = snprintf(out, cap, "%s", text);
        return n < 0 || (size_t)n >= cap ? -NOTIFY_E_NO_SPACE : 0;
    }
    return encode_words(text, len, out, cap);
}

/* ---- body ----------------------------------------------------------------- */

/* Splits body into lines (LF, CRLF or CR end a line) and calls fn(line). */
struct line_iter {
    const char *p, *end;
};

static bool next_line(struct line_iter *it, const char **line, size_t *len)
{
    if (it->p >= it->end)
        return false;
    const char *s = it->p, *e = s;
    while (e < it->end && *e != '\r' && *e != '\n')
        e++;
    *line = s;
    *len = (size_t)(e - s);
    if (e < it->end && *e == '\r' && e + 1 < it->end && e[1] == '\n')
        e += 2;
    else if (e < it->end)
        e++;
    it->p = e;
    return true;
}

static void put_qp_line(struct obuf *b, const char *line, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t col = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)line[i];
        bool literal =
            (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && i + 1 < len);
        size_t tl = literal ? 1 : 3;
        if (col + tl > 75) {
            ob_put(b, "=\r\n", 3);
            col = 0;
        }
        /* A line starting with '.' is escaped too, in case a relay does no
         * dot-stuffing of its own. */
        if (col == 0 && c == '.')
            literal = false, tl = 3;
        char tok[3] = {(char)c, 0, 0};
        if (!literal) {
            tok[0] = '=';
            tok[1] = hex[c >> 4];
            tok[2] = hex[c & 15];
        }
        ob_put(b, tok, tl);
        col += tl;
    }
    ob_put(b, "\r\n", 2);
}

static void put_body(struct obuf *b, const char *body, enum mail_cte cte)
{
    struct line_iter it = {body, body + strlen(body)};
    const char *line;
    size_t len;
    while (next_line(&it, &line, &len)) {
        if (cte == MAIL_CTE_QP) {
            put_qp_line(b, line, len);
        } else {
            ob_put(b, line, len);
            ob_put(b, "\r\n", 2);
        }
    }
}

/* The transfer encoding the body gets: 8BIT is kept only when every line is
 * at most 998 bytes; "7bit" for ASCII. */
static const char *body_cte(const char *body, enum mail_cte *cte)
{
    if (*cte == MAIL_CTE_QP)
        return "quoted-printable";
    struct line_iter it = {body, body + strlen(body)};
    const char *line;
    size_t len;
    bool ascii = true;
    while (next_line(&it, &line, &len)) {
        if (len > 998) {
            *cte = MAIL_CTE_QP;
            return "quoted-printable";
        }
        for (size_t i = 0; i < len; i++)
            ascii = ascii && (unsigned char)line[i] < 0x80;
    }
    return ascii ? "7bit" : "8bit";
}

/* ---- the message ------------------------------------------------------------ */

static void put_date(struct obuf *b, int64_t t)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;
    char line[64];
    if (!gmtime_r(&tt, &tm) || tm.tm_year < 0 || tm.tm_year > 8099) {
        b->err = b->err ? b->err : -NOTIFY_E_INVALID;
        return;
    }
    snprintf(line, sizeof line, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
             tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    ob_puts(b, line);
}

/* "left@right": printable ASCII, no spaces, <, > or a second @. */
static int check_message_id(const char *id)
{
    if (has_control(id))
        return -NOTIFY_E_HEADER_INJECTION;
    const char *at = strchr(id, '@');
    if (!at || at == id || !at[1] || strchr(at + 1, '@') || strlen(id) > 200)
        return -NOTIFY_E_INVALID;
    for (const char *p = id; *p; p++)
        if (*p <= ' ' || *p > '~' || *p == '<' || *p == '>')
            return -NOTIFY_E_INVALID;
    return 0;
}

/* Display names: plain when letters, digits and spaces only, else encoded. */
static int put_from(struct obuf *b, const char *name, const char *addr)
{
    char enc[1024];
    ob_puts(b, "From: ");
    if (name && *name) {
        if (strlen(name) > MAIL_NAME_MAX)
            return -NOTIFY_E_TOO_LARGE;
        bool plain = strlen(name) <= EW_PLAIN_MAX;
        for (const char *p = name; plain && *p; p++)
            plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                    (*p >= '0' && *p <= '9') || *p == ' ';
        if (plain) {
            ob_puts(b, name);
        } else {
            /* Always encoded (even ASCII) so that specials need no quoting. */
            if (has_control(name))
                return -NOTIFY_E_HEADER_INJECTION;
            if (!utf8_valid(name, strlen(name)))
                return -NOTIFY_E_BAD_UTF8;
            if (encode_words(name, strlen(name), enc, sizeof enc) != 0)
                return -NOTIFY_E_TOO_LARGE;
            ob_puts(b, enc);
        }
        ob_puts(b, " <");
        ob_puts(b, addr);
        ob_puts(b, ">\r\n");
    } else {
        ob_puts(b, addr);
        ob_puts(b, "\r\n");
    }
    return 0;
}

int mail_compose(const struct mail_message *m, char **out, size_t *len)
{
    if (!m || !out || !len || !m->subject || !m->body || m->cte < 0 || m->cte >= MAIL_CTE__MAX)
        return -NOTIFY_E_INVALID;
    *out = NULL;
    *len = 0;
    int rc;
    if ((rc = mail_check_address(m->from_addr)) != 0 || (rc = mail_check_address(m->to_addr)) != 0)
        return rc;
    if (has_control(m->subject))
        return -NOTIFY_E_HEADER_INJECTION;
    size_t sl = strlen(m->subject), bl = strlen(m->body);
    if (sl == 0)
        return -NOTIFY_E_INVALID;
    if (sl > MAIL_SUBJECT_MAX || bl > MAIL_BODY_MAX)
        return -NOTIFY_E_TOO_LARGE;
    if (!utf8_valid(m->subject, sl) || !utf8_valid(m->body, bl))
        return -NOTIFY_E_BAD_UTF8;

    char msgid[256];
    if (m->message_id) {
        if ((rc = check_message_id(m->message_id)) != 0)
            return rc;
        snprintf(msgid, sizeof msgid, "%s", m->message_id);
    } else {
        unsigned char rnd[16];
        if (RAND_bytes(rnd, sizeof rnd) != 1)
            return -NOTIFY_E_NOMEM;
        char hex[33];
        for (size_t i = 0; i < sizeof rnd; i++)
            snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
        snprintf(msgid, sizeof msgid, "%s@%s", hex, strchr(m->from_addr, '@') + 1);
    }

    /* Subject: at most 255 bytes become at most 7 words of 64 characters. */
    char subject[1024];
    if ((rc = mail_encode_header_text(m->subject, subject, sizeof subject)) != 0)
        return rc;

    enum mail_cte cte = m->cte;
    const char *cte_name = body_cte(m->body, &cte);

    struct obuf b = {.limit = MAIL_MESSAGE_MAX};
    put_date(&b, m->date);
    if ((rc = put_from(&b, m->from_name, m->from_addr)) != 0) {
        free(b.p);
        return rc;
    }
    ob_puts(&b, "To: ");
    ob_puts(&b, m->to_addr);
    ob_puts(&b, "\r\nSubject: ");
    ob_puts(&b, subject);
    ob_puts(&b, "\r\nMessage-ID: <");
    ob_puts(&b, msgid);
    ob_puts(&b, ">\r\nMIME-Version: 1.0\r\n"
                "Content-Type: text/plain; charset=UTF-8\r\n"
                "Content-Transfer-Encoding: ");
    ob_puts(&b, cte_name);
    ob_puts(&b, "\r\nAuto-Submitted: auto-generated\r\n\r\n");
    put_body(&b, m->body, cte);
    if (b.err) {
        free(b.p);
        return b.err;
    }
    *out = b.p;
    *len = b.n;
    return 0;
}

/* ---- status texts ----------------------------------------------------------- */

static const char *const notifying[] = {"submitted", "info_requested", "approved",
                                        "issued",    "refused",        "revoked"};

bool mail_status_notifies(const char *status)
{
    if (!status)
        return false;
    for (size_t k = 0; k < sizeof notifying / sizeof *notifying; k++)
        if (strcmp(status, notifying[k]) == 0)
            return true;
    return false;
}

struct subst {
    const char *name, *value;
};

/* Copies text into b with {name} placeholders of vars replaced; unknown
 * placeholders stay as they are. */
static void substitute(struct obuf *b, const char *text, const struct subst *vars, size_t nvars)
{
    const char *p = text;
    while (*p) {
        const char *open = strchr(p, '{');
        if (!open) {
            ob_puts(b, p);
            return;
        }
        ob_put(b, p, (size_t)(open - p));
        const char *close = strchr(open + 1, '}');
        const char *value = NULL;
        if (close) {
            size_t nl = (size_t)(close - open - 1);
            for (size_t k = 0; k < nvars && !value; k++)
                if (strlen(vars[k].name) == nl && memcmp(vars[k].name, open + 1, nl) == 0)
                    value = vars[k].value;
        }
        if (value) {
            ob_puts(b, value);
            p = close + 1;
        } else {
            ob_put(b, "{", 1);
            p = open + 1;
        }
    }
}

int mail_status_text(const struct i18n *i, const char *lang, const char *status,
                     const char *reference, int64_t deadline_at, char *subject, size_t subject_cap,
                     char **body)
{
    if (!i || !status || !reference || !subject || subject_cap == 0 || !body)
        return -NOTIFY_E_INVALID;
    *body = NULL;
    char key[I18N_MAX_KEY + 1];
    int n = snprintf(key, sizeof key, "mail.%s.subject", status);
    if (n < 0 || (size_t)n >= sizeof key)
        return -NOTIFY_E_INVALID;
    const char *subj_t = i18n_get(i, lang, key);
    snprintf(key, sizeof key, "mail.%s.body", status);
    const char *body_t = i18n_get(i, lang, key);
    if (!subj_t || !body_t)
        return -NOTIFY_E_NO_TEMPLATE;

    snprintf(key, sizeof key, "status.%s", status);
    const char *status_name = i18n_get(i, lang, key);
    char deadline[40] = "";
    if (deadline_at) {
        time_t t = (time_t)deadline_at;
        struct tm tm;
        if (!gmtime_r(&t, &tm) || tm.tm_year < 0 || tm.tm_year > 8099)
            return -NOTIFY_E_INVALID;
        snprintf(deadline, sizeof deadline, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday);
    }
    const struct subst vars[] = {
        {"reference", reference},
        {"status", status_name ? status_name : status},
        {"deadline", deadline},
    };

    struct obuf s = {.limit = MAIL_SUBJECT_MAX}, b = {.limit = MAIL_BODY_MAX};
    substitute(&s, subj_t, vars, sizeof vars / sizeof *vars);
    substitute(&b, body_t, vars, sizeof vars / sizeof *vars);
    int rc = s.err ? s.err : b.err;
    if (!rc && s.p && (strchr(s.p, '\r') || strchr(s.p, '\n')))
        rc = -NOTIFY_E_HEADER_INJECTION;
    if (!rc && (!s.p || s.n + 1 > subject_cap))
        rc = s.p ? -NOTIFY_E_NO_SPACE : -NOTIFY_E_NO_TEMPLATE;
    if (!rc && !b.p)
        rc = -NOTIFY_E_NO_TEMPLATE;
    if (rc) {
        free(s.p);
        free(b.p);
        return rc;
    }
    memcpy(subject, s.p, s.n + 1);
    free(s.p);
    *body = b.p;
    return 0;
}
