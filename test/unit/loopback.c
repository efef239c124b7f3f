/* loopback.c - the loopback HTTP server of loopback.h. */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "loopback.h"
#include "unit.h"

static apr_size_t srv_read_request(apr_socket_t *s, char *buf, apr_size_t cap)
{
    apr_size_t got = 0, want = 0;

    for (;;) {
        apr_size_t n = cap - 1 - got;
        char *head_end;

        if (n == 0 || apr_socket_recv(s, buf + got, &n) != APR_SUCCESS
            || n == 0) {
            break;
        }
        got += n;
        buf[got] = '\0';
        head_end = strstr(buf, "\r\n\r\n");
        if (head_end != NULL && want == 0) {
            const char *cl = strcasestr(buf, "\r\nContent-Length:");

            want = (apr_size_t)(head_end + 4 - buf)
                 + (cl && cl < head_end ? (apr_size_t)atol(cl + 17) : 0);
        }
        if (want != 0 && got >= want) {
            break;
        }
    }
    buf[got] = '\0';
    return got;
}

static const srv_route *srv_match(srv *sv, const char *req, int *idx)
{
    const char *sp = strchr(req, ' ');
    apr_size_t len;
    int i;

    if (sp == NULL) {
        return NULL;
    }
    for (i = 0; i < sv->nroutes; i++) {
        /* a route without a query matches whatever query is sent */
        len = strcspn(sp + 1, strchr(sv->routes[i].path, '?') ? " " : " ?");
        if (strlen(sv->routes[i].path) == len
            && strncmp(sv->routes[i].path, sp + 1, len) == 0) {
            *idx = i;
            return &sv->routes[i];
        }
    }
    return NULL;
}

static void srv_answer(srv *sv, apr_socket_t *s, apr_pool_t *cp)
{
    char *req = apr_palloc(cp, SRV_MAX_REQUEST);
    const srv_route *rt;
    srv_route copy;
    const char *out, *length;
    apr_size_t len;
    int idx = -1;

    srv_read_request(s, req, SRV_MAX_REQUEST);
    apr_thread_mutex_lock(sv->lock);
    apr_cpystrn(sv->last, req, sizeof(sv->last));
    rt = srv_match(sv, req, &idx);
    if (rt != NULL) {
        copy = *rt;
        sv->hits[idx]++;
    }
    apr_thread_mutex_unlock(sv->lock);
    if (rt == NULL) {
        memset(&copy, 0, sizeof(copy));
        copy.status = 404;
        copy.content_type = "text/plain";
        copy.body = "not found";
    }
    if (copy.delay_ms > 0) {
        apr_sleep(apr_time_from_msec(copy.delay_ms));
    }
    length = copy.no_length ? ""
           : apr_psprintf(cp, "Content-Length: %" APR_SIZE_T_FMT "\r\n",
                          copy.body ? strlen(copy.body) : 0);
    out = apr_psprintf(cp, "HTTP/1.1 %d X\r\nContent-Type: %s\r\n%s%s%s"
                       "Connection: close\r\n\r\n%s", copy.status,
                       copy.content_type ? copy.content_type : "text/plain",
                       length, copy.extra_header ? copy.extra_header : "",
                       copy.extra_header ? "\r\n" : "",
                       copy.body ? copy.body : "");
    len = strlen(out);
    apr_socket_send(s, out, &len);
}

static void *APR_THREAD_FUNC srv_main(apr_thread_t *t, void *data)
{
    srv *sv = data;

    while (!sv->stop) {
        apr_socket_t *s;
        apr_pool_t *cp;

        apr_pool_create(&cp, NULL);
        if (apr_socket_accept(&s, sv->listener, cp) == APR_SUCCESS) {
            apr_socket_timeout_set(s, apr_time_from_sec(5));
            srv_answer(sv, s, cp);
            apr_socket_close(s);
        }
        apr_pool_destroy(cp);
    }
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

apr_status_t srv_stop(void *data)
{
    srv *sv = data;
    apr_status_t rv;

    if (sv->stopped) {
        return APR_SUCCESS;
    }
    sv->stopped = 1;
    sv->stop = 1;
    apr_thread_join(&rv, sv->thread);
    apr_socket_close(sv->listener);
    return APR_SUCCESS;
}

srv *srv_start(void)
{
    srv *sv = apr_pcalloc(unit_pool, sizeof(*sv));
    apr_sockaddr_t *sa;

    sv->pool = unit_pool;
    ck_assert_int_eq(apr_sockaddr_info_get(&sa, "127.0.0.1", APR_INET, 0, 0,
                                           unit_pool), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_create(&sv->listener, APR_INET, SOCK_STREAM,
                                       APR_PROTO_TCP, unit_pool), APR_SUCCESS);
    apr_socket_opt_set(sv->listener, APR_SO_REUSEADDR, 1);
    ck_assert_int_eq(apr_socket_bind(sv->listener, sa), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_listen(sv->listener, 16), APR_SUCCESS);
    /* accept wakes up regularly to notice the stop flag */
    apr_socket_timeout_set(sv->listener, apr_time_from_msec(50));
    apr_socket_addr_get(&sa, APR_LOCAL, sv->listener);
    sv->port = sa->port;
    apr_thread_mutex_create(&sv->lock, APR_THREAD_MUTEX_DEFAULT, unit_pool);
    ck_assert_int_eq(apr_thread_create(&sv->thread, NULL, srv_main, sv,
                                       unit_pool), APR_SUCCESS);
    /* stopped before the pool frees what the thread uses, even when an
     * assertion ends the test early */
    apr_pool_pre_cleanup_register(unit_pool, sv, srv_stop);
    return sv;
}

int srv_route_add(srv *sv, const char *path, int status,
                         const char *ctype, const char *body)
{
    int i;

    apr_thread_mutex_lock(sv->lock);
    i = sv->nroutes++;
    sv->routes[i].path = path;
    sv->routes[i].status = status;
    sv->routes[i].content_type = ctype;
    sv->routes[i].body = body;
    apr_thread_mutex_unlock(sv->lock);
    return i;
}

void srv_route_set(srv *sv, int i, int status, const char *body)
{
    apr_thread_mutex_lock(sv->lock);
    sv->routes[i].status = status;
    sv->routes[i].body = body;
    apr_thread_mutex_unlock(sv->lock);
}

int srv_hits(srv *sv, int i)
{
    int n;

    apr_thread_mutex_lock(sv->lock);
    n = sv->hits[i];
    apr_thread_mutex_unlock(sv->lock);
    return n;
}

const char *srv_last(srv *sv)
{
    const char *s;

    apr_thread_mutex_lock(sv->lock);
    s = apr_pstrdup(unit_pool, sv->last);
    apr_thread_mutex_unlock(sv->lock);
    return s;
}

const char *srv_url(srv *sv, const char *path)
{
    return apr_psprintf(unit_pool, "http://127.0.0.1:%d%s", (int)sv->port,
                        path);
}

ac_http_opts http_opts(void)
{
    ac_http_opts o;

    memset(&o, 0, sizeof(o));
    o.connect_timeout = 5;
    o.timeout = 10;
    o.max_response = 65536;
    o.ca_file = NULL;
    return o;
}
