/*
 * test_mrz.c — check digits, visa MRZ building and MRZ parsing against the
 * shared vectors (mrv.json, td3.json, mrz_invalid.json) and hand-made cases.
 */
#include "test.h"

#include <stdio.h>

#include "icao/icao_err.h"
#include "icao/mrz.h"

static const char *jstr(json_t *o, const char *key, const char *dflt)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : dflt;
}

static struct mrv_input mrv_from_json(json_t *in)
{
    struct mrv_input m = {0};
    m.document_code = jstr(in, "doc_code", "V");
    m.issuing_state = jstr(in, "issuing_state", "");
    m.primary = jstr(in, "primary", "");
    m.secondary = jstr(in, "secondary", "");
    m.number = jstr(in, "number", "");
    m.nationality = jstr(in, "nationality", "");
    m.birth = jstr(in, "birth", "");
    m.sex = jstr(in, "sex", "<")[0];
    m.expiry = jstr(in, "expiry", "");
    m.optional = jstr(in, "optional", "");
    m.profile.umlaut_expand = strcmp(jstr(in, "umlaut", "expand"), "plain") != 0;
    m.profile.schwa = jstr(in, "schwa", "A")[0];
    return m;
}

static struct mrv_input sample_input(void)
{
    struct mrv_input m = {0};
    m.document_code = "V";
    m.issuing_state = "AZE";
    m.primary = "Khan";
    m.secondary = "Imran Ahmed";
    m.number = "AZ0001234";
    m.nationality = "PAK";
    m.birth = "790315";
    m.sex = 'M';
    m.expiry = "270220";
    m.optional = "";
    m.profile = TRANSLIT_PROFILE_DEFAULT;
    return m;
}

TEST(mrz_check_digit_matches_icao_example)
{
    CHECK_INT(mrz_check_digit("L8988901C", 9), 4);
    CHECK_INT(mrz_check_digit("7403<<", 6), 2);
    CHECK_INT(mrz_check_digit("<<<<<<<<<", 9), 0);
    CHECK_INT(mrz_check_digit("ab", 2), -ICAO_E_BAD_CHARSET);
}

TEST(mrz_builds_every_mrv_vector)
{
    json_t *root, *vecs = test_load_vectors("mrv.json", &root);
    size_t i;
    json_t *v;
    json_array_foreach(vecs, i, v)
    {
        const char *id = jstr(v, "id", "?");
        enum mrz_format f =
            !strcmp(jstr(v, "format", ""), "MRV-A") ? MRZ_FORMAT_MRV_A : MRZ_FORMAT_MRV_B;
        struct mrv_input in = mrv_from_json(json_object_get(v, "input"));
        char l1[MRZ_LINE_MAX + 1], l2[MRZ_LINE_MAX + 1];
        bool cut = false;
        struct mrz_build_error err;
        int rc = mrz_build_visa(f, &in, l1, l2, &cut, &err);
        CHECK_CTX(rc == 0, id);
        if (rc)
            continue;
        json_t *exp = json_object_get(v, "expected");
        CHECK_CTX(!strcmp(l1, json_string_value(json_array_get(exp, 0))), id);
        CHECK_CTX(!strcmp(l2, json_string_value(json_array_get(exp, 1))), id);
        CHECK_CTX(cut == json_is_true(json_object_get(v, "truncated")), id);
        if (strcmp(l1, json_string_value(json_array_get(exp, 0))))
            printf("  got %s\n", l1);
    }
    json_decref(root);
}

TEST(mrz_parses_back_every_mrv_vector_with_valid_checks)
{
    json_t *root, *vecs = test_load_vectors("mrv.json", &root);
    size_t i;
    json_t *v;
    json_array_foreach(vecs, i, v)
    {
        const char *id = jstr(v, "id", "?");
        json_t *exp = json_object_get(v, "expected");
        const char *l1 = json_string_value(json_array_get(exp, 0));
        const char *l2 = json_string_value(json_array_get(exp, 1));
        struct mrz_parsed p;
        CHECK_CTX(mrz_parse(l1, strlen(l1), l2, strlen(l2), &p) == 0, id);
        CHECK_CTX(p.valid, id);
        CHECK_CTX(!strcmp(mrz_formats[p.format].name, jstr(v, "format", "")), id);
        CHECK_CTX(!p.check_present[MRZ_CHECK_COMPOSITE], id);
    }
    json_decref(root);
}

TEST(mrz_parses_every_td3_vector)
{
    json_t *root, *vecs = test_load_vectors("td3.json", &root);
    size_t i;
    json_t *v;
    json_array_foreach(vecs, i, v)
    {
        const char *id = jstr(v, "id", "?");
        json_t *lines = json_object_get(v, "lines"), *e = json_object_get(v, "expected");
        const char *l1 = json_string_value(json_array_get(lines, 0));
        const char *l2 = json_string_value(json_array_get(lines, 1));
        struct mrz_parsed p;
        CHECK_CTX(mrz_parse(l1, strlen(l1), l2, strlen(l2), &p) == 0, id);
        CHECK_CTX(!strcmp(mrz_formats[p.format].name, jstr(e, "format", "")), id);
        CHECK_CTX(!strcmp(p.document_code, jstr(e, "document_code", "")), id);
        CHECK_CTX(!strcmp(p.issuing_state, jstr(e, "issuing_state", "")), id);
        CHECK_CTX(!strcmp(p.primary, jstr(e, "primary", "")), id);
        CHECK_CTX(!strcmp(p.secondary, jstr(e, "secondary", "")), id);
        CHECK_CTX(!strcmp(p.number, jstr(e, "number", "")), id);
        CHECK_CTX(!strcmp(p.nationality, jstr(e, "nationality", "")), id);
        CHECK_CTX(!strcmp(p.birth, jstr(e, "birth", "")), id);
        CHECK_CTX(!strcmp(p.sex, jstr(e, "sex", "")), id);
        CHECK_CTX(!strcmp(p.expiry, jstr(e, "expiry", "")), id);
        CHECK_CTX(!strcmp(p.optional, jstr(e, "optional", "")), id);
        CHECK_CTX(p.valid == json_is_true(json_object_get(e, "check_ok")), id);
        CHECK_CTX(p.check_present[MRZ_CHECK_COMPOSITE], id);
    }
    json_decref(root);
}

TEST(mrz_reports_each_failed_check_digit_by_name)
{
    json_t *root, *vecs = test_load_vectors("mrz_invalid.json", &root);
    size_t i;
    json_t *v;
    json_array_foreach(vecs, i, v)
    {
        const char *id = jstr(v, "id", "?");
        json_t *lines = json_object_get(v, "lines"), *e = json_object_get(v, "expected");
        const char *l1 = json_string_value(json_array_get(lines, 0));
        const char *l2 = json_string_value(json_array_get(lines, 1));
        struct mrz_parsed p;
        int rc = mrz_parse(l1, strlen(l1), l2, strlen(l2), &p);
        const char *want_err = jstr(e, "error", NULL);
        if (want_err) {
            CHECK_CTX(rc < 0 && !strcmp(icao_err_code(rc), want_err), id);
            continue;
        }
        CHECK_CTX(rc == 0 && !p.valid, id);
        json_t *failed = json_object_get(e, "failed");
        for (int c = 0; c < MRZ_CHECK__MAX; c++) {
            bool want_fail = false;
            size_t k;
            json_t *f;
            json_array_foreach(failed, k, f) want_fail |=
                !strcmp(json_string_value(f), mrz_check_names[c]);
            CHECK_CTX(!p.check_present[c] || p.check_ok[c] == !want_fail, id);
            CHECK_CTX(!want_fail || p.check_present[c], id);
        }
    }
    json_decref(root);
}

TEST(mrz_build_takes_names_already_in_mrz_form_as_printed)
{
    struct mrv_input in = sample_input();
    in.primary = "KHAN";
    in.secondary = "IMRAN<AHMED";
    char l1[45], l2[45];
    CHECK_INT(mrz_build_visa(MRZ_FORMAT_MRV_A, &in, l1, l2, NULL, NULL), 0);
    CHECK_STR(l1, "V<AZEKHAN<<IMRAN<AHMED<<<<<<<<<<<<<<<<<<<<<<");
    CHECK_STR(l2, "AZ00012343PAK7903155M2702205<<<<<<<<<<<<<<<<");
}

TEST(mrz_build_writes_single_name_without_double_filler)
{
    struct mrv_input in = sample_input();
    in.primary = "Suharto";
    in.secondary = "";
    char l1[45], l2[45];
    CHECK_INT(mrz_build_visa(MRZ_FORMAT_MRV_B, &in, l1, l2, NULL, NULL), 0);
    CHECK_STR(l1, "V<AZESUHARTO<<<<<<<<<<<<<<<<<<<<<<<<");
}

TEST(mrz_build_maps_sex_x_to_filler)
{
    struct mrv_input in = sample_input();
    in.sex = 'X';
    char l1[45], l2[45];
    CHECK_INT(mrz_build_visa(MRZ_FORMAT_MRV_B, &in, l1, l2, NULL, NULL), 0);
    CHECK(l2[20] == '<');
}

TEST(mrz_build_truncates_single_long_name_to_width)
{
    char out[40];
    CHECK_INT(mrz_fit_name("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOP", "", 31, out), 1);
    CHECK_STR(out, "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDE");
    CHECK_INT(mrz_fit_name("AB", "CD", 31, out), 0);
    CHECK_STR(out, "AB<<CD<<<<<<<<<<<<<<<<<<<<<<<<<");
}

TEST(mrz_build_rejects_bad_fields_and_names_the_field)
{
    char l1[45], l2[45];
    struct mrz_build_error err;
    struct {
        const char *field;
        int code;
        struct mrv_input in;
    } cases[8];
    for (size_t i = 0; i < 8; i++)
        cases[i].in = sample_input();
    cases[0].in.birth = "791315", cases[0].field = "date_of_birth", cases[0].code = ICAO_E_BAD_DATE;
    cases[1].in.expiry = "27022", cases[1].field = "valid_until", cases[1].code = ICAO_E_BAD_LENGTH;
    cases[2].in.number = "AZ-1", cases[2].field = "document_number",
    cases[2].code = ICAO_E_BAD_CHARSET;
    cases[3].in.number = "AZ00012345", cases[3].field = "document_number",
    cases[3].code = ICAO_E_BAD_LENGTH;
    cases[4].in.sex = 'Q', cases[4].field = "sex", cases[4].code = ICAO_E_BAD_FIELD;
    cases[5].in.primary = "Khan2", cases[5].field = "primary_identifier",
    cases[5].code = ICAO_E_UNMAPPED_CHAR;
    cases[6].in.document_code = "P", cases[6].field = "document_code",
    cases[6].code = ICAO_E_BAD_FIELD;
    cases[7].in.expiry = "270230", cases[7].field = "valid_until", cases[7].code = ICAO_E_BAD_DATE;
    for (size_t i = 0; i < 8; i++) {
        int rc = mrz_build_visa(MRZ_FORMAT_MRV_A, &cases[i].in, l1, l2, NULL, &err);
        CHECK_CTX(rc == -cases[i].code, cases[i].field);
        CHECK_CTX(err.field && !strcmp(err.field, cases[i].field), cases[i].field);
    }
}

TEST(mrz_build_rejects_empty_primary_and_td3_format)
{
    char l1[45], l2[45];
    struct mrv_input in = sample_input();
    in.primary = "";
    CHECK_INT(mrz_build_visa(MRZ_FORMAT_MRV_A, &in, l1, l2, NULL, NULL), -ICAO_E_EMPTY);
    in = sample_input();
    CHECK_INT(mrz_build_visa(MRZ_FORMAT_TD3, &in, l1, l2, NULL, NULL), -ICAO_E_BAD_FIELD);
}

TEST(mrz_build_accepts_leap_day_and_unknown_birth_parts)
{
    char l1[45], l2[45];
    struct mrv_input in = sample_input();
    in.birth = "80<<<<";
    CHECK_INT(mrz_build_visa(MRZ_FORMAT_MRV_B, &in, l1, l2, NULL, NULL), 0);
    CHECK(!memcmp(l2 + 13, "80<<<<", 6));
    in.birth = "920229";
    CHECK_INT(mrz_build_visa(MRZ_FORMAT_MRV_B, &in, l1, l2, NULL, NULL), 0);
    in.birth = "930230";
    CHECK_INT(mrz_build_visa(MRZ_FORMAT_MRV_B, &in, l1, l2, NULL, NULL), -ICAO_E_BAD_DATE);
    in.birth = "79<<15";
    CHECK_INT(mrz_build_visa(MRZ_FORMAT_MRV_B, &in, l1, l2, NULL, NULL), -ICAO_E_BAD_DATE);
}

TEST(mrz_build_rejects_optional_data_longer_than_format_allows)
{
    char l1[45], l2[45];
    struct mrv_input in = sample_input();
    in.optional = "123456789";
    CHECK_INT(mrz_build_visa(MRZ_FORMAT_MRV_B, &in, l1, l2, NULL, NULL), -ICAO_E_BAD_LENGTH);
    CHECK_INT(mrz_build_visa(MRZ_FORMAT_MRV_A, &in, l1, l2, NULL, NULL), 0);
    CHECK(!memcmp(l2 + 28, "123456789<<<<<<<", 16));
}

TEST(mrz_parse_rejects_unknown_document_code)
{
    const char *l1 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<";
    const char *l2 = "L8988901C4XXX4009078F9612109<<<<<<<<";
    struct mrz_parsed p;
    CHECK_INT(mrz_parse(l1, strlen(l1), l2, strlen(l2), &p), -ICAO_E_BAD_FIELD);
}

TEST(mrz_parse_accepts_td3_optional_check_zero_when_empty)
{
    const char *l1 = "PAZE<MAMMADOV<<ALI<<<<<<<<<<<<<<<<<<<<<<<<<<";
    char l2[45] = "C023456785AZE8504124M3104116<<<<<<<<<<<<<<<8";
    struct mrz_parsed p;
    l2[42] = '0';
    CHECK_INT(mrz_parse(l1, 44, l2, 44, &p), 0);
    CHECK(p.check_ok[MRZ_CHECK_OPTIONAL]);
    CHECK(p.check_ok[MRZ_CHECK_COMPOSITE]); /* '0' and '<' both count as 0 */
    CHECK(p.valid);
}
