/*
 * fuzz-policy.c — libFuzzer target for the issuing-state policy loader
 * (src/visa/policy.c): arbitrary bytes go to policy_load_json.  It must
 * never crash or leak; on failure the state is zeroed and the error names a
 * field and a reason; on success the state must be sane (the invariants the
 * loader promises): 1..POLICY_MAX_TYPES visa types, non-empty ids,
 * 1..POLICY_MAX_TRACKS tracks with exactly one processing time, stay <=
 * validity, fees within 0..POLICY_FEE_MAX, NUL-terminated texts, 3-letter
 * codes, and lookups that find every loaded id.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "visa/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const struct policy_text *t)
{
    for (int l = 0; l < LANG__MAX; l++)
        if (t->text[l][0] == '\0' || memchr(t->text[l], '\0', POLICY_TEXT_MAX) == NULL)
            abort();
}

static void check_code(const char c[4])
{
    for (int i = 0; i < 3; i++)
        if (c[i] < 'A' || c[i] > 'Z')
            abort();
    if (c[3] != '\0')
        abort();
}

static void check_state(const struct policy_state *st)
{
    check_code(st->code);
    check_code(st->currency);
    check_text(&st->name);
    check_text(&st->official_portal_notice);
    if (st->mrv_format != MRZ_FORMAT_MRV_A && st->mrv_format != MRZ_FORMAT_MRV_B)
        abort();
    if (st->translit.schwa != 'A' && st->translit.schwa != 'E')
        abort();
    if (st->n_nationalities < 1 || st->n_nationalities > POLICY_MAX_NATIONALITIES)
        abort();
    for (size_t i = 0; i < st->n_nationalities; i++) {
        check_code(st->nationalities[i]);
        if (!policy_nationality_eligible(st, st->nationalities[i]))
            abort();
    }
    if (st->n_types < 1 || st->n_types > POLICY_MAX_TYPES)
        abort();
    for (size_t i = 0; i < st->n_types; i++) {
        const struct policy_visa_type *t = &st->types[i];
        size_t idn = strnlen(t->id, POLICY_ID_MAX);
        if (idn == 0 || idn >= POLICY_ID_MAX || policy_find_type(st, t->id) != t)
            abort();
        check_text(&t->name);
        check_text(&t->description);
        if (t->validity_days < 1 || t->validity_days > POLICY_DAYS_MAX || t->stay_days < 1 ||
            t->stay_days > t->validity_days || t->entries < 0 || t->entries > 255)
            abort();
        if (t->unconfirmed != (t->unconfirmed_note[0] != '\0'))
            abort();
        if (t->n_tracks < 1 || t->n_tracks > POLICY_MAX_TRACKS)
            abort();
        for (size_t j = 0; j < t->n_tracks; j++) {
            const struct policy_track *tr = &t->tracks[j];
            size_t n = strnlen(tr->id, POLICY_ID_MAX);
            if (n == 0 || n >= POLICY_ID_MAX || policy_find_track(t, tr->id) != tr)
                abort();
            check_text(&tr->name);
            if (tr->fee_minor < 0 || tr->fee_minor > POLICY_FEE_MAX)
                abort();
            if ((tr->processing_hours > 0) == (tr->processing_working_days > 0))
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct policy_state *st = malloc(sizeof *st);
    struct policy_error err;
    if (!st)
        return 0;
    int r = policy_load_json((const char *)data, size, "fuzz.json", st, &err);
    if (r == 0) {
        check_state(st);
    } else {
        if (r != -1 || st->n_types != 0 || st->code[0] != '\0')
            abort();
        if (err.field[0] == '\0' || err.reason[0] == '\0' ||
            memchr(err.field, '\0', sizeof err.field) == NULL ||
            memchr(err.reason, '\0', sizeof err.reason) == NULL)
            abort();
    }
    free(st);
    return 0;
}
