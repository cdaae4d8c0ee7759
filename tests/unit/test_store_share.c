/*
 * test_store_share.c — share codes in the SQLite store (issue 6, minimal
 * disclosure): creation with its audit entry, lookup by hash until expiry,
 * revoked and unknown codes, and the refused arguments.  Each test works on
 * a fresh database in its own temporary directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "store/store.h"
#include "test.h"

#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

struct sfx {
    char dir[256];
    char path[300];
    struct store *st;
};

static bool sfx_open(struct sfx *f)
{
    f->st = NULL;
    if (!test_tmpdir(f->dir, sizeof f->dir))
        return false;
    int n = snprintf(f->path, sizeof f->path, "%s/evisa.db", f->dir);
    if (n <= 0 || (size_t)n >= sizeof f->path)
        return false;
    return store_open(f->path, &f->st) == 0;
}

static void sfx_close(struct sfx *f)
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

static long long share_raw_int(const char *path, const char *sql)
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

static int share_raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* An approved application `ref` with an issued visa `number`. */
static int issued_visa(struct store *st, const char *ref, const char *number)
{
    struct store_app in, out;
    memset(&in, 0, sizeof in);
    snprintf(in.reference, sizeof in.reference, "%s", ref);
    snprintf(in.state, sizeof in.state, "AZE");
    snprintf(in.visa_type, sizeof in.visa_type, "tourist");
    snprintf(in.track, sizeof in.track, "standard");
    snprintf(in.lang, sizeof in.lang, "en");
    snprintf(in.currency, sizeof in.currency, "USD");
    snprintf(in.passport_number, sizeof in.passport_number, "AB1234567");
    in.fee_minor = 2000;
    in.fields_json = (char *)"{}";
    int rc = store_app_create(st, &in, NULL, NULL, &out, NULL);
    store_app_clear(&out);
    if (rc ||
        (rc = store_app_transition(st, ref, "draft", "approved", 1, 2, "test", "approved", NULL)))
        return rc;
    struct store_visa v;
    memset(&v, 0, sizeof v);
    snprintf(v.visa_number, sizeof v.visa_number, "%s", number);
    snprintf(v.reference, sizeof v.reference, "%s", ref);
    snprintf(v.state, sizeof v.state, "AZE");
    snprintf(v.mrz_line1, sizeof v.mrz_line1, "VCAZEKHAN<<AMIR<<<<<<<<<<<<<<<<<<<<<<<<<<<<");
    snprintf(v.mrz_line2, sizeof v.mrz_line2, "AZ00000017PAK9001011M2612318<<<<<<<<<<<<<<<");
    memset(v.seal, 7, 100);
    v.seal_len = 100;
    snprintf(v.signer_cert_ref, sizeof v.signer_cert_ref, "AZEV1F4A");
    snprintf(v.valid_from, sizeof v.valid_from, "2026-01-01");
    snprintf(v.valid_until, sizeof v.valid_until, "2026-03-31");
    v.entries = 1;
    v.stay_days = 30;
    return store_visa_issue(st, &v, "user:1");
}

TEST(share_create_then_lookup_returns_the_visa_until_expiry)
{
    struct sfx f;
    CHECK(sfx_open(&f));
    CHECK_INT(issued_visa(f.st, "AZE-1", "AZ0000001"), 0);
    int64_t now = (int64_t)time(NULL), exp = now + 3600;
    CHECK_INT(store_share_create(f.st, HASH_A, "AZ0000001", "AZE-1", exp), 0);
    struct store_share s;
    CHECK_INT(store_share_lookup(f.st, HASH_A, now, &s), 0);
    CHECK_STR(s.code_hash, HASH_A);
    CHECK_STR(s.visa_number, "AZ0000001");
    CHECK_STR(s.reference, "AZE-1");
    CHECK_INT(s.expires_at, exp);
    CHECK(s.created_at >= now && s.created_at <= exp);
    CHECK(!s.revoked);
    /* at and after the expiry: not found */
    CHECK_INT(store_share_lookup(f.st, HASH_A, exp, &s), -STORE_E_NOT_FOUND);
    CHECK_STR(s.visa_number, "");
    CHECK_INT(store_share_lookup(f.st, HASH_A, exp + 1, &s), -STORE_E_NOT_FOUND);
    sfx_close(&f);
}

TEST(share_create_appends_an_audit_entry_without_the_code)
{
    struct sfx f;
    CHECK(sfx_open(&f));
    CHECK_INT(issued_visa(f.st, "AZE-1", "AZ0000001"), 0);
    CHECK_INT(store_share_create(f.st, HASH_A, "AZ0000001", "AZE-1", (int64_t)time(NULL) + 60), 0);
    CHECK_INT(share_raw_int(f.path, "SELECT count(*) FROM audit WHERE action = 'share_created'"
                                    " AND reference = 'AZE-1'"),
              1);
    CHECK_INT(share_raw_int(f.path, "SELECT count(*) FROM audit WHERE detail_json LIKE"
                                    " '%" HASH_A "%'"),
              0);
    int64_t bad = -1, n = 0;
    CHECK_INT(store_audit_verify(f.st, &bad, &n), 0);
    sfx_close(&f);
}

TEST(share_lookup_unknown_or_revoked_code_is_not_found)
{
    struct sfx f;
    CHECK(sfx_open(&f));
    CHECK_INT(issued_visa(f.st, "AZE-1", "AZ0000001"), 0);
    int64_t now = (int64_t)time(NULL);
    CHECK_INT(store_share_create(f.st, HASH_A, "AZ0000001", "AZE-1", now + 60), 0);
    struct store_share s;
    CHECK_INT(store_share_lookup(f.st, HASH_B, now, &s), -STORE_E_NOT_FOUND);
    CHECK_INT(store_share_lookup(f.st, "", now, &s), -STORE_E_NOT_FOUND);
    CHECK_INT(store_share_lookup(f.st, NULL, now, &s), -STORE_E_NOT_FOUND);
    CHECK_INT(share_raw_exec(f.path, "UPDATE share_codes SET revoked = 1"), SQLITE_OK);
    CHECK_INT(store_share_lookup(f.st, HASH_A, now, &s), -STORE_E_NOT_FOUND);
    CHECK_INT(store_share_lookup(f.st, HASH_A, now, NULL), -STORE_E_INVALID);
    CHECK_INT(store_share_lookup(NULL, HASH_A, now, &s), -STORE_E_INVALID);
    sfx_close(&f);
}

TEST(share_create_refuses_a_duplicate_hash)
{
    struct sfx f;
    CHECK(sfx_open(&f));
    CHECK_INT(issued_visa(f.st, "AZE-1", "AZ0000001"), 0);
    int64_t exp = (int64_t)time(NULL) + 60;
    CHECK_INT(store_share_create(f.st, HASH_A, "AZ0000001", "AZE-1", exp), 0);
    CHECK_INT(store_share_create(f.st, HASH_A, "AZ0000001", "AZE-1", exp), -STORE_E_CONFLICT);
    CHECK_INT(share_raw_int(f.path, "SELECT count(*) FROM audit WHERE action = 'share_created'"),
              1);
    sfx_close(&f);
}

TEST(share_create_refuses_an_unknown_or_mismatched_visa)
{
    struct sfx f;
    CHECK(sfx_open(&f));
    CHECK_INT(issued_visa(f.st, "AZE-1", "AZ0000001"), 0);
    CHECK_INT(issued_visa(f.st, "AZE-2", "AZ0000002"), 0);
    int64_t exp = (int64_t)time(NULL) + 60;
    CHECK_INT(store_share_create(f.st, HASH_A, "AZ9999999", "AZE-1", exp), -STORE_E_NOT_FOUND);
    CHECK_INT(store_share_create(f.st, HASH_A, "AZ0000002", "AZE-1", exp), -STORE_E_NOT_FOUND);
    CHECK_INT(share_raw_int(f.path, "SELECT count(*) FROM share_codes"), 0);
    sfx_close(&f);
}

TEST(share_create_refuses_bad_arguments)
{
    struct sfx f;
    CHECK(sfx_open(&f));
    CHECK_INT(issued_visa(f.st, "AZE-1", "AZ0000001"), 0);
    int64_t now = (int64_t)time(NULL);
    CHECK_INT(store_share_create(NULL, HASH_A, "AZ0000001", "AZE-1", now + 60), -STORE_E_INVALID);
    CHECK_INT(store_share_create(f.st, "", "AZ0000001", "AZE-1", now + 60), -STORE_E_INVALID);
    CHECK_INT(store_share_create(f.st, HASH_A, NULL, "AZE-1", now + 60), -STORE_E_INVALID);
    CHECK_INT(store_share_create(f.st, HASH_A, "AZ0000001", "", now + 60), -STORE_E_INVALID);
    CHECK_INT(store_share_create(f.st, HASH_A "0", "AZ0000001", "AZE-1", now + 60),
              -STORE_E_TOO_LARGE);
    CHECK_INT(store_share_create(f.st, HASH_A, "AZ0000001", "AZE-1", now - 1), -STORE_E_INVALID);
    CHECK_INT(store_share_create(f.st, "bad\nhash", "AZ0000001", "AZE-1", now + 60),
              -STORE_E_INVALID);
    CHECK_INT(share_raw_int(f.path, "SELECT count(*) FROM share_codes"), 0);
    sfx_close(&f);
}
