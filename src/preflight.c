/*
 * preflight.c - CORS preflights through a protected location
 * (AuthClientPassCORSPreflight).  Before a script on another origin may
 * send a request with credentials or custom headers, the browser asks
 * with an OPTIONS request that carries Origin and
 * Access-Control-Request-Method and never a cookie (Fetch standard,
 * "CORS-preflight request").  Such a request can have no session, so a
 * login or a 401 would only make the real request fail; where the
 * location asks for it, it goes on unauthenticated to whatever answers
 * it (the backend, or mod_headers), without a user and without a session.
 *
 * It runs as an access checker before mod_authz_core's: granting there
 * skips authentication and authorization (httpd's "access_checker_ex"),
 * and ac_force_authn (dispatch.c) asks for no login behind it.  A plain
 * OPTIONS, without those two headers, is treated like any other request.
 */
#include "auth_client.h"

int ac_preflight_passes(request_rec *r)
{
    const char *type = ap_auth_type(r);

    return r->method_number == M_OPTIONS
        && type != NULL && strcasecmp(type, AC_AUTH_TYPE) == 0
        && ac_dir_pass_cors_preflight(ac_dconf(r))
        && apr_table_get(r->headers_in, "Origin") != NULL
        && apr_table_get(r->headers_in, "Access-Control-Request-Method") != NULL;
}

static int preflight_access(request_rec *r)
{
    if (!ac_preflight_passes(r)) {
        return DECLINED;
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, ACLOGNO(01073)
                  "%s: CORS preflight from "
                  "Origin %s passes unauthenticated (AuthClientPassCORSPreflight)",
                  AC_LOG_TAG, ac_log_quote(r->pool,
                                           apr_table_get(r->headers_in, "Origin")));
    return OK;
}

void ac_preflight_register(apr_pool_t *p)
{
    ap_hook_check_access_ex(preflight_access, NULL, NULL, APR_HOOK_FIRST,
                            AP_AUTH_INTERNAL_PER_CONF);
}
