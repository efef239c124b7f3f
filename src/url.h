/*
 * url.h - URL checks that stand between an attacker-supplied string and a
 * Location header.
 */
#ifndef AC_URL_H
#define AC_URL_H

#include "util.h"

/*
 * Accept `target` as a post-login / post-logout redirect only when it is a
 * local path ("/..." but not "//" or "/\\") or an absolute http(s) URL whose
 * scheme, host and port equal `self_origin` ("https://host[:port]") or start
 * one of the `allow` prefixes.  Rejects control characters (tab, CR, LF),
 * backslashes, userinfo ("@"), percent-encoded slashes or backslashes in the
 * authority-relevant part, scheme tricks (javascript:, data:, mixed case
 * variants) and anything not parseable.  Returns NULL when acceptable.
 */
ac_error *ac_redirect_check(apr_pool_t *p, const char *target,
                            const char *self_origin,
                            const apr_array_header_t *allow);

/* An absolute http(s) URL's origin, normalised for comparison. */
typedef struct ac_url_origin {
    const char *scheme;         /* "http" or "https", lower case */
    const char *host;           /* lower case, IPv6 without brackets */
    int port;                   /* explicit or the scheme's default */
    const char *rest;           /* path, query and fragment: "" or "/..." */
} ac_url_origin;

/* Split "http(s)://host[:port]/rest".  Returns NULL on success, else why
 * the URL is refused (userinfo, a %-escape or a bad character in the
 * authority, a bad port, another scheme). */
const char *ac_url_origin_parse(apr_pool_t *p, const char *url, ac_url_origin *o);

/* "host[:port]" or "[v6][:port]" alone (a Host-like header): the host in
 * lower case (IPv6 without brackets), the port or 0 when none is given.
 * Returns NULL on success, else why it is refused. */
const char *ac_url_authority_parse(apr_pool_t *p, const char *authority,
                                   const char **host, int *port);

/* The URL as it may appear in a log line or message: no userinfo, no query
 * (codes, tokens), no fragment. */
const char *ac_url_for_log(apr_pool_t *p, const char *url);

/* Is `url` https, or http to a loopback host (127.0.0.0/8, ::1, localhost)? */
int ac_url_is_secure_or_loopback(apr_pool_t *p, const char *url);

/* Append "k=v" (escaped) to `url`, with '?' or '&' as fits. */
char *ac_url_add_param(apr_pool_t *p, const char *url, const char *k, const char *v);

/* Does a cookie with Path `cookie_path` go to requests for `path`?  RFC 6265
 * 5.1.4 path-match: "/app" covers "/app" and "/app/x", not "/apps". */
int ac_cookie_path_covers(const char *cookie_path, const char *path);

/* base + relative, for API base URL + path (relative keys of OAuth providers) */
char *ac_url_join(apr_pool_t *p, const char *base, const char *rel);

/* The port of "host:PORT" between s and end, 1-65535, in *port; an empty
 * one leaves *port alone (the scheme's default).  NULL, or what is wrong. */
const char *ac_url_port_parse(const char *s, const char *end, int *port);

#endif
