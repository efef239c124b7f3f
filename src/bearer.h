/*
 * bearer.h - bearer tokens (RFC 6750) under "AuthType oauth": the
 * check_authn step, its directives and its startup checks (bearer.c).
 *
 * A location with "AuthClientBearer on" takes a request that carries
 * "Authorization: Bearer" by its token alone and every other request by
 * its session; "only" takes tokens alone (APIs: no session, no login).
 * The token's identity fills the same ac_request_state as a session's, so
 * the export and "Require claim" work unchanged; it never becomes a session
 * and never sets a cookie.
 */
#ifndef AC_BEARER_H
#define AC_BEARER_H

#include "auth_client.h"
#include "token_memo.h"

/* check_authn's first step: DECLINED unless the request is the bearer
 * path's (AuthClientBearer on with a token, or only). */
int ac_bearer_check_authn(request_rec *r);

/* Its own hooks: check_config and the challenge on authorization
 * failures; called from register_hooks. */
void ac_bearer_register_hooks(apr_pool_t *p);

/* child_init: the child's memo of verified JWTs (module_state.c keeps
 * it); NULL, with a warning, when it cannot be made. */
ac_token_memo *ac_bearer_memo_create(apr_pool_t *pchild, server_rec *s);

/* The directives, for the table in directives.c. */
const char *ac_bearer_set_mode(cmd_parms *cmd, void *dconf, const char *arg);
const char *ac_bearer_set_audience(cmd_parms *cmd, void *dconf, const char *arg);
const char *ac_bearer_set_provider(cmd_parms *cmd, void *dconf, const char *arg);
const char *ac_bearer_add_scope(cmd_parms *cmd, void *dconf, const char *arg);
const char *ac_bearer_add_jwt_type(cmd_parms *cmd, void *dconf, const char *arg);
const char *ac_bearer_set_user_claim(cmd_parms *cmd, void *dconf, const char *arg);
const char *ac_bearer_set_introspection_ttl(cmd_parms *cmd, void *dconf,
                                            const char *arg);

#define AC_BEARER_DIRECTIVES                                                    \
    AP_INIT_TAKE1("AuthClientBearer", ac_bearer_set_mode, NULL, OR_AUTHCFG,      \
                  "off (default), on (a bearer token when sent, else the "       \
                  "session) or only (bearer tokens only: APIs)"),                \
    AP_INIT_TAKE1("AuthClientBearerAudience", ac_bearer_set_audience, NULL,      \
                  OR_AUTHCFG, "the resource identifier access tokens must "      \
                  "name in aud (required with AuthClientBearer)"),               \
    AP_INIT_TAKE1("AuthClientBearerProvider", ac_bearer_set_provider, NULL,      \
                  OR_AUTHCFG, "the provider whose access tokens are accepted "   \
                  "(default: the location's only provider)"),                    \
    AP_INIT_ITERATE("AuthClientBearerScope", ac_bearer_add_scope, NULL,          \
                    OR_AUTHCFG, "scopes every access token must have"),          \
    AP_INIT_ITERATE("AuthClientBearerJWTType", ac_bearer_add_jwt_type, NULL,     \
                    OR_AUTHCFG, "JWT typ values taken as access tokens "         \
                    "(default at+jwt)"),                                         \
    AP_INIT_TAKE1("AuthClientBearerRemoteUserClaim", ac_bearer_set_user_claim,   \
                  NULL, OR_AUTHCFG, "claim that becomes REMOTE_USER "            \
                  "(default sub)"),                                              \
    AP_INIT_TAKE1("AuthClientIntrospectionTTL", ac_bearer_set_introspection_ttl, \
                  NULL, OR_AUTHCFG, "seconds an introspection answer is "        \
                  "reused, at most until the token's exp (default 60)"),

#endif
