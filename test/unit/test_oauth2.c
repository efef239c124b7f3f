/*
 * test_oauth2.c - the OAuth 2.0 calls: the token response parser and the
 * authorization URL offline, the token request and the API call against the
 * loopback server of loopback.c.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_base64.h>
#include <apr_strings.h>

#include "core_state.h"
#include "json.h"
#include "loopback.h"
#include "oauth2.h"
#include "unit.h"

static void http_fixture_setup(void)
{
    unit_setup();
    ck_assert_ptr_null(ac_core_state_create(unit_pool));
}

/* ---- token responses ---------------------------------------------------- */

static ac_error *parse(long status, const char *ctype, const char *body,
                       ac_token_response *tr)
{
    ac_http_response r;

    r.status = status;
    r.content_type = ctype;
    r.body = apr_pstrdup(unit_pool, body);
    r.len = strlen(body);
    return ac_token_response_parse(unit_pool, &r, tr);
}

static void parse_fails(long status, const char *ctype, const char *body,
                        const char *code)
{
    ac_token_response tr;
    ac_error *err = parse(status, ctype, body, &tr);

    ck_assert_msg(err != NULL, "accepted, expected %s", code);
    ck_assert_msg(strcmp(err->code, code) == 0, "got %s (%s), expected %s",
                  err->code, err->message, code);
}

START_TEST(token_json)
{
    ac_token_response tr;

    ck_assert_ptr_null(parse(200, "application/json; charset=utf-8",
                             "{\"access_token\":\"at-1\","
                             "\"token_type\":\"Bearer\",\"expires_in\":3600,"
                             "\"id_token\":\"h.p.s\","
                             "\"refresh_token\":\"rt-1\",\"scope\":\"openid\"}",
                             &tr));
    ck_assert_str_eq(tr.access_token, "at-1");
    ck_assert_str_eq(tr.token_type, "Bearer");
    ck_assert_str_eq(tr.id_token, "h.p.s");
    ck_assert_str_eq(tr.refresh_token, "rt-1");
    ck_assert_int_eq(tr.expires_in, 3600);
    ck_assert_str_eq(ac_json_string(tr.raw, "scope"), "openid");
}
END_TEST

#define GH_TOKEN "e72e16c7e42f292c6912e7710c838347ae178b4a"

START_TEST(token_form)
{
    ac_token_response tr;

    ck_assert_ptr_null(parse(200, "application/x-www-form-urlencoded",
                             "access_token=" GH_TOKEN
                             "&scope=user%2Cgist&token_type=bearer", &tr));
    ck_assert_str_eq(tr.access_token, GH_TOKEN);
    ck_assert_str_eq(tr.token_type, "Bearer");
    ck_assert_ptr_null(tr.id_token);
    ck_assert_str_eq(ac_json_string(tr.raw, "scope"), "user,gist");

    /* a form under a content type that does not say so */
    ck_assert_ptr_null(parse(200, "text/plain",
                             "access_token=abc&expires=5183999&expires_in=60",
                             &tr));
    ck_assert_str_eq(tr.access_token, "abc");
    ck_assert_int_eq(tr.expires_in, 60);
}
END_TEST

START_TEST(token_error_in_200)
{
    ac_token_response tr;
    ac_error *err;

    err = parse(200, "application/x-www-form-urlencoded",
                "error=bad_verification_code&error_description=The+code+"
                "passed+is+incorrect+or+expired.&error_uri=https%3A%2F%2F"
                "docs.github.com%2Fapps", &tr);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "token_error");
    ck_assert_ptr_nonnull(strstr(err->message, "bad_verification_code"));
    ck_assert_ptr_nonnull(strstr(err->message, "incorrect or expired"));

    /* the same without a content type, and as JSON */
    parse_fails(200, NULL, "error=bad_verification_code", "token_error");
    parse_fails(200, "application/json",
                "{\"error\":\"invalid_grant\",\"access_token\":\"x\"}",
                "token_invalid_grant");
    parse_fails(200, "application/json", "{\"error\":{\"x\":1}}",
                "token_error");
}
END_TEST

START_TEST(token_type_rules)
{
    ac_token_response tr;

    ck_assert_ptr_null(parse(200, "application/json",
                             "{\"access_token\":\"at\"}", &tr));
    ck_assert_str_eq(tr.token_type, "Bearer");
    ck_assert_int_eq(tr.expires_in, 0);
    ck_assert_ptr_null(parse(200, "application/json",
                             "{\"access_token\":\"at\","
                             "\"token_type\":\"BEARER\"}", &tr));
    parse_fails(200, "application/json",
                "{\"access_token\":\"at\",\"token_type\":\"mac\"}",
                "token_type_unsupported");
    parse_fails(200, "application/json",
                "{\"access_token\":\"at\",\"token_type\":\"DPoP\"}",
                "token_type_unsupported");
}
END_TEST

START_TEST(token_http_status)
{
    ac_token_response tr;
    ac_error *err;

    err = parse(400, "application/json",
                "{\"error\":\"invalid_grant\","
                "\"error_description\":\"code used\","
                "\"echo\":\"s3cr3t-value\"}", &tr);
    ck_assert_ptr_nonnull(err);
    /* a dead grant has its own id: a refresh must never send it again */
    ck_assert_str_eq(err->code, "token_invalid_grant");
    ck_assert_int_eq(err->category, AC_CAT_PROVIDER);
    ck_assert_ptr_nonnull(strstr(err->message, "400"));
    ck_assert_ptr_nonnull(strstr(err->message, "invalid_grant"));
    ck_assert_ptr_null(strstr(err->message, "s3cr3t"));
    err = parse(400, "application/json", "{\"error\":\"invalid_client\"}", &tr);
    ck_assert_str_eq(err->code, "token_http_status");
    err = parse(200, "application/json", "{\"error\":\"invalid_grant\"}", &tr);
    ck_assert_str_eq(err->code, "token_invalid_grant");

    /* a success body under an error status is still an error */
    parse_fails(302, "application/json", "{\"access_token\":\"at\"}",
                "token_http_status");
    err = parse(500, "text/html", "<html>access_token=leak</html>", &tr);
    ck_assert_str_eq(err->code, "token_http_status");
    ck_assert_ptr_null(strstr(err->message, "leak"));
}
END_TEST

START_TEST(token_missing_or_malformed)
{
    parse_fails(200, "application/json", "{\"token_type\":\"Bearer\"}",
                "token_missing_access_token");
    parse_fails(200, "application/json", "{\"access_token\":\"\"}",
                "token_missing_access_token");
    parse_fails(200, "application/json", "{\"access_token\":42}",
                "token_malformed");
    parse_fails(200, "application/json", "{\"access_token\": \"x\"",
                "token_malformed");
    parse_fails(200, "application/json", "[\"access_token\"]",
                "token_malformed");
    parse_fails(200, "application/json", "", "token_malformed");
    parse_fails(200, "application/x-www-form-urlencoded",
                "access_token=a&access_token=b", "token_malformed");
    parse_fails(200, "application/x-www-form-urlencoded",
                "access_token=%zz", "token_malformed");
}
END_TEST

/* ---- the authorization URL ---------------------------------------------- */

/* RFC 7636 Appendix B */
#define PKCE_VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define PKCE_CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

static ac_provider *oidc_provider(void)
{
    ac_provider *pv = ac_provider_create(unit_pool, "idp", "test.conf:1");

    pv->client_id = "client 1";
    pv->client_secret = "s3cret:&=";
    pv->scope = "openid email";
    return pv;
}

START_TEST(authorize_url)
{
    ac_provider *pv = oidc_provider();
    char *u;

    u = ac_oauth2_authorize_url(unit_pool, pv, "https://idp.example/authorize",
                                "https://app.example/auth/callback?x=1&y",
                                "st-1", "no-1", PKCE_VERIFIER);
    ck_assert_msg(strncmp(u, "https://idp.example/authorize?", 30) == 0,
                  "%s", u);
    ck_assert_ptr_nonnull(strstr(u, "response_type=code"));
    ck_assert_ptr_nonnull(strstr(u, "&client_id=client%201&"));
    ck_assert_ptr_nonnull(strstr(u, "&redirect_uri=https%3A%2F%2Fapp.example"
                                    "%2Fauth%2Fcallback%3Fx%3D1%26y&"));
    ck_assert_ptr_nonnull(strstr(u, "&scope=openid%20email&"));
    ck_assert_ptr_nonnull(strstr(u, "&state=st-1"));
    ck_assert_ptr_nonnull(strstr(u, "&nonce=no-1"));
    ck_assert_ptr_nonnull(strstr(u, "&code_challenge=" PKCE_CHALLENGE));
    ck_assert_ptr_nonnull(strstr(u, "&code_challenge_method=S256"));
    ck_assert_ptr_null(strstr(u, PKCE_VERIFIER));
}
END_TEST

START_TEST(authorize_url_options)
{
    ac_provider *pv = oidc_provider();
    char *u;

    pv->authorize_params = "prompt=login&access_type=offline";
    u = ac_oauth2_authorize_url(unit_pool, pv,
                                "https://idp.example/authorize?tenant=t1",
                                "https://app.example/cb", "st", NULL, "");
    ck_assert_msg(strncmp(u, "https://idp.example/authorize?tenant=t1&"
                             "response_type=code&", 59) == 0, "%s", u);
    ck_assert_ptr_null(strstr(u, "nonce="));
    ck_assert_ptr_null(strstr(u, "code_challenge"));
    ck_assert_msg(strstr(u, "&prompt=login&access_type=offline") != NULL,
                  "%s", u);

    /* an OAuth 2.0 provider without a scope sends none */
    pv = ac_provider_create(unit_pool, "gh", "test.conf:2");
    pv->client_id = "c";
    pv->authorize_url = "https://github.example/login/oauth/authorize";
    pv->access_token_url = "https://github.example/login/oauth/access_token";
    u = ac_oauth2_authorize_url(unit_pool, pv, pv->authorize_url,
                                "https://app.example/cb", "st", NULL, NULL);
    ck_assert_ptr_null(strstr(u, "scope="));
}
END_TEST

/* ---- the token request and API calls ------------------------------------ */

static const char *TOKEN_OK =
    "{\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"expires_in\":60}";

START_TEST(code_exchange_basic)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    ac_provider *pv = oidc_provider();
    ac_token_response tr;
    const char *req, *want;
    char b64[128];

    srv_route_add(sv, "/token", 200, "application/json", TOKEN_OK);
    ck_assert_ptr_null(ac_oauth2_code_exchange(unit_pool, &h, pv,
                                               srv_url(sv, "/token"), "c/1+2",
                                               "https://app.example/cb?a=b",
                                               PKCE_VERIFIER, &tr));
    ck_assert_str_eq(tr.access_token, "at-1");
    req = srv_last(sv);
    ck_assert_ptr_nonnull(strstr(req, "POST /token HTTP/1.1"));
    ck_assert_ptr_nonnull(strstr(req, "\r\nAccept: application/json"));
    ck_assert_ptr_nonnull(strstr(req, "grant_type=authorization_code"));
    ck_assert_ptr_nonnull(strstr(req, "&code=c%2F1%2B2"));
    ck_assert_ptr_nonnull(strstr(req, "&redirect_uri=https%3A%2F%2Fapp.example"
                                      "%2Fcb%3Fa%3Db"));
    ck_assert_ptr_nonnull(strstr(req, "&code_verifier=" PKCE_VERIFIER));
    ck_assert_ptr_null(strstr(req, "client_secret"));
    /* RFC 6749 2.3.1: each half form-encoded, then base64 */
    apr_base64_encode(b64, "client%201:s3cret%3A%26%3D",
                      (int)strlen("client%201:s3cret%3A%26%3D"));
    want = apr_pstrcat(unit_pool, "\r\nAuthorization: Basic ", b64, "\r\n",
                       NULL);
    ck_assert_msg(strstr(req, want) != NULL, "%s", req);
}
END_TEST

START_TEST(code_exchange_post_none)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    ac_provider *pv = oidc_provider();
    ac_token_response tr;
    const char *req;
    ac_error *err;

    srv_route_add(sv, "/token", 200, "application/json", TOKEN_OK);
    pv->token_auth = AC_TOKEN_AUTH_POST;
    pv->access_token_params = "resource=api";
    ck_assert_ptr_null(ac_oauth2_code_exchange(unit_pool, &h, pv,
                                               srv_url(sv, "/token"), "c",
                                               "https://app.example/cb", "",
                                               &tr));
    req = srv_last(sv);
    ck_assert_ptr_nonnull(strstr(req, "&client_id=client%201"));
    ck_assert_ptr_nonnull(strstr(req, "&client_secret=s3cret%3A%26%3D"));
    ck_assert_ptr_nonnull(strstr(req, "&resource=api"));
    ck_assert_ptr_null(strstr(req, "code_verifier"));
    ck_assert_ptr_null(strstr(req, "Authorization:"));

    pv->token_auth = AC_TOKEN_AUTH_NONE;
    pv->access_token_params = NULL;
    ck_assert_ptr_null(ac_oauth2_code_exchange(unit_pool, &h, pv,
                                               srv_url(sv, "/token"), "c",
                                               "https://app.example/cb",
                                               PKCE_VERIFIER, &tr));
    req = srv_last(sv);
    ck_assert_ptr_nonnull(strstr(req, "&client_id=client%201"));
    ck_assert_ptr_null(strstr(req, "client_secret"));
    ck_assert_ptr_null(strstr(req, "Authorization:"));

    /* private_key_jwt without a loaded key is refused before sending */
    pv->token_auth = AC_TOKEN_AUTH_PRIVATE_KEY_JWT;
    err = ac_oauth2_code_exchange(unit_pool, &h, pv, srv_url(sv, "/token"),
                                  "c", "https://app.example/cb", "", &tr);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "token_auth");

    /* client_secret_jwt: an assertion instead of the secret itself */
    pv->token_auth = AC_TOKEN_AUTH_SECRET_JWT;
    ck_assert_ptr_null(ac_oauth2_code_exchange(unit_pool, &h, pv,
                                               srv_url(sv, "/token"), "c",
                                               "https://app.example/cb", "",
                                               &tr));
    req = srv_last(sv);
    ck_assert_ptr_nonnull(strstr(req, "client_assertion_type=urn%3Aietf%3Aparams"
                                      "%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"));
    ck_assert_ptr_nonnull(strstr(req, "&client_assertion=eyJ"));
    ck_assert_ptr_null(strstr(req, "client_secret="));
    ck_assert_ptr_null(strstr(req, "Authorization:"));
}
END_TEST

START_TEST(code_exchange_refused)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    ac_provider *pv = oidc_provider();
    ac_token_response tr;
    ac_error *err;

    srv_route_add(sv, "/token", 400, "application/json",
                  "{\"error\":\"invalid_grant\"}");
    err = ac_oauth2_code_exchange(unit_pool, &h, pv, srv_url(sv, "/token"),
                                  "c", "https://app.example/cb", "", &tr);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "token_invalid_grant");
    ck_assert_ptr_nonnull(strstr(err->message, "invalid_grant"));
}
END_TEST

/* RFC 6749 6: grant_type refresh_token with the refresh token and the
 * client's authentication; the answer parsed like any token response */
START_TEST(refresh_grant)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    ac_provider *pv = oidc_provider();
    ac_token_response tr;
    ac_error *err;

    srv_route_add(sv, "/token", 200, "application/json",
                  "{\"access_token\":\"at2\",\"token_type\":\"Bearer\","
                  "\"expires_in\":300,\"refresh_token\":\"rt2\"}");
    err = ac_oauth2_refresh(unit_pool, &h, pv, srv_url(sv, "/token"), "rt1", &tr);
    ck_assert_msg(err == NULL, "%s", err ? err->message : "");
    ck_assert_str_eq(tr.access_token, "at2");
    ck_assert_str_eq(tr.refresh_token, "rt2");
    ck_assert_int_eq(tr.expires_in, 300);
    ck_assert_ptr_nonnull(strstr(srv_last(sv), "grant_type=refresh_token"));
    ck_assert_ptr_nonnull(strstr(srv_last(sv), "refresh_token=rt1"));
}
END_TEST

START_TEST(get_json)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    json_t *j = NULL;
    ac_error *err;

    srv_route_add(sv, "/userinfo", 200, "application/json",
                  "{\"sub\":\"alice\"}");
    srv_route_add(sv, "/denied", 401, "application/json", "{}");
    srv_route_add(sv, "/html", 200, "text/html", "<html></html>");
    ck_assert_ptr_null(ac_oauth2_get_json(unit_pool, &h,
                                          srv_url(sv, "/userinfo"), "at-1",
                                          &j));
    ck_assert_str_eq(ac_json_string(j, "sub"), "alice");
    ck_assert_ptr_nonnull(strstr(srv_last(sv),
                                 "\r\nAuthorization: Bearer at-1\r\n"));

    err = ac_oauth2_get_json(unit_pool, &h, srv_url(sv, "/denied"), "at-1", &j);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "api_http_status");
    ck_assert_ptr_null(j);
    err = ac_oauth2_get_json(unit_pool, &h, srv_url(sv, "/html"), "at-1", &j);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "api_malformed");
}
END_TEST

Suite *oauth2_suite(void)
{
    Suite *s = suite_create("oauth2");
    TCase *tc = tcase_create("offline");
    TCase *net = tcase_create("loopback");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, token_json);
    tcase_add_test(tc, token_form);
    tcase_add_test(tc, token_error_in_200);
    tcase_add_test(tc, token_type_rules);
    tcase_add_test(tc, token_http_status);
    tcase_add_test(tc, token_missing_or_malformed);
    tcase_add_test(tc, authorize_url);
    tcase_add_test(tc, authorize_url_options);
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(net, http_fixture_setup, unit_teardown);
    tcase_set_timeout(net, 30);
    tcase_add_test(net, code_exchange_basic);
    tcase_add_test(net, code_exchange_post_none);
    tcase_add_test(net, code_exchange_refused);
    tcase_add_test(net, refresh_grant);
    tcase_add_test(net, get_json);
    suite_add_tcase(s, net);
    return s;
}
