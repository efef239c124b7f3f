/* test_claims.c - claim flattening and the session record. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "claims.h"
#include "session_record.h"

static json_t *parse_flags(const char *text, size_t flags)
{
    json_error_t jerr;
    json_t *j = json_loads(text, flags, &jerr);

    ck_assert_msg(j != NULL, "test JSON does not parse: %s", jerr.text);
    return j;
}

static json_t *parse(const char *text)
{
    return parse_flags(text, 0);
}

static const ac_claim *must_find(const apr_array_header_t *claims,
                                 const char *path)
{
    const ac_claim *c = ac_claims_find(claims, path);

    ck_assert_msg(c != NULL, "claim %s missing", path);
    return c;
}

static void assert_scalar(const apr_array_header_t *claims, const char *path,
                          const char *value)
{
    const ac_claim *c = must_find(claims, path);

    ck_assert_msg(strcmp(c->env_value, value) == 0,
                  "%s: env value \"%s\", want \"%s\"", path, c->env_value, value);
    ck_assert_msg(c->nvalues == 1 && strcmp(c->values[0], value) == 0,
                  "%s: values wrong", path);
}

START_TEST(flatten_scalars)
{
    json_t *j = parse("{\"sub\":\"248289761001\",\"email_verified\":true,"
                      "\"admin\":false,\"big\":1234567890123456789,"
                      "\"max\":9223372036854775807,"
                      "\"min\":-9223372036854775808,"
                      "\"p53\":9007199254740993,\"half\":0.5,"
                      "\"pi\":3.14159,\"nothing\":null}");
    apr_array_header_t *c = ac_claims_flatten(unit_pool, j);

    json_decref(j);             /* the claims must not point into the JSON */
    ck_assert_int_eq(c->nelts, 10);
    ck_assert_str_eq(APR_ARRAY_IDX(c, 0, ac_claim).path, "sub");
    assert_scalar(c, "sub", "248289761001");
    assert_scalar(c, "email_verified", "true");
    assert_scalar(c, "admin", "false");
    /* integers beyond 2^53 stay exact: a double would end in ...792/...992 */
    assert_scalar(c, "big", "1234567890123456789");
    assert_scalar(c, "max", "9223372036854775807");
    assert_scalar(c, "min", "-9223372036854775808");
    assert_scalar(c, "p53", "9007199254740993");
    assert_scalar(c, "half", "0.5");
    assert_scalar(c, "pi", "3.1415899999999999");
    assert_scalar(c, "nothing", "");
    ck_assert_str_eq(must_find(c, "email_verified")->env_name, "email_verified");
}
END_TEST

START_TEST(flatten_nested_and_arrays)
{
    json_t *j = parse("{\"address\":{\"country\":\"DE\",\"geo\":{\"lat\":\"52\"}},"
                      "\"groups\":[\"a\",\"b\",\"c\"],"
                      "\"mixed\":[1,true,null,\"x\",2.5],"
                      "\"orgs\":[{\"id\":1,\"name\":\"x\"},{\"id\":2}],"
                      "\"grid\":[[1,2],[3]],"
                      "\"none\":[],\"empty\":{}}");
    apr_array_header_t *c = ac_claims_flatten(unit_pool, j);
    const ac_claim *g;

    json_decref(j);
    ck_assert_int_eq(c->nelts, 7);
    assert_scalar(c, "address.country", "DE");
    ck_assert_str_eq(must_find(c, "address.country")->env_name, "address_country");
    assert_scalar(c, "address.geo.lat", "52");
    ck_assert_str_eq(must_find(c, "address.geo.lat")->env_name, "address_geo_lat");
    ck_assert_ptr_null(ac_claims_find(c, "address"));

    g = must_find(c, "groups");
    ck_assert_str_eq(g->env_value, "a,b,c");
    ck_assert_int_eq(g->nvalues, 3);
    ck_assert_str_eq(g->values[0], "a");
    ck_assert_str_eq(g->values[1], "b");
    ck_assert_str_eq(g->values[2], "c");

    g = must_find(c, "mixed");
    ck_assert_str_eq(g->env_value, "1,true,,x,2.5");
    ck_assert_int_eq(g->nvalues, 5);
    ck_assert_str_eq(g->values[2], "");

    /* structured elements are kept as compact JSON */
    g = must_find(c, "orgs");
    ck_assert_int_eq(g->nvalues, 2);
    ck_assert_str_eq(g->values[0], "{\"id\":1,\"name\":\"x\"}");
    ck_assert_str_eq(g->values[1], "{\"id\":2}");
    ck_assert_str_eq(g->env_value, "{\"id\":1,\"name\":\"x\"},{\"id\":2}");
    ck_assert_str_eq(must_find(c, "grid")->env_value, "[1,2],[3]");

    g = must_find(c, "none");
    ck_assert_int_eq(g->nvalues, 0);
    ck_assert_str_eq(g->env_value, "");
    ck_assert_ptr_null(ac_claims_find(c, "empty"));
}
END_TEST

START_TEST(flatten_not_an_object)
{
    json_t *j = parse("[1,2]");

    ck_assert_int_eq(ac_claims_flatten(unit_pool, j)->nelts, 0);
    ck_assert_int_eq(ac_claims_flatten(unit_pool, NULL)->nelts, 0);
    json_decref(j);
}
END_TEST

START_TEST(flatten_names_sanitised)
{
    json_t *j = parse("{\"https://example.com/roles\":[\"r\"],"
                      "\"x-y z\":\"1\",\"\xc3\x9cmlaut\":\"2\",\"\":\"3\"}");
    apr_array_header_t *c = ac_claims_flatten(unit_pool, j);

    json_decref(j);
    ck_assert_str_eq(must_find(c, "https://example.com/roles")->env_name,
                     "https___example_com_roles");
    ck_assert_str_eq(must_find(c, "x-y z")->env_name, "x_y_z");
    ck_assert_str_eq(must_find(c, "\xc3\x9cmlaut")->env_name, "__mlaut");
    /* an empty name would export the bare prefix */
    ck_assert_int_eq(c->nelts, 3);
}
END_TEST

START_TEST(name_sanitise)
{
    ck_assert_str_eq(ac_claim_name_sanitise(unit_pool, "Az09_"), "Az09_");
    ck_assert_str_eq(ac_claim_name_sanitise(unit_pool, "a.b-c d$e=f"),
                     "a_b_c_d_e_f");
    ck_assert_str_eq(ac_claim_name_sanitise(unit_pool, "a\nb"), "a_b");
    ck_assert_str_eq(ac_claim_name_sanitise(unit_pool, ""), "");
}
END_TEST

START_TEST(value_clean)
{
    ck_assert_str_eq(ac_claim_value_clean(unit_pool,
                                          "a\tb\nc\rd\x1b[31me\x7f" "f\x01g"),
                     "abcd[31mefg");
    ck_assert_str_eq(ac_claim_value_clean(unit_pool, "\xc3\x9cmlaut caf\xc3\xa9"),
                     "\xc3\x9cmlaut caf\xc3\xa9");
    ck_assert_str_eq(ac_claim_value_clean(unit_pool, "\r\n"), "");
    ck_assert_str_eq(ac_claim_value_clean(unit_pool, "plain, text"), "plain, text");
}
END_TEST

START_TEST(flatten_strips_controls)
{
    /* JSON_ALLOW_NUL: a parser may let "\u0000" through */
    json_t *j = parse_flags("{\"name\":\"a\\tb\\nc\\u001bd\\u007fe\","
                            "\"nul\":\"admin\\u0000x\","
                            "\"u\":\"\xc3\x9cmlaut\","
                            "\"list\":[\"x\\ny\",\"\\u007f\"],"
                            "\"objs\":[{\"k\":\"\\u007f\\n\"}]}",
                            JSON_ALLOW_NUL);
    apr_array_header_t *c = ac_claims_flatten(unit_pool, j);
    const ac_claim *l;

    json_decref(j);
    assert_scalar(c, "name", "abcde");
    /* an embedded NUL neither truncates nor survives */
    assert_scalar(c, "nul", "adminx");
    assert_scalar(c, "u", "\xc3\x9cmlaut");
    l = must_find(c, "list");
    ck_assert_str_eq(l->env_value, "xy,");
    ck_assert_str_eq(l->values[0], "xy");
    /* JSON text escapes the newline but not DEL */
    ck_assert_str_eq(must_find(c, "objs")->env_value, "{\"k\":\"\\n\"}");
}
END_TEST

/* {"l1":{"l2":...{"lN": "leaf"}}} */
static json_t *nested(int depth)
{
    json_t *v = json_string("leaf");
    int i;

    for (i = depth; i >= 1; i--) {
        json_t *o = json_object();

        json_object_set_new(o, apr_psprintf(unit_pool, "l%d", i), v);
        v = o;
    }
    return v;
}

START_TEST(flatten_depth_limit)
{
    json_t *ok = nested(AC_CLAIMS_MAX_DEPTH);
    json_t *deep = nested(AC_CLAIMS_MAX_DEPTH + 1);
    apr_array_header_t *c;
    const ac_claim *leaf;

    c = ac_claims_flatten(unit_pool, ok);
    ck_assert_int_eq(c->nelts, 1);
    leaf = &APR_ARRAY_IDX(c, 0, ac_claim);
    ck_assert_str_eq(leaf->path, "l1.l2.l3.l4.l5.l6.l7.l8");
    ck_assert_str_eq(leaf->env_value, "leaf");

    /* one level more: the subtree is dropped, siblings stay */
    json_object_set_new(deep, "top", json_string("kept"));
    c = ac_claims_flatten(unit_pool, deep);
    ck_assert_int_eq(c->nelts, 1);
    assert_scalar(c, "top", "kept");
    json_decref(ok);
    json_decref(deep);
}
END_TEST

/* ---- session record --------------------------------------------------------- */

static ac_session_record sample_record(void)
{
    ac_session_record s;
    json_t *j = parse("{\"sub\":\"u1\",\"groups\":[\"admins\",\"users\",\"x y\"],"
                      "\"address\":{\"country\":\"DE\"},\"empty\":[],"
                      "\"nothing\":null,\"name\":\"\xc3\x9cmlaut\"}");

    s.provider = "google";
    s.remote_user = "alice@example.com";
    s.created = APR_INT64_C(1700000000000001);
    s.expires = APR_INT64_C(1700028800000002);
    s.last_seen = APR_INT64_C(1700000100000003);
    s.access_token = "ya29.token";
    s.id_token = "eyJhbGciOi.x.y";
    s.refresh_token = "";
    s.token_secret = NULL;
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
    ck_assert_str_eq(d.provider, "google");
    ck_assert_str_eq(d.remote_user, "alice@example.com");
    ck_assert(d.created == s.created);
    ck_assert(d.expires == s.expires);
    ck_assert(d.last_seen == s.last_seen);
    ck_assert_str_eq(d.access_token, "ya29.token");
    ck_assert_str_eq(d.id_token, "eyJhbGciOi.x.y");
    ck_assert_str_eq(d.refresh_token, "");
    ck_assert_str_eq(d.token_secret, "");
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
#define HDR "ACS1\0p\0u\0" "1\0" "2\0" "3\0" "at\0it\0rt\0ts\0"

START_TEST(session_record_garbage)
{
    char base[] = HDR "1\0" "path\0env\0v\0" "1\0" "v";
    char tag[] = "ACS2\0p\0u\0" "1\0" "2\0" "3\0" "at\0it\0rt\0ts\0" "0";
    char no_user[] = "ACS1\0p\0\0" "1\0" "2\0" "3\0" "at\0it\0rt\0ts\0" "0";
    char bad_time[] = "ACS1\0p\0u\0" "1x\0" "2\0" "3\0" "at\0it\0rt\0ts\0" "0";
    char neg_time[] = "ACS1\0p\0u\0" "-1\0" "2\0" "3\0" "at\0it\0rt\0ts\0" "0";
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
    REJECTS(tag);
    REJECTS(no_user);
    REJECTS(bad_time);
    REJECTS(neg_time);
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

Suite *claims_suite(void)
{
    Suite *s = suite_create("claims");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, flatten_scalars);
    tcase_add_test(tc, flatten_nested_and_arrays);
    tcase_add_test(tc, flatten_not_an_object);
    tcase_add_test(tc, flatten_names_sanitised);
    tcase_add_test(tc, name_sanitise);
    tcase_add_test(tc, value_clean);
    tcase_add_test(tc, flatten_strips_controls);
    tcase_add_test(tc, flatten_depth_limit);
    tcase_add_test(tc, session_record_round_trip);
    tcase_add_test(tc, session_record_no_claims);
    tcase_add_test(tc, session_record_encode_rejects);
    tcase_add_test(tc, session_record_truncated);
    tcase_add_test(tc, session_record_garbage);
    suite_add_tcase(s, tc);
    return s;
}
