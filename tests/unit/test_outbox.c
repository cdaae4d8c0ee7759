/*
 * test_outbox.c — delivering notifications (src/notify/outbox.h and
 * transport.h): the file transport's atomic .eml files; the SMTP transport
 * against a tiny fake SMTP server on 127.0.0.1 (a test double of the mail
 * relay, run in a thread of the test); and the outbox worker on a real store
 * in a temporary directory: a status change with a mail gives exactly one
 * .eml file, a failing transport is retried with backoff and then marked
 * failed, a refused mail fails at once, and stopping is prompt but finishes
 * the delivery in progress.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "notify/outbox.h"
#include "store/store.h"
#include "test.h"
#include "web/i18n.h"

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Removes every file of dir (one level) and dir itself. */
static void rm_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[1024];
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            if (remove(p) != 0)
                rm_dir(p);
        }
        closedir(d);
    }
    remove(dir);
}

/* Counts the files of dir whose names end in suffix ("" for all). */
static int count_files(const char *dir, const char *suffix, char *first, size_t cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name), sl = strlen(suffix);
        if (e->d_name[0] == '.' && (l < 5 || strncmp(e->d_name, ".tmp", 4) != 0))
            continue;
        if (l >= sl && strcmp(e->d_name + l - sl, suffix) == 0) {
            if (n == 0 && first)
                snprintf(first, cap, "%s/%s", dir, e->d_name);
            n++;
        }
    }
    closedir(d);
    return n;
}

/* ---- the file transport ------------------------------------------------------ */

TEST(file_transport_writes_eml_atomically)
{
    char dir[256], sub[300], path[600];
    CHECK(test_tmpdir(dir, sizeof dir));
    snprintf(sub, sizeof sub, "%s/outbox", dir); /* created on first use */
    struct mail_transport *t = NULL;
    CHECK_INT(mail_transport_file(sub, &t), 0);
    struct mail_envelope env = {"noreply@evisa.example", "a@example.com", "0000000001-R1"};
    char err[128];
    CHECK_INT(mail_transport_send(t, &env, "first\r\n", 7, err, sizeof err), 0);
    CHECK_STR(err, "");
    /* A retry of the same mail replaces the file instead of adding one. */
    CHECK_INT(mail_transport_send(t, &env, "second\r\n", 8, err, sizeof err), 0);
    CHECK_INT(count_files(sub, "", path, sizeof path), 1); /* no temporary left behind */
    CHECK(strstr(path, "/0000000001-R1.eml"));
    char *text = test_read_file(path, NULL);
    CHECK(text);
    CHECK_STR(text, "second\r\n");
    free(text);
    struct stat sb;
    CHECK_INT(stat(sub, &sb), 0);
    CHECK_INT(sb.st_mode & 0777, 0700);
    mail_transport_free(t);
    rm_dir(sub);
    rm_dir(dir);
}

TEST(file_transport_rejects_unsafe_names_and_reports_io_errors)
{
    char dir[256], file[300];
    CHECK(test_tmpdir(dir, sizeof dir));
    struct mail_transport *t = NULL;
    CHECK_INT(mail_transport_file(dir, &t), 0);
    char err[128];
    struct mail_envelope env = {"noreply@evisa.example", "a@example.com", "../escape"};
    CHECK_INT(mail_transport_send(t, &env, "x", 1, err, sizeof err), -NOTIFY_E_INVALID);
    env.name = ".hidden";
    CHECK_INT(mail_transport_send(t, &env, "x", 1, err, sizeof err), -NOTIFY_E_INVALID);
    env.name = "";
    CHECK_INT(mail_transport_send(t, &env, "x", 1, err, sizeof err), -NOTIFY_E_INVALID);
    env.name = NULL;
    CHECK_INT(mail_transport_send(t, &env, "x", 1, err, sizeof err), -NOTIFY_E_INVALID);
    CHECK_INT(count_files(dir, "", NULL, 0), 0);
    mail_transport_free(t);

    /* A directory that cannot exist: its parent is a regular file. */
    snprintf(file, sizeof file, "%s/plain", dir);
    FILE *f = fopen(file, "w");
    CHECK(f);
    fclose(f);
    char sub[400];
    snprintf(sub, sizeof sub, "%s/outbox", file);
    CHECK_INT(mail_transport_file(sub, &t), 0);
    env.name = "0000000002";
    CHECK_INT(mail_transport_send(t, &env, "x", 1, err, sizeof err), -NOTIFY_E_IO);
    CHECK(strstr(err, "cannot create directory"));
    mail_transport_free(t);

    CHECK_INT(mail_transport_file("", &t), -NOTIFY_E_CONFIG);
    CHECK(t == NULL);
    CHECK_INT(mail_transport_file(NULL, &t), -NOTIFY_E_CONFIG);
    CHECK_INT(mail_transport_file(dir, NULL), -NOTIFY_E_INVALID);
    rm_dir(dir);
}

/* ---- a fake SMTP server ------------------------------------------------------- */

enum fake_mode {
    FAKE_OK,
    FAKE_REJECT_RCPT, /* 550 on RCPT TO */
    FAKE_TEMPFAIL,    /* 451 after the data */
    FAKE_SILENT,      /* accepts the connection and never answers */
    FAKE_AUTH,        /* offers AUTH PLAIN and wants it */
};

struct fake_smtp {
    int lfd, port;
    enum fake_mode mode;
    pthread_t thread;
    atomic_bool stop;
    atomic_int sessions, messages;
    pthread_mutex_t mu;
    char mail_from[256], rcpt[256], auth[256];
    char data[16384];
    size_t data_len;
};

static void fs_send(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/* Reads one CRLF line (without it) into line; false on close, error or
 * stop.  buf/blen carry what was read past the line. */
static bool fs_line(struct fake_smtp *f, int fd, char *buf, size_t *blen, char *line, size_t cap)
{
    for (;;) {
        char *e = memchr(buf, '\n', *blen);
        if (e) {
            size_t l = (size_t)(e - buf) + 1;
            size_t keep = l >= 2 && buf[l - 2] == '\r' ? l - 2 : l - 1;
            snprintf(line, cap, "%.*s", (int)keep, buf);
            memmove(buf, buf + l, *blen - l);
            *blen -= l;
            return true;
        }
        if (*blen >= 4000 || atomic_load(&f->stop))
            return false;
        struct pollfd p = {fd, POLLIN, 0};
        int pr = poll(&p, 1, 100);
        if (pr < 0 && errno != EINTR)
            return false;
        if (pr <= 0)
            continue;
        ssize_t r = recv(fd, buf + *blen, 4096 - *blen, 0);
        if (r <= 0)
            return false;
        *blen += (size_t)r;
    }
}

static void fs_session(struct fake_smtp *f, int fd)
{
    char buf[4096], line[4096];
    size_t blen = 0;
    if (f->mode == FAKE_SILENT) {
        while (fs_line(f, fd, buf, &blen, line, sizeof line))
            ;
        return;
    }
    fs_send(fd, "220 fake.test ESMTP\r\n");
    while (fs_line(f, fd, buf, &blen, line, sizeof line)) {
        if (strncasecmp(line, "EHLO", 4) == 0 || strncasecmp(line, "HELO", 4) == 0) {
            fs_send(fd, f->mode == FAKE_AUTH ? "250-fake.test\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n"
                                             : "250-fake.test\r\n250 8BITMIME\r\n");
        } else if (strncasecmp(line, "AUTH PLAIN", 10) == 0) {
            const char *cred = line + 10;
            if (*cred == ' ')
                cred++;
            if (!*cred) {
                fs_send(fd, "334 \r\n");
                if (!fs_line(f, fd, buf, &blen, line, sizeof line))
                    return;
                cred = line;
            }
            pthread_mutex_lock(&f->mu);
            snprintf(f->auth, sizeof f->auth, "%.255s", cred);
            pthread_mutex_unlock(&f->mu);
            fs_send(fd, "235 2.7.0 ok\r\n");
        } else if (strncasecmp(line, "MAIL FROM:", 10) == 0) {
            pthread_mutex_lock(&f->mu);
            snprintf(f->mail_from, sizeof f->mail_from, "%.255s", line + 10);
            pthread_mutex_unlock(&f->mu);
            fs_send(fd, "250 2.1.0 ok\r\n");
        } else if (strncasecmp(line, "RCPT TO:", 8) == 0) {
            pthread_mutex_lock(&f->mu);
            snprintf(f->rcpt, sizeof f->rcpt, "%.255s", line + 8);
            pthread_mutex_unlock(&f->mu);
            fs_send(fd, f->mode == FAKE_REJECT_RCPT ? "550 5.1.1 no such user\r\n"
                                                    : "250 2.1.5 ok\r\n");
        } else if (strncasecmp(line, "DATA", 4) == 0) {
            fs_send(fd, "354 go ahead\r\n");
            pthread_mutex_lock(&f->mu);
            f->data_len = 0;
            pthread_mutex_unlock(&f->mu);
            while (fs_line(f, fd, buf, &blen, line, sizeof line) && strcmp(line, ".") != 0) {
                const char *l = line[0] == '.' ? line + 1 : line; /* dot-unstuffing */
                pthread_mutex_lock(&f->mu);
                int n = snprintf(f->data + f->data_len, sizeof f->data - f->data_len, "%s\r\n", l);
                if (n > 0 && (size_t)n < sizeof f->data - f->data_len)
                    f->data_len += (size_t)n;
                pthread_mutex_unlock(&f->mu);
            }
            if (f->mode == FAKE_TEMPFAIL) {
                fs_send(fd, "451 4.3.0 try again later\r\n");
            } else {
                atomic_fetch_add(&f->messages, 1);
                fs_send(fd, "250 2.0.0 queued\r\n");
            }
        } else if (strncasecmp(line, "RSET", 4) == 0 || strncasecmp(line, "NOOP", 4) == 0) {
            fs_send(fd, "250 ok\r\n");
        } else if (strncasecmp(line, "QUIT", 4) == 0) {
            fs_send(fd, "221 bye\r\n");
            return;
        } else {
            fs_send(fd, "502 5.5.2 unknown command\r\n");
        }
    }
}

static void *fs_main(void *arg)
{
    struct fake_smtp *f = arg;
    while (!atomic_load(&f->stop)) {
        struct pollfd p = {f->lfd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        int fd = accept(f->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        atomic_fetch_add(&f->sessions, 1);
        fs_session(f, fd);
        close(fd);
    }
    return NULL;
}

static bool fake_start(struct fake_smtp *f, enum fake_mode mode)
{
    memset(f, 0, sizeof *f);
    f->mode = mode;
    pthread_mutex_init(&f->mu, NULL);
    f->lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (f->lfd < 0 || bind(f->lfd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(f->lfd, 8) != 0 || getsockname(f->lfd, (struct sockaddr *)&a, &al) != 0) {
        if (f->lfd >= 0)
            close(f->lfd);
        return false;
    }
    f->port = ntohs(a.sin_port);
    if (pthread_create(&f->thread, NULL, fs_main, f) != 0) {
        close(f->lfd);
        return false;
    }
    return true;
}

static void fake_stop(struct fake_smtp *f)
{
    atomic_store(&f->stop, true);
    pthread_join(f->thread, NULL);
    close(f->lfd);
    pthread_mutex_destroy(&f->mu);
}

static const char sample_msg[] = "From: noreply@evisa.example\r\n"
                                 "To: a@example.com\r\n"
                                 "Subject: hi\r\n"
                                 "\r\n"
                                 "Hello.\r\n"
                                 ".dot line\r\n";

static int smtp_to_fake(struct fake_smtp *f, const char *user, const char *password, long timeout,
                        char *err, size_t cap)
{
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", f->port);
    struct smtp_options o = {.url = url,
                             .username = user,
                             .password = password,
                             .timeout_s = timeout,
                             .connect_timeout_s = timeout};
    struct mail_transport *t = NULL;
    int rc = mail_transport_smtp(&o, &t);
    if (rc)
        return rc;
    struct mail_envelope env = {"noreply@evisa.example", "a@example.com", "0000000001"};
    rc = mail_transport_send(t, &env, sample_msg, strlen(sample_msg), err, cap);
    mail_transport_free(t);
    return rc;
}

TEST(smtp_transport_delivers_to_a_fake_server)
{
    struct fake_smtp f;
    CHECK(fake_start(&f, FAKE_OK));
    char err[256];
    int rc = smtp_to_fake(&f, NULL, NULL, 5, err, sizeof err);
    fake_stop(&f);
    CHECK_INT(rc, 0);
    CHECK_INT(atomic_load(&f.messages), 1);
    CHECK_STR(f.mail_from, "<noreply@evisa.example>");
    CHECK_STR(f.rcpt, "<a@example.com>");
    CHECK_STR(f.data, sample_msg); /* byte for byte, the dot line unstuffed */
    CHECK_STR(f.auth, "");
}

TEST(smtp_transport_logs_in_when_configured)
{
    struct fake_smtp f;
    CHECK(fake_start(&f, FAKE_AUTH));
    char err[256];
    int rc = smtp_to_fake(&f, "mailer", "s3cret", 5, err, sizeof err);
    fake_stop(&f);
    CHECK_INT(rc, 0);
    unsigned char dec[128];
    int n = EVP_DecodeBlock(dec, (const unsigned char *)f.auth, (int)strlen(f.auth));
    CHECK(n >= 14);
    CHECK(memcmp(dec, "\0mailer\0s3cret", 14) == 0);
    CHECK_INT(atomic_load(&f.messages), 1);
}

TEST(smtp_transport_reports_a_refusal_as_permanent)
{
    struct fake_smtp f;
    CHECK(fake_start(&f, FAKE_REJECT_RCPT));
    char err[256];
    int rc = smtp_to_fake(&f, NULL, NULL, 5, err, sizeof err);
    fake_stop(&f);
    CHECK_INT(rc, -NOTIFY_E_REJECTED);
    CHECK(strstr(err, "550"));
    CHECK_INT(atomic_load(&f.messages), 0);
}

TEST(smtp_transport_reports_a_temporary_failure)
{
    struct fake_smtp f;
    CHECK(fake_start(&f, FAKE_TEMPFAIL));
    char err[256];
    int rc = smtp_to_fake(&f, NULL, NULL, 5, err, sizeof err);
    fake_stop(&f);
    CHECK_INT(rc, -NOTIFY_E_SMTP);
    CHECK(strstr(err, "451"));
}

TEST(smtp_transport_times_out_on_a_silent_server)
{
    struct fake_smtp f;
    CHECK(fake_start(&f, FAKE_SILENT));
    char err[256];
    double t0 = mono_now();
    int rc = smtp_to_fake(&f, NULL, NULL, 1, err, sizeof err);
    double took = mono_now() - t0;
    fake_stop(&f);
    CHECK_INT(rc, -NOTIFY_E_SMTP);
    CHECK(took < 4.0);
}

TEST(smtp_transport_reports_a_refused_connection)
{
    /* A port nobody listens on: bind, note it, close. */
    struct fake_smtp f;
    CHECK(fake_start(&f, FAKE_OK));
    fake_stop(&f);
    char err[256];
    CHECK_INT(smtp_to_fake(&f, NULL, NULL, 2, err, sizeof err), -NOTIFY_E_SMTP);
    CHECK(err[0] != '\0');
}

TEST(smtp_transport_rejects_bad_options)
{
    struct mail_transport *t = (struct mail_transport *)&t;
    struct smtp_options o = {.url = "http://mail.example:25"};
    CHECK_INT(mail_transport_smtp(&o, &t), -NOTIFY_E_CONFIG);
    CHECK(t == NULL);
    o.url = "smtp://";
    CHECK_INT(mail_transport_smtp(&o, &t), -NOTIFY_E_CONFIG);
    o.url = "smtp://mail.example:25/\r\nRCPT";
    CHECK_INT(mail_transport_smtp(&o, &t), -NOTIFY_E_CONFIG);
    o.url = "smtp://mail.example:25";
    o.password = "secret"; /* without a username */
    CHECK_INT(mail_transport_smtp(&o, &t), -NOTIFY_E_CONFIG);
    o.username = "user";
    o.password = NULL;
    CHECK_INT(mail_transport_smtp(&o, &t), -NOTIFY_E_CONFIG);
    o.username = NULL;
    o.timeout_s = -1;
    CHECK_INT(mail_transport_smtp(&o, &t), -NOTIFY_E_CONFIG);
    CHECK_INT(mail_transport_smtp(NULL, &t), -NOTIFY_E_CONFIG);
    CHECK_INT(mail_transport_smtp(&o, NULL), -NOTIFY_E_INVALID);
    o.timeout_s = 0;
    o.url = "smtps://mail.example:465";
    CHECK_INT(mail_transport_smtp(&o, &t), 0);
    mail_transport_free(t);
}

/* ---- configuration -------------------------------------------------------------- */

TEST(outbox_config_default_is_the_file_demo)
{
    struct outbox_config c;
    outbox_config_default(&c, "var");
    CHECK_INT(c.transport, OUTBOX_FILE);
    CHECK_STR(c.dir, "var/outbox");
    char err[128];
    CHECK_INT(outbox_config_check(&c, err, sizeof err), 0);
    CHECK_STR(outbox_transport_names[c.transport], "file");
}

TEST(outbox_backoff_is_exponential_then_steady)
{
    struct outbox_config c;
    outbox_config_default(&c, "var");
    CHECK_INT(outbox_backoff(&c, 1), 60);
    CHECK_INT(outbox_backoff(&c, 2), 300);
    CHECK_INT(outbox_backoff(&c, 3), 1800);
    CHECK_INT(outbox_backoff(&c, 4), 7200);
    CHECK_INT(outbox_backoff(&c, 5), 21600);
    CHECK_INT(outbox_backoff(&c, 9), 21600);
    CHECK_INT(outbox_backoff(&c, 0), 60);
}

TEST(outbox_config_check_rejects_bad_values)
{
    struct outbox_config c;
    char err[128];
    struct {
        const char *key;
        void (*bad)(struct outbox_config *);
    } cases[] = {
        {"transport", NULL},      {"dir", NULL},          {"smtp_url", NULL},
        {"smtp_password", NULL},  {"from_addr", NULL},    {"poll_s", NULL},
        {"batch", NULL},          {"max_attempts", NULL}, {"backoff_s", NULL},
        {"smtp_timeout_s", NULL}, {"cte", NULL},          {"from_name", NULL},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        outbox_config_default(&c, "var");
        switch (k) {
        case 0:
            c.transport = OUTBOX_TRANSPORT__MAX;
            break;
        case 1:
            c.dir[0] = '\0';
            break;
        case 2:
            c.transport = OUTBOX_SMTP;
            snprintf(c.smtp_url, sizeof c.smtp_url, "mail:25");
            break;
        case 3:
            c.transport = OUTBOX_SMTP;
            snprintf(c.smtp_url, sizeof c.smtp_url, "smtp://mail.example");
            snprintf(c.smtp_password, sizeof c.smtp_password, "x");
            break;
        case 4:
            snprintf(c.from_addr, sizeof c.from_addr, "noreply");
            break;
        case 5:
            c.poll_s = 0;
            break;
        case 6:
            c.batch = 0;
            break;
        case 7:
            c.max_attempts = 0;
            break;
        case 8:
            c.n_backoff = 0;
            break;
        case 9:
            c.smtp_timeout_s = 0;
            break;
        case 10:
            c.cte = MAIL_CTE__MAX;
            break;
        case 11:
            snprintf(c.from_name, sizeof c.from_name, "eVisa\r\nBcc: x@y.z");
            break;
        }
        CHECK_CTX(outbox_config_check(&c, err, sizeof err) == -NOTIFY_E_CONFIG, cases[k].key);
        CHECK_CTX(strncmp(err, cases[k].key, strlen(cases[k].key)) == 0, cases[k].key);
    }
    outbox_config_default(&c, "var");
    c.backoff_s[1] = -5;
    CHECK_INT(outbox_config_check(&c, err, sizeof err), -NOTIFY_E_CONFIG);
    CHECK_INT(outbox_config_check(NULL, err, sizeof err), -NOTIFY_E_CONFIG);
}

/* ---- the mail of a status change ----------------------------------------------- */

static const char po_en[] = "msgid \"status.refused\"\nmsgstr \"Refused\"\n\n"
                            "msgid \"mail.refused.subject\"\nmsgstr \"Decision on {reference}\"\n\n"
                            "msgid \"mail.refused.body\"\nmsgstr \"Your application {reference}: "
                            "{status}.\"\n";
static const char po_ur[] =
    "msgid \"status.refused\"\nmsgstr \"مسترد\"\n\n"
    "msgid \"mail.refused.subject\"\nmsgstr \"درخواست {reference} پر فیصلہ\"\n";

static struct i18n *test_catalogs(void)
{
    struct i18n *i = i18n_new();
    char err[128];
    if (!i || i18n_load_string(i, "en", "en.po", po_en, strlen(po_en), err, sizeof err) ||
        i18n_load_string(i, "ur", "ur.po", po_ur, strlen(po_ur), err, sizeof err)) {
        i18n_free(i);
        return NULL;
    }
    return i;
}

static void app_fill(struct store_app *a, const char *ref, const char *lang, const char *fields)
{
    memset(a, 0, sizeof *a);
    snprintf(a->reference, sizeof a->reference, "%s", ref);
    snprintf(a->state, sizeof a->state, "AZE");
    snprintf(a->visa_type, sizeof a->visa_type, "tourist");
    snprintf(a->track, sizeof a->track, "standard");
    snprintf(a->lang, sizeof a->lang, "%s", lang);
    snprintf(a->token_hash, sizeof a->token_hash, "%064d", 7);
    snprintf(a->currency, sizeof a->currency, "USD");
    a->fee_minor = 2000;
    a->fields_json = (char *)fields;
}

TEST(outbox_mail_for_status_builds_the_applicants_mail)
{
    struct i18n *i = test_catalogs();
    CHECK(i);
    struct store_app app;
    app_fill(&app, "AZE-7K3Q", "ur", "{\"surname\":\"KHAN\",\"email\":\"ali@example.com\"}");
    struct store_mail m;
    int rc = outbox_mail_for_status(i, &app, "refused", &m);
    i18n_free(i);
    CHECK_INT(rc, 0);
    CHECK_STR(m.to, "ali@example.com");
    CHECK_STR(m.reference, "AZE-7K3Q");
    CHECK_STR(m.subject, "درخواست AZE-7K3Q پر فیصلہ");
    CHECK_STR(m.body, "Your application AZE-7K3Q: مسترد."); /* body fell back to English */
    CHECK_STR(m.status, "pending");
    outbox_mail_clear(&m);
    CHECK(m.body == NULL);
}

TEST(outbox_mail_for_status_skips_quiet_statuses_and_missing_addresses)
{
    struct i18n *i = test_catalogs();
    CHECK(i);
    struct store_app app;
    struct store_mail m;
    app_fill(&app, "R1", "en", "{\"email\":\"ali@example.com\"}");
    int quiet = outbox_mail_for_status(i, &app, "in_review", &m);
    app_fill(&app, "R1", "en", "{\"surname\":\"KHAN\"}");
    int noaddr = outbox_mail_for_status(i, &app, "refused", &m);
    app_fill(&app, "R1", "en", "{\"email\":\"\"}");
    int empty = outbox_mail_for_status(i, &app, "refused", &m);
    app_fill(&app, "R1", "en", "not json");
    int broken = outbox_mail_for_status(i, &app, "refused", &m);
    app_fill(&app, "R1", "en", "{\"email\":\"a@b.c\\r\\nBcc: x@y.z\"}");
    int inject = outbox_mail_for_status(i, &app, "refused", &m);
    app_fill(&app, "R1", "en", "{\"email\":\"not-an-address\"}");
    int bad = outbox_mail_for_status(i, &app, "refused", &m);
    char fields[400];
    snprintf(fields, sizeof fields, "{\"email\":\"%0130d@example.com\"}", 0);
    app_fill(&app, "R1", "en", fields);
    int toolong = outbox_mail_for_status(i, &app, "refused", &m);
    app_fill(&app, "R1", "en", "{\"email\":\"ali@example.com\"}");
    int notmpl = outbox_mail_for_status(i, &app, "issued", &m);
    int noargs = outbox_mail_for_status(NULL, &app, "issued", &m);
    i18n_free(i);
    CHECK_INT(quiet, 1);
    CHECK_INT(noaddr, 1);
    CHECK_INT(empty, 1);
    CHECK_INT(broken, 1);
    CHECK_INT(inject, -NOTIFY_E_HEADER_INJECTION);
    CHECK_INT(bad, -NOTIFY_E_BAD_ADDRESS);
    CHECK_INT(toolong, -NOTIFY_E_BAD_ADDRESS);
    CHECK_INT(notmpl, -NOTIFY_E_NO_TEMPLATE);
    CHECK_INT(noargs, -NOTIFY_E_INVALID);
    CHECK(m.body == NULL);
    CHECK_INT(outbox_mail_for_status(NULL, &app, "issued", NULL), -NOTIFY_E_INVALID);
}

/* ---- the worker, on a real store ----------------------------------------------- */

struct tstore {
    char dir[256], db[300], out[300];
    struct store *st;
};

static bool tstore_open(struct tstore *t)
{
    memset(t, 0, sizeof *t);
    if (!test_tmpdir(t->dir, sizeof t->dir))
        return false;
    snprintf(t->db, sizeof t->db, "%s/evisa.db", t->dir);
    snprintf(t->out, sizeof t->out, "%s/outbox", t->dir);
    return store_open(t->db, &t->st) == 0;
}

static void tstore_close(struct tstore *t)
{
    if (t->st)
        store_close(t->st);
    rm_dir(t->out);
    rm_dir(t->dir);
}

/* Creates application ref and moves it draft -> submitted, queuing one mail
 * (unless with_mail is false). */
static int queue_mail_to(struct store *st, const char *ref, bool with_mail, const char *to)
{
    struct store_app in, out;
    app_fill(&in, ref, "en", "{\"email\":\"ali@example.com\"}");
    int rc = store_app_create(st, &in, NULL, NULL, &out, NULL);
    store_app_clear(&out);
    if (rc)
        return rc;
    struct store_mail m = {0};
    snprintf(m.to, sizeof m.to, "%s", to);
    snprintf(m.reference, sizeof m.reference, "%s", ref);
    snprintf(m.subject, sizeof m.subject, "Application %s received — qəbul edildi", ref);
    m.body = (char *)"Your application was received.\nMüraciətiniz qəbul edildi.\n";
    return store_app_transition_mail(st, ref, "draft", "submitted", 1, 2, "applicant", "submitted",
                                     "{}", with_mail ? &m : NULL);
}

static int queue_mail(struct store *st, const char *ref, bool with_mail)
{
    return queue_mail_to(st, ref, with_mail, "ali@example.com");
}

static void test_config(struct outbox_config *c, const struct tstore *t)
{
    outbox_config_default(c, t->dir);
    c->poll_s = 1;
}

TEST(outbox_worker_writes_one_eml_per_mail)
{
    struct tstore t;
    CHECK(tstore_open(&t));
    int q1 = queue_mail(t.st, "AZE-AAAA-0001", true);
    int q2 = queue_mail(t.st, "AZE-AAAA-0002", false); /* a change without a mail */
    struct outbox_config c;
    test_config(&c, &t);
    struct outbox_worker *w = q1 || q2 ? NULL : outbox_start(t.st, NULL, &c);
    char path[700] = "";
    int files = 0;
    for (int k = 0; w && k < 100 && files == 0; k++) {
        sleep_ms(50);
        files = count_files(t.out, ".eml", path, sizeof path);
    }
    sleep_ms(200); /* and no second file follows */
    files = count_files(t.out, "", path, sizeof path);
    struct outbox_stats s;
    outbox_worker_stats(w, &s);
    outbox_stop(w);
    char *text = files == 1 ? test_read_file(path, NULL) : NULL;
    tstore_close(&t);
    CHECK_INT(q1, 0);
    CHECK_INT(q2, 0);
    CHECK(w);
    CHECK_INT(files, 1);
    CHECK(strstr(path, "-AZE-AAAA-0001.eml"));
    CHECK_INT(s.sent, 1);
    CHECK_INT(s.failed + s.retried + s.errors, 0);
    CHECK(text);
    bool ok = strstr(text, "\r\nTo: ali@example.com\r\n") && strstr(text, "Subject: =?UTF-8?B?") &&
              strstr(text, "From: eVisa <noreply@evisa.example>\r\n") &&
              strstr(text, "Content-Transfer-Encoding: quoted-printable\r\n") &&
              strstr(text, "M=C3=BCraci=C9=99tiniz");
    free(text);
    CHECK(ok);
}

struct fake_transport {
    int rc; /* what send returns */
    int calls;
    long sleep_ms; /* per send */
    atomic_bool entered, finished;
};

static int fake_send(void *ctx, const struct mail_envelope *env, const char *msg, size_t len,
                     char *err, size_t cap)
{
    struct fake_transport *f = ctx;
    (void)env, (void)msg, (void)len;
    atomic_store(&f->entered, true);
    f->calls++;
    if (f->sleep_ms)
        sleep_ms(f->sleep_ms);
    snprintf(err, cap, "fake says %d", f->rc);
    atomic_store(&f->finished, true);
    return f->rc;
}

static const struct mail_transport_ops fake_ops = {fake_send, NULL};

TEST(outbox_retries_with_backoff_then_fails)
{
    struct tstore t;
    CHECK(tstore_open(&t));
    int q = queue_mail(t.st, "AZE-BBBB-0001", true);
    struct fake_transport f = {.rc = -NOTIFY_E_SMTP};
    struct mail_transport *tr = mail_transport_new(&fake_ops, &f);
    struct outbox_config c;
    test_config(&c, &t);
    c.max_attempts = 3;
    c.n_backoff = 2;
    c.backoff_s[0] = 60;
    c.backoff_s[1] = 300;
    struct outbox_stats s = {0};
    int64_t t0 = (int64_t)time(NULL) + 5;
    int r[7];
    r[0] = outbox_run_once(t.st, &c, tr, t0, &s);              /* attempt 1 fails */
    r[1] = outbox_run_once(t.st, &c, tr, t0 + 59, &s);         /* not yet due */
    r[2] = outbox_run_once(t.st, &c, tr, t0 + 60, &s);         /* attempt 2 fails */
    r[3] = outbox_run_once(t.st, &c, tr, t0 + 60 + 299, &s);   /* not yet due */
    r[4] = outbox_run_once(t.st, &c, tr, t0 + 60 + 300, &s);   /* attempt 3: failed */
    r[5] = outbox_run_once(t.st, &c, tr, t0 + 86400 * 30, &s); /* nothing left */
    r[6] = outbox_run_once(t.st, &c, NULL, t0, &s);
    mail_transport_free(tr);
    tstore_close(&t);
    CHECK_INT(q, 0);
    int want[7] = {1, 0, 1, 0, 1, 0, -NOTIFY_E_INVALID};
    for (int k = 0; k < 7; k++)
        CHECK_INT(r[k], want[k]);
    CHECK_INT(f.calls, 3);
    CHECK_INT(s.retried, 2);
    CHECK_INT(s.failed, 1);
    CHECK_INT(s.sent + s.errors, 0);
}

TEST(outbox_fails_a_refused_mail_at_once)
{
    struct tstore t;
    CHECK(tstore_open(&t));
    int q = queue_mail(t.st, "AZE-CCCC-0001", true);
    struct fake_transport f = {.rc = -NOTIFY_E_REJECTED};
    struct mail_transport *tr = mail_transport_new(&fake_ops, &f);
    struct outbox_config c;
    test_config(&c, &t);
    struct outbox_stats s = {0};
    int64_t t0 = (int64_t)time(NULL) + 5;
    int r0 = outbox_run_once(t.st, &c, tr, t0, &s);
    int r1 = outbox_run_once(t.st, &c, tr, t0 + 86400 * 30, &s);
    mail_transport_free(tr);
    tstore_close(&t);
    CHECK_INT(q, 0);
    CHECK_INT(r0, 1);
    CHECK_INT(r1, 0);
    CHECK_INT(f.calls, 1);
    CHECK_INT(s.failed, 1);
    CHECK_INT(s.retried, 0);
}

TEST(outbox_fails_a_mail_that_cannot_be_composed)
{
    struct tstore t;
    CHECK(tstore_open(&t));
    /* A stored address that is not one: the mail can never be composed. */
    int q = queue_mail_to(t.st, "AZE-DDDD-0001", true, "not an address");
    struct fake_transport f = {.rc = 0};
    struct mail_transport *tr = mail_transport_new(&fake_ops, &f);
    struct outbox_config c;
    test_config(&c, &t);
    struct outbox_stats s = {0};
    int r0 = outbox_run_once(t.st, &c, tr, (int64_t)time(NULL) + 5, &s);
    mail_transport_free(tr);
    tstore_close(&t);
    CHECK_INT(q, 0);
    CHECK_INT(r0, 1);
    CHECK_INT(f.calls, 0);
    CHECK_INT(s.failed, 1);
}

TEST(outbox_stop_is_prompt)
{
    struct tstore t;
    CHECK(tstore_open(&t));
    struct outbox_config c;
    test_config(&c, &t);
    c.poll_s = 3600;
    struct outbox_worker *w = outbox_start(t.st, NULL, &c);
    sleep_ms(100); /* the worker is now waiting for the next poll */
    double t0 = mono_now();
    outbox_stop(w);
    double took = mono_now() - t0;
    tstore_close(&t);
    CHECK(w);
    CHECK(took < 0.5);
}

TEST(outbox_stop_finishes_the_delivery_in_progress)
{
    struct tstore t;
    CHECK(tstore_open(&t));
    int q1 = queue_mail(t.st, "AZE-EEEE-0001", true);
    int q2 = queue_mail(t.st, "AZE-EEEE-0002", true);
    struct fake_transport f = {.rc = 0, .sleep_ms = 300};
    struct mail_transport *tr = mail_transport_new(&fake_ops, &f);
    struct outbox_config c;
    test_config(&c, &t);
    struct outbox_worker *w = NULL;
    int rc = outbox_start_with(t.st, &c, tr, &w);
    for (int k = 0; w && k < 200 && !atomic_load(&f.entered); k++)
        sleep_ms(10);
    bool entered = atomic_load(&f.entered);
    outbox_stop(w); /* during the first delivery */
    bool finished = atomic_load(&f.finished);
    int calls = f.calls;
    /* The first mail was recorded as sent; the second is still due. */
    struct fake_transport f2 = {.rc = 0};
    struct mail_transport *tr2 = mail_transport_new(&fake_ops, &f2);
    struct outbox_stats s = {0};
    int left = outbox_run_once(t.st, &c, tr2, (int64_t)time(NULL) + 5, &s);
    mail_transport_free(tr2);
    tstore_close(&t);
    CHECK_INT(q1, 0);
    CHECK_INT(q2, 0);
    CHECK_INT(rc, 0);
    CHECK(entered);
    CHECK(finished);
    CHECK_INT(calls, 1);
    CHECK_INT(left, 1);
    CHECK_INT(s.sent, 1);
}

TEST(outbox_worker_delivers_over_smtp)
{
    struct tstore t;
    CHECK(tstore_open(&t));
    struct fake_smtp fs;
    CHECK(fake_start(&fs, FAKE_OK));
    int q = queue_mail(t.st, "AZE-FFFF-0001", true);
    struct outbox_config c;
    test_config(&c, &t);
    c.transport = OUTBOX_SMTP;
    snprintf(c.smtp_url, sizeof c.smtp_url, "smtp://127.0.0.1:%d", fs.port);
    c.smtp_timeout_s = 5;
    struct outbox_worker *w = q ? NULL : outbox_start(t.st, NULL, &c);
    for (int k = 0; w && k < 200 && atomic_load(&fs.messages) == 0; k++)
        sleep_ms(25);
    outbox_stop(w);
    fake_stop(&fs);
    tstore_close(&t);
    CHECK_INT(q, 0);
    CHECK(w);
    CHECK_INT(atomic_load(&fs.messages), 1);
    CHECK_STR(fs.rcpt, "<ali@example.com>");
    CHECK(strstr(fs.data, "Message-ID: <evisa.0000000001-AZE-FFFF-0001@evisa.example>\r\n"));
}

TEST(outbox_start_refuses_bad_arguments)
{
    struct tstore t;
    CHECK(tstore_open(&t));
    struct outbox_config c;
    test_config(&c, &t);
    c.poll_s = 0;
    struct outbox_worker *w1 = outbox_start(t.st, NULL, &c);
    struct outbox_worker *w2 = outbox_start(NULL, NULL, &c);
    struct outbox_worker *w3 = (struct outbox_worker *)&w3;
    struct fake_transport f = {0};
    int rc1 = outbox_start_with(t.st, &c, mail_transport_new(&fake_ops, &f), &w3);
    test_config(&c, &t);
    c.transport = OUTBOX_SMTP;
    snprintf(c.smtp_url, sizeof c.smtp_url, "smtp://");
    struct outbox_worker *w4 = outbox_start(t.st, NULL, &c);
    int rc2 = outbox_start_with(NULL, &c, mail_transport_new(&fake_ops, &f), &w3);
    tstore_close(&t);
    CHECK(w1 == NULL);
    CHECK(w2 == NULL);
    CHECK(w4 == NULL);
    CHECK(w3 == NULL);
    CHECK_INT(rc1, -NOTIFY_E_CONFIG);
    CHECK_INT(rc2, -NOTIFY_E_INVALID);
    outbox_stop(NULL);
    outbox_kick(NULL);
}
