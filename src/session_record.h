/*
 * session_record.h - the session as stored in the cache.  Encoded once at
 * login, decoded on every authenticated request by walking NUL separators in
 * the decrypted buffer (no JSON, no copies of the strings).  The tokens are
 * not here but in their own record (token_record.h), read only by the
 * requests that use them.
 */
#ifndef AC_SESSION_RECORD_H
#define AC_SESSION_RECORD_H

#include "claims.h"

typedef struct ac_session_record {
    /* what made it: the session scope (vhost) and the provider's
     * configuration fingerprint; refused anywhere else */
    const char *scope;
    const char *provider;
    const char *fingerprint;
    const char *remote_user;
    apr_time_t created;             /* login time */
    apr_time_t expires;             /* hard limit (maximum duration) */
    apr_time_t last_seen;           /* for the inactivity timeout, touched lazily */
    /* when the access token expires (0: not said), so that a refresh can
     * be seen to be due without reading the tokens (token_record.h) */
    apr_time_t access_expires;
    apr_array_header_t *claims;     /* ac_claim */
} ac_session_record;

ac_error *ac_session_record_encode(apr_pool_t *p, const ac_session_record *s,
                                   char **buf, apr_size_t *len);

/* `buf` is used in place (the record points into it); it must stay alive. */
ac_error *ac_session_record_decode(apr_pool_t *p, char *buf, apr_size_t len,
                                   ac_session_record *s);

#endif
