/*
 * fuzz-visa-json.c — libFuzzer target for the CLI's JSON input: the bytes are
 * parsed with jansson and read as visa fields (visa_json_read), and a read
 * that succeeds is built into MRV-A and MRV-B lines, which must then parse
 * back with valid check digits.  Run libFuzzer with -close_fd_mask=2 to
 * hide the CLI's error lines.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/visa_json.h"
#include "icao/mrz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t e;
    json_t *obj = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &e);
    if (!obj)
        return 0;
    struct visa_json v;
    if (json_is_object(obj) && visa_json_read(obj, NULL, &v) == 0) {
        for (int f = MRZ_FORMAT_MRV_A; f <= MRZ_FORMAT_MRV_B; f++) {
            char l1[MRZ_LINE_MAX + 1], l2[MRZ_LINE_MAX + 1];
            if (mrz_build_visa((enum mrz_format)f, &v.mrv, l1, l2, NULL, NULL) != 0)
                continue;
            struct mrz_parsed p;
            if (mrz_parse(l1, strlen(l1), l2, strlen(l2), &p) != 0 || !p.valid ||
                p.format != (enum mrz_format)f)
                abort();
        }
    }
    json_decref(obj);
    return 0;
}
