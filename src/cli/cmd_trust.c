/*
 * cmd_trust.c — the `evisa trust` subcommands, which maintain a verifier's
 * local trust store (verify/trust.h) and make signed revocation lists
 * (verify/revlist.h):
 *
 *   evisa trust add --state AZE --csca CSCA.pem [--ds DS.pem ...] [--revoked FILE] --into DIR
 *   evisa trust revlist --state AZE --key CSCA.key.pem --numbers FILE|-
 *                       --next-update-hours N --out FILE [--issued UNIX]
 *   evisa trust show DIR
 *   evisa trust fetch URL --state AZE --into DIR
 *
 * Exit codes: 0 done, 1 refused (certificate does not chain, wrong State,
 * bad signature, cannot write), 2 malformed input (unreadable certificate,
 * list or numbers file), 64 usage (also an unknown State).  fetch: 1 also
 * when the server cannot be reached or answers with an error, 2 when its
 * index is not the expected JSON.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/x509.h>

#include <curl/curl.h>
#include <jansson.h>

#include "cli/cli.h"
#include "crypto/signer_cert.h"
#include "verify/revlist.h"
#include "verify/trust.h"

#define TRUST_DS_ARGS_MAX TRUST_DS_MAX
#define HOURS_MAX (24L * 366L * 10L) /* next update at most ten years ahead */

static const char trust_usage[] =
    "usage: evisa trust add --state STATE --csca CSCA.pem [--ds DS.pem ...] [--revoked FILE]\n"
    "                       --into DIR\n"
    "       evisa trust revlist --state STATE --key CSCA.key.pem --numbers FILE|-\n"
    "                       --next-update-hours N --out FILE [--issued UNIX]\n"
    "       evisa trust show DIR\n"
    "       evisa trust fetch URL --state STATE --into DIR\n"
    "  add       validate a State's CSCA (self-signed CA of that State) and document\n"
    "            signers (issued by it) and copy them into the trust store DIR;\n"
    "            --revoked installs the State's signed revocation list as well\n"
    "  revlist   build a revocation list from visa numbers (one per line, '#' comments)\n"
    "            and sign it with the State's CSCA key\n"
    "  show      list the States, CSCAs, document signers and revocation lists of DIR\n"
    "  fetch     download a State's certificates (URL/trust/STATE/index.json) and signed\n"
    "            revocation list (URL/trust/STATE/revoked) from an evisa server and add\n"
    "            them to DIR, with the same checks as add\n";

/* Exit code for a trust_err code. */
static int exit_for(int rc)
{
    switch (-rc) {
    case TRUST_E_BAD_STATE:
        return CLI_USAGE;
    case TRUST_E_BAD_CERT:
    case TRUST_E_BAD_KEY:
    case TRUST_E_TOO_LARGE:
    case TRUST_E_BAD_MAGIC:
    case TRUST_E_UNSUPPORTED_VERSION:
    case TRUST_E_TRUNCATED:
    case TRUST_E_TRAILING_DATA:
    case TRUST_E_BAD_TIME:
    case TRUST_E_BAD_NUMBER:
    case TRUST_E_NOT_SORTED:
    case TRUST_E_BAD_SIG_LENGTH:
    case TRUST_E_TOO_MANY:
        return CLI_MALFORMED;
    default:
        return CLI_INVALID;
    }
}

/* Takes the value of option argv[*i] ("--name VALUE" or "--name=VALUE"). */
static bool option_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return false;
    if (argv[*i][n] == '=') {
        *value = argv[*i] + n + 1;
        return true;
    }
    if (argv[*i][n] != '\0')
        return false;
    if (*i + 1 >= argc) {
        *value = NULL;
        return true;
    }
    *value = argv[++*i];
    return true;
}

static bool parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static int trust_add_cmd(int argc, char **argv)
{
    const char *state = NULL, *csca = NULL, *into = NULL, *revoked = NULL;
    const char *ds[TRUST_DS_ARGS_MAX];
    size_t n_ds = 0;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL, *opt = argv[i];
        if (option_value(argc, argv, &i, "--state", &v))
            state = v;
        else if (option_value(argc, argv, &i, "--csca", &v))
            csca = v;
        else if (option_value(argc, argv, &i, "--into", &v))
            into = v;
        else if (option_value(argc, argv, &i, "--revoked", &v))
            revoked = v;
        else if (option_value(argc, argv, &i, "--ds", &v)) {
            if (v && n_ds >= TRUST_DS_ARGS_MAX)
                return cli_error(CLI_USAGE, "usage", "evisa trust add: at most %d --ds",
                                 TRUST_DS_ARGS_MAX);
            if (v)
                ds[n_ds++] = v;
        } else
            return cli_error(CLI_USAGE, "usage", "evisa trust add: unknown argument '%s'", opt);
        if (!v)
            return cli_error(CLI_USAGE, "usage", "evisa trust add: %s needs a value", opt);
    }
    if (!state || !csca || !into)
        return cli_error(CLI_USAGE, "usage",
                         "evisa trust add: --state, --csca and --into are required");
    char err[TRUST_PATH_MAX + 256];
    int rc = trust_add(into, state, csca, ds, n_ds, err, sizeof err);
    if (rc < 0)
        return cli_error(exit_for(rc), trust_err_code(rc), "%s", err);
    printf("added %s: CSCA %s and %zu document signer%s into %s\n", state, csca, n_ds,
           n_ds == 1 ? "" : "s", into);
    if (revoked) {
        size_t len = 0;
        uint8_t *buf = cli_read_file(revoked, REVLIST_FILE_MAX, &len);
        if (!buf)
            return CLI_MALFORMED;
        rc = trust_set_revlist(into, state, buf, len, err, sizeof err);
        free(buf);
        if (rc < 0)
            return cli_error(exit_for(rc), trust_err_code(rc), "%s", err);
        printf("installed the revocation list %s of %s\n", revoked, state);
    }
    return CLI_OK;
}

/* Reads visa numbers, one per line (blank lines and '#' comments skipped,
 * spaces trimmed), into a malloc'd array. */
static int read_numbers(const char *path, char (**out)[16], size_t *n)
{
    size_t len = 0;
    char *text = NULL;
    if (!strcmp(path, "-"))
        text = cli_read_stdin(&len);
    else
        text = (char *)cli_read_file(path, CLI_STDIN_MAX, &len);
    if (!text)
        return CLI_MALFORMED;
    size_t cap = 64, count = 0, line_no = 0;
    char(*nums)[16] = malloc(cap * sizeof *nums);
    int rc = nums ? CLI_OK : CLI_INVALID;
    for (size_t pos = 0; rc == CLI_OK && pos < len;) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        size_t a = pos, b = end;
        line_no++;
        pos = end + 1;
        while (a < b && (text[a] == ' ' || text[a] == '\t'))
            a++;
        while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t' || text[b - 1] == '\r'))
            b--;
        if (a == b || text[a] == '#')
            continue;
        if (b - a > REVLIST_NUMBER_LEN || memchr(text + a, '\0', b - a)) {
            rc = cli_error(CLI_MALFORMED, trust_err_code(-TRUST_E_BAD_NUMBER),
                           "%s:%zu: a visa number has 1-9 characters A-Z 0-9 <", path, line_no);
            break;
        }
        if (count >= REVLIST_MAX) {
            rc = cli_error(CLI_MALFORMED, trust_err_code(-TRUST_E_TOO_MANY),
                           "%s: more than %u visa numbers", path, REVLIST_MAX);
            break;
        }
        if (count == cap) {
            char(*grown)[16] = realloc(nums, 2 * cap * sizeof *nums);
            if (!grown) {
                rc = cli_error(CLI_INVALID, "out_of_memory", "cannot hold the numbers");
                break;
            }
            nums = grown;
            cap *= 2;
        }
        memset(nums[count], 0, sizeof nums[count]);
        memcpy(nums[count], text + a, b - a);
        count++;
    }
    free(text);
    if (rc != CLI_OK) {
        free(nums);
        return rc;
    }
    *out = nums;
    *n = count;
    return CLI_OK;
}

static int write_out(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return cli_error(CLI_INVALID, "io_error", "%s: cannot create", path);
    bool ok = fwrite(data, 1, len, f) == len;
    if (fclose(f) != 0 || !ok)
        return cli_error(CLI_INVALID, "io_error", "%s: cannot write", path);
    return CLI_OK;
}

static void format_time(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, cap, "%lld", (long long)t);
}

static int trust_revlist_cmd(int argc, char **argv)
{
    const char *state = NULL, *key_path = NULL, *numbers = NULL, *hours = NULL, *out = NULL,
               *issued_s = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL, *opt = argv[i];
        if (option_value(argc, argv, &i, "--state", &v))
            state = v;
        else if (option_value(argc, argv, &i, "--key", &v))
            key_path = v;
        else if (option_value(argc, argv, &i, "--numbers", &v))
            numbers = v;
        else if (option_value(argc, argv, &i, "--next-update-hours", &v))
            hours = v;
        else if (option_value(argc, argv, &i, "--out", &v))
            out = v;
        else if (option_value(argc, argv, &i, "--issued", &v))
            issued_s = v;
        else
            return cli_error(CLI_USAGE, "usage", "evisa trust revlist: unknown argument '%s'", opt);
        if (!v)
            return cli_error(CLI_USAGE, "usage", "evisa trust revlist: %s needs a value", opt);
    }
    if (!state || !key_path || !numbers || !hours || !out)
        return cli_error(CLI_USAGE, "usage",
                         "evisa trust revlist: --state, --key, --numbers, --next-update-hours "
                         "and --out are required");
    long h = 0, issued_l = 0;
    if (!parse_long(hours, 1, HOURS_MAX, &h))
        return cli_error(CLI_USAGE, "usage",
                         "evisa trust revlist: --next-update-hours takes 1 to %ld", HOURS_MAX);
    if (issued_s &&
        !parse_long(issued_s, 0, (long)(REVLIST_TIME_MAX - HOURS_MAX * 3600), &issued_l))
        return cli_error(CLI_USAGE, "usage", "evisa trust revlist: --issued takes Unix seconds");
    time_t issued = issued_s ? (time_t)issued_l : time(NULL);

    EVP_PKEY *key = NULL;
    if (signer_key_load_file(key_path, &key) < 0)
        return cli_error(CLI_MALFORMED, trust_err_code(-TRUST_E_BAD_KEY),
                         "%s: not an unencrypted PEM EC private key", key_path);
    char(*nums)[16] = NULL;
    size_t n = 0;
    int rc = read_numbers(numbers, &nums, &n);
    if (rc != CLI_OK) {
        EVP_PKEY_free(key);
        return rc;
    }
    uint8_t *buf = NULL;
    size_t len = 0;
    rc = revlist_build(state, issued, issued + (time_t)h * 3600, (const char(*)[16])nums, n, key,
                       &buf, &len);
    EVP_PKEY_free(key);
    free(nums);
    if (rc < 0)
        return cli_error(exit_for(rc), trust_err_code(rc), "%s", trust_err_message(rc));
    int ex = write_out(out, buf, len);
    if (ex == CLI_OK) {
        struct revlist rl;
        char a[32], b[32];
        if (revlist_parse(buf, len, &rl) == 0) {
            format_time(rl.issued, a, sizeof a);
            format_time(rl.next_update, b, sizeof b);
            printf("wrote %s: %s, %zu revoked visa%s, issued %s, next update %s, %zu bytes\n", out,
                   rl.state, rl.count, rl.count == 1 ? "" : "s", a, b, len);
        }
        revlist_free(&rl);
    }
    free(buf);
    return ex;
}

static void print_cert_dates(X509 *cert)
{
    struct tm a, b;
    char from[16] = "?", to[16] = "?";
    if (ASN1_TIME_to_tm(X509_get0_notBefore(cert), &a) == 1)
        strftime(from, sizeof from, "%Y-%m-%d", &a);
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &b) == 1)
        strftime(to, sizeof to, "%Y-%m-%d", &b);
    const char *note = "";
    if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0)
        note = " (expired)";
    else if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0)
        note = " (not yet valid)";
    printf("valid %s .. %s%s", from, to, note);
}

static void print_serial(X509 *cert)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    printf("serial %s", hex ? hex : "?");
    OPENSSL_free(hex);
    BN_free(bn);
}

static int trust_show_cmd(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-')
        return cli_error(CLI_USAGE, "usage", "evisa trust show: give the trust store DIR");
    struct trust *t = NULL;
    char err[TRUST_PATH_MAX + 256];
    int rc = trust_open(argv[1], &t, err, sizeof err);
    if (rc < 0)
        return cli_error(exit_for(rc), trust_err_code(rc), "%s", err);
    time_t now = time(NULL);
    printf("trust store %s: %zu State%s\n", argv[1], trust_state_count(t),
           trust_state_count(t) == 1 ? "" : "s");
    for (size_t i = 0; i < trust_state_count(t); i++) {
        const char *st = trust_state_name(t, i);
        printf("%s\n", st);
        for (size_t j = 0; j < trust_cert_count(t, st, TRUST_CSCA); j++) {
            X509 *c = trust_cert_at(t, st, TRUST_CSCA, j);
            char subject[256];
            X509_NAME_oneline(X509_get_subject_name(c), subject, sizeof subject);
            printf("  csca %s ", subject);
            print_serial(c);
            printf(" ");
            print_cert_dates(c);
            printf("\n");
        }
        for (size_t j = 0; j < trust_cert_count(t, st, TRUST_DS); j++) {
            X509 *c = trust_cert_at(t, st, TRUST_DS, j);
            char id[SIGNER_ID_LEN + 1] = "?", ref[SIGNER_REF_MAX + 1] = "?";
            if (signer_cert_reference(c, id, sizeof id, ref, sizeof ref) < 0)
                snprintf(id, sizeof id, "?");
            printf("  ds   %s ", id);
            print_serial(c);
            printf(" ");
            print_cert_dates(c);
            printf("\n");
        }
        int rl_err = 0;
        const struct revlist *rl = trust_revlist(t, st, &rl_err);
        if (rl) {
            char a[32], b[32];
            format_time(rl->issued, a, sizeof a);
            format_time(rl->next_update, b, sizeof b);
            int fresh = revlist_fresh(rl, now);
            printf("  revoked %zu visa%s, issued %s, next update %s: %s\n", rl->count,
                   rl->count == 1 ? "" : "s", a, b, fresh == 0 ? "fresh" : trust_err_code(fresh));
        } else if (rl_err < 0) {
            printf("  revoked list refused: %s (%s)\n", trust_err_code(rl_err),
                   trust_err_message(rl_err));
        } else {
            printf("  revoked no list\n");
        }
    }
    trust_close(t);
    return CLI_OK;
}

/* ---- fetch ------------------------------------------------------------- */

#define FETCH_INDEX_MAX (64u * 1024u) /* index.json */
#define FETCH_TIMEOUT_S 30L
#define FETCH_URL_MAX 2048

struct fetch_buf {
    uint8_t *p;
    size_t len, max;
    bool over;
};

static size_t fetch_write(char *data, size_t size, size_t nmemb, void *arg)
{
    struct fetch_buf *b = arg;
    size_t n = size * nmemb;
    if (n > b->max - b->len) {
        b->over = true;
        return 0; /* aborts the transfer */
    }
    uint8_t *q = realloc(b->p, b->len + n + 1);
    if (!q)
        return 0;
    memcpy(q + b->len, data, n);
    b->p = q;
    b->len += n;
    b->p[b->len] = '\0';
    return n;
}

/* GETs url (http or https only, no redirects) into *b (at most max bytes).
 * 0, or a CLI exit code after printing the error. */
static int fetch_url(const char *url, size_t max, struct fetch_buf *b)
{
    *b = (struct fetch_buf){.max = max};
    CURL *c = curl_easy_init();
    if (!c)
        return cli_error(CLI_INVALID, "fetch_failed", "%s: cannot start libcurl", url);
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, FETCH_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "evisa-trust-fetch/1");
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    if (b->over)
        return cli_error(CLI_MALFORMED, "too_large", "%s: the answer is over %zu bytes", url, max);
    if (rc != CURLE_OK)
        return cli_error(CLI_INVALID, "fetch_failed", "%s: %s", url,
                         cerr[0] ? cerr : curl_easy_strerror(rc));
    if (status != 200)
        return cli_error(CLI_INVALID, "fetch_failed", "%s: HTTP status %ld", url, status);
    return 0;
}

/* Writes text to DIR/name (a private temporary directory); 0 or -1. */
static int write_temp(const char *dir, const char *name, const char *text, char *path, size_t cap)
{
    int k = snprintf(path, cap, "%s/%s", dir, name);
    if (k < 0 || (size_t)k >= cap)
        return -1;
    FILE *f = fopen(path, "wx");
    if (!f)
        return -1;
    size_t n = strlen(text);
    bool ok = fwrite(text, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* The strings of a JSON array of PEM texts (1..max entries when need). */
static bool pem_array(json_t *a, size_t max, bool need)
{
    if (!json_is_array(a) || json_array_size(a) > max || (need && json_array_size(a) == 0))
        return false;
    for (size_t i = 0; i < json_array_size(a); i++)
        if (!json_is_string(json_array_get(a, i)))
            return false;
    return true;
}

/* Removes the temporary files and directory. */
static void remove_temp(const char *dir, size_t n_files, char (*paths)[TRUST_PATH_MAX])
{
    for (size_t i = 0; i < n_files; i++)
        remove(paths[i]);
    rmdir(dir);
}

static int trust_fetch_cmd(int argc, char **argv)
{
    const char *url = NULL, *state = NULL, *into = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = NULL, *opt = argv[i];
        if (option_value(argc, argv, &i, "--state", &v))
            state = v;
        else if (option_value(argc, argv, &i, "--into", &v))
            into = v;
        else if (opt[0] != '-' && !url) {
            url = opt;
            continue;
        } else
            return cli_error(CLI_USAGE, "usage", "evisa trust fetch: unknown argument '%s'", opt);
        if (!v)
            return cli_error(CLI_USAGE, "usage", "evisa trust fetch: %s needs a value", opt);
    }
    if (!url || !state || !into)
        return cli_error(CLI_USAGE, "usage",
                         "evisa trust fetch: URL, --state and --into are required");
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return cli_error(CLI_USAGE, "usage", "evisa trust fetch: URL must be http:// or https://");
    size_t sl = strlen(state);
    if (sl == 0 || sl > 3 || strspn(state, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != sl)
        return cli_error(CLI_USAGE, "unknown_state", "evisa trust fetch: bad state code '%s'",
                         state);
    size_t ul = strlen(url);
    while (ul > 0 && url[ul - 1] == '/')
        ul--; /* "http://host/" and "http://host" name the same server */
    char index_url[FETCH_URL_MAX], revoked_url[FETCH_URL_MAX];
    int a = snprintf(index_url, sizeof index_url, "%.*s/trust/%s/index.json", (int)ul, url, state);
    int b = snprintf(revoked_url, sizeof revoked_url, "%.*s/trust/%s/revoked", (int)ul, url, state);
    if (a < 0 || b < 0 || (size_t)a >= sizeof index_url || (size_t)b >= sizeof revoked_url)
        return cli_error(CLI_USAGE, "usage", "evisa trust fetch: URL too long");

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return cli_error(CLI_INVALID, "fetch_failed", "cannot start libcurl");
    struct fetch_buf idx = {0}, rev = {0};
    json_t *root = NULL;
    char tmp[] = "/tmp/evisa-fetch-XXXXXX";
    bool have_tmp = false;
    static char paths[1 + TRUST_DS_MAX + TRUST_CSCA_MAX][TRUST_PATH_MAX];
    size_t n_paths = 0;
    const char *ds[TRUST_DS_MAX];
    char err[TRUST_PATH_MAX + 256];
    int rc = fetch_url(index_url, FETCH_INDEX_MAX, &idx);
    if (rc)
        goto out;
    json_error_t jerr;
    root = json_loadb((const char *)idx.p, idx.len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *js = root ? json_object_get(root, "state") : NULL;
    json_t *jc = root ? json_object_get(root, "csca") : NULL;
    json_t *jd = root ? json_object_get(root, "ds") : NULL;
    if (!json_is_object(root) || !json_is_string(js) || !pem_array(jc, TRUST_CSCA_MAX, true) ||
        !pem_array(jd, TRUST_DS_MAX, false)) {
        rc = cli_error(CLI_MALFORMED, "bad_json",
                       "%s: not a trust index (state, csca[], ds[] of PEM texts)", index_url);
        goto out;
    }
    if (strcmp(json_string_value(js), state) != 0) {
        rc = cli_error(CLI_INVALID, "state_mismatch", "%s: the index is of %s, not %s", index_url,
                       json_string_value(js), state);
        goto out;
    }
    if (!mkdtemp(tmp)) {
        rc = cli_error(CLI_INVALID, "io_error", "cannot create a temporary directory");
        goto out;
    }
    have_tmp = true;
    size_t n_ds = json_array_size(jd), n_csca = json_array_size(jc);
    for (size_t i = 0; i < n_csca + n_ds; i++) {
        char name[32];
        snprintf(name, sizeof name, i < n_csca ? "csca-%zu.pem" : "ds-%zu.pem", i);
        json_t *t = i < n_csca ? json_array_get(jc, i) : json_array_get(jd, i - n_csca);
        if (write_temp(tmp, name, json_string_value(t), paths[n_paths], sizeof paths[0]) < 0) {
            rc = cli_error(CLI_INVALID, "io_error", "%s: cannot write a temporary file", tmp);
            goto out;
        }
        n_paths++;
        if (i >= n_csca)
            ds[i - n_csca] = paths[i];
    }
    /* The document signers come with the first CSCA (they must chain to it);
     * further CSCAs (a rollover) are added on their own. */
    for (size_t i = 0; i < n_csca; i++) {
        int t = trust_add(into, state, paths[i], i == 0 ? ds : NULL, i == 0 ? n_ds : 0, err,
                          sizeof err);
        if (t < 0) {
            rc = cli_error(exit_for(t), trust_err_code(t), "%s", err);
            goto out;
        }
    }
    printf("added %s: %zu CSCA%s and %zu document signer%s from %s into %s\n", state, n_csca,
           n_csca == 1 ? "" : "s", n_ds, n_ds == 1 ? "" : "s", index_url, into);
    rc = fetch_url(revoked_url, REVLIST_FILE_MAX, &rev);
    if (rc)
        goto out;
    int t = trust_set_revlist(into, state, rev.p, rev.len, err, sizeof err);
    if (t < 0) {
        rc = cli_error(exit_for(t), trust_err_code(t), "%s", err);
        goto out;
    }
    struct revlist rl = {0};
    if (revlist_parse(rev.p, rev.len, &rl) == 0) {
        char next[32];
        format_time(rl.next_update, next, sizeof next);
        printf("installed the revocation list of %s: %zu revoked, next update %s\n", state,
               rl.count, next);
    }
    revlist_free(&rl);
    rc = CLI_OK;
out:
    if (have_tmp)
        remove_temp(tmp, n_paths, paths);
    json_decref(root);
    free(idx.p);
    free(rev.p);
    curl_global_cleanup();
    return rc;
}

int cmd_trust(int argc, char **argv)
{
    if (argc < 2)
        return cli_error(CLI_USAGE, "usage",
                         "evisa trust: missing subcommand (try: trust add, revlist, show)");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(trust_usage, stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "add"))
        return trust_add_cmd(argc - 1, argv + 1);
    if (!strcmp(argv[1], "revlist"))
        return trust_revlist_cmd(argc - 1, argv + 1);
    if (!strcmp(argv[1], "show"))
        return trust_show_cmd(argc - 1, argv + 1);
    if (!strcmp(argv[1], "fetch"))
        return trust_fetch_cmd(argc - 1, argv + 1);
    return cli_error(CLI_USAGE, "usage", "evisa trust: unknown subcommand '%s'", argv[1]);
}
