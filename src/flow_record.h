/*
 * flow_record.h - the temporary credentials of a login in progress (state,
 * nonce, PKCE verifier, original URL), stored in the cache under the state
 * (OAuth 1.0a: under the request token) and bound to the browser by the flow
 * cookie's id.
 */
#ifndef AC_FLOW_RECORD_H
#define AC_FLOW_RECORD_H

#include "util.h"

typedef struct ac_flow_entry {
    const char *flow_id;        /* must equal the flow cookie's value */
    /* what made it: the session scope (vhost) and the provider's
     * configuration fingerprint; refused anywhere else */
    const char *scope;
    const char *provider;
    const char *fingerprint;
    const char *original_url;
    const char *redirect_uri;   /* sent at authorize, repeated at the token call */
    const char *nonce;          /* OIDC; may be "" */
    const char *code_verifier;  /* PKCE; "" when off */
    const char *token_secret;   /* OAuth 1.0a request token secret; may be "" */
    apr_time_t created;
} ac_flow_entry;

ac_error *ac_flow_entry_encode(apr_pool_t *p, const ac_flow_entry *e,
                               char **buf, apr_size_t *len);
ac_error *ac_flow_entry_decode(apr_pool_t *p, char *buf, apr_size_t len,
                               ac_flow_entry *e);

#endif
