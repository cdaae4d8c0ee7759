/*
 * render_err.h — error codes of the rendering module (src/render): image
 * decoding/encoding and DataMatrix symbols.
 *
 * Render functions return 0 on success or the negative of one of these
 * codes.  The values start at 64 so that they never collide with enum
 * icao_err: a render error handed to icao_err_code() reads "unknown" rather
 * than a wrong name.  Each code has a stable lower-case name and a short
 * English message; codes never change meaning, new ones are appended before
 * RENDER_E__MAX.
 */
#ifndef EVISA_RENDER_ERR_H
#define EVISA_RENDER_ERR_H

enum render_err {
    RENDER_OK = 0,
    RENDER_E_UNSUPPORTED_FORMAT = 64, /* not PNG or JPEG */
    RENDER_E_TOO_LARGE,               /* input bytes or image dimensions over the limit */
    RENDER_E_CORRUPT,                 /* the PNG/JPEG decoder rejected the data */
    RENDER_E_TOO_SMALL,               /* image smaller than the minimum side */
    RENDER_E_DM_NOT_FOUND,            /* no readable DataMatrix in the image */
    RENDER_E_DM_ENCODE_FAILED,        /* the DataMatrix encoder failed */
    RENDER_E_NO_MEMORY,               /* an allocation failed */
    RENDER_E_EMPTY,                   /* empty input */
    RENDER_E_PAYLOAD_TOO_LARGE,       /* more than VDS_MAX_BYTES to encode */
    RENDER_E_NO_SPACE,                /* the result does not fit the output buffer */
    RENDER_E_BAD_OPTION,              /* an option is out of range */
    RENDER_E_PHOTO_TOO_SMALL,         /* an upload under its kind's minimum width/height */
    RENDER_E_PHOTO_BAD_ASPECT,        /* an upload's width/height outside its kind's range */
    RENDER_E_PHOTO_BLANK,             /* an upload that is uniform, or almost all white/black */
    RENDER_E_BAD_INPUT,               /* a document field is missing or malformed */
    RENDER_E_TEXT_TOO_LONG,           /* a document text is over its length limit */
    RENDER_E_PDF_FAILED,              /* Cairo could not produce the PDF */
    RENDER_E__MAX
};

/* Stable code name, e.g. "image_corrupt"; "unknown" for anything that is not
 * a render code.  Accepts the code with either sign. */
const char *render_err_code(int err);

/* A short English sentence describing the code. */
const char *render_err_message(int err);

#endif
