/*
 * relay_upstream.h - the API relay's upstream request, without httpd: is
 * its URL under the provider's API base URL, the parameters of its form
 * body, and its OAuth 1.0a signature (relay.c is the httpd side).
 */
#ifndef AC_RELAY_UPSTREAM_H
#define AC_RELAY_UPSTREAM_H

#include "util.h"
#include "oauth1.h"

/*
 * NULL when `url` lies under `base` (an API base URL), else why not.
 * Under means: both http(s) without userinfo, the same scheme, host and
 * port, and a path that starts with the base's path - a base path
 * without a trailing '/' counts as a whole segment, so ".../v1" admits
 * ".../v1" and ".../v1/x" but not ".../v1x".  A URL whose path the
 * upstream could read differently from this comparison is never under
 * anything: "." or ".." segments (also %2e-encoded, also with
 * ";parameters"), an encoded '/' or '\' (%2f, %5c), a raw backslash,
 * controls, spaces or a fragment.  With `pattern` set, `url` is a
 * ProxyPass(Match) target whose "$1" substitutions are not known yet:
 * the base's path must then be complete before the first '$'.  Without
 * it (a URL about to be used) a '$' is an ordinary character.
 */
const char *ac_relay_outside_base(apr_pool_t *p, const char *base,
                                  const char *url, int pattern);

/* Is `content_type` application/x-www-form-urlencoded (any parameters,
 * any case)?  Only such a body is signed (RFC 5849 3.4.1.3.1). */
int ac_relay_is_form(const char *content_type);

/*
 * The parameters of a form body of `len` bytes as ac_kv (decoded by the
 * form rules, '+' a space), in order, duplicates kept, empty pieces
 * skipped: what RFC 5849 3.4.1.3.1 signs and oauthlib verifies.  A
 * malformed %-escape, an encoded or raw NUL, or more than `max_params`
 * parameters is an error.
 */
ac_error *ac_relay_form_params(apr_pool_t *p, const char *body, apr_size_t len,
                               int max_params, apr_array_header_t **out);

/* The Authorization value "Bearer TOKEN" (RFC 6750 2.1); an error
 * ("token_malformed") for a token with a character that is not visible
 * ASCII, which would break the header line. */
ac_error *ac_relay_bearer(apr_pool_t *p, const char *token,
                          const char **authorization);

/* What the relay changes in a request it signs. */
typedef struct ac_relay_signed {
    /* the upstream URL, with the oauth_* parameters appended for query
     * placement */
    const char *url;
    /* header placement: the Authorization value, else NULL */
    const char *authorization;
    /* body placement: "oauth_...=...&..." to append to the form body
     * (after a '&' when the body is not empty), else NULL */
    const char *body_params;
} ac_relay_signed;

/*
 * Sign a relayed request (RFC 5849 3.4) with the session's token
 * credentials: `method` and `url` (its query signed as it is), and the
 * parameters of its form body `form` (from ac_relay_form_params; NULL
 * when the body is not a form, which is then not signed).  Placement as
 * the client says; body placement needs a form body and falls back to
 * the query without one.  `nonce` and `timestamp` are the caller's, so
 * that published examples can be reproduced.
 */
ac_error *ac_relay_oauth1_sign(apr_pool_t *p, const ac_oauth1_client *c,
                               const char *method, const char *url,
                               const apr_array_header_t *form,
                               const char *token, const char *token_secret,
                               const char *nonce, const char *timestamp,
                               ac_relay_signed *out);

#endif
