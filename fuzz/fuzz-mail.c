/*
 * fuzz-mail.c — libFuzzer target for composing notification mails
 * (src/notify/mail.h) from untrusted text: the applicant's address, a
 * subject and a body (translations filled with application data).  The
 * input is: one byte of options (bit 0: 8bit body), then to, subject, body
 * and display name separated by NUL bytes.  Whatever the input, a composed
 * message must keep its header block 7-bit, CRLF-only, with every line a
 * known header or a folded continuation (no injected header), and a
 * quoted-printable body must be 7-bit lines of at most 76 characters.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notify/mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAIL_MAX 4096

/* The next NUL-terminated part of the input, copied into out. */
static const uint8_t *part(const uint8_t *p, const uint8_t *end, char *out)
{
    const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
    size_t n = nul ? (size_t)(nul - p) : (size_t)(end - p);
    memcpy(out, p, n);
    out[n] = '\0';
    return nul ? nul + 1 : end;
}

static const char *const known[] = {"Date: ",
                                    "From: ",
                                    "To: ",
                                    "Subject: ",
                                    "Message-ID: ",
                                    "MIME-Version: ",
                                    "Content-Type: ",
                                    "Content-Transfer-Encoding: ",
                                    "Auto-Submitted: ",
                                    " "};

static void check_message(const char *msg, size_t len)
{
    const char *sep = strstr(msg, "\r\n\r\n");
    if (!sep || strlen(msg) != len)
        abort();
    size_t hl = (size_t)(sep - msg) + 2;
    for (size_t i = 0; i < hl; i++) {
        unsigned char c = (unsigned char)msg[i];
        if (c >= 0x80 || (c == '\n' && (i == 0 || msg[i - 1] != '\r')) ||
            (c == '\r' && msg[i + 1] != '\n'))
            abort();
    }
    for (const char *l = msg; l < sep + 2; l = strstr(l, "\r\n") + 2) {
        bool ok = false;
        for (size_t k = 0; k < sizeof known / sizeof *known && !ok; k++)
            ok = strncmp(l, known[k], strlen(known[k])) == 0;
        if (!ok || (size_t)(strstr(l, "\r\n") - l) > 998)
            abort();
    }
    const char *qp = strstr(msg, "Content-Transfer-Encoding: quoted-printable\r\n");
    if (qp && qp < sep) {
        for (const char *l = sep + 4; *l;) {
            const char *e = strstr(l, "\r\n");
            if (!e || e - l > 76)
                abort();
            for (const char *p = l; p < e; p++)
                if ((unsigned char)*p >= 0x80)
                    abort();
            l = e + 2;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > FUZZ_MAIL_MAX)
        return 0;
    static char to[FUZZ_MAIL_MAX + 1], subject[FUZZ_MAIL_MAX + 1], body[FUZZ_MAIL_MAX + 1],
        name[FUZZ_MAIL_MAX + 1];
    const uint8_t *p = data + 1, *end = data + size;
    p = part(p, end, to);
    p = part(p, end, subject);
    p = part(p, end, body);
    part(p, end, name);

    char enc[2048];
    mail_encode_header_text(subject, enc, sizeof enc);
    mail_check_address(to);

    struct mail_message m = {
        .from_name = name,
        .from_addr = "noreply@evisa.example",
        .to_addr = to,
        .subject = subject,
        .body = body,
        .date = 1700000000,
        .message_id = "evisa.1@evisa.example",
        .cte = (data[0] & 1) ? MAIL_CTE_8BIT : MAIL_CTE_QP,
    };
    char *msg = NULL;
    size_t len = 0;
    if (mail_compose(&m, &msg, &len) == 0)
        check_message(msg, len);
    free(msg);
    return 0;
}
