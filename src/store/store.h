/*
 * store.h — the one interface to persistent state.  store_sqlite.c is the
 * embedded backend; a PostgreSQL backend (store_pg.c) can follow without
 * changing callers: nothing here exposes SQLite types, SQL or rowids, times
 * are Unix seconds (UTC), and every operation that changes an application
 * also appends its audit entry in the same transaction.
 *
 * Thread safety: a struct store may be used from many threads at once.
 * Every write that returns 0 has been committed durably (fsync'd) before the
 * call returns: callers may acknowledge it to a user.
 *
 * Returns: 0 on success, or a negative enum store_err.
 */
#ifndef EVISA_STORE_H
#define EVISA_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum store_err {
    STORE_OK = 0,
    STORE_E__BASE = 300,
    STORE_E_NOT_FOUND,     /* no such row */
    STORE_E_CONFLICT,      /* version / status changed underneath (retry or report) */
    STORE_E_BAD_STATUS,    /* the transition is not allowed from the current status */
    STORE_E_IDEM_MISMATCH, /* idempotency key reused with a different request */
    STORE_E_TOO_LARGE,     /* a value over its limit */
    STORE_E_BUSY,          /* the database stayed locked past the timeout */
    STORE_E_IO,            /* the database failed (disk, corruption) */
    STORE_E_INVALID,       /* a missing or malformed argument (caller bug) */
    STORE_E__MAX
};
/* Stable lower_snake_case name of a code (either sign); "unknown" if none. */
const char *store_err_code(int err);
/* English message for people and logs; never NULL. */
const char *store_err_message(int err);

struct store;

/* Opens (creating if needed) the store at path (a file for SQLite, e.g.
 * "var/evisa.db") and applies the numbered migrations that are not yet
 * applied, each in its own transaction.  0 or a negative store_err. */
int store_open(const char *path, struct store **out);

/* Tuning for store_open_opts; zero fields take the defaults. */
struct store_opts {
    int busy_timeout_ms; /* how long a write waits for another process's lock; default 5000 */
    int max_conns;       /* connections in the pool (one per concurrent caller); default 32 */
    /* Writes are queued in arrival order and run by one thread at a time.
     * max_batch 1 (default): each write is its own transaction and fsync.
     * max_batch > 1 (group commit): up to that many queued writes share one
     * transaction (each in its own savepoint, so one failing write does not
     * affect the others) and one fsync; nobody returns before the commit.
     * When 0, the environment variable EVISA_STORE_MAX_BATCH (if set)
     * gives it, else 1.  At most 256. */
    int max_batch;
};
int store_open_opts(const char *path, const struct store_opts *opts, struct store **out);

/* Waits for in-flight writes and closes cleanly (WAL checkpointed). */
void store_close(struct store *st);

#define STORE_REF_MAX 24
#define STORE_ID_MAX 40

struct store_app {
    char reference[STORE_REF_MAX];
    char state[4];
    char visa_type[32];
    char track[16];
    char status[20];          /* app_status_names[] value */
    char lang[4];             /* "en", "az", "ur" */
    char token_hash[65];      /* SHA-256 hex of the access token */
    char passport_number[16]; /* normalised; "" until given (for status lookup) */
    char date_of_birth[11];   /* YYYY-MM-DD; "" until given */
    char *fields_json;        /* owned: the field values as a JSON object */
    int64_t fee_minor;
    char currency[4];
    int64_t created_at, updated_at, submitted_at, deadline_at; /* 0 = not yet */
    int version;                                               /* increases on every change */
};

/* Frees what a store_app owns (fields_json); the struct itself is the caller's. */
void store_app_clear(struct store_app *a);

/* Creates an application (status "draft") and its audit entry.  With an
 * idempotency key, a second call with the same key and the same
 * request_hash returns the first application (*replayed = true) instead of
 * creating another; the same key with a different request_hash gives
 * STORE_E_IDEM_MISMATCH.  *out receives the stored row. */
int store_app_create(struct store *st, const struct store_app *in, const char *idem_key,
                     const char *request_hash, struct store_app *out, bool *replayed);

int store_app_get(struct store *st, const char *reference, struct store_app *out);

/* Replaces the field values (and the lookup columns passport_number,
 * date_of_birth, lang) if the row is still at expected_version and its
 * status is one of allowed_statuses (NULL-terminated names).  Audit entry
 * "fields_updated" by actor.  STORE_E_CONFLICT / STORE_E_BAD_STATUS. */
int store_app_update_fields(struct store *st, const char *reference, int expected_version,
                            const char *const *allowed_statuses, const struct store_app *in,
                            const char *actor, struct store_app *out);

/* Moves an application from status `from` to `to` (the caller has checked
 * the state machine), sets submitted_at/deadline_at when non-zero, and
 * appends the audit entry (action, actor, detail JSON) — one transaction.
 * STORE_E_BAD_STATUS when the current status is not `from`. */
int store_app_transition(struct store *st, const char *reference, const char *from, const char *to,
                         int64_t submitted_at, int64_t deadline_at, const char *actor,
                         const char *action, const char *detail_json);

/* Status lookup: the application whose reference, passport number and date
 * of birth all match, else STORE_E_NOT_FOUND (same answer for every miss). */
int store_app_lookup(struct store *st, const char *reference, const char *passport_number,
                     const char *date_of_birth, struct store_app *out);

/* Uploaded documents, already decoded, checked and re-encoded by the caller. */
struct store_upload {
    char kind[20]; /* "photo", "passport_page" */
    char mime[24]; /* "image/jpeg" */
    int width, height;
    uint8_t *data; /* owned by the store_upload after store_upload_get */
    size_t len;
    int64_t created_at;
};
/* Replaces the document of that kind (audit "upload_<kind>"). */
int store_upload_put(struct store *st, const char *reference, const struct store_upload *up,
                     const char *actor);
int store_upload_get(struct store *st, const char *reference, const char *kind,
                     struct store_upload *out);
void store_upload_clear(struct store_upload *up);
/* Which kinds exist for an application: bit i set for kinds[i]; kinds is
 * NULL-terminated. */
int store_upload_kinds(struct store *st, const char *reference, const char *const *kinds,
                       unsigned *mask);

/* Payments.  A payment is created once per (application, idempotency key). */
enum store_pay_status { PAY_PENDING, PAY_SUCCEEDED, PAY_DECLINED, PAY_FAILED, PAY__MAX };
extern const char *const store_pay_status_names[PAY__MAX];

struct store_payment {
    char payment_id[STORE_ID_MAX]; /* ours, random: "pay_..." */
    char reference[STORE_REF_MAX];
    char provider[16];     /* "test" */
    char provider_ref[64]; /* the provider's id, "" until known */
    int64_t amount_minor;
    char currency[4];
    enum store_pay_status status;
    char decline_code[32];
    int64_t created_at, updated_at;
};

/* Creates a pending payment, or returns the existing one for the same
 * (reference, idem_key) with *replayed = true.  Refuses (STORE_E_BAD_STATUS)
 * when the application already has a succeeded payment. */
int store_payment_begin(struct store *st, const char *reference, const char *idem_key,
                        const struct store_payment *in, struct store_payment *out, bool *replayed);

int store_payment_get(struct store *st, const char *payment_id, struct store_payment *out);

/* Records the provider's outcome for a pending payment.  Exactly once: a
 * payment that is no longer pending is left alone (*applied = false).  When
 * the outcome is PAY_SUCCEEDED and the application is a draft, the
 * application becomes "submitted" with submitted_at/deadline_at in the same
 * transaction, with audit entries for both. */
int store_payment_complete(struct store *st, const char *payment_id, enum store_pay_status outcome,
                           const char *provider_ref, const char *decline_code, int64_t submitted_at,
                           int64_t deadline_at, bool *applied);

/* Fixed-window rate limit: counts a hit for key in the window containing
 * now; *allowed = false once more than limit hits fall in the window.
 * Counters are the one exception to durability: a hit alone is committed
 * without fsync (a crash may forget the latest hits, never corrupt them). */
int store_rate_hit(struct store *st, const char *key, int window_s, int limit, int64_t now,
                   bool *allowed);

/* Audit log: append-only and hash-chained (each entry carries the SHA-256 of
 * the previous entry and of its own content). */
int store_audit_append(struct store *st, const char *reference, const char *actor,
                       const char *action, const char *detail_json);
/* Walks the chain; 0 when intact, else STORE_E_CONFLICT and *bad_seq is the
 * sequence number of the first entry whose link is broken. */
int store_audit_verify(struct store *st, int64_t *bad_seq, int64_t *entries);

/* ==== Consular side (issue 5): officers, sessions, the review queue,
 * decisions, issued visas, revocations and the notification outbox. ===== */

#define STORE_EMAIL_MAX 128

struct store_user {
    int64_t id;
    char email[STORE_EMAIL_MAX]; /* lower case, unique */
    char state[4];               /* the issuing state this account works for */
    char role[16];               /* "officer", "supervisor", "administrator" */
    char password_hash[160];     /* Argon2id encoded string; "" until enrolled */
    char totp_secret[64];        /* base32 TOTP secret; "" until enrolled */
    bool enrolled, disabled;
    int failed_logins;
    int64_t locked_until;         /* 0 or the Unix time the lockout ends */
    int64_t sessions_valid_after; /* sessions created before this are void (logout everywhere) */
    int64_t created_at;
};

/* Creates a user that must enrol: the enrolment token's SHA-256 hex and its
 * expiry are stored (never the token).  Unique email; audit "user_created".
 * STORE_E_CONFLICT when the email exists. */
int store_user_create(struct store *st, const struct store_user *in, const char *enrol_token_hash,
                      int64_t enrol_expires_at, const char *actor, struct store_user *out);
int store_user_get(struct store *st, int64_t id, struct store_user *out);
int store_user_get_by_email(struct store *st, const char *email, struct store_user *out);
/* Consumes an unexpired enrolment token once: sets the password hash and
 * TOTP secret, enrolled = true.  STORE_E_NOT_FOUND for an unknown, used or
 * expired token.  Audit "user_enrolled". */
int store_user_enrol(struct store *st, const char *enrol_token_hash, const char *password_hash,
                     const char *totp_secret, int64_t now, struct store_user *out);
/* Counts a failed login; after `lock_after` consecutive failures the account
 * is locked for lock_seconds (audit "login_locked"). */
int store_user_login_failed(struct store *st, int64_t id, int64_t now, int lock_after,
                            int lock_seconds);
/* Resets the failure count (audit "login"). */
int store_user_login_ok(struct store *st, int64_t id, const char *remote_ip);
/* Records that the TOTP time step `step` was used by the user; a step not
 * later than the last one recorded is refused with STORE_E_CONFLICT (a
 * replayed code). */
int store_user_totp_use(struct store *st, int64_t id, int64_t step);
/* Voids every session of the user (audit "logout_everywhere"). */
int store_user_logout_everywhere(struct store *st, int64_t id, int64_t now);

struct store_session {
    char id_hash[65]; /* SHA-256 hex of the session cookie value */
    int64_t user_id;
    char csrf[48]; /* the session's CSRF token */
    int64_t created_at, last_seen, expires_at;
};
int store_session_create(struct store *st, const struct store_session *in);
/* The live session (not expired, not voided by logout everywhere, user not
 * disabled); STORE_E_NOT_FOUND otherwise. */
int store_session_get(struct store *st, const char *id_hash, int64_t now, struct store_session *out,
                      struct store_user *user);
int store_session_touch(struct store *st, const char *id_hash, int64_t now, int64_t expires_at);
int store_session_delete(struct store *st, const char *id_hash);

/* The review queue of one state: applications in the given statuses
 * (NULL-terminated names), earliest deadline first, at most max rows from
 * offset.  *rows is malloc'd; free with store_apps_free. */
int store_queue(struct store *st, const char *state, const char *const *statuses, size_t offset,
                size_t max, struct store_app **rows, size_t *n);
/* Earlier applications with the same passport number (any state the caller
 * may see is filtered by the caller), newest first, excluding `reference`. */
int store_apps_by_passport(struct store *st, const char *passport_number, const char *reference,
                           size_t max, struct store_app **rows, size_t *n);
void store_apps_free(struct store_app *rows, size_t n);

/* A decision an officer proposes; with four-eyes it waits for a second
 * officer (status "pending"), otherwise it is final at once. */
struct store_decision {
    int64_t id;
    char reference[STORE_REF_MAX];
    char decision[16];      /* "approve", "refuse", "request_info" */
    char reason_code[32];   /* refusals: a code of the state's list */
    char note[512];         /* internal, never shown to the applicant */
    char info_request[512]; /* request_info: what the applicant must fix (JSON list) */
    int64_t officer_id;
    int64_t second_officer_id; /* 0 until confirmed */
    char status[16];           /* "pending", "final", "rejected" */
    int64_t created_at, decided_at;
};
/* Records a decision on an application that is in `from_status`; if
 * needs_second, the decision is "pending" and the application stays;
 * otherwise the application moves to `to_status` in the same transaction.
 * Exactly one concurrent decision wins: the loser gets STORE_E_BAD_STATUS
 * (another decision already moved it) or STORE_E_CONFLICT (a pending
 * decision exists).  Audit "decision_<decision>" / "decision_proposed". */
int store_decision_propose(struct store *st, const struct store_decision *in, bool needs_second,
                           const char *from_status, const char *to_status,
                           struct store_decision *out);
/* Confirms (or rejects) a pending decision by a second officer who is not
 * the proposer (STORE_E_CONFLICT if the same officer); on confirmation the
 * application moves from from_status to to_status in the same transaction. */
int store_decision_confirm(struct store *st, int64_t decision_id, int64_t second_officer_id,
                           bool confirm, const char *from_status, const char *to_status,
                           struct store_decision *out);
/* The pending decision of an application, or STORE_E_NOT_FOUND. */
int store_decision_pending(struct store *st, const char *reference, struct store_decision *out);
/* The last final decision of an application, or STORE_E_NOT_FOUND. */
int store_decision_last(struct store *st, const char *reference, struct store_decision *out);

/* An issued visa. */
struct store_visa {
    char visa_number[16]; /* e.g. "AZ0001234": 9 characters of the MRZ document number */
    char reference[STORE_REF_MAX];
    char state[4];
    char mrz_line1[45], mrz_line2[45];
    uint8_t seal[1600]; /* the signed VDS bytes */
    size_t seal_len;
    char signer_cert_ref[40];             /* signer id + cert ref, e.g. "AZEV1F4A" */
    char valid_from[11], valid_until[11]; /* YYYY-MM-DD */
    int entries;                          /* 0 = multiple */
    int stay_days;
    char status[12]; /* "valid", "revoked" */
    char revoked_reason[256];
    int64_t issued_at, revoked_at;
};
/* Reserves the next visa serial number of a state (monotonic, never reused). */
int store_visa_next_serial(struct store *st, const char *state, int64_t *serial);
/* Stores the visa and moves the application approved -> issued, with audit
 * "visa_issued" — one transaction.  STORE_E_BAD_STATUS if not approved. */
int store_visa_issue(struct store *st, const struct store_visa *v, const char *actor);
int store_visa_get_by_reference(struct store *st, const char *reference, struct store_visa *out);
int store_visa_get(struct store *st, const char *visa_number, struct store_visa *out);
/* Marks a valid visa revoked with a reason; the application becomes
 * "revoked" (audit "visa_revoked").  STORE_E_BAD_STATUS if not valid. */
int store_visa_revoke(struct store *st, const char *visa_number, const char *reason,
                      const char *actor, int64_t now);
/* Revoked visa numbers of a state (for the revocation list), malloc'd array
 * of 16-byte strings; free() it. */
int store_visa_revoked(struct store *st, const char *state, char (**numbers)[16], size_t *n);

/* Outbox of notifications: each application status change queues one mail
 * in the applicant's language in the same transaction as the change
 * (see store_app_transition_mail). */
struct store_mail {
    int64_t id;
    char to[STORE_EMAIL_MAX];
    char subject[256];
    char *body; /* owned, UTF-8 text */
    char reference[STORE_REF_MAX];
    int attempts;
    int64_t next_attempt_at;
    char status[12]; /* "pending", "sent", "failed" */
    char last_error[160];
};
/* As store_app_transition, and queues mail (if not NULL) in the same
 * transaction. */
int store_app_transition_mail(struct store *st, const char *reference, const char *from,
                              const char *to, int64_t submitted_at, int64_t deadline_at,
                              const char *actor, const char *action, const char *detail_json,
                              const struct store_mail *mail);
/* Queues a mail on its own (for changes made by other store calls that take
 * no mail, e.g. decisions); written right after the change it reports. */
int store_outbox_enqueue(struct store *st, const char *reference, const struct store_mail *mail);
/* Claims up to max pending mails due at now (they are not handed out again
 * until released), oldest first; *mails is malloc'd (free bodies with
 * store_mails_free). */
int store_outbox_claim(struct store *st, int64_t now, size_t max, struct store_mail **mails,
                       size_t *n);
/* After a delivery attempt: sent, or retry at next_attempt_at, or failed
 * for good after the caller's maximum attempts. */
int store_outbox_result(struct store *st, int64_t id, bool sent, bool give_up,
                        int64_t next_attempt_at, const char *error);
void store_mails_free(struct store_mail *mails, size_t n);

/* ==== Minimal disclosure (issue 6): share codes. =========================
 * A visa holder makes a short-lived code that lets a hotel or carrier,
 * together with the passport number, learn only the visa's dates, entries
 * and status.  Only the SHA-256 hex of a code is ever stored. */
struct store_share {
    char code_hash[65]; /* SHA-256 hex of the normalised code */
    char visa_number[16];
    char reference[STORE_REF_MAX];
    int64_t created_at, expires_at;
    bool revoked;
};
/* Stores a share code for the visa visa_number of application reference
 * (which must exist and belong together: else STORE_E_NOT_FOUND), valid
 * until expires_at (later than now, else STORE_E_INVALID); audit
 * "share_created" (visa number and expiry, never the code).
 * STORE_E_CONFLICT when the hash exists (the caller draws a new code). */
int store_share_create(struct store *st, const char *code_hash, const char *visa_number,
                       const char *reference, int64_t expires_at);
/* The share code with that hash if it is unexpired at now and not revoked;
 * STORE_E_NOT_FOUND otherwise (the same answer for every miss). */
int store_share_lookup(struct store *st, const char *code_hash, int64_t now,
                       struct store_share *out);

/* ==== Entry, exit and stay (issue 6): border crossings. =================
 * A border user records entries and exits against a visa; the store
 * enforces the number of entries and the validity dates, and counts the
 * days of stay in calendar days (UTC): a stay from an entry at time e,
 * looked at time t, has lasted t/86400 - e/86400 + 1 days. */
#define STORE_CROSSING_ID_MAX 64

struct store_crossing {
    char crossing_id[STORE_CROSSING_ID_MAX + 1]; /* client-chosen, unique */
    char visa_number[16];
    char direction[8]; /* "entry", "exit" */
    int64_t at;        /* Unix time of the crossing */
    char post[64];     /* the border post */
    int64_t officer_id;
};

/* What the recording user may do: the visa must be of `state` and its
 * application's passport number must equal passport_number (either
 * check is skipped when ""); a visa failing either is STORE_E_NOT_FOUND. */
struct store_crossing_rules {
    char state[4];
    char passport_number[24];
};

/* The stay of a visa after a crossing (or at a point in time). */
struct store_crossing_state {
    char crossing_id[STORE_CROSSING_ID_MAX + 1];
    char visa_number[16];
    int entries_used;
    int entries_allowed; /* 0 = unlimited */
    int stay_days;       /* allowed per entry */
    bool inside;
    int days_in_current_stay; /* 0 when outside after an exit: the last stay's length */
    int days_total;           /* over every stay */
    int days_remaining;       /* of the current (or next) stay */
    bool overstay;
};

/* Records one crossing in one transaction.  An existing crossing_id returns
 * its stored result with *replayed = true (STORE_E_CONFLICT if it was for
 * another visa or direction).  Otherwise the visa must exist
 * (STORE_E_NOT_FOUND, also for the rules' misses) and the crossing is
 * refused with STORE_E_BAD_STATUS and *reason (a static string) one of:
 *   "revoked"           the visa is revoked
 *   "visa_not_valid"    any other non-valid status
 *   "outside_validity"  an entry whose UTC date is outside valid_from..valid_until
 *   "already_inside"    an entry while inside
 *   "no_entries_left"   an entry when every allowed entry is used
 *   "not_inside"        an exit while outside
 * Else it is stored (audit "border_entry" / "border_exit") and *out is
 * the stay after it.  reason may be NULL. */
int store_crossing_record(struct store *st, const struct store_crossing *in,
                          const struct store_crossing_rules *rules,
                          struct store_crossing_state *out, bool *replayed, const char **reason);

/* The crossings of a visa, oldest first; *rows is malloc'd (free()). */
int store_crossings_of(struct store *st, const char *visa_number, struct store_crossing **rows,
                       size_t *n);
/* The stay of a visa as of now (overstay judged at now). */
int store_crossing_status(struct store *st, const char *visa_number, int64_t now,
                          struct store_crossing_state *out);

/* A visa whose holder is inside past the allowed stay. */
struct store_overstay {
    char visa_number[16];
    char reference[STORE_REF_MAX];
    int64_t entry_at;
    int stay_days;
    int days_over; /* days in the country beyond stay_days at now */
};
/* The overstays of a state at now, longest first, at most max rows;
 * *rows is malloc'd (free()). */
int store_overstays(struct store *st, const char *state, int64_t now, size_t max,
                    struct store_overstay **rows, size_t *n);

#endif
