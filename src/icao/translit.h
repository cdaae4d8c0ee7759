/*
 * translit.h — transliteration of names (UTF-8, any supported script) to the
 * MRZ character set, following ICAO Doc 9303 Part 3 (spec §3.2, §3.3).
 *
 * Output holds only the letters A-Z and the filler '<'.  Supported scripts:
 *   - Latin (Table A): ASCII, Latin-1 Supplement, Latin Extended-A in full,
 *     the Latin Extended-B letters used by Azerbaijani, Turkish, Romanian
 *     (Ə ə Ș ș Ț ț) and a few more (Ǎ Ǧ Ǩ Ơ Ư, the DŽ/LJ/NJ digraphs), ẞ.
 *     Most letters lose their diacritic; ß/ẞ → SS, Æ → AE, Œ → OE, Þ → TH,
 *     Ĳ → IJ, Ð/Đ → D, Ŋ → N.  Combining marks U+0300..U+036F after a Latin
 *     or Cyrillic letter are dropped, so decomposed text (e + U+0301) works;
 *     a decomposed A/O/U + U+0308 or A + U+030A follows the umlaut option.
 *   - Cyrillic: the Part 3 table (Russian, Ukrainian, Belarusian, Serbian,
 *     Macedonian), plus letters Part 3 does not list, mapped by us to their
 *     obvious Latin letter (Kazakh, Uzbek, Kyrgyz, Tajik, Azerbaijani
 *     Cyrillic; see the table in translit.c).
 *   - Arabic script (Table C): Arabic, Urdu and Pashto rows of spec §3.3.
 *     The rows spec §9.7 calls uncertain (ؤ, ة, the short-vowel marks) are
 *     refused with ICAO_E_UNMAPPED_CHAR: such names must be taken from the
 *     passport MRZ instead.
 * Greek, Armenian, Georgian, Hebrew, CJK etc. are not supported (unmapped).
 *
 * Two choices are left to the issuing State and are carried by a profile:
 *   - umlaut_expand: Part 3 allows Ä → AE or A, Ö → OE or O, Ü → UE or U,
 *     Å → AA or A, Ø → OE or O.  true picks the long forms (the default, and
 *     what German-style passports show); false the short forms (what
 *     Azerbaijani and Turkish passports show, spec §3.3 rule 2).
 *   - schwa: Azerbaijani Ə/ə (and Cyrillic Ә/ә) has no ICAO row at all
 *     (spec §9.9).  We write 'A' by default ("Məmmədov" → MAMMADOV); 'E' is
 *     the configurable alternative (MEMMEDOV).
 * The name printed in the applicant's passport MRZ always wins over this
 * module's output (spec §3.3 rule 1); use it for previews and fallbacks.
 *
 * Pure functions: no allocation, no locale, no global mutable state.
 */
#ifndef EVISA_TRANSLIT_H
#define EVISA_TRANSLIT_H

#include <stdbool.h>
#include <stddef.h>

struct translit_profile {
    bool umlaut_expand; /* true: Ä→AE Ö→OE Ü→UE Å→AA Ø→OE; false: A O U A O */
    char schwa;         /* 'A' (default) or 'E': the letter for Azerbaijani Ə/ə (no ICAO row) */
};
extern const struct translit_profile TRANSLIT_PROFILE_DEFAULT; /* {true, 'A'} */

/* One name part (primary OR secondary identifier), UTF-8 in, MRZ characters out: letters A-Z, and
 * '<' between components.  Punctuation per Part 3: space, hyphen → '<'; apostrophes (ASCII ' and
 * U+2019, U+02BC etc.) and commas removed; runs of separators collapse to one '<'; none at
 * start/end. Lower case is upper-cased locale-independently (i, ı, İ → I).  out gets a
 * NUL-terminated string. Returns the length written (>= 0), or -ICAO_E_BAD_UTF8 (invalid UTF-8:
 * overlongs, surrogates, truncated sequences, > U+10FFFF), -ICAO_E_UNMAPPED_CHAR (a character with
 * no transliteration, incl. digits and symbols), -ICAO_E_NO_SPACE (cap too small).
 *
 * Details: p == NULL means TRANSLIT_PROFILE_DEFAULT; a profile whose schwa is
 * not 'A' or 'E' gives -ICAO_E_BAD_FIELD.  Separators are also NBSP, U+202F,
 * and the hyphens/dashes U+2010..U+2014.  Silently removed are, besides
 * apostrophes (' ` ´ U+2018 U+2019 U+201B U+2032 U+02B9 U+02BB..U+02BF) and
 * commas (, and Arabic U+060C): the soft hyphen, ZWSP, ZWNJ, ZWJ, LRM, RLM,
 * U+061C, U+2060, BOM, Cyrillic Ь/ь, Arabic shadda and tatweel.  Periods,
 * digits (ASCII and Arabic-Indic) and every other symbol are unmapped.
 * A part that holds only removed characters gives "" (0).  On any error out
 * is set to "" (when cap > 0).  utf8 need not be NUL-terminated; a NUL byte
 * inside len is unmapped. */
int translit_name_part(const char *utf8, size_t len, const struct translit_profile *p, char *out,
                       size_t cap);

/* A whole name as one line: "Primary, Secondary" (the comma separating primary from secondary
 * becomes "<<"), or a single part without a comma.  Same returns.
 *
 * The first comma (ASCII or Arabic U+060C) splits the name; later commas are
 * removed like in translit_name_part.  An empty secondary ("Smith,") gives
 * just the primary; an empty primary (", John") makes the secondary the
 * single name (Part 3: a one-part name is written as the primary). */
int translit_name(const char *utf8, size_t len, const struct translit_profile *p, char *out,
                  size_t cap);

/* As translit_name_part / translit_name; on failure, when err_offset is not
 * NULL, *err_offset is the byte offset in utf8 of the offending character
 * (for -ICAO_E_NO_SPACE: of the character that did not fit; for
 * -ICAO_E_BAD_FIELD: 0).  Untouched on success. */
int translit_name_part_at(const char *utf8, size_t len, const struct translit_profile *p, char *out,
                          size_t cap, size_t *err_offset);
int translit_name_at(const char *utf8, size_t len, const struct translit_profile *p, char *out,
                     size_t cap, size_t *err_offset);

#endif
