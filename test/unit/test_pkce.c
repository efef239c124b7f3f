/* test_pkce.c - RFC 7636: the S256 challenge and the verifier. */
#include <string.h>

#include "unit.h"
#include "pkce.h"

static const char unreserved_b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

START_TEST(pkce_rfc7636_appendix_b)
{
    ck_assert_str_eq(ac_pkce_s256(unit_pool,
                                  "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
                     "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    /* one character changed gives another challenge */
    ck_assert_str_ne(ac_pkce_s256(unit_pool,
                                  "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK"),
                     "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    ck_assert_ptr_null(ac_pkce_s256(unit_pool, NULL));
}
END_TEST

START_TEST(pkce_verifier_shape)
{
    const char *v1, *v2;

    ck_assert_ptr_null(ac_pkce_verifier(unit_pool, &v1));
    ck_assert_ptr_null(ac_pkce_verifier(unit_pool, &v2));
    /* RFC 7636 4.1: 43..128 characters of [A-Za-z0-9-._~] */
    ck_assert_uint_eq(strlen(v1), 43);
    ck_assert_uint_eq(strspn(v1, unreserved_b64url), 43);
    ck_assert_str_ne(v1, v2);
    ck_assert_uint_eq(strlen(ac_pkce_s256(unit_pool, v1)), 43);
}
END_TEST

Suite *pkce_suite(void)
{
    Suite *s = suite_create("pkce");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, pkce_rfc7636_appendix_b);
    tcase_add_test(tc, pkce_verifier_shape);
    suite_add_tcase(s, tc);
    return s;
}
