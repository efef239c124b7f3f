/*
 * flow.c - the request flow: check_authn (session or login start), the
 * callback that completes a login, logout, and the provider chooser.
 *
 * check_authn runs for every request under "AuthType oauth"; the callback
 * and logout paths are served from the quick handler so they work whatever
 * the <Location> configuration around them says.
 */
#include <apr_lib.h>

#include "auth_client.h"
#include "flowstate.h"
#include "jose.h"
#include "oidc.h"
#include "url.h"

#define AC_STATE_BYTES 32
#define AC_FLOW_ID_LEN 43
#define AC_CALLBACK_MAX_PARAMS 16

/* ---- small helpers ------------------------------------------------------------ */

static ac_error *fail(request_rec *r, int status, const char *code,
                      const char *msg)
{
    return ac_error_make(r->pool, status, code, "%s", msg);
}

static const char *redirect_uri_for(request_rec *r)
{
    return apr_pstrcat(r->pool, ac_self_origin(r),
                       ac_conf_callback_path(ac_sconf(r->server)), NULL);
}

static int redirect(request_rec *r, int status, const char *location)
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

static ac_error *metadata_for(request_rec *r, const ac_provider *pv,
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

static int flow_id_shape_ok(const char *id)
{
    const char *s;

    if (id == NULL || strlen(id) != AC_FLOW_ID_LEN) {
        return 0;
    }
    for (s = id; *s; s++) {
        if (!apr_isalnum(*s) && *s != '-' && *s != '_') {
            return 0;
        }
    }
    return 1;
}

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
    if (flow_id_shape_ok(*id)) {
        return NULL;
    }
    if ((e = ac_random_token(r->pool, 32, id)) != NULL) {
        return e;
    }
    ac_cookie_set(r, name, *id, ac_conf_state_ttl(c));
    return NULL;
}

static ac_error *new_flow_entry(request_rec *r, const ac_provider *pv,
                                const char *original_url, ac_flow_entry *fe)
{
    ac_error *e;

    memset(fe, 0, sizeof(*fe));
    fe->provider = pv->name;
    fe->original_url = original_url;
    fe->redirect_uri = redirect_uri_for(r);
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

static ac_error *store_flow_entry(request_rec *r, const char *key,
                                  const ac_flow_entry *fe)
{
    ac_server_conf *c = ac_sconf(r->server);
    char *buf;
    apr_size_t len;
    ac_error *e = ac_flow_entry_encode(r->pool, fe, &buf, &len);

    if (e) {
        return e;
    }
    return ac_cache_put(r, AC_CACHE_FLOW, key, buf, len,
                        apr_time_now() + apr_time_from_sec(ac_conf_state_ttl(c)));
}

static ac_error *start_oidc(request_rec *r, const ac_provider *pv,
                            const ac_flow_entry *fe, const char **location)
{
    const ac_oidc_metadata *md;
    const char *state;
    ac_error *e;

    if ((e = metadata_for(r, pv, &md)) != NULL
        || (e = ac_random_token(r->pool, AC_STATE_BYTES, &state)) != NULL
        || (e = store_flow_entry(r, state, fe)) != NULL) {
        return e;
    }
    *location = ac_oauth2_authorize_url(r->pool, pv, md->authorization_endpoint,
                                        fe->redirect_uri, state, fe->nonce,
                                        fe->code_verifier);
    return NULL;
}

static int start_login(request_rec *r, const ac_provider *pv,
                       const char *original_url)
{
    ac_flow_entry fe;
    const char *location = NULL;
    ac_error *e = new_flow_entry(r, pv, original_url, &fe);

    if (e == NULL) {
        e = start_oidc(r, pv, &fe, &location);
    }
    if (e) {
        return ac_error_respond(r, e);
    }
    return redirect(r, HTTP_MOVED_TEMPORARILY, location);
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

static int provider_allowed(const apr_array_header_t *names, const char *name)
{
    int i;

    for (i = 0; i < names->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(names, i, const char *), name) == 0) {
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
        return ac_error_respond(r, fail(r, HTTP_INTERNAL_SERVER_ERROR,
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
    if (s && provider_allowed(location_providers(r), s->provider)) {
        return use_session(r, s, id);
    }
    if (!is_navigation(r) || ac_dir_unauth_action(ac_dconf(r)) == AC_UNAUTH_401) {
        return unauthorized(r);
    }
    return login_or_choose(r);
}

/* ---- callback ------------------------------------------------------------------ */

typedef struct callback_ctx {
    request_rec *r;
    apr_table_t *params;
    ac_flow_entry fe;
    const ac_provider *pv;
    const ac_oidc_metadata *md;
    ac_token_response tokens;
    json_t *claims;
} callback_ctx;

static ac_error *consume_flow_entry(callback_ctx *cx)
{
    request_rec *r = cx->r;
    const char *state = apr_table_get(cx->params, "state");
    const char *cookie = ac_cookie_get(r, ac_conf_flow_cookie_name(ac_sconf(r->server)));
    char *buf;
    apr_size_t len;
    ac_error *e;

    if (state == NULL || *state == '\0' || strlen(state) > 128) {
        return fail(r, HTTP_BAD_REQUEST, "state_missing", "callback without a "
                    "usable state parameter; was it opened directly?");
    }
    if (!flow_id_shape_ok(cookie)) {
        return fail(r, HTTP_BAD_REQUEST, "flow_cookie_missing", "callback without "
                    "the flow cookie; check AuthClientCookiePath, that the "
                    "callback is on the same host name as the protected page, "
                    "and that nothing strips SameSite=Lax cookies");
    }
    e = ac_cache_take(r, AC_CACHE_FLOW, state, &buf, &len);
    if (e) {
        return strcmp(e->code, "cache_miss") != 0 ? e
            : fail(r, HTTP_BAD_REQUEST, "state_unknown", "no login in progress "
                   "for this state: it expired (AuthClientStateTimeout), was "
                   "already used, or was started against another cache");
    }
    if ((e = ac_flow_entry_decode(r->pool, buf, len, &cx->fe)) != NULL) {
        return e;
    }
    if (!ac_str_equal_ct(cx->fe.flow_id, cookie)) {
        return fail(r, HTTP_BAD_REQUEST, "state_mismatch", "the state belongs to "
                    "a login started in another browser");
    }
    cx->pv = ac_find_provider(ac_sconf(r->server), cx->fe.provider);
    if (cx->pv == NULL) {
        return fail(r, HTTP_BAD_REQUEST, "unknown_provider", "the login was "
                    "started for a provider this virtual host no longer has");
    }
    return NULL;
}

static ac_error *check_authorization_response(callback_ctx *cx)
{
    request_rec *r = cx->r;
    const char *error = apr_table_get(cx->params, "error");
    const char *iss = apr_table_get(cx->params, "iss");

    if (error) {
        int denied = strcmp(error, "access_denied") == 0;
        return ac_error_make(r->pool, denied ? HTTP_FORBIDDEN : HTTP_BAD_GATEWAY,
                             denied ? "access_denied" : "provider_error",
                             "provider %s answered the authorization request "
                             "with error '%s'", cx->pv->name,
                             ac_claim_value_clean(r->pool, error));
    }
    /* RFC 9207: a mix-up attack shows as the wrong issuer here */
    if (iss && strcmp(iss, cx->md->issuer) != 0) {
        return ac_error_make(r->pool, HTTP_BAD_REQUEST, "iss_mismatch",
                             "provider %s: the authorization response came from "
                             "another issuer (RFC 9207 iss parameter)", cx->pv->name);
    }
    if (iss == NULL && cx->md->iss_parameter_supported) {
        return ac_error_make(r->pool, HTTP_BAD_REQUEST, "iss_missing",
                             "provider %s advertises the RFC 9207 iss parameter "
                             "but the authorization response lacks it", cx->pv->name);
    }
    if (apr_table_get(cx->params, "code") == NULL) {
        return fail(r, HTTP_BAD_REQUEST, "code_missing",
                    "the authorization response has no code");
    }
    return NULL;
}

static ac_error *validate_id_token(callback_ctx *cx)
{
    request_rec *r = cx->r;
    ac_server_conf *c = ac_sconf(r->server);
    ac_idtoken_expect ex;
    ac_http_opts h;
    const char *jwks;
    ac_error *e;
    int attempt;

    if (cx->tokens.id_token == NULL) {
        return fail(r, HTTP_BAD_GATEWAY, "id_token_missing",
                    "the token response has no id_token");
    }
    memset(&ex, 0, sizeof(ex));
    ex.issuer = cx->md->issuer;
    ex.client_id = cx->pv->client_id;
    ex.client_secret = cx->pv->client_secret;
    ex.allowed_algs = cx->pv->id_token_algs;
    ex.nonce = cx->fe.nonce;
    ex.access_token = cx->tokens.access_token;
    ex.now = apr_time_now();
    ex.clock_skew = ac_conf_clock_skew(c);
    ex.iat_max_age = ac_conf_iat_max_age(c);
    ac_http_opts_for(c, &h);
    /* an unknown kid may mean the provider rotated its keys: one refetch */
    for (attempt = 0; attempt < 2; attempt++) {
        e = ac_oidc_jwks_get(r->pool, &h, cx->md->jwks_uri, attempt,
                             ac_conf_jwks_refresh_interval(c), &jwks);
        if (e == NULL) {
            e = ac_idtoken_validate(r->pool, cx->tokens.id_token, jwks, &ex,
                                    &cx->claims);
        }
        if (e == NULL || strcmp(e->code, "jwks_kid_unknown") != 0) {
            break;
        }
    }
    return e;
}

static ac_error *merge_userinfo(callback_ctx *cx)
{
    request_rec *r = cx->r;
    ac_http_opts h;
    json_t *info;
    const char *sub;
    ac_error *e;

    if (cx->pv->fetch_userinfo != 1) {
        return NULL;
    }
    if (cx->md->userinfo_endpoint == NULL) {
        return fail(r, HTTP_BAD_GATEWAY, "userinfo_unavailable", "FetchUserInfo "
                    "is On but the provider has no userinfo endpoint");
    }
    ac_http_opts_for(ac_sconf(r->server), &h);
    e = ac_oauth2_get_json(r->pool, &h, cx->md->userinfo_endpoint,
                           cx->tokens.access_token, &info);
    if (e) {
        return e;
    }
    sub = ac_json_string(info, "sub");
    if (sub == NULL || strcmp(sub, ac_json_string(cx->claims, "sub")) != 0) {
        return fail(r, HTTP_BAD_GATEWAY, "userinfo_sub_mismatch", "the userinfo "
                    "sub differs from the id_token sub (OIDC Core 5.3.2)");
    }
    /* the id_token's own claims (iss, aud, nonce...) win over userinfo */
    json_object_update_missing(cx->claims, info);
    return NULL;
}

static ac_error *remote_user_for(callback_ctx *cx, const apr_array_header_t *claims,
                                 const char **user)
{
    request_rec *r = cx->r;
    const char *name = ac_provider_remote_user_claim(cx->pv);
    const ac_claim *cl = ac_claims_find(claims, name);
    ap_regmatch_t m[AP_MAX_REG_MATCH];

    if (cl == NULL || cl->nvalues != 1 || *cl->values[0] == '\0') {
        return ac_error_make(r->pool, HTTP_FORBIDDEN, "remote_user_claim_missing",
                             "provider %s did not supply the claim '%s' "
                             "(RemoteUserClaim); check the requested scope",
                             cx->pv->name, name);
    }
    *user = cl->values[0];
    if (cx->pv->remote_user_re == NULL) {
        return NULL;
    }
    if (ap_regexec(cx->pv->remote_user_re, *user, AP_MAX_REG_MATCH, m, 0) != 0) {
        return ac_error_make(r->pool, HTTP_FORBIDDEN, "remote_user_rewrite",
                             "the '%s' claim does not match the RemoteUserClaim "
                             "regex of provider %s", name, cx->pv->name);
    }
    *user = ap_pregsub(r->pool, cx->pv->remote_user_replace, *user,
                       AP_MAX_REG_MATCH, m);
    return *user ? NULL : fail(r, HTTP_INTERNAL_SERVER_ERROR, "remote_user_rewrite",
                               "the RemoteUserClaim replacement failed");
}

static ac_error *create_session(callback_ctx *cx)
{
    ac_session_record *s = apr_pcalloc(cx->r->pool, sizeof(*s));
    ac_error *e;

    s->provider = cx->pv->name;
    s->claims = ac_claims_flatten(cx->r->pool, cx->claims);
    if ((e = remote_user_for(cx, s->claims, &s->remote_user)) != NULL) {
        return e;
    }
    s->access_token = cx->tokens.access_token;
    s->id_token = cx->tokens.id_token ? cx->tokens.id_token : "";
    s->refresh_token = cx->tokens.refresh_token ? cx->tokens.refresh_token : "";
    s->token_secret = "";
    return ac_session_create(cx->r, s);
}

static ac_error *complete_oidc(callback_ctx *cx)
{
    request_rec *r = cx->r;
    ac_http_opts h;
    ac_error *e;

    if ((e = metadata_for(r, cx->pv, &cx->md)) != NULL
        || (e = check_authorization_response(cx)) != NULL) {
        return e;
    }
    ac_http_opts_for(ac_sconf(r->server), &h);
    e = ac_oauth2_code_exchange(r->pool, &h, cx->pv, cx->md->token_endpoint,
                                apr_table_get(cx->params, "code"),
                                cx->fe.redirect_uri, cx->fe.code_verifier,
                                &cx->tokens);
    if (e || (e = validate_id_token(cx)) != NULL
        || (e = merge_userinfo(cx)) != NULL) {
        return e;
    }
    return create_session(cx);
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
    return redirect(r, HTTP_SEE_OTHER, target);
}

static int chooser_selection(request_rec *r, apr_table_t *params)
{
    const char *name = apr_table_get(params, "login");
    const char *target = apr_table_get(params, "target");
    const ac_provider *pv = ac_find_provider(ac_sconf(r->server), name);
    ac_error *e;

    if (pv == NULL) {
        return ac_error_respond(r, fail(r, HTTP_BAD_REQUEST, "unknown_provider",
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
    callback_ctx cx;
    ac_error *e;

    memset(&cx, 0, sizeof(cx));
    cx.r = r;
    if (r->method_number != M_GET) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    e = ac_form_parse(r->pool, r->args ? r->args : "", AC_CALLBACK_MAX_PARAMS,
                      &cx.params);
    if (e) {
        e->http_status = HTTP_BAD_REQUEST;
        return ac_error_respond(r, e);
    }
    if (apr_table_get(cx.params, "login")) {
        return chooser_selection(r, cx.params);
    }
    if ((e = consume_flow_entry(&cx)) == NULL) {
        apr_table_setn(r->notes, "ac-retry-url", cx.fe.original_url);
        e = complete_oidc(&cx);
    }
    if (e) {
        return ac_error_respond(r, e);
    }
    return finish_redirect(r, cx.fe.original_url);
}

/* ---- logout ------------------------------------------------------------------------- */

static int same_origin_post(request_rec *r)
{
    const char *origin = apr_table_get(r->headers_in, "Origin");
    const char *site = apr_table_get(r->headers_in, "Sec-Fetch-Site");

    if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0) {
        return 0;
    }
    return origin == NULL || strcmp(origin, ac_self_origin(r)) == 0;
}

static int logout_confirm_page(request_rec *r)
{
    ap_set_content_type(r, "text/html; charset=utf-8");
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    ap_rprintf(r, "<!DOCTYPE html>\n<html><head><title>Sign out</title></head>\n"
               "<body>\n<form method=\"post\" action=\"%s\">\n"
               "<input type=\"hidden\" name=\"return\" value=\"%s\">\n"
               "<button type=\"submit\">Sign out</button>\n</form>\n</body></html>\n",
               ac_html_escape(r->pool, r->uri),
               ac_html_escape(r->pool, apr_table_get(r->notes, "ac-return")));
    return OK;
}

static ac_error *read_form(request_rec *r, apr_table_t **params)
{
    char buf[2048];
    apr_size_t len = 0;
    long n;

    if (ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK) != OK) {
        return fail(r, HTTP_BAD_REQUEST, "logout_body", "unreadable request body");
    }
    if (ap_should_client_block(r)) {
        while ((n = ap_get_client_block(r, buf + len, sizeof(buf) - 1 - len)) > 0) {
            len += n;
            if (len >= sizeof(buf) - 1) {
                return fail(r, HTTP_REQUEST_ENTITY_TOO_LARGE, "logout_body",
                            "logout form body too large");
            }
        }
    }
    buf[len] = '\0';
    return ac_form_parse(r->pool, buf, 4, params);
}

static const char *logout_return(request_rec *r, const char *wanted)
{
    ac_server_conf *c = ac_sconf(r->server);
    const char *origin = ac_self_origin(r);

    if (wanted == NULL || *wanted == '\0'
        || ac_redirect_check(r->pool, wanted, origin, c->logout_redirect_allow)) {
        return apr_pstrcat(r->pool, origin, "/", NULL);
    }
    /* providers need an absolute post_logout_redirect_uri */
    return wanted[0] == '/' ? apr_pstrcat(r->pool, origin, wanted, NULL) : wanted;
}

static const char *end_session_url(request_rec *r, const ac_session_record *s,
                                   const char *ret)
{
    const ac_provider *pv = ac_find_provider(ac_sconf(r->server), s->provider);
    const ac_oidc_metadata *md;
    const char *url;

    if (pv == NULL || ac_provider_kind(pv) != AC_KIND_OIDC
        || metadata_for(r, pv, &md) != NULL || md->end_session_endpoint == NULL) {
        return NULL;
    }
    url = md->end_session_endpoint;
    if (s->id_token[0]) {
        url = ac_url_add_param(r->pool, url, "id_token_hint", s->id_token);
    }
    url = ac_url_add_param(r->pool, url, "client_id", pv->client_id);
    return ac_url_add_param(r->pool, url, "post_logout_redirect_uri",
                            pv->post_logout_redirect_uri ? pv->post_logout_redirect_uri : ret);
}

static int handle_logout(request_rec *r)
{
    apr_table_t *params = NULL;
    ac_session_record *s = NULL;
    const char *id;
    const char *ret;
    const char *provider_url = NULL;
    ac_error *e;

    if (r->method_number == M_GET) {
        apr_table_setn(r->notes, "ac-return", "");
        if (r->args && ac_form_parse(r->pool, r->args, 4, &params) == NULL
            && apr_table_get(params, "return")) {
            apr_table_setn(r->notes, "ac-return", apr_table_get(params, "return"));
        }
        return logout_confirm_page(r);
    }
    if (r->method_number != M_POST) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    if (!same_origin_post(r)) {
        return ac_error_respond(r, fail(r, HTTP_FORBIDDEN, "logout_cross_site",
                                        "refusing a cross-site logout request"));
    }
    if ((e = read_form(r, &params)) != NULL) {
        return ac_error_respond(r, e);
    }
    ret = logout_return(r, apr_table_get(params, "return"));
    if (ac_session_load(r, &s, &id) == NULL && s) {
        provider_url = end_session_url(r, s, ret);
    }
    if ((e = ac_session_destroy(r)) != NULL) {
        return ac_error_respond(r, e);
    }
    return redirect(r, HTTP_SEE_OTHER, provider_url ? provider_url : ret);
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
        return handle_logout(r);
    }
    return DECLINED;
}
