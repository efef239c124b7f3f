/*
 * mod_auth_client - makes httpd an OAuth 1.0a, OAuth 2.0 and OpenID Connect
 * client.  A sysadmin registers named providers in <AuthClientProvider>
 * blocks, protects locations with "AuthType oauth", and every application
 * behind httpd reads REMOTE_USER and the validated claims from its
 * environment.
 *
 * This file holds the module record, the hook registration and the thin hook
 * entry points; the work is done in src/ (see README for the map).
 */
#include "auth_client.h"
#include "bearer.h"
#include "oidc.h"
#include "http.h"

#include <ap_provider.h>
#include <http_main.h>
#include <mod_auth.h>

static int ac_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    ac_directives_pre_config(pconf);
    ac_cache_pre_config(pconf);
    ac_refresh_pre_config(pconf);
    return OK;
}

static int ac_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                          apr_pool_t *ptemp, server_rec *s)
{
    ac_error *e;

    /* the first pass only checks the configuration; the cache and libcurl
     * are set up once the server really starts */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;
    }
    if ((e = ac_http_process_init(pconf)) != NULL) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, "%s: %s", e->code, e->message);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (ac_refresh_post_config(pconf, s) != OK
        || ac_session_local_post_config(s) != OK) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return ac_cache_post_config(pconf, ptemp, s);
}

static void ac_child_init(apr_pool_t *pchild, server_rec *s)
{
    ac_error *e;

    ac_cache_child_init(pchild, s);
    ac_refresh_child_init(pchild, s);
    ac_session_local_child_init(pchild, s);
    /* each child builds its own connection cache: sockets opened by the
     * parent must not be shared between processes */
    if ((e = ac_http_process_init(pchild)) != NULL
        || (e = ac_oidc_process_init(pchild)) != NULL) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, "%s: %s", e->code, e->message);
    }
}

static void ac_register_hooks(apr_pool_t *p)
{
    ap_hook_pre_config(ac_pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_check_config(ac_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(ac_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(ac_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    /* the callback and logout paths belong to the module whatever the
     * <Location> configuration says, so they are served before it */
    ap_hook_quick_handler(ac_quick_handler, NULL, NULL, APR_HOOK_FIRST);
    /* before any authorization decision, which may skip check_authn */
    ap_hook_header_parser(ac_header_parser, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_check_authn(ac_check_authn, NULL, NULL, APR_HOOK_MIDDLE,
                        AP_AUTH_INTERNAL_PER_CONF);
    ac_authz_register(p);
    ac_cache_register_hooks(p);
    ac_bearer_register_hooks(p);
    ac_relay_register(p);
}

module AP_MODULE_DECLARE_DATA auth_client_module = {
    STANDARD20_MODULE_STUFF,
    ac_create_dir_config,
    ac_merge_dir_config,
    ac_create_server_config,
    ac_merge_server_config,
    ac_directives,
    ac_register_hooks
};
