/*
 * session_record.h - the session as stored in the cache.  Encoded once at
 * login, decoded on every authenticated request by walking NUL separators in
 * the decrypted buffer (no JSON, no copies of the strings).
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
    const char *access_token;       /* may be "" */
    const char *id_token;           /* for id_token_hint at logout; may be "" */
    const char *refresh_token;      /* may be "" */
    const char *token_secret;       /* OAuth 1.0a token secret; may be "" */
    apr_array_header_t *claims;     /* ac_claim */
} ac_session_record;

ac_error *ac_session_record_encode(apr_pool_t *p, const ac_session_record *s,
                                   char **buf, apr_size_t *len);

/* `buf` is used in place (the record points into it); it must stay alive. */
ac_error *ac_session_record_decode(apr_pool_t *p, char *buf, apr_size_t len,
                                   ac_session_record *s);

#endif
