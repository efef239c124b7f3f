/*
 * test_error.c - errors as values: the table of codes and categories, and
 * the two constructors.  Error codes appear on error pages and in log
 * lines that sysadmins search for, so a code that changes or repeats is a
 * bug even when every other test passes.
 */
#include <string.h>

#include "unit.h"
#include "error.h"

/* error.h's own list, expanded here independently of error.c's table */
static const struct {
    ac_error_id id;
    const char *code;
    ac_error_category category;
} listed[] = {
#define LISTED(id, code, cat) { AC_E_##id, code, AC_CAT_##cat },
    AC_ERROR_CODES(LISTED)
#undef LISTED
};

START_TEST(error_make)
{
    ac_error *e = ac_error_make(unit_pool, AC_E_ACCESS_DENIED, "n=%d s=%s",
                                7, "x");

    ck_assert_int_eq(e->id, AC_E_ACCESS_DENIED);
    ck_assert_str_eq(e->code, "access_denied");
    ck_assert_str_eq(e->message, "n=7 s=x");
    ck_assert_int_eq(e->category, AC_CAT_DENIED);
}
END_TEST

START_TEST(every_id_in_the_table)
{
    apr_size_t n = sizeof(listed) / sizeof(listed[0]), i;

    ck_assert_uint_eq(n, AC_E_COUNT);
    for (i = 0; i < n; i++) {
        ck_assert_int_eq(listed[i].id, (int)i);
        ck_assert_str_eq(ac_error_code(listed[i].id), listed[i].code);
        ck_assert_msg(ac_error_category_of(listed[i].id) == listed[i].category,
                      "%s has the wrong category", listed[i].code);
    }
}
END_TEST

START_TEST(codes_non_empty_unique_and_greppable)
{
    int i, k;

    for (i = 0; i < AC_E_COUNT; i++) {
        const char *c = ac_error_code((ac_error_id)i);
        ac_error_category cat = ac_error_category_of((ac_error_id)i);

        ck_assert_msg(c != NULL && c[0] != '\0', "id %d has no code", i);
        ck_assert_msg(strspn(c, "abcdefghijklmnopqrstuvwxyz0123456789_")
                      == strlen(c), "code \"%s\" is not [a-z0-9_]", c);
        ck_assert_msg((int)cat >= (int)AC_CAT_REQUEST
                      && (int)cat <= (int)AC_CAT_INTERNAL,
                      "%s has no category", c);
        ck_assert_str_ne(c, "unknown");
        for (k = 0; k < i; k++) {
            ck_assert_msg(strcmp(c, ac_error_code((ac_error_id)k)) != 0,
                          "code \"%s\" is used twice", c);
        }
    }
}
END_TEST

START_TEST(every_category_used)
{
    int seen[AC_CAT_INTERNAL + 1] = { 0 };
    int i;

    for (i = 0; i < AC_E_COUNT; i++) {
        seen[ac_error_category_of((ac_error_id)i)] = 1;
    }
    for (i = AC_CAT_REQUEST; i <= AC_CAT_INTERNAL; i++) {
        ck_assert_msg(seen[i], "category %d has no error", i);
    }
}
END_TEST

START_TEST(out_of_range_id)
{
    ck_assert_str_eq(ac_error_code(AC_E_COUNT), "unknown");
    ck_assert_int_eq(ac_error_category_of(AC_E_COUNT), AC_CAT_INTERNAL);
}
END_TEST

START_TEST(wrap_keeps_id_and_prefixes)
{
    apr_pool_t *scratch;
    ac_error *e, *w;

    apr_pool_create(&scratch, unit_pool);
    e = ac_error_make(scratch, AC_E_HTTP_TIMEOUT, "request to %s timed out",
                      "https://op.example/token");
    w = ac_error_wrap(unit_pool, e, "token request");
    ck_assert_int_eq(w->id, AC_E_HTTP_TIMEOUT);
    ck_assert_str_eq(w->code, "http_timeout");
    ck_assert_int_eq(w->category, AC_CAT_PROVIDER_TIMEOUT);
    ck_assert_str_eq(w->message, "token request: request to "
                     "https://op.example/token timed out");
    /* the original is unchanged */
    ck_assert_str_eq(e->message,
                     "request to https://op.example/token timed out");
    /* the wrapped error lives in its own pool, not the scratch one */
    apr_pool_destroy(scratch);
    ck_assert_str_eq(w->message, "token request: request to "
                     "https://op.example/token timed out");
}
END_TEST

START_TEST(wrap_without_context_copies)
{
    apr_pool_t *scratch;
    ac_error *e, *w;

    apr_pool_create(&scratch, unit_pool);
    e = ac_error_make(scratch, AC_E_KEY_FILE, "cannot open %s", "/k.pem");
    w = ac_error_wrap(unit_pool, e, NULL);
    apr_pool_destroy(scratch);
    ck_assert_int_eq(w->id, AC_E_KEY_FILE);
    ck_assert_str_eq(w->code, "key_file");
    ck_assert_int_eq(w->category, AC_CAT_CONFIG);
    ck_assert_str_eq(w->message, "cannot open /k.pem");
}
END_TEST

Suite *error_suite(void)
{
    Suite *s = suite_create("error");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, error_make);
    tcase_add_test(tc, every_id_in_the_table);
    tcase_add_test(tc, codes_non_empty_unique_and_greppable);
    tcase_add_test(tc, every_category_used);
    tcase_add_test(tc, out_of_range_id);
    tcase_add_test(tc, wrap_keeps_id_and_prefixes);
    tcase_add_test(tc, wrap_without_context_copies);
    suite_add_tcase(s, tc);
    return s;
}
