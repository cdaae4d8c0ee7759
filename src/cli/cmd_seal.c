/*
 * cmd_seal.c — `evisa seal decode|verify|sign`: decode a Visible Digital
 * Seal from hex or a DataMatrix image, verify it against a document-signer
 * certificate (and optionally a CSCA trust store), and build + sign a visa
 * seal from JSON fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/x509.h>

#include "cli/cli.h"
#include "cli/seal_json.h"
#include "cli/visa_json.h"
#include "crypto/crypto_err.h"
#include "crypto/seal_sig.h"
#include "crypto/signer_cert.h"
#include "icao/icao_err.h"
#include "icao/vds.h"
#include "render/datamatrix.h"

#define IMAGE_FILE_MAX (12u << 20)

struct seal_opts {
    const char *image, *cert, *trust, *key, *png, *svg;
    int version;
};

/* Parses the options named in `allowed` (e.g. "icktpsv"); CLI_USAGE on error. */
static int parse_opts(int argc, char **argv, const char *allowed, struct seal_opts *o)
{
    static const struct {
        char id;
        const char *name;
    } names[] = {{'i', "--image"}, {'c', "--cert"}, {'t', "--trust"},  {'k', "--key"},
                 {'p', "--png"},   {'s', "--svg"},  {'v', "--version"}};
    memset(o, 0, sizeof *o);
    o->version = 4;
    for (int i = 1; i < argc; i++) {
        char id = 0;
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
            if (!strcmp(argv[i], names[k].name) && strchr(allowed, names[k].id))
                id = names[k].id;
        if (!id || i + 1 >= argc)
            return cli_error(CLI_USAGE, "usage", "unexpected argument '%s' (see evisa --help)",
                             argv[i]);
        const char *val = argv[++i];
        switch (id) {
        case 'i':
            o->image = val;
            break;
        case 'c':
            o->cert = val;
            break;
        case 't':
            o->trust = val;
            break;
        case 'k':
            o->key = val;
            break;
        case 'p':
            o->png = val;
            break;
        case 's':
            o->svg = val;
            break;
        case 'v':
            if (strcmp(val, "3") && strcmp(val, "4"))
                return cli_error(CLI_USAGE, "usage", "--version must be 3 or 4");
            o->version = val[0] - '0';
            break;
        default:
            break;
        }
    }
    return 0;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Hex text (whitespace ignored) to bytes; -1 on a bad digit or odd count,
 * -2 when over cap. */
static long parse_hex(const char *s, size_t n, uint8_t *out, size_t cap)
{
    size_t o = 0;
    int hi = -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')
            continue;
        int v = hex_value(s[i]);
        if (v < 0)
            return -1;
        if (hi < 0) {
            hi = v;
            continue;
        }
        if (o >= cap)
            return -2;
        out[o++] = (uint8_t)(hi << 4 | v);
        hi = -1;
    }
    return hi >= 0 ? -1 : (long)o;
}

/* Reads the seal bytes from --image or from hex on stdin. */
static int read_seal(const struct seal_opts *o, uint8_t *seal, size_t *n)
{
    if (o->image) {
        size_t len;
        uint8_t *img = cli_read_file(o->image, IMAGE_FILE_MAX, &len);
        if (!img)
            return CLI_MALFORMED;
        int rc = dm_decode_image(img, len, seal, VDS_MAX_BYTES, n);
        free(img);
        if (rc < 0)
            return cli_error(CLI_MALFORMED, cli_err_code(rc), "%s: %s", o->image,
                             cli_err_message(rc));
        return 0;
    }
    size_t len;
    char *text = cli_read_stdin(&len);
    if (!text)
        return CLI_MALFORMED;
    long got = parse_hex(text, len, seal, VDS_MAX_BYTES);
    free(text);
    if (got == -2)
        return cli_error(CLI_MALFORMED, "input_too_large", "a seal holds at most %d bytes",
                         VDS_MAX_BYTES);
    if (got <= 0)
        return cli_error(CLI_MALFORMED, "bad_hex",
                         "standard input must be the seal as hexadecimal digits");
    *n = (size_t)got;
    return 0;
}

static int decode_or_fail(const uint8_t *seal, size_t n, struct vds_seal *s)
{
    int rc = vds_decode(seal, n, s);
    if (rc < 0)
        return cli_error(CLI_MALFORMED, icao_err_code(rc), "%s", icao_err_message(rc));
    return 0;
}

static int seal_decode(int argc, char **argv)
{
    struct seal_opts o;
    int rc = parse_opts(argc, argv, "i", &o);
    if (rc)
        return rc;
    uint8_t seal[VDS_MAX_BYTES];
    size_t n;
    struct vds_seal s;
    if ((rc = read_seal(&o, seal, &n)) || (rc = decode_or_fail(seal, n, &s)))
        return rc;
    visa_json_print(seal_json(&s));
    return CLI_OK;
}

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

static int seal_verify(int argc, char **argv)
{
    struct seal_opts o;
    int rc = parse_opts(argc, argv, "ict", &o);
    if (rc)
        return rc;
    if (!o.cert)
        return cli_error(CLI_USAGE, "usage", "evisa seal verify --cert CERT.pem [--trust CA.pem]");
    X509 *cert = NULL;
    X509_STORE *trust = NULL;
    if ((rc = signer_cert_load_file(o.cert, &cert)) < 0)
        return cli_error(CLI_MALFORMED, cli_err_code(rc), "%s: %s", o.cert, cli_err_message(rc));
    if (o.trust && (rc = signer_trust_load_file(o.trust, &trust)) < 0) {
        X509_free(cert);
        return cli_error(CLI_MALFORMED, cli_err_code(rc), "%s: %s", o.trust, cli_err_message(rc));
    }
    uint8_t seal[VDS_MAX_BYTES];
    size_t n;
    struct vds_seal s;
    if ((rc = read_seal(&o, seal, &n)) || (rc = decode_or_fail(seal, n, &s))) {
        X509_free(cert);
        X509_STORE_free(trust);
        return rc;
    }

    EVP_PKEY *pub = X509_get0_pubkey(cert);
    int sig_rc = pub ? seal_sig_verify(pub, seal, s.signed_length, s.signature, s.signature_length)
                     : -CRYPTO_E_BAD_CERT;
    int match_rc = signer_cert_matches(cert, s.header.signer_id, s.header.cert_ref);
    char why[256] = "";
    int date_rc = signer_cert_check(cert, trust, (time_t)vds_date_to_unix(s.header.signature_date),
                                    why, sizeof why);

    json_t *j = seal_json(&s);
    char md[32] = "", curve[64] = "";
    const EVP_MD *m = pub ? seal_sig_md(pub) : NULL;
    if (m) {
        snprintf(md, sizeof md, "%s", EVP_MD_get0_name(m));
        lower(md);
    }
    if (pub)
        EVP_PKEY_get_utf8_string_param(pub, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve, NULL);
    json_object_set_new(j, "signature_valid", json_boolean(sig_rc == 0));
    json_object_set_new(j, "cert_matches_reference", json_boolean(match_rc == 0));
    json_object_set_new(j, "hash", json_string(md));
    json_object_set_new(j, "curve", json_string(curve));
    /* Validity at the signing date is part of signer_cert_check; a chain
     * failure is only possible with a trust store. */
    bool dated = date_rc != -CRYPTO_E_CERT_NOT_YET_VALID && date_rc != -CRYPTO_E_CERT_EXPIRED;
    json_object_set_new(j, "cert_valid_at_signing_date", json_boolean(dated));
    if (trust)
        json_object_set_new(j, "chain_valid", json_boolean(date_rc == 0));
    int first = match_rc ? match_rc : sig_rc ? sig_rc : date_rc;
    json_object_set_new(j, "valid", json_boolean(first == 0));
    if (first) {
        json_object_set_new(j, "reason", json_string(cli_err_code(first)));
        json_object_set_new(j, "reason_message",
                            json_string(first == date_rc && why[0] ? why : cli_err_message(first)));
    }
    visa_json_print(j);
    if (first)
        cli_error(CLI_INVALID, cli_err_code(first), "%s",
                  first == date_rc && why[0] ? why : cli_err_message(first));
    X509_free(cert);
    X509_STORE_free(trust);
    return first ? CLI_INVALID : CLI_OK;
}

/* ---- sign ---------------------------------------------------------------- */

static const char *const sign_keys[] = {"type",
                                        "entries",
                                        "duration_of_stay",
                                        "passport_number",
                                        "visa_type",
                                        "additional_feature",
                                        "issue_date",
                                        "signature_date",
                                        NULL};

static int json_byte(json_t *obj, const char *key, const char *where, uint8_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = 0;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 255)
        return cli_error(CLI_MALFORMED, "bad_field", "%s%s: must be an integer 0-255", where, key);
    *out = (uint8_t)json_integer_value(v);
    return 0;
}

static int json_hex_field(json_t *obj, const char *key, size_t min, size_t max, uint8_t *out,
                          size_t *len)
{
    json_t *v = json_object_get(obj, key);
    *len = 0;
    if (!v)
        return 0;
    const char *s = json_string_value(v);
    long got = s ? parse_hex(s, strlen(s), out, max) : -1;
    if (got < (long)min)
        return cli_error(CLI_MALFORMED, "bad_field", "%s: must be %zu-%zu bytes as hex", key, min,
                         max);
    *len = (size_t)got;
    return 0;
}

static int json_date_field(json_t *obj, const char *key, struct vds_date today,
                           struct vds_date *out)
{
    json_t *v = json_object_get(obj, key);
    *out = today;
    if (!v)
        return 0;
    const char *s = json_string_value(v);
    if (!s || vds_date_parse_iso(s, strlen(s), out) < 0)
        return cli_error(CLI_MALFORMED, "bad_field", "%s: must be a date YYYY-MM-DD", key);
    return 0;
}

/* Fills the seal's visa message from the JSON object and the built MRZ. */
static int read_sign_fields(json_t *obj, struct vds_header *h, struct vds_visa *v,
                            uint8_t *additional)
{
    int rc;
    json_t *dur = json_object_get(obj, "duration_of_stay");
    if (!json_is_object(dur))
        return cli_error(CLI_MALFORMED,
                         json_object_get(obj, "duration_of_stay") ? "bad_field" : "missing_field",
                         "duration_of_stay: an object {\"days\",\"months\",\"years\"} is required");
    const char *key;
    json_t *val;
    json_object_foreach(dur, key, val)
    {
        if (strcmp(key, "days") && strcmp(key, "months") && strcmp(key, "years"))
            return cli_error(CLI_MALFORMED, "unknown_field",
                             "duration_of_stay.%s: not a known field", key);
    }
    if ((rc = json_byte(dur, "days", "duration_of_stay.", &v->duration_days)) ||
        (rc = json_byte(dur, "months", "duration_of_stay.", &v->duration_months)) ||
        (rc = json_byte(dur, "years", "duration_of_stay.", &v->duration_years)))
        return rc;
    if (json_object_get(obj, "entries")) {
        v->has_entries = true;
        if ((rc = json_byte(obj, "entries", "", &v->entries)))
            return rc;
    }
    const char *pn = json_string_value(json_object_get(obj, "passport_number"));
    if (!pn)
        return cli_error(CLI_MALFORMED,
                         json_object_get(obj, "passport_number") ? "bad_field" : "missing_field",
                         "passport_number: a string of 1-9 letters and digits is required");
    size_t pl = strlen(pn);
    if (pl == 0 || pl > 9)
        return cli_error(CLI_MALFORMED, "bad_field", "passport_number: 1-9 characters");
    for (size_t i = 0; i < 9; i++) {
        char c = i < pl ? pn[i] : '<';
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '<'))
            return cli_error(CLI_MALFORMED, "bad_field",
                             "passport_number: only letters A-Z and digits");
        v->passport_number[i] = c;
    }
    v->passport_number[9] = '\0';
    if ((rc = json_hex_field(obj, "visa_type", 1, 4, v->visa_type, &v->visa_type_len)))
        return rc;
    if (json_object_get(obj, "additional_feature")) {
        v->has_additional = true;
        if ((rc =
                 json_hex_field(obj, "additional_feature", 0, 254, additional, &v->additional_len)))
            return rc;
        v->additional = additional;
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    struct vds_date today = {(uint16_t)(tm.tm_year + 1900), (uint8_t)(tm.tm_mon + 1),
                             (uint8_t)tm.tm_mday};
    if ((rc = json_date_field(obj, "issue_date", today, &h->issue_date)) ||
        (rc = json_date_field(obj, "signature_date", today, &h->signature_date)))
        return rc;
    return 0;
}

static int write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n) {
        if (f)
            fclose(f);
        return cli_error(CLI_MALFORMED, "io_error", "%s: cannot write", path);
    }
    if (fclose(f) != 0)
        return cli_error(CLI_MALFORMED, "io_error", "%s: cannot write", path);
    return 0;
}

static int write_symbols(const struct seal_opts *o, const uint8_t *seal, size_t n)
{
    int rc;
    if (o->png) {
        uint8_t *png;
        size_t len;
        if ((rc = dm_render_png(seal, n, NULL, &png, &len)) < 0)
            return cli_error(CLI_MALFORMED, cli_err_code(rc), "%s", cli_err_message(rc));
        rc = write_file(o->png, png, len);
        free(png);
        if (rc)
            return rc;
    }
    if (o->svg) {
        char *svg;
        size_t len;
        if ((rc = dm_render_svg(seal, n, NULL, &svg, &len)) < 0)
            return cli_error(CLI_MALFORMED, cli_err_code(rc), "%s", cli_err_message(rc));
        rc = write_file(o->svg, svg, len);
        free(svg);
        if (rc)
            return rc;
    }
    return 0;
}

/* Builds and signs the seal; prints its hex.  Owns nothing passed in. */
static int sign_seal(const struct seal_opts *o, json_t *obj, EVP_PKEY *key, X509 *cert)
{
    struct visa_json vj;
    int rc = visa_json_read(obj, sign_keys, &vj);
    if (rc)
        return rc;
    const char *type = json_string_value(json_object_get(obj, "type"));
    if (!type || (strcmp(type, "A") && strcmp(type, "B")))
        return cli_error(CLI_MALFORMED,
                         json_object_get(obj, "type") ? "bad_field" : "missing_field",
                         "type: \"A\" (MRV-A) or \"B\" (MRV-B) is required");
    enum mrz_format format = type[0] == 'A' ? MRZ_FORMAT_MRV_A : MRZ_FORMAT_MRV_B;

    struct vds_header h = {0};
    struct vds_visa v = {0};
    uint8_t additional[254];
    if ((rc = read_sign_fields(obj, &h, &v, additional)))
        return rc;
    char l1[MRZ_LINE_MAX + 1], l2[MRZ_LINE_MAX + 1];
    struct mrz_build_error berr;
    if ((rc = mrz_build_visa(format, &vj.mrv, l1, l2, NULL, &berr)) < 0)
        return visa_json_build_error(rc, &berr);
    v.mrz_tag = format == MRZ_FORMAT_MRV_A ? VDS_TAG_MRZ_MRVA : VDS_TAG_MRZ_MRVB;
    memcpy(v.mrz_line1, l1, sizeof v.mrz_line1);
    memcpy(v.mrz_line2, l2, 28);
    v.mrz_line2[28] = '\0';

    char ref[SIGNER_REF_MAX + 1];
    if ((rc = signer_cert_reference(cert, h.signer_id, sizeof h.signer_id, ref, sizeof ref)) < 0)
        return cli_error(CLI_MALFORMED, cli_err_code(rc), "%s: %s", o->cert, cli_err_message(rc));
    size_t rl = strlen(ref);
    if (o->version == 3) {
        if (rl > 5)
            return cli_error(CLI_MALFORMED, "bad_field",
                             "--version 3 needs a certificate serial of at most 5 hex digits");
        snprintf(h.cert_ref, sizeof h.cert_ref, "%.*s%s", (int)(5 - rl), "00000", ref);
    } else {
        snprintf(h.cert_ref, sizeof h.cert_ref, "%s", ref);
    }
    h.version = o->version;
    memcpy(h.issuing_country, l1 + 2, 3);
    h.issuing_country[3] = '\0';

    uint8_t seal[VDS_MAX_BYTES];
    size_t len, total, rs_len;
    uint8_t rs[SEAL_SIG_MAX];
    if ((rc = vds_encode_visa(&h, &v, seal, sizeof seal, &len)) < 0)
        return cli_error(CLI_MALFORMED, icao_err_code(rc), "%s", icao_err_message(rc));
    if ((rc = seal_sig_sign(key, seal, len, rs, sizeof rs, &rs_len)) < 0)
        return cli_error(CLI_MALFORMED, cli_err_code(rc), "%s", cli_err_message(rc));
    if ((rc = vds_append_signature(seal, len, sizeof seal, rs, rs_len, &total)) < 0)
        return cli_error(CLI_MALFORMED, icao_err_code(rc), "%s", icao_err_message(rc));
    if ((rc = write_symbols(o, seal, total)))
        return rc;
    json_t *hex = seal_json_hex(seal, total);
    printf("%s\n", json_string_value(hex));
    json_decref(hex);
    return CLI_OK;
}

static int seal_sign(int argc, char **argv)
{
    struct seal_opts o;
    int rc = parse_opts(argc, argv, "kcvps", &o);
    if (rc)
        return rc;
    if (!o.key || !o.cert)
        return cli_error(CLI_USAGE, "usage",
                         "evisa seal sign --key KEY.pem --cert CERT.pem [--version 3|4] "
                         "[--png FILE] [--svg FILE] < fields.json");
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    json_t *obj = NULL;
    if ((rc = signer_key_load_file(o.key, &key)) < 0) {
        rc = cli_error(CLI_MALFORMED, cli_err_code(rc), "%s: %s", o.key, cli_err_message(rc));
    } else if ((rc = signer_cert_load_file(o.cert, &cert)) < 0) {
        rc = cli_error(CLI_MALFORMED, cli_err_code(rc), "%s: %s", o.cert, cli_err_message(rc));
    } else if (signer_key_matches_cert(key, cert) != 0) {
        rc = cli_error(CLI_MALFORMED, "cert_mismatch", "%s is not the certificate of %s", o.cert,
                       o.key);
    } else if (!(obj = visa_json_read_stdin())) {
        rc = CLI_MALFORMED;
    } else {
        rc = sign_seal(&o, obj, key, cert);
    }
    json_decref(obj);
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}

int cmd_seal(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "decode"))
        return seal_decode(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "verify"))
        return seal_verify(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "sign"))
        return seal_sign(argc - 1, argv + 1);
    return cli_error(CLI_USAGE, "usage", "evisa seal decode|verify|sign (see evisa --help)");
}
