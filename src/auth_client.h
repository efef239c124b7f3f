/*
 * auth_client.h - the private header of mod_auth_client's httpd glue.
 *
 * The glue files (directives.c, cache.c, session.c, dispatch.c,
 * callback.c, login*.c, logout.c, authz.c, errorpage.c) include this; the
 * core files (everything with its own header) do not, so they stay free of
 * httpd symbols.  login.h adds the login kinds and their services.
 */
#ifndef AC_AUTH_CLIENT_H
#define AC_AUTH_CLIENT_H

#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <ap_regex.h>

#include "config.h"
#include "claims.h"
#include "session_record.h"
#include "http.h"
#include "cookie.h"
#include "oauth2.h"
#include "template.h"
#include "token_record.h"
#include "metrics.h"

extern module AP_MODULE_DECLARE_DATA auth_client_module;
APLOG_USE_MODULE(auth_client);

#define AC_AUTH_TYPE "oauth"
#define AC_MUTEX_TYPE "auth-client-cache"
#define AC_LOG_TAG "mod_auth_client"
/* Each message's stable number, as httpd's APLOGNO: "AC01234: ".  One
 * number a message, never reused; test/lognos.py checks and assigns them. */
#define ACLOGNO(n) "AC" #n ": "

/* ---- pages.c ------------------------------------------------------------------ */
typedef enum {
    AC_PAGE_CHOOSER,
    AC_PAGE_LOGOUT,
    AC_PAGE_SIGNED_OUT,
    AC_PAGE_ERROR,
    AC_PAGE_COUNT
} ac_page_id;
/* AuthClientTemplateDir: reads and checks the pages found there */
const char *ac_pages_set_dir(cmd_parms *cmd, void *dummy, const char *arg);
/* Writes page `id` with status, the vhost's template (or the built-in
 * one) filled with `vars` plus {{title}} and {{site}}; no-store. */
void ac_page_write(request_rec *r, int status, ac_page_id id, const char *title,
                   const ac_template_var *vars, apr_size_t nvars);

/* ---- outbound.c ------------------------------------------------------------- */
/* The vhost's HTTP options for calls made for `r`, each call logged at
 * debug when the request's log level asks for it. */
void ac_request_http_opts(request_rec *r, ac_http_opts *o);

/* ---- audit.c ---------------------------------------------------------------- */
/* One INFO line per login, logout, refresh and logout from the provider:
 *   AC01234: mod_auth_client: audit: login ok: user "alice", provider op
 * `number` is ACLOGNO(nnnnn); `user` may be NULL (not known yet), `detail`
 * NULL or a few words (an error code, a count) - never a token. */
void ac_audit(request_rec *r, const char *number, const char *event,
              const char *outcome, const char *user, const char *provider,
              const char *detail);

/* ---- directives.c ---------------------------------------------------------- */
extern const command_rec ac_directives[];
void *ac_create_server_config(apr_pool_t *p, server_rec *s);
void *ac_merge_server_config(apr_pool_t *p, void *base, void *add);
void *ac_create_dir_config(apr_pool_t *p, char *dir);
void *ac_merge_dir_config(apr_pool_t *p, void *base, void *add);
/* every startup check; fails `apachectl -t` with file, line and fix */
int ac_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp,
                    server_rec *s);

static APR_INLINE ac_server_conf *ac_sconf(const server_rec *s)
{
    return ap_get_module_config(s->module_config, &auth_client_module);
}

static APR_INLINE ac_dir_conf *ac_dconf(const request_rec *r)
{
    return ap_get_module_config(r->per_dir_config, &auth_client_module);
}


/* ---- cache.c --------------------------------------------------------------- */
void ac_cache_pre_config(apr_pool_t *pconf);
/* check_config: find the socache provider and create the instance, as
 * the record's cache (module_state.h) */
const char *ac_cache_configure(apr_pool_t *pconf, apr_pool_t *ptemp,
                               ac_global_conf *g);
/* post_config: keep the embedded cache of before a graceful restart, or
 * start the caches afresh */
int ac_cache_post_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s);
void ac_cache_child_init(apr_pool_t *pchild, server_rec *s);
void ac_cache_register_hooks(apr_pool_t *p);

/* Types of entries; each is a separate key space. */
#define AC_CACHE_SESSION "session"
/* a session's claims when too large for its record (session_claims.c) */
#define AC_CACHE_CLAIMS "claims"
#define AC_CACHE_FLOW "flow"
/* where a completed login went, for its callback replayed (callback.c) */
#define AC_CACHE_LOGIN_DONE "login-done"

ac_error *ac_cache_put(request_rec *r, const char *type, const char *id,
                       const char *value, apr_size_t len, apr_time_t expiry);
/* An absent, expired or unopenable entry is not an error: *value is NULL.
 * Errors are cache failures only. */
ac_error *ac_cache_get(request_rec *r, const char *type, const char *id,
                       char **value, apr_size_t *len);
ac_error *ac_cache_remove(request_rec *r, const char *type, const char *id);
/* Logins in progress (types AC_CACHE_FLOW and the kinds' own): on shmcb a
 * store of their own, so they never push sessions out. */
ac_error *ac_cache_login_put(request_rec *r, const char *type, const char *id,
                             const char *value, apr_size_t len, apr_time_t expiry);
/* get and remove, once: of concurrent takes of one entry at most one gets
 * it (within a node always; across nodes see the reference) */
ac_error *ac_cache_login_get(request_rec *r, const char *type, const char *id,
                             char **value, apr_size_t *len);
ac_error *ac_cache_login_take(request_rec *r, const char *type, const char *id,
                              char **value, apr_size_t *len);
/* Is the cache shared with other nodes (memcache, redis)? */
int ac_cache_shared(void);

/* ---- session_local.c: AuthClientSessionLocalCache --------------------------- */
#define AC_LOCAL_DEFAULT_ENTRIES 1000
void ac_session_local_configure(const ac_global_conf *g);
int ac_session_local_post_config(server_rec *s);
void ac_session_local_child_init(apr_pool_t *pchild, server_rec *s);
/* The record this process verified for session `id` within the lifetime,
 * a copy in r->pool; NULL when it has none (then *stamp is what a put of
 * the record read next from the shared cache must give). */
char *ac_session_local_get(request_rec *r, const char *id, apr_size_t *len,
                           apr_uint32_t *stamp);
void ac_session_local_put(request_rec *r, const char *id, apr_uint32_t stamp,
                          const char *record, apr_size_t len, apr_time_t expiry);
/* this process's copy dropped (the record changed) */
void ac_session_local_drop(const char *id);
/* the session ended: no process of this node uses its copy any more */
void ac_session_local_forget(const char *id);

/* ---- session_claims.c: a large claim section apart from its record --------- */
/* a claim section longer than this is kept apart (session_claims.c) */
#define AC_CLAIMS_INLINE_MAX 4096
void ac_session_claims_child_init(apr_pool_t *pchild, server_rec *s);
ac_error *ac_session_claims_store(request_rec *r, const char *id,
                                  const char *section, apr_size_t len,
                                  apr_time_t expiry);
ac_error *ac_session_claims_remove(request_rec *r, const char *id);
/* A decoded record whose claims are apart gets them back (this process's
 * memo, else the cache); a record with its claims inline is left as is. */
ac_error *ac_session_claims_attach(request_rec *r, const char *id,
                                   ac_session_record *s);

/* ---- session.c ------------------------------------------------------------- */
/* the per-request result of check_authn, for authz and subrequests */
typedef struct ac_request_state {
    ac_session_record *session;
    const char *session_id;
    /* the identity is a bearer token's (bearer.h): no session behind it */
    int bearer;
    int claim_denied;               /* a Require claim refused it (authz.c) */
    /* the cookie's session that counts in this location (NULL: none),
     * once read: force_authn may look before check_authn (dispatch.c) */
    int session_read;
    ac_session_record *found;
    const char *found_id;
    struct ac_request_origin *origin; /* origin.c, decided once */
} ac_request_state;

ac_request_state *ac_request_state_get(request_rec *r);
/* NULL session when there is no valid one (not an error) */
ac_error *ac_session_load(request_rec *r, ac_session_record **out,
                          const char **id);
/* A new session under a new id, with its tokens; sets the cookie. */
ac_error *ac_session_create(request_rec *r, ac_session_record *s,
                            const ac_token_set *t);
/* Store a loaded session again (after a refresh changed its expiry). */
ac_error *ac_session_store(request_rec *r, const char *id,
                           const ac_session_record *s);
/* The session's record, tokens and claims gone from the cache, and this
 * node's local copies with them; the cookie is left as it is. */
ac_error *ac_session_remove(request_rec *r, const char *id);
/* the cookie cleared; the session `id` (the loaded one; may be NULL)
 * removed as ac_session_remove does */
ac_error *ac_session_destroy(request_rec *r, const char *id);
void ac_session_export(request_rec *r, const ac_dir_conf *d,
                       ac_session_record *s);
void ac_strip_spoofed_headers(request_rec *r, const ac_dir_conf *d);
/* session and flow ids: 32 random bytes, base64url; anything else in a
 * cookie is rejected before it costs a cache lookup */
#define AC_RANDOM_ID_BYTES 32
#define AC_RANDOM_ID_LEN 43
int ac_random_id_shape_ok(const char *id);
/* cookies: the ids of the right shape in every cookie called `name`, at
 * most AC_COOKIE_MAX_VALUES (cookie.h); the name with its __Host- prefix
 * where the request and the cookie settings allow it */
int ac_cookie_ids(request_rec *r, const char *name, const char **ids);
const char *ac_cookie_name(request_rec *r, const char *base);
const char *ac_session_cookie_name(request_rec *r);
void ac_cookie_set(request_rec *r, const char *name, const char *value,
                   int max_age);

/* ---- origin.c: the request's external origin --------------------------------- */
/* "scheme://host[:port]" the browser sees: AuthClientRedirectURI's, a
 * trusted proxy's (AuthClientTrustedProxy) or httpd's canonical one */
const char *ac_self_origin(request_rec *r);
/* Does the browser say the request comes from a page of this site?  With
 * `typed_ok`, also one the user opened by hand (Sec-Fetch-Site: none). */
int ac_request_same_origin(request_rec *r, int typed_ok);
/* when the session ends unless it is used again: the inactivity timeout
 * or its maximum duration, whichever comes first */
apr_time_t ac_session_expiry(request_rec *r, const ac_session_record *s);
/* is that origin https (Secure cookies, __Host- names)? */
int ac_request_is_https(request_rec *r);
/* a trusted proxy's Forwarded / X-Forwarded-* were malformed (the origin
 * is then httpd's own); NULL when not.  Logins and the module's own paths
 * refuse such a request. */
ac_error *ac_origin_error(request_rec *r);
/* the redirect URI the provider sends the browser back to */
const char *ac_redirect_uri(request_rec *r);
/* AuthClientTrustedProxy ADDR[/BITS] ..., AuthClientRedirectURI URL */
const char *ac_origin_set_trusted_proxy(cmd_parms *cmd, void *dummy, const char *arg);
const char *ac_origin_set_redirect_uri(cmd_parms *cmd, void *dummy, const char *arg);

/* ---- tokens.c: the session's tokens, on demand ----------------------------- */
#define AC_CACHE_TOKENS "tokens"
#define AC_ACCESS_TOKEN_VAR "OIDC_access_token"
/* OAuth 1.0a: an API call is signed with the token and its secret */
#define AC_TOKEN_SECRET_VAR "OIDC_access_token_secret"
#define AC_TOKEN_TYPE_VAR "OIDC_access_token_type"
#define AC_TOKEN_EXPIRES_VAR "OIDC_access_token_expires"
#define AC_REFRESH_TOKEN_VAR "OIDC_refresh_token"
/* NULL *out when the session has none */
ac_error *ac_tokens_load(request_rec *r, const char *session_id,
                         ac_token_set **out);
ac_error *ac_tokens_store(request_rec *r, const char *session_id,
                          const ac_token_set *t, apr_time_t until);
ac_error *ac_tokens_remove(request_rec *r, const char *session_id);
/* A token response as a token set; what the response leaves out (a
 * rotated refresh token, a repeated id_token) is taken from `old`. */
void ac_tokens_from_response(apr_pool_t *p, const ac_token_response *resp,
                             const char *token_secret, const ac_token_set *old,
                             ac_token_set *t);
void ac_tokens_export(request_rec *r, const ac_dir_conf *d, const ac_token_set *t);
/* Run the token_update hook (mod_auth_client.h). */
void ac_tokens_announce(request_rec *r, const char *provider, const char *user,
                        const ac_token_set *tokens, const ac_token_set *replaced);

/* ---- refresh.c -------------------------------------------------------------- */
typedef enum {
    AC_REFRESH_OK,                  /* go on (tokens exported if asked) */
    AC_REFRESH_SESSION_ENDED,       /* the policy ended the session */
    AC_REFRESH_ERROR                /* answer with the error */
} ac_refresh_outcome;
void ac_refresh_pre_config(apr_pool_t *pconf);
/* post_config, child_init: the locks kept in module_state.h */
int ac_refresh_locks_create(apr_pool_t *pconf, server_rec *s,
                            apr_global_mutex_t **locks);
void ac_refresh_locks_child_init(apr_pool_t *pchild, apr_global_mutex_t **locks);
/* For a request with a session (ac_request_state): its tokens, refreshed
 * first when due, exported when the location asks. */
ac_refresh_outcome ac_refresh_for_request(request_rec *r, ac_error **err);

/* ---- dispatch.c, callback.c ------------------------------------------------ */
int ac_check_authn(request_rec *r);
int ac_quick_handler(request_rec *r, int lookup);
int ac_header_parser(request_rec *r);
/* the force_authn hook: the session also where authorization needs none */
int ac_force_authn(request_rec *r);
/* the callback path with its parsed query, after the chooser's turn */
int ac_callback(request_rec *r, apr_table_t *params);

/* ---- logout.c ---------------------------------------------------------------- */
int ac_logout(request_rec *r);

/* ---- single logout: session_index.c, backchannel.c, frontchannel.c,
 *      logout_provider.c ---------------------------------------------------- */
/* At login: list session `id` under its ID token's sid and its sub, so a
 * logout from the provider finds it (OpenID Connect sessions only). */
void ac_session_index_add(request_rec *r, const char *id,
                          const ac_session_record *s, const ac_token_set *t);
/* End the sessions of provider session `sid` (or, when NULL, of user
 * `sub`) made by `pv` in this vhost's scope, each only when its record
 * agrees with both; their ids go to `ended_ids` (may be NULL). */
ac_error *ac_session_index_end(request_rec *r, const ac_provider *pv,
                               const char *sid, const char *sub,
                               apr_array_header_t *ended_ids, int *count);
/* Did a provider's logout end session `id`?  Asked before a session is
 * written back, so that a request in flight cannot bring it back. */
int ac_session_index_ended(request_rec *r, const char *id);
/* Is `pv` an OpenID Connect provider whose issuer is `iss` (its discovery
 * in *md)?  Picks what a logout is checked against (multi-tenant
 * issuers are not supported there). */
struct ac_oidc_metadata;
int ac_logout_provider_of(request_rec *r, const ac_provider *pv, const char *iss,
                          const struct ac_oidc_metadata **md);
int ac_backchannel_logout(request_rec *r);
int ac_frontchannel_logout(request_rec *r);
/* The user's own logout at the provider: tokens revoked, and the
 * end_session URL to continue to (NULL: none). */
const char *ac_logout_at_provider(request_rec *r, const ac_session_record *s,
                                  const ac_token_set *t, const char *ret);
/* The logout path reached again from the end_session_endpoint. */
int ac_logout_return(request_rec *r, const char *state);

/* ---- authz.c --------------------------------------------------------------- */
void ac_authz_register(apr_pool_t *p);
/* check_config: warn when another module's "Require claim" took over ours */
void ac_authz_check_config(server_rec *s);

/* ---- relay.c: the API relay ------------------------------------------------------ */
/* AuthClientAPIRelay NAME (a <Location> proxied to NAME's APIBaseURL) */
const char *ac_relay_set(cmd_parms *cmd, void *dconf, const char *name);
/* the fixups hook and the relay's filters */
void ac_relay_register(apr_pool_t *p);
/* check_config: every ProxyPass next to an AuthClientAPIRelay leads under
 * the provider's APIBaseURL; nonzero when one does not (logged) */
int ac_relay_check_config(apr_pool_t *ptemp, server_rec *s);

/* ---- status.c: the status endpoint, the counters' shared memory ------------- */
/* post_config: the counters of before a graceful restart, or new ones */
int ac_status_post_config(apr_pool_t *ptemp, server_rec *s);
void ac_status_register_hooks(apr_pool_t *p);
/* The provider a request is about, for the error counters: the one noted
 * by the login that knows it, else the session's; NULL when neither. */
void ac_status_note_provider(request_rec *r, const ac_provider *pv);
const ac_provider *ac_status_provider_of(request_rec *r);

/* ---- preflight.c: CORS preflights (AuthClientPassCORSPreflight) --------------- */
/* Does this request pass as a CORS preflight, unauthenticated? */
int ac_preflight_passes(request_rec *r);
void ac_preflight_register(apr_pool_t *p);

/* ---- session_info.c: the session's summary for scripts (AuthClientSessionInfo) */
/* The answer of a session-info location: 200 with the session of the
 * request state, 401 without one (JSON both), a refusal for a cross-site
 * request or a method other than GET */
int ac_session_info_respond(request_rec *r);
void ac_session_info_register(apr_pool_t *p);

/* ---- errorpage.c ------------------------------------------------------------ */
/* log one line and answer with the error page (or the status, when an
 * ErrorDocument is configured for it); returns what the hook should return */
int ac_error_respond(request_rec *r, const ac_error *e);
/* the fixups hook that gives an ErrorDocument AUTH_CLIENT_ERROR */
void ac_errorpage_register(apr_pool_t *p);
/* the HTTP status a category of error gives */
int ac_error_status(ac_error_category category);
/* an error with a fixed message, for the flow's many refusals */
ac_error *ac_fail(request_rec *r, ac_error_id id, const char *msg);

#endif
