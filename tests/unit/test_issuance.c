/*
 * test_issuance.c — an approved application becomes a visa: number,
 * validity from policy, MRZ in the state's format with the passport's own
 * name, and a signed seal that decodes and verifies.
 */
#include "test.h"

#include <openssl/evp.h>

#include "crypto/seal_sig.h"
#include "icao/icao_err.h"
#include "icao/mrz.h"
#include "icao/vds.h"
#include "visa/issuance.h"

/* 2026-11-23 12:00 UTC */
#define NOW ((time_t)1795435200)

static int local_sign(void *ctx, const char *state, const uint8_t *tbs, size_t n, uint8_t *rs,
                      size_t cap, size_t *rs_len, char *err, size_t err_cap)
{
    (void)state;
    if (seal_sig_sign(ctx, tbs, n, rs, cap, rs_len) < 0) {
        snprintf(err, err_cap, "sign failed");
        return -1;
    }
    return 0;
}

static int failing_sign(void *ctx, const char *state, const uint8_t *tbs, size_t n, uint8_t *rs,
                        size_t cap, size_t *rs_len, char *err, size_t err_cap)
{
    (void)ctx, (void)state, (void)tbs, (void)n, (void)rs, (void)cap, (void)rs_len;
    snprintf(err, err_cap, "signer unavailable");
    return -1;
}

static void setup(struct policy_state *st, struct app_values *v)
{
    memset(st, 0, sizeof *st);
    snprintf(st->code, sizeof st->code, "AZE");
    st->mrv_format = MRZ_FORMAT_MRV_A;
    st->translit = (struct translit_profile){false, 'A'};
    struct policy_visa_type *t = &st->types[0];
    t->entries = 1, t->validity_days = 90, t->stay_days = 30, t->vds_visa_type = 1;
    st->n_types = 1;
    memset(v, 0, sizeof *v);
    struct app_errors e = {0};
    const char *set[][2] = {{"surname", "Khan"},    {"given_names", "Imran Ahmed"},
                            {"sex", "M"},           {"date_of_birth", "1979-10-03"},
                            {"nationality", "PAK"}, {"passport_number", "AB1234567"}};
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++) {
        int f = app_field_from_name(set[i][0]);
        app_set_field(v, (enum app_field)f, set[i][1], strlen(set[i][1]), &e);
    }
}

TEST(issuance_builds_a_signed_visa_that_decodes_and_verifies)
{
    struct policy_state st;
    struct app_values v;
    setup(&st, &v);
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    CHECK(key != NULL);
    struct issuance_signer signer = {"AZEV", "1F4A", local_sign, key};
    struct store_visa visa;
    char err[160];
    CHECK_INT(issuance_build(&st, &st.types[0], &v, "AZE-AAAA-AAAA", 42, &signer, NOW, &visa, err,
                             sizeof err),
              0);
    CHECK_STR(visa.visa_number, "AZ0000042");
    CHECK_STR(visa.valid_from, "2026-11-23");
    CHECK_STR(visa.valid_until, "2027-02-20");
    CHECK_STR(visa.mrz_line1, "V<AZEKHAN<<IMRAN<AHMED<<<<<<<<<<<<<<<<<<<<<<");
    CHECK_STR(visa.signer_cert_ref, "AZEV1F4A");
    struct mrz_parsed p;
    CHECK_INT(mrz_parse(visa.mrz_line1, 44, visa.mrz_line2, 44, &p), 0);
    CHECK(p.valid);
    CHECK_STR(p.expiry, "270220");
    struct vds_seal s;
    CHECK_INT(vds_decode(visa.seal, visa.seal_len, &s), 0);
    CHECK(s.is_visa && s.header.version == 4);
    CHECK_STR(s.visa.passport_number, "AB1234567");
    CHECK_INT(s.visa.entries, 1);
    CHECK_INT(s.visa.duration_days, 30);
    CHECK_INT(seal_sig_verify(key, visa.seal, s.signed_length, s.signature, s.signature_length), 0);
    EVP_PKEY_free(key);
}

TEST(issuance_uses_the_passport_mrz_name_and_the_states_format)
{
    struct policy_state st;
    struct app_values v;
    setup(&st, &v);
    st.mrv_format = MRZ_FORMAT_MRV_B;
    struct app_errors e = {0};
    const char *l1 = "PAZE<MEMMEDOV<<ELI<<<<<<<<<<<<<<<<<<<<<<<<<<";
    const char *l2 = "C023456785AZE8504124M3104116<<<<<<<<<<<<<<<8";
    app_set_field(&v, F_MRZ_LINE1, l1, strlen(l1), &e);
    app_set_field(&v, F_MRZ_LINE2, l2, strlen(l2), &e);
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    struct issuance_signer signer = {"AZEV", "0001F4A", local_sign, key};
    struct store_visa visa;
    char err[160];
    CHECK_INT(issuance_build(&st, &st.types[0], &v, "AZE-AAAA-AAAA", 7, &signer, NOW, &visa, err,
                             sizeof err),
              0);
    CHECK_STR(visa.mrz_line1, "V<AZEMEMMEDOV<<ELI<<<<<<<<<<<<<<<<<<");
    CHECK_INT(strlen(visa.mrz_line2), 36);
    CHECK_STR(visa.signer_cert_ref, "AZEV1F4A");
    EVP_PKEY_free(key);
}

TEST(issuance_reports_signer_failures_and_bad_data)
{
    struct policy_state st;
    struct app_values v;
    setup(&st, &v);
    struct issuance_signer signer = {"AZEV", "1F4A", failing_sign, NULL};
    struct store_visa visa;
    char err[160] = "";
    CHECK_INT(issuance_build(&st, &st.types[0], &v, "AZE-AAAA-AAAA", 1, &signer, NOW, &visa, err,
                             sizeof err),
              -1);
    CHECK_STR(err, "signer unavailable");
    v.v[F_DATE_OF_BIRTH][0] = '\0';
    CHECK_INT(issuance_build(&st, &st.types[0], &v, "AZE-AAAA-AAAA", 1, &signer, NOW, &visa, err,
                             sizeof err),
              -ICAO_E_BAD_DATE);
}
