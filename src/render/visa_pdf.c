/*
 * visa_pdf.c — the visa grant notice PDF and the phone PNG of the seal (see
 * visa_pdf.h).  Order of work: check every input (lengths, UTF-8, MRZ
 * alphabet) -> build the DataMatrix matrix -> decode and shrink the photo
 * -> draw the page on a Cairo PDF surface that writes into a bounded
 * growing buffer.  Text goes through Pango layouts (plain text, never
 * markup) with the language set as an attribute, so Urdu gets its Nastaliq
 * joining and right-to-left order from HarfBuzz, and auto-dir aligns it to
 * the right of its box.  Positions are in PostScript points (1/72 inch).
 */
#include "render/visa_pdf.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include "render/datamatrix.h"
#include "render/image.h"
#include "render/render_err.h"

#define MM (72.0 / 25.4)
#define PAGE_W (210.0 * MM)
#define PAGE_H (297.0 * MM)
#define MARGIN (15.0 * MM)
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define PHOTO_W (35.0 * MM)
#define PHOTO_H (45.0 * MM)
#define PHOTO_MAX_PX 600 /* long side of the embedded photo (about 340 dpi) */
#define PHOTO_QUALITY 90
#define SEAL_SIDE (40.0 * MM)        /* the symbol with its quiet zone, about */
#define SEAL_QUIET 2                 /* modules of white around the symbol */
#define MRZ_PITCH (25.4 * MM / 10.0) /* ICAO: 10 characters per inch */
#define LABEL_COL_W (62.0 * MM)
#define COL_GAP (4.0 * MM)
#define MIN_TABLE_SCALE 0.55 /* the smallest type the table may shrink to */

#define FONT_LATIN "Noto Sans, DejaVu Sans"
#define FONT_MRZ "OCR B, DejaVu Sans Mono, monospace"
#define FONT_MRZ_TEXT "DejaVu Sans Mono, monospace" /* the text layer under the MRZ */

/* The languages printed beside English. */
struct pdf_lang {
    const char *code;
    const char *font;  /* family list for the local texts */
    double size_boost; /* Nastaliq reads small: its texts get this factor */
    bool rtl;
};

static const struct pdf_lang pdf_langs[] = {
    {"en", FONT_LATIN, 1.0, false},
    {"az", FONT_LATIN, 1.0, false},
    {"ur", "Noto Naskh Arabic, Noto Sans", 1.1, true},
};

/* Colours (RGB 0..1). */
static const double ink_title[3] = {0.06, 0.16, 0.36};
static const double ink_label[3] = {0.33, 0.33, 0.36};
static const double ink_text[3] = {0.0, 0.0, 0.0};
static const double ink_rule[3] = {0.75, 0.77, 0.80};

/* ---- input checks ---------------------------------------------------- */

/* 0 if s is acceptable text of at most max bytes: valid UTF-8, no control
 * characters (newline allowed when multiline).  NULL or "" is accepted
 * only when !required. */
static int check_text(const char *s, size_t max, bool required, bool multiline)
{
    if (s == NULL || *s == '\0')
        return required ? -RENDER_E_BAD_INPUT : 0;
    size_t n = strnlen(s, max + 1);
    if (n > max)
        return -RENDER_E_TEXT_TOO_LONG;
    if (!g_utf8_validate(s, (gssize)n, NULL))
        return -RENDER_E_BAD_INPUT;
    for (const char *p = s; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c == '\n' && multiline)
            continue;
        if (c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0x2028 || c == 0x2029)
            return -RENDER_E_BAD_INPUT;
    }
    return 0;
}

static bool mrz_line_ok(const char *s, size_t want)
{
    if (s == NULL || strnlen(s, want + 1) != want)
        return false;
    for (size_t i = 0; i < want; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '<'))
            return false;
    return true;
}

static const struct pdf_lang *find_lang(const char *code)
{
    if (code == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof pdf_langs / sizeof pdf_langs[0]; i++)
        if (strcmp(pdf_langs[i].code, code) == 0)
            return &pdf_langs[i];
    return NULL;
}

static int check_input(const struct visa_pdf_input *in, const struct pdf_lang **lang)
{
    if (in == NULL)
        return -RENDER_E_BAD_INPUT;
    *lang = find_lang(in->lang);
    if (*lang == NULL)
        return -RENDER_E_BAD_OPTION;
    bool local = strcmp((*lang)->code, "en") != 0;
    int rc;
    if ((rc = check_text(in->state_name_en, VISA_PDF_MAX_TEXT, true, false)) < 0 ||
        (rc = check_text(in->title_en, VISA_PDF_MAX_TEXT, true, false)) < 0 ||
        (rc = check_text(in->verify_note_en, VISA_PDF_MAX_NOTE, false, true)) < 0)
        return rc;
    if (local && ((rc = check_text(in->state_name_local, VISA_PDF_MAX_TEXT, false, false)) < 0 ||
                  (rc = check_text(in->title_local, VISA_PDF_MAX_TEXT, false, false)) < 0 ||
                  (rc = check_text(in->verify_note_local, VISA_PDF_MAX_NOTE, false, true)) < 0))
        return rc;
    if (in->n_rows > VISA_PDF_MAX_ROWS)
        return -RENDER_E_BAD_INPUT;
    for (size_t i = 0; i < in->n_rows; i++) {
        const struct visa_pdf_row *r = &in->rows[i];
        if ((rc = check_text(r->label_en, VISA_PDF_MAX_TEXT, true, false)) < 0 ||
            (local && (rc = check_text(r->label_local, VISA_PDF_MAX_TEXT, false, false)) < 0))
            return rc;
        if (r->value == NULL)
            return -RENDER_E_BAD_INPUT;
        if ((rc = check_text(r->value, VISA_PDF_MAX_TEXT, false, false)) < 0)
            return rc;
    }
    size_t l1 = in->mrz_line1 ? strnlen(in->mrz_line1, 45) : 0;
    if ((l1 != 44 && l1 != 36) || !mrz_line_ok(in->mrz_line1, l1) ||
        !mrz_line_ok(in->mrz_line2, l1))
        return -RENDER_E_BAD_INPUT;
    if (in->seal == NULL)
        return -RENDER_E_BAD_INPUT;
    if (in->photo_jpeg != NULL && in->photo_len > VISA_PDF_MAX_PHOTO)
        return -RENDER_E_TOO_LARGE;
    return 0;
}

/* ---- output buffer --------------------------------------------------- */

struct out_buf {
    uint8_t *data;
    size_t len, cap;
    int err; /* first failure: -RENDER_E_TOO_LARGE or -RENDER_E_NO_MEMORY */
};

static cairo_status_t out_write(void *closure, const unsigned char *data, unsigned int length)
{
    struct out_buf *b = closure;
    if (b->err)
        return CAIRO_STATUS_WRITE_ERROR;
    if (length > VISA_PDF_MAX_OUTPUT - b->len) {
        b->err = -RENDER_E_TOO_LARGE;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    if (b->len + length > b->cap) {
        size_t cap = b->cap ? b->cap : 64 * 1024;
        while (cap < b->len + length)
            cap *= 2;
        if (cap > VISA_PDF_MAX_OUTPUT)
            cap = VISA_PDF_MAX_OUTPUT;
        uint8_t *p = realloc(b->data, cap);
        if (p == NULL) {
            b->err = -RENDER_E_NO_MEMORY;
            return CAIRO_STATUS_WRITE_ERROR;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, length);
    b->len += length;
    return CAIRO_STATUS_SUCCESS;
}

/* ---- photo ----------------------------------------------------------- */

/* src shrunk by area averaging so that its long side is at most
 * PHOTO_MAX_PX (copied when already small enough). */
static int shrink_photo(const struct rgb_image *src, struct rgb_image *dst)
{
    int longest = src->width > src->height ? src->width : src->height;
    int w = src->width, h = src->height;
    if (longest > PHOTO_MAX_PX) {
        w = (int)lround((double)src->width * PHOTO_MAX_PX / longest);
        h = (int)lround((double)src->height * PHOTO_MAX_PX / longest);
        w = w < IMAGE_MIN_SIDE ? IMAGE_MIN_SIDE : w;
        h = h < IMAGE_MIN_SIDE ? IMAGE_MIN_SIDE : h;
    }
    int rc = rgb_image_alloc(dst, w, h);
    if (rc < 0)
        return rc;
    for (int y = 0; y < h; y++) {
        int y0 = (int)((long)y * src->height / h), y1 = (int)((long)(y + 1) * src->height / h);
        if (y1 <= y0)
            y1 = y0 + 1;
        for (int x = 0; x < w; x++) {
            int x0 = (int)((long)x * src->width / w), x1 = (int)((long)(x + 1) * src->width / w);
            if (x1 <= x0)
                x1 = x0 + 1;
            unsigned long sum[3] = {0, 0, 0}, n = 0;
            for (int sy = y0; sy < y1; sy++) {
                const uint8_t *p = src->pixels + ((size_t)sy * (size_t)src->width + (size_t)x0) * 3;
                for (int sx = x0; sx < x1; sx++, p += 3, n++) {
                    sum[0] += p[0];
                    sum[1] += p[1];
                    sum[2] += p[2];
                }
            }
            uint8_t *d = dst->pixels + ((size_t)y * (size_t)w + (size_t)x) * 3;
            for (int c = 0; c < 3; c++)
                d[c] = (uint8_t)((sum[c] + n / 2) / n);
        }
    }
    return 0;
}

/* The photo as a Cairo image surface carrying a fresh JPEG of itself as
 * MIME data, so that the PDF embeds a small DCT image (no metadata of the
 * upload survives).  *out is NULL when there is no photo. */
static int load_photo(const uint8_t *data, size_t len, cairo_surface_t **out)
{
    *out = NULL;
    if (data == NULL)
        return 0;
    struct rgb_image full = {0}, small = {0};
    int rc = image_decode_rgb(data, len, IMAGE_MAX_SIDE, &full);
    if (rc < 0)
        return rc;
    rc = shrink_photo(&full, &small);
    rgb_image_free(&full);
    if (rc < 0)
        return rc;
    uint8_t *jpg = NULL;
    size_t jpg_len = 0;
    rc = image_encode_jpeg_rgb(&small, PHOTO_QUALITY, &jpg, &jpg_len);
    if (rc < 0) {
        rgb_image_free(&small);
        return rc;
    }
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, small.width, small.height);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        rgb_image_free(&small);
        free(jpg);
        return -RENDER_E_NO_MEMORY;
    }
    cairo_surface_flush(s);
    uint8_t *base = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    for (int y = 0; y < small.height; y++) {
        uint32_t *row = (uint32_t *)(void *)(base + (size_t)y * (size_t)stride);
        const uint8_t *p = small.pixels + (size_t)y * (size_t)small.width * 3;
        for (int x = 0; x < small.width; x++, p += 3)
            row[x] = 0xFF000000u | ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
    }
    cairo_surface_mark_dirty(s);
    rgb_image_free(&small);
    if (cairo_surface_set_mime_data(s, CAIRO_MIME_TYPE_JPEG, jpg, jpg_len, free, jpg) !=
        CAIRO_STATUS_SUCCESS) {
        free(jpg);
        cairo_surface_destroy(s);
        return -RENDER_E_NO_MEMORY;
    }
    *out = s;
    return 0;
}

/* ---- fonts --------------------------------------------------------- */

/* A private Pango font map and context per rendering: nothing is shared
 * between threads, and the font caches are released at the end (Pango's
 * default font map lives until the process exits, which leak checkers
 * report).  Note: Debian's NotoNastaliqUrdu-Bold.ttf declares the regular
 * weight, so fontconfig may set regular Urdu text in the bold face; that
 * needs a fontconfig rule (pangoft2), see the notes in docs. */
struct fonts {
    PangoFontMap *map;
    PangoContext *ctx;
};

static int fonts_open(struct fonts *f, cairo_t *cr)
{
    memset(f, 0, sizeof *f);
    f->map = pango_cairo_font_map_new();
    if (f->map == NULL)
        return -RENDER_E_PDF_FAILED;
    f->ctx = pango_font_map_create_context(f->map);
    if (f->ctx == NULL) {
        g_object_unref(f->map);
        f->map = NULL;
        return -RENDER_E_NO_MEMORY;
    }
    pango_cairo_update_context(cr, f->ctx);
    return 0;
}

static void fonts_close(struct fonts *f)
{
    if (f->ctx != NULL)
        g_object_unref(f->ctx);
    if (f->map != NULL)
        g_object_unref(f->map);
    memset(f, 0, sizeof *f);
}

/* ---- text ------------------------------------------------------------ */

/* How one text is set. */
struct text_style {
    const char *family;
    double size; /* points */
    bool bold;
    const double *ink;
    int max_lines; /* wrap, then cut with an ellipsis after this many lines */
    const char *lang;
    bool ink_height; /* measure to the bottom of the ink, not of the line box */
};

static struct text_style style(const char *family, double size, bool bold, const double *ink,
                               int max_lines, const char *lang)
{
    struct text_style st = {family, size, bold, ink, max_lines, lang, false};
    return st;
}

/* Lay out text in a box of the given width; the caller unrefs.  NULL on
 * allocation failure. */
static PangoLayout *make_layout(PangoContext *ctx, const char *text, const struct text_style *st,
                                double width)
{
    PangoLayout *lay = pango_layout_new(ctx);
    if (lay == NULL)
        return NULL;
    PangoFontDescription *fd = pango_font_description_from_string(st->family);
    pango_font_description_set_absolute_size(fd, st->size * PANGO_SCALE);
    pango_font_description_set_weight(fd, st->bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(lay, fd);
    pango_font_description_free(fd);
    PangoAttrList *attrs = pango_attr_list_new();
    pango_attr_list_insert(attrs, pango_attr_language_new(pango_language_from_string(st->lang)));
    pango_layout_set_attributes(lay, attrs);
    pango_attr_list_unref(attrs);
    pango_layout_set_auto_dir(lay, TRUE);
    pango_layout_set_width(lay, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(lay, PANGO_WRAP_WORD_CHAR);
    if (st->max_lines > 0) {
        pango_layout_set_height(lay, -st->max_lines);
        pango_layout_set_ellipsize(lay, PANGO_ELLIPSIZE_END);
    }
    pango_layout_set_text(lay, text, -1);
    return lay;
}

/* What a page is drawn with. */
struct page {
    cairo_t *cr;
    PangoContext *ctx;
    const struct visa_pdf_input *in;
    const struct pdf_lang *lang;
    bool local; /* a second language is printed */
};

/* Draw text at (x, y) in a box of width w (when draw) and return its
 * height in points; 0 for a NULL or empty text, -1 on allocation failure.
 * Right-to-left paragraphs are set flush right in the box (auto-dir). */
static double put_text(const struct page *pg, const char *text, const struct text_style *st,
                       double x, double y, double w, bool draw)
{
    if (text == NULL || *text == '\0')
        return 0;
    PangoLayout *lay = make_layout(pg->ctx, text, st, w);
    if (lay == NULL)
        return -1;
    PangoRectangle ink_rect, logical;
    pango_layout_get_extents(lay, &ink_rect, &logical);
    int ph = st->ink_height ? ink_rect.y + ink_rect.height : logical.height;
    if (draw) {
        cairo_set_source_rgb(pg->cr, st->ink[0], st->ink[1], st->ink[2]);
        cairo_move_to(pg->cr, x, y);
        pango_cairo_show_layout(pg->cr, lay);
    }
    g_object_unref(lay);
    return (double)ph / PANGO_SCALE;
}

static void hrule(cairo_t *cr, double x, double y, double w, double width, const double *ink)
{
    cairo_set_source_rgb(cr, ink[0], ink[1], ink[2]);
    cairo_set_line_width(cr, width);
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x + w, y);
    cairo_stroke(cr);
}

/* ---- page parts ------------------------------------------------------ */

/* The header: state and title in both languages; returns its bottom, -1
 * on allocation failure. */
static double draw_header(const struct page *pg, double y)
{
    const struct visa_pdf_input *in = pg->in;
    const char *lf = pg->lang->font, *lc = pg->lang->code;
    double k = pg->lang->size_boost, w = CONTENT_W - PHOTO_W - 6.0 * MM, x = MARGIN, h;
    struct text_style s_state = style(FONT_LATIN, 13, true, ink_title, 2, "en");
    struct text_style s_state_l = style(lf, 12 * k, false, ink_title, 2, lc);
    struct text_style s_title = style(FONT_LATIN, 22, true, ink_title, 2, "en");
    struct text_style s_title_l = style(lf, 17 * k, false, ink_title, 2, lc);
    if ((h = put_text(pg, in->state_name_en, &s_state, x, y, w, true)) < 0)
        return -1;
    y += h;
    if (pg->local) {
        if ((h = put_text(pg, in->state_name_local, &s_state_l, x, y, w, true)) < 0)
            return -1;
        y += h;
    }
    y += 4.0 * MM;
    if ((h = put_text(pg, in->title_en, &s_title, x, y, w, true)) < 0)
        return -1;
    y += h;
    if (pg->local) {
        if ((h = put_text(pg, in->title_local, &s_title_l, x, y, w, true)) < 0)
            return -1;
        y += h;
    }
    return y;
}

/* The photo in a thin frame at the top right corner, scaled to fit
 * PHOTO_W x PHOTO_H and centred; returns the frame's bottom. */
static double draw_photo(cairo_t *cr, cairo_surface_t *photo, double y)
{
    double x = PAGE_W - MARGIN - PHOTO_W;
    if (photo != NULL) {
        double iw = cairo_image_surface_get_width(photo);
        double ih = cairo_image_surface_get_height(photo);
        double sc = fmin(PHOTO_W / iw, PHOTO_H / ih);
        double dx = x + (PHOTO_W - iw * sc) / 2, dy = y + (PHOTO_H - ih * sc) / 2;
        cairo_save(cr);
        cairo_rectangle(cr, x, y, PHOTO_W, PHOTO_H);
        cairo_clip(cr);
        cairo_translate(cr, dx, dy);
        cairo_scale(cr, sc, sc);
        cairo_set_source_surface(cr, photo, 0, 0);
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
        cairo_paint(cr);
        cairo_restore(cr);
    }
    cairo_set_source_rgb(cr, ink_rule[0], ink_rule[1], ink_rule[2]);
    cairo_set_line_width(cr, 0.75);
    cairo_rectangle(cr, x, y, PHOTO_W, PHOTO_H);
    cairo_stroke(cr);
    return y + PHOTO_H;
}

/* The table of rows at scale k (1 = normal type); draws it when draw and
 * returns its height, -1 on allocation failure.  Left-to-right languages
 * put the local label under the English one; right-to-left ones (Urdu) get
 * a third column at the right edge, where their readers start, so that the
 * tall Nastaliq line does not double every row. */
static double table(const struct page *pg, double y0, double k, bool draw)
{
    const struct visa_pdf_input *in = pg->in;
    const char *lf = pg->lang->font, *lc = pg->lang->code;
    bool side = pg->local && pg->lang->rtl;
    double pad = 2.0 * MM * k, y = y0, lw = side ? LABEL_COL_W * 0.75 : LABEL_COL_W;
    double lx = MARGIN, vx = MARGIN + lw + COL_GAP;
    double rw = side ? LABEL_COL_W * 0.75 : 0, rx = PAGE_W - MARGIN - rw;
    double vw = CONTENT_W - lw - COL_GAP - (side ? rw + COL_GAP : 0);
    struct text_style s_label = style(FONT_LATIN, 9 * k, false, ink_label, 1, "en");
    struct text_style s_label_l = style(lf, 9 * k * pg->lang->size_boost, false, ink_label, 1, lc);
    /* Nastaliq's line box is about twice its usual ink: beside the other
     * columns only the ink has to fit in the row. */
    s_label_l.ink_height = side;
    struct text_style s_value = style(FONT_LATIN, 11.5 * k, true, ink_text, 2, lc);
    if (draw)
        hrule(pg->cr, MARGIN, y, CONTENT_W, 0.5, ink_rule);
    for (size_t i = 0; i < in->n_rows; i++) {
        const struct visa_pdf_row *r = &in->rows[i];
        double hl = put_text(pg, r->label_en, &s_label, lx, y + pad, lw, draw), hr = 0;
        if (hl < 0)
            return -1;
        if (pg->local) {
            double hll = side
                             ? put_text(pg, r->label_local, &s_label_l, rx, y + pad, rw, draw)
                             : put_text(pg, r->label_local, &s_label_l, lx, y + pad + hl, lw, draw);
            if (hll < 0)
                return -1;
            if (side)
                hr = hll;
            else
                hl += hll;
        }
        double hv = put_text(pg, r->value, &s_value, vx, y + pad, vw, draw);
        if (hv < 0)
            return -1;
        y += fmax(fmax(hl, hr), hv) + 2 * pad;
        if (draw)
            hrule(pg->cr, MARGIN, y, CONTENT_W, 0.5, ink_rule);
    }
    return y - y0;
}

/* The seal's geometry: modules are a whole number of 1/150 inch (so that
 * 150, 300 and 600 dpi printers and rasterisers put every module edge on a
 * pixel edge: no grey seams, no modules of uneven width), as close to
 * SEAL_SIDE overall as that allows without going 10 % over it. */
struct seal_box {
    double x, y, module, side;
};

#define SEAL_GRID (72.0 / 150.0)

static double snap(double v)
{
    return floor(v / SEAL_GRID) * SEAL_GRID;
}

static struct seal_box seal_box(const struct dm_matrix *m, double x, double bottom)
{
    int modules = m->size + 2 * SEAL_QUIET;
    double units = round(SEAL_SIDE / modules / SEAL_GRID);
    if (units * SEAL_GRID * modules > SEAL_SIDE * 1.1)
        units = floor(SEAL_SIDE / modules / SEAL_GRID);
    if (units < 1)
        units = 1;
    struct seal_box b;
    b.module = units * SEAL_GRID;
    b.side = b.module * modules;
    b.x = snap(x);
    b.y = snap(bottom - b.side);
    return b;
}

/* The seal: a white square with the symbol's modules as filled rectangles
 * (runs of dark modules in a row merged, so that no hairline seams show
 * between neighbours) and a thin grey frame just outside the quiet zone. */
static void draw_seal(cairo_t *cr, const struct dm_matrix *m, const struct seal_box *b)
{
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, b->x, b->y, b->side, b->side);
    cairo_fill(cr);
    double ox = b->x + SEAL_QUIET * b->module, oy = b->y + SEAL_QUIET * b->module;
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int r = 0; r < m->size; r++) {
        for (int c = 0; c < m->size;) {
            if (!m->dark[r][c]) {
                c++;
                continue;
            }
            int e = c;
            while (e < m->size && m->dark[r][e])
                e++;
            cairo_rectangle(cr, ox + c * b->module, oy + r * b->module, (e - c) * b->module,
                            b->module);
            c = e;
        }
    }
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, ink_rule[0], ink_rule[1], ink_rule[2]);
    cairo_set_line_width(cr, 0.5);
    cairo_rectangle(cr, b->x - 0.25, b->y - 0.25, b->side + 0.5, b->side + 0.5);
    cairo_stroke(cr);
}

/* The size in points of family at which text (n monospaced characters)
 * is MRZ_PITCH per character; 0 on allocation failure. */
static double pitch_size(const struct page *pg, const char *family, const char *text, size_t n)
{
    struct text_style st = style(family, 10, false, ink_text, 0, "en");
    PangoLayout *probe = make_layout(pg->ctx, text, &st, PAGE_W);
    if (probe == NULL)
        return 0;
    int pw, ph;
    pango_layout_get_size(probe, &pw, &ph);
    g_object_unref(probe);
    double natural = (double)pw / PANGO_SCALE; /* width at 10 pt */
    return natural > 0 ? 10.0 * MRZ_PITCH * (double)n / natural : 10.0;
}

/* The MRZ: two lines of OCR-B at the ICAO pitch of MRZ_PITCH per character,
 * centred on the page, ending above y_bottom; returns the zone's top, or
 * -1 on allocation failure.
 *
 * The OCR-B glyphs are drawn as filled outlines, not as text: Cairo 1.16
 * (Debian 12) cannot embed the CFF-flavoured OCR-B of fonts-ocr-b and
 * silently writes a PDF that references a font object it never wrote.  So
 * that the MRZ can still be copied, searched and read by pdftotext and
 * screen readers, the same characters are first set as real text in white
 * in a monospaced TrueType font at the same pitch and baseline, under the
 * black outlines (the way scanned PDFs carry an invisible text layer). */
static double draw_mrz(const struct page *pg, const char *l1, const char *l2, double y_bottom)
{
    cairo_t *cr = pg->cr;
    size_t n = strlen(l1);
    double size = pitch_size(pg, FONT_MRZ, l1, n), size_text = pitch_size(pg, FONT_MRZ_TEXT, l1, n);
    if (size <= 0 || size_text <= 0)
        return -1;
    static const double white[3] = {1, 1, 1};
    struct text_style st = style(FONT_MRZ, size, false, ink_text, 0, "en");
    struct text_style st_text = style(FONT_MRZ_TEXT, size_text, false, white, 0, "en");
    double w = MRZ_PITCH * (double)n, x = (PAGE_W - w) / 2;
    /* Baselines about 4.2 mm apart, as on a visa sticker. */
    double line = fmax(4.2 * MM, size * 1.15);
    double top = y_bottom - 2 * line - 2.0 * MM;
    const char *lines[2] = {l1, l2};
    for (int i = 0; i < 2; i++) {
        double baseline = top + (i + 1) * line;
        PangoLayout *txt = make_layout(pg->ctx, lines[i], &st_text, w + MRZ_PITCH);
        if (txt == NULL)
            return -1;
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_move_to(cr, x, baseline - (double)pango_layout_get_baseline(txt) / PANGO_SCALE);
        pango_cairo_show_layout(cr, txt);
        g_object_unref(txt);

        PangoLayout *ocr = make_layout(pg->ctx, lines[i], &st, w + MRZ_PITCH);
        if (ocr == NULL)
            return -1;
        cairo_new_path(cr);
        cairo_move_to(cr, x, baseline - (double)pango_layout_get_baseline(ocr) / PANGO_SCALE);
        pango_cairo_layout_path(cr, ocr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_fill(cr);
        g_object_unref(ocr);
    }
    return top;
}

/* ---- the page -------------------------------------------------------- */

static int draw_page(const struct page *pg, const struct dm_matrix *m, cairo_surface_t *photo)
{
    cairo_t *cr = pg->cr;
    const struct visa_pdf_input *in = pg->in;
    const char *lf = pg->lang->font, *lc = pg->lang->code;

    /* A band across the top. */
    cairo_set_source_rgb(cr, ink_title[0], ink_title[1], ink_title[2]);
    cairo_rectangle(cr, 0, 0, PAGE_W, 4.0 * MM);
    cairo_fill(cr);

    double top = MARGIN;
    double hb = draw_header(pg, top);
    if (hb < 0)
        return -RENDER_E_NO_MEMORY;
    double pb = draw_photo(cr, photo, top);
    double y_table = fmax(hb, pb) + 6.0 * MM;

    /* Bottom up: the MRZ zone, then the seal with the note beside it. */
    double y_mrz = draw_mrz(pg, in->mrz_line1, in->mrz_line2, PAGE_H - MARGIN);
    if (y_mrz < 0)
        return -RENDER_E_NO_MEMORY;
    hrule(cr, MARGIN, y_mrz - 1.0 * MM, CONTENT_W, 0.5, ink_rule);
    struct seal_box sb = seal_box(m, MARGIN, y_mrz - 6.0 * MM);
    draw_seal(cr, m, &sb);
    double y_seal = sb.y;

    double nx = sb.x + sb.side + 6.0 * MM, nw = PAGE_W - MARGIN - nx, ny = y_seal, h;
    struct text_style s_note = style(FONT_LATIN, 9, false, ink_text, 6, "en");
    struct text_style s_note_l = style(lf, 9 * pg->lang->size_boost, false, ink_text, 6, lc);
    if ((h = put_text(pg, in->verify_note_en, &s_note, nx, ny, nw, true)) < 0)
        return -RENDER_E_NO_MEMORY;
    ny += h + 2.0 * MM;
    if (pg->local && put_text(pg, in->verify_note_local, &s_note_l, nx, ny, nw, true) < 0)
        return -RENDER_E_NO_MEMORY;

    /* The table, in smaller type if it would reach the seal. */
    double room = y_seal - 6.0 * MM - y_table, k = 1.0;
    for (;;) {
        double th = table(pg, y_table, k, false);
        if (th < 0)
            return -RENDER_E_NO_MEMORY;
        if (th <= room || k <= MIN_TABLE_SCALE)
            break;
        k = fmax(MIN_TABLE_SCALE, k - 0.05);
    }
    if (table(pg, y_table, k, true) < 0)
        return -RENDER_E_NO_MEMORY;
    return 0;
}

int visa_pdf_render(const struct visa_pdf_input *in, uint8_t **pdf, size_t *len)
{
    *pdf = NULL;
    *len = 0;
    const struct pdf_lang *lang = NULL;
    int rc = check_input(in, &lang);
    if (rc < 0)
        return rc;

    struct dm_matrix *m = malloc(sizeof *m);
    if (m == NULL)
        return -RENDER_E_NO_MEMORY;
    rc = dm_encode_matrix(in->seal, in->seal_len, m);
    cairo_surface_t *photo = NULL;
    if (rc == 0)
        rc = load_photo(in->photo_jpeg, in->photo_len, &photo);
    if (rc < 0) {
        free(m);
        return rc;
    }

    struct out_buf out = {0};
    cairo_surface_t *surf = cairo_pdf_surface_create_for_stream(out_write, &out, PAGE_W, PAGE_H);
    char title[2 * VISA_PDF_MAX_TEXT + 8];
    int tn = snprintf(title, sizeof title, "%s \xE2\x80\x94 %s", in->title_en, in->state_name_en);
    if (tn > 0 && (size_t)tn < sizeof title)
        cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, "evisa");
    cairo_t *cr = cairo_create(surf);
    struct fonts fonts = {0};
    if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        rc = -RENDER_E_PDF_FAILED;
    else
        rc = fonts_open(&fonts, cr);
    if (rc == 0) {
        struct page pg = {cr, fonts.ctx, in, lang, strcmp(lang->code, "en") != 0};
        rc = draw_page(&pg, m, photo);
    }
    if (rc == 0 && cairo_status(cr) != CAIRO_STATUS_SUCCESS)
        rc = -RENDER_E_PDF_FAILED;
    cairo_destroy(cr);
    cairo_surface_finish(surf);
    if (rc == 0 && cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS)
        rc = out.err ? out.err : -RENDER_E_PDF_FAILED;
    cairo_surface_destroy(surf);
    fonts_close(&fonts); /* after the surface: it may still hold scaled fonts */
    if (photo != NULL)
        cairo_surface_destroy(photo);
    free(m);
    if (rc == 0 && out.err)
        rc = out.err;
    if (rc < 0) {
        free(out.data);
        return rc;
    }
    *pdf = out.data;
    *len = out.len;
    return 0;
}

int visa_seal_png(const uint8_t *seal, size_t seal_len, uint8_t **png, size_t *png_len)
{
    struct dm_options o = {.quiet_zone = VISA_SEAL_PNG_QUIET, .module_px = VISA_SEAL_PNG_MODULE_PX};
    return dm_render_png(seal, seal_len, &o, png, png_len);
}
