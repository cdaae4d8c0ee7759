/*
 * test_policy.c — unit tests of the issuing-state policy loader
 * (src/visa/policy.c): the shipped config/states/AZE.json and PAK.json load
 * with the values the policy facts give; every validation rule rejects its
 * bad input with the exact JSON path and a meaningful reason; directory
 * loading (name order, code ↔ file name, limits); lookups and eligibility.
 * Bad inputs are built by mutating a small valid config with jansson.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "visa/policy.h"

#define SHIPPED_DIR "config/states"

/* A small valid config: two visa types, the first with two tracks. */
static const char base_json[] =
    "{\"schema\": 1, \"code\": \"AZE\","
    " \"name\": {\"en\": \"Azerbaijan\", \"az\": \"Azərbaycan\", \"ur\": \"آذربائیجان\"},"
    " \"currency\": \"USD\", \"mrv_format\": \"MRV-A\","
    " \"translit\": {\"umlaut\": \"plain\", \"schwa\": \"A\"},"
    " \"passport_min_validity_months\": 3,"
    " \"eligible_nationalities\": [\"PAK\", \"TUR\"],"
    " \"official_portal_notice\": {\"en\": \"e\", \"az\": \"a\", \"ur\": \"u\"},"
    " \"visa_types\": ["
    "  {\"id\": \"tourist-e\", \"name\": {\"en\": \"T\", \"az\": \"T\", \"ur\": \"T\"},"
    "   \"description\": {\"en\": \"D\", \"az\": \"D\", \"ur\": \"D\"},"
    "   \"entries\": 1, \"validity_days\": 90, \"stay_days\": 30, \"vds_visa_type\": 1,"
    "   \"documents\": [\"passport_page\"],"
    "   \"tracks\": ["
    "    {\"id\": \"standard\", \"name\": {\"en\": \"S\", \"az\": \"S\", \"ur\": \"S\"},"
    "     \"fee_minor\": 2700, \"processing_working_days\": 3},"
    "    {\"id\": \"urgent\", \"name\": {\"en\": \"U\", \"az\": \"U\", \"ur\": \"U\"},"
    "     \"fee_minor\": 7000, \"processing_hours\": 3}]},"
    "  {\"id\": \"business\", \"name\": {\"en\": \"B\", \"az\": \"B\", \"ur\": \"B\"},"
    "   \"description\": {\"en\": \"D\", \"az\": \"D\", \"ur\": \"D\"},"
    "   \"entries\": 0, \"validity_days\": 365, \"stay_days\": 30, \"vds_visa_type\": 2,"
    "   \"documents\": [\"photo\", \"passport_page\"],"
    "   \"tracks\": ["
    "    {\"id\": \"standard\", \"name\": {\"en\": \"S\", \"az\": \"S\", \"ur\": \"S\"},"
    "     \"fee_minor\": 0, \"processing_working_days\": 20}]}]}";

static json_t *base(void)
{
    json_error_t e;
    return json_loads(base_json, 0, &e);
}

static json_t *type_at(json_t *root, size_t i)
{
    return json_array_get(json_object_get(root, "visa_types"), i);
}

static json_t *track_at(json_t *root, size_t t, size_t i)
{
    return json_array_get(json_object_get(type_at(root, t), "tracks"), i);
}

/* Loads doc (consumed); 0 or -1 as policy_load_json. */
static int load_doc(json_t *doc, struct policy_state *st, struct policy_error *err)
{
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!text)
        return -2;
    int r = policy_load_json(text, strlen(text), "TEST.json", st, err);
    free(text);
    return r;
}

/* Loads doc (consumed) and tells whether it was rejected at exactly `field`
 * with a reason containing `reason_part`; records why not. */
static bool rejected(json_t *doc, const char *field, const char *reason_part)
{
    struct policy_state *st = malloc(sizeof *st);
    struct policy_error err;
    memset(&err, 0, sizeof err);
    if (!st) {
        json_decref(doc);
        return false;
    }
    int r = load_doc(doc, st, &err);
    bool ok = r == -1 && strcmp(err.field, field) == 0 && strstr(err.reason, reason_part) &&
              strcmp(err.file, "TEST.json") == 0 && st->n_types == 0 && st->code[0] == '\0';
    if (!ok)
        test_fail(__FILE__, __LINE__, "want -1 at \"%s\" (\"...%s...\"), got %d at \"%s\": \"%s\"",
                  field, reason_part, r, err.field, err.reason);
    free(st);
    return ok;
}

/* Same, for raw text. */
static bool rejected_text(const char *text, size_t len, const char *field, const char *part)
{
    struct policy_state *st = malloc(sizeof *st);
    struct policy_error err;
    memset(&err, 0, sizeof err);
    if (!st)
        return false;
    int r = policy_load_json(text, len, "TEST.json", st, &err);
    bool ok = r == -1 && strcmp(err.field, field) == 0 && strstr(err.reason, part);
    if (!ok)
        test_fail(__FILE__, __LINE__, "want -1 at \"%s\" (\"...%s...\"), got %d at \"%s\": \"%s\"",
                  field, part, r, err.field, err.reason);
    free(st);
    return ok;
}

static struct policy_set *load_shipped(void)
{
    struct policy_set *set = malloc(sizeof *set);
    struct policy_error err;
    if (!set)
        return NULL;
    if (policy_load_dir(SHIPPED_DIR, set, &err) != 0) {
        test_fail(__FILE__, __LINE__, "%s: %s: %s", err.file, err.field, err.reason);
        free(set);
        return NULL;
    }
    return set;
}

/* Writes text to dir/name. */
static bool write_file(const char *dir, const char *name, const char *text, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(text, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* base_json with its code replaced by `code` (3 letters). */
static char *base_with_code(const char *code)
{
    json_t *doc = base();
    json_object_set_new(doc, "code", json_string(code));
    /* keep the config valid: a state never lists its own nationals */
    json_object_set_new(doc, "eligible_nationalities", json_pack("[s]", "XXA"));
    char *text = json_dumps(doc, 0);
    json_decref(doc);
    return text;
}

static void rm_dir(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

/* ---- the shipped configuration ------------------------------------------ */

TEST(policy_loads_shipped_states_in_name_order)
{
    struct policy_set *set = load_shipped();
    CHECK(set);
    CHECK_INT(set->n_states, 2);
    CHECK_STR(set->states[0].code, "AZE");
    CHECK_STR(set->states[1].code, "PAK");
    free(set);
}

TEST(policy_aze_state_values)
{
    struct policy_set *set = load_shipped();
    CHECK(set);
    const struct policy_state *st = policy_find_state(set, "AZE");
    CHECK(st);
    CHECK_STR(st->name.text[LANG_EN], "Republic of Azerbaijan");
    CHECK_STR(st->name.text[LANG_AZ], "Azərbaycan Respublikası");
    CHECK_STR(st->currency, "USD");
    CHECK_INT(st->mrv_format, MRZ_FORMAT_MRV_A);
    CHECK(!st->translit.umlaut_expand);
    CHECK_INT(st->translit.schwa, 'A');
    CHECK_INT(st->passport_min_validity_months, 3);
    CHECK(policy_nationality_eligible(st, "PAK"));
    CHECK(policy_nationality_eligible(st, "TUR"));
    CHECK(!policy_nationality_eligible(st, "AZE"));
    CHECK(!policy_nationality_eligible(st, "IND"));
    for (int l = 0; l < LANG__MAX; l++)
        CHECK(strstr(st->official_portal_notice.text[l], "evisa.gov.az"));
    free((void *)set);
}

TEST(policy_aze_tourist_e_values)
{
    struct policy_set *set = load_shipped();
    CHECK(set);
    const struct policy_state *st = policy_find_state(set, "AZE");
    CHECK(st);
    CHECK_INT(st->n_types, 1);
    const struct policy_visa_type *t = policy_find_type(st, "tourist-e");
    CHECK(t);
    CHECK_INT(t->entries, 1);
    CHECK_INT(t->validity_days, 90);
    CHECK_INT(t->stay_days, 30);
    CHECK(!t->documents[DOC_PHOTO]);
    CHECK(t->documents[DOC_PASSPORT_PAGE]);
    CHECK_INT(t->n_tracks, 2);
    const struct policy_track *std = policy_find_track(t, "standard");
    const struct policy_track *urg = policy_find_track(t, "urgent");
    CHECK(std && urg);
    CHECK_INT(std->fee_minor, 2700);
    CHECK_INT(std->processing_working_days, 3);
    CHECK_INT(std->processing_hours, 0);
    CHECK_INT(urg->fee_minor, 7000);
    CHECK_INT(urg->processing_hours, 3);
    CHECK_INT(urg->processing_working_days, 0);
    CHECK_STR(urg->name.text[LANG_AZ], "Təcili");
    free(set);
}

TEST(policy_pak_state_values)
{
    struct policy_set *set = load_shipped();
    CHECK(set);
    const struct policy_state *st = policy_find_state(set, "PAK");
    CHECK(st);
    CHECK_STR(st->name.text[LANG_EN], "Islamic Republic of Pakistan");
    CHECK_STR(st->name.text[LANG_AZ], "Pakistan İslam Respublikası");
    CHECK_INT(st->mrv_format, MRZ_FORMAT_MRV_B);
    CHECK(st->translit.umlaut_expand);
    CHECK_INT(st->translit.schwa, 'A');
    CHECK_INT(st->passport_min_validity_months, 6);
    CHECK(policy_nationality_eligible(st, "AZE"));
    CHECK(!policy_nationality_eligible(st, "PAK"));
    for (int l = 0; l < LANG__MAX; l++)
        CHECK(strstr(st->official_portal_notice.text[l], "visa.nadra.gov.pk"));
    free(set);
}

TEST(policy_pak_visa_type_values)
{
    struct policy_set *set = load_shipped();
    CHECK(set);
    const struct policy_state *st = policy_find_state(set, "PAK");
    CHECK(st);
    CHECK_INT(st->n_types, 3);
    const struct policy_visa_type *tour = policy_find_type(st, "tourist");
    const struct policy_visa_type *bus = policy_find_type(st, "business");
    const struct policy_visa_type *fam = policy_find_type(st, "family-visit");
    CHECK(tour && bus && fam);
    CHECK_INT(tour->entries, 1);
    CHECK_INT(tour->validity_days, 90);
    CHECK_INT(tour->tracks[0].processing_working_days, 10);
    CHECK_INT(bus->entries, 0);
    CHECK_INT(bus->validity_days, 365);
    CHECK_INT(bus->stay_days, 30);
    CHECK_INT(bus->tracks[0].processing_working_days, 20);
    CHECK(bus->unconfirmed);
    CHECK(strstr(bus->unconfirmed_note, "BVL"));
    CHECK_INT(fam->entries, 0);
    CHECK_INT(fam->validity_days, 365);
    CHECK_INT(fam->stay_days, 365);
    CHECK_INT(fam->tracks[0].processing_working_days, 10);
    CHECK(fam->documents[DOC_PHOTO] && fam->documents[DOC_PASSPORT_PAGE]);
    CHECK(strstr(fam->description.text[LANG_EN], "NICOP"));
    CHECK(strstr(fam->description.text[LANG_EN], "Pakistani origin"));
    CHECK_STR(fam->name.text[LANG_UR], "فیملی وزٹ ویزا");
    free(set);
}

TEST(policy_pak_fees_are_marked_unconfirmed)
{
    struct policy_set *set = load_shipped();
    CHECK(set);
    const struct policy_state *pak = policy_find_state(set, "PAK");
    const struct policy_state *aze = policy_find_state(set, "AZE");
    CHECK(pak && aze);
    for (size_t i = 0; i < pak->n_types; i++)
        for (size_t j = 0; j < pak->types[i].n_tracks; j++) {
            CHECK(pak->types[i].tracks[j].fee_unconfirmed);
            CHECK(pak->types[i].tracks[j].note[0] != '\0');
        }
    CHECK(!aze->types[0].tracks[0].fee_unconfirmed);
    free(set);
}

TEST(policy_shipped_texts_exist_in_every_language)
{
    struct policy_set *set = load_shipped();
    CHECK(set);
    for (size_t s = 0; s < set->n_states; s++) {
        const struct policy_state *st = &set->states[s];
        for (int l = 0; l < LANG__MAX; l++) {
            CHECK(st->name.text[l][0]);
            CHECK(st->official_portal_notice.text[l][0]);
            for (size_t i = 0; i < st->n_types; i++) {
                CHECK(st->types[i].name.text[l][0]);
                CHECK(st->types[i].description.text[l][0]);
                for (size_t j = 0; j < st->types[i].n_tracks; j++)
                    CHECK(st->types[i].tracks[j].name.text[l][0]);
            }
        }
    }
    free(set);
}

TEST(policy_aze_marks_tur_unconfirmed)
{
    struct policy_set *set = load_shipped();
    CHECK(set);
    const struct policy_state *st = policy_find_state(set, "AZE");
    CHECK(st);
    for (size_t i = 0; i < st->n_nationalities; i++)
        CHECK_INT(st->nationality_unconfirmed[i], strcmp(st->nationalities[i], "TUR") == 0);
    free(set);
}

/* ---- the loader on the small config -------------------------------------- */

TEST(policy_loads_minimal_config)
{
    struct policy_state *st = malloc(sizeof *st);
    struct policy_error err;
    CHECK(st);
    int r = load_doc(base(), st, &err);
    if (r != 0)
        free(st);
    CHECK_INT(r, 0);
    CHECK_INT(st->n_types, 2);
    CHECK_INT(st->n_nationalities, 2);
    CHECK_STR(st->types[1].id, "business");
    CHECK_INT(st->types[1].vds_visa_type, 2);
    CHECK_INT(st->types[1].tracks[0].fee_minor, 0);
    CHECK_STR(st->name.text[LANG_UR], "آذربائیجان");
    CHECK_STR(st->note, "");
    free(st);
}

TEST(policy_rejects_unknown_keys)
{
    json_t *d = base();
    json_object_set_new(d, "fees", json_integer(1));
    CHECK(rejected(d, "fees", "unknown key"));
    d = base();
    json_object_set_new(type_at(d, 1), "colour", json_true());
    CHECK(rejected(d, "visa_types[1].colour", "unknown key"));
    d = base();
    json_object_set_new(track_at(d, 0, 1), "fee", json_integer(1));
    CHECK(rejected(d, "visa_types[0].tracks[1].fee", "unknown key"));
    d = base();
    json_object_set_new(json_object_get(d, "name"), "fr", json_string("Azerbaïdjan"));
    CHECK(rejected(d, "name.fr", "unknown key"));
    d = base();
    json_object_set_new(json_object_get(d, "translit"), "x", json_string("y"));
    CHECK(rejected(d, "translit.x", "unknown key"));
}

TEST(policy_rejects_empty_and_odd_keys_with_a_readable_path)
{
    json_t *d = base();
    json_object_set_new(d, "", json_integer(1));
    CHECK(rejected(d, "$[\"\"]", "unknown key"));
    d = base();
    json_object_set_new(type_at(d, 0), "fee minor\n\"x\"", json_integer(1));
    CHECK(rejected(d, "visa_types[0][\"fee minor??x?\"]", "unknown key"));
}

TEST(policy_rejects_missing_keys)
{
    json_t *d = base();
    json_object_del(d, "currency");
    CHECK(rejected(d, "currency", "missing"));
    d = base();
    json_object_del(type_at(d, 0), "stay_days");
    CHECK(rejected(d, "visa_types[0].stay_days", "missing"));
    d = base();
    json_object_del(track_at(d, 0, 1), "fee_minor");
    CHECK(rejected(d, "visa_types[0].tracks[1].fee_minor", "missing"));
    d = base();
    json_object_del(json_object_get(type_at(d, 1), "name"), "ur");
    CHECK(rejected(d, "visa_types[1].name.ur", "missing"));
}

TEST(policy_rejects_wrong_types)
{
    json_t *d = base();
    json_object_set_new(track_at(d, 0, 1), "fee_minor", json_string("70"));
    CHECK(rejected(d, "visa_types[0].tracks[1].fee_minor", "expected an integer, got a string"));
    d = base();
    json_object_set_new(type_at(d, 0), "validity_days", json_real(90.5));
    CHECK(rejected(d, "visa_types[0].validity_days", "got a real number"));
    d = base();
    json_object_set_new(d, "code", json_integer(1));
    CHECK(rejected(d, "code", "expected a string"));
    d = base();
    json_object_set_new(d, "name", json_string("Azerbaijan"));
    CHECK(rejected(d, "name", "expected an object"));
    d = base();
    json_object_set_new(d, "visa_types", json_object());
    CHECK(rejected(d, "visa_types", "expected an array"));
    d = base();
    json_object_set_new(type_at(d, 0), "unconfirmed", json_string("yes"));
    CHECK(rejected(d, "visa_types[0].unconfirmed", "true or false"));
    d = base();
    json_array_set_new(json_object_get(d, "visa_types"), 1, json_null());
    CHECK(rejected(d, "visa_types[1]", "expected an object, got null"));
}

TEST(policy_rejects_root_that_is_not_an_object)
{
    CHECK(rejected_text("[1, 2]", 6, "$", "expected an object"));
}

TEST(policy_rejects_fee_out_of_range)
{
    json_t *d = base();
    json_object_set_new(track_at(d, 0, 1), "fee_minor", json_integer(-1));
    CHECK(rejected(d, "visa_types[0].tracks[1].fee_minor", "between 0 and"));
    d = base();
    json_object_set_new(track_at(d, 1, 0), "fee_minor", json_integer(POLICY_FEE_MAX + 1LL));
    CHECK(rejected(d, "visa_types[1].tracks[0].fee_minor", "between 0 and"));
}

TEST(policy_rejects_days_out_of_range)
{
    json_t *d = base();
    json_object_set_new(type_at(d, 0), "validity_days", json_integer(0));
    CHECK(rejected(d, "visa_types[0].validity_days", "between 1 and 3650 (got 0)"));
    d = base();
    json_object_set_new(type_at(d, 1), "validity_days", json_integer(3651));
    CHECK(rejected(d, "visa_types[1].validity_days", "between 1 and 3650"));
    d = base();
    json_object_set_new(type_at(d, 0), "stay_days", json_integer(0));
    CHECK(rejected(d, "visa_types[0].stay_days", "between 1 and 3650"));
    d = base();
    json_object_set_new(track_at(d, 0, 0), "processing_working_days", json_integer(3651));
    CHECK(rejected(d, "visa_types[0].tracks[0].processing_working_days", "between 1 and 3650"));
    d = base();
    json_object_set_new(track_at(d, 0, 1), "processing_hours", json_integer(0));
    CHECK(rejected(d, "visa_types[0].tracks[1].processing_hours", "between 1 and 8760"));
    d = base();
    json_object_set_new(d, "passport_min_validity_months", json_integer(-3));
    CHECK(rejected(d, "passport_min_validity_months", "between 0 and 120"));
}

TEST(policy_rejects_stay_longer_than_validity)
{
    json_t *d = base();
    json_object_set_new(type_at(d, 0), "stay_days", json_integer(91));
    CHECK(rejected(d, "visa_types[0].stay_days", "stay_days (91) exceeds validity_days (90)"));
}

TEST(policy_accepts_stay_equal_to_validity)
{
    struct policy_state *st = malloc(sizeof *st);
    CHECK(st);
    json_t *d = base();
    json_object_set_new(type_at(d, 0), "stay_days", json_integer(90));
    int r = load_doc(d, st, NULL);
    free(st);
    CHECK_INT(r, 0);
}

TEST(policy_rejects_entries_out_of_range)
{
    json_t *d = base();
    json_object_set_new(type_at(d, 0), "entries", json_integer(256));
    CHECK(rejected(d, "visa_types[0].entries", "between 0 and 255"));
    d = base();
    json_object_set_new(type_at(d, 1), "entries", json_integer(-1));
    CHECK(rejected(d, "visa_types[1].entries", "between 0 and 255"));
    d = base();
    json_object_set_new(type_at(d, 1), "vds_visa_type", json_integer(256));
    CHECK(rejected(d, "visa_types[1].vds_visa_type", "between 0 and 255"));
}

TEST(policy_rejects_bad_ids)
{
    json_t *d = base();
    json_object_set_new(type_at(d, 0), "id", json_string("Tourist"));
    CHECK(rejected(d, "visa_types[0].id", "only a-z, 0-9 and '-'"));
    d = base();
    json_object_set_new(track_at(d, 0, 1), "id", json_string(""));
    CHECK(rejected(d, "visa_types[0].tracks[1].id", "1 to 31 characters"));
    d = base();
    json_object_set_new(type_at(d, 1), "id", json_string("abcdefghijklmnopqrstuvwxyz012345"));
    CHECK(rejected(d, "visa_types[1].id", "1 to 31 characters long (got 32)"));
    d = base();
    json_object_set_new(type_at(d, 1), "id", json_string("family visit"));
    CHECK(rejected(d, "visa_types[1].id", "bad character at 6"));
}

TEST(policy_accepts_31_character_id)
{
    struct policy_state *st = malloc(sizeof *st);
    CHECK(st);
    json_t *d = base();
    json_object_set_new(type_at(d, 1), "id", json_string("abcdefghijklmnopqrstuvwxyz-0123"));
    int r = load_doc(d, st, NULL);
    bool found = r == 0 && policy_find_type(st, "abcdefghijklmnopqrstuvwxyz-0123");
    free(st);
    CHECK(found);
}

TEST(policy_rejects_duplicate_ids)
{
    json_t *d = base();
    json_object_set_new(type_at(d, 1), "id", json_string("tourist-e"));
    CHECK(rejected(d, "visa_types[1].id", "duplicate visa type id \"tourist-e\""));
    d = base();
    json_object_set_new(track_at(d, 0, 1), "id", json_string("standard"));
    CHECK(rejected(d, "visa_types[0].tracks[1].id", "duplicate track id \"standard\""));
    d = base();
    json_object_set_new(type_at(d, 1), "vds_visa_type", json_integer(1));
    CHECK(rejected(d, "visa_types[1].vds_visa_type", "duplicate vds_visa_type 1"));
}

TEST(policy_rejects_bad_codes)
{
    json_t *d = base();
    json_object_set_new(d, "code", json_string("aze"));
    CHECK(rejected(d, "code", "3 capital letters"));
    d = base();
    json_object_set_new(d, "currency", json_string("US"));
    CHECK(rejected(d, "currency", "3 capital letters"));
    d = base();
    json_array_set_new(json_object_get(d, "eligible_nationalities"), 1, json_string("TU1"));
    CHECK(rejected(d, "eligible_nationalities[1]", "3 capital letters"));
    d = base();
    json_array_set_new(json_object_get(d, "eligible_nationalities"), 0, json_string("PAKI"));
    CHECK(rejected(d, "eligible_nationalities[0]", "3 capital letters"));
}

TEST(policy_rejects_duplicate_nationality)
{
    json_t *d = base();
    json_array_append_new(json_object_get(d, "eligible_nationalities"), json_string("PAK"));
    CHECK(rejected(d, "eligible_nationalities[2]", "duplicate nationality PAK"));
}

TEST(policy_rejects_own_nationals)
{
    json_t *d = base();
    json_array_append_new(json_object_get(d, "eligible_nationalities"), json_string("AZE"));
    CHECK(rejected(d, "eligible_nationalities[2]", "own nationals"));
}

TEST(policy_rejects_empty_nationalities)
{
    json_t *d = base();
    json_object_set_new(d, "eligible_nationalities", json_array());
    CHECK(rejected(d, "eligible_nationalities", "at least 1 nationalities required"));
}

TEST(policy_rejects_unconfirmed_nationality_not_eligible)
{
    json_t *d = base();
    json_object_set_new(d, "unconfirmed_nationalities", json_pack("[s]", "IND"));
    CHECK(rejected(d, "unconfirmed_nationalities[0]", "IND is not in eligible_nationalities"));
    d = base();
    json_object_set_new(d, "unconfirmed_nationalities", json_pack("[ss]", "TUR", "TUR"));
    CHECK(rejected(d, "unconfirmed_nationalities[1]", "duplicate nationality TUR"));
    d = base();
    json_object_set_new(d, "unconfirmed_nationalities", json_pack("[s]", "tur"));
    CHECK(rejected(d, "unconfirmed_nationalities[0]", "3 capital letters"));
    d = base();
    json_object_set_new(d, "unconfirmed_nationalities", json_string("TUR"));
    CHECK(rejected(d, "unconfirmed_nationalities", "expected an array"));
}

TEST(policy_rejects_missing_language_text)
{
    json_t *d = base();
    json_object_del(json_object_get(d, "official_portal_notice"), "az");
    CHECK(rejected(d, "official_portal_notice.az", "missing"));
    d = base();
    json_object_del(json_object_get(track_at(d, 0, 1), "name"), "en");
    CHECK(rejected(d, "visa_types[0].tracks[1].name.en", "missing"));
}

TEST(policy_rejects_empty_or_blank_text)
{
    json_t *d = base();
    json_object_set_new(json_object_get(type_at(d, 0), "description"), "ur", json_string(""));
    CHECK(rejected(d, "visa_types[0].description.ur", "empty"));
    d = base();
    json_object_set_new(json_object_get(d, "name"), "az", json_string("   "));
    CHECK(rejected(d, "name.az", "empty"));
}

TEST(policy_rejects_text_too_long)
{
    char big[POLICY_TEXT_MAX + 1];
    memset(big, 'x', POLICY_TEXT_MAX);
    big[POLICY_TEXT_MAX] = '\0';
    json_t *d = base();
    json_object_set_new(json_object_get(d, "name"), "en", json_string(big));
    CHECK(rejected(d, "name.en", "longer than 511 bytes (got 512)"));
}

TEST(policy_accepts_text_of_511_bytes)
{
    char big[POLICY_TEXT_MAX];
    memset(big, 'x', POLICY_TEXT_MAX - 1);
    big[POLICY_TEXT_MAX - 1] = '\0';
    struct policy_state *st = malloc(sizeof *st);
    CHECK(st);
    json_t *d = base();
    json_object_set_new(json_object_get(d, "name"), "en", json_string(big));
    int r = load_doc(d, st, NULL);
    size_t n = strlen(st->name.text[LANG_EN]);
    free(st);
    CHECK_INT(r, 0);
    CHECK_INT(n, POLICY_TEXT_MAX - 1);
}

TEST(policy_rejects_control_characters_in_text)
{
    json_t *d = base();
    json_object_set_new(json_object_get(d, "name"), "en", json_string("Azer\tbaijan"));
    CHECK(rejected(d, "name.en", "control character at byte 4"));
    d = base();
    json_object_set_new(type_at(d, 0), "note", json_string("a\xC2\x85z")); /* U+0085 NEL */
    CHECK(rejected(d, "visa_types[0].note", "control character at byte 1"));
}

TEST(policy_rejects_invalid_utf8)
{
    char text[sizeof base_json];
    memcpy(text, base_json, sizeof base_json);
    char *p = strstr(text, "Azerbaijan");
    CHECK(p);
    p[0] = (char)0xC3; /* a lead byte followed by 'z': not UTF-8 */
    CHECK(rejected_text(text, strlen(text), "$", "invalid UTF-8"));
}

TEST(policy_rejects_invalid_json)
{
    CHECK(rejected_text("{\"schema\": 1,", 13, "$", "invalid JSON at line 1"));
    CHECK(rejected_text("", 0, "$", "invalid JSON"));
}

TEST(policy_rejects_duplicate_json_keys)
{
    const char text[] = "{\"schema\": 1, \"schema\": 1}";
    CHECK(rejected_text(text, sizeof text - 1, "$", "duplicate object key"));
}

TEST(policy_rejects_no_visa_types)
{
    json_t *d = base();
    json_object_set_new(d, "visa_types", json_array());
    CHECK(rejected(d, "visa_types", "at least 1 visa types required"));
}

TEST(policy_rejects_too_many_visa_types)
{
    json_t *d = base();
    json_t *types = json_object_get(d, "visa_types");
    for (int i = 2; i <= POLICY_MAX_TYPES; i++)
        json_array_append(types, type_at(d, 1));
    CHECK(rejected(d, "visa_types", "at most 16 visa types allowed (got 17)"));
}

TEST(policy_rejects_no_tracks)
{
    json_t *d = base();
    json_object_set_new(type_at(d, 1), "tracks", json_array());
    CHECK(rejected(d, "visa_types[1].tracks", "at least 1 tracks required"));
}

TEST(policy_rejects_too_many_tracks)
{
    json_t *d = base();
    json_t *tracks = json_object_get(type_at(d, 0), "tracks");
    const char *ids[] = {"a", "b", "c"};
    for (size_t i = 0; i < 3; i++) {
        json_t *t = json_deep_copy(json_array_get(tracks, 0));
        json_object_set_new(t, "id", json_string(ids[i]));
        json_array_append_new(tracks, t);
    }
    CHECK(rejected(d, "visa_types[0].tracks", "at most 4 tracks allowed (got 5)"));
}

TEST(policy_rejects_track_without_processing_time)
{
    json_t *d = base();
    json_object_del(track_at(d, 0, 0), "processing_working_days");
    CHECK(rejected(d, "visa_types[0].tracks[0]", "processing_hours or processing_working_days"));
}

TEST(policy_rejects_track_with_both_processing_times)
{
    json_t *d = base();
    json_object_set_new(track_at(d, 0, 1), "processing_working_days", json_integer(1));
    CHECK(rejected(d, "visa_types[0].tracks[1].processing_hours", "not both"));
}

TEST(policy_rejects_bad_documents)
{
    json_t *d = base();
    json_array_append_new(json_object_get(type_at(d, 0), "documents"), json_string("visa"));
    CHECK(rejected(d, "visa_types[0].documents[1]", "unknown document \"visa\""));
    d = base();
    json_array_append_new(json_object_get(type_at(d, 0), "documents"),
                          json_string("passport_page"));
    CHECK(rejected(d, "visa_types[0].documents[1]", "duplicate document"));
    d = base();
    json_array_set_new(json_object_get(type_at(d, 1), "documents"), 0, json_integer(0));
    CHECK(rejected(d, "visa_types[1].documents[0]", "expected a string"));
    d = base();
    json_object_set_new(type_at(d, 1), "documents", json_pack("[sss]", "photo", "a", "b"));
    CHECK(rejected(d, "visa_types[1].documents", "at most 2 documents"));
}

TEST(policy_rejects_bad_enumerations)
{
    json_t *d = base();
    json_object_set_new(d, "mrv_format", json_string("TD3"));
    CHECK(rejected(d, "mrv_format", "\"MRV-A\" or \"MRV-B\""));
    d = base();
    json_object_set_new(json_object_get(d, "translit"), "umlaut", json_string("AE"));
    CHECK(rejected(d, "translit.umlaut", "\"expand\" or \"plain\""));
    d = base();
    json_object_set_new(json_object_get(d, "translit"), "schwa", json_string("Ə"));
    CHECK(rejected(d, "translit.schwa", "\"A\" or \"E\""));
    d = base();
    json_object_set_new(d, "translit", json_true());
    CHECK(rejected(d, "translit", "expected an object"));
    d = base();
    json_object_set_new(d, "schema", json_integer(2));
    CHECK(rejected(d, "schema", "between 1 and 1"));
}

TEST(policy_accepts_mrv_b_and_schwa_e)
{
    struct policy_state *st = malloc(sizeof *st);
    CHECK(st);
    json_t *d = base();
    json_object_set_new(d, "mrv_format", json_string("MRV-B"));
    json_object_set_new(json_object_get(d, "translit"), "schwa", json_string("E"));
    json_object_set_new(json_object_get(d, "translit"), "umlaut", json_string("expand"));
    int r = load_doc(d, st, NULL);
    bool ok = r == 0 && st->mrv_format == MRZ_FORMAT_MRV_B && st->translit.schwa == 'E' &&
              st->translit.umlaut_expand;
    free(st);
    CHECK(ok);
}

TEST(policy_rejects_unconfirmed_without_note)
{
    json_t *d = base();
    json_object_set_new(type_at(d, 1), "unconfirmed", json_true());
    CHECK(rejected(d, "visa_types[1].unconfirmed_note", "required when unconfirmed is true"));
    d = base();
    json_object_set_new(type_at(d, 1), "unconfirmed_note", json_string("BVL status"));
    CHECK(rejected(d, "visa_types[1].unconfirmed_note", "unconfirmed is not true"));
}

TEST(policy_rejects_oversized_input)
{
    size_t len = POLICY_CONFIG_MAX + 1u;
    char *text = malloc(len);
    CHECK(text);
    memset(text, ' ', len);
    bool ok = rejected_text(text, len, "$", "larger than 262144 bytes");
    free(text);
    CHECK(ok);
}

TEST(policy_error_may_be_null)
{
    struct policy_state *st = malloc(sizeof *st);
    CHECK(st);
    int r = policy_load_json("{}", 2, NULL, st, NULL);
    free(st);
    CHECK_INT(r, -1);
}

TEST(policy_error_names_input_when_file_is_null)
{
    struct policy_state *st = malloc(sizeof *st);
    struct policy_error err;
    CHECK(st);
    int r = policy_load_json("{}", 2, NULL, st, &err);
    free(st);
    CHECK_INT(r, -1);
    CHECK_STR(err.file, "(input)");
    CHECK_STR(err.field, "schema");
}

/* ---- directories --------------------------------------------------------- */

TEST(policy_dir_rejects_code_not_matching_file_name)
{
    char dir[256];
    CHECK(test_tmpdir(dir, sizeof dir));
    char *text = base_with_code("PAK");
    bool w = text && write_file(dir, "AZE.json", text, strlen(text));
    free(text);
    struct policy_set *set = malloc(sizeof *set);
    struct policy_error err;
    int r = w && set ? policy_load_dir(dir, set, &err) : -2;
    size_t n = set ? set->n_states : 1;
    free(set);
    char want[300];
    snprintf(want, sizeof want, "%s/AZE.json", dir);
    rm_dir(dir);
    CHECK_INT(r, -1);
    CHECK_INT(n, 0);
    CHECK_STR(err.file, want);
    CHECK_STR(err.field, "code");
    CHECK(strstr(err.reason, "does not match the file name AZE.json"));
}

TEST(policy_dir_loads_json_files_in_name_order)
{
    char dir[256];
    CHECK(test_tmpdir(dir, sizeof dir));
    const char *codes[] = {"TUR", "AZE", "PAK"};
    bool w = true;
    for (size_t i = 0; i < 3; i++) {
        char *text = base_with_code(codes[i]);
        char name[16];
        snprintf(name, sizeof name, "%s.json", codes[i]);
        w = w && text && write_file(dir, name, text, strlen(text));
        free(text);
    }
    w = w && write_file(dir, "README.txt", "x", 1) && write_file(dir, ".hidden.json", "x", 1);
    struct policy_set *set = malloc(sizeof *set);
    struct policy_error err;
    int r = w && set ? policy_load_dir(dir, set, &err) : -2;
    rm_dir(dir);
    CHECK(set);
    bool ok = r == 0 && set->n_states == 3 && strcmp(set->states[0].code, "AZE") == 0 &&
              strcmp(set->states[1].code, "PAK") == 0 && strcmp(set->states[2].code, "TUR") == 0;
    free(set);
    CHECK(ok);
}

TEST(policy_dir_reports_the_failing_file)
{
    char dir[256];
    CHECK(test_tmpdir(dir, sizeof dir));
    char *good = base_with_code("AZE");
    json_t *d = json_loads(good, 0, NULL);
    free(good);
    json_object_set_new(d, "code", json_string("PAK"));
    json_object_set_new(track_at(d, 0, 1), "fee_minor", json_integer(-5));
    char *bad = json_dumps(d, 0);
    json_decref(d);
    good = base_with_code("AZE");
    bool w = good && bad && write_file(dir, "AZE.json", good, strlen(good)) &&
             write_file(dir, "PAK.json", bad, strlen(bad));
    free(good);
    free(bad);
    struct policy_set *set = malloc(sizeof *set);
    struct policy_error err;
    int r = w && set ? policy_load_dir(dir, set, &err) : -2;
    free(set);
    char want[300];
    snprintf(want, sizeof want, "%s/PAK.json", dir);
    rm_dir(dir);
    CHECK_INT(r, -1);
    CHECK_STR(err.file, want);
    CHECK_STR(err.field, "visa_types[0].tracks[1].fee_minor");
    CHECK(strstr(err.reason, "between 0 and"));
}

TEST(policy_dir_rejects_oversized_file)
{
    char dir[256];
    CHECK(test_tmpdir(dir, sizeof dir));
    size_t len = POLICY_CONFIG_MAX + 1u;
    char *text = malloc(len);
    CHECK(text);
    memset(text, ' ', len);
    bool w = write_file(dir, "AZE.json", text, len);
    free(text);
    struct policy_set *set = malloc(sizeof *set);
    struct policy_error err;
    int r = w && set ? policy_load_dir(dir, set, &err) : -2;
    free(set);
    rm_dir(dir);
    CHECK_INT(r, -1);
    CHECK_STR(err.field, "$");
    CHECK(strstr(err.reason, "larger than 262144 bytes"));
}

TEST(policy_dir_rejects_empty_directory)
{
    char dir[256];
    CHECK(test_tmpdir(dir, sizeof dir));
    struct policy_set *set = malloc(sizeof *set);
    struct policy_error err;
    int r = set ? policy_load_dir(dir, set, &err) : -2;
    free(set);
    rm_dir(dir);
    CHECK_INT(r, -1);
    CHECK_STR(err.field, "$");
    CHECK(strstr(err.reason, "no *.json state files"));
}

TEST(policy_dir_rejects_missing_directory)
{
    struct policy_set *set = malloc(sizeof *set);
    struct policy_error err;
    CHECK(set);
    int r = policy_load_dir("/nonexistent/evisa/states", set, &err);
    free(set);
    CHECK_INT(r, -1);
    CHECK_STR(err.file, "/nonexistent/evisa/states");
    CHECK(strstr(err.reason, "cannot read the directory"));
}

TEST(policy_dir_rejects_non_regular_file)
{
    char dir[256], sub[300];
    CHECK(test_tmpdir(dir, sizeof dir));
    snprintf(sub, sizeof sub, "%s/AZE.json", dir);
    int m = mkdir(sub, 0700);
    struct policy_set *set = malloc(sizeof *set);
    struct policy_error err;
    int r = m == 0 && set ? policy_load_dir(dir, set, &err) : -2;
    free(set);
    rm_dir(dir);
    CHECK_INT(r, -1);
    CHECK(strstr(err.reason, "not a regular file"));
}

TEST(policy_dir_rejects_too_many_states)
{
    char dir[256];
    CHECK(test_tmpdir(dir, sizeof dir));
    bool w = true;
    for (int i = 0; i <= POLICY_MAX_STATES && w; i++) {
        char code[4] = {'A', (char)('A' + i / 26), (char)('A' + i % 26), '\0'};
        char name[16];
        char *text = base_with_code(code);
        snprintf(name, sizeof name, "%s.json", code);
        w = text && write_file(dir, name, text, strlen(text));
        free(text);
    }
    struct policy_set *set = malloc(sizeof *set);
    struct policy_error err;
    int r = w && set ? policy_load_dir(dir, set, &err) : -2;
    free(set);
    rm_dir(dir);
    CHECK_INT(r, -1);
    CHECK(strstr(err.file, "AAQ.json"));
    CHECK(strstr(err.reason, "more than 16 state files"));
}

/* ---- lookups ------------------------------------------------------------- */

TEST(policy_find_returns_null_for_unknown_or_null)
{
    struct policy_set *set = load_shipped();
    CHECK(set);
    const struct policy_state *aze = policy_find_state(set, "AZE");
    bool ok = aze && !policy_find_state(set, "XYZ") && !policy_find_state(set, NULL) &&
              !policy_find_state(NULL, "AZE") && !policy_find_state(set, "aze") &&
              !policy_find_type(aze, "business") && !policy_find_type(NULL, "tourist-e") &&
              !policy_find_type(aze, NULL) &&
              !policy_find_track(policy_find_type(aze, "tourist-e"), "express") &&
              !policy_find_track(NULL, "standard") &&
              !policy_find_track(policy_find_type(aze, "tourist-e"), NULL);
    free(set);
    CHECK(ok);
}

TEST(policy_eligibility_ignores_case_and_rejects_bad_codes)
{
    struct policy_set *set = load_shipped();
    CHECK(set);
    const struct policy_state *aze = policy_find_state(set, "AZE");
    bool ok = aze && policy_nationality_eligible(aze, "pak") &&
              policy_nationality_eligible(aze, "Pak") && !policy_nationality_eligible(aze, "PA") &&
              !policy_nationality_eligible(aze, "PAKI") && !policy_nationality_eligible(aze, "") &&
              !policy_nationality_eligible(aze, NULL) && !policy_nationality_eligible(NULL, "PAK");
    free(set);
    CHECK(ok);
}

TEST(policy_loads_refusal_reasons_and_four_eyes_of_shipped_configs)
{
    struct policy_set *set = calloc(1, sizeof *set);
    struct policy_error err;
    CHECK(set != NULL);
    CHECK_INT(policy_load_dir("config/states", set, &err), 0);
    const struct policy_state *aze = policy_find_state(set, "AZE");
    const struct policy_state *pak = policy_find_state(set, "PAK");
    CHECK(aze && pak && aze->n_reasons >= 3);
    const struct policy_reason *r = policy_find_reason(aze, "data-mismatch");
    CHECK(r && r->text.text[LANG_UR][0] && r->text.text[LANG_AZ][0]);
    CHECK(policy_find_reason(aze, "no-such-reason") == NULL);
    CHECK(aze->types[0].four_eyes_refuse && !aze->types[0].four_eyes_approve);
    const struct policy_visa_type *biz = policy_find_type(pak, "business");
    CHECK(biz && biz->four_eyes_approve && biz->four_eyes_refuse);
    free(set);
}

TEST(policy_rejects_bad_refusal_reasons_and_four_eyes)
{
    json_t *d = base();
    json_object_set_new(d, "refusal_reasons",
                        json_pack("[{s:s, s:{s:s, s:s, s:s}}, {s:s, s:{s:s, s:s, s:s}}]", "code",
                                  "a", "text", "en", "A", "az", "A", "ur", "A", "code", "a", "text",
                                  "en", "B", "az", "B", "ur", "B"));
    CHECK(rejected(d, "refusal_reasons[1].code", "duplicate refusal reason"));
    d = base();
    json_object_set_new(d, "refusal_reasons", json_pack("[{s:s}]", "code", "Bad Code"));
    CHECK(rejected(d, "refusal_reasons[0].text", "missing"));
    d = base();
    json_object_set_new(type_at(d, 0), "four_eyes", json_pack("[s]", "issue"));
    CHECK(rejected(d, "visa_types[0].four_eyes[0]", "unknown decision"));
    d = base();
    json_object_set_new(type_at(d, 0), "four_eyes", json_pack("[ss]", "refuse", "refuse"));
    CHECK(rejected(d, "visa_types[0].four_eyes[1]", "duplicate decision"));
}
