/*
 * store_priv.h — what the store backends share and callers never see: the
 * numbered schema migrations and the canonical hash of an audit entry.
 */
#ifndef EVISA_STORE_PRIV_H
#define EVISA_STORE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Migration N (1-based) is store_migrations[N - 1]: SQL text run in one
 * transaction.  Never edit a released migration; append N+1. */
extern const char *const store_migrations[];
extern const size_t store_migrations_count;

#define STORE_AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* The hash of one audit entry, 64 lower-case hex characters + NUL:
 *   SHA-256( prev_hash "\n" seq "\n" at "\n" reference "\n" actor "\n"
 *            action "\n" detail_json )
 * with seq and at in decimal (no sign for non-negative values, no
 * padding), text fields as stored (UTF-8, reference "" when the entry has
 * none), no trailing newline.  prev_hash is the previous entry's hash, or
 * STORE_AUDIT_GENESIS (64 zeros) for the first entry.  reference, actor and
 * action may not contain control characters (so the form is unambiguous);
 * detail_json comes last and may contain anything.  0, or -1 if the
 * digest fails. */
int store_audit_hash(const char *prev_hash, int64_t seq, int64_t at, const char *reference,
                     const char *actor, const char *action, const char *detail_json, char out[65]);

/* The stored form of an email address: out receives it lower-cased
 * (ASCII).  -STORE_E_INVALID when it is empty, holds a control character or
 * a space, or has no '@' inside; -STORE_E_TOO_LARGE when it does not fit
 * in cap bytes with its NUL. */
int store_email_norm(const char *email, char *out, size_t cap);

/* True for "officer", "supervisor", "administrator", "border". */
bool store_role_valid(const char *role);
/* True for "approve", "refuse", "request_info". */
bool store_decision_valid(const char *decision);

/* Copies src into dst[cap] (cap > 0), cut at a UTF-8 character boundary
 * when too long; NULL copies "". */
void store_copy_trunc(char *dst, size_t cap, const char *src);

#endif
