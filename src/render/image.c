/*
 * image.c — PNG/JPEG decoding to grayscale and grayscale PNG encoding, with
 * every size limit checked before pixels are allocated (see image.h).
 *
 * PNG uses libpng's simplified API (png_image_*), which runs each step under
 * its own setjmp and reports failure by return value.  JPEG uses libjpeg
 * with an error manager whose error_exit longjmps back to jpeg_decode(); the
 * only state touched after setjmp is kept in volatile locals, and the
 * decompressor is destroyed on every path.  A progress monitor caps the
 * number of progressive scans and mem->max_memory_to_use caps libjpeg's own
 * allocations, so a hostile file cannot make decoding slow or huge.
 */
#include "render/image.h"

#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>

#include "render/render_err.h"

enum image_format image_detect_format(const uint8_t *data, size_t len)
{
    static const uint8_t png_magic[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
    if (data == NULL)
        return IMAGE_FORMAT_UNKNOWN;
    if (len >= sizeof png_magic && memcmp(data, png_magic, sizeof png_magic) == 0)
        return IMAGE_FORMAT_PNG;
    if (len >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        return IMAGE_FORMAT_JPEG;
    if (len >= 4 && memcmp(data, "GIF8", 4) == 0)
        return IMAGE_FORMAT_GIF;
    return IMAGE_FORMAT_UNKNOWN;
}

static int check_sides(long width, long height, int max_side)
{
    if (width < IMAGE_MIN_SIDE || height < IMAGE_MIN_SIDE)
        return -RENDER_E_TOO_SMALL;
    if (width > max_side || height > max_side)
        return -RENDER_E_TOO_LARGE;
    return 0;
}

int image_alloc(struct gray_image *img, int width, int height, uint8_t value)
{
    memset(img, 0, sizeof *img);
    int rc = check_sides(width, height, IMAGE_MAX_SIDE);
    if (rc < 0)
        return rc;
    size_t n = (size_t)width * (size_t)height;
    img->pixels = malloc(n);
    if (img->pixels == NULL)
        return -RENDER_E_NO_MEMORY;
    memset(img->pixels, value, n);
    img->width = width;
    img->height = height;
    return 0;
}

void image_free(struct gray_image *img)
{
    if (img == NULL)
        return;
    free(img->pixels);
    memset(img, 0, sizeof *img);
}

/* ---- PNG ---------------------------------------------------------------- */

static int png_decode(const uint8_t *data, size_t len, int max_side, struct gray_image *out)
{
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&pi, data, len)) {
        png_image_free(&pi);
        return -RENDER_E_CORRUPT;
    }
    int rc = check_sides((long)pi.width, (long)pi.height, max_side);
    if (rc < 0) {
        png_image_free(&pi);
        return rc;
    }
    pi.format = PNG_FORMAT_GRAY;
    size_t n = (size_t)pi.width * (size_t)pi.height;
    uint8_t *pixels = malloc(n);
    if (pixels == NULL) {
        png_image_free(&pi);
        return -RENDER_E_NO_MEMORY;
    }
    png_color white = {255, 255, 255};
    if (!png_image_finish_read(&pi, &white, pixels, (png_int_32)pi.width, NULL)) {
        png_image_free(&pi);
        free(pixels);
        return -RENDER_E_CORRUPT;
    }
    png_image_free(&pi);
    out->width = (int)pi.width;
    out->height = (int)pi.height;
    out->pixels = pixels;
    return 0;
}

int image_encode_png(const struct gray_image *img, uint8_t **png, size_t *png_len)
{
    *png = NULL;
    *png_len = 0;
    if (img == NULL || img->pixels == NULL || img->width < 1 || img->height < 1)
        return -RENDER_E_BAD_OPTION;
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    pi.width = (png_uint_32)img->width;
    pi.height = (png_uint_32)img->height;
    pi.format = PNG_FORMAT_GRAY;
    png_alloc_size_t size = 0;
    if (!png_image_write_to_memory(&pi, NULL, &size, 0, img->pixels, img->width, NULL)) {
        png_image_free(&pi);
        return -RENDER_E_CORRUPT;
    }
    uint8_t *buf = malloc(size);
    if (buf == NULL)
        return -RENDER_E_NO_MEMORY;
    if (!png_image_write_to_memory(&pi, buf, &size, 0, img->pixels, img->width, NULL)) {
        png_image_free(&pi);
        free(buf);
        return -RENDER_E_CORRUPT;
    }
    *png = buf;
    *png_len = size;
    return 0;
}

/* ---- JPEG --------------------------------------------------------------- */

struct jpeg_err_ctx {
    struct jpeg_error_mgr pub; /* first: libjpeg casts cinfo->err to this */
    jmp_buf jump;
};

static void jpeg_error_exit_cb(j_common_ptr cinfo)
{
    struct jpeg_err_ctx *ctx = (struct jpeg_err_ctx *)(void *)cinfo->err;
    longjmp(ctx->jump, 1);
}

/* Warnings and traces are not printed: a library does not write to stderr. */
static void jpeg_output_message_cb(j_common_ptr cinfo)
{
    (void)cinfo;
}

/* Abort a progressive file with an absurd number of scans (each scan
 * re-walks the whole coefficient buffer). */
static void jpeg_progress_cb(j_common_ptr cinfo)
{
    if (!cinfo->is_decompressor)
        return;
    j_decompress_ptr d = (j_decompress_ptr)(void *)cinfo;
    if (d->input_scan_number > IMAGE_JPEG_MAX_SCANS)
        cinfo->err->error_exit(cinfo);
}

static int jpeg_decode(const uint8_t *data, size_t len, int max_side, struct gray_image *out)
{
    struct jpeg_decompress_struct cinfo;
    struct jpeg_err_ctx jerr;
    struct jpeg_progress_mgr progress;
    uint8_t *volatile pixels = NULL;
    volatile int rc = -RENDER_E_CORRUPT;

    memset(&cinfo, 0, sizeof cinfo);
    memset(&progress, 0, sizeof progress);
    cinfo.err = jpeg_std_error(&jerr.pub);
    jerr.pub.error_exit = jpeg_error_exit_cb;
    jerr.pub.output_message = jpeg_output_message_cb;
    if (setjmp(jerr.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        return rc;
    }
    jpeg_create_decompress(&cinfo);
    /* Coefficient buffers of a progressive colour file: 6 bytes/pixel. */
    cinfo.mem->max_memory_to_use = (long)max_side * max_side * 6 + (8L << 20);
    progress.progress_monitor = jpeg_progress_cb;
    cinfo.progress = &progress;
    jpeg_mem_src(&cinfo, data, (unsigned long)len);
    (void)jpeg_read_header(&cinfo, TRUE);
    int sides = check_sides((long)cinfo.image_width, (long)cinfo.image_height, max_side);
    if (sides < 0) {
        jpeg_destroy_decompress(&cinfo);
        return sides;
    }
    cinfo.out_color_space = JCS_GRAYSCALE;
    jpeg_start_decompress(&cinfo);
    if (cinfo.output_components != 1 || cinfo.output_width != cinfo.image_width ||
        cinfo.output_height != cinfo.image_height) {
        jpeg_destroy_decompress(&cinfo);
        return -RENDER_E_CORRUPT;
    }
    size_t width = cinfo.output_width;
    pixels = malloc(width * cinfo.output_height);
    if (pixels == NULL) {
        jpeg_destroy_decompress(&cinfo);
        return -RENDER_E_NO_MEMORY;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = pixels + (size_t)cinfo.output_scanline * width;
        if (jpeg_read_scanlines(&cinfo, &row, 1) != 1)
            break; /* suspension cannot happen with a memory source */
    }
    if (cinfo.output_scanline < cinfo.output_height) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        return -RENDER_E_CORRUPT;
    }
    (void)jpeg_finish_decompress(&cinfo);
    out->width = (int)cinfo.output_width;
    out->height = (int)cinfo.output_height;
    out->pixels = pixels;
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

int image_decode_gray(const uint8_t *data, size_t len, int max_side, struct gray_image *out)
{
    memset(out, 0, sizeof *out);
    if (data == NULL || len == 0)
        return -RENDER_E_EMPTY;
    if (len > IMAGE_MAX_INPUT)
        return -RENDER_E_TOO_LARGE;
    if (max_side <= 0 || max_side > IMAGE_MAX_SIDE)
        max_side = IMAGE_MAX_SIDE;
    switch (image_detect_format(data, len)) {
    case IMAGE_FORMAT_PNG:
        return png_decode(data, len, max_side, out);
    case IMAGE_FORMAT_JPEG:
        return jpeg_decode(data, len, max_side, out);
    case IMAGE_FORMAT_GIF:
    case IMAGE_FORMAT_UNKNOWN:
        break;
    }
    return -RENDER_E_UNSUPPORTED_FORMAT;
}
