/*
 * seal.c - AES-256-GCM sealing of cache values under keys derived from the
 * configured passphrases, and the hashing of cache keys.
 *
 * A sealed value is: version (1 byte) | IV (12 bytes) | ciphertext | tag
 * (16 bytes).  The version byte is authenticated together with the caller's
 * AAD, so a value cannot be replayed under a later format.
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "core_state.h"
#include "seal.h"

/* 2: keys from scrypt (1 was HKDF); a value of another version never opens */
#define SEAL_VERSION 2
#define SEAL_IV_LEN 12
#define SEAL_TAG_LEN 16

/*
 * The passphrases are stretched with scrypt (RFC 7914), so that someone who
 * can read the shared cache (memcached and redis usually run without
 * authentication) cannot test guesses of a weak passphrase quickly.
 *
 * N = 2^15, r = 8, p = 3 (32 MiB): one of the settings OWASP's Password
 * Storage Cheat Sheet lists as equivalent to its scrypt minimum of
 * N = 2^17, r = 8, p = 1 (https://cheatsheetseries.owasp.org/cheatsheets/
 * Password_Storage_Cheat_Sheet.html#scrypt), with a quarter of the memory:
 * the derivation runs in httpd's parent process at every start and
 * graceful restart, once per passphrase.
 *
 * The salt is fixed.  Every node of a shared cache must derive the same key
 * from the same passphrase with nothing but its own configuration, and
 * nothing else in a configuration is the same on every node (host names,
 * ports and cache addresses differ between nodes).  A per-deployment
 * salt would be a second value to keep identical everywhere, which is what
 * the passphrase already is.  What a salt buys here is that a table
 * computed for another program's scrypt keys is of no use against ours;
 * a table of this module's own keys must be computed at scrypt's cost per
 * guess, and the startup check refuses the short and repetitive
 * passphrases such a table would start with.
 *
 * Changing the salt or the parameters changes every key: do it together
 * with SEAL_VERSION only.
 */
static const char seal_kdf_salt[] = "mod_auth_client cache seal v2";
#define SEAL_SCRYPT_N 32768
#define SEAL_SCRYPT_R 8
#define SEAL_SCRYPT_P 3
/* 128 * r * (N + p + 2) bytes, rounded up: OpenSSL refuses more than 32 MiB
 * unless told */
#define SEAL_SCRYPT_MAXMEM (48 * 1024 * 1024)

static apr_status_t keys_cleanse(void *data)
{
    ac_seal_keys *k = data;

    OPENSSL_cleanse(k->keys, (apr_size_t)k->count * AC_SEAL_KEY_LEN);
    EVP_CIPHER_free(k->cipher);
    EVP_MD_free(k->md);
    return APR_SUCCESS;
}

static ac_seal_keys *keys_alloc(apr_pool_t *p, int count)
{
    ac_seal_keys *k = apr_pcalloc(p, sizeof(*k));

    k->count = count;
    k->keys = apr_pcalloc(p, (apr_size_t)(count ? count : 1) * AC_SEAL_KEY_LEN);
    k->cipher = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    k->md = EVP_MD_fetch(NULL, "SHA256", NULL);
    /* so the key bytes do not survive in pool memory that is reused */
    apr_pool_cleanup_register(p, k, keys_cleanse, apr_pool_cleanup_null);
    return k;
}

static ac_error *keys_usable(apr_pool_t *p, const ac_seal_keys *k)
{
    if (k->cipher == NULL || k->md == NULL) {
        return ac_error_make(p, AC_E_SEAL_CONFIG, "OpenSSL offers no "
                             "AES-256-GCM or SHA-256 (FIPS or provider setup?)");
    }
    return NULL;
}

static int scrypt_key(const char *secret, unsigned char out[AC_SEAL_KEY_LEN])
{
    return EVP_PBE_scrypt(secret, strlen(secret),
                          (const unsigned char *)seal_kdf_salt,
                          sizeof(seal_kdf_salt) - 1, SEAL_SCRYPT_N,
                          SEAL_SCRYPT_R, SEAL_SCRYPT_P, SEAL_SCRYPT_MAXMEM,
                          out, AC_SEAL_KEY_LEN) == 1;
}

ac_error *ac_seal_keys_derive(apr_pool_t *p,
                              const apr_array_header_t *passphrases,
                              ac_seal_keys **out)
{
    const char **pass;
    ac_seal_keys *k;
    ac_error *err;
    int i;

    if (passphrases == NULL || passphrases->nelts == 0) {
        return ac_error_make(p, AC_E_SEAL_CONFIG, "no passphrase configured");
    }
    pass = (const char **)passphrases->elts;
    k = keys_alloc(p, passphrases->nelts);
    if ((err = keys_usable(p, k)) != NULL) {
        return err;
    }
    for (i = 0; i < passphrases->nelts; i++) {
        if (pass[i] == NULL || *pass[i] == '\0') {
            return ac_error_make(p, AC_E_SEAL_CONFIG,
                                 "passphrase %d is empty", i + 1);
        }
        if (!scrypt_key(pass[i], k->keys[i])) {
            return ac_error_make(p, AC_E_SEAL_CONFIG,
                                 "scrypt key derivation failed in OpenSSL "
                                 "(FIPS mode or memory limits?)");
        }
    }
    *out = k;
    return NULL;
}

ac_error *ac_seal_keys_raw(apr_pool_t *p,
                           const unsigned char key[AC_SEAL_KEY_LEN],
                           ac_seal_keys **out)
{
    ac_seal_keys *k = keys_alloc(p, 1);
    ac_error *err = keys_usable(p, k);

    if (err) {
        return err;
    }
    memcpy(k->keys[0], key, AC_SEAL_KEY_LEN);
    *out = k;
    return NULL;
}

ac_error *ac_seal_keys_random(apr_pool_t *p, ac_seal_keys **out)
{
    unsigned char key[AC_SEAL_KEY_LEN];
    ac_error *err = ac_random_bytes(p, key, sizeof(key));

    if (err == NULL) {
        err = ac_seal_keys_raw(p, key, out);
    }
    OPENSSL_cleanse(key, sizeof(key));
    return err;
}

/*
 * A guard against the obviously weak, not a strength meter: a passphrase
 * from "openssl rand -base64 32" passes every rule by a wide margin, and so
 * does a hex key (openssl rand -hex 32).
 */
#define PASSPHRASE_MIN_LEN 16
#define PASSPHRASE_MIN_DISTINCT 8

static int repeats_a_piece(const char *s, apr_size_t len)
{
    apr_size_t period, i;

    for (period = 1; period <= len / 2; period++) {
        for (i = period; i < len && s[i] == s[i - period]; i++) {
        }
        if (i == len) {
            return 1;
        }
    }
    return 0;
}

const char *ac_passphrase_weakness(const char *pass)
{
    unsigned char seen[256];
    apr_size_t len = strlen(pass), i;
    int distinct = 0;

    if (len < PASSPHRASE_MIN_LEN) {
        return "is shorter than 16 characters";
    }
    memset(seen, 0, sizeof(seen));
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)pass[i];
        distinct += !seen[c];
        seen[c] = 1;
    }
    if (distinct < PASSPHRASE_MIN_DISTINCT) {
        return "has fewer than 8 different characters";
    }
    if (repeats_a_piece(pass, len)) {
        return "is one short piece repeated";
    }
    return NULL;
}

/*
 * Per-thread crypto state, reused across requests: creating a cipher or
 * digest context per request, and redoing the AES key schedule, cost more
 * than the work itself on the hot path.  The key a context was set up with
 * is kept (and compared in constant time) so that a context is re-keyed
 * only when another key is used; freed and cleansed when the thread ends.
 * The thread key lives in the process record (core_state.h).
 */
typedef struct thread_crypto {
    EVP_CIPHER_CTX *cipher;
    int direction;                  /* 1 encrypt, 0 decrypt, -1 no key yet */
    unsigned char key[AC_SEAL_KEY_LEN];
    EVP_MD_CTX *digest;
    /* SHA-256 set up and not fed: a copy of it starts each key hash, which
     * costs less than an EVP_DigestInit_ex (that frees and makes the
     * provider's context, and asks for an ENGINE, every time) */
    EVP_MD_CTX *digest_start;
    const EVP_MD *digest_md;        /* what digest_start was set up with */
} thread_crypto;

static void crypto_free(void *data)
{
    thread_crypto *tc = data;

    EVP_CIPHER_CTX_free(tc->cipher);
    EVP_MD_CTX_free(tc->digest);
    EVP_MD_CTX_free(tc->digest_start);
    OPENSSL_cleanse(tc, sizeof(*tc));
    free(tc);
}

static void crypto_key_create(void)
{
    (void)pthread_key_create(&ac_core.crypto_key, crypto_free);
}

static thread_crypto *thread_crypto_get(void)
{
    thread_crypto *tc;

    pthread_once(&ac_core.crypto_key_once, crypto_key_create);
    if ((tc = pthread_getspecific(ac_core.crypto_key)) != NULL) {
        return tc;
    }
    if ((tc = calloc(1, sizeof(*tc))) == NULL) {
        return NULL;
    }
    tc->direction = -1;
    tc->cipher = EVP_CIPHER_CTX_new();
    tc->digest = EVP_MD_CTX_new();
    tc->digest_start = EVP_MD_CTX_new();
    if (tc->cipher == NULL || tc->digest == NULL || tc->digest_start == NULL
        || pthread_setspecific(ac_core.crypto_key, tc) != 0) {
        crypto_free(tc);
        return NULL;
    }
    return tc;
}

/* The thread's digest context, set up for `md` and not fed yet. */
static EVP_MD_CTX *digest_begin(thread_crypto *tc, const EVP_MD *md)
{
    if (tc->digest_md != md) {
        if (EVP_DigestInit_ex(tc->digest_start, md, NULL) != 1) {
            tc->digest_md = NULL;
            return NULL;
        }
        tc->digest_md = md;
    }
    return EVP_MD_CTX_copy_ex(tc->digest, tc->digest_start) == 1 ? tc->digest : NULL;
}

void ac_key_hash(const ac_seal_keys *keys, const char *type, const char *id,
                 unsigned char out[AC_KEY_HASH_LEN])
{
    thread_crypto *tc = thread_crypto_get();
    apr_size_t tlen = strlen(type) + 1, ilen = strlen(id);
    unsigned int outlen = AC_KEY_HASH_LEN;
    unsigned char both[128];
    EVP_MD_CTX *md;
    int fed;

    if (tc == NULL || (md = digest_begin(tc, keys->md)) == NULL) {
        memset(out, 0xff, AC_KEY_HASH_LEN);
        return;
    }
    /* the NUL keeps ("ab", "c") and ("a", "bc") apart; one update where
     * both fit the stack buffer (a session id always does) */
    if (tlen + ilen <= sizeof(both)) {
        memcpy(both, type, tlen);
        memcpy(both + tlen, id, ilen);
        fed = EVP_DigestUpdate(md, both, tlen + ilen) == 1;
    }
    else {
        fed = EVP_DigestUpdate(md, type, tlen) == 1
            && EVP_DigestUpdate(md, id, ilen) == 1;
    }
    if (!fed || EVP_DigestFinal_ex(md, out, &outlen) != 1) {
        /* Only an allocation failure gets here; a zero key would mix
         * entries, so make it one nothing else can produce. */
        memset(out, 0xff, AC_KEY_HASH_LEN);
    }
}

/* The thread's cipher context for `key` in one direction with a new IV:
 * the key schedule is redone only when the key or direction changed. */
static EVP_CIPHER_CTX *gcm_begin(const EVP_CIPHER *gcm, const unsigned char *key,
                                 const unsigned char *iv, int encrypt)
{
    thread_crypto *tc = thread_crypto_get();
    int same;

    if (tc == NULL) {
        return NULL;
    }
    /* memcmp, not CRYPTO_memcmp: both sides are this process's own key
     * bytes, and nothing an attacker sends changes either, so the time
     * the compare takes tells nothing */
    same = tc->direction == encrypt && memcmp(tc->key, key, AC_SEAL_KEY_LEN) == 0;
    if (EVP_CipherInit_ex(tc->cipher, same ? NULL : gcm, NULL, same ? NULL : key,
                          iv, encrypt) != 1) {
        tc->direction = -1;
        return NULL;
    }
    if (!same) {
        memcpy(tc->key, key, AC_SEAL_KEY_LEN);
        tc->direction = encrypt;
    }
    return tc->cipher;
}

/* The version byte and the caller's AAD, in one update where they fit a
 * stack buffer (the cache's 32-byte key hash always does). */
static int gcm_aad(EVP_CIPHER_CTX *ctx, const unsigned char *aad,
                   apr_size_t aad_len)
{
    unsigned char buf[1 + 64];
    int n;

    buf[0] = SEAL_VERSION;
    if (aad_len <= sizeof(buf) - 1) {
        if (aad_len > 0) {
            memcpy(buf + 1, aad, aad_len);      /* aad may be NULL when empty */
        }
        return EVP_CipherUpdate(ctx, NULL, &n, buf, (int)(aad_len + 1)) == 1;
    }
    return EVP_CipherUpdate(ctx, NULL, &n, buf, 1) == 1
        && EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) == 1;
}

static int gcm_encrypt(const EVP_CIPHER *gcm, const unsigned char *key,
                       const unsigned char *iv,
                       const unsigned char *aad, apr_size_t aad_len,
                       const unsigned char *plain, apr_size_t plain_len,
                       unsigned char *cipher, unsigned char *tag)
{
    EVP_CIPHER_CTX *ctx = gcm_begin(gcm, key, iv, 1);
    int n;

    return ctx != NULL
        && gcm_aad(ctx, aad, aad_len)
        && (plain_len == 0
            || EVP_EncryptUpdate(ctx, cipher, &n, plain, (int)plain_len) == 1)
        && EVP_EncryptFinal_ex(ctx, cipher + plain_len, &n) == 1
        && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG_LEN, tag) == 1;
}

static int gcm_decrypt(const EVP_CIPHER *gcm, const unsigned char *key,
                       const unsigned char *iv,
                       const unsigned char *aad, apr_size_t aad_len,
                       const unsigned char *cipher, apr_size_t cipher_len,
                       const unsigned char *tag, unsigned char *plain)
{
    EVP_CIPHER_CTX *ctx = gcm_begin(gcm, key, iv, 0);
    int n;

    OSSL_PARAM set_tag[2];

    /* the tag is set before Final, which checks it; as a parameter, not
     * through EVP_CIPHER_CTX_ctrl, which only makes the same parameter
     * (the cast: OpenSSL does not write through it when setting) */
    set_tag[0] = OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
                                                   (void *)tag, SEAL_TAG_LEN);
    set_tag[1] = OSSL_PARAM_construct_end();
    return ctx != NULL
        && gcm_aad(ctx, aad, aad_len)
        && (cipher_len == 0
            || EVP_DecryptUpdate(ctx, plain, &n, cipher, (int)cipher_len) == 1)
        && EVP_CIPHER_CTX_set_params(ctx, set_tag) == 1
        && EVP_DecryptFinal_ex(ctx, plain + cipher_len, &n) == 1;
}

ac_error *ac_seal(apr_pool_t *p, const ac_seal_keys *keys,
                  const unsigned char *aad, apr_size_t aad_len,
                  const unsigned char *plain, apr_size_t plain_len,
                  unsigned char **out, apr_size_t *out_len)
{
    unsigned char *buf;
    ac_error *err;

    if (keys == NULL || keys->count < 1) {
        return ac_error_make(p, AC_E_SEAL_CONFIG, "no sealing key");
    }
    if (plain_len > INT_MAX - AC_SEAL_OVERHEAD || aad_len > INT_MAX) {
        return ac_error_make(p, AC_E_SEAL_SIZE, "value too large to seal");
    }
    buf = apr_palloc(p, plain_len + AC_SEAL_OVERHEAD);
    buf[0] = SEAL_VERSION;
    /* 96-bit random IVs: safe for far more values than a cache ever holds
     * under one passphrase */
    err = ac_random_bytes(p, buf + 1, SEAL_IV_LEN);
    if (err) {
        return err;
    }
    if (!gcm_encrypt(keys->cipher, keys->keys[0], buf + 1, aad, aad_len, plain, plain_len,
                     buf + 1 + SEAL_IV_LEN,
                     buf + 1 + SEAL_IV_LEN + plain_len)) {
        return ac_error_make(p, AC_E_SEAL, "AES-256-GCM encryption failed");
    }
    *out = buf;
    *out_len = plain_len + AC_SEAL_OVERHEAD;
    return NULL;
}

ac_error *ac_unseal(apr_pool_t *p, const ac_seal_keys *keys,
                    const unsigned char *aad, apr_size_t aad_len,
                    const unsigned char *sealed, apr_size_t sealed_len,
                    unsigned char **out, apr_size_t *out_len)
{
    const unsigned char *iv, *cipher, *tag;
    apr_size_t cipher_len;
    unsigned char *plain;
    int i;

    if (keys == NULL || keys->count < 1) {
        return ac_error_make(p, AC_E_SEAL_CONFIG, "no sealing key");
    }
    if (sealed_len < AC_SEAL_OVERHEAD || sealed_len > INT_MAX
        || aad_len > INT_MAX) {
        return ac_error_make(p, AC_E_SEAL_OPEN,
                             "sealed value has a bad length");
    }
    if (sealed[0] != SEAL_VERSION) {
        return ac_error_make(p, AC_E_SEAL_OPEN,
                             "sealed value has an unknown format version");
    }
    iv = sealed + 1;
    cipher = iv + SEAL_IV_LEN;
    cipher_len = sealed_len - AC_SEAL_OVERHEAD;
    tag = cipher + cipher_len;
    /* one spare byte: callers parse the plaintext as NUL-terminated text */
    plain = apr_palloc(p, cipher_len + 1);
    for (i = 0; i < keys->count; i++) {
        if (gcm_decrypt(keys->cipher, keys->keys[i], iv, aad, aad_len, cipher, cipher_len,
                        tag, plain)) {
            plain[cipher_len] = '\0';
            *out = plain;
            *out_len = cipher_len;
            return NULL;
        }
    }
    OPENSSL_cleanse(plain, cipher_len);
    return ac_error_make(p, AC_E_SEAL_OPEN,
                         "no configured passphrase opens the value "
                         "(tampered, or sealed under a passphrase since "
                         "removed)");
}
