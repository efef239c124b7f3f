/*
 * test_presets.c - "Preset NAME [ARG]" fills what a provider block leaves
 * unset, and every key set in the block wins.
 */
#include <string.h>

#include <apr_strings.h>

#include "unit.h"
#include "config.h"
#include "presets.h"

static const char *set1(ac_provider *pv, const char *key, const char *v)
{
    char *argv[1];

    argv[0] = (char *)v;
    return ac_provider_set(unit_pool, unit_pool, pv, key, 1, argv);
}

static ac_provider *preset_provider(const char *name, const char *arg)
{
    ac_provider *pv = ac_provider_create(unit_pool, "p", "t:1");
    char *argv[2] = { (char *)name, (char *)arg };

    ck_assert_ptr_null(ac_provider_set(unit_pool, unit_pool, pv, "Preset",
                                       arg ? 2 : 1, argv));
    ck_assert_ptr_null(set1(pv, "ClientID", "id"));
    ck_assert_ptr_null(set1(pv, "ClientSecret", "s"));
    return pv;
}

START_TEST(preset_github_fills_and_explicit_wins)
{
    ac_provider *pv = preset_provider("github", NULL);

    ck_assert_ptr_null(set1(pv, "Scope", "read:user"));
    ck_assert_ptr_null(ac_provider_finish(unit_pool, pv));
    ck_assert_int_eq(ac_provider_kind(pv), AC_KIND_OAUTH2);
    ck_assert_str_eq(pv->authorize_url, "https://github.com/login/oauth/authorize");
    ck_assert_str_eq(pv->userinfo_url, "user");
    ck_assert_str_eq(APR_ARRAY_IDX(pv->userinfo_extra_urls, 0, const char *), "user/emails");
    ck_assert_str_eq(ac_provider_remote_user_claim(pv), "login");
    ck_assert_str_eq(pv->scope, "read:user");   /* set in the block: kept */
}
END_TEST

START_TEST(preset_twitter_is_oauth1)
{
    ac_provider *pv = preset_provider("twitter", NULL);

    ck_assert_ptr_null(ac_provider_finish(unit_pool, pv));
    ck_assert_int_eq(ac_provider_kind(pv), AC_KIND_OAUTH1);
    ck_assert_str_eq(ac_provider_remote_user_claim(pv), "screen_name");
}
END_TEST

START_TEST(preset_microsoft_multi_tenant)
{
    ac_provider *common = preset_provider("microsoft", NULL);
    ac_provider *tenant = preset_provider("microsoft", "contoso.onmicrosoft.com");

    ck_assert_ptr_null(ac_provider_finish(unit_pool, common));
    ck_assert_ptr_null(ac_provider_finish(unit_pool, tenant));
    ck_assert_int_eq(ac_provider_kind(common), AC_KIND_OIDC);
    ck_assert_int_eq(common->multi_tenant_issuer, 1);
    ck_assert_int_eq(tenant->multi_tenant_issuer, 0);
    ck_assert_str_eq(tenant->server_metadata_url,
                     "https://login.microsoftonline.com/contoso.onmicrosoft.com"
                     "/v2.0/.well-known/openid-configuration");
}
END_TEST

START_TEST(preset_keycloak_needs_realm_and_unknown_refused)
{
    ac_provider *kc = preset_provider("keycloak", NULL);
    ac_provider *ok = preset_provider("keycloak", "https://sso.example.org/realms/staff");
    ac_provider *bad = preset_provider("facebook", NULL);
    const char *err;

    err = ac_provider_finish(unit_pool, kc);
    ck_assert_msg(err && strstr(err, "realm"), "keycloak without realm: %s", err);
    ck_assert_ptr_null(ac_provider_finish(unit_pool, ok));
    ck_assert_str_eq(ok->server_metadata_url, "https://sso.example.org/realms/staff"
                     "/.well-known/openid-configuration");
    err = ac_provider_finish(unit_pool, bad);
    ck_assert_msg(err && strstr(err, "facebook") && strstr(err, "github"),
                  "unknown preset lists the known ones: %s", err);
}
END_TEST

START_TEST(every_named_preset_applies)
{
    char *names = apr_pstrdup(unit_pool, ac_preset_names());
    char *name, *last;
    int n = 0;

    for (name = apr_strtok(names, " ", &last); name != NULL;
         name = apr_strtok(NULL, " ", &last)) {
        /* keycloak alone has no default: its ARG is the realm */
        ac_provider *pv = preset_provider(name, strcmp(name, "keycloak") == 0
                                          ? "https://sso.example.org/realms/x"
                                          : NULL);
        const char *err = ac_preset_apply(unit_pool, pv);

        ck_assert_msg(err == NULL, "Preset %s: %s", name, err);
        ck_assert_msg(pv->remote_user_claim != NULL,
                      "Preset %s sets no remote user claim", name);
        ck_assert_msg(pv->server_metadata_url || pv->authorize_url,
                      "Preset %s sets no endpoint", name);
        ck_assert_ptr_null(ac_provider_finish(unit_pool, pv));
        n++;
    }
    ck_assert_int_ge(n, 6);
}
END_TEST

START_TEST(preset_case_and_absence)
{
    ac_provider *pv = preset_provider("GitHub", NULL);
    ac_provider *none = ac_provider_create(unit_pool, "p", "t:1");

    ck_assert_ptr_null(ac_preset_apply(unit_pool, pv));
    ck_assert_str_eq(pv->authorize_url, "https://github.com/login/oauth/authorize");
    /* without a Preset the block is left as it is */
    ck_assert_ptr_null(ac_preset_apply(unit_pool, none));
    ck_assert_ptr_null(none->authorize_url);
    ck_assert_ptr_null(none->server_metadata_url);
    ck_assert_ptr_null(none->scope);
    ck_assert_ptr_null(none->remote_user_claim);
}
END_TEST

START_TEST(preset_explicit_keys_win)
{
    ac_provider *pv = preset_provider("google", NULL);

    ck_assert_ptr_null(set1(pv, "RemoteUserClaim", "sub"));
    ck_assert_ptr_null(set1(pv, "ServerMetadataURL", "https://accounts.example"
                            "/.well-known/openid-configuration"));
    ck_assert_ptr_null(ac_provider_finish(unit_pool, pv));
    ck_assert_str_eq(ac_provider_remote_user_claim(pv), "sub");
    ck_assert_str_eq(pv->server_metadata_url, "https://accounts.example"
                     "/.well-known/openid-configuration");
    ck_assert_str_eq(pv->scope, "openid email profile");    /* unset: filled */
}
END_TEST

Suite *presets_suite(void)
{
    Suite *s = suite_create("presets");
    TCase *tc = tcase_create("presets");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, preset_github_fills_and_explicit_wins);
    tcase_add_test(tc, preset_twitter_is_oauth1);
    tcase_add_test(tc, preset_microsoft_multi_tenant);
    tcase_add_test(tc, preset_keycloak_needs_realm_and_unknown_refused);
    tcase_add_test(tc, every_named_preset_applies);
    tcase_add_test(tc, preset_case_and_absence);
    tcase_add_test(tc, preset_explicit_keys_win);
    suite_add_tcase(s, tc);
    return s;
}
