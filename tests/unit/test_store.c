/*
 * test_store.c — the SQLite store behind store.h: applications, optimistic
 * versions, status transitions, the hash-chained append-only audit log,
 * idempotent creation (also from many threads at once), payments exactly
 * once, rate-limit windows, migrations, concurrency and reopening.  Each
 * test works on a fresh database in its own temporary directory; some open
 * the file directly with SQLite to tamper with it as an attacker would.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/store_priv.h"
#include "test.h"

struct tdb {
    char dir[256];
    char path[300];
};

static bool tdb_init(struct tdb *t)
{
    if (!test_tmpdir(t->dir, sizeof t->dir))
        return false;
    int n = snprintf(t->path, sizeof t->path, "%s/evisa.db", t->dir);
    return n > 0 && (size_t)n < sizeof t->path;
}

/* Removes the database files and the directory. */
static void tdb_done(struct tdb *t)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    char p[320];
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", t->path, suffix[i]);
        remove(p);
    }
    remove(t->dir);
}

static void app_fill(struct store_app *a, const char *ref)
{
    memset(a, 0, sizeof *a);
    snprintf(a->reference, sizeof a->reference, "%s", ref);
    snprintf(a->state, sizeof a->state, "AZE");
    snprintf(a->visa_type, sizeof a->visa_type, "tourist");
    snprintf(a->track, sizeof a->track, "standard");
    snprintf(a->lang, sizeof a->lang, "en");
    snprintf(a->token_hash, sizeof a->token_hash, "%064d", 7);
    snprintf(a->currency, sizeof a->currency, "USD");
    a->fee_minor = 2000;
    a->fields_json = (char *)"{\"surname\":\"KHAN\"}";
}

/* Opens the store and creates one draft application ref. */
static int open_with_app(struct tdb *t, struct store **st, const char *ref)
{
    if (!tdb_init(t))
        return -1;
    int rc = store_open(t->path, st);
    if (rc)
        return rc;
    struct store_app in, out;
    app_fill(&in, ref);
    rc = store_app_create(*st, &in, NULL, NULL, &out, NULL);
    store_app_clear(&out);
    return rc;
}

/* One integer from a SQL query on a separate raw connection; -1 on error. */
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

/* Runs SQL on a separate raw connection; the SQLite result code. */
static int raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

TEST(store_create_returns_draft_row_and_get_reads_it)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK(tdb_init(&t));
    CHECK_INT(store_open(t.path, &st), 0);
    struct store_app in, out, got;
    app_fill(&in, "AZE-0001");
    bool replayed = true;
    CHECK_INT(store_app_create(st, &in, NULL, NULL, &out, &replayed), 0);
    CHECK(!replayed);
    CHECK_STR(out.reference, "AZE-0001");
    CHECK_STR(out.status, "draft");
    CHECK_INT(out.version, 1);
    CHECK(out.created_at > 0);
    CHECK_INT(out.created_at, out.updated_at);
    CHECK_INT(out.submitted_at, 0);
    CHECK_INT(store_app_get(st, "AZE-0001", &got), 0);
    CHECK_STR(got.fields_json, "{\"surname\":\"KHAN\"}");
    CHECK_STR(got.visa_type, "tourist");
    CHECK_STR(got.track, "standard");
    CHECK_STR(got.currency, "USD");
    CHECK_INT(got.fee_minor, 2000);
    CHECK_STR(got.token_hash, out.token_hash);
    store_app_clear(&out);
    store_app_clear(&got);
    store_close(st);
    tdb_done(&t);
}

TEST(store_get_unknown_reference_is_not_found)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    struct store_app out;
    CHECK_INT(store_app_get(st, "AZE-9999", &out), -STORE_E_NOT_FOUND);
    CHECK(out.fields_json == NULL);
    CHECK_INT(store_app_get(st, "AZE-000000000000000000000000000001", &out), -STORE_E_NOT_FOUND);
    store_close(st);
    tdb_done(&t);
}

TEST(store_create_duplicate_reference_conflicts)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    struct store_app in, out;
    app_fill(&in, "AZE-0001");
    CHECK_INT(store_app_create(st, &in, NULL, NULL, &out, NULL), -STORE_E_CONFLICT);
    CHECK(out.fields_json == NULL);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM applications"), 1);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM audit"), 1);
    /* The refused create left no claim on its idempotency key behind. */
    CHECK_INT(store_app_create(st, &in, "key-9", "hash-A", &out, NULL), -STORE_E_CONFLICT);
    app_fill(&in, "AZE-0002");
    bool replayed = true;
    CHECK_INT(store_app_create(st, &in, "key-9", "hash-A", &out, &replayed), 0);
    CHECK(!replayed);
    CHECK_STR(out.reference, "AZE-0002");
    store_app_clear(&out);
    store_close(st);
    tdb_done(&t);
}

TEST(store_update_fields_replaces_values_and_bumps_version)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    struct store_app in, out;
    app_fill(&in, "AZE-0001");
    in.fields_json = (char *)"{\"surname\":\"ALIYEV\"}";
    snprintf(in.passport_number, sizeof in.passport_number, "C01X00T47");
    snprintf(in.date_of_birth, sizeof in.date_of_birth, "1980-02-29");
    snprintf(in.lang, sizeof in.lang, "az");
    const char *const allowed[] = {"draft", "info_requested", NULL};
    CHECK_INT(store_app_update_fields(st, "AZE-0001", 1, allowed, &in, "applicant", &out), 0);
    CHECK_INT(out.version, 2);
    CHECK_STR(out.fields_json, "{\"surname\":\"ALIYEV\"}");
    CHECK_STR(out.passport_number, "C01X00T47");
    CHECK_STR(out.date_of_birth, "1980-02-29");
    CHECK_STR(out.lang, "az");
    store_app_clear(&out);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM audit WHERE action = 'fields_updated'"
                              " AND actor = 'applicant' AND reference = 'AZE-0001'"),
              1);
    store_close(st);
    tdb_done(&t);
}

TEST(store_update_fields_rejects_stale_version)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    struct store_app in, out;
    app_fill(&in, "AZE-0001");
    CHECK_INT(store_app_update_fields(st, "AZE-0001", 1, NULL, &in, "applicant", NULL), 0);
    CHECK_INT(store_app_update_fields(st, "AZE-0001", 1, NULL, &in, "applicant", &out),
              -STORE_E_CONFLICT);
    CHECK(out.fields_json == NULL);
    CHECK_INT(raw_int(t.path, "SELECT version FROM applications"), 2);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM audit"), 2);
    store_close(st);
    tdb_done(&t);
}

TEST(store_update_fields_rejects_disallowed_status)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    CHECK_INT(store_app_transition(st, "AZE-0001", "draft", "submitted", 100, 200, "system",
                                   "submitted", NULL),
              0);
    struct store_app in;
    app_fill(&in, "AZE-0001");
    const char *const allowed[] = {"draft", NULL};
    CHECK_INT(store_app_update_fields(st, "AZE-0001", 2, allowed, &in, "applicant", NULL),
              -STORE_E_BAD_STATUS);
    CHECK_INT(store_app_update_fields(st, "AZE-4242", 1, allowed, &in, "applicant", NULL),
              -STORE_E_NOT_FOUND);
    store_close(st);
    tdb_done(&t);
}

TEST(store_transition_moves_status_and_sets_times)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    CHECK_INT(store_app_transition(st, "AZE-0001", "draft", "submitted", 1000, 2000, "system",
                                   "submitted", "{\"why\":\"test\"}"),
              0);
    struct store_app out;
    CHECK_INT(store_app_get(st, "AZE-0001", &out), 0);
    CHECK_STR(out.status, "submitted");
    CHECK_INT(out.submitted_at, 1000);
    CHECK_INT(out.deadline_at, 2000);
    CHECK_INT(out.version, 2);
    store_app_clear(&out);
    /* zero times leave the stored ones alone */
    CHECK_INT(store_app_transition(st, "AZE-0001", "submitted", "in_review", 0, 0, "officer:7",
                                   "review_started", NULL),
              0);
    CHECK_INT(store_app_get(st, "AZE-0001", &out), 0);
    CHECK_STR(out.status, "in_review");
    CHECK_INT(out.submitted_at, 1000);
    CHECK_INT(out.deadline_at, 2000);
    store_app_clear(&out);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM audit WHERE action = 'review_started'"
                              " AND actor = 'officer:7' AND detail_json = '{}'"),
              1);
    store_close(st);
    tdb_done(&t);
}

TEST(store_transition_rejects_wrong_current_status)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    CHECK_INT(store_app_transition(st, "AZE-0001", "submitted", "in_review", 0, 0, "officer",
                                   "review_started", NULL),
              -STORE_E_BAD_STATUS);
    CHECK_INT(store_app_transition(st, "AZE-0404", "draft", "submitted", 0, 0, "system",
                                   "submitted", NULL),
              -STORE_E_NOT_FOUND);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM audit"), 1);
    CHECK_INT(raw_int(t.path, "SELECT version FROM applications"), 1);
    store_close(st);
    tdb_done(&t);
}

TEST(store_audit_entry_per_change_and_chain_verifies)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    struct store_app in;
    app_fill(&in, "AZE-0001");
    CHECK_INT(store_app_update_fields(st, "AZE-0001", 1, NULL, &in, "applicant", NULL), 0);
    CHECK_INT(store_app_transition(st, "AZE-0001", "draft", "withdrawn", 0, 0, "applicant",
                                   "withdrawn", NULL),
              0);
    CHECK_INT(store_audit_append(st, NULL, "system", "keys_rotated", "{\"n\":1}"), 0);
    int64_t bad = -1, n = -1;
    CHECK_INT(store_audit_verify(st, &bad, &n), 0);
    CHECK_INT(n, 4);
    CHECK_INT(bad, 0);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM audit WHERE reference = 'AZE-0001'"), 3);
    /* The first entry links to the genesis hash; each next one to its predecessor. */
    CHECK_INT(
        raw_int(t.path,
                "SELECT count(*) FROM audit WHERE seq = 1 AND prev_hash = '" STORE_AUDIT_GENESIS
                "'"),
        1);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM audit a JOIN audit b ON b.seq = a.seq + 1"
                              " WHERE b.prev_hash = a.hash"),
              3);
    store_close(st);
    tdb_done(&t);
}

TEST(store_audit_hash_has_documented_canonical_form)
{
    /* SHA-256("0"*64 "\n1\n2\nR\nA\nX\n{}"), computed independently. */
    char h[65];
    CHECK_INT(store_audit_hash(STORE_AUDIT_GENESIS, 1, 2, "R", "A", "X", "{}", h), 0);
    CHECK_STR(h, "fc858240374c366297a080a9c8c08edfe849af09574d07340e51b108d2945b0f");
}

TEST(store_audit_verify_detects_tampered_row)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    for (int i = 0; i < 4; i++)
        CHECK_INT(store_audit_append(st, "AZE-0001", "officer", "note", "{\"text\":\"ok\"}"), 0);
    CHECK_INT(raw_exec(t.path, "DROP TRIGGER audit_no_update;"
                               " UPDATE audit SET detail_json = '{\"text\":\"forged\"}'"
                               " WHERE seq = 3"),
              SQLITE_OK);
    int64_t bad = 0, n = 0;
    CHECK_INT(store_audit_verify(st, &bad, &n), -STORE_E_CONFLICT);
    CHECK_INT(bad, 3);
    CHECK_INT(n, 2);
    store_close(st);
    tdb_done(&t);
}

TEST(store_audit_verify_detects_forged_row)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    CHECK_INT(store_audit_append(st, "AZE-0001", "officer", "note", "{}"), 0);
    /* A row that links correctly to the last hash but carries a made-up hash. */
    CHECK_INT(raw_exec(t.path, "INSERT INTO audit (seq, at, reference, actor, action,"
                               " detail_json, prev_hash, hash) SELECT 3, 5, 'AZE-0001', 'officer',"
                               " 'approved', '{}', hash, hex(randomblob(32)) FROM audit"
                               " WHERE seq = 2"),
              SQLITE_OK);
    int64_t bad = 0, n = 0;
    CHECK_INT(store_audit_verify(st, &bad, &n), -STORE_E_CONFLICT);
    CHECK_INT(bad, 3);
    /* A row deleted from the middle breaks the sequence. */
    CHECK_INT(raw_exec(t.path, "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 3;"
                               " DELETE FROM audit WHERE seq = 1"),
              SQLITE_OK);
    CHECK_INT(store_audit_verify(st, &bad, &n), -STORE_E_CONFLICT);
    CHECK_INT(bad, 2);
    store_close(st);
    tdb_done(&t);
}

TEST(store_audit_triggers_refuse_update_and_delete)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    CHECK_INT(raw_exec(t.path, "UPDATE audit SET actor = 'mallory'"), SQLITE_CONSTRAINT);
    CHECK_INT(raw_exec(t.path, "DELETE FROM audit"), SQLITE_CONSTRAINT);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM audit WHERE actor = 'applicant'"), 1);
    CHECK_INT(store_audit_verify(st, NULL, NULL), 0);
    store_close(st);
    tdb_done(&t);
}

TEST(store_audit_append_rejects_control_characters_and_oversize)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    CHECK_INT(store_audit_append(st, "AZE-0001", "a\nb", "note", "{}"), -STORE_E_INVALID);
    CHECK_INT(store_audit_append(st, "AZE-0001", "officer", "", "{}"), -STORE_E_INVALID);
    char *big = malloc(20000);
    CHECK(big);
    memset(big, 'x', 19999);
    big[19999] = '\0';
    CHECK_INT(store_audit_append(st, "AZE-0001", "officer", "note", big), -STORE_E_TOO_LARGE);
    free(big);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM audit"), 1);
    store_close(st);
    tdb_done(&t);
}

TEST(store_lookup_matches_only_when_all_three_match)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    struct store_app in, out;
    /* Before the passport is given nothing matches, not even empty values. */
    CHECK_INT(store_app_lookup(st, "AZE-0001", "", "", &out), -STORE_E_NOT_FOUND);
    app_fill(&in, "AZE-0001");
    snprintf(in.passport_number, sizeof in.passport_number, "AB1234567");
    snprintf(in.date_of_birth, sizeof in.date_of_birth, "1979-03-15");
    CHECK_INT(store_app_update_fields(st, "AZE-0001", 1, NULL, &in, "applicant", NULL), 0);
    CHECK_INT(store_app_lookup(st, "AZE-0001", "AB1234567", "1979-03-15", &out), 0);
    CHECK_STR(out.reference, "AZE-0001");
    store_app_clear(&out);
    CHECK_INT(store_app_lookup(st, "AZE-0002", "AB1234567", "1979-03-15", &out),
              -STORE_E_NOT_FOUND);
    CHECK_INT(store_app_lookup(st, "AZE-0001", "AB1234568", "1979-03-15", &out),
              -STORE_E_NOT_FOUND);
    CHECK_INT(store_app_lookup(st, "AZE-0001", "AB1234567", "1979-03-16", &out),
              -STORE_E_NOT_FOUND);
    CHECK_INT(store_app_lookup(st, "AZE-0001", "AB1234567890123456789", "1979-03-15", &out),
              -STORE_E_NOT_FOUND);
    CHECK_INT(store_app_lookup(st, NULL, "AB1234567", "1979-03-15", &out), -STORE_E_NOT_FOUND);
    store_close(st);
    tdb_done(&t);
}

TEST(store_create_idempotent_replays_first_row)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK(tdb_init(&t));
    CHECK_INT(store_open(t.path, &st), 0);
    struct store_app in, first, again;
    bool replayed = true;
    app_fill(&in, "AZE-0001");
    CHECK_INT(store_app_create(st, &in, "key-1", "hash-A", &first, &replayed), 0);
    CHECK(!replayed);
    app_fill(&in, "AZE-0002"); /* a retry generates a fresh reference */
    CHECK_INT(store_app_create(st, &in, "key-1", "hash-A", &again, &replayed), 0);
    CHECK(replayed);
    CHECK_STR(again.reference, "AZE-0001");
    CHECK_INT(again.version, first.version);
    store_app_clear(&first);
    store_app_clear(&again);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM applications"), 1);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM audit"), 1);
    store_close(st);
    tdb_done(&t);
}

TEST(store_create_idempotency_key_with_other_request_mismatches)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK(tdb_init(&t));
    CHECK_INT(store_open(t.path, &st), 0);
    struct store_app in, out;
    app_fill(&in, "AZE-0001");
    CHECK_INT(store_app_create(st, &in, "key-1", "hash-A", &out, NULL), 0);
    store_app_clear(&out);
    app_fill(&in, "AZE-0002");
    CHECK_INT(store_app_create(st, &in, "key-1", "hash-B", &out, NULL), -STORE_E_IDEM_MISMATCH);
    CHECK(out.fields_json == NULL);
    CHECK_INT(store_app_create(st, &in, "key-1", NULL, &out, NULL), -STORE_E_INVALID);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM applications"), 1);
    store_close(st);
    tdb_done(&t);
}

struct idem_thread {
    struct store *st;
    pthread_barrier_t *go;
    int index;
    int rc;
    bool replayed;
    char reference[STORE_REF_MAX];
};

static void *idem_worker(void *arg)
{
    struct idem_thread *w = arg;
    struct store_app in, out;
    char ref[STORE_REF_MAX];
    snprintf(ref, sizeof ref, "AZE-T%03d", w->index);
    app_fill(&in, ref);
    pthread_barrier_wait(w->go);
    w->rc = store_app_create(w->st, &in, "same-key", "same-hash", &out, &w->replayed);
    snprintf(w->reference, sizeof w->reference, "%s", out.reference);
    store_app_clear(&out);
    return NULL;
}

static void idem_from_threads(struct store_opts *opts)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK(tdb_init(&t));
    CHECK_INT(store_open_opts(t.path, opts, &st), 0);
    enum { N = 8 };
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, N);
    struct idem_thread w[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        w[i] = (struct idem_thread){.st = st, .go = &go, .index = i};
        CHECK_INT(pthread_create(&th[i], NULL, idem_worker, &w[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&go);
    int fresh = 0;
    for (int i = 0; i < N; i++) {
        CHECK_INT(w[i].rc, 0);
        CHECK_STR(w[i].reference, w[0].reference);
        fresh += !w[i].replayed;
    }
    CHECK_INT(fresh, 1);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM applications"), 1);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM idempotency_keys"), 1);
    store_close(st);
    tdb_done(&t);
}

TEST(store_create_idempotent_from_8_threads_makes_one_row)
{
    idem_from_threads(NULL);
}

TEST(store_create_idempotent_from_8_threads_with_group_commit)
{
    struct store_opts o = {.max_batch = 64};
    idem_from_threads(&o);
}

TEST(store_payment_begin_same_key_returns_same_payment)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    struct store_payment in = {.provider = "test", .amount_minor = 2000, .currency = "USD"};
    struct store_payment p1, p2;
    bool replayed = true;
    CHECK_INT(store_payment_begin(st, "AZE-0001", "pk-1", &in, &p1, &replayed), 0);
    CHECK(!replayed);
    CHECK(strncmp(p1.payment_id, "pay_", 4) == 0);
    CHECK_INT(p1.status, PAY_PENDING);
    CHECK_INT(p1.amount_minor, 2000);
    CHECK_STR(p1.reference, "AZE-0001");
    CHECK_INT(store_payment_begin(st, "AZE-0001", "pk-1", &in, &p2, &replayed), 0);
    CHECK(replayed);
    CHECK_STR(p2.payment_id, p1.payment_id);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM payments"), 1);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM audit WHERE action = 'payment_started'"), 1);
    CHECK_INT(store_payment_get(st, p1.payment_id, &p2), 0);
    CHECK_STR(p2.provider, "test");
    CHECK_INT(store_payment_get(st, "pay_nope", &p2), -STORE_E_NOT_FOUND);
    CHECK_INT(store_payment_begin(st, "AZE-0404", "pk-1", &in, &p2, NULL), -STORE_E_NOT_FOUND);
    store_close(st);
    tdb_done(&t);
}

TEST(store_payment_succeeded_submits_the_draft)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    struct store_payment in = {
        .payment_id = "pay_1", .provider = "test", .amount_minor = 2000, .currency = "USD"};
    struct store_payment p;
    CHECK_INT(store_payment_begin(st, "AZE-0001", "pk-1", &in, &p, NULL), 0);
    CHECK_STR(p.payment_id, "pay_1");
    bool applied = false;
    CHECK_INT(
        store_payment_complete(st, "pay_1", PAY_SUCCEEDED, "tp_123", NULL, 5000, 9000, &applied),
        0);
    CHECK(applied);
    struct store_app a;
    CHECK_INT(store_app_get(st, "AZE-0001", &a), 0);
    CHECK_STR(a.status, "submitted");
    CHECK_INT(a.submitted_at, 5000);
    CHECK_INT(a.deadline_at, 9000);
    CHECK_INT(a.version, 2);
    store_app_clear(&a);
    CHECK_INT(store_payment_get(st, "pay_1", &p), 0);
    CHECK_INT(p.status, PAY_SUCCEEDED);
    CHECK_STR(p.provider_ref, "tp_123");
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM audit WHERE action = 'payment_succeeded'"), 1);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM audit WHERE action = 'submitted'"
                              " AND actor = 'payment:test'"),
              1);
    CHECK_INT(store_audit_verify(st, NULL, NULL), 0);
    store_close(st);
    tdb_done(&t);
}

TEST(store_payment_complete_twice_applies_once)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    struct store_payment in = {
        .payment_id = "pay_1", .provider = "test", .amount_minor = 2000, .currency = "USD"};
    struct store_payment p;
    CHECK_INT(store_payment_begin(st, "AZE-0001", "pk-1", &in, &p, NULL), 0);
    bool applied = false;
    CHECK_INT(store_payment_complete(st, "pay_1", PAY_SUCCEEDED, "tp_1", NULL, 0, 0, &applied), 0);
    CHECK(applied);
    long long audits = raw_int(t.path, "SELECT count(*) FROM audit");
    CHECK_INT(store_payment_complete(st, "pay_1", PAY_SUCCEEDED, "tp_1", NULL, 0, 0, &applied), 0);
    CHECK(!applied);
    CHECK_INT(
        store_payment_complete(st, "pay_1", PAY_DECLINED, "tp_1", "card_declined", 0, 0, &applied),
        0);
    CHECK(!applied);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM audit"), audits);
    CHECK_INT(store_payment_get(st, "pay_1", &p), 0);
    CHECK_INT(p.status, PAY_SUCCEEDED);
    CHECK_INT(store_payment_complete(st, "pay_2", PAY_SUCCEEDED, NULL, NULL, 0, 0, &applied),
              -STORE_E_NOT_FOUND);
    CHECK_INT(store_payment_complete(st, "pay_1", PAY_PENDING, NULL, NULL, 0, 0, &applied),
              -STORE_E_INVALID);
    store_close(st);
    tdb_done(&t);
}

TEST(store_payment_declined_leaves_application_draft)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    struct store_payment in = {
        .payment_id = "pay_1", .provider = "test", .amount_minor = 2000, .currency = "USD"};
    struct store_payment p;
    CHECK_INT(store_payment_begin(st, "AZE-0001", "pk-1", &in, &p, NULL), 0);
    bool applied = false;
    CHECK_INT(store_payment_complete(st, "pay_1", PAY_DECLINED, "tp_1", "insufficient_funds", 0, 0,
                                     &applied),
              0);
    CHECK(applied);
    CHECK_INT(store_payment_get(st, "pay_1", &p), 0);
    CHECK_INT(p.status, PAY_DECLINED);
    CHECK_STR(p.decline_code, "insufficient_funds");
    struct store_app a;
    CHECK_INT(store_app_get(st, "AZE-0001", &a), 0);
    CHECK_STR(a.status, "draft");
    store_app_clear(&a);
    /* a new attempt with a new key may follow */
    snprintf(in.payment_id, sizeof in.payment_id, "pay_2");
    CHECK_INT(store_payment_begin(st, "AZE-0001", "pk-2", &in, &p, NULL), 0);
    CHECK_INT(store_payment_complete(st, "pay_2", PAY_SUCCEEDED, "tp_2", NULL, 0, 0, &applied), 0);
    CHECK(applied);
    CHECK_INT(store_app_get(st, "AZE-0001", &a), 0);
    CHECK_STR(a.status, "submitted");
    store_app_clear(&a);
    store_close(st);
    tdb_done(&t);
}

TEST(store_payment_second_success_is_refused)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    struct store_payment in = {.provider = "test", .amount_minor = 2000, .currency = "USD"};
    struct store_payment p1, p2, p3;
    CHECK_INT(store_payment_begin(st, "AZE-0001", "pk-1", &in, &p1, NULL), 0);
    CHECK_INT(store_payment_begin(st, "AZE-0001", "pk-2", &in, &p2, NULL), 0);
    bool applied = false;
    CHECK_INT(store_payment_complete(st, p1.payment_id, PAY_SUCCEEDED, "a", NULL, 0, 0, &applied),
              0);
    CHECK(applied);
    /* The partial unique index refuses a second succeeded payment. */
    CHECK_INT(store_payment_complete(st, p2.payment_id, PAY_SUCCEEDED, "b", NULL, 0, 0, &applied),
              -STORE_E_BAD_STATUS);
    CHECK(!applied);
    CHECK_INT(store_payment_get(st, p2.payment_id, &p3), 0);
    CHECK_INT(p3.status, PAY_PENDING);
    /* And no new payment may start once paid; the old key still replays. */
    CHECK_INT(store_payment_begin(st, "AZE-0001", "pk-3", &in, &p3, NULL), -STORE_E_BAD_STATUS);
    bool replayed = false;
    CHECK_INT(store_payment_begin(st, "AZE-0001", "pk-1", &in, &p3, &replayed), 0);
    CHECK(replayed);
    CHECK_STR(p3.payment_id, p1.payment_id);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM payments WHERE status = 'succeeded'"), 1);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM payments"), 2);
    store_close(st);
    tdb_done(&t);
}

TEST(store_payment_reused_payment_id_conflicts)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    struct store_payment in = {
        .payment_id = "pay_1", .provider = "test", .amount_minor = 1, .currency = "USD"};
    struct store_payment p;
    CHECK_INT(store_payment_begin(st, "AZE-0001", "pk-1", &in, &p, NULL), 0);
    CHECK_INT(store_payment_begin(st, "AZE-0001", "pk-2", &in, &p, NULL), -STORE_E_CONFLICT);
    in.amount_minor = -5;
    CHECK_INT(store_payment_begin(st, "AZE-0001", "pk-3", &in, &p, NULL), -STORE_E_INVALID);
    store_close(st);
    tdb_done(&t);
}

TEST(store_rate_limit_counts_per_window)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK(tdb_init(&t));
    CHECK_INT(store_open(t.path, &st), 0);
    bool allowed = false;
    for (int i = 0; i < 3; i++) {
        CHECK_INT(store_rate_hit(st, "lookup:1.2.3.4", 60, 3, 6000 + i, &allowed), 0);
        CHECK(allowed);
    }
    CHECK_INT(store_rate_hit(st, "lookup:1.2.3.4", 60, 3, 6059, &allowed), 0);
    CHECK(!allowed);
    CHECK_INT(store_rate_hit(st, "lookup:5.6.7.8", 60, 3, 6059, &allowed), 0);
    CHECK(allowed);
    /* the next window starts afresh and purges the expired one */
    CHECK_INT(store_rate_hit(st, "lookup:1.2.3.4", 60, 3, 6060, &allowed), 0);
    CHECK(allowed);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM rate_limits"), 1);
    CHECK_INT(store_rate_hit(st, "lookup:1.2.3.4", 0, 3, 6060, &allowed), -STORE_E_INVALID);
    store_close(st);
    tdb_done(&t);
}

TEST(store_upload_put_get_replace_and_kinds)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    uint8_t data[300];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)i;
    struct store_upload up = {.kind = "photo",
                              .mime = "image/jpeg",
                              .width = 600,
                              .height = 800,
                              .data = data,
                              .len = sizeof data};
    CHECK_INT(store_upload_put(st, "AZE-0001", &up, "applicant"), 0);
    data[0] = 0xff;
    up.len = 100;
    CHECK_INT(store_upload_put(st, "AZE-0001", &up, "applicant"), 0);
    struct store_upload got;
    CHECK_INT(store_upload_get(st, "AZE-0001", "photo", &got), 0);
    CHECK_INT(got.len, 100);
    CHECK(memcmp(got.data, data, 100) == 0);
    CHECK_INT(got.width, 600);
    CHECK_STR(got.mime, "image/jpeg");
    CHECK_STR(got.kind, "photo");
    store_upload_clear(&got);
    CHECK_INT(store_upload_get(st, "AZE-0001", "passport_page", &got), -STORE_E_NOT_FOUND);
    const char *const kinds[] = {"passport_page", "photo", NULL};
    unsigned mask = 99;
    CHECK_INT(store_upload_kinds(st, "AZE-0001", kinds, &mask), 0);
    CHECK_INT(mask, 2);
    CHECK_INT(store_upload_kinds(st, "AZE-0404", kinds, &mask), -STORE_E_NOT_FOUND);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM uploads"), 1);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM audit WHERE action = 'upload_photo'"), 2);
    CHECK_INT(store_upload_put(st, "AZE-0404", &up, "applicant"), -STORE_E_NOT_FOUND);
    store_close(st);
    tdb_done(&t);
}

TEST(store_upload_rejects_over_8_mib)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    size_t len = 8u * 1024 * 1024 + 1;
    uint8_t *big = calloc(1, len);
    CHECK(big);
    struct store_upload up = {
        .kind = "photo", .mime = "image/jpeg", .width = 1, .height = 1, .data = big, .len = len};
    int rc = store_upload_put(st, "AZE-0001", &up, "applicant");
    up.len = 5u * 1024 * 1024; /* the real limit fits */
    int rc5 = store_upload_put(st, "AZE-0001", &up, "applicant");
    free(big);
    CHECK_INT(rc, -STORE_E_TOO_LARGE);
    CHECK_INT(rc5, 0);
    up.data = NULL;
    CHECK_INT(store_upload_put(st, "AZE-0001", &up, "applicant"), -STORE_E_INVALID);
    store_close(st);
    tdb_done(&t);
}

TEST(store_rejects_missing_arguments)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(store_open(NULL, &st), -STORE_E_INVALID);
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    struct store_app in, out;
    app_fill(&in, "");
    CHECK_INT(store_app_create(st, &in, NULL, NULL, &out, NULL), -STORE_E_INVALID);
    CHECK_INT(store_app_create(st, NULL, NULL, NULL, &out, NULL), -STORE_E_INVALID);
    app_fill(&in, "AZE-0002");
    memcpy(in.lang, "enxx", 4); /* not NUL-terminated */
    CHECK_INT(store_app_create(st, &in, NULL, NULL, &out, NULL), -STORE_E_TOO_LARGE);
    CHECK_INT(store_app_transition(st, "AZE-0001", "draft", "submitted", 0, 0, NULL, "x", NULL),
              -STORE_E_INVALID);
    CHECK_INT(store_app_get(st, "", &out), -STORE_E_INVALID);
    store_close(st);
    tdb_done(&t);
}

TEST(store_write_is_busy_while_another_process_holds_the_lock)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK(tdb_init(&t));
    struct store_opts o = {.busy_timeout_ms = 100};
    CHECK_INT(store_open_opts(t.path, &o, &st), 0);
    sqlite3 *other = NULL;
    CHECK_INT(sqlite3_open(t.path, &other), SQLITE_OK);
    CHECK_INT(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    struct store_app in, out;
    app_fill(&in, "AZE-0001");
    int rc = store_app_create(st, &in, NULL, NULL, &out, NULL);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    CHECK_INT(rc, -STORE_E_BUSY);
    /* reads go on meanwhile, and writes once the lock is gone */
    CHECK_INT(store_app_create(st, &in, NULL, NULL, &out, NULL), 0);
    store_app_clear(&out);
    store_close(st);
    tdb_done(&t);
}

TEST(store_open_fails_on_unusable_path)
{
    struct store *st = NULL;
    CHECK_INT(store_open("/nonexistent-dir-evisa/x/evisa.db", &st), -STORE_E_IO);
    CHECK(st == NULL);
}

TEST(store_open_fails_on_a_file_that_is_not_a_database)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK(tdb_init(&t));
    FILE *f = fopen(t.path, "wb");
    CHECK(f);
    for (int i = 0; i < 256; i++)
        fputs("not a database, just text. ", f);
    fclose(f);
    CHECK_INT(store_open(t.path, &st), -STORE_E_IO);
    CHECK(st == NULL);
    tdb_done(&t);
}

TEST(store_migrations_applied_once)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK(tdb_init(&t));
    CHECK_INT(store_open(t.path, &st), 0);
    store_close(st);
    CHECK_INT(store_open(t.path, &st), 0);
    store_close(st);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM schema_migrations"),
              (long long)store_migrations_count);
    CHECK_INT(raw_int(t.path, "SELECT max(version) FROM schema_migrations"),
              (long long)store_migrations_count);
    /* WAL is persistent: a fresh connection sees it */
    CHECK_INT(raw_int(t.path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
    tdb_done(&t);
}

TEST(store_refuses_database_from_a_newer_program)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK(tdb_init(&t));
    CHECK_INT(store_open(t.path, &st), 0);
    store_close(st);
    CHECK_INT(raw_exec(t.path, "INSERT INTO schema_migrations VALUES (999, 0)"), SQLITE_OK);
    CHECK_INT(store_open(t.path, &st), -STORE_E_IO);
    tdb_done(&t);
}

struct writer_thread {
    struct store *st;
    int index, n, failures, last_rc;
};

static void *writer_worker(void *arg)
{
    struct writer_thread *w = arg;
    for (int i = 0; i < w->n; i++) {
        struct store_app in, out;
        char ref[STORE_REF_MAX];
        snprintf(ref, sizeof ref, "AZE-W%d-%03d", w->index, i);
        app_fill(&in, ref);
        int rc = store_app_create(w->st, &in, NULL, NULL, &out, NULL);
        if (rc) {
            w->failures++;
            w->last_rc = rc;
        }
        store_app_clear(&out);
        /* A duplicate: refused alone, without spoiling its batch. */
        if (i % 5 == 0 && store_app_create(w->st, &in, NULL, NULL, &out, NULL) != -STORE_E_CONFLICT)
            w->failures++;
        store_app_clear(&out);
    }
    return NULL;
}

static void concurrent_writers(const struct store_opts *opts)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK(tdb_init(&t));
    CHECK_INT(store_open_opts(t.path, opts, &st), 0);
    enum { N = 8, PER = 50 };
    struct writer_thread w[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        w[i] = (struct writer_thread){.st = st, .index = i, .n = PER};
        CHECK_INT(pthread_create(&th[i], NULL, writer_worker, &w[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++)
        CHECK_INT(w[i].failures, 0);
    int64_t n = 0;
    CHECK_INT(store_audit_verify(st, NULL, &n), 0);
    CHECK_INT(n, N * PER);
    store_close(st);
    /* reopened, everything is there */
    CHECK_INT(store_open(t.path, &st), 0);
    struct store_app out;
    CHECK_INT(store_app_get(st, "AZE-W7-049", &out), 0);
    store_app_clear(&out);
    store_close(st);
    CHECK_INT(raw_int(t.path, "SELECT count(*) FROM applications"), N * PER);
    tdb_done(&t);
}

TEST(store_concurrent_writers_all_land)
{
    concurrent_writers(NULL);
}

TEST(store_concurrent_writers_all_land_with_group_commit)
{
    struct store_opts o = {.max_batch = 32};
    concurrent_writers(&o);
}

TEST(store_reopen_after_close_sees_everything)
{
    struct tdb t;
    struct store *st = NULL;
    CHECK_INT(open_with_app(&t, &st, "AZE-0001"), 0);
    struct store_payment in = {
        .payment_id = "pay_1", .provider = "test", .amount_minor = 2000, .currency = "USD"};
    struct store_payment p;
    CHECK_INT(store_payment_begin(st, "AZE-0001", "pk-1", &in, &p, NULL), 0);
    store_close(st);
    /* the WAL was checkpointed and truncated on close */
    char wal[320];
    snprintf(wal, sizeof wal, "%s-wal", t.path);
    FILE *f = fopen(wal, "rb");
    long wal_size = 0;
    if (f) {
        fseek(f, 0, SEEK_END);
        wal_size = ftell(f);
        fclose(f);
    }
    CHECK_INT(wal_size, 0);
    CHECK_INT(store_open(t.path, &st), 0);
    struct store_app a;
    CHECK_INT(store_app_get(st, "AZE-0001", &a), 0);
    store_app_clear(&a);
    CHECK_INT(store_payment_get(st, "pay_1", &p), 0);
    int64_t n = 0;
    CHECK_INT(store_audit_verify(st, NULL, &n), 0);
    CHECK_INT(n, 2);
    store_close(st);
    tdb_done(&t);
}

TEST(store_err_code_names_every_code)
{
    CHECK_STR(store_err_code(0), "ok");
    CHECK_STR(store_err_code(-STORE_E_NOT_FOUND), "not_found");
    CHECK_STR(store_err_code(-STORE_E_BUSY), "busy");
    CHECK_STR(store_err_code(STORE_E_IDEM_MISMATCH), "idempotency_mismatch");
    CHECK_STR(store_err_code(-STORE_E__MAX), "unknown");
    for (int e = STORE_E__BASE + 1; e < STORE_E__MAX; e++) {
        CHECK(strcmp(store_err_code(-e), "unknown") != 0);
        CHECK(strcmp(store_err_message(-e), "unknown error") != 0);
    }
    CHECK_STR(store_pay_status_names[PAY_SUCCEEDED], "succeeded");
}
