/* test_profile.c - claims of plain OAuth 2.0 / OAuth 1.0a logins. */
#include <string.h>
#include "unit.h"
#include "json.h"
#include "profile.h"

static json_t *parse(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);

    ck_assert_msg(j != NULL, "test JSON parses: %s", jerr.text);
    ac_json_pool_own(unit_pool, j);
    return j;
}

START_TEST(id_becomes_exact_string_sub)
{
    /* 2^53 + 1 is where a double would round */
    json_t *c = parse("{\"id\": 9007199254740993, \"login\": \"carol\"}");

    ck_assert_ptr_null(ac_profile_set_sub(unit_pool, c));
    ck_assert_str_eq(json_string_value(json_object_get(c, "sub")), "9007199254740993");
}
END_TEST

START_TEST(id_str_wins_over_id)
{
    json_t *c = parse("{\"id\": 1.2345678901234568e18, \"id_str\": \"1234567890123456789\"}");

    ck_assert_ptr_null(ac_profile_set_sub(unit_pool, c));
    ck_assert_str_eq(json_string_value(json_object_get(c, "sub")), "1234567890123456789");
}
END_TEST

START_TEST(no_id_is_an_error)
{
    json_t *c = parse("{\"login\": \"x\", \"id\": null}");
    ac_error *e = ac_profile_set_sub(unit_pool, c);

    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->code, "profile_no_id");
    ck_assert_ptr_null(json_object_get(c, "sub"));
}
END_TEST

START_TEST(main_profile_wins_over_extras)
{
    json_t *c = parse("{}");

    ac_profile_add(c, parse("{\"login\": \"alice\", \"email\": \"a@x\"}"));
    ac_profile_add(c, parse("{\"login\": \"other\", \"plan\": \"pro\"}"));
    ck_assert_str_eq(json_string_value(json_object_get(c, "login")), "alice");
    ck_assert_str_eq(json_string_value(json_object_get(c, "plan")), "pro");
}
END_TEST

START_TEST(private_email_from_emails_list)
{
    json_t *c = parse("{\"login\": \"carol\", \"email\": null}");

    ac_profile_add(c, parse("[{\"email\": \"old@x\", \"primary\": false, \"verified\": true},"
                            " {\"email\": \"unverified@x\", \"primary\": true, \"verified\": false},"
                            " {\"email\": \"carol@x\", \"primary\": true, \"verified\": true}]"));
    ck_assert_str_eq(json_string_value(json_object_get(c, "email")), "carol@x");
    ck_assert(json_is_true(json_object_get(c, "email_verified")));
}
END_TEST

START_TEST(unverified_primary_is_not_used)
{
    json_t *c = parse("{\"email\": null}");

    ac_profile_add(c, parse("[{\"email\": \"p@x\", \"primary\": true, \"verified\": false}]"));
    ck_assert(json_is_null(json_object_get(c, "email")));
    ck_assert_ptr_null(json_object_get(c, "email_verified"));
}
END_TEST

START_TEST(public_email_is_kept)
{
    json_t *c = parse("{\"email\": \"public@x\"}");

    ac_profile_add(c, parse("[{\"email\": \"primary@x\", \"primary\": true, \"verified\": true}]"));
    ck_assert_str_eq(json_string_value(json_object_get(c, "email")), "public@x");
}
END_TEST

Suite *profile_suite(void)
{
    Suite *s = suite_create("profile");
    TCase *tc = tcase_create("profile");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, id_becomes_exact_string_sub);
    tcase_add_test(tc, id_str_wins_over_id);
    tcase_add_test(tc, no_id_is_an_error);
    tcase_add_test(tc, main_profile_wins_over_extras);
    tcase_add_test(tc, private_email_from_emails_list);
    tcase_add_test(tc, unverified_primary_is_not_used);
    tcase_add_test(tc, public_email_is_kept);
    suite_add_tcase(s, tc);
    return s;
}
