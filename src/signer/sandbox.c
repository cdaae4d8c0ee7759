/*
 * sandbox.c — Landlock rulesets for the web process and the signer (see
 * sandbox.h).  The access rights handled follow the kernel's ABI version
 * (REFER from 2, TRUNCATE from 3, IOCTL_DEV from 5); the constants newer
 * than the installed <linux/landlock.h> are defined here.
 */
#define _GNU_SOURCE /* syscall() */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/landlock.h>

#include "signer/sandbox.h"
#include "signer/signer_proto.h"

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif

#define FS_V1 ((1ULL << 13) - 1) /* EXECUTE .. MAKE_SYM */

/* Rights that apply to a regular file (others are for directories). */
#define FS_FILE                                                                                    \
    (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |   \
     LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

#define FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)

#define FS_WRITE                                                                                   \
    (FS_READ | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |                     \
     LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |  \
     LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE)

static const char *const system_ro[] = {
    "/usr",        "/lib",
    "/lib64",      "/lib32",
    "/etc",        "/dev/urandom",
    "/dev/random", "/var/cache/fontconfig",
    "/proc/self",  "/sys/devices/system/cpu",
};
static const char *const system_rw[] = {"/dev/null"};

__attribute__((format(printf, 4, 5))) static int say(int code, char *err, size_t cap,
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

static long ll_create(const struct landlock_ruleset_attr *attr, size_t size, uint32_t flags)
{
    return syscall(SYS_landlock_create_ruleset, attr, size, flags);
}

int sandbox_abi(char *err, size_t cap)
{
    long abi = ll_create(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 1) {
        const char *why = errno == ENOSYS       ? "the kernel has no Landlock support"
                          : errno == EOPNOTSUPP ? "Landlock is disabled at boot (lsm=)"
                                                : strerror(errno);
        return say(SIGNER_E_SANDBOX, err, cap, "Landlock unavailable: %s", why);
    }
    return (int)abi;
}

static uint64_t handled_for(int abi)
{
    uint64_t h = FS_V1;
    if (abi >= 2)
        h |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        h |= LANDLOCK_ACCESS_FS_TRUNCATE;
    if (abi >= 5)
        h |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
    return h;
}

/* Threads of this process, from /proc/self/status; 0 when unknown. */
static long thread_count(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    if (!f)
        return 0;
    char line[256];
    long n = 0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "Threads:", 8)) {
            n = strtol(line + 8, NULL, 10);
            break;
        }
    fclose(f);
    return n;
}

/* Adds a path-beneath rule; `optional` paths that do not exist are skipped. */
static int add_path(int ruleset, const char *path, uint64_t access, uint64_t handled, bool optional,
                    char *err, size_t cap)
{
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) {
        if (optional)
            return 0;
        return say(SIGNER_E_CONFIG, err, cap, "%s: %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        close(fd);
        return say(SIGNER_E_SANDBOX, err, cap, "%s: %s", path, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        access &= FS_FILE;
    struct landlock_path_beneath_attr pb = {.allowed_access = access & handled, .parent_fd = fd};
    long rc = syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
    int e = errno;
    close(fd);
    if (rc < 0)
        return say(SIGNER_E_SANDBOX, err, cap, "landlock_add_rule %s: %s", path, strerror(e));
    return 0;
}

/* -SIGNER_E_CONFIG when `deny` is `allowed` or lies beneath it. */
static int check_deny(const char *deny, const char *allowed, char *err, size_t cap)
{
    char d[PATH_MAX], a[PATH_MAX];
    if (!realpath(deny, d) || !realpath(allowed, a))
        return 0; /* a missing deny path cannot be reached; a missing allowed one fails later */
    size_t n = strlen(a);
    bool beneath = !strcmp(a, "/") || (!strncmp(d, a, n) && (d[n] == '\0' || d[n] == '/'));
    if (beneath)
        return say(SIGNER_E_CONFIG, err, cap, "%s would be reachable through the allowed path %s",
                   deny, allowed);
    return 0;
}

/* Builds and enforces a ruleset from p (NULL: no rules at all). */
static int restrict_self(const struct sandbox_paths *p, char *err, size_t cap)
{
    int abi = sandbox_abi(err, cap);
    if (abi < 0)
        return abi;
    long threads = thread_count();
    if (threads > 1) {
        return say(SIGNER_E_SANDBOX, err, cap,
                   "the process has %ld threads; Landlock must be enforced before any start",
                   threads);
    }
    if (p)
        for (size_t i = 0; i < SANDBOX_PATHS_MAX; i++) {
            if (!p->deny[i])
                continue;
            for (size_t j = 0; j < SANDBOX_PATHS_MAX; j++) {
                int rc = 0;
                if (p->ro[j])
                    rc = check_deny(p->deny[i], p->ro[j], err, cap);
                if (rc == 0 && p->rw[j])
                    rc = check_deny(p->deny[i], p->rw[j], err, cap);
                if (rc < 0)
                    return rc;
            }
            if (!p->no_system)
                for (size_t j = 0; j < sizeof system_ro / sizeof *system_ro; j++) {
                    int rc = check_deny(p->deny[i], system_ro[j], err, cap);
                    if (rc < 0)
                        return rc;
                }
        }
    uint64_t handled = handled_for(abi);
    struct landlock_ruleset_attr attr = {.handled_access_fs = handled};
    int rs = (int)ll_create(&attr, sizeof attr, 0);
    if (rs < 0)
        return say(SIGNER_E_SANDBOX, err, cap, "landlock_create_ruleset: %s", strerror(errno));
    int rc = 0;
    if (p) {
        for (size_t i = 0; rc == 0 && i < SANDBOX_PATHS_MAX; i++)
            if (p->ro[i])
                rc = add_path(rs, p->ro[i], FS_READ, handled, false, err, cap);
        for (size_t i = 0; rc == 0 && i < SANDBOX_PATHS_MAX; i++)
            if (p->rw[i])
                rc = add_path(rs, p->rw[i], FS_WRITE, handled, false, err, cap);
        for (size_t i = 0; rc == 0 && !p->no_system && i < sizeof system_ro / sizeof *system_ro;
             i++)
            rc = add_path(rs, system_ro[i], FS_READ, handled, true, err, cap);
        for (size_t i = 0; rc == 0 && !p->no_system && i < sizeof system_rw / sizeof *system_rw;
             i++)
            rc = add_path(rs, system_rw[i], FS_READ | LANDLOCK_ACCESS_FS_WRITE_FILE, handled, true,
                          err, cap);
    }
    if (rc == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        rc = say(SIGNER_E_SANDBOX, err, cap, "no_new_privs: %s", strerror(errno));
    if (rc == 0 && syscall(SYS_landlock_restrict_self, rs, 0) < 0)
        rc = say(SIGNER_E_SANDBOX, err, cap, "landlock_restrict_self: %s", strerror(errno));
    close(rs);
    return rc;
}

int sandbox_web(const struct sandbox_paths *p, char *err, size_t cap)
{
    if (!p)
        return say(SIGNER_E_CONFIG, err, cap, "no sandbox paths");
    return restrict_self(p, err, cap);
}

int sandbox_lockdown(char *err, size_t cap)
{
    return restrict_self(NULL, err, cap);
}
