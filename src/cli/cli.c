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
