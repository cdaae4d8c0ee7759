/*
 * vds.c — Visible Digital Seal codec (spec §7).  vds_decode() parses a whole
 * seal strictly and without ever reading past the n bytes it is given:
 * header (version 3 fixed layout, version 4 variable layout with the legacy
 * fixed-layout fallback and the DEZV decimal length), message TLVs with DER
 * lengths, the visa feature set, and the 0xFF signature zone.
 * vds_encode_visa() writes the canonical form of a visa seal (variable
 * layout for version 4, tags in ascending order, minimal DER lengths), the
 * bytes a signer signs; vds_append_signature() adds the signature zone.
 */
#include "icao/vds.h"

#include <string.h>

#include "icao/c40.h"
#include "icao/icao_err.h"

/* ---- shared helpers ---------------------------------------------------- */

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex_upper(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'F');
}

static bool is_mrz_char(char c)
{
    return is_upper(c) || is_digit(c) || c == '<';
}

int vds_der_length_encode(size_t value, uint8_t *out, size_t cap)
{
    size_t need = value < 0x80 ? 1 : value <= 0xFF ? 2 : 3;
    if (value > 0xFFFF)
        return -ICAO_E_BAD_LENGTH;
    if (need > cap)
        return -ICAO_E_NO_SPACE;
    if (need == 1) {
        out[0] = (uint8_t)value;
    } else if (need == 2) {
        out[0] = 0x81;
        out[1] = (uint8_t)value;
    } else {
        out[0] = 0x82;
        out[1] = (uint8_t)(value >> 8);
        out[2] = (uint8_t)value;
    }
    return (int)need;
}

/* Reads a minimal DER definite length at seal[*pos] and advances *pos.
 * -ICAO_E_TRUNCATED when the length bytes run past n, -ICAO_E_BAD_LENGTH
 * for 0x80, 0x83.. and non-minimal forms. */
static int der_length_decode(const uint8_t *seal, size_t n, size_t *pos, size_t *value)
{
    if (*pos >= n)
        return -ICAO_E_TRUNCATED;
    uint8_t b = seal[*pos];
    if (b < 0x80) {
        *value = b;
        *pos += 1;
        return 0;
    }
    if (b == 0x81) {
        if (n - *pos < 2)
            return -ICAO_E_TRUNCATED;
        if (seal[*pos + 1] < 0x80)
            return -ICAO_E_BAD_LENGTH;
        *value = seal[*pos + 1];
        *pos += 2;
        return 0;
    }
    if (b == 0x82) {
        if (n - *pos < 3)
            return -ICAO_E_TRUNCATED;
        size_t v = ((size_t)seal[*pos + 1] << 8) | seal[*pos + 2];
        if (v <= 0xFF)
            return -ICAO_E_BAD_LENGTH;
        *value = v;
        *pos += 3;
        return 0;
    }
    return -ICAO_E_BAD_LENGTH;
}

/* ---- decoding ---------------------------------------------------------- */

/* C40-decodes nbytes into out and insists on exactly want characters. */
static int c40_exact(const uint8_t *in, size_t nbytes, char *out, size_t cap, size_t want)
{
    int rc = c40_decode(in, nbytes, out, cap);
    if (rc < 0)
        return rc;
    if ((size_t)rc != want)
        return -ICAO_E_BAD_LENGTH;
    return 0;
}

/* The 8 bytes after the signer/cert-ref part: two dates, feature, category. */
static int decode_header_tail(const uint8_t *seal, size_t n, size_t pos, struct vds_header *h)
{
    if (pos > n || n - pos < 8)
        return -ICAO_E_TRUNCATED;
    if (vds_date_decode(seal + pos, &h->issue_date) != 0 ||
        vds_date_decode(seal + pos + 3, &h->signature_date) != 0)
        return -ICAO_E_BAD_DATE;
    h->feature_ref = seal[pos + 6];
    h->doc_type_cat = seal[pos + 7];
    h->length = pos + 8;
    return 0;
}

/* Fixed layout (version 3, legacy 0x03): 6 bytes C40 = signer (4) + cert ref (5). */
static int decode_fixed(const uint8_t *seal, size_t n, struct vds_header *h)
{
    char text[16];
    if (n < 10)
        return -ICAO_E_TRUNCATED;
    int rc = c40_exact(seal + 4, 6, text, sizeof text, 9);
    if (rc < 0)
        return rc;
    memcpy(h->signer_id, text, 4);
    h->signer_id[4] = '\0';
    memcpy(h->cert_ref, text + 4, 5);
    h->cert_ref[5] = '\0';
    h->layout = VDS_LAYOUT_FIXED;
    return decode_header_tail(seal, n, 10, h);
}

/* Variable layout (version 4): 4 bytes C40 = signer (4) + length L (2 hex
 * characters; decimal for signer DEZV), then L characters of cert ref. */
static int decode_variable(const uint8_t *seal, size_t n, struct vds_header *h, unsigned *warn)
{
    char text[16];
    if (n < 8)
        return -ICAO_E_TRUNCATED;
    int rc = c40_exact(seal + 4, 4, text, sizeof text, 6);
    if (rc < 0)
        return rc;
    memcpy(h->signer_id, text, 4);
    h->signer_id[4] = '\0';
    size_t len;
    if (strcmp(h->signer_id, "DEZV") == 0) {
        if (!is_digit(text[4]) || !is_digit(text[5]))
            return -ICAO_E_BAD_LENGTH;
        len = (size_t)(text[4] - '0') * 10u + (size_t)(text[5] - '0');
        *warn |= VDS_WARN_DECIMAL_REF_LEN;
    } else {
        if (!is_hex_upper(text[4]) || !is_hex_upper(text[5]))
            return -ICAO_E_BAD_LENGTH;
        unsigned hi =
            is_digit(text[4]) ? (unsigned)(text[4] - '0') : (unsigned)(text[4] - 'A' + 10);
        unsigned lo =
            is_digit(text[5]) ? (unsigned)(text[5] - '0') : (unsigned)(text[5] - 'A' + 10);
        len = hi * 16u + lo;
    }
    if (len == 0)
        return -ICAO_E_BAD_LENGTH;
    size_t nbytes = C40_ENCODED_LEN(len);
    if (n - 8 < nbytes)
        return -ICAO_E_TRUNCATED;
    rc = c40_exact(seal + 8, nbytes, h->cert_ref, sizeof h->cert_ref, len);
    if (rc < 0)
        return rc;
    h->layout = VDS_LAYOUT_VARIABLE;
    return decode_header_tail(seal, n, 8 + nbytes, h);
}

static int decode_header(const uint8_t *seal, size_t n, struct vds_header *h, unsigned *warn)
{
    if (n < 1)
        return -ICAO_E_TRUNCATED;
    if (seal[0] != VDS_MAGIC)
        return -ICAO_E_BAD_MAGIC;
    if (n < 2)
        return -ICAO_E_TRUNCATED;
    h->version_byte = seal[1];
    if (seal[1] == 0x02)
        h->version = 3;
    else if (seal[1] == 0x03)
        h->version = 4;
    else
        return -ICAO_E_UNSUPPORTED_VERSION;
    if (n < 4)
        return -ICAO_E_TRUNCATED;
    int rc = c40_exact(seal + 2, 2, h->issuing_country, sizeof h->issuing_country, 3);
    if (rc < 0)
        return rc;
    if (h->version == 3)
        return decode_fixed(seal, n, h);

    unsigned vwarn = 0;
    rc = decode_variable(seal, n, h, &vwarn);
    if (rc == 0) {
        *warn |= vwarn;
        return 0;
    }
    /* Legacy 0x03 seals in the fixed layout (spec §7.3, §9.1). */
    struct vds_header fixed = *h;
    if (decode_fixed(seal, n, &fixed) != 0)
        return rc; /* neither layout fits: report the version-4 failure */
    *h = fixed;
    *warn |= VDS_WARN_LEGACY_HEADER;
    return 0;
}

/* Fills seal->visa from the message TLVs of a visa seal (spec §7.5). */
static int decode_visa(struct vds_seal *s)
{
    bool seen[8] = {false};
    struct vds_visa *v = &s->visa;
    char text[80];
    for (size_t i = 0; i < s->n_messages; i++) {
        const struct vds_message *m = &s->messages[i];
        if (m->tag < VDS_TAG_MRZ_MRVA || m->tag > VDS_TAG_ADDITIONAL)
            continue; /* unknown tags stay in messages[] only */
        if (seen[m->tag])
            return -ICAO_E_BAD_FIELD;
        seen[m->tag] = true;
        int rc;
        switch (m->tag) {
        case VDS_TAG_MRZ_MRVA:
        case VDS_TAG_MRZ_MRVB: {
            bool a = m->tag == VDS_TAG_MRZ_MRVA;
            if (seen[a ? VDS_TAG_MRZ_MRVB : VDS_TAG_MRZ_MRVA])
                return -ICAO_E_BAD_FIELD; /* two MRZs */
            size_t l1 = a ? 44 : 36;
            if (m->length != (a ? 48u : 44u))
                return -ICAO_E_BAD_LENGTH;
            rc = c40_exact(m->value, m->length, text, sizeof text, l1 + 28);
            if (rc < 0)
                return rc;
            v->mrz_tag = m->tag;
            memcpy(v->mrz_line1, text, l1);
            v->mrz_line1[l1] = '\0';
            memcpy(v->mrz_line2, text + l1, 28);
            v->mrz_line2[28] = '\0';
            break;
        }
        case VDS_TAG_ENTRIES:
            if (m->length != 1)
                return -ICAO_E_BAD_LENGTH;
            v->has_entries = true;
            v->entries = m->value[0];
            break;
        case VDS_TAG_DURATION:
            if (m->length != 3)
                return -ICAO_E_BAD_LENGTH;
            v->duration_days = m->value[0];
            v->duration_months = m->value[1];
            v->duration_years = m->value[2];
            break;
        case VDS_TAG_PASSPORT_NUMBER:
            if (m->length != 6)
                return -ICAO_E_BAD_LENGTH;
            rc = c40_exact(m->value, 6, v->passport_number, sizeof v->passport_number, 9);
            if (rc < 0)
                return rc;
            break;
        case VDS_TAG_VISA_TYPE:
            if (m->length < 1 || m->length > sizeof v->visa_type)
                return -ICAO_E_BAD_LENGTH;
            memcpy(v->visa_type, m->value, m->length);
            v->visa_type_len = m->length;
            break;
        default: /* VDS_TAG_ADDITIONAL */
            if (m->length > 254)
                return -ICAO_E_BAD_LENGTH;
            v->has_additional = true;
            v->additional_len = m->length;
            v->additional = m->value;
            break;
        }
    }
    if (!(seen[VDS_TAG_MRZ_MRVA] || seen[VDS_TAG_MRZ_MRVB]) || !seen[VDS_TAG_DURATION] ||
        !seen[VDS_TAG_PASSPORT_NUMBER])
        return -ICAO_E_MISSING_TAG;
    return 0;
}

int vds_decode(const uint8_t *seal, size_t n, struct vds_seal *out)
{
    memset(out, 0, sizeof *out);
    if (!seal)
        n = 0;
    int rc = decode_header(seal, n, &out->header, &out->warnings);
    if (rc < 0)
        return rc;

    /* Message zone: TLVs up to the signature tag. */
    size_t pos = out->header.length;
    for (;;) {
        if (pos >= n)
            return -ICAO_E_MISSING_SIGNATURE;
        uint8_t tag = seal[pos];
        if (tag == VDS_SIG_TAG)
            break;
        size_t at = pos + 1, len;
        rc = der_length_decode(seal, n, &at, &len);
        if (rc < 0)
            return rc;
        if (len > n - at)
            return -ICAO_E_TRUNCATED;
        if (out->n_messages == VDS_MAX_MESSAGES)
            return -ICAO_E_TOO_MANY;
        struct vds_message *m = &out->messages[out->n_messages++];
        m->tag = tag;
        m->length = len;
        m->offset = at;
        m->value = seal + at;
        pos = at + len;
    }
    out->signed_length = pos;

    /* Signature zone: 0xFF, DER length, r||s, and nothing after it. */
    size_t at = pos + 1, len;
    rc = der_length_decode(seal, n, &at, &len);
    if (rc < 0)
        return rc;
    if (len > n - at)
        return -ICAO_E_TRUNCATED;
    if (len == 0 || len % 2 != 0 || len > VDS_SIG_MAX)
        return -ICAO_E_BAD_LENGTH;
    if (at + len != n)
        return -ICAO_E_TRAILING_DATA;
    out->signature = seal + at;
    out->signature_length = len;

    if (out->header.feature_ref == VDS_FEATURE_VISA &&
        out->header.doc_type_cat == VDS_CATEGORY_VISA) {
        rc = decode_visa(out);
        if (rc < 0)
            return rc;
        out->is_visa = true;
    }
    return 0;
}

/* ---- encoding ---------------------------------------------------------- */

struct writer {
    uint8_t *out;
    size_t cap;
    size_t len;
};

static int put(struct writer *w, const uint8_t *p, size_t k)
{
    if (k > w->cap - w->len)
        return -ICAO_E_NO_SPACE;
    if (k > 0)
        memcpy(w->out + w->len, p, k);
    w->len += k;
    return 0;
}

static int put_c40(struct writer *w, const char *text, size_t n)
{
    int rc = c40_encode(text, n, w->out + w->len, w->cap - w->len);
    if (rc < 0)
        return rc;
    w->len += (size_t)rc;
    return 0;
}

static int put_tlv(struct writer *w, uint8_t tag, const uint8_t *value, size_t n)
{
    uint8_t hdr[4];
    hdr[0] = tag;
    int rc = vds_der_length_encode(n, hdr + 1, sizeof hdr - 1);
    if (rc < 0)
        return rc;
    rc = put(w, hdr, 1 + (size_t)rc);
    if (rc < 0)
        return rc;
    return put(w, value, n);
}

/* A C40 field as one TLV (the value is at most 48 bytes here). */
static int put_c40_tlv(struct writer *w, uint8_t tag, const char *text, size_t n)
{
    uint8_t buf[64];
    int rc = c40_encode(text, n, buf, sizeof buf);
    if (rc < 0)
        return rc;
    return put_tlv(w, tag, buf, (size_t)rc);
}

/* True when s holds exactly n characters (before a NUL within cap), each ok. */
static bool field_ok(const char *s, size_t cap, size_t n, bool (*ok)(char))
{
    if (strnlen(s, cap) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!ok(s[i]))
            return false;
    return true;
}

static bool is_country_char(char c)
{
    return is_upper(c) || c == '<';
}

static bool is_signer_char(char c)
{
    return is_upper(c) || is_digit(c);
}

static int encode_header(const struct vds_header *h, struct writer *w)
{
    static const char hex[] = "0123456789ABCDEF";
    if (h->version != 3 && h->version != 4)
        return -ICAO_E_BAD_FIELD;
    if (!field_ok(h->issuing_country, sizeof h->issuing_country, 3, is_country_char) ||
        !field_ok(h->signer_id, sizeof h->signer_id, 4, is_signer_char))
        return -ICAO_E_BAD_FIELD;
    size_t ref_len = strnlen(h->cert_ref, sizeof h->cert_ref);
    if (ref_len == 0 || ref_len > VDS_CERT_REF_MAX ||
        !field_ok(h->cert_ref, sizeof h->cert_ref, ref_len, is_hex_upper))
        return -ICAO_E_BAD_FIELD;
    if (h->version == 3 && ref_len > 5)
        return -ICAO_E_BAD_FIELD;
    uint8_t dates[6];
    if (vds_date_encode(h->issue_date, dates) != 0 ||
        vds_date_encode(h->signature_date, dates + 3) != 0)
        return -ICAO_E_BAD_DATE;

    const uint8_t start[2] = {VDS_MAGIC, h->version == 3 ? 0x02 : 0x03};
    int rc = put(w, start, 2);
    if (rc == 0)
        rc = put_c40(w, h->issuing_country, 3);
    if (rc < 0)
        return rc;
    char text[10];
    memcpy(text, h->signer_id, 4);
    if (h->version == 3) {
        memset(text + 4, '0', 5 - ref_len);
        memcpy(text + 4 + (5 - ref_len), h->cert_ref, ref_len);
        rc = put_c40(w, text, 9);
    } else {
        text[4] = hex[ref_len >> 4];
        text[5] = hex[ref_len & 0xF];
        rc = put_c40(w, text, 6);
        if (rc == 0)
            rc = put_c40(w, h->cert_ref, ref_len);
    }
    if (rc < 0)
        return rc;
    const uint8_t feature[2] = {VDS_FEATURE_VISA, VDS_CATEGORY_VISA};
    rc = put(w, dates, sizeof dates);
    if (rc == 0)
        rc = put(w, feature, sizeof feature);
    return rc;
}

static int encode_visa_messages(const struct vds_visa *v, struct writer *w)
{
    bool a = v->mrz_tag == VDS_TAG_MRZ_MRVA;
    if (!a && v->mrz_tag != VDS_TAG_MRZ_MRVB)
        return -ICAO_E_BAD_FIELD;
    size_t l1 = a ? 44 : 36;
    if (!field_ok(v->mrz_line1, sizeof v->mrz_line1, l1, is_mrz_char) ||
        !field_ok(v->mrz_line2, sizeof v->mrz_line2, 28, is_mrz_char))
        return -ICAO_E_BAD_FIELD;
    size_t pn_len = strnlen(v->passport_number, sizeof v->passport_number);
    if (pn_len == 0 || pn_len > 9 ||
        !field_ok(v->passport_number, sizeof v->passport_number, pn_len, is_mrz_char))
        return -ICAO_E_BAD_FIELD;
    if (v->visa_type_len > sizeof v->visa_type)
        return -ICAO_E_BAD_LENGTH;
    if (v->has_additional && v->additional_len > 254)
        return -ICAO_E_BAD_LENGTH;
    if (v->has_additional && v->additional_len > 0 && !v->additional)
        return -ICAO_E_BAD_FIELD;

    char mrz[72];
    memcpy(mrz, v->mrz_line1, l1);
    memcpy(mrz + l1, v->mrz_line2, 28);
    int rc = put_c40_tlv(w, v->mrz_tag, mrz, l1 + 28);
    if (rc == 0 && v->has_entries)
        rc = put_tlv(w, VDS_TAG_ENTRIES, &v->entries, 1);
    const uint8_t duration[3] = {v->duration_days, v->duration_months, v->duration_years};
    if (rc == 0)
        rc = put_tlv(w, VDS_TAG_DURATION, duration, 3);
    char pn[9];
    memset(pn, '<', sizeof pn);
    memcpy(pn, v->passport_number, pn_len);
    if (rc == 0)
        rc = put_c40_tlv(w, VDS_TAG_PASSPORT_NUMBER, pn, sizeof pn);
    if (rc == 0 && v->visa_type_len > 0)
        rc = put_tlv(w, VDS_TAG_VISA_TYPE, v->visa_type, v->visa_type_len);
    if (rc == 0 && v->has_additional)
        rc = put_tlv(w, VDS_TAG_ADDITIONAL, v->additional, v->additional_len);
    return rc;
}

int vds_encode_visa(const struct vds_header *h, const struct vds_visa *v, uint8_t *out, size_t cap,
                    size_t *len)
{
    if (!h || !v || !out || !len)
        return -ICAO_E_BAD_FIELD;
    struct writer w = {out, cap, 0};
    int rc = encode_header(h, &w);
    if (rc < 0)
        return rc;
    rc = encode_visa_messages(v, &w);
    if (rc < 0)
        return rc;
    *len = w.len;
    return 0;
}

int vds_append_signature(uint8_t *buf, size_t len, size_t cap, const uint8_t *rs, size_t rs_len,
                         size_t *total)
{
    if (rs_len == 0 || rs_len % 2 != 0 || rs_len > VDS_SIG_MAX || !rs)
        return -ICAO_E_BAD_LENGTH;
    if (len > cap)
        return -ICAO_E_NO_SPACE;
    struct writer w = {buf, cap, len};
    int rc = put_tlv(&w, VDS_SIG_TAG, rs, rs_len);
    if (rc < 0)
        return rc;
    *total = w.len;
    return 0;
}
