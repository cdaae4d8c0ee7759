/*
 * data_dir.h — the layout of evisa's data directory (default ./var), shared
 * by `evisa serve` and `evisa admin`:
 *   DATA/db/evisa.db      the SQLite store (the web process may write here)
 *   DATA/outbox/          notification files of the demo mail transport
 *   DATA/secrets/         the portal's HMAC secrets (read by the web process)
 *   DATA/keys/STATE/      CSCA and document signer keys (only the signer reads)
 *   DATA/signer/          the signer's socket and log
 * The keys and signer directories are siblings of what the web process may
 * touch, so its Landlock sandbox can leave them out entirely.
 */
#ifndef EVISA_DATA_DIR_H
#define EVISA_DATA_DIR_H

#include <stddef.h>

enum data_path {
    DATA_DB_DIR,
    DATA_DB,
    DATA_OUTBOX,
    DATA_SECRETS,
    DATA_KEYS,
    DATA_SIGNER,
    DATA_SIGNER_SOCK,
    DATA_SIGNER_LOG,
    DATA__MAX
};

/* Writes the path of `which` under data into out; -1 if it does not fit. */
int data_path(const char *data, enum data_path which, char *out, size_t cap);

/* Creates data and the directories of the layout (mode 0700) when missing;
 * 0 or -1 (errno set). */
int data_dir_ensure(const char *data);

#endif
