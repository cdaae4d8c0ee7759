/*
 * cmd_keys.c — the `evisa keys` subcommands:
 *
 *   evisa keys init --state AZE --dir DIR [--curve CURVE] [--signer-serial HEX] [--force]
 *   evisa keys rotate --state AZE --dir DIR
 *
 * creates a country signing CA and a document signer for a State
 * (crypto/keys.h) and prints the files it created.  Exit codes: 0 done,
 * 1 refused (files exist) or cannot write, 2 malformed serial, 64 usage
 * (also an unknown State or curve).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "crypto/crypto_err.h"
#include "crypto/keys.h"

static const char keys_usage[] =
    "usage: evisa keys init --state STATE --dir DIR [--curve CURVE] [--signer-serial HEX]\n"
    "                       [--force]\n"
    "  --state STATE        ICAO issuing State (AZE, PAK, D, UTO, ...)\n"
    "  --dir DIR            where to write csca.key.pem, csca.cert.pem, ds.key.pem,\n"
    "                       ds.cert.pem (created with mode 0700 if missing)\n"
    "  --curve CURVE        prime256v1 (default), brainpoolP256r1, secp384r1, secp521r1,\n"
    "                       brainpoolP224r1, brainpoolP384r1, brainpoolP512r1\n"
    "  --signer-serial HEX  serial of the document signer (default random, 1..FFFFF)\n"
    "  --force              replace existing key files\n"
    "usage: evisa keys rotate --state STATE --dir DIR\n"
    "  replaces the document signer (new key and certificate from the same CSCA); the old\n"
    "  certificate stays as ds-REF.cert.pem so seals it signed remain verifiable; restart\n"
    "  evisa serve (its signer process) to sign with the new key\n";

/* Exit code for a keys_init() failure. */
static int exit_for(int rc)
{
    switch (-rc) {
    case CRYPTO_E_UNKNOWN_STATE:
    case CRYPTO_E_UNSUPPORTED_CURVE:
        return CLI_USAGE;
    case CRYPTO_E_BAD_SERIAL:
        return CLI_MALFORMED;
    default:
        return CLI_INVALID;
    }
}

/* Takes the value of option argv[*i] ("--name VALUE" or "--name=VALUE"). */
static bool option_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return false;
    if (argv[*i][n] == '=') {
        *value = argv[*i] + n + 1;
        return true;
    }
    if (argv[*i][n] != '\0')
        return false;
    if (*i + 1 >= argc) {
        *value = NULL;
        return true;
    }
    *value = argv[++*i];
    return true;
}

static int keys_init_cmd(int argc, char **argv)
{
    struct keys_init_opts o = {0};
    for (int i = 1; i < argc; i++) {
        const char *v = NULL, *opt = argv[i];
        if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
            fputs(keys_usage, stdout);
            return CLI_OK;
        }
        if (!strcmp(opt, "--force")) {
            o.force = true;
            continue;
        }
        if (option_value(argc, argv, &i, "--state", &v))
            o.state = v;
        else if (option_value(argc, argv, &i, "--dir", &v))
            o.dir = v;
        else if (option_value(argc, argv, &i, "--curve", &v))
            o.curve = v;
        else if (option_value(argc, argv, &i, "--signer-serial", &v))
            o.signer_serial = v;
        else
            return cli_error(CLI_USAGE, "usage", "evisa keys init: unknown argument '%s'", opt);
        if (!v)
            return cli_error(CLI_USAGE, "usage", "evisa keys init: %s needs a value", opt);
    }
    if (!o.state || !o.dir)
        return cli_error(CLI_USAGE, "usage", "evisa keys init: --state and --dir are required");

    struct keys_init_result r;
    char msg[512];
    int rc = keys_init(&o, &r, msg, sizeof msg);
    if (rc)
        return cli_error(exit_for(rc), crypto_err_code(rc), "%s", msg);

    printf("created %s (CSCA private key, %s, mode 0600)\n", r.paths[KEYS_CSCA_KEY], r.curve);
    printf("created %s (CSCA certificate, C=%s)\n", r.paths[KEYS_CSCA_CERT], r.alpha2);
    printf("created %s (document signer private key, %s, mode 0600)\n", r.paths[KEYS_DS_KEY],
           r.curve);
    printf("created %s (document signer certificate, C=%s, CN=%s, serial %s)\n",
           r.paths[KEYS_DS_CERT], r.alpha2, KEYS_DS_CN, r.cert_ref);
    printf("signer identifier %s, certificate reference %s (signer cert ref %s%s)\n", r.signer_id,
           r.cert_ref, r.signer_id, r.cert_ref);
    if (strlen(r.cert_ref) > 5)
        printf("note: the serial has over 5 hex digits, so only version-4 seals can name it\n");
    return CLI_OK;
}

static int keys_rotate_cmd(int argc, char **argv)
{
    const char *state = NULL, *dir = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--state") && i + 1 < argc)
            state = argv[++i];
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            dir = argv[++i];
        else
            return cli_error(CLI_USAGE, "usage", "evisa keys rotate: unknown argument '%s'",
                             argv[i]);
    }
    if (!state || !dir)
        return cli_error(CLI_USAGE, "usage", "evisa keys rotate: --state and --dir are required");
    char id[8], ref[SIGNER_REF_MAX + 1], archived[KEYS_PATH_MAX], msg[512];
    int rc = keys_rotate(dir, state, time(NULL), id, ref, archived, msg, sizeof msg);
    if (rc)
        return cli_error(exit_for(rc), crypto_err_code(rc), "%s", msg);
    printf("%s\nkept the old certificate as %s\n", msg, archived);
    printf("signer identifier %s, certificate reference %s (signer cert ref %s%s)\n", id, ref, id,
           ref);
    return CLI_OK;
}

int cmd_keys(int argc, char **argv)
{
    if (argc < 2)
        return cli_error(CLI_USAGE, "usage", "evisa keys: missing subcommand (try: keys init)");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(keys_usage, stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "init"))
        return keys_init_cmd(argc - 1, argv + 1);
    if (!strcmp(argv[1], "rotate"))
        return keys_rotate_cmd(argc - 1, argv + 1);
    return cli_error(CLI_USAGE, "usage", "evisa keys: unknown subcommand '%s'", argv[1]);
}
