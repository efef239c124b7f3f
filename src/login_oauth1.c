/*
 * login_oauth1.c - the OAuth 1.0a flow (RFC 5849): a signed request-token
 * call carrying oauth_callback, the browser sent to the authorize URL, and
 * at the callback the access-token exchange signed with the request token,
 * then the profile call signed with the access token.
 *
 * The request token secret stays on the server: in the cache, under the
 * request token, bound to the browser by the flow cookie, used once.
 */
#include "auth_client.h"
#include "jose.h"
#include "oauth1.h"
#include "profile.h"
#include "url.h"

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

/* "a=1&b=2" (already escaped at startup) as the ac_kv list the signer takes */
static ac_error *params_list(apr_pool_t *p, const char *form,
                             apr_array_header_t **out)
{
    const apr_array_header_t *elts;
    apr_table_t *t;
    ac_error *e;
    int i;

    *out = apr_array_make(p, 4, sizeof(ac_kv));
    if (form == NULL || *form == '\0') {
        return NULL;
    }
    if ((e = ac_form_parse(p, form, 32, &t)) != NULL) {
        return e;
    }
    elts = apr_table_elts(t);
    for (i = 0; i < elts->nelts; i++) {
        const apr_table_entry_t *te = &APR_ARRAY_IDX(elts, i, apr_table_entry_t);
        ac_kv *kv = apr_array_push(*out);
        kv->key = te->key;
        kv->value = te->val;
    }
    return NULL;
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

/* ---- login start ------------------------------------------------------------ */

static ac_error *request_token(request_rec *r, const ac_provider *pv,
                               const ac_flow_entry *fe, ac_oauth1_token *tok)
{
    ac_oauth1_client c;
    ac_http_opts h;
    ac_http_response resp;
    apr_array_header_t *form;
    ac_error *e;

    client_for(pv, &c);
    ac_http_opts_for(ac_sconf(r->server), &h);
    if ((e = params_list(r->pool, pv->request_token_params, &form)) != NULL) {
        return e;
    }
    e = ac_oauth1_request(r->pool, &h, &c, "POST", pv->request_token_url,
                          one_param(r->pool, "oauth_callback", fe->redirect_uri),
                          form, NULL, NULL, &resp);
    return e ? e : ac_oauth1_parse_request_token(r->pool, &resp, tok);
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

ac_error *ac_oauth1_login_start(request_rec *r, const ac_provider *pv,
                                ac_flow_entry *fe, const char **location)
{
    ac_oauth1_token tok;
    ac_error *e;

    fe->nonce = "";
    fe->code_verifier = "";
    if ((e = request_token(r, pv, fe, &tok)) != NULL) {
        return e;
    }
    fe->token_secret = tok.secret;
    e = ac_flow_store(r, AC_CACHE_FLOW_OAUTH1,
                      ac_oauth1_flow_key(r->pool, fe->flow_id, tok.token), fe);
    if (e != NULL) {
        return e;
    }
    *location = authorize_location(r, pv, tok.token);
    return NULL;
}

/* ---- callback ------------------------------------------------------------------- */

static ac_error *access_token(ac_login *lg, const char *token,
                              const char *verifier, ac_oauth1_token *out)
{
    request_rec *r = lg->r;
    ac_oauth1_client c;
    ac_http_opts h;
    ac_http_response resp;
    apr_array_header_t *form;
    ac_error *e;

    client_for(lg->pv, &c);
    ac_http_opts_for(ac_sconf(r->server), &h);
    if ((e = params_list(r->pool, lg->pv->access_token_params, &form)) != NULL) {
        return e;
    }
    e = ac_oauth1_request(r->pool, &h, &c, "POST", lg->pv->access_token_url,
                          one_param(r->pool, "oauth_verifier", verifier), form,
                          token, lg->fe.token_secret, &resp);
    return e ? e : ac_oauth1_parse_access_token(r->pool, &resp, out);
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

ac_error *ac_oauth1_login_complete(ac_login *lg)
{
    request_rec *r = lg->r;
    const char *token = apr_table_get(lg->params, "oauth_token");
    const char *verifier = apr_table_get(lg->params, "oauth_verifier");
    ac_oauth1_client c;
    ac_oauth1_token acc;
    ac_http_opts h;
    ac_error *e;

    if (apr_table_get(lg->params, "denied")) {
        return ac_error_make(r->pool, HTTP_FORBIDDEN, "access_denied", "the "
                             "user declined the authorization at provider %s",
                             lg->pv->name);
    }
    if (token == NULL || verifier == NULL || *verifier == '\0') {
        return ac_error_make(r->pool, HTTP_BAD_REQUEST, "oauth1_verifier_missing",
                             "the OAuth 1.0a callback lacks oauth_token or "
                             "oauth_verifier");
    }
    if ((e = access_token(lg, token, verifier, &acc)) != NULL) {
        return e;
    }
    client_for(lg->pv, &c);
    ac_http_opts_for(ac_sconf(r->server), &h);
    e = ac_profile_fetch_oauth1(r->pool, &h, &c, lg->pv, acc.token, acc.secret,
                                &lg->claims);
    if (e) {
        return e;
    }
    add_token_fields(lg->claims, acc.fields);
    lg->access_token = acc.token;
    lg->token_secret = acc.secret;
    return NULL;
}
