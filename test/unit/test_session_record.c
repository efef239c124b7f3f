/* test_session_record.c - the session as stored in the cache: round trip,
 * refusals, and decoding of truncated or forged records. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "session_record.h"

static json_t *parse(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);

    ck_assert_msg(j != NULL, "test JSON does not parse: %s", jerr.text);
    return j;
}

static const ac_claim *must_find(const apr_array_header_t *claims,
                                 const char *path)
{
    const ac_claim *c = ac_claims_find(claims, path);

    ck_assert_msg(c != NULL, "claim %s missing", path);
    return c;
}

static ac_session_record sample_record(void)
{
    ac_session_record s;
    json_t *j = parse("{\"sub\":\"u1\",\"groups\":[\"admins\",\"users\",\"x y\"],"
                      "\"address\":{\"country\":\"DE\"},\"empty\":[],"
                      "\"nothing\":null,\"name\":\"\xc3\x9cmlaut\"}");

    s.scope = "rp.example";
    s.provider = "google";
    s.fingerprint = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    s.remote_user = "alice@example.com";
    s.created = APR_INT64_C(1700000000000001);
    s.expires = APR_INT64_C(1700028800000002);
    s.last_seen = APR_INT64_C(1700000100000003);
    s.access_expires = 4;
    s.claims = ac_claims_flatten(unit_pool, j);
    json_decref(j);
    return s;
}

static void assert_claims_equal(const apr_array_header_t *a,
                                const apr_array_header_t *b)
{
    int i, k;

    ck_assert_int_eq(a->nelts, b->nelts);
    for (i = 0; i < a->nelts; i++) {
        const ac_claim *x = &APR_ARRAY_IDX(a, i, ac_claim);
        const ac_claim *y = &APR_ARRAY_IDX(b, i, ac_claim);

        ck_assert_str_eq(x->path, y->path);
        ck_assert_str_eq(x->env_name, y->env_name);
        ck_assert_str_eq(x->env_value, y->env_value);
        ck_assert_int_eq(x->nvalues, y->nvalues);
        for (k = 0; k < x->nvalues; k++) {
            ck_assert_str_eq(x->values[k], y->values[k]);
        }
    }
}

START_TEST(session_record_round_trip)
{
    ac_session_record s = sample_record(), d;
    const ac_claim *g;
    char *buf;
    apr_size_t len;

    ck_assert_ptr_null(ac_session_record_encode(unit_pool, &s, &buf, &len));
    memset(&d, 0, sizeof(d));
    ck_assert_ptr_null(ac_session_record_decode(unit_pool, buf, len, &d));
    ck_assert_str_eq(d.scope, "rp.example");
    ck_assert_str_eq(d.provider, "google");
    ck_assert_str_eq(d.fingerprint, "0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    ck_assert_str_eq(d.remote_user, "alice@example.com");
    ck_assert(d.created == s.created);
    ck_assert(d.expires == s.expires);
    ck_assert(d.last_seen == s.last_seen);
    ck_assert_int_eq(d.access_expires, 4);
    assert_claims_equal(s.claims, d.claims);
    g = must_find(d.claims, "groups");
    ck_assert_int_eq(g->nvalues, 3);
    ck_assert_str_eq(g->values[1], "users");
    ck_assert_str_eq(g->env_value, "admins,users,x y");
    /* decoding works in place: the strings live in the buffer */
    ck_assert(d.remote_user >= buf && d.remote_user < buf + len);
}
END_TEST

START_TEST(session_record_no_claims)
{
    ac_session_record s = sample_record(), d;
    char *buf;
    apr_size_t len;

    s.claims = NULL;
    ck_assert_ptr_null(ac_session_record_encode(unit_pool, &s, &buf, &len));
    ck_assert_ptr_null(ac_session_record_decode(unit_pool, buf, len, &d));
    ck_assert_ptr_nonnull(d.claims);
    ck_assert_int_eq(d.claims->nelts, 0);
}
END_TEST

START_TEST(session_record_encode_rejects)
{
    ac_session_record s = sample_record();
    ac_claim *c;
    char *buf;
    apr_size_t len;

    s.remote_user = "";
    ck_assert_ptr_nonnull(ac_session_record_encode(unit_pool, &s, &buf, &len));
    s = sample_record();
    s.provider = NULL;
    ck_assert_ptr_nonnull(ac_session_record_encode(unit_pool, &s, &buf, &len));
    s = sample_record();
    s.scope = NULL;
    ck_assert_ptr_nonnull(ac_session_record_encode(unit_pool, &s, &buf, &len));
    s = sample_record();
    s.fingerprint = NULL;
    ck_assert_ptr_nonnull(ac_session_record_encode(unit_pool, &s, &buf, &len));
    s = sample_record();
    s.expires = -1;
    ck_assert_ptr_nonnull(ac_session_record_encode(unit_pool, &s, &buf, &len));
    s = sample_record();
    c = &APR_ARRAY_IDX(s.claims, 1, ac_claim);
    c->values = NULL;
    ck_assert_ptr_nonnull(ac_session_record_encode(unit_pool, &s, &buf, &len));
}
END_TEST

START_TEST(session_record_truncated)
{
    ac_session_record s = sample_record(), d;
    char *buf;
    apr_size_t len, cut;

    ck_assert_ptr_null(ac_session_record_encode(unit_pool, &s, &buf, &len));
    /* every proper prefix, in a malloc block of exactly its size so that
     * ASan and valgrind see any read past the end */
    for (cut = 0; cut < len; cut++) {
        char *copy = malloc(cut ? cut : 1);
        ac_error *err;

        memcpy(copy, buf, cut);
        err = ac_session_record_decode(unit_pool, copy, cut, &d);
        free(copy);
        ck_assert_msg(err != NULL, "prefix of %lu of %lu bytes decoded",
                      (unsigned long)cut, (unsigned long)len);
        ck_assert_str_eq(err->code, "session_record");
    }
}
END_TEST

/* Hand-made records: `base` decodes, each other one breaks one rule. */
#define HDR "ACS3\0sc\0p\0fp\0u\0" "1\0" "2\0" "3\0" "4\0"

START_TEST(session_record_garbage)
{
    char base[] = HDR "1\0" "path\0env\0v\0" "1\0" "v";
    /* the previous layout, with the tokens in the record */
    char old_tag[] = "ACS2\0sc\0p\0fp\0u\0" "1\0" "2\0" "3\0" "at\0it\0rt\0ts\0" "0";
    char tag[] = "ACS4\0sc\0p\0fp\0u\0" "1\0" "2\0" "3\0" "4\0" "0";
    char no_user[] = "ACS3\0sc\0p\0fp\0\0" "1\0" "2\0" "3\0" "4\0" "0";
    char bad_time[] = "ACS3\0sc\0p\0fp\0u\0" "1x\0" "2\0" "3\0" "4\0" "0";
    char neg_time[] = "ACS3\0sc\0p\0fp\0u\0" "-1\0" "2\0" "3\0" "4\0" "0";
    char neg_expiry[] = "ACS3\0sc\0p\0fp\0u\0" "1\0" "2\0" "3\0" "-4\0" "0";
    char huge_claims[] = HDR "99999999\0" "path\0env\0v\0" "1\0" "v";
    char signed_count[] = HDR "+1\0" "path\0env\0v\0" "1\0" "v";
    char huge_values[] = HDR "1\0" "path\0env\0v\0" "4000000000\0" "v";
    char few_values[] = HDR "1\0" "path\0env\0v\0" "2\0" "v";
    char trailing[] = HDR "1\0" "path\0env\0v\0" "1\0" "v\0" "x";
    char empty_count[] = HDR "\0" "path\0env\0v\0" "1\0" "v";
    ac_session_record d;

#define REJECTS(b) ck_assert_msg(ac_session_record_decode(unit_pool, b, \
                                                          sizeof(b), &d) != NULL, \
                                 #b " decoded")
    ck_assert_ptr_null(ac_session_record_decode(unit_pool, base, sizeof(base), &d));
    ck_assert_str_eq(APR_ARRAY_IDX(d.claims, 0, ac_claim).values[0], "v");
    ck_assert_str_eq(d.scope, "sc");
    ck_assert_str_eq(d.fingerprint, "fp");
    REJECTS(old_tag);
    REJECTS(tag);
    REJECTS(no_user);
    REJECTS(bad_time);
    REJECTS(neg_time);
    REJECTS(neg_expiry);
    REJECTS(huge_claims);
    REJECTS(signed_count);
    REJECTS(huge_values);
    REJECTS(few_values);
    REJECTS(trailing);
    REJECTS(empty_count);
#undef REJECTS
    ck_assert_ptr_nonnull(ac_session_record_decode(unit_pool, NULL, 0, &d));
    /* no terminating NUL at all */
    ck_assert_ptr_nonnull(ac_session_record_decode(unit_pool, base,
                                                   sizeof(base) - 1, &d));
}
END_TEST

Suite *session_record_suite(void)
{
    Suite *s = suite_create("session_record");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, session_record_round_trip);
    tcase_add_test(tc, session_record_no_claims);
    tcase_add_test(tc, session_record_encode_rejects);
    tcase_add_test(tc, session_record_truncated);
    tcase_add_test(tc, session_record_garbage);
    suite_add_tcase(s, tc);
    return s;
}
