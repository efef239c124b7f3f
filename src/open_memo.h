/*
 * open_memo.h - a per-process memo of the cache values this process
 * opened lately: for a (type, id), the hashed cache key, the sealed bytes
 * the cache held under it, and what they opened to.
 *
 * Every authenticated request reads its session record from the cache.
 * Hashing the key (SHA-256) and opening the value (AES-256-GCM) cost more
 * than the rest of the module's work on the request, and for a session
 * that did not change since the last request they give the same result
 * again.  The cache is still read every time, and stays the only
 * authority: the memo's plaintext is used only when the cache returned
 * exactly the bytes it was opened from, under the same key.  A value that
 * was removed, replaced, rewritten or tampered with is therefore seen at
 * once, in every process, as if there were no memo.
 *
 * Direct-mapped (a (type, id) has one slot, and a newer one in the same
 * slot takes its place) and bounded in bytes.  Safe for threads.
 */
#ifndef AC_OPEN_MEMO_H
#define AC_OPEN_MEMO_H

#include "seal.h"

typedef struct ac_open_memo ac_open_memo;

/* What the memo holds for a (type, id): copies in the caller's pool. */
typedef struct ac_open_memo_hit {
    unsigned char key[AC_KEY_HASH_LEN];
    const unsigned char *sealed;
    apr_size_t sealed_len;
    char *plain;                    /* NUL-terminated */
    apr_size_t plain_len;
} ac_open_memo_hit;

/* At least `slots` slots (rounded up to a power of two) holding
 * `max_bytes` in all, released with `p`. */
ac_error *ac_open_memo_create(apr_pool_t *p, int slots, apr_size_t max_bytes,
                              ac_open_memo **out);

/* 1 and *hit filled (in `p`) when the memo holds (type, id); else 0. */
int ac_open_memo_get(ac_open_memo *m, const char *type, const char *id,
                     apr_pool_t *p, ac_open_memo_hit *hit);

/* Keep what the `sealed` bytes, read under the hashed `key` of (type, id),
 * opened to; a value larger than all the room is not kept. */
void ac_open_memo_put(ac_open_memo *m, const char *type, const char *id,
                      const unsigned char key[AC_KEY_HASH_LEN],
                      const unsigned char *sealed, apr_size_t sealed_len,
                      const char *plain, apr_size_t plain_len);

/* Drop (type, id): its value was removed from the cache. */
void ac_open_memo_forget(ac_open_memo *m, const char *type, const char *id);

/* entries and bytes held now (for tests) */
int ac_open_memo_count(ac_open_memo *m, apr_size_t *bytes);

#endif
