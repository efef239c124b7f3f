/*
 * url.c - the checks between an attacker-supplied URL and a Location header,
 * and small URL builders.
 *
 * The redirect check is deliberately narrower than RFC 3986: browsers repair
 * URLs in ways that differ between vendors (backslashes become slashes, tabs
 * and newlines are dropped, "https:host" is relative), so anything a browser
 * might read differently from us is refused rather than interpreted.
 */
#include <string.h>

#include <apr_cstr.h>
#include <apr_lib.h>

#include "url.h"

typedef ac_url_origin url_origin;

static ac_error *rejected(apr_pool_t *p, const char *why)
{
    return ac_error_make(p, AC_E_REDIRECT_REJECTED,
                         "the redirect target %s; only a local path or a URL "
                         "of this site or of an allowed origin is followed",
                         why);
}

/*
 * Bytes a browser may drop, fold or reinterpret: controls (raw or
 * %-encoded), space, backslash, non-ASCII, and malformed escapes.
 */
static const char *bad_characters(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c <= 0x20 || c >= 0x7f) {
            return "contains whitespace, a control or a non-ASCII character";
        }
        if (c == '\\') {
            return "contains a backslash";
        }
        if (c == '%') {
            int v;

            if (ac_hex_value((unsigned char)s[1]) < 0
                || ac_hex_value((unsigned char)s[2]) < 0) {
                return "contains a malformed %-escape";
            }
            v = ac_hex_value((unsigned char)s[1]) * 16 + ac_hex_value((unsigned char)s[2]);
            if (v < 0x20 || v == 0x7f) {
                return "contains an encoded control character";
            }
            s += 2;
        }
    }
    return NULL;
}

/* "/x" but not "//x", "/%2fx" or "/%5cx": what some servers and browsers
 * turn into a scheme-relative URL after one round of decoding. */
static int path_is_local(const char *path)
{
    if (path[0] != '/' || path[1] == '/') {
        return 0;
    }
    if (path[1] == '%' && (apr_cstr_casecmpn(path + 1, "%2f", 3) == 0
                           || apr_cstr_casecmpn(path + 1, "%5c", 3) == 0)) {
        return 0;
    }
    return 1;
}

const char *ac_url_port_parse(const char *s, const char *end, int *port)
{
    int n = 0;

    if (s == end) {
        return NULL;            /* "host:" means the default port */
    }
    if (end - s > 5) {
        return "has a bad port";
    }
    for (; s < end; s++) {
        if (!apr_isdigit(*s)) {
            return "has a bad port";
        }
        n = n * 10 + (*s - '0');
    }
    if (n < 1 || n > 65535) {
        return "has a bad port";
    }
    *port = n;
    return NULL;
}

/* Host names as DNS spells them (plus '_', found on intranets), or the
 * inside of an IPv6 literal. */
static int host_chars_ok(const char *s, const char *end, int ipv6)
{
    if (s == end) {
        return 0;
    }
    for (; s < end; s++) {
        int ok = ipv6 ? (apr_isxdigit(*s) || *s == ':' || *s == '.')
                      : (apr_isalnum(*s) || *s == '.' || *s == '-'
                         || *s == '_');

        if (!ok) {
            return 0;
        }
    }
    return 1;
}

static char *lower_dup(apr_pool_t *p, const char *s, const char *end)
{
    char *d = apr_pstrmemdup(p, s, (apr_size_t)(end - s));
    char *c;

    for (c = d; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    return d;
}

/* The host (and port) of an authority "host[:port]" or "[v6][:port]". */
static const char *parse_host_port(apr_pool_t *p, const char *a,
                                   const char *end, url_origin *o)
{
    const char *host_end, *colon;

    if (*a == '[') {
        host_end = memchr(a, ']', (apr_size_t)(end - a));
        if (host_end == NULL || !host_chars_ok(a + 1, host_end, 1)
            || (host_end + 1 < end && host_end[1] != ':')) {
            return "has a malformed IPv6 address";
        }
        colon = host_end + 1 < end ? host_end + 1 : NULL;
        a++;
    }
    else {
        colon = memchr(a, ':', (apr_size_t)(end - a));
        host_end = colon ? colon : end;
        if (!host_chars_ok(a, host_end, 0)) {
            return "has an empty or malformed host";
        }
    }
    /* host names compare case-insensitively (RFC 3986 3.2.2) */
    o->host = lower_dup(p, a, host_end);
    return colon ? ac_url_port_parse(colon + 1, end, &o->port) : NULL;
}

const char *ac_url_authority_parse(apr_pool_t *p, const char *authority,
                                   const char **host, int *port)
{
    url_origin o;
    const char *why;

    o.port = 0;
    if ((why = parse_host_port(p, authority, authority + strlen(authority), &o))) {
        return why;
    }
    *host = o.host;
    *port = o.port;
    return NULL;
}

const char *ac_url_origin_parse(apr_pool_t *p, const char *url, ac_url_origin *o)
{
    const char *a, *end;

    if (apr_cstr_casecmpn(url, "https://", 8) == 0) {
        o->scheme = "https";
        o->port = 443;
        a = url + 8;
    }
    else if (apr_cstr_casecmpn(url, "http://", 7) == 0) {
        o->scheme = "http";
        o->port = 80;
        a = url + 7;
    }
    else {
        return "is neither a local path nor an http(s) URL";
    }
    end = a + strcspn(a, "/?#");
    o->rest = end;
    /* userinfo lets "https://good@evil" look like good */
    if (memchr(a, '@', (apr_size_t)(end - a)) != NULL) {
        return "has user information ('@') in its authority";
    }
    if (memchr(a, '%', (apr_size_t)(end - a)) != NULL) {
        return "has a %-escape in its authority";
    }
    return parse_host_port(p, a, end, o);
}

static int origin_equal(const url_origin *a, const url_origin *b)
{
    return strcmp(a->scheme, b->scheme) == 0 && strcmp(a->host, b->host) == 0
        && a->port == b->port;
}

/* A "." or ".." segment, also as %2e: it would let "/app/../admin" pass an
 * allow-list prefix "/app" before the browser removes it. */
static int has_dot_segment(apr_pool_t *p, const char *rest)
{
    char *path = apr_pstrmemdup(p, rest, strcspn(rest, "?#"));
    char *seg, *last, *d;

    for (d = path; (d = strstr(d, "%2")) != NULL; d++) {
        if (d[2] == 'e' || d[2] == 'E') {
            d[0] = '.';
            memmove(d + 1, d + 3, strlen(d + 3) + 1);
        }
    }
    for (seg = apr_strtok(path, "/", &last); seg != NULL;
         seg = apr_strtok(NULL, "/", &last)) {
        if (strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0) {
            return 1;
        }
    }
    return 0;
}

/*
 * An allow-list entry matches as a whole origin ("https://app.example") or
 * as an origin plus path prefix ("https://app.example/portal"), the prefix
 * ending at a segment boundary so "/portal" does not admit "/portalx".
 */
static int allowed_by(apr_pool_t *p, const url_origin *t, const char *entry)
{
    url_origin e;
    apr_size_t n;

    if (ac_url_origin_parse(p, entry, &e) != NULL || !origin_equal(t, &e)) {
        return 0;
    }
    n = strlen(e.rest);
    if (n == 0 || strcmp(e.rest, "/") == 0) {
        return 1;
    }
    if (strncmp(t->rest, e.rest, n) != 0 || has_dot_segment(p, t->rest)) {
        return 0;
    }
    return e.rest[n - 1] == '/' || t->rest[n] == '\0' || t->rest[n] == '/'
        || t->rest[n] == '?' || t->rest[n] == '#';
}

ac_error *ac_redirect_check(apr_pool_t *p, const char *target,
                            const char *self_origin,
                            const apr_array_header_t *allow)
{
    url_origin t, self;
    const char *why;
    int i;

    if (target == NULL || *target == '\0') {
        return rejected(p, "is empty");
    }
    if ((why = bad_characters(target)) != NULL) {
        return rejected(p, why);
    }
    if (target[0] == '/') {
        return path_is_local(target)
            ? NULL : rejected(p, "starts like a scheme-relative URL");
    }
    if ((why = ac_url_origin_parse(p, target, &t)) != NULL) {
        return rejected(p, why);
    }
    if (t.rest[0] == '/' && !path_is_local(t.rest)) {
        return rejected(p, "has a path that starts with an encoded slash");
    }
    if (self_origin && ac_url_origin_parse(p, self_origin, &self) == NULL
        && origin_equal(&t, &self)) {
        return NULL;
    }
    for (i = 0; allow && i < allow->nelts; i++) {
        if (allowed_by(p, &t, APR_ARRAY_IDX(allow, i, const char *))) {
            return NULL;
        }
    }
    return rejected(p, "points to another origin");
}

/* 127.0.0.0/8 in dotted-quad form. */
static int is_ipv4_loopback(const char *host)
{
    int octets = 0, value = -1;
    int first = -1;

    for (;; host++) {
        if (apr_isdigit(*host)) {
            /* a leading zero makes the octet octal to inet_aton, and so
             * to getaddrinfo and curl: "0127.0.0.1" is 87.0.0.1 */
            if (value == 0) {
                return 0;
            }
            value = (value < 0 ? 0 : value * 10) + (*host - '0');
            if (value > 255) {
                return 0;
            }
            continue;
        }
        if (value < 0 || (*host != '.' && *host != '\0')) {
            return 0;
        }
        if (++octets == 1) {
            first = value;
        }
        if (*host == '\0') {
            break;
        }
        value = -1;
    }
    return octets == 4 && first == 127;
}

int ac_url_is_secure_or_loopback(apr_pool_t *p, const char *url)
{
    url_origin o;

    if (url == NULL || ac_url_origin_parse(p, url, &o) != NULL) {
        return 0;
    }
    if (strcmp(o.scheme, "https") == 0) {
        return 1;
    }
    return strcmp(o.host, "localhost") == 0 || strcmp(o.host, "::1") == 0
        || is_ipv4_loopback(o.host);
}

char *ac_url_add_param(apr_pool_t *p, const char *url, const char *k,
                       const char *v)
{
    const char *fragment = strchr(url, '#');
    char *base = fragment ? apr_pstrmemdup(p, url, (apr_size_t)(fragment - url))
                          : apr_pstrdup(p, url);
    apr_size_t n = strlen(base);
    const char *sep;

    if (strchr(base, '?') == NULL) {
        sep = "?";
    }
    else if (n > 0 && (base[n - 1] == '?' || base[n - 1] == '&')) {
        sep = "";
    }
    else {
        sep = "&";
    }
    /* the fragment stays last, where a browser looks for it */
    return apr_pstrcat(p, base, sep, ac_url_escape(p, k), "=",
                       ac_url_escape(p, v), fragment ? fragment : "", NULL);
}

char *ac_url_join(apr_pool_t *p, const char *base, const char *rel)
{
    int base_slash, rel_slash;
    apr_size_t n;

    if (rel == NULL || *rel == '\0') {
        return apr_pstrdup(p, base ? base : "");
    }
    /* a provider key may give a full URL instead of a relative one */
    if (base == NULL || *base == '\0'
        || apr_cstr_casecmpn(rel, "https://", 8) == 0
        || apr_cstr_casecmpn(rel, "http://", 7) == 0) {
        return apr_pstrdup(p, rel);
    }
    n = strlen(base);
    base_slash = base[n - 1] == '/';
    rel_slash = rel[0] == '/';
    if (base_slash && rel_slash) {
        return apr_pstrcat(p, base, rel + 1, NULL);
    }
    if (!base_slash && !rel_slash) {
        return apr_pstrcat(p, base, "/", rel, NULL);
    }
    return apr_pstrcat(p, base, rel, NULL);
}

const char *ac_url_for_log(apr_pool_t *p, const char *url)
{
    apr_size_t end = strcspn(url, "?#");
    const char *sep = strstr(url, "://");
    const char *auth = (sep != NULL && sep < url + end) ? sep + 3 : url;
    const char *auth_end = auth + strcspn(auth, "/?#");
    const char *at = NULL;
    const char *c;

    for (c = auth; c < auth_end; c++) {
        if (*c == '@') {
            at = c;
        }
    }
    if (at != NULL) {
        return apr_pstrcat(p, apr_pstrmemdup(p, url, auth - url),
                           apr_pstrmemdup(p, at + 1, url + end - (at + 1)),
                           NULL);
    }
    return apr_pstrmemdup(p, url, end);
}

int ac_cookie_path_covers(const char *cookie_path, const char *path)
{
    apr_size_t n = strlen(cookie_path);

    if (strncmp(cookie_path, path, n) != 0) {
        return 0;
    }
    return path[n] == '\0' || (n > 0 && cookie_path[n - 1] == '/')
        || path[n] == '/';
}
