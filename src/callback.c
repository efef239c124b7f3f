/*
 * callback.c - the end of every login, at the callback path: find the
 * login in progress the callback names (its kind decides how), let the
 * kind finish the protocol, then create the session under a new id and
 * send the browser back where it started.
 */
#include "login.h"
#include "url.h"

static ac_error *remote_user_for(ac_login *lg, const apr_array_header_t *claims,
                                 const char **user)
{
    request_rec *r = lg->r;
    const char *name = ac_provider_remote_user_claim(lg->pv);
    const ac_claim *cl = ac_claims_find(claims, name);
    ap_regmatch_t m[AP_MAX_REG_MATCH];

    if (cl == NULL || cl->nvalues != 1 || *cl->values[0] == '\0') {
        return ac_error_make(r->pool, AC_E_REMOTE_USER_CLAIM_MISSING,
                             "provider %s did not supply the claim '%s' "
                             "(RemoteUserClaim); check the requested scope",
                             lg->pv->name, name);
    }
    *user = cl->values[0];
    if (lg->pv->remote_user_re == NULL) {
        return NULL;
    }
    if (ap_regexec(lg->pv->remote_user_re, *user, AP_MAX_REG_MATCH, m, 0) != 0) {
        return ac_error_make(r->pool, AC_E_REMOTE_USER_REWRITE,
                             "the '%s' claim does not match the RemoteUserClaim "
                             "regex of provider %s", name, lg->pv->name);
    }
    *user = ap_pregsub(r->pool, lg->pv->remote_user_replace, *user,
                       AP_MAX_REG_MATCH, m);
    return *user ? NULL : ac_fail(r, AC_E_REMOTE_USER_REPLACE,
                                  "the RemoteUserClaim replacement failed");
}

static ac_error *create_session(ac_login *lg)
{
    ac_session_record *s = apr_pcalloc(lg->r->pool, sizeof(*s));
    ac_token_set t;
    ac_error *e;

    s->provider = lg->pv->name;
    s->fingerprint = lg->pv->fingerprint;
    s->claims = ac_claims_flatten(lg->r->pool, lg->claims);
    if ((e = remote_user_for(lg, s->claims, &s->remote_user)) != NULL) {
        return e;
    }
    ac_tokens_from_response(lg->r->pool, &lg->tokens, lg->token_secret, NULL, &t);
    if ((e = ac_session_create(lg->r, s, &t)) != NULL) {
        return e;
    }
    ac_tokens_announce(lg->r, lg->pv->name, s->remote_user, &t, NULL);
    ac_audit(lg->r, ACLOGNO(01030),
             "login", "ok", s->remote_user, lg->pv->name, NULL);
    return NULL;
}

static ac_error *complete_login(request_rec *r, apr_table_t *params,
                                ac_login *lg)
{
    const ac_login_kind *kind;
    const char *key;
    ac_error *e;

    if ((e = ac_login_kind_of_callback(r, params, ac_login_flow_cookie(r),
                                       &kind, &key)) != NULL
        || (e = ac_login_resume(r, kind, key, params, lg)) != NULL) {
        return e;
    }
    apr_table_setn(r->notes, "ac-retry-url", lg->fe.original_url);
    if ((e = lg->kind->complete(lg)) != NULL) {
        return e;
    }
    return create_session(lg);
}

static int finish_redirect(request_rec *r, const char *target)
{
    ac_error *e = ac_redirect_check(r->pool, target, ac_self_origin(r), NULL);

    if (e) {
        /* stored by us at login start, so this is a bug or a tampered cache */
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, ACLOGNO(01031)
                      "%s: %s [%s]; sending the "
                      "browser to / instead", AC_LOG_TAG, e->message, e->code);
        target = "/";
    }
    return ac_redirect(r, HTTP_SEE_OTHER, target);
}

int ac_callback(request_rec *r, apr_table_t *params)
{
    ac_login lg;
    ac_error *e;

    memset(&lg, 0, sizeof(lg));
    if ((e = complete_login(r, params, &lg)) != NULL) {
        /* the user is known only once the login has succeeded */
        ac_audit(r, ACLOGNO(01032),
                 "login", e->category == AC_CAT_DENIED ? "refused" : "failed",
                 NULL, lg.pv ? lg.pv->name : NULL, e->code);
        return ac_error_respond(r, e);
    }
    return finish_redirect(r, lg.fe.original_url);
}
