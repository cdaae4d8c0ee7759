/*
 * store_commit.c — benchmark of durable commits on this machine, in a
 * fresh temporary directory.  Prints "name value" lines:
 *   commit_per_s                 raw SQLite: WAL + synchronous=FULL, one
 *                                small-row INSERT per transaction (the
 *                                reference the HTTP submission benchmark is
 *                                set against)
 *   store_create_per_s           store_app_create (row + audit entry), 1 thread
 *   store_create_8t_per_s        the same from 8 threads, one transaction
 *                                and fsync per write (the default)
 *   store_create_8t_group_per_s  8 threads with group commit (max_batch 64)
 *   commit_8t_busy_per_s         raw SQLite from 8 threads, each on its own
 *                                connection, contending through SQLite's
 *                                busy timeout (the alternative to a queue)
 * Times are wall-clock (the work is fsync-bound).
 * Usage: store_commit [seconds per measurement, default 3]
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "store/store.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void remove_db(const char *path)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    char p[512];
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        remove(p);
    }
}

/* Raw SQLite commits per second; < 0 on failure. */
static double raw_commits(const char *path, double secs)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *ins = NULL, *begin = NULL, *commit = NULL;
    double rate = -1;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                     "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO t (v) VALUES (?1)", -1, &ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL) != SQLITE_OK)
        goto out;
    long n = 0;
    double t0 = now_s(), t = t0;
    while (t - t0 < secs) {
        sqlite3_bind_text(ins, 1, "a small row of about forty bytes of text", -1, SQLITE_STATIC);
        if (sqlite3_step(begin) != SQLITE_DONE || sqlite3_step(ins) != SQLITE_DONE ||
            sqlite3_step(commit) != SQLITE_DONE)
            goto out;
        sqlite3_reset(begin);
        sqlite3_reset(ins);
        sqlite3_reset(commit);
        n++;
        t = now_s();
    }
    rate = (double)n / (t - t0);
out:
    sqlite3_finalize(ins);
    sqlite3_finalize(begin);
    sqlite3_finalize(commit);
    sqlite3_close(db);
    return rate;
}

struct raw_worker {
    const char *path;
    double secs;
    long done;
    int rc;
};

static void *raw_loop(void *arg)
{
    struct raw_worker *w = arg;
    sqlite3 *db = NULL;
    sqlite3_stmt *ins = NULL;
    w->rc = -1;
    if (sqlite3_open(w->path, &db) == SQLITE_OK && sqlite3_busy_timeout(db, 5000) == SQLITE_OK &&
        sqlite3_exec(db, "PRAGMA synchronous = FULL", NULL, NULL, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "INSERT INTO t (v) VALUES ('a small row of about forty bytes')", -1,
                           &ins, NULL) == SQLITE_OK) {
        w->rc = 0;
        double t0 = now_s();
        while (now_s() - t0 < w->secs) {
            if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
                w->rc = -1;
                break;
            }
            int rc = sqlite3_step(ins);
            sqlite3_reset(ins);
            if (rc != SQLITE_DONE || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
                sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
                w->rc = -1;
                break;
            }
            w->done++;
        }
    }
    sqlite3_finalize(ins);
    sqlite3_close(db);
    return NULL;
}

/* Raw commits per second from 8 connections contending for the lock. */
static double raw_busy_commits(const char *path, double secs)
{
    enum { N = 8 };
    if (raw_commits(path, 0.01) < 0) /* creates the table */
        return -1;
    struct raw_worker w[N];
    pthread_t th[N];
    int started = 0;
    double t0 = now_s();
    for (int i = 0; i < N; i++) {
        w[i] = (struct raw_worker){.path = path, .secs = secs};
        if (pthread_create(&th[i], NULL, raw_loop, &w[i]) != 0)
            break;
        started++;
    }
    long total = 0;
    int rc = started == N ? 0 : -1;
    for (int i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        total += w[i].done;
        rc |= w[i].rc;
    }
    return rc ? -1 : (double)total / (now_s() - t0);
}

struct worker {
    struct store *st;
    int index;
    double secs;
    long done;
    int rc;
};

static void *create_loop(void *arg)
{
    struct worker *w = arg;
    struct store_app in, out;
    memset(&in, 0, sizeof in);
    snprintf(in.state, sizeof in.state, "AZE");
    snprintf(in.visa_type, sizeof in.visa_type, "tourist");
    snprintf(in.track, sizeof in.track, "standard");
    snprintf(in.lang, sizeof in.lang, "en");
    snprintf(in.currency, sizeof in.currency, "USD");
    in.fee_minor = 2000;
    in.fields_json = (char *)"{\"surname\":\"KHAN\",\"given_names\":\"IMRAN\"}";
    double t0 = now_s();
    while (now_s() - t0 < w->secs) {
        snprintf(in.reference, sizeof in.reference, "B%d-%ld", w->index, w->done);
        w->rc = store_app_create(w->st, &in, NULL, NULL, &out, NULL);
        store_app_clear(&out);
        if (w->rc)
            break;
        w->done++;
    }
    return NULL;
}

/* store_app_create calls per second from nthreads threads; < 0 on failure. */
static double store_creates(const char *path, int nthreads, int max_batch, double secs)
{
    enum { MAX_THREADS = 8 };
    struct store_opts opts = {.max_batch = max_batch};
    struct store *st = NULL;
    if (nthreads > MAX_THREADS || store_open_opts(path, &opts, &st) != 0)
        return -1;
    struct worker w[MAX_THREADS];
    pthread_t th[MAX_THREADS];
    double t0 = now_s();
    int started = 0;
    for (int i = 0; i < nthreads; i++) {
        w[i] = (struct worker){.st = st, .index = i, .secs = secs};
        if (pthread_create(&th[i], NULL, create_loop, &w[i]) != 0)
            break;
        started++;
    }
    long total = 0;
    int rc = started == nthreads ? 0 : -1;
    for (int i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        total += w[i].done;
        if (w[i].rc) {
            fprintf(stderr, "store_app_create: %s\n", store_err_message(w[i].rc));
            rc = -1;
        }
    }
    double elapsed = now_s() - t0;
    store_close(st);
    return rc ? -1 : (double)total / elapsed;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 3.0;
    if (secs <= 0)
        secs = 3.0;
    const char *base = getenv("TMPDIR");
    char dir[256], path[300];
    snprintf(dir, sizeof dir, "%s/evisa-bench-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(path, sizeof path, "%s/bench.db", dir);
    static const struct {
        const char *name;
        int threads, batch; /* threads 0: raw SQLite, -1: raw from 8 threads */
    } runs[] = {
        {"commit_per_s", 0, 0},          {"store_create_per_s", 1, 1},
        {"store_create_8t_per_s", 8, 1}, {"store_create_8t_group_per_s", 8, 64},
        {"commit_8t_busy_per_s", -1, 0},
    };
    int status = 0;
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        remove_db(path);
        double r = runs[i].threads > 0   ? store_creates(path, runs[i].threads, runs[i].batch, secs)
                   : runs[i].threads < 0 ? raw_busy_commits(path, secs)
                                         : raw_commits(path, secs);
        if (r < 0) {
            fprintf(stderr, "%s: failed\n", runs[i].name);
            status = 1;
            continue;
        }
        printf("%s %.1f\n", runs[i].name, r);
        fflush(stdout);
    }
    remove_db(path);
    remove(dir);
    return status;
}
