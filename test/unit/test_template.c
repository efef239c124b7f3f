/* test_template.c - the page templates: placeholders, escaping, the
 * startup check of an administrator's files. */
#include <string.h>

#include "template.h"
#include "unit.h"

START_TEST(template_fills_and_escapes)
{
    ac_template_var vars[] = {
        { "user", "<b>\"al&ice'</b>", 0 },
        { "list", "<li>kept</li>", 1 },
    };

    ck_assert_str_eq(ac_template_render(unit_pool, "<p>{{user}}</p><ul>{{list}}</ul>",
                                        vars, 2),
                     "<p>&lt;b&gt;&quot;al&amp;ice&#39;&lt;/b&gt;</p>"
                     "<ul><li>kept</li></ul>");
    /* unknown and NULL values render as nothing */
    vars[0].value = NULL;
    ck_assert_str_eq(ac_template_render(unit_pool, "a{{user}}b{{nobody}}c", vars, 2),
                     "abc");
}
END_TEST

/* braces that are not placeholders stay text: CSS, a script's object */
START_TEST(template_leaves_other_braces)
{
    static const char *const same[] = {
        "body{margin:0}", "{{}}", "{{ user }}", "{{user}", "{user}}", "{{{",
        "{{a-b}}", "}}{{", "{{0123456789012345678901234567890123}}", "",
    };
    ac_template_var v = { "user", "X", 0 };
    size_t i;

    for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        ck_assert_str_eq(ac_template_render(unit_pool, same[i], &v, 1), same[i]);
    }
    ck_assert_str_eq(ac_template_render(unit_pool, "{{{user}}}", &v, 1), "{X}");
    /* a value is never read as a template itself */
    v.value = "{{user}}";
    ck_assert_str_eq(ac_template_render(unit_pool, "{{user}}", &v, 1), "{{user}}");
}
END_TEST

START_TEST(template_unknown_names_its_line)
{
    static const char *const known[] = { "title", "code", NULL };
    int line = 0;

    ck_assert_ptr_null(ac_template_unknown(unit_pool, "{{title}}\n{{code}} {x}",
                                           known, &line));
    ck_assert_str_eq(ac_template_unknown(unit_pool, "{{title}}\n\n<p>{{usr}}</p>",
                                         known, &line), "usr");
    ck_assert_int_eq(line, 3);
    ck_assert_str_eq(ac_template_unknown(unit_pool, "{{codes}}", known, &line),
                     "codes");
}
END_TEST

Suite *template_suite(void)
{
    Suite *s = suite_create("template");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, template_fills_and_escapes);
    tcase_add_test(tc, template_leaves_other_braces);
    tcase_add_test(tc, template_unknown_names_its_line);
    suite_add_tcase(s, tc);
    return s;
}
