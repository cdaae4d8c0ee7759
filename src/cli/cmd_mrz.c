/*
 * cmd_mrz.c — the `evisa mrz` subcommands (being written).
 */
#include "cli/cli.h"

int cmd_mrz(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return cli_error(CLI_USAGE, "usage", "evisa mrz: not available yet");
}
