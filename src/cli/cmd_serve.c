/*
 * cmd_serve.c — `evisa serve`: the portal (applicants, officers, API).
 * Loads the server configuration, the states' policies, templates and
 * translations; on first start creates the data directory (data_dir.h),
 * each state's keys (in a child process running `evisa keys init`, so
 * private keys never pass through the web process's memory) and the
 * portal's secrets; starts the signer process, which alone reads the keys;
 * then confines itself with Landlock so that it cannot open the keys even
 * if compromised; opens the store, starts the notification worker and
 * serves until SIGTERM or SIGINT, then finishes in-flight requests, stops
 * the worker and the signer and closes the store cleanly.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "cli/cli.h"
#include "cli/data_dir.h"
#include "crypto/signer_cert.h"
#include "notify/outbox.h"
#include "signer/sandbox.h"
#include "signer/signer_client.h"
#include "web/portal.h"
#include "web/server_config.h"

extern char **environ;

/* Reads a 32-byte secret, creating it (mode 0600) on first start. */
static int load_secret(const char *path, uint8_t out[32])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        if (RAND_bytes(out, 32) != 1)
            return cli_error(CLI_INVALID, "crypto_failure", "no randomness");
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0 || write(fd, out, 32) != 32 || fsync(fd) != 0) {
            if (fd >= 0)
                close(fd);
            return cli_error(CLI_INVALID, "io_error", "%s: cannot write", path);
        }
        close(fd);
        return 0;
    }
    if (fd < 0 || read(fd, out, 32) != 32) {
        if (fd >= 0)
            close(fd);
        return cli_error(CLI_INVALID, "io_error", "%s: cannot read a 32-byte secret", path);
    }
    close(fd);
    return 0;
}

/* Runs `evisa keys init` for a state whose keys do not exist yet. */
static int ensure_keys(const char *data_dir, const char *state)
{
    char dir[512], cert[600];
    snprintf(dir, sizeof dir, "%.400s/keys/%s", data_dir, state);
    snprintf(cert, sizeof cert, "%s/ds.cert.pem", dir);
    if (access(cert, R_OK) == 0)
        return 0;
    char *argv[] = {"evisa", "keys", "init", "--state", (char *)state, "--dir", dir, NULL};
    pid_t pid;
    if (posix_spawn(&pid, "/proc/self/exe", NULL, NULL, argv, environ) != 0)
        return cli_error(CLI_INVALID, "io_error", "cannot start evisa keys init");
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return cli_error(CLI_INVALID, "keys_failed", "evisa keys init failed for %s", state);
    return 0;
}

/* Reads the public certificates of earlier document signers that `evisa
 * keys rotate` kept (KEYS/STATE/ds-REF.cert.pem), newest serial last. */
static void load_kept_ds(const char *keys_dir, struct portal_trust_certs *tc)
{
    char dir[600];
    snprintf(dir, sizeof dir, "%.512s/%s", keys_dir, tc->state);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) && tc->n_old_ds < PORTAL_OLD_DS_MAX) {
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, "ds-", 3) != 0 || n < 13 || strcmp(e->d_name + n - 9, ".cert.pem"))
            continue;
        char path[900];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        X509 *x = NULL;
        if (signer_cert_load_file(path, &x) < 0)
            continue;
        unsigned char *der = tc->old_ds_der[tc->n_old_ds];
        int len = i2d_X509(x, NULL);
        if (len > 0 && (size_t)len <= PORTAL_CERT_DER_MAX) {
            i2d_X509(x, &der);
            tc->old_ds_der_len[tc->n_old_ds++] = (size_t)len;
        }
        X509_free(x);
    }
    if (d)
        closedir(d);
}

int cmd_serve(int argc, char **argv)
{
    struct server_config cfg;
    server_config_default(&cfg);
    const char *config = NULL, *listen = NULL, *data = NULL;
    bool no_sandbox = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--insecure-no-sandbox"))
            no_sandbox = true;
        else if (!strcmp(argv[i], "--config") && i + 1 < argc)
            config = argv[++i];
        else if (!strcmp(argv[i], "--listen") && i + 1 < argc)
            listen = argv[++i];
        else if (!strcmp(argv[i], "--data") && i + 1 < argc)
            data = argv[++i];
        else
            return cli_error(CLI_USAGE, "usage",
                             "evisa serve [--config FILE] [--listen ADDR:PORT] [--data DIR] "
                             "[--insecure-no-sandbox]");
    }
    char err[512];
    if (!config && access("config/server.json", R_OK) == 0)
        config = "config/server.json";
    if (config && server_config_load(config, &cfg, err, sizeof err) < 0)
        return cli_error(CLI_MALFORMED, "bad_config", "%s", err);
    if (listen)
        snprintf(cfg.listen, sizeof cfg.listen, "%s", listen);
    if (data)
        snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", data);

    struct policy_set *policy = calloc(1, sizeof *policy);
    struct policy_error perr = {0};
    if (!policy)
        return cli_error(CLI_INVALID, "no_memory", "out of memory");
    if (policy_load_dir(cfg.states_dir, policy, &perr) < 0) {
        free(policy);
        return cli_error(CLI_MALFORMED, "bad_config", "%s: %s: %s", perr.file, perr.field,
                         perr.reason);
    }
    struct portal p = {
        .policy = policy, .pay = &payment_test_provider, .secure_cookies = cfg.secure_cookies};
    struct tmpl_set *tmpl = NULL;
    struct i18n *i18n = NULL;
    struct http_server *srv = NULL;
    struct outbox_worker *outbox = NULL;
    pid_t signer_pid = -1;
    FILE *access_log = NULL;
    int rc = CLI_INVALID;
    char path[600];
    if (tmpl_load_dir(cfg.templates_dir, &tmpl, err, sizeof err) < 0) {
        rc = cli_error(CLI_MALFORMED, "bad_template", "%s", err);
        goto out;
    }
    if (i18n_load_dir(cfg.po_dir, &i18n, err, sizeof err) < 0) {
        rc = cli_error(CLI_MALFORMED, "bad_translation", "%s", err);
        goto out;
    }
    if (i18n_check_catalogs(i18n, err, sizeof err) < 0)
        fprintf(stderr, "evisa: warning: translations: %s\n", err);
    p.tmpl = tmpl, p.i18n = i18n;
    if (data_dir_ensure(cfg.data_dir) < 0) {
        rc = cli_error(CLI_INVALID, "io_error", "%s: cannot create the data directory",
                       cfg.data_dir);
        goto out;
    }
    for (size_t i = 0; i < policy->n_states; i++)
        if (ensure_keys(cfg.data_dir, policy->states[i].code))
            goto out;
    char dirs[DATA__MAX][512];
    for (int d = 0; d < DATA__MAX; d++)
        if (data_path(cfg.data_dir, (enum data_path)d, dirs[d], sizeof dirs[d]) < 0) {
            rc = cli_error(CLI_USAGE, "usage", "--data path is too long");
            goto out;
        }
    snprintf(path, sizeof path, "%s/portal.secret", dirs[DATA_SECRETS]);
    if (load_secret(path, p.secret))
        goto out;
    snprintf(path, sizeof path, "%s/payment-test.secret", dirs[DATA_SECRETS]);
    if (load_secret(path, p.payment_secret))
        goto out;

    /* The signer process: the only one that reads private keys. */
    struct signer_spawn_opts so = {.keys_dir = dirs[DATA_KEYS],
                                   .socket_path = dirs[DATA_SIGNER_SOCK],
                                   .log_path = dirs[DATA_SIGNER_LOG],
                                   .state = policy->states[0].code};
    if (signer_spawn(&so, &signer_pid, err, sizeof err) < 0) {
        rc = cli_error(CLI_INVALID, "signer_failed", "%s", err);
        goto out;
    }
    if (snprintf(p.signer_socket, sizeof p.signer_socket, "%s", dirs[DATA_SIGNER_SOCK]) >=
        (int)sizeof p.signer_socket) {
        rc = cli_error(CLI_USAGE, "usage", "--data path is too long for a socket");
        goto out;
    }
    for (size_t i = 0; i < policy->n_states; i++) {
        struct signer_info info;
        if (signer_info(p.signer_socket, policy->states[i].code, &info, err, sizeof err) < 0) {
            rc = cli_error(CLI_INVALID, "signer_failed", "%s: %s", policy->states[i].code, err);
            goto out;
        }
        struct portal_signer *ps = &p.signers[p.n_signers++];
        snprintf(ps->state, sizeof ps->state, "%s", policy->states[i].code);
        snprintf(ps->signer_id, sizeof ps->signer_id, "%s", info.signer_id);
        snprintf(ps->cert_ref, sizeof ps->cert_ref, "%.32s", info.cert_ref);
    }

    /* Trust distribution: the certificates the web process publishes (the
     * CSCA comes from the signer too: this process cannot read key files). */
    for (size_t i = 0; i < policy->n_states; i++) {
        struct signer_info info;
        struct portal_trust_certs *tc = &p.trust_certs[p.n_trust_certs++];
        snprintf(tc->state, sizeof tc->state, "%s", policy->states[i].code);
        if (signer_info(p.signer_socket, tc->state, &info, err, sizeof err) == 0 &&
            info.cert_der_len <= sizeof tc->ds_der) {
            memcpy(tc->ds_der, info.cert_der, info.cert_der_len);
            tc->ds_der_len = info.cert_der_len;
        }
        load_kept_ds(dirs[DATA_KEYS], tc);
        if (signer_csca(p.signer_socket, tc->state, tc->csca_der, sizeof tc->csca_der,
                        &tc->csca_der_len, err, sizeof err) < 0)
            fprintf(stderr, "evisa: warning: no CSCA certificate to publish for %s: %s\n",
                    tc->state, err);
    }
    p.trust_cache = trust_web_cache_new();

    /* The access log is opened now: the sandbox below allows no other files. */
    if (cfg.access_log[0] && strcmp(cfg.access_log, "-") != 0) {
        access_log = fopen(cfg.access_log, "ae");
        if (!access_log) {
            rc = cli_error(CLI_INVALID, "io_error", "access log %s: cannot open", cfg.access_log);
            goto out;
        }
    }

    /* From here on this process cannot open the keys (nor anything outside
     * what it serves and stores), even if an attacker controls it.  Landlock
     * confines only the calling thread and its later children: no thread may
     * exist yet. */
    struct sandbox_paths sp = {
        .ro = {cfg.static_dir, cfg.states_dir, cfg.templates_dir, cfg.po_dir},
        .rw = {dirs[DATA_DB_DIR], dirs[DATA_OUTBOX]},
        .deny = {dirs[DATA_KEYS], dirs[DATA_SIGNER]},
    };
    if (sandbox_web(&sp, err, sizeof err) < 0) {
        if (!no_sandbox) {
            rc = cli_error(CLI_INVALID, "sandbox_failed",
                           "%s (refusing to serve; --insecure-no-sandbox overrides)", err);
            goto out;
        }
        fprintf(stderr, "evisa: warning: serving WITHOUT the sandbox: %s\n", err);
    }

    /* Group commit: concurrent writes share one transaction and one fsync
     * (measured about twice the rate of one transaction per write);
     * EVISA_STORE_MAX_BATCH overrides it (1 = one transaction per write). */
    struct store_opts sopts = {.max_batch = getenv("EVISA_STORE_MAX_BATCH") ? 0 : 64};
    int src = store_open_opts(dirs[DATA_DB], &sopts, &p.store);
    if (src < 0) {
        rc =
            cli_error(CLI_INVALID, store_err_code(src), "%s: cannot open the store", dirs[DATA_DB]);
        goto out;
    }
    p.status_limit = ratelimit_new(cfg.status_lookups_per_minute, 60);
    p.login_limit = ratelimit_new(20, 60);
    struct outbox_config oc;
    outbox_config_default(&oc, cfg.data_dir);
    outbox = outbox_start(p.store, i18n, &oc);
    p.outbox = outbox;
    if (!outbox)
        fprintf(stderr, "evisa: warning: the notification worker did not start\n");

    /* Signals are taken by sigwait below; block them before threads start. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    size_t n_routes;
    struct http_server_config hc = {
        .listen = cfg.listen,
        .limits = cfg.limits,
        .routes = portal_routes(&n_routes),
        .app = &p,
        .static_dir = cfg.static_dir,
        .secure_cookies = cfg.secure_cookies,
        .access_log = cfg.access_log[0] ? cfg.access_log : NULL,
        .access_log_file = access_log,
        .requests_per_minute_per_ip = (unsigned)cfg.requests_per_minute,
    };
    hc.n_routes = n_routes;
    srv = http_server_start(&hc, err, sizeof err);
    if (!srv) {
        rc = cli_error(CLI_INVALID, "listen_failed", "%s", err);
        goto out;
    }
    char host[64];
    snprintf(host, sizeof host, "%s", cfg.listen);
    char *colon = strrchr(host, ':');
    if (colon)
        *colon = '\0';
    fprintf(stderr, "evisa: serving");
    for (size_t i = 0; i < policy->n_states; i++)
        fprintf(stderr, " %s", policy->states[i].code);
    fprintf(stderr, " (data in %s/)\n", cfg.data_dir);
    printf("evisa: open http://%s:%d/\n", host, http_server_port(srv));
    fflush(stdout);
    int sig = 0;
    sigwait(&sigs, &sig);
    fprintf(stderr, "evisa: %s received, finishing in-flight requests\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    rc = CLI_OK;
out:
    if (srv)
        http_server_stop(srv, 10);
    if (outbox)
        outbox_stop(outbox);
    if (signer_pid > 0)
        signer_stop(signer_pid);
    if (p.store)
        store_close(p.store);
    ratelimit_free(p.status_limit);
    ratelimit_free(p.login_limit);
    trust_web_cache_free(p.trust_cache);
    if (access_log)
        fclose(access_log);
    tmpl_free(tmpl);
    i18n_free(i18n);
    OPENSSL_cleanse(p.secret, sizeof p.secret);
    OPENSSL_cleanse(p.payment_secret, sizeof p.payment_secret);
    free(policy);
    return rc;
}
