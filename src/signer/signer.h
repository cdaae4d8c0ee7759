/*
 * signer.h — the signer process (`evisa signer`): the only process that
 * holds document-signer private keys.  It loads every state's DS key and
 * certificate from a keys directory (DIR/<STATE>/ds.key.pem, ds.cert.pem as
 * `evisa keys init` writes them), listens on a Unix stream socket (mode
 * 0600 in a directory of mode 0700, peers of another uid refused), answers
 * one request per connection (signer_proto.h), signs only payloads that
 * signer_check_seal() accepts, and appends every signature and every
 * refusal to its own log (JSON lines, O_APPEND, fsync'd before the answer
 * leaves; when the log cannot be written nothing is signed).
 *
 * Requests are served one at a time: a signature takes tens of
 * microseconds, and each connection has SIGNER_IO_TIMEOUT_MS to deliver its
 * request, so a stuck peer cannot hold the signer for long.
 */
#ifndef EVISA_SIGNER_H
#define EVISA_SIGNER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "signer/signer_proto.h"

#define SIGNER_STATES_MAX 64      /* states one signer serves */
#define SIGNER_IO_TIMEOUT_MS 2000 /* per-connection read/write timeout */

struct signer;

struct signer_config {
    const char *keys_dir;    /* one subdirectory per state */
    const char *socket_path; /* created; its directory is created 0700 when missing */
    const char *log_path;    /* appended; NULL: no log (tests only; refused by the CLI) */
};

/* Loads the keys (each key must match its certificate, sign a self-test and
 * name a signer id whose country is the state's), opens the log, and binds
 * and listens on the socket (a stale socket file is replaced; a live one
 * is refused).  socket_path may be NULL (no socket; for signer_handle()
 * tests).  Writes a sentence for people to err.  Returns 0 and *out, or
 * -SIGNER_E_CONFIG (no state with keys, bad directory), -SIGNER_E_IO. */
int signer_open(const struct signer_config *c, struct signer **out, char *err, size_t cap);

/* Number of states loaded, and the code of state i ("AZE", "D<<"). */
size_t signer_n_states(const struct signer *s);
const char *signer_state_code(const struct signer *s, size_t i);

/* Handles one request body (without the length prefix) at time `now`:
 * parses, checks, signs, logs, and writes the whole response frame to resp.
 * Always produces a response when cap >= SIGNER_FRAME_MAX + 2.  Returns
 * the request's outcome: 0 (signed / answered) or the negative refusal code
 * that the response carries. */
int signer_handle(struct signer *s, const uint8_t *req, size_t n, time_t now, uint8_t *resp,
                  size_t cap, size_t *resp_len);

/* Accepts and serves connections until accept() fails for a reason other
 * than an interrupted call (max_requests > 0: stop after that many).
 * Returns 0 or -SIGNER_E_IO. */
int signer_serve(struct signer *s, unsigned long max_requests);

/* Closes the socket (unlinking it), the log, and wipes and frees the keys. */
void signer_close(struct signer *s);

#endif
