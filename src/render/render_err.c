/*
 * render_err.c — names and messages of the rendering module's error codes,
 * one table indexed by enum render_err (entries below RENDER_E_UNSUPPORTED_FORMAT
 * other than RENDER_OK are unused and read "unknown").
 */
#include "render/render_err.h"

#include <stddef.h>

static const struct {
    const char *code;
    const char *message;
} render_errors[RENDER_E__MAX] = {
    [RENDER_OK] = {"ok", "no error"},
    [RENDER_E_UNSUPPORTED_FORMAT] = {"image_unsupported_format",
                                     "the image is not a PNG or JPEG file"},
    [RENDER_E_TOO_LARGE] = {"image_too_large", "the image file or its dimensions are too large"},
    [RENDER_E_CORRUPT] = {"image_corrupt", "the image data is corrupt or truncated"},
    [RENDER_E_TOO_SMALL] = {"image_too_small", "the image is too small to hold a symbol"},
    [RENDER_E_DM_NOT_FOUND] = {"dm_not_found", "no readable DataMatrix symbol in the image"},
    [RENDER_E_DM_ENCODE_FAILED] = {"dm_encode_failed", "the DataMatrix symbol could not be built"},
    [RENDER_E_NO_MEMORY] = {"no_memory", "out of memory"},
    [RENDER_E_EMPTY] = {"empty_input", "the input is empty"},
    [RENDER_E_PAYLOAD_TOO_LARGE] = {"payload_too_large",
                                    "the payload exceeds the largest DataMatrix (1556 bytes)"},
    [RENDER_E_NO_SPACE] = {"no_space", "the result does not fit the output buffer"},
    [RENDER_E_BAD_OPTION] = {"bad_option", "a rendering option is out of range"},
    [RENDER_E_PHOTO_TOO_SMALL] = {"photo_too_small",
                                  "the image is smaller than the minimum width and height"},
    [RENDER_E_PHOTO_BAD_ASPECT] =
        {"photo_bad_aspect", "the image's width-to-height ratio is outside the allowed range"},
    [RENDER_E_PHOTO_BLANK] = {"photo_blank", "the image is blank or almost uniform"},
    [RENDER_E_BAD_INPUT] = {"bad_input", "a document field is missing or malformed"},
    [RENDER_E_TEXT_TOO_LONG] = {"text_too_long", "a document text is longer than its limit"},
    [RENDER_E_PDF_FAILED] = {"pdf_failed", "the PDF could not be produced"},
};

const char *render_err_code(int err)
{
    if (err < 0)
        err = -err;
    if (err >= RENDER_E__MAX || render_errors[err].code == NULL)
        return "unknown";
    return render_errors[err].code;
}

const char *render_err_message(int err)
{
    if (err < 0)
        err = -err;
    if (err >= RENDER_E__MAX || render_errors[err].message == NULL)
        return "unknown error";
    return render_errors[err].message;
}
