/*
 * border_queue.c — the offline queue of border crossings (see
 * border_queue.h): JSON lines appended with fsync, loaded with strict
 * validation, and rewritten atomically when statuses change.
 */
#include "visa/border_queue.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "crypto/crypto_err.h"
#include "icao/icao_err.h"

#define BQ_AT_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */
#define BQ_PATH_MAX 4096

static const char *const status_names[BQ__MAX] = {
    [BQ_PENDING] = "pending",
    [BQ_SYNCED] = "synced",
    [BQ_REFUSED] = "refused",
};

const char *bq_status_name(enum bq_status s)
{
    return (unsigned)s < BQ__MAX ? status_names[s] : NULL;
}

int bq_new_id(char out[BQ_ID_HEX + 1])
{
    unsigned char b[BQ_ID_HEX / 2];
    if (RAND_bytes(b, (int)sizeof b) != 1)
        return -CRYPTO_E_INTERNAL;
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof b; i++) {
        out[2 * i] = hex[b[i] >> 4];
        out[2 * i + 1] = hex[b[i] & 15];
    }
    out[BQ_ID_HEX] = '\0';
    return 0;
}

/* s is 1..max characters, all from set. */
static bool field_ok(const char *s, size_t max, const char *set)
{
    size_t n = strnlen(s, max + 1);
    return n >= 1 && n <= max && strspn(s, set) == n;
}

#define UPPER_DIGITS "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

int bq_validate(const struct bq_crossing *c)
{
    if (!c || strnlen(c->crossing_id, BQ_ID_HEX + 1) != BQ_ID_HEX ||
        !field_ok(c->crossing_id, BQ_ID_HEX, "0123456789abcdef") ||
        !field_ok(c->visa_number, BQ_VISA_MAX, UPPER_DIGITS) ||
        !field_ok(c->passport_number, BQ_PASSPORT_MAX, UPPER_DIGITS) ||
        (strcmp(c->direction, "entry") != 0 && strcmp(c->direction, "exit") != 0) || c->at < 0 ||
        c->at > BQ_AT_MAX || !field_ok(c->post, BQ_POST_MAX, UPPER_DIGITS "-") ||
        (unsigned)c->status >= BQ__MAX)
        return -ICAO_E_BAD_FIELD;
    size_t rl = strnlen(c->reason, BQ_REASON_MAX + 1);
    if (rl > BQ_REASON_MAX)
        return -ICAO_E_BAD_FIELD;
    for (size_t i = 0; i < rl; i++)
        if ((unsigned char)c->reason[i] < 0x20 || (unsigned char)c->reason[i] > 0x7e)
            return -ICAO_E_BAD_FIELD;
    return 0;
}

static json_t *crossing_json(const struct bq_crossing *c, bool with_status)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "crossing_id", c->crossing_id,
                          "visa_number", c->visa_number, "passport_number", c->passport_number,
                          "direction", c->direction, "at", (json_int_t)c->at, "post", c->post);
    if (!j || !with_status)
        return j;
    if (json_object_set_new(j, "status", json_string(status_names[c->status])) != 0 ||
        (c->status == BQ_REFUSED &&
         json_object_set_new(j, "reason", json_string(c->reason)) != 0)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

char *bq_request_json(const struct bq_crossing *c)
{
    json_t *j = crossing_json(c, false);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return s;
}

/* One queue line (JSON + '\n') of a valid crossing, malloc'd; NULL when out of memory. */
static char *crossing_line(const struct bq_crossing *c, size_t *len)
{
    json_t *j = crossing_json(c, true);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!s)
        return NULL;
    size_t n = strlen(s);
    char *line = realloc(s, n + 2);
    if (!line) {
        free(s);
        return NULL;
    }
    line[n] = '\n';
    line[n + 1] = '\0';
    *len = n + 1;
    return line;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -CRYPTO_E_IO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int bq_lock(const char *path, int *fd)
{
    char lp[BQ_PATH_MAX];
    int k = snprintf(lp, sizeof lp, "%s.lock", path);
    if (k < 0 || (size_t)k >= sizeof lp)
        return -ICAO_E_NO_SPACE;
    int f = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (f < 0)
        return -CRYPTO_E_IO;
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    int rc;
    while ((rc = fcntl(f, F_SETLKW, &fl)) < 0 && errno == EINTR)
        ;
    if (rc < 0) {
        close(f);
        return -CRYPTO_E_IO;
    }
    *fd = f;
    return 0;
}

void bq_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* closing releases the fcntl lock */
}

int bq_append(const char *path, const struct bq_crossing *c)
{
    int rc = bq_validate(c);
    if (rc)
        return rc;
    size_t len;
    char *line = crossing_line(c, &len);
    if (!line)
        return -CRYPTO_E_INTERNAL;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        free(line);
        return -CRYPTO_E_IO;
    }
    rc = write_all(fd, line, len);
    if (!rc && fsync(fd) != 0)
        rc = -CRYPTO_E_IO;
    if (close(fd) != 0 && !rc)
        rc = -CRYPTO_E_IO;
    free(line);
    return rc;
}

/* Copies a JSON string member of at most max characters into out. */
static bool get_str(json_t *o, const char *key, char *out, size_t max)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s || strlen(s) > max || strlen(s) != json_string_length(json_object_get(o, key)))
        return false;
    memcpy(out, s, strlen(s) + 1);
    return true;
}

/* Parses one queue line into c; false when it is not a valid crossing. */
static bool parse_line(const char *p, size_t n, struct bq_crossing *c)
{
    *c = (struct bq_crossing){0};
    json_error_t e;
    json_t *o = json_loadb(p, n, JSON_REJECT_DUPLICATES, &e);
    bool ok = json_is_object(o) && get_str(o, "crossing_id", c->crossing_id, BQ_ID_HEX) &&
              get_str(o, "visa_number", c->visa_number, BQ_VISA_MAX) &&
              get_str(o, "passport_number", c->passport_number, BQ_PASSPORT_MAX) &&
              get_str(o, "direction", c->direction, sizeof c->direction - 1) &&
              get_str(o, "post", c->post, BQ_POST_MAX) && json_is_integer(json_object_get(o, "at"));
    if (ok) {
        c->at = (int64_t)json_integer_value(json_object_get(o, "at"));
        json_t *st = json_object_get(o, "status");
        if (st) {
            const char *s = json_string_value(st);
            ok = false;
            for (int i = 0; s && i < BQ__MAX; i++)
                if (!strcmp(s, status_names[i])) {
                    c->status = (enum bq_status)i;
                    ok = true;
                }
        }
        json_t *r = json_object_get(o, "reason");
        if (ok && r)
            ok = c->status == BQ_REFUSED && get_str(o, "reason", c->reason, BQ_REASON_MAX);
        ok = ok && bq_validate(c) == 0;
    }
    json_decref(o);
    return ok;
}

void bq_free(struct bq_queue *q)
{
    if (!q)
        return;
    free(q->items);
    q->items = NULL;
    q->n = 0;
}

/* Reads the whole file (at most BQ_FILE_MAX bytes); a missing file is empty. */
static int read_queue_file(const char *path, char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -CRYPTO_E_IO;
    size_t cap = 0, n = 0;
    char *b = NULL;
    int rc = 0;
    for (;;) {
        if (n == cap) {
            if (cap > BQ_FILE_MAX) {
                rc = -CRYPTO_E_TOO_LARGE;
                break;
            }
            size_t ncap = cap ? cap * 2 : 4096;
            char *q = realloc(b, ncap + 1);
            if (!q) {
                rc = -CRYPTO_E_INTERNAL;
                break;
            }
            b = q;
            cap = ncap;
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = -CRYPTO_E_IO;
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (!rc && n > BQ_FILE_MAX)
        rc = -CRYPTO_E_TOO_LARGE;
    if (rc) {
        free(b);
        return rc;
    }
    if (b)
        b[n] = '\0'; /* room was kept for it */
    *buf = b;
    *len = n;
    return 0;
}

/* qsort order of crossings by id. */
static int by_id(const void *a, const void *b)
{
    const struct bq_crossing *const *x = a, *const *y = b;
    return strcmp((*x)->crossing_id, (*y)->crossing_id);
}

/* The index in q of a crossing whose id an earlier one already has; q->n when none. */
static int find_duplicate(const struct bq_queue *q, size_t *dup)
{
    *dup = q->n;
    if (q->n < 2)
        return 0;
    const struct bq_crossing **v = malloc(q->n * sizeof *v);
    if (!v)
        return -CRYPTO_E_INTERNAL;
    for (size_t i = 0; i < q->n; i++)
        v[i] = &q->items[i];
    qsort(v, q->n, sizeof *v, by_id);
    for (size_t i = 1; i < q->n; i++)
        if (!strcmp(v[i - 1]->crossing_id, v[i]->crossing_id)) {
            size_t a = (size_t)(v[i - 1] - q->items), b = (size_t)(v[i] - q->items);
            size_t later = a > b ? a : b;
            if (later < *dup)
                *dup = later;
        }
    free(v);
    return 0;
}

/* True when the n bytes at p are only spaces, tabs and carriage returns. */
static bool blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

int bq_parse(const char *buf, size_t len, struct bq_queue *q, size_t *bad_line)
{
    *q = (struct bq_queue){0};
    if (bad_line)
        *bad_line = 0;
    int rc = 0;
    size_t cap = 0, line_no = 0, *lines = NULL;
    for (size_t i = 0; i < len && !rc;) {
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - buf) : len;
        line_no++;
        const char *p = buf + i;
        size_t n = end - i;
        i = end + 1;
        if (blank(p, n))
            continue;
        if (q->n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct bq_crossing *it = realloc(q->items, ncap * sizeof *it);
            if (it)
                q->items = it;
            size_t *ln = it ? realloc(lines, ncap * sizeof *ln) : NULL;
            if (!ln) {
                rc = -CRYPTO_E_INTERNAL;
                break;
            }
            lines = ln;
            cap = ncap;
        }
        if (memchr(p, '\0', n) != NULL || !parse_line(p, n, &q->items[q->n])) {
            rc = -ICAO_E_BAD_FIELD;
            if (bad_line)
                *bad_line = line_no;
            break;
        }
        lines[q->n++] = line_no;
    }
    size_t dup;
    if (!rc && (rc = find_duplicate(q, &dup)) == 0 && dup < q->n) {
        rc = -ICAO_E_BAD_FIELD;
        if (bad_line)
            *bad_line = lines[dup];
    }
    free(lines);
    if (rc)
        bq_free(q);
    return rc;
}

int bq_load(const char *path, struct bq_queue *q, size_t *bad_line)
{
    *q = (struct bq_queue){0};
    if (bad_line)
        *bad_line = 0;
    char *buf;
    size_t len;
    int rc = read_queue_file(path, &buf, &len);
    if (rc)
        return rc;
    rc = bq_parse(buf, len, q, bad_line);
    free(buf);
    return rc;
}

/* Directory part of path ("." when none) into out. */
static int dir_of(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    int k = !slash          ? snprintf(out, cap, ".")
            : slash == path ? snprintf(out, cap, "/")
                            : snprintf(out, cap, "%.*s", (int)(slash - path), path);
    return k < 0 || (size_t)k >= cap ? -ICAO_E_NO_SPACE : 0;
}

int bq_rewrite(const char *path, const struct bq_queue *q)
{
    for (size_t i = 0; i < q->n; i++)
        if (bq_validate(&q->items[i]))
            return -ICAO_E_BAD_FIELD;
    char tmp[BQ_PATH_MAX], dir[BQ_PATH_MAX];
    int k = snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path);
    if (k < 0 || (size_t)k >= sizeof tmp || dir_of(path, dir, sizeof dir))
        return -ICAO_E_NO_SPACE;
    int fd = mkstemp(tmp);
    if (fd < 0)
        return -CRYPTO_E_IO;
    int rc = fchmod(fd, 0600) == 0 ? 0 : -CRYPTO_E_IO;
    for (size_t i = 0; i < q->n && !rc; i++) {
        size_t len;
        char *line = crossing_line(&q->items[i], &len);
        rc = line ? write_all(fd, line, len) : -CRYPTO_E_INTERNAL;
        free(line);
    }
    if (!rc && fsync(fd) != 0)
        rc = -CRYPTO_E_IO;
    if (close(fd) != 0 && !rc)
        rc = -CRYPTO_E_IO;
    if (!rc && rename(tmp, path) != 0)
        rc = -CRYPTO_E_IO;
    if (rc) {
        unlink(tmp);
        return rc;
    }
    int dfd = open(dir, O_RDONLY | O_CLOEXEC);
    if (dfd < 0)
        return -CRYPTO_E_IO;
    rc = fsync(dfd) == 0 ? 0 : -CRYPTO_E_IO;
    close(dfd);
    return rc;
}

void bq_count(const struct bq_queue *q, size_t counts[BQ__MAX])
{
    for (int s = 0; s < BQ__MAX; s++)
        counts[s] = 0;
    for (size_t i = 0; i < q->n; i++)
        counts[q->items[i].status]++;
}
