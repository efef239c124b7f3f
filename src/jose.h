/*
 * jose.h - ID token validation (OpenID Connect Core 1.0, 3.1.3.7), on cjose.
 */
#ifndef AC_JOSE_H
#define AC_JOSE_H

#include <jansson.h>
#include "json.h"

typedef struct ac_idtoken_expect {
    const char *issuer;                 /* exact match */
    const char *client_id;              /* in aud; azp when present */
    const char *client_secret;          /* HMAC key, only when HS* is allowed */
    const apr_array_header_t *allowed_algs; /* const char *; NULL = RS*, PS*, ES* */
    const char *nonce;                  /* exact match */
    /* A refreshed ID token (OIDC Core 12.2): the login's nonce is gone, so
     * a nonce is not required, and sub must equal the session's. */
    int refresh;
    const char *sub;                    /* with refresh: exact match */
    const char *access_token;           /* for at_hash; NULL = not checked */
    apr_time_t now;
    int clock_skew;                     /* seconds */
    int iat_max_age;                    /* seconds */
} ac_idtoken_expect;

/*
 * Validate `jwt` against the provider's JWKS document.  The key comes from
 * the JWKS (by kid, else the only key of the right type), never from the
 * token header; `none` is never accepted; HS* only when listed in
 * allowed_algs and then only with the client secret.  On success *claims is
 * the payload object, released by a cleanup on `p`.  Error codes are stable
 * and named after the check ("id_token_alg", "id_token_header" (jwk, jku,
 * x5u, x5c or crit in the header), "id_token_signature", "id_token_iss",
 * "id_token_aud", "id_token_azp", "id_token_exp", "id_token_iat",
 * "id_token_nonce", "id_token_at_hash", "id_token_sub", "id_token_malformed",
 * "jwks_invalid", "jwks_kid_unknown" - the caller may refetch the JWKS once
 * and retry).  The nonce is required unless e->refresh (then e->sub must match).
 */
ac_error *ac_idtoken_validate(apr_pool_t *p, const char *jwt,
                              const char *jwks_json,
                              const ac_idtoken_expect *e, json_t **claims);

/*
 * A string claim of a JWT's payload WITHOUT checking anything: only for
 * choosing what to check it against (Entra's per-tenant issuer), never for
 * trusting it.
 */
const char *ac_jwt_peek_string(apr_pool_t *p, const char *jwt, const char *name);

/*
 * The signature of a compact JWS checked exactly as ac_idtoken_validate
 * checks an ID token's (e->allowed_algs and e->client_secret; the same
 * header rules, key choice and error codes), and no claim at all: for
 * tokens with claim rules of their own (logout_token.h).  On success the
 * protected header and the payload, released by cleanups on `p`.
 */
ac_error *ac_jws_verify(apr_pool_t *p, const char *jwt, const char *jwks_json,
                        const ac_idtoken_expect *e, json_t **header,
                        json_t **payload);

#endif
