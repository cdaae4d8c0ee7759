/*
 * keys.c — generation of a CSCA + document signer pair with OpenSSL 3:
 * EC keys (EVP_EC_gen), X.509 v3 certificates with the extensions ICAO
 * PKIs use, and careful file creation (O_EXCL, 0600 for private keys, the
 * PEM text of private keys kept in OpenSSL secure memory and wiped).
 */
#include "crypto/keys.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "crypto/crypto_err.h"
#include "crypto/seal_sig.h"

static const char *const file_names[KEYS_FILE__MAX] = {
    [KEYS_CSCA_KEY] = "csca.key.pem",
    [KEYS_CSCA_CERT] = "csca.cert.pem",
    [KEYS_DS_KEY] = "ds.key.pem",
    [KEYS_DS_CERT] = "ds.cert.pem",
};

const char *keys_file_name(enum keys_file f)
{
    return (unsigned)f < KEYS_FILE__MAX ? file_names[f] : "?";
}

/* ISO 3166-1 alpha-3 -> alpha-2 (from Debian iso-codes), plus the ICAO
 * codes that are not ISO alpha-3: D (Germany), UTO (ICAO test State), EUE
 * (European Union), RKS (Kosovo), UNA/UNK/UNO (United Nations).  Sorted by
 * alpha-3 for bsearch. */
static const struct state_code {
    char alpha3[4];
    char alpha2[3];
} state_codes[] = {
    {"ABW", "AW"}, {"AFG", "AF"}, {"AGO", "AO"}, {"AIA", "AI"}, {"ALA", "AX"}, {"ALB", "AL"},
    {"AND", "AD"}, {"ARE", "AE"}, {"ARG", "AR"}, {"ARM", "AM"}, {"ASM", "AS"}, {"ATA", "AQ"},
    {"ATF", "TF"}, {"ATG", "AG"}, {"AUS", "AU"}, {"AUT", "AT"}, {"AZE", "AZ"}, {"BDI", "BI"},
    {"BEL", "BE"}, {"BEN", "BJ"}, {"BES", "BQ"}, {"BFA", "BF"}, {"BGD", "BD"}, {"BGR", "BG"},
    {"BHR", "BH"}, {"BHS", "BS"}, {"BIH", "BA"}, {"BLM", "BL"}, {"BLR", "BY"}, {"BLZ", "BZ"},
    {"BMU", "BM"}, {"BOL", "BO"}, {"BRA", "BR"}, {"BRB", "BB"}, {"BRN", "BN"}, {"BTN", "BT"},
    {"BVT", "BV"}, {"BWA", "BW"}, {"CAF", "CF"}, {"CAN", "CA"}, {"CCK", "CC"}, {"CHE", "CH"},
    {"CHL", "CL"}, {"CHN", "CN"}, {"CIV", "CI"}, {"CMR", "CM"}, {"COD", "CD"}, {"COG", "CG"},
    {"COK", "CK"}, {"COL", "CO"}, {"COM", "KM"}, {"CPV", "CV"}, {"CRI", "CR"}, {"CUB", "CU"},
    {"CUW", "CW"}, {"CXR", "CX"}, {"CYM", "KY"}, {"CYP", "CY"}, {"CZE", "CZ"}, {"D", "DE"},
    {"DEU", "DE"}, {"DJI", "DJ"}, {"DMA", "DM"}, {"DNK", "DK"}, {"DOM", "DO"}, {"DZA", "DZ"},
    {"ECU", "EC"}, {"EGY", "EG"}, {"ERI", "ER"}, {"ESH", "EH"}, {"ESP", "ES"}, {"EST", "EE"},
    {"ETH", "ET"}, {"EUE", "EU"}, {"FIN", "FI"}, {"FJI", "FJ"}, {"FLK", "FK"}, {"FRA", "FR"},
    {"FRO", "FO"}, {"FSM", "FM"}, {"GAB", "GA"}, {"GBR", "GB"}, {"GEO", "GE"}, {"GGY", "GG"},
    {"GHA", "GH"}, {"GIB", "GI"}, {"GIN", "GN"}, {"GLP", "GP"}, {"GMB", "GM"}, {"GNB", "GW"},
    {"GNQ", "GQ"}, {"GRC", "GR"}, {"GRD", "GD"}, {"GRL", "GL"}, {"GTM", "GT"}, {"GUF", "GF"},
    {"GUM", "GU"}, {"GUY", "GY"}, {"HKG", "HK"}, {"HMD", "HM"}, {"HND", "HN"}, {"HRV", "HR"},
    {"HTI", "HT"}, {"HUN", "HU"}, {"IDN", "ID"}, {"IMN", "IM"}, {"IND", "IN"}, {"IOT", "IO"},
    {"IRL", "IE"}, {"IRN", "IR"}, {"IRQ", "IQ"}, {"ISL", "IS"}, {"ISR", "IL"}, {"ITA", "IT"},
    {"JAM", "JM"}, {"JEY", "JE"}, {"JOR", "JO"}, {"JPN", "JP"}, {"KAZ", "KZ"}, {"KEN", "KE"},
    {"KGZ", "KG"}, {"KHM", "KH"}, {"KIR", "KI"}, {"KNA", "KN"}, {"KOR", "KR"}, {"KWT", "KW"},
    {"LAO", "LA"}, {"LBN", "LB"}, {"LBR", "LR"}, {"LBY", "LY"}, {"LCA", "LC"}, {"LIE", "LI"},
    {"LKA", "LK"}, {"LSO", "LS"}, {"LTU", "LT"}, {"LUX", "LU"}, {"LVA", "LV"}, {"MAC", "MO"},
    {"MAF", "MF"}, {"MAR", "MA"}, {"MCO", "MC"}, {"MDA", "MD"}, {"MDG", "MG"}, {"MDV", "MV"},
    {"MEX", "MX"}, {"MHL", "MH"}, {"MKD", "MK"}, {"MLI", "ML"}, {"MLT", "MT"}, {"MMR", "MM"},
    {"MNE", "ME"}, {"MNG", "MN"}, {"MNP", "MP"}, {"MOZ", "MZ"}, {"MRT", "MR"}, {"MSR", "MS"},
    {"MTQ", "MQ"}, {"MUS", "MU"}, {"MWI", "MW"}, {"MYS", "MY"}, {"MYT", "YT"}, {"NAM", "NA"},
    {"NCL", "NC"}, {"NER", "NE"}, {"NFK", "NF"}, {"NGA", "NG"}, {"NIC", "NI"}, {"NIU", "NU"},
    {"NLD", "NL"}, {"NOR", "NO"}, {"NPL", "NP"}, {"NRU", "NR"}, {"NZL", "NZ"}, {"OMN", "OM"},
    {"PAK", "PK"}, {"PAN", "PA"}, {"PCN", "PN"}, {"PER", "PE"}, {"PHL", "PH"}, {"PLW", "PW"},
    {"PNG", "PG"}, {"POL", "PL"}, {"PRI", "PR"}, {"PRK", "KP"}, {"PRT", "PT"}, {"PRY", "PY"},
    {"PSE", "PS"}, {"PYF", "PF"}, {"QAT", "QA"}, {"REU", "RE"}, {"RKS", "XK"}, {"ROU", "RO"},
    {"RUS", "RU"}, {"RWA", "RW"}, {"SAU", "SA"}, {"SDN", "SD"}, {"SEN", "SN"}, {"SGP", "SG"},
    {"SGS", "GS"}, {"SHN", "SH"}, {"SJM", "SJ"}, {"SLB", "SB"}, {"SLE", "SL"}, {"SLV", "SV"},
    {"SMR", "SM"}, {"SOM", "SO"}, {"SPM", "PM"}, {"SRB", "RS"}, {"SSD", "SS"}, {"STP", "ST"},
    {"SUR", "SR"}, {"SVK", "SK"}, {"SVN", "SI"}, {"SWE", "SE"}, {"SWZ", "SZ"}, {"SXM", "SX"},
    {"SYC", "SC"}, {"SYR", "SY"}, {"TCA", "TC"}, {"TCD", "TD"}, {"TGO", "TG"}, {"THA", "TH"},
    {"TJK", "TJ"}, {"TKL", "TK"}, {"TKM", "TM"}, {"TLS", "TL"}, {"TON", "TO"}, {"TTO", "TT"},
    {"TUN", "TN"}, {"TUR", "TR"}, {"TUV", "TV"}, {"TWN", "TW"}, {"TZA", "TZ"}, {"UGA", "UG"},
    {"UKR", "UA"}, {"UMI", "UM"}, {"UNA", "UN"}, {"UNK", "UN"}, {"UNO", "UN"}, {"URY", "UY"},
    {"USA", "US"}, {"UTO", "UT"}, {"UZB", "UZ"}, {"VAT", "VA"}, {"VCT", "VC"}, {"VEN", "VE"},
    {"VGB", "VG"}, {"VIR", "VI"}, {"VNM", "VN"}, {"VUT", "VU"}, {"WLF", "WF"}, {"WSM", "WS"},
    {"YEM", "YE"}, {"ZAF", "ZA"}, {"ZMB", "ZM"}, {"ZWE", "ZW"},
};

static int state_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct state_code *)elem)->alpha3);
}

int keys_state_alpha2(const char *state, char alpha2[3])
{
    char upper[4];
    size_t n = state ? strlen(state) : 0;
    if (n == 0 || n > 3)
        return -CRYPTO_E_UNKNOWN_STATE;
    for (size_t i = 0; i < n; i++)
        upper[i] = (char)toupper((unsigned char)state[i]);
    upper[n] = '\0';
    const struct state_code *sc =
        bsearch(upper, state_codes, sizeof state_codes / sizeof *state_codes, sizeof *state_codes,
                state_cmp);
    if (!sc)
        return -CRYPTO_E_UNKNOWN_STATE;
    memcpy(alpha2, sc->alpha2, 3);
    return 0;
}

static const char *const curves[] = {
    "prime256v1",      "secp384r1",       "secp521r1",       "brainpoolP224r1",
    "brainpoolP256r1", "brainpoolP384r1", "brainpoolP512r1",
};

int keys_curve_supported(const char *curve)
{
    for (size_t i = 0; curve && i < sizeof curves / sizeof *curves; i++)
        if (!strcmp(curve, curves[i]))
            return 0;
    return -CRYPTO_E_UNSUPPORTED_CURVE;
}

int keys_generate(const char *curve, EVP_PKEY **out)
{
    int rc = keys_curve_supported(curve);
    if (rc)
        return rc;
    EVP_PKEY *key = EVP_EC_gen(curve);
    if (!key) {
        ERR_clear_error();
        return -CRYPTO_E_INTERNAL;
    }
    *out = key;
    return 0;
}

int keys_parse_serial(const char *hex, BIGNUM **out)
{
    size_t n = hex ? strlen(hex) : 0;
    bool nonzero = false;
    if (n == 0 || n > KEYS_SERIAL_HEX_MAX)
        return -CRYPTO_E_BAD_SERIAL;
    for (size_t i = 0; i < n; i++) {
        if (!isxdigit((unsigned char)hex[i]))
            return -CRYPTO_E_BAD_SERIAL;
        nonzero |= hex[i] != '0';
    }
    if (!nonzero)
        return -CRYPTO_E_BAD_SERIAL;
    BIGNUM *bn = NULL;
    if (BN_hex2bn(&bn, hex) != (int)n) {
        BN_free(bn);
        ERR_clear_error();
        return -CRYPTO_E_INTERNAL;
    }
    *out = bn;
    return 0;
}

/* C=alpha2, O="evisa <state>", CN=cn (cn NULL: "CSCA <state>"). */
static X509_NAME *make_name(const char *state, const char *alpha2, const char *cn)
{
    char org[64], csca_cn[64];
    int n1 = snprintf(org, sizeof org, "evisa %s", state);
    int n2 = snprintf(csca_cn, sizeof csca_cn, "CSCA %s", state);
    if (n1 < 0 || (size_t)n1 >= sizeof org || n2 < 0 || (size_t)n2 >= sizeof csca_cn)
        return NULL;
    X509_NAME *name = X509_NAME_new();
    if (!name ||
        !X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)alpha2, -1, -1,
                                    0) ||
        !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)org, -1, -1,
                                    0) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                    (const unsigned char *)(cn ? cn : csca_cn), -1, -1, 0)) {
        X509_NAME_free(name);
        return NULL;
    }
    return name;
}

struct ext {
    int nid;
    const char *value;
};

/* Builds and signs a v3 certificate.  issuer NULL: self-signed. */
static int build_cert(EVP_PKEY *key, X509_NAME *subject, const BIGNUM *serial, X509 *issuer,
                      EVP_PKEY *issuer_key, time_t now, long days, const struct ext *exts,
                      size_t n_exts, X509 **out)
{
    const EVP_MD *md = seal_sig_md(issuer_key);
    X509 *x = X509_new();
    int ok = md && x && X509_set_version(x, X509_VERSION_3) &&
             BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) &&
             X509_set_subject_name(x, subject) &&
             X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : subject) &&
             X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &now) &&
             X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, &now) && X509_set_pubkey(x, key);
    X509V3_CTX ctx;
    if (ok) {
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    }
    for (size_t i = 0; ok && i < n_exts; i++) {
        X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, &ctx, exts[i].nid, exts[i].value);
        ok = e && X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
    if (!ok || X509_sign(x, issuer_key, md) <= 0) {
        X509_free(x);
        ERR_clear_error();
        return -CRYPTO_E_INTERNAL;
    }
    *out = x;
    return 0;
}

int keys_make_csca(EVP_PKEY *key, const char *state, const char *alpha2, time_t now, X509 **out)
{
    static const struct ext exts[] = {
        {NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
        {NID_key_usage, "critical,keyCertSign,cRLSign"},
        {NID_subject_key_identifier, "hash"}, /* before the AKI, which copies it */
        {NID_authority_key_identifier, "keyid:always"},
    };
    X509_NAME *name = make_name(state, alpha2, NULL);
    BIGNUM *serial = BN_new();
    int rc = -CRYPTO_E_INTERNAL;
    /* 63 random bits with the top one set: positive, 8 DER octets. */
    if (name && serial && BN_rand(serial, 63, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY))
        rc = build_cert(key, name, serial, NULL, key, now, KEYS_CSCA_DAYS, exts,
                        sizeof exts / sizeof *exts, out);
    BN_free(serial);
    X509_NAME_free(name);
    ERR_clear_error();
    return rc;
}

int keys_make_ds(EVP_PKEY *ds_key, X509 *csca, EVP_PKEY *csca_key, const char *state,
                 const char *alpha2, const BIGNUM *serial, time_t now, X509 **out)
{
    static const struct ext exts[] = {
        {NID_basic_constraints, "critical,CA:FALSE"},
        {NID_key_usage, "critical,digitalSignature"},
        {NID_subject_key_identifier, "hash"},
        {NID_authority_key_identifier, "keyid:always"},
    };
    X509_NAME *name = make_name(state, alpha2, KEYS_DS_CN);
    BIGNUM *random = NULL, *range = NULL;
    int rc = -CRYPTO_E_INTERNAL;
    if (!serial) {
        /* Uniform in 0..KEYS_DS_SERIAL_MAX-1, plus one. */
        random = BN_new();
        range = BN_new();
        if (random && range && BN_set_word(range, KEYS_DS_SERIAL_MAX) &&
            BN_rand_range(random, range) && BN_add_word(random, 1))
            serial = random;
    }
    if (name && serial)
        rc = build_cert(ds_key, name, serial, csca, csca_key, now, KEYS_DS_DAYS, exts,
                        sizeof exts / sizeof *exts, out);
    BN_free(random);
    BN_free(range);
    X509_NAME_free(name);
    ERR_clear_error();
    return rc;
}

/* Creates `path` (must not exist) with `mode` and writes n bytes. */
static int write_new_file(const char *path, mode_t mode, const char *data, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0)
        return errno == EEXIST ? -CRYPTO_E_EXISTS : -CRYPTO_E_IO;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, data + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    int rc = done == n && fsync(fd) == 0 ? 0 : -CRYPTO_E_IO;
    if (close(fd) != 0)
        rc = -CRYPTO_E_IO;
    if (rc)
        unlink(path);
    return rc;
}

/* Writes the contents of a memory BIO to a new file. */
static int write_bio(const char *path, mode_t mode, BIO *bio)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    if (n <= 0 || !data)
        return -CRYPTO_E_INTERNAL;
    return write_new_file(path, mode, data, (size_t)n);
}

int keys_write_private(const char *path, EVP_PKEY *key)
{
    /* Secure-heap memory BIO: cleared on growth and when freed. */
    BIO *bio = BIO_new(BIO_s_secmem());
    int rc = -CRYPTO_E_INTERNAL;
    if (bio && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL))
        rc = write_bio(path, S_IRUSR | S_IWUSR, bio);
    BIO_free(bio);
    ERR_clear_error();
    return rc;
}

int keys_write_cert(const char *path, X509 *cert)
{
    BIO *bio = BIO_new(BIO_s_mem());
    int rc = -CRYPTO_E_INTERNAL;
    if (bio && PEM_write_bio_X509(bio, cert))
        rc = write_bio(path, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH, bio);
    BIO_free(bio);
    ERR_clear_error();
    return rc;
}

/* Messages are for people: a truncated one is still safe (snprintf). */
__attribute__((format(printf, 3, 4))) static void set_msg(char *msg, size_t cap, const char *fmt,
                                                          ...)
{
    if (!msg || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, cap, fmt, ap);
    va_end(ap);
}

/* Creates dir with mode 0700 unless it is already a directory. */
static int ensure_dir(const char *dir, char *msg, size_t msg_cap)
{
    if (mkdir(dir, S_IRWXU) == 0)
        return 0;
    int err = errno;
    struct stat st;
    if (err == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    set_msg(msg, msg_cap, "cannot create directory %s: %s", dir, strerror(err));
    return -CRYPTO_E_IO;
}

/* The generated objects of keys_init. */
struct keys_set {
    EVP_PKEY *csca_key, *ds_key;
    X509 *csca, *ds;
};

static int make_set(const struct keys_init_opts *o, const char *state, const char *curve,
                    const char *alpha2, const BIGNUM *serial, struct keys_set *s)
{
    time_t now = o->now ? o->now : time(NULL);
    int rc = keys_generate(curve, &s->csca_key);
    if (!rc)
        rc = keys_generate(curve, &s->ds_key);
    if (!rc)
        rc = keys_make_csca(s->csca_key, state, alpha2, now, &s->csca);
    if (!rc)
        rc = keys_make_ds(s->ds_key, s->csca, s->csca_key, state, alpha2, serial, now, &s->ds);
    return rc;
}

/* Writes the four files; on failure removes the ones this call created. */
static int write_set(struct keys_init_result *r, const struct keys_set *s)
{
    int rc = 0, done = 0;
    for (; rc == 0 && done < KEYS_FILE__MAX; done++) {
        const char *p = r->paths[done];
        switch ((enum keys_file)done) {
        case KEYS_CSCA_KEY:
            rc = keys_write_private(p, s->csca_key);
            break;
        case KEYS_CSCA_CERT:
            rc = keys_write_cert(p, s->csca);
            break;
        case KEYS_DS_KEY:
            rc = keys_write_private(p, s->ds_key);
            break;
        case KEYS_DS_CERT:
        case KEYS_FILE__MAX:
            rc = keys_write_cert(p, s->ds);
            break;
        }
    }
    if (rc) /* files 0..done-2 were written; the failed one was not */
        for (int f = 0; f < done - 1; f++)
            unlink(r->paths[f]);
    return rc;
}

int keys_init(const struct keys_init_opts *o, struct keys_init_result *r, char *msg, size_t msg_cap)
{
    memset(r, 0, sizeof *r);
    set_msg(msg, msg_cap, "ok");
    const char *curve = o->curve ? o->curve : KEYS_DEFAULT_CURVE;
    if (keys_state_alpha2(o->state, r->alpha2) != 0) {
        set_msg(msg, msg_cap, "no ISO 3166 country code known for state '%s'",
                o->state ? o->state : "");
        return -CRYPTO_E_UNKNOWN_STATE;
    }
    if (keys_curve_supported(curve) != 0) {
        set_msg(msg, msg_cap, "curve '%s' is not supported", curve);
        return -CRYPTO_E_UNSUPPORTED_CURVE;
    }
    r->curve = curve;
    char state[4] = {0}; /* upper case, as in the MRZ */
    for (size_t i = 0; i < 3 && o->state[i]; i++)
        state[i] = (char)toupper((unsigned char)o->state[i]);
    BIGNUM *serial = NULL;
    if (o->signer_serial && keys_parse_serial(o->signer_serial, &serial) != 0) {
        set_msg(msg, msg_cap, "signer serial '%s' is not 1 to %d hex digits other than 0",
                o->signer_serial, KEYS_SERIAL_HEX_MAX);
        return -CRYPTO_E_BAD_SERIAL;
    }
    int rc = 0;
    for (int f = 0; rc == 0 && f < KEYS_FILE__MAX; f++) {
        int n = snprintf(r->paths[f], KEYS_PATH_MAX, "%s/%s", o->dir ? o->dir : "", file_names[f]);
        if (!o->dir || !*o->dir || n < 0 || n >= KEYS_PATH_MAX) {
            set_msg(msg, msg_cap, "the directory path is empty or too long");
            rc = -CRYPTO_E_IO;
        }
    }
    if (!rc)
        rc = ensure_dir(o->dir, msg, msg_cap);
    /* Refuse before generating anything: nothing is written on refusal. */
    for (int f = 0; rc == 0 && f < KEYS_FILE__MAX; f++) {
        struct stat st;
        if (lstat(r->paths[f], &st) != 0)
            continue;
        if (!o->force) {
            set_msg(msg, msg_cap, "%s already exists (use --force to replace the keys)",
                    r->paths[f]);
            rc = -CRYPTO_E_EXISTS;
        }
    }
    struct keys_set s = {0};
    if (!rc) {
        rc = make_set(o, state, curve, r->alpha2, serial, &s);
        if (rc)
            set_msg(msg, msg_cap, "cannot generate the keys and certificates");
    }
    /* Under --force the old files go only once the new set is ready. */
    for (int f = 0; rc == 0 && o->force && f < KEYS_FILE__MAX; f++) {
        if (unlink(r->paths[f]) != 0 && errno != ENOENT) {
            set_msg(msg, msg_cap, "cannot remove %s: %s", r->paths[f], strerror(errno));
            rc = -CRYPTO_E_IO;
        }
    }
    if (!rc) {
        rc = write_set(r, &s);
        if (rc == -CRYPTO_E_EXISTS)
            set_msg(msg, msg_cap, "a key file appeared in %s meanwhile; nothing written", o->dir);
        else if (rc)
            set_msg(msg, msg_cap, "cannot write the key files in %s", o->dir);
    }
    if (!rc && signer_cert_reference(s.ds, r->signer_id, sizeof r->signer_id, r->cert_ref,
                                     sizeof r->cert_ref) != 0) {
        set_msg(msg, msg_cap, "the new signer certificate gives no signer reference");
        rc = -CRYPTO_E_INTERNAL;
    }
    EVP_PKEY_free(s.csca_key);
    EVP_PKEY_free(s.ds_key);
    X509_free(s.csca);
    X509_free(s.ds);
    BN_free(serial);
    return rc;
}

/* ---- document signer rotation -------------------------------------------- */

int keys_rotate(const char *dir, const char *state, time_t now, char signer_id[8],
                char cert_ref[SIGNER_REF_MAX + 1], char archived[KEYS_PATH_MAX], char *msg,
                size_t msg_cap)
{
    char alpha2[3], p_ck[KEYS_PATH_MAX], p_cc[KEYS_PATH_MAX], p_dk[KEYS_PATH_MAX],
        p_dc[KEYS_PATH_MAX], p_nk[KEYS_PATH_MAX], p_nc[KEYS_PATH_MAX];
    int rc = keys_state_alpha2(state, alpha2);
    if (rc) {
        set_msg(msg, msg_cap, "unknown state %s", state);
        return rc;
    }
    if (snprintf(p_ck, sizeof p_ck, "%s/csca.key.pem", dir) >= (int)sizeof p_ck ||
        snprintf(p_cc, sizeof p_cc, "%s/csca.cert.pem", dir) >= (int)sizeof p_cc ||
        snprintf(p_dk, sizeof p_dk, "%s/ds.key.pem", dir) >= (int)sizeof p_dk ||
        snprintf(p_dc, sizeof p_dc, "%s/ds.cert.pem", dir) >= (int)sizeof p_dc ||
        snprintf(p_nk, sizeof p_nk, "%s/ds.key.pem.new", dir) >= (int)sizeof p_nk ||
        snprintf(p_nc, sizeof p_nc, "%s/ds.cert.pem.new", dir) >= (int)sizeof p_nc) {
        set_msg(msg, msg_cap, "%s: path too long", dir);
        return -CRYPTO_E_IO;
    }
    EVP_PKEY *csca_key = NULL, *old_key = NULL, *new_key = NULL;
    X509 *csca = NULL, *old = NULL, *fresh = NULL;
    char old_id[8], old_ref[SIGNER_REF_MAX + 1];
    if ((rc = signer_key_load_file(p_ck, &csca_key)) || (rc = signer_cert_load_file(p_cc, &csca)) ||
        (rc = signer_key_load_file(p_dk, &old_key)) || (rc = signer_cert_load_file(p_dc, &old)) ||
        (rc = signer_cert_reference(old, old_id, sizeof old_id, old_ref, sizeof old_ref))) {
        set_msg(msg, msg_cap, "%s: cannot read the current CSCA and document signer", dir);
        goto out;
    }
    /* The new signer: a fresh key on the same curve, a serial never used by
     * the one it replaces, issued by the same CSCA. */
    char curve[64];
    size_t cl = 0;
    if (!EVP_PKEY_get_utf8_string_param(old_key, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve,
                                        &cl) ||
        (rc = keys_generate(curve, &new_key))) {
        rc = rc ? rc : -CRYPTO_E_INTERNAL;
        set_msg(msg, msg_cap, "cannot generate the new document signer key");
        goto out;
    }
    for (int tries = 0; tries < 8; tries++) {
        X509_free(fresh);
        fresh = NULL;
        if ((rc = keys_make_ds(new_key, csca, csca_key, state, alpha2, NULL, now, &fresh)))
            break;
        if ((rc = signer_cert_reference(fresh, signer_id, 8, cert_ref, SIGNER_REF_MAX + 1)))
            break;
        if (strcmp(cert_ref, old_ref) != 0)
            break;
    }
    if (rc || !strcmp(cert_ref, old_ref)) {
        rc = rc ? rc : -CRYPTO_E_INTERNAL;
        set_msg(msg, msg_cap, "cannot issue the new document signer certificate");
        goto out;
    }
    /* Write the new pair beside the old one, keep the old certificate (seals
     * it signed stay verifiable until they expire), then switch by rename:
     * the key last, so a crash leaves either the old or the new pair. */
    if (snprintf(archived, KEYS_PATH_MAX, "%s/ds-%s.cert.pem", dir, old_ref) >= KEYS_PATH_MAX) {
        rc = -CRYPTO_E_IO;
        goto out;
    }
    unlink(p_nk);
    unlink(p_nc);
    if ((rc = keys_write_private(p_nk, new_key)) || (rc = keys_write_cert(p_nc, fresh))) {
        set_msg(msg, msg_cap, "%s: cannot write the new document signer", dir);
        unlink(p_nk);
        unlink(p_nc);
        goto out;
    }
    if (link(p_dc, archived) != 0 && errno != EEXIST) {
        rc = -CRYPTO_E_IO;
        set_msg(msg, msg_cap, "%s: cannot keep the old certificate", archived);
        unlink(p_nk);
        unlink(p_nc);
        goto out;
    }
    if (rename(p_nc, p_dc) != 0 || rename(p_nk, p_dk) != 0) {
        rc = -CRYPTO_E_IO;
        set_msg(msg, msg_cap, "%s: cannot switch to the new document signer", dir);
        goto out;
    }
    set_msg(msg, msg_cap, "document signer %s%s replaced by %s%s", old_id, old_ref, signer_id,
            cert_ref);
out:
    EVP_PKEY_free(csca_key);
    EVP_PKEY_free(old_key);
    EVP_PKEY_free(new_key);
    X509_free(csca);
    X509_free(old);
    X509_free(fresh);
    ERR_clear_error();
    return rc;
}
