/*
 * test_image.c — bounded PNG/JPEG I/O (src/render/image.c) and the render
 * error table (src/render/render_err.c): round trips, format detection, and
 * every limit and corruption case.
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "imgops.h"
#include "render/image.h"
#include "render/render_err.h"

/* PNG CRC-32 (ISO 3309) of buf[0..n). */
static uint32_t png_crc(const uint8_t *buf, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= buf[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Signature + IHDR (8-bit gray) for width x height with a correct CRC, then
 * an empty IDAT and IEND: 57 bytes. */
static size_t craft_png_header(uint8_t *out, uint32_t width, uint32_t height)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    memcpy(out, sig, 8);
    put32(out + 8, 13);
    memcpy(out + 12, "IHDR", 4);
    put32(out + 16, width);
    put32(out + 20, height);
    out[24] = 8; /* bit depth */
    out[25] = 0; /* grayscale */
    out[26] = out[27] = out[28] = 0;
    put32(out + 29, png_crc(out + 12, 17));
    put32(out + 33, 0);
    memcpy(out + 37, "IDAT", 4);
    put32(out + 41, png_crc(out + 37, 4));
    put32(out + 45, 0);
    memcpy(out + 49, "IEND", 4);
    put32(out + 53, png_crc(out + 49, 4));
    return 57;
}

static int gradient(int w, int h, struct gray_image *g)
{
    int rc = image_alloc(g, w, h, 0);
    if (rc < 0)
        return rc;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            g->pixels[(size_t)y * (size_t)w + (size_t)x] = (uint8_t)((x * 255) / (w - 1));
    return 0;
}

TEST(image_png_round_trip_preserves_pixels)
{
    struct gray_image g, back;
    CHECK_INT(gradient(37, 21, &g), 0);
    uint8_t *png = NULL;
    size_t len = 0;
    CHECK_INT(image_encode_png(&g, &png, &len), 0);
    int rc = image_decode_gray(png, len, 0, &back);
    free(png);
    bool same = rc == 0 && back.width == 37 && back.height == 21 &&
                memcmp(back.pixels, g.pixels, 37 * 21) == 0;
    image_free(&g);
    image_free(&back);
    CHECK_INT(rc, 0);
    CHECK(same);
}

TEST(image_decodes_rgba_png_onto_white)
{
    uint8_t rgba[16 * 16 * 4];
    for (size_t i = 0; i < 16 * 16; i++) {
        bool opaque = i < 8; /* first 8 pixels opaque black, the rest transparent */
        rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = 0;
        rgba[4 * i + 3] = opaque ? 255 : 0;
    }
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    pi.width = pi.height = 16;
    pi.format = PNG_FORMAT_RGBA;
    static uint8_t png[4096];
    png_alloc_size_t len = sizeof png;
    CHECK(png_image_write_to_memory(&pi, png, &len, 0, rgba, 0, NULL));
    struct gray_image g;
    CHECK_INT(image_decode_gray(png, len, 0, &g), 0);
    uint8_t first = g.pixels[0], last = g.pixels[255];
    image_free(&g);
    CHECK_INT(first, 0);
    CHECK_INT(last, 255);
}

TEST(image_decodes_jpeg_to_gray)
{
    struct gray_image g, back;
    CHECK_INT(gradient(64, 40, &g), 0);
    uint8_t *jpg = NULL;
    size_t len = 0;
    CHECK_INT(imgops_jpeg(&g, 90, &jpg, &len), 0);
    int rc = image_decode_gray(jpg, len, 0, &back);
    free(jpg);
    int maxdiff = 0;
    for (size_t i = 0; rc == 0 && i < 64 * 40; i++) {
        int d = abs((int)back.pixels[i] - (int)g.pixels[i]);
        if (d > maxdiff)
            maxdiff = d;
    }
    int w = back.width, h = back.height;
    image_free(&g);
    image_free(&back);
    CHECK_INT(rc, 0);
    CHECK_INT(w, 64);
    CHECK_INT(h, 40);
    CHECK(maxdiff <= 12);
}

TEST(image_detects_formats_by_magic)
{
    static const uint8_t png[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    static const uint8_t jpg[3] = {0xFF, 0xD8, 0xFF};
    CHECK_INT(image_detect_format(png, sizeof png), IMAGE_FORMAT_PNG);
    CHECK_INT(image_detect_format(png, 7), IMAGE_FORMAT_UNKNOWN);
    CHECK_INT(image_detect_format(jpg, sizeof jpg), IMAGE_FORMAT_JPEG);
    CHECK_INT(image_detect_format((const uint8_t *)"GIF87a", 6), IMAGE_FORMAT_GIF);
    CHECK_INT(image_detect_format((const uint8_t *)"BM", 2), IMAGE_FORMAT_UNKNOWN);
    CHECK_INT(image_detect_format(NULL, 0), IMAGE_FORMAT_UNKNOWN);
}

TEST(image_rejects_empty_input)
{
    struct gray_image g;
    CHECK_INT(image_decode_gray((const uint8_t *)"", 0, 0, &g), -RENDER_E_EMPTY);
    CHECK(g.pixels == NULL);
}

TEST(image_rejects_gif_magic)
{
    struct gray_image g;
    CHECK_INT(image_decode_gray((const uint8_t *)"GIF89a\x01\x00\x01\x00", 10, 0, &g),
              -RENDER_E_UNSUPPORTED_FORMAT);
}

TEST(image_rejects_unknown_bytes)
{
    struct gray_image g;
    CHECK_INT(image_decode_gray((const uint8_t *)"%PDF-1.7", 8, 0, &g),
              -RENDER_E_UNSUPPORTED_FORMAT);
}

TEST(image_rejects_truncated_png)
{
    struct gray_image g, back;
    CHECK_INT(gradient(100, 100, &g), 0);
    uint8_t *png = NULL;
    size_t len = 0;
    int rc = image_encode_png(&g, &png, &len);
    image_free(&g);
    CHECK_INT(rc, 0);
    int cut_data = image_decode_gray(png, len - 20, 0, &back);
    int cut_header = image_decode_gray(png, 20, 0, &back);
    free(png);
    CHECK_INT(cut_data, -RENDER_E_CORRUPT);
    CHECK_INT(cut_header, -RENDER_E_CORRUPT);
}

TEST(image_rejects_png_header_of_5000_by_5000)
{
    uint8_t buf[64];
    size_t len = craft_png_header(buf, 5000, 5000);
    struct gray_image g;
    CHECK_INT(image_decode_gray(buf, len, 0, &g), -RENDER_E_TOO_LARGE);
    CHECK(g.pixels == NULL);
}

TEST(image_rejects_1x1_png)
{
    uint8_t px = 0;
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    pi.width = pi.height = 1;
    pi.format = PNG_FORMAT_GRAY;
    uint8_t png[256];
    png_alloc_size_t len = sizeof png;
    CHECK(png_image_write_to_memory(&pi, png, &len, 0, &px, 0, NULL));
    struct gray_image g;
    CHECK_INT(image_decode_gray(png, len, 0, &g), -RENDER_E_TOO_SMALL);
    uint8_t hdr[64];
    size_t hlen = craft_png_header(hdr, 0, 0);
    int zero = image_decode_gray(hdr, hlen, 0, &g);
    CHECK(zero == -RENDER_E_CORRUPT || zero == -RENDER_E_TOO_SMALL);
}

TEST(image_rejects_input_over_12_mib)
{
    size_t len = IMAGE_MAX_INPUT + 1;
    uint8_t *buf = calloc(1, len);
    CHECK(buf != NULL);
    craft_png_header(buf, 100, 100);
    struct gray_image g;
    int rc = image_decode_gray(buf, len, 0, &g);
    free(buf);
    CHECK_INT(rc, -RENDER_E_TOO_LARGE);
}

TEST(image_rejects_jpeg_header_of_5000_by_5000)
{
    struct gray_image g;
    CHECK_INT(gradient(16, 16, &g), 0);
    uint8_t *jpg = NULL;
    size_t len = 0;
    int rc = imgops_jpeg(&g, 80, &jpg, &len);
    image_free(&g);
    CHECK_INT(rc, 0);
    /* SOF0: FF C0, length (2), precision (1), height (2), width (2). */
    bool patched = false;
    for (size_t i = 2; i + 9 < len && !patched; i++) {
        if (jpg[i] == 0xFF && jpg[i + 1] == 0xC0) {
            jpg[i + 5] = 5000 >> 8;
            jpg[i + 6] = 5000 & 0xFF;
            jpg[i + 7] = 5000 >> 8;
            jpg[i + 8] = 5000 & 0xFF;
            patched = true;
        }
    }
    rc = image_decode_gray(jpg, len, 0, &g);
    free(jpg);
    CHECK(patched);
    CHECK_INT(rc, -RENDER_E_TOO_LARGE);
}

TEST(image_rejects_jpeg_header_only)
{
    static const uint8_t jpg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J',  'F',  'I',  'F',
                                  0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00};
    struct gray_image g;
    CHECK_INT(image_decode_gray(jpg, sizeof jpg, 0, &g), -RENDER_E_CORRUPT);
    CHECK(g.pixels == NULL);
}

TEST(image_respects_max_side_argument)
{
    struct gray_image g, back;
    CHECK_INT(gradient(300, 20, &g), 0);
    uint8_t *png = NULL;
    size_t len = 0;
    int rc = image_encode_png(&g, &png, &len);
    image_free(&g);
    CHECK_INT(rc, 0);
    int small = image_decode_gray(png, len, 299, &back);
    int exact = image_decode_gray(png, len, 300, &back);
    image_free(&back);
    free(png);
    CHECK_INT(small, -RENDER_E_TOO_LARGE);
    CHECK_INT(exact, 0);
}

TEST(image_alloc_rejects_sides_out_of_range)
{
    struct gray_image g;
    CHECK_INT(image_alloc(&g, 1, 100, 0), -RENDER_E_TOO_SMALL);
    CHECK_INT(image_alloc(&g, 100, IMAGE_MAX_SIDE + 1, 0), -RENDER_E_TOO_LARGE);
    CHECK(g.pixels == NULL);
}

TEST(image_encode_png_rejects_empty_image)
{
    struct gray_image g = {0};
    uint8_t *png = (uint8_t *)1;
    size_t len = 1;
    CHECK_INT(image_encode_png(&g, &png, &len), -RENDER_E_BAD_OPTION);
    CHECK(png == NULL);
    CHECK_INT(len, 0);
}

TEST(render_err_names_every_code)
{
    for (int e = RENDER_E_UNSUPPORTED_FORMAT; e < RENDER_E__MAX; e++) {
        char ctx[32];
        snprintf(ctx, sizeof ctx, "code %d", e);
        CHECK_CTX(strcmp(render_err_code(e), "unknown") != 0, ctx);
        CHECK_CTX(strcmp(render_err_code(-e), render_err_code(e)) == 0, ctx);
        CHECK_CTX(strcmp(render_err_message(e), "unknown error") != 0, ctx);
    }
    CHECK_STR(render_err_code(-RENDER_E_CORRUPT), "image_corrupt");
    CHECK_STR(render_err_code(-RENDER_E_DM_NOT_FOUND), "dm_not_found");
    CHECK_STR(render_err_code(0), "ok");
    CHECK_STR(render_err_code(1), "unknown");
    CHECK_STR(render_err_code(RENDER_E__MAX), "unknown");
    CHECK_STR(render_err_message(5000), "unknown error");
}
