/*
 * fuzz_unseal.c - ac_unseal over a cache value (a shared memcache or redis
 * is reachable by others), then the session and token record decoders over
 * whatever opened: the whole read side of the hot path.
 *
 * Input: the sealed value (version, IV, ciphertext, tag).  Keys come from
 * fixture.h's passphrase, stretched by scrypt once per process (a fraction
 * of a second each, far too slow per input); the AAD is the hashed key the
 * value sits under.  Seeds made by make_seeds open, so the decoders are
 * reached through them; make_seeds must be run again whenever seal.c
 * changes how it derives keys or lays out a value.
 */
#include <string.h>

#include <apr_tables.h>

#include "fixture.h"
#include "seal.h"
#include "session_record.h"
#include "support.h"
#include "token_record.h"

static apr_pool_t *keys_pool;
static ac_seal_keys *keys;
static unsigned char aad[AC_KEY_HASH_LEN];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    apr_array_header_t *passes;

    (void)argc;
    (void)argv;
    fz_init();
    apr_pool_create(&keys_pool, NULL);
    passes = apr_array_make(keys_pool, 2, sizeof(const char *));
    /* an old passphrase first would make a test of rotation; the seeds are
     * sealed under the first, so keep it first */
    APR_ARRAY_PUSH(passes, const char *) = FZ_PASSPHRASE;
    APR_ARRAY_PUSH(passes, const char *) = FZ_OLD_PASSPHRASE;
    if (ac_seal_keys_derive(keys_pool, passes, &keys) != NULL) {
        abort();
    }
    ac_key_hash(keys, FZ_CACHE_TYPE, FZ_CACHE_ID, aad);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fz_pool_begin();
    unsigned char *plain = NULL, *resealed;
    apr_size_t plain_len = 0, resealed_len;
    ac_session_record s;
    ac_token_set t;
    ac_error *err;

    err = ac_unseal(p, keys, aad, sizeof(aad),
                    (const unsigned char *)fz_copy(p, data, size), size,
                    &plain, &plain_len);
    fz_note("unseal", err);
    if (err == NULL) {
        FZ_ASSERT(plain != NULL && plain_len + AC_SEAL_OVERHEAD == size);
        /* session records and token records are sealed alike (under
         * keys of their own type, which the one AAD here stands for) */
        fz_note("unseal session",
                ac_session_record_decode(p, (char *)plain, plain_len, &s));
        fz_note("unseal tokens",
                ac_token_record_decode(p, (char *)plain, plain_len, &t));
        /* sealing again opens again */
        FZ_ASSERT(ac_seal(p, keys, aad, sizeof(aad), plain, plain_len,
                          &resealed, &resealed_len) == NULL);
        FZ_ASSERT(ac_unseal(p, keys, aad, sizeof(aad), resealed, resealed_len,
                            &plain, &plain_len) == NULL);
    }
    fz_pool_end(p);
    return 0;
}
