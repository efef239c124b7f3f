/*
 * outbound.c - the HTTP options of a request's calls to providers, with an
 * observer that logs each call at debug: method, endpoint (no query, no
 * userinfo), status and time.  The core sends and never logs; this is how
 * an operator sees which endpoints one login called, a JWKS refetched, or
 * a discovery document served from the per-process copy (no line at all).
 */
#include "auth_client.h"

static void log_call(void *ctx, const char *method, const char *url,
                     long status, const ac_error *err, apr_interval_time_t took)
{
    request_rec *r = ctx;

    if (err != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, ACLOGNO(01047)
                      "%s: outbound %s %s failed "
                      "after %" APR_TIME_T_FMT " ms [%s]", AC_LOG_TAG, method,
                      url, apr_time_as_msec(took), err->code);
        return;
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, ACLOGNO(01048)
                  "%s: outbound %s %s: HTTP %ld "
                  "in %" APR_TIME_T_FMT " ms", AC_LOG_TAG, method, url, status,
                  apr_time_as_msec(took));
}

void ac_request_http_opts(request_rec *r, ac_http_opts *o)
{
    ac_conf_http_opts(ac_sconf(r->server), o);
    if (APLOGrdebug(r)) {
        o->observe = log_call;
        o->observe_ctx = r;
    }
}
