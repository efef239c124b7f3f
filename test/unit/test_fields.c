/* test_fields.c - the NUL-separated field layout of the session record and
 * the flow entry: joined, then read back by a cursor that cannot over-read. */
#include <string.h>

#include "unit.h"
#include "fields.h"

START_TEST(fields_join_and_read)
{
    apr_array_header_t *f = apr_array_make(unit_pool, 4, sizeof(const char *));
    ac_field_reader r;
    apr_size_t len, n;
    apr_time_t t;
    char *buf;

    APR_ARRAY_PUSH(f, const char *) = "one";
    APR_ARRAY_PUSH(f, const char *) = NULL;
    APR_ARRAY_PUSH(f, const char *) = "12";
    APR_ARRAY_PUSH(f, const char *) = "1700000000000000";
    buf = ac_fields_join(unit_pool, f, &len);
    ck_assert_uint_eq(len, 4 + 1 + 3 + 17);
    ac_field_reader_init(&r, buf, len);
    ck_assert_str_eq(ac_field_next(&r), "one");
    ck_assert_str_eq(ac_field_next(&r), "");
    ck_assert_int_eq(ac_field_reader_done(&r), 0);
    ck_assert_int_eq(ac_field_next_count(&r, 100, &n), 1);
    ck_assert_uint_eq(n, 12);
    ck_assert_int_eq(ac_field_next_time(&r, &t), 1);
    ck_assert(t == APR_INT64_C(1700000000000000));
    ck_assert_int_eq(ac_field_reader_done(&r), 1);
    ck_assert_ptr_null(ac_field_next(&r));
}
END_TEST

START_TEST(fields_reader_bounds)
{
    char buf[] = { 'a', 'b', '\0', 'c', 'd' };     /* last field unterminated */
    char nums[] = "12\0" "x1\0" "1a\0" "-5\0" "";
    ac_field_reader r;
    apr_size_t n;
    apr_time_t t;

    ac_field_reader_init(&r, buf, sizeof(buf));
    ck_assert_str_eq(ac_field_next(&r), "ab");
    ck_assert_ptr_null(ac_field_next(&r));
    ck_assert_ptr_null(ac_field_next(&r));

    ac_field_reader_init(&r, nums, sizeof(nums) - 1);
    ck_assert_int_eq(ac_field_next_count(&r, 11, &n), 0);      /* above max */
    ck_assert_int_eq(ac_field_next_count(&r, 100, &n), 0);     /* not a number */
    ck_assert_int_eq(ac_field_next_count(&r, 1000, &n), 0);    /* trailing junk */
    ck_assert_int_eq(ac_field_next_time(&r, &t), 0);           /* negative */
    ck_assert_int_eq(ac_field_next_time(&r, &t), 0);           /* missing */
}
END_TEST

START_TEST(fields_empty)
{
    apr_array_header_t *f = apr_array_make(unit_pool, 1, sizeof(const char *));
    ac_field_reader r;
    apr_size_t len = 99, n;
    apr_time_t t;
    char *buf;

    /* no fields: nothing written, and a reader over nothing is done */
    buf = ac_fields_join(unit_pool, f, &len);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(len, 0);
    ac_field_reader_init(&r, buf, len);
    ck_assert_int_eq(ac_field_reader_done(&r), 1);
    ck_assert_ptr_null(ac_field_next(&r));
    ck_assert_int_eq(ac_field_next_count(&r, 10, &n), 0);
    ck_assert_int_eq(ac_field_next_time(&r, &t), 0);

    /* one empty field is one NUL */
    APR_ARRAY_PUSH(f, const char *) = "";
    buf = ac_fields_join(unit_pool, f, &len);
    ck_assert_uint_eq(len, 1);
    ck_assert_int_eq(buf[0], '\0');
    ac_field_reader_init(&r, buf, len);
    ck_assert_str_eq(ac_field_next(&r), "");
    ck_assert_int_eq(ac_field_reader_done(&r), 1);
}
END_TEST

START_TEST(fields_counts_and_times)
{
    char buf[] = "0\0" "7\0" "8\0" "007\0" "0\0" "999999999999999999\0"
                 "1000000000000000000\0" " 1\0";
    ac_field_reader r;
    apr_size_t n;
    apr_time_t t;

    ac_field_reader_init(&r, buf, sizeof(buf) - 1);
    ck_assert_int_eq(ac_field_next_count(&r, 7, &n), 1);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(ac_field_next_count(&r, 7, &n), 1);       /* max itself */
    ck_assert_uint_eq(n, 7);
    ck_assert_int_eq(ac_field_next_count(&r, 7, &n), 0);       /* max + 1 */
    ck_assert_int_eq(ac_field_next_count(&r, 100, &n), 1);
    ck_assert_uint_eq(n, 7);
    ck_assert_int_eq(ac_field_next_time(&r, &t), 1);
    ck_assert(t == 0);
    ck_assert_int_eq(ac_field_next_time(&r, &t), 1);
    ck_assert(t == APR_INT64_C(999999999999999999));
    /* more digits than a time needs are refused before they can overflow */
    ck_assert_int_eq(ac_field_next_time(&r, &t), 0);
    ck_assert_int_eq(ac_field_next_time(&r, &t), 0);           /* space */
}
END_TEST

Suite *fields_suite(void)
{
    Suite *s = suite_create("fields");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, fields_join_and_read);
    tcase_add_test(tc, fields_reader_bounds);
    tcase_add_test(tc, fields_empty);
    tcase_add_test(tc, fields_counts_and_times);
    suite_add_tcase(s, tc);
    return s;
}
