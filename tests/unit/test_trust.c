/*
 * test_trust.c — the verifier's trust store (src/verify/trust.c): adding CSCA
 * and DS certificates with validation, opening a store, finding a seal's
 * signer exactly, keeping States' chains apart, rotation, bounds, and the
 * per-State revocation list.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/crypto_err.h"
#include "crypto/keys.h"
#include "crypto/signer_cert.h"
#include "test.h"
#include "verify/revlist.h"
#include "verify/trust.h"

#define TT_PATH 512

/* One State's CSCA and a DS it issued, written as PEM files. */
struct pki {
    EVP_PKEY *csca_key, *ds_key;
    X509 *csca, *ds;
    char csca_path[TT_PATH], ds_path[TT_PATH];
    char id[SIGNER_ID_LEN + 1], ref[SIGNER_REF_MAX + 1];
};

static void rm_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char sub[TT_PATH * 2];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            rm_tree(sub);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* Makes the PKI of `state` in dir; tag makes the file names unique; a DS
 * serial of `serial` hex (NULL: random). */
static bool pki_make(struct pki *p, const char *dir, const char *state, const char *tag,
                     const char *serial)
{
    char alpha2[3];
    BIGNUM *bn = NULL;
    time_t now = time(NULL);
    memset(p, 0, sizeof *p);
    if (keys_state_alpha2(state, alpha2) < 0 || keys_generate(KEYS_DEFAULT_CURVE, &p->csca_key) ||
        keys_generate(KEYS_DEFAULT_CURVE, &p->ds_key))
        return false;
    if (serial && keys_parse_serial(serial, &bn) < 0)
        return false;
    int rc = keys_make_csca(p->csca_key, state, alpha2, now - 3600, &p->csca);
    if (rc == 0)
        rc = keys_make_ds(p->ds_key, p->csca, p->csca_key, state, alpha2, bn, now - 3600, &p->ds);
    BN_free(bn);
    snprintf(p->csca_path, sizeof p->csca_path, "%s/%s-csca.pem", dir, tag);
    snprintf(p->ds_path, sizeof p->ds_path, "%s/%s-ds.pem", dir, tag);
    return rc == 0 && keys_write_cert(p->csca_path, p->csca) == 0 &&
           keys_write_cert(p->ds_path, p->ds) == 0 &&
           signer_cert_reference(p->ds, p->id, sizeof p->id, p->ref, sizeof p->ref) == 0;
}

static void pki_free(struct pki *p)
{
    EVP_PKEY_free(p->csca_key);
    EVP_PKEY_free(p->ds_key);
    X509_free(p->csca);
    X509_free(p->ds);
}

/* A temporary directory with AZE and PAK PKIs in it and an empty store
 * path <tmp>/trust (not yet created). */
struct world {
    char tmp[TT_PATH], store[TT_PATH + 8];
    struct pki aze, pak;
};

static bool world_init(struct world *w)
{
    memset(w, 0, sizeof *w);
    if (!test_tmpdir(w->tmp, sizeof w->tmp))
        return false;
    snprintf(w->store, sizeof w->store, "%s/trust", w->tmp);
    return pki_make(&w->aze, w->tmp, "AZE", "aze", NULL) &&
           pki_make(&w->pak, w->tmp, "PAK", "pak", NULL);
}

static void world_free(struct world *w)
{
    pki_free(&w->aze);
    pki_free(&w->pak);
    rm_tree(w->tmp);
}

static int add_pki(struct world *w, const char *state, const struct pki *p)
{
    const char *ds[1] = {p->ds_path};
    return trust_add(w->store, state, p->csca_path, ds, 1, NULL, 0);
}

static bool write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

TEST(trust_add_then_open_finds_signer_exactly)
{
    struct world w;
    CHECK(world_init(&w));
    CHECK_INT(add_pki(&w, "AZE", &w.aze), 0);
    CHECK_INT(add_pki(&w, "PAK", &w.pak), 0);
    struct trust *t = NULL;
    char err[256];
    CHECK_INT(trust_open(w.store, &t, err, sizeof err), 0);
    CHECK_INT(trust_state_count(t), 2);
    CHECK_STR(trust_state_name(t, 0), "AZE");
    CHECK_STR(trust_state_name(t, 1), "PAK");
    CHECK(trust_state_name(t, 2) == NULL);
    X509 *ds = NULL;
    const char *state = NULL;
    CHECK_INT(trust_find_signer(t, w.aze.id, w.aze.ref, &ds, &state), 0);
    CHECK_STR(state, "AZE");
    CHECK(X509_cmp(ds, w.aze.ds) == 0);
    CHECK_INT(trust_find_signer(t, w.pak.id, w.pak.ref, &ds, &state), 0);
    CHECK_STR(state, "PAK");
    CHECK(X509_cmp(ds, w.pak.ds) == 0);
    /* leading zeros in the reference are ignored, like signer_cert_matches */
    char padded[SIGNER_REF_MAX + 4];
    snprintf(padded, sizeof padded, "00%s", w.aze.ref);
    CHECK_INT(trust_find_signer(t, w.aze.id, padded, NULL, NULL), 0);
    trust_close(t);
    world_free(&w);
}

TEST(trust_find_signer_rejects_near_misses)
{
    struct world w;
    CHECK(world_init(&w));
    CHECK_INT(add_pki(&w, "AZE", &w.aze), 0);
    struct trust *t = NULL;
    CHECK_INT(trust_open(w.store, &t, NULL, 0), 0);
    X509 *ds = (X509 *)1;
    const char *state = "x";
    char ref[SIGNER_REF_MAX + 8];
    snprintf(ref, sizeof ref, "%s1", w.aze.ref); /* another serial */
    CHECK_INT(trust_find_signer(t, w.aze.id, ref, &ds, &state), -TRUST_E_UNKNOWN_SIGNER);
    CHECK(ds == NULL && state == NULL);
    CHECK_INT(trust_find_signer(t, "PKEV", w.aze.ref, NULL, NULL), -TRUST_E_UNKNOWN_SIGNER);
    CHECK_INT(trust_find_signer(t, "AZEW", w.aze.ref, NULL, NULL), -TRUST_E_UNKNOWN_SIGNER);
    CHECK_INT(trust_find_signer(t, NULL, w.aze.ref, NULL, NULL), -TRUST_E_UNKNOWN_SIGNER);
    CHECK_INT(trust_find_signer(NULL, w.aze.id, w.aze.ref, NULL, NULL), -TRUST_E_UNKNOWN_SIGNER);
    /* PAK is not in this store at all */
    CHECK_INT(trust_find_signer(t, w.pak.id, w.pak.ref, NULL, NULL), -TRUST_E_UNKNOWN_SIGNER);
    CHECK(trust_store_for(t, "PAK") == NULL);
    trust_close(t);
    world_free(&w);
}

TEST(trust_store_for_keeps_states_apart)
{
    struct world w;
    CHECK(world_init(&w));
    CHECK_INT(add_pki(&w, "AZE", &w.aze), 0);
    CHECK_INT(add_pki(&w, "PAK", &w.pak), 0);
    struct trust *t = NULL;
    CHECK_INT(trust_open(w.store, &t, NULL, 0), 0);
    X509_STORE *aze = trust_store_for(t, "AZE"), *pak = trust_store_for(t, "PAK");
    CHECK(aze && pak && aze != pak);
    time_t now = time(NULL);
    CHECK_INT(signer_cert_check(w.aze.ds, aze, now, NULL, 0), 0);
    CHECK_INT(signer_cert_check(w.pak.ds, pak, now, NULL, 0), 0);
    CHECK_INT(signer_cert_check(w.pak.ds, aze, now, NULL, 0), -CRYPTO_E_UNTRUSTED);
    CHECK_INT(signer_cert_check(w.aze.ds, pak, now, NULL, 0), -CRYPTO_E_UNTRUSTED);
    CHECK(trust_store_for(t, "UTO") == NULL);
    CHECK(trust_store_for(t, NULL) == NULL);
    trust_close(t);
    world_free(&w);
}

TEST(trust_add_refuses_ds_not_chained)
{
    struct world w;
    CHECK(world_init(&w));
    struct pki other; /* a second AZE CSCA and its DS */
    CHECK(pki_make(&other, w.tmp, "AZE", "aze2", NULL));
    const char *ds[1] = {other.ds_path};
    char err[512];
    CHECK_INT(trust_add(w.store, "AZE", w.aze.csca_path, ds, 1, err, sizeof err),
              -TRUST_E_NOT_CHAINED);
    CHECK(strstr(err, "aze2-ds.pem") != NULL);
    /* nothing was written */
    struct stat st;
    CHECK(stat(w.store, &st) != 0);
    pki_free(&other);
    world_free(&w);
}

TEST(trust_add_refuses_other_states_certificates)
{
    struct world w;
    CHECK(world_init(&w));
    const char *ds[1] = {w.pak.ds_path};
    CHECK_INT(trust_add(w.store, "AZE", w.aze.csca_path, ds, 1, NULL, 0), -TRUST_E_STATE_MISMATCH);
    CHECK_INT(trust_add(w.store, "AZE", w.pak.csca_path, NULL, 0, NULL, 0),
              -TRUST_E_STATE_MISMATCH);
    /* the PAK DS under PAK's CSCA, but filed as AZE */
    ds[0] = w.pak.ds_path;
    CHECK_INT(trust_add(w.store, "AZE", w.pak.csca_path, ds, 1, NULL, 0), -TRUST_E_STATE_MISMATCH);
    world_free(&w);
}

TEST(trust_add_refuses_non_ca_as_csca)
{
    struct world w;
    CHECK(world_init(&w));
    char err[512];
    CHECK_INT(trust_add(w.store, "AZE", w.aze.ds_path, NULL, 0, err, sizeof err),
              -TRUST_E_BAD_CERT);
    CHECK(strstr(err, "self-signed") != NULL);
    world_free(&w);
}

TEST(trust_add_refuses_bad_state)
{
    struct world w;
    CHECK(world_init(&w));
    const char *bad[] = {"aze", "XXX", "", "AZER", "A1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_CTX(trust_add(w.store, bad[i], w.aze.csca_path, NULL, 0, NULL, 0) ==
                      -TRUST_E_BAD_STATE,
                  bad[i]);
    CHECK_INT(trust_add(w.store, NULL, w.aze.csca_path, NULL, 0, NULL, 0), -TRUST_E_BAD_STATE);
    CHECK_INT(trust_add(w.store, "../AZE", w.aze.csca_path, NULL, 0, NULL, 0), -TRUST_E_BAD_STATE);
    world_free(&w);
}

TEST(trust_add_refuses_unreadable_files)
{
    struct world w;
    CHECK(world_init(&w));
    char path[TT_PATH + 16];
    snprintf(path, sizeof path, "%s/missing.pem", w.tmp);
    CHECK_INT(trust_add(w.store, "AZE", path, NULL, 0, NULL, 0), -TRUST_E_IO);
    snprintf(path, sizeof path, "%s/garbage.pem", w.tmp);
    CHECK(write_file(path, "not a certificate\n", 18));
    CHECK_INT(trust_add(w.store, "AZE", path, NULL, 0, NULL, 0), -TRUST_E_BAD_CERT);
    const char *ds[1] = {path};
    CHECK_INT(trust_add(w.store, "AZE", w.aze.csca_path, ds, 1, NULL, 0), -TRUST_E_BAD_CERT);
    snprintf(path, sizeof path, "%s/huge.pem", w.tmp);
    char *big = calloc(1, SIGNER_FILE_MAX + 1);
    CHECK(big != NULL);
    bool ok = write_file(path, big, SIGNER_FILE_MAX + 1);
    free(big);
    CHECK(ok);
    CHECK_INT(trust_add(w.store, "AZE", path, NULL, 0, NULL, 0), -TRUST_E_TOO_LARGE);
    world_free(&w);
}

TEST(trust_add_refuses_too_many_ds)
{
    struct world w;
    CHECK(world_init(&w));
    const char *ds[TRUST_DS_MAX + 1];
    for (size_t i = 0; i <= TRUST_DS_MAX; i++)
        ds[i] = w.aze.ds_path;
    CHECK_INT(trust_add(w.store, "AZE", w.aze.csca_path, ds, TRUST_DS_MAX + 1, NULL, 0),
              -TRUST_E_TOO_MANY);
    world_free(&w);
}

TEST(trust_add_names_ds_files_after_the_certificate)
{
    struct world w;
    CHECK(world_init(&w));
    CHECK_INT(add_pki(&w, "AZE", &w.aze), 0);
    char path[TT_PATH * 2];
    snprintf(path, sizeof path, "%s/AZE/ds/%s-%s.pem", w.store, w.aze.id, w.aze.ref);
    struct stat st;
    CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode));
    snprintf(path, sizeof path, "%s/AZE/csca.pem", w.store);
    CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode));
    world_free(&w);
}

TEST(trust_add_twice_keeps_one_copy)
{
    struct world w;
    CHECK(world_init(&w));
    CHECK_INT(add_pki(&w, "AZE", &w.aze), 0);
    CHECK_INT(add_pki(&w, "AZE", &w.aze), 0);
    struct trust *t = NULL;
    CHECK_INT(trust_open(w.store, &t, NULL, 0), 0);
    CHECK_INT(trust_cert_count(t, "AZE", TRUST_CSCA), 1);
    CHECK_INT(trust_cert_count(t, "AZE", TRUST_DS), 1);
    trust_close(t);
    world_free(&w);
}

TEST(trust_keeps_old_ds_after_rotation)
{
    struct world w;
    CHECK(world_init(&w));
    CHECK_INT(add_pki(&w, "AZE", &w.aze), 0);
    /* a new DS from the same CSCA, with another serial */
    char alpha2[3] = "AZ";
    EVP_PKEY *k2 = NULL;
    X509 *ds2 = NULL;
    BIGNUM *serial = NULL;
    CHECK(keys_generate(KEYS_DEFAULT_CURVE, &k2) == 0);
    CHECK(keys_parse_serial("ABCDE", &serial) == 0);
    CHECK(keys_make_ds(k2, w.aze.csca, w.aze.csca_key, "AZE", alpha2, serial, time(NULL), &ds2) ==
          0);
    char path[TT_PATH + 16];
    snprintf(path, sizeof path, "%s/ds2.pem", w.tmp);
    CHECK(keys_write_cert(path, ds2) == 0);
    const char *ds[1] = {path};
    CHECK_INT(trust_add(w.store, "AZE", w.aze.csca_path, ds, 1, NULL, 0), 0);
    struct trust *t = NULL;
    CHECK_INT(trust_open(w.store, &t, NULL, 0), 0);
    CHECK_INT(trust_cert_count(t, "AZE", TRUST_DS), 2);
    CHECK_INT(trust_find_signer(t, w.aze.id, w.aze.ref, NULL, NULL), 0);
    X509 *found = NULL;
    CHECK_INT(trust_find_signer(t, "AZEV", "ABCDE", &found, NULL), 0);
    CHECK(X509_cmp(found, ds2) == 0);
    trust_close(t);
    BN_free(serial);
    X509_free(ds2);
    EVP_PKEY_free(k2);
    world_free(&w);
}

TEST(trust_add_appends_a_second_csca)
{
    struct world w;
    CHECK(world_init(&w));
    struct pki next;
    CHECK(pki_make(&next, w.tmp, "AZE", "aze2", NULL));
    CHECK_INT(add_pki(&w, "AZE", &w.aze), 0);
    CHECK_INT(add_pki(&w, "AZE", &next), 0);
    struct trust *t = NULL;
    CHECK_INT(trust_open(w.store, &t, NULL, 0), 0);
    CHECK_INT(trust_cert_count(t, "AZE", TRUST_CSCA), 2);
    CHECK(X509_cmp(trust_cert_at(t, "AZE", TRUST_CSCA, 0), w.aze.csca) == 0);
    CHECK(X509_cmp(trust_cert_at(t, "AZE", TRUST_CSCA, 1), next.csca) == 0);
    CHECK(trust_cert_at(t, "AZE", TRUST_CSCA, 2) == NULL);
    CHECK(trust_cert_at(t, "PAK", TRUST_CSCA, 0) == NULL);
    CHECK_INT(trust_cert_count(t, "AZE", TRUST_KIND__MAX), 0);
    CHECK_INT(signer_cert_check(next.ds, trust_store_for(t, "AZE"), time(NULL), NULL, 0), 0);
    trust_close(t);
    pki_free(&next);
    world_free(&w);
}

TEST(trust_open_rejects_planted_foreign_ds)
{
    struct world w;
    CHECK(world_init(&w));
    CHECK_INT(add_pki(&w, "AZE", &w.aze), 0);
    char path[TT_PATH * 2];
    snprintf(path, sizeof path, "%s/AZE/ds/planted.pem", w.store);
    CHECK(keys_write_cert(path, w.pak.ds) == 0);
    struct trust *t = NULL;
    char err[512];
    CHECK_INT(trust_open(w.store, &t, err, sizeof err), -TRUST_E_STATE_MISMATCH);
    CHECK(strstr(err, "planted.pem") != NULL);
    CHECK(t == NULL);
    world_free(&w);
}

TEST(trust_open_rejects_planted_unchained_ds)
{
    struct world w;
    CHECK(world_init(&w));
    struct pki other;
    CHECK(pki_make(&other, w.tmp, "AZE", "aze2", NULL));
    CHECK_INT(add_pki(&w, "AZE", &w.aze), 0);
    char path[TT_PATH * 2];
    snprintf(path, sizeof path, "%s/AZE/ds/planted.pem", w.store);
    CHECK(keys_write_cert(path, other.ds) == 0);
    struct trust *t = NULL;
    CHECK_INT(trust_open(w.store, &t, NULL, 0), -TRUST_E_NOT_CHAINED);
    pki_free(&other);
    world_free(&w);
}

TEST(trust_open_rejects_bad_csca_files)
{
    struct world w;
    CHECK(world_init(&w));
    char dir[TT_PATH * 2], path[TT_PATH * 3];
    CHECK(mkdir(w.store, 0755) == 0);
    snprintf(dir, sizeof dir, "%s/PAK", w.store);
    CHECK(mkdir(dir, 0755) == 0);
    struct trust *t = NULL;
    CHECK_INT(trust_open(w.store, &t, NULL, 0), -TRUST_E_NO_CSCA);
    snprintf(path, sizeof path, "%s/csca.pem", dir);
    CHECK(write_file(path, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 60));
    CHECK_INT(trust_open(w.store, &t, NULL, 0), -TRUST_E_BAD_CERT);
    unlink(path);
    CHECK(keys_write_cert(path, w.pak.ds) == 0); /* not a CA */
    CHECK_INT(trust_open(w.store, &t, NULL, 0), -TRUST_E_BAD_CERT);
    unlink(path);
    CHECK(keys_write_cert(path, w.aze.csca) == 0); /* the wrong State's */
    CHECK_INT(trust_open(w.store, &t, NULL, 0), -TRUST_E_STATE_MISMATCH);
    unlink(path);
    char *big = calloc(1, SIGNER_TRUST_MAX + 1);
    CHECK(big != NULL);
    bool ok = write_file(path, big, SIGNER_TRUST_MAX + 1);
    free(big);
    CHECK(ok);
    CHECK_INT(trust_open(w.store, &t, NULL, 0), -TRUST_E_TOO_LARGE);
    world_free(&w);
}

TEST(trust_open_rejects_too_many_cscas)
{
    struct world w;
    CHECK(world_init(&w));
    CHECK_INT(add_pki(&w, "AZE", &w.aze), 0);
    char path[TT_PATH * 2];
    snprintf(path, sizeof path, "%s/AZE/csca.pem", w.store);
    size_t len = 0;
    char *one = test_read_file(path, &len);
    CHECK(one != NULL);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    for (int i = 0; i <= TRUST_CSCA_MAX; i++)
        fwrite(one, 1, len, f);
    fclose(f);
    free(one);
    struct trust *t = NULL;
    CHECK_INT(trust_open(w.store, &t, NULL, 0), -TRUST_E_TOO_MANY);
    world_free(&w);
}

TEST(trust_open_rejects_missing_directory)
{
    struct trust *t = NULL;
    char err[256];
    CHECK_INT(trust_open("/nonexistent/evisa-trust", &t, err, sizeof err), -TRUST_E_IO);
    CHECK(strstr(err, "/nonexistent/evisa-trust") != NULL);
}

TEST(trust_open_ignores_other_entries)
{
    struct world w;
    CHECK(world_init(&w));
    CHECK_INT(add_pki(&w, "AZE", &w.aze), 0);
    char path[TT_PATH * 2];
    snprintf(path, sizeof path, "%s/README", w.store);
    CHECK(write_file(path, "hello\n", 6));
    snprintf(path, sizeof path, "%s/aze", w.store);
    CHECK(mkdir(path, 0755) == 0);
    snprintf(path, sizeof path, "%s/XXX", w.store);
    CHECK(mkdir(path, 0755) == 0);
    snprintf(path, sizeof path, "%s/PAK", w.store); /* a file, not a directory */
    CHECK(write_file(path, "x", 1));
    snprintf(path, sizeof path, "%s/AZE/ds/notes.txt", w.store);
    CHECK(write_file(path, "x", 1));
    struct trust *t = NULL;
    CHECK_INT(trust_open(w.store, &t, NULL, 0), 0);
    CHECK_INT(trust_state_count(t), 1);
    trust_close(t);
    world_free(&w);
}

TEST(trust_open_rejects_too_many_states)
{
    char tmp[TT_PATH];
    CHECK(test_tmpdir(tmp, sizeof tmp) != NULL);
    int made = 0;
    for (char a = 'A'; a <= 'Z' && made <= TRUST_STATES_MAX; a++)
        for (char b = 'A'; b <= 'Z' && made <= TRUST_STATES_MAX; b++)
            for (char c = 'A'; c <= 'Z' && made <= TRUST_STATES_MAX; c++) {
                char name[4] = {a, b, c, 0}, alpha2[3], path[TT_PATH + 8];
                if (keys_state_alpha2(name, alpha2) < 0)
                    continue;
                snprintf(path, sizeof path, "%s/%s", tmp, name);
                CHECK(mkdir(path, 0755) == 0);
                made++;
            }
    CHECK_INT(made, TRUST_STATES_MAX + 1);
    struct trust *t = NULL;
    CHECK_INT(trust_open(tmp, &t, NULL, 0), -TRUST_E_TOO_MANY);
    rm_tree(tmp);
}

TEST(trust_open_rejects_too_many_ds)
{
    struct world w;
    CHECK(world_init(&w));
    CHECK_INT(add_pki(&w, "AZE", &w.aze), 0);
    for (int i = 0; i < TRUST_DS_MAX; i++) {
        char path[TT_PATH * 2];
        snprintf(path, sizeof path, "%s/AZE/ds/copy%d.pem", w.store, i);
        CHECK(keys_write_cert(path, w.aze.ds) == 0);
    }
    struct trust *t = NULL;
    CHECK_INT(trust_open(w.store, &t, NULL, 0), -TRUST_E_TOO_MANY);
    /* and trust_add will not add more */
    struct pki again;
    CHECK(pki_make(&again, w.tmp, "AZE", "aze3", NULL));
    const char *ds[1] = {again.ds_path};
    int rc = trust_add(w.store, "AZE", again.csca_path, ds, 1, NULL, 0);
    pki_free(&again);
    CHECK_INT(rc, -TRUST_E_TOO_MANY);
    world_free(&w);
}

static const char revoked_numbers[][16] = {"AZ1234567", "AZ7654321"};

/* A list of `state` signed by key, issued at `issued`. */
static bool sign_list(const char *state, EVP_PKEY *key, time_t issued, uint8_t **buf, size_t *len)
{
    return revlist_build(state, issued, issued + 86400, revoked_numbers, 2, key, buf, len) == 0;
}

TEST(trust_revlist_installed_and_verified)
{
    struct world w;
    CHECK(world_init(&w));
    CHECK_INT(add_pki(&w, "AZE", &w.aze), 0);
    CHECK_INT(add_pki(&w, "PAK", &w.pak), 0);
    uint8_t *buf = NULL;
    size_t len = 0;
    time_t now = time(NULL);
    CHECK(sign_list("AZE", w.aze.csca_key, now, &buf, &len));
    CHECK_INT(trust_set_revlist(w.store, "AZE", buf, len, NULL, 0), 0);
    free(buf);
    struct trust *t = NULL;
    CHECK_INT(trust_open(w.store, &t, NULL, 0), 0);
    int err = 1;
    const struct revlist *rl = trust_revlist(t, "AZE", &err);
    CHECK(rl != NULL);
    CHECK_INT(err, 0);
    CHECK(revlist_contains(rl, "AZ7654321"));
    CHECK_INT(revlist_fresh(rl, now), 0);
    /* PAK has none: no list, no error */
    err = 1;
    CHECK(trust_revlist(t, "PAK", &err) == NULL);
    CHECK_INT(err, 0);
    CHECK(trust_revlist(t, "UTO", NULL) == NULL);
    trust_close(t);
    world_free(&w);
}

TEST(trust_set_revlist_refuses_other_states_lists)
{
    struct world w;
    CHECK(world_init(&w));
    CHECK_INT(add_pki(&w, "AZE", &w.aze), 0);
    uint8_t *buf = NULL;
    size_t len = 0;
    time_t now = time(NULL);
    CHECK(sign_list("PAK", w.pak.csca_key, now, &buf, &len));
    CHECK_INT(trust_set_revlist(w.store, "AZE", buf, len, NULL, 0), -TRUST_E_STATE_MISMATCH);
    /* PAK's lists cannot go in before PAK's CSCA */
    CHECK_INT(trust_set_revlist(w.store, "PAK", buf, len, NULL, 0), -TRUST_E_NO_CSCA);
    free(buf);
    /* an "AZE" list signed by PAK's CSCA */
    CHECK(sign_list("AZE", w.pak.csca_key, now, &buf, &len));
    CHECK_INT(trust_set_revlist(w.store, "AZE", buf, len, NULL, 0), -TRUST_E_SIGNATURE_INVALID);
    buf[len - 1] = 'x'; /* and a damaged one fails to parse before that */
    CHECK_INT(trust_set_revlist(w.store, "AZE", buf, 5, NULL, 0), -TRUST_E_TRUNCATED);
    CHECK_INT(trust_set_revlist(w.store, "XXX", buf, len, NULL, 0), -TRUST_E_BAD_STATE);
    free(buf);
    world_free(&w);
}

TEST(trust_set_revlist_refuses_older_list)
{
    struct world w;
    CHECK(world_init(&w));
    CHECK_INT(add_pki(&w, "AZE", &w.aze), 0);
    time_t now = time(NULL);
    uint8_t *newer = NULL, *older = NULL;
    size_t nlen = 0, olen = 0;
    CHECK(sign_list("AZE", w.aze.csca_key, now, &newer, &nlen));
    CHECK(sign_list("AZE", w.aze.csca_key, now - 600, &older, &olen));
    CHECK_INT(trust_set_revlist(w.store, "AZE", newer, nlen, NULL, 0), 0);
    char err[512];
    CHECK_INT(trust_set_revlist(w.store, "AZE", older, olen, err, sizeof err), -TRUST_E_BAD_TIME);
    CHECK(strstr(err, "newer") != NULL);
    CHECK_INT(trust_set_revlist(w.store, "AZE", newer, nlen, NULL, 0), 0);
    free(newer);
    free(older);
    world_free(&w);
}

TEST(trust_open_reports_bad_revlist_without_failing)
{
    struct world w;
    CHECK(world_init(&w));
    CHECK_INT(add_pki(&w, "AZE", &w.aze), 0);
    uint8_t *buf = NULL;
    size_t len = 0;
    CHECK(sign_list("AZE", w.aze.csca_key, time(NULL), &buf, &len));
    buf[REVLIST_HEADER_LEN + 3] = '9'; /* AZ1234567 -> AZ1294567: still sorted */
    char path[TT_PATH * 2];
    snprintf(path, sizeof path, "%s/AZE/revoked.bin", w.store);
    CHECK(write_file(path, buf, len));
    struct trust *t = NULL;
    CHECK_INT(trust_open(w.store, &t, NULL, 0), 0);
    int err = 0;
    CHECK(trust_revlist(t, "AZE", &err) == NULL);
    CHECK_INT(err, -TRUST_E_SIGNATURE_INVALID);
    trust_close(t);
    CHECK(write_file(path, "EVRX", 4));
    CHECK_INT(trust_open(w.store, &t, NULL, 0), 0);
    CHECK(trust_revlist(t, "AZE", &err) == NULL);
    CHECK_INT(err, -TRUST_E_BAD_MAGIC);
    trust_close(t);
    free(buf);
    world_free(&w);
}
