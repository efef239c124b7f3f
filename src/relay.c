/*
 * relay.c - the API relay.  In a location that mod_proxy sends to a
 * provider's API base URL, "AuthClientAPIRelay NAME" attaches the
 * logged-in user's credentials to the upstream request, so that an
 * application running in the browser can call the provider's API without
 * ever holding a token: a Bearer access token (refreshed first when due,
 * by check_authn) or a fresh OAuth 1.0a signature over the upstream
 * method, URL and form body.  The kind's relay() decides which
 * (login_oauth2.c, login_oauth1.c); relay_upstream.c does the checks and
 * the signing without httpd.
 *
 * The guard rails, each a refusal with a stable code:
 *   - the credentials go only to URLs under the provider's APIBaseURL:
 *     apachectl -t checks each ProxyPass next to an AuthClientAPIRelay,
 *     and every request's final upstream URL (r->filename "proxy:URL",
 *     after mod_proxy, mod_rewrite and friends) is checked again;
 *   - the browser's Cookie and Authorization headers, and anything
 *     posing as the module's exports, stay here;
 *   - a state-changing method needs a same-origin request, so another
 *     site cannot drive the user's API;
 *   - no session of that provider: 401, never a login redirect (an API
 *     call cannot follow one);
 *   - the provider's answer passes unchanged (its 401 too: no second
 *     refresh, no loop), minus its Set-Cookie, which is not this site's.
 *
 * It runs in fixups, last: after authentication and authorization, after
 * mod_proxy has canonicalised the upstream URL and mod_headers has edited
 * the request, and before mod_proxy's handler sends it.
 */
#include <apr_lib.h>

#include "login.h"
#include "relay_upstream.h"
#include "url.h"

/* an OAuth 1.0a form body is read whole to be signed; more is refused */
#define AC_RELAY_MAX_FORM_BODY (1024 * 1024)
#define AC_RELAY_MAX_FORM_PARAMS 1000
#define AC_RELAY_READ_BYTES 8192
#define AC_RELAY_BODY_FILTER "AC_RELAY_BODY"
#define AC_RELAY_COOKIE_FILTER "AC_RELAY_NO_COOKIES"

/* ---- the directive ------------------------------------------------------- */

static int is_location_section(const char *directive)
{
    return strcasecmp(directive, "<Location") == 0
        || strcasecmp(directive, "<LocationMatch") == 0;
}

const char *ac_relay_set(cmd_parms *cmd, void *dconf, const char *name)
{
    const ap_directive_t *parent = cmd->directive->parent;

    /* a proxied request walks <Location> sections only: anywhere else the
     * relay would never meet the request it is meant for */
    if (cmd->path == NULL || parent == NULL
        || !is_location_section(parent->directive)) {
        return "AuthClientAPIRelay belongs in the <Location> (or "
               "<LocationMatch>) whose ProxyPass sends requests to the "
               "provider's APIBaseURL";
    }
    if (ap_find_linked_module("mod_proxy.c") == NULL
        || ap_find_linked_module("mod_proxy_http.c") == NULL) {
        return "AuthClientAPIRelay needs mod_proxy and mod_proxy_http; load "
               "them first (Debian: a2enmod proxy_http)";
    }
    ((ac_dir_conf *)dconf)->api_relay = apr_pstrdup(cmd->pool, name);
    return NULL;
}

/* ---- startup: where each relay's ProxyPass leads ------------------------- */

static int is_directive(const ap_directive_t *d, const char *name)
{
    return strcasecmp(d->directive, name) == 0;
}

/* the server_rec httpd made of a <VirtualHost> node */
static server_rec *vhost_of(server_rec *s, const ap_directive_t *node)
{
    for (; s != NULL; s = s->next) {
        if (s->is_virtual && s->defn_name != NULL
            && strcmp(s->defn_name, node->filename) == 0
            && s->defn_line_number == (unsigned)node->line_num) {
            return s;
        }
    }
    return NULL;
}

static const char *first_word(apr_pool_t *p, const char *args)
{
    return ap_getword_conf(p, &args);
}

static const char *at(apr_pool_t *p, const ap_directive_t *d)
{
    return apr_psprintf(p, "%s:%d", d->filename, d->line_num);
}

static void startup_error(server_rec *s, const char *msg)
{
    ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_EMERG, 0, s, ACLOGNO(01054)
                 "%s", msg);
}

/* Can the relay of `relay` find its provider and that provider's base? */
static const ac_provider *relay_provider(apr_pool_t *p, server_rec *s,
                                         const ap_directive_t *relay,
                                         const char *name)
{
    const ac_server_conf *c = ac_sconf(s);
    const ac_provider *pv = ac_conf_find_provider(c, name);

    if (pv == NULL) {
        apr_array_header_t *names = apr_array_make(p, 8, sizeof(const char *));
        apr_hash_index_t *hi;
        const char *guess;

        for (hi = apr_hash_first(p, c->providers); hi; hi = apr_hash_next(hi)) {
            APR_ARRAY_PUSH(names, const char *) = apr_hash_this_key(hi);
        }
        guess = ac_closest_name(name, names);
        startup_error(s, apr_psprintf(p, "AuthClientAPIRelay %s (%s): this "
                                      "%s has no <AuthClientProvider %s> "
                                      "block.%s%s%s Define one, or correct "
                                      "the name", name, at(p, relay),
                                      s->is_virtual ? "virtual host" : "server",
                                      name, guess ? " Did you mean " : "",
                                      guess ? guess : "", guess ? "?" : ""));
        return NULL;
    }
    if (pv->api_base_url == NULL) {
        startup_error(s, apr_psprintf(p, "AuthClientAPIRelay %s (%s): "
                                      "<AuthClientProvider %s> (%s) has no "
                                      "APIBaseURL, so nothing says where its "
                                      "tokens may go; set APIBaseURL to the "
                                      "URL prefix of the provider's API",
                                      name, at(p, relay), name, pv->defined_in));
        return NULL;
    }
    return pv;
}

/*
 * The startup check sees the parsed configuration as relays and ProxyPass
 * lines, each with the server it belongs to and the URL path it covers.
 * A ProxyPass is checked against the relay of its own <Location>, else
 * against the deepest relay <Location> above it; a relay <Location> below
 * a ProxyPass is checked with the URL that ProxyPass makes of its path.
 * What this cannot see (a regex <LocationMatch> above a ProxyPass,
 * mod_rewrite) the per-request check still refuses.
 */
typedef struct relay_line {
    server_rec *s;                  /* the main server or a virtual host */
    const char *path;               /* of its <Location>; NULL for a regex */
    const ap_directive_t *line;
    const char *name;
} relay_line;

typedef struct pass_line {
    server_rec *s;
    const char *path;               /* the URL path it maps; NULL: a regex */
    const ap_directive_t *line;
    const char *target;
    const relay_line *own;          /* of its own <Location>, or NULL */
} pass_line;

typedef struct conf_scan {
    apr_pool_t *p;
    server_rec *main;
    apr_array_header_t *relays;     /* relay_line */
    apr_array_header_t *passes;     /* pass_line */
    int failed;
} conf_scan;

/* The path of a <Location> node as core.c reads it; NULL for a regex
 * or a wildcard one, whose reach cannot be compared. */
static const char *location_path(apr_pool_t *p, const ap_directive_t *loc)
{
    const char *end = ap_strrchr_c(loc->args, '>');
    const char *args = end ? apr_pstrmemdup(p, loc->args, end - loc->args) : loc->args;
    const char *path;

    if (!is_directive(loc, "<Location")) {
        return NULL;
    }
    path = ap_getword_conf(p, &args);
    return *path == '\0' || *path == '~' || strpbrk(path, "*?[") ? NULL : path;
}

/* Does <Location loc> cover the URL path `path` (core's location walk:
 * a prefix, ending at a '/' unless loc does)? */
static int path_covers(const char *loc, const char *path)
{
    apr_size_t n = strlen(loc);

    return strncmp(loc, path, n) == 0
        && (n == 0 || loc[n - 1] == '/' || path[n] == '/' || path[n] == '\0');
}

static void add_pass(conf_scan *cx, server_rec *s, const char *path,
                     const ap_directive_t *line, const char *target,
                     const relay_line *own)
{
    pass_line *pl;

    if ((path == NULL && own == NULL) || strcmp(target, "!") == 0) {
        return;
    }
    pl = apr_array_push(cx->passes);
    pl->s = s;
    pl->path = path;
    pl->line = line;
    pl->target = target;
    pl->own = own;
}

static void scan_location(conf_scan *cx, server_rec *s, const ap_directive_t *loc)
{
    const char *path = location_path(cx->p, loc);
    const ap_directive_t *d;
    relay_line *own = NULL;

    for (d = loc->first_child; d != NULL; d = d->next) {
        if (is_directive(d, "AuthClientAPIRelay")) {
            own = apr_array_push(cx->relays);
            own->s = s;
            own->path = path;
            own->line = d;
            own->name = first_word(cx->p, d->args);
        }
    }
    for (d = loc->first_child; d != NULL; d = d->next) {
        if (is_directive(d, "ProxyPass") || is_directive(d, "ProxyPassMatch")) {
            /* inside a <Location> the first argument is the target */
            add_pass(cx, s, path, d, first_word(cx->p, d->args), own);
        }
    }
}

/* "ProxyPass /path target" at server level ("ProxyPass ~ regex" and
 * ProxyPassMatch map regexes, whose reach cannot be compared) */
static void scan_server_pass(conf_scan *cx, server_rec *s, const ap_directive_t *d)
{
    const char *args = d->args;
    const char *path = ap_getword_conf(cx->p, &args);

    if (is_directive(d, "ProxyPass") && *path == '/') {
        add_pass(cx, s, path, d, ap_getword_conf(cx->p, &args), NULL);
    }
}

static void scan_server(conf_scan *cx, server_rec *s, const ap_directive_t *first)
{
    const ap_directive_t *n;

    for (n = first; n != NULL; n = n->next) {
        if (is_location_section(n->directive)) {
            scan_location(cx, s, n);
        }
        else if (is_directive(n, "ProxyPass")) {
            scan_server_pass(cx, s, n);
        }
        else if (s == cx->main && is_directive(n, "<VirtualHost")) {
            server_rec *vs = vhost_of(cx->main, n);

            scan_server(cx, vs ? vs : cx->main, n->first_child);
        }
    }
}

/* Do a and b apply together: the same server, or one of them the main
 * server's (whose sections and ProxyPass lines the virtual hosts get)? */
static int same_reach(const conf_scan *cx, const server_rec *a, const server_rec *b)
{
    return a == b || a == cx->main || b == cx->main;
}

static void check_target(conf_scan *cx, const pass_line *pl, const relay_line *rl,
                         const char *upstream)
{
    /* a virtual host's own provider of the name is the one it uses */
    server_rec *s = rl->s != cx->main ? rl->s : pl->s;
    const ac_provider *pv = ac_conf_find_provider(ac_sconf(s), rl->name);
    apr_pool_t *p = cx->p;
    const char *why, *what;

    if (pv == NULL || pv->api_base_url == NULL) {
        return;                     /* the relay line says so already */
    }
    if ((why = ac_relay_outside_base(p, pv->api_base_url, upstream, 1)) == NULL) {
        return;
    }
    what = upstream == pl->target ? "the target"
         : apr_psprintf(p, "under %s it makes %s, which", rl->path, upstream);
    startup_error(s, apr_psprintf(p, "%s %s (%s): %s %s, so AuthClientAPIRelay "
                                  "%s (%s) would send the user's tokens outside "
                                  "the APIBaseURL %s of <AuthClientProvider %s> "
                                  "(%s). Point %s at %s or a URL under it, or "
                                  "keep the relay away from it",
                                  pl->line->directive, pl->target,
                                  at(p, pl->line), what, why, rl->name,
                                  at(p, rl->line), pv->api_base_url, rl->name,
                                  pv->defined_in, pl->line->directive,
                                  pv->api_base_url));
    cx->failed = 1;
}

static void check_pass(conf_scan *cx, const pass_line *pl)
{
    const relay_line *above = NULL;
    int i;

    if (pl->own != NULL) {
        check_target(cx, pl, pl->own, pl->target);
    }
    for (i = 0; pl->path != NULL && i < cx->relays->nelts; i++) {
        const relay_line *rl = &APR_ARRAY_IDX(cx->relays, i, relay_line);

        if (rl == pl->own || rl->path == NULL || !same_reach(cx, rl->s, pl->s)) {
            continue;
        }
        if (path_covers(rl->path, pl->path)) {
            if (pl->own == NULL
                && (above == NULL || strlen(rl->path) >= strlen(above->path))) {
                above = rl;
            }
        }
        else if (path_covers(pl->path, rl->path)) {
            /* mod_proxy appends what follows the ProxyPass path */
            check_target(cx, pl, rl, apr_pstrcat(cx->p, pl->target,
                                                 rl->path + strlen(pl->path),
                                                 NULL));
        }
    }
    if (above != NULL) {
        check_target(cx, pl, above, pl->target);
    }
}

int ac_relay_check_config(apr_pool_t *ptemp, server_rec *s)
{
    conf_scan cx;
    int i;

    cx.p = ptemp;
    cx.main = s;
    cx.relays = apr_array_make(ptemp, 8, sizeof(relay_line));
    cx.passes = apr_array_make(ptemp, 8, sizeof(pass_line));
    cx.failed = 0;
    scan_server(&cx, s, ap_conftree);
    for (i = 0; i < cx.relays->nelts; i++) {
        const relay_line *rl = &APR_ARRAY_IDX(cx.relays, i, relay_line);

        if (relay_provider(ptemp, rl->s, rl->line, rl->name) == NULL) {
            cx.failed = 1;
        }
    }
    for (i = 0; i < cx.passes->nelts; i++) {
        check_pass(&cx, &APR_ARRAY_IDX(cx.passes, i, pass_line));
    }
    return cx.failed;
}

/* ---- refusals ------------------------------------------------------------ */

static int relay_status(const ac_error *e)
{
    switch (e->id) {
    case AC_E_RELAY_BODY_TOO_LARGE:
        return HTTP_REQUEST_ENTITY_TOO_LARGE;
    case AC_E_RELAY_LOGIN_REQUIRED:
    case AC_E_RELAY_NO_TOKENS:
        return HTTP_UNAUTHORIZED;
    default:
        return ac_error_status(e->category);
    }
}

/* One log line and the status; httpd writes the answer, so ErrorDocument
 * applies.  The code goes in a header: an API client has no page to read. */
static int refuse(request_rec *r, const ac_error *e)
{
    int status = relay_status(e);

    ap_log_rerror(APLOG_MARK, status >= 500 ? APLOG_ERR
                  : status == HTTP_UNAUTHORIZED ? APLOG_INFO : APLOG_WARNING,
                  0, r, ACLOGNO(01055)
                                                                                                   "%s: relay: %s [%s]", AC_LOG_TAG, e->message, e->code);
    apr_table_setn(r->err_headers_out, "X-Auth-Client-Error", e->code);
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    if (status == HTTP_UNAUTHORIZED) {
        apr_table_setn(r->err_headers_out, "WWW-Authenticate",
                       "Bearer realm=\"mod_auth_client\", error=\"login_required\"");
    }
    return status;
}

/* ---- the request --------------------------------------------------------- */

typedef struct relay_ctx {
    request_rec *r;
    const char *name;               /* AuthClientAPIRelay */
    const ac_provider *pv;
    const char *upstream;           /* r->filename without "proxy:" */
} relay_ctx;

/* What mod_proxy will send, when it is a reverse proxy of ours to make. */
static ac_error *upstream_of(relay_ctx *cx)
{
    request_rec *r = cx->r;

    if (r->proxyreq != PROXYREQ_REVERSE || r->filename == NULL
        || strncmp(r->filename, "proxy:", 6) != 0) {
        return ac_error_make(r->pool, AC_E_RELAY_NOT_PROXIED, "AuthClientAPIRelay "
                             "%s applies to %s, which mod_proxy does not send "
                             "upstream (ProxyPass, not SetHandler, is needed)",
                             cx->name, ac_log_quote(r->pool, r->uri));
    }
    /* mod_proxy sends "unix:/path|http://..." to the socket */
    if (apr_table_get(r->notes, "uds_path") != NULL) {
        return ac_error_make(r->pool, AC_E_RELAY_OUTSIDE_BASE, "AuthClientAPIRelay "
                             "%s: the upstream is a Unix socket", cx->name);
    }
    cx->upstream = r->filename + 6;
    return NULL;
}

static ac_error *inside_base(relay_ctx *cx)
{
    request_rec *r = cx->r;
    const char *why;

    cx->pv = ac_conf_find_provider(ac_sconf(r->server), cx->name);
    if (cx->pv == NULL || cx->pv->api_base_url == NULL) {
        return ac_error_make(r->pool, AC_E_RELAY_CONFIG, "AuthClientAPIRelay %s: "
                             "no <AuthClientProvider> of that name with an "
                             "APIBaseURL in this virtual host", cx->name);
    }
    if ((why = ac_relay_outside_base(r->pool, cx->pv->api_base_url,
                                     cx->upstream, 0)) != NULL) {
        return ac_error_make(r->pool, AC_E_RELAY_OUTSIDE_BASE, "refusing to send "
                             "the tokens of %s to %s, which %s (APIBaseURL %s)",
                             cx->name, ac_url_for_log(r->pool, cx->upstream), why,
                             cx->pv->api_base_url);
    }
    return NULL;
}

static int safe_method(const request_rec *r)
{
    return r->method_number == M_GET || r->method_number == M_OPTIONS;
}

/* Sec-Fetch-Site when the browser sends it, else Origin when it sends
 * that; neither (a client that is not a browser) passes, and SameSite=Lax
 * keeps the session cookie off cross-site requests of older browsers. */
static int same_origin(request_rec *r)
{
    const char *site = apr_table_get(r->headers_in, "Sec-Fetch-Site");
    const char *origin = apr_table_get(r->headers_in, "Origin");

    if (site != NULL && strcmp(site, "same-origin") != 0) {
        return 0;
    }
    return origin == NULL || strcmp(origin, ac_self_origin(r)) == 0;
}

static const char *header_for_log(request_rec *r, const char *name)
{
    const char *v = apr_table_get(r->headers_in, name);

    return v ? ac_log_quote(r->pool, v) : "(none)";
}

static ac_error *state_change_allowed(relay_ctx *cx)
{
    request_rec *r = cx->r;

    if (safe_method(r) || same_origin(r)) {
        return NULL;
    }
    return ac_error_make(r->pool, AC_E_RELAY_CROSS_SITE, "refusing a cross-site "
                         "%s to the API of %s (Origin %s, Sec-Fetch-Site %s)",
                         ac_log_quote(r->pool, r->method), cx->name,
                         header_for_log(r, "Origin"),
                         header_for_log(r, "Sec-Fetch-Site"));
}

/* The session's tokens: check_authn has refreshed them when due and
 * stored the result, so this reads what it left. */
static ac_error *session_tokens(relay_ctx *cx, const ac_token_set **out)
{
    request_rec *r = cx->r;
    ac_request_state *st = ac_request_state_get(r);
    ac_token_set *t = NULL;
    ac_error *e;

    *out = NULL;
    if (st->session == NULL) {
        return ac_error_make(r->pool, AC_E_RELAY_LOGIN_REQUIRED, "no session for "
                             "the API of %s (is AuthType oauth set here?)",
                             cx->name);
    }
    if (strcmp(st->session->provider, cx->name) != 0) {
        return ac_error_make(r->pool, AC_E_RELAY_LOGIN_REQUIRED, "the session "
                             "of %s was made with provider %s, not %s",
                             r->user, st->session->provider, cx->name);
    }
    if ((e = ac_tokens_load(r, st->session_id, &t)) != NULL) {
        return e;
    }
    if (t == NULL || t->access_token[0] == '\0') {
        /* a session without tokens cannot relay, and would never get them
         * back: end it, so that the next login makes a whole one */
        ac_session_destroy(r, st->session_id);
        return ac_error_make(r->pool, AC_E_RELAY_NO_TOKENS, "the session of %s "
                             "has no access token (any more); it is ended",
                             r->user);
    }
    *out = t;
    return NULL;
}

/* ---- the form body, read to be signed and replayed to mod_proxy ---------- */

typedef struct relay_body {
    const char *data;
    apr_size_t len;
    apr_size_t off;
} relay_body;

/* Serves the body read in fixups to whoever reads the request next. */
static apr_status_t replay_body(ap_filter_t *f, apr_bucket_brigade *bb,
                                ap_input_mode_t mode, apr_read_type_e block,
                                apr_off_t readbytes)
{
    relay_body *rb = f->ctx;
    apr_size_t n = rb->len - rb->off, end;

    (void)block;
    if (mode != AP_MODE_READBYTES && mode != AP_MODE_SPECULATIVE) {
        return APR_ENOTIMPL;
    }
    if (readbytes >= 0 && (apr_off_t)n > readbytes) {
        n = (apr_size_t)readbytes;
    }
    if (n > 0) {
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_pool_create(rb->data + rb->off, n,
                                                           f->r->pool,
                                                           f->c->bucket_alloc));
    }
    end = rb->off + n;
    if (mode == AP_MODE_READBYTES) {
        rb->off = end;
    }
    if (end == rb->len) {
        APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(f->c->bucket_alloc));
    }
    return APR_SUCCESS;
}

static ac_error *too_large(request_rec *r)
{
    return ac_error_make(r->pool, AC_E_RELAY_BODY_TOO_LARGE, "the form body to "
                         "sign is larger than %d bytes", AC_RELAY_MAX_FORM_BODY);
}

/* The whole body, at most AC_RELAY_MAX_FORM_BODY bytes; *status is the
 * answer when the input filters already gave one (LimitRequestBody). */
static ac_error *read_body(request_rec *r, char **data, apr_size_t *len,
                           int *status)
{
    apr_bucket_brigade *bb = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    apr_bucket_brigade *kept = apr_brigade_create(r->pool, r->connection->bucket_alloc);
    const char *cl = apr_table_get(r->headers_in, "Content-Length");
    apr_off_t total = 0, declared;
    int eos = 0;

    *status = OK;
    if (cl != NULL && apr_strtoff(&declared, cl, NULL, 10) == APR_SUCCESS
        && declared > AC_RELAY_MAX_FORM_BODY) {
        return too_large(r);
    }
    while (!eos) {
        apr_bucket *e, *next;
        apr_status_t rv = ap_get_brigade(r->input_filters, bb, AP_MODE_READBYTES,
                                         APR_BLOCK_READ, AC_RELAY_READ_BYTES);

        if (rv != APR_SUCCESS) {
            *status = ap_map_http_request_error(rv, HTTP_BAD_REQUEST);
            return ac_error_make(r->pool, AC_E_RELAY_BODY, "the request body "
                                 "could not be read");
        }
        for (e = APR_BRIGADE_FIRST(bb); e != APR_BRIGADE_SENTINEL(bb); e = next) {
            const char *buf;
            apr_size_t n;

            next = APR_BUCKET_NEXT(e);
            if (APR_BUCKET_IS_EOS(e)) {
                eos = 1;
                break;
            }
            if (APR_BUCKET_IS_METADATA(e)) {
                continue;
            }
            if (apr_bucket_read(e, &buf, &n, APR_BLOCK_READ) != APR_SUCCESS) {
                return ac_error_make(r->pool, AC_E_RELAY_BODY, "the request "
                                     "body could not be read");
            }
            if ((total += (apr_off_t)n) > AC_RELAY_MAX_FORM_BODY) {
                return too_large(r);
            }
            apr_bucket_setaside(e, r->pool);
            APR_BUCKET_REMOVE(e);
            APR_BRIGADE_INSERT_TAIL(kept, e);
        }
        apr_brigade_cleanup(bb);
    }
    if (apr_brigade_pflatten(kept, data, len, r->pool) != APR_SUCCESS) {
        return ac_error_make(r->pool, AC_E_RELAY_BODY, "the request body could "
                             "not be kept");
    }
    apr_brigade_cleanup(kept);
    return NULL;
}

/* The body as mod_proxy will send it, `extra` appended after a '&'. */
static void replay(request_rec *r, const char *data, apr_size_t len,
                   const char *extra)
{
    relay_body *rb = apr_pcalloc(r->pool, sizeof(*rb));

    if (extra != NULL) {
        data = apr_pstrcat(r->pool, apr_pstrmemdup(r->pool, data, len),
                           len > 0 ? "&" : "", extra, NULL);
        len = strlen(data);
    }
    rb->data = data;
    rb->len = len;
    ap_add_input_filter(AC_RELAY_BODY_FILTER, rb, r, r->connection);
    /* the length is known now, whatever the client sent */
    apr_table_unset(r->headers_in, "Transfer-Encoding");
    apr_table_setn(r->headers_in, "Content-Length",
                   apr_psprintf(r->pool, "%" APR_SIZE_T_FMT, len));
}

/* Does the request carry a form body?  Then it is what RFC 5849 signs. */
static int has_form_body(request_rec *r)
{
    const char *cl = apr_table_get(r->headers_in, "Content-Length");

    if (r->main != NULL || !ac_relay_is_form(apr_table_get(r->headers_in,
                                                           "Content-Type"))) {
        return 0;   /* mod_proxy sends no body for a subrequest */
    }
    return apr_table_get(r->headers_in, "Transfer-Encoding") != NULL
        || (cl != NULL && strcmp(cl, "0") != 0)
        || r->method_number == M_POST || r->method_number == M_PUT
        || r->method_number == M_PATCH;
}

/* ---- the credentials ----------------------------------------------------- */

static int attach(relay_ctx *cx, const ac_login_kind *kind, const ac_token_set *t)
{
    request_rec *r = cx->r;
    apr_array_header_t *form = NULL;
    char *body = NULL;
    apr_size_t len = 0;
    ac_relay_signed out;
    ac_error *e;
    int status;

    if (kind->relay_signs_form && has_form_body(r)) {
        if ((e = read_body(r, &body, &len, &status)) != NULL) {
            int answer = refuse(r, e);

            return status != OK ? status : answer;
        }
        if ((e = ac_relay_form_params(r->pool, body, len, AC_RELAY_MAX_FORM_PARAMS,
                                      &form)) != NULL) {
            return refuse(r, e);
        }
    }
    if ((e = kind->relay(r, cx->pv, t, cx->upstream, form, &out)) != NULL) {
        return refuse(r, e);
    }
    if (body != NULL || out.body_params != NULL) {
        replay(r, body ? body : "", len, out.body_params);
    }
    if (out.authorization != NULL) {
        apr_table_setn(r->headers_in, "Authorization", out.authorization);
    }
    if (strcmp(out.url, cx->upstream) != 0) {
        r->filename = apr_pstrcat(r->pool, "proxy:", out.url, NULL);
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, ACLOGNO(01056)
                  "%s: relay: %s %s for %s with "
                  "the credentials of %s (%s)", AC_LOG_TAG,
                  ac_log_quote(r->pool, r->method),
                  ac_url_for_log(r->pool, cx->upstream), r->user, cx->name,
                  out.authorization ? "Authorization header"
                  : out.body_params ? "form body" : "query");
    return OK;
}

/* The browser's credentials for this site are not the provider's
 * business, nor is what the module exports to local applications. */
static void strip_browser_headers(request_rec *r)
{
    apr_table_unset(r->headers_in, "Cookie");
    apr_table_unset(r->headers_in, "Authorization");
    ac_strip_spoofed_headers(r, ac_dconf(r));
}

/* The provider's cookies are for its own site, not this one. */
static apr_status_t drop_provider_cookies(ap_filter_t *f, apr_bucket_brigade *bb)
{
    apr_table_unset(f->r->headers_out, "Set-Cookie");
    apr_table_unset(f->r->headers_out, "Set-Cookie2");
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

static int relay_fixups(request_rec *r)
{
    const char *name = ac_dconf(r)->api_relay;
    const ac_login_kind *kind;
    const ac_token_set *t;
    relay_ctx cx;
    ac_error *e;

    if (name == NULL) {
        return DECLINED;
    }
    memset(&cx, 0, sizeof(cx));
    cx.r = r;
    cx.name = name;
    if ((e = upstream_of(&cx)) != NULL || (e = inside_base(&cx)) != NULL
        || (e = state_change_allowed(&cx)) != NULL
        || (e = session_tokens(&cx, &t)) != NULL) {
        return refuse(r, e);
    }
    kind = ac_login_kind_of(cx.pv);
    if (kind == NULL || kind->relay == NULL) {
        return refuse(r, ac_error_make(r->pool, AC_E_RELAY_CONFIG, "provider %s "
                                       "is of a kind the relay cannot sign for",
                                       name));
    }
    strip_browser_headers(r);
    ap_add_output_filter(AC_RELAY_COOKIE_FILTER, NULL, r, r->connection);
    return attach(&cx, kind, t);
}

void ac_relay_register(apr_pool_t *p)
{
    static const char *const after[] = { "mod_proxy.c", "mod_rewrite.c",
                                         "mod_headers.c", NULL };

    (void)p;
    ap_hook_fixups(relay_fixups, after, NULL, APR_HOOK_LAST);
    ap_register_input_filter(AC_RELAY_BODY_FILTER, replay_body, NULL,
                             AP_FTYPE_RESOURCE);
    ap_register_output_filter(AC_RELAY_COOKIE_FILTER, drop_provider_cookies,
                              NULL, AP_FTYPE_CONTENT_SET);
}
