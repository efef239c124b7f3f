/*
 * loopback.h - a tiny HTTP server on 127.0.0.1, run by a thread of the
 * test, for the suites that talk to a provider (http, oauth2, oidc).  Each
 * route answers with a fixed status, content type and body; the server
 * counts hits per route and keeps the last request for inspection.
 */
#ifndef AC_UNIT_LOOPBACK_H
#define AC_UNIT_LOOPBACK_H

#include <apr_network_io.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>

#include "http.h"

#define SRV_MAX_ROUTES 8
#define SRV_MAX_REQUEST 16384

typedef struct srv_route {
    const char *path;           /* request path, query included */
    int status;
    const char *content_type;
    const char *body;           /* NULL: an empty body */
    const char *extra_header;   /* a "Name: value" line, or NULL */
    int delay_ms;               /* before answering */
    int no_length;              /* body delimited by closing the connection */
} srv_route;

typedef struct srv {
    apr_pool_t *pool;
    apr_socket_t *listener;
    apr_port_t port;
    apr_thread_t *thread;
    apr_thread_mutex_t *lock;
    srv_route routes[SRV_MAX_ROUTES];
    int hits[SRV_MAX_ROUTES];
    int nroutes;
    char last[SRV_MAX_REQUEST];  /* the last request, head and body */
    volatile int stop;
    int stopped;
} srv;

/* Listening on an ephemeral port of 127.0.0.1 until unit_pool is cleared
 * (or srv_stop is called). */
srv *srv_start(void);
apr_status_t srv_stop(void *data);
/* Returns the route's index, for srv_route_set, srv_hits and for setting
 * the other fields of sv->routes[i] directly. */
int srv_route_add(srv *sv, const char *path, int status, const char *ctype,
                  const char *body);
void srv_route_set(srv *sv, int i, int status, const char *body);
int srv_hits(srv *sv, int i);
/* The last request received, head and body, copied to unit_pool. */
const char *srv_last(srv *sv);
/* "http://127.0.0.1:PORT" + path */
const char *srv_url(srv *sv, const char *path);

/* Timeouts and size cap the network tests use unless they test them. */
ac_http_opts http_opts(void);

#endif
