/*
 * issue.c — benchmark of visa issuance end to end, against the real signer
 * process and a real store in a fresh temporary data directory:
 *
 *   DIR/keys/AZE    `evisa keys init --state AZE` (a child process)
 *   DIR/signer/     the socket and the signature log of `evisa signer`
 *                   (signer_spawn, as `evisa serve` starts it)
 *   DIR/db/         the SQLite store
 *
 * What one officer approval does (console.c decide() + portal_issue()) is
 * timed per application: load it, store_decision_propose (approve, final:
 * submitted -> approved), then portal_issue itself (reserve the visa serial,
 * build the MRZ and seal, sign over the signer's socket, store the visa:
 * approved -> issued).  Prints "name value" lines for scripts/bench:
 *
 *   signer_sign_per_s          sequential signer_sign() of a real visa TBS
 *   signer_sign_p50_ms / _p99_ms
 *   signer_sign_2t_per_s       the same from 2 client threads
 *   signer_cpu_us_per_sign     CPU time of the signer process per signature
 *   fdatasync_per_s            appending a line + fdatasync in DIR/signer
 *                              (what the signer does per signature for its log)
 *   issue_per_s, issue_p50_ms, issue_p99_ms             1 thread
 *   issue_Nt_per_s, issue_Nt_p50_ms, issue_Nt_p99_ms    N = 2, 4 threads
 *   issue_propose_ms, issue_portal_ms   mean time (1 thread) of the decision
 *                              and of portal_issue
 *   verified                   issued visas whose stored seal decodes and
 *                              verifies with the DS certificate's public key
 *
 * Every signature of the signer measurements and every issued visa is
 * verified afterwards; any failure (or an application not issued) exits 1.
 * Times are wall-clock (CLOCK_MONOTONIC): the work spans two processes and
 * is bound by fsync, so CPU time of this process would say little.  As this
 * machine's fsync rate drifts from second to second, the measurements run
 * in interleaved slices and are summed.  An issuance measurement ends early
 * when its applications are all issued.
 * Usage: issue [-d seconds per measurement, in total (2)]
 *        [-n applications per issuance measurement, in total (1000)]
 *        [-s slices (3)] [-e evisa executable (build/evisa)]
 *        [-c states config dir (config/states)]
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/seal_sig.h"
#include "crypto/signer_cert.h"
#include "icao/vds.h"
#include "signer/signer_client.h"
#include "store/store.h"
#include "visa/app.h"
#include "visa/issuance.h"
#include "visa/policy.h"
#include "web/portal.h"

extern char **environ;

#define STATE "AZE"
#define MAX_THREADS 4
#define SIGS_KEPT 200000 /* signatures kept per client thread for verification */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The q-quantile (0..1) of v[0..n), sorting v. */
static double quantile(double *v, size_t n, double q)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    size_t i = (size_t)(q * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

/* One measurement summed over the slices. */
struct acc {
    size_t n;               /* operations */
    double wall;            /* seconds */
    double cpu;             /* signer CPU seconds */
    double propose, portal; /* ms summed (issuance) */
    double *lat;            /* ms per operation */
    size_t nlat, cap;
};

static void acc_lat(struct acc *a, const double *v, size_t n)
{
    if (a->nlat + n > a->cap) {
        size_t cap = (a->nlat + n) * 2;
        double *p = realloc(a->lat, cap * sizeof *p);
        if (!p) {
            fprintf(stderr, "bench-issue: out of memory\n");
            exit(1);
        }
        a->lat = p;
        a->cap = cap;
    }
    memcpy(a->lat + a->nlat, v, n * sizeof *v);
    a->nlat += n;
}

/* Prints name_per_s (and name_p50_ms / _p99_ms when latencies were kept). */
static void acc_print(const char *name, struct acc *a)
{
    printf("%s_per_s %.1f\n", name, a->wall > 0 ? (double)a->n / a->wall : 0);
    if (a->nlat) {
        printf("%s_p50_ms %.3f\n", name, quantile(a->lat, a->nlat, 0.50));
        printf("%s_p99_ms %.3f\n", name, quantile(a->lat, a->nlat, 0.99));
    }
}

/* Removes a directory tree (no symlinks followed). */
static void rm_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char sub[1024];
            int k = snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            if (k > 0 && (size_t)k < sizeof sub)
                rm_tree(sub);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* Runs `exe keys init --state STATE --dir dir`; 0 when it exits 0. */
static int keys_init(const char *exe, const char *dir)
{
    char *argv[] = {"evisa", "keys", "init", "--state", STATE, "--dir", (char *)dir, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawn(&pid, exe, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        fprintf(stderr, "bench-issue: cannot run %s: %s\n", exe, strerror(rc));
        return -1;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* CPU seconds (user + system) a process has used so far; < 0 if unknown. */
static double proc_cpu_s(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* after the command name */
    unsigned long ut = 0, st = 0;
    if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* Appends a log-sized line and fdatasyncs it, as the signer does for each
 * signature, for secs seconds, into *a.  0 or -1. */
static int fdatasync_rate(const char *dir, double secs, struct acc *a)
{
    char path[512];
    snprintf(path, sizeof path, "%s/fsync.probe", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    char line[200];
    memset(line, 'x', sizeof line - 1);
    line[sizeof line - 1] = '\n';
    long n = 0;
    double t0 = now_s(), t = t0;
    while (t - t0 < secs) {
        if (write(fd, line, sizeof line) != (ssize_t)sizeof line || fdatasync(fd) != 0) {
            close(fd);
            return -1;
        }
        n++;
        t = now_s();
    }
    close(fd);
    unlink(path);
    a->n += (size_t)n;
    a->wall += t - t0;
    return 0;
}

/* ---- the signer alone -------------------------------------------------- */

struct tbs_capture {
    const char *socket;
    uint8_t tbs[VDS_MAX_BYTES];
    size_t n;
};

/* Signing callback of issuance_build that keeps a copy of what it signs. */
static int capture_sign(void *ctx, const char *state, const uint8_t *tbs, size_t n, uint8_t *rs,
                        size_t cap, size_t *rs_len, char *err, size_t err_cap)
{
    struct tbs_capture *c = ctx;
    if (n > sizeof c->tbs)
        return -1;
    memcpy(c->tbs, tbs, n);
    c->n = n;
    return signer_sign(c->socket, state, tbs, n, rs, cap, rs_len, err, err_cap);
}

struct sign_worker {
    const char *socket;
    const uint8_t *tbs;
    size_t n;
    double deadline;
    uint8_t (*sigs)[SEAL_SIG_MAX]; /* SIGS_KEPT */
    size_t *sig_len;
    double *lat; /* SIGS_KEPT latencies in ms */
    size_t done;
    int rc;
    char err[200];
};

static void *sign_loop(void *arg)
{
    struct sign_worker *w = arg;
    for (double t = now_s(); t < w->deadline;) {
        size_t k = w->done < SIGS_KEPT ? w->done : SIGS_KEPT - 1;
        w->rc = signer_sign(w->socket, STATE, w->tbs, w->n, w->sigs[k], SEAL_SIG_MAX,
                            &w->sig_len[k], w->err, sizeof w->err);
        if (w->rc != 0)
            break;
        double t1 = now_s();
        w->lat[k] = (t1 - t) * 1000.0;
        t = t1;
        w->done++;
    }
    return NULL;
}

/* Signs the TBS from `threads` clients for secs seconds into *a, then
 * verifies every kept signature with pub.  0 or -1. */
static int bench_signer(const char *socket, const uint8_t *tbs, size_t n, EVP_PKEY *pub,
                        int threads, double secs, pid_t signer_pid, struct acc *a)
{
    struct sign_worker w[MAX_THREADS];
    pthread_t th[MAX_THREADS];
    int rc = 0;
    double cpu0 = proc_cpu_s(signer_pid), t0 = now_s();
    for (int i = 0; i < threads; i++) {
        w[i] = (struct sign_worker){.socket = socket, .tbs = tbs, .n = n, .deadline = t0 + secs};
        w[i].sigs = malloc(SIGS_KEPT * sizeof *w[i].sigs);
        w[i].sig_len = calloc(SIGS_KEPT, sizeof *w[i].sig_len);
        w[i].lat = calloc(SIGS_KEPT, sizeof *w[i].lat);
        if (!w[i].sigs || !w[i].sig_len || !w[i].lat ||
            pthread_create(&th[i], NULL, sign_loop, &w[i]) != 0) {
            fprintf(stderr, "bench-issue: out of memory or threads\n");
            exit(1);
        }
    }
    size_t total = 0, bad = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        total += w[i].done;
    }
    double wall = now_s() - t0, cpu1 = proc_cpu_s(signer_pid);
    for (int i = 0; i < threads; i++) {
        if (w[i].rc != 0) {
            fprintf(stderr, "bench-issue: signer_sign failed: %s\n", w[i].err);
            rc = -1;
        }
        size_t kept = w[i].done < SIGS_KEPT ? w[i].done : SIGS_KEPT;
        for (size_t k = 0; k < kept; k++)
            if (seal_sig_verify(pub, tbs, n, w[i].sigs[k], w[i].sig_len[k]) != 0)
                bad++;
    }
    if (bad || total == 0) {
        fprintf(stderr, "bench-issue: %zu of %zu signer signatures do not verify\n", bad, total);
        rc = -1;
    }
    a->n += total;
    a->wall += wall;
    if (cpu0 >= 0 && cpu1 >= cpu0)
        a->cpu += cpu1 - cpu0;
    for (int i = 0; i < threads; i++)
        acc_lat(a, w[i].lat, w[i].done < SIGS_KEPT ? w[i].done : SIGS_KEPT);
    for (int i = 0; i < threads; i++) {
        free(w[i].sigs);
        free(w[i].sig_len);
        free(w[i].lat);
    }
    return rc;
}

/* ---- applications ------------------------------------------------------ */

struct setup_worker {
    struct store *st;
    const struct policy_visa_type *vt;
    char (*refs)[STORE_REF_MAX];
    size_t from, to;
    int rc;
};

/* Creates applications refs[from..to) with valid fields and submits them
 * (draft -> submitted), as a payment would. */
static void *setup_loop(void *arg)
{
    struct setup_worker *w = arg;
    int64_t now = (int64_t)time(NULL);
    for (size_t i = w->from; i < w->to && w->rc == 0; i++) {
        struct app_values v = {0};
        struct app_errors e = {0};
        char passport[16];
        snprintf(passport, sizeof passport, "AB%07u", (unsigned)(i % 10000000));
        const char *set[][2] = {{"surname", "Khan"},    {"given_names", "Imran Ahmed"},
                                {"sex", "M"},           {"date_of_birth", "1979-10-03"},
                                {"nationality", "PAK"}, {"passport_number", passport}};
        for (size_t f = 0; f < sizeof set / sizeof set[0]; f++)
            app_set_field(&v, (enum app_field)app_field_from_name(set[f][0]), set[f][1],
                          strlen(set[f][1]), &e);
        struct store_app in = {0}, out = {0};
        if (app_new_reference(STATE, w->refs[i]) != 0) {
            w->rc = -1;
            break;
        }
        snprintf(in.reference, sizeof in.reference, "%s", w->refs[i]);
        snprintf(in.state, sizeof in.state, STATE);
        snprintf(in.visa_type, sizeof in.visa_type, "%s", w->vt->id);
        snprintf(in.track, sizeof in.track, "%.15s", w->vt->tracks[0].id);
        snprintf(in.lang, sizeof in.lang, "en");
        snprintf(in.currency, sizeof in.currency, "USD");
        snprintf(in.passport_number, sizeof in.passport_number, "%s", passport);
        snprintf(in.date_of_birth, sizeof in.date_of_birth, "1979-10-03");
        in.fee_minor = w->vt->tracks[0].fee_minor;
        in.fields_json = app_values_to_json(&v);
        if (!in.fields_json) {
            w->rc = -1;
            break;
        }
        w->rc = store_app_create(w->st, &in, NULL, NULL, &out, NULL);
        store_app_clear(&out);
        free(in.fields_json);
        if (w->rc == 0)
            w->rc = store_app_transition(w->st, w->refs[i], "draft", "submitted", now, now + 86400,
                                         "bench", "submitted", NULL);
    }
    return NULL;
}

/* Creates n submitted applications with group commit from 4 threads (setup
 * only; the measured store is opened afterwards with the default options). */
static int create_apps(const char *db, const struct policy_visa_type *vt,
                       char (*refs)[STORE_REF_MAX], size_t n)
{
    struct store *st;
    struct store_opts o = {.max_batch = 64};
    if (store_open_opts(db, &o, &st) != 0)
        return -1;
    struct setup_worker w[MAX_THREADS];
    pthread_t th[MAX_THREADS];
    int rc = 0;
    for (size_t i = 0; i < MAX_THREADS; i++) {
        w[i] =
            (struct setup_worker){st, vt, refs, n * i / MAX_THREADS, n * (i + 1) / MAX_THREADS, 0};
        if (pthread_create(&th[i], NULL, setup_loop, &w[i]) != 0)
            exit(1);
    }
    for (size_t i = 0; i < MAX_THREADS; i++) {
        pthread_join(th[i], NULL);
        if (w[i].rc != 0) {
            fprintf(stderr, "bench-issue: creating applications failed: %s\n",
                    w[i].rc < 0 ? store_err_message(w[i].rc) : "?");
            rc = -1;
        }
    }
    store_close(st);
    return rc;
}

/* ---- issuance ---------------------------------------------------------- */

struct issue_run {
    const struct portal *p;
    int64_t officer_id;
    char actor[32];
    char (*refs)[STORE_REF_MAX]; /* this phase's applications */
    size_t n;
    atomic_size_t next;
    double deadline;
    double *lat; /* ms per application; 0 = not issued */
    double *propose_ms, *portal_ms;
    atomic_int failed;
    char err[256];
    pthread_mutex_t err_lock;
};

/* One officer approval as console.c decide() does it: load the application,
 * record the final approval, issue the visa. */
static int approve_and_issue(struct issue_run *r, size_t i, char *err, size_t cap)
{
    const char *ref = r->refs[i];
    double t0 = now_s();
    struct store_app row;
    int rc = store_app_get(r->p->store, ref, &row);
    if (rc != 0) {
        snprintf(err, cap, "%s: %s", ref, store_err_message(rc));
        return -1;
    }
    struct app_values v = {0};
    struct app_errors e = {0};
    app_values_from_json(row.fields_json, &v, true, &e);
    struct store_decision d = {0}, out;
    snprintf(d.reference, sizeof d.reference, "%s", row.reference);
    snprintf(d.decision, sizeof d.decision, "approve");
    d.officer_id = r->officer_id;
    rc = store_decision_propose(r->p->store, &d, false, row.status, "approved", &out);
    store_app_clear(&row);
    if (rc != 0) {
        snprintf(err, cap, "%s: decision: %s", ref, store_err_message(rc));
        return -1;
    }
    double t1 = now_s();
    if (portal_issue(r->p, ref, r->actor, err, cap) != 0)
        return -1;
    double t2 = now_s();
    r->lat[i] = (t2 - t0) * 1000.0;
    r->propose_ms[i] = (t1 - t0) * 1000.0;
    r->portal_ms[i] = (t2 - t1) * 1000.0;
    return 0;
}

static void *issue_loop(void *arg)
{
    struct issue_run *r = arg;
    while (!atomic_load(&r->failed) && now_s() < r->deadline) {
        size_t i = atomic_fetch_add(&r->next, 1);
        if (i >= r->n)
            break;
        char err[200] = "";
        if (approve_and_issue(r, i, err, sizeof err) != 0) {
            pthread_mutex_lock(&r->err_lock);
            if (!atomic_exchange(&r->failed, 1))
                snprintf(r->err, sizeof r->err, "%s", err);
            pthread_mutex_unlock(&r->err_lock);
        }
    }
    return NULL;
}

/* Issues refs[0..n) from `threads` threads for at most secs seconds into
 * *a.  *issued = how many were attempted (all must be issued).  0 or -1. */
static int bench_issue(const struct portal *p, int64_t officer, char (*refs)[STORE_REF_MAX],
                       size_t n, int threads, double secs, size_t *issued, struct acc *a)
{
    struct issue_run r = {.p = p, .officer_id = officer, .refs = refs, .n = n};
    snprintf(r.actor, sizeof r.actor, "user:%lld", (long long)officer);
    r.lat = calloc(n, sizeof *r.lat);
    r.propose_ms = calloc(n, sizeof *r.propose_ms);
    r.portal_ms = calloc(n, sizeof *r.portal_ms);
    if (!r.lat || !r.propose_ms || !r.portal_ms)
        exit(1);
    pthread_mutex_init(&r.err_lock, NULL);
    pthread_t th[MAX_THREADS];
    double t0 = now_s();
    r.deadline = t0 + secs;
    for (int i = 0; i < threads; i++)
        if (pthread_create(&th[i], NULL, issue_loop, &r) != 0)
            exit(1);
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    double wall = now_s() - t0;
    size_t done = atomic_load(&r.next);
    done = done < n ? done : n;
    *issued = done;
    int rc = 0;
    if (atomic_load(&r.failed)) {
        fprintf(stderr, "bench-issue: issuance failed: %s\n", r.err);
        rc = -1;
    }
    for (size_t i = 0; i < done; i++)
        a->propose += r.propose_ms[i], a->portal += r.portal_ms[i];
    a->n += done;
    a->wall += wall;
    acc_lat(a, r.lat, done);
    pthread_mutex_destroy(&r.err_lock);
    free(r.lat);
    free(r.propose_ms);
    free(r.portal_ms);
    return rc;
}

/* Every issued application: status "issued", and its stored visa's seal
 * decodes, names the DS certificate, carries the applicant's passport
 * number and verifies with the certificate's public key.  Returns how many
 * passed. */
static size_t verify_issued(struct store *st, X509 *cert, EVP_PKEY *pub,
                            char (*refs)[STORE_REF_MAX], size_t n)
{
    size_t ok = 0;
    struct store_visa *v = malloc(sizeof *v);
    if (!v)
        return 0;
    for (size_t i = 0; i < n; i++) {
        struct store_app a;
        if (store_app_get(st, refs[i], &a) != 0)
            continue;
        bool issued = !strcmp(a.status, "issued");
        char passport[16];
        snprintf(passport, sizeof passport, "%s", a.passport_number);
        store_app_clear(&a);
        struct vds_seal s;
        if (issued && store_visa_get_by_reference(st, refs[i], v) == 0 &&
            vds_decode(v->seal, v->seal_len, &s) == 0 && s.is_visa &&
            !strcmp(s.visa.passport_number, passport) &&
            signer_cert_matches(cert, s.header.signer_id, s.header.cert_ref) == 0 &&
            seal_sig_verify(pub, v->seal, s.signed_length, s.signature, s.signature_length) == 0)
            ok++;
        else
            fprintf(stderr, "bench-issue: the visa of %s does not verify\n", refs[i]);
    }
    free(v);
    return ok;
}

int main(int argc, char **argv)
{
    double secs = 2.0;
    size_t per_phase = 1000, slices = 3;
    const char *exe = "build/evisa", *states = "config/states";
    int opt;
    while ((opt = getopt(argc, argv, "d:n:s:e:c:")) != -1) {
        if (opt == 'd')
            secs = atof(optarg);
        else if (opt == 'n')
            per_phase = (size_t)strtoul(optarg, NULL, 10);
        else if (opt == 's')
            slices = (size_t)strtoul(optarg, NULL, 10);
        else if (opt == 'e')
            exe = optarg;
        else if (opt == 'c')
            states = optarg;
        else {
            fprintf(stderr,
                    "usage: issue [-d seconds] [-n apps] [-s slices] [-e evisa] [-c states]\n");
            return 64;
        }
    }
    if (secs <= 0 || slices == 0 || slices > 100 || per_phase < slices || per_phase > 1000000) {
        fprintf(stderr, "bench-issue: bad -d, -n or -s\n");
        return 64;
    }
    if (access(exe, X_OK) != 0) {
        fprintf(stderr, "bench-issue: %s: %s (build it with make build/evisa)\n", exe,
                strerror(errno));
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    struct policy_set *policy = calloc(1, sizeof *policy);
    struct policy_error perr;
    if (!policy || policy_load_dir(states, policy, &perr) != 0) {
        fprintf(stderr, "bench-issue: %s: %s: %s\n", perr.file, perr.field, perr.reason);
        return 1;
    }
    const struct policy_state *pst = policy_find_state(policy, STATE);
    const struct policy_visa_type *vt = NULL;
    for (size_t i = 0; pst && i < pst->n_types && !vt; i++)
        if (!pst->types[i].four_eyes_approve && pst->types[i].n_tracks)
            vt = &pst->types[i];
    if (!vt) {
        fprintf(stderr, "bench-issue: %s has no visa type approved by one officer\n", STATE);
        return 1;
    }

    const char *tmpdir = getenv("TMPDIR");
    char dir[100], keys[128], sdir[128], sock[160], log[160], ddir[128], db[160];
    snprintf(dir, sizeof dir, "%s/evisa-bench-issue.XXXXXX",
             tmpdir && *tmpdir && strlen(tmpdir) < 60 ? tmpdir : "/tmp");
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench-issue: mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    snprintf(keys, sizeof keys, "%s/keys", dir);
    snprintf(sdir, sizeof sdir, "%s/signer", dir);
    snprintf(ddir, sizeof ddir, "%s/db", dir);
    snprintf(sock, sizeof sock, "%s/signer.sock", sdir);
    snprintf(log, sizeof log, "%s/signer.log", sdir);
    snprintf(db, sizeof db, "%s/evisa.db", ddir);
    char keys_state[160];
    snprintf(keys_state, sizeof keys_state, "%s/" STATE, keys);

    int rc = 1;
    pid_t signer = -1;
    struct store *st = NULL;
    X509 *cert = NULL;
    EVP_PKEY *pub = NULL;
    struct portal *p = calloc(1, sizeof *p);
    const size_t phases = 3; /* 1, 2 and 4 threads */
    char(*refs)[STORE_REF_MAX] = calloc(per_phase * phases, sizeof *refs);
    const size_t chunk = per_phase / slices; /* applications per phase and slice */
    size_t *issued = calloc(phases * slices, sizeof *issued);
    struct acc acc[6] = {{0}}; /* sign 1c, sign 2c, fdatasync, issue 1t, 2t, 4t */
    char err[256] = "";
    struct signer_info info;
    if (!p || !refs || !issued || mkdir(keys, 0700) != 0 || mkdir(sdir, 0700) != 0 ||
        mkdir(ddir, 0700) != 0) {
        fprintf(stderr, "bench-issue: cannot set up %s\n", dir);
        goto out;
    }
    if (keys_init(exe, keys_state) != 0) {
        fprintf(stderr, "bench-issue: evisa keys init failed\n");
        goto out;
    }
    struct signer_spawn_opts so = {
        .exe = exe, .keys_dir = keys, .socket_path = sock, .log_path = log, .state = STATE};
    if (signer_spawn(&so, &signer, err, sizeof err) != 0 ||
        signer_info(sock, STATE, &info, err, sizeof err) != 0) {
        fprintf(stderr, "bench-issue: signer: %s\n", err);
        goto out;
    }
    if (signer_cert_load_mem(info.cert_der, info.cert_der_len, &cert) != 0 ||
        !(pub = X509_get_pubkey(cert))) {
        fprintf(stderr, "bench-issue: the signer's DS certificate does not load\n");
        goto out;
    }

    /* Applications first (group commit, setup only), then the real store. */
    double t_setup = now_s();
    if (create_apps(db, vt, refs, chunk * slices * phases) != 0)
        goto out;
    printf("setup_apps %zu\n", chunk * slices * phases);
    printf("setup_s %.2f\n", now_s() - t_setup);
    if (store_open(db, &st) != 0) {
        fprintf(stderr, "bench-issue: cannot open the store\n");
        goto out;
    }
    struct store_user u = {0}, uo;
    snprintf(u.email, sizeof u.email, "officer@bench.invalid");
    snprintf(u.state, sizeof u.state, STATE);
    snprintf(u.role, sizeof u.role, "officer");
    char tok[65];
    memset(tok, 'a', 64);
    tok[64] = '\0';
    if (store_user_create(st, &u, tok, (int64_t)time(NULL) + 3600, "bench", &uo) != 0) {
        fprintf(stderr, "bench-issue: cannot create the officer\n");
        goto out;
    }
    p->policy = policy;
    p->store = st;
    snprintf(p->signer_socket, sizeof p->signer_socket, "%s", sock);
    snprintf(p->signers[0].state, sizeof p->signers[0].state, STATE);
    snprintf(p->signers[0].signer_id, sizeof p->signers[0].signer_id, "%s", info.signer_id);
    snprintf(p->signers[0].cert_ref, sizeof p->signers[0].cert_ref, "%.32s", info.cert_ref);
    p->n_signers = 1;

    /* A real visa TBS, as issuance_build hands it to the signer. */
    struct tbs_capture cap = {.socket = sock};
    struct issuance_signer isg = {{0}, {0}, capture_sign, &cap};
    snprintf(isg.signer_id, sizeof isg.signer_id, "%s", info.signer_id);
    snprintf(isg.cert_ref, sizeof isg.cert_ref, "%.32s", info.cert_ref);
    {
        struct store_app a;
        struct app_values v = {0};
        struct app_errors e = {0};
        struct store_visa *visa = malloc(sizeof *visa);
        if (!visa || store_app_get(st, refs[0], &a) != 0) {
            free(visa);
            goto out;
        }
        app_values_from_json(a.fields_json, &v, true, &e);
        store_app_clear(&a);
        int b =
            issuance_build(pst, vt, &v, refs[0], 999999, &isg, time(NULL), visa, err, sizeof err);
        free(visa);
        if (b != 0 || cap.n == 0) {
            fprintf(stderr, "bench-issue: issuance_build: %s\n", err);
            goto out;
        }
        printf("tbs_bytes %zu\n", cap.n);
    }

    /* The machine's fsync rate drifts from second to second: every
     * measurement runs in `slices` slices, interleaved, and is summed. */
    static const int threads[3] = {1, 2, 4};
    const double ss = secs / (double)slices;
    for (size_t sl = 0; sl < slices; sl++) {
        if (bench_signer(sock, cap.tbs, cap.n, pub, 1, ss, signer, &acc[0]) != 0 ||
            bench_signer(sock, cap.tbs, cap.n, pub, 2, ss, signer, &acc[1]) != 0 ||
            fdatasync_rate(sdir, ss / 2, &acc[2]) != 0)
            goto out;
        for (size_t ph = 0; ph < phases; ph++)
            if (bench_issue(p, uo.id, refs + (sl * phases + ph) * chunk, chunk, threads[ph], ss,
                            &issued[sl * phases + ph], &acc[3 + ph]) != 0)
                goto out;
    }
    printf("slices %zu\n", slices);
    acc_print("signer_sign", &acc[0]);
    if (acc[0].n)
        printf("signer_cpu_us_per_sign %.1f\n", acc[0].cpu * 1e6 / (double)acc[0].n);
    acc_print("signer_sign_2t", &acc[1]);
    acc_print("fdatasync", &acc[2]);
    static const char *const names[3] = {"issue", "issue_2t", "issue_4t"};
    for (size_t ph = 0; ph < phases; ph++) {
        struct acc *a = &acc[3 + ph];
        acc_print(names[ph], a);
        printf("%s_count %zu\n", names[ph], a->n);
        printf("%s_propose_ms %.3f\n", names[ph], a->n ? a->propose / (double)a->n : 0);
        printf("%s_portal_ms %.3f\n", names[ph], a->n ? a->portal / (double)a->n : 0);
    }
    size_t want = 0, ok = 0;
    for (size_t k = 0; k < phases * slices; k++) {
        want += issued[k];
        ok += verify_issued(st, cert, pub, refs + k * chunk, issued[k]);
    }
    printf("verified %zu\n", ok);
    if (ok != want || want == 0) {
        fprintf(stderr, "bench-issue: %zu of %zu issued visas verify\n", ok, want);
        goto out;
    }
    rc = 0;
out:
    if (st)
        store_close(st);
    if (signer > 0)
        signer_stop(signer);
    EVP_PKEY_free(pub);
    X509_free(cert);
    free(refs);
    free(issued);
    for (size_t k = 0; k < 6; k++)
        free(acc[k].lat);
    free(p);
    free(policy);
    rm_tree(dir);
    return rc;
}
