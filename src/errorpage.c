/*
 * errorpage.c - every failure in a login ends here: one log line that says
 * what happened and what to check, and a page (pages.c) that says in plain
 * words what happened and what the person can do - try again, or not when
 * only the administrator can help - with the stable code and the request's
 * UNIQUE_ID to quote.  Messages never carry tokens, codes or secrets (the
 * core builds them that way); the page shows the code only, so nothing from
 * the provider is reflected to the browser.  An ErrorDocument for the
 * status replaces the page.
 */
#include <mod_core.h>

#include "auth_client.h"

ac_error *ac_fail(request_rec *r, ac_error_id id, const char *msg)
{
    return ac_error_make(r->pool, id, "%s", msg);
}

int ac_error_status(ac_error_category category)
{
    switch (category) {
    case AC_CAT_REQUEST:
        return HTTP_BAD_REQUEST;
    case AC_CAT_DENIED:
        /* a refused login is not a request for credentials: 401 would need
         * a WWW-Authenticate challenge the browser cannot answer */
        return HTTP_FORBIDDEN;
    case AC_CAT_PROVIDER:
        return HTTP_BAD_GATEWAY;
    case AC_CAT_PROVIDER_TIMEOUT:
        return HTTP_GATEWAY_TIME_OUT;
    case AC_CAT_CACHE:
        return HTTP_SERVICE_UNAVAILABLE;
    case AC_CAT_CONFIG:
    case AC_CAT_INTERNAL:
        break;
    }
    return HTTP_INTERNAL_SERVER_ERROR;
}

static int log_level_for(int status)
{
    /* a browser's stale or replayed link is routine; provider and server
     * trouble is what the sysadmin must see */
    return status >= 500 ? APLOG_ERR : APLOG_WARNING;
}

/* ---- what the page says ------------------------------------------------------ */

typedef struct explanation {
    const char *heading;
    const char *message;
    int retry;                  /* does trying again make sense? */
} explanation;

/* Plain words for the person in front of the browser, by what they can do
 * about it; the log line has the detail for the administrator. */
static explanation explain(const ac_error *e)
{
    explanation x = { "Sign-in failed", "The sign-in could not be completed. "
                      "If this keeps happening, give the administrator the "
                      "code below.", 1 };

    switch (e->id) {
    case AC_E_ACCESS_DENIED:
        x.heading = "You cancelled the sign-in";
        x.message = "Nothing was shared with this site. You can sign in again "
                    "whenever you like.";
        return x;
    case AC_E_FLOW_COOKIE_MISSING:
        x.heading = "Your browser did not bring this sign-in back";
        x.message = "It was started in another browser, or this site may not "
                    "keep cookies. Allow cookies for this site and start again "
                    "from the page you wanted.";
        return x;
    case AC_E_STATE_UNKNOWN:
    case AC_E_STATE_MISSING:
    case AC_E_STATE_MISMATCH:
        x.heading = "This sign-in link has expired or was already used";
        x.message = "A sign-in link works once, for a few minutes, in the "
                    "browser that started it. Start again from the page you "
                    "wanted.";
        return x;
    default:
        break;
    }
    switch (e->category) {
    case AC_CAT_PROVIDER_TIMEOUT:
        x.heading = "The sign-in service took too long";
        x.message = "It did not answer in time. Please try again in a few "
                    "minutes.";
        break;
    case AC_CAT_PROVIDER:
        x.heading = "The sign-in service is unavailable";
        x.message = "It gave an answer this site cannot use. Please try again "
                    "in a few minutes; if it keeps happening, give the "
                    "administrator the code below.";
        break;
    case AC_CAT_CACHE:
        x.heading = "This site cannot sign you in right now";
        x.message = "It cannot keep sessions at the moment. Please try again in "
                    "a minute.";
        break;
    case AC_CAT_DENIED:
        x.heading = "Sign-in refused";
        x.message = "The sign-in was not accepted for this site. If you think "
                    "it should have been, give the administrator the code below.";
        break;
    case AC_CAT_CONFIG:
    case AC_CAT_INTERNAL:
        x.heading = "This site's sign-in is misconfigured";
        x.message = "Trying again will not help until the administrator fixes "
                    "it. Please tell them, with the code below.";
        x.retry = 0;
        break;
    case AC_CAT_REQUEST:
        break;
    }
    return x;
}

static int error_document_configured(request_rec *r, int status)
{
    return ap_response_code_string(r, ap_index_of_response(status)) != NULL;
}

static void write_page(request_rec *r, int status, const ac_error *e)
{
    explanation x = explain(e);
    const char *retry_url = apr_table_get(r->notes, "ac-retry-url");
    const char *unique_id = apr_table_get(r->subprocess_env, "UNIQUE_ID");
    ac_template_var vars[] = {
        { "heading", x.heading, 0 },
        { "message", x.message, 0 },
        { "retry", NULL, 1 },
        { "retry_url", NULL, 0 },
        { "code", e->code, 0 },
        { "request_id", NULL, 1 },
        { "unique_id", unique_id, 0 },
        { "status", apr_itoa(r->pool, status), 0 },
    };

    if (x.retry) {
        vars[3].value = retry_url ? retry_url : "/";
        vars[2].value = apr_pstrcat(r->pool, "<p><a href=\"",
                                    ac_template_escape(r->pool, vars[3].value),
                                    "\">Try again</a></p>\n", NULL);
    }
    if (unique_id != NULL) {
        vars[5].value = apr_pstrcat(r->pool, ", request <code id=\"request-id\">",
                                    ac_template_escape(r->pool, unique_id),
                                    "</code>", NULL);
    }
    ac_page_write(r, status, AC_PAGE_ERROR, "Sign-in failed", vars,
                  sizeof(vars) / sizeof(vars[0]));
}

/*
 * The error page, or the administrator's ErrorDocument for the status:
 * then httpd sends that, and it finds the code and the plain words in
 * AUTH_CLIENT_ERROR and AUTH_CLIENT_ERROR_DESCRIPTION (ac_error_document_env).
 */
int ac_error_respond(request_rec *r, const ac_error *e)
{
    int status = ac_error_status(e->category);

    ap_log_rerror(APLOG_MARK, log_level_for(status), 0, r, ACLOGNO(01036)
                  "%s: %s [%s]", AC_LOG_TAG, e->message, e->code);
    ac_metrics_error(ac_status_provider_of(r), e->id);
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->err_headers_out, "X-Auth-Client-Error", e->code);
    if (error_document_configured(r, status)) {
        apr_table_setn(r->notes, "ac-error", e->code);
        apr_table_setn(r->notes, "ac-error-description", explain(e).heading);
        return status;
    }
    write_page(r, status, e);
    return DONE;
}

/* On the ErrorDocument's request, an internal redirect from the failed one. */
static int error_document_env(request_rec *r)
{
    const char *code = r->prev ? apr_table_get(r->prev->notes, "ac-error") : NULL;

    if (code != NULL) {
        apr_table_setn(r->subprocess_env, "AUTH_CLIENT_ERROR", code);
        apr_table_setn(r->subprocess_env, "AUTH_CLIENT_ERROR_DESCRIPTION",
                       apr_table_get(r->prev->notes, "ac-error-description"));
    }
    return DECLINED;
}

void ac_errorpage_register(apr_pool_t *p)
{
    (void)p;
    ap_hook_fixups(error_document_env, NULL, NULL, APR_HOOK_REALLY_FIRST);
}
