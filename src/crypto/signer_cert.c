/*
 * signer_cert.c — loading and checking document signer certificates, their
 * private keys and CSCA trust stores with OpenSSL 3.  Files are read whole
 * with a size bound before OpenSSL parses them; private key bytes are wiped
 * after parsing; OpenSSL's error queue is cleared on every failure so that
 * it never grows across calls.
 */
#include "crypto/signer_cert.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include "crypto/crypto_err.h"
#include "icao/vds_date.h"

#define SECONDS_PER_DAY 86400

/* Reads a whole regular file of at most `max` bytes into a malloc'd buffer
 * (one spare NUL byte).  Returns 0, -CRYPTO_E_IO or -CRYPTO_E_TOO_LARGE. */
static int read_bounded(const char *path, size_t max, uint8_t **buf, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); /* no wait on a FIFO */
    if (fd < 0)
        return -CRYPTO_E_IO;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0) {
        close(fd);
        return -CRYPTO_E_IO;
    }
    if ((unsigned long long)st.st_size > max) {
        close(fd);
        return -CRYPTO_E_TOO_LARGE;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    uint8_t *b = malloc(cap);
    if (!b) {
        close(fd);
        return -CRYPTO_E_INTERNAL;
    }
    int rc = 0;
    while (n < cap) {
        ssize_t got = read(fd, b + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = -CRYPTO_E_IO;
            break;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    if (rc == 0 && n == cap) /* the file grew past its size: refuse */
        rc = -CRYPTO_E_TOO_LARGE;
    if (rc) {
        OPENSSL_cleanse(b, n);
        free(b);
        return rc;
    }
    *buf = b;
    *len = n;
    return 0;
}

/* Never prompt for a passphrase: encrypted keys are refused. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

int signer_cert_load_mem(const uint8_t *data, size_t n, X509 **out)
{
    if (n > SIGNER_FILE_MAX)
        return -CRYPTO_E_TOO_LARGE;
    if (!data || n == 0)
        return -CRYPTO_E_BAD_CERT;
    X509 *x = NULL;
    if (data[0] == 0x30) { /* DER: a SEQUENCE, and nothing after it */
        const unsigned char *p = data;
        x = d2i_X509(NULL, &p, (long)n);
        if (x && p != data + n) {
            X509_free(x);
            x = NULL;
        }
    }
    if (!x) { /* PEM, possibly after some text */
        BIO *bio = BIO_new_mem_buf(data, (int)n);
        if (bio)
            x = PEM_read_bio_X509(bio, NULL, no_password, NULL);
        BIO_free(bio);
    }
    if (!x) {
        ERR_clear_error();
        return -CRYPTO_E_BAD_CERT;
    }
    *out = x;
    return 0;
}

int signer_cert_load_file(const char *path, X509 **out)
{
    uint8_t *buf;
    size_t n;
    int rc = read_bounded(path, SIGNER_FILE_MAX, &buf, &n);
    if (rc)
        return rc;
    rc = signer_cert_load_mem(buf, n, out);
    free(buf);
    return rc;
}

int signer_key_load_mem(const uint8_t *data, size_t n, EVP_PKEY **out)
{
    if (n > SIGNER_FILE_MAX)
        return -CRYPTO_E_TOO_LARGE;
    if (!data || n == 0)
        return -CRYPTO_E_BAD_KEY;
    EVP_PKEY *key = NULL;
    BIO *bio = BIO_new_mem_buf(data, (int)n);
    if (bio)
        key = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
    BIO_free(bio);
    if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) {
        EVP_PKEY_free(key);
        ERR_clear_error();
        return -CRYPTO_E_BAD_KEY;
    }
    *out = key;
    return 0;
}

int signer_key_load_file(const char *path, EVP_PKEY **out)
{
    uint8_t *buf;
    size_t n;
    int rc = read_bounded(path, SIGNER_FILE_MAX, &buf, &n);
    if (rc)
        return rc;
    rc = signer_key_load_mem(buf, n, out);
    OPENSSL_cleanse(buf, n);
    free(buf);
    return rc;
}

int signer_key_matches_cert(EVP_PKEY *key, X509 *cert)
{
    EVP_PKEY *pub = cert ? X509_get0_pubkey(cert) : NULL;
    int eq = pub && key ? EVP_PKEY_eq(pub, key) : 0;
    ERR_clear_error();
    return eq == 1 ? 0 : -CRYPTO_E_CERT_MISMATCH;
}

/* The only entry `nid` of the subject as UTF-8 text of exactly two bytes
 * accepted by `ok`, copied to out[0..1]. */
static bool subject_pair(X509_NAME *name, int nid, int (*ok)(int), char out[2])
{
    int idx = X509_NAME_get_index_by_NID(name, nid, -1);
    if (idx < 0 || X509_NAME_get_index_by_NID(name, nid, idx) >= 0)
        return false;
    ASN1_STRING *data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    unsigned char *utf8 = NULL;
    int len = data ? ASN1_STRING_to_UTF8(&utf8, data) : -1;
    bool good = len == 2 && ok(utf8[0]) && ok(utf8[1]);
    if (good) {
        out[0] = (char)utf8[0];
        out[1] = (char)utf8[1];
    }
    OPENSSL_free(utf8);
    return good;
}

static int is_upper_letter(int c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_upper_alnum(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int signer_cert_reference(X509 *cert, char *signer_id, size_t id_cap, char *cert_ref,
                          size_t ref_cap)
{
    if (!cert)
        return -CRYPTO_E_BAD_CERT;
    if (signer_id) {
        char id[SIGNER_ID_LEN];
        X509_NAME *subject = X509_get_subject_name(cert);
        if (!subject || !subject_pair(subject, NID_countryName, is_upper_letter, id) ||
            !subject_pair(subject, NID_commonName, is_upper_alnum, id + 2)) {
            ERR_clear_error();
            return -CRYPTO_E_BAD_CERT;
        }
        if (id_cap < SIGNER_ID_LEN + 1)
            return -CRYPTO_E_NO_SPACE;
        memcpy(signer_id, id, SIGNER_ID_LEN);
        signer_id[SIGNER_ID_LEN] = '\0';
    }
    if (cert_ref) {
        BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
        char *hex = bn && !BN_is_negative(bn) ? BN_bn2hex(bn) : NULL;
        BN_free(bn);
        if (!hex) {
            ERR_clear_error();
            return -CRYPTO_E_BAD_CERT;
        }
        const char *digits = hex;
        while (digits[0] == '0' && digits[1] != '\0')
            digits++;
        size_t len = strlen(digits);
        int rc = len > SIGNER_REF_MAX ? -CRYPTO_E_BAD_CERT
                 : len >= ref_cap     ? -CRYPTO_E_NO_SPACE
                                      : 0;
        if (rc == 0)
            memcpy(cert_ref, digits, len + 1);
        OPENSSL_free(hex);
        return rc;
    }
    return 0;
}

int signer_cert_matches(X509 *cert, const char *signer_id, const char *cert_ref)
{
    char id[SIGNER_ID_LEN + 1], ref[SIGNER_REF_MAX + 1];
    if (!signer_id || !cert_ref || strlen(signer_id) != SIGNER_ID_LEN ||
        signer_cert_reference(cert, id, sizeof id, ref, sizeof ref) != 0 ||
        memcmp(id, signer_id, SIGNER_ID_LEN) != 0)
        return -CRYPTO_E_CERT_MISMATCH;
    if (!*cert_ref)
        return -CRYPTO_E_CERT_MISMATCH;
    for (const char *p = cert_ref; *p; p++)
        if (!isxdigit((unsigned char)*p))
            return -CRYPTO_E_CERT_MISMATCH;
    while (cert_ref[0] == '0' && cert_ref[1] != '\0')
        cert_ref++;
    size_t len = strlen(cert_ref);
    if (len != strlen(ref))
        return -CRYPTO_E_CERT_MISMATCH;
    for (size_t i = 0; i < len; i++)
        if (toupper((unsigned char)cert_ref[i]) != ref[i])
            return -CRYPTO_E_CERT_MISMATCH;
    return 0;
}

static bool asn1_to_epoch(const ASN1_TIME *t, time_t *out)
{
    struct tm tm;
    if (!t || !ASN1_TIME_to_tm(t, &tm))
        return false;
    int64_t days = days_from_civil(tm.tm_year + 1900LL, tm.tm_mon + 1, tm.tm_mday);
    *out = (time_t)(days * SECONDS_PER_DAY + tm.tm_hour * 3600LL + tm.tm_min * 60LL + tm.tm_sec);
    return true;
}

/* "YYYY-MM-DD" (with_time false) or "YYYY-MM-DD HH:MM:SS UTC". */
static void format_time(time_t t, bool with_time, char *buf, size_t cap)
{
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(buf, cap, "?");
        return;
    }
    if (with_time)
        snprintf(buf, cap, "%04d-%02d-%02d %02d:%02d:%02d UTC", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    else
        snprintf(buf, cap, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* Messages are for people: a truncated one is still safe (snprintf). */
__attribute__((format(printf, 3, 4))) static void set_msg(char *msg, size_t cap, const char *fmt,
                                                          ...)
{
    if (!msg || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, cap, fmt, ap);
    va_end(ap);
}

/* Maps a failed X509_verify_cert() to a result and a message. */
static int chain_failure(X509_STORE_CTX *ctx, const char *day, char *msg, size_t msg_cap)
{
    int err = X509_STORE_CTX_get_error(ctx), depth = X509_STORE_CTX_get_error_depth(ctx);
    const char *what = depth == 0 ? "document signer certificate" : "CA certificate";
    const char *why = X509_verify_cert_error_string(err);
    switch (err) {
    case X509_V_ERR_CERT_NOT_YET_VALID:
        set_msg(msg, msg_cap, "the %s (chain depth %d) was not yet valid on %s", what, depth, day);
        return -CRYPTO_E_CERT_NOT_YET_VALID;
    case X509_V_ERR_CERT_HAS_EXPIRED:
        set_msg(msg, msg_cap, "the %s (chain depth %d) had expired on %s", what, depth, day);
        return -CRYPTO_E_CERT_EXPIRED;
    default:
        set_msg(msg, msg_cap,
                "the document signer certificate does not chain to a trusted CSCA: %s",
                why ? why : "unknown reason");
        return -CRYPTO_E_UNTRUSTED;
    }
}

int signer_cert_check(X509 *ds, X509_STORE *trust, time_t at, char *msg, size_t msg_cap)
{
    set_msg(msg, msg_cap, "ok");
    time_t day_start = at - (((at % SECONDS_PER_DAY) + SECONDS_PER_DAY) % SECONDS_PER_DAY);
    time_t day_end = day_start + SECONDS_PER_DAY - 1, not_before, not_after;
    char day[32], when[48];
    format_time(day_start, false, day, sizeof day);
    if (!ds || !asn1_to_epoch(X509_get0_notBefore(ds), &not_before) ||
        !asn1_to_epoch(X509_get0_notAfter(ds), &not_after)) {
        ERR_clear_error();
        set_msg(msg, msg_cap, "the document signer certificate has no readable validity period");
        return -CRYPTO_E_BAD_CERT;
    }
    if (not_before > day_end) {
        format_time(not_before, true, when, sizeof when);
        set_msg(msg, msg_cap,
                "the document signer certificate is valid from %s, after the signing date %s", when,
                day);
        return -CRYPTO_E_CERT_NOT_YET_VALID;
    }
    if (not_after < day_start) {
        format_time(not_after, true, when, sizeof when);
        set_msg(msg, msg_cap,
                "the document signer certificate expired %s, before the signing date %s", when,
                day);
        return -CRYPTO_E_CERT_EXPIRED;
    }
    if (!trust)
        return 0;

    /* The chain is checked at the first moment of the day the DS is valid. */
    time_t check_at = not_before > day_start ? not_before : day_start;
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    if (!ctx || !X509_STORE_CTX_init(ctx, trust, ds, NULL)) {
        X509_STORE_CTX_free(ctx);
        ERR_clear_error();
        set_msg(msg, msg_cap, "cannot set up certificate verification");
        return -CRYPTO_E_INTERNAL;
    }
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), check_at);
    int rc = 0;
    if (X509_verify_cert(ctx) != 1)
        rc = chain_failure(ctx, day, msg, msg_cap);
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
    return rc;
}

int signer_trust_load_mem(const uint8_t *data, size_t n, X509_STORE **out)
{
    if (n > SIGNER_TRUST_MAX)
        return -CRYPTO_E_TOO_LARGE;
    if (!data || n == 0)
        return -CRYPTO_E_BAD_CERT;
    BIO *bio = BIO_new_mem_buf(data, (int)n);
    X509_STORE *store = X509_STORE_new();
    int rc = 0, count = 0;
    if (!bio || !store)
        rc = -CRYPTO_E_INTERNAL;
    while (rc == 0) {
        X509 *x = PEM_read_bio_X509(bio, NULL, no_password, NULL);
        if (!x) {
            unsigned long e = ERR_peek_last_error();
            /* The end of the data shows as "no start line"; anything else
             * (a damaged block) or no certificate at all is an error. */
            if (count == 0 || ERR_GET_LIB(e) != ERR_LIB_PEM ||
                ERR_GET_REASON(e) != PEM_R_NO_START_LINE)
                rc = -CRYPTO_E_BAD_CERT;
            break;
        }
        if (++count > SIGNER_TRUST_CERTS_MAX)
            rc = -CRYPTO_E_TOO_LARGE;
        else if (!X509_STORE_add_cert(store, x))
            rc = -CRYPTO_E_BAD_CERT;
        X509_free(x);
    }
    ERR_clear_error();
    BIO_free(bio);
    if (rc) {
        X509_STORE_free(store);
        return rc;
    }
    *out = store;
    return 0;
}

int signer_trust_load_file(const char *path, X509_STORE **out)
{
    uint8_t *buf;
    size_t n;
    int rc = read_bounded(path, SIGNER_TRUST_MAX, &buf, &n);
    if (rc)
        return rc;
    rc = signer_trust_load_mem(buf, n, out);
    free(buf);
    return rc;
}
