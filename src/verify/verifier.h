/*
 * verifier.h — the offline verifier of visa seals: from the seal bytes and a
 * local trust store (verify/trust.h) to one verdict for people and machines
 * (VALID, INVALID with a reason, REVOKED, EXPIRED, UNKNOWN SIGNER, STALE
 * REVOCATION LIST) plus the visa data the seal carries and the MRZ rebuilt
 * from it.  Nothing here reads files or the network: the trust material is
 * parsed once by the caller (trust_open) and only borrowed.
 *
 * Order of the checks (the first failing one gives the verdict):
 *   1. format     the seal decodes (vds_decode), is a visa seal, its MRZ
 *                 parses as MRV-A/MRV-B with every check digit right
 *                                                            -> INVALID
 *   2. signer     a DS in the trust store matches signer id + cert ref
 *                                                            -> UNKNOWN SIGNER
 *   3. cert       the DS belongs to the State the seal names (header
 *                 issuing country and MRZ issuing State = the trust store
 *                 State of the DS; not checked by verifier_check_cert) and
 *                 matches the reference                      -> INVALID
 *   4. signature  ECDSA over header + message zone          -> INVALID
 *   5. dates and chain at the signing day: the DS and its CSCA valid on the
 *                 seal's signature date, the DS chaining to one of that
 *                 State's CSCAs (never another State's)      -> INVALID
 *   6. revoked    the visa number is on the State's revocation list (a
 *                 stale list still counts: revocations are final) -> REVOKED
 *   7. expired    now is after the visa's valid-until date (MRZ line 2,
 *                 positions 22-27, whose century is the first >= the seal's
 *                 issue year; valid through the end of that UTC day) -> EXPIRED
 *   8. freshness  the State has a revocation list but it is past its
 *                 next-update time, issued in the future, or was refused
 *                 when the trust store was opened -> STALE REVOCATION LIST
 *                 (a seal that would otherwise be VALID is not called VALID
 *                 on an out-of-date list).  No list at all is not an error:
 *                 the verdict stays VALID and revocation is "not_checked".
 */
#ifndef EVISA_VERIFIER_H
#define EVISA_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "icao/mrz.h"
#include "icao/vds.h"
#include "verify/revlist.h"
#include "verify/trust.h"

enum verdict_status {
    VERDICT_VALID,
    VERDICT_INVALID,
    VERDICT_REVOKED,
    VERDICT_EXPIRED,
    VERDICT_UNKNOWN_SIGNER,
    VERDICT_STALE_REVOCATION_LIST,
    VERDICT__MAX
};

/* Why a seal is INVALID (VREASON_NONE for every other verdict). */
enum verdict_reason {
    VREASON_NONE,
    VREASON_BAD_FORMAT,                  /* the seal does not decode */
    VREASON_NOT_A_VISA,                  /* not feature 0x5D / category 0x01, or not a V MRZ */
    VREASON_MRZ_CHECK_DIGITS,            /* a check digit of the MRZ in the seal is wrong */
    VREASON_STATE_MISMATCH,              /* header, MRZ and signer's State disagree */
    VREASON_CERT_MISMATCH,               /* the DS is not the one the seal names */
    VREASON_SIGNATURE_INVALID,           /* the ECDSA signature does not verify */
    VREASON_SIGNER_NOT_VALID_AT_SIGNING, /* DS (or its CSCA) not valid on the signing day */
    VREASON_UNTRUSTED_CHAIN,             /* the DS does not chain to the State's CSCA */
    VREASON__MAX
};

/* Where revocation stands for the seal's State. */
enum revocation_state {
    REVOCATION_NOT_CHECKED, /* no list for the State (or the seal failed earlier) */
    REVOCATION_FRESH,       /* a verified list within its validity */
    REVOCATION_STALE,       /* past its next-update time */
    REVOCATION_FUTURE,      /* issued after now (beyond the allowed skew): a clock problem */
    REVOCATION_REFUSED,     /* the trust store's list failed its checks */
    REVOCATION__MAX
};

/* Verdict names for people ("VALID", "UNKNOWN SIGNER", ...), stable codes
 * for JSON ("valid", "unknown_signer", ...), reason codes ("bad_format",
 * "signature_invalid", ...) and revocation states ("fresh", "stale", ...). */
extern const char *const verdict_status_names[VERDICT__MAX];
extern const char *const verdict_status_codes[VERDICT__MAX];
extern const char *const verdict_reason_codes[VREASON__MAX];
extern const char *const revocation_state_codes[REVOCATION__MAX];

#define VERDICT_MSG_MAX 256

struct verdict {
    enum verdict_status status;
    enum verdict_reason reason;
    int error;                     /* the library error behind an INVALID/UNKNOWN verdict, or 0 */
    char message[VERDICT_MSG_MAX]; /* one sentence for people */
    bool decoded;                  /* seal (and the fields below) hold the decoded seal */
    struct vds_seal seal;          /* points into the caller's seal bytes */
    bool mrz_parsed;               /* mrz holds the parsed rebuilt MRZ */
    char mrz_line1[MRZ_LINE_MAX + 1]; /* rebuilt MRZ: line 1 as in the seal, */
    char mrz_line2[MRZ_LINE_MAX + 1]; /* line 2 = 28 seal characters + '<' padding */
    struct mrz_parsed mrz;
    bool has_valid_until;
    struct vds_date valid_until; /* the MRZ expiry with its century resolved */
    char visa_number[10];        /* MRZ document number, fillers dropped */
    char signer_state[4];        /* trust store State of the DS, "" when unknown */
    X509 *signer;                /* the DS (borrowed from the trust store), NULL if unknown */
    enum revocation_state revocation;
    int64_t revlist_issued, revlist_next_update; /* when a list was consulted */
    time_t checked_at;                           /* `now` of the check */
};

/* Memo for a verifier that sees many seals: per document signer, a
 * verification context made once (the key's digest and signature size and an
 * initialised OpenSSL verify context, instead of setting them up per seal),
 * and per (signer, signing day) the chain check's result, so the chain's own
 * signature is checked once per signer and day instead of once per seal.
 * Zero-initialise it (`struct verifier_cache c = {0};`), use it from one
 * thread, and release it with verifier_cache_clear (also before the trust
 * store it was used with is closed). */
#define VERIFIER_CACHE_SLOTS 16
#define VERIFIER_CACHE_SIGNERS 8
struct verifier_cache {
    struct {
        const X509 *ds;
        long day;
        int rc;
        char msg[VERDICT_MSG_MAX];
    } slot[VERIFIER_CACHE_SLOTS];
    unsigned next;
    struct {
        const X509 *ds;
        EVP_PKEY_CTX *ctx; /* verify-initialised for the DS public key */
        const EVP_MD *md;  /* borrowed from OpenSSL */
        size_t half;       /* bytes of r (and of s) */
    } signer[VERIFIER_CACHE_SIGNERS];
    unsigned next_signer;
};

/* Frees what the cache holds and zeroes it (NULL is fine). */
void verifier_cache_clear(struct verifier_cache *cache);

/* Verifies the n seal bytes against the trust store t at time `now` and
 * fills *out (see the order of checks above).  override (may be NULL) is a
 * revocation list the caller has already parsed and verified against the
 * State's CSCAs (revlist_verify); it replaces the trust store's list for
 * seals of its State.  *out points into seal (keep the bytes while using
 * it) and into t.  Returns 0 whenever a verdict was reached (whatever it
 * is), or -TRUST_E_INTERNAL when OpenSSL failed (out->message says why). */
int verifier_check(const uint8_t *seal, size_t n, const struct trust *t,
                   const struct revlist *override, time_t now, struct verdict *out);

/* verifier_check with a chain-check memo (cache may be NULL). */
int verifier_check_cached(const uint8_t *seal, size_t n, const struct trust *t,
                          const struct revlist *override, time_t now, struct verifier_cache *cache,
                          struct verdict *out);

/* The same checks with an explicit document signer instead of a trust
 * store, for signers that cannot enter one (published certificates without
 * a CSCA).  ds NULL gives UNKNOWN SIGNER; cscas (may be NULL: then the
 * chain check fails as untrusted) are the trust anchors; revocation uses rl
 * (may be NULL).  The State checked against the header is the DS subject's
 * country.  Returns as verifier_check. */
int verifier_check_cert(const uint8_t *seal, size_t n, X509 *ds, X509_STORE *cscas,
                        const struct revlist *rl, time_t now, struct verdict *out);

#endif
