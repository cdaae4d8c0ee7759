/*
 * cmd_admin.c — the `evisa admin` subcommands for operators:
 *
 *   evisa admin create-user --state AZE --role officer|supervisor|administrator|border --email E
 *                           [--data DIR] [--base-url URL] [--config-dir DIR]
 *   evisa admin totp --secret BASE32 [--at UNIX]
 *   evisa admin audit verify [--data DIR]
 *
 * create-user adds an officer account that must enrol (choose a password,
 * register an authenticator) through a one-time link valid 72 hours; only
 * the link's SHA-256 is stored, so the link is shown once.  totp prints the
 * current code of a secret — a testing aid, never part of a login.  audit
 * verify walks the hash-chained audit log.  Exit codes: 0 done, 1 refused
 * (the e-mail exists, the chain is broken, the store fails), 2 malformed
 * (e-mail, secret, time, configuration), 64 usage (also an unknown role or
 * state).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "auth/auth_err.h"
#include "auth/email.h"
#include "auth/token.h"
#include "auth/totp.h"
#include "cli/cli.h"
#include "cli/data_dir.h"
#include "store/store.h"
#include "visa/policy.h"

#define ENROL_VALID_SECONDS (72 * 3600)
#define ADMIN_ACTOR "admin-cli"

static const char admin_usage[] =
    "usage: evisa admin create-user --state STATE --role ROLE --email EMAIL [--data DIR]\n"
    "                               [--base-url URL] [--config-dir DIR]\n"
    "       evisa admin totp --secret BASE32 [--at UNIX-TIME]\n"
    "       evisa admin audit verify [--data DIR]\n"
    "  --state STATE     issuing state the account works for (config/states/STATE.json)\n"
    "  --role ROLE       officer, supervisor, administrator or border\n"
    "  --email EMAIL     the officer's address (stored in lower case, unique)\n"
    "  --data DIR        data directory holding db/evisa.db (default var)\n"
    "  --base-url URL    portal address for the enrolment link (default http://127.0.0.1:8080)\n"
    "  --config-dir DIR  state policies (default config/states)\n"
    "  --secret BASE32   a TOTP secret; prints its current 6-digit code (testing aid)\n"
    "  --at UNIX-TIME    the time to compute the code for (default now)\n";

static const char *const roles[] = {"officer", "supervisor", "administrator", "border"};

/* Takes the value of option argv[*i] ("--name VALUE" or "--name=VALUE"):
 * true when argv[*i] is that option (*value NULL when the value is missing). */
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
    *value = *i + 1 < argc ? argv[++*i] : NULL;
    return true;
}

/* One option table per subcommand: name and where its value goes. */
struct opt {
    const char *name;
    const char **value;
};

/* Reads argv[1..] into the table; prints usage for --help (*help = true). */
static int parse_opts(int argc, char **argv, struct opt *opts, size_t n, bool *help)
{
    *help = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(admin_usage, stdout);
            *help = true;
            return CLI_OK;
        }
        const char *v = NULL;
        size_t k = 0;
        while (k < n && !option_value(argc, argv, &i, opts[k].name, &v))
            k++;
        if (k == n)
            return cli_error(CLI_USAGE, "usage", "unknown option '%s' (see evisa admin --help)",
                             argv[i]);
        if (!v || !*v)
            return cli_error(CLI_USAGE, "usage", "%s needs a value", opts[k].name);
        *opts[k].value = v;
    }
    return CLI_OK;
}

/* Path of the store in a data directory; with create, the directories of
 * the layout are made when missing. */
static int db_path(const char *data, bool create, char *out, size_t cap)
{
    if (data_path(data, DATA_DB, out, cap) < 0)
        return cli_error(CLI_USAGE, "usage", "--data path is too long");
    if (create && data_dir_ensure(data) < 0)
        return cli_error(CLI_INVALID, "io_error", "%s: cannot create the data directory", data);
    return CLI_OK;
}

static int store_failure(const char *what, int rc)
{
    return cli_error(CLI_INVALID, "store_error", "%s: %s (%s)", what, store_err_message(rc),
                     store_err_code(rc));
}

static int create_user(int argc, char **argv)
{
    const char *state = NULL, *role = NULL, *email = NULL, *data = "var",
               *base = "http://127.0.0.1:8080", *config_dir = "config/states";
    struct opt opts[] = {{"--state", &state}, {"--role", &role},     {"--email", &email},
                         {"--data", &data},   {"--base-url", &base}, {"--config-dir", &config_dir}};
    bool help;
    int rc = parse_opts(argc, argv, opts, sizeof opts / sizeof opts[0], &help);
    if (rc != CLI_OK || help)
        return rc;
    if (!state || !role || !email)
        return cli_error(CLI_USAGE, "usage",
                         "create-user needs --state, --role and --email (see evisa admin --help)");
    bool role_ok = false;
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        role_ok = role_ok || !strcmp(role, roles[i]);
    if (!role_ok)
        return cli_error(CLI_USAGE, "bad_role",
                         "unknown role '%s' (officer, supervisor, administrator or border)", role);
    size_t blen = strlen(base);
    while (blen > 0 && base[blen - 1] == '/')
        blen--;
    if ((strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0) || blen > 512)
        return cli_error(CLI_USAGE, "usage", "--base-url must be an http:// or https:// URL");

    struct store_user in = {0};
    rc = email_normalise(email, in.email, sizeof in.email);
    if (rc < 0)
        return cli_error(CLI_MALFORMED, "bad_email", "'%s' is not an e-mail address we accept",
                         email);

    struct policy_set *set = calloc(1, sizeof *set);
    struct policy_error perr = {0};
    if (!set)
        return cli_error(CLI_INVALID, "out_of_memory", "cannot allocate the policy set");
    if (policy_load_dir(config_dir, set, &perr) != 0) {
        free(set);
        return cli_error(CLI_MALFORMED, "bad_config", "%s: %s: %s", perr.file, perr.field,
                         perr.reason);
    }
    bool known = policy_find_state(set, state) != NULL;
    free(set);
    if (!known)
        return cli_error(CLI_USAGE, "unknown_state", "no policy for state '%s' in %s", state,
                         config_dir);
    snprintf(in.state, sizeof in.state, "%s", state);
    snprintf(in.role, sizeof in.role, "%s", role);

    char path[4096];
    if ((rc = db_path(data, true, path, sizeof path)) != CLI_OK)
        return rc;

    char token[48], hash[65];
    if (token_new(token) < 0 || token_hash(token, hash) < 0)
        return cli_error(CLI_INVALID, "crypto_failure", "no randomness for the enrolment token");
    time_t now = time(NULL);
    int64_t expires = (int64_t)now + ENROL_VALID_SECONDS;
    in.created_at = (int64_t)now;

    struct store *st = NULL;
    struct store_user out = {0};
    rc = store_open(path, &st);
    if (rc == 0) {
        rc = store_user_create(st, &in, hash, expires, ADMIN_ACTOR, &out);
        store_close(st);
    }
    if (rc < 0) {
        OPENSSL_cleanse(token, sizeof token);
        if (rc == -STORE_E_CONFLICT)
            return cli_error(CLI_INVALID, "exists", "a user with e-mail %s exists", in.email);
        return store_failure(path, rc);
    }

    char until[32] = "";
    struct tm tm;
    time_t exp_t = (time_t)expires;
    if (gmtime_r(&exp_t, &tm))
        strftime(until, sizeof until, "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("created %s %s for %s (user %lld)\n", in.role, in.email, in.state, (long long)out.id);
    printf("one-time enrolment link, valid 72 hours (until %s); it is not stored, pass it on "
           "now:\n",
           until);
    printf("%.*s/officer/enrol?t=%s\n", (int)blen, base, token);
    OPENSSL_cleanse(token, sizeof token);
    return fflush(stdout) == 0 ? CLI_OK : CLI_INVALID;
}

static int totp_cmd(int argc, char **argv)
{
    const char *secret = NULL, *at = NULL;
    struct opt opts[] = {{"--secret", &secret}, {"--at", &at}};
    bool help;
    int rc = parse_opts(argc, argv, opts, sizeof opts / sizeof opts[0], &help);
    if (rc != CLI_OK || help)
        return rc;
    if (!secret)
        return cli_error(CLI_USAGE, "usage", "totp needs --secret (see evisa admin --help)");
    time_t t = time(NULL);
    if (at) {
        char *end;
        errno = 0;
        long long v = strtoll(at, &end, 10);
        if (errno || end == at || *end || v < 0 || at[0] < '0' || at[0] > '9')
            return cli_error(CLI_MALFORMED, "bad_time",
                             "--at must be a Unix time in seconds, not '%s'", at);
        t = (time_t)v;
    }
    char code[7];
    rc = totp_code(secret, t, code);
    if (rc == -AUTH_E_INVALID)
        return cli_error(CLI_MALFORMED, "bad_time", "--at is out of range");
    if (rc < 0)
        return cli_error(CLI_MALFORMED, auth_err_code(rc), "%s", auth_err_message(rc));
    printf("%s\n", code);
    return fflush(stdout) == 0 ? CLI_OK : CLI_INVALID;
}

static int audit_cmd(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "verify") != 0) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            fputs(admin_usage, stdout);
            return CLI_OK;
        }
        return cli_error(CLI_USAGE, "usage", "usage: evisa admin audit verify [--data DIR]");
    }
    const char *data = "var";
    struct opt opts[] = {{"--data", &data}};
    bool help;
    int rc = parse_opts(argc - 1, argv + 1, opts, 1, &help);
    if (rc != CLI_OK || help)
        return rc;
    char path[4096];
    if ((rc = db_path(data, false, path, sizeof path)) != CLI_OK)
        return rc;
    if (access(path, R_OK) != 0)
        return cli_error(CLI_MALFORMED, "io_error", "%s: no store there", path);
    struct store *st = NULL;
    if ((rc = store_open(path, &st)) < 0)
        return store_failure(path, rc);
    int64_t bad = 0, entries = 0;
    rc = store_audit_verify(st, &bad, &entries);
    store_close(st);
    if (rc == -STORE_E_CONFLICT) {
        printf("audit: chain broken at entry %lld\n", (long long)bad);
        fflush(stdout);
        return CLI_INVALID;
    }
    if (rc < 0)
        return store_failure(path, rc);
    printf("audit: %lld entries, chain intact\n", (long long)entries);
    return fflush(stdout) == 0 ? CLI_OK : CLI_INVALID;
}

int cmd_admin(int argc, char **argv)
{
    if (argc < 2) {
        fputs(admin_usage, stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(admin_usage, stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "create-user"))
        return create_user(argc - 1, argv + 1);
    if (!strcmp(argv[1], "totp"))
        return totp_cmd(argc - 1, argv + 1);
    if (!strcmp(argv[1], "audit"))
        return audit_cmd(argc - 1, argv + 1);
    return cli_error(CLI_USAGE, "usage", "unknown admin command '%s' (see evisa admin --help)",
                     argv[1]);
}
