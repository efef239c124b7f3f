/* test_cookie.c - the module's cookies out of Cookie request headers. */
#include <string.h>

#include "unit.h"
#include "cookie.h"

static ac_cookie_values scan(const char *header, const char *name)
{
    ac_cookie_values v;

    memset(&v, 0, sizeof(v));
    ac_cookie_scan(header, name, &v);
    return v;
}

static void assert_value(const ac_cookie_values *v, int i, const char *want)
{
    ck_assert_int_gt(v->count, i);
    ck_assert_msg(v->len[i] == strlen(want)
                  && memcmp(v->value[i], want, v->len[i]) == 0,
                  "value %d is \"%.*s\", want \"%s\"", i, (int)v->len[i],
                  v->value[i], want);
}

START_TEST(cookie_found_among_others)
{
    const char *h = "theme=dark; ac_session=abc-_1; lang=de";
    ac_cookie_values v = scan(h, "ac_session");

    ck_assert_int_eq(v.count, 1);
    assert_value(&v, 0, "abc-_1");
    /* the value points into the header, nothing is copied */
    ck_assert(v.value[0] > h && v.value[0] < h + strlen(h));
    v = scan("ac_session=first", "ac_session");
    ck_assert_int_eq(v.count, 1);
    assert_value(&v, 0, "first");
}
END_TEST

START_TEST(cookie_name_matches_exactly)
{
    ac_cookie_values v;

    v = scan("ac_session_x=1; xac_session=2; ac_sessio=3", "ac_session");
    ck_assert_int_eq(v.count, 0);
    /* cookie names are case-sensitive (RFC 6265 5.4) */
    v = scan("AC_SESSION=1; Ac_Session=2", "ac_session");
    ck_assert_int_eq(v.count, 0);
    v = scan("", "ac_session");
    ck_assert_int_eq(v.count, 0);
    v = scan(";;; ;", "ac_session");
    ck_assert_int_eq(v.count, 0);
}
END_TEST

START_TEST(cookie_every_value_in_order)
{
    /* a planted cookie with a more specific path comes first: both are
     * returned, so the caller can try each */
    ac_cookie_values v = scan("ac_session=planted; other=x; ac_session=real",
                              "ac_session");

    ck_assert_int_eq(v.count, 2);
    assert_value(&v, 0, "planted");
    assert_value(&v, 1, "real");
}
END_TEST

START_TEST(cookie_whitespace)
{
    ac_cookie_values v = scan("  ac_session=abc  ;\tac_session=def\t;ac_flow=f",
                              "ac_session");

    ck_assert_int_eq(v.count, 2);
    assert_value(&v, 0, "abc");
    assert_value(&v, 1, "def");
    v = scan("a=1;ac_flow=f;b=2", "ac_flow");
    ck_assert_int_eq(v.count, 1);
    assert_value(&v, 0, "f");
}
END_TEST

START_TEST(cookie_values_bounded)
{
    const char *h = "c=1; c=2; c=3; c=4; c=5; c=6";
    ac_cookie_values v = scan(h, "c");

    ck_assert_int_eq(v.count, AC_COOKIE_MAX_VALUES);
    assert_value(&v, 0, "1");
    assert_value(&v, AC_COOKIE_MAX_VALUES - 1, "4");
}
END_TEST

START_TEST(cookie_scan_adds_across_headers)
{
    ac_cookie_values v;

    /* one Cookie header per request line, values collected over all */
    memset(&v, 0, sizeof(v));
    ac_cookie_scan("c=1; d=x", "c", &v);
    ac_cookie_scan("d=y; c=2", "c", &v);
    ck_assert_int_eq(v.count, 2);
    assert_value(&v, 0, "1");
    assert_value(&v, 1, "2");
    /* a full set takes no more */
    ac_cookie_scan("c=3; c=4; c=5", "c", &v);
    ck_assert_int_eq(v.count, AC_COOKIE_MAX_VALUES);
    assert_value(&v, AC_COOKIE_MAX_VALUES - 1, "4");
}
END_TEST

Suite *cookie_suite(void)
{
    Suite *s = suite_create("cookie");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, cookie_found_among_others);
    tcase_add_test(tc, cookie_name_matches_exactly);
    tcase_add_test(tc, cookie_every_value_in_order);
    tcase_add_test(tc, cookie_whitespace);
    tcase_add_test(tc, cookie_values_bounded);
    tcase_add_test(tc, cookie_scan_adds_across_headers);
    suite_add_tcase(s, tc);
    return s;
}
