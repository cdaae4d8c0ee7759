/*
 * datamatrix.h — the seal's DataMatrix symbol (spec §7.8): building it
 * (ECC 200, the whole payload in one Base256 segment, smallest square
 * symbol) as a module matrix, a PNG or an SVG; and reading it back from a
 * PNG or JPEG photo or scan (libdmtx), tolerant of margins, scale, any
 * rotation and slight blur, bounded in time and memory.
 *
 * All functions return 0 on success or the negative of an enum render_err
 * code (render/render_err.h).
 */
#ifndef EVISA_DATAMATRIX_H
#define EVISA_DATAMATRIX_H

#include <stddef.h>
#include <stdint.h>

#define DM_MAX_SIDE 144     /* modules per side of the largest square symbol */
#define DM_MAX_PAYLOAD 1556 /* Base256 bytes of a 144x144 symbol (= VDS_MAX_BYTES) */
#define DM_DEFAULT_QUIET 2  /* modules of white border on every side */
#define DM_DEFAULT_MODULE_PX 6
#define DM_DEFAULT_MODULE_MM 0.5
#define DM_MAX_QUIET 32
#define DM_MAX_MODULE_PX 64
#define DM_MAX_MODULE_MM 10.0
#define DM_DEFAULT_TIMEOUT_MS 2000

/* The symbol's modules, row 0 at the top; dark[y][x] is 1 for a dark module. */
struct dm_matrix {
    int size; /* modules per side, without quiet zone */
    uint8_t dark[DM_MAX_SIDE][DM_MAX_SIDE];
};

/* Rendering options; pass NULL for all defaults.  A zero field means its
 * default: quiet_zone DM_DEFAULT_QUIET (1..DM_MAX_QUIET modules), module_px
 * DM_DEFAULT_MODULE_PX (PNG, 1..DM_MAX_MODULE_PX), module_mm
 * DM_DEFAULT_MODULE_MM (SVG, >0..DM_MAX_MODULE_MM). */
struct dm_options {
    int quiet_zone;
    int module_px;
    double module_mm;
};

/* Decoding limits; pass NULL for the defaults.  A zero field means its
 * default: max_side IMAGE_MAX_SIDE pixels, max_input IMAGE_MAX_INPUT bytes,
 * timeout_ms DM_DEFAULT_TIMEOUT_MS for the whole search.  Values can only
 * tighten the defaults (used by the fuzz target). */
struct dm_decode_options {
    int max_side;
    size_t max_input;
    int timeout_ms;
};

/* Build the symbol for data[0..n): ECC 200, one Base256 segment holding all
 * n bytes, the smallest square size.  Returns 0, -RENDER_E_EMPTY (n == 0),
 * -RENDER_E_PAYLOAD_TOO_LARGE (n > DM_MAX_PAYLOAD), -RENDER_E_NO_MEMORY or
 * -RENDER_E_DM_ENCODE_FAILED. */
int dm_encode_matrix(const uint8_t *data, size_t n, struct dm_matrix *m);

/* The symbol as an 8-bit grayscale PNG, black on white, with the quiet zone.
 * On success *png is a malloc'd buffer of *png_len bytes that the caller
 * free()s.  Errors as dm_encode_matrix, plus -RENDER_E_BAD_OPTION. */
int dm_render_png(const uint8_t *data, size_t n, const struct dm_options *o, uint8_t **png,
                  size_t *png_len);

/* The symbol as a standalone SVG document: a white background and one
 * black <path> of rectangles; viewBox in modules (quiet zone included),
 * width/height in mm from module_mm.  On success *svg is a malloc'd
 * NUL-terminated string of *svg_len characters that the caller free()s.
 * Errors as dm_render_png. */
int dm_render_svg(const uint8_t *data, size_t n, const struct dm_options *o, char **svg,
                  size_t *svg_len);

/* Find and decode the first DataMatrix symbol in a PNG or JPEG image and
 * copy its bytes to out[0..cap), setting *out_len.  The image is searched
 * as is and turned by 180 degrees, in 100 ms turns; large images (long side
 * over 800 px) first as a box-filtered copy of about 640 px, smaller ones of
 * 400 px or more also at half size.  The whole search stops after the
 * timeout (2 s).  Peak memory is about four times the pixel count.  Returns
 * 0, any image_decode_gray() error, -RENDER_E_DM_NOT_FOUND,
 * -RENDER_E_NO_SPACE (symbol longer than cap) or -RENDER_E_NO_MEMORY. */
int dm_decode_image(const uint8_t *img, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* dm_decode_image with explicit limits (o may be NULL). */
int dm_decode_image_ex(const uint8_t *img, size_t len, const struct dm_decode_options *o,
                       uint8_t *out, size_t cap, size_t *out_len);

#endif
