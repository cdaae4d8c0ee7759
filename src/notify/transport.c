/*
 * transport.c — the generic mail transport wrapper and the "file" transport
 * of the demo configuration (atomic .eml files).  See transport.h; the SMTP
 * transport is in transport_smtp.c.
 */
#include "notify/transport.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "notify/mail.h"

struct mail_transport {
    struct mail_transport_ops ops;
    void *ctx;
};

struct mail_transport *mail_transport_new(const struct mail_transport_ops *ops, void *ctx)
{
    struct mail_transport *t = ops && ops->send ? calloc(1, sizeof *t) : NULL;
    if (!t) {
        if (ops && ops->free)
            ops->free(ctx);
        return NULL;
    }
    t->ops = *ops;
    t->ctx = ctx;
    return t;
}

int mail_transport_send(struct mail_transport *t, const struct mail_envelope *env, const char *msg,
                        size_t len, char *err, size_t err_cap)
{
    if (err && err_cap)
        err[0] = '\0';
    char dummy[8];
    if (!err || err_cap == 0) {
        err = dummy;
        err_cap = sizeof dummy;
    }
    if (!t || !env || !env->from || !env->to || !env->name || !msg)
        return -NOTIFY_E_INVALID;
    return t->ops.send(t->ctx, env, msg, len, err, err_cap);
}

void mail_transport_free(struct mail_transport *t)
{
    if (!t)
        return;
    if (t->ops.free)
        t->ops.free(t->ctx);
    free(t);
}

/* ---- file transport ----------------------------------------------------------- */

#define FILE_DIR_MAX 512

struct file_ctx {
    char dir[FILE_DIR_MAX];
};

static bool safe_name(const char *name)
{
    if (!*name || strlen(name) > 128 || name[0] == '.')
        return false;
    for (const char *p = name; *p; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-';
        if (!ok)
            return false;
    }
    return true;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int file_send(void *vctx, const struct mail_envelope *env, const char *msg, size_t len,
                     char *err, size_t err_cap)
{
    struct file_ctx *c = vctx;
    if (!safe_name(env->name)) {
        snprintf(err, err_cap, "unsafe file name");
        return -NOTIFY_E_INVALID;
    }
    if (mkdir(c->dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, err_cap, "%s: cannot create directory: %s", c->dir, strerror(errno));
        return -NOTIFY_E_IO;
    }
    unsigned char rnd[6];
    if (RAND_bytes(rnd, sizeof rnd) != 1) {
        snprintf(err, err_cap, "no randomness");
        return -NOTIFY_E_IO;
    }
    char tmp[FILE_DIR_MAX + 200], final[FILE_DIR_MAX + 200];
    int n1 = snprintf(tmp, sizeof tmp, "%s/.tmp-%02x%02x%02x%02x%02x%02x-%s", c->dir, rnd[0],
                      rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], env->name);
    int n2 = snprintf(final, sizeof final, "%s/%s.eml", c->dir, env->name);
    if (n1 < 0 || (size_t)n1 >= sizeof tmp || n2 < 0 || (size_t)n2 >= sizeof final) {
        snprintf(err, err_cap, "path too long");
        return -NOTIFY_E_INVALID;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) {
        snprintf(err, err_cap, "%s: %s", tmp, strerror(errno));
        return -NOTIFY_E_IO;
    }
    int e = 0;
    if (write_all(fd, msg, len) != 0 || fsync(fd) != 0)
        e = errno ? errno : EIO;
    if (close(fd) != 0 && !e)
        e = errno;
    if (!e && rename(tmp, final) != 0)
        e = errno;
    if (e) {
        unlink(tmp);
        snprintf(err, err_cap, "%s: %s", final, strerror(e));
        return -NOTIFY_E_IO;
    }
    /* Make the rename durable. */
    int dfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

static void file_free(void *ctx)
{
    free(ctx);
}

int mail_transport_file(const char *dir, struct mail_transport **out)
{
    if (!out)
        return -NOTIFY_E_INVALID;
    *out = NULL;
    if (!dir || !*dir || strlen(dir) >= FILE_DIR_MAX)
        return -NOTIFY_E_CONFIG;
    struct file_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return -NOTIFY_E_NOMEM;
    snprintf(c->dir, sizeof c->dir, "%s", dir);
    static const struct mail_transport_ops ops = {file_send, file_free};
    *out = mail_transport_new(&ops, c);
    return *out ? 0 : -NOTIFY_E_NOMEM;
}
