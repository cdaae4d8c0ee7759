/*
 * test_store_crossings.c — border crossings in the SQLite store (issue 6,
 * entry, exit and stay): entries enforced, exits only from inside, replays
 * answered from the stored result, days of stay and remaining, overstays,
 * refused visas and arguments.  Each test works on a fresh database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "test.h"

#define DAY 86400
#define JAN1 1767225600 /* 2026-01-01T00:00:00Z */

struct xfx {
    char dir[256];
    char path[300];
    struct store *st;
};

static bool xfx_open(struct xfx *f)
{
    f->st = NULL;
    if (!test_tmpdir(f->dir, sizeof f->dir))
        return false;
    int n = snprintf(f->path, sizeof f->path, "%s/evisa.db", f->dir);
    if (n <= 0 || (size_t)n >= sizeof f->path)
        return false;
    return store_open(f->path, &f->st) == 0;
}

static void xfx_close(struct xfx *f)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    store_close(f->st);
    f->st = NULL;
    char p[320];
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffix[i]);
        remove(p);
    }
    remove(f->dir);
}

/* An issued AZE visa `number` valid 2026-01-01..2026-03-31 for passport
 * AB1234567 with `entries` entries (0 = multiple) of 30 days. */
static int xvisa(struct store *st, const char *ref, const char *number, int entries)
{
    struct store_app in, out;
    memset(&in, 0, sizeof in);
    snprintf(in.reference, sizeof in.reference, "%s", ref);
    snprintf(in.state, sizeof in.state, "AZE");
    snprintf(in.visa_type, sizeof in.visa_type, "tourist");
    snprintf(in.track, sizeof in.track, "standard");
    snprintf(in.lang, sizeof in.lang, "en");
    snprintf(in.currency, sizeof in.currency, "USD");
    snprintf(in.passport_number, sizeof in.passport_number, "AB1234567");
    in.fee_minor = 2000;
    in.fields_json = (char *)"{}";
    int rc = store_app_create(st, &in, NULL, NULL, &out, NULL);
    store_app_clear(&out);
    if (rc ||
        (rc = store_app_transition(st, ref, "draft", "approved", 1, 2, "test", "approved", NULL)))
        return rc;
    struct store_visa v;
    memset(&v, 0, sizeof v);
    snprintf(v.visa_number, sizeof v.visa_number, "%s", number);
    snprintf(v.reference, sizeof v.reference, "%s", ref);
    snprintf(v.state, sizeof v.state, "AZE");
    snprintf(v.mrz_line1, sizeof v.mrz_line1, "VCAZEKHAN<<AMIR<<<<<<<<<<<<<<<<<<<<<<<<<<<<");
    snprintf(v.mrz_line2, sizeof v.mrz_line2, "AZ00000017PAK9001011M2612318<<<<<<<<<<<<<<<");
    memset(v.seal, 7, 100);
    v.seal_len = 100;
    snprintf(v.signer_cert_ref, sizeof v.signer_cert_ref, "AZEV1F4A");
    snprintf(v.valid_from, sizeof v.valid_from, "2026-01-01");
    snprintf(v.valid_until, sizeof v.valid_until, "2026-03-31");
    v.entries = entries;
    v.stay_days = 30;
    return store_visa_issue(st, &v, "user:1");
}

static int cross(struct store *st, const char *id, const char *visa, const char *dir, int64_t at,
                 struct store_crossing_state *out, bool *replayed, const char **reason)
{
    struct store_crossing in;
    memset(&in, 0, sizeof in);
    snprintf(in.crossing_id, sizeof in.crossing_id, "%s", id);
    snprintf(in.visa_number, sizeof in.visa_number, "%s", visa);
    snprintf(in.direction, sizeof in.direction, "%s", dir);
    snprintf(in.post, sizeof in.post, "GYD airport");
    in.at = at;
    in.officer_id = 7;
    struct store_crossing_rules r = {"AZE", "AB1234567"};
    return store_crossing_record(st, &in, &r, out, replayed, reason);
}

TEST(crossing_single_entry_visa_refuses_a_second_entry)
{
    struct xfx f;
    CHECK(xfx_open(&f));
    CHECK_INT(xvisa(f.st, "AZE-1", "AZ0000001", 1), 0);
    struct store_crossing_state s;
    bool rep = true;
    const char *why = "x";
    CHECK_INT(cross(f.st, "c1", "AZ0000001", "entry", JAN1 + 9 * DAY, &s, &rep, &why), 0);
    CHECK(!rep);
    CHECK(why == NULL);
    CHECK_INT(s.entries_used, 1);
    CHECK_INT(s.entries_allowed, 1);
    CHECK(s.inside);
    CHECK_INT(s.days_in_current_stay, 1);
    CHECK_INT(s.days_remaining, 29);
    CHECK(!s.overstay);
    CHECK_INT(cross(f.st, "c2", "AZ0000001", "entry", JAN1 + 10 * DAY, &s, &rep, &why),
              -STORE_E_BAD_STATUS);
    CHECK_STR(why, "already_inside");
    CHECK_INT(cross(f.st, "c3", "AZ0000001", "exit", JAN1 + 14 * DAY, &s, &rep, &why), 0);
    CHECK_INT(s.days_in_current_stay, 6);
    CHECK_INT(s.days_total, 6);
    CHECK_INT(s.days_remaining, 0); /* no entry left */
    CHECK(!s.inside);
    CHECK_INT(cross(f.st, "c4", "AZ0000001", "entry", JAN1 + 20 * DAY, &s, &rep, &why),
              -STORE_E_BAD_STATUS);
    CHECK_STR(why, "no_entries_left");
    xfx_close(&f);
}

TEST(crossing_exit_without_entry_is_refused)
{
    struct xfx f;
    CHECK(xfx_open(&f));
    CHECK_INT(xvisa(f.st, "AZE-1", "AZ0000001", 2), 0);
    struct store_crossing_state s;
    bool rep;
    const char *why = NULL;
    CHECK_INT(cross(f.st, "c1", "AZ0000001", "exit", JAN1 + DAY, &s, &rep, &why),
              -STORE_E_BAD_STATUS);
    CHECK_STR(why, "not_inside");
    CHECK_INT(s.entries_used, 0);
    xfx_close(&f);
}

TEST(crossing_replay_returns_the_stored_result)
{
    struct xfx f;
    CHECK(xfx_open(&f));
    CHECK_INT(xvisa(f.st, "AZE-1", "AZ0000001", 1), 0);
    struct store_crossing_state a, b;
    bool rep = true;
    const char *why;
    CHECK_INT(cross(f.st, "c1", "AZ0000001", "entry", JAN1 + DAY, &a, &rep, &why), 0);
    CHECK(!rep);
    CHECK_INT(cross(f.st, "c1", "AZ0000001", "entry", JAN1 + DAY, &b, &rep, &why), 0);
    CHECK(rep);
    CHECK_INT(b.entries_used, a.entries_used);
    CHECK_INT(b.days_remaining, a.days_remaining);
    CHECK_INT(b.days_in_current_stay, a.days_in_current_stay);
    CHECK_INT(b.entries_allowed, 1);
    CHECK_INT(b.stay_days, 30);
    CHECK(b.inside);
    /* the same id for another direction is a conflict */
    CHECK_INT(cross(f.st, "c1", "AZ0000001", "exit", JAN1 + 2 * DAY, &b, &rep, &why),
              -STORE_E_CONFLICT);
    CHECK(!rep);
    struct store_crossing *rows;
    size_t n;
    CHECK_INT(store_crossings_of(f.st, "AZ0000001", &rows, &n), 0);
    CHECK_INT(n, 1);
    CHECK_STR(rows[0].crossing_id, "c1");
    CHECK_STR(rows[0].post, "GYD airport");
    free(rows);
    xfx_close(&f);
}

TEST(crossing_days_remaining_count_calendar_days_over_stays)
{
    struct xfx f;
    CHECK(xfx_open(&f));
    CHECK_INT(xvisa(f.st, "AZE-1", "AZ0000001", 0), 0);
    struct store_crossing_state s;
    bool rep;
    const char *why;
    /* 23:00 on Jan 2 to 01:00 on Jan 4: three calendar days */
    CHECK_INT(cross(f.st, "c1", "AZ0000001", "entry", JAN1 + DAY + 23 * 3600, &s, &rep, &why), 0);
    CHECK_INT(cross(f.st, "c2", "AZ0000001", "exit", JAN1 + 3 * DAY + 3600, &s, &rep, &why), 0);
    CHECK_INT(s.days_in_current_stay, 3);
    CHECK_INT(s.days_remaining, 30); /* multiple entries: the next stay is whole */
    CHECK_INT(cross(f.st, "c3", "AZ0000001", "entry", JAN1 + 10 * DAY, &s, &rep, &why), 0);
    CHECK_INT(s.entries_used, 2);
    CHECK_INT(s.entries_allowed, 0);
    CHECK_INT(s.days_total, 4);
    CHECK_INT(store_crossing_status(f.st, "AZ0000001", JAN1 + 19 * DAY, &s), 0);
    CHECK_INT(s.days_in_current_stay, 10);
    CHECK_INT(s.days_remaining, 20);
    CHECK_INT(s.days_total, 13);
    CHECK(!s.overstay);
    CHECK_INT(store_crossing_status(f.st, "AZ0000009", JAN1, &s), -STORE_E_NOT_FOUND);
    xfx_close(&f);
}

TEST(crossing_overstay_is_flagged_and_listed)
{
    struct xfx f;
    CHECK(xfx_open(&f));
    CHECK_INT(xvisa(f.st, "AZE-1", "AZ0000001", 1), 0);
    CHECK_INT(xvisa(f.st, "AZE-2", "AZ0000002", 1), 0);
    struct store_crossing_state s;
    bool rep;
    const char *why;
    CHECK_INT(cross(f.st, "c1", "AZ0000001", "entry", JAN1, &s, &rep, &why), 0);
    CHECK_INT(cross(f.st, "c2", "AZ0000002", "entry", JAN1 + 20 * DAY, &s, &rep, &why), 0);
    struct store_overstay *rows;
    size_t n;
    /* day 30 of the stay: not yet over */
    CHECK_INT(store_overstays(f.st, "AZE", JAN1 + 29 * DAY, 10, &rows, &n), 0);
    CHECK_INT(n, 0);
    free(rows);
    CHECK_INT(store_overstays(f.st, "AZE", JAN1 + 32 * DAY, 10, &rows, &n), 0);
    CHECK_INT(n, 1);
    CHECK_STR(rows[0].visa_number, "AZ0000001");
    CHECK_STR(rows[0].reference, "AZE-1");
    CHECK_INT(rows[0].days_over, 3);
    free(rows);
    CHECK_INT(store_overstays(f.st, "PAK", JAN1 + 32 * DAY, 10, &rows, &n), 0);
    CHECK_INT(n, 0);
    free(rows);
    CHECK_INT(store_crossing_status(f.st, "AZ0000001", JAN1 + 32 * DAY, &s), 0);
    CHECK(s.overstay);
    CHECK_INT(s.days_remaining, 0);
    /* leaving late: the exit reports the overstay and the list forgets it */
    CHECK_INT(cross(f.st, "c3", "AZ0000001", "exit", JAN1 + 32 * DAY, &s, &rep, &why), 0);
    CHECK(s.overstay);
    CHECK_INT(s.days_in_current_stay, 33);
    CHECK_INT(store_overstays(f.st, "AZE", JAN1 + 60 * DAY, 10, &rows, &n), 0);
    CHECK_INT(n, 1);
    CHECK_STR(rows[0].visa_number, "AZ0000002");
    free(rows);
    CHECK_INT(store_overstays(f.st, "AZE", JAN1, 0, &rows, &n), -STORE_E_INVALID);
    xfx_close(&f);
}

TEST(crossing_refuses_revoked_and_outside_validity_and_unknown_visas)
{
    struct xfx f;
    CHECK(xfx_open(&f));
    CHECK_INT(xvisa(f.st, "AZE-1", "AZ0000001", 1), 0);
    CHECK_INT(xvisa(f.st, "AZE-2", "AZ0000002", 1), 0);
    struct store_crossing_state s;
    bool rep;
    const char *why;
    CHECK_INT(cross(f.st, "c1", "AZ0000001", "entry", JAN1 - 3600, &s, &rep, &why),
              -STORE_E_BAD_STATUS);
    CHECK_STR(why, "outside_validity");
    CHECK_INT(cross(f.st, "c1", "AZ0000001", "entry", JAN1 + 90 * DAY, &s, &rep, &why),
              -STORE_E_BAD_STATUS);
    CHECK_STR(why, "outside_validity");
    CHECK_INT(store_visa_revoke(f.st, "AZ0000002", "fraud", "user:1", JAN1), 0);
    CHECK_INT(cross(f.st, "c2", "AZ0000002", "entry", JAN1 + DAY, &s, &rep, &why),
              -STORE_E_BAD_STATUS);
    CHECK_STR(why, "revoked");
    CHECK_INT(cross(f.st, "c3", "AZ0000009", "entry", JAN1 + DAY, &s, &rep, &why),
              -STORE_E_NOT_FOUND);
    CHECK(why == NULL);
    /* another state's user or another passport: not found */
    struct store_crossing in;
    memset(&in, 0, sizeof in);
    snprintf(in.crossing_id, sizeof in.crossing_id, "c4");
    snprintf(in.visa_number, sizeof in.visa_number, "AZ0000001");
    snprintf(in.direction, sizeof in.direction, "entry");
    in.at = JAN1 + DAY;
    struct store_crossing_rules pak = {"PAK", ""}, pass = {"AZE", "ZZ9999999"};
    CHECK_INT(store_crossing_record(f.st, &in, &pak, &s, &rep, &why), -STORE_E_NOT_FOUND);
    CHECK_INT(store_crossing_record(f.st, &in, &pass, &s, &rep, &why), -STORE_E_NOT_FOUND);
    CHECK_INT(store_crossing_record(f.st, &in, NULL, &s, &rep, &why), 0);
    /* bad arguments */
    snprintf(in.direction, sizeof in.direction, "transit");
    CHECK_INT(store_crossing_record(f.st, &in, NULL, &s, &rep, &why), -STORE_E_INVALID);
    snprintf(in.direction, sizeof in.direction, "exit");
    in.crossing_id[0] = '\0';
    CHECK_INT(store_crossing_record(f.st, &in, NULL, &s, &rep, &why), -STORE_E_INVALID);
    CHECK_INT(store_crossing_record(NULL, &in, NULL, &s, &rep, &why), -STORE_E_INVALID);
    xfx_close(&f);
}

TEST(crossing_border_role_is_accepted_for_users)
{
    struct xfx f;
    CHECK(xfx_open(&f));
    struct store_user in, out;
    memset(&in, 0, sizeof in);
    snprintf(in.email, sizeof in.email, "guard@example.az");
    snprintf(in.state, sizeof in.state, "AZE");
    snprintf(in.role, sizeof in.role, "border");
    CHECK_INT(store_user_create(f.st, &in, "tok-guard", 2000000000, "admin:test", &out), 0);
    CHECK_STR(out.role, "border");
    snprintf(in.email, sizeof in.email, "x@example.az");
    snprintf(in.role, sizeof in.role, "janitor");
    CHECK_INT(store_user_create(f.st, &in, "tok-x", 2000000000, "admin:test", &out),
              -STORE_E_INVALID);
    xfx_close(&f);
}
