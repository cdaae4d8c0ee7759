/*
 * submit.c — HTTP load generator for the applicant portal's benchmark and
 * crash-safety test.  Plain POSIX sockets, HTTP/1.1 keep-alive, one thread
 * per connection, one request in flight per connection (no pipelining).
 *
 * Usage: submit MODE [options] HOST:PORT      (HOST a numeric IPv4 address;
 *                                              an "http://" prefix and a
 *                                              trailing "/" are accepted)
 * Modes:
 *   create   POST /api/v1/applications, a unique Idempotency-Key and
 *            passport number per request.  With -o FILE, each 2xx answer
 *            appends "REFERENCE KEY PASSPORT\n" to FILE with one write(2)
 *            on an O_APPEND descriptor BEFORE it counts as acknowledged.
 *            With -s FILE, each request first appends "- KEY PASSPORT\n"
 *            to FILE before it is sent (the requests whose outcome a
 *            crash may leave unknown).
 *   status   GET /api/v1/status for one existing application (-r/-p/-b;
 *            without -r, one application is created first).
 *   healthz  GET /healthz.
 *   idle     open -c connections, each sends one GET /healthz, then all
 *            stay idle for -d seconds; prints "idle_open N" (flushed) once
 *            all are open, and at the end checks each is still usable.
 *   verify   for each line of the ack log -i FILE, POST again with the same
 *            key and body: must answer 200, "replayed":true and the same
 *            reference.  A line whose reference is "-" (outcome unknown,
 *            from -s) passes with 200 "replayed":true (it had landed) or
 *            201 (it had not; created now), counted as landed / created.
 *   sqlite   no server: the raw durable single-row commit rate of SQLite
 *            (WAL, synchronous=FULL, one small INSERT per BEGIN IMMEDIATE ..
 *            COMMIT, as bench/store_commit's commit_per_s) in a fresh
 *            database in the directory given instead of HOST:PORT, so that
 *            scripts/bench can interleave it with `create` slices on a disk
 *            whose fsync speed drifts.
 * Options:
 *   -c N     connections (default 16; idle: 1000)
 *   -d S     seconds to run (default 5; idle: seconds to hold)
 *   -n N     stop after N requests in total (create/status/healthz)
 *   -o FILE  ack log (create)      -i FILE  ack log to verify (verify)
 *   -s FILE  sent log (create)
 *   -r REF -p PASSPORT -b DATE     the application for status mode
 *   -t S     socket send/receive timeout in seconds (default 10)
 *   -H FILE  latency histogram accumulated over runs: FILE's counts (if
 *            it exists) are added to this run's and written back;
 *            all_p50_ms / all_p99_ms give the quantiles of the sum
 *
 * Output, one "name value" line each: mode, connections, seconds, requests
 * (2xx answers), per_s, p50_ms, p99_ms, errors (= errors_io + errors_http +
 * errors_proto), and per mode extras (acked, verified, mismatched, landed, created,
 * idle_open, idle_alive, server_gone).  A connection whose reconnect is
 * refused stops (the server is gone: the crash test kills it).  Exit 0 when
 * the run completed (the caller judges the numbers), 2 on bad usage or a
 * failed setup.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

enum {
    MAX_CONNS = 8192,
    REQ_CAP = 2048,
    RESP_CAP = 64 * 1024,
    REF_CAP = 40,
    KEY_CAP = 65,
    PASS_CAP = 16,
    ACK_LINE_CAP = 160,
    MAX_ACKS = 1000000,
    /* Latency histogram: 10 us buckets below 100 ms, 1 ms buckets below 10 s. */
    FINE_US = 10,
    FINE_LIMIT_US = 100000,
    COARSE_US = 1000,
    COARSE_LIMIT_US = 10000000,
    NBUCKETS = FINE_LIMIT_US / FINE_US + (COARSE_LIMIT_US - FINE_LIMIT_US) / COARSE_US + 1,
};

enum mode { M_CREATE, M_STATUS, M_HEALTHZ, M_IDLE, M_VERIFY, M_SQLITE };
static const char *const mode_names[] = {"create", "status", "healthz", "idle", "verify", "sqlite"};

#define DATE_OF_BIRTH "1980-01-01"

struct ack {
    char ref[REF_CAP], key[KEY_CAP], pass[PASS_CAP];
};

/* Read-only after setup, except the atomics. */
struct shared {
    enum mode mode;
    struct sockaddr_in addr;
    char host[80];   /* "A.B.C.D:PORT" for the Host header */
    double deadline; /* CLOCK_MONOTONIC seconds */
    long limit;      /* 0: no request-count limit */
    int timeout_s;
    int ack_fd;  /* create: -1 without -o */
    int sent_fd; /* create: -1 without -s */
    char runid[17];
    char status_path[256];
    const struct ack *acks; /* verify */
    size_t nacks;
    atomic_long claimed; /* requests started (for -n) or ack lines taken (verify) */
    atomic_long passport_seq;
};

struct worker {
    struct shared *sh;
    int index;
    long ok, err_io, err_http, err_proto, acked, mismatched, landed, created;
    bool gone;
    uint32_t hist[NBUCKETS];
    char buf[RESP_CAP];
};

struct response {
    int status;
    const char *body;
    size_t body_len;
    bool close;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t bucket_of(long us)
{
    if (us < 0)
        us = 0;
    if (us < FINE_LIMIT_US)
        return (size_t)(us / FINE_US);
    if (us < COARSE_LIMIT_US)
        return (size_t)(FINE_LIMIT_US / FINE_US + (us - FINE_LIMIT_US) / COARSE_US);
    return NBUCKETS - 1;
}

/* The middle of a bucket, in milliseconds. */
static double bucket_ms(size_t b)
{
    if (b < FINE_LIMIT_US / FINE_US)
        return ((double)b * FINE_US + FINE_US / 2.0) / 1000.0;
    b -= FINE_LIMIT_US / FINE_US;
    return (FINE_LIMIT_US + (double)b * COARSE_US + COARSE_US / 2.0) / 1000.0;
}

/* The q-quantile (0..1) of a histogram holding n samples; 0 when empty. */
static double quantile_ms(const uint64_t *hist, uint64_t n, double q)
{
    if (n == 0)
        return 0;
    uint64_t rank = (uint64_t)(q * (double)n + 0.999999), seen = 0;
    if (rank < 1)
        rank = 1;
    for (size_t b = 0; b < NBUCKETS; b++) {
        seen += hist[b];
        if (seen >= rank)
            return bucket_ms(b);
    }
    return bucket_ms(NBUCKETS - 1);
}

/*
 * Adds the histogram in path (lines "BUCKET COUNT"; a missing file is
 * empty) to hist, and writes the sum back.  0, or -1 with a message.
 */
static int hist_merge(const char *path, uint64_t *hist, uint64_t *total)
{
    FILE *f = fopen(path, "r");
    if (f) {
        unsigned long b;
        unsigned long long c;
        while (fscanf(f, "%lu %llu", &b, &c) == 2)
            if (b < NBUCKETS)
                hist[b] += c;
        fclose(f);
    } else if (errno != ENOENT) {
        perror(path);
        return -1;
    }
    char tmp[512];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (n < 0 || (size_t)n >= sizeof tmp || !(f = fopen(tmp, "w"))) {
        fprintf(stderr, "%s: cannot write\n", path);
        return -1;
    }
    *total = 0;
    for (size_t b = 0; b < NBUCKETS; b++) {
        *total += hist[b];
        if (hist[b])
            fprintf(f, "%zu %llu\n", b, (unsigned long long)hist[b]);
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "%s: cannot write\n", path);
        return -1;
    }
    return 0;
}

/*
 * sqlite mode: single-row durable commits into a fresh database in dir for
 * secs seconds; fills hist (commit latency) and returns the number of
 * commits, or -1 with a message.
 */
static long raw_commits(const char *dir, double secs, uint32_t *hist, double *elapsed)
{
    char path[512];
    int pn = snprintf(path, sizeof path, "%s/submit-raw-%ld.db", dir, (long)getpid());
    if (pn < 0 || (size_t)pn >= sizeof path)
        return -1;
    sqlite3 *db = NULL;
    sqlite3_stmt *ins = NULL, *begin = NULL, *commit = NULL;
    long n = -1;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                     "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO t (v) VALUES (?1)", -1, &ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL) != SQLITE_OK) {
        fprintf(stderr, "submit: %s: %s\n", path, sqlite3_errmsg(db));
        goto out;
    }
    double t0 = now_s(), t = t0;
    n = 0;
    while (t - t0 < secs) {
        sqlite3_bind_text(ins, 1, "a small row of about forty bytes of text", -1, SQLITE_STATIC);
        if (sqlite3_step(begin) != SQLITE_DONE || sqlite3_step(ins) != SQLITE_DONE ||
            sqlite3_step(commit) != SQLITE_DONE) {
            fprintf(stderr, "submit: %s: %s\n", path, sqlite3_errmsg(db));
            n = -1;
            break;
        }
        sqlite3_reset(begin);
        sqlite3_reset(ins);
        sqlite3_reset(commit);
        double t1 = now_s();
        hist[bucket_of((long)((t1 - t) * 1e6))]++;
        t = t1;
        n++;
    }
    *elapsed = t - t0;
out:
    sqlite3_finalize(ins);
    sqlite3_finalize(begin);
    sqlite3_finalize(commit);
    sqlite3_close(db);
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        remove(p);
    }
    return n;
}

/* Parses "[http://]A.B.C.D:PORT[/]" into sh->addr and sh->host. */
static int parse_target(const char *arg, struct shared *sh)
{
    if (!strncmp(arg, "http://", 7))
        arg += 7;
    char tmp[64];
    size_t n = strlen(arg);
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, arg, n + 1);
    if (tmp[n - 1] == '/')
        tmp[--n] = '\0';
    char *colon = strrchr(tmp, ':');
    if (!colon)
        return -1;
    *colon = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 1 || port > 65535)
        return -1;
    memset(&sh->addr, 0, sizeof sh->addr);
    sh->addr.sin_family = AF_INET;
    sh->addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, tmp, &sh->addr.sin_addr) != 1)
        return -1;
    int hn = snprintf(sh->host, sizeof sh->host, "%s:%ld", tmp, port);
    return hn < 0 || (size_t)hn >= sizeof sh->host ? -1 : 0;
}

/* A connected socket with timeouts and TCP_NODELAY; -1 with errno set. */
static int conn_open(const struct shared *sh)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct timeval tv = {.tv_sec = sh->timeout_s};
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    while (connect(fd, (const struct sockaddr *)&sh->addr, sizeof sh->addr) != 0) {
        if (errno == EINTR)
            continue;
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Value of header `name` (lower case, with ':') in the header block, or NULL. */
static const char *header_value(const char *hdr, const char *end, const char *name)
{
    size_t nl = strlen(name);
    for (const char *line = hdr; line < end;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (!eol)
            eol = end;
        if ((size_t)(eol - line) > nl && !strncasecmp(line, name, nl)) {
            const char *v = line + nl;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            return v;
        }
        line = eol + 1;
    }
    return NULL;
}

enum rt_result { RT_OK = 0, RT_IO = -1, RT_PROTO = -2 };

/*
 * Sends one request on fd and reads one response into buf (cap bytes,
 * NUL-terminated).  Handles partial reads; needs a Content-Length body
 * (or none for 1xx/204/304); bytes beyond the response are a protocol
 * error (we never pipeline).
 */
static enum rt_result roundtrip(int fd, const char *req, size_t req_len, char *buf, size_t cap,
                                struct response *r)
{
    if (send_all(fd, req, req_len) != 0)
        return RT_IO;
    size_t have = 0, head_len = 0, total = 0;
    for (;;) {
        if (have + 1 >= cap)
            return RT_PROTO;
        ssize_t n = recv(fd, buf + have, cap - 1 - have, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return RT_IO;
        have += (size_t)n;
        buf[have] = '\0';
        if (head_len == 0) {
            const char *e = strstr(buf, "\r\n\r\n");
            if (!e)
                continue;
            head_len = (size_t)(e - buf) + 4;
            if (strncmp(buf, "HTTP/1.", 7) || buf[8] != ' ' || buf[9] < '1' || buf[9] > '5' ||
                buf[10] < '0' || buf[10] > '9' || buf[11] < '0' || buf[11] > '9')
                return RT_PROTO;
            r->status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
            const char *hend = buf + head_len - 2;
            if (header_value(buf, hend, "transfer-encoding:"))
                return RT_PROTO;
            const char *conn = header_value(buf, hend, "connection:");
            r->close = buf[7] == '0' || (conn && !strncasecmp(conn, "close", 5));
            const char *cl = header_value(buf, hend, "content-length:");
            size_t body = 0;
            if (cl) {
                char *end;
                errno = 0;
                unsigned long long v = strtoull(cl, &end, 10);
                if (errno || end == cl || v > RESP_CAP)
                    return RT_PROTO;
                body = (size_t)v;
            } else if (!(r->status < 200 || r->status == 204 || r->status == 304)) {
                return RT_PROTO;
            }
            total = head_len + body;
            if (total >= cap)
                return RT_PROTO;
        }
        if (have > total)
            return RT_PROTO;
        if (have == total)
            break;
    }
    r->body = buf + head_len;
    r->body_len = total - head_len;
    return RT_OK;
}

/* Copies the JSON string member `"name":"..."` of body into out; -1 if absent. */
static int json_string_member(const char *body, const char *name, char *out, size_t cap)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", name);
    const char *p = strstr(body, pat);
    if (!p)
        return -1;
    p += strlen(pat);
    const char *q = strchr(p, '"');
    if (!q || (size_t)(q - p) >= cap || q == p)
        return -1;
    memcpy(out, p, (size_t)(q - p));
    out[q - p] = '\0';
    return 0;
}

/* Builds the POST for one application; returns its length or 0 if it does not fit. */
static size_t create_request(const struct shared *sh, const char *key, const char *pass, char *req,
                             size_t cap)
{
    char body[512];
    int bn = snprintf(body, sizeof body,
                      "{\"state\":\"AZE\",\"visa_type\":\"tourist-e\",\"track\":\"standard\","
                      "\"fields\":{\"surname\":\"Khan\",\"given_names\":\"Imran\","
                      "\"nationality\":\"PAK\",\"passport_number\":\"%s\","
                      "\"date_of_birth\":\"" DATE_OF_BIRTH "\"}}",
                      pass);
    if (bn < 0 || (size_t)bn >= sizeof body)
        return 0;
    int n = snprintf(req, cap,
                     "POST /api/v1/applications HTTP/1.1\r\nHost: %s\r\n"
                     "Content-Type: application/json\r\nAccept: application/json\r\n"
                     "Idempotency-Key: %s\r\nContent-Length: %d\r\n\r\n%s",
                     sh->host, key, bn, body);
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

static size_t get_request(const struct shared *sh, const char *path, char *req, size_t cap)
{
    int n = snprintf(req, cap, "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: application/json\r\n\r\n",
                     path, sh->host);
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* Appends "REF KEY PASSPORT\n" to fd with a single write(2); 0 or -1. */
static int ack_write(int fd, const char *ref, const char *key, const char *pass)
{
    char line[ACK_LINE_CAP];
    int n = snprintf(line, sizeof line, "%s %s %s\n", ref, key, pass);
    if (n < 0 || (size_t)n >= sizeof line)
        return -1;
    ssize_t w;
    while ((w = write(fd, line, (size_t)n)) < 0 && errno == EINTR)
        ;
    return w == n ? 0 : -1;
}

/* The load loop of one connection (create, status, healthz, verify). */
static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct shared *sh = w->sh;
    char req[REQ_CAP];
    int fd = -1;
    long seq = 0;
    for (;;) {
        struct ack a;
        memset(&a, 0, sizeof a);
        size_t req_len = 0;
        if (sh->mode == M_VERIFY) {
            long i = atomic_fetch_add(&sh->claimed, 1);
            if ((size_t)i >= sh->nacks)
                break;
            a = sh->acks[i];
            req_len = create_request(sh, a.key, a.pass, req, sizeof req);
        } else {
            if (now_s() >= sh->deadline)
                break;
            if (sh->limit > 0 && atomic_fetch_add(&sh->claimed, 1) >= sh->limit)
                break;
            if (sh->mode == M_CREATE) {
                snprintf(a.key, sizeof a.key, "bench-%s-%d-%ld", sh->runid, w->index, seq++);
                snprintf(a.pass, sizeof a.pass, "P%08ld",
                         atomic_fetch_add(&sh->passport_seq, 1) % 100000000);
                req_len = create_request(sh, a.key, a.pass, req, sizeof req);
            } else {
                req_len = get_request(sh, sh->mode == M_STATUS ? sh->status_path : "/healthz", req,
                                      sizeof req);
            }
        }
        if (req_len == 0) {
            w->err_proto++;
            break;
        }
        if (fd < 0 && (fd = conn_open(sh)) < 0) {
            w->err_io++;
            w->gone = true; /* refused or unreachable: the server is gone */
            break;
        }
        if (sh->sent_fd >= 0 && ack_write(sh->sent_fd, "-", a.key, a.pass) != 0) {
            w->err_io++;
            break;
        }
        struct response r = {0};
        double t0 = now_s();
        enum rt_result rt = roundtrip(fd, req, req_len, w->buf, sizeof w->buf, &r);
        double t1 = now_s();
        if (rt != RT_OK) {
            if (rt == RT_IO)
                w->err_io++;
            else
                w->err_proto++;
            close(fd);
            fd = -1;
            continue;
        }
        if (r.close) {
            close(fd);
            fd = -1;
        }
        if (r.status < 200 || r.status > 299) {
            w->err_http++;
            if (sh->mode == M_VERIFY) {
                w->mismatched++;
                fprintf(stderr, "verify: %s: HTTP %d\n", a.key, r.status);
            }
            continue;
        }
        if (sh->mode == M_CREATE) {
            char ref[REF_CAP];
            if (json_string_member(r.body, "reference", ref, sizeof ref) != 0) {
                w->err_proto++;
                continue;
            }
            if (sh->ack_fd >= 0 && ack_write(sh->ack_fd, ref, a.key, a.pass) != 0) {
                w->err_io++;
                continue;
            }
            w->acked++;
        } else if (sh->mode == M_VERIFY) {
            char ref[REF_CAP] = "";
            json_string_member(r.body, "reference", ref, sizeof ref);
            bool replayed = strstr(r.body, "\"replayed\":true") != NULL;
            if (!strcmp(a.ref, "-") && ref[0] &&
                (r.status == 201 || (r.status == 200 && replayed))) {
                if (r.status == 201)
                    w->created++;
                else
                    w->landed++;
            } else if (r.status != 200 || strcmp(ref, a.ref) ||
                       !strstr(r.body, "\"replayed\":true")) {
                w->mismatched++;
                fprintf(stderr, "verify: %s: HTTP %d, reference %s, expected %s%s\n", a.key,
                        r.status, ref, a.ref, replayed ? "" : ", not replayed");
                continue;
            }
        }
        w->ok++;
        w->hist[bucket_of((long)((t1 - t0) * 1e6))]++;
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

/* Loads the ack log; 0 or -1 with a message on stderr.  *out is malloc'd. */
static int load_acks(const char *path, struct ack **out, size_t *count)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 1024, n = 0;
    struct ack *v = malloc(cap * sizeof *v);
    char line[ACK_LINE_CAP + 2];
    int rc = v ? 0 : -1;
    long lineno = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') || n >= MAX_ACKS) {
            fprintf(stderr, "%s:%ld: line too long or too many lines\n", path, lineno);
            rc = -1;
            break;
        }
        if (n == cap) {
            struct ack *nv = realloc(v, 2 * cap * sizeof *v);
            if (!nv) {
                rc = -1;
                break;
            }
            v = nv;
            cap *= 2;
        }
        struct ack *a = &v[n];
        char extra;
        if (sscanf(line, "%39s %64s %15s %c", a->ref, a->key, a->pass, &extra) != 3) {
            fprintf(stderr, "%s:%ld: expected \"REFERENCE KEY PASSPORT\"\n", path, lineno);
            rc = -1;
            break;
        }
        n++;
    }
    fclose(f);
    if (rc) {
        free(v);
        return -1;
    }
    *out = v;
    *count = n;
    return 0;
}

/* Creates one application for status mode; 0 or -1. */
static int create_one(struct shared *sh, char *ref, size_t ref_cap, char *pass, size_t pass_cap)
{
    char req[REQ_CAP], key[KEY_CAP];
    static char buf[RESP_CAP];
    snprintf(key, sizeof key, "bench-%s-status", sh->runid);
    snprintf(pass, pass_cap, "S%08d", (int)(getpid() % 100000000));
    size_t n = create_request(sh, key, pass, req, sizeof req);
    int fd = conn_open(sh);
    if (n == 0 || fd < 0)
        return -1;
    struct response r = {0};
    int rc = roundtrip(fd, req, n, buf, sizeof buf, &r) == RT_OK && r.status / 100 == 2 &&
                     json_string_member(r.body, "reference", ref, ref_cap) == 0
                 ? 0
                 : -1;
    close(fd);
    return rc;
}

/* idle mode: K connections, one /healthz each, held for secs, then checked. */
static int run_idle(struct shared *sh, int conns, double secs)
{
    int *fds = calloc((size_t)conns, sizeof *fds);
    char *buf = malloc(RESP_CAP), req[REQ_CAP];
    size_t req_len = get_request(sh, "/healthz", req, sizeof req);
    if (!fds || !buf || req_len == 0) {
        free(fds);
        free(buf);
        return -1;
    }
    long open_ok = 0, alive = 0, errors = 0;
    for (int i = 0; i < conns; i++) {
        struct response r = {0};
        fds[i] = conn_open(sh);
        if (fds[i] >= 0 && roundtrip(fds[i], req, req_len, buf, RESP_CAP, &r) == RT_OK &&
            r.status == 200 && !r.close) {
            open_ok++;
            continue;
        }
        errors++;
        if (fds[i] >= 0)
            close(fds[i]);
        fds[i] = -1;
    }
    printf("idle_open %ld\n", open_ok);
    fflush(stdout);
    struct timespec ts = {.tv_sec = (time_t)secs,
                          .tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    for (int i = 0; i < conns; i++) {
        struct response r = {0};
        if (fds[i] < 0)
            continue;
        if (roundtrip(fds[i], req, req_len, buf, RESP_CAP, &r) == RT_OK && r.status == 200)
            alive++;
        else
            errors++;
        close(fds[i]);
    }
    printf("mode idle\nconnections %d\nseconds %.2f\nidle_alive %ld\nerrors %ld\n", conns, secs,
           alive, errors);
    free(fds);
    free(buf);
    return 0;
}

static void usage(void)
{
    fputs("usage: submit create|status|healthz|idle|verify [-c CONNS] [-d SECONDS] [-n COUNT]\n"
          "       [-o ACKLOG] [-s SENTLOG] [-i ACKLOG] [-r REF -p PASSPORT -b DATE] [-t TIMEOUT]\n"
          "       [-H HISTFILE] HOST:PORT\n"
          "       submit sqlite [-d SECONDS] [-H HISTFILE] DIR\n",
          stderr);
}

/* Raises the soft open-files limit to the hard one (idle mode needs > 1024). */
static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage();
        return 2;
    }
    static struct shared sh;
    int mode = -1;
    for (int i = 0; i < (int)(sizeof mode_names / sizeof mode_names[0]); i++)
        if (!strcmp(argv[1], mode_names[i]))
            mode = i;
    if (mode < 0) {
        usage();
        return 2;
    }
    sh.mode = (enum mode)mode;
    sh.ack_fd = -1;
    sh.sent_fd = -1;
    sh.timeout_s = 10;
    int conns = sh.mode == M_IDLE ? 1000 : 16;
    double secs = 5;
    const char *hist_file = NULL, *ack_out = NULL, *sent_out = NULL, *ack_in = NULL, *ref = NULL,
               *pass = NULL, *dob = DATE_OF_BIRTH;
    int opt;
    optind = 2;
    while ((opt = getopt(argc, argv, "c:d:n:o:s:i:r:p:b:t:H:")) != -1) {
        switch (opt) {
        case 'c':
            conns = atoi(optarg);
            break;
        case 'd':
            secs = atof(optarg);
            break;
        case 'n':
            sh.limit = atol(optarg);
            break;
        case 'o':
            ack_out = optarg;
            break;
        case 'H':
            hist_file = optarg;
            break;
        case 's':
            sent_out = optarg;
            break;
        case 'i':
            ack_in = optarg;
            break;
        case 'r':
            ref = optarg;
            break;
        case 'p':
            pass = optarg;
            break;
        case 'b':
            dob = optarg;
            break;
        case 't':
            sh.timeout_s = atoi(optarg);
            break;
        default:
            usage();
            return 2;
        }
    }
    if (optind != argc - 1 || conns < 1 || conns > MAX_CONNS || !(secs > 0 && secs < 86400) ||
        sh.limit < 0 || sh.timeout_s < 1 || (sh.mode == M_VERIFY && !ack_in) || (ref && !pass) ||
        (sh.mode != M_SQLITE && parse_target(argv[optind], &sh) != 0)) {
        usage();
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    raise_nofile();
    {
        uint8_t rnd[8] = {0};
        int rfd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (rfd < 0 || read(rfd, rnd, sizeof rnd) != (ssize_t)sizeof rnd) {
            fputs("submit: cannot read /dev/urandom\n", stderr);
            return 2;
        }
        close(rfd);
        for (size_t i = 0; i < sizeof rnd; i++)
            snprintf(sh.runid + 2 * i, 3, "%02x", rnd[i]);
    }
    if (sh.mode == M_IDLE)
        return run_idle(&sh, conns, secs) == 0 ? 0 : 2;
    if (sh.mode == M_SQLITE)
        conns = 1;

    struct ack *acks = NULL;
    if (sh.mode == M_VERIFY) {
        if (load_acks(ack_in, &acks, &sh.nacks) != 0)
            return 2;
        sh.acks = acks;
    }
    if (sh.mode == M_CREATE && ack_out &&
        (sh.ack_fd = open(ack_out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0) {
        perror(ack_out);
        return 2;
    }
    if (sh.mode == M_CREATE && sent_out &&
        (sh.sent_fd = open(sent_out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0) {
        perror(sent_out);
        return 2;
    }
    if (sh.mode == M_STATUS) {
        char made_ref[REF_CAP], made_pass[PASS_CAP];
        if (!ref) {
            if (create_one(&sh, made_ref, sizeof made_ref, made_pass, sizeof made_pass) != 0) {
                fputs("submit: cannot create the application to look up\n", stderr);
                return 2;
            }
            ref = made_ref;
            pass = made_pass;
        }
        int n = snprintf(sh.status_path, sizeof sh.status_path,
                         "/api/v1/status?reference=%s&passport_number=%s&date_of_birth=%s", ref,
                         pass, dob);
        if (n < 0 || (size_t)n >= sizeof sh.status_path) {
            usage();
            return 2;
        }
    }

    struct worker *w = calloc((size_t)conns, sizeof *w);
    pthread_t *th = calloc((size_t)conns, sizeof *th);
    if (!w || !th) {
        fputs("submit: out of memory\n", stderr);
        return 2;
    }
    double t0 = now_s();
    sh.deadline = t0 + secs;
    int started = 0;
    double raw_elapsed = 0;
    if (sh.mode == M_SQLITE) {
        long n = raw_commits(argv[optind], secs, w[0].hist, &raw_elapsed);
        if (n < 0)
            return 2;
        w[0].ok = n;
        started = 1;
        conns = 0; /* no threads to start */
    }
    for (int i = 0; i < conns; i++) {
        w[i].sh = &sh;
        w[i].index = i;
        if (pthread_create(&th[i], NULL, worker_main, &w[i]) != 0)
            break;
        started++;
    }
    static uint64_t hist[NBUCKETS];
    long ok = 0, eio = 0, ehttp = 0, eproto = 0, acked = 0, mismatched = 0, gone = 0, landed = 0,
         created = 0;
    for (int i = 0; i < started; i++) {
        if (sh.mode != M_SQLITE)
            pthread_join(th[i], NULL);
        ok += w[i].ok;
        eio += w[i].err_io;
        ehttp += w[i].err_http;
        eproto += w[i].err_proto;
        acked += w[i].acked;
        mismatched += w[i].mismatched;
        landed += w[i].landed;
        created += w[i].created;
        gone += w[i].gone;
        for (size_t b = 0; b < NBUCKETS; b++)
            hist[b] += w[i].hist[b];
    }
    double elapsed = sh.mode == M_SQLITE ? raw_elapsed : now_s() - t0;
    if (sh.mode != M_SQLITE && started < conns)
        fprintf(stderr, "submit: started only %d of %d threads\n", started, conns);
    printf("mode %s\nconnections %d\nseconds %.2f\nrequests %ld\nper_s %.1f\n"
           "p50_ms %.2f\np99_ms %.2f\nerrors %ld\nerrors_io %ld\nerrors_http %ld\n"
           "errors_proto %ld\n",
           mode_names[sh.mode], started, elapsed, ok, (double)ok / elapsed,
           quantile_ms(hist, (uint64_t)ok, 0.50), quantile_ms(hist, (uint64_t)ok, 0.99),
           eio + ehttp + eproto, eio, ehttp, eproto);
    if (hist_file) {
        uint64_t all = 0;
        if (hist_merge(hist_file, hist, &all) != 0)
            return 2;
        printf("all_p50_ms %.2f\nall_p99_ms %.2f\n", quantile_ms(hist, all, 0.50),
               quantile_ms(hist, all, 0.99));
    }
    if (sh.mode == M_CREATE)
        printf("acked %ld\nserver_gone %ld\n", acked, gone);
    if (sh.mode == M_VERIFY)
        printf("acks %zu\nverified %ld\nmismatched %ld\nlanded %ld\ncreated %ld\n", sh.nacks, ok,
               mismatched, landed, created);
    if (sh.ack_fd >= 0)
        close(sh.ack_fd);
    if (sh.sent_fd >= 0)
        close(sh.sent_fd);
    free(acks);
    free(w);
    free(th);
    return 0;
}
