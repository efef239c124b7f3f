/*
 * test_http.c - outbound HTTP (http.c) against the loopback server of
 * loopback.c: headers, bodies, redirects not followed, the size cap, the
 * timeout, transport errors and the refusal of insecure URLs.
 */
#include <string.h>

#include <apr_strings.h>

#include "core_state.h"
#include "http.h"
#include "loopback.h"
#include "unit.h"

static void http_fixture_setup(void)
{
    unit_setup();
    ck_assert_ptr_null(ac_core_state_create(unit_pool));
}

/* ---- refusals before any network access -------------------------------- */

START_TEST(http_insecure_refused)
{
    static const char *const bad[] = {
        "http://example.com/",
        "http://idp.example:8080/token?code=s3cr3t",
        "HTTP://IDP.EXAMPLE/",
        "http://127.0.0.1.evil.example/",
        "http://localhost.evil.example/",
        "http://user:pw@127.0.0.1/",
        "ftp://127.0.0.1/x",
        "file:///etc/passwd",
        "gopher://user:pw@127.0.0.1/",
        "//idp.example/",
        "idp.example",
        "",
    };
    ac_http_opts h = http_opts();
    ac_http_response r;
    apr_size_t i;

    /* no ac_core_state_create in this case: nothing of libcurl is needed */
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ac_error *err = ac_http_request(unit_pool, &h, "GET", bad[i], NULL,
                                        NULL, NULL, &r);

        ck_assert_msg(err != NULL, "\"%s\" accepted", bad[i]);
        ck_assert_msg(err->id == AC_E_HTTP_INSECURE, "\"%s\" gave %s",
                      bad[i], err->code);
        ck_assert_str_eq(err->code, "http_insecure");
        ck_assert_int_eq(err->category, AC_CAT_CONFIG);
        ck_assert_ptr_null(strstr(err->message, "s3cr3t"));
        ck_assert_ptr_null(strstr(err->message, "pw"));
    }
    {
        ac_error *err = ac_http_request(unit_pool, &h, "POST",
                                        "http://example.com/token?code=x",
                                        NULL, "application/json", "{}", &r);

        ck_assert_ptr_nonnull(err);
        ck_assert_int_eq(err->id, AC_E_HTTP_INSECURE);
        ck_assert_ptr_nonnull(strstr(err->message, "http://example.com/token"));
        ck_assert_ptr_null(strstr(err->message, "code=x"));
    }
}
END_TEST

/* ---- on the wire -------------------------------------------------------- */

START_TEST(http_basic_get)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    ac_http_response r;
    apr_table_t *hdrs = apr_table_make(unit_pool, 1);

    srv_route_add(sv, "/doc?a=1", 200, "application/json", "{\"ok\":true}");
    apr_table_set(hdrs, "X-Test", "yes");
    ck_assert_ptr_null(ac_http_request(unit_pool, &h, "GET",
                                       srv_url(sv, "/doc?a=1"), hdrs, NULL,
                                       NULL, &r));
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.content_type, "application/json");
    ck_assert_str_eq(r.body, "{\"ok\":true}");
    ck_assert_int_eq(r.len, 11);
    ck_assert_ptr_nonnull(strstr(srv_last(sv), "\r\nX-Test: yes\r\n"));
    ck_assert_ptr_nonnull(strstr(srv_last(sv),
                                 "\r\nUser-Agent: mod_auth_client/0.1\r\n"));
    /* a second call reuses the process setup (idempotent init) */
    ck_assert_ptr_null(ac_core_state_create(unit_pool));
    ck_assert_ptr_null(ac_http_request(unit_pool, &h, "GET",
                                       srv_url(sv, "/missing"), NULL, NULL,
                                       NULL, &r));
    ck_assert_int_eq(r.status, 404);
}
END_TEST

START_TEST(http_post_and_redirect)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    ac_http_response r;
    int i;

    i = srv_route_add(sv, "/moved", 302, "text/plain", "");
    sv->routes[i].extra_header = "Location: http://127.0.0.1:1/elsewhere";
    ck_assert_ptr_null(ac_http_request(unit_pool, &h, "POST",
                                       srv_url(sv, "/moved"), NULL,
                                       "application/x-www-form-urlencoded",
                                       "a=1&b=2", &r));
    /* not followed: the caller sees the 302 */
    ck_assert_int_eq(r.status, 302);
    ck_assert_int_eq(r.len, 0);
    ck_assert_str_eq(r.body, "");
    ck_assert_ptr_nonnull(strstr(srv_last(sv), "POST /moved HTTP/1.1\r\n"));
    ck_assert_ptr_nonnull(strstr(srv_last(sv), "\r\nContent-Type: "
                                 "application/x-www-form-urlencoded\r\n"));
    ck_assert_ptr_nonnull(strstr(srv_last(sv), "\r\n\r\na=1&b=2"));
}
END_TEST

START_TEST(http_too_large)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    ac_http_response r;
    char *big = apr_palloc(unit_pool, 5001);
    ac_error *err;
    int i;

    memset(big, 'x', 5000);
    big[5000] = '\0';
    srv_route_add(sv, "/big", 200, "text/plain", big);
    h.max_response = 4999;
    err = ac_http_request(unit_pool, &h, "GET", srv_url(sv, "/big?token=abc"),
                          NULL, NULL, NULL, &r);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "http_too_large");
    ck_assert_ptr_nonnull(strstr(err->message, "/big"));
    ck_assert_ptr_null(strstr(err->message, "token=abc"));
    h.max_response = 5000;
    ck_assert_ptr_null(ac_http_request(unit_pool, &h, "GET",
                                       srv_url(sv, "/big"), NULL, NULL, NULL,
                                       &r));
    ck_assert_int_eq(r.len, 5000);
    ck_assert_int_eq(strspn(r.body, "x"), 5000);

    /* without a Content-Length only counting the body can stop it */
    i = srv_route_add(sv, "/stream", 200, "text/plain", big);
    sv->routes[i].no_length = 1;
    h.max_response = 4999;
    err = ac_http_request(unit_pool, &h, "GET", srv_url(sv, "/stream"),
                          NULL, NULL, NULL, &r);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "http_too_large");
    h.max_response = 5000;
    ck_assert_ptr_null(ac_http_request(unit_pool, &h, "GET",
                                       srv_url(sv, "/stream"), NULL, NULL,
                                       NULL, &r));
    ck_assert_int_eq(r.len, 5000);
}
END_TEST

START_TEST(http_timeout)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    ac_http_response r;
    ac_error *err;
    int i;

    i = srv_route_add(sv, "/slow", 200, "text/plain", "late");
    sv->routes[i].delay_ms = 2500;
    h.timeout = 1;
    err = ac_http_request(unit_pool, &h, "GET", srv_url(sv, "/slow?code=x"),
                          NULL, NULL, NULL, &r);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "http_timeout");
    ck_assert_ptr_null(strstr(err->message, "code=x"));
}
END_TEST

START_TEST(http_transport_errors)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    ac_http_response r;
    ac_error *err;
    const char *closed;

    /* a port nobody listens on: take ours, then stop listening */
    closed = srv_url(sv, "/x?secret=1");
    srv_stop(sv);
    err = ac_http_request(unit_pool, &h, "GET", closed, NULL, NULL, NULL, &r);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "http_transport");
    ck_assert_ptr_nonnull(strstr(err->message, "http://127.0.0.1:"));
    ck_assert_ptr_null(strstr(err->message, "secret"));

    /* only http and https are spoken: other schemes are refused before
     * libcurl sees them */
    err = ac_http_request(unit_pool, &h, "GET", "file:///etc/passwd", NULL,
                          NULL, NULL, &r);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "http_insecure");
    err = ac_http_request(unit_pool, &h, "GET", "ftp://127.0.0.1/x", NULL,
                          NULL, NULL, &r);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "http_insecure");

    /* user:password never reaches a message */
    err = ac_http_request(unit_pool, &h, "GET", "gopher://user:pw@127.0.0.1/",
                          NULL, NULL, NULL, &r);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_null(strstr(err->message, "pw"));
}
END_TEST

/* ---- the observer: what the glue logs of each call --------------------- */

typedef struct observed {
    int calls;
    const char *method;
    const char *url;
    long status;
    const char *code;
} observed;

static void observe(void *ctx, const char *method, const char *url, long status,
                    const ac_error *err, apr_interval_time_t took)
{
    observed *o = ctx;

    o->calls++;
    o->method = apr_pstrdup(unit_pool, method);
    o->url = apr_pstrdup(unit_pool, url);
    o->status = status;
    o->code = err ? err->code : NULL;
    ck_assert_int_ge(took, 0);
}

START_TEST(http_observer_told)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    ac_http_response r;
    observed o;
    const char *closed;

    memset(&o, 0, sizeof(o));
    h.observe = observe;
    h.observe_ctx = &o;
    srv_route_add(sv, "/token", 401, "application/json", "{}");
    ck_assert_ptr_null(ac_http_request(unit_pool, &h, "POST",
                                       srv_url(sv, "/token?code=s3cr3t"), NULL,
                                       "application/x-www-form-urlencoded",
                                       "code=s3cr3t", &r));
    ck_assert_int_eq(o.calls, 1);
    ck_assert_str_eq(o.method, "POST");
    /* the URL as it may be logged: no query */
    ck_assert_str_eq(o.url, srv_url(sv, "/token"));
    ck_assert_int_eq(o.status, 401);
    ck_assert_ptr_null(o.code);

    /* a failed transfer is told with status 0 and its error */
    closed = srv_url(sv, "/x");
    srv_stop(sv);
    ck_assert_ptr_nonnull(ac_http_request(unit_pool, &h, "GET", closed, NULL,
                                          NULL, NULL, &r));
    ck_assert_int_eq(o.calls, 2);
    ck_assert_int_eq(o.status, 0);
    ck_assert_str_eq(o.code, "http_transport");

    /* a request refused before sending is nothing to tell */
    ck_assert_ptr_nonnull(ac_http_request(unit_pool, &h, "GET",
                                          "http://example.com/", NULL, NULL,
                                          NULL, &r));
    ck_assert_int_eq(o.calls, 2);
}
END_TEST

Suite *http_suite(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("offline");
    TCase *net = tcase_create("loopback");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, http_insecure_refused);
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(net, http_fixture_setup, unit_teardown);
    tcase_set_timeout(net, 30);
    tcase_add_test(net, http_basic_get);
    tcase_add_test(net, http_post_and_redirect);
    tcase_add_test(net, http_too_large);
    tcase_add_test(net, http_timeout);
    tcase_add_test(net, http_transport_errors);
    tcase_add_test(net, http_observer_told);
    suite_add_tcase(s, net);
    return s;
}
