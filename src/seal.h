/*
 * seal.h - authenticated encryption of cache values and hashing of cache keys.
 *
 * Keys are derived from passphrases with scrypt; values are sealed with
 * AES-256-GCM under a random 96-bit IV with the hashed cache key as AAD, so a
 * value copied to another key does not open.  The first key seals, every key
 * opens (passphrase rotation).
 */
#ifndef AC_SEAL_H
#define AC_SEAL_H

#include "util.h"

#define AC_SEAL_KEY_LEN 32
#define AC_KEY_HASH_LEN 32
#define AC_SEAL_OVERHEAD (1 + 12 + 16)  /* version, IV, tag */

typedef struct ac_seal_keys {
    int count;
    unsigned char (*keys)[AC_SEAL_KEY_LEN];
    /* fetched once: OpenSSL 3 looks an implicit EVP_aes_256_gcm() or
     * EVP_sha256() up again on every init, which dominated the hot path */
    void *cipher;                   /* EVP_CIPHER *, AES-256-GCM */
    void *md;                       /* EVP_MD *, SHA-256 */
} ac_seal_keys;

/* Derive one key per passphrase (array of const char *) with scrypt: slow
 * on purpose (a fraction of a second and 32 MiB each), so call it once per
 * configuration.  The same passphrase gives the same key everywhere. */
ac_error *ac_seal_keys_derive(apr_pool_t *p, const apr_array_header_t *passphrases,
                              ac_seal_keys **out);
/* One key given as is: the single-host cache's random key, which needs no
 * stretching. */
ac_error *ac_seal_keys_raw(apr_pool_t *p, const unsigned char key[AC_SEAL_KEY_LEN],
                           ac_seal_keys **out);
/* One random key, for a single-host cache without a passphrase. */
ac_error *ac_seal_keys_random(apr_pool_t *p, ac_seal_keys **out);

/* NULL for a usable passphrase, else what is wrong with it ("is shorter
 * than 16 characters"): fewer than 16 characters, fewer than 8 different
 * ones, or one short piece repeated. */
const char *ac_passphrase_weakness(const char *pass);

/* SHA-256 over "type" NUL "id": the socache key. */
void ac_key_hash(const ac_seal_keys *keys, const char *type, const char *id,
                 unsigned char out[AC_KEY_HASH_LEN]);

ac_error *ac_seal(apr_pool_t *p, const ac_seal_keys *keys,
                  const unsigned char *aad, apr_size_t aad_len,
                  const unsigned char *plain, apr_size_t plain_len,
                  unsigned char **out, apr_size_t *out_len);

/* Error code "seal_open" when no key opens the value (tampered or rotated out). */
ac_error *ac_unseal(apr_pool_t *p, const ac_seal_keys *keys,
                    const unsigned char *aad, apr_size_t aad_len,
                    const unsigned char *sealed, apr_size_t sealed_len,
                    unsigned char **out, apr_size_t *out_len);

#endif
