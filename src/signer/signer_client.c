/*
 * signer_client.c — the web process's side of the signer protocol: one
 * request per connection with an overall deadline, and starting/stopping
 * the signer child (see signer_client.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "signer/signer_client.h"

extern char **environ;

__attribute__((format(printf, 4, 5))) static int say(int code, char *err, size_t cap,
                                                     const char *fmt, ...)
{
    if (err && cap) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(err, cap, fmt, ap);
        va_end(ap);
        if (k < 0)
            err[0] = '\0';
    }
    return -code;
}

static void deadline_in(struct timespec *d, long ms)
{
    clock_gettime(CLOCK_MONOTONIC, d);
    d->tv_sec += ms / 1000;
    d->tv_nsec += (ms % 1000) * 1000000L;
    if (d->tv_nsec >= 1000000000L) {
        d->tv_sec++;
        d->tv_nsec -= 1000000000L;
    }
}

static int ms_left(const struct timespec *d)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    long ms = (d->tv_sec - t.tv_sec) * 1000 + (d->tv_nsec - t.tv_nsec) / 1000000;
    return ms < 0 ? 0 : (int)ms;
}

/* Waits for `events` on fd before the deadline: 0, or -SIGNER_E_TIMEOUT. */
static int wait_fd(int fd, short events, const struct timespec *d)
{
    for (;;) {
        int left = ms_left(d);
        struct pollfd pf = {.fd = fd, .events = events};
        if (left == 0)
            return -SIGNER_E_TIMEOUT;
        int k = poll(&pf, 1, left);
        if (k > 0)
            return 0;
        if (k == 0)
            return -SIGNER_E_TIMEOUT;
        if (errno != EINTR)
            return -SIGNER_E_UNAVAILABLE;
    }
}

/* Sends one request frame and reads the whole response body into body.
 * Returns the body length or a negative code. */
static int exchange(const char *socket_path, const uint8_t *req, size_t req_len, int timeout_ms,
                    uint8_t *body, size_t cap, char *err, size_t err_cap)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!socket_path || strlen(socket_path) >= sizeof sa.sun_path)
        return say(SIGNER_E_UNAVAILABLE, err, err_cap, "%s", "bad signer socket path");
    memcpy(sa.sun_path, socket_path, strlen(socket_path) + 1);
    struct timespec d;
    deadline_in(&d, timeout_ms);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return say(SIGNER_E_UNAVAILABLE, err, err_cap, "socket: %s", strerror(errno));
    int rc = 0;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        /* A Unix socket connects at once or fails; EAGAIN: backlog full. */
        rc = say(errno == EAGAIN ? SIGNER_E_TIMEOUT : SIGNER_E_UNAVAILABLE, err, err_cap,
                 "cannot connect to the signer: %s", strerror(errno));
        goto out;
    }
    for (size_t put = 0; put < req_len;) {
        if ((rc = wait_fd(fd, POLLOUT, &d)) < 0)
            goto io;
        ssize_t k = send(fd, req + put, req_len - put, MSG_NOSIGNAL);
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (k <= 0) {
            rc = -SIGNER_E_UNAVAILABLE;
            goto io;
        }
        put += (size_t)k;
    }
    uint8_t head[2];
    size_t want = 2, got = 0, n = 0;
    uint8_t *dst = head;
    for (int part = 0; part < 2; part++) {
        while (got < want) {
            if ((rc = wait_fd(fd, POLLIN, &d)) < 0)
                goto io;
            ssize_t k = recv(fd, dst + got, want - got, 0);
            if (k < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (k <= 0) {
                rc = -SIGNER_E_PROTOCOL;
                goto io;
            }
            got += (size_t)k;
        }
        if (part == 0) {
            n = (size_t)head[0] << 8 | head[1];
            if (n == 0 || n > cap || n > SIGNER_FRAME_MAX) {
                rc = -SIGNER_E_PROTOCOL;
                goto io;
            }
            dst = body, want = n, got = 0;
        }
    }
    rc = (int)n;
    goto out;
io:
    say(-rc, err, err_cap, "signer: %s", signer_err_message(rc));
out:
    close(fd);
    return rc;
}

int signer_call(const char *socket_path, const struct signer_request *rq, int timeout_ms,
                uint8_t *body, size_t body_cap, struct signer_response *r, char *err,
                size_t err_cap)
{
    uint8_t req[SIGNER_FRAME_MAX + 2];
    size_t req_len = 0;
    int rc = signer_request_encode(rq, req, sizeof req, &req_len);
    if (rc < 0)
        return say(-rc, err, err_cap, "%s", signer_err_message(rc));
    int n = exchange(socket_path, req, req_len, timeout_ms, body, body_cap, err, err_cap);
    if (n < 0)
        return n;
    if (signer_response_parse(body, (size_t)n, r) < 0 || r->op != rq->op)
        return say(SIGNER_E_PROTOCOL, err, err_cap, "%s", signer_err_message(SIGNER_E_PROTOCOL));
    if (r->status != 0)
        return say(r->status, err, err_cap, "%s", r->message);
    return 0;
}

int signer_sign(const char *socket_path, const char *state, const uint8_t *tbs, size_t n,
                uint8_t *rs, size_t cap, size_t *rs_len, char *err, size_t err_cap)
{
    struct signer_request rq = {.op = SIGNER_OP_SIGN, .tbs = tbs, .tbs_len = n};
    if (signer_state_normalize(state, rq.state) < 0)
        return say(SIGNER_E_BAD_REQUEST, err, err_cap, "%s", "bad state code");
    uint8_t body[SIGNER_FRAME_MAX];
    struct signer_response r;
    int rc = signer_call(socket_path, &rq, SIGNER_CLIENT_TIMEOUT_MS, body, sizeof body, &r, err,
                         err_cap);
    if (rc < 0)
        return rc;
    if (r.rs_len > cap)
        return say(SIGNER_E_NO_SPACE, err, err_cap, "%s", "signature buffer too small");
    memcpy(rs, r.rs, r.rs_len);
    *rs_len = r.rs_len;
    if (err && err_cap)
        err[0] = '\0';
    return 0;
}

int signer_info(const char *socket_path, const char *state, struct signer_info *out, char *err,
                size_t err_cap)
{
    struct signer_request rq = {.op = SIGNER_OP_INFO};
    if (signer_state_normalize(state, rq.state) < 0)
        return say(SIGNER_E_BAD_REQUEST, err, err_cap, "%s", "bad state code");
    uint8_t body[SIGNER_FRAME_MAX];
    struct signer_response r;
    int rc = signer_call(socket_path, &rq, SIGNER_CLIENT_TIMEOUT_MS, body, sizeof body, &r, err,
                         err_cap);
    if (rc < 0)
        return rc;
    memset(out, 0, sizeof *out);
    memcpy(out->signer_id, r.signer_id, sizeof out->signer_id);
    memcpy(out->cert_ref, r.cert_ref, sizeof out->cert_ref);
    memcpy(out->cert_der, r.cert_der, r.cert_der_len);
    out->cert_der_len = r.cert_der_len;
    if (err && err_cap)
        err[0] = '\0';
    return 0;
}

int signer_csca(const char *socket_path, const char *state, uint8_t *der, size_t cap, size_t *len,
                char *err, size_t err_cap)
{
    struct signer_request rq = {.op = SIGNER_OP_CSCA};
    if (signer_state_normalize(state, rq.state) < 0)
        return say(SIGNER_E_BAD_REQUEST, err, err_cap, "%s", "bad state code");
    uint8_t body[SIGNER_FRAME_MAX];
    struct signer_response r;
    int rc = signer_call(socket_path, &rq, SIGNER_CLIENT_TIMEOUT_MS, body, sizeof body, &r, err,
                         err_cap);
    if (rc < 0)
        return rc;
    if (r.cert_der_len > cap)
        return say(SIGNER_E_NO_SPACE, err, err_cap, "%s", "certificate buffer too small");
    memcpy(der, r.cert_der, r.cert_der_len);
    *len = r.cert_der_len;
    if (err && err_cap)
        err[0] = '\0';
    return 0;
}

int signer_revlist(const char *socket_path, const char *state, int64_t issued, int64_t next_update,
                   const char (*numbers)[16], size_t n, uint8_t *out, size_t cap, size_t *len,
                   char *err, size_t err_cap)
{
    uint8_t payload[SIGNER_REVLIST_PAYLOAD_MAX];
    size_t plen = 0;
    struct signer_request rq = {.op = SIGNER_OP_REVLIST};
    if (signer_state_normalize(state, rq.state) < 0)
        return say(SIGNER_E_BAD_REQUEST, err, err_cap, "%s", "bad state code");
    if (n > SIGNER_REVLIST_MAX)
        return say(SIGNER_E_TOO_LARGE, err, err_cap, "more than %d visa numbers",
                   SIGNER_REVLIST_MAX);
    int rc = signer_revlist_payload_encode(issued, next_update, numbers, n, payload, sizeof payload,
                                           &plen);
    if (rc < 0)
        return say(-rc, err, err_cap, "%s", "a visa number is malformed");
    rq.tbs = payload;
    rq.tbs_len = plen;
    uint8_t body[SIGNER_FRAME_MAX];
    struct signer_response r;
    rc = signer_call(socket_path, &rq, SIGNER_CLIENT_TIMEOUT_MS, body, sizeof body, &r, err,
                     err_cap);
    if (rc < 0)
        return rc;
    if (r.revlist_len > cap)
        return say(SIGNER_E_NO_SPACE, err, err_cap, "%s", "list buffer too small");
    memcpy(out, r.revlist, r.revlist_len);
    *len = r.revlist_len;
    if (err && err_cap)
        err[0] = '\0';
    return 0;
}

int signer_spawn(const struct signer_spawn_opts *o, pid_t *pid, char *err, size_t err_cap)
{
    *pid = -1;
    if (!o->keys_dir || !o->socket_path || !o->log_path || !o->state)
        return say(SIGNER_E_CONFIG, err, err_cap, "%s", "signer_spawn: missing option");
    const char *exe = o->exe ? o->exe : "/proc/self/exe";
    char *argv[] = {"evisa",
                    "signer",
                    "--keys",
                    (char *)o->keys_dir,
                    "--socket",
                    (char *)o->socket_path,
                    "--log",
                    (char *)o->log_path,
                    "--die-with-parent",
                    NULL};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, dflt;
    sigemptyset(&none);
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGTERM);
    sigaddset(&dflt, SIGINT);
    sigaddset(&dflt, SIGPIPE);
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &dflt);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int rc = posix_spawn(pid, exe, &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0) {
        *pid = -1;
        return say(SIGNER_E_IO, err, err_cap, "cannot start the signer: %s", strerror(rc));
    }
    struct timespec d;
    deadline_in(&d, SIGNER_SPAWN_WAIT_MS);
    char why[SIGNER_MSG_MAX + 64] = "";
    for (;;) {
        int status = 0;
        if (waitpid(*pid, &status, WNOHANG) == *pid) {
            *pid = -1;
            char how[32];
            snprintf(how, sizeof how, "%d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
            return say(SIGNER_E_IO, err, err_cap, "the signer exited with status %s", how);
        }
        struct signer_info info;
        rc = signer_info(o->socket_path, o->state, &info, why, sizeof why);
        if (rc == 0)
            return 0;
        if (rc == -SIGNER_E_UNKNOWN_STATE) {
            signer_stop(*pid);
            *pid = -1;
            return say(SIGNER_E_CONFIG, err, err_cap, "the signer has no key for %s", o->state);
        }
        if (ms_left(&d) == 0) {
            signer_stop(*pid);
            *pid = -1;
            return say(SIGNER_E_TIMEOUT, err, err_cap, "the signer did not start: %s", why);
        }
        struct timespec pause = {0, 20 * 1000000L};
        nanosleep(&pause, NULL);
    }
}

void signer_stop(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    for (int i = 0; i < 500; i++) {
        pid_t w = waitpid(pid, NULL, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR))
            return;
        struct timespec pause = {0, 10 * 1000000L};
        nanosleep(&pause, NULL);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}
