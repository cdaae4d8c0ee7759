/*
 * border_queue.h — the offline queue of border crossings kept at a border
 * post (`evisa border record` / `evisa border sync`).  The queue is a file of
 * JSON lines, one crossing per line:
 *
 *   {"crossing_id":"<32 hex>","visa_number":"AZ0001234","passport_number":"P1234567",
 *    "direction":"entry"|"exit","at":<unix>,"post":"GYD-1","status":"pending"}
 *
 * status is "pending" (absent means pending too), "synced" (the server has
 * it) or "refused" (the server answered 409; "reason" holds its answer).
 * A new crossing is appended with one write() and fsync'd; statuses change
 * only by rewriting the whole file atomically (temporary file, fsync,
 * rename), so a crash leaves either the old or the new queue.  Writers of
 * one queue serialise on an advisory lock of the file "<queue>.lock".
 *
 * Returns: 0 (or a count) on success, or the negative of an enum icao_err
 * (ICAO_E_BAD_FIELD, ICAO_E_NO_SPACE) or of an enum
 * crypto_err (CRYPTO_E_IO, CRYPTO_E_TOO_LARGE, CRYPTO_E_INTERNAL).
 */
#ifndef EVISA_BORDER_QUEUE_H
#define EVISA_BORDER_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#define BQ_ID_HEX 32            /* hex characters of a crossing_id (16 random bytes) */
#define BQ_VISA_MAX 15          /* longest visa number */
#define BQ_PASSPORT_MAX 20      /* longest passport number */
#define BQ_POST_MAX 16          /* longest post code */
#define BQ_REASON_MAX 200       /* longest refusal reason kept (longer ones are cut) */
#define BQ_FILE_MAX (16u << 20) /* largest queue file read */

enum bq_status { BQ_PENDING, BQ_SYNCED, BQ_REFUSED, BQ__MAX };

struct bq_crossing {
    char crossing_id[BQ_ID_HEX + 1];
    char visa_number[BQ_VISA_MAX + 1];
    char passport_number[BQ_PASSPORT_MAX + 1];
    char direction[6]; /* "entry" or "exit" */
    int64_t at;        /* Unix time of the crossing, 0..253402300799 */
    char post[BQ_POST_MAX + 1];
    enum bq_status status;
    char reason[BQ_REASON_MAX + 1]; /* only for BQ_REFUSED */
};

struct bq_queue {
    struct bq_crossing *items;
    size_t n;
};

/* Stable name of a status: "pending", "synced", "refused"; NULL if out of range. */
const char *bq_status_name(enum bq_status s);

/* A fresh crossing_id: 16 bytes of RAND_bytes as 32 lower-case hex digits.
 * CRYPTO_E_INTERNAL when the RNG fails. */
int bq_new_id(char out[BQ_ID_HEX + 1]);

/* Checks every field: id 32 lower-case hex; visa number 1..15 and passport
 * number 1..20 of A-Z 0-9; direction "entry"|"exit"; at 0..253402300799;
 * post 1..16 of A-Z 0-9 '-'; status in range; reason printable ASCII.
 * 0 or ICAO_E_BAD_FIELD. */
int bq_validate(const struct bq_crossing *c);

/* The crossing as the JSON body of POST /api/v1/border/crossings
 * ({crossing_id, visa_number, passport_number, direction, at, post}); a
 * malloc'd string the caller frees, or NULL when out of memory. */
char *bq_request_json(const struct bq_crossing *c);

/* Takes the advisory write lock of "<path>.lock" (created 0600), waiting
 * for another holder; *fd receives the descriptor to pass to bq_unlock.
 * CRYPTO_E_IO, ICAO_E_NO_SPACE (path too long). */
int bq_lock(const char *path, int *fd);
void bq_unlock(int fd);

/* Appends c (validated first) as one JSON line to the queue at path,
 * creating it with mode 0600, and fsyncs it.  ICAO_E_BAD_FIELD, CRYPTO_E_IO,
 * CRYPTO_E_INTERNAL (out of memory). */
int bq_append(const char *path, const struct bq_crossing *c);

/* Loads the queue at path into q (a missing file is an empty queue); the
 * caller frees q with bq_free.  On ICAO_E_BAD_FIELD (a line that is not a
 * valid crossing, or a crossing_id seen twice) *bad_line (may be NULL) is
 * its 1-based number.  Blank lines are skipped.  CRYPTO_E_IO,
 * CRYPTO_E_TOO_LARGE (over BQ_FILE_MAX), CRYPTO_E_INTERNAL. */
int bq_load(const char *path, struct bq_queue *q, size_t *bad_line);
/* The parser under bq_load: the len bytes at buf (any bytes; no terminator
 * needed) as queue lines, with the same results except the I/O ones. */
int bq_parse(const char *buf, size_t len, struct bq_queue *q, size_t *bad_line);
void bq_free(struct bq_queue *q);

/* Replaces the queue at path by q atomically: writes "<path>.tmp.XXXXXX"
 * (mode 0600), fsyncs it, renames it over path and fsyncs the directory.
 * ICAO_E_BAD_FIELD (an invalid item; nothing is written), CRYPTO_E_IO,
 * ICAO_E_NO_SPACE, CRYPTO_E_INTERNAL. */
int bq_rewrite(const char *path, const struct bq_queue *q);

/* Counts of q's items by status, indexed by enum bq_status. */
void bq_count(const struct bq_queue *q, size_t counts[BQ__MAX]);

#endif
