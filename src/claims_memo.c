/*
 * claims_memo.c - the per-process memo of large claim sections
 * (claims_memo.h).
 *
 * A lookup, on every request of a user with a large claim set, follows a
 * short chain of a hash table (the digest's first bytes are the hash);
 * making room, only when a new section comes in, scans the slots for the
 * least recently used.  Each entry has a pool of its own (the section's
 * copy and its export list), destroyed when the entry is out of the
 * table and no request holds it any more.
 */
#include <string.h>

#include <apr_thread_mutex.h>

#include "claims_memo.h"

typedef struct memo_entry memo_entry;
struct memo_entry {
    memo_entry *chain;              /* next in the hash bucket */
    apr_pool_t *pool;               /* holds the entry, its bytes, its exports */
    ac_claim_section section;
    char digest[AC_CLAIMS_DIGEST_HEX_LEN + 1];
    apr_uint32_t tag;               /* the digest's first bytes, compared first */
    apr_size_t bytes;
    apr_uint64_t last_use;
    int holders;                    /* requests holding it */
    int in_table;
};

struct ac_claims_memo {
    int nslots;
    memo_entry **slots;
    apr_uint32_t nbuckets;          /* a power of two */
    memo_entry **buckets;
    apr_size_t max_bytes, bytes;
    apr_uint64_t clock;             /* counts uses, for least recently used */
#if APR_HAS_THREADS
    apr_thread_mutex_t *lock;
#endif
};

/* what a request holds, released with its pool */
typedef struct memo_hold {
    ac_claims_memo *memo;
    memo_entry *entry;
} memo_hold;

static void memo_lock(ac_claims_memo *m)
{
#if APR_HAS_THREADS
    apr_thread_mutex_lock(m->lock);
#endif
}

static void memo_unlock(ac_claims_memo *m)
{
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(m->lock);
#endif
}

/* the digest is hex of a SHA-256 (checked by the record's decoder): its
 * first eight digits are as good a hash as any */
static apr_uint32_t digest_tag(const char *digest)
{
    apr_uint32_t t = 0;
    int i;

    for (i = 0; i < 8 && digest[i]; i++) {
        t = (t << 4) | (apr_uint32_t)ac_hex_value((unsigned char)digest[i]);
    }
    return t;
}

static memo_entry **bucket_of(ac_claims_memo *m, apr_uint32_t tag)
{
    return &m->buckets[tag & (m->nbuckets - 1)];
}

static memo_entry *find(ac_claims_memo *m, const char *digest, apr_uint32_t tag)
{
    memo_entry *e;

    for (e = *bucket_of(m, tag); e != NULL; e = e->chain) {
        if (e->tag == tag && strcmp(e->digest, digest) == 0) {
            return e;
        }
    }
    return NULL;
}

/* Out of the table; destroyed now when nobody holds it, else by its last
 * holder.  Under the lock. */
static void evict(ac_claims_memo *m, int slot)
{
    memo_entry *e = m->slots[slot], **link = bucket_of(m, e->tag);

    while (*link != e) {
        link = &(*link)->chain;
    }
    *link = e->chain;
    m->slots[slot] = NULL;
    m->bytes -= e->bytes;
    e->in_table = 0;
    if (e->holders == 0) {
        apr_pool_destroy(e->pool);
    }
}

static apr_status_t release(void *data)
{
    memo_hold *h = data;
    ac_claims_memo *m = h->memo;
    int last;

    memo_lock(m);
    last = --h->entry->holders == 0 && !h->entry->in_table;
    memo_unlock(m);
    if (last) {
        apr_pool_destroy(h->entry->pool);
    }
    return APR_SUCCESS;
}

/* Under the lock: one more holder, released with `p`. */
static const ac_claim_section *hold(ac_claims_memo *m, memo_entry *e, apr_pool_t *p)
{
    memo_hold *h = apr_palloc(p, sizeof(*h));

    h->memo = m;
    h->entry = e;
    e->holders++;
    e->last_use = ++m->clock;
    apr_pool_cleanup_register(p, h, release, apr_pool_cleanup_null);
    return &e->section;
}

static apr_status_t memo_cleanup(void *data)
{
    ac_claims_memo *m = data;
    int i;

    /* the child is ending: no request holds an entry any more */
    for (i = 0; i < m->nslots; i++) {
        if (m->slots[i] != NULL) {
            apr_pool_destroy(m->slots[i]->pool);
            m->slots[i] = NULL;
        }
    }
    return APR_SUCCESS;
}

ac_error *ac_claims_memo_create(apr_pool_t *p, int max_entries,
                                apr_size_t max_bytes, ac_claims_memo **out)
{
    ac_claims_memo *m = apr_pcalloc(p, sizeof(*m));

    m->nslots = max_entries > 0 ? max_entries : 1;
    m->slots = apr_pcalloc(p, (apr_size_t)m->nslots * sizeof(*m->slots));
    /* about two buckets an entry keeps the chains short */
    m->nbuckets = 1;
    while (m->nbuckets < 2 * (apr_uint32_t)m->nslots) {
        m->nbuckets <<= 1;
    }
    m->buckets = apr_pcalloc(p, m->nbuckets * sizeof(*m->buckets));
    m->max_bytes = max_bytes;
#if APR_HAS_THREADS
    if (apr_thread_mutex_create(&m->lock, APR_THREAD_MUTEX_DEFAULT, p)
        != APR_SUCCESS) {
        return ac_error_make(p, AC_E_OUT_OF_MEMORY, "could not create the "
                             "claims memo lock");
    }
#endif
    apr_pool_cleanup_register(p, m, memo_cleanup, apr_pool_cleanup_null);
    *out = m;
    return NULL;
}

const ac_claim_section *ac_claims_memo_get(ac_claims_memo *m, const char *digest,
                                           apr_pool_t *p)
{
    apr_uint32_t tag = digest_tag(digest);
    const ac_claim_section *found = NULL;
    memo_entry *e;

    memo_lock(m);
    if ((e = find(m, digest, tag)) != NULL) {
        found = hold(m, e, p);
    }
    memo_unlock(m);
    return found;
}

/* A decoded copy in a pool of its own; NULL without memory or when the
 * bytes do not decode. */
static memo_entry *entry_make(const char *digest, const char *section,
                              apr_size_t len)
{
    apr_pool_t *pool;
    memo_entry *e;
    char *copy;

    if (apr_pool_create_unmanaged_ex(&pool, NULL, NULL) != APR_SUCCESS) {
        return NULL;
    }
    e = apr_pcalloc(pool, sizeof(*e));
    e->pool = pool;
    copy = apr_pmemdup(pool, section, len);
    if (ac_session_record_open_claims(pool, digest, copy, len, &e->section) != NULL) {
        apr_pool_destroy(pool);
        return NULL;
    }
    apr_cpystrn(e->digest, digest, sizeof(e->digest));
    e->tag = digest_tag(digest);
    e->bytes = len + (apr_size_t)e->section.nexports * sizeof(ac_export_item);
    e->in_table = 1;
    return e;
}

/* Under the lock: the free slot for `bytes` more, the least recently used
 * entries pushed out to make room. */
static int make_room(ac_claims_memo *m, apr_size_t bytes)
{
    for (;;) {
        int i, free_slot = -1, oldest = -1;

        for (i = 0; i < m->nslots; i++) {
            if (m->slots[i] == NULL) {
                free_slot = i;
            }
            else if (oldest < 0 || m->slots[i]->last_use < m->slots[oldest]->last_use) {
                oldest = i;
            }
        }
        if (free_slot >= 0 && m->bytes + bytes <= m->max_bytes) {
            return free_slot;
        }
        evict(m, oldest);
    }
}

const ac_claim_section *ac_claims_memo_put(ac_claims_memo *m, const char *digest,
                                           const char *section, apr_size_t len,
                                           apr_pool_t *p)
{
    const ac_claim_section *kept;
    memo_entry *e, *have, *dup = NULL;
    int slot;

    if (len > m->max_bytes || (e = entry_make(digest, section, len)) == NULL) {
        return NULL;
    }
    if (e->bytes > m->max_bytes) {
        apr_pool_destroy(e->pool);
        return NULL;
    }
    memo_lock(m);
    /* another thread put the same section meanwhile: use that one */
    if ((have = find(m, digest, e->tag)) != NULL) {
        dup = e;
        e = have;
    }
    else {
        slot = make_room(m, e->bytes);
        m->slots[slot] = e;
        e->chain = *bucket_of(m, e->tag);
        *bucket_of(m, e->tag) = e;
        m->bytes += e->bytes;
    }
    kept = hold(m, e, p);
    memo_unlock(m);
    if (dup != NULL) {
        apr_pool_destroy(dup->pool);
    }
    return kept;
}

int ac_claims_memo_count(ac_claims_memo *m, apr_size_t *bytes)
{
    int i, n = 0;

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
