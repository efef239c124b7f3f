/*
 * mod_auth_client.h - the public interface of mod_auth_client for other
 * httpd modules.
 *
 * token_update: an APR optional hook, so a module can subscribe without
 * linking to this one (and works whether or not mod_auth_client is
 * loaded).  It runs at every login with the first token set (`replaced`
 * NULL) and after every refresh with the new set and the one it replaced,
 * in the request that caused it.  Subscribe in register_hooks:
 *
 *     #include "mod_auth_client.h"
 *
 *     static int on_tokens(request_rec *r, const char *provider,
 *                          const char *user, const auth_client_tokens *now,
 *                          const auth_client_tokens *replaced)
 *     { ...; return OK; }
 *
 *     APR_OPTIONAL_HOOK(auth_client, token_update, on_tokens,
 *                       NULL, NULL, APR_HOOK_MIDDLE);
 *
 * The tokens are secrets: a subscriber must not log them.  The structures
 * live in the request pool.
 */
#ifndef MOD_AUTH_CLIENT_H
#define MOD_AUTH_CLIENT_H

#include <httpd.h>
#include <apr_hooks.h>
#include <apr_optional_hooks.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AUTH_CLIENT_DECLARE(type) type

typedef struct auth_client_tokens {
    const char *access_token;
    const char *token_type;         /* "Bearer"; "" for OAuth 1.0a */
    apr_time_t expires;             /* of the access token; 0: not said */
    const char *refresh_token;      /* "" when none */
    const char *id_token;           /* "" when none */
    const char *token_secret;       /* OAuth 1.0a; "" otherwise */
} auth_client_tokens;

APR_DECLARE_EXTERNAL_HOOK(auth_client, AUTH_CLIENT, int, token_update,
                          (request_rec *r, const char *provider,
                           const char *user, const auth_client_tokens *tokens,
                           const auth_client_tokens *replaced))

#ifdef __cplusplus
}
#endif

#endif
