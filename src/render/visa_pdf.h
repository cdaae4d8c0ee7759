/*
 * visa_pdf.h — the visa grant notice (issue 5, "Issuance"): one A4 page in
 * PDF, drawn with Cairo and laid out with Pango, that the applicant
 * downloads once the visa is issued; and the seal alone as a PNG for a
 * phone screen.
 *
 * The page holds, top to bottom: the issuing state and the document title
 * in English and in the applicant's language (Azerbaijani or Urdu; Urdu is
 * shaped right to left by Pango in Noto Nastaliq Urdu), the photo in the
 * top right corner (35 x 45 mm), a table of labelled rows (English label,
 * local label, value), the Visible Digital Seal as a DataMatrix of vector
 * squares (40 mm with its quiet zone) beside the verification note, and the
 * visa MRZ in OCR-B at the ICAO pitch of 10 characters per inch.  All fonts
 * are embedded (subset) and nothing refers to external resources.  The
 * caller supplies every text already translated: this module has no
 * strings of its own that a reader would see.
 *
 * Every text is plain UTF-8 (never Pango markup) and is checked before
 * anything is drawn; all functions return 0 or the negative of an enum
 * render_err code (render/render_err.h).
 */
#ifndef EVISA_VISA_PDF_H
#define EVISA_VISA_PDF_H

#include <stddef.h>
#include <stdint.h>

#define VISA_PDF_MAX_ROWS 16                  /* labelled rows in the table */
#define VISA_PDF_MAX_TEXT 256                 /* bytes of a name, title, label or value */
#define VISA_PDF_MAX_NOTE 1024                /* bytes of each verification note */
#define VISA_PDF_MAX_PHOTO ((size_t)5 << 20)  /* bytes of the photo (the upload limit) */
#define VISA_PDF_MAX_OUTPUT ((size_t)8 << 20) /* bytes of the finished PDF */

/* One row of the table.  label_local may be NULL or "" (nothing printed
 * under the English label); value may be "" but not NULL. */
struct visa_pdf_row {
    const char *label_en, *label_local, *value;
};

struct visa_pdf_input {
    const char *lang; /* "en", "az" or "ur": the language printed beside English */
    /* "Republic of Azerbaijan" and the same in lang; "Electronic visa" ... */
    const char *state_name_en, *state_name_local;
    const char *title_en, *title_local;
    struct visa_pdf_row rows[VISA_PDF_MAX_ROWS];
    size_t n_rows;
    const char *mrz_line1, *mrz_line2; /* both 44 (MRV-A) or both 36 (MRV-B) of A-Z 0-9 < */
    const uint8_t *seal;               /* the signed VDS bytes, 1..DM_MAX_PAYLOAD */
    size_t seal_len;
    const uint8_t *photo_jpeg; /* PNG or JPEG, <= VISA_PDF_MAX_PHOTO; NULL: no photo */
    size_t photo_len;
    const char *verify_note_en, *verify_note_local; /* how to check the seal; may hold '\n' */
};

/* Render the notice as a one-page A4 PDF.  With lang "en" every *_local
 * text is ignored (and may be NULL); otherwise a NULL or empty local text
 * is simply left out.  The English texts, every row's label_en and value,
 * both MRZ lines and the seal are required.  Long values wrap onto a
 * second line and are then cut with an ellipsis; if the table does not fit
 * above the seal, its type is made smaller.
 * On success *pdf is a malloc'd buffer of *len bytes (starting "%PDF-")
 * that the caller free()s.  Errors, with *pdf = NULL and *len = 0:
 *   -RENDER_E_BAD_OPTION    lang is not "en", "az" or "ur"
 *   -RENDER_E_BAD_INPUT     a required text or the seal is missing, a text
 *                           is not valid UTF-8 or holds control characters,
 *                           more than VISA_PDF_MAX_ROWS rows, an MRZ line
 *                           of the wrong length or characters
 *   -RENDER_E_TEXT_TOO_LONG a text over VISA_PDF_MAX_TEXT (notes:
 *                           VISA_PDF_MAX_NOTE) bytes
 *   -RENDER_E_TOO_LARGE     photo over VISA_PDF_MAX_PHOTO bytes, or the PDF
 *                           over VISA_PDF_MAX_OUTPUT
 *   -RENDER_E_EMPTY / -RENDER_E_PAYLOAD_TOO_LARGE / -RENDER_E_DM_ENCODE_FAILED
 *                           from the seal's DataMatrix (dm_encode_matrix)
 *   image_decode_rgb() errors for the photo (-RENDER_E_UNSUPPORTED_FORMAT,
 *                           -RENDER_E_CORRUPT, -RENDER_E_TOO_SMALL, ...)
 *   -RENDER_E_PDF_FAILED    Cairo reported an error
 *   -RENDER_E_NO_MEMORY */
int visa_pdf_render(const struct visa_pdf_input *in, uint8_t **pdf, size_t *len);

#define VISA_SEAL_PNG_MODULE_PX 8 /* pixels per module of the phone PNG */
#define VISA_SEAL_PNG_QUIET 4     /* modules of white border */

/* The seal alone as a grayscale PNG for a phone screen: VISA_SEAL_PNG_MODULE_PX
 * pixels per module and a VISA_SEAL_PNG_QUIET module border (wider than
 * print, as phone screens sit behind glare and glass).  *png is malloc'd
 * (caller free()s).  Errors as dm_render_png(). */
int visa_seal_png(const uint8_t *seal, size_t seal_len, uint8_t **png, size_t *png_len);

#endif
