/*
 * imgops.c — image transforms used by the DataMatrix tolerance tests (see
 * imgops.h).  Straightforward, unoptimised code: test images are small.
 */
#include "imgops.h"

#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "render/render_err.h"

static double px_at(const struct gray_image *g, int x, int y)
{
    if (x < 0 || y < 0 || x >= g->width || y >= g->height)
        return 255.0;
    return g->pixels[(size_t)y * (size_t)g->width + (size_t)x];
}

static uint8_t bilinear(const struct gray_image *g, double fx, double fy)
{
    int x0 = (int)floor(fx), y0 = (int)floor(fy);
    double ax = fx - x0, ay = fy - y0;
    double v = (1 - ax) * (1 - ay) * px_at(g, x0, y0) + ax * (1 - ay) * px_at(g, x0 + 1, y0) +
               (1 - ax) * ay * px_at(g, x0, y0 + 1) + ax * ay * px_at(g, x0 + 1, y0 + 1);
    if (v < 0)
        v = 0;
    if (v > 255)
        v = 255;
    return (uint8_t)lround(v);
}

int imgops_margin(const struct gray_image *src, int margin, struct gray_image *dst)
{
    int rc = image_alloc(dst, src->width + 2 * margin, src->height + 2 * margin, 255);
    if (rc < 0)
        return rc;
    for (int y = 0; y < src->height; y++)
        memcpy(dst->pixels + (size_t)(y + margin) * (size_t)dst->width + (size_t)margin,
               src->pixels + (size_t)y * (size_t)src->width, (size_t)src->width);
    return 0;
}

int imgops_scale(const struct gray_image *src, double factor, struct gray_image *dst)
{
    int w = (int)lround(src->width * factor), h = (int)lround(src->height * factor);
    int rc = image_alloc(dst, w, h, 255);
    if (rc < 0)
        return rc;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            /* Sample the source area this pixel covers (pixel centres). */
            double sx = (x + 0.5) / factor - 0.5, sy = (y + 0.5) / factor - 0.5;
            uint8_t v;
            if (factor < 1.0) {
                double span = 0.5 / factor, sum = 0;
                int k = 0;
                for (double oy = -span / 2; oy <= span / 2 + 1e-9; oy += span / 2)
                    for (double ox = -span / 2; ox <= span / 2 + 1e-9; ox += span / 2, k++)
                        sum += bilinear(src, sx + ox, sy + oy);
                v = (uint8_t)lround(sum / k);
            } else {
                v = bilinear(src, sx, sy);
            }
            dst->pixels[(size_t)y * (size_t)w + (size_t)x] = v;
        }
    }
    return 0;
}

int imgops_rotate(const struct gray_image *src, double degrees, struct gray_image *dst)
{
    double a = degrees * 3.14159265358979323846 / 180.0, c = cos(a), s = sin(a);
    int w = (int)ceil(fabs(src->width * c) + fabs(src->height * s));
    int h = (int)ceil(fabs(src->width * s) + fabs(src->height * c));
    int rc = image_alloc(dst, w, h, 255);
    if (rc < 0)
        return rc;
    double scx = src->width / 2.0, scy = src->height / 2.0, dcx = w / 2.0, dcy = h / 2.0;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            double dx = x + 0.5 - dcx, dy = y + 0.5 - dcy;
            /* Inverse rotation maps the destination pixel into the source. */
            double sx = c * dx + s * dy + scx - 0.5, sy = -s * dx + c * dy + scy - 0.5;
            dst->pixels[(size_t)y * (size_t)w + (size_t)x] = bilinear(src, sx, sy);
        }
    }
    return 0;
}

int imgops_blur3(const struct gray_image *src, struct gray_image *dst)
{
    int rc = image_alloc(dst, src->width, src->height, 255);
    if (rc < 0)
        return rc;
    for (int y = 0; y < src->height; y++) {
        for (int x = 0; x < src->width; x++) {
            unsigned sum = 0;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int cx = x + dx < 0 ? 0 : x + dx >= src->width ? src->width - 1 : x + dx;
                    int cy = y + dy < 0 ? 0 : y + dy >= src->height ? src->height - 1 : y + dy;
                    sum += src->pixels[(size_t)cy * (size_t)src->width + (size_t)cx];
                }
            }
            dst->pixels[(size_t)y * (size_t)src->width + (size_t)x] = (uint8_t)((sum + 4) / 9);
        }
    }
    return 0;
}

int imgops_noise(int width, int height, unsigned seed, struct gray_image *dst)
{
    int rc = image_alloc(dst, width, height, 255);
    if (rc < 0)
        return rc;
    uint32_t state = seed * 2654435761u + 1u;
    for (size_t i = 0; i < (size_t)width * (size_t)height; i++) {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        dst->pixels[i] = (uint8_t)(state >> 24);
    }
    return 0;
}

struct imgops_jerr {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
};

static void imgops_jpeg_error_exit(j_common_ptr cinfo)
{
    longjmp(((struct imgops_jerr *)(void *)cinfo->err)->jump, 1);
}

int imgops_jpeg(const struct gray_image *src, int quality, uint8_t **jpg, size_t *jpg_len)
{
    struct jpeg_compress_struct cinfo;
    struct imgops_jerr jerr;
    unsigned char *volatile buf = NULL;
    unsigned long size = 0;

    *jpg = NULL;
    *jpg_len = 0;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&jerr.pub);
    jerr.pub.error_exit = imgops_jpeg_error_exit;
    if (setjmp(jerr.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(buf);
        return -RENDER_E_CORRUPT;
    }
    jpeg_create_compress(&cinfo);
    unsigned char *out = NULL;
    jpeg_mem_dest(&cinfo, &out, &size);
    cinfo.image_width = (JDIMENSION)src->width;
    cinfo.image_height = (JDIMENSION)src->height;
    cinfo.input_components = 1;
    cinfo.in_color_space = JCS_GRAYSCALE;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = src->pixels + (size_t)cinfo.next_scanline * (size_t)src->width;
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    buf = out;
    jpeg_destroy_compress(&cinfo);
    *jpg = buf;
    *jpg_len = size;
    return 0;
}
