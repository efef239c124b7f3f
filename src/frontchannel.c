/*
 * frontchannel.c - OpenID Connect Front-Channel Logout 1.0 at
 * AuthClientFrontchannelLogoutPath: the provider's logout page embeds
 * this path in an iframe with iss and sid, and the sessions of that
 * provider session end (session_index.c).
 *
 * Nothing authenticates such a request: whoever knows a session's iss and
 * sid can end it, as the provider's page does.  So it only ever ends local
 * sessions of that sid, never one merely because the browser's cookie
 * names it, and it revokes nothing at the provider.  The browser's own
 * cookie is cleared when its session was among those ended; a browser
 * sends it in the provider's iframe only where the provider is same-site
 * with this host (SameSite=Lax), which back-channel logout does not need.
 */
#include "login.h"
#include "url.h"

#define AC_FRONTCHANNEL_MAX_PARAMS 8
#define AC_FRONTCHANNEL_MAX_VALUE 255

static const char *origin_of(apr_pool_t *p, const char *url)
{
    ac_url_origin o;
    int dflt;

    if (url == NULL || ac_url_origin_parse(p, url, &o) != NULL) {
        return NULL;
    }
    dflt = (strcmp(o.scheme, "https") == 0 && o.port == 443)
        || (strcmp(o.scheme, "http") == 0 && o.port == 80);
    return apr_psprintf(p, "%s://%s%s%s%s%s", o.scheme,
                        strchr(o.host, ':') ? "[" : "", o.host,
                        strchr(o.host, ':') ? "]" : "",
                        dflt ? "" : ":", dflt ? "" : apr_itoa(p, o.port));
}

/* frame-ancestors: only the provider's pages may embed the answer */
static void add_ancestor(request_rec *r, const char **list, const char *url)
{
    const char *origin = origin_of(r->pool, url);

    if (origin != NULL && (*list == NULL || strstr(*list, origin) == NULL)) {
        *list = *list ? apr_pstrcat(r->pool, *list, " ", origin, NULL) : origin;
    }
}

static int page(request_rec *r, int status, const char *ancestors,
                const char *text, const ac_error *e)
{
    if (e != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, ACLOGNO(01037)
                      "%s: front-channel "
                      "logout refused: %s [%s]", AC_LOG_TAG, e->message, e->code);
        ac_audit(r, ACLOGNO(01038),
                 "front-channel logout", "refused", NULL, NULL, e->code);
        apr_table_setn(r->err_headers_out, "X-Auth-Client-Error", e->code);
    }
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->err_headers_out, "Content-Security-Policy",
                   apr_pstrcat(r->pool, "default-src 'none'; frame-ancestors ",
                               ancestors ? ancestors : "'none'", NULL));
    r->status = status;
    ap_set_content_type(r, "text/html; charset=utf-8");
    ap_rprintf(r, "<!DOCTYPE html>\n<html><head><title>%s</title></head>\n"
               "<body>\n<p>%s</p>\n</body></html>\n", text, text);
    return status == HTTP_OK ? OK : DONE;
}

static int value_ok(const char *v)
{
    return v != NULL && *v != '\0' && strlen(v) <= AC_FRONTCHANNEL_MAX_VALUE;
}

/* Was the browser's own session among the ended ones? */
static void clear_cookie_if_ended(request_rec *r, const apr_array_header_t *ended)
{
    const char *ids[AC_COOKIE_MAX_VALUES];
    const char *name = ac_session_cookie_name(r);
    int n = ac_cookie_ids(r, name, ids), i, k;

    for (i = 0; i < n; i++) {
        for (k = 0; k < ended->nelts; k++) {
            if (strcmp(ids[i], APR_ARRAY_IDX(ended, k, const char *)) == 0) {
                ac_cookie_set(r, name, "", 0);
                return;
            }
        }
    }
}

int ac_frontchannel_logout(request_rec *r)
{
    ac_server_conf *c = ac_sconf(r->server);
    apr_array_header_t *ended = apr_array_make(r->pool, 2, sizeof(const char *));
    apr_array_header_t *done = apr_array_make(r->pool, 2, sizeof(const char *));
    const char *iss, *sid, *ancestors = NULL, *names = NULL;
    apr_table_t *params;
    apr_hash_index_t *hi;
    ac_error *e;
    int total = 0, i;

    if (r->method_number != M_GET) {
        ap_allow_methods(r, REPLACE_ALLOW, "GET", NULL);
        return HTTP_METHOD_NOT_ALLOWED;
    }
    if ((e = ac_form_parse(r->pool, r->args ? r->args : "",
                           AC_FRONTCHANNEL_MAX_PARAMS, &params)) != NULL) {
        return page(r, HTTP_BAD_REQUEST, NULL, "Not signed out", e);
    }
    iss = apr_table_get(params, "iss");
    sid = apr_table_get(params, "sid");
    if (!value_ok(iss) || !value_ok(sid)) {
        return page(r, HTTP_BAD_REQUEST, NULL, "Not signed out",
                    ac_fail(r, AC_E_FRONTCHANNEL_REQUEST, "a front-channel "
                            "logout needs iss and sid (register "
                            "frontchannel_logout_session_required true)"));
    }
    for (hi = apr_hash_first(r->pool, c->providers); hi; hi = apr_hash_next(hi)) {
        const ac_provider *pv = apr_hash_this_val(hi);
        const ac_oidc_metadata *md;
        int n = 0;

        if (!ac_logout_provider_of(r, pv, iss, &md)) {
            continue;
        }
        add_ancestor(r, &ancestors, md->issuer);
        add_ancestor(r, &ancestors, md->end_session_endpoint);
        for (i = 0; i < done->nelts; i++) {
            if (strcmp(APR_ARRAY_IDX(done, i, const char *), pv->fingerprint) == 0) {
                break;
            }
        }
        if (i < done->nelts) {
            continue;           /* the same sessions as a block already done */
        }
        APR_ARRAY_PUSH(done, const char *) = pv->fingerprint;
        if ((e = ac_session_index_end(r, pv, sid, NULL, ended, &n)) != NULL) {
            return page(r, HTTP_SERVICE_UNAVAILABLE, ancestors, "Not signed out", e);
        }
        total += n;
        names = names ? apr_pstrcat(r->pool, names, ",", pv->name, NULL) : pv->name;
    }
    if (names == NULL) {
        return page(r, HTTP_BAD_REQUEST, NULL, "Not signed out",
                    ac_error_make(r->pool, AC_E_LOGOUT_ISSUER_UNKNOWN, "the "
                                  "front-channel logout's issuer '%s' is not "
                                  "the issuer of an OpenID Connect provider of "
                                  "this virtual host", ac_log_quote(r->pool, iss)));
    }
    clear_cookie_if_ended(r, ended);
    ac_audit(r, ACLOGNO(01039), "front-channel logout", "ok", NULL, names,
             apr_psprintf(r->pool, "%d session(s) ended", total));
    return page(r, HTTP_OK, ancestors, "Signed out", NULL);
}
