/*
 * directives.c - the directive table, the <AuthClientProvider> block reader
 * and the startup checks.
 *
 * The keys inside a provider block are read here from the parsed block
 * instead of being registered as directives, so short names like
 * "ClientID" never collide with another module's.
 */
#include <apr_strings.h>
#include <apr_lib.h>
#include <http_main.h>

#include "auth_client.h"
#include "bearer.h"
#include "module_state.h"
#include "seal.h"
#include "secret.h"
#include "url.h"

static const char *where(cmd_parms *cmd)
{
    return apr_psprintf(cmd->pool, "%s:%d", cmd->directive->filename,
                        cmd->directive->line_num);
}

/* ---- create / merge wrappers --------------------------------------------- */

void *ac_create_server_config(apr_pool_t *p, server_rec *s)
{
    return ac_server_conf_create(p);
}

void *ac_merge_server_config(apr_pool_t *p, void *base, void *add)
{
    return ac_server_conf_merge(p, base, add);
}

void *ac_create_dir_config(apr_pool_t *p, char *dir)
{
    return ac_dir_conf_create(p);
}

void *ac_merge_dir_config(apr_pool_t *p, void *base, void *add)
{
    return ac_dir_conf_merge(p, base, add);
}

/* ---- global ------------------------------------------------------------- */

static const char *set_cache(cmd_parms *cmd, void *dummy, const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);

    if (err) {
        return err;
    }
    ac_state.global_conf->cache_spec = apr_pstrdup(cmd->pool, arg);
    ac_state.global_conf->cache_spec_where = where(cmd);
    return NULL;
}

static const char *add_passphrase(cmd_parms *cmd, void *dummy, const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    const char *secret, *weak;

    if (err) {
        return err;
    }
    secret = ac_secret_resolve(cmd->pool, arg, &err);
    if (secret == NULL) {
        return apr_psprintf(cmd->pool, "%s: %s", cmd->cmd->name, err);
    }
    /* the cache's only protection from whoever can read memcached or
     * redis: refuse what a guesser would try first */
    if ((weak = ac_passphrase_weakness(secret)) != NULL) {
        return apr_psprintf(cmd->pool, "%s: the passphrase %s; use a long "
                            "random value, e.g. the output of "
                            "\"openssl rand -base64 32\" in a file read with "
                            "file:/etc/apache2/auth_client.key", cmd->cmd->name,
                            weak);
    }
    APR_ARRAY_PUSH(ac_state.global_conf->passphrases, const char *) = secret;
    return NULL;
}

/* shmcb needs 8 KiB and a few entries per stripe; a GiB is surely a typo */
#define AC_LOGIN_CACHE_MIN (512 * 1024)
#define AC_LOGIN_CACHE_MAX (APR_INT64_C(1) << 30)

static const char *set_login_cache_size(cmd_parms *cmd, void *dummy, const char *arg)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    char *end;
    apr_int64_t v;

    if (err) {
        return err;
    }
    v = apr_strtoi64(arg, &end, 10);
    if (*arg == '\0' || *end != '\0' || v < AC_LOGIN_CACHE_MIN || v > AC_LOGIN_CACHE_MAX) {
        return apr_psprintf(cmd->pool, "%s must be a number of bytes from %d "
                            "to %" APR_INT64_T_FMT " (default 8388608, 8 MiB)",
                            cmd->cmd->name, AC_LOGIN_CACHE_MIN, AC_LOGIN_CACHE_MAX);
    }
    ac_state.global_conf->login_cache_size = v;
    ac_state.global_conf->login_cache_size_where = where(cmd);
    return NULL;
}

/* a lifetime is a few seconds: longer, a logout on another node would
 * take too long to count here */
#define AC_LOCAL_CACHE_MAX_SECONDS 60
#define AC_LOCAL_CACHE_MAX_ENTRIES 1000000

static const char *set_local_cache(cmd_parms *cmd, void *dummy, const char *secs,
                                   const char *entries)
{
    const char *err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    char *end;
    long v, n = AC_UNSET;

    if (err) {
        return err;
    }
    v = strcasecmp(secs, "off") == 0 ? 0 : strtol(secs, &end, 10);
    if (strcasecmp(secs, "off") != 0
        && (*secs == '\0' || *end != '\0' || v < 1 || v > AC_LOCAL_CACHE_MAX_SECONDS)) {
        return apr_psprintf(cmd->pool, "%s takes off or a lifetime in seconds "
                            "from 1 to %d (e.g. %s 1), then optionally the "
                            "number of sessions each process keeps (default %d)",
                            cmd->cmd->name, AC_LOCAL_CACHE_MAX_SECONDS,
                            cmd->cmd->name, AC_LOCAL_DEFAULT_ENTRIES);
    }
    if (entries != NULL) {
        n = strtol(entries, &end, 10);
        if (*entries == '\0' || *end != '\0' || n < 1 || n > AC_LOCAL_CACHE_MAX_ENTRIES) {
            return apr_psprintf(cmd->pool, "%s: the number of sessions each "
                                "process keeps must be from 1 to %d (default %d)",
                                cmd->cmd->name, AC_LOCAL_CACHE_MAX_ENTRIES,
                                AC_LOCAL_DEFAULT_ENTRIES);
        }
    }
    ac_state.global_conf->local_cache_seconds = (int)v;
    ac_state.global_conf->local_cache_entries = (int)n;
    return NULL;
}

/* ---- per server --------------------------------------------------------- */

static ac_server_conf *server_conf(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config, &auth_client_module);
}

/* path fields of ac_server_conf and where each was set, via cmd->info */
typedef struct path_field {
    apr_size_t offset;
    apr_size_t where_offset;
} path_field;

#define PATH_FIELD(name)                                  \
    static const path_field name##_field = {              \
        APR_OFFSETOF(ac_server_conf, name),               \
        APR_OFFSETOF(ac_server_conf, name##_where)        \
    };

PATH_FIELD(callback_path)
PATH_FIELD(logout_path)
PATH_FIELD(cookie_path)
PATH_FIELD(backchannel_logout_path)
PATH_FIELD(frontchannel_logout_path)

static const char *set_path(cmd_parms *cmd, void *dummy, const char *arg)
{
    const path_field *f = cmd->info;
    char *c = (char *)server_conf(cmd);

    if (arg[0] != '/' || strchr(arg, '?') || strchr(arg, '#')) {
        return apr_psprintf(cmd->pool, "%s must be a local URL path starting "
                            "with '/' and without query or fragment",
                            cmd->cmd->name);
    }
    *(const char **)(c + f->offset) = apr_pstrdup(cmd->pool, arg);
    *(const char **)(c + f->where_offset) = where(cmd);
    return NULL;
}

static const char *set_cookie_name(cmd_parms *cmd, void *dummy, const char *arg)
{
    ac_server_conf *c = server_conf(cmd);
    const char *s;

    for (s = arg; *s; s++) {
        if (!apr_isalnum(*s) && *s != '_' && *s != '-') {
            return apr_psprintf(cmd->pool, "%s may contain only letters, digits, "
                                "'_' and '-'", cmd->cmd->name);
        }
    }
    c->cookie_name = apr_pstrdup(cmd->pool, arg);
    c->flow_cookie_name = apr_pstrcat(cmd->pool, arg, "_flow", NULL);
    return NULL;
}

static const char *set_cookie_domain(cmd_parms *cmd, void *dummy, const char *arg)
{
    server_conf(cmd)->cookie_domain = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

static const char *set_session_scope(cmd_parms *cmd, void *dummy, const char *arg)
{
    server_conf(cmd)->session_scope = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

static const char *set_ca_file(cmd_parms *cmd, void *dummy, const char *arg)
{
    const char *path = ap_server_root_relative(cmd->pool, arg);
    apr_finfo_t fi;

    if (path == NULL || apr_stat(&fi, path, APR_FINFO_TYPE, cmd->temp_pool) != APR_SUCCESS
        || fi.filetype != APR_REG) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a readable file",
                            cmd->cmd->name, arg);
    }
    server_conf(cmd)->ca_file = path;
    return NULL;
}

/* integer fields of ac_server_conf, with bounds, via cmd->info offsets */
typedef struct int_field {
    apr_size_t offset;
    int min;
    int max;
} int_field;

#define INT_FIELD(name, lo, hi) \
    static const int_field name##_field = { APR_OFFSETOF(ac_server_conf, name), lo, hi };

INT_FIELD(session_inactivity, 60, 30 * 86400)
INT_FIELD(session_max, 60, 365 * 86400)
INT_FIELD(state_ttl, 30, 3600)
INT_FIELD(http_connect_timeout, 1, 60)
INT_FIELD(http_timeout, 1, 300)
INT_FIELD(http_max_response, 1024, 16 * 1024 * 1024)
INT_FIELD(metadata_ttl, 60, 7 * 86400)
INT_FIELD(jwks_refresh_interval, 1, 86400)
INT_FIELD(clock_skew, 0, 600)
INT_FIELD(iat_max_age, 10, 86400)

static const char *set_int(cmd_parms *cmd, void *dummy, const char *arg)
{
    const int_field *f = cmd->info;
    char *end;
    long v = strtol(arg, &end, 10);

    if (*arg == '\0' || *end != '\0' || v < f->min || v > f->max) {
        return apr_psprintf(cmd->pool, "%s must be a whole number from %d to %d",
                            cmd->cmd->name, f->min, f->max);
    }
    *(int *)((char *)server_conf(cmd) + f->offset) = (int)v;
    return NULL;
}

static const char *add_logout_allow(cmd_parms *cmd, void *dummy, const char *arg)
{
    ac_server_conf *c = server_conf(cmd);

    if (strncmp(arg, "https://", 8) != 0 && strncmp(arg, "http://", 7) != 0) {
        return apr_psprintf(cmd->pool, "%s takes absolute http(s) URLs",
                            cmd->cmd->name);
    }
    if (c->logout_redirect_allow == NULL) {
        c->logout_redirect_allow = apr_array_make(cmd->pool, 2, sizeof(const char *));
    }
    APR_ARRAY_PUSH(c->logout_redirect_allow, const char *) = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

/* ---- <AuthClientProvider NAME> ------------------------------------------- */

static const char *provider_line(cmd_parms *cmd, ac_provider *pv,
                                 const ap_directive_t *line)
{
    apr_array_header_t *args = apr_array_make(cmd->temp_pool, 4, sizeof(char *));
    const char *rest = line->args;
    const char *word;
    const char *err;

    /* the words live in the config pool, as httpd's own directive arguments
     * do: a key may keep its argument as is (a literal ClientSecret is not
     * copied), and a temp pool word would be reused memory at request time */
    while (*(word = ap_getword_conf(cmd->pool, &rest)) != '\0') {
        APR_ARRAY_PUSH(args, const char *) = word;
    }
    err = ac_provider_set(cmd->pool, cmd->temp_pool, pv, line->directive,
                          args->nelts, (char *const *)args->elts);
    /* httpd names the line of the block's start; name the key's own line */
    return err ? apr_psprintf(cmd->pool, "%s (%s:%d)", err, line->filename,
                              line->line_num)
               : NULL;
}

/*
 * httpd has already parsed the block's body into child nodes; they are
 * read here as provider keys instead of being run as directives.
 */
static const char *provider_block(cmd_parms *cmd, void *dummy, const char *arg)
{
    const char *endp = ap_strrchr_c(arg, '>');
    const char *err = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);
    const ap_directive_t *line;
    const char *name;
    ac_provider *pv;

    if (err) {
        return err;
    }
    if (endp == NULL) {
        return "<AuthClientProvider> directive missing closing '>'";
    }
    name = apr_pstrndup(cmd->temp_pool, arg, endp - arg);
    name = ap_getword_conf(cmd->temp_pool, &name);
    if (*name == '\0') {
        return "<AuthClientProvider> needs a name, e.g. <AuthClientProvider google>";
    }
    pv = ac_provider_create(cmd->pool, name, where(cmd));
    pv->metrics_slot = ac_metrics_provider_slot(pv->name);
    for (line = cmd->directive->first_child; line; line = line->next) {
        if ((err = provider_line(cmd, pv, line)) != NULL) {
            return err;
        }
    }
    if ((err = ac_provider_finish(cmd->pool, pv)) != NULL) {
        return err;
    }
    apr_hash_set(server_conf(cmd)->providers, pv->name, APR_HASH_KEY_STRING, pv);
    return NULL;
}

/* ---- per directory ------------------------------------------------------- */

static const char *add_dir_provider(cmd_parms *cmd, void *dconf, const char *arg)
{
    ac_dir_conf *d = dconf;

    if (d->providers == NULL) {
        d->providers = apr_array_make(cmd->pool, 2, sizeof(const char *));
    }
    APR_ARRAY_PUSH(d->providers, const char *) = apr_pstrdup(cmd->pool, arg);
    if (ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_RUN_MPM) {
        ac_provider_use *u = apr_array_push(ac_state.provider_uses);
        u->s = cmd->server;
        u->name = apr_pstrdup(cmd->pool, arg);
        u->where = where(cmd);
    }
    return NULL;
}

static const char *set_claim_prefix(cmd_parms *cmd, void *dconf, const char *arg)
{
    const char *s;

    for (s = arg; *s; s++) {
        if (!apr_isalnum(*s) && *s != '_') {
            return "AuthClientClaimPrefix may contain only letters, digits and '_'";
        }
    }
    ((ac_dir_conf *)dconf)->claim_prefix = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

/* "a, b or c", for the message that names what a keyword may be */
static const char *word_list(apr_pool_t *p, const char *const words[])
{
    const char *list = words[1];
    int i;

    for (i = 2; words[i]; i++) {
        list = apr_pstrcat(p, list, words[i + 1] ? ", " : " or ", words[i], NULL);
    }
    return list;
}

/*
 * A per-location keyword: its index in `words` (indexed by the enum, whose
 * 0 is the "unset" marker, so index 0 is never matched), or an error.
 */
static const char *keyword(cmd_parms *cmd, const char *arg,
                           const char *const words[], int *value)
{
    int i;

    for (i = 1; words[i]; i++) {
        if (strcasecmp(arg, words[i]) == 0) {
            *value = i;
            return NULL;
        }
    }
    return apr_psprintf(cmd->pool, "%s: unknown value '%s'; use one of %s",
                        cmd->cmd->name, arg, word_list(cmd->temp_pool, words));
}

static const char *set_refresh(cmd_parms *cmd, void *dconf, const char *arg)
{
    static const char *const words[] = { "", "auto", "on", "off", NULL };
    int v;
    const char *err = keyword(cmd, arg, words, &v);

    if (err == NULL) {
        ((ac_dir_conf *)dconf)->refresh = (ac_refresh_mode)v;
    }
    return err;
}

static const char *set_refresh_margin(cmd_parms *cmd, void *dconf, const char *arg)
{
    char *end;
    long n = strtol(arg, &end, 10);

    if (*arg == '\0' || *end != '\0' || n < 0 || n > 86400) {
        return "AuthClientRefreshMargin takes seconds from 0 to 86400";
    }
    ((ac_dir_conf *)dconf)->refresh_margin = (int)n;
    return NULL;
}

static const char *set_refresh_failure(cmd_parms *cmd, void *dconf, const char *arg)
{
    static const char *const words[] = { "", "auto", "logout", "pass", "502", NULL };
    int v;
    const char *err = keyword(cmd, arg, words, &v);

    if (err == NULL) {
        ((ac_dir_conf *)dconf)->refresh_failure = (ac_refresh_failure)v;
    }
    return err;
}

static const char *set_unauth(cmd_parms *cmd, void *dconf, const char *arg)
{
    static const char *const words[] = { "", "auth", "pass", "401", "410", NULL };
    int v;
    const char *err;

    /* "auto" was auth's name before pass and 410 came: configurations
     * written then keep working */
    if (strcasecmp(arg, "auto") == 0) {
        arg = "auth";
    }
    err = keyword(cmd, arg, words, &v);

    if (err == NULL) {
        ((ac_dir_conf *)dconf)->unauth_action = (ac_unauth_action)v;
    }
    return err;
}

/* An allow-list: every name is one claim, as "Require claim" names it. */
static const char *add_session_info_claim(cmd_parms *cmd, void *dconf,
                                          const char *arg)
{
    ac_dir_conf *d = dconf;

    if (*arg == '\0' || strpbrk(arg, "*?") != NULL) {
        return apr_psprintf(cmd->pool, "%s: '%s' is not a claim name; list "
                            "each claim the page may see by its name, e.g. "
                            "\"%s email name\" (no patterns: each name is one claim)",
                            cmd->cmd->name, arg, cmd->cmd->name);
    }
    if (d->session_info_claims == NULL) {
        d->session_info_claims = apr_array_make(cmd->pool, 4, sizeof(const char *));
    }
    APR_ARRAY_PUSH(d->session_info_claims, const char *) = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

#define SRV_PATH(name, field, help) \
    AP_INIT_TAKE1(name, set_path, (void *)&field##_field, RSRC_CONF, help)
#define SRV_INT(name, field, help) \
    AP_INIT_TAKE1(name, set_int, (void *)&field##_field, RSRC_CONF, help)

/* an On|Off directive that only sets its int field of ac_dir_conf */
#define DIR_FLAG(field) (void *)APR_OFFSETOF(ac_dir_conf, field)

const command_rec ac_directives[] = {
    AP_INIT_TAKE1("AuthClientCache", set_cache, NULL, RSRC_CONF,
                  "shmcb[:args] (default), memcache:host:port[,host:port], redis:host:port"),
    AP_INIT_ITERATE("AuthClientPassphrase", add_passphrase, NULL, RSRC_CONF,
                    "cache encryption passphrases (literal, file:, exec:); the first encrypts"),
    AP_INIT_TAKE1("AuthClientLoginCacheSize", set_login_cache_size, NULL, RSRC_CONF,
                  "bytes of shared memory for logins in progress on shmcb (default 8388608)"),
    AP_INIT_TAKE12("AuthClientSessionLocalCache", set_local_cache, NULL, RSRC_CONF,
                   "seconds each process may answer from its own copy of a "
                   "verified session (default off), [sessions kept per process]"),
    AP_INIT_RAW_ARGS("<AuthClientProvider", provider_block, NULL, RSRC_CONF,
                     "a named OAuth 1.0a / OAuth 2.0 / OpenID Connect provider"),
    SRV_PATH("AuthClientCallbackPath", callback_path, "redirect URI path (default /auth/callback)"),
    SRV_PATH("AuthClientLogoutPath", logout_path, "logout path (default /auth/logout)"),
    SRV_PATH("AuthClientCookiePath", cookie_path, "cookie path (default /)"),
    SRV_PATH("AuthClientBackchannelLogoutPath", backchannel_logout_path,
             "where OpenID providers POST logout tokens (default: none)"),
    SRV_PATH("AuthClientFrontchannelLogoutPath", frontchannel_logout_path,
             "where OpenID providers' logout pages embed a logout (default: none)"),
    AP_INIT_TAKE1("AuthClientCookieName", set_cookie_name, NULL, RSRC_CONF,
                  "session cookie name (default ac_session)"),
    AP_INIT_TAKE1("AuthClientCookieDomain", set_cookie_domain, NULL, RSRC_CONF,
                  "cookie Domain attribute (default: none, host-only)"),
    AP_INIT_TAKE1("AuthClientSessionScope", set_session_scope, NULL, RSRC_CONF,
                  "vhosts with the same scope accept each other's sessions "
                  "(default: the vhost's ServerName)"),
    SRV_INT("AuthClientSessionInactivityTimeout", session_inactivity, "seconds (default 3600)"),
    SRV_INT("AuthClientSessionMaxDuration", session_max, "seconds (default 28800)"),
    SRV_INT("AuthClientStateTimeout", state_ttl, "seconds a login may take (default 300)"),
    SRV_INT("AuthClientHTTPConnectTimeout", http_connect_timeout, "seconds (default 5)"),
    SRV_INT("AuthClientHTTPTimeout", http_timeout, "seconds (default 10)"),
    SRV_INT("AuthClientHTTPMaxResponse", http_max_response, "bytes (default 1048576)"),
    AP_INIT_TAKE1("AuthClientTemplateDir", ac_pages_set_dir, NULL, RSRC_CONF,
                  "a directory of page templates (chooser.html, logout.html, "
                  "signed-out.html, error.html) that replace the built-in design"),
    AP_INIT_TAKE1("AuthClientCAFile", set_ca_file, NULL, RSRC_CONF,
                  "CA bundle for provider TLS (default: system store)"),
    SRV_INT("AuthClientMetadataTTL", metadata_ttl, "seconds (default 3600)"),
    SRV_INT("AuthClientJWKSRefreshInterval", jwks_refresh_interval, "seconds (default 60)"),
    SRV_INT("AuthClientClockSkew", clock_skew, "seconds (default 120)"),
    SRV_INT("AuthClientIATMaxAge", iat_max_age, "seconds (default 600)"),
    AP_INIT_ITERATE("AuthClientTrustedProxy", ac_origin_set_trusted_proxy, NULL,
                    RSRC_CONF, "addresses (or address/prefix) of reverse proxies "
                    "whose Forwarded / X-Forwarded-* headers are honoured"),
    AP_INIT_TAKE1("AuthClientRedirectURI", ac_origin_set_redirect_uri, NULL, RSRC_CONF,
                  "absolute redirect URI; its origin is the site's (default: "
                  "from the request)"),
    AP_INIT_ITERATE("AuthClientLogoutRedirectAllow", add_logout_allow, NULL, RSRC_CONF,
                    "absolute URL prefixes allowed after logout"),
    AP_INIT_ITERATE("AuthClientProvider", add_dir_provider, NULL, OR_AUTHCFG,
                    "provider name(s) for this location"),
    AP_INIT_TAKE1("AuthClientClaimPrefix", set_claim_prefix, NULL, OR_AUTHCFG,
                  "environment prefix of exported claims (default OIDC_CLAIM_)"),
    AP_INIT_FLAG("AuthClientPassAccessToken", ap_set_flag_slot,
                 DIR_FLAG(pass_access_token), OR_AUTHCFG,
                 "export the access token as OIDC_access_token (default Off)"),
    AP_INIT_FLAG("AuthClientClaimHeaders", ap_set_flag_slot,
                 DIR_FLAG(claim_headers), OR_AUTHCFG,
                 "also pass claims as request headers to backends (default Off)"),
    AP_INIT_TAKE1("AuthClientUnauthAction", set_unauth, NULL, OR_AUTHCFG,
                  "without a session: auth (redirect navigations to a login, "
                  "401 otherwise; default), pass (no user), 401 or 410"),
    AP_INIT_FLAG("AuthClientPassCORSPreflight", ap_set_flag_slot,
                 DIR_FLAG(pass_cors_preflight),
                 OR_AUTHCFG, "let CORS preflights (OPTIONS with Origin and "
                 "Access-Control-Request-Method) through unauthenticated "
                 "(default Off)"),
    AP_INIT_FLAG("AuthClientSessionInfo", ap_set_flag_slot,
                 DIR_FLAG(session_info), OR_AUTHCFG,
                 "the location answers with the session's user, provider, "
                 "claims and expiry as JSON, for pages' scripts (default Off)"),
    AP_INIT_ITERATE("AuthClientSessionInfoClaims", add_session_info_claim, NULL,
                    OR_AUTHCFG, "claims AuthClientSessionInfo may show "
                    "(default: none)"),
    AP_INIT_TAKE1("AuthClientRefresh", set_refresh, NULL, OR_AUTHCFG,
                  "refresh expiring access tokens: auto (when the request "
                  "uses them; default), on or off"),
    AP_INIT_TAKE1("AuthClientRefreshMargin", set_refresh_margin, NULL, OR_AUTHCFG,
                  "seconds before expiry a refresh is due (default 60)"),
    AP_INIT_TAKE1("AuthClientRefreshFailure", set_refresh_failure, NULL, OR_AUTHCFG,
                  "auto (default), logout, pass or 502"),
    AP_INIT_FLAG("AuthClientPassRefreshToken", ap_set_flag_slot,
                 DIR_FLAG(pass_refresh_token), OR_AUTHCFG,
                 "export the refresh token as OIDC_refresh_token (default Off)"),
    AC_BEARER_DIRECTIVES
    AP_INIT_TAKE1("AuthClientAPIRelay", ac_relay_set, NULL, ACCESS_CONF,
                  "attach the session's credentials of this provider to the "
                  "requests ProxyPass sends to its APIBaseURL"),
    { NULL }
};

/* ---- startup checks ------------------------------------------------------ */

/*
 * Each problem is logged once (a main server setting is seen again in every
 * virtual host that inherits it) and all of them before startup fails, so a
 * sysadmin fixes them in one round.
 */
typedef struct check_log {
    apr_pool_t *p;
    server_rec *s;
    apr_hash_t *seen;
    int failed;
} check_log;

static void check_fail(check_log *cl, const char *msg)
{
    if (apr_hash_get(cl->seen, msg, APR_HASH_KEY_STRING) != NULL) {
        return;
    }
    apr_hash_set(cl->seen, msg, APR_HASH_KEY_STRING, msg);
    ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, cl->s, ACLOGNO(01033)
                 "%s", msg);
    cl->failed = 1;
}

static const char *host_name(apr_pool_t *p, const server_rec *s)
{
    if (!s->is_virtual) {
        return "the main server";
    }
    return apr_psprintf(p, "the <VirtualHost> at %s:%u", s->defn_name,
                        s->defn_line_number);
}

static void compile_remote_user_regex(check_log *cl, apr_pool_t *pconf,
                                      ac_provider *pv)
{
    if (pv->remote_user_regex == NULL || pv->remote_user_re != NULL) {
        return;
    }
    pv->remote_user_re = ap_pregcomp(pconf, pv->remote_user_regex, 0);
    if (pv->remote_user_re == NULL) {
        check_fail(cl, apr_psprintf(cl->p, "<AuthClientProvider %s> (%s): "
                                    "RemoteUserClaim regex '%s' does not "
                                    "compile", pv->name, pv->defined_in,
                                    pv->remote_user_regex));
    }
}

static void check_providers(check_log *cl, apr_pool_t *pconf, server_rec *s)
{
    apr_hash_index_t *hi;

    for (hi = apr_hash_first(pconf, ac_sconf(s)->providers); hi;
         hi = apr_hash_next(hi)) {
        compile_remote_user_regex(cl, pconf, apr_hash_this_val(hi));
    }
}

/* A name no block defines would answer the first login with a 500, and a
 * chooser page would offer it. */
static void check_provider_uses(check_log *cl)
{
    int i;

    for (i = 0; i < ac_state.provider_uses->nelts; i++) {
        const ac_provider_use *u = &APR_ARRAY_IDX(ac_state.provider_uses, i,
                                                  ac_provider_use);
        const ac_server_conf *c = ac_sconf(u->s);
        apr_array_header_t *names;
        apr_hash_index_t *hi;
        const char *guess;

        if (ac_conf_find_provider(c, u->name) != NULL) {
            continue;
        }
        names = apr_array_make(cl->p, 8, sizeof(const char *));
        for (hi = apr_hash_first(cl->p, c->providers); hi; hi = apr_hash_next(hi)) {
            APR_ARRAY_PUSH(names, const char *) = apr_hash_this_key(hi);
        }
        guess = ac_closest_name(u->name, names);
        check_fail(cl, apr_psprintf(cl->p, "AuthClientProvider %s (%s): %s has "
                                    "no <AuthClientProvider %s> block.%s%s%s "
                                    "Define one %s, or correct the name",
                                    u->name, u->where, host_name(cl->p, u->s),
                                    u->name, guess ? " Did you mean " : "",
                                    guess ? guess : "", guess ? "?" : "",
                                    u->s->is_virtual ? "in that <VirtualHost> "
                                    "or the main server" : "in the main "
                                    "server"));
    }
}

static const char *set_at(const char *where)
{
    return where ? where : "the default";
}

/* the cookie path, without its trailing '/', for "put it under ..." */
static const char *path_stem(apr_pool_t *p, const char *path)
{
    apr_size_t n = strlen(path);

    while (n > 0 && path[n - 1] == '/') {
        n--;
    }
    return apr_pstrndup(p, path, n);
}

static void check_cookie_covers(check_log *cl, const ac_server_conf *c,
                                const char *directive, const char *path,
                                const char *path_where, const char *why)
{
    const char *ck = ac_conf_cookie_path(c);

    if (ac_cookie_path_covers(ck, path)) {
        return;
    }
    check_fail(cl, apr_psprintf(cl->p, "AuthClientCookiePath %s (%s) does not "
                                "cover %s %s (%s): browsers would not send %s; "
                                "set AuthClientCookiePath / or a path above "
                                "both, or move %s under it, e.g. %s%s",
                                ck, set_at(c->cookie_path_where), directive,
                                path, set_at(path_where), why, directive,
                                path_stem(cl->p, ck), path));
}

/* A single-logout path that equals another of the module's paths would
 * never be reached (the quick handler takes the first that matches). */
static void check_single_logout_paths(check_log *cl, const ac_server_conf *c)
{
    const struct { const char *name, *path, *where; } p[] = {
        { "AuthClientCallbackPath", ac_conf_callback_path(c), c->callback_path_where },
        { "AuthClientLogoutPath", ac_conf_logout_path(c), c->logout_path_where },
        { "AuthClientBackchannelLogoutPath", c->backchannel_logout_path,
          c->backchannel_logout_path_where },
        { "AuthClientFrontchannelLogoutPath", c->frontchannel_logout_path,
          c->frontchannel_logout_path_where },
    };
    int i, k;

    for (i = 2; i < 4; i++) {
        for (k = 0; p[i].path != NULL && k < i; k++) {
            if (p[k].path != NULL && strcmp(p[i].path, p[k].path) == 0) {
                check_fail(cl, apr_psprintf(cl->p, "%s (%s) and %s (%s) are "
                                            "both %s, so the second would "
                                            "never be reached: give %s a path "
                                            "of its own, e.g. /auth/%s",
                                            p[k].name, set_at(p[k].where),
                                            p[i].name, set_at(p[i].where),
                                            p[i].path, p[i].name,
                                            i == 2 ? "backchannel" : "frontchannel"));
            }
        }
    }
    if (p[3].path != NULL) {
        check_cookie_covers(cl, c, p[3].name, p[3].path, p[3].where,
                            "the session cookie to a front-channel logout, "
                            "which could then not clear it in the browser");
    }
}

/* Paths that can only fail at the first login or logout. */
static void check_paths(check_log *cl, server_rec *s)
{
    const ac_server_conf *c = ac_sconf(s);
    const char *cb = ac_conf_callback_path(c), *lo = ac_conf_logout_path(c);

    if (apr_hash_count(c->providers) == 0) {
        return;                 /* the module serves nothing here */
    }
    if (strcmp(cb, lo) == 0) {
        check_fail(cl, apr_psprintf(cl->p, "AuthClientCallbackPath (%s) and "
                                    "AuthClientLogoutPath (%s) are both %s, so "
                                    "the logout path would never be reached: "
                                    "give them different paths (the defaults "
                                    "are /auth/callback and /auth/logout)",
                                    set_at(c->callback_path_where),
                                    set_at(c->logout_path_where), cb));
    }
    check_single_logout_paths(cl, c);
    check_cookie_covers(cl, c, "AuthClientCallbackPath", cb,
                        c->callback_path_where,
                        "the login cookie to the callback, and every login "
                        "would end with flow_cookie_missing");
    check_cookie_covers(cl, c, "AuthClientLogoutPath", lo,
                        c->logout_path_where,
                        "the session cookie to the logout path, which could "
                        "then not end the session");
}

int ac_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                    server_rec *s)
{
    check_log cl;
    const char *err;
    server_rec *vs;

    cl.p = ptemp;
    cl.s = s;
    cl.seen = apr_hash_make(ptemp);
    cl.failed = 0;
    for (vs = s; vs; vs = vs->next) {
        check_providers(&cl, pconf, vs);
        check_paths(&cl, vs);
    }
    check_provider_uses(&cl);
    cl.failed |= ac_relay_check_config(ptemp, s);
    if (cl.failed) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    ac_authz_check_config(s);
    if ((err = ac_state_check_config(pconf, ptemp)) != NULL) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, s, ACLOGNO(01034)
                     "%s", err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    ac_session_local_configure(ac_state.global_conf);
    return OK;
}
