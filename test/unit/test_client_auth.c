/*
 * test_client_auth.c - client authentication by signed JWT (RFC 7523 2.2):
 * assertions taken apart by hand (split, base64url-decode, parse) and their
 * signatures checked twice - by cjose with only the public half of the key,
 * and by OpenSSL on its own, so that a cjose quirk present on both the
 * signing and the verifying side cannot hide.  The keys are in
 * test/unit/data/ (made with `openssl genpkey`, for these tests only).
 */
#include <stdlib.h>
#include <string.h>

#include <cjose/cjose.h>
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "client_auth.h"
#include "keys.h"
#include "unit.h"

#define CLIENT "s6BhdRkqt3"
#define AUD "https://server.example.com/token"
#define SECRET "a client secret for client_secret_jwt tests"
#define NOW 1700000000

/* ---- taking a JWT apart ------------------------------------------------- */

typedef struct jwt_parts {
    json_t *header;
    json_t *claims;
    const char *signing_input;      /* header.payload */
    unsigned char *sig;
    apr_size_t siglen;
} jwt_parts;

static apr_status_t json_release(void *data)
{
    json_decref(data);
    return APR_SUCCESS;
}

static json_t *part_json(const char *b64, apr_size_t len)
{
    apr_size_t n = 0;
    unsigned char *raw = ac_b64url_decode(unit_pool,
                                          apr_pstrmemdup(unit_pool, b64, len),
                                          &n);
    json_t *j;

    ck_assert_ptr_nonnull(raw);
    j = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, NULL);
    ck_assert_ptr_nonnull(j);
    apr_pool_cleanup_register(unit_pool, j, json_release,
                              apr_pool_cleanup_null);
    ck_assert(json_is_object(j));
    return j;
}

static jwt_parts jwt_split(const char *jwt)
{
    const char *dot1 = strchr(jwt, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    jwt_parts parts;

    ck_assert_ptr_nonnull(dot2);
    ck_assert_ptr_null(strchr(dot2 + 1, '.'));
    parts.header = part_json(jwt, (apr_size_t)(dot1 - jwt));
    parts.claims = part_json(dot1 + 1, (apr_size_t)(dot2 - dot1 - 1));
    parts.signing_input = apr_pstrmemdup(unit_pool, jwt,
                                         (apr_size_t)(dot2 - jwt));
    parts.sig = ac_b64url_decode(unit_pool, dot2 + 1, &parts.siglen);
    ck_assert_ptr_nonnull(parts.sig);
    return parts;
}

static const char *str_of(json_t *obj, const char *name)
{
    return json_string_value(json_object_get(obj, name));
}

static json_int_t int_of(json_t *obj, const char *name)
{
    json_t *v = json_object_get(obj, name);

    ck_assert_msg(json_is_integer(v), "%s is not an integer", name);
    return json_integer_value(v);
}

/* The RFC 7523 3 claims, with exp - iat = `lifetime`. */
static void claims_check(const jwt_parts *p, int lifetime)
{
    const char *jti = str_of(p->claims, "jti");
    apr_size_t n = 0;

    ck_assert_int_eq(json_object_size(p->claims), 6);
    ck_assert_str_eq(str_of(p->claims, "iss"), CLIENT);
    ck_assert_str_eq(str_of(p->claims, "sub"), CLIENT);
    ck_assert_str_eq(str_of(p->claims, "aud"), AUD);
    ck_assert_ptr_nonnull(jti);
    ck_assert_ptr_nonnull(ac_b64url_decode(unit_pool, jti, &n));
    ck_assert_int_eq(n, 16);
    ck_assert_int_eq(int_of(p->claims, "iat"), NOW);
    ck_assert_int_eq(int_of(p->claims, "exp"), NOW + lifetime);
}

static void header_check(const jwt_parts *p, const char *alg, const char *kid)
{
    ck_assert_str_eq(str_of(p->header, "alg"), alg);
    ck_assert_str_eq(str_of(p->header, "typ"), "JWT");
    if (kid != NULL) {
        ck_assert_str_eq(str_of(p->header, "kid"), kid);
        ck_assert_int_eq(json_object_size(p->header), 3);
    }
    else {
        ck_assert_ptr_null(json_object_get(p->header, "kid"));
        ck_assert_int_eq(json_object_size(p->header), 2);
    }
}

/* ---- verification by cjose ---------------------------------------------- */

/* The public half of `jwk`, through its JSON form as a relying party's
 * JWKS would carry it. */
static cjose_jwk_t *public_of(const cjose_jwk_t *jwk)
{
    char *json = cjose_jwk_to_json(jwk, false, NULL);
    cjose_jwk_t *pub;

    ck_assert_ptr_nonnull(json);
    ck_assert_ptr_null(strstr(json, "\"d\""));
    pub = cjose_jwk_import(json, strlen(json), NULL);
    cjose_get_dealloc()(json);
    ck_assert_ptr_nonnull(pub);
    return pub;
}

static int cjose_verifies(const char *jwt, const cjose_jwk_t *key)
{
    cjose_jws_t *jws = cjose_jws_import(jwt, strlen(jwt), NULL);
    int ok;

    ck_assert_ptr_nonnull(jws);
    ok = cjose_jws_verify(jws, key, NULL);
    cjose_jws_release(jws);
    return ok;
}

static int cjose_verifies_public(const char *jwt, void *jwk)
{
    cjose_jwk_t *pub = public_of(jwk);
    int ok = cjose_verifies(jwt, pub);

    cjose_jwk_release(pub);
    return ok;
}

static int cjose_verifies_secret(const char *jwt, const char *secret)
{
    cjose_jwk_t *k = cjose_jwk_create_oct_spec((const uint8_t *)secret,
                                               strlen(secret), NULL);
    int ok;

    ck_assert_ptr_nonnull(k);
    ok = cjose_verifies(jwt, k);
    cjose_jwk_release(k);
    return ok;
}

/* ---- verification by OpenSSL alone -------------------------------------- */

static EVP_PKEY *pem_public(const char *file)
{
    BIO *bio = BIO_new_file(unit_data_path(file), "r");
    EVP_PKEY *k;

    ck_assert_ptr_nonnull(bio);
    k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);
    ck_assert_ptr_nonnull(k);
    return k;
}

/* RS256 (pss 0) or PS256 (pss 1, salt as long as the hash per RFC 7518). */
static int openssl_verifies_rsa(const jwt_parts *p, int pss)
{
    EVP_PKEY *k = pem_public("rsa2048_public.pem");
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok;

    ok = EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), NULL, k) == 1;
    if (ok && pss) {
        ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0
          && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0;
    }
    ok = ok && EVP_DigestVerify(ctx, p->sig, p->siglen,
                                (const unsigned char *)p->signing_input,
                                strlen(p->signing_input)) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(k);
    return ok;
}

/* ES256: JWS carries r || s (RFC 7518 3.4); OpenSSL wants DER. */
static int openssl_verifies_es256(const jwt_parts *p)
{
    BIO *bio = BIO_new_file(unit_data_path("ec_p256.pem"), "r");
    EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    ECDSA_SIG *es = ECDSA_SIG_new();
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char *der = NULL;
    int derlen, ok;

    BIO_free(bio);
    ck_assert_ptr_nonnull(k);
    ck_assert_int_eq(p->siglen, 64);
    ECDSA_SIG_set0(es, BN_bin2bn(p->sig, 32, NULL),
                   BN_bin2bn(p->sig + 32, 32, NULL));
    derlen = i2d_ECDSA_SIG(es, &der);
    ok = derlen > 0
      && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k) == 1
      && EVP_DigestVerify(ctx, der, (size_t)derlen,
                          (const unsigned char *)p->signing_input,
                          strlen(p->signing_input)) == 1;
    OPENSSL_free(der);
    ECDSA_SIG_free(es);
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(k);
    return ok;
}

static int openssl_verifies_hs256(const jwt_parts *p, const char *secret)
{
    unsigned char mac[32];
    unsigned int len = 0;

    HMAC(EVP_sha256(), secret, (int)strlen(secret),
         (const unsigned char *)p->signing_input, strlen(p->signing_input),
         mac, &len);
    return len == 32 && p->siglen == 32 && memcmp(mac, p->sig, 32) == 0;
}

/* ---- assertions --------------------------------------------------------- */

static void *key(const char *file, const char *kid)
{
    void *jwk = NULL;
    const char *alg = NULL;

    ck_assert_ptr_null(ac_client_key_load(unit_pool, unit_data_path(file), kid,
                                          &jwk, &alg));
    return jwk;
}

static const char *assertion(void *jwk, const char *alg, int lifetime)
{
    const char *jwt = NULL;
    ac_error *err = ac_client_assertion(unit_pool, CLIENT, AUD, SECRET, jwk,
                                        alg, lifetime,
                                        apr_time_from_sec(NOW), &jwt);

    ck_assert_msg(err == NULL, "%s", err ? err->message : "");
    ck_assert_ptr_nonnull(jwt);
    return jwt;
}

START_TEST(assertion_rs256)
{
    void *jwk = key("rsa2048.pem", "rsa-1");
    const char *jwt = assertion(jwk, "RS256", 30);
    jwt_parts p = jwt_split(jwt);

    header_check(&p, "RS256", "rsa-1");
    claims_check(&p, 30);
    ck_assert(cjose_verifies_public(jwt, jwk));
    ck_assert(openssl_verifies_rsa(&p, 0));
    /* the alg follows the key when none is asked for */
    p = jwt_split(assertion(jwk, NULL, 30));
    header_check(&p, "RS256", "rsa-1");
}
END_TEST

START_TEST(assertion_ps256)
{
    void *jwk = key("rsa2048.pem", NULL);
    const char *jwt = assertion(jwk, "PS256", 10);
    jwt_parts p = jwt_split(jwt);

    header_check(&p, "PS256", NULL);
    claims_check(&p, 10);
    ck_assert(cjose_verifies_public(jwt, jwk));
    ck_assert(openssl_verifies_rsa(&p, 1));
    ck_assert(!openssl_verifies_rsa(&p, 0));
}
END_TEST

START_TEST(assertion_es256)
{
    void *jwk = key("ec_p256.pem", "ec-1");
    const char *jwt = assertion(jwk, "ES256", 60);
    jwt_parts p = jwt_split(jwt);

    header_check(&p, "ES256", "ec-1");
    claims_check(&p, 60);
    ck_assert(cjose_verifies_public(jwt, jwk));
    ck_assert(openssl_verifies_es256(&p));
}
END_TEST

START_TEST(assertion_hs256)
{
    const char *jwt = assertion(NULL, NULL, 45);
    jwt_parts p = jwt_split(jwt);

    header_check(&p, "HS256", NULL);
    claims_check(&p, 45);
    ck_assert(cjose_verifies_secret(jwt, SECRET));
    ck_assert(!cjose_verifies_secret(jwt, SECRET "x"));
    ck_assert(openssl_verifies_hs256(&p, SECRET));
    p = jwt_split(assertion(NULL, "HS256", 45));
    header_check(&p, "HS256", NULL);
}
END_TEST

START_TEST(assertion_tampered_fails)
{
    void *jwk = key("rsa2048.pem", NULL);
    char *jwt = apr_pstrdup(unit_pool, assertion(jwk, "RS256", 30));
    char *payload = strchr(jwt, '.') + 1;

    /* one byte of the claims changed under the same signature */
    payload[2] = payload[2] == 'A' ? 'B' : 'A';
    ck_assert(!cjose_verifies_public(jwt, jwk));
}
END_TEST

START_TEST(assertion_lifetime_clamped)
{
    static const struct { int asked, got; } cases[] = {
        { 3600, 60 }, { 61, 60 }, { 60, 60 }, { 1, 1 }, { 0, 1 }, { -5, 1 },
        { 0, 0 }
    };
    int i;

    for (i = 0; cases[i].got != 0; i++) {
        jwt_parts p = jwt_split(assertion(NULL, NULL, cases[i].asked));

        ck_assert_msg(int_of(p.claims, "exp") - int_of(p.claims, "iat")
                      == cases[i].got, "lifetime %d", cases[i].asked);
    }
}
END_TEST

START_TEST(assertion_jti_unique)
{
    void *jwk = key("ec_p256.pem", NULL);
    jwt_parts a = jwt_split(assertion(jwk, NULL, 30));
    jwt_parts b = jwt_split(assertion(jwk, NULL, 30));
    jwt_parts c = jwt_split(assertion(NULL, NULL, 30));
    jwt_parts d = jwt_split(assertion(NULL, NULL, 30));

    ck_assert_str_ne(str_of(a.claims, "jti"), str_of(b.claims, "jti"));
    ck_assert_str_ne(str_of(c.claims, "jti"), str_of(d.claims, "jti"));
}
END_TEST

START_TEST(assertion_refusals)
{
    /* which: 0 the RSA key, 1 the EC key, 2 no key (the secret) */
    static const struct { int which; const char *alg; } mismatched[] = {
        { 0, "ES256" }, { 0, "HS256" }, { 0, "none" }, { 1, "RS256" },
        { 1, "ES384" }, { 1, "HS256" }, { 2, "RS256" }, { 2, "none" },
        { 2, "HS512" }, { -1, NULL }
    };
    static const char *const ids[] = { NULL, "" };
    void *rsa = key("rsa2048.pem", NULL);
    void *ec = key("ec_p256.pem", NULL);
    const char *jwt;
    ac_error *err;
    int i;

    for (i = 0; mismatched[i].which >= 0; i++) {
        void *jwk = mismatched[i].which == 0 ? rsa
                  : mismatched[i].which == 1 ? ec : NULL;

        jwt = "unchanged";
        err = ac_client_assertion(unit_pool, CLIENT, AUD, SECRET, jwk,
                                  mismatched[i].alg, 30,
                                  apr_time_from_sec(NOW), &jwt);
        ck_assert_msg(err != NULL, "case %d (%s) accepted", i,
                      mismatched[i].alg);
        ck_assert_str_eq(err->code, "client_assertion");
        ck_assert_ptr_null(jwt);
    }
    for (i = 0; i < 2; i++) {
        err = ac_client_assertion(unit_pool, ids[i], AUD, SECRET, rsa, NULL,
                                  30, apr_time_from_sec(NOW), &jwt);
        ck_assert_ptr_nonnull(err);
        err = ac_client_assertion(unit_pool, CLIENT, ids[i], SECRET, rsa,
                                  NULL, 30, apr_time_from_sec(NOW), &jwt);
        ck_assert_ptr_nonnull(err);
        /* client_secret_jwt without a secret */
        err = ac_client_assertion(unit_pool, CLIENT, AUD, ids[i], NULL, NULL,
                                  30, apr_time_from_sec(NOW), &jwt);
        ck_assert_ptr_nonnull(err);
        ck_assert_str_eq(err->code, "client_assertion");
    }
}
END_TEST

START_TEST(assertion_type_constant)
{
    ck_assert_str_eq(AC_CLIENT_ASSERTION_TYPE,
                     "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
}
END_TEST

Suite *client_auth_suite(void)
{
    Suite *s = suite_create("client_auth");
    TCase *tc = tcase_create("assertion");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, assertion_rs256);
    tcase_add_test(tc, assertion_ps256);
    tcase_add_test(tc, assertion_es256);
    tcase_add_test(tc, assertion_hs256);
    tcase_add_test(tc, assertion_tampered_fails);
    tcase_add_test(tc, assertion_lifetime_clamped);
    tcase_add_test(tc, assertion_jti_unique);
    tcase_add_test(tc, assertion_refusals);
    tcase_add_test(tc, assertion_type_constant);
    suite_add_tcase(s, tc);
    return s;
}
