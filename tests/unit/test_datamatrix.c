/*
 * test_datamatrix.c — DataMatrix rendering and reading (src/render/datamatrix.c):
 * round trips of real seals, golden symbol sizes (spec §7.8), the Base256
 * encodation, SVG structure, tolerance of the reader to margins, scale,
 * rotation, blur and JPEG, and every rejection.
 */
#include "test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dmtx.h>
#include <zint.h>

#include "imgops.h"
#include "render/datamatrix.h"
#include "render/image.h"
#include "render/render_err.h"

/* Seal bytes of vectors/<id>.hex; the byte count, or -1. */
static long load_seal(const char *id, uint8_t *out, size_t cap)
{
    char rel[128], path[512];
    snprintf(rel, sizeof rel, "vectors/%s.hex", id);
    if (!test_shared_path(rel, path, sizeof path))
        return -1;
    size_t len = 0;
    char *hex = test_read_file(path, &len);
    if (!hex)
        return -1;
    while (len > 0 && (hex[len - 1] == '\n' || hex[len - 1] == '\r' || hex[len - 1] == ' '))
        hex[--len] = '\0';
    long n = test_unhex(hex, out, cap);
    free(hex);
    return n;
}

/* Deterministic pseudo-random payload. */
static void fill_payload(uint8_t *p, size_t n, unsigned seed)
{
    uint32_t s = seed * 747796405u + 2891336453u;
    for (size_t i = 0; i < n; i++) {
        s = s * 1664525u + 1013904223u;
        p[i] = (uint8_t)(s >> 24);
    }
}

/* Render data as PNG with module_px and decode it to gray. */
static int render_gray(const uint8_t *d, size_t n, int module_px, struct gray_image *g)
{
    struct dm_options o = {0};
    o.module_px = module_px;
    uint8_t *png = NULL;
    size_t png_len = 0;
    int rc = dm_render_png(d, n, &o, &png, &png_len);
    if (rc < 0)
        return rc;
    rc = image_decode_gray(png, png_len, 0, g);
    free(png);
    return rc;
}

/* Decode a PNG of g; 0 when it yields exactly d[0..n), 1 on other bytes,
 * else the negative error. */
static int decodes_to(const struct gray_image *g, const uint8_t *d, size_t n)
{
    uint8_t *png = NULL;
    size_t png_len = 0;
    int rc = image_encode_png(g, &png, &png_len);
    if (rc < 0)
        return rc;
    uint8_t out[DM_MAX_PAYLOAD];
    size_t out_len = 0;
    rc = dm_decode_image(png, png_len, out, sizeof out, &out_len);
    free(png);
    if (rc < 0)
        return rc;
    return out_len == n && memcmp(out, d, n) == 0 ? 0 : 1;
}

/* A transform of the rendered published seal decodes to the same bytes. */
enum transform { T_MARGIN, T_HALF, T_1_7, T_ROT7, T_ROT33, T_ROT90, T_ROT180, T_BLUR };

static int transformed_seal_decodes(enum transform t)
{
    uint8_t seal[512];
    long n = load_seal("vdstools-visa-224", seal, sizeof seal);
    if (n <= 0)
        return -1000;
    struct gray_image g, t2;
    int rc = render_gray(seal, (size_t)n, DM_DEFAULT_MODULE_PX, &g);
    if (rc < 0)
        return rc;
    switch (t) {
    case T_MARGIN:
        rc = imgops_margin(&g, 150, &t2);
        break;
    case T_HALF:
        rc = imgops_scale(&g, 0.5, &t2);
        break;
    case T_1_7:
        rc = imgops_scale(&g, 1.7, &t2);
        break;
    case T_ROT7:
        rc = imgops_rotate(&g, 7, &t2);
        break;
    case T_ROT33:
        rc = imgops_rotate(&g, 33, &t2);
        break;
    case T_ROT90:
        rc = imgops_rotate(&g, 90, &t2);
        break;
    case T_ROT180:
        rc = imgops_rotate(&g, 180, &t2);
        break;
    case T_BLUR:
        rc = imgops_blur3(&g, &t2);
        break;
    }
    image_free(&g);
    if (rc < 0)
        return rc;
    rc = decodes_to(&t2, seal, (size_t)n);
    image_free(&t2);
    return rc;
}

TEST(dm_png_round_trip_published_seal)
{
    uint8_t seal[512], out[DM_MAX_PAYLOAD];
    long n = load_seal("vdstools-visa-224", seal, sizeof seal);
    CHECK_INT(n, 135);
    uint8_t *png = NULL;
    size_t png_len = 0, out_len = 0;
    CHECK_INT(dm_render_png(seal, (size_t)n, NULL, &png, &png_len), 0);
    CHECK(png != NULL && png_len > 8);
    int rc = dm_decode_image(png, png_len, out, sizeof out, &out_len);
    free(png);
    CHECK_INT(rc, 0);
    CHECK_INT(out_len, n);
    CHECK(memcmp(out, seal, (size_t)n) == 0);
}

TEST(dm_png_round_trip_own_seal)
{
    uint8_t seal[512], out[DM_MAX_PAYLOAD];
    long n = load_seal("own-aze-v4-mrva-p256", seal, sizeof seal);
    CHECK(n > 0);
    uint8_t *png = NULL;
    size_t png_len = 0, out_len = 0;
    CHECK_INT(dm_render_png(seal, (size_t)n, NULL, &png, &png_len), 0);
    int rc = dm_decode_image(png, png_len, out, sizeof out, &out_len);
    free(png);
    CHECK_INT(rc, 0);
    CHECK_INT(out_len, n);
    CHECK(memcmp(out, seal, (size_t)n) == 0);
}

TEST(dm_135_byte_seal_is_44_modules)
{
    uint8_t seal[512];
    long n = load_seal("vdstools-visa-224", seal, sizeof seal);
    CHECK_INT(n, 135);
    struct dm_matrix *m = malloc(sizeof *m);
    CHECK(m != NULL);
    int rc = dm_encode_matrix(seal, (size_t)n, m);
    int size = m->size;
    free(m);
    CHECK_INT(rc, 0);
    CHECK_INT(size, 44);
}

TEST(dm_143_to_172_byte_payloads_are_48_modules)
{
    struct dm_matrix *m = malloc(sizeof *m);
    CHECK(m != NULL);
    uint8_t p[172];
    for (size_t n = 143; n <= 172; n++) {
        fill_payload(p, n, (unsigned)n);
        char ctx[32];
        snprintf(ctx, sizeof ctx, "n=%zu", n);
        CHECK_CTX(dm_encode_matrix(p, n, m) == 0 && m->size == 48, ctx);
    }
    /* The boundaries: 142 bytes still fit 44x44, 173 need 52x52. */
    fill_payload(p, 172, 1);
    CHECK_INT(dm_encode_matrix(p, 142, m), 0);
    CHECK_INT(m->size, 44);
    uint8_t q[173];
    fill_payload(q, sizeof q, 2);
    CHECK_INT(dm_encode_matrix(q, sizeof q, m), 0);
    CHECK_INT(m->size, 52);
    free(m);
}

TEST(dm_1556_byte_payload_is_144_modules_and_decodes)
{
    static uint8_t p[DM_MAX_PAYLOAD];
    fill_payload(p, sizeof p, 7);
    struct dm_matrix *m = malloc(sizeof *m);
    CHECK(m != NULL);
    int rc = dm_encode_matrix(p, sizeof p, m);
    int size = m->size;
    free(m);
    CHECK_INT(rc, 0);
    CHECK_INT(size, 144);
    struct gray_image g;
    CHECK_INT(render_gray(p, sizeof p, 3, &g), 0);
    rc = decodes_to(&g, p, sizeof p);
    image_free(&g);
    CHECK_INT(rc, 0);
}

/* Read the symbol's codewords back with libdmtx: the first is the Base256
 * latch (231) and the un-randomised length (255-state algorithm, codeword
 * position 2) covers the whole payload. */
TEST(dm_encodes_payload_as_one_base256_segment)
{
    uint8_t seal[512];
    long n = load_seal("vdstools-visa-224", seal, sizeof seal);
    CHECK_INT(n, 135);
    struct gray_image g;
    CHECK_INT(render_gray(seal, (size_t)n, 4, &g), 0);
    DmtxImage *di = dmtxImageCreate(g.pixels, g.width, g.height, DmtxPack8bppK);
    DmtxDecode *dec = di ? dmtxDecodeCreate(di, 1) : NULL;
    DmtxRegion *reg = dec ? dmtxRegionFindNext(dec, NULL) : NULL;
    DmtxMessage *msg = reg ? dmtxDecodeMatrixRegion(dec, reg, DmtxUndefined) : NULL;
    int latch = msg ? msg->code[0] : -1;
    int length = msg ? (msg->code[1] - ((149 * 2) % 255 + 1) + 256) % 256 : -1;
    if (msg)
        dmtxMessageDestroy(&msg);
    if (reg)
        dmtxRegionDestroy(&reg);
    if (dec)
        dmtxDecodeDestroy(&dec);
    if (di)
        dmtxImageDestroy(&di);
    image_free(&g);
    CHECK_INT(latch, 231);
    CHECK_INT(length, 135);
}

/* zint is an independent encoder: for a payload where it also chooses pure
 * Base256 (the 146-byte PAK seal) the two matrices must be identical. */
TEST(dm_matrix_matches_zint_for_pure_base256_payload)
{
    uint8_t seal[512];
    long n = load_seal("own-pak-v4-mrvb-bp256", seal, sizeof seal);
    CHECK_INT(n, 146);
    struct dm_matrix *m = malloc(sizeof *m);
    CHECK(m != NULL);
    int rc = dm_encode_matrix(seal, (size_t)n, m);
    struct zint_symbol *z = ZBarcode_Create();
    bool same = false;
    if (z) {
        z->symbology = BARCODE_DATAMATRIX;
        z->input_mode = DATA_MODE;
        z->option_3 = DM_SQUARE;
        int zrc = ZBarcode_Encode(z, seal, (int)n);
        same = rc == 0 && zrc == 0 && z->width == m->size && z->rows == m->size;
        for (int y = 0; same && y < m->size; y++)
            for (int x = 0; same && x < m->size; x++)
                same = ((z->encoded_data[y][x >> 3] >> (x & 7)) & 1) == m->dark[y][x];
        ZBarcode_Delete(z);
    }
    free(m);
    CHECK_INT(rc, 0);
    CHECK(same);
}

TEST(dm_png_has_module_size_and_quiet_zone)
{
    uint8_t seal[512];
    long n = load_seal("vdstools-visa-224", seal, sizeof seal);
    CHECK_INT(n, 135);
    struct dm_options o = {.quiet_zone = 1, .module_px = 3};
    uint8_t *png = NULL;
    size_t png_len = 0;
    CHECK_INT(dm_render_png(seal, (size_t)n, &o, &png, &png_len), 0);
    struct gray_image g;
    int rc = image_decode_gray(png, png_len, 0, &g);
    free(png);
    CHECK_INT(rc, 0);
    int w = g.width, h = g.height;
    /* Quiet zone white; the finder's solid left column and bottom row dark. */
    uint8_t corner = g.pixels[0], quiet = g.pixels[2 * w + 2];
    uint8_t left = g.pixels[(size_t)(3 + 20 * 3) * (size_t)w + 3];
    uint8_t bottom = g.pixels[(size_t)(h - 4) * (size_t)w + (size_t)(w / 2)];
    image_free(&g);
    CHECK_INT(w, (44 + 2) * 3);
    CHECK_INT(h, w);
    CHECK_INT(corner, 255);
    CHECK_INT(quiet, 255);
    CHECK_INT(left, 0);
    CHECK_INT(bottom, 0);
}

TEST(dm_svg_is_well_formed_with_golden_size)
{
    uint8_t seal[512];
    long n = load_seal("vdstools-visa-224", seal, sizeof seal);
    CHECK_INT(n, 135);
    char *svg = NULL;
    size_t len = 0;
    CHECK_INT(dm_render_svg(seal, (size_t)n, NULL, &svg, &len), 0);
    bool ok = svg != NULL && strlen(svg) == len && strncmp(svg, "<svg ", 5) == 0 &&
              strstr(svg, "viewBox=\"0 0 48 48\"") != NULL &&
              strstr(svg, "width=\"24.000mm\" height=\"24.000mm\"") != NULL &&
              strstr(svg, "xmlns=\"http://www.w3.org/2000/svg\"") != NULL && len > 7 &&
              strcmp(svg + len - 7, "</svg>\n") == 0;
    /* Exactly one path element. */
    const char *p1 = svg ? strstr(svg, "<path") : NULL;
    bool one_path = p1 != NULL && strstr(p1 + 1, "<path") == NULL;
    free(svg);
    CHECK(ok);
    CHECK(one_path);
}

TEST(dm_svg_uses_module_mm_and_quiet_zone_options)
{
    uint8_t p[155];
    fill_payload(p, sizeof p, 3);
    struct dm_options o = {.quiet_zone = 1, .module_mm = 0.33};
    char *svg = NULL;
    size_t len = 0;
    CHECK_INT(dm_render_svg(p, sizeof p, &o, &svg, &len), 0);
    bool ok =
        strstr(svg, "viewBox=\"0 0 50 50\"") != NULL && strstr(svg, "width=\"16.500mm\"") != NULL;
    free(svg);
    CHECK(ok);
}

/* Redraw the SVG's path rectangles into a grid; it equals the matrix. */
TEST(dm_svg_path_matches_matrix)
{
    uint8_t seal[512];
    long n = load_seal("own-aze-v4-mrva-p256", seal, sizeof seal);
    CHECK(n > 0);
    char *svg = NULL;
    size_t len = 0;
    CHECK_INT(dm_render_svg(seal, (size_t)n, NULL, &svg, &len), 0);
    struct dm_matrix *m = malloc(sizeof *m), *drawn = calloc(1, sizeof *drawn);
    CHECK(m != NULL && drawn != NULL);
    int rc = dm_encode_matrix(seal, (size_t)n, m);
    bool ok = rc == 0;
    const char *d = strstr(svg, " d=\"");
    ok = ok && d != NULL;
    for (const char *p = d ? d + 4 : ""; ok && *p == 'M';) {
        int x, y, run, back, used = 0;
        if (sscanf(p, "M%d %dh%dv1h-%dz%n", &x, &y, &run, &back, &used) != 4 || used == 0 ||
            run != back || x < 2 || y < 2 || x - 2 + run > m->size || y - 2 >= m->size) {
            ok = false;
            break;
        }
        for (int i = 0; i < run; i++)
            drawn->dark[y - 2][x - 2 + i] = 1;
        p += used;
    }
    ok = ok && memcmp(drawn->dark, m->dark, sizeof m->dark) == 0;
    free(m);
    free(drawn);
    free(svg);
    CHECK(ok);
}

TEST(dm_decodes_with_white_margin)
{
    CHECK_INT(transformed_seal_decodes(T_MARGIN), 0);
}

TEST(dm_decodes_scaled_by_half)
{
    CHECK_INT(transformed_seal_decodes(T_HALF), 0);
}

TEST(dm_decodes_scaled_by_1_7)
{
    CHECK_INT(transformed_seal_decodes(T_1_7), 0);
}

TEST(dm_decodes_rotated_7_degrees)
{
    CHECK_INT(transformed_seal_decodes(T_ROT7), 0);
}

TEST(dm_decodes_rotated_33_degrees)
{
    CHECK_INT(transformed_seal_decodes(T_ROT33), 0);
}

TEST(dm_decodes_rotated_90_degrees)
{
    CHECK_INT(transformed_seal_decodes(T_ROT90), 0);
}

TEST(dm_decodes_rotated_180_degrees)
{
    CHECK_INT(transformed_seal_decodes(T_ROT180), 0);
}

TEST(dm_decodes_box_blurred)
{
    CHECK_INT(transformed_seal_decodes(T_BLUR), 0);
}

TEST(dm_decodes_jpeg_quality_75)
{
    uint8_t seal[512], out[DM_MAX_PAYLOAD];
    long n = load_seal("own-aze-v4-mrva-p256", seal, sizeof seal);
    CHECK(n > 0);
    struct gray_image g;
    CHECK_INT(render_gray(seal, (size_t)n, DM_DEFAULT_MODULE_PX, &g), 0);
    uint8_t *jpg = NULL;
    size_t jpg_len = 0, out_len = 0;
    int rc = imgops_jpeg(&g, 75, &jpg, &jpg_len);
    image_free(&g);
    CHECK_INT(rc, 0);
    rc = dm_decode_image(jpg, jpg_len, out, sizeof out, &out_len);
    free(jpg);
    CHECK_INT(rc, 0);
    CHECK_INT(out_len, n);
    CHECK(memcmp(out, seal, (size_t)n) == 0);
}

TEST(dm_decodes_2_and_20_pixel_modules)
{
    uint8_t seal[512];
    long n = load_seal("own-aze-v4-mrva-p256", seal, sizeof seal);
    CHECK(n > 0);
    int sizes[] = {2, 20};
    for (size_t i = 0; i < 2; i++) {
        struct gray_image g;
        CHECK_INT(render_gray(seal, (size_t)n, sizes[i], &g), 0);
        int rc = decodes_to(&g, seal, (size_t)n);
        image_free(&g);
        CHECK_INT(rc, 0);
    }
}

/* A 2400 px scan with the symbol in a corner: found on the downscaled pass. */
TEST(dm_decodes_large_image)
{
    uint8_t seal[512];
    long n = load_seal("vdstools-visa-224", seal, sizeof seal);
    CHECK_INT(n, 135);
    struct gray_image g, big;
    CHECK_INT(render_gray(seal, (size_t)n, 8, &g), 0);
    int rc = image_alloc(&big, 2400, 1800, 250);
    if (rc == 0)
        for (int y = 0; y < g.height; y++)
            memcpy(big.pixels + (size_t)(y + 1200) * 2400 + 1700,
                   g.pixels + (size_t)y * (size_t)g.width, (size_t)g.width);
    image_free(&g);
    CHECK_INT(rc, 0);
    rc = decodes_to(&big, seal, (size_t)n);
    image_free(&big);
    CHECK_INT(rc, 0);
}

TEST(dm_decode_noise_is_not_found)
{
    struct gray_image g;
    CHECK_INT(imgops_noise(160, 160, 42, &g), 0);
    uint8_t dummy[1] = {0};
    int rc = decodes_to(&g, dummy, 0);
    image_free(&g);
    CHECK_INT(rc, -RENDER_E_DM_NOT_FOUND);
}

TEST(dm_decode_reports_no_space_for_short_buffer)
{
    uint8_t seal[512], out[100];
    long n = load_seal("vdstools-visa-224", seal, sizeof seal);
    CHECK_INT(n, 135);
    uint8_t *png = NULL;
    size_t png_len = 0, out_len = 0;
    CHECK_INT(dm_render_png(seal, (size_t)n, NULL, &png, &png_len), 0);
    int rc = dm_decode_image(png, png_len, out, sizeof out, &out_len);
    free(png);
    CHECK_INT(rc, -RENDER_E_NO_SPACE);
    CHECK_INT(out_len, 0);
}

TEST(dm_decode_rejects_truncated_png)
{
    uint8_t seal[512], out[DM_MAX_PAYLOAD];
    long n = load_seal("vdstools-visa-224", seal, sizeof seal);
    CHECK_INT(n, 135);
    uint8_t *png = NULL;
    size_t png_len = 0, out_len = 0;
    CHECK_INT(dm_render_png(seal, (size_t)n, NULL, &png, &png_len), 0);
    int rc = dm_decode_image(png, png_len / 2, out, sizeof out, &out_len);
    free(png);
    CHECK_INT(rc, -RENDER_E_CORRUPT);
}

TEST(dm_decode_rejects_gif)
{
    static const uint8_t gif[] = "GIF89a\x10\x00\x10\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00";
    uint8_t out[16];
    size_t out_len = 0;
    CHECK_INT(dm_decode_image(gif, sizeof gif - 1, out, sizeof out, &out_len),
              -RENDER_E_UNSUPPORTED_FORMAT);
}

TEST(dm_decode_rejects_empty_input)
{
    uint8_t out[16];
    size_t out_len = 0;
    CHECK_INT(dm_decode_image((const uint8_t *)"", 0, out, sizeof out, &out_len), -RENDER_E_EMPTY);
    CHECK_INT(dm_decode_image(NULL, 0, out, sizeof out, &out_len), -RENDER_E_EMPTY);
}

TEST(dm_decode_ex_applies_tighter_limits)
{
    uint8_t seal[512], out[DM_MAX_PAYLOAD];
    long n = load_seal("vdstools-visa-224", seal, sizeof seal);
    CHECK_INT(n, 135);
    uint8_t *png = NULL;
    size_t png_len = 0, out_len = 0;
    CHECK_INT(dm_render_png(seal, (size_t)n, NULL, &png, &png_len), 0);
    struct dm_decode_options small_input = {.max_input = 100};
    struct dm_decode_options small_side = {.max_side = 200};
    int rc1 = dm_decode_image_ex(png, png_len, &small_input, out, sizeof out, &out_len);
    int rc2 = dm_decode_image_ex(png, png_len, &small_side, out, sizeof out, &out_len);
    free(png);
    CHECK_INT(rc1, -RENDER_E_TOO_LARGE);
    CHECK_INT(rc2, -RENDER_E_TOO_LARGE);
}

TEST(dm_render_rejects_payload_over_1556_bytes)
{
    static uint8_t p[DM_MAX_PAYLOAD + 1];
    uint8_t *png = NULL;
    char *svg = NULL;
    size_t len = 0;
    CHECK_INT(dm_render_png(p, sizeof p, NULL, &png, &len), -RENDER_E_PAYLOAD_TOO_LARGE);
    CHECK(png == NULL);
    CHECK_INT(dm_render_svg(p, sizeof p, NULL, &svg, &len), -RENDER_E_PAYLOAD_TOO_LARGE);
    CHECK(svg == NULL);
}

TEST(dm_render_rejects_empty_payload)
{
    uint8_t *png = NULL;
    size_t len = 0;
    CHECK_INT(dm_render_png((const uint8_t *)"", 0, NULL, &png, &len), -RENDER_E_EMPTY);
    CHECK(png == NULL);
}

TEST(dm_render_rejects_out_of_range_options)
{
    uint8_t p[40];
    fill_payload(p, sizeof p, 9);
    struct dm_options bad[] = {
        {.quiet_zone = -1},  {.quiet_zone = DM_MAX_QUIET + 1},
        {.module_px = -2},   {.module_px = DM_MAX_MODULE_PX + 1},
        {.module_mm = -0.5}, {.module_mm = 11.0},
        {.module_mm = NAN},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t *png = NULL;
        char *svg = NULL;
        size_t len = 0;
        char ctx[32];
        snprintf(ctx, sizeof ctx, "option %zu", i);
        CHECK_CTX(dm_render_png(p, sizeof p, &bad[i], &png, &len) == -RENDER_E_BAD_OPTION, ctx);
        CHECK_CTX(dm_render_svg(p, sizeof p, &bad[i], &svg, &len) == -RENDER_E_BAD_OPTION, ctx);
        free(png);
        free(svg);
    }
    /* A PNG wider than IMAGE_MAX_SIDE. */
    static uint8_t big[DM_MAX_PAYLOAD];
    struct dm_options huge = {.module_px = DM_MAX_MODULE_PX};
    uint8_t *png = NULL;
    size_t len = 0;
    CHECK_INT(dm_render_png(big, sizeof big, &huge, &png, &len), -RENDER_E_BAD_OPTION);
}
