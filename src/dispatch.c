/*
 * dispatch.c - the request side of the module: check_authn for every
 * request under "AuthType oauth" (a session, or a login, or a 401), the
 * provider chooser, and the quick handler that owns the callback and
 * logout paths whatever the <Location> configuration around them says, in
 * every virtual host that has a provider (its own or the main server's).
 */
#include "bearer.h"
#include "login.h"
#include "url.h"

#define AC_CALLBACK_MAX_PARAMS 16

/* a request a browser made by navigating can follow a redirect to the
 * provider; XHR, fetch() and form posts cannot come back from it */
static int is_navigation(request_rec *r)
{
    const char *mode = apr_table_get(r->headers_in, "Sec-Fetch-Mode");
    const char *xrw = apr_table_get(r->headers_in, "X-Requested-With");

    if (r->method_number != M_GET) {  /* HEAD is M_GET too */
        return 0;
    }
    if (mode && strcmp(mode, "navigate") != 0) {
        return 0;
    }
    return xrw == NULL || strcasecmp(xrw, "XMLHttpRequest") != 0;
}

static int unauthorized(request_rec *r)
{
    apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                   "Bearer realm=\"mod_auth_client\", error=\"login_required\"");
    return HTTP_UNAUTHORIZED;
}

/* ---- login start --------------------------------------------------------------- */

static int start_login(request_rec *r, const ac_provider *pv,
                       const char *original_url)
{
    ac_login lg;
    const char *location = NULL;
    ac_error *e = ac_login_begin(r, pv, original_url, &lg);

    if (e == NULL) {
        e = lg.kind->start(&lg, &location);
    }
    if (e) {
        return ac_error_respond(r, e);
    }
    /* without its query: state, nonce and the PKCE challenge stay out */
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, ACLOGNO(01035)
                  "%s: login started: provider "
                  "%s (%s), redirect_uri %s, to %s", AC_LOG_TAG, pv->name,
                  lg.kind->name, lg.fe.redirect_uri, ac_url_for_log(r->pool, location));
    return ac_redirect(r, HTTP_MOVED_TEMPORARILY, location);
}

/* ---- provider selection -------------------------------------------------------- */

static const apr_array_header_t *location_providers(request_rec *r)
{
    ac_dir_conf *d = ac_dconf(r);
    ac_server_conf *c = ac_sconf(r->server);
    apr_array_header_t *all;
    apr_hash_index_t *hi;

    if (d->providers) {
        return d->providers;
    }
    /* no AuthClientProvider: every provider of this vhost */
    all = apr_array_make(r->pool, 4, sizeof(const char *));
    for (hi = apr_hash_first(r->pool, c->providers); hi; hi = apr_hash_next(hi)) {
        APR_ARRAY_PUSH(all, const char *) = apr_hash_this_key(hi);
    }
    return all;
}

/* on the hot path: no list is built when the location names no provider */
static int session_counts_here(request_rec *r, const char *provider)
{
    const apr_array_header_t *names = ac_dconf(r)->providers;
    int i;

    if (names == NULL) {
        return ac_conf_find_provider(ac_sconf(r->server), provider) != NULL;
    }
    for (i = 0; i < names->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(names, i, const char *), provider) == 0) {
            return 1;
        }
    }
    return 0;
}

/* One entry of the chooser: its DisplayName, its Icon if it has one. */
static const char *chooser_entry(request_rec *r, const char *name,
                                 const char *target)
{
    const ac_provider *pv = ac_conf_find_provider(ac_sconf(r->server), name);
    const char *cb = ac_conf_callback_path(ac_sconf(r->server));
    const char *icon = pv && pv->icon
        ? apr_pstrcat(r->pool, "<img src=\"", ac_template_escape(r->pool, pv->icon),
                      "\" alt=\"\" width=\"24\" height=\"24\">", NULL)
        : "";

    return apr_pstrcat(r->pool, "<li><a class=\"choice\" href=\"",
                       ac_template_escape(r->pool, cb), "?login=",
                       ac_template_escape(r->pool, ac_url_escape(r->pool, name)),
                       "&amp;target=", ac_template_escape(r->pool, target), "\">",
                       icon, ac_template_escape(r->pool, pv ? ac_provider_display_name(pv)
                                                        : name),
                       "</a></li>\n", NULL);
}

static int chooser_page(request_rec *r, const apr_array_header_t *names)
{
    const char *target = ac_url_escape(r->pool, r->unparsed_uri);
    apr_array_header_t *entries = apr_array_make(r->pool, names->nelts,
                                                 sizeof(const char *));
    ac_template_var vars[] = {
        { "providers", NULL, 1 },
        { "target", r->unparsed_uri, 0 },
    };
    int i;

    for (i = 0; i < names->nelts; i++) {
        APR_ARRAY_PUSH(entries, const char *) =
            chooser_entry(r, APR_ARRAY_IDX(names, i, const char *), target);
    }
    vars[0].value = apr_array_pstrcat(r->pool, entries, 0);
    ac_page_write(r, HTTP_OK, AC_PAGE_CHOOSER, "Sign in", vars,
                  sizeof(vars) / sizeof(vars[0]));
    return DONE;
}

static int login_or_choose(request_rec *r)
{
    ac_server_conf *c = ac_sconf(r->server);
    const apr_array_header_t *names = location_providers(r);
    const ac_provider *pv;

    if (names->nelts == 0) {
        return ac_error_respond(r, ac_fail(r, AC_E_NO_PROVIDER, "AuthType oauth "
                                           "is set but no <AuthClientProvider> "
                                           "is defined for this virtual host"));
    }
    if (names->nelts > 1) {
        return chooser_page(r, names);
    }
    pv = ac_conf_find_provider(c, APR_ARRAY_IDX(names, 0, const char *));
    if (pv == NULL) {
        return ac_error_respond(r, ac_error_make(r->pool, AC_E_PROVIDER_NOT_DEFINED,
                                "AuthClientProvider %s: no <AuthClientProvider> "
                                "block of that name in this virtual host",
                                APR_ARRAY_IDX(names, 0, const char *)));
    }
    return start_login(r, pv, r->unparsed_uri);
}

/* ---- check_authn ------------------------------------------------------------- */

/* No session (or none that counts here): what AuthClientUnauthAction
 * says, except where the location answers the question itself. */
static int unauthenticated(request_rec *r)
{
    const ac_dir_conf *d = ac_dconf(r);

    if (ac_dir_session_info(d)) {
        return ac_session_info_respond(r);
    }
    switch (ac_dir_unauth_action(d)) {
    case AC_UNAUTH_PASS:
        /* without a session, pass never gets here where authorization
         * lets a request in without a user (ac_force_authn): here it
         * needs one ("Require valid-user"), and httpd refuses to go on
         * without it */
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, ACLOGNO(01071)
                      "%s: no session, and "
                      "authorization here needs a user: 401 "
                      "(AuthClientUnauthAction pass lets requests without a "
                      "session through only where a Require grants them)",
                      AC_LOG_TAG);
        return unauthorized(r);
    case AC_UNAUTH_410:
        return HTTP_GONE;
    case AC_UNAUTH_401:
        return unauthorized(r);
    default:
        break;
    }
    return is_navigation(r) ? login_or_choose(r) : unauthorized(r);
}

/* The cookie's session that counts in this location, or NULL: read once,
 * by ac_force_authn or check_authn, whichever asks first. */
static ac_error *session_here(request_rec *r, ac_session_record **s,
                              const char **id)
{
    ac_request_state *st = ac_request_state_get(r);
    ac_error *e;

    if (!st->session_read) {
        if ((e = ac_session_load(r, &st->found, &st->found_id)) != NULL) {
            return e;
        }
        if (st->found && !session_counts_here(r, st->found->provider)) {
            st->found = NULL;
        }
        st->session_read = 1;
    }
    *s = st->found;
    *id = st->found_id;
    return NULL;
}

/* The session's identity for the request, then its tokens where they are
 * used (refreshed first when due). */
static int use_session(request_rec *r, ac_session_record *s, const char *id)
{
    ac_request_state *st = ac_request_state_get(r);
    ac_error *e;

    st->session = s;
    st->session_id = id;
    ac_session_export(r, ac_dconf(r), s);
    switch (ac_refresh_for_request(r, &e)) {
    case AC_REFRESH_OK:
        return OK;
    case AC_REFRESH_ERROR:
        return ac_error_respond(r, e);
    case AC_REFRESH_SESSION_ENDED:
        break;
    }
    st->session = NULL;
    st->session_id = NULL;
    r->user = NULL;
    return unauthenticated(r);
}

int ac_check_authn(request_rec *r)
{
    const char *type = ap_auth_type(r);
    ac_session_record *s;
    const char *id;
    ac_error *e;
    int rv;

    if (type == NULL || strcasecmp(type, AC_AUTH_TYPE) != 0) {
        return DECLINED;
    }
    /* the identity headers are gone already: ac_header_parser */
    if ((rv = ac_bearer_check_authn(r)) != DECLINED) {
        return rv;
    }
    if (r->main) {
        /* a subrequest reuses its main request's session: no second read
         * (a bearer token is checked again, for the subrequest's location) */
        ac_request_state *main_st = ac_request_state_get(r->main);
        if (main_st->session && !main_st->bearer) {
            return use_session(r, main_st->session, main_st->session_id);
        }
    }
    if ((e = session_here(r, &s, &id)) != NULL) {
        return ac_error_respond(r, e);
    }
    if (s) {
        return use_session(r, s, id);
    }
    return unauthenticated(r);
}

/*
 * Where authorization needs no user ("Require all granted"), httpd skips
 * authentication.  A location that reports on the session
 * (AuthClientSessionInfo) wants it anyway, and so does one that continues
 * without a session (AuthClientUnauthAction pass) when there is one, or a
 * bearer token.  Without either, pass must not ask for authentication:
 * httpd refuses a request that was authenticated without a user.  A
 * CORS preflight the module let through (preflight.c) gets none.
 */
int ac_force_authn(request_rec *r)
{
    const char *type = ap_auth_type(r);
    const ac_dir_conf *d;
    ac_session_record *s;
    const char *id;

    if (type == NULL || strcasecmp(type, AC_AUTH_TYPE) != 0 || ac_preflight_passes(r)) {
        return DECLINED;
    }
    d = ac_dconf(r);
    if (ac_dir_session_info(d)) {
        return OK;
    }
    if (ac_dir_unauth_action(d) != AC_UNAUTH_PASS) {
        return DECLINED;
    }
    if (ac_dir_bearer(d) != AC_BEARER_OFF
        && apr_table_get(r->headers_in, "Authorization") != NULL) {
        return OK;
    }
    /* a cache failure: check_authn reads again, and answers with it */
    if (session_here(r, &s, &id) != NULL || s != NULL) {
        return OK;
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, ACLOGNO(01072)
                  "%s: no session; "
                  "AuthClientUnauthAction pass: continuing without a user",
                  AC_LOG_TAG);
    return DECLINED;
}

/* ---- quick handler -------------------------------------------------------------- */

static int chooser_selection(request_rec *r, apr_table_t *params)
{
    const char *name = apr_table_get(params, "login");
    const char *target = apr_table_get(params, "target");
    const ac_provider *pv = ac_conf_find_provider(ac_sconf(r->server), name);
    ac_error *e;

    if (pv == NULL) {
        return ac_error_respond(r, ac_fail(r, AC_E_UNKNOWN_PROVIDER,
                                           "the login parameter names no provider"));
    }
    if (target == NULL) {
        target = "/";
    }
    if ((e = ac_redirect_check(r->pool, target, ac_self_origin(r), NULL)) != NULL) {
        return ac_error_respond(r, e);
    }
    return start_login(r, pv, target);
}

static int callback_path(request_rec *r)
{
    apr_table_t *params;
    ac_error *e;

    if (r->method_number != M_GET) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    e = ac_form_parse(r->pool, r->args ? r->args : "", AC_CALLBACK_MAX_PARAMS,
                      &params);
    if (e) {
        return ac_error_respond(r, e);
    }
    /* the chooser's links come back here with the provider picked */
    if (apr_table_get(params, "login")) {
        return chooser_selection(r, params);
    }
    return ac_callback(r, params);
}

/* The module's own paths: no identity header reaches them, and a trusted
 * proxy's malformed Forwarded header is refused before it could shape a
 * redirect or a cookie. */
static int own_path(request_rec *r, int (*answer)(request_rec *r))
{
    ac_error *e;

    ac_strip_spoofed_headers(r, ac_dconf(r));
    if ((e = ac_origin_error(r)) != NULL) {
        return ac_error_respond(r, e);
    }
    return answer(r);
}

int ac_quick_handler(request_rec *r, int lookup)
{
    ac_server_conf *c = ac_sconf(r->server);

    if (r->main || lookup || r->uri == NULL) {
        return DECLINED;
    }
    /* a virtual host without providers does not use the module: its own
     * /auth/logout, say, is its application's */
    if (apr_hash_count(c->providers) == 0) {
        return DECLINED;
    }
    /* r->uri is not yet normalised here; only the exact path is ours */
    if (strcmp(r->uri, ac_conf_callback_path(c)) == 0) {
        return own_path(r, callback_path);
    }
    if (strcmp(r->uri, ac_conf_logout_path(c)) == 0) {
        return own_path(r, ac_logout);
    }
    /* single logout, where configured */
    if (ac_conf_backchannel_logout_path(c)
        && strcmp(r->uri, ac_conf_backchannel_logout_path(c)) == 0) {
        return own_path(r, ac_backchannel_logout);
    }
    if (ac_conf_frontchannel_logout_path(c)
        && strcmp(r->uri, ac_conf_frontchannel_logout_path(c)) == 0) {
        return own_path(r, ac_frontchannel_logout);
    }
    return DECLINED;
}

/* ---- identity headers ------------------------------------------------------------ */

/*
 * Client headers that could pose as what the module exports go on every
 * request to a location configured for the module, whatever authorization
 * asks for there: under "Require all granted", "Require ip" or a <Limit>,
 * check_authn never runs, but the backend still trusts those names.
 */
int ac_header_parser(request_rec *r)
{
    const char *type = ap_auth_type(r);
    const ac_dir_conf *d = ac_dconf(r);

    if ((type != NULL && strcasecmp(type, AC_AUTH_TYPE) == 0) || ac_dir_conf_in_use(d)) {
        ac_strip_spoofed_headers(r, d);
    }
    return DECLINED;
}
