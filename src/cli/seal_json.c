/*
 * seal_json.c — a decoded seal as JSON (see seal_json.h for the key names).
 */
#include "util/text.h"
#include "cli/seal_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *seal_json_hex(const uint8_t *b, size_t n)
{
    char *s = malloc(2 * n + 1);
    if (!s)
        return json_null();
    hex_upper(b, n, s);
    json_t *j = json_string(s);
    free(s);
    return j;
}

void seal_signer_cert_ref(const struct vds_header *h, char *out, size_t cap)
{
    const char *ref = h->cert_ref;
    while (ref[0] == '0' && ref[1])
        ref++;
    snprintf(out, cap, "%s%s", h->signer_id, ref);
}

static json_t *date_json(struct vds_date d)
{
    char iso[11];
    vds_date_format_iso(d, iso);
    return json_string(iso);
}

static const char *visa_tag_name(uint8_t tag)
{
    static const char *const names[] = {
        [VDS_TAG_MRZ_MRVA] = "MRZ_MRVA",
        [VDS_TAG_MRZ_MRVB] = "MRZ_MRVB",
        [VDS_TAG_ENTRIES] = "NUMBER_OF_ENTRIES",
        [VDS_TAG_DURATION] = "DURATION_OF_STAY",
        [VDS_TAG_PASSPORT_NUMBER] = "PASSPORT_NUMBER",
        [VDS_TAG_VISA_TYPE] = "VISA_TYPE",
        [VDS_TAG_ADDITIONAL] = "ADDITIONAL_FEATURE",
    };
    return tag < sizeof names / sizeof names[0] ? names[tag] : NULL;
}

static json_t *mrz_json(const struct vds_visa *v)
{
    return json_pack("[s,s]", v->mrz_line1, v->mrz_line2);
}

static json_t *message_json(const struct vds_seal *s, const struct vds_message *m)
{
    json_t *j = json_pack("{s:i}", "tag", m->tag);
    const char *name = s->is_visa ? visa_tag_name(m->tag) : NULL;
    if (name)
        json_object_set_new(j, "name", json_string(name));
    json_object_set_new(j, "length", json_integer((json_int_t)m->length));
    json_object_set_new(j, "value_hex", seal_json_hex(m->value, m->length));
    if (!name)
        return j;
    const struct vds_visa *v = &s->visa;
    switch (m->tag) {
    case VDS_TAG_MRZ_MRVA:
    case VDS_TAG_MRZ_MRVB:
        json_object_set_new(j, "mrz", mrz_json(v));
        break;
    case VDS_TAG_ENTRIES:
        json_object_set_new(j, "value", json_integer(v->entries));
        break;
    case VDS_TAG_DURATION:
        json_object_set_new(j, "days", json_integer(v->duration_days));
        json_object_set_new(j, "months", json_integer(v->duration_months));
        json_object_set_new(j, "years", json_integer(v->duration_years));
        break;
    case VDS_TAG_PASSPORT_NUMBER:
        json_object_set_new(j, "value", json_string(v->passport_number));
        break;
    default:
        break;
    }
    return j;
}

json_t *seal_json(const struct vds_seal *s)
{
    const struct vds_header *h = &s->header;
    char scr[5 + VDS_CERT_REF_MAX + 1];
    seal_signer_cert_ref(h, scr, sizeof scr);
    json_t *j = json_object();
    json_object_set_new(j, "version_byte", json_integer(h->version_byte));
    json_object_set_new(j, "version", json_integer(h->version));
    json_object_set_new(j, "header_layout",
                        json_string(h->layout == VDS_LAYOUT_FIXED ? "fixed" : "variable"));
    json_object_set_new(j, "issuing_country", json_string(h->issuing_country));
    json_object_set_new(j, "signer_identifier", json_string(h->signer_id));
    json_object_set_new(j, "cert_ref", json_string(h->cert_ref));
    json_object_set_new(j, "signer_cert_ref", json_string(scr));
    json_object_set_new(j, "issue_date", date_json(h->issue_date));
    json_object_set_new(j, "signature_date", date_json(h->signature_date));
    json_object_set_new(j, "feature_ref", json_integer(h->feature_ref));
    json_object_set_new(j, "doc_type_cat", json_integer(h->doc_type_cat));
    json_object_set_new(j, "header_length", json_integer((json_int_t)h->length));
    json_object_set_new(j, "document_type", json_string(s->is_visa ? "visa" : "other"));
    json_t *msgs = json_array();
    for (size_t i = 0; i < s->n_messages; i++)
        json_array_append_new(msgs, message_json(s, &s->messages[i]));
    json_object_set_new(j, "messages", msgs);
    json_object_set_new(j, "signed_length", json_integer((json_int_t)s->signed_length));
    size_t half = s->signature_length / 2;
    json_object_set_new(j, "signature",
                        json_pack("{s:i, s:o, s:o}", "length", (int)s->signature_length, "r",
                                  seal_json_hex(s->signature, half), "s",
                                  seal_json_hex(s->signature + half, half)));
    if (s->is_visa) {
        json_object_set_new(j, "mrz", mrz_json(&s->visa));
        json_t *visa = json_object();
        json_object_set_new(visa, "mrz_format",
                            json_string(s->visa.mrz_tag == VDS_TAG_MRZ_MRVA ? "MRV-A" : "MRV-B"));
        if (s->visa.has_entries)
            json_object_set_new(visa, "number_of_entries", json_integer(s->visa.entries));
        json_object_set_new(visa, "duration_of_stay",
                            json_pack("{s:i, s:i, s:i}", "days", s->visa.duration_days, "months",
                                      s->visa.duration_months, "years", s->visa.duration_years));
        json_object_set_new(visa, "passport_number", json_string(s->visa.passport_number));
        if (s->visa.visa_type_len)
            json_object_set_new(visa, "visa_type",
                                seal_json_hex(s->visa.visa_type, s->visa.visa_type_len));
        if (s->visa.has_additional)
            json_object_set_new(visa, "additional_feature",
                                seal_json_hex(s->visa.additional, s->visa.additional_len));
        json_object_set_new(j, "visa", visa);
    }
    json_t *warn = json_array();
    if (s->warnings & VDS_WARN_LEGACY_HEADER)
        json_array_append_new(warn, json_string("legacy_header: version 0x03 seal uses the fixed "
                                                "9-character signer/certificate reference layout"));
    if (s->warnings & VDS_WARN_DECIMAL_REF_LEN)
        json_array_append_new(warn, json_string("decimal_ref_length: the certificate reference "
                                                "length is written in decimal (DEZV)"));
    json_object_set_new(j, "warnings", warn);
    return j;
}
