/*
 * visa_web.c — the applicant's issued visa: its data as JSON, the seal as a
 * PNG DataMatrix for a phone, and the visa grant notice PDF — through the
 * API (bearer token) and the pages (access cookie).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"
#include "render/visa_pdf.h"
#include "web/portal.h"

static json_t *hex_json(const uint8_t *b, size_t n)
{
    char *s = malloc(2 * n + 1);
    if (!s)
        return json_null();
    hex_upper(b, n, s);
    json_t *j = json_string(s);
    free(s);
    return j;
}

static const char *tr(const struct portal *p, const char *lang, const char *key)
{
    const char *s = i18n_get(p->i18n, lang, key);
    return s ? s : key;
}

/* The grant notice: data in English and the applicant's language. */
static int visa_pdf_of(const struct portal *p, const struct portal_app *a,
                       const struct store_visa *v, const uint8_t *photo, size_t photo_len,
                       uint8_t **pdf, size_t *len)
{
    const char *lang = a->row.lang[0] ? a->row.lang : "en";
    int li = !strcmp(lang, "az") ? LANG_AZ : !strcmp(lang, "ur") ? LANG_UR : LANG_EN;
    char name[256], entries[32], stay[32];
    snprintf(name, sizeof name, "%.120s %.120s", a->vals.v[F_GIVEN_NAMES], a->vals.v[F_SURNAME]);
    if (v->entries)
        snprintf(entries, sizeof entries, "%d", v->entries);
    else
        snprintf(entries, sizeof entries, "%s", tr(p, "en", "visa.entries_multiple"));
    snprintf(stay, sizeof stay, "%d", v->stay_days);
    struct {
        const char *key;
        const char *value;
    } rows[] = {
        {"pdf.name", name},
        {"field.date_of_birth", a->vals.v[F_DATE_OF_BIRTH]},
        {"field.nationality", a->vals.v[F_NATIONALITY]},
        {"field.passport_number", a->vals.v[F_PASSPORT_NUMBER]},
        {"pdf.visa_number", v->visa_number},
        {"pdf.visa_type", a->vt->name.text[LANG_EN]},
        {"pdf.valid_from", v->valid_from},
        {"pdf.valid_until", v->valid_until},
        {"pdf.entries", entries},
        {"pdf.stay_days", stay},
        {"pdf.reference", v->reference},
    };
    struct visa_pdf_input in = {
        .lang = lang,
        .state_name_en = a->st->name.text[LANG_EN],
        .state_name_local = a->st->name.text[li],
        .title_en = tr(p, "en", "pdf.title"),
        .title_local = tr(p, lang, "pdf.title"),
        .mrz_line1 = v->mrz_line1,
        .mrz_line2 = v->mrz_line2,
        .seal = v->seal,
        .seal_len = v->seal_len,
        .photo_jpeg = photo,
        .photo_len = photo_len,
        .verify_note_en = tr(p, "en", "pdf.verify_note"),
        .verify_note_local = tr(p, lang, "pdf.verify_note"),
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        in.rows[i].label_en = tr(p, "en", rows[i].key);
        in.rows[i].label_local = tr(p, lang, rows[i].key);
        in.rows[i].value = rows[i].value;
    }
    in.n_rows = sizeof rows / sizeof rows[0];
    return visa_pdf_render(&in, pdf, len);
}

/* The visa of an application the caller may see; false after answering. */
static bool load_visa(struct http_request *r, struct http_response *w, bool api,
                      struct portal_app *a, struct store_visa *v)
{
    struct portal *p = r->app;
    const char *token = NULL;
    char buf[80] = "";
    if (api) {
        token = portal_bearer(r);
    } else {
        const char *c = http_cookie(r, "evisa_access");
        size_t rl = strlen(r->params[0]);
        if (c && !strncmp(c, r->params[0], rl) && c[rl] == '.') {
            snprintf(buf, sizeof buf, "%s", c + rl + 1);
            token = buf;
        }
    }
    if (!token || portal_app_load(p, r->params[0], token, a) != 0) {
        if (api)
            http_error_json(w, 404, "not_found", "no such application");
        else
            http_status(w, 404);
        return false;
    }
    if (store_visa_get_by_reference(p->store, a->row.reference, v) != 0) {
        portal_app_clear(a);
        if (api)
            http_error_json(w, 404, "no_visa", "no visa has been issued for this application");
        else
            http_status(w, 404);
        return false;
    }
    return true;
}

void api_visa(struct http_request *r, struct http_response *w)
{
    struct portal_app a;
    struct store_visa *v = calloc(1, sizeof *v);
    if (!v) {
        http_error_json(w, 500, "internal", "out of memory");
        return;
    }
    if (load_visa(r, w, true, &a, v)) {
        json_t *j =
            json_pack("{s:s, s:s, s:s, s:[s,s], s:o, s:s, s:s, s:i, s:i, s:s}", "visa_number",
                      v->visa_number, "reference", v->reference, "status", v->status, "mrz",
                      v->mrz_line1, v->mrz_line2, "seal_hex", hex_json(v->seal, v->seal_len),
                      "valid_from", v->valid_from, "valid_until", v->valid_until, "entries",
                      v->entries, "stay_days", v->stay_days, "signer_cert_ref", v->signer_cert_ref);
        if (v->revoked_reason[0])
            json_object_set_new(j, "revoked_reason", json_string(v->revoked_reason));
        http_json(w, 200, j);
        portal_app_clear(&a);
    }
    free(v);
}

static void send_png(struct http_request *r, struct http_response *w, bool api)
{
    struct portal_app a;
    struct store_visa *v = calloc(1, sizeof *v);
    if (v && load_visa(r, w, api, &a, v)) {
        uint8_t *png;
        size_t len;
        if (visa_seal_png(v->seal, v->seal_len, &png, &len) < 0) {
            http_error_json(w, 500, "internal", "the seal could not be drawn");
        } else {
            http_set_header(w, "Content-Type", "image/png");
            char cd[96];
            snprintf(cd, sizeof cd, "inline; filename=\"visa-%s.png\"", v->visa_number);
            http_set_header(w, "Content-Disposition", cd);
            http_append(w, png, len);
            free(png);
        }
        portal_app_clear(&a);
    }
    free(v);
}

static void send_pdf(struct http_request *r, struct http_response *w, bool api)
{
    struct portal *p = r->app;
    struct portal_app a;
    struct store_visa *v = calloc(1, sizeof *v);
    if (v && load_visa(r, w, api, &a, v)) {
        struct store_upload photo = {0};
        store_upload_get(p->store, a.row.reference, "photo", &photo);
        uint8_t *pdf = NULL;
        size_t len = 0;
        if (visa_pdf_of(p, &a, v, photo.data, photo.len, &pdf, &len) < 0) {
            http_error_json(w, 500, "internal", "the visa notice could not be rendered");
        } else {
            http_set_header(w, "Content-Type", "application/pdf");
            char cd[96];
            snprintf(cd, sizeof cd, "inline; filename=\"visa-%s.pdf\"", v->visa_number);
            http_set_header(w, "Content-Disposition", cd);
            http_append(w, pdf, len);
            free(pdf);
        }
        store_upload_clear(&photo);
        portal_app_clear(&a);
    }
    free(v);
}

void api_visa_png(struct http_request *r, struct http_response *w)
{
    send_png(r, w, true);
}

void page_visa_png(struct http_request *r, struct http_response *w)
{
    send_png(r, w, false);
}

void api_visa_pdf(struct http_request *r, struct http_response *w)
{
    send_pdf(r, w, true);
}

void page_visa_pdf(struct http_request *r, struct http_response *w)
{
    send_pdf(r, w, false);
}
