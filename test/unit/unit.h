/* unit.h - the libcheck suites of mod_auth_client's core, one per file:
 * test_<file>.c tests src/<file>.c and defines <file>_suite(). */
#ifndef AC_UNIT_H
#define AC_UNIT_H

#include <check.h>
#include <apr_pools.h>

Suite *error_suite(void);
Suite *util_suite(void);
Suite *fields_suite(void);
Suite *json_suite(void);
Suite *cookie_suite(void);
Suite *seal_suite(void);
Suite *secret_suite(void);
Suite *url_suite(void);
Suite *forwarded_suite(void);
Suite *claims_suite(void);
Suite *session_record_suite(void);
Suite *flow_record_suite(void);
Suite *pkce_suite(void);
Suite *keys_suite(void);
Suite *jose_suite(void);
Suite *logout_token_suite(void);
Suite *index_record_suite(void);
Suite *access_token_suite(void);
Suite *introspection_suite(void);
Suite *token_memo_suite(void);
Suite *local_cache_suite(void);
Suite *claims_memo_suite(void);
Suite *open_memo_suite(void);
Suite *http_suite(void);
Suite *core_state_suite(void);
Suite *oauth2_suite(void);
Suite *oidc_suite(void);
Suite *oauth1_suite(void);
Suite *client_auth_suite(void);
Suite *presets_suite(void);
Suite *profile_suite(void);
Suite *relay_upstream_suite(void);
Suite *config_suite(void);
Suite *metrics_suite(void);
Suite *template_suite(void);

/* A pool per test, destroyed by the fixture in main.c. */
extern apr_pool_t *unit_pool;
void unit_setup(void);
void unit_teardown(void);

/* A file of test/unit/data/, in unit_pool. */
const char *unit_data_path(const char *name);

#endif
