/*
 * cmd_verify.c — `evisa verify`: the offline verdict on a visa seal read from
 * a photo or scan of its DataMatrix (PNG/JPEG), from hex, or from standard
 * input, against a local trust store (verify/trust.h) and optionally a
 * signed revocation list file.  Prints the verdict line first, then the visa
 * data and the MRZ rebuilt from the seal (or JSON with --json).
 *
 *   evisa verify IMAGE|--hex HEX|- --trust DIR [--revoked FILE] [--json] [--at UNIX]
 *
 * Exit codes: 0 VALID, 1 any other verdict, 2 malformed input (unreadable
 * image, no DataMatrix, bad hex, a seal that does not decode, a trust store
 * or revocation list that cannot be used), 64 usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "cli/cli.h"
#include "cli/seal_json.h"
#include "cli/visa_json.h"
#include "icao/vds.h"
#include "render/datamatrix.h"
#include "verify/revlist.h"
#include "verify/trust.h"
#include "verify/trust_err.h"
#include "verify/verifier.h"

#define VERIFY_IMAGE_MAX (12u << 20)

static const char verify_usage[] =
    "usage: evisa verify IMAGE|--hex HEX|- --trust DIR [--revoked FILE] [--json] [--at UNIX]\n"
    "  IMAGE          a PNG or JPEG photo or scan of the visa's DataMatrix\n"
    "  --hex HEX      the seal as hexadecimal digits\n"
    "  -              standard input: an image, or the seal as hex\n"
    "  --trust DIR    trust store (DIR/<STATE>/csca.pem, DIR/<STATE>/ds/*.pem,\n"
    "                 DIR/<STATE>/revoked.bin)\n"
    "  --revoked FILE a signed revocation list to use instead of the trust store's\n"
    "  --json         print the verdict and the data as JSON\n"
    "  --at UNIX      check as of this time (seconds since 1970) instead of now\n"
    "exit codes: 0 VALID, 1 INVALID/REVOKED/EXPIRED/UNKNOWN SIGNER/STALE REVOCATION LIST,\n"
    "2 malformed input, 64 usage\n";

struct verify_opts {
    const char *input; /* IMAGE path or "-" */
    const char *hex;
    const char *trust;
    const char *revoked;
    bool json;
    time_t at;
};

static int parse_args(int argc, char **argv, struct verify_opts *o)
{
    memset(o, 0, sizeof *o);
    o->at = time(NULL);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(verify_usage, stdout);
            return -1;
        }
        if (!strcmp(a, "--json")) {
            o->json = true;
            continue;
        }
        if (!strcmp(a, "-") || a[0] != '-') {
            if (o->input || o->hex)
                return cli_error(CLI_USAGE, "usage", "evisa verify: one input only");
            o->input = a;
            continue;
        }
        const char **slot = NULL;
        bool is_at = !strcmp(a, "--at");
        if (!strcmp(a, "--hex"))
            slot = &o->hex;
        else if (!strcmp(a, "--trust"))
            slot = &o->trust;
        else if (!strcmp(a, "--revoked"))
            slot = &o->revoked;
        else if (!is_at)
            return cli_error(CLI_USAGE, "usage", "evisa verify: unknown option '%s'", a);
        if (i + 1 >= argc)
            return cli_error(CLI_USAGE, "usage", "evisa verify: %s needs a value", a);
        const char *val = argv[++i];
        if (is_at) {
            char *end;
            errno = 0;
            long long t = strtoll(val, &end, 10);
            if (errno || end == val || *end || t < 0 || t > REVLIST_TIME_MAX)
                return cli_error(CLI_USAGE, "usage", "evisa verify: --at takes Unix seconds");
            o->at = (time_t)t;
            continue;
        }
        if (slot == &o->hex && o->input)
            return cli_error(CLI_USAGE, "usage", "evisa verify: one input only");
        *slot = val;
    }
    if ((!o->input && !o->hex) || !o->trust)
        return cli_error(CLI_USAGE, "usage",
                         "evisa verify IMAGE|--hex HEX|- --trust DIR [--revoked FILE] [--json] "
                         "[--at UNIX]");
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

static int hex_to_seal(const char *text, size_t len, uint8_t *seal, size_t *n)
{
    long got = parse_hex(text, len, seal, VDS_MAX_BYTES);
    if (got == -2)
        return cli_error(CLI_MALFORMED, "input_too_large", "a seal holds at most %d bytes",
                         VDS_MAX_BYTES);
    if (got <= 0)
        return cli_error(CLI_MALFORMED, "bad_hex", "the seal must be hexadecimal digits");
    *n = (size_t)got;
    return 0;
}

static bool looks_like_image(const uint8_t *b, size_t n)
{
    return (n >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8)) ||
           (n >= 3 && !memcmp(b, "\xff\xd8\xff", 3));
}

static int image_to_seal(const char *what, const uint8_t *img, size_t len, uint8_t *seal, size_t *n)
{
    int rc = dm_decode_image(img, len, seal, VDS_MAX_BYTES, n);
    if (rc < 0)
        return cli_error(CLI_MALFORMED, cli_err_code(rc), "%s: %s", what, cli_err_message(rc));
    return 0;
}

/* The seal bytes from --hex, an image file, or stdin (image or hex). */
static int read_seal(const struct verify_opts *o, uint8_t *seal, size_t *n)
{
    if (o->hex)
        return hex_to_seal(o->hex, strlen(o->hex), seal, n);
    size_t len;
    if (!strcmp(o->input, "-")) {
        char *in = cli_read_stdin(&len);
        if (!in)
            return CLI_MALFORMED;
        int rc = looks_like_image((const uint8_t *)in, len)
                     ? image_to_seal("standard input", (const uint8_t *)in, len, seal, n)
                     : hex_to_seal(in, len, seal, n);
        free(in);
        return rc;
    }
    uint8_t *img = cli_read_file(o->input, VERIFY_IMAGE_MAX, &len);
    if (!img)
        return CLI_MALFORMED;
    int rc = image_to_seal(o->input, img, len, seal, n);
    free(img);
    return rc;
}

/* Loads --revoked FILE and verifies it against its State's CSCAs in t. */
static int load_override(const char *path, const struct trust *t, struct revlist *rl)
{
    size_t len;
    uint8_t *data = cli_read_file(path, REVLIST_FILE_MAX, &len);
    if (!data)
        return CLI_MALFORMED;
    int rc = revlist_parse(data, len, rl);
    free(data);
    if (rc < 0)
        return cli_error(CLI_MALFORMED, cli_err_code(rc), "%s: %s", path, trust_err_message(rc));
    X509_STORE *cscas = trust_store_for(t, rl->state);
    rc = cscas ? revlist_verify(rl, rl->state, cscas, NULL) : -TRUST_E_NO_CSCA;
    if (rc < 0)
        return cli_error(CLI_MALFORMED, cli_err_code(rc), "%s: %s (revocation list of %s)", path,
                         trust_err_message(rc), rl->state);
    return 0;
}

static void iso_time(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, 32, "%" PRId64, t);
}

static void iso_date(struct vds_date d, char out[11])
{
    vds_date_format_iso(d, out);
}

static void subject_of(X509 *cert, char *out, size_t cap)
{
    out[0] = '\0';
    if (cert)
        X509_NAME_oneline(X509_get_subject_name(cert), out, (int)cap);
}

static json_t *visa_data_json(const struct verdict *v)
{
    const struct vds_seal *s = &v->seal;
    const struct mrz_parsed *m = &v->mrz;
    char d[11];
    json_t *j = json_object();
    json_object_set_new(j, "mrz_format",
                        json_string(s->visa.mrz_tag == VDS_TAG_MRZ_MRVA ? "MRV-A" : "MRV-B"));
    if (v->mrz_parsed) {
        json_object_set_new(j, "document_code", json_string(m->document_code));
        json_object_set_new(j, "issuing_state", json_string(m->issuing_state));
        json_object_set_new(j, "primary_identifier", json_string(m->primary));
        json_object_set_new(j, "secondary_identifier", json_string(m->secondary));
        json_object_set_new(j, "visa_number", json_string(v->visa_number));
        json_object_set_new(j, "nationality", json_string(m->nationality));
        json_object_set_new(j, "date_of_birth", json_string(m->birth));
        json_object_set_new(j, "sex", json_string(m->sex));
    }
    if (v->has_valid_until) {
        iso_date(v->valid_until, d);
        json_object_set_new(j, "valid_until", json_string(d));
    }
    json_object_set_new(j, "passport_number", json_string(s->visa.passport_number));
    json_object_set_new(j, "number_of_entries",
                        s->visa.has_entries ? json_integer(s->visa.entries) : json_null());
    json_object_set_new(j, "duration_of_stay",
                        json_pack("{s:i, s:i, s:i}", "days", s->visa.duration_days, "months",
                                  s->visa.duration_months, "years", s->visa.duration_years));
    if (s->visa.visa_type_len)
        json_object_set_new(j, "visa_type",
                            seal_json_hex(s->visa.visa_type, s->visa.visa_type_len));
    iso_date(s->header.issue_date, d);
    json_object_set_new(j, "issue_date", json_string(d));
    iso_date(s->header.signature_date, d);
    json_object_set_new(j, "signature_date", json_string(d));
    return j;
}

static json_t *verdict_json(const struct verdict *v)
{
    json_t *j = json_object();
    char when[32];
    json_object_set_new(j, "verdict", json_string(verdict_status_names[v->status]));
    json_object_set_new(j, "status", json_string(verdict_status_codes[v->status]));
    json_object_set_new(j, "reason",
                        v->status == VERDICT_INVALID ? json_string(verdict_reason_codes[v->reason])
                                                     : json_null());
    json_object_set_new(j, "error", v->error ? json_string(cli_err_code(v->error)) : json_null());
    json_object_set_new(j, "message", json_string(v->message));
    iso_time((int64_t)v->checked_at, when);
    json_object_set_new(j, "checked_at", json_string(when));
    json_t *rev = json_pack("{s:s}", "status", revocation_state_codes[v->revocation]);
    if (v->revocation == REVOCATION_FRESH || v->revocation == REVOCATION_STALE ||
        v->revocation == REVOCATION_FUTURE) {
        iso_time(v->revlist_issued, when);
        json_object_set_new(rev, "issued", json_string(when));
        iso_time(v->revlist_next_update, when);
        json_object_set_new(rev, "next_update", json_string(when));
    }
    json_object_set_new(j, "revocation", rev);
    if (!v->decoded)
        return j;
    const struct vds_header *h = &v->seal.header;
    char scr[5 + VDS_CERT_REF_MAX + 1], subject[256];
    seal_signer_cert_ref(h, scr, sizeof scr);
    subject_of(v->signer, subject, sizeof subject);
    json_t *signer = json_pack("{s:s, s:s, s:s}", "identifier", h->signer_id, "cert_ref",
                               h->cert_ref, "signer_cert_ref", scr);
    json_object_set_new(signer, "state",
                        v->signer_state[0] ? json_string(v->signer_state) : json_null());
    json_object_set_new(signer, "subject", v->signer ? json_string(subject) : json_null());
    json_object_set_new(j, "signer", signer);
    json_object_set_new(j, "issuing_country", json_string(h->issuing_country));
    if (v->seal.is_visa) {
        json_object_set_new(j, "visa", visa_data_json(v));
        json_t *mrz = json_object();
        json_object_set_new(mrz, "seal",
                            json_pack("[s,s]", v->seal.visa.mrz_line1, v->seal.visa.mrz_line2));
        if (v->mrz_line1[0])
            json_object_set_new(mrz, "rebuilt", json_pack("[s,s]", v->mrz_line1, v->mrz_line2));
        json_object_set_new(j, "mrz", mrz);
    }
    json_object_set_new(j, "seal", seal_json(&v->seal));
    return j;
}

static void print_text(const struct verdict *v)
{
    if (v->status == VERDICT_INVALID)
        printf("INVALID: %s\n", verdict_reason_codes[v->reason]);
    else
        printf("%s\n", verdict_status_names[v->status]);
    printf("%s\n", v->message);
    if (!v->decoded || !v->seal.is_visa)
        return;
    if (v->status != VERDICT_VALID)
        printf("\nThe data below is what the seal says; it is not confirmed by this verdict.\n");
    const struct vds_seal *s = &v->seal;
    const struct mrz_parsed *m = &v->mrz;
    char d[11], scr[5 + VDS_CERT_REF_MAX + 1], subject[256];
    printf("\nvisa\n");
    if (v->mrz_parsed) {
        printf("  issuing state     %s\n", m->issuing_state);
        printf("  visa number       %s\n", v->visa_number);
        printf("  name              %s%s%s\n", m->primary, m->secondary[0] ? ", " : "",
               m->secondary);
        printf("  nationality       %s\n", m->nationality);
        printf("  date of birth     %s (YYMMDD)\n", m->birth);
        printf("  sex               %s\n", m->sex);
    }
    if (v->has_valid_until) {
        iso_date(v->valid_until, d);
        printf("  valid until       %s\n", d);
    }
    printf("  passport number   %s\n", s->visa.passport_number);
    if (!s->visa.has_entries)
        printf("  entries           not stated\n");
    else if (s->visa.entries == 0)
        printf("  entries           unlimited\n");
    else
        printf("  entries           %u\n", s->visa.entries);
    printf("  duration of stay  %u days, %u months, %u years\n", s->visa.duration_days,
           s->visa.duration_months, s->visa.duration_years);
    if (s->visa.visa_type_len) {
        char hex[9];
        for (size_t i = 0; i < s->visa.visa_type_len; i++)
            snprintf(hex + 2 * i, 3, "%02X", s->visa.visa_type[i]);
        printf("  visa type         %s\n", hex);
    }
    iso_date(s->header.issue_date, d);
    printf("  issued            %s\n", d);
    iso_date(s->header.signature_date, d);
    printf("  signed            %s\n", d);
    seal_signer_cert_ref(&s->header, scr, sizeof scr);
    subject_of(v->signer, subject, sizeof subject);
    printf("  signer            %s%s%s%s%s\n", scr, v->signer_state[0] ? " of " : "",
           v->signer_state, v->signer ? ", " : " (not in the trust store)", subject);
    printf("  revocation list   %s\n", revocation_state_codes[v->revocation]);
    printf("\nMRZ rebuilt from the seal (compare with the printed visa; line 2 after "
           "position 28 is not in the seal, shown as <):\n  %s\n  %s\n",
           v->mrz_line1, v->mrz_line2);
    printf("what the seal says (line 1, first 28 characters of line 2):\n  %s\n  %s\n",
           s->visa.mrz_line1, s->visa.mrz_line2);
}

int cmd_verify(int argc, char **argv)
{
    struct verify_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    char why[512] = "";
    struct trust *t = NULL;
    if ((rc = trust_open(o.trust, &t, why, sizeof why)) < 0)
        return cli_error(CLI_MALFORMED, cli_err_code(rc), "%s",
                         why[0] ? why : trust_err_message(rc));
    struct revlist override = {0};
    uint8_t seal[VDS_MAX_BYTES];
    size_t n = 0;
    if ((o.revoked && (rc = load_override(o.revoked, t, &override))) ||
        (rc = read_seal(&o, seal, &n))) {
        revlist_free(&override);
        trust_close(t);
        return rc;
    }
    struct verdict *v = malloc(sizeof *v);
    if (!v) {
        revlist_free(&override);
        trust_close(t);
        return cli_error(CLI_MALFORMED, "no_memory", "out of memory");
    }
    rc = verifier_check(seal, n, t, o.revoked ? &override : NULL, o.at, v);
    int exit_code;
    if (rc < 0) {
        exit_code = cli_error(CLI_MALFORMED, cli_err_code(rc), "%s", v->message);
    } else {
        if (o.json)
            visa_json_print(verdict_json(v));
        else
            print_text(v);
        exit_code = v->status == VERDICT_VALID        ? CLI_OK
                    : v->reason == VREASON_BAD_FORMAT ? CLI_MALFORMED
                                                      : CLI_INVALID;
    }
    free(v);
    revlist_free(&override);
    trust_close(t);
    return exit_code;
}
