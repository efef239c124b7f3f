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
#include "keys.h"

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
            return ac_error_make(p, AC_E_CLIENT_ASSERTION,
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
    return ac_error_make(p, AC_E_CLIENT_ASSERTION,
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
        return ac_error_make(p, AC_E_CLIENT_ASSERTION_SIGN,
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
        return ac_error_make(p, AC_E_CLIENT_ASSERTION,
                             "client_secret_jwt needs a client secret");
    }
    *out = cjose_jwk_create_oct_spec((const uint8_t *)client_secret,
                                     strlen(client_secret), NULL);
    if (*out == NULL) {
        return ac_error_make(p, AC_E_CLIENT_ASSERTION,
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
        return ac_error_make(p, AC_E_CLIENT_ASSERTION,
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
        err = ac_error_make(p, AC_E_CLIENT_ASSERTION,
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
