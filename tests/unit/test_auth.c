/*
 * test_auth.c — officer authentication primitives (src/auth): Argon2id
 * password hashes and the new-password rules, RFC 6238 TOTP codes against
 * the RFC's vectors, random tokens, account e-mail addresses and the error
 * table.  Hashing tests use cheap Argon2 parameters except one that checks
 * the production ones.
 */
#include "test.h"

#include <stdio.h>

#include "auth/auth_err.h"
#include "auth/email.h"
#include "auth/password.h"
#include "auth/token.h"
#include "auth/totp.h"

static const struct password_params cheap = {1, 8, 1};

/* base32 of the RFC 6238 SHA1 seed "12345678901234567890". */
#define RFC_SECRET "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

/* ---- passwords --------------------------------------------------------- */

TEST(password_hash_writes_argon2id_encoding_of_its_params)
{
    char enc[PASSWORD_ENCODED_MAX];
    CHECK_INT(password_hash_params("correct horse battery", &cheap, enc, sizeof enc), 0);
    CHECK(!strncmp(enc, "$argon2id$v=19$m=8,t=1,p=1$", 27));
    struct password_params p;
    CHECK_INT(password_params_of(enc, &p), 0);
    CHECK(p.t_cost == 1 && p.m_cost_kib == 8 && p.parallelism == 1);
}

TEST(password_hash_uses_default_params_64mib_t3_p1)
{
    char enc[PASSWORD_ENCODED_MAX];
    CHECK_INT(password_hash("correct horse battery", enc, sizeof enc), 0);
    CHECK(!strncmp(enc, "$argon2id$v=19$m=65536,t=3,p=1$", 31));
    CHECK_INT(password_verify(enc, "correct horse battery"), 0);
    CHECK(!password_needs_rehash(enc));
}

TEST(password_hash_uses_a_fresh_salt_each_time)
{
    char a[PASSWORD_ENCODED_MAX], b[PASSWORD_ENCODED_MAX];
    CHECK_INT(password_hash_params("same password here", &cheap, a, sizeof a), 0);
    CHECK_INT(password_hash_params("same password here", &cheap, b, sizeof b), 0);
    CHECK(strcmp(a, b) != 0);
    CHECK_INT(password_verify(a, "same password here"), 0);
    CHECK_INT(password_verify(b, "same password here"), 0);
}

TEST(password_verify_accepts_the_right_password)
{
    char enc[PASSWORD_ENCODED_MAX];
    CHECK_INT(password_hash_params("Ünïcödé pässwörd ✓", &cheap, enc, sizeof enc), 0);
    CHECK_INT(password_verify(enc, "Ünïcödé pässwörd ✓"), 0);
}

TEST(password_verify_reports_mismatch)
{
    char enc[PASSWORD_ENCODED_MAX];
    CHECK_INT(password_hash_params("correct horse battery", &cheap, enc, sizeof enc), 0);
    CHECK_INT(password_verify(enc, "correct horse batterY"), -AUTH_E_MISMATCH);
    CHECK_INT(password_verify(enc, ""), -AUTH_E_MISMATCH);
    /* A changed hash byte is a mismatch too. */
    size_t n = strlen(enc);
    enc[n - 2] = enc[n - 2] == 'A' ? 'B' : 'A';
    CHECK_INT(password_verify(enc, "correct horse battery"), -AUTH_E_MISMATCH);
}

TEST(password_verify_rejects_malformed_hashes)
{
    static const char *const bad[] = {
        "",
        "plaintext",
        "$argon2i$v=19$m=8,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2d$v=19$m=8,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=16$m=8,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHRzb21lc2FsdA",
        "$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA$",
        "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=08,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=4,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=8,t=0,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=8,t=1,p=0$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        /* a corrupted row must not make the server allocate 4 GiB */
        "$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=8,t=99,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=99999999999,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHRzb21lc2FsdA=$aGFzaGhhc2hoYXNoaGFzaA",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_CTX(password_verify(bad[i], "anything") == -AUTH_E_BAD_HASH, bad[i]);
        CHECK_CTX(password_needs_rehash(bad[i]), bad[i]);
    }
    char longer[PASSWORD_ENCODED_MAX + 8];
    memset(longer, 'A', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    memcpy(longer, "$argon2id$v=19$m=8,t=1,p=1$", 27);
    CHECK_INT(password_verify(longer, "anything"), -AUTH_E_BAD_HASH);
}

TEST(password_verify_rejects_null_arguments)
{
    CHECK_INT(password_verify(NULL, "x"), -AUTH_E_INVALID);
    CHECK_INT(password_verify("$argon2id$", NULL), -AUTH_E_INVALID);
    struct password_params p;
    CHECK_INT(password_params_of(NULL, &p), -AUTH_E_INVALID);
}

TEST(password_hash_and_verify_refuse_overlong_passwords)
{
    char pw[PASSWORD_MAX_BYTES + 2], enc[PASSWORD_ENCODED_MAX];
    memset(pw, 'x', PASSWORD_MAX_BYTES);
    pw[PASSWORD_MAX_BYTES] = '\0';
    CHECK_INT(password_hash_params(pw, &cheap, enc, sizeof enc), 0); /* 256 bytes: fine */
    CHECK_INT(password_verify(enc, pw), 0);
    pw[PASSWORD_MAX_BYTES] = 'x';
    pw[PASSWORD_MAX_BYTES + 1] = '\0';
    CHECK_INT(password_hash_params(pw, &cheap, enc, sizeof enc), -AUTH_E_TOO_LONG);
    CHECK_INT(password_hash(pw, enc, sizeof enc), -AUTH_E_TOO_LONG);
    CHECK_INT(password_verify(
                  "$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA", pw),
              -AUTH_E_TOO_LONG);
}

TEST(password_hash_rejects_unusable_params)
{
    char enc[PASSWORD_ENCODED_MAX];
    const struct password_params bad[] = {
        {0, 8, 1},
        {1, 7, 1},
        {1, 15, 2},
        {1, 8, 0},
        {PASSWORD_T_COST_MAX + 1, 8, 1},
        {1, PASSWORD_M_COST_MAX + 1, 1},
        {1, 64, PASSWORD_P_MAX + 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(password_hash_params("correct horse battery", &bad[i], enc, sizeof enc),
                  -AUTH_E_INVALID);
    CHECK_INT(password_hash_params("correct horse battery", NULL, enc, sizeof enc),
              -AUTH_E_INVALID);
    CHECK_INT(password_hash_params(NULL, &cheap, enc, sizeof enc), -AUTH_E_INVALID);
    CHECK_INT(password_hash_params("x", &cheap, NULL, 10), -AUTH_E_INVALID);
}

TEST(password_hash_reports_a_small_buffer)
{
    char enc[64];
    CHECK_INT(password_hash_params("correct horse battery", &cheap, enc, sizeof enc),
              -AUTH_E_NO_SPACE);
    CHECK_STR(enc, "");
}

TEST(password_needs_rehash_when_params_are_not_the_defaults)
{
    char enc[PASSWORD_ENCODED_MAX];
    CHECK_INT(password_hash_params("correct horse battery", &cheap, enc, sizeof enc), 0);
    CHECK(password_needs_rehash(enc));
    CHECK(password_needs_rehash(NULL));
}

/* Whether pw is acceptable for email; why gets the reason. */
static bool acceptable(const char *pw, const char *email, char *why)
{
    return password_acceptable(pw, email, why, 128);
}

TEST(password_acceptable_takes_long_passphrases)
{
    char why[128] = "x";
    CHECK(acceptable("correct horse battery staple", "aysel.quliyeva@mfa.gov.az", why));
    CHECK_STR(why, "");
    CHECK(acceptable("Tr0ub4dor&3xyz", NULL, why));
    CHECK(acceptable("840217395612", "k@x.az", why)); /* digits alone are not refused */
    CHECK(password_acceptable("vq8#Lm2!zP0w", NULL, NULL, 0));
}

TEST(password_acceptable_counts_characters_not_bytes)
{
    char why[128];
    /* 11 characters, 22 bytes: too short. */
    CHECK(!acceptable("əşçöüğıəşçö", NULL, why));
    CHECK_STR(why, "the password must be at least 12 characters long");
    /* 12 characters. */
    CHECK(acceptable("Şəhər gəzmək", NULL, why));
    CHECK(acceptable("شہر میں بارش", NULL, why));
}

TEST(password_acceptable_rejects_short_passwords)
{
    char why[128];
    CHECK(!acceptable("xk3!vq9#Lm2", NULL, why));
    CHECK_STR(why, "the password must be at least 12 characters long");
    CHECK(!acceptable("", NULL, why));
}

TEST(password_acceptable_rejects_overlong_passwords)
{
    char pw[PASSWORD_MAX_BYTES + 2], why[128];
    for (size_t i = 0; i < sizeof pw - 1; i++)
        pw[i] = (char)('a' + i % 26);
    pw[sizeof pw - 1] = '\0';
    CHECK(!acceptable(pw, NULL, why));
    CHECK_STR(why, "the password is longer than 256 bytes");
}

TEST(password_acceptable_rejects_repetitive_passwords)
{
    char why[128];
    static const char *const bad[] = {"aaaaaaaaaaaa", "abababababab", "abcdabcdabcd",
                                      "1111122222333", "AaAaAaBbBbBb"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_CTX(!acceptable(bad[i], NULL, why), bad[i]);
        CHECK_CTX(!strcmp(why, "the password repeats too few different characters"), bad[i]);
    }
}

TEST(password_acceptable_rejects_sequences)
{
    char why[128];
    static const char *const bad[] = {"123456789012", "0987654321098", "abcdefghijklm",
                                      "ZYXWVUTSRQPON", "789012345678"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_CTX(!acceptable(bad[i], NULL, why), bad[i]);
        CHECK_CTX(!strcmp(why, "the password is a simple sequence of characters"), bad[i]);
    }
}

TEST(password_acceptable_rejects_the_email_local_part)
{
    char why[128];
    const char *email = "Aysel.Quliyeva@mfa.gov.az";
    CHECK(!acceptable("my aysel.quliyeva pw", email, why));
    CHECK_STR(why, "the password must not contain your e-mail address or name");
    CHECK(!acceptable("QULIYEVA-2024-04-01", email, why));
    CHECK(!acceptable("horse aysel battery", email, why));
    /* Parts shorter than 3 characters are not words of the address. */
    CHECK(acceptable("correct horse battery", "ab.c-d@x.az", why));
}

TEST(password_acceptable_rejects_common_passwords)
{
    char why[128];
    static const char *const bad[] = {"1q2w3e4r5t6y", "1QAZ2WSX3EDC", "112233445566",
                                      "qwertyuiopasdfgh"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_CTX(!acceptable(bad[i], NULL, why), bad[i]);
    CHECK(!acceptable("112233445566", NULL, why));
    CHECK_STR(why, "the password is one of the most common passwords");
}

TEST(password_acceptable_rejects_passwords_built_from_common_words)
{
    char why[128];
    static const char *const bad[] = {"Password2024!",  "qwerty123456",    "P@ssw0rd2024",
                                      "letmeinletmein", "2024-Evisa-2024", "iloveyou!!!!1",
                                      "Adm1nistrator",  "L3tm31n12345"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_CTX(!acceptable(bad[i], NULL, why), bad[i]);
        CHECK_CTX(!strcmp(why, "the password is built from a common password or word"), bad[i]);
    }
}

TEST(password_acceptable_rejects_invalid_text)
{
    char why[128];
    CHECK(!acceptable("correct horse \xff battery", NULL, why));
    CHECK_STR(why, "the password is not valid UTF-8 text");
    CHECK(!acceptable("overlong \xc0\xaf slash pw", NULL, why));
    CHECK(!acceptable("surrogate \xed\xa0\x80 here pw", NULL, why));
    CHECK(!acceptable("truncated sequence \xe2\x82", NULL, why));
    CHECK(!acceptable("correct horse\tbattery", NULL, why));
    CHECK_STR(why, "the password contains control characters");
    CHECK(!acceptable(NULL, NULL, why));
    CHECK_STR(why, "no password given");
}

TEST(password_acceptable_truncates_the_reason_to_cap)
{
    char why[8];
    CHECK(!password_acceptable("short", NULL, why, sizeof why));
    CHECK_STR(why, "the pas");
}

/* ---- TOTP -------------------------------------------------------------- */

TEST(totp_code_matches_rfc6238_sha1_vectors)
{
    /* RFC 6238 appendix B, SHA1, last six of the eight digits. */
    static const struct {
        time_t t;
        const char *code;
    } v[] = {{59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
             {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char code[7];
        CHECK_CTX(totp_code(RFC_SECRET, v[i].t, code) == 0, v[i].code);
        CHECK_CTX(!strcmp(code, v[i].code), v[i].code);
    }
}

TEST(totp_code_accepts_lower_case_spaces_and_padding)
{
    char code[7];
    CHECK_INT(totp_code("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", 59, code), 0);
    CHECK_STR(code, "287082");
    /* 16 bytes = 26 characters + 6 '=' of padding */
    char a[7], b[7];
    CHECK_INT(totp_code("GEZDGNBVGY3TQOJQGEZDGNBVGY", 59, a), 0);
    CHECK_INT(totp_code("GEZDGNBVGY3TQOJQGEZDGNBVGY======", 59, b), 0);
    CHECK_STR(a, b);
}

TEST(totp_code_rejects_bad_secrets)
{
    char code[7];
    static const char *const bad[] = {
        "",                                  /* empty */
        "GE1DGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",  /* 1 is not base32 */
        "GEZDGNBVGY3TQOJQ",                  /* 10 bytes: under 128 bits */
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQG", /* 33 characters: not whole bytes */
        "GEZDGNBVGY3TQOJQ=GEZDGNBVGY3TQOJQ", /* padding inside */
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ-", /* stray character */
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3T", /* 67 bytes */
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZD", /* too long to read */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_CTX(totp_code(bad[i], 59, code) == -AUTH_E_BAD_SECRET, bad[i]);
    CHECK_INT(totp_code(NULL, 59, code), -AUTH_E_INVALID);
}

TEST(totp_code_rejects_times_out_of_range)
{
    char code[7];
    CHECK_INT(totp_code(RFC_SECRET, -1, code), -AUTH_E_INVALID);
    CHECK_INT(totp_code(RFC_SECRET, (time_t)253402300800, code), -AUTH_E_INVALID);
    CHECK_INT(totp_code(RFC_SECRET, 59, NULL), -AUTH_E_INVALID);
}

TEST(totp_verify_accepts_the_current_code_and_reports_its_step)
{
    int64_t step = -1;
    CHECK_INT(totp_verify(RFC_SECRET, "081804", 1111111109, 1, &step), 0);
    CHECK_INT(step, 1111111109 / 30);
    CHECK_INT(totp_verify(RFC_SECRET, "081 804", 1111111109, 0, NULL), 0);
}

TEST(totp_verify_accepts_one_step_either_side)
{
    char prev[7], next[7];
    time_t now = 1700000015; /* step 56666667 */
    CHECK_INT(totp_code(RFC_SECRET, now - 30, prev), 0);
    CHECK_INT(totp_code(RFC_SECRET, now + 30, next), 0);
    int64_t step = 0;
    CHECK_INT(totp_verify(RFC_SECRET, prev, now, 1, &step), 0);
    CHECK_INT(step, now / 30 - 1);
    CHECK_INT(totp_verify(RFC_SECRET, next, now, 1, &step), 0);
    CHECK_INT(step, now / 30 + 1);
    /* Not with window 0. */
    CHECK_INT(totp_verify(RFC_SECRET, prev, now, 0, &step), -AUTH_E_MISMATCH);
    CHECK_INT(totp_verify(RFC_SECRET, next, now, 0, &step), -AUTH_E_MISMATCH);
}

TEST(totp_verify_rejects_codes_two_steps_away)
{
    char old[7], future[7], cur[7];
    time_t now = 1700000015;
    CHECK_INT(totp_code(RFC_SECRET, now - 60, old), 0);
    CHECK_INT(totp_code(RFC_SECRET, now + 60, future), 0);
    CHECK_INT(totp_code(RFC_SECRET, now, cur), 0);
    if (strcmp(old, cur) != 0)
        CHECK_INT(totp_verify(RFC_SECRET, old, now, 1, NULL), -AUTH_E_MISMATCH);
    if (strcmp(future, cur) != 0)
        CHECK_INT(totp_verify(RFC_SECRET, future, now, 1, NULL), -AUTH_E_MISMATCH);
    CHECK_INT(totp_verify(RFC_SECRET, old, now, 2, NULL), 0);
}

TEST(totp_verify_rejects_a_wrong_code)
{
    int64_t step = 42;
    CHECK_INT(totp_verify(RFC_SECRET, "287083", 59, 1, &step), -AUTH_E_MISMATCH);
    CHECK_INT(step, 42); /* untouched */
    CHECK_INT(totp_verify(RFC_SECRET, "000000", 59, 1, NULL), -AUTH_E_MISMATCH);
    /* The right code for another secret. */
    char other[33], code[7];
    CHECK_INT(totp_new_secret(other, sizeof other), 0);
    CHECK_INT(totp_code(other, 59, code), 0);
    if (strcmp(code, "287082") != 0)
        CHECK_INT(totp_verify(RFC_SECRET, code, 59, 1, NULL), -AUTH_E_MISMATCH);
}

TEST(totp_verify_rejects_malformed_codes)
{
    static const char *const bad[] = {"",       "28708",    "2870822", "28708a",
                                      "+87082", "287082\n", "      "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_CTX(totp_verify(RFC_SECRET, bad[i], 59, 1, NULL) == -AUTH_E_BAD_CODE, bad[i]);
}

TEST(totp_verify_rejects_bad_arguments)
{
    CHECK_INT(totp_verify(RFC_SECRET, "287082", 59, -1, NULL), -AUTH_E_INVALID);
    CHECK_INT(totp_verify(RFC_SECRET, "287082", 59, TOTP_WINDOW_MAX + 1, NULL), -AUTH_E_INVALID);
    CHECK_INT(totp_verify(RFC_SECRET, "287082", -5, 1, NULL), -AUTH_E_INVALID);
    CHECK_INT(totp_verify(RFC_SECRET, NULL, 59, 1, NULL), -AUTH_E_INVALID);
    CHECK_INT(totp_verify(NULL, "287082", 59, 1, NULL), -AUTH_E_INVALID);
    CHECK_INT(totp_verify("GE1D", "287082", 59, 1, NULL), -AUTH_E_BAD_SECRET);
}

TEST(totp_verify_at_time_zero_skips_negative_steps)
{
    char code[7];
    CHECK_INT(totp_code(RFC_SECRET, 0, code), 0);
    int64_t step = -1;
    CHECK_INT(totp_verify(RFC_SECRET, code, 0, 1, &step), 0);
    CHECK_INT(step, 0);
}

TEST(totp_new_secret_is_32_base32_characters_of_fresh_randomness)
{
    char a[33], b[33], code[7];
    CHECK_INT(totp_new_secret(a, sizeof a), 0);
    CHECK_INT(totp_new_secret(b, sizeof b), 0);
    CHECK_INT(strlen(a), 32);
    CHECK_INT(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 32);
    CHECK(strcmp(a, b) != 0);
    CHECK_INT(totp_code(a, 1700000000, code), 0);
    CHECK_INT(totp_verify(a, code, 1700000000, 1, NULL), 0);
}

TEST(totp_new_secret_reports_a_small_buffer)
{
    char s[32];
    CHECK_INT(totp_new_secret(s, sizeof s), -AUTH_E_NO_SPACE);
    CHECK_INT(totp_new_secret(NULL, 64), -AUTH_E_INVALID);
}

TEST(totp_uri_percent_encodes_issuer_and_account)
{
    char uri[512];
    CHECK_INT(totp_uri("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", "evisa AZE", "aysel+1@mfa.gov.az",
                       uri, sizeof uri),
              0);
    CHECK_STR(uri, "otpauth://totp/evisa%20AZE:aysel%2B1%40mfa.gov.az?secret="
                   "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=evisa%20AZE&digits=6&period=30"
                   "&algorithm=SHA1");
    CHECK_INT(totp_uri(RFC_SECRET, "Ə:x", "a_b~c.d-e", uri, sizeof uri), 0);
    CHECK(!strncmp(uri, "otpauth://totp/%C6%8F%3Ax:a_b~c.d-e?", 36));
}

TEST(totp_uri_rejects_bad_input_and_small_buffers)
{
    char uri[64];
    CHECK_INT(totp_uri(RFC_SECRET, "evisa", "a@b.az", uri, sizeof uri), -AUTH_E_NO_SPACE);
    CHECK_STR(uri, "");
    char big[256];
    CHECK_INT(totp_uri("GE1D", "evisa", "a@b.az", big, sizeof big), -AUTH_E_BAD_SECRET);
    CHECK_INT(totp_uri(RFC_SECRET, "", "a@b.az", big, sizeof big), -AUTH_E_INVALID);
    CHECK_INT(totp_uri(RFC_SECRET, "evisa", "", big, sizeof big), -AUTH_E_INVALID);
    CHECK_INT(totp_uri(RFC_SECRET, "evisa", "a@b.az", NULL, 0), -AUTH_E_INVALID);
}

/* ---- tokens ------------------------------------------------------------ */

TEST(token_new_is_43_base64url_characters_and_unique)
{
    char a[48], b[48];
    CHECK_INT(token_new(a), 0);
    CHECK_INT(token_new(b), 0);
    CHECK_INT(strlen(a), TOKEN_CHARS);
    CHECK(token_well_formed(a) && token_well_formed(b));
    CHECK(strcmp(a, b) != 0);
    CHECK_INT(token_new(NULL), -AUTH_E_INVALID);
}

TEST(token_hash_is_sha256_hex)
{
    char h[65];
    CHECK_INT(token_hash("abc", h), 0);
    CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK_INT(token_hash("", h), 0);
    CHECK_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK_INT(token_hash(NULL, h), -AUTH_E_INVALID);
    CHECK_INT(token_hash("abc", NULL), -AUTH_E_INVALID);
}

TEST(token_equal_compares_whole_strings)
{
    CHECK(token_equal("abc", "abc"));
    CHECK(token_equal("", ""));
    CHECK(!token_equal("abc", "abd"));
    CHECK(!token_equal("abc", "abcd"));
    CHECK(!token_equal("abcd", "abc"));
    CHECK(!token_equal(NULL, "abc"));
    CHECK(!token_equal("abc", NULL));
}

TEST(token_well_formed_rejects_other_strings)
{
    CHECK(!token_well_formed(NULL));
    CHECK(!token_well_formed(""));
    CHECK(!token_well_formed("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));   /* 42 */
    CHECK(!token_well_formed("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")); /* 44 */
    CHECK(!token_well_formed("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+"));  /* '+' */
    CHECK(token_well_formed("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-_9"));
}

/* ---- e-mail addresses -------------------------------------------------- */

TEST(email_normalise_lower_cases_valid_addresses)
{
    char out[EMAIL_MAX + 1];
    CHECK_INT(email_normalise("  Aysel.Quliyeva@MFA.gov.AZ ", out, sizeof out), 0);
    CHECK_STR(out, "aysel.quliyeva@mfa.gov.az");
    CHECK_INT(email_normalise("o'brien+visa@x-y.example", out, sizeof out), 0);
    CHECK_STR(out, "o'brien+visa@x-y.example");
}

TEST(email_normalise_rejects_malformed_addresses)
{
    static const char *const bad[] = {
        "",
        "plain",
        "@mfa.gov.az",
        "a@",
        "a@b",
        "a@@b.az",
        "a@b@c.az",
        ".a@b.az",
        "a.@b.az",
        "a..b@c.az",
        "a b@c.az",
        "a@-b.az",
        "a@b-.az",
        "a@b..az",
        "a@.b.az",
        "a@b.az.",
        "a@1.2.3.4",
        "a\"b@c.az",
        "a@b_c.az",
        "ə@b.az",
        "a@[127.0.0.1]",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@b.az",   /* 65 */
        "a@bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.az", /* 64 label */
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@bbbbbbbbbbbbbbbbbbbbbbbb"
        "bbbbbbbbbbbbbbbbbbbbb.bbbbbbbbbbbbbbbbbbbbbbbbbbbb.az", /* 128 bytes */
    };
    char out[EMAIL_MAX + 1];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_CTX(email_normalise(bad[i], out, sizeof out) == -AUTH_E_BAD_EMAIL, bad[i]);
    CHECK_INT(email_normalise(NULL, out, sizeof out), -AUTH_E_INVALID);
}

TEST(email_normalise_reports_a_small_buffer)
{
    char out[8];
    CHECK_INT(email_normalise("someone@mfa.gov.az", out, sizeof out), -AUTH_E_NO_SPACE);
    CHECK_STR(out, "");
}

/* ---- error table ------------------------------------------------------- */

TEST(auth_err_names_every_code)
{
    CHECK_STR(auth_err_code(0), "ok");
    CHECK_STR(auth_err_code(-AUTH_E_MISMATCH), "mismatch");
    CHECK_STR(auth_err_code(AUTH_E_BAD_SECRET), "bad_secret");
    for (int e = AUTH_E__BASE + 1; e < AUTH_E__MAX; e++) {
        CHECK(strcmp(auth_err_code(-e), "unknown") != 0);
        CHECK(strcmp(auth_err_message(e), "unknown error") != 0);
    }
    CHECK_STR(auth_err_code(AUTH_E__BASE), "unknown");
    CHECK_STR(auth_err_code(AUTH_E__MAX), "unknown");
    CHECK_STR(auth_err_message(7), "unknown error");
}
