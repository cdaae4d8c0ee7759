/*
 * trust_err.h — result codes of trust distribution (src/verify/trust.c and
 * src/verify/revlist.c): the local trust store of foreign and own CSCA / DS
 * certificates and the signed revocation lists.
 *
 * Functions of these modules return 0 on success or the negative of one of
 * these codes.  They start above TRUST_E__BASE (600) so that they never
 * collide with the other modules' codes (icao < 64, render 64-99, crypto
 * 100+, store 300+, auth 400+, signer 500+, notify 700+).  Each code has a
 * stable lower-case name (JSON output, the CLI's "evisa: <code>: ..." lines)
 * and a short English message.  Codes never change meaning; new ones are
 * appended before TRUST_E__MAX.
 */
#ifndef EVISA_TRUST_ERR_H
#define EVISA_TRUST_ERR_H

enum trust_err {
    TRUST_OK = 0,
    TRUST_E__BASE = 600,
    TRUST_E_BAD_MAGIC,           /* revocation list does not start with "EVRL" */
    TRUST_E_UNSUPPORTED_VERSION, /* revocation list format version not 1 */
    TRUST_E_TRUNCATED,           /* revocation list shorter than its fields say */
    TRUST_E_TRAILING_DATA,       /* bytes after the revocation list signature */
    TRUST_E_BAD_STATE,           /* state code not 1-3 letters A-Z (padded with '<') */
    TRUST_E_BAD_TIME,            /* issue / next-update time out of range or reversed */
    TRUST_E_BAD_NUMBER,          /* a visa number is not 1-9 characters A-Z 0-9 < */
    TRUST_E_NOT_SORTED,          /* visa numbers not strictly ascending */
    TRUST_E_TOO_MANY,            /* over a bound: numbers, states, certificates */
    TRUST_E_BAD_SIG_LENGTH,      /* signature length odd, zero or too long */
    TRUST_E_SIGNATURE_INVALID,   /* no CSCA of the state verifies the list */
    TRUST_E_STATE_MISMATCH,      /* list or certificate of another state */
    TRUST_E_STALE,               /* now is after the list's next-update time */
    TRUST_E_NOT_YET_VALID,       /* list issued in the future (beyond the skew) */
    TRUST_E_NO_CSCA,             /* the trust store has no CSCA for the state */
    TRUST_E_UNKNOWN_SIGNER,      /* no DS certificate matches signer id + reference */
    TRUST_E_BAD_CERT,            /* unreadable certificate, or CSCA not a self-signed CA */
    TRUST_E_NOT_CHAINED,         /* a DS certificate is not issued by the state's CSCA */
    TRUST_E_BAD_KEY,             /* unreadable or non-EC signing key */
    TRUST_E_IO,                  /* a file or directory cannot be read / written */
    TRUST_E_TOO_LARGE,           /* a file is over its size limit */
    TRUST_E_INTERNAL,            /* OpenSSL or allocation failure */
    TRUST_E__MAX
};

/* Stable code name, e.g. "revlist_stale"; "ok" for 0; "unknown" for anything
 * out of range.  Accepts the code with either sign. */
const char *trust_err_code(int err);

/* A short English sentence describing the code. */
const char *trust_err_message(int err);

#endif
