/*
 * revlist.c — building, parsing, verifying and querying the compact signed
 * revocation list of a State (format in verify/revlist.h and docs/verify.md).
 * Parsing is strict and bounded: it reads untrusted bytes from the network.
 */
#include "verify/revlist.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto_err.h"
#include "crypto/seal_sig.h"

#define REVLIST_STATE_LEN 3

static void put_be(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static uint64_t get_be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

static bool number_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '<';
}

/* Pads a state code of 1-3 letters A-Z with '<' into out[3]. */
static int state_pad(const char *state, char out[REVLIST_STATE_LEN])
{
    if (!state)
        return -TRUST_E_BAD_STATE;
    size_t n = strnlen(state, REVLIST_STATE_LEN + 1);
    if (n < 1 || n > REVLIST_STATE_LEN)
        return -TRUST_E_BAD_STATE;
    for (size_t i = 0; i < REVLIST_STATE_LEN; i++) {
        if (i < n && (state[i] < 'A' || state[i] > 'Z'))
            return -TRUST_E_BAD_STATE;
        out[i] = i < n ? state[i] : '<';
    }
    return 0;
}

/* Checks a padded state code and writes it unpadded, NUL-terminated. */
static int state_unpad(const uint8_t in[REVLIST_STATE_LEN], char out[4])
{
    size_t n = 0;
    while (n < REVLIST_STATE_LEN && in[n] >= 'A' && in[n] <= 'Z')
        n++;
    if (n == 0)
        return -TRUST_E_BAD_STATE;
    for (size_t i = n; i < REVLIST_STATE_LEN; i++)
        if (in[i] != '<')
            return -TRUST_E_BAD_STATE;
    memcpy(out, in, n);
    out[n] = '\0';
    return 0;
}

/* Pads a visa number of 1-9 characters A-Z 0-9 < (not starting with '<')
 * with '<' into out[9]; s holds at most cap bytes. */
static int number_pad(const char *s, size_t cap, char out[REVLIST_NUMBER_LEN])
{
    size_t n = strnlen(s, cap);
    if (n == cap || n < 1 || n > REVLIST_NUMBER_LEN || s[0] == '<')
        return -TRUST_E_BAD_NUMBER;
    for (size_t i = 0; i < REVLIST_NUMBER_LEN; i++) {
        if (i < n && !number_char(s[i]))
            return -TRUST_E_BAD_NUMBER;
        out[i] = i < n ? s[i] : '<';
    }
    return 0;
}

static int number_cmp(const void *a, const void *b)
{
    return memcmp(a, b, REVLIST_NUMBER_LEN);
}

int revlist_build(const char *state, time_t issued, time_t next_update, const char (*numbers)[16],
                  size_t n, EVP_PKEY *csca_key, uint8_t **out, size_t *len)
{
    char st[REVLIST_STATE_LEN];
    int rc = state_pad(state, st);
    if (rc < 0)
        return rc;
    if (issued < 0 || next_update <= issued || (int64_t)next_update > REVLIST_TIME_MAX)
        return -TRUST_E_BAD_TIME;
    if (n > REVLIST_MAX)
        return -TRUST_E_TOO_MANY;
    if (n > 0 && !numbers)
        return -TRUST_E_BAD_NUMBER;
    if (!csca_key || !out || !len)
        return -TRUST_E_BAD_KEY;
    int half = seal_sig_half_length(csca_key);
    if (half <= 0 || 2 * (size_t)half > SEAL_SIG_MAX)
        return -TRUST_E_BAD_KEY;

    char *nums = malloc(n ? n * REVLIST_NUMBER_LEN : 1);
    if (!nums)
        return -TRUST_E_INTERNAL;
    for (size_t i = 0; i < n; i++) {
        rc = number_pad(numbers[i], sizeof numbers[i], nums + i * REVLIST_NUMBER_LEN);
        if (rc < 0) {
            free(nums);
            return rc;
        }
    }
    qsort(nums, n, REVLIST_NUMBER_LEN, number_cmp);
    size_t m = 0; /* distinct numbers */
    for (size_t i = 0; i < n; i++) {
        const char *cur = nums + i * REVLIST_NUMBER_LEN;
        if (m > 0 && !memcmp(nums + (m - 1) * REVLIST_NUMBER_LEN, cur, REVLIST_NUMBER_LEN))
            continue;
        memmove(nums + m * REVLIST_NUMBER_LEN, cur, REVLIST_NUMBER_LEN);
        m++;
    }

    size_t sig_len = 2 * (size_t)half;
    size_t signed_len = REVLIST_HEADER_LEN + m * REVLIST_NUMBER_LEN + 1;
    size_t total = signed_len + sig_len;
    uint8_t *buf = malloc(total);
    if (!buf) {
        free(nums);
        return -TRUST_E_INTERNAL;
    }
    memcpy(buf, REVLIST_MAGIC, 4);
    buf[4] = REVLIST_VERSION;
    memcpy(buf + 5, st, REVLIST_STATE_LEN);
    put_be(buf + 8, (uint64_t)issued, 8);
    put_be(buf + 16, (uint64_t)next_update, 8);
    put_be(buf + 24, (uint64_t)m, 4);
    if (m)
        memcpy(buf + REVLIST_HEADER_LEN, nums, m * REVLIST_NUMBER_LEN);
    free(nums);
    buf[signed_len - 1] = (uint8_t)sig_len;
    size_t got = 0;
    rc = seal_sig_sign(csca_key, buf, signed_len, buf + signed_len, sig_len, &got);
    if (rc < 0 || got != sig_len) {
        free(buf);
        return rc == 0 || rc == -CRYPTO_E_INTERNAL ? -TRUST_E_INTERNAL : -TRUST_E_BAD_KEY;
    }
    *out = buf;
    *len = total;
    return 0;
}

int revlist_parse(const uint8_t *data, size_t len, struct revlist *rl)
{
    if (!rl)
        return -TRUST_E_INTERNAL;
    memset(rl, 0, sizeof *rl);
    if (!data && len)
        return -TRUST_E_TRUNCATED;
    if (len > REVLIST_FILE_MAX)
        return -TRUST_E_TOO_LARGE;
    if (len >= 4 && memcmp(data, REVLIST_MAGIC, 4) != 0)
        return -TRUST_E_BAD_MAGIC;
    if (len < REVLIST_HEADER_LEN)
        return -TRUST_E_TRUNCATED;
    if (data[4] != REVLIST_VERSION)
        return -TRUST_E_UNSUPPORTED_VERSION;
    char state[4];
    int rc = state_unpad(data + 5, state);
    if (rc < 0)
        return rc;
    uint64_t issued = get_be(data + 8, 8), next = get_be(data + 16, 8);
    if (issued > REVLIST_TIME_MAX || next > REVLIST_TIME_MAX || next <= issued)
        return -TRUST_E_BAD_TIME;
    uint64_t count = get_be(data + 24, 4);
    if (count > REVLIST_MAX)
        return -TRUST_E_TOO_MANY;
    size_t signed_len = REVLIST_HEADER_LEN + (size_t)count * REVLIST_NUMBER_LEN + 1;
    if (len < signed_len)
        return -TRUST_E_TRUNCATED;
    const uint8_t *nums = data + REVLIST_HEADER_LEN;
    for (size_t i = 0; i < count; i++) {
        const uint8_t *cur = nums + i * REVLIST_NUMBER_LEN;
        if (cur[0] == '<')
            return -TRUST_E_BAD_NUMBER;
        for (size_t j = 0; j < REVLIST_NUMBER_LEN; j++)
            if (!number_char((char)cur[j]))
                return -TRUST_E_BAD_NUMBER;
        if (i > 0 && memcmp(cur - REVLIST_NUMBER_LEN, cur, REVLIST_NUMBER_LEN) >= 0)
            return -TRUST_E_NOT_SORTED;
    }
    size_t sig_len = data[signed_len - 1];
    if (sig_len == 0 || sig_len % 2 || sig_len > SEAL_SIG_MAX)
        return -TRUST_E_BAD_SIG_LENGTH;
    if (len - signed_len < sig_len)
        return -TRUST_E_TRUNCATED;
    if (len - signed_len > sig_len)
        return -TRUST_E_TRAILING_DATA;

    uint8_t *raw = malloc(len);
    if (!raw)
        return -TRUST_E_INTERNAL;
    memcpy(raw, data, len);
    memcpy(rl->state, state, sizeof rl->state);
    rl->issued = (int64_t)issued;
    rl->next_update = (int64_t)next;
    rl->count = (size_t)count;
    rl->numbers = (const char *)raw + REVLIST_HEADER_LEN;
    rl->sig = raw + signed_len;
    rl->sig_len = sig_len;
    rl->signed_len = signed_len;
    rl->raw = raw;
    rl->raw_len = len;
    return 0;
}

void revlist_free(struct revlist *rl)
{
    if (!rl)
        return;
    free(rl->raw);
    memset(rl, 0, sizeof *rl);
}

int revlist_verify_cert(const struct revlist *rl, X509 *csca)
{
    if (!rl || !rl->raw || !csca)
        return -TRUST_E_INTERNAL;
    EVP_PKEY *pub = X509_get0_pubkey(csca);
    if (!pub)
        return -TRUST_E_SIGNATURE_INVALID;
    int rc = seal_sig_verify(pub, rl->raw, rl->signed_len, rl->sig, rl->sig_len);
    return rc == 0 ? 0 : -TRUST_E_SIGNATURE_INVALID;
}

int revlist_verify(const struct revlist *rl, const char *state, X509_STORE *cscas, X509 **which)
{
    if (which)
        *which = NULL;
    if (!rl || !rl->raw)
        return -TRUST_E_INTERNAL;
    if (state && strcmp(state, rl->state) != 0)
        return -TRUST_E_STATE_MISMATCH;
    if (!cscas)
        return -TRUST_E_NO_CSCA;
    STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(cscas);
    int n = objs ? sk_X509_OBJECT_num(objs) : 0;
    bool any = false;
    for (int i = 0; i < n; i++) {
        X509_OBJECT *o = sk_X509_OBJECT_value(objs, i);
        if (X509_OBJECT_get_type(o) != X509_LU_X509)
            continue;
        X509 *cert = X509_OBJECT_get0_X509(o);
        if (!cert)
            continue;
        any = true;
        if (revlist_verify_cert(rl, cert) == 0) {
            if (which)
                *which = cert;
            return 0;
        }
    }
    return any ? -TRUST_E_SIGNATURE_INVALID : -TRUST_E_NO_CSCA;
}

bool revlist_contains(const struct revlist *rl, const char *visa_number)
{
    char key[REVLIST_NUMBER_LEN];
    if (!rl || !visa_number || rl->count == 0 || !rl->numbers)
        return false;
    if (number_pad(visa_number, REVLIST_NUMBER_LEN + 1, key) < 0)
        return false;
    return bsearch(key, rl->numbers, rl->count, REVLIST_NUMBER_LEN, number_cmp) != NULL;
}

int revlist_fresh(const struct revlist *rl, time_t now)
{
    if (!rl)
        return -TRUST_E_INTERNAL;
    if (rl->issued > (int64_t)now + REVLIST_SKEW)
        return -TRUST_E_NOT_YET_VALID;
    if ((int64_t)now > rl->next_update)
        return -TRUST_E_STALE;
    return 0;
}
