/*
 * cmd_mrz.c — `evisa mrz visa|check|translit`: build a visa MRZ from JSON
 * fields, check any MRV-A / MRV-B / TD3 line pair, and transliterate names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/visa_json.h"
#include "icao/icao_err.h"
#include "icao/mrz.h"
#include "icao/translit.h"

static int mrz_visa(int argc, char **argv)
{
    enum mrz_format format = MRZ_FORMAT__MAX;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--type") && i + 1 < argc) {
            const char *t = argv[++i];
            if (!strcmp(t, "A"))
                format = MRZ_FORMAT_MRV_A;
            else if (!strcmp(t, "B"))
                format = MRZ_FORMAT_MRV_B;
            else
                return cli_error(CLI_USAGE, "usage", "--type must be A or B, not '%s'", t);
        } else {
            return cli_error(CLI_USAGE, "usage", "evisa mrz visa --type A|B < fields.json");
        }
    }
    if (format == MRZ_FORMAT__MAX)
        return cli_error(CLI_USAGE, "usage", "evisa mrz visa needs --type A|B");
    json_t *obj = visa_json_read_stdin();
    if (!obj)
        return CLI_MALFORMED;
    struct visa_json v;
    int rc = visa_json_read(obj, NULL, &v);
    if (rc == 0) {
        char l1[MRZ_LINE_MAX + 1], l2[MRZ_LINE_MAX + 1];
        struct mrz_build_error err;
        int b = mrz_build_visa(format, &v.mrv, l1, l2, NULL, &err);
        if (b < 0)
            rc = visa_json_build_error(b, &err);
        else
            printf("%s\n%s\n", l1, l2);
    }
    json_decref(obj);
    return rc;
}

/* Splits text into non-empty lines with trailing CR/space removed; returns
 * the count (at most max). */
static size_t split_lines(char *text, char **lines, size_t *lens, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        size_t len = strlen(l);
        while (len && (l[len - 1] == '\r' || l[len - 1] == ' ' || l[len - 1] == '\t'))
            len--;
        if (!len)
            continue;
        if (n < max) {
            lines[n] = l;
            lens[n] = len;
        }
        n++;
    }
    return n;
}

static int mrz_check(int argc, char **argv)
{
    if (argc > 1)
        return cli_error(CLI_USAGE, "usage", "evisa mrz check < two-mrz-lines (not '%s')", argv[1]);
    size_t n;
    char *text = cli_read_stdin(&n);
    if (!text)
        return CLI_MALFORMED;
    char *lines[2];
    size_t lens[2];
    size_t count = split_lines(text, lines, lens, 2);
    int rc;
    if (count != 2) {
        rc = cli_error(CLI_MALFORMED, "bad_length", "expected 2 MRZ lines, got %zu", count);
    } else {
        struct mrz_parsed p;
        int e = mrz_parse(lines[0], lens[0], lines[1], lens[1], &p);
        if (e < 0) {
            rc = cli_error(CLI_MALFORMED, icao_err_code(e), "%s", icao_err_message(e));
        } else {
            visa_json_print(visa_json_parsed_mrz(&p));
            rc = p.valid ? CLI_OK : CLI_INVALID;
        }
    }
    free(text);
    return rc;
}

static int mrz_translit(int argc, char **argv)
{
    struct translit_profile prof = TRANSLIT_PROFILE_DEFAULT;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--umlaut") && i + 1 < argc) {
            const char *u = argv[++i];
            if (strcmp(u, "expand") && strcmp(u, "plain"))
                return cli_error(CLI_USAGE, "usage", "--umlaut must be expand or plain");
            prof.umlaut_expand = !strcmp(u, "expand");
        } else if (!strcmp(argv[i], "--schwa") && i + 1 < argc) {
            const char *s = argv[++i];
            if (strcmp(s, "A") && strcmp(s, "E"))
                return cli_error(CLI_USAGE, "usage", "--schwa must be A or E");
            prof.schwa = s[0];
        } else {
            return cli_error(CLI_USAGE, "usage",
                             "evisa mrz translit [--umlaut expand|plain] [--schwa A|E] < names");
        }
    }
    size_t n;
    char *text = cli_read_stdin(&n);
    if (!text)
        return CLI_MALFORMED;
    int rc = CLI_OK;
    size_t lineno = 0;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len && line[len - 1] == '\r')
            len--;
        lineno++;
        char out[512];
        size_t at = 0;
        int r = translit_name_at(line, len, &prof, out, sizeof out, &at);
        if (r < 0) {
            rc = cli_error(CLI_MALFORMED, icao_err_code(r), "line %zu, byte %zu: %s", lineno,
                           at + 1, icao_err_message(r));
            out[0] = '\0';
        }
        printf("%s\n", out);
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    return rc;
}

int cmd_mrz(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "visa"))
        return mrz_visa(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "check"))
        return mrz_check(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "translit"))
        return mrz_translit(argc - 1, argv + 1);
    return cli_error(CLI_USAGE, "usage", "evisa mrz visa|check|translit (see evisa --help)");
}
