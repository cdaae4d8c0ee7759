/*
 * translit.c — names in UTF-8 to MRZ characters (ICAO Doc 9303 Part 3,
 * spec §3.2 punctuation and §3.3 Tables A and C, plus Cyrillic).
 *
 * One sorted table maps a code point to what it becomes: letters (with a
 * fixed replacement, an umlaut pair or the schwa letter of the profile),
 * separators (→ one '<') and characters that are silently removed.  Lookup
 * is a binary search; ASCII letters never reach the table.  A strict UTF-8
 * decoder runs in front of it; decomposed combining marks U+0300..U+036F are
 * dropped after a Latin or Cyrillic letter, except that A/O/U + diaeresis and
 * A + ring are recomposed so the umlaut option applies to them too.
 */
#include "icao/translit.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "icao/icao_err.h"

const struct translit_profile TRANSLIT_PROFILE_DEFAULT = {true, 'A'};

enum tr_kind {
    TR_MAP,    /* letter: rep is its MRZ form */
    TR_UMLAUT, /* letter with two Table A forms: rep is the long one, rep[0] the short one */
    TR_SCHWA,  /* Ə ə Ә ә: the profile's schwa letter */
    TR_DROP,   /* removed (apostrophes, commas, invisible format characters, Ь, shadda...) */
    TR_SEP,    /* separator: space, hyphen → '<' */
};

struct tr_row {
    uint32_t cp;
    uint8_t kind; /* enum tr_kind */
    char rep[5];  /* NUL-terminated; longest is "SHCH" */
};

/* Sorted by code point (tr_lookup does a binary search).  A code point that
 * is not here and is not an ASCII letter is unmapped. */
static const struct tr_row TR_TABLE[] = {
    /* ASCII punctuation (letters A-Z a-z are handled before the table). */
    {0x0020, TR_SEP, ""},  /* space */
    {0x0027, TR_DROP, ""}, /* apostrophe */
    {0x002C, TR_DROP, ""}, /* comma */
    {0x002D, TR_SEP, ""},  /* hyphen-minus */
    {0x0060, TR_DROP, ""}, /* grave accent used as apostrophe */
    /* Latin-1 Supplement (Table A).  TR_UMLAUT rows: long form here, short form = first letter. */
    {0x00A0, TR_SEP, ""},      /* no-break space */
    {0x00AD, TR_DROP, ""},     /* soft hyphen */
    {0x00B4, TR_DROP, ""},     /* acute accent used as apostrophe */
    {0x00C0, TR_MAP, "A"},     /* À */
    {0x00C1, TR_MAP, "A"},     /* Á */
    {0x00C2, TR_MAP, "A"},     /* Â */
    {0x00C3, TR_MAP, "A"},     /* Ã */
    {0x00C4, TR_UMLAUT, "AE"}, /* Ä */
    {0x00C5, TR_UMLAUT, "AA"}, /* Å */
    {0x00C6, TR_MAP, "AE"},    /* Æ */
    {0x00C7, TR_MAP, "C"},     /* Ç */
    {0x00C8, TR_MAP, "E"},     /* È */
    {0x00C9, TR_MAP, "E"},     /* É */
    {0x00CA, TR_MAP, "E"},     /* Ê */
    {0x00CB, TR_MAP, "E"},     /* Ë */
    {0x00CC, TR_MAP, "I"},     /* Ì */
    {0x00CD, TR_MAP, "I"},     /* Í */
    {0x00CE, TR_MAP, "I"},     /* Î */
    {0x00CF, TR_MAP, "I"},     /* Ï */
    {0x00D0, TR_MAP, "D"},     /* Ð */
    {0x00D1, TR_MAP, "N"},     /* Ñ */
    {0x00D2, TR_MAP, "O"},     /* Ò */
    {0x00D3, TR_MAP, "O"},     /* Ó */
    {0x00D4, TR_MAP, "O"},     /* Ô */
    {0x00D5, TR_MAP, "O"},     /* Õ */
    {0x00D6, TR_UMLAUT, "OE"}, /* Ö */
    {0x00D8, TR_UMLAUT, "OE"}, /* Ø */
    {0x00D9, TR_MAP, "U"},     /* Ù */
    {0x00DA, TR_MAP, "U"},     /* Ú */
    {0x00DB, TR_MAP, "U"},     /* Û */
    {0x00DC, TR_UMLAUT, "UE"}, /* Ü */
    {0x00DD, TR_MAP, "Y"},     /* Ý */
    {0x00DE, TR_MAP, "TH"},    /* Þ */
    {0x00DF, TR_MAP, "SS"},    /* ß */
    {0x00E0, TR_MAP, "A"},     /* à */
    {0x00E1, TR_MAP, "A"},     /* á */
    {0x00E2, TR_MAP, "A"},     /* â */
    {0x00E3, TR_MAP, "A"},     /* ã */
    {0x00E4, TR_UMLAUT, "AE"}, /* ä */
    {0x00E5, TR_UMLAUT, "AA"}, /* å */
    {0x00E6, TR_MAP, "AE"},    /* æ */
    {0x00E7, TR_MAP, "C"},     /* ç */
    {0x00E8, TR_MAP, "E"},     /* è */
    {0x00E9, TR_MAP, "E"},     /* é */
    {0x00EA, TR_MAP, "E"},     /* ê */
    {0x00EB, TR_MAP, "E"},     /* ë */
    {0x00EC, TR_MAP, "I"},     /* ì */
    {0x00ED, TR_MAP, "I"},     /* í */
    {0x00EE, TR_MAP, "I"},     /* î */
    {0x00EF, TR_MAP, "I"},     /* ï */
    {0x00F0, TR_MAP, "D"},     /* ð */
    {0x00F1, TR_MAP, "N"},     /* ñ */
    {0x00F2, TR_MAP, "O"},     /* ò */
    {0x00F3, TR_MAP, "O"},     /* ó */
    {0x00F4, TR_MAP, "O"},     /* ô */
    {0x00F5, TR_MAP, "O"},     /* õ */
    {0x00F6, TR_UMLAUT, "OE"}, /* ö */
    {0x00F8, TR_UMLAUT, "OE"}, /* ø */
    {0x00F9, TR_MAP, "U"},     /* ù */
    {0x00FA, TR_MAP, "U"},     /* ú */
    {0x00FB, TR_MAP, "U"},     /* û */
    {0x00FC, TR_UMLAUT, "UE"}, /* ü */
    {0x00FD, TR_MAP, "Y"},     /* ý */
    {0x00FE, TR_MAP, "TH"},    /* þ */
    {0x00FF, TR_MAP, "Y"},     /* ÿ */
    /* Latin Extended-A (Table A), complete.  ĸ (kra) → Q follows the 1973 Greenlandic
     * spelling reform (ĸ became q); Part 3 has no row for it. */
    {0x0100, TR_MAP, "A"},  /* Ā */
    {0x0101, TR_MAP, "A"},  /* ā */
    {0x0102, TR_MAP, "A"},  /* Ă */
    {0x0103, TR_MAP, "A"},  /* ă */
    {0x0104, TR_MAP, "A"},  /* Ą */
    {0x0105, TR_MAP, "A"},  /* ą */
    {0x0106, TR_MAP, "C"},  /* Ć */
    {0x0107, TR_MAP, "C"},  /* ć */
    {0x0108, TR_MAP, "C"},  /* Ĉ */
    {0x0109, TR_MAP, "C"},  /* ĉ */
    {0x010A, TR_MAP, "C"},  /* Ċ */
    {0x010B, TR_MAP, "C"},  /* ċ */
    {0x010C, TR_MAP, "C"},  /* Č */
    {0x010D, TR_MAP, "C"},  /* č */
    {0x010E, TR_MAP, "D"},  /* Ď */
    {0x010F, TR_MAP, "D"},  /* ď */
    {0x0110, TR_MAP, "D"},  /* Đ */
    {0x0111, TR_MAP, "D"},  /* đ */
    {0x0112, TR_MAP, "E"},  /* Ē */
    {0x0113, TR_MAP, "E"},  /* ē */
    {0x0114, TR_MAP, "E"},  /* Ĕ */
    {0x0115, TR_MAP, "E"},  /* ĕ */
    {0x0116, TR_MAP, "E"},  /* Ė */
    {0x0117, TR_MAP, "E"},  /* ė */
    {0x0118, TR_MAP, "E"},  /* Ę */
    {0x0119, TR_MAP, "E"},  /* ę */
    {0x011A, TR_MAP, "E"},  /* Ě */
    {0x011B, TR_MAP, "E"},  /* ě */
    {0x011C, TR_MAP, "G"},  /* Ĝ */
    {0x011D, TR_MAP, "G"},  /* ĝ */
    {0x011E, TR_MAP, "G"},  /* Ğ */
    {0x011F, TR_MAP, "G"},  /* ğ */
    {0x0120, TR_MAP, "G"},  /* Ġ */
    {0x0121, TR_MAP, "G"},  /* ġ */
    {0x0122, TR_MAP, "G"},  /* Ģ */
    {0x0123, TR_MAP, "G"},  /* ģ */
    {0x0124, TR_MAP, "H"},  /* Ĥ */
    {0x0125, TR_MAP, "H"},  /* ĥ */
    {0x0126, TR_MAP, "H"},  /* Ħ */
    {0x0127, TR_MAP, "H"},  /* ħ */
    {0x0128, TR_MAP, "I"},  /* Ĩ */
    {0x0129, TR_MAP, "I"},  /* ĩ */
    {0x012A, TR_MAP, "I"},  /* Ī */
    {0x012B, TR_MAP, "I"},  /* ī */
    {0x012C, TR_MAP, "I"},  /* Ĭ */
    {0x012D, TR_MAP, "I"},  /* ĭ */
    {0x012E, TR_MAP, "I"},  /* Į */
    {0x012F, TR_MAP, "I"},  /* į */
    {0x0130, TR_MAP, "I"},  /* İ */
    {0x0131, TR_MAP, "I"},  /* ı */
    {0x0132, TR_MAP, "IJ"}, /* Ĳ */
    {0x0133, TR_MAP, "IJ"}, /* ĳ */
    {0x0134, TR_MAP, "J"},  /* Ĵ */
    {0x0135, TR_MAP, "J"},  /* ĵ */
    {0x0136, TR_MAP, "K"},  /* Ķ */
    {0x0137, TR_MAP, "K"},  /* ķ */
    {0x0138, TR_MAP, "Q"},  /* ĸ */
    {0x0139, TR_MAP, "L"},  /* Ĺ */
    {0x013A, TR_MAP, "L"},  /* ĺ */
    {0x013B, TR_MAP, "L"},  /* Ļ */
    {0x013C, TR_MAP, "L"},  /* ļ */
    {0x013D, TR_MAP, "L"},  /* Ľ */
    {0x013E, TR_MAP, "L"},  /* ľ */
    {0x013F, TR_MAP, "L"},  /* Ŀ */
    {0x0140, TR_MAP, "L"},  /* ŀ */
    {0x0141, TR_MAP, "L"},  /* Ł */
    {0x0142, TR_MAP, "L"},  /* ł */
    {0x0143, TR_MAP, "N"},  /* Ń */
    {0x0144, TR_MAP, "N"},  /* ń */
    {0x0145, TR_MAP, "N"},  /* Ņ */
    {0x0146, TR_MAP, "N"},  /* ņ */
    {0x0147, TR_MAP, "N"},  /* Ň */
    {0x0148, TR_MAP, "N"},  /* ň */
    {0x0149, TR_MAP, "N"},  /* ŉ */
    {0x014A, TR_MAP, "N"},  /* Ŋ */
    {0x014B, TR_MAP, "N"},  /* ŋ */
    {0x014C, TR_MAP, "O"},  /* Ō */
    {0x014D, TR_MAP, "O"},  /* ō */
    {0x014E, TR_MAP, "O"},  /* Ŏ */
    {0x014F, TR_MAP, "O"},  /* ŏ */
    {0x0150, TR_MAP, "O"},  /* Ő */
    {0x0151, TR_MAP, "O"},  /* ő */
    {0x0152, TR_MAP, "OE"}, /* Œ */
    {0x0153, TR_MAP, "OE"}, /* œ */
    {0x0154, TR_MAP, "R"},  /* Ŕ */
    {0x0155, TR_MAP, "R"},  /* ŕ */
    {0x0156, TR_MAP, "R"},  /* Ŗ */
    {0x0157, TR_MAP, "R"},  /* ŗ */
    {0x0158, TR_MAP, "R"},  /* Ř */
    {0x0159, TR_MAP, "R"},  /* ř */
    {0x015A, TR_MAP, "S"},  /* Ś */
    {0x015B, TR_MAP, "S"},  /* ś */
    {0x015C, TR_MAP, "S"},  /* Ŝ */
    {0x015D, TR_MAP, "S"},  /* ŝ */
    {0x015E, TR_MAP, "S"},  /* Ş */
    {0x015F, TR_MAP, "S"},  /* ş */
    {0x0160, TR_MAP, "S"},  /* Š */
    {0x0161, TR_MAP, "S"},  /* š */
    {0x0162, TR_MAP, "T"},  /* Ţ */
    {0x0163, TR_MAP, "T"},  /* ţ */
    {0x0164, TR_MAP, "T"},  /* Ť */
    {0x0165, TR_MAP, "T"},  /* ť */
    {0x0166, TR_MAP, "T"},  /* Ŧ */
    {0x0167, TR_MAP, "T"},  /* ŧ */
    {0x0168, TR_MAP, "U"},  /* Ũ */
    {0x0169, TR_MAP, "U"},  /* ũ */
    {0x016A, TR_MAP, "U"},  /* Ū */
    {0x016B, TR_MAP, "U"},  /* ū */
    {0x016C, TR_MAP, "U"},  /* Ŭ */
    {0x016D, TR_MAP, "U"},  /* ŭ */
    {0x016E, TR_MAP, "U"},  /* Ů */
    {0x016F, TR_MAP, "U"},  /* ů */
    {0x0170, TR_MAP, "U"},  /* Ű */
    {0x0171, TR_MAP, "U"},  /* ű */
    {0x0172, TR_MAP, "U"},  /* Ų */
    {0x0173, TR_MAP, "U"},  /* ų */
    {0x0174, TR_MAP, "W"},  /* Ŵ */
    {0x0175, TR_MAP, "W"},  /* ŵ */
    {0x0176, TR_MAP, "Y"},  /* Ŷ */
    {0x0177, TR_MAP, "Y"},  /* ŷ */
    {0x0178, TR_MAP, "Y"},  /* Ÿ */
    {0x0179, TR_MAP, "Z"},  /* Ź */
    {0x017A, TR_MAP, "Z"},  /* ź */
    {0x017B, TR_MAP, "Z"},  /* Ż */
    {0x017C, TR_MAP, "Z"},  /* ż */
    {0x017D, TR_MAP, "Z"},  /* Ž */
    {0x017E, TR_MAP, "Z"},  /* ž */
    {0x017F, TR_MAP, "S"},  /* ſ */
    /* Latin Extended-B: the letters used by Azerbaijani, Romanian, Vietnamese digraphs etc. */
    {0x018F, TR_SCHWA, ""}, /* Ə Azerbaijani schwa: no ICAO row, profile letter */
    {0x01A0, TR_MAP, "O"},  /* Ơ */
    {0x01A1, TR_MAP, "O"},  /* ơ */
    {0x01AF, TR_MAP, "U"},  /* Ư */
    {0x01B0, TR_MAP, "U"},  /* ư */
    {0x01C4, TR_MAP, "DZ"}, /* Ǆ */
    {0x01C5, TR_MAP, "DZ"}, /* ǅ */
    {0x01C6, TR_MAP, "DZ"}, /* ǆ */
    {0x01C7, TR_MAP, "LJ"}, /* Ǉ */
    {0x01C8, TR_MAP, "LJ"}, /* ǈ */
    {0x01C9, TR_MAP, "LJ"}, /* ǉ */
    {0x01CA, TR_MAP, "NJ"}, /* Ǌ */
    {0x01CB, TR_MAP, "NJ"}, /* ǋ */
    {0x01CC, TR_MAP, "NJ"}, /* ǌ */
    {0x01CD, TR_MAP, "A"},  /* Ǎ */
    {0x01CE, TR_MAP, "A"},  /* ǎ */
    {0x01CF, TR_MAP, "I"},  /* Ǐ */
    {0x01D0, TR_MAP, "I"},  /* ǐ */
    {0x01D1, TR_MAP, "O"},  /* Ǒ */
    {0x01D2, TR_MAP, "O"},  /* ǒ */
    {0x01D3, TR_MAP, "U"},  /* Ǔ */
    {0x01D4, TR_MAP, "U"},  /* ǔ */
    {0x01E6, TR_MAP, "G"},  /* Ǧ */
    {0x01E7, TR_MAP, "G"},  /* ǧ */
    {0x01E8, TR_MAP, "K"},  /* Ǩ */
    {0x01E9, TR_MAP, "K"},  /* ǩ */
    {0x01EA, TR_MAP, "O"},  /* Ǫ */
    {0x01EB, TR_MAP, "O"},  /* ǫ */
    {0x01F1, TR_MAP, "DZ"}, /* Ǳ */
    {0x01F2, TR_MAP, "DZ"}, /* ǲ */
    {0x01F3, TR_MAP, "DZ"}, /* ǳ */
    {0x0218, TR_MAP, "S"},  /* Ș */
    {0x0219, TR_MAP, "S"},  /* ș */
    {0x021A, TR_MAP, "T"},  /* Ț */
    {0x021B, TR_MAP, "T"},  /* ț */
    {0x0259, TR_SCHWA, ""}, /* ə */
    /* Modifier letters written as apostrophes (ʹ ʻ ʼ ʽ ʾ ʿ): removed. */
    {0x02B9, TR_DROP, ""}, /* ʹ */
    {0x02BB, TR_DROP, ""}, /* ʻ */
    {0x02BC, TR_DROP, ""}, /* ʼ */
    {0x02BD, TR_DROP, ""}, /* ʽ */
    {0x02BE, TR_DROP, ""}, /* ʾ */
    {0x02BF, TR_DROP, ""}, /* ʿ */
    /* Cyrillic (Part 3 table).  Rows marked "ours" are letters Part 3 does not list
     * (Kazakh, Uzbek, Kyrgyz, Tajik, Azerbaijani Cyrillic): we use the obvious Latin letter;
     * Ә/ә follows the schwa profile like Ə. */
    {0x0400, TR_MAP, "E"},    /* Ѐ (ours) */
    {0x0401, TR_MAP, "E"},    /* Ё */
    {0x0402, TR_MAP, "D"},    /* Ђ */
    {0x0403, TR_MAP, "G"},    /* Ѓ */
    {0x0404, TR_MAP, "IE"},   /* Є */
    {0x0405, TR_MAP, "DZ"},   /* Ѕ */
    {0x0406, TR_MAP, "I"},    /* І */
    {0x0407, TR_MAP, "I"},    /* Ї */
    {0x0408, TR_MAP, "J"},    /* Ј */
    {0x0409, TR_MAP, "LJ"},   /* Љ */
    {0x040A, TR_MAP, "NJ"},   /* Њ */
    {0x040B, TR_MAP, "C"},    /* Ћ */
    {0x040C, TR_MAP, "K"},    /* Ќ */
    {0x040D, TR_MAP, "I"},    /* Ѝ (ours) */
    {0x040E, TR_MAP, "U"},    /* Ў */
    {0x040F, TR_MAP, "DZ"},   /* Џ */
    {0x0410, TR_MAP, "A"},    /* А */
    {0x0411, TR_MAP, "B"},    /* Б */
    {0x0412, TR_MAP, "V"},    /* В */
    {0x0413, TR_MAP, "G"},    /* Г */
    {0x0414, TR_MAP, "D"},    /* Д */
    {0x0415, TR_MAP, "E"},    /* Е */
    {0x0416, TR_MAP, "ZH"},   /* Ж */
    {0x0417, TR_MAP, "Z"},    /* З */
    {0x0418, TR_MAP, "I"},    /* И */
    {0x0419, TR_MAP, "I"},    /* Й */
    {0x041A, TR_MAP, "K"},    /* К */
    {0x041B, TR_MAP, "L"},    /* Л */
    {0x041C, TR_MAP, "M"},    /* М */
    {0x041D, TR_MAP, "N"},    /* Н */
    {0x041E, TR_MAP, "O"},    /* О */
    {0x041F, TR_MAP, "P"},    /* П */
    {0x0420, TR_MAP, "R"},    /* Р */
    {0x0421, TR_MAP, "S"},    /* С */
    {0x0422, TR_MAP, "T"},    /* Т */
    {0x0423, TR_MAP, "U"},    /* У */
    {0x0424, TR_MAP, "F"},    /* Ф */
    {0x0425, TR_MAP, "KH"},   /* Х */
    {0x0426, TR_MAP, "TS"},   /* Ц */
    {0x0427, TR_MAP, "CH"},   /* Ч */
    {0x0428, TR_MAP, "SH"},   /* Ш */
    {0x0429, TR_MAP, "SHCH"}, /* Щ */
    {0x042A, TR_MAP, "IE"},   /* Ъ */
    {0x042B, TR_MAP, "Y"},    /* Ы */
    {0x042C, TR_DROP, ""},    /* Ь soft sign: dropped */
    {0x042D, TR_MAP, "E"},    /* Э */
    {0x042E, TR_MAP, "IU"},   /* Ю */
    {0x042F, TR_MAP, "IA"},   /* Я */
    {0x0430, TR_MAP, "A"},    /* а */
    {0x0431, TR_MAP, "B"},    /* б */
    {0x0432, TR_MAP, "V"},    /* в */
    {0x0433, TR_MAP, "G"},    /* г */
    {0x0434, TR_MAP, "D"},    /* д */
    {0x0435, TR_MAP, "E"},    /* е */
    {0x0436, TR_MAP, "ZH"},   /* ж */
    {0x0437, TR_MAP, "Z"},    /* з */
    {0x0438, TR_MAP, "I"},    /* и */
    {0x0439, TR_MAP, "I"},    /* й */
    {0x043A, TR_MAP, "K"},    /* к */
    {0x043B, TR_MAP, "L"},    /* л */
    {0x043C, TR_MAP, "M"},    /* м */
    {0x043D, TR_MAP, "N"},    /* н */
    {0x043E, TR_MAP, "O"},    /* о */
    {0x043F, TR_MAP, "P"},    /* п */
    {0x0440, TR_MAP, "R"},    /* р */
    {0x0441, TR_MAP, "S"},    /* с */
    {0x0442, TR_MAP, "T"},    /* т */
    {0x0443, TR_MAP, "U"},    /* у */
    {0x0444, TR_MAP, "F"},    /* ф */
    {0x0445, TR_MAP, "KH"},   /* х */
    {0x0446, TR_MAP, "TS"},   /* ц */
    {0x0447, TR_MAP, "CH"},   /* ч */
    {0x0448, TR_MAP, "SH"},   /* ш */
    {0x0449, TR_MAP, "SHCH"}, /* щ */
    {0x044A, TR_MAP, "IE"},   /* ъ */
    {0x044B, TR_MAP, "Y"},    /* ы */
    {0x044C, TR_DROP, ""},    /* ь soft sign: dropped */
    {0x044D, TR_MAP, "E"},    /* э */
    {0x044E, TR_MAP, "IU"},   /* ю */
    {0x044F, TR_MAP, "IA"},   /* я */
    {0x0450, TR_MAP, "E"},    /* ѐ (ours) */
    {0x0451, TR_MAP, "E"},    /* ё */
    {0x0452, TR_MAP, "D"},    /* ђ */
    {0x0453, TR_MAP, "G"},    /* ѓ */
    {0x0454, TR_MAP, "IE"},   /* є */
    {0x0455, TR_MAP, "DZ"},   /* ѕ */
    {0x0456, TR_MAP, "I"},    /* і */
    {0x0457, TR_MAP, "I"},    /* ї */
    {0x0458, TR_MAP, "J"},    /* ј */
    {0x0459, TR_MAP, "LJ"},   /* љ */
    {0x045A, TR_MAP, "NJ"},   /* њ */
    {0x045B, TR_MAP, "C"},    /* ћ */
    {0x045C, TR_MAP, "K"},    /* ќ */
    {0x045D, TR_MAP, "I"},    /* ѝ (ours) */
    {0x045E, TR_MAP, "U"},    /* ў */
    {0x045F, TR_MAP, "DZ"},   /* џ */
    {0x0490, TR_MAP, "G"},    /* Ґ */
    {0x0491, TR_MAP, "G"},    /* ґ */
    {0x0492, TR_MAP, "G"},    /* Ғ (ours) */
    {0x0493, TR_MAP, "G"},    /* ғ (ours) */
    {0x049A, TR_MAP, "K"},    /* Қ (ours) */
    {0x049B, TR_MAP, "K"},    /* қ (ours) */
    {0x049C, TR_MAP, "G"},    /* Ҝ (ours) */
    {0x049D, TR_MAP, "G"},    /* ҝ (ours) */
    {0x04A2, TR_MAP, "N"},    /* Ң (ours) */
    {0x04A3, TR_MAP, "N"},    /* ң (ours) */
    {0x04AE, TR_MAP, "U"},    /* Ү (ours) */
    {0x04AF, TR_MAP, "U"},    /* ү (ours) */
    {0x04B0, TR_MAP, "U"},    /* Ұ (ours) */
    {0x04B1, TR_MAP, "U"},    /* ұ (ours) */
    {0x04B2, TR_MAP, "KH"},   /* Ҳ (ours) */
    {0x04B3, TR_MAP, "KH"},   /* ҳ (ours) */
    {0x04B6, TR_MAP, "J"},    /* Ҷ (ours) */
    {0x04B7, TR_MAP, "J"},    /* ҷ (ours) */
    {0x04B8, TR_MAP, "J"},    /* Ҹ (ours) */
    {0x04B9, TR_MAP, "J"},    /* ҹ (ours) */
    {0x04BA, TR_MAP, "H"},    /* Һ (ours) */
    {0x04BB, TR_MAP, "H"},    /* һ (ours) */
    {0x04D8, TR_SCHWA, ""},   /* Ә ours: schwa profile */
    {0x04D9, TR_SCHWA, ""},   /* ә ours: schwa profile */
    {0x04E2, TR_MAP, "I"},    /* Ӣ (ours) */
    {0x04E3, TR_MAP, "I"},    /* ӣ (ours) */
    {0x04E8, TR_MAP, "O"},    /* Ө (ours) */
    {0x04E9, TR_MAP, "O"},    /* ө (ours) */
    {0x04EE, TR_MAP, "U"},    /* Ӯ (ours) */
    {0x04EF, TR_MAP, "U"},    /* ӯ (ours) */
    /* Arabic script (Table C: Arabic, Urdu, Pashto rows of spec §3.3).  Deliberately
     * ABSENT, hence -ICAO_E_UNMAPPED_CHAR: ؤ U+0624, ة U+0629 and the short-vowel marks
     * U+064B..U+0650, U+0652 — their values differ between sources (spec §9.7), so names
     * containing them must be taken from the passport MRZ.  Arabic-Indic digits are unmapped
     * too.  Shadda U+0651 and tatweel U+0640 are dropped. */
    {0x060C, TR_DROP, ""},   /* Arabic comma */
    {0x061C, TR_DROP, ""},   /* Arabic letter mark */
    {0x0621, TR_MAP, "XE"},  /* ء */
    {0x0622, TR_MAP, "XAA"}, /* آ */
    {0x0623, TR_MAP, "XAE"}, /* أ */
    {0x0625, TR_MAP, "I"},   /* إ */
    {0x0626, TR_MAP, "XI"},  /* ئ */
    {0x0627, TR_MAP, "A"},   /* ا */
    {0x0628, TR_MAP, "B"},   /* ب */
    {0x062A, TR_MAP, "T"},   /* ت */
    {0x062B, TR_MAP, "XTH"}, /* ث */
    {0x062C, TR_MAP, "J"},   /* ج */
    {0x062D, TR_MAP, "XH"},  /* ح */
    {0x062E, TR_MAP, "XKH"}, /* خ */
    {0x062F, TR_MAP, "D"},   /* د */
    {0x0630, TR_MAP, "XDH"}, /* ذ */
    {0x0631, TR_MAP, "R"},   /* ر */
    {0x0632, TR_MAP, "Z"},   /* ز */
    {0x0633, TR_MAP, "S"},   /* س */
    {0x0634, TR_MAP, "XSH"}, /* ش */
    {0x0635, TR_MAP, "XSS"}, /* ص */
    {0x0636, TR_MAP, "XDZ"}, /* ض */
    {0x0637, TR_MAP, "XTT"}, /* ط */
    {0x0638, TR_MAP, "XZZ"}, /* ظ */
    {0x0639, TR_MAP, "E"},   /* ع */
    {0x063A, TR_MAP, "G"},   /* غ */
    {0x0640, TR_DROP, ""},   /* ـ tatweel */
    {0x0641, TR_MAP, "F"},   /* ف */
    {0x0642, TR_MAP, "Q"},   /* ق */
    {0x0643, TR_MAP, "K"},   /* ك */
    {0x0644, TR_MAP, "L"},   /* ل */
    {0x0645, TR_MAP, "M"},   /* م */
    {0x0646, TR_MAP, "N"},   /* ن */
    {0x0647, TR_MAP, "H"},   /* ه */
    {0x0648, TR_MAP, "W"},   /* و */
    {0x0649, TR_MAP, "XAY"}, /* ى */
    {0x064A, TR_MAP, "Y"},   /* ي */
    {0x0651, TR_DROP, ""},   /* shadda */
    {0x0671, TR_MAP, "XXA"}, /* ٱ */
    {0x0679, TR_MAP, "XXT"}, /* ٹ */
    {0x067C, TR_MAP, "XRT"}, /* ټ */
    {0x067E, TR_MAP, "P"},   /* پ */
    {0x0681, TR_MAP, "XKE"}, /* ځ */
    {0x0685, TR_MAP, "XXH"}, /* څ */
    {0x0686, TR_MAP, "XC"},  /* چ */
    {0x0688, TR_MAP, "XXD"}, /* ڈ */
    {0x0689, TR_MAP, "XDR"}, /* ډ */
    {0x0691, TR_MAP, "XXR"}, /* ڑ */
    {0x0693, TR_MAP, "XRR"}, /* ړ */
    {0x0696, TR_MAP, "XRX"}, /* ږ */
    {0x0698, TR_MAP, "XJ"},  /* ژ */
    {0x069A, TR_MAP, "XXS"}, /* ښ */
    {0x06A9, TR_MAP, "XKK"}, /* ک */
    {0x06AB, TR_MAP, "XXK"}, /* ګ */
    {0x06AD, TR_MAP, "XNG"}, /* ڭ */
    {0x06AF, TR_MAP, "XGG"}, /* گ */
    {0x06BA, TR_MAP, "XNN"}, /* ں */
    {0x06BC, TR_MAP, "XXN"}, /* ڼ */
    {0x06BE, TR_MAP, "XDO"}, /* ھ */
    {0x06C0, TR_MAP, "XYH"}, /* ۀ */
    {0x06C1, TR_MAP, "XXG"}, /* ہ */
    {0x06C2, TR_MAP, "XGE"}, /* ۂ */
    {0x06C3, TR_MAP, "XTG"}, /* ۃ */
    {0x06CC, TR_MAP, "XYA"}, /* ی */
    {0x06CD, TR_MAP, "XXY"}, /* ۍ */
    {0x06D0, TR_MAP, "Y"},   /* ې */
    {0x06D2, TR_MAP, "XYB"}, /* ے */
    {0x06D3, TR_MAP, "XBE"}, /* ۓ */
    /* Latin Extended Additional: only capital sharp s. */
    {0x1E9E, TR_MAP, "SS"}, /* ẞ */
    /* General punctuation: invisible format characters removed, dashes separate,
     * quotation marks used as apostrophes removed. */
    {0x200B, TR_DROP, ""}, /* zero width space */
    {0x200C, TR_DROP, ""}, /* ZWNJ */
    {0x200D, TR_DROP, ""}, /* ZWJ */
    {0x200E, TR_DROP, ""}, /* LRM */
    {0x200F, TR_DROP, ""}, /* RLM */
    {0x2010, TR_SEP, ""},  /* hyphen/dash */
    {0x2011, TR_SEP, ""},
    {0x2012, TR_SEP, ""},
    {0x2013, TR_SEP, ""},
    {0x2014, TR_SEP, ""},
    {0x2018, TR_DROP, ""},
    {0x2019, TR_DROP, ""}, /* right single quotation mark (apostrophe) */
    {0x201B, TR_DROP, ""},
    {0x202F, TR_SEP, ""},  /* narrow no-break space */
    {0x2032, TR_DROP, ""}, /* prime */
    {0x2060, TR_DROP, ""}, /* word joiner */
    /* Byte order mark / zero width no-break space. */
    {0xFEFF, TR_DROP, ""}, /* BOM / zero width no-break space */
};

#define TR_COUNT (sizeof TR_TABLE / sizeof TR_TABLE[0])

static const struct tr_row *tr_lookup(uint32_t cp)
{
    size_t lo = 0, hi = TR_COUNT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (TR_TABLE[mid].cp == cp)
            return &TR_TABLE[mid];
        if (TR_TABLE[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Decodes one code point from s (n > 0 bytes available).  Returns the number
 * of bytes it takes (1-4), or 0 for anything that is not shortest-form UTF-8
 * of a scalar value: stray continuation bytes, C0/C1 and F5-FF leads,
 * overlongs, surrogates, values above U+10FFFF, truncated sequences. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned b0 = s[0];
    unsigned lo = 0x80, hi = 0xBF;
    size_t need;
    uint32_t c;

    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    }
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 2;
        c = b0 & 0x1Fu;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 3;
        c = b0 & 0x0Fu;
        if (b0 == 0xE0)
            lo = 0xA0; /* overlong */
        else if (b0 == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 4;
        c = b0 & 0x07u;
        if (b0 == 0xF0)
            lo = 0x90; /* overlong */
        else if (b0 == 0xF4)
            hi = 0x8F; /* > U+10FFFF */
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        unsigned b = s[i];
        if (b < lo || b > hi)
            return 0;
        lo = 0x80;
        hi = 0xBF;
        c = (c << 6) | (b & 0x3Fu);
    }
    *cp = c;
    return need;
}

/* What cp becomes under profile p: a tr_kind (rep filled for letters), or
 * -1 when it has no transliteration. */
static int tr_resolve(uint32_t cp, const struct translit_profile *p, char rep[5])
{
    if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z')) {
        rep[0] = (char)(cp >= 'a' ? cp - 'a' + 'A' : cp); /* locale-independent */
        rep[1] = '\0';
        return TR_MAP;
    }
    const struct tr_row *row = tr_lookup(cp);
    if (!row)
        return -1;
    memcpy(rep, row->rep, sizeof row->rep);
    switch (row->kind) {
    case TR_UMLAUT:
        if (!p->umlaut_expand)
            rep[1] = '\0';
        return TR_MAP;
    case TR_SCHWA:
        rep[0] = p->schwa;
        rep[1] = '\0';
        return TR_MAP;
    default:
        return row->kind;
    }
}

/* The precomposed letter for base + combining mark when that matters for the
 * umlaut option (A/O/U + U+0308, A + U+030A), else 0 (the mark is dropped). */
static uint32_t tr_compose(uint32_t base, uint32_t mark)
{
    static const uint32_t diaeresis[][2] = {{'A', 0xC4}, {'O', 0xD6}, {'U', 0xDC},
                                            {'a', 0xE4}, {'o', 0xF6}, {'u', 0xFC}};
    if (mark == 0x0308) {
        for (size_t i = 0; i < sizeof diaeresis / sizeof diaeresis[0]; i++)
            if (diaeresis[i][0] == base)
                return diaeresis[i][1];
    } else if (mark == 0x030A) {
        if (base == 'A')
            return 0xC5;
        if (base == 'a')
            return 0xE5;
    }
    return 0;
}

/* Combining marks may follow letters of the scripts below Armenian (Latin,
 * IPA, Cyrillic) and ẞ; not Arabic letters, separators or removed chars. */
static bool tr_takes_marks(uint32_t cp)
{
    return cp < 0x0530 || cp == 0x1E9E;
}

/* Transliterates one name part s[0..n) and appends it to out at *pos.  When
 * out is NULL nothing is written and cap is ignored (a dry run that only
 * measures and validates).  On success *pos is the new end (out[*pos] is
 * NUL) and 0 is returned; on failure a negative code and *err_at is the byte
 * offset in s of the offending character. */
static int tr_append(const unsigned char *s, size_t n, const struct translit_profile *p, char *out,
                     size_t cap, size_t *pos, size_t *err_at)
{
    const size_t start = *pos;
    size_t o = start;
    bool sep = false;    /* a separator is pending since the last letter */
    uint32_t base = 0;   /* last letter, if combining marks may follow it */
    size_t base_pos = 0; /* where its replacement starts in out */

    if (cap > (size_t)INT_MAX)
        cap = (size_t)INT_MAX; /* so every length fits the int we return */
    if (out && o >= cap) {
        *err_at = 0;
        return -ICAO_E_NO_SPACE;
    }
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_next(s + i, n - i, &cp);
        if (k == 0) {
            *err_at = i;
            return -ICAO_E_BAD_UTF8;
        }
        if (cp >= 0x0300 && cp <= 0x036F) {
            if (base == 0) {
                *err_at = i;
                return -ICAO_E_UNMAPPED_CHAR; /* a mark on nothing we can read */
            }
            uint32_t comp = tr_compose(base, cp);
            if (comp == 0) {
                i += k;
                continue;
            }
            o = base_pos; /* rewrite the base letter as the precomposed one */
            cp = comp;
        }
        char rep[5];
        int kind = tr_resolve(cp, p, rep);
        if (kind < 0) {
            *err_at = i;
            return -ICAO_E_UNMAPPED_CHAR;
        }
        if (kind == TR_SEP) {
            sep = true;
            base = 0;
        } else if (kind == TR_DROP) {
            base = 0;
        } else {
            size_t rl = strlen(rep);
            bool lead = sep && o > start;
            if (out && o + (lead ? 1 : 0) + rl + 1 > cap) {
                *err_at = i;
                return -ICAO_E_NO_SPACE;
            }
            if (lead) {
                if (out)
                    out[o] = '<';
                o++;
            }
            sep = false;
            base_pos = o;
            if (out)
                memcpy(out + o, rep, rl);
            o += rl;
            base = tr_takes_marks(cp) ? cp : 0;
        }
        i += k;
    }
    if (out)
        out[o] = '\0';
    *pos = o;
    return 0;
}

static bool tr_profile_ok(const struct translit_profile *p)
{
    return p->schwa == 'A' || p->schwa == 'E';
}

static int tr_fail(int err, char *out, size_t cap, size_t off, size_t *err_offset)
{
    if (out && cap > 0)
        out[0] = '\0';
    if (err_offset)
        *err_offset = off;
    return err;
}

int translit_name_part_at(const char *utf8, size_t len, const struct translit_profile *p, char *out,
                          size_t cap, size_t *err_offset)
{
    size_t pos = 0, at = 0;
    if (!p)
        p = &TRANSLIT_PROFILE_DEFAULT;
    if (!tr_profile_ok(p))
        return tr_fail(-ICAO_E_BAD_FIELD, out, cap, 0, err_offset);
    if (!out)
        return tr_fail(-ICAO_E_NO_SPACE, out, cap, 0, err_offset);
    int r = tr_append((const unsigned char *)utf8, len, p, out, cap, &pos, &at);
    if (r < 0)
        return tr_fail(r, out, cap, at, err_offset);
    return (int)pos;
}

int translit_name_part(const char *utf8, size_t len, const struct translit_profile *p, char *out,
                       size_t cap)
{
    return translit_name_part_at(utf8, len, p, out, cap, NULL);
}

/* Offset and length of the first comma (',' or Arabic U+060C = D8 8C) in
 * s[0..n); false if there is none.  Byte scanning is safe: in UTF-8 these
 * bytes cannot start inside another character (invalid input is reported
 * by the transliteration of the parts). */
static bool tr_find_comma(const unsigned char *s, size_t n, size_t *at, size_t *clen)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ',') {
            *at = i;
            *clen = 1;
            return true;
        }
        if (s[i] == 0xD8 && i + 1 < n && s[i + 1] == 0x8C) {
            *at = i;
            *clen = 2;
            return true;
        }
    }
    return false;
}

int translit_name_at(const char *utf8, size_t len, const struct translit_profile *p, char *out,
                     size_t cap, size_t *err_offset)
{
    const unsigned char *s = (const unsigned char *)utf8;
    size_t comma, clen;
    if (!p)
        p = &TRANSLIT_PROFILE_DEFAULT;
    if (!tr_profile_ok(p))
        return tr_fail(-ICAO_E_BAD_FIELD, out, cap, 0, err_offset);
    if (!out)
        return tr_fail(-ICAO_E_NO_SPACE, out, cap, 0, err_offset);
    if (!tr_find_comma(s, len, &comma, &clen))
        return translit_name_part_at(utf8, len, p, out, cap, err_offset);

    const unsigned char *sec = s + comma + clen;
    size_t sec_off = comma + clen, sec_n = len - sec_off;
    size_t prim_len = 0, sec_len = 0, at = 0;
    int r = tr_append(s, comma, p, out, cap, &prim_len, &at);
    if (r < 0)
        return tr_fail(r, out, cap, at, err_offset);
    r = tr_append(sec, sec_n, p, NULL, 0, &sec_len, &at); /* validate and measure */
    if (r < 0)
        return tr_fail(r, out, cap, sec_off + at, err_offset);
    if (sec_len == 0)
        return (int)prim_len; /* "Smith," — a single name */
    size_t pos = 0;
    if (prim_len > 0) {
        if (prim_len + 2 >= cap)
            return tr_fail(-ICAO_E_NO_SPACE, out, cap, comma, err_offset);
        out[prim_len] = '<';
        out[prim_len + 1] = '<';
        pos = prim_len + 2;
    } /* else ", John": the secondary is the single name, written as the primary */
    r = tr_append(sec, sec_n, p, out, cap, &pos, &at);
    if (r < 0)
        return tr_fail(r, out, cap, sec_off + at, err_offset);
    return (int)pos;
}

int translit_name(const char *utf8, size_t len, const struct translit_profile *p, char *out,
                  size_t cap)
{
    return translit_name_at(utf8, len, p, out, cap, NULL);
}
