/*
 * test_index_record.c - the single-logout index entry: its layout round
 * trip, refusal of damaged buffers, and the bounded list's rules (expired
 * sessions dropped, no duplicates, the first to end leaves when full).
 */
#include <string.h>

#include "index_record.h"
#include "unit.h"

static apr_array_header_t *list_of(int n, apr_time_t first_expiry)
{
    apr_array_header_t *l = apr_array_make(unit_pool, n, sizeof(ac_index_session));
    int i;

    for (i = 0; i < n; i++) {
        ac_index_session *s = apr_array_push(l);
        s->id = apr_psprintf(unit_pool, "session-%d", i);
        s->expires = first_expiry + i;
    }
    return l;
}

START_TEST(round_trip)
{
    apr_array_header_t *l = list_of(3, 1000), *back = NULL;
    char *buf;
    apr_size_t len;

    ck_assert_ptr_null(ac_index_record_encode(unit_pool, l, &buf, &len));
    ck_assert_ptr_null(ac_index_record_decode(unit_pool, buf, len, &back));
    ck_assert_int_eq(back->nelts, 3);
    ck_assert_str_eq(APR_ARRAY_IDX(back, 2, ac_index_session).id, "session-2");
    ck_assert_int_eq(APR_ARRAY_IDX(back, 2, ac_index_session).expires, 1002);
    ck_assert_int_eq(ac_index_record_until(back), 1002);
    ck_assert(ac_index_record_has(back, "session-1"));
    ck_assert(!ac_index_record_has(back, "session-9"));
}
END_TEST

START_TEST(damaged_refused)
{
    apr_array_header_t *l = list_of(2, 1000), *back = NULL;
    char *buf, *copy;
    apr_size_t len, cut;

    ck_assert_ptr_null(ac_index_record_encode(unit_pool, l, &buf, &len));
    /* every truncation is an error, never an over-read */
    for (cut = 0; cut < len; cut++) {
        copy = apr_pmemdup(unit_pool, buf, cut);
        ck_assert_ptr_nonnull(ac_index_record_decode(unit_pool, copy, cut, &back));
    }
    /* trailing bytes */
    copy = apr_palloc(unit_pool, len + 2);
    memcpy(copy, buf, len);
    memcpy(copy + len, "x", 2);
    ck_assert_ptr_nonnull(ac_index_record_decode(unit_pool, copy, len + 2, &back));
    /* a count larger than the bytes could hold */
    copy = apr_pmemdup(unit_pool, "ACI1\0" "999\0" "a\0" "1", 13);
    ck_assert_ptr_nonnull(ac_index_record_decode(unit_pool, copy, 13, &back));
    copy = apr_pmemdup(unit_pool, "ACIX\0" "0", 7);
    ck_assert_ptr_nonnull(ac_index_record_decode(unit_pool, copy, 7, &back));
}
END_TEST

START_TEST(add_rules)
{
    apr_array_header_t *l = list_of(3, 1000), *out;

    /* expired ones (ending at or before now) go, the new one is added */
    ck_assert_int_eq(ac_index_record_add(unit_pool, l, "new", 5000, 1001, &out), 0);
    ck_assert_int_eq(out->nelts, 2);
    ck_assert(!ac_index_record_has(out, "session-0"));
    ck_assert(!ac_index_record_has(out, "session-1"));
    ck_assert(ac_index_record_has(out, "new"));
    /* the same id twice is listed once */
    ck_assert_int_eq(ac_index_record_add(unit_pool, out, "new", 6000, 1001, &out), 0);
    ck_assert_int_eq(out->nelts, 2);
    ck_assert_int_eq(ac_index_record_until(out), 6000);
    /* the input is left alone */
    ck_assert_int_eq(l->nelts, 3);
}
END_TEST

START_TEST(bounded)
{
    apr_array_header_t *l = list_of(AC_INDEX_MAX_SESSIONS, 1000), *out;
    char *buf;
    apr_size_t len;

    ck_assert_int_eq(ac_index_record_add(unit_pool, l, "new", 5000, 1, &out), 1);
    ck_assert_int_eq(out->nelts, AC_INDEX_MAX_SESSIONS);
    ck_assert(!ac_index_record_has(out, "session-0"));     /* ends first */
    ck_assert(ac_index_record_has(out, "session-1"));
    ck_assert(ac_index_record_has(out, "new"));
    /* one more than the bound is never written */
    l = list_of(AC_INDEX_MAX_SESSIONS + 1, 1000);
    ck_assert_ptr_nonnull(ac_index_record_encode(unit_pool, l, &buf, &len));
}
END_TEST

Suite *index_record_suite(void)
{
    Suite *s = suite_create("index_record");
    TCase *tc = tcase_create("index");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, damaged_refused);
    tcase_add_test(tc, add_rules);
    tcase_add_test(tc, bounded);
    suite_add_tcase(s, tc);
    return s;
}
