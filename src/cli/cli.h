/*
 * cli.h — shared pieces of the `evisa` command: exit codes (a contract for
 * other tools), the one-line error format "evisa: <stable-code>: <message>",
 * bounded reading of standard input, and the subcommand entry points.
 */
#ifndef EVISA_CLI_H
#define EVISA_CLI_H

#include <stddef.h>
#include <stdint.h>

enum cli_exit {
    CLI_OK = 0,        /* valid / done */
    CLI_INVALID = 1,   /* well-formed but invalid: check digit, signature, trust */
    CLI_MALFORMED = 2, /* malformed input */
    CLI_USAGE = 64,    /* usage error (EX_USAGE) */
};

/* Largest standard input any subcommand reads. */
#define CLI_STDIN_MAX (1u << 20)

/* Prints "evisa: <code>: <message>" to stderr and returns exit_code. */
int cli_error(int exit_code, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Reads all of stdin (at most CLI_STDIN_MAX bytes) into a malloc'd,
 * NUL-terminated buffer.  Returns NULL (after printing an error) when it is
 * too large or unreadable. */
char *cli_read_stdin(size_t *len);

/* Stable code and message of an error from any library layer (src/icao
 * codes below 64, src/render 64-99, src/crypto from 100), either sign. */
const char *cli_err_code(int err);
const char *cli_err_message(int err);

/* Reads a whole file of at most max bytes into a malloc'd buffer; NULL (after
 * printing an error) when it cannot. */
uint8_t *cli_read_file(const char *path, size_t max, size_t *len);

int cmd_mrz(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_admin(int argc, char **argv);
int cmd_signer(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_trust(int argc, char **argv);
int cmd_border(int argc, char **argv);

#endif
