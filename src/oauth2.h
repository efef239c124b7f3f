/*
 * oauth2.h - the OAuth 2.0 calls (RFC 6749) shared by OpenID Connect and
 * plain OAuth 2.0 providers: authorization request, token request and
 * response, protected resource calls.
 */
#ifndef AC_OAUTH2_H
#define AC_OAUTH2_H

#include <jansson.h>
#include "config.h"
#include "http.h"

typedef struct ac_token_response {
    const char *access_token;
    const char *token_type;             /* "Bearer" when the provider omitted it */
    const char *id_token;               /* may be NULL */
    const char *refresh_token;          /* may be NULL */
    long expires_in;                    /* 0 when absent */
    json_t *raw;                        /* every member, for extra fields */
} ac_token_response;

/*
 * Parse a token endpoint answer: JSON, or form-encoded when the content type
 * says so.  An `error` member is an error even with HTTP 200 (code
 * "token_error", message with error and error_description); a non-2xx status
 * is an error; a missing access_token is an error.
 */
ac_error *ac_token_response_parse(apr_pool_t *p, const ac_http_response *r,
                                  ac_token_response *out);

/*
 * Authorization code grant (RFC 6749 4.1.3) with the provider's client
 * authentication (client_secret_basic / client_secret_post / none); sends
 * code_verifier when non-empty and Accept: application/json.
 */
ac_error *ac_oauth2_code_exchange(apr_pool_t *p, const ac_http_opts *h,
                                  const ac_provider *pv,
                                  const char *token_endpoint,
                                  const char *code, const char *redirect_uri,
                                  const char *code_verifier,
                                  ac_token_response *out);

/*
 * Refresh grant (RFC 6749 6) with the provider's client authentication.
 * A refused refresh token gives AC_E_TOKEN_INVALID_GRANT: it is dead and
 * must not be tried again.
 */
ac_error *ac_oauth2_refresh(apr_pool_t *p, const ac_http_opts *h,
                            const ac_provider *pv, const char *token_endpoint,
                            const char *refresh_token, ac_token_response *out);

/*
 * Token revocation (RFC 7009) of `token` (type_hint "refresh_token" or
 * "access_token") with the provider's client authentication, as at the
 * token endpoint (a client assertion's audience is `token_endpoint`).
 * Anything but HTTP 200 is AC_E_REVOCATION_FAILED.
 */
ac_error *ac_oauth2_revoke(apr_pool_t *p, const ac_http_opts *h,
                           const ac_provider *pv, const char *revocation_endpoint,
                           const char *token_endpoint, const char *token,
                           const char *type_hint);

/* GET `url` with the bearer token; the answer must be a JSON object. */
ac_error *ac_oauth2_get_json(apr_pool_t *p, const ac_http_opts *h,
                             const char *url, const char *access_token,
                             json_t **out);

/* The authorization request URL (response_type=code, client_id,
 * redirect_uri, scope, state, nonce when non-NULL, PKCE S256 challenge when
 * `code_verifier` is non-empty, plus the provider's extra parameters). */
char *ac_oauth2_authorize_url(apr_pool_t *p, const ac_provider *pv,
                              const char *authorization_endpoint,
                              const char *redirect_uri, const char *state,
                              const char *nonce, const char *code_verifier);

#endif
