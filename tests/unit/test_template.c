/*
 * test_template.c — unit tests of src/web/template.c: escaping of every
 * special character in text and attributes, the |url filter, rejected raw
 * output and other syntax errors (with name:line), sections over arrays,
 * objects, scalars and falsy values, inverted sections, partials (static,
 * dynamic, loops, depth), translations with escaped placeholders and
 * fallbacks, built-ins, limits, loading a directory, and golden pages of the
 * layout in English and Urdu (tests/golden/layout_{en,ur}.html; set
 * EVISA_UPDATE_GOLDEN=1 to rewrite them after a deliberate change).
 */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/i18n.h"
#include "web/template.h"

/* Renders text as template "t" with ctx (JSON text or NULL); NULL on any
 * failure.  Caller frees. */
static char *render_text(const char *text, const char *ctx_json, const struct i18n *i,
                         const char *lang)
{
    struct tmpl_set *set = tmpl_set_new();
    char err[256];
    char *out = NULL;
    json_t *ctx = ctx_json ? json_loads(ctx_json, 0, NULL) : NULL;
    if (set && (!ctx_json || ctx) &&
        tmpl_compile_string(set, "t", text, strlen(text), err, sizeof err) == 0) {
        if (tmpl_render(set, "t", ctx, i, lang, &out, NULL) < 0)
            out = NULL;
    }
    json_decref(ctx);
    tmpl_free(set);
    return out;
}

/* Compiles text as "t" into a fresh set; returns the result, err filled. */
static int compile_err(const char *text, char *err, size_t cap)
{
    struct tmpl_set *set = tmpl_set_new();
    int rc = tmpl_compile_string(set, "t", text, strlen(text), err, cap);
    tmpl_free(set);
    return rc;
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static struct i18n *small_i18n(void)
{
    static const char en[] = "msgid \"hello\"\nmsgstr \"Hi <{name}> & {user.city} {missing}, "
                             "{bad-} { {} {.x}\"\n\n"
                             "msgid \"only.en\"\nmsgstr \"English only\"\n\n"
                             "msgid \"err.required\"\nmsgstr \"Required.\"\n";
    static const char az[] = "msgid \"hello\"\nmsgstr \"Salam {name}\"\n";
    struct i18n *i = i18n_new();
    char err[256];
    if (!i || i18n_load_string(i, "en", "en.po", en, strlen(en), err, sizeof err) < 0 ||
        i18n_load_string(i, "az", "az.po", az, strlen(az), err, sizeof err) < 0) {
        i18n_free(i);
        return NULL;
    }
    return i;
}

/* ---- escaping --------------------------------------------------------------------- */

TEST(tmpl_escapes_every_special_char_in_text)
{
    char *out = render_text("<p>{{x}}</p>", "{\"x\": \"a&b<c>d\\\"e'f\"}", NULL, "en");
    CHECK_STR(out, "<p>a&amp;b&lt;c&gt;d&quot;e&#39;f</p>");
    free(out);
}

TEST(tmpl_escapes_quotes_in_attributes)
{
    char *out = render_text("<a title=\"{{x}}\" data-y='{{x}}'>",
                            "{\"x\": \"\\\" onmouseover='alert(1)'\"}", NULL, "en");
    CHECK_STR(out, "<a title=\"&quot; onmouseover=&#39;alert(1)&#39;\" "
                   "data-y='&quot; onmouseover=&#39;alert(1)&#39;'>");
    free(out);
}

TEST(tmpl_escapes_script_injection)
{
    char *out = render_text("{{x}}", "{\"x\": \"<script>alert('x')</script>\"}", NULL, "en");
    CHECK_STR(out, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    free(out);
}

TEST(tmpl_replaces_invalid_utf8_and_control_chars)
{
    json_t *ctx = json_object();
    json_object_set_new(ctx, "x",
                        json_stringn_nocheck("a\xFF"
                                             "b\x01"
                                             "c\x7F\xC3(",
                                             8));
    json_object_set_new(ctx, "y", json_stringn("n\0m", 3));
    json_object_set_new(ctx, "z", json_string("Əli\tحسن\n"));
    struct tmpl_set *set = tmpl_set_new();
    char err[128], *out = NULL;
    CHECK_INT(tmpl_compile_string(set, "t", "{{x}}|{{y}}|{{z}}", 17, err, sizeof err), 0);
    CHECK_INT(tmpl_render(set, "t", ctx, NULL, "en", &out, NULL), 0);
    CHECK_STR(out, "a\xEF\xBF\xBD"
                   "b\xEF\xBF\xBD"
                   "c\xEF\xBF\xBD\xEF\xBF\xBD(|n\xEF\xBF\xBDm|Əli\tحسن\n");
    free(out);
    tmpl_free(set);
    json_decref(ctx);
}

TEST(tmpl_prints_numbers_bools_and_nothing_for_others)
{
    char *out = render_text("{{i}} {{r}} {{t}} {{f}} [{{n}}{{o}}{{a}}{{missing}}]",
                            "{\"i\": -42, \"r\": 2.5, \"t\": true, \"f\": false, \"n\": null, "
                            "\"o\": {\"k\": 1}, \"a\": [1]}",
                            NULL, "en");
    CHECK_STR(out, "-42 2.5 true false []");
    free(out);
}

TEST(tmpl_url_filter_keeps_only_unreserved)
{
    char *out = render_text("<a href=\"/status/{{ref|url}}?n={{ n | url }}\">",
                            "{\"ref\": \"AZE-12 3/ç&?=~._-\\\"<'\", \"n\": 7}", NULL, "en");
    CHECK_STR(out, "<a href=\"/status/AZE-12%203%2F%C3%A7%26%3F%3D~._-%22%3C%27?n=7\">");
    free(out);
}

/* ---- syntax errors ---------------------------------------------------------------- */

TEST(tmpl_rejects_triple_mustache)
{
    char err[256];
    CHECK_INT(compile_err("a\n{{{x}}}", err, sizeof err), -1);
    CHECK(starts(err, "t:2: unescaped output"));
    CHECK_INT(compile_err("{{& x}}", err, sizeof err), -1);
    CHECK(starts(err, "t:1: unescaped output"));
}

TEST(tmpl_rejects_delimiter_change)
{
    char err[256];
    CHECK_INT(compile_err("{{=<% %>=}}", err, sizeof err), -1);
    CHECK(starts(err, "t:1: delimiter changes"));
}

TEST(tmpl_rejects_malformed_tags)
{
    static const struct {
        const char *text, *err;
    } cases[] = {
        {"x\n\n{{name", "t:3: unterminated tag"},
        {"{{}}", "t:1: bad name ''"},
        {"{{a..b}}", "t:1: bad name 'a..b'"},
        {"{{.a}}", "t:1: bad name '.a'"},
        {"{{a b}}", "t:1: bad name 'a b'"},
        {"{{x|upper}}", "t:1: unknown filter 'upper'"},
        {"{{#a b}}{{/a b}}", "t:1: bad section name"},
        {"ok\n{{/a}}", "t:2: {{/a}} closes no section"},
        {"{{#a}}\n{{#b}}\n{{/a}}", "t:3: {{/a}} closes section 'b' opened on line 2"},
        {"\n{{#a}}x", "t:2: section 'a' is never closed"},
        {"{{>a/b}}", "t:1: bad partial name"},
        {"{{>*}}", "t:1: bad partial name"},
        {"{{@a b}}", "t:1: bad translation key"},
        {"{{@*a..b}}", "t:1: bad translation key"},
        {"x\xC3(", "t:1: invalid UTF-8"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char err[256] = "";
        int rc = compile_err(cases[k].text, err, sizeof err);
        CHECK_CTX(rc == -1 && starts(err, cases[k].err), cases[k].text);
        if (!starts(err, cases[k].err))
            printf("  got: %s\n", err);
    }
}

TEST(tmpl_rejects_nul_byte)
{
    struct tmpl_set *set = tmpl_set_new();
    char err[128];
    CHECK_INT(tmpl_compile_string(set, "t", "a\0b", 3, err, sizeof err), -1);
    CHECK(starts(err, "t:1: NUL byte"));
    tmpl_free(set);
}

TEST(tmpl_rejects_deep_nesting_and_long_tags)
{
    char text[2048] = "", err[256];
    for (int k = 0; k <= TMPL_MAX_NEST; k++)
        strcat(text, "{{#a}}");
    CHECK_INT(compile_err(text, err, sizeof err), -1);
    CHECK(strstr(err, "nested deeper") != NULL);
    memset(text, 'a', sizeof text);
    memcpy(text, "{{", 2);
    memcpy(text + TMPL_MAX_TAG + 3, "}}", 3);
    CHECK_INT(compile_err(text, err, sizeof err), -1);
    CHECK(strstr(err, "tag longer than") != NULL);
}

TEST(tmpl_rejects_too_many_nodes_and_large_source)
{
    size_t n = (size_t)TMPL_MAX_NODES * 6 + 16;
    char *text = malloc(n + 1);
    CHECK(text != NULL);
    for (size_t k = 0; k + 6 <= n; k += 6)
        memcpy(text + k, "x{{y}}", 6);
    text[(n / 6) * 6] = '\0';
    char err[256];
    CHECK_INT(compile_err(text, err, sizeof err), -1);
    CHECK(strstr(err, "more than 8192 tags") != NULL);
    free(text);
    struct tmpl_set *set = tmpl_set_new();
    char *big = calloc(TMPL_MAX_SOURCE + 1, 1);
    CHECK(big != NULL);
    memset(big, 'x', TMPL_MAX_SOURCE + 1);
    CHECK_INT(tmpl_compile_string(set, "big", big, TMPL_MAX_SOURCE + 1, err, sizeof err), -1);
    CHECK(strstr(err, "larger than") != NULL);
    CHECK_INT(tmpl_compile_string(set, "big", big, TMPL_MAX_SOURCE, err, sizeof err), 0);
    free(big);
    tmpl_free(set);
}

TEST(tmpl_rejects_bad_or_duplicate_names)
{
    struct tmpl_set *set = tmpl_set_new();
    char err[256];
    CHECK_INT(tmpl_compile_string(set, "a", "x", 1, err, sizeof err), 0);
    CHECK_INT(tmpl_compile_string(set, "a", "y", 1, err, sizeof err), -1);
    CHECK(strstr(err, "defined twice") != NULL);
    CHECK_INT(tmpl_compile_string(set, "a.b", "y", 1, err, sizeof err), -1);
    CHECK(strstr(err, "template name must be") != NULL);
    CHECK_INT(tmpl_compile_string(set, "", "y", 1, err, sizeof err), -1);
    CHECK_INT(tmpl_compile_string(NULL, "b", "y", 1, err, sizeof err), -1);
    tmpl_free(set);
}

TEST(tmpl_rejects_more_templates_than_limit)
{
    struct tmpl_set *set = tmpl_set_new();
    char err[256], name[16];
    for (int k = 0; k < TMPL_MAX_TEMPLATES; k++) {
        snprintf(name, sizeof name, "t%d", k);
        CHECK_INT(tmpl_compile_string(set, name, "", 0, err, sizeof err), 0);
    }
    CHECK_INT(tmpl_compile_string(set, "one_more", "", 0, err, sizeof err), -1);
    CHECK(strstr(err, "more than 256 templates") != NULL);
    tmpl_free(set);
}

TEST(tmpl_drops_comments)
{
    char *out = render_text("a{{! a comment\n on two lines }}b{{!}}c{{!x}} }}", "{}", NULL, "en");
    CHECK_STR(out, "abc }}");
    free(out);
}

/* ---- sections ------------------------------------------------------------------------ */

TEST(tmpl_section_repeats_for_array_with_outer_lookup)
{
    char *out = render_text("{{#items}}[{{name}}/{{outer}}]{{/items}}",
                            "{\"outer\": \"O\", \"items\": [{\"name\": \"a\"}, {\"name\": \"<b>\", "
                            "\"outer\": \"inner\"}, 5]}",
                            NULL, "en");
    CHECK_STR(out, "[a/O][&lt;b&gt;/inner][/O]");
    free(out);
}

TEST(tmpl_section_dot_is_current_element)
{
    char *out =
        render_text("{{#list}}{{.}},{{/list}}", "{\"list\": [\"x\", \"<\", 3, true]}", NULL, "en");
    CHECK_STR(out, "x,&lt;,3,true,");
    free(out);
}

TEST(tmpl_section_renders_once_for_object_and_truthy_scalars)
{
    char *out = render_text("{{#o}}{{k}}{{/o}}|{{#t}}T{{/t}}|{{#s}}{{.}}{{/s}}|{{#z}}zero{{/z}}"
                            "|{{#e}}empty-object{{/e}}",
                            "{\"o\": {\"k\": \"v\"}, \"t\": true, \"s\": \"str\", \"z\": 0, "
                            "\"e\": {}}",
                            NULL, "en");
    CHECK_STR(out, "v|T|str|zero|empty-object");
    free(out);
}

TEST(tmpl_section_skips_falsy_values)
{
    char *out = render_text("{{#f}}f{{/f}}{{#n}}n{{/n}}{{#m}}m{{/m}}{{#a}}a{{/a}}{{#s}}s{{/s}}.",
                            "{\"f\": false, \"n\": null, \"a\": [], \"s\": \"\"}", NULL, "en");
    CHECK_STR(out, ".");
    free(out);
}

TEST(tmpl_inverted_section_renders_for_falsy_only)
{
    char *out = render_text("{{^f}}f{{/f}}{{^n}}n{{/n}}{{^m}}m{{/m}}{{^a}}a{{/a}}{{^s}}s{{/s}}"
                            "{{^t}}T{{/t}}{{^l}}L{{/l}}{{^z}}Z{{/z}}",
                            "{\"f\": false, \"n\": null, \"a\": [], \"s\": \"\", \"t\": true, "
                            "\"l\": [1], \"z\": 0}",
                            NULL, "en");
    CHECK_STR(out, "fnmas");
    free(out);
}

TEST(tmpl_nested_sections_and_dotted_paths)
{
    char *out =
        render_text("{{a.b.c}}|{{a.missing}}|{{s.x}}|{{#a.list}}{{#.}}{{v}}{{/.}}-{{/a.list}}"
                    "|{{#a}}{{b.c}}{{/a}}",
                    "{\"a\": {\"b\": {\"c\": \"deep\"}, \"list\": [{\"v\": 1}, {\"v\": 2}]},"
                    " \"s\": \"str\"}",
                    NULL, "en");
    CHECK_STR(out, "deep|||1-2-|deep");
    free(out);
}

TEST(tmpl_renders_without_context)
{
    char *out = render_text("x{{y}}{{#z}}z{{/z}}{{^z}}!{{/z}}", NULL, NULL, NULL);
    CHECK_STR(out, "x!");
    free(out);
}

/* ---- partials ------------------------------------------------------------------------ */

TEST(tmpl_partial_includes_template_with_same_context)
{
    struct tmpl_set *set = tmpl_set_new();
    char err[256], *out = NULL;
    CHECK_INT(
        tmpl_compile_string(set, "page", "<{{>item}}>{{#l}}{{> item }}{{/l}}", 34, err, sizeof err),
        0);
    CHECK_INT(tmpl_compile_string(set, "item", "({{v}})", 7, err, sizeof err), 0);
    json_t *ctx = json_loads("{\"v\": \"top\", \"l\": [{\"v\": 1}, {}]}", 0, NULL);
    CHECK_INT(tmpl_render(set, "page", ctx, NULL, "en", &out, NULL), 0);
    CHECK_STR(out, "<(top)>(1)(top)");
    free(out);
    json_decref(ctx);
    tmpl_free(set);
}

TEST(tmpl_rejects_partial_loop)
{
    struct tmpl_set *set = tmpl_set_new();
    char err[256];
    CHECK_INT(tmpl_compile_string(set, "self", "{{>self}}", 9, err, sizeof err), -1);
    CHECK_STR(err, "self:1: partial 'self' makes a loop back to 'self'");
    CHECK_INT(tmpl_compile_string(set, "a", "{{>b}}", 6, err, sizeof err), 0);
    CHECK_INT(tmpl_compile_string(set, "b", "x\n{{>c}}", 8, err, sizeof err), 0);
    CHECK_INT(tmpl_compile_string(set, "c", "\n\n{{>a}}", 8, err, sizeof err), -1);
    CHECK_STR(err, "c:3: partial 'a' makes a loop back to 'c'");
    CHECK(!tmpl_exists(set, "c"));
    CHECK_INT(tmpl_compile_string(set, "c", "leaf", 4, err, sizeof err), 0);
    tmpl_free(set);
}

TEST(tmpl_render_fails_on_unknown_template_or_partial)
{
    struct tmpl_set *set = tmpl_set_new();
    char err[256], *out = (char *)"x";
    CHECK_INT(tmpl_compile_string(set, "a", "{{>nope}}", 9, err, sizeof err), 0);
    CHECK_INT(tmpl_render(set, "a", NULL, NULL, "en", &out, NULL), -1);
    CHECK(out == NULL);
    CHECK_INT(tmpl_render(set, "missing", NULL, NULL, "en", &out, NULL), -1);
    CHECK_INT(tmpl_render(NULL, "a", NULL, NULL, "en", &out, NULL), -1);
    tmpl_free(set);
}

TEST(tmpl_dynamic_partial_named_by_context)
{
    struct tmpl_set *set = tmpl_set_new();
    char err[256], *out = NULL;
    CHECK_INT(tmpl_compile_string(set, "frame", "[{{>*page}}]", 12, err, sizeof err), 0);
    CHECK_INT(tmpl_compile_string(set, "body", "{{x}}", 5, err, sizeof err), 0);
    json_t *ctx = json_pack("{s:s, s:s}", "page", "body", "x", "<ok>");
    CHECK_INT(tmpl_render(set, "frame", ctx, NULL, "en", &out, NULL), 0);
    CHECK_STR(out, "[&lt;ok&gt;]");
    free(out);
    json_object_set_new(ctx, "page", json_string("nope"));
    CHECK_INT(tmpl_render(set, "frame", ctx, NULL, "en", &out, NULL), -1);
    json_object_set_new(ctx, "page", json_integer(1));
    CHECK_INT(tmpl_render(set, "frame", ctx, NULL, "en", &out, NULL), -1);
    json_decref(ctx);
    tmpl_free(set);
}

TEST(tmpl_dynamic_partial_loop_stops_at_depth_limit)
{
    struct tmpl_set *set = tmpl_set_new();
    char err[256], *out = NULL;
    CHECK_INT(tmpl_compile_string(set, "d", "x{{>*next}}", 11, err, sizeof err), 0);
    json_t *ctx = json_pack("{s:s}", "next", "d");
    CHECK_INT(tmpl_render(set, "d", ctx, NULL, "en", &out, NULL), -1);
    CHECK(out == NULL);
    json_decref(ctx);
    tmpl_free(set);
}

/* ---- translations --------------------------------------------------------------------- */

TEST(tmpl_translation_escapes_text_and_placeholders)
{
    struct i18n *i = small_i18n();
    CHECK(i != NULL);
    char *out =
        render_text("{{@hello}}", "{\"name\": \"<b>&\", \"user\": {\"city\": \"Bakı\"}}", i, "en");
    CHECK_STR(out, "Hi &lt;&lt;b&gt;&amp;&gt; &amp; Bakı , {bad-} { {} {.x}");
    free(out);
    out = render_text("{{@hello}}", "{\"name\": \"'\\\"\"}", i, "az");
    CHECK_STR(out, "Salam &#39;&quot;");
    free(out);
    i18n_free(i);
}

TEST(tmpl_translation_placeholder_sees_section_context)
{
    struct i18n *i = small_i18n();
    CHECK(i != NULL);
    char *out =
        render_text("{{#people}}{{@hello}};{{/people}}",
                    "{\"user\": {\"city\": \"X\"}, \"people\": [{\"name\": \"A\"}]}", i, "en");
    CHECK_STR(out, "Hi &lt;A&gt; &amp; X , {bad-} { {} {.x};");
    free(out);
    i18n_free(i);
}

TEST(tmpl_translation_falls_back_to_english_then_key)
{
    struct i18n *i = small_i18n();
    CHECK(i != NULL);
    unsigned long fb0, miss0, fb1, miss1;
    i18n_stats(i, &fb0, &miss0);
    char *out = render_text("{{@only.en}}|{{@no.such.key}}", "{}", i, "az");
    CHECK_STR(out, "English only|no.such.key");
    free(out);
    i18n_stats(i, &fb1, &miss1);
    CHECK_INT(fb1 - fb0, 1);
    CHECK_INT(miss1 - miss0, 1);
    out = render_text("{{@only.en}}", "{}", NULL, "az");
    CHECK_STR(out, "only.en");
    free(out);
    i18n_free(i);
}

TEST(tmpl_dynamic_translation_key_from_context)
{
    struct i18n *i = small_i18n();
    CHECK(i != NULL);
    char *out = render_text("{{#errors.surname}}<p>{{@*errors.surname}}</p>{{/errors.surname}}"
                            "{{@*errors.other}}{{@*n}}{{@*bad}}",
                            "{\"errors\": {\"surname\": \"err.required\"}, \"n\": 5, "
                            "\"bad\": \"<x>\"}",
                            i, "en");
    CHECK_STR(out, "<p>Required.</p>&lt;x&gt;");
    free(out);
    i18n_free(i);
}

TEST(tmpl_builtins_give_lang_and_dir)
{
    const char *t =
        "{{lang}} {{dir}} {{#is_en}}E{{/is_en}}{{#is_az}}A{{/is_az}}{{#is_ur}}U{{/is_ur}}";
    char *out = render_text(t, "{}", NULL, "ur");
    CHECK_STR(out, "ur rtl U");
    free(out);
    out = render_text(t, "{}", NULL, "az-Latn-AZ");
    CHECK_STR(out, "az ltr A");
    free(out);
    out = render_text(t, "{}", NULL, "fr");
    CHECK_STR(out, "en ltr E");
    free(out);
    out = render_text(t, "{\"lang\": \"override\"}", NULL, "en");
    CHECK_STR(out, "override ltr E");
    free(out);
}

/* ---- limits ------------------------------------------------------------------------------ */

TEST(tmpl_render_fails_beyond_output_limit)
{
    json_t *a = json_array();
    for (int k = 0; k < 2100; k++)
        json_array_append_new(a, json_integer(k));
    json_t *ctx = json_pack("{s:o}", "a", a);
    struct tmpl_set *set = tmpl_set_new();
    char err[128], *out = NULL;
    const char *t = "{{#a}}{{#a}}x{{/a}}{{/a}}";
    CHECK_INT(tmpl_compile_string(set, "t", t, strlen(t), err, sizeof err), 0);
    CHECK_INT(tmpl_render(set, "t", ctx, NULL, "en", &out, NULL), -1);
    CHECK(out == NULL);
    json_decref(ctx);
    tmpl_free(set);
}

TEST(tmpl_render_reports_length)
{
    struct tmpl_set *set = tmpl_set_new();
    char err[128], *out = NULL;
    size_t len = 99;
    CHECK_INT(tmpl_compile_string(set, "empty", "", 0, err, sizeof err), 0);
    CHECK_INT(tmpl_render(set, "empty", NULL, NULL, NULL, &out, &len), 0);
    CHECK_STR(out, "");
    CHECK_INT(len, 0);
    free(out);
    tmpl_free(set);
}

/* ---- directories and the layout ------------------------------------------------------------ */

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f);
}

TEST(tmpl_load_dir_compiles_the_templates)
{
    struct tmpl_set *set = NULL;
    char err[512];
    int rc = tmpl_load_dir("templates", &set, err, sizeof err);
    if (rc < 0)
        printf("  %s\n", err);
    CHECK_INT(rc, 0);
    CHECK(tmpl_exists(set, "layout"));
    tmpl_free(set);
}

TEST(tmpl_load_dir_reports_file_and_line)
{
    char dir[256], err[512], want[600];
    struct tmpl_set *set = NULL;
    CHECK(test_tmpdir(dir, sizeof dir) != NULL);
    CHECK_INT(write_file(dir, "good.html", "{{>bad}}"), 0);
    CHECK_INT(write_file(dir, "bad.html", "<p>\n\n{{{raw}}}</p>"), 0);
    CHECK_INT(write_file(dir, "notes.txt", "{{{ignored}}}"), 0);
    CHECK_INT(tmpl_load_dir(dir, &set, err, sizeof err), -1);
    CHECK(set == NULL);
    snprintf(want, sizeof want, "%s/bad.html:3: unescaped output", dir);
    CHECK(starts(err, want));
}

TEST(tmpl_load_dir_rejects_unknown_partial)
{
    char dir[256], err[512], want[600];
    struct tmpl_set *set = NULL;
    CHECK(test_tmpdir(dir, sizeof dir) != NULL);
    CHECK_INT(write_file(dir, "page.html", "x\n{{>footer}}"), 0);
    CHECK_INT(tmpl_load_dir(dir, &set, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s/page.html:2: unknown partial 'footer'", dir);
    CHECK_STR(err, want);
}

TEST(tmpl_load_dir_rejects_loop_bad_name_and_missing_dir)
{
    char dir[256], err[512];
    struct tmpl_set *set = NULL;
    CHECK(test_tmpdir(dir, sizeof dir) != NULL);
    CHECK_INT(write_file(dir, "a.html", "{{>b}}"), 0);
    CHECK_INT(write_file(dir, "b.html", "{{>a}}"), 0);
    CHECK_INT(tmpl_load_dir(dir, &set, err, sizeof err), -1);
    CHECK(strstr(err, "/b.html:1: partial 'a' makes a loop back to 'b'") != NULL);
    CHECK(test_tmpdir(dir, sizeof dir) != NULL);
    CHECK_INT(write_file(dir, "a b.html", "x"), 0);
    CHECK_INT(tmpl_load_dir(dir, &set, err, sizeof err), -1);
    CHECK(strstr(err, "template name must be") != NULL);
    CHECK_INT(tmpl_load_dir("/nonexistent/evisa-templates", &set, err, sizeof err), -1);
    CHECK_STR(err, "/nonexistent/evisa-templates:0: cannot open directory");
}

/* A small page in the layout, as a handler renders it. */
static const char golden_page[] =
    "<h1>{{@field.surname}}</h1>\n"
    "<form method=\"post\" action=\"{{path}}\">\n"
    "<div class=\"field\">\n"
    "<label for=\"surname\">{{@field.surname}}</label>\n"
    "<p class=\"hint\" id=\"surname-hint\">{{@field.surname.hint}}</p>\n"
    "<input id=\"surname\" name=\"surname\" value=\"{{values.surname}}\" "
    "aria-describedby=\"surname-hint{{#errors.surname}} surname-error{{/errors.surname}}\""
    "{{#errors.surname}} aria-invalid=\"true\"{{/errors.surname}}>\n"
    "{{#errors.surname}}<p class=\"field-error\" id=\"surname-error\">{{@*errors.surname}}</p>\n"
    "{{/errors.surname}}</div>\n"
    "<a href=\"/status/{{ref|url}}\">{{ref}}</a>\n"
    "</form>\n";

static char *render_golden(const char *lang)
{
    struct tmpl_set *set = NULL;
    struct i18n *i = NULL;
    char err[512], *out = NULL;
    if (tmpl_load_dir("templates", &set, err, sizeof err) < 0 ||
        tmpl_compile_string(set, "golden_page", golden_page, strlen(golden_page), err, sizeof err) <
            0 ||
        i18n_load_dir("po", &i, err, sizeof err) < 0) {
        printf("  %s\n", err);
        tmpl_free(set);
        i18n_free(i);
        return NULL;
    }
    json_t *ctx =
        json_pack("{s:s, s:s, s:s, s:s, s:b, s:{s:s}, s:{s:s}, s:s}", "page", "golden_page",
                  "title", "field.surname", "path", "/apply/personal", "official_site",
                  "evisa.gov.az", "test_mode", 1, "values", "surname", "O'Brien <b>", "errors",
                  "surname", "err.required", "ref", "AZE 2026/0001");
    unsigned long miss0, miss1;
    i18n_stats(i, NULL, &miss0);
    if (tmpl_render(set, "layout", ctx, i, lang, &out, NULL) < 0)
        out = NULL;
    i18n_stats(i, NULL, &miss1);
    if (miss1 != miss0) {
        printf("  %lu translation keys missing\n", miss1 - miss0);
        free(out);
        out = NULL;
    }
    json_decref(ctx);
    tmpl_free(set);
    i18n_free(i);
    return out;
}

static void check_golden(const char *lang, const char *file)
{
    char *out = render_golden(lang);
    CHECK(out != NULL);
    const char *upd = getenv("EVISA_UPDATE_GOLDEN");
    if (upd && *upd == '1') {
        FILE *f = fopen(file, "wb");
        CHECK(f != NULL);
        fputs(out, f);
        fclose(f);
    }
    char *want = test_read_file(file, NULL);
    CHECK(want != NULL);
    if (strcmp(out, want) != 0)
        test_fail(__FILE__, __LINE__, "%s differs from the rendering:\n%s", file, out);
    free(want);
    free(out);
}

TEST(tmpl_golden_layout_en)
{
    check_golden("en", "tests/golden/layout_en.html");
}

TEST(tmpl_golden_layout_ur)
{
    check_golden("ur", "tests/golden/layout_ur.html");
    char *out = render_golden("ur");
    CHECK(out != NULL);
    CHECK(strstr(out, "<html lang=\"ur\" dir=\"rtl\">") != NULL);
    free(out);
}

/* Whether html has an attribute like onclick= (inline script). */
static bool has_event_attr(const char *html)
{
    for (const char *s = html; (s = strstr(s, " on")) != NULL; s++) {
        const char *e = s + 3;
        while (*e >= 'a' && *e <= 'z')
            e++;
        if (e > s + 3 && *e == '=')
            return true;
    }
    return false;
}

TEST(tmpl_layout_has_no_inline_script_or_style)
{
    static const char *const langs[] = {"en", "az", "ur"};
    for (size_t k = 0; k < 3; k++) {
        char *out = render_golden(langs[k]);
        CHECK(out != NULL);
        CHECK_CTX(strstr(out, "<script") == NULL, langs[k]);
        CHECK_CTX(strstr(out, "<style") == NULL, langs[k]);
        CHECK_CTX(strstr(out, "style=") == NULL, langs[k]);
        CHECK_CTX(!has_event_attr(out), langs[k]);
        CHECK_CTX(strstr(out, "O&#39;Brien &lt;b&gt;") != NULL, langs[k]);
        CHECK_CTX(strstr(out, "/status/AZE%202026%2F0001") != NULL, langs[k]);
        free(out);
    }
}
