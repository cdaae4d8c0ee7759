/*
 * mail.h — composing notification e-mails: an RFC 5322 message with MIME
 * headers (UTF-8 text/plain, quoted-printable or 8bit body, RFC 2047
 * encoded-words for non-ASCII header text), and the localised subject and
 * body of an application status change built from translation keys
 * ("mail.<status>.subject" / "mail.<status>.body", see po/en.po).
 *
 * Header values that carry CR, LF or any other control character are
 * refused (header injection) rather than cleaned.  Everything is bounded:
 * addresses, subject, body and the composed message have fixed limits.
 *
 * Errors of the notification module (mail, transports, the outbox worker)
 * are enum notify_err codes; functions return 0 or a negative code.
 */
#ifndef EVISA_MAIL_H
#define EVISA_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct i18n;

enum notify_err {
    NOTIFY_OK = 0,
    NOTIFY_E__BASE = 700,
    NOTIFY_E_HEADER_INJECTION, /* CR, LF or another control character in a header value */
    NOTIFY_E_BAD_ADDRESS,      /* not an address we send to or from */
    NOTIFY_E_BAD_UTF8,         /* subject or body is not valid UTF-8 */
    NOTIFY_E_TOO_LARGE,        /* subject, body or message over its limit */
    NOTIFY_E_INVALID,          /* a missing or malformed argument (caller bug) */
    NOTIFY_E_NO_TEMPLATE,      /* no translation for this status mail */
    NOTIFY_E_NO_SPACE,         /* the result does not fit the output buffer */
    NOTIFY_E_NOMEM,            /* out of memory */
    NOTIFY_E_IO,               /* the file transport could not write */
    NOTIFY_E_SMTP,             /* SMTP delivery failed for now (retry later) */
    NOTIFY_E_REJECTED,         /* the SMTP server refused the mail for good (5xx) */
    NOTIFY_E_CONFIG,           /* an unusable notification configuration */
    NOTIFY_E__MAX
};
/* Stable lower_snake_case name of a code (either sign); "unknown" if none. */
const char *notify_err_code(int err);
/* English message for people and logs; never NULL. */
const char *notify_err_message(int err);

#define MAIL_ADDR_MAX 254    /* bytes of an address (RFC 5321 path limit) */
#define MAIL_NAME_MAX 128    /* bytes of a display name */
#define MAIL_SUBJECT_MAX 255 /* bytes of a subject (UTF-8) */
#define MAIL_BODY_MAX (64u * 1024u)
#define MAIL_MESSAGE_MAX (512u * 1024u) /* bytes of a composed message */

/* How the body is transferred.  MAIL_CTE_QP: quoted-printable, safe for any
 * relay (7-bit lines of at most 76 characters).  MAIL_CTE_8BIT: the UTF-8
 * text as is (readable .eml files; needs 8BITMIME over SMTP); labelled 7bit
 * when the body is ASCII, and falls back to quoted-printable when a line is
 * longer than 998 bytes. */
enum mail_cte { MAIL_CTE_QP, MAIL_CTE_8BIT, MAIL_CTE__MAX };

struct mail_message {
    const char *from_name;  /* display name (UTF-8), NULL or "" for none */
    const char *from_addr;  /* "noreply@evisa.example" */
    const char *to_addr;    /* the applicant's address */
    const char *subject;    /* UTF-8, not empty */
    const char *body;       /* UTF-8 text; LF, CRLF or CR line ends */
    int64_t date;           /* Unix seconds, written in UTC */
    const char *message_id; /* "left@right" without <>; NULL: random @ from's domain */
    enum mail_cte cte;
};

/* Whether addr is an address we accept: ASCII local@domain, local part of
 * 1-64 characters without spaces, controls or ()<>,;:\"[], domain of
 * letters, digits, hyphens and single dots with at least one dot.
 * 0 or -NOTIFY_E_BAD_ADDRESS (-NOTIFY_E_HEADER_INJECTION for CR/LF). */
int mail_check_address(const char *addr);

/* Encodes UTF-8 header text: unchanged when it is printable ASCII of at
 * most 60 bytes without "=?", else as RFC 2047 "=?UTF-8?B?...?=" words of
 * whole characters (64 characters each), folded with CRLF SP, so that no
 * line passes 78 characters after a header name such as "Subject: ".
 * 0, -NOTIFY_E_HEADER_INJECTION, -NOTIFY_E_BAD_UTF8, -NOTIFY_E_NO_SPACE or
 * -NOTIFY_E_INVALID. */
int mail_encode_header_text(const char *text, char *out, size_t cap);

/* Composes the whole message (headers, blank line, body; CRLF line ends)
 * into a malloc'd NUL-terminated buffer *out of *len bytes (free() it).
 * 0 or a negative notify_err: HEADER_INJECTION, BAD_ADDRESS, BAD_UTF8,
 * TOO_LARGE, INVALID, NOMEM. */
int mail_compose(const struct mail_message *m, char **out, size_t *len);

/* Whether a move to status sends the applicant a mail (submitted,
 * info_requested, approved, issued, refused, revoked). */
bool mail_status_notifies(const char *status);

/* The subject and body of the mail for a move to status, in lang (English
 * when lang lacks the keys): the translations of "mail.<status>.subject"
 * and "mail.<status>.body" with {reference}, {status} (the translation of
 * "status.<status>") and {deadline} (YYYY-MM-DD of deadline_at, UTC; "" when
 * 0) filled in; other {names} are left as they are.  *body is malloc'd
 * (free() it).  0, or -NOTIFY_E_NO_TEMPLATE (no such keys),
 * -NOTIFY_E_HEADER_INJECTION (the subject would hold a line break),
 * -NOTIFY_E_NO_SPACE (subject over subject_cap), -NOTIFY_E_TOO_LARGE,
 * -NOTIFY_E_INVALID, -NOTIFY_E_NOMEM. */
int mail_status_text(const struct i18n *i, const char *lang, const char *status,
                     const char *reference, int64_t deadline_at, char *subject, size_t subject_cap,
                     char **body);

#endif
