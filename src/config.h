/*
 * config.h - mod_auth_client's configuration records: the global settings,
 * the per-vhost settings, the named provider blocks and the per-directory
 * settings, with their defaults and merge rules (config.c).
 *
 * Every field starts "unset" (NULL, AC_UNSET) so a merge can tell "not
 * configured here" from "configured to the default"; the accessors in
 * config.c apply the defaults.
 */
#ifndef AC_CONFIG_H
#define AC_CONFIG_H

#include <apr_hash.h>
#include <apr_tables.h>
#include <apr_time.h>
#include "http.h"
#include "util.h"

#define AC_UNSET (-1)

typedef enum {
    AC_KIND_UNSET = 0,
    AC_KIND_OAUTH1,             /* request token URL set (RFC 5849) */
    AC_KIND_OAUTH2,             /* authorize + token URL, no openid */
    AC_KIND_OIDC                /* metadata URL, or openid in the scope */
} ac_kind;

typedef enum {
    AC_TOKEN_AUTH_UNSET = 0,
    AC_TOKEN_AUTH_BASIC,        /* client_secret_basic */
    AC_TOKEN_AUTH_POST,         /* client_secret_post */
    AC_TOKEN_AUTH_NONE,         /* public client */
    AC_TOKEN_AUTH_SECRET_JWT,   /* client_secret_jwt */
    AC_TOKEN_AUTH_PRIVATE_KEY_JWT
} ac_token_auth;

typedef enum {
    AC_PKCE_UNSET = 0,
    AC_PKCE_NONE,
    AC_PKCE_S256
} ac_pkce;

/* One <AuthClientProvider NAME> block. */
typedef struct ac_provider {
    const char *name;
    const char *defined_in;         /* "file:line", for startup messages */

    const char *client_id;
    const char *client_secret;      /* resolved (file:/exec: already read) */

    /* endpoints; NULL = take from discovery where discovery exists */
    const char *server_metadata_url;
    const char *issuer;
    const char *authorize_url;
    const char *access_token_url;
    const char *userinfo_url;
    const char *jwks_uri;
    const char *end_session_url;
    const char *revocation_url;     /* RFC 7009 */
    const char *request_token_url;  /* OAuth 1.0a only */
    const char *api_base_url;

    /* extra parameters, as "a=1&b=2" (already form-encoded) */
    const char *authorize_params;
    const char *access_token_params;
    const char *request_token_params;
    /* the same for OAuth 1.0a signing, as ac_kv lists (at block end) */
    apr_array_header_t *access_token_kv;
    apr_array_header_t *request_token_kv;

    /* the kind its keys imply, worked out once at the end of the block */
    ac_kind kind;
    /* hex digest of what identifies it (kind, issuer or endpoints, client
     * id): sessions and logins are bound to it, so a same-named provider
     * of another vhost, issuer or tenant does not accept them */
    const char *fingerprint;
    /* its row in the status counters (metrics.h), by name in config order */
    int metrics_slot;

    const char *scope;
    ac_token_auth token_auth;
    ac_pkce pkce;
    int fetch_userinfo;             /* AC_UNSET, 0, 1 */

    const char *remote_user_claim;
    const char *remote_user_regex;  /* source, compiled by the glue */
    void *remote_user_re;           /* ap_regex_t *, compiled at startup */
    const char *remote_user_replace;

    /* id_token signature algorithms allowed; NULL = the asymmetric set */
    apr_array_header_t *id_token_algs;

    /* post_logout_redirect_uri sent to the provider's end_session_endpoint */
    const char *post_logout_redirect_uri;

    /* more profile calls on the API base URL (e.g. GitHub's user/emails) */
    apr_array_header_t *userinfo_extra_urls;

    /* OAuth 1.0a signing: ac_oauth1_method / ac_oauth1_placement, AC_UNSET */
    int signature_method;
    int signature_placement;
    const char *realm;
    /* the chooser's entry (pages.c): NULL = the provider's name, no icon */
    const char *display_name;
    const char *icon;               /* a local path or an https URL */

    /* RSA-SHA1 (OAuth 1.0a) or private_key_jwt key, loaded at startup */
    const char *private_key_file;
    const char *private_key_id;
    void *oauth1_rsa_key;               /* EVP_PKEY * */
    void *assertion_jwk;                /* cjose_jwk_t * */
    const char *assertion_alg;

    /* Preset NAME [ARG]: fills what the block leaves unset */
    const char *preset;
    const char *preset_arg;
    /* Microsoft Entra "common"/"organizations": the issuer carries the
     * token's tenant ({tenantid}), checked against its tid claim */
    int multi_tenant_issuer;
} ac_provider;

/* Process-wide settings (global context only, like SSLSessionCache). */
typedef struct ac_global_conf {
    const char *cache_spec;         /* "shmcb", "memcache:h:p", "redis:h:p" */
    const char *cache_spec_where;   /* "file:line" */
    apr_array_header_t *passphrases; /* const char *; [0] encrypts */
    apr_int64_t login_cache_size;   /* bytes of the shmcb logins store; AC_UNSET */
    const char *login_cache_size_where;
    /* AuthClientSessionLocalCache: seconds (0 off) and entries (AC_UNSET) */
    int local_cache_seconds;
    int local_cache_entries;
} ac_global_conf;

/* Per virtual host; merged base -> vhost. */
typedef struct ac_server_conf {
    const char *callback_path;
    const char *logout_path;
    const char *cookie_name;
    const char *flow_cookie_name;
    const char *cookie_path;
    /* "file:line" of the three paths above, for the startup checks that
     * compare them; merged with them */
    const char *callback_path_where;
    const char *logout_path_where;
    const char *cookie_path_where;
    /* single logout: NULL = not offered; with where they were set */
    const char *backchannel_logout_path;
    const char *backchannel_logout_path_where;
    const char *frontchannel_logout_path;
    const char *frontchannel_logout_path_where;
    const char *cookie_domain;

    int session_inactivity;         /* seconds */
    int session_max;                /* seconds */
    int state_ttl;                  /* seconds */

    int http_connect_timeout;       /* seconds */
    int http_timeout;               /* seconds */
    int http_max_response;          /* bytes */
    const char *ca_file;
    /* AuthClientTemplateDir (pages.c): the pages read from it, indexed by
     * ac_page_id; NULL = the built-in design throughout */
    const char *template_dir;
    const char *const *templates;

    int metadata_ttl;               /* seconds */
    int jwks_refresh_interval;      /* seconds: min time between kid-miss fetches */
    int clock_skew;                 /* seconds */
    int iat_max_age;                /* seconds */

    apr_array_header_t *logout_redirect_allow; /* absolute URL prefixes */

    /* AuthClientTrustedProxy: apr_ipsubnet_t *; NULL = no proxy trusted */
    apr_array_header_t *trusted_proxies;
    /* AuthClientRedirectURI: an absolute URL that is the redirect URI and
     * whose origin is the site's (origin.c); NULL = from the request */
    const char *redirect_uri;

    /* sessions are valid within one scope; default the vhost's ServerName */
    const char *session_scope;

    apr_hash_t *providers;          /* name -> ac_provider * */
} ac_server_conf;

/* what a request without a session gets (AuthClientUnauthAction) */
typedef enum {
    AC_UNAUTH_UNSET = 0,
    AC_UNAUTH_AUTH,                 /* redirect navigations, 401 the rest
                                     * (also spelt "auto", its first name) */
    AC_UNAUTH_PASS,                 /* continue without a user */
    AC_UNAUTH_401,
    AC_UNAUTH_410
} ac_unauth_action;

typedef enum {
    AC_REFRESH_UNSET = 0,
    AC_REFRESH_AUTO,                /* when the request uses the tokens */
    AC_REFRESH_ON,                  /* on every request of the location */
    AC_REFRESH_OFF
} ac_refresh_mode;

typedef enum {
    AC_REFRESH_FAIL_UNSET = 0,
    AC_REFRESH_FAIL_AUTO,           /* invalid_grant: logout; else pass */
    AC_REFRESH_FAIL_LOGOUT,         /* end the session, log in again */
    AC_REFRESH_FAIL_PASS,           /* go on with the stale token */
    AC_REFRESH_FAIL_ERROR           /* 502 */
} ac_refresh_failure;

typedef enum {
    AC_BEARER_UNSET = 0,
    AC_BEARER_OFF,
    AC_BEARER_ON,                   /* a bearer token if sent, else a session */
    AC_BEARER_ONLY                  /* APIs: bearer tokens, no session, no login */
} ac_bearer_mode;

/* Per directory / location; merged outer -> inner. */
typedef struct ac_dir_conf {
    apr_array_header_t *providers;  /* provider names, NULL = unset */
    const char *claim_prefix;
    int pass_access_token;          /* AC_UNSET, 0, 1 */
    int claim_headers;              /* AC_UNSET, 0, 1: also as request headers */
    ac_unauth_action unauth_action;
    ac_refresh_mode refresh;
    int refresh_margin;             /* seconds before expiry */
    ac_refresh_failure refresh_failure;
    int pass_refresh_token;         /* AC_UNSET, 0, 1 */
    /* bearer tokens (RFC 6750), bearer.c */
    ac_bearer_mode bearer;
    const char *bearer_audience;    /* the resource identifier; no default */
    const char *bearer_provider;    /* NULL: the location's only provider */
    apr_array_header_t *bearer_scopes;      /* const char *, all required */
    apr_array_header_t *bearer_jwt_types;   /* const char *; NULL: at+jwt */
    const char *bearer_remote_user_claim;
    int introspection_ttl;          /* seconds */
    /* AuthClientAPIRelay: the provider whose credentials the proxied
     * requests here carry (relay.c); NULL = no relay */
    const char *api_relay;
    /* CORS preflights pass unauthenticated (AuthClientPassCORSPreflight,
     * preflight.c): AC_UNSET, 0, 1 */
    int pass_cors_preflight;
    /* the location answers with the session's JSON summary
     * (AuthClientSessionInfo, session_info.c): AC_UNSET, 0, 1 */
    int session_info;
    /* the claims it may show (AuthClientSessionInfoClaims); NULL: none */
    apr_array_header_t *session_info_claims;
} ac_dir_conf;

/* create / merge (config.c); merges allocate and never change their inputs */
ac_global_conf *ac_global_conf_create(apr_pool_t *p);
ac_server_conf *ac_server_conf_create(apr_pool_t *p);
ac_server_conf *ac_server_conf_merge(apr_pool_t *p, const ac_server_conf *base,
                                     const ac_server_conf *add);
ac_dir_conf *ac_dir_conf_create(apr_pool_t *p);
ac_dir_conf *ac_dir_conf_merge(apr_pool_t *p, const ac_dir_conf *base,
                               const ac_dir_conf *add);
ac_provider *ac_provider_create(apr_pool_t *p, const char *name,
                                const char *defined_in);

/* effective values with defaults applied */
const char *ac_conf_callback_path(const ac_server_conf *c);
const char *ac_conf_logout_path(const ac_server_conf *c);
/* NULL when the vhost offers no back-channel / front-channel logout */
const char *ac_conf_backchannel_logout_path(const ac_server_conf *c);
const char *ac_conf_frontchannel_logout_path(const ac_server_conf *c);
const char *ac_conf_cookie_name(const ac_server_conf *c);
const char *ac_conf_flow_cookie_name(const ac_server_conf *c);
const char *ac_conf_cookie_path(const ac_server_conf *c);
int ac_conf_session_inactivity(const ac_server_conf *c);
int ac_conf_session_max(const ac_server_conf *c);
int ac_conf_state_ttl(const ac_server_conf *c);
int ac_conf_http_connect_timeout(const ac_server_conf *c);
int ac_conf_http_timeout(const ac_server_conf *c);
int ac_conf_http_max_response(const ac_server_conf *c);
int ac_conf_metadata_ttl(const ac_server_conf *c);
int ac_conf_jwks_refresh_interval(const ac_server_conf *c);
int ac_conf_clock_skew(const ac_server_conf *c);
int ac_conf_iat_max_age(const ac_server_conf *c);
/* the scope this vhost's sessions are bound to: AuthClientSessionScope,
 * else `server_name` (the vhost's ServerName) */
const char *ac_conf_session_scope(const ac_server_conf *c, const char *server_name);
/* the provider block of that name in this vhost, or NULL */
const ac_provider *ac_conf_find_provider(const ac_server_conf *c, const char *name);
/* the outbound HTTP options of this vhost */
void ac_conf_http_opts(const ac_server_conf *c, ac_http_opts *o);

/* Does any AuthClient* directive apply to this directory? */
int ac_dir_conf_in_use(const ac_dir_conf *d);
const char *ac_dir_claim_prefix(const ac_dir_conf *d);
int ac_dir_pass_access_token(const ac_dir_conf *d);
int ac_dir_claim_headers(const ac_dir_conf *d);
ac_unauth_action ac_dir_unauth_action(const ac_dir_conf *d);
/* defaults Off */
int ac_dir_pass_cors_preflight(const ac_dir_conf *d);
int ac_dir_session_info(const ac_dir_conf *d);
ac_refresh_mode ac_dir_refresh(const ac_dir_conf *d);
int ac_dir_refresh_margin(const ac_dir_conf *d);
ac_refresh_failure ac_dir_refresh_failure(const ac_dir_conf *d);
int ac_dir_pass_refresh_token(const ac_dir_conf *d);
/* Does a request here read the session's tokens (export, refresh, relay)? */
int ac_dir_uses_tokens(const ac_dir_conf *d);
/* bearer tokens: defaults off, sub, 60 s */
ac_bearer_mode ac_dir_bearer(const ac_dir_conf *d);
const char *ac_dir_bearer_remote_user_claim(const ac_dir_conf *d);
int ac_dir_introspection_ttl(const ac_dir_conf *d);

/* provider helpers */
ac_kind ac_provider_kind(const ac_provider *pv);
/* DisplayName, or the provider's config name */
const char *ac_provider_display_name(const ac_provider *pv);
ac_token_auth ac_provider_token_auth(const ac_provider *pv);
ac_pkce ac_provider_pkce(const ac_provider *pv);
const char *ac_provider_scope(const ac_provider *pv);
const char *ac_provider_remote_user_claim(const ac_provider *pv);
const char *ac_kind_name(ac_kind kind);

/*
 * Set one key of a provider block from its arguments (already split).
 * Returns NULL or a message naming the key and what to do.  Secrets given as
 * file:/exec: are resolved here, so `ptemp` may run helper programs.
 */
const char *ac_provider_set(apr_pool_t *p, apr_pool_t *ptemp, ac_provider *pv,
                            const char *key, int argc, char *const argv[]);

/* Whole-block checks after the block ends: required keys, consistency. */
const char *ac_provider_check(apr_pool_t *p, const ac_provider *pv);

/* At the end of a block: apply the preset, load key files, then check. */
const char *ac_provider_finish(apr_pool_t *p, ac_provider *pv);

/* The provider keys, for the reference check test and error messages. */
typedef struct ac_provider_key {
    const char *name;
    const char *syntax;
    const char *help;
} ac_provider_key;
/* The i-th key, NULL past the last. */
const ac_provider_key *ac_provider_key_at(apr_size_t i);

#endif
