/*
 * main.c — the `evisa` command: dispatches to subcommands and prints help.
 * The subcommands, their options and exit codes are a contract other tools
 * call; docs/cli.md documents them.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "crypto/crypto_err.h"
#include "icao/icao_err.h"
#include "render/render_err.h"

static const char usage_text[] =
    "usage: evisa <command> [options]\n"
    "\n"
    "Electronic visas with ICAO Doc 9303 MRZs and signed Visible Digital Seals.\n"
    "\n"
    "commands:\n"
    "  mrz visa --type A|B      build the two MRZ lines of a visa from JSON fields on stdin\n"
    "  mrz check                check two MRZ lines on stdin (MRV-A, MRV-B or TD3); JSON out\n"
    "  mrz translit [--umlaut expand|plain] [--schwa A|E]\n"
    "                           transliterate UTF-8 names on stdin (one per line) to MRZ form\n"
    "  seal decode [--image FILE]\n"
    "                           decode a seal (hex on stdin, or a DataMatrix image); JSON out\n"
    "  seal verify --cert CERT.pem [--trust CA.pem] [--image FILE]\n"
    "                           decode and verify a seal's signature, signer and chain\n"
    "  seal sign --key KEY.pem --cert CERT.pem [--version 3|4] [--png FILE] [--svg FILE]\n"
    "                           sign visa fields (JSON on stdin); prints the seal as hex\n"
    "  keys init --state AZE --dir DIR [--curve prime256v1|brainpoolP256r1]\n"
    "                           create a country signing CA and a document signer\n"
    "\n"
    "exit codes: 0 ok/valid, 1 well-formed but invalid, 2 malformed input, 64 usage error.\n"
    "Errors are one line on stderr: evisa: <code>: <message>\n"
    "See docs/cli.md for every field and code.\n";

int cli_error(int exit_code, const char *code, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "evisa: %s: ", code);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return exit_code;
}

char *cli_read_stdin(size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    for (;;) {
        size_t got = fread(buf + n, 1, cap - n - 1, stdin);
        n += got;
        if (got == 0 || n > CLI_STDIN_MAX)
            break;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
    }
    if (ferror(stdin) || n > CLI_STDIN_MAX) {
        free(buf);
        cli_error(CLI_MALFORMED, "input_too_large", "standard input is over %u bytes or unreadable",
                  CLI_STDIN_MAX);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

const char *cli_err_code(int err)
{
    int e = err < 0 ? -err : err;
    if (e >= CRYPTO_E__BASE)
        return crypto_err_code(e);
    if (e >= RENDER_E_UNSUPPORTED_FORMAT)
        return render_err_code(e);
    return icao_err_code(e);
}

const char *cli_err_message(int err)
{
    int e = err < 0 ? -err : err;
    if (e >= CRYPTO_E__BASE)
        return crypto_err_message(e);
    if (e >= RENDER_E_UNSUPPORTED_FORMAT)
        return render_err_message(e);
    return icao_err_message(e);
}

uint8_t *cli_read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_error(CLI_MALFORMED, "io", "%s: cannot open", path);
        return NULL;
    }
    uint8_t *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    bool bad = !buf || ferror(f);
    fclose(f);
    if (bad || n > max) {
        free(buf);
        cli_error(CLI_MALFORMED, bad ? "io" : "input_too_large", "%s: %s", path,
                  bad ? "cannot read" : "file is too large");
        return NULL;
    }
    *len = n;
    return buf;
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"mrz", cmd_mrz},
    {"seal", cmd_seal},
    {"keys", cmd_keys},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage_text, stdout);
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    cli_error(CLI_USAGE, "usage", "unknown command '%s' (see evisa --help)", argv[1]);
    return CLI_USAGE;
}
