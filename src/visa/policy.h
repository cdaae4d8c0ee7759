/*
 * policy.h — an issuing state's visa policy, read from
 * config/states/<STATE>.json: the visa types it issues (validity, stay,
 * entries, processing tracks with fees and times), which nationalities may
 * apply, required documents, MRV format and transliteration profile.
 * Loading is strict: an invalid file is rejected with the file, the field
 * (a JSON path such as "visa_types[1].tracks[0].fee_minor") and the reason.
 * A loaded policy set is immutable and shared read-only by all threads.
 */
#ifndef EVISA_POLICY_H
#define EVISA_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "icao/mrz.h"

#define POLICY_MAX_STATES 16
#define POLICY_MAX_TYPES 16
#define POLICY_MAX_TRACKS 4
#define POLICY_MAX_NATIONALITIES 256
#define POLICY_MAX_DOCUMENTS 8
#define POLICY_ID_MAX 32                 /* ids: [a-z0-9-], 1..31 chars */
#define POLICY_TEXT_MAX 512              /* one translated text, UTF-8 bytes */
#define POLICY_CONFIG_MAX (256u * 1024u) /* largest config file */
#define POLICY_SCHEMA_VERSION 1          /* the "schema" value this loader accepts */
#define POLICY_DAYS_MAX 3650     /* validity_days, stay_days, processing_working_days: 1..this */
#define POLICY_HOURS_MAX 8760    /* processing_hours: 1..this */
#define POLICY_FEE_MAX 100000000 /* fee_minor: 0..this (1,000,000.00 in a 2-decimal currency) */
#define POLICY_MONTHS_MAX 120    /* passport_min_validity_months: 0..this */

/* The languages every text is given in; the index of lang_codes. */
enum policy_lang { LANG_EN, LANG_AZ, LANG_UR, LANG__MAX };
extern const char *const policy_lang_codes[LANG__MAX]; /* "en", "az", "ur" */

/* A text in every language ("name": {"en": ..., "az": ..., "ur": ...}). */
struct policy_text {
    char text[LANG__MAX][POLICY_TEXT_MAX];
};

/* Documents an applicant uploads. */
enum policy_document { DOC_PHOTO, DOC_PASSPORT_PAGE, DOC__MAX };
extern const char *const policy_document_ids[DOC__MAX]; /* "photo", "passport_page" */

struct policy_track {
    char id[POLICY_ID_MAX]; /* "standard", "urgent" */
    struct policy_text name;
    int64_t fee_minor;           /* in the currency's minor unit (cents) */
    int processing_hours;        /* urgent: calendar hours (0 if counted in working days) */
    int processing_working_days; /* standard: working days (0 if counted in hours) */
    bool fee_unconfirmed;        /* the fee is demo data, not confirmed by an official source */
    char note[POLICY_TEXT_MAX];  /* for operators (English, never shown to applicants); may be "" */
};

/* A reason a state may give for refusing a visa: a stable code and the text
 * the applicant reads in their language. */
#define POLICY_MAX_REASONS 16
struct policy_reason {
    char code[POLICY_ID_MAX];
    struct policy_text text;
};

struct policy_visa_type {
    char id[POLICY_ID_MAX]; /* "tourist-e", "business", ... */
    struct policy_text name;
    struct policy_text description;
    int entries;           /* 0 = multiple / unlimited */
    int validity_days;     /* from issue */
    int stay_days;         /* per entry */
    uint8_t vds_visa_type; /* byte for VDS tag 0x06 */
    struct policy_track tracks[POLICY_MAX_TRACKS];
    size_t n_tracks;
    bool documents[DOC__MAX]; /* required uploads */
    bool four_eyes_approve;   /* an approval needs a second officer ("four_eyes": ["approve"]) */
    bool four_eyes_refuse;    /* a refusal needs a second officer */
    bool unconfirmed;         /* some value is UNCONFIRMED in policy-facts */
    char unconfirmed_note[POLICY_TEXT_MAX]; /* "" unless unconfirmed */
    char note[POLICY_TEXT_MAX]; /* for operators (English, never shown to applicants); may be "" */
};

struct policy_state {
    char code[4]; /* "AZE" */
    struct policy_text name;
    char currency[4];           /* "USD" */
    enum mrz_format mrv_format; /* MRZ_FORMAT_MRV_A or MRZ_FORMAT_MRV_B */
    struct translit_profile translit;
    int passport_min_validity_months;                /* beyond the visa's end */
    char nationalities[POLICY_MAX_NATIONALITIES][4]; /* eligible, e.g. "PAK" */
    /* nationality_unconfirmed[i]: nationalities[i] is eligible in this demo
     * configuration but not confirmed by policy-facts (review before use). */
    bool nationality_unconfirmed[POLICY_MAX_NATIONALITIES];
    size_t n_nationalities;
    struct policy_visa_type types[POLICY_MAX_TYPES];
    size_t n_types;
    struct policy_text official_portal_notice; /* e.g. "The only official portal is ..." */
    struct policy_reason refusal_reasons[POLICY_MAX_REASONS]; /* "refusal_reasons" */
    size_t n_reasons;
    char note[POLICY_TEXT_MAX]; /* for operators (English, never shown to applicants); may be "" */
};

struct policy_set {
    struct policy_state states[POLICY_MAX_STATES];
    size_t n_states;
};

/* Why loading failed: file, JSON path of the field, reason (English).
 * field is "$" when the whole file is at fault (unreadable, too large, not
 * JSON, invalid UTF-8, duplicate key), else a path such as "visa_types[0].
 * tracks[1].fee_minor" or "name.ur".  Over-long unknown keys are cut. */
struct policy_error {
    char file[256];
    char field[128];
    char reason[256];
};

/* Loads every *.json in dir (sorted by name, byte order; names starting with
 * '.' are skipped).  Each file's "code" must equal its name without ".json"
 * (AZE.json <-> "AZE"); no state may appear twice; the dir must hold 1 to
 * POLICY_MAX_STATES files.  Returns 0, or -1 with *err filled (err may be
 * NULL).  The policy_set is large: allocate it on the heap. */
int policy_load_dir(const char *dir, struct policy_set *set, struct policy_error *err);

/* Loads one state's JSON text (file names it in errors; NULL -> "(input)";
 * text need not be NUL-terminated).  Strict: see docs/policy.md for every
 * key, type and limit.  0, or -1 with *err filled (err may be NULL) and *st
 * zeroed. */
int policy_load_json(const char *text, size_t len, const char *file, struct policy_state *st,
                     struct policy_error *err);

/* Lookups by exact code / id; NULL when absent (or when an argument is NULL). */
const struct policy_state *policy_find_state(const struct policy_set *set, const char *code);
const struct policy_visa_type *policy_find_type(const struct policy_state *st, const char *id);
const struct policy_track *policy_find_track(const struct policy_visa_type *t, const char *id);
const struct policy_reason *policy_find_reason(const struct policy_state *st, const char *code);

/* Whether a 3-letter nationality code (case-insensitive) may apply to st. */
bool policy_nationality_eligible(const struct policy_state *st, const char *nationality);

#endif
