/*
 * cli.c — pieces every `evisa` subcommand shares: the one-line error
 * format, error names across the library layers, and bounded reading of
 * standard input and files.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "crypto/crypto_err.h"
#include "icao/icao_err.h"
#include "render/render_err.h"
#include "auth/auth_err.h"
#include "notify/mail.h"
#include "signer/signer_proto.h"
#include "store/store.h"
#include "verify/trust_err.h"

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

/* Every layer numbers its codes from its own base (icao 0, render 64,
 * crypto 100, store 300, auth 400, signer 500, trust 600, notify 700): the
 * table of the highest base not above the code names it. */
static const struct {
    int base;
    const char *(*code)(int);
    const char *(*message)(int);
} err_layers[] = {
    {NOTIFY_E__BASE, notify_err_code, notify_err_message},
    {TRUST_E__BASE, trust_err_code, trust_err_message},
    {SIGNER_E__BASE, signer_err_code, signer_err_message},
    {AUTH_E__BASE, auth_err_code, auth_err_message},
    {STORE_E__BASE, store_err_code, store_err_message},
    {CRYPTO_E__BASE, crypto_err_code, crypto_err_message},
    {RENDER_E_UNSUPPORTED_FORMAT, render_err_code, render_err_message},
    {0, icao_err_code, icao_err_message},
};

const char *cli_err_code(int err)
{
    int e = err < 0 ? -err : err;
    for (size_t i = 0; i < sizeof err_layers / sizeof err_layers[0]; i++)
        if (e >= err_layers[i].base)
            return err_layers[i].code(e);
    return "unknown";
}

const char *cli_err_message(int err)
{
    int e = err < 0 ? -err : err;
    for (size_t i = 0; i < sizeof err_layers / sizeof err_layers[0]; i++)
        if (e >= err_layers[i].base)
            return err_layers[i].message(e);
    return "unknown error";
}

uint8_t *cli_read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_error(CLI_MALFORMED, "io_error", "%s: cannot open", path);
        return NULL;
    }
    uint8_t *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    bool bad = !buf || ferror(f);
    fclose(f);
    if (bad || n > max) {
        free(buf);
        cli_error(CLI_MALFORMED, bad ? "io_error" : "input_too_large", "%s: %s", path,
                  bad ? "cannot read" : "file is too large");
        return NULL;
    }
    *len = n;
    return buf;
}
