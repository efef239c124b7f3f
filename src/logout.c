/*
 * logout.c - the logout path: GET shows a sign-out button (a link on a
 * foreign page must not sign anybody out), a same-origin POST ends the
 * local session, after revoking its tokens at the provider, and for an
 * OpenID Connect provider with an end_session_endpoint continues there
 * (logout_provider.c), whose return comes back here with its state.
 */
#include "login.h"
#include "url.h"

/* "Signed in as alice via GitHub", or that nobody is. */
static const char *signed_in_line(request_rec *r, const char **user,
                                  const char **provider)
{
    ac_session_record *s = NULL;
    const ac_provider *pv;
    const char *id;

    *user = *provider = NULL;
    if (ac_session_load(r, &s, &id) != NULL || s == NULL) {
        return "<p>You are not signed in here.</p>\n";
    }
    pv = ac_conf_find_provider(ac_sconf(r->server), s->provider);
    *user = s->remote_user;
    *provider = pv ? ac_provider_display_name(pv) : s->provider;
    return apr_pstrcat(r->pool, "<p>Signed in as <strong>",
                       ac_template_escape(r->pool, *user), "</strong> via ",
                       ac_template_escape(r->pool, *provider), ".</p>\n", NULL);
}

static int signed_out_page(request_rec *r)
{
    ac_template_var vars[] = {
        { "heading", "You are signed out", 0 },
        { "message", "Your session on this site has ended. Close the browser "
          "to end your session at the sign-in service too, unless it was "
          "ended there already.", 0 },
    };

    ac_page_write(r, HTTP_OK, AC_PAGE_SIGNED_OUT, "Signed out", vars,
                  sizeof(vars) / sizeof(vars[0]));
    return OK;
}

static int logout_confirm_page(request_rec *r)
{
    ac_template_var vars[] = {
        { "signed_in", NULL, 1 },
        { "user", NULL, 0 },
        { "provider", NULL, 0 },
        { "action", r->uri, 0 },
        { "return", apr_table_get(r->notes, "ac-return"), 0 },
    };

    vars[0].value = signed_in_line(r, &vars[1].value, &vars[2].value);
    ac_page_write(r, HTTP_OK, AC_PAGE_LOGOUT, "Sign out", vars,
                  sizeof(vars) / sizeof(vars[0]));
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
        /* a return target for those who want a page that says so */
        if (params && apr_table_get(params, "signed_out")) {
            return signed_out_page(r);
        }
        return logout_confirm_page(r);
    }
    if (r->method_number != M_POST) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    if (!ac_request_same_origin(r, 1)) {
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
        ac_audit(r, ACLOGNO(01042),
                 "logout", "ok", s->remote_user, s->provider, NULL);
    }
    if ((e = ac_session_destroy(r, s ? id : NULL)) != NULL) {
        return ac_error_respond(r, e);
    }
    return ac_redirect(r, HTTP_SEE_OTHER, provider_url ? provider_url : ret);
}
