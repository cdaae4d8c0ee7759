/*
 * trust.h — the local trust store of a verifier: which CSCAs and document
 * signers (DS) of which States it trusts, and each State's latest signed
 * revocation list (docs/verify.md, "Trust store").
 *
 * Layout of a trust store directory DIR:
 *
 *   DIR/<STATE>/csca.pem      one or more CSCA certificates (PEM) of the State
 *   DIR/<STATE>/ds/<ID>-<SERIAL>.pem
 *                             document signer certificates, current and
 *                             older ones (rotation: seals signed by an old DS
 *                             stay verifiable until they expire)
 *   DIR/<STATE>/revoked.bin   the State's latest signed revocation list
 *                             (verify/revlist.h), optional
 *
 * <STATE> is an ICAO code of 1-3 letters A-Z with a known ISO alpha-2 code
 * (AZE, PAK, D, UTO); other entries of DIR are ignored.  Rules enforced by
 * trust_add and again by trust_open, so that no State can vouch for another:
 * every CSCA is a self-signed CA certificate whose subject C is the State's
 * alpha-2 code; every DS certificate has that same C and is signed by one of
 * the State's own CSCAs (checked without dates: expired DS stay usable for old
 * seals; the verifier checks dates at the signing day with signer_cert_check).
 *
 * Bounds: TRUST_STATES_MAX States, TRUST_CSCA_MAX CSCAs and TRUST_DS_MAX DS
 * certificates per State, SIGNER_TRUST_MAX bytes per csca.pem,
 * SIGNER_FILE_MAX per DS file, REVLIST_FILE_MAX per revoked.bin.
 *
 * Functions return 0 or the negative of an enum trust_err code
 * (verify/trust_err.h); err/cap (may be NULL/0) receive a sentence for people
 * naming the offending file.  A struct trust is read-only after trust_open and
 * may be shared by threads; everything it hands out is borrowed from it and
 * lives until trust_close.
 */
#ifndef EVISA_TRUST_H
#define EVISA_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "verify/revlist.h"
#include "verify/trust_err.h"

#define TRUST_STATES_MAX 64 /* States in one trust store */
#define TRUST_CSCA_MAX 16   /* CSCA certificates of one State */
#define TRUST_DS_MAX 64     /* DS certificates of one State */
#define TRUST_PATH_MAX 4096

struct trust;

enum trust_kind { TRUST_CSCA, TRUST_DS, TRUST_KIND__MAX };

/* Loads the trust store at dir (which must exist; it may hold no State).
 * Each State's revoked.bin is parsed and verified against that State's CSCAs
 * here; a missing list is fine, a bad one does not fail the open but is
 * reported by trust_revlist.  Returns 0 and *out (trust_close it), or
 * -TRUST_E_IO, -TRUST_E_TOO_LARGE, -TRUST_E_TOO_MANY, -TRUST_E_BAD_CERT
 * (unreadable file, CSCA not a self-signed CA, wrong country),
 * -TRUST_E_NO_CSCA (a State directory without csca.pem),
 * -TRUST_E_NOT_CHAINED (a DS not signed by its State's CSCA),
 * -TRUST_E_STATE_MISMATCH, -TRUST_E_INTERNAL. */
int trust_open(const char *dir, struct trust **out, char *err, size_t cap);

/* Releases the store and everything it handed out (NULL is fine). */
void trust_close(struct trust *t);

/* Finds the DS certificate a seal names: subject C + CN == signer_id and
 * serial == cert_ref, exactly as signer_cert_matches (crypto/signer_cert.h).
 * On success *ds (borrowed, do not free) and *state (borrowed, "AZE") are
 * set; either pointer may be NULL.  The caller must still check that *state
 * is the seal's issuing State, the DS dates at the signing day and the chain
 * with trust_store_for(t, *state).  Returns 0 or -TRUST_E_UNKNOWN_SIGNER. */
int trust_find_signer(const struct trust *t, const char *signer_id, const char *cert_ref, X509 **ds,
                      const char **state);

/* An X509_STORE holding only the CSCAs of `state` (so a PAK DS can never
 * chain to the AZE CSCA), borrowed from t (do not free; X509_STORE_up_ref to
 * keep it longer); NULL when the State is not in the store. */
X509_STORE *trust_store_for(const struct trust *t, const char *state);

/* The State's revocation list, already parsed and verified (signature by one
 * of the State's CSCAs, State matching); NULL when there is none or it is
 * bad.  *err (may be NULL) is 0 when the list is there and good or simply
 * absent, else why it was refused (-TRUST_E_SIGNATURE_INVALID,
 * -TRUST_E_STATE_MISMATCH, a parse error...).  Freshness is the caller's
 * check (revlist_fresh). */
const struct revlist *trust_revlist(const struct trust *t, const char *state, int *err);

/* Enumeration for `evisa trust show` and friends: number of States, the
 * name of State i (sorted by name), number of certificates of a kind of a
 * State, certificate i of them (borrowed; NULL when out of range). */
size_t trust_state_count(const struct trust *t);
const char *trust_state_name(const struct trust *t, size_t i);
size_t trust_cert_count(const struct trust *t, const char *state, enum trust_kind kind);
X509 *trust_cert_at(const struct trust *t, const char *state, enum trust_kind kind, size_t i);

/* Adds a State's CSCA and DS certificates to the trust store at dir (created
 * with mode 0755 when missing, as are DIR/<STATE> and DIR/<STATE>/ds).
 * Validates first, writes nothing unless all is well: state is a known ICAO
 * code, the CSCA (one PEM/DER certificate) is a self-signed CA with subject
 * C = the State's alpha-2 code, each DS (n_ds paths, may be 0) has the same
 * C and is signed by this CSCA.  The CSCA is appended to csca.pem unless
 * already there; each DS is written as ds/<SIGNERID>-<SERIAL>.pem (names
 * derived from the certificate, never from the given path), replacing an
 * identical file.  Files are written to a temporary name and renamed.
 * Returns 0, -TRUST_E_BAD_STATE, -TRUST_E_BAD_CERT, -TRUST_E_STATE_MISMATCH,
 * -TRUST_E_NOT_CHAINED, -TRUST_E_TOO_MANY, -TRUST_E_TOO_LARGE, -TRUST_E_IO,
 * -TRUST_E_INTERNAL. */
int trust_add(const char *dir, const char *state, const char *csca_pem_path,
              const char *const *ds_paths, size_t n_ds, char *err, size_t cap);

/* Installs a revocation list (len bytes) as DIR/<STATE>/revoked.bin after
 * parsing it and verifying it against the State's CSCAs already in dir.
 * Refuses a list older (by issue time) than the one installed.  Returns 0,
 * a revlist_parse error, -TRUST_E_NO_CSCA, -TRUST_E_STATE_MISMATCH,
 * -TRUST_E_SIGNATURE_INVALID, -TRUST_E_BAD_TIME (older than installed),
 * -TRUST_E_IO, -TRUST_E_INTERNAL. */
int trust_set_revlist(const char *dir, const char *state, const uint8_t *data, size_t len,
                      char *err, size_t cap);

#endif
