/*
 * fuzz-signer-proto.c — libFuzzer target for the signer's message format and
 * acceptance rules (src/signer/signer_proto.c).  The first byte picks what
 * the rest is: 0 a request body, 1 a response body, anything else a seal
 * payload for signer_check_seal().  A request or response that parses must
 * re-encode to the same bytes; a parsed SIGN request goes on through the
 * acceptance rules (for an AZE signer "AZEV" / "1F4A", on 2026-03-10), and
 * an accepted payload must decode as a visa seal of AZE.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icao/vds.h"
#include "signer/signer_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW ((time_t)1773144000) /* 2026-03-10T12:00:00Z */

static const struct signer_identity fuzz_id = {"AZE", "AZEV", "1F4A", 64};

static void check_accepted(const uint8_t *tbs, size_t n)
{
    struct signer_seal_facts f;
    char why[SIGNER_MSG_MAX];
    int rc = signer_check_seal(&fuzz_id, tbs, n, FUZZ_NOW, &f, why, sizeof why);
    if (rc == 0) {
        uint8_t buf[VDS_MAX_BYTES], rs[64] = {0};
        size_t total = 0;
        struct vds_seal s;
        memcpy(buf, tbs, n);
        if (vds_append_signature(buf, n, sizeof buf, rs, sizeof rs, &total) != 0 ||
            vds_decode(buf, total, &s) != 0 || !s.is_visa || s.header.version != 4 ||
            strcmp(s.header.issuing_country, "AZE") != 0 || strlen(f.document_number) > 9)
            abort();
    } else if (rc > -SIGNER_E__BASE - 1 || rc <= -SIGNER_E__MAX || strlen(why) >= sizeof why) {
        abort();
    }
}

/* A REVLIST payload that parses re-encodes to the same bytes. */
static void check_revlist(const uint8_t *p, size_t n)
{
    int64_t issued = 0, next = 0;
    char(*nums)[16] = NULL;
    size_t count = 0;
    if (signer_revlist_payload_parse(p, n, &issued, &next, &nums, &count) != 0) {
        if (nums)
            abort();
        return;
    }
    uint8_t out[SIGNER_REVLIST_PAYLOAD_MAX];
    size_t len = 0;
    if (signer_revlist_payload_encode(issued, next, (const char(*)[16])nums, count, out, sizeof out,
                                      &len) != 0 ||
        len != n || memcmp(out, p, n) != 0)
        abort();
    (void)signer_check_revlist_times(issued, next, FUZZ_NOW, NULL, 0);
    free(nums);
}

static void check_request(const uint8_t *body, size_t n)
{
    struct signer_request rq;
    if (signer_request_parse(body, n, &rq) != 0)
        return;
    uint8_t out[SIGNER_FRAME_MAX + 2];
    size_t len = 0;
    if (signer_request_encode(&rq, out, sizeof out, &len) != 0 || len != n + 2 ||
        memcmp(out + 2, body, n) != 0)
        abort();
    if (rq.op == SIGNER_OP_SIGN)
        check_accepted(rq.tbs, rq.tbs_len);
    if (rq.op == SIGNER_OP_REVLIST)
        check_revlist(rq.tbs, rq.tbs_len);
}

static void check_response(const uint8_t *body, size_t n)
{
    struct signer_response r;
    if (signer_response_parse(body, n, &r) != 0)
        return;
    uint8_t out[SIGNER_FRAME_MAX + 2];
    size_t len = 0;
    if (signer_response_encode(&r, out, sizeof out, &len) != 0 || len != n + 2 ||
        memcmp(out + 2, body, n) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > SIGNER_FRAME_MAX + 1)
        return 0;
    /* Copy to an exact-size heap buffer so that ASan sees every over-read. */
    size_t n = size - 1;
    uint8_t *body = malloc(n ? n : 1);
    if (!body)
        return 0;
    memcpy(body, data + 1, n);
    if (data[0] == 0)
        check_request(body, n);
    else if (data[0] == 1)
        check_response(body, n);
    else
        check_accepted(body, n);
    free(body);
    return 0;
}
