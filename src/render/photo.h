/*
 * photo.h — checking and re-encoding of the applicant's uploads: the facial
 * photo and the scan of the passport data page (issue 4).  An upload is a
 * PNG or JPEG of at most PHOTO_MAX_INPUT bytes; it is decoded with libpng /
 * libjpeg (src/render/image.c) to 8-bit RGB, checked against the rules of
 * its kind (dimensions, aspect ratio, not blank), downscaled by area
 * averaging when it is larger than needed, and re-encoded as a fresh
 * baseline JPEG.  Only the re-encoded JPEG is meant to be stored and served:
 * no byte of the original file survives, and neither does any metadata
 * (EXIF with GPS position and camera serial, ICC profiles, comments, PNG
 * text chunks).  That includes the EXIF orientation tag, which is not
 * applied: applicants must upload upright images (a sideways face photo
 * fails the aspect check and the applicant is told to upload it upright).
 *
 * Every failure is one stable render_err code (render_err_code()), which
 * the web layer turns into a message in the applicant's language:
 *   empty_input               nothing was uploaded
 *   image_too_large           over 5 MiB, or a side over 4000 px
 *   image_unsupported_format  not a PNG or JPEG (GIF, PDF, HEIC, ...)
 *   image_corrupt             the decoder rejected the file (e.g. truncated)
 *   photo_too_small           under the kind's minimum width or height
 *   photo_bad_aspect          width/height outside the kind's range
 *   photo_blank               uniform, or almost entirely white or black
 *   no_memory                 an allocation failed
 *
 * Why these rules:
 * - 5 MiB input: the upload limit of issue 4 ("JPEG/PNG, 5 MiB max").
 * - 4000 x 4000 px: DESIGN.md "Limits"; checked from the file header before
 *   any pixel buffer is allocated (at most 48 MB of RGB while working).
 * - Facial photo: at least 350 x 450 px.  The policy facts quote third-party
 *   advice for PAK of "3:4, at least 350 x 467 px"; 350 x 450 is a 35 x 45
 *   mm print at 10 px/mm, so both that advice and the ICAO print size pass.
 *   Portrait, width/height in 0.70 .. 0.85: 3:4 (0.75) is the usual camera
 *   crop and 35 x 45 mm (0.78) the ICAO print size; the margin admits
 *   slightly loose crops but not square or landscape pictures.  Stored with
 *   the long side at most 1200 px at JPEG quality 85 — enough for a printed
 *   visa photo and a reviewer's screen, and typically 100-250 KiB (PAK's
 *   portal is reported to cap photo files at 350 KB; not enforced here).
 * - Passport data page: at least 600 x 400 px, so that the MRZ (2 x 44
 *   characters across the page) is still legible to a reviewer.  Landscape,
 *   width/height in 1.2 .. 1.6: an ID-3 data page is 125 x 88 mm (1.42);
 *   the margin admits a photo that includes some background or a slightly
 *   tight crop.  Stored with the long side at most 2000 px.
 * - Not blank: the standard deviation of luminance (Rec. 601 luma, 0..255)
 *   must be at least 10 — a uniform or almost uniform image (a lens cap, a
 *   blank sheet, a flat grey) is far below it, while any real photo or scan
 *   with a face or printed text is far above — and at most 95 % of pixels
 *   may be near white (luma >= 240) or near black (luma <= 15), which
 *   catches an overexposed or unlit picture with a few specks on it.  The
 *   check runs on the downscaled image (averaging only removes noise).
 */
#ifndef EVISA_PHOTO_H
#define EVISA_PHOTO_H

#include <stddef.h>
#include <stdint.h>

#define PHOTO_MAX_INPUT ((size_t)5 << 20) /* bytes of upload (issue 4) */
#define PHOTO_MAX_SIDE 4000               /* pixels per side of the upload (DESIGN.md) */

enum photo_kind { PHOTO_FACE, PHOTO_PASSPORT_PAGE, PHOTO__MAX };

/* The checks and output format of one kind of upload. */
struct photo_rules {
    const char *name; /* "photo", "passport_page": the policy's document id */
    size_t max_input; /* bytes */
    int max_side_in;  /* pixels per side of the upload, <= IMAGE_MAX_SIDE */
    int min_width, min_height;
    double min_aspect, max_aspect; /* width / height, inclusive */
    int max_side_out;              /* the stored image's long side, pixels */
    int jpeg_quality;              /* 1..100 */
    double min_luma_stddev;        /* below: photo_blank */
    double max_extreme_fraction;   /* more near-white or near-black pixels: photo_blank */
};

extern const struct photo_rules photo_rules[PHOTO__MAX];

/* A re-encoded upload. */
struct photo_result {
    uint8_t *jpeg; /* malloc'd baseline JFIF JPEG; the caller free()s it */
    size_t len;
    int width, height; /* of the stored image, after downscaling */
};

/* Check the upload data[0..len) as an image of the given kind and re-encode
 * it (see the top of this file).  Returns 0 and fills *out, or the negative
 * of RENDER_E_EMPTY, RENDER_E_TOO_LARGE, RENDER_E_UNSUPPORTED_FORMAT,
 * RENDER_E_CORRUPT, RENDER_E_PHOTO_TOO_SMALL, RENDER_E_PHOTO_BAD_ASPECT,
 * RENDER_E_PHOTO_BLANK, RENDER_E_NO_MEMORY, or RENDER_E_BAD_OPTION (kind
 * out of range); on failure *out is zeroed.  Pure function of its inputs:
 * thread-safe, no global state. */
int photo_process(const uint8_t *data, size_t len, enum photo_kind kind, struct photo_result *out);

/* photo_process() with explicit rules, for tests and fuzzing (smaller limits
 * keep each fuzz run fast).  -RENDER_E_BAD_OPTION if rules are inconsistent
 * (sizes out of range, min_aspect > max_aspect, quality outside 1..100). */
int photo_process_rules(const uint8_t *data, size_t len, const struct photo_rules *rules,
                        struct photo_result *out);

/* Release out->jpeg and zero *out; safe on a zeroed result. */
void photo_result_free(struct photo_result *out);

#endif
