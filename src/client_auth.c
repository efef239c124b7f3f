/*
 * client_auth.c - the signed JWT a client presents to the token endpoint
 * (RFC 7523 2.2, OpenID Connect Core 9): client_secret_jwt (HS256 over the
 * client secret) and private_key_jwt (RS256 / ES256 with a PEM key).
 *
 * The key is read with OpenSSL 3's EVP API and handed to cjose as a key
 * specification, so nothing here touches the deprecated RSA_* / EC_KEY_*
 * accessors; cjose then signs.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <cjose/cjose.h>
#include <jansson.h>

#include "client_auth.h"

/* RFC 7518 3.3: RS* keys of 2048 bits or more. */
#define AC_CLIENT_RSA_MIN_BITS 2048
/* P-256 coordinates and scalar, left-padded as JWK requires. */
#define AC_P256_BYTES 32

/* ---- PEM private keys --------------------------------------------------- */

static apr_status_t pkey_cleanup(void *data)
{
    EVP_PKEY_free(data);
    return APR_SUCCESS;
}

/* Any passphrase request fails: the alternative is OpenSSL prompting on
 * httpd's stdin at startup. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

ac_error *ac_pem_private_key_load(apr_pool_t *p, const char *path,
                                  const char *what, void **pkey)
{
    EVP_PKEY *key;
    BIO *bio;

    *pkey = NULL;
    if (path == NULL || *path == '\0') {
        return ac_error_make(p, 500, "key_file", "no file is named for %s",
                             what);
    }
    bio = BIO_new_file(path, "r");
    if (bio == NULL) {
        ERR_clear_error();
        return ac_error_make(p, 500, "key_file",
                             "cannot open %s (%s); check the path and that "
                             "httpd may read it", path, what);
    }
    key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
    BIO_free(bio);
    /* leftover errors would surface in the next unrelated TLS call */
    ERR_clear_error();
    if (key == NULL) {
        return ac_error_make(p, 500, "key_file",
                             "%s holds no unencrypted PEM private key (%s); "
                             "convert it with openssl pkey -in old.pem "
                             "-out new.pem", path, what);
    }
    apr_pool_cleanup_register(p, key, pkey_cleanup, apr_pool_cleanup_null);
    *pkey = key;
    return NULL;
}

/* ---- EVP_PKEY to cjose JWK ---------------------------------------------- */

typedef struct bn_bytes {
    uint8_t *data;
    size_t len;
} bn_bytes;

/* One big-number parameter as big-endian bytes, left-padded to `pad`
 * (0: minimal length); 0 (false) when absent. */
static int param_bytes(apr_pool_t *p, const EVP_PKEY *key, const char *name,
                       int pad, bn_bytes *out)
{
    BIGNUM *bn = NULL;
    int len;

    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) {
        return 0;
    }
    len = pad > 0 ? pad : BN_num_bytes(bn);
    out->data = apr_palloc(p, len > 0 ? (apr_size_t)len : 1);
    out->len = (size_t)BN_bn2binpad(bn, out->data, len);
    BN_clear_free(bn);
    return out->len == (size_t)len;
}

static void bytes_cleanse(bn_bytes *b, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        if (b[i].data != NULL) {
            OPENSSL_cleanse(b[i].data, b[i].len);
        }
    }
}

static cjose_jwk_t *rsa_jwk(apr_pool_t *p, const EVP_PKEY *key)
{
    static const char *const names[8] = {
        OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_D,
        OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
        OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
        OSSL_PKEY_PARAM_RSA_COEFFICIENT1
    };
    bn_bytes b[8];
    cjose_jwk_rsa_keyspec spec;
    cjose_jwk_t *jwk = NULL;
    int i, ok = 1;

    memset(b, 0, sizeof(b));
    for (i = 0; i < 8 && ok; i++) {
        ok = param_bytes(p, key, names[i], 0, &b[i]);
    }
    if (ok) {
        spec.e = b[0].data; spec.elen = b[0].len;
        spec.n = b[1].data; spec.nlen = b[1].len;
        spec.d = b[2].data; spec.dlen = b[2].len;
        spec.p = b[3].data; spec.plen = b[3].len;
        spec.q = b[4].data; spec.qlen = b[4].len;
        spec.dp = b[5].data; spec.dplen = b[5].len;
        spec.dq = b[6].data; spec.dqlen = b[6].len;
        spec.qi = b[7].data; spec.qilen = b[7].len;
        jwk = cjose_jwk_create_RSA_spec(&spec, NULL);
    }
    bytes_cleanse(b, 8);
    return jwk;
}

static int is_p256(const EVP_PKEY *key)
{
    char name[64];
    size_t len = 0;

    if (EVP_PKEY_get_group_name(key, name, sizeof(name), &len) != 1) {
        return 0;
    }
    return OBJ_sn2nid(name) == NID_X9_62_prime256v1;
}

static cjose_jwk_t *ec_jwk(apr_pool_t *p, const EVP_PKEY *key)
{
    bn_bytes b[3];
    cjose_jwk_ec_keyspec spec;
    cjose_jwk_t *jwk = NULL;

    memset(b, 0, sizeof(b));
    if (param_bytes(p, key, OSSL_PKEY_PARAM_PRIV_KEY, AC_P256_BYTES, &b[0])
        && param_bytes(p, key, OSSL_PKEY_PARAM_EC_PUB_X, AC_P256_BYTES, &b[1])
        && param_bytes(p, key, OSSL_PKEY_PARAM_EC_PUB_Y, AC_P256_BYTES,
                       &b[2])) {
        spec.crv = CJOSE_JWK_EC_P_256;
        spec.d = b[0].data; spec.dlen = b[0].len;
        spec.x = b[1].data; spec.xlen = b[1].len;
        spec.y = b[2].data; spec.ylen = b[2].len;
        jwk = cjose_jwk_create_EC_spec(&spec, NULL);
    }
    bytes_cleanse(b, 3);
    return jwk;
}

static apr_status_t jwk_cleanup(void *data)
{
    cjose_jwk_release(data);
    return APR_SUCCESS;
}

/* The JWK of `key` and its algorithm; an error (in `p`) names what is
 * wrong.  The key bytes pass through `tmp`. */
static ac_error *jwk_from_pkey(apr_pool_t *p, apr_pool_t *tmp,
                               const char *path, const EVP_PKEY *key,
                               cjose_jwk_t **jwk, const char **alg)
{
    int type = EVP_PKEY_get_base_id(key);

    *jwk = NULL;
    if (type == EVP_PKEY_RSA) {
        if (EVP_PKEY_get_bits(key) < AC_CLIENT_RSA_MIN_BITS) {
            return ac_error_make(p, 500, "client_key",
                                 "%s holds a %d-bit RSA key; RS256 needs at "
                                 "least %d bits", path,
                                 EVP_PKEY_get_bits(key),
                                 AC_CLIENT_RSA_MIN_BITS);
        }
        *jwk = rsa_jwk(tmp, key);
        *alg = "RS256";
    }
    else if (type == EVP_PKEY_EC && is_p256(key)) {
        *jwk = ec_jwk(tmp, key);
        *alg = "ES256";
    }
    else {
        return ac_error_make(p, 500, "client_key",
                             "%s is neither an RSA nor an EC P-256 key; "
                             "private_key_jwt signs with RS256 or ES256",
                             path);
    }
    ERR_clear_error();
    if (*jwk == NULL) {
        return ac_error_make(p, 500, "client_key",
                             "the key in %s could not be converted for "
                             "signing", path);
    }
    return NULL;
}

ac_error *ac_client_key_load(apr_pool_t *p, const char *path, const char *kid,
                             void **jwk, const char **alg)
{
    apr_pool_t *tmp;
    cjose_jwk_t *k = NULL;
    void *pkey;
    ac_error *err;

    *jwk = NULL;
    *alg = NULL;
    /* the EVP_PKEY and the key bytes are only needed until cjose has its
     * own copy: keep them out of the long-lived pool */
    apr_pool_create(&tmp, p);
    err = ac_pem_private_key_load(tmp, path, "the private_key_jwt key", &pkey);
    if (err != NULL) {
        err = ac_error_make(p, err->http_status, err->code, "%s",
                            err->message);
    }
    else {
        err = jwk_from_pkey(p, tmp, path, pkey, &k, alg);
    }
    apr_pool_destroy(tmp);
    if (err != NULL) {
        return err;
    }
    apr_pool_cleanup_register(p, k, jwk_cleanup, apr_pool_cleanup_null);
    if (kid != NULL && !cjose_jwk_set_kid(k, kid, strlen(kid), NULL)) {
        return ac_error_make(p, 500, "client_key",
                             "cannot set the kid of the key in %s", path);
    }
    *jwk = k;
    return NULL;
}

/* ---- the assertion ------------------------------------------------------ */

/* The algorithm to sign with `jwk` (NULL: the client secret): `alg` when it
 * fits the key, else an error; NULL `alg` picks the key's natural one. */
static ac_error *alg_for_key(apr_pool_t *p, const cjose_jwk_t *jwk,
                             const char *alg, const char **out)
{
    static const char *const rsa_algs[] = {
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", NULL
    };
    cjose_jwk_kty_t kty;
    int i;

    if (jwk == NULL) {
        *out = "HS256";
        if (alg != NULL && strcmp(alg, "HS256") != 0) {
            return ac_error_make(p, 500, "client_assertion",
                                 "client_secret_jwt signs with HS256, not "
                                 "%s", alg);
        }
        return NULL;
    }
    kty = cjose_jwk_get_kty(jwk, NULL);
    if (kty == CJOSE_JWK_KTY_EC
        && cjose_jwk_EC_get_curve(jwk, NULL) == CJOSE_JWK_EC_P_256
        && (alg == NULL || strcmp(alg, "ES256") == 0)) {
        *out = "ES256";
        return NULL;
    }
    for (i = 0; kty == CJOSE_JWK_KTY_RSA && rsa_algs[i] != NULL; i++) {
        if (alg == NULL || strcmp(alg, rsa_algs[i]) == 0) {
            *out = rsa_algs[i];
            return NULL;
        }
    }
    return ac_error_make(p, 500, "client_assertion",
                         "the private_key_jwt key cannot sign with %s",
                         alg ? alg : "any supported algorithm");
}

static int lifetime_clamp(int lifetime)
{
    if (lifetime < 1) {
        return 1;
    }
    return lifetime > AC_CLIENT_ASSERTION_MAX_LIFETIME
         ? AC_CLIENT_ASSERTION_MAX_LIFETIME : lifetime;
}

/* The claims of RFC 7523 3, serialised; free() the result. */
static char *claims_dump(const char *client_id, const char *audience,
                         const char *jti, apr_time_t now, int lifetime)
{
    json_int_t iat = (json_int_t)apr_time_sec(now);
    json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}",
                          "iss", client_id, "sub", client_id,
                          "aud", audience, "jti", jti,
                          "iat", iat, "exp", iat + lifetime);
    char *out;

    if (c == NULL) {
        return NULL;
    }
    out = json_dumps(c, JSON_COMPACT);
    json_decref(c);
    return out;
}

static json_t *header_make(const char *alg, const char *kid)
{
    json_t *h = json_pack("{s:s, s:s}", "alg", alg, "typ", "JWT");

    if (h != NULL && kid != NULL
        && json_object_set_new(h, "kid", json_string(kid)) != 0) {
        json_decref(h);
        return NULL;
    }
    return h;
}

static ac_error *jws_make(apr_pool_t *p, const cjose_jwk_t *jwk,
                          json_t *header, const char *payload,
                          const char **jwt)
{
    cjose_err cerr;
    cjose_jws_t *jws;
    const char *ser = NULL;

    memset(&cerr, 0, sizeof(cerr));
    jws = cjose_jws_sign(jwk, (cjose_header_t *)header,
                         (const uint8_t *)payload, strlen(payload), &cerr);
    if (jws != NULL && cjose_jws_export(jws, &ser, &cerr)) {
        *jwt = apr_pstrdup(p, ser);
    }
    cjose_jws_release(jws);
    ERR_clear_error();
    if (ser == NULL) {
        return ac_error_make(p, 500, "client_assertion_sign",
                             "cjose could not sign the client assertion: %s",
                             cerr.message ? cerr.message : "unknown error");
    }
    return NULL;
}

/* The key to sign with: `jwk`, or an oct key of the secret that the caller
 * releases. */
static ac_error *signing_key(apr_pool_t *p, void *jwk,
                             const char *client_secret, cjose_jwk_t **out)
{
    if (jwk != NULL) {
        *out = jwk;
        return NULL;
    }
    if (client_secret == NULL || *client_secret == '\0') {
        return ac_error_make(p, 500, "client_assertion",
                             "client_secret_jwt needs a client secret");
    }
    *out = cjose_jwk_create_oct_spec((const uint8_t *)client_secret,
                                     strlen(client_secret), NULL);
    if (*out == NULL) {
        return ac_error_make(p, 500, "client_assertion",
                             "cjose could not take the client secret as "
                             "a key");
    }
    return NULL;
}

ac_error *ac_client_assertion(apr_pool_t *p, const char *client_id,
                              const char *audience, const char *client_secret,
                              void *jwk, const char *alg, int lifetime,
                              apr_time_t now, const char **jwt)
{
    cjose_jwk_t *key;
    const char *use_alg = NULL, *jti = NULL;
    json_t *header;
    char *payload;
    ac_error *err;

    *jwt = NULL;
    if (client_id == NULL || *client_id == '\0' || audience == NULL
        || *audience == '\0') {
        return ac_error_make(p, 500, "client_assertion",
                             "a client assertion needs a client_id and the "
                             "token endpoint");
    }
    err = alg_for_key(p, jwk, alg, &use_alg);
    if (err == NULL) {
        err = signing_key(p, jwk, client_secret, &key);
    }
    if (err == NULL) {
        err = ac_random_token(p, 16, &jti);
    }
    if (err != NULL) {
        return err;
    }
    header = header_make(use_alg, jwk ? cjose_jwk_get_kid(key, NULL) : NULL);
    payload = claims_dump(client_id, audience, jti, now,
                          lifetime_clamp(lifetime));
    if (header == NULL || payload == NULL) {
        err = ac_error_make(p, 500, "client_assertion",
                            "out of memory building the client assertion");
    }
    else {
        err = jws_make(p, key, header, payload, jwt);
    }
    json_decref(header);
    free(payload);
    if (jwk == NULL) {
        /* a copy of the client secret: gone as soon as it has signed */
        cjose_jwk_release(key);
    }
    return err;
}
