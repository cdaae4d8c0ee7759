/*
 * test_visa_pdf.c — the visa grant notice PDF (src/render/visa_pdf.c):
 * golden text extraction with `pdftotext -layout` in English + Azerbaijani
 * and English + Urdu (tests/golden/visa_{az,ur}.txt; set
 * EVISA_UPDATE_GOLDEN=1 to rewrite them after a deliberate change), the MRZ
 * verbatim in the text, one A4 page with its title and every font
 * embedded, rasterising with pdftoppm, the printed seal scanned back from
 * the 150 dpi page image, the phone PNG of the seal, and every input check.
 * Needs poppler-utils (pdftotext, pdftoppm, pdfinfo, pdffonts).
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/datamatrix.h"
#include "render/render_err.h"
#include "render/visa_pdf.h"
#include "visa_sample.h"

#define SEAL_VECTOR "vectors/own-aze-v4-mrva-p256.hex"

/* The signed own-AZE seal vector; returns its length, 0 on failure. */
static size_t load_seal(uint8_t *buf, size_t cap)
{
    char path[512];
    if (test_shared_path(SEAL_VECTOR, path, sizeof path) == NULL)
        return 0;
    char *hex = test_read_file(path, NULL);
    if (hex == NULL)
        return 0;
    size_t n = strlen(hex);
    while (n > 0 && (hex[n - 1] == '\n' || hex[n - 1] == '\r'))
        hex[--n] = '\0';
    long got = test_unhex(hex, buf, cap);
    free(hex);
    return got > 0 ? (size_t)got : 0;
}

/* The sample input in lang with the seal vector and, if photo, the sample
 * photo (*photo_out to free).  Returns false on failure. */
static bool sample(const char *lang, bool photo, struct visa_pdf_input *in, uint8_t *seal,
                   size_t cap, uint8_t **photo_out)
{
    *in = visa_sample_input(lang);
    *photo_out = NULL;
    in->seal_len = load_seal(seal, cap);
    in->seal = seal;
    if (in->seal_len == 0)
        return false;
    if (photo) {
        size_t n = 0;
        if (visa_sample_photo(photo_out, &n) < 0)
            return false;
        in->photo_jpeg = *photo_out;
        in->photo_len = n;
    }
    return true;
}

static bool write_file(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return false;
    bool ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* Output of a shell command (malloc'd, NUL-terminated), or NULL if it
 * fails or exits non-zero. */
static char *run(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        size_t got = fread(buf + n, 1, cap - n - 1, p);
        n += got;
        if (got == 0)
            break;
        if (n + 1 == cap) {
            char *b = realloc(buf, cap * 2);
            if (b == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            cap *= 2;
        }
    }
    int st = pclose(p);
    if (buf == NULL || st != 0) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* Write pdf to DIR/name.pdf and return that path in buf. */
static const char *save_pdf(const uint8_t *pdf, size_t len, const char *name, char *buf, size_t cap)
{
    char dir[512];
    if (test_tmpdir(dir, sizeof dir) == NULL)
        return NULL;
    int n = snprintf(buf, cap, "%s/%s.pdf", dir, name);
    if (n < 0 || (size_t)n >= cap || !write_file(buf, pdf, len))
        return NULL;
    return buf;
}

/* pdftotext -layout of pdf, every line's trailing spaces removed. */
static char *pdf_text(const uint8_t *pdf, size_t len)
{
    char path[600], cmd[800];
    if (save_pdf(pdf, len, "text", path, sizeof path) == NULL)
        return NULL;
    snprintf(cmd, sizeof cmd, "pdftotext -layout -enc UTF-8 '%s' - 2>/dev/null", path);
    char *t = run(cmd);
    if (t == NULL)
        return NULL;
    char *w = t;
    for (const char *r = t; *r;) {
        const char *eol = strchr(r, '\n');
        size_t n = eol ? (size_t)(eol - r) : strlen(r);
        size_t k = n;
        while (k > 0 && (r[k - 1] == ' ' || r[k - 1] == '\f' || r[k - 1] == '\t'))
            k--;
        memmove(w, r, k);
        w += k;
        if (eol) {
            *w++ = '\n';
            r = eol + 1;
        } else {
            r += n;
        }
    }
    *w = '\0';
    return t;
}

static int render_sample(const char *lang, bool photo, uint8_t **pdf, size_t *len)
{
    struct visa_pdf_input in;
    uint8_t seal[DM_MAX_PAYLOAD], *ph = NULL;
    if (!sample(lang, photo, &in, seal, sizeof seal, &ph)) {
        free(ph);
        return -1;
    }
    int rc = visa_pdf_render(&in, pdf, len);
    free(ph);
    return rc;
}

static void check_golden(const char *lang, const char *file)
{
    uint8_t *pdf = NULL;
    size_t len = 0;
    CHECK_INT(render_sample(lang, true, &pdf, &len), 0);
    char *text = pdf_text(pdf, len);
    free(pdf);
    CHECK(text != NULL);
    const char *upd = getenv("EVISA_UPDATE_GOLDEN");
    if (upd && *upd == '1')
        CHECK(write_file(file, (const uint8_t *)text, strlen(text)));
    char *want = test_read_file(file, NULL);
    if (want == NULL || strcmp(text, want) != 0)
        test_fail(__FILE__, __LINE__, "%s differs from the extracted text:\n%s", file, text);
    free(want);
    free(text);
}

TEST(visa_pdf_golden_text_az)
{
    check_golden("az", "tests/golden/visa_az.txt");
}

TEST(visa_pdf_golden_text_ur)
{
    check_golden("ur", "tests/golden/visa_ur.txt");
}

TEST(visa_pdf_text_holds_mrz_lines_verbatim)
{
    static const char *langs[] = {"en", "az", "ur"};
    for (size_t i = 0; i < 3; i++) {
        uint8_t *pdf = NULL;
        size_t len = 0;
        CHECK_INT(render_sample(langs[i], i != 0, &pdf, &len), 0);
        char *text = pdf_text(pdf, len);
        free(pdf);
        CHECK(text != NULL);
        CHECK_CTX(strstr(text, VISA_SAMPLE_MRZ1) != NULL, langs[i]);
        CHECK_CTX(strstr(text, VISA_SAMPLE_MRZ2) != NULL, langs[i]);
        free(text);
    }
}

TEST(visa_pdf_prints_mrv_b_mrz)
{
    struct visa_pdf_input in;
    uint8_t seal[DM_MAX_PAYLOAD], *ph = NULL, *pdf = NULL;
    size_t len = 0;
    CHECK(sample("az", false, &in, seal, sizeof seal, &ph));
    in.mrz_line1 = "V<AZEKHAN<<IMRAN<AHMED<<<<<<<<<<<<<<";
    in.mrz_line2 = "AZ00012343PAK7903155M2702205<<<<<<<<";
    CHECK_INT(visa_pdf_render(&in, &pdf, &len), 0);
    char *text = pdf_text(pdf, len);
    free(pdf);
    CHECK(text != NULL);
    bool ok = strstr(text, in.mrz_line1) != NULL && strstr(text, in.mrz_line2) != NULL;
    free(text);
    CHECK(ok);
}

TEST(visa_pdf_is_one_a4_page_with_title)
{
    uint8_t *pdf = NULL;
    size_t len = 0;
    CHECK_INT(render_sample("ur", true, &pdf, &len), 0);
    CHECK(len > 5 && memcmp(pdf, "%PDF-", 5) == 0);
    char path[600], cmd[800];
    const char *p = save_pdf(pdf, len, "info", path, sizeof path);
    free(pdf);
    CHECK(p != NULL);
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' 2>/dev/null", path);
    char *info = run(cmd);
    CHECK(info != NULL);
    bool pages = strstr(info, "\nPages:           1\n") != NULL;
    bool a4 = strstr(info, "(A4)") != NULL;
    bool title =
        strstr(info, "Title:           Electronic visa grant notice \xE2\x80\x94 Republic of "
                     "Azerbaijan\n") != NULL;
    if (!pages || !a4 || !title)
        test_fail(__FILE__, __LINE__, "pdfinfo:\n%s", info);
    free(info);
}

TEST(visa_pdf_embeds_every_font)
{
    uint8_t *pdf = NULL;
    size_t len = 0;
    CHECK_INT(render_sample("ur", true, &pdf, &len), 0);
    char path[600], cmd[800];
    const char *p = save_pdf(pdf, len, "fonts", path, sizeof path);
    free(pdf);
    CHECK(p != NULL);
    snprintf(cmd, sizeof cmd, "pdffonts '%s' 2>&1", path);
    char *out = run(cmd);
    CHECK(out != NULL);
    /* Header, rule, then one line per font: "name type encoding emb sub uni
     * object ID"; pdffonts also complains on stderr (kept in out) about a
     * font it cannot find. */
    int fonts = 0;
    bool bad = strstr(out, "Error") != NULL;
    for (const char *l = out; (l = strchr(l, '\n')) != NULL;) {
        l++;
        if (*l == '\0' || *l == '-' || strncmp(l, "name", 4) == 0)
            continue;
        fonts++;
        if (strstr(l, " yes yes yes ") == NULL)
            bad = true;
    }
    if (bad || fonts < 3)
        test_fail(__FILE__, __LINE__, "pdffonts:\n%s", out);
    free(out);
}

/* Rasterise pdf with pdftoppm at dpi; returns the PNG bytes (malloc'd).
 * crop: only the lower half of the page (where the seal is). */
static uint8_t *rasterise(const uint8_t *pdf, size_t len, int dpi, bool crop, size_t *png_len)
{
    char path[600], cmd[1600], area[128] = "";
    if (save_pdf(pdf, len, "page", path, sizeof path) == NULL)
        return NULL;
    if (crop) /* A4 is 8.27 x 11.69 inches */
        snprintf(area, sizeof area, "-x 0 -y %d -W %d -H %d", dpi * 1169 / 200, dpi * 827 / 100,
                 dpi * 1169 / 200);
    snprintf(cmd, sizeof cmd, "pdftoppm -r %d %s -png -singlefile '%s' '%s.r' 2>&1", dpi, area,
             path, path);
    char *out = run(cmd);
    if (out == NULL)
        return NULL;
    free(out);
    char png[640];
    snprintf(png, sizeof png, "%s.r.png", path);
    return (uint8_t *)test_read_file(png, png_len);
}

TEST(visa_pdf_rasterises_with_pdftoppm)
{
    uint8_t *pdf = NULL;
    size_t len = 0, png_len = 0;
    CHECK_INT(render_sample("az", true, &pdf, &len), 0);
    uint8_t *png = rasterise(pdf, len, 60, false, &png_len);
    free(pdf);
    CHECK(png != NULL);
    struct gray_image img;
    int rc = image_decode_gray(png, png_len, 0, &img);
    free(png);
    CHECK_INT(rc, 0);
    /* A4 at 60 dpi: 496.06 x 701.57 pixels, rounded either way. */
    bool size_ok = img.width >= 496 && img.width <= 497 && img.height >= 701 && img.height <= 702;
    image_free(&img);
    CHECK(size_ok);
}

/* Whether the seal reads back from the page at 150 dpi: the whole page as a
 * flat-bed scan gives it (crop false), or its lower half as a phone camera
 * held over it would frame it (crop true).  The whole page once made
 * dm_decode_image return a bogus 10x10 symbol found in the text; it now
 * skips symbols too small or too blurred to be a seal. */
static bool seal_scans_at(const uint8_t *pdf, size_t len, const uint8_t *seal, size_t seal_len,
                          bool crop)
{
    size_t png_len = 0;
    uint8_t *png = rasterise(pdf, len, 150, crop, &png_len);
    if (png == NULL)
        return false;
    uint8_t got[DM_MAX_PAYLOAD];
    size_t got_len = 0;
    int rc = dm_decode_image(png, png_len, got, sizeof got, &got_len);
    free(png);
    if (rc < 0 || got_len != seal_len || memcmp(got, seal, seal_len) != 0) {
        test_fail(__FILE__, __LINE__, "seal read back: rc %d, %zu bytes", rc, got_len);
        return false;
    }
    return true;
}

static bool seal_scans(const uint8_t *pdf, size_t len, const uint8_t *seal, size_t seal_len)
{
    return seal_scans_at(pdf, len, seal, seal_len, true) &&
           seal_scans_at(pdf, len, seal, seal_len, false);
}

static void check_seal_scans(const char *lang)
{
    struct visa_pdf_input in;
    uint8_t seal[DM_MAX_PAYLOAD], *ph = NULL, *pdf = NULL;
    size_t len = 0;
    CHECK(sample(lang, true, &in, seal, sizeof seal, &ph));
    int rc = visa_pdf_render(&in, &pdf, &len);
    free(ph);
    CHECK_INT(rc, 0);
    bool ok = seal_scans(pdf, len, in.seal, in.seal_len);
    free(pdf);
    CHECK(ok);
}

TEST(visa_pdf_seal_scans_back_from_page_az)
{
    check_seal_scans("az");
}

TEST(visa_pdf_seal_scans_back_from_page_ur)
{
    check_seal_scans("ur");
}

TEST(visa_pdf_renders_english_only_without_photo)
{
    struct visa_pdf_input in;
    uint8_t seal[DM_MAX_PAYLOAD], *ph = NULL, *pdf = NULL;
    size_t len = 0;
    CHECK(sample("en", false, &in, seal, sizeof seal, &ph));
    in.state_name_local = "\xFF invalid but ignored in English";
    CHECK_INT(visa_pdf_render(&in, &pdf, &len), 0);
    char *text = pdf_text(pdf, len);
    free(pdf);
    CHECK(text != NULL);
    bool ok = strstr(text, "Republic of Azerbaijan") != NULL && strstr(text, "KHAN") != NULL &&
              strstr(text, "Soyad") == NULL;
    free(text);
    CHECK(ok);
}

TEST(visa_pdf_fits_sixteen_long_rows_on_one_page)
{
    struct visa_pdf_input in;
    uint8_t seal[DM_MAX_PAYLOAD], *ph = NULL, *pdf = NULL;
    size_t len = 0;
    CHECK(sample("ur", true, &in, seal, sizeof seal, &ph));
    char longv[VISA_PDF_MAX_TEXT + 1];
    for (size_t i = 0; i < VISA_PDF_MAX_TEXT; i++)
        longv[i] = (char)(i % 7 == 6 ? ' ' : 'A' + (char)(i % 26));
    longv[VISA_PDF_MAX_TEXT] = '\0';
    for (size_t i = in.n_rows; i < VISA_PDF_MAX_ROWS; i++)
        in.rows[i] = in.rows[i % 4];
    in.n_rows = VISA_PDF_MAX_ROWS;
    for (size_t i = 0; i < in.n_rows; i++)
        in.rows[i].value = longv;
    int rc = visa_pdf_render(&in, &pdf, &len);
    free(ph);
    CHECK_INT(rc, 0);
    /* One page (no form feed between pages), the MRZ still whole and the
     * seal not overlapped by the table (it still scans).  The values are
     * cut with an ellipsis on their second line, but the PDF maps the
     * ellipsis glyph to the text it stands for, so pdftotext shows it all. */
    char *text = pdf_text(pdf, len);
    bool scans = seal_scans(pdf, len, in.seal, in.seal_len);
    free(pdf);
    CHECK(text != NULL);
    bool ok = strchr(text, '\f') == NULL || strchr(text, '\f') == strrchr(text, '\f');
    ok = ok && strstr(text, VISA_SAMPLE_MRZ2) != NULL;
    free(text);
    CHECK(ok);
    CHECK(scans);
}

/* visa_pdf_render's result for a sample changed by one edit. */
#define RENDER_EDITED(lang, edit, rc_out)                                                          \
    do {                                                                                           \
        struct visa_pdf_input in_;                                                                 \
        uint8_t seal_[DM_MAX_PAYLOAD], *ph_ = NULL, *pdf_ = (uint8_t *)1;                          \
        size_t len_ = 1;                                                                           \
        CHECK(sample(lang, false, &in_, seal_, sizeof seal_, &ph_));                               \
        struct visa_pdf_input *in = &in_;                                                          \
        edit;                                                                                      \
        (rc_out) = visa_pdf_render(in, &pdf_, &len_);                                              \
        free(ph_);                                                                                 \
        if ((rc_out) < 0)                                                                          \
            CHECK(pdf_ == NULL && len_ == 0);                                                      \
        free(pdf_);                                                                                \
    } while (0)

TEST(visa_pdf_rejects_unknown_language)
{
    int rc;
    RENDER_EDITED("az", in->lang = "de", rc);
    CHECK_INT(rc, -RENDER_E_BAD_OPTION);
    RENDER_EDITED("az", in->lang = NULL, rc);
    CHECK_INT(rc, -RENDER_E_BAD_OPTION);
    RENDER_EDITED("az", in->lang = "AZ", rc);
    CHECK_INT(rc, -RENDER_E_BAD_OPTION);
}

TEST(visa_pdf_rejects_missing_required_fields)
{
    int rc;
    uint8_t *pdf = NULL;
    size_t len = 0;
    CHECK_INT(visa_pdf_render(NULL, &pdf, &len), -RENDER_E_BAD_INPUT);
    RENDER_EDITED("az", in->state_name_en = NULL, rc);
    CHECK_INT(rc, -RENDER_E_BAD_INPUT);
    RENDER_EDITED("az", in->title_en = "", rc);
    CHECK_INT(rc, -RENDER_E_BAD_INPUT);
    RENDER_EDITED("az", in->rows[3].label_en = NULL, rc);
    CHECK_INT(rc, -RENDER_E_BAD_INPUT);
    RENDER_EDITED("az", in->rows[3].value = NULL, rc);
    CHECK_INT(rc, -RENDER_E_BAD_INPUT);
    RENDER_EDITED("az", in->seal = NULL, rc);
    CHECK_INT(rc, -RENDER_E_BAD_INPUT);
    RENDER_EDITED("az", in->mrz_line2 = NULL, rc);
    CHECK_INT(rc, -RENDER_E_BAD_INPUT);
}

TEST(visa_pdf_accepts_missing_local_texts_and_empty_values)
{
    int rc;
    RENDER_EDITED(
        "ur",
        {
            in->title_local = NULL;
            in->rows[0].label_local = "";
            in->rows[1].value = "";
            in->verify_note_en = NULL;
        },
        rc);
    CHECK_INT(rc, 0);
}

TEST(visa_pdf_rejects_bad_utf8_and_control_characters)
{
    int rc;
    RENDER_EDITED("az", in->rows[0].value = "KH\xC3", rc);
    CHECK_INT(rc, -RENDER_E_BAD_INPUT);
    RENDER_EDITED("az", in->title_local = "Elektron\x01viza", rc);
    CHECK_INT(rc, -RENDER_E_BAD_INPUT);
    RENDER_EDITED("az", in->rows[0].value = "KHAN\nSMITH", rc);
    CHECK_INT(rc, -RENDER_E_BAD_INPUT);
    RENDER_EDITED("ur", in->state_name_local = "\xC0\x80", rc); /* overlong NUL */
    CHECK_INT(rc, -RENDER_E_BAD_INPUT);
    RENDER_EDITED("az", in->rows[2].label_en = "Date\xC2\x85of birth", rc); /* U+0085 NEL */
    CHECK_INT(rc, -RENDER_E_BAD_INPUT);
    /* Notes may hold line breaks. */
    RENDER_EDITED("az", in->verify_note_en = "Scan the seal.\nOr visit the site.", rc);
    CHECK_INT(rc, 0);
}

TEST(visa_pdf_rejects_more_than_sixteen_rows)
{
    int rc;
    RENDER_EDITED("az", in->n_rows = VISA_PDF_MAX_ROWS + 1, rc);
    CHECK_INT(rc, -RENDER_E_BAD_INPUT);
}

TEST(visa_pdf_rejects_malformed_mrz)
{
    int rc;
    RENDER_EDITED("az", in->mrz_line1 = "V<AZEKHAN<<IMRAN<AHMED<<<<<<<<<<<<<<<<<<<<<", rc); /* 43 */
    CHECK_INT(rc, -RENDER_E_BAD_INPUT);
    RENDER_EDITED("az", in->mrz_line1 = "V<AZEKHAN<<IMRAN<AHMED<<<<<<<<<<<<<<", rc); /* 36 + 44 */
    CHECK_INT(rc, -RENDER_E_BAD_INPUT);
    RENDER_EDITED("az", in->mrz_line1 = "V<AZEKhan<<IMRAN<AHMED<<<<<<<<<<<<<<<<<<<<<<", rc);
    CHECK_INT(rc, -RENDER_E_BAD_INPUT);
    RENDER_EDITED("az", in->mrz_line2 = "AZ00012343PAK7903155M2702205<<<<<<<<<<<<<<< ", rc);
    CHECK_INT(rc, -RENDER_E_BAD_INPUT);
}

TEST(visa_pdf_rejects_texts_over_their_limit)
{
    char text[VISA_PDF_MAX_NOTE + 2];
    memset(text, 'a', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    int rc;
    /* Exactly at the limit is fine, one byte more is not. */
    text[VISA_PDF_MAX_TEXT] = '\0';
    RENDER_EDITED("az", in->rows[5].value = text, rc);
    CHECK_INT(rc, 0);
    text[VISA_PDF_MAX_TEXT] = 'a';
    text[VISA_PDF_MAX_TEXT + 1] = '\0';
    RENDER_EDITED("az", in->rows[5].value = text, rc);
    CHECK_INT(rc, -RENDER_E_TEXT_TOO_LONG);
    RENDER_EDITED("ur", in->state_name_local = text, rc);
    CHECK_INT(rc, -RENDER_E_TEXT_TOO_LONG);
    text[VISA_PDF_MAX_TEXT + 1] = 'a';
    text[VISA_PDF_MAX_NOTE] = '\0';
    RENDER_EDITED("az", in->verify_note_local = text, rc);
    CHECK_INT(rc, 0);
    text[VISA_PDF_MAX_NOTE] = 'a';
    RENDER_EDITED("az", in->verify_note_local = text, rc);
    CHECK_INT(rc, -RENDER_E_TEXT_TOO_LONG);
}

TEST(visa_pdf_rejects_photo_over_5_mib)
{
    uint8_t *big = calloc(1, VISA_PDF_MAX_PHOTO + 1);
    CHECK(big != NULL);
    int rc;
    RENDER_EDITED("az", (in->photo_jpeg = big, in->photo_len = VISA_PDF_MAX_PHOTO + 1), rc);
    free(big);
    CHECK_INT(rc, -RENDER_E_TOO_LARGE);
}

TEST(visa_pdf_rejects_corrupt_or_foreign_photo)
{
    uint8_t *jpg = NULL;
    size_t n = 0;
    CHECK_INT(visa_sample_photo(&jpg, &n), 0);
    int rc;
    RENDER_EDITED("az", (in->photo_jpeg = jpg, in->photo_len = n / 2), rc);
    free(jpg);
    CHECK_INT(rc, -RENDER_E_CORRUPT);
    static const uint8_t gif[] = "GIF89a\x01\x00\x01\x00\x00\x00\x00;";
    RENDER_EDITED("az", (in->photo_jpeg = gif, in->photo_len = sizeof gif - 1), rc);
    CHECK_INT(rc, -RENDER_E_UNSUPPORTED_FORMAT);
}

TEST(visa_pdf_rejects_empty_or_oversized_seal)
{
    int rc;
    RENDER_EDITED("az", in->seal_len = 0, rc);
    CHECK_INT(rc, -RENDER_E_EMPTY);
    static uint8_t big[DM_MAX_PAYLOAD + 1];
    RENDER_EDITED("az", (in->seal = big, in->seal_len = sizeof big), rc);
    CHECK_INT(rc, -RENDER_E_PAYLOAD_TOO_LARGE);
}

TEST(visa_seal_png_scans_back)
{
    uint8_t seal[DM_MAX_PAYLOAD], *png = NULL, got[DM_MAX_PAYLOAD];
    size_t n = load_seal(seal, sizeof seal), png_len = 0, got_len = 0;
    CHECK(n > 0);
    CHECK_INT(visa_seal_png(seal, n, &png, &png_len), 0);
    struct gray_image img;
    int rc = image_decode_gray(png, png_len, 0, &img);
    CHECK_INT(rc, 0);
    /* Module size and quiet zone as promised. */
    struct dm_matrix m;
    CHECK_INT(dm_encode_matrix(seal, n, &m), 0);
    int side = (m.size + 2 * VISA_SEAL_PNG_QUIET) * VISA_SEAL_PNG_MODULE_PX;
    bool size_ok = img.width == side && img.height == side;
    image_free(&img);
    rc = dm_decode_image(png, png_len, got, sizeof got, &got_len);
    free(png);
    CHECK(size_ok);
    CHECK_INT(rc, 0);
    CHECK_INT(got_len, n);
    CHECK(memcmp(got, seal, n) == 0);
    CHECK_INT(visa_seal_png(seal, 0, &png, &png_len), -RENDER_E_EMPTY);
}

TEST(visa_pdf_error_codes_have_names)
{
    CHECK_STR(render_err_code(-RENDER_E_BAD_INPUT), "bad_input");
    CHECK_STR(render_err_code(-RENDER_E_TEXT_TOO_LONG), "text_too_long");
    CHECK_STR(render_err_code(-RENDER_E_PDF_FAILED), "pdf_failed");
    CHECK(strcmp(render_err_message(-RENDER_E_PDF_FAILED), "unknown error") != 0);
}
