/*
 * fuzz_access_token.c - ac_access_token_validate over a hostile bearer
 * token against the fixed JWKS of fixture_keys.h (the API's audience is
 * the fixture's client id, so the fixture's signed ID tokens reach the
 * claim checks when typ JWT is allowed), ac_access_token_is_jwt, and the
 * scope check over an accepted token's claims.
 *
 * Input: a mode byte, then the token.  Bit 0 allows typ JWT besides
 * at+jwt; bit 1 lists HS256 (and RS256) as allowed, which must change
 * nothing for HS256; bit 2 requires the scope "api:read".
 */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>
#include <jansson.h>

#include "access_token.h"
#include "claims.h"
#include "fixture.h"
#include "fixture_keys.h"
#include "support.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    return 0;
}

static json_t *header_of(apr_pool_t *p, const char *jwt)
{
    apr_size_t len = 0;
    unsigned char *raw = ac_b64url_decode(p, apr_pstrmemdup(p, jwt, strcspn(jwt, ".")),
                                          &len);

    return raw ? json_loadb((const char *)raw, len, 0, NULL) : NULL;
}

static int aud_has(json_t *c, const char *want)
{
    json_t *aud = json_object_get(c, "aud");
    size_t i;

    if (json_is_string(aud)) {
        return strcmp(json_string_value(aud), want) == 0;
    }
    for (i = 0; json_is_array(aud) && i < json_array_size(aud); i++) {
        json_t *v = json_array_get(aud, i);

        if (json_is_string(v) && strcmp(json_string_value(v), want) == 0) {
            return 1;
        }
    }
    return 0;
}

/* what every accepted token must satisfy, checked independently */
static void check_accepted(apr_pool_t *p, json_t *c, const char *jwt,
                           int jwt_typ_ok)
{
    json_t *h = header_of(p, jwt);
    const char *alg = json_string_value(json_object_get(h, "alg"));
    const char *typ = json_string_value(json_object_get(h, "typ"));
    json_t *nbf = json_object_get(c, "nbf"), *iat = json_object_get(c, "iat");

    FZ_ASSERT(h != NULL && alg != NULL && typ != NULL);
    FZ_ASSERT(strcasecmp(alg, "none") != 0 && strncmp(alg, "HS", 2) != 0);
    if (strncasecmp(typ, "application/", 12) == 0) {
        typ += 12;
    }
    FZ_ASSERT(strcasecmp(typ, "at+jwt") == 0 || (jwt_typ_ok && strcasecmp(typ, "JWT") == 0));
    FZ_ASSERT(json_object_get(h, "jwk") == NULL && json_object_get(h, "crit") == NULL);
    FZ_ASSERT(strcmp(json_string_value(json_object_get(c, "iss")) ?: "", FZ_ISS) == 0);
    FZ_ASSERT(aud_has(c, FZ_CLIENT));
    FZ_ASSERT(json_is_number(json_object_get(c, "exp")));
    FZ_ASSERT(json_number_value(json_object_get(c, "exp")) > FZ_NOW_SEC - FZ_SKEW);
    FZ_ASSERT(nbf == NULL || json_number_value(nbf) <= FZ_NOW_SEC + FZ_SKEW);
    FZ_ASSERT(iat == NULL || json_number_value(iat) <= FZ_NOW_SEC + FZ_SKEW);
    json_decref(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ac_access_token_expect e;
    apr_array_header_t *types, *algs, *scopes;
    const char *jwt, *missing;
    json_t *claims = NULL;
    apr_pool_t *p;
    ac_error *err;
    int mode;

    if (size < 1) {
        return 0;
    }
    p = fz_pool_begin();
    mode = data[0];
    jwt = fz_cstr(p, data + 1, size - 1);
    memset(&e, 0, sizeof(e));
    e.issuer = FZ_ISS;
    e.audience = FZ_CLIENT;
    e.now = apr_time_from_sec(FZ_NOW_SEC);
    e.clock_skew = FZ_SKEW;
    if (mode & 1) {
        types = apr_array_make(p, 2, sizeof(const char *));
        APR_ARRAY_PUSH(types, const char *) = "at+jwt";
        APR_ARRAY_PUSH(types, const char *) = "JWT";
        e.jwt_types = types;
    }
    if (mode & 2) {
        algs = apr_array_make(p, 2, sizeof(const char *));
        APR_ARRAY_PUSH(algs, const char *) = "HS256";
        APR_ARRAY_PUSH(algs, const char *) = "RS256";
        e.allowed_algs = algs;
    }
    (void)ac_access_token_is_jwt(p, jwt);
    err = ac_access_token_validate(p, jwt, FZ_JWKS, &e, &claims);
    fz_note("access_token", err);
    if (err != NULL) {
        FZ_ASSERT(claims == NULL);
        fz_pool_end(p);
        return 0;
    }
    FZ_ASSERT(claims != NULL);
    FZ_ASSERT(ac_access_token_is_jwt(p, jwt));
    check_accepted(p, claims, jwt, mode & 1);
    scopes = apr_array_make(p, 1, sizeof(const char *));
    APR_ARRAY_PUSH(scopes, const char *) = "api:read";
    missing = ac_access_token_missing_scope(ac_claims_flatten(p, claims),
                                            (mode & 4) ? scopes : NULL);
    FZ_ASSERT(!(mode & 4) || missing == NULL || strcmp(missing, "api:read") == 0);
    FZ_ASSERT((mode & 4) || missing == NULL);
    fz_pool_end(p);
    return 0;
}
