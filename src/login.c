/*
 * login.c - the services every login kind uses: the flow cookie that binds
 * a login in progress to one browser, the single-use cache entry of that
 * login, the provider's endpoints, and the redirects.
 */
#include "login.h"
#include "url.h"

/* ---- flow cookie ------------------------------------------------------------------ */

static const char *flow_cookie_name(request_rec *r)
{
    return ac_cookie_name(r, ac_conf_flow_cookie_name(ac_sconf(r->server)));
}

const char *ac_login_flow_cookie(request_rec *r)
{
    const char *ids[AC_COOKIE_MAX_VALUES];

    return ac_cookie_ids(r, flow_cookie_name(r), ids) > 0 ? ids[0] : NULL;
}

/* Does the entry's flow id equal one of the browser's flow cookies? */
static int flow_cookie_matches(request_rec *r, const char *flow_id)
{
    const char *ids[AC_COOKIE_MAX_VALUES];
    int i, n = ac_cookie_ids(r, flow_cookie_name(r), ids);

    for (i = 0; i < n; i++) {
        if (ac_str_equal_ct(flow_id, ids[i])) {
            return 1;
        }
    }
    return 0;
}

static const char *session_scope(request_rec *r)
{
    return ac_conf_session_scope(ac_sconf(r->server), r->server->server_hostname);
}

/* The flow cookie outlives the logins it names by this much, so that a
 * callback arriving late is told its login expired (state_unknown), not
 * that the browser lost its cookie (flow_cookie_missing). */
#define AC_FLOW_COOKIE_AFTERLIFE 3600

/*
 * One flow cookie per browser, reused by every login in progress, so many
 * tabs never pile up state cookies; each cache entry records the id.  Set
 * again at each login, so it lasts as long as the newest login needs.
 */
static ac_error *browser_flow_id(request_rec *r, const char **id)
{
    ac_server_conf *c = ac_sconf(r->server);
    ac_error *e;

    if ((*id = ac_login_flow_cookie(r)) == NULL
        && (e = ac_random_token(r->pool, AC_RANDOM_ID_BYTES, id)) != NULL) {
        return e;
    }
    ac_cookie_set(r, flow_cookie_name(r), *id,
                  ac_conf_state_ttl(c) + AC_FLOW_COOKIE_AFTERLIFE);
    return NULL;
}

/* ---- the login in progress ---------------------------------------------------------- */

static void login_init(request_rec *r, const ac_provider *pv, ac_login *lg)
{
    memset(lg, 0, sizeof(*lg));
    lg->r = r;
    lg->pv = pv;
    lg->kind = pv ? ac_login_kind_of(pv) : NULL;
    ac_request_http_opts(r, &lg->http);
    ac_status_note_provider(r, pv);
}

void ac_login_for_session(request_rec *r, const ac_provider *pv, ac_login *lg)
{
    login_init(r, pv, lg);
}

ac_error *ac_login_begin(request_rec *r, const ac_provider *pv,
                         const char *original_url, ac_login *lg)
{
    ac_flow_entry *fe = &lg->fe;
    ac_error *e;

    /* the redirect URI must not come from a proxy header we cannot read */
    if ((e = ac_origin_error(r)) != NULL) {
        return e;
    }
    login_init(r, pv, lg);
    fe->scope = session_scope(r);
    fe->provider = pv->name;
    fe->fingerprint = pv->fingerprint;
    fe->original_url = original_url;
    fe->redirect_uri = ac_redirect_uri(r);
    fe->created = apr_time_now();
    fe->nonce = "";
    fe->code_verifier = "";
    fe->token_secret = "";
    return browser_flow_id(r, &fe->flow_id);
}

ac_error *ac_login_store(ac_login *lg, const char *key)
{
    request_rec *r = lg->r;
    char *buf;
    apr_size_t len;
    ac_error *e = ac_flow_entry_encode(r->pool, &lg->fe, &buf, &len);

    if (e) {
        return e;
    }
    return ac_cache_login_put(r, lg->kind->cache_type, key, buf, len,
                        apr_time_now()
                        + apr_time_from_sec(ac_conf_state_ttl(ac_sconf(r->server))));
}

static ac_error *take_entry(request_rec *r, const ac_login_kind *kind,
                            const char *key, ac_flow_entry *fe)
{
    char *buf;
    apr_size_t len;
    ac_error *e = ac_cache_login_take(r, kind->cache_type, key, &buf, &len);

    if (e) {
        return e;
    }
    if (buf == NULL) {
        return ac_fail(r, AC_E_STATE_UNKNOWN, "no login in progress for this "
                       "state: it expired (AuthClientStateTimeout), was already "
                       "used, or was started against another cache");
    }
    return ac_flow_entry_decode(r->pool, buf, len, fe);
}

ac_error *ac_login_resume(request_rec *r, const ac_login_kind *kind,
                          const char *key, apr_table_t *params, ac_login *lg)
{
    ac_error *e;

    login_init(r, NULL, lg);
    lg->params = params;
    if (ac_login_flow_cookie(r) == NULL) {
        return ac_fail(r, AC_E_FLOW_COOKIE_MISSING, "callback without the flow "
                       "cookie; check AuthClientCookiePath, that the callback "
                       "is on the same host name as the protected page, and "
                       "that nothing strips SameSite=Lax cookies");
    }
    if ((e = take_entry(r, kind, key, &lg->fe)) != NULL) {
        return e;
    }
    if (!flow_cookie_matches(r, lg->fe.flow_id)) {
        return ac_fail(r, AC_E_STATE_MISMATCH, "the state belongs to a login "
                       "started in another browser");
    }
    lg->pv = ac_conf_find_provider(ac_sconf(r->server), lg->fe.provider);
    ac_status_note_provider(r, lg->pv);
    if (lg->pv == NULL) {
        return ac_fail(r, AC_E_UNKNOWN_PROVIDER, "the login was started for a "
                       "provider this virtual host no longer has");
    }
    /* a login started under another vhost's (or tenant's) provider of the
     * same name must not finish here */
    if (strcmp(lg->fe.fingerprint, lg->pv->fingerprint) != 0
        || strcmp(lg->fe.scope, session_scope(r)) != 0) {
        return ac_fail(r, AC_E_STATE_MISMATCH, "the login was started in "
                       "another session scope or with another provider "
                       "configuration of that name");
    }
    lg->kind = ac_login_kind_of(lg->pv);
    /* an entry of one kind must not complete a login of another */
    if (lg->kind != kind) {
        return ac_fail(r, AC_E_STATE_MISMATCH, "the callback does not fit the "
                       "kind of login that was started");
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, ACLOGNO(01040)
                  "%s: callback: resuming the "
                  "login of provider %s (%s) started for %s", AC_LOG_TAG,
                  lg->pv->name, kind->name,
                  ac_log_quote(r->pool, ac_url_for_log(r->pool, lg->fe.original_url)));
    return NULL;
}

/* ---- endpoints ---------------------------------------------------------------------- */

ac_error *ac_login_discovery(request_rec *r, const ac_http_opts *h,
                             const ac_provider *pv, const ac_oidc_metadata **md)
{
    const char *warning = NULL;
    ac_error *e = ac_oidc_metadata_get(r->pool, h, pv,
                                       ac_conf_metadata_ttl(ac_sconf(r->server)),
                                       md, &warning);
    if (warning) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, ACLOGNO(01041)
                      "%s: provider %s: %s",
                      AC_LOG_TAG, pv->name, warning);
    }
    return e;
}

/* ---- redirects ------------------------------------------------------------------------ */

const char *ac_form_value(apr_pool_t *p, ap_form_pair_t *pair, apr_off_t max)
{
    apr_off_t len;
    apr_size_t size;
    char *buf;

    if (apr_brigade_length(pair->value, 1, &len) != APR_SUCCESS || len < 0
        || len > max) {
        return NULL;
    }
    size = (apr_size_t)len;
    buf = apr_palloc(p, size + 1);
    if (apr_brigade_flatten(pair->value, buf, &size) != APR_SUCCESS) {
        return NULL;
    }
    buf[size] = '\0';
    return buf;
}

int ac_redirect(request_rec *r, int status, const char *location)
{
    apr_table_setn(r->headers_out, "Location", location);
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    return status;
}
