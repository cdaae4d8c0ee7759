/*
 * cmd_signer.c — `evisa signer`: the signer process (src/signer/signer.h).
 *
 *   evisa signer --keys DIR --socket PATH --log FILE [--die-with-parent] [--no-sandbox]
 *
 * Loads every state's document-signer key from DIR/<STATE>/, binds the
 * socket, opens the log, then (unless --no-sandbox) removes all of its own
 * filesystem access with Landlock and serves until killed.  `evisa serve`
 * starts it with --die-with-parent.  Exit codes: 1 cannot start (keys, log,
 * socket), 64 usage.
 *
 * Two client commands talk to a running signer (operations and tests):
 *
 *   evisa signer request --socket PATH --state STATE   (unsigned seal hex on stdin)
 *   evisa signer info --socket PATH --state STATE
 *
 * `request` prints the signed seal as hex (exit 0), or the signer's refusal
 * "evisa: <code>: <reason>" (exit 1; 2 for input that is not hex).  `info`
 * prints the state's signer id, cert ref and DS certificate as JSON.
 */
#define _GNU_SOURCE /* prctl PR_SET_PDEATHSIG */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cli/cli.h"
#include "cli/seal_json.h"
#include "icao/vds.h"
#include "signer/sandbox.h"
#include "signer/signer.h"
#include "signer/signer_client.h"

static const char signer_usage[] =
    "usage: evisa signer --keys DIR --socket PATH --log FILE [--die-with-parent] [--no-sandbox]\n"
    "  --keys DIR          one subdirectory per state with ds.key.pem and ds.cert.pem\n"
    "  --socket PATH       Unix socket to listen on (mode 0600; its directory 0700)\n"
    "  --log FILE          append-only log of every signature and refusal\n"
    "  --die-with-parent   exit when the parent process (evisa serve) exits\n"
    "  --no-sandbox        keep filesystem access (when the kernel lacks Landlock)\n"
    "       evisa signer request --socket PATH --state STATE   (unsigned seal hex on stdin)\n"
    "       evisa signer info --socket PATH --state STATE\n";

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Hex digits (whitespace ignored) to bytes; the count, or -1. */
static long unhex(const char *s, size_t n, uint8_t *out, size_t cap)
{
    size_t k = 0;
    int hi = -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')
            continue;
        int v = hex_digit(s[i]);
        if (v < 0)
            return -1;
        if (hi < 0) {
            hi = v;
            continue;
        }
        if (k == cap)
            return -1;
        out[k++] = (uint8_t)(hi << 4 | v);
        hi = -1;
    }
    return hi < 0 ? (long)k : -1;
}

/* request/info: the client side, for operations and tests. */
static int client_cmd(int argc, char **argv)
{
    const char *sock = NULL, *state = NULL;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && !strcmp(argv[i], "--socket"))
            sock = argv[++i];
        else if (i + 1 < argc && !strcmp(argv[i], "--state"))
            state = argv[++i];
        else
            return cli_error(CLI_USAGE, "usage", "evisa signer %s: unknown argument '%s'", argv[0],
                             argv[i]);
    }
    if (!sock || !state)
        return cli_error(CLI_USAGE, "usage", "evisa signer %s: --socket and --state are required",
                         argv[0]);
    char err[SIGNER_MSG_MAX + 64];
    if (!strcmp(argv[0], "info")) {
        struct signer_info info;
        int rc = signer_info(sock, state, &info, err, sizeof err);
        if (rc < 0)
            return cli_error(CLI_INVALID, signer_err_code(rc), "%s", err);
        const unsigned char *p = info.cert_der;
        X509 *cert = d2i_X509(NULL, &p, (long)info.cert_der_len);
        BIO *bio = BIO_new(BIO_s_mem());
        char *pem = NULL;
        long pem_len = 0;
        if (cert && bio && PEM_write_bio_X509(bio, cert))
            pem_len = BIO_get_mem_data(bio, &pem);
        char ref[SIGNER_ID_LEN + SIGNER_REF_MAX + 1];
        snprintf(ref, sizeof ref, "%s%s", info.signer_id, info.cert_ref);
        json_t *o = json_pack("{s:s, s:s, s:s, s:s%}", "signer_identifier", info.signer_id,
                              "cert_ref", info.cert_ref, "signer_cert_ref", ref, "cert_pem",
                              pem ? pem : "", (size_t)(pem_len > 0 ? pem_len : 0));
        char *text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
        if (text)
            printf("%s\n", text);
        free(text);
        json_decref(o);
        BIO_free(bio);
        X509_free(cert);
        return text ? CLI_OK : cli_error(CLI_INVALID, "no_memory", "out of memory");
    }
    size_t len = 0;
    char *text = cli_read_stdin(&len);
    if (!text)
        return CLI_MALFORMED;
    uint8_t seal[VDS_MAX_BYTES];
    long n = unhex(text, len, seal, sizeof seal);
    free(text);
    if (n <= 0)
        return cli_error(CLI_MALFORMED, "bad_hex",
                         "standard input must be the unsigned seal as hexadecimal digits");
    uint8_t rs[VDS_SIG_MAX];
    size_t rs_len = 0, total = 0;
    int rc = signer_sign(sock, state, seal, (size_t)n, rs, sizeof rs, &rs_len, err, sizeof err);
    if (rc < 0)
        return cli_error(CLI_INVALID, signer_err_code(rc), "%s", err);
    if (vds_append_signature(seal, (size_t)n, sizeof seal, rs, rs_len, &total) < 0)
        return cli_error(CLI_INVALID, "no_space", "the signed seal does not fit");
    json_t *hex = seal_json_hex(seal, total);
    printf("%s\n", json_string_value(hex));
    json_decref(hex);
    return CLI_OK;
}

int cmd_signer(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "request") || !strcmp(argv[1], "info")))
        return client_cmd(argc - 1, argv + 1);
    struct signer_config c = {0};
    bool die_with_parent = false, no_sandbox = false;
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
            fputs(signer_usage, stdout);
            return CLI_OK;
        }
        if (!strcmp(opt, "--die-with-parent"))
            die_with_parent = true;
        else if (!strcmp(opt, "--no-sandbox"))
            no_sandbox = true;
        else if (i + 1 < argc && !strcmp(opt, "--keys"))
            c.keys_dir = argv[++i];
        else if (i + 1 < argc && !strcmp(opt, "--socket"))
            c.socket_path = argv[++i];
        else if (i + 1 < argc && !strcmp(opt, "--log"))
            c.log_path = argv[++i];
        else
            return cli_error(CLI_USAGE, "usage", "evisa signer: unknown argument '%s'", opt);
    }
    if (!c.keys_dir || !c.socket_path || !c.log_path)
        return cli_error(CLI_USAGE, "usage",
                         "evisa signer: --keys, --socket and --log are required");
    if (die_with_parent) {
        pid_t parent = getppid();
        if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0 || getppid() != parent || parent == 1)
            return cli_error(CLI_INVALID, "io_error", "evisa signer: the parent is gone");
    }
    signal(SIGPIPE, SIG_IGN);
    struct signer *s = NULL;
    char err[512];
    int rc = signer_open(&c, &s, err, sizeof err);
    if (rc < 0)
        return cli_error(CLI_INVALID, signer_err_code(rc), "%s", err);
    if (!no_sandbox && sandbox_lockdown(err, sizeof err) < 0) {
        signer_close(s);
        return cli_error(CLI_INVALID, "sandbox_failed", "%s (use --no-sandbox to run without)",
                         err);
    }
    fprintf(stderr, "evisa signer: listening on %s for", c.socket_path);
    for (size_t i = 0; i < signer_n_states(s); i++)
        fprintf(stderr, " %s", signer_state_code(s, i));
    fprintf(stderr, "%s\n", no_sandbox ? " (no sandbox)" : "");
    rc = signer_serve(s, 0);
    signer_close(s);
    return rc < 0 ? cli_error(CLI_INVALID, signer_err_code(rc), "evisa signer: accept failed")
                  : CLI_OK;
}
