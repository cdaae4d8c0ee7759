/*
 * outbox.c — the notification outbox: the mail a status change queues, the
 * configuration of delivery, one synchronous delivery pass, and the worker
 * thread that runs passes until stopped.  See outbox.h.
 */
#include "notify/outbox.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

const char *const outbox_transport_names[OUTBOX_TRANSPORT__MAX] = {"file", "smtp"};

static const int default_backoff[] = {60, 300, 1800, 7200, 21600};

void outbox_config_default(struct outbox_config *c, const char *data_dir)
{
    memset(c, 0, sizeof *c);
    c->transport = OUTBOX_FILE;
    snprintf(c->dir, sizeof c->dir, "%s/outbox", data_dir && *data_dir ? data_dir : "var");
    c->smtp_timeout_s = 30;
    snprintf(c->from_addr, sizeof c->from_addr, "noreply@evisa.example");
    snprintf(c->from_name, sizeof c->from_name, "eVisa");
    c->cte = MAIL_CTE_QP;
    c->poll_s = 10;
    c->batch = 50;
    c->max_attempts = 6;
    c->n_backoff = (int)(sizeof default_backoff / sizeof *default_backoff);
    memcpy(c->backoff_s, default_backoff, sizeof default_backoff);
}

__attribute__((format(printf, 4, 5))) static int cfg_fail(char *err, size_t cap, const char *key,
                                                          const char *fmt, ...)
{
    if (err && cap) {
        int n = snprintf(err, cap, "%s: ", key);
        if (n >= 0 && (size_t)n < cap) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(err + n, cap - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -NOTIFY_E_CONFIG;
}

int outbox_config_check(const struct outbox_config *c, char *err, size_t cap)
{
    if (err && cap)
        err[0] = '\0';
    if (!c)
        return cfg_fail(err, cap, "config", "missing");
    if (c->transport < 0 || c->transport >= OUTBOX_TRANSPORT__MAX)
        return cfg_fail(err, cap, "transport", "must be \"file\" or \"smtp\"");
    if (c->transport == OUTBOX_FILE && !c->dir[0])
        return cfg_fail(err, cap, "dir", "must name a directory");
    if (c->transport == OUTBOX_SMTP && strncmp(c->smtp_url, "smtp://", 7) != 0 &&
        strncmp(c->smtp_url, "smtps://", 8) != 0)
        return cfg_fail(err, cap, "smtp_url", "must start with smtp:// or smtps://");
    if (c->transport == OUTBOX_SMTP && c->smtp_password[0] && !c->smtp_username[0])
        return cfg_fail(err, cap, "smtp_password", "given without smtp_username");
    if (c->smtp_timeout_s < 1 || c->smtp_timeout_s > 600)
        return cfg_fail(err, cap, "smtp_timeout_s", "must be 1 to 600");
    if (mail_check_address(c->from_addr) != 0)
        return cfg_fail(err, cap, "from_addr", "not an e-mail address");
    char enc[1024];
    if (c->from_name[0] && mail_encode_header_text(c->from_name, enc, sizeof enc) != 0)
        return cfg_fail(err, cap, "from_name", "must be UTF-8 text without line breaks");
    if (c->cte < 0 || c->cte >= MAIL_CTE__MAX)
        return cfg_fail(err, cap, "cte", "unknown body encoding");
    if (c->poll_s < 1 || c->poll_s > 3600)
        return cfg_fail(err, cap, "poll_s", "must be 1 to 3600");
    if (c->batch < 1 || c->batch > 1000)
        return cfg_fail(err, cap, "batch", "must be 1 to 1000");
    if (c->max_attempts < 1 || c->max_attempts > 100)
        return cfg_fail(err, cap, "max_attempts", "must be 1 to 100");
    if (c->n_backoff < 1 || c->n_backoff > OUTBOX_BACKOFF_MAX)
        return cfg_fail(err, cap, "backoff_s", "needs 1 to %d steps", OUTBOX_BACKOFF_MAX);
    for (int k = 0; k < c->n_backoff; k++)
        if (c->backoff_s[k] < 0 || c->backoff_s[k] > 604800)
            return cfg_fail(err, cap, "backoff_s", "steps must be 0 to 604800 seconds");
    return 0;
}

int outbox_backoff(const struct outbox_config *c, int attempt)
{
    if (c->n_backoff < 1)
        return 0;
    int k = attempt < 1 ? 0 : attempt - 1;
    if (k >= c->n_backoff)
        k = c->n_backoff - 1;
    return c->backoff_s[k];
}

/* ---- the mail of a status change ------------------------------------------- */

void outbox_mail_clear(struct store_mail *m)
{
    if (!m)
        return;
    free(m->body);
    m->body = NULL;
}

int outbox_mail_for_status(const struct i18n *i, const struct store_app *app, const char *status,
                           struct store_mail *out)
{
    if (!out)
        return -NOTIFY_E_INVALID;
    memset(out, 0, sizeof *out);
    if (!i || !app || !status)
        return -NOTIFY_E_INVALID;
    if (!mail_status_notifies(status))
        return 1;
    json_error_t jerr;
    json_t *fields = app->fields_json ? json_loads(app->fields_json, 0, &jerr) : NULL;
    const char *email = json_string_value(json_object_get(fields, "email"));
    if (!email || !*email) {
        json_decref(fields);
        return 1;
    }
    int rc = mail_check_address(email);
    if (rc == 0 && strlen(email) >= sizeof out->to)
        rc = -NOTIFY_E_BAD_ADDRESS;
    if (rc == 0) {
        snprintf(out->to, sizeof out->to, "%s", email);
        snprintf(out->reference, sizeof out->reference, "%s", app->reference);
        snprintf(out->status, sizeof out->status, "pending");
        rc = mail_status_text(i, app->lang, status, app->reference, app->deadline_at, out->subject,
                              sizeof out->subject, &out->body);
    }
    json_decref(fields);
    if (rc) {
        outbox_mail_clear(out);
        memset(out, 0, sizeof *out);
    }
    return rc;
}

/* ---- delivery ---------------------------------------------------------------- */

__attribute__((format(printf, 2, 3))) static void log_line(const struct outbox_config *c,
                                                           const char *fmt, ...)
{
    if (!c->log)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->log(c->log_arg, line);
}

static int64_t clock_now(const struct outbox_config *c)
{
    return c->clock ? c->clock(c->clock_arg) : (int64_t)time(NULL);
}

/* Whether s may be part of a file name and a Message-ID. */
static bool plain_token(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        bool ok = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
                  (*s >= '0' && *s <= '9') || *s == '-' || *s == '_';
        if (!ok)
            return false;
    }
    return true;
}

/* Delivers one claimed mail and records the outcome. */
static void deliver(struct store *st, const struct outbox_config *c, struct mail_transport *t,
                    const struct store_mail *m, int64_t now, struct outbox_stats *stats)
{
    int attempt = m->attempts + 1;
    bool ref_ok = plain_token(m->reference);
    char name[96], msgid[400], err[256] = "";
    snprintf(name, sizeof name, "%010lld%s%s", (long long)m->id, ref_ok ? "-" : "",
             ref_ok ? m->reference : "");
    /* Stable per mail: a retry after a lost acknowledgement can be told apart
     * from a second mail by the receiver. */
    snprintf(msgid, sizeof msgid, "evisa.%s@%s", name, strchr(c->from_addr, '@') + 1);

    struct mail_message msg = {
        .from_name = c->from_name,
        .from_addr = c->from_addr,
        .to_addr = m->to,
        .subject = m->subject,
        .body = m->body ? m->body : "",
        .date = now,
        .message_id = msgid,
        .cte = c->cte,
    };
    char *text = NULL;
    size_t len = 0;
    int rc = mail_compose(&msg, &text, &len);
    bool permanent;
    if (rc == 0) {
        struct mail_envelope env = {c->from_addr, m->to, name};
        rc = mail_transport_send(t, &env, text, len, err, sizeof err);
        permanent = rc == -NOTIFY_E_REJECTED || rc == -NOTIFY_E_INVALID;
    } else {
        snprintf(err, sizeof err, "cannot compose");
        permanent = rc != -NOTIFY_E_NOMEM; /* the stored mail itself is unusable */
    }
    free(text);

    int src;
    if (rc == 0) {
        src = store_outbox_result(st, m->id, true, false, 0, "");
        stats->sent++;
        log_line(c, "outbox: mail %lld (%s) sent", (long long)m->id, m->reference);
    } else {
        char reason[sizeof err + 64];
        snprintf(reason, sizeof reason, "%s: %s", notify_err_code(rc), err);
        bool give_up = permanent || attempt >= c->max_attempts;
        int64_t next = now + outbox_backoff(c, attempt);
        src = store_outbox_result(st, m->id, false, give_up, give_up ? now : next, reason);
        if (give_up)
            stats->failed++;
        else
            stats->retried++;
        log_line(c, "outbox: mail %lld (%s) attempt %d %s: %s", (long long)m->id, m->reference,
                 attempt, give_up ? "failed for good" : "failed, will retry", reason);
    }
    if (src) {
        stats->errors++;
        log_line(c, "outbox: mail %lld: cannot record the result: %s", (long long)m->id,
                 store_err_message(src));
    }
}

/* A pass: one mail claimed at a time so that stopping never leaves claimed,
 * unattempted mails behind. */
static int run_pass(struct store *st, const struct outbox_config *c, struct mail_transport *t,
                    const int64_t *fixed_now, const atomic_bool *stop, struct outbox_stats *stats)
{
    int done = 0;
    while (done < c->batch && !(stop && atomic_load(stop))) {
        int64_t now = fixed_now ? *fixed_now : clock_now(c);
        struct store_mail *mails = NULL;
        size_t n = 0;
        int rc = store_outbox_claim(st, now, 1, &mails, &n);
        if (rc) {
            stats->errors++;
            log_line(c, "outbox: cannot claim mails: %s", store_err_message(rc));
            return rc;
        }
        if (n == 0)
            break;
        deliver(st, c, t, &mails[0], now, stats);
        store_mails_free(mails, n);
        done++;
    }
    return done;
}

int outbox_run_once(struct store *st, const struct outbox_config *c, struct mail_transport *t,
                    int64_t now, struct outbox_stats *stats)
{
    if (!st || !c || !t)
        return -NOTIFY_E_INVALID;
    struct outbox_stats local = {0};
    int rc = run_pass(st, c, t, &now, NULL, &local);
    if (stats) {
        stats->sent += local.sent;
        stats->retried += local.retried;
        stats->failed += local.failed;
        stats->errors += local.errors;
    }
    return rc;
}

/* ---- the worker thread ------------------------------------------------------- */

struct outbox_worker {
    struct store *st;
    struct outbox_config cfg;
    struct mail_transport *t;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* on CLOCK_MONOTONIC */
    atomic_bool stop;
    bool kick;
    struct outbox_stats stats; /* under mu */
};

static void *worker_main(void *arg)
{
    struct outbox_worker *w = arg;
    for (;;) {
        struct outbox_stats local = {0};
        run_pass(w->st, &w->cfg, w->t, NULL, &w->stop, &local);

        pthread_mutex_lock(&w->mu);
        w->stats.sent += local.sent;
        w->stats.retried += local.retried;
        w->stats.failed += local.failed;
        w->stats.errors += local.errors;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += w->cfg.poll_s;
        while (!atomic_load(&w->stop) && !w->kick) {
            if (pthread_cond_timedwait(&w->cv, &w->mu, &until) != 0)
                break; /* timed out */
        }
        w->kick = false;
        bool stop = atomic_load(&w->stop);
        pthread_mutex_unlock(&w->mu);
        if (stop)
            break;
    }
    return NULL;
}

int outbox_start_with(struct store *st, const struct outbox_config *c, struct mail_transport *t,
                      struct outbox_worker **out)
{
    if (out)
        *out = NULL;
    if (!st || !c || !t || !out) {
        mail_transport_free(t);
        return -NOTIFY_E_INVALID;
    }
    int rc = outbox_config_check(c, NULL, 0);
    if (rc) {
        mail_transport_free(t);
        return rc;
    }
    struct outbox_worker *w = calloc(1, sizeof *w);
    if (!w) {
        mail_transport_free(t);
        return -NOTIFY_E_NOMEM;
    }
    w->st = st;
    w->cfg = *c;
    w->t = t;
    atomic_init(&w->stop, false);
    pthread_condattr_t ca;
    bool cv_ok = false, mu_ok = pthread_mutex_init(&w->mu, NULL) == 0;
    if (pthread_condattr_init(&ca) == 0) {
        cv_ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
                pthread_cond_init(&w->cv, &ca) == 0;
        pthread_condattr_destroy(&ca);
    }
    if (!mu_ok || !cv_ok || pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        if (cv_ok)
            pthread_cond_destroy(&w->cv);
        if (mu_ok)
            pthread_mutex_destroy(&w->mu);
        mail_transport_free(t);
        free(w);
        return -NOTIFY_E_NOMEM;
    }
    *out = w;
    return 0;
}

struct outbox_worker *outbox_start(struct store *st, const struct i18n *i18n,
                                   const struct outbox_config *c)
{
    (void)i18n; /* mails are rendered in the applicant's language when queued */
    if (!st || !c || outbox_config_check(c, NULL, 0) != 0)
        return NULL;
    struct mail_transport *t = NULL;
    int rc;
    if (c->transport == OUTBOX_FILE) {
        rc = mail_transport_file(c->dir, &t);
    } else {
        struct smtp_options o = {
            .url = c->smtp_url,
            .username = c->smtp_username,
            .password = c->smtp_password,
            .starttls = c->smtp_starttls,
            .timeout_s = c->smtp_timeout_s,
            .connect_timeout_s = c->smtp_timeout_s < 10 ? c->smtp_timeout_s : 10,
        };
        rc = mail_transport_smtp(&o, &t);
    }
    if (rc)
        return NULL;
    struct outbox_worker *w = NULL;
    outbox_start_with(st, c, t, &w);
    return w;
}

void outbox_kick(struct outbox_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->kick = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void outbox_worker_stats(struct outbox_worker *w, struct outbox_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    *out = w->stats;
    pthread_mutex_unlock(&w->mu);
}

void outbox_stop(struct outbox_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    atomic_store(&w->stop, true);
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    mail_transport_free(w->t);
    volatile char *p = w->cfg.smtp_password;
    for (size_t i = 0; i < sizeof w->cfg.smtp_password; i++)
        p[i] = 0;
    free(w);
}
