/*
 * fuzz-translit.c — libFuzzer target for name transliteration
 * (src/icao/translit.c).  The input is a name in (possibly invalid) UTF-8;
 * the first byte, when present, also picks the profile.  Both entry points
 * run with a tiny, a small and a large output buffer; the target aborts if
 * the output holds anything but A-Z and '<', if a returned length disagrees
 * with strlen(out), if a part starts or ends with '<' or holds "<<", if a
 * buffer guard is overwritten, or if an error is not one the contract names.
 * The large buffer (2 * size + 8: no character yields more than two output
 * characters per input byte) must never give ICAO_E_NO_SPACE.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icao/icao_err.h"
#include "icao/translit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_output(int r, const char *out, size_t cap, bool whole, bool roomy)
{
    if (roomy && r == -ICAO_E_NO_SPACE)
        abort();
    if (r < 0) {
        if (r != -ICAO_E_BAD_UTF8 && r != -ICAO_E_UNMAPPED_CHAR && r != -ICAO_E_NO_SPACE)
            abort();
        if (cap > 0 && out[0] != '\0')
            abort();
        return;
    }
    size_t n = strlen(out);
    if (n != (size_t)r || n >= cap)
        abort();
    for (size_t i = 0; i < n; i++)
        if (!((out[i] >= 'A' && out[i] <= 'Z') || out[i] == '<'))
            abort();
    if (n > 0 && (out[0] == '<' || out[n - 1] == '<'))
        abort();
    if (!whole && strstr(out, "<<"))
        abort();
}

static void run(const char *in, size_t len, const struct translit_profile *p, size_t cap,
                bool whole, bool roomy)
{
    enum { GUARD = 8 };
    char *buf = malloc(cap + GUARD);
    if (!buf)
        return;
    memset(buf, 0x7F, cap + GUARD);
    int r = whole ? translit_name(in, len, p, buf, cap) : translit_name_part(in, len, p, buf, cap);
    check_output(r, buf, cap, whole, roomy);
    for (size_t i = cap; i < cap + GUARD; i++)
        if (buf[i] != 0x7F)
            abort();
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct translit_profile p = TRANSLIT_PROFILE_DEFAULT;
    if (size > 0) {
        p.umlaut_expand = (data[0] & 1) != 0;
        p.schwa = (data[0] & 2) ? 'E' : 'A';
    }
    const char *in = (const char *)data;
    const size_t caps[] = {1, 5, 2 * size + 8};
    for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
        run(in, size, &p, caps[c], false, c == 2);
        run(in, size, &p, caps[c], true, c == 2);
    }
    return 0;
}
