/*
 * keys.h - private keys from PEM files: for RSA-SHA1 (OAuth 1.0a) and for
 * private_key_jwt (as cjose JWKs); cjose keys released with a pool.
 */
#ifndef AC_KEYS_H
#define AC_KEYS_H

#include "util.h"

/*
 * A PEM private key of any type, as an EVP_PKEY * released by a cleanup on
 * `p`; `what` names the key in messages ("the RSA-SHA1 key").  Encrypted
 * keys are refused instead of prompted for: httpd has no terminal to ask
 * on.
 */
ac_error *ac_pem_private_key_load(apr_pool_t *p, const char *path,
                                  const char *what, void **pkey);

/* A private key for private_key_jwt: PEM RSA (RS256) or EC P-256 (ES256),
 * as a cjose JWK released by a cleanup on `p`; `kid` may be NULL. */
ac_error *ac_client_key_load(apr_pool_t *p, const char *path, const char *kid,
                             void **jwk, const char **alg);

/* Hand a cjose_jwk_t * to `p`: released when `p` is cleared. */
void ac_jwk_pool_own(apr_pool_t *p, void *jwk);

#endif
