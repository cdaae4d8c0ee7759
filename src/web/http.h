/*
 * http.h — the HTTP layer over libmicrohttpd: a server with explicit limits,
 * a route table, requests whose bodies are fully read (within limits) before
 * a handler runs, responses built in memory, bounded parsers for query
 * strings, urlencoded forms, multipart uploads and cookies, security headers
 * on every response, a structured access log, and graceful shutdown.
 * Handlers run on the server's worker threads and must do bounded work.
 */
#ifndef EVISA_HTTP_H
#define EVISA_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Limits (DESIGN.md "Limits"); every one is enforced with a clear error. */
struct http_limits {
    size_t max_body;             /* 12 MiB: 413 payload_too_large */
    size_t max_json_body;        /* 64 KiB for application/json: 413 */
    size_t max_field;            /* 2 KiB per form field value: 413 field_too_large */
    size_t max_fields;           /* 64 form fields / multipart parts: 413 */
    size_t max_upload;           /* 5 MiB per uploaded file: 413 upload_too_large */
    size_t max_header;           /* 8 KiB of request headers (MHD memory limit) */
    unsigned conn_timeout_s;     /* 30 */
    unsigned max_connections;    /* total, e.g. 2048 */
    unsigned per_ip_connections; /* e.g. 64 */
    unsigned threads;            /* worker threads (MHD thread pool) */
};
void http_limits_default(struct http_limits *l);

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PUT, HTTP_PATCH, HTTP_DELETE, HTTP_M__MAX };

/* A name=value pair; values are NUL-terminated and URL-decoded. */
struct http_pair {
    char *name;
    char *value;
    size_t value_len;
};

/* One part of a multipart/form-data body. */
struct http_part {
    char *name;          /* form field name */
    char *filename;      /* NULL for a plain field */
    char *content_type;  /* the part's Content-Type, or NULL */
    const uint8_t *data; /* points into the request body */
    size_t len;
};

#define HTTP_MAX_PARAMS 4

struct http_request {
    enum http_method method;
    const char *path;      /* without the query string */
    const char *remote_ip; /* text form */
    const uint8_t *body;   /* the whole body (NUL-terminated for convenience) */
    size_t body_len;
    const char *params[HTTP_MAX_PARAMS]; /* path parameters from the route, in order */
    void *app;                           /* the application context given to http_server_start */
    struct http_conn_priv *priv;         /* the layer's own state */
};

/* Header (case-insensitive name), query parameter, cookie: NULL if absent. */
const char *http_header(const struct http_request *r, const char *name);
const char *http_query(const struct http_request *r, const char *name);
const char *http_cookie(const struct http_request *r, const char *name);

/* The parsed body.  For application/x-www-form-urlencoded and
 * multipart/form-data: plain fields via http_form, files via http_file.
 * Parsed once, on first call.  NULL if absent. */
const char *http_form(const struct http_request *r, const char *name);
const struct http_part *http_file(const struct http_request *r, const char *name);
/* Whether the body could be parsed within the limits (when false, the
 * layer has already answered 400/413 unless the handler overrides). */
bool http_form_ok(const struct http_request *r);
/* The body's media type without parameters, lower case ("" if none). */
const char *http_content_type(const struct http_request *r);

struct http_response;

/* Building the response.  The default is 200 text/html; charset=utf-8 with
 * an empty body.  Strings are copied. */
void http_status(struct http_response *w, int status);
void http_set_header(struct http_response *w, const char *name, const char *value);
void http_append(struct http_response *w, const void *data, size_t len);
void http_appendf(struct http_response *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Set-Cookie with HttpOnly; Secure (unless the server runs plain HTTP on
 * loopback for development); SameSite=Lax; Path=/.  max_age < 0: session. */
void http_set_cookie(struct http_response *w, const char *name, const char *value, int max_age);
/* 303 See Other to location. */
void http_redirect(struct http_response *w, const char *location);
/* application/json body: {"code": code, "message": message} with status. */
void http_error_json(struct http_response *w, int status, const char *code, const char *message);
/* Takes ownership of the jansson value (json_t *) and writes it. */
void http_json(struct http_response *w, int status, void *json);

typedef void (*http_handler)(struct http_request *r, struct http_response *w);

/* Routes are matched in order.  A pattern segment "{}" matches one path
 * segment (1..128 characters, no '/') and is stored in params[].  A path
 * that matches no pattern gets 404; a path that matches only with another
 * method gets 405. */
struct http_route {
    enum http_method method;
    const char *pattern; /* e.g. "/api/v1/applications/{}/photo" */
    http_handler handler;
};

struct http_server;

struct http_server_config {
    const char *listen; /* "127.0.0.1:8080" or "[::1]:8080" */
    struct http_limits limits;
    const struct http_route *routes;
    size_t n_routes;
    void *app;                           /* passed to handlers as r->app */
    const char *static_dir;              /* served at /static/ (GET only, no listing), or NULL */
    bool secure_cookies;                 /* false only for plain-HTTP development */
    const char *access_log;              /* file path, "-" for stdout, NULL for none */
    FILE *access_log_file;               /* an already open log (e.g. opened before a sandbox);
                                            takes precedence over access_log; not closed */
    unsigned requests_per_minute_per_ip; /* 0 = unlimited; over it: 429 rate_limited */
};

/* Starts listening; returns NULL (with a message in err) on failure. */
struct http_server *http_server_start(const struct http_server_config *cfg, char *err,
                                      size_t err_cap);
/* The port actually bound (useful with port 0). */
int http_server_port(const struct http_server *s);
/* Stops accepting, lets in-flight requests finish (up to wait_s seconds),
 * then frees everything. */
void http_server_stop(struct http_server *s, int wait_s);

/* Parsers (exposed for tests and fuzzing).  Each returns the number of
 * pairs/parts or -1 when malformed or over a limit; pairs point into a
 * caller-given arena of cap bytes. */
int http_parse_urlencoded(const char *s, size_t len, struct http_pair *pairs, size_t max_pairs,
                          char *arena, size_t cap, size_t max_value);
int http_parse_multipart(const uint8_t *body, size_t len, const char *boundary,
                         struct http_part *parts, size_t max_parts, char *arena, size_t cap,
                         size_t max_field, size_t max_file);
int http_parse_cookies(const char *header, struct http_pair *pairs, size_t max_pairs, char *arena,
                       size_t cap);

/* HTML escaping of text into the response (& < > " ' escaped). */
void http_append_escaped(struct http_response *w, const char *s);

#endif
