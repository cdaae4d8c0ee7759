/*
 * datamatrix.c — DataMatrix symbols for seals (spec §7.8) and reading them
 * back from images.
 *
 * Encoding uses libdmtx with the encodation scheme forced to Base256, so the
 * whole seal is always one Base256 segment as §7.8 requires (zint, the
 * other encoder on the system, picks encodations itself and may switch to
 * ASCII for a few bytes; the unit tests cross-check our matrices against
 * zint's for payloads where zint also chooses pure Base256).  The matrix is
 * then drawn by this module, so module size and quiet zone are exact.
 *
 * Decoding turns the PNG/JPEG into grayscale (render/image.c), searches a
 * box-filtered downscaled copy first when the image is large, then the full
 * image, with one deadline for the whole search.
 */
#include "render/datamatrix.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include <dmtx.h>

#include "render/image.h"
#include "render/render_err.h"

#define DM_DOWNSCALE_ABOVE 800  /* long side (px) above which a small copy is tried first */
#define DM_DOWNSCALE_TARGET 640 /* long side (px) of that copy, roughly */

int dm_encode_matrix(const uint8_t *data, size_t n, struct dm_matrix *m)
{
    memset(m, 0, sizeof *m);
    if (data == NULL || n == 0)
        return -RENDER_E_EMPTY;
    if (n > DM_MAX_PAYLOAD)
        return -RENDER_E_PAYLOAD_TOO_LARGE;
    /* libdmtx takes a non-const pointer; give it a copy. */
    unsigned char copy[DM_MAX_PAYLOAD];
    memcpy(copy, data, n);

    DmtxEncode *enc = dmtxEncodeCreate();
    if (enc == NULL)
        return -RENDER_E_NO_MEMORY;
    int rc = -RENDER_E_DM_ENCODE_FAILED;
    if (dmtxEncodeSetProp(enc, DmtxPropScheme, DmtxSchemeBase256) != DmtxPass ||
        dmtxEncodeSetProp(enc, DmtxPropSizeRequest, DmtxSymbolSquareAuto) != DmtxPass ||
        dmtxEncodeSetProp(enc, DmtxPropMarginSize, 0) != DmtxPass ||
        dmtxEncodeSetProp(enc, DmtxPropModuleSize, 1) != DmtxPass ||
        dmtxEncodeDataMatrix(enc, (int)n, copy) != DmtxPass || enc->image == NULL)
        goto done;
    int w = dmtxImageGetProp(enc->image, DmtxPropWidth);
    int h = dmtxImageGetProp(enc->image, DmtxPropHeight);
    if (w != h || w < 10 || w > DM_MAX_SIDE)
        goto done;
    /* libdmtx images have row 0 at the bottom. */
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int v = 255;
            if (dmtxImageGetPixelValue(enc->image, x, y, 0, &v) != DmtxPass)
                goto done;
            m->dark[h - 1 - y][x] = v < 128;
        }
    }
    m->size = w;
    rc = 0;
done:
    dmtxEncodeDestroy(&enc);
    if (rc < 0)
        memset(m, 0, sizeof *m);
    return rc;
}

/* Options with defaults filled in and ranges checked. */
static int resolve_options(const struct dm_options *o, struct dm_options *r)
{
    r->quiet_zone = DM_DEFAULT_QUIET;
    r->module_px = DM_DEFAULT_MODULE_PX;
    r->module_mm = DM_DEFAULT_MODULE_MM;
    if (o == NULL)
        return 0;
    if (o->quiet_zone != 0)
        r->quiet_zone = o->quiet_zone;
    if (o->module_px != 0)
        r->module_px = o->module_px;
    if (o->module_mm != 0.0)
        r->module_mm = o->module_mm;
    if (r->quiet_zone < 1 || r->quiet_zone > DM_MAX_QUIET || r->module_px < 1 ||
        r->module_px > DM_MAX_MODULE_PX || !(r->module_mm > 0.0) || r->module_mm > DM_MAX_MODULE_MM)
        return -RENDER_E_BAD_OPTION;
    return 0;
}

/* Encode data into a heap matrix (20 KB: kept off the stack). */
static int encode_heap(const uint8_t *data, size_t n, struct dm_matrix **out)
{
    *out = malloc(sizeof **out);
    if (*out == NULL)
        return -RENDER_E_NO_MEMORY;
    int rc = dm_encode_matrix(data, n, *out);
    if (rc < 0) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

int dm_render_png(const uint8_t *data, size_t n, const struct dm_options *o, uint8_t **png,
                  size_t *png_len)
{
    *png = NULL;
    *png_len = 0;
    struct dm_options opt;
    int rc = resolve_options(o, &opt);
    if (rc < 0)
        return rc;
    struct dm_matrix *m = NULL;
    rc = encode_heap(data, n, &m);
    if (rc < 0)
        return rc;
    int side = (m->size + 2 * opt.quiet_zone) * opt.module_px;
    struct gray_image img;
    if (side > IMAGE_MAX_SIDE) {
        rc = -RENDER_E_BAD_OPTION;
        goto done;
    }
    rc = image_alloc(&img, side, side, 255);
    if (rc < 0)
        goto done;
    for (int y = 0; y < m->size; y++) {
        for (int x = 0; x < m->size; x++) {
            if (!m->dark[y][x])
                continue;
            int px0 = (x + opt.quiet_zone) * opt.module_px;
            int py0 = (y + opt.quiet_zone) * opt.module_px;
            for (int dy = 0; dy < opt.module_px; dy++)
                memset(img.pixels + (size_t)(py0 + dy) * (size_t)side + (size_t)px0, 0,
                       (size_t)opt.module_px);
        }
    }
    rc = image_encode_png(&img, png, png_len);
    image_free(&img);
done:
    free(m);
    return rc;
}

/* Append formatted text to buf[*len..cap); -RENDER_E_NO_SPACE on truncation. */
__attribute__((format(printf, 4, 5))) static int svg_append(char *buf, size_t cap, size_t *len,
                                                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= cap - *len)
        return -RENDER_E_NO_SPACE;
    *len += (size_t)k;
    return 0;
}

int dm_render_svg(const uint8_t *data, size_t n, const struct dm_options *o, char **svg,
                  size_t *svg_len)
{
    *svg = NULL;
    *svg_len = 0;
    struct dm_options opt;
    int rc = resolve_options(o, &opt);
    if (rc < 0)
        return rc;
    struct dm_matrix *m = NULL;
    rc = encode_heap(data, n, &m);
    if (rc < 0)
        return rc;
    int total = m->size + 2 * opt.quiet_zone;
    double mm = opt.module_mm * total;
    /* At most size*(size+1)/2 runs of "M%d %dh%dv1h-%dz" (< 32 chars each). */
    size_t cap = 1024 + (size_t)m->size * (size_t)(m->size + 1) / 2 * 32;
    char *buf = malloc(cap);
    if (buf == NULL) {
        free(m);
        return -RENDER_E_NO_MEMORY;
    }
    size_t len = 0;
    rc = svg_append(buf, cap, &len,
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
                    "width=\"%.3fmm\" height=\"%.3fmm\" viewBox=\"0 0 %d %d\" "
                    "shape-rendering=\"crispEdges\">\n"
                    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n<path fill=\"#000\" d=\"",
                    mm, mm, total, total, total, total);
    for (int y = 0; rc == 0 && y < m->size; y++) {
        for (int x = 0; rc == 0 && x < m->size;) {
            if (!m->dark[y][x]) {
                x++;
                continue;
            }
            int run = 1;
            while (x + run < m->size && m->dark[y][x + run])
                run++;
            rc = svg_append(buf, cap, &len, "M%d %dh%dv1h-%dz", x + opt.quiet_zone,
                            y + opt.quiet_zone, run, run);
            x += run;
        }
    }
    if (rc == 0)
        rc = svg_append(buf, cap, &len, "\"/>\n</svg>\n");
    free(m);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *svg = buf;
    *svg_len = len;
    return 0;
}

/* ---- decoding ----------------------------------------------------------- */

/* Average factor x factor blocks of src into a new image. */
static int downscale(const struct gray_image *src, int factor, struct gray_image *dst)
{
    int w = src->width / factor, h = src->height / factor;
    int rc = image_alloc(dst, w, h, 255);
    if (rc < 0)
        return rc;
    unsigned area = (unsigned)(factor * factor);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            unsigned sum = 0;
            for (int dy = 0; dy < factor; dy++) {
                const uint8_t *row = src->pixels + (size_t)(y * factor + dy) * (size_t)src->width +
                                     (size_t)(x * factor);
                for (int dx = 0; dx < factor; dx++)
                    sum += row[dx];
            }
            dst->pixels[(size_t)y * (size_t)w + (size_t)x] = (uint8_t)((sum + area / 2) / area);
        }
    }
    return 0;
}

/* dst = src turned by 180 degrees; dst may be src. */
static void turn180(const struct gray_image *src, struct gray_image *dst)
{
    size_t n = (size_t)src->width * (size_t)src->height;
    if (src == dst) {
        for (size_t i = 0; i < n / 2; i++) {
            uint8_t t = dst->pixels[i];
            dst->pixels[i] = dst->pixels[n - 1 - i];
            dst->pixels[n - 1 - i] = t;
        }
        return;
    }
    for (size_t i = 0; i < n; i++)
        dst->pixels[i] = src->pixels[n - 1 - i];
}

/* One scale of the image being searched.  libdmtx keeps its scan position
 * in the DmtxDecode, so a level searched for one time slice resumes where
 * it stopped when its turn comes again. */
struct dm_level {
    struct gray_image img; /* owned unless it is the caller's full image */
    int owned;
    DmtxImage *dimg;
    DmtxDecode *dec;
    int exhausted; /* every scan position tried */
};

static int level_open(struct dm_level *l)
{
    l->dimg = dmtxImageCreate(l->img.pixels, l->img.width, l->img.height, DmtxPack8bppK);
    if (l->dimg == NULL)
        return -RENDER_E_NO_MEMORY;
    l->dec = dmtxDecodeCreate(l->dimg, 1);
    if (l->dec == NULL)
        return -RENDER_E_NO_MEMORY;
    int longest = l->img.width > l->img.height ? l->img.width : l->img.height;
    int shortest = l->img.width < l->img.height ? l->img.width : l->img.height;
    /* Seals are square.  Smallest symbol: 10 modules of 2 px minus slack;
     * largest: the image diagonal. */
    (void)dmtxDecodeSetProp(l->dec, DmtxPropSymbolSize, DmtxSymbolSquareAuto);
    (void)dmtxDecodeSetProp(l->dec, DmtxPropEdgeMin, 16);
    (void)dmtxDecodeSetProp(l->dec, DmtxPropEdgeMax, longest * 3 / 2);
    (void)dmtxDecodeSetProp(l->dec, DmtxPropScanGap, shortest >= 400 ? 4 : 2);
    return 0;
}

static void level_close(struct dm_level *l)
{
    if (l->dec != NULL)
        dmtxDecodeDestroy(&l->dec);
    if (l->dimg != NULL)
        dmtxImageDestroy(&l->dimg);
    if (l->owned)
        image_free(&l->img);
    memset(l, 0, sizeof *l);
}

/* Search level l until slice ends; copy the first decoded symbol.
 * Returns 0, -RENDER_E_NO_SPACE, or -RENDER_E_DM_NOT_FOUND (l->exhausted
 * set when the scan finished before the slice did). */
#define DM_MIN_MODULE_PX 1.8 /* smallest module (pixels, at the searched level) we trust */
#define DM_MIN_ROWS 16       /* smallest symbol we accept: 16x16 holds 12 bytes */

/* The mean module size in pixels of a found region: the symbol's side in
 * the image (through the region's fit-to-raw transform) over its modules. */
static double module_px(DmtxRegion *reg)
{
    DmtxVector2 o = {0.0, 0.0}, x = {1.0, 0.0}, y = {0.0, 1.0}, dx, dy;
    dmtxMatrix3VMultiplyBy(&o, reg->fit2raw);
    dmtxMatrix3VMultiplyBy(&x, reg->fit2raw);
    dmtxMatrix3VMultiplyBy(&y, reg->fit2raw);
    dmtxVector2Sub(&dx, &x, &o);
    dmtxVector2Sub(&dy, &y, &o);
    int cols = dmtxGetSymbolAttribute(DmtxSymAttribSymbolCols, reg->sizeIdx);
    int rows = dmtxGetSymbolAttribute(DmtxSymAttribSymbolRows, reg->sizeIdx);
    if (cols <= 0 || rows <= 0)
        return 0.0;
    double w = dmtxVector2Mag(&dx) / cols, h = dmtxVector2Mag(&dy) / rows;
    return w < h ? w : h;
}

static int level_search(struct dm_level *l, DmtxTime *slice, uint8_t *out, size_t cap,
                        size_t *out_len)
{
    DmtxRegion *reg;
    while ((reg = dmtxRegionFindNext(l->dec, slice)) != NULL) {
        if (module_px(reg) < DM_MIN_MODULE_PX ||
            dmtxGetSymbolAttribute(DmtxSymAttribSymbolRows, reg->sizeIdx) < DM_MIN_ROWS) {
            /* Modules this small decode to garbage as often as not, and on a
             * busy page (text, photo) the smallest symbols (10x10 .. 14x14, a
             * few codewords of error correction) come out of random patterns
             * with valid ECC: a whole A4 notice gave "470865".  A seal is
             * never that small (over 30 bytes: 20x20 at least). */
            dmtxRegionDestroy(&reg);
            continue;
        }
        DmtxMessage *msg = dmtxDecodeMatrixRegion(l->dec, reg, DmtxUndefined);
        dmtxRegionDestroy(&reg);
        if (msg == NULL)
            continue;
        int rc = 0;
        size_t n = msg->outputIdx > 0 ? (size_t)msg->outputIdx : 0;
        if (n > cap) {
            rc = -RENDER_E_NO_SPACE;
        } else {
            if (n > 0)
                memcpy(out, msg->output, n);
            *out_len = n;
        }
        dmtxMessageDestroy(&msg);
        return rc;
    }
    if (!dmtxTimeExceeded(*slice))
        l->exhausted = 1;
    return -RENDER_E_DM_NOT_FOUND;
}

#define DM_MAX_LEVELS 4
#define DM_SLICE_MS 100 /* time one level is searched before the next gets a turn */

int dm_decode_image_ex(const uint8_t *img, size_t len, const struct dm_decode_options *o,
                       uint8_t *out, size_t cap, size_t *out_len)
{
    *out_len = 0;
    int max_side = IMAGE_MAX_SIDE, timeout_ms = DM_DEFAULT_TIMEOUT_MS;
    size_t max_input = IMAGE_MAX_INPUT;
    if (o != NULL) {
        if (o->max_side > 0 && o->max_side < max_side)
            max_side = o->max_side;
        if (o->max_input > 0 && o->max_input < max_input)
            max_input = o->max_input;
        if (o->timeout_ms > 0 && o->timeout_ms < timeout_ms)
            timeout_ms = o->timeout_ms;
    }
    if (img != NULL && len > max_input)
        return -RENDER_E_TOO_LARGE;
    DmtxTime deadline = dmtxTimeAdd(dmtxTimeNow(), timeout_ms);

    struct gray_image full;
    int rc = image_decode_gray(img, len, max_side, &full);
    if (rc < 0)
        return rc;

    /* Levels in search order.  libdmtx finds an upright symbol much faster
     * than one turned by 180 or 270 degrees with large modules, so each
     * scale is searched as is and turned by 180 degrees (a reversed pixel
     * array).  Large images: a copy of about DM_DOWNSCALE_TARGET px first
     * (fast, and libdmtx copes badly with very large modules), then full
     * size; smaller images of 400 px or more also get a half-size level. */
    struct dm_level levels[DM_MAX_LEVELS];
    memset(levels, 0, sizeof levels);
    struct {
        int factor, turn;
    } plan[DM_MAX_LEVELS];
    int np = 0;
    int longest = full.width > full.height ? full.width : full.height;
    int shortest = full.width < full.height ? full.width : full.height;
    int big = (longest + DM_DOWNSCALE_TARGET - 1) / DM_DOWNSCALE_TARGET;
    bool downscaled = longest > DM_DOWNSCALE_ABOVE && shortest / big >= IMAGE_MIN_SIDE;
    for (int turn = 0; downscaled && turn < 2; turn++) {
        plan[np].factor = big;
        plan[np].turn = turn;
        np++;
    }
    for (int turn = 0; turn < 2; turn++) {
        plan[np].factor = 1;
        plan[np].turn = turn;
        np++;
    }
    if (!downscaled && shortest >= 400) {
        plan[np].factor = 2;
        plan[np].turn = 0;
        np++;
    }

    int nl = 0;
    rc = 0;
    for (int i = 0; i < np && rc == 0; i++) {
        struct dm_level *l = &levels[nl++];
        if (plan[i].factor == 1 && !plan[i].turn) {
            l->img = full;
        } else {
            l->owned = 1;
            rc = plan[i].factor > 1 ? downscale(&full, plan[i].factor, &l->img)
                                    : image_alloc(&l->img, full.width, full.height, 255);
            if (rc == 0 && plan[i].turn)
                turn180(plan[i].factor > 1 ? &l->img : &full, &l->img);
        }
        if (rc == 0)
            rc = level_open(l);
    }
    if (rc == 0) {
        rc = -RENDER_E_DM_NOT_FOUND;
        int live = nl;
        while (rc == -RENDER_E_DM_NOT_FOUND && live > 0 && !dmtxTimeExceeded(deadline)) {
            live = 0;
            for (int i = 0; i < nl && rc == -RENDER_E_DM_NOT_FOUND; i++) {
                if (levels[i].exhausted)
                    continue;
                DmtxTime slice = dmtxTimeAdd(dmtxTimeNow(), DM_SLICE_MS);
                if (slice.sec > deadline.sec ||
                    (slice.sec == deadline.sec && slice.usec > deadline.usec))
                    slice = deadline;
                rc = level_search(&levels[i], &slice, out, cap, out_len);
                if (!levels[i].exhausted)
                    live++;
            }
        }
    }
    for (int i = 0; i < nl; i++)
        level_close(&levels[i]);
    image_free(&full);
    return rc;
}

int dm_decode_image(const uint8_t *img, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    return dm_decode_image_ex(img, len, NULL, out, cap, out_len);
}
