/*
 * visa_sample.h — the sample visa grant notice (a TEST visa of Azerbaijan
 * for a Pakistani citizen, the data of the own-aze-v4-mrva-p256 seal
 * vector) in English + Azerbaijani or English + Urdu.  Shared by the unit
 * tests (tests/unit/test_visa_pdf.c, golden PDF text) and the look-at tool
 * (tests/tools/visapdf.c) so that what people look at is what is tested.
 * The caller sets seal/photo.
 */
#ifndef EVISA_TEST_VISA_SAMPLE_H
#define EVISA_TEST_VISA_SAMPLE_H

#include <stdlib.h>
#include <string.h>

#include "icao/vds.h"
#include "render/image.h"
#include "render/visa_pdf.h"

#define VISA_SAMPLE_MRZ1 "V<AZEKHAN<<IMRAN<AHMED<<<<<<<<<<<<<<<<<<<<<<"
#define VISA_SAMPLE_MRZ2 "AZ00012343PAK7903155M2702205<<<<<<<<<<<<<<<<"

/* One row: English label, Azerbaijani label, Urdu label, value. */
struct visa_sample_row {
    const char *en, *az, *ur, *value;
};

static inline struct visa_pdf_input visa_sample_input(const char *lang)
{
    static const struct visa_sample_row rows[] = {
        {"Surname", "Soyadı", "خاندانی نام", "KHAN"},
        {"Given names", "Adı", "نام", "IMRAN AHMED"},
        {"Date of birth", "Doğum tarixi", "تاریخ پیدائش", "15.03.1979"},
        {"Sex", "Cinsi", "جنس", "M"},
        {"Nationality", "Vətəndaşlığı", "قومیت", "Pakistan (PAK)"},
        {"Passport number", "Pasport nömrəsi", "پاسپورٹ نمبر", "AB1234567"},
        {"Visa number", "Viza nömrəsi", "ویزا نمبر", "AZ0001234"},
        {"Visa type", "Vizanın növü", "ویزا کی قسم", "Tourist, single entry"},
        {"Valid from", "Başlama tarixi", "کب سے کارآمد", "21.11.2026"},
        {"Valid until", "Bitmə tarixi", "کب تک کارآمد", "20.02.2027"},
        {"Duration of stay", "Qalma müddəti", "قیام کی مدت", "30 days"},
        {"Application", "Müraciət", "درخواست", "AZE 2026/0001"},
    };
    struct visa_pdf_input in;
    memset(&in, 0, sizeof in);
    int az = strcmp(lang, "az") == 0, ur = strcmp(lang, "ur") == 0;
    in.lang = lang;
    in.state_name_en = "Republic of Azerbaijan";
    in.title_en = "Electronic visa grant notice";
    in.verify_note_en = "This notice carries a digital seal signed by the Republic of Azerbaijan. "
                        "Border officers scan it; you can check it at https://evisa.gov.az/verify "
                        "with the visa number. Carry your passport AB1234567 when you travel.";
    if (az) {
        in.state_name_local = "Azərbaycan Respublikası";
        in.title_local = "Elektron viza verilməsi barədə bildiriş";
        in.verify_note_local = "Bu bildirişdə Azərbaycan Respublikasının imzaladığı rəqəmsal möhür "
                               "var. Sərhəd əməkdaşları onu skan edir; siz onu viza nömrəsi ilə "
                               "https://evisa.gov.az/verify ünvanında yoxlaya bilərsiniz.";
    } else if (ur) {
        in.state_name_local = "جمہوریہ آذربائیجان";
        in.title_local = "الیکٹرانک ویزا کی منظوری کا نوٹس";
        in.verify_note_local = "اس نوٹس پر جمہوریہ آذربائیجان کی دستخط شدہ ڈیجیٹل مہر ہے۔ "
                               "سرحدی افسران اسے اسکین کرتے ہیں؛ آپ ویزا نمبر کے ساتھ "
                               "https://evisa.gov.az/verify پر اس کی تصدیق کر سکتے ہیں۔";
    }
    in.n_rows = sizeof rows / sizeof rows[0];
    for (size_t i = 0; i < in.n_rows; i++) {
        in.rows[i].label_en = rows[i].en;
        in.rows[i].label_local = az ? rows[i].az : ur ? rows[i].ur : NULL;
        in.rows[i].value = rows[i].value;
    }
    in.mrz_line1 = VISA_SAMPLE_MRZ1;
    in.mrz_line2 = VISA_SAMPLE_MRZ2;
    return in;
}

/* A photo-like 350 x 450 JPEG (a face-like oval on a gradient) in *jpg
 * (malloc'd); returns image_encode_jpeg_rgb()'s result. */
static inline int visa_sample_photo(uint8_t **jpg, size_t *len)
{
    struct rgb_image img;
    const int w = 350, h = 450;
    int rc = rgb_image_alloc(&img, w, h);
    if (rc < 0)
        return rc;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            double dx = ((double)x / w - 0.5) / 0.3, dy = ((double)y / h - 0.42) / 0.3;
            int inside = dx * dx + dy * dy<1.0, shoulders = (double)y / h> 0.8;
            uint8_t *p = img.pixels + 3 * ((size_t)y * (size_t)w + (size_t)x);
            p[0] = (uint8_t)(inside ? 224 : shoulders ? 40 : 170 + y / 10);
            p[1] = (uint8_t)(inside ? 186 : shoulders ? 50 : 190 + y / 12);
            p[2] = (uint8_t)(inside ? 160 : shoulders ? 90 : 215);
        }
    }
    rc = image_encode_jpeg_rgb(&img, 85, jpg, len);
    rgb_image_free(&img);
    return rc;
}

/* A seal with the sample's header and visa message and a made-up (not
 * verifiable) 64-byte signature, for looking at the page; the tests use
 * the real signed vector.  Returns 0 or a negative icao_err code. */
static inline int visa_sample_seal(uint8_t *buf, size_t cap, size_t *len)
{
    struct vds_header hd;
    struct vds_visa v;
    memset(&hd, 0, sizeof hd);
    memset(&v, 0, sizeof v);
    hd.version = 4;
    memcpy(hd.issuing_country, "AZE", 4);
    memcpy(hd.signer_id, "AZEV", 5);
    memcpy(hd.cert_ref, "1F4A", 5);
    hd.issue_date = (struct vds_date){2026, 11, 20};
    hd.signature_date = (struct vds_date){2026, 11, 21};
    v.mrz_tag = VDS_TAG_MRZ_MRVA;
    memcpy(v.mrz_line1, VISA_SAMPLE_MRZ1, 45);
    memcpy(v.mrz_line2, VISA_SAMPLE_MRZ2, 28);
    v.has_entries = 1;
    v.entries = 1;
    v.duration_days = 30;
    memcpy(v.passport_number, "AB1234567", 10);
    v.visa_type_len = 1;
    v.visa_type[0] = 1;
    size_t n = 0;
    int rc = vds_encode_visa(&hd, &v, buf, cap, &n);
    if (rc < 0)
        return rc;
    uint8_t sig[64];
    for (size_t i = 0; i < sizeof sig; i++)
        sig[i] = (uint8_t)(i * 37 + 11);
    return vds_append_signature(buf, n, cap, sig, sizeof sig, len);
}

#endif
