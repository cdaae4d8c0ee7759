/*
 * test_revlist.c — the signed revocation list (src/verify/revlist.c): build →
 * parse → verify round trips, tampering, the wrong State's CSCA, freshness,
 * lookups, and one test per malformed encoding; plus the trust_err table.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/keys.h"
#include "test.h"
#include "verify/revlist.h"
#include "verify/trust_err.h"

#define T0 1790000000 /* 2026-09-21 */

/* A CSCA key + certificate of `state`, valid from `from`. */
static bool make_csca(const char *state, const char *curve, time_t from, EVP_PKEY **key,
                      X509 **cert)
{
    char alpha2[3];
    *key = NULL;
    *cert = NULL;
    if (keys_state_alpha2(state, alpha2) < 0 || keys_generate(curve, key) < 0)
        return false;
    if (keys_make_csca(*key, state, alpha2, from, cert) < 0) {
        EVP_PKEY_free(*key);
        *key = NULL;
        return false;
    }
    return true;
}

static X509_STORE *store_of(X509 *a, X509 *b)
{
    X509_STORE *s = X509_STORE_new();
    if (s && a)
        X509_STORE_add_cert(s, a);
    if (s && b)
        X509_STORE_add_cert(s, b);
    return s;
}

static const char sample_numbers[][16] = {"PK0000042", "AZ1234567", "B77", "AZ0000001",
                                          "AZ1234567"};

/* A signed AZE list of sample_numbers, issued T0, next update T0 + 1 day. */
static bool build_sample(EVP_PKEY *key, uint8_t **buf, size_t *len)
{
    return revlist_build("AZE", T0, T0 + 86400, sample_numbers, 5, key, buf, len) == 0;
}

struct fixture {
    EVP_PKEY *key;
    X509 *cert;
    uint8_t *buf;
    size_t len;
};

static bool fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    return make_csca("AZE", KEYS_DEFAULT_CURVE, T0 - 86400, &f->key, &f->cert) &&
           build_sample(f->key, &f->buf, &f->len);
}

static void fixture_free(struct fixture *f)
{
    EVP_PKEY_free(f->key);
    X509_free(f->cert);
    free(f->buf);
}

/* Parses a modified copy of a valid encoding: byte `off` set to `v`. */
static int parse_with(const uint8_t *buf, size_t len, size_t off, uint8_t v)
{
    uint8_t *copy = malloc(len);
    if (!copy)
        return 0;
    memcpy(copy, buf, len);
    copy[off] = v;
    struct revlist rl;
    int rc = revlist_parse(copy, len, &rl);
    revlist_free(&rl);
    free(copy);
    return rc;
}

TEST(revlist_round_trip_parses_and_verifies)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    struct revlist rl;
    CHECK_INT(revlist_parse(f.buf, f.len, &rl), 0);
    CHECK_STR(rl.state, "AZE");
    CHECK_INT(rl.issued, T0);
    CHECK_INT(rl.next_update, T0 + 86400);
    CHECK_INT(rl.count, 4); /* the duplicate is dropped */
    CHECK_INT(rl.sig_len, 64);
    CHECK_INT(f.len, REVLIST_HEADER_LEN + 4 * 9 + 1 + 64);
    X509_STORE *store = store_of(f.cert, NULL);
    X509 *which = NULL;
    CHECK_INT(revlist_verify(&rl, "AZE", store, &which), 0);
    CHECK(which != NULL && X509_cmp(which, f.cert) == 0);
    CHECK_INT(revlist_verify(&rl, NULL, store, NULL), 0);
    CHECK_INT(revlist_verify_cert(&rl, f.cert), 0);
    X509_STORE_free(store);
    revlist_free(&rl);
    fixture_free(&f);
}

TEST(revlist_build_sorts_and_pads_numbers)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    struct revlist rl;
    CHECK_INT(revlist_parse(f.buf, f.len, &rl), 0);
    CHECK(!memcmp(rl.numbers, "AZ0000001AZ1234567B77<<<<<<PK0000042", 36));
    CHECK(!memcmp(f.buf, "EVRL\001AZE", 8));
    revlist_free(&rl);
    fixture_free(&f);
}

TEST(revlist_contains_finds_listed_numbers_only)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    struct revlist rl;
    CHECK_INT(revlist_parse(f.buf, f.len, &rl), 0);
    CHECK(revlist_contains(&rl, "AZ1234567"));
    CHECK(revlist_contains(&rl, "AZ0000001"));
    CHECK(revlist_contains(&rl, "PK0000042"));
    CHECK(revlist_contains(&rl, "B77"));
    CHECK(revlist_contains(&rl, "B77<<<<<<"));
    CHECK(!revlist_contains(&rl, "AZ1234568"));
    CHECK(!revlist_contains(&rl, "az1234567"));
    CHECK(!revlist_contains(&rl, "AZ12345678"));
    CHECK(!revlist_contains(&rl, ""));
    CHECK(!revlist_contains(&rl, NULL));
    CHECK(!revlist_contains(NULL, "AZ1234567"));
    revlist_free(&rl);
    fixture_free(&f);
}

TEST(revlist_empty_list_round_trips)
{
    EVP_PKEY *key;
    X509 *cert;
    CHECK(make_csca("PAK", KEYS_DEFAULT_CURVE, T0 - 10, &key, &cert));
    uint8_t *buf = NULL;
    size_t len = 0;
    CHECK_INT(revlist_build("PAK", T0, T0 + 3600, NULL, 0, key, &buf, &len), 0);
    struct revlist rl;
    CHECK_INT(revlist_parse(buf, len, &rl), 0);
    CHECK_INT(rl.count, 0);
    CHECK(!revlist_contains(&rl, "AZ1234567"));
    CHECK_INT(revlist_verify_cert(&rl, cert), 0);
    revlist_free(&rl);
    free(buf);
    EVP_PKEY_free(key);
    X509_free(cert);
}

TEST(revlist_signature_follows_the_curve)
{
    static const struct {
        const char *curve;
        size_t sig_len;
    } curves[] = {{"secp384r1", 96}, {"brainpoolP256r1", 64}, {"secp521r1", 132}};
    for (size_t i = 0; i < sizeof curves / sizeof curves[0]; i++) {
        EVP_PKEY *key;
        X509 *cert;
        CHECK(make_csca("D", curves[i].curve, T0 - 10, &key, &cert));
        uint8_t *buf = NULL;
        size_t len = 0;
        CHECK_INT(revlist_build("D", T0, T0 + 3600, sample_numbers, 2, key, &buf, &len), 0);
        struct revlist rl;
        CHECK_INT(revlist_parse(buf, len, &rl), 0);
        CHECK_STR(rl.state, "D");
        CHECK(!memcmp(buf + 5, "D<<", 3));
        CHECK_INT(rl.sig_len, curves[i].sig_len);
        CHECK_INT(revlist_verify_cert(&rl, cert), 0);
        revlist_free(&rl);
        free(buf);
        EVP_PKEY_free(key);
        X509_free(cert);
    }
}

TEST(revlist_verify_rejects_any_altered_byte)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    for (size_t off = 0; off < f.len; off++) {
        f.buf[off] ^= 0x01;
        struct revlist rl;
        int rc = revlist_parse(f.buf, f.len, &rl);
        if (rc == 0)
            rc = revlist_verify_cert(&rl, f.cert);
        char ctx[32];
        snprintf(ctx, sizeof ctx, "byte %zu", off);
        CHECK_CTX(rc < 0, ctx);
        revlist_free(&rl);
        f.buf[off] ^= 0x01;
    }
    fixture_free(&f);
}

TEST(revlist_verify_rejects_tampered_number)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    f.buf[REVLIST_HEADER_LEN + 8] = '9'; /* AZ0000001 -> AZ0000009: still sorted */
    struct revlist rl;
    CHECK_INT(revlist_parse(f.buf, f.len, &rl), 0);
    X509_STORE *store = store_of(f.cert, NULL);
    CHECK_INT(revlist_verify(&rl, "AZE", store, NULL), -TRUST_E_SIGNATURE_INVALID);
    X509_STORE_free(store);
    revlist_free(&rl);
    fixture_free(&f);
}

TEST(revlist_verify_rejects_other_states_csca)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    EVP_PKEY *pak_key;
    X509 *pak;
    CHECK(make_csca("PAK", KEYS_DEFAULT_CURVE, T0 - 86400, &pak_key, &pak));
    struct revlist rl;
    CHECK_INT(revlist_parse(f.buf, f.len, &rl), 0);
    X509_STORE *store = store_of(pak, NULL);
    X509 *which = (X509 *)1;
    CHECK_INT(revlist_verify(&rl, "AZE", store, &which), -TRUST_E_SIGNATURE_INVALID);
    CHECK(which == NULL);
    CHECK_INT(revlist_verify_cert(&rl, pak), -TRUST_E_SIGNATURE_INVALID);
    X509_STORE_free(store);
    revlist_free(&rl);
    EVP_PKEY_free(pak_key);
    X509_free(pak);
    fixture_free(&f);
}

TEST(revlist_verify_picks_the_signing_csca_among_several)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    EVP_PKEY *old_key;
    X509 *old;
    CHECK(make_csca("AZE", KEYS_DEFAULT_CURVE, T0 - 86400, &old_key, &old));
    struct revlist rl;
    CHECK_INT(revlist_parse(f.buf, f.len, &rl), 0);
    X509_STORE *store = store_of(old, f.cert);
    X509 *which = NULL;
    CHECK_INT(revlist_verify(&rl, "AZE", store, &which), 0);
    CHECK(which != NULL && X509_cmp(which, f.cert) == 0);
    X509_STORE_free(store);
    revlist_free(&rl);
    EVP_PKEY_free(old_key);
    X509_free(old);
    fixture_free(&f);
}

TEST(revlist_verify_rejects_state_mismatch)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    struct revlist rl;
    CHECK_INT(revlist_parse(f.buf, f.len, &rl), 0);
    X509_STORE *store = store_of(f.cert, NULL);
    CHECK_INT(revlist_verify(&rl, "PAK", store, NULL), -TRUST_E_STATE_MISMATCH);
    X509_STORE_free(store);
    revlist_free(&rl);
    fixture_free(&f);
}

TEST(revlist_verify_needs_a_csca)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    struct revlist rl;
    CHECK_INT(revlist_parse(f.buf, f.len, &rl), 0);
    X509_STORE *empty = store_of(NULL, NULL);
    CHECK_INT(revlist_verify(&rl, "AZE", empty, NULL), -TRUST_E_NO_CSCA);
    CHECK_INT(revlist_verify(&rl, "AZE", NULL, NULL), -TRUST_E_NO_CSCA);
    X509_STORE_free(empty);
    revlist_free(&rl);
    fixture_free(&f);
}

TEST(revlist_fresh_checks_next_update_and_skew)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    struct revlist rl;
    CHECK_INT(revlist_parse(f.buf, f.len, &rl), 0);
    CHECK_INT(revlist_fresh(&rl, T0), 0);
    CHECK_INT(revlist_fresh(&rl, T0 + 86400), 0);
    CHECK_INT(revlist_fresh(&rl, T0 + 86401), -TRUST_E_STALE);
    CHECK_INT(revlist_fresh(&rl, T0 - REVLIST_SKEW), 0);
    CHECK_INT(revlist_fresh(&rl, T0 - REVLIST_SKEW - 1), -TRUST_E_NOT_YET_VALID);
    revlist_free(&rl);
    fixture_free(&f);
}

TEST(revlist_build_rejects_bad_state)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    uint8_t *buf = NULL;
    size_t len = 0;
    const char *bad[] = {"", "AZEX", "aze", "A1", "A<"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_CTX(revlist_build(bad[i], T0, T0 + 1, NULL, 0, f.key, &buf, &len) ==
                      -TRUST_E_BAD_STATE,
                  bad[i]);
    CHECK_INT(revlist_build(NULL, T0, T0 + 1, NULL, 0, f.key, &buf, &len), -TRUST_E_BAD_STATE);
    fixture_free(&f);
}

TEST(revlist_build_rejects_bad_times)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    uint8_t *buf = NULL;
    size_t len = 0;
    CHECK_INT(revlist_build("AZE", T0, T0, NULL, 0, f.key, &buf, &len), -TRUST_E_BAD_TIME);
    CHECK_INT(revlist_build("AZE", T0, T0 - 1, NULL, 0, f.key, &buf, &len), -TRUST_E_BAD_TIME);
    CHECK_INT(revlist_build("AZE", -1, T0, NULL, 0, f.key, &buf, &len), -TRUST_E_BAD_TIME);
    CHECK_INT(revlist_build("AZE", T0, (time_t)REVLIST_TIME_MAX + 1, NULL, 0, f.key, &buf, &len),
              -TRUST_E_BAD_TIME);
    fixture_free(&f);
}

TEST(revlist_build_rejects_bad_numbers)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    static const char bad[][16] = {"", "<AB123", "ab123", "AB-123", "AB12345678", "AB 12"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t *buf = NULL;
        size_t len = 0;
        CHECK_CTX(revlist_build("AZE", T0, T0 + 1, &bad[i], 1, f.key, &buf, &len) ==
                      -TRUST_E_BAD_NUMBER,
                  bad[i]);
    }
    char unterminated[1][16];
    memset(unterminated, 'A', sizeof unterminated);
    uint8_t *buf = NULL;
    size_t len = 0;
    CHECK_INT(
        revlist_build("AZE", T0, T0 + 1, (const char(*)[16])unterminated, 1, f.key, &buf, &len),
        -TRUST_E_BAD_NUMBER);
    CHECK_INT(revlist_build("AZE", T0, T0 + 1, NULL, 1, f.key, &buf, &len), -TRUST_E_BAD_NUMBER);
    fixture_free(&f);
}

TEST(revlist_build_rejects_too_many_numbers)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    uint8_t *buf = NULL;
    size_t len = 0;
    CHECK_INT(revlist_build("AZE", T0, T0 + 1, sample_numbers, (size_t)REVLIST_MAX + 1, f.key, &buf,
                            &len),
              -TRUST_E_TOO_MANY);
    fixture_free(&f);
}

TEST(revlist_build_rejects_missing_or_public_key)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    uint8_t *buf = NULL;
    size_t len = 0;
    CHECK_INT(revlist_build("AZE", T0, T0 + 1, NULL, 0, NULL, &buf, &len), -TRUST_E_BAD_KEY);
    /* not an EC key */
    EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    CHECK(ed != NULL);
    CHECK_INT(revlist_build("AZE", T0, T0 + 1, NULL, 0, ed, &buf, &len), -TRUST_E_BAD_KEY);
    EVP_PKEY_free(ed);
    fixture_free(&f);
}

TEST(revlist_parse_rejects_too_large)
{
    size_t n = REVLIST_FILE_MAX + 1;
    uint8_t *big = calloc(1, n);
    CHECK(big != NULL);
    memcpy(big, "EVRL", 4);
    struct revlist rl;
    CHECK_INT(revlist_parse(big, n, &rl), -TRUST_E_TOO_LARGE);
    free(big);
}

TEST(revlist_parse_rejects_truncation)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    struct revlist rl;
    CHECK_INT(revlist_parse(f.buf, 0, &rl), -TRUST_E_TRUNCATED);
    CHECK_INT(revlist_parse(f.buf, 3, &rl), -TRUST_E_TRUNCATED);
    CHECK_INT(revlist_parse(f.buf, REVLIST_HEADER_LEN - 1, &rl), -TRUST_E_TRUNCATED);
    CHECK_INT(revlist_parse(f.buf, REVLIST_HEADER_LEN + 10, &rl), -TRUST_E_TRUNCATED);
    CHECK_INT(revlist_parse(f.buf, f.len - 1, &rl), -TRUST_E_TRUNCATED);
    CHECK_INT(revlist_parse(NULL, 5, &rl), -TRUST_E_TRUNCATED);
    fixture_free(&f);
}

TEST(revlist_parse_rejects_bad_magic)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    CHECK_INT(parse_with(f.buf, f.len, 0, 'X'), -TRUST_E_BAD_MAGIC);
    CHECK_INT(parse_with(f.buf, f.len, 3, 'l'), -TRUST_E_BAD_MAGIC);
    fixture_free(&f);
}

TEST(revlist_parse_rejects_unsupported_version)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    CHECK_INT(parse_with(f.buf, f.len, 4, 0), -TRUST_E_UNSUPPORTED_VERSION);
    CHECK_INT(parse_with(f.buf, f.len, 4, 2), -TRUST_E_UNSUPPORTED_VERSION);
    fixture_free(&f);
}

TEST(revlist_parse_rejects_bad_state)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    CHECK_INT(parse_with(f.buf, f.len, 5, '<'), -TRUST_E_BAD_STATE);
    CHECK_INT(parse_with(f.buf, f.len, 6, '<'), -TRUST_E_BAD_STATE); /* "A<E" */
    CHECK_INT(parse_with(f.buf, f.len, 7, 'e'), -TRUST_E_BAD_STATE);
    CHECK_INT(parse_with(f.buf, f.len, 7, ' '), -TRUST_E_BAD_STATE);
    fixture_free(&f);
}

TEST(revlist_parse_rejects_bad_times)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    /* next_update's top byte set: beyond year 9999 */
    CHECK_INT(parse_with(f.buf, f.len, 16, 0x01), -TRUST_E_BAD_TIME);
    /* issued beyond year 9999 */
    CHECK_INT(parse_with(f.buf, f.len, 8, 0x80), -TRUST_E_BAD_TIME);
    /* issued after next_update: raise issued's third byte */
    CHECK_INT(parse_with(f.buf, f.len, 12, 0xFF), -TRUST_E_BAD_TIME);
    /* equal times */
    uint8_t *copy = malloc(f.len);
    CHECK(copy != NULL);
    memcpy(copy, f.buf, f.len);
    memcpy(copy + 16, copy + 8, 8);
    struct revlist rl;
    CHECK_INT(revlist_parse(copy, f.len, &rl), -TRUST_E_BAD_TIME);
    free(copy);
    fixture_free(&f);
}

TEST(revlist_parse_rejects_too_many)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    /* count = 0x000186A1 = REVLIST_MAX + 1 */
    uint8_t *copy = malloc(f.len);
    CHECK(copy != NULL);
    memcpy(copy, f.buf, f.len);
    copy[24] = 0x00;
    copy[25] = 0x01;
    copy[26] = 0x86;
    copy[27] = 0xA1;
    struct revlist rl;
    CHECK_INT(revlist_parse(copy, f.len, &rl), -TRUST_E_TOO_MANY);
    copy[24] = 0xFF;
    CHECK_INT(revlist_parse(copy, f.len, &rl), -TRUST_E_TOO_MANY);
    free(copy);
    fixture_free(&f);
}

TEST(revlist_parse_rejects_bad_numbers)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    CHECK_INT(parse_with(f.buf, f.len, REVLIST_HEADER_LEN + 2, 'a'), -TRUST_E_BAD_NUMBER);
    CHECK_INT(parse_with(f.buf, f.len, REVLIST_HEADER_LEN + 9, '<'), -TRUST_E_BAD_NUMBER);
    CHECK_INT(parse_with(f.buf, f.len, REVLIST_HEADER_LEN + 30, 0), -TRUST_E_BAD_NUMBER);
    fixture_free(&f);
}

TEST(revlist_parse_rejects_unsorted_or_duplicate_numbers)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    /* second number AZ1234567 -> AA1234567 sorts before AZ0000001 */
    CHECK_INT(parse_with(f.buf, f.len, REVLIST_HEADER_LEN + 10, 'A'), -TRUST_E_NOT_SORTED);
    uint8_t *copy = malloc(f.len);
    CHECK(copy != NULL);
    memcpy(copy, f.buf, f.len);
    memcpy(copy + REVLIST_HEADER_LEN + 9, copy + REVLIST_HEADER_LEN, 9); /* duplicate */
    struct revlist rl;
    CHECK_INT(revlist_parse(copy, f.len, &rl), -TRUST_E_NOT_SORTED);
    free(copy);
    fixture_free(&f);
}

TEST(revlist_parse_rejects_bad_signature_length)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    size_t at = REVLIST_HEADER_LEN + 4 * 9;
    CHECK_INT(parse_with(f.buf, f.len, at, 0), -TRUST_E_BAD_SIG_LENGTH);
    CHECK_INT(parse_with(f.buf, f.len, at, 63), -TRUST_E_BAD_SIG_LENGTH);
    CHECK_INT(parse_with(f.buf, f.len, at, 134), -TRUST_E_BAD_SIG_LENGTH);
    CHECK_INT(parse_with(f.buf, f.len, at, 66), -TRUST_E_TRUNCATED);
    CHECK_INT(parse_with(f.buf, f.len, at, 62), -TRUST_E_TRAILING_DATA);
    fixture_free(&f);
}

TEST(revlist_parse_rejects_trailing_data)
{
    struct fixture f;
    CHECK(fixture_init(&f));
    uint8_t *longer = malloc(f.len + 1);
    CHECK(longer != NULL);
    memcpy(longer, f.buf, f.len);
    longer[f.len] = 0;
    struct revlist rl;
    CHECK_INT(revlist_parse(longer, f.len + 1, &rl), -TRUST_E_TRAILING_DATA);
    free(longer);
    fixture_free(&f);
}

TEST(trust_err_codes_have_distinct_names)
{
    for (int e = TRUST_E__BASE + 1; e < TRUST_E__MAX; e++) {
        CHECK(strcmp(trust_err_code(e), "unknown") != 0);
        CHECK(strcmp(trust_err_code(-e), trust_err_code(e)) == 0);
        CHECK(trust_err_message(e)[0] != '\0');
        for (int o = TRUST_E__BASE + 1; o < e; o++)
            CHECK(strcmp(trust_err_code(o), trust_err_code(e)) != 0);
    }
    CHECK_STR(trust_err_code(0), "ok");
    CHECK_STR(trust_err_code(TRUST_E__MAX), "unknown");
    CHECK_STR(trust_err_code(TRUST_E__BASE), "unknown");
    CHECK_STR(trust_err_code(5), "unknown");
}
