/*
 * sandbox.h — restricting a process's filesystem access with Landlock
 * (Linux >= 5.13), so that a compromised web process cannot read a private
 * key: after sandbox_web() the process can open only the paths it was
 * given (plus system libraries, locale and configuration) and nothing
 * under the keys or signer directories.  Already open descriptors keep
 * working; connecting to the signer's Unix socket is not a filesystem
 * access Landlock restricts, so signing still works.
 *
 * Landlock restricts the calling thread and the threads and processes it
 * creates afterwards: call sandbox_web() while the process has one thread
 * (it refuses otherwise).  It also sets no_new_privs.
 *
 * Functions return 0 or the negative of an enum signer_err code
 * (signer/signer_proto.h) with a sentence for people in err.
 */
#ifndef EVISA_SANDBOX_H
#define EVISA_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#define SANDBOX_PATHS_MAX 16

struct sandbox_paths {
    /* Read-only files or directories (config file, states, templates, po,
     * static).  NULL entries are skipped; every named path must exist. */
    const char *ro[SANDBOX_PATHS_MAX];
    /* Read-write directories (DATA/db, DATA/outbox, a temp dir). */
    const char *rw[SANDBOX_PATHS_MAX];
    /* Paths that must stay out of reach (DATA/keys, DATA/signer): the call
     * fails when one of them is, or lies under, a ro/rw path. */
    const char *deny[SANDBOX_PATHS_MAX];
    /* false: also allow read access to /usr, /lib*, /etc, /dev/urandom,
     * /var/cache/fontconfig, /proc/self, and read-write to /dev/null, when
     * they exist. */
    bool no_system;
};

/* The Landlock ABI version of the running kernel (>= 1), or
 * -SIGNER_E_SANDBOX when Landlock is not available (err says why). */
int sandbox_abi(char *err, size_t cap);

/* Restricts the calling process to p (see struct sandbox_paths).  Returns
 * 0, -SIGNER_E_SANDBOX (no Landlock, more than one thread, a failing
 * syscall), -SIGNER_E_CONFIG (a missing path, a deny path reachable). */
int sandbox_web(const struct sandbox_paths *p, char *err, size_t cap);

/* Removes all filesystem access from the calling process (the signer after
 * it has opened its keys, log and socket).  Same returns as sandbox_web. */
int sandbox_lockdown(char *err, size_t cap);

#endif
