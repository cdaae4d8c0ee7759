/*
 * icao_err.c — names and messages of the standards library's error codes,
 * one table indexed by enum icao_err.
 */
#include "icao_err.h"

static const struct {
    const char *code;
    const char *message;
} icao_errors[ICAO_E__MAX] = {
    [ICAO_OK] = {"ok", "no error"},
    [ICAO_E_BAD_UTF8] = {"bad_utf8", "the text is not valid UTF-8"},
    [ICAO_E_UNMAPPED_CHAR] = {"unmapped_char", "a character has no ICAO transliteration"},
    [ICAO_E_BAD_CHARSET] = {"bad_charset", "MRZ text may only hold A-Z, 0-9 and <"},
    [ICAO_E_BAD_LENGTH] = {"bad_length", "a line, field or length has the wrong size"},
    [ICAO_E_BAD_FIELD] = {"bad_field", "a field value is not acceptable"},
    [ICAO_E_BAD_C40] = {"bad_c40", "malformed C40 data"},
    [ICAO_E_BAD_DATE] = {"bad_date", "impossible date"},
    [ICAO_E_BAD_MAGIC] = {"bad_magic", "not a visible digital seal (first byte is not 0xDC)"},
    [ICAO_E_UNSUPPORTED_VERSION] = {"unsupported_version", "unsupported seal header version"},
    [ICAO_E_TRUNCATED] = {"truncated", "the data ends before a declared length"},
    [ICAO_E_MISSING_SIGNATURE] = {"missing_signature", "the seal has no signature zone"},
    [ICAO_E_TRAILING_DATA] = {"trailing_data", "bytes follow the signature"},
    [ICAO_E_MISSING_TAG] = {"missing_tag", "a mandatory visa field is missing"},
    [ICAO_E_TOO_MANY] = {"too_many_fields", "the seal holds more fields than allowed"},
    [ICAO_E_NO_SPACE] = {"no_space", "the result does not fit the output buffer"},
    [ICAO_E_EMPTY] = {"empty", "a required value is empty"},
};

const char *icao_err_code(int err)
{
    if (err < 0)
        err = -err;
    if (err >= ICAO_E__MAX)
        return "unknown";
    return icao_errors[err].code;
}

const char *icao_err_message(int err)
{
    if (err < 0)
        err = -err;
    if (err >= ICAO_E__MAX)
        return "unknown error";
    return icao_errors[err].message;
}
