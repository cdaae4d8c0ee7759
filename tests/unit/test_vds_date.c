/*
 * test_vds_date.c — VDS header dates (spec §7.2): the dates.json vectors,
 * the calendar checks (leap years, month and day ranges) and ISO text.
 */
#include "test.h"

#include "icao/icao_err.h"
#include "icao/vds_date.h"

static struct vds_date vdt(unsigned y, unsigned m, unsigned d)
{
    struct vds_date r = {(uint16_t)y, (uint8_t)m, (uint8_t)d};
    return r;
}

TEST(vds_date_encodes_and_decodes_every_vector)
{
    json_t *root, *vs = test_load_vectors("dates.json", &root);
    CHECK(vs != NULL);
    size_t i, seen = 0;
    json_t *v;
    json_array_foreach(vs, i, v)
    {
        const char *id = json_string_value(json_object_get(v, "id"));
        const char *date = json_string_value(json_object_get(v, "date"));
        if (!date)
            continue;
        uint8_t want[3], got[3];
        CHECK_CTX(test_unhex(json_string_value(json_object_get(v, "hex")), want, 3) == 3, id);
        struct vds_date d;
        CHECK_CTX(vds_date_parse_iso(date, strlen(date), &d) == 0, id);
        CHECK_CTX(vds_date_encode(d, got) == 0 && memcmp(got, want, 3) == 0, id);
        struct vds_date back;
        char iso[11];
        CHECK_CTX(vds_date_decode(want, &back) == 0, id);
        vds_date_format_iso(back, iso);
        CHECK_CTX(strcmp(iso, date) == 0, id);
        seen++;
    }
    json_decref(root);
    CHECK(seen >= 5);
}

TEST(vds_date_rejects_every_error_vector)
{
    json_t *root, *vs = test_load_vectors("dates.json", &root);
    CHECK(vs != NULL);
    size_t i, seen = 0;
    json_t *v;
    json_array_foreach(vs, i, v)
    {
        const char *id = json_string_value(json_object_get(v, "id"));
        const char *err = json_string_value(json_object_get(v, "expected_error"));
        if (!err)
            continue;
        uint8_t in[3];
        struct vds_date d;
        CHECK_CTX(test_unhex(json_string_value(json_object_get(v, "hex")), in, 3) == 3, id);
        int rc = vds_date_decode(in, &d);
        CHECK_CTX(rc < 0 && strcmp(icao_err_code(rc), err) == 0, id);
        seen++;
    }
    json_decref(root);
    CHECK(seen >= 2);
}

TEST(vds_date_counts_leap_years)
{
    CHECK_INT(vds_date_check(vdt(2024, 2, 29)), 0);
    CHECK_INT(vds_date_check(vdt(2000, 2, 29)), 0);
    CHECK_INT(vds_date_check(vdt(2023, 2, 29)), -ICAO_E_BAD_DATE);
    CHECK_INT(vds_date_check(vdt(1900, 2, 29)), -ICAO_E_BAD_DATE);
    CHECK_INT(vds_date_check(vdt(2100, 2, 29)), -ICAO_E_BAD_DATE);
}

TEST(vds_date_rejects_impossible_month_and_day)
{
    CHECK_INT(vds_date_check(vdt(2020, 0, 1)), -ICAO_E_BAD_DATE);
    CHECK_INT(vds_date_check(vdt(2020, 13, 1)), -ICAO_E_BAD_DATE);
    CHECK_INT(vds_date_check(vdt(2020, 1, 0)), -ICAO_E_BAD_DATE);
    CHECK_INT(vds_date_check(vdt(2020, 1, 32)), -ICAO_E_BAD_DATE);
    CHECK_INT(vds_date_check(vdt(2020, 2, 30)), -ICAO_E_BAD_DATE);
    CHECK_INT(vds_date_check(vdt(2020, 4, 31)), -ICAO_E_BAD_DATE);
    CHECK_INT(vds_date_check(vdt(2020, 12, 31)), 0);
    CHECK_INT(vds_date_check(vdt(0, 1, 1)), -ICAO_E_BAD_DATE);
    CHECK_INT(vds_date_check(vdt(10000, 1, 1)), -ICAO_E_BAD_DATE);
}

TEST(vds_date_encode_rejects_impossible_date)
{
    uint8_t out[3];
    CHECK_INT(vds_date_encode(vdt(2021, 2, 29), out), -ICAO_E_BAD_DATE);
}

TEST(vds_date_decode_rejects_month_13_and_day_32)
{
    uint8_t in[3];
    struct vds_date d;
    uint32_t values[] = {13012020u, 1322020u, 2302020u, 1010000u, 16777215u};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        in[0] = (uint8_t)(values[i] >> 16);
        in[1] = (uint8_t)(values[i] >> 8);
        in[2] = (uint8_t)values[i];
        CHECK_INT(vds_date_decode(in, &d), -ICAO_E_BAD_DATE);
    }
}

TEST(vds_date_parse_iso_rejects_malformed_text)
{
    struct vds_date d;
    CHECK_INT(vds_date_parse_iso("2020-01-01", 10, &d), 0);
    CHECK_INT(vds_date_parse_iso("2020-1-01", 9, &d), -ICAO_E_BAD_DATE);
    CHECK_INT(vds_date_parse_iso("2020/01/01", 10, &d), -ICAO_E_BAD_DATE);
    CHECK_INT(vds_date_parse_iso("2020-01-0A", 10, &d), -ICAO_E_BAD_DATE);
    CHECK_INT(vds_date_parse_iso("2020-02-30", 10, &d), -ICAO_E_BAD_DATE);
    CHECK_INT(vds_date_parse_iso("0000-01-01", 10, &d), -ICAO_E_BAD_DATE);
    CHECK_INT(vds_date_parse_iso("2020-01-011", 11, &d), -ICAO_E_BAD_DATE);
    CHECK_INT(vds_date_parse_iso(NULL, 10, &d), -ICAO_E_BAD_DATE);
}

TEST(vds_date_formats_iso_with_leading_zeros)
{
    char out[11];
    vds_date_format_iso(vdt(987, 3, 5), out);
    CHECK_STR(out, "0987-03-05");
}
