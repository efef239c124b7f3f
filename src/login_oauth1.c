/*
 * login_oauth1.c - the OAuth 1.0a flow (RFC 5849): a signed request-token
 * call carrying oauth_callback, the browser sent to the authorize URL, and
 * at the callback the access-token exchange signed with the request token,
 * then the profile call signed with the access token.
 *
 * The request token secret stays on the server: in the cache, under the
 * request token, bound to the browser by the flow cookie, used once.
 */
#include "json.h"
#include "login.h"
#include "oauth1.h"
#include "profile.h"
#include "url.h"

/* OAuth 1.0a logins in progress have their own key space: their key is
 * the request token, which the provider picks */
#define AC_CACHE_FLOW_OAUTH1 "flow1"
/* the provider chose the token; more than this is not a token */
#define AC_REQUEST_TOKEN_MAX_LEN 256

static void client_for(const ac_provider *pv, ac_oauth1_client *c)
{
    memset(c, 0, sizeof(*c));
    c->consumer_key = pv->client_id;
    c->consumer_secret = pv->client_secret;
    c->rsa_key = pv->oauth1_rsa_key;
    c->method = pv->signature_method != AC_UNSET ? pv->signature_method
                                                 : AC_OAUTH1_HMAC_SHA1;
    c->placement = pv->signature_placement != AC_UNSET ? pv->signature_placement
                                                       : AC_OAUTH1_IN_HEADER;
    c->realm = pv->realm;
}

static apr_array_header_t *one_param(apr_pool_t *p, const char *key,
                                     const char *value)
{
    apr_array_header_t *list = apr_array_make(p, 1, sizeof(ac_kv));
    ac_kv *kv = apr_array_push(list);

    kv->key = key;
    kv->value = value;
    return list;
}

/* The provider picks request tokens: the key also holds the browser's flow
 * id, so no provider can aim a token at another user's pending login. */
static const char *flow_key(apr_pool_t *p, const char *flow_id, const char *token)
{
    return apr_pstrcat(p, flow_id ? flow_id : "", " ", token, NULL);
}

/* ---- login start ------------------------------------------------------------ */

static ac_error *request_token(ac_login *lg, ac_oauth1_token *tok)
{
    ac_oauth1_client c;
    ac_http_response resp;
    ac_error *e;

    client_for(lg->pv, &c);
    e = ac_oauth1_request(lg->r->pool, &lg->http, &c, "POST",
                          lg->pv->request_token_url,
                          one_param(lg->r->pool, "oauth_callback", lg->fe.redirect_uri),
                          lg->pv->request_token_kv, NULL, NULL, &resp);
    return e ? e : ac_oauth1_parse_request_token(lg->r->pool, &resp, tok);
}

static const char *authorize_location(request_rec *r, const ac_provider *pv,
                                      const char *token)
{
    const char *url = ac_url_add_param(r->pool, pv->authorize_url,
                                       "oauth_token", token);

    if (pv->authorize_params && *pv->authorize_params) {
        url = apr_pstrcat(r->pool, url, "&", pv->authorize_params, NULL);
    }
    return url;
}

static ac_error *oauth1_start(ac_login *lg, const char **location)
{
    ac_oauth1_token tok;
    ac_error *e;

    if ((e = request_token(lg, &tok)) != NULL) {
        return e;
    }
    lg->fe.token_secret = tok.secret;
    if ((e = ac_login_store(lg, flow_key(lg->r->pool, lg->fe.flow_id, tok.token))) != NULL) {
        return e;
    }
    *location = authorize_location(lg->r, lg->pv, tok.token);
    return NULL;
}

/* ---- callback ------------------------------------------------------------------- */

static ac_error *access_token(ac_login *lg, const char *token,
                              const char *verifier, ac_oauth1_token *out)
{
    apr_pool_t *p = lg->r->pool;
    ac_oauth1_client c;
    ac_http_response resp;
    apr_time_t start;
    ac_error *e;

    client_for(lg->pv, &c);
    start = apr_time_now();
    e = ac_oauth1_request(p, &lg->http, &c, "POST", lg->pv->access_token_url,
                          one_param(p, "oauth_verifier", verifier),
                          lg->pv->access_token_kv, token, lg->fe.token_secret,
                          &resp);
    ac_metrics_token_call(lg->pv, start);
    return e ? e : ac_oauth1_parse_access_token(p, &resp, out);
}

/* user_id and screen_name of the access-token answer, where the profile
 * did not say */
static void add_token_fields(json_t *claims, apr_table_t *fields)
{
    static const char *const names[] = { "user_id", "screen_name", NULL };
    int i;

    for (i = 0; names[i]; i++) {
        const char *v = apr_table_get(fields, names[i]);
        if (v && json_object_get(claims, names[i]) == NULL) {
            json_object_set_new(claims, names[i], json_string(v));
        }
    }
}

static ac_error *oauth1_complete(ac_login *lg)
{
    request_rec *r = lg->r;
    const char *token = apr_table_get(lg->params, "oauth_token");
    const char *verifier = apr_table_get(lg->params, "oauth_verifier");
    ac_oauth1_client c;
    ac_oauth1_token acc;
    ac_error *e;

    if (apr_table_get(lg->params, "denied")) {
        return ac_error_make(r->pool, AC_E_ACCESS_DENIED, "the "
                             "user declined the authorization at provider %s",
                             lg->pv->name);
    }
    if (token == NULL || verifier == NULL || *verifier == '\0') {
        return ac_error_make(r->pool, AC_E_OAUTH1_VERIFIER_MISSING,
                             "the OAuth 1.0a callback lacks oauth_token or "
                             "oauth_verifier");
    }
    if ((e = access_token(lg, token, verifier, &acc)) != NULL) {
        return e;
    }
    client_for(lg->pv, &c);
    e = ac_profile_fetch_oauth1(r->pool, &lg->http, &c, lg->pv, acc.token,
                                acc.secret, &lg->claims);
    if (e) {
        return e;
    }
    add_token_fields(lg->claims, acc.fields);
    lg->tokens.access_token = acc.token;
    lg->token_secret = acc.secret;
    return NULL;
}

/* OAuth 1.0a answers with the request token, or with denied=token when the
 * user said no; either names the entry, together with the flow cookie */
static ac_error *oauth1_callback_key(request_rec *r, apr_table_t *params,
                                     const char *flow_id, const char **key)
{
    const char *token = apr_table_get(params, "oauth_token");
    const char *denied = apr_table_get(params, "denied");
    const char *named = token ? token : denied;

    if (named == NULL) {
        return NULL;
    }
    if (*named == '\0' || strlen(named) > AC_REQUEST_TOKEN_MAX_LEN) {
        return ac_fail(r, AC_E_STATE_MISSING, "callback without a usable "
                       "oauth_token parameter; was it opened directly?");
    }
    *key = flow_key(r->pool, flow_id, named);
    return NULL;
}

/* ---- the API relay ---------------------------------------------------------------- */

/* A fresh signature with the session's token credentials; the request
 * token's secret of the login is long gone and not needed. */
static ac_error *oauth1_relay(request_rec *r, const ac_provider *pv,
                              const ac_token_set *t, const char *url,
                              const apr_array_header_t *form, ac_relay_signed *out)
{
    unsigned char raw[16];
    ac_oauth1_client c;
    ac_error *e;

    if ((e = ac_random_bytes(r->pool, raw, sizeof(raw))) != NULL) {
        return e;
    }
    client_for(pv, &c);
    /* hex nonces, as in ac_oauth1_request: some providers take no other */
    return ac_relay_oauth1_sign(r->pool, &c, r->method, url, form,
                                t->access_token, t->token_secret,
                                ac_hex(r->pool, raw, sizeof(raw)),
                                apr_psprintf(r->pool, "%" APR_TIME_T_FMT,
                                             apr_time_sec(apr_time_now())),
                                out);
}

const ac_login_kind ac_login_oauth1 = {
    "oauth1",
    AC_CACHE_FLOW_OAUTH1,
    oauth1_callback_key,
    oauth1_start,
    oauth1_complete,
    NULL,                       /* OAuth 1.0a tokens do not expire */
    oauth1_relay,
    1,                          /* RFC 5849 3.4.1.3.1 signs a form body */
};
