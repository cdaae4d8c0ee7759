/*
 * test_mail.c — composing notification mails (src/notify/mail.h): RFC 5322
 * headers, RFC 2047 encoded-words that never split a character, header
 * injection refused, quoted-printable and 8bit bodies, address checks, and
 * the status-change texts from translation keys in en, az and ur.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "notify/mail.h"
#include "test.h"
#include "web/i18n.h"

static struct mail_message sample(void)
{
    struct mail_message m = {
        .from_name = "eVisa",
        .from_addr = "noreply@evisa.example",
        .to_addr = "ali.khan@example.com",
        .subject = "Application AZE-1234 received",
        .body = "Hello.\nYour application was received.\n",
        .date = 1700000000, /* Tue, 14 Nov 2023 22:13:20 UTC */
        .message_id = "evisa.42@evisa.example",
        .cte = MAIL_CTE_QP,
    };
    return m;
}

/* The value of header name (first line only), copied into out. */
static bool header(const char *msg, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    const char *end = strstr(msg, "\r\n\r\n");
    for (const char *p = msg; p && p < end; p = strstr(p, "\r\n"), p = p ? p + 2 : NULL) {
        if (strncmp(p, name, nl) == 0 && p[nl] == ':' && p[nl + 1] == ' ') {
            const char *v = p + nl + 2, *e = strstr(v, "\r\n");
            snprintf(out, cap, "%.*s", (int)(e - v), v);
            return true;
        }
    }
    return false;
}

/* Decodes a header value made of "=?UTF-8?B?...?=" words separated by
 * CRLF SP into out; each word's text must be valid UTF-8 on its own.
 * Returns false on any deviation. */
static bool decode_words(const char *v, char *out, size_t cap)
{
    size_t o = 0;
    while (*v) {
        if (strncmp(v, "=?UTF-8?B?", 10) != 0)
            return false;
        v += 10;
        const char *e = strstr(v, "?=");
        if (!e || e - v > 200 || (e - v) % 4)
            return false;
        unsigned char in[256], dec[256];
        size_t il = (size_t)(e - v);
        memcpy(in, v, il);
        int dl = EVP_DecodeBlock(dec, in, (int)il);
        if (dl < 0)
            return false;
        if (il >= 1 && in[il - 1] == '=')
            dl--;
        if (il >= 2 && in[il - 2] == '=')
            dl--;
        /* Whole characters only: a word never ends inside a sequence. */
        if (dl > 0 && (dec[dl - 1] & 0xC0) == 0xC0)
            return false;
        if (dl > 0 && (dec[0] & 0xC0) == 0x80)
            return false;
        if (o + (size_t)dl + 1 > cap)
            return false;
        memcpy(out + o, dec, (size_t)dl);
        o += (size_t)dl;
        v = e + 2;
        if (strncmp(v, "\r\n ", 3) == 0)
            v += 3;
        else if (*v)
            return false;
    }
    out[o] = '\0';
    return true;
}

/* The whole (possibly folded) value of header name. */
static bool header_folded(const char *msg, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    const char *p = strstr(msg, name);
    if (!p || p[nl] != ':')
        return false;
    p += nl + 2;
    const char *e = p;
    while ((e = strstr(e, "\r\n")) && e[2] == ' ')
        e += 2;
    if (!e)
        return false;
    snprintf(out, cap, "%.*s", (int)(e - p), p);
    return true;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes a quoted-printable body (CRLF lines); false on malformed input or
 * an encoded line over 76 characters or any non-ASCII byte. */
static bool qp_decode(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    while (*in) {
        const char *e = strstr(in, "\r\n");
        if (!e || e - in > 76)
            return false;
        bool soft = e > in && e[-1] == '=';
        const char *stop = soft ? e - 1 : e;
        for (const char *p = in; p < stop; p++) {
            if ((unsigned char)*p >= 0x80 || o + 3 > cap)
                return false;
            if (*p == '=') {
                int hi = hexval(p[1]), lo = p + 2 <= stop ? hexval(p[2]) : -1;
                if (hi < 0 || lo < 0)
                    return false;
                out[o++] = (char)(hi * 16 + lo);
                p += 2;
            } else {
                out[o++] = *p;
            }
        }
        if (!soft) {
            out[o++] = '\r';
            out[o++] = '\n';
        }
        in = e + 2;
    }
    out[o] = '\0';
    return true;
}

static bool lines_at_most(const char *s, size_t max)
{
    for (const char *e; (e = strstr(s, "\r\n")); s = e + 2)
        if ((size_t)(e - s) > max)
            return false;
    return strlen(s) <= max;
}

TEST(mail_compose_writes_rfc5322_headers)
{
    struct mail_message m = sample();
    char *msg = NULL, v[512];
    size_t len = 0;
    CHECK_INT(mail_compose(&m, &msg, &len), 0);
    CHECK(msg && len == strlen(msg));
    CHECK(header(msg, "Date", v, sizeof v));
    CHECK_STR(v, "Tue, 14 Nov 2023 22:13:20 +0000");
    CHECK(header(msg, "From", v, sizeof v));
    CHECK_STR(v, "eVisa <noreply@evisa.example>");
    CHECK(header(msg, "To", v, sizeof v));
    CHECK_STR(v, "ali.khan@example.com");
    CHECK(header(msg, "Subject", v, sizeof v));
    CHECK_STR(v, "Application AZE-1234 received");
    CHECK(header(msg, "Message-ID", v, sizeof v));
    CHECK_STR(v, "<evisa.42@evisa.example>");
    CHECK(header(msg, "MIME-Version", v, sizeof v));
    CHECK_STR(v, "1.0");
    CHECK(header(msg, "Content-Type", v, sizeof v));
    CHECK_STR(v, "text/plain; charset=UTF-8");
    CHECK(header(msg, "Content-Transfer-Encoding", v, sizeof v));
    CHECK_STR(v, "quoted-printable");
    /* Every line ends in CRLF; no bare LF or CR anywhere. */
    for (size_t i = 0; i < len; i++) {
        if (msg[i] == '\n')
            CHECK(i > 0 && msg[i - 1] == '\r');
        if (msg[i] == '\r')
            CHECK(msg[i + 1] == '\n');
    }
    const char *body = strstr(msg, "\r\n\r\n");
    CHECK(body);
    CHECK_STR(body + 4, "Hello.\r\nYour application was received.\r\n");
    free(msg);
}

TEST(mail_compose_encodes_utf8_subject_as_encoded_words)
{
    struct mail_message m = sample();
    const char *subj = "Müraciətiniz qəbul edildi — AZE-1234 nömrəli viza müraciəti, "
                       "درخواست موصول ہو گئی";
    m.subject = subj;
    char *msg = NULL, v[1024], dec[512];
    size_t len;
    CHECK_INT(mail_compose(&m, &msg, &len), 0);
    CHECK(header_folded(msg, "Subject", v, sizeof v));
    CHECK(strncmp(v, "=?UTF-8?B?", 10) == 0);
    CHECK(strstr(v, "\r\n ")); /* long enough to be folded */
    CHECK(decode_words(v, dec, sizeof dec));
    CHECK_STR(dec, subj);
    /* The header block stays 7-bit and within 78 characters a line. */
    const char *end = strstr(msg, "\r\n\r\n");
    for (const char *p = msg; p < end; p++)
        CHECK((unsigned char)*p < 0x80);
    char head[4096];
    snprintf(head, sizeof head, "%.*s", (int)(end - msg), msg);
    CHECK(lines_at_most(head, 78));
    free(msg);
}

TEST(mail_encode_header_text_keeps_short_ascii_plain)
{
    char out[512];
    CHECK_INT(mail_encode_header_text("Application received", out, sizeof out), 0);
    CHECK_STR(out, "Application received");
    /* "=?" would be read as an encoded-word: encoded instead. */
    CHECK_INT(mail_encode_header_text("a =?x?= b", out, sizeof out), 0);
    CHECK(strncmp(out, "=?UTF-8?B?", 10) == 0);
    /* Long ASCII too, so that no line gets long. */
    char longs[200];
    memset(longs, 'x', 150);
    longs[150] = '\0';
    CHECK_INT(mail_encode_header_text(longs, out, sizeof out), 0);
    char dec[256];
    CHECK(decode_words(out, dec, sizeof dec));
    CHECK_STR(dec, longs);
}

TEST(mail_encode_header_text_never_splits_a_character)
{
    /* Mixed 1-, 2-, 3- and 4-byte characters at every alignment. */
    char text[256] = "";
    const char *parts[] = {"ə", "€", "a", "𝄞", "ں"};
    for (size_t i = 0; strlen(text) < 200; i++)
        strcat(text, parts[i % 5]);
    char out[1024], dec[256];
    CHECK_INT(mail_encode_header_text(text, out, sizeof out), 0);
    CHECK(decode_words(out, dec, sizeof dec));
    CHECK_STR(dec, text);
}

TEST(mail_encode_header_text_rejects_bad_input)
{
    char out[16];
    CHECK_INT(mail_encode_header_text("a\r\nBcc: x@y.z", out, sizeof out),
              -NOTIFY_E_HEADER_INJECTION);
    CHECK_INT(mail_encode_header_text("caf\xC3", out, sizeof out), -NOTIFY_E_BAD_UTF8);
    CHECK_INT(mail_encode_header_text("this will not fit in sixteen", out, sizeof out),
              -NOTIFY_E_NO_SPACE);
    CHECK_INT(mail_encode_header_text("ə", out, sizeof out), -NOTIFY_E_NO_SPACE);
    CHECK_INT(mail_encode_header_text(NULL, out, sizeof out), -NOTIFY_E_INVALID);
}

TEST(mail_compose_refuses_header_injection)
{
    char *msg = (char *)"untouched";
    size_t len;
    struct mail_message m = sample();
    m.subject = "Hello\r\nBcc: victim@example.com";
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_HEADER_INJECTION);
    CHECK(msg == NULL);
    m = sample();
    m.subject = "Hello\nBcc: victim@example.com";
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_HEADER_INJECTION);
    m = sample();
    m.subject = "Hello\rX";
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_HEADER_INJECTION);
    m = sample();
    m.to_addr = "a@example.com\r\nBcc: victim@example.com";
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_HEADER_INJECTION);
    m = sample();
    m.from_name = "eVisa\r\nBcc: victim@example.com";
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_HEADER_INJECTION);
    m = sample();
    m.message_id = "x@y\r\nBcc: victim@example.com";
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_HEADER_INJECTION);
    m = sample();
    m.subject = "tab\there"; /* any control character, not only CR/LF */
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_HEADER_INJECTION);
}

TEST(mail_check_address_accepts_and_rejects)
{
    CHECK_INT(mail_check_address("ali.khan+visa@mail.example.com"), 0);
    CHECK_INT(mail_check_address("a@b.co"), 0);
    const char *bad[] = {"",
                         "no-at.example.com",
                         "@example.com",
                         "a@@example.com",
                         "a@b@example.com",
                         "a b@example.com",
                         "<a>@example.com",
                         "a@example",
                         "a@.example.com",
                         "a@example.com.",
                         "a@-example.com",
                         "a@exa..mple.com",
                         "a@exa_mple.com",
                         "ə@example.com",
                         "a@exämple.com",
                         "a,b@example.com"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_CTX(mail_check_address(bad[i]) == -NOTIFY_E_BAD_ADDRESS, bad[i]);
    char local[80];
    memset(local, 'a', 65);
    snprintf(local + 65, sizeof local - 65, "@example.com");
    CHECK_INT(mail_check_address(local), -NOTIFY_E_BAD_ADDRESS);
    char longd[300] = "a@";
    while (strlen(longd) < 260)
        strcat(longd, "abcdefgh.");
    strcat(longd, "com");
    CHECK_INT(mail_check_address(longd), -NOTIFY_E_BAD_ADDRESS);
    CHECK_INT(mail_check_address(NULL), -NOTIFY_E_BAD_ADDRESS);
    CHECK_INT(mail_check_address("a@example.com\n"), -NOTIFY_E_HEADER_INJECTION);

    char *msg;
    size_t len;
    struct mail_message m = sample();
    m.to_addr = "not an address";
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_BAD_ADDRESS);
    m = sample();
    m.from_addr = "noreply";
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_BAD_ADDRESS);
}

TEST(mail_compose_rejects_bad_utf8)
{
    char *msg;
    size_t len;
    struct mail_message m = sample();
    m.subject = "caf\xC3";
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_BAD_UTF8);
    m = sample();
    m.body = "overlong \xC0\xAF slash";
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_BAD_UTF8);
    m = sample();
    m.body = "surrogate \xED\xA0\x80";
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_BAD_UTF8);
    m = sample();
    m.from_name = "e\xFFVisa";
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_BAD_UTF8);
}

TEST(mail_compose_rejects_too_large)
{
    char *msg;
    size_t len;
    struct mail_message m = sample();
    char subj[MAIL_SUBJECT_MAX + 2];
    memset(subj, 's', sizeof subj - 1);
    subj[sizeof subj - 1] = '\0';
    m.subject = subj;
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_TOO_LARGE);
    subj[MAIL_SUBJECT_MAX] = '\0'; /* exactly at the limit is fine */
    CHECK_INT(mail_compose(&m, &msg, &len), 0);
    free(msg);

    m = sample();
    char *body = malloc(MAIL_BODY_MAX + 2);
    CHECK(body);
    memset(body, 'b', MAIL_BODY_MAX + 1);
    body[MAIL_BODY_MAX + 1] = '\0';
    m.body = body;
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_TOO_LARGE);
    free(body);

    m = sample();
    char name[MAIL_NAME_MAX + 2];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    m.from_name = name;
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_TOO_LARGE);
}

TEST(mail_compose_rejects_invalid_arguments)
{
    char *msg;
    size_t len;
    struct mail_message m = sample();
    CHECK_INT(mail_compose(NULL, &msg, &len), -NOTIFY_E_INVALID);
    CHECK_INT(mail_compose(&m, NULL, &len), -NOTIFY_E_INVALID);
    m.subject = "";
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_INVALID);
    m = sample();
    m.body = NULL;
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_INVALID);
    m = sample();
    m.message_id = "no-at-sign";
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_INVALID);
    m.message_id = "a b@c";
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_INVALID);
    m.message_id = "<a@c>";
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_INVALID);
    m = sample();
    m.cte = MAIL_CTE__MAX;
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_INVALID);
    m = sample();
    m.date = (int64_t)400000000000LL; /* year 14645: not writable as a Date */
    CHECK_INT(mail_compose(&m, &msg, &len), -NOTIFY_E_INVALID);
}

TEST(mail_compose_quoted_printable_round_trips_the_body)
{
    char body[2048];
    snprintf(body, sizeof body,
             "Salam, Əli!\n"
             "trailing space \n"
             ".a line starting with a dot\n"
             "equals = sign and tab\there\r\n"
             "%s\r"
             "درخواست {reference} موصول ہو گئی\n",
             "a very long line a very long line a very long line a very long line a very long "
             "line a very long line a very long line with ə in the middle ə ə ə ə ə ə ə ə ə end");
    struct mail_message m = sample();
    m.body = body;
    char *msg;
    size_t len;
    CHECK_INT(mail_compose(&m, &msg, &len), 0);
    const char *enc = strstr(msg, "\r\n\r\n") + 4;
    static char dec[8192], want[4096];
    CHECK(qp_decode(enc, dec, sizeof dec));
    /* The decoded body is the original with CRLF line ends. */
    size_t o = 0;
    for (const char *p = body; *p; p++) {
        if (*p == '\r' && p[1] == '\n')
            continue;
        if (*p == '\r' || *p == '\n') {
            want[o++] = '\r';
            want[o++] = '\n';
        } else {
            want[o++] = *p;
        }
    }
    want[o] = '\0';
    CHECK_STR(dec, want);
    /* No encoded line starts with '.', and no line ends in a space. */
    for (const char *p = enc; *p; p = strstr(p, "\r\n") + 2) {
        CHECK(*p != '.');
        const char *e = strstr(p, "\r\n");
        CHECK(e && (e == p || (e[-1] != ' ' && e[-1] != '\t')));
    }
    free(msg);
}

TEST(mail_compose_8bit_body_is_raw_utf8)
{
    struct mail_message m = sample();
    m.cte = MAIL_CTE_8BIT;
    m.body = "Müraciətiniz qəbul edildi.\nدرخواست\n";
    char *msg, v[64];
    size_t len;
    CHECK_INT(mail_compose(&m, &msg, &len), 0);
    CHECK(header(msg, "Content-Transfer-Encoding", v, sizeof v));
    CHECK_STR(v, "8bit");
    CHECK_STR(strstr(msg, "\r\n\r\n") + 4, "Müraciətiniz qəbul edildi.\r\nدرخواست\r\n");
    free(msg);

    m.body = "plain ascii\n";
    CHECK_INT(mail_compose(&m, &msg, &len), 0);
    CHECK(header(msg, "Content-Transfer-Encoding", v, sizeof v));
    CHECK_STR(v, "7bit");
    free(msg);

    /* Over 998 bytes a line: quoted-printable after all. */
    char longl[1200];
    memset(longl, 'x', 1100);
    longl[1100] = '\0';
    m.body = longl;
    CHECK_INT(mail_compose(&m, &msg, &len), 0);
    CHECK(header(msg, "Content-Transfer-Encoding", v, sizeof v));
    CHECK_STR(v, "quoted-printable");
    CHECK(lines_at_most(msg, 998));
    free(msg);
}

TEST(mail_compose_random_message_id_uses_from_domain)
{
    struct mail_message m = sample();
    m.message_id = NULL;
    char *a, *b, va[128], vb[128];
    size_t len;
    CHECK_INT(mail_compose(&m, &a, &len), 0);
    CHECK_INT(mail_compose(&m, &b, &len), 0);
    CHECK(header(a, "Message-ID", va, sizeof va));
    CHECK(header(b, "Message-ID", vb, sizeof vb));
    CHECK(strcmp(va, vb) != 0);
    CHECK(strlen(va) == 1 + 32 + 1 + strlen("evisa.example") + 1);
    CHECK(strstr(va, "@evisa.example>"));
    free(a);
    free(b);
}

TEST(mail_compose_encodes_non_plain_display_name)
{
    struct mail_message m = sample();
    m.from_name = "Azərbaycan eVisa";
    char *msg, v[256], dec[128];
    size_t len;
    CHECK_INT(mail_compose(&m, &msg, &len), 0);
    CHECK(header(msg, "From", v, sizeof v));
    char *lt = strstr(v, " <noreply@evisa.example>");
    CHECK(lt);
    *lt = '\0';
    CHECK(decode_words(v, dec, sizeof dec));
    CHECK_STR(dec, "Azərbaycan eVisa");
    free(msg);
    /* ASCII specials are encoded too rather than quoted. */
    m.from_name = "eVisa \"Office\" <x@y.z>";
    CHECK_INT(mail_compose(&m, &msg, &len), 0);
    CHECK(header(msg, "From", v, sizeof v));
    CHECK(strncmp(v, "=?UTF-8?B?", 10) == 0);
    free(msg);
    m.from_name = NULL;
    CHECK_INT(mail_compose(&m, &msg, &len), 0);
    CHECK(header(msg, "From", v, sizeof v));
    CHECK_STR(v, "noreply@evisa.example");
    free(msg);
}

TEST(notify_err_names_every_code)
{
    for (int e = NOTIFY_E__BASE + 1; e < NOTIFY_E__MAX; e++) {
        CHECK(strcmp(notify_err_code(-e), "unknown") != 0);
        CHECK_STR(notify_err_code(-e), notify_err_code(e));
        CHECK(strcmp(notify_err_message(e), "unknown error") != 0);
    }
    CHECK_STR(notify_err_code(-NOTIFY_E_HEADER_INJECTION), "header_injection");
    CHECK_STR(notify_err_code(0), "ok");
    CHECK_STR(notify_err_code(NOTIFY_E__MAX), "unknown");
    CHECK_STR(notify_err_code(NOTIFY_E__BASE), "unknown");
    CHECK_STR(notify_err_code(5), "unknown");
    CHECK_STR(notify_err_message(-9999), "unknown error");
}

TEST(mail_status_notifies_the_applicant_of_decisions)
{
    const char *yes[] = {"submitted", "info_requested", "approved", "issued", "refused", "revoked"};
    for (size_t i = 0; i < 6; i++)
        CHECK_CTX(mail_status_notifies(yes[i]), yes[i]);
    CHECK(!mail_status_notifies("draft"));
    CHECK(!mail_status_notifies("in_review"));
    CHECK(!mail_status_notifies(""));
    CHECK(!mail_status_notifies(NULL));
}

/* ---- status texts from a small catalog ------------------------------------ */

static struct i18n *small_catalogs(const char *en, const char *az)
{
    struct i18n *i = i18n_new();
    char err[256];
    if (!i || i18n_load_string(i, "en", "en.po", en, strlen(en), err, sizeof err) != 0 ||
        i18n_load_string(i, "az", "az.po", az, strlen(az), err, sizeof err) != 0) {
        i18n_free(i);
        return NULL;
    }
    return i;
}

static const char en_po[] =
    "msgid \"status.submitted\"\nmsgstr \"Submitted\"\n\n"
    "msgid \"mail.submitted.subject\"\n"
    "msgstr \"Application {reference} received\"\n\n"
    "msgid \"mail.submitted.body\"\n"
    "msgstr \"Ref {reference}, status {status}, by {deadline}. {other} {\"\n\n"
    "msgid \"mail.refused.subject\"\nmsgstr \"Line\\nbreak {reference}\"\n\n"
    "msgid \"mail.refused.body\"\nmsgstr \"x\"\n\n"
    "msgid \"mail.revoked.subject\"\nmsgstr \"{reference}{reference}"
    "{reference}{reference}{reference}{reference}{reference}\"\n\n"
    "msgid \"mail.revoked.body\"\nmsgstr \"x\"\n\n"
    "msgid \"mail.approved.subject\"\nmsgstr \"Approved\"\n";
static const char az_po[] = "msgid \"status.submitted\"\nmsgstr \"Göndərilib\"\n\n"
                            "msgid \"mail.submitted.subject\"\n"
                            "msgstr \"{reference} qəbul edildi\"\n";

TEST(mail_status_text_substitutes_placeholders)
{
    struct i18n *i = small_catalogs(en_po, az_po);
    CHECK(i);
    char subject[256], *body = NULL;
    /* 2026-03-01 12:00 UTC */
    CHECK_INT(mail_status_text(i, "en", "submitted", "AZE-7K3Q", 1772366400, subject,
                               sizeof subject, &body),
              0);
    CHECK_STR(subject, "Application AZE-7K3Q received");
    CHECK_STR(body, "Ref AZE-7K3Q, status Submitted, by 2026-03-01. {other} {");
    free(body);
    /* No deadline yet: empty. */
    CHECK_INT(mail_status_text(i, "en", "submitted", "R1", 0, subject, sizeof subject, &body), 0);
    CHECK_STR(body, "Ref R1, status Submitted, by . {other} {");
    free(body);
    i18n_free(i);
}

TEST(mail_status_text_uses_the_language_then_english)
{
    struct i18n *i = small_catalogs(en_po, az_po);
    CHECK(i);
    char subject[256], *body = NULL;
    CHECK_INT(mail_status_text(i, "az", "submitted", "AZE-7K3Q", 1772366400, subject,
                               sizeof subject, &body),
              0);
    CHECK_STR(subject, "AZE-7K3Q qəbul edildi");
    /* az has no body: English, with az's status name. */
    CHECK_STR(body, "Ref AZE-7K3Q, status Göndərilib, by 2026-03-01. {other} {");
    free(body);
    i18n_free(i);
}

TEST(mail_status_text_rejects_bad_templates_and_arguments)
{
    struct i18n *i = small_catalogs(en_po, az_po);
    CHECK(i);
    char subject[256], *body = (char *)"untouched";
    CHECK_INT(mail_status_text(i, "en", "issued", "R1", 0, subject, sizeof subject, &body),
              -NOTIFY_E_NO_TEMPLATE);
    CHECK(body == NULL);
    /* A subject key without its body. */
    CHECK_INT(mail_status_text(i, "en", "approved", "R1", 0, subject, sizeof subject, &body),
              -NOTIFY_E_NO_TEMPLATE);
    CHECK_INT(mail_status_text(i, "en", "refused", "R1", 0, subject, sizeof subject, &body),
              -NOTIFY_E_HEADER_INJECTION);
    CHECK_INT(mail_status_text(i, "en", "submitted", "R1", 0, subject, 8, &body),
              -NOTIFY_E_NO_SPACE);
    char longref[64];
    memset(longref, 'R', 40);
    longref[40] = '\0';
    CHECK_INT(mail_status_text(i, "en", "revoked", longref, 0, subject, sizeof subject, &body),
              -NOTIFY_E_TOO_LARGE);
    CHECK_INT(mail_status_text(NULL, "en", "submitted", "R1", 0, subject, sizeof subject, &body),
              -NOTIFY_E_INVALID);
    char longstatus[200];
    memset(longstatus, 's', 150);
    longstatus[150] = '\0';
    CHECK_INT(mail_status_text(i, "en", longstatus, "R1", 0, subject, sizeof subject, &body),
              -NOTIFY_E_INVALID);
    CHECK_INT(mail_status_text(i, "en", "submitted", "R1", (int64_t)400000000000LL, subject,
                               sizeof subject, &body),
              -NOTIFY_E_INVALID);
    i18n_free(i);
}

/* ---- the real catalogs ----------------------------------------------------- */

TEST(mail_status_text_exists_in_en_az_ur)
{
    struct i18n *i = NULL;
    char err[256];
    CHECK_INT(i18n_load_dir("po", &i, err, sizeof err), 0);
    int crc = i18n_check_catalogs(i, err, sizeof err);
    if (crc)
        i18n_free(i);
    CHECK_INT(crc, 0);
    const char *statuses[] = {"submitted", "info_requested", "approved",
                              "issued",    "refused",        "revoked"};
    const char *langs[] = {"en", "az", "ur"};
    unsigned long fb0, miss0, fb1, miss1;
    i18n_stats(i, &fb0, &miss0);
    for (size_t s = 0; s < 6; s++) {
        char en_subject[256] = "";
        for (size_t l = 0; l < 3; l++) {
            char subject[256], *body = NULL;
            int rc = mail_status_text(i, langs[l], statuses[s], "AZE-7K3Q-22", 1772366400, subject,
                                      sizeof subject, &body);
            CHECK_CTX(rc == 0, statuses[s]);
            if (rc)
                continue;
            CHECK_CTX(strstr(subject, "AZE-7K3Q-22") != NULL, statuses[s]);
            CHECK_CTX(strstr(body, "AZE-7K3Q-22") != NULL, statuses[s]);
            CHECK_CTX(!strchr(subject, '{') && !strchr(body, '{'), statuses[s]);
            if (strcmp(statuses[s], "submitted") == 0)
                CHECK_CTX(strstr(body, "2026-03-01") != NULL, langs[l]);
            if (l == 0)
                snprintf(en_subject, sizeof en_subject, "%s", subject);
            else
                CHECK_CTX(strcmp(subject, en_subject) != 0, langs[l]);
            /* And the whole mail composes. */
            struct mail_message m = sample();
            m.subject = subject;
            m.body = body;
            char *msg;
            size_t len;
            CHECK_CTX(mail_compose(&m, &msg, &len) == 0, statuses[s]);
            free(msg);
            free(body);
        }
    }
    i18n_stats(i, &fb1, &miss1);
    i18n_free(i);
    CHECK_INT(fb1, fb0);     /* no key fell back to English */
    CHECK_INT(miss1, miss0); /* and none was missing */
}
