/*
 * logout_provider.c - the provider's part of a user's own logout (the
 * logout path's POST, logout.c): the session's tokens revoked (RFC 7009),
 * then the browser sent on to the end_session_endpoint (OpenID Connect
 * RP-Initiated Logout 1.0) and, on its way back, to the page it asked for.
 *
 * The return.  Unless the provider block sets PostLogoutRedirectURI, the
 * post_logout_redirect_uri is the logout path itself, so one URI is
 * registered at the provider whatever "return" the logout asked for, and
 * the provider never sees (nor can change) that target: it stays in the
 * cache under a random state, single use, for AuthClientStateTimeout, and
 * the return to the logout path with that state continues to it.  What
 * the state check means is only that: this browser's return belongs to a
 * logout this module started.  The local session ended before the browser
 * left, so nothing rests on it; a return with an unknown, used or expired
 * state goes to the home page.  With PostLogoutRedirectURI the module
 * does not see the return, so no state is sent.
 */
#include "login.h"
#include "url.h"

#define AC_CACHE_LOGOUT_RETURN "logout-return"
/* ours are 43 characters */
#define AC_LOGOUT_STATE_MAX 128

/* ---- revocation ---------------------------------------------------------------- */

static const char *revocation_endpoint(request_rec *r, const ac_provider *pv,
                                       const ac_http_opts *h,
                                       const char **token_endpoint)
{
    const ac_oidc_metadata *md;

    *token_endpoint = pv->access_token_url;
    if (ac_provider_kind(pv) != AC_KIND_OIDC) {
        return pv->revocation_url;
    }
    if (ac_login_discovery(r, h, pv, &md) != NULL) {
        return pv->revocation_url;
    }
    *token_endpoint = md->token_endpoint;
    return md->revocation_endpoint;
}

/*
 * The refresh token first: revoked, it can mint no new access token, and
 * a provider revokes the grant's access tokens with it (RFC 7009 2.1);
 * then the access token for a provider that does not.  A failure is
 * logged and the logout goes on: the local session ends either way.
 */
static void revoke_tokens(request_rec *r, const ac_provider *pv,
                          const ac_session_record *s, const ac_token_set *t)
{
    const struct { const char *token, *hint; } which[] = {
        { t->refresh_token, "refresh_token" },
        { t->access_token, "access_token" },
    };
    const char *endpoint, *token_endpoint;
    ac_http_opts h;
    apr_size_t i;

    if (ac_provider_kind(pv) == AC_KIND_OAUTH1) {
        return;
    }
    ac_request_http_opts(r, &h);
    if ((endpoint = revocation_endpoint(r, pv, &h, &token_endpoint)) == NULL) {
        return;
    }
    for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
        ac_error *e;

        if (which[i].token == NULL || *which[i].token == '\0') {
            continue;
        }
        e = ac_oauth2_revoke(r->pool, &h, pv, endpoint, token_endpoint,
                             which[i].token, which[i].hint);
        if (e != NULL) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, ACLOGNO(01043)
                          "%s: logout: user "
                          "%s, provider %s: the %s was not revoked: %s [%s]",
                          AC_LOG_TAG, s->remote_user, pv->name, which[i].hint,
                          e->message, e->code);
        }
        else {
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, ACLOGNO(01044)
                          "%s: logout: user %s, "
                          "provider %s: %s revoked", AC_LOG_TAG, s->remote_user,
                          pv->name, which[i].hint);
        }
    }
}

/* ---- end_session and the return ------------------------------------------------ */

static ac_error *return_state(request_rec *r, const char *ret, const char **state)
{
    ac_error *e = ac_random_token(r->pool, 32, state);

    if (e != NULL) {
        return e;
    }
    return ac_cache_login_put(r, AC_CACHE_LOGOUT_RETURN, *state, ret, strlen(ret),
                              apr_time_now()
                              + apr_time_from_sec(ac_conf_state_ttl(ac_sconf(r->server))));
}

static const char *end_session_url(request_rec *r, const ac_provider *pv,
                                   const ac_token_set *t, const char *ret)
{
    const ac_oidc_metadata *md;
    ac_http_opts h;
    const char *url, *state = NULL;
    ac_error *e;

    ac_request_http_opts(r, &h);
    if (ac_provider_kind(pv) != AC_KIND_OIDC
        || ac_login_discovery(r, &h, pv, &md) != NULL
        || md->end_session_endpoint == NULL) {
        return NULL;
    }
    url = md->end_session_endpoint;
    if (t && t->id_token[0]) {
        url = ac_url_add_param(r->pool, url, "id_token_hint", t->id_token);
    }
    url = ac_url_add_param(r->pool, url, "client_id", pv->client_id);
    if (pv->post_logout_redirect_uri) {
        return ac_url_add_param(r->pool, url, "post_logout_redirect_uri",
                                pv->post_logout_redirect_uri);
    }
    if ((e = return_state(r, ret, &state)) != NULL) {
        /* without the entry the return would only reach the home page */
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, ACLOGNO(01045)
                      "%s: logout: %s [%s]",
                      AC_LOG_TAG, e->message, e->code);
        return ac_url_add_param(r->pool, url, "post_logout_redirect_uri", ret);
    }
    url = ac_url_add_param(r->pool, url, "post_logout_redirect_uri",
                           apr_pstrcat(r->pool, ac_self_origin(r),
                                       ac_conf_logout_path(ac_sconf(r->server)),
                                       NULL));
    return ac_url_add_param(r->pool, url, "state", state);
}

const char *ac_logout_at_provider(request_rec *r, const ac_session_record *s,
                                  const ac_token_set *t, const char *ret)
{
    const ac_provider *pv = ac_conf_find_provider(ac_sconf(r->server), s->provider);

    if (pv == NULL) {
        return NULL;
    }
    if (t != NULL) {
        revoke_tokens(r, pv, s, t);
    }
    return end_session_url(r, pv, t, ret);
}

int ac_logout_return(request_rec *r, const char *state)
{
    const char *home = apr_pstrcat(r->pool, ac_self_origin(r), "/", NULL);
    char *buf = NULL;
    apr_size_t len;
    ac_error *e = NULL;

    if (*state != '\0' && strlen(state) <= AC_LOGOUT_STATE_MAX) {
        e = ac_cache_login_take(r, AC_CACHE_LOGOUT_RETURN, state, &buf, &len);
    }
    if (e != NULL || buf == NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, ACLOGNO(01046)
                      "%s: back from the "
                      "provider's logout with %s state; going to the home page",
                      AC_LOG_TAG, e ? "an unreadable" : "an unknown, used or expired");
        return ac_redirect(r, HTTP_SEE_OTHER, home);
    }
    /* checked at the logout already; once more, as it comes from the cache */
    buf = apr_pstrmemdup(r->pool, buf, len);
    if (ac_redirect_check(r->pool, buf, ac_self_origin(r),
                          ac_sconf(r->server)->logout_redirect_allow) != NULL) {
        return ac_redirect(r, HTTP_SEE_OTHER, home);
    }
    return ac_redirect(r, HTTP_SEE_OTHER, buf);
}
