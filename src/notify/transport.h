/*
 * transport.h — the one small interface behind which composed mails are
 * delivered: "file" (the demo: each message becomes an .eml file in a
 * directory, written atomically) and "smtp" (libcurl: smtp:// or smtps://,
 * optional STARTTLS and login, bounded timeouts).  Tests plug in their own
 * transports with mail_transport_new.
 *
 * A transport is used by one thread at a time (the outbox worker).
 */
#ifndef EVISA_TRANSPORT_H
#define EVISA_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

struct mail_envelope {
    const char *from; /* envelope sender (MAIL FROM), a checked address */
    const char *to;   /* the one recipient (RCPT TO), a checked address */
    const char *name; /* a stable name for this mail, [A-Za-z0-9._-], e.g. "0000000042-AZE..." */
};

struct mail_transport_ops {
    /* Delivers msg (len bytes, CRLF line ends).  0, or a negative
     * notify_err with a reason for logs in err: -NOTIFY_E_REJECTED when
     * retrying cannot help, any other code when a later retry may. */
    int (*send)(void *ctx, const struct mail_envelope *env, const char *msg, size_t len, char *err,
                size_t err_cap);
    void (*free)(void *ctx); /* may be NULL */
};

struct mail_transport;

/* A transport over ops and ctx (ctx is freed with ops->free).  NULL when out
 * of memory (ctx is then freed too). */
struct mail_transport *mail_transport_new(const struct mail_transport_ops *ops, void *ctx);

/* Delivers one message; see mail_transport_ops.send.  err always receives a
 * NUL-terminated string ("" on success). */
int mail_transport_send(struct mail_transport *t, const struct mail_envelope *env, const char *msg,
                        size_t len, char *err, size_t err_cap);

void mail_transport_free(struct mail_transport *t);

/* The demo transport: writes dir/<env->name>.eml (mode 0640) through a
 * temporary file, fsync and rename, so that a reader never sees half a mail
 * and a retry overwrites rather than duplicates.  dir is created (mode 0700)
 * when missing.  0, -NOTIFY_E_CONFIG (empty or too long dir) or
 * -NOTIFY_E_NOMEM. */
int mail_transport_file(const char *dir, struct mail_transport **out);

struct smtp_options {
    const char *url;      /* "smtp://host:port" or "smtps://host:port" */
    const char *username; /* NULL or "": no login */
    const char *password;
    bool starttls;          /* smtp://: require STARTTLS (fail rather than send in clear) */
    bool insecure;          /* tests only: skip TLS certificate checks */
    long timeout_s;         /* whole transaction; default 30 */
    long connect_timeout_s; /* default 10 */
};

/* The SMTP transport (libcurl).  Checks the options (the URL scheme, that a
 * password comes with a username) and copies them.  0, -NOTIFY_E_CONFIG or
 * -NOTIFY_E_NOMEM. */
int mail_transport_smtp(const struct smtp_options *o, struct mail_transport **out);

#endif
