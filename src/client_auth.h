/*
 * client_auth.h - client authentication at the token endpoint by a signed
 * JWT (RFC 7523 section 2.2, OpenID Connect Core 9): client_secret_jwt
 * (HS256 with the client secret) and private_key_jwt (RS256 or ES256 with a
 * key file).
 */
#ifndef AC_CLIENT_AUTH_H
#define AC_CLIENT_AUTH_H

#include "util.h"

#define AC_CLIENT_ASSERTION_TYPE \
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#define AC_CLIENT_ASSERTION_MAX_LIFETIME 60

/*
 * The assertion: iss = sub = client_id, aud = token endpoint, jti 128
 * random bits, iat = now, exp = now + lifetime (at most 60 s).  With `jwk`
 * NULL it is HS256 over `client_secret`; otherwise signed with `jwk` under
 * `alg`, with its kid in the header.
 */
ac_error *ac_client_assertion(apr_pool_t *p, const char *client_id,
                              const char *audience, const char *client_secret,
                              void *jwk, const char *alg, int lifetime,
                              apr_time_t now, const char **jwt);

#endif
