/* main.c - runs every unit suite; CK_FORK=no is honoured for valgrind. */
#include <stdlib.h>
#include <apr_general.h>
#include <apr_strings.h>
#include "unit.h"

apr_pool_t *unit_pool;

void unit_setup(void)
{
    apr_pool_create(&unit_pool, NULL);
}

void unit_teardown(void)
{
    apr_pool_destroy(unit_pool);
    unit_pool = NULL;
}

const char *unit_data_path(const char *name)
{
    /* the automake test harness exports srcdir; a manual run starts at the
     * top of the tree */
    const char *dir = getenv("srcdir");

    return apr_pstrcat(unit_pool, dir ? dir : ".", "/test/unit/data/", name,
                       NULL);
}

int main(void)
{
    int failed;
    SRunner *sr;

    apr_initialize();
    sr = srunner_create(error_suite());
    srunner_add_suite(sr, util_suite());
    srunner_add_suite(sr, fields_suite());
    srunner_add_suite(sr, json_suite());
    srunner_add_suite(sr, cookie_suite());
    srunner_add_suite(sr, seal_suite());
    srunner_add_suite(sr, secret_suite());
    srunner_add_suite(sr, url_suite());
    srunner_add_suite(sr, forwarded_suite());
    srunner_add_suite(sr, claims_suite());
    srunner_add_suite(sr, session_record_suite());
    srunner_add_suite(sr, flow_record_suite());
    srunner_add_suite(sr, pkce_suite());
    srunner_add_suite(sr, keys_suite());
    srunner_add_suite(sr, jose_suite());
    srunner_add_suite(sr, logout_token_suite());
    srunner_add_suite(sr, index_record_suite());
    srunner_add_suite(sr, access_token_suite());
    srunner_add_suite(sr, introspection_suite());
    srunner_add_suite(sr, token_memo_suite());
    srunner_add_suite(sr, local_cache_suite());
    srunner_add_suite(sr, claims_memo_suite());
    srunner_add_suite(sr, open_memo_suite());
    srunner_add_suite(sr, http_suite());
    srunner_add_suite(sr, core_state_suite());
    srunner_add_suite(sr, oauth2_suite());
    srunner_add_suite(sr, oidc_suite());
    srunner_add_suite(sr, oauth1_suite());
    srunner_add_suite(sr, client_auth_suite());
    srunner_add_suite(sr, presets_suite());
    srunner_add_suite(sr, metrics_suite());
    srunner_add_suite(sr, profile_suite());
    srunner_add_suite(sr, relay_upstream_suite());
    srunner_add_suite(sr, config_suite());
    srunner_add_suite(sr, template_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    apr_terminate();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
