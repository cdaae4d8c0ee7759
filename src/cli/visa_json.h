/*
 * visa_json.h — reading the visa fields of the CLI's JSON input (shared by
 * `evisa mrz visa` and `evisa seal sign`) and writing MRZ results as JSON.
 * Field names are a contract: document_code, issuing_state,
 * primary_identifier, secondary_identifier, document_number, nationality,
 * date_of_birth (YYYY-MM-DD, XX for unknown parts), sex (M/F/X),
 * valid_until (YYYY-MM-DD), optional_data, umlaut, schwa.
 */
#ifndef EVISA_VISA_JSON_H
#define EVISA_VISA_JSON_H

#include <jansson.h>

#include "icao/mrz.h"

/* Strings backing a struct mrv_input (it points into this). */
struct visa_json {
    struct mrv_input mrv;
    char birth[7];
    char expiry[7];
};

/* Fills v from obj.  extra_keys is a NULL-terminated list of further keys
 * the caller reads itself (others are rejected as unknown).  On error prints
 * the CLI error line and returns the exit code (CLI_MALFORMED); 0 on success. */
int visa_json_read(json_t *obj, const char *const *extra_keys, struct visa_json *v);

/* Parses stdin as one JSON object; prints the error and returns NULL if it
 * is not. */
json_t *visa_json_read_stdin(void);

/* Reports a failed mrz_build_visa() as a CLI error line; returns CLI_MALFORMED. */
int visa_json_build_error(int rc, const struct mrz_build_error *err);

/* The JSON of a parsed MRZ: {"format","valid","fields":{...},"check_digits":{...}}. */
json_t *visa_json_parsed_mrz(const struct mrz_parsed *p);

/* Prints j (pretty, key order kept) to stdout and drops the reference. */
void visa_json_print(json_t *j);

/* Converts "YYYY-MM-DD" (XX allowed for month/day when allow_unknown) to MRZ
 * YYMMDD; returns 0 or -ICAO_E_BAD_DATE. */
int visa_json_date_to_mrz(const char *iso, int allow_unknown, char out[7]);

#endif
