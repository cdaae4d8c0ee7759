/*
 * main.c — the `evisa` command: dispatches to subcommands and prints help.
 * The subcommands, their options and exit codes are a contract other tools
 * call; docs/cli.md documents them.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char usage_text[] =
    "usage: evisa <command> [options]\n"
    "\n"
    "Electronic visas with ICAO Doc 9303 MRZs and signed Visible Digital Seals.\n"
    "\n"
    "commands:\n"
    "  serve [--config FILE] [--listen ADDR:PORT] [--data DIR]\n"
    "                           run the e-visa portal (keys are generated on first start)\n"
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
    "  signer --keys DIR --socket PATH --log FILE\n"
    "                           the signer process (started by serve); holds the private keys\n"
    "  verify IMAGE|--hex HEX|- --trust DIR [--revoked FILE] [--json] [--at UNIX]\n"
    "                           offline verdict on a visa seal: VALID, INVALID, REVOKED,\n"
    "                           EXPIRED, UNKNOWN SIGNER, STALE REVOCATION LIST\n"
    "  keys init --state AZE --dir DIR [--curve prime256v1|brainpoolP256r1]\n"
    "                           create a country signing CA and a document signer\n"
    "  keys rotate --state AZE --dir DIR\n"
    "                           replace the document signer; old seals stay verifiable\n"
    "  admin create-user --state AZE --role officer|supervisor|administrator --email E\n"
    "                           add an officer account; prints its one-time enrolment link\n"
    "  admin totp --secret BASE32 [--at UNIX]\n"
    "                           print a TOTP code (testing aid)\n"
    "  admin audit verify [--data DIR]\n"
    "                           walk the hash-chained audit log\n"
    "  trust add --state AZE --csca CSCA.pem [--ds DS.pem ...] [--revoked FILE] --into DIR\n"
    "                           add a State's certificates to a verifier's trust store\n"
    "  trust revlist --state AZE --key CSCA.key.pem --numbers FILE|- --next-update-hours N\n"
    "                --out FILE\n"
    "                           build and sign a State's revocation list\n"
    "  trust show DIR           list a trust store's States, certificates and lists\n"
    "  trust fetch URL --state AZE --into DIR\n"
    "                           fetch a State's published certificates and revocation list\n"
    "  border record --queue FILE --visa-number N --passport-number P --direction entry|exit\n"
    "                --post CODE [--at UNIX]\n"
    "                           record a crossing in a post's offline queue; prints its id\n"
    "  border sync --queue FILE --url URL --email E --password P --totp-secret S\n"
    "                           send the queue's pending crossings to the portal\n"
    "\n"
    "exit codes: 0 ok/valid, 1 well-formed but invalid, 2 malformed input, 64 usage error.\n"
    "Errors are one line on stderr: evisa: <code>: <message>\n"
    "See docs/cli.md for every field and code.\n";

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"mrz", cmd_mrz},       {"seal", cmd_seal},   {"keys", cmd_keys},
    {"serve", cmd_serve},   {"admin", cmd_admin}, {"signer", cmd_signer},
    {"verify", cmd_verify}, {"trust", cmd_trust}, {"border", cmd_border},
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
