/* test_url.c - redirect validation and URL builders. */
#include <string.h>

#include "unit.h"
#include "url.h"

#define SELF "https://rp.example"

/* Each entry is its own loop test, so every failing input is reported. */
static const char *const rejected[] = {
    /* scheme-relative and backslash tricks */
    "//evil.example",
    "//evil.example/path",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/app\\..\\x",
    /* raw controls and whitespace, anywhere */
    "/\t/evil.example",
    "/app\t",
    "/app\r\nSet-Cookie: x=y",
    "/app\nx",
    "/app\rx",
    "\t/app",
    " /app",
    "/app x",
    "/app\x7f",
    "/caf\xc3\xa9",
    /* encoded controls, anywhere */
    "/app%09x",
    "/app%0a",
    "/app%0A",
    "/app%0d",
    "/app%0D%0ASet-Cookie:%20x",
    "/app?next=%0a",
    "/app%00",
    "%0a/app",
    /* encoded slashes or backslashes at the start of the path */
    "/%2f%2fevil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%2fevil.example",
    "/%5cevil.example",
    "/%5Cevil.example",
    "%2f%2fevil.example",
    "%5cevil.example",
    "https://rp.example/%2f%2fevil.example",
    /* userinfo */
    "https://rp.example@evil.example/",
    "https://evil.example@rp.example/",
    "https://user:pass@rp.example/",
    "https://@rp.example/",
    /* scripting schemes in any case, with leading whitespace */
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "JAVASCRIPT:alert(1)",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    "\njavascript:alert(1)",
    "java\tscript:alert(1)",
    "javascript://rp.example/%0aalert(1)",
    "data:text/html,hello",
    "DATA:text/html;base64,PHNjcmlwdD4=",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    /* other origins */
    "https://evil.example/",
    "http://rp.example/",
    "https://rp.example:8443/",
    "https://rp.example.evil.example/",
    "https://evil.example/https://rp.example",
    "https://partner.example.evil.example/",
    "https://partnerXexample/",
    "https://apps.example/",
    "https://apps.example/portalx",
    "https://apps.example/other/portal",
    "https://apps.example/portal/../admin",
    "https://apps.example/portal/%2e%2e/admin",
    "https://apps.example/portal/%2E%2E",
    "http://partner.example/",
    /* unparseable or not http(s) */
    "ftp://rp.example/",
    "https:evil.example",
    "https:/evil.example",
    "https:///evil.example",
    "https://",
    "https://rp.example%2eevil.example/",
    "https://rp.example:0/",
    "https://rp.example:99999/",
    "https://rp.example:44a3/",
    "https://[::1/",
    "https://[rp.example]/",
    "app/page",
    "rp.example/app",
    "?x=1",
    "#frag",
    "/app%zz",
    "/app%2",
    "",
};

static const char *const accepted[] = {
    "/",
    "/app?x=1#f",
    "/app/page",
    "/app?next=%2F%2Fevil.example",
    "/a%2fb",
    "/app/../other",
    "https://rp.example/x",
    "https://rp.example",
    "https://rp.example?x=1",
    "https://rp.example#f",
    "https://RP.EXAMPLE/x",
    "HTTPS://rp.example/x",
    "https://rp.example:443/x",
    "https://rp.example:/x",
    "https://partner.example/anything",
    "https://Partner.Example:443/x?y=1",
    "https://apps.example/portal",
    "https://apps.example/portal/",
    "https://apps.example/portal/page?x=1",
    "https://apps.example/portal?x=1",
    "https://apps.example/portal#f",
    "https://docs.example/guide/intro",
};

static apr_array_header_t *allow_list(void)
{
    apr_array_header_t *a = apr_array_make(unit_pool, 3, sizeof(const char *));

    APR_ARRAY_PUSH(a, const char *) = "https://partner.example";
    APR_ARRAY_PUSH(a, const char *) = "https://apps.example/portal";
    APR_ARRAY_PUSH(a, const char *) = "https://docs.example/guide/";
    return a;
}

START_TEST(redirect_rejected)
{
    const char *in = rejected[_i];
    ac_error *e = ac_redirect_check(unit_pool, in, SELF, allow_list());

    ck_assert_msg(e != NULL, "accepted \"%s\"", in);
    ck_assert_msg(e->id == AC_E_REDIRECT_REJECTED
                  && strcmp(e->code, "redirect_rejected") == 0
                  && e->category == AC_CAT_REQUEST,
                  "\"%s\" gave %s/%d", in, e->code, (int)e->category);
}
END_TEST

START_TEST(redirect_accepted)
{
    const char *in = accepted[_i];
    ac_error *e = ac_redirect_check(unit_pool, in, SELF, allow_list());

    ck_assert_msg(e == NULL, "rejected \"%s\": %s", in, e ? e->message : "");
}
END_TEST

START_TEST(redirect_null_and_no_allow_list)
{
    ck_assert_ptr_nonnull(ac_redirect_check(unit_pool, NULL, SELF, NULL));
    ck_assert_ptr_null(ac_redirect_check(unit_pool, "/x", SELF, NULL));
    ck_assert_ptr_null(ac_redirect_check(unit_pool, "https://rp.example/x",
                                         SELF, NULL));
    ck_assert_ptr_nonnull(ac_redirect_check(unit_pool,
                                            "https://partner.example/x",
                                            SELF, NULL));
    /* without a self origin only local paths pass */
    ck_assert_ptr_null(ac_redirect_check(unit_pool, "/x", NULL, NULL));
    ck_assert_ptr_nonnull(ac_redirect_check(unit_pool, "https://rp.example/x",
                                            NULL, NULL));
}
END_TEST

START_TEST(redirect_userinfo_reason)
{
    /* the host check would refuse it too; the message must say why */
    ac_error *e = ac_redirect_check(unit_pool, "https://rp.example@evil.example/",
                                    SELF, NULL);

    ck_assert_ptr_nonnull(e);
    ck_assert_ptr_nonnull(strstr(e->message, "'@'"));
}
END_TEST

START_TEST(redirect_self_with_port)
{
    const char *self = "http://LocalHost:8080";

    ck_assert_ptr_null(ac_redirect_check(unit_pool, "http://localhost:8080/x",
                                         self, NULL));
    ck_assert_ptr_nonnull(ac_redirect_check(unit_pool, "http://localhost/x",
                                            self, NULL));
    ck_assert_ptr_nonnull(ac_redirect_check(unit_pool, "https://localhost:8080/x",
                                            self, NULL));
    /* default ports are the same origin written either way */
    ck_assert_ptr_null(ac_redirect_check(unit_pool, "http://h.example/x",
                                         "http://h.example:80", NULL));
    ck_assert_ptr_null(ac_redirect_check(unit_pool, "http://[::1]:8080/x",
                                         "http://[::1]:8080", NULL));
}
END_TEST

/* ---- is_secure_or_loopback --------------------------------------------------- */

START_TEST(secure_or_loopback)
{
    static const char *const yes[] = {
        "https://idp.example/token", "HTTPS://idp.example", "http://localhost/",
        "http://LOCALHOST:8080/x", "http://127.0.0.1:8080/", "http://127.1.2.3/",
        "http://[::1]:80/", "http://[::1]",
    };
    static const char *const no[] = {
        "http://idp.example/", "http://127.0.0.1.evil.example/",
        "http://128.0.0.1/", "http://localhost.evil.example/",
        "http://127.0.0.1@evil.example/", "ftp://localhost/",
        "http://127.0.0/", "http://127.0.0.256/", "http://127..0.1/",
        "http://[::2]/", "localhost", "",
    };
    apr_size_t i;

    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        ck_assert_msg(ac_url_is_secure_or_loopback(unit_pool, yes[i]),
                      "\"%s\" not secure or loopback", yes[i]);
    }
    for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        ck_assert_msg(!ac_url_is_secure_or_loopback(unit_pool, no[i]),
                      "\"%s\" taken as secure or loopback", no[i]);
    }
    ck_assert(!ac_url_is_secure_or_loopback(unit_pool, NULL));
}
END_TEST

/* ---- origins ---------------------------------------------------------------- */

static ac_url_origin origin_of(const char *url)
{
    ac_url_origin o;
    const char *why;

    memset(&o, 0, sizeof(o));
    why = ac_url_origin_parse(unit_pool, url, &o);
    ck_assert_msg(why == NULL, "\"%s\" refused: %s", url, why ? why : "");
    return o;
}

START_TEST(origin_parse)
{
    ac_url_origin o;

    o = origin_of("https://IdP.Example/path?q=1#f");
    ck_assert_str_eq(o.scheme, "https");
    ck_assert_str_eq(o.host, "idp.example");
    ck_assert_int_eq(o.port, 443);
    ck_assert_str_eq(o.rest, "/path?q=1#f");

    o = origin_of("HTTP://localhost:8080");
    ck_assert_str_eq(o.scheme, "http");
    ck_assert_str_eq(o.host, "localhost");
    ck_assert_int_eq(o.port, 8080);
    ck_assert_str_eq(o.rest, "");

    /* "host:" is the default port; the query may follow the host */
    o = origin_of("http://h.example:?x=1");
    ck_assert_int_eq(o.port, 80);
    ck_assert_str_eq(o.rest, "?x=1");
    o = origin_of("https://h.example:65535/");
    ck_assert_int_eq(o.port, 65535);
}
END_TEST

START_TEST(origin_parse_ipv6)
{
    ac_url_origin o;

    o = origin_of("http://[::1]:8080/x");
    ck_assert_str_eq(o.host, "::1");
    ck_assert_int_eq(o.port, 8080);
    ck_assert_str_eq(o.rest, "/x");
    o = origin_of("https://[2001:DB8::A]/");
    ck_assert_str_eq(o.host, "2001:db8::a");
    ck_assert_int_eq(o.port, 443);
    o = origin_of("https://[::ffff:127.0.0.1]");
    ck_assert_str_eq(o.host, "::ffff:127.0.0.1");
}
END_TEST

START_TEST(origin_parse_refusals)
{
    static const char *const bad[] = {
        "https://user@idp.example/",        /* userinfo */
        "https://user:pw@idp.example/",
        "https://@idp.example/",
        "https://idp.example:0/",           /* bad ports */
        "https://idp.example:65536/",
        "https://idp.example:123456/",
        "https://idp.example:-1/",
        "https://idp.example:8o/",
        "https://idp.example: 80/",
        "https://[::1/",                    /* broken IPv6 literals */
        "https://[::1]x/",
        "https://[idp.example]/",
        "https://[]/",
        "https://idp%2eexample/",           /* escapes in the authority */
        "https://idp.example%3a443/",
        "https://",                         /* no host */
        "https:///path",
        "https://:443/",
        "https://idp example/",
        "ftp://idp.example/",               /* other schemes */
        "javascript://idp.example/",
        "//idp.example/",
        "/local/path",
        "",
    };
    apr_size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ac_url_origin o;
        const char *why = ac_url_origin_parse(unit_pool, bad[i], &o);

        ck_assert_msg(why != NULL, "\"%s\" parsed", bad[i]);
    }
    /* the reason is fit for a message */
    {
        ac_url_origin o;
        const char *why;

        why = ac_url_origin_parse(unit_pool, "https://a@b.example/", &o);
        ck_assert_ptr_nonnull(strstr(why, "'@'"));
        why = ac_url_origin_parse(unit_pool, "https://b.example:99999/", &o);
        ck_assert_ptr_nonnull(strstr(why, "port"));
    }
}
END_TEST

/* ---- URLs in log lines ------------------------------------------------------ */

START_TEST(for_log)
{
    /* userinfo, query and fragment can carry credentials and codes */
    ck_assert_str_eq(ac_url_for_log(unit_pool, "https://user:pw@idp.example"
                                    "/token?code=abc#f"),
                     "https://idp.example/token");
    ck_assert_str_eq(ac_url_for_log(unit_pool, "https://user@idp.example/x"),
                     "https://idp.example/x");
    /* the last '@' of the authority ends the userinfo */
    ck_assert_str_eq(ac_url_for_log(unit_pool, "https://a@b@idp.example:8443/"),
                     "https://idp.example:8443/");
    ck_assert_str_eq(ac_url_for_log(unit_pool,
                                    "https://idp.example/cb?state=s&code=c"),
                     "https://idp.example/cb");
    ck_assert_str_eq(ac_url_for_log(unit_pool,
                                    "https://idp.example#access_token=t"),
                     "https://idp.example");
    /* an '@' after the authority is not userinfo */
    ck_assert_str_eq(ac_url_for_log(unit_pool, "https://idp.example/u/@me?x"),
                     "https://idp.example/u/@me");
    ck_assert_str_eq(ac_url_for_log(unit_pool, "https://idp.example/a?b=@c"),
                     "https://idp.example/a");
    ck_assert_str_eq(ac_url_for_log(unit_pool, "http://[::1]:8080/jwks?k=1"),
                     "http://[::1]:8080/jwks");
    /* not a URL this module sends, still cleaned */
    ck_assert_str_eq(ac_url_for_log(unit_pool, "gopher://u:pw@127.0.0.1/x?y"),
                     "gopher://127.0.0.1/x");
    ck_assert_str_eq(ac_url_for_log(unit_pool, "https://idp.example/plain"),
                     "https://idp.example/plain");
    ck_assert_str_eq(ac_url_for_log(unit_pool, ""), "");
}
END_TEST

/* ---- builders ------------------------------------------------------------------ */

START_TEST(add_param)
{
    ck_assert_str_eq(ac_url_add_param(unit_pool, "https://a.example/b", "k", "v"),
                     "https://a.example/b?k=v");
    ck_assert_str_eq(ac_url_add_param(unit_pool, "https://a.example/b?x=1", "k", "v"),
                     "https://a.example/b?x=1&k=v");
    ck_assert_str_eq(ac_url_add_param(unit_pool, "https://a.example/b?", "k", "v"),
                     "https://a.example/b?k=v");
    ck_assert_str_eq(ac_url_add_param(unit_pool, "https://a.example/b?x=1&", "k", "v"),
                     "https://a.example/b?x=1&k=v");
    ck_assert_str_eq(ac_url_add_param(unit_pool, "https://a.example/b#f?g", "k", "v"),
                     "https://a.example/b?k=v#f?g");
    ck_assert_str_eq(ac_url_add_param(unit_pool, "/p", "a b", "c&d=e/\xc3\x9c"),
                     "/p?a%20b=c%26d%3De%2F%C3%9C");
}
END_TEST

START_TEST(join)
{
    ck_assert_str_eq(ac_url_join(unit_pool, "https://api.example/1.1/",
                                 "account/verify.json"),
                     "https://api.example/1.1/account/verify.json");
    ck_assert_str_eq(ac_url_join(unit_pool, "https://api.example/1.1", "account"),
                     "https://api.example/1.1/account");
    ck_assert_str_eq(ac_url_join(unit_pool, "https://api.example/1.1/", "/account"),
                     "https://api.example/1.1/account");
    ck_assert_str_eq(ac_url_join(unit_pool, "https://api.example", "/user"),
                     "https://api.example/user");
    ck_assert_str_eq(ac_url_join(unit_pool, "https://api.example/",
                                 "https://other.example/me"),
                     "https://other.example/me");
    ck_assert_str_eq(ac_url_join(unit_pool, "https://api.example/",
                                 "HTTP://localhost/me"),
                     "HTTP://localhost/me");
    ck_assert_str_eq(ac_url_join(unit_pool, "https://api.example/v2", ""),
                     "https://api.example/v2");
    ck_assert_str_eq(ac_url_join(unit_pool, NULL, "user"), "user");
}
END_TEST

START_TEST(cookie_path_covers)
{
    ck_assert(ac_cookie_path_covers("/", "/auth/callback"));
    ck_assert(ac_cookie_path_covers("/app", "/app"));
    ck_assert(ac_cookie_path_covers("/app", "/app/auth/callback"));
    ck_assert(ac_cookie_path_covers("/app/", "/app/auth/callback"));
    ck_assert(!ac_cookie_path_covers("/app", "/apps/callback"));
    ck_assert(!ac_cookie_path_covers("/app/", "/app"));
    ck_assert(!ac_cookie_path_covers("/app", "/auth/callback"));
    ck_assert(!ac_cookie_path_covers("/App", "/app/x"));        /* case matters */
}
END_TEST

Suite *url_suite(void)
{
    Suite *s = suite_create("url");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_loop_test(tc, redirect_rejected, 0,
                        (int)(sizeof(rejected) / sizeof(rejected[0])));
    tcase_add_loop_test(tc, redirect_accepted, 0,
                        (int)(sizeof(accepted) / sizeof(accepted[0])));
    tcase_add_test(tc, redirect_null_and_no_allow_list);
    tcase_add_test(tc, redirect_userinfo_reason);
    tcase_add_test(tc, redirect_self_with_port);
    tcase_add_test(tc, secure_or_loopback);
    tcase_add_test(tc, origin_parse);
    tcase_add_test(tc, origin_parse_ipv6);
    tcase_add_test(tc, origin_parse_refusals);
    tcase_add_test(tc, for_log);
    tcase_add_test(tc, add_param);
    tcase_add_test(tc, join);
    tcase_add_test(tc, cookie_path_covers);
    suite_add_tcase(s, tc);
    return s;
}
