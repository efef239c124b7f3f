/* test_flow_record.c - the flow entry stored during a login: round trip,
 * refusals, and decoding of truncated or forged entries. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "flow_record.h"

static ac_flow_entry sample_entry(void)
{
    ac_flow_entry e;

    e.flow_id = "flowid-123";
    e.scope = "rp.example";
    e.provider = "google";
    e.fingerprint = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    e.original_url = "/app/page?x=1&y=%20#frag";
    e.redirect_uri = "https://rp.example/auth/callback";
    e.nonce = "n-0S6_WzA2Mj";
    e.code_verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    e.token_secret = "";
    e.created = APR_INT64_C(1700000000123456);
    return e;
}

static void encode(const ac_flow_entry *e, char **buf, apr_size_t *len)
{
    ck_assert_ptr_null(ac_flow_entry_encode(unit_pool, e, buf, len));
}

START_TEST(flow_entry_round_trip)
{
    ac_flow_entry e = sample_entry(), d;
    char *buf;
    apr_size_t len;

    encode(&e, &buf, &len);
    memset(&d, 0, sizeof(d));
    ck_assert_ptr_null(ac_flow_entry_decode(unit_pool, buf, len, &d));
    ck_assert_str_eq(d.flow_id, e.flow_id);
    ck_assert_str_eq(d.scope, e.scope);
    ck_assert_str_eq(d.provider, e.provider);
    ck_assert_str_eq(d.fingerprint, e.fingerprint);
    ck_assert_str_eq(d.original_url, e.original_url);
    ck_assert_str_eq(d.redirect_uri, e.redirect_uri);
    ck_assert_str_eq(d.nonce, e.nonce);
    ck_assert_str_eq(d.code_verifier, e.code_verifier);
    ck_assert_str_eq(d.token_secret, "");
    ck_assert(d.created == e.created);
}
END_TEST

START_TEST(flow_entry_null_optionals)
{
    ac_flow_entry e = sample_entry(), d;
    char *buf;
    apr_size_t len;

    e.nonce = NULL;
    e.code_verifier = NULL;
    e.token_secret = "oauth1-secret";
    encode(&e, &buf, &len);
    ck_assert_ptr_null(ac_flow_entry_decode(unit_pool, buf, len, &d));
    ck_assert_str_eq(d.nonce, "");
    ck_assert_str_eq(d.code_verifier, "");
    ck_assert_str_eq(d.token_secret, "oauth1-secret");
}
END_TEST

START_TEST(flow_entry_encode_rejects_incomplete)
{
    ac_flow_entry e = sample_entry();
    char *buf;
    apr_size_t len;

    e.flow_id = "";
    ck_assert_ptr_nonnull(ac_flow_entry_encode(unit_pool, &e, &buf, &len));
    e = sample_entry();
    e.provider = NULL;
    ck_assert_ptr_nonnull(ac_flow_entry_encode(unit_pool, &e, &buf, &len));
    e = sample_entry();
    e.scope = NULL;
    ck_assert_ptr_nonnull(ac_flow_entry_encode(unit_pool, &e, &buf, &len));
    e = sample_entry();
    e.fingerprint = NULL;
    ck_assert_ptr_nonnull(ac_flow_entry_encode(unit_pool, &e, &buf, &len));
}
END_TEST

START_TEST(flow_entry_truncated)
{
    ac_flow_entry e = sample_entry(), d;
    char *buf;
    apr_size_t len, cut;

    encode(&e, &buf, &len);
    /* Every proper prefix fails.  Each is copied to a malloc block of
     * exactly its size, so ASan and valgrind see any read past it. */
    for (cut = 0; cut < len; cut++) {
        char *copy = malloc(cut ? cut : 1);
        ac_error *err;

        memcpy(copy, buf, cut);
        err = ac_flow_entry_decode(unit_pool, copy, cut, &d);
        free(copy);
        ck_assert_msg(err != NULL, "prefix of %lu bytes of %lu decoded",
                      (unsigned long)cut, (unsigned long)len);
    }
    ck_assert_ptr_null(ac_flow_entry_decode(unit_pool, buf, len, &d));
}
END_TEST

START_TEST(flow_entry_garbage)
{
    ac_flow_entry e = sample_entry(), d;
    char *buf, *longer;
    apr_size_t len;
    char wrong_tag[] = "ACS2\0id\0sc\0p\0fp\0u\0r\0n\0v\0s\0" "1";
    /* the previous layout, without scope and fingerprint */
    char old_tag[] = "ACF1\0id\0p\0u\0r\0n\0v\0s\0" "1";
    char bad_time[] = "ACF2\0id\0sc\0p\0fp\0u\0r\0n\0v\0s\0" "12x";
    char no_id[] = "ACF2\0\0sc\0p\0fp\0u\0r\0n\0v\0s\0" "1";
    char good[] = "ACF2\0id\0sc\0p\0fp\0u\0r\0n\0v\0s\0" "1";
    ac_error *err;

    encode(&e, &buf, &len);
    /* trailing bytes after a complete entry */
    longer = apr_palloc(unit_pool, len + 2);
    memcpy(longer, buf, len);
    memcpy(longer + len, "x", 2);
    ck_assert_ptr_nonnull(ac_flow_entry_decode(unit_pool, longer, len + 2, &d));
    /* the hand-written entries differ from `good` in one respect each */
    ck_assert_ptr_null(ac_flow_entry_decode(unit_pool, good, sizeof(good), &d));
    ck_assert_str_eq(d.scope, "sc");
    ck_assert_str_eq(d.fingerprint, "fp");
    ck_assert_ptr_nonnull(ac_flow_entry_decode(unit_pool, wrong_tag,
                                               sizeof(wrong_tag), &d));
    ck_assert_ptr_nonnull(ac_flow_entry_decode(unit_pool, old_tag,
                                               sizeof(old_tag), &d));
    ck_assert_ptr_nonnull(ac_flow_entry_decode(unit_pool, bad_time,
                                               sizeof(bad_time), &d));
    err = ac_flow_entry_decode(unit_pool, no_id, sizeof(no_id), &d);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "flow_state");
    ck_assert_ptr_nonnull(ac_flow_entry_decode(unit_pool, NULL, 0, &d));
}
END_TEST

Suite *flow_record_suite(void)
{
    Suite *s = suite_create("flow_record");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, flow_entry_round_trip);
    tcase_add_test(tc, flow_entry_null_optionals);
    tcase_add_test(tc, flow_entry_encode_rejects_incomplete);
    tcase_add_test(tc, flow_entry_truncated);
    tcase_add_test(tc, flow_entry_garbage);
    suite_add_tcase(s, tc);
    return s;
}
