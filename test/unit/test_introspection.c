/*
 * test_introspection.c - RFC 7662 answers and the rules for reusing them:
 * what makes an answer usable, and when a cached one stops standing for a
 * new request (the earlier of exp and the TTL; never when not active).
 */
#include <string.h>

#include "introspection.h"
#include "unit.h"

#define T0 apr_time_from_sec(1700000000)
#define SEC(n) apr_time_from_sec(n)

static json_t *answer(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);

    ck_assert_msg(j != NULL, "bad test JSON: %s", text);
    ac_json_pool_own(unit_pool, j);
    return j;
}

static ac_error *parse(long status, const char *body, json_t **out)
{
    ac_http_response r;

    memset(&r, 0, sizeof(r));
    r.status = status;
    r.body = body ? apr_pstrdup(unit_pool, body) : NULL;
    r.len = body ? strlen(body) : 0;
    return ac_introspection_parse(unit_pool, &r, out);
}

static void expect_code(ac_error *e, const char *code)
{
    ck_assert_msg(e != NULL, "expected %s, got success", code);
    ck_assert_msg(strcmp(e->code, code) == 0, "expected %s, got %s: %s", code,
                  e->code, e->message);
}

START_TEST(form)
{
    ck_assert_str_eq(ac_introspection_form(unit_pool, "a+b/c="),
                     "token=a%2Bb%2Fc%3D&token_type_hint=access_token");
}
END_TEST

START_TEST(parse_answers)
{
    json_t *r;

    ck_assert_ptr_null(parse(200, "{\"active\":true,\"sub\":\"alice\"}", &r));
    ck_assert(json_is_true(json_object_get(r, "active")));
    /* an inactive token is an answer, not a provider failure */
    ck_assert_ptr_null(parse(200, "{\"active\":false}", &r));
    expect_code(parse(401, "{\"error\":\"invalid_client\"}", &r),
                "introspection_http_status");
    ck_assert_ptr_null(r);
    expect_code(parse(200, "<html>", &r), "introspection_malformed");
    expect_code(parse(200, NULL, &r), "introspection_malformed");
    expect_code(parse(200, "{\"sub\":\"alice\"}", &r), "introspection_malformed");
    expect_code(parse(200, "{\"active\":\"true\"}", &r), "introspection_malformed");
    expect_code(parse(200, "{\"active\":1}", &r), "introspection_malformed");
}
END_TEST

START_TEST(check_answers)
{
    const char *iss = "https://idp.example";

    ck_assert_ptr_null(ac_introspection_check(unit_pool, answer("{\"active\":true}"), iss));
    ck_assert_ptr_null(ac_introspection_check(unit_pool, answer(
        "{\"active\":true,\"iss\":\"https://idp.example\",\"token_type\":\"bearer\"}"), iss));
    expect_code(ac_introspection_check(unit_pool, answer("{\"active\":false}"), iss),
                "bearer_inactive");
    expect_code(ac_introspection_check(unit_pool, answer(
        "{\"active\":true,\"iss\":\"https://evil.example\"}"), iss), "bearer_iss");
    expect_code(ac_introspection_check(unit_pool, answer(
        "{\"active\":true,\"iss\":7}"), iss), "bearer_iss");
    /* a refresh token or a DPoP-bound token is not a bearer access token */
    expect_code(ac_introspection_check(unit_pool, answer(
        "{\"active\":true,\"token_type\":\"refresh_token\"}"), iss), "bearer_token_type");
    expect_code(ac_introspection_check(unit_pool, answer(
        "{\"active\":true,\"token_type\":\"DPoP\"}"), iss), "bearer_token_type");
}
END_TEST

START_TEST(cache_until)
{
    /* the TTL when exp is later or absent */
    ck_assert(ac_introspection_cache_until(answer(
        "{\"active\":true,\"exp\":1700003600}"), T0, 60) == T0 + SEC(60));
    ck_assert(ac_introspection_cache_until(answer("{\"active\":true}"), T0, 60)
              == T0 + SEC(60));
    /* exp when it comes first */
    ck_assert(ac_introspection_cache_until(answer(
        "{\"active\":true,\"exp\":1700000010}"), T0, 60) == T0 + SEC(10));
    /* never for these */
    ck_assert(ac_introspection_cache_until(answer(
        "{\"active\":false,\"exp\":1700003600}"), T0, 60) == 0);
    ck_assert(ac_introspection_cache_until(answer("{\"active\":\"true\"}"), T0, 60) == 0);
    ck_assert(ac_introspection_cache_until(answer("{\"active\":true}"), T0, 0) == 0);
    ck_assert(ac_introspection_cache_until(answer(
        "{\"active\":true,\"exp\":1699999999}"), T0, 60) == 0);
    ck_assert(ac_introspection_cache_until(answer(
        "{\"active\":true,\"exp\":\"1700003600\"}"), T0, 60) == 0);
}
END_TEST

static void entry(const char *json, apr_time_t fetched, char **buf, apr_size_t *len)
{
    ck_assert_ptr_null(ac_introspection_entry_encode(unit_pool, fetched, answer(json),
                                                     buf, len));
}

START_TEST(entry_reuse)
{
    char *buf;
    apr_size_t len;
    json_t *r;

    entry("{\"active\":true,\"sub\":\"alice\",\"exp\":1700000100}", T0, &buf, &len);
    ac_introspection_entry_decode(unit_pool, buf, len, T0 + SEC(5), 60, &r);
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(json_string_value(json_object_get(r, "sub")), "alice");
    /* a location with a shorter TTL does not take an older answer */
    ac_introspection_entry_decode(unit_pool, buf, len, T0 + SEC(5), 2, &r);
    ck_assert_ptr_null(r);
    /* past the TTL */
    ac_introspection_entry_decode(unit_pool, buf, len, T0 + SEC(60), 60, &r);
    ck_assert_ptr_null(r);
    /* past exp, whatever the TTL */
    ac_introspection_entry_decode(unit_pool, buf, len, T0 + SEC(100), 3600, &r);
    ck_assert_ptr_null(r);
    /* from the future: the clock went back */
    ac_introspection_entry_decode(unit_pool, buf, len, T0 - SEC(1), 60, &r);
    ck_assert_ptr_null(r);
}
END_TEST

START_TEST(entry_never_valid_when_inactive)
{
    char *buf;
    apr_size_t len;
    json_t *r;

    /* even an entry that says so (written by another version, or forged) */
    entry("{\"active\":false,\"sub\":\"alice\"}", T0, &buf, &len);
    ac_introspection_entry_decode(unit_pool, buf, len, T0 + SEC(1), 60, &r);
    ck_assert_ptr_null(r);
}
END_TEST

START_TEST(entry_malformed)
{
    char *buf;
    apr_size_t len;
    json_t *r;
    char junk[] = "ACI1\0notatime\0{}";
    char other[] = "ACS3\0" "1\0{\"active\":true}";

    entry("{\"active\":true}", T0, &buf, &len);
    ac_introspection_entry_decode(unit_pool, buf, len - 1, T0 + SEC(1), 60, &r);
    ck_assert_ptr_null(r);
    ac_introspection_entry_decode(unit_pool, junk, sizeof(junk), T0, 60, &r);
    ck_assert_ptr_null(r);
    ac_introspection_entry_decode(unit_pool, other, sizeof(other), T0, 60, &r);
    ck_assert_ptr_null(r);
    ac_introspection_entry_decode(unit_pool, buf, 0, T0, 60, &r);
    ck_assert_ptr_null(r);
}
END_TEST

Suite *introspection_suite(void)
{
    Suite *s = suite_create("introspection");
    TCase *tc = tcase_create("introspection");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, form);
    tcase_add_test(tc, parse_answers);
    tcase_add_test(tc, check_answers);
    tcase_add_test(tc, cache_until);
    tcase_add_test(tc, entry_reuse);
    tcase_add_test(tc, entry_never_valid_when_inactive);
    tcase_add_test(tc, entry_malformed);
    suite_add_tcase(s, tc);
    return s;
}
