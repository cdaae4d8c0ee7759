/*
 * server_config.c — reading config/server.json strictly (see the header).
 */
#include "web/server_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

void server_config_default(struct server_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->listen, sizeof c->listen, "127.0.0.1:8080");
    snprintf(c->data_dir, sizeof c->data_dir, "var");
    snprintf(c->states_dir, sizeof c->states_dir, "config/states");
    snprintf(c->templates_dir, sizeof c->templates_dir, "templates");
    snprintf(c->po_dir, sizeof c->po_dir, "po");
    snprintf(c->static_dir, sizeof c->static_dir, "static");
    snprintf(c->access_log, sizeof c->access_log, "-");
    c->secure_cookies = false;
    c->status_lookups_per_minute = 30;
    c->requests_per_minute = 6000;
    http_limits_default(&c->limits);
}

enum cfg_kind { CFG_STRING, CFG_BOOL, CFG_INT, CFG_UINT, CFG_SIZE };

struct cfg_key {
    const char *name;
    enum cfg_kind kind;
    size_t offset, size; /* CFG_STRING: buffer size */
    long long min, max;  /* numbers */
};

#define STR(field)                                                                                 \
    CFG_STRING, offsetof(struct server_config, field), sizeof(((struct server_config *)0)->field), \
        0, 0
#define LIM(field, lo, hi)                                                                         \
    offsetof(struct server_config, limits.field),                                                  \
        sizeof(((struct server_config *)0)->limits.field), lo, hi

static const struct cfg_key keys[] = {
    {"listen", STR(listen)},
    {"data_dir", STR(data_dir)},
    {"states_dir", STR(states_dir)},
    {"templates_dir", STR(templates_dir)},
    {"po_dir", STR(po_dir)},
    {"static_dir", STR(static_dir)},
    {"access_log", STR(access_log)},
    {"secure_cookies", CFG_BOOL, offsetof(struct server_config, secure_cookies), sizeof(bool), 0,
     0},
    {"status_lookups_per_minute", CFG_INT,
     offsetof(struct server_config, status_lookups_per_minute), sizeof(int), 0, 1000000},
    {"requests_per_minute", CFG_INT, offsetof(struct server_config, requests_per_minute),
     sizeof(int), 0, 100000000},
    {"max_body", CFG_SIZE, LIM(max_body, 1024, 64LL << 20)},
    {"max_json_body", CFG_SIZE, LIM(max_json_body, 1024, 1LL << 20)},
    {"max_field", CFG_SIZE, LIM(max_field, 64, 64 * 1024)},
    {"max_fields", CFG_SIZE, LIM(max_fields, 1, 1024)},
    {"max_upload", CFG_SIZE, LIM(max_upload, 1024, 32LL << 20)},
    {"conn_timeout_s", CFG_UINT, LIM(conn_timeout_s, 1, 3600)},
    {"max_connections", CFG_UINT, LIM(max_connections, 1, 100000)},
    {"per_ip_connections", CFG_UINT, LIM(per_ip_connections, 1, 100000)},
    {"threads", CFG_UINT, LIM(threads, 1, 256)},
};

int server_config_parse(const char *text, size_t len, struct server_config *c, char *err,
                        size_t err_cap)
{
    json_error_t je;
    json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(o)) {
        snprintf(err, err_cap, "line %d: %s", o ? 1 : je.line,
                 o ? "the configuration must be a JSON object" : je.text);
        json_decref(o);
        return -1;
    }
    const char *name;
    json_t *v;
    int rc = 0;
    json_object_foreach(o, name, v)
    {
        const struct cfg_key *k = NULL;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (!strcmp(keys[i].name, name))
                k = &keys[i];
        char *field = k ? (char *)c + k->offset : NULL;
        if (!k) {
            snprintf(err, err_cap, "%s: not a known setting", name);
            rc = -1;
        } else if (k->kind == CFG_STRING) {
            if (!json_is_string(v) || json_string_length(v) >= k->size ||
                strlen(json_string_value(v)) != json_string_length(v)) {
                snprintf(err, err_cap, "%s: must be a string of at most %zu bytes", name,
                         k->size - 1);
                rc = -1;
            } else {
                memcpy(field, json_string_value(v), json_string_length(v) + 1);
            }
        } else if (k->kind == CFG_BOOL) {
            if (!json_is_boolean(v)) {
                snprintf(err, err_cap, "%s: must be true or false", name);
                rc = -1;
            } else {
                *(bool *)field = json_is_true(v);
            }
        } else {
            json_int_t n = json_is_integer(v) ? json_integer_value(v) : k->min - 1;
            if (n < k->min || n > k->max) {
                snprintf(err, err_cap, "%s: must be an integer from %lld to %lld", name, k->min,
                         k->max);
                rc = -1;
            } else if (k->kind == CFG_SIZE) {
                *(size_t *)field = (size_t)n;
            } else if (k->kind == CFG_UINT) {
                *(unsigned *)field = (unsigned)n;
            } else {
                *(int *)field = (int)n;
            }
        }
        if (rc)
            break;
    }
    json_decref(o);
    return rc;
}

int server_config_load(const char *path, struct server_config *c, char *err, size_t err_cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_cap, "%s: cannot open", path);
        return -1;
    }
    char *buf = malloc(SERVER_CONFIG_MAX + 1);
    size_t n = buf ? fread(buf, 1, SERVER_CONFIG_MAX + 1, f) : 0;
    fclose(f);
    if (!buf || n > SERVER_CONFIG_MAX) {
        free(buf);
        snprintf(err, err_cap, "%s: larger than %u bytes", path, SERVER_CONFIG_MAX);
        return -1;
    }
    char inner[200];
    int rc = server_config_parse(buf, n, c, inner, sizeof inner);
    free(buf);
    if (rc)
        snprintf(err, err_cap, "%s: %s", path, inner);
    return rc;
}
