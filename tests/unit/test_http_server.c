/*
 * test_http_server.c — tests of the HTTP layer through a real server on
 * 127.0.0.1 (port 0) with a few test routes, spoken to over real sockets by
 * a tiny blocking HTTP/1.1 client: routing, limits, forms, uploads,
 * cookies, security headers, static files, HEAD, the access log and the
 * graceful stop.
 */
#include "test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "web/http.h"

/* ---- test routes ------------------------------------------------------------ */

static void h_hello(struct http_request *r, struct http_response *w)
{
    (void)r;
    http_append(w, "hello", 5);
}

static void h_item(struct http_request *r, struct http_response *w)
{
    http_set_header(w, "Content-Type", "text/plain");
    http_appendf(w, "item=%s sub=%s", r->params[0], r->params[1] ? r->params[1] : "-");
}

static void h_echo_form(struct http_request *r, struct http_response *w)
{
    if (!http_form_ok(r))
        return; /* the layer's 400/413 stands */
    const char *a = http_form(r, "a"), *b = http_form(r, "b");
    http_set_header(w, "Content-Type", "text/plain");
    http_appendf(w, "a=[%s] b=[%s]", a ? a : "(none)", b ? b : "(none)");
    const struct http_part *f = http_file(r, "photo");
    if (f)
        http_appendf(w, " file=%s type=%s len=%zu", f->filename,
                     f->content_type ? f->content_type : "-", f->len);
}

/* A handler that overrides the form error with its own page. */
static void h_form_override(struct http_request *r, struct http_response *w)
{
    if (!http_form_ok(r)) {
        http_status(w, 422);
        http_append(w, "custom", 6);
        return;
    }
    http_append(w, "fine", 4);
}

/* A handler that ignores http_form_ok and writes its page anyway. */
static void h_form_careless(struct http_request *r, struct http_response *w)
{
    const char *a = http_form(r, "a");
    http_appendf(w, "a=%s", a ? a : "(none)");
}

static void h_json(struct http_request *r, struct http_response *w)
{
    json_error_t e;
    json_t *j = json_loadb((const char *)r->body, r->body_len, 0, &e);
    if (!j) {
        http_error_json(w, 400, "bad_json", "not JSON");
        return;
    }
    json_t *out = json_pack("{s:I}", "len", (json_int_t)r->body_len);
    json_decref(j);
    http_json(w, 201, out);
}

static void h_cookies(struct http_request *r, struct http_response *w)
{
    const char *sid = http_cookie(r, "sid"), *lang = http_cookie(r, "lang");
    http_set_cookie(w, "sid", "newvalue", 3600);
    http_set_cookie(w, "flash", "x", -1);
    http_appendf(w, "sid=%s lang=%s", sid ? sid : "(none)", lang ? lang : "(none)");
}

static void h_query(struct http_request *r, struct http_response *w)
{
    const char *q = http_query(r, "q"), *t = http_query(r, "token");
    http_appendf(w, "q=%s token=%s", q ? q : "(none)", t ? t : "(none)");
}

static void h_escape(struct http_request *r, struct http_response *w)
{
    (void)r;
    http_append_escaped(w, "<a href=\"x\">'&'</a>");
}

static void h_redirect(struct http_request *r, struct http_response *w)
{
    (void)r;
    http_append(w, "ignored", 7);
    http_redirect(w, "/done");
}

static void h_bad_header(struct http_request *r, struct http_response *w)
{
    (void)r;
    http_set_header(w, "X-Evil", "a\r\nSet-Cookie: pwned=1");
    http_append(w, "secret internals", 16);
}

static void h_info(struct http_request *r, struct http_response *w)
{
    const char *ua = http_header(r, "x-test");
    http_appendf(w, "ip=%s path=%s ct=%s hdr=%s method=%d", r->remote_ip, r->path,
                 http_content_type(r), ua ? ua : "(none)", (int)r->method);
}

static volatile int slow_started;

static void h_slow(struct http_request *r, struct http_response *w)
{
    (void)r;
    slow_started = 1;
    struct timespec ts = {0, 600 * 1000 * 1000};
    nanosleep(&ts, NULL);
    http_append(w, "slow done", 9);
}

static const struct http_route test_routes[] = {
    {HTTP_GET, "/hello", h_hello},
    {HTTP_GET, "/items/{}", h_item},
    {HTTP_GET, "/items/{}/sub/{}", h_item},
    {HTTP_DELETE, "/items/{}", h_item},
    {HTTP_POST, "/form", h_echo_form},
    {HTTP_PATCH, "/form", h_echo_form},
    {HTTP_POST, "/override", h_form_override},
    {HTTP_POST, "/careless", h_form_careless},
    {HTTP_POST, "/api/json", h_json},
    {HTTP_GET, "/cookies", h_cookies},
    {HTTP_GET, "/query", h_query},
    {HTTP_GET, "/escape", h_escape},
    {HTTP_GET, "/redirect", h_redirect},
    {HTTP_GET, "/bad-header", h_bad_header},
    {HTTP_GET, "/info", h_info},
    {HTTP_POST, "/info", h_info},
    {HTTP_GET, "/slow", h_slow},
};

/* ---- server fixture ------------------------------------------------------------ */

struct fixture {
    struct http_server *srv;
    int port;
    char dir[64];
    char log[128];
};

static bool fx_start_cfg(struct fixture *fx, struct http_server_config *cfg)
{
    char err[256];
    fx->srv = http_server_start(cfg, err, sizeof err);
    if (!fx->srv) {
        test_fail(__FILE__, __LINE__, "server start: %s", err);
        return false;
    }
    fx->port = http_server_port(fx->srv);
    return fx->port > 0;
}

static void write_file(const char *path, const char *data)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(data, f);
        fclose(f);
    }
}

/* Starts a server with small limits, a static dir and an access log. */
static bool fx_start(struct fixture *fx, bool secure)
{
    char path[160];
    memset(fx, 0, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/evisa-http-XXXXXX");
    if (!mkdtemp(fx->dir))
        return false;
    snprintf(path, sizeof path, "%s/static", fx->dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/static/site.css", fx->dir);
    write_file(path, "body{color:#000}\n");
    snprintf(path, sizeof path, "%s/static/.hidden.css", fx->dir);
    write_file(path, "hidden\n");
    snprintf(path, sizeof path, "%s/static/notes.txt", fx->dir);
    write_file(path, "no type\n");
    snprintf(path, sizeof path, "%s/static/sub", fx->dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/static/sub/in.css", fx->dir);
    write_file(path, "sub\n");
    snprintf(path, sizeof path, "%s/secret.css", fx->dir);
    write_file(path, "secret\n");
    snprintf(path, sizeof path, "%s/static/link.css", fx->dir);
    char target[160];
    snprintf(target, sizeof target, "%s/secret.css", fx->dir);
    if (symlink(target, path) != 0)
        return false;
    snprintf(fx->log, sizeof fx->log, "%s/access.log", fx->dir);
    snprintf(path, sizeof path, "%s/static", fx->dir);

    struct http_server_config cfg = {0};
    cfg.listen = "127.0.0.1:0";
    http_limits_default(&cfg.limits);
    cfg.limits.max_body = 4096;
    cfg.limits.max_json_body = 64;
    cfg.limits.max_field = 16;
    cfg.limits.max_fields = 4;
    cfg.limits.max_upload = 1024;
    cfg.limits.threads = 2;
    cfg.routes = test_routes;
    cfg.n_routes = sizeof test_routes / sizeof test_routes[0];
    cfg.static_dir = path;
    cfg.secure_cookies = secure;
    cfg.access_log = fx->log;
    return fx_start_cfg(fx, &cfg);
}

static void rm_rf_fixture(struct fixture *fx)
{
    const char *files[] = {"static/site.css",   "static/.hidden.css", "static/notes.txt",
                           "static/sub/in.css", "static/link.css",    "secret.css",
                           "access.log"};
    char path[200];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", fx->dir, files[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/static/sub", fx->dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/static", fx->dir);
    rmdir(path);
    rmdir(fx->dir);
}

static void fx_stop(struct fixture *fx)
{
    if (fx->srv)
        http_server_stop(fx->srv, 5);
    fx->srv = NULL;
    if (fx->dir[0])
        rm_rf_fixture(fx);
}

/* ---- a tiny blocking client ------------------------------------------------------ */

struct reply {
    int status;
    char *raw; /* whole response, NUL-terminated */
    size_t len;
    const char *body;
    size_t body_len;
};

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static bool send_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* Reads until the peer closes; fills rep.  Returns false on no response. */
static bool read_reply(int fd, struct reply *rep)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return false;
    for (;;) {
        if (n + 1 >= cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb)
                break;
            buf = nb;
            cap *= 2;
        }
        ssize_t got = recv(fd, buf + n, cap - n - 1, 0);
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    buf[n] = '\0';
    memset(rep, 0, sizeof *rep);
    rep->raw = buf;
    rep->len = n;
    if (n < 12 || strncmp(buf, "HTTP/1.", 7) != 0)
        return false;
    rep->status = atoi(buf + 9);
    const char *e = strstr(buf, "\r\n\r\n");
    rep->body = e ? e + 4 : buf + n;
    rep->body_len = (size_t)(buf + n - rep->body);
    return true;
}

/* Sends a raw request (which should carry Connection: close) and reads the
 * answer. */
static bool raw_request(int port, const char *req, size_t len, struct reply *rep)
{
    memset(rep, 0, sizeof *rep);
    int fd = connect_to(port);
    if (fd < 0)
        return false;
    bool ok = send_all(fd, req, len);
    ok = read_reply(fd, rep) && ok;
    close(fd);
    return rep->status != 0 || ok;
}

/* method path [extra headers] [body] with Content-Length. */
static bool request(int port, const char *method, const char *path, const char *headers,
                    const char *body, size_t body_len, struct reply *rep)
{
    size_t cap = 1024 + strlen(path) + (headers ? strlen(headers) : 0) + body_len;
    char *req = malloc(cap);
    if (!req)
        return false;
    int n = snprintf(req, cap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s",
                     method, path, headers ? headers : "");
    if (body)
        n += snprintf(req + n, cap - (size_t)n, "Content-Length: %zu\r\n", body_len);
    n += snprintf(req + n, cap - (size_t)n, "\r\n");
    if (body) {
        memcpy(req + n, body, body_len);
        n += (int)body_len;
    }
    bool ok = raw_request(port, req, (size_t)n, rep);
    free(req);
    return ok;
}

static bool get(int port, const char *path, struct reply *rep)
{
    return request(port, "GET", path, NULL, NULL, 0, rep);
}

/* Value of the first header name (case-insensitive) in the reply, copied. */
static const char *reply_header(const struct reply *rep, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    const char *p = strstr(rep->raw, "\r\n");
    while (p && p < rep->body) {
        p += 2;
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            size_t vl = strcspn(v, "\r");
            if (vl >= cap)
                vl = cap - 1;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return out;
        }
        p = strstr(p, "\r\n");
    }
    return NULL;
}

static int count_headers(const struct reply *rep, const char *name)
{
    int n = 0;
    size_t nl = strlen(name);
    for (const char *p = strstr(rep->raw, "\r\n"); p && p < rep->body; p = strstr(p, "\r\n")) {
        p += 2;
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':')
            n++;
    }
    return n;
}

static void reply_free(struct reply *rep)
{
    free(rep->raw);
    rep->raw = NULL;
}

#define BODY_IS(rep, s) ((rep).body_len == strlen(s) && memcmp((rep).body, (s), strlen(s)) == 0)

/* ---- routing ----------------------------------------------------------------------- */

TEST(http_server_routes_with_params)
{
    struct fixture fx;
    struct reply rep = {0};
    if (!fx_start(&fx, true))
        return;
    bool ok = get(fx.port, "/items/AZE-42", &rep);
    int st = rep.status;
    bool body = BODY_IS(rep, "item=AZE-42 sub=-");
    reply_free(&rep);
    bool ok2 = get(fx.port, "/items/x%20y/sub/7", &rep);
    int st2 = rep.status;
    bool body2 = BODY_IS(rep, "item=x y sub=7");
    reply_free(&rep);
    fx_stop(&fx);
    CHECK(ok && ok2);
    CHECK_INT(st, 200);
    CHECK(body);
    CHECK_INT(st2, 200);
    CHECK(body2);
}

TEST(http_server_unknown_path_is_404)
{
    struct fixture fx;
    struct reply a = {0}, b = {0}, c = {0};
    if (!fx_start(&fx, true))
        return;
    get(fx.port, "/nope", &a);
    get(fx.port, "/items/", &b); /* empty parameter */
    get(fx.port, "/items/a/b/c", &c);
    fx_stop(&fx);
    char ct[128];
    CHECK_INT(a.status, 404);
    CHECK(reply_header(&a, "Content-Type", ct, sizeof ct) && strstr(ct, "text/html"));
    CHECK(strstr(a.body, "Not Found") != NULL);
    CHECK_INT(b.status, 404);
    CHECK_INT(c.status, 404);
    reply_free(&a);
    reply_free(&b);
    reply_free(&c);
}

TEST(http_server_wrong_method_is_405_with_allow)
{
    struct fixture fx;
    struct reply a = {0};
    char allow[128] = "";
    if (!fx_start(&fx, true))
        return;
    request(fx.port, "PUT", "/items/1", NULL, "x", 1, &a);
    reply_header(&a, "Allow", allow, sizeof allow);
    fx_stop(&fx);
    CHECK_INT(a.status, 405);
    CHECK_STR(allow, "GET, HEAD, DELETE");
    reply_free(&a);
}

TEST(http_server_unknown_method_is_501)
{
    struct fixture fx;
    struct reply a = {0};
    if (!fx_start(&fx, true))
        return;
    get(fx.port, "/hello", &a);
    reply_free(&a);
    request(fx.port, "BREW", "/hello", NULL, NULL, 0, &a);
    fx_stop(&fx);
    CHECK_INT(a.status, 501);
    reply_free(&a);
}

TEST(http_server_head_has_headers_but_no_body)
{
    struct fixture fx;
    struct reply a = {0};
    char len[32] = "";
    if (!fx_start(&fx, true))
        return;
    request(fx.port, "HEAD", "/hello", NULL, NULL, 0, &a);
    reply_header(&a, "Content-Length", len, sizeof len);
    fx_stop(&fx);
    CHECK_INT(a.status, 200);
    CHECK_STR(len, "5");
    CHECK_INT(a.body_len, 0);
    reply_free(&a);
}

TEST(http_server_rejects_bad_paths)
{
    struct fixture fx;
    const char *bad[] = {
        "/items/../hello", "/items/%2e%2e/hello", "/a%00b", "/a%2Fb", "/a%zz", "/./hello",
        "/a%0ab"};
    int st[sizeof bad / sizeof bad[0]];
    struct reply a = {0};
    if (!fx_start(&fx, true))
        return;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        get(fx.port, bad[i], &a);
        st[i] = a.status;
        reply_free(&a);
    }
    char longp[1100];
    memset(longp, 'a', sizeof longp - 1);
    longp[0] = '/';
    longp[sizeof longp - 1] = '\0';
    get(fx.port, longp, &a);
    int st_long = a.status;
    reply_free(&a);
    fx_stop(&fx);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_CTX(st[i] == 400, bad[i]);
    CHECK_INT(st_long, 414);
}

/* ---- security headers, responses ---------------------------------------------------------- */

TEST(http_server_sets_security_headers)
{
    struct fixture fx;
    struct reply a = {0}, b = {0};
    if (!fx_start(&fx, true))
        return;
    get(fx.port, "/hello", &a);
    get(fx.port, "/missing", &b);
    fx_stop(&fx);
    struct reply *reps[] = {&a, &b};
    for (int i = 0; i < 2; i++) {
        char v[512];
        struct reply *r = reps[i];
        CHECK(reply_header(r, "Content-Security-Policy", v, sizeof v));
        CHECK_STR(v, "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                     "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        CHECK(reply_header(r, "X-Content-Type-Options", v, sizeof v));
        CHECK_STR(v, "nosniff");
        CHECK(reply_header(r, "Referrer-Policy", v, sizeof v));
        CHECK_STR(v, "no-referrer");
        CHECK(reply_header(r, "X-Frame-Options", v, sizeof v));
        CHECK_STR(v, "DENY");
        CHECK(reply_header(r, "Cache-Control", v, sizeof v));
        CHECK_STR(v, "no-store");
        CHECK(reply_header(r, "Content-Type", v, sizeof v));
        CHECK_STR(v, "text/html; charset=utf-8");
    }
    reply_free(&a);
    reply_free(&b);
}

TEST(http_server_adds_charset_to_text_types)
{
    struct fixture fx;
    struct reply a = {0};
    char ct[128] = "";
    if (!fx_start(&fx, true))
        return;
    get(fx.port, "/items/1", &a);
    reply_header(&a, "Content-Type", ct, sizeof ct);
    fx_stop(&fx);
    CHECK_STR(ct, "text/plain; charset=utf-8");
    reply_free(&a);
}

TEST(http_server_refuses_header_injection_without_details)
{
    struct fixture fx;
    struct reply a = {0};
    if (!fx_start(&fx, true))
        return;
    get(fx.port, "/bad-header", &a);
    fx_stop(&fx);
    CHECK_INT(a.status, 500);
    CHECK(strstr(a.raw, "pwned") == NULL);
    CHECK(strstr(a.raw, "secret internals") == NULL);
    reply_free(&a);
}

TEST(http_server_escapes_html)
{
    struct fixture fx;
    struct reply a = {0};
    if (!fx_start(&fx, true))
        return;
    get(fx.port, "/escape", &a);
    fx_stop(&fx);
    CHECK(BODY_IS(a, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"));
    reply_free(&a);
}

TEST(http_server_redirects_with_303)
{
    struct fixture fx;
    struct reply a = {0};
    char loc[64] = "";
    if (!fx_start(&fx, true))
        return;
    get(fx.port, "/redirect", &a);
    reply_header(&a, "Location", loc, sizeof loc);
    fx_stop(&fx);
    CHECK_INT(a.status, 303);
    CHECK_STR(loc, "/done");
    CHECK_INT(a.body_len, 0);
    reply_free(&a);
}

TEST(http_server_passes_request_details)
{
    struct fixture fx;
    struct reply a = {0};
    if (!fx_start(&fx, true))
        return;
    request(fx.port, "POST", "/info", "X-Test: yes\r\nContent-Type: Text/Plain; charset=utf-8\r\n",
            "abc", 3, &a);
    fx_stop(&fx);
    CHECK_INT(a.status, 200);
    CHECK(BODY_IS(a, "ip=127.0.0.1 path=/info ct=text/plain hdr=yes method=2"));
    reply_free(&a);
}

TEST(http_server_keeps_connections_alive)
{
    struct fixture fx;
    struct reply a = {0};
    if (!fx_start(&fx, true))
        return;
    int fd = connect_to(fx.port);
    const char *req = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /items/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    bool ok = fd >= 0 && send_all(fd, req, strlen(req)) && read_reply(fd, &a);
    if (fd >= 0)
        close(fd);
    fx_stop(&fx);
    CHECK(ok);
    CHECK(strstr(a.raw, "hello") != NULL);
    CHECK(strstr(a.raw, "item=2") != NULL);
    reply_free(&a);
}

/* ---- limits ------------------------------------------------------------------------------ */

TEST(http_server_rejects_large_content_length_with_413)
{
    struct fixture fx;
    struct reply a = {0}, b = {0};
    if (!fx_start(&fx, true))
        return;
    /* the body is never sent: the answer comes from the headers alone */
    const char *req = "POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: "
                      "application/x-www-form-urlencoded\r\nContent-Length: 5000\r\n\r\n";
    raw_request(fx.port, req, strlen(req), &a);
    const char *api = "POST /api/json HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n";
    raw_request(fx.port, api, strlen(api), &b);
    fx_stop(&fx);
    CHECK_INT(a.status, 413);
    CHECK(strstr(a.body, "<h1>413") != NULL);
    CHECK_INT(b.status, 413);
    CHECK(strstr(b.body, "\"code\":\"payload_too_large\"") != NULL);
    reply_free(&a);
    reply_free(&b);
}

TEST(http_server_rejects_large_chunked_body_with_413)
{
    struct fixture fx;
    struct reply a = {0};
    if (!fx_start(&fx, true))
        return;
    char req[8192];
    int n = snprintf(req, sizeof req,
                     "POST /info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 3; i++) { /* 3 × 2000 bytes > max_body 4096 */
        n += snprintf(req + n, sizeof req - (size_t)n, "7d0\r\n");
        memset(req + n, 'z', 2000);
        n += 2000;
        n += snprintf(req + n, sizeof req - (size_t)n, "\r\n");
    }
    n += snprintf(req + n, sizeof req - (size_t)n, "0\r\n\r\n");
    raw_request(fx.port, req, (size_t)n, &a);
    fx_stop(&fx);
    CHECK_INT(a.status, 413);
    reply_free(&a);
}

TEST(http_server_accepts_chunked_body_within_limit)
{
    struct fixture fx;
    struct reply a = {0};
    if (!fx_start(&fx, true))
        return;
    const char *req = "POST /form HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                      "Content-Type: application/x-www-form-urlencoded\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n4\r\na=12\r\n4\r\n&b=3\r\n0\r\n\r\n";
    raw_request(fx.port, req, strlen(req), &a);
    fx_stop(&fx);
    CHECK_INT(a.status, 200);
    CHECK(BODY_IS(a, "a=[12] b=[3]"));
    reply_free(&a);
}

TEST(http_server_rejects_large_json_body_with_413)
{
    struct fixture fx;
    struct reply a = {0}, b = {0};
    if (!fx_start(&fx, true))
        return;
    char big[200];
    snprintf(big, sizeof big, "{\"pad\":\"%0100d\"}", 0);
    request(fx.port, "POST", "/api/json", "Content-Type: application/json\r\n", big, strlen(big),
            &a);
    request(fx.port, "POST", "/api/json", "Content-Type: application/json\r\n", "{\"a\":1}", 7, &b);
    fx_stop(&fx);
    CHECK_INT(a.status, 413);
    char ct[64];
    CHECK(reply_header(&a, "Content-Type", ct, sizeof ct));
    CHECK_STR(ct, "application/json");
    CHECK(strstr(a.body, "payload_too_large") != NULL);
    CHECK_INT(b.status, 201);
    CHECK(BODY_IS(b, "{\"len\":7}"));
    reply_free(&a);
    reply_free(&b);
}

#define FORM_CT "Content-Type: application/x-www-form-urlencoded\r\n"

TEST(http_server_decodes_urlencoded_form)
{
    struct fixture fx;
    struct reply a = {0};
    if (!fx_start(&fx, true))
        return;
    const char *body = "a=x+y%21&b=%C3%BC";
    request(fx.port, "POST", "/form", FORM_CT, body, strlen(body), &a);
    fx_stop(&fx);
    CHECK_INT(a.status, 200);
    CHECK(BODY_IS(a, "a=[x y!] b=[\xc3\xbc]"));
    reply_free(&a);
}

TEST(http_server_rejects_bad_percent_in_form_with_400)
{
    struct fixture fx;
    struct reply a = {0};
    if (!fx_start(&fx, true))
        return;
    request(fx.port, "POST", "/form", FORM_CT, "a=%G1", 5, &a);
    fx_stop(&fx);
    CHECK_INT(a.status, 400);
    reply_free(&a);
}

TEST(http_server_rejects_long_field_with_413)
{
    struct fixture fx;
    struct reply a = {0};
    if (!fx_start(&fx, true))
        return;
    const char *body = "a=0123456789abcdefg"; /* 17 > max_field 16 */
    request(fx.port, "PATCH", "/form", FORM_CT "Accept: application/json\r\n", body, strlen(body),
            &a);
    fx_stop(&fx);
    CHECK_INT(a.status, 413);
    CHECK(strstr(a.body, "\"code\":\"field_too_large\"") != NULL);
    reply_free(&a);
}

TEST(http_server_rejects_too_many_fields_with_413)
{
    struct fixture fx;
    struct reply a = {0};
    if (!fx_start(&fx, true))
        return;
    const char *body = "a=1&b=2&c=3&d=4&e=5"; /* 5 > max_fields 4 */
    request(fx.port, "POST", "/form", FORM_CT "Accept: application/json\r\n", body, strlen(body),
            &a);
    fx_stop(&fx);
    CHECK_INT(a.status, 413);
    CHECK(strstr(a.body, "\"code\":\"too_many_fields\"") != NULL);
    reply_free(&a);
}

TEST(http_server_form_error_can_be_overridden)
{
    struct fixture fx;
    struct reply a = {0}, b = {0};
    if (!fx_start(&fx, true))
        return;
    request(fx.port, "POST", "/override", FORM_CT, "a=%", 3, &a);
    request(fx.port, "POST", "/careless", FORM_CT, "a=%", 3, &b);
    fx_stop(&fx);
    CHECK_INT(a.status, 422);
    CHECK(BODY_IS(a, "custom"));
    CHECK_INT(b.status, 400); /* the layer's answer stands */
    CHECK(strstr(b.body, "a=(none)") == NULL);
    reply_free(&a);
    reply_free(&b);
}

#define MB "xXb0undaryXx"
#define MP_CT "Content-Type: multipart/form-data; boundary=\"" MB "\"\r\n"

TEST(http_server_parses_multipart_fields_and_file)
{
    struct fixture fx;
    struct reply a = {0};
    if (!fx_start(&fx, true))
        return;
    const char body[] = "--" MB "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nAZE\r\n"
                        "--" MB "\r\nContent-Disposition: form-data; name=\"photo\"; "
                        "filename=\"my \\\"face\\\".png\"\r\nContent-Type: image/png\r\n\r\n"
                        "\x89PNG\r\n\x00\x01\r\n--" MB "--\r\n";
    request(fx.port, "POST", "/form", MP_CT, body, sizeof body - 1, &a);
    fx_stop(&fx);
    CHECK_INT(a.status, 200);
    CHECK(BODY_IS(a, "a=[AZE] b=[(none)] file=my \"face\".png type=image/png len=8"));
    reply_free(&a);
}

TEST(http_server_rejects_multipart_without_boundary)
{
    struct fixture fx;
    struct reply a = {0};
    if (!fx_start(&fx, true))
        return;
    const char *body =
        "--" MB "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--" MB "--\r\n";
    request(fx.port, "POST", "/form", "Content-Type: multipart/form-data\r\n", body, strlen(body),
            &a);
    fx_stop(&fx);
    CHECK_INT(a.status, 400);
    reply_free(&a);
}

TEST(http_server_rejects_truncated_multipart)
{
    struct fixture fx;
    struct reply a = {0};
    if (!fx_start(&fx, true))
        return;
    const char *body = "--" MB "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx";
    request(fx.port, "POST", "/form", MP_CT, body, strlen(body), &a);
    fx_stop(&fx);
    CHECK_INT(a.status, 400);
    reply_free(&a);
}

TEST(http_server_rejects_large_upload_with_413)
{
    struct fixture fx;
    struct reply a = {0};
    if (!fx_start(&fx, true))
        return;
    char body[2048];
    int n = snprintf(body, sizeof body,
                     "--" MB "\r\nContent-Disposition: form-data; name=\"photo\"; "
                     "filename=\"big.png\"\r\n\r\n");
    memset(body + n, 'p', 1100); /* > max_upload 1024, < max_body 4096 */
    n += 1100;
    n += snprintf(body + n, sizeof body - (size_t)n, "\r\n--" MB "--\r\n");
    request(fx.port, "POST", "/form", MP_CT "Accept: application/json\r\n", body, (size_t)n, &a);
    fx_stop(&fx);
    CHECK_INT(a.status, 413);
    CHECK(strstr(a.body, "\"code\":\"upload_too_large\"") != NULL);
    reply_free(&a);
}

/* ---- cookies, query ------------------------------------------------------------------------ */

TEST(http_server_reads_and_sets_cookies)
{
    struct fixture fx;
    struct reply a = {0};
    char sc[256] = "";
    if (!fx_start(&fx, true))
        return;
    request(fx.port, "GET", "/cookies", "Cookie: lang=az; sid=abc123\r\n", NULL, 0, &a);
    reply_header(&a, "Set-Cookie", sc, sizeof sc);
    int n = count_headers(&a, "Set-Cookie");
    bool flash = strstr(a.raw, "flash=x; Path=/; HttpOnly; SameSite=Lax; Secure\r\n") != NULL;
    fx_stop(&fx);
    CHECK(BODY_IS(a, "sid=abc123 lang=az"));
    CHECK_STR(sc, "sid=newvalue; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax; Secure");
    CHECK_INT(n, 2);
    CHECK(flash);
    reply_free(&a);
}

TEST(http_server_omits_secure_flag_for_plain_http_dev)
{
    struct fixture fx;
    struct reply a = {0};
    char sc[256] = "";
    if (!fx_start(&fx, false))
        return;
    get(fx.port, "/cookies", &a);
    reply_header(&a, "Set-Cookie", sc, sizeof sc);
    fx_stop(&fx);
    CHECK(BODY_IS(a, "sid=(none) lang=(none)"));
    CHECK_STR(sc, "sid=newvalue; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax");
    reply_free(&a);
}

TEST(http_server_reads_query_parameters)
{
    struct fixture fx;
    struct reply a = {0}, b = {0};
    if (!fx_start(&fx, true))
        return;
    get(fx.port, "/query?q=a+b%26c&token=t0k", &a);
    get(fx.port, "/query?q=%zz", &b);
    fx_stop(&fx);
    CHECK(BODY_IS(a, "q=a b&c token=t0k"));
    CHECK(BODY_IS(b, "q=(none) token=(none)"));
    reply_free(&a);
    reply_free(&b);
}

/* ---- static files ------------------------------------------------------------------------------
 */

TEST(http_server_serves_static_files)
{
    struct fixture fx;
    struct reply a = {0}, h = {0};
    char ct[64] = "", cc[64] = "", csp[256] = "";
    if (!fx_start(&fx, true))
        return;
    get(fx.port, "/static/site.css", &a);
    reply_header(&a, "Content-Type", ct, sizeof ct);
    reply_header(&a, "Cache-Control", cc, sizeof cc);
    reply_header(&a, "Content-Security-Policy", csp, sizeof csp);
    request(fx.port, "HEAD", "/static/site.css", NULL, NULL, 0, &h);
    fx_stop(&fx);
    CHECK_INT(a.status, 200);
    CHECK(BODY_IS(a, "body{color:#000}\n"));
    CHECK_STR(ct, "text/css; charset=utf-8");
    CHECK_STR(cc, "public, max-age=3600");
    CHECK(csp[0] != '\0');
    CHECK_INT(h.status, 200);
    CHECK_INT(h.body_len, 0);
    reply_free(&a);
    reply_free(&h);
}

TEST(http_server_refuses_static_traversal)
{
    struct fixture fx;
    const char *bad[] = {"/static/../secret.css",
                         "/static/%2e%2e/secret.css",
                         "/static/sub/in.css",
                         "/static/.hidden.css",
                         "/static/notes.txt",
                         "/static/link.css",
                         "/static/",
                         "/static/sub",
                         "/static/missing.css",
                         "/static/%2e%2e%2fsecret.css"};
    int st[sizeof bad / sizeof bad[0]];
    bool leaked = false;
    struct reply a = {0};
    if (!fx_start(&fx, true))
        return;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        get(fx.port, bad[i], &a);
        st[i] = a.status;
        leaked = leaked || (a.raw && (strstr(a.raw, "secret\n") || strstr(a.raw, "hidden\n")));
        reply_free(&a);
    }
    request(fx.port, "POST", "/static/site.css", NULL, "x", 1, &a);
    int post = a.status;
    reply_free(&a);
    fx_stop(&fx);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_CTX(st[i] == 404 || st[i] == 400, bad[i]);
    CHECK(!leaked);
    CHECK_INT(post, 405);
}

/* ---- access log, stop
 * ------------------------------------------------------------------------------ */

TEST(http_server_logs_requests_without_query)
{
    struct fixture fx;
    struct reply a = {0};
    if (!fx_start(&fx, true))
        return;
    get(fx.port, "/query?token=SECRET123&q=1", &a);
    reply_free(&a);
    get(fx.port, "/nope", &a);
    reply_free(&a);
    http_server_stop(fx.srv, 5); /* flushes: every request has completed */
    fx.srv = NULL;
    size_t len = 0;
    char *log = test_read_file(fx.log, &len);
    fx_stop(&fx);
    CHECK(log != NULL);
    bool no_secret = strstr(log, "SECRET123") == NULL;
    json_error_t e;
    char *nl = strchr(log, '\n');
    json_t *line = nl ? json_loadb(log, (size_t)(nl - log), 0, &e) : NULL;
    json_t *line2 = nl ? json_loads(nl + 1, JSON_DISABLE_EOF_CHECK, &e) : NULL;
    free(log);
    CHECK(no_secret);
    CHECK(line != NULL);
    CHECK(line2 != NULL);
    CHECK_STR(json_string_value(json_object_get(line, "path")), "/query");
    CHECK_STR(json_string_value(json_object_get(line, "method")), "GET");
    CHECK_STR(json_string_value(json_object_get(line, "ip")), "127.0.0.1");
    CHECK_INT(json_integer_value(json_object_get(line, "status")), 200);
    CHECK_INT(json_integer_value(json_object_get(line, "bytes")), strlen("q=1 token=SECRET123"));
    CHECK(json_is_number(json_object_get(line, "duration_ms")));
    const char *t = json_string_value(json_object_get(line, "time"));
    CHECK(t && strlen(t) == 24 && t[10] == 'T' && t[23] == 'Z');
    CHECK_INT(json_integer_value(json_object_get(line2, "status")), 404);
    json_decref(line);
    json_decref(line2);
}

struct slow_client {
    int port;
    struct reply rep;
};

static void *slow_client_run(void *arg)
{
    struct slow_client *c = arg;
    get(c->port, "/slow", &c->rep);
    return NULL;
}

TEST(http_server_stop_waits_for_inflight_request)
{
    struct fixture fx;
    struct slow_client c = {0};
    pthread_t th;
    if (!fx_start(&fx, true))
        return;
    c.port = fx.port;
    slow_started = 0;
    if (pthread_create(&th, NULL, slow_client_run, &c) != 0) {
        fx_stop(&fx);
        CHECK(false);
    }
    for (int i = 0; i < 500 && !slow_started; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    http_server_stop(fx.srv, 5); /* while /slow sleeps in its handler */
    fx.srv = NULL;
    int after = connect_to(fx.port); /* no longer listening */
    pthread_join(th, NULL);
    fx_stop(&fx);
    if (after >= 0)
        close(after);
    CHECK(slow_started);
    CHECK_INT(c.rep.status, 200);
    CHECK(BODY_IS(c.rep, "slow done"));
    CHECK(after < 0);
    reply_free(&c.rep);
}

/* ---- start ------------------------------------------------------------------------------------
 */

TEST(http_server_start_rejects_bad_config)
{
    char err[256];
    struct http_server_config cfg = {0};
    const char *bad[] = {"localhost:80", "127.0.0.1",  "127.0.0.1:99999", "[::1]8080",
                         "::1:80",       "127.0.0.1:", "1.2.3.4.5:80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cfg.listen = bad[i];
        struct http_server *s = http_server_start(&cfg, err, sizeof err);
        CHECK_CTX(s == NULL && strstr(err, "listen") != NULL, bad[i]);
        http_server_stop(s, 0);
    }
    static const struct http_route too_many[] = {{HTTP_GET, "/{}/{}/{}/{}/{}", h_hello}};
    cfg.listen = "127.0.0.1:0";
    cfg.routes = too_many;
    cfg.n_routes = 1;
    CHECK(http_server_start(&cfg, err, sizeof err) == NULL);
    static const struct http_route relative[] = {{HTTP_GET, "hello", h_hello}};
    cfg.routes = relative;
    CHECK(http_server_start(&cfg, err, sizeof err) == NULL);
    cfg.n_routes = 0;
    cfg.static_dir = "/nonexistent/evisa/static";
    CHECK(http_server_start(&cfg, err, sizeof err) == NULL);
    cfg.static_dir = NULL;
    cfg.access_log = "/nonexistent/evisa/access.log";
    CHECK(http_server_start(&cfg, err, sizeof err) == NULL);
}

TEST(http_server_listens_on_ipv6_loopback)
{
    char err[256];
    struct http_server_config cfg = {0};
    cfg.listen = "[::1]:0";
    cfg.routes = test_routes;
    cfg.n_routes = 1;
    struct http_server *s = http_server_start(&cfg, err, sizeof err);
    if (!s)
        return; /* no IPv6 on this host: nothing to test */
    int port = http_server_port(s);
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 sa = {0};
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons((uint16_t)port);
    sa.sin6_addr = in6addr_loopback;
    struct reply rep = {0};
    bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    const char *req = "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    ok = ok && send_all(fd, req, strlen(req)) && read_reply(fd, &rep);
    if (fd >= 0)
        close(fd);
    http_server_stop(s, 1);
    CHECK(port > 0);
    CHECK(ok);
    CHECK_INT(rep.status, 200);
    CHECK(BODY_IS(rep, "hello"));
    reply_free(&rep);
}

TEST(http_server_rejects_oversized_headers)
{
    struct fixture fx;
    struct reply a = {0}, b = {0};
    if (!fx_start(&fx, true))
        return;
    size_t big = 20000;
    char *hdr = malloc(big + 32);
    CHECK(hdr != NULL);
    memcpy(hdr, "X-Pad: ", 7);
    memset(hdr + 7, 'p', big);
    memcpy(hdr + 7 + big, "\r\n", 3);
    request(fx.port, "GET", "/hello", hdr, NULL, 0, &a);
    hdr[7 + 4000] = '\0';
    strcat(hdr, "\r\n");
    request(fx.port, "GET", "/hello", hdr, NULL, 0, &b);
    free(hdr);
    fx_stop(&fx);
    CHECK(a.status == 431 || a.status == 413 || a.status == 400);
    CHECK_INT(b.status, 200);
    reply_free(&a);
    reply_free(&b);
}

TEST(http_limits_default_match_design)
{
    struct http_limits l;
    http_limits_default(&l);
    CHECK_INT(l.max_body, 12u << 20);
    CHECK_INT(l.max_json_body, 64u << 10);
    CHECK_INT(l.max_field, 2048);
    CHECK_INT(l.max_fields, 64);
    CHECK_INT(l.max_upload, 5u << 20);
    CHECK_INT(l.max_header, 8192);
    CHECK_INT(l.conn_timeout_s, 30);
    CHECK(l.threads >= 2);
}

TEST(http_server_closes_connection_streaming_far_past_limit)
{
    struct fixture fx;
    struct reply a = {0}, b = {0};
    if (!fx_start(&fx, true))
        return;
    int fd = connect_to(fx.port);
    const char *head = "POST /info HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    bool sent_all = fd >= 0 && send_all(fd, head, strlen(head));
    static char chunk[8192 + 16];
    int n = snprintf(chunk, sizeof chunk, "2000\r\n");
    memset(chunk + n, 'z', 8192);
    memcpy(chunk + n + 8192, "\r\n", 2);
    /* 2 MiB, far past max_body + the discard allowance */
    for (int i = 0; sent_all && i < 256; i++)
        sent_all = send_all(fd, chunk, (size_t)n + 8192 + 2);
    if (fd >= 0) {
        read_reply(fd, &a);
        close(fd);
    }
    get(fx.port, "/hello", &b); /* the server is fine */
    fx_stop(&fx);
    CHECK(a.status != 200);
    CHECK_INT(b.status, 200);
    reply_free(&a);
    reply_free(&b);
}

TEST(http_server_refuses_bodies_over_memory_budget_with_503)
{
    struct fixture fx;
    struct reply a = {0};
    int fds[8];
    if (!fx_start(&fx, true))
        return;
    /* budget = 8 × max_body (4096); each announces 4000 bytes, sends none */
    const char *head = "POST /info HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n\r\n";
    for (int i = 0; i < 8; i++) {
        fds[i] = connect_to(fx.port);
        if (fds[i] >= 0)
            send_all(fds[i], head, strlen(head));
    }
    struct timespec ts = {0, 300 * 1000 * 1000};
    nanosleep(&ts, NULL);
    static char body[1000];
    memset(body, 'b', sizeof body);
    request(fx.port, "POST", "/info", NULL, body, sizeof body, &a); /* 8 × 4001 + 1001 > 32 KiB */
    for (int i = 0; i < 8; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    fx_stop(&fx);
    int st = a.status;
    reply_free(&a);
    CHECK_INT(st, 503);
}
