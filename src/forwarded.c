/*
 * forwarded.c - Forwarded (RFC 7239) and X-Forwarded-* parsing, and the
 * external origin built from them (forwarded.h).
 *
 * Only the nearest proxy's word counts: each proxy appends its element, so
 * the last one is what the trusted peer itself saw; earlier ones were
 * written by whoever spoke to it, the browser included.
 */
#include <apr_lib.h>
#include <apr_strings.h>

#include "forwarded.h"
#include "url.h"

/* longer than any honest chain of proxies; a bound on the work per request */
#define AC_FORWARDED_MAX 4096

int ac_forwarded_present(const ac_forwarded_headers *h)
{
    return h->forwarded || h->x_proto || h->x_host || h->x_port;
}

/* ---- RFC 7230 list syntax ------------------------------------------------- */

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* RFC 7230 3.2.6 tchar */
static int is_tchar(char c)
{
    return apr_isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static const char *trim_dup(apr_pool_t *p, const char *s, const char *end)
{
    while (s < end && is_ows(*s)) {
        s++;
    }
    while (end > s && is_ows(end[-1])) {
        end--;
    }
    return apr_pstrmemdup(p, s, (apr_size_t)(end - s));
}

static int is_blank(const char *s, const char *end)
{
    while (s < end && is_ows(*s)) {
        s++;
    }
    return s == end;
}

/*
 * The last non-empty element of a comma-separated list, OWS trimmed.
 * Commas inside quoted strings (allowed in Forwarded values) do not
 * separate; an unterminated quoted string is an error (NULL *last).
 */
static const char *last_element(apr_pool_t *p, const char *list,
                                const char **last)
{
    const char *s, *start = list, *found = NULL, *found_end = NULL;
    int quoted = 0;

    for (s = list;; s++) {
        if (quoted) {
            if (*s == '\0') {
                return "has an unterminated quoted string";
            }
            if (*s == '\\' && s[1] != '\0') {
                s++;
            }
            else if (*s == '"') {
                quoted = 0;
            }
            continue;
        }
        if (*s == '"') {
            quoted = 1;
        }
        else if (*s == ',' || *s == '\0') {
            if (!is_blank(start, s)) {
                found = start;
                found_end = s;
            }
            if (*s == '\0') {
                break;
            }
            start = s + 1;
        }
    }
    if (found == NULL) {
        return "is empty";
    }
    *last = trim_dup(p, found, found_end);
    return NULL;
}

/* ---- Forwarded (RFC 7239 4) -------------------------------------------------- */

/* A token or a quoted-string (unescaped) at *s, which is moved past it. */
static const char *pair_value(apr_pool_t *p, const char **s, const char **value)
{
    const char *v = *s;
    char *buf, *d;

    if (*v != '"') {
        while (is_tchar(*v)) {
            v++;
        }
        if (v == *s) {
            return "has a parameter without a value";
        }
        *value = apr_pstrmemdup(p, *s, (apr_size_t)(v - *s));
        *s = v;
        return NULL;
    }
    d = buf = apr_palloc(p, strlen(v));
    for (v++; *v != '"'; v++) {
        if (*v == '\\') {
            v++;
        }
        /* qdtext and quoted-pair: visible characters, space, tab */
        if (*v == '\0' || (apr_iscntrl(*v) && *v != '\t')) {
            return "has a malformed quoted string";
        }
        *d++ = *v;
    }
    *d = '\0';
    *value = buf;
    *s = v + 1;
    return NULL;
}

/* the parameters of one element that matter, each allowed once */
typedef struct element_params {
    const char *proto, *host, *for_, *by;
} element_params;

static const char *keep_param(element_params *ep, const char *name,
                              const char *value)
{
    const char **slot;

    if (strcasecmp(name, "proto") == 0) {
        slot = &ep->proto;
    }
    else if (strcasecmp(name, "host") == 0) {
        slot = &ep->host;
    }
    else if (strcasecmp(name, "for") == 0) {
        slot = &ep->for_;
    }
    else if (strcasecmp(name, "by") == 0) {
        slot = &ep->by;
    }
    else {
        return NULL;            /* extensions (RFC 7239 5.5) are ignored */
    }
    if (*slot) {
        return "repeats a parameter in one element";
    }
    *slot = value;
    return NULL;
}

/* forwarded-element = [ pair ] *( ";" [ pair ] ), pair = token "=" value */
static const char *parse_element(apr_pool_t *p, const char *el, element_params *ep)
{
    const char *s = el, *why;

    while (*s) {
        const char *name_start, *name, *value;

        while (is_ows(*s)) {
            s++;
        }
        if (*s == ';') {
            s++;
            continue;
        }
        name_start = s;
        while (is_tchar(*s)) {
            s++;
        }
        if (s == name_start || *s != '=') {
            return "has a parameter that is not name=value";
        }
        name = apr_pstrmemdup(p, name_start, (apr_size_t)(s - name_start));
        s++;
        if ((why = pair_value(p, &s, &value)) != NULL
            || (why = keep_param(ep, name, value)) != NULL) {
            return why;
        }
        while (is_ows(*s)) {
            s++;
        }
        if (*s != ';' && *s != '\0') {
            return "has characters after a parameter value";
        }
    }
    return NULL;
}

/* ---- the values ------------------------------------------------------------------ */

static const char *check_scheme(const char *proto, const char **scheme)
{
    if (strcasecmp(proto, "https") == 0) {
        *scheme = "https";
    }
    else if (strcasecmp(proto, "http") == 0) {
        *scheme = "http";
    }
    else {
        return "names a scheme other than http or https";
    }
    return NULL;
}

/* X-Forwarded-Port: unlike "host:", an empty one is no port at all */
static const char *check_port(const char *s, int *port)
{
    return *s == '\0' ? "has a bad port" : ac_url_port_parse(s, s + strlen(s), port);
}

static ac_error *refuse(apr_pool_t *p, ac_forwarded *out, const char *header,
                        const char *why)
{
    memset(out, 0, sizeof(*out));
    return ac_error_make(p, AC_E_FORWARDED_INVALID, "the %s header from a "
                         "trusted proxy %s", header, why);
}

/* the last value of one header's list, within the length bound */
static const char *last_value(apr_pool_t *p, const char *header, const char **v)
{
    if (strlen(header) > AC_FORWARDED_MAX) {
        return "is too long";
    }
    return last_element(p, header, v);
}

static ac_error *parse_rfc7239(apr_pool_t *p, const char *header, ac_forwarded *out)
{
    element_params ep = { NULL, NULL, NULL, NULL };
    const char *el, *why;

    if ((why = last_value(p, header, &el)) != NULL
        || (why = parse_element(p, el, &ep)) != NULL
        || (ep.proto && (why = check_scheme(ep.proto, &out->scheme)) != NULL)
        || (ep.host && (why = ac_url_authority_parse(p, ep.host, &out->host,
                                                     &out->port)) != NULL)) {
        return refuse(p, out, "Forwarded", why);
    }
    return NULL;
}

static ac_error *parse_x_forwarded(apr_pool_t *p, const ac_forwarded_headers *h,
                                   ac_forwarded *out)
{
    const char *v, *why;
    int port = 0;

    if (h->x_proto && ((why = last_value(p, h->x_proto, &v)) != NULL
                       || (why = check_scheme(v, &out->scheme)) != NULL)) {
        return refuse(p, out, "X-Forwarded-Proto", why);
    }
    if (h->x_host && ((why = last_value(p, h->x_host, &v)) != NULL
                      || (why = ac_url_authority_parse(p, v, &out->host,
                                                       &out->port)) != NULL)) {
        return refuse(p, out, "X-Forwarded-Host", why);
    }
    if (h->x_port && ((why = last_value(p, h->x_port, &v)) != NULL
                      || (why = check_port(v, &port)) != NULL)) {
        return refuse(p, out, "X-Forwarded-Port", why);
    }
    /* a port in X-Forwarded-Host is the more specific */
    if (out->port == 0) {
        out->port = port;
    }
    return NULL;
}

ac_error *ac_forwarded_parse(apr_pool_t *p, const ac_forwarded_headers *h,
                             ac_forwarded *out)
{
    memset(out, 0, sizeof(*out));
    if (h->forwarded) {
        return parse_rfc7239(p, h->forwarded, out);
    }
    return parse_x_forwarded(p, h, out);
}

/* ---- the origin -------------------------------------------------------------------- */

static int default_port(const char *scheme)
{
    return strcmp(scheme, "https") == 0 ? 443 : 80;
}

const char *ac_forwarded_origin(apr_pool_t *p, const ac_forwarded *fw,
                                const char *scheme, const char *host, int port)
{
    int v6;

    if (fw->scheme || fw->host) {
        scheme = fw->scheme ? fw->scheme : scheme;
        host = fw->host ? fw->host : host;
        port = default_port(scheme);
    }
    if (fw->port) {
        port = fw->port;
    }
    /* httpd's own name comes with its brackets; a parsed one without */
    v6 = strchr(host, ':') != NULL && host[0] != '[';
    if (port == default_port(scheme)) {
        return apr_pstrcat(p, scheme, "://", v6 ? "[" : "", host, v6 ? "]" : "",
                           NULL);
    }
    return apr_psprintf(p, "%s://%s%s%s:%d", scheme, v6 ? "[" : "", host,
                        v6 ? "]" : "", port);
}
