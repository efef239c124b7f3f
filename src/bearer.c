/*
 * bearer.c - bearer tokens (RFC 6750) on locations with AuthClientBearer:
 * the token from the Authorization header, checked as a JWT access token
 * (RFC 9068, access_token.c) or through the provider's introspection
 * endpoint (RFC 7662, introspection.c), its claims exported as a
 * session's would be.  Refusals are 400/401/403 with a Bearer challenge
 * (RFC 6750 3), never a redirect; nothing here creates a session or sets a
 * cookie, and the token is never logged.
 *
 * Cheap on repeat: a verified JWT's identity is memoised per process until
 * the token expires (token_memo.h), keyed by a digest of the token and of
 * everything the check depended on; an introspection answer is kept in the
 * module's cache, sealed, under a hash of the token, for the TTL at most.
 */
#include <apr_lib.h>
#include <apr_strings.h>
#include <http_main.h>

#include "access_token.h"
#include "bearer.h"
#include "introspection.h"
#include "login.h"
#include "module_state.h"

#define AC_BEARER_REALM "mod_auth_client"
#define AC_CACHE_INTROSPECTION "introspect"
/* more than any real token; httpd's header limit is about as much */
#define AC_BEARER_MAX_TOKEN 8192
#define AC_BEARER_MEMO_SLOTS 1024
#define AC_BEARER_MEMO_MAX_VALUE (8 * 1024)
/* a memoised JWT is checked again at least this often */
#define AC_BEARER_MEMO_MAX_SECONDS 3600

/* ---- directives ------------------------------------------------------------------ */

static const char *where(cmd_parms *cmd)
{
    return apr_psprintf(cmd->pool, "%s:%d", cmd->directive->filename,
                        cmd->directive->line_num);
}

const char *ac_bearer_set_mode(cmd_parms *cmd, void *dconf, const char *arg)
{
    ac_dir_conf *d = dconf;

    if (strcasecmp(arg, "off") == 0) {
        d->bearer = AC_BEARER_OFF;
    }
    else if (strcasecmp(arg, "on") == 0) {
        d->bearer = AC_BEARER_ON;
    }
    else if (strcasecmp(arg, "only") == 0) {
        d->bearer = AC_BEARER_ONLY;
    }
    else {
        return "AuthClientBearer must be off, on or only";
    }
    /* .htaccess files are read at request time and checked then */
    if (d->bearer != AC_BEARER_OFF && ac_state.bearer_uses != NULL
        && ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_RUN_MPM) {
        ac_bearer_use *u = apr_array_push(ac_state.bearer_uses);
        u->s = cmd->server;
        u->d = d;
        u->where = where(cmd);
    }
    return NULL;
}

static const char *one_word(cmd_parms *cmd, const char *arg, const char **field)
{
    if (*arg == '\0' || strpbrk(arg, " \t") != NULL) {
        return apr_psprintf(cmd->pool, "%s takes one non-empty word",
                            cmd->cmd->name);
    }
    *field = apr_pstrdup(cmd->pool, arg);
    return NULL;
}

const char *ac_bearer_set_audience(cmd_parms *cmd, void *dconf, const char *arg)
{
    return one_word(cmd, arg, &((ac_dir_conf *)dconf)->bearer_audience);
}

const char *ac_bearer_set_provider(cmd_parms *cmd, void *dconf, const char *arg)
{
    return one_word(cmd, arg, &((ac_dir_conf *)dconf)->bearer_provider);
}

const char *ac_bearer_set_user_claim(cmd_parms *cmd, void *dconf, const char *arg)
{
    return one_word(cmd, arg, &((ac_dir_conf *)dconf)->bearer_remote_user_claim);
}

static void push_word(cmd_parms *cmd, apr_array_header_t **list, const char *w)
{
    if (*list == NULL) {
        *list = apr_array_make(cmd->pool, 2, sizeof(const char *));
    }
    APR_ARRAY_PUSH(*list, const char *) = apr_pstrdup(cmd->pool, w);
}

/* RFC 6749 3.3 scope-token: %x21 / %x23-5B / %x5D-7E; no quote or
 * backslash, so it can go into the challenge as it is */
const char *ac_bearer_add_scope(cmd_parms *cmd, void *dconf, const char *arg)
{
    const unsigned char *c;

    for (c = (const unsigned char *)arg; *c; c++) {
        if (*c < 0x21 || *c > 0x7e || *c == '"' || *c == '\\') {
            return "AuthClientBearerScope: a scope is printable ASCII without "
                   "spaces, quotes or backslashes";
        }
    }
    push_word(cmd, &((ac_dir_conf *)dconf)->bearer_scopes, arg);
    return NULL;
}

const char *ac_bearer_add_jwt_type(cmd_parms *cmd, void *dconf, const char *arg)
{
    push_word(cmd, &((ac_dir_conf *)dconf)->bearer_jwt_types, arg);
    return NULL;
}

const char *ac_bearer_set_introspection_ttl(cmd_parms *cmd, void *dconf,
                                            const char *arg)
{
    char *end;
    long n = strtol(arg, &end, 10);

    if (*arg == '\0' || *end != '\0' || n < 0 || n > 86400) {
        return "AuthClientIntrospectionTTL takes seconds from 0 (ask every "
               "time) to 86400";
    }
    ((ac_dir_conf *)dconf)->introspection_ttl = (int)n;
    return NULL;
}

/* ---- startup checks ------------------------------------------------------------- */

static int startup_fail(server_rec *s, const char *msg)
{
    ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, s, ACLOGNO(01009)
                 "%s", msg);
    return 1;
}

/* The provider a section's tokens come from, or a message saying why none. */
static const char *section_provider(apr_pool_t *p, const ac_bearer_use *u,
                                    const ac_provider **pv)
{
    const ac_server_conf *c = ac_sconf(u->s);
    const char *name = u->d->bearer_provider;

    *pv = NULL;
    if (name == NULL && u->d->providers != NULL && u->d->providers->nelts == 1) {
        name = APR_ARRAY_IDX(u->d->providers, 0, const char *);
    }
    if (name == NULL && u->d->providers == NULL && apr_hash_count(c->providers) == 1) {
        apr_hash_index_t *hi = apr_hash_first(p, c->providers);
        name = apr_hash_this_key(hi);
    }
    if (name == NULL) {
        return apr_psprintf(p, "AuthClientBearer (%s): several providers could "
                            "have issued the tokens; name the one with "
                            "AuthClientBearerProvider in the same section",
                            u->where);
    }
    if ((*pv = ac_conf_find_provider(c, name)) == NULL) {
        return apr_psprintf(p, "AuthClientBearer (%s): no <AuthClientProvider %s> "
                            "block in this virtual host; define it or correct "
                            "AuthClientBearerProvider", u->where, name);
    }
    if (ac_provider_kind(*pv) == AC_KIND_OAUTH1) {
        return apr_psprintf(p, "AuthClientBearer (%s): provider %s is OAuth 1.0a, "
                            "which has no bearer tokens; name an OAuth 2.0 or "
                            "OpenID Connect provider", u->where, name);
    }
    return NULL;
}

static int bearer_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                               apr_pool_t *ptemp, server_rec *s)
{
    const ac_provider *pv;
    const char *msg;
    int i, failed = 0;

    for (i = 0; ac_state.bearer_uses != NULL && i < ac_state.bearer_uses->nelts;
         i++) {
        const ac_bearer_use *u = &APR_ARRAY_IDX(ac_state.bearer_uses, i,
                                                ac_bearer_use);

        /* no default: an audience that accepted anything would accept every
         * token the provider issues to any client, for any API */
        if (u->d->bearer_audience == NULL) {
            failed |= startup_fail(s, apr_psprintf(ptemp, "AuthClientBearer (%s) "
                "needs AuthClientBearerAudience in the same section: the "
                "identifier of this resource that access tokens must name in "
                "aud, e.g. AuthClientBearerAudience https://api.example/",
                u->where));
        }
        if ((msg = section_provider(ptemp, u, &pv)) != NULL) {
            failed |= startup_fail(s, msg);
        }
    }
    return failed ? HTTP_INTERNAL_SERVER_ERROR : OK;
}

ac_token_memo *ac_bearer_memo_create(apr_pool_t *pchild, server_rec *s)
{
    ac_token_memo *memo;
    ac_error *e = ac_token_memo_create(pchild, AC_BEARER_MEMO_SLOTS,
                                       AC_BEARER_MEMO_MAX_VALUE, &memo);

    if (e != NULL) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, ACLOGNO(01010)
                     "%s: %s [%s]", AC_LOG_TAG, e->message, e->code);
        return NULL;        /* correct without it, only slower */
    }
    return memo;
}

/* ---- the token ------------------------------------------------------------------ */

/* RFC 6750 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" /
 * "/" ) *"=" */
static int b64token_ok(const char *t, apr_size_t len)
{
    apr_size_t i = 0;

    while (i < len && (apr_isalnum(t[i]) || strchr("-._~+/", t[i]) != NULL)) {
        i++;
    }
    if (i == 0) {
        return 0;
    }
    while (i < len && t[i] == '=') {
        i++;
    }
    return i == len;
}

/*
 * The token of "Authorization: Bearer TOKEN": 0 with *token NULL when the
 * request has none (no header, another scheme), -1 when it is malformed
 * (two headers arrive merged with a comma, and fail here too).
 */
static int token_of(request_rec *r, const char **token)
{
    const char *h = apr_table_get(r->headers_in, "Authorization");
    apr_size_t len;

    *token = NULL;
    if (h == NULL) {
        return 0;
    }
    h += strspn(h, " \t");
    if (strncasecmp(h, "Bearer", 6) != 0 || (h[6] != ' ' && h[6] != '\0')) {
        return 0;
    }
    h += 6;
    h += strspn(h, " ");
    len = strlen(h);
    while (len > 0 && (h[len - 1] == ' ' || h[len - 1] == '\t')) {
        len--;
    }
    if (len > AC_BEARER_MAX_TOKEN || !b64token_ok(h, len)) {
        return -1;
    }
    *token = apr_pstrmemdup(r->pool, h, len);
    return 0;
}

/* ---- answers ---------------------------------------------------------------------- */

/* The scopes the location asks for, for the challenge's scope attribute. */
static const char *scope_list(request_rec *r, const ac_dir_conf *d)
{
    return d->bearer_scopes ? apr_array_pstrcat(r->pool, d->bearer_scopes, ' ')
                            : NULL;
}

static void set_challenge(request_rec *r, const char *error, const char *scope)
{
    apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                   apr_pstrcat(r->pool, "Bearer realm=\"" AC_BEARER_REALM "\"",
                               error ? ", error=\"" : "", error ? error : "",
                               error ? "\"" : "", scope ? ", scope=\"" : "",
                               scope ? scope : "", scope ? "\"" : "", NULL));
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
}

/*
 * A refused request: one log line (never the token), the status and
 * challenge RFC 6750 3.1 gives the error, and httpd's own error document
 * (or the ErrorDocument) as the body, which suits an API client.
 */
static int refuse(request_rec *r, const ac_dir_conf *d, const ac_error *e)
{
    int status = ac_error_status(e->category);

    if (e->id == AC_E_BEARER_SCOPE) {
        status = HTTP_FORBIDDEN;
        set_challenge(r, "insufficient_scope", scope_list(r, d));
    }
    else if (e->category == AC_CAT_REQUEST) {
        status = HTTP_BAD_REQUEST;
        set_challenge(r, "invalid_request", NULL);
    }
    else if (e->category == AC_CAT_DENIED) {
        status = HTTP_UNAUTHORIZED;
        set_challenge(r, "invalid_token", NULL);
    }
    ap_log_rerror(APLOG_MARK, status >= 500 ? APLOG_ERR : APLOG_INFO, 0, r,
                  ACLOGNO(01011)
                  "%s: bearer token refused: %s [%s]", AC_LOG_TAG, e->message,
                  e->code);
    ac_metrics_error(ac_status_provider_of(r), e->id);
    apr_table_setn(r->err_headers_out, "X-Auth-Client-Error", e->code);
    return status;
}

/* ---- what a check needs ------------------------------------------------------------ */

typedef struct bearer_ctx {
    request_rec *r;
    const ac_dir_conf *d;
    const ac_provider *pv;
    ac_http_opts http;
    ac_access_token_expect expect;
} bearer_ctx;

static ac_error *find_provider(request_rec *r, const ac_dir_conf *d,
                               const ac_provider **out)
{
    const ac_server_conf *c = ac_sconf(r->server);
    const char *name = d->bearer_provider;

    if (name == NULL && d->providers != NULL && d->providers->nelts == 1) {
        name = APR_ARRAY_IDX(d->providers, 0, const char *);
    }
    if (name == NULL && d->providers == NULL && apr_hash_count(c->providers) == 1) {
        name = apr_hash_this_key(apr_hash_first(r->pool, c->providers));
    }
    if (name == NULL) {
        return ac_fail(r, AC_E_BEARER_CONFIG, "AuthClientBearer is on where "
                       "several providers could have issued the token: name "
                       "one with AuthClientBearerProvider");
    }
    if ((*out = ac_conf_find_provider(c, name)) == NULL) {
        return ac_error_make(r->pool, AC_E_PROVIDER_NOT_DEFINED, "the bearer "
                             "provider %s has no <AuthClientProvider> block in "
                             "this virtual host", name);
    }
    if (ac_provider_kind(*out) == AC_KIND_OAUTH1) {
        return ac_error_make(r->pool, AC_E_BEARER_CONFIG, "provider %s is "
                             "OAuth 1.0a, which has no bearer tokens", name);
    }
    return NULL;
}

static ac_error *ctx_init(request_rec *r, const ac_dir_conf *d, bearer_ctx *bc)
{
    ac_error *e;

    memset(bc, 0, sizeof(*bc));
    bc->r = r;
    bc->d = d;
    if (d->bearer_audience == NULL) {
        return ac_fail(r, AC_E_BEARER_CONFIG, "AuthClientBearer is on but "
                       "AuthClientBearerAudience is not set");
    }
    ac_request_http_opts(r, &bc->http);
    bc->expect.audience = d->bearer_audience;
    bc->expect.jwt_types = d->bearer_jwt_types;
    bc->expect.now = apr_time_now();
    bc->expect.clock_skew = ac_conf_clock_skew(ac_sconf(r->server));
    if ((e = find_provider(r, d, &bc->pv)) != NULL) {
        return e;
    }
    bc->expect.allowed_algs = bc->pv->id_token_algs;
    return NULL;
}

/* ---- the identity of a token ----------------------------------------------------- */

/* The claims as the request's identity, in the session record's shape, so
 * the export and "Require claim" read it as they read a session. */
static ac_error *identity_of(bearer_ctx *bc, json_t *claims,
                             ac_session_record **out)
{
    request_rec *r = bc->r;
    const char *name = ac_dir_bearer_remote_user_claim(bc->d);
    ac_session_record *s = apr_pcalloc(r->pool, sizeof(*s));
    const ac_claim *user;

    s->claims = ac_claims_flatten(r->pool, claims);
    user = ac_claims_find(s->claims, name);
    if (user == NULL || user->nvalues != 1 || *user->values[0] == '\0') {
        return ac_error_make(r->pool, AC_E_BEARER_USER, "the access token has "
                             "no single %s claim to become REMOTE_USER "
                             "(AuthClientBearerRemoteUserClaim)", name);
    }
    s->remote_user = user->values[0];
    s->scope = "";
    s->export_prefix = ac_dir_claim_prefix(bc->d);
    s->provider = bc->pv->name;
    s->fingerprint = bc->pv->fingerprint;
    s->created = s->last_seen = bc->expect.now;
    s->expires = s->access_expires = ac_access_token_expiry(claims);
    *out = s;
    return NULL;
}

/* ---- JWT access tokens ------------------------------------------------------------ */

/* What a verified JWT's identity depends on besides the token; the memo key
 * covers it, so another location's or provider's verdict is never reused. */
static void memo_key(bearer_ctx *bc, const char *token, unsigned char *key)
{
    apr_pool_t *p = bc->r->pool;
    const apr_array_header_t *algs = bc->pv->id_token_algs;
    const apr_array_header_t *typs = bc->d->bearer_jwt_types;
    const char *text = apr_pstrcat(p, "jwt\n", bc->pv->name, "\n",
                                   bc->pv->fingerprint, "\n", bc->expect.audience,
                                   "\n", typs ? apr_array_pstrcat(p, typs, ' ') : "",
                                   "\n", algs ? apr_array_pstrcat(p, algs, ' ') : "",
                                   "\n", ac_dir_bearer_remote_user_claim(bc->d),
                                   "\n", apr_itoa(p, bc->expect.clock_skew), "\n",
                                   token, NULL);

    ac_token_memo_key(ac_state.bearer_memo, text, strlen(text), key);
}

static ac_error *jwt_verify(bearer_ctx *bc, const char *token, json_t **claims)
{
    request_rec *r = bc->r;
    ac_server_conf *c = ac_sconf(r->server);
    const ac_oidc_metadata *md;
    const char *jwks;
    ac_error *e;
    int attempt;

    if ((e = ac_login_discovery(r, &bc->http, bc->pv, &md)) != NULL) {
        return e;
    }
    bc->expect.issuer = md->issuer;
    /* an unknown kid may mean the provider rotated its keys: one refetch,
     * rate-limited per process by the JWKS cache */
    for (attempt = 0; attempt < 2; attempt++) {
        e = ac_oidc_jwks_get(r->pool, &bc->http, bc->pv, md->jwks_uri, attempt,
                             ac_conf_jwks_refresh_interval(c), &jwks);
        if (e == NULL) {
            e = ac_access_token_validate(r->pool, token, jwks, &bc->expect,
                                         claims);
        }
        if (e == NULL || e->id != AC_E_JWKS_KID_UNKNOWN) {
            break;
        }
    }
    return e;
}

/* A JWT this process verified before for the same checks, or NULL. */
static ac_session_record *jwt_remembered(bearer_ctx *bc, const unsigned char *key)
{
    request_rec *r = bc->r;
    ac_session_record *s;
    apr_size_t len;
    char *buf = ac_token_memo_get(ac_state.bearer_memo, key, bc->expect.now,
                                  r->pool, &len);

    if (buf == NULL) {
        return NULL;
    }
    s = apr_palloc(r->pool, sizeof(*s));
    return ac_session_record_decode(r->pool, buf, len, s) == NULL ? s : NULL;
}

static ac_error *jwt_identity(bearer_ctx *bc, const char *token,
                              const unsigned char *key, ac_session_record **out)
{
    request_rec *r = bc->r;
    apr_time_t until;
    ac_session_record *s;
    json_t *claims;
    char *buf;
    apr_size_t len;
    ac_error *e;

    if ((e = jwt_verify(bc, token, &claims)) != NULL
        || (e = identity_of(bc, claims, &s)) != NULL) {
        return e;
    }
    until = bc->expect.now + apr_time_from_sec(AC_BEARER_MEMO_MAX_SECONDS);
    if (s->expires < until) {
        until = s->expires;
    }
    if (ac_session_record_encode(r->pool, s, &buf, &len) == NULL) {
        ac_token_memo_put(ac_state.bearer_memo, key, buf, len, until);
    }
    *out = s;
    return NULL;
}

/* ---- opaque tokens: introspection ------------------------------------------------- */

static ac_error *introspect(bearer_ctx *bc, const char *token, json_t **result)
{
    request_rec *r = bc->r;
    const ac_oidc_metadata *md;
    ac_http_response resp;
    ac_error *e;

    if ((e = ac_login_discovery(r, &bc->http, bc->pv, &md)) != NULL) {
        return e;
    }
    if (md->introspection_endpoint == NULL) {
        return ac_error_make(r->pool, AC_E_BEARER_CONFIG, "the token is not a "
                             "JWT and provider %s has no introspection_endpoint "
                             "to ask about it", bc->pv->name);
    }
    e = ac_oauth2_client_post(r->pool, &bc->http, bc->pv, md->introspection_endpoint,
                              ac_introspection_form(r->pool, token), &resp);
    if (e == NULL) {
        e = ac_introspection_parse(r->pool, &resp, result);
    }
    if (e == NULL) {
        e = ac_introspection_check(r->pool, *result, md->issuer);
    }
    return e;
}

/* Keep an active answer for the next request; a cache failure only costs
 * the next request another introspection. */
static void introspection_store(bearer_ctx *bc, const char *id, json_t *result)
{
    request_rec *r = bc->r;
    apr_time_t until = ac_introspection_cache_until(result, bc->expect.now,
                                                    ac_dir_introspection_ttl(bc->d));
    char *buf;
    apr_size_t len;
    ac_error *e;

    if (until <= bc->expect.now) {
        return;
    }
    e = ac_introspection_entry_encode(r->pool, bc->expect.now, result, &buf, &len);
    if (e == NULL) {
        e = ac_cache_put(r, AC_CACHE_INTROSPECTION, id, buf, len, until);
    }
    if (e != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, ACLOGNO(01012)
                      "%s: not caching an "
                      "introspection answer: %s [%s]", AC_LOG_TAG, e->message,
                      e->code);
    }
}

static ac_error *opaque_identity(bearer_ctx *bc, const char *token,
                                 ac_session_record **out, const char **how)
{
    request_rec *r = bc->r;
    /* hashed by the cache layer: the token itself is never a key */
    const char *id = apr_pstrcat(r->pool, bc->pv->fingerprint, "\n", token, NULL);
    json_t *result = NULL;
    char *buf;
    apr_size_t len;
    ac_error *e;

    if ((e = ac_cache_get(r, AC_CACHE_INTROSPECTION, id, &buf, &len)) != NULL) {
        return e;
    }
    *how = "introspection, cached";
    if (buf != NULL) {
        ac_introspection_entry_decode(r->pool, buf, len, bc->expect.now,
                                      ac_dir_introspection_ttl(bc->d), &result);
    }
    if (result == NULL) {
        *how = "introspection";
        if ((e = introspect(bc, token, &result)) != NULL) {
            return e;
        }
        introspection_store(bc, id, result);
    }
    /* this location's rules, also for an answer another location cached */
    if ((e = ac_access_token_check_claims(r->pool, result, &bc->expect, 0)) != NULL) {
        return e;
    }
    return identity_of(bc, result, out);
}

/* ---- which way -------------------------------------------------------------------- */

/* The token's identity by whichever way fits: the memo first, as that is
 * the common case and the cheapest test; then a JWT's signature, or the
 * introspection endpoint for anything else. */
static ac_error *identify(bearer_ctx *bc, const char *token,
                          ac_session_record **s, const char **how)
{
    unsigned char key[AC_TOKEN_MEMO_KEY_LEN];

    memo_key(bc, token, key);
    if ((*s = jwt_remembered(bc, key)) != NULL) {
        *how = "JWT, verified before";
        return NULL;
    }
    if (ac_access_token_is_jwt(bc->r->pool, token)) {
        *how = "JWT";
        return jwt_identity(bc, token, key, s);
    }
    return opaque_identity(bc, token, s, how);
}

/* ---- check_authn ------------------------------------------------------------------- */

/* The claims the scope rule reads, from a fresh identity or a remembered
 * one (whose claims stay in the record until asked for). */
static apr_array_header_t *scope_claims(apr_pool_t *p, const ac_session_record *s)
{
    static const char *const names[] = { "scope", "scp" };
    apr_array_header_t *out = apr_array_make(p, 2, sizeof(ac_claim));
    int i;

    for (i = 0; i < 2; i++) {
        const ac_claim *c = ac_session_record_claim(p, s, names[i]);

        if (c != NULL) {
            APR_ARRAY_PUSH(out, ac_claim) = *c;
        }
    }
    return out;
}

static int use_identity(request_rec *r, const ac_dir_conf *d,
                        ac_session_record *s, const char *how)
{
    ac_request_state *st = ac_request_state_get(r);
    const char *missing = ac_access_token_missing_scope(scope_claims(r->pool, s),
                                                            d->bearer_scopes);

    if (missing != NULL) {
        return refuse(r, d, ac_error_make(r->pool, AC_E_BEARER_SCOPE, "the "
                                          "access token of %s lacks the scope "
                                          "%s (AuthClientBearerScope)",
                                          ac_log_quote(r->pool, s->remote_user),
                                          missing));
    }
    st->session = s;
    st->session_id = NULL;
    st->bearer = 1;
    ac_session_export(r, d, s);
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, ACLOGNO(01013)
                  "%s: bearer token of %s "
                  "accepted (provider %s, %s)", AC_LOG_TAG,
                  ac_log_quote(r->pool, s->remote_user), s->provider, how);
    return OK;
}

int ac_bearer_check_authn(request_rec *r)
{
    const ac_dir_conf *d = ac_dconf(r);
    ac_bearer_mode mode = ac_dir_bearer(d);
    ac_session_record *s = NULL;
    const char *token, *how = "";
    bearer_ctx bc;
    ac_error *e;

    if (mode == AC_BEARER_OFF) {
        return DECLINED;
    }
    if (token_of(r, &token) != 0) {
        return refuse(r, d, ac_fail(r, AC_E_BEARER_MALFORMED, "the "
                                    "Authorization header is not one "
                                    "\"Bearer\" with one token (RFC 6750 2.1)"));
    }
    if (token == NULL) {
        if (mode == AC_BEARER_ON) {
            return DECLINED;            /* the session, or a login */
        }
        /* RFC 6750 3: no error code when no credentials came at all */
        set_challenge(r, NULL, NULL);
        return HTTP_UNAUTHORIZED;
    }
    if ((e = ctx_init(r, d, &bc)) == NULL) {
        e = identify(&bc, token, &s, &how);
    }
    if (e != NULL) {
        return refuse(r, d, e);
    }
    return use_identity(r, d, s, how);
}

/* ---- authorization failures ----------------------------------------------------- */

/* A token that passed authentication but not a Require: httpd answers 401
 * (or 403 with AuthzSendForbiddenOnFailure); either way the client is told
 * it needs a token with more rights (RFC 6750 3.1). */
static int bearer_note_auth_failure(request_rec *r, const char *type)
{
    ac_request_state *st = ac_request_state_get(r);

    if (strcasecmp(type, AC_AUTH_TYPE) != 0 || !st->bearer) {
        return DECLINED;
    }
    set_challenge(r, "insufficient_scope", NULL);
    return OK;
}

static void bearer_insert_error_filter(request_rec *r)
{
    ac_request_state *st = ap_get_module_config(r->request_config,
                                                &auth_client_module);

    if (st != NULL && st->bearer && st->claim_denied
        && r->status == HTTP_FORBIDDEN
        && apr_table_get(r->headers_out, "WWW-Authenticate") == NULL
        && apr_table_get(r->err_headers_out, "WWW-Authenticate") == NULL) {
        set_challenge(r, "insufficient_scope", NULL);
    }
}

void ac_bearer_register_hooks(apr_pool_t *p)
{
    ap_hook_check_config(bearer_check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_note_auth_failure(bearer_note_auth_failure, NULL, NULL,
                              APR_HOOK_MIDDLE);
    ap_hook_insert_error_filter(bearer_insert_error_filter, NULL, NULL,
                                APR_HOOK_MIDDLE);
}
