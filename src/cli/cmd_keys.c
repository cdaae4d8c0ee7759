/*
 * cmd_keys.c — the `evisa keys` subcommands (being written).
 */
#include "cli/cli.h"

int cmd_keys(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error(CLI_USAGE, "usage", "evisa keys: not available yet");
}
