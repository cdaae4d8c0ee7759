/*
 * trust_web.c — trust distribution: each state's CSCA and document signer
 * certificates (PEM and a JSON index) and its signed revocation list of
 * visas, made by the signer process (which alone holds the CSCA key) and
 * cached here for a few minutes (docs/verify.md, "Trust distribution").
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "signer/signer_client.h"
#include "web/portal.h"

struct trust_web_entry {
    char state[4];
    uint8_t *data; /* the signed list; NULL: none yet */
    size_t len;
    time_t built;
    size_t count; /* revoked visas it holds */
};

struct trust_web_cache {
    pthread_mutex_t lock;
    struct trust_web_entry e[POLICY_MAX_STATES];
    size_t n;
};

struct trust_web_cache *trust_web_cache_new(void)
{
    struct trust_web_cache *c = calloc(1, sizeof *c);
    if (c && pthread_mutex_init(&c->lock, NULL) != 0) {
        free(c);
        return NULL;
    }
    return c;
}

void trust_web_cache_free(struct trust_web_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->e[i].data);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

void trust_web_revoked_changed(const struct portal *p, const char *state)
{
    struct trust_web_cache *c = p->trust_cache;
    if (!c || !state)
        return;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->e[i].state, state)) {
            free(c->e[i].data);
            c->e[i].data = NULL;
            c->e[i].len = 0;
        }
    pthread_mutex_unlock(&c->lock);
}

/* The published certificates of the state in the path; NULL (and a 404
 * answered) when the portal serves no such state. */
static const struct portal_trust_certs *state_certs(struct http_request *r, struct http_response *w)
{
    const struct portal *p = r->app;
    const char *state = r->params[0];
    for (size_t i = 0; state && i < p->n_trust_certs; i++)
        if (!strcmp(p->trust_certs[i].state, state))
            return &p->trust_certs[i];
    http_error_json(w, 404, "unknown_state", "this server publishes no trust data for that state");
    return NULL;
}

/* Appends one DER certificate as PEM to a memory BIO.  0 or -1. */
static int pem_of(BIO *b, const uint8_t *der, size_t len)
{
    const unsigned char *q = der;
    X509 *x = d2i_X509(NULL, &q, (long)len);
    int ok = x && q == der + len && PEM_write_bio_X509(b, x) == 1;
    X509_free(x);
    return ok ? 0 : -1;
}

/* The PEM text of one certificate as a JSON string; NULL on failure. */
static json_t *pem_json(const uint8_t *der, size_t len)
{
    BIO *b = BIO_new(BIO_s_mem());
    json_t *j = NULL;
    char *text = NULL;
    if (b && pem_of(b, der, len) == 0) {
        long n = BIO_get_mem_data(b, &text);
        if (n > 0)
            j = json_stringn(text, (size_t)n);
    }
    BIO_free(b);
    return j;
}

void trust_certs_pem(struct http_request *r, struct http_response *w)
{
    const struct portal_trust_certs *tc = state_certs(r, w);
    if (!tc)
        return;
    BIO *b = BIO_new(BIO_s_mem());
    char *text = NULL;
    long n = 0;
    bool kept_ok = true;
    for (size_t k = 0; b && k < tc->n_old_ds; k++)
        kept_ok = kept_ok && pem_of(b, tc->old_ds_der[k], tc->old_ds_der_len[k]) == 0;
    if (!b || !kept_ok || (tc->csca_der_len && pem_of(b, tc->csca_der, tc->csca_der_len) < 0) ||
        (tc->ds_der_len && pem_of(b, tc->ds_der, tc->ds_der_len) < 0) ||
        (n = BIO_get_mem_data(b, &text)) <= 0) {
        BIO_free(b);
        http_error_json(w, 500, "internal", "the certificates could not be written");
        return;
    }
    http_status(w, 200);
    http_set_header(w, "Content-Type", "application/x-pem-file");
    http_set_header(w, "Cache-Control", "public, max-age=300");
    http_append(w, text, (size_t)n);
    BIO_free(b);
}

void trust_index_json(struct http_request *r, struct http_response *w)
{
    const struct portal_trust_certs *tc = state_certs(r, w);
    if (!tc)
        return;
    json_t *csca = json_array(), *ds = json_array();
    json_t *c = tc->csca_der_len ? pem_json(tc->csca_der, tc->csca_der_len) : NULL;
    json_t *d = tc->ds_der_len ? pem_json(tc->ds_der, tc->ds_der_len) : NULL;
    bool bad = !csca || !ds || (tc->csca_der_len && !c) || (tc->ds_der_len && !d);
    if (c && csca)
        json_array_append_new(csca, c);
    else
        json_decref(c);
    if (d && ds)
        json_array_append_new(ds, d);
    else
        json_decref(d);
    for (size_t k = 0; ds && k < tc->n_old_ds; k++) { /* earlier signers, still verifiable */
        json_t *o = pem_json(tc->old_ds_der[k], tc->old_ds_der_len[k]);
        if (o)
            json_array_append_new(ds, o);
        else
            bad = true;
    }
    char url[64];
    snprintf(url, sizeof url, "/trust/%s/revoked", tc->state);
    json_t *root = bad ? NULL
                       : json_pack("{s:s, s:o, s:o, s:s}", "state", tc->state, "csca", csca, "ds",
                                   ds, "revoked_url", url);
    if (!root) {
        if (!bad) /* json_pack took (and freed) the arrays */
            csca = ds = NULL;
        json_decref(csca);
        json_decref(ds);
        http_error_json(w, 500, "internal", "the index could not be written");
        return;
    }
    http_set_header(w, "Cache-Control", "public, max-age=300");
    http_json(w, 200, root);
}

/* The cache entry of a state (created when missing); NULL when full. */
static struct trust_web_entry *entry_for(struct trust_web_cache *c, const char *state)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->e[i].state, state))
            return &c->e[i];
    if (c->n == POLICY_MAX_STATES)
        return NULL;
    struct trust_web_entry *e = &c->e[c->n++];
    snprintf(e->state, sizeof e->state, "%s", state);
    return e;
}

void trust_revoked(struct http_request *r, struct http_response *w)
{
    const struct portal *p = r->app;
    const struct portal_trust_certs *tc = state_certs(r, w);
    if (!tc)
        return;
    char(*numbers)[16] = NULL;
    size_t n = 0;
    if (store_visa_revoked(p->store, tc->state, &numbers, &n) < 0) {
        http_error_json(w, 500, "internal", "the revoked visas could not be read");
        return;
    }
    if (n > SIGNER_REVLIST_MAX) {
        free(numbers);
        http_error_json(w, 503, "too_many_revocations",
                        "the revocation list is larger than the signer accepts");
        return;
    }
    time_t now = time(NULL);
    uint8_t *list = malloc(SIGNER_FRAME_MAX);
    size_t len = 0;
    int rc = list ? 0 : -SIGNER_E_IO;
    char err[SIGNER_MSG_MAX + 64] = "";
    struct trust_web_cache *c = p->trust_cache;
    if (c)
        pthread_mutex_lock(&c->lock);
    struct trust_web_entry *e = c ? entry_for(c, tc->state) : NULL;
    if (list && e && e->data && e->count == n && now >= e->built &&
        now - e->built < TRUST_WEB_CACHE_SECONDS) {
        memcpy(list, e->data, e->len); /* fresh enough and nothing revoked since */
        len = e->len;
    } else if (list) {
        rc = signer_revlist(
            p->signer_socket, tc->state, (int64_t)now, (int64_t)now + TRUST_WEB_NEXT_UPDATE_SECONDS,
            (const char(*)[16])numbers, n, list, SIGNER_FRAME_MAX, &len, err, sizeof err);
        uint8_t *copy = rc == 0 && e ? malloc(len) : NULL;
        if (copy) {
            memcpy(copy, list, len);
            free(e->data);
            e->data = copy;
            e->len = len;
            e->built = now;
            e->count = n;
        }
    }
    if (c)
        pthread_mutex_unlock(&c->lock);
    free(numbers);
    if (rc < 0) {
        free(list);
        fprintf(stderr, "evisa: revocation list of %s: %s\n", tc->state,
                err[0] ? err : signer_err_message(rc));
        http_error_json(w, 503, "signer_unavailable", "the revocation list cannot be made now");
        return;
    }
    http_status(w, 200);
    http_set_header(w, "Content-Type", "application/octet-stream");
    http_set_header(w, "Cache-Control", "public, max-age=300");
    http_append(w, list, len);
    free(list);
}
