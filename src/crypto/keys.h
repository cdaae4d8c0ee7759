/*
 * keys.h — creating a State's test/production PKI for seals: a country
 * signing CA (CSCA, self-signed) and a document signer (DS) it issues, with
 * EC keys on a named curve.  Private keys are written as PEM files created
 * with mode 0600 and O_EXCL (never world-readable, never overwritten by
 * accident).  The DS subject is C=<alpha-2 of the State>, CN=EV, so its seal
 * signer identifier is e.g. "AZEV"; its serial is at most 0xFFFFF unless
 * given, so that version-3 seals (5 hex characters) stay possible.
 * Functions return 0 or the negative of an enum crypto_err code.
 */
#ifndef EVISA_KEYS_H
#define EVISA_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/signer_cert.h"

#define KEYS_DEFAULT_CURVE "prime256v1"
#define KEYS_DS_CN "EV"             /* the two signer characters of the DS */
#define KEYS_DS_SERIAL_MAX 0xFFFFFu /* random DS serials: 1..0xFFFFF */
#define KEYS_SERIAL_HEX_MAX 40      /* hex digits of a given serial (20 octets) */
#define KEYS_CSCA_DAYS 5475         /* ~15 years */
#define KEYS_DS_DAYS 3650           /* ~10 years */
#define KEYS_PATH_MAX 4096

/* The files `keys init` creates, in creation order. */
enum keys_file { KEYS_CSCA_KEY, KEYS_CSCA_CERT, KEYS_DS_KEY, KEYS_DS_CERT, KEYS_FILE__MAX };

/* File name of each enum keys_file ("csca.key.pem", ...). */
const char *keys_file_name(enum keys_file f);

/* The ISO 3166 alpha-2 code of an ICAO issuing State (alpha-3 code, or "D"
 * for Germany, "UTO" for the ICAO test State; case-insensitive).  Writes 3
 * bytes to alpha2.  Returns 0 or -CRYPTO_E_UNKNOWN_STATE. */
int keys_state_alpha2(const char *state, char alpha2[3]);

/* 0 when `curve` is one we create keys on: prime256v1, secp384r1,
 * secp521r1, brainpoolP224r1, brainpoolP256r1, brainpoolP384r1,
 * brainpoolP512r1; else -CRYPTO_E_UNSUPPORTED_CURVE. */
int keys_curve_supported(const char *curve);

/* A fresh EC key pair on `curve`.  Returns 0 and *out, or
 * -CRYPTO_E_UNSUPPORTED_CURVE, -CRYPTO_E_INTERNAL. */
int keys_generate(const char *curve, EVP_PKEY **out);

/* Parses a serial number of 1..KEYS_SERIAL_HEX_MAX hex digits, not zero.
 * Returns 0 and *out (BN_free it), or -CRYPTO_E_BAD_SERIAL. */
int keys_parse_serial(const char *hex, BIGNUM **out);

/* The self-signed CSCA certificate for `key`: C=alpha2, O="evisa <state>",
 * CN="CSCA <state>", random 63-bit serial, valid from `now` for
 * KEYS_CSCA_DAYS, basicConstraints critical CA:TRUE pathlen:0, keyUsage
 * critical keyCertSign cRLSign, subject and authority key identifiers.
 * Returns 0 and *out, or -CRYPTO_E_INTERNAL. */
int keys_make_csca(EVP_PKEY *key, const char *state, const char *alpha2, time_t now, X509 **out);

/* The DS certificate for `ds_key` issued by csca/csca_key: C=alpha2,
 * O="evisa <state>", CN=KEYS_DS_CN, serial `serial` (NULL: random in
 * 1..KEYS_DS_SERIAL_MAX), valid from `now` for KEYS_DS_DAYS, keyUsage
 * critical digitalSignature, basicConstraints critical CA:FALSE, subject and
 * authority key identifiers.  Returns 0 and *out, or -CRYPTO_E_INTERNAL. */
int keys_make_ds(EVP_PKEY *ds_key, X509 *csca, EVP_PKEY *csca_key, const char *state,
                 const char *alpha2, const BIGNUM *serial, time_t now, X509 **out);

/* Writes a private key (PKCS#8 PEM, unencrypted) to a new file of mode 0600
 * / a certificate (PEM) to a new file of mode 0644 (less any umask bits).
 * The file must not exist (O_EXCL).  Returns 0, -CRYPTO_E_EXISTS, -CRYPTO_E_IO,
 * -CRYPTO_E_INTERNAL. */
int keys_write_private(const char *path, EVP_PKEY *key);
int keys_write_cert(const char *path, X509 *cert);

struct keys_init_opts {
    const char *state;         /* ICAO issuing State, e.g. "AZE" */
    const char *dir;           /* created with mode 0700 when missing */
    const char *curve;         /* NULL: KEYS_DEFAULT_CURVE */
    const char *signer_serial; /* hex, or NULL for a random serial */
    bool force;                /* replace existing files */
    time_t now;                /* 0: the current time */
};

struct keys_init_result {
    char alpha2[3];
    char signer_id[SIGNER_ID_LEN + 1]; /* e.g. "AZEV" */
    char cert_ref[SIGNER_REF_MAX + 1]; /* DS serial in hex, e.g. "1F4A" */
    const char *curve;
    char paths[KEYS_FILE__MAX][KEYS_PATH_MAX];
};

/* Creates the CSCA and DS keys and certificates in o->dir (see enum
 * keys_file).  Without o->force nothing is written when any of the files
 * already exists.  Writes a sentence for people to msg (may be NULL / 0).
 * Returns 0 and *r, or -CRYPTO_E_UNKNOWN_STATE, -CRYPTO_E_UNSUPPORTED_CURVE,
 * -CRYPTO_E_BAD_SERIAL, -CRYPTO_E_EXISTS, -CRYPTO_E_IO (also for a path
 * over KEYS_PATH_MAX), -CRYPTO_E_INTERNAL.  On failure no partial set of
 * new files is left behind (files replaced under force are gone). */
int keys_init(const struct keys_init_opts *o, struct keys_init_result *r, char *msg,
              size_t msg_cap);

/* Replaces the document signer in dir (as written by keys_init): a new key
 * on the same curve and a certificate from the same CSCA with a new serial
 * become ds.key.pem / ds.cert.pem; the old certificate is kept as
 * ds-<REF>.cert.pem (seals it signed stay verifiable) and its key is gone.
 * The signer process picks the new key up when it restarts.  Returns 0 with
 * the new signer id and cert ref and the archived path, or a negative
 * crypto_err with a message. */
int keys_rotate(const char *dir, const char *state, time_t now, char signer_id[8],
                char cert_ref[SIGNER_REF_MAX + 1], char archived[KEYS_PATH_MAX], char *msg,
                size_t msg_cap);

#endif
