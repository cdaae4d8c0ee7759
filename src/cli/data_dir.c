/*
 * data_dir.c — paths of the data directory's layout (see data_dir.h).
 */
#include "cli/data_dir.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

static const char *const data_rel[DATA__MAX] = {
    [DATA_DB_DIR] = "db",
    [DATA_DB] = "db/evisa.db",
    [DATA_OUTBOX] = "outbox",
    [DATA_SECRETS] = "secrets",
    [DATA_KEYS] = "keys",
    [DATA_SIGNER] = "signer",
    [DATA_SIGNER_SOCK] = "signer/signer.sock",
    [DATA_SIGNER_LOG] = "signer/signer.log",
};

int data_path(const char *data, enum data_path which, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/%s", data, data_rel[which]);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int data_dir_ensure(const char *data)
{
    static const enum data_path dirs[] = {DATA_DB_DIR, DATA_OUTBOX, DATA_SECRETS, DATA_KEYS,
                                          DATA_SIGNER};
    if (mkdir(data, 0700) != 0 && errno != EEXIST)
        return -1;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char p[1024];
        if (data_path(data, dirs[i], p, sizeof p) < 0 || (mkdir(p, 0700) != 0 && errno != EEXIST))
            return -1;
    }
    return 0;
}
