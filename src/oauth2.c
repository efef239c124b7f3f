/*
 * oauth2.c - the OAuth 2.0 calls shared by OpenID Connect and plain OAuth
 * 2.0 providers (RFC 6749): the authorization request URL, the token
 * request with the provider's client authentication, the token response
 * parser, and protected resource calls with the bearer token.
 */
#include <string.h>
#include <strings.h>

#include "client_auth.h"
#include "json.h"
#include "metrics.h"
#include "oauth2.h"
#include "pkce.h"

/* Form-encoded token responses carry a handful of parameters. */
#define AC_OAUTH2_FORM_MAX_PARAMS 64

static int content_type_is(const char *ct, const char *type)
{
    apr_size_t n = strlen(type);

    return ct != NULL && strncasecmp(ct, type, n) == 0
        && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* A body such as "access_token=x&token_type=bearer": no JSON punctuation,
 * no white space, at least one '='. */
static int looks_like_form(const char *body)
{
    const unsigned char *c = (const unsigned char *)body;

    if (*c == '\0' || strchr(body, '=') == NULL) {
        return 0;
    }
    for (; *c; c++) {
        if (*c <= 0x20 || *c >= 0x7f || strchr("{}[]\"<>", *c) != NULL) {
            return 0;
        }
    }
    return 1;
}

static ac_error *form_to_json(apr_pool_t *p, const char *body, json_t **out)
{
    const apr_array_header_t *arr;
    const apr_table_entry_t *te;
    apr_table_t *t;
    json_t *obj;
    ac_error *err;
    int i;

    err = ac_form_parse(p, body, AC_OAUTH2_FORM_MAX_PARAMS, &t);
    if (err != NULL) {
        return err;
    }
    obj = json_object();
    if (obj == NULL) {
        return ac_error_make(p, AC_E_OUT_OF_MEMORY, "out of memory");
    }
    ac_json_pool_own(p, obj);
    arr = apr_table_elts(t);
    te = (const apr_table_entry_t *)arr->elts;
    for (i = 0; i < arr->nelts; i++) {
        /* json_string refuses invalid UTF-8, as the JSON parser would */
        if (json_object_set_new(obj, te[i].key, json_string(te[i].val)) != 0) {
            return ac_error_make(p, AC_E_TOKEN_MALFORMED,
                                 "a form-encoded parameter is not UTF-8");
        }
    }
    *out = obj;
    return NULL;
}

/* JSON, or form-encoded when the content type says so or when a body that
 * is not JSON looks like a form (GitHub without Accept, Facebook v2.2). */
static ac_error *token_body_parse(apr_pool_t *p, const ac_http_response *r,
                                  json_t **out)
{
    const char *body = r->body ? r->body : "";
    ac_error *err;

    if (content_type_is(r->content_type, "application/x-www-form-urlencoded")) {
        err = form_to_json(p, body, out);
    }
    else {
        err = ac_json_parse_object(p, body, r->body ? r->len : 0,
                                   "the token response", out);
        if (err != NULL && looks_like_form(body)) {
            err = form_to_json(p, body, out);
        }
    }
    if (err != NULL) {
        return ac_error_make(p, AC_E_TOKEN_MALFORMED,
                             "the token response is neither a JSON object "
                             "nor a form: %s", err->message);
    }
    return NULL;
}

/* "error" and "error_description" as they may appear in a log line. */
static const char *provider_error(apr_pool_t *p, json_t *obj)
{
    const char *code = ac_json_string(obj, "error");
    const char *desc = ac_json_string(obj, "error_description");

    if (code == NULL) {
        return NULL;
    }
    if (desc == NULL) {
        return ac_log_quote(p, code);
    }
    return apr_psprintf(p, "%s: %s", ac_log_quote(p, code), ac_log_quote(p, desc));
}

/* RFC 6749 5.2: the grant (code or refresh token) is dead; a caller must
 * not try it again */
static int is_invalid_grant(json_t *obj)
{
    const char *code = obj ? ac_json_string(obj, "error") : NULL;

    return code != NULL && strcmp(code, "invalid_grant") == 0;
}

static ac_error *token_status_error(apr_pool_t *p, const ac_http_response *r)
{
    json_t *obj = NULL;
    const char *perr = NULL;

    if (token_body_parse(p, r, &obj) == NULL) {
        perr = provider_error(p, obj);
    }
    return ac_error_make(p, is_invalid_grant(obj) ? AC_E_TOKEN_INVALID_GRANT
                                                  : AC_E_TOKEN_HTTP_STATUS,
                         "the token endpoint answered HTTP %ld%s%s%s",
                         r->status, perr ? " (" : "", perr ? perr : "",
                         perr ? ")" : "");
}

static long token_expires_in(json_t *v)
{
    long n = 0;

    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);

        n = i > 0 && i < 0x7fffffffL ? (long)i : 0;
    }
    else if (json_is_real(v)) {
        double d = json_real_value(v);

        n = d > 0 && d < 2147483647.0 ? (long)d : 0;
    }
    else if (json_is_string(v)) {
        /* form-encoded answers carry every value as a string */
        const char *s = json_string_value(v);
        char *end;

        n = strtol(s, &end, 10);
        if (*s == '\0' || *end != '\0' || n < 0) {
            n = 0;
        }
    }
    return n;
}

/* A member that must be a string when present. */
static ac_error *optional_string(apr_pool_t *p, json_t *obj, const char *name,
                                 const char **out)
{
    json_t *v = json_object_get(obj, name);

    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        return NULL;
    }
    if (!json_is_string(v)) {
        return ac_error_make(p, AC_E_TOKEN_MALFORMED,
                             "the token response's %s is not a string", name);
    }
    *out = json_string_value(v);
    return NULL;
}

ac_error *ac_token_response_parse(apr_pool_t *p, const ac_http_response *r,
                                  ac_token_response *out)
{
    const char *perr;
    json_t *obj;
    ac_error *err;

    memset(out, 0, sizeof(*out));
    if (r->status < 200 || r->status > 299) {
        return token_status_error(p, r);
    }
    err = token_body_parse(p, r, &obj);
    if (err != NULL) {
        return err;
    }
    perr = provider_error(p, obj);
    if (perr != NULL || json_object_get(obj, "error") != NULL) {
        return ac_error_make(p, is_invalid_grant(obj) ? AC_E_TOKEN_INVALID_GRANT
                                                      : AC_E_TOKEN_ERROR,
                             "the token endpoint refused the request: %s",
                             perr ? perr : "(error is not a string)");
    }
    if ((err = optional_string(p, obj, "access_token", &out->access_token))
        || (err = optional_string(p, obj, "token_type", &out->token_type))
        || (err = optional_string(p, obj, "id_token", &out->id_token))
        || (err = optional_string(p, obj, "refresh_token",
                                  &out->refresh_token))) {
        return err;
    }
    if (out->access_token == NULL || *out->access_token == '\0') {
        return ac_error_make(p, AC_E_TOKEN_MISSING_ACCESS_TOKEN,
                             "the token response has no access_token");
    }
    /* RFC 6749 7.1: a client must not use a token type it does not know. */
    if (out->token_type != NULL && strcasecmp(out->token_type, "bearer") != 0) {
        return ac_error_make(p, AC_E_TOKEN_TYPE_UNSUPPORTED,
                             "the token endpoint issued a '%s' token; only "
                             "Bearer tokens are supported",
                             ac_log_quote(p, out->token_type));
    }
    out->token_type = "Bearer";
    out->expires_in = token_expires_in(json_object_get(obj, "expires_in"));
    out->raw = obj;
    return NULL;
}

static char *form_add(apr_pool_t *p, char *form, const char *k, const char *v)
{
    char *pair = apr_pstrcat(p, k, "=", ac_url_escape(p, v), NULL);

    return *form ? apr_pstrcat(p, form, "&", pair, NULL) : pair;
}

/* RFC 6749 2.3.1: both halves form-encoded before base64. */
static const char *basic_auth(apr_pool_t *p, const char *id, const char *secret)
{
    const char *pair = apr_pstrcat(p, ac_url_escape(p, id), ":",
                                   ac_url_escape(p, secret), NULL);

    return apr_pstrcat(p, "Basic ",
                       ac_b64_encode(p, (const unsigned char *)pair, strlen(pair)),
                       NULL);
}

/* client_secret_jwt / private_key_jwt: RFC 7523 2.2, audience the token
 * endpoint as OpenID Connect Core 9 asks */
static ac_error *add_client_assertion(apr_pool_t *p, const ac_provider *pv,
                                      const char *token_endpoint, char **form)
{
    int with_key = ac_provider_token_auth(pv) == AC_TOKEN_AUTH_PRIVATE_KEY_JWT;
    const char *jwt;
    ac_error *err;

    if (with_key ? pv->assertion_jwk == NULL : pv->client_secret == NULL) {
        return ac_error_make(p, AC_E_TOKEN_AUTH, "provider %s has no %s to "
                             "sign its client assertion with", pv->name,
                             with_key ? "PrivateKeyFile" : "ClientSecret");
    }
    err = ac_client_assertion(p, pv->client_id, token_endpoint,
                              pv->client_secret,
                              with_key ? pv->assertion_jwk : NULL,
                              with_key ? pv->assertion_alg : "HS256",
                              AC_CLIENT_ASSERTION_MAX_LIFETIME, apr_time_now(),
                              &jwt);
    if (err != NULL) {
        return err;
    }
    *form = form_add(p, *form, "client_id", pv->client_id);
    *form = form_add(p, *form, "client_assertion_type", AC_CLIENT_ASSERTION_TYPE);
    *form = form_add(p, *form, "client_assertion", jwt);
    return NULL;
}

static ac_error *client_auth(apr_pool_t *p, const ac_provider *pv,
                             const char *token_endpoint, apr_table_t *hdrs,
                             char **form)
{
    ac_token_auth how = ac_provider_token_auth(pv);
    const char *id = pv->client_id ? pv->client_id : "";

    if ((how == AC_TOKEN_AUTH_BASIC || how == AC_TOKEN_AUTH_POST)
        && pv->client_secret == NULL) {
        return ac_error_make(p, AC_E_TOKEN_AUTH,
                             "provider %s authenticates with a client secret "
                             "but has none configured", pv->name);
    }
    switch (how) {
    case AC_TOKEN_AUTH_BASIC:
        apr_table_setn(hdrs, "Authorization",
                       basic_auth(p, id, pv->client_secret));
        return NULL;
    case AC_TOKEN_AUTH_POST:
        *form = form_add(p, *form, "client_id", id);
        *form = form_add(p, *form, "client_secret", pv->client_secret);
        return NULL;
    case AC_TOKEN_AUTH_NONE:
        *form = form_add(p, *form, "client_id", id);
        return NULL;
    default:
        return add_client_assertion(p, pv, token_endpoint, form);
    }
}

/* One token request: `form` (the grant) with the client's authentication
 * and the provider's extra parameters. */
static ac_error *token_request(apr_pool_t *p, const ac_http_opts *h,
                               const ac_provider *pv, const char *token_endpoint,
                               char *form, ac_token_response *out)
{
    apr_table_t *hdrs = apr_table_make(p, 2);
    ac_http_response resp;
    apr_time_t start;
    ac_error *err;

    memset(out, 0, sizeof(*out));
    err = client_auth(p, pv, token_endpoint, hdrs, &form);
    if (err != NULL) {
        return err;
    }
    if (pv->access_token_params != NULL && *pv->access_token_params != '\0') {
        form = apr_pstrcat(p, form, "&", pv->access_token_params, NULL);
    }
    apr_table_setn(hdrs, "Accept", "application/json");
    start = apr_time_now();
    err = ac_http_request(p, h, "POST", token_endpoint, hdrs,
                          "application/x-www-form-urlencoded", form, &resp);
    ac_metrics_token_call(pv, start);
    if (err != NULL) {
        return err;
    }
    return ac_token_response_parse(p, &resp, out);
}

ac_error *ac_oauth2_code_exchange(apr_pool_t *p, const ac_http_opts *h,
                                  const ac_provider *pv,
                                  const char *token_endpoint,
                                  const char *code, const char *redirect_uri,
                                  const char *code_verifier,
                                  ac_token_response *out)
{
    char *form = "";

    form = form_add(p, form, "grant_type", "authorization_code");
    form = form_add(p, form, "code", code);
    form = form_add(p, form, "redirect_uri", redirect_uri);
    if (code_verifier != NULL && *code_verifier != '\0') {
        form = form_add(p, form, "code_verifier", code_verifier);
    }
    return token_request(p, h, pv, token_endpoint, form, out);
}

ac_error *ac_oauth2_refresh(apr_pool_t *p, const ac_http_opts *h,
                            const ac_provider *pv, const char *token_endpoint,
                            const char *refresh_token, ac_token_response *out)
{
    char *form = "";

    form = form_add(p, form, "grant_type", "refresh_token");
    form = form_add(p, form, "refresh_token", refresh_token);
    return token_request(p, h, pv, token_endpoint, form, out);
}

/* RFC 7009 2.2: 200 whether or not the token was still valid; 503 asks
 * for a later retry, which a logout cannot wait for */
ac_error *ac_oauth2_revoke(apr_pool_t *p, const ac_http_opts *h,
                           const ac_provider *pv, const char *revocation_endpoint,
                           const char *token_endpoint, const char *token,
                           const char *type_hint)
{
    apr_table_t *hdrs = apr_table_make(p, 2);
    char *form = "";
    ac_http_response resp;
    json_t *obj = NULL;
    const char *why = NULL;
    ac_error *err;

    form = form_add(p, form, "token", token);
    form = form_add(p, form, "token_type_hint", type_hint);
    err = client_auth(p, pv, token_endpoint ? token_endpoint : revocation_endpoint,
                      hdrs, &form);
    if (err == NULL) {
        err = ac_http_request(p, h, "POST", revocation_endpoint, hdrs,
                              "application/x-www-form-urlencoded", form, &resp);
    }
    if (err != NULL) {
        return err;
    }
    if (resp.status == 200) {
        return NULL;
    }
    if (ac_json_parse_object(p, resp.body, resp.len, "the revocation response",
                             &obj) == NULL) {
        why = provider_error(p, obj);
    }
    return ac_error_make(p, AC_E_REVOCATION_FAILED, "the revocation endpoint "
                         "answered HTTP %ld%s%s", resp.status, why ? ": " : "",
                         why ? why : "");
}

ac_error *ac_oauth2_get_json(apr_pool_t *p, const ac_http_opts *h,
                             const char *url, const char *access_token,
                             json_t **out)
{
    apr_table_t *hdrs = apr_table_make(p, 2);
    const char *where = apr_pstrmemdup(p, url, strcspn(url, "?#"));
    ac_http_response resp;
    ac_error *err;

    *out = NULL;
    apr_table_setn(hdrs, "Authorization",
                   apr_pstrcat(p, "Bearer ", access_token, NULL));
    apr_table_setn(hdrs, "Accept", "application/json");
    err = ac_http_request(p, h, "GET", url, hdrs, NULL, NULL, &resp);
    if (err != NULL) {
        return err;
    }
    if (resp.status != 200) {
        return ac_error_make(p, AC_E_API_HTTP_STATUS,
                             "%s answered HTTP %ld, expected 200", where,
                             resp.status);
    }
    err = ac_json_parse_object(p, resp.body, resp.len, "the API response", out);
    if (err != NULL) {
        return ac_error_make(p, AC_E_API_MALFORMED, "%s: %s", where,
                             err->message);
    }
    return NULL;
}

char *ac_oauth2_authorize_url(apr_pool_t *p, const ac_provider *pv,
                              const char *authorization_endpoint,
                              const char *redirect_uri, const char *state,
                              const char *nonce, const char *code_verifier)
{
    const char *scope = ac_provider_scope(pv);
    apr_size_t n = strlen(authorization_endpoint);
    const char *sep;
    char *q = "";

    q = form_add(p, q, "response_type", "code");
    q = form_add(p, q, "client_id", pv->client_id ? pv->client_id : "");
    q = form_add(p, q, "redirect_uri", redirect_uri);
    if (scope != NULL && *scope != '\0') {
        q = form_add(p, q, "scope", scope);
    }
    q = form_add(p, q, "state", state);
    if (nonce != NULL && *nonce != '\0') {
        q = form_add(p, q, "nonce", nonce);
    }
    if (code_verifier != NULL && *code_verifier != '\0') {
        q = form_add(p, q, "code_challenge", ac_pkce_s256(p, code_verifier));
        q = form_add(p, q, "code_challenge_method", "S256");
    }
    if (pv->authorize_params != NULL && *pv->authorize_params != '\0') {
        q = apr_pstrcat(p, q, "&", pv->authorize_params, NULL);
    }
    sep = strchr(authorization_endpoint, '?') == NULL ? "?"
        : (n > 0 && (authorization_endpoint[n - 1] == '?'
                     || authorization_endpoint[n - 1] == '&')) ? "" : "&";
    return apr_pstrcat(p, authorization_endpoint, sep, q, NULL);
}

/* ---- other endpoints of the authorization server ------------------------ */

ac_error *ac_oauth2_client_post(apr_pool_t *p, const ac_http_opts *h,
                                const ac_provider *pv, const char *endpoint,
                                const char *form, ac_http_response *resp)
{
    apr_table_t *hdrs = apr_table_make(p, 2);
    char *body = apr_pstrdup(p, form);
    ac_error *err;

    memset(resp, 0, sizeof(*resp));
    /* a client assertion names the endpoint it is sent to as audience */
    if ((err = client_auth(p, pv, endpoint, hdrs, &body)) != NULL) {
        return err;
    }
    apr_table_setn(hdrs, "Accept", "application/json");
    return ac_http_request(p, h, "POST", endpoint, hdrs,
                           "application/x-www-form-urlencoded", body, resp);
}
