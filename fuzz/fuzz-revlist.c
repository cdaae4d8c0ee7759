/*
 * fuzz-revlist.c — fuzz target for revlist_parse (verify/revlist.h): the
 * strict parser of signed revocation lists fetched from other States.  Every
 * parsed list is also queried (contains, freshness) and freed.
 */
#include <stddef.h>
#include <stdint.h>

#include "verify/revlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct revlist rl;
    if (revlist_parse(data, size, &rl) == 0) {
        if (rl.count > 0) {
            char first[REVLIST_NUMBER_LEN + 1];
            for (size_t i = 0; i < REVLIST_NUMBER_LEN; i++)
                first[i] = rl.numbers[i];
            first[REVLIST_NUMBER_LEN] = '\0';
            if (!revlist_contains(&rl, first))
                __builtin_trap();
        }
        (void)revlist_contains(&rl, "ZZZZZZZZZ");
        (void)revlist_fresh(&rl, (time_t)rl.issued);
    }
    revlist_free(&rl);
    return 0;
}
