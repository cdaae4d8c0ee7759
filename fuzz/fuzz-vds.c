/*
 * fuzz-vds.c — libFuzzer target for the VDS decoder (src/icao/vds.c).  Every
 * input is decoded; a decoded seal must describe the input consistently
 * (messages inside the signed part, signature zone ending the input).  A
 * decoded visa is re-encoded with vds_encode_visa() plus the same signature:
 * that must succeed unless a header field is outside what the encoder
 * accepts (bad_field), and when the input was already canonical (version 3,
 * or version 4 in the variable layout without warnings; only visa tags, in
 * ascending order) the bytes must equal the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icao/icao_err.h"
#include "icao/vds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_VDS_MAX 4096

static bool canonical_tags(const struct vds_seal *s)
{
    for (size_t i = 0; i < s->n_messages; i++) {
        uint8_t t = s->messages[i].tag;
        if (t < VDS_TAG_MRZ_MRVA || t > VDS_TAG_ADDITIONAL)
            return false;
        if (i > 0 && s->messages[i - 1].tag >= t)
            return false;
    }
    return true;
}

static void check_structure(const uint8_t *data, size_t size, const struct vds_seal *s)
{
    if (s->header.length > s->signed_length || s->signed_length >= size)
        abort();
    if (data[s->signed_length] != VDS_SIG_TAG)
        abort();
    for (size_t i = 0; i < s->n_messages; i++) {
        const struct vds_message *m = &s->messages[i];
        if (m->value != data + m->offset || m->offset + m->length > s->signed_length)
            abort();
    }
    if (s->signature_length == 0 || s->signature_length % 2 != 0 ||
        s->signature_length > VDS_SIG_MAX)
        abort();
    if (s->signature + s->signature_length != data + size)
        abort();
}

static void check_reencode(const uint8_t *data, size_t size, const struct vds_seal *s)
{
    uint8_t out[FUZZ_VDS_MAX + 512];
    size_t len = 0, total = 0;
    int rc = vds_encode_visa(&s->header, &s->visa, out, sizeof out, &len);
    if (rc == -ICAO_E_BAD_FIELD)
        return; /* e.g. a signer id with '<' or a non-hex cert ref: valid to read, not to write */
    if (rc != 0)
        abort();
    rc = vds_append_signature(out, len, sizeof out, s->signature, s->signature_length, &total);
    if (rc != 0)
        abort();
    bool canonical = s->warnings == 0 && canonical_tags(s);
    if (canonical && (total != size || memcmp(out, data, size) != 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vds_seal s;
    if (size > FUZZ_VDS_MAX)
        return 0;
    if (vds_decode(data, size, &s) != 0)
        return 0;
    check_structure(data, size, &s);
    if (s.is_visa)
        check_reencode(data, size, &s);
    return 0;
}
