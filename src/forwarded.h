/*
 * forwarded.h - what a reverse proxy says about the request it forwards:
 * the Forwarded header (RFC 7239) or X-Forwarded-Proto/Host/Port, parsed
 * and validated, and the external origin built from them.
 *
 * The glue (origin.c) calls this only for peers in AuthClientTrustedProxy;
 * everything here treats the headers as hostile input.
 */
#ifndef AC_FORWARDED_H
#define AC_FORWARDED_H

#include "error.h"

/* the headers as they arrived (NULL when absent); httpd joins repeated
 * header lines with ", ", so each may be a list */
typedef struct ac_forwarded_headers {
    const char *forwarded;
    const char *x_proto;
    const char *x_host;
    const char *x_port;
} ac_forwarded_headers;

/* what the nearest proxy said; each NULL / 0 when it said nothing */
typedef struct ac_forwarded {
    const char *scheme;         /* "http" or "https" */
    const char *host;           /* lower case, IPv6 without brackets */
    int port;                   /* from host[:port] or X-Forwarded-Port */
} ac_forwarded;

/* Any of the four headers present? */
int ac_forwarded_present(const ac_forwarded_headers *h);

/*
 * Parse what the nearest proxy appended: the last element of Forwarded
 * when that header is present (X-Forwarded-* are then ignored), else the
 * last value of each X-Forwarded-* list.  proto must be http or https,
 * host a host name or IP literal with an optional port, port 1-65535;
 * a Forwarded element must follow RFC 7239's grammar with no parameter
 * twice.  On error *out is cleared and the message says which header
 * and why (without the header's value).
 */
ac_error *ac_forwarded_parse(apr_pool_t *p, const ac_forwarded_headers *h,
                             ac_forwarded *out);

/*
 * "scheme://host[:port]" for the request: httpd's own view (`scheme`,
 * `host`, `port`) with what `fw` says put over it.  A forwarded scheme or
 * host without a port means the scheme's default port, not httpd's.  The
 * port is left out when it is the scheme's default; an IPv6 host gets its
 * brackets.
 */
const char *ac_forwarded_origin(apr_pool_t *p, const ac_forwarded *fw,
                                const char *scheme, const char *host, int port);

#endif
