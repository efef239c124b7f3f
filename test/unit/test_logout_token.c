/*
 * test_logout_token.c - Back-Channel Logout tokens: one valid token, then
 * every check of logout_token.c (and the signature rules it takes from
 * jose.c) broken on its own, each asserting its exact error code, so that
 * removing a check makes its own test fail.
 *
 * Keys are generated once per test case with cjose; the JWKS holds only
 * the public half of the RSA key.
 */
#include <string.h>

#include <cjose/cjose.h>
#include <jansson.h>

#include "logout_token.h"
#include "unit.h"
#include "util.h"

#define ISS "https://op.example"
#define CLIENT "rp-1"
#define SECRET "a client secret of at least thirty-two bytes!"
#define NOW 1700000000
#define SKEW 60
#define MAX_AGE 600
#define EVENT AC_BACKCHANNEL_LOGOUT_EVENT

static cjose_jwk_t *key;            /* the provider's, in the JWKS */
static cjose_jwk_t *other;          /* an attacker's, not in it */
static char *jwks;

static void keys_setup(void)
{
    cjose_err cerr;
    char *pub;
    json_t *set;

    key = cjose_jwk_create_RSA_random(2048, NULL, 0, &cerr);
    other = cjose_jwk_create_RSA_random(2048, NULL, 0, &cerr);
    ck_assert_ptr_nonnull(key);
    ck_assert_ptr_nonnull(other);
    cjose_jwk_set_kid(key, "op-1", 4, &cerr);
    cjose_jwk_set_kid(other, "op-1", 4, &cerr);
    pub = cjose_jwk_to_json(key, false, &cerr);
    set = json_pack("{s:[o]}", "keys", json_loads(pub, 0, NULL));
    cjose_get_dealloc()(pub);
    jwks = json_dumps(set, JSON_COMPACT);
    json_decref(set);
}

static void keys_teardown(void)
{
    cjose_jwk_release(key);
    cjose_jwk_release(other);
    free(jwks);
    key = other = NULL;
    jwks = NULL;
}

/* ---- tokens ------------------------------------------------------------- */

static json_t *claims_base(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:{s:{}}}",
                     "iss", ISS, "aud", CLIENT, "sub", "alice",
                     "sid", "sid-1", "iat", (json_int_t)NOW,
                     "exp", (json_int_t)(NOW + 120), "jti", "jti-1",
                     "events", EVENT);
}

/* Signs `claims` (reference taken) with `k` and the header fields given
 * as JSON text (alg at least). */
static const char *sign_with(const cjose_jwk_t *k, const char *header,
                             json_t *claims)
{
    cjose_err cerr;
    json_t *h = json_loads(header, 0, NULL);
    char *payload = json_dumps(claims, JSON_COMPACT);
    cjose_jws_t *jws;
    const char *ser = NULL, *out;

    ck_assert_ptr_nonnull(h);
    jws = cjose_jws_sign(k, (cjose_header_t *)h, (const uint8_t *)payload,
                         strlen(payload), &cerr);
    ck_assert_msg(jws != NULL, "cjose_jws_sign: %s", cerr.message);
    ck_assert(cjose_jws_export(jws, &ser, &cerr));
    out = apr_pstrdup(unit_pool, ser);
    cjose_jws_release(jws);
    json_decref(h);
    json_decref(claims);
    free(payload);
    return out;
}

static const char *sign(json_t *claims)
{
    return sign_with(key, "{\"alg\":\"RS256\",\"kid\":\"op-1\",\"typ\":\"logout+jwt\"}",
                     claims);
}

static json_t *without(const char *name)
{
    json_t *c = claims_base();

    json_object_del(c, name);
    return c;
}

static json_t *with(const char *name, json_t *value)
{
    json_t *c = claims_base();

    json_object_set_new(c, name, value);
    return c;
}

static const char *b64(const char *s)
{
    return ac_b64url_encode(unit_pool, (const unsigned char *)s, strlen(s));
}

static ac_logout_expect expect_base(void)
{
    ac_logout_expect e;

    memset(&e, 0, sizeof(e));
    e.issuer = ISS;
    e.client_id = CLIENT;
    e.now = apr_time_from_sec(NOW);
    e.clock_skew = SKEW;
    e.iat_max_age = MAX_AGE;
    return e;
}

static ac_logout_claims accepts_as(const char *jwt, const ac_logout_expect *e)
{
    ac_logout_claims out;
    ac_error *err = ac_logout_token_validate(unit_pool, jwt, jwks, e, &out);

    ck_assert_msg(err == NULL, "refused: %s: %s", err ? err->code : "",
                  err ? err->message : "");
    return out;
}

static ac_logout_claims accepts(const char *jwt)
{
    ac_logout_expect e = expect_base();

    return accepts_as(jwt, &e);
}

static void refuses_as(const char *jwt, const ac_logout_expect *e,
                       const char *code)
{
    ac_logout_claims out;
    ac_error *err = ac_logout_token_validate(unit_pool, jwt, jwks, e, &out);

    ck_assert_msg(err != NULL, "accepted, expected %s", code);
    ck_assert_msg(strcmp(err->code, code) == 0, "got %s (%s), expected %s",
                  err->code, err->message, code);
    ck_assert_ptr_null(out.jti);
}

static void refuses(const char *jwt, const char *code)
{
    ac_logout_expect e = expect_base();

    refuses_as(jwt, &e, code);
}

/* ---- accepted ------------------------------------------------------------ */

START_TEST(valid_token)
{
    ac_logout_claims c = accepts(sign(claims_base()));

    ck_assert_str_eq(c.sid, "sid-1");
    ck_assert_str_eq(c.sub, "alice");
    ck_assert_str_eq(c.jti, "jti-1");
    /* refused from exp + skew on: the replay record must last that long */
    ck_assert(c.until >= apr_time_from_sec(NOW + 120 + SKEW));
    ck_assert(c.until <= apr_time_from_sec(NOW + 120 + SKEW + 1));
}
END_TEST

START_TEST(valid_variants)
{
    ac_logout_claims c;

    /* sid alone, sub alone */
    c = accepts(sign(without("sub")));
    ck_assert_ptr_null(c.sub);
    ck_assert_str_eq(c.sid, "sid-1");
    c = accepts(sign(without("sid")));
    ck_assert_ptr_null(c.sid);
    ck_assert_str_eq(c.sub, "alice");
    /* aud as an array with us in it */
    accepts(sign(with("aud", json_pack("[s,s]", "other", CLIENT))));
    /* without exp (the 1.0 text does not require it): until from iat */
    c = accepts(sign(without("exp")));
    ck_assert(c.until >= apr_time_from_sec(NOW + MAX_AGE + SKEW));
    /* typ JWT, application/logout+jwt, or none */
    accepts(sign_with(key, "{\"alg\":\"RS256\",\"kid\":\"op-1\",\"typ\":\"JWT\"}",
                      claims_base()));
    accepts(sign_with(key, "{\"alg\":\"RS256\",\"kid\":\"op-1\","
                      "\"typ\":\"application/logout+jwt\"}", claims_base()));
    accepts(sign_with(key, "{\"alg\":\"RS256\",\"kid\":\"op-1\"}", claims_base()));
    /* an event value of another member is ignored */
    accepts(sign(with("events", json_pack("{s:{},s:{}}", EVENT, "urn:x"))));
}
END_TEST

/* ---- the signature (jose.c's rules) -------------------------------------- */

START_TEST(signature_checks)
{
    const char *good = sign(claims_base());
    const char *payload = strchr(good, '.') + 1;
    const char *none;
    char *flipped = apr_pstrdup(unit_pool, good);
    ac_logout_expect e = expect_base();
    apr_array_header_t *hs;

    /* alg none, with an empty signature */
    none = apr_pstrcat(unit_pool, b64("{\"alg\":\"none\"}"), ".",
                       apr_pstrndup(unit_pool, payload, strchr(payload, '.') - payload),
                       ".", NULL);
    refuses(none, "logout_token_alg");
    /* the attacker's key under the provider's kid */
    refuses(sign_with(other, "{\"alg\":\"RS256\",\"kid\":\"op-1\"}", claims_base()),
            "logout_token_signature");
    /* one bit of the signature */
    flipped[strlen(flipped) - 5] = flipped[strlen(flipped) - 5] == 'A' ? 'B' : 'A';
    refuses(flipped, "logout_token_signature");
    /* a key offered in the header */
    refuses(sign_with(key, "{\"alg\":\"RS256\",\"kid\":\"op-1\",\"jwk\":{}}",
                      claims_base()), "logout_token_header");
    /* an unknown kid: the caller may refetch the JWKS */
    refuses(sign_with(key, "{\"alg\":\"RS256\",\"kid\":\"rotated\"}", claims_base()),
            "jwks_kid_unknown");
    /* outside the allow-list */
    hs = apr_array_make(unit_pool, 1, sizeof(const char *));
    APR_ARRAY_PUSH(hs, const char *) = "ES256";
    e.allowed_algs = hs;
    refuses_as(good, &e, "logout_token_alg");
    /* not a JWT at all */
    refuses("not-a-jwt", "logout_token_malformed");
    refuses("", "logout_token_malformed");
}
END_TEST

START_TEST(typ_of_another_token)
{
    refuses(sign_with(key, "{\"alg\":\"RS256\",\"kid\":\"op-1\",\"typ\":\"at+jwt\"}",
                      claims_base()), "logout_token_header");
    refuses(sign_with(key, "{\"alg\":\"RS256\",\"kid\":\"op-1\",\"typ\":7}",
                      claims_base()), "logout_token_header");
}
END_TEST

/* ---- the claims ---------------------------------------------------------- */

START_TEST(iss_checked)
{
    refuses(sign(with("iss", json_string("https://evil.example"))), "logout_token_iss");
    refuses(sign(without("iss")), "logout_token_iss");
}
END_TEST

START_TEST(aud_checked)
{
    refuses(sign(with("aud", json_string("another-client"))), "logout_token_aud");
    refuses(sign(with("aud", json_pack("[s]", "another-client"))), "logout_token_aud");
    refuses(sign(without("aud")), "logout_token_aud");
}
END_TEST

START_TEST(iat_checked)
{
    refuses(sign(without("iat")), "logout_token_iat");
    refuses(sign(with("iat", json_string("1700000000"))), "logout_token_iat");
    /* from the future, past the skew */
    refuses(sign(with("iat", json_integer(NOW + SKEW + 5))), "logout_token_iat");
    /* older than the allowed age plus skew */
    refuses(sign(with("iat", json_integer(NOW - MAX_AGE - SKEW - 5))),
            "logout_token_iat");
    /* within the skew both ways */
    accepts(sign(with("iat", json_integer(NOW + SKEW - 5))));
}
END_TEST

START_TEST(exp_checked)
{
    refuses(sign(with("exp", json_integer(NOW - SKEW - 5))), "logout_token_exp");
    refuses(sign(with("exp", json_string("soon"))), "logout_token_exp");
}
END_TEST

START_TEST(events_checked)
{
    refuses(sign(without("events")), "logout_token_events");
    refuses(sign(with("events", json_pack("{s:{}}", "urn:other"))),
            "logout_token_events");
    refuses(sign(with("events", json_pack("{s:s}", EVENT, "yes"))),
            "logout_token_events");
    refuses(sign(with("events", json_pack("[s]", EVENT))), "logout_token_events");
}
END_TEST

START_TEST(nonce_refused)
{
    refuses(sign(with("nonce", json_string("n-1"))), "logout_token_nonce");
    refuses(sign(with("nonce", json_null())), "logout_token_nonce");
}
END_TEST

START_TEST(sid_or_sub_required)
{
    json_t *c = without("sid");

    json_object_del(c, "sub");
    refuses(sign(c), "logout_token_subject");
    refuses(sign(with("sid", json_string(""))), "logout_token_subject");
    refuses(sign(with("sub", json_integer(7))), "logout_token_subject");
    {
        char big[300];

        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        refuses(sign(with("sid", json_string(big))), "logout_token_subject");
    }
}
END_TEST

START_TEST(jti_required)
{
    refuses(sign(without("jti")), "logout_token_jti");
    refuses(sign(with("jti", json_string(""))), "logout_token_jti");
}
END_TEST

/* an ID token of the same provider and client is not a logout token */
START_TEST(id_token_is_not_a_logout_token)
{
    json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "iss", ISS,
                          "aud", CLIENT, "sub", "alice", "nonce", "n-1",
                          "iat", (json_int_t)NOW, "exp", (json_int_t)(NOW + 300));

    refuses(sign_with(key, "{\"alg\":\"RS256\",\"kid\":\"op-1\",\"typ\":\"JWT\"}", c),
            "logout_token_events");
}
END_TEST

START_TEST(hs256_only_with_the_secret)
{
    ac_logout_expect e = expect_base();
    apr_array_header_t *hs = apr_array_make(unit_pool, 1, sizeof(const char *));
    cjose_err cerr;
    cjose_jwk_t *oct = cjose_jwk_create_oct_spec((const uint8_t *)SECRET,
                                                 strlen(SECRET), &cerr);
    const char *t = sign_with(oct, "{\"alg\":\"HS256\"}", claims_base());

    cjose_jwk_release(oct);
    /* not in the default list */
    refuses(t, "logout_token_alg");
    APR_ARRAY_PUSH(hs, const char *) = "HS256";
    e.allowed_algs = hs;
    e.client_secret = SECRET;
    accepts_as(t, &e);
    e.client_secret = "another secret of at least thirty-two bytes";
    refuses_as(t, &e, "logout_token_signature");
}
END_TEST

Suite *logout_token_suite(void)
{
    Suite *s = suite_create("logout_token");
    TCase *tc = tcase_create("validate");

    tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, valid_token);
    tcase_add_test(tc, valid_variants);
    tcase_add_test(tc, signature_checks);
    tcase_add_test(tc, typ_of_another_token);
    tcase_add_test(tc, iss_checked);
    tcase_add_test(tc, aud_checked);
    tcase_add_test(tc, iat_checked);
    tcase_add_test(tc, exp_checked);
    tcase_add_test(tc, events_checked);
    tcase_add_test(tc, nonce_refused);
    tcase_add_test(tc, sid_or_sub_required);
    tcase_add_test(tc, jti_required);
    tcase_add_test(tc, id_token_is_not_a_logout_token);
    tcase_add_test(tc, hs256_only_with_the_secret);
    suite_add_tcase(s, tc);
    return s;
}
