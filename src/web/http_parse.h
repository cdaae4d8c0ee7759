/*
 * http_parse.h — the HTTP layer's private parsing helpers (src/web/http_*.c
 * only): the body, query and cookie parsers with a detailed failure kind
 * (so the server can answer 400 or the right 413), percent-decoding of
 * request paths, and Content-Type media type / parameter extraction.  The
 * public wrappers in http.h return -1 for every failure kind.
 */
#ifndef EVISA_HTTP_PARSE_H
#define EVISA_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "web/http.h"

/* Why a parse failed (returned negated). */
enum http_perr {
    HTTP_PE_OK = 0,
    HTTP_PE_MALFORMED,        /* syntax error, bad %XX, NUL, truncated */
    HTTP_PE_TOO_MANY,         /* more pairs/parts than allowed */
    HTTP_PE_FIELD_TOO_LARGE,  /* a plain value (or a name) over its limit */
    HTTP_PE_UPLOAD_TOO_LARGE, /* a file part over its limit */
    HTTP_PE_NO_SPACE,         /* the arena is too small */
    HTTP_PE__MAX
};

/* Longest field name (urlencoded, multipart, cookie) and filename. */
#define HTTP_NAME_MAX 256
/* Bound on one multipart part's header block, in bytes. */
#define HTTP_PART_HEADERS_MAX 2048
/* Longest multipart boundary (RFC 2046). */
#define HTTP_BOUNDARY_MAX 70

/* Arena bytes sufficient for http_parse_urlencoded of len bytes into at most
 * max_pairs pairs, and for http_parse_multipart with max_parts parts. */
size_t http_urlencoded_arena(size_t len, size_t max_pairs);
size_t http_multipart_arena(size_t len, size_t max_parts);

/* As the public parsers, but returning the count or -enum http_perr. */
int http_urlencoded_parse(const char *s, size_t len, struct http_pair *pairs, size_t max_pairs,
                          char *arena, size_t cap, size_t max_value);
int http_multipart_parse(const uint8_t *body, size_t len, const char *boundary,
                         struct http_part *parts, size_t max_parts, char *arena, size_t cap,
                         size_t max_field, size_t max_file);
int http_cookies_parse(const char *header, struct http_pair *pairs, size_t max_pairs, char *arena,
                       size_t cap);

/* Percent-decodes s[0..len) into out (cap bytes, NUL-terminated); '+' is
 * decoded to a space iff plus.  Returns the decoded length, or -1 on a bad
 * escape, a decoded NUL, a decoded '/' when !allow_slash, or no space. */
long http_pct_decode(const char *s, size_t len, bool plus, bool allow_slash, char *out, size_t cap);

/* The media type of a Content-Type value, lower case, without parameters
 * ("" for NULL).  Returns 0, or -1 if it does not fit cap. */
int http_media_type(const char *content_type, char *out, size_t cap);

/* The value of parameter name (case-insensitive) of a Content-Type value,
 * unquoted, into out.  Returns its length, or -1 if absent, malformed or
 * too long. */
int http_ct_param(const char *content_type, const char *name, char *out, size_t cap);

#endif
