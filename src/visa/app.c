/*
 * app.c — the visa application: statuses and transitions, the declared
 * field table with its validators, cross-field checks against policy, the
 * name as it will print in the MRZ, deadlines, references and tokens.
 */
#include "util/text.h"
#include "visa/app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "icao/icao_err.h"
#include "icao/mrz.h"
#include "icao/translit.h"
#include "icao/vds_date.h"

const char *const app_status_names[APP__MAX] = {
    [APP_DRAFT] = "draft",         [APP_SUBMITTED] = "submitted",
    [APP_IN_REVIEW] = "in_review", [APP_INFO_REQUESTED] = "info_requested",
    [APP_APPROVED] = "approved",   [APP_ISSUED] = "issued",
    [APP_REFUSED] = "refused",     [APP_REVOKED] = "revoked",
    [APP_WITHDRAWN] = "withdrawn", [APP_EXPIRED] = "expired",
};

const char *const app_step_names[STEP__MAX] = {
    [STEP_PASSPORT] = "passport", [STEP_PERSONAL] = "personal",         [STEP_TRAVEL] = "travel",
    [STEP_CONTACT] = "contact",   [STEP_DECLARATIONS] = "declarations",
};

const struct app_field_def app_fields[F__MAX] = {
    [F_MRZ_LINE1] = {"mrz_line1", STEP_PASSPORT, V_MRZ_LINE, 44, false},
    [F_MRZ_LINE2] = {"mrz_line2", STEP_PASSPORT, V_MRZ_LINE, 44, false},
    [F_SURNAME] = {"surname", STEP_PASSPORT, V_NAME, 100, true},
    [F_GIVEN_NAMES] = {"given_names", STEP_PASSPORT, V_NAME, 100, false},
    [F_SEX] = {"sex", STEP_PASSPORT, V_SEX, 1, true},
    [F_DATE_OF_BIRTH] = {"date_of_birth", STEP_PASSPORT, V_DATE, 10, true},
    [F_NATIONALITY] = {"nationality", STEP_PASSPORT, V_COUNTRY, 3, true},
    [F_PASSPORT_NUMBER] = {"passport_number", STEP_PASSPORT, V_DOC_NUMBER, 9, true},
    [F_PASSPORT_ISSUE_DATE] = {"passport_issue_date", STEP_PASSPORT, V_DATE, 10, true},
    [F_PASSPORT_EXPIRY] = {"passport_expiry", STEP_PASSPORT, V_DATE, 10, true},
    [F_PLACE_OF_BIRTH] = {"place_of_birth", STEP_PERSONAL, V_TEXT, 100, true},
    [F_OCCUPATION] = {"occupation", STEP_PERSONAL, V_TEXT, 100, false},
    [F_HOME_ADDRESS] = {"home_address", STEP_PERSONAL, V_TEXT, 300, true},
    [F_ARRIVAL_DATE] = {"arrival_date", STEP_TRAVEL, V_DATE, 10, true},
    [F_DEPARTURE_DATE] = {"departure_date", STEP_TRAVEL, V_DATE, 10, true},
    [F_ADDRESS_IN_COUNTRY] = {"address_in_country", STEP_TRAVEL, V_TEXT, 300, true},
    [F_EMAIL] = {"email", STEP_CONTACT, V_EMAIL, 254, true},
    [F_PHONE] = {"phone", STEP_CONTACT, V_PHONE, 16, true},
    [F_DECL_TRUTH] = {"decl_truth", STEP_DECLARATIONS, V_YES, 3, true},
    [F_DECL_TERMS] = {"decl_terms", STEP_DECLARATIONS, V_YES, 3, true},
};

/* From -> to pairs the state machine allows. */
static const struct {
    enum app_status from, to;
} app_transitions[] = {
    {APP_DRAFT, APP_SUBMITTED},
    {APP_DRAFT, APP_WITHDRAWN},
    {APP_DRAFT, APP_EXPIRED},
    {APP_SUBMITTED, APP_IN_REVIEW},
    {APP_SUBMITTED, APP_WITHDRAWN},
    {APP_IN_REVIEW, APP_SUBMITTED},
    {APP_IN_REVIEW, APP_INFO_REQUESTED},
    {APP_IN_REVIEW, APP_APPROVED},
    {APP_IN_REVIEW, APP_REFUSED},
    {APP_INFO_REQUESTED, APP_SUBMITTED},
    {APP_INFO_REQUESTED, APP_WITHDRAWN},
    {APP_INFO_REQUESTED, APP_EXPIRED},
    {APP_APPROVED, APP_ISSUED},
    {APP_ISSUED, APP_REVOKED},
    {APP_ISSUED, APP_EXPIRED},
};

int app_status_from_name(const char *name)
{
    for (int i = 0; i < APP__MAX; i++)
        if (name && !strcmp(name, app_status_names[i]))
            return i;
    return -1;
}

bool app_transition_allowed(enum app_status from, enum app_status to)
{
    for (size_t i = 0; i < sizeof app_transitions / sizeof app_transitions[0]; i++)
        if (app_transitions[i].from == from && app_transitions[i].to == to)
            return true;
    return false;
}

int app_field_from_name(const char *name)
{
    for (int i = 0; i < F__MAX; i++)
        if (name && !strcmp(name, app_fields[i].name))
            return i;
    return -1;
}

/* ---- errors ------------------------------------------------------------- */

static void add_error(struct app_errors *errs, const char *field, const char *code,
                      const char *detail)
{
    if (!errs || errs->n >= APP_MAX_ERRORS)
        return;
    for (size_t i = 0; i < errs->n; i++) /* one error per field is enough */
        if (field[0] && !strcmp(errs->e[i].field, field))
            return;
    struct app_error *e = &errs->e[errs->n++];
    snprintf(e->field, sizeof e->field, "%s", field);
    snprintf(e->code, sizeof e->code, "%s", code);
    snprintf(e->detail, sizeof e->detail, "%s", detail);
}

/* ---- validators --------------------------------------------------------- */

/* Trims ASCII white space at both ends and collapses inner runs of spaces;
 * rejects control characters and invalid UTF-8.  Returns the code or NULL. */
static const char *clean_text(const char *in, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    bool space = false;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)in[i];
        size_t k = utf8_seq((const unsigned char *)in + i, len - i);
        if (!k)
            return "bad_utf8";
        if (k == 1 && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
            space = o > 0;
            i++;
            continue;
        }
        if (k == 1 && (c < 0x20 || c == 0x7F))
            return "bad_chars";
        if (space) {
            if (o + 1 >= cap)
                return "too_long";
            out[o++] = ' ';
            space = false;
        }
        if (o + k >= cap)
            return "too_long";
        memcpy(out + o, in + i, k);
        o += k;
        i += k;
    }
    out[o] = '\0';
    return NULL;
}

/* Upper-cases ASCII letters and drops spaces (numbers, codes, MRZ lines). */
static void squeeze_upper(char *s)
{
    size_t o = 0;
    for (size_t i = 0; s[i]; i++) {
        char c = s[i];
        if (c == ' ')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        s[o++] = c;
    }
    s[o] = '\0';
}

static bool all_in(const char *s, const char *set_ranges)
{
    for (; *s; s++) {
        bool ok = false;
        for (const char *r = set_ranges; r[0] && r[1]; r += 2)
            ok = ok || (*s >= r[0] && *s <= r[1]);
        if (!ok)
            return false;
    }
    return true;
}

static bool valid_email(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@') || at - s > 64)
        return false;
    for (const char *p = s; p < at; p++)
        if (*p <= ' ' || *p > '~' || strchr("()<>,;:\\\"[]", *p))
            return false;
    const char *dom = at + 1;
    size_t dl = strlen(dom);
    if (dl < 3 || !strchr(dom, '.') || dom[0] == '.' || dom[dl - 1] == '.' || dom[0] == '-')
        return false;
    for (const char *p = dom; *p; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '-' || (*p == '.' && p[1] != '.');
        if (!ok)
            return false;
    }
    return true;
}

/* Normalises a phone number to "+digits" or "digits"; NULL when invalid. */
static bool normalise_phone(char *s)
{
    size_t o = 0, digits = 0;
    for (size_t i = 0; s[i]; i++) {
        char c = s[i];
        if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.')
            continue;
        if (c == '+' && o == 0) {
            s[o++] = c;
            continue;
        }
        if (c < '0' || c > '9')
            return false;
        s[o++] = c;
        digits++;
    }
    s[o] = '\0';
    return digits >= 7 && digits <= 15;
}

static bool parse_date(const char *s, struct vds_date *d)
{
    return strlen(s) == 10 && vds_date_parse_iso(s, 10, d) == 0 && d->year >= 1900 &&
           d->year <= 2200;
}

void app_set_field(struct app_values *vals, enum app_field f, const char *value, size_t len,
                   struct app_errors *errs)
{
    const struct app_field_def *def = &app_fields[f];
    char *out = vals->v[f];
    /* Keep what was typed, whatever happens (cut at the buffer). */
    size_t keep = len < APP_VALUE_MAX ? len : APP_VALUE_MAX;
    memcpy(out, value, keep);
    out[keep] = '\0';
    if (len > APP_VALUE_MAX) {
        add_error(errs, def->name, "too_long", "value is longer than allowed");
        return;
    }
    char clean[APP_VALUE_MAX + 1];
    const char *code = clean_text(value, len, clean, sizeof clean);
    if (code) {
        add_error(errs, def->name, code, "value has invalid characters");
        return;
    }
    if (clean[0] == '\0') {
        out[0] = '\0';
        return;
    }
    switch (def->validator) {
    case V_MRZ_LINE:
    case V_DOC_NUMBER:
    case V_COUNTRY:
    case V_SEX:
        squeeze_upper(clean);
        break;
    case V_PHONE:
        if (!normalise_phone(clean))
            code = "bad_phone";
        break;
    case V_YES:
        if (!strcmp(clean, "yes") || !strcmp(clean, "on") || !strcmp(clean, "true") ||
            !strcmp(clean, "1"))
            snprintf(clean, sizeof clean, "yes");
        else
            code = "must_accept";
        break;
    default:
        break;
    }
    if (!code && strlen(clean) > def->max_len)
        code = "too_long";
    if (!code) {
        struct vds_date d;
        char mrz[128];
        switch (def->validator) {
        case V_NAME: {
            int rc = translit_name_part(clean, strlen(clean), NULL, mrz, sizeof mrz);
            if (rc == -ICAO_E_UNMAPPED_CHAR || rc == -ICAO_E_BAD_UTF8)
                code = "unmapped_char";
            else if (rc <= 0)
                code = "bad_format";
            break;
        }
        case V_MRZ_LINE:
            if (strlen(clean) != 44 || !all_in(clean, "AZ09<<"))
                code = "bad_format";
            break;
        case V_SEX:
            if (strcmp(clean, "M") && strcmp(clean, "F") && strcmp(clean, "X"))
                code = "bad_format";
            break;
        case V_DATE:
            if (!parse_date(clean, &d))
                code = "bad_date";
            break;
        case V_COUNTRY:
            if (strlen(clean) != 3 || !all_in(clean, "AZ"))
                code = "bad_format";
            break;
        case V_DOC_NUMBER:
            if (!all_in(clean, "AZ09"))
                code = "bad_format";
            break;
        case V_EMAIL:
            if (!valid_email(clean))
                code = "bad_email";
            break;
        default:
            break;
        }
    }
    if (code) {
        add_error(errs, def->name, code, "value is not valid for this field");
        return;
    }
    snprintf(out, APP_VALUE_MAX + 1, "%s", clean);
}

/* ---- dates ---------------------------------------------------------------- */

/* Day number (days since 1970-01-01) of a valid ISO date value, or INT64_MIN. */
static int64_t day_of(const char *iso)
{
    struct vds_date d;
    if (!iso[0] || !parse_date(iso, &d))
        return INT64_MIN;
    return days_from_civil(d.year, d.month, d.day);
}

static int64_t day_of_time(time_t t)
{
    return (int64_t)(t >= 0 ? t / 86400 : (t - 86399) / 86400);
}

static int64_t add_months_days(int64_t day, int months)
{
    /* Calendar months: convert back to a date, add, clamp the day. */
    int64_t z = day + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    y += m <= 2;
    int total = (int)y * 12 + (m - 1) + months;
    int ny = total / 12, nm = total % 12 + 1;
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int maxd = mdays[nm - 1] + (nm == 2 && ((ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0));
    return days_from_civil(ny, nm, d > maxd ? maxd : d);
}

time_t app_deadline(const struct policy_track *track, time_t at)
{
    if (track->processing_hours > 0)
        return at + (time_t)track->processing_hours * 3600;
    time_t t = at;
    for (int left = track->processing_working_days; left > 0;) {
        t += 86400;
        int64_t dow = (day_of_time(t) + 4) % 7; /* 1970-01-01 was a Thursday: 0 = Sunday */
        if (dow != 0 && dow != 6)
            left--;
    }
    return t;
}

/* ---- cross-field checks --------------------------------------------------- */

static bool in_step(enum app_field f, enum app_step step)
{
    return step == STEP__MAX || app_fields[f].step == step;
}

/* Compares the typed passport fields with a valid TD3 MRZ. */
static void check_against_mrz(const struct app_values *vals, const struct mrz_parsed *p,
                              const struct policy_state *st, struct app_errors *errs)
{
    char typed[128];
    if (vals->v[F_PASSPORT_NUMBER][0] && strcmp(vals->v[F_PASSPORT_NUMBER], p->number))
        add_error(errs, "passport_number", "mrz_mismatch", "differs from the passport MRZ");
    if (vals->v[F_NATIONALITY][0] && strncmp(vals->v[F_NATIONALITY], p->nationality, 3))
        add_error(errs, "nationality", "mrz_mismatch", "differs from the passport MRZ");
    const char *dob = vals->v[F_DATE_OF_BIRTH];
    if (dob[0] && (dob[2] != p->birth[0] || dob[3] != p->birth[1] || dob[5] != p->birth[2] ||
                   dob[6] != p->birth[3] ||
                   (p->birth[4] != '<' && (dob[8] != p->birth[4] || dob[9] != p->birth[5]))))
        add_error(errs, "date_of_birth", "mrz_mismatch", "differs from the passport MRZ");
    const char *exp = vals->v[F_PASSPORT_EXPIRY];
    if (exp[0] && (exp[2] != p->expiry[0] || exp[3] != p->expiry[1] || exp[5] != p->expiry[2] ||
                   exp[6] != p->expiry[3] || exp[8] != p->expiry[4] || exp[9] != p->expiry[5]))
        add_error(errs, "passport_expiry", "mrz_mismatch", "differs from the passport MRZ");
    char sex = p->sex[0] == '<' ? 'X' : p->sex[0];
    if (vals->v[F_SEX][0] && vals->v[F_SEX][0] != sex)
        add_error(errs, "sex", "mrz_mismatch", "differs from the passport MRZ");
    /* Names: the typed name in MRZ form must equal the MRZ's (spaces = '<'). */
    struct {
        enum app_field f;
        const char *mrz;
    } names[2] = {{F_SURNAME, p->primary}, {F_GIVEN_NAMES, p->secondary}};
    for (int i = 0; i < 2; i++) {
        const char *t = vals->v[names[i].f];
        if (!t[0])
            continue;
        if (translit_name_part(t, strlen(t), &st->translit, typed, sizeof typed) < 0)
            continue;
        char mrz[40];
        snprintf(mrz, sizeof mrz, "%s", names[i].mrz);
        for (char *c = mrz; *c; c++)
            if (*c == ' ')
                *c = '<';
        /* A long name may be cut in the passport MRZ: compare the printed part. */
        if (strncmp(typed, mrz, strlen(mrz)) || (strlen(typed) > strlen(mrz) && strlen(mrz) < 30))
            add_error(errs, app_fields[names[i].f].name, "mrz_mismatch",
                      "differs from the passport MRZ");
    }
}

void app_check(const struct app_values *vals, enum app_step step, const struct policy_state *st,
               const struct policy_visa_type *vt, const struct policy_track *track, time_t now,
               struct app_errors *errs)
{
    for (int f = 0; f < F__MAX; f++)
        if (in_step((enum app_field)f, step) && app_fields[f].required && !vals->v[f][0])
            add_error(errs, app_fields[f].name, "required", "this field is required");
    int64_t today = day_of_time(now);

    if (in_step(F_MRZ_LINE1, step) && (vals->v[F_MRZ_LINE1][0] || vals->v[F_MRZ_LINE2][0])) {
        struct mrz_parsed p;
        const char *l1 = vals->v[F_MRZ_LINE1], *l2 = vals->v[F_MRZ_LINE2];
        if (!l1[0] || !l2[0])
            add_error(errs, l1[0] ? "mrz_line2" : "mrz_line1", "required",
                      "both MRZ lines are needed");
        else if (mrz_parse(l1, strlen(l1), l2, strlen(l2), &p) < 0 || p.format != MRZ_FORMAT_TD3)
            add_error(errs, "mrz_line1", "mrz_invalid", "not a passport (TD3) MRZ");
        else if (!p.valid)
            add_error(errs, "mrz_line2", "mrz_invalid", "a check digit of the MRZ is wrong");
        else
            check_against_mrz(vals, &p, st, errs);
    }
    if (in_step(F_NATIONALITY, step) && vals->v[F_NATIONALITY][0] &&
        !policy_nationality_eligible(st, vals->v[F_NATIONALITY]))
        add_error(errs, "nationality", "not_eligible",
                  "citizens of this country cannot apply for this visa online");
    int64_t dob = day_of(vals->v[F_DATE_OF_BIRTH]);
    if (in_step(F_DATE_OF_BIRTH, step) && dob != INT64_MIN && dob >= today)
        add_error(errs, "date_of_birth", "date_not_past", "must be in the past");
    int64_t issued = day_of(vals->v[F_PASSPORT_ISSUE_DATE]);
    int64_t expiry = day_of(vals->v[F_PASSPORT_EXPIRY]);
    if (in_step(F_PASSPORT_ISSUE_DATE, step) && issued != INT64_MIN &&
        (issued > today || (dob != INT64_MIN && issued < dob)))
        add_error(errs, "passport_issue_date", "bad_date",
                  "must be in the past and after the date of birth");
    if (in_step(F_PASSPORT_EXPIRY, step) && expiry != INT64_MIN) {
        /* The visa ends validity_days after its issue, at the earliest at the
         * deadline; the passport must outlast it by the policy's months. */
        int64_t visa_end = day_of_time(app_deadline(track, now)) + (vt ? vt->validity_days : 0);
        if (expiry <= today)
            add_error(errs, "passport_expiry", "passport_expired", "the passport has expired");
        else if (expiry < add_months_days(visa_end, st->passport_min_validity_months))
            add_error(errs, "passport_expiry", "passport_too_short",
                      "the passport must be valid longer after the visa ends");
    }
    int64_t arrival = day_of(vals->v[F_ARRIVAL_DATE]);
    int64_t departure = day_of(vals->v[F_DEPARTURE_DATE]);
    if (in_step(F_ARRIVAL_DATE, step) && arrival != INT64_MIN) {
        if (arrival < today)
            add_error(errs, "arrival_date", "arrival_in_past", "must not be in the past");
        else if (arrival < day_of_time(app_deadline(track, now)))
            add_error(errs, "arrival_date", "arrival_too_soon",
                      "is earlier than the processing time allows");
    }
    if (in_step(F_DEPARTURE_DATE, step) && arrival != INT64_MIN && departure != INT64_MIN) {
        if (departure < arrival)
            add_error(errs, "departure_date", "departure_before_arrival",
                      "must be on or after the arrival date");
        else if (vt && departure - arrival + 1 > vt->stay_days)
            add_error(errs, "departure_date", "stay_too_long",
                      "the stay is longer than this visa allows");
    }
}

/* ---- MRZ prefill and name ------------------------------------------------- */

static void put(struct app_values *vals, enum app_field f, const char *value)
{
    if (!vals->v[f][0])
        snprintf(vals->v[f], sizeof vals->v[f], "%s", value);
}

/* YYMMDD to YYYY-MM-DD; birth dates take the most recent past century,
 * expiry dates the 2000s. */
static void mrz_date_to_iso(const char *yymmdd, bool birth, time_t now, char out[11])
{
    struct tm tm;
    gmtime_r(&now, &tm);
    int yy = (yymmdd[0] - '0') * 10 + (yymmdd[1] - '0');
    int year = 2000 + yy;
    if (birth && year > tm.tm_year + 1900)
        year -= 100;
    snprintf(out, 11, "%04d-%.2s-%.2s", year % 10000, yymmdd + 2, yymmdd + 4);
}

int app_prefill_from_mrz(struct app_values *vals, time_t now)
{
    const char *l1 = vals->v[F_MRZ_LINE1], *l2 = vals->v[F_MRZ_LINE2];
    struct mrz_parsed p;
    int rc = mrz_parse(l1, strlen(l1), l2, strlen(l2), &p);
    if (rc < 0)
        return rc;
    if (p.format != MRZ_FORMAT_TD3)
        return -ICAO_E_BAD_FIELD;
    char iso[11];
    put(vals, F_SURNAME, p.primary);
    put(vals, F_GIVEN_NAMES, p.secondary);
    put(vals, F_SEX, p.sex[0] == '<' ? "X" : p.sex);
    if (all_in(p.birth, "09")) {
        mrz_date_to_iso(p.birth, true, now, iso);
        put(vals, F_DATE_OF_BIRTH, iso);
    }
    char nat[4];
    snprintf(nat, sizeof nat, "%s", p.nationality);
    if (all_in(nat, "AZ"))
        put(vals, F_NATIONALITY, nat);
    put(vals, F_PASSPORT_NUMBER, p.number);
    if (all_in(p.expiry, "09")) {
        mrz_date_to_iso(p.expiry, false, now, iso);
        put(vals, F_PASSPORT_EXPIRY, iso);
    }
    return 0;
}

int app_mrz_name(const struct app_values *vals, const struct policy_state *st, char out[40],
                 bool *truncated)
{
    size_t width = mrz_formats[st->mrv_format].name_width;
    char primary[128], secondary[128];
    const char *l1 = vals->v[F_MRZ_LINE1], *l2 = vals->v[F_MRZ_LINE2];
    struct mrz_parsed p;
    if (l1[0] && l2[0] && mrz_parse(l1, strlen(l1), l2, strlen(l2), &p) == 0 &&
        p.format == MRZ_FORMAT_TD3 && p.valid) {
        /* The passport's own MRZ name field, re-fitted to the visa's width. */
        snprintf(primary, sizeof primary, "%s", p.primary);
        snprintf(secondary, sizeof secondary, "%s", p.secondary);
        for (char *c = primary; *c; c++)
            *c = *c == ' ' ? '<' : *c;
        for (char *c = secondary; *c; c++)
            *c = *c == ' ' ? '<' : *c;
    } else {
        const char *s = vals->v[F_SURNAME], *g = vals->v[F_GIVEN_NAMES];
        int rc = translit_name_part(s, strlen(s), &st->translit, primary, sizeof primary);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return -ICAO_E_EMPTY;
        rc = translit_name_part(g, strlen(g), &st->translit, secondary, sizeof secondary);
        if (rc < 0)
            return rc;
    }
    int cut = mrz_fit_name(primary, secondary, width, out);
    if (truncated)
        *truncated = cut != 0;
    return 0;
}

/* ---- JSON ------------------------------------------------------------------ */

char *app_values_to_json(const struct app_values *vals)
{
    json_t *o = json_object();
    for (int f = 0; f < F__MAX; f++)
        if (vals->v[f][0])
            json_object_set_new(o, app_fields[f].name, json_string(vals->v[f]));
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return s;
}

int app_values_from_json(const char *text, struct app_values *vals, bool lenient,
                         struct app_errors *errs)
{
    json_error_t je;
    json_t *o = json_loads(text ? text : "{}", JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(o)) {
        json_decref(o);
        add_error(errs, "", "bad_format", "fields must be a JSON object");
        return -1;
    }
    const char *key;
    json_t *val;
    json_object_foreach(o, key, val)
    {
        int f = app_field_from_name(key);
        if (f < 0) {
            if (!lenient)
                add_error(errs, key, "unknown_field", "not a field of the application");
            continue;
        }
        if (json_is_null(val)) {
            vals->v[f][0] = '\0';
            continue;
        }
        if (!json_is_string(val)) {
            add_error(errs, key, "bad_format", "must be a string");
            continue;
        }
        app_set_field(vals, (enum app_field)f, json_string_value(val), json_string_length(val),
                      errs);
    }
    json_decref(o);
    return 0;
}

/* ---- references and tokens ------------------------------------------------ */

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static int crockford_value(char c)
{
    const char *p = strchr(crockford, c);
    return c && p ? (int)(p - crockford) : -1;
}

static char ref_check(const char *chars, size_t n)
{
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = sum * 7u + (unsigned)crockford_value(chars[i]) + 1u;
    return crockford[sum % 32u];
}

int app_new_reference(const char *state, char out[24])
{
    unsigned char rnd[7];
    if (RAND_bytes(rnd, sizeof rnd) != 1)
        return -1;
    char c[8];
    for (int i = 0; i < 7; i++)
        c[i] = crockford[rnd[i] % 32];
    c[7] = ref_check(c, 7);
    snprintf(out, 24, "%.3s-%.4s-%.4s", state, c, c + 4);
    return 0;
}

bool app_reference_valid(const char *ref)
{
    if (!ref || strlen(ref) != 13 || ref[3] != '-' || ref[8] != '-')
        return false;
    for (int i = 0; i < 3; i++)
        if (ref[i] < 'A' || ref[i] > 'Z')
            return false;
    char c[8];
    memcpy(c, ref + 4, 4);
    memcpy(c + 4, ref + 9, 4);
    for (int i = 0; i < 8; i++)
        if (crockford_value(c[i]) < 0)
            return false;
    return ref_check(c, 7) == c[7];
}

int app_new_token(char out[48])
{
    unsigned char rnd[32];
    if (RAND_bytes(rnd, sizeof rnd) != 1)
        return -1;
    base64url_encode(rnd, sizeof rnd, out, 48);
    return 0;
}

void app_token_hash(const char *token, char out[65])
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(token, strlen(token), md, &len, EVP_sha256(), NULL);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}
