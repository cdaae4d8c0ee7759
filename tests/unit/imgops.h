/*
 * imgops.h — small image transforms for the DataMatrix tolerance tests:
 * white margin, bilinear scale and rotation, 3x3 box blur, JPEG re-encode,
 * a noise image.  Test helpers only: each returns 0 or a negative
 * render_err code and fills a fresh struct gray_image the caller frees.
 */
#ifndef EVISA_TEST_IMGOPS_H
#define EVISA_TEST_IMGOPS_H

#include <stddef.h>
#include <stdint.h>

#include "render/image.h"

/* dst = src with `margin` white pixels added on every side. */
int imgops_margin(const struct gray_image *src, int margin, struct gray_image *dst);

/* dst = src scaled by factor (bilinear; area average when shrinking by 2+). */
int imgops_scale(const struct gray_image *src, double factor, struct gray_image *dst);

/* dst = src rotated by degrees about its centre (bilinear), on a canvas
 * large enough for the whole rotated image, filled white. */
int imgops_rotate(const struct gray_image *src, double degrees, struct gray_image *dst);

/* dst = 3x3 box blur of src (edges clamped). */
int imgops_blur3(const struct gray_image *src, struct gray_image *dst);

/* A width x height image of uniform random gray levels from seed. */
int imgops_noise(int width, int height, unsigned seed, struct gray_image *dst);

/* src as a baseline grayscale JPEG of the given quality; *jpg is malloc'd. */
int imgops_jpeg(const struct gray_image *src, int quality, uint8_t **jpg, size_t *jpg_len);

#endif
