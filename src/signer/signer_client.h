/*
 * signer_client.h — what the web process calls to get a seal signed: one
 * request per connection to the signer's Unix socket (signer_proto.h), with
 * a timeout; and starting / stopping the signer as a child process.
 * Functions return 0 or the negative of an enum signer_err code, with a
 * sentence for people in err (may be NULL / 0).
 */
#ifndef EVISA_SIGNER_CLIENT_H
#define EVISA_SIGNER_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "signer/signer_proto.h"

#define SIGNER_CLIENT_TIMEOUT_MS 5000 /* connect + request + answer */
#define SIGNER_SPAWN_WAIT_MS 10000    /* how long signer_spawn waits for the socket */

/* Asks the signer at socket_path to sign tbs (header + message zone, at
 * most VDS_MAX_BYTES) for `state` ("AZE", "D").  Writes r||s to rs.
 * Returns 0 and *rs_len, or the signer's refusal (-SIGNER_E_WRONG_SIGNER,
 * -SIGNER_E_BAD_DATE, ..., its message in err), -SIGNER_E_BAD_REQUEST /
 * -SIGNER_E_TOO_LARGE (nothing sent), -SIGNER_E_UNAVAILABLE (cannot
 * connect), -SIGNER_E_TIMEOUT, -SIGNER_E_PROTOCOL, -SIGNER_E_NO_SPACE (cap
 * smaller than the signature). */
int signer_sign(const char *socket_path, const char *state, const uint8_t *tbs, size_t n,
                uint8_t *rs, size_t cap, size_t *rs_len, char *err, size_t err_cap);

/* The public facts of a state's current document signer. */
struct signer_info {
    char signer_id[SIGNER_ID_LEN + 1]; /* "AZEV" */
    char cert_ref[SIGNER_REF_MAX + 1]; /* "1F4A" */
    uint8_t cert_der[SIGNER_CERT_DER_MAX];
    size_t cert_der_len;
};

/* Asks the signer for `state`'s signer id, cert ref and DS certificate (so
 * that the web process, which cannot read the keys directory, can build the
 * seal header and publish the certificate).  Returns 0 and *out, or
 * -SIGNER_E_UNKNOWN_STATE and the transport errors of signer_sign(). */
int signer_info(const char *socket_path, const char *state, struct signer_info *out, char *err,
                size_t err_cap);

/* The round trip under signer_sign()/signer_info(): encodes rq, sends it,
 * and parses the answer into *r (pointing into body, SIGNER_FRAME_MAX
 * bytes) within timeout_ms.  A refusal is returned as its negative code
 * with the signer's message in err. */
int signer_call(const char *socket_path, const struct signer_request *rq, int timeout_ms,
                uint8_t *body, size_t body_cap, struct signer_response *r, char *err,
                size_t err_cap);

/* Asks the signer for `state`'s CSCA certificate (DER) into der (cap bytes,
 * SIGNER_CERT_DER_MAX is enough).  Returns 0 and *len, or
 * -SIGNER_E_UNKNOWN_STATE, -SIGNER_E_NO_CSCA (no CSCA key loaded),
 * -SIGNER_E_NO_SPACE and the transport errors of signer_sign(). */
int signer_csca(const char *socket_path, const char *state, uint8_t *der, size_t cap, size_t *len,
                char *err, size_t err_cap);

/* Asks the signer to build and sign `state`'s revocation list
 * (verify/revlist.h) of n visa numbers (NUL-terminated, 1-9 characters,
 * any order; at most SIGNER_REVLIST_MAX) issued at `issued` (within 5
 * minutes of the signer's clock) with the given next update (1..168 hours
 * later).  Writes the signed list to out (SIGNER_FRAME_MAX bytes are
 * enough).  Returns 0 and *len, or -SIGNER_E_TOO_LARGE (too many numbers,
 * nothing sent), -SIGNER_E_BAD_REVLIST (a malformed number; or the
 * signer's refusal of the times), -SIGNER_E_NO_CSCA, -SIGNER_E_UNKNOWN_STATE,
 * -SIGNER_E_NO_SPACE and the transport errors of signer_sign(). */
int signer_revlist(const char *socket_path, const char *state, int64_t issued, int64_t next_update,
                   const char (*numbers)[16], size_t n, uint8_t *out, size_t cap, size_t *len,
                   char *err, size_t err_cap);

struct signer_spawn_opts {
    const char *exe;         /* NULL: /proc/self/exe (the evisa binary) */
    const char *keys_dir;    /* DATA/keys */
    const char *socket_path; /* DATA/signer/signer.sock */
    const char *log_path;    /* DATA/signer/signer.log */
    const char *state;       /* a state to ask INFO for as the readiness probe */
};

/* Starts `exe signer --keys K --socket S --log L --die-with-parent` as a
 * child (standard input /dev/null, signals unblocked and default), then
 * waits up to SIGNER_SPAWN_WAIT_MS until it answers an INFO request for
 * o->state.  Call it before the web process opens anything it must not
 * share, and before sandbox_web().  Returns 0 and *pid, or -SIGNER_E_IO
 * (cannot start; the child exited: err says how), -SIGNER_E_TIMEOUT (the
 * child is killed). */
int signer_spawn(const struct signer_spawn_opts *o, pid_t *pid, char *err, size_t err_cap);

/* Sends SIGTERM to the signer and reaps it (SIGKILL after 5 s). */
void signer_stop(pid_t pid);

#endif
