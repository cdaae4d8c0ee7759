/*
 * issuance.h — turning an approved application into a visa: the visa
 * number, validity and stay from policy, the MRZ (MRV-A or MRV-B per policy,
 * the name from the passport's own MRZ when the applicant gave it), and the
 * Visible Digital Seal (version 4 header, visa feature set) signed through a
 * signing callback — in production the separate signer process, which alone
 * holds the private keys.
 */
#ifndef EVISA_ISSUANCE_H
#define EVISA_ISSUANCE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "store/store.h"
#include "visa/app.h"
#include "visa/policy.h"

/* Signs tbs (header + message zone) for state; writes r||s.  0 or < 0 with a
 * message in err. */
typedef int (*issuance_sign_fn)(void *ctx, const char *state, const uint8_t *tbs, size_t n,
                                uint8_t *rs, size_t cap, size_t *rs_len, char *err, size_t err_cap);

struct issuance_signer {
    char signer_id[5]; /* from the state's document signer certificate, e.g. "AZEV" */
    char cert_ref[33]; /* its serial in hex, e.g. "1F4A" */
    issuance_sign_fn sign;
    void *ctx;
};

/* The visa number for a serial: the state's 2-letter prefix (A-Z of the
 * state code's first two letters) and 7 digits, e.g. "AZ0000042". */
void issuance_visa_number(const char *state, int64_t serial, char out[16]);

/* Builds and signs the visa of an application at time now.  out is filled
 * (visa number from serial, validity, MRZ, seal, signer cert ref).  Returns
 * 0, or a negative icao_err (bad data: the message in err) or -1 (signing
 * failed: message in err). */
int issuance_build(const struct policy_state *st, const struct policy_visa_type *vt,
                   const struct app_values *vals, const char *reference, int64_t serial,
                   const struct issuance_signer *signer, time_t now, struct store_visa *out,
                   char *err, size_t err_cap);

#endif
