/* test_claims.c - claim flattening, names and values. */
#include <string.h>

#include "unit.h"
#include "claims.h"

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

/* environment names are unique after flattening (tables ignore case):
 * the later claim is exported, every claim stays for Require claim */
START_TEST(flatten_shadowed_names)
{
    json_t *j = json_loads("{\"a\":{\"b\":\"1\"},\"a_b\":\"2\","
                           "\"Email\":\"x\",\"email\":\"y\"}", 0, NULL);
    apr_array_header_t *c = ac_claims_flatten(unit_pool, j);

    ck_assert_int_eq(c->nelts, 4);
    ck_assert_str_eq(ac_claims_find(c, "a.b")->env_name, "");
    ck_assert_str_eq(ac_claims_find(c, "a.b")->values[0], "1");
    ck_assert_str_eq(ac_claims_find(c, "a_b")->env_name, "a_b");
    ck_assert_str_eq(ac_claims_find(c, "Email")->env_name, "");
    ck_assert_str_eq(ac_claims_find(c, "email")->env_name, "email");
    json_decref(j);
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
    tcase_add_test(tc, flatten_shadowed_names);
    suite_add_tcase(s, tc);
    return s;
}
