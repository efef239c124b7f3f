/* test_json.c - JSON documents from outside: parsed strictly, owned by a
 * pool. */
#include <string.h>

#include "unit.h"
#include "json.h"

START_TEST(json_helpers)
{
    json_t *j = NULL;
    ac_error *err;

    ck_assert_ptr_null(ac_json_parse_object(unit_pool, "{\"a\":\"b\",\"n\":1}",
                                            15, "test", &j));
    ck_assert_str_eq(ac_json_string(j, "a"), "b");
    ck_assert_ptr_null(ac_json_string(j, "n"));
    ck_assert_ptr_null(ac_json_string(j, "missing"));
    ck_assert_ptr_null(ac_json_string(NULL, "a"));
    err = ac_json_parse_object(unit_pool, "[1]", 3, "test", &j);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_null(j);
    err = ac_json_parse_object(unit_pool, "{\"a\":", 5, "test", &j);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "json_malformed");
}
END_TEST

START_TEST(duplicate_names_refused)
{
    static const char *const docs[] = {
        "{\"sub\":\"alice\",\"sub\":\"bob\"}",
        "{\"a\":1,\"b\":2,\"a\":1}",
        "{\"o\":{\"x\":1,\"x\":2}}",
    };
    apr_size_t i;

    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        json_t *j = (json_t *)1;
        ac_error *err = ac_json_parse_object(unit_pool, docs[i],
                                             strlen(docs[i]), "the answer",
                                             &j);

        ck_assert_msg(err != NULL, "accepted %s", docs[i]);
        ck_assert_int_eq(err->id, AC_E_JSON_MALFORMED);
        ck_assert_ptr_null(j);
    }
}
END_TEST

START_TEST(non_objects_refused)
{
    static const char *const docs[] = {
        "[1]", "\"text\"", "42", "true", "null", "[]", "", "   ", "{}x",
    };
    apr_size_t i;
    json_t *j;

    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        ac_error *err;

        j = (json_t *)1;
        err = ac_json_parse_object(unit_pool, docs[i], strlen(docs[i]),
                                   "the answer", &j);

        ck_assert_msg(err != NULL, "accepted \"%s\"", docs[i]);
        ck_assert_str_eq(err->code, "json_malformed");
        ck_assert_int_eq(err->category, AC_CAT_PROVIDER);
        ck_assert_msg(strstr(err->message, "the answer") != NULL,
                      "message does not say what: %s", err->message);
        ck_assert_ptr_null(j);
    }
    /* no body at all */
    j = (json_t *)1;
    ck_assert_ptr_nonnull(ac_json_parse_object(unit_pool, NULL, 0, "nothing",
                                               &j));
    ck_assert_ptr_null(j);
}
END_TEST

START_TEST(parse_stops_at_len)
{
    static const char text[] = "{\"a\":\"b\"}{\"c\":1}";
    json_t *j = NULL;

    /* a body buffer need not end where the document does */
    ck_assert_ptr_null(ac_json_parse_object(unit_pool, text, 9, "test", &j));
    ck_assert_str_eq(ac_json_string(j, "a"), "b");
    ck_assert_ptr_null(json_object_get(j, "c"));
    ck_assert_ptr_nonnull(ac_json_parse_object(unit_pool, text, 8, "test", &j));
}
END_TEST

START_TEST(pool_owns_a_reference)
{
    apr_pool_t *sub;
    json_t *j = json_object();

    json_incref(j);
    apr_pool_create(&sub, unit_pool);
    ac_json_pool_own(sub, j);
    ck_assert_uint_eq(j->refcount, 2);
    apr_pool_destroy(sub);
    ck_assert_uint_eq(j->refcount, 1);
    json_decref(j);
}
END_TEST

Suite *json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, json_helpers);
    tcase_add_test(tc, duplicate_names_refused);
    tcase_add_test(tc, non_objects_refused);
    tcase_add_test(tc, parse_stops_at_len);
    tcase_add_test(tc, pool_owns_a_reference);
    suite_add_tcase(s, tc);
    return s;
}
