/*
 * token_record.h - a session's tokens, as stored in the cache beside the
 * session record but under their own key: the record read on every request
 * holds only what every request needs, and the tokens are read only by
 * those that use them (the token export, refresh, logout, the API relay).
 */
#ifndef AC_TOKEN_RECORD_H
#define AC_TOKEN_RECORD_H

#include "util.h"

typedef struct ac_token_set {
    const char *access_token;
    const char *token_type;         /* "Bearer"; "" for OAuth 1.0a */
    apr_time_t expires;             /* of the access token; 0 = not said */
    const char *refresh_token;      /* "" when none */
    const char *id_token;           /* "" when none */
    const char *token_secret;       /* OAuth 1.0a; "" otherwise */
    /* the refresh token was refused (invalid_grant): never sent again */
    int refresh_dead;
    /* a refresh failed for another reason: none before this time */
    apr_time_t retry_after;
} ac_token_set;

ac_error *ac_token_record_encode(apr_pool_t *p, const ac_token_set *t,
                                 char **buf, apr_size_t *len);
/* `buf` is used in place; it must stay alive as long as `t`. */
ac_error *ac_token_record_decode(apr_pool_t *p, char *buf, apr_size_t len,
                                 ac_token_set *t);

/*
 * Is a refresh due?  When the access token expires within `margin`
 * seconds of `now` (a provider that gave no expiry is never refreshed
 * early), there is a refresh token, it is not dead, and no back-off runs.
 */
int ac_token_refresh_due(const ac_token_set *t, apr_time_t now, int margin);

#endif
