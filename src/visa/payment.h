/*
 * payment.h — payment providers behind one interface, the built-in and
 * clearly labelled TEST provider, and signed provider callbacks.
 *
 * A charge either answers at once (succeeded / declined) or not in time
 * (pending: the provider's callback brings the outcome later).  Every
 * outcome reaches the store through a callback signed with HMAC-SHA256
 * over the exact body bytes, header "X-Evisa-Signature: <64 hex>", so the
 * same exactly-once path handles an immediate answer, a late callback and a
 * provider's retry of the same callback.
 *
 * Test cards (any future expiry, any 3-digit CVC):
 *   4242 4242 4242 4242  succeeds
 *   4000 0000 0000 0002  declined: card_declined
 *   4000 0000 0000 9995  declined: insufficient_funds
 *   4000 0000 0000 0119  no answer in time: pending until a callback arrives
 *   any other number     declined: test_card_unknown (Luhn-invalid: invalid_number)
 */
#ifndef EVISA_PAYMENT_H
#define EVISA_PAYMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pay_result { PAY_RESULT_SUCCEEDED, PAY_RESULT_DECLINED, PAY_RESULT_PENDING, PAY_RESULT__MAX };
extern const char *const pay_result_names[PAY_RESULT__MAX]; /* "succeeded", "declined", "pending" */

struct pay_charge {
    const char *payment_id; /* ours; the provider echoes it in callbacks */
    int64_t amount_minor;
    const char *currency;
    const char *card_number; /* digits, spaces allowed */
    const char *expiry;      /* "MM/YY" */
    const char *cvc;
};

struct pay_outcome {
    enum pay_result result;
    char provider_ref[64];
    char decline_code[32];
};

struct payment_provider {
    const char *name; /* "test" */
    bool is_test;     /* pages show a TEST banner; never for real money */
    /* 0 and *out, or -1 when the charge request itself is malformed
     * (out->decline_code says why: invalid_number, invalid_expiry, invalid_cvc). */
    int (*charge)(const struct pay_charge *c, struct pay_outcome *out);
};
extern const struct payment_provider payment_test_provider;

/* HMAC-SHA256 of body under secret as 64 lower-case hex characters. */
void payment_sign(const uint8_t *secret, size_t secret_len, const char *body, size_t len,
                  char out[65]);
/* Constant-time check of a signature header value. */
bool payment_verify(const uint8_t *secret, size_t secret_len, const char *body, size_t len,
                    const char *sig_hex);

/* The callback body: {"payment_id","result","provider_ref","decline_code"}. */
struct pay_callback {
    char payment_id[40];
    enum pay_result result;
    char provider_ref[64];
    char decline_code[32];
};
/* Writes the canonical callback body (malloc'd). */
char *payment_callback_body(const struct pay_callback *cb);
/* Parses a callback body strictly; 0 or -1 (unknown keys, wrong types,
 * result not succeeded/declined, over-long values). */
int payment_callback_parse(const char *body, size_t len, struct pay_callback *cb);

#endif
