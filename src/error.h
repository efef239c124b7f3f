/*
 * error.h - errors as values.  The pure code fills one in and returns it;
 * the httpd glue logs it once and renders the error page.
 *
 * Every error has a stable code (shown on error pages and in log lines, so
 * sysadmins can search for it) and a category that says whose failure it
 * is.  Only the error-page layer turns a category into an HTTP status; the
 * core never picks one.  The codes are listed here, once, with their
 * category: callers compare ids, never strings.
 */
#ifndef AC_ERROR_H
#define AC_ERROR_H

#include <apr_pools.h>

typedef enum {
    AC_CAT_REQUEST,             /* the browser's request is malformed or stale */
    AC_CAT_DENIED,              /* the user, or the provider's answer, is refused */
    AC_CAT_PROVIDER,            /* the provider failed or misbehaved */
    AC_CAT_PROVIDER_TIMEOUT,    /* the provider did not answer in time */
    AC_CAT_CACHE,               /* the session cache failed */
    AC_CAT_CONFIG,              /* the server is misconfigured */
    AC_CAT_INTERNAL             /* a local failure: entropy, crypto, memory */
} ac_error_category;

/* X(ID, "code", CATEGORY) for every error the module can report. */
#define AC_ERROR_CODES(X) \
    X(CODE_MISSING, "code_missing", REQUEST) \
    X(FLOW_COOKIE_MISSING, "flow_cookie_missing", REQUEST) \
    X(FLOW_STATE, "flow_state", REQUEST) \
    X(FORWARDED_INVALID, "forwarded_invalid", REQUEST) \
    X(FORM_DUPLICATE, "form_duplicate", REQUEST) \
    X(FORM_MALFORMED, "form_malformed", REQUEST) \
    X(FORM_TOO_MANY, "form_too_many", REQUEST) \
    X(ISS_MISMATCH, "iss_mismatch", REQUEST) \
    X(ISS_MISSING, "iss_missing", REQUEST) \
    X(LOGOUT_BODY, "logout_body", REQUEST) \
    X(OAUTH1_VERIFIER_MISSING, "oauth1_verifier_missing", REQUEST) \
    X(REDIRECT_REJECTED, "redirect_rejected", REQUEST) \
    X(RELAY_BODY, "relay_body", REQUEST) \
    X(RELAY_BODY_TOO_LARGE, "relay_body_too_large", REQUEST) \
    X(RELAY_LOGIN_REQUIRED, "relay_login_required", REQUEST) \
    X(RELAY_NO_TOKENS, "relay_no_tokens", REQUEST) \
    X(RELAY_OAUTH_PARAM, "relay_oauth_param", REQUEST) \
    X(STATE_MISMATCH, "state_mismatch", REQUEST) \
    X(STATE_MISSING, "state_missing", REQUEST) \
    X(STATE_UNKNOWN, "state_unknown", REQUEST) \
    X(UNKNOWN_PROVIDER, "unknown_provider", REQUEST) \
    /* single logout: back-channel, front-channel, revocation */ \
    X(BACKCHANNEL_REQUEST, "backchannel_request", REQUEST) \
    X(FRONTCHANNEL_REQUEST, "frontchannel_request", REQUEST) \
    X(LOGOUT_ISSUER_UNKNOWN, "logout_issuer_unknown", DENIED) \
    X(LOGOUT_TOKEN_ALG, "logout_token_alg", DENIED) \
    X(LOGOUT_TOKEN_AUD, "logout_token_aud", DENIED) \
    X(LOGOUT_TOKEN_EVENTS, "logout_token_events", DENIED) \
    X(LOGOUT_TOKEN_EXP, "logout_token_exp", DENIED) \
    X(LOGOUT_TOKEN_HEADER, "logout_token_header", DENIED) \
    X(LOGOUT_TOKEN_IAT, "logout_token_iat", DENIED) \
    X(LOGOUT_TOKEN_ISS, "logout_token_iss", DENIED) \
    X(LOGOUT_TOKEN_JTI, "logout_token_jti", DENIED) \
    X(LOGOUT_TOKEN_MALFORMED, "logout_token_malformed", DENIED) \
    X(LOGOUT_TOKEN_NONCE, "logout_token_nonce", DENIED) \
    X(LOGOUT_TOKEN_REPLAYED, "logout_token_replayed", DENIED) \
    X(LOGOUT_TOKEN_SIGNATURE, "logout_token_signature", DENIED) \
    X(LOGOUT_TOKEN_SUBJECT, "logout_token_subject", DENIED) \
    X(REVOCATION_FAILED, "revocation_failed", PROVIDER) \
    /* bearer tokens (RFC 6750, 9068, 7662): bearer.c, access_token.c, \
     * introspection.c */ \
    X(BEARER_MALFORMED, "bearer_malformed", REQUEST) \
    X(BEARER_ALG, "bearer_alg", DENIED) \
    X(BEARER_AUD, "bearer_aud", DENIED) \
    X(BEARER_EXP, "bearer_exp", DENIED) \
    X(BEARER_HEADER, "bearer_header", DENIED) \
    X(BEARER_IAT, "bearer_iat", DENIED) \
    X(BEARER_INACTIVE, "bearer_inactive", DENIED) \
    X(BEARER_ISS, "bearer_iss", DENIED) \
    X(BEARER_NBF, "bearer_nbf", DENIED) \
    X(BEARER_SCOPE, "bearer_scope", DENIED) \
    X(BEARER_SIGNATURE, "bearer_signature", DENIED) \
    X(BEARER_TOKEN_MALFORMED, "bearer_token_malformed", DENIED) \
    X(BEARER_TOKEN_TYPE, "bearer_token_type", DENIED) \
    X(BEARER_TYP, "bearer_typ", DENIED) \
    X(BEARER_USER, "bearer_user", DENIED) \
    X(INTROSPECTION_HTTP_STATUS, "introspection_http_status", PROVIDER) \
    X(INTROSPECTION_MALFORMED, "introspection_malformed", PROVIDER) \
    X(BEARER_CONFIG, "bearer_config", CONFIG) \
    X(ACCESS_DENIED, "access_denied", DENIED) \
    X(ID_TOKEN_ALG, "id_token_alg", DENIED) \
    X(ID_TOKEN_AT_HASH, "id_token_at_hash", DENIED) \
    X(ID_TOKEN_AUD, "id_token_aud", DENIED) \
    X(ID_TOKEN_AZP, "id_token_azp", DENIED) \
    X(ID_TOKEN_EXP, "id_token_exp", DENIED) \
    X(ID_TOKEN_HEADER, "id_token_header", DENIED) \
    X(ID_TOKEN_IAT, "id_token_iat", DENIED) \
    X(ID_TOKEN_ISS, "id_token_iss", DENIED) \
    X(ID_TOKEN_MALFORMED, "id_token_malformed", DENIED) \
    X(ID_TOKEN_NONCE, "id_token_nonce", DENIED) \
    X(ID_TOKEN_SIGNATURE, "id_token_signature", DENIED) \
    X(ID_TOKEN_SUB, "id_token_sub", DENIED) \
    X(JWKS_KID_UNKNOWN, "jwks_kid_unknown", DENIED) \
    X(LOGOUT_CROSS_SITE, "logout_cross_site", DENIED) \
    X(RELAY_CROSS_SITE, "relay_cross_site", DENIED) \
    X(RELAY_OUTSIDE_BASE, "relay_outside_base", DENIED) \
    X(REMOTE_USER_CLAIM_MISSING, "remote_user_claim_missing", DENIED) \
    X(REMOTE_USER_REWRITE, "remote_user_rewrite", DENIED) \
    X(SESSION_INFO_CROSS_SITE, "session_info_cross_site", DENIED) \
    X(TOKEN_ERROR, "token_error", DENIED) \
    X(API_HTTP_STATUS, "api_http_status", PROVIDER) \
    X(API_MALFORMED, "api_malformed", PROVIDER) \
    X(HTTP_TOO_LARGE, "http_too_large", PROVIDER) \
    X(HTTP_TRANSPORT, "http_transport", PROVIDER) \
    X(ID_TOKEN_MISSING, "id_token_missing", PROVIDER) \
    X(JSON_MALFORMED, "json_malformed", PROVIDER) \
    X(JWKS_FETCH, "jwks_fetch", PROVIDER) \
    X(JWKS_INVALID, "jwks_invalid", PROVIDER) \
    X(OAUTH1_CALLBACK_UNCONFIRMED, "oauth1_callback_unconfirmed", PROVIDER) \
    X(OAUTH1_HTTP_STATUS, "oauth1_http_status", PROVIDER) \
    X(OAUTH1_MALFORMED, "oauth1_malformed", PROVIDER) \
    X(OIDC_DISCOVERY, "oidc_discovery", PROVIDER) \
    X(OIDC_DISCOVERY_ISSUER, "oidc_discovery_issuer", PROVIDER) \
    X(PROFILE_HTTP_STATUS, "profile_http_status", PROVIDER) \
    X(PROFILE_MALFORMED, "profile_malformed", PROVIDER) \
    X(PROFILE_NO_ID, "profile_no_id", PROVIDER) \
    X(PROVIDER_ERROR, "provider_error", PROVIDER) \
    X(TOKEN_HTTP_STATUS, "token_http_status", PROVIDER) \
    X(TOKEN_INVALID_GRANT, "token_invalid_grant", PROVIDER) \
    X(TOKEN_MALFORMED, "token_malformed", PROVIDER) \
    X(TOKEN_MISSING_ACCESS_TOKEN, "token_missing_access_token", PROVIDER) \
    X(TOKEN_TYPE_UNSUPPORTED, "token_type_unsupported", PROVIDER) \
    X(USERINFO_SUB_MISMATCH, "userinfo_sub_mismatch", PROVIDER) \
    X(USERINFO_UNAVAILABLE, "userinfo_unavailable", PROVIDER) \
    X(HTTP_TIMEOUT, "http_timeout", PROVIDER_TIMEOUT) \
    X(CACHE_UNAVAILABLE, "cache_unavailable", CACHE) \
    X(CLIENT_ASSERTION, "client_assertion", CONFIG) \
    X(CLIENT_KEY, "client_key", CONFIG) \
    X(KEY_FILE, "key_file", CONFIG) \
    X(HTTP_INSECURE, "http_insecure", CONFIG) \
    X(ID_TOKEN_CONFIG, "id_token_config", CONFIG) \
    X(NO_PROVIDER, "no_provider", CONFIG) \
    X(OAUTH1_CONFIG, "oauth1_config", CONFIG) \
    X(OAUTH1_FORM_METHOD, "oauth1_form_method", CONFIG) \
    X(OAUTH1_METHOD, "oauth1_method", CONFIG) \
    X(OAUTH1_PARAM, "oauth1_param", CONFIG) \
    X(OAUTH1_PLAINTEXT_INSECURE, "oauth1_plaintext_insecure", CONFIG) \
    X(OAUTH1_REALM, "oauth1_realm", CONFIG) \
    X(OAUTH1_RSA_KEY, "oauth1_rsa_key", CONFIG) \
    X(OAUTH1_URL, "oauth1_url", CONFIG) \
    X(OIDC_ISSUER_UNKNOWN, "oidc_issuer_unknown", CONFIG) \
    X(OIDC_METADATA_INCOMPLETE, "oidc_metadata_incomplete", CONFIG) \
    X(PROVIDER_NOT_DEFINED, "provider_not_defined", CONFIG) \
    X(RELAY_CONFIG, "relay_config", CONFIG) \
    X(RELAY_NOT_PROXIED, "relay_not_proxied", CONFIG) \
    X(SEAL_CONFIG, "seal_config", CONFIG) \
    X(SESSION_INFO_CONFIG, "session_info_config", CONFIG) \
    X(TOKEN_AUTH, "token_auth", CONFIG) \
    X(CACHE_VALUE_TOO_LARGE, "cache_value_too_large", INTERNAL) \
    X(CLIENT_ASSERTION_SIGN, "client_assertion_sign", INTERNAL) \
    X(HTTP_INIT, "http_init", INTERNAL) \
    X(OAUTH1_SIGN, "oauth1_sign", INTERNAL) \
    X(OIDC_INIT, "oidc_init", INTERNAL) \
    X(OUT_OF_MEMORY, "out_of_memory", INTERNAL) \
    X(RANDOM, "random", INTERNAL) \
    X(REMOTE_USER_REPLACE, "remote_user_replace", INTERNAL) \
    X(SEAL, "seal", INTERNAL) \
    X(SEAL_OPEN, "seal_open", INTERNAL) \
    X(SEAL_SIZE, "seal_size", INTERNAL) \
    X(SESSION_RECORD, "session_record", INTERNAL) \
    X(TOKEN_RECORD, "token_record", INTERNAL)

typedef enum {
#define AC_ERROR_ENUM(id, code, cat) AC_E_##id,
    AC_ERROR_CODES(AC_ERROR_ENUM)
#undef AC_ERROR_ENUM
    AC_E_COUNT
} ac_error_id;

/* `message` says what happened and what to check, and never carries a
 * token, code or secret. */
typedef struct ac_error {
    ac_error_id id;
    const char *code;           /* the stable text of `id` */
    ac_error_category category;
    const char *message;
} ac_error;

ac_error *ac_error_make(apr_pool_t *p, ac_error_id id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same error with `context: ` before its message, allocated in `p`
 * (also used to move an error out of a scratch pool). */
ac_error *ac_error_wrap(apr_pool_t *p, const ac_error *e, const char *context);

/* The code and category of an id, for tables and tests. */
const char *ac_error_code(ac_error_id id);
ac_error_category ac_error_category_of(ac_error_id id);

#endif
