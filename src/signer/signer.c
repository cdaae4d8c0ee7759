/*
 * signer.c — the signer process's state and loop (see signer.h): loading
 * the document-signer keys of every state, the Unix socket, the request
 * handler with its acceptance rules (signer_proto.c) and the append-only
 * log of signatures and refusals.
 */
#define _GNU_SOURCE /* struct ucred, SO_PEERCRED */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "crypto/keys.h"
#include "crypto/seal_sig.h"
#include "crypto/signer_cert.h"
#include "signer/signer.h"
#include "verify/revlist.h"

struct signer_key {
    struct signer_identity id;
    EVP_PKEY *key;
    uint8_t cert_der[SIGNER_CERT_DER_MAX];
    size_t cert_der_len;
    EVP_PKEY *csca_key; /* NULL: no csca.key.pem (no CSCA / REVLIST) */
    uint8_t csca_der[SIGNER_CERT_DER_MAX];
    size_t csca_der_len;
};

struct signer {
    struct signer_key keys[SIGNER_STATES_MAX];
    size_t n_keys;
    int log_fd;    /* -1: no log */
    int listen_fd; /* -1: no socket */
    char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

__attribute__((format(printf, 4, 5))) static int fail(int code, char *err, size_t cap,
                                                      const char *fmt, ...)
{
    if (err && cap) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(err, cap, fmt, ap);
        va_end(ap);
        if (k < 0)
            err[0] = '\0';
    }
    return -code;
}

/* ---- keys -------------------------------------------------------------- */

/* 0 when the key signs and its certificate's public key verifies it. */
static int self_test(EVP_PKEY *key, X509 *cert)
{
    static const uint8_t msg[] = "evisa signer self-test";
    uint8_t rs[SEAL_SIG_MAX];
    size_t rs_len = 0;
    EVP_PKEY *pub = X509_get0_pubkey(cert);
    if (!pub || seal_sig_sign(key, msg, sizeof msg, rs, sizeof rs, &rs_len) < 0 ||
        seal_sig_verify(pub, msg, sizeof msg, rs, rs_len) < 0)
        return -1;
    return (int)rs_len;
}

/* Loads DIR/<name>/csca.{key,cert}.pem into k when both are there (the
 * CSCA key signs revocation lists).  0 when loaded or absent, negative on
 * error. */
static int load_csca(const char *dir, const char *name, struct signer_key *k, char *err, size_t cap)
{
    char kp[KEYS_PATH_MAX], cp[KEYS_PATH_MAX];
    int a = snprintf(kp, sizeof kp, "%s/%s/%s", dir, name, keys_file_name(KEYS_CSCA_KEY));
    int b = snprintf(cp, sizeof cp, "%s/%s/%s", dir, name, keys_file_name(KEYS_CSCA_CERT));
    if (a < 0 || b < 0 || (size_t)a >= sizeof kp || (size_t)b >= sizeof cp)
        return fail(SIGNER_E_CONFIG, err, cap, "%s/%s: path too long", dir, name);
    bool has_key = access(kp, F_OK) == 0, has_cert = access(cp, F_OK) == 0;
    if (!has_key)
        return 0; /* a signer without revocation lists for this state */
    if (!has_cert)
        return fail(SIGNER_E_CONFIG, err, cap, "%s is missing (next to csca.key.pem)", cp);
    X509 *cert = NULL;
    int rc = -SIGNER_E_CONFIG;
    if (signer_cert_load_file(cp, &cert) < 0) {
        fail(SIGNER_E_CONFIG, err, cap, "%s: %s", cp, "unreadable certificate");
        goto out;
    }
    if (signer_key_load_file(kp, &k->csca_key) < 0) {
        fail(SIGNER_E_CONFIG, err, cap, "%s: %s", kp, "unreadable private key");
        goto out;
    }
    if (signer_key_matches_cert(k->csca_key, cert) < 0 || self_test(k->csca_key, cert) <= 0) {
        fail(SIGNER_E_CONFIG, err, cap, "%s: %s", kp, "does not match csca.cert.pem");
        goto out;
    }
    int der = i2d_X509(cert, NULL);
    uint8_t *p = k->csca_der;
    if (der <= 0 || (size_t)der > sizeof k->csca_der || i2d_X509(cert, &p) != der) {
        fail(SIGNER_E_CONFIG, err, cap, "%s: %s", cp, "certificate too large");
        goto out;
    }
    k->csca_der_len = (size_t)der;
    rc = 0;
out:
    X509_free(cert);
    if (rc < 0) {
        EVP_PKEY_free(k->csca_key);
        k->csca_key = NULL;
    }
    return rc;
}

/* Loads DIR/<name>/ds.{key,cert}.pem into k.  Returns 1 when loaded, 0 when
 * the directory holds neither file (not a state's), negative on error. */
static int load_state(const char *dir, const char *name, struct signer_key *k, char *err,
                      size_t cap)
{
    char kp[KEYS_PATH_MAX], cp[KEYS_PATH_MAX], alpha2[3];
    int a = snprintf(kp, sizeof kp, "%s/%s/%s", dir, name, keys_file_name(KEYS_DS_KEY));
    int b = snprintf(cp, sizeof cp, "%s/%s/%s", dir, name, keys_file_name(KEYS_DS_CERT));
    if (a < 0 || b < 0 || (size_t)a >= sizeof kp || (size_t)b >= sizeof cp)
        return fail(SIGNER_E_CONFIG, err, cap, "%s/%s: path too long", dir, name);
    bool has_key = access(kp, F_OK) == 0, has_cert = access(cp, F_OK) == 0;
    if (!has_key && !has_cert)
        return 0;
    if (!has_key || !has_cert)
        return fail(SIGNER_E_CONFIG, err, cap,
                    "%s is missing (a state needs ds.key.pem and ds.cert.pem)", has_key ? cp : kp);
    if (signer_state_normalize(name, k->id.state) < 0 || keys_state_alpha2(name, alpha2) < 0)
        return fail(SIGNER_E_CONFIG, err, cap, "%s/%s: not an issuing state's code", dir, name);
    X509 *cert = NULL;
    int rc = -SIGNER_E_CONFIG;
    if (signer_cert_load_file(cp, &cert) < 0) {
        fail(SIGNER_E_CONFIG, err, cap, "%s: %s", cp, "unreadable certificate");
        goto out;
    }
    if (signer_key_load_file(kp, &k->key) < 0) {
        fail(SIGNER_E_CONFIG, err, cap, "%s: %s", kp, "unreadable private key");
        goto out;
    }
    if (signer_key_matches_cert(k->key, cert) < 0) {
        fail(SIGNER_E_CONFIG, err, cap, "%s: %s", kp, "does not match ds.cert.pem");
        goto out;
    }
    if (signer_cert_reference(cert, k->id.signer_id, sizeof k->id.signer_id, k->id.cert_ref,
                              sizeof k->id.cert_ref) < 0 ||
        memcmp(k->id.signer_id, alpha2, 2) != 0) {
        fail(SIGNER_E_CONFIG, err, cap, "%s: %s", cp, "no signer id of the state (C + CN)");
        goto out;
    }
    int sig = self_test(k->key, cert);
    if (sig <= 0) {
        fail(SIGNER_E_CONFIG, err, cap, "%s: %s", kp, "the signing self-test failed");
        goto out;
    }
    k->id.sig_len = (size_t)sig;
    int der = i2d_X509(cert, NULL);
    uint8_t *p = k->cert_der;
    if (der <= 0 || (size_t)der > sizeof k->cert_der || i2d_X509(cert, &p) != der) {
        fail(SIGNER_E_CONFIG, err, cap, "%s: %s", cp, "certificate too large");
        goto out;
    }
    k->cert_der_len = (size_t)der;
    rc = load_csca(dir, name, k, err, cap);
    if (rc == 0)
        rc = 1;
out:
    X509_free(cert);
    if (rc < 0) {
        EVP_PKEY_free(k->key);
        k->key = NULL;
    }
    return rc;
}

static int load_keys(struct signer *s, const char *dir, char *err, size_t cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return fail(SIGNER_E_CONFIG, err, cap, "%s: cannot open the keys directory", dir);
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        char st[SIGNER_STATE_LEN + 1];
        if (e->d_name[0] == '.' || signer_state_normalize(e->d_name, st) < 0)
            continue; /* not a state code: e.g. a secret file */
        if (s->n_keys == SIGNER_STATES_MAX) {
            rc = fail(SIGNER_E_CONFIG, err, cap, "%s: more than %d states", dir, SIGNER_STATES_MAX);
            break;
        }
        struct signer_key *k = &s->keys[s->n_keys];
        int got = load_state(dir, e->d_name, k, err, cap);
        if (got < 0) {
            rc = got;
            break;
        }
        if (got == 0)
            continue;
        for (size_t i = 0; i < s->n_keys; i++)
            if (!strcmp(s->keys[i].id.state, k->id.state)) {
                EVP_PKEY_free(k->key);
                EVP_PKEY_free(k->csca_key);
                k->key = k->csca_key = NULL;
                rc =
                    fail(SIGNER_E_CONFIG, err, cap, "%s: two directories for %s", dir, k->id.state);
            }
        if (rc == 0)
            s->n_keys++;
    }
    closedir(d);
    if (rc == 0 && s->n_keys == 0)
        rc = fail(SIGNER_E_CONFIG, err, cap, "%s: no state directory with ds.key.pem", dir);
    return rc;
}

/* ---- socket ------------------------------------------------------------ */

/* Creates (0700) or checks the socket's directory: ours, no group/other. */
static int check_socket_dir(const char *path, char *err, size_t cap)
{
    char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return fail(SIGNER_E_IO, err, cap, "%s: cannot create the socket directory", dir);
    struct stat st;
    if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
        return fail(SIGNER_E_CONFIG, err, cap, "%s: not a directory", dir);
    if (st.st_uid != geteuid() || (st.st_mode & 077) != 0)
        return fail(SIGNER_E_CONFIG, err, cap,
                    "%s: the socket directory must be ours with mode 0700", dir);
    return 0;
}

static int open_socket(struct signer *s, const char *path, char *err, size_t cap)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path)
        return fail(SIGNER_E_CONFIG, err, cap, "%s: socket path too long", path);
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int rc = check_socket_dir(path, err, cap);
    if (rc < 0)
        return rc;
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return fail(SIGNER_E_CONFIG, err, cap, "%s: exists and is not a socket", path);
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool live = probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof sa) == 0;
        if (probe >= 0)
            close(probe);
        if (live)
            return fail(SIGNER_E_IO, err, cap, "%s: another signer is listening", path);
        unlink(path); /* stale, from a signer that died */
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(SIGNER_E_IO, err, cap, "%s: socket: %s", path, strerror(errno));
    mode_t old = umask(077);
    int b = bind(fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old);
    if (b < 0 || chmod(path, 0600) < 0 || listen(fd, 64) < 0) {
        int e = errno;
        close(fd);
        return fail(SIGNER_E_IO, err, cap, "%s: %s", path, strerror(e));
    }
    s->listen_fd = fd;
    snprintf(s->socket_path, sizeof s->socket_path, "%s", path);
    return 0;
}

int signer_open(const struct signer_config *c, struct signer **out, char *err, size_t cap)
{
    *out = NULL;
    if (!c || !c->keys_dir)
        return fail(SIGNER_E_CONFIG, err, cap, "no keys directory");
    struct signer *s = calloc(1, sizeof *s);
    if (!s)
        return fail(SIGNER_E_IO, err, cap, "out of memory");
    s->log_fd = s->listen_fd = -1;
    int rc = load_keys(s, c->keys_dir, err, cap);
    if (rc == 0 && c->log_path) {
        s->log_fd = open(c->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (s->log_fd < 0)
            rc = fail(SIGNER_E_IO, err, cap, "%s: cannot open the log: %s", c->log_path,
                      strerror(errno));
    }
    if (rc == 0 && c->socket_path)
        rc = open_socket(s, c->socket_path, err, cap);
    if (rc < 0) {
        signer_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

size_t signer_n_states(const struct signer *s)
{
    return s->n_keys;
}

const char *signer_state_code(const struct signer *s, size_t i)
{
    return i < s->n_keys ? s->keys[i].id.state : NULL;
}

void signer_close(struct signer *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_keys; i++) {
        EVP_PKEY_free(s->keys[i].key); /* OpenSSL clears EC private keys on free */
        EVP_PKEY_free(s->keys[i].csca_key);
    }
    if (s->listen_fd >= 0) {
        close(s->listen_fd);
        unlink(s->socket_path);
    }
    if (s->log_fd >= 0)
        close(s->log_fd);
    OPENSSL_cleanse(s, sizeof *s);
    free(s);
}

/* ---- log --------------------------------------------------------------- */

/* Appends one JSON line and fsyncs it.  Every string written here is from
 * a fixed vocabulary or already validated (state codes A-Z '<', document
 * numbers A-Z 0-9, hex, code names), so no escaping is needed. */
static int log_line(struct signer *s, time_t now, const char *event, const char *state,
                    const uint8_t *data, size_t n, const char *tail)
{
    if (s->log_fd < 0)
        return 0;
    uint8_t md[SHA256_DIGEST_LENGTH];
    char hex[2 * SHA256_DIGEST_LENGTH + 1], when[32];
    SHA256(data, n, md);
    for (size_t i = 0; i < sizeof md; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    struct tm tm;
    if (!gmtime_r(&now, &tm) || strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(when, sizeof when, "?");
    char line[768];
    int k = snprintf(line, sizeof line,
                     "{\"time\":\"%s\",\"event\":\"%s\",\"state\":\"%s\",\"sha256\":\"%s\",%s}\n",
                     when, event, state, hex, tail);
    if (k < 0 || (size_t)k >= sizeof line)
        return -SIGNER_E_LOG_FAILED;
    if (write(s->log_fd, line, (size_t)k) != k || fdatasync(s->log_fd) != 0)
        return -SIGNER_E_LOG_FAILED;
    return 0;
}

/* ---- requests ---------------------------------------------------------- */

static const struct signer_key *find_key(const struct signer *s, const char *state)
{
    for (size_t i = 0; i < s->n_keys; i++)
        if (!strcmp(s->keys[i].id.state, state))
            return &s->keys[i];
    return NULL;
}

/* Logs a refusal and writes its response; returns -code. */
static int refuse(struct signer *s, time_t now, enum signer_op op, const char *state, int code,
                  const char *why, const uint8_t *data, size_t n, uint8_t *resp, size_t cap,
                  size_t *resp_len)
{
    char tail[SIGNER_MSG_MAX + 96];
    snprintf(tail, sizeof tail, "\"reason\":\"%s\",\"detail\":\"%s\"", signer_err_code(code), why);
    for (char *c = tail; *c; c++)
        if (*c == '\\' || (unsigned char)*c < 0x20 || (unsigned char)*c > 0x7E)
            *c = '?'; /* details are fixed sentences; keep the line JSON regardless */
    log_line(s, now, "refuse", state, data, n, tail);
    struct signer_response r = {.op = op, .status = code};
    snprintf(r.message, sizeof r.message, "%s", why[0] ? why : signer_err_message(code));
    if (signer_response_encode(&r, resp, cap, resp_len) < 0)
        *resp_len = 0;
    return -code;
}

/* REVLIST: checks the request, builds and signs the list with the State's
 * CSCA key, logs it, answers with it. */
static int handle_revlist(struct signer *s, const struct signer_key *k,
                          const struct signer_request *rq, time_t now, uint8_t *resp, size_t cap,
                          size_t *resp_len)
{
    int64_t issued = 0, next_update = 0;
    char(*numbers)[16] = NULL;
    size_t n = 0;
    char why[SIGNER_MSG_MAX];
    int rc =
        signer_revlist_payload_parse(rq->tbs, rq->tbs_len, &issued, &next_update, &numbers, &n);
    if (rc < 0)
        return refuse(s, now, rq->op, rq->state, -rc,
                      rc == -SIGNER_E_TOO_LARGE ? "too many visa numbers"
                                                : "malformed revocation list request",
                      rq->tbs, rq->tbs_len, resp, cap, resp_len);
    rc = signer_check_revlist_times(issued, next_update, now, why, sizeof why);
    if (rc < 0) {
        free(numbers);
        return refuse(s, now, rq->op, rq->state, -rc, why, rq->tbs, rq->tbs_len, resp, cap,
                      resp_len);
    }
    char state[SIGNER_STATE_LEN + 1];
    snprintf(state, sizeof state, "%s", rq->state);
    char *lt = strchr(state, '<');
    if (lt)
        *lt = '\0'; /* revlist_build wants "D", not "D<<" */
    uint8_t *list = NULL;
    size_t len = 0;
    rc = revlist_build(state, (time_t)issued, (time_t)next_update, (const char(*)[16])numbers, n,
                       k->csca_key, &list, &len);
    free(numbers);
    if (rc < 0)
        return refuse(s, now, rq->op, rq->state,
                      rc == -TRUST_E_BAD_NUMBER || rc == -TRUST_E_BAD_TIME ||
                              rc == -TRUST_E_TOO_MANY
                          ? SIGNER_E_BAD_REVLIST
                          : SIGNER_E_SIGN_FAILED,
                      trust_err_message(rc), rq->tbs, rq->tbs_len, resp, cap, resp_len);
    size_t count = 0;
    struct revlist parsed;
    if (revlist_parse(list, len, &parsed) == 0)
        count = parsed.count;
    revlist_free(&parsed);
    char tail[160];
    snprintf(tail, sizeof tail, "\"count\":%zu,\"issued\":%lld,\"next_update\":%lld", count,
             (long long)issued, (long long)next_update);
    struct signer_response r = {.op = rq->op, .revlist = list, .revlist_len = len};
    if (log_line(s, now, "revlist", rq->state, list, len, tail) < 0) {
        free(list);
        struct signer_response e = {.op = rq->op, .status = SIGNER_E_LOG_FAILED};
        snprintf(e.message, sizeof e.message, "%s", signer_err_message(SIGNER_E_LOG_FAILED));
        if (signer_response_encode(&e, resp, cap, resp_len) < 0)
            *resp_len = 0;
        return -SIGNER_E_LOG_FAILED;
    }
    rc = signer_response_encode(&r, resp, cap, resp_len) < 0 ? -SIGNER_E_NO_SPACE : 0;
    free(list);
    return rc;
}

int signer_handle(struct signer *s, const uint8_t *req, size_t n, time_t now, uint8_t *resp,
                  size_t cap, size_t *resp_len)
{
    *resp_len = 0;
    struct signer_request rq;
    int rc = signer_request_parse(req, n, &rq);
    if (rc < 0)
        return refuse(s, now, SIGNER_OP_SIGN, "", -rc, "", req, req ? n : 0, resp, cap, resp_len);
    const struct signer_key *k = find_key(s, rq.state);
    if (!k)
        return refuse(s, now, rq.op, rq.state, SIGNER_E_UNKNOWN_STATE,
                      "the signer holds no key for that state", req, n, resp, cap, resp_len);
    struct signer_response r = {.op = rq.op};
    if (rq.op == SIGNER_OP_INFO) {
        memcpy(r.signer_id, k->id.signer_id, sizeof r.signer_id);
        memcpy(r.cert_ref, k->id.cert_ref, sizeof r.cert_ref);
        r.cert_der = k->cert_der;
        r.cert_der_len = k->cert_der_len;
        return signer_response_encode(&r, resp, cap, resp_len) < 0 ? -SIGNER_E_NO_SPACE : 0;
    }
    if (rq.op == SIGNER_OP_CSCA || rq.op == SIGNER_OP_REVLIST) {
        if (!k->csca_key)
            return refuse(s, now, rq.op, rq.state, SIGNER_E_NO_CSCA,
                          "the signer holds no CSCA key for that state", req, n, resp, cap,
                          resp_len);
        if (rq.op == SIGNER_OP_REVLIST)
            return handle_revlist(s, k, &rq, now, resp, cap, resp_len);
        r.cert_der = k->csca_der;
        r.cert_der_len = k->csca_der_len;
        return signer_response_encode(&r, resp, cap, resp_len) < 0 ? -SIGNER_E_NO_SPACE : 0;
    }
    char why[SIGNER_MSG_MAX];
    struct signer_seal_facts facts;
    rc = signer_check_seal(&k->id, rq.tbs, rq.tbs_len, now, &facts, why, sizeof why);
    if (rc < 0)
        return refuse(s, now, rq.op, rq.state, -rc, why, rq.tbs, rq.tbs_len, resp, cap, resp_len);
    uint8_t rs[SEAL_SIG_MAX];
    size_t rs_len = 0;
    if (seal_sig_sign(k->key, rq.tbs, rq.tbs_len, rs, sizeof rs, &rs_len) < 0 ||
        rs_len != k->id.sig_len)
        return refuse(s, now, rq.op, rq.state, SIGNER_E_SIGN_FAILED, "the signature failed", rq.tbs,
                      rq.tbs_len, resp, cap, resp_len);
    char tail[160];
    snprintf(tail, sizeof tail, "\"signer\":\"%s\",\"cert_ref\":\"%s\",\"document_number\":\"%s\"",
             k->id.signer_id, k->id.cert_ref, facts.document_number);
    if (log_line(s, now, "sign", rq.state, rq.tbs, rq.tbs_len, tail) < 0) {
        OPENSSL_cleanse(rs, sizeof rs);
        struct signer_response e = {.op = rq.op, .status = SIGNER_E_LOG_FAILED};
        snprintf(e.message, sizeof e.message, "%s", signer_err_message(SIGNER_E_LOG_FAILED));
        if (signer_response_encode(&e, resp, cap, resp_len) < 0)
            *resp_len = 0;
        return -SIGNER_E_LOG_FAILED;
    }
    r.rs = rs;
    r.rs_len = rs_len;
    return signer_response_encode(&r, resp, cap, resp_len) < 0 ? -SIGNER_E_NO_SPACE : 0;
}

/* ---- the loop ---------------------------------------------------------- */

static long ms_left(const struct timespec *deadline)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (deadline->tv_sec - t.tv_sec) * 1000 + (deadline->tv_nsec - t.tv_nsec) / 1000000;
}

/* Reads exactly n bytes before the deadline.  0, or -1 on EOF/error/timeout. */
static int read_full(int fd, uint8_t *p, size_t n, const struct timespec *deadline)
{
    size_t got = 0;
    while (got < n) {
        long left = ms_left(deadline);
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&pf, 1, (int)left) <= 0)
            return -1;
        ssize_t k = recv(fd, p + got, n - got, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        got += (size_t)k;
    }
    return 0;
}

static void write_full(int fd, const uint8_t *p, size_t n, const struct timespec *deadline)
{
    size_t put = 0;
    while (put < n) {
        long left = ms_left(deadline);
        struct pollfd pf = {.fd = fd, .events = POLLOUT};
        if (left <= 0 || poll(&pf, 1, (int)left) <= 0)
            return;
        ssize_t k = send(fd, p + put, n - put, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return;
        put += (size_t)k;
    }
}

static void serve_connection(struct signer *s, int fd)
{
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != geteuid())
        return; /* only processes of our own user (the socket is 0600 anyway) */
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += SIGNER_IO_TIMEOUT_MS / 1000;
    deadline.tv_nsec += (SIGNER_IO_TIMEOUT_MS % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    uint8_t head[2], body[SIGNER_FRAME_MAX], resp[SIGNER_FRAME_MAX + 2];
    size_t resp_len = 0;
    if (read_full(fd, head, 2, &deadline) < 0)
        return;
    size_t n = (size_t)head[0] << 8 | head[1];
    if (n == 0 || n > SIGNER_FRAME_MAX) {
        /* Refused without reading the body; logged over the length bytes. */
        refuse(s, time(NULL), SIGNER_OP_SIGN, "", n ? SIGNER_E_TOO_LARGE : SIGNER_E_BAD_REQUEST,
               "bad frame length", head, 2, resp, sizeof resp, &resp_len);
    } else {
        if (read_full(fd, body, n, &deadline) < 0)
            return;
        signer_handle(s, body, n, time(NULL), resp, sizeof resp, &resp_len);
    }
    write_full(fd, resp, resp_len, &deadline);
}

int signer_serve(struct signer *s, unsigned long max_requests)
{
    if (s->listen_fd < 0)
        return -SIGNER_E_IO;
    for (unsigned long served = 0; max_requests == 0 || served < max_requests;) {
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE) {
                struct timespec pause = {0, 10 * 1000000L};
                nanosleep(&pause, NULL);
                continue;
            }
            return -SIGNER_E_IO;
        }
        (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
        serve_connection(s, fd);
        close(fd);
        served++;
    }
    return 0;
}
