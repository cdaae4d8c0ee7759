/*
 * seal_json.h — the JSON form of a decoded Visible Digital Seal, as printed
 * by `evisa seal decode` and `evisa seal verify`.  Key names follow the
 * shared vectors' "expected" objects (version_byte, version, header_layout,
 * issuing_country, signer_identifier, cert_ref, signer_cert_ref, dates,
 * feature_ref, doc_type_cat, header_length, document_type, messages,
 * signed_length, signature{length,r,s}, mrz, warnings).
 */
#ifndef EVISA_SEAL_JSON_H
#define EVISA_SEAL_JSON_H

#include <jansson.h>

#include "icao/vds.h"

json_t *seal_json(const struct vds_seal *s);

/* "DETS" + cert ref without leading zeros, e.g. "DETS32"; out needs
 * 5 + VDS_CERT_REF_MAX bytes. */
void seal_signer_cert_ref(const struct vds_header *h, char *out, size_t cap);

/* Upper-case hex of n bytes as a new JSON string. */
json_t *seal_json_hex(const uint8_t *b, size_t n);

#endif
