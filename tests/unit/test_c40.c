/*
 * test_c40.c — C40 text encoding (spec §7.1): every c40.json vector both
 * ways, the decoder's rejection rules and the buffer limits.
 */
#include "test.h"

#include "icao/c40.h"
#include "icao/icao_err.h"

/* Upper-case hex of n bytes into out (2n+1). */
static void c40t_hex(const uint8_t *p, size_t n, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 0xF];
    }
    out[2 * n] = '\0';
}

/* Decodes a hex string; the C40 result (or error) is returned. */
static int c40t_decode_hex(const char *hex, char *out, size_t cap)
{
    uint8_t buf[64];
    long n = test_unhex(hex, buf, sizeof buf);
    if (n < 0)
        return -1000;
    return c40_decode(buf, (size_t)n, out, cap);
}

TEST(c40_encodes_every_vector)
{
    json_t *root, *vs = test_load_vectors("c40.json", &root);
    CHECK(vs != NULL);
    size_t i, seen = 0;
    json_t *v;
    json_array_foreach(vs, i, v)
    {
        const char *id = json_string_value(json_object_get(v, "id"));
        const char *text = json_string_value(json_object_get(v, "text"));
        if (!text)
            continue;
        uint8_t out[64];
        char hex[130];
        int n = c40_encode(text, strlen(text), out, sizeof out);
        CHECK_CTX(n >= 0, id);
        if (n < 0)
            continue;
        CHECK_CTX((size_t)n == C40_ENCODED_LEN(strlen(text)), id);
        c40t_hex(out, (size_t)n, hex);
        CHECK_CTX(strcmp(hex, json_string_value(json_object_get(v, "hex"))) == 0, id);
        seen++;
    }
    json_decref(root);
    CHECK(seen >= 9);
}

TEST(c40_decodes_every_vector)
{
    json_t *root, *vs = test_load_vectors("c40.json", &root);
    CHECK(vs != NULL);
    size_t i, seen = 0;
    json_t *v;
    json_array_foreach(vs, i, v)
    {
        const char *id = json_string_value(json_object_get(v, "id"));
        const char *decoded = json_string_value(json_object_get(v, "decoded"));
        if (!decoded)
            continue;
        char out[64];
        int n = c40t_decode_hex(json_string_value(json_object_get(v, "hex")), out, sizeof out);
        CHECK_CTX(n == (int)strlen(decoded), id);
        CHECK_CTX(n >= 0 && strcmp(out, decoded) == 0, id);
        seen++;
    }
    json_decref(root);
    CHECK(seen >= 9);
}

TEST(c40_rejects_every_error_vector)
{
    json_t *root, *vs = test_load_vectors("c40.json", &root);
    CHECK(vs != NULL);
    size_t i, seen = 0;
    json_t *v;
    json_array_foreach(vs, i, v)
    {
        const char *id = json_string_value(json_object_get(v, "id"));
        const char *err = json_string_value(json_object_get(v, "expected_error"));
        if (!err)
            continue;
        char out[64];
        int rc = c40t_decode_hex(json_string_value(json_object_get(v, "hex")), out, sizeof out);
        CHECK_CTX(rc < 0 && strcmp(icao_err_code(rc), err) == 0, id);
        seen++;
    }
    json_decref(root);
    CHECK(seen >= 2);
}

TEST(c40_carries_filler_as_space)
{
    uint8_t a[8], b[8];
    CHECK_INT(c40_encode("D<<", 3, a, sizeof a), 2);
    CHECK_INT(c40_encode("D  ", 3, b, sizeof b), 2);
    CHECK(memcmp(a, b, 2) == 0);
    CHECK_INT(c40_encode("<", 1, a, sizeof a), 2);
    CHECK_INT(a[0], 0xFE);
    CHECK_INT(a[1], 0x21); /* ASCII space + 1 */
    char out[8];
    CHECK_INT(c40_decode(a, 2, out, sizeof out), 1);
    CHECK_STR(out, "<");
}

TEST(c40_encodes_empty_text_as_nothing)
{
    uint8_t out[2];
    char text[2];
    CHECK_INT(c40_encode("", 0, out, 0), 0);
    CHECK_INT(c40_decode(out, 0, text, sizeof text), 0);
    CHECK_STR(text, "");
}

TEST(c40_encode_rejects_character_outside_set)
{
    uint8_t out[8];
    CHECK_INT(c40_encode("abc", 3, out, sizeof out), -ICAO_E_BAD_C40);
    CHECK_INT(c40_encode("AB-", 3, out, sizeof out), -ICAO_E_BAD_C40);
    CHECK_INT(c40_encode("A.", 2, out, sizeof out), -ICAO_E_BAD_C40);
    CHECK_INT(c40_encode("ABC*", 4, out, sizeof out), -ICAO_E_BAD_C40);
}

TEST(c40_encode_reports_no_space)
{
    uint8_t out[4];
    CHECK_INT(c40_encode("ABCD", 4, out, 3), -ICAO_E_NO_SPACE);
    CHECK_INT(c40_encode("ABCD", 4, out, 4), 4);
}

TEST(c40_decode_reports_no_space)
{
    uint8_t in[] = {0xD9, 0xC5};
    char out[4];
    CHECK_INT(c40_decode(in, 2, out, 3), -ICAO_E_NO_SPACE); /* 3 chars + NUL */
    CHECK_INT(c40_decode(in, 2, out, 4), 3);
    CHECK_INT(c40_decode(in, 0, out, 0), -ICAO_E_NO_SPACE);
}

TEST(c40_rejects_odd_length)
{
    char out[8];
    CHECK_INT(c40t_decode_hex("D9", out, sizeof out), -ICAO_E_BAD_C40);
}

TEST(c40_rejects_value_above_64000)
{
    char out[8];
    CHECK_INT(c40t_decode_hex("FA01", out, sizeof out), -ICAO_E_BAD_C40); /* 64001 */
    CHECK_INT(c40t_decode_hex("0000", out, sizeof out), -ICAO_E_BAD_C40); /* 0: no value */
}

TEST(c40_accepts_largest_triple)
{
    char out[8];
    /* 1600*39 + 40*39 + 39 + 1 = 64000 = 0xFA00 → "ZZZ". */
    CHECK_INT(c40t_decode_hex("FA00", out, sizeof out), 3);
    CHECK_STR(out, "ZZZ");
}

TEST(c40_rejects_shift_values_inside_triple)
{
    char out[8];
    /* c1 = 1 (Shift-2), c2 = 3, c3 = 3: 1600 + 120 + 3 + 1 = 1724 = 0x06BC. */
    CHECK_INT(c40t_decode_hex("06BC", out, sizeof out), -ICAO_E_BAD_C40);
    /* c1 = 14 (A), c2 = 0, c3 = 3: 22400 + 3 + 1 = 0x5784. */
    CHECK_INT(c40t_decode_hex("5784", out, sizeof out), -ICAO_E_BAD_C40);
    /* c1 = 14, c2 = 15, c3 = 2 (Shift-3): 22400 + 600 + 2 + 1 = 0x59DB. */
    CHECK_INT(c40t_decode_hex("59DB", out, sizeof out), -ICAO_E_BAD_C40);
}

TEST(c40_rejects_shift_pad_before_last_pair)
{
    char out[16];
    /* "AB" + pad (59D9) followed by "UTO": the pad is not final. */
    CHECK_INT(c40t_decode_hex("59D9D9C5", out, sizeof out), -ICAO_E_BAD_C40);
    CHECK_INT(c40t_decode_hex("D9C559D9", out, sizeof out), 5);
    CHECK_STR(out, "UTOAB");
}

TEST(c40_rejects_unlatch_before_last_pair)
{
    char out[16];
    CHECK_INT(c40t_decode_hex("FE42D9C5", out, sizeof out), -ICAO_E_BAD_C40);
}

TEST(c40_rejects_unlatch_character_outside_set)
{
    char out[16];
    CHECK_INT(c40t_decode_hex("FE62", out, sizeof out), -ICAO_E_BAD_C40); /* 'a' */
    CHECK_INT(c40t_decode_hex("FE3D", out, sizeof out), -ICAO_E_BAD_C40); /* '<' itself */
    CHECK_INT(c40t_decode_hex("FE00", out, sizeof out), -ICAO_E_BAD_C40);
}
