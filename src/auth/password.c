/*
 * password.c — Argon2id password hashes (libargon2) and the rules a new
 * password must meet.  Salts come from OpenSSL's RAND_bytes; buffers that
 * held a password or a salt are wiped with OPENSSL_cleanse.
 */
#include "auth/password.h"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth_err.h"

const struct password_params password_default_params = {
    .t_cost = 3,
    .m_cost_kib = 64u * 1024u,
    .parallelism = 1,
};

static bool params_ok(const struct password_params *p)
{
    return p && p->t_cost >= ARGON2_MIN_TIME && p->t_cost <= PASSWORD_T_COST_MAX &&
           p->parallelism >= 1 && p->parallelism <= PASSWORD_P_MAX &&
           p->m_cost_kib >= 8u * p->parallelism && p->m_cost_kib <= PASSWORD_M_COST_MAX;
}

int password_hash_params(const char *pw, const struct password_params *p, char *out, size_t cap)
{
    if (!pw || !out || cap == 0 || !params_ok(p))
        return -AUTH_E_INVALID;
    out[0] = '\0';
    size_t len = strlen(pw);
    if (len > PASSWORD_MAX_BYTES)
        return -AUTH_E_TOO_LONG;
    size_t need = argon2_encodedlen(p->t_cost, p->m_cost_kib, p->parallelism, PASSWORD_SALT_BYTES,
                                    PASSWORD_HASH_BYTES, Argon2_id);
    if (need > cap)
        return -AUTH_E_NO_SPACE;
    uint8_t salt[PASSWORD_SALT_BYTES];
    if (RAND_bytes(salt, sizeof salt) != 1)
        return -AUTH_E_INTERNAL;
    int rc = argon2id_hash_encoded(p->t_cost, p->m_cost_kib, p->parallelism, pw, len, salt,
                                   sizeof salt, PASSWORD_HASH_BYTES, out, cap);
    OPENSSL_cleanse(salt, sizeof salt);
    if (rc != ARGON2_OK) {
        out[0] = '\0';
        return -AUTH_E_INTERNAL;
    }
    return 0;
}

int password_hash(const char *pw, char *out, size_t cap)
{
    return password_hash_params(pw, &password_default_params, out, cap);
}

/* Reads a decimal uint32 without sign or leading zeros; advances *s. */
static bool read_u32(const char **s, uint32_t *v)
{
    const char *p = *s;
    if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
        return false;
    uint64_t x = 0;
    while (*p >= '0' && *p <= '9') {
        x = x * 10u + (uint64_t)(*p - '0');
        if (x > UINT32_MAX)
            return false;
        p++;
    }
    *v = (uint32_t)x;
    *s = p;
    return true;
}

static bool read_lit(const char **s, const char *lit)
{
    size_t n = strlen(lit);
    if (strncmp(*s, lit, n) != 0)
        return false;
    *s += n;
    return true;
}

/* Unpadded standard base64 of at least min characters; advances *s. */
static bool read_b64(const char **s, size_t min)
{
    const char *p = *s;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
           *p == '+' || *p == '/')
        p++;
    if ((size_t)(p - *s) < min)
        return false;
    *s = p;
    return true;
}

int password_params_of(const char *encoded, struct password_params *out)
{
    if (!encoded || !out)
        return -AUTH_E_INVALID;
    memset(out, 0, sizeof *out);
    if (strnlen(encoded, PASSWORD_ENCODED_MAX) >= PASSWORD_ENCODED_MAX)
        return -AUTH_E_BAD_HASH;
    const char *s = encoded;
    struct password_params p;
    uint32_t version;
    /* "$argon2id$v=19$m=M,t=T,p=P$SALT$HASH"; salt >= 8 bytes, hash >= 4. */
    if (!read_lit(&s, "$argon2id$v=") || !read_u32(&s, &version) || version != ARGON2_VERSION_13 ||
        !read_lit(&s, "$m=") || !read_u32(&s, &p.m_cost_kib) || !read_lit(&s, ",t=") ||
        !read_u32(&s, &p.t_cost) || !read_lit(&s, ",p=") || !read_u32(&s, &p.parallelism) ||
        !read_lit(&s, "$") || !read_b64(&s, 11) || !read_lit(&s, "$") || !read_b64(&s, 6) ||
        *s != '\0' || !params_ok(&p))
        return -AUTH_E_BAD_HASH;
    *out = p;
    return 0;
}

int password_verify(const char *encoded, const char *pw)
{
    if (!encoded || !pw)
        return -AUTH_E_INVALID;
    size_t len = strlen(pw);
    if (len > PASSWORD_MAX_BYTES)
        return -AUTH_E_TOO_LONG;
    struct password_params p;
    if (password_params_of(encoded, &p) < 0)
        return -AUTH_E_BAD_HASH;
    switch (argon2id_verify(encoded, pw, len)) {
    case ARGON2_OK:
        return 0;
    case ARGON2_VERIFY_MISMATCH:
        return -AUTH_E_MISMATCH;
    case ARGON2_MEMORY_ALLOCATION_ERROR:
    case ARGON2_THREAD_FAIL:
        return -AUTH_E_INTERNAL;
    default:
        return -AUTH_E_BAD_HASH;
    }
}

bool password_needs_rehash(const char *encoded)
{
    struct password_params p;
    if (password_params_of(encoded, &p) < 0)
        return true;
    return p.t_cost != password_default_params.t_cost ||
           p.m_cost_kib != password_default_params.m_cost_kib ||
           p.parallelism != password_default_params.parallelism;
}

/* ---- acceptability of a new password ---------------------------------- */

/* Whole passwords (lower case) seen at the top of leaked-password lists
 * that pass the length, variety and sequence rules. */
static const char *const common_passwords[] = {
    "1q2w3e4r5t6y", "1qaz2wsx3edc", "zaq12wsxcde3", "q1w2e3r4t5y6", "123qweasdzxc",
    "qweasdzxc123", "1234qwerasdf", "qwer1234asdf", "147258369147", "147852369147",
    "159753159753", "741852963741", "789456123789", "123654789123", "112233445566",
    "123456654321", "111222333444", "123456123456", "987654321987", "qwertyuiopasdfgh",
};

/* Words that, alone or repeated, are all the letters of a common password
 * ("Password2024!", "qwerty123456", "1q2w3e4r5t6y", "letmeinletmein"). */
static const char *const common_words[] = {
    "password",  "passwort",   "passw",         "pass",      "qwerty",    "qwertyuiop", "qwertz",
    "azerty",    "asdf",       "asdfgh",        "asdfghjkl", "zxcvbn",    "zxcvbnm",    "qazwsx",
    "qazwsxedc", "zaqwsxcde",  "qweasdzxc",     "qwer",      "qwerasdf",  "letmein",    "welcome",
    "iloveyou",  "admin",      "administrator", "changeme",  "secret",    "monkey",     "dragon",
    "football",  "baseball",   "sunshine",      "princess",  "superman",  "batman",     "starwars",
    "trustno",   "master",     "shadow",        "login",     "default",   "test",       "guest",
    "root",      "user",       "abc",           "evisa",     "visa",      "officer",    "consul",
    "consular",  "azerbaijan", "pakistan",      "baku",      "islamabad",
};

static void set_why(char *why, size_t cap, const char *msg)
{
    if (why && cap)
        snprintf(why, cap, "%s", msg);
}

/* Decodes strict UTF-8 into code points; -1 on invalid input. */
static long utf8_decode(const char *s, uint32_t *cp, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = 0;
    while (*p) {
        uint32_t c = *p, min;
        int more;
        if (c < 0x80) {
            more = 0;
            min = 0;
        } else if ((c & 0xE0) == 0xC0) {
            more = 1;
            c &= 0x1F;
            min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            more = 2;
            c &= 0x0F;
            min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            more = 3;
            c &= 0x07;
            min = 0x10000;
        } else {
            return -1;
        }
        p++;
        for (int i = 0; i < more; i++, p++) {
            if ((*p & 0xC0) != 0x80)
                return -1;
            c = (c << 6) | (*p & 0x3Fu);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF) || n >= max)
            return -1;
        cp[n++] = c;
    }
    return (long)n;
}

static uint32_t ascii_lower(uint32_t c)
{
    return c >= 'A' && c <= 'Z' ? c + 32u : c;
}

/* One step of an ascending (dir 1) or descending (dir -1) run; digits wrap
 * 9 -> 0 (and 0 -> 9 going down). */
static bool run_step(uint32_t a, uint32_t b, int dir)
{
    if (dir > 0)
        return b == a + 1u || (a == '9' && b == '0');
    return a == b + 1u || (a == '0' && b == '9');
}

/* Whether s is w repeated one or more times. */
static bool repeats_word(const char *s, const char *w)
{
    size_t n = strlen(s), k = strlen(w);
    if (n == 0 || k == 0 || n % k != 0)
        return false;
    for (size_t i = 0; i < n; i += k)
        if (memcmp(s + i, w, k) != 0)
            return false;
    return true;
}

static bool common_word(const char *letters)
{
    for (size_t i = 0; i < sizeof common_words / sizeof common_words[0]; i++)
        if (repeats_word(letters, common_words[i]))
            return true;
    return false;
}

static bool is_letter(char c)
{
    return c >= 'a' && c <= 'z';
}

/* Common-word check of the lower-cased password low: its letters alone,
 * then, with leading and trailing non-letters cut, its inner look-alike
 * digits and symbols read as letters (p@ssw0rd -> password). */
static bool built_from_common_word(const char *low)
{
    char letters[PASSWORD_MAX_BYTES + 1];
    size_t n = 0;
    for (const char *p = low; *p; p++)
        if (is_letter(*p))
            letters[n++] = *p;
    letters[n] = '\0';
    bool found = common_word(letters);

    const char *b = low, *e = low + strlen(low);
    while (b < e && !is_letter(*b))
        b++;
    while (e > b && !is_letter(e[-1]))
        e--;
    static const char leet_from[] = "@4$5013!7", leet_to[] = "aassoieit";
    n = 0;
    for (const char *p = b; p < e; p++) {
        const char *m = *p ? strchr(leet_from, *p) : NULL;
        char c = m ? leet_to[m - leet_from] : *p;
        if (is_letter(c))
            letters[n++] = c;
    }
    letters[n] = '\0';
    found = found || common_word(letters);
    OPENSSL_cleanse(letters, sizeof letters);
    return found;
}

/* Whether low contains the e-mail's local part, or one of its parts split
 * at . _ - + of 3 or more characters. */
static bool contains_email_part(const char *low, const char *email)
{
    char local[128];
    size_t n = 0;
    for (const char *p = email; *p && *p != '@' && n + 1 < sizeof local; p++)
        local[n++] = (char)ascii_lower((unsigned char)*p);
    local[n] = '\0';
    if (n >= 3 && strstr(low, local))
        return true;
    for (char *part = local; *part;) {
        size_t k = strcspn(part, "._-+");
        char save = part[k];
        part[k] = '\0';
        bool hit = k >= 3 && strstr(low, part);
        part[k] = save;
        if (hit)
            return true;
        part += k + (save ? 1 : 0);
    }
    return false;
}

bool password_acceptable(const char *pw, const char *email, char *why, size_t cap)
{
    if (!pw) {
        set_why(why, cap, "no password given");
        return false;
    }
    size_t len = strlen(pw);
    if (len > PASSWORD_MAX_BYTES) {
        set_why(why, cap, "the password is longer than 256 bytes");
        return false;
    }
    uint32_t cp[PASSWORD_MAX_BYTES];
    char low[PASSWORD_MAX_BYTES + 1];
    bool ok = false;
    long n = utf8_decode(pw, cp, PASSWORD_MAX_BYTES);
    if (n < 0) {
        set_why(why, cap, "the password is not valid UTF-8 text");
        goto done;
    }
    for (long i = 0; i < n; i++)
        if (cp[i] < 0x20 || (cp[i] >= 0x7F && cp[i] < 0xA0)) {
            set_why(why, cap, "the password contains control characters");
            goto done;
        }
    if (n < PASSWORD_MIN_CHARS) {
        set_why(why, cap, "the password must be at least 12 characters long");
        goto done;
    }
    size_t distinct = 0;
    for (long i = 0; i < n; i++) {
        cp[i] = ascii_lower(cp[i]);
        bool seen = false;
        for (long j = 0; j < i && !seen; j++)
            seen = cp[j] == cp[i];
        if (!seen)
            distinct++;
    }
    if (distinct < 5) {
        set_why(why, cap, "the password repeats too few different characters");
        goto done;
    }
    for (int dir = -1; dir <= 1; dir += 2) {
        long i = 1;
        while (i < n && run_step(cp[i - 1], cp[i], dir))
            i++;
        if (i == n) {
            set_why(why, cap, "the password is a simple sequence of characters");
            goto done;
        }
    }
    for (size_t i = 0; i <= len; i++)
        low[i] = (char)ascii_lower((unsigned char)pw[i]);
    if (email && contains_email_part(low, email)) {
        set_why(why, cap, "the password must not contain your e-mail address or name");
        goto done;
    }
    for (size_t i = 0; i < sizeof common_passwords / sizeof common_passwords[0]; i++)
        if (!strcmp(low, common_passwords[i])) {
            set_why(why, cap, "the password is one of the most common passwords");
            goto done;
        }
    if (built_from_common_word(low)) {
        set_why(why, cap, "the password is built from a common password or word");
        goto done;
    }
    set_why(why, cap, "");
    ok = true;
done:
    OPENSSL_cleanse(cp, sizeof cp);
    OPENSSL_cleanse(low, sizeof low);
    return ok;
}
