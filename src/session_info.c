/*
 * session_info.c - AuthClientSessionInfo: a location that tells a page's
 * own scripts who is signed in, as JSON - the user, the provider, the
 * claims AuthClientSessionInfoClaims lists, when the session and the
 * access token expire:
 *
 *   {"user":"alice","provider":"op","claims":{"email":"alice@example.org"},
 *    "session_expires":1767225600,"access_token_expires":1767222000}
 *
 * and 401 {"error":"login_required"} without a session, never a login
 * redirect: the script decides where to send the user.
 *
 * The session is the one check_authn accepts for the location (its
 * providers, its Require lines), so a page sees itself signed in exactly
 * when its location would let it in; ac_force_authn finds it under
 * "Require all granted" too.  Without one, check_authn hands over to
 * ac_session_info_respond; with one, the handler does.
 *
 * What it never gives away: a token (only the access token's expiry is
 * read from the token record), a claim not listed, anything to another
 * site - a cross-site request is refused before the session is looked
 * at, so no other site learns even whether the user is signed in - and
 * no copy to a cache (Cache-Control: no-store).
 */
#include <jansson.h>
#include <stdlib.h>

#include "auth_client.h"

/* a string as JSON; null for one that is not UTF-8 (a RemoteUserClaim
 * rewrite may cut a character), which jansson refuses */
static json_t *text_value(const char *s)
{
    json_t *j = json_string(s);

    return j ? j : json_null();
}

/* seconds since the epoch, as in a JWT; null when unknown */
static json_t *time_value(apr_time_t t)
{
    return t > 0 ? json_integer((json_int_t)apr_time_sec(t)) : json_null();
}

/* The listed claims the session has, each as the application sees it in
 * its OIDC_CLAIM_ variable (arrays joined with ","). */
static json_t *allowed_claims(request_rec *r, const ac_session_record *s)
{
    const ac_dir_conf *d = ac_dconf(r);
    const apr_array_header_t *names = d->session_info_claims;
    json_t *out = json_object();
    int i;

    for (i = 0; names && i < names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        /* split out of the stored record only now, as Require claim does */
        const ac_claim *cl = ac_session_record_claim(r->pool, s, name);

        if (cl != NULL) {
            json_object_set_new(out, name, text_value(cl->env_value));
        }
    }
    return out;
}

static int send_json(request_rec *r, int status, json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    const char *body;

    json_decref(doc);
    if (text == NULL) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    body = apr_pstrcat(r->pool, text, "\n", NULL);
    free(text);
    r->status = status;
    ap_set_content_type(r, "application/json");
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->err_headers_out, "X-Content-Type-Options", "nosniff");
    ap_rputs(body, r);
    return DONE;
}

static int no_session(request_rec *r)
{
    apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                   "Bearer realm=\"mod_auth_client\", error=\"login_required\"");
    return send_json(r, HTTP_UNAUTHORIZED,
                     json_pack("{s:s}", "error", "login_required"));
}

static int session_summary(request_rec *r, const ac_request_state *st)
{
    const ac_session_record *s = st->session;
    ac_token_set *t = NULL;
    ac_error *e;

    /* the token record only for the expiry; the tokens stay where they are */
    if ((e = ac_tokens_load(r, st->session_id, &t)) != NULL) {
        return ac_error_respond(r, e);
    }
    return send_json(r, HTTP_OK,
                     json_pack("{s:o,s:o,s:o,s:o,s:o}",
                               "user", text_value(s->remote_user),
                               "provider", text_value(s->provider),
                               "claims", allowed_claims(r, s),
                               "session_expires",
                               time_value(ac_session_expiry(r, s)),
                               "access_token_expires",
                               time_value(t ? t->expires : 0)));
}

/*
 * The request state check_authn left.  An internal redirect or a
 * subrequest within the same configuration (a DirectoryIndex, say) skips
 * authentication and inherits the user only: its session is in the
 * request it came from.
 */
static const ac_request_state *session_state(request_rec *r)
{
    const request_rec *from;

    for (from = r; from != NULL && from->per_dir_config == r->per_dir_config;
         from = from->prev ? from->prev : from->main) {
        const ac_request_state *st = ap_get_module_config(from->request_config,
                                                          &auth_client_module);
        if (st != NULL && st->session != NULL) {
            return st;
        }
    }
    return NULL;
}

int ac_session_info_respond(request_rec *r)
{
    const ac_request_state *st;

    if (r->method_number != M_GET) {    /* HEAD is M_GET too */
        apr_table_setn(r->err_headers_out, "Allow", "GET, HEAD");
        return HTTP_METHOD_NOT_ALLOWED;
    }
    /* a page of another site must not read it, nor learn that there is
     * a session; the user opening it by hand may */
    if (!ac_request_same_origin(r, 1)) {
        const char *origin = apr_table_get(r->headers_in, "Origin");
        const char *site = apr_table_get(r->headers_in, "Sec-Fetch-Site");

        return ac_error_respond(r, ac_error_make(r->pool, AC_E_SESSION_INFO_CROSS_SITE,
                                "refusing a cross-site session-info request "
                                "for %s (Origin %s, Sec-Fetch-Site %s)", r->uri,
                                origin ? ac_log_quote(r->pool, origin) : "(none)",
                                site ? ac_log_quote(r->pool, site) : "(none)"));
    }
    /* a bearer token's identity is an API client's, not a signed-in page's */
    st = session_state(r);
    if (st == NULL || st->bearer) {
        return no_session(r);
    }
    return session_summary(r, st);
}

static int session_info_handler(request_rec *r)
{
    const char *type;

    if (!ac_dir_session_info(ac_dconf(r))) {
        return DECLINED;
    }
    type = ap_auth_type(r);
    if (type == NULL || strcasecmp(type, AC_AUTH_TYPE) != 0) {
        /* check_authn never ran: every answer would be "not signed in" */
        return ac_error_respond(r, ac_error_make(r->pool, AC_E_SESSION_INFO_CONFIG,
                                "AuthClientSessionInfo is On for %s, but "
                                "AuthType oauth is not set there, so no "
                                "session is looked for: add \"AuthType oauth\" "
                                "to that location", r->uri));
    }
    return ac_session_info_respond(r);
}

void ac_session_info_register(apr_pool_t *p)
{
    /* before the handlers of the files the location may also map to */
    ap_hook_handler(session_info_handler, NULL, NULL, APR_HOOK_FIRST);
}
