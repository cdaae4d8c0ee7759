/*
 * test_app.c — the application domain: field validators, cross-field and
 * policy checks, MRZ prefill and name preview, the state machine,
 * deadlines, references and tokens.
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>

#include "icao/icao_err.h"
#include "visa/app.h"

/* 2026-11-23 12:00 UTC, a Monday. */
#define NOW ((time_t)1795435200)

static struct policy_state *test_state(void)
{
    static struct policy_state st;
    memset(&st, 0, sizeof st);
    snprintf(st.code, sizeof st.code, "AZE");
    st.mrv_format = MRZ_FORMAT_MRV_A;
    st.translit = (struct translit_profile){false, 'A'};
    st.passport_min_validity_months = 3;
    snprintf(st.nationalities[0], 4, "PAK");
    snprintf(st.nationalities[1], 4, "TUR");
    st.n_nationalities = 2;
    struct policy_visa_type *t = &st.types[0];
    snprintf(t->id, sizeof t->id, "tourist-e");
    t->entries = 1, t->validity_days = 90, t->stay_days = 30;
    snprintf(t->tracks[0].id, POLICY_ID_MAX, "standard");
    t->tracks[0].processing_working_days = 3;
    snprintf(t->tracks[1].id, POLICY_ID_MAX, "urgent");
    t->tracks[1].processing_hours = 3;
    t->n_tracks = 2;
    st.n_types = 1;
    return &st;
}

static void set(struct app_values *v, enum app_field f, const char *s, struct app_errors *e)
{
    app_set_field(v, f, s, strlen(s), e);
}

static void fill_valid(struct app_values *v, struct app_errors *e)
{
    memset(v, 0, sizeof *v);
    set(v, F_SURNAME, "Khan", e);
    set(v, F_GIVEN_NAMES, "Imran Ahmed", e);
    set(v, F_SEX, "m", e);
    set(v, F_DATE_OF_BIRTH, "1979-10-03", e);
    set(v, F_NATIONALITY, "pak", e);
    set(v, F_PASSPORT_NUMBER, "ab 1234567", e);
    set(v, F_PASSPORT_ISSUE_DATE, "2024-01-15", e);
    set(v, F_PASSPORT_EXPIRY, "2029-01-15", e);
    set(v, F_PLACE_OF_BIRTH, "Lahore", e);
    set(v, F_HOME_ADDRESS, "12 Mall Road, Lahore", e);
    set(v, F_ARRIVAL_DATE, "2026-12-10", e);
    set(v, F_DEPARTURE_DATE, "2026-12-20", e);
    set(v, F_ADDRESS_IN_COUNTRY, "Hotel Caspian, Baku", e);
    set(v, F_EMAIL, "imran@example.com", e);
    set(v, F_PHONE, "+92 (300) 123-4567", e);
    set(v, F_DECL_TRUTH, "on", e);
    set(v, F_DECL_TERMS, "yes", e);
}

static const char *error_code(const struct app_errors *e, const char *field)
{
    for (size_t i = 0; i < e->n; i++)
        if (!strcmp(e->e[i].field, field))
            return e->e[i].code;
    return NULL;
}

static void check_all(const struct app_values *v, struct app_errors *e)
{
    struct policy_state *st = test_state();
    app_check(v, STEP__MAX, st, &st->types[0], &st->types[0].tracks[0], NOW, e);
}

TEST(app_complete_application_passes_every_check_and_is_normalised)
{
    struct app_values v;
    struct app_errors e = {0};
    fill_valid(&v, &e);
    check_all(&v, &e);
    for (size_t i = 0; i < e.n; i++)
        printf("  %s: %s\n", e.e[i].field, e.e[i].code);
    CHECK_INT(e.n, 0);
    CHECK_STR(v.v[F_SEX], "M");
    CHECK_STR(v.v[F_NATIONALITY], "PAK");
    CHECK_STR(v.v[F_PASSPORT_NUMBER], "AB1234567");
    CHECK_STR(v.v[F_PHONE], "+923001234567");
    CHECK_STR(v.v[F_DECL_TRUTH], "yes");
}

TEST(app_field_validators_reject_bad_values_and_keep_what_was_typed)
{
    struct {
        enum app_field f;
        const char *value, *code;
    } cases[] = {
        {F_DATE_OF_BIRTH, "1979-02-30", "bad_date"},
        {F_EMAIL, "imran@", "bad_email"},
        {F_PHONE, "call me", "bad_phone"},
        {F_SEX, "Q", "bad_format"},
        {F_NATIONALITY, "PA1", "bad_format"},
        {F_PASSPORT_NUMBER, "AB-12", "bad_format"},
        {F_SURNAME, "Khan2", "unmapped_char"},
        {F_DECL_TERMS, "no", "must_accept"},
        {F_PLACE_OF_BIRTH, "La\x01hore", "bad_chars"},
        {F_HOME_ADDRESS, "\xc0\xaf", "bad_utf8"},
        {F_MRZ_LINE1, "P<PAKKHAN", "bad_format"},
        {F_PASSPORT_NUMBER, "AB12345678", "too_long"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct app_values v = {0};
        struct app_errors e = {0};
        set(&v, cases[i].f, cases[i].value, &e);
        const char *name = app_fields[cases[i].f].name;
        CHECK_CTX(e.n == 1 && !strcmp(e.e[0].field, name) && !strcmp(e.e[0].code, cases[i].code),
                  cases[i].value);
        CHECK_CTX(!strcmp(v.v[cases[i].f], cases[i].value), name); /* nothing typed is lost */
    }
}

TEST(app_check_reports_missing_required_fields_of_one_step_only)
{
    struct app_values v = {0};
    struct app_errors e = {0};
    struct policy_state *st = test_state();
    app_check(&v, STEP_CONTACT, st, &st->types[0], &st->types[0].tracks[0], NOW, &e);
    CHECK_INT(e.n, 2);
    CHECK_STR(error_code(&e, "email"), "required");
    CHECK_STR(error_code(&e, "phone"), "required");
}

TEST(app_check_rejects_ineligible_nationality)
{
    struct app_values v;
    struct app_errors e = {0};
    fill_valid(&v, &e);
    set(&v, F_NATIONALITY, "XXX", &e);
    check_all(&v, &e);
    CHECK_STR(error_code(&e, "nationality"), "not_eligible");
}

TEST(app_check_applies_travel_and_passport_date_rules)
{
    struct {
        enum app_field f;
        const char *value, *field, *code;
    } cases[] = {
        {F_ARRIVAL_DATE, "2026-11-01", "arrival_date", "arrival_in_past"},
        {F_ARRIVAL_DATE, "2026-11-24", "arrival_date", "arrival_too_soon"},
        {F_DEPARTURE_DATE, "2026-12-01", "departure_date", "departure_before_arrival"},
        {F_DEPARTURE_DATE, "2027-01-20", "departure_date", "stay_too_long"},
        {F_PASSPORT_EXPIRY, "2026-11-01", "passport_expiry", "passport_expired"},
        {F_PASSPORT_EXPIRY, "2027-04-01", "passport_expiry", "passport_too_short"},
        {F_DATE_OF_BIRTH, "2030-01-01", "date_of_birth", "date_not_past"},
        {F_PASSPORT_ISSUE_DATE, "2027-01-01", "passport_issue_date", "bad_date"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct app_values v;
        struct app_errors e = {0};
        fill_valid(&v, &e);
        set(&v, cases[i].f, cases[i].value, &e);
        check_all(&v, &e);
        const char *got = error_code(&e, cases[i].field);
        CHECK_CTX(got && !strcmp(got, cases[i].code), cases[i].code);
    }
}

TEST(app_urgent_track_allows_arrival_tomorrow)
{
    struct app_values v;
    struct app_errors e = {0};
    fill_valid(&v, &e);
    set(&v, F_ARRIVAL_DATE, "2026-11-24", &e);
    set(&v, F_DEPARTURE_DATE, "2026-11-30", &e);
    struct policy_state *st = test_state();
    app_check(&v, STEP__MAX, st, &st->types[0], &st->types[0].tracks[1], NOW, &e);
    CHECK_INT(e.n, 0);
}

static const char *td3_l1 = "PPAK<KHAN<<IMRAN<AHMED<<<<<<<<<<<<<<<<<<<<<<";
static const char *td3_l2 = "AB12345671PAK7910030M29011563520212345671<98";

TEST(app_prefills_empty_fields_from_the_passport_mrz)
{
    struct app_values v = {0};
    struct app_errors e = {0};
    set(&v, F_MRZ_LINE1, td3_l1, &e);
    set(&v, F_MRZ_LINE2, td3_l2, &e);
    set(&v, F_SEX, "M", &e);
    CHECK_INT(app_prefill_from_mrz(&v, NOW), 0);
    CHECK_STR(v.v[F_SURNAME], "KHAN");
    CHECK_STR(v.v[F_GIVEN_NAMES], "IMRAN AHMED");
    CHECK_STR(v.v[F_DATE_OF_BIRTH], "1979-10-03");
    CHECK_STR(v.v[F_NATIONALITY], "PAK");
    CHECK_STR(v.v[F_PASSPORT_NUMBER], "AB1234567");
    CHECK_STR(v.v[F_PASSPORT_EXPIRY], "2029-01-15");
}

TEST(app_check_cross_checks_typed_fields_against_the_mrz)
{
    struct app_values v;
    struct app_errors e = {0};
    fill_valid(&v, &e);
    set(&v, F_MRZ_LINE1, td3_l1, &e);
    set(&v, F_MRZ_LINE2, td3_l2, &e);
    check_all(&v, &e);
    CHECK_INT(e.n, 0);
    struct app_errors e2 = {0};
    set(&v, F_PASSPORT_NUMBER, "AB1234568", &e2);
    set(&v, F_GIVEN_NAMES, "Imran Ahmad", &e2);
    check_all(&v, &e2);
    CHECK_STR(error_code(&e2, "passport_number"), "mrz_mismatch");
    CHECK_STR(error_code(&e2, "given_names"), "mrz_mismatch");
    struct app_errors e3 = {0};
    char bad[45];
    snprintf(bad, sizeof bad, "%s", td3_l2);
    bad[9] = '2'; /* wrong document number check digit */
    set(&v, F_MRZ_LINE2, bad, &e3);
    check_all(&v, &e3);
    CHECK_STR(error_code(&e3, "mrz_line2"), "mrz_invalid");
}

TEST(app_mrz_name_prefers_the_passport_mrz_over_transliteration)
{
    struct app_values v = {0};
    struct app_errors e = {0};
    struct policy_state *st = test_state();
    set(&v, F_SURNAME, "Məmmədov", &e);
    set(&v, F_GIVEN_NAMES, "Əli", &e);
    char name[40];
    bool cut = true;
    CHECK_INT(app_mrz_name(&v, st, name, &cut), 0);
    CHECK_STR(name, "MAMMADOV<<ALI<<<<<<<<<<<<<<<<<<<<<<<<<<");
    CHECK(!cut);
    set(&v, F_MRZ_LINE1, "PAZE<MEMMEDOV<<ELI<<<<<<<<<<<<<<<<<<<<<<<<<<", &e);
    set(&v, F_MRZ_LINE2, "C023456785AZE8504124M3104116<<<<<<<<<<<<<<<8", &e);
    /* The passport spells it differently: the passport wins. */
    CHECK_INT(app_mrz_name(&v, st, name, &cut), 0);
    CHECK_STR(name, "MEMMEDOV<<ELI<<<<<<<<<<<<<<<<<<<<<<<<<<");
    st->mrv_format = MRZ_FORMAT_MRV_B;
    CHECK_INT(app_mrz_name(&v, st, name, &cut), 0);
    CHECK_STR(name, "MEMMEDOV<<ELI<<<<<<<<<<<<<<<<<<");
}

TEST(app_mrz_name_reports_untransliterable_names)
{
    struct app_values v = {0};
    struct policy_state *st = test_state();
    snprintf(v.v[F_SURNAME], sizeof v.v[F_SURNAME], "%s", "\xce\xa3\xcf\x89"); /* Greek */
    char name[40];
    CHECK_INT(app_mrz_name(&v, st, name, NULL), -ICAO_E_UNMAPPED_CHAR);
}

TEST(app_state_machine_allows_only_declared_transitions)
{
    CHECK(app_transition_allowed(APP_DRAFT, APP_SUBMITTED));
    CHECK(app_transition_allowed(APP_INFO_REQUESTED, APP_SUBMITTED));
    CHECK(app_transition_allowed(APP_APPROVED, APP_ISSUED));
    CHECK(!app_transition_allowed(APP_DRAFT, APP_APPROVED));
    CHECK(!app_transition_allowed(APP_REFUSED, APP_APPROVED));
    CHECK(!app_transition_allowed(APP_ISSUED, APP_DRAFT));
    CHECK_INT(app_status_from_name("info_requested"), APP_INFO_REQUESTED);
    CHECK_INT(app_status_from_name("nope"), -1);
    for (int s = 0; s < APP__MAX; s++)
        CHECK_INT(app_status_from_name(app_status_names[s]), s);
}

TEST(app_deadline_counts_working_days_or_calendar_hours)
{
    struct policy_track standard = {.processing_working_days = 3};
    struct policy_track urgent = {.processing_hours = 3};
    time_t friday = NOW + 4 * 86400; /* 2026-11-27 12:00 */
    CHECK_INT(app_deadline(&standard, NOW), NOW + 3 * 86400);
    CHECK_INT(app_deadline(&standard, friday), friday + 5 * 86400); /* Mon, Tue, Wed */
    CHECK_INT(app_deadline(&urgent, friday), friday + 3 * 3600);
}

TEST(app_references_carry_a_check_character)
{
    char ref[24];
    CHECK_INT(app_new_reference("PAK", ref), 0);
    CHECK(app_reference_valid(ref));
    CHECK(!strncmp(ref, "PAK-", 4));
    char bad[24];
    snprintf(bad, sizeof bad, "%s", ref);
    bad[5] = bad[5] == 'A' ? 'B' : 'A';
    CHECK(!app_reference_valid(bad));
    CHECK(!app_reference_valid("PAK-0000-000"));
    CHECK(!app_reference_valid("pak-AAAA-AAAA"));
    char again[24];
    CHECK_INT(app_new_reference("PAK", again), 0);
    CHECK(strcmp(ref, again) != 0);
}

TEST(app_tokens_are_random_and_stored_as_hashes)
{
    char a[48], b[48], ha[65];
    CHECK_INT(app_new_token(a), 0);
    CHECK_INT(app_new_token(b), 0);
    CHECK_INT(strlen(a), 43);
    CHECK(strcmp(a, b) != 0);
    app_token_hash("abc", ha);
    CHECK_STR(ha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(app_values_round_trip_through_json_and_reject_unknown_keys)
{
    struct app_values v, w = {0};
    struct app_errors e = {0};
    fill_valid(&v, &e);
    char *json = app_values_to_json(&v);
    CHECK(json != NULL);
    CHECK_INT(app_values_from_json(json, &w, false, &e), 0);
    free(json);
    CHECK_INT(e.n, 0);
    for (int f = 0; f < F__MAX; f++)
        CHECK_CTX(!strcmp(v.v[f], w.v[f]), app_fields[f].name);
    struct app_errors e2 = {0};
    app_values_from_json("{\"surname\":\"A\",\"shoe_size\":\"42\",\"email\":7}", &w, false, &e2);
    CHECK_STR(error_code(&e2, "shoe_size"), "unknown_field");
    CHECK_STR(error_code(&e2, "email"), "bad_format");
    struct app_errors e3 = {0};
    CHECK_INT(app_values_from_json("[1]", &w, false, &e3), -1);
}
