/* test_metrics.c - the status counters: slots by provider name, the table
 * layout, what each increment moves, and nothing before a table exists. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "metrics.h"

static void *table_mem;

/* two providers, in configuration order, and a table attached for them */
static void metrics_setup(void)
{
    unit_setup();
    ac_metrics_pre_config(unit_pool);
    ac_metrics_provider_slot("google");
    ac_metrics_provider_slot("github");
    table_mem = malloc(ac_metrics_table_size(ac_metrics_slots()));
    ac_metrics_table_init(table_mem, ac_metrics_slots());
    ac_metrics_attach(table_mem, ac_metrics_slots());
}

static void metrics_teardown(void)
{
    ac_metrics_attach(NULL, 0);
    free(table_mem);
    table_mem = NULL;
    unit_teardown();
}

static ac_provider *provider(const char *name)
{
    ac_provider *pv = ac_provider_create(unit_pool, name, "test:1");

    pv->metrics_slot = ac_metrics_provider_slot(name);
    return pv;
}

START_TEST(metrics_slots_in_config_order)
{
    ck_assert_int_eq(ac_metrics_provider_slot("google"), 1);
    ck_assert_int_eq(ac_metrics_provider_slot("github"), 2);
    /* a second block of the same name (another vhost) shares its slot */
    ck_assert_int_eq(ac_metrics_provider_slot("google"), 1);
    ck_assert_int_eq(ac_metrics_slots(), 3);
    ck_assert_ptr_null(ac_metrics_slot_name(0));
    ck_assert_str_eq(ac_metrics_slot_name(2), "github");
    ck_assert_ptr_null(ac_metrics_slot_name(3));
}
END_TEST

START_TEST(metrics_layout_names_the_providers)
{
    const char *before = ac_metrics_layout(unit_pool);

    ck_assert_str_eq(before, "counters-1 3 6:google 6:github");
    ac_metrics_pre_config(unit_pool);
    ac_metrics_provider_slot("github");
    ac_metrics_provider_slot("google");
    /* the same names in another order are another table */
    ck_assert_str_ne(ac_metrics_layout(unit_pool), before);
}
END_TEST

START_TEST(metrics_events_by_provider)
{
    ac_provider *github = provider("github");
    ac_metrics_view *v;

    ac_metrics_count(github, AC_M_LOGIN);
    ac_metrics_count(github, AC_M_LOGIN);
    ac_metrics_count(NULL, AC_M_LOGIN_FAILED);
    ac_metrics_error(github, AC_E_ID_TOKEN_ISS);
    ac_metrics_error(NULL, AC_E_STATE_UNKNOWN);
    /* out of range: ignored, not written past the table */
    ac_metrics_count(github, AC_M_EVENT_COUNT);
    ac_metrics_error(github, AC_E_COUNT);
    v = ac_metrics_read(unit_pool);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(v->slots, 3);
    ck_assert_uint_eq(v->providers[2].events[AC_M_LOGIN], 2);
    ck_assert_uint_eq(v->providers[1].events[AC_M_LOGIN], 0);
    ck_assert_uint_eq(v->providers[0].events[AC_M_LOGIN_FAILED], 1);
    ck_assert_uint_eq(v->providers[2].errors[AC_E_ID_TOKEN_ISS], 1);
    ck_assert_uint_eq(v->providers[0].errors[AC_E_STATE_UNKNOWN], 1);
    ck_assert_uint_eq(v->providers[2].errors[AC_E_STATE_UNKNOWN], 0);
    ck_assert(v->created > 0);
}
END_TEST

START_TEST(metrics_slot_outside_the_table)
{
    ac_provider *pv = provider("google");
    ac_metrics_view *v;

    /* a provider of a newer configuration than the attached table */
    pv->metrics_slot = 7;
    ac_metrics_count(pv, AC_M_LOGIN);
    v = ac_metrics_read(unit_pool);
    ck_assert_uint_eq(v->providers[0].events[AC_M_LOGIN], 0);
    ck_assert_uint_eq(v->providers[1].events[AC_M_LOGIN], 0);
}
END_TEST

START_TEST(metrics_fetches_and_their_time)
{
    ac_provider *google = provider("google");
    ac_metrics_view *v;
    apr_time_t before = apr_time_now();

    ac_metrics_fetch(google, AC_M_JWKS, 0);
    v = ac_metrics_read(unit_pool);
    ck_assert_uint_eq(v->providers[1].fetches[AC_M_JWKS][0], 1);
    ck_assert(v->providers[1].fetched_at[AC_M_JWKS] == 0);
    ac_metrics_fetch(google, AC_M_JWKS, 1);
    v = ac_metrics_read(unit_pool);
    ck_assert_uint_eq(v->providers[1].fetches[AC_M_JWKS][1], 1);
    ck_assert(v->providers[1].fetched_at[AC_M_JWKS] >= apr_time_from_sec(apr_time_sec(before)));
    ck_assert(v->providers[1].fetched_at[AC_M_DISCOVERY] == 0);
}
END_TEST

START_TEST(metrics_latency_buckets)
{
    ac_provider *google = provider("google");
    apr_time_t now = apr_time_now();
    ac_metrics_view *v;

    ac_metrics_token_call(google, now);                             /* ~0 */
    ac_metrics_token_call(google, now - apr_time_from_msec(300));   /* <= 0.5 s */
    ac_metrics_token_call(google, now - apr_time_from_sec(60));     /* > 10 s */
    v = ac_metrics_read(unit_pool);
    ck_assert_uint_eq(v->providers[1].latency[0], 1);
    ck_assert_uint_eq(v->providers[1].latency[4], 1);
    ck_assert_uint_eq(v->providers[1].latency[AC_M_LATENCY_BOUNDS], 1);
    ck_assert(v->providers[1].latency_micros >= 60300000);
    ck_assert(v->providers[1].latency_micros < 70000000);
}
END_TEST

START_TEST(metrics_cache_operations)
{
    ac_metrics_view *v;

    ac_metrics_cache(AC_M_SESSIONS, AC_M_GET, AC_M_MISS);
    ac_metrics_cache(AC_M_LOGINS, AC_M_TAKE, AC_M_OK);
    ac_metrics_cache(AC_M_LOGINS, AC_M_TAKE, AC_M_OK);
    ac_metrics_cache(AC_M_STORE_COUNT, AC_M_GET, AC_M_OK);
    v = ac_metrics_read(unit_pool);
    ck_assert_uint_eq(v->cache[AC_M_SESSIONS][AC_M_GET][AC_M_MISS], 1);
    ck_assert_uint_eq(v->cache[AC_M_LOGINS][AC_M_TAKE][AC_M_OK], 2);
    ck_assert_uint_eq(v->cache[AC_M_SESSIONS][AC_M_GET][AC_M_OK], 0);
    ck_assert(!ac_metrics_cache_result_valid(AC_M_PUT, AC_M_MISS));
    ck_assert(ac_metrics_cache_result_valid(AC_M_TAKE, AC_M_MISS));
}
END_TEST

START_TEST(metrics_nothing_without_a_table)
{
    ac_metrics_attach(NULL, 0);
    ac_metrics_count(provider("google"), AC_M_LOGIN);
    ac_metrics_cache(AC_M_SESSIONS, AC_M_GET, AC_M_OK);
    ac_metrics_token_call(NULL, apr_time_now());
    ck_assert_ptr_null(ac_metrics_read(unit_pool));
    ck_assert(ac_metrics_created() == 0);
}
END_TEST

Suite *metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, metrics_setup, metrics_teardown);
    tcase_add_test(tc, metrics_slots_in_config_order);
    tcase_add_test(tc, metrics_layout_names_the_providers);
    tcase_add_test(tc, metrics_events_by_provider);
    tcase_add_test(tc, metrics_slot_outside_the_table);
    tcase_add_test(tc, metrics_fetches_and_their_time);
    tcase_add_test(tc, metrics_latency_buckets);
    tcase_add_test(tc, metrics_cache_operations);
    tcase_add_test(tc, metrics_nothing_without_a_table);
    suite_add_tcase(s, tc);
    return s;
}
