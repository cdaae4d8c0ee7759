/*
 * vds_date.c — VDS header dates (spec §7.2): the decimal number MMDDYYYY in
 * three big-endian bytes, validated against the Gregorian calendar, plus
 * the ISO "YYYY-MM-DD" text form used in JSON and the CLI.
 */
#include "icao/vds_date.h"

#include <stdbool.h>

#include "icao/icao_err.h"

static bool is_leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && is_leap(y))
        return 29;
    return days[m - 1];
}

int vds_date_check(struct vds_date d)
{
    if (d.year < 1 || d.year > 9999 || d.month < 1 || d.month > 12 || d.day < 1)
        return -ICAO_E_BAD_DATE;
    if (d.day > days_in_month(d.year, d.month))
        return -ICAO_E_BAD_DATE;
    return 0;
}

int vds_date_encode(struct vds_date d, uint8_t out[3])
{
    if (vds_date_check(d) != 0)
        return -ICAO_E_BAD_DATE;
    uint32_t v = (uint32_t)d.month * 1000000u + (uint32_t)d.day * 10000u + d.year;
    out[0] = (uint8_t)(v >> 16);
    out[1] = (uint8_t)(v >> 8);
    out[2] = (uint8_t)v;
    return 0;
}

int vds_date_decode(const uint8_t in[3], struct vds_date *d)
{
    uint32_t v = ((uint32_t)in[0] << 16) | ((uint32_t)in[1] << 8) | in[2];
    uint32_t month = v / 1000000u, day = (v / 10000u) % 100u, year = v % 10000u;
    if (month > 12)
        return -ICAO_E_BAD_DATE;
    struct vds_date t = {(uint16_t)year, (uint8_t)month, (uint8_t)day};
    if (vds_date_check(t) != 0)
        return -ICAO_E_BAD_DATE;
    *d = t;
    return 0;
}

/* Value of n decimal digits at s, or -1 when one is not a digit. */
static int parse_digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int vds_date_parse_iso(const char *s, size_t n, struct vds_date *d)
{
    if (!s || n != 10 || s[4] != '-' || s[7] != '-')
        return -ICAO_E_BAD_DATE;
    int y = parse_digits(s, 4), m = parse_digits(s + 5, 2), day = parse_digits(s + 8, 2);
    if (y < 0 || m < 0 || day < 0)
        return -ICAO_E_BAD_DATE;
    struct vds_date t = {(uint16_t)y, (uint8_t)m, (uint8_t)day};
    if (vds_date_check(t) != 0)
        return -ICAO_E_BAD_DATE;
    *d = t;
    return 0;
}

void vds_date_format_iso(struct vds_date d, char out[11])
{
    unsigned y = d.year % 10000u, m = d.month % 100u, day = d.day % 100u;
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + (y / 100) % 10);
    out[2] = (char)('0' + (y / 10) % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + day / 10);
    out[9] = (char)('0' + day % 10);
    out[10] = '\0';
}

int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t vds_date_to_unix(struct vds_date d)
{
    return days_from_civil(d.year, d.month, d.day) * 86400;
}
