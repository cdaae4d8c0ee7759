/*
 * store_common.c — the backend-independent parts of store.h: error names
 * and messages, payment status names, the owned-memory cleanups, the
 * argument normalisers shared by the backends (emails, roles, decisions),
 * and the canonical audit-entry hash (store_priv.h) that every backend must
 * compute identically so that a log moved between backends still verifies.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "store/store.h"
#include "store/store_priv.h"

#define STORE_N_ERRORS (STORE_E__MAX - STORE_E__BASE)

static const struct {
    const char *code;
    const char *message;
} store_errors[STORE_N_ERRORS] = {
    [0] = {"ok", "no error"},
    [STORE_E_NOT_FOUND - STORE_E__BASE] = {"not_found", "no such record"},
    [STORE_E_CONFLICT - STORE_E__BASE] = {"conflict", "the record changed underneath; reload it"},
    [STORE_E_BAD_STATUS -
        STORE_E__BASE] = {"bad_status", "not allowed in the record's current status"},
    [STORE_E_IDEM_MISMATCH - STORE_E__BASE] = {"idempotency_mismatch",
                                               "idempotency key reused with a different request"},
    [STORE_E_TOO_LARGE - STORE_E__BASE] = {"too_large", "a value is over its size limit"},
    [STORE_E_BUSY - STORE_E__BASE] = {"busy", "the database stayed locked past the timeout"},
    [STORE_E_IO - STORE_E__BASE] = {"store_io", "the database failed"},
    [STORE_E_INVALID - STORE_E__BASE] = {"invalid_argument", "a missing or malformed argument"},
};

static int store_err_index(int err)
{
    if (err < 0)
        err = -err;
    if (err == STORE_OK)
        return 0;
    if (err <= STORE_E__BASE || err >= STORE_E__MAX)
        return -1;
    return err - STORE_E__BASE;
}

const char *store_err_code(int err)
{
    int i = store_err_index(err);
    return i < 0 ? "unknown" : store_errors[i].code;
}

const char *store_err_message(int err)
{
    int i = store_err_index(err);
    return i < 0 ? "unknown error" : store_errors[i].message;
}

const char *const store_pay_status_names[PAY__MAX] = {
    [PAY_PENDING] = "pending",
    [PAY_SUCCEEDED] = "succeeded",
    [PAY_DECLINED] = "declined",
    [PAY_FAILED] = "failed",
};

void store_app_clear(struct store_app *a)
{
    if (!a)
        return;
    free(a->fields_json);
    a->fields_json = NULL;
}

void store_upload_clear(struct store_upload *up)
{
    if (!up)
        return;
    free(up->data);
    up->data = NULL;
    up->len = 0;
}

void store_apps_free(struct store_app *rows, size_t n)
{
    if (!rows)
        return;
    for (size_t i = 0; i < n; i++)
        store_app_clear(&rows[i]);
    free(rows);
}

void store_mails_free(struct store_mail *mails, size_t n)
{
    if (!mails)
        return;
    for (size_t i = 0; i < n; i++)
        free(mails[i].body);
    free(mails);
}

int store_email_norm(const char *email, char *out, size_t cap)
{
    if (cap)
        out[0] = '\0';
    if (!email || !*email || cap == 0)
        return -STORE_E_INVALID;
    size_t n = strnlen(email, cap);
    if (n >= cap)
        return -STORE_E_TOO_LARGE;
    const char *at = strchr(email, '@');
    if (!at || at == email || at[1] == '\0')
        return -STORE_E_INVALID;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)email[i];
        if (ch <= 0x20 || ch == 0x7f)
            return -STORE_E_INVALID;
        out[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : (char)ch;
    }
    out[n] = '\0';
    return 0;
}

static bool name_in(const char *s, const char *const *names)
{
    if (!s)
        return false;
    for (; *names; names++)
        if (strcmp(s, *names) == 0)
            return true;
    return false;
}

bool store_role_valid(const char *role)
{
    static const char *const roles[] = {"officer", "supervisor", "administrator", "border", NULL};
    return name_in(role, roles);
}

bool store_decision_valid(const char *decision)
{
    static const char *const decisions[] = {"approve", "refuse", "request_info", NULL};
    return name_in(decision, decisions);
}

void store_copy_trunc(char *dst, size_t cap, const char *src)
{
    if (!src)
        src = "";
    size_t n = strnlen(src, cap);
    if (n >= cap) {
        n = cap - 1;
        /* Step back over continuation bytes to the start of the cut character. */
        while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static int digest_str(EVP_MD_CTX *ctx, const char *s, bool newline)
{
    if (EVP_DigestUpdate(ctx, s, strlen(s)) != 1)
        return -1;
    if (newline && EVP_DigestUpdate(ctx, "\n", 1) != 1)
        return -1;
    return 0;
}

int store_audit_hash(const char *prev_hash, int64_t seq, int64_t at, const char *reference,
                     const char *actor, const char *action, const char *detail_json, char out[65])
{
    char num[2][24];
    snprintf(num[0], sizeof num[0], "%" PRId64, seq);
    snprintf(num[1], sizeof num[1], "%" PRId64, at);
    const char *parts[] = {prev_hash,
                           num[0],
                           num[1],
                           reference ? reference : "",
                           actor ? actor : "",
                           action ? action : "",
                           detail_json ? detail_json : ""};
    size_t n = sizeof parts / sizeof parts[0];
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = -1;
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (digest_str(ctx, parts[i], i + 1 < n) != 0)
            goto out;
    if (EVP_DigestFinal_ex(ctx, md, &md_len) != 1 || md_len != 32)
        goto out;
    static const char hex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < md_len; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
    rc = 0;
out:
    EVP_MD_CTX_free(ctx);
    return rc;
}
