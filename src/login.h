/*
 * login.h - one login in progress, the table of login kinds, and the login
 * services the kinds share.
 *
 * The layers, each calling only downwards:
 *   dispatch.c, callback.c    check_authn, chooser, callback (the dispatcher)
 *   login_kinds.c             the one place a kind is chosen
 *   login_oauth2.c, login_oauth1.c    the kinds: one ac_login_kind each
 *   login.c                   services: flow cookie, cache entries, endpoints
 *   session.c, cache.c, errorpage.c and the core library
 *
 * A new kind is one new file exporting an ac_login_kind, plus its entry in
 * login_kinds.c.
 */
#ifndef AC_LOGIN_H
#define AC_LOGIN_H

#include "auth_client.h"
#include "flow_record.h"
#include "oauth2.h"
#include "oidc.h"
#include "relay_upstream.h"

typedef struct ac_login_kind ac_login_kind;

/* One login in progress, from its start to its callback. */
typedef struct ac_login {
    request_rec *r;
    const ac_provider *pv;
    const ac_login_kind *kind;
    ac_http_opts http;              /* this vhost's, computed once per login */
    ac_flow_entry fe;               /* what the cache holds between the two */
    apr_table_t *params;            /* the callback's query; NULL at start */

    /* what the kind's complete() found out */
    json_t *claims;                 /* who logged in, before flattening */
    ac_token_response tokens;
    const char *token_secret;       /* OAuth 1.0a */
} ac_login;

struct ac_login_kind {
    const char *name;               /* for log lines */
    const char *cache_type;         /* its cache key space */
    /*
     * Does this callback belong to a login of this kind?  Sets *key to the
     * cache key its parameters name (NULL: not this kind), or returns an
     * error when they name one badly.  `flow_id` is the browser's flow
     * cookie, for kinds whose key the provider chooses.
     */
    ac_error *(*callback_key)(request_rec *r, apr_table_t *params,
                              const char *flow_id, const char **key);
    /* Store the login in progress and give the provider URL to go to. */
    ac_error *(*start)(ac_login *lg, const char **location);
    /* At the callback: the protocol, its checks, claims and tokens. */
    ac_error *(*complete)(ac_login *lg);
    /* A new token set for `refresh_token` into lg->tokens, its id_token
     * (if any) checked to name `sub`; NULL for kinds without refresh. */
    ac_error *(*refresh)(ac_login *lg, const char *refresh_token, const char *sub);
    /* The API relay (relay.c): the credentials of `t` for a call to `url`
     * (under pv's APIBaseURL) into `out`.  `form` holds the parameters of
     * the call's form body when relay_signs_form is set and the body is a
     * form, else NULL.  NULL for kinds without a relay. */
    ac_error *(*relay)(request_rec *r, const ac_provider *pv, const ac_token_set *t,
                       const char *url, const apr_array_header_t *form,
                       ac_relay_signed *out);
    int relay_signs_form;
};

extern const ac_login_kind ac_login_oauth2;     /* OpenID Connect, OAuth 2.0 */
extern const ac_login_kind ac_login_oauth1;     /* OAuth 1.0a */

/* ---- login_kinds.c ------------------------------------------------------- */
const ac_login_kind *ac_login_kind_of(const ac_provider *pv);
/* The kind whose cache entry a callback names; an error when none does. */
ac_error *ac_login_kind_of_callback(request_rec *r, apr_table_t *params,
                                    const char *flow_id,
                                    const ac_login_kind **kind, const char **key);

/* ---- login.c: the services ------------------------------------------------- */
/* A new login of `pv` towards `original_url`, bound to this browser's flow
 * cookie; the kind's start() adds what its protocol needs. */
ac_error *ac_login_begin(request_rec *r, const ac_provider *pv,
                         const char *original_url, ac_login *lg);
/* Store lg->fe under `key` in the kind's key space, for AuthClientStateTimeout. */
ac_error *ac_login_store(ac_login *lg, const char *key);
/* A login context for work on an existing session of `pv` (a refresh). */
void ac_login_for_session(request_rec *r, const ac_provider *pv, ac_login *lg);
/* The browser's flow cookie, or NULL when it has none of the right shape. */
const char *ac_login_flow_cookie(request_rec *r);
/*
 * At the callback: take (single use) the entry `key` of `kind`, check that
 * it belongs to this browser and to a provider of this vhost, and fill lg.
 */
ac_error *ac_login_resume(request_rec *r, const ac_login_kind *kind,
                          const char *key, apr_table_t *params, ac_login *lg);
/* An OpenID provider's discovered endpoints; a stale copy is logged. */
ac_error *ac_login_discovery(request_rec *r, const ac_http_opts *h,
                             const ac_provider *pv, const ac_oidc_metadata **md);
/* One field of a form body read with ap_parse_form_data, as a string; NULL
 * when unreadable or longer than `max` bytes. */
const char *ac_form_value(apr_pool_t *p, ap_form_pair_t *pair, apr_off_t max);
int ac_redirect(request_rec *r, int status, const char *location);

#endif
