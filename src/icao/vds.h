/*
 * vds.h — Visible Digital Seal encoding and strict, bounded decoding (ICAO
 * Doc 9303 Part 13; spec §7): header versions 3 (0x02) and 4 (0x03, with
 * the legacy fixed layout accepted on decode), message TLVs with DER
 * lengths, the visa feature set (0x5D / 0x01), and the 0xFF signature zone.
 * Pure functions on caller buffers; nothing is allocated.  The decoded
 * structure points into the caller's seal buffer (messages, signature).
 */
#ifndef EVISA_VDS_H
#define EVISA_VDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "icao/vds_date.h"

#define VDS_MAGIC 0xDC
#define VDS_SIG_TAG 0xFF
#define VDS_FEATURE_VISA 0x5D
#define VDS_CATEGORY_VISA 0x01
#define VDS_MAX_BYTES 1556   /* the largest DataMatrix (144x144) Base256 payload */
#define VDS_MAX_MESSAGES 32  /* message TLVs held by one decoded seal */
#define VDS_CERT_REF_MAX 255 /* characters of a certificate reference */
#define VDS_SIG_MAX 132      /* r||s of P-521 */

/* Visa message tags (spec §7.5). */
enum vds_visa_tag {
    VDS_TAG_MRZ_MRVA = 0x01,
    VDS_TAG_MRZ_MRVB = 0x02,
    VDS_TAG_ENTRIES = 0x03,
    VDS_TAG_DURATION = 0x04,
    VDS_TAG_PASSPORT_NUMBER = 0x05,
    VDS_TAG_VISA_TYPE = 0x06,
    VDS_TAG_ADDITIONAL = 0x07,
};

enum vds_layout {
    VDS_LAYOUT_VARIABLE, /* version 4: signer id + hex length + cert ref */
    VDS_LAYOUT_FIXED,    /* version 3 (and legacy 0x03 seals): 9 characters */
};

/* Warnings a decode may raise (bit flags in vds_seal.warnings). */
enum vds_warning {
    VDS_WARN_LEGACY_HEADER = 1u << 0,   /* 0x03 seal in the fixed 9-character layout */
    VDS_WARN_DECIMAL_REF_LEN = 1u << 1, /* DEZV: cert-ref length written in decimal */
};

struct vds_header {
    uint8_t version_byte; /* 0x02 or 0x03 */
    int version;          /* 3 or 4 */
    enum vds_layout layout;
    char issuing_country[4];             /* e.g. "UTO", "D<<" */
    char signer_id[5];                   /* e.g. "DETS", "AZEV" */
    char cert_ref[VDS_CERT_REF_MAX + 1]; /* as encoded: "32", "1F4A", "00032" */
    struct vds_date issue_date;
    struct vds_date signature_date;
    uint8_t feature_ref;  /* 0x5D for visas */
    uint8_t doc_type_cat; /* 0x01 for visas */
    size_t length;        /* header bytes, from the magic to doc_type_cat */
};

struct vds_message {
    uint8_t tag;
    size_t length;
    size_t offset;        /* of the value, from the start of the seal */
    const uint8_t *value; /* points into the seal buffer */
};

/* The visa feature set, decoded (or to encode). */
struct vds_visa {
    uint8_t mrz_tag;    /* VDS_TAG_MRZ_MRVA or VDS_TAG_MRZ_MRVB */
    char mrz_line1[45]; /* 44 (MRV-A) or 36 (MRV-B) characters */
    char mrz_line2[29]; /* the first 28 characters of line 2 */
    bool has_entries;
    uint8_t entries; /* 0 = unlimited */
    uint8_t duration_days, duration_months, duration_years;
    char passport_number[10]; /* 9 characters, '<'-padded */
    size_t visa_type_len;     /* 0 = absent; else 1..4 */
    uint8_t visa_type[4];
    bool has_additional;
    size_t additional_len; /* 0..254 */
    const uint8_t *additional;
};

struct vds_seal {
    struct vds_header header;
    struct vds_message messages[VDS_MAX_MESSAGES]; /* in seal order */
    size_t n_messages;
    bool is_visa; /* feature 0x5D and category 0x01: visa is filled */
    struct vds_visa visa;
    size_t signed_length;     /* bytes covered by the signature: header + messages */
    const uint8_t *signature; /* raw r||s, points into the seal buffer */
    size_t signature_length;
    unsigned warnings; /* enum vds_warning bits */
};

/* Decodes a whole seal.  Strict: every malformed input gives a specific
 * error and nothing is read past seal[n-1].
 * Returns 0 or -ICAO_E_BAD_MAGIC, -ICAO_E_UNSUPPORTED_VERSION,
 * -ICAO_E_TRUNCATED, -ICAO_E_BAD_LENGTH, -ICAO_E_BAD_C40, -ICAO_E_BAD_DATE,
 * -ICAO_E_MISSING_SIGNATURE, -ICAO_E_TRAILING_DATA, -ICAO_E_MISSING_TAG
 * (a visa seal without MRZ, duration of stay or passport number),
 * -ICAO_E_BAD_FIELD (a visa tag twice, or both MRZ tags), -ICAO_E_TOO_MANY.
 * A 0x03 seal whose variable header does not fit (length past the data,
 * bad length characters, impossible dates) is read in the fixed layout with
 * VDS_WARN_LEGACY_HEADER; if neither fits, the version-4 error is returned.
 * The signature itself is not checked here.  On error *out is unspecified. */
int vds_decode(const uint8_t *seal, size_t n, struct vds_seal *out);

/* Encodes header + visa message zone (the bytes to be signed), tags in
 * ascending order.  h->version (3 or 4), issuing_country, signer_id,
 * cert_ref, both dates are used; feature_ref/doc_type_cat are written as the
 * visa values.  v->mrz_line1/mrz_line2 must be an MRV-A/MRV-B MRZ matching
 * v->mrz_tag.  Returns 0 and *len, or -ICAO_E_BAD_FIELD, -ICAO_E_BAD_C40,
 * -ICAO_E_BAD_DATE, -ICAO_E_BAD_LENGTH, -ICAO_E_NO_SPACE. */
int vds_encode_visa(const struct vds_header *h, const struct vds_visa *v, uint8_t *out, size_t cap,
                    size_t *len);

/* Appends the signature zone (0xFF, DER length, r||s) after the len signed
 * bytes in buf.  Returns 0 and the total length in *total, or
 * -ICAO_E_BAD_LENGTH (empty or odd signature), -ICAO_E_NO_SPACE. */
int vds_append_signature(uint8_t *buf, size_t len, size_t cap, const uint8_t *rs, size_t rs_len,
                         size_t *total);

/* Writes a DER definite length; returns bytes written (1-3) or -ICAO_E_NO_SPACE
 * / -ICAO_E_BAD_LENGTH (over 65535). */
int vds_der_length_encode(size_t value, uint8_t *out, size_t cap);

#endif
