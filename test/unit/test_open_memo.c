/*
 * test_open_memo.c - the memo of opened cache values: it gives back what
 * it was given only for the same (type, id), hands out copies, replaces a
 * slot's entry, forgets, and keeps within its bytes.  Whether the cache
 * layer uses the plaintext only for the same sealed bytes is tested
 * against a real cache (test/t/cache/open_memo.t).
 */
#include <string.h>

#include "open_memo.h"
#include "unit.h"

static unsigned char key_a[AC_KEY_HASH_LEN] = { 1, 2, 3 };
static unsigned char key_b[AC_KEY_HASH_LEN] = { 9, 8, 7 };

static void put(ac_open_memo *m, const char *type, const char *id,
                const unsigned char *key, const char *sealed, const char *plain)
{
    ac_open_memo_put(m, type, id, key, (const unsigned char *)sealed, strlen(sealed),
                     plain, strlen(plain));
}

START_TEST(gives_back_what_it_was_given)
{
    ac_open_memo *m;
    ac_open_memo_hit hit;

    ck_assert_ptr_null(ac_open_memo_create(unit_pool, 16, 1 << 20, &m));
    ck_assert_int_eq(ac_open_memo_get(m, "session", "abc", unit_pool, &hit), 0);
    put(m, "session", "abc", key_a, "SEALED-1", "plain one");
    ck_assert_int_eq(ac_open_memo_get(m, "session", "abc", unit_pool, &hit), 1);
    ck_assert_mem_eq(hit.key, key_a, AC_KEY_HASH_LEN);
    ck_assert_uint_eq(hit.sealed_len, 8);
    ck_assert_mem_eq(hit.sealed, "SEALED-1", 8);
    ck_assert_str_eq(hit.plain, "plain one");
    ck_assert_uint_eq(hit.plain_len, 9);
    /* a copy: writing to it does not change the memo */
    hit.plain[0] = 'X';
    ck_assert_int_eq(ac_open_memo_get(m, "session", "abc", unit_pool, &hit), 1);
    ck_assert_str_eq(hit.plain, "plain one");
    /* only the same type and id: ("session", "abc") is not ("sessio",
     * "nabc") nor another type of the same id */
    ck_assert_int_eq(ac_open_memo_get(m, "tokens", "abc", unit_pool, &hit), 0);
    ck_assert_int_eq(ac_open_memo_get(m, "sessio", "nabc", unit_pool, &hit), 0);
    ck_assert_int_eq(ac_open_memo_get(m, "session", "abcd", unit_pool, &hit), 0);
}
END_TEST

START_TEST(a_slot_holds_the_newest)
{
    ac_open_memo *m;
    ac_open_memo_hit hit;

    /* one slot: every name shares it */
    ck_assert_ptr_null(ac_open_memo_create(unit_pool, 1, 1 << 20, &m));
    put(m, "session", "abc", key_a, "S1", "one");
    put(m, "session", "abc", key_a, "S2", "two");
    ck_assert_int_eq(ac_open_memo_get(m, "session", "abc", unit_pool, &hit), 1);
    ck_assert_mem_eq(hit.sealed, "S2", 2);
    ck_assert_str_eq(hit.plain, "two");
    put(m, "session", "xyz", key_b, "S3", "three");
    ck_assert_int_eq(ac_open_memo_get(m, "session", "abc", unit_pool, &hit), 0);
    ck_assert_int_eq(ac_open_memo_get(m, "session", "xyz", unit_pool, &hit), 1);
    ck_assert_mem_eq(hit.key, key_b, AC_KEY_HASH_LEN);
    ck_assert_int_eq(ac_open_memo_count(m, NULL), 1);
    /* forgetting another name leaves the slot alone */
    ac_open_memo_forget(m, "session", "abc");
    ck_assert_int_eq(ac_open_memo_count(m, NULL), 1);
    ac_open_memo_forget(m, "session", "xyz");
    ck_assert_int_eq(ac_open_memo_get(m, "session", "xyz", unit_pool, &hit), 0);
    ck_assert_int_eq(ac_open_memo_count(m, NULL), 0);
}
END_TEST

START_TEST(bounded_by_bytes)
{
    ac_open_memo *m;
    ac_open_memo_hit hit;
    apr_size_t bytes, one;
    char id[16];
    int i, n;

    ck_assert_ptr_null(ac_open_memo_create(unit_pool, 64, 1 << 20, &m));
    put(m, "session", "probe", key_a, "0123456789", "plain-plain");
    ck_assert_int_eq(ac_open_memo_count(m, &one), 1);
    /* room for three such entries in 64 slots */
    ck_assert_ptr_null(ac_open_memo_create(unit_pool, 64, 3 * one + one / 2, &m));
    for (i = 0; i < 40; i++) {
        apr_snprintf(id, sizeof(id), "id%02d", i);
        put(m, "session", id, key_a, "0123456789", "plain-plain");
        n = ac_open_memo_count(m, &bytes);
        ck_assert_int_le(n, 3);
        ck_assert_uint_le(bytes, 3 * one + one / 2);
        /* what was just put is always there */
        ck_assert_int_eq(ac_open_memo_get(m, "session", id, unit_pool, &hit), 1);
    }
    /* a value larger than all the room is not kept, and drops the name's
     * older value */
    ck_assert_ptr_null(ac_open_memo_create(unit_pool, 4, one + 4, &m));
    put(m, "session", "abc", key_a, "0123456789", "plain-plain");
    ck_assert_int_eq(ac_open_memo_count(m, NULL), 1);
    put(m, "session", "abc", key_a, "0123456789-0123456789", "plain-plain");
    ck_assert_int_eq(ac_open_memo_get(m, "session", "abc", unit_pool, &hit), 0);
    ck_assert_int_eq(ac_open_memo_count(m, &bytes), 0);
    ck_assert_uint_eq(bytes, 0);
}
END_TEST

Suite *open_memo_suite(void)
{
    Suite *s = suite_create("open_memo");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, gives_back_what_it_was_given);
    tcase_add_test(tc, a_slot_holds_the_newest);
    tcase_add_test(tc, bounded_by_bytes);
    suite_add_tcase(s, tc);
    return s;
}
