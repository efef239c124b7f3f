/*
 * logout_token.h - the Logout Token of OpenID Connect Back-Channel Logout
 * 1.0 (section 2.4), validated as its section 2.6 asks.
 */
#ifndef AC_LOGOUT_TOKEN_H
#define AC_LOGOUT_TOKEN_H

#include <apr_tables.h>
#include <apr_time.h>

#include "error.h"

/* The member of "events" that makes a JWT a logout token. */
#define AC_BACKCHANNEL_LOGOUT_EVENT "http://schemas.openid.net/event/backchannel-logout"

/* What a logout token must be, for one provider block. */
typedef struct ac_logout_expect {
    const char *issuer;                 /* exact match */
    const char *client_id;              /* in aud */
    const char *client_secret;          /* HMAC key, only when HS* is allowed */
    const apr_array_header_t *allowed_algs; /* as for the ID token */
    apr_time_t now;
    int clock_skew;                     /* seconds */
    int iat_max_age;                    /* seconds */
} ac_logout_expect;

/* What a valid logout token says. */
typedef struct ac_logout_claims {
    const char *sid;                    /* NULL when absent */
    const char *sub;                    /* NULL when absent; one of the two is set */
    const char *jti;
    /* when the token stops being accepted anyway (its exp, or iat plus the
     * allowed age, whichever is first, plus the skew): a record of its jti
     * against replays is needed until then */
    apr_time_t until;
} ac_logout_claims;

/*
 * Validate `jwt` against the provider's JWKS: the signature exactly as for
 * an ID token (jose.h: algorithm allow-list, never none, no keys from the
 * header, kid lookup), a typ header (when present) that is JWT or
 * logout+jwt, then iss, aud containing the client id, iat not in the future
 * and not older than iat_max_age (both with the skew), exp when present,
 * events with the back-channel logout member (an object), sid and/or sub,
 * a jti, and no nonce (an ID token is never a logout token).  Replays are
 * the caller's to refuse (ac_logout_claims.until).  The error codes are
 * logout_token_* and, for the JWKS, jwks_invalid / jwks_kid_unknown (the
 * caller may refetch the JWKS once and retry).
 */
ac_error *ac_logout_token_validate(apr_pool_t *p, const char *jwt,
                                   const char *jwks_json,
                                   const ac_logout_expect *e,
                                   ac_logout_claims *out);

#endif
