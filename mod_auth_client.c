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
#include "module_state.h"

#include <ap_provider.h>
#include <http_main.h>
#include <mod_auth.h>

static int ac_pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    ac_state_pre_config(pconf);
    ac_cache_pre_config(pconf);
    ac_refresh_pre_config(pconf);
    return OK;
}

static int ac_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                          apr_pool_t *ptemp, server_rec *s)
{
    return ac_state_post_config(pconf, ptemp, s);
}

static void ac_child_init(apr_pool_t *pchild, server_rec *s)
{
    ac_state_child_init(pchild, s);
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
    ap_hook_force_authn(ac_force_authn, NULL, NULL, APR_HOOK_MIDDLE);
    ac_preflight_register(p);
    ac_session_info_register(p);
    ac_authz_register(p);
    ac_cache_register_hooks(p);
    ac_bearer_register_hooks(p);
    ac_relay_register(p);
    ac_status_register_hooks(p);
    ac_errorpage_register(p);
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
