/*
 * token.c — random tokens, their SHA-256 hex and constant-time comparison
 * (OpenSSL RAND_bytes, EVP_Digest, CRYPTO_memcmp).
 */
#include "auth/token.h"
#include "util/text.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <string.h>

#include "auth/auth_err.h"

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int token_new(char out[48])
{
    if (!out)
        return -AUTH_E_INVALID;
    uint8_t rnd[TOKEN_BYTES];
    out[0] = '\0';
    if (RAND_bytes(rnd, sizeof rnd) != 1)
        return -AUTH_E_INTERNAL;
    base64url_encode(rnd, sizeof rnd, out, 48);
    OPENSSL_cleanse(rnd, sizeof rnd);
    return 0;
}

int token_hash(const char *t, char out[65])
{
    if (!out)
        return -AUTH_E_INVALID;
    out[0] = '\0';
    if (!t)
        return -AUTH_E_INVALID;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(t, strlen(t), md, &len, EVP_sha256(), NULL) != 1 || len != 32)
        return -AUTH_E_INTERNAL;
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
    return 0;
}

bool token_equal(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return false;
    return CRYPTO_memcmp(a, b, la) == 0;
}

bool token_well_formed(const char *t)
{
    if (!t)
        return false;
    size_t n = strspn(t, b64url);
    return n == TOKEN_CHARS && t[n] == '\0';
}
