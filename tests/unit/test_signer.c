/*
 * test_signer.c — the signer process's pieces: the request/response format
 * (round trips, truncation, limits), the acceptance rules for a seal
 * payload (each refusal), the handler with real keys and its log, the
 * client over a Unix socket against a forked signer (and against broken
 * peers), and the Landlock sandbox in forked children (the key file is out
 * of reach, the store is not, no key file is open).
 */
#define _GNU_SOURCE
#include "test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "crypto/keys.h"
#include "crypto/seal_sig.h"
#include "icao/vds.h"
#include "signer/sandbox.h"
#include "signer/signer.h"
#include "signer/signer_client.h"
#include "signer/signer_proto.h"
#include "verify/revlist.h"

#define NOW ((time_t)1773144000) /* 2026-03-10T12:00:00Z */

static const char mrva1[] = "V<AZEKHAN<<IMRAN<AHMED<<<<<<<<<<<<<<<<<<<<<<";
static const char mrvb1[] = "V<AZEKHAN<<IMRAN<AHMED<<<<<<<<<<<<<<";
static const char line2[] = "AZ00012343PAK7903155M2702205";

struct seal_spec {
    int version;
    const char *country, *signer_id, *cert_ref;
    struct vds_date sig_date;
    uint8_t mrz_tag;
    const char *line1, *line2;
};

static struct seal_spec good_spec(void)
{
    struct seal_spec s = {4, "AZE", "AZEV", "1F4A", {2026, 3, 10}, 0x01, mrva1, line2};
    return s;
}

/* Encodes the unsigned seal (header + message zone) of spec. */
static size_t make_tbs(const struct seal_spec *sp, uint8_t *out, size_t cap)
{
    struct vds_header h = {0};
    h.version = sp->version;
    snprintf(h.issuing_country, sizeof h.issuing_country, "%s", sp->country);
    snprintf(h.signer_id, sizeof h.signer_id, "%s", sp->signer_id);
    snprintf(h.cert_ref, sizeof h.cert_ref, "%s", sp->cert_ref);
    h.issue_date = sp->sig_date;
    h.signature_date = sp->sig_date;
    struct vds_visa v = {0};
    v.mrz_tag = sp->mrz_tag;
    snprintf(v.mrz_line1, sizeof v.mrz_line1, "%s", sp->line1);
    snprintf(v.mrz_line2, sizeof v.mrz_line2, "%s", sp->line2);
    v.has_entries = true;
    v.entries = 1;
    v.duration_days = 30;
    snprintf(v.passport_number, sizeof v.passport_number, "AB1234567");
    size_t len = 0;
    if (vds_encode_visa(&h, &v, out, cap, &len) < 0)
        return 0;
    return len;
}

static const struct signer_identity aze_id = {"AZE", "AZEV", "1F4A", 64};

static int check_spec(const struct seal_spec *sp)
{
    uint8_t tbs[VDS_MAX_BYTES];
    size_t n = make_tbs(sp, tbs, sizeof tbs);
    if (n == 0)
        return 1; /* the test's own encoding failed */
    return signer_check_seal(&aze_id, tbs, n, NOW, NULL, NULL, 0);
}

/* ---- state codes and error names ---------------------------------------- */

TEST(signer_state_normalize_pads_and_uppercases)
{
    char out[4];
    CHECK_INT(signer_state_normalize("aze", out), 0);
    CHECK_STR(out, "AZE");
    CHECK_INT(signer_state_normalize("D", out), 0);
    CHECK_STR(out, "D<<");
    CHECK_INT(signer_state_normalize("D<<", out), 0);
    CHECK_STR(out, "D<<");
}

TEST(signer_state_normalize_rejects_bad_codes)
{
    char out[4];
    const char *bad[] = {"", "ABCD", "A1", "<AB", "A<B", "A B", NULL};
    for (size_t i = 0; bad[i]; i++)
        CHECK_CTX(signer_state_normalize(bad[i], out) == -SIGNER_E_BAD_REQUEST, bad[i]);
    CHECK_INT(signer_state_normalize(NULL, out), -SIGNER_E_BAD_REQUEST);
}

TEST(signer_err_codes_are_unique_and_named)
{
    for (int e = SIGNER_E__BASE + 1; e < SIGNER_E__MAX; e++) {
        const char *name = signer_err_code(-e);
        CHECK(strcmp(name, "unknown") != 0);
        CHECK(strcmp(signer_err_message(e), "unknown error") != 0);
        CHECK_INT(signer_err_from_code(name), e);
    }
    CHECK_STR(signer_err_code(0), "ok");
    CHECK_STR(signer_err_code(SIGNER_E__MAX), "unknown");
    CHECK_STR(signer_err_code(7), "unknown");
    CHECK_STR(signer_err_message(0), "ok");
    CHECK_STR(signer_err_message(-SIGNER_E__BASE), "unknown error");
    CHECK_INT(signer_err_from_code("nonsense"), 0);
}

/* ---- requests ----------------------------------------------------------- */

TEST(signer_request_round_trips_sign_and_info)
{
    uint8_t tbs[] = {0xDC, 0x03, 0x01}, frame[64];
    size_t len = 0;
    struct signer_request rq = {.op = SIGNER_OP_SIGN, .state = "aze", .tbs = tbs, .tbs_len = 3};
    CHECK_INT(signer_request_encode(&rq, frame, sizeof frame, &len), 0);
    CHECK_INT(len, 2 + 7 + 3);
    CHECK_INT(frame[0] << 8 | frame[1], len - 2);
    struct signer_request back;
    CHECK_INT(signer_request_parse(frame + 2, len - 2, &back), 0);
    CHECK_INT(back.op, SIGNER_OP_SIGN);
    CHECK_STR(back.state, "AZE");
    CHECK_INT(back.tbs_len, 3);
    CHECK(memcmp(back.tbs, tbs, 3) == 0);

    struct signer_request info = {.op = SIGNER_OP_INFO, .state = "D"};
    CHECK_INT(signer_request_encode(&info, frame, sizeof frame, &len), 0);
    CHECK_INT(signer_request_parse(frame + 2, len - 2, &back), 0);
    CHECK_INT(back.op, SIGNER_OP_INFO);
    CHECK_STR(back.state, "D<<");
    CHECK(back.tbs == NULL);
}

TEST(signer_request_parse_rejects_every_truncation)
{
    uint8_t tbs[40], frame[64];
    memset(tbs, 0xAB, sizeof tbs);
    size_t len = 0;
    struct signer_request rq = {.op = SIGNER_OP_SIGN, .state = "AZE", .tbs = tbs, .tbs_len = 40};
    CHECK_INT(signer_request_encode(&rq, frame, sizeof frame, &len), 0);
    struct signer_request back;
    for (size_t n = 0; n < len - 2; n++)
        CHECK_INT(signer_request_parse(frame + 2, n, &back), -SIGNER_E_BAD_REQUEST);
    CHECK_INT(signer_request_parse(NULL, 5, &back), -SIGNER_E_BAD_REQUEST);
}

TEST(signer_request_parse_rejects_trailing_bytes)
{
    uint8_t body[] = {1, SIGNER_OP_SIGN, 'A', 'Z', 'E', 0, 1, 0xDC, 0x00};
    struct signer_request back;
    CHECK_INT(signer_request_parse(body, sizeof body - 1, &back), 0);
    CHECK_INT(signer_request_parse(body, sizeof body, &back), -SIGNER_E_BAD_REQUEST);
}

TEST(signer_request_parse_rejects_oversized)
{
    static uint8_t body[SIGNER_FRAME_MAX + 1];
    struct signer_request back;
    CHECK_INT(signer_request_parse(body, sizeof body, &back), -SIGNER_E_TOO_LARGE);
    uint8_t head[] = {
        1, SIGNER_OP_SIGN, 'A', 'Z', 'E', (VDS_MAX_BYTES + 1) >> 8, (VDS_MAX_BYTES + 1) & 0xFF};
    CHECK_INT(signer_request_parse(head, sizeof head, &back), -SIGNER_E_TOO_LARGE);
}

TEST(signer_request_parse_rejects_bad_header_fields)
{
    struct signer_request back;
    uint8_t version[] = {2, SIGNER_OP_SIGN, 'A', 'Z', 'E', 0, 1, 0xDC};
    uint8_t op[] = {1, 9, 'A', 'Z', 'E', 0, 1, 0xDC};
    uint8_t lower[] = {1, SIGNER_OP_SIGN, 'a', 'z', 'e', 0, 1, 0xDC};
    uint8_t short_state[] = {1, SIGNER_OP_SIGN, 'D', 0, 0, 0, 1, 0xDC};
    uint8_t empty_sign[] = {1, SIGNER_OP_SIGN, 'A', 'Z', 'E', 0, 0};
    uint8_t info_tbs[] = {1, SIGNER_OP_INFO, 'A', 'Z', 'E', 0, 1, 0xDC};
    CHECK_INT(signer_request_parse(version, sizeof version, &back), -SIGNER_E_BAD_REQUEST);
    CHECK_INT(signer_request_parse(op, sizeof op, &back), -SIGNER_E_BAD_REQUEST);
    CHECK_INT(signer_request_parse(lower, sizeof lower, &back), -SIGNER_E_BAD_REQUEST);
    CHECK_INT(signer_request_parse(short_state, sizeof short_state, &back), -SIGNER_E_BAD_REQUEST);
    CHECK_INT(signer_request_parse(empty_sign, sizeof empty_sign, &back), -SIGNER_E_BAD_REQUEST);
    CHECK_INT(signer_request_parse(info_tbs, sizeof info_tbs, &back), -SIGNER_E_BAD_REQUEST);
}

TEST(signer_request_encode_rejects_bad_requests)
{
    static uint8_t big[VDS_MAX_BYTES + 1];
    uint8_t frame[16];
    size_t len;
    struct signer_request bad_state = {.op = SIGNER_OP_INFO, .state = "A1"};
    struct signer_request no_tbs = {.op = SIGNER_OP_SIGN, .state = "AZE"};
    struct signer_request info_tbs = {
        .op = SIGNER_OP_INFO, .state = "AZE", .tbs = big, .tbs_len = 1};
    struct signer_request too_big = {
        .op = SIGNER_OP_SIGN, .state = "AZE", .tbs = big, .tbs_len = sizeof big};
    struct signer_request fits_not = {
        .op = SIGNER_OP_SIGN, .state = "AZE", .tbs = big, .tbs_len = 100};
    CHECK_INT(signer_request_encode(&bad_state, frame, sizeof frame, &len), -SIGNER_E_BAD_REQUEST);
    CHECK_INT(signer_request_encode(&no_tbs, frame, sizeof frame, &len), -SIGNER_E_BAD_REQUEST);
    CHECK_INT(signer_request_encode(&info_tbs, frame, sizeof frame, &len), -SIGNER_E_BAD_REQUEST);
    CHECK_INT(signer_request_encode(&too_big, frame, sizeof frame, &len), -SIGNER_E_TOO_LARGE);
    CHECK_INT(signer_request_encode(&fits_not, frame, sizeof frame, &len), -SIGNER_E_NO_SPACE);
}

/* ---- responses ---------------------------------------------------------- */

TEST(signer_response_round_trips_each_kind)
{
    uint8_t rs[64], der[10] = {0x30, 1, 2, 3, 4, 5, 6, 7, 8, 9}, frame[256];
    memset(rs, 7, sizeof rs);
    size_t len;
    struct signer_response back;
    struct signer_response sign = {.op = SIGNER_OP_SIGN, .rs = rs, .rs_len = 64};
    CHECK_INT(signer_response_encode(&sign, frame, sizeof frame, &len), 0);
    CHECK_INT(signer_response_parse(frame + 2, len - 2, &back), 0);
    CHECK_INT(back.status, 0);
    CHECK_INT(back.rs_len, 64);
    CHECK(memcmp(back.rs, rs, 64) == 0);

    struct signer_response info = {.op = SIGNER_OP_INFO,
                                   .signer_id = "AZEV",
                                   .cert_ref = "1F4A",
                                   .cert_der = der,
                                   .cert_der_len = sizeof der};
    CHECK_INT(signer_response_encode(&info, frame, sizeof frame, &len), 0);
    CHECK_INT(signer_response_parse(frame + 2, len - 2, &back), 0);
    CHECK_STR(back.signer_id, "AZEV");
    CHECK_STR(back.cert_ref, "1F4A");
    CHECK_INT(back.cert_der_len, sizeof der);

    struct signer_response no = {
        .op = SIGNER_OP_SIGN, .status = SIGNER_E_BAD_DATE, .message = "stale\ndate"};
    CHECK_INT(signer_response_encode(&no, frame, sizeof frame, &len), 0);
    CHECK_INT(signer_response_parse(frame + 2, len - 2, &back), 0);
    CHECK_INT(back.status, SIGNER_E_BAD_DATE);
    CHECK_STR(back.message, "stale?date");
}

TEST(signer_response_parse_rejects_truncated_and_odd_answers)
{
    uint8_t rs[64] = {0}, frame[128];
    size_t len;
    struct signer_response back;
    struct signer_response sign = {.op = SIGNER_OP_SIGN, .rs = rs, .rs_len = 64};
    CHECK_INT(signer_response_encode(&sign, frame, sizeof frame, &len), 0);
    for (size_t n = 0; n < len - 2; n++)
        CHECK_INT(signer_response_parse(frame + 2, n, &back), -SIGNER_E_PROTOCOL);
    uint8_t bad_status[] = {1, SIGNER_OP_SIGN, 0, 7, 0};
    uint8_t odd_sig[] = {1, SIGNER_OP_SIGN, 0, 0, 1, 0xAA};
    uint8_t ctrl_msg[] = {1,   SIGNER_OP_SIGN, SIGNER_E_BAD_DATE >> 8, SIGNER_E_BAD_DATE & 0xFF, 1,
                          '\n'};
    uint8_t trailing[] = {1,  SIGNER_OP_SIGN, SIGNER_E_BAD_DATE >> 8, SIGNER_E_BAD_DATE & 0xFF, 0,
                          'x'};
    CHECK_INT(signer_response_parse(bad_status, sizeof bad_status, &back), -SIGNER_E_PROTOCOL);
    CHECK_INT(signer_response_parse(odd_sig, sizeof odd_sig, &back), -SIGNER_E_PROTOCOL);
    CHECK_INT(signer_response_parse(ctrl_msg, sizeof ctrl_msg, &back), -SIGNER_E_PROTOCOL);
    CHECK_INT(signer_response_parse(trailing, sizeof trailing, &back), -SIGNER_E_PROTOCOL);
}

TEST(signer_response_encode_rejects_impossible_fields)
{
    uint8_t frame[16];
    size_t len;
    struct signer_response bad_status = {.op = SIGNER_OP_SIGN, .status = 3};
    struct signer_response no_sig = {.op = SIGNER_OP_SIGN};
    struct signer_response no_cert = {.op = SIGNER_OP_INFO, .signer_id = "AZEV", .cert_ref = "1"};
    uint8_t rs[64] = {0};
    struct signer_response small = {.op = SIGNER_OP_SIGN, .rs = rs, .rs_len = 64};
    CHECK_INT(signer_response_encode(&bad_status, frame, sizeof frame, &len),
              -SIGNER_E_BAD_REQUEST);
    CHECK_INT(signer_response_encode(&no_sig, frame, sizeof frame, &len), -SIGNER_E_BAD_REQUEST);
    CHECK_INT(signer_response_encode(&no_cert, frame, sizeof frame, &len), -SIGNER_E_BAD_REQUEST);
    CHECK_INT(signer_response_encode(&small, frame, sizeof frame, &len), -SIGNER_E_NO_SPACE);
}

/* ---- acceptance rules --------------------------------------------------- */

TEST(signer_check_seal_accepts_a_visa_seal_of_its_state)
{
    struct seal_spec sp = good_spec();
    uint8_t tbs[VDS_MAX_BYTES];
    size_t n = make_tbs(&sp, tbs, sizeof tbs);
    CHECK(n > 0);
    struct signer_seal_facts f;
    char why[128];
    CHECK_INT(signer_check_seal(&aze_id, tbs, n, NOW, &f, why, sizeof why), 0);
    CHECK_STR(f.document_number, "AZ0001234");
    CHECK_INT(f.signature_date.day, 10);
    sp.mrz_tag = 0x02, sp.line1 = mrvb1; /* MRV-B */
    CHECK_INT(check_spec(&sp), 0);
}

TEST(signer_check_seal_accepts_yesterday_and_tomorrow)
{
    struct seal_spec sp = good_spec();
    sp.sig_date = (struct vds_date){2026, 3, 9};
    CHECK_INT(check_spec(&sp), 0);
    sp.sig_date = (struct vds_date){2026, 3, 11};
    CHECK_INT(check_spec(&sp), 0);
}

TEST(signer_check_seal_refuses_stale_date)
{
    struct seal_spec sp = good_spec();
    sp.sig_date = (struct vds_date){2026, 3, 8};
    CHECK_INT(check_spec(&sp), -SIGNER_E_BAD_DATE);
    sp.sig_date = (struct vds_date){2026, 3, 12};
    CHECK_INT(check_spec(&sp), -SIGNER_E_BAD_DATE);
    sp.sig_date = (struct vds_date){2025, 3, 10};
    CHECK_INT(check_spec(&sp), -SIGNER_E_BAD_DATE);
}

TEST(signer_check_seal_refuses_wrong_state)
{
    struct seal_spec sp = good_spec();
    sp.country = "PAK";
    CHECK_INT(check_spec(&sp), -SIGNER_E_WRONG_COUNTRY);
}

TEST(signer_check_seal_refuses_mrz_of_another_state)
{
    struct seal_spec sp = good_spec();
    sp.line1 = "V<PAKKHAN<<IMRAN<AHMED<<<<<<<<<<<<<<<<<<<<<<";
    CHECK_INT(check_spec(&sp), -SIGNER_E_MRZ_STATE);
}

TEST(signer_check_seal_refuses_wrong_signer_id)
{
    struct seal_spec sp = good_spec();
    sp.signer_id = "AZEX";
    CHECK_INT(check_spec(&sp), -SIGNER_E_WRONG_SIGNER);
    sp = good_spec();
    sp.cert_ref = "1F4B";
    CHECK_INT(check_spec(&sp), -SIGNER_E_WRONG_SIGNER);
    sp.cert_ref = "01F4A"; /* same number, not the form the signer derives */
    CHECK_INT(check_spec(&sp), -SIGNER_E_WRONG_SIGNER);
}

TEST(signer_check_seal_refuses_bad_mrz_check_digit)
{
    struct seal_spec sp = good_spec();
    sp.line2 = "AZ00012344PAK7903155M2702205"; /* document number check 3 -> 4 */
    CHECK_INT(check_spec(&sp), -SIGNER_E_BAD_MRZ);
    sp.line2 = "AZ00012343PAK7903155M2702206"; /* expiry check */
    CHECK_INT(check_spec(&sp), -SIGNER_E_BAD_MRZ);
}

TEST(signer_check_seal_refuses_non_visa_document_code)
{
    struct seal_spec sp = good_spec();
    sp.line1 = "P<AZEKHAN<<IMRAN<AHMED<<<<<<<<<<<<<<<<<<<<<<";
    CHECK_INT(check_spec(&sp), -SIGNER_E_BAD_MRZ);
}

TEST(signer_check_seal_refuses_non_visa_seal)
{
    struct seal_spec sp = good_spec();
    uint8_t tbs[VDS_MAX_BYTES];
    size_t n = make_tbs(&sp, tbs, sizeof tbs);
    CHECK(n > 0);
    struct vds_seal s;
    uint8_t full[VDS_MAX_BYTES], rs[64] = {1};
    size_t total;
    memcpy(full, tbs, n);
    CHECK_INT(vds_append_signature(full, n, sizeof full, rs, 64, &total), 0);
    CHECK_INT(vds_decode(full, total, &s), 0);
    tbs[s.header.length - 2] = 0xF8; /* feature reference: not the visa set */
    CHECK_INT(signer_check_seal(&aze_id, tbs, n, NOW, NULL, NULL, 0), -SIGNER_E_NOT_VISA);
    tbs[s.header.length - 2] = VDS_FEATURE_VISA;
    tbs[s.header.length - 1] = 0x02; /* category */
    CHECK_INT(signer_check_seal(&aze_id, tbs, n, NOW, NULL, NULL, 0), -SIGNER_E_NOT_VISA);
}

TEST(signer_check_seal_refuses_version_3_header)
{
    struct seal_spec sp = good_spec();
    sp.version = 3;
    sp.cert_ref = "01F4A";
    char why[128];
    uint8_t tbs[VDS_MAX_BYTES];
    size_t n = make_tbs(&sp, tbs, sizeof tbs);
    CHECK(n > 0);
    CHECK_INT(signer_check_seal(&aze_id, tbs, n, NOW, NULL, why, sizeof why),
              -SIGNER_E_BAD_VERSION);
    CHECK(strstr(why, "version 4") != NULL);
    tbs[1] = 0x04; /* an unknown version byte */
    CHECK_INT(signer_check_seal(&aze_id, tbs, n, NOW, NULL, NULL, 0), -SIGNER_E_BAD_VERSION);
}

TEST(signer_check_seal_refuses_truncated_or_signed_payload)
{
    struct seal_spec sp = good_spec();
    uint8_t tbs[VDS_MAX_BYTES];
    size_t n = make_tbs(&sp, tbs, sizeof tbs);
    CHECK(n > 0);
    for (size_t k = 1; k < n; k += 7)
        CHECK_INT(signer_check_seal(&aze_id, tbs, k, NOW, NULL, NULL, 0), -SIGNER_E_BAD_SEAL);
    CHECK_INT(signer_check_seal(&aze_id, tbs, 0, NOW, NULL, NULL, 0), -SIGNER_E_BAD_SEAL);
    CHECK_INT(signer_check_seal(&aze_id, NULL, 5, NOW, NULL, NULL, 0), -SIGNER_E_BAD_SEAL);
    uint8_t rs[64] = {1};
    size_t total;
    CHECK_INT(vds_append_signature(tbs, n, sizeof tbs, rs, 64, &total), 0);
    CHECK_INT(signer_check_seal(&aze_id, tbs, total, NOW, NULL, NULL, 0), -SIGNER_E_BAD_SEAL);
}

TEST(signer_check_seal_refuses_unknown_message_tag)
{
    struct seal_spec sp = good_spec();
    uint8_t tbs[VDS_MAX_BYTES];
    size_t n = make_tbs(&sp, tbs, sizeof tbs);
    CHECK(n > 0);
    tbs[n] = 0x08, tbs[n + 1] = 1, tbs[n + 2] = 0;
    CHECK_INT(signer_check_seal(&aze_id, tbs, n + 3, NOW, NULL, NULL, 0), -SIGNER_E_BAD_SEAL);
}

TEST(signer_check_seal_refuses_oversized_payload)
{
    static uint8_t big[VDS_MAX_BYTES + 1];
    struct seal_spec sp = good_spec();
    size_t n = make_tbs(&sp, big, sizeof big);
    CHECK(n > 0);
    CHECK_INT(signer_check_seal(&aze_id, big, sizeof big, NOW, NULL, NULL, 0), -SIGNER_E_TOO_LARGE);
    /* fits alone, but not with the 66-byte signature zone */
    CHECK_INT(signer_check_seal(&aze_id, big, VDS_MAX_BYTES - 60, NOW, NULL, NULL, 0),
              -SIGNER_E_TOO_LARGE);
}

/* ---- the handler with real keys ----------------------------------------- */

struct fixture {
    char dir[256], keys[300], log[300], sock[300];
    struct keys_init_result aze;
};

/* A keys directory with AZE keys and a secret file that is not a state. */
static bool make_fixture(struct fixture *fx)
{
    if (!test_tmpdir(fx->dir, sizeof fx->dir))
        return false;
    snprintf(fx->keys, sizeof fx->keys, "%s/keys", fx->dir);
    snprintf(fx->log, sizeof fx->log, "%s/signer.log", fx->dir);
    snprintf(fx->sock, sizeof fx->sock, "%s/run/signer.sock", fx->dir);
    if (mkdir(fx->keys, 0700) < 0)
        return false;
    char path[400];
    snprintf(path, sizeof path, "%s/AZE", fx->keys);
    struct keys_init_opts o = {.state = "AZE", .dir = path};
    if (keys_init(&o, &fx->aze, NULL, 0) < 0)
        return false;
    snprintf(path, sizeof path, "%s/portal.secret", fx->keys);
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fputs("secret", f);
    fclose(f);
    return true;
}

/* The unsigned seal for the fixture's AZE signer, dated `now`. */
static size_t fixture_tbs(const struct fixture *fx, time_t now, uint8_t *out, size_t cap)
{
    struct tm tm;
    gmtime_r(&now, &tm);
    struct seal_spec sp = good_spec();
    sp.signer_id = fx->aze.signer_id;
    sp.cert_ref = fx->aze.cert_ref;
    sp.sig_date = (struct vds_date){(uint16_t)(tm.tm_year + 1900), (uint8_t)(tm.tm_mon + 1),
                                    (uint8_t)tm.tm_mday};
    return make_tbs(&sp, out, cap);
}

static bool verify_with_cert(const struct fixture *fx, const uint8_t *tbs, size_t n,
                             const uint8_t *rs, size_t rs_len)
{
    X509 *cert = NULL;
    if (signer_cert_load_file(fx->aze.paths[KEYS_DS_CERT], &cert) < 0)
        return false;
    int rc = seal_sig_verify(X509_get0_pubkey(cert), tbs, n, rs, rs_len);
    X509_free(cert);
    return rc == 0;
}

static size_t request(enum signer_op op, const char *state, const uint8_t *tbs, size_t n,
                      uint8_t *frame, size_t cap)
{
    struct signer_request rq = {.op = op, .tbs = tbs, .tbs_len = n};
    snprintf(rq.state, sizeof rq.state, "%s", state);
    size_t len = 0;
    return signer_request_encode(&rq, frame, cap, &len) < 0 ? 0 : len;
}

TEST(signer_open_loads_state_directories_and_skips_other_files)
{
    struct fixture fx;
    CHECK(make_fixture(&fx));
    struct signer_config c = {.keys_dir = fx.keys, .log_path = fx.log};
    struct signer *s = NULL;
    char err[256];
    CHECK_INT(signer_open(&c, &s, err, sizeof err), 0);
    CHECK_INT(signer_n_states(s), 1);
    CHECK_STR(signer_state_code(s, 0), "AZE");
    CHECK(signer_state_code(s, 1) == NULL);
    signer_close(s);
    struct stat st;
    CHECK_INT(stat(fx.log, &st), 0);
    CHECK_INT(st.st_mode & 0777, 0600);
}

TEST(signer_open_rejects_keys_dir_without_states)
{
    char dir[256], err[256];
    CHECK(test_tmpdir(dir, sizeof dir));
    struct signer *s = NULL;
    struct signer_config c = {.keys_dir = dir};
    CHECK_INT(signer_open(&c, &s, err, sizeof err), -SIGNER_E_CONFIG);
    CHECK(strstr(err, "no state directory") != NULL);
    CHECK(s == NULL);
    c.keys_dir = "/nonexistent/keys";
    CHECK_INT(signer_open(&c, &s, err, sizeof err), -SIGNER_E_CONFIG);
    c.keys_dir = NULL;
    CHECK_INT(signer_open(&c, &s, err, sizeof err), -SIGNER_E_CONFIG);
}

TEST(signer_open_rejects_state_with_half_its_files)
{
    struct fixture fx;
    CHECK(make_fixture(&fx));
    CHECK_INT(unlink(fx.aze.paths[KEYS_DS_KEY]), 0);
    struct signer *s = NULL;
    char err[512];
    struct signer_config c = {.keys_dir = fx.keys};
    CHECK_INT(signer_open(&c, &s, err, sizeof err), -SIGNER_E_CONFIG);
    CHECK(strstr(err, "ds.key.pem is missing") != NULL);
}

TEST(signer_open_rejects_key_of_another_certificate)
{
    struct fixture fx;
    CHECK(make_fixture(&fx));
    /* Replace AZE's DS key by its CSCA key: the pair no longer matches. */
    CHECK_INT(rename(fx.aze.paths[KEYS_CSCA_KEY], fx.aze.paths[KEYS_DS_KEY]), 0);
    struct signer *s = NULL;
    char err[512];
    struct signer_config c = {.keys_dir = fx.keys};
    CHECK_INT(signer_open(&c, &s, err, sizeof err), -SIGNER_E_CONFIG);
    CHECK(strstr(err, "does not match") != NULL);
}

TEST(signer_open_rejects_unwritable_log_and_bad_socket_dir)
{
    struct fixture fx;
    CHECK(make_fixture(&fx));
    struct signer *s = NULL;
    char err[512], path[400];
    struct signer_config c = {.keys_dir = fx.keys, .log_path = "/nonexistent/dir/log"};
    CHECK_INT(signer_open(&c, &s, err, sizeof err), -SIGNER_E_IO);
    snprintf(path, sizeof path, "%s/open", fx.dir);
    CHECK_INT(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/open/signer.sock", fx.dir);
    struct signer_config d = {.keys_dir = fx.keys, .socket_path = path};
    CHECK_INT(signer_open(&d, &s, err, sizeof err), -SIGNER_E_CONFIG);
    CHECK(strstr(err, "0700") != NULL);
}

TEST(signer_handle_signs_and_logs_the_signature)
{
    struct fixture fx;
    CHECK(make_fixture(&fx));
    struct signer_config c = {.keys_dir = fx.keys, .log_path = fx.log};
    struct signer *s = NULL;
    CHECK_INT(signer_open(&c, &s, NULL, 0), 0);
    time_t now = time(NULL);
    uint8_t tbs[VDS_MAX_BYTES], frame[SIGNER_FRAME_MAX + 2], resp[SIGNER_FRAME_MAX + 2];
    size_t n = fixture_tbs(&fx, now, tbs, sizeof tbs);
    size_t len = request(SIGNER_OP_SIGN, "AZE", tbs, n, frame, sizeof frame), resp_len = 0;
    CHECK(n > 0 && len > 0);
    int rc = signer_handle(s, frame + 2, len - 2, now, resp, sizeof resp, &resp_len);
    signer_close(s);
    CHECK_INT(rc, 0);
    struct signer_response r;
    CHECK_INT(signer_response_parse(resp + 2, resp_len - 2, &r), 0);
    CHECK_INT(r.status, 0);
    CHECK_INT(r.rs_len, 64);
    CHECK(verify_with_cert(&fx, tbs, n, r.rs, r.rs_len));
    char *log = test_read_file(fx.log, NULL);
    CHECK(log != NULL);
    bool ok = strstr(log, "\"event\":\"sign\"") &&
              strstr(log, "\"document_number\":\"AZ0001234\"") && strstr(log, fx.aze.cert_ref) &&
              strchr(log, '\n') == strrchr(log, '\n');
    free(log);
    CHECK(ok);
}

TEST(signer_handle_logs_every_refusal)
{
    struct fixture fx;
    CHECK(make_fixture(&fx));
    struct signer_config c = {.keys_dir = fx.keys, .log_path = fx.log};
    struct signer *s = NULL;
    CHECK_INT(signer_open(&c, &s, NULL, 0), 0);
    time_t now = time(NULL);
    uint8_t tbs[VDS_MAX_BYTES], frame[SIGNER_FRAME_MAX + 2], resp[SIGNER_FRAME_MAX + 2];
    size_t n = fixture_tbs(&fx, now, tbs, sizeof tbs), resp_len = 0;
    size_t len = request(SIGNER_OP_SIGN, "AZE", tbs, n, frame, sizeof frame);
    /* stale: the same payload two days later */
    int r1 = signer_handle(s, frame + 2, len - 2, now + 2 * 86400, resp, sizeof resp, &resp_len);
    struct signer_response r;
    int p1 = signer_response_parse(resp + 2, resp_len - 2, &r);
    int status1 = r.status;
    /* unknown state */
    len = request(SIGNER_OP_SIGN, "PAK", tbs, n, frame, sizeof frame);
    int r2 = signer_handle(s, frame + 2, len - 2, now, resp, sizeof resp, &resp_len);
    /* malformed request */
    uint8_t junk[] = {9, 9, 9};
    int r3 = signer_handle(s, junk, sizeof junk, now, resp, sizeof resp, &resp_len);
    int p3 = signer_response_parse(resp + 2, resp_len - 2, &r);
    signer_close(s);
    CHECK_INT(r1, -SIGNER_E_BAD_DATE);
    CHECK_INT(p1, 0);
    CHECK_INT(status1, SIGNER_E_BAD_DATE);
    CHECK_INT(r2, -SIGNER_E_UNKNOWN_STATE);
    CHECK_INT(r3, -SIGNER_E_BAD_REQUEST);
    CHECK_INT(p3, 0);
    CHECK_INT(r.status, SIGNER_E_BAD_REQUEST);
    char *log = test_read_file(fx.log, NULL);
    CHECK(log != NULL);
    int lines = 0;
    for (char *p = log; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    bool ok = lines == 3 && strstr(log, "\"reason\":\"bad_signature_date\"") &&
              strstr(log, "\"reason\":\"unknown_state\"") &&
              strstr(log, "\"reason\":\"bad_request\"") && !strstr(log, "\"event\":\"sign\"");
    free(log);
    CHECK(ok);
}

TEST(signer_handle_answers_info_with_the_certificate)
{
    struct fixture fx;
    CHECK(make_fixture(&fx));
    struct signer_config c = {.keys_dir = fx.keys};
    struct signer *s = NULL;
    CHECK_INT(signer_open(&c, &s, NULL, 0), 0);
    uint8_t frame[64], resp[SIGNER_FRAME_MAX + 2];
    size_t len = request(SIGNER_OP_INFO, "AZE", NULL, 0, frame, sizeof frame), resp_len = 0;
    int rc = signer_handle(s, frame + 2, len - 2, time(NULL), resp, sizeof resp, &resp_len);
    signer_close(s);
    CHECK_INT(rc, 0);
    struct signer_response r;
    CHECK_INT(signer_response_parse(resp + 2, resp_len - 2, &r), 0);
    CHECK_STR(r.signer_id, fx.aze.signer_id);
    CHECK_STR(r.cert_ref, fx.aze.cert_ref);
    const unsigned char *p = r.cert_der;
    X509 *cert = d2i_X509(NULL, &p, (long)r.cert_der_len);
    CHECK(cert != NULL);
    int match = signer_cert_matches(cert, fx.aze.signer_id, fx.aze.cert_ref);
    X509_free(cert);
    CHECK_INT(match, 0);
}

TEST(signer_handle_refuses_to_sign_when_the_log_fails)
{
    struct fixture fx;
    CHECK(make_fixture(&fx));
    if (access("/dev/full", W_OK) != 0)
        return; /* no /dev/full here */
    struct signer_config c = {.keys_dir = fx.keys, .log_path = "/dev/full"};
    struct signer *s = NULL;
    CHECK_INT(signer_open(&c, &s, NULL, 0), 0);
    time_t now = time(NULL);
    uint8_t tbs[VDS_MAX_BYTES], frame[SIGNER_FRAME_MAX + 2], resp[SIGNER_FRAME_MAX + 2];
    size_t n = fixture_tbs(&fx, now, tbs, sizeof tbs), resp_len = 0;
    size_t len = request(SIGNER_OP_SIGN, "AZE", tbs, n, frame, sizeof frame);
    int rc = signer_handle(s, frame + 2, len - 2, now, resp, sizeof resp, &resp_len);
    signer_close(s);
    CHECK_INT(rc, -SIGNER_E_LOG_FAILED);
    struct signer_response r;
    CHECK_INT(signer_response_parse(resp + 2, resp_len - 2, &r), 0);
    CHECK_INT(r.status, SIGNER_E_LOG_FAILED);
    CHECK(r.rs == NULL);
}

/* ---- client and server over the socket ---------------------------------- */

/* Forks a child serving `requests` connections; returns its pid. */
static pid_t fork_signer(struct fixture *fx, unsigned long requests)
{
    pid_t pid = fork();
    if (pid == 0) {
        struct signer_config c = {
            .keys_dir = fx->keys, .log_path = fx->log, .socket_path = fx->sock};
        struct signer *s = NULL;
        if (signer_open(&c, &s, NULL, 0) < 0)
            _exit(2);
        int rc = signer_serve(s, requests);
        signer_close(s);
        _exit(rc == 0 ? 0 : 1);
    }
    /* Ready once the socket exists (bind) and a moment later listens. */
    for (int i = 0; i < 500; i++) {
        struct stat st;
        struct timespec pause = {0, 10 * 1000000L};
        nanosleep(&pause, NULL);
        if (stat(fx->sock, &st) == 0 && S_ISSOCK(st.st_mode))
            return pid;
    }
    return pid;
}

static int reap(pid_t pid)
{
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

TEST(signer_client_signs_over_the_socket)
{
    struct fixture fx;
    CHECK(make_fixture(&fx));
    pid_t pid = fork_signer(&fx, 4);
    CHECK(pid > 0);
    uint8_t tbs[VDS_MAX_BYTES], rs[SEAL_SIG_MAX], small[8];
    size_t n = fixture_tbs(&fx, time(NULL), tbs, sizeof tbs), rs_len = 0;
    char err[256];
    struct signer_info info;
    int r_info = signer_info(fx.sock, "AZE", &info, err, sizeof err);
    int r_sign = signer_sign(fx.sock, "aze", tbs, n, rs, sizeof rs, &rs_len, err, sizeof err);
    bool valid = r_sign == 0 && verify_with_cert(&fx, tbs, n, rs, rs_len);
    char refusal[256] = "";
    int r_refused =
        signer_sign(fx.sock, "AZE", tbs, n - 1, rs, sizeof rs, &rs_len, refusal, sizeof refusal);
    int r_small =
        signer_sign(fx.sock, "AZE", tbs, n, small, sizeof small, &rs_len, err, sizeof err);
    CHECK_INT(reap(pid), 0);
    CHECK_INT(r_info, 0);
    CHECK_STR(info.signer_id, fx.aze.signer_id);
    CHECK_INT(r_sign, 0);
    CHECK(valid);
    CHECK_INT(r_refused, -SIGNER_E_BAD_SEAL);
    CHECK(strstr(refusal, "does not decode") != NULL);
    CHECK_INT(r_small, -SIGNER_E_NO_SPACE);
}

TEST(signer_client_reports_unreachable_signer)
{
    char dir[256], path[300], err[256];
    CHECK(test_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/none.sock", dir);
    uint8_t tbs[4] = {0xDC}, rs[64];
    size_t rs_len;
    CHECK_INT(signer_sign(path, "AZE", tbs, 4, rs, sizeof rs, &rs_len, err, sizeof err),
              -SIGNER_E_UNAVAILABLE);
    struct signer_info info;
    CHECK_INT(signer_info(path, "AZE", &info, err, sizeof err), -SIGNER_E_UNAVAILABLE);
}

TEST(signer_client_rejects_bad_requests_before_sending)
{
    static uint8_t big[VDS_MAX_BYTES + 1];
    uint8_t rs[64];
    size_t rs_len;
    char err[256];
    struct signer_info info;
    CHECK_INT(signer_sign("/nonexistent", "A1", big, 4, rs, sizeof rs, &rs_len, err, sizeof err),
              -SIGNER_E_BAD_REQUEST);
    CHECK_INT(signer_info("/nonexistent", "", &info, err, sizeof err), -SIGNER_E_BAD_REQUEST);
    CHECK_INT(signer_sign("/nonexistent", "AZE", big, sizeof big, rs, sizeof rs, &rs_len, err,
                          sizeof err),
              -SIGNER_E_TOO_LARGE);
}

/* A listener that accepts one connection and answers `reply` (or nothing). */
static pid_t fake_signer(const char *path, const uint8_t *reply, size_t n, int *listen_fd)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path)
        return -1;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 4) < 0)
        return -1;
    *listen_fd = fd;
    if (!reply)
        return 0; /* never accepts: the client's request sits in the backlog */
    pid_t pid = fork();
    if (pid == 0) {
        int c = accept(fd, NULL, NULL);
        uint8_t buf[64];
        if (c >= 0 && read(c, buf, sizeof buf) > 0 && write(c, reply, n) < 0)
            _exit(1);
        _exit(0);
    }
    return pid;
}

TEST(signer_call_times_out_on_a_silent_signer)
{
    char dir[256], path[300], err[256];
    CHECK(test_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/silent.sock", dir);
    int fd = -1;
    CHECK(fake_signer(path, NULL, 0, &fd) == 0);
    uint8_t body[SIGNER_FRAME_MAX];
    struct signer_request rq = {.op = SIGNER_OP_INFO, .state = "AZE"};
    struct signer_response r;
    int rc = signer_call(path, &rq, 200, body, sizeof body, &r, err, sizeof err);
    close(fd);
    CHECK_INT(rc, -SIGNER_E_TIMEOUT);
}

TEST(signer_call_rejects_a_malformed_answer)
{
    char dir[256], path[300], err[256];
    CHECK(test_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/bad.sock", dir);
    static const uint8_t reply[] = {0, 3, 1, SIGNER_OP_INFO, 0}; /* a truncated body */
    int fd = -1;
    pid_t pid = fake_signer(path, reply, sizeof reply, &fd);
    CHECK(pid > 0);
    uint8_t body[SIGNER_FRAME_MAX];
    struct signer_request rq = {.op = SIGNER_OP_INFO, .state = "AZE"};
    struct signer_response r;
    int rc = signer_call(path, &rq, 2000, body, sizeof body, &r, err, sizeof err);
    close(fd);
    reap(pid);
    CHECK_INT(rc, -SIGNER_E_PROTOCOL);
}

TEST(signer_spawn_reports_a_signer_that_cannot_start)
{
    struct fixture fx;
    CHECK(make_fixture(&fx));
    /* /bin/false stands in for an evisa binary whose signer exits at once. */
    struct signer_spawn_opts o = {.exe = "/bin/false",
                                  .keys_dir = fx.keys,
                                  .socket_path = fx.sock,
                                  .log_path = fx.log,
                                  .state = "AZE"};
    pid_t pid;
    char err[256];
    CHECK_INT(signer_spawn(&o, &pid, err, sizeof err), -SIGNER_E_IO);
    CHECK(pid == -1);
    CHECK(strstr(err, "exited") != NULL);
    o.state = NULL;
    CHECK_INT(signer_spawn(&o, &pid, err, sizeof err), -SIGNER_E_CONFIG);
}

/* ---- the sandbox -------------------------------------------------------- */

static bool landlock_here(void)
{
    char err[128];
    return sandbox_abi(err, sizeof err) >= 1;
}

/* Child side of the web sandbox test; exit code = number of the first
 * failed expectation (0: all held). */
static int web_child(const char *data, const char *key_file, const char *sock)
{
    char db[400], outbox[400], keys[400], signer_dir[400], path[500];
    snprintf(db, sizeof db, "%s/db", data);
    snprintf(outbox, sizeof outbox, "%s/outbox", data);
    snprintf(keys, sizeof keys, "%s/keys", data);
    snprintf(signer_dir, sizeof signer_dir, "%s/signer", data);
    struct sandbox_paths p = {.rw = {db, outbox}, .deny = {keys, signer_dir}};
    char err[256];
    if (sandbox_web(&p, err, sizeof err) < 0)
        return 1;
    int fd = open(key_file, O_RDONLY);
    if (fd >= 0 || errno != EACCES)
        return 2;
    if (open(keys, O_RDONLY | O_DIRECTORY) >= 0 || errno != EACCES)
        return 3;
    snprintf(path, sizeof path, "%s/evisa.db", db);
    fd = open(path, O_RDWR | O_CREAT, 0600);
    if (fd < 0)
        return 4;
    close(fd);
    snprintf(path, sizeof path, "%s/mail.eml", outbox);
    fd = open(path, O_WRONLY | O_CREAT, 0600);
    if (fd < 0)
        return 5;
    close(fd);
    if (open("/etc/passwd", O_RDONLY) < 0)
        return 6; /* system files stay readable */
    snprintf(path, sizeof path, "%s/elsewhere", data);
    if (open(path, O_WRONLY | O_CREAT, 0600) >= 0 || errno != EACCES)
        return 7;
    /* No descriptor of this process is the key file. */
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return 9;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char link[600], target[600];
        snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
        ssize_t k = readlink(link, target, sizeof target - 1);
        if (k <= 0)
            continue;
        target[k] = '\0';
        if (strstr(target, "/keys/") || strstr(target, ".key.pem"))
            return 10;
    }
    closedir(d);
    /* The signer's socket is still reachable: connecting is not a file access. */
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(sock) >= sizeof sa.sun_path)
        return 12;
    memcpy(sa.sun_path, sock, strlen(sock) + 1);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof sa) < 0)
        return 11;
    close(s);
    return 0;
}

TEST(sandbox_web_denies_the_keys_and_allows_the_store)
{
    if (!landlock_here())
        return; /* kernel without Landlock: nothing to test */
    char data[256], path[400], key_file[400], sock[400];
    CHECK(test_tmpdir(data, sizeof data));
    const char *sub[] = {"db", "outbox", "keys", "keys/AZE", "signer"};
    for (size_t i = 0; i < sizeof sub / sizeof *sub; i++) {
        snprintf(path, sizeof path, "%s/%s", data, sub[i]);
        CHECK_INT(mkdir(path, 0700), 0);
    }
    snprintf(key_file, sizeof key_file, "%s/keys/AZE/ds.key.pem", data);
    FILE *f = fopen(key_file, "w");
    CHECK(f != NULL);
    fputs("-----BEGIN PRIVATE KEY-----\n", f);
    fclose(f);
    snprintf(sock, sizeof sock, "%s/signer/signer.sock", data);
    int lfd = -1;
    CHECK(fake_signer(sock, NULL, 0, &lfd) == 0);
    pid_t pid = fork();
    if (pid == 0)
        _exit(web_child(data, key_file, sock));
    int rc = reap(pid);
    close(lfd);
    CHECK_INT(rc, 0);
}

TEST(sandbox_web_refuses_keys_under_an_allowed_path)
{
    char data[256], keys[400], err[512];
    CHECK(test_tmpdir(data, sizeof data));
    snprintf(keys, sizeof keys, "%s/keys", data);
    CHECK_INT(mkdir(keys, 0700), 0);
    struct sandbox_paths p = {.rw = {data}, .deny = {keys}};
    pid_t pid = fork();
    if (pid == 0)
        _exit(sandbox_web(&p, err, sizeof err) == -SIGNER_E_CONFIG ? 0 : 1);
    CHECK_INT(reap(pid), 0);
    struct sandbox_paths root = {.ro = {"/"}, .deny = {keys}};
    pid = fork();
    if (pid == 0)
        _exit(sandbox_web(&root, err, sizeof err) == -SIGNER_E_CONFIG ? 0 : 1);
    CHECK_INT(reap(pid), 0);
    CHECK_INT(sandbox_web(NULL, err, sizeof err), -SIGNER_E_CONFIG);
}

TEST(sandbox_web_refuses_a_missing_path)
{
    if (!landlock_here())
        return;
    char err[512];
    struct sandbox_paths p = {.ro = {"/nonexistent/templates"}};
    pid_t pid = fork();
    if (pid == 0)
        _exit(sandbox_web(&p, err, sizeof err) == -SIGNER_E_CONFIG ? 0 : 1);
    CHECK_INT(reap(pid), 0);
}

static void *idle_thread(void *arg)
{
    (void)arg;
    pause();
    return NULL;
}

TEST(sandbox_web_refuses_a_process_with_threads)
{
    if (!landlock_here())
        return;
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t t;
        if (pthread_create(&t, NULL, idle_thread, NULL) != 0)
            _exit(2);
        char err[256];
        struct sandbox_paths p = {.no_system = true};
        int rc = sandbox_web(&p, err, sizeof err);
        _exit(rc == -SIGNER_E_SANDBOX && strstr(err, "threads") ? 0 : 1);
    }
    CHECK_INT(reap(pid), 0);
}

TEST(sandbox_lockdown_removes_all_file_access)
{
    if (!landlock_here())
        return;
    pid_t pid = fork();
    if (pid == 0) {
        char err[256];
        if (sandbox_lockdown(err, sizeof err) < 0)
            _exit(1);
        _exit(open("/etc/passwd", O_RDONLY) < 0 && errno == EACCES ? 0 : 2);
    }
    CHECK_INT(reap(pid), 0);
}

/* ---- revocation lists and the CSCA certificate (REVLIST, CSCA) ---------- */

static const char rl_numbers[][16] = {"AZ0000002", "AZ0000001", "AZ0000002", "AZ7<<<<<<"};

TEST(signer_revlist_payload_round_trips)
{
    uint8_t p[SIGNER_REVLIST_PAYLOAD_MAX];
    size_t len = 0;
    CHECK_INT(signer_revlist_payload_encode(NOW, NOW + 86400, rl_numbers, 4, p, sizeof p, &len), 0);
    CHECK_INT((long)len, 18 + 4 * 9);
    int64_t issued = 0, next = 0;
    char(*nums)[16] = NULL;
    size_t n = 0;
    CHECK_INT(signer_revlist_payload_parse(p, len, &issued, &next, &nums, &n), 0);
    CHECK_INT((long)issued, (long)NOW);
    CHECK_INT((long)next, (long)NOW + 86400);
    CHECK_INT((long)n, 4);
    if (nums) {
        CHECK_STR(nums[1], "AZ0000001");
        CHECK_STR(nums[3], "AZ7<<<<<<");
    }
    free(nums);
    /* an empty list is fine */
    CHECK_INT(signer_revlist_payload_encode(NOW, NOW + 3600, NULL, 0, p, sizeof p, &len), 0);
    CHECK_INT(signer_revlist_payload_parse(p, len, &issued, &next, &nums, &n), 0);
    CHECK_INT((long)n, 0);
    CHECK(nums == NULL);
}

TEST(signer_revlist_payload_encode_rejects_bad_numbers_and_small_buffers)
{
    uint8_t p[SIGNER_REVLIST_PAYLOAD_MAX];
    size_t len = 0;
    static const char bad[][3][16] = {{"AZ0000001", "AZ00000012"},
                                      {"AZ0000001", ""},
                                      {"az0000001", "AZ1"},
                                      {"<Z0000001", "AZ1"},
                                      {"AZ-000001", "AZ1"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(signer_revlist_payload_encode(NOW, NOW + 3600, bad[i], 2, p, sizeof p, &len),
                  -SIGNER_E_BAD_REVLIST);
    static char many[SIGNER_REVLIST_MAX + 1][16];
    for (size_t i = 0; i <= SIGNER_REVLIST_MAX; i++)
        snprintf(many[i], sizeof many[i], "AZ%07zu", i);
    CHECK_INT(signer_revlist_payload_encode(NOW, NOW + 3600, (const char(*)[16])many,
                                            SIGNER_REVLIST_MAX + 1, p, sizeof p, &len),
              -SIGNER_E_BAD_REVLIST);
    CHECK_INT(signer_revlist_payload_encode(NOW, NOW + 3600, (const char(*)[16])many,
                                            SIGNER_REVLIST_MAX, p, sizeof p, &len),
              0);
    CHECK_INT(signer_revlist_payload_encode(NOW, NOW + 3600, rl_numbers, 4, p, 20, &len),
              -SIGNER_E_NO_SPACE);
}

TEST(signer_revlist_payload_parse_rejects_malformed_payloads)
{
    uint8_t p[SIGNER_REVLIST_PAYLOAD_MAX + 9];
    size_t len = 0;
    int64_t issued, next;
    char(*nums)[16] = NULL;
    size_t n = 0;
    CHECK_INT(signer_revlist_payload_encode(NOW, NOW + 3600, rl_numbers, 4, p, sizeof p, &len), 0);
    CHECK_INT(signer_revlist_payload_parse(p, 17, &issued, &next, &nums, &n),
              -SIGNER_E_BAD_REVLIST);
    CHECK_INT(signer_revlist_payload_parse(NULL, 0, &issued, &next, &nums, &n),
              -SIGNER_E_BAD_REVLIST);
    CHECK_INT(signer_revlist_payload_parse(p, len - 1, &issued, &next, &nums, &n),
              -SIGNER_E_BAD_REVLIST); /* count does not match the bytes */
    uint8_t q[SIGNER_REVLIST_PAYLOAD_MAX + 9];
    memcpy(q, p, len);
    q[18] = '<'; /* a number starting with a filler */
    CHECK_INT(signer_revlist_payload_parse(q, len, &issued, &next, &nums, &n),
              -SIGNER_E_BAD_REVLIST);
    memcpy(q, p, len);
    q[20] = 'a';
    CHECK_INT(signer_revlist_payload_parse(q, len, &issued, &next, &nums, &n),
              -SIGNER_E_BAD_REVLIST);
    memcpy(q, p, len);
    q[16] = (uint8_t)((SIGNER_REVLIST_MAX + 1) >> 8);
    q[17] = (uint8_t)(SIGNER_REVLIST_MAX + 1);
    CHECK_INT(signer_revlist_payload_parse(q, len, &issued, &next, &nums, &n), -SIGNER_E_TOO_LARGE);
    CHECK(nums == NULL);
}

TEST(signer_check_revlist_times_enforces_the_window)
{
    char why[128];
    CHECK_INT(signer_check_revlist_times(NOW, NOW + 86400, NOW, why, sizeof why), 0);
    CHECK_INT(signer_check_revlist_times(NOW - 300, NOW - 300 + 3600, NOW, NULL, 0), 0);
    CHECK_INT(signer_check_revlist_times(NOW + 300, NOW + 300 + 168 * 3600, NOW, NULL, 0), 0);
    CHECK_INT(signer_check_revlist_times(NOW - 301, NOW + 86400, NOW, why, sizeof why),
              -SIGNER_E_BAD_REVLIST);
    CHECK(strstr(why, "issue time") != NULL);
    CHECK_INT(signer_check_revlist_times(NOW + 301, NOW + 86400, NOW, NULL, 0),
              -SIGNER_E_BAD_REVLIST);
    CHECK_INT(signer_check_revlist_times(NOW, NOW + 3599, NOW, why, sizeof why),
              -SIGNER_E_BAD_REVLIST);
    CHECK(strstr(why, "next update") != NULL);
    CHECK_INT(signer_check_revlist_times(NOW, NOW + 168 * 3600 + 1, NOW, NULL, 0),
              -SIGNER_E_BAD_REVLIST);
}

TEST(signer_proto_round_trips_csca_and_revlist)
{
    uint8_t payload[64], frame[SIGNER_FRAME_MAX + 2];
    size_t plen = 0, len = 0;
    CHECK_INT(signer_revlist_payload_encode(NOW, NOW + 3600, rl_numbers, 2, payload, sizeof payload,
                                            &plen),
              0);
    struct signer_request rq = {
        .op = SIGNER_OP_REVLIST, .state = "AZE", .tbs = payload, .tbs_len = plen};
    CHECK_INT(signer_request_encode(&rq, frame, sizeof frame, &len), 0);
    struct signer_request back;
    CHECK_INT(signer_request_parse(frame + 2, len - 2, &back), 0);
    CHECK_INT(back.op, SIGNER_OP_REVLIST);
    CHECK_INT((long)back.tbs_len, (long)plen);
    /* REVLIST needs a payload, CSCA takes none, and payloads are bounded */
    rq.tbs_len = 0;
    CHECK_INT(signer_request_encode(&rq, frame, sizeof frame, &len), -SIGNER_E_BAD_REQUEST);
    struct signer_request cs = {.op = SIGNER_OP_CSCA, .state = "AZE", .tbs = payload, .tbs_len = 1};
    CHECK_INT(signer_request_encode(&cs, frame, sizeof frame, &len), -SIGNER_E_BAD_REQUEST);
    static uint8_t big[SIGNER_REVLIST_PAYLOAD_MAX + 1];
    rq.tbs = big;
    rq.tbs_len = sizeof big;
    CHECK_INT(signer_request_encode(&rq, frame, sizeof frame, &len), -SIGNER_E_TOO_LARGE);
    uint8_t body[16] = {1, SIGNER_OP_CSCA, 'A', 'Z', 'E', 0, 1, 0};
    CHECK_INT(signer_request_parse(body, 8, &back), -SIGNER_E_BAD_REQUEST);

    static const uint8_t der[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    struct signer_response r = {.op = SIGNER_OP_CSCA, .cert_der = der, .cert_der_len = sizeof der};
    CHECK_INT(signer_response_encode(&r, frame, sizeof frame, &len), 0);
    struct signer_response p;
    CHECK_INT(signer_response_parse(frame + 2, len - 2, &p), 0);
    CHECK_INT((long)p.cert_der_len, (long)sizeof der);
    CHECK_INT(signer_response_parse(frame + 2, len - 3, &p), -SIGNER_E_PROTOCOL);
    struct signer_response l = {.op = SIGNER_OP_REVLIST, .revlist = der, .revlist_len = 3};
    CHECK_INT(signer_response_encode(&l, frame, sizeof frame, &len), 0);
    CHECK_INT(signer_response_parse(frame + 2, len - 2, &p), 0);
    CHECK_INT((long)p.revlist_len, 3);
    CHECK(p.revlist && memcmp(p.revlist, der, 3) == 0);
    CHECK_INT(signer_response_parse(frame + 2, len - 3, &p), -SIGNER_E_PROTOCOL);
    l.revlist_len = 0;
    CHECK_INT(signer_response_encode(&l, frame, sizeof frame, &len), -SIGNER_E_BAD_REQUEST);
    r.cert_der_len = 0;
    CHECK_INT(signer_response_encode(&r, frame, sizeof frame, &len), -SIGNER_E_BAD_REQUEST);
}

static X509 *load_csca_cert(const struct fixture *fx)
{
    X509 *cert = NULL;
    return signer_cert_load_file(fx->aze.paths[KEYS_CSCA_CERT], &cert) < 0 ? NULL : cert;
}

static int handle_revlist_req(struct signer *s, time_t now, int64_t issued, int64_t next,
                              const char (*nums)[16], size_t n, struct signer_response *r,
                              uint8_t *resp, size_t cap)
{
    uint8_t payload[SIGNER_REVLIST_PAYLOAD_MAX], frame[SIGNER_FRAME_MAX + 2];
    size_t plen = 0, resp_len = 0;
    if (signer_revlist_payload_encode(issued, next, nums, n, payload, sizeof payload, &plen) < 0)
        return -1000;
    size_t len = request(SIGNER_OP_REVLIST, "AZE", payload, plen, frame, sizeof frame);
    int rc = signer_handle(s, frame + 2, len - 2, now, resp, cap, &resp_len);
    if (signer_response_parse(resp + 2, resp_len - 2, r) < 0)
        return -1001;
    return rc;
}

TEST(signer_handle_signs_a_revocation_list_with_the_csca_and_logs_it)
{
    struct fixture fx;
    CHECK(make_fixture(&fx));
    struct signer_config c = {.keys_dir = fx.keys, .log_path = fx.log};
    struct signer *s = NULL;
    CHECK_INT(signer_open(&c, &s, NULL, 0), 0);
    time_t now = time(NULL);
    uint8_t resp[SIGNER_FRAME_MAX + 2];
    struct signer_response r;
    int rc = handle_revlist_req(s, now, now, now + 86400, rl_numbers, 4, &r, resp, sizeof resp);
    CHECK_INT(rc, 0);
    struct revlist rl = {0};
    CHECK_INT(revlist_parse(r.revlist, r.revlist_len, &rl), 0);
    CHECK_STR(rl.state, "AZE");
    CHECK_INT((long)rl.count, 3); /* sorted, the duplicate dropped */
    CHECK_INT((long)rl.next_update, (long)now + 86400);
    CHECK(revlist_contains(&rl, "AZ7"));
    CHECK(revlist_contains(&rl, "AZ0000001"));
    X509 *csca = load_csca_cert(&fx);
    CHECK(csca != NULL);
    CHECK_INT(revlist_verify_cert(&rl, csca), 0);
    X509_free(csca);
    revlist_free(&rl);
    /* refused: stale issue time, a too long validity */
    CHECK_INT(
        handle_revlist_req(s, now, now - 3600, now + 86400, rl_numbers, 1, &r, resp, sizeof resp),
        -SIGNER_E_BAD_REVLIST);
    CHECK_INT(r.status, SIGNER_E_BAD_REVLIST);
    CHECK_INT(
        handle_revlist_req(s, now, now, now + 200 * 3600, rl_numbers, 1, &r, resp, sizeof resp),
        -SIGNER_E_BAD_REVLIST);
    signer_close(s);
    char logbuf[4096] = "";
    FILE *f = fopen(fx.log, "r");
    CHECK(f != NULL);
    if (f) {
        size_t k = fread(logbuf, 1, sizeof logbuf - 1, f);
        logbuf[k] = '\0';
        fclose(f);
    }
    CHECK(strstr(logbuf, "\"event\":\"revlist\"") != NULL);
    CHECK(strstr(logbuf, "\"count\":3") != NULL);
    CHECK(strstr(logbuf, "\"reason\":\"bad_revlist\"") != NULL);
}

TEST(signer_handle_refuses_a_malformed_or_oversized_revlist_payload)
{
    struct fixture fx;
    CHECK(make_fixture(&fx));
    struct signer_config c = {.keys_dir = fx.keys};
    struct signer *s = NULL;
    CHECK_INT(signer_open(&c, &s, NULL, 0), 0);
    uint8_t payload[20] = {0}, frame[64], resp[SIGNER_FRAME_MAX + 2];
    payload[17] = 5; /* five numbers announced, none present */
    size_t len = request(SIGNER_OP_REVLIST, "AZE", payload, 18, frame, sizeof frame), resp_len = 0;
    int rc = signer_handle(s, frame + 2, len - 2, time(NULL), resp, sizeof resp, &resp_len);
    CHECK_INT(rc, -SIGNER_E_BAD_REVLIST);
    payload[16] = 0xFF; /* more than SIGNER_REVLIST_MAX */
    len = request(SIGNER_OP_REVLIST, "AZE", payload, 18, frame, sizeof frame);
    rc = signer_handle(s, frame + 2, len - 2, time(NULL), resp, sizeof resp, &resp_len);
    CHECK_INT(rc, -SIGNER_E_TOO_LARGE);
    signer_close(s);
}

TEST(signer_handle_answers_csca_with_the_certificate)
{
    struct fixture fx;
    CHECK(make_fixture(&fx));
    struct signer_config c = {.keys_dir = fx.keys};
    struct signer *s = NULL;
    CHECK_INT(signer_open(&c, &s, NULL, 0), 0);
    uint8_t frame[64], resp[SIGNER_FRAME_MAX + 2];
    size_t len = request(SIGNER_OP_CSCA, "AZE", NULL, 0, frame, sizeof frame), resp_len = 0;
    int rc = signer_handle(s, frame + 2, len - 2, time(NULL), resp, sizeof resp, &resp_len);
    signer_close(s);
    CHECK_INT(rc, 0);
    struct signer_response r;
    CHECK_INT(signer_response_parse(resp + 2, resp_len - 2, &r), 0);
    X509 *want = load_csca_cert(&fx);
    CHECK(want != NULL);
    const unsigned char *p = r.cert_der;
    X509 *got = d2i_X509(NULL, &p, (long)r.cert_der_len);
    CHECK(got != NULL);
    if (want && got)
        CHECK_INT(X509_cmp(want, got), 0);
    X509_free(want);
    X509_free(got);
}

TEST(signer_without_a_csca_key_refuses_csca_and_revlist)
{
    struct fixture fx;
    CHECK(make_fixture(&fx));
    CHECK_INT(unlink(fx.aze.paths[KEYS_CSCA_KEY]), 0);
    struct signer_config c = {.keys_dir = fx.keys};
    struct signer *s = NULL;
    CHECK_INT(signer_open(&c, &s, NULL, 0), 0); /* still signs seals */
    uint8_t frame[64], resp[SIGNER_FRAME_MAX + 2];
    size_t len = request(SIGNER_OP_CSCA, "AZE", NULL, 0, frame, sizeof frame), resp_len = 0;
    int rc = signer_handle(s, frame + 2, len - 2, time(NULL), resp, sizeof resp, &resp_len);
    CHECK_INT(rc, -SIGNER_E_NO_CSCA);
    struct signer_response r;
    time_t now = time(NULL);
    CHECK_INT(handle_revlist_req(s, now, now, now + 86400, rl_numbers, 1, &r, resp, sizeof resp),
              -SIGNER_E_NO_CSCA);
    signer_close(s);
}

TEST(signer_open_rejects_a_bad_csca_key)
{
    struct fixture fx;
    CHECK(make_fixture(&fx));
    struct signer_config c = {.keys_dir = fx.keys};
    struct signer *s = NULL;
    char err[512] = "";
    /* the DS key in place of the CSCA key */
    CHECK_INT(rename(fx.aze.paths[KEYS_DS_KEY], fx.aze.paths[KEYS_CSCA_KEY]), 0);
    CHECK_INT(link(fx.aze.paths[KEYS_CSCA_KEY], fx.aze.paths[KEYS_DS_KEY]), 0);
    CHECK_INT(signer_open(&c, &s, err, sizeof err), -SIGNER_E_CONFIG);
    CHECK(strstr(err, "csca.cert.pem") != NULL);
    /* a CSCA key without its certificate */
    CHECK_INT(unlink(fx.aze.paths[KEYS_CSCA_CERT]), 0);
    CHECK_INT(signer_open(&c, &s, err, sizeof err), -SIGNER_E_CONFIG);
    CHECK(strstr(err, "missing") != NULL);
}

TEST(signer_client_fetches_the_csca_and_a_revocation_list)
{
    struct fixture fx;
    CHECK(make_fixture(&fx));
    pid_t pid = fork_signer(&fx, 5);
    CHECK(pid > 0);
    char err[256];
    uint8_t der[SIGNER_CERT_DER_MAX], list[SIGNER_FRAME_MAX], small[8];
    size_t der_len = 0, list_len = 0, small_len = 0;
    time_t now = time(NULL);
    int r_csca = signer_csca(fx.sock, "AZE", der, sizeof der, &der_len, err, sizeof err);
    int r_list = signer_revlist(fx.sock, "AZE", now, now + 86400, rl_numbers, 4, list, sizeof list,
                                &list_len, err, sizeof err);
    int r_small = signer_revlist(fx.sock, "AZE", now, now + 86400, rl_numbers, 4, small,
                                 sizeof small, &small_len, err, sizeof err);
    char why[256] = "";
    int r_bad = signer_revlist(fx.sock, "AZE", now, now + 60, rl_numbers, 4, list + 0, 0,
                               &small_len, why, sizeof why);
    /* refused before sending */
    static char many[SIGNER_REVLIST_MAX + 1][16];
    for (size_t i = 0; i <= SIGNER_REVLIST_MAX; i++)
        snprintf(many[i], sizeof many[i], "AZ%07zu", i);
    int r_many =
        signer_revlist(fx.sock, "AZE", now, now + 86400, (const char(*)[16])many,
                       SIGNER_REVLIST_MAX + 1, list, sizeof list, &small_len, err, sizeof err);
    static const char badnum[][16] = {"a-b"};
    int r_badnum = signer_revlist(fx.sock, "AZE", now, now + 86400, badnum, 1, list, sizeof list,
                                  &small_len, err, sizeof err);
    int r_state = signer_csca(fx.sock, "A1", der, sizeof der, &small_len, err, sizeof err);
    int r_state2 = signer_revlist(fx.sock, "1", now, now + 86400, badnum, 1, list, sizeof list,
                                  &small_len, err, sizeof err);
    int r_tiny = signer_csca(fx.sock, "AZE", small, sizeof small, &small_len, err, sizeof err);
    CHECK_INT(reap(pid), 0);
    CHECK_INT(r_csca, 0);
    X509 *want = load_csca_cert(&fx);
    const unsigned char *p = der;
    X509 *got = d2i_X509(NULL, &p, (long)der_len);
    CHECK(want && got && X509_cmp(want, got) == 0);
    CHECK_INT(r_list, 0);
    struct revlist rl = {0};
    CHECK_INT(revlist_parse(list, list_len, &rl), 0);
    if (want)
        CHECK_INT(revlist_verify_cert(&rl, want), 0);
    revlist_free(&rl);
    X509_free(want);
    X509_free(got);
    CHECK_INT(r_small, -SIGNER_E_NO_SPACE);
    CHECK_INT(r_bad, -SIGNER_E_BAD_REVLIST);
    CHECK(strstr(why, "next update") != NULL);
    CHECK_INT(r_many, -SIGNER_E_TOO_LARGE);
    CHECK_INT(r_badnum, -SIGNER_E_BAD_REVLIST);
    CHECK_INT(r_state, -SIGNER_E_BAD_REQUEST);
    CHECK_INT(r_state2, -SIGNER_E_BAD_REQUEST);
    CHECK_INT(r_tiny, -SIGNER_E_NO_SPACE);
}
