/*
 * outbox.h — the notification outbox: building the mail that a status change
 * queues (in the applicant's language, in the same store transaction as the
 * change: store_app_transition_mail), and the worker that `evisa serve`
 * starts to deliver queued mails.
 *
 * The worker is one thread.  Every poll interval (or at once after
 * outbox_kick) it claims due mails from the store one at a time, composes
 * each (mail.h) and hands it to the transport (transport.h): "file" in the
 * demo configuration (one .eml file per mail in DATA/outbox), "smtp" otherwise.  A failed
 * attempt is retried with exponential backoff (by default 1 min, 5 min,
 * 30 min, 2 h, 6 h) until max_attempts, then the mail is marked failed; a
 * mail the server refuses for good (5xx) or that cannot be composed is
 * marked failed at once.  outbox_stop finishes the delivery in progress and
 * returns promptly.
 */
#ifndef EVISA_OUTBOX_H
#define EVISA_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "notify/mail.h"
#include "notify/transport.h"
#include "store/store.h"

struct i18n;

enum outbox_transport { OUTBOX_FILE, OUTBOX_SMTP, OUTBOX_TRANSPORT__MAX };
extern const char *const outbox_transport_names[OUTBOX_TRANSPORT__MAX]; /* "file", "smtp" */

#define OUTBOX_BACKOFF_MAX 8
#define OUTBOX_PATH_MAX 512

struct outbox_config {
    enum outbox_transport transport;
    char dir[OUTBOX_PATH_MAX];      /* file: where the .eml files go, e.g. "var/outbox" */
    char smtp_url[OUTBOX_PATH_MAX]; /* smtp: "smtp://host:587" or "smtps://host:465" */
    char smtp_username[128];        /* "" for no login */
    char smtp_password[128];
    bool smtp_starttls;                /* smtp://: require STARTTLS */
    int smtp_timeout_s;                /* one SMTP transaction; default 30 */
    char from_addr[MAIL_ADDR_MAX + 1]; /* envelope and From: address */
    char from_name[MAIL_NAME_MAX + 1]; /* From: display name, may be "" */
    enum mail_cte cte;                 /* body encoding; default quoted-printable */
    int poll_s;                        /* seconds between looks at the outbox; default 10 */
    int batch;                         /* at most this many mails per look; default 50 */
    int max_attempts;                  /* then failed for good; default 6 */
    int backoff_s[OUTBOX_BACKOFF_MAX]; /* wait after attempt k (the last repeats) */
    int n_backoff;
    /* Optional: a clock (tests) and a log line sink (serve); NULL = time()
     * and silence.  log receives lines such as "outbox: mail 12 sent". */
    int64_t (*clock)(void *arg);
    void *clock_arg;
    void (*log)(void *arg, const char *line);
    void *log_arg;
};

/* The demo defaults: file transport into data_dir/outbox, from
 * "noreply@evisa.example", quoted-printable... see outbox.c. */
void outbox_config_default(struct outbox_config *c, const char *data_dir);

/* Checks a configuration: transport and its settings, the From address,
 * ranges (poll_s 1-3600, batch 1-1000, max_attempts 1-100, 1-8 backoff
 * steps of 0-604800 s).  0, or -NOTIFY_E_CONFIG with "key: reason" in err. */
int outbox_config_check(const struct outbox_config *c, char *err, size_t cap);

/* The seconds to wait after failed attempt number `attempt` (1-based). */
int outbox_backoff(const struct outbox_config *c, int attempt);

/* The mail for application app moving to status: to = the "email" field of
 * app->fields_json, subject and body in app->lang (mail_status_text), for
 * store_app_transition_mail.  Returns 0 with *out filled (out->body is
 * malloc'd: outbox_mail_clear), 1 when this status sends no mail or the
 * application has no e-mail address (out is then zeroed), or a negative
 * notify_err (-NOTIFY_E_BAD_ADDRESS when the address is unusable,
 * -NOTIFY_E_NO_TEMPLATE, -NOTIFY_E_INVALID, ...). */
int outbox_mail_for_status(const struct i18n *i, const struct store_app *app, const char *status,
                           struct store_mail *out);
/* Frees what outbox_mail_for_status put in m (the body). */
void outbox_mail_clear(struct store_mail *m);

/* What a run of deliveries did. */
struct outbox_stats {
    unsigned long sent;    /* delivered */
    unsigned long retried; /* failed, will retry later */
    unsigned long failed;  /* failed for good */
    unsigned long errors;  /* store errors */
};

/* One look at the outbox, synchronously: claims due mails (at most
 * c->batch) and delivers each through t at time now, recording each result
 * in the store.  Adds to *stats (may be NULL).  Returns the number of mails
 * attempted, or a negative store_err when the store cannot be read. */
int outbox_run_once(struct store *st, const struct outbox_config *c, struct mail_transport *t,
                    int64_t now, struct outbox_stats *stats);

struct outbox_worker;

/* Starts the worker thread with the transport of c (created here).  NULL
 * when c does not check or the thread cannot start.  i18n is kept for
 * future use (mails are rendered when queued) and may be NULL. */
struct outbox_worker *outbox_start(struct store *st, const struct i18n *i18n,
                                   const struct outbox_config *c);

/* As outbox_start with a transport of the caller's (owned by the worker from
 * now on, also on failure).  0, -NOTIFY_E_CONFIG or -NOTIFY_E_NOMEM. */
int outbox_start_with(struct store *st, const struct outbox_config *c, struct mail_transport *t,
                      struct outbox_worker **out);

/* Wakes the worker to look at the outbox now (e.g. after queuing a mail). */
void outbox_kick(struct outbox_worker *w);

/* A snapshot of the worker's counters. */
void outbox_worker_stats(struct outbox_worker *w, struct outbox_stats *out);

/* Stops the worker: the delivery in progress finishes and is recorded,
 * nothing more is claimed; joins the thread and frees everything.  NULL is
 * fine. */
void outbox_stop(struct outbox_worker *w);

#endif
