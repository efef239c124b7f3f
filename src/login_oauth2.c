/*
 * login_oauth2.c - the authorization code flow for OpenID Connect and plain
 * OAuth 2.0 providers: the authorization request (state, PKCE S256, nonce
 * for OIDC), then at the callback the code exchange and the identity - a
 * validated id_token (+ userinfo) for OIDC, profile calls for OAuth 2.0.
 */
#include <apr_lib.h>

#include "auth_client.h"
#include "jose.h"
#include "oidc.h"
#include "profile.h"

#define AC_STATE_BYTES 32

typedef struct oauth2_ctx {
    ac_login *lg;
    request_rec *r;
    apr_table_t *params;
    const ac_provider *pv;
    ac_flow_entry *fe;
    const ac_oidc_metadata *md;
    ac_token_response tokens;
    json_t *claims;
} oauth2_ctx;

/* ---- login start ------------------------------------------------------------ */

/* plain OAuth 2.0 has no discovery: the endpoints are the provider keys */
static ac_error *endpoints(request_rec *r, const ac_provider *pv,
                           const ac_oidc_metadata **md)
{
    ac_oidc_metadata *m;

    if (ac_provider_kind(pv) == AC_KIND_OIDC) {
        return ac_provider_metadata(r, pv, md);
    }
    m = apr_pcalloc(r->pool, sizeof(*m));
    m->authorization_endpoint = pv->authorize_url;
    m->token_endpoint = pv->access_token_url;
    m->issuer = pv->issuer;
    *md = m;
    return NULL;
}

ac_error *ac_oauth2_login_start(request_rec *r, const ac_provider *pv,
                                ac_flow_entry *fe, const char **location)
{
    const ac_oidc_metadata *md;
    const char *state;
    ac_error *e;

    if (ac_provider_kind(pv) != AC_KIND_OIDC) {
        fe->nonce = "";         /* no id_token to carry it back */
    }
    if ((e = endpoints(r, pv, &md)) != NULL
        || (e = ac_random_token(r->pool, AC_STATE_BYTES, &state)) != NULL
        || (e = ac_flow_store(r, AC_CACHE_FLOW, state, fe)) != NULL) {
        return e;
    }
    *location = ac_oauth2_authorize_url(r->pool, pv, md->authorization_endpoint,
                                        fe->redirect_uri, state,
                                        *fe->nonce ? fe->nonce : NULL,
                                        fe->code_verifier);
    return NULL;
}

/* ---- callback ------------------------------------------------------------------- */

static ac_error *check_authorization_response(oauth2_ctx *cx)
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
    /* RFC 9207: a mix-up attack shows as the wrong issuer here (a
     * multi-tenant issuer template cannot be compared: such providers do
     * not send the parameter) */
    if (iss && cx->md->issuer && !strstr(cx->md->issuer, "{tenantid}")
        && strcmp(iss, cx->md->issuer) != 0) {
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
        return ac_fail(r, HTTP_BAD_REQUEST, "code_missing",
                       "the authorization response has no code");
    }
    return NULL;
}

/* the issuer an id_token must carry; for Entra's multi-tenant metadata the
 * token's own tenant completes it (its signature and iss are still checked
 * in full afterwards) */
static const char *expected_issuer(oauth2_ctx *cx)
{
    const char *issuer = cx->md->issuer;
    const char *at = strstr(issuer, "{tenantid}");
    const char *tid;
    apr_size_t i;

    if (at == NULL || !cx->pv->multi_tenant_issuer) {
        return issuer;
    }
    tid = ac_jwt_peek_string(cx->r->pool, cx->tokens.id_token, "tid");
    if (tid == NULL || strlen(tid) != 36) {
        return NULL;
    }
    for (i = 0; i < 36; i++) {
        if (!apr_isxdigit(tid[i]) && tid[i] != '-') {
            return NULL;
        }
    }
    return apr_pstrcat(cx->r->pool, apr_pstrmemdup(cx->r->pool, issuer, at - issuer),
                       tid, at + strlen("{tenantid}"), NULL);
}

static ac_error *validate_id_token(oauth2_ctx *cx)
{
    request_rec *r = cx->r;
    ac_server_conf *c = ac_sconf(r->server);
    ac_idtoken_expect ex;
    ac_http_opts h;
    const char *jwks;
    ac_error *e;
    int attempt;

    if (cx->tokens.id_token == NULL) {
        return ac_fail(r, HTTP_BAD_GATEWAY, "id_token_missing",
                       "the token response has no id_token");
    }
    memset(&ex, 0, sizeof(ex));
    ex.issuer = expected_issuer(cx);
    if (ex.issuer == NULL) {
        return ac_fail(r, HTTP_FORBIDDEN, "id_token_iss", "the id_token names no "
                       "usable tenant (tid) for the multi-tenant issuer");
    }
    ex.client_id = cx->pv->client_id;
    ex.client_secret = cx->pv->client_secret;
    ex.allowed_algs = cx->pv->id_token_algs;
    ex.nonce = cx->fe->nonce;
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

static ac_error *merge_userinfo(oauth2_ctx *cx)
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
        return ac_fail(r, HTTP_BAD_GATEWAY, "userinfo_unavailable", "FetchUserInfo "
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
        return ac_fail(r, HTTP_BAD_GATEWAY, "userinfo_sub_mismatch", "the userinfo "
                       "sub differs from the id_token sub (OIDC Core 5.3.2)");
    }
    /* the id_token's own claims (iss, aud, nonce...) win over userinfo */
    json_object_update_missing(cx->claims, info);
    return NULL;
}


static ac_error *profile_claims(oauth2_ctx *cx)
{
    ac_http_opts h;

    ac_http_opts_for(ac_sconf(cx->r->server), &h);
    return ac_profile_fetch_oauth2(cx->r->pool, &h, cx->pv,
                                   cx->tokens.access_token, &cx->claims);
}

ac_error *ac_oauth2_login_complete(ac_login *lg)
{
    oauth2_ctx cx;
    ac_http_opts h;
    ac_error *e;
    int oidc = ac_provider_kind(lg->pv) == AC_KIND_OIDC;

    memset(&cx, 0, sizeof(cx));
    cx.lg = lg;
    cx.r = lg->r;
    cx.params = lg->params;
    cx.pv = lg->pv;
    cx.fe = &lg->fe;
    if ((e = endpoints(cx.r, cx.pv, &cx.md)) != NULL
        || (e = check_authorization_response(&cx)) != NULL) {
        return e;
    }
    ac_http_opts_for(ac_sconf(cx.r->server), &h);
    e = ac_oauth2_code_exchange(cx.r->pool, &h, cx.pv, cx.md->token_endpoint,
                                apr_table_get(cx.params, "code"),
                                cx.fe->redirect_uri, cx.fe->code_verifier,
                                &cx.tokens);
    if (e == NULL) {
        e = oidc ? validate_id_token(&cx) : profile_claims(&cx);
    }
    if (e == NULL && oidc) {
        e = merge_userinfo(&cx);
    }
    if (e) {
        return e;
    }
    lg->claims = cx.claims;
    lg->access_token = cx.tokens.access_token;
    lg->id_token = cx.tokens.id_token;
    lg->refresh_token = cx.tokens.refresh_token;
    return NULL;
}
