/*
 * presets.c - what a sysadmin would otherwise copy from each provider's
 * documentation.  A preset only fills fields that are still NULL/unset, so
 * the order of keys in the block does not matter and explicit keys win.
 */
#include <apr_strings.h>

#include "presets.h"

#define FILL(field, value) do { if (pv->field == NULL) pv->field = (value); } while (0)

static const char *github(apr_pool_t *p, ac_provider *pv)
{
    FILL(display_name, "GitHub");
    FILL(authorize_url, "https://github.com/login/oauth/authorize");
    FILL(access_token_url, "https://github.com/login/oauth/access_token");
    FILL(api_base_url, "https://api.github.com/");
    FILL(userinfo_url, "user");
    FILL(scope, "read:user user:email");
    FILL(remote_user_claim, "login");
    /* GitHub leaves /user's email null when it is private; user/emails has
     * the primary verified address (needs the user:email scope) */
    if (pv->userinfo_extra_urls == NULL) {
        pv->userinfo_extra_urls = apr_array_make(p, 1, sizeof(const char *));
        APR_ARRAY_PUSH(pv->userinfo_extra_urls, const char *) = "user/emails";
    }
    return NULL;
}

static const char *twitter(apr_pool_t *p, ac_provider *pv)
{
    FILL(display_name, "X (Twitter)");
    FILL(request_token_url, "https://api.twitter.com/oauth/request_token");
    FILL(authorize_url, "https://api.twitter.com/oauth/authenticate");
    FILL(access_token_url, "https://api.twitter.com/oauth/access_token");
    FILL(api_base_url, "https://api.twitter.com/1.1/");
    FILL(userinfo_url, "account/verify_credentials.json?include_email=true&skip_status=true");
    FILL(remote_user_claim, "screen_name");
    return NULL;
}

static const char *google(apr_pool_t *p, ac_provider *pv)
{
    FILL(display_name, "Google");
    FILL(server_metadata_url, "https://accounts.google.com/.well-known/openid-configuration");
    FILL(scope, "openid email profile");
    FILL(remote_user_claim, "email");
    return NULL;
}

/* Entra ID: ARG is the tenant (GUID or domain), or common / organizations /
 * consumers; the multi-tenant endpoints publish "{tenantid}" in the issuer */
static const char *microsoft(apr_pool_t *p, ac_provider *pv)
{
    const char *tenant = pv->preset_arg ? pv->preset_arg : "common";

    FILL(display_name, "Microsoft");
    FILL(server_metadata_url,
         apr_psprintf(p, "https://login.microsoftonline.com/%s/v2.0/"
                      ".well-known/openid-configuration", tenant));
    FILL(scope, "openid email profile");
    FILL(remote_user_claim, "preferred_username");
    if (strcmp(tenant, "common") == 0 || strcmp(tenant, "organizations") == 0
        || strcmp(tenant, "consumers") == 0) {
        pv->multi_tenant_issuer = 1;
    }
    return NULL;
}

static const char *gitlab(apr_pool_t *p, ac_provider *pv)
{
    const char *base = pv->preset_arg ? pv->preset_arg : "https://gitlab.com";

    FILL(display_name, "GitLab");
    FILL(server_metadata_url,
         apr_pstrcat(p, base, "/.well-known/openid-configuration", NULL));
    FILL(scope, "openid email profile");
    FILL(remote_user_claim, "nickname");
    return NULL;
}

static const char *keycloak(apr_pool_t *p, ac_provider *pv)
{
    if (pv->preset_arg == NULL || strncmp(pv->preset_arg, "https://", 8) != 0
        || strstr(pv->preset_arg, "/realms/") == NULL) {
        return "Preset keycloak needs the realm URL, e.g. Preset keycloak "
               "https://sso.example.org/realms/staff";
    }
    FILL(server_metadata_url,
         apr_pstrcat(p, pv->preset_arg, "/.well-known/openid-configuration", NULL));
    FILL(scope, "openid email profile");
    FILL(remote_user_claim, "preferred_username");
    return NULL;
}

static const struct {
    const char *name;
    const char *(*apply)(apr_pool_t *p, ac_provider *pv);
} presets[] = {
    { "github", github },
    { "twitter", twitter },
    { "google", google },
    { "microsoft", microsoft },
    { "gitlab", gitlab },
    { "keycloak", keycloak },
};

const char *ac_preset_names(void)
{
    return "github twitter google microsoft gitlab keycloak";
}

const char *ac_preset_apply(apr_pool_t *p, ac_provider *pv)
{
    apr_size_t i;

    if (pv->preset == NULL) {
        return NULL;
    }
    for (i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
        if (strcasecmp(pv->preset, presets[i].name) == 0) {
            return presets[i].apply(p, pv);
        }
    }
    return apr_psprintf(p, "Preset '%s' is unknown; the presets are: %s",
                        pv->preset, ac_preset_names());
}
