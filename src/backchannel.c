/*
 * backchannel.c - OpenID Connect Back-Channel Logout 1.0 at
 * AuthClientBackchannelLogoutPath: the provider POSTs a logout token, and
 * the sessions of that provider session (sid) or of that user (sub) end on
 * every node that shares the cache (session_index.c).
 *
 * The request carries no cookie and no client authentication: the token's
 * signature is all that vouches for it.  Before it is validated, only its
 * iss is read, and only to choose which of this virtual host's provider
 * blocks to validate it against; each block of that issuer checks it in
 * full (its keys, algorithms and client id), and only the blocks that
 * accept it have sessions ended.
 */
#include "jose.h"
#include "login.h"
#include "logout_token.h"

#define AC_CACHE_LOGOUT_JTI "logout-jti"
/* one field; a logout token is well under a kilobyte */
#define AC_BACKCHANNEL_MAX_PARAMS 4
#define AC_BACKCHANNEL_MAX_BODY 16384

/* Section 2.8: 400 with an OAuth-style error; the description is our error
 * code, so nothing from the token is echoed back. */
static int refuse(request_rec *r, const ac_error *e)
{
    int status = e->category == AC_CAT_CACHE ? HTTP_SERVICE_UNAVAILABLE
               : e->category == AC_CAT_PROVIDER
                 || e->category == AC_CAT_PROVIDER_TIMEOUT ? HTTP_BAD_GATEWAY
               : HTTP_BAD_REQUEST;

    ap_log_rerror(APLOG_MARK, status >= 500 ? APLOG_ERR : APLOG_WARNING, 0, r,
                  ACLOGNO(01006)
                  "%s: back-channel logout refused: %s [%s]", AC_LOG_TAG,
                  e->message, e->code);
    ac_audit(r, ACLOGNO(01007),
             "back-channel logout", "refused", NULL, NULL, e->code);
    ac_metrics_error(NULL, e->id);
    r->status = status;
    ap_set_content_type(r, "application/json");
    ap_rprintf(r, "{\"error\":\"%s\",\"error_description\":\"%s\"}\n",
               status == HTTP_BAD_REQUEST ? "invalid_request"
                                          : "temporarily_unavailable", e->code);
    return DONE;
}

static ac_error *read_logout_token(request_rec *r, const char **token)
{
    apr_array_header_t *pairs = NULL;
    int i;

    *token = NULL;
    if (ap_parse_form_data(r, NULL, &pairs, AC_BACKCHANNEL_MAX_PARAMS,
                           AC_BACKCHANNEL_MAX_BODY) != OK) {
        return ac_fail(r, AC_E_BACKCHANNEL_REQUEST, "the back-channel logout "
                       "request body is unreadable or too large");
    }
    for (i = 0; pairs && i < pairs->nelts; i++) {
        ap_form_pair_t *pair = &APR_ARRAY_IDX(pairs, i, ap_form_pair_t);

        if (strcmp(pair->name, "logout_token") != 0) {
            continue;
        }
        if (*token != NULL) {
            return ac_fail(r, AC_E_BACKCHANNEL_REQUEST, "the back-channel "
                           "logout request repeats logout_token");
        }
        *token = ac_form_value(r->pool, pair, AC_BACKCHANNEL_MAX_BODY);
        if (*token == NULL || **token == '\0') {
            return ac_fail(r, AC_E_BACKCHANNEL_REQUEST, "the logout_token is "
                           "empty or unreadable");
        }
    }
    if (*token == NULL) {
        return ac_fail(r, AC_E_BACKCHANNEL_REQUEST, "the back-channel logout "
                       "request has no logout_token (a form POST is expected)");
    }
    return NULL;
}

/* ---- validation ------------------------------------------------------------------ */

/* One provider block's verdict on the token. */
static ac_error *validate_for(request_rec *r, const ac_provider *pv,
                              const ac_oidc_metadata *md, const char *token,
                              ac_logout_claims *out)
{
    ac_server_conf *c = ac_sconf(r->server);
    ac_logout_expect ex;
    ac_http_opts h;
    const char *jwks;
    ac_error *e;
    int attempt;

    memset(&ex, 0, sizeof(ex));
    ex.issuer = md->issuer;
    ex.client_id = pv->client_id;
    ex.client_secret = pv->client_secret;
    ex.allowed_algs = pv->id_token_algs;
    ex.now = apr_time_now();
    ex.clock_skew = ac_conf_clock_skew(c);
    ex.iat_max_age = ac_conf_iat_max_age(c);
    ac_request_http_opts(r, &h);
    /* an unknown kid may mean the provider rotated its keys: one refetch,
     * rate-limited per process like the ID token's */
    for (attempt = 0; attempt < 2; attempt++) {
        e = ac_oidc_jwks_get(r->pool, &h, pv, md->jwks_uri, attempt,
                             ac_conf_jwks_refresh_interval(c), &jwks);
        if (e == NULL) {
            e = ac_logout_token_validate(r->pool, token, jwks, &ex, out);
        }
        if (e == NULL || e->id != AC_E_JWKS_KID_UNKNOWN) {
            break;
        }
    }
    return e;
}

typedef struct accepted {
    const ac_provider *pv;
    ac_logout_claims claims;
} accepted;

/* Has a block with this fingerprint (the same issuer and client) already
 * accepted?  Its sessions are the same ones. */
static int already_accepted(const apr_array_header_t *acc, const ac_provider *pv)
{
    int i;

    for (i = 0; i < acc->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(acc, i, accepted).pv->fingerprint,
                   pv->fingerprint) == 0) {
            return 1;
        }
    }
    return 0;
}

/*
 * Every OpenID Connect provider block of this vhost whose issuer is the
 * token's validates it; *acc lists those that accept it.  When none does,
 * the error of one that came closest (another client's token fails every
 * block on its audience; prefer any other reason).
 */
static ac_error *validate_all(request_rec *r, const char *token,
                              apr_array_header_t **acc)
{
    ac_server_conf *c = ac_sconf(r->server);
    const char *iss = ac_jwt_peek_string(r->pool, token, "iss");
    ac_error *best = NULL;
    apr_hash_index_t *hi;
    int candidates = 0;

    *acc = apr_array_make(r->pool, 2, sizeof(accepted));
    if (iss == NULL) {
        return ac_fail(r, AC_E_LOGOUT_TOKEN_MALFORMED, "the logout token is "
                       "not a JWT with an iss claim");
    }
    for (hi = apr_hash_first(r->pool, c->providers); hi; hi = apr_hash_next(hi)) {
        const ac_provider *pv = apr_hash_this_val(hi);
        const ac_oidc_metadata *md;
        accepted a;
        ac_error *e;

        if (!ac_logout_provider_of(r, pv, iss, &md)) {
            continue;
        }
        candidates++;
        if (already_accepted(*acc, pv)) {
            continue;
        }
        if ((e = validate_for(r, pv, md, token, &a.claims)) == NULL) {
            a.pv = pv;
            *(accepted *)apr_array_push(*acc) = a;
        }
        else if (best == NULL || best->id == AC_E_LOGOUT_TOKEN_AUD) {
            best = e;
        }
    }
    if (best != NULL && best->id == AC_E_LOGOUT_TOKEN_AUD) {
        /* rather than the client of whichever block came last */
        best = ac_fail(r, AC_E_LOGOUT_TOKEN_AUD, "the logout token's audience "
                       "names no client of this virtual host's provider blocks "
                       "of its issuer");
    }
    if (candidates == 0) {
        return ac_error_make(r->pool, AC_E_LOGOUT_ISSUER_UNKNOWN, "the logout "
                             "token's issuer '%s' is not the issuer of an "
                             "OpenID Connect provider of this virtual host",
                             ac_log_quote(r->pool, iss));
    }
    return (*acc)->nelts > 0 ? NULL : best;
}

/* ---- replays ----------------------------------------------------------------------- */

static const char *jti_key(request_rec *r, const accepted *a)
{
    return apr_pstrcat(r->pool, a->pv->fingerprint, "\n", a->claims.jti, NULL);
}

static ac_error *check_replay(request_rec *r, const apr_array_header_t *acc)
{
    int i;

    for (i = 0; i < acc->nelts; i++) {
        const accepted *a = &APR_ARRAY_IDX(acc, i, accepted);
        char *buf;
        apr_size_t len;
        ac_error *e = ac_cache_get(r, AC_CACHE_LOGOUT_JTI, jti_key(r, a), &buf, &len);

        if (e != NULL) {
            return e;
        }
        if (buf != NULL) {
            return ac_fail(r, AC_E_LOGOUT_TOKEN_REPLAYED, "this logout token "
                           "(its jti) was received before: a replay");
        }
    }
    return NULL;
}

/* Recorded once the logout is done, so that a delivery that failed on our
 * side can be retried by the provider. */
static ac_error *remember_jti(request_rec *r, const apr_array_header_t *acc)
{
    int i;

    for (i = 0; i < acc->nelts; i++) {
        const accepted *a = &APR_ARRAY_IDX(acc, i, accepted);
        ac_error *e = ac_cache_put(r, AC_CACHE_LOGOUT_JTI, jti_key(r, a), "1", 1,
                                   a->claims.until);
        if (e != NULL) {
            return e;
        }
    }
    return NULL;
}

/* ---- the request ------------------------------------------------------------------ */

/* The provider session in a log line: a digest, since with the issuer it
 * would let anyone end that session through the front channel. */
static const char *sid_for_log(request_rec *r, const char *sid)
{
    unsigned char d[32];

    if (sid == NULL) {
        return "-";
    }
    ac_sha256(sid, strlen(sid), d);
    return apr_pstrcat(r->pool, "#", ac_hex(r->pool, d, 4), NULL);
}

int ac_backchannel_logout(request_rec *r)
{
    apr_array_header_t *acc;
    const char *token, *names = NULL;
    const accepted *a = NULL;
    ac_error *e;
    int i, total = 0;

    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    if (r->method_number != M_POST) {
        ap_allow_methods(r, REPLACE_ALLOW, "POST", NULL);
        return HTTP_METHOD_NOT_ALLOWED;
    }
    if ((e = read_logout_token(r, &token)) != NULL
        || (e = validate_all(r, token, &acc)) != NULL
        || (e = check_replay(r, acc)) != NULL) {
        return refuse(r, e);
    }
    for (i = 0; i < acc->nelts; i++) {
        int n = 0;

        a = &APR_ARRAY_IDX(acc, i, accepted);
        if ((e = ac_session_index_end(r, a->pv, a->claims.sid, a->claims.sub,
                                      NULL, &n)) != NULL) {
            return refuse(r, e);
        }
        total += n;
        ac_metrics_count(a->pv, AC_M_BACKCHANNEL_LOGOUT);
        names = names ? apr_pstrcat(r->pool, names, ",", a->pv->name, NULL)
                      : a->pv->name;
    }
    if ((e = remember_jti(r, acc)) != NULL) {
        return refuse(r, e);
    }
    ac_audit(r, ACLOGNO(01008),
             "back-channel logout", "ok", a->claims.sub, names,
             apr_psprintf(r->pool, "sid %s, %d session(s) ended",
                          sid_for_log(r, a->claims.sid), total));
    /* 200 also when the sessions were already gone (section 2.8) */
    return OK;
}
