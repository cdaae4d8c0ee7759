/*
 * cmd_seal.c — the `evisa seal` subcommands (being written).
 */
#include "cli/cli.h"

int cmd_seal(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error(CLI_USAGE, "usage", "evisa seal: not available yet");
}
