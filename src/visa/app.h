/*
 * app.h — the visa application: its statuses and the transitions allowed
 * between them, the declared table of form fields (name, step, validator,
 * limits) that every input passes before any handler sees it, cross-field
 * checks against the issuing state's policy, and the name as it will print
 * in the visa MRZ.  Pure logic: no I/O; the store persists it.
 */
#ifndef EVISA_APP_H
#define EVISA_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "visa/policy.h"

enum app_status {
    APP_DRAFT,          /* being filled in; payment pending */
    APP_SUBMITTED,      /* paid and submitted: in the officers' queue */
    APP_IN_REVIEW,      /* an officer has it open */
    APP_INFO_REQUESTED, /* the applicant must fix or re-upload something */
    APP_APPROVED,
    APP_ISSUED,
    APP_REFUSED,
    APP_REVOKED,
    APP_WITHDRAWN,
    APP_EXPIRED,
    APP__MAX
};
extern const char *const app_status_names[APP__MAX]; /* "draft", "submitted", ... */

/* -1 when name is not a status. */
int app_status_from_name(const char *name);

/* Whether the state machine allows from -> to. */
bool app_transition_allowed(enum app_status from, enum app_status to);

/* The form is filled in steps; each field belongs to one. */
enum app_step {
    STEP_PASSPORT,
    STEP_PERSONAL,
    STEP_TRAVEL,
    STEP_CONTACT,
    STEP_DECLARATIONS,
    STEP__MAX
};
extern const char *const app_step_names[STEP__MAX]; /* "passport", "personal", ... */

enum app_field {
    F_MRZ_LINE1, /* passport MRZ, optional: when given it is parsed and cross-checked */
    F_MRZ_LINE2,
    F_SURNAME, /* as in the passport; UTF-8 */
    F_GIVEN_NAMES,
    F_SEX,           /* M F X */
    F_DATE_OF_BIRTH, /* YYYY-MM-DD */
    F_PLACE_OF_BIRTH,
    F_NATIONALITY, /* ICAO 3-letter code */
    F_PASSPORT_NUMBER,
    F_PASSPORT_ISSUE_DATE,
    F_PASSPORT_EXPIRY,
    F_OCCUPATION,
    F_HOME_ADDRESS,
    F_ARRIVAL_DATE,
    F_DEPARTURE_DATE,
    F_ADDRESS_IN_COUNTRY, /* hotel or host address */
    F_EMAIL,
    F_PHONE,
    F_DECL_TRUTH, /* "yes" */
    F_DECL_TERMS, /* "yes" */
    F__MAX
};

enum app_validator {
    V_TEXT,     /* printable UTF-8, no control characters */
    V_NAME,     /* letters of a supported script, spaces, hyphens, apostrophes; transliterable */
    V_MRZ_LINE, /* 44 characters A-Z 0-9 < (upper-cased, spaces removed) */
    V_SEX,
    V_DATE,       /* YYYY-MM-DD, a real date */
    V_COUNTRY,    /* 3 letters A-Z (upper-cased) */
    V_DOC_NUMBER, /* 1-9 of A-Z 0-9 (upper-cased, spaces removed) */
    V_EMAIL,
    V_PHONE, /* + and 7-15 digits; spaces, dashes, parentheses removed */
    V_YES,   /* a ticked declaration: "yes" */
    V__MAX
};

struct app_field_def {
    const char *name; /* form and JSON key, e.g. "date_of_birth" */
    enum app_step step;
    enum app_validator validator;
    size_t max_len; /* bytes after normalisation */
    bool required;
};
extern const struct app_field_def app_fields[F__MAX];

/* -1 when name is not a field. */
int app_field_from_name(const char *name);

#define APP_VALUE_MAX 512 /* largest field value in bytes, plus NUL */

/* Field values; "" = not given.  Values are normalised by app_set_field. */
struct app_values {
    char v[F__MAX][APP_VALUE_MAX + 1];
};

/* One validation error: the field (or "" for the whole form), a stable
 * code (i18n key "err.<code>"), and an English detail for logs/APIs. */
struct app_error {
    char field[32];
    char code[32];
    char detail[160];
};
#define APP_MAX_ERRORS F__MAX

struct app_errors {
    struct app_error e[APP_MAX_ERRORS];
    size_t n;
};

/* Validates and normalises one value into vals (on error the raw value is
 * still stored, so nothing typed is lost, and an error is added).
 * Codes: too_long, bad_utf8, bad_chars, bad_format, bad_date, bad_email,
 * bad_phone, unmapped_char, must_accept. */
void app_set_field(struct app_values *vals, enum app_field f, const char *value, size_t len,
                   struct app_errors *errs);

/* Cross-field and policy checks of the fields of one step (or of all steps
 * with step == STEP__MAX), at time now (UTC).  Adds errors such as:
 * required, not_eligible (nationality), mrz_invalid (check digits),
 * mrz_mismatch (MRZ vs typed field; field names the typed field),
 * date_not_past (birth), passport_expired, passport_too_short (must be valid
 * policy months beyond the visa's end), arrival_in_past, arrival_too_soon
 * (earlier than the processing time allows), departure_before_arrival,
 * stay_too_long (beyond the visa's stay). */
void app_check(const struct app_values *vals, enum app_step step, const struct policy_state *st,
               const struct policy_visa_type *vt, const struct policy_track *track, time_t now,
               struct app_errors *errs);

/* Fills fields from a passport MRZ (line 1 + line 2) where they are empty:
 * surname, given names, sex, date of birth (century resolved against now),
 * nationality, passport number, expiry.  Returns 0 or a negative icao_err. */
int app_prefill_from_mrz(struct app_values *vals, time_t now);

/* The name exactly as it will print in the visa MRZ name field for this
 * state's format: from the passport MRZ when given, else transliterated
 * with the state's profile.  out gets the field (39 or 31 characters, '<'
 * padded).  *truncated tells whether it was cut.  0 or a negative icao_err
 * (e.g. unmapped_char). */
int app_mrz_name(const struct app_values *vals, const struct policy_state *st, char out[40],
                 bool *truncated);

/* Values to and from a JSON object text (keys = field names; only non-empty
 * fields are written).  app_values_from_json ignores unknown keys only when
 * lenient, else adds an unknown_field error. */
char *app_values_to_json(const struct app_values *vals); /* malloc'd */
int app_values_from_json(const char *json, struct app_values *vals, bool lenient,
                         struct app_errors *errs);

/* The promised decision time for a submission at `at`: urgent tracks count
 * calendar hours, standard ones working days (Mon-Fri; holidays are policy
 * data for later). */
time_t app_deadline(const struct policy_track *track, time_t at);

/* A new reference like "AZE-7K3M-9QX2" (Crockford base32, random, last
 * character a check character) and an access token (43 characters
 * base64url of 32 random bytes).  0 or -1 if the RNG fails. */
int app_new_reference(const char *state, char out[24]);
bool app_reference_valid(const char *ref);
int app_new_token(char out[48]);

/* SHA-256 of a token as 64 lower-case hex characters (what the store keeps). */
void app_token_hash(const char *token, char out[65]);

#endif
