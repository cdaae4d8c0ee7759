/*
 * mrz.c — check digits, visa MRZ building (MRV-A, MRV-B) and MRZ parsing
 * (MRV-A, MRV-B, TD3).  See mrz.h for the rules; positions in comments are
 * 1-based as in Doc 9303.
 */
#include "icao/mrz.h"

#include <string.h>

#include "icao/icao_err.h"

const struct mrz_format_info mrz_formats[MRZ_FORMAT__MAX] = {
    [MRZ_FORMAT_MRV_A] = {"MRV-A", 44, 39, 16},
    [MRZ_FORMAT_MRV_B] = {"MRV-B", 36, 31, 8},
    [MRZ_FORMAT_TD3] = {"TD3", 44, 39, 14},
};

const char *const mrz_check_names[MRZ_CHECK__MAX] = {
    [MRZ_CHECK_DOCUMENT_NUMBER] = "document_number",
    [MRZ_CHECK_BIRTH] = "birth",
    [MRZ_CHECK_EXPIRY] = "expiry",
    [MRZ_CHECK_OPTIONAL] = "optional",
    [MRZ_CHECK_COMPOSITE] = "composite",
};

static int mrz_char_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    if (c == '<')
        return 0;
    return -1;
}

static bool is_mrz_char(char c)
{
    return mrz_char_value(c) >= 0;
}

int mrz_check_digit(const char *s, size_t n)
{
    static const int weights[3] = {7, 3, 1};
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int v = mrz_char_value(s[i]);
        if (v < 0)
            return -ICAO_E_BAD_CHARSET;
        sum += v * weights[i % 3];
    }
    return sum % 10;
}

/* ---- building ---------------------------------------------------------- */

/* Copies a code field (A-Z, 0-9 when digits_ok) left-aligned into out[width]
 * padded with '<'; ASCII lower case is upper-cased.  A '<' inside the value
 * is kept (e.g. "D<<").  Returns 0 or a negative error. */
static int put_code(const char *value, size_t width, bool digits_ok, bool letters_ok, char *out)
{
    size_t n = value ? strlen(value) : 0;
    if (n == 0)
        return -ICAO_E_EMPTY;
    if (n > width)
        return -ICAO_E_BAD_LENGTH;
    for (size_t i = 0; i < width; i++) {
        char c = i < n ? value[i] : '<';
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        bool ok =
            c == '<' || (digits_ok && c >= '0' && c <= '9') || (letters_ok && c >= 'A' && c <= 'Z');
        if (!ok)
            return -ICAO_E_BAD_CHARSET;
        out[i] = c;
    }
    return 0;
}

static int two_digits(const char *s)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Checks a YYMMDD date; unknown parts as fillers when allow_unknown.
 * 29 February is accepted in any year: the shared vectors build MRZs with
 * such birth dates, and the MRZ does not carry the century.  Callers that
 * hold full dates (the CLI, the web forms) check the real calendar first. */
static int check_yymmdd(const char *d, bool allow_unknown)
{
    if (!d || strlen(d) != 6)
        return -ICAO_E_BAD_LENGTH;
    int yy = two_digits(d), mm = two_digits(d + 2), dd = two_digits(d + 4);
    if (yy < 0)
        return -ICAO_E_BAD_DATE;
    if (allow_unknown && !memcmp(d + 2, "<<<<", 4))
        return 0;
    if (mm < 1 || mm > 12)
        return -ICAO_E_BAD_DATE;
    if (allow_unknown && !memcmp(d + 4, "<<", 2))
        return 0;
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (dd < 1 || dd > mdays[mm - 1])
        return -ICAO_E_BAD_DATE;
    return 0;
}

static bool all_mrz_name_chars(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || *s == '<'))
            return false;
    return true;
}

/* A name part in MRZ form: taken as is when it already is (e.g. copied from
 * the passport MRZ), else transliterated. */
static int name_part(const char *utf8, const struct translit_profile *p, char *out, size_t cap)
{
    size_t n = utf8 ? strlen(utf8) : 0;
    if (n && all_mrz_name_chars(utf8)) {
        /* Strip fillers at the ends and collapse runs, as transliteration does. */
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
            if (utf8[i] == '<' && (o == 0 || out[o - 1] == '<'))
                continue;
            if (o + 1 >= cap)
                return -ICAO_E_NO_SPACE;
            out[o++] = utf8[i];
        }
        while (o && out[o - 1] == '<')
            o--;
        out[o] = '\0';
        return (int)o;
    }
    return translit_name_part(utf8 ? utf8 : "", n, p, out, cap);
}

int mrz_fit_name(const char *primary, const char *secondary, size_t width, char *out)
{
    size_t pl = strlen(primary), sl = strlen(secondary);
    size_t full = sl ? pl + 2 + sl : pl;
    int cut = 0;
    size_t o = 0;
    if (full <= width) {
        memcpy(out, primary, pl);
        o = pl;
        if (sl) {
            memcpy(out + o, "<<", 2);
            memcpy(out + o + 2, secondary, sl);
            o += 2 + sl;
        }
    } else if (pl + 3 > width) {
        cut = 1;
        if (sl) {
            memcpy(out, primary, width - 3);
            memcpy(out + width - 3, "<<", 2);
            out[width - 1] = secondary[0];
        } else {
            memcpy(out, primary, width);
        }
        o = width;
    } else {
        cut = 1;
        memcpy(out, primary, pl);
        memcpy(out + pl, "<<", 2);
        memcpy(out + pl + 2, secondary, width - pl - 2);
        o = width;
    }
    memset(out + o, '<', width - o);
    out[width] = '\0';
    return cut;
}

#define FAIL_FIELD(name, code)                                                                     \
    do {                                                                                           \
        if (err)                                                                                   \
            err->field = (name);                                                                   \
        return (code);                                                                             \
    } while (0)

int mrz_build_visa(enum mrz_format format, const struct mrv_input *in, char line1[MRZ_LINE_MAX + 1],
                   char line2[MRZ_LINE_MAX + 1], bool *truncated, struct mrz_build_error *err)
{
    if (err)
        err->field = NULL;
    if (format != MRZ_FORMAT_MRV_A && format != MRZ_FORMAT_MRV_B)
        FAIL_FIELD("format", -ICAO_E_BAD_FIELD);
    const struct mrz_format_info *fi = &mrz_formats[format];
    int rc;

    /* Line 1: document code, issuing state, name. */
    const char *code = in->document_code && *in->document_code ? in->document_code : "V";
    if ((rc = put_code(code, 2, false, true, line1)) < 0)
        FAIL_FIELD("document_code", rc);
    if (line1[0] != 'V')
        FAIL_FIELD("document_code", -ICAO_E_BAD_FIELD);
    if ((rc = put_code(in->issuing_state, 3, false, true, line1 + 2)) < 0)
        FAIL_FIELD("issuing_state", rc);

    char primary[128], secondary[128];
    if ((rc = name_part(in->primary, &in->profile, primary, sizeof primary)) < 0)
        FAIL_FIELD("primary_identifier", rc == -ICAO_E_NO_SPACE ? -ICAO_E_BAD_LENGTH : rc);
    if (rc == 0)
        FAIL_FIELD("primary_identifier", -ICAO_E_EMPTY);
    if ((rc = name_part(in->secondary, &in->profile, secondary, sizeof secondary)) < 0)
        FAIL_FIELD("secondary_identifier", rc == -ICAO_E_NO_SPACE ? -ICAO_E_BAD_LENGTH : rc);
    int cut = mrz_fit_name(primary, secondary, fi->name_width, line1 + 5);
    if (truncated)
        *truncated = cut != 0;

    /* Line 2: number+cd, nationality, birth+cd, sex, expiry+cd, optional. */
    char *l2 = line2;
    if ((rc = put_code(in->number, 9, true, true, l2)) < 0)
        FAIL_FIELD("document_number", rc);
    l2[9] = (char)('0' + mrz_check_digit(l2, 9));
    if ((rc = put_code(in->nationality, 3, false, true, l2 + 10)) < 0)
        FAIL_FIELD("nationality", rc);
    if ((rc = check_yymmdd(in->birth, true)) < 0)
        FAIL_FIELD("date_of_birth", rc);
    memcpy(l2 + 13, in->birth, 6);
    l2[19] = (char)('0' + mrz_check_digit(l2 + 13, 6));
    char sex = in->sex == 'X' || in->sex == 'x' ? '<' : in->sex;
    if (sex == 'm' || sex == 'f')
        sex = (char)(sex - 'a' + 'A');
    if (sex != 'M' && sex != 'F' && sex != '<')
        FAIL_FIELD("sex", -ICAO_E_BAD_FIELD);
    l2[20] = sex;
    if ((rc = check_yymmdd(in->expiry, false)) < 0)
        FAIL_FIELD("valid_until", rc);
    memcpy(l2 + 21, in->expiry, 6);
    l2[27] = (char)('0' + mrz_check_digit(l2 + 21, 6));
    if (in->optional && *in->optional) {
        if ((rc = put_code(in->optional, fi->optional_len, true, true, l2 + 28)) < 0)
            FAIL_FIELD("optional_data", rc);
    } else {
        memset(l2 + 28, '<', fi->optional_len);
    }
    line1[fi->line_length] = '\0';
    line2[fi->line_length] = '\0';
    return 0;
}

/* ---- parsing ----------------------------------------------------------- */

/* Copies n characters, turning runs of fillers into one space and dropping
 * fillers at the ends (names). */
static void copy_name(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        if (s[i] == '<') {
            if (o && out[o - 1] != ' ')
                out[o++] = ' ';
        } else {
            out[o++] = s[i];
        }
    }
    while (o && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
}

/* Copies n characters dropping trailing fillers (numbers, optional data). */
static void copy_trimmed(const char *s, size_t n, char *out)
{
    while (n && s[n - 1] == '<')
        n--;
    memcpy(out, s, n);
    out[n] = '\0';
}

static void copy_raw(const char *s, size_t n, char *out)
{
    memcpy(out, s, n);
    out[n] = '\0';
}

static void set_check(struct mrz_parsed *p, enum mrz_check c, const char *field, size_t n, char cd)
{
    p->check_present[c] = true;
    int want = mrz_check_digit(field, n);
    p->check_ok[c] = want >= 0 && cd == (char)('0' + want);
}

static void split_name(const char *field, size_t width, struct mrz_parsed *p)
{
    const char *sep = NULL;
    for (size_t i = 0; i + 1 < width; i++)
        if (field[i] == '<' && field[i + 1] == '<') {
            sep = field + i;
            break;
        }
    if (!sep) {
        copy_name(field, width, p->primary, sizeof p->primary);
        p->secondary[0] = '\0';
        return;
    }
    copy_name(field, (size_t)(sep - field), p->primary, sizeof p->primary);
    copy_name(sep + 2, width - (size_t)(sep - field) - 2, p->secondary, sizeof p->secondary);
}

int mrz_parse(const char *line1, size_t len1, const char *line2, size_t len2,
              struct mrz_parsed *out)
{
    memset(out, 0, sizeof *out);
    if (len1 != len2 || (len1 != 44 && len1 != 36))
        return -ICAO_E_BAD_LENGTH;
    for (size_t i = 0; i < len1; i++)
        if (!is_mrz_char(line1[i]) || !is_mrz_char(line2[i]))
            return -ICAO_E_BAD_CHARSET;

    if (line1[0] == 'V')
        out->format = len1 == 44 ? MRZ_FORMAT_MRV_A : MRZ_FORMAT_MRV_B;
    else if (line1[0] == 'P' && len1 == 44)
        out->format = MRZ_FORMAT_TD3;
    else
        return -ICAO_E_BAD_FIELD;
    const struct mrz_format_info *fi = &mrz_formats[out->format];

    copy_raw(line1, 2, out->document_code);
    copy_raw(line1 + 2, 3, out->issuing_state);
    split_name(line1 + 5, fi->name_width, out);

    copy_trimmed(line2, 9, out->number);
    set_check(out, MRZ_CHECK_DOCUMENT_NUMBER, line2, 9, line2[9]);
    copy_raw(line2 + 10, 3, out->nationality);
    copy_raw(line2 + 13, 6, out->birth);
    set_check(out, MRZ_CHECK_BIRTH, line2 + 13, 6, line2[19]);
    copy_raw(line2 + 20, 1, out->sex);
    copy_raw(line2 + 21, 6, out->expiry);
    set_check(out, MRZ_CHECK_EXPIRY, line2 + 21, 6, line2[27]);
    copy_trimmed(line2 + 28, fi->optional_len, out->optional);

    if (out->format == MRZ_FORMAT_TD3) {
        /* Position 43: check digit over 29-42; '<' or '0' when all fillers. */
        bool empty = true;
        for (size_t i = 28; i < 42; i++)
            empty = empty && line2[i] == '<';
        if (empty && (line2[42] == '<' || line2[42] == '0')) {
            out->check_present[MRZ_CHECK_OPTIONAL] = true;
            out->check_ok[MRZ_CHECK_OPTIONAL] = true;
        } else {
            set_check(out, MRZ_CHECK_OPTIONAL, line2 + 28, 14, line2[42]);
        }
        /* Composite over 1-10, 14-20 and 22-43. */
        char comp[10 + 7 + 22];
        memcpy(comp, line2, 10);
        memcpy(comp + 10, line2 + 13, 7);
        memcpy(comp + 17, line2 + 21, 22);
        set_check(out, MRZ_CHECK_COMPOSITE, comp, sizeof comp, line2[43]);
    }
    out->valid = true;
    for (int c = 0; c < MRZ_CHECK__MAX; c++)
        if (out->check_present[c] && !out->check_ok[c])
            out->valid = false;
    return 0;
}
