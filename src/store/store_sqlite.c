/*
 * store_sqlite.c — the embedded SQLite backend of store.h.
 *
 * Durability: WAL with synchronous=FULL, so a COMMIT has reached the disk
 * before any call returns 0.  foreign_keys=ON and a busy timeout on every
 * connection.  The schema comes from the numbered migrations in
 * migrations.c, applied on open, each in its own transaction.
 *
 * SQL lives in one table, stmt_sql[], addressed by enum stmt_id; every
 * value is a bound parameter.  Each connection prepares a statement once
 * (SQLITE_PREPARE_PERSISTENT, on first use) and resets it after every use.
 *
 * Threads: readers take a connection from a small pool (a mutex-protected
 * free list; a connection is never used by two threads at once).  Writes
 * go through one queue served by one writer connection: a caller queues
 * its write, and whichever caller finds no writer running becomes the
 * writer, runs up to max_batch queued writes in one BEGIN IMMEDIATE
 * transaction (each in a savepoint, so a refused write leaves the others
 * alone), commits, and wakes the callers of the batch.  With max_batch 1
 * (the default) every write is its own transaction and fsync, in arrival
 * order; larger batches are group commit.  Other processes are handled by
 * the busy timeout: BEGIN IMMEDIATE waits for their lock up to the timeout,
 * then the write fails with STORE_E_BUSY.  Every change to an application
 * and its audit entry run in one write, hence one transaction, and the
 * audit chain is extended inside that transaction (race-free).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store/store_priv.h"

#define DEFAULT_BUSY_MS 5000
#define DEFAULT_MAX_CONNS 32
#define MAX_BATCH 256
#define JSON_MAX (256 * 1024)        /* fields_json */
#define DETAIL_MAX (16 * 1024)       /* audit detail_json */
#define UPLOAD_MAX (8 * 1024 * 1024) /* one uploaded document */
#define KEY_MAX 128                  /* idempotency keys, request hashes, rate-limit keys */
#define NAME_MAX_ 64                 /* audit actor and action */

#define APP_COLS                                                                                   \
    "reference, state, visa_type, track, status, lang, token_hash, passport_number, "              \
    "date_of_birth, fields_json, fee_minor, currency, created_at, updated_at, submitted_at, "      \
    "deadline_at, version"
#define PAY_COLS                                                                                   \
    "payment_id, reference, provider, provider_ref, amount_minor, currency, status, "              \
    "decline_code, created_at, updated_at"
#define USER_COLS                                                                                  \
    "u.id, u.email, u.state, u.role, u.password_hash, u.totp_secret, u.enrolled, u.disabled, "     \
    "u.failed_logins, u.locked_until, u.sessions_valid_after, u.created_at"
#define DEC_COLS                                                                                   \
    "id, reference, decision, reason_code, note, info_request, officer_id, second_officer_id, "    \
    "status, created_at, decided_at"
#define VISA_COLS                                                                                  \
    "visa_number, reference, state, mrz_line1, mrz_line2, seal, signer_cert_ref, valid_from, "     \
    "valid_until, entries, stay_days, status, revoked_reason, issued_at, revoked_at"
#define MAIL_COLS                                                                                  \
    "id, to_addr, subject, body, reference, attempts, next_attempt_at, status, last_error"

enum stmt_id {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_SAVEPOINT,
    ST_RELEASE,
    ST_ROLLBACK_TO,
    ST_SYNC_FULL,
    ST_SYNC_NORMAL,
    ST_MIG_CREATE,
    ST_MIG_HAS,
    ST_MIG_INSERT,
    ST_MIG_MAX,
    ST_APP_INSERT,
    ST_APP_GET,
    ST_APP_LOOKUP,
    ST_APP_STATE,
    ST_APP_UPDATE_FIELDS,
    ST_APP_TRANSITION,
    ST_APP_SUBMIT_DRAFT,
    ST_IDEM_CLAIM,
    ST_IDEM_GET,
    ST_UPLOAD_PUT,
    ST_UPLOAD_GET,
    ST_UPLOAD_KINDS,
    ST_PAY_INSERT,
    ST_PAY_BY_KEY,
    ST_PAY_GET,
    ST_PAY_SUCCEEDED,
    ST_PAY_COMPLETE,
    ST_RATE_HIT,
    ST_RATE_PURGE,
    ST_AUDIT_LAST,
    ST_AUDIT_INSERT,
    ST_AUDIT_WALK,
    ST_APP_STATE_OF,
    ST_APP_QUEUE,
    ST_APP_BY_PASSPORT,
    ST_USER_INSERT,
    ST_USER_GET,
    ST_USER_BY_EMAIL,
    ST_ENROL_INSERT,
    ST_ENROL_FIND,
    ST_ENROL_USE,
    ST_USER_ENROL,
    ST_USER_FAILED,
    ST_USER_LOCK,
    ST_USER_LOGIN_OK,
    ST_USER_VOID_SESSIONS,
    ST_SESSION_DELETE_USER,
    ST_SESSION_INSERT,
    ST_SESSION_GET,
    ST_SESSION_TOUCH,
    ST_SESSION_DELETE,
    ST_SESSION_PURGE,
    ST_DEC_INSERT,
    ST_DEC_GET,
    ST_DEC_PENDING,
    ST_DEC_LAST,
    ST_DEC_SETTLE,
    ST_SERIAL_NEXT,
    ST_VISA_INSERT,
    ST_VISA_GET,
    ST_VISA_BY_REF,
    ST_VISA_REVOKE,
    ST_VISA_REVOKED,
    ST_MAIL_INSERT,
    ST_USER_TOTP_USE,
    ST_MAIL_CLAIM,
    ST_MAIL_RESULT,
    ST_MAIL_STATE,
    ST_SHARE_INSERT,
    ST_SHARE_LOOKUP,
    ST_CROSS_GET,
    ST_CROSS_VISA,
    ST_CROSS_LIST,
    ST_CROSS_INSERT,
    ST_CROSS_OVERSTAYS,
    ST__MAX
};

static const char *const stmt_sql[ST__MAX] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SAVEPOINT] = "SAVEPOINT op",
    [ST_RELEASE] = "RELEASE op",
    [ST_ROLLBACK_TO] = "ROLLBACK TO op",
    [ST_SYNC_FULL] = "PRAGMA synchronous = FULL",
    [ST_SYNC_NORMAL] = "PRAGMA synchronous = NORMAL",
    [ST_MIG_CREATE] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                      " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    [ST_MIG_HAS] = "SELECT 1 FROM schema_migrations WHERE version = ?1",
    [ST_MIG_INSERT] = "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
    [ST_MIG_MAX] = "SELECT coalesce(max(version), 0) FROM schema_migrations",
    [ST_APP_INSERT] = "INSERT INTO applications (" APP_COLS ")"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
                      " ?16, ?17)",
    [ST_APP_GET] = "SELECT " APP_COLS " FROM applications WHERE reference = ?1",
    [ST_APP_LOOKUP] = "SELECT " APP_COLS " FROM applications"
                      " WHERE reference = ?1 AND passport_number = ?2 AND date_of_birth = ?3"
                      " AND passport_number <> '' AND date_of_birth <> ''",
    [ST_APP_STATE] = "SELECT status, version FROM applications WHERE reference = ?1",
    [ST_APP_UPDATE_FIELDS] = "UPDATE applications SET fields_json = ?2, passport_number = ?3,"
                             " date_of_birth = ?4, lang = ?5, updated_at = ?6,"
                             " version = version + 1 WHERE reference = ?1 AND version = ?7",
    [ST_APP_TRANSITION] =
        "UPDATE applications SET status = ?3,"
        " submitted_at = CASE WHEN ?4 <> 0 THEN ?4 ELSE submitted_at END,"
        " deadline_at = CASE WHEN ?5 <> 0 THEN ?5 ELSE deadline_at END,"
        " updated_at = ?6, version = version + 1 WHERE reference = ?1 AND status = ?2",
    [ST_APP_SUBMIT_DRAFT] = "UPDATE applications SET status = 'submitted', submitted_at = ?2,"
                            " deadline_at = ?3, updated_at = ?4, version = version + 1"
                            " WHERE reference = ?1 AND status = 'draft'",
    [ST_IDEM_CLAIM] = "INSERT INTO idempotency_keys (scope, key, request_hash, reference,"
                      " created_at) VALUES (?1, ?2, ?3, ?4, ?5)"
                      " ON CONFLICT (scope, key) DO NOTHING",
    [ST_IDEM_GET] = "SELECT request_hash, reference FROM idempotency_keys"
                    " WHERE scope = ?1 AND key = ?2",
    [ST_UPLOAD_PUT] = "INSERT INTO uploads (reference, kind, mime, width, height, data,"
                      " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                      " ON CONFLICT (reference, kind) DO UPDATE SET mime = excluded.mime,"
                      " width = excluded.width, height = excluded.height, data = excluded.data,"
                      " created_at = excluded.created_at",
    [ST_UPLOAD_GET] = "SELECT mime, width, height, data, created_at FROM uploads"
                      " WHERE reference = ?1 AND kind = ?2",
    [ST_UPLOAD_KINDS] = "SELECT kind FROM uploads WHERE reference = ?1",
    [ST_PAY_INSERT] = "INSERT INTO payments (payment_id, reference, idem_key, provider,"
                      " provider_ref, amount_minor, currency, status, decline_code, created_at,"
                      " updated_at) VALUES (?1, ?2, ?3, ?4, '', ?5, ?6, 'pending', '', ?7, ?7)"
                      " ON CONFLICT (reference, idem_key) DO NOTHING",
    [ST_PAY_BY_KEY] = "SELECT " PAY_COLS " FROM payments WHERE reference = ?1 AND idem_key = ?2",
    [ST_PAY_GET] = "SELECT " PAY_COLS " FROM payments WHERE payment_id = ?1",
    [ST_PAY_SUCCEEDED] = "SELECT count(*) FROM payments"
                         " WHERE reference = ?1 AND status = 'succeeded'",
    [ST_PAY_COMPLETE] = "UPDATE payments SET status = ?2, provider_ref = ?3, decline_code = ?4,"
                        " updated_at = ?5 WHERE payment_id = ?1 AND status = 'pending'",
    [ST_RATE_HIT] = "INSERT INTO rate_limits (key, window_start, expires_at, count)"
                    " VALUES (?1, ?2, ?3, 1) ON CONFLICT (key, window_start)"
                    " DO UPDATE SET count = count + 1 RETURNING count",
    [ST_RATE_PURGE] = "DELETE FROM rate_limits WHERE expires_at <= ?1",
    [ST_AUDIT_LAST] = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
    [ST_AUDIT_INSERT] = "INSERT INTO audit (seq, at, reference, actor, action, detail_json,"
                        " prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_AUDIT_WALK] = "SELECT seq, at, reference, actor, action, detail_json, prev_hash, hash"
                      " FROM audit ORDER BY seq",
    [ST_APP_STATE_OF] = "SELECT state, status FROM applications WHERE reference = ?1",
    /* ?2 is a JSON array of status names: one prepared statement for any list. */
    [ST_APP_QUEUE] = "SELECT " APP_COLS " FROM applications"
                     " WHERE state = ?1 AND status IN (SELECT value FROM json_each(?2))"
                     " ORDER BY deadline_at = 0, deadline_at, submitted_at, id"
                     " LIMIT ?3 OFFSET ?4",
    [ST_APP_BY_PASSPORT] = "SELECT " APP_COLS " FROM applications"
                           " WHERE passport_number = ?1 AND passport_number <> ''"
                           " AND reference <> ?2 ORDER BY created_at DESC, id DESC LIMIT ?3",
    [ST_USER_INSERT] = "INSERT INTO users (email, state, role, created_at)"
                       " VALUES (?1, ?2, ?3, ?4)",
    [ST_USER_GET] = "SELECT " USER_COLS " FROM users u WHERE u.id = ?1",
    [ST_USER_BY_EMAIL] = "SELECT " USER_COLS " FROM users u WHERE u.email = ?1",
    [ST_ENROL_INSERT] = "INSERT INTO enrolment_tokens (token_hash, user_id, expires_at)"
                        " VALUES (?1, ?2, ?3)",
    [ST_ENROL_FIND] = "SELECT user_id FROM enrolment_tokens"
                      " WHERE token_hash = ?1 AND used_at = 0 AND expires_at > ?2",
    [ST_ENROL_USE] = "UPDATE enrolment_tokens SET used_at = ?2"
                     " WHERE token_hash = ?1 AND used_at = 0",
    [ST_USER_ENROL] = "UPDATE users SET password_hash = ?2, totp_secret = ?3, enrolled = 1,"
                      " failed_logins = 0, locked_until = 0 WHERE id = ?1",
    [ST_USER_FAILED] = "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?1"
                       " RETURNING failed_logins",
    [ST_USER_LOCK] = "UPDATE users SET locked_until = ?2 WHERE id = ?1",
    [ST_USER_LOGIN_OK] = "UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = ?1",
    [ST_USER_VOID_SESSIONS] = "UPDATE users SET sessions_valid_after = ?2 WHERE id = ?1",
    [ST_SESSION_DELETE_USER] = "DELETE FROM sessions WHERE user_id = ?1",
    [ST_SESSION_INSERT] = "INSERT INTO sessions (id_hash, user_id, csrf, created_at, last_seen,"
                          " expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_SESSION_GET] = "SELECT s.id_hash, s.user_id, s.csrf, s.created_at, s.last_seen,"
                       " s.expires_at, " USER_COLS " FROM sessions s JOIN users u"
                       " ON u.id = s.user_id WHERE s.id_hash = ?1 AND s.expires_at > ?2"
                       " AND s.created_at >= u.sessions_valid_after AND u.disabled = 0",
    [ST_SESSION_TOUCH] = "UPDATE sessions SET last_seen = ?2, expires_at = ?3"
                         " WHERE id_hash = ?1 AND expires_at > ?2",
    [ST_SESSION_DELETE] = "DELETE FROM sessions WHERE id_hash = ?1",
    [ST_SESSION_PURGE] = "DELETE FROM sessions WHERE expires_at <= ?1",
    [ST_DEC_INSERT] = "INSERT INTO decisions (reference, decision, reason_code, note,"
                      " info_request, officer_id, status, created_at, decided_at)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [ST_DEC_GET] = "SELECT " DEC_COLS " FROM decisions WHERE id = ?1",
    [ST_DEC_PENDING] = "SELECT " DEC_COLS " FROM decisions"
                       " WHERE reference = ?1 AND status = 'pending'",
    [ST_DEC_LAST] = "SELECT " DEC_COLS " FROM decisions WHERE reference = ?1"
                    " AND status = 'final' ORDER BY decided_at DESC, id DESC LIMIT 1",
    [ST_DEC_SETTLE] = "UPDATE decisions SET status = ?2, second_officer_id = ?3,"
                      " decided_at = ?4 WHERE id = ?1 AND status = 'pending'",
    /* A serial is handed out by incrementing the row: never twice. */
    [ST_SERIAL_NEXT] = "INSERT INTO visa_serials (state, next_serial) VALUES (?1, 2)"
                       " ON CONFLICT (state) DO UPDATE SET next_serial = next_serial + 1"
                       " RETURNING next_serial - 1",
    [ST_VISA_INSERT] = "INSERT INTO visas (" VISA_COLS ")"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'valid', '',"
                       " ?12, 0)",
    [ST_VISA_GET] = "SELECT " VISA_COLS " FROM visas WHERE visa_number = ?1",
    [ST_VISA_BY_REF] = "SELECT " VISA_COLS " FROM visas WHERE reference = ?1",
    [ST_VISA_REVOKE] = "UPDATE visas SET status = 'revoked', revoked_reason = ?2,"
                       " revoked_at = ?3 WHERE visa_number = ?1 AND status = 'valid'",
    [ST_VISA_REVOKED] = "SELECT visa_number FROM visas WHERE state = ?1 AND status = 'revoked'"
                        " ORDER BY revoked_at, visa_number",
    [ST_USER_TOTP_USE] =
        "UPDATE users SET totp_last_step = ?2 WHERE id = ?1 AND totp_last_step < ?2",
    [ST_MAIL_INSERT] = "INSERT INTO outbox (reference, to_addr, subject, body, status,"
                       " next_attempt_at, created_at) VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6)",
    /* Claims mark the rows: a claimed row is not handed out again until
     * its claim is older than ?3 (the worker died) or it is released. */
    [ST_MAIL_CLAIM] = "UPDATE outbox SET claimed_at = ?1 WHERE id IN (SELECT id FROM outbox"
                      " WHERE status = 'pending' AND next_attempt_at <= ?1"
                      " AND (claimed_at = 0 OR claimed_at <= ?3)"
                      " ORDER BY id LIMIT ?2) RETURNING " MAIL_COLS,
    [ST_MAIL_RESULT] = "UPDATE outbox SET attempts = attempts + 1, status = ?2,"
                       " next_attempt_at = ?3, last_error = ?4, claimed_at = 0,"
                       " sent_at = CASE WHEN ?2 = 'sent' THEN ?5 ELSE 0 END"
                       " WHERE id = ?1 AND status = 'pending'",
    [ST_MAIL_STATE] = "SELECT reference, status, attempts FROM outbox WHERE id = ?1",
    [ST_SHARE_INSERT] = "INSERT INTO share_codes (code_hash, visa_number, reference, created_at,"
                        " expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_SHARE_LOOKUP] = "SELECT code_hash, visa_number, reference, created_at, expires_at, revoked"
                        " FROM share_codes WHERE code_hash = ?1 AND expires_at > ?2"
                        " AND revoked = 0",
    [ST_CROSS_GET] = "SELECT crossing_id, visa_number, direction, at, post, officer_id,"
                     " entries_used, days_in_stay, days_total, days_remaining, overstay"
                     " FROM crossings WHERE crossing_id = ?1",
    [ST_CROSS_VISA] = "SELECT v.state, v.status, v.valid_from, v.valid_until, v.entries,"
                      " v.stay_days, a.passport_number, v.reference FROM visas v"
                      " JOIN applications a ON a.reference = v.reference"
                      " WHERE v.visa_number = ?1",
    [ST_CROSS_LIST] = "SELECT crossing_id, visa_number, direction, at, post, officer_id"
                      " FROM crossings WHERE visa_number = ?1 ORDER BY at, rowid",
    [ST_CROSS_INSERT] = "INSERT INTO crossings (crossing_id, visa_number, direction, at, post,"
                        " officer_id, created_at, entries_used, days_in_stay, days_total,"
                        " days_remaining, overstay)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    /* The last crossing of each visa of state ?1 when it is an entry older
     * than the allowed stay at ?2 (calendar days, UTC). */
    [ST_CROSS_OVERSTAYS] =
        "SELECT v.visa_number, v.reference, c.at, v.stay_days,"
        " (?2 / 86400 - c.at / 86400 + 1) - v.stay_days AS over"
        " FROM crossings c JOIN visas v ON v.visa_number = c.visa_number"
        " WHERE v.state = ?1 AND v.stay_days > 0 AND c.direction = 'entry'"
        " AND NOT EXISTS (SELECT 1 FROM crossings c2 WHERE c2.visa_number = c.visa_number"
        "   AND (c2.at > c.at OR (c2.at = c.at AND c2.rowid > c.rowid)))"
        " AND (?2 / 86400 - c.at / 86400 + 1) > v.stay_days"
        " ORDER BY over DESC, v.visa_number LIMIT ?3",
};

struct conn {
    sqlite3 *db;
    sqlite3_stmt *stmt[ST__MAX];
    int sync_full; /* current synchronous setting: 1 FULL, 0 NORMAL */
    struct conn *next;
};

typedef int (*write_fn)(struct conn *c, void *arg);

struct wjob {
    write_fn fn;
    void *arg;
    bool durable; /* needs synchronous=FULL */
    bool done;
    int rc;
    pthread_cond_t cv; /* signalled when done, or when it is first in the queue */
    struct wjob *next;
};

struct store {
    char *path;
    int busy_ms, max_conns, max_batch;

    pthread_mutex_t mu; /* the reader pool and inflight */
    pthread_cond_t cv;
    struct conn *free_list;
    int nconns, nfree, inflight;

    pthread_mutex_t wmu; /* the write queue */
    struct wjob *qhead, *qtail;
    bool writing;       /* a caller is running a batch on wconn */
    struct conn *wconn; /* used only by the caller running a batch */
};

/* ---- helpers: errors, values, statements ---- */

static int db_err(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return -STORE_E_BUSY;
    case SQLITE_CONSTRAINT:
        return -STORE_E_CONFLICT;
    case SQLITE_TOOBIG:
        return -STORE_E_TOO_LARGE;
    default:
        return -STORE_E_IO;
    }
}

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

/* A text argument: required (non-empty) or optional, at most max bytes,
 * no control characters when plain (identifiers, names). */
static int check_text(const char *s, size_t max, bool required, bool plain)
{
    if (!s)
        return required ? -STORE_E_INVALID : 0;
    size_t n = strnlen(s, max + 1);
    if (n > max)
        return -STORE_E_TOO_LARGE;
    if (required && n == 0)
        return -STORE_E_INVALID;
    if (plain)
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
                return -STORE_E_INVALID;
    return 0;
}
#define CHECK_FIELD(s, req) check_text((s), sizeof(s) - 1, (req), true)

static sqlite3_stmt *stmt(struct conn *c, enum stmt_id id)
{
    if (!c->stmt[id] && sqlite3_prepare_v3(c->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                           &c->stmt[id], NULL) != SQLITE_OK) {
        c->stmt[id] = NULL;
        return NULL;
    }
    return c->stmt[id];
}

/* Resets s for its next use and passes rc through. */
static int done(sqlite3_stmt *s, int rc)
{
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc;
}

static int bind_text(sqlite3_stmt *s, int i, const char *v)
{
    return sqlite3_bind_text(s, i, v ? v : "", -1, SQLITE_STATIC);
}

/* Runs a statement that returns no rows (bindings already made). */
static int exec_stmt(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    return done(s, rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : db_err(rc));
}

static int exec_id(struct conn *c, enum stmt_id id)
{
    sqlite3_stmt *s = stmt(c, id);
    return s ? exec_stmt(s) : -STORE_E_IO;
}

static int col_copy(sqlite3_stmt *s, int i, char *buf, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    size_t n = (size_t)sqlite3_column_bytes(s, i);
    if (n >= cap)
        return -STORE_E_IO; /* the database holds more than the interface allows */
    if (n)
        memcpy(buf, t, n);
    buf[n] = '\0';
    return 0;
}

static const char *col_str(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? (const char *)t : "";
}

static int app_from_row(sqlite3_stmt *s, struct store_app *a)
{
    int rc = 0;
    rc |= col_copy(s, 0, a->reference, sizeof a->reference);
    rc |= col_copy(s, 1, a->state, sizeof a->state);
    rc |= col_copy(s, 2, a->visa_type, sizeof a->visa_type);
    rc |= col_copy(s, 3, a->track, sizeof a->track);
    rc |= col_copy(s, 4, a->status, sizeof a->status);
    rc |= col_copy(s, 5, a->lang, sizeof a->lang);
    rc |= col_copy(s, 6, a->token_hash, sizeof a->token_hash);
    rc |= col_copy(s, 7, a->passport_number, sizeof a->passport_number);
    rc |= col_copy(s, 8, a->date_of_birth, sizeof a->date_of_birth);
    if (rc)
        return -STORE_E_IO;
    free(a->fields_json);
    a->fields_json = strdup(col_str(s, 9));
    if (!a->fields_json)
        return -STORE_E_IO;
    if (col_copy(s, 11, a->currency, sizeof a->currency))
        return -STORE_E_IO;
    a->fee_minor = sqlite3_column_int64(s, 10);
    a->created_at = sqlite3_column_int64(s, 12);
    a->updated_at = sqlite3_column_int64(s, 13);
    a->submitted_at = sqlite3_column_int64(s, 14);
    a->deadline_at = sqlite3_column_int64(s, 15);
    a->version = sqlite3_column_int(s, 16);
    return 0;
}

static int pay_status_from_name(const char *name)
{
    for (int i = 0; i < PAY__MAX; i++)
        if (strcmp(name, store_pay_status_names[i]) == 0)
            return i;
    return -1;
}

static int pay_from_row(sqlite3_stmt *s, struct store_payment *p)
{
    int rc = 0;
    rc |= col_copy(s, 0, p->payment_id, sizeof p->payment_id);
    rc |= col_copy(s, 1, p->reference, sizeof p->reference);
    rc |= col_copy(s, 2, p->provider, sizeof p->provider);
    rc |= col_copy(s, 3, p->provider_ref, sizeof p->provider_ref);
    rc |= col_copy(s, 5, p->currency, sizeof p->currency);
    rc |= col_copy(s, 7, p->decline_code, sizeof p->decline_code);
    int status = pay_status_from_name(col_str(s, 6));
    if (rc || status < 0)
        return -STORE_E_IO;
    p->status = (enum store_pay_status)status;
    p->amount_minor = sqlite3_column_int64(s, 4);
    p->created_at = sqlite3_column_int64(s, 8);
    p->updated_at = sqlite3_column_int64(s, 9);
    return 0;
}

/* Reads one application by reference (id ST_APP_GET) into out. */
static int app_read(struct conn *c, const char *reference, struct store_app *out)
{
    sqlite3_stmt *s = stmt(c, ST_APP_GET);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, reference) != SQLITE_OK)
        return done(s, -STORE_E_IO);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        return done(s, app_from_row(s, out));
    return done(s, rc == SQLITE_DONE ? -STORE_E_NOT_FOUND : db_err(rc));
}

/* The status (and version) of an application; STORE_E_NOT_FOUND if none. */
static int app_state(struct conn *c, const char *reference, char status[20], int *version)
{
    sqlite3_stmt *s = stmt(c, ST_APP_STATE);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, reference) != SQLITE_OK)
        return done(s, -STORE_E_IO);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        if (version)
            *version = sqlite3_column_int(s, 1);
        return done(s, col_copy(s, 0, status, 20));
    }
    return done(s, rc == SQLITE_DONE ? -STORE_E_NOT_FOUND : db_err(rc));
}

static int pay_read(struct conn *c, enum stmt_id id, const char *a, const char *b,
                    struct store_payment *out)
{
    sqlite3_stmt *s = stmt(c, id);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, a) != SQLITE_OK || (b && bind_text(s, 2, b) != SQLITE_OK))
        return done(s, -STORE_E_IO);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        return done(s, pay_from_row(s, out));
    return done(s, rc == SQLITE_DONE ? -STORE_E_NOT_FOUND : db_err(rc));
}

/* A compact JSON object text from a jansson object (consumed); NULL on failure. */
static char *json_text(json_t *obj)
{
    if (!obj)
        return NULL;
    char *t = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(obj);
    return t;
}

/* ---- audit ---- */

static int audit_check(const char *reference, const char *actor, const char *action,
                       const char *detail_json)
{
    int rc;
    if ((rc = check_text(reference, STORE_REF_MAX - 1, false, true)) ||
        (rc = check_text(actor, NAME_MAX_, true, true)) ||
        (rc = check_text(action, NAME_MAX_, true, true)) ||
        (rc = check_text(detail_json, DETAIL_MAX, false, false)))
        return rc;
    return 0;
}

/* Appends one entry inside the caller's write transaction: reads the last
 * hash and seq there, so concurrent appends cannot fork the chain. */
static int audit_append(struct conn *c, const char *reference, const char *actor,
                        const char *action, const char *detail_json)
{
    int rc = audit_check(reference, actor, action, detail_json);
    if (rc)
        return rc;
    if (!reference)
        reference = "";
    if (!detail_json || !*detail_json)
        detail_json = "{}";
    char prev[65] = STORE_AUDIT_GENESIS, hash[65];
    int64_t seq = 1, at = now_s();
    sqlite3_stmt *s = stmt(c, ST_AUDIT_LAST);
    if (!s)
        return -STORE_E_IO;
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        seq = sqlite3_column_int64(s, 0) + 1;
        rc = col_copy(s, 1, prev, sizeof prev);
    } else {
        rc = rc == SQLITE_DONE ? 0 : db_err(rc);
    }
    done(s, 0);
    if (rc)
        return rc;
    if (store_audit_hash(prev, seq, at, reference, actor, action, detail_json, hash) != 0)
        return -STORE_E_IO;
    s = stmt(c, ST_AUDIT_INSERT);
    if (!s)
        return -STORE_E_IO;
    if (sqlite3_bind_int64(s, 1, seq) || sqlite3_bind_int64(s, 2, at) ||
        bind_text(s, 3, reference) || bind_text(s, 4, actor) || bind_text(s, 5, action) ||
        bind_text(s, 6, detail_json) || bind_text(s, 7, prev) || bind_text(s, 8, hash))
        return done(s, -STORE_E_IO);
    return exec_stmt(s);
}

/* ---- connections and the reader pool ---- */

static void conn_close(struct conn *c)
{
    if (!c)
        return;
    for (int i = 0; i < ST__MAX; i++)
        sqlite3_finalize(c->stmt[i]);
    sqlite3_close(c->db);
    free(c);
}

static int conn_open(const struct store *st, bool set_wal, struct conn **out)
{
    *out = NULL;
    struct conn *c = calloc(1, sizeof *c);
    if (!c)
        return -STORE_E_IO;
    int rc = sqlite3_open_v2(
        st->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK)
        goto fail;
    sqlite3_busy_timeout(c->db, st->busy_ms);
    if (set_wal) {
        sqlite3_stmt *s = NULL;
        rc = sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1, &s, NULL);
        if (rc == SQLITE_OK) {
            rc = sqlite3_step(s);
            bool wal = rc == SQLITE_ROW && strcmp(col_str(s, 0), "wal") == 0;
            rc = wal ? SQLITE_OK : (rc == SQLITE_ROW ? SQLITE_ERROR : rc);
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_OK)
            goto fail;
    }
    /* temp_store = MEMORY: statement journals and sorts never create files
     * outside the database's directory (the web process's sandbox allows
     * no others).  wal_autocheckpoint 8192 pages (32 MiB): fewer, larger
     * checkpoints write each hot index page back once instead of many times
     * (measured with bench/submit: about 1.4x the sustained rate). */
    rc = sqlite3_exec(c->db,
                      "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
                      "PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 8192;",
                      NULL, NULL, NULL);
    /* Readers keep a small page cache each (the writer the default 2 MiB):
     * the pool may hold max_conns of them. */
    if (rc == SQLITE_OK && !set_wal)
        rc = sqlite3_exec(c->db, "PRAGMA cache_size = -512", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        goto fail;
    c->sync_full = 1;
    *out = c;
    return 0;
fail:
    rc = db_err(rc);
    conn_close(c);
    return rc == -STORE_E_CONFLICT ? -STORE_E_IO : rc;
}

static void enter(struct store *st)
{
    pthread_mutex_lock(&st->mu);
    st->inflight++;
    pthread_mutex_unlock(&st->mu);
}

static void leave(struct store *st)
{
    pthread_mutex_lock(&st->mu);
    st->inflight--;
    pthread_cond_broadcast(&st->cv);
    pthread_mutex_unlock(&st->mu);
}

/* A reader connection for this thread alone, until pool_put. */
static int pool_get(struct store *st, struct conn **out)
{
    *out = NULL;
    pthread_mutex_lock(&st->mu);
    st->inflight++;
    while (!st->free_list && st->nconns >= st->max_conns)
        pthread_cond_wait(&st->cv, &st->mu);
    if (st->free_list) {
        *out = st->free_list;
        st->free_list = (*out)->next;
        st->nfree--;
        pthread_mutex_unlock(&st->mu);
        return 0;
    }
    st->nconns++; /* reserve a slot, open outside the lock */
    pthread_mutex_unlock(&st->mu);
    int rc = conn_open(st, false, out);
    if (rc) {
        pthread_mutex_lock(&st->mu);
        st->nconns--;
        st->inflight--;
        pthread_cond_broadcast(&st->cv);
        pthread_mutex_unlock(&st->mu);
    }
    return rc;
}

static void pool_put(struct store *st, struct conn *c)
{
    pthread_mutex_lock(&st->mu);
    c->next = st->free_list;
    st->free_list = c;
    st->nfree++;
    st->inflight--;
    pthread_cond_broadcast(&st->cv);
    pthread_mutex_unlock(&st->mu);
}

/* ---- writes: the queue, batches, transactions ---- */

static int set_sync(struct conn *c, bool full)
{
    if (c->sync_full == (int)full)
        return 0;
    int rc = exec_id(c, full ? ST_SYNC_FULL : ST_SYNC_NORMAL);
    if (rc == 0)
        c->sync_full = full;
    return rc;
}

/* Runs jobs[0..n) in one transaction on the writer connection.  Each job
 * runs in a savepoint: a job that fails is rolled back alone.  When the
 * transaction itself fails (BEGIN, COMMIT, or SQLite rolled it back), every
 * job that had succeeded gets that error: nothing of the batch is kept. */
static void run_batch(struct conn *c, struct wjob **jobs, size_t n)
{
    bool durable = false;
    for (size_t i = 0; i < n; i++)
        durable |= jobs[i]->durable;
    int rc = set_sync(c, durable);
    if (rc == 0)
        rc = exec_id(c, ST_BEGIN);
    if (rc) {
        for (size_t i = 0; i < n; i++)
            jobs[i]->rc = rc;
        return;
    }
    int txn_rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct wjob *j = jobs[i];
        if (txn_rc) {
            j->rc = txn_rc;
            continue;
        }
        rc = exec_id(c, ST_SAVEPOINT);
        if (rc == 0) {
            j->rc = j->fn(c, j->arg);
            if (sqlite3_get_autocommit(c->db)) {
                /* SQLite rolled the whole transaction back (I/O, full, ...). */
                txn_rc = j->rc ? j->rc : -STORE_E_IO;
                for (size_t k = 0; k <= i; k++)
                    jobs[k]->rc = jobs[k]->rc ? jobs[k]->rc : txn_rc;
                continue;
            }
            if (j->rc)
                rc = exec_id(c, ST_ROLLBACK_TO);
            if (rc == 0)
                rc = exec_id(c, ST_RELEASE);
        }
        if (rc) {
            txn_rc = rc;
            for (size_t k = 0; k <= i; k++)
                jobs[k]->rc = jobs[k]->rc ? jobs[k]->rc : txn_rc;
        }
    }
    if (txn_rc == 0)
        txn_rc = exec_id(c, ST_COMMIT);
    if (txn_rc) {
        if (!sqlite3_get_autocommit(c->db))
            exec_id(c, ST_ROLLBACK);
        for (size_t i = 0; i < n; i++)
            if (jobs[i]->rc == 0)
                jobs[i]->rc = txn_rc;
    }
}

/* Appends a job (the caller's, on its stack: it leaves the queue, taken
 * into a batch, before it is marked done and its caller returns). */
static void queue_push(struct store *st, struct wjob *job)
{
    if (st->qtail)
        st->qtail->next = job;
    else
        st->qhead = job;
    st->qtail = job;
}

/* Queues one write and returns its result once it has been committed (or
 * refused).  The first caller that finds nobody writing runs the batch. */
static int run_write(struct store *st, write_fn fn, void *arg, bool durable)
{
    struct wjob job = {.fn = fn, .arg = arg, .durable = durable};
    pthread_cond_init(&job.cv, NULL);
    enter(st);
    pthread_mutex_lock(&st->wmu);
    queue_push(st, &job);
    while (!job.done) {
        if (st->writing) {
            /* Woken when our job is done, or when it is first in the queue
             * and the writer has left: then we become the writer. */
            pthread_cond_wait(&job.cv, &st->wmu);
            continue;
        }
        st->writing = true;
        struct wjob *batch[MAX_BATCH];
        size_t n = 0;
        while (st->qhead && n < (size_t)st->max_batch) {
            batch[n++] = st->qhead;
            st->qhead = st->qhead->next;
        }
        if (!st->qhead)
            st->qtail = NULL;
        pthread_mutex_unlock(&st->wmu);
        run_batch(st->wconn, batch, n);
        pthread_mutex_lock(&st->wmu);
        st->writing = false;
        for (size_t i = 0; i < n; i++) {
            batch[i]->done = true;
            pthread_cond_signal(&batch[i]->cv);
        }
        if (st->qhead)
            pthread_cond_signal(&st->qhead->cv);
    }
    pthread_mutex_unlock(&st->wmu);
    pthread_cond_destroy(&job.cv);
    leave(st);
    return job.rc;
}

/* ---- open, migrate, close ---- */

static int migrate_all(struct conn *c);

/* 0 when no row violates a foreign key, else -STORE_E_IO. */
static int fk_check(struct conn *c)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(c->db, "PRAGMA foreign_key_check", -1, &s, NULL) != SQLITE_OK)
        return -STORE_E_IO;
    int step = sqlite3_step(s);
    sqlite3_finalize(s);
    return step == SQLITE_DONE ? 0 : -STORE_E_IO;
}

/* Runs the migrations not yet applied, each in its own transaction.  They
 * run with foreign keys off (so that a table can be rebuilt, as SQLite's
 * ALTER TABLE guide does it) and must leave no violation behind. */
static int migrate(struct conn *c)
{
    if (sqlite3_exec(c->db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL) != SQLITE_OK)
        return -STORE_E_IO;
    int rc = migrate_all(c);
    if (sqlite3_exec(c->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK && rc == 0)
        rc = -STORE_E_IO;
    return rc;
}

static int migrate_all(struct conn *c)
{
    int rc = exec_id(c, ST_MIG_CREATE);
    for (size_t v = 1; rc == 0 && v <= store_migrations_count; v++) {
        if ((rc = exec_id(c, ST_BEGIN)))
            break;
        sqlite3_stmt *s = stmt(c, ST_MIG_HAS);
        if (!s) {
            rc = -STORE_E_IO;
        } else {
            sqlite3_bind_int64(s, 1, (sqlite3_int64)v);
            int step = sqlite3_step(s);
            done(s, 0);
            if (step == SQLITE_ROW) {
                rc = exec_id(c, ST_COMMIT);
                continue;
            }
            if (step != SQLITE_DONE)
                rc = db_err(step);
        }
        if (rc == 0 && sqlite3_exec(c->db, store_migrations[v - 1], NULL, NULL, NULL) != SQLITE_OK)
            rc = -STORE_E_IO;
        if (rc == 0)
            rc = fk_check(c);
        if (rc == 0) {
            s = stmt(c, ST_MIG_INSERT);
            if (!s)
                rc = -STORE_E_IO;
            else if (sqlite3_bind_int64(s, 1, (sqlite3_int64)v) ||
                     sqlite3_bind_int64(s, 2, now_s()))
                rc = done(s, -STORE_E_IO);
            else
                rc = exec_stmt(s);
        }
        if (rc == 0)
            rc = exec_id(c, ST_COMMIT);
        if (rc && !sqlite3_get_autocommit(c->db))
            exec_id(c, ST_ROLLBACK);
    }
    if (rc)
        return rc;
    /* A database migrated by a newer program: refuse rather than guess. */
    sqlite3_stmt *s = stmt(c, ST_MIG_MAX);
    if (!s)
        return -STORE_E_IO;
    int step = sqlite3_step(s);
    int64_t max = step == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    done(s, 0);
    return max >= 0 && (size_t)max <= store_migrations_count ? 0 : -STORE_E_IO;
}

int store_open_opts(const char *path, const struct store_opts *opts, struct store **out)
{
    if (!out)
        return -STORE_E_INVALID;
    *out = NULL;
    if (!path || !*path)
        return -STORE_E_INVALID;
    if (!sqlite3_threadsafe())
        return -STORE_E_IO;
    struct store *st = calloc(1, sizeof *st);
    if (!st)
        return -STORE_E_IO;
    st->path = strdup(path);
    st->busy_ms = opts && opts->busy_timeout_ms > 0 ? opts->busy_timeout_ms : DEFAULT_BUSY_MS;
    st->max_conns = opts && opts->max_conns > 0 ? opts->max_conns : DEFAULT_MAX_CONNS;
    st->max_batch = opts && opts->max_batch > 0 ? opts->max_batch : 1;
    const char *env = getenv("EVISA_STORE_MAX_BATCH");
    if (!(opts && opts->max_batch > 0) && env && *env) {
        char *end;
        long v = strtol(env, &end, 10);
        if (*end == '\0' && v > 0)
            st->max_batch = v > MAX_BATCH ? MAX_BATCH : (int)v;
    }
    if (st->max_batch > MAX_BATCH)
        st->max_batch = MAX_BATCH;
    pthread_mutex_init(&st->mu, NULL);
    pthread_cond_init(&st->cv, NULL);
    pthread_mutex_init(&st->wmu, NULL);
    int rc = st->path ? conn_open(st, true, &st->wconn) : -STORE_E_IO;
    if (rc == 0)
        rc = migrate(st->wconn);
    if (rc) {
        store_close(st);
        return rc;
    }
    *out = st;
    return 0;
}

int store_open(const char *path, struct store **out)
{
    return store_open_opts(path, NULL, out);
}

void store_close(struct store *st)
{
    if (!st)
        return;
    pthread_mutex_lock(&st->mu);
    while (st->inflight > 0)
        pthread_cond_wait(&st->cv, &st->mu);
    pthread_mutex_unlock(&st->mu);
    while (st->free_list) {
        struct conn *c = st->free_list;
        st->free_list = c->next;
        conn_close(c);
    }
    if (st->wconn) {
        sqlite3_exec(st->wconn->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
        conn_close(st->wconn);
    }
    pthread_mutex_destroy(&st->mu);
    pthread_cond_destroy(&st->cv);
    pthread_mutex_destroy(&st->wmu);
    free(st->path);
    free(st);
}

/* ---- applications ---- */

static int app_check_in(const struct store_app *in)
{
    int rc;
    if ((rc = CHECK_FIELD(in->reference, true)) || (rc = CHECK_FIELD(in->state, true)) ||
        (rc = CHECK_FIELD(in->visa_type, true)) || (rc = CHECK_FIELD(in->track, false)) ||
        (rc = CHECK_FIELD(in->lang, false)) || (rc = CHECK_FIELD(in->token_hash, false)) ||
        (rc = CHECK_FIELD(in->passport_number, false)) ||
        (rc = CHECK_FIELD(in->date_of_birth, false)) || (rc = CHECK_FIELD(in->currency, false)) ||
        (rc = check_text(in->fields_json, JSON_MAX, false, false)))
        return rc;
    return 0;
}

struct create_args {
    const struct store_app *in;
    const char *idem_key, *request_hash;
    struct store_app *out;
    bool *replayed;
};

static int op_app_create(struct conn *c, void *arg)
{
    struct create_args *a = arg;
    const struct store_app *in = a->in;
    int64_t now = now_s(), created = in->created_at ? in->created_at : now;
    sqlite3_stmt *s;
    int rc;
    if (a->idem_key) {
        /* Claim the key; the UNIQUE (scope, key) constraint decides who was first. */
        if (!(s = stmt(c, ST_IDEM_CLAIM)))
            return -STORE_E_IO;
        if (bind_text(s, 1, "app_create") || bind_text(s, 2, a->idem_key) ||
            bind_text(s, 3, a->request_hash) || bind_text(s, 4, in->reference) ||
            sqlite3_bind_int64(s, 5, now))
            return done(s, -STORE_E_IO);
        if ((rc = exec_stmt(s)))
            return rc;
        if (sqlite3_changes(c->db) == 0) {
            char hash[KEY_MAX + 1], ref[STORE_REF_MAX];
            if (!(s = stmt(c, ST_IDEM_GET)))
                return -STORE_E_IO;
            if (bind_text(s, 1, "app_create") || bind_text(s, 2, a->idem_key))
                return done(s, -STORE_E_IO);
            rc = sqlite3_step(s);
            if (rc != SQLITE_ROW)
                return done(s, rc == SQLITE_DONE ? -STORE_E_IO : db_err(rc));
            rc = col_copy(s, 0, hash, sizeof hash) | col_copy(s, 1, ref, sizeof ref);
            done(s, 0);
            if (rc)
                return -STORE_E_IO;
            if (strcmp(hash, a->request_hash) != 0)
                return -STORE_E_IDEM_MISMATCH;
            *a->replayed = true;
            return app_read(c, ref, a->out);
        }
    }
    if (!(s = stmt(c, ST_APP_INSERT)))
        return -STORE_E_IO;
    if (bind_text(s, 1, in->reference) || bind_text(s, 2, in->state) ||
        bind_text(s, 3, in->visa_type) || bind_text(s, 4, in->track) || bind_text(s, 5, "draft") ||
        bind_text(s, 6, in->lang) || bind_text(s, 7, in->token_hash) ||
        bind_text(s, 8, in->passport_number) || bind_text(s, 9, in->date_of_birth) ||
        bind_text(s, 10, in->fields_json ? in->fields_json : "{}") ||
        sqlite3_bind_int64(s, 11, in->fee_minor) || bind_text(s, 12, in->currency) ||
        sqlite3_bind_int64(s, 13, created) || sqlite3_bind_int64(s, 14, created) ||
        sqlite3_bind_int64(s, 15, 0) || sqlite3_bind_int64(s, 16, 0) || sqlite3_bind_int(s, 17, 1))
        return done(s, -STORE_E_IO);
    if ((rc = exec_stmt(s))) /* a reference already taken: STORE_E_CONFLICT */
        return rc;
    char *detail = json_text(json_pack("{s:s, s:s, s:s}", "state", in->state, "visa_type",
                                       in->visa_type, "track", in->track));
    if (!detail)
        return -STORE_E_INVALID;
    rc = audit_append(c, in->reference, "applicant", "created", detail);
    free(detail);
    if (rc)
        return rc;
    *a->replayed = false;
    return app_read(c, in->reference, a->out);
}

int store_app_create(struct store *st, const struct store_app *in, const char *idem_key,
                     const char *request_hash, struct store_app *out, bool *replayed)
{
    bool dummy;
    if (out)
        memset(out, 0, sizeof *out);
    if (!st || !in || !out)
        return -STORE_E_INVALID;
    int rc = app_check_in(in);
    if (rc)
        return rc;
    if (idem_key && !*idem_key)
        idem_key = NULL;
    if (idem_key && ((rc = check_text(idem_key, KEY_MAX, true, true)) ||
                     (rc = check_text(request_hash, KEY_MAX, true, false))))
        return rc;
    struct create_args a = {in, idem_key, request_hash, out, replayed ? replayed : &dummy};
    *a.replayed = false;
    rc = run_write(st, op_app_create, &a, true);
    if (rc)
        store_app_clear(out);
    return rc;
}

int store_app_get(struct store *st, const char *reference, struct store_app *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!st || !out)
        return -STORE_E_INVALID;
    int rc = check_text(reference, STORE_REF_MAX - 1, true, true);
    if (rc)
        return rc == -STORE_E_TOO_LARGE ? -STORE_E_NOT_FOUND : rc;
    struct conn *c;
    if ((rc = pool_get(st, &c)))
        return rc;
    rc = app_read(c, reference, out);
    pool_put(st, c);
    if (rc)
        store_app_clear(out);
    return rc;
}

struct update_args {
    const char *reference;
    int expected_version;
    const char *const *allowed;
    const struct store_app *in;
    const char *actor;
    struct store_app *out;
};

static int op_app_update_fields(struct conn *c, void *arg)
{
    struct update_args *a = arg;
    char status[20];
    int version = 0;
    int rc = app_state(c, a->reference, status, &version);
    if (rc)
        return rc;
    if (version != a->expected_version)
        return -STORE_E_CONFLICT;
    if (a->allowed) {
        bool ok = false;
        for (const char *const *p = a->allowed; *p && !ok; p++)
            ok = strcmp(*p, status) == 0;
        if (!ok)
            return -STORE_E_BAD_STATUS;
    }
    sqlite3_stmt *s = stmt(c, ST_APP_UPDATE_FIELDS);
    if (!s)
        return -STORE_E_IO;
    const struct store_app *in = a->in;
    if (bind_text(s, 1, a->reference) ||
        bind_text(s, 2, in->fields_json ? in->fields_json : "{}") ||
        bind_text(s, 3, in->passport_number) || bind_text(s, 4, in->date_of_birth) ||
        bind_text(s, 5, in->lang) ||
        sqlite3_bind_int64(s, 6, in->updated_at ? in->updated_at : now_s()) ||
        sqlite3_bind_int(s, 7, a->expected_version))
        return done(s, -STORE_E_IO);
    if ((rc = exec_stmt(s)))
        return rc;
    if (sqlite3_changes(c->db) != 1)
        return -STORE_E_CONFLICT;
    char *detail = json_text(json_pack("{s:i}", "version", a->expected_version + 1));
    if (!detail)
        return -STORE_E_IO;
    rc = audit_append(c, a->reference, a->actor, "fields_updated", detail);
    free(detail);
    if (rc == 0 && a->out)
        rc = app_read(c, a->reference, a->out);
    return rc;
}

int store_app_update_fields(struct store *st, const char *reference, int expected_version,
                            const char *const *allowed_statuses, const struct store_app *in,
                            const char *actor, struct store_app *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!st || !in)
        return -STORE_E_INVALID;
    int rc;
    if ((rc = check_text(reference, STORE_REF_MAX - 1, true, true)) ||
        (rc = check_text(actor, NAME_MAX_, true, true)) ||
        (rc = CHECK_FIELD(in->passport_number, false)) ||
        (rc = CHECK_FIELD(in->date_of_birth, false)) || (rc = CHECK_FIELD(in->lang, false)) ||
        (rc = check_text(in->fields_json, JSON_MAX, false, false)))
        return rc;
    struct update_args a = {reference, expected_version, allowed_statuses, in, actor, out};
    rc = run_write(st, op_app_update_fields, &a, true);
    if (rc)
        store_app_clear(out);
    return rc;
}

struct transition_args {
    const char *reference, *from, *to;
    int64_t submitted_at, deadline_at;
    const char *actor, *action, *detail_json;
};

/* The shared core of every status change: inside the caller's write
 * transaction, moves the application from a->from to a->to (times when
 * non-zero) and appends the audit entry.  STORE_E_NOT_FOUND /
 * STORE_E_BAD_STATUS. */
static int app_transition(struct conn *c, const struct transition_args *a)
{
    sqlite3_stmt *s = stmt(c, ST_APP_TRANSITION);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, a->reference) || bind_text(s, 2, a->from) || bind_text(s, 3, a->to) ||
        sqlite3_bind_int64(s, 4, a->submitted_at) || sqlite3_bind_int64(s, 5, a->deadline_at) ||
        sqlite3_bind_int64(s, 6, now_s()))
        return done(s, -STORE_E_IO);
    int rc = exec_stmt(s);
    if (rc)
        return rc;
    if (sqlite3_changes(c->db) != 1) {
        char status[20];
        rc = app_state(c, a->reference, status, NULL);
        return rc ? rc : -STORE_E_BAD_STATUS;
    }
    return audit_append(c, a->reference, a->actor, a->action, a->detail_json);
}

static int op_app_transition(struct conn *c, void *arg)
{
    return app_transition(c, arg);
}

/* The arguments of store_app_transition{,_mail}, checked before queueing. */
static int transition_check(const struct transition_args *a)
{
    int rc;
    if ((rc = check_text(a->from, 19, true, true)) || (rc = check_text(a->to, 19, true, true)) ||
        (rc = audit_check(a->reference, a->actor, a->action, a->detail_json)) ||
        (rc = check_text(a->reference, STORE_REF_MAX - 1, true, true)))
        return rc;
    return 0;
}

int store_app_transition(struct store *st, const char *reference, const char *from, const char *to,
                         int64_t submitted_at, int64_t deadline_at, const char *actor,
                         const char *action, const char *detail_json)
{
    if (!st)
        return -STORE_E_INVALID;
    struct transition_args a = {reference,   from,  to,     submitted_at,
                                deadline_at, actor, action, detail_json};
    int rc = transition_check(&a);
    if (rc)
        return rc;
    return run_write(st, op_app_transition, &a, true);
}

int store_app_lookup(struct store *st, const char *reference, const char *passport_number,
                     const char *date_of_birth, struct store_app *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!st || !out)
        return -STORE_E_INVALID;
    /* Every miss, malformed input included, gives the same answer. */
    if (check_text(reference, STORE_REF_MAX - 1, true, true) ||
        check_text(passport_number, sizeof out->passport_number - 1, true, true) ||
        check_text(date_of_birth, sizeof out->date_of_birth - 1, true, true))
        return -STORE_E_NOT_FOUND;
    struct conn *c;
    int rc = pool_get(st, &c);
    if (rc)
        return rc;
    sqlite3_stmt *s = stmt(c, ST_APP_LOOKUP);
    if (!s) {
        rc = -STORE_E_IO;
    } else if (bind_text(s, 1, reference) || bind_text(s, 2, passport_number) ||
               bind_text(s, 3, date_of_birth)) {
        rc = done(s, -STORE_E_IO);
    } else {
        rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
            rc = done(s, app_from_row(s, out));
        else
            rc = done(s, rc == SQLITE_DONE ? -STORE_E_NOT_FOUND : db_err(rc));
    }
    pool_put(st, c);
    if (rc)
        store_app_clear(out);
    return rc;
}

/* ---- uploads ---- */

struct upload_args {
    const char *reference;
    const struct store_upload *up;
    const char *actor;
    const char *detail;
};

static int op_upload_put(struct conn *c, void *arg)
{
    struct upload_args *a = arg;
    char status[20];
    int rc = app_state(c, a->reference, status, NULL);
    if (rc)
        return rc;
    const struct store_upload *up = a->up;
    sqlite3_stmt *s = stmt(c, ST_UPLOAD_PUT);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, a->reference) || bind_text(s, 2, up->kind) || bind_text(s, 3, up->mime) ||
        sqlite3_bind_int(s, 4, up->width) || sqlite3_bind_int(s, 5, up->height) ||
        sqlite3_bind_blob64(s, 6, up->data, (sqlite3_uint64)up->len, SQLITE_STATIC) ||
        sqlite3_bind_int64(s, 7, up->created_at ? up->created_at : now_s()))
        return done(s, -STORE_E_IO);
    if ((rc = exec_stmt(s)))
        return rc;
    char action[NAME_MAX_ + 1];
    int n = snprintf(action, sizeof action, "upload_%s", up->kind);
    if (n < 0 || (size_t)n >= sizeof action)
        return -STORE_E_TOO_LARGE;
    return audit_append(c, a->reference, a->actor, action, a->detail);
}

int store_upload_put(struct store *st, const char *reference, const struct store_upload *up,
                     const char *actor)
{
    if (!st || !up)
        return -STORE_E_INVALID;
    int rc;
    if ((rc = check_text(reference, STORE_REF_MAX - 1, true, true)) ||
        (rc = check_text(actor, NAME_MAX_, true, true)) || (rc = CHECK_FIELD(up->kind, true)) ||
        (rc = CHECK_FIELD(up->mime, true)))
        return rc;
    if (up->len > UPLOAD_MAX)
        return -STORE_E_TOO_LARGE;
    if (!up->data || up->len == 0 || up->width < 0 || up->height < 0)
        return -STORE_E_INVALID;
    /* The audit entry names the content by its SHA-256, hashed outside the write. */
    unsigned char md[32];
    char hex[65];
    if (EVP_Digest(up->data, up->len, md, NULL, EVP_sha256(), NULL) != 1)
        return -STORE_E_IO;
    for (size_t i = 0; i < sizeof md; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    char *detail =
        json_text(json_pack("{s:s, s:i, s:i, s:I, s:s}", "mime", up->mime, "width", up->width,
                            "height", up->height, "bytes", (json_int_t)up->len, "sha256", hex));
    if (!detail)
        return -STORE_E_INVALID;
    struct upload_args a = {reference, up, actor, detail};
    rc = run_write(st, op_upload_put, &a, true);
    free(detail);
    return rc;
}

int store_upload_get(struct store *st, const char *reference, const char *kind,
                     struct store_upload *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!st || !out)
        return -STORE_E_INVALID;
    if (check_text(reference, STORE_REF_MAX - 1, true, true) ||
        check_text(kind, sizeof out->kind - 1, true, true))
        return -STORE_E_NOT_FOUND;
    struct conn *c;
    int rc = pool_get(st, &c);
    if (rc)
        return rc;
    sqlite3_stmt *s = stmt(c, ST_UPLOAD_GET);
    if (!s) {
        rc = -STORE_E_IO;
    } else if (bind_text(s, 1, reference) || bind_text(s, 2, kind)) {
        rc = done(s, -STORE_E_IO);
    } else if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
        rc = done(s, rc == SQLITE_DONE ? -STORE_E_NOT_FOUND : db_err(rc));
    } else {
        const void *blob = sqlite3_column_blob(s, 3);
        size_t len = (size_t)sqlite3_column_bytes(s, 3);
        rc = col_copy(s, 0, out->mime, sizeof out->mime);
        snprintf(out->kind, sizeof out->kind, "%s", kind);
        out->width = sqlite3_column_int(s, 1);
        out->height = sqlite3_column_int(s, 2);
        out->created_at = sqlite3_column_int64(s, 4);
        if (rc == 0 && len > 0) {
            out->data = malloc(len);
            if (out->data && blob) {
                memcpy(out->data, blob, len);
                out->len = len;
            } else {
                rc = -STORE_E_IO;
            }
        }
        rc = done(s, rc);
    }
    pool_put(st, c);
    if (rc)
        store_upload_clear(out);
    return rc;
}

int store_upload_kinds(struct store *st, const char *reference, const char *const *kinds,
                       unsigned *mask)
{
    if (mask)
        *mask = 0;
    if (!st || !kinds || !mask)
        return -STORE_E_INVALID;
    if (check_text(reference, STORE_REF_MAX - 1, true, true))
        return -STORE_E_NOT_FOUND;
    struct conn *c;
    int rc = pool_get(st, &c);
    if (rc)
        return rc;
    char status[20];
    rc = app_state(c, reference, status, NULL);
    sqlite3_stmt *s = rc ? NULL : stmt(c, ST_UPLOAD_KINDS);
    if (rc == 0 && !s)
        rc = -STORE_E_IO;
    if (s && bind_text(s, 1, reference))
        rc = done(s, -STORE_E_IO);
    else if (s) {
        int step;
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            const char *k = col_str(s, 0);
            for (unsigned i = 0; i < 8 * sizeof *mask && kinds[i]; i++)
                if (strcmp(kinds[i], k) == 0)
                    *mask |= 1u << i;
        }
        rc = done(s, step == SQLITE_DONE ? 0 : db_err(step));
    }
    pool_put(st, c);
    if (rc)
        *mask = 0;
    return rc;
}

/* ---- payments ---- */

struct pay_begin_args {
    const char *reference, *idem_key;
    const struct store_payment *in;
    const char *payment_id;
    struct store_payment *out;
    bool *replayed;
};

static int op_payment_begin(struct conn *c, void *arg)
{
    struct pay_begin_args *a = arg;
    char status[20];
    int rc = app_state(c, a->reference, status, NULL);
    if (rc)
        return rc;
    sqlite3_stmt *s = stmt(c, ST_PAY_INSERT);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, a->payment_id) || bind_text(s, 2, a->reference) ||
        bind_text(s, 3, a->idem_key) || bind_text(s, 4, a->in->provider) ||
        sqlite3_bind_int64(s, 5, a->in->amount_minor) || bind_text(s, 6, a->in->currency) ||
        sqlite3_bind_int64(s, 7, now_s()))
        return done(s, -STORE_E_IO);
    if ((rc = exec_stmt(s))) /* the payment_id is taken: STORE_E_CONFLICT */
        return rc;
    if (sqlite3_changes(c->db) == 0) {
        *a->replayed = true;
        return pay_read(c, ST_PAY_BY_KEY, a->reference, a->idem_key, a->out);
    }
    if (!(s = stmt(c, ST_PAY_SUCCEEDED)))
        return -STORE_E_IO;
    if (bind_text(s, 1, a->reference))
        return done(s, -STORE_E_IO);
    rc = sqlite3_step(s);
    int64_t paid = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    rc = done(s, rc == SQLITE_ROW ? 0 : db_err(rc));
    if (rc)
        return rc;
    if (paid > 0)
        return -STORE_E_BAD_STATUS; /* the savepoint rollback removes the new row */
    char *detail = json_text(
        json_pack("{s:s, s:s, s:I, s:s}", "payment_id", a->payment_id, "provider", a->in->provider,
                  "amount_minor", (json_int_t)a->in->amount_minor, "currency", a->in->currency));
    if (!detail)
        return -STORE_E_INVALID;
    rc = audit_append(c, a->reference, "applicant", "payment_started", detail);
    free(detail);
    if (rc)
        return rc;
    *a->replayed = false;
    return pay_read(c, ST_PAY_GET, a->payment_id, NULL, a->out);
}

int store_payment_begin(struct store *st, const char *reference, const char *idem_key,
                        const struct store_payment *in, struct store_payment *out, bool *replayed)
{
    bool dummy;
    if (out)
        memset(out, 0, sizeof *out);
    if (!st || !in || !out)
        return -STORE_E_INVALID;
    int rc;
    if ((rc = check_text(reference, STORE_REF_MAX - 1, true, true)) ||
        (rc = check_text(idem_key, KEY_MAX, true, true)) ||
        (rc = CHECK_FIELD(in->payment_id, false)) || (rc = CHECK_FIELD(in->provider, true)) ||
        (rc = CHECK_FIELD(in->currency, true)))
        return rc;
    if (in->amount_minor < 0)
        return -STORE_E_INVALID;
    char id[STORE_ID_MAX];
    if (in->payment_id[0]) {
        snprintf(id, sizeof id, "%s", in->payment_id);
    } else {
        unsigned char rnd[16];
        if (RAND_bytes(rnd, sizeof rnd) != 1)
            return -STORE_E_IO;
        memcpy(id, "pay_", 5);
        for (size_t i = 0; i < sizeof rnd; i++)
            snprintf(id + 4 + 2 * i, 3, "%02x", rnd[i]);
    }
    struct pay_begin_args a = {reference, idem_key, in, id, out, replayed ? replayed : &dummy};
    *a.replayed = false;
    return run_write(st, op_payment_begin, &a, true);
}

int store_payment_get(struct store *st, const char *payment_id, struct store_payment *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!st || !out)
        return -STORE_E_INVALID;
    if (check_text(payment_id, STORE_ID_MAX - 1, true, true))
        return -STORE_E_NOT_FOUND;
    struct conn *c;
    int rc = pool_get(st, &c);
    if (rc)
        return rc;
    rc = pay_read(c, ST_PAY_GET, payment_id, NULL, out);
    pool_put(st, c);
    return rc;
}

struct pay_complete_args {
    const char *payment_id;
    enum store_pay_status outcome;
    const char *provider_ref, *decline_code;
    int64_t submitted_at, deadline_at;
    bool *applied;
};

static int op_payment_complete(struct conn *c, void *arg)
{
    struct pay_complete_args *a = arg;
    struct store_payment p;
    memset(&p, 0, sizeof p);
    int rc = pay_read(c, ST_PAY_GET, a->payment_id, NULL, &p);
    if (rc)
        return rc;
    if (p.status != PAY_PENDING)
        return 0; /* already completed: exactly once, *applied stays false */
    int64_t now = now_s();
    sqlite3_stmt *s = stmt(c, ST_PAY_COMPLETE);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, a->payment_id) || bind_text(s, 2, store_pay_status_names[a->outcome]) ||
        bind_text(s, 3, a->provider_ref) || bind_text(s, 4, a->decline_code) ||
        sqlite3_bind_int64(s, 5, now))
        return done(s, -STORE_E_IO);
    rc = exec_stmt(s);
    if (rc == -STORE_E_CONFLICT)
        return -STORE_E_BAD_STATUS; /* payments_one_success: already paid */
    if (rc)
        return rc;
    if (sqlite3_changes(c->db) != 1)
        return 0;
    char actor[NAME_MAX_ + 1], action[NAME_MAX_ + 1];
    snprintf(actor, sizeof actor, "payment:%s", p.provider);
    snprintf(action, sizeof action, "payment_%s", store_pay_status_names[a->outcome]);
    char *detail = json_text(json_pack(
        "{s:s, s:s, s:I, s:s, s:s}", "payment_id", p.payment_id, "provider_ref",
        a->provider_ref ? a->provider_ref : "", "amount_minor", (json_int_t)p.amount_minor,
        "currency", p.currency, "decline_code", a->decline_code ? a->decline_code : ""));
    if (!detail)
        return -STORE_E_INVALID;
    rc = audit_append(c, p.reference, actor, action, detail);
    free(detail);
    if (rc)
        return rc;
    if (a->outcome == PAY_SUCCEEDED) {
        int64_t submitted = a->submitted_at ? a->submitted_at : now;
        if (!(s = stmt(c, ST_APP_SUBMIT_DRAFT)))
            return -STORE_E_IO;
        if (bind_text(s, 1, p.reference) || sqlite3_bind_int64(s, 2, submitted) ||
            sqlite3_bind_int64(s, 3, a->deadline_at) || sqlite3_bind_int64(s, 4, now))
            return done(s, -STORE_E_IO);
        if ((rc = exec_stmt(s)))
            return rc;
        if (sqlite3_changes(c->db) == 1) {
            detail = json_text(json_pack("{s:s, s:I, s:I}", "payment_id", p.payment_id,
                                         "submitted_at", (json_int_t)submitted, "deadline_at",
                                         (json_int_t)a->deadline_at));
            if (!detail)
                return -STORE_E_IO;
            rc = audit_append(c, p.reference, actor, "submitted", detail);
            free(detail);
            if (rc)
                return rc;
        }
    }
    *a->applied = true;
    return 0;
}

int store_payment_complete(struct store *st, const char *payment_id, enum store_pay_status outcome,
                           const char *provider_ref, const char *decline_code, int64_t submitted_at,
                           int64_t deadline_at, bool *applied)
{
    bool dummy;
    if (!applied)
        applied = &dummy;
    *applied = false;
    if (!st)
        return -STORE_E_INVALID;
    if (outcome != PAY_SUCCEEDED && outcome != PAY_DECLINED && outcome != PAY_FAILED)
        return -STORE_E_INVALID;
    struct store_payment probe;
    int rc;
    if ((rc = check_text(payment_id, STORE_ID_MAX - 1, true, true)) ||
        (rc = check_text(provider_ref, sizeof probe.provider_ref - 1, false, true)) ||
        (rc = check_text(decline_code, sizeof probe.decline_code - 1, false, true)))
        return rc;
    struct pay_complete_args a = {payment_id,   outcome,     provider_ref, decline_code,
                                  submitted_at, deadline_at, applied};
    rc = run_write(st, op_payment_complete, &a, true);
    if (rc)
        *applied = false;
    return rc;
}

/* ---- rate limits ---- */

struct rate_args {
    const char *key;
    int64_t window_start, expires_at, now;
    int limit;
    bool *allowed;
};

static int op_rate_hit(struct conn *c, void *arg)
{
    struct rate_args *a = arg;
    sqlite3_stmt *s = stmt(c, ST_RATE_HIT);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, a->key) || sqlite3_bind_int64(s, 2, a->window_start) ||
        sqlite3_bind_int64(s, 3, a->expires_at))
        return done(s, -STORE_E_IO);
    int rc = sqlite3_step(s);
    int64_t count = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    rc = done(s, rc == SQLITE_ROW ? 0 : db_err(rc));
    if (rc)
        return rc;
    if (count == 1) {
        /* A new window: purge the expired ones of every key now and then. */
        if (!(s = stmt(c, ST_RATE_PURGE)))
            return -STORE_E_IO;
        if (sqlite3_bind_int64(s, 1, a->now))
            return done(s, -STORE_E_IO);
        if ((rc = exec_stmt(s)))
            return rc;
    }
    *a->allowed = count <= a->limit;
    return 0;
}

int store_rate_hit(struct store *st, const char *key, int window_s, int limit, int64_t now,
                   bool *allowed)
{
    if (allowed)
        *allowed = false;
    if (!st || !allowed || window_s <= 0 || limit < 0)
        return -STORE_E_INVALID;
    int rc = check_text(key, KEY_MAX, true, false);
    if (rc)
        return rc;
    int64_t start = now - now % window_s;
    if (now < 0 && now % window_s)
        start -= window_s;
    struct rate_args a = {key, start, start + window_s, now, limit, allowed};
    return run_write(st, op_rate_hit, &a, false);
}

/* ---- audit ---- */

struct audit_args {
    const char *reference, *actor, *action, *detail_json;
};

static int op_audit_append(struct conn *c, void *arg)
{
    struct audit_args *a = arg;
    return audit_append(c, a->reference, a->actor, a->action, a->detail_json);
}

int store_audit_append(struct store *st, const char *reference, const char *actor,
                       const char *action, const char *detail_json)
{
    if (!st)
        return -STORE_E_INVALID;
    int rc = audit_check(reference, actor, action, detail_json);
    if (rc)
        return rc;
    struct audit_args a = {reference, actor, action, detail_json};
    return run_write(st, op_audit_append, &a, true);
}

int store_audit_verify(struct store *st, int64_t *bad_seq, int64_t *entries)
{
    int64_t dummy_bad, dummy_n;
    if (!bad_seq)
        bad_seq = &dummy_bad;
    if (!entries)
        entries = &dummy_n;
    *bad_seq = 0;
    *entries = 0;
    if (!st)
        return -STORE_E_INVALID;
    struct conn *c;
    int rc = pool_get(st, &c);
    if (rc)
        return rc;
    sqlite3_stmt *s = stmt(c, ST_AUDIT_WALK);
    if (!s) {
        pool_put(st, c);
        return -STORE_E_IO;
    }
    /* One statement reads one consistent snapshot of the whole log. */
    char prev[65] = STORE_AUDIT_GENESIS, hash[65];
    int64_t expect_seq = 1;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(s, 0);
        bool ok = seq == expect_seq && strcmp(col_str(s, 6), prev) == 0 &&
                  store_audit_hash(prev, seq, sqlite3_column_int64(s, 1), col_str(s, 2),
                                   col_str(s, 3), col_str(s, 4), col_str(s, 5), hash) == 0 &&
                  strcmp(col_str(s, 7), hash) == 0;
        if (!ok) {
            *bad_seq = seq;
            rc = -STORE_E_CONFLICT;
            break;
        }
        memcpy(prev, hash, sizeof prev);
        expect_seq = seq + 1;
        (*entries)++;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_err(step);
    done(s, 0);
    pool_put(st, c);
    return rc;
}

/* ==== consular side (issue 5) ====
 *
 * Officers' actions are audited with actor "user:<id>"; user and session
 * entries carry no application reference.  Every change and its audit entry
 * run in one write (one transaction), like the applicant side. */

#define BODY_MAX (256 * 1024) /* one mail body */
#define LIST_MAX 1000         /* most rows one queue / history / claim call returns */
#define CLAIM_STALE_S 300     /* a claimed mail is handed out again after this */
#define TOKEN_HASH_MAX 64     /* SHA-256 hex */
#define REASON_MAX 255        /* store_visa.revoked_reason */
#define ACTOR_BUF 32

static void user_actor(char buf[ACTOR_BUF], int64_t id)
{
    snprintf(buf, ACTOR_BUF, "user:%" PRId64, id);
}

/* A query of one row: steps the bound statement s.  1 with the row current
 * (the caller reads it, then calls done), else done and 0 / an error:
 * notfound (a negative store_err) when there is no row. */
static int step_one(sqlite3_stmt *s, int notfound)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        return 1;
    return done(s, rc == SQLITE_DONE ? notfound : db_err(rc));
}

/* ---- users ---- */

static int user_from_row(sqlite3_stmt *s, int o, struct store_user *u)
{
    memset(u, 0, sizeof *u);
    int rc = 0;
    u->id = sqlite3_column_int64(s, o);
    rc |= col_copy(s, o + 1, u->email, sizeof u->email);
    rc |= col_copy(s, o + 2, u->state, sizeof u->state);
    rc |= col_copy(s, o + 3, u->role, sizeof u->role);
    rc |= col_copy(s, o + 4, u->password_hash, sizeof u->password_hash);
    rc |= col_copy(s, o + 5, u->totp_secret, sizeof u->totp_secret);
    u->enrolled = sqlite3_column_int(s, o + 6) != 0;
    u->disabled = sqlite3_column_int(s, o + 7) != 0;
    u->failed_logins = sqlite3_column_int(s, o + 8);
    u->locked_until = sqlite3_column_int64(s, o + 9);
    u->sessions_valid_after = sqlite3_column_int64(s, o + 10);
    u->created_at = sqlite3_column_int64(s, o + 11);
    return rc ? -STORE_E_IO : 0;
}

/* Reads a user by id (email NULL) or by stored email; out may be NULL to
 * test existence.  STORE_E_NOT_FOUND. */
static int user_read(struct conn *c, int64_t id, const char *email, struct store_user *out)
{
    sqlite3_stmt *s = stmt(c, email ? ST_USER_BY_EMAIL : ST_USER_GET);
    if (!s)
        return -STORE_E_IO;
    if (email ? bind_text(s, 1, email) : sqlite3_bind_int64(s, 1, id))
        return done(s, -STORE_E_IO);
    int rc = step_one(s, -STORE_E_NOT_FOUND);
    if (rc != 1)
        return rc;
    struct store_user tmp;
    return done(s, user_from_row(s, 0, out ? out : &tmp));
}

struct user_create_args {
    const struct store_user *in;
    const char *email, *token_hash, *actor;
    int64_t expires_at, now;
    struct store_user *out;
};

static int op_user_create(struct conn *c, void *arg)
{
    struct user_create_args *a = arg;
    sqlite3_stmt *s = stmt(c, ST_USER_INSERT);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, a->email) || bind_text(s, 2, a->in->state) ||
        bind_text(s, 3, a->in->role) || sqlite3_bind_int64(s, 4, a->now))
        return done(s, -STORE_E_IO);
    int rc = exec_stmt(s); /* the email exists: STORE_E_CONFLICT */
    if (rc)
        return rc;
    int64_t id = sqlite3_last_insert_rowid(c->db);
    if (!(s = stmt(c, ST_ENROL_INSERT)))
        return -STORE_E_IO;
    if (bind_text(s, 1, a->token_hash) || sqlite3_bind_int64(s, 2, id) ||
        sqlite3_bind_int64(s, 3, a->expires_at))
        return done(s, -STORE_E_IO);
    if ((rc = exec_stmt(s)))
        return rc;
    char *detail = json_text(json_pack("{s:I, s:s, s:s, s:s}", "user_id", (json_int_t)id, "email",
                                       a->email, "state", a->in->state, "role", a->in->role));
    if (!detail)
        return -STORE_E_IO;
    rc = audit_append(c, NULL, a->actor, "user_created", detail);
    free(detail);
    return rc ? rc : user_read(c, id, NULL, a->out);
}

int store_user_create(struct store *st, const struct store_user *in, const char *enrol_token_hash,
                      int64_t enrol_expires_at, const char *actor, struct store_user *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!st || !in || !out)
        return -STORE_E_INVALID;
    char email[STORE_EMAIL_MAX];
    int rc;
    if ((rc = store_email_norm(in->email, email, sizeof email)) ||
        (rc = CHECK_FIELD(in->state, true)) ||
        (rc = check_text(enrol_token_hash, TOKEN_HASH_MAX, true, true)) ||
        (rc = check_text(actor, NAME_MAX_, true, true)))
        return rc;
    if (!store_role_valid(in->role))
        return -STORE_E_INVALID;
    struct user_create_args a = {in,
                                 email,
                                 enrol_token_hash,
                                 actor,
                                 enrol_expires_at,
                                 in->created_at ? in->created_at : now_s(),
                                 out};
    rc = run_write(st, op_user_create, &a, true);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int store_user_get(struct store *st, int64_t id, struct store_user *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!st || !out)
        return -STORE_E_INVALID;
    if (id <= 0)
        return -STORE_E_NOT_FOUND;
    struct conn *c;
    int rc = pool_get(st, &c);
    if (rc)
        return rc;
    rc = user_read(c, id, NULL, out);
    pool_put(st, c);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int store_user_get_by_email(struct store *st, const char *email, struct store_user *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!st || !out)
        return -STORE_E_INVALID;
    char norm[STORE_EMAIL_MAX];
    if (store_email_norm(email, norm, sizeof norm))
        return -STORE_E_NOT_FOUND; /* no malformed address is stored */
    struct conn *c;
    int rc = pool_get(st, &c);
    if (rc)
        return rc;
    rc = user_read(c, 0, norm, out);
    pool_put(st, c);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

struct enrol_args {
    const char *token_hash, *password_hash, *totp_secret;
    int64_t now;
    struct store_user *out;
};

static int op_user_enrol(struct conn *c, void *arg)
{
    struct enrol_args *a = arg;
    sqlite3_stmt *s = stmt(c, ST_ENROL_FIND);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, a->token_hash) || sqlite3_bind_int64(s, 2, a->now))
        return done(s, -STORE_E_IO);
    int rc = step_one(s, -STORE_E_NOT_FOUND);
    if (rc != 1)
        return rc;
    int64_t id = sqlite3_column_int64(s, 0);
    done(s, 0);
    /* Consume the token; the writer runs one write at a time, and the
     * "used_at = 0" condition keeps it once-only even so (used_at 0 means
     * unused, hence at least 1). */
    if (!(s = stmt(c, ST_ENROL_USE)))
        return -STORE_E_IO;
    if (bind_text(s, 1, a->token_hash) || sqlite3_bind_int64(s, 2, a->now > 0 ? a->now : 1))
        return done(s, -STORE_E_IO);
    if ((rc = exec_stmt(s)))
        return rc;
    if (sqlite3_changes(c->db) != 1)
        return -STORE_E_NOT_FOUND;
    if (!(s = stmt(c, ST_USER_ENROL)))
        return -STORE_E_IO;
    if (sqlite3_bind_int64(s, 1, id) || bind_text(s, 2, a->password_hash) ||
        bind_text(s, 3, a->totp_secret))
        return done(s, -STORE_E_IO);
    if ((rc = exec_stmt(s)))
        return rc;
    if (sqlite3_changes(c->db) != 1)
        return -STORE_E_NOT_FOUND;
    char actor[ACTOR_BUF];
    user_actor(actor, id);
    char *detail = json_text(json_pack("{s:I}", "user_id", (json_int_t)id));
    if (!detail)
        return -STORE_E_IO;
    rc = audit_append(c, NULL, actor, "user_enrolled", detail);
    free(detail);
    return rc ? rc : user_read(c, id, NULL, a->out);
}

int store_user_enrol(struct store *st, const char *enrol_token_hash, const char *password_hash,
                     const char *totp_secret, int64_t now, struct store_user *out)
{
    struct store_user probe;
    if (out)
        memset(out, 0, sizeof *out);
    if (!st || !out)
        return -STORE_E_INVALID;
    int rc;
    if ((rc = check_text(password_hash, sizeof probe.password_hash - 1, true, true)) ||
        (rc = check_text(totp_secret, sizeof probe.totp_secret - 1, true, true)))
        return rc;
    if (check_text(enrol_token_hash, TOKEN_HASH_MAX, true, true))
        return -STORE_E_NOT_FOUND; /* like any unknown token */
    struct enrol_args a = {enrol_token_hash, password_hash, totp_secret, now, out};
    rc = run_write(st, op_user_enrol, &a, true);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

struct login_args {
    int64_t id, now, lock_seconds;
    int lock_after;
    const char *remote_ip;
};

static int op_user_login_failed(struct conn *c, void *arg)
{
    struct login_args *a = arg;
    sqlite3_stmt *s = stmt(c, ST_USER_FAILED);
    if (!s)
        return -STORE_E_IO;
    if (sqlite3_bind_int64(s, 1, a->id))
        return done(s, -STORE_E_IO);
    int rc = step_one(s, -STORE_E_NOT_FOUND);
    if (rc != 1)
        return rc;
    int failed = sqlite3_column_int(s, 0);
    done(s, 0);
    /* Every failure from the threshold on (re)starts the lock: after a lock
     * ends, one more wrong attempt locks again until a success resets. */
    if (failed < a->lock_after)
        return 0;
    int64_t until = a->now + a->lock_seconds;
    if (!(s = stmt(c, ST_USER_LOCK)))
        return -STORE_E_IO;
    if (sqlite3_bind_int64(s, 1, a->id) || sqlite3_bind_int64(s, 2, until))
        return done(s, -STORE_E_IO);
    if ((rc = exec_stmt(s)))
        return rc;
    char actor[ACTOR_BUF];
    user_actor(actor, a->id);
    char *detail = json_text(json_pack("{s:I, s:i, s:I}", "user_id", (json_int_t)a->id,
                                       "failed_logins", failed, "locked_until", (json_int_t)until));
    if (!detail)
        return -STORE_E_IO;
    rc = audit_append(c, NULL, actor, "login_locked", detail);
    free(detail);
    return rc;
}

int store_user_login_failed(struct store *st, int64_t id, int64_t now, int lock_after,
                            int lock_seconds)
{
    if (!st || lock_after < 1 || lock_seconds < 0)
        return -STORE_E_INVALID;
    if (id <= 0)
        return -STORE_E_NOT_FOUND;
    struct login_args a = {id, now, lock_seconds, lock_after, NULL};
    return run_write(st, op_user_login_failed, &a, true);
}

static int op_user_login_ok(struct conn *c, void *arg)
{
    struct login_args *a = arg;
    sqlite3_stmt *s = stmt(c, ST_USER_LOGIN_OK);
    if (!s)
        return -STORE_E_IO;
    if (sqlite3_bind_int64(s, 1, a->id))
        return done(s, -STORE_E_IO);
    int rc = exec_stmt(s);
    if (rc)
        return rc;
    if (sqlite3_changes(c->db) != 1)
        return -STORE_E_NOT_FOUND;
    char actor[ACTOR_BUF];
    user_actor(actor, a->id);
    char *detail = json_text(json_pack("{s:I, s:s}", "user_id", (json_int_t)a->id, "remote_ip",
                                       a->remote_ip ? a->remote_ip : ""));
    if (!detail)
        return -STORE_E_IO;
    rc = audit_append(c, NULL, actor, "login", detail);
    free(detail);
    return rc;
}

int store_user_login_ok(struct store *st, int64_t id, const char *remote_ip)
{
    if (!st)
        return -STORE_E_INVALID;
    int rc = check_text(remote_ip, NAME_MAX_, false, true);
    if (rc)
        return rc;
    if (id <= 0)
        return -STORE_E_NOT_FOUND;
    struct login_args a = {id, 0, 0, 0, remote_ip};
    return run_write(st, op_user_login_ok, &a, true);
}

static int op_user_logout_everywhere(struct conn *c, void *arg)
{
    struct login_args *a = arg;
    sqlite3_stmt *s = stmt(c, ST_USER_VOID_SESSIONS);
    if (!s)
        return -STORE_E_IO;
    if (sqlite3_bind_int64(s, 1, a->id) || sqlite3_bind_int64(s, 2, a->now))
        return done(s, -STORE_E_IO);
    int rc = exec_stmt(s);
    if (rc)
        return rc;
    if (sqlite3_changes(c->db) != 1)
        return -STORE_E_NOT_FOUND;
    /* The rows go too: sessions_valid_after also voids any session a
     * caller later stores with an older created_at. */
    if (!(s = stmt(c, ST_SESSION_DELETE_USER)))
        return -STORE_E_IO;
    if (sqlite3_bind_int64(s, 1, a->id))
        return done(s, -STORE_E_IO);
    if ((rc = exec_stmt(s)))
        return rc;
    int ended = sqlite3_changes(c->db);
    char actor[ACTOR_BUF];
    user_actor(actor, a->id);
    char *detail =
        json_text(json_pack("{s:I, s:i}", "user_id", (json_int_t)a->id, "sessions", ended));
    if (!detail)
        return -STORE_E_IO;
    rc = audit_append(c, NULL, actor, "logout_everywhere", detail);
    free(detail);
    return rc;
}

int store_user_logout_everywhere(struct store *st, int64_t id, int64_t now)
{
    if (!st)
        return -STORE_E_INVALID;
    if (id <= 0)
        return -STORE_E_NOT_FOUND;
    struct login_args a = {id, now, 0, 0, NULL};
    return run_write(st, op_user_logout_everywhere, &a, true);
}

/* ---- sessions ---- */

static int op_session_create(struct conn *c, void *arg)
{
    const struct store_session *in = arg;
    int rc = user_read(c, in->user_id, NULL, NULL);
    if (rc)
        return rc;
    /* Expired sessions are purged as new ones come. */
    sqlite3_stmt *s = stmt(c, ST_SESSION_PURGE);
    if (!s)
        return -STORE_E_IO;
    if (sqlite3_bind_int64(s, 1, in->created_at))
        return done(s, -STORE_E_IO);
    if ((rc = exec_stmt(s)))
        return rc;
    if (!(s = stmt(c, ST_SESSION_INSERT)))
        return -STORE_E_IO;
    if (bind_text(s, 1, in->id_hash) || sqlite3_bind_int64(s, 2, in->user_id) ||
        bind_text(s, 3, in->csrf) || sqlite3_bind_int64(s, 4, in->created_at) ||
        sqlite3_bind_int64(s, 5, in->last_seen) || sqlite3_bind_int64(s, 6, in->expires_at))
        return done(s, -STORE_E_IO);
    return exec_stmt(s); /* the id exists: STORE_E_CONFLICT */
}

int store_session_create(struct store *st, const struct store_session *in)
{
    if (!st || !in)
        return -STORE_E_INVALID;
    int rc;
    if ((rc = CHECK_FIELD(in->id_hash, true)) || (rc = CHECK_FIELD(in->csrf, true)))
        return rc;
    if (in->user_id <= 0)
        return -STORE_E_INVALID;
    struct store_session s = *in;
    if (!s.created_at)
        s.created_at = now_s();
    if (!s.last_seen)
        s.last_seen = s.created_at;
    if (s.expires_at <= s.created_at)
        return -STORE_E_INVALID;
    return run_write(st, op_session_create, &s, true);
}

int store_session_get(struct store *st, const char *id_hash, int64_t now, struct store_session *out,
                      struct store_user *user)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (user)
        memset(user, 0, sizeof *user);
    if (!st)
        return -STORE_E_INVALID;
    if (check_text(id_hash, TOKEN_HASH_MAX, true, true))
        return -STORE_E_NOT_FOUND;
    struct conn *c;
    int rc = pool_get(st, &c);
    if (rc)
        return rc;
    sqlite3_stmt *s = stmt(c, ST_SESSION_GET);
    if (!s) {
        rc = -STORE_E_IO;
    } else if (bind_text(s, 1, id_hash) || sqlite3_bind_int64(s, 2, now)) {
        rc = done(s, -STORE_E_IO);
    } else if ((rc = step_one(s, -STORE_E_NOT_FOUND)) == 1) {
        struct store_session ses;
        struct store_user u;
        memset(&ses, 0, sizeof ses);
        rc = col_copy(s, 0, ses.id_hash, sizeof ses.id_hash);
        ses.user_id = sqlite3_column_int64(s, 1);
        if (rc == 0)
            rc = col_copy(s, 2, ses.csrf, sizeof ses.csrf);
        ses.created_at = sqlite3_column_int64(s, 3);
        ses.last_seen = sqlite3_column_int64(s, 4);
        ses.expires_at = sqlite3_column_int64(s, 5);
        if (rc == 0)
            rc = user_from_row(s, 6, &u);
        if (rc == 0 && out)
            *out = ses;
        if (rc == 0 && user)
            *user = u;
        rc = done(s, rc);
    }
    pool_put(st, c);
    if (rc && out)
        memset(out, 0, sizeof *out);
    if (rc && user)
        memset(user, 0, sizeof *user);
    return rc;
}

struct touch_args {
    const char *id_hash;
    int64_t now, expires_at;
};

static int op_session_touch(struct conn *c, void *arg)
{
    struct touch_args *a = arg;
    sqlite3_stmt *s = stmt(c, ST_SESSION_TOUCH);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, a->id_hash) || sqlite3_bind_int64(s, 2, a->now) ||
        sqlite3_bind_int64(s, 3, a->expires_at))
        return done(s, -STORE_E_IO);
    int rc = exec_stmt(s);
    if (rc)
        return rc;
    return sqlite3_changes(c->db) == 1 ? 0 : -STORE_E_NOT_FOUND;
}

int store_session_touch(struct store *st, const char *id_hash, int64_t now, int64_t expires_at)
{
    if (!st)
        return -STORE_E_INVALID;
    if (check_text(id_hash, TOKEN_HASH_MAX, true, true))
        return -STORE_E_NOT_FOUND;
    if (expires_at <= now)
        return -STORE_E_INVALID;
    struct touch_args a = {id_hash, now, expires_at};
    return run_write(st, op_session_touch, &a, true);
}

static int op_session_delete(struct conn *c, void *arg)
{
    const struct touch_args *a = arg;
    sqlite3_stmt *s = stmt(c, ST_SESSION_DELETE);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, a->id_hash))
        return done(s, -STORE_E_IO);
    return exec_stmt(s);
}

/* Idempotent: deleting a session that is gone already returns 0. */
int store_session_delete(struct store *st, const char *id_hash)
{
    if (!st)
        return -STORE_E_INVALID;
    if (check_text(id_hash, TOKEN_HASH_MAX, true, true))
        return 0; /* no such session can exist */
    struct touch_args a = {id_hash, 0, 0};
    return run_write(st, op_session_delete, &a, true);
}

/* ---- the review queue and history ---- */

/* Reads every row of the bound application query s into a malloc'd array. */
static int apps_collect(sqlite3_stmt *s, struct store_app **rows, size_t *n)
{
    size_t cap = 0;
    int step, rc = 0;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            struct store_app *p = realloc(*rows, ncap * sizeof *p);
            if (!p) {
                rc = -STORE_E_IO;
                break;
            }
            *rows = p;
            cap = ncap;
        }
        memset(&(*rows)[*n], 0, sizeof **rows);
        (*n)++;
        if ((rc = app_from_row(s, &(*rows)[*n - 1])))
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_err(step);
    return done(s, rc);
}

int store_queue(struct store *st, const char *state, const char *const *statuses, size_t offset,
                size_t max, struct store_app **rows, size_t *n)
{
    if (rows)
        *rows = NULL;
    if (n)
        *n = 0;
    if (!st || !statuses || !rows || !n)
        return -STORE_E_INVALID;
    int rc = check_text(state, 3, true, true);
    if (rc)
        return rc;
    json_t *list = json_array();
    for (const char *const *p = statuses; list && *p; p++)
        if ((rc = check_text(*p, 19, true, true)) || json_array_append_new(list, json_string(*p)))
            break;
    char *names = rc ? NULL : json_dumps(list, JSON_COMPACT);
    json_decref(list);
    if (rc || !names)
        return rc ? rc : -STORE_E_IO;
    if (max > LIST_MAX)
        max = LIST_MAX;
    if (offset > (size_t)INT64_MAX)
        offset = (size_t)INT64_MAX;
    struct conn *c;
    if (max == 0 || (rc = pool_get(st, &c))) {
        free(names);
        return rc;
    }
    sqlite3_stmt *s = stmt(c, ST_APP_QUEUE);
    if (!s)
        rc = -STORE_E_IO;
    else if (bind_text(s, 1, state) || bind_text(s, 2, names) ||
             sqlite3_bind_int64(s, 3, (sqlite3_int64)max) ||
             sqlite3_bind_int64(s, 4, (sqlite3_int64)offset))
        rc = done(s, -STORE_E_IO);
    else
        rc = apps_collect(s, rows, n);
    pool_put(st, c);
    free(names);
    if (rc) {
        store_apps_free(*rows, *n);
        *rows = NULL;
        *n = 0;
    }
    return rc;
}

int store_apps_by_passport(struct store *st, const char *passport_number, const char *reference,
                           size_t max, struct store_app **rows, size_t *n)
{
    struct store_app probe;
    if (rows)
        *rows = NULL;
    if (n)
        *n = 0;
    if (!st || !rows || !n)
        return -STORE_E_INVALID;
    int rc;
    if ((rc = check_text(passport_number, sizeof probe.passport_number - 1, true, true)) ||
        (rc = check_text(reference, STORE_REF_MAX - 1, false, true)))
        return rc;
    if (max > LIST_MAX)
        max = LIST_MAX;
    struct conn *c;
    if (max == 0 || (rc = pool_get(st, &c)))
        return rc;
    sqlite3_stmt *s = stmt(c, ST_APP_BY_PASSPORT);
    if (!s)
        rc = -STORE_E_IO;
    else if (bind_text(s, 1, passport_number) || bind_text(s, 2, reference) ||
             sqlite3_bind_int64(s, 3, (sqlite3_int64)max))
        rc = done(s, -STORE_E_IO);
    else
        rc = apps_collect(s, rows, n);
    pool_put(st, c);
    if (rc) {
        store_apps_free(*rows, *n);
        *rows = NULL;
        *n = 0;
    }
    return rc;
}

/* ---- decisions ---- */

static int dec_from_row(sqlite3_stmt *s, struct store_decision *d)
{
    memset(d, 0, sizeof *d);
    int rc = 0;
    d->id = sqlite3_column_int64(s, 0);
    rc |= col_copy(s, 1, d->reference, sizeof d->reference);
    rc |= col_copy(s, 2, d->decision, sizeof d->decision);
    rc |= col_copy(s, 3, d->reason_code, sizeof d->reason_code);
    rc |= col_copy(s, 4, d->note, sizeof d->note);
    rc |= col_copy(s, 5, d->info_request, sizeof d->info_request);
    d->officer_id = sqlite3_column_int64(s, 6);
    d->second_officer_id = sqlite3_column_int64(s, 7);
    rc |= col_copy(s, 8, d->status, sizeof d->status);
    d->created_at = sqlite3_column_int64(s, 9);
    d->decided_at = sqlite3_column_int64(s, 10);
    return rc ? -STORE_E_IO : 0;
}

/* One decision: by id (ST_DEC_GET) or by reference (ST_DEC_PENDING,
 * ST_DEC_LAST); out may be NULL to test existence.  STORE_E_NOT_FOUND. */
static int dec_read(struct conn *c, enum stmt_id id, int64_t num, const char *reference,
                    struct store_decision *out)
{
    sqlite3_stmt *s = stmt(c, id);
    if (!s)
        return -STORE_E_IO;
    if (id == ST_DEC_GET ? sqlite3_bind_int64(s, 1, num) : bind_text(s, 1, reference))
        return done(s, -STORE_E_IO);
    int rc = step_one(s, -STORE_E_NOT_FOUND);
    if (rc != 1)
        return rc;
    struct store_decision tmp;
    return done(s, dec_from_row(s, out ? out : &tmp));
}

/* The audit detail of a decision (malloc'd JSON text) or NULL. */
static char *dec_detail(int64_t id, const struct store_decision *d, const char *from,
                        const char *to)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I}", "decision_id", (json_int_t)id,
                          "decision", d->decision, "reason_code", d->reason_code, "note", d->note,
                          "info_request", d->info_request, "officer_id", (json_int_t)d->officer_id);
    if (o && d->second_officer_id)
        json_object_set_new(o, "second_officer_id", json_integer(d->second_officer_id));
    if (o && from)
        json_object_set_new(o, "from", json_string(from));
    if (o && to)
        json_object_set_new(o, "to", json_string(to));
    return json_text(o);
}

struct propose_args {
    const struct store_decision *in;
    bool needs_second;
    const char *from, *to;
    int64_t now;
    struct store_decision *out;
};

static int op_decision_propose(struct conn *c, void *arg)
{
    struct propose_args *a = arg;
    const struct store_decision *in = a->in;
    char status[20];
    /* Both checks run inside the write transaction: whoever comes second
     * sees the first one's effect. */
    int rc = app_state(c, in->reference, status, NULL);
    if (rc)
        return rc;
    if (strcmp(status, a->from) != 0)
        return -STORE_E_BAD_STATUS;
    rc = dec_read(c, ST_DEC_PENDING, 0, in->reference, NULL);
    if (rc == 0)
        return -STORE_E_CONFLICT;
    if (rc != -STORE_E_NOT_FOUND)
        return rc;
    if ((rc = user_read(c, in->officer_id, NULL, NULL)))
        return rc == -STORE_E_NOT_FOUND ? -STORE_E_INVALID : rc;
    sqlite3_stmt *s = stmt(c, ST_DEC_INSERT);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, in->reference) || bind_text(s, 2, in->decision) ||
        bind_text(s, 3, in->reason_code) || bind_text(s, 4, in->note) ||
        bind_text(s, 5, in->info_request) || sqlite3_bind_int64(s, 6, in->officer_id) ||
        bind_text(s, 7, a->needs_second ? "pending" : "final") ||
        sqlite3_bind_int64(s, 8, a->now) || sqlite3_bind_int64(s, 9, a->needs_second ? 0 : a->now))
        return done(s, -STORE_E_IO);
    if ((rc = exec_stmt(s))) /* decisions_one_pending: STORE_E_CONFLICT */
        return rc;
    int64_t id = sqlite3_last_insert_rowid(c->db);
    char actor[ACTOR_BUF], action[NAME_MAX_ + 1];
    user_actor(actor, in->officer_id);
    char *detail = dec_detail(id, in, a->from, a->needs_second ? NULL : a->to);
    if (!detail)
        return -STORE_E_IO;
    if (a->needs_second) {
        rc = audit_append(c, in->reference, actor, "decision_proposed", detail);
    } else {
        snprintf(action, sizeof action, "decision_%s", in->decision);
        struct transition_args t = {in->reference, a->from, a->to, 0, 0, actor, action, detail};
        rc = app_transition(c, &t);
    }
    free(detail);
    return rc ? rc : dec_read(c, ST_DEC_GET, id, NULL, a->out);
}

int store_decision_propose(struct store *st, const struct store_decision *in, bool needs_second,
                           const char *from_status, const char *to_status,
                           struct store_decision *out)
{
    struct store_decision dummy;
    if (!out)
        out = &dummy;
    memset(out, 0, sizeof *out);
    if (!st || !in)
        return -STORE_E_INVALID;
    int rc;
    if ((rc = CHECK_FIELD(in->reference, true)) || (rc = CHECK_FIELD(in->reason_code, false)) ||
        (rc = check_text(in->note, sizeof in->note - 1, false, false)) ||
        (rc = check_text(in->info_request, sizeof in->info_request - 1, false, false)) ||
        (rc = check_text(from_status, 19, true, true)) ||
        (rc = check_text(to_status, 19, !needs_second, true)))
        return rc;
    if (!store_decision_valid(in->decision) || in->officer_id <= 0)
        return -STORE_E_INVALID;
    struct propose_args a = {in,
                             needs_second,
                             from_status,
                             to_status ? to_status : "",
                             in->created_at ? in->created_at : now_s(),
                             out};
    rc = run_write(st, op_decision_propose, &a, true);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

struct confirm_args {
    int64_t id, second;
    bool confirm;
    const char *from, *to;
    int64_t now;
    struct store_decision *out;
};

static int op_decision_confirm(struct conn *c, void *arg)
{
    struct confirm_args *a = arg;
    struct store_decision d;
    int rc = dec_read(c, ST_DEC_GET, a->id, NULL, &d);
    if (rc)
        return rc;
    if (strcmp(d.status, "pending") != 0)
        return -STORE_E_BAD_STATUS; /* already confirmed or rejected */
    if (d.officer_id == a->second)
        return -STORE_E_CONFLICT; /* four eyes: nobody confirms their own proposal */
    if ((rc = user_read(c, a->second, NULL, NULL)))
        return rc == -STORE_E_NOT_FOUND ? -STORE_E_INVALID : rc;
    sqlite3_stmt *s = stmt(c, ST_DEC_SETTLE);
    if (!s)
        return -STORE_E_IO;
    if (sqlite3_bind_int64(s, 1, a->id) || bind_text(s, 2, a->confirm ? "final" : "rejected") ||
        sqlite3_bind_int64(s, 3, a->second) || sqlite3_bind_int64(s, 4, a->now))
        return done(s, -STORE_E_IO);
    if ((rc = exec_stmt(s)))
        return rc;
    if (sqlite3_changes(c->db) != 1)
        return -STORE_E_BAD_STATUS;
    d.second_officer_id = a->second;
    char actor[ACTOR_BUF], action[NAME_MAX_ + 1];
    user_actor(actor, a->second);
    char *detail = dec_detail(a->id, &d, a->confirm ? a->from : NULL, a->confirm ? a->to : NULL);
    if (!detail)
        return -STORE_E_IO;
    if (a->confirm) {
        snprintf(action, sizeof action, "decision_%s", d.decision);
        struct transition_args t = {d.reference, a->from, a->to, 0, 0, actor, action, detail};
        rc = app_transition(c, &t);
    } else {
        rc = audit_append(c, d.reference, actor, "decision_rejected", detail);
    }
    free(detail);
    return rc ? rc : dec_read(c, ST_DEC_GET, a->id, NULL, a->out);
}

int store_decision_confirm(struct store *st, int64_t decision_id, int64_t second_officer_id,
                           bool confirm, const char *from_status, const char *to_status,
                           struct store_decision *out)
{
    struct store_decision dummy;
    if (!out)
        out = &dummy;
    memset(out, 0, sizeof *out);
    if (!st || second_officer_id <= 0)
        return -STORE_E_INVALID;
    int rc;
    if ((rc = check_text(from_status, 19, confirm, true)) ||
        (rc = check_text(to_status, 19, confirm, true)))
        return rc;
    if (decision_id <= 0)
        return -STORE_E_NOT_FOUND;
    struct confirm_args a = {decision_id, second_officer_id, confirm, from_status,
                             to_status,   now_s(),           out};
    rc = run_write(st, op_decision_confirm, &a, true);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

static int decision_by_reference(struct store *st, enum stmt_id id, const char *reference,
                                 struct store_decision *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!st || !out)
        return -STORE_E_INVALID;
    if (check_text(reference, STORE_REF_MAX - 1, true, true))
        return -STORE_E_NOT_FOUND;
    struct conn *c;
    int rc = pool_get(st, &c);
    if (rc)
        return rc;
    rc = dec_read(c, id, 0, reference, out);
    pool_put(st, c);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int store_decision_pending(struct store *st, const char *reference, struct store_decision *out)
{
    return decision_by_reference(st, ST_DEC_PENDING, reference, out);
}

int store_decision_last(struct store *st, const char *reference, struct store_decision *out)
{
    return decision_by_reference(st, ST_DEC_LAST, reference, out);
}

/* ---- visas ---- */

struct serial_args {
    const char *state;
    int64_t *serial;
};

static int op_visa_next_serial(struct conn *c, void *arg)
{
    struct serial_args *a = arg;
    sqlite3_stmt *s = stmt(c, ST_SERIAL_NEXT);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, a->state))
        return done(s, -STORE_E_IO);
    int rc = step_one(s, -STORE_E_IO);
    if (rc != 1)
        return rc;
    *a->serial = sqlite3_column_int64(s, 0);
    return done(s, 0);
}

int store_visa_next_serial(struct store *st, const char *state, int64_t *serial)
{
    if (serial)
        *serial = 0;
    if (!st || !serial)
        return -STORE_E_INVALID;
    int rc = check_text(state, 3, true, true);
    if (rc)
        return rc;
    struct serial_args a = {state, serial};
    rc = run_write(st, op_visa_next_serial, &a, true);
    if (rc)
        *serial = 0;
    return rc;
}

static int visa_from_row(sqlite3_stmt *s, struct store_visa *v)
{
    memset(v, 0, sizeof *v);
    int rc = 0;
    rc |= col_copy(s, 0, v->visa_number, sizeof v->visa_number);
    rc |= col_copy(s, 1, v->reference, sizeof v->reference);
    rc |= col_copy(s, 2, v->state, sizeof v->state);
    rc |= col_copy(s, 3, v->mrz_line1, sizeof v->mrz_line1);
    rc |= col_copy(s, 4, v->mrz_line2, sizeof v->mrz_line2);
    const void *seal = sqlite3_column_blob(s, 5);
    size_t len = (size_t)sqlite3_column_bytes(s, 5);
    if (len > sizeof v->seal || (len && !seal))
        return -STORE_E_IO;
    if (len)
        memcpy(v->seal, seal, len);
    v->seal_len = len;
    rc |= col_copy(s, 6, v->signer_cert_ref, sizeof v->signer_cert_ref);
    rc |= col_copy(s, 7, v->valid_from, sizeof v->valid_from);
    rc |= col_copy(s, 8, v->valid_until, sizeof v->valid_until);
    v->entries = sqlite3_column_int(s, 9);
    v->stay_days = sqlite3_column_int(s, 10);
    rc |= col_copy(s, 11, v->status, sizeof v->status);
    rc |= col_copy(s, 12, v->revoked_reason, sizeof v->revoked_reason);
    v->issued_at = sqlite3_column_int64(s, 13);
    v->revoked_at = sqlite3_column_int64(s, 14);
    return rc ? -STORE_E_IO : 0;
}

static int visa_read(struct conn *c, enum stmt_id id, const char *key, struct store_visa *out)
{
    sqlite3_stmt *s = stmt(c, id);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, key))
        return done(s, -STORE_E_IO);
    int rc = step_one(s, -STORE_E_NOT_FOUND);
    if (rc != 1)
        return rc;
    return done(s, visa_from_row(s, out));
}

struct visa_issue_args {
    const struct store_visa *v;
    const char *actor, *detail;
    int64_t now;
};

static int op_visa_issue(struct conn *c, void *arg)
{
    struct visa_issue_args *a = arg;
    const struct store_visa *v = a->v;
    sqlite3_stmt *s = stmt(c, ST_APP_STATE_OF);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, v->reference))
        return done(s, -STORE_E_IO);
    int rc = step_one(s, -STORE_E_NOT_FOUND);
    if (rc != 1)
        return rc;
    bool same_state = strcmp(col_str(s, 0), v->state) == 0;
    bool approved = strcmp(col_str(s, 1), "approved") == 0;
    done(s, 0);
    if (!same_state)
        return -STORE_E_INVALID; /* a visa of another state than the application's */
    if (!approved)
        return -STORE_E_BAD_STATUS;
    if (!(s = stmt(c, ST_VISA_INSERT)))
        return -STORE_E_IO;
    if (bind_text(s, 1, v->visa_number) || bind_text(s, 2, v->reference) ||
        bind_text(s, 3, v->state) || bind_text(s, 4, v->mrz_line1) ||
        bind_text(s, 5, v->mrz_line2) ||
        sqlite3_bind_blob(s, 6, v->seal, (int)v->seal_len, SQLITE_STATIC) ||
        bind_text(s, 7, v->signer_cert_ref) || bind_text(s, 8, v->valid_from) ||
        bind_text(s, 9, v->valid_until) || sqlite3_bind_int(s, 10, v->entries) ||
        sqlite3_bind_int(s, 11, v->stay_days) || sqlite3_bind_int64(s, 12, a->now))
        return done(s, -STORE_E_IO);
    if ((rc = exec_stmt(s))) /* the visa number (or a visa of this application) exists */
        return rc;
    struct transition_args t = {v->reference, "approved",    "issued", 0, 0,
                                a->actor,     "visa_issued", a->detail};
    return app_transition(c, &t);
}

int store_visa_issue(struct store *st, const struct store_visa *v, const char *actor)
{
    if (!st || !v)
        return -STORE_E_INVALID;
    int rc;
    if ((rc = CHECK_FIELD(v->visa_number, true)) || (rc = CHECK_FIELD(v->reference, true)) ||
        (rc = CHECK_FIELD(v->state, true)) || (rc = CHECK_FIELD(v->mrz_line1, true)) ||
        (rc = CHECK_FIELD(v->mrz_line2, true)) || (rc = CHECK_FIELD(v->signer_cert_ref, true)) ||
        (rc = CHECK_FIELD(v->valid_from, true)) || (rc = CHECK_FIELD(v->valid_until, true)) ||
        (rc = check_text(actor, NAME_MAX_, true, true)))
        return rc;
    if (v->seal_len > sizeof v->seal)
        return -STORE_E_TOO_LARGE;
    if (v->seal_len == 0 || v->entries < 0 || v->stay_days < 0)
        return -STORE_E_INVALID;
    /* The audit entry names the seal by its SHA-256, hashed outside the write. */
    unsigned char md[32];
    char hex[65];
    if (EVP_Digest(v->seal, v->seal_len, md, NULL, EVP_sha256(), NULL) != 1)
        return -STORE_E_IO;
    for (size_t i = 0; i < sizeof md; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    char *detail = json_text(json_pack(
        "{s:s, s:s, s:s, s:i, s:i, s:s, s:s}", "visa_number", v->visa_number, "valid_from",
        v->valid_from, "valid_until", v->valid_until, "entries", v->entries, "stay_days",
        v->stay_days, "signer_cert_ref", v->signer_cert_ref, "seal_sha256", hex));
    if (!detail)
        return -STORE_E_IO;
    struct visa_issue_args a = {v, actor, detail, v->issued_at ? v->issued_at : now_s()};
    rc = run_write(st, op_visa_issue, &a, true);
    free(detail);
    return rc;
}

static int visa_get_by(struct store *st, enum stmt_id id, const char *key, size_t key_max,
                       struct store_visa *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!st || !out)
        return -STORE_E_INVALID;
    if (check_text(key, key_max, true, true))
        return -STORE_E_NOT_FOUND;
    struct conn *c;
    int rc = pool_get(st, &c);
    if (rc)
        return rc;
    rc = visa_read(c, id, key, out);
    pool_put(st, c);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int store_visa_get_by_reference(struct store *st, const char *reference, struct store_visa *out)
{
    return visa_get_by(st, ST_VISA_BY_REF, reference, STORE_REF_MAX - 1, out);
}

int store_visa_get(struct store *st, const char *visa_number, struct store_visa *out)
{
    return visa_get_by(st, ST_VISA_GET, visa_number, sizeof out->visa_number - 1, out);
}

struct revoke_args {
    const char *visa_number, *reason, *actor;
    int64_t now;
};

static int op_visa_revoke(struct conn *c, void *arg)
{
    struct revoke_args *a = arg;
    struct store_visa v;
    int rc = visa_read(c, ST_VISA_GET, a->visa_number, &v);
    if (rc)
        return rc;
    if (strcmp(v.status, "valid") != 0)
        return -STORE_E_BAD_STATUS;
    sqlite3_stmt *s = stmt(c, ST_VISA_REVOKE);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, a->visa_number) || bind_text(s, 2, a->reason) ||
        sqlite3_bind_int64(s, 3, a->now))
        return done(s, -STORE_E_IO);
    if ((rc = exec_stmt(s)))
        return rc;
    if (sqlite3_changes(c->db) != 1)
        return -STORE_E_BAD_STATUS;
    char *detail =
        json_text(json_pack("{s:s, s:s}", "visa_number", a->visa_number, "reason", a->reason));
    if (!detail)
        return -STORE_E_IO;
    struct transition_args t = {v.reference, "issued", "revoked",      0,
                                0,           a->actor, "visa_revoked", detail};
    rc = app_transition(c, &t);
    free(detail);
    return rc;
}

int store_visa_revoke(struct store *st, const char *visa_number, const char *reason,
                      const char *actor, int64_t now)
{
    struct store_visa probe;
    if (!st)
        return -STORE_E_INVALID;
    int rc;
    if ((rc = check_text(reason, REASON_MAX, true, false)) ||
        (rc = check_text(actor, NAME_MAX_, true, true)))
        return rc;
    if (check_text(visa_number, sizeof probe.visa_number - 1, true, true))
        return -STORE_E_NOT_FOUND;
    struct revoke_args a = {visa_number, reason, actor, now ? now : now_s()};
    return run_write(st, op_visa_revoke, &a, true);
}

int store_visa_revoked(struct store *st, const char *state, char (**numbers)[16], size_t *n)
{
    if (numbers)
        *numbers = NULL;
    if (n)
        *n = 0;
    if (!st || !numbers || !n)
        return -STORE_E_INVALID;
    int rc = check_text(state, 3, true, true);
    if (rc)
        return rc;
    struct conn *c;
    if ((rc = pool_get(st, &c)))
        return rc;
    sqlite3_stmt *s = stmt(c, ST_VISA_REVOKED);
    if (!s) {
        rc = -STORE_E_IO;
    } else if (bind_text(s, 1, state)) {
        rc = done(s, -STORE_E_IO);
    } else {
        size_t cap = 0;
        int step;
        while ((step = sqlite3_step(s)) == SQLITE_ROW) {
            if (*n == cap) {
                size_t ncap = cap ? 2 * cap : 16;
                char(*p)[16] = realloc(*numbers, ncap * sizeof *p);
                if (!p) {
                    rc = -STORE_E_IO;
                    break;
                }
                *numbers = p;
                cap = ncap;
            }
            if ((rc = col_copy(s, 0, (*numbers)[*n], sizeof **numbers)))
                break;
            (*n)++;
        }
        if (rc == 0 && step != SQLITE_DONE)
            rc = db_err(step);
        rc = done(s, rc);
    }
    pool_put(st, c);
    if (rc) {
        free(*numbers);
        *numbers = NULL;
        *n = 0;
    }
    return rc;
}

/* ---- the notification outbox ---- */

struct transition_mail_args {
    struct transition_args t;
    const struct store_mail *mail;
    int64_t now;
};

static int op_app_transition_mail(struct conn *c, void *arg)
{
    struct transition_mail_args *a = arg;
    int rc = app_transition(c, &a->t);
    if (rc || !a->mail)
        return rc;
    const struct store_mail *m = a->mail;
    sqlite3_stmt *s = stmt(c, ST_MAIL_INSERT);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, a->t.reference) || bind_text(s, 2, m->to) || bind_text(s, 3, m->subject) ||
        bind_text(s, 4, m->body) ||
        sqlite3_bind_int64(s, 5, m->next_attempt_at ? m->next_attempt_at : a->now) ||
        sqlite3_bind_int64(s, 6, a->now))
        return done(s, -STORE_E_IO);
    return exec_stmt(s);
}

int store_app_transition_mail(struct store *st, const char *reference, const char *from,
                              const char *to, int64_t submitted_at, int64_t deadline_at,
                              const char *actor, const char *action, const char *detail_json,
                              const struct store_mail *mail)
{
    if (!st)
        return -STORE_E_INVALID;
    struct transition_mail_args a = {
        {reference, from, to, submitted_at, deadline_at, actor, action, detail_json},
        mail,
        now_s()};
    int rc = transition_check(&a.t);
    if (rc)
        return rc;
    if (mail && ((rc = CHECK_FIELD(mail->to, true)) || (rc = CHECK_FIELD(mail->subject, true)) ||
                 (rc = check_text(mail->body, BODY_MAX, true, false))))
        return rc;
    return run_write(st, op_app_transition_mail, &a, true);
}

struct enqueue_args {
    const char *reference;
    const struct store_mail *mail;
    int64_t now;
};

static int op_outbox_enqueue(struct conn *c, void *arg)
{
    struct enqueue_args *a = arg;
    sqlite3_stmt *s = stmt(c, ST_MAIL_INSERT);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, a->reference) || bind_text(s, 2, a->mail->to) ||
        bind_text(s, 3, a->mail->subject) || bind_text(s, 4, a->mail->body) ||
        sqlite3_bind_int64(s, 5, a->mail->next_attempt_at ? a->mail->next_attempt_at : a->now) ||
        sqlite3_bind_int64(s, 6, a->now))
        return done(s, -STORE_E_IO);
    return exec_stmt(s);
}

int store_outbox_enqueue(struct store *st, const char *reference, const struct store_mail *mail)
{
    if (!st || !mail)
        return -STORE_E_INVALID;
    int rc;
    if ((rc = CHECK_FIELD(mail->to, true)) || (rc = CHECK_FIELD(mail->subject, true)) ||
        (rc = check_text(mail->body, BODY_MAX, true, false)))
        return rc;
    struct enqueue_args a = {reference ? reference : "", mail, now_s()};
    return run_write(st, op_outbox_enqueue, &a, true);
}

static int op_user_totp_use(struct conn *c, void *arg)
{
    const int64_t *v = arg; /* id, step */
    sqlite3_stmt *s = stmt(c, ST_USER_TOTP_USE);
    if (!s)
        return -STORE_E_IO;
    if (sqlite3_bind_int64(s, 1, v[0]) || sqlite3_bind_int64(s, 2, v[1]))
        return done(s, -STORE_E_IO);
    int rc = exec_stmt(s);
    if (rc)
        return rc;
    return sqlite3_changes(c->db) == 1 ? 0 : -STORE_E_CONFLICT;
}

int store_user_totp_use(struct store *st, int64_t id, int64_t step)
{
    if (!st || id <= 0 || step < 0)
        return -STORE_E_INVALID;
    int64_t v[2] = {id, step};
    return run_write(st, op_user_totp_use, v, true);
}

static int mail_from_row(sqlite3_stmt *s, struct store_mail *m)
{
    memset(m, 0, sizeof *m);
    int rc = 0;
    m->id = sqlite3_column_int64(s, 0);
    rc |= col_copy(s, 1, m->to, sizeof m->to);
    rc |= col_copy(s, 2, m->subject, sizeof m->subject);
    m->body = strdup(col_str(s, 3));
    rc |= col_copy(s, 4, m->reference, sizeof m->reference);
    m->attempts = sqlite3_column_int(s, 5);
    m->next_attempt_at = sqlite3_column_int64(s, 6);
    rc |= col_copy(s, 7, m->status, sizeof m->status);
    rc |= col_copy(s, 8, m->last_error, sizeof m->last_error);
    return rc || !m->body ? -STORE_E_IO : 0;
}

struct claim_args {
    int64_t now;
    size_t max;
    struct store_mail *mails;
    size_t n;
};

static int op_outbox_claim(struct conn *c, void *arg)
{
    struct claim_args *a = arg;
    sqlite3_stmt *s = stmt(c, ST_MAIL_CLAIM);
    if (!s)
        return -STORE_E_IO;
    if (sqlite3_bind_int64(s, 1, a->now) || sqlite3_bind_int64(s, 2, (sqlite3_int64)a->max) ||
        sqlite3_bind_int64(s, 3, a->now - CLAIM_STALE_S))
        return done(s, -STORE_E_IO);
    int step, rc = 0;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (a->n >= a->max) {
            rc = -STORE_E_IO;
            break;
        }
        a->n++;
        if ((rc = mail_from_row(s, &a->mails[a->n - 1])))
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_err(step);
    return done(s, rc);
}

static int mail_cmp(const void *x, const void *y)
{
    const struct store_mail *a = x, *b = y;
    return (a->id > b->id) - (a->id < b->id);
}

int store_outbox_claim(struct store *st, int64_t now, size_t max, struct store_mail **mails,
                       size_t *n)
{
    if (mails)
        *mails = NULL;
    if (n)
        *n = 0;
    if (!st || !mails || !n)
        return -STORE_E_INVALID;
    if (max > LIST_MAX)
        max = LIST_MAX;
    if (max == 0)
        return 0;
    struct claim_args a = {now, max, calloc(max, sizeof *a.mails), 0};
    if (!a.mails)
        return -STORE_E_IO;
    int rc = run_write(st, op_outbox_claim, &a, true);
    if (rc) {
        store_mails_free(a.mails, a.n); /* the claims were rolled back */
        return rc;
    }
    if (a.n == 0) {
        free(a.mails);
        return 0;
    }
    /* RETURNING gives no order: oldest (lowest id) first. */
    qsort(a.mails, a.n, sizeof *a.mails, mail_cmp);
    *mails = a.mails;
    *n = a.n;
    return 0;
}

struct result_args {
    int64_t id;
    bool sent, give_up;
    int64_t next_attempt_at;
    const char *error;
};

static int op_outbox_result(struct conn *c, void *arg)
{
    struct result_args *a = arg;
    sqlite3_stmt *s = stmt(c, ST_MAIL_STATE);
    if (!s)
        return -STORE_E_IO;
    if (sqlite3_bind_int64(s, 1, a->id))
        return done(s, -STORE_E_IO);
    int rc = step_one(s, -STORE_E_NOT_FOUND);
    if (rc != 1)
        return rc;
    char reference[STORE_REF_MAX];
    rc = col_copy(s, 0, reference, sizeof reference);
    bool pending = strcmp(col_str(s, 1), "pending") == 0;
    int attempts = sqlite3_column_int(s, 2) + 1;
    done(s, 0);
    if (rc)
        return rc;
    if (!pending)
        return -STORE_E_BAD_STATUS; /* already sent or failed for good */
    const char *status = a->sent ? "sent" : a->give_up ? "failed" : "pending";
    int64_t now = now_s();
    if (!(s = stmt(c, ST_MAIL_RESULT)))
        return -STORE_E_IO;
    if (sqlite3_bind_int64(s, 1, a->id) || bind_text(s, 2, status) ||
        sqlite3_bind_int64(s, 3, a->next_attempt_at) || bind_text(s, 4, a->error) ||
        sqlite3_bind_int64(s, 5, now))
        return done(s, -STORE_E_IO);
    if ((rc = exec_stmt(s)))
        return rc;
    if (!a->sent && !a->give_up)
        return 0; /* a retry is not an event of the application */
    char *detail = json_text(json_pack("{s:I, s:i, s:s}", "mail_id", (json_int_t)a->id, "attempts",
                                       attempts, "error", a->error));
    if (!detail)
        return -STORE_E_IO;
    rc = audit_append(c, reference, "notify", a->sent ? "mail_sent" : "mail_failed", detail);
    free(detail);
    return rc;
}

int store_outbox_result(struct store *st, int64_t id, bool sent, bool give_up,
                        int64_t next_attempt_at, const char *error)
{
    struct store_mail probe;
    if (!st)
        return -STORE_E_INVALID;
    if (id <= 0)
        return -STORE_E_NOT_FOUND;
    /* Delivery errors come from elsewhere (SMTP): cut, not refused. */
    char err[sizeof probe.last_error];
    store_copy_trunc(err, sizeof err, sent ? "" : error);
    struct result_args a = {id, sent, give_up, next_attempt_at, err};
    return run_write(st, op_outbox_result, &a, true);
}

/* ---- share codes (minimal disclosure) ---- */

struct share_args {
    const char *code_hash, *visa_number, *reference;
    int64_t now, expires_at;
    const char *detail;
};

static int op_share_create(struct conn *c, void *arg)
{
    struct share_args *a = arg;
    struct store_visa v;
    int rc = visa_read(c, ST_VISA_GET, a->visa_number, &v);
    if (rc)
        return rc;
    if (strcmp(v.reference, a->reference) != 0)
        return -STORE_E_NOT_FOUND; /* the visa of another application */
    sqlite3_stmt *s = stmt(c, ST_SHARE_INSERT);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, a->code_hash) || bind_text(s, 2, a->visa_number) ||
        bind_text(s, 3, a->reference) || sqlite3_bind_int64(s, 4, a->now) ||
        sqlite3_bind_int64(s, 5, a->expires_at))
        return done(s, -STORE_E_IO);
    if ((rc = exec_stmt(s))) /* the hash exists: STORE_E_CONFLICT */
        return rc;
    return audit_append(c, a->reference, "applicant", "share_created", a->detail);
}

int store_share_create(struct store *st, const char *code_hash, const char *visa_number,
                       const char *reference, int64_t expires_at)
{
    struct store_share probe;
    if (!st)
        return -STORE_E_INVALID;
    int rc;
    if ((rc = check_text(code_hash, TOKEN_HASH_MAX, true, true)) ||
        (rc = check_text(visa_number, sizeof probe.visa_number - 1, true, true)) ||
        (rc = check_text(reference, STORE_REF_MAX - 1, true, true)))
        return rc;
    int64_t now = now_s();
    if (expires_at <= now)
        return -STORE_E_INVALID;
    char *detail = json_text(
        json_pack("{s:s, s:I}", "visa_number", visa_number, "expires_at", (json_int_t)expires_at));
    if (!detail)
        return -STORE_E_IO;
    struct share_args a = {code_hash, visa_number, reference, now, expires_at, detail};
    rc = run_write(st, op_share_create, &a, true);
    free(detail);
    return rc;
}

int store_share_lookup(struct store *st, const char *code_hash, int64_t now,
                       struct store_share *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!st || !out)
        return -STORE_E_INVALID;
    if (check_text(code_hash, TOKEN_HASH_MAX, true, true))
        return -STORE_E_NOT_FOUND;
    struct conn *c;
    int rc = pool_get(st, &c);
    if (rc)
        return rc;
    sqlite3_stmt *s = stmt(c, ST_SHARE_LOOKUP);
    if (!s) {
        rc = -STORE_E_IO;
    } else if (bind_text(s, 1, code_hash) || sqlite3_bind_int64(s, 2, now)) {
        rc = done(s, -STORE_E_IO);
    } else if ((rc = step_one(s, -STORE_E_NOT_FOUND)) == 1) {
        rc = col_copy(s, 0, out->code_hash, sizeof out->code_hash);
        if (rc == 0)
            rc = col_copy(s, 1, out->visa_number, sizeof out->visa_number);
        if (rc == 0)
            rc = col_copy(s, 2, out->reference, sizeof out->reference);
        out->created_at = sqlite3_column_int64(s, 3);
        out->expires_at = sqlite3_column_int64(s, 4);
        out->revoked = sqlite3_column_int(s, 5) != 0;
        rc = done(s, rc);
    }
    pool_put(st, c);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

/* ---- border crossings (entry, exit and stay) ---- */

static int64_t day_of(int64_t t)
{
    return t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
}

/* The calendar days (UTC) of a stay from entry time e to time t, at least 1. */
static int stay_len(int64_t e, int64_t t)
{
    int64_t d = day_of(t) - day_of(e) + 1;
    if (d < 1)
        d = 1;
    return d > INT32_MAX ? INT32_MAX : (int)d;
}

/* The stay after the crossings rows[0..n) (ordered by time), looked at t. */
static void stay_compute(const struct store_crossing *rows, size_t n, int entries, int stay_days,
                         int64_t t, struct store_crossing_state *out)
{
    out->entries_allowed = entries;
    out->stay_days = stay_days;
    out->entries_used = 0;
    out->inside = false;
    out->days_total = 0;
    int last = 0;
    int64_t e = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].direction, "entry") == 0) {
            out->entries_used++;
            out->inside = true;
            e = rows[i].at;
        } else if (out->inside) {
            last = stay_len(e, rows[i].at);
            out->days_total += last;
            out->inside = false;
        }
    }
    if (out->inside) {
        out->days_in_current_stay = stay_len(e, t);
        out->days_total += out->days_in_current_stay;
        out->overstay = stay_days > 0 && out->days_in_current_stay > stay_days;
        out->days_remaining = out->overstay ? 0 : stay_days - out->days_in_current_stay;
    } else {
        out->days_in_current_stay = last;
        out->overstay = stay_days > 0 && last > stay_days;
        out->days_remaining = entries == 0 || out->entries_used < entries ? stay_days : 0;
    }
}

static int crossing_from_row(sqlite3_stmt *s, struct store_crossing *x)
{
    memset(x, 0, sizeof *x);
    int rc = 0;
    rc |= col_copy(s, 0, x->crossing_id, sizeof x->crossing_id);
    rc |= col_copy(s, 1, x->visa_number, sizeof x->visa_number);
    rc |= col_copy(s, 2, x->direction, sizeof x->direction);
    x->at = sqlite3_column_int64(s, 3);
    rc |= col_copy(s, 4, x->post, sizeof x->post);
    x->officer_id = sqlite3_column_int64(s, 5);
    return rc ? -STORE_E_IO : 0;
}

/* The crossings of a visa, ordered by time; *rows malloc'd. */
static int crossings_load(struct conn *c, const char *visa_number, struct store_crossing **rows,
                          size_t *n)
{
    *rows = NULL;
    *n = 0;
    sqlite3_stmt *s = stmt(c, ST_CROSS_LIST);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, visa_number))
        return done(s, -STORE_E_IO);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            struct store_crossing *m = realloc(*rows, ncap * sizeof **rows);
            if (!m) {
                rc = -STORE_E_IO;
                break;
            }
            *rows = m;
            cap = ncap;
        }
        if (crossing_from_row(s, &(*rows)[*n])) {
            rc = -STORE_E_IO;
            break;
        }
        (*n)++;
    }
    rc = done(s, rc == SQLITE_DONE ? 0 : rc < 0 ? rc : db_err(rc));
    if (rc) {
        free(*rows);
        *rows = NULL;
        *n = 0;
    }
    return rc;
}

struct visa_terms {
    char state[4], status[12], valid_from[11], valid_until[11], passport[40];
    char reference[STORE_REF_MAX];
    int entries, stay_days;
};

static int terms_read(struct conn *c, const char *visa_number, struct visa_terms *t)
{
    memset(t, 0, sizeof *t);
    sqlite3_stmt *s = stmt(c, ST_CROSS_VISA);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, visa_number))
        return done(s, -STORE_E_IO);
    int rc = step_one(s, -STORE_E_NOT_FOUND);
    if (rc != 1)
        return rc;
    rc = 0;
    rc |= col_copy(s, 0, t->state, sizeof t->state);
    rc |= col_copy(s, 1, t->status, sizeof t->status);
    rc |= col_copy(s, 2, t->valid_from, sizeof t->valid_from);
    rc |= col_copy(s, 3, t->valid_until, sizeof t->valid_until);
    t->entries = sqlite3_column_int(s, 4);
    t->stay_days = sqlite3_column_int(s, 5);
    rc |= col_copy(s, 6, t->passport, sizeof t->passport);
    rc |= col_copy(s, 7, t->reference, sizeof t->reference);
    return done(s, rc ? -STORE_E_IO : 0);
}

struct crossing_args {
    const struct store_crossing *in;
    const struct store_crossing_rules *rules;
    struct store_crossing_state *out;
    bool *replayed;
    const char **reason;
    int64_t now;
};

static int op_crossing_record(struct conn *c, void *arg)
{
    struct crossing_args *a = arg;
    const struct store_crossing *in = a->in;
    sqlite3_stmt *s = stmt(c, ST_CROSS_GET);
    if (!s)
        return -STORE_E_IO;
    if (bind_text(s, 1, in->crossing_id))
        return done(s, -STORE_E_IO);
    int rc = step_one(s, 0);
    struct visa_terms t;
    if (rc == 1) { /* a replay: the stored answer */
        struct store_crossing old;
        if ((rc = crossing_from_row(s, &old)))
            return done(s, rc);
        struct store_crossing_state *o = a->out;
        o->entries_used = sqlite3_column_int(s, 6);
        o->days_in_current_stay = sqlite3_column_int(s, 7);
        o->days_total = sqlite3_column_int(s, 8);
        o->days_remaining = sqlite3_column_int(s, 9);
        o->overstay = sqlite3_column_int(s, 10) != 0;
        done(s, 0);
        if (strcmp(old.visa_number, in->visa_number) != 0 ||
            strcmp(old.direction, in->direction) != 0)
            return -STORE_E_CONFLICT;
        if ((rc = terms_read(c, old.visa_number, &t)))
            return rc;
        o->entries_allowed = t.entries;
        o->stay_days = t.stay_days;
        o->inside = strcmp(old.direction, "entry") == 0;
        *a->replayed = true;
        return 0;
    }
    if (rc)
        return rc;
    if ((rc = terms_read(c, in->visa_number, &t)))
        return rc;
    const struct store_crossing_rules *r = a->rules;
    if (r && ((r->state[0] && strcmp(r->state, t.state) != 0) ||
              (r->passport_number[0] && strcmp(r->passport_number, t.passport) != 0)))
        return -STORE_E_NOT_FOUND;
    if (strcmp(t.status, "valid") != 0) {
        *a->reason = strcmp(t.status, "revoked") == 0 ? "revoked" : "visa_not_valid";
        return -STORE_E_BAD_STATUS;
    }
    struct store_crossing *rows;
    size_t n;
    if ((rc = crossings_load(c, in->visa_number, &rows, &n)))
        return rc;
    struct store_crossing_state before = {0};
    stay_compute(rows, n, t.entries, t.stay_days, in->at, &before);
    bool entry = strcmp(in->direction, "entry") == 0;
    if (entry) {
        char date[16];
        time_t tt = (time_t)in->at;
        struct tm tm;
        if (!gmtime_r(&tt, &tm) || strftime(date, sizeof date, "%Y-%m-%d", &tm) != 10)
            *a->reason = "outside_validity";
        else if (strcmp(date, t.valid_from) < 0 || strcmp(date, t.valid_until) > 0)
            *a->reason = "outside_validity";
        else if (before.inside)
            *a->reason = "already_inside";
        else if (t.entries > 0 && before.entries_used >= t.entries)
            *a->reason = "no_entries_left";
    } else if (!before.inside) {
        *a->reason = "not_inside";
    }
    if (*a->reason) {
        free(rows);
        return -STORE_E_BAD_STATUS;
    }
    struct store_crossing *m = realloc(rows, (n + 1) * sizeof *rows);
    if (!m) {
        free(rows);
        return -STORE_E_IO;
    }
    rows = m;
    rows[n++] = *in; /* crossings recorded late sort before it: it is the latest here */
    stay_compute(rows, n, t.entries, t.stay_days, in->at, a->out);
    free(rows);
    struct store_crossing_state *o = a->out;
    if (!(s = stmt(c, ST_CROSS_INSERT)))
        return -STORE_E_IO;
    if (bind_text(s, 1, in->crossing_id) || bind_text(s, 2, in->visa_number) ||
        bind_text(s, 3, in->direction) || sqlite3_bind_int64(s, 4, in->at) ||
        bind_text(s, 5, in->post) || sqlite3_bind_int64(s, 6, in->officer_id) ||
        sqlite3_bind_int64(s, 7, a->now) || sqlite3_bind_int(s, 8, o->entries_used) ||
        sqlite3_bind_int(s, 9, o->days_in_current_stay) || sqlite3_bind_int(s, 10, o->days_total) ||
        sqlite3_bind_int(s, 11, o->days_remaining) || sqlite3_bind_int(s, 12, o->overstay ? 1 : 0))
        return done(s, -STORE_E_IO);
    if ((rc = exec_stmt(s)))
        return rc;
    char *detail = json_text(json_pack("{s:s, s:s, s:I, s:s, s:i}", "crossing_id", in->crossing_id,
                                       "visa_number", in->visa_number, "at", (json_int_t)in->at,
                                       "post", in->post, "entries_used", o->entries_used));
    if (!detail)
        return -STORE_E_IO;
    char actor[ACTOR_BUF];
    user_actor(actor, in->officer_id);
    rc = audit_append(c, t.reference, actor, entry ? "border_entry" : "border_exit", detail);
    free(detail);
    return rc;
}

int store_crossing_record(struct store *st, const struct store_crossing *in,
                          const struct store_crossing_rules *rules,
                          struct store_crossing_state *out, bool *replayed, const char **reason)
{
    const char *why = NULL;
    bool rep = false;
    if (reason)
        *reason = NULL;
    if (replayed)
        *replayed = false;
    if (out)
        memset(out, 0, sizeof *out);
    if (!st || !in || !out)
        return -STORE_E_INVALID;
    int rc;
    if ((rc = CHECK_FIELD(in->crossing_id, true)) || (rc = CHECK_FIELD(in->visa_number, true)) ||
        (rc = CHECK_FIELD(in->direction, true)) || (rc = CHECK_FIELD(in->post, false)))
        return rc;
    if (strcmp(in->direction, "entry") != 0 && strcmp(in->direction, "exit") != 0)
        return -STORE_E_INVALID;
    if (rules && ((rc = CHECK_FIELD(rules->state, false)) ||
                  (rc = CHECK_FIELD(rules->passport_number, false))))
        return rc;
    struct crossing_args a = {in, rules, out, &rep, &why, now_s()};
    rc = run_write(st, op_crossing_record, &a, true);
    if (rc) {
        memset(out, 0, sizeof *out);
        rep = false;
    } else {
        store_copy_trunc(out->crossing_id, sizeof out->crossing_id, in->crossing_id);
        store_copy_trunc(out->visa_number, sizeof out->visa_number, in->visa_number);
    }
    if (reason)
        *reason = rc == -STORE_E_BAD_STATUS ? why : NULL;
    if (replayed)
        *replayed = rep;
    return rc;
}

int store_crossings_of(struct store *st, const char *visa_number, struct store_crossing **rows,
                       size_t *n)
{
    if (rows)
        *rows = NULL;
    if (n)
        *n = 0;
    if (!st || !rows || !n)
        return -STORE_E_INVALID;
    if (check_text(visa_number, 15, true, true))
        return -STORE_E_NOT_FOUND;
    struct conn *c;
    int rc = pool_get(st, &c);
    if (rc)
        return rc;
    rc = crossings_load(c, visa_number, rows, n);
    pool_put(st, c);
    return rc;
}

int store_crossing_status(struct store *st, const char *visa_number, int64_t now,
                          struct store_crossing_state *out)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!st || !out)
        return -STORE_E_INVALID;
    if (check_text(visa_number, 15, true, true))
        return -STORE_E_NOT_FOUND;
    struct conn *c;
    int rc = pool_get(st, &c);
    if (rc)
        return rc;
    struct visa_terms t;
    struct store_crossing *rows = NULL;
    size_t n = 0;
    if ((rc = terms_read(c, visa_number, &t)) == 0 &&
        (rc = crossings_load(c, visa_number, &rows, &n)) == 0) {
        stay_compute(rows, n, t.entries, t.stay_days, now, out);
        store_copy_trunc(out->visa_number, sizeof out->visa_number, visa_number);
    }
    free(rows);
    pool_put(st, c);
    return rc;
}

int store_overstays(struct store *st, const char *state, int64_t now, size_t max,
                    struct store_overstay **rows, size_t *n)
{
    if (rows)
        *rows = NULL;
    if (n)
        *n = 0;
    if (!st || !rows || !n || max == 0 || max > 100000)
        return -STORE_E_INVALID;
    int rc = check_text(state, 3, true, true);
    if (rc)
        return rc;
    struct conn *c;
    if ((rc = pool_get(st, &c)))
        return rc;
    sqlite3_stmt *s = stmt(c, ST_CROSS_OVERSTAYS);
    if (!s) {
        rc = -STORE_E_IO;
    } else if (bind_text(s, 1, state) || sqlite3_bind_int64(s, 2, now) ||
               sqlite3_bind_int64(s, 3, (sqlite3_int64)max)) {
        rc = done(s, -STORE_E_IO);
    } else {
        struct store_overstay *out = calloc(max, sizeof *out);
        size_t k = 0;
        int step = SQLITE_DONE;
        if (!out)
            rc = -STORE_E_IO;
        while (out && k < max && (step = sqlite3_step(s)) == SQLITE_ROW) {
            if (col_copy(s, 0, out[k].visa_number, sizeof out[k].visa_number) ||
                col_copy(s, 1, out[k].reference, sizeof out[k].reference)) {
                rc = -STORE_E_IO;
                break;
            }
            out[k].entry_at = sqlite3_column_int64(s, 2);
            out[k].stay_days = sqlite3_column_int(s, 3);
            out[k].days_over = sqlite3_column_int(s, 4);
            k++;
        }
        if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
            rc = db_err(step);
        rc = done(s, rc);
        if (rc) {
            free(out);
        } else {
            *rows = out;
            *n = k;
        }
    }
    pool_put(st, c);
    return rc;
}
