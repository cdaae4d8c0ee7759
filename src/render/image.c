/*
 * image.c — PNG/JPEG decoding to grayscale or RGB, grayscale PNG encoding and
 * RGB JPEG encoding, with every size limit checked before pixels are
 * allocated (see image.h).
 *
 * PNG uses libpng's simplified API (png_image_*), which runs each step under
 * its own setjmp and reports failure by return value.  JPEG uses libjpeg
 * with an error manager whose error_exit longjmps back to jpeg_decode() or
 * image_encode_jpeg_rgb(); the only state touched after setjmp is kept in
 * volatile locals or in structures libjpeg reaches through pointers, and the
 * (de)compressor is destroyed on every path.  A progress monitor caps the
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
#include <jerror.h>
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

/* Decode a PNG to `channels` (1: gray, 3: RGB) 8-bit samples per pixel;
 * alpha is composed onto white, palette/gray/16-bit converted by libpng. */
static int png_decode(const uint8_t *data, size_t len, int max_side, int channels,
                      uint8_t **pixels_out, int *width_out, int *height_out)
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
    pi.format = channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
    size_t n = (size_t)pi.width * (size_t)pi.height * (size_t)channels;
    uint8_t *pixels = malloc(n);
    if (pixels == NULL) {
        png_image_free(&pi);
        return -RENDER_E_NO_MEMORY;
    }
    png_color white = {255, 255, 255};
    png_int_32 stride = (png_int_32)pi.width * channels; /* in samples; <= 12000 */
    if (!png_image_finish_read(&pi, &white, pixels, stride, NULL)) {
        png_image_free(&pi);
        free(pixels);
        return -RENDER_E_CORRUPT;
    }
    png_image_free(&pi);
    *width_out = (int)pi.width;
    *height_out = (int)pi.height;
    *pixels_out = pixels;
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
    int hit_eof; /* the data ended early (libjpeg pads it with a fake EOI) */
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

/* Warnings are counted, not printed; running out of data is remembered so
 * that a strict caller can refuse a truncated file. */
static void jpeg_emit_message_cb(j_common_ptr cinfo, int msg_level)
{
    struct jpeg_err_ctx *ctx = (struct jpeg_err_ctx *)(void *)cinfo->err;
    if (msg_level >= 0)
        return;
    if (cinfo->err->msg_code == JWRN_JPEG_EOF)
        ctx->hit_eof = 1;
    cinfo->err->num_warnings++;
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

/* CMYK (or YCCK converted to CMYK by libjpeg) to RGB, naive and without a
 * colour profile.  Adobe software writes inverted CMYK (255 = no ink) and
 * marks it with an APP14 "Adobe" segment; without the marker the samples are
 * taken as plain ink amounts. */
static void cmyk_to_rgb(const uint8_t *cmyk, uint8_t *rgb, size_t width, int inverted)
{
    for (size_t x = 0; x < width; x++) {
        unsigned c = cmyk[4 * x], m = cmyk[4 * x + 1], y = cmyk[4 * x + 2], k = cmyk[4 * x + 3];
        if (!inverted) {
            c = 255 - c;
            m = 255 - m;
            y = 255 - y;
            k = 255 - k;
        }
        rgb[3 * x] = (uint8_t)((c * k + 127) / 255);
        rgb[3 * x + 1] = (uint8_t)((m * k + 127) / 255);
        rgb[3 * x + 2] = (uint8_t)((y * k + 127) / 255);
    }
}

/* Decode a JPEG to `channels` (1: gray, 3: RGB) 8-bit samples per pixel.
 * For RGB, CMYK/YCCK files are read as CMYK and converted row by row, and a
 * file that ends before its image data does is refused (for gray, libjpeg's
 * lenient behaviour is kept: the missing rows come out grey). */
static int jpeg_decode(const uint8_t *data, size_t len, int max_side, int channels,
                       uint8_t **pixels_out, int *width_out, int *height_out)
{
    struct jpeg_decompress_struct cinfo;
    struct jpeg_err_ctx jerr;
    struct jpeg_progress_mgr progress;
    uint8_t *volatile pixels = NULL;
    uint8_t *volatile cmyk_row = NULL;
    volatile int rc = -RENDER_E_CORRUPT;

    memset(&cinfo, 0, sizeof cinfo);
    memset(&progress, 0, sizeof progress);
    cinfo.err = jpeg_std_error(&jerr.pub);
    jerr.pub.error_exit = jpeg_error_exit_cb;
    jerr.pub.output_message = jpeg_output_message_cb;
    jerr.hit_eof = 0;
    if (channels == 3)
        jerr.pub.emit_message = jpeg_emit_message_cb;
    if (setjmp(jerr.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        free(cmyk_row);
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
    int cmyk = 0;
    if (channels == 1) {
        cinfo.out_color_space = JCS_GRAYSCALE;
    } else {
        switch (cinfo.jpeg_color_space) {
        case JCS_GRAYSCALE:
        case JCS_YCbCr:
        case JCS_RGB:
            cinfo.out_color_space = JCS_RGB;
            break;
        case JCS_CMYK:
        case JCS_YCCK:
            cinfo.out_color_space = JCS_CMYK;
            cmyk = 1;
            break;
        default:
            jpeg_destroy_decompress(&cinfo);
            return -RENDER_E_UNSUPPORTED_FORMAT;
        }
    }
    jpeg_start_decompress(&cinfo);
    if (cinfo.output_components != (cmyk ? 4 : channels) ||
        cinfo.output_width != cinfo.image_width || cinfo.output_height != cinfo.image_height) {
        jpeg_destroy_decompress(&cinfo);
        return -RENDER_E_CORRUPT;
    }
    size_t width = cinfo.output_width;
    size_t stride = width * (size_t)channels;
    pixels = malloc(stride * cinfo.output_height);
    if (cmyk)
        cmyk_row = malloc(width * 4);
    if (pixels == NULL || (cmyk && cmyk_row == NULL)) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        free(cmyk_row);
        return -RENDER_E_NO_MEMORY;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        uint8_t *dst = pixels + (size_t)cinfo.output_scanline * stride;
        JSAMPROW row = cmyk ? cmyk_row : dst;
        if (jpeg_read_scanlines(&cinfo, &row, 1) != 1)
            break; /* suspension cannot happen with a memory source */
        if (cmyk)
            cmyk_to_rgb(cmyk_row, dst, width, cinfo.saw_Adobe_marker);
    }
    free(cmyk_row);
    cmyk_row = NULL;
    if (cinfo.output_scanline < cinfo.output_height || jerr.hit_eof) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        return -RENDER_E_CORRUPT;
    }
    (void)jpeg_finish_decompress(&cinfo);
    *width_out = (int)cinfo.output_width;
    *height_out = (int)cinfo.output_height;
    *pixels_out = pixels;
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

/* Decode data to `channels` samples per pixel after the common checks. */
static int decode_any(const uint8_t *data, size_t len, int max_side, int channels, uint8_t **pixels,
                      int *width, int *height)
{
    if (data == NULL || len == 0)
        return -RENDER_E_EMPTY;
    if (len > IMAGE_MAX_INPUT)
        return -RENDER_E_TOO_LARGE;
    if (max_side <= 0 || max_side > IMAGE_MAX_SIDE)
        max_side = IMAGE_MAX_SIDE;
    switch (image_detect_format(data, len)) {
    case IMAGE_FORMAT_PNG:
        return png_decode(data, len, max_side, channels, pixels, width, height);
    case IMAGE_FORMAT_JPEG:
        return jpeg_decode(data, len, max_side, channels, pixels, width, height);
    case IMAGE_FORMAT_GIF:
    case IMAGE_FORMAT_UNKNOWN:
        break;
    }
    return -RENDER_E_UNSUPPORTED_FORMAT;
}

int image_decode_gray(const uint8_t *data, size_t len, int max_side, struct gray_image *out)
{
    memset(out, 0, sizeof *out);
    return decode_any(data, len, max_side, 1, &out->pixels, &out->width, &out->height);
}

/* ---- RGB ---------------------------------------------------------------- */

int rgb_image_alloc(struct rgb_image *img, int width, int height)
{
    memset(img, 0, sizeof *img);
    int rc = check_sides(width, height, IMAGE_MAX_SIDE);
    if (rc < 0)
        return rc;
    size_t n = (size_t)width * (size_t)height * 3;
    img->pixels = malloc(n);
    if (img->pixels == NULL)
        return -RENDER_E_NO_MEMORY;
    memset(img->pixels, 255, n);
    img->width = width;
    img->height = height;
    return 0;
}

void rgb_image_free(struct rgb_image *img)
{
    if (img == NULL)
        return;
    free(img->pixels);
    memset(img, 0, sizeof *img);
}

int image_decode_rgb(const uint8_t *data, size_t len, int max_side, struct rgb_image *out)
{
    memset(out, 0, sizeof *out);
    return decode_any(data, len, max_side, 3, &out->pixels, &out->width, &out->height);
}

/* A growing memory destination that this module owns, so that the buffer
 * can be freed after an error longjmp (libjpeg's jpeg_mem_dest loses track
 * of its buffer when it fails mid-way) and its size is capped. */
struct jpeg_buf_dest {
    struct jpeg_destination_mgr pub; /* first: libjpeg casts cinfo->dest to this */
    uint8_t *buf;
    size_t cap;
    size_t len;
};

static void jpeg_dest_init(j_compress_ptr cinfo)
{
    struct jpeg_buf_dest *d = (struct jpeg_buf_dest *)(void *)cinfo->dest;
    d->cap = 64 * 1024;
    d->buf = malloc(d->cap);
    if (d->buf == NULL)
        ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 0);
    d->pub.next_output_byte = d->buf;
    d->pub.free_in_buffer = d->cap;
}

/* Called when the whole buffer is full: double it (up to the cap). */
static boolean jpeg_dest_empty(j_compress_ptr cinfo)
{
    struct jpeg_buf_dest *d = (struct jpeg_buf_dest *)(void *)cinfo->dest;
    if (d->cap >= IMAGE_JPEG_MAX_OUTPUT)
        ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 1);
    size_t cap = d->cap * 2;
    uint8_t *buf = realloc(d->buf, cap);
    if (buf == NULL)
        ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 2);
    d->pub.next_output_byte = buf + d->cap;
    d->pub.free_in_buffer = cap - d->cap;
    d->buf = buf;
    d->cap = cap;
    return TRUE;
}

static void jpeg_dest_term(j_compress_ptr cinfo)
{
    struct jpeg_buf_dest *d = (struct jpeg_buf_dest *)(void *)cinfo->dest;
    d->len = d->cap - d->pub.free_in_buffer;
}

int image_encode_jpeg_rgb(const struct rgb_image *img, int quality, uint8_t **jpg, size_t *jpg_len)
{
    struct jpeg_compress_struct cinfo;
    struct jpeg_err_ctx jerr;
    struct jpeg_buf_dest dest;

    *jpg = NULL;
    *jpg_len = 0;
    if (img == NULL || img->pixels == NULL || img->width < 1 || img->height < 1 ||
        img->width > IMAGE_MAX_SIDE || img->height > IMAGE_MAX_SIDE || quality < 1 || quality > 100)
        return -RENDER_E_BAD_OPTION;
    memset(&cinfo, 0, sizeof cinfo);
    memset(&dest, 0, sizeof dest);
    cinfo.err = jpeg_std_error(&jerr.pub);
    jerr.pub.error_exit = jpeg_error_exit_cb;
    jerr.pub.output_message = jpeg_output_message_cb;
    if (setjmp(jerr.jump)) {
        /* dest is only changed through cinfo.dest (by the callbacks above),
         * so its fields are in memory, not in registers. */
        int out_of_memory = jerr.pub.msg_code == JERR_OUT_OF_MEMORY;
        int too_large = out_of_memory && dest.cap >= IMAGE_JPEG_MAX_OUTPUT;
        jpeg_destroy_compress(&cinfo);
        free(dest.buf);
        if (too_large)
            return -RENDER_E_TOO_LARGE;
        return out_of_memory ? -RENDER_E_NO_MEMORY : -RENDER_E_CORRUPT;
    }
    jpeg_create_compress(&cinfo);
    dest.pub.init_destination = jpeg_dest_init;
    dest.pub.empty_output_buffer = jpeg_dest_empty;
    dest.pub.term_destination = jpeg_dest_term;
    cinfo.dest = &dest.pub;
    cinfo.image_width = (JDIMENSION)img->width;
    cinfo.image_height = (JDIMENSION)img->height;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_colorspace(&cinfo, JCS_YCbCr);
    jpeg_set_quality(&cinfo, quality, TRUE); /* TRUE: baseline quantisation tables */
    cinfo.comp_info[0].h_samp_factor = 2;    /* Y at full resolution, */
    cinfo.comp_info[0].v_samp_factor = 2;    /* Cb and Cr halved both ways: 4:2:0 */
    cinfo.comp_info[1].h_samp_factor = cinfo.comp_info[1].v_samp_factor = 1;
    cinfo.comp_info[2].h_samp_factor = cinfo.comp_info[2].v_samp_factor = 1;
    cinfo.optimize_coding = TRUE; /* still sequential Huffman: baseline */
    cinfo.write_JFIF_header = TRUE;
    cinfo.write_Adobe_marker = FALSE;
    jpeg_start_compress(&cinfo, TRUE);
    size_t stride = (size_t)img->width * 3;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = img->pixels + (size_t)cinfo.next_scanline * stride;
        (void)jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *jpg = dest.buf;
    *jpg_len = dest.len;
    return 0;
}
