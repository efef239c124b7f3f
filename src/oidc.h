/*
 * oidc.h - the OpenID Connect protocol steps that need the network:
 * discovery and JWKS (cached per process), the token request, userinfo, and
 * the token response parser shared with plain OAuth 2.0.
 */
#ifndef AC_OIDC_H
#define AC_OIDC_H

#include <jansson.h>
#include "config.h"
#include "http.h"

typedef struct ac_oidc_metadata {
    const char *issuer;
    const char *authorization_endpoint;
    const char *token_endpoint;
    const char *userinfo_endpoint;      /* may be NULL */
    const char *jwks_uri;
    const char *end_session_endpoint;   /* may be NULL */
    int iss_parameter_supported;        /* RFC 9207 */
} ac_oidc_metadata;

/* Once per process: the in-memory discovery / JWKS cache. */
ac_error *ac_oidc_process_init(apr_pool_t *pproc);

/*
 * The provider's effective endpoints: explicit provider keys win, the rest
 * come from the discovery document at server_metadata_url (fetched at most
 * once per `ttl` seconds per process; when a refresh fails a stale copy is
 * used and the failure is reported through *warning).  The discovery
 * document's issuer must equal the metadata URL's issuer (OIDC Discovery 4.3).
 * Without a metadata URL the explicit keys must be complete.
 */
ac_error *ac_oidc_metadata_get(apr_pool_t *p, const ac_http_opts *h,
                               const ac_provider *pv, int ttl,
                               const ac_oidc_metadata **out,
                               const char **warning);

/*
 * What ac_oidc_metadata_get does once it has the discovery document: `body`
 * (`len` bytes; NULL when the provider has no ServerMetadataURL) parsed,
 * its issuer checked, its endpoints merged under the provider's explicit
 * keys and the result checked for completeness.  No network: the fuzzers
 * call it directly.
 */
ac_error *ac_oidc_metadata_parse(apr_pool_t *p, const ac_provider *pv,
                                 const char *body, apr_size_t len,
                                 const ac_oidc_metadata **out);

/*
 * The JWKS document at `jwks_uri`, cached per process.  With `kid_miss` set
 * (the cached set had no key for a token's kid) it is fetched again, but at
 * most once per `min_interval` seconds, so a flood of unknown kids causes at
 * most one fetch per interval.
 */
ac_error *ac_oidc_jwks_get(apr_pool_t *p, const ac_http_opts *h,
                           const char *jwks_uri, int kid_miss,
                           int min_interval, const char **jwks_json);

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
