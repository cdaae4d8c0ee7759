/*
 * http.c — the HTTP server over libmicrohttpd (epoll, thread pool): request
 * bodies read into a per-request buffer within the limits (413 as soon as a
 * limit is crossed), routing with "{}" path parameters (404/405/501),
 * static files, responses built in memory with the security headers added
 * to every one, lazy parsing of the query, cookies and form bodies, a JSON
 * access log line per request and a graceful stop.
 *
 * Per request, a struct http_conn_priv is created by the URI log callback
 * (which sees the raw request target, before MHD decodes it) and freed by
 * the completion callback, which also writes the access log line.
 */
#include "web/http.h"
#include "web/ratelimit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "web/http_parse.h"

#define HTTP_PATH_MAX 1024       /* raw request path, bytes */
#define HTTP_PARAM_MAX 128       /* one "{}" segment */
#define HTTP_RESP_HEADERS_MAX 32 /* headers a handler may set */
#define HTTP_RESP_BODY_MAX (64u << 20)
#define HTTP_DISCARD_MAX (1u << 20) /* body bytes read past a limit before closing */
#define HTTP_COOKIES_MAX 64
#define HTTP_STATIC_MAX (32u << 20)

static const char *const method_names[HTTP_M__MAX] = {
    [HTTP_GET] = "GET", [HTTP_HEAD] = "HEAD",   [HTTP_POST] = "POST",
    [HTTP_PUT] = "PUT", [HTTP_PATCH] = "PATCH", [HTTP_DELETE] = "DELETE",
};

static const char csp_value[] = "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/* Security headers on every response (Cache-Control handled apart). */
static const struct {
    const char *name, *value;
} security_headers[] = {
    {"Content-Security-Policy", csp_value},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Frame-Options", "DENY"},
};

static const struct {
    const char *ext, *type;
} static_types[] = {
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".png", "image/png"},
    {".svg", "image/svg+xml"},
    {".woff2", "font/woff2"},
    {".ico", "image/x-icon"},
};

struct http_server {
    struct MHD_Daemon *daemon;
    struct http_server_config cfg;
    struct http_limits lim;
    int port;
    int static_fd;
    FILE *log;
    bool log_owned;
    pthread_mutex_t log_mu;
    pthread_mutex_t mu; /* guards in_flight, body_bytes */
    pthread_cond_t idle;
    unsigned in_flight;
    size_t body_bytes;         /* request body bytes held, all requests */
    size_t body_budget;        /* cap on body_bytes */
    struct ratelimit *ip_rate; /* requests per client IP per minute, or NULL */
};

struct http_response {
    int status;
    unsigned gen;        /* bumped by each call that sets a whole response */
    bool failed;         /* out of memory or too large: answer 500 */
    bool layer_answered; /* holds the layer's form error until overridden */
    size_t n_hdr;
    char *hdr_name[HTTP_RESP_HEADERS_MAX];
    char *hdr_value[HTTP_RESP_HEADERS_MAX];
    char *body;
    size_t len, cap;
    bool secure_cookies;
};

struct http_conn_priv {
    struct http_server *srv;
    struct MHD_Connection *conn;
    struct timespec t_wall, t_mono;
    char *raw_uri; /* as received, with the query */
    size_t raw_path_len;
    char method_text[16];
    bool started, counted, over_limit, responded, json_errors;
    http_handler handler; /* the matched route's, once the body is complete */
    int status;           /* sent, for the log */
    size_t bytes;         /* body bytes sent, for the log */
    char path[HTTP_PATH_MAX + 1];
    char params[HTTP_MAX_PARAMS][HTTP_PARAM_MAX + 1];
    char content_type[128];
    uint8_t *body;
    size_t body_len, body_cap, body_limit, discarded;
    char remote_ip[INET6_ADDRSTRLEN];
    /* lazily parsed */
    bool query_done, cookies_done, form_done, form_ok;
    struct http_pair *query;
    int n_query;
    char *query_arena;
    struct http_pair *cookies;
    int n_cookies;
    char *cookie_arena;
    struct http_pair *fields;
    int n_fields;
    char *field_arena, *form_arena;
    struct http_part *parts;
    int n_parts;
    int form_status;
    const char *form_code;
    unsigned form_gen;
    struct http_request req;
    struct http_response resp;
};

/* ---- limits --------------------------------------------------------------- */

void http_limits_default(struct http_limits *l)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    memset(l, 0, sizeof *l);
    l->max_body = 12u << 20;
    l->max_json_body = 64u << 10;
    l->max_field = 2u << 10;
    l->max_fields = 64;
    l->max_upload = 5u << 20;
    l->max_header = 8u << 10;
    l->conn_timeout_s = 30;
    l->max_connections = 2048;
    l->per_ip_connections = 64;
    l->threads = cores > 1 ? (unsigned)(2 * cores) : 2;
}

/* Zero fields of l take their defaults. */
static void limits_fill(struct http_limits *l)
{
    struct http_limits d;
    http_limits_default(&d);
    if (!l->max_body)
        l->max_body = d.max_body;
    if (!l->max_json_body)
        l->max_json_body = d.max_json_body;
    if (!l->max_field)
        l->max_field = d.max_field;
    if (!l->max_fields)
        l->max_fields = d.max_fields;
    if (!l->max_upload)
        l->max_upload = d.max_upload;
    if (!l->max_header)
        l->max_header = d.max_header;
    if (!l->conn_timeout_s)
        l->conn_timeout_s = d.conn_timeout_s;
    if (!l->max_connections)
        l->max_connections = d.max_connections;
    if (!l->per_ip_connections)
        l->per_ip_connections = d.per_ip_connections;
    if (!l->threads)
        l->threads = d.threads;
    if (l->threads < 2)
        l->threads = 2;
    if (l->max_fields > 4096)
        l->max_fields = 4096;
}

/* ---- responses ------------------------------------------------------------ */

static bool ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return *a == *b;
}

static void resp_init(struct http_response *w, bool secure_cookies)
{
    memset(w, 0, sizeof *w);
    w->status = 200;
    w->secure_cookies = secure_cookies;
}

static void resp_free(struct http_response *w)
{
    for (size_t i = 0; i < w->n_hdr; i++) {
        free(w->hdr_name[i]);
        free(w->hdr_value[i]);
    }
    w->n_hdr = 0;
    free(w->body);
    w->body = NULL;
    w->len = w->cap = 0;
}

static const char *resp_header(const struct http_response *w, const char *name)
{
    for (size_t i = 0; i < w->n_hdr; i++)
        if (ieq(w->hdr_name[i], name))
            return w->hdr_value[i];
    return NULL;
}

static bool header_name_ok(const char *s)
{
    if (!*s || strlen(s) > 64)
        return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '-' || c == '_';
        if (!ok)
            return false;
    }
    return true;
}

static bool header_value_ok(const char *s)
{
    if (strlen(s) > 4096)
        return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}

/* Adds (append) or replaces a header; invalid ones make the response fail. */
static void resp_header_set(struct http_response *w, const char *name, const char *value,
                            bool append)
{
    if (!w || !name || !value)
        return;
    if (!header_name_ok(name) || !header_value_ok(value) || ieq(name, "Content-Length") ||
        ieq(name, "Transfer-Encoding") || ieq(name, "Connection")) {
        w->failed = true;
        return;
    }
    char *v = strdup(value);
    if (!v) {
        w->failed = true;
        return;
    }
    if (!append) {
        for (size_t i = 0; i < w->n_hdr; i++) {
            if (ieq(w->hdr_name[i], name)) {
                free(w->hdr_value[i]);
                w->hdr_value[i] = v;
                return;
            }
        }
    }
    char *n = strdup(name);
    if (!n || w->n_hdr >= HTTP_RESP_HEADERS_MAX) {
        free(n);
        free(v);
        w->failed = true;
        return;
    }
    w->hdr_name[w->n_hdr] = n;
    w->hdr_value[w->n_hdr] = v;
    w->n_hdr++;
}

void http_status(struct http_response *w, int status)
{
    if (!w)
        return;
    if (status < 100 || status > 599)
        w->failed = true;
    if (w->layer_answered) {
        /* the handler answers the form error itself: drop the layer's page
         * and its headers (layer_error reset the response) */
        w->layer_answered = false;
        for (size_t i = 0; i < w->n_hdr; i++) {
            free(w->hdr_name[i]);
            free(w->hdr_value[i]);
        }
        w->n_hdr = 0;
        w->len = 0;
        if (w->body)
            w->body[0] = '\0';
    }
    w->status = status;
    w->gen++;
}

void http_set_header(struct http_response *w, const char *name, const char *value)
{
    resp_header_set(w, name, value, name && ieq(name, "Set-Cookie"));
}

static bool resp_reserve(struct http_response *w, size_t more)
{
    if (w->failed)
        return false;
    if (more > HTTP_RESP_BODY_MAX - w->len) {
        w->failed = true;
        return false;
    }
    size_t need = w->len + more + 1;
    if (need <= w->cap)
        return true;
    size_t cap = w->cap ? w->cap : 1024;
    while (cap < need)
        cap *= 2;
    char *b = realloc(w->body, cap);
    if (!b) {
        w->failed = true;
        return false;
    }
    w->body = b;
    w->cap = cap;
    return true;
}

void http_append(struct http_response *w, const void *data, size_t len)
{
    if (!w || len == 0 || !data || !resp_reserve(w, len))
        return;
    memcpy(w->body + w->len, data, len);
    w->len += len;
    w->body[w->len] = '\0';
}

void http_appendf(struct http_response *w, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    if (!w || !fmt)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        w->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        http_append(w, small, (size_t)n);
        return;
    }
    if (!resp_reserve(w, (size_t)n))
        return;
    va_start(ap, fmt);
    int m = vsnprintf(w->body + w->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (m != n) {
        w->failed = true;
        return;
    }
    w->len += (size_t)n;
}

void http_append_escaped(struct http_response *w, const char *s)
{
    if (!w || !s)
        return;
    const char *run = s;
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
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
            continue;
        }
        http_append(w, run, (size_t)(s - run));
        http_append(w, rep, strlen(rep));
        run = s + 1;
    }
    http_append(w, run, (size_t)(s - run));
}

static void resp_clear_body(struct http_response *w)
{
    w->len = 0;
    if (w->body)
        w->body[0] = '\0';
}

/* RFC 6265 cookie-octet. */
static bool cookie_octets_ok(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x21 || c > 0x7e || c == '"' || c == ',' || c == ';' || c == '\\')
            return false;
    }
    return true;
}

void http_set_cookie(struct http_response *w, const char *name, const char *value, int max_age)
{
    char line[4096];
    if (!w || !name || !value)
        return;
    if (!header_name_ok(name) || strlen(value) > 2048 || !cookie_octets_ok(value)) {
        w->failed = true;
        return;
    }
    int n;
    if (max_age >= 0)
        n = snprintf(line, sizeof line, "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax%s", name,
                     value, max_age, w->secure_cookies ? "; Secure" : "");
    else
        n = snprintf(line, sizeof line, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s", name, value,
                     w->secure_cookies ? "; Secure" : "");
    if (n < 0 || (size_t)n >= sizeof line) {
        w->failed = true;
        return;
    }
    resp_header_set(w, "Set-Cookie", line, true);
}

void http_redirect(struct http_response *w, const char *location)
{
    if (!w || !location)
        return;
    http_status(w, 303);
    resp_clear_body(w);
    resp_header_set(w, "Location", location, false);
}

void http_json(struct http_response *w, int status, void *json)
{
    json_t *j = json;
    if (!w) {
        json_decref(j);
        return;
    }
    http_status(w, status);
    resp_clear_body(w);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text) {
        w->failed = true;
        return;
    }
    resp_header_set(w, "Content-Type", "application/json", false);
    http_append(w, text, strlen(text));
    free(text);
}

void http_error_json(struct http_response *w, int status, const char *code, const char *message)
{
    json_t *j =
        json_pack("{s:s, s:s}", "code", code ? code : "error", "message", message ? message : "");
    http_json(w, status, j);
}

/* ---- layer errors ----------------------------------------------------------- */

static const char *reason_phrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

/* Replaces the response with an error: JSON for API clients, else a small
 * HTML page.  Messages are fixed strings: nothing internal is revealed. */
static void layer_error(struct http_conn_priv *p, int status, const char *code, const char *message)
{
    struct http_response *w = &p->resp;
    bool secure = w->secure_cookies;
    resp_free(w);
    resp_init(w, secure);
    if (p->json_errors) {
        http_error_json(w, status, code, message);
        return;
    }
    http_status(w, status);
    http_appendf(w,
                 "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                 "<title>%d %s</title></head>\n<body><h1>%d %s</h1>\n<p>",
                 status, reason_phrase(status), status, reason_phrase(status));
    http_append_escaped(w, message);
    http_appendf(w, "</p></body></html>\n");
}

/* ---- access log --------------------------------------------------------------- */

/* Appends s as a JSON string body (no quotes): control, non-ASCII, quote
 * and backslash bytes escaped. */
static size_t json_escape(char *out, size_t cap, const char *s, size_t max)
{
    size_t o = 0;
    for (size_t i = 0; i < max && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        char tmp[8];
        size_t k;
        if (c == '"' || c == '\\') {
            tmp[0] = '\\';
            tmp[1] = (char)c;
            k = 2;
        } else if (c < 0x20 || c >= 0x7f) {
            snprintf(tmp, sizeof tmp, "\\u%04x", c);
            k = 6;
        } else {
            tmp[0] = (char)c;
            k = 1;
        }
        if (o + k >= cap)
            break;
        memcpy(out + o, tmp, k);
        o += k;
    }
    if (cap)
        out[o] = '\0';
    return o;
}

static void access_log(struct http_conn_priv *p)
{
    struct http_server *s = p->srv;
    char when[96], path[HTTP_PATH_MAX * 6 + 1], method[16 * 6 + 1], ip[INET6_ADDRSTRLEN * 6 + 1];
    struct tm tm;
    struct timespec now;
    if (!s->log)
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (double)(now.tv_sec - p->t_mono.tv_sec) * 1e3 +
                (double)(now.tv_nsec - p->t_mono.tv_nsec) / 1e6;
    gmtime_r(&p->t_wall.tv_sec, &tm);
    snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             p->t_wall.tv_nsec / 1000000);
    json_escape(path, sizeof path, p->raw_uri ? p->raw_uri : "", p->raw_path_len);
    json_escape(method, sizeof method, p->method_text, sizeof p->method_text);
    json_escape(ip, sizeof ip, p->remote_ip, sizeof p->remote_ip);
    pthread_mutex_lock(&s->log_mu);
    fprintf(s->log,
            "{\"time\":\"%s\",\"ip\":\"%s\",\"method\":\"%s\",\"path\":\"%s\",\"status\":%d,"
            "\"bytes\":%zu,\"duration_ms\":%.3f}\n",
            when, ip, method, path, p->status, p->bytes, ms);
    fflush(s->log);
    pthread_mutex_unlock(&s->log_mu);
}

/* ---- per-request state ------------------------------------------------------ */

static struct http_conn_priv *priv_new(struct http_server *s, const char *uri)
{
    struct http_conn_priv *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->srv = s;
    clock_gettime(CLOCK_REALTIME, &p->t_wall);
    clock_gettime(CLOCK_MONOTONIC, &p->t_mono);
    p->raw_uri = strdup(uri ? uri : "");
    if (!p->raw_uri) {
        free(p);
        return NULL;
    }
    p->raw_path_len = strcspn(p->raw_uri, "?");
    resp_init(&p->resp, s->cfg.secure_cookies);
    return p;
}

static void body_release(struct http_conn_priv *p)
{
    if (p->body_cap) {
        pthread_mutex_lock(&p->srv->mu);
        p->srv->body_bytes -= p->body_cap;
        pthread_mutex_unlock(&p->srv->mu);
    }
    free(p->body);
    p->body = NULL;
    p->body_cap = p->body_len = 0;
}

static void priv_free(struct http_conn_priv *p)
{
    body_release(p);
    resp_free(&p->resp);
    free(p->raw_uri);
    free(p->query);
    free(p->query_arena);
    free(p->cookies);
    free(p->cookie_arena);
    free(p->fields);
    free(p->field_arena);
    free(p->form_arena);
    free(p->parts);
    free(p);
}

/* Grows the body buffer to hold want bytes (+ NUL), within the server-wide
 * budget; exactly that much when exact (a known Content-Length).  Returns false when the budget or
 * memory is exhausted. */
static bool body_grow(struct http_conn_priv *p, size_t want, bool exact)
{
    struct http_server *s = p->srv;
    if (want + 1 <= p->body_cap)
        return true;
    size_t cap = p->body_cap ? p->body_cap : 4096;
    while (cap < want + 1)
        cap = cap > SIZE_MAX / 2 ? want + 1 : cap * 2;
    if (cap > p->body_limit + 1)
        cap = p->body_limit + 1;
    if (exact)
        cap = want + 1;
    pthread_mutex_lock(&s->mu);
    bool ok = s->body_bytes + (cap - p->body_cap) <= s->body_budget;
    if (ok)
        s->body_bytes += cap - p->body_cap;
    pthread_mutex_unlock(&s->mu);
    if (!ok)
        return false;
    uint8_t *b = realloc(p->body, cap);
    if (!b) {
        pthread_mutex_lock(&s->mu);
        s->body_bytes -= cap - p->body_cap;
        pthread_mutex_unlock(&s->mu);
        return false;
    }
    p->body = b;
    p->body_cap = cap;
    return true;
}

/* ---- request accessors ------------------------------------------------------- */

const char *http_header(const struct http_request *r, const char *name)
{
    if (!r || !r->priv || !r->priv->conn || !name)
        return NULL;
    return MHD_lookup_connection_value(r->priv->conn, MHD_HEADER_KIND, name);
}

static const char *pair_find(const struct http_pair *pairs, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(pairs[i].name, name) == 0)
            return pairs[i].value;
    return NULL;
}

const char *http_query(const struct http_request *r, const char *name)
{
    if (!r || !r->priv || !name)
        return NULL;
    struct http_conn_priv *p = r->priv;
    if (!p->query_done) {
        p->query_done = true;
        const char *q = p->raw_uri[p->raw_path_len] == '?' ? p->raw_uri + p->raw_path_len + 1 : "";
        size_t len = strlen(q), max = p->srv->lim.max_fields;
        size_t cap = http_urlencoded_arena(len, max);
        p->query = calloc(max, sizeof *p->query);
        p->query_arena = malloc(cap);
        if (p->query && p->query_arena) {
            int n = http_urlencoded_parse(q, len, p->query, max, p->query_arena, cap,
                                          p->srv->lim.max_field);
            p->n_query = n < 0 ? 0 : n;
        }
    }
    return pair_find(p->query, p->n_query, name);
}

const char *http_cookie(const struct http_request *r, const char *name)
{
    if (!r || !r->priv || !name)
        return NULL;
    struct http_conn_priv *p = r->priv;
    if (!p->cookies_done) {
        p->cookies_done = true;
        const char *h = http_header(r, "Cookie");
        if (h) {
            size_t cap = strlen(h) + 2 * HTTP_COOKIES_MAX + 2;
            p->cookies = calloc(HTTP_COOKIES_MAX, sizeof *p->cookies);
            p->cookie_arena = malloc(cap);
            if (p->cookies && p->cookie_arena) {
                int n = http_cookies_parse(h, p->cookies, HTTP_COOKIES_MAX, p->cookie_arena, cap);
                p->n_cookies = n < 0 ? 0 : n;
            }
        }
    }
    return pair_find(p->cookies, p->n_cookies, name);
}

const char *http_content_type(const struct http_request *r)
{
    return r && r->priv ? r->priv->content_type : "";
}

/* Records a form failure and answers it now (the handler may override by
 * setting a status itself). */
static void form_fail(struct http_conn_priv *p, int perr)
{
    p->form_ok = false;
    switch (perr) {
    case HTTP_PE_TOO_MANY:
        p->form_status = 413;
        p->form_code = "too_many_fields";
        break;
    case HTTP_PE_FIELD_TOO_LARGE:
        p->form_status = 413;
        p->form_code = "field_too_large";
        break;
    case HTTP_PE_UPLOAD_TOO_LARGE:
        p->form_status = 413;
        p->form_code = "upload_too_large";
        break;
    case HTTP_PE_NO_SPACE:
        p->form_status = 500;
        p->form_code = "internal_error";
        break;
    default:
        p->form_status = 400;
        p->form_code = "malformed_form";
        break;
    }
}

static const char *form_message(const char *code)
{
    if (strcmp(code, "too_many_fields") == 0)
        return "The form has too many fields.";
    if (strcmp(code, "field_too_large") == 0)
        return "A form field is too long.";
    if (strcmp(code, "upload_too_large") == 0)
        return "The uploaded file is too large.";
    if (strcmp(code, "malformed_form") == 0)
        return "The form data could not be read.";
    return "The request could not be processed.";
}

static void form_answer(struct http_conn_priv *p)
{
    layer_error(p, p->form_status, p->form_code, form_message(p->form_code));
    p->form_gen = p->resp.gen;
    p->resp.layer_answered = true;
}

static void form_parse_multipart(struct http_conn_priv *p)
{
    struct http_limits *l = &p->srv->lim;
    char boundary[HTTP_BOUNDARY_MAX + 2];
    const char *ct = http_header(&p->req, "Content-Type");
    if (http_ct_param(ct, "boundary", boundary, sizeof boundary) < 1) {
        form_fail(p, HTTP_PE_MALFORMED);
        return;
    }
    size_t cap = http_multipart_arena(p->body_len, l->max_fields);
    p->parts = calloc(l->max_fields, sizeof *p->parts);
    p->form_arena = malloc(cap);
    if (!p->parts || !p->form_arena) {
        form_fail(p, HTTP_PE_NO_SPACE);
        return;
    }
    int n = http_multipart_parse(p->req.body, p->body_len, boundary, p->parts, l->max_fields,
                                 p->form_arena, cap, l->max_field, l->max_upload);
    if (n < 0) {
        form_fail(p, -n);
        return;
    }
    p->n_parts = n;
    /* plain fields become NUL-terminated pairs */
    size_t need = 1;
    for (int i = 0; i < n; i++)
        if (!p->parts[i].filename)
            need += p->parts[i].len + 1;
    p->fields = calloc((size_t)n + 1, sizeof *p->fields);
    p->field_arena = malloc(need);
    if (!p->fields || !p->field_arena) {
        form_fail(p, HTTP_PE_NO_SPACE);
        return;
    }
    size_t used = 0;
    for (int i = 0; i < n; i++) {
        const struct http_part *pt = &p->parts[i];
        if (pt->filename)
            continue;
        if (pt->len && memchr(pt->data, '\0', pt->len)) {
            form_fail(p, HTTP_PE_MALFORMED);
            return;
        }
        char *v = p->field_arena + used;
        if (pt->len)
            memcpy(v, pt->data, pt->len);
        v[pt->len] = '\0';
        used += pt->len + 1;
        p->fields[p->n_fields].name = pt->name;
        p->fields[p->n_fields].value = v;
        p->fields[p->n_fields].value_len = pt->len;
        p->n_fields++;
    }
}

static void form_parse(struct http_conn_priv *p)
{
    if (p->form_done)
        return;
    p->form_done = true;
    p->form_ok = true;
    struct http_limits *l = &p->srv->lim;
    if (strcmp(p->content_type, "application/x-www-form-urlencoded") == 0) {
        size_t cap = http_urlencoded_arena(p->body_len, l->max_fields);
        p->fields = calloc(l->max_fields, sizeof *p->fields);
        p->field_arena = malloc(cap);
        if (!p->fields || !p->field_arena) {
            form_fail(p, HTTP_PE_NO_SPACE);
        } else {
            int n = http_urlencoded_parse((const char *)p->req.body, p->body_len, p->fields,
                                          l->max_fields, p->field_arena, cap, l->max_field);
            if (n < 0)
                form_fail(p, -n);
            else
                p->n_fields = n;
        }
    } else if (strcmp(p->content_type, "multipart/form-data") == 0) {
        form_parse_multipart(p);
    }
    if (!p->form_ok) {
        p->n_fields = 0;
        p->n_parts = 0;
        form_answer(p);
    }
}

const char *http_form(const struct http_request *r, const char *name)
{
    if (!r || !r->priv || !name)
        return NULL;
    form_parse(r->priv);
    return pair_find(r->priv->fields, r->priv->n_fields, name);
}

const struct http_part *http_file(const struct http_request *r, const char *name)
{
    if (!r || !r->priv || !name)
        return NULL;
    struct http_conn_priv *p = r->priv;
    form_parse(p);
    for (int i = 0; i < p->n_parts; i++)
        if (p->parts[i].filename && strcmp(p->parts[i].name, name) == 0)
            return &p->parts[i];
    return NULL;
}

bool http_form_ok(const struct http_request *r)
{
    if (!r || !r->priv)
        return false;
    form_parse(r->priv);
    return r->priv->form_ok;
}

/* ---- sending ----------------------------------------------------------------- */

static void add_common_headers(struct MHD_Response *mr, const struct http_response *w,
                               const char *cache_control)
{
    for (size_t i = 0; i < sizeof security_headers / sizeof security_headers[0]; i++)
        if (!w || !resp_header(w, security_headers[i].name))
            MHD_add_response_header(mr, security_headers[i].name, security_headers[i].value);
    if (!w || !resp_header(w, "Cache-Control"))
        MHD_add_response_header(mr, "Cache-Control", cache_control);
}

/* Queues p->resp; close asks MHD to close the connection afterwards (the
 * request body was not read). */
static enum MHD_Result send_response(struct http_conn_priv *p, bool conn_close, const char *allow)
{
    struct http_response *w = &p->resp;
    if (p->form_done && !p->form_ok && w->gen == p->form_gen)
        form_answer(p); /* the handler did not override the form error */
    if (w->failed)
        layer_error(p, 500, "internal_error", "The request could not be processed.");
    struct MHD_Response *mr;
    if (w->len) {
        mr = MHD_create_response_from_buffer(w->len, w->body, MHD_RESPMEM_MUST_FREE);
        if (mr) {
            p->bytes = p->req.method == HTTP_HEAD ? 0 : w->len;
            w->body = NULL;
            w->len = w->cap = 0;
        }
    } else {
        mr = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!mr)
        return MHD_NO;
    bool has_ct = false;
    for (size_t i = 0; i < w->n_hdr; i++) {
        const char *name = w->hdr_name[i], *value = w->hdr_value[i];
        if (ieq(name, "Content-Type")) {
            has_ct = true;
            /* text types always carry a charset */
            if (strncmp(value, "text/", 5) == 0 && !strstr(value, "charset=")) {
                char ct[4200];
                snprintf(ct, sizeof ct, "%s; charset=utf-8", value);
                MHD_add_response_header(mr, name, ct);
                continue;
            }
        }
        MHD_add_response_header(mr, name, value);
    }
    if (!has_ct)
        MHD_add_response_header(mr, "Content-Type", "text/html; charset=utf-8");
    add_common_headers(mr, w, "no-store");
    if (allow)
        MHD_add_response_header(mr, "Allow", allow);
    if (conn_close)
        MHD_add_response_header(mr, "Connection", "close");
    enum MHD_Result rc = MHD_queue_response(p->conn, (unsigned)w->status, mr);
    MHD_destroy_response(mr);
    p->status = w->status;
    p->responded = true;
    return rc;
}

static enum MHD_Result send_error(struct http_conn_priv *p, int status, const char *code,
                                  const char *message, bool conn_close, const char *allow)
{
    layer_error(p, status, code, message);
    return send_response(p, conn_close, allow);
}

/* ---- static files ------------------------------------------------------------ */

static enum MHD_Result serve_static(struct http_conn_priv *p, enum http_method m, bool conn_close)
{
    const char *name = p->path + strlen("/static/");
    size_t len = strlen(name);
    if (m != HTTP_GET && m != HTTP_HEAD)
        return send_error(p, 405, "method_not_allowed", "This method is not allowed here.",
                          conn_close, "GET, HEAD");
    bool ok = len > 0 && len <= 128 && name[0] != '.';
    for (size_t i = 0; ok && i < len; i++) {
        char c = name[i];
        ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '_' || c == '-';
    }
    const char *type = NULL;
    for (size_t i = 0; ok && i < sizeof static_types / sizeof static_types[0]; i++) {
        size_t el = strlen(static_types[i].ext);
        if (len > el && strcmp(name + len - el, static_types[i].ext) == 0)
            type = static_types[i].type;
    }
    int fd = ok && type ? openat(p->srv->static_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
    struct stat st;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
                    (uint64_t)st.st_size > HTTP_STATIC_MAX)) {
        close(fd);
        fd = -1;
    }
    if (fd < 0)
        return send_error(p, 404, "not_found", "The page was not found.", conn_close, NULL);
    struct MHD_Response *mr = MHD_create_response_from_fd((size_t)st.st_size, fd);
    if (!mr) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(mr, "Content-Type", type);
    add_common_headers(mr, NULL, "public, max-age=3600");
    if (conn_close)
        MHD_add_response_header(mr, "Connection", "close");
    enum MHD_Result rc = MHD_queue_response(p->conn, 200, mr);
    MHD_destroy_response(mr);
    p->status = 200;
    p->bytes = m == HTTP_HEAD ? 0 : (size_t)st.st_size;
    p->responded = true;
    return rc;
}

/* ---- routing ----------------------------------------------------------------- */

/* Whether path matches pattern; params filled when it does. */
static bool route_match(const char *pattern, const char *path,
                        char params[HTTP_MAX_PARAMS][HTTP_PARAM_MAX + 1])
{
    size_t np = 0;
    const char *a = pattern, *b = path;
    while (*a && *b) {
        if (a[0] == '{' && a[1] == '}' && (a[2] == '/' || a[2] == '\0')) {
            size_t n = strcspn(b, "/");
            if (n == 0 || n > HTTP_PARAM_MAX || np >= HTTP_MAX_PARAMS)
                return false;
            memcpy(params[np], b, n);
            params[np][n] = '\0';
            np++;
            a += 2;
            b += n;
            continue;
        }
        if (*a != *b)
            return false;
        a++;
        b++;
    }
    return *a == '\0' && *b == '\0';
}

/* Decodes and checks the raw path; returns 0, 400 or 414. */
static int path_check(struct http_conn_priv *p)
{
    const char *raw = p->raw_uri;
    size_t len = p->raw_path_len;
    if (len > HTTP_PATH_MAX)
        return 414;
    if (len == 0 || raw[0] != '/')
        return 400;
    long n = http_pct_decode(raw, len, false, false, p->path, sizeof p->path);
    if (n < 0)
        return 400;
    for (long i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p->path[i];
        if (c < 0x20 || c == 0x7f)
            return 400;
    }
    /* no "." or ".." segments */
    for (const char *s = p->path; *s;) {
        s++; /* past '/' */
        size_t seg = strcspn(s, "/");
        if ((seg == 1 && s[0] == '.') || (seg == 2 && s[0] == '.' && s[1] == '.'))
            return 400;
        s += seg;
    }
    return 0;
}

static bool request_has_body(struct MHD_Connection *c)
{
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding");
    return te || (cl && strcmp(cl, "0") != 0);
}

/* Parses a Content-Length value; false when malformed. */
static bool parse_length(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

static enum MHD_Result begin_request(struct http_conn_priv *p, const char *method)
{
    struct http_server *s = p->srv;
    struct MHD_Connection *c = p->conn;
    bool conn_close = request_has_body(c);
    const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (http_media_type(ct, p->content_type, sizeof p->content_type) < 0)
        p->content_type[0] = '\0';
    p->json_errors = strncmp(p->raw_uri, "/api/", 5) == 0 ||
                     (accept && strstr(accept, "application/json")) ||
                     strcmp(p->content_type, "application/json") == 0;

    enum http_method m = HTTP_M__MAX;
    for (int i = 0; i < HTTP_M__MAX; i++)
        if (strcmp(method, method_names[i]) == 0)
            m = (enum http_method)i;
    if (m == HTTP_M__MAX)
        return send_error(p, 501, "not_implemented", "This method is not supported.", conn_close,
                          NULL);
    int bad = path_check(p);
    if (bad == 414)
        return send_error(p, 414, "uri_too_long", "The address is too long.", conn_close, NULL);
    if (bad)
        return send_error(p, 400, "bad_request", "The address is not valid.", conn_close, NULL);
    if (s->static_fd >= 0 && strncmp(p->path, "/static/", 8) == 0)
        return serve_static(p, m, conn_close);

    /* routing: HEAD is served by GET routes */
    const struct http_route *route = NULL;
    bool allowed[HTTP_M__MAX] = {false};
    bool any = false;
    char scratch[HTTP_MAX_PARAMS][HTTP_PARAM_MAX + 1];
    for (size_t i = 0; i < s->cfg.n_routes; i++) {
        const struct http_route *rt = &s->cfg.routes[i];
        if (!route_match(rt->pattern, p->path, scratch))
            continue;
        any = true;
        allowed[rt->method] = true;
        if (rt->method == HTTP_GET)
            allowed[HTTP_HEAD] = true;
        if (!route && (rt->method == m || (m == HTTP_HEAD && rt->method == HTTP_GET))) {
            route = rt;
            memcpy(p->params, scratch, sizeof scratch);
        }
    }
    if (!any)
        return send_error(p, 404, "not_found", "The page was not found.", conn_close, NULL);
    if (!route) {
        char allow[64] = "";
        for (int i = 0; i < HTTP_M__MAX; i++) {
            if (!allowed[i])
                continue;
            if (allow[0])
                strcat(allow, ", ");
            strcat(allow, method_names[i]);
        }
        return send_error(p, 405, "method_not_allowed", "This method is not allowed here.",
                          conn_close, allow);
    }
    p->req.method = m;
    for (int i = 0; i < HTTP_MAX_PARAMS; i++)
        p->req.params[i] = p->params[i][0] ? p->params[i] : NULL;
    p->req.app = s->cfg.app;
    p->req.priv = p;
    p->req.path = p->path;
    p->req.remote_ip = p->remote_ip;
    p->body_limit = s->lim.max_body;
    if (strcmp(p->content_type, "application/json") == 0 && s->lim.max_json_body < p->body_limit)
        p->body_limit = s->lim.max_json_body;
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    uint64_t want = 0;
    if (cl && !parse_length(cl, &want))
        return send_error(p, 400, "bad_request", "The request is not valid.", true, NULL);
    if (want > p->body_limit)
        return send_error(p, 413, "payload_too_large", "The request body is too large.", true,
                          NULL);
    if (want > 0 && !body_grow(p, (size_t)want, true))
        return send_error(p, 503, "unavailable", "The server is busy; try again shortly.", true,
                          NULL);
    p->handler = route->handler;
    return MHD_YES;
}

/* Takes in a chunk of the body; false to close the connection (a client
 * that keeps sending far past a limit). */
static bool absorb(struct http_conn_priv *p, const char *data, size_t n)
{
    if (p->over_limit) {
        p->discarded += n;
        return p->discarded <= HTTP_DISCARD_MAX;
    }
    if (n > p->body_limit - p->body_len) {
        p->over_limit = true;
        p->discarded = p->body_len + n - p->body_limit;
        body_release(p);
        return p->discarded <= HTTP_DISCARD_MAX;
    }
    if (!body_grow(p, p->body_len + n, false)) {
        p->over_limit = true; /* answered 503 below */
        p->body_limit = SIZE_MAX;
        body_release(p);
        return true;
    }
    memcpy(p->body + p->body_len, data, n);
    p->body_len += n;
    return true;
}

static enum MHD_Result finish_request(struct http_conn_priv *p)
{
    if (p->over_limit) {
        if (p->body_limit == SIZE_MAX)
            return send_error(p, 503, "unavailable", "The server is busy; try again shortly.", true,
                              NULL);
        return send_error(p, 413, "payload_too_large", "The request body is too large.", true,
                          NULL);
    }
    if (!ratelimit_hit(p->srv->ip_rate, p->remote_ip, (int64_t)time(NULL))) {
        layer_error(p, 429, "rate_limited", "Too many requests; try again in a minute.");
        return send_response(p, false, NULL);
    }
    if (p->body)
        p->body[p->body_len] = '\0';
    p->req.body = p->body ? p->body : (const uint8_t *)"";
    p->req.body_len = p->body_len;
    p->handler(&p->req, &p->resp);
    return send_response(p, false, NULL);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)c;
    return priv_new(cls, uri);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    struct http_conn_priv *p = *con_cls;
    (void)c;
    *con_cls = NULL;
    if (!p)
        return;
    if (p->started) {
        if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && !p->responded)
            p->status = 499; /* nginx's "client closed the request" */
        access_log(p);
    }
    bool counted = p->counted;
    priv_free(p);
    if (counted) {
        pthread_mutex_lock(&s->mu);
        s->in_flight--;
        if (s->in_flight == 0)
            pthread_cond_broadcast(&s->idle);
        pthread_mutex_unlock(&s->mu);
    }
}

static void remote_ip(struct MHD_Connection *c, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, cap, "-");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)cap);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct http_server *s = cls;
    struct http_conn_priv *p = *con_cls;
    (void)version;
    if (!p) {
        p = priv_new(s, url); /* the URI log callback failed to allocate */
        if (!p)
            return MHD_NO;
        *con_cls = p;
    }
    if (!p->started) {
        p->started = true;
        p->conn = c;
        snprintf(p->method_text, sizeof p->method_text, "%s", method);
        remote_ip(c, p->remote_ip, sizeof p->remote_ip);
        pthread_mutex_lock(&s->mu);
        s->in_flight++;
        p->counted = true;
        pthread_mutex_unlock(&s->mu);
        return begin_request(p, method);
    }
    if (p->responded) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        bool ok = absorb(p, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return ok ? MHD_YES : MHD_NO;
    }
    return finish_request(p);
}

/* ---- start / stop -------------------------------------------------------------- */

/* Parses "a.b.c.d:port" or "[v6]:port" into ss. */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sl)
{
    char host[INET6_ADDRSTRLEN + 1];
    const char *port;
    memset(ss, 0, sizeof *ss);
    if (!listen)
        return -1;
    if (listen[0] == '[') {
        const char *end = strchr(listen, ']');
        if (!end || end[1] != ':' || (size_t)(end - listen - 1) >= sizeof host)
            return -1;
        memcpy(host, listen + 1, (size_t)(end - listen - 1));
        host[end - listen - 1] = '\0';
        port = end + 2;
    } else {
        const char *colon = strrchr(listen, ':');
        if (!colon || (size_t)(colon - listen) >= sizeof host)
            return -1;
        memcpy(host, listen, (size_t)(colon - listen));
        host[colon - listen] = '\0';
        port = colon + 1;
    }
    unsigned long pv = 0;
    if (!*port || strlen(port) > 5)
        return -1;
    for (const char *q = port; *q; q++) {
        if (*q < '0' || *q > '9')
            return -1;
        pv = pv * 10 + (unsigned long)(*q - '0');
    }
    if (pv > 65535)
        return -1;
    struct sockaddr_in *v4 = (struct sockaddr_in *)(void *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)(void *)ss;
    if (listen[0] != '[' && inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)pv);
        *sl = sizeof *v4;
        return 0;
    }
    if (listen[0] == '[' && inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)pv);
        *sl = sizeof *v6;
        return 0;
    }
    return -1;
}

/* A bound, listening, non-blocking socket, or -1 with err set. */
static int open_listener(const char *listen_addr, int *port, char *err, size_t err_cap)
{
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    if (parse_listen(listen_addr, &ss, &sl) != 0) {
        snprintf(err, err_cap, "bad listen address \"%s\" (want 127.0.0.1:8080 or [::1]:8080)",
                 listen_addr ? listen_addr : "(null)");
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        snprintf(err, err_cap, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ss.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 1024) != 0) {
        snprintf(err, err_cap, "cannot listen on %s: %s", listen_addr, strerror(errno));
        close(fd);
        return -1;
    }
    struct sockaddr_storage got;
    socklen_t gl = sizeof got;
    if (getsockname(fd, (struct sockaddr *)&got, &gl) != 0) {
        snprintf(err, err_cap, "getsockname: %s", strerror(errno));
        close(fd);
        return -1;
    }
    *port = got.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)(void *)&got)->sin_port)
                                     : ntohs(((struct sockaddr_in6 *)(void *)&got)->sin6_port);
    return fd;
}

/* Checks the route table: absolute patterns, at most HTTP_MAX_PARAMS "{}". */
static int check_routes(const struct http_server_config *cfg, char *err, size_t err_cap)
{
    for (size_t i = 0; i < cfg->n_routes; i++) {
        const struct http_route *r = &cfg->routes[i];
        size_t np = 0;
        if (!r->pattern || r->pattern[0] != '/' || !r->handler || (int)r->method < 0 ||
            r->method >= HTTP_M__MAX) {
            snprintf(err, err_cap, "route %zu is not valid", i);
            return -1;
        }
        for (const char *q = strstr(r->pattern, "{}"); q; q = strstr(q + 2, "{}"))
            np++;
        if (np > HTTP_MAX_PARAMS) {
            snprintf(err, err_cap, "route %s has more than %d parameters", r->pattern,
                     HTTP_MAX_PARAMS);
            return -1;
        }
    }
    return 0;
}

static void server_free(struct http_server *s)
{
    if (s->static_fd >= 0)
        close(s->static_fd);
    if (s->log && s->log_owned)
        fclose(s->log);
    pthread_mutex_destroy(&s->log_mu);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->idle);
    ratelimit_free(s->ip_rate);
    free(s);
}

struct http_server *http_server_start(const struct http_server_config *cfg, char *err,
                                      size_t err_cap)
{
    char dummy[8];
    if (!err || err_cap == 0) {
        err = dummy;
        err_cap = sizeof dummy;
    }
    err[0] = '\0';
    if (!cfg || (cfg->n_routes && !cfg->routes)) {
        snprintf(err, err_cap, "no configuration");
        return NULL;
    }
    if (check_routes(cfg, err, err_cap) != 0)
        return NULL;
    struct http_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_cap, "out of memory");
        return NULL;
    }
    s->cfg = *cfg;
    s->lim = cfg->limits;
    limits_fill(&s->lim);
    s->static_fd = -1;
    s->body_budget = s->lim.max_body * 8;
    if (cfg->requests_per_minute_per_ip)
        s->ip_rate = ratelimit_new((int)cfg->requests_per_minute_per_ip, 60);
    pthread_mutex_init(&s->log_mu, NULL);
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->idle, &ca);
    pthread_condattr_destroy(&ca);
    if (cfg->static_dir) {
        s->static_fd = open(cfg->static_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->static_fd < 0) {
            snprintf(err, err_cap, "static directory %s: %s", cfg->static_dir, strerror(errno));
            server_free(s);
            return NULL;
        }
    }
    if (cfg->access_log_file) {
        s->log = cfg->access_log_file;
    } else if (cfg->access_log) {
        if (strcmp(cfg->access_log, "-") == 0) {
            s->log = stdout;
        } else {
            s->log = fopen(cfg->access_log, "ae");
            s->log_owned = true;
            if (!s->log) {
                snprintf(err, err_cap, "access log %s: %s", cfg->access_log, strerror(errno));
                server_free(s);
                return NULL;
            }
        }
    }
    int fd = open_listener(cfg->listen, &s->port, err, err_cap);
    if (fd < 0) {
        server_free(s);
        return NULL;
    }
    bool v6 = cfg->listen[0] == '[';
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | (v6 ? MHD_USE_IPv6 : 0u);
    /* MHD keeps request headers in a per-connection pool; it also holds
     * the response headers and read buffer, hence the margin. */
    size_t pool = s->lim.max_header + 8192;
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_THREAD_POOL_SIZE, s->lim.threads, MHD_OPTION_CONNECTION_LIMIT,
        s->lim.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->lim.per_ip_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, s->lim.conn_timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        pool, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(err, err_cap, "cannot start the HTTP server on %s", cfg->listen);
        close(fd);
        server_free(s);
        return NULL;
    }
    return s;
}

int http_server_port(const struct http_server *s)
{
    return s ? s->port : -1;
}

void http_server_stop(struct http_server *s, int wait_s)
{
    if (!s)
        return;
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += wait_s > 0 ? wait_s : 0;
    pthread_mutex_lock(&s->mu);
    while (s->in_flight > 0) {
        if (pthread_cond_timedwait(&s->idle, &s->mu, &deadline) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&s->mu);
    MHD_stop_daemon(s->daemon);
    server_free(s);
}
