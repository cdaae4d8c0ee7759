/*
 * test_store_consular.c — the consular side of the SQLite store (issue 5):
 * officer accounts and enrolment, lockout, sessions, the review queue per
 * state, decisions (direct, four-eyes, races), visa serials, issuance and
 * revocation, and the notification outbox (queued with the status change,
 * claimed once, retried).  Each test works on a fresh database in its own
 * temporary directory.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store.h"
#include "test.h"

struct fx {
    char dir[256];
    char path[300];
    struct store *st;
};

static bool fx_open(struct fx *f, const struct store_opts *opts)
{
    f->st = NULL;
    if (!test_tmpdir(f->dir, sizeof f->dir))
        return false;
    int n = snprintf(f->path, sizeof f->path, "%s/evisa.db", f->dir);
    if (n <= 0 || (size_t)n >= sizeof f->path)
        return false;
    return store_open_opts(f->path, opts, &f->st) == 0;
}

/* Closes the store and removes the database files and the directory. */
static void fx_close(struct fx *f)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    store_close(f->st);
    f->st = NULL;
    char p[320];
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
        remove(p);
    }
    remove(f->dir);
}

static long long raw_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

static int raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* Creates an application of `state` and moves it to `status` (any status;
 * the store does not check the state machine) with that deadline. */
static int mk_app(struct store *st, const char *ref, const char *state, const char *status,
                  int64_t deadline, const char *passport)
{
    struct store_app in, out;
    memset(&in, 0, sizeof in);
    snprintf(in.reference, sizeof in.reference, "%s", ref);
    snprintf(in.state, sizeof in.state, "%s", state);
    snprintf(in.visa_type, sizeof in.visa_type, "tourist");
    snprintf(in.track, sizeof in.track, "standard");
    snprintf(in.lang, sizeof in.lang, "en");
    snprintf(in.currency, sizeof in.currency, "USD");
    snprintf(in.passport_number, sizeof in.passport_number, "%s", passport ? passport : "");
    in.fee_minor = 2000;
    in.fields_json = (char *)"{}";
    int rc = store_app_create(st, &in, NULL, NULL, &out, NULL);
    store_app_clear(&out);
    if (rc || strcmp(status, "draft") == 0)
        return rc;
    return store_app_transition(st, ref, "draft", status, deadline - 100, deadline, "test",
                                "submitted", NULL);
}

static void user_fill(struct store_user *u, const char *email, const char *state, const char *role)
{
    memset(u, 0, sizeof *u);
    snprintf(u->email, sizeof u->email, "%s", email);
    snprintf(u->state, sizeof u->state, "%s", state);
    snprintf(u->role, sizeof u->role, "%s", role);
}

/* Creates and enrols a user; its id, or -1. */
static int64_t mk_user(struct store *st, const char *email, const char *state, const char *role)
{
    struct store_user in, out;
    char token[80];
    snprintf(token, sizeof token, "tok-%s", email);
    user_fill(&in, email, state, role);
    if (store_user_create(st, &in, token, 2000000000, "admin:test", &out) ||
        store_user_enrol(st, token, "$argon2id$x", "JBSWY3DPEHPK3PXP", 1000, &out))
        return -1;
    return out.id;
}

static const char *app_status(struct store *st, const char *ref, char buf[20])
{
    struct store_app a;
    buf[0] = '\0';
    if (store_app_get(st, ref, &a) == 0)
        snprintf(buf, 20, "%s", a.status);
    store_app_clear(&a);
    return buf;
}

/* ---- users ---- */

TEST(consular_user_create_stores_lower_case_email_waiting_for_enrolment)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    struct store_user in, out, got;
    user_fill(&in, "Officer.One@Example.ORG", "AZE", "officer");
    CHECK_INT(store_user_create(f.st, &in, "hash1", 5000, "admin:1", &out), 0);
    CHECK(out.id > 0);
    CHECK_STR(out.email, "officer.one@example.org");
    CHECK_STR(out.role, "officer");
    CHECK(!out.enrolled && !out.disabled);
    CHECK_STR(out.password_hash, "");
    CHECK_INT(store_user_get(f.st, out.id, &got), 0);
    CHECK_STR(got.email, "officer.one@example.org");
    CHECK_INT(store_user_get_by_email(f.st, "OFFICER.ONE@example.org", &got), 0);
    CHECK_INT(got.id, out.id);
    /* the token is stored as given (its hash), never anything else */
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM enrolment_tokens WHERE token_hash = 'hash1'"),
              1);
    fx_close(&f);
}

TEST(consular_user_create_duplicate_email_conflicts)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    struct store_user in, out;
    user_fill(&in, "a@example.org", "AZE", "officer");
    CHECK_INT(store_user_create(f.st, &in, "h1", 5000, "admin:1", &out), 0);
    user_fill(&in, "A@EXAMPLE.org", "PAK", "supervisor");
    CHECK_INT(store_user_create(f.st, &in, "h2", 5000, "admin:1", &out), -STORE_E_CONFLICT);
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM users"), 1);
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM enrolment_tokens"), 1);
    fx_close(&f);
}

TEST(consular_user_create_rejects_bad_role_email_and_oversize)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    struct store_user in, out;
    user_fill(&in, "a@example.org", "AZE", "king");
    CHECK_INT(store_user_create(f.st, &in, "h1", 5000, "admin:1", &out), -STORE_E_INVALID);
    user_fill(&in, "no-at-sign", "AZE", "officer");
    CHECK_INT(store_user_create(f.st, &in, "h1", 5000, "admin:1", &out), -STORE_E_INVALID);
    user_fill(&in, "a b@example.org", "AZE", "officer");
    CHECK_INT(store_user_create(f.st, &in, "h1", 5000, "admin:1", &out), -STORE_E_INVALID);
    user_fill(&in, "a@example.org", "AZE", "officer");
    CHECK_INT(store_user_create(f.st, &in, "", 5000, "admin:1", &out), -STORE_E_INVALID);
    char big[100];
    memset(big, 'f', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_INT(store_user_create(f.st, &in, big, 5000, "admin:1", &out), -STORE_E_TOO_LARGE);
    memset(in.email, 'x', sizeof in.email); /* not terminated */
    CHECK_INT(store_user_create(f.st, &in, "h1", 5000, "admin:1", &out), -STORE_E_TOO_LARGE);
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM users"), 0);
    fx_close(&f);
}

TEST(consular_user_get_unknown_is_not_found)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    struct store_user u;
    CHECK_INT(store_user_get(f.st, 42, &u), -STORE_E_NOT_FOUND);
    CHECK_INT(store_user_get(f.st, 0, &u), -STORE_E_NOT_FOUND);
    CHECK_INT(store_user_get_by_email(f.st, "nobody@example.org", &u), -STORE_E_NOT_FOUND);
    CHECK_INT(store_user_get_by_email(f.st, "garbage", &u), -STORE_E_NOT_FOUND);
    fx_close(&f);
}

TEST(consular_enrol_consumes_token_once)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    struct store_user in, out;
    user_fill(&in, "a@example.org", "AZE", "officer");
    CHECK_INT(store_user_create(f.st, &in, "tokhash", 5000, "admin:1", &out), 0);
    CHECK_INT(
        store_user_enrol(f.st, "tokhash", "$argon2id$v=19$abc", "JBSWY3DPEHPK3PXP", 4000, &out), 0);
    CHECK(out.enrolled);
    CHECK_STR(out.password_hash, "$argon2id$v=19$abc");
    CHECK_STR(out.totp_secret, "JBSWY3DPEHPK3PXP");
    /* reused token */
    CHECK_INT(store_user_enrol(f.st, "tokhash", "$argon2id$other", "OTHER", 4001, &out),
              -STORE_E_NOT_FOUND);
    CHECK_INT(store_user_get_by_email(f.st, "a@example.org", &out), 0);
    CHECK_STR(out.password_hash, "$argon2id$v=19$abc");
    /* unknown token */
    CHECK_INT(store_user_enrol(f.st, "nope", "$argon2id$x", "S", 4001, &out), -STORE_E_NOT_FOUND);
    fx_close(&f);
}

TEST(consular_enrol_expired_token_is_not_found)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    struct store_user in, out;
    user_fill(&in, "a@example.org", "AZE", "officer");
    CHECK_INT(store_user_create(f.st, &in, "tokhash", 5000, "admin:1", &out), 0);
    CHECK_INT(store_user_enrol(f.st, "tokhash", "$argon2id$x", "S", 5000, &out),
              -STORE_E_NOT_FOUND);
    CHECK_INT(store_user_get_by_email(f.st, "a@example.org", &out), 0);
    CHECK(!out.enrolled);
    fx_close(&f);
}

struct enrol_thread {
    struct store *st;
    int index, rc;
};

static void *enrol_worker(void *arg)
{
    struct enrol_thread *e = arg;
    struct store_user out;
    char pw[32];
    snprintf(pw, sizeof pw, "$argon2id$%d", e->index);
    e->rc = store_user_enrol(e->st, "shared-token", pw, "SECRET", 1000, &out);
    return NULL;
}

TEST(consular_enrol_same_token_from_8_threads_one_wins)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    struct store_user in, out;
    user_fill(&in, "a@example.org", "AZE", "officer");
    CHECK_INT(store_user_create(f.st, &in, "shared-token", 5000, "admin:1", &out), 0);
    enum { N = 8 };
    struct enrol_thread e[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        e[i] = (struct enrol_thread){f.st, i, 1};
        CHECK_INT(pthread_create(&th[i], NULL, enrol_worker, &e[i]), 0);
    }
    int wins = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        if (e[i].rc == 0)
            wins++;
        else
            CHECK_INT(e[i].rc, -STORE_E_NOT_FOUND);
    }
    CHECK_INT(wins, 1);
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM audit WHERE action = 'user_enrolled'"), 1);
    fx_close(&f);
}

TEST(consular_login_failures_lock_after_threshold)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    int64_t id = mk_user(f.st, "a@example.org", "AZE", "officer");
    CHECK(id > 0);
    struct store_user u;
    for (int i = 0; i < 4; i++)
        CHECK_INT(store_user_login_failed(f.st, id, 1000 + i, 5, 900), 0);
    CHECK_INT(store_user_get(f.st, id, &u), 0);
    CHECK_INT(u.failed_logins, 4);
    CHECK_INT(u.locked_until, 0);
    CHECK_INT(store_user_login_failed(f.st, id, 1004, 5, 900), 0);
    CHECK_INT(store_user_get(f.st, id, &u), 0);
    CHECK_INT(u.failed_logins, 5);
    CHECK_INT(u.locked_until, 1904);
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM audit WHERE action = 'login_locked'"), 1);
    CHECK_INT(store_user_login_failed(f.st, 999, 1004, 5, 900), -STORE_E_NOT_FOUND);
    CHECK_INT(store_user_login_failed(f.st, id, 1004, 0, 900), -STORE_E_INVALID);
    fx_close(&f);
}

TEST(consular_login_ok_resets_failures_and_lock)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    int64_t id = mk_user(f.st, "a@example.org", "AZE", "officer");
    CHECK(id > 0);
    for (int i = 0; i < 3; i++)
        CHECK_INT(store_user_login_failed(f.st, id, 1000, 3, 60), 0);
    CHECK_INT(store_user_login_ok(f.st, id, "192.0.2.7"), 0);
    struct store_user u;
    CHECK_INT(store_user_get(f.st, id, &u), 0);
    CHECK_INT(u.failed_logins, 0);
    CHECK_INT(u.locked_until, 0);
    /* consecutive: two failures after a success do not lock at 3 */
    CHECK_INT(store_user_login_failed(f.st, id, 2000, 3, 60), 0);
    CHECK_INT(store_user_login_failed(f.st, id, 2000, 3, 60), 0);
    CHECK_INT(store_user_get(f.st, id, &u), 0);
    CHECK_INT(u.locked_until, 0);
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM audit WHERE action = 'login'"
                              " AND detail_json LIKE '%192.0.2.7%'"),
              1);
    CHECK_INT(store_user_login_ok(f.st, 999, NULL), -STORE_E_NOT_FOUND);
    fx_close(&f);
}

/* ---- sessions ---- */

static void session_fill(struct store_session *s, const char *id, int64_t user, int64_t created,
                         int64_t expires)
{
    memset(s, 0, sizeof *s);
    snprintf(s->id_hash, sizeof s->id_hash, "%s", id);
    snprintf(s->csrf, sizeof s->csrf, "csrf-%s", id);
    s->user_id = user;
    s->created_at = created;
    s->expires_at = expires;
}

TEST(consular_session_valid_until_it_expires)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    int64_t id = mk_user(f.st, "a@example.org", "AZE", "officer");
    CHECK(id > 0);
    struct store_session in, out;
    struct store_user u;
    session_fill(&in, "sess1", id, 1000, 2000);
    CHECK_INT(store_session_create(f.st, &in), 0);
    CHECK_INT(store_session_get(f.st, "sess1", 1999, &out, &u), 0);
    CHECK_INT(out.user_id, id);
    CHECK_STR(out.csrf, "csrf-sess1");
    CHECK_INT(out.last_seen, 1000);
    CHECK_STR(u.email, "a@example.org");
    CHECK_STR(u.state, "AZE");
    CHECK_INT(store_session_get(f.st, "sess1", 2000, &out, &u), -STORE_E_NOT_FOUND);
    CHECK_INT(store_session_get(f.st, "other", 1500, &out, NULL), -STORE_E_NOT_FOUND);
    /* the same id twice; a session of nobody */
    CHECK_INT(store_session_create(f.st, &in), -STORE_E_CONFLICT);
    session_fill(&in, "sess2", 999, 1000, 2000);
    CHECK_INT(store_session_create(f.st, &in), -STORE_E_NOT_FOUND);
    session_fill(&in, "sess3", id, 1000, 1000);
    CHECK_INT(store_session_create(f.st, &in), -STORE_E_INVALID);
    fx_close(&f);
}

TEST(consular_session_touch_extends_and_delete_ends_it)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    int64_t id = mk_user(f.st, "a@example.org", "AZE", "officer");
    CHECK(id > 0);
    struct store_session in, out;
    session_fill(&in, "sess1", id, 1000, 2000);
    CHECK_INT(store_session_create(f.st, &in), 0);
    CHECK_INT(store_session_touch(f.st, "sess1", 1500, 3500), 0);
    CHECK_INT(store_session_get(f.st, "sess1", 3000, &out, NULL), 0);
    CHECK_INT(out.last_seen, 1500);
    CHECK_INT(out.expires_at, 3500);
    /* an expired session is not revived */
    CHECK_INT(store_session_touch(f.st, "sess1", 3500, 5000), -STORE_E_NOT_FOUND);
    CHECK_INT(store_session_delete(f.st, "sess1"), 0);
    CHECK_INT(store_session_get(f.st, "sess1", 1600, &out, NULL), -STORE_E_NOT_FOUND);
    CHECK_INT(store_session_delete(f.st, "sess1"), 0); /* idempotent */
    fx_close(&f);
}

TEST(consular_session_voided_by_logout_everywhere)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    int64_t a = mk_user(f.st, "a@example.org", "AZE", "officer");
    int64_t b = mk_user(f.st, "b@example.org", "AZE", "officer");
    CHECK(a > 0 && b > 0);
    struct store_session in, out;
    session_fill(&in, "a1", a, 1000, 9000);
    CHECK_INT(store_session_create(f.st, &in), 0);
    session_fill(&in, "a2", a, 1100, 9000);
    CHECK_INT(store_session_create(f.st, &in), 0);
    session_fill(&in, "b1", b, 1100, 9000);
    CHECK_INT(store_session_create(f.st, &in), 0);
    CHECK_INT(store_user_logout_everywhere(f.st, a, 2000), 0);
    CHECK_INT(store_session_get(f.st, "a1", 2100, &out, NULL), -STORE_E_NOT_FOUND);
    CHECK_INT(store_session_get(f.st, "a2", 2100, &out, NULL), -STORE_E_NOT_FOUND);
    CHECK_INT(store_session_get(f.st, "b1", 2100, &out, NULL), 0);
    /* a session stored later but created before the logout is void too */
    session_fill(&in, "a3", a, 1500, 9000);
    CHECK_INT(store_session_create(f.st, &in), 0);
    CHECK_INT(store_session_get(f.st, "a3", 2100, &out, NULL), -STORE_E_NOT_FOUND);
    /* a new login works */
    session_fill(&in, "a4", a, 2000, 9000);
    CHECK_INT(store_session_create(f.st, &in), 0);
    CHECK_INT(store_session_get(f.st, "a4", 2100, &out, NULL), 0);
    CHECK_INT(store_user_logout_everywhere(f.st, 999, 2000), -STORE_E_NOT_FOUND);
    fx_close(&f);
}

TEST(consular_session_of_disabled_user_is_not_found)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    int64_t a = mk_user(f.st, "a@example.org", "AZE", "officer");
    CHECK(a > 0);
    struct store_session in, out;
    session_fill(&in, "a1", a, 1000, 9000);
    CHECK_INT(store_session_create(f.st, &in), 0);
    CHECK_INT(store_session_get(f.st, "a1", 1500, &out, NULL), 0);
    CHECK_INT(raw_exec(f.path, "UPDATE users SET disabled = 1"), SQLITE_OK);
    CHECK_INT(store_session_get(f.st, "a1", 1500, &out, NULL), -STORE_E_NOT_FOUND);
    fx_close(&f);
}

/* ---- queue and history ---- */

TEST(consular_queue_orders_by_deadline_and_filters_status)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    CHECK_INT(mk_app(f.st, "AZE-1", "AZE", "submitted", 5000, NULL), 0);
    CHECK_INT(mk_app(f.st, "AZE-2", "AZE", "submitted", 3000, NULL), 0);
    CHECK_INT(mk_app(f.st, "AZE-3", "AZE", "in_review", 4000, NULL), 0);
    CHECK_INT(mk_app(f.st, "AZE-4", "AZE", "refused", 1000, NULL), 0);
    CHECK_INT(mk_app(f.st, "AZE-5", "AZE", "draft", 0, NULL), 0);
    static const char *const open_[] = {"submitted", "in_review", NULL};
    struct store_app *rows;
    size_t n;
    CHECK_INT(store_queue(f.st, "AZE", open_, 0, 100, &rows, &n), 0);
    CHECK_INT(n, 3);
    CHECK_STR(rows[0].reference, "AZE-2");
    CHECK_STR(rows[1].reference, "AZE-3");
    CHECK_STR(rows[2].reference, "AZE-1");
    CHECK_INT(rows[0].deadline_at, 3000);
    store_apps_free(rows, n);
    static const char *const refused[] = {"refused", NULL};
    CHECK_INT(store_queue(f.st, "AZE", refused, 0, 100, &rows, &n), 0);
    CHECK_INT(n, 1);
    CHECK_STR(rows[0].reference, "AZE-4");
    store_apps_free(rows, n);
    static const char *const none[] = {NULL};
    CHECK_INT(store_queue(f.st, "AZE", none, 0, 100, &rows, &n), 0);
    CHECK_INT(n, 0);
    CHECK(rows == NULL);
    fx_close(&f);
}

TEST(consular_queue_pages_with_offset_and_max)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    char ref[STORE_REF_MAX];
    for (int i = 0; i < 7; i++) {
        snprintf(ref, sizeof ref, "AZE-%d", i);
        CHECK_INT(mk_app(f.st, ref, "AZE", "submitted", 1000 + 10 * i, NULL), 0);
    }
    static const char *const sub[] = {"submitted", NULL};
    struct store_app *rows;
    size_t n;
    CHECK_INT(store_queue(f.st, "AZE", sub, 3, 2, &rows, &n), 0);
    CHECK_INT(n, 2);
    CHECK_STR(rows[0].reference, "AZE-3");
    CHECK_STR(rows[1].reference, "AZE-4");
    store_apps_free(rows, n);
    CHECK_INT(store_queue(f.st, "AZE", sub, 6, 5, &rows, &n), 0);
    CHECK_INT(n, 1);
    store_apps_free(rows, n);
    CHECK_INT(store_queue(f.st, "AZE", sub, 0, 0, &rows, &n), 0);
    CHECK_INT(n, 0);
    fx_close(&f);
}

TEST(consular_queue_never_returns_another_states_rows)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    CHECK_INT(mk_app(f.st, "AZE-1", "AZE", "submitted", 5000, NULL), 0);
    CHECK_INT(mk_app(f.st, "PAK-1", "PAK", "submitted", 1000, NULL), 0);
    CHECK_INT(mk_app(f.st, "PAK-2", "PAK", "submitted", 2000, NULL), 0);
    static const char *const sub[] = {"submitted", NULL};
    struct store_app *rows;
    size_t n;
    CHECK_INT(store_queue(f.st, "AZE", sub, 0, 100, &rows, &n), 0);
    CHECK_INT(n, 1);
    CHECK_STR(rows[0].state, "AZE");
    store_apps_free(rows, n);
    CHECK_INT(store_queue(f.st, "PAK", sub, 0, 100, &rows, &n), 0);
    CHECK_INT(n, 2);
    for (size_t i = 0; i < n; i++)
        CHECK_STR(rows[i].state, "PAK");
    store_apps_free(rows, n);
    CHECK_INT(store_queue(f.st, "GBR", sub, 0, 100, &rows, &n), 0);
    CHECK_INT(n, 0);
    CHECK_INT(store_queue(f.st, "AZEX", sub, 0, 100, &rows, &n), -STORE_E_TOO_LARGE);
    CHECK_INT(store_queue(f.st, "", sub, 0, 100, &rows, &n), -STORE_E_INVALID);
    fx_close(&f);
}

TEST(consular_apps_by_passport_newest_first_without_current)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    CHECK_INT(mk_app(f.st, "AZE-1", "AZE", "refused", 1000, "P1234567"), 0);
    CHECK_INT(mk_app(f.st, "PAK-2", "PAK", "issued", 2000, "P1234567"), 0);
    CHECK_INT(mk_app(f.st, "AZE-3", "AZE", "submitted", 3000, "P1234567"), 0);
    CHECK_INT(mk_app(f.st, "AZE-4", "AZE", "submitted", 3000, "X9999999"), 0);
    CHECK_INT(mk_app(f.st, "AZE-5", "AZE", "draft", 0, NULL), 0);
    struct store_app *rows;
    size_t n;
    CHECK_INT(store_apps_by_passport(f.st, "P1234567", "AZE-3", 10, &rows, &n), 0);
    CHECK_INT(n, 2);
    CHECK_STR(rows[0].reference, "PAK-2"); /* same second: later row first */
    CHECK_STR(rows[1].reference, "AZE-1");
    store_apps_free(rows, n);
    CHECK_INT(store_apps_by_passport(f.st, "P1234567", NULL, 1, &rows, &n), 0);
    CHECK_INT(n, 1);
    CHECK_STR(rows[0].reference, "AZE-3");
    store_apps_free(rows, n);
    /* never matches the applications without a passport yet */
    CHECK_INT(store_apps_by_passport(f.st, "", NULL, 10, &rows, &n), -STORE_E_INVALID);
    fx_close(&f);
}

/* ---- decisions ---- */

static void decision_fill(struct store_decision *d, const char *ref, const char *what,
                          int64_t officer)
{
    memset(d, 0, sizeof *d);
    snprintf(d->reference, sizeof d->reference, "%s", ref);
    snprintf(d->decision, sizeof d->decision, "%s", what);
    snprintf(d->note, sizeof d->note, "checked");
    if (strcmp(what, "refuse") == 0)
        snprintf(d->reason_code, sizeof d->reason_code, "R01");
    d->officer_id = officer;
}

TEST(consular_decision_direct_is_final_and_moves_application)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    int64_t o = mk_user(f.st, "o@example.org", "AZE", "officer");
    CHECK(o > 0);
    CHECK_INT(mk_app(f.st, "AZE-1", "AZE", "in_review", 5000, NULL), 0);
    struct store_decision in, out;
    decision_fill(&in, "AZE-1", "refuse", o);
    CHECK_INT(store_decision_propose(f.st, &in, false, "in_review", "refused", &out), 0);
    CHECK(out.id > 0);
    CHECK_STR(out.status, "final");
    CHECK_STR(out.reason_code, "R01");
    CHECK(out.decided_at > 0);
    char st[20];
    CHECK_STR(app_status(f.st, "AZE-1", st), "refused");
    CHECK_INT(store_decision_last(f.st, "AZE-1", &out), 0);
    CHECK_STR(out.decision, "refuse");
    CHECK_INT(store_decision_pending(f.st, "AZE-1", &out), -STORE_E_NOT_FOUND);
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM audit WHERE action = 'decision_refuse'"
                              " AND reference = 'AZE-1'"),
              1);
    /* a second decision finds the status changed */
    decision_fill(&in, "AZE-1", "approve", o);
    CHECK_INT(store_decision_propose(f.st, &in, false, "in_review", "approved", &out),
              -STORE_E_BAD_STATUS);
    fx_close(&f);
}

TEST(consular_decision_four_eyes_pending_then_confirmed_by_another)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    int64_t a = mk_user(f.st, "a@example.org", "AZE", "officer");
    int64_t b = mk_user(f.st, "b@example.org", "AZE", "supervisor");
    CHECK(a > 0 && b > 0);
    CHECK_INT(mk_app(f.st, "AZE-1", "AZE", "in_review", 5000, NULL), 0);
    struct store_decision in, out;
    decision_fill(&in, "AZE-1", "approve", a);
    CHECK_INT(store_decision_propose(f.st, &in, true, "in_review", "approved", &out), 0);
    CHECK_STR(out.status, "pending");
    CHECK_INT(out.second_officer_id, 0);
    int64_t id = out.id;
    char st[20];
    CHECK_STR(app_status(f.st, "AZE-1", st), "in_review");
    CHECK_INT(store_decision_pending(f.st, "AZE-1", &out), 0);
    CHECK_INT(out.id, id);
    CHECK_INT(store_decision_last(f.st, "AZE-1", &out), -STORE_E_NOT_FOUND);
    /* another proposal while one is pending */
    decision_fill(&in, "AZE-1", "refuse", b);
    CHECK_INT(store_decision_propose(f.st, &in, false, "in_review", "refused", &out),
              -STORE_E_CONFLICT);
    CHECK_INT(store_decision_confirm(f.st, id, b, true, "in_review", "approved", &out), 0);
    CHECK_STR(out.status, "final");
    CHECK_INT(out.second_officer_id, b);
    CHECK_STR(app_status(f.st, "AZE-1", st), "approved");
    CHECK_INT(store_decision_last(f.st, "AZE-1", &out), 0);
    CHECK_INT(out.id, id);
    CHECK_INT(store_decision_pending(f.st, "AZE-1", &out), -STORE_E_NOT_FOUND);
    /* confirmed once */
    CHECK_INT(store_decision_confirm(f.st, id, b, true, "in_review", "approved", &out),
              -STORE_E_BAD_STATUS);
    CHECK_INT(store_decision_confirm(f.st, 999, b, true, "in_review", "approved", &out),
              -STORE_E_NOT_FOUND);
    fx_close(&f);
}

TEST(consular_decision_same_officer_cannot_confirm)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    int64_t a = mk_user(f.st, "a@example.org", "AZE", "officer");
    CHECK(a > 0);
    CHECK_INT(mk_app(f.st, "AZE-1", "AZE", "in_review", 5000, NULL), 0);
    struct store_decision in, out;
    decision_fill(&in, "AZE-1", "approve", a);
    CHECK_INT(store_decision_propose(f.st, &in, true, "in_review", "approved", &out), 0);
    CHECK_INT(store_decision_confirm(f.st, out.id, a, true, "in_review", "approved", &out),
              -STORE_E_CONFLICT);
    char st[20];
    CHECK_STR(app_status(f.st, "AZE-1", st), "in_review");
    CHECK_INT(store_decision_pending(f.st, "AZE-1", &out), 0);
    fx_close(&f);
}

TEST(consular_decision_rejected_by_second_officer_leaves_application)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    int64_t a = mk_user(f.st, "a@example.org", "AZE", "officer");
    int64_t b = mk_user(f.st, "b@example.org", "AZE", "supervisor");
    CHECK(a > 0 && b > 0);
    CHECK_INT(mk_app(f.st, "AZE-1", "AZE", "in_review", 5000, NULL), 0);
    struct store_decision in, out;
    decision_fill(&in, "AZE-1", "refuse", a);
    CHECK_INT(store_decision_propose(f.st, &in, true, "in_review", "refused", &out), 0);
    int64_t id = out.id;
    CHECK_INT(store_decision_confirm(f.st, id, b, false, NULL, NULL, &out), 0);
    CHECK_STR(out.status, "rejected");
    char st[20];
    CHECK_STR(app_status(f.st, "AZE-1", st), "in_review");
    CHECK_INT(store_decision_pending(f.st, "AZE-1", &out), -STORE_E_NOT_FOUND);
    CHECK_INT(store_decision_last(f.st, "AZE-1", &out), -STORE_E_NOT_FOUND);
    /* a new proposal is possible again */
    decision_fill(&in, "AZE-1", "approve", b);
    CHECK_INT(store_decision_propose(f.st, &in, false, "in_review", "approved", &out), 0);
    CHECK_STR(app_status(f.st, "AZE-1", st), "approved");
    fx_close(&f);
}

TEST(consular_decision_rejects_bad_arguments)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    int64_t a = mk_user(f.st, "a@example.org", "AZE", "officer");
    CHECK(a > 0);
    CHECK_INT(mk_app(f.st, "AZE-1", "AZE", "in_review", 5000, NULL), 0);
    struct store_decision in, out;
    decision_fill(&in, "AZE-1", "maybe", a);
    CHECK_INT(store_decision_propose(f.st, &in, false, "in_review", "approved", &out),
              -STORE_E_INVALID);
    decision_fill(&in, "AZE-1", "approve", 777); /* no such officer */
    CHECK_INT(store_decision_propose(f.st, &in, false, "in_review", "approved", &out),
              -STORE_E_INVALID);
    decision_fill(&in, "AZE-1", "approve", a);
    CHECK_INT(store_decision_propose(f.st, &in, false, "in_review", NULL, &out), -STORE_E_INVALID);
    decision_fill(&in, "AZE-404", "approve", a);
    CHECK_INT(store_decision_propose(f.st, &in, false, "in_review", "approved", &out),
              -STORE_E_NOT_FOUND);
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM decisions"), 0);
    fx_close(&f);
}

struct propose_thread {
    struct store *st;
    int64_t officer;
    bool four_eyes;
    int rc;
};

static void *propose_worker(void *arg)
{
    struct propose_thread *p = arg;
    struct store_decision in, out;
    decision_fill(&in, "AZE-1", p->four_eyes ? "refuse" : "approve", p->officer);
    p->rc = store_decision_propose(p->st, &in, p->four_eyes, "in_review",
                                   p->four_eyes ? "refused" : "approved", &out);
    return NULL;
}

static void concurrent_proposals(const struct store_opts *opts)
{
    struct fx f;
    CHECK(fx_open(&f, opts));
    CHECK_INT(mk_app(f.st, "AZE-1", "AZE", "in_review", 5000, NULL), 0);
    enum { N = 8 };
    struct propose_thread p[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        char email[40];
        snprintf(email, sizeof email, "o%d@example.org", i);
        p[i] = (struct propose_thread){f.st, mk_user(f.st, email, "AZE", "officer"), i % 2, 1};
        CHECK(p[i].officer > 0);
    }
    for (int i = 0; i < N; i++)
        CHECK_INT(pthread_create(&th[i], NULL, propose_worker, &p[i]), 0);
    int wins = 0;
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++) {
        if (p[i].rc == 0)
            wins++;
        else
            CHECK(p[i].rc == -STORE_E_BAD_STATUS || p[i].rc == -STORE_E_CONFLICT);
    }
    CHECK_INT(wins, 1);
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM decisions"), 1);
    int64_t entries;
    CHECK_INT(store_audit_verify(f.st, NULL, &entries), 0);
    fx_close(&f);
}

TEST(consular_decision_concurrent_proposals_from_8_threads_one_wins)
{
    concurrent_proposals(NULL);
}

TEST(consular_decision_concurrent_proposals_one_wins_with_group_commit)
{
    struct store_opts o = {.max_batch = 8};
    concurrent_proposals(&o);
}

/* ---- visas ---- */

static void visa_fill(struct store_visa *v, const char *number, const char *ref, const char *state)
{
    memset(v, 0, sizeof *v);
    snprintf(v->visa_number, sizeof v->visa_number, "%s", number);
    snprintf(v->reference, sizeof v->reference, "%s", ref);
    snprintf(v->state, sizeof v->state, "%s", state);
    snprintf(v->mrz_line1, sizeof v->mrz_line1, "VCAZEKHAN<<AMIR<<<<<<<<<<<<<<<<<<<<<<<<<<<<");
    snprintf(v->mrz_line2, sizeof v->mrz_line2, "%s",
             "AZ00000017PAK9001011M2612318<<<<<<<<<<<<<<<");
    for (size_t i = 0; i < 300; i++)
        v->seal[i] = (uint8_t)(i * 7);
    v->seal_len = 300;
    snprintf(v->signer_cert_ref, sizeof v->signer_cert_ref, "AZEV1F4A");
    snprintf(v->valid_from, sizeof v->valid_from, "2026-01-01");
    snprintf(v->valid_until, sizeof v->valid_until, "2026-03-31");
    v->entries = 1;
    v->stay_days = 30;
}

TEST(consular_visa_serials_monotonic_per_state_across_reopen)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    int64_t s;
    CHECK_INT(store_visa_next_serial(f.st, "AZE", &s), 0);
    CHECK_INT(s, 1);
    CHECK_INT(store_visa_next_serial(f.st, "AZE", &s), 0);
    CHECK_INT(s, 2);
    CHECK_INT(store_visa_next_serial(f.st, "PAK", &s), 0);
    CHECK_INT(s, 1);
    store_close(f.st);
    CHECK_INT(store_open(f.path, &f.st), 0);
    CHECK_INT(store_visa_next_serial(f.st, "AZE", &s), 0);
    CHECK_INT(s, 3);
    CHECK_INT(store_visa_next_serial(f.st, "", &s), -STORE_E_INVALID);
    fx_close(&f);
}

TEST(consular_visa_issue_stores_visa_and_application_is_issued)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    CHECK_INT(mk_app(f.st, "AZE-1", "AZE", "approved", 5000, NULL), 0);
    struct store_visa v, got;
    visa_fill(&v, "AZ0000001", "AZE-1", "AZE");
    CHECK_INT(store_visa_issue(f.st, &v, "user:1"), 0);
    char st[20];
    CHECK_STR(app_status(f.st, "AZE-1", st), "issued");
    CHECK_INT(store_visa_get(f.st, "AZ0000001", &got), 0);
    CHECK_STR(got.reference, "AZE-1");
    CHECK_STR(got.status, "valid");
    CHECK_INT(got.seal_len, 300);
    CHECK(memcmp(got.seal, v.seal, 300) == 0);
    CHECK_STR(got.mrz_line2, v.mrz_line2);
    CHECK_INT(got.stay_days, 30);
    CHECK(got.issued_at > 0);
    CHECK_INT(store_visa_get_by_reference(f.st, "AZE-1", &got), 0);
    CHECK_STR(got.visa_number, "AZ0000001");
    CHECK_INT(store_visa_get(f.st, "AZ9999999", &got), -STORE_E_NOT_FOUND);
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM audit WHERE action = 'visa_issued'"), 1);
    /* the same visa number again */
    CHECK_INT(mk_app(f.st, "AZE-2", "AZE", "approved", 5000, NULL), 0);
    visa_fill(&v, "AZ0000001", "AZE-2", "AZE");
    CHECK_INT(store_visa_issue(f.st, &v, "user:1"), -STORE_E_CONFLICT);
    CHECK_STR(app_status(f.st, "AZE-2", st), "approved");
    fx_close(&f);
}

TEST(consular_visa_issue_refused_unless_approved_and_same_state)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    CHECK_INT(mk_app(f.st, "AZE-1", "AZE", "in_review", 5000, NULL), 0);
    CHECK_INT(mk_app(f.st, "PAK-1", "PAK", "approved", 5000, NULL), 0);
    struct store_visa v;
    visa_fill(&v, "AZ0000001", "AZE-1", "AZE");
    CHECK_INT(store_visa_issue(f.st, &v, "user:1"), -STORE_E_BAD_STATUS);
    visa_fill(&v, "AZ0000002", "PAK-1", "AZE");
    CHECK_INT(store_visa_issue(f.st, &v, "user:1"), -STORE_E_INVALID);
    visa_fill(&v, "AZ0000003", "AZE-404", "AZE");
    CHECK_INT(store_visa_issue(f.st, &v, "user:1"), -STORE_E_NOT_FOUND);
    visa_fill(&v, "AZ0000004", "AZE-1", "AZE");
    v.seal_len = sizeof v.seal + 1;
    CHECK_INT(store_visa_issue(f.st, &v, "user:1"), -STORE_E_TOO_LARGE);
    v.seal_len = 0;
    CHECK_INT(store_visa_issue(f.st, &v, "user:1"), -STORE_E_INVALID);
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM visas"), 0);
    fx_close(&f);
}

TEST(consular_visa_revoke_marks_revoked_and_lists_it)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    const char *refs[] = {"AZE-1", "AZE-2", "PAK-1"};
    const char *nums[] = {"AZ0000001", "AZ0000002", "PK0000001"};
    for (int i = 0; i < 3; i++) {
        const char *state = i == 2 ? "PAK" : "AZE";
        struct store_visa v;
        CHECK_INT(mk_app(f.st, refs[i], state, "approved", 5000, NULL), 0);
        visa_fill(&v, nums[i], refs[i], state);
        CHECK_INT(store_visa_issue(f.st, &v, "user:1"), 0);
    }
    CHECK_INT(store_visa_revoke(f.st, "AZ0000002", "fraudulent documents", "user:2", 7000), 0);
    CHECK_INT(store_visa_revoke(f.st, "PK0000001", "overstay", "user:3", 7100), 0);
    struct store_visa got;
    CHECK_INT(store_visa_get(f.st, "AZ0000002", &got), 0);
    CHECK_STR(got.status, "revoked");
    CHECK_STR(got.revoked_reason, "fraudulent documents");
    CHECK_INT(got.revoked_at, 7000);
    char st[20];
    CHECK_STR(app_status(f.st, "AZE-2", st), "revoked");
    CHECK_STR(app_status(f.st, "AZE-1", st), "issued");
    char(*numbers)[16];
    size_t n;
    CHECK_INT(store_visa_revoked(f.st, "AZE", &numbers, &n), 0);
    CHECK_INT(n, 1);
    CHECK_STR(numbers[0], "AZ0000002");
    free(numbers);
    CHECK_INT(store_visa_revoked(f.st, "GBR", &numbers, &n), 0);
    CHECK_INT(n, 0);
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM audit WHERE action = 'visa_revoked'"
                              " AND detail_json LIKE '%fraudulent documents%'"),
              1);
    /* twice; unknown; without a reason */
    CHECK_INT(store_visa_revoke(f.st, "AZ0000002", "again", "user:2", 7000), -STORE_E_BAD_STATUS);
    CHECK_INT(store_visa_revoke(f.st, "AZ0000404", "why", "user:2", 7000), -STORE_E_NOT_FOUND);
    CHECK_INT(store_visa_revoke(f.st, "AZ0000001", "", "user:2", 7000), -STORE_E_INVALID);
    fx_close(&f);
}

/* ---- outbox ---- */

static void mail_fill(struct store_mail *m, const char *to, const char *subject)
{
    memset(m, 0, sizeof *m);
    snprintf(m->to, sizeof m->to, "%s", to);
    snprintf(m->subject, sizeof m->subject, "%s", subject);
    m->body = (char *)"Salam.\nYour application changed.";
}

TEST(consular_outbox_transition_with_mail_queues_exactly_one)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    CHECK_INT(mk_app(f.st, "AZE-1", "AZE", "submitted", 5000, NULL), 0);
    struct store_mail m;
    mail_fill(&m, "applicant@example.org", "Your application AZE-1");
    CHECK_INT(store_app_transition_mail(f.st, "AZE-1", "submitted", "in_review", 0, 0, "user:1",
                                        "review_started", NULL, &m),
              0);
    char st[20];
    CHECK_STR(app_status(f.st, "AZE-1", st), "in_review");
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM outbox"), 1);
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM outbox WHERE reference = 'AZE-1'"
                              " AND status = 'pending' AND attempts = 0"),
              1);
    /* without a mail it is store_app_transition */
    CHECK_INT(store_app_transition_mail(f.st, "AZE-1", "in_review", "approved", 0, 0, "user:1",
                                        "decision_approve", NULL, NULL),
              0);
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM outbox"), 1);
    fx_close(&f);
}

TEST(consular_outbox_failed_transition_queues_nothing)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    CHECK_INT(mk_app(f.st, "AZE-1", "AZE", "submitted", 5000, NULL), 0);
    struct store_mail m;
    mail_fill(&m, "applicant@example.org", "Subject");
    CHECK_INT(store_app_transition_mail(f.st, "AZE-1", "approved", "issued", 0, 0, "user:1",
                                        "visa_issued", NULL, &m),
              -STORE_E_BAD_STATUS);
    CHECK_INT(store_app_transition_mail(f.st, "AZE-404", "submitted", "in_review", 0, 0, "user:1",
                                        "review_started", NULL, &m),
              -STORE_E_NOT_FOUND);
    m.body = NULL;
    CHECK_INT(store_app_transition_mail(f.st, "AZE-1", "submitted", "in_review", 0, 0, "user:1",
                                        "review_started", NULL, &m),
              -STORE_E_INVALID);
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM outbox"), 0);
    char st[20];
    CHECK_STR(app_status(f.st, "AZE-1", st), "submitted");
    fx_close(&f);
}

/* Queues n mails (on n applications), all due at `due`. */
static int queue_mails(struct store *st, int n, int64_t due)
{
    for (int i = 0; i < n; i++) {
        char ref[STORE_REF_MAX];
        snprintf(ref, sizeof ref, "AZE-M%03d", i);
        struct store_mail m;
        mail_fill(&m, "applicant@example.org", ref);
        m.next_attempt_at = due;
        int rc = mk_app(st, ref, "AZE", "submitted", 5000, NULL);
        if (rc == 0)
            rc = store_app_transition_mail(st, ref, "submitted", "in_review", 0, 0, "user:1",
                                           "review_started", NULL, &m);
        if (rc)
            return rc;
    }
    return 0;
}

TEST(consular_outbox_claim_result_and_retry)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    CHECK_INT(queue_mails(f.st, 3, 1000), 0);
    struct store_mail *m;
    size_t n;
    /* not due yet */
    CHECK_INT(store_outbox_claim(f.st, 999, 10, &m, &n), 0);
    CHECK_INT(n, 0);
    CHECK_INT(store_outbox_claim(f.st, 1000, 2, &m, &n), 0);
    CHECK_INT(n, 2);
    CHECK(m[0].id < m[1].id);
    CHECK_STR(m[0].subject, "AZE-M000");
    CHECK_STR(m[0].body, "Salam.\nYour application changed.");
    CHECK_STR(m[0].reference, "AZE-M000");
    int64_t sent = m[0].id, retry = m[1].id;
    store_mails_free(m, n);
    CHECK_INT(store_outbox_result(f.st, sent, true, false, 0, NULL), 0);
    CHECK_INT(store_outbox_result(f.st, retry, false, false, 1350, "451 try later"), 0);
    /* the retry is due at 1350; the third one is still unclaimed */
    CHECK_INT(store_outbox_claim(f.st, 1100, 10, &m, &n), 0);
    CHECK_INT(n, 1);
    CHECK_STR(m[0].subject, "AZE-M002");
    int64_t third = m[0].id;
    store_mails_free(m, n);
    CHECK_INT(store_outbox_claim(f.st, 1350, 10, &m, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(m[0].id, retry);
    CHECK_INT(m[0].attempts, 1);
    CHECK_STR(m[0].last_error, "451 try later");
    store_mails_free(m, n);
    CHECK_INT(store_outbox_result(f.st, retry, false, true, 0, "550 no such user"), 0);
    CHECK_INT(store_outbox_result(f.st, retry, true, false, 0, NULL), -STORE_E_BAD_STATUS);
    CHECK_INT(store_outbox_result(f.st, sent, true, false, 0, NULL), -STORE_E_BAD_STATUS);
    CHECK_INT(store_outbox_result(f.st, 999, true, false, 0, NULL), -STORE_E_NOT_FOUND);
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM outbox WHERE status = 'sent'"), 1);
    CHECK_INT(raw_int(f.path, "SELECT attempts FROM outbox WHERE status = 'failed'"), 2);
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM audit WHERE action = 'mail_sent'"), 1);
    CHECK_INT(raw_int(f.path, "SELECT count(*) FROM audit WHERE action = 'mail_failed'"), 1);
    /* a long error is cut, not refused */
    char big[400];
    memset(big, 'e', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_INT(store_outbox_result(f.st, third, false, false, 2000, big), 0);
    CHECK_INT(raw_int(f.path, "SELECT length(last_error) FROM outbox WHERE status = 'pending'"),
              159);
    fx_close(&f);
}

TEST(consular_outbox_claimed_mail_not_handed_out_until_stale)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    CHECK_INT(queue_mails(f.st, 1, 1000), 0);
    struct store_mail *m;
    size_t n;
    CHECK_INT(store_outbox_claim(f.st, 1000, 10, &m, &n), 0);
    CHECK_INT(n, 1);
    store_mails_free(m, n);
    CHECK_INT(store_outbox_claim(f.st, 1200, 10, &m, &n), 0);
    CHECK_INT(n, 0);
    /* the worker died: five minutes later someone else gets it */
    CHECK_INT(store_outbox_claim(f.st, 1300, 10, &m, &n), 0);
    CHECK_INT(n, 1);
    store_mails_free(m, n);
    fx_close(&f);
}

struct claim_thread {
    struct store *st;
    int64_t ids[64];
    size_t n;
    int rc;
};

static void *claim_worker(void *arg)
{
    struct claim_thread *c = arg;
    for (;;) {
        struct store_mail *m;
        size_t n;
        c->rc = store_outbox_claim(c->st, 1000, 3, &m, &n);
        if (c->rc || n == 0)
            return NULL;
        for (size_t i = 0; i < n && c->n < 64; i++)
            c->ids[c->n++] = m[i].id;
        store_mails_free(m, n);
    }
}

TEST(consular_outbox_no_double_claim_from_2_threads)
{
    struct fx f;
    struct store_opts o = {.max_batch = 4};
    CHECK(fx_open(&f, &o));
    enum { MAILS = 40 };
    CHECK_INT(queue_mails(f.st, MAILS, 1000), 0);
    struct claim_thread c[2] = {{.st = f.st}, {.st = f.st}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        CHECK_INT(pthread_create(&th[i], NULL, claim_worker, &c[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    CHECK_INT(c[0].rc, 0);
    CHECK_INT(c[1].rc, 0);
    CHECK_INT(c[0].n + c[1].n, MAILS);
    bool seen[MAILS + 1] = {false};
    for (int i = 0; i < 2; i++)
        for (size_t k = 0; k < c[i].n; k++) {
            int64_t id = c[i].ids[k];
            CHECK(id >= 1 && id <= MAILS);
            CHECK(!seen[id]);
            seen[id] = true;
        }
    fx_close(&f);
}

/* ---- everything together ---- */

TEST(consular_audit_chain_verifies_after_full_flow)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    int64_t a = mk_user(f.st, "a@example.org", "AZE", "officer");
    int64_t b = mk_user(f.st, "b@example.org", "AZE", "supervisor");
    CHECK(a > 0 && b > 0);
    CHECK_INT(store_user_login_failed(f.st, a, 1000, 1, 10), 0);
    CHECK_INT(store_user_login_ok(f.st, a, "198.51.100.1"), 0);
    CHECK_INT(mk_app(f.st, "AZE-1", "AZE", "in_review", 5000, "P1"), 0);
    struct store_decision in, out;
    decision_fill(&in, "AZE-1", "approve", a);
    CHECK_INT(store_decision_propose(f.st, &in, true, "in_review", "approved", &out), 0);
    CHECK_INT(store_decision_confirm(f.st, out.id, b, true, "in_review", "approved", &out), 0);
    struct store_visa v;
    visa_fill(&v, "AZ0000001", "AZE-1", "AZE");
    CHECK_INT(store_visa_issue(f.st, &v, "user:2"), 0);
    CHECK_INT(store_visa_revoke(f.st, "AZ0000001", "revoked in test", "user:2", 0), 0);
    CHECK_INT(store_user_logout_everywhere(f.st, a, 3000), 0);
    int64_t bad = -1, entries = 0;
    CHECK_INT(store_audit_verify(f.st, &bad, &entries), 0);
    CHECK_INT(bad, 0);
    /* 2 x (created, enrolled), locked, login, app created, submitted,
     * proposed, approve, issued, revoked, logout everywhere */
    CHECK_INT(entries, 13);
    fx_close(&f);
}

TEST(consular_store_rejects_missing_arguments)
{
    struct fx f;
    CHECK(fx_open(&f, NULL));
    struct store_user u;
    struct store_session s;
    struct store_app *rows;
    size_t n;
    static const char *const sub[] = {"submitted", NULL};
    CHECK_INT(store_user_create(NULL, &u, "t", 1, "a", &u), -STORE_E_INVALID);
    CHECK_INT(store_user_enrol(f.st, "t", "", "S", 1, &u), -STORE_E_INVALID);
    CHECK_INT(store_session_create(f.st, NULL), -STORE_E_INVALID);
    memset(&s, 0, sizeof s);
    CHECK_INT(store_session_create(f.st, &s), -STORE_E_INVALID);
    CHECK_INT(store_queue(f.st, "AZE", NULL, 0, 10, &rows, &n), -STORE_E_INVALID);
    CHECK_INT(store_queue(f.st, "AZE", sub, 0, 10, NULL, &n), -STORE_E_INVALID);
    CHECK_INT(store_visa_issue(f.st, NULL, "a"), -STORE_E_INVALID);
    CHECK_INT(store_outbox_claim(f.st, 0, 10, NULL, &n), -STORE_E_INVALID);
    CHECK_INT(store_decision_confirm(f.st, 1, 0, true, "a", "b", NULL), -STORE_E_INVALID);
    fx_close(&f);
}
