/*
 * config.c - defaults, merge rules and the provider block's keys.
 *
 * Merges follow mod_auth_form: a field set in the inner record wins,
 * otherwise the outer one is kept, and the defaults are applied only by the
 * accessors below, so "explicitly set to the default" still overrides.
 */
#include <apr_lib.h>
#include <apr_strings.h>

#include "config.h"
#include "keys.h"
#include "oauth1.h"
#include "oidc.h"
#include "presets.h"
#include "secret.h"
#include "url.h"

#define MERGE_PTR(field) (add->field != NULL ? add->field : base->field)
#define MERGE_INT(field) (add->field != AC_UNSET ? add->field : base->field)
#define MERGE_ENUM(field) (add->field != 0 ? add->field : base->field)
#define OR_DEFAULT(value, dflt) ((value) != AC_UNSET ? (value) : (dflt))

/* ---- process-wide (global context) ------------------------------------------ */

ac_global_conf *ac_global_conf_create(apr_pool_t *p)
{
    ac_global_conf *g = apr_pcalloc(p, sizeof(*g));

    g->passphrases = apr_array_make(p, 2, sizeof(const char *));
    g->login_cache_size = AC_UNSET;
    g->local_cache_entries = AC_UNSET;
    return g;
}

/* ---- server (vhost) -------------------------------------------------------- */

ac_server_conf *ac_server_conf_create(apr_pool_t *p)
{
    ac_server_conf *c = apr_pcalloc(p, sizeof(*c));

    c->session_inactivity = AC_UNSET;
    c->session_max = AC_UNSET;
    c->state_ttl = AC_UNSET;
    c->http_connect_timeout = AC_UNSET;
    c->http_timeout = AC_UNSET;
    c->http_max_response = AC_UNSET;
    c->metadata_ttl = AC_UNSET;
    c->jwks_refresh_interval = AC_UNSET;
    c->clock_skew = AC_UNSET;
    c->iat_max_age = AC_UNSET;
    c->providers = apr_hash_make(p);
    return c;
}

ac_server_conf *ac_server_conf_merge(apr_pool_t *p, const ac_server_conf *base,
                                     const ac_server_conf *add)
{
    ac_server_conf *c = apr_pcalloc(p, sizeof(*c));

    c->callback_path = MERGE_PTR(callback_path);
    c->logout_path = MERGE_PTR(logout_path);
    c->cookie_name = MERGE_PTR(cookie_name);
    c->flow_cookie_name = MERGE_PTR(flow_cookie_name);
    c->cookie_path = MERGE_PTR(cookie_path);
    c->callback_path_where = MERGE_PTR(callback_path_where);
    c->logout_path_where = MERGE_PTR(logout_path_where);
    c->cookie_path_where = MERGE_PTR(cookie_path_where);
    c->backchannel_logout_path = MERGE_PTR(backchannel_logout_path);
    c->backchannel_logout_path_where = MERGE_PTR(backchannel_logout_path_where);
    c->frontchannel_logout_path = MERGE_PTR(frontchannel_logout_path);
    c->frontchannel_logout_path_where = MERGE_PTR(frontchannel_logout_path_where);
    c->cookie_domain = MERGE_PTR(cookie_domain);
    c->session_inactivity = MERGE_INT(session_inactivity);
    c->session_max = MERGE_INT(session_max);
    c->state_ttl = MERGE_INT(state_ttl);
    c->http_connect_timeout = MERGE_INT(http_connect_timeout);
    c->http_timeout = MERGE_INT(http_timeout);
    c->http_max_response = MERGE_INT(http_max_response);
    c->ca_file = MERGE_PTR(ca_file);
    c->template_dir = MERGE_PTR(template_dir);
    c->templates = MERGE_PTR(templates);
    c->metadata_ttl = MERGE_INT(metadata_ttl);
    c->jwks_refresh_interval = MERGE_INT(jwks_refresh_interval);
    c->clock_skew = MERGE_INT(clock_skew);
    c->iat_max_age = MERGE_INT(iat_max_age);
    c->logout_redirect_allow = MERGE_PTR(logout_redirect_allow);
    c->session_scope = MERGE_PTR(session_scope);
    c->trusted_proxies = MERGE_PTR(trusted_proxies);
    c->redirect_uri = MERGE_PTR(redirect_uri);
    /* a vhost may redefine a provider by name: its own entries win */
    c->providers = apr_hash_overlay(p, add->providers, base->providers);
    return c;
}

const char *ac_conf_callback_path(const ac_server_conf *c)
{
    return c->callback_path ? c->callback_path : "/auth/callback";
}

const char *ac_conf_logout_path(const ac_server_conf *c)
{
    return c->logout_path ? c->logout_path : "/auth/logout";
}

const char *ac_conf_backchannel_logout_path(const ac_server_conf *c)
{
    return c->backchannel_logout_path;
}

const char *ac_conf_frontchannel_logout_path(const ac_server_conf *c)
{
    return c->frontchannel_logout_path;
}

const char *ac_conf_cookie_name(const ac_server_conf *c)
{
    return c->cookie_name ? c->cookie_name : "ac_session";
}

const char *ac_conf_flow_cookie_name(const ac_server_conf *c)
{
    return c->flow_cookie_name ? c->flow_cookie_name : "ac_flow";
}

const char *ac_conf_cookie_path(const ac_server_conf *c)
{
    return c->cookie_path ? c->cookie_path : "/";
}

int ac_conf_session_inactivity(const ac_server_conf *c)
{
    return OR_DEFAULT(c->session_inactivity, 3600);
}

int ac_conf_session_max(const ac_server_conf *c)
{
    return OR_DEFAULT(c->session_max, 8 * 3600);
}

int ac_conf_state_ttl(const ac_server_conf *c)
{
    return OR_DEFAULT(c->state_ttl, 300);
}

int ac_conf_http_connect_timeout(const ac_server_conf *c)
{
    return OR_DEFAULT(c->http_connect_timeout, 5);
}

int ac_conf_http_timeout(const ac_server_conf *c)
{
    return OR_DEFAULT(c->http_timeout, 10);
}

int ac_conf_http_max_response(const ac_server_conf *c)
{
    return OR_DEFAULT(c->http_max_response, 1024 * 1024);
}

int ac_conf_metadata_ttl(const ac_server_conf *c)
{
    return OR_DEFAULT(c->metadata_ttl, 3600);
}

int ac_conf_jwks_refresh_interval(const ac_server_conf *c)
{
    return OR_DEFAULT(c->jwks_refresh_interval, 60);
}

int ac_conf_clock_skew(const ac_server_conf *c)
{
    return OR_DEFAULT(c->clock_skew, 120);
}

int ac_conf_iat_max_age(const ac_server_conf *c)
{
    return OR_DEFAULT(c->iat_max_age, 600);
}

const char *ac_conf_session_scope(const ac_server_conf *c, const char *server_name)
{
    return c->session_scope ? c->session_scope : (server_name ? server_name : "");
}

const ac_provider *ac_conf_find_provider(const ac_server_conf *c, const char *name)
{
    return name ? apr_hash_get(c->providers, name, APR_HASH_KEY_STRING) : NULL;
}

void ac_conf_http_opts(const ac_server_conf *c, ac_http_opts *o)
{
    o->connect_timeout = ac_conf_http_connect_timeout(c);
    o->timeout = ac_conf_http_timeout(c);
    o->max_response = (apr_size_t)ac_conf_http_max_response(c);
    o->ca_file = c->ca_file;
    o->observe = NULL;
    o->observe_ctx = NULL;
}

/* ---- directory ------------------------------------------------------------ */

/* A location that sets nothing of ours: every field unset. */
static const ac_dir_conf dir_conf_unset = {
    .pass_access_token = AC_UNSET,
    .claim_headers = AC_UNSET,
    .refresh_margin = AC_UNSET,
    .pass_refresh_token = AC_UNSET,
    .introspection_ttl = AC_UNSET,
    .pass_cors_preflight = AC_UNSET,
    .session_info = AC_UNSET,
};

ac_dir_conf *ac_dir_conf_create(apr_pool_t *p)
{
    return apr_pmemdup(p, &dir_conf_unset, sizeof(dir_conf_unset));
}

static int dir_conf_sets_nothing(const ac_dir_conf *d)
{
    return memcmp(d, &dir_conf_unset, sizeof(*d)) == 0;
}

ac_dir_conf *ac_dir_conf_merge(apr_pool_t *p, const ac_dir_conf *base,
                               const ac_dir_conf *add)
{
    ac_dir_conf *d;

    /* httpd merges per request, once per section that applies; most of
     * them set nothing of ours, and the merge of such a section is the
     * other one, as it is (neither is ever written after startup) */
    if (dir_conf_sets_nothing(add)) {
        return (ac_dir_conf *)base;
    }
    if (dir_conf_sets_nothing(base)) {
        return (ac_dir_conf *)add;
    }
    d = apr_pcalloc(p, sizeof(*d));
    d->providers = MERGE_PTR(providers);
    d->claim_prefix = MERGE_PTR(claim_prefix);
    d->pass_access_token = MERGE_INT(pass_access_token);
    d->claim_headers = MERGE_INT(claim_headers);
    d->unauth_action = MERGE_ENUM(unauth_action);
    d->refresh = MERGE_ENUM(refresh);
    d->refresh_margin = MERGE_INT(refresh_margin);
    d->refresh_failure = MERGE_ENUM(refresh_failure);
    d->pass_refresh_token = MERGE_INT(pass_refresh_token);
    d->bearer = MERGE_ENUM(bearer);
    d->bearer_audience = MERGE_PTR(bearer_audience);
    d->bearer_provider = MERGE_PTR(bearer_provider);
    d->bearer_scopes = MERGE_PTR(bearer_scopes);
    d->bearer_jwt_types = MERGE_PTR(bearer_jwt_types);
    d->bearer_remote_user_claim = MERGE_PTR(bearer_remote_user_claim);
    d->introspection_ttl = MERGE_INT(introspection_ttl);
    d->api_relay = MERGE_PTR(api_relay);
    d->pass_cors_preflight = MERGE_INT(pass_cors_preflight);
    d->session_info = MERGE_INT(session_info);
    d->session_info_claims = MERGE_PTR(session_info_claims);
    return d;
}

int ac_dir_conf_in_use(const ac_dir_conf *d)
{
    return d->providers != NULL || d->claim_prefix != NULL
        || d->pass_access_token != AC_UNSET || d->claim_headers != AC_UNSET
        || d->unauth_action != AC_UNAUTH_UNSET || d->refresh != AC_REFRESH_UNSET
        || d->refresh_margin != AC_UNSET || d->refresh_failure != AC_REFRESH_FAIL_UNSET
        || d->pass_refresh_token != AC_UNSET || d->bearer != AC_BEARER_UNSET
        || d->api_relay != NULL || d->pass_cors_preflight != AC_UNSET
        || d->session_info != AC_UNSET || d->session_info_claims != NULL;
}

ac_refresh_mode ac_dir_refresh(const ac_dir_conf *d)
{
    return d->refresh != AC_REFRESH_UNSET ? d->refresh : AC_REFRESH_AUTO;
}

int ac_dir_refresh_margin(const ac_dir_conf *d)
{
    return d->refresh_margin != AC_UNSET ? d->refresh_margin : 60;
}

ac_refresh_failure ac_dir_refresh_failure(const ac_dir_conf *d)
{
    return d->refresh_failure != AC_REFRESH_FAIL_UNSET ? d->refresh_failure
                                                       : AC_REFRESH_FAIL_AUTO;
}

int ac_dir_pass_refresh_token(const ac_dir_conf *d)
{
    return d->pass_refresh_token == 1;
}

int ac_dir_uses_tokens(const ac_dir_conf *d)
{
    return ac_dir_pass_access_token(d) || ac_dir_pass_refresh_token(d)
        || ac_dir_refresh(d) == AC_REFRESH_ON || d->api_relay != NULL;
}

ac_bearer_mode ac_dir_bearer(const ac_dir_conf *d)
{
    return d->bearer != AC_BEARER_UNSET ? d->bearer : AC_BEARER_OFF;
}

const char *ac_dir_bearer_remote_user_claim(const ac_dir_conf *d)
{
    return d->bearer_remote_user_claim ? d->bearer_remote_user_claim : "sub";
}

int ac_dir_introspection_ttl(const ac_dir_conf *d)
{
    return OR_DEFAULT(d->introspection_ttl, 60);
}

const char *ac_dir_claim_prefix(const ac_dir_conf *d)
{
    return d->claim_prefix ? d->claim_prefix : "OIDC_CLAIM_";
}

int ac_dir_pass_access_token(const ac_dir_conf *d)
{
    return OR_DEFAULT(d->pass_access_token, 0);
}

int ac_dir_claim_headers(const ac_dir_conf *d)
{
    return OR_DEFAULT(d->claim_headers, 0);
}

ac_unauth_action ac_dir_unauth_action(const ac_dir_conf *d)
{
    /* an API call cannot follow a login redirect, whatever is configured */
    if (d->api_relay != NULL) {
        return AC_UNAUTH_401;
    }
    return d->unauth_action != AC_UNAUTH_UNSET ? d->unauth_action : AC_UNAUTH_AUTH;
}

int ac_dir_pass_cors_preflight(const ac_dir_conf *d)
{
    return OR_DEFAULT(d->pass_cors_preflight, 0);
}

int ac_dir_session_info(const ac_dir_conf *d)
{
    return OR_DEFAULT(d->session_info, 0);
}

/* ---- provider ------------------------------------------------------------ */

ac_provider *ac_provider_create(apr_pool_t *p, const char *name,
                                const char *defined_in)
{
    ac_provider *pv = apr_pcalloc(p, sizeof(*pv));

    pv->name = apr_pstrdup(p, name);
    pv->defined_in = apr_pstrdup(p, defined_in);
    pv->fetch_userinfo = AC_UNSET;
    pv->signature_method = AC_UNSET;
    pv->signature_placement = AC_UNSET;
    return pv;
}

static int scope_has_openid(const char *scope)
{
    const char *s = scope;
    apr_size_t n = strlen("openid");

    while (s && (s = strstr(s, "openid")) != NULL) {
        int starts = (s == scope || s[-1] == ' ');
        int ends = (s[n] == '\0' || s[n] == ' ');
        if (starts && ends) {
            return 1;
        }
        s += n;
    }
    return 0;
}

static ac_kind kind_derive(const ac_provider *pv)
{
    if (pv->request_token_url) {
        return AC_KIND_OAUTH1;
    }
    if (pv->server_metadata_url || (pv->scope && scope_has_openid(pv->scope))) {
        return AC_KIND_OIDC;
    }
    return AC_KIND_OAUTH2;
}

ac_kind ac_provider_kind(const ac_provider *pv)
{
    return pv->kind != AC_KIND_UNSET ? pv->kind : kind_derive(pv);
}

const char *ac_kind_name(ac_kind kind)
{
    switch (kind) {
    case AC_KIND_OAUTH1: return "OAuth 1.0a";
    case AC_KIND_OAUTH2: return "OAuth 2.0";
    case AC_KIND_OIDC: return "OpenID Connect";
    default: return "unknown";
    }
}

ac_token_auth ac_provider_token_auth(const ac_provider *pv)
{
    return pv->token_auth != AC_TOKEN_AUTH_UNSET ? pv->token_auth
                                                 : AC_TOKEN_AUTH_BASIC;
}

ac_pkce ac_provider_pkce(const ac_provider *pv)
{
    return pv->pkce != AC_PKCE_UNSET ? pv->pkce : AC_PKCE_S256;
}

const char *ac_provider_scope(const ac_provider *pv)
{
    if (pv->scope) {
        return pv->scope;
    }
    return ac_provider_kind(pv) == AC_KIND_OIDC ? "openid" : "";
}

const char *ac_provider_display_name(const ac_provider *pv)
{
    return pv->display_name ? pv->display_name : pv->name;
}

const char *ac_provider_remote_user_claim(const ac_provider *pv)
{
    if (pv->remote_user_claim) {
        return pv->remote_user_claim;
    }
    switch (ac_provider_kind(pv)) {
    case AC_KIND_OAUTH1: return "screen_name";
    case AC_KIND_OAUTH2: return "login";
    default: return "sub";
    }
}

/* ---- provider keys ------------------------------------------------------- */

typedef const char *(*key_setter)(apr_pool_t *p, apr_pool_t *ptemp,
                                  ac_provider *pv, int argc,
                                  char *const argv[]);

static const char *set_url(apr_pool_t *p, const char **field, int argc,
                           char *const argv[])
{
    if (argc != 1) {
        return "takes exactly one URL";
    }
    if (!ac_url_is_secure_or_loopback(p, argv[0])) {
        return apr_psprintf(p, "'%s' must be an https URL (http is accepted "
                            "only for loopback hosts)", argv[0]);
    }
    *field = apr_pstrdup(p, argv[0]);
    return NULL;
}

static const char *set_word(apr_pool_t *p, const char **field, int argc,
                            char *const argv[])
{
    if (argc != 1 || argv[0][0] == '\0') {
        return "takes exactly one non-empty value";
    }
    *field = apr_pstrdup(p, argv[0]);
    return NULL;
}

/*
 * Parameters the module sends itself, per request kind.  A second copy
 * from the configuration would make the request ambiguous at best (which
 * one the provider reads is up to it) and break the login at worst, so the
 * block refuses them at startup.  A trailing '*' is a prefix.
 */
typedef struct reserved_param {
    const char *name;
    const char *instead;        /* the key to use instead, or NULL */
} reserved_param;

static const reserved_param authorize_reserved[] = {
    { "response_type", NULL }, { "client_id", "ClientID" },
    { "redirect_uri", NULL }, { "scope", "Scope" }, { "state", NULL },
    { "nonce", NULL }, { "code_challenge", NULL },
    { "code_challenge_method", "CodeChallengeMethod" },
    /* form_post or fragment would deliver the answer where the callback
     * does not look for it */
    { "response_mode", NULL },
    { "oauth_*", NULL }, { NULL, NULL }
};
static const reserved_param access_token_reserved[] = {
    { "grant_type", NULL }, { "code", NULL }, { "redirect_uri", NULL },
    { "code_verifier", NULL }, { "client_id", "ClientID" },
    { "client_secret", "ClientSecret" },
    { "client_assertion", "TokenEndpointAuthMethod" },
    { "client_assertion_type", "TokenEndpointAuthMethod" },
    { "refresh_token", NULL }, { "oauth_*", NULL }, { NULL, NULL }
};
static const reserved_param request_token_reserved[] = {
    { "oauth_*", NULL }, { NULL, NULL }
};

static const reserved_param *reserved_find(const reserved_param *list,
                                           const char *name)
{
    for (; list->name; list++) {
        apr_size_t n = strlen(list->name);
        if (list->name[n - 1] == '*' ? strncmp(name, list->name, n - 1) == 0
                                     : strcmp(name, list->name) == 0) {
            return list;
        }
    }
    return NULL;
}

static const char *reserved_message(apr_pool_t *p, const char *name,
                                    const reserved_param *rp)
{
    if (rp->instead) {
        return apr_psprintf(p, "must not set '%s', which the module sends "
                            "itself; use the %s key instead", name,
                            rp->instead);
    }
    return apr_psprintf(p, "must not set '%s', which the module sends itself "
                        "(a second copy makes the request ambiguous); remove "
                        "it", name);
}

/* "k=v" arguments, each escaped into one form-encoded string */
static const char *set_params(apr_pool_t *p, const char **field, int argc,
                              char *const argv[], const reserved_param *reserved)
{
    const char *out = *field;
    const reserved_param *rp;
    int i;

    if (argc < 1) {
        return "takes one or more name=value arguments";
    }
    for (i = 0; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        const char *name, *pair;
        if (eq == NULL || eq == argv[i]) {
            return apr_psprintf(p, "'%s' is not name=value", argv[i]);
        }
        name = apr_pstrndup(p, argv[i], eq - argv[i]);
        if ((rp = reserved_find(reserved, name)) != NULL) {
            return reserved_message(p, name, rp);
        }
        pair = apr_pstrcat(p, ac_url_escape(p, name), "=",
                           ac_url_escape(p, eq + 1), NULL);
        out = out ? apr_pstrcat(p, out, "&", pair, NULL) : pair;
    }
    *field = out;
    return NULL;
}

#define URL_SETTER(fn, field)                                                 \
    static const char *fn(apr_pool_t *p, apr_pool_t *ptemp, ac_provider *pv,  \
                          int argc, char *const argv[])                       \
    {                                                                         \
        return set_url(p, &pv->field, argc, argv);                            \
    }
#define PARAMS_SETTER(fn, kind)                                               \
    static const char *fn(apr_pool_t *p, apr_pool_t *ptemp, ac_provider *pv,  \
                          int argc, char *const argv[])                       \
    {                                                                         \
        return set_params(p, &pv->kind##_params, argc, argv,                  \
                          kind##_reserved);                                   \
    }

URL_SETTER(set_metadata_url, server_metadata_url)
URL_SETTER(set_issuer, issuer)
URL_SETTER(set_authorize_url, authorize_url)
URL_SETTER(set_access_token_url, access_token_url)
URL_SETTER(set_jwks_uri, jwks_uri)
URL_SETTER(set_end_session_url, end_session_url)
URL_SETTER(set_revocation_url, revocation_url)
URL_SETTER(set_request_token_url, request_token_url)
URL_SETTER(set_api_base_url, api_base_url)
URL_SETTER(set_post_logout_uri, post_logout_redirect_uri)
PARAMS_SETTER(set_authorize_params, authorize)
PARAMS_SETTER(set_access_token_params, access_token)
PARAMS_SETTER(set_request_token_params, request_token)

/* UserInfoURL may be relative to APIBaseURL (OAuth 1.0a / 2.0 profiles) */
static const char *set_userinfo_url(apr_pool_t *p, apr_pool_t *ptemp,
                                    ac_provider *pv, int argc, char *const argv[])
{
    if (argc == 1 && strstr(argv[0], "://") == NULL) {
        return set_word(p, &pv->userinfo_url, argc, argv);
    }
    return set_url(p, &pv->userinfo_url, argc, argv);
}

static const char *set_client_id(apr_pool_t *p, apr_pool_t *ptemp,
                                 ac_provider *pv, int argc, char *const argv[])
{
    return set_word(p, &pv->client_id, argc, argv);
}

static const char *set_client_secret(apr_pool_t *p, apr_pool_t *ptemp,
                                     ac_provider *pv, int argc,
                                     char *const argv[])
{
    const char *err = NULL;

    if (argc != 1) {
        return "takes one value: the secret, file:/path or exec:/program";
    }
    pv->client_secret = ac_secret_resolve(p, argv[0], &err);
    return pv->client_secret ? NULL : err;
}

static const char *set_scope(apr_pool_t *p, apr_pool_t *ptemp, ac_provider *pv,
                             int argc, char *const argv[])
{
    int i;

    if (argc < 1) {
        return "takes one or more scope values";
    }
    pv->scope = apr_pstrdup(p, argv[0]);
    for (i = 1; i < argc; i++) {
        pv->scope = apr_pstrcat(p, pv->scope, " ", argv[i], NULL);
    }
    return NULL;
}

static const char *set_token_auth(apr_pool_t *p, apr_pool_t *ptemp,
                                  ac_provider *pv, int argc, char *const argv[])
{
    static const struct { const char *name; ac_token_auth value; } methods[] = {
        { "client_secret_basic", AC_TOKEN_AUTH_BASIC },
        { "client_secret_post", AC_TOKEN_AUTH_POST },
        { "none", AC_TOKEN_AUTH_NONE },
        { "client_secret_jwt", AC_TOKEN_AUTH_SECRET_JWT },
        { "private_key_jwt", AC_TOKEN_AUTH_PRIVATE_KEY_JWT },
    };
    apr_size_t i;

    if (argc == 1) {
        for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
            if (strcmp(argv[0], methods[i].name) == 0) {
                pv->token_auth = methods[i].value;
                return NULL;
            }
        }
    }
    return "must be one of client_secret_basic, client_secret_post, none, "
           "client_secret_jwt, private_key_jwt";
}

static const char *set_pkce(apr_pool_t *p, apr_pool_t *ptemp, ac_provider *pv,
                            int argc, char *const argv[])
{
    if (argc == 1 && strcmp(argv[0], "S256") == 0) {
        pv->pkce = AC_PKCE_S256;
        return NULL;
    }
    if (argc == 1 && strcasecmp(argv[0], "none") == 0) {
        pv->pkce = AC_PKCE_NONE;
        return NULL;
    }
    /* "plain" offers no protection against a leaked authorization request */
    return "must be S256 or none (plain is not supported)";
}

static const char *set_flag(int *field, int argc, char *const argv[])
{
    if (argc == 1 && strcasecmp(argv[0], "on") == 0) {
        *field = 1;
        return NULL;
    }
    if (argc == 1 && strcasecmp(argv[0], "off") == 0) {
        *field = 0;
        return NULL;
    }
    return "must be On or Off";
}

static const char *set_fetch_userinfo(apr_pool_t *p, apr_pool_t *ptemp,
                                      ac_provider *pv, int argc,
                                      char *const argv[])
{
    return set_flag(&pv->fetch_userinfo, argc, argv);
}

static const char *set_remote_user(apr_pool_t *p, apr_pool_t *ptemp,
                                   ac_provider *pv, int argc, char *const argv[])
{
    if (argc != 1 && argc != 3) {
        return "takes a claim name, optionally followed by a regex and a "
               "replacement (e.g. RemoteUserClaim email ^(.*)@example\\.org$ $1)";
    }
    pv->remote_user_claim = apr_pstrdup(p, argv[0]);
    if (argc == 3) {
        pv->remote_user_regex = apr_pstrdup(p, argv[1]);
        pv->remote_user_replace = apr_pstrdup(p, argv[2]);
    }
    return NULL;
}

static int alg_is_known(const char *alg)
{
    static const char *const known[] = {
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
        "ES256", "ES384", "ES512", "HS256", "HS384", "HS512", NULL
    };
    int i;

    for (i = 0; known[i]; i++) {
        if (strcmp(alg, known[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

static const char *set_algs(apr_pool_t *p, apr_pool_t *ptemp, ac_provider *pv,
                            int argc, char *const argv[])
{
    int i;

    if (argc < 1) {
        return "takes one or more JWS algorithms";
    }
    pv->id_token_algs = apr_array_make(p, argc, sizeof(const char *));
    for (i = 0; i < argc; i++) {
        if (!alg_is_known(argv[i])) {
            return apr_psprintf(p, "'%s' is not an accepted algorithm (RS256, "
                                "RS384, RS512, PS256, PS384, PS512, ES256, "
                                "ES384, ES512, HS256, HS384, HS512)", argv[i]);
        }
        APR_ARRAY_PUSH(pv->id_token_algs, const char *) = apr_pstrdup(p, argv[i]);
    }
    return NULL;
}

static const char *set_userinfo_extra(apr_pool_t *p, apr_pool_t *ptemp,
                                      ac_provider *pv, int argc,
                                      char *const argv[])
{
    int i;

    if (argc < 1) {
        return "takes one or more URLs or paths relative to APIBaseURL";
    }
    if (pv->userinfo_extra_urls == NULL) {
        pv->userinfo_extra_urls = apr_array_make(p, argc, sizeof(const char *));
    }
    for (i = 0; i < argc; i++) {
        if (strstr(argv[i], "://") && !ac_url_is_secure_or_loopback(p, argv[i])) {
            return apr_psprintf(p, "'%s' must be https (http only for loopback)",
                                argv[i]);
        }
        APR_ARRAY_PUSH(pv->userinfo_extra_urls, const char *) = apr_pstrdup(p, argv[i]);
    }
    return NULL;
}

static const char *set_choice(int *field, int argc, char *const argv[],
                              const char *const names[])
{
    int i;

    for (i = 0; argc == 1 && names[i]; i++) {
        if (strcasecmp(argv[0], names[i]) == 0) {
            *field = i;
            return NULL;
        }
    }
    return "has an unknown value";
}

static const char *set_signature_method(apr_pool_t *p, apr_pool_t *ptemp,
                                        ac_provider *pv, int argc,
                                        char *const argv[])
{
    /* indexed like ac_oauth1_method */
    static const char *const names[] = {
        "HMAC-SHA1", "HMAC-SHA256", "RSA-SHA1", "PLAINTEXT", NULL
    };
    return set_choice(&pv->signature_method, argc, argv, names);
}

static const char *set_signature_placement(apr_pool_t *p, apr_pool_t *ptemp,
                                           ac_provider *pv, int argc,
                                           char *const argv[])
{
    /* indexed like ac_oauth1_placement */
    static const char *const names[] = { "header", "query", "body", NULL };
    return set_choice(&pv->signature_placement, argc, argv, names);
}

static const char *set_realm(apr_pool_t *p, apr_pool_t *ptemp, ac_provider *pv,
                             int argc, char *const argv[])
{
    return set_word(p, &pv->realm, argc, argv);
}

static const char *set_display_name(apr_pool_t *p, apr_pool_t *ptemp,
                                    ac_provider *pv, int argc, char *const argv[])
{
    return set_word(p, &pv->display_name, argc, argv);
}

/* the browser loads it from the chooser: this site's own path, or https */
static const char *set_icon(apr_pool_t *p, apr_pool_t *ptemp, ac_provider *pv,
                            int argc, char *const argv[])
{
    if (argc != 1 || !((argv[0][0] == '/' && argv[0][1] != '/')
                       || strncasecmp(argv[0], "https://", 8) == 0)) {
        return "takes one URL: a path of this site (/icons/github.svg) or an "
               "https:// URL";
    }
    pv->icon = apr_pstrdup(p, argv[0]);
    return NULL;
}

static const char *set_private_key(apr_pool_t *p, apr_pool_t *ptemp,
                                   ac_provider *pv, int argc, char *const argv[])
{
    if (argc != 1 && argc != 2) {
        return "takes a PEM file and optionally the key id (kid)";
    }
    pv->private_key_file = apr_pstrdup(p, argv[0]);
    pv->private_key_id = argc == 2 ? apr_pstrdup(p, argv[1]) : NULL;
    return NULL;
}

static const char *set_preset(apr_pool_t *p, apr_pool_t *ptemp, ac_provider *pv,
                              int argc, char *const argv[])
{
    if (argc != 1 && argc != 2) {
        return "takes a preset name and, for some, one argument";
    }
    pv->preset = apr_pstrdup(p, argv[0]);
    pv->preset_arg = argc == 2 ? apr_pstrdup(p, argv[1]) : NULL;
    return NULL;
}

static const struct {
    ac_provider_key key;
    key_setter set;
} provider_key_table[] = {
    { { "ClientID", "ClientID id", "the client identifier registered with the provider" }, set_client_id },
    { { "ClientSecret", "ClientSecret secret|file:/path|exec:/program", "the client secret" }, set_client_secret },
    { { "ServerMetadataURL", "ServerMetadataURL url", "OpenID Connect discovery document; makes the provider OIDC" }, set_metadata_url },
    { { "Issuer", "Issuer url", "expected issuer (default: from discovery)" }, set_issuer },
    { { "AuthorizeURL", "AuthorizeURL url", "authorization endpoint" }, set_authorize_url },
    { { "AuthorizeParams", "AuthorizeParams name=value ...", "extra authorization request parameters" }, set_authorize_params },
    { { "AccessTokenURL", "AccessTokenURL url", "token endpoint" }, set_access_token_url },
    { { "AccessTokenParams", "AccessTokenParams name=value ...", "extra token request parameters" }, set_access_token_params },
    { { "RequestTokenURL", "RequestTokenURL url", "OAuth 1.0a request token endpoint; makes the provider OAuth 1.0a" }, set_request_token_url },
    { { "RequestTokenParams", "RequestTokenParams name=value ...", "extra request token parameters" }, set_request_token_params },
    { { "APIBaseURL", "APIBaseURL url", "base for relative profile URLs" }, set_api_base_url },
    { { "UserInfoURL", "UserInfoURL url|path", "userinfo / profile endpoint" }, set_userinfo_url },
    { { "JWKSURI", "JWKSURI url", "JWKS of the provider (default: from discovery)" }, set_jwks_uri },
    { { "EndSessionURL", "EndSessionURL url", "RP-initiated logout endpoint (default: from discovery)" }, set_end_session_url },
    { { "RevocationURL", "RevocationURL url", "RFC 7009 token revocation endpoint, used at logout (default: from discovery)" }, set_revocation_url },
    { { "Scope", "Scope value ...", "requested scope (OIDC default: openid)" }, set_scope },
    { { "TokenEndpointAuthMethod", "TokenEndpointAuthMethod client_secret_basic|client_secret_post|none", "client authentication at the token endpoint" }, set_token_auth },
    { { "CodeChallengeMethod", "CodeChallengeMethod S256|none", "PKCE (default S256)" }, set_pkce },
    { { "FetchUserInfo", "FetchUserInfo On|Off", "merge the userinfo endpoint's claims (default Off)" }, set_fetch_userinfo },
    { { "RemoteUserClaim", "RemoteUserClaim claim [regex replacement]", "claim that becomes REMOTE_USER" }, set_remote_user },
    { { "IDTokenAlgorithms", "IDTokenAlgorithms alg ...", "accepted id_token signature algorithms" }, set_algs },
    { { "PostLogoutRedirectURI", "PostLogoutRedirectURI url", "where the provider sends the browser after logout" }, set_post_logout_uri },
    { { "UserInfoExtraURL", "UserInfoExtraURL url|path ...", "more profile calls whose answers add claims (e.g. user/emails)" }, set_userinfo_extra },
    { { "SignatureMethod", "SignatureMethod HMAC-SHA1|HMAC-SHA256|RSA-SHA1|PLAINTEXT", "OAuth 1.0a signature method (default HMAC-SHA1)" }, set_signature_method },
    { { "SignaturePlacement", "SignaturePlacement header|query|body", "where OAuth 1.0a parameters go (default header)" }, set_signature_placement },
    { { "Realm", "Realm realm", "OAuth 1.0a realm in the Authorization header" }, set_realm },
    { { "PrivateKeyFile", "PrivateKeyFile /path/key.pem [kid]", "RSA-SHA1 key (OAuth 1.0a) or private_key_jwt key (RSA or EC P-256)" }, set_private_key },
    { { "DisplayName", "DisplayName \"text\"", "the provider's name on the sign-in chooser (default: its config name)" }, set_display_name },
    { { "Icon", "Icon /path|https://url", "an icon beside it on the chooser (24x24 CSS pixels)" }, set_icon },
    { { "Preset", "Preset github|twitter|google|microsoft [tenant]|gitlab [url]|keycloak realm-url", "start from a well-known provider" }, set_preset },
};

#define PROVIDER_KEY_COUNT (sizeof(provider_key_table) / sizeof(provider_key_table[0]))

const ac_provider_key *ac_provider_key_at(apr_size_t i)
{
    return i < PROVIDER_KEY_COUNT ? &provider_key_table[i].key : NULL;
}

/* "did you mean ClientSecret? " for a misspelt key, or "" */
static const char *key_suggestion(apr_pool_t *p, const char *key)
{
    apr_array_header_t *names = apr_array_make(p, PROVIDER_KEY_COUNT,
                                               sizeof(const char *));
    const char *best;
    apr_size_t i;

    for (i = 0; i < PROVIDER_KEY_COUNT; i++) {
        APR_ARRAY_PUSH(names, const char *) = provider_key_table[i].key.name;
    }
    best = ac_closest_name(key, names);
    return best ? apr_psprintf(p, "did you mean %s? ", best) : "";
}

const char *ac_provider_set(apr_pool_t *p, apr_pool_t *ptemp, ac_provider *pv,
                            const char *key, int argc, char *const argv[])
{
    apr_size_t i;

    for (i = 0; i < PROVIDER_KEY_COUNT; i++) {
        if (strcasecmp(key, provider_key_table[i].key.name) == 0) {
            const char *err = provider_key_table[i].set(p, ptemp, pv, argc, argv);
            return err ? apr_psprintf(p, "%s %s (syntax: %s)", key, err,
                                      provider_key_table[i].key.syntax)
                       : NULL;
        }
    }
    return apr_psprintf(p, "unknown key '%s' in <AuthClientProvider %s>; %s"
                        "see conf/auth_client.conf.reference for the keys",
                        key, pv->name, key_suggestion(p, key));
}

/* ---- whole-block checks -------------------------------------------------- */

static int algs_allow_hmac(const ac_provider *pv)
{
    int i;

    for (i = 0; pv->id_token_algs && i < pv->id_token_algs->nelts; i++) {
        if (strncmp(APR_ARRAY_IDX(pv->id_token_algs, i, const char *), "HS", 2) == 0) {
            return 1;
        }
    }
    return 0;
}

/*
 * A discovery URL has a well-known segment (OIDC Discovery 4, RFC 8414 3),
 * and the expected issuer is derived from it.  Without one, the URL is
 * most likely the issuer itself or a provider's home page.
 */
static const char *check_metadata_url(apr_pool_t *p, const ac_provider *pv)
{
    const char *url = pv->server_metadata_url;
    apr_size_t len;

    if (url == NULL || pv->issuer != NULL
        || ac_oidc_issuer_from_url(p, url) != NULL) {
        return NULL;
    }
    len = strcspn(url, "?#");
    while (len > 0 && url[len - 1] == '/') {
        len--;
    }
    return apr_psprintf(p, "has a ServerMetadataURL without a /.well-known/ "
                        "path (%s): use the provider's discovery document, "
                        "e.g. %.*s/.well-known/openid-configuration; only a "
                        "provider that publishes its metadata elsewhere also "
                        "needs Issuer", url, (int)len, url);
}

static const char *check_oidc(apr_pool_t *p, const ac_provider *pv)
{
    const char *err;

    if ((err = check_metadata_url(p, pv)) != NULL) {
        return err;
    }
    if (pv->server_metadata_url == NULL
        && !(pv->issuer && pv->authorize_url && pv->access_token_url && pv->jwks_uri)) {
        return "needs ServerMetadataURL, or all of Issuer, AuthorizeURL, "
               "AccessTokenURL and JWKSURI";
    }
    if (algs_allow_hmac(pv) && pv->client_secret == NULL) {
        return "allows HS* id_token algorithms but has no ClientSecret to "
               "verify them with";
    }
    return NULL;
}

static const char *check_oauth2(apr_pool_t *p, const ac_provider *pv)
{
    if (pv->authorize_url == NULL || pv->access_token_url == NULL) {
        return "needs AuthorizeURL and AccessTokenURL (or ServerMetadataURL "
               "for OpenID Connect)";
    }
    if (pv->userinfo_url == NULL) {
        return "needs UserInfoURL (the profile call that identifies the user)";
    }
    if (strstr(pv->userinfo_url, "://") == NULL && pv->api_base_url == NULL) {
        return "has a relative UserInfoURL but no APIBaseURL";
    }
    return NULL;
}

static int needs_secret(const ac_provider *pv)
{
    if (ac_provider_kind(pv) == AC_KIND_OAUTH1) {
        return pv->signature_method != AC_OAUTH1_RSA_SHA1;
    }
    return ac_provider_token_auth(pv) != AC_TOKEN_AUTH_NONE
        && ac_provider_token_auth(pv) != AC_TOKEN_AUTH_PRIVATE_KEY_JWT;
}

static int is_https(const char *url)
{
    return url && strncasecmp(url, "https://", 8) == 0;
}

static const char *check_oauth1(apr_pool_t *p, const ac_provider *pv)
{
    if (pv->authorize_url == NULL || pv->access_token_url == NULL) {
        return "needs AuthorizeURL and AccessTokenURL besides RequestTokenURL";
    }
    if (pv->userinfo_url == NULL) {
        return "needs UserInfoURL (the profile call, e.g. "
               "account/verify_credentials.json)";
    }
    if (strstr(pv->userinfo_url, "://") == NULL && pv->api_base_url == NULL) {
        return "has a relative UserInfoURL but no APIBaseURL";
    }
    if (pv->signature_method == AC_OAUTH1_RSA_SHA1 && pv->private_key_file == NULL) {
        return "uses SignatureMethod RSA-SHA1 but has no PrivateKeyFile";
    }
    /* PLAINTEXT sends the secrets themselves: only over TLS */
    if (pv->signature_method == AC_OAUTH1_PLAINTEXT
        && !(is_https(pv->request_token_url) && is_https(pv->access_token_url)
             && (is_https(pv->api_base_url) || is_https(pv->userinfo_url)))) {
        return "uses SignatureMethod PLAINTEXT, which needs https for every "
               "endpoint";
    }
    return NULL;
}

const char *ac_provider_check(apr_pool_t *p, const ac_provider *pv)
{
    const char *err = NULL;
    ac_kind kind = ac_provider_kind(pv);

    if (pv->client_id == NULL) {
        err = "needs ClientID";
    }
    else if (pv->client_secret == NULL && needs_secret(pv)) {
        err = "needs ClientSecret (or TokenEndpointAuthMethod none for a "
              "public client)";
    }
    else if (ac_provider_token_auth(pv) == AC_TOKEN_AUTH_NONE
             && ac_provider_pkce(pv) == AC_PKCE_NONE && kind != AC_KIND_OAUTH1) {
        err = "is a public client (TokenEndpointAuthMethod none) without PKCE; "
              "remove CodeChallengeMethod none";
    }
    else if (kind == AC_KIND_OAUTH1) {
        err = check_oauth1(p, pv);
    }
    else if (kind == AC_KIND_OIDC) {
        err = check_oidc(p, pv);
    }
    else {
        err = check_oauth2(p, pv);
    }
    if (err == NULL && ac_provider_token_auth(pv) == AC_TOKEN_AUTH_PRIVATE_KEY_JWT
        && pv->private_key_file == NULL) {
        err = "uses private_key_jwt but has no PrivateKeyFile";
    }
    if (err) {
        return apr_psprintf(p, "<AuthClientProvider %s> (%s, %s) %s", pv->name,
                            ac_kind_name(kind), pv->defined_in, err);
    }
    return NULL;
}

/* ---- end of block ------------------------------------------------------- */

static const char *load_keys(apr_pool_t *p, ac_provider *pv)
{
    ac_error *e = NULL;

    if (pv->private_key_file == NULL) {
        return NULL;
    }
    if (ac_provider_kind(pv) == AC_KIND_OAUTH1) {
        e = ac_oauth1_load_rsa_key(p, pv->private_key_file, &pv->oauth1_rsa_key);
    }
    else {
        e = ac_client_key_load(p, pv->private_key_file, pv->private_key_id,
                               &pv->assertion_jwk, &pv->assertion_alg);
    }
    return e ? apr_psprintf(p, "PrivateKeyFile: %s", e->message) : NULL;
}

/* "a=1&b=2" as the ac_kv list the OAuth 1.0a signer takes */
static const char *params_list(apr_pool_t *p, const char *form,
                               apr_array_header_t **out)
{
    const apr_array_header_t *elts;
    apr_table_t *t;
    ac_error *e;
    int i;

    *out = apr_array_make(p, 4, sizeof(ac_kv));
    if (form == NULL || *form == '\0') {
        return NULL;
    }
    if ((e = ac_form_parse(p, form, 32, &t)) != NULL) {
        return e->message;
    }
    elts = apr_table_elts(t);
    for (i = 0; i < elts->nelts; i++) {
        const apr_table_entry_t *te = &APR_ARRAY_IDX(elts, i, apr_table_entry_t);
        ac_kv *kv = apr_array_push(*out);
        kv->key = te->key;
        kv->value = te->val;
    }
    return NULL;
}

/* The fields that say which provider this is: its kind, the first of
 * issuer, metadata URL, request token and authorize URL that is set, and
 * the client id. */
static const char *fingerprint(apr_pool_t *p, const ac_provider *pv)
{
    const char *where = pv->issuer ? pv->issuer
                      : pv->server_metadata_url ? pv->server_metadata_url
                      : pv->request_token_url ? pv->request_token_url
                      : pv->authorize_url ? pv->authorize_url : "";
    const char *id = apr_pstrcat(p, ac_kind_name(pv->kind), "\n", where, "\n",
                                 pv->client_id ? pv->client_id : "", NULL);
    unsigned char digest[32];

    ac_sha256(id, strlen(id), digest);
    return ac_hex(p, digest, 16);
}

/* what every login would otherwise work out again */
static const char *precompute(apr_pool_t *p, ac_provider *pv)
{
    const char *err;

    pv->kind = kind_derive(pv);
    pv->fingerprint = fingerprint(p, pv);
    if ((err = params_list(p, pv->request_token_params, &pv->request_token_kv)) != NULL) {
        return apr_pstrcat(p, "RequestTokenParams: ", err, NULL);
    }
    if ((err = params_list(p, pv->access_token_params, &pv->access_token_kv)) != NULL) {
        return apr_pstrcat(p, "AccessTokenParams: ", err, NULL);
    }
    return NULL;
}

const char *ac_provider_finish(apr_pool_t *p, ac_provider *pv)
{
    const char *err = ac_preset_apply(p, pv);

    if (err == NULL) {
        err = ac_provider_check(p, pv);
    }
    if (err == NULL) {
        err = precompute(p, pv);
    }
    if (err == NULL) {
        err = load_keys(p, pv);
    }
    if (err && strncmp(err, "<AuthClientProvider", 19) != 0) {
        err = apr_psprintf(p, "<AuthClientProvider %s> (%s) %s", pv->name,
                           pv->defined_in, err);
    }
    return err;
}
