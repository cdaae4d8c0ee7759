/*
 * email.h — e-mail addresses of officer accounts: a deliberately plain
 * syntax check (dot-atom local part, DNS host name with at least two labels;
 * no quoted strings, comments or IP literals) and normalisation to lower
 * case, so one address is one account whatever case it was typed in.
 */
#ifndef EVISA_AUTH_EMAIL_H
#define EVISA_AUTH_EMAIL_H

#include <stddef.h>

/* Longest address accepted, in bytes (the store keeps 127 and a NUL). */
#define EMAIL_MAX 127

/* Checks in (surrounding spaces are ignored) and writes it in lower case
 * into out.  Local part: 1-64 of A-Z a-z 0-9 ! # $ % & ' * + / = ? ^ _ `
 * { | } ~ - and dots (not first, last or doubled).  Domain: 2+ labels of
 * 1-63 letters, digits and hyphens (not first or last), the last label not
 * all digits.  Returns 0, -AUTH_E_BAD_EMAIL, -AUTH_E_NO_SPACE or
 * -AUTH_E_INVALID (NULL). */
int email_normalise(const char *in, char *out, size_t cap);

#endif
