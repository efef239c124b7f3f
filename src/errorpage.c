/*
 * errorpage.c - every failure in a login ends here: one log line that says
 * what happened and what to check, and a small HTML page with a stable error
 * code and a way to try again.  Messages never carry tokens, codes or
 * secrets (the core builds them that way); the page shows the code only, so
 * nothing from the provider is reflected to the browser.
 */
#include "auth_client.h"

const char *ac_html_escape(apr_pool_t *p, const char *s)
{
    return ap_escape_html2(p, s ? s : "", 1);
}

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

int ac_error_respond(request_rec *r, const ac_error *e)
{
    int status = ac_error_status(e->category);
    const char *retry = apr_table_get(r->notes, "ac-retry-url");

    ap_log_rerror(APLOG_MARK, log_level_for(status), 0, r, ACLOGNO(01036)
                  "%s: %s [%s]",
                  AC_LOG_TAG, e->message, e->code);
    r->status = status;
    ap_set_content_type(r, "text/html; charset=utf-8");
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->err_headers_out, "X-Auth-Client-Error", e->code);
    ap_rprintf(r, "<!DOCTYPE html>\n<html><head><title>Sign-in failed</title>"
               "</head>\n<body>\n<h1>Sign-in failed</h1>\n"
               "<p>The sign-in could not be completed. If this keeps happening, "
               "give the administrator this code: <code id=\"error-code\">%s</code>"
               "</p>\n<p><a href=\"%s\">Try again</a></p>\n</body></html>\n",
               ac_html_escape(r->pool, e->code),
               ac_html_escape(r->pool, retry ? retry : "/"));
    return DONE;
}
