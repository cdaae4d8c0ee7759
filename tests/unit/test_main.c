/*
 * test_main.c — runs every registered unit test (or those whose name holds
 * argv[1]), prints one line per failure and ends with "N passed, M failed".
 */
#define _GNU_SOURCE
#include "test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static struct test_case *tests_head;
static struct test_case **tests_tail = &tests_head;
static const char *current_test;
static bool current_failed;

void test_register(struct test_case *tc)
{
    *tests_tail = tc;
    tests_tail = &tc->next;
}

void test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stdout, "FAIL %s (%s:%d): ", current_test, file, line);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    current_failed = true;
}

bool test_failed(void)
{
    return current_failed;
}

const char *test_shared_path(const char *rel, char *buf, size_t cap)
{
    const char *base = getenv("EVISA_SHARED");
    int n = snprintf(buf, cap, "%s/%s", base && *base ? base : "../shared", rel);
    if (n < 0 || (size_t)n >= cap)
        return NULL;
    return buf;
}

char *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n + 1 < cap)
            break;
        cap *= 2;
        char *nb = realloc(buf, cap);
        if (!nb) {
            free(buf);
            buf = NULL;
        }
        buf = nb;
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

json_t *test_load_vectors(const char *file, json_t **root)
{
    char rel[256], path[1024];
    snprintf(rel, sizeof rel, "vectors/%s", file);
    json_error_t err;
    *root = NULL;
    if (!test_shared_path(rel, path, sizeof path)) {
        test_fail(__FILE__, __LINE__, "path too long for %s", file);
        return NULL;
    }
    *root = json_load_file(path, 0, &err);
    if (!*root) {
        test_fail(__FILE__, __LINE__, "cannot load %s: %s", path, err.text);
        return NULL;
    }
    json_t *v = json_object_get(*root, "vectors");
    if (!json_is_array(v) || json_array_size(v) == 0) {
        test_fail(__FILE__, __LINE__, "%s has no vectors", path);
        return NULL;
    }
    return v;
}

long test_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex);
    if (n % 2 || n / 2 > cap)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (uint8_t)v;
    }
    return (long)(n / 2);
}

const char *test_tmpdir(char *buf, size_t cap)
{
    const char *base = getenv("TMPDIR");
    snprintf(buf, cap, "%s/evisa-test-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(buf);
}

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0;
    bool verbose = getenv("TEST_VERBOSE") != NULL;
    for (struct test_case *tc = tests_head; tc; tc = tc->next) {
        if (filter && !strstr(tc->name, filter))
            continue;
        current_test = tc->name;
        current_failed = false;
        tc->fn();
        if (current_failed) {
            failed++;
        } else {
            passed++;
            if (verbose)
                printf("ok   %s\n", tc->name);
        }
        fflush(stdout);
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
