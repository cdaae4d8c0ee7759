/*
 * test_photo.c — the upload checker (src/render/photo.c) and the RGB image
 * I/O it uses (image_decode_rgb, image_encode_jpeg_rgb in
 * src/render/image.c): photo-like PNG/JPEG uploads pass and come back as
 * metadata-free baseline JPEGs within the size bounds; each rule and each
 * decoding failure gives its own code.  Test images are generated here:
 * a gradient background with a face-like ellipse, hair and shoulders.
 */
#include "test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>

#include "render/image.h"
#include "render/photo.h"
#include "render/render_err.h"

/* ---- generated inputs ---------------------------------------------------- */

static void put_px(struct rgb_image *img, int x, int y, int r, int g, int b)
{
    uint8_t *p = img->pixels + 3 * ((size_t)y * (size_t)img->width + (size_t)x);
    p[0] = (uint8_t)r;
    p[1] = (uint8_t)g;
    p[2] = (uint8_t)b;
}

/* A w x h "portrait": blue-grey vertical gradient, dark shoulders, a skin
 * coloured ellipse for the face with dark hair on top, two eyes. */
static int make_photo(int w, int h, struct rgb_image *img)
{
    int rc = rgb_image_alloc(img, w, h);
    if (rc < 0)
        return rc;
    double cx = w / 2.0, cy = h * 0.42, rx = w * 0.28, ry = h * 0.27;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int bg = 150 + (90 * y) / h;
            int r = bg - 20, g = bg - 5, b = bg + 10 > 255 ? 255 : bg + 10;
            double dx = (x - cx) / rx, dy = (y - cy) / ry;
            double d = dx * dx + dy * dy;
            if (y > h * 0.72 && fabs(x - cx) < w * (0.2 + (y - h * 0.72) / h)) {
                r = 40, g = 45, b = 70; /* shoulders */
            } else if (d < 1.0 && dy < -0.55) {
                r = 60, g = 40, b = 25; /* hair */
            } else if (d < 1.0) {
                r = 225 - (int)(40 * d), g = 180 - (int)(40 * d), b = 150 - (int)(30 * d);
                double ex = fabs(fabs(x - cx) - rx * 0.4), ey = y - (cy - ry * 0.15);
                if (ex * ex + ey * ey < (rx * 0.1) * (rx * 0.1))
                    r = g = b = 30; /* eyes */
            }
            put_px(img, x, y, r, g, b);
        }
    }
    return 0;
}

/* An image filled with one colour. */
static int make_flat(int w, int h, int r, int g, int b, struct rgb_image *img)
{
    int rc = rgb_image_alloc(img, w, h);
    for (int y = 0; rc == 0 && y < h; y++)
        for (int x = 0; x < w; x++)
            put_px(img, x, y, r, g, b);
    return rc;
}

/* RGB -> PNG with libpng's simplified API; *png is malloc'd. */
static int to_png(const void *pixels, int w, int h, png_uint_32 format, uint8_t **png, size_t *len)
{
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    pi.width = (png_uint_32)w;
    pi.height = (png_uint_32)h;
    pi.format = format;
    png_alloc_size_t size = 0;
    if (!png_image_write_to_memory(&pi, NULL, &size, 0, pixels, 0, NULL))
        return -1;
    *png = malloc(size);
    if (*png == NULL)
        return -1;
    if (!png_image_write_to_memory(&pi, *png, &size, 0, pixels, 0, NULL)) {
        free(*png);
        return -1;
    }
    *len = size;
    return 0;
}

static int rgb_to_png(const struct rgb_image *img, uint8_t **png, size_t *len)
{
    return to_png(img->pixels, img->width, img->height, PNG_FORMAT_RGB, png, len);
}

/* RGB (or CMYK when cmyk != NULL) -> JPEG with plain libjpeg, optionally
 * with an EXIF APP1 segment and a comment, as a camera would write them. */
static int to_jpeg(const struct rgb_image *img, const uint8_t *cmyk, const uint8_t *exif,
                   size_t exif_len, const char *comment, uint8_t **jpg, size_t *len)
{
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr jerr;
    unsigned char *buf = NULL;
    unsigned long size = 0;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &buf, &size);
    cinfo.image_width = (JDIMENSION)img->width;
    cinfo.image_height = (JDIMENSION)img->height;
    cinfo.input_components = cmyk ? 4 : 3;
    cinfo.in_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, 92, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    if (exif)
        jpeg_write_marker(&cinfo, JPEG_APP0 + 1, exif, (unsigned)exif_len);
    if (comment)
        jpeg_write_marker(&cinfo, JPEG_COM, (const JOCTET *)comment, (unsigned)strlen(comment));
    size_t stride = (size_t)img->width * (cmyk ? 4 : 3);
    const uint8_t *pix = cmyk ? cmyk : img->pixels;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(uintptr_t)(pix + (size_t)cinfo.next_scanline * stride);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *jpg = buf;
    *len = size;
    return 0;
}

static uint32_t crc32_png(const uint8_t *buf, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= buf[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Signature + a valid IHDR (8-bit RGB, width x height) + empty IDAT + IEND. */
static size_t png_header_only(uint8_t out[57], uint32_t width, uint32_t height)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    memcpy(out, sig, 8);
    be32(out + 8, 13);
    memcpy(out + 12, "IHDR", 4);
    be32(out + 16, width);
    be32(out + 20, height);
    out[24] = 8;
    out[25] = 2; /* truecolour */
    out[26] = out[27] = out[28] = 0;
    be32(out + 29, crc32_png(out + 12, 17));
    be32(out + 33, 0);
    memcpy(out + 37, "IDAT", 4);
    be32(out + 41, crc32_png(out + 37, 4));
    be32(out + 45, 0);
    memcpy(out + 49, "IEND", 4);
    be32(out + 53, crc32_png(out + 49, 4));
    return 57;
}

/* ---- checks on the output ------------------------------------------------ */

static bool contains(const uint8_t *hay, size_t n, const void *needle, size_t m)
{
    for (size_t i = 0; m <= n && i <= n - m; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return true;
    return false;
}

/* Walk the JPEG's markers up to SOS: only SOI, APP0 "JFIF", DQT, SOF0
 * (baseline) with Y 2x2 and Cb, Cr 1x1 (4:2:0), DHT, DRI and SOS may
 * appear, and the file must end with EOI.  Returns a reason or NULL. */
static const char *scan_markers(const uint8_t *j, size_t n)
{
    if (n < 4 || j[0] != 0xFF || j[1] != 0xD8)
        return "no SOI";
    if (j[n - 2] != 0xFF || j[n - 1] != 0xD9)
        return "no EOI at the end";
    size_t i = 2;
    bool app0 = false, sof0 = false;
    while (i + 4 <= n) {
        if (j[i] != 0xFF)
            return "garbage between segments";
        uint8_t m = j[i + 1];
        size_t seg = ((size_t)j[i + 2] << 8) | j[i + 3];
        if (seg < 2 || i + 2 + seg > n)
            return "bad segment length";
        const uint8_t *body = j + i + 4;
        switch (m) {
        case 0xE0:
            if (seg < 7 || memcmp(body, "JFIF\0", 5) != 0)
                return "APP0 is not JFIF";
            app0 = true;
            break;
        case 0xC0:
            if (seg != 17 || body[5] != 3 || body[7] != 0x22 || body[10] != 0x11 ||
                body[13] != 0x11)
                return "SOF0 is not 3-component 4:2:0";
            sof0 = true;
            break;
        case 0xDB:
        case 0xC4:
        case 0xDD:
            break;
        case 0xDA:
            return app0 && sof0 ? NULL : "SOS before APP0 or SOF0";
        default:
            return "forbidden marker (APPn, COM, progressive SOF, ...)";
        }
        i += 2 + seg;
    }
    return "no SOS";
}

/* photo_process() on data; on success checks what every output must be:
 * decodable by libjpeg at out->width x out->height, long side within the
 * kind's bound, clean markers, not the input bytes.  Fills *dec if given. */
static int process_and_check(const uint8_t *data, size_t len, enum photo_kind kind,
                             struct photo_result *out, struct rgb_image *dec)
{
    int rc = photo_process(data, len, kind, out);
    if (rc < 0)
        return rc;
    const char *why = scan_markers(out->jpeg, out->len);
    if (why) {
        test_fail(__FILE__, __LINE__, "output markers: %s", why);
        return -1000;
    }
    if (out->len == len && memcmp(out->jpeg, data, len) == 0) {
        test_fail(__FILE__, __LINE__, "output equals input");
        return -1000;
    }
    struct rgb_image d;
    rc = image_decode_rgb(out->jpeg, out->len, 0, &d);
    if (rc < 0 || d.width != out->width || d.height != out->height) {
        test_fail(__FILE__, __LINE__, "output does not decode to its stated size (%d)", rc);
        rgb_image_free(&d);
        return -1000;
    }
    int long_side = d.width > d.height ? d.width : d.height;
    if (long_side > photo_rules[kind].max_side_out) {
        test_fail(__FILE__, __LINE__, "output long side %d", long_side);
        rgb_image_free(&d);
        return -1000;
    }
    if (dec)
        *dec = d;
    else
        rgb_image_free(&d);
    return 0;
}

static const uint8_t *px(const struct rgb_image *img, int x, int y)
{
    return img->pixels + 3 * ((size_t)y * (size_t)img->width + (size_t)x);
}

/* Process an RGB image encoded as PNG; returns the photo_process code. */
static int process_png(const struct rgb_image *img, enum photo_kind kind)
{
    uint8_t *png = NULL;
    size_t len = 0;
    if (rgb_to_png(img, &png, &len) < 0)
        return -2000;
    struct photo_result r;
    int rc = photo_process(png, len, kind, &r);
    free(png);
    photo_result_free(&r);
    return rc;
}

/* ---- passing uploads ----------------------------------------------------- */

TEST(photo_accepts_face_png_and_reencodes_as_jpeg)
{
    struct rgb_image img;
    CHECK_INT(make_photo(600, 800, &img), 0);
    uint8_t *png = NULL;
    size_t len = 0;
    int prc = rgb_to_png(&img, &png, &len);
    rgb_image_free(&img);
    CHECK_INT(prc, 0);
    struct photo_result r;
    int rc = process_and_check(png, len, PHOTO_FACE, &r, NULL);
    free(png);
    int w = r.width, h = r.height;
    photo_result_free(&r);
    CHECK_INT(rc, 0);
    CHECK_INT(w, 600);
    CHECK_INT(h, 800);
}

TEST(photo_downscales_large_face_jpeg_to_1200)
{
    struct rgb_image img;
    CHECK_INT(make_photo(1800, 2400, &img), 0);
    uint8_t *jpg = NULL;
    size_t len = 0;
    to_jpeg(&img, NULL, NULL, 0, NULL, &jpg, &len);
    rgb_image_free(&img);
    struct photo_result r;
    int rc = process_and_check(jpg, len, PHOTO_FACE, &r, NULL);
    free(jpg);
    int w = r.width, h = r.height;
    photo_result_free(&r);
    CHECK_INT(rc, 0);
    CHECK_INT(w, 900);
    CHECK_INT(h, 1200);
}

TEST(photo_accepts_passport_page_and_bounds_it_to_2000)
{
    struct rgb_image img;
    CHECK_INT(make_photo(2800, 2000, &img), 0);
    uint8_t *jpg = NULL;
    size_t len = 0;
    to_jpeg(&img, NULL, NULL, 0, NULL, &jpg, &len);
    rgb_image_free(&img);
    struct photo_result r;
    int rc = process_and_check(jpg, len, PHOTO_PASSPORT_PAGE, &r, NULL);
    free(jpg);
    int w = r.width, h = r.height;
    photo_result_free(&r);
    CHECK_INT(rc, 0);
    CHECK_INT(w, 2000);
    CHECK_INT(h, 1429);
}

TEST(photo_strips_exif_gps_and_comment)
{
    static const char gps[] = "GPSLatitude 40.4093N 49.8671E SECRET-HOME";
    static const char comment[] = "Camera serial 0xC0FFEE1234";
    uint8_t exif[128];
    memset(exif, 0, sizeof exif);
    memcpy(exif, "Exif\0\0MM\0\x2a\0\0\0\x08", 14);
    memcpy(exif + 20, gps, sizeof gps - 1);
    struct rgb_image img;
    CHECK_INT(make_photo(450, 600, &img), 0);
    uint8_t *jpg = NULL;
    size_t len = 0;
    to_jpeg(&img, NULL, exif, sizeof exif, comment, &jpg, &len);
    rgb_image_free(&img);
    bool in_input = contains(jpg, len, gps, sizeof gps - 1) &&
                    contains(jpg, len, comment, sizeof comment - 1) &&
                    contains(jpg, len, "Exif", 4);
    bool input_flagged = scan_markers(jpg, len) != NULL; /* the scanner sees APP1 */
    struct photo_result r;
    int rc = process_and_check(jpg, len, PHOTO_FACE, &r, NULL);
    free(jpg);
    bool leaked = rc == 0 && (contains(r.jpeg, r.len, gps, sizeof gps - 1) ||
                              contains(r.jpeg, r.len, "GPS", 3) ||
                              contains(r.jpeg, r.len, comment, sizeof comment - 1) ||
                              contains(r.jpeg, r.len, "Exif", 4));
    photo_result_free(&r);
    CHECK(in_input);
    CHECK(input_flagged);
    CHECK_INT(rc, 0);
    CHECK(!leaked);
}

TEST(photo_composites_transparent_png_on_white)
{
    struct rgb_image img;
    CHECK_INT(make_photo(600, 800, &img), 0);
    uint8_t *rgba = malloc(600 * 800 * 4);
    CHECK(rgba != NULL);
    for (size_t i = 0; i < 600 * 800; i++) {
        memcpy(rgba + 4 * i, img.pixels + 3 * i, 3);
        rgba[4 * i + 3] = (i % 600) < 150 ? 0 : 255; /* left quarter fully transparent */
        if ((i % 600) < 150)
            rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = 0; /* black under alpha 0 */
    }
    rgb_image_free(&img);
    uint8_t *png = NULL;
    size_t len = 0;
    int prc = to_png(rgba, 600, 800, PNG_FORMAT_RGBA, &png, &len);
    free(rgba);
    CHECK_INT(prc, 0);
    struct photo_result r;
    struct rgb_image d = {0};
    int rc = process_and_check(png, len, PHOTO_FACE, &r, &d);
    free(png);
    photo_result_free(&r);
    int minv = 255;
    for (int y = 0; rc == 0 && y < 800; y += 7)
        for (int x = 0; x < 140; x += 3)
            for (int c = 0; c < 3; c++)
                if (px(&d, x, y)[c] < minv)
                    minv = px(&d, x, y)[c];
    rgb_image_free(&d);
    CHECK_INT(rc, 0);
    CHECK(minv >= 250);
}

TEST(photo_accepts_16_bit_png)
{
    struct rgb_image img;
    CHECK_INT(make_photo(600, 800, &img), 0);
    uint16_t *p16 = malloc(sizeof *p16 * 600 * 800 * 3);
    CHECK(p16 != NULL);
    for (size_t i = 0; i < 600 * 800 * 3; i++) {
        double c = img.pixels[i] / 255.0;
        double lin = c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
        p16[i] = (uint16_t)lround(lin * 65535.0); /* simplified API: 16-bit is linear */
    }
    uint8_t *png = NULL;
    size_t len = 0;
    int prc = to_png(p16, 600, 800, PNG_FORMAT_LINEAR_RGB, &png, &len);
    free(p16);
    bool sixteen = prc == 0 && len > 25 && png[24] == 16;
    struct photo_result r;
    struct rgb_image d = {0};
    int rc = prc == 0 ? process_and_check(png, len, PHOTO_FACE, &r, &d) : -1;
    free(png);
    photo_result_free(&r);
    /* Mean difference from the 8-bit original: JPEG noise only. */
    double diff = 0;
    for (size_t i = 0; rc == 0 && i < 600 * 800 * 3; i++)
        diff += abs((int)d.pixels[i] - (int)img.pixels[i]);
    diff /= 600 * 800 * 3;
    rgb_image_free(&img);
    rgb_image_free(&d);
    CHECK(sixteen);
    CHECK_INT(rc, 0);
    CHECK(diff < 3.0);
}

TEST(photo_accepts_gray_png)
{
    struct rgb_image img;
    CHECK_INT(make_photo(600, 800, &img), 0);
    uint8_t *gray = malloc(600 * 800);
    CHECK(gray != NULL);
    for (size_t i = 0; i < 600 * 800; i++)
        gray[i] = img.pixels[3 * i + 1];
    rgb_image_free(&img);
    uint8_t *png = NULL;
    size_t len = 0;
    int prc = to_png(gray, 600, 800, PNG_FORMAT_GRAY, &png, &len);
    CHECK_INT(prc, 0);
    struct photo_result r;
    struct rgb_image d = {0};
    int rc = process_and_check(png, len, PHOTO_FACE, &r, &d);
    free(png);
    photo_result_free(&r);
    int maxdiff = 0;
    for (size_t i = 0; rc == 0 && i < 600 * 800; i++)
        for (int c = 0; c < 3; c++) {
            int dd = abs((int)d.pixels[3 * i + (size_t)c] - (int)gray[i]);
            if (dd > maxdiff)
                maxdiff = dd;
        }
    free(gray);
    rgb_image_free(&d);
    CHECK_INT(rc, 0);
    CHECK(maxdiff <= 24);
}

TEST(photo_converts_adobe_cmyk_jpeg)
{
    struct rgb_image img;
    CHECK_INT(make_flat(600, 800, 0, 0, 0, &img), 0);
    uint8_t *cmyk = malloc(600 * 800 * 4);
    CHECK(cmyk != NULL);
    /* Top half red, bottom half white, in Adobe's inverted CMYK (255 = no
     * ink): red = no cyan, full magenta and yellow, no black. */
    for (size_t i = 0; i < 600 * 800; i++) {
        bool top = i < 600 * 400;
        cmyk[4 * i] = 255;
        cmyk[4 * i + 1] = top ? 0 : 255;
        cmyk[4 * i + 2] = top ? 0 : 255;
        cmyk[4 * i + 3] = 255;
    }
    uint8_t *jpg = NULL;
    size_t len = 0;
    to_jpeg(&img, cmyk, NULL, 0, NULL, &jpg, &len);
    free(cmyk);
    rgb_image_free(&img);
    struct photo_result r;
    struct rgb_image d = {0};
    int rc = process_and_check(jpg, len, PHOTO_FACE, &r, &d);
    free(jpg);
    photo_result_free(&r);
    const uint8_t *red = rc == 0 ? px(&d, 300, 100) : (const uint8_t *)"\0\0\0";
    bool is_red = red[0] > 230 && red[1] < 25 && red[2] < 25;
    bool white = rc == 0 && px(&d, 300, 700)[0] > 245 && px(&d, 300, 700)[2] > 245;
    rgb_image_free(&d);
    CHECK_INT(rc, 0);
    CHECK(is_red);
    CHECK(white);
}

TEST(photo_downscale_averages_in_linear_light)
{
    /* A fine black/white checkerboard shrunk 2x averages to half the light:
     * sRGB 188, not 128 (averaging the sRGB codes would darken it). */
    struct rgb_image img;
    CHECK_INT(make_photo(1800, 2400, &img), 0);
    for (int y = 0; y < 600; y++)
        for (int x = 0; x < 600; x++) {
            int v = ((x + y) & 1) ? 255 : 0;
            put_px(&img, x, y, v, v, v);
        }
    uint8_t *png = NULL;
    size_t len = 0;
    int prc = rgb_to_png(&img, &png, &len);
    rgb_image_free(&img);
    CHECK_INT(prc, 0);
    struct photo_result r;
    struct rgb_image d = {0};
    int rc = process_and_check(png, len, PHOTO_FACE, &r, &d);
    free(png);
    photo_result_free(&r);
    int v = rc == 0 ? px(&d, 100, 100)[1] : 0;
    rgb_image_free(&d);
    CHECK_INT(rc, 0);
    CHECK(v >= 182 && v <= 194);
}

/* ---- refused uploads ----------------------------------------------------- */

TEST(photo_rejects_face_too_small)
{
    struct rgb_image img;
    CHECK_INT(make_photo(300, 400, &img), 0);
    int rc = process_png(&img, PHOTO_FACE);
    rgb_image_free(&img);
    CHECK_INT(rc, -RENDER_E_PHOTO_TOO_SMALL);
    CHECK_STR(render_err_code(rc), "photo_too_small");
}

TEST(photo_rejects_passport_page_too_small)
{
    struct rgb_image img;
    CHECK_INT(make_photo(560, 400, &img), 0);
    int rc = process_png(&img, PHOTO_PASSPORT_PAGE);
    rgb_image_free(&img);
    CHECK_INT(rc, -RENDER_E_PHOTO_TOO_SMALL);
}

TEST(photo_rejects_tiny_image_as_too_small)
{
    struct rgb_image img;
    CHECK_INT(make_photo(8, 8, &img), 0);
    img.width = img.height = 4; /* a 4x4 PNG: under the decoder's own minimum */
    int rc = process_png(&img, PHOTO_FACE);
    rgb_image_free(&img);
    CHECK_INT(rc, -RENDER_E_PHOTO_TOO_SMALL);
}

TEST(photo_rejects_square_face)
{
    struct rgb_image img;
    CHECK_INT(make_photo(700, 700, &img), 0);
    int rc = process_png(&img, PHOTO_FACE);
    rgb_image_free(&img);
    CHECK_INT(rc, -RENDER_E_PHOTO_BAD_ASPECT);
    CHECK_STR(render_err_code(rc), "photo_bad_aspect");
}

TEST(photo_rejects_sideways_face)
{
    struct rgb_image img;
    CHECK_INT(make_photo(800, 600, &img), 0);
    int rc = process_png(&img, PHOTO_FACE);
    rgb_image_free(&img);
    CHECK_INT(rc, -RENDER_E_PHOTO_BAD_ASPECT);
}

TEST(photo_rejects_portrait_passport_page)
{
    struct rgb_image img;
    CHECK_INT(make_photo(700, 1000, &img), 0);
    int rc = process_png(&img, PHOTO_PASSPORT_PAGE);
    rgb_image_free(&img);
    CHECK_INT(rc, -RENDER_E_PHOTO_BAD_ASPECT);
}

TEST(photo_rejects_too_wide_passport_page)
{
    struct rgb_image img;
    CHECK_INT(make_photo(1400, 800, &img), 0); /* 1.75 */
    int rc = process_png(&img, PHOTO_PASSPORT_PAGE);
    rgb_image_free(&img);
    CHECK_INT(rc, -RENDER_E_PHOTO_BAD_ASPECT);
}

TEST(photo_rejects_blank_white)
{
    struct rgb_image img;
    CHECK_INT(make_flat(600, 800, 255, 255, 255, &img), 0);
    int rc = process_png(&img, PHOTO_FACE);
    rgb_image_free(&img);
    CHECK_INT(rc, -RENDER_E_PHOTO_BLANK);
    CHECK_STR(render_err_code(rc), "photo_blank");
}

TEST(photo_rejects_uniform_gray)
{
    struct rgb_image img;
    CHECK_INT(make_flat(900, 600, 128, 128, 128, &img), 0);
    int rc = process_png(&img, PHOTO_PASSPORT_PAGE);
    rgb_image_free(&img);
    CHECK_INT(rc, -RENDER_E_PHOTO_BLANK);
}

TEST(photo_rejects_gray_with_slight_noise)
{
    struct rgb_image img;
    CHECK_INT(make_flat(600, 800, 0, 0, 0, &img), 0);
    unsigned s = 12345;
    for (size_t i = 0; i < 600 * 800 * 3; i++) {
        s = s * 1103515245u + 12345u;
        img.pixels[i] = (uint8_t)(120 + (s >> 16) % 9); /* 120..128 */
    }
    int rc = process_png(&img, PHOTO_FACE);
    rgb_image_free(&img);
    CHECK_INT(rc, -RENDER_E_PHOTO_BLANK);
}

TEST(photo_rejects_almost_all_white_with_specks)
{
    /* 1 % black: the luma deviation (~25) passes, the near-white share not. */
    struct rgb_image img;
    CHECK_INT(make_flat(600, 800, 255, 255, 255, &img), 0);
    for (int y = 100; y < 160; y++)
        for (int x = 100; x < 180; x++)
            put_px(&img, x, y, 0, 0, 0);
    int rc = process_png(&img, PHOTO_FACE);
    rgb_image_free(&img);
    CHECK_INT(rc, -RENDER_E_PHOTO_BLANK);
}

TEST(photo_rejects_almost_all_black)
{
    struct rgb_image img;
    CHECK_INT(make_flat(900, 600, 5, 5, 5, &img), 0);
    for (int y = 200; y < 260; y++)
        for (int x = 300; x < 400; x++)
            put_px(&img, x, y, 250, 250, 250);
    int rc = process_png(&img, PHOTO_PASSPORT_PAGE);
    rgb_image_free(&img);
    CHECK_INT(rc, -RENDER_E_PHOTO_BLANK);
}

TEST(photo_rejects_gif)
{
    static const uint8_t gif[] = "GIF89a\x58\x02\x20\x03\x80\x00\x00\xff\xff\xff\x00\x00\x00;";
    struct photo_result r;
    int rc = photo_process(gif, sizeof gif - 1, PHOTO_FACE, &r);
    CHECK_INT(rc, -RENDER_E_UNSUPPORTED_FORMAT);
    CHECK(r.jpeg == NULL);
    CHECK_STR(render_err_code(rc), "image_unsupported_format");
}

TEST(photo_rejects_pdf)
{
    static const char pdf[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
    struct photo_result r;
    CHECK_INT(photo_process((const uint8_t *)pdf, sizeof pdf - 1, PHOTO_PASSPORT_PAGE, &r),
              -RENDER_E_UNSUPPORTED_FORMAT);
}

TEST(photo_rejects_empty_upload)
{
    struct photo_result r;
    CHECK_INT(photo_process((const uint8_t *)"", 0, PHOTO_FACE, &r), -RENDER_E_EMPTY);
    CHECK_INT(photo_process(NULL, 10, PHOTO_FACE, &r), -RENDER_E_EMPTY);
}

TEST(photo_rejects_truncated_png)
{
    struct rgb_image img;
    CHECK_INT(make_photo(600, 800, &img), 0);
    uint8_t *png = NULL;
    size_t len = 0;
    int prc = rgb_to_png(&img, &png, &len);
    rgb_image_free(&img);
    CHECK_INT(prc, 0);
    struct photo_result r;
    int rc = photo_process(png, len / 2, PHOTO_FACE, &r);
    free(png);
    CHECK_INT(rc, -RENDER_E_CORRUPT);
    CHECK_STR(render_err_code(rc), "image_corrupt");
}

TEST(photo_rejects_truncated_jpeg)
{
    struct rgb_image img;
    CHECK_INT(make_photo(600, 800, &img), 0);
    uint8_t *jpg = NULL;
    size_t len = 0;
    to_jpeg(&img, NULL, NULL, 0, NULL, &jpg, &len);
    rgb_image_free(&img);
    struct photo_result r;
    int rc = photo_process(jpg, len * 2 / 3, PHOTO_FACE, &r);
    free(jpg);
    CHECK_INT(rc, -RENDER_E_CORRUPT);
}

TEST(photo_rejects_upload_over_5_mib)
{
    size_t len = PHOTO_MAX_INPUT + 1;
    uint8_t *big = calloc(len, 1);
    CHECK(big != NULL);
    png_header_only(big, 1000, 1000);
    struct photo_result r;
    int rc = photo_process(big, len, PHOTO_FACE, &r);
    int rc_at_limit = photo_process(big, len - 1, PHOTO_FACE, &r); /* decoded, then refused */
    free(big);
    CHECK_INT(rc, -RENDER_E_TOO_LARGE);
    CHECK_STR(render_err_code(rc), "image_too_large");
    CHECK(rc_at_limit != -RENDER_E_TOO_LARGE);
}

TEST(photo_rejects_png_header_of_5000_by_5000)
{
    uint8_t png[57];
    size_t len = png_header_only(png, 5000, 5000);
    struct photo_result r;
    CHECK_INT(photo_process(png, len, PHOTO_PASSPORT_PAGE, &r), -RENDER_E_TOO_LARGE);
}

TEST(photo_rejects_kind_out_of_range)
{
    uint8_t png[57];
    size_t len = png_header_only(png, 600, 800);
    struct photo_result r;
    CHECK_INT(photo_process(png, len, PHOTO__MAX, &r), -RENDER_E_BAD_OPTION);
    CHECK_INT(photo_process(png, len, (enum photo_kind) - 1, &r), -RENDER_E_BAD_OPTION);
}

TEST(photo_rejects_inconsistent_rules)
{
    uint8_t png[57];
    size_t len = png_header_only(png, 600, 800);
    struct photo_rules bad = photo_rules[PHOTO_FACE];
    bad.min_aspect = 0.9; /* above max_aspect */
    struct photo_result r;
    CHECK_INT(photo_process_rules(png, len, &bad, &r), -RENDER_E_BAD_OPTION);
    bad = photo_rules[PHOTO_FACE];
    bad.jpeg_quality = 0;
    CHECK_INT(photo_process_rules(png, len, &bad, &r), -RENDER_E_BAD_OPTION);
    CHECK_INT(photo_process_rules(png, len, NULL, &r), -RENDER_E_BAD_OPTION);
}

TEST(photo_rules_name_the_policy_documents)
{
    CHECK_STR(photo_rules[PHOTO_FACE].name, "photo");
    CHECK_STR(photo_rules[PHOTO_PASSPORT_PAGE].name, "passport_page");
    CHECK_INT(photo_rules[PHOTO_FACE].max_input, 5 << 20);
}

/* ---- the RGB image functions themselves ----------------------------------- */

TEST(image_encode_jpeg_rgb_rejects_bad_quality_and_image)
{
    struct rgb_image img;
    CHECK_INT(make_flat(16, 16, 10, 20, 30, &img), 0);
    uint8_t *jpg = (uint8_t *)&img;
    size_t len = 1;
    int q0 = image_encode_jpeg_rgb(&img, 0, &jpg, &len);
    int q101 = image_encode_jpeg_rgb(&img, 101, &jpg, &len);
    rgb_image_free(&img);
    int empty = image_encode_jpeg_rgb(&img, 90, &jpg, &len);
    CHECK_INT(q0, -RENDER_E_BAD_OPTION);
    CHECK_INT(q101, -RENDER_E_BAD_OPTION);
    CHECK_INT(empty, -RENDER_E_BAD_OPTION);
    CHECK(jpg == NULL);
    CHECK_INT(len, 0);
}

TEST(image_rgb_jpeg_round_trip_keeps_colours)
{
    struct rgb_image img, back;
    CHECK_INT(make_flat(64, 48, 200, 30, 60, &img), 0);
    uint8_t *jpg = NULL;
    size_t len = 0;
    int rc = image_encode_jpeg_rgb(&img, 95, &jpg, &len);
    rgb_image_free(&img);
    CHECK_INT(rc, 0);
    const char *why = scan_markers(jpg, len);
    rc = image_decode_rgb(jpg, len, 0, &back);
    free(jpg);
    CHECK(why == NULL);
    CHECK_INT(rc, 0);
    const uint8_t *p = px(&back, 30, 20);
    bool close = abs(p[0] - 200) <= 4 && abs(p[1] - 30) <= 4 && abs(p[2] - 60) <= 4;
    rgb_image_free(&back);
    CHECK(close);
}

TEST(image_decode_rgb_rejects_tiny_and_huge)
{
    struct rgb_image d;
    uint8_t png[57];
    size_t len = png_header_only(png, 4, 4);
    CHECK_INT(image_decode_rgb(png, len, 0, &d), -RENDER_E_TOO_SMALL);
    len = png_header_only(png, 4001, 10);
    CHECK_INT(image_decode_rgb(png, len, 0, &d), -RENDER_E_TOO_LARGE);
    CHECK(d.pixels == NULL);
}

TEST(image_decode_rgb_rejects_two_channel_jpeg)
{
    /* A JPEG may carry any number of components in an unnamed colour
     * space; only gray, YCbCr, RGB, CMYK and YCCK mean a picture. */
    static uint8_t pix[16 * 16 * 2];
    for (size_t i = 0; i < sizeof pix; i++)
        pix[i] = (uint8_t)(i * 7);
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr jerr;
    unsigned char *buf = NULL;
    unsigned long size = 0;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &buf, &size);
    cinfo.image_width = cinfo.image_height = 16;
    cinfo.input_components = 2;
    cinfo.in_color_space = JCS_UNKNOWN;
    jpeg_set_defaults(&cinfo);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = pix + (size_t)cinfo.next_scanline * 32;
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    struct rgb_image d;
    int rc = image_decode_rgb(buf, size, 0, &d);
    free(buf);
    CHECK_INT(rc, -RENDER_E_UNSUPPORTED_FORMAT);
}
