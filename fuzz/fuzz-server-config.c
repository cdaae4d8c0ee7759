/*
 * fuzz-server-config.c — libFuzzer target for the server configuration
 * parser: any bytes either apply cleanly (and leave NUL-terminated paths
 * and limits within their ranges) or fail with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/server_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct server_config c;
    char err[256];
    server_config_default(&c);
    err[0] = '\0';
    if (server_config_parse((const char *)data, size, &c, err, sizeof err) == 0) {
        if (strnlen(c.listen, sizeof c.listen) == sizeof c.listen ||
            strnlen(c.data_dir, sizeof c.data_dir) == sizeof c.data_dir ||
            c.status_lookups_per_minute < 0 || c.requests_per_minute < 0 ||
            c.limits.max_body < 1024 || c.limits.threads > 256)
            abort();
    } else if (!err[0]) {
        abort();
    }
    return 0;
}
