/*
 * fuzz-photo.c — feeds arbitrary bytes to the upload checker
 * (photo_process_rules, hence image_decode_rgb, the area-average downscaler,
 * the blank check and image_encode_jpeg_rgb).  Inputs are capped at 64 KiB
 * and images at 512 px per side so each run is quick; two rule sets are
 * tried: permissive ones that let almost any decodable image through to the
 * downscaler and encoder (output long side 48 px), and the real facial photo
 * rules with the smaller side limit.  Every success must be a JPEG that
 * decodes again to the stated size within the bound; every failure a render
 * error code with no output.  The seed corpus is small PNG/JPEG files (RGB,
 * RGBA, gray, 16-bit, palette, progressive, CMYK, with EXIF) and broken ones.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "render/image.h"
#include "render/photo.h"
#include "render/render_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const uint8_t *data, size_t size, const struct photo_rules *rules)
{
    struct photo_result r;
    int rc = photo_process_rules(data, size, rules, &r);
    if (rc < 0) {
        if (r.jpeg != NULL || r.len != 0 || render_err_code(rc)[0] == 'u') /* "unknown" */
            abort();
        return;
    }
    int long_side = r.width > r.height ? r.width : r.height;
    if (r.jpeg == NULL || r.len < 4 || long_side > rules->max_side_out || r.width < 1 ||
        r.height < 1 || r.jpeg[0] != 0xFF || r.jpeg[1] != 0xD8 || r.jpeg[r.len - 2] != 0xFF ||
        r.jpeg[r.len - 1] != 0xD9)
        abort();
    struct rgb_image back;
    if (image_decode_rgb(r.jpeg, r.len, 0, &back) == 0) {
        if (back.width != r.width || back.height != r.height)
            abort();
        rgb_image_free(&back);
    } else if (r.width >= IMAGE_MIN_SIDE && r.height >= IMAGE_MIN_SIDE) {
        abort(); /* our own output must decode */
    }
    photo_result_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    struct photo_rules loose = {
        .name = "fuzz",
        .max_input = 64 * 1024,
        .max_side_in = 512,
        .min_width = 1,
        .min_height = 1,
        .min_aspect = 0.01,
        .max_aspect = 100.0,
        .max_side_out = 48,
        .jpeg_quality = 75,
        .min_luma_stddev = 0.0,
        .max_extreme_fraction = 1.0,
    };
    check(data, size, &loose);
    struct photo_rules face = photo_rules[PHOTO_FACE];
    face.max_side_in = 512;
    face.min_width = 24;
    face.min_height = 30;
    face.max_side_out = 40;
    check(data, size, &face);
    return 0;
}
