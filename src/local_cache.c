/*
 * local_cache.c - the per-process cache of verified sessions
 * (local_cache.h).
 *
 * A chained hash table over a doubly linked list in order of use: a hit
 * moves its entry to the front, room is made from the back.  Each entry is
 * one malloc'd block (the entry, its key, its value), freed when it is
 * dropped; the lookup copies the value out under the lock, so no caller
 * ever holds a pointer into the cache.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_thread_mutex.h>

#include "local_cache.h"

typedef struct entry entry;
struct entry {
    entry *chain;                   /* next in the hash bucket */
    entry *newer, *older;           /* the order of use */
    apr_time_t until;
    apr_uint32_t stamp;
    apr_uint32_t hash;
    apr_size_t len;
    char *value;                    /* after the key, in the same block */
    char key[1];
};

struct ac_local_cache {
    int max_entries;
    apr_size_t max_bytes;
    int count;
    apr_size_t bytes;               /* the values' bytes */
    apr_uint32_t nbuckets;          /* a power of two */
    entry **buckets;
    entry *newest, *oldest;
#if APR_HAS_THREADS
    apr_thread_mutex_t *lock;
#endif
};

static void cache_lock(ac_local_cache *c)
{
#if APR_HAS_THREADS
    apr_thread_mutex_lock(c->lock);
#endif
}

static void cache_unlock(ac_local_cache *c)
{
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(c->lock);
#endif
}

static apr_uint32_t key_hash(const char *key)
{
    return ac_str_hash(AC_STR_HASH_START, key);
}

static entry **bucket_of(ac_local_cache *c, apr_uint32_t hash)
{
    return &c->buckets[hash & (c->nbuckets - 1)];
}

static entry *find(ac_local_cache *c, const char *key, apr_uint32_t hash)
{
    entry *e;

    for (e = *bucket_of(c, hash); e != NULL; e = e->chain) {
        if (e->hash == hash && strcmp(e->key, key) == 0) {
            return e;
        }
    }
    return NULL;
}

static void unlink_use(ac_local_cache *c, entry *e)
{
    if (e->newer) {
        e->newer->older = e->older;
    }
    else {
        c->newest = e->older;
    }
    if (e->older) {
        e->older->newer = e->newer;
    }
    else {
        c->oldest = e->newer;
    }
    e->newer = e->older = NULL;
}

static void link_newest(ac_local_cache *c, entry *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest) {
        c->newest->newer = e;
    }
    c->newest = e;
    if (c->oldest == NULL) {
        c->oldest = e;
    }
}

static void drop(ac_local_cache *c, entry *e)
{
    entry **link = bucket_of(c, e->hash);

    while (*link != e) {
        link = &(*link)->chain;
    }
    *link = e->chain;
    unlink_use(c, e);
    c->count--;
    c->bytes -= e->len;
    free(e);
}

static apr_status_t cache_cleanup(void *data)
{
    ac_local_cache *c = data;

    while (c->oldest) {
        drop(c, c->oldest);
    }
    return APR_SUCCESS;
}

ac_error *ac_local_cache_create(apr_pool_t *p, int max_entries,
                                apr_size_t max_bytes, ac_local_cache **out)
{
    ac_local_cache *c = apr_pcalloc(p, sizeof(*c));

    c->max_entries = max_entries > 0 ? max_entries : 1;
    c->max_bytes = max_bytes;
    /* about two buckets an entry keeps the chains short */
    c->nbuckets = 1;
    while (c->nbuckets < 2 * (apr_uint32_t)c->max_entries) {
        c->nbuckets <<= 1;
    }
    c->buckets = apr_pcalloc(p, c->nbuckets * sizeof(entry *));
#if APR_HAS_THREADS
    if (apr_thread_mutex_create(&c->lock, APR_THREAD_MUTEX_DEFAULT, p)
        != APR_SUCCESS) {
        return ac_error_make(p, AC_E_OUT_OF_MEMORY, "could not create the "
                             "local session cache lock");
    }
#endif
    apr_pool_cleanup_register(p, c, cache_cleanup, apr_pool_cleanup_null);
    *out = c;
    return NULL;
}

char *ac_local_cache_get(ac_local_cache *c, const char *key, apr_uint32_t stamp,
                         apr_time_t now, apr_pool_t *p, apr_size_t *len)
{
    apr_uint32_t hash = key_hash(key);
    char *copy = NULL;
    entry *e;

    *len = 0;
    cache_lock(c);
    if ((e = find(c, key, hash)) != NULL) {
        if (now >= e->until || e->stamp != stamp) {
            drop(c, e);
        }
        else {
            copy = apr_palloc(p, e->len + 1);
            memcpy(copy, e->value, e->len);
            copy[e->len] = '\0';
            *len = e->len;
            unlink_use(c, e);
            link_newest(c, e);
        }
    }
    cache_unlock(c);
    return copy;
}

void ac_local_cache_put(ac_local_cache *c, const char *key, apr_uint32_t stamp,
                        const char *value, apr_size_t len, apr_time_t until)
{
    apr_size_t klen = strlen(key);
    entry *e, *old;

    if (len > c->max_bytes) {
        ac_local_cache_remove(c, key);
        return;
    }
    /* made outside the lock; without memory the cache just keeps less */
    if ((e = malloc(sizeof(*e) + klen + len)) == NULL) {
        ac_local_cache_remove(c, key);
        return;
    }
    memcpy(e->key, key, klen + 1);
    e->value = e->key + klen + 1;
    memcpy(e->value, value, len);
    e->len = len;
    e->until = until;
    e->stamp = stamp;
    e->hash = key_hash(key);
    cache_lock(c);
    if ((old = find(c, key, e->hash)) != NULL) {
        drop(c, old);
    }
    while (c->oldest != NULL
           && (c->count >= c->max_entries || c->bytes + len > c->max_bytes)) {
        drop(c, c->oldest);
    }
    e->chain = *bucket_of(c, e->hash);
    *bucket_of(c, e->hash) = e;
    link_newest(c, e);
    c->count++;
    c->bytes += len;
    cache_unlock(c);
}

void ac_local_cache_remove(ac_local_cache *c, const char *key)
{
    apr_uint32_t hash = key_hash(key);
    entry *e;

    cache_lock(c);
    if ((e = find(c, key, hash)) != NULL) {
        drop(c, e);
    }
    cache_unlock(c);
}

int ac_local_cache_count(ac_local_cache *c, apr_size_t *bytes)
{
    int n;

    cache_lock(c);
    n = c->count;
    if (bytes) {
        *bytes = c->bytes;
    }
    cache_unlock(c);
    return n;
}
