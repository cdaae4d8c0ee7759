/*
 * fuzz-mrz.c — libFuzzer target for the MRZ parser: the input is split at
 * the first newline into two lines and parsed; a parse that succeeds must
 * give NUL-terminated fields of MRZ characters and a verdict consistent with
 * its check digits.  Also fits arbitrary name parts into a name field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icao/mrz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t len1 = nl ? (size_t)(nl - text) : size;
    const char *line2 = nl ? nl + 1 : text + size;
    size_t len2 = nl ? size - len1 - 1 : 0;
    struct mrz_parsed p;
    if (mrz_parse(text, len1, line2, len2, &p) == 0) {
        bool valid = true;
        for (int c = 0; c < MRZ_CHECK__MAX; c++)
            if (p.check_present[c] && !p.check_ok[c])
                valid = false;
        if (valid != p.valid || strlen(p.primary) >= sizeof p.primary)
            abort();
    }
    /* Name fitting: both parts must be in MRZ form; build them from the input. */
    char primary[64] = {0}, secondary[64] = {0}, out[40];
    size_t np = 0, ns = 0;
    for (size_t i = 0; i < size && (np < 63 || ns < 63); i++) {
        char c = (char)('A' + data[i] % 27);
        if (c > 'Z')
            c = '<';
        if (i % 2 == 0 && np < 63)
            primary[np++] = c;
        else if (ns < 63)
            secondary[ns++] = c;
    }
    /* Name parts never start or end with a filler. */
    while (np && primary[np - 1] == '<')
        np--;
    while (ns && secondary[ns - 1] == '<')
        ns--;
    primary[np] = secondary[ns] = '\0';
    if (np && primary[0] != '<' && (!ns || secondary[0] != '<')) {
        mrz_fit_name(primary, secondary, 31, out);
        if (strlen(out) != 31)
            abort();
        mrz_fit_name(primary, secondary, 39, out);
        if (strlen(out) != 39)
            abort();
    }
    return 0;
}
