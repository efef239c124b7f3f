/*
 * test_token_memo.c - the per-process memo of verified JWTs: a value is
 * returned only under its own key and before its end, as a copy; it is
 * bounded in count and size.
 */
#include <string.h>

#include "token_memo.h"
#include "unit.h"

static void key_of(const char *s, unsigned char *key)
{
    ac_sha256(s, strlen(s), key);
}

START_TEST(hit_and_miss)
{
    ac_token_memo *m;
    unsigned char k1[32], k2[32];
    apr_size_t len;
    char *v;

    ck_assert_ptr_null(ac_token_memo_create(unit_pool, 16, 64, &m));
    key_of("one", k1);
    key_of("two", k2);
    ac_token_memo_put(m, k1, "alice\0x", 7, 100);
    v = ac_token_memo_get(m, k1, 50, unit_pool, &len);
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_eq(len, 7);
    ck_assert_int_eq(memcmp(v, "alice\0x", 7), 0);
    ck_assert_ptr_null(ac_token_memo_get(m, k2, 50, unit_pool, &len));
    /* a copy: changing it changes nothing kept */
    v[0] = 'X';
    ck_assert_int_eq(ac_token_memo_get(m, k1, 50, unit_pool, &len)[0], 'a');
}
END_TEST

START_TEST(expires)
{
    ac_token_memo *m;
    unsigned char k[32];
    apr_size_t len;

    ck_assert_ptr_null(ac_token_memo_create(unit_pool, 4, 64, &m));
    key_of("one", k);
    ac_token_memo_put(m, k, "v", 1, 100);
    ck_assert_ptr_nonnull(ac_token_memo_get(m, k, 99, unit_pool, &len));
    ck_assert_ptr_null(ac_token_memo_get(m, k, 100, unit_pool, &len));
    /* no end, no entry */
    key_of("two", k);
    ac_token_memo_put(m, k, "v", 1, 0);
    ck_assert_ptr_null(ac_token_memo_get(m, k, 1, unit_pool, &len));
}
END_TEST

START_TEST(same_slot_other_key)
{
    ac_token_memo *m;
    unsigned char k1[32], k2[32];
    apr_size_t len;

    /* one slot: every key shares it, and only the last one is found */
    ck_assert_ptr_null(ac_token_memo_create(unit_pool, 1, 64, &m));
    key_of("one", k1);
    key_of("two", k2);
    ac_token_memo_put(m, k1, "first", 5, 100);
    ck_assert_ptr_null(ac_token_memo_get(m, k2, 1, unit_pool, &len));
    ac_token_memo_put(m, k2, "second", 6, 100);
    ck_assert_ptr_null(ac_token_memo_get(m, k1, 1, unit_pool, &len));
    ck_assert_str_eq(ac_token_memo_get(m, k2, 1, unit_pool, &len), "second");
}
END_TEST

START_TEST(size_cap)
{
    ac_token_memo *m;
    unsigned char k[32];
    char big[65];
    apr_size_t len;

    memset(big, 'a', sizeof(big));
    ck_assert_ptr_null(ac_token_memo_create(unit_pool, 4, 64, &m));
    key_of("one", k);
    ac_token_memo_put(m, k, big, sizeof(big), 100);
    ck_assert_ptr_null(ac_token_memo_get(m, k, 1, unit_pool, &len));
    ac_token_memo_put(m, k, big, 64, 100);
    ck_assert_ptr_nonnull(ac_token_memo_get(m, k, 1, unit_pool, &len));
    ck_assert_uint_eq(len, 64);
}
END_TEST

START_TEST(no_memo)
{
    unsigned char k[32];
    apr_size_t len;

    key_of("one", k);
    ac_token_memo_put(NULL, k, "v", 1, 100);
    ck_assert_ptr_null(ac_token_memo_get(NULL, k, 1, unit_pool, &len));
}
END_TEST

START_TEST(key_is_sha256)
{
    ac_token_memo *m;
    unsigned char a[32], b[32], c[32];

    ck_assert_ptr_null(ac_token_memo_create(unit_pool, 4, 64, &m));
    ac_sha256("context\ntoken", 13, a);
    ac_token_memo_key(m, "context\ntoken", 13, b);
    ac_token_memo_key(NULL, "context\ntoken", 13, c);
    ck_assert_int_eq(memcmp(a, b, 32), 0);
    ck_assert_int_eq(memcmp(a, c, 32), 0);
}
END_TEST

Suite *token_memo_suite(void)
{
    Suite *s = suite_create("token_memo");
    TCase *tc = tcase_create("token_memo");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, hit_and_miss);
    tcase_add_test(tc, expires);
    tcase_add_test(tc, same_slot_other_key);
    tcase_add_test(tc, size_cap);
    tcase_add_test(tc, no_memo);
    tcase_add_test(tc, key_is_sha256);
    suite_add_tcase(s, tc);
    return s;
}
