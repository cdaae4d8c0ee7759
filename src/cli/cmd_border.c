/*
 * cmd_border.c — the `evisa border` subcommands for a border post that may
 * be offline:
 *
 *   evisa border record --queue FILE --visa-number N --passport-number P
 *                       --direction entry|exit --post CODE [--at UNIX]
 *   evisa border sync --queue FILE --url URL --email E --password P --totp-secret S
 *
 * record appends one crossing with a fresh random crossing_id to the local
 * queue (visa/border_queue.h) and prints the id; it needs no network.  sync
 * signs in as a border officer and POSTs every pending crossing to
 * URL/api/v1/border/crossings; the server de-duplicates by crossing_id, so a
 * crossing re-sent after a crash is recorded once.  After each answer the
 * queue is rewritten atomically with the crossing's new status.  Answers:
 * 201 recorded and 200 replay mark it synced; 409 and 404 mark it refused
 * with the server's reason (final); no answer, 5xx or any other status
 * leaves it and the rest pending and stops.  With nothing pending, sync
 * does not sign in.
 * Exit codes: 0 nothing left pending, 1 some still pending (offline, server
 * error, sign-in refused) or refused by the server during this run,
 * 2 malformed queue or input, 64 usage.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "auth/totp.h"
#include "cli/cli.h"
#include "crypto/crypto_err.h"
#include "icao/icao_err.h"
#include "visa/border_queue.h"

#define SYNC_TIMEOUT_S 20L
#define SYNC_BODY_MAX (64u * 1024)
#define SYNC_URL_MAX 2048
#define COOKIE_NAME "evisa_officer"
#define COOKIE_MAX 128
#define CSRF_MAX 128

static const char border_usage[] =
    "usage: evisa border record --queue FILE --visa-number N --passport-number P\n"
    "                           --direction entry|exit --post CODE [--at UNIX-TIME]\n"
    "       evisa border sync --queue FILE --url URL --email E --password P --totp-secret S\n"
    "  --queue FILE        the post's local queue of crossings (JSON lines, mode 0600)\n"
    "  --visa-number N     the visa's number (A-Z 0-9, e.g. AZ0001234)\n"
    "  --passport-number P the traveller's passport number (A-Z 0-9)\n"
    "  --direction D       entry or exit\n"
    "  --post CODE         the border post (A-Z 0-9 -, at most 16)\n"
    "  --at UNIX-TIME      when the crossing happened (default now)\n"
    "  --url URL           the portal, e.g. https://evisa.example\n"
    "  --email, --password, --totp-secret\n"
    "                      the border officer's credentials (the code is computed)\n";

/* Takes the value of option argv[*i] ("--name VALUE" or "--name=VALUE"):
 * true when argv[*i] is that option (*value NULL when the value is missing). */
static bool option_value(int argc, char **argv, int *i, const char *name, const char **value)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return false;
    if (argv[*i][n] == '=') {
        *value = argv[*i] + n + 1;
        return true;
    }
    if (argv[*i][n] != '\0')
        return false;
    *value = *i + 1 < argc ? argv[++*i] : NULL;
    return true;
}

/* Parses the options named in names[] (each "--x") into values[]; a CLI exit
 * code after printing the error, or 0. */
static int parse_options(const char *sub, int argc, char **argv, const char *const *names,
                         const char **values, size_t n)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(border_usage, stdout);
            return -1;
        }
        bool known = false;
        for (size_t k = 0; k < n && !known; k++)
            if (option_value(argc, argv, &i, names[k], &values[k])) {
                known = true;
                if (!values[k])
                    return cli_error(CLI_USAGE, "usage", "evisa border %s: %s needs a value", sub,
                                     names[k]);
            }
        if (!known)
            return cli_error(CLI_USAGE, "usage", "evisa border %s: unknown argument '%s'", sub,
                             argv[i]);
    }
    return 0;
}

/* Copies src into a fixed field of at most max characters; false when too long. */
static bool set_field(char *dst, size_t cap, const char *src)
{
    int k = snprintf(dst, cap, "%s", src);
    return k >= 0 && (size_t)k < cap;
}

static int record_cmd(int argc, char **argv)
{
    static const char *const names[] = {"--queue",     "--visa-number", "--passport-number",
                                        "--direction", "--post",        "--at"};
    const char *v[6] = {0};
    int rc = parse_options("record", argc, argv, names, v, 6);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    for (size_t k = 0; k < 5; k++)
        if (!v[k])
            return cli_error(CLI_USAGE, "usage", "evisa border record: %s is required (see --help)",
                             names[k]);
    struct bq_crossing c = {.status = BQ_PENDING};
    if (strcmp(v[3], "entry") != 0 && strcmp(v[3], "exit") != 0)
        return cli_error(CLI_MALFORMED, "bad_field",
                         "evisa border record: --direction is entry or exit, not '%s'", v[3]);
    if (v[5]) {
        char *end;
        errno = 0;
        long long at = strtoll(v[5], &end, 10);
        if (errno || end == v[5] || *end || at < 0)
            return cli_error(CLI_MALFORMED, "bad_time", "evisa border record: bad --at '%s'", v[5]);
        c.at = (int64_t)at;
    } else
        c.at = (int64_t)time(NULL);
    if (!set_field(c.visa_number, sizeof c.visa_number, v[1]) ||
        !set_field(c.passport_number, sizeof c.passport_number, v[2]) ||
        !set_field(c.direction, sizeof c.direction, v[3]) ||
        !set_field(c.post, sizeof c.post, v[4]))
        return cli_error(CLI_MALFORMED, "bad_field",
                         "evisa border record: a field is too long (see --help)");
    rc = bq_new_id(c.crossing_id);
    if (rc)
        return cli_error(CLI_INVALID, cli_err_code(rc), "%s", cli_err_message(rc));
    if (bq_validate(&c))
        return cli_error(CLI_MALFORMED, "bad_field",
                         "evisa border record: visa and passport numbers are A-Z 0-9, direction is "
                         "entry or exit, post is A-Z 0-9 - (see --help)");
    int lock;
    rc = bq_lock(v[0], &lock);
    if (!rc) {
        rc = bq_append(v[0], &c);
        bq_unlock(lock);
    }
    if (rc)
        return cli_error(CLI_INVALID, cli_err_code(rc), "%s: %s", v[0], cli_err_message(rc));
    printf("%s\n", c.crossing_id);
    return CLI_OK;
}

/* Copies src into dst (cap > 0), cut to cap - 1 characters. */
static void copy_cut(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* ---- HTTP ------------------------------------------------------------------ */

struct http_answer {
    long status; /* 0 when no answer came */
    char body[SYNC_BODY_MAX + 1];
    size_t len;
    bool over;
    char cookie[COOKIE_MAX + 1]; /* the evisa_officer cookie, if set */
    char error[CURL_ERROR_SIZE];
};

static size_t body_write(char *data, size_t size, size_t nmemb, void *arg)
{
    struct http_answer *a = arg;
    size_t n = size * nmemb;
    if (n > SYNC_BODY_MAX - a->len) {
        a->over = true;
        return 0; /* aborts the transfer */
    }
    memcpy(a->body + a->len, data, n);
    a->len += n;
    a->body[a->len] = '\0';
    return n;
}

/* Picks the session cookie out of "Set-Cookie: evisa_officer=VALUE; ...". */
static size_t header_line(char *data, size_t size, size_t nmemb, void *arg)
{
    struct http_answer *a = arg;
    size_t n = size * nmemb;
    static const char prefix[] = "set-cookie:";
    if (n > sizeof prefix && !strncasecmp(data, prefix, sizeof prefix - 1)) {
        size_t i = sizeof prefix - 1;
        while (i < n && (data[i] == ' ' || data[i] == '\t'))
            i++;
        size_t cl = strlen(COOKIE_NAME);
        if (n - i > cl && !memcmp(data + i, COOKIE_NAME, cl) && data[i + cl] == '=') {
            i += cl + 1;
            size_t k = 0;
            while (i + k < n && k < COOKIE_MAX &&
                   (isalnum((unsigned char)data[i + k]) || data[i + k] == '-' ||
                    data[i + k] == '_' || data[i + k] == '.'))
                k++;
            memcpy(a->cookie, data + i, k);
            a->cookie[k] = '\0';
        }
    }
    return n;
}

/* POSTs a JSON body to url with the optional session cookie and CSRF token;
 * fills *a (a->status 0 when there was no HTTP answer). */
static void post_json(const char *url, const char *json, const char *cookie, const char *csrf,
                      struct http_answer *a)
{
    memset(a, 0, sizeof *a);
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(a->error, sizeof a->error, "cannot start libcurl");
        return;
    }
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    char line[64 + CSRF_MAX];
    if (h && csrf) {
        snprintf(line, sizeof line, "X-CSRF-Token: %s", csrf);
        struct curl_slist *h2 = curl_slist_append(h, line);
        if (!h2) {
            curl_slist_free_all(h);
            h = NULL;
        } else
            h = h2;
    }
    char cookie_hdr[32 + COOKIE_MAX];
    if (cookie) {
        snprintf(cookie_hdr, sizeof cookie_hdr, "%s=%s", COOKIE_NAME, cookie);
        curl_easy_setopt(c, CURLOPT_COOKIE, cookie_hdr);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_line);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, SYNC_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, a->error);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "evisa-border-sync/1");
    CURLcode rc = h ? curl_easy_perform(c) : CURLE_OUT_OF_MEMORY;
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
    else if (!a->error[0])
        snprintf(a->error, sizeof a->error, "%s", curl_easy_strerror(rc));
    if (a->over) {
        a->status = 0;
        snprintf(a->error, sizeof a->error, "the answer is over %u bytes", SYNC_BODY_MAX);
    }
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    OPENSSL_cleanse(cookie_hdr, sizeof cookie_hdr);
}

/* "code: message" of a JSON error answer (or the raw status) into out. */
static void answer_reason(const struct http_answer *a, char *out, size_t cap)
{
    json_error_t e;
    json_t *j = json_loadb(a->body, a->len, 0, &e);
    const char *code = json_string_value(json_object_get(j, "code"));
    const char *msg = json_string_value(json_object_get(j, "reason"));
    if (!msg)
        msg = json_string_value(json_object_get(j, "message"));
    if (code)
        snprintf(out, cap, "%s%s%s", code, msg ? ": " : "", msg ? msg : "");
    else
        snprintf(out, cap, "HTTP %ld", a->status);
    json_decref(j);
    for (char *p = out; *p; p++) /* keep it one printable ASCII line */
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            *p = '?';
}

/* Signs in; fills cookie and csrf.  0, or a CLI exit code after printing. */
static int sign_in(const char *base, const char *email, const char *password, const char *secret,
                   char cookie[COOKIE_MAX + 1], char csrf[CSRF_MAX + 1])
{
    char code[7];
    int rc = totp_code(secret, time(NULL), code);
    if (rc)
        return cli_error(CLI_MALFORMED, "bad_secret",
                         "evisa border sync: --totp-secret is not a "
                         "base32 TOTP secret");
    char url[SYNC_URL_MAX];
    int k = snprintf(url, sizeof url, "%s/api/v1/officer/session", base);
    json_t *j = json_pack("{s:s, s:s, s:s}", "email", email, "password", password, "totp", code);
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (k < 0 || (size_t)k >= sizeof url || !body) {
        free(body);
        return cli_error(CLI_USAGE, "usage", "evisa border sync: URL too long or bad credentials");
    }
    struct http_answer *a = malloc(sizeof *a);
    if (!a) {
        OPENSSL_cleanse(body, strlen(body));
        free(body);
        return cli_error(CLI_INVALID, "internal", "out of memory");
    }
    post_json(url, body, NULL, NULL, a);
    OPENSSL_cleanse(body, strlen(body));
    free(body);
    rc = 0;
    if (a->status == 0)
        rc = cli_error(CLI_INVALID, "offline", "%s: %s (the queue is kept; sync again later)", url,
                       a->error);
    else if (a->status != 200 && a->status != 201) {
        char why[BQ_REASON_MAX + 1];
        answer_reason(a, why, sizeof why);
        rc = cli_error(CLI_INVALID, "sign_in_failed", "%s: HTTP %ld (%s)", url, a->status, why);
    } else {
        json_error_t e;
        json_t *r = json_loadb(a->body, a->len, 0, &e);
        const char *t = json_string_value(json_object_get(r, "csrf_token"));
        if (!t || !a->cookie[0] || !set_field(csrf, CSRF_MAX + 1, t) ||
            strcspn(t, "\r\n") != strlen(t))
            rc = cli_error(CLI_INVALID, "sign_in_failed",
                           "%s: no session cookie or csrf_token in the answer", url);
        else
            memcpy(cookie, a->cookie, sizeof a->cookie);
        json_decref(r);
    }
    OPENSSL_cleanse(a, sizeof *a);
    free(a);
    return rc;
}

enum send_outcome { SEND_DONE, SEND_REPLAY, SEND_REFUSED, SEND_RETRY };

/* POSTs one crossing; SEND_RETRY leaves it pending (why says why).  409
 * (refused by the entry rules, or the id was used for another crossing) and
 * 404 (no such visa for that passport number) are final answers; anything
 * else but 200/201 (offline, 5xx, 400, 401, 403) stops the sync. */
static enum send_outcome send_crossing(const char *url, const struct bq_crossing *c,
                                       const char *cookie, const char *csrf, char *why, size_t cap,
                                       struct http_answer *a)
{
    char *body = bq_request_json(c);
    if (!body) {
        snprintf(why, cap, "out of memory");
        return SEND_RETRY;
    }
    post_json(url, body, cookie, csrf, a);
    free(body);
    if (a->status == 201)
        return SEND_DONE;
    if (a->status == 200)
        return SEND_REPLAY;
    if (a->status == 409 || a->status == 404) {
        answer_reason(a, why, cap);
        return SEND_REFUSED;
    }
    if (a->status == 0)
        copy_cut(why, cap, a->error);
    else {
        char r[BQ_REASON_MAX + 1], line[BQ_REASON_MAX + 32];
        answer_reason(a, r, sizeof r);
        snprintf(line, sizeof line, "HTTP %ld (%s)", a->status, r);
        copy_cut(why, cap, line);
    }
    return SEND_RETRY;
}

static int sync_cmd(int argc, char **argv)
{
    static const char *const names[] = {"--queue", "--url", "--email", "--password",
                                        "--totp-secret"};
    const char *v[5] = {0};
    int rc = parse_options("sync", argc, argv, names, v, 5);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    for (size_t k = 0; k < 5; k++)
        if (!v[k])
            return cli_error(CLI_USAGE, "usage", "evisa border sync: %s is required (see --help)",
                             names[k]);
    const char *path = v[0], *url = v[1];
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
        return cli_error(CLI_USAGE, "usage",
                         "evisa border sync: --url must be http:// or https://");
    char base[SYNC_URL_MAX], post_url[SYNC_URL_MAX];
    size_t ul = strlen(url);
    while (ul > 0 && url[ul - 1] == '/')
        ul--;
    int a1 = snprintf(base, sizeof base, "%.*s", (int)ul, url);
    int a2 = snprintf(post_url, sizeof post_url, "%s/api/v1/border/crossings", base);
    if (a1 < 0 || a2 < 0 || (size_t)a2 >= sizeof post_url)
        return cli_error(CLI_USAGE, "usage", "evisa border sync: URL too long");

    int lock;
    rc = bq_lock(path, &lock);
    if (rc)
        return cli_error(CLI_INVALID, cli_err_code(rc), "%s: %s", path, cli_err_message(rc));
    struct bq_queue q;
    size_t bad_line = 0;
    rc = bq_load(path, &q, &bad_line);
    if (rc) {
        bq_unlock(lock);
        if (rc == -ICAO_E_BAD_FIELD)
            return cli_error(CLI_MALFORMED, "bad_queue", "%s:%zu: not a valid crossing", path,
                             bad_line);
        return cli_error(rc == -CRYPTO_E_TOO_LARGE ? CLI_MALFORMED : CLI_INVALID, cli_err_code(rc),
                         "%s: %s", path, cli_err_message(rc));
    }
    size_t before[BQ__MAX];
    bq_count(&q, before);
    size_t sent = 0, replays = 0, refused = 0;
    int exit_code = CLI_OK;
    struct http_answer *ans = NULL;
    char cookie[COOKIE_MAX + 1] = "", csrf[CSRF_MAX + 1] = "";
    bool curl_up = false;
    if (before[BQ_PENDING] > 0) {
        ans = malloc(sizeof *ans);
        if (!ans || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            exit_code = cli_error(CLI_INVALID, "internal", "cannot start libcurl");
            goto out;
        }
        curl_up = true;
        exit_code = sign_in(base, v[2], v[3], v[4], cookie, csrf);
        if (exit_code)
            goto out;
    }
    for (size_t i = 0; i < q.n; i++) {
        struct bq_crossing *c = &q.items[i];
        if (c->status != BQ_PENDING)
            continue;
        char why[BQ_REASON_MAX + 1] = "";
        enum send_outcome o = send_crossing(post_url, c, cookie, csrf, why, sizeof why, ans);
        if (o == SEND_RETRY) {
            exit_code = cli_error(CLI_INVALID, "offline",
                                  "%s: %s; %s and later crossings stay pending (sync again later)",
                                  post_url, why, c->crossing_id);
            break;
        }
        c->status = o == SEND_REFUSED ? BQ_REFUSED : BQ_SYNCED;
        if (o == SEND_REFUSED) {
            copy_cut(c->reason, sizeof c->reason, why);
            refused++;
            printf("refused %s: %s\n", c->crossing_id, c->reason);
        } else if (o == SEND_REPLAY)
            replays++;
        else
            sent++;
        rc = bq_rewrite(path, &q);
        if (rc) {
            exit_code = cli_error(CLI_INVALID, cli_err_code(rc), "%s: %s (the server has %s)", path,
                                  cli_err_message(rc), c->crossing_id);
            break;
        }
    }
out:;
    size_t after[BQ__MAX];
    bq_count(&q, after);
    printf("synced %zu (already on the server %zu), refused %zu, pending %zu\n", sent + replays,
           replays, refused, after[BQ_PENDING]);
    if (!exit_code && (after[BQ_PENDING] > 0 || refused > 0))
        exit_code = CLI_INVALID;
    if (ans) {
        OPENSSL_cleanse(ans, sizeof *ans);
        free(ans);
    }
    OPENSSL_cleanse(cookie, sizeof cookie);
    OPENSSL_cleanse(csrf, sizeof csrf);
    if (curl_up)
        curl_global_cleanup();
    bq_free(&q);
    bq_unlock(lock);
    return exit_code;
}

int cmd_border(int argc, char **argv)
{
    if (argc < 2) {
        fputs(border_usage, stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(border_usage, stdout);
        return CLI_OK;
    }
    if (!strcmp(argv[1], "record"))
        return record_cmd(argc - 1, argv + 1);
    if (!strcmp(argv[1], "sync"))
        return sync_cmd(argc - 1, argv + 1);
    return cli_error(CLI_USAGE, "usage", "evisa border: unknown subcommand '%s' (see --help)",
                     argv[1]);
}
