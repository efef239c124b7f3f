/*
 * test_local_cache.c - the per-process cache of verified sessions: a value
 * comes back only under its key and stamp and before its end, as a copy;
 * it holds at most its entries and bytes, and makes room from the least
 * recently used.
 */
#include <stdio.h>
#include <string.h>

#include "local_cache.h"
#include "unit.h"

static int has(ac_local_cache *c, const char *key, apr_uint32_t stamp,
               apr_time_t now)
{
    apr_size_t len;

    return ac_local_cache_get(c, key, stamp, now, unit_pool, &len) != NULL;
}

START_TEST(hit_and_copy)
{
    ac_local_cache *c;
    apr_size_t len;
    char *v;

    ck_assert_ptr_null(ac_local_cache_create(unit_pool, 4, 1024, &c));
    ac_local_cache_put(c, "one", 7, "alice\0x", 7, 100);
    v = ac_local_cache_get(c, "one", 7, 50, unit_pool, &len);
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_eq(len, 7);
    ck_assert_int_eq(memcmp(v, "alice\0x", 8), 0);      /* and NUL-terminated */
    ck_assert(!has(c, "two", 7, 50));
    v[0] = 'X';
    ck_assert_int_eq(ac_local_cache_get(c, "one", 7, 50, unit_pool, &len)[0], 'a');
    /* a put replaces */
    ac_local_cache_put(c, "one", 7, "bob", 3, 100);
    ck_assert_str_eq(ac_local_cache_get(c, "one", 7, 50, unit_pool, &len), "bob");
    ck_assert_int_eq(ac_local_cache_count(c, &len), 1);
    ck_assert_uint_eq(len, 3);
}
END_TEST

START_TEST(expiry)
{
    ac_local_cache *c;

    ck_assert_ptr_null(ac_local_cache_create(unit_pool, 4, 1024, &c));
    ac_local_cache_put(c, "one", 1, "v", 1, 100);
    ck_assert(has(c, "one", 1, 99));
    ck_assert(!has(c, "one", 1, 100));
    /* the expired entry went: it takes no room */
    ck_assert_int_eq(ac_local_cache_count(c, NULL), 0);
}
END_TEST

START_TEST(stamp)
{
    ac_local_cache *c;

    ck_assert_ptr_null(ac_local_cache_create(unit_pool, 4, 1024, &c));
    ac_local_cache_put(c, "one", 1, "v", 1, 100);
    /* another process ended a session: the stamp moved on */
    ck_assert(!has(c, "one", 2, 50));
    ck_assert_int_eq(ac_local_cache_count(c, NULL), 0);
    ck_assert(!has(c, "one", 1, 50));
}
END_TEST

START_TEST(remove_one)
{
    ac_local_cache *c;

    ck_assert_ptr_null(ac_local_cache_create(unit_pool, 4, 1024, &c));
    ac_local_cache_put(c, "one", 1, "v", 1, 100);
    ac_local_cache_put(c, "two", 1, "w", 1, 100);
    ac_local_cache_remove(c, "one");
    ac_local_cache_remove(c, "three");
    ck_assert(!has(c, "one", 1, 50));
    ck_assert(has(c, "two", 1, 50));
}
END_TEST

START_TEST(entry_bound_evicts_least_recent)
{
    ac_local_cache *c;
    char key[16];
    int i;

    ck_assert_ptr_null(ac_local_cache_create(unit_pool, 3, 1024, &c));
    ac_local_cache_put(c, "a", 1, "1", 1, 100);
    ac_local_cache_put(c, "b", 1, "2", 1, 100);
    ac_local_cache_put(c, "c", 1, "3", 1, 100);
    ck_assert(has(c, "a", 1, 50));                  /* a is now the newest */
    ac_local_cache_put(c, "d", 1, "4", 1, 100);     /* pushes out b */
    ck_assert_int_eq(ac_local_cache_count(c, NULL), 3);
    ck_assert(!has(c, "b", 1, 50));
    ck_assert(has(c, "a", 1, 50));
    ck_assert(has(c, "c", 1, 50));
    ck_assert(has(c, "d", 1, 50));
    for (i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        ac_local_cache_put(c, key, 1, "x", 1, 100);
    }
    ck_assert_int_eq(ac_local_cache_count(c, NULL), 3);
    ck_assert(has(c, "k999", 1, 50));
    ck_assert(!has(c, "k996", 1, 50));
}
END_TEST

START_TEST(byte_bound)
{
    ac_local_cache *c;
    char big[600];
    apr_size_t bytes;

    memset(big, 'x', sizeof(big));
    ck_assert_ptr_null(ac_local_cache_create(unit_pool, 100, 1000, &c));
    ac_local_cache_put(c, "a", 1, big, 400, 100);
    ac_local_cache_put(c, "b", 1, big, 400, 100);
    ac_local_cache_put(c, "c", 1, big, 400, 100);   /* pushes out a */
    ck_assert_int_eq(ac_local_cache_count(c, &bytes), 2);
    ck_assert_uint_eq(bytes, 800);
    ck_assert(!has(c, "a", 1, 50));
    /* larger than all the room: not kept, and not left stale either */
    ck_assert_ptr_null(ac_local_cache_create(unit_pool, 100, 500, &c));
    ac_local_cache_put(c, "b", 1, big, 400, 100);
    ac_local_cache_put(c, "b", 1, big, 600, 100);
    ck_assert(!has(c, "b", 1, 50));
}
END_TEST

Suite *local_cache_suite(void)
{
    Suite *s = suite_create("local_cache");
    TCase *tc = tcase_create("local_cache");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, hit_and_copy);
    tcase_add_test(tc, expiry);
    tcase_add_test(tc, stamp);
    tcase_add_test(tc, remove_one);
    tcase_add_test(tc, entry_bound_evicts_least_recent);
    tcase_add_test(tc, byte_bound);
    suite_add_tcase(s, tc);
    return s;
}
