/*
 * introspection.h - opaque access tokens through the provider's
 * introspection endpoint (RFC 7662): the request, the answer, and the rules
 * for reusing an answer from the cache.
 */
#ifndef AC_INTROSPECTION_H
#define AC_INTROSPECTION_H

#include <jansson.h>
#include "http.h"
#include "json.h"

/* The form to POST (with the client's authentication, oauth2.h):
 * token=...&token_type_hint=access_token. */
const char *ac_introspection_form(apr_pool_t *p, const char *token);

/*
 * The endpoint's answer: HTTP 200 and a JSON object whose "active" is a
 * boolean (RFC 7662 2.2), else introspection_http_status or
 * introspection_malformed.  An inactive token is a valid answer here.
 */
ac_error *ac_introspection_parse(apr_pool_t *p, const ac_http_response *resp,
                                 json_t **result);

/*
 * What an answer must say before it counts, whichever location asks:
 * active true (bearer_inactive), iss when present the provider's `issuer`
 * (bearer_iss), token_type when present Bearer (bearer_token_type: no
 * refresh or DPoP-bound token passes as a bearer token).  The location's
 * own rules (aud, times, scopes) are access_token.h's.
 */
ac_error *ac_introspection_check(apr_pool_t *p, json_t *result,
                                 const char *issuer);

/*
 * Until when an answer fetched at `fetched` may stand for a new request: the
 * earlier of its exp and fetched + ttl seconds.  0 - never - for an answer
 * that is not active true, a ttl of 0 or less, or an exp already past.
 */
apr_time_t ac_introspection_cache_until(json_t *result, apr_time_t fetched,
                                        int ttl);

/* The cache entry of an answer: its fetch time and the answer. */
ac_error *ac_introspection_entry_encode(apr_pool_t *p, apr_time_t fetched,
                                        json_t *result, char **buf,
                                        apr_size_t *len);

/*
 * An entry read back, for a location whose TTL is `ttl`: *result is the
 * answer when ac_introspection_cache_until says it still stands at `now`,
 * else NULL (also for an entry that does not decode: it is absent).
 */
void ac_introspection_entry_decode(apr_pool_t *p, char *buf, apr_size_t len,
                                   apr_time_t now, int ttl, json_t **result);

#endif
