/*
 * email.c — syntax check and lower-casing of account e-mail addresses
 * (see email.h for the accepted form).
 */
#include "auth/email.h"

#include <stdbool.h>
#include <string.h>

#include "auth/auth_err.h"

static bool alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool local_ok(const char *s, size_t n)
{
    if (n == 0 || n > 64 || s[0] == '.' || s[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.' && s[i + 1] == '.')
            return false;
        if (!alnum(s[i]) && !strchr(".!#$%&'*+/=?^_`{|}~-", s[i]))
            return false;
    }
    return true;
}

static bool domain_ok(const char *s, size_t n)
{
    if (n == 0 || n > 253)
        return false;
    size_t labels = 0, i = 0;
    bool last_all_digits = false;
    while (i <= n) {
        size_t k = 0;
        bool digits = true;
        while (i + k < n && s[i + k] != '.') {
            char c = s[i + k];
            if (!alnum(c) && c != '-')
                return false;
            if (c < '0' || c > '9')
                digits = false;
            k++;
        }
        if (k == 0 || k > 63 || s[i] == '-' || s[i + k - 1] == '-')
            return false;
        labels++;
        last_all_digits = digits;
        i += k + 1;
    }
    return labels >= 2 && !last_all_digits;
}

int email_normalise(const char *in, char *out, size_t cap)
{
    if (!in || !out || cap == 0)
        return -AUTH_E_INVALID;
    out[0] = '\0';
    while (*in == ' ')
        in++;
    size_t n = strlen(in);
    while (n > 0 && in[n - 1] == ' ')
        n--;
    if (n > EMAIL_MAX)
        return -AUTH_E_BAD_EMAIL;
    char buf[EMAIL_MAX + 1];
    for (size_t i = 0; i < n; i++)
        buf[i] = in[i] >= 'A' && in[i] <= 'Z' ? (char)(in[i] - 'A' + 'a') : in[i];
    buf[n] = '\0';
    const char *at = strchr(buf, '@');
    if (!at || strchr(at + 1, '@') || !local_ok(buf, (size_t)(at - buf)) ||
        !domain_ok(at + 1, n - (size_t)(at - buf) - 1))
        return -AUTH_E_BAD_EMAIL;
    if (n + 1 > cap)
        return -AUTH_E_NO_SPACE;
    memcpy(out, buf, n + 1);
    return 0;
}
