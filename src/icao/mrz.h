/*
 * mrz.h — machine readable zones of ICAO Doc 9303: check digits (Part 3),
 * building visa MRZs MRV-A (2x44) and MRV-B (2x36) from fields (Part 7),
 * and parsing MRV-A, MRV-B and TD3 passport MRZs (Part 4) back into fields
 * with a verdict per check digit.  Pure functions on caller buffers.
 *
 * Name truncation follows spec §3.4: the full PRIMARY<<SECONDARY if it fits;
 * else, when the primary identifier alone leaves no room for "<<" and one
 * letter, PRIMARY[0:width-3] + "<<" + the secondary's initial (evisa policy);
 * else the full string cut at the field width.
 */
#ifndef EVISA_MRZ_H
#define EVISA_MRZ_H

#include <stdbool.h>
#include <stddef.h>

#include "icao/translit.h"

enum mrz_format { MRZ_FORMAT_MRV_A, MRZ_FORMAT_MRV_B, MRZ_FORMAT_TD3, MRZ_FORMAT__MAX };

struct mrz_format_info {
    const char *name;    /* "MRV-A", "MRV-B", "TD3" */
    size_t line_length;  /* 44 or 36 */
    size_t name_width;   /* 39 or 31 */
    size_t optional_len; /* optional data positions in line 2: 16, 8, 14 */
};
extern const struct mrz_format_info mrz_formats[MRZ_FORMAT__MAX];

/* The check digits a reader verifies; names as in the vectors. */
enum mrz_check {
    MRZ_CHECK_DOCUMENT_NUMBER,
    MRZ_CHECK_BIRTH,
    MRZ_CHECK_EXPIRY,
    MRZ_CHECK_OPTIONAL,  /* TD3 only */
    MRZ_CHECK_COMPOSITE, /* TD3 only */
    MRZ_CHECK__MAX
};
extern const char *const mrz_check_names[MRZ_CHECK__MAX];

#define MRZ_LINE_MAX 44

/* The check digit (0-9) over n MRZ characters, weights 7-3-1, '<' = 0.
 * -ICAO_E_BAD_CHARSET for a character outside A-Z 0-9 <. */
int mrz_check_digit(const char *s, size_t n);

/* Fields of a visa MRZ to build.  Every string is NUL-terminated. */
struct mrv_input {
    const char *document_code; /* "V" (default when NULL/empty), "V<", or V + a letter */
    const char *issuing_state; /* 1-3 letters, '<'-padded ("D" -> "D<<") */
    const char *primary;       /* UTF-8, any supported script, or MRZ form */
    const char *secondary;     /* UTF-8; may be empty */
    const char *number;        /* visa number, 1-9 of A-Z 0-9 */
    const char *nationality;   /* 1-3 letters */
    const char *birth;         /* YYMMDD; unknown day "YYMM<<", month+day "YY<<<<" */
    char sex;                  /* 'M', 'F', or '<' (also 'X' -> '<') */
    const char *expiry;        /* YYMMDD (valid until) */
    const char *optional;      /* optional data, may be NULL */
    struct translit_profile profile;
};

/* Which field a build failed on, for messages (NULL when not a field). */
struct mrz_build_error {
    const char *field; /* "primary", "birth", ... */
};

/* Builds the two lines of an MRV-A or MRV-B (format must be one of those).
 * line1/line2 receive NUL-terminated lines (44 or 36 characters).
 * *truncated tells whether the name was cut.  Returns 0, or
 * -ICAO_E_BAD_FIELD / -ICAO_E_BAD_LENGTH / -ICAO_E_BAD_DATE / a
 * transliteration error, with err->field naming the culprit. */
int mrz_build_visa(enum mrz_format format, const struct mrv_input *in, char line1[MRZ_LINE_MAX + 1],
                   char line2[MRZ_LINE_MAX + 1], bool *truncated, struct mrz_build_error *err);

/* Fits PRIMARY and SECONDARY (already in MRZ form: A-Z and '<' between
 * components) into a name field of `width` characters per the rules above.
 * out receives width characters plus NUL.  Returns 1 if cut, 0 if not. */
int mrz_fit_name(const char *primary, const char *secondary, size_t width, char *out);

/* A parsed MRZ.  Text fields are NUL-terminated; fillers in names become
 * single spaces (trailing fillers dropped); number and optional data lose
 * trailing fillers; state codes and dates are kept as printed. */
struct mrz_parsed {
    enum mrz_format format;
    char document_code[3];
    char issuing_state[4];
    char primary[40];
    char secondary[40];
    char number[10];
    char nationality[4];
    char birth[7];
    char sex[2];
    char expiry[7];
    char optional[17];
    bool check_present[MRZ_CHECK__MAX];
    bool check_ok[MRZ_CHECK__MAX];
    bool valid; /* every present check digit is right */
};

/* Parses a pair of MRZ lines, telling MRV-A, MRV-B and TD3 apart by the
 * document code and the line length.  Returns 0 (check results in *out,
 * even when some fail), -ICAO_E_BAD_LENGTH (lines of unequal or
 * unsupported length), -ICAO_E_BAD_CHARSET, or -ICAO_E_BAD_FIELD (a
 * document code that is neither a visa nor a passport). */
int mrz_parse(const char *line1, size_t len1, const char *line2, size_t len2,
              struct mrz_parsed *out);

#endif
