/*
 * test_relay_upstream.c - the API relay's upstream request: which URLs lie
 * under an API base URL, form bodies as RFC 5849 signs them, the Bearer
 * header, and the signature of relayed requests.
 *
 * Where the signing vectors come from:
 *   - RFC 5849 1.2 (photos.example.net): the RFC text, as in test_oauth1.c.
 *   - RFC 5849 3.4.1.1 (example.com, query and form body): the RFC's base
 *     string plus the oauth_version=1.0 every request of the module
 *     carries, signed under "j49sk3j29djd&dh893hdasih9"; the value
 *     OB33pYjWAnf+xtOHN4Gmbdil168= was computed twice, with `openssl dgst
 *     -sha1 -hmac` over that base string and with Debian's
 *     python3-oauthlib 3.2.2, oauthlib.oauth1.Client(..., nonce='7d8f3e4a',
 *     timestamp='137131201').sign(url, 'POST', 'c2&a3=2+q', form type).
 *   - A POST with a query and UTF-8 form values: python3-oauthlib 3.2.2,
 *     Client('relay-key', client_secret='relay-secret',
 *     resource_owner_key='tok-1', resource_owner_secret='tok secret',
 *     nonce='f00dfeedf00dfeed', timestamp='1700000001').sign(RELAY_URL,
 *     'POST', RELAY_BODY, form type).
 */
#include <string.h>

#include "relay_upstream.h"
#include "unit.h"

/* fails the test, not the process, when no error came back */
static void assert_error(const ac_error *e, ac_error_id id)
{
    ck_assert_msg(e != NULL, "expected %s, got no error", ac_error_code(id));
    ck_assert_str_eq(e->code, ac_error_code(id));
}

/* ---- under the API base URL ---------------------------------------------- */

static void under_as(const char *base, const char *url, int pattern)
{
    const char *why = ac_relay_outside_base(unit_pool, base, url, pattern);

    ck_assert_msg(why == NULL, "%s should be under %s: %s", url, base, why);
}

static void outside_as(const char *base, const char *url, int pattern)
{
    ck_assert_msg(ac_relay_outside_base(unit_pool, base, url, pattern) != NULL,
                  "%s should be outside %s", url, base);
}

/* a URL about to be used, and the same as a ProxyPass target */
static void under(const char *base, const char *url)
{
    under_as(base, url, 0);
    under_as(base, url, 1);
}

static void outside(const char *base, const char *url)
{
    outside_as(base, url, 0);
    outside_as(base, url, 1);
}

START_TEST(base_root)
{
    const char *gh = "https://api.github.com/";

    under(gh, "https://api.github.com/");
    under(gh, "https://api.github.com");
    under(gh, "https://api.github.com/user");
    under(gh, "https://api.github.com/repos/o/r/issues?state=open&q=a%20b");
    under(gh, "https://API.GitHub.com:443/user");
    under(gh, "https://api.github.com/a/.../b");
    outside(gh, "http://api.github.com/user");
    outside(gh, "https://api.github.com:8443/user");
    outside(gh, "https://api.github.com.evil.example/user");
    outside(gh, "https://evil.example/api.github.com/");
    outside(gh, "https://api.github.com@evil.example/");
    outside(gh, "https://evil.example@api.github.com/");
}
END_TEST

START_TEST(base_with_path)
{
    const char *tw = "https://api.twitter.com/1.1/";

    under(tw, "https://api.twitter.com/1.1/");
    under(tw, "https://api.twitter.com/1.1/statuses/update.json?status=hi");
    under(tw, "https://api.twitter.com/1.1/account/verify_credentials.json");
    outside(tw, "https://api.twitter.com/1.1");
    outside(tw, "https://api.twitter.com/1.1?x=/1.1/");
    outside(tw, "https://api.twitter.com/1.10/x");
    outside(tw, "https://api.twitter.com/oauth/access_token");
    outside(tw, "https://api.twitter.com/");
    outside(tw, "https://api.twitter.com/2/tweets");
    /* paths compare exactly: no case folding, no decoding */
    outside(tw, "https://api.twitter.com/1%2E1/x");
    outside(tw, "https://api.twitter.com/1.1X/x");
}
END_TEST

START_TEST(base_without_trailing_slash)
{
    const char *v1 = "https://api.example.org/v1";

    under(v1, "https://api.example.org/v1");
    under(v1, "https://api.example.org/v1/");
    under(v1, "https://api.example.org/v1/items?x=1");
    under(v1, "https://api.example.org/v1?x=1");
    outside(v1, "https://api.example.org/v1x");
    outside(v1, "https://api.example.org/v10/items");
    outside(v1, "https://api.example.org/v");
    outside(v1, "https://api.example.org/");
}
END_TEST

START_TEST(paths_read_differently_upstream)
{
    const char *tw = "https://api.twitter.com/1.1/";

    outside(tw, "https://api.twitter.com/1.1/../oauth/access_token");
    outside(tw, "https://api.twitter.com/1.1/x/../../oauth/access_token");
    outside(tw, "https://api.twitter.com/1.1/%2e%2e/oauth/access_token");
    outside(tw, "https://api.twitter.com/1.1/%2E./oauth/access_token");
    outside(tw, "https://api.twitter.com/1.1/.%2E/oauth/access_token");
    outside(tw, "https://api.twitter.com/1.1/..;/oauth/access_token");
    outside(tw, "https://api.twitter.com/1.1/..;jsessionid=x/oauth");
    outside(tw, "https://api.twitter.com/1.1/./x");
    outside(tw, "https://api.twitter.com/1.1/x/..");
    outside(tw, "https://api.twitter.com/1.1/..%2foauth/access_token");
    outside(tw, "https://api.twitter.com/1.1/..%2Foauth/access_token");
    outside(tw, "https://api.twitter.com/1.1/..%5coauth/access_token");
    outside(tw, "https://api.twitter.com/1.1/..\\oauth/access_token");
    outside(tw, "https://api.twitter.com/1.1/a b");
    outside(tw, "https://api.twitter.com/1.1/a\tb");
    outside(tw, "https://api.twitter.com/1.1/caf\xc3\xa9");
    outside(tw, "https://api.twitter.com/1.1/a%zz");
    outside(tw, "https://api.twitter.com/1.1/a%2");
    outside(tw, "https://api.twitter.com/1.1/x#frag");
    /* what only looks like a dot segment is a name */
    under(tw, "https://api.twitter.com/1.1/...");
    under(tw, "https://api.twitter.com/1.1/.well-known/x");
    under(tw, "https://api.twitter.com/1.1/a..b/c");
    under(tw, "https://api.twitter.com/1.1/caf%C3%A9?q=../x");
}
END_TEST

START_TEST(not_http)
{
    const char *gh = "https://api.github.com/";

    outside(gh, "unix:/run/api.sock|https://api.github.com/");
    outside(gh, "balancer://github/");
    outside(gh, "ftp://api.github.com/");
    outside(gh, "//api.github.com/");
    outside(gh, "/user");
    outside(gh, "");
    outside(gh, NULL);
    outside(NULL, "https://api.github.com/");
    outside("not a url", "https://api.github.com/");
}
END_TEST

START_TEST(proxypassmatch_substitutions)
{
    const char *tw = "https://api.twitter.com/1.1/";
    const char *v1 = "https://api.example.org/v1";

    under_as(tw, "https://api.twitter.com/1.1/$1", 1);
    under_as(tw, "https://api.twitter.com/1.1/statuses/$1?x=$2", 1);
    outside_as(tw, "https://api.twitter.com/1.1$1", 1);
    outside_as(tw, "https://api.twitter.com/$1", 1);
    outside_as(tw, "https://api.twitter.com/$1/1.1/", 1);
    outside(tw, "https://api.twitter.com/1.1/../$1");
    outside(tw, "https://api.twitter.com/1.1/$1/\x01");
    outside(tw, "https://api.twitter.com$1");
    outside(tw, "https://$1/1.1/");
    under_as(v1, "https://api.example.org/v1/$1", 1);
    outside_as(v1, "https://api.example.org/v1$1", 1);
    /* in a URL about to be used a '$' is a character like any other: it
     * neither ends the prefix nor hides what follows it */
    under_as(tw, "https://api.twitter.com/1.1/a$b", 0);
    outside_as(tw, "https://api.twitter.com/$/1.1/", 0);
    outside_as(tw, "https://api.twitter.com/1.1/$/../../oauth/access_token", 0);
    outside_as(tw, "https://api.twitter.com/1.1/$\x01", 0);
    outside_as(v1, "https://api.example.org/v1$x", 0);
}
END_TEST

/* ---- form bodies --------------------------------------------------------- */

START_TEST(form_content_types)
{
    ck_assert_int_eq(ac_relay_is_form("application/x-www-form-urlencoded"), 1);
    ck_assert_int_eq(ac_relay_is_form("Application/X-WWW-Form-URLEncoded; "
                                      "charset=UTF-8"), 1);
    ck_assert_int_eq(ac_relay_is_form(" application/x-www-form-urlencoded ;x=y"), 1);
    ck_assert_int_eq(ac_relay_is_form("application/x-www-form-urlencodedx"), 0);
    ck_assert_int_eq(ac_relay_is_form("multipart/form-data; boundary=x"), 0);
    ck_assert_int_eq(ac_relay_is_form("application/json"), 0);
    ck_assert_int_eq(ac_relay_is_form(""), 0);
    ck_assert_int_eq(ac_relay_is_form(NULL), 0);
}
END_TEST

static const char *joined(const apr_array_header_t *a)
{
    const ac_kv *kv = (const ac_kv *)a->elts;
    const char *s = "";
    int i;

    for (i = 0; i < a->nelts; i++) {
        s = apr_psprintf(unit_pool, "%s[%s|%s]", s, kv[i].key, kv[i].value);
    }
    return s;
}

START_TEST(form_params_decoded_in_order)
{
    static const char body[] = "a=1&b=2+3&a=%C3%A9&&c&=x&d=";
    apr_array_header_t *form = NULL;

    ck_assert_ptr_null(ac_relay_form_params(unit_pool, body, strlen(body), 10, &form));
    ck_assert_str_eq(joined(form), "[a|1][b|2 3][a|\xc3\xa9][c|][|x][d|]");
    ck_assert_ptr_null(ac_relay_form_params(unit_pool, "", 0, 10, &form));
    ck_assert_int_eq(form->nelts, 0);
    /* not NUL-terminated: only `len` bytes count */
    ck_assert_ptr_null(ac_relay_form_params(unit_pool, "x=1&y=2", 3, 10, &form));
    ck_assert_str_eq(joined(form), "[x|1]");
}
END_TEST

START_TEST(form_params_refused)
{
    apr_array_header_t *form = NULL;
    ac_error *e;

    e = ac_relay_form_params(unit_pool, "a=%zz", 5, 10, &form);
    assert_error(e, AC_E_FORM_MALFORMED);
    ck_assert_ptr_null(form);
    e = ac_relay_form_params(unit_pool, "a=%00b", 6, 10, &form);
    assert_error(e, AC_E_FORM_MALFORMED);
    e = ac_relay_form_params(unit_pool, "a=1\0b=2", 7, 10, &form);
    assert_error(e, AC_E_FORM_MALFORMED);
    e = ac_relay_form_params(unit_pool, "a=1&b=2&c=3", 11, 2, &form);
    assert_error(e, AC_E_FORM_TOO_MANY);
    ck_assert_ptr_null(ac_relay_form_params(unit_pool, "a=1&b=2", 7, 2, &form));
}
END_TEST

/* ---- Bearer -------------------------------------------------------------- */

START_TEST(bearer_header)
{
    const char *h = NULL;

    ck_assert_ptr_null(ac_relay_bearer(unit_pool, "gho_abc.DEF-_~+/==", &h));
    ck_assert_str_eq(h, "Bearer gho_abc.DEF-_~+/==");
    assert_error(ac_relay_bearer(unit_pool, "a\r\nX-Evil: 1", &h), AC_E_TOKEN_MALFORMED);
    ck_assert_ptr_null(h);
    assert_error(ac_relay_bearer(unit_pool, "a b", &h), AC_E_TOKEN_MALFORMED);
    assert_error(ac_relay_bearer(unit_pool, "caf\xc3\xa9", &h), AC_E_TOKEN_MALFORMED);
    assert_error(ac_relay_bearer(unit_pool, "", &h), AC_E_TOKEN_MALFORMED);
    assert_error(ac_relay_bearer(unit_pool, NULL, &h), AC_E_TOKEN_MALFORMED);
}
END_TEST

/* ---- OAuth 1.0a: RFC 5849 1.2 -------------------------------------------- */

#define PHOTOS_URL \
    "http://photos.example.net/photos?file=vacation.jpg&size=original"
#define PHOTOS_PARAMS \
    "oauth_consumer_key=dpf43f3p2l4k3l03&oauth_nonce=kllo9940pd9333jh&" \
    "oauth_signature_method=HMAC-SHA1&oauth_timestamp=1191242096&" \
    "oauth_token=nnch734d00sl2jdk&oauth_version=1.0&" \
    "oauth_signature=tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D"

static ac_oauth1_client photos(ac_oauth1_placement where)
{
    ac_oauth1_client c = { "dpf43f3p2l4k3l03", "kd94hf93k423kf44", NULL,
                           AC_OAUTH1_HMAC_SHA1, where, "Photos" };
    return c;
}

static ac_relay_signed photos_signed(ac_oauth1_placement where,
                                     const apr_array_header_t *form)
{
    ac_oauth1_client c = photos(where);
    ac_relay_signed out;
    ac_error *e = ac_relay_oauth1_sign(unit_pool, &c, "GET", PHOTOS_URL, form,
                                       "nnch734d00sl2jdk", "pfkkdhi9sl3r4s00",
                                       "kllo9940pd9333jh", "1191242096", &out);

    ck_assert_msg(e == NULL, "%s", e ? e->message : "");
    return out;
}

START_TEST(rfc_1_2_header)
{
    ac_relay_signed out = photos_signed(AC_OAUTH1_IN_HEADER, NULL);

    ck_assert_str_eq(out.url, PHOTOS_URL);
    ck_assert_ptr_null(out.body_params);
    ck_assert_str_eq(out.authorization,
                     "OAuth realm=\"Photos\", "
                     "oauth_consumer_key=\"dpf43f3p2l4k3l03\", "
                     "oauth_nonce=\"kllo9940pd9333jh\", "
                     "oauth_signature_method=\"HMAC-SHA1\", "
                     "oauth_timestamp=\"1191242096\", "
                     "oauth_token=\"nnch734d00sl2jdk\", "
                     "oauth_version=\"1.0\", "
                     "oauth_signature=\"tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D\"");
}
END_TEST

START_TEST(rfc_1_2_query)
{
    ac_relay_signed out = photos_signed(AC_OAUTH1_IN_QUERY, NULL);

    ck_assert_str_eq(out.url, PHOTOS_URL "&" PHOTOS_PARAMS);
    ck_assert_ptr_null(out.authorization);
    ck_assert_ptr_null(out.body_params);
}
END_TEST

START_TEST(rfc_1_2_body_falls_back_to_query)
{
    /* a GET without a form body has nowhere else to put them */
    ac_relay_signed out = photos_signed(AC_OAUTH1_IN_BODY, NULL);

    ck_assert_str_eq(out.url, PHOTOS_URL "&" PHOTOS_PARAMS);
    ck_assert_ptr_null(out.body_params);
}
END_TEST

/* ---- OAuth 1.0a: RFC 5849 3.4.1.1, a form POST with a query -------------- */

#define RFC_3_1_URL "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b"
#define RFC_3_1_BODY "c2&a3=2+q"
#define RFC_3_1_SIG "OB33pYjWAnf%2BxtOHN4Gmbdil168%3D"

static ac_relay_signed rfc_3_1_signed(ac_oauth1_placement where)
{
    ac_oauth1_client c = { "9djdj82h48djs9d2", "j49sk3j29djd", NULL,
                           AC_OAUTH1_HMAC_SHA1, where, NULL };
    apr_array_header_t *form = NULL;
    ac_relay_signed out;
    ac_error *e;

    ck_assert_ptr_null(ac_relay_form_params(unit_pool, RFC_3_1_BODY,
                                            strlen(RFC_3_1_BODY), 10, &form));
    e = ac_relay_oauth1_sign(unit_pool, &c, "POST", RFC_3_1_URL, form,
                             "kkk9d7dh3k39sjv7", "dh893hdasih9", "7d8f3e4a",
                             "137131201", &out);
    ck_assert_msg(e == NULL, "%s", e ? e->message : "");
    return out;
}

START_TEST(rfc_3_4_1_1_form_post)
{
    ac_relay_signed out = rfc_3_1_signed(AC_OAUTH1_IN_HEADER);

    ck_assert_str_eq(out.url, RFC_3_1_URL);
    ck_assert_str_eq(out.authorization,
                     "OAuth oauth_consumer_key=\"9djdj82h48djs9d2\", "
                     "oauth_nonce=\"7d8f3e4a\", "
                     "oauth_signature_method=\"HMAC-SHA1\", "
                     "oauth_timestamp=\"137131201\", "
                     "oauth_token=\"kkk9d7dh3k39sjv7\", "
                     "oauth_version=\"1.0\", "
                     "oauth_signature=\"" RFC_3_1_SIG "\"");
}
END_TEST

START_TEST(rfc_3_4_1_1_body_placement)
{
    ac_relay_signed out = rfc_3_1_signed(AC_OAUTH1_IN_BODY);

    /* the same signature; the body as sent keeps its own bytes first */
    ck_assert_str_eq(out.url, RFC_3_1_URL);
    ck_assert_ptr_null(out.authorization);
    ck_assert_str_eq(out.body_params,
                     "oauth_consumer_key=9djdj82h48djs9d2&oauth_nonce=7d8f3e4a&"
                     "oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201&"
                     "oauth_token=kkk9d7dh3k39sjv7&oauth_version=1.0&"
                     "oauth_signature=" RFC_3_1_SIG);
}
END_TEST

/* ---- OAuth 1.0a: UTF-8 in the query and the form, checked by oauthlib ---- */

#define RELAY_URL \
    "https://api.example.org/1.1/statuses/update.json?page=2&q=caf%C3%A9"
#define RELAY_BODY "status=%C3%9Cml%C3%A4ut+%E2%9C%93&x=a%2Bb&x=1"

START_TEST(oauthlib_utf8_form_post)
{
    ac_oauth1_client c = { "relay-key", "relay-secret", NULL,
                           AC_OAUTH1_HMAC_SHA1, AC_OAUTH1_IN_HEADER, NULL };
    apr_array_header_t *form = NULL;
    ac_relay_signed out;

    ck_assert_ptr_null(ac_relay_form_params(unit_pool, RELAY_BODY,
                                            strlen(RELAY_BODY), 10, &form));
    ck_assert_str_eq(joined(form), "[status|\xc3\x9cml\xc3\xa4ut \xe2\x9c\x93]"
                                   "[x|a+b][x|1]");
    ck_assert_ptr_null(ac_relay_oauth1_sign(unit_pool, &c, "post", RELAY_URL, form,
                                            "tok-1", "tok secret",
                                            "f00dfeedf00dfeed", "1700000001",
                                            &out));
    ck_assert_msg(strstr(out.authorization,
                         "oauth_signature=\"XiAzzysr2T7uQguhkfhiB6CWT6Q%3D\"") != NULL,
                  "%s", out.authorization);
}
END_TEST

/* ---- OAuth 1.0a: refusals ------------------------------------------------ */

START_TEST(own_oauth_params_refused)
{
    ac_oauth1_client c = photos(AC_OAUTH1_IN_HEADER);
    apr_array_header_t *form = NULL;
    ac_relay_signed out;
    ac_error *e;

    e = ac_relay_oauth1_sign(unit_pool, &c, "GET", PHOTOS_URL "&oauth_token=x",
                             NULL, "t", "s", "n0nce0123456789a", "1", &out);
    assert_error(e, AC_E_RELAY_OAUTH_PARAM);
    e = ac_relay_oauth1_sign(unit_pool, &c, "GET", PHOTOS_URL "&oauth%5fnonce=x",
                             NULL, "t", "s", "n0nce0123456789a", "1", &out);
    assert_error(e, AC_E_RELAY_OAUTH_PARAM);
    ck_assert_ptr_null(ac_relay_form_params(unit_pool, "a=1&oauth_signature=x", 21,
                                            10, &form));
    e = ac_relay_oauth1_sign(unit_pool, &c, "POST", PHOTOS_URL, form, "t", "s",
                             "n0nce0123456789a", "1", &out);
    assert_error(e, AC_E_RELAY_OAUTH_PARAM);
    /* a name that only starts like one is the application's */
    ck_assert_ptr_null(ac_relay_oauth1_sign(unit_pool, &c, "GET",
                                            PHOTOS_URL "&oauthx=1", NULL, "t",
                                            "s", "n0nce0123456789a", "1", &out));
}
END_TEST

START_TEST(sign_refusals)
{
    ac_oauth1_client c = photos(AC_OAUTH1_IN_HEADER);
    ac_relay_signed out;
    ac_error *e;

    e = ac_relay_oauth1_sign(unit_pool, &c, "GET", PHOTOS_URL "#x", NULL, "t",
                             "s", "n0nce0123456789a", "1", &out);
    assert_error(e, AC_E_OAUTH1_URL);
    e = ac_relay_oauth1_sign(unit_pool, &c, "GET", PHOTOS_URL "&a=%zz", NULL,
                             "t", "s", "n0nce0123456789a", "1", &out);
    assert_error(e, AC_E_OAUTH1_URL);
    e = ac_relay_oauth1_sign(unit_pool, &c, "M-SEARCH", PHOTOS_URL, NULL, "t",
                             "s", "n0nce0123456789a", "1", &out);
    assert_error(e, AC_E_OAUTH1_METHOD);
    c.method = AC_OAUTH1_PLAINTEXT;
    e = ac_relay_oauth1_sign(unit_pool, &c, "GET", PHOTOS_URL, NULL, "t", "s",
                             "n0nce0123456789a", "1", &out);
    assert_error(e, AC_E_OAUTH1_PLAINTEXT_INSECURE);
    ck_assert_ptr_null(out.authorization);
}
END_TEST

Suite *relay_upstream_suite(void)
{
    Suite *s = suite_create("relay_upstream");
    TCase *tc = tcase_create("base");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, base_root);
    tcase_add_test(tc, base_with_path);
    tcase_add_test(tc, base_without_trailing_slash);
    tcase_add_test(tc, paths_read_differently_upstream);
    tcase_add_test(tc, not_http);
    tcase_add_test(tc, proxypassmatch_substitutions);
    suite_add_tcase(s, tc);

    tc = tcase_create("form");
    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, form_content_types);
    tcase_add_test(tc, form_params_decoded_in_order);
    tcase_add_test(tc, form_params_refused);
    tcase_add_test(tc, bearer_header);
    suite_add_tcase(s, tc);

    tc = tcase_create("oauth1");
    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, rfc_1_2_header);
    tcase_add_test(tc, rfc_1_2_query);
    tcase_add_test(tc, rfc_1_2_body_falls_back_to_query);
    tcase_add_test(tc, rfc_3_4_1_1_form_post);
    tcase_add_test(tc, rfc_3_4_1_1_body_placement);
    tcase_add_test(tc, oauthlib_utf8_form_post);
    tcase_add_test(tc, own_oauth_params_refused);
    tcase_add_test(tc, sign_refusals);
    suite_add_tcase(s, tc);
    return s;
}
