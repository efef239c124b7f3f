/*
 * local_cache.h - a per-process cache of recently verified sessions, so
 * that with memcache or redis a busy page does not pay a network round
 * trip (and an AEAD open) on every request.
 *
 * A value is kept until a time its caller chooses and under a stamp: a
 * lookup with another stamp misses, which lets the caller invalidate
 * entries of every process at once (session_local.c keeps the stamps in
 * shared memory).  Bounded by a number of entries and of bytes; the least
 * recently used entry goes first.  Safe for threads; each process has its
 * own.
 */
#ifndef AC_LOCAL_CACHE_H
#define AC_LOCAL_CACHE_H

#include "util.h"

typedef struct ac_local_cache ac_local_cache;

/* At most `max_entries` values of `max_bytes` in all, released with `p`. */
ac_error *ac_local_cache_create(apr_pool_t *p, int max_entries,
                                apr_size_t max_bytes, ac_local_cache **out);

/* A NUL-terminated copy, in `p`, of the value under `key` while `now` is
 * before its end and it was put under `stamp`; NULL otherwise (and an
 * entry that can no longer be used is dropped). */
char *ac_local_cache_get(ac_local_cache *c, const char *key, apr_uint32_t stamp,
                         apr_time_t now, apr_pool_t *p, apr_size_t *len);

/* Keep a copy of `value` under `key` until `until`, replacing what was
 * there and pushing out the least recently used entries to make room; a
 * value larger than all the room is not kept. */
void ac_local_cache_put(ac_local_cache *c, const char *key, apr_uint32_t stamp,
                        const char *value, apr_size_t len, apr_time_t until);

void ac_local_cache_remove(ac_local_cache *c, const char *key);

/* entries and bytes held now (for tests and debug lines) */
int ac_local_cache_count(ac_local_cache *c, apr_size_t *bytes);

#endif
