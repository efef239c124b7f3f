/*
 * fuzz_discovery.c - ac_oidc_metadata_parse: a provider's discovery
 * document, its issuer check against the metadata URL (or Issuer), and the
 * merge with the provider's explicit keys.
 *
 * Input: one byte choosing the provider's configuration, then the document
 * (its exact bytes: NULs inside are the parser's problem).
 */
#include <string.h>

#include "config.h"
#include "oidc.h"
#include "support.h"

typedef struct setup {
    const char *metadata_url;
    const char *issuer;             /* Issuer key, or NULL */
    const char *preset_arg;         /* Entra tenant, with multi_tenant */
    int multi_tenant;
    const char *authorize_url;      /* an explicit key, or NULL */
    const char *jwks_uri;
    const char *algs;               /* "HS256": no JWKS needed */
} setup;

static const setup setups[] = {
    { "https://idp.example/.well-known/openid-configuration",
      NULL, NULL, 0, NULL, NULL, NULL },
    { "https://idp.example/realms/demo/.well-known/openid-configuration",
      NULL, NULL, 0, NULL, NULL, NULL },
    { "https://idp.example/.well-known/oauth-authorization-server/tenant1",
      NULL, NULL, 0, NULL, NULL, "HS256" },
    { "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
      NULL, "common", 1, NULL, NULL, NULL },
    { "https://accounts.example/.well-known/openid-configuration",
      "https://accounts.example", NULL, 0, "https://accounts.example/o/auth",
      "https://accounts.example/certs", NULL },
    { "https://idp.example/metadata.json",            /* no well-known part */
      "https://idp.example/", NULL, 0, NULL, NULL, NULL },
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const setup *s;
    const ac_oidc_metadata *md = NULL;
    ac_provider *pv;
    apr_pool_t *p;
    ac_error *err;

    if (size < 1) {
        return 0;
    }
    p = fz_pool_begin();
    s = &setups[data[0] % (sizeof(setups) / sizeof(setups[0]))];
    pv = ac_provider_create(p, "fuzz", "fuzz.conf:1");
    pv->server_metadata_url = s->metadata_url;
    pv->issuer = s->issuer;
    pv->preset_arg = s->preset_arg;
    pv->multi_tenant_issuer = s->multi_tenant;
    pv->authorize_url = s->authorize_url;
    pv->jwks_uri = s->jwks_uri;
    if (s->algs != NULL) {
        pv->id_token_algs = apr_array_make(p, 1, sizeof(const char *));
        APR_ARRAY_PUSH(pv->id_token_algs, const char *) = s->algs;
    }
    err = ac_oidc_metadata_parse(p, pv, fz_body(p, data + 1, size - 1),
                                 size - 1, &md);
    fz_note("discovery", err);
    if (err == NULL) {
        FZ_ASSERT(md != NULL);
        FZ_ASSERT(md->issuer != NULL);
        FZ_ASSERT(md->authorization_endpoint != NULL);
        FZ_ASSERT(md->token_endpoint != NULL);
        FZ_ASSERT(s->algs != NULL || md->jwks_uri != NULL);
        /* explicit keys win over the document */
        FZ_ASSERT(s->authorize_url == NULL
                  || strcmp(md->authorization_endpoint, s->authorize_url) == 0);
        FZ_ASSERT(s->jwks_uri == NULL || strcmp(md->jwks_uri, s->jwks_uri) == 0);
    }
    else {
        FZ_ASSERT(md == NULL);
    }
    fz_pool_end(p);
    return 0;
}
