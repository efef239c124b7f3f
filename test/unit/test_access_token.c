/*
 * test_access_token.c - JWT access tokens (RFC 9068 4) as a resource server
 * checks them: one passing token, then each check broken on its own with
 * the exact error code asserted, so that removing a check from
 * access_token.c (or the signature rules it takes from jose.c) fails its
 * test instead of being caught by a later one.  Also the scope rules and
 * the claim checks shared with introspection answers.
 */
#include <string.h>

#include <cjose/cjose.h>
#include <jansson.h>

#include "access_token.h"
#include "claims.h"
#include "unit.h"

#define ISS "https://idp.example"
#define AUD "https://api.example/"
#define NOW 1700000000
#define SKEW 60

static cjose_jwk_t *rsa_key;        /* published in the JWKS */
static cjose_jwk_t *other_key;      /* not published */
static cjose_jwk_t *ec_key;         /* published */
static char *jwks;

static json_t *public_jwk(const cjose_jwk_t *key)
{
    cjose_err cerr;
    char *text = cjose_jwk_to_json(key, false, &cerr);
    json_t *j;

    ck_assert_ptr_nonnull(text);
    j = json_loads(text, 0, NULL);
    cjose_get_dealloc()(text);
    ck_assert_ptr_nonnull(j);
    return j;
}

static void keys_setup(void)
{
    cjose_err cerr;
    json_t *set;

    rsa_key = cjose_jwk_create_RSA_random(2048, NULL, 0, &cerr);
    other_key = cjose_jwk_create_RSA_random(2048, NULL, 0, &cerr);
    ec_key = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &cerr);
    ck_assert_ptr_nonnull(rsa_key);
    ck_assert_ptr_nonnull(other_key);
    ck_assert_ptr_nonnull(ec_key);
    cjose_jwk_set_kid(rsa_key, "rsa-1", 5, &cerr);
    cjose_jwk_set_kid(other_key, "rsa-1", 5, &cerr);   /* same kid, other key */
    cjose_jwk_set_kid(ec_key, "ec-1", 4, &cerr);
    set = json_pack("{s:[o,o]}", "keys", public_jwk(rsa_key), public_jwk(ec_key));
    jwks = json_dumps(set, JSON_COMPACT);
    json_decref(set);
}

static void keys_teardown(void)
{
    cjose_jwk_release(rsa_key);
    cjose_jwk_release(other_key);
    cjose_jwk_release(ec_key);
    free(jwks);
    rsa_key = other_key = ec_key = NULL;
    jwks = NULL;
}

/* ---- tokens ------------------------------------------------------------------ */

static json_t *claims_base(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s}",
                     "iss", ISS, "sub", "alice", "aud", AUD,
                     "client_id", "app-1",
                     "exp", (json_int_t)(NOW + 300), "iat", (json_int_t)NOW,
                     "jti", "j-1", "scope", "api:read api:write");
}

/* A JWS over `claims` (reference taken) with header alg/kid/typ (typ NULL:
 * none) plus `extra` header members (reference taken, may be NULL). */
static const char *sign(const cjose_jwk_t *key, const char *alg, const char *kid,
                        const char *typ, json_t *extra, json_t *claims)
{
    cjose_err cerr;
    cjose_header_t *h = cjose_header_new(&cerr);
    char *payload = json_dumps(claims, JSON_COMPACT);
    const char *ser = NULL, *out;
    cjose_jws_t *jws;

    cjose_header_set(h, CJOSE_HDR_ALG, alg, &cerr);
    if (kid != NULL) {
        cjose_header_set(h, CJOSE_HDR_KID, kid, &cerr);
    }
    if (typ != NULL) {
        cjose_header_set(h, "typ", typ, &cerr);
    }
    if (extra != NULL) {
        json_object_update((json_t *)h, extra);
        json_decref(extra);
    }
    jws = cjose_jws_sign(key, h, (const uint8_t *)payload, strlen(payload), &cerr);
    ck_assert_msg(jws != NULL, "cjose_jws_sign: %s", cerr.message);
    ck_assert(cjose_jws_export(jws, &ser, &cerr));
    out = apr_pstrdup(unit_pool, ser);
    cjose_jws_release(jws);
    cjose_header_release(h);
    free(payload);
    json_decref(claims);
    return out;
}

static const char *rs256(json_t *claims)
{
    return sign(rsa_key, "RS256", "rsa-1", "at+jwt", NULL, claims);
}

static const char *b64url_json(const char *text)
{
    return ac_b64url_encode(unit_pool, (const unsigned char *)text, strlen(text));
}

static ac_access_token_expect expect_base(void)
{
    ac_access_token_expect e;

    memset(&e, 0, sizeof(e));
    e.issuer = ISS;
    e.audience = AUD;
    e.now = apr_time_from_sec(NOW);
    e.clock_skew = SKEW;
    return e;
}

/* validate `jwt` and assert the error code ("" for success) */
static void expect_code(const char *jwt, const ac_access_token_expect *e,
                        const char *code)
{
    json_t *claims = NULL;
    ac_error *err = ac_access_token_validate(unit_pool, jwt, jwks, e, &claims);

    if (*code == '\0') {
        ck_assert_msg(err == NULL, "expected success, got %s: %s",
                      err ? err->code : "", err ? err->message : "");
        ck_assert_ptr_nonnull(claims);
        ck_assert_str_eq(json_string_value(json_object_get(claims, "sub")), "alice");
    }
    else {
        ck_assert_msg(err != NULL, "expected %s, got success", code);
        ck_assert_msg(strcmp(err->code, code) == 0, "expected %s, got %s: %s",
                      code, err->code, err->message);
        ck_assert_ptr_null(claims);
    }
}

static json_t *with(json_t *c, const char *name, json_t *v)
{
    json_object_set_new(c, name, v);
    return c;
}

static json_t *without(json_t *c, const char *name)
{
    json_object_del(c, name);
    return c;
}

/* ---- the passing token and the shape ----------------------------------------- */

START_TEST(good_token)
{
    ac_access_token_expect e = expect_base();

    expect_code(rs256(claims_base()), &e, "");
    /* an EC key of the JWKS by its kid */
    expect_code(sign(ec_key, "ES256", "ec-1", "at+jwt", NULL, claims_base()), &e, "");
}
END_TEST

START_TEST(is_jwt)
{
    const char *hdr_no_alg = apr_pstrcat(unit_pool, b64url_json("{\"typ\":\"at+jwt\"}"),
                                         ".e30.c2ln", NULL);

    ck_assert_int_eq(ac_access_token_is_jwt(unit_pool, rs256(claims_base())), 1);
    ck_assert_int_eq(ac_access_token_is_jwt(unit_pool, "2YotnFZFEjr1zCsicMWpAA"), 0);
    ck_assert_int_eq(ac_access_token_is_jwt(unit_pool, "a.b.c"), 0);
    ck_assert_int_eq(ac_access_token_is_jwt(unit_pool, "a.b.c.d.e"), 0);
    ck_assert_int_eq(ac_access_token_is_jwt(unit_pool, hdr_no_alg), 0);
}
END_TEST

/* ---- signature and header ------------------------------------------------------- */

START_TEST(alg_none_refused)
{
    ac_access_token_expect e = expect_base();
    json_t *claims = claims_base();
    char *payload = json_dumps(claims, JSON_COMPACT);
    const char *jwt = apr_pstrcat(unit_pool,
                                  b64url_json("{\"alg\":\"none\",\"typ\":\"at+jwt\"}"),
                                  ".", b64url_json(payload), ".", NULL);
    apr_array_header_t *algs = apr_array_make(unit_pool, 1, sizeof(const char *));

    free(payload);
    json_decref(claims);
    expect_code(jwt, &e, "bearer_alg");
    /* not even when the configuration lists it */
    APR_ARRAY_PUSH(algs, const char *) = "none";
    e.allowed_algs = algs;
    expect_code(jwt, &e, "bearer_alg");
}
END_TEST

START_TEST(hmac_refused_even_when_listed)
{
    ac_access_token_expect e = expect_base();
    apr_array_header_t *algs = apr_array_make(unit_pool, 2, sizeof(const char *));
    const char *secret = "a shared secret of at least thirty-two bytes";
    cjose_err cerr;
    cjose_jwk_t *oct = cjose_jwk_create_oct_spec((const uint8_t *)secret,
                                                 strlen(secret), &cerr);
    const char *jwt = sign(oct, "HS256", NULL, "at+jwt", NULL, claims_base());

    cjose_jwk_release(oct);
    APR_ARRAY_PUSH(algs, const char *) = "HS256";
    APR_ARRAY_PUSH(algs, const char *) = "RS256";
    e.allowed_algs = algs;
    expect_code(jwt, &e, "bearer_alg");
    /* the same list still lets RS256 through */
    expect_code(rs256(claims_base()), &e, "");
}
END_TEST

START_TEST(alg_outside_allow_list)
{
    ac_access_token_expect e = expect_base();
    apr_array_header_t *algs = apr_array_make(unit_pool, 1, sizeof(const char *));

    APR_ARRAY_PUSH(algs, const char *) = "RS256";
    e.allowed_algs = algs;
    expect_code(sign(ec_key, "ES256", "ec-1", "at+jwt", NULL, claims_base()), &e,
                "bearer_alg");
}
END_TEST

START_TEST(key_in_header_refused)
{
    ac_access_token_expect e = expect_base();
    json_t *extra = json_pack("{s:o}", "jwk", public_jwk(other_key));

    expect_code(sign(other_key, "RS256", "rsa-1", "at+jwt", extra, claims_base()),
                &e, "bearer_header");
}
END_TEST

START_TEST(signature_must_verify)
{
    ac_access_token_expect e = expect_base();

    /* the published kid, signed with another key */
    expect_code(sign(other_key, "RS256", "rsa-1", "at+jwt", NULL, claims_base()),
                &e, "bearer_signature");
}
END_TEST

START_TEST(unknown_kid)
{
    ac_access_token_expect e = expect_base();

    expect_code(sign(rsa_key, "RS256", "rotated", "at+jwt", NULL, claims_base()),
                &e, "jwks_kid_unknown");
}
END_TEST

START_TEST(malformed)
{
    ac_access_token_expect e = expect_base();

    expect_code("e30!.e30.c2ln", &e, "bearer_token_malformed");
    expect_code(apr_pstrcat(unit_pool, b64url_json("[1]"), ".e30.c2ln", NULL), &e,
                "bearer_token_malformed");
    expect_code("only.two", &e, "bearer_token_malformed");
}
END_TEST

/* ---- typ ---------------------------------------------------------------------------- */

START_TEST(typ_required)
{
    ac_access_token_expect e = expect_base();

    expect_code(sign(rsa_key, "RS256", "rsa-1", NULL, NULL, claims_base()), &e,
                "bearer_typ");
    /* an ID token, or any other JWT of the issuer */
    expect_code(sign(rsa_key, "RS256", "rsa-1", "JWT", NULL, claims_base()), &e,
                "bearer_typ");
    expect_code(sign(rsa_key, "RS256", "rsa-1", "logout+jwt", NULL, claims_base()),
                &e, "bearer_typ");
}
END_TEST

START_TEST(typ_forms)
{
    ac_access_token_expect e = expect_base();
    apr_array_header_t *types = apr_array_make(unit_pool, 1, sizeof(const char *));

    expect_code(sign(rsa_key, "RS256", "rsa-1", "application/at+jwt", NULL,
                     claims_base()), &e, "");
    expect_code(sign(rsa_key, "RS256", "rsa-1", "AT+JWT", NULL, claims_base()), &e, "");
    /* a configured exception replaces the default */
    APR_ARRAY_PUSH(types, const char *) = "JWT";
    e.jwt_types = types;
    expect_code(sign(rsa_key, "RS256", "rsa-1", "JWT", NULL, claims_base()), &e, "");
    expect_code(rs256(claims_base()), &e, "bearer_typ");
}
END_TEST

/* ---- claims ------------------------------------------------------------------------- */

START_TEST(iss_exact)
{
    ac_access_token_expect e = expect_base();

    expect_code(rs256(with(claims_base(), "iss", json_string("https://evil.example"))),
                &e, "bearer_iss");
    expect_code(rs256(with(claims_base(), "iss", json_string(ISS "/"))), &e,
                "bearer_iss");
    expect_code(rs256(without(claims_base(), "iss")), &e, "bearer_iss");
    e.issuer = NULL;
    expect_code(rs256(claims_base()), &e, "bearer_config");
}
END_TEST

START_TEST(aud_required)
{
    ac_access_token_expect e = expect_base();

    expect_code(rs256(with(claims_base(), "aud", json_string("https://other.example/"))),
                &e, "bearer_aud");
    expect_code(rs256(without(claims_base(), "aud")), &e, "bearer_aud");
    expect_code(rs256(with(claims_base(), "aud",
                           json_pack("[s,s]", "https://other.example/", AUD))), &e, "");
    expect_code(rs256(with(claims_base(), "aud", json_pack("[s]", "x"))), &e,
                "bearer_aud");
    /* no audience configured accepts nothing */
    e.audience = NULL;
    expect_code(rs256(claims_base()), &e, "bearer_config");
    e.audience = "";
    expect_code(rs256(claims_base()), &e, "bearer_config");
}
END_TEST

START_TEST(exp_required)
{
    ac_access_token_expect e = expect_base();

    expect_code(rs256(without(claims_base(), "exp")), &e, "bearer_exp");
    expect_code(rs256(with(claims_base(), "exp", json_string("2000000000"))), &e,
                "bearer_exp");
    expect_code(rs256(with(claims_base(), "exp", json_integer(NOW - SKEW - 1))), &e,
                "bearer_exp");
    /* within the skew */
    expect_code(rs256(with(claims_base(), "exp", json_integer(NOW - SKEW + 5))), &e, "");
}
END_TEST

START_TEST(nbf_with_skew)
{
    ac_access_token_expect e = expect_base();

    expect_code(rs256(with(claims_base(), "nbf", json_integer(NOW + SKEW + 10))), &e,
                "bearer_nbf");
    expect_code(rs256(with(claims_base(), "nbf", json_string("soon"))), &e,
                "bearer_nbf");
    expect_code(rs256(with(claims_base(), "nbf", json_integer(NOW + SKEW - 10))), &e, "");
}
END_TEST

START_TEST(iat_with_skew)
{
    ac_access_token_expect e = expect_base();

    expect_code(rs256(with(claims_base(), "iat", json_integer(NOW + SKEW + 10))), &e,
                "bearer_iat");
    expect_code(rs256(with(claims_base(), "iat", json_integer(NOW + SKEW - 10))), &e, "");
    /* iat is optional here (exp bounds the life) */
    expect_code(rs256(without(claims_base(), "iat")), &e, "");
}
END_TEST

START_TEST(claims_for_introspection)
{
    ac_access_token_expect e = expect_base();
    json_t *c = json_pack("{s:b, s:s}", "active", 1, "aud", AUD);
    ac_error *err;

    ac_json_pool_own(unit_pool, c);
    e.issuer = NULL;        /* the introspection answer's iss is checked apart */
    ck_assert_ptr_null(ac_access_token_check_claims(unit_pool, c, &e, 0));
    err = ac_access_token_check_claims(unit_pool, c, &e, 1);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "bearer_exp");
    json_object_set_new(c, "aud", json_string("else"));
    err = ac_access_token_check_claims(unit_pool, c, &e, 0);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "bearer_aud");
}
END_TEST

START_TEST(expiry)
{
    json_t *c = json_pack("{s:I}", "exp", (json_int_t)NOW);

    ck_assert(ac_access_token_expiry(c) == apr_time_from_sec(NOW));
    json_object_set_new(c, "exp", json_string("1"));
    ck_assert(ac_access_token_expiry(c) == 0);
    json_object_set_new(c, "exp", json_real(1e300));
    ck_assert(ac_access_token_expiry(c) == 0);
    json_decref(c);
}
END_TEST

/* ---- scopes ------------------------------------------------------------------------- */

static apr_array_header_t *flat(const char *json)
{
    json_t *j = json_loads(json, 0, NULL);
    apr_array_header_t *c;

    ck_assert_ptr_nonnull(j);
    c = ac_claims_flatten(unit_pool, j);
    json_decref(j);
    return c;
}

static apr_array_header_t *words(const char *a, const char *b)
{
    apr_array_header_t *w = apr_array_make(unit_pool, 2, sizeof(const char *));

    APR_ARRAY_PUSH(w, const char *) = a;
    if (b != NULL) {
        APR_ARRAY_PUSH(w, const char *) = b;
    }
    return w;
}

START_TEST(scopes)
{
    apr_array_header_t *c = flat("{\"scope\":\"openid  api:read api:write\"}");

    ck_assert_ptr_null(ac_access_token_missing_scope(c, NULL));
    ck_assert_ptr_null(ac_access_token_missing_scope(c, words("api:read", "api:write")));
    ck_assert_str_eq(ac_access_token_missing_scope(c, words("api:read", "admin")),
                     "admin");
    /* whole words only */
    ck_assert_str_eq(ac_access_token_missing_scope(c, words("api:rea", NULL)), "api:rea");
    ck_assert_str_eq(ac_access_token_missing_scope(c, words("read", NULL)), "read");
    /* no grant at all */
    ck_assert_str_eq(ac_access_token_missing_scope(flat("{\"sub\":\"a\"}"),
                                                   words("api:read", NULL)),
                     "api:read");
    /* scp as an array (Okta) or a string (Entra) */
    ck_assert_ptr_null(ac_access_token_missing_scope(flat("{\"scp\":[\"a\",\"b\"]}"),
                                                     words("a", "b")));
    ck_assert_ptr_null(ac_access_token_missing_scope(flat("{\"scp\":\"a b\"}"),
                                                     words("b", NULL)));
    /* scope wins over scp */
    ck_assert_str_eq(ac_access_token_missing_scope(flat("{\"scope\":\"a\",\"scp\":\"b\"}"),
                                                   words("b", NULL)), "b");
}
END_TEST

Suite *access_token_suite(void)
{
    Suite *s = suite_create("access_token");
    TCase *tc = tcase_create("access_token");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, good_token);
    tcase_add_test(tc, is_jwt);
    tcase_add_test(tc, alg_none_refused);
    tcase_add_test(tc, hmac_refused_even_when_listed);
    tcase_add_test(tc, alg_outside_allow_list);
    tcase_add_test(tc, key_in_header_refused);
    tcase_add_test(tc, signature_must_verify);
    tcase_add_test(tc, unknown_kid);
    tcase_add_test(tc, malformed);
    tcase_add_test(tc, typ_required);
    tcase_add_test(tc, typ_forms);
    tcase_add_test(tc, iss_exact);
    tcase_add_test(tc, aud_required);
    tcase_add_test(tc, exp_required);
    tcase_add_test(tc, nbf_with_skew);
    tcase_add_test(tc, iat_with_skew);
    tcase_add_test(tc, claims_for_introspection);
    tcase_add_test(tc, expiry);
    tcase_add_test(tc, scopes);
    suite_add_tcase(s, tc);
    return s;
}
