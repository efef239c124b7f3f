/*
 * test_oidc.c - the OpenID Connect steps that need the network: explicit
 * metadata offline, then discovery and the JWKS cache against the loopback
 * server of loopback.c.
 */
#include <string.h>

#include <apr_strings.h>

#include "core_state.h"
#include "loopback.h"
#include "oidc.h"
#include "unit.h"

static void http_fixture_setup(void)
{
    unit_setup();
    ck_assert_ptr_null(ac_core_state_create(unit_pool));
}

static ac_provider *oidc_provider(void)
{
    ac_provider *pv = ac_provider_create(unit_pool, "idp", "test.conf:1");

    pv->client_id = "client 1";
    pv->client_secret = "s3cret:&=";
    pv->scope = "openid email";
    return pv;
}

/* ---- metadata without the network --------------------------------------- */

START_TEST(metadata_explicit)
{
    ac_http_opts h = http_opts();
    ac_provider *pv = oidc_provider();
    const ac_oidc_metadata *md;
    const char *warning = NULL;
    ac_error *err;

    pv->issuer = "https://idp.example";
    pv->authorize_url = "https://idp.example/authorize";
    pv->access_token_url = "https://idp.example/token";
    pv->jwks_uri = "https://idp.example/jwks";
    ck_assert_ptr_null(ac_oidc_metadata_get(unit_pool, &h, pv, 60, &md,
                                            &warning));
    ck_assert_str_eq(md->issuer, "https://idp.example");
    ck_assert_str_eq(md->token_endpoint, "https://idp.example/token");
    ck_assert_ptr_null(md->userinfo_endpoint);
    ck_assert_int_eq(md->iss_parameter_supported, 0);
    ck_assert_ptr_null(warning);

    pv->jwks_uri = NULL;
    err = ac_oidc_metadata_get(unit_pool, &h, pv, 60, &md, &warning);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "oidc_metadata_incomplete");
    ck_assert_ptr_nonnull(strstr(err->message, "jwks_uri"));

    /* HS-only providers do without a JWKS */
    pv->id_token_algs = apr_array_make(unit_pool, 1, sizeof(char *));
    APR_ARRAY_PUSH(pv->id_token_algs, const char *) = "HS256";
    ck_assert_ptr_null(ac_oidc_metadata_get(unit_pool, &h, pv, 60, &md, NULL));

    pv->access_token_url = NULL;
    err = ac_oidc_metadata_get(unit_pool, &h, pv, 60, &md, NULL);
    ck_assert_str_eq(err->code, "oidc_metadata_incomplete");
}
END_TEST

#define WK "/.well-known/openid-configuration"

/* ---- discovery and JWKS ------------------------------------------------- */

static ac_error *md_get(const ac_provider *pv, int ttl,
                        const ac_oidc_metadata **md, const char **warning)
{
    ac_http_opts h = http_opts();

    return ac_oidc_metadata_get(unit_pool, &h, pv, ttl, md, warning);
}

static const char *discovery_doc(srv *sv, const char *issuer)
{
    return apr_psprintf(unit_pool,
                        "{\"issuer\":\"%s\","
                        "\"authorization_endpoint\":\"%s\","
                        "\"token_endpoint\":\"%s\","
                        "\"userinfo_endpoint\":\"%s\","
                        "\"jwks_uri\":\"%s\","
                        "\"end_session_endpoint\":\"%s\","
                        "\"authorization_response_iss_parameter_supported\""
                        ":true}", issuer, srv_url(sv, "/authorize"),
                        srv_url(sv, "/token"), srv_url(sv, "/userinfo"),
                        srv_url(sv, "/jwks"), srv_url(sv, "/logout"));
}

START_TEST(discovery_and_overrides)
{
    srv *sv = srv_start();
    ac_provider *pv = oidc_provider();
    const ac_oidc_metadata *md;
    const char *warning = NULL;
    int i;

    i = srv_route_add(sv, WK, 200,
                      "application/json", discovery_doc(sv, srv_url(sv, "")));
    pv->server_metadata_url = srv_url(sv, WK);
    pv->authorize_url = "https://override.example/authorize";
    ck_assert_ptr_null(md_get(pv, 300, &md, &warning));
    ck_assert_str_eq(md->issuer, srv_url(sv, ""));
    ck_assert_str_eq(md->authorization_endpoint,
                     "https://override.example/authorize");
    ck_assert_str_eq(md->token_endpoint, srv_url(sv, "/token"));
    ck_assert_str_eq(md->userinfo_endpoint, srv_url(sv, "/userinfo"));
    ck_assert_str_eq(md->jwks_uri, srv_url(sv, "/jwks"));
    ck_assert_str_eq(md->end_session_endpoint, srv_url(sv, "/logout"));
    ck_assert_int_eq(md->iss_parameter_supported, 1);
    ck_assert_ptr_null(warning);
    ck_assert_ptr_nonnull(strstr(srv_last(sv), "\r\nAccept: application/json"));

    /* within the ttl: served from the process cache */
    ck_assert_ptr_null(md_get(pv, 300, &md, &warning));
    ck_assert_int_eq(srv_hits(sv, i), 1);
}
END_TEST

START_TEST(discovery_issuer_rules)
{
    srv *sv = srv_start();
    ac_provider *pv = oidc_provider();
    const ac_oidc_metadata *md;
    ac_error *err;

    srv_route_add(sv, "/a" WK, 200,
                  "application/json",
                  discovery_doc(sv, "https://evil.example/a"));
    srv_route_add(sv, "/b" WK, 200,
                  "application/json", discovery_doc(sv, srv_url(sv, "/b/")));
    srv_route_add(sv, "/c" WK, 200,
                  "application/json", "[1,2]");
    srv_route_add(sv, "/d" WK, 200,
                  "application/json", "{\"authorization_endpoint\":\"x\"}");
    srv_route_add(sv, "/e" WK, 500,
                  "application/json", "{}");

    pv->server_metadata_url = srv_url(sv, "/a" WK);
    err = md_get(pv, 300, &md, NULL);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "oidc_discovery_issuer");

    /* the configured issuer wins over the derived one */
    pv->issuer = "https://evil.example/a";
    ck_assert_ptr_null(md_get(pv, 300, &md, NULL));
    ck_assert_str_eq(md->issuer, "https://evil.example/a");
    pv->issuer = NULL;

    /* a terminating '/' is dropped when the URL is built (Discovery 4.1) */
    pv->server_metadata_url = srv_url(sv, "/b" WK);
    ck_assert_ptr_null(md_get(pv, 300, &md, NULL));
    ck_assert_str_eq(md->issuer, srv_url(sv, "/b/"));
    /* a configured issuer is matched exactly, cached document or not */
    pv->issuer = srv_url(sv, "/b");
    err = md_get(pv, 300, &md, NULL);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "oidc_discovery_issuer");
    pv->issuer = NULL;

    pv->server_metadata_url = srv_url(sv, "/c" WK);
    err = md_get(pv, 300, &md, NULL);
    ck_assert_str_eq(err->code, "oidc_discovery");
    pv->server_metadata_url = srv_url(sv, "/d" WK);
    err = md_get(pv, 300, &md, NULL);
    ck_assert_str_eq(err->code, "oidc_discovery");
    pv->server_metadata_url = srv_url(sv, "/e" WK);
    err = md_get(pv, 300, &md, NULL);
    ck_assert_str_eq(err->code, "oidc_discovery");
    ck_assert_ptr_nonnull(strstr(err->message, "500"));

    /* no well-known segment and no Issuer: cannot be checked, and that is
     * the configuration's fault, not the provider's */
    pv->server_metadata_url = srv_url(sv, "/metadata.json");
    err = md_get(pv, 300, &md, NULL);
    ck_assert_str_eq(err->code, "oidc_issuer_unknown");
    ck_assert_int_eq(err->category, AC_CAT_CONFIG);
}
END_TEST

START_TEST(discovery_stale_on_failure)
{
    srv *sv = srv_start();
    ac_provider *pv = oidc_provider();
    const ac_oidc_metadata *md;
    const char *warning = NULL;
    int i;

    i = srv_route_add(sv, WK, 200,
                      "application/json", discovery_doc(sv, srv_url(sv, "")));
    pv->server_metadata_url = srv_url(sv, WK);
    /* ttl 0: every call refreshes */
    ck_assert_ptr_null(md_get(pv, 0, &md, &warning));
    ck_assert_ptr_null(md_get(pv, 0, &md, &warning));
    ck_assert_int_eq(srv_hits(sv, i), 2);
    ck_assert_ptr_null(warning);

    /* the provider breaks: the stale copy is served, with a warning */
    srv_route_set(sv, i, 503, "{}");
    ck_assert_ptr_null(md_get(pv, 0, &md, &warning));
    ck_assert_int_eq(srv_hits(sv, i), 3);
    ck_assert_ptr_nonnull(warning);
    ck_assert_ptr_nonnull(strstr(warning, "503"));
    ck_assert_str_eq(md->token_endpoint, srv_url(sv, "/token"));

    /* and the broken provider is not asked again at once */
    warning = NULL;
    ck_assert_ptr_null(md_get(pv, 0, &md, &warning));
    ck_assert_int_eq(srv_hits(sv, i), 3);
    ck_assert_ptr_nonnull(warning);

    /* a document that fails validation does not replace the good one */
    i = srv_route_add(sv, "/b" WK, 200,
                      "application/json", discovery_doc(sv, srv_url(sv, "/b")));
    pv->server_metadata_url = srv_url(sv, "/b" WK);
    ck_assert_ptr_null(md_get(pv, 0, &md, &warning));
    srv_route_set(sv, i, 200, discovery_doc(sv, "https://other.example"));
    ck_assert_ptr_null(md_get(pv, 0, &md, &warning));
    ck_assert_int_eq(srv_hits(sv, i), 2);
    ck_assert_str_eq(md->issuer, srv_url(sv, "/b"));
    ck_assert_ptr_nonnull(warning);
    ck_assert_ptr_nonnull(strstr(warning, "other.example"));
}
END_TEST

START_TEST(jwks_kid_miss_rate_limit)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    const char *jwks = NULL;
    const char *uri;
    ac_error *err;
    int i;

    i = srv_route_add(sv, "/jwks", 200, "application/json",
                      "{\"keys\":[{\"kid\":\"one\"}]}");
    uri = srv_url(sv, "/jwks");
    ck_assert_ptr_null(ac_oidc_jwks_get(unit_pool, &h, NULL, uri, 0, 60, &jwks));
    ck_assert_ptr_nonnull(strstr(jwks, "\"one\""));
    ck_assert_ptr_null(ac_oidc_jwks_get(unit_pool, &h, NULL, uri, 0, 60, &jwks));
    ck_assert_int_eq(srv_hits(sv, i), 1);

    /* a rotation: the first miss refetches */
    srv_route_set(sv, i, 200, "{\"keys\":[{\"kid\":\"two\"}]}");
    ck_assert_ptr_null(ac_oidc_jwks_get(unit_pool, &h, NULL, uri, 1, 60, &jwks));
    ck_assert_int_eq(srv_hits(sv, i), 2);
    ck_assert_ptr_nonnull(strstr(jwks, "\"two\""));

    /* a flood of misses within the interval gets the cached copy */
    srv_route_set(sv, i, 200, "{\"keys\":[{\"kid\":\"three\"}]}");
    ck_assert_ptr_null(ac_oidc_jwks_get(unit_pool, &h, NULL, uri, 1, 60, &jwks));
    ck_assert_ptr_null(ac_oidc_jwks_get(unit_pool, &h, NULL, uri, 1, 60, &jwks));
    ck_assert_int_eq(srv_hits(sv, i), 2);
    ck_assert_ptr_nonnull(strstr(jwks, "\"two\""));

    /* once the interval has passed (0 here) a miss fetches again */
    ck_assert_ptr_null(ac_oidc_jwks_get(unit_pool, &h, NULL, uri, 1, 0, &jwks));
    ck_assert_int_eq(srv_hits(sv, i), 3);
    ck_assert_ptr_nonnull(strstr(jwks, "\"three\""));

    /* a bad JWKS is never cached, and fails when there is nothing else */
    srv_route_add(sv, "/bad", 200, "application/json", "{\"keys\":1}");
    err = ac_oidc_jwks_get(unit_pool, &h, NULL, srv_url(sv, "/bad"), 0, 60, &jwks);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "jwks_invalid");
}
END_TEST

Suite *oidc_suite(void)
{
    Suite *s = suite_create("oidc");
    TCase *tc = tcase_create("offline");
    TCase *net = tcase_create("loopback");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, metadata_explicit);
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(net, http_fixture_setup, unit_teardown);
    tcase_set_timeout(net, 30);
    tcase_add_test(net, discovery_and_overrides);
    tcase_add_test(net, discovery_issuer_rules);
    tcase_add_test(net, discovery_stale_on_failure);
    tcase_add_test(net, jwks_kid_miss_rate_limit);
    suite_add_tcase(s, net);
    return s;
}
