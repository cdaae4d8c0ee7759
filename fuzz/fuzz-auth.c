/*
 * fuzz-auth.c — libFuzzer target for the parsers of src/auth that see
 * untrusted text: e-mail addresses (a normalised address must normalise to
 * itself), new passwords (password_acceptable's UTF-8 decoder and rules),
 * typed TOTP codes and base32 secrets, stored Argon2id hash strings
 * (password_params_of; password_verify only when the costs are tiny) and
 * tokens.  The input is split at the first NUL: before it the text, after it
 * a second text (the e-mail for password_acceptable).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_err.h"
#include "auth/email.h"
#include "auth/password.h"
#include "auth/token.h"
#include "auth/totp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_AUTH_MAX 600

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_AUTH_MAX)
        return 0;
    char a[FUZZ_AUTH_MAX + 1], b[FUZZ_AUTH_MAX + 1];
    const uint8_t *nul = memchr(data, 0, size);
    size_t na = nul ? (size_t)(nul - data) : size;
    memcpy(a, data, na);
    a[na] = '\0';
    size_t nb = nul ? size - na - 1 : 0;
    memcpy(b, nul ? nul + 1 : data, nb);
    b[nb] = '\0';

    char out[EMAIL_MAX + 1], again[EMAIL_MAX + 1];
    if (email_normalise(a, out, sizeof out) == 0) {
        if (email_normalise(out, again, sizeof again) != 0 || strcmp(out, again) != 0)
            abort();
    }

    char why[96];
    (void)password_acceptable(a, b, why, sizeof why);

    int64_t step = -1;
    int rc = totp_verify("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", a, 1111111109, 1, &step);
    if (rc == 0 && (step < 1111111109 / 30 - 1 || step > 1111111109 / 30 + 1))
        abort();
    char code[7];
    if (totp_code(a, 59, code) == 0 && strlen(code) != 6)
        abort();
    char uri[512];
    (void)totp_uri(a, "evisa", b[0] ? b : "x", uri, sizeof uri);

    struct password_params p;
    if (password_params_of(a, &p) == 0) {
        if (p.m_cost_kib <= 64 && p.t_cost <= 2 && p.parallelism <= 2) {
            rc = password_verify(a, b);
            if (rc != 0 && rc != -AUTH_E_MISMATCH && rc != -AUTH_E_BAD_HASH &&
                rc != -AUTH_E_TOO_LONG)
                abort();
        }
    }
    (void)password_needs_rehash(a);

    if (token_well_formed(a) && strlen(a) != 43)
        abort();
    if (!token_equal(a, a))
        abort();
    return 0;
}
