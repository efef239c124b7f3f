/*
 * access_token.h - what a resource server checks in an access token: JWT
 * access tokens (RFC 9068) verified here against the provider's JWKS, and
 * the claim rules that also apply to an introspection answer (RFC 7662,
 * introspection.h): audience, times, required scopes.
 */
#ifndef AC_ACCESS_TOKEN_H
#define AC_ACCESS_TOKEN_H

#include <jansson.h>
#include "json.h"

typedef struct ac_access_token_expect {
    const char *issuer;                 /* exact match; NULL: iss not checked */
    const char *audience;               /* must be in aud; required */
    /* signature algorithms: NULL = RS*, PS*, ES*; HS* are always refused
     * (a resource server has no key to share with the provider) */
    const apr_array_header_t *allowed_algs;
    /* accepted JWT typ values (const char *), compared without case and
     * with or without "application/"; NULL = at+jwt (RFC 9068 2.1) */
    const apr_array_header_t *jwt_types;
    apr_time_t now;
    int clock_skew;                     /* seconds */
} ac_access_token_expect;

/*
 * Is `token` shaped like a JWS (three parts, a header that is a JSON
 * object with "alg")?  Only chooses between local validation and
 * introspection; nothing is trusted because of it.
 */
int ac_access_token_is_jwt(apr_pool_t *p, const char *token);

/*
 * Validate a JWT access token (RFC 9068 4): signature (ac_jws_verify: the
 * JWKS key by kid, the allow-list, never none, no keys from the header),
 * typ, iss, aud, exp (required), nbf and iat (when present) with the skew.
 * On success *claims is the payload, released with `p`.  Error codes:
 * bearer_token_malformed, bearer_alg, bearer_header, bearer_signature,
 * bearer_typ, bearer_iss, bearer_aud, bearer_exp, bearer_nbf, bearer_iat,
 * jwks_invalid, and jwks_kid_unknown (the caller may refetch the JWKS once
 * and retry).
 */
ac_error *ac_access_token_validate(apr_pool_t *p, const char *jwt,
                                   const char *jwks_json,
                                   const ac_access_token_expect *e,
                                   json_t **claims);

/*
 * The claim checks of an access token, from a JWT or an introspection
 * answer: iss (when e->issuer is set), aud (string or array) contains
 * e->audience, exp (required when `exp_required`) not past, nbf and iat
 * not in the future, each with e->clock_skew.
 */
ac_error *ac_access_token_check_claims(apr_pool_t *p, json_t *claims,
                                       const ac_access_token_expect *e,
                                       int exp_required);

/* exp of the claims as apr_time_t; 0 when it has none. */
apr_time_t ac_access_token_expiry(json_t *claims);

/*
 * The first of `required` (const char *) the token was not granted, or
 * NULL when it has them all.  The grant is the flattened claims' "scope"
 * (RFC 9068 2.2.3, RFC 7662: space-separated) or, without one, "scp"
 * (an array or a space-separated string, as Entra and Okta issue it).
 */
const char *ac_access_token_missing_scope(const apr_array_header_t *claims,
                                          const apr_array_header_t *required);

#endif
