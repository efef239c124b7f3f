/*
 * http.h - outbound HTTP to providers over libcurl: connect and total
 * timeouts, a response size cap, TLS verification always on, connections
 * reused within a process.
 */
#ifndef AC_HTTP_H
#define AC_HTTP_H

#include "util.h"

/* Told of each request that was sent (not of one refused before sending):
 * the method, the URL as ac_url_for_log gives it, the status (0 when the
 * transfer failed, with `err` saying why) and the time it took.  The glue
 * logs it; the core itself never logs. */
typedef void (*ac_http_observer)(void *ctx, const char *method, const char *url,
                                 long status, const ac_error *err,
                                 apr_interval_time_t took);

typedef struct ac_http_opts {
    int connect_timeout;        /* seconds */
    int timeout;                /* seconds, whole exchange */
    apr_size_t max_response;    /* bytes of body */
    const char *ca_file;        /* NULL: system trust store */
    ac_http_observer observe;   /* NULL: nobody is told */
    void *observe_ctx;
} ac_http_opts;

typedef struct ac_http_response {
    long status;
    const char *content_type;   /* may be NULL */
    char *body;                 /* NUL-terminated */
    apr_size_t len;
} ac_http_response;

/* A process's shared DNS and connection cache (kept in core_state.h,
 * which decides when it is made and ended); requests use it when it
 * belongs to the calling process. */
typedef struct ac_http_share ac_http_share;
ac_error *ac_http_share_create(apr_pool_t *pproc, ac_http_share **out);
void ac_http_share_destroy(ac_http_share *hs);    /* NULL: nothing */

/*
 * One request.  `headers` (may be NULL) are sent as given; `body` is NULL for
 * GET, else sent with `content_type`.  A transport failure, timeout or a
 * body over the cap is an error (codes "http_transport", "http_timeout",
 * "http_too_large") whose message names the URL without its query.  A URL
 * that is neither https nor http to a loopback host is refused
 * ("http_insecure"), whether configured or taken from discovery.  Any HTTP
 * status is returned as a response, not an error.
 */
ac_error *ac_http_request(apr_pool_t *p, const ac_http_opts *o,
                          const char *method, const char *url,
                          const apr_table_t *headers,
                          const char *content_type, const char *body,
                          ac_http_response *resp);

#endif
