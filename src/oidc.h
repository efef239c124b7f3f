/*
 * oidc.h - the OpenID Connect protocol steps that need the network:
 * discovery and JWKS, cached per process.
 */
#ifndef AC_OIDC_H
#define AC_OIDC_H

#include <jansson.h>
#include "config.h"
#include "http.h"

typedef struct ac_oidc_metadata {
    const char *issuer;
    const char *authorization_endpoint;
    const char *token_endpoint;
    const char *userinfo_endpoint;      /* may be NULL */
    const char *jwks_uri;
    const char *end_session_endpoint;   /* may be NULL */
    const char *revocation_endpoint;    /* RFC 7009; may be NULL */
    int iss_parameter_supported;        /* RFC 9207 */
    const char *introspection_endpoint; /* RFC 7662 (RFC 8414 name); may be NULL */
} ac_oidc_metadata;

/*
 * The issuer a metadata URL was built from (OIDC Discovery 4, RFC 8414 3):
 * the well-known segment removed, whether appended or inserted before the
 * path.  NULL when the URL has no well-known segment.
 */
const char *ac_oidc_issuer_from_url(apr_pool_t *p, const char *url);

/* A process's in-memory discovery / JWKS cache (kept in core_state.h,
 * which decides when it is made and ended); without one, documents are
 * fetched every time. */
typedef struct ac_doc_cache ac_doc_cache;
ac_error *ac_doc_cache_create(apr_pool_t *pproc, ac_doc_cache **out);
void ac_doc_cache_destroy(ac_doc_cache *c);       /* NULL: nothing */

/*
 * The provider's effective endpoints: explicit provider keys win, the rest
 * come from the discovery document at server_metadata_url (fetched at most
 * once per `ttl` seconds per process; when a refresh fails a stale copy is
 * used and the failure is reported through *warning).  The discovery
 * document's issuer must equal the metadata URL's issuer (OIDC Discovery 4.3).
 * Without a metadata URL the explicit keys must be complete.
 */
ac_error *ac_oidc_metadata_get(apr_pool_t *p, const ac_http_opts *h,
                               const ac_provider *pv, int ttl,
                               const ac_oidc_metadata **out,
                               const char **warning);

/*
 * What ac_oidc_metadata_get does once it has the discovery document: `body`
 * (`len` bytes; NULL when the provider has no ServerMetadataURL) parsed,
 * its issuer checked, its endpoints merged under the provider's explicit
 * keys and the result checked for completeness.  No network: the fuzzers
 * call it directly.
 */
ac_error *ac_oidc_metadata_parse(apr_pool_t *p, const ac_provider *pv,
                                 const char *body, apr_size_t len,
                                 const ac_oidc_metadata **out);

/*
 * The JWKS document at `jwks_uri` of provider `pv`, cached per process.  With `kid_miss` set
 * (the cached set had no key for a token's kid) it is fetched again, but at
 * most once per `min_interval` seconds, so a flood of unknown kids causes at
 * most one fetch per interval.
 */
ac_error *ac_oidc_jwks_get(apr_pool_t *p, const ac_http_opts *h,
                           const ac_provider *pv, const char *jwks_uri, int kid_miss,
                           int min_interval, const char **jwks_json);

#endif
