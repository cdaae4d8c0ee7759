/*
 * migrations.c — the SQLite schema as numbered migrations, applied in order
 * on open (store_sqlite.c), each in its own transaction and recorded in
 * schema_migrations(version, applied_at).
 *
 * Migration N is never edited once released; add N+1.
 */
#include "store/store_priv.h"

const char *const store_migrations[] = {
    /* 1: the applicant portal (issue 4). */
    "CREATE TABLE applications ("
    "  id INTEGER PRIMARY KEY,"
    "  reference TEXT NOT NULL UNIQUE,"
    "  state TEXT NOT NULL,"
    "  visa_type TEXT NOT NULL,"
    "  track TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  lang TEXT NOT NULL,"
    "  token_hash TEXT NOT NULL,"
    "  passport_number TEXT NOT NULL DEFAULT '',"
    "  date_of_birth TEXT NOT NULL DEFAULT '',"
    "  fields_json TEXT NOT NULL DEFAULT '{}',"
    "  fee_minor INTEGER NOT NULL,"
    "  currency TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  submitted_at INTEGER NOT NULL DEFAULT 0,"
    "  deadline_at INTEGER NOT NULL DEFAULT 0,"
    "  version INTEGER NOT NULL DEFAULT 1"
    ");"
    "CREATE INDEX applications_lookup"
    "  ON applications(reference, passport_number, date_of_birth);"
    "CREATE INDEX applications_queue ON applications(status, submitted_at);"
    ""
    "CREATE TABLE idempotency_keys ("
    "  scope TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  request_hash TEXT NOT NULL,"
    "  reference TEXT NOT NULL REFERENCES applications(reference)"
    "    DEFERRABLE INITIALLY DEFERRED,"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (scope, key)"
    ");"
    ""
    "CREATE TABLE uploads ("
    "  id INTEGER PRIMARY KEY,"
    "  reference TEXT NOT NULL REFERENCES applications(reference),"
    "  kind TEXT NOT NULL,"
    "  mime TEXT NOT NULL,"
    "  width INTEGER NOT NULL,"
    "  height INTEGER NOT NULL,"
    "  data BLOB NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  UNIQUE (reference, kind)"
    ");"
    ""
    "CREATE TABLE payments ("
    "  id INTEGER PRIMARY KEY,"
    "  payment_id TEXT NOT NULL UNIQUE,"
    "  reference TEXT NOT NULL REFERENCES applications(reference),"
    "  idem_key TEXT NOT NULL,"
    "  provider TEXT NOT NULL,"
    "  provider_ref TEXT NOT NULL DEFAULT '',"
    "  amount_minor INTEGER NOT NULL,"
    "  currency TEXT NOT NULL,"
    "  status TEXT NOT NULL"
    "    CHECK (status IN ('pending', 'succeeded', 'declined', 'failed')),"
    "  decline_code TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  UNIQUE (reference, idem_key)"
    ");"
    /* Never two succeeded payments for one application. */
    "CREATE UNIQUE INDEX payments_one_success ON payments(reference)"
    "  WHERE status = 'succeeded';"
    ""
    "CREATE TABLE rate_limits ("
    "  key TEXT NOT NULL,"
    "  window_start INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL,"
    "  count INTEGER NOT NULL,"
    "  PRIMARY KEY (key, window_start)"
    ") WITHOUT ROWID;"
    "CREATE INDEX rate_limits_expiry ON rate_limits(expires_at);"
    ""
    /* Append-only, hash-chained (store_priv.h gives the canonical form). */
    "CREATE TABLE audit ("
    "  seq INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  reference TEXT NOT NULL DEFAULT '',"
    "  actor TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  detail_json TEXT NOT NULL,"
    "  prev_hash TEXT NOT NULL,"
    "  hash TEXT NOT NULL"
    ");"
    "CREATE INDEX audit_reference ON audit(reference, seq);"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",

    /* 2: the consular side (issue 5).
     *
     * users: officer accounts, one issuing state each; email stored lower
     *   case (UNIQUE); password_hash / totp_secret "" until enrolled;
     *   failed_logins counts consecutive failures, locked_until ends a
     *   lockout; sessions created before sessions_valid_after are void.
     * enrolment_tokens: the SHA-256 hex of each one-time enrolment token
     *   (never the token), used_at 0 until consumed.
     * sessions: keyed by the SHA-256 hex of the cookie value; expired rows
     *   are purged when new sessions are created.
     * decisions: one row per proposed decision; status pending (waiting for
     *   a second officer), final or rejected.  At most one pending decision
     *   per application (partial unique index).
     * visa_serials: the next visa serial number of each state; a row is
     *   only ever incremented, so a serial is never handed out twice.
     * visas: issued visas (one per application), the signed seal as a BLOB.
     * outbox: queued notifications; claimed_at marks a row handed to a
     *   worker (re-claimable once the claim is stale). */
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY,"
    "  email TEXT NOT NULL UNIQUE CHECK (email = lower(email)),"
    "  state TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'administrator')),"
    "  password_hash TEXT NOT NULL DEFAULT '',"
    "  totp_secret TEXT NOT NULL DEFAULT '',"
    "  enrolled INTEGER NOT NULL DEFAULT 0,"
    "  disabled INTEGER NOT NULL DEFAULT 0,"
    "  failed_logins INTEGER NOT NULL DEFAULT 0,"
    "  locked_until INTEGER NOT NULL DEFAULT 0,"
    "  sessions_valid_after INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL"
    ");"
    ""
    "CREATE TABLE enrolment_tokens ("
    "  token_hash TEXT PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  expires_at INTEGER NOT NULL,"
    "  used_at INTEGER NOT NULL DEFAULT 0"
    ") WITHOUT ROWID;"
    "CREATE INDEX enrolment_tokens_user ON enrolment_tokens(user_id);"
    ""
    "CREATE TABLE sessions ("
    "  id_hash TEXT PRIMARY KEY,"
    "  user_id INTEGER NOT NULL REFERENCES users(id),"
    "  csrf TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  last_seen INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE INDEX sessions_expiry ON sessions(expires_at);"
    ""
    "CREATE TABLE decisions ("
    "  id INTEGER PRIMARY KEY,"
    "  reference TEXT NOT NULL REFERENCES applications(reference),"
    "  decision TEXT NOT NULL CHECK (decision IN ('approve', 'refuse', 'request_info')),"
    "  reason_code TEXT NOT NULL DEFAULT '',"
    "  note TEXT NOT NULL DEFAULT '',"
    "  info_request TEXT NOT NULL DEFAULT '',"
    "  officer_id INTEGER NOT NULL REFERENCES users(id),"
    "  second_officer_id INTEGER NOT NULL DEFAULT 0,"
    "  status TEXT NOT NULL CHECK (status IN ('pending', 'final', 'rejected')),"
    "  created_at INTEGER NOT NULL,"
    "  decided_at INTEGER NOT NULL DEFAULT 0,"
    "  CHECK (second_officer_id = 0 OR second_officer_id <> officer_id)"
    ");"
    "CREATE UNIQUE INDEX decisions_one_pending ON decisions(reference)"
    "  WHERE status = 'pending';"
    "CREATE INDEX decisions_reference ON decisions(reference, status, decided_at);"
    ""
    "CREATE TABLE visa_serials ("
    "  state TEXT PRIMARY KEY,"
    "  next_serial INTEGER NOT NULL CHECK (next_serial > 0)"
    ") WITHOUT ROWID;"
    ""
    "CREATE TABLE visas ("
    "  id INTEGER PRIMARY KEY,"
    "  visa_number TEXT NOT NULL UNIQUE,"
    "  reference TEXT NOT NULL UNIQUE REFERENCES applications(reference),"
    "  state TEXT NOT NULL,"
    "  mrz_line1 TEXT NOT NULL,"
    "  mrz_line2 TEXT NOT NULL,"
    "  seal BLOB NOT NULL,"
    "  signer_cert_ref TEXT NOT NULL,"
    "  valid_from TEXT NOT NULL,"
    "  valid_until TEXT NOT NULL,"
    "  entries INTEGER NOT NULL,"
    "  stay_days INTEGER NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('valid', 'revoked')),"
    "  revoked_reason TEXT NOT NULL DEFAULT '',"
    "  issued_at INTEGER NOT NULL,"
    "  revoked_at INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX visas_state_status ON visas(state, status, revoked_at);"
    ""
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  reference TEXT NOT NULL DEFAULT '',"
    "  to_addr TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  body TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at INTEGER NOT NULL,"
    "  claimed_at INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL,"
    "  sent_at INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX outbox_due ON outbox(status, next_attempt_at, id);"
    ""
    /* The review queue of a state, by deadline. */
    "CREATE INDEX applications_state_queue ON applications(state, status, deadline_at);"
    "CREATE INDEX applications_passport ON applications(passport_number, created_at);",

    /* 3: the last TOTP time step accepted per user, so that a code cannot be
     * used twice (RFC 6238 §5.2). */
    "ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT -1;",

    /* 4: an index on every child column of a foreign key without one.  An
     * application row resolves the deferred key of its idempotency row;
     * without this index SQLite scanned the whole idempotency table on
     * every submission (found by bench/submit: the rate fell as it grew). */
    "CREATE INDEX idempotency_keys_reference ON idempotency_keys(reference);"
    "CREATE INDEX decisions_officer ON decisions(officer_id);",

    /* 5: share codes for minimal disclosure (issue 6): a hotel or carrier
     * with the code and the passport number learns only the visa's dates,
     * entries and status.  Only the SHA-256 of a code is stored. */
    "CREATE TABLE share_codes ("
    "  code_hash TEXT PRIMARY KEY,"
    "  visa_number TEXT NOT NULL REFERENCES visas(visa_number),"
    "  reference TEXT NOT NULL REFERENCES applications(reference),"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL,"
    "  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))"
    ") WITHOUT ROWID;"
    "CREATE INDEX share_codes_visa ON share_codes(visa_number);"
    "CREATE INDEX share_codes_reference ON share_codes(reference);",

    /* 6: entry, exit and stay (issue 6).
     *
     * users is rebuilt to allow the role 'border' (a CHECK constraint cannot
     * be altered in SQLite) as SQLite's ALTER TABLE guide says: migrations
     * run with foreign keys off and are checked before they commit.
     * crossings: one row per recorded entry or exit; crossing_id is chosen
     *   by the client so that an offline post's sync is idempotent; the
     *   result columns keep the answer given, so a replay returns it. */
    "CREATE TABLE users_v6 ("
    "  id INTEGER PRIMARY KEY,"
    "  email TEXT NOT NULL UNIQUE CHECK (email = lower(email)),"
    "  state TEXT NOT NULL,"
    "  role TEXT NOT NULL"
    "    CHECK (role IN ('officer', 'supervisor', 'administrator', 'border')),"
    "  password_hash TEXT NOT NULL DEFAULT '',"
    "  totp_secret TEXT NOT NULL DEFAULT '',"
    "  enrolled INTEGER NOT NULL DEFAULT 0,"
    "  disabled INTEGER NOT NULL DEFAULT 0,"
    "  failed_logins INTEGER NOT NULL DEFAULT 0,"
    "  locked_until INTEGER NOT NULL DEFAULT 0,"
    "  sessions_valid_after INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  totp_last_step INTEGER NOT NULL DEFAULT -1"
    ");"
    "INSERT INTO users_v6 (id, email, state, role, password_hash, totp_secret, enrolled,"
    "  disabled, failed_logins, locked_until, sessions_valid_after, created_at, totp_last_step)"
    "  SELECT id, email, state, role, password_hash, totp_secret, enrolled, disabled,"
    "  failed_logins, locked_until, sessions_valid_after, created_at, totp_last_step FROM users;"
    "DROP TABLE users;"
    "ALTER TABLE users_v6 RENAME TO users;"
    ""
    "CREATE TABLE crossings ("
    "  crossing_id TEXT PRIMARY KEY,"
    "  visa_number TEXT NOT NULL REFERENCES visas(visa_number),"
    "  direction TEXT NOT NULL CHECK (direction IN ('entry', 'exit')),"
    "  at INTEGER NOT NULL,"
    "  post TEXT NOT NULL DEFAULT '',"
    "  officer_id INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  entries_used INTEGER NOT NULL,"
    "  days_in_stay INTEGER NOT NULL,"
    "  days_total INTEGER NOT NULL,"
    "  days_remaining INTEGER NOT NULL,"
    "  overstay INTEGER NOT NULL CHECK (overstay IN (0, 1))"
    ");"
    "CREATE INDEX crossings_visa ON crossings(visa_number, at);",
};

const size_t store_migrations_count = sizeof store_migrations / sizeof store_migrations[0];
