/*
 * mod_ac_token_probe - a test module that subscribes to mod_auth_client's
 * token_update hook, as another module would: through the public header
 * and an APR optional hook, without linking to mod_auth_client.
 *
 * Each event it sees becomes a response header the integration tests read:
 *   X-Token-Update: login|refresh PROVIDER USER new=H old=H rt=H oldrt=H
 * where H is the first 12 hex digits of the SHA-1 of a token ("-" for
 * none), so the tests can tell which tokens changed without any token
 * reaching a header.
 */
#include <httpd.h>
#include <http_config.h>
#include <apr_sha1.h>
#include <apr_strings.h>

#include "mod_auth_client.h"

static const char *digest(apr_pool_t *p, const char *token)
{
    unsigned char sum[APR_SHA1_DIGESTSIZE];
    apr_sha1_ctx_t ctx;
    char *hex;
    int i;

    if (token == NULL || *token == '\0') {
        return "-";
    }
    apr_sha1_init(&ctx);
    apr_sha1_update(&ctx, token, (unsigned int)strlen(token));
    apr_sha1_final(sum, &ctx);
    hex = apr_palloc(p, 13);
    for (i = 0; i < 6; i++) {
        apr_snprintf(hex + 2 * i, 3, "%02x", sum[i]);
    }
    return hex;
}

static int on_token_update(request_rec *r, const char *provider,
                           const char *user, const auth_client_tokens *tokens,
                           const auth_client_tokens *replaced)
{
    apr_table_add(r->err_headers_out, "X-Token-Update",
                  apr_psprintf(r->pool, "%s %s %s new=%s old=%s rt=%s oldrt=%s",
                               replaced ? "refresh" : "login", provider, user,
                               digest(r->pool, tokens->access_token),
                               digest(r->pool, replaced ? replaced->access_token : NULL),
                               digest(r->pool, tokens->refresh_token),
                               digest(r->pool, replaced ? replaced->refresh_token : NULL)));
    return OK;
}

static void register_hooks(apr_pool_t *p)
{
    APR_OPTIONAL_HOOK(auth_client, token_update, on_token_update, NULL, NULL,
                      APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(ac_token_probe) = {
    STANDARD20_MODULE_STUFF,
    NULL, NULL, NULL, NULL, NULL,
    register_hooks
};
