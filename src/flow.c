/*
 * flow.c - what every login shares, whatever the provider's kind:
 * check_authn (session, or login start, or 401), the flow cookie and the
 * cache entries of logins in progress, the provider chooser, and the
 * callback that consumes the entry, lets login_oauth2.c / login_oauth1.c
 * do the protocol, and creates the session.
 *
 * check_authn runs for every request under "AuthType oauth"; the callback
 * and logout paths are served from the quick handler so they work whatever
 * the <Location> configuration around them says.
 */
#include <apr_lib.h>

#include "auth_client.h"
#include "flowstate.h"
#include "oidc.h"
#include "url.h"

#define AC_CALLBACK_MAX_PARAMS 16

/* ---- small helpers ------------------------------------------------------------ */

ac_error *ac_fail(request_rec *r, int status, const char *code,
                  const char *msg)
{
    return ac_error_make(r->pool, status, code, "%s", msg);
}

const char *ac_redirect_uri(request_rec *r)
{
    return apr_pstrcat(r->pool, ac_self_origin(r),
                       ac_conf_callback_path(ac_sconf(r->server)), NULL);
}

int ac_redirect(request_rec *r, int status, const char *location)
{
    apr_table_setn(r->headers_out, "Location", location);
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    return status;
}

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

ac_error *ac_provider_metadata(request_rec *r, const ac_provider *pv,
                               const ac_oidc_metadata **md)
{
    ac_server_conf *c = ac_sconf(r->server);
    ac_http_opts h;
    const char *warning = NULL;
    ac_error *e;

    ac_http_opts_for(c, &h);
    e = ac_oidc_metadata_get(r->pool, &h, pv, ac_conf_metadata_ttl(c), md, &warning);
    if (warning) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "%s: provider %s: %s",
                      AC_LOG_TAG, pv->name, warning);
    }
    return e;
}

/* ---- login start --------------------------------------------------------------- */

/*
 * One flow cookie per browser, reused by every login in progress, so many
 * tabs never pile up state cookies; each cache entry records the id.
 */
static ac_error *browser_flow_id(request_rec *r, const char **id)
{
    ac_server_conf *c = ac_sconf(r->server);
    const char *name = ac_conf_flow_cookie_name(c);
    ac_error *e;

    *id = ac_cookie_get(r, name);
    if (ac_random_id_shape_ok(*id)) {
        return NULL;
    }
    if ((e = ac_random_token(r->pool, AC_RANDOM_ID_BYTES, id)) != NULL) {
        return e;
    }
    ac_cookie_set(r, name, *id, ac_conf_state_ttl(c));
    return NULL;
}

ac_error *ac_flow_new(request_rec *r, const ac_provider *pv,
                      const char *original_url, ac_flow_entry *fe)
{
    ac_error *e;

    memset(fe, 0, sizeof(*fe));
    fe->provider = pv->name;
    fe->original_url = original_url;
    fe->redirect_uri = ac_redirect_uri(r);
    fe->created = apr_time_now();
    fe->code_verifier = "";
    fe->token_secret = "";
    if ((e = browser_flow_id(r, &fe->flow_id)) != NULL
        || (e = ac_random_token(r->pool, 32, &fe->nonce)) != NULL) {
        return e;
    }
    if (ac_provider_pkce(pv) == AC_PKCE_S256) {
        return ac_pkce_verifier(r->pool, &fe->code_verifier);
    }
    return NULL;
}

ac_error *ac_flow_store(request_rec *r, const char *type, const char *key,
                        const ac_flow_entry *fe)
{
    ac_server_conf *c = ac_sconf(r->server);
    char *buf;
    apr_size_t len;
    ac_error *e = ac_flow_entry_encode(r->pool, fe, &buf, &len);

    if (e) {
        return e;
    }
    return ac_cache_put(r, type, key, buf, len,
                        apr_time_now() + apr_time_from_sec(ac_conf_state_ttl(c)));
}

static int start_login(request_rec *r, const ac_provider *pv,
                       const char *original_url)
{
    ac_flow_entry fe;
    const char *location = NULL;
    ac_error *e = ac_flow_new(r, pv, original_url, &fe);

    if (e == NULL) {
        e = ac_provider_kind(pv) == AC_KIND_OAUTH1
            ? ac_oauth1_login_start(r, pv, &fe, &location)
            : ac_oauth2_login_start(r, pv, &fe, &location);
    }
    if (e) {
        return ac_error_respond(r, e);
    }
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
        return ac_find_provider(ac_sconf(r->server), provider) != NULL;
    }
    for (i = 0; i < names->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(names, i, const char *), provider) == 0) {
            return 1;
        }
    }
    return 0;
}

static int chooser_page(request_rec *r, const apr_array_header_t *names)
{
    const char *cb = ac_conf_callback_path(ac_sconf(r->server));
    const char *target = ac_url_escape(r->pool, r->unparsed_uri);
    int i;

    ap_set_content_type(r, "text/html; charset=utf-8");
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    ap_rputs("<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n"
             "<body>\n<h1>Sign in with</h1>\n<ul>\n", r);
    for (i = 0; i < names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        ap_rprintf(r, "<li><a href=\"%s?login=%s&amp;target=%s\">%s</a></li>\n",
                   ac_html_escape(r->pool, cb),
                   ac_html_escape(r->pool, ac_url_escape(r->pool, name)),
                   ac_html_escape(r->pool, target), ac_html_escape(r->pool, name));
    }
    ap_rputs("</ul>\n</body></html>\n", r);
    return DONE;
}

static int login_or_choose(request_rec *r)
{
    ac_server_conf *c = ac_sconf(r->server);
    const apr_array_header_t *names = location_providers(r);
    const ac_provider *pv;

    if (names->nelts == 0) {
        return ac_error_respond(r, ac_fail(r, HTTP_INTERNAL_SERVER_ERROR,
               "no_provider", "AuthType oauth is set but no <AuthClientProvider> "
               "is defined for this virtual host"));
    }
    if (names->nelts > 1) {
        return chooser_page(r, names);
    }
    pv = ac_find_provider(c, APR_ARRAY_IDX(names, 0, const char *));
    if (pv == NULL) {
        return ac_error_respond(r, ac_error_make(r->pool, HTTP_INTERNAL_SERVER_ERROR,
            "unknown_provider", "AuthClientProvider %s: no <AuthClientProvider> "
            "block of that name in this virtual host",
            APR_ARRAY_IDX(names, 0, const char *)));
    }
    return start_login(r, pv, r->unparsed_uri);
}

/* ---- check_authn ------------------------------------------------------------- */

static int use_session(request_rec *r, ac_session_record *s, const char *id)
{
    ac_request_state *st = ac_request_state_get(r);

    st->session = s;
    st->session_id = id;
    ac_session_export(r, ac_dconf(r), s);
    return OK;
}

int ac_check_authn(request_rec *r)
{
    const char *type = ap_auth_type(r);
    ac_session_record *s;
    const char *id;
    ac_error *e;

    if (type == NULL || strcasecmp(type, AC_AUTH_TYPE) != 0) {
        return DECLINED;
    }
    ac_strip_spoofed_headers(r, ac_dconf(r));
    if (r->main) {
        /* a subrequest reuses its main request's session: no second read */
        ac_request_state *main_st = ac_request_state_get(r->main);
        if (main_st->session) {
            return use_session(r, main_st->session, main_st->session_id);
        }
    }
    if ((e = ac_session_load(r, &s, &id)) != NULL) {
        return ac_error_respond(r, e);
    }
    if (s && session_counts_here(r, s->provider)) {
        return use_session(r, s, id);
    }
    if (!is_navigation(r) || ac_dir_unauth_action(ac_dconf(r)) == AC_UNAUTH_401) {
        return unauthorized(r);
    }
    return login_or_choose(r);
}

/* ---- callback ------------------------------------------------------------------ */

const char *ac_oauth1_flow_key(apr_pool_t *p, const char *flow_id,
                               const char *token)
{
    return apr_pstrcat(p, flow_id, " ", token, NULL);
}

static ac_error *take_flow_entry(ac_login *lg, const char *type, const char *key)
{
    request_rec *r = lg->r;
    const char *cookie = ac_cookie_get(r, ac_conf_flow_cookie_name(ac_sconf(r->server)));
    char *buf;
    apr_size_t len;
    ac_error *e;

    if (!ac_random_id_shape_ok(cookie)) {
        return ac_fail(r, HTTP_BAD_REQUEST, "flow_cookie_missing", "callback without "
                       "the flow cookie; check AuthClientCookiePath, that the "
                       "callback is on the same host name as the protected page, "
                       "and that nothing strips SameSite=Lax cookies");
    }
    if (strcmp(type, AC_CACHE_FLOW_OAUTH1) == 0) {
        key = ac_oauth1_flow_key(r->pool, cookie, key);
    }
    e = ac_cache_take(r, type, key, &buf, &len);
    if (e) {
        return strcmp(e->code, "cache_miss") != 0 ? e
            : ac_fail(r, HTTP_BAD_REQUEST, "state_unknown", "no login in progress "
                      "for this state: it expired (AuthClientStateTimeout), was "
                      "already used, or was started against another cache");
    }
    if ((e = ac_flow_entry_decode(r->pool, buf, len, &lg->fe)) != NULL) {
        return e;
    }
    if (!ac_str_equal_ct(lg->fe.flow_id, cookie)) {
        return ac_fail(r, HTTP_BAD_REQUEST, "state_mismatch", "the state belongs to "
                       "a login started in another browser");
    }
    lg->pv = ac_find_provider(ac_sconf(r->server), lg->fe.provider);
    if (lg->pv == NULL) {
        return ac_fail(r, HTTP_BAD_REQUEST, "unknown_provider", "the login was "
                       "started for a provider this virtual host no longer has");
    }
    return NULL;
}

/* OAuth 1.0a answers with the request token (or denied=token), the others
 * with the state; each names its own cache entry */
static ac_error *consume_flow_entry(ac_login *lg)
{
    const char *state = apr_table_get(lg->params, "state");
    const char *token = apr_table_get(lg->params, "oauth_token");
    const char *denied = apr_table_get(lg->params, "denied");
    const char *type = AC_CACHE_FLOW;
    const char *key = state;
    apr_size_t max_len = 128;       /* ours are 43 characters */
    ac_error *e;

    if (state == NULL && (token || denied)) {
        type = AC_CACHE_FLOW_OAUTH1;
        key = token ? token : denied;
        max_len = 256;              /* the provider chose this one */
    }
    if (key == NULL || *key == '\0' || strlen(key) > max_len) {
        return ac_fail(lg->r, HTTP_BAD_REQUEST, "state_missing", "callback without "
                       "a usable state parameter; was it opened directly?");
    }
    if ((e = take_flow_entry(lg, type, key)) != NULL) {
        return e;
    }
    /* an entry of one kind must not complete a login of another */
    if ((ac_provider_kind(lg->pv) == AC_KIND_OAUTH1)
        != (strcmp(type, AC_CACHE_FLOW_OAUTH1) == 0)) {
        return ac_fail(lg->r, HTTP_BAD_REQUEST, "state_mismatch", "the callback "
                       "does not fit the kind of login that was started");
    }
    return NULL;
}

static ac_error *remote_user_for(ac_login *lg, const apr_array_header_t *claims,
                                 const char **user)
{
    request_rec *r = lg->r;
    const char *name = ac_provider_remote_user_claim(lg->pv);
    const ac_claim *cl = ac_claims_find(claims, name);
    ap_regmatch_t m[AP_MAX_REG_MATCH];

    if (cl == NULL || cl->nvalues != 1 || *cl->values[0] == '\0') {
        return ac_error_make(r->pool, HTTP_FORBIDDEN, "remote_user_claim_missing",
                             "provider %s did not supply the claim '%s' "
                             "(RemoteUserClaim); check the requested scope",
                             lg->pv->name, name);
    }
    *user = cl->values[0];
    if (lg->pv->remote_user_re == NULL) {
        return NULL;
    }
    if (ap_regexec(lg->pv->remote_user_re, *user, AP_MAX_REG_MATCH, m, 0) != 0) {
        return ac_error_make(r->pool, HTTP_FORBIDDEN, "remote_user_rewrite",
                             "the '%s' claim does not match the RemoteUserClaim "
                             "regex of provider %s", name, lg->pv->name);
    }
    *user = ap_pregsub(r->pool, lg->pv->remote_user_replace, *user,
                       AP_MAX_REG_MATCH, m);
    return *user ? NULL : ac_fail(r, HTTP_INTERNAL_SERVER_ERROR, "remote_user_rewrite",
                                  "the RemoteUserClaim replacement failed");
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

static ac_error *create_session(ac_login *lg)
{
    ac_session_record *s = apr_pcalloc(lg->r->pool, sizeof(*s));
    ac_error *e;

    s->provider = lg->pv->name;
    s->claims = ac_claims_flatten(lg->r->pool, lg->claims);
    if ((e = remote_user_for(lg, s->claims, &s->remote_user)) != NULL) {
        return e;
    }
    s->access_token = or_empty(lg->access_token);
    s->id_token = or_empty(lg->id_token);
    s->refresh_token = or_empty(lg->refresh_token);
    s->token_secret = or_empty(lg->token_secret);
    return ac_session_create(lg->r, s);
}

static ac_error *complete_login(ac_login *lg)
{
    ac_error *e = ac_provider_kind(lg->pv) == AC_KIND_OAUTH1
                  ? ac_oauth1_login_complete(lg)
                  : ac_oauth2_login_complete(lg);

    return e ? e : create_session(lg);
}

static int finish_redirect(request_rec *r, const char *target)
{
    ac_error *e = ac_redirect_check(r->pool, target, ac_self_origin(r), NULL);

    if (e) {
        /* stored by us at login start, so this is a bug or a tampered cache */
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "%s: %s [%s]; sending the "
                      "browser to / instead", AC_LOG_TAG, e->message, e->code);
        target = "/";
    }
    return ac_redirect(r, HTTP_SEE_OTHER, target);
}

static int chooser_selection(request_rec *r, apr_table_t *params)
{
    const char *name = apr_table_get(params, "login");
    const char *target = apr_table_get(params, "target");
    const ac_provider *pv = ac_find_provider(ac_sconf(r->server), name);
    ac_error *e;

    if (pv == NULL) {
        return ac_error_respond(r, ac_fail(r, HTTP_BAD_REQUEST, "unknown_provider",
                                           "the login parameter names no provider"));
    }
    if (target == NULL) {
        target = "/";
    }
    if ((e = ac_redirect_check(r->pool, target, ac_self_origin(r), NULL)) != NULL) {
        e->http_status = HTTP_BAD_REQUEST;
        return ac_error_respond(r, e);
    }
    return start_login(r, pv, target);
}

static int handle_callback(request_rec *r)
{
    ac_login lg;
    ac_error *e;

    memset(&lg, 0, sizeof(lg));
    lg.r = r;
    if (r->method_number != M_GET) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    e = ac_form_parse(r->pool, r->args ? r->args : "", AC_CALLBACK_MAX_PARAMS,
                      &lg.params);
    if (e) {
        e->http_status = HTTP_BAD_REQUEST;
        return ac_error_respond(r, e);
    }
    if (apr_table_get(lg.params, "login")) {
        return chooser_selection(r, lg.params);
    }
    if ((e = consume_flow_entry(&lg)) == NULL) {
        apr_table_setn(r->notes, "ac-retry-url", lg.fe.original_url);
        e = complete_login(&lg);
    }
    if (e) {
        return ac_error_respond(r, e);
    }
    return finish_redirect(r, lg.fe.original_url);
}

/* ---- quick handler -------------------------------------------------------------- */

int ac_quick_handler(request_rec *r, int lookup)
{
    ac_server_conf *c = ac_sconf(r->server);

    if (r->main || lookup || r->uri == NULL) {
        return DECLINED;
    }
    /* r->uri is not yet normalised here; only the exact path is ours */
    if (strcmp(r->uri, ac_conf_callback_path(c)) == 0) {
        return handle_callback(r);
    }
    if (strcmp(r->uri, ac_conf_logout_path(c)) == 0) {
        return ac_logout(r);
    }
    return DECLINED;
}
