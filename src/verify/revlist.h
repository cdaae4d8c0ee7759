/*
 * revlist.h — a State's signed revocation list of visas, compact enough for
 * phones and offline border posts (docs/verify.md, "Revocation lists").
 *
 * Binary format, version 1 (all integers big-endian):
 *
 *   off  size  field
 *     0     4  magic "EVRL"
 *     4     1  version = 1
 *     5     3  issuing State, ICAO code padded with '<' ("AZE", "PAK", "D<<")
 *     8     8  issued: Unix seconds (0 .. REVLIST_TIME_MAX)
 *    16     8  next_update: Unix seconds, > issued, <= REVLIST_TIME_MAX
 *    24     4  count of visa numbers, 0 .. REVLIST_MAX
 *    28  9*count  visa numbers (MRZ document numbers, 9 characters A-Z 0-9 <,
 *               shorter numbers padded with '<'), strictly ascending (bytewise)
 *   +0      1  signature length L: even, 2 .. SEAL_SIG_MAX
 *   +1      L  ECDSA signature r || s (as in seals, crypto/seal_sig.h: hash
 *               by curve size) by one of the State's CSCA keys over every
 *               byte before it (magic through the length byte)
 *
 * Nothing may follow the signature.  A parsed list owns a copy of the bytes;
 * release it with revlist_free.  Functions return 0 or the negative of an
 * enum trust_err code (verify/trust_err.h).
 */
#ifndef EVISA_REVLIST_H
#define EVISA_REVLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "verify/trust_err.h"

#define REVLIST_MAGIC "EVRL"
#define REVLIST_VERSION 1
#define REVLIST_NUMBER_LEN 9          /* MRZ document number */
#define REVLIST_HEADER_LEN 28         /* magic .. count */
#define REVLIST_MAX 100000u           /* visa numbers in one list (900 kB) */
#define REVLIST_TIME_MAX 253402300799 /* 9999-12-31T23:59:59Z */
#define REVLIST_SKEW 300              /* seconds a list may come from the future */
#define REVLIST_FILE_MAX (REVLIST_HEADER_LEN + (size_t)REVLIST_MAX * REVLIST_NUMBER_LEN + 1 + 132)

struct revlist {
    char state[4];       /* ICAO code without padding, NUL-terminated: "AZE", "D" */
    int64_t issued;      /* Unix seconds */
    int64_t next_update; /* Unix seconds */
    size_t count;        /* visa numbers */
    const char *numbers; /* count * 9 characters (not NUL-terminated), into raw */
    const uint8_t *sig;  /* r || s, into raw */
    size_t sig_len;
    size_t signed_len; /* bytes of raw covered by the signature */
    uint8_t *raw;      /* owned copy of the whole encoding */
    size_t raw_len;
};

/* Builds and signs a list.  `state` is an ICAO code of 1-3 letters A-Z
 * ("AZE", "D"); numbers[i] are NUL-terminated visa numbers of 1-9 characters
 * A-Z 0-9 < (padded with '<' to 9), in any order; duplicates are dropped.
 * csca_key is the State's CSCA EC private key (borrowed).  On success *out is
 * a malloc'd encoding of *len bytes (caller frees).  Returns 0,
 * -TRUST_E_BAD_STATE, -TRUST_E_BAD_TIME (issued < 0, next_update <= issued,
 * or after REVLIST_TIME_MAX), -TRUST_E_BAD_NUMBER, -TRUST_E_TOO_MANY (n over
 * REVLIST_MAX), -TRUST_E_BAD_KEY, -TRUST_E_INTERNAL. */
int revlist_build(const char *state, time_t issued, time_t next_update, const char (*numbers)[16],
                  size_t n, EVP_PKEY *csca_key, uint8_t **out, size_t *len);

/* Parses the format above strictly (every field checked, nothing trailing,
 * at most REVLIST_FILE_MAX bytes) into *rl, which then owns a copy of the
 * data (revlist_free it).  Does NOT check the signature: see revlist_verify.
 * On failure *rl is left empty (revlist_free is still safe).  Returns 0,
 * -TRUST_E_TOO_LARGE, -TRUST_E_TRUNCATED, -TRUST_E_BAD_MAGIC,
 * -TRUST_E_UNSUPPORTED_VERSION, -TRUST_E_BAD_STATE, -TRUST_E_BAD_TIME,
 * -TRUST_E_TOO_MANY, -TRUST_E_BAD_NUMBER, -TRUST_E_NOT_SORTED,
 * -TRUST_E_BAD_SIG_LENGTH, -TRUST_E_TRAILING_DATA, -TRUST_E_INTERNAL. */
int revlist_parse(const uint8_t *data, size_t len, struct revlist *rl);

/* Releases what revlist_parse allocated and empties *rl (NULL is fine). */
void revlist_free(struct revlist *rl);

/* Checks a parsed list: when `state` is not NULL the list must be that
 * State's (-TRUST_E_STATE_MISMATCH); then its signature must verify with
 * the public key of one of the CSCA certificates in `cscas` (normally
 * trust_store_for(trust, state)).  Certificate dates are not checked: the
 * issue time is signed by the same key, so comparing them proves nothing;
 * freshness is revlist_fresh's job.  *which (may be NULL) receives that certificate, borrowed from
 * the store. Returns 0, -TRUST_E_STATE_MISMATCH, -TRUST_E_NO_CSCA (cscas NULL or without
 * certificates), -TRUST_E_SIGNATURE_INVALID, -TRUST_E_INTERNAL. */
int revlist_verify(const struct revlist *rl, const char *state, X509_STORE *cscas, X509 **which);

/* The same against one CSCA certificate.  Returns 0, -TRUST_E_SIGNATURE_INVALID, -TRUST_E_INTERNAL.
 */
int revlist_verify_cert(const struct revlist *rl, X509 *csca);

/* Whether the visa number (1-9 characters; padded with '<' to 9 before the
 * comparison, so "AB123" and "AB123<<<<" are the same) is on the list.
 * Binary search; false for NULL or an impossible number. */
bool revlist_contains(const struct revlist *rl, const char *visa_number);

/* Freshness at `now`: 0 when issued <= now + REVLIST_SKEW and
 * now <= next_update; -TRUST_E_STALE when now > next_update;
 * -TRUST_E_NOT_YET_VALID when issued is more than REVLIST_SKEW seconds
 * after now. */
int revlist_fresh(const struct revlist *rl, time_t now);

#endif
