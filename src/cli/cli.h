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

int cmd_mrz(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_keys(int argc, char **argv);

#endif
