/*
 * border_web.c — entry, exit and stay (issue 6): POST
 * /api/v1/border/crossings records an entry or exit against a visa for a
 * border user (or a supervisor or administrator) signed in with the
 * officer cookie and sending X-CSRF-Token.  A user records only on visas
 * of its own state; another state's visa, an unknown visa and a wrong
 * passport number all answer 404.  The client chooses crossing_id, so a
 * post that was offline can send its crossings again: a replayed id
 * answers 200 with the body first given (201).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "icao/vds_date.h"
#include "web/portal.h"

/* "at": Unix seconds, or "YYYY-MM-DDTHH:MM:SSZ" (UTC).  false if neither. */
static bool parse_at(const json_t *v, int64_t *at)
{
    if (json_is_integer(v)) {
        *at = (int64_t)json_integer_value(v);
        return *at > 0;
    }
    const char *s = json_string_value(v);
    if (!s || strlen(s) != 20)
        return false;
    int y, mo, d, h, mi, se;
    char z;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &z) != 7 || z != 'Z' ||
        s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return false;
    if (y < 1970 || mo < 1 || d < 1 ||
        vds_date_check((struct vds_date){(uint16_t)y, (uint8_t)mo, (uint8_t)d}) != 0 || h > 23 ||
        mi > 59 || se > 59 || h < 0 || mi < 0 || se < 0)
        return false;
    *at = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return true;
}

/* A crossing id: 1..64 of [A-Za-z0-9._:-]. */
static bool id_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > STORE_CROSSING_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-'))
            return false;
    }
    return true;
}

/* Copies a JSON string member into dst[cap]; false if absent, not a
 * string, empty (when required) or too long. */
static bool member(const json_t *b, const char *key, char *dst, size_t cap, bool required)
{
    const json_t *v = json_object_get(b, key);
    if (!v && !required) {
        dst[0] = '\0';
        return true;
    }
    const char *s = json_string_value(v);
    if (!s || (required && !s[0]))
        return false;
    size_t n = strlen(s);
    if (n >= cap)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    memcpy(dst, s, n + 1);
    return true;
}

static bool may_record(const struct store_user *u)
{
    return !strcmp(u->role, "border") || !strcmp(u->role, "supervisor") ||
           !strcmp(u->role, "administrator");
}

void api_border_crossing(struct http_request *r, struct http_response *w)
{
    struct portal *p = r->app;
    struct store_user u;
    bool csrf_ok;
    if (!console_session_user(p, r, &u, &csrf_ok)) {
        http_error_json(w, 401, "unauthorized", "sign in with POST /api/v1/officer/session");
        return;
    }
    if (!csrf_ok) {
        http_error_json(w, 403, "csrf", "send the session's csrf_token as X-CSRF-Token");
        return;
    }
    if (!may_record(&u)) {
        http_error_json(w, 403, "forbidden", "only border users record crossings");
        return;
    }
    json_error_t e;
    json_t *b = json_loadb((const char *)r->body, r->body_len, 0, &e);
    if (!json_is_object(b)) {
        json_decref(b);
        http_error_json(w, 400, "bad_json", "the body must be one JSON object");
        return;
    }
    struct store_crossing in;
    struct store_crossing_rules rules;
    memset(&in, 0, sizeof in);
    memset(&rules, 0, sizeof rules);
    const char *id = json_string_value(json_object_get(b, "crossing_id"));
    bool ok =
        id_ok(id) && member(b, "crossing_id", in.crossing_id, sizeof in.crossing_id, true) &&
        member(b, "visa_number", in.visa_number, sizeof in.visa_number, true) &&
        member(b, "passport_number", rules.passport_number, sizeof rules.passport_number, true) &&
        member(b, "direction", in.direction, sizeof in.direction, true) &&
        member(b, "post", in.post, sizeof in.post, false) &&
        parse_at(json_object_get(b, "at"), &in.at) &&
        (!strcmp(in.direction, "entry") || !strcmp(in.direction, "exit"));
    json_decref(b);
    if (!ok) {
        http_error_json(w, 400, "invalid",
                        "need crossing_id, visa_number, passport_number, direction (entry or "
                        "exit), at (YYYY-MM-DDTHH:MM:SSZ) and post");
        return;
    }
    in.officer_id = u.id;
    snprintf(rules.state, sizeof rules.state, "%s", u.state);
    struct store_crossing_state out;
    bool replayed = false;
    const char *reason = NULL;
    int rc = store_crossing_record(p->store, &in, &rules, &out, &replayed, &reason);
    if (rc == -STORE_E_BAD_STATUS && reason) {
        http_json(w, 409, json_pack("{s:s, s:s}", "code", "refused", "reason", reason));
        return;
    }
    if (rc == -STORE_E_NOT_FOUND) {
        http_error_json(w, 404, "not_found", "no such visa for that passport number");
        return;
    }
    if (rc == -STORE_E_CONFLICT) {
        http_error_json(w, 409, "crossing_id_conflict",
                        "this crossing_id was used for another crossing");
        return;
    }
    if (rc) {
        http_error_json(w, 503, "unavailable", "the crossing could not be recorded; retry");
        return;
    }
    http_json(w, replayed ? 200 : 201,
              json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:b}", "crossing_id", in.crossing_id,
                        "status", "recorded", "entries_used", out.entries_used, "entries_allowed",
                        out.entries_allowed, "stay_days", out.stay_days, "days_in_current_stay",
                        out.days_in_current_stay, "days_remaining", out.days_remaining, "overstay",
                        out.overstay ? 1 : 0));
}
