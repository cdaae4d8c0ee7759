/*
 * totp.c — RFC 6238 one-time codes over liboath's HOTP/TOTP generator.
 * Codes are compared with CRYPTO_memcmp over the whole window (liboath's own
 * validator stops at the first match and uses strcmp).  Decoded secrets are
 * wiped with OPENSSL_cleanse before they are freed.
 */
#include "auth/totp.h"

#include <liboath/oath.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_err.h"

/* 9999-12-31T23:59:59Z: later times are refused (and nothing overflows). */
#define TOTP_TIME_MAX ((time_t)253402300799)
#define TOTP_SECRET_MIN 16 /* bytes (RFC 4226: at least 128 bits) */
#define TOTP_SECRET_MAX 64

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* Copies a base32 secret to out (cap TOTP_SECRET_B32_MAX) in upper case
 * without spaces and trailing '=' padding; false if anything else is not in
 * the alphabet or it is too long. */
static bool b32_normalise(const char *in, char out[TOTP_SECRET_B32_MAX])
{
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        char c = *p;
        if (c == ' ')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!strchr(b32_alphabet, c)) {
            /* '=' only as trailing padding */
            if (c != '=' || p[strspn(p, "= ")] != '\0')
                return false;
            break;
        }
        if (n + 1 >= TOTP_SECRET_B32_MAX)
            return false;
        out[n++] = c;
    }
    out[n] = '\0';
    return true;
}

/* Decodes the secret into a malloc'd buffer (*key, *len): free with
 * key_free. */
static int key_decode(const char *secret_b32, char **key, size_t *len)
{
    char norm[TOTP_SECRET_B32_MAX];
    *key = NULL;
    *len = 0;
    if (!secret_b32)
        return -AUTH_E_INVALID;
    if (!b32_normalise(secret_b32, norm))
        return -AUTH_E_BAD_SECRET;
    size_t n = strlen(norm);
    /* Whole bytes only: lengths 1, 3, 6 (mod 8) cannot end a base32 string. */
    if (n % 8 == 1 || n % 8 == 3 || n % 8 == 6)
        return -AUTH_E_BAD_SECRET;
    int rc = oath_base32_decode(norm, n, key, len);
    OPENSSL_cleanse(norm, sizeof norm);
    if (rc != OATH_OK) {
        *key = NULL;
        *len = 0;
        return rc == OATH_MALLOC_ERROR ? -AUTH_E_INTERNAL : -AUTH_E_BAD_SECRET;
    }
    if (*len < TOTP_SECRET_MIN || *len > TOTP_SECRET_MAX) {
        OPENSSL_cleanse(*key, *len);
        free(*key);
        *key = NULL;
        *len = 0;
        return -AUTH_E_BAD_SECRET;
    }
    return 0;
}

static void key_free(char *key, size_t len)
{
    if (key) {
        OPENSSL_cleanse(key, len);
        free(key);
    }
}

int totp_new_secret(char *base32, size_t cap)
{
    if (!base32)
        return -AUTH_E_INVALID;
    if (cap < (TOTP_SECRET_BYTES * 8 + 4) / 5 + 1) {
        if (cap)
            base32[0] = '\0';
        return -AUTH_E_NO_SPACE;
    }
    uint8_t raw[TOTP_SECRET_BYTES];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return -AUTH_E_INTERNAL;
    /* 20 bytes = 160 bits = 32 base32 characters exactly, no padding. */
    size_t o = 0;
    for (size_t i = 0; i < sizeof raw; i += 5) {
        uint64_t v = 0;
        for (size_t j = 0; j < 5; j++)
            v = (v << 8) | raw[i + j];
        for (int k = 7; k >= 0; k--)
            base32[o++] = b32_alphabet[(v >> (5 * k)) & 31u];
    }
    base32[o] = '\0';
    OPENSSL_cleanse(raw, sizeof raw);
    return 0;
}

/* Appends text to out at *n; false when it does not fit. */
static bool put(char *out, size_t cap, size_t *n, const char *s)
{
    size_t k = strlen(s);
    if (*n + k >= cap)
        return false;
    memcpy(out + *n, s, k + 1);
    *n += k;
    return true;
}

/* Appends s percent-encoded (RFC 3986: unreserved characters stay). */
static bool put_pct(char *out, size_t cap, size_t *n, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char buf[4];
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            buf[0] = (char)*p;
            buf[1] = '\0';
        } else {
            buf[0] = '%';
            buf[1] = hex[*p >> 4];
            buf[2] = hex[*p & 15];
            buf[3] = '\0';
        }
        if (!put(out, cap, n, buf))
            return false;
    }
    return true;
}

int totp_uri(const char *secret_b32, const char *issuer, const char *account, char *out, size_t cap)
{
    if (!out || cap == 0 || !issuer || !*issuer || !account || !*account || !secret_b32)
        return -AUTH_E_INVALID;
    out[0] = '\0';
    char *key;
    size_t len;
    int rc = key_decode(secret_b32, &key, &len);
    if (rc < 0)
        return rc;
    key_free(key, len);
    char norm[TOTP_SECRET_B32_MAX];
    b32_normalise(secret_b32, norm);
    size_t n = 0;
    bool ok = put(out, cap, &n, "otpauth://totp/") && put_pct(out, cap, &n, issuer) &&
              put(out, cap, &n, ":") && put_pct(out, cap, &n, account) &&
              put(out, cap, &n, "?secret=") && put(out, cap, &n, norm) &&
              put(out, cap, &n, "&issuer=") && put_pct(out, cap, &n, issuer) &&
              put(out, cap, &n, "&digits=6&period=30&algorithm=SHA1");
    OPENSSL_cleanse(norm, sizeof norm);
    if (!ok) {
        OPENSSL_cleanse(out, cap);
        out[0] = '\0';
        return -AUTH_E_NO_SPACE;
    }
    return 0;
}

/* The code of time t with an already decoded key. */
static int code_at(const char *key, size_t len, time_t t, char out[7])
{
    if (oath_totp_generate(key, len, t, TOTP_STEP, OATH_TOTP_DEFAULT_START_TIME, TOTP_DIGITS,
                           out) != OATH_OK) {
        out[0] = '\0';
        return -AUTH_E_INTERNAL;
    }
    return 0;
}

int totp_code(const char *secret_b32, time_t t, char out[7])
{
    if (!out)
        return -AUTH_E_INVALID;
    out[0] = '\0';
    if (t < 0 || t > TOTP_TIME_MAX)
        return -AUTH_E_INVALID;
    if (oath_init() != OATH_OK)
        return -AUTH_E_INTERNAL;
    char *key;
    size_t len;
    int rc = key_decode(secret_b32, &key, &len);
    if (rc < 0)
        return rc;
    rc = code_at(key, len, t, out);
    key_free(key, len);
    return rc;
}

int totp_verify(const char *secret_b32, const char *code, time_t now, int window,
                int64_t *matched_step)
{
    if (!code || now < 0 || now > TOTP_TIME_MAX || window < 0 || window > TOTP_WINDOW_MAX)
        return -AUTH_E_INVALID;
    char typed[TOTP_DIGITS + 1];
    size_t n = 0;
    for (const char *p = code; *p; p++) {
        if (*p == ' ')
            continue;
        if (*p < '0' || *p > '9' || n >= TOTP_DIGITS)
            return -AUTH_E_BAD_CODE;
        typed[n++] = *p;
    }
    if (n != TOTP_DIGITS)
        return -AUTH_E_BAD_CODE;
    typed[n] = '\0';
    if (oath_init() != OATH_OK)
        return -AUTH_E_INTERNAL;
    char *key;
    size_t len;
    int rc = key_decode(secret_b32, &key, &len);
    if (rc < 0)
        return rc;
    int64_t step = (int64_t)now / TOTP_STEP, found = -1;
    /* Offsets 0, -1, +1, -2, +2, ...: the match closest to now wins; every
     * step is computed, so the time taken does not say which matched. */
    for (int i = 0; i <= 2 * window; i++) {
        int off = (i + 1) / 2 * (i % 2 ? -1 : 1);
        int64_t s = step + off;
        char want[TOTP_DIGITS + 1];
        if (s < 0)
            continue;
        rc = code_at(key, len, (time_t)(s * TOTP_STEP), want);
        if (rc < 0)
            break;
        bool eq = CRYPTO_memcmp(want, typed, TOTP_DIGITS) == 0;
        if (eq && found < 0)
            found = s;
        OPENSSL_cleanse(want, sizeof want);
    }
    key_free(key, len);
    OPENSSL_cleanse(typed, sizeof typed);
    if (rc < 0)
        return rc;
    if (found < 0)
        return -AUTH_E_MISMATCH;
    if (matched_step)
        *matched_step = found;
    return 0;
}
