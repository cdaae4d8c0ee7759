/*
 * test_keys.c — `keys init` (crypto/keys.h): State codes, curves, serials,
 * the CSCA and DS certificates' fields and extensions, file modes,
 * refusing to overwrite, --force, and that the result signs seals which
 * verify and chain.
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509v3.h>

#include "crypto/crypto_err.h"
#include "crypto/keys.h"
#include "crypto/seal_sig.h"
#include "crypto/signer_cert.h"

static void rm_rf(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

/* Text of the subject entry nid of cert (static buffer per call site). */
static bool subject_is(X509 *cert, int nid, const char *want)
{
    char buf[128];
    int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), nid, buf, sizeof buf);
    return n >= 0 && !strcmp(buf, want);
}

static bool ext_critical(X509 *cert, int nid)
{
    int i = X509_get_ext_by_NID(cert, nid, -1);
    return i >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, i)) == 1;
}

/* Days between notBefore and notAfter. */
static int validity_days(X509 *cert)
{
    int days = 0, secs = 0;
    if (!ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(cert), X509_get0_notAfter(cert)))
        return -1;
    return days;
}

static int file_mode(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

TEST(keys_state_alpha2_maps_icao_states)
{
    static const char *pairs[][2] = {
        {"AZE", "AZ"}, {"PAK", "PK"}, {"UTO", "UT"}, {"D", "DE"},   {"DEU", "DE"},
        {"TUR", "TR"}, {"GBR", "GB"}, {"USA", "US"}, {"ABW", "AW"}, {"ZWE", "ZW"},
        {"aze", "AZ"}, {"FRA", "FR"}, {"RKS", "XK"}, {"EUE", "EU"},
    };
    char a2[3];
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
        CHECK_CTX(keys_state_alpha2(pairs[i][0], a2) == 0 && !strcmp(a2, pairs[i][1]), pairs[i][0]);
    }
}

TEST(keys_state_alpha2_rejects_unknown_states)
{
    char a2[3];
    CHECK_INT(keys_state_alpha2("XXX", a2), -CRYPTO_E_UNKNOWN_STATE);
    CHECK_INT(keys_state_alpha2("AZ", a2), -CRYPTO_E_UNKNOWN_STATE);
    CHECK_INT(keys_state_alpha2("AZEV", a2), -CRYPTO_E_UNKNOWN_STATE);
    CHECK_INT(keys_state_alpha2("", a2), -CRYPTO_E_UNKNOWN_STATE);
    CHECK_INT(keys_state_alpha2(NULL, a2), -CRYPTO_E_UNKNOWN_STATE);
}

TEST(keys_curves_are_the_seal_curves)
{
    CHECK_INT(keys_curve_supported("prime256v1"), 0);
    CHECK_INT(keys_curve_supported("brainpoolP256r1"), 0);
    CHECK_INT(keys_curve_supported("secp521r1"), 0);
    CHECK_INT(keys_curve_supported("secp256k1"), -CRYPTO_E_UNSUPPORTED_CURVE);
    CHECK_INT(keys_curve_supported("P-256"), -CRYPTO_E_UNSUPPORTED_CURVE);
    CHECK_INT(keys_curve_supported(NULL), -CRYPTO_E_UNSUPPORTED_CURVE);
    EVP_PKEY *k = NULL;
    CHECK_INT(keys_generate("ed25519", &k), -CRYPTO_E_UNSUPPORTED_CURVE);
    CHECK_INT(keys_generate("brainpoolP224r1", &k), 0);
    CHECK_INT(EVP_PKEY_get_bits(k), 224);
    EVP_PKEY_free(k);
}

TEST(keys_parse_serial_accepts_hex_and_rejects_the_rest)
{
    BIGNUM *bn = NULL;
    CHECK_INT(keys_parse_serial("1F4A", &bn), 0);
    CHECK(BN_get_word(bn) == 0x1F4A);
    BN_free(bn);
    CHECK_INT(keys_parse_serial("00b7", &bn), 0);
    CHECK(BN_get_word(bn) == 0xB7);
    BN_free(bn);
    CHECK_INT(keys_parse_serial("1234567890123456789012345678901234567890", &bn), 0);
    BN_free(bn);
    bn = NULL;
    CHECK_INT(keys_parse_serial("12345678901234567890123456789012345678901", &bn),
              -CRYPTO_E_BAD_SERIAL);
    CHECK_INT(keys_parse_serial("0", &bn), -CRYPTO_E_BAD_SERIAL);
    CHECK_INT(keys_parse_serial("000", &bn), -CRYPTO_E_BAD_SERIAL);
    CHECK_INT(keys_parse_serial("", &bn), -CRYPTO_E_BAD_SERIAL);
    CHECK_INT(keys_parse_serial("-1", &bn), -CRYPTO_E_BAD_SERIAL);
    CHECK_INT(keys_parse_serial("0x12", &bn), -CRYPTO_E_BAD_SERIAL);
    CHECK_INT(keys_parse_serial(NULL, &bn), -CRYPTO_E_BAD_SERIAL);
    CHECK(bn == NULL);
}

TEST(keys_init_creates_csca_and_signer_with_private_modes)
{
    char base[256], dir[300], msg[256];
    CHECK(test_tmpdir(base, sizeof base) != NULL);
    snprintf(dir, sizeof dir, "%s/pki", base);
    struct keys_init_opts o = {.state = "AZE", .dir = dir};
    struct keys_init_result r;
    CHECK_INT(keys_init(&o, &r, msg, sizeof msg), 0);
    CHECK_INT(file_mode(dir), 0700);
    CHECK_INT(file_mode(r.paths[KEYS_CSCA_KEY]), 0600);
    CHECK_INT(file_mode(r.paths[KEYS_DS_KEY]), 0600);
    CHECK((file_mode(r.paths[KEYS_CSCA_CERT]) & 0622) == 0600); /* readable, only we write */
    CHECK((file_mode(r.paths[KEYS_DS_CERT]) & 0622) == 0600);
    CHECK_STR(r.alpha2, "AZ");
    CHECK_STR(r.signer_id, "AZEV");
    CHECK_STR(r.curve, "prime256v1");
    rm_rf(base);
}

TEST(keys_init_certificates_have_the_icao_fields)
{
    char dir[256], msg[256];
    CHECK(test_tmpdir(dir, sizeof dir) != NULL);
    struct keys_init_opts o = {.state = "PAK", .dir = dir, .curve = "brainpoolP256r1"};
    struct keys_init_result r;
    CHECK_INT(keys_init(&o, &r, msg, sizeof msg), 0);
    X509 *csca = NULL, *ds = NULL;
    CHECK_INT(signer_cert_load_file(r.paths[KEYS_CSCA_CERT], &csca), 0);
    CHECK_INT(signer_cert_load_file(r.paths[KEYS_DS_CERT], &ds), 0);

    /* CSCA: self-signed CA, path length 0, certificate and CRL signing. */
    CHECK(subject_is(csca, NID_countryName, "PK"));
    CHECK(subject_is(csca, NID_organizationName, "evisa PAK"));
    CHECK(subject_is(csca, NID_commonName, "CSCA PAK"));
    CHECK(X509_self_signed(csca, 1) == 1);
    CHECK(X509_get_extension_flags(csca) & EXFLAG_CA);
    CHECK_INT(X509_get_pathlen(csca), 0);
    CHECK(ext_critical(csca, NID_basic_constraints));
    CHECK(ext_critical(csca, NID_key_usage));
    CHECK_INT(X509_get_key_usage(csca), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
    CHECK(X509_get0_subject_key_id(csca) != NULL);
    int cdays = validity_days(csca);
    CHECK(cdays >= 15 * 365 - 5 && cdays <= 15 * 365 + 5);

    /* DS: C=PK, CN=EV, issued by the CSCA, digitalSignature only, not a CA. */
    CHECK(subject_is(ds, NID_countryName, "PK"));
    CHECK(subject_is(ds, NID_commonName, "EV"));
    CHECK(subject_is(ds, NID_organizationName, "evisa PAK"));
    CHECK(X509_NAME_cmp(X509_get_issuer_name(ds), X509_get_subject_name(csca)) == 0);
    CHECK_INT(X509_check_issued(csca, ds), X509_V_OK);
    CHECK((X509_get_extension_flags(ds) & EXFLAG_CA) == 0);
    CHECK(X509_get_extension_flags(ds) & EXFLAG_BCONS);
    CHECK(ext_critical(ds, NID_key_usage));
    CHECK_INT(X509_get_key_usage(ds), KU_DIGITAL_SIGNATURE);
    CHECK(X509_get0_authority_key_id(ds) != NULL);
    CHECK(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(ds), X509_get0_subject_key_id(csca)) ==
          0);
    int ddays = validity_days(ds);
    CHECK(ddays >= 10 * 365 - 5 && ddays <= 10 * 365 + 5);
    time_t now = time(NULL);
    CHECK(X509_cmp_time(X509_get0_notBefore(ds), &now) <= 0);

    /* Random serial in 1..0xFFFFF so that version-3 seals can name it. */
    BIGNUM *serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(ds), NULL);
    CHECK(serial && !BN_is_zero(serial) && !BN_is_negative(serial) && BN_num_bits(serial) <= 20);
    BN_free(serial);

    char group[64];
    CHECK(EVP_PKEY_get_group_name(X509_get0_pubkey(ds), group, sizeof group, NULL) == 1);
    CHECK_STR(group, "brainpoolP256r1");
    CHECK_STR(r.signer_id, "PKEV");
    CHECK_INT(signer_cert_matches(ds, r.signer_id, r.cert_ref), 0);
    X509_free(csca);
    X509_free(ds);
    rm_rf(dir);
}

TEST(keys_init_signer_signs_seals_that_verify_and_chain)
{
    char dir[256], msg[256];
    CHECK(test_tmpdir(dir, sizeof dir) != NULL);
    struct keys_init_opts o = {.state = "UTO", .dir = dir};
    struct keys_init_result r;
    CHECK_INT(keys_init(&o, &r, msg, sizeof msg), 0);
    X509 *ds = NULL;
    EVP_PKEY *key = NULL, *csca_key = NULL;
    X509_STORE *trust = NULL;
    CHECK_INT(signer_cert_load_file(r.paths[KEYS_DS_CERT], &ds), 0);
    CHECK_INT(signer_key_load_file(r.paths[KEYS_DS_KEY], &key), 0);
    CHECK_INT(signer_key_load_file(r.paths[KEYS_CSCA_KEY], &csca_key), 0);
    CHECK_INT(signer_trust_load_file(r.paths[KEYS_CSCA_CERT], &trust), 0);
    CHECK_INT(signer_key_matches_cert(key, ds), 0);
    CHECK_INT(signer_key_matches_cert(csca_key, ds), -CRYPTO_E_CERT_MISMATCH);
    uint8_t seal[] = "DC03 a header and a message zone", rs[SEAL_SIG_MAX];
    size_t rs_len = 0;
    CHECK_INT(seal_sig_sign(key, seal, sizeof seal, rs, sizeof rs, &rs_len), 0);
    CHECK_INT(seal_sig_verify(X509_get0_pubkey(ds), seal, sizeof seal, rs, rs_len), 0);
    CHECK_INT(signer_cert_check(ds, trust, time(NULL), msg, sizeof msg), 0);
    CHECK_INT(signer_cert_check(ds, trust, time(NULL) - 86400, msg, sizeof msg),
              -CRYPTO_E_CERT_NOT_YET_VALID);
    X509_STORE_free(trust);
    EVP_PKEY_free(key);
    EVP_PKEY_free(csca_key);
    X509_free(ds);
    rm_rf(dir);
}

TEST(keys_init_takes_the_given_signer_serial)
{
    char dir[256], msg[256];
    CHECK(test_tmpdir(dir, sizeof dir) != NULL);
    struct keys_init_opts o = {.state = "aze", .dir = dir, .signer_serial = "001f4a"};
    struct keys_init_result r;
    CHECK_INT(keys_init(&o, &r, msg, sizeof msg), 0);
    CHECK_STR(r.cert_ref, "1F4A");
    CHECK_STR(r.signer_id, "AZEV");
    X509 *ds = NULL;
    CHECK_INT(signer_cert_load_file(r.paths[KEYS_DS_CERT], &ds), 0);
    CHECK_INT(signer_cert_matches(ds, "AZEV", "1F4A"), 0);
    CHECK(subject_is(ds, NID_organizationName, "evisa AZE"));
    X509_free(ds);
    rm_rf(dir);
}

TEST(keys_init_refuses_to_overwrite_and_force_replaces)
{
    char dir[256], msg[256];
    CHECK(test_tmpdir(dir, sizeof dir) != NULL);
    struct keys_init_opts o = {.state = "AZE", .dir = dir};
    struct keys_init_result r;
    CHECK_INT(keys_init(&o, &r, msg, sizeof msg), 0);
    size_t n1 = 0, n2 = 0;
    char *before = test_read_file(r.paths[KEYS_DS_KEY], &n1);
    CHECK_INT(keys_init(&o, &r, msg, sizeof msg), -CRYPTO_E_EXISTS);
    CHECK(strstr(msg, "already exists") != NULL);
    char *after = test_read_file(r.paths[KEYS_DS_KEY], &n2);
    CHECK(before && after && n1 == n2 && !memcmp(before, after, n1));
    free(after);
    /* Only one of the four present is enough to refuse. */
    CHECK(remove(r.paths[KEYS_CSCA_KEY]) == 0 && remove(r.paths[KEYS_CSCA_CERT]) == 0 &&
          remove(r.paths[KEYS_DS_KEY]) == 0);
    CHECK_INT(keys_init(&o, &r, msg, sizeof msg), -CRYPTO_E_EXISTS);
    CHECK(access(r.paths[KEYS_CSCA_KEY], F_OK) != 0);
    o.force = true;
    CHECK_INT(keys_init(&o, &r, msg, sizeof msg), 0);
    after = test_read_file(r.paths[KEYS_DS_KEY], &n2);
    CHECK(after && (n1 != n2 || memcmp(before, after, n1) != 0));
    CHECK_INT(file_mode(r.paths[KEYS_DS_KEY]), 0600);
    free(before);
    free(after);
    rm_rf(dir);
}

TEST(keys_init_rejects_bad_options_before_writing)
{
    char base[256], dir[300], msg[256];
    CHECK(test_tmpdir(base, sizeof base) != NULL);
    snprintf(dir, sizeof dir, "%s/pki", base);
    struct keys_init_result r;
    struct keys_init_opts o = {.state = "XYZ", .dir = dir};
    CHECK_INT(keys_init(&o, &r, msg, sizeof msg), -CRYPTO_E_UNKNOWN_STATE);
    CHECK(strstr(msg, "XYZ") != NULL);
    o.state = "AZE";
    o.curve = "secp256k1";
    CHECK_INT(keys_init(&o, &r, msg, sizeof msg), -CRYPTO_E_UNSUPPORTED_CURVE);
    o.curve = NULL;
    o.signer_serial = "xyz";
    CHECK_INT(keys_init(&o, &r, msg, sizeof msg), -CRYPTO_E_BAD_SERIAL);
    o.signer_serial = "0";
    CHECK_INT(keys_init(&o, &r, msg, sizeof msg), -CRYPTO_E_BAD_SERIAL);
    CHECK(access(dir, F_OK) != 0); /* nothing created */
    o.signer_serial = NULL;
    o.dir = "";
    CHECK_INT(keys_init(&o, &r, msg, sizeof msg), -CRYPTO_E_IO);
    rm_rf(base);
}

TEST(keys_init_reports_unusable_directory)
{
    char base[256], dir[300], msg[256];
    CHECK(test_tmpdir(base, sizeof base) != NULL);
    struct keys_init_result r;
    snprintf(dir, sizeof dir, "%s/missing/pki", base);
    struct keys_init_opts o = {.state = "AZE", .dir = dir};
    CHECK_INT(keys_init(&o, &r, msg, sizeof msg), -CRYPTO_E_IO);
    snprintf(dir, sizeof dir, "%s/file", base);
    FILE *f = fopen(dir, "w");
    CHECK(f != NULL);
    fclose(f);
    CHECK_INT(keys_init(&o, &r, msg, sizeof msg), -CRYPTO_E_IO);
    rm_rf(base);
}

TEST(keys_write_refuses_existing_files)
{
    char dir[256], path[300];
    CHECK(test_tmpdir(dir, sizeof dir) != NULL);
    snprintf(path, sizeof path, "%s/k.pem", dir);
    EVP_PKEY *k = NULL;
    CHECK_INT(keys_generate("prime256v1", &k), 0);
    CHECK_INT(keys_write_private(path, k), 0);
    CHECK_INT(file_mode(path), 0600);
    CHECK_INT(keys_write_private(path, k), -CRYPTO_E_EXISTS);
    X509 *x = NULL;
    CHECK_INT(keys_make_csca(k, "AZE", "AZ", time(NULL), &x), 0);
    CHECK_INT(keys_write_cert(path, x), -CRYPTO_E_EXISTS);
    snprintf(path, sizeof path, "%s/none/c.pem", dir);
    CHECK_INT(keys_write_cert(path, x), -CRYPTO_E_IO);
    X509_free(x);
    EVP_PKEY_free(k);
    rm_rf(dir);
}

TEST(keys_chain_check_reports_csca_not_yet_valid)
{
    /* A DS whose CSCA starts a year later: the DS is valid at the date,
     * the chain is not, and the result says so. */
    time_t t0 = 1800000000; /* 2027-01-15 */
    EVP_PKEY *ck = NULL, *dk = NULL;
    X509 *csca = NULL, *ds = NULL;
    CHECK_INT(keys_generate("prime256v1", &ck), 0);
    CHECK_INT(keys_generate("prime256v1", &dk), 0);
    CHECK_INT(keys_make_csca(ck, "AZE", "AZ", t0 + 365 * 86400, &csca), 0);
    CHECK_INT(keys_make_ds(dk, csca, ck, "AZE", "AZ", NULL, t0, &ds), 0);
    X509_STORE *trust = X509_STORE_new();
    CHECK(trust && X509_STORE_add_cert(trust, csca));
    char msg[256] = "";
    CHECK_INT(signer_cert_check(ds, trust, t0 + 86400, msg, sizeof msg),
              -CRYPTO_E_CERT_NOT_YET_VALID);
    CHECK(strstr(msg, "CA certificate") != NULL);
    CHECK_INT(signer_cert_check(ds, NULL, t0 + 86400, msg, sizeof msg), 0);
    CHECK_INT(signer_cert_check(ds, trust, t0 + 400 * 86400, msg, sizeof msg), 0);
    X509_STORE_free(trust);
    X509_free(csca);
    X509_free(ds);
    EVP_PKEY_free(ck);
    EVP_PKEY_free(dk);
}

TEST(keys_file_names_are_stable)
{
    CHECK_STR(keys_file_name(KEYS_CSCA_KEY), "csca.key.pem");
    CHECK_STR(keys_file_name(KEYS_CSCA_CERT), "csca.cert.pem");
    CHECK_STR(keys_file_name(KEYS_DS_KEY), "ds.key.pem");
    CHECK_STR(keys_file_name(KEYS_DS_CERT), "ds.cert.pem");
    CHECK_STR(keys_file_name(KEYS_FILE__MAX), "?");
}
