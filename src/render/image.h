/*
 * image.h — bounded image I/O for the seal reader, the renderer and the
 * upload checker: PNG (libpng) and JPEG (libjpeg) files in memory decoded to
 * 8-bit grayscale or 8-bit RGB, grayscale encoded to PNG and RGB encoded to
 * a metadata-free baseline JPEG.  Limits are checked before any pixel buffer is
 * allocated: at most IMAGE_MAX_INPUT bytes of input, at most IMAGE_MAX_SIDE
 * pixels per side, at least IMAGE_MIN_SIDE.  Library errors never escape as
 * longjmp: libpng's simplified API wraps its own setjmp, and the JPEG reader
 * installs an error_exit that jumps back into this module only.
 */
#ifndef EVISA_IMAGE_H
#define EVISA_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define IMAGE_MAX_SIDE 4000                      /* pixels per side */
#define IMAGE_MIN_SIDE 8                         /* pixels per side */
#define IMAGE_MAX_INPUT ((size_t)12 << 20)       /* bytes of encoded input */
#define IMAGE_JPEG_MAX_SCANS 64                  /* progressive scans accepted */
#define IMAGE_JPEG_MAX_OUTPUT ((size_t)32 << 20) /* bytes image_encode_jpeg_rgb may write */

/* An 8-bit grayscale image, rows top to bottom, stride == width, 0 = black. */
struct gray_image {
    int width, height;
    uint8_t *pixels; /* malloc'd width * height bytes; image_free() releases */
};

/* An 8-bit RGB image (sRGB), rows top to bottom, 3 bytes per pixel in the
 * order R, G, B, stride == 3 * width. */
struct rgb_image {
    int width, height;
    uint8_t *pixels; /* malloc'd 3 * width * height bytes; rgb_image_free() releases */
};

enum image_format {
    IMAGE_FORMAT_UNKNOWN,
    IMAGE_FORMAT_PNG,
    IMAGE_FORMAT_JPEG,
    IMAGE_FORMAT_GIF, /* recognised only to be refused */
};

/* The format named by the first bytes (magic numbers) of data. */
enum image_format image_detect_format(const uint8_t *data, size_t len);

/* Allocate a width x height image filled with value.  Returns 0,
 * -RENDER_E_TOO_SMALL / -RENDER_E_TOO_LARGE (sides outside
 * IMAGE_MIN_SIDE..IMAGE_MAX_SIDE) or -RENDER_E_NO_MEMORY. */
int image_alloc(struct gray_image *img, int width, int height, uint8_t value);

/* Release img's pixels and zero it; safe on a zeroed or freed image. */
void image_free(struct gray_image *img);

/* Decode a PNG or JPEG held in data[0..len) to grayscale in *out (alpha is
 * composed onto white).  max_side caps each side further (<= 0 or above
 * IMAGE_MAX_SIDE means IMAGE_MAX_SIDE).  Returns 0 and fills *out (caller
 * image_free()s it), or -RENDER_E_EMPTY, -RENDER_E_UNSUPPORTED_FORMAT,
 * -RENDER_E_TOO_LARGE (input or header dimensions), -RENDER_E_TOO_SMALL,
 * -RENDER_E_CORRUPT, -RENDER_E_NO_MEMORY; *out is zeroed on failure. */
int image_decode_gray(const uint8_t *data, size_t len, int max_side, struct gray_image *out);

/* Encode img as an 8-bit grayscale PNG.  On success returns 0 and sets
 * *png to a malloc'd buffer of *png_len bytes that the caller free()s;
 * otherwise -RENDER_E_BAD_OPTION (bad image), -RENDER_E_NO_MEMORY or
 * -RENDER_E_CORRUPT (libpng refused), with *png = NULL. */
int image_encode_png(const struct gray_image *img, uint8_t **png, size_t *png_len);

/* Allocate a width x height RGB image filled with white.  Returns 0,
 * -RENDER_E_TOO_SMALL / -RENDER_E_TOO_LARGE (sides outside
 * IMAGE_MIN_SIDE..IMAGE_MAX_SIDE) or -RENDER_E_NO_MEMORY; *img is zeroed on
 * failure. */
int rgb_image_alloc(struct rgb_image *img, int width, int height);

/* Release img's pixels and zero it; safe on a zeroed or freed image. */
void rgb_image_free(struct rgb_image *img);

/* Decode a PNG or JPEG held in data[0..len) to 8-bit RGB in *out, with the
 * same limits and errors as image_decode_gray().  PNG: grayscale and palette
 * images are expanded, 16-bit samples reduced to 8 bits (to sRGB), and alpha
 * composited onto white.  JPEG: grayscale and YCbCr are converted by libjpeg;
 * CMYK and YCCK (as written by Adobe software, whose CMYK is stored inverted
 * when an Adobe APP14 marker is present) are converted with the naive
 * formula R = (1 - C)(1 - K) etc., which is rough but keeps the image
 * recognisable; any other colour space is -RENDER_E_UNSUPPORTED_FORMAT.
 * Unlike image_decode_gray(), a JPEG whose data ends before the last row is
 * -RENDER_E_CORRUPT rather than padded with grey.
 * Metadata (EXIF, ICC, orientation, text chunks) is ignored.  On success the
 * caller rgb_image_free()s *out; on failure *out is zeroed. */
int image_decode_rgb(const uint8_t *data, size_t len, int max_side, struct rgb_image *out);

/* Encode img as a baseline JPEG (JFIF APP0, YCbCr 4:2:0, optimised Huffman
 * tables) of the given quality (1..100).  Nothing but the JFIF header is
 * written: no EXIF, ICC profile, Adobe marker or comment.  On success
 * returns 0 and sets *jpg to a malloc'd buffer of *jpg_len bytes that the
 * caller free()s; otherwise -RENDER_E_BAD_OPTION (bad image or quality),
 * -RENDER_E_NO_MEMORY, -RENDER_E_TOO_LARGE (output over
 * IMAGE_JPEG_MAX_OUTPUT) or -RENDER_E_CORRUPT (libjpeg refused), with
 * *jpg = NULL. */
int image_encode_jpeg_rgb(const struct rgb_image *img, int quality, uint8_t **jpg, size_t *jpg_len);

#endif
