/*
 * test_border_queue.c — the offline border-crossing queue (visa/border_queue.h):
 * ids, validation, append, load, status rewrite, malformed files.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto_err.h"
#include "icao/icao_err.h"
#include "test.h"
#include "visa/border_queue.h"

/* A fresh temporary directory; the queue path inside it into path. */
static bool tmp_queue(char *dir, size_t dcap, char *path, size_t pcap)
{
    snprintf(dir, dcap, "/tmp/evisa-bq-XXXXXX");
    if (!mkdtemp(dir))
        return false;
    snprintf(path, pcap, "%s/queue.jsonl", dir);
    return true;
}

static void rm_queue(const char *dir, const char *path)
{
    char lp[600];
    unlink(path);
    snprintf(lp, sizeof lp, "%s.lock", path);
    unlink(lp);
    rmdir(dir);
}

static struct bq_crossing sample(const char *id, const char *dir)
{
    struct bq_crossing c = {.at = 1795000000, .status = BQ_PENDING};
    snprintf(c.crossing_id, sizeof c.crossing_id, "%s", id);
    snprintf(c.visa_number, sizeof c.visa_number, "AZ0001234");
    snprintf(c.passport_number, sizeof c.passport_number, "P1234567");
    snprintf(c.direction, sizeof c.direction, "%s", dir);
    snprintf(c.post, sizeof c.post, "GYD-1");
    return c;
}

static bool write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fputs(text, f);
    return fclose(f) == 0;
}

#define ID1 "0123456789abcdef0123456789abcdef"
#define ID2 "fedcba9876543210fedcba9876543210"

TEST(border_queue_new_id_is_32_hex_and_fresh)
{
    char a[BQ_ID_HEX + 1], b[BQ_ID_HEX + 1];
    CHECK_INT(bq_new_id(a), 0);
    CHECK_INT(bq_new_id(b), 0);
    CHECK_INT(strlen(a), 32);
    CHECK_INT(strspn(a, "0123456789abcdef"), 32);
    CHECK(strcmp(a, b) != 0);
}

TEST(border_queue_validate_rejects_bad_fields)
{
    struct bq_crossing c = sample(ID1, "entry");
    CHECK_INT(bq_validate(&c), 0);
    c = sample(ID1, "sideways");
    CHECK_INT(bq_validate(&c), -ICAO_E_BAD_FIELD);
    c = sample("0123456789ABCDEF0123456789ABCDEF", "exit");
    CHECK_INT(bq_validate(&c), -ICAO_E_BAD_FIELD);
    c = sample("0123", "exit");
    CHECK_INT(bq_validate(&c), -ICAO_E_BAD_FIELD);
    c = sample(ID1, "exit");
    snprintf(c.visa_number, sizeof c.visa_number, "az0001234");
    CHECK_INT(bq_validate(&c), -ICAO_E_BAD_FIELD);
    c = sample(ID1, "exit");
    c.passport_number[0] = '\0';
    CHECK_INT(bq_validate(&c), -ICAO_E_BAD_FIELD);
    c = sample(ID1, "exit");
    c.at = -1;
    CHECK_INT(bq_validate(&c), -ICAO_E_BAD_FIELD);
    c = sample(ID1, "exit");
    snprintf(c.post, sizeof c.post, "GYD 1");
    CHECK_INT(bq_validate(&c), -ICAO_E_BAD_FIELD);
    c = sample(ID1, "exit");
    snprintf(c.reason, sizeof c.reason, "bad\nline");
    CHECK_INT(bq_validate(&c), -ICAO_E_BAD_FIELD);
    CHECK_INT(bq_validate(NULL), -ICAO_E_BAD_FIELD);
}

TEST(border_queue_request_json_has_the_six_fields)
{
    struct bq_crossing c = sample(ID1, "exit");
    char *s = bq_request_json(&c);
    CHECK(s != NULL);
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    free(s);
    CHECK(j != NULL);
    CHECK_INT(json_object_size(j), 6);
    CHECK_STR(json_string_value(json_object_get(j, "crossing_id")), ID1);
    CHECK_STR(json_string_value(json_object_get(j, "direction")), "exit");
    CHECK_STR(json_string_value(json_object_get(j, "post")), "GYD-1");
    CHECK_INT(json_integer_value(json_object_get(j, "at")), 1795000000);
    json_decref(j);
}

TEST(border_queue_append_then_load_round_trips_with_mode_0600)
{
    char dir[64], path[128];
    CHECK(tmp_queue(dir, sizeof dir, path, sizeof path));
    struct bq_crossing a = sample(ID1, "entry"), b = sample(ID2, "exit");
    CHECK_INT(bq_append(path, &a), 0);
    CHECK_INT(bq_append(path, &b), 0);
    struct stat st;
    CHECK_INT(stat(path, &st), 0);
    CHECK_INT(st.st_mode & 0777, 0600);
    struct bq_queue q;
    size_t bad = 99;
    CHECK_INT(bq_load(path, &q, &bad), 0);
    CHECK_INT(bad, 0);
    CHECK_INT(q.n, 2);
    CHECK_STR(q.items[0].crossing_id, ID1);
    CHECK_STR(q.items[1].direction, "exit");
    CHECK_INT(q.items[1].at, 1795000000);
    CHECK_INT(q.items[0].status, BQ_PENDING);
    bq_free(&q);
    rm_queue(dir, path);
}

TEST(border_queue_append_refuses_invalid_crossing)
{
    char dir[64], path[128];
    CHECK(tmp_queue(dir, sizeof dir, path, sizeof path));
    struct bq_crossing a = sample(ID1, "in");
    CHECK_INT(bq_append(path, &a), -ICAO_E_BAD_FIELD);
    CHECK(access(path, F_OK) != 0);
    rm_queue(dir, path);
}

TEST(border_queue_append_reports_io_error)
{
    struct bq_crossing a = sample(ID1, "entry");
    CHECK_INT(bq_append("/nonexistent-dir/queue.jsonl", &a), -CRYPTO_E_IO);
}

TEST(border_queue_load_of_missing_file_is_empty)
{
    struct bq_queue q;
    CHECK_INT(bq_load("/tmp/evisa-bq-does-not-exist.jsonl", &q, NULL), 0);
    CHECK_INT(q.n, 0);
    bq_free(&q);
}

TEST(border_queue_load_reports_io_error_for_a_directory)
{
    struct bq_queue q;
    CHECK_INT(bq_load("/", &q, NULL), -CRYPTO_E_IO);
}

TEST(border_queue_rewrite_marks_synced_and_refused)
{
    char dir[64], path[128];
    CHECK(tmp_queue(dir, sizeof dir, path, sizeof path));
    struct bq_crossing a = sample(ID1, "entry"), b = sample(ID2, "exit");
    CHECK_INT(bq_append(path, &a), 0);
    CHECK_INT(bq_append(path, &b), 0);
    struct bq_queue q;
    CHECK_INT(bq_load(path, &q, NULL), 0);
    q.items[0].status = BQ_SYNCED;
    q.items[1].status = BQ_REFUSED;
    snprintf(q.items[1].reason, sizeof q.items[1].reason, "visa_revoked: the visa is revoked");
    CHECK_INT(bq_rewrite(path, &q), 0);
    bq_free(&q);
    struct stat st;
    CHECK_INT(stat(path, &st), 0);
    CHECK_INT(st.st_mode & 0777, 0600);
    CHECK_INT(bq_load(path, &q, NULL), 0);
    CHECK_INT(q.n, 2);
    CHECK_INT(q.items[0].status, BQ_SYNCED);
    CHECK_INT(q.items[1].status, BQ_REFUSED);
    CHECK_STR(q.items[1].reason, "visa_revoked: the visa is revoked");
    size_t counts[BQ__MAX];
    bq_count(&q, counts);
    CHECK_INT(counts[BQ_PENDING], 0);
    CHECK_INT(counts[BQ_SYNCED], 1);
    CHECK_INT(counts[BQ_REFUSED], 1);
    bq_free(&q);
    /* no temporary file is left beside the queue */
    char tmp_glob[160];
    snprintf(tmp_glob, sizeof tmp_glob, "%s.tmp.", path);
    CHECK(access(tmp_glob, F_OK) != 0);
    rm_queue(dir, path);
}

TEST(border_queue_rewrite_refuses_invalid_item_and_keeps_file)
{
    char dir[64], path[128];
    CHECK(tmp_queue(dir, sizeof dir, path, sizeof path));
    struct bq_crossing a = sample(ID1, "entry");
    CHECK_INT(bq_append(path, &a), 0);
    struct bq_crossing bad = sample(ID2, "up");
    struct bq_queue q = {.items = &bad, .n = 1};
    CHECK_INT(bq_rewrite(path, &q), -ICAO_E_BAD_FIELD);
    CHECK_INT(bq_load(path, &q, NULL), 0);
    CHECK_INT(q.n, 1);
    CHECK_STR(q.items[0].crossing_id, ID1);
    bq_free(&q);
    rm_queue(dir, path);
}

TEST(border_queue_rewrite_reports_io_error)
{
    struct bq_crossing a = sample(ID1, "entry");
    struct bq_queue q = {.items = &a, .n = 1};
    CHECK_INT(bq_rewrite("/nonexistent-dir/queue.jsonl", &q), -CRYPTO_E_IO);
}

TEST(border_queue_long_path_is_no_space)
{
    char longp[5000];
    memset(longp, 'a', sizeof longp - 1);
    longp[sizeof longp - 1] = '\0';
    struct bq_queue q = {0};
    int fd = -1;
    CHECK_INT(bq_rewrite(longp, &q), -ICAO_E_NO_SPACE);
    CHECK_INT(bq_lock(longp, &fd), -ICAO_E_NO_SPACE);
}

TEST(border_queue_lock_and_unlock)
{
    char dir[64], path[128];
    CHECK(tmp_queue(dir, sizeof dir, path, sizeof path));
    int fd = -1;
    CHECK_INT(bq_lock(path, &fd), 0);
    CHECK(fd >= 0);
    bq_unlock(fd);
    CHECK_INT(bq_lock("/nonexistent-dir/q", &fd), -CRYPTO_E_IO);
    rm_queue(dir, path);
}

/* Loads text as a queue; returns bq_load's code and the bad line. */
static int load_text(const char *text, size_t *bad)
{
    char dir[64], path[128];
    if (!tmp_queue(dir, sizeof dir, path, sizeof path) || !write_text(path, text))
        return 1;
    struct bq_queue q;
    int rc = bq_load(path, &q, bad);
    bq_free(&q);
    rm_queue(dir, path);
    return rc;
}

#define LINE1                                                                                      \
    "{\"crossing_id\":\"" ID1 "\",\"visa_number\":\"AZ0001234\",\"passport_number\":"              \
    "\"P1234567\",\"direction\":\"entry\",\"at\":1795000000,\"post\":\"GYD-1\"}\n"

TEST(border_queue_load_accepts_blank_lines_and_missing_status)
{
    size_t bad = 9;
    CHECK_INT(load_text("\n" LINE1 "  \n", &bad), 0);
    CHECK_INT(bad, 0);
}

TEST(border_queue_load_rejects_corrupt_line)
{
    size_t bad = 0;
    CHECK_INT(load_text(LINE1 "{\"crossing_id\":\"abc\n", &bad), -ICAO_E_BAD_FIELD);
    CHECK_INT(bad, 2);
    CHECK_INT(load_text("not json\n", &bad), -ICAO_E_BAD_FIELD);
    CHECK_INT(bad, 1);
}

TEST(border_queue_load_rejects_bad_status_and_stray_reason)
{
    size_t bad = 0;
    CHECK_INT(
        load_text("{\"crossing_id\":\"" ID1 "\",\"visa_number\":\"AZ1\",\"passport_number\":"
                  "\"P1\",\"direction\":\"exit\",\"at\":1,\"post\":\"X\",\"status\":\"lost\"}",
                  &bad),
        -ICAO_E_BAD_FIELD);
    CHECK_INT(load_text("{\"crossing_id\":\"" ID1 "\",\"visa_number\":\"AZ1\",\"passport_number\":"
                        "\"P1\",\"direction\":\"exit\",\"at\":1,\"post\":\"X\",\"status\":"
                        "\"synced\",\"reason\":\"x\"}",
                        &bad),
              -ICAO_E_BAD_FIELD);
}

TEST(border_queue_load_rejects_duplicate_crossing_id)
{
    size_t bad = 0;
    CHECK_INT(load_text(LINE1 LINE1, &bad), -ICAO_E_BAD_FIELD);
    CHECK_INT(bad, 2);
}

TEST(border_queue_status_names)
{
    CHECK_STR(bq_status_name(BQ_PENDING), "pending");
    CHECK_STR(bq_status_name(BQ_SYNCED), "synced");
    CHECK_STR(bq_status_name(BQ_REFUSED), "refused");
    CHECK(bq_status_name(BQ__MAX) == NULL);
}

TEST(border_queue_load_refuses_oversized_file)
{
    char dir[64], path[128];
    CHECK(tmp_queue(dir, sizeof dir, path, sizeof path));
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    CHECK(fd >= 0);
    CHECK_INT(ftruncate(fd, (off_t)BQ_FILE_MAX + 1), 0);
    close(fd);
    struct bq_queue q;
    CHECK_INT(bq_load(path, &q, NULL), -CRYPTO_E_TOO_LARGE);
    rm_queue(dir, path);
}
