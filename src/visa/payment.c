/*
 * payment.c — the TEST payment provider and HMAC-signed callbacks
 * (see payment.h for the test cards and the callback contract).
 */
#include "visa/payment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

const char *const pay_result_names[PAY_RESULT__MAX] = {
    [PAY_RESULT_SUCCEEDED] = "succeeded",
    [PAY_RESULT_DECLINED] = "declined",
    [PAY_RESULT_PENDING] = "pending",
};

/* Digits of a card number without spaces/dashes into out; its length or -1. */
static int card_digits(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (; in && *in; in++) {
        if (*in == ' ' || *in == '-')
            continue;
        if (*in < '0' || *in > '9' || n + 1 >= cap)
            return -1;
        out[n++] = *in;
    }
    out[n] = '\0';
    return (int)n;
}

static bool luhn_ok(const char *d)
{
    size_t n = strlen(d);
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int v = d[n - 1 - i] - '0';
        if (i % 2 == 1 && (v *= 2) > 9)
            v -= 9;
        sum += v;
    }
    return n >= 12 && sum % 10 == 0;
}

static bool expiry_ok(const char *e)
{
    return e && strlen(e) == 5 && e[2] == '/' && e[0] >= '0' && e[0] <= '1' && e[1] >= '0' &&
           e[1] <= '9' && e[3] >= '0' && e[3] <= '9' && e[4] >= '0' && e[4] <= '9' &&
           (e[0] - '0') * 10 + (e[1] - '0') >= 1 && (e[0] - '0') * 10 + (e[1] - '0') <= 12;
}

static int test_charge(const struct pay_charge *c, struct pay_outcome *out)
{
    memset(out, 0, sizeof *out);
    char d[24];
    int n = card_digits(c->card_number, d, sizeof d);
    if (n < 12 || n > 19 || !luhn_ok(d)) {
        snprintf(out->decline_code, sizeof out->decline_code, "invalid_number");
        return -1;
    }
    if (!expiry_ok(c->expiry)) {
        snprintf(out->decline_code, sizeof out->decline_code, "invalid_expiry");
        return -1;
    }
    size_t cl = c->cvc ? strlen(c->cvc) : 0;
    if (cl < 3 || cl > 4 || strspn(c->cvc, "0123456789") != cl) {
        snprintf(out->decline_code, sizeof out->decline_code, "invalid_cvc");
        return -1;
    }
    unsigned char rnd[8];
    if (RAND_bytes(rnd, sizeof rnd) != 1)
        return -1;
    snprintf(out->provider_ref, sizeof out->provider_ref,
             "test_ch_%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
             rnd[5], rnd[6], rnd[7]);
    static const struct {
        const char *number;
        enum pay_result result;
        const char *code;
    } cards[] = {
        {"4242424242424242", PAY_RESULT_SUCCEEDED, ""},
        {"4000000000000002", PAY_RESULT_DECLINED, "card_declined"},
        {"4000000000009995", PAY_RESULT_DECLINED, "insufficient_funds"},
        {"4000000000000119", PAY_RESULT_PENDING, ""},
    };
    out->result = PAY_RESULT_DECLINED;
    snprintf(out->decline_code, sizeof out->decline_code, "test_card_unknown");
    for (size_t i = 0; i < sizeof cards / sizeof cards[0]; i++)
        if (!strcmp(d, cards[i].number)) {
            out->result = cards[i].result;
            snprintf(out->decline_code, sizeof out->decline_code, "%s", cards[i].code);
        }
    return 0;
}

const struct payment_provider payment_test_provider = {"test", true, test_charge};

void payment_sign(const uint8_t *secret, size_t secret_len, const char *body, size_t len,
                  char out[65])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)body, len, mac, &mac_len);
    for (unsigned i = 0; i < 32 && i < mac_len; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
    out[64] = '\0';
}

bool payment_verify(const uint8_t *secret, size_t secret_len, const char *body, size_t len,
                    const char *sig_hex)
{
    char want[65];
    if (!sig_hex || strlen(sig_hex) != 64)
        return false;
    payment_sign(secret, secret_len, body, len, want);
    return CRYPTO_memcmp(want, sig_hex, 64) == 0;
}

char *payment_callback_body(const struct pay_callback *cb)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "payment_id", cb->payment_id, "result",
                          pay_result_names[cb->result], "provider_ref", cb->provider_ref,
                          "decline_code", cb->decline_code);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return s;
}

static int copy_member(json_t *o, const char *key, char *out, size_t cap)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || json_string_length(v) >= cap)
        return -1;
    snprintf(out, cap, "%s", json_string_value(v));
    return 0;
}

int payment_callback_parse(const char *body, size_t len, struct pay_callback *cb)
{
    memset(cb, 0, sizeof *cb);
    json_error_t e;
    json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
    int rc = -1;
    char result[16];
    if (json_is_object(o) && json_object_size(o) == 4 &&
        copy_member(o, "payment_id", cb->payment_id, sizeof cb->payment_id) == 0 &&
        copy_member(o, "result", result, sizeof result) == 0 &&
        copy_member(o, "provider_ref", cb->provider_ref, sizeof cb->provider_ref) == 0 &&
        copy_member(o, "decline_code", cb->decline_code, sizeof cb->decline_code) == 0 &&
        cb->payment_id[0]) {
        if (!strcmp(result, "succeeded")) {
            cb->result = PAY_RESULT_SUCCEEDED;
            rc = 0;
        } else if (!strcmp(result, "declined")) {
            cb->result = PAY_RESULT_DECLINED;
            rc = 0;
        }
    }
    json_decref(o);
    return rc;
}
