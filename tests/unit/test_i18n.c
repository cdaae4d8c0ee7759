/*
 * test_i18n.c — unit tests of src/web/i18n.c: the PO subset (comments,
 * header, multi-line strings, escapes) and each of its errors with
 * file:line, lookups with English fallback and their counters, the catalog
 * consistency check, the real po/ catalogs (same keys and placeholders in
 * every language, the keys the portal needs), language negotiation and RTL.
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/i18n.h"

static int load(struct i18n *i, const char *lang, const char *text, char *err, size_t cap)
{
    return i18n_load_string(i, lang, "x.po", text, strlen(text), err, cap);
}

/* Loads text as az.po into a fresh set; returns the result, err filled. */
static int parse_err(const char *text, char *err, size_t cap)
{
    struct i18n *i = i18n_new();
    int rc = i18n_load_string(i, "az", "az.po", text, strlen(text), err, cap);
    i18n_free(i);
    return rc;
}

TEST(i18n_parses_comments_header_multiline_and_escapes)
{
    static const char po[] = "\xEF\xBB\xBF# a comment\r\n"
                             "msgid \"\"\n"
                             "msgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n"
                             "\n"
                             "#, needs-review\n"
                             "#. en: Hello\n"
                             "msgid \"greet.hello\"\n"
                             "msgstr \"Hello, \"\n"
                             "  \"{name}\"\n"
                             "\"!\"\n"
                             "msgid \"esc\"\t\n"
                             "msgstr\t\"q\\\" b\\\\ n\\n t\\t\"   \n"
                             "msgid \"multi\"\n"
                             "\".key\"\n"
                             "msgstr \"Əli حسن\"";
    struct i18n *i = i18n_new();
    char err[256] = "";
    int rc = load(i, "en", po, err, sizeof err);
    if (rc)
        printf("  %s\n", err);
    CHECK_INT(rc, 0);
    CHECK_INT(i18n_count(i, "en"), 3);
    CHECK_STR(i18n_get(i, "en", "greet.hello"), "Hello, {name}!");
    CHECK_STR(i18n_get(i, "en", "esc"), "q\" b\\ n\n t\t");
    CHECK_STR(i18n_get(i, "en", "multi.key"), "Əli حسن");
    CHECK(i18n_get(i, "en", "") == NULL);
    CHECK_STR(i18n_key_at(i, "en", 0), "esc");
    CHECK_STR(i18n_key_at(i, "en", 2), "multi.key");
    CHECK(i18n_key_at(i, "en", 3) == NULL);
    CHECK(i18n_key_at(i, "fr", 0) == NULL);
    CHECK_INT(i18n_count(i, "xx"), 0);
    i18n_free(i);
}

TEST(i18n_accepts_empty_file)
{
    struct i18n *i = i18n_new();
    char err[64];
    CHECK_INT(i18n_load_string(i, "en", "e.po", NULL, 0, err, sizeof err), 0);
    CHECK_INT(i18n_count(i, "en"), 0);
    i18n_free(i);
}

TEST(i18n_rejects_malformed_po_with_file_and_line)
{
    static const struct {
        const char *text, *err;
    } cases[] = {
        {"msgstr \"x\"", "az.po:1: msgstr without msgid"},
        {"msgid \"a\"\n\nmsgstr \"x\"", "az.po:2: msgid without msgstr"},
        {"msgid \"a\"\n# c\nmsgstr \"x\"", "az.po:2: msgid without msgstr"},
        {"msgid \"a\"\nmsgid \"b\"", "az.po:2: msgid without msgstr"},
        {"msgid \"a\"", "az.po:1: msgid without msgstr at end of file"},
        {"msgid \"a\"\nmsgstr \"x\\q\"", "az.po:2: unsupported escape '\\q'"},
        {"msgid \"a\"\nmsgstr \"x", "az.po:2: unterminated string"},
        {"msgid \"a\"\nmsgstr \"x\\", "az.po:2: unterminated string"},
        {"msgid \"a\"\nmsgstr \"x\" y", "az.po:2: text after the closing quote"},
        {"msgid a\nmsgstr \"x\"", "az.po:1: expected a quoted string"},
        {"msgid \"a\"\nmsgstr \"x\tz\"", "az.po:2: control character in string"},
        {"\n\"orphan\"", "az.po:2: string outside an entry"},
        {"hello", "az.po:1: expected msgid, msgstr, a string or a comment"},
        {"msgctxt \"c\"", "az.po:1: contexts and plural forms are not supported"},
        {"msgid \"a\"\nmsgid_plural \"b\"", "az.po:2: contexts and plural forms"},
        {"msgid \"a\"\nmsgstr[0] \"b\"", "az.po:2: contexts and plural forms"},
        {"msgid \"a b\"\nmsgstr \"x\"", "az.po:1: msgid \"a b\" is not a key"},
        {"msgid \"a\"\nmsgstr \"\"\n", "az.po:1: empty msgstr for \"a\""},
        {"msgid \"a\"\nmsgstr \"x\"\n\nmsgid \"\"\nmsgstr \"h\"", "az.po:4: empty msgid"},
        {"msgid \"k\"\nmsgstr \"x\"\n\n\nmsgid \"k\"\nmsgstr \"y\"",
         "az.po:5: duplicate msgid \"k\" (first on line 1)"},
        {"# ok\n# ok\nmsgid \"a\"\nmsgstr \"\xC3\x28\"", "az.po:4: invalid UTF-8"},
        {"# \xED\xA0\x80 surrogate", "az.po:1: invalid UTF-8"},
        {"# \xC0\xAF overlong", "az.po:1: invalid UTF-8"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char err[256] = "";
        int rc = parse_err(cases[k].text, err, sizeof err);
        bool ok = rc == -1 && strncmp(err, cases[k].err, strlen(cases[k].err)) == 0;
        CHECK_CTX(ok, cases[k].text);
        if (!ok)
            printf("  got: %s\n", err);
    }
}

TEST(i18n_rejects_nul_byte)
{
    struct i18n *i = i18n_new();
    char err[128];
    CHECK_INT(i18n_load_string(i, "en", "n.po", "#\n#\0x", 5, err, sizeof err), -1);
    CHECK_STR(err, "n.po:2: NUL byte");
    i18n_free(i);
}

TEST(i18n_rejects_oversized_keys_texts_and_files)
{
    char err[256];
    char *buf = malloc(I18N_MAX_FILE + 2);
    CHECK(buf != NULL);
    /* a key one byte too long */
    int n = sprintf(buf, "msgid \"");
    memset(buf + n, 'k', I18N_MAX_KEY + 1);
    strcpy(buf + n + I18N_MAX_KEY + 1, "\"\nmsgstr \"x\"");
    CHECK_INT(parse_err(buf, err, sizeof err), -1);
    CHECK(strstr(err, "az.po:1: msgid longer than 128 bytes") != NULL);
    /* a text one byte too long, split over lines */
    n = sprintf(buf, "msgid \"k\"\nmsgstr \"\"\n\"");
    memset(buf + n, 't', I18N_MAX_TEXT);
    strcpy(buf + n + I18N_MAX_TEXT, "\"\n\"t\"");
    CHECK_INT(parse_err(buf, err, sizeof err), -1);
    CHECK(strstr(err, "az.po:4: msgstr longer than 4096 bytes") != NULL);
    /* a file one byte too large */
    memset(buf, '#', I18N_MAX_FILE + 1);
    struct i18n *i = i18n_new();
    CHECK_INT(i18n_load_string(i, "en", "big.po", buf, I18N_MAX_FILE + 1, err, sizeof err), -1);
    CHECK(strstr(err, "big.po:0: file larger than") != NULL);
    i18n_free(i);
    free(buf);
}

TEST(i18n_rejects_too_many_entries)
{
    size_t cap = (size_t)(I18N_MAX_ENTRIES + 1) * 32;
    char *buf = malloc(cap);
    CHECK(buf != NULL);
    size_t n = 0;
    for (int k = 0; k <= I18N_MAX_ENTRIES; k++)
        n += (size_t)snprintf(buf + n, cap - n, "msgid \"k%d\"\nmsgstr \"v\"\n", k);
    char err[256];
    CHECK_INT(parse_err(buf, err, sizeof err), -1);
    CHECK(strstr(err, "more than 4096 entries") != NULL);
    free(buf);
}

TEST(i18n_rejects_unknown_language_and_reload)
{
    struct i18n *i = i18n_new();
    char err[128];
    CHECK_INT(load(i, "fr", "msgid \"a\"\nmsgstr \"b\"", err, sizeof err), -1);
    CHECK(strstr(err, "unknown language") != NULL);
    CHECK_INT(load(i, "en", "msgid \"a\"\nmsgstr \"b\"", err, sizeof err), 0);
    CHECK_INT(load(i, "en", "msgid \"c\"\nmsgstr \"d\"", err, sizeof err), -1);
    CHECK(strstr(err, "already loaded") != NULL);
    CHECK_INT(i18n_load_string(NULL, "en", "x", "", 0, err, sizeof err), -1);
    i18n_free(i);
}

TEST(i18n_get_falls_back_to_english_then_null)
{
    struct i18n *i = i18n_new();
    char err[128];
    CHECK_INT(
        load(i, "en", "msgid \"a\"\nmsgstr \"A\"\nmsgid \"b\"\nmsgstr \"B\"", err, sizeof err), 0);
    CHECK_INT(load(i, "ur", "msgid \"a\"\nmsgstr \"اے\"", err, sizeof err), 0);
    unsigned long fb, miss;
    i18n_stats(i, &fb, &miss);
    CHECK_INT(fb, 0);
    CHECK_INT(miss, 0);
    CHECK_STR(i18n_get(i, "ur", "a"), "اے");
    CHECK_STR(i18n_get(i, "ur", "b"), "B");
    CHECK_STR(i18n_get(i, "az", "a"), "A");
    CHECK_STR(i18n_get(i, "fr", "a"), "A");
    CHECK_STR(i18n_get(i, NULL, "b"), "B");
    CHECK_STR(i18n_get(i, "en", "a"), "A");
    CHECK(i18n_get(i, "ur", "c") == NULL);
    CHECK(i18n_get(i, "en", "c") == NULL);
    CHECK(i18n_get(NULL, "en", "a") == NULL);
    i18n_stats(i, &fb, &miss);
    CHECK_INT(fb, 4);
    CHECK_INT(miss, 2);
    i18n_free(i);
}

/* ---- catalog consistency ---------------------------------------------------------------- */

static struct i18n *three(const char *en, const char *az, const char *ur)
{
    struct i18n *i = i18n_new();
    char err[128];
    if (load(i, "en", en, err, sizeof err) || load(i, "az", az, err, sizeof err) ||
        load(i, "ur", ur, err, sizeof err)) {
        i18n_free(i);
        return NULL;
    }
    return i;
}

TEST(i18n_check_catalogs_reports_missing_extra_and_placeholders)
{
    const char *en = "msgid \"a\"\nmsgstr \"A {x} {y}\"\nmsgid \"b\"\nmsgstr \"B\"\n";
    struct i18n *i = three(en, "msgid \"a\"\nmsgstr \"{y}{x}{x}\"\nmsgid \"b\"\nmsgstr \"b\"",
                           "msgid \"b\"\nmsgstr \"b\"\nmsgid \"a\"\nmsgstr \"{x} {y} {\"");
    char err[256];
    CHECK(i != NULL);
    CHECK_INT(i18n_check_catalogs(i, err, sizeof err), 0);
    i18n_free(i);

    i = three(en, "msgid \"a\"\nmsgstr \"{x} {y}\"", "msgid \"a\"\nmsgstr \"{x}{y}\"");
    CHECK(i != NULL);
    CHECK_INT(i18n_check_catalogs(i, err, sizeof err), -1);
    CHECK_STR(err, "az: missing key 'b'");
    i18n_free(i);

    i = three(en,
              "msgid \"a\"\nmsgstr \"{x} {y}\"\nmsgid \"b\"\nmsgstr \"b\"\nmsgid \"c\"\nmsgstr "
              "\"c\"",
              "");
    CHECK(i != NULL);
    CHECK_INT(i18n_check_catalogs(i, err, sizeof err), -1);
    CHECK_STR(err, "az:5: key 'c' is not in en");
    i18n_free(i);

    i = three(en, "msgid \"a\"\nmsgstr \"{x} {y}\"\nmsgid \"b\"\nmsgstr \"b\"",
              "msgid \"a\"\nmsgstr \"{x} {z}\"\nmsgid \"b\"\nmsgstr \"b\"");
    CHECK(i != NULL);
    CHECK_INT(i18n_check_catalogs(i, err, sizeof err), -1);
    CHECK_STR(err, "ur:1: 'a' has other {placeholders} than en");
    i18n_free(i);

    i = three("", "", "");
    CHECK(i != NULL);
    CHECK_INT(i18n_check_catalogs(i, err, sizeof err), -1);
    CHECK_STR(err, "en: empty catalog");
    i18n_free(i);
}

/* ---- the real catalogs ----------------------------------------------------------------------- */

TEST(i18n_po_files_load_and_share_en_key_set)
{
    struct i18n *i = NULL;
    char err[512];
    int rc = i18n_load_dir("po", &i, err, sizeof err);
    if (rc)
        printf("  %s\n", err);
    CHECK_INT(rc, 0);
    rc = i18n_check_catalogs(i, err, sizeof err);
    if (rc)
        printf("  %s\n", err);
    CHECK_INT(rc, 0);
    CHECK(i18n_count(i, "en") > 0);
    CHECK_INT(i18n_count(i, "az"), i18n_count(i, "en"));
    CHECK_INT(i18n_count(i, "ur"), i18n_count(i, "en"));
    for (size_t k = 0; k < i18n_count(i, "en"); k++) {
        CHECK_STR(i18n_key_at(i, "az", k), i18n_key_at(i, "en", k));
        CHECK_STR(i18n_key_at(i, "ur", k), i18n_key_at(i, "en", k));
    }
    i18n_free(i);
}

TEST(i18n_po_files_have_the_portal_keys)
{
    static const char *const errs[] = {"required",
                                       "too_long",
                                       "bad_utf8",
                                       "bad_chars",
                                       "bad_format",
                                       "bad_date",
                                       "bad_email",
                                       "bad_phone",
                                       "unmapped_char",
                                       "must_accept",
                                       "not_eligible",
                                       "mrz_invalid",
                                       "mrz_mismatch",
                                       "date_not_past",
                                       "passport_expired",
                                       "passport_too_short",
                                       "arrival_in_past",
                                       "arrival_too_soon",
                                       "departure_before_arrival",
                                       "stay_too_long",
                                       "unknown_field"};
    static const char *const fields[] = {"mrz_line1",
                                         "mrz_line2",
                                         "surname",
                                         "given_names",
                                         "sex",
                                         "date_of_birth",
                                         "place_of_birth",
                                         "nationality",
                                         "passport_number",
                                         "passport_issue_date",
                                         "passport_expiry",
                                         "occupation",
                                         "home_address",
                                         "arrival_date",
                                         "departure_date",
                                         "address_in_country",
                                         "email",
                                         "phone",
                                         "decl_truth",
                                         "decl_terms"};
    static const char *const layout[] = {"site.name",
                                         "lang.en",
                                         "lang.az",
                                         "lang.ur",
                                         "layout.language",
                                         "layout.skip",
                                         "layout.official_notice",
                                         "layout.test_banner"};
    struct i18n *i = NULL;
    char err[512], key[64];
    CHECK_INT(i18n_load_dir("po", &i, err, sizeof err), 0);
    for (size_t k = 0; k < sizeof errs / sizeof errs[0]; k++) {
        snprintf(key, sizeof key, "err.%s", errs[k]);
        CHECK_CTX(i18n_get(i, "ur", key) != NULL, key);
    }
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
        snprintf(key, sizeof key, "field.%s", fields[k]);
        CHECK_CTX(i18n_get(i, "az", key) != NULL, key);
    }
    for (size_t k = 0; k < sizeof layout / sizeof layout[0]; k++)
        CHECK_CTX(i18n_get(i, "en", layout[k]) != NULL, layout[k]);
    unsigned long fb, miss;
    i18n_stats(i, &fb, &miss);
    CHECK_INT(fb, 0);
    CHECK_INT(miss, 0);
    CHECK_STR(i18n_get(i, "az", "field.surname"), "Soyad");
    CHECK_STR(i18n_get(i, "ur", "lang.ur"), "اردو");
    i18n_free(i);
}

TEST(i18n_load_dir_reports_missing_and_bad_files)
{
    struct i18n *i = NULL;
    char err[512], dir[256], path[400], want[600];
    CHECK_INT(i18n_load_dir("/nonexistent/po", &i, err, sizeof err), -1);
    CHECK_STR(err, "/nonexistent/po/en.po:0: cannot open");
    CHECK(i == NULL);
    CHECK(test_tmpdir(dir, sizeof dir) != NULL);
    snprintf(path, sizeof path, "%s/en.po", dir);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    fputs("msgid \"a\"\nmsgstr \"A\"\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/az.po", dir);
    f = fopen(path, "wb");
    CHECK(f != NULL);
    fputs("# az\n\nmsgid \"a\"\nmsgstr \"A\" junk\n", f);
    fclose(f);
    CHECK_INT(i18n_load_dir(dir, &i, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s/az.po:4: text after the closing quote", dir);
    CHECK_STR(err, want);
    f = fopen(path, "wb");
    CHECK(f != NULL);
    fputs("msgid \"a\"\nmsgstr \"A\"\n", f);
    fclose(f);
    CHECK_INT(i18n_load_dir(dir, &i, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s/ur.po:0: cannot open", dir);
    CHECK_STR(err, want);
}

/* ---- negotiation ----------------------------------------------------------------------------- */

TEST(i18n_negotiate_prefers_query_then_cookie_then_header)
{
    CHECK_STR(i18n_negotiate("ur", "az", "en"), "ur");
    CHECK_STR(i18n_negotiate("xx", "az", "ur"), "az");
    CHECK_STR(i18n_negotiate("", "AZ", "ur"), "az");
    CHECK_STR(i18n_negotiate(NULL, "bad value!", "ur"), "ur");
    CHECK_STR(i18n_negotiate(NULL, NULL, NULL), "en");
    CHECK_STR(i18n_negotiate("en", NULL, "ur"), "en");
}

TEST(i18n_negotiate_accept_language_cases)
{
    static const struct {
        const char *header, *want;
    } cases[] = {
        {"az-Latn-AZ", "az"},
        {"ur-PK", "ur"},
        {"ur-PK,ur;q=0.9,en-US;q=0.8,en;q=0.7", "ur"},
        {"en;q=0.5, az;q=0.8", "az"},
        {"en;q=0.5 , az ; q=0.8, ur;q=0.7", "az"},
        {"fr-FR,fr;q=0.9,de;q=0.8", "en"},
        {"fr, ru;q=0.9, az;q=0.1", "az"},
        {"ur;q=0", "en"},
        {"ur;q=0.000, az;q=0.001", "az"},
        {"*", "en"},
        {"*;q=0.5, ur;q=0.4", "ur"},
        {"az, ur", "az"},
        {"ur;q=0.8, az;q=0.8", "ur"},
        {"az;q=2, ur;q=0.1", "ur"},
        {"az;q=1.0001, ur;q=0.1", "ur"},
        {"az;q=0.x, ur;q=0.1", "ur"},
        {"az;level=1;q=0.9, ur;q=0.5", "az"},
        {"AZ-latn", "az"},
        {"azb, urd, eng", "en"},
        {"", "en"},
        {",,, ;q=1", "en"},
        {"ur junk, az", "az"},
        {"tr-TR, az-Cyrl;Q=0.3", "az"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const char *got = i18n_negotiate(NULL, NULL, cases[k].header);
        CHECK_CTX(strcmp(got, cases[k].want) == 0, cases[k].header);
    }
}

TEST(i18n_lang_code_uses_primary_subtag)
{
    CHECK_STR(i18n_lang_code("az-Latn-AZ"), "az");
    CHECK_STR(i18n_lang_code("ur_PK"), "ur");
    CHECK_STR(i18n_lang_code("EN"), "en");
    CHECK(i18n_lang_code("eng") == NULL);
    CHECK(i18n_lang_code("e") == NULL);
    CHECK(i18n_lang_code("en US") == NULL);
    CHECK(i18n_lang_code("") == NULL);
    CHECK(i18n_lang_code(NULL) == NULL);
}

TEST(i18n_rtl_only_for_urdu)
{
    CHECK(i18n_rtl("ur"));
    CHECK(i18n_rtl("ur-PK"));
    CHECK(i18n_rtl("UR"));
    CHECK(!i18n_rtl("en"));
    CHECK(!i18n_rtl("az"));
    CHECK(!i18n_rtl("urd"));
    CHECK(!i18n_rtl(NULL));
}
