/*
 * pkce.h - Proof Key for Code Exchange (RFC 7636), S256 only.
 */
#ifndef AC_PKCE_H
#define AC_PKCE_H

#include "util.h"

/* RFC 7636 4.2: BASE64URL(SHA256(ASCII(code_verifier))). */
const char *ac_pkce_s256(apr_pool_t *p, const char *verifier);

/* A new verifier: 32 random bytes, base64url (43 characters). */
ac_error *ac_pkce_verifier(apr_pool_t *p, const char **out);

#endif
