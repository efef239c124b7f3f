/*
 * login_oauth2.c - the authorization code flow for OpenID Connect and plain
 * OAuth 2.0 providers: the authorization request (state, PKCE S256, nonce
 * for OIDC), then at the callback the code exchange and the identity - a
 * validated id_token (+ userinfo) for OIDC, profile calls for OAuth 2.0.
 */
#include <apr_lib.h>

#include "jose.h"
#include "json.h"
#include "login.h"
#include "pkce.h"
#include "profile.h"

#define AC_STATE_BYTES 32
/* ours are 43 characters; anything much longer is not ours */
#define AC_STATE_MAX_LEN 128

/* ---- login start ------------------------------------------------------------ */

/* plain OAuth 2.0 has no discovery: the endpoints are the provider keys */
static ac_error *endpoints(ac_login *lg, const ac_oidc_metadata **md)
{
    const ac_provider *pv = lg->pv;
    ac_oidc_metadata *m;

    if (ac_provider_kind(pv) == AC_KIND_OIDC) {
        return ac_login_discovery(lg->r, &lg->http, pv, md);
    }
    m = apr_pcalloc(lg->r->pool, sizeof(*m));
    m->authorization_endpoint = pv->authorize_url;
    m->token_endpoint = pv->access_token_url;
    m->issuer = pv->issuer;
    *md = m;
    return NULL;
}

/* the nonce carries the login through the id_token; PKCE binds the code */
static ac_error *protocol_secrets(ac_login *lg)
{
    apr_pool_t *p = lg->r->pool;
    ac_error *e;

    if (ac_provider_kind(lg->pv) == AC_KIND_OIDC
        && (e = ac_random_token(p, 32, &lg->fe.nonce)) != NULL) {
        return e;
    }
    if (ac_provider_pkce(lg->pv) == AC_PKCE_S256) {
        return ac_pkce_verifier(p, &lg->fe.code_verifier);
    }
    return NULL;
}

static ac_error *oauth2_start(ac_login *lg, const char **location)
{
    const ac_oidc_metadata *md;
    const char *state;
    ac_error *e;

    if ((e = protocol_secrets(lg)) != NULL
        || (e = endpoints(lg, &md)) != NULL
        || (e = ac_random_token(lg->r->pool, AC_STATE_BYTES, &state)) != NULL
        || (e = ac_login_store(lg, state)) != NULL) {
        return e;
    }
    *location = ac_oauth2_authorize_url(lg->r->pool, lg->pv,
                                        md->authorization_endpoint,
                                        lg->fe.redirect_uri, state,
                                        *lg->fe.nonce ? lg->fe.nonce : NULL,
                                        lg->fe.code_verifier);
    return NULL;
}

/* ---- callback ------------------------------------------------------------------- */

static ac_error *check_authorization_response(ac_login *lg, const ac_oidc_metadata *md)
{
    request_rec *r = lg->r;
    const char *error = apr_table_get(lg->params, "error");
    const char *iss = apr_table_get(lg->params, "iss");

    if (error) {
        int denied = strcmp(error, "access_denied") == 0;
        return ac_error_make(r->pool, denied ? AC_E_ACCESS_DENIED : AC_E_PROVIDER_ERROR,
                             "provider %s answered the authorization request "
                             "with error '%s'", lg->pv->name,
                             ac_claim_value_clean(r->pool, error));
    }
    /* RFC 9207: a mix-up attack shows as the wrong issuer here (a
     * multi-tenant issuer template cannot be compared: such providers do
     * not send the parameter) */
    if (iss && md->issuer && !strstr(md->issuer, "{tenantid}")
        && strcmp(iss, md->issuer) != 0) {
        return ac_error_make(r->pool, AC_E_ISS_MISMATCH,
                             "provider %s: the authorization response came from "
                             "another issuer (RFC 9207 iss parameter)", lg->pv->name);
    }
    if (iss == NULL && md->iss_parameter_supported) {
        return ac_error_make(r->pool, AC_E_ISS_MISSING,
                             "provider %s advertises the RFC 9207 iss parameter "
                             "but the authorization response lacks it", lg->pv->name);
    }
    if (apr_table_get(lg->params, "code") == NULL) {
        return ac_fail(r, AC_E_CODE_MISSING,
                       "the authorization response has no code");
    }
    return NULL;
}

/* the issuer an id_token must carry; for Entra's multi-tenant metadata the
 * token's own tenant completes it (its signature and iss are still checked
 * in full afterwards) */
static const char *expected_issuer(ac_login *lg, const ac_oidc_metadata *md)
{
    const char *issuer = md->issuer;
    const char *at = strstr(issuer, "{tenantid}");
    const char *tid;
    apr_size_t i;

    if (at == NULL || !lg->pv->multi_tenant_issuer) {
        return issuer;
    }
    tid = ac_jwt_peek_string(lg->r->pool, lg->tokens.id_token, "tid");
    if (tid == NULL || strlen(tid) != 36) {
        return NULL;
    }
    for (i = 0; i < 36; i++) {
        if (!apr_isxdigit(tid[i]) && tid[i] != '-') {
            return NULL;
        }
    }
    return apr_pstrcat(lg->r->pool, apr_pstrmemdup(lg->r->pool, issuer, at - issuer),
                       tid, at + strlen("{tenantid}"), NULL);
}

/* `sub` NULL: the login's own token (nonce required); else a refreshed one
 * (OIDC Core 12.2: same iss, aud and sub) */
static ac_error *validate_id_token(ac_login *lg, const ac_oidc_metadata *md,
                                  const char *sub)
{
    request_rec *r = lg->r;
    ac_server_conf *c = ac_sconf(r->server);
    ac_idtoken_expect ex;
    const char *jwks;
    ac_error *e;
    int attempt;

    if (lg->tokens.id_token == NULL) {
        return ac_fail(r, AC_E_ID_TOKEN_MISSING,
                       "the token response has no id_token");
    }
    memset(&ex, 0, sizeof(ex));
    ex.issuer = expected_issuer(lg, md);
    if (ex.issuer == NULL) {
        return ac_fail(r, AC_E_ID_TOKEN_ISS, "the id_token names no "
                       "usable tenant (tid) for the multi-tenant issuer");
    }
    ex.client_id = lg->pv->client_id;
    ex.client_secret = lg->pv->client_secret;
    ex.allowed_algs = lg->pv->id_token_algs;
    ex.nonce = lg->fe.nonce;
    ex.refresh = sub != NULL;
    ex.sub = sub;
    ex.access_token = lg->tokens.access_token;
    ex.now = apr_time_now();
    ex.clock_skew = ac_conf_clock_skew(c);
    ex.iat_max_age = ac_conf_iat_max_age(c);
    /* an unknown kid may mean the provider rotated its keys: one refetch */
    for (attempt = 0; attempt < 2; attempt++) {
        e = ac_oidc_jwks_get(r->pool, &lg->http, lg->pv, md->jwks_uri, attempt,
                             ac_conf_jwks_refresh_interval(c), &jwks);
        if (e == NULL) {
            e = ac_idtoken_validate(r->pool, lg->tokens.id_token, jwks, &ex,
                                    &lg->claims);
        }
        if (e == NULL || e->id != AC_E_JWKS_KID_UNKNOWN) {
            break;
        }
    }
    return e;
}

static ac_error *merge_userinfo(ac_login *lg, const ac_oidc_metadata *md)
{
    request_rec *r = lg->r;
    json_t *info;
    const char *sub;
    ac_error *e;

    if (lg->pv->fetch_userinfo != 1) {
        return NULL;
    }
    if (md->userinfo_endpoint == NULL) {
        return ac_fail(r, AC_E_USERINFO_UNAVAILABLE, "FetchUserInfo "
                       "is On but the provider has no userinfo endpoint");
    }
    e = ac_oauth2_get_json(r->pool, &lg->http, md->userinfo_endpoint,
                           lg->tokens.access_token, &info);
    if (e) {
        return e;
    }
    sub = ac_json_string(info, "sub");
    if (sub == NULL || strcmp(sub, ac_json_string(lg->claims, "sub")) != 0) {
        return ac_fail(r, AC_E_USERINFO_SUB_MISMATCH, "the userinfo "
                       "sub differs from the id_token sub (OIDC Core 5.3.2)");
    }
    /* the id_token's own claims (iss, aud, nonce...) win over userinfo */
    json_object_update_missing(lg->claims, info);
    return NULL;
}

static ac_error *profile_claims(ac_login *lg)
{
    return ac_profile_fetch_oauth2(lg->r->pool, &lg->http, lg->pv,
                                   lg->tokens.access_token, &lg->claims);
}

static ac_error *oauth2_complete(ac_login *lg)
{
    const ac_oidc_metadata *md;
    int oidc = ac_provider_kind(lg->pv) == AC_KIND_OIDC;
    ac_error *e;

    if ((e = endpoints(lg, &md)) != NULL
        || (e = check_authorization_response(lg, md)) != NULL) {
        return e;
    }
    e = ac_oauth2_code_exchange(lg->r->pool, &lg->http, lg->pv, md->token_endpoint,
                                apr_table_get(lg->params, "code"),
                                lg->fe.redirect_uri, lg->fe.code_verifier,
                                &lg->tokens);
    if (e == NULL) {
        e = oidc ? validate_id_token(lg, md, NULL) : profile_claims(lg);
    }
    if (e == NULL && oidc) {
        e = merge_userinfo(lg, md);
    }
    return e;
}

/* A refresh (RFC 6749 6); for OIDC a returned id_token is validated like
 * the login's, and must name the same sub. */
static ac_error *oauth2_refresh(ac_login *lg, const char *refresh_token,
                                const char *sub)
{
    const ac_oidc_metadata *md;
    ac_error *e;

    if ((e = endpoints(lg, &md)) != NULL
        || (e = ac_oauth2_refresh(lg->r->pool, &lg->http, lg->pv, md->token_endpoint,
                                  refresh_token, &lg->tokens)) != NULL) {
        return e;
    }
    if (ac_provider_kind(lg->pv) == AC_KIND_OIDC && lg->tokens.id_token) {
        return validate_id_token(lg, md, sub ? sub : "");
    }
    return NULL;
}

/* the state we generated names the entry */
static ac_error *oauth2_callback_key(request_rec *r, apr_table_t *params,
                                     const char *flow_id, const char **key)
{
    const char *state = apr_table_get(params, "state");

    (void)flow_id;
    if (state == NULL) {
        return NULL;
    }
    if (*state == '\0' || strlen(state) > AC_STATE_MAX_LEN) {
        return ac_fail(r, AC_E_STATE_MISSING, "callback without a usable state "
                       "parameter; was it opened directly?");
    }
    *key = state;
    return NULL;
}

/* the access token as a Bearer credential (RFC 6750 2.1) */
static ac_error *oauth2_relay(request_rec *r, const ac_provider *pv,
                              const ac_token_set *t, const char *url,
                              const apr_array_header_t *form, ac_relay_signed *out)
{
    (void)pv;
    (void)form;
    memset(out, 0, sizeof(*out));
    out->url = url;
    return ac_relay_bearer(r->pool, t->access_token, &out->authorization);
}

const ac_login_kind ac_login_oauth2 = {
    "oauth2",
    AC_CACHE_FLOW,
    oauth2_callback_key,
    oauth2_start,
    oauth2_complete,
    oauth2_refresh,
    oauth2_relay,
    0,                          /* a Bearer token covers any body */
};
