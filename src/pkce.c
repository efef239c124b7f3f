/*
 * pkce.c - Proof Key for Code Exchange (RFC 7636), S256 only.
 */
#include <string.h>

#include "pkce.h"

/* 256 bits, above the RFC 7636 minimum of 43 characters (4.1) */
#define PKCE_VERIFIER_BYTES 32

const char *ac_pkce_s256(apr_pool_t *p, const char *verifier)
{
    unsigned char digest[32];

    if (verifier == NULL) {
        return NULL;
    }
    ac_sha256(verifier, strlen(verifier), digest);
    return ac_b64url_encode(p, digest, sizeof(digest));
}

ac_error *ac_pkce_verifier(apr_pool_t *p, const char **out)
{
    return ac_random_token(p, PKCE_VERIFIER_BYTES, out);
}
