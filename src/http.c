/*
 * http.c - outbound HTTP to providers over libcurl.
 *
 * Every request gets its own easy handle (released by a pool cleanup), but
 * all handles of a process share one CURLSH holding the DNS cache and the
 * connection cache, so the threads of a worker MPM reuse TLS connections to
 * the same provider instead of paying a handshake per login.
 *
 * The policy is fixed here rather than configurable: TLS peer and host name
 * verification are always on, only http and https are spoken, redirects are
 * never followed (a provider endpoint that redirects is a configuration
 * error, and following would let a compromised endpoint steer the request,
 * with its credentials, elsewhere).
 */
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <apr_thread_mutex.h>

#include "core_state.h"
#include "http.h"
#include "url.h"

#define AC_HTTP_USER_AGENT "mod_auth_client/0.1"

/* First allocation for a body whose size the server did not announce. */
#define AC_HTTP_INITIAL_BUF 4096

/* The process's share handle and the locks curl asks for; the process
 * record (core_state.h) holds the one in use and decides when it is made
 * and ended. */
struct ac_http_share {
    CURLSH *share;
#if APR_HAS_THREADS
    apr_thread_mutex_t *locks[CURL_LOCK_DATA_LAST];
#endif
};

#if APR_HAS_THREADS
static void share_lock(CURL *handle, curl_lock_data data,
                       curl_lock_access access, void *userptr)
{
    ac_http_share *hs = userptr;

    (void)handle;
    (void)access;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST && hs->locks[data]) {
        apr_thread_mutex_lock(hs->locks[data]);
    }
}

static void share_unlock(CURL *handle, curl_lock_data data, void *userptr)
{
    ac_http_share *hs = userptr;

    (void)handle;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST && hs->locks[data]) {
        apr_thread_mutex_unlock(hs->locks[data]);
    }
}
#endif

static ac_error *share_setup(apr_pool_t *pproc, ac_http_share *hs)
{
    CURLSHcode rc;

    hs->share = curl_share_init();
    if (hs->share == NULL) {
        return ac_error_make(pproc, AC_E_HTTP_INIT,
                             "libcurl could not create a share handle");
    }
#if APR_HAS_THREADS
    {
        int i;

        for (i = 0; i < CURL_LOCK_DATA_LAST; i++) {
            if (apr_thread_mutex_create(&hs->locks[i], APR_THREAD_MUTEX_DEFAULT,
                                        pproc) != APR_SUCCESS) {
                return ac_error_make(pproc, AC_E_HTTP_INIT,
                                     "could not create the libcurl share lock");
            }
        }
    }
    curl_share_setopt(hs->share, CURLSHOPT_LOCKFUNC, share_lock);
    curl_share_setopt(hs->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_share_setopt(hs->share, CURLSHOPT_USERDATA, hs);
#endif
    rc = curl_share_setopt(hs->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    if (rc == CURLSHE_OK) {
        rc = curl_share_setopt(hs->share, CURLSHOPT_SHARE,
                               CURL_LOCK_DATA_CONNECT);
    }
    if (rc != CURLSHE_OK) {
        return ac_error_make(pproc, AC_E_HTTP_INIT,
                             "libcurl cannot share connections: %s",
                             curl_share_strerror(rc));
    }
    return NULL;
}

ac_error *ac_http_share_create(apr_pool_t *pproc, ac_http_share **out)
{
    ac_http_share *hs;
    ac_error *err;

    *out = NULL;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return ac_error_make(pproc, AC_E_HTTP_INIT,
                             "libcurl global initialisation failed");
    }
    hs = apr_pcalloc(pproc, sizeof(*hs));
    err = share_setup(pproc, hs);
    if (err != NULL) {
        ac_http_share_destroy(hs);
        return err;
    }
    *out = hs;
    return NULL;
}

void ac_http_share_destroy(ac_http_share *hs)
{
    if (hs == NULL) {
        return;
    }
    if (hs->share != NULL) {
        curl_share_cleanup(hs->share);
    }
    curl_global_cleanup();
}

/* ---- one request -------------------------------------------------------- */

typedef struct http_sink {
    char *buf;
    apr_size_t len;
    apr_size_t cap;
    apr_size_t max;
    int too_large;
    apr_pool_t *p;
} http_sink;

typedef struct http_handle {
    CURL *curl;
    struct curl_slist *headers;
} http_handle;

static apr_status_t http_handle_cleanup(void *data)
{
    http_handle *hh = data;

    if (hh->curl != NULL) {
        curl_easy_cleanup(hh->curl);
        hh->curl = NULL;
    }
    if (hh->headers != NULL) {
        curl_slist_free_all(hh->headers);
        hh->headers = NULL;
    }
    return APR_SUCCESS;
}

/* Grows the buffer in the pool by doubling, so the waste stays below the
 * cap; refuses (and thereby aborts the transfer) once the cap is passed. */
static size_t sink_write(char *data, size_t size, size_t nmemb, void *userp)
{
    http_sink *s = userp;
    apr_size_t n = size * nmemb;

    if (n > s->max || s->len > s->max - n) {
        s->too_large = 1;
        return 0;
    }
    if (s->len + n + 1 > s->cap) {
        apr_size_t cap = s->cap ? s->cap : AC_HTTP_INITIAL_BUF;
        char *nbuf;

        while (cap < s->len + n + 1) {
            cap *= 2;
        }
        if (cap > s->max + 1) {
            cap = s->max + 1;
        }
        nbuf = apr_palloc(s->p, cap);
        if (s->len > 0) {
            memcpy(nbuf, s->buf, s->len);
        }
        s->buf = nbuf;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    return n;
}

static ac_error *build_headers(apr_pool_t *p, http_handle *hh,
                               const apr_table_t *headers,
                               const char *content_type)
{
    struct curl_slist *n;

    if (headers != NULL) {
        const apr_array_header_t *arr = apr_table_elts(headers);
        const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
        int i;

        for (i = 0; i < arr->nelts; i++) {
            if (e[i].key == NULL || e[i].val == NULL) {
                continue;
            }
            n = curl_slist_append(hh->headers,
                                  apr_pstrcat(p, e[i].key, ": ", e[i].val,
                                              NULL));
            if (n == NULL) {
                return ac_error_make(p, AC_E_HTTP_INIT,
                                     "out of memory building request headers");
            }
            hh->headers = n;
        }
    }
    if (content_type != NULL) {
        n = curl_slist_append(hh->headers,
                              apr_pstrcat(p, "Content-Type: ", content_type,
                                          NULL));
        if (n == NULL) {
            return ac_error_make(p, AC_E_HTTP_INIT,
                                 "out of memory building request headers");
        }
        hh->headers = n;
    }
    /* A POST of a few hundred bytes should not wait for "100 Continue". */
    n = curl_slist_append(hh->headers, "Expect:");
    if (n == NULL) {
        return ac_error_make(p, AC_E_HTTP_INIT,
                             "out of memory building request headers");
    }
    hh->headers = n;
    return NULL;
}

static CURLcode set_protocols(CURL *c)
{
    CURLcode rc;

#if LIBCURL_VERSION_NUM >= 0x075500
    rc = curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (rc == CURLE_OK) {
        rc = curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    }
#else
    rc = curl_easy_setopt(c, CURLOPT_PROTOCOLS,
                          (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    if (rc == CURLE_OK) {
        rc = curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS,
                              (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    }
#endif
    return rc;
}

/* The fixed policy plus this call's limits; any failure here means the
 * libcurl build lacks something we insist on, so it is not ignored. */
static CURLcode set_policy(CURL *c, const ac_http_opts *o)
{
    CURLcode rc = CURLE_OK;

#define AC_SETOPT(opt, val) \
    if (rc == CURLE_OK) rc = curl_easy_setopt(c, opt, val)
    AC_SETOPT(CURLOPT_NOSIGNAL, 1L);
    AC_SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
    AC_SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
    AC_SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
    AC_SETOPT(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    AC_SETOPT(CURLOPT_CONNECTTIMEOUT, (long)(o->connect_timeout > 0
                                             ? o->connect_timeout : 0));
    AC_SETOPT(CURLOPT_TIMEOUT, (long)(o->timeout > 0 ? o->timeout : 0));
    AC_SETOPT(CURLOPT_USERAGENT, AC_HTTP_USER_AGENT);
    AC_SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_response);
    if (o->ca_file != NULL && *o->ca_file != '\0') {
        AC_SETOPT(CURLOPT_CAINFO, o->ca_file);
    }
#undef AC_SETOPT
    if (rc == CURLE_OK) {
        rc = set_protocols(c);
    }
    return rc;
}

static CURLcode set_method(CURL *c, const char *method, const char *body)
{
    CURLcode rc = CURLE_OK;

    /* libcurl sends a POST without fields as a GET: give it an empty body */
    if (body == NULL && strcmp(method, "POST") == 0) {
        body = "";
    }
    if (body != NULL) {
        rc = curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                              (curl_off_t)strlen(body));
        if (rc == CURLE_OK) {
            rc = curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        }
    }
    else if (strcmp(method, "GET") == 0) {
        rc = curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    if (rc == CURLE_OK && strcmp(method, "GET") != 0
        && strcmp(method, "POST") != 0) {
        rc = curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    }
    return rc;
}

static ac_error *transfer_error(apr_pool_t *p, CURLcode rc,
                                const http_sink *sink, const char *errbuf,
                                const char *url)
{
    const char *what = *errbuf ? errbuf : curl_easy_strerror(rc);
    const char *where = ac_url_for_log(p, url);

    if (sink->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        return ac_error_make(p, AC_E_HTTP_TOO_LARGE,
                             "the response from %s is larger than %"
                             APR_SIZE_T_FMT " bytes", where, sink->max);
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        return ac_error_make(p, AC_E_HTTP_TIMEOUT,
                             "request to %s timed out: %s", where, what);
    }
    return ac_error_make(p, AC_E_HTTP_TRANSPORT,
                         "request to %s failed: %s", where, what);
}

static void tell(apr_pool_t *p, const ac_http_opts *o, const char *method,
                 const char *url, long status, const ac_error *err,
                 apr_time_t started)
{
    if (o->observe != NULL) {
        o->observe(o->observe_ctx, method, ac_url_for_log(p, url), status, err,
                   apr_time_now() - started);
    }
}

ac_error *ac_http_request(apr_pool_t *p, const ac_http_opts *o,
                          const char *method, const char *url,
                          const apr_table_t *headers,
                          const char *content_type, const char *body,
                          ac_http_response *resp)
{
    char errbuf[CURL_ERROR_SIZE];
    http_handle *hh;
    http_sink sink;
    ac_error *err;
    CURLcode rc;
    char *ct = NULL;
    apr_time_t started;

    memset(resp, 0, sizeof(*resp));
    memset(&sink, 0, sizeof(sink));
    sink.p = p;
    sink.max = o->max_response;
    errbuf[0] = '\0';

    /* every outbound URL passes here, discovered endpoints included */
    if (!ac_url_is_secure_or_loopback(p, url)) {
        return ac_error_make(p, AC_E_HTTP_INSECURE,
                             "refusing to send a request to %s: only https "
                             "(or http to this host) may carry credentials",
                             ac_url_for_log(p, url));
    }
    hh = apr_pcalloc(p, sizeof(*hh));
    hh->curl = curl_easy_init();
    if (hh->curl == NULL) {
        return ac_error_make(p, AC_E_HTTP_INIT,
                             "libcurl could not create a handle for %s",
                             ac_url_for_log(p, url));
    }
    apr_pool_cleanup_register(p, hh, http_handle_cleanup,
                              apr_pool_cleanup_null);

    err = build_headers(p, hh, headers, body != NULL ? content_type : NULL);
    if (err != NULL) {
        apr_pool_cleanup_run(p, hh, http_handle_cleanup);
        return err;
    }
    rc = set_policy(hh->curl, o);
    if (rc == CURLE_OK) {
        rc = curl_easy_setopt(hh->curl, CURLOPT_URL, url);
    }
    if (rc == CURLE_OK) {
        rc = set_method(hh->curl, method, body);
    }
    if (rc == CURLE_OK && ac_core.http != NULL && ac_core.pid == getpid()) {
        rc = curl_easy_setopt(hh->curl, CURLOPT_SHARE, ac_core.http->share);
    }
    started = apr_time_now();
    if (rc == CURLE_OK) {
        curl_easy_setopt(hh->curl, CURLOPT_HTTPHEADER, hh->headers);
        curl_easy_setopt(hh->curl, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(hh->curl, CURLOPT_WRITEFUNCTION, sink_write);
        curl_easy_setopt(hh->curl, CURLOPT_WRITEDATA, &sink);
        rc = curl_easy_perform(hh->curl);
    }
    if (rc != CURLE_OK) {
        err = transfer_error(p, rc, &sink, errbuf, url);
        apr_pool_cleanup_run(p, hh, http_handle_cleanup);
        tell(p, o, method, url, 0, err, started);
        return err;
    }

    curl_easy_getinfo(hh->curl, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_easy_getinfo(hh->curl, CURLINFO_CONTENT_TYPE, &ct);
    resp->content_type = ct ? apr_pstrdup(p, ct) : NULL;
    resp->body = sink.buf ? sink.buf : apr_pcalloc(p, 1);
    resp->body[sink.len] = '\0';
    resp->len = sink.len;
    /* Release now: the connection lives on in the share, not the handle. */
    apr_pool_cleanup_run(p, hh, http_handle_cleanup);
    tell(p, o, method, url, resp->status, NULL, started);
    return NULL;
}
