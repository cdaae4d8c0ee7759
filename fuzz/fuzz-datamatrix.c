/*
 * fuzz-datamatrix.c — feeds arbitrary bytes to the image decoders and the
 * DataMatrix reader (dm_decode_image_ex, through image_decode_gray for PNG
 * and JPEG), and the same bytes as a payload to the SVG renderer.  Limits
 * are tightened (input, pixels per side, search time) so each run is quick;
 * the seed corpus is small PNG/JPEG files, most holding a seal symbol.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "render/datamatrix.h"
#include "render/render_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    struct dm_decode_options o = {.max_side = 400, .max_input = 64 * 1024, .timeout_ms = 150};
    static uint8_t out[DM_MAX_PAYLOAD];
    size_t out_len = 0;
    int rc = dm_decode_image_ex(data, size, &o, out, sizeof out, &out_len);
    if (rc == 0 && out_len > sizeof out)
        abort();
    if (rc < 0 && render_err_code(rc)[0] == 'u') /* "unknown": not a render code */
        abort();

    char *svg = NULL;
    size_t svg_len = 0;
    rc = dm_render_svg(data, size, NULL, &svg, &svg_len);
    if ((rc == 0) != (size > 0 && size <= DM_MAX_PAYLOAD))
        abort();
    free(svg);
    return 0;
}
