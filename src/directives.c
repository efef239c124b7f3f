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
#include "seal.h"
#include "secret.h"

static ac_global_conf *global_conf;

void ac_directives_pre_config(apr_pool_t *pconf)
{
    /* a fresh record for every configuration cycle (graceful restarts) */
    global_conf = apr_pcalloc(pconf, sizeof(*global_conf));
    global_conf->passphrases = apr_array_make(pconf, 2, sizeof(const char *));
}

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
    global_conf->cache_spec = apr_pstrdup(cmd->pool, arg);
    global_conf->cache_spec_where = where(cmd);
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
    APR_ARRAY_PUSH(global_conf->passphrases, const char *) = secret;
    return NULL;
}

/* ---- per server --------------------------------------------------------- */

static ac_server_conf *server_conf(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config, &auth_client_module);
}

static const char *set_path(cmd_parms *cmd, void *dummy, const char *arg)
{
    ac_server_conf *c = server_conf(cmd);
    const char **field = (const char **)((char *)c + (apr_size_t)cmd->info);

    if (arg[0] != '/' || strchr(arg, '?') || strchr(arg, '#')) {
        return apr_psprintf(cmd->pool, "%s must be a local URL path starting "
                            "with '/' and without query or fragment",
                            cmd->cmd->name);
    }
    *field = apr_pstrdup(cmd->pool, arg);
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

static const char *set_pass_token(cmd_parms *cmd, void *dconf, int on)
{
    ((ac_dir_conf *)dconf)->pass_access_token = on;
    return NULL;
}

static const char *set_claim_headers(cmd_parms *cmd, void *dconf, int on)
{
    ((ac_dir_conf *)dconf)->claim_headers = on;
    return NULL;
}

static const char *set_unauth(cmd_parms *cmd, void *dconf, const char *arg)
{
    ac_dir_conf *d = dconf;

    if (strcasecmp(arg, "auto") == 0) {
        d->unauth_action = AC_UNAUTH_AUTO;
    }
    else if (strcmp(arg, "401") == 0) {
        d->unauth_action = AC_UNAUTH_401;
    }
    else {
        return "AuthClientUnauthAction must be auto or 401";
    }
    return NULL;
}

#define SRV_PATH(name, field, help) \
    AP_INIT_TAKE1(name, set_path, (void *)APR_OFFSETOF(ac_server_conf, field), RSRC_CONF, help)
#define SRV_INT(name, field, help) \
    AP_INIT_TAKE1(name, set_int, (void *)&field##_field, RSRC_CONF, help)

const command_rec ac_directives[] = {
    AP_INIT_TAKE1("AuthClientCache", set_cache, NULL, RSRC_CONF,
                  "shmcb[:args] (default), memcache:host:port[,host:port], redis:host:port"),
    AP_INIT_ITERATE("AuthClientPassphrase", add_passphrase, NULL, RSRC_CONF,
                    "cache encryption passphrases (literal, file:, exec:); the first encrypts"),
    AP_INIT_RAW_ARGS("<AuthClientProvider", provider_block, NULL, RSRC_CONF,
                     "a named OAuth 1.0a / OAuth 2.0 / OpenID Connect provider"),
    SRV_PATH("AuthClientCallbackPath", callback_path, "redirect URI path (default /auth/callback)"),
    SRV_PATH("AuthClientLogoutPath", logout_path, "logout path (default /auth/logout)"),
    SRV_PATH("AuthClientCookiePath", cookie_path, "cookie path (default /)"),
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
    AP_INIT_TAKE1("AuthClientCAFile", set_ca_file, NULL, RSRC_CONF,
                  "CA bundle for provider TLS (default: system store)"),
    SRV_INT("AuthClientMetadataTTL", metadata_ttl, "seconds (default 3600)"),
    SRV_INT("AuthClientJWKSRefreshInterval", jwks_refresh_interval, "seconds (default 60)"),
    SRV_INT("AuthClientClockSkew", clock_skew, "seconds (default 120)"),
    SRV_INT("AuthClientIATMaxAge", iat_max_age, "seconds (default 600)"),
    AP_INIT_ITERATE("AuthClientLogoutRedirectAllow", add_logout_allow, NULL, RSRC_CONF,
                    "absolute URL prefixes allowed after logout"),
    AP_INIT_ITERATE("AuthClientProvider", add_dir_provider, NULL, OR_AUTHCFG,
                    "provider name(s) for this location"),
    AP_INIT_TAKE1("AuthClientClaimPrefix", set_claim_prefix, NULL, OR_AUTHCFG,
                  "environment prefix of exported claims (default OIDC_CLAIM_)"),
    AP_INIT_FLAG("AuthClientPassAccessToken", set_pass_token, NULL, OR_AUTHCFG,
                 "export the access token as OIDC_access_token (default Off)"),
    AP_INIT_FLAG("AuthClientClaimHeaders", set_claim_headers, NULL, OR_AUTHCFG,
                 "also pass claims as request headers to backends (default Off)"),
    AP_INIT_TAKE1("AuthClientUnauthAction", set_unauth, NULL, OR_AUTHCFG,
                  "auto (redirect navigations, 401 otherwise) or 401"),
    { NULL }
};

/* ---- startup checks ------------------------------------------------------ */

static int compile_remote_user_regex(apr_pool_t *pconf, server_rec *s,
                                     ac_provider *pv)
{
    if (pv->remote_user_regex == NULL || pv->remote_user_re != NULL) {
        return OK;
    }
    pv->remote_user_re = ap_pregcomp(pconf, pv->remote_user_regex, 0);
    if (pv->remote_user_re == NULL) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, s,
                     "<AuthClientProvider %s> (%s): RemoteUserClaim regex '%s' "
                     "does not compile", pv->name, pv->defined_in,
                     pv->remote_user_regex);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

static int check_providers(apr_pool_t *pconf, server_rec *s)
{
    apr_hash_index_t *hi;
    ac_server_conf *c = ac_sconf(s);

    for (hi = apr_hash_first(pconf, c->providers); hi; hi = apr_hash_next(hi)) {
        ac_provider *pv = apr_hash_this_val(hi);
        if (compile_remote_user_regex(pconf, s, pv) != OK) {
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    return OK;
}

int ac_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                    server_rec *s)
{
    const char *err;
    server_rec *vs;

    for (vs = s; vs; vs = vs->next) {
        if (check_providers(pconf, vs) != OK) {
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    ac_authz_check_config(s);
    if ((err = ac_cache_configure(pconf, ptemp, global_conf)) != NULL) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, s, "%s", err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}
