/*
 * vds_date.h — calendar dates as VDS headers store them: the decimal number
 * MMDDYYYY in 3 bytes big-endian (spec §7.2), plus ISO "YYYY-MM-DD" text.
 */
#ifndef EVISA_VDS_DATE_H
#define EVISA_VDS_DATE_H

#include <stddef.h>
#include <stdint.h>

struct vds_date {
    uint16_t year; /* 1..9999 */
    uint8_t month; /* 1..12 */
    uint8_t day;   /* 1..days in month (leap years counted) */
};

/* 0 when d is a real calendar date, else -ICAO_E_BAD_DATE. */
int vds_date_check(struct vds_date d);

/* Writes the 3-byte encoding; -ICAO_E_BAD_DATE for an impossible date. */
int vds_date_encode(struct vds_date d, uint8_t out[3]);

/* Reads 3 bytes; -ICAO_E_BAD_DATE for an impossible date. */
int vds_date_decode(const uint8_t in[3], struct vds_date *d);

/* Parses exactly "YYYY-MM-DD"; -ICAO_E_BAD_DATE otherwise. */
int vds_date_parse_iso(const char *s, size_t n, struct vds_date *d);

/* Writes "YYYY-MM-DD" (out needs 11 bytes). */
void vds_date_format_iso(struct vds_date d, char out[11]);

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1..12;
 * H. Hinnant's days_from_civil; negative before 1970). */
int64_t days_from_civil(int64_t y, int m, int d);

/* 00:00 UTC of d as Unix seconds. */
int64_t vds_date_to_unix(struct vds_date d);

#endif
