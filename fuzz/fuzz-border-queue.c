/*
 * fuzz-border-queue.c — fuzz target for bq_parse (visa/border_queue.h): the
 * strict parser of a border post's offline queue of crossings (JSON lines).
 * Every accepted crossing must pass bq_validate, and ids must be unique.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "visa/border_queue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bq_queue q;
    size_t bad_line;
    if (bq_parse((const char *)data, size, &q, &bad_line) == 0) {
        for (size_t i = 0; i < q.n; i++) {
            if (bq_validate(&q.items[i]) != 0)
                __builtin_trap();
            for (size_t j = i + 1; j < q.n; j++)
                if (!strcmp(q.items[i].crossing_id, q.items[j].crossing_id))
                    __builtin_trap();
        }
    }
    bq_free(&q);
    return 0;
}
