/*
 * visa_json.c — the visa fields of the CLI's JSON input and the JSON of
 * parsed MRZs.  Strict: unknown keys, wrong types and impossible values are
 * reported with the field's name.
 */
#include "cli/visa_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "icao/icao_err.h"
#include "icao/vds_date.h"

static const char *const visa_keys[] = {"document_code",
                                        "issuing_state",
                                        "primary_identifier",
                                        "secondary_identifier",
                                        "document_number",
                                        "nationality",
                                        "date_of_birth",
                                        "sex",
                                        "valid_until",
                                        "optional_data",
                                        "umlaut",
                                        "schwa",
                                        NULL};

static bool in_list(const char *key, const char *const *list)
{
    for (; list && *list; list++)
        if (!strcmp(key, *list))
            return true;
    return false;
}

json_t *visa_json_read_stdin(void)
{
    size_t n;
    char *buf = cli_read_stdin(&n);
    if (!buf)
        return NULL;
    json_error_t e;
    json_t *j = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &e);
    free(buf);
    if (!j) {
        cli_error(CLI_MALFORMED, "bad_json", "line %d: %s", e.line, e.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        cli_error(CLI_MALFORMED, "bad_json", "the input must be one JSON object");
        return NULL;
    }
    return j;
}

int visa_json_date_to_mrz(const char *iso, int allow_unknown, char out[7])
{
    if (!iso || strlen(iso) != 10 || iso[4] != '-' || iso[7] != '-')
        return -ICAO_E_BAD_DATE;
    for (int i = 0; i < 4; i++)
        if (iso[i] < '0' || iso[i] > '9')
            return -ICAO_E_BAD_DATE;
    bool month_unknown = !memcmp(iso + 5, "XX", 2), day_unknown = !memcmp(iso + 8, "XX", 2);
    if ((month_unknown || day_unknown) && !allow_unknown)
        return -ICAO_E_BAD_DATE;
    if (month_unknown && !day_unknown)
        return -ICAO_E_BAD_DATE;
    struct vds_date d;
    char probe[11];
    memcpy(probe, iso, 11);
    if (month_unknown)
        memcpy(probe + 5, "01", 2);
    if (day_unknown)
        memcpy(probe + 8, "01", 2);
    if (vds_date_parse_iso(probe, 10, &d) < 0)
        return -ICAO_E_BAD_DATE;
    out[0] = iso[2], out[1] = iso[3];
    memcpy(out + 2, month_unknown ? "<<" : iso + 5, 2);
    memcpy(out + 4, day_unknown ? "<<" : iso + 8, 2);
    out[6] = '\0';
    return 0;
}

static int field_error(const char *key, const char *what)
{
    return cli_error(CLI_MALFORMED, "bad_field", "%s: %s", key, what);
}

/* A string member or NULL; *bad set when present but not a string. */
static const char *get_str(json_t *obj, const char *key, bool *bad)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        *bad = true;
        return NULL;
    }
    return json_string_value(v);
}

int visa_json_read(json_t *obj, const char *const *extra_keys, struct visa_json *v)
{
    const char *key;
    json_t *val;
    memset(v, 0, sizeof *v);
    json_object_foreach(obj, key, val)
    {
        if (!in_list(key, visa_keys) && !in_list(key, extra_keys))
            return cli_error(CLI_MALFORMED, "unknown_field", "%s: not a known field", key);
    }
    for (const char *const *k = visa_keys; *k; k++) {
        bool bad = false;
        get_str(obj, *k, &bad);
        if (bad)
            return field_error(*k, "must be a string");
    }
    bool bad = false;
    struct mrv_input *m = &v->mrv;
    m->document_code = get_str(obj, "document_code", &bad);
    m->issuing_state = get_str(obj, "issuing_state", &bad);
    m->primary = get_str(obj, "primary_identifier", &bad);
    m->secondary = get_str(obj, "secondary_identifier", &bad);
    m->number = get_str(obj, "document_number", &bad);
    m->nationality = get_str(obj, "nationality", &bad);
    m->optional = get_str(obj, "optional_data", &bad);
    static const char *const required[] = {"issuing_state", "primary_identifier", "document_number",
                                           "nationality",   "date_of_birth",      "sex",
                                           "valid_until"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!get_str(obj, required[i], &bad))
            return cli_error(CLI_MALFORMED, "missing_field", "%s: required", required[i]);

    const char *sex = get_str(obj, "sex", &bad);
    if (strlen(sex) != 1 || !strchr("MFX<", sex[0]))
        return field_error("sex", "must be M, F or X");
    m->sex = sex[0];
    if (visa_json_date_to_mrz(get_str(obj, "date_of_birth", &bad), 1, v->birth) < 0)
        return field_error("date_of_birth", "must be YYYY-MM-DD (XX for an unknown month or day)");
    if (visa_json_date_to_mrz(get_str(obj, "valid_until", &bad), 0, v->expiry) < 0)
        return field_error("valid_until", "must be a date YYYY-MM-DD");
    m->birth = v->birth;
    m->expiry = v->expiry;

    m->profile = TRANSLIT_PROFILE_DEFAULT;
    const char *umlaut = get_str(obj, "umlaut", &bad), *schwa = get_str(obj, "schwa", &bad);
    if (umlaut) {
        if (strcmp(umlaut, "expand") && strcmp(umlaut, "plain"))
            return field_error("umlaut", "must be \"expand\" or \"plain\"");
        m->profile.umlaut_expand = !strcmp(umlaut, "expand");
    }
    if (schwa) {
        if (strcmp(schwa, "A") && strcmp(schwa, "E"))
            return field_error("schwa", "must be \"A\" or \"E\"");
        m->profile.schwa = schwa[0];
    }
    return 0;
}

int visa_json_build_error(int rc, const struct mrz_build_error *err)
{
    return cli_error(CLI_MALFORMED, icao_err_code(rc), "%s: %s",
                     err && err->field ? err->field : "input", icao_err_message(rc));
}

json_t *visa_json_parsed_mrz(const struct mrz_parsed *p)
{
    bool td3 = p->format == MRZ_FORMAT_TD3;
    json_t *fields =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "document_code",
                  p->document_code, "issuing_state", p->issuing_state, "primary_identifier",
                  p->primary, "secondary_identifier", p->secondary, "document_number", p->number,
                  "nationality", p->nationality, "date_of_birth", p->birth, "sex", p->sex,
                  td3 ? "date_of_expiry" : "valid_until", p->expiry, "optional_data", p->optional);
    json_t *checks = json_object();
    for (int c = 0; c < MRZ_CHECK__MAX; c++)
        if (p->check_present[c])
            json_object_set_new(checks, mrz_check_names[c], json_boolean(p->check_ok[c]));
    return json_pack("{s:s, s:b, s:o, s:o}", "format", mrz_formats[p->format].name, "valid",
                     p->valid, "fields", fields, "check_digits", checks);
}

void visa_json_print(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s) {
        puts(s);
        free(s);
    }
    json_decref(j);
}
