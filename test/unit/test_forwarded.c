/* test_forwarded.c - Forwarded (RFC 7239) and X-Forwarded-* from a trusted
 * proxy, and the origin built from them. */
#include <string.h>

#include "unit.h"
#include "forwarded.h"

static ac_error *parse(const char *fwd, const char *proto, const char *host,
                       const char *port, ac_forwarded *out)
{
    ac_forwarded_headers h = { fwd, proto, host, port };

    return ac_forwarded_parse(unit_pool, &h, out);
}

static const char *origin_of(const char *fwd, const char *proto, const char *host,
                             const char *port)
{
    ac_forwarded fw;

    ck_assert_ptr_null(parse(fwd, proto, host, port, &fw));
    /* httpd's own view: plain http on the backend's port */
    return ac_forwarded_origin(unit_pool, &fw, "http", "backend.internal", 8080);
}

START_TEST(rfc7239_nearest_element_wins)
{
    /* the browser wrote the first element, the trusted proxy the last */
    ck_assert_str_eq(origin_of("proto=https;host=evil.example, "
                               "for=192.0.2.1;proto=https;host=app.example.org",
                               NULL, NULL, NULL), "https://app.example.org");
    ck_assert_str_eq(origin_of("host=evil.example,for=10.0.0.1;proto=http",
                               NULL, NULL, NULL), "http://backend.internal");
}
END_TEST

START_TEST(rfc7239_syntax)
{
    ck_assert_str_eq(origin_of("For=\"[2001:db8::1]:4711\";Proto=HTTPS;"
                               "Host=\"App.Example.org:8443\"", NULL, NULL, NULL),
                     "https://app.example.org:8443");
    /* a comma inside a quoted value does not start an element */
    ck_assert_str_eq(origin_of("for=\"a,b\";proto=https", NULL, NULL, NULL),
                     "https://backend.internal");
    /* OWS around pairs, empty pairs and empty list elements are tolerated;
     * an unknown extension parameter is ignored */
    ck_assert_str_eq(origin_of("for=x; proto=https ;;ext=1 , ,", NULL, NULL, NULL),
                     "https://backend.internal");
    ck_assert_str_eq(origin_of("host=\"[2001:db8::5]\"", NULL, NULL, NULL),
                     "http://[2001:db8::5]");
    /* Forwarded present: X-Forwarded-* are ignored */
    ck_assert_str_eq(origin_of("for=x", "https", "evil.example", "444"),
                     "http://backend.internal:8080");
}
END_TEST

START_TEST(x_forwarded)
{
    ck_assert_str_eq(origin_of(NULL, "https", "app.example.org", NULL),
                     "https://app.example.org");
    ck_assert_str_eq(origin_of(NULL, "https", NULL, NULL), "https://backend.internal");
    ck_assert_str_eq(origin_of(NULL, "http, https", "evil.example, app.example.org",
                               "1, 8443"), "https://app.example.org:8443");
    /* a port in X-Forwarded-Host wins over X-Forwarded-Port */
    ck_assert_str_eq(origin_of(NULL, "https", "app.example.org:9443", "8443"),
                     "https://app.example.org:9443");
    ck_assert_str_eq(origin_of(NULL, NULL, NULL, "8443"),
                     "http://backend.internal:8443");
    ck_assert_str_eq(origin_of(NULL, "https", NULL, "443"), "https://backend.internal");
}
END_TEST

START_TEST(nothing_forwarded)
{
    ac_forwarded_headers none = { NULL, NULL, NULL, NULL };
    ac_forwarded_headers one = { NULL, NULL, NULL, "1" };

    ck_assert(!ac_forwarded_present(&none));
    ck_assert(ac_forwarded_present(&one));
    ck_assert_str_eq(origin_of(NULL, NULL, NULL, NULL), "http://backend.internal:8080");
    /* httpd's IPv6 names come bracketed already */
    ck_assert_str_eq(ac_forwarded_origin(unit_pool, &(ac_forwarded){ NULL, NULL, 0 },
                                         "https", "[::1]", 443), "https://[::1]");
}
END_TEST

typedef struct refusal {
    const char *forwarded, *proto, *host, *port;
    const char *why;            /* in the message */
} refusal;

static const refusal refusals[] = {
    { "proto=ftp", NULL, NULL, NULL, "scheme other than http or https" },
    { "proto=javascript", NULL, NULL, NULL, "scheme other" },
    { "proto=\"https\r\n\"", NULL, NULL, NULL, "malformed quoted string" },
    { "host=evil.example/path", NULL, NULL, NULL, "characters after" },
    { "host=\"evil.example/path\"", NULL, NULL, NULL, "malformed host" },
    { "host=\"a@evil.example\"", NULL, NULL, NULL, "malformed host" },
    { "host=\"evil.example\r\nX: y\"", NULL, NULL, NULL, "malformed quoted" },
    { "host=\"app:99999\"", NULL, NULL, NULL, "bad port" },
    { "host=\"[::1\"", NULL, NULL, NULL, "IPv6" },
    { "proto=https;proto=http", NULL, NULL, NULL, "repeats" },
    { "host=a;Host=b", NULL, NULL, NULL, "repeats" },
    { "for=a;for=b", NULL, NULL, NULL, "repeats" },
    { "proto=\"https", NULL, NULL, NULL, "unterminated" },
    { "proto", NULL, NULL, NULL, "not name=value" },
    { "=https", NULL, NULL, NULL, "not name=value" },
    { "proto=", NULL, NULL, NULL, "without a value" },
    { "proto=https host=x", NULL, NULL, NULL, "characters after" },
    { "", NULL, NULL, NULL, "is empty" },
    { " , ", NULL, NULL, NULL, "is empty" },
    { NULL, "ftp", NULL, NULL, "X-Forwarded-Proto" },
    { NULL, "https, ftp", NULL, NULL, "X-Forwarded-Proto" },
    /* an IPv6 literal must be quoted (RFC 7239 6) */
    { "host=[2001:db8::5]", NULL, NULL, NULL, "without a value" },
    { NULL, "https x", NULL, NULL, "scheme other" },
    { NULL, NULL, "evil.example/x", NULL, "X-Forwarded-Host" },
    { NULL, NULL, "evil example", NULL, "malformed host" },
    { NULL, NULL, "", NULL, "X-Forwarded-Host" },
    { NULL, NULL, "a%2f", NULL, "malformed host" },
    { NULL, NULL, NULL, "0", "bad port" },
    { NULL, NULL, NULL, "65536", "bad port" },
    { NULL, NULL, NULL, "443x", "bad port" },
    { NULL, NULL, NULL, "-1", "bad port" },
    { NULL, NULL, NULL, "123456", "bad port" },
};

START_TEST(refused)
{
    const refusal *t = &refusals[_i];
    ac_forwarded fw;
    ac_error *e = parse(t->forwarded, t->proto, t->host, t->port, &fw);

    ck_assert_msg(e != NULL, "accepted case %d", _i);
    ck_assert_int_eq(e->id, AC_E_FORWARDED_INVALID);
    ck_assert_msg(strstr(e->message, t->why) != NULL, "case %d: %s", _i, e->message);
    /* nothing of a refused header is used */
    ck_assert_ptr_null(fw.scheme);
    ck_assert_ptr_null(fw.host);
    ck_assert_int_eq(fw.port, 0);
}
END_TEST

START_TEST(refusal_keeps_value_out_of_message)
{
    ac_forwarded fw;
    ac_error *e = parse(NULL, NULL, "secret-looking<value>", NULL, &fw);

    ck_assert_ptr_nonnull(e);
    ck_assert_ptr_null(strstr(e->message, "secret-looking"));
}
END_TEST

START_TEST(overlong_header)
{
    char big[5000];
    ac_forwarded fw;

    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    big[0] = 'f';
    ck_assert_ptr_nonnull(parse(big, NULL, NULL, NULL, &fw));
    ck_assert_ptr_nonnull(parse(NULL, big, NULL, NULL, &fw));
}
END_TEST

Suite *forwarded_suite(void)
{
    Suite *s = suite_create("forwarded");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, rfc7239_nearest_element_wins);
    tcase_add_test(tc, rfc7239_syntax);
    tcase_add_test(tc, x_forwarded);
    tcase_add_test(tc, nothing_forwarded);
    tcase_add_loop_test(tc, refused, 0, (int)(sizeof(refusals) / sizeof(refusals[0])));
    tcase_add_test(tc, refusal_keeps_value_out_of_message);
    tcase_add_test(tc, overlong_header);
    suite_add_tcase(s, tc);
    return s;
}
