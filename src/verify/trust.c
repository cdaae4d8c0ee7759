/*
 * trust.c — the verifier's local trust store: loading DIR/<STATE>/csca.pem,
 * DIR/<STATE>/ds/<ID>-<SERIAL>.pem and DIR/<STATE>/revoked.bin with bounds, enforcing that
 * every certificate belongs to its State and every DS chains to that State's
 * own CSCA, and adding certificates and revocation lists safely (validate
 * everything, then write to a temporary file and rename).  Layout and rules:
 * verify/trust.h.
 */
#include "verify/trust.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crypto/crypto_err.h"
#include "crypto/keys.h"
#include "crypto/signer_cert.h"

#define TRUST_CSCA_FILE "csca.pem"
#define TRUST_DS_DIR "ds"
#define TRUST_REVLIST_FILE "revoked.bin"
#define TRUST_NAME_MAX 256 /* file names inside ds/ */

struct trust_state {
    char name[4];   /* "AZE" */
    char alpha2[3]; /* "AZ" */
    X509 *csca[TRUST_CSCA_MAX];
    size_t n_csca;
    X509 *ds[TRUST_DS_MAX];
    size_t n_ds;
    X509_STORE *store; /* this State's CSCAs only */
    struct revlist rl;
    bool has_rl;
    int rl_err;
};

struct trust {
    struct trust_state *states;
    size_t n;
};

static void set_err(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t cap, const char *fmt, ...)
{
    if (!err || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    if (n < 0)
        err[0] = '\0';
}

/* A State directory name: 1-3 letters A-Z with a known alpha-2 code. */
static int state_check(const char *state, char alpha2[3])
{
    if (!state)
        return -TRUST_E_BAD_STATE;
    size_t n = strnlen(state, 4);
    if (n < 1 || n > 3)
        return -TRUST_E_BAD_STATE;
    for (size_t i = 0; i < n; i++)
        if (state[i] < 'A' || state[i] > 'Z')
            return -TRUST_E_BAD_STATE;
    return keys_state_alpha2(state, alpha2) == 0 ? 0 : -TRUST_E_BAD_STATE;
}

static int path_join(char *out, size_t cap, const char *a, const char *b, const char *c)
{
    int n = c ? snprintf(out, cap, "%s/%s/%s", a, b, c) : snprintf(out, cap, "%s/%s", a, b);
    return n < 0 || (size_t)n >= cap ? -TRUST_E_IO : 0;
}

/* Reads a whole regular file of at most max bytes.  *missing (may be NULL)
 * tells a file that does not exist from other failures. */
static int read_bounded(const char *path, size_t max, uint8_t **buf, size_t *len, bool *missing)
{
    if (missing)
        *missing = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (missing && errno == ENOENT)
            *missing = true;
        return -TRUST_E_IO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -TRUST_E_IO;
    }
    if (st.st_size < 0 || (uint64_t)st.st_size > max) {
        close(fd);
        return -TRUST_E_TOO_LARGE;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    uint8_t *b = malloc(cap);
    if (!b) {
        close(fd);
        return -TRUST_E_INTERNAL;
    }
    for (;;) {
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(b);
            close(fd);
            return -TRUST_E_IO;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n == cap) { /* grew while reading */
            free(b);
            close(fd);
            return -TRUST_E_TOO_LARGE;
        }
    }
    close(fd);
    *buf = b;
    *len = n;
    return 0;
}

/* Writes data to path through path.tmp + rename, mode 0644. */
static int write_atomic(const char *path, const void *data, size_t len)
{
    char tmp[TRUST_PATH_MAX];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return -TRUST_E_IO;
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0)
        return -TRUST_E_IO;
    const uint8_t *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, p + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            unlink(tmp);
            return -TRUST_E_IO;
        }
        done += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return -TRUST_E_IO;
    }
    return 0;
}

static int mkdir_ok(const char *path)
{
    if (mkdir(path, 0755) == 0)
        return 0;
    struct stat st;
    if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    return -TRUST_E_IO;
}

/* Whether the certificate's subject has exactly one C, equal to alpha2. */
static bool cert_country_is(X509 *cert, const char alpha2[3])
{
    X509_NAME *name = X509_get_subject_name(cert);
    int i = X509_NAME_get_index_by_NID(name, NID_countryName, -1);
    if (i < 0 || X509_NAME_get_index_by_NID(name, NID_countryName, i) >= 0)
        return false;
    const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    return s && ASN1_STRING_length(s) == 2 && !memcmp(ASN1_STRING_get0_data(s), alpha2, 2);
}

/* A CSCA: CA certificate, issued by itself with its own key. */
static bool cert_is_self_signed_ca(X509 *cert)
{
    EVP_PKEY *pub = X509_get0_pubkey(cert);
    bool ok = pub && X509_check_ca(cert) >= 1 && X509_check_issued(cert, cert) == X509_V_OK &&
              X509_verify(cert, pub) == 1;
    ERR_clear_error();
    return ok;
}

/* Whether `ds` is issued and signed by `ca` (no dates checked). */
static bool cert_issued_by(X509 *ds, X509 *ca)
{
    EVP_PKEY *pub = X509_get0_pubkey(ca);
    bool ok = pub && X509_check_issued(ca, ds) == X509_V_OK && X509_verify(ds, pub) == 1;
    ERR_clear_error();
    return ok;
}

/* Reads up to max PEM certificates from memory into out[]. */
static int load_pem_certs(const uint8_t *data, size_t len, X509 **out, size_t max, size_t *n)
{
    *n = 0;
    if (len == 0 || len > SIGNER_TRUST_MAX)
        return len ? -TRUST_E_TOO_LARGE : -TRUST_E_BAD_CERT;
    BIO *bio = BIO_new_mem_buf(data, (int)len);
    if (!bio)
        return -TRUST_E_INTERNAL;
    int rc = 0;
    for (;;) {
        X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        if (!x) {
            unsigned long e = ERR_peek_last_error();
            if (*n == 0 || ERR_GET_LIB(e) != ERR_LIB_PEM ||
                ERR_GET_REASON(e) != PEM_R_NO_START_LINE)
                rc = -TRUST_E_BAD_CERT;
            break;
        }
        if (*n >= max) {
            X509_free(x);
            rc = -TRUST_E_TOO_MANY;
            break;
        }
        out[(*n)++] = x;
    }
    ERR_clear_error();
    BIO_free(bio);
    if (rc < 0) {
        for (size_t i = 0; i < *n; i++)
            X509_free(out[i]);
        *n = 0;
    }
    return rc;
}

static int crypto_to_trust(int rc)
{
    switch (-rc) {
    case CRYPTO_E_TOO_LARGE:
        return -TRUST_E_TOO_LARGE;
    case CRYPTO_E_IO:
        return -TRUST_E_IO;
    case CRYPTO_E_INTERNAL:
        return -TRUST_E_INTERNAL;
    default:
        return -TRUST_E_BAD_CERT;
    }
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with_pem(const char *s)
{
    size_t n = strlen(s);
    return n > 4 && s[0] != '.' && !strcmp(s + n - 4, ".pem");
}

/* The sorted names of DS files (*.pem, no dot files) in dir; a missing
 * directory gives none. */
static int list_ds_files(const char *dir, char **names, size_t max, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : -TRUST_E_IO;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!ends_with_pem(e->d_name))
            continue;
        if (strlen(e->d_name) >= TRUST_NAME_MAX) {
            rc = -TRUST_E_IO;
            break;
        }
        if (*n >= max) {
            rc = -TRUST_E_TOO_MANY;
            break;
        }
        names[*n] = strdup(e->d_name);
        if (!names[*n]) {
            rc = -TRUST_E_INTERNAL;
            break;
        }
        (*n)++;
    }
    closedir(d);
    if (rc < 0) {
        for (size_t i = 0; i < *n; i++)
            free(names[i]);
        *n = 0;
        return rc;
    }
    qsort(names, *n, sizeof *names, name_cmp);
    return 0;
}

static void state_free(struct trust_state *s)
{
    for (size_t i = 0; i < s->n_csca; i++)
        X509_free(s->csca[i]);
    for (size_t i = 0; i < s->n_ds; i++)
        X509_free(s->ds[i]);
    X509_STORE_free(s->store);
    revlist_free(&s->rl);
    memset(s, 0, sizeof *s);
}

/* Loads the CSCAs of state from path; checks each is a self-signed CA of
 * the State.  Missing file: -TRUST_E_NO_CSCA. */
static int load_cscas(const char *path, const char *alpha2, X509 **out, size_t *n, char *err,
                      size_t cap)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    bool missing;
    *n = 0;
    int rc = read_bounded(path, SIGNER_TRUST_MAX, &buf, &len, &missing);
    if (rc < 0) {
        set_err(err, cap, "%s: %s", path, missing ? "missing" : trust_err_message(rc));
        return missing ? -TRUST_E_NO_CSCA : rc;
    }
    rc = load_pem_certs(buf, len, out, TRUST_CSCA_MAX, n);
    free(buf);
    if (rc < 0) {
        set_err(err, cap, "%s: %s", path, trust_err_message(rc));
        return rc;
    }
    for (size_t i = 0; i < *n; i++) {
        if (!cert_is_self_signed_ca(out[i]))
            rc = -TRUST_E_BAD_CERT;
        else if (!cert_country_is(out[i], alpha2))
            rc = -TRUST_E_STATE_MISMATCH;
        if (rc < 0) {
            set_err(err, cap, "%s: certificate %zu: %s", path, i + 1,
                    rc == -TRUST_E_BAD_CERT ? "not a self-signed CA certificate"
                                            : "subject country is not the State's");
            for (size_t j = 0; j < *n; j++)
                X509_free(out[j]);
            *n = 0;
            return rc;
        }
    }
    return 0;
}

static int make_store(X509 *const *certs, size_t n, X509_STORE **out)
{
    X509_STORE *store = X509_STORE_new();
    if (!store)
        return -TRUST_E_INTERNAL;
    for (size_t i = 0; i < n; i++)
        if (!X509_STORE_add_cert(store, certs[i])) {
            X509_STORE_free(store);
            ERR_clear_error();
            return -TRUST_E_INTERNAL;
        }
    *out = store;
    return 0;
}

static int state_load(const char *dir, struct trust_state *s, char *err, size_t cap)
{
    char path[TRUST_PATH_MAX], sdir[TRUST_PATH_MAX];
    if (path_join(sdir, sizeof sdir, dir, s->name, NULL) < 0 ||
        path_join(path, sizeof path, sdir, TRUST_CSCA_FILE, NULL) < 0) {
        set_err(err, cap, "%s: path too long", dir);
        return -TRUST_E_IO;
    }
    int rc = load_cscas(path, s->alpha2, s->csca, &s->n_csca, err, cap);
    if (rc < 0)
        return rc;
    rc = make_store(s->csca, s->n_csca, &s->store);
    if (rc < 0)
        return rc;

    char dsdir[TRUST_PATH_MAX];
    char *names[TRUST_DS_MAX];
    size_t n_names = 0;
    if (path_join(dsdir, sizeof dsdir, sdir, TRUST_DS_DIR, NULL) < 0)
        return -TRUST_E_IO;
    rc = list_ds_files(dsdir, names, TRUST_DS_MAX, &n_names);
    if (rc < 0) {
        set_err(err, cap, "%s: %s", dsdir, trust_err_message(rc));
        return rc;
    }
    for (size_t i = 0; i < n_names && rc == 0; i++) {
        X509 *ds = NULL;
        if (path_join(path, sizeof path, dsdir, names[i], NULL) < 0)
            rc = -TRUST_E_IO;
        else
            rc = signer_cert_load_file(path, &ds);
        if (rc < 0) {
            rc = rc <= -TRUST_E__BASE ? rc : crypto_to_trust(rc);
            set_err(err, cap, "%s: %s", path, trust_err_message(rc));
            break;
        }
        bool chained = false;
        for (size_t j = 0; j < s->n_csca && !chained; j++)
            chained = cert_issued_by(ds, s->csca[j]);
        if (!cert_country_is(ds, s->alpha2)) {
            rc = -TRUST_E_STATE_MISMATCH;
            set_err(err, cap, "%s: subject country is not %s's", path, s->name);
        } else if (!chained) {
            rc = -TRUST_E_NOT_CHAINED;
            set_err(err, cap, "%s: not issued by a CSCA of %s", path, s->name);
        }
        if (rc < 0)
            X509_free(ds);
        else
            s->ds[s->n_ds++] = ds;
    }
    for (size_t i = 0; i < n_names; i++)
        free(names[i]);
    if (rc < 0)
        return rc;

    /* The revocation list: problems are recorded, not fatal. */
    uint8_t *buf = NULL;
    size_t len = 0;
    bool missing;
    if (path_join(path, sizeof path, sdir, TRUST_REVLIST_FILE, NULL) < 0)
        return -TRUST_E_IO;
    rc = read_bounded(path, REVLIST_FILE_MAX, &buf, &len, &missing);
    if (rc < 0) {
        s->rl_err = missing ? 0 : rc;
        return 0;
    }
    rc = revlist_parse(buf, len, &s->rl);
    free(buf);
    if (rc == 0)
        rc = revlist_verify(&s->rl, s->name, s->store, NULL);
    if (rc < 0) {
        revlist_free(&s->rl);
        s->rl_err = rc;
    } else {
        s->has_rl = true;
    }
    return 0;
}

static int state_name_cmp(const void *a, const void *b)
{
    return strcmp(((const struct trust_state *)a)->name, ((const struct trust_state *)b)->name);
}

int trust_open(const char *dir, struct trust **out, char *err, size_t cap)
{
    set_err(err, cap, "%s", "");
    if (!dir || !out)
        return -TRUST_E_IO;
    DIR *d = opendir(dir);
    if (!d) {
        set_err(err, cap, "%s: cannot open the trust store directory", dir);
        return -TRUST_E_IO;
    }
    struct trust *t = calloc(1, sizeof *t);
    if (t)
        t->states = calloc(TRUST_STATES_MAX, sizeof *t->states);
    if (!t || !t->states) {
        closedir(d);
        if (t)
            free(t);
        return -TRUST_E_INTERNAL;
    }
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char alpha2[3], path[TRUST_PATH_MAX];
        struct stat st;
        if (state_check(e->d_name, alpha2) < 0)
            continue;
        if (path_join(path, sizeof path, dir, e->d_name, NULL) < 0 || stat(path, &st) != 0 ||
            !S_ISDIR(st.st_mode))
            continue;
        if (t->n >= TRUST_STATES_MAX) {
            set_err(err, cap, "%s: more than %d States", dir, TRUST_STATES_MAX);
            rc = -TRUST_E_TOO_MANY;
            break;
        }
        struct trust_state *s = &t->states[t->n++];
        memcpy(s->name, e->d_name, strlen(e->d_name) + 1); /* 1-3 letters */
        memcpy(s->alpha2, alpha2, sizeof s->alpha2);
    }
    closedir(d);
    if (rc == 0) {
        qsort(t->states, t->n, sizeof *t->states, state_name_cmp);
        for (size_t i = 0; i < t->n && rc == 0; i++)
            rc = state_load(dir, &t->states[i], err, cap);
    }
    if (rc < 0) {
        trust_close(t);
        return rc;
    }
    *out = t;
    return 0;
}

void trust_close(struct trust *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        state_free(&t->states[i]);
    free(t->states);
    free(t);
}

static const struct trust_state *find_state(const struct trust *t, const char *state)
{
    if (!t || !state)
        return NULL;
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->states[i].name, state))
            return &t->states[i];
    return NULL;
}

int trust_find_signer(const struct trust *t, const char *signer_id, const char *cert_ref, X509 **ds,
                      const char **state)
{
    if (ds)
        *ds = NULL;
    if (state)
        *state = NULL;
    if (!t || !signer_id || !cert_ref)
        return -TRUST_E_UNKNOWN_SIGNER;
    for (size_t i = 0; i < t->n; i++) {
        const struct trust_state *s = &t->states[i];
        for (size_t j = 0; j < s->n_ds; j++)
            if (signer_cert_matches(s->ds[j], signer_id, cert_ref) == 0) {
                if (ds)
                    *ds = s->ds[j];
                if (state)
                    *state = s->name;
                return 0;
            }
    }
    return -TRUST_E_UNKNOWN_SIGNER;
}

X509_STORE *trust_store_for(const struct trust *t, const char *state)
{
    const struct trust_state *s = find_state(t, state);
    return s ? s->store : NULL;
}

const struct revlist *trust_revlist(const struct trust *t, const char *state, int *err)
{
    const struct trust_state *s = find_state(t, state);
    if (err)
        *err = s ? s->rl_err : 0;
    return s && s->has_rl ? &s->rl : NULL;
}

size_t trust_state_count(const struct trust *t)
{
    return t ? t->n : 0;
}

const char *trust_state_name(const struct trust *t, size_t i)
{
    return t && i < t->n ? t->states[i].name : NULL;
}

size_t trust_cert_count(const struct trust *t, const char *state, enum trust_kind kind)
{
    const struct trust_state *s = find_state(t, state);
    if (!s)
        return 0;
    return kind == TRUST_CSCA ? s->n_csca : kind == TRUST_DS ? s->n_ds : 0;
}

X509 *trust_cert_at(const struct trust *t, const char *state, enum trust_kind kind, size_t i)
{
    const struct trust_state *s = find_state(t, state);
    if (!s || i >= trust_cert_count(t, state, kind))
        return NULL;
    return kind == TRUST_CSCA ? s->csca[i] : s->ds[i];
}

/* PEM text of a certificate, malloc'd. */
static int cert_pem(X509 *cert, char **out, size_t *len)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *p = NULL;
    if (!bio || !PEM_write_bio_X509(bio, cert)) {
        BIO_free(bio);
        return -TRUST_E_INTERNAL;
    }
    long n = BIO_get_mem_data(bio, &p);
    if (n <= 0 || !(*out = malloc((size_t)n))) {
        BIO_free(bio);
        return -TRUST_E_INTERNAL;
    }
    memcpy(*out, p, (size_t)n);
    *len = (size_t)n;
    BIO_free(bio);
    return 0;
}

/* Appends the CSCA to dir/csca.pem unless an equal certificate is there. */
static int add_csca(const char *sdir, X509 *csca, const char *alpha2, char *err, size_t cap)
{
    char path[TRUST_PATH_MAX];
    if (path_join(path, sizeof path, sdir, TRUST_CSCA_FILE, NULL) < 0)
        return -TRUST_E_IO;
    X509 *have[TRUST_CSCA_MAX];
    size_t n = 0;
    char errbuf[TRUST_PATH_MAX + 128];
    int rc = load_cscas(path, alpha2, have, &n, errbuf, sizeof errbuf);
    if (rc < 0 && rc != -TRUST_E_NO_CSCA) {
        set_err(err, cap, "%s", errbuf);
        return rc;
    }
    bool present = false;
    for (size_t i = 0; i < n; i++) {
        present = present || X509_cmp(have[i], csca) == 0;
    }
    if (!present && n >= TRUST_CSCA_MAX) {
        set_err(err, cap, "%s: already %d CSCAs", path, TRUST_CSCA_MAX);
        rc = -TRUST_E_TOO_MANY;
    }
    if (present || rc == -TRUST_E_TOO_MANY) {
        for (size_t i = 0; i < n; i++)
            X509_free(have[i]);
        return present ? 0 : rc;
    }
    /* Rewrite the file: existing certificates, then the new one. */
    char *all = NULL;
    size_t all_len = 0;
    rc = 0;
    for (size_t i = 0; i <= n && rc == 0; i++) {
        char *pem;
        size_t len;
        rc = cert_pem(i < n ? have[i] : csca, &pem, &len);
        if (rc < 0)
            break;
        char *grown = realloc(all, all_len + len);
        if (!grown) {
            free(pem);
            rc = -TRUST_E_INTERNAL;
            break;
        }
        all = grown;
        memcpy(all + all_len, pem, len);
        all_len += len;
        free(pem);
    }
    for (size_t i = 0; i < n; i++)
        X509_free(have[i]);
    if (rc == 0 && (rc = write_atomic(path, all, all_len)) < 0)
        set_err(err, cap, "%s: cannot write", path);
    free(all);
    return rc;
}

int trust_add(const char *dir, const char *state, const char *csca_pem_path,
              const char *const *ds_paths, size_t n_ds, char *err, size_t cap)
{
    char alpha2[3];
    set_err(err, cap, "%s", "");
    if (!dir || !csca_pem_path || (n_ds && !ds_paths))
        return -TRUST_E_IO;
    if (state_check(state, alpha2) < 0) {
        set_err(err, cap, "'%s' is not a known ICAO State code (upper case)", state ? state : "");
        return -TRUST_E_BAD_STATE;
    }
    if (n_ds > TRUST_DS_MAX) {
        set_err(err, cap, "more than %d DS certificates", TRUST_DS_MAX);
        return -TRUST_E_TOO_MANY;
    }
    X509 *csca = NULL;
    int rc = signer_cert_load_file(csca_pem_path, &csca);
    if (rc < 0) {
        rc = crypto_to_trust(rc);
        set_err(err, cap, "%s: %s", csca_pem_path, trust_err_message(rc));
        return rc;
    }
    if (!cert_is_self_signed_ca(csca)) {
        set_err(err, cap, "%s: not a self-signed CA certificate", csca_pem_path);
        X509_free(csca);
        return -TRUST_E_BAD_CERT;
    }
    if (!cert_country_is(csca, alpha2)) {
        set_err(err, cap, "%s: subject country is not %s (%s)", csca_pem_path, alpha2, state);
        X509_free(csca);
        return -TRUST_E_STATE_MISMATCH;
    }

    X509 *ds[TRUST_DS_MAX];
    char names[TRUST_DS_MAX][SIGNER_ID_LEN + 1 + SIGNER_REF_MAX + 8];
    size_t loaded = 0;
    for (size_t i = 0; i < n_ds && rc == 0; i++) {
        char id[SIGNER_ID_LEN + 1], ref[SIGNER_REF_MAX + 1];
        rc = signer_cert_load_file(ds_paths[i], &ds[i]);
        if (rc < 0) {
            rc = crypto_to_trust(rc);
            set_err(err, cap, "%s: %s", ds_paths[i], trust_err_message(rc));
            break;
        }
        loaded++;
        if (!cert_country_is(ds[i], alpha2)) {
            rc = -TRUST_E_STATE_MISMATCH;
            set_err(err, cap, "%s: subject country is not %s (%s)", ds_paths[i], alpha2, state);
        } else if (!cert_issued_by(ds[i], csca)) {
            rc = -TRUST_E_NOT_CHAINED;
            set_err(err, cap, "%s: not issued by the CSCA %s", ds_paths[i], csca_pem_path);
        } else if (signer_cert_reference(ds[i], id, sizeof id, ref, sizeof ref) < 0) {
            rc = -TRUST_E_BAD_CERT;
            set_err(err, cap, "%s: no seal signer identifier (C + 2-character CN) or serial",
                    ds_paths[i]);
        } else {
            snprintf(names[i], sizeof names[i], "%s-%s.pem", id, ref);
        }
    }

    char sdir[TRUST_PATH_MAX], dsdir[TRUST_PATH_MAX];
    if (rc == 0 && (path_join(sdir, sizeof sdir, dir, state, NULL) < 0 ||
                    path_join(dsdir, sizeof dsdir, sdir, TRUST_DS_DIR, NULL) < 0)) {
        set_err(err, cap, "%s: path too long", dir);
        rc = -TRUST_E_IO;
    }
    if (rc == 0 && (mkdir_ok(dir) < 0 || mkdir_ok(sdir) < 0 || mkdir_ok(dsdir) < 0)) {
        set_err(err, cap, "%s: cannot create the trust store directories", dir);
        rc = -TRUST_E_IO;
    }
    if (rc == 0) {
        /* Bound the DS directory: existing files plus the new ones. */
        char *have[TRUST_DS_MAX];
        size_t n_have = 0;
        rc = list_ds_files(dsdir, have, TRUST_DS_MAX, &n_have);
        size_t extra = 0;
        for (size_t i = 0; rc == 0 && i < n_ds; i++) {
            bool dup = false;
            for (size_t j = 0; j < n_have; j++)
                dup = dup || !strcmp(have[j], names[i]);
            extra += !dup;
        }
        for (size_t j = 0; j < n_have; j++)
            free(have[j]);
        if (rc == 0 && n_have + extra > TRUST_DS_MAX)
            rc = -TRUST_E_TOO_MANY;
        if (rc < 0)
            set_err(err, cap, "%s: %s", dsdir, trust_err_message(rc));
    }
    if (rc == 0)
        rc = add_csca(sdir, csca, alpha2, err, cap);
    for (size_t i = 0; i < n_ds && rc == 0; i++) {
        char path[TRUST_PATH_MAX], *pem;
        size_t len;
        if (path_join(path, sizeof path, dsdir, names[i], NULL) < 0)
            rc = -TRUST_E_IO;
        if (rc == 0)
            rc = cert_pem(ds[i], &pem, &len);
        if (rc == 0) {
            rc = write_atomic(path, pem, len);
            free(pem);
        }
        if (rc < 0)
            set_err(err, cap, "%s: cannot write", path);
    }
    for (size_t i = 0; i < loaded; i++)
        X509_free(ds[i]);
    X509_free(csca);
    return rc;
}

int trust_set_revlist(const char *dir, const char *state, const uint8_t *data, size_t len,
                      char *err, size_t cap)
{
    char alpha2[3];
    set_err(err, cap, "%s", "");
    if (!dir)
        return -TRUST_E_IO;
    if (state_check(state, alpha2) < 0) {
        set_err(err, cap, "'%s' is not a known ICAO State code (upper case)", state ? state : "");
        return -TRUST_E_BAD_STATE;
    }
    struct revlist rl;
    int rc = revlist_parse(data, len, &rl);
    if (rc < 0) {
        set_err(err, cap, "revocation list: %s", trust_err_message(rc));
        return rc;
    }
    char sdir[TRUST_PATH_MAX], path[TRUST_PATH_MAX];
    X509 *cscas[TRUST_CSCA_MAX];
    size_t n = 0;
    X509_STORE *store = NULL;
    if (path_join(sdir, sizeof sdir, dir, state, NULL) < 0 ||
        path_join(path, sizeof path, sdir, TRUST_CSCA_FILE, NULL) < 0)
        rc = -TRUST_E_IO;
    if (rc == 0)
        rc = load_cscas(path, alpha2, cscas, &n, err, cap);
    if (rc == 0)
        rc = make_store(cscas, n, &store);
    for (size_t i = 0; i < n; i++)
        X509_free(cscas[i]);
    if (rc == 0 && (rc = revlist_verify(&rl, state, store, NULL)) < 0)
        set_err(err, cap, "revocation list of %s: %s", rl.state, trust_err_message(rc));
    X509_STORE_free(store);
    if (rc == 0 && path_join(path, sizeof path, sdir, TRUST_REVLIST_FILE, NULL) < 0)
        rc = -TRUST_E_IO;
    if (rc == 0) {
        /* Never replace a newer list by an older one (a replay). */
        uint8_t *old = NULL;
        size_t old_len = 0;
        struct revlist prev;
        if (read_bounded(path, REVLIST_FILE_MAX, &old, &old_len, NULL) == 0) {
            if (revlist_parse(old, old_len, &prev) == 0 && prev.issued > rl.issued) {
                rc = -TRUST_E_BAD_TIME;
                set_err(err, cap, "%s: the installed list is newer", path);
            }
            revlist_free(&prev);
            free(old);
        }
    }
    if (rc == 0 && (rc = write_atomic(path, data, len)) < 0)
        set_err(err, cap, "%s: cannot write", path);
    revlist_free(&rl);
    return rc;
}
