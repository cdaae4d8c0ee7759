/*
 * test_http_parse.c — unit tests of the HTTP layer's parsers: urlencoded
 * forms and query strings, multipart/form-data bodies, Cookie headers,
 * Content-Type parameters and path percent-decoding, each limit crossed.
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>

#include "web/http.h"
#include "web/http_parse.h"

#define ARENA 4096

/* ---- urlencoded ---------------------------------------------------------- */

TEST(urlencoded_decodes_plus_and_percent)
{
    struct http_pair p[8];
    char arena[ARENA];
    const char *s = "name=Jane+O%27Neil&city=Bak%C4%B1&empty=&flag";
    int n = http_parse_urlencoded(s, strlen(s), p, 8, arena, sizeof arena, 100);
    CHECK_INT(n, 4);
    CHECK_STR(p[0].name, "name");
    CHECK_STR(p[0].value, "Jane O'Neil");
    CHECK_INT(p[0].value_len, 11);
    CHECK_STR(p[1].value, "Bak\xc4\xb1");
    CHECK_STR(p[2].name, "empty");
    CHECK_STR(p[2].value, "");
    CHECK_STR(p[3].name, "flag");
    CHECK_STR(p[3].value, "");
}

TEST(urlencoded_skips_empty_segments)
{
    struct http_pair p[8];
    char arena[ARENA];
    const char *s = "&&a=1&&b=2&";
    int n = http_parse_urlencoded(s, strlen(s), p, 8, arena, sizeof arena, 100);
    CHECK_INT(n, 2);
    CHECK_STR(p[1].name, "b");
    CHECK_STR(p[1].value, "2");
}

TEST(urlencoded_decodes_encoded_name_and_equals_in_value)
{
    struct http_pair p[2];
    char arena[ARENA];
    const char *s = "a%20b=x=y%3D";
    int n = http_parse_urlencoded(s, strlen(s), p, 2, arena, sizeof arena, 100);
    CHECK_INT(n, 1);
    CHECK_STR(p[0].name, "a b");
    CHECK_STR(p[0].value, "x=y=");
}

TEST(urlencoded_rejects_bad_percent)
{
    struct http_pair p[4];
    char arena[ARENA];
    const char *bad[] = {"a=%", "a=%4", "a=%zz", "a=%4g", "a%=1", "a=%00", "=v"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_INT(http_parse_urlencoded(bad[i], strlen(bad[i]), p, 4, arena, sizeof arena, 100),
                  -1);
        CHECK_INT(http_urlencoded_parse(bad[i], strlen(bad[i]), p, 4, arena, sizeof arena, 100),
                  -HTTP_PE_MALFORMED);
    }
}

TEST(urlencoded_rejects_raw_nul)
{
    struct http_pair p[4];
    char arena[ARENA];
    const char s[] = "a=b\0c";
    CHECK_INT(http_urlencoded_parse(s, sizeof s - 1, p, 4, arena, sizeof arena, 100),
              -HTTP_PE_MALFORMED);
}

TEST(urlencoded_rejects_too_many_pairs)
{
    struct http_pair p[3];
    char arena[ARENA];
    const char *s = "a=1&b=2&c=3&d=4";
    CHECK_INT(http_urlencoded_parse(s, strlen(s), p, 3, arena, sizeof arena, 100),
              -HTTP_PE_TOO_MANY);
    CHECK_INT(http_urlencoded_parse(s, strlen(s), p, 3, arena, sizeof arena, 100) < 0, 1);
    CHECK_INT(http_urlencoded_parse("a=1&b=2&c=3", 11, p, 3, arena, sizeof arena, 100), 3);
}

TEST(urlencoded_rejects_long_value)
{
    struct http_pair p[2];
    char arena[ARENA];
    /* the limit applies to the decoded value: %41 counts as one byte */
    CHECK_INT(http_urlencoded_parse("v=%41%41%41%41", 14, p, 2, arena, sizeof arena, 4), 1);
    CHECK_INT(http_urlencoded_parse("v=AAAAA", 7, p, 2, arena, sizeof arena, 4),
              -HTTP_PE_FIELD_TOO_LARGE);
}

TEST(urlencoded_rejects_long_name)
{
    struct http_pair p[2];
    char s[HTTP_NAME_MAX + 8];
    char arena[ARENA];
    memset(s, 'n', HTTP_NAME_MAX + 1);
    memcpy(s + HTTP_NAME_MAX + 1, "=1", 3);
    CHECK_INT(http_urlencoded_parse(s, strlen(s), p, 2, arena, sizeof arena, 10),
              -HTTP_PE_FIELD_TOO_LARGE);
}

TEST(urlencoded_reports_small_arena)
{
    struct http_pair p[2];
    char arena[4];
    CHECK_INT(http_urlencoded_parse("abc=def", 7, p, 2, arena, sizeof arena, 10),
              -HTTP_PE_NO_SPACE);
    char big[64];
    CHECK(http_urlencoded_arena(7, 2) <= sizeof big);
    CHECK_INT(http_urlencoded_parse("abc=def", 7, p, 2, big, http_urlencoded_arena(7, 2), 10), 1);
}

TEST(urlencoded_empty_input_has_no_pairs)
{
    struct http_pair p[1];
    char arena[8];
    CHECK_INT(http_parse_urlencoded("", 0, p, 1, arena, sizeof arena, 10), 0);
    CHECK_INT(http_parse_urlencoded(NULL, 0, p, 1, arena, sizeof arena, 10), 0);
}

/* ---- multipart ---------------------------------------------------------------- */

#define B "----evisaB0undary"

static int mp(const char *body, struct http_part *parts, size_t max, char *arena, size_t cap)
{
    return http_multipart_parse((const uint8_t *)body, strlen(body), B, parts, max, arena, cap, 16,
                                64);
}

TEST(multipart_parses_fields_and_a_file)
{
    struct http_part parts[4];
    char arena[ARENA];
    const char *body =
        "--" B "\r\n"
        "Content-Disposition: form-data; name=\"surname\"\r\n\r\n"
        "ALIYEV\r\n"
        "--" B "\r\n"
        "content-disposition: form-data; name=photo; filename=\"me \\\"1\\\".jpg\"\r\n"
        "Content-Type: image/jpeg\r\n\r\n"
        "\xff\xd8\r\nbinary\r\n"
        "--" B "--\r\nepilogue";
    int n = mp(body, parts, 4, arena, sizeof arena);
    CHECK_INT(n, 2);
    CHECK_STR(parts[0].name, "surname");
    CHECK(parts[0].filename == NULL);
    CHECK(parts[0].content_type == NULL);
    CHECK_INT(parts[0].len, 6);
    CHECK(memcmp(parts[0].data, "ALIYEV", 6) == 0);
    CHECK_STR(parts[1].name, "photo");
    CHECK_STR(parts[1].filename, "me \"1\".jpg");
    CHECK_STR(parts[1].content_type, "image/jpeg");
    CHECK_INT(parts[1].len, 10);
    CHECK(memcmp(parts[1].data, "\xff\xd8\r\nbinary", 10) == 0);
}

TEST(multipart_ignores_preamble_and_keeps_empty_values)
{
    struct http_part parts[4];
    char arena[ARENA];
    const char *body = "preamble\r\n--" B "  \r\n"
                       "Content-Disposition: form-data; name=\"a\"\r\n\r\n"
                       "\r\n--" B "--";
    CHECK_INT(mp(body, parts, 4, arena, sizeof arena), 1);
    CHECK_INT(parts[0].len, 0);
}

TEST(multipart_strips_path_from_filename)
{
    struct http_part parts[2];
    char arena[ARENA];
    const char *body =
        "--" B "\r\n"
        "Content-Disposition: form-data; name=\"f\"; filename=\"C:\\\\x\\\\p.png\"\r\n"
        "\r\nPNG\r\n--" B "--\r\n";
    CHECK_INT(mp(body, parts, 2, arena, sizeof arena), 1);
    CHECK_STR(parts[0].filename, "p.png");
}

TEST(multipart_empty_form_has_no_parts)
{
    struct http_part parts[1];
    char arena[ARENA];
    CHECK_INT(mp("--" B "--\r\n", parts, 1, arena, sizeof arena), 0);
}

TEST(multipart_rejects_truncated_body)
{
    struct http_part parts[4];
    char arena[ARENA];
    const char *cut[] = {
        "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue",
        "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n",
        "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--" B,
        "--" B,
        "",
        "no delimiter at all",
    };
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++)
        CHECK_INT(mp(cut[i], parts, 4, arena, sizeof arena), -HTTP_PE_MALFORMED);
    CHECK_INT(http_parse_multipart((const uint8_t *)cut[0], strlen(cut[0]), B, parts, 4, arena,
                                   sizeof arena, 16, 64),
              -1);
}

TEST(multipart_rejects_bad_part_headers)
{
    struct http_part parts[4];
    char arena[ARENA];
    const char *bad[] = {
        /* no Content-Disposition */
        "--" B "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" B "--",
        /* not form-data */
        "--" B "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--" B "--",
        /* no name */
        "--" B "\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nx\r\n--" B "--",
        /* unterminated quoted string */
        "--" B "\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--" B "--",
        /* folded header */
        "--" B "\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\nx\r\n--" B "--",
        /* header line without colon */
        "--" B "\r\nContent-Disposition form-data\r\n\r\nx\r\n--" B "--",
        /* no headers at all */
        "--" B "\r\n\r\nx\r\n--" B "--",
        /* garbage after the delimiter */
        "--" B "xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--" B "--",
        /* two Content-Disposition headers */
        "--" B "\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; "
        "name=b\r\n\r\nx\r\n--" B "--",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char id[16];
        snprintf(id, sizeof id, "case %zu", i);
        CHECK_CTX(mp(bad[i], parts, 4, arena, sizeof arena) == -HTTP_PE_MALFORMED, id);
    }
}

TEST(multipart_rejects_part_headers_over_bound)
{
    struct http_part parts[2];
    char arena[ARENA];
    size_t cap = HTTP_PART_HEADERS_MAX + 256;
    char *body = malloc(cap);
    CHECK(body != NULL);
    int n = snprintf(body, cap, "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Pad: ");
    for (; n < HTTP_PART_HEADERS_MAX + 100; n++)
        body[n] = 'p';
    snprintf(body + n, cap - (size_t)n, "\r\n\r\nx\r\n--" B "--");
    int rc = mp(body, parts, 2, arena, sizeof arena);
    free(body);
    CHECK_INT(rc, -HTTP_PE_MALFORMED);
}

TEST(multipart_rejects_field_over_limit)
{
    struct http_part parts[2];
    char arena[ARENA];
    const char *body = "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n"
                       "0123456789abcdefX\r\n--" B "--";
    CHECK_INT(mp(body, parts, 2, arena, sizeof arena), -HTTP_PE_FIELD_TOO_LARGE);
}

TEST(multipart_rejects_upload_over_limit)
{
    struct http_part parts[2];
    char arena[ARENA];
    char body[512];
    char data[66];
    memset(data, 'x', 65);
    data[65] = '\0';
    snprintf(body, sizeof body,
             "--" B "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.png\"\r\n\r\n"
             "%s\r\n--" B "--",
             data);
    CHECK_INT(mp(body, parts, 2, arena, sizeof arena), -HTTP_PE_UPLOAD_TOO_LARGE);
    data[64] = '\0'; /* exactly the limit */
    snprintf(body, sizeof body,
             "--" B "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.png\"\r\n\r\n"
             "%s\r\n--" B "--",
             data);
    CHECK_INT(mp(body, parts, 2, arena, sizeof arena), 1);
}

TEST(multipart_rejects_too_many_parts)
{
    struct http_part parts[3];
    char arena[ARENA];
    const char *body = "--" B "\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n"
                       "--" B "\r\nContent-Disposition: form-data; name=b\r\n\r\n2\r\n"
                       "--" B "\r\nContent-Disposition: form-data; name=c\r\n\r\n3\r\n"
                       "--" B "--";
    CHECK_INT(mp(body, parts, 2, arena, sizeof arena), -HTTP_PE_TOO_MANY);
    CHECK_INT(mp(body, parts, 3, arena, sizeof arena), 3);
}

TEST(multipart_rejects_bad_boundary)
{
    struct http_part parts[2];
    char arena[ARENA];
    char longb[HTTP_BOUNDARY_MAX + 2];
    memset(longb, 'b', sizeof longb - 1);
    longb[sizeof longb - 1] = '\0';
    const uint8_t *body = (const uint8_t *)"--x--";
    CHECK_INT(http_multipart_parse(body, 5, "", parts, 2, arena, sizeof arena, 16, 16),
              -HTTP_PE_MALFORMED);
    CHECK_INT(http_multipart_parse(body, 5, NULL, parts, 2, arena, sizeof arena, 16, 16),
              -HTTP_PE_MALFORMED);
    CHECK_INT(http_multipart_parse(body, 5, longb, parts, 2, arena, sizeof arena, 16, 16),
              -HTTP_PE_MALFORMED);
    CHECK_INT(http_multipart_parse(body, 5, "a\nb", parts, 2, arena, sizeof arena, 16, 16),
              -HTTP_PE_MALFORMED);
}

TEST(multipart_reports_small_arena)
{
    struct http_part parts[2];
    char arena[3];
    const char *body =
        "--" B "\r\nContent-Disposition: form-data; name=abcdef\r\n\r\n1\r\n--" B "--";
    CHECK_INT(mp(body, parts, 2, arena, sizeof arena), -HTTP_PE_NO_SPACE);
}

/* ---- cookies -------------------------------------------------------------------- */

TEST(cookies_parse_pairs_and_quotes)
{
    struct http_pair p[8];
    char arena[ARENA];
    int n =
        http_parse_cookies(" sid=abc123;lang=az ;  q=\"quoted v\"; e=", p, 8, arena, sizeof arena);
    CHECK_INT(n, 4);
    CHECK_STR(p[0].name, "sid");
    CHECK_STR(p[0].value, "abc123");
    CHECK_STR(p[1].name, "lang");
    CHECK_STR(p[1].value, "az");
    CHECK_STR(p[2].value, "quoted v");
    CHECK_STR(p[3].name, "e");
    CHECK_STR(p[3].value, "");
}

TEST(cookies_skip_malformed_segments)
{
    struct http_pair p[8];
    char arena[ARENA];
    int n = http_parse_cookies("junk; =novalue; b@d=1; ok=1;;", p, 8, arena, sizeof arena);
    CHECK_INT(n, 1);
    CHECK_STR(p[0].name, "ok");
    CHECK_INT(http_parse_cookies(NULL, p, 8, arena, sizeof arena), 0);
    CHECK_INT(http_parse_cookies("", p, 8, arena, sizeof arena), 0);
}

TEST(cookies_reject_too_many)
{
    struct http_pair p[2];
    char arena[ARENA];
    CHECK_INT(http_parse_cookies("a=1; b=2; c=3", p, 2, arena, sizeof arena), -1);
    CHECK_INT(http_cookies_parse("a=1; b=2; c=3", p, 2, arena, sizeof arena), -HTTP_PE_TOO_MANY);
}

TEST(cookies_report_small_arena)
{
    struct http_pair p[2];
    char arena[4];
    CHECK_INT(http_cookies_parse("name=value", p, 2, arena, sizeof arena), -HTTP_PE_NO_SPACE);
}

/* ---- Content-Type, paths ------------------------------------------------------------- */

TEST(content_type_media_type_and_boundary)
{
    char mt[64], b[80];
    CHECK_INT(http_media_type(" Multipart/Form-Data ; boundary=\"a b\"", mt, sizeof mt), 0);
    CHECK_STR(mt, "multipart/form-data");
    CHECK_INT(http_ct_param("multipart/form-data; charset=utf-8; BOUNDARY=\"a b\"", "boundary", b,
                            sizeof b),
              3);
    CHECK_STR(b, "a b");
    CHECK_INT(http_ct_param("multipart/form-data; boundary=xyz", "boundary", b, sizeof b), 3);
    CHECK_STR(b, "xyz");
    CHECK_INT(http_media_type(NULL, mt, sizeof mt), 0);
    CHECK_STR(mt, "");
    CHECK_INT(http_media_type("application/json", mt, 4), -1);
}

TEST(content_type_rejects_missing_or_bad_boundary)
{
    char b[80];
    CHECK_INT(http_ct_param("multipart/form-data", "boundary", b, sizeof b), -1);
    CHECK_INT(http_ct_param("multipart/form-data; charset=utf-8", "boundary", b, sizeof b), -1);
    CHECK_INT(http_ct_param("multipart/form-data; boundary=", "boundary", b, sizeof b), -1);
    CHECK_INT(http_ct_param("multipart/form-data; boundary=\"abc", "boundary", b, sizeof b), -1);
    CHECK_INT(http_ct_param("multipart/form-data; boundary", "boundary", b, sizeof b), -1);
    CHECK_INT(http_ct_param(NULL, "boundary", b, sizeof b), -1);
}

TEST(pct_decode_paths)
{
    char out[32];
    CHECK_INT(http_pct_decode("/a%20b+c", 8, false, false, out, sizeof out), 6);
    CHECK_STR(out, "/a b+c");
    CHECK_INT(http_pct_decode("a+b", 3, true, false, out, sizeof out), 3);
    CHECK_STR(out, "a b");
    CHECK_INT(http_pct_decode("/a%2Fb", 6, false, false, out, sizeof out), -1);
    CHECK_INT(http_pct_decode("/a%2Fb", 6, false, true, out, sizeof out), 4);
    CHECK_INT(http_pct_decode("/a%00", 5, false, true, out, sizeof out), -1);
    CHECK_INT(http_pct_decode("/abcdef", 7, false, true, out, 4), -1);
}
