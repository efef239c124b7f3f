/*
 * test_jose.c - ID token validation: one passing token, then every check of
 * OIDC Core 3.1.3.7 (and the algorithm / key rules around it) broken on its
 * own.  Each negative test asserts the exact error code, so removing a check
 * from jose.c makes its test fail rather than be caught by a later check.
 *
 * Tokens are made here with cjose from freshly generated keys; the JWKS the
 * validator sees holds only their public halves.
 */
/* The RS/HS confusion test needs the RSA key as PEM, which OpenSSL 3 only
 * offers through the deprecated RSA accessors. */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <string.h>

#include <cjose/cjose.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "jose.h"
#include "unit.h"

#define ISS "https://idp.example"
#define CLIENT "client-1"
#define NONCE "n-0S6_WzA2Mj"
#define SECRET "a client secret of at least thirty-two bytes"
#define NOW 1700000000
#define SKEW 60
#define MAX_AGE 600

/* Generated once per test case (RSA generation is slow under valgrind). */
static cjose_jwk_t *rsa_key;
static cjose_jwk_t *ec_key;
static char *jwks;          /* {"keys":[rsa public, ec public]} */
static char *rsa_n;         /* the modulus as it appears in the JWKS */
static char *rsa_pem;       /* the public key as PEM */

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

static char *rsa_public_pem(const cjose_jwk_t *key)
{
    cjose_err cerr;
    RSA *rsa = cjose_jwk_get_keydata(key, &cerr);
    BIO *bio = BIO_new(BIO_s_mem());
    char *data, *out;
    long len;

    ck_assert_int_eq(PEM_write_bio_RSA_PUBKEY(bio, rsa), 1);
    len = BIO_get_mem_data(bio, &data);
    out = strndup(data, (size_t)len);
    BIO_free(bio);
    return out;
}

static void keys_setup(void)
{
    cjose_err cerr;
    json_t *set, *rsa_pub, *ec_pub;

    rsa_key = cjose_jwk_create_RSA_random(2048, NULL, 0, &cerr);
    ec_key = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &cerr);
    ck_assert_ptr_nonnull(rsa_key);
    ck_assert_ptr_nonnull(ec_key);
    cjose_jwk_set_kid(rsa_key, "rsa-1", 5, &cerr);
    cjose_jwk_set_kid(ec_key, "ec-1", 4, &cerr);

    rsa_pub = public_jwk(rsa_key);
    ec_pub = public_jwk(ec_key);
    json_object_set_new(rsa_pub, "use", json_string("sig"));
    rsa_n = strdup(json_string_value(json_object_get(rsa_pub, "n")));
    set = json_pack("{s:[o,o]}", "keys", rsa_pub, ec_pub);
    jwks = json_dumps(set, JSON_COMPACT);
    json_decref(set);
    rsa_pem = rsa_public_pem(rsa_key);
}

static void keys_teardown(void)
{
    cjose_jwk_release(rsa_key);
    cjose_jwk_release(ec_key);
    free(jwks);
    free(rsa_n);
    free(rsa_pem);
    rsa_key = ec_key = NULL;
    jwks = rsa_n = rsa_pem = NULL;
}

/* ---- token construction ------------------------------------------------- */

static json_t *claims_base(void)
{
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}",
                     "iss", ISS, "sub", "alice", "aud", CLIENT,
                     "exp", (json_int_t)(NOW + 300), "iat", (json_int_t)NOW,
                     "nonce", NONCE);
}

/* Takes the reference to `claims`. */
static const char *claims_text(json_t *claims)
{
    char *s = json_dumps(claims, JSON_COMPACT);
    const char *out = apr_pstrdup(unit_pool, s);

    free(s);
    json_decref(claims);
    return out;
}

static const char *sign_raw(const cjose_jwk_t *key, const char *alg,
                            const char *kid, json_t *extra_header,
                            const char *payload)
{
    cjose_err cerr;
    cjose_header_t *h = cjose_header_new(&cerr);
    cjose_jws_t *jws;
    const char *ser = NULL;
    const char *out;

    cjose_header_set(h, CJOSE_HDR_ALG, alg, &cerr);
    if (kid != NULL) {
        cjose_header_set(h, CJOSE_HDR_KID, kid, &cerr);
    }
    if (extra_header != NULL) {
        json_object_update((json_t *)h, extra_header);
        json_decref(extra_header);
    }
    jws = cjose_jws_sign(key, h, (const uint8_t *)payload, strlen(payload),
                         &cerr);
    ck_assert_msg(jws != NULL, "cjose_jws_sign: %s", cerr.message);
    ck_assert(cjose_jws_export(jws, &ser, &cerr));
    out = apr_pstrdup(unit_pool, ser);
    cjose_jws_release(jws);
    cjose_header_release(h);
    return out;
}

/* Takes the reference to `claims`. */
static const char *sign(const cjose_jwk_t *key, const char *alg,
                        const char *kid, json_t *claims)
{
    return sign_raw(key, alg, kid, NULL, claims_text(claims));
}

static const char *rs256(json_t *claims)
{
    return sign(rsa_key, "RS256", "rsa-1", claims);
}

/* HS* with `secret` as the raw HMAC key. */
static const char *hs(const char *alg, const char *secret, json_t *claims)
{
    cjose_err cerr;
    cjose_jwk_t *oct = cjose_jwk_create_oct_spec((const uint8_t *)secret,
                                                 strlen(secret), &cerr);
    const char *t;

    ck_assert_ptr_nonnull(oct);
    t = sign(oct, alg, NULL, claims);
    cjose_jwk_release(oct);
    return t;
}

/* The same token with another protected header (its signature no longer
 * fits, which does not matter to checks that come before the signature). */
static const char *with_header(const char *jwt, const char *header_json)
{
    return apr_pstrcat(unit_pool,
                       ac_b64url_encode(unit_pool,
                                        (const unsigned char *)header_json,
                                        strlen(header_json)),
                       strchr(jwt, '.'), NULL);
}

static const char *b64(const char *s)
{
    return ac_b64url_encode(unit_pool, (const unsigned char *)s, strlen(s));
}

/* ---- validation --------------------------------------------------------- */

static ac_idtoken_expect expect_base(void)
{
    ac_idtoken_expect e;

    memset(&e, 0, sizeof(e));
    e.issuer = ISS;
    e.client_id = CLIENT;
    e.client_secret = SECRET;
    e.nonce = NONCE;
    e.now = apr_time_from_sec(NOW);
    e.clock_skew = SKEW;
    e.iat_max_age = MAX_AGE;
    return e;
}

static apr_array_header_t *algs(const char *a, const char *b)
{
    apr_array_header_t *arr = apr_array_make(unit_pool, 2, sizeof(char *));

    APR_ARRAY_PUSH(arr, const char *) = a;
    if (b != NULL) {
        APR_ARRAY_PUSH(arr, const char *) = b;
    }
    return arr;
}

static json_t *accepts_with(const char *jwt, const char *set,
                         const ac_idtoken_expect *e)
{
    json_t *claims = NULL;
    ac_error *err = ac_idtoken_validate(unit_pool, jwt, set, e, &claims);

    ck_assert_msg(err == NULL, "rejected: %s: %s", err ? err->code : "",
                  err ? err->message : "");
    ck_assert_ptr_nonnull(claims);
    return claims;
}

static json_t *accepts(const char *jwt, const ac_idtoken_expect *e)
{
    return accepts_with(jwt, jwks, e);
}

static void rejects_with(const char *jwt, const char *set,
                      const ac_idtoken_expect *e, const char *code)
{
    json_t *claims = NULL;
    ac_error *err = ac_idtoken_validate(unit_pool, jwt, set, e, &claims);

    ck_assert_msg(err != NULL, "accepted, expected %s", code);
    ck_assert_msg(strcmp(err->code, code) == 0, "got %s (%s), expected %s",
                  err->code, err->message, code);
    ck_assert_ptr_null(claims);
}

static void rejects(const char *jwt, const ac_idtoken_expect *e,
                    const char *code)
{
    rejects_with(jwt, jwks, e, code);
}

/* ---- the passing cases -------------------------------------------------- */

START_TEST(valid_rs256)
{
    ac_idtoken_expect e = expect_base();
    json_t *c = accepts(rs256(claims_base()), &e);

    ck_assert_str_eq(ac_json_string(c, "sub"), "alice");
    ck_assert_str_eq(ac_json_string(c, "iss"), ISS);
}
END_TEST

START_TEST(valid_ps256_es256)
{
    ac_idtoken_expect e = expect_base();

    accepts(sign(rsa_key, "PS256", "rsa-1", claims_base()), &e);
    accepts(sign(ec_key, "ES256", "ec-1", claims_base()), &e);
    accepts(sign(rsa_key, "RS512", "rsa-1", claims_base()), &e);
}
END_TEST

START_TEST(no_kid_single_key_of_type)
{
    ac_idtoken_expect e = expect_base();

    accepts(sign(rsa_key, "RS256", NULL, claims_base()), &e);
    accepts(sign(ec_key, "ES256", NULL, claims_base()), &e);
}
END_TEST

START_TEST(no_kid_two_keys_of_type)
{
    ac_idtoken_expect e = expect_base();
    json_t *k1 = public_jwk(rsa_key), *k2 = public_jwk(rsa_key);
    json_t *set;
    char *text;

    json_object_set_new(k2, "kid", json_string("rsa-2"));
    set = json_pack("{s:[o,o]}", "keys", k1, k2);
    text = json_dumps(set, JSON_COMPACT);
    json_decref(set);
    rejects_with(sign(rsa_key, "RS256", NULL, claims_base()),
              apr_pstrdup(unit_pool, text), &e, "jwks_kid_unknown");
    /* with a kid the same set is fine */
    accepts_with(rs256(claims_base()), apr_pstrdup(unit_pool, text), &e);
    free(text);
}
END_TEST

/* ---- algorithms and keys ------------------------------------------------ */

START_TEST(alg_none_never)
{
    ac_idtoken_expect e = expect_base();
    const char *payload = b64(claims_text(claims_base()));
    const char *none = apr_pstrcat(unit_pool, b64("{\"alg\":\"none\"}"), ".",
                                   payload, ".", NULL);
    const char *none_kid = apr_pstrcat(unit_pool,
                                       b64("{\"alg\":\"none\","
                                           "\"kid\":\"rsa-1\"}"),
                                       ".", payload, ".", NULL);
    const char *upper = apr_pstrcat(unit_pool, b64("{\"alg\":\"NONE\"}"), ".",
                                    payload, ".", NULL);

    rejects(none, &e, "id_token_alg");
    rejects(none_kid, &e, "id_token_alg");
    rejects(upper, &e, "id_token_alg");
    /* not even when a sysadmin lists it */
    e.allowed_algs = algs("none", "RS256");
    rejects(none, &e, "id_token_alg");
}
END_TEST

START_TEST(hs256_with_public_key_not_allowed)
{
    ac_idtoken_expect e = expect_base();

    /* the classic confusion: the RSA public key used as an HMAC secret */
    rejects(hs("HS256", rsa_pem, claims_base()), &e, "id_token_alg");
    rejects(hs("HS256", rsa_n, claims_base()), &e, "id_token_alg");
    /* a kid pointing at the RSA key changes nothing */
    rejects(with_header(hs("HS256", rsa_n, claims_base()),
                     "{\"alg\":\"HS256\",\"kid\":\"rsa-1\"}"),
         &e, "id_token_alg");
    /* nor does the secret being the client secret while HS is not listed */
    rejects(hs("HS256", SECRET, claims_base()), &e, "id_token_alg");
}
END_TEST

START_TEST(hs256_allowed_client_secret)
{
    ac_idtoken_expect e = expect_base();

    e.allowed_algs = algs("RS256", "HS256");
    accepts(hs("HS256", SECRET, claims_base()), &e);
    /* the RSA key still works alongside */
    accepts(rs256(claims_base()), &e);
}
END_TEST

START_TEST(hs256_allowed_wrong_key)
{
    ac_idtoken_expect e = expect_base();
    const char *t;

    e.allowed_algs = algs("RS256", "HS256");
    rejects(hs("HS256", "another secret of thirty-two bytes or more",
            claims_base()), &e, "id_token_signature");
    /* the JWKS key never serves as the HMAC key, kid or not */
    rejects(hs("HS256", rsa_pem, claims_base()), &e, "id_token_signature");
    t = hs("HS256", rsa_n, claims_base());
    rejects(t, &e, "id_token_signature");
    /* no client secret: HS cannot be verified at all */
    e.client_secret = NULL;
    rejects(hs("HS256", SECRET, claims_base()), &e, "id_token_config");
}
END_TEST

START_TEST(alg_not_in_restricted_list)
{
    ac_idtoken_expect e = expect_base();

    e.allowed_algs = algs("ES256", NULL);
    rejects(rs256(claims_base()), &e, "id_token_alg");
    accepts(sign(ec_key, "ES256", "ec-1", claims_base()), &e);
    e.allowed_algs = algs("RS256", NULL);
    rejects(sign(rsa_key, "PS256", "rsa-1", claims_base()), &e, "id_token_alg");
    /* unknown algorithm names fail even when listed */
    e.allowed_algs = algs("XX256", NULL);
    rejects(with_header(rs256(claims_base()), "{\"alg\":\"XX256\"}"), &e,
         "id_token_alg");
}
END_TEST

START_TEST(bad_signature)
{
    ac_idtoken_expect e = expect_base();
    char *t = apr_pstrdup(unit_pool, rs256(claims_base()));
    char *sig = strrchr(t, '.') + 1;
    size_t mid = strlen(sig) / 2;
    char *p;

    sig[mid] = sig[mid] == 'A' ? 'B' : 'A';
    rejects(t, &e, "id_token_signature");

    /* a changed payload under the original signature */
    t = apr_pstrdup(unit_pool, rs256(claims_base()));
    p = strchr(t, '.') + 1;
    p[2] = p[2] == 'A' ? 'B' : 'A';
    rejects(t, &e, "id_token_signature");

    /* a changed header under the original signature */
    rejects(with_header(sign(ec_key, "ES256", "ec-1", claims_base()),
                     "{\"alg\":\"ES256\",\"kid\":\"ec-1\",\"x\":1}"),
         &e, "id_token_signature");
}
END_TEST

START_TEST(header_key_members_rejected)
{
    static const char *const members[] = { "jwk", "jku", "x5u", "x5c", "crit",
                                           NULL };
    ac_idtoken_expect e = expect_base();
    int i;

    for (i = 0; members[i] != NULL; i++) {
        json_t *extra = json_object();
        const char *t;

        if (strcmp(members[i], "jwk") == 0) {
            json_object_set_new(extra, "jwk", public_jwk(rsa_key));
        }
        else if (strcmp(members[i], "x5c") == 0
                 || strcmp(members[i], "crit") == 0) {
            json_object_set_new(extra, members[i], json_pack("[s]", "exp"));
        }
        else {
            json_object_set_new(extra, members[i],
                                json_string("https://evil.example/keys"));
        }
        /* correctly signed by the real key: the header alone condemns it */
        t = sign_raw(rsa_key, "RS256", "rsa-1", extra,
                     claims_text(claims_base()));
        rejects(t, &e, "id_token_header");
    }
}
END_TEST

START_TEST(kid_unknown)
{
    ac_idtoken_expect e = expect_base();

    rejects(sign(rsa_key, "RS256", "rsa-2", claims_base()), &e,
         "jwks_kid_unknown");
    /* no EC key in this set at all */
    rejects_with(sign(ec_key, "ES256", NULL, claims_base()),
              "{\"keys\":[]}", &e, "jwks_kid_unknown");
}
END_TEST

START_TEST(kid_of_wrong_key_type)
{
    ac_idtoken_expect e = expect_base();
    const char *t = sign(ec_key, "ES256", "ec-1", claims_base());

    /* an RSA algorithm pointed at the EC key */
    rejects(with_header(t, "{\"alg\":\"RS256\",\"kid\":\"ec-1\"}"), &e,
         "id_token_alg");
    /* an EC algorithm whose curve is not the key's */
    rejects(with_header(t, "{\"alg\":\"ES384\",\"kid\":\"ec-1\"}"), &e,
         "id_token_alg");
}
END_TEST

START_TEST(jwks_key_use_and_alg)
{
    ac_idtoken_expect e = expect_base();
    json_t *k = public_jwk(rsa_key), *set;
    char *text;

    json_object_set_new(k, "use", json_string("enc"));
    set = json_pack("{s:[o]}", "keys", k);
    text = json_dumps(set, JSON_COMPACT);
    rejects_with(rs256(claims_base()), apr_pstrdup(unit_pool, text), &e,
              "id_token_alg");
    free(text);

    json_object_set_new(k, "use", json_string("sig"));
    json_object_set_new(k, "alg", json_string("PS256"));
    text = json_dumps(set, JSON_COMPACT);
    rejects_with(rs256(claims_base()), apr_pstrdup(unit_pool, text), &e,
              "id_token_alg");
    accepts_with(sign(rsa_key, "PS256", "rsa-1", claims_base()),
              apr_pstrdup(unit_pool, text), &e);
    free(text);
    json_decref(set);
}
END_TEST

START_TEST(jwks_invalid)
{
    ac_idtoken_expect e = expect_base();
    const char *t = rs256(claims_base());

    rejects_with(t, "[]", &e, "jwks_invalid");
    rejects_with(t, "{}", &e, "jwks_invalid");
    rejects_with(t, "{\"keys\":{}}", &e, "jwks_invalid");
    rejects_with(t, NULL, &e, "jwks_invalid");
    /* the right kid, but key material cjose cannot load */
    rejects_with(t, "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"rsa-1\",\"n\":1}]}",
              &e, "jwks_invalid");
}
END_TEST

/* ---- claims ------------------------------------------------------------- */

START_TEST(wrong_iss)
{
    ac_idtoken_expect e = expect_base();
    json_t *c = claims_base();

    json_object_set_new(c, "iss", json_string("https://idp.example/"));
    rejects(rs256(c), &e, "id_token_iss");
    c = claims_base();
    json_object_del(c, "iss");
    rejects(rs256(c), &e, "id_token_iss");
}
END_TEST

START_TEST(aud_without_client)
{
    ac_idtoken_expect e = expect_base();
    json_t *c = claims_base();

    json_object_set_new(c, "aud", json_string("client-2"));
    rejects(rs256(c), &e, "id_token_aud");
    c = claims_base();
    json_object_set_new(c, "aud", json_pack("[s,s]", "client-2", "client-3"));
    json_object_set_new(c, "azp", json_string(CLIENT));
    rejects(rs256(c), &e, "id_token_aud");
    c = claims_base();
    json_object_del(c, "aud");
    rejects(rs256(c), &e, "id_token_aud");
    /* a single-element array is the same as the string */
    c = claims_base();
    json_object_set_new(c, "aud", json_pack("[s]", CLIENT));
    accepts(rs256(c), &e);
}
END_TEST

START_TEST(multi_aud_azp)
{
    ac_idtoken_expect e = expect_base();
    json_t *c = claims_base();

    json_object_set_new(c, "aud", json_pack("[s,s]", CLIENT, "client-2"));
    rejects(rs256(c), &e, "id_token_azp");

    c = claims_base();
    json_object_set_new(c, "aud", json_pack("[s,s]", CLIENT, "client-2"));
    json_object_set_new(c, "azp", json_string(CLIENT));
    accepts(rs256(c), &e);
}
END_TEST

START_TEST(wrong_azp)
{
    ac_idtoken_expect e = expect_base();
    json_t *c = claims_base();

    json_object_set_new(c, "azp", json_string("client-2"));
    rejects(rs256(c), &e, "id_token_azp");
    c = claims_base();
    json_object_set_new(c, "aud", json_pack("[s,s]", CLIENT, "client-2"));
    json_object_set_new(c, "azp", json_string("client-2"));
    rejects(rs256(c), &e, "id_token_azp");
}
END_TEST

START_TEST(expired)
{
    ac_idtoken_expect e = expect_base();
    json_t *c = claims_base();

    json_object_set_new(c, "exp", json_integer(NOW - SKEW - 1));
    rejects(rs256(c), &e, "id_token_exp");
    c = claims_base();
    json_object_set_new(c, "exp", json_integer(NOW - SKEW));
    rejects(rs256(c), &e, "id_token_exp");
    c = claims_base();
    json_object_del(c, "exp");
    rejects(rs256(c), &e, "id_token_exp");
    c = claims_base();
    json_object_set_new(c, "exp", json_string("9999999999"));
    rejects(rs256(c), &e, "id_token_exp");
}
END_TEST

START_TEST(exp_within_skew)
{
    ac_idtoken_expect e = expect_base();
    json_t *c = claims_base();

    json_object_set_new(c, "exp", json_integer(NOW - SKEW + 1));
    accepts(rs256(c), &e);
}
END_TEST

START_TEST(iat_in_future)
{
    ac_idtoken_expect e = expect_base();
    json_t *c = claims_base();

    json_object_set_new(c, "iat", json_integer(NOW + SKEW + 1));
    rejects(rs256(c), &e, "id_token_iat");
    c = claims_base();
    json_object_set_new(c, "iat", json_integer(NOW + SKEW));
    accepts(rs256(c), &e);
    c = claims_base();
    json_object_del(c, "iat");
    rejects(rs256(c), &e, "id_token_iat");
    /* required even when its age is not bounded */
    e.iat_max_age = 0;
    c = claims_base();
    json_object_del(c, "iat");
    rejects(rs256(c), &e, "id_token_iat");
    c = claims_base();
    json_object_set_new(c, "iat", json_integer(NOW - 10 * MAX_AGE));
    accepts(rs256(c), &e);
}
END_TEST

START_TEST(iat_too_old)
{
    ac_idtoken_expect e = expect_base();
    json_t *c = claims_base();

    json_object_set_new(c, "iat", json_integer(NOW - MAX_AGE - SKEW - 1));
    rejects(rs256(c), &e, "id_token_iat");
    c = claims_base();
    json_object_set_new(c, "iat", json_integer(NOW - MAX_AGE - SKEW));
    accepts(rs256(c), &e);
}
END_TEST

START_TEST(nonce_checks)
{
    ac_idtoken_expect e = expect_base();
    json_t *c = claims_base();

    json_object_del(c, "nonce");
    rejects(rs256(c), &e, "id_token_nonce");
    c = claims_base();
    json_object_set_new(c, "nonce", json_string("n-0S6_WzA2Mk"));
    rejects(rs256(c), &e, "id_token_nonce");
    c = claims_base();
    json_object_set_new(c, "nonce", json_integer(1));
    rejects(rs256(c), &e, "id_token_nonce");
    /* a caller that forgot its nonce fails closed */
    e.nonce = NULL;
    rejects(rs256(claims_base()), &e, "id_token_nonce");
}
END_TEST

/* The example of OpenID Connect Core A.3 / A.4 (RS256). */
#define SPEC_ACCESS_TOKEN "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
#define SPEC_AT_HASH "77QmUPtjPfzWtF2AnpK9RQ"

START_TEST(at_hash_checks)
{
    ac_idtoken_expect e = expect_base();
    json_t *c = claims_base();

    json_object_set_new(c, "at_hash", json_string(SPEC_AT_HASH));
    e.access_token = SPEC_ACCESS_TOKEN;
    accepts(rs256(c), &e);

    c = claims_base();
    json_object_set_new(c, "at_hash", json_string(SPEC_AT_HASH));
    e.access_token = "another access token";
    rejects(rs256(c), &e, "id_token_at_hash");

    /* no at_hash: not checked (it is optional in the code flow) */
    accepts(rs256(claims_base()), &e);
    /* no access token to compare with: not checked */
    c = claims_base();
    json_object_set_new(c, "at_hash", json_string("bogus"));
    e.access_token = NULL;
    accepts(rs256(c), &e);
}
END_TEST

/* RS512 hashes the access token with SHA-512, not SHA-256. */
START_TEST(at_hash_follows_alg)
{
    ac_idtoken_expect e = expect_base();
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    json_t *c;

    EVP_Digest(SPEC_ACCESS_TOKEN, strlen(SPEC_ACCESS_TOKEN), md, &mdlen,
               EVP_sha512(), NULL);
    e.access_token = SPEC_ACCESS_TOKEN;
    c = claims_base();
    json_object_set_new(c, "at_hash", json_string(ac_b64url_encode(unit_pool,
                                                                   md,
                                                                   mdlen / 2)));
    accepts(sign(rsa_key, "RS512", "rsa-1", c), &e);

    c = claims_base();
    json_object_set_new(c, "at_hash", json_string(SPEC_AT_HASH));
    rejects(sign(rsa_key, "RS512", "rsa-1", c), &e, "id_token_at_hash");
}
END_TEST

START_TEST(sub_required)
{
    ac_idtoken_expect e = expect_base();
    json_t *c = claims_base();

    json_object_del(c, "sub");
    rejects(rs256(c), &e, "id_token_sub");
    c = claims_base();
    json_object_set_new(c, "sub", json_string(""));
    rejects(rs256(c), &e, "id_token_sub");
}
END_TEST

/* ---- malformed input ---------------------------------------------------- */

START_TEST(malformed)
{
    ac_idtoken_expect e = expect_base();
    const char *good = rs256(claims_base());
    const char *rest = strchr(good, '.');

    rejects("", &e, "id_token_malformed");
    rejects("abc", &e, "id_token_malformed");
    rejects("abc.def", &e, "id_token_malformed");
    rejects(apr_pstrcat(unit_pool, good, ".x", NULL), &e, "id_token_malformed");
    rejects(rest, &e, "id_token_malformed");
    /* not base64url */
    rejects(apr_pstrcat(unit_pool, "eyJ!!!", rest, NULL), &e,
         "id_token_malformed");
    rejects(apr_pstrcat(unit_pool, "eyJhbGciOiJSUzI1NiJ9+", rest, NULL), &e,
         "id_token_malformed");
    /* header not a JSON object / without alg */
    rejects(with_header(good, "not json"), &e, "id_token_malformed");
    rejects(with_header(good, "[\"RS256\"]"), &e, "id_token_malformed");
    rejects(with_header(good, "{\"kid\":\"rsa-1\"}"), &e, "id_token_malformed");
    rejects(with_header(good, "{\"alg\":\"RS256\",\"alg\":\"none\"}"), &e,
         "id_token_malformed");
    rejects(with_header(good, "{\"alg\":\"RS256\",\"kid\":7}"), &e,
         "id_token_malformed");
}
END_TEST

START_TEST(payload_not_json)
{
    ac_idtoken_expect e = expect_base();

    rejects(sign_raw(rsa_key, "RS256", "rsa-1", NULL, "not json"), &e,
         "id_token_malformed");
    rejects(sign_raw(rsa_key, "RS256", "rsa-1", NULL, "[1,2]"), &e,
         "id_token_malformed");
    /* two subs: which one would the application see? */
    rejects(sign_raw(rsa_key, "RS256", "rsa-1", NULL,
                  "{\"sub\":\"alice\",\"sub\":\"bob\"}"), &e,
         "id_token_malformed");
}
END_TEST

START_TEST(claims_outlive_scratch)
{
    ac_idtoken_expect e = expect_base();
    apr_pool_t *sub;
    json_t *c = NULL;

    apr_pool_create(&sub, unit_pool);
    ck_assert_ptr_null(ac_idtoken_validate(sub, rs256(claims_base()), jwks,
                                           &e, &c));
    ck_assert_str_eq(ac_json_string(c, "nonce"), NONCE);
    apr_pool_destroy(sub);
}
END_TEST

Suite *jose_suite(void)
{
    Suite *s = suite_create("jose");
    TCase *tc = tcase_create("idtoken");

    tcase_add_unchecked_fixture(tc, keys_setup, keys_teardown);
    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, valid_rs256);
    tcase_add_test(tc, valid_ps256_es256);
    tcase_add_test(tc, no_kid_single_key_of_type);
    tcase_add_test(tc, no_kid_two_keys_of_type);
    tcase_add_test(tc, alg_none_never);
    tcase_add_test(tc, hs256_with_public_key_not_allowed);
    tcase_add_test(tc, hs256_allowed_client_secret);
    tcase_add_test(tc, hs256_allowed_wrong_key);
    tcase_add_test(tc, alg_not_in_restricted_list);
    tcase_add_test(tc, bad_signature);
    tcase_add_test(tc, header_key_members_rejected);
    tcase_add_test(tc, kid_unknown);
    tcase_add_test(tc, kid_of_wrong_key_type);
    tcase_add_test(tc, jwks_key_use_and_alg);
    tcase_add_test(tc, jwks_invalid);
    tcase_add_test(tc, wrong_iss);
    tcase_add_test(tc, aud_without_client);
    tcase_add_test(tc, multi_aud_azp);
    tcase_add_test(tc, wrong_azp);
    tcase_add_test(tc, expired);
    tcase_add_test(tc, exp_within_skew);
    tcase_add_test(tc, iat_in_future);
    tcase_add_test(tc, iat_too_old);
    tcase_add_test(tc, nonce_checks);
    tcase_add_test(tc, at_hash_checks);
    tcase_add_test(tc, at_hash_follows_alg);
    tcase_add_test(tc, sub_required);
    tcase_add_test(tc, malformed);
    tcase_add_test(tc, payload_not_json);
    tcase_add_test(tc, claims_outlive_scratch);
    suite_add_tcase(s, tc);
    return s;
}
