/*
 * origin.c - the one place that decides the request's external origin
 * ("https://app.example.org"): the redirect URI, the Secure / __Host-
 * choice of cookies, the Origin checks of logout and the relay, and the
 * same-origin test of redirect targets all take it from here.
 *
 * In order:
 *   1. an absolute AuthClientRedirectURI: its origin, whatever the request;
 *   2. from a peer in AuthClientTrustedProxy: Forwarded or X-Forwarded-*
 *      (forwarded.c) over httpd's view;
 *   3. httpd's view, where a ServerName with a scheme (or UseCanonicalName
 *      On) keeps the client's Host header out of it.
 * Forwarded headers from any other peer are ignored, with one warning per
 * process so the sysadmin learns of a missing AuthClientTrustedProxy.
 */
#include <apr_atomic.h>

#include "auth_client.h"
#include "forwarded.h"
#include "module_state.h"
#include "url.h"

struct ac_request_origin {
    int trusted;                /* the peer is an AuthClientTrustedProxy */
    ac_forwarded fw;            /* what it said; empty otherwise */
    ac_error *error;            /* it said something malformed */
    int https;
    const char *url;            /* scheme://host[:port], built on first use */
};


static int default_port(const char *scheme)
{
    return strcmp(scheme, "https") == 0 ? 443 : 80;
}

static int peer_trusted(request_rec *r, const ac_server_conf *c)
{
    /* the connection's peer, not r->useragent_addr: mod_remoteip puts the
     * browser's address there, and the browser is not the proxy */
    apr_sockaddr_t *peer = r->connection->client_addr;
    int i;

    if (c->trusted_proxies == NULL || peer == NULL) {
        return 0;
    }
    for (i = 0; i < c->trusted_proxies->nelts; i++) {
        if (apr_ipsubnet_test(APR_ARRAY_IDX(c->trusted_proxies, i, apr_ipsubnet_t *),
                              peer)) {
            return 1;
        }
    }
    return 0;
}

static void read_headers(request_rec *r, ac_forwarded_headers *h)
{
    h->forwarded = apr_table_get(r->headers_in, "Forwarded");
    h->x_proto = apr_table_get(r->headers_in, "X-Forwarded-Proto");
    h->x_host = apr_table_get(r->headers_in, "X-Forwarded-Host");
    h->x_port = apr_table_get(r->headers_in, "X-Forwarded-Port");
}

/* Only where the origin is built (logins, the module's paths, Origin
 * checks), not for the cookie name on every request: a proxy that is not
 * trusted shows up at the first login anyway. */
static void warn_untrusted_once(request_rec *r, const struct ac_request_origin *o)
{
    ac_forwarded_headers h;

    if (o->trusted || apr_atomic_read32(&ac_state.forwarded_warned) != 0) {
        return;
    }
    read_headers(r, &h);
    if (!ac_forwarded_present(&h) || apr_atomic_cas32(&ac_state.forwarded_warned, 1, 0) != 0) {
        return;
    }
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, ACLOGNO(01074)
                  "%s: Forwarded or "
                  "X-Forwarded-* headers from %s, which is not in "
                  "AuthClientTrustedProxy: ignored, the origin is httpd's own "
                  "(said once per process) [forwarded_untrusted]", AC_LOG_TAG,
                  r->connection->client_ip);
}

static const ac_forwarded no_forwarding = { NULL, NULL, 0 };

/* httpd's view; with a scheme in ServerName the name and port are
 * ServerName's even under UseCanonicalName Off, so no Host header can
 * change the redirect URI of a site that declared its public URL */
static void canonical(request_rec *r, const char **scheme, const char **host,
                      int *port)
{
    server_rec *s = r->server;

    *scheme = ap_http_scheme(r);
    if (s->server_scheme && s->server_hostname) {
        *host = s->server_hostname;
        *port = s->port ? s->port : default_port(*scheme);
    }
    else {
        *host = ap_get_server_name_for_url(r);
        *port = ap_get_server_port(r);
    }
}

static const char *canonical_origin(request_rec *r, const ac_forwarded *fw)
{
    const char *scheme, *host;
    int port;

    canonical(r, &scheme, &host, &port);
    return ac_forwarded_origin(r->pool, fw, scheme, host, port);
}

static const char *redirect_uri_origin(request_rec *r, const char *uri)
{
    ac_url_origin u;

    /* checked at startup (AuthClientRedirectURI) */
    ac_url_origin_parse(r->pool, uri, &u);
    return ac_forwarded_origin(r->pool, &no_forwarding, u.scheme, u.host, u.port);
}

/* what a trusted proxy said, if anything */
static void read_trusted_proxy(request_rec *r, struct ac_request_origin *o)
{
    ac_forwarded_headers h;

    read_headers(r, &h);
    if (ac_forwarded_present(&h)) {
        /* on error fw stays empty: httpd's view, and the login refuses */
        o->error = ac_forwarded_parse(r->pool, &h, &o->fw);
    }
}

/* On every request (the cookie names depend on https): no string is built
 * and, without AuthClientTrustedProxy, no header is read. */
static struct ac_request_origin *decide(request_rec *r)
{
    ac_server_conf *c = ac_sconf(r->server);
    struct ac_request_origin *o = apr_pcalloc(r->pool, sizeof(*o));

    if (c->redirect_uri) {
        o->url = redirect_uri_origin(r, c->redirect_uri);
        o->https = strncmp(o->url, "https:", 6) == 0;
        return o;
    }
    if ((o->trusted = peer_trusted(r, c))) {
        read_trusted_proxy(r, o);
    }
    o->https = strcmp(o->fw.scheme ? o->fw.scheme : ap_http_scheme(r), "https") == 0;
    return o;
}

static struct ac_request_origin *request_origin(request_rec *r)
{
    ac_request_state *st = ac_request_state_get(r);

    if (st->origin == NULL) {
        st->origin = decide(r);
    }
    return st->origin;
}

const char *ac_self_origin(request_rec *r)
{
    struct ac_request_origin *o = request_origin(r);

    if (o->url != NULL) {
        return o->url;
    }
    warn_untrusted_once(r, o);
    o->url = canonical_origin(r, &o->fw);
    if (o->fw.scheme || o->fw.host || o->fw.port) {
        ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, ACLOGNO(01075)
                      "%s: origin %s, from "
                      "trusted proxy %s", AC_LOG_TAG, o->url,
                      r->connection->client_ip);
    }
    return o->url;
}

int ac_request_is_https(request_rec *r)
{
    return request_origin(r)->https;
}

ac_error *ac_origin_error(request_rec *r)
{
    return request_origin(r)->error;
}

const char *ac_redirect_uri(request_rec *r)
{
    ac_server_conf *c = ac_sconf(r->server);

    if (c->redirect_uri) {
        return c->redirect_uri;
    }
    return apr_pstrcat(r->pool, ac_self_origin(r), ac_conf_callback_path(c), NULL);
}

/* ---- directives ------------------------------------------------------------------- */

const char *ac_origin_set_trusted_proxy(cmd_parms *cmd, void *dummy, const char *arg)
{
    ac_server_conf *c = ac_sconf(cmd->server);
    char *ip = apr_pstrdup(cmd->temp_pool, arg);
    char *bits = strchr(ip, '/');
    apr_ipsubnet_t *subnet;

    if (bits) {
        *bits++ = '\0';
    }
    if (apr_ipsubnet_create(&subnet, ip, bits, cmd->pool) != APR_SUCCESS) {
        return apr_psprintf(cmd->pool, "%s: \"%s\" is not an IP address or "
                            "address/prefix (e.g. 10.0.0.5, 10.0.0.0/8, "
                            "fd00::/8); give the address the proxy connects "
                            "from, not a host name", cmd->cmd->name, arg);
    }
    if (c->trusted_proxies == NULL) {
        c->trusted_proxies = apr_array_make(cmd->pool, 4, sizeof(apr_ipsubnet_t *));
    }
    APR_ARRAY_PUSH(c->trusted_proxies, apr_ipsubnet_t *) = subnet;
    return NULL;
}

const char *ac_origin_set_redirect_uri(cmd_parms *cmd, void *dummy, const char *arg)
{
    ac_url_origin u;
    const char *why = ac_url_origin_parse(cmd->temp_pool, arg, &u);

    if (why == NULL && (u.rest[0] != '/' || strpbrk(u.rest, "?#") != NULL)) {
        why = "has no path, or a query or fragment";
    }
    if (why) {
        return apr_psprintf(cmd->pool, "%s %s: the URL %s; give the absolute "
                            "URL the provider sends browsers back to, e.g. "
                            "https://app.example.org/auth/callback, or leave it "
                            "out and set AuthClientCallbackPath", cmd->cmd->name,
                            arg, why);
    }
    ac_sconf(cmd->server)->redirect_uri = apr_pstrdup(cmd->pool, arg);
    return NULL;
}
