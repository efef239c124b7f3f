/*
 * logout.c - the logout path: GET shows a sign-out button (a link on a
 * foreign page must not sign anybody out), a same-origin POST ends the
 * local session, after revoking its tokens at the provider, and for an
 * OpenID Connect provider with an end_session_endpoint continues there
 * (logout_provider.c), whose return comes back here with its state.
 */
#include "login.h"
#include "url.h"

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

/* the form has one field ("return"); a few more are tolerated */
#define AC_LOGOUT_MAX_PARAMS 4
#define AC_LOGOUT_MAX_BODY 2048

static ac_error *read_form(request_rec *r, apr_table_t **params)
{
    apr_array_header_t *pairs = NULL;
    int i;

    *params = apr_table_make(r->pool, AC_LOGOUT_MAX_PARAMS);
    if (ap_parse_form_data(r, NULL, &pairs, AC_LOGOUT_MAX_PARAMS,
                           AC_LOGOUT_MAX_BODY) != OK) {
        return ac_fail(r, AC_E_LOGOUT_BODY, "the logout form is unreadable or "
                       "larger than expected");
    }
    for (i = 0; pairs && i < pairs->nelts; i++) {
        ap_form_pair_t *pair = &APR_ARRAY_IDX(pairs, i, ap_form_pair_t);
        const char *value = ac_form_value(r->pool, pair, AC_LOGOUT_MAX_BODY);

        if (value == NULL || apr_table_get(*params, pair->name)) {
            return ac_fail(r, AC_E_LOGOUT_BODY, "the logout form has an "
                           "unreadable or repeated field");
        }
        apr_table_setn(*params, pair->name, value);
    }
    return NULL;
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

int ac_logout(request_rec *r)
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
        /* back from the provider's end_session_endpoint (logout_provider.c) */
        if (params && apr_table_get(params, "state")) {
            return ac_logout_return(r, apr_table_get(params, "state"));
        }
        return logout_confirm_page(r);
    }
    if (r->method_number != M_POST) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    if (!same_origin_post(r)) {
        return ac_error_respond(r, ac_error_make(r->pool, AC_E_LOGOUT_CROSS_SITE,
                                        "refusing a cross-site logout request"));
    }
    if ((e = read_form(r, &params)) != NULL) {
        return ac_error_respond(r, e);
    }
    ret = logout_return(r, apr_table_get(params, "return"));
    if (ac_session_load(r, &s, &id) == NULL && s) {
        ac_token_set *t = NULL;

        ac_tokens_load(r, id, &t);
        provider_url = ac_logout_at_provider(r, s, t, ret);
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "%s: logout: user %s, "
                      "provider %s", AC_LOG_TAG, s->remote_user, s->provider);
    }
    if ((e = ac_session_destroy(r, s ? id : NULL)) != NULL) {
        return ac_error_respond(r, e);
    }
    return ac_redirect(r, HTTP_SEE_OTHER, provider_url ? provider_url : ret);
}
