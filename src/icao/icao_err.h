/*
 * icao_err.h — error codes of the standards library (src/icao).
 *
 * Every function of the library that can fail returns 0 on success or the
 * negative of one of these codes.  Each code has a stable lower-case name
 * (used in JSON output, test vectors and the CLI's "evisa: <code>: ..." lines)
 * and a short English message for people.  Codes never change meaning; new
 * ones are appended before ICAO_E__MAX.
 */
#ifndef EVISA_ICAO_ERR_H
#define EVISA_ICAO_ERR_H

enum icao_err {
    ICAO_OK = 0,
    ICAO_E_BAD_UTF8,            /* input is not valid UTF-8 */
    ICAO_E_UNMAPPED_CHAR,       /* a character has no transliteration */
    ICAO_E_BAD_CHARSET,         /* MRZ text outside A-Z 0-9 < */
    ICAO_E_BAD_LENGTH,          /* wrong line/field length, non-minimal DER */
    ICAO_E_BAD_FIELD,           /* a field value is not acceptable */
    ICAO_E_BAD_C40,             /* malformed C40 data */
    ICAO_E_BAD_DATE,            /* impossible date */
    ICAO_E_BAD_MAGIC,           /* seal does not start with 0xDC */
    ICAO_E_UNSUPPORTED_VERSION, /* seal header version not 3 or 4 */
    ICAO_E_TRUNCATED,           /* a length runs past the end of the data */
    ICAO_E_MISSING_SIGNATURE,   /* no 0xFF signature zone */
    ICAO_E_TRAILING_DATA,       /* bytes after the signature */
    ICAO_E_MISSING_TAG,         /* a mandatory visa message tag is absent */
    ICAO_E_TOO_MANY,            /* more message fields than the decoder holds */
    ICAO_E_NO_SPACE,            /* output buffer too small */
    ICAO_E_EMPTY,               /* required input is empty */
    ICAO_E__MAX
};

/* Stable code name, e.g. "bad_c40"; "unknown" for anything out of range.
 * Accepts the code with either sign. */
const char *icao_err_code(int err);

/* A short English sentence describing the code. */
const char *icao_err_message(int err);

#endif
