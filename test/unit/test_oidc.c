/*
 * test_oidc.c - the token response parser, the authorization URL, and the
 * network steps (http.c, discovery, JWKS cache, token request, API call)
 * against a tiny HTTP server on 127.0.0.1 run by a thread of this test.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_base64.h>
#include <apr_network_io.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>

#include "jose.h"
#include "oidc.h"
#include "unit.h"

/* ---- a loopback HTTP server --------------------------------------------- */

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

static apr_status_t srv_stop(void *data)
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

static srv *srv_start(void)
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

static int srv_route_add(srv *sv, const char *path, int status,
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

static void srv_route_set(srv *sv, int i, int status, const char *body)
{
    apr_thread_mutex_lock(sv->lock);
    sv->routes[i].status = status;
    sv->routes[i].body = body;
    apr_thread_mutex_unlock(sv->lock);
}

static int srv_hits(srv *sv, int i)
{
    int n;

    apr_thread_mutex_lock(sv->lock);
    n = sv->hits[i];
    apr_thread_mutex_unlock(sv->lock);
    return n;
}

static const char *srv_last(srv *sv)
{
    const char *s;

    apr_thread_mutex_lock(sv->lock);
    s = apr_pstrdup(unit_pool, sv->last);
    apr_thread_mutex_unlock(sv->lock);
    return s;
}

static const char *srv_url(srv *sv, const char *path)
{
    return apr_psprintf(unit_pool, "http://127.0.0.1:%d%s", (int)sv->port,
                        path);
}

static ac_http_opts http_opts(void)
{
    ac_http_opts o;

    o.connect_timeout = 5;
    o.timeout = 10;
    o.max_response = 65536;
    o.ca_file = NULL;
    return o;
}

static void http_fixture_setup(void)
{
    unit_setup();
    ck_assert_ptr_null(ac_http_process_init(unit_pool));
    ck_assert_ptr_null(ac_oidc_process_init(unit_pool));
}

/* ---- token responses ---------------------------------------------------- */

static ac_error *parse(long status, const char *ctype, const char *body,
                       ac_token_response *tr)
{
    ac_http_response r;

    r.status = status;
    r.content_type = ctype;
    r.body = apr_pstrdup(unit_pool, body);
    r.len = strlen(body);
    return ac_token_response_parse(unit_pool, &r, tr);
}

static void parse_fails(long status, const char *ctype, const char *body,
                        const char *code)
{
    ac_token_response tr;
    ac_error *err = parse(status, ctype, body, &tr);

    ck_assert_msg(err != NULL, "accepted, expected %s", code);
    ck_assert_msg(strcmp(err->code, code) == 0, "got %s (%s), expected %s",
                  err->code, err->message, code);
}

START_TEST(token_json)
{
    ac_token_response tr;

    ck_assert_ptr_null(parse(200, "application/json; charset=utf-8",
                             "{\"access_token\":\"at-1\","
                             "\"token_type\":\"Bearer\",\"expires_in\":3600,"
                             "\"id_token\":\"h.p.s\","
                             "\"refresh_token\":\"rt-1\",\"scope\":\"openid\"}",
                             &tr));
    ck_assert_str_eq(tr.access_token, "at-1");
    ck_assert_str_eq(tr.token_type, "Bearer");
    ck_assert_str_eq(tr.id_token, "h.p.s");
    ck_assert_str_eq(tr.refresh_token, "rt-1");
    ck_assert_int_eq(tr.expires_in, 3600);
    ck_assert_str_eq(ac_json_string(tr.raw, "scope"), "openid");
}
END_TEST

#define GH_TOKEN "e72e16c7e42f292c6912e7710c838347ae178b4a"

START_TEST(token_form)
{
    ac_token_response tr;

    ck_assert_ptr_null(parse(200, "application/x-www-form-urlencoded",
                             "access_token=" GH_TOKEN
                             "&scope=user%2Cgist&token_type=bearer", &tr));
    ck_assert_str_eq(tr.access_token, GH_TOKEN);
    ck_assert_str_eq(tr.token_type, "Bearer");
    ck_assert_ptr_null(tr.id_token);
    ck_assert_str_eq(ac_json_string(tr.raw, "scope"), "user,gist");

    /* a form under a content type that does not say so */
    ck_assert_ptr_null(parse(200, "text/plain",
                             "access_token=abc&expires=5183999&expires_in=60",
                             &tr));
    ck_assert_str_eq(tr.access_token, "abc");
    ck_assert_int_eq(tr.expires_in, 60);
}
END_TEST

START_TEST(token_error_in_200)
{
    ac_token_response tr;
    ac_error *err;

    err = parse(200, "application/x-www-form-urlencoded",
                "error=bad_verification_code&error_description=The+code+"
                "passed+is+incorrect+or+expired.&error_uri=https%3A%2F%2F"
                "docs.github.com%2Fapps", &tr);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "token_error");
    ck_assert_ptr_nonnull(strstr(err->message, "bad_verification_code"));
    ck_assert_ptr_nonnull(strstr(err->message, "incorrect or expired"));

    /* the same without a content type, and as JSON */
    parse_fails(200, NULL, "error=bad_verification_code", "token_error");
    parse_fails(200, "application/json",
                "{\"error\":\"invalid_grant\",\"access_token\":\"x\"}",
                "token_error");
    parse_fails(200, "application/json", "{\"error\":{\"x\":1}}",
                "token_error");
}
END_TEST

START_TEST(token_type_rules)
{
    ac_token_response tr;

    ck_assert_ptr_null(parse(200, "application/json",
                             "{\"access_token\":\"at\"}", &tr));
    ck_assert_str_eq(tr.token_type, "Bearer");
    ck_assert_int_eq(tr.expires_in, 0);
    ck_assert_ptr_null(parse(200, "application/json",
                             "{\"access_token\":\"at\","
                             "\"token_type\":\"BEARER\"}", &tr));
    parse_fails(200, "application/json",
                "{\"access_token\":\"at\",\"token_type\":\"mac\"}",
                "token_type_unsupported");
    parse_fails(200, "application/json",
                "{\"access_token\":\"at\",\"token_type\":\"DPoP\"}",
                "token_type_unsupported");
}
END_TEST

START_TEST(token_http_status)
{
    ac_token_response tr;
    ac_error *err;

    err = parse(400, "application/json",
                "{\"error\":\"invalid_grant\","
                "\"error_description\":\"code used\","
                "\"echo\":\"s3cr3t-value\"}", &tr);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "token_http_status");
    ck_assert_ptr_nonnull(strstr(err->message, "400"));
    ck_assert_ptr_nonnull(strstr(err->message, "invalid_grant"));
    ck_assert_ptr_null(strstr(err->message, "s3cr3t"));

    /* a success body under an error status is still an error */
    parse_fails(302, "application/json", "{\"access_token\":\"at\"}",
                "token_http_status");
    err = parse(500, "text/html", "<html>access_token=leak</html>", &tr);
    ck_assert_str_eq(err->code, "token_http_status");
    ck_assert_ptr_null(strstr(err->message, "leak"));
}
END_TEST

START_TEST(token_missing_or_malformed)
{
    parse_fails(200, "application/json", "{\"token_type\":\"Bearer\"}",
                "token_missing_access_token");
    parse_fails(200, "application/json", "{\"access_token\":\"\"}",
                "token_missing_access_token");
    parse_fails(200, "application/json", "{\"access_token\":42}",
                "token_malformed");
    parse_fails(200, "application/json", "{\"access_token\": \"x\"",
                "token_malformed");
    parse_fails(200, "application/json", "[\"access_token\"]",
                "token_malformed");
    parse_fails(200, "application/json", "", "token_malformed");
    parse_fails(200, "application/x-www-form-urlencoded",
                "access_token=a&access_token=b", "token_malformed");
    parse_fails(200, "application/x-www-form-urlencoded",
                "access_token=%zz", "token_malformed");
}
END_TEST

/* ---- the authorization URL ---------------------------------------------- */

/* RFC 7636 Appendix B */
#define PKCE_VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define PKCE_CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

static ac_provider *oidc_provider(void)
{
    ac_provider *pv = ac_provider_create(unit_pool, "idp", "test.conf:1");

    pv->client_id = "client 1";
    pv->client_secret = "s3cret:&=";
    pv->scope = "openid email";
    return pv;
}

START_TEST(authorize_url)
{
    ac_provider *pv = oidc_provider();
    char *u;

    u = ac_oauth2_authorize_url(unit_pool, pv, "https://idp.example/authorize",
                                "https://app.example/auth/callback?x=1&y",
                                "st-1", "no-1", PKCE_VERIFIER);
    ck_assert_msg(strncmp(u, "https://idp.example/authorize?", 30) == 0,
                  "%s", u);
    ck_assert_ptr_nonnull(strstr(u, "response_type=code"));
    ck_assert_ptr_nonnull(strstr(u, "&client_id=client%201&"));
    ck_assert_ptr_nonnull(strstr(u, "&redirect_uri=https%3A%2F%2Fapp.example"
                                    "%2Fauth%2Fcallback%3Fx%3D1%26y&"));
    ck_assert_ptr_nonnull(strstr(u, "&scope=openid%20email&"));
    ck_assert_ptr_nonnull(strstr(u, "&state=st-1"));
    ck_assert_ptr_nonnull(strstr(u, "&nonce=no-1"));
    ck_assert_ptr_nonnull(strstr(u, "&code_challenge=" PKCE_CHALLENGE));
    ck_assert_ptr_nonnull(strstr(u, "&code_challenge_method=S256"));
    ck_assert_ptr_null(strstr(u, PKCE_VERIFIER));
}
END_TEST

START_TEST(authorize_url_options)
{
    ac_provider *pv = oidc_provider();
    char *u;

    pv->authorize_params = "prompt=login&access_type=offline";
    u = ac_oauth2_authorize_url(unit_pool, pv,
                                "https://idp.example/authorize?tenant=t1",
                                "https://app.example/cb", "st", NULL, "");
    ck_assert_msg(strncmp(u, "https://idp.example/authorize?tenant=t1&"
                             "response_type=code&", 59) == 0, "%s", u);
    ck_assert_ptr_null(strstr(u, "nonce="));
    ck_assert_ptr_null(strstr(u, "code_challenge"));
    ck_assert_msg(strstr(u, "&prompt=login&access_type=offline") != NULL,
                  "%s", u);

    /* an OAuth 2.0 provider without a scope sends none */
    pv = ac_provider_create(unit_pool, "gh", "test.conf:2");
    pv->client_id = "c";
    pv->authorize_url = "https://github.example/login/oauth/authorize";
    pv->access_token_url = "https://github.example/login/oauth/access_token";
    u = ac_oauth2_authorize_url(unit_pool, pv, pv->authorize_url,
                                "https://app.example/cb", "st", NULL, NULL);
    ck_assert_ptr_null(strstr(u, "scope="));
}
END_TEST

/* ---- metadata without the network --------------------------------------- */

START_TEST(metadata_explicit)
{
    ac_http_opts h = http_opts();
    ac_provider *pv = oidc_provider();
    const ac_oidc_metadata *md;
    const char *warning = NULL;
    ac_error *err;

    pv->issuer = "https://idp.example";
    pv->authorize_url = "https://idp.example/authorize";
    pv->access_token_url = "https://idp.example/token";
    pv->jwks_uri = "https://idp.example/jwks";
    ck_assert_ptr_null(ac_oidc_metadata_get(unit_pool, &h, pv, 60, &md,
                                            &warning));
    ck_assert_str_eq(md->issuer, "https://idp.example");
    ck_assert_str_eq(md->token_endpoint, "https://idp.example/token");
    ck_assert_ptr_null(md->userinfo_endpoint);
    ck_assert_int_eq(md->iss_parameter_supported, 0);
    ck_assert_ptr_null(warning);

    pv->jwks_uri = NULL;
    err = ac_oidc_metadata_get(unit_pool, &h, pv, 60, &md, &warning);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "oidc_metadata_incomplete");
    ck_assert_ptr_nonnull(strstr(err->message, "jwks_uri"));

    /* HS-only providers do without a JWKS */
    pv->id_token_algs = apr_array_make(unit_pool, 1, sizeof(char *));
    APR_ARRAY_PUSH(pv->id_token_algs, const char *) = "HS256";
    ck_assert_ptr_null(ac_oidc_metadata_get(unit_pool, &h, pv, 60, &md, NULL));

    pv->access_token_url = NULL;
    err = ac_oidc_metadata_get(unit_pool, &h, pv, 60, &md, NULL);
    ck_assert_str_eq(err->code, "oidc_metadata_incomplete");
}
END_TEST

/* ---- HTTP --------------------------------------------------------------- */

START_TEST(http_basic_get)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    ac_http_response r;
    apr_table_t *hdrs = apr_table_make(unit_pool, 1);

    srv_route_add(sv, "/doc?a=1", 200, "application/json", "{\"ok\":true}");
    apr_table_set(hdrs, "X-Test", "yes");
    ck_assert_ptr_null(ac_http_request(unit_pool, &h, "GET",
                                       srv_url(sv, "/doc?a=1"), hdrs, NULL,
                                       NULL, &r));
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.content_type, "application/json");
    ck_assert_str_eq(r.body, "{\"ok\":true}");
    ck_assert_int_eq(r.len, 11);
    ck_assert_ptr_nonnull(strstr(srv_last(sv), "\r\nX-Test: yes\r\n"));
    ck_assert_ptr_nonnull(strstr(srv_last(sv),
                                 "\r\nUser-Agent: mod_auth_client/0.1\r\n"));
    /* a second call reuses the process setup (idempotent init) */
    ck_assert_ptr_null(ac_http_process_init(unit_pool));
    ck_assert_ptr_null(ac_http_request(unit_pool, &h, "GET",
                                       srv_url(sv, "/missing"), NULL, NULL,
                                       NULL, &r));
    ck_assert_int_eq(r.status, 404);
}
END_TEST

START_TEST(http_post_and_redirect)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    ac_http_response r;
    int i;

    i = srv_route_add(sv, "/moved", 302, "text/plain", "");
    sv->routes[i].extra_header = "Location: http://127.0.0.1:1/elsewhere";
    ck_assert_ptr_null(ac_http_request(unit_pool, &h, "POST",
                                       srv_url(sv, "/moved"), NULL,
                                       "application/x-www-form-urlencoded",
                                       "a=1&b=2", &r));
    /* not followed: the caller sees the 302 */
    ck_assert_int_eq(r.status, 302);
    ck_assert_int_eq(r.len, 0);
    ck_assert_str_eq(r.body, "");
    ck_assert_ptr_nonnull(strstr(srv_last(sv), "POST /moved HTTP/1.1\r\n"));
    ck_assert_ptr_nonnull(strstr(srv_last(sv), "\r\nContent-Type: "
                                 "application/x-www-form-urlencoded\r\n"));
    ck_assert_ptr_nonnull(strstr(srv_last(sv), "\r\n\r\na=1&b=2"));
}
END_TEST

START_TEST(http_too_large)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    ac_http_response r;
    char *big = apr_palloc(unit_pool, 5001);
    ac_error *err;
    int i;

    memset(big, 'x', 5000);
    big[5000] = '\0';
    srv_route_add(sv, "/big", 200, "text/plain", big);
    h.max_response = 4999;
    err = ac_http_request(unit_pool, &h, "GET", srv_url(sv, "/big?token=abc"),
                          NULL, NULL, NULL, &r);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "http_too_large");
    ck_assert_ptr_nonnull(strstr(err->message, "/big"));
    ck_assert_ptr_null(strstr(err->message, "token=abc"));
    h.max_response = 5000;
    ck_assert_ptr_null(ac_http_request(unit_pool, &h, "GET",
                                       srv_url(sv, "/big"), NULL, NULL, NULL,
                                       &r));
    ck_assert_int_eq(r.len, 5000);
    ck_assert_int_eq(strspn(r.body, "x"), 5000);

    /* without a Content-Length only counting the body can stop it */
    i = srv_route_add(sv, "/stream", 200, "text/plain", big);
    sv->routes[i].no_length = 1;
    h.max_response = 4999;
    err = ac_http_request(unit_pool, &h, "GET", srv_url(sv, "/stream"),
                          NULL, NULL, NULL, &r);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "http_too_large");
    h.max_response = 5000;
    ck_assert_ptr_null(ac_http_request(unit_pool, &h, "GET",
                                       srv_url(sv, "/stream"), NULL, NULL,
                                       NULL, &r));
    ck_assert_int_eq(r.len, 5000);
}
END_TEST

START_TEST(http_timeout)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    ac_http_response r;
    ac_error *err;
    int i;

    i = srv_route_add(sv, "/slow", 200, "text/plain", "late");
    sv->routes[i].delay_ms = 2500;
    h.timeout = 1;
    err = ac_http_request(unit_pool, &h, "GET", srv_url(sv, "/slow?code=x"),
                          NULL, NULL, NULL, &r);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "http_timeout");
    ck_assert_ptr_null(strstr(err->message, "code=x"));
}
END_TEST

START_TEST(http_transport_errors)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    ac_http_response r;
    ac_error *err;
    const char *closed;

    /* a port nobody listens on: take ours, then stop listening */
    closed = srv_url(sv, "/x?secret=1");
    srv_stop(sv);
    err = ac_http_request(unit_pool, &h, "GET", closed, NULL, NULL, NULL, &r);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "http_transport");
    ck_assert_ptr_nonnull(strstr(err->message, "http://127.0.0.1:"));
    ck_assert_ptr_null(strstr(err->message, "secret"));

    /* only http and https are spoken */
    err = ac_http_request(unit_pool, &h, "GET", "file:///etc/passwd", NULL,
                          NULL, NULL, &r);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "http_transport");
    err = ac_http_request(unit_pool, &h, "GET", "ftp://127.0.0.1/x", NULL,
                          NULL, NULL, &r);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "http_transport");

    /* user:password never reaches a message */
    err = ac_http_request(unit_pool, &h, "GET", "gopher://user:pw@127.0.0.1/",
                          NULL, NULL, NULL, &r);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_null(strstr(err->message, "pw"));
}
END_TEST

#define WK "/.well-known/openid-configuration"

/* ---- discovery and JWKS ------------------------------------------------- */

static ac_error *md_get(const ac_provider *pv, int ttl,
                        const ac_oidc_metadata **md, const char **warning)
{
    ac_http_opts h = http_opts();

    return ac_oidc_metadata_get(unit_pool, &h, pv, ttl, md, warning);
}

static const char *discovery_doc(srv *sv, const char *issuer)
{
    return apr_psprintf(unit_pool,
                        "{\"issuer\":\"%s\","
                        "\"authorization_endpoint\":\"%s\","
                        "\"token_endpoint\":\"%s\","
                        "\"userinfo_endpoint\":\"%s\","
                        "\"jwks_uri\":\"%s\","
                        "\"end_session_endpoint\":\"%s\","
                        "\"authorization_response_iss_parameter_supported\""
                        ":true}", issuer, srv_url(sv, "/authorize"),
                        srv_url(sv, "/token"), srv_url(sv, "/userinfo"),
                        srv_url(sv, "/jwks"), srv_url(sv, "/logout"));
}

START_TEST(discovery_and_overrides)
{
    srv *sv = srv_start();
    ac_provider *pv = oidc_provider();
    const ac_oidc_metadata *md;
    const char *warning = NULL;
    int i;

    i = srv_route_add(sv, WK, 200,
                      "application/json", discovery_doc(sv, srv_url(sv, "")));
    pv->server_metadata_url = srv_url(sv, WK);
    pv->authorize_url = "https://override.example/authorize";
    ck_assert_ptr_null(md_get(pv, 300, &md, &warning));
    ck_assert_str_eq(md->issuer, srv_url(sv, ""));
    ck_assert_str_eq(md->authorization_endpoint,
                     "https://override.example/authorize");
    ck_assert_str_eq(md->token_endpoint, srv_url(sv, "/token"));
    ck_assert_str_eq(md->userinfo_endpoint, srv_url(sv, "/userinfo"));
    ck_assert_str_eq(md->jwks_uri, srv_url(sv, "/jwks"));
    ck_assert_str_eq(md->end_session_endpoint, srv_url(sv, "/logout"));
    ck_assert_int_eq(md->iss_parameter_supported, 1);
    ck_assert_ptr_null(warning);
    ck_assert_ptr_nonnull(strstr(srv_last(sv), "\r\nAccept: application/json"));

    /* within the ttl: served from the process cache */
    ck_assert_ptr_null(md_get(pv, 300, &md, &warning));
    ck_assert_int_eq(srv_hits(sv, i), 1);
}
END_TEST

START_TEST(discovery_issuer_rules)
{
    srv *sv = srv_start();
    ac_provider *pv = oidc_provider();
    const ac_oidc_metadata *md;
    ac_error *err;

    srv_route_add(sv, "/a" WK, 200,
                  "application/json",
                  discovery_doc(sv, "https://evil.example/a"));
    srv_route_add(sv, "/b" WK, 200,
                  "application/json", discovery_doc(sv, srv_url(sv, "/b/")));
    srv_route_add(sv, "/c" WK, 200,
                  "application/json", "[1,2]");
    srv_route_add(sv, "/d" WK, 200,
                  "application/json", "{\"authorization_endpoint\":\"x\"}");
    srv_route_add(sv, "/e" WK, 500,
                  "application/json", "{}");

    pv->server_metadata_url = srv_url(sv, "/a" WK);
    err = md_get(pv, 300, &md, NULL);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "oidc_discovery_issuer");

    /* the configured issuer wins over the derived one */
    pv->issuer = "https://evil.example/a";
    ck_assert_ptr_null(md_get(pv, 300, &md, NULL));
    ck_assert_str_eq(md->issuer, "https://evil.example/a");
    pv->issuer = NULL;

    /* a terminating '/' is dropped when the URL is built (Discovery 4.1) */
    pv->server_metadata_url = srv_url(sv, "/b" WK);
    ck_assert_ptr_null(md_get(pv, 300, &md, NULL));
    ck_assert_str_eq(md->issuer, srv_url(sv, "/b/"));
    /* a configured issuer is matched exactly, cached document or not */
    pv->issuer = srv_url(sv, "/b");
    err = md_get(pv, 300, &md, NULL);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "oidc_discovery_issuer");
    pv->issuer = NULL;

    pv->server_metadata_url = srv_url(sv, "/c" WK);
    err = md_get(pv, 300, &md, NULL);
    ck_assert_str_eq(err->code, "oidc_discovery");
    pv->server_metadata_url = srv_url(sv, "/d" WK);
    err = md_get(pv, 300, &md, NULL);
    ck_assert_str_eq(err->code, "oidc_discovery");
    pv->server_metadata_url = srv_url(sv, "/e" WK);
    err = md_get(pv, 300, &md, NULL);
    ck_assert_str_eq(err->code, "oidc_discovery");
    ck_assert_ptr_nonnull(strstr(err->message, "500"));

    /* no well-known segment and no Issuer: cannot be checked */
    pv->server_metadata_url = srv_url(sv, "/metadata.json");
    err = md_get(pv, 300, &md, NULL);
    ck_assert_str_eq(err->code, "oidc_discovery_issuer");
}
END_TEST

START_TEST(discovery_stale_on_failure)
{
    srv *sv = srv_start();
    ac_provider *pv = oidc_provider();
    const ac_oidc_metadata *md;
    const char *warning = NULL;
    int i;

    i = srv_route_add(sv, WK, 200,
                      "application/json", discovery_doc(sv, srv_url(sv, "")));
    pv->server_metadata_url = srv_url(sv, WK);
    /* ttl 0: every call refreshes */
    ck_assert_ptr_null(md_get(pv, 0, &md, &warning));
    ck_assert_ptr_null(md_get(pv, 0, &md, &warning));
    ck_assert_int_eq(srv_hits(sv, i), 2);
    ck_assert_ptr_null(warning);

    /* the provider breaks: the stale copy is served, with a warning */
    srv_route_set(sv, i, 503, "{}");
    ck_assert_ptr_null(md_get(pv, 0, &md, &warning));
    ck_assert_int_eq(srv_hits(sv, i), 3);
    ck_assert_ptr_nonnull(warning);
    ck_assert_ptr_nonnull(strstr(warning, "503"));
    ck_assert_str_eq(md->token_endpoint, srv_url(sv, "/token"));

    /* and the broken provider is not asked again at once */
    warning = NULL;
    ck_assert_ptr_null(md_get(pv, 0, &md, &warning));
    ck_assert_int_eq(srv_hits(sv, i), 3);
    ck_assert_ptr_nonnull(warning);

    /* a document that fails validation does not replace the good one */
    i = srv_route_add(sv, "/b" WK, 200,
                      "application/json", discovery_doc(sv, srv_url(sv, "/b")));
    pv->server_metadata_url = srv_url(sv, "/b" WK);
    ck_assert_ptr_null(md_get(pv, 0, &md, &warning));
    srv_route_set(sv, i, 200, discovery_doc(sv, "https://other.example"));
    ck_assert_ptr_null(md_get(pv, 0, &md, &warning));
    ck_assert_int_eq(srv_hits(sv, i), 2);
    ck_assert_str_eq(md->issuer, srv_url(sv, "/b"));
    ck_assert_ptr_nonnull(warning);
    ck_assert_ptr_nonnull(strstr(warning, "other.example"));
}
END_TEST

START_TEST(jwks_kid_miss_rate_limit)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    const char *jwks = NULL;
    const char *uri;
    ac_error *err;
    int i;

    i = srv_route_add(sv, "/jwks", 200, "application/json",
                      "{\"keys\":[{\"kid\":\"one\"}]}");
    uri = srv_url(sv, "/jwks");
    ck_assert_ptr_null(ac_oidc_jwks_get(unit_pool, &h, uri, 0, 60, &jwks));
    ck_assert_ptr_nonnull(strstr(jwks, "\"one\""));
    ck_assert_ptr_null(ac_oidc_jwks_get(unit_pool, &h, uri, 0, 60, &jwks));
    ck_assert_int_eq(srv_hits(sv, i), 1);

    /* a rotation: the first miss refetches */
    srv_route_set(sv, i, 200, "{\"keys\":[{\"kid\":\"two\"}]}");
    ck_assert_ptr_null(ac_oidc_jwks_get(unit_pool, &h, uri, 1, 60, &jwks));
    ck_assert_int_eq(srv_hits(sv, i), 2);
    ck_assert_ptr_nonnull(strstr(jwks, "\"two\""));

    /* a flood of misses within the interval gets the cached copy */
    srv_route_set(sv, i, 200, "{\"keys\":[{\"kid\":\"three\"}]}");
    ck_assert_ptr_null(ac_oidc_jwks_get(unit_pool, &h, uri, 1, 60, &jwks));
    ck_assert_ptr_null(ac_oidc_jwks_get(unit_pool, &h, uri, 1, 60, &jwks));
    ck_assert_int_eq(srv_hits(sv, i), 2);
    ck_assert_ptr_nonnull(strstr(jwks, "\"two\""));

    /* once the interval has passed (0 here) a miss fetches again */
    ck_assert_ptr_null(ac_oidc_jwks_get(unit_pool, &h, uri, 1, 0, &jwks));
    ck_assert_int_eq(srv_hits(sv, i), 3);
    ck_assert_ptr_nonnull(strstr(jwks, "\"three\""));

    /* a bad JWKS is never cached, and fails when there is nothing else */
    srv_route_add(sv, "/bad", 200, "application/json", "{\"keys\":1}");
    err = ac_oidc_jwks_get(unit_pool, &h, srv_url(sv, "/bad"), 0, 60, &jwks);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "jwks_invalid");
}
END_TEST

/* ---- the token request and API calls ------------------------------------ */

static const char *TOKEN_OK =
    "{\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"expires_in\":60}";

START_TEST(code_exchange_basic)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    ac_provider *pv = oidc_provider();
    ac_token_response tr;
    const char *req, *want;
    char b64[128];

    srv_route_add(sv, "/token", 200, "application/json", TOKEN_OK);
    ck_assert_ptr_null(ac_oauth2_code_exchange(unit_pool, &h, pv,
                                               srv_url(sv, "/token"), "c/1+2",
                                               "https://app.example/cb?a=b",
                                               PKCE_VERIFIER, &tr));
    ck_assert_str_eq(tr.access_token, "at-1");
    req = srv_last(sv);
    ck_assert_ptr_nonnull(strstr(req, "POST /token HTTP/1.1"));
    ck_assert_ptr_nonnull(strstr(req, "\r\nAccept: application/json"));
    ck_assert_ptr_nonnull(strstr(req, "grant_type=authorization_code"));
    ck_assert_ptr_nonnull(strstr(req, "&code=c%2F1%2B2"));
    ck_assert_ptr_nonnull(strstr(req, "&redirect_uri=https%3A%2F%2Fapp.example"
                                      "%2Fcb%3Fa%3Db"));
    ck_assert_ptr_nonnull(strstr(req, "&code_verifier=" PKCE_VERIFIER));
    ck_assert_ptr_null(strstr(req, "client_secret"));
    /* RFC 6749 2.3.1: each half form-encoded, then base64 */
    apr_base64_encode(b64, "client%201:s3cret%3A%26%3D",
                      (int)strlen("client%201:s3cret%3A%26%3D"));
    want = apr_pstrcat(unit_pool, "\r\nAuthorization: Basic ", b64, "\r\n",
                       NULL);
    ck_assert_msg(strstr(req, want) != NULL, "%s", req);
}
END_TEST

START_TEST(code_exchange_post_none)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    ac_provider *pv = oidc_provider();
    ac_token_response tr;
    const char *req;
    ac_error *err;

    srv_route_add(sv, "/token", 200, "application/json", TOKEN_OK);
    pv->token_auth = AC_TOKEN_AUTH_POST;
    pv->access_token_params = "resource=api";
    ck_assert_ptr_null(ac_oauth2_code_exchange(unit_pool, &h, pv,
                                               srv_url(sv, "/token"), "c",
                                               "https://app.example/cb", "",
                                               &tr));
    req = srv_last(sv);
    ck_assert_ptr_nonnull(strstr(req, "&client_id=client%201"));
    ck_assert_ptr_nonnull(strstr(req, "&client_secret=s3cret%3A%26%3D"));
    ck_assert_ptr_nonnull(strstr(req, "&resource=api"));
    ck_assert_ptr_null(strstr(req, "code_verifier"));
    ck_assert_ptr_null(strstr(req, "Authorization:"));

    pv->token_auth = AC_TOKEN_AUTH_NONE;
    pv->access_token_params = NULL;
    ck_assert_ptr_null(ac_oauth2_code_exchange(unit_pool, &h, pv,
                                               srv_url(sv, "/token"), "c",
                                               "https://app.example/cb",
                                               PKCE_VERIFIER, &tr));
    req = srv_last(sv);
    ck_assert_ptr_nonnull(strstr(req, "&client_id=client%201"));
    ck_assert_ptr_null(strstr(req, "client_secret"));
    ck_assert_ptr_null(strstr(req, "Authorization:"));

    /* private_key_jwt without a loaded key is refused before sending */
    pv->token_auth = AC_TOKEN_AUTH_PRIVATE_KEY_JWT;
    err = ac_oauth2_code_exchange(unit_pool, &h, pv, srv_url(sv, "/token"),
                                  "c", "https://app.example/cb", "", &tr);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "token_auth");

    /* client_secret_jwt: an assertion instead of the secret itself */
    pv->token_auth = AC_TOKEN_AUTH_SECRET_JWT;
    ck_assert_ptr_null(ac_oauth2_code_exchange(unit_pool, &h, pv,
                                               srv_url(sv, "/token"), "c",
                                               "https://app.example/cb", "",
                                               &tr));
    req = srv_last(sv);
    ck_assert_ptr_nonnull(strstr(req, "client_assertion_type=urn%3Aietf%3Aparams"
                                      "%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"));
    ck_assert_ptr_nonnull(strstr(req, "&client_assertion=eyJ"));
    ck_assert_ptr_null(strstr(req, "client_secret="));
    ck_assert_ptr_null(strstr(req, "Authorization:"));
}
END_TEST

START_TEST(code_exchange_refused)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    ac_provider *pv = oidc_provider();
    ac_token_response tr;
    ac_error *err;

    srv_route_add(sv, "/token", 400, "application/json",
                  "{\"error\":\"invalid_grant\"}");
    err = ac_oauth2_code_exchange(unit_pool, &h, pv, srv_url(sv, "/token"),
                                  "c", "https://app.example/cb", "", &tr);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "token_http_status");
    ck_assert_ptr_nonnull(strstr(err->message, "invalid_grant"));
}
END_TEST

START_TEST(get_json)
{
    srv *sv = srv_start();
    ac_http_opts h = http_opts();
    json_t *j = NULL;
    ac_error *err;

    srv_route_add(sv, "/userinfo", 200, "application/json",
                  "{\"sub\":\"alice\"}");
    srv_route_add(sv, "/denied", 401, "application/json", "{}");
    srv_route_add(sv, "/html", 200, "text/html", "<html></html>");
    ck_assert_ptr_null(ac_oauth2_get_json(unit_pool, &h,
                                          srv_url(sv, "/userinfo"), "at-1",
                                          &j));
    ck_assert_str_eq(ac_json_string(j, "sub"), "alice");
    ck_assert_ptr_nonnull(strstr(srv_last(sv),
                                 "\r\nAuthorization: Bearer at-1\r\n"));

    err = ac_oauth2_get_json(unit_pool, &h, srv_url(sv, "/denied"), "at-1", &j);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "api_http_status");
    ck_assert_ptr_null(j);
    err = ac_oauth2_get_json(unit_pool, &h, srv_url(sv, "/html"), "at-1", &j);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "api_malformed");
}
END_TEST

Suite *oidc_suite(void)
{
    Suite *s = suite_create("oidc");
    TCase *tc = tcase_create("offline");
    TCase *net = tcase_create("loopback");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, token_json);
    tcase_add_test(tc, token_form);
    tcase_add_test(tc, token_error_in_200);
    tcase_add_test(tc, token_type_rules);
    tcase_add_test(tc, token_http_status);
    tcase_add_test(tc, token_missing_or_malformed);
    tcase_add_test(tc, authorize_url);
    tcase_add_test(tc, authorize_url_options);
    tcase_add_test(tc, metadata_explicit);
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(net, http_fixture_setup, unit_teardown);
    tcase_set_timeout(net, 30);
    tcase_add_test(net, http_basic_get);
    tcase_add_test(net, http_post_and_redirect);
    tcase_add_test(net, http_too_large);
    tcase_add_test(net, http_timeout);
    tcase_add_test(net, http_transport_errors);
    tcase_add_test(net, discovery_and_overrides);
    tcase_add_test(net, discovery_issuer_rules);
    tcase_add_test(net, discovery_stale_on_failure);
    tcase_add_test(net, jwks_kid_miss_rate_limit);
    tcase_add_test(net, code_exchange_basic);
    tcase_add_test(net, code_exchange_post_none);
    tcase_add_test(net, code_exchange_refused);
    tcase_add_test(net, get_json);
    suite_add_tcase(s, net);
    return s;
}
