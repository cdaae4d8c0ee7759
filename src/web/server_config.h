/*
 * server_config.h — the server's own configuration (config/server.json):
 * where policy, templates, translations and static files are, where data
 * and keys live, the listen address, limits and security switches.
 * Strict: unknown keys, wrong types and out-of-range values are rejected
 * with the key and the reason.  Command-line options override the file.
 */
#ifndef EVISA_SERVER_CONFIG_H
#define EVISA_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "web/http.h"

#define SERVER_CONFIG_MAX (64u * 1024u)
#define SERVER_PATH_MAX 256

struct server_config {
    char listen[64];                  /* "127.0.0.1:8080" */
    char data_dir[SERVER_PATH_MAX];   /* "var": evisa.db, keys/, outbox/ */
    char states_dir[SERVER_PATH_MAX]; /* "config/states" */
    char templates_dir[SERVER_PATH_MAX];
    char po_dir[SERVER_PATH_MAX];
    char static_dir[SERVER_PATH_MAX];
    char access_log[SERVER_PATH_MAX]; /* "-" stdout, "" none */
    bool secure_cookies;              /* true behind HTTPS; false for plain-HTTP demo */
    int status_lookups_per_minute;    /* per client IP; 0 = unlimited */
    int requests_per_minute;          /* all requests per client IP; 0 = unlimited */
    struct http_limits limits;
};

/* The built-in defaults (the demo: loopback, ./var, plain HTTP). */
void server_config_default(struct server_config *c);

/* Applies a JSON config text over *c.  0, or -1 with "key: reason" in err. */
int server_config_parse(const char *text, size_t len, struct server_config *c, char *err,
                        size_t err_cap);

/* Reads and applies a file; -1 with "file: key: reason" in err. */
int server_config_load(const char *path, struct server_config *c, char *err, size_t err_cap);

#endif
