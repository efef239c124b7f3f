/*
 * token_memo.c - the per-process memo of verified results (token_memo.h).
 *
 * Direct-mapped: the key's first bytes pick the slot, so a lookup is one
 * comparison under the lock and the copy out; values live in malloc'd
 * memory owned by the slot, released when replaced and at the end.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_thread_mutex.h>
#include <openssl/evp.h>

#include "token_memo.h"

typedef struct memo_slot {
    unsigned char key[AC_TOKEN_MEMO_KEY_LEN];
    apr_time_t until;               /* 0: empty */
    char *value;                    /* malloc'd */
    apr_size_t len;
} memo_slot;

struct ac_token_memo {
    int nslots;
    apr_size_t max_value;
    memo_slot *slots;
    EVP_MD *md;                     /* SHA-256, fetched once */
#if APR_HAS_THREADS
    apr_thread_mutex_t *lock;
#endif
};

static void memo_lock(ac_token_memo *m)
{
#if APR_HAS_THREADS
    apr_thread_mutex_lock(m->lock);
#endif
}

static void memo_unlock(ac_token_memo *m)
{
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(m->lock);
#endif
}

static apr_status_t memo_cleanup(void *data)
{
    ac_token_memo *m = data;
    int i;

    for (i = 0; i < m->nslots; i++) {
        free(m->slots[i].value);
        m->slots[i].value = NULL;
        m->slots[i].until = 0;
    }
    EVP_MD_free(m->md);
    m->md = NULL;
    return APR_SUCCESS;
}

ac_error *ac_token_memo_create(apr_pool_t *p, int slots, apr_size_t max_value,
                               ac_token_memo **out)
{
    ac_token_memo *m = apr_pcalloc(p, sizeof(*m));

    if (slots < 1) {
        slots = 1;
    }
    m->nslots = slots;
    m->max_value = max_value;
    m->slots = apr_pcalloc(p, sizeof(memo_slot) * (apr_size_t)slots);
    m->md = EVP_MD_fetch(NULL, "SHA256", NULL);
#if APR_HAS_THREADS
    if (apr_thread_mutex_create(&m->lock, APR_THREAD_MUTEX_DEFAULT, p)
        != APR_SUCCESS) {
        return ac_error_make(p, AC_E_OUT_OF_MEMORY, "could not create the "
                             "token memo lock");
    }
#endif
    apr_pool_cleanup_register(p, m, memo_cleanup, apr_pool_cleanup_null);
    *out = m;
    return NULL;
}

void ac_token_memo_key(const ac_token_memo *m, const char *data, apr_size_t len,
                       unsigned char *key)
{
    unsigned int n = AC_TOKEN_MEMO_KEY_LEN;

    if (m == NULL || m->md == NULL
        || !EVP_Digest(data, len, key, &n, m->md, NULL)) {
        ac_sha256(data, len, key);
    }
}

/* The key is a digest: its first four bytes are as good as any hash. */
static memo_slot *slot_for(ac_token_memo *m, const unsigned char *key)
{
    apr_uint32_t h = ((apr_uint32_t)key[0] << 24) | ((apr_uint32_t)key[1] << 16)
                   | ((apr_uint32_t)key[2] << 8) | key[3];

    return &m->slots[h % (apr_uint32_t)m->nslots];
}

char *ac_token_memo_get(ac_token_memo *m, const unsigned char *key,
                        apr_time_t now, apr_pool_t *p, apr_size_t *len)
{
    memo_slot *s;
    char *copy = NULL;

    *len = 0;
    if (m == NULL) {
        return NULL;
    }
    s = slot_for(m, key);
    memo_lock(m);
    if (s->value != NULL && now < s->until
        && memcmp(s->key, key, AC_TOKEN_MEMO_KEY_LEN) == 0) {
        copy = apr_palloc(p, s->len + 1);
        memcpy(copy, s->value, s->len);
        copy[s->len] = '\0';
        *len = s->len;
    }
    memo_unlock(m);
    return copy;
}

void ac_token_memo_put(ac_token_memo *m, const unsigned char *key,
                       const char *value, apr_size_t len, apr_time_t until)
{
    memo_slot *s;
    char *copy;

    if (m == NULL || len > m->max_value || until <= 0) {
        return;
    }
    /* allocated outside the lock; a failure just leaves the slot as it was */
    if ((copy = malloc(len ? len : 1)) == NULL) {
        return;
    }
    memcpy(copy, value, len);
    s = slot_for(m, key);
    memo_lock(m);
    free(s->value);
    memcpy(s->key, key, AC_TOKEN_MEMO_KEY_LEN);
    s->value = copy;
    s->len = len;
    s->until = until;
    memo_unlock(m);
}
