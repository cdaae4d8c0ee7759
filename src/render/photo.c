/*
 * photo.c — the upload checker (see photo.h): the rules table of each kind
 * of upload, then decode (image_decode_rgb) -> geometry checks -> area
 * average downscale in linear light -> blank check -> JPEG re-encode
 * (image_encode_jpeg_rgb).  Each step frees what the previous one made; the
 * only output is the fresh JPEG.
 */
#include "render/photo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/image.h"
#include "render/render_err.h"

const struct photo_rules photo_rules[PHOTO__MAX] = {
    [PHOTO_FACE] =
        {
            .name = "photo",
            .max_input = PHOTO_MAX_INPUT,
            .max_side_in = PHOTO_MAX_SIDE,
            .min_width = 350,
            .min_height = 450,
            .min_aspect = 0.70,
            .max_aspect = 0.85,
            .max_side_out = 1200,
            .jpeg_quality = 85,
            .min_luma_stddev = 10.0,
            .max_extreme_fraction = 0.95,
        },
    [PHOTO_PASSPORT_PAGE] =
        {
            .name = "passport_page",
            .max_input = PHOTO_MAX_INPUT,
            .max_side_in = PHOTO_MAX_SIDE,
            .min_width = 600,
            .min_height = 400,
            .min_aspect = 1.2,
            .max_aspect = 1.6,
            .max_side_out = 2000,
            .jpeg_quality = 85,
            .min_luma_stddev = 10.0,
            .max_extreme_fraction = 0.95,
        },
};

#define LUMA_NEAR_WHITE 240 /* luma at or above: "near white" */
#define LUMA_NEAR_BLACK 15  /* luma at or below: "near black" */
#define LINEAR_STEPS 8192   /* entries of the linear -> sRGB table */

static int rules_valid(const struct photo_rules *r)
{
    return r != NULL && r->max_input > 0 && r->max_input <= IMAGE_MAX_INPUT &&
           r->max_side_in >= IMAGE_MIN_SIDE && r->max_side_in <= IMAGE_MAX_SIDE &&
           r->min_width >= 1 && r->min_width <= r->max_side_in && r->min_height >= 1 &&
           r->min_height <= r->max_side_in && r->min_aspect > 0 && r->min_aspect <= r->max_aspect &&
           r->max_side_out >= 1 && r->max_side_out <= IMAGE_MAX_SIDE && r->jpeg_quality >= 1 &&
           r->jpeg_quality <= 100 && r->min_luma_stddev >= 0 && r->max_extreme_fraction > 0 &&
           r->max_extreme_fraction <= 1;
}

static int check_geometry(const struct photo_rules *r, int width, int height)
{
    if (width < r->min_width || height < r->min_height)
        return -RENDER_E_PHOTO_TOO_SMALL;
    double aspect = (double)width / (double)height;
    if (aspect < r->min_aspect || aspect > r->max_aspect)
        return -RENDER_E_PHOTO_BAD_ASPECT;
    return 0;
}

/* sRGB <-> linear light (IEC 61966-2-1). */
static double srgb_to_linear(double c)
{
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double linear_to_srgb(double v)
{
    return v <= 0.0031308 ? v * 12.92 : 1.055 * pow(v, 1.0 / 2.4) - 0.055;
}

struct scale_tables {
    float lin[256];                /* sRGB byte -> linear 0..1 */
    uint8_t enc[LINEAR_STEPS + 1]; /* linear step -> sRGB byte */
};

static void scale_tables_init(struct scale_tables *t)
{
    for (int i = 0; i < 256; i++)
        t->lin[i] = (float)srgb_to_linear(i / 255.0);
    for (int i = 0; i <= LINEAR_STEPS; i++)
        t->enc[i] = (uint8_t)lround(linear_to_srgb((double)i / LINEAR_STEPS) * 255.0);
}

/* Area-average one source row (3 * sw bytes) into dst (3 * dw floats, in
 * linear light): output pixel ox covers source [ox * sx, (ox + 1) * sx). */
static void hresample(const struct scale_tables *t, const uint8_t *row, int sw, int dw, double sx,
                      float *dst)
{
    for (int ox = 0; ox < dw; ox++) {
        double x0 = ox * sx, x1 = (ox + 1) * sx;
        if (x1 > sw)
            x1 = sw;
        double acc[3] = {0, 0, 0}, wsum = 0;
        for (int ix = (int)x0; ix < sw && ix < x1; ix++) {
            double w = (x1 < ix + 1 ? x1 : ix + 1) - (x0 > ix ? x0 : ix);
            if (w <= 0)
                continue;
            const uint8_t *p = row + 3 * (size_t)ix;
            acc[0] += w * t->lin[p[0]];
            acc[1] += w * t->lin[p[1]];
            acc[2] += w * t->lin[p[2]];
            wsum += w;
        }
        for (int c = 0; c < 3; c++)
            dst[3 * ox + c] = wsum > 0 ? (float)(acc[c] / wsum) : 0.0f;
    }
}

/* Shrink src so that its long side is max_side, averaging the area each
 * output pixel covers in linear light (no aliasing, no darkened edges).
 * Returns 1 if src already fits (dst untouched), 0 with a fresh *dst, or
 * -RENDER_E_NO_MEMORY. */
static int downscale(const struct rgb_image *src, int max_side, struct rgb_image *dst)
{
    int sw = src->width, sh = src->height;
    int long_side = sw > sh ? sw : sh;
    if (long_side <= max_side)
        return 1;
    double s = (double)long_side / max_side;
    long dwl = lround(sw / s), dhl = lround(sh / s);
    int dw = (int)(dwl < 1 ? 1 : dwl > max_side ? max_side : dwl);
    int dh = (int)(dhl < 1 ? 1 : dhl > max_side ? max_side : dhl);
    double sx = (double)sw / dw, sy = (double)sh / dh;

    struct scale_tables *t = malloc(sizeof *t);
    float *acc = malloc(sizeof *acc * 3 * (size_t)dw);
    float *hrow = malloc(sizeof *hrow * 3 * (size_t)dw);
    uint8_t *pixels = malloc((size_t)dw * (size_t)dh * 3);
    if (t == NULL || acc == NULL || hrow == NULL || pixels == NULL) {
        free(t);
        free(acc);
        free(hrow);
        free(pixels);
        return -RENDER_E_NO_MEMORY;
    }
    scale_tables_init(t);
    size_t sstride = (size_t)sw * 3;
    for (int oy = 0; oy < dh; oy++) {
        double y0 = oy * sy, y1 = (oy + 1) * sy, wsum = 0;
        if (y1 > sh)
            y1 = sh;
        memset(acc, 0, sizeof *acc * 3 * (size_t)dw);
        for (int iy = (int)y0; iy < sh && iy < y1; iy++) {
            double w = (y1 < iy + 1 ? y1 : iy + 1) - (y0 > iy ? y0 : iy);
            if (w <= 0)
                continue;
            hresample(t, src->pixels + (size_t)iy * sstride, sw, dw, sx, hrow);
            for (size_t i = 0; i < 3 * (size_t)dw; i++)
                acc[i] += (float)w * hrow[i];
            wsum += w;
        }
        uint8_t *out = pixels + (size_t)oy * (size_t)dw * 3;
        for (size_t i = 0; i < 3 * (size_t)dw; i++) {
            double v = wsum > 0 ? acc[i] / wsum : 0;
            long step = lround(v * LINEAR_STEPS);
            out[i] = t->enc[step < 0 ? 0 : step > LINEAR_STEPS ? LINEAR_STEPS : step];
        }
    }
    free(t);
    free(acc);
    free(hrow);
    dst->width = dw;
    dst->height = dh;
    dst->pixels = pixels;
    return 0;
}

/* -RENDER_E_PHOTO_BLANK if img's luma (Rec. 601) is almost uniform or
 * almost all near white or near black, else 0. */
static int check_not_blank(const struct photo_rules *r, const struct rgb_image *img)
{
    size_t n = (size_t)img->width * (size_t)img->height;
    uint64_t sum = 0, sumsq = 0;
    size_t white = 0, black = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = img->pixels + 3 * i;
        unsigned y = (299u * p[0] + 587u * p[1] + 114u * p[2] + 500u) / 1000u;
        sum += y;
        sumsq += (uint64_t)y * y;
        white += y >= LUMA_NEAR_WHITE;
        black += y <= LUMA_NEAR_BLACK;
    }
    double mean = (double)sum / (double)n;
    double var = (double)sumsq / (double)n - mean * mean;
    if (var < r->min_luma_stddev * r->min_luma_stddev)
        return -RENDER_E_PHOTO_BLANK;
    double limit = r->max_extreme_fraction * (double)n;
    if ((double)white > limit || (double)black > limit)
        return -RENDER_E_PHOTO_BLANK;
    return 0;
}

int photo_process_rules(const uint8_t *data, size_t len, const struct photo_rules *rules,
                        struct photo_result *out)
{
    memset(out, 0, sizeof *out);
    if (!rules_valid(rules))
        return -RENDER_E_BAD_OPTION;
    if (data == NULL || len == 0)
        return -RENDER_E_EMPTY;
    if (len > rules->max_input)
        return -RENDER_E_TOO_LARGE;

    struct rgb_image img, small = {0};
    int rc = image_decode_rgb(data, len, rules->max_side_in, &img);
    if (rc == -RENDER_E_TOO_SMALL) /* under IMAGE_MIN_SIDE: one code for the applicant */
        return -RENDER_E_PHOTO_TOO_SMALL;
    if (rc < 0)
        return rc;
    rc = check_geometry(rules, img.width, img.height);
    if (rc == 0)
        rc = downscale(&img, rules->max_side_out, &small);
    const struct rgb_image *final = &img;
    if (rc == 0) {
        rgb_image_free(&img);
        final = &small;
    } else if (rc == 1) {
        rc = 0;
    }
    if (rc == 0)
        rc = check_not_blank(rules, final);
    if (rc == 0)
        rc = image_encode_jpeg_rgb(final, rules->jpeg_quality, &out->jpeg, &out->len);
    if (rc == 0) {
        out->width = final->width;
        out->height = final->height;
    }
    rgb_image_free(&img);
    rgb_image_free(&small);
    return rc;
}

int photo_process(const uint8_t *data, size_t len, enum photo_kind kind, struct photo_result *out)
{
    if ((unsigned)kind >= PHOTO__MAX) {
        memset(out, 0, sizeof *out);
        return -RENDER_E_BAD_OPTION;
    }
    return photo_process_rules(data, len, &photo_rules[kind], out);
}

void photo_result_free(struct photo_result *out)
{
    if (out == NULL)
        return;
    free(out->jpeg);
    memset(out, 0, sizeof *out);
}
