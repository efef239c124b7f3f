/*
 * open_memo.c - the per-process memo of opened cache values
 * (open_memo.h).
 *
 * A table of slots, each empty or holding one malloc'd block: the entry,
 * its (type, id), then the sealed bytes and the plaintext side by side, so
 * that a lookup copies both out with one memcpy under the lock and no
 * caller ever holds a pointer into the memo.  A (type, id) hashes to one
 * slot; nothing chains, so no choice of ids makes a lookup longer.  When
 * a new entry would exceed the byte bound, a clock hand empties other
 * slots until it fits.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_thread_mutex.h>

#include "open_memo.h"

typedef struct entry {
    apr_uint32_t hash;
    apr_size_t type_len;            /* the name is type NUL id NUL */
    apr_size_t name_len;
    apr_size_t sealed_len;
    apr_size_t plain_len;
    unsigned char key[AC_KEY_HASH_LEN];
    char data[1];                   /* name | sealed | plain | NUL */
} entry;

struct ac_open_memo {
    apr_uint32_t nslots;            /* a power of two */
    entry **slots;
    apr_uint32_t hand;              /* the next slot emptied for room */
    apr_size_t max_bytes, bytes;
#if APR_HAS_THREADS
    apr_thread_mutex_t *lock;
#endif
};

static void memo_lock(ac_open_memo *m)
{
#if APR_HAS_THREADS
    apr_thread_mutex_lock(m->lock);
#endif
}

static void memo_unlock(ac_open_memo *m)
{
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(m->lock);
#endif
}

/* the ids are random: a chosen one can at worst share a slot */
static apr_uint32_t name_hash(const char *type, const char *id)
{
    return ac_str_hash(ac_str_hash(AC_STR_HASH_START, type), id);
}

static apr_size_t entry_bytes(const entry *e)
{
    return sizeof(*e) + e->name_len + e->sealed_len + e->plain_len;
}

static int names_this(const entry *e, apr_uint32_t hash, const char *type,
                      const char *id)
{
    return e != NULL && e->hash == hash && strcmp(e->data, type) == 0
        && strcmp(e->data + e->type_len + 1, id) == 0;
}

/* Takes slot i's entry out of the table; the caller frees it unlocked. */
static entry *take_slot(ac_open_memo *m, apr_uint32_t i)
{
    entry *e = m->slots[i];

    if (e != NULL) {
        m->slots[i] = NULL;
        m->bytes -= entry_bytes(e);
    }
    return e;
}

static apr_status_t memo_cleanup(void *data)
{
    ac_open_memo *m = data;
    apr_uint32_t i;

    for (i = 0; i < m->nslots; i++) {
        free(take_slot(m, i));
    }
    return APR_SUCCESS;
}

ac_error *ac_open_memo_create(apr_pool_t *p, int slots, apr_size_t max_bytes,
                              ac_open_memo **out)
{
    ac_open_memo *m = apr_pcalloc(p, sizeof(*m));

    m->nslots = 1;
    while (m->nslots < (apr_uint32_t)(slots > 0 ? slots : 1)) {
        m->nslots <<= 1;
    }
    m->slots = apr_pcalloc(p, m->nslots * sizeof(entry *));
    m->max_bytes = max_bytes;
#if APR_HAS_THREADS
    if (apr_thread_mutex_create(&m->lock, APR_THREAD_MUTEX_DEFAULT, p)
        != APR_SUCCESS) {
        return ac_error_make(p, AC_E_OUT_OF_MEMORY, "could not create the "
                             "lock of the memo of opened cache values");
    }
#endif
    apr_pool_cleanup_register(p, m, memo_cleanup, apr_pool_cleanup_null);
    *out = m;
    return NULL;
}

int ac_open_memo_get(ac_open_memo *m, const char *type, const char *id,
                     apr_pool_t *p, ac_open_memo_hit *hit)
{
    apr_uint32_t hash = name_hash(type, id);
    entry *e;
    int found = 0;

    memo_lock(m);
    e = m->slots[hash & (m->nslots - 1)];
    if (names_this(e, hash, type, id)) {
        apr_size_t len = e->sealed_len + e->plain_len;
        unsigned char *copy = apr_palloc(p, len + 1);

        memcpy(copy, e->data + e->name_len, len + 1);
        memcpy(hit->key, e->key, AC_KEY_HASH_LEN);
        hit->sealed = copy;
        hit->sealed_len = e->sealed_len;
        hit->plain = (char *)copy + e->sealed_len;
        hit->plain_len = e->plain_len;
        found = 1;
    }
    memo_unlock(m);
    return found;
}

static entry *entry_make(apr_uint32_t hash, const char *type, const char *id,
                         const unsigned char key[AC_KEY_HASH_LEN],
                         const unsigned char *sealed, apr_size_t sealed_len,
                         const char *plain, apr_size_t plain_len)
{
    apr_size_t tlen = strlen(type), ilen = strlen(id);
    entry *e = malloc(sizeof(*e) + tlen + ilen + 2 + sealed_len + plain_len);
    char *at;

    if (e == NULL) {
        return NULL;
    }
    e->hash = hash;
    e->type_len = tlen;
    e->name_len = tlen + ilen + 2;
    e->sealed_len = sealed_len;
    e->plain_len = plain_len;
    memcpy(e->key, key, AC_KEY_HASH_LEN);
    memcpy(e->data, type, tlen + 1);
    memcpy(e->data + tlen + 1, id, ilen + 1);
    at = e->data + e->name_len;
    memcpy(at, sealed, sealed_len);
    memcpy(at + sealed_len, plain, plain_len);
    at[sealed_len + plain_len] = '\0';
    return e;
}

void ac_open_memo_put(ac_open_memo *m, const char *type, const char *id,
                      const unsigned char key[AC_KEY_HASH_LEN],
                      const unsigned char *sealed, apr_size_t sealed_len,
                      const char *plain, apr_size_t plain_len)
{
    apr_uint32_t hash = name_hash(type, id), slot = hash & (m->nslots - 1);
    entry *e, *old;
    apr_size_t need;

    /* made outside the lock; without memory the memo just keeps less */
    e = entry_make(hash, type, id, key, sealed, sealed_len, plain, plain_len);
    if (e == NULL || (need = entry_bytes(e)) > m->max_bytes) {
        free(e);
        ac_open_memo_forget(m, type, id);
        return;
    }
    memo_lock(m);
    old = take_slot(m, slot);
    /* room from other slots, only when a new value comes in: each turn
     * empties one more, so this ends within one round */
    while (m->bytes + need > m->max_bytes) {
        free(take_slot(m, m->hand));
        m->hand = (m->hand + 1) & (m->nslots - 1);
    }
    m->slots[slot] = e;
    m->bytes += need;
    memo_unlock(m);
    free(old);
}

void ac_open_memo_forget(ac_open_memo *m, const char *type, const char *id)
{
    apr_uint32_t hash = name_hash(type, id), slot = hash & (m->nslots - 1);
    entry *e = NULL;

    memo_lock(m);
    if (names_this(m->slots[slot], hash, type, id)) {
        e = take_slot(m, slot);
    }
    memo_unlock(m);
    free(e);
}

int ac_open_memo_count(ac_open_memo *m, apr_size_t *bytes)
{
    apr_uint32_t i;
    int n = 0;

    memo_lock(m);
    for (i = 0; i < m->nslots; i++) {
        n += m->slots[i] != NULL;
    }
    if (bytes) {
        *bytes = m->bytes;
    }
    memo_unlock(m);
    return n;
}
