/* unit.h - the libcheck suites of mod_auth_client's core, one per file. */
#ifndef AC_UNIT_H
#define AC_UNIT_H

#include <check.h>
#include <apr_pools.h>

Suite *util_suite(void);
Suite *seal_suite(void);
Suite *pkce_suite(void);
Suite *url_suite(void);
Suite *claims_suite(void);
Suite *config_suite(void);
Suite *jose_suite(void);
Suite *oidc_suite(void);
Suite *oauth1_suite(void);
Suite *client_auth_suite(void);
Suite *profile_suite(void);

/* A pool per test, destroyed by the fixture in main.c. */
extern apr_pool_t *unit_pool;
void unit_setup(void);
void unit_teardown(void);

#endif
