/*
 * test.h — the unit-test harness: TEST(name) defines and registers a test;
 * CHECK* macros record a failure (with file, line and the expression) and
 * end the test.  Helpers load the shared ICAO vectors (../shared/vectors,
 * or $EVISA_SHARED/vectors) with jansson.  One test per behaviour, named
 * after it.
 */
#ifndef EVISA_TEST_H
#define EVISA_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

struct test_case {
    const char *name;
    void (*fn)(void);
    struct test_case *next;
};

void test_register(struct test_case *tc);
void test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool test_failed(void);

#define TEST(name)                                                                                 \
    static void name(void);                                                                        \
    static struct test_case name##_case = {#name, name, NULL};                                     \
    __attribute__((constructor)) static void name##_register(void)                                 \
    {                                                                                              \
        test_register(&name##_case);                                                               \
    }                                                                                              \
    static void name(void)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            test_fail(__FILE__, __LINE__, "%s", #cond);                                            \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_INT(a, b)                                                                            \
    do {                                                                                           \
        long long check_a_ = (long long)(a), check_b_ = (long long)(b);                            \
        if (check_a_ != check_b_) {                                                                \
            test_fail(__FILE__, __LINE__, "%s == %s (%lld != %lld)", #a, #b, check_a_, check_b_);  \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *check_a_ = (a), *check_b_ = (b);                                               \
        if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {                           \
            test_fail(__FILE__, __LINE__, "%s == %s (\"%s\" != \"%s\")", #a, #b,                   \
                      check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)");             \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* Like CHECK but names a vector (or any context) and goes on looping. */
#define CHECK_CTX(cond, ctx)                                                                       \
    do {                                                                                           \
        if (!(cond))                                                                               \
            test_fail(__FILE__, __LINE__, "[%s] %s", (ctx), #cond);                                \
    } while (0)

/* Path of a file under the shared reference folder (vectors/..., spec/...). */
const char *test_shared_path(const char *rel, char *buf, size_t cap);

/* The "vectors" array of ../shared/vectors/<file>; NULL (and a test
 * failure) when it cannot be read.  Caller json_decref()s the root via
 * test_vectors_free(). */
json_t *test_load_vectors(const char *file, json_t **root);

/* Read a whole file into a malloc'd buffer (NUL-terminated); NULL on error. */
char *test_read_file(const char *path, size_t *len);

/* Hex text to bytes; returns the byte count or -1. */
long test_unhex(const char *hex, uint8_t *out, size_t cap);

/* A fresh empty temporary directory for the running test. */
const char *test_tmpdir(char *buf, size_t cap);

#endif
