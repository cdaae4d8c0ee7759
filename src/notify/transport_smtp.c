/*
 * transport_smtp.c — the SMTP mail transport over libcurl: one SMTP
 * transaction per mail (EHLO, optional STARTTLS and AUTH, MAIL FROM, RCPT TO,
 * DATA), bounded by connect and total timeouts.  A 5xx answer (other than a
 * refused login, which is a configuration problem worth retrying after it
 * is fixed) means the server will never take this mail.  See transport.h.
 */
#include "notify/transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "notify/mail.h"

#define SMTP_URL_MAX 512
#define SMTP_CRED_MAX 256

struct smtp_ctx {
    char url[SMTP_URL_MAX];
    char username[SMTP_CRED_MAX];
    char password[SMTP_CRED_MAX];
    bool starttls, insecure;
    long timeout_s, connect_timeout_s;
};

struct upload {
    const char *p;
    size_t left;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *arg)
{
    struct upload *u = arg;
    size_t n = size * nitems;
    if (n > u->left)
        n = u->left;
    memcpy(buf, u->p, n);
    u->p += n;
    u->left -= n;
    return n;
}

static int smtp_send(void *vctx, const struct mail_envelope *env, const char *msg, size_t len,
                     char *err, size_t err_cap)
{
    struct smtp_ctx *c = vctx;
    if (mail_check_address(env->from) != 0 || mail_check_address(env->to) != 0) {
        snprintf(err, err_cap, "bad envelope address");
        return -NOTIFY_E_REJECTED;
    }
    char from[MAIL_ADDR_MAX + 3], to[MAIL_ADDR_MAX + 3];
    snprintf(from, sizeof from, "<%s>", env->from);
    snprintf(to, sizeof to, "<%s>", env->to);

    CURL *h = curl_easy_init();
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    if (!h || !rcpt) {
        curl_easy_cleanup(h);
        curl_slist_free_all(rcpt);
        snprintf(err, err_cap, "out of memory");
        return -NOTIFY_E_NOMEM;
    }
    char ebuf[CURL_ERROR_SIZE] = "";
    struct upload up = {msg, len};
    CURLcode rc = CURLE_OK;
#define SET(opt, val)                                                                              \
    do {                                                                                           \
        if (rc == CURLE_OK)                                                                        \
            rc = curl_easy_setopt(h, opt, val);                                                    \
    } while (0)
    SET(CURLOPT_URL, c->url);
    SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_ERRORBUFFER, ebuf);
    SET(CURLOPT_CONNECTTIMEOUT, c->connect_timeout_s);
    SET(CURLOPT_TIMEOUT, c->timeout_s);
    SET(CURLOPT_MAIL_FROM, from);
    SET(CURLOPT_MAIL_RCPT, rcpt);
    SET(CURLOPT_READFUNCTION, read_cb);
    SET(CURLOPT_READDATA, &up);
    SET(CURLOPT_UPLOAD, 1L);
    SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    if (c->starttls)
        SET(CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (c->insecure) {
        SET(CURLOPT_SSL_VERIFYPEER, 0L);
        SET(CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (c->username[0]) {
        SET(CURLOPT_USERNAME, c->username);
        SET(CURLOPT_PASSWORD, c->password);
    }
#undef SET
    if (rc == CURLE_OK)
        rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(h);
    curl_slist_free_all(rcpt);
    if (rc == CURLE_OK)
        return 0;
    snprintf(err, err_cap, "%s (%ld): %s", curl_easy_strerror(rc), code,
             ebuf[0] ? ebuf : "no details");
    if (code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED)
        return -NOTIFY_E_REJECTED;
    return -NOTIFY_E_SMTP;
}

static void smtp_free(void *vctx)
{
    struct smtp_ctx *c = vctx;
    if (!c)
        return;
    /* The password does not outlive the transport. */
    volatile char *p = c->password;
    for (size_t i = 0; i < sizeof c->password; i++)
        p[i] = 0;
    free(c);
    curl_global_cleanup();
}

static bool url_ok(const char *url)
{
    if (!url || strlen(url) >= SMTP_URL_MAX)
        return false;
    if (strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0)
        return false;
    size_t host = strncmp(url, "smtp://", 7) == 0 ? 7 : 8;
    if (!url[host] || url[host] == '/' || url[host] == ':')
        return false;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= ' ' || *p >= 0x7F)
            return false;
    return true;
}

int mail_transport_smtp(const struct smtp_options *o, struct mail_transport **out)
{
    if (!out)
        return -NOTIFY_E_INVALID;
    *out = NULL;
    if (!o || !url_ok(o->url) || o->timeout_s < 0 || o->connect_timeout_s < 0)
        return -NOTIFY_E_CONFIG;
    bool user = o->username && o->username[0];
    if ((o->password && o->password[0] && !user) ||
        (user && (strlen(o->username) >= SMTP_CRED_MAX || !o->password ||
                  strlen(o->password) >= SMTP_CRED_MAX)))
        return -NOTIFY_E_CONFIG;
    struct smtp_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return -NOTIFY_E_NOMEM;
    snprintf(c->url, sizeof c->url, "%s", o->url);
    if (user) {
        snprintf(c->username, sizeof c->username, "%s", o->username);
        snprintf(c->password, sizeof c->password, "%s", o->password);
    }
    c->starttls = o->starttls;
    c->insecure = o->insecure;
    c->timeout_s = o->timeout_s ? o->timeout_s : 30;
    c->connect_timeout_s = o->connect_timeout_s ? o->connect_timeout_s : 10;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        free(c);
        return -NOTIFY_E_NOMEM;
    }
    static const struct mail_transport_ops ops = {smtp_send, smtp_free};
    *out = mail_transport_new(&ops, c);
    return *out ? 0 : -NOTIFY_E_NOMEM;
}
