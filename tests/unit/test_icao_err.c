/*
 * test_icao_err.c — the standards library's error names are stable.
 */
#include "test.h"

#include "icao/icao_err.h"

TEST(icao_err_names_are_stable_and_sign_agnostic)
{
    CHECK_STR(icao_err_code(-ICAO_E_BAD_C40), "bad_c40");
    CHECK_STR(icao_err_code(ICAO_E_TRUNCATED), "truncated");
    CHECK_STR(icao_err_code(ICAO_E__MAX), "unknown");
    for (int e = 0; e < ICAO_E__MAX; e++) {
        CHECK(icao_err_code(e) != NULL);
        CHECK(icao_err_message(e) != NULL);
    }
}
