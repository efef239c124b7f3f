/*
 * index_record.h - one entry of the single-logout index: the sessions that
 * one provider session (sid) or one user (sub) has in a session scope, as
 * stored in the cache (session_index.c), so that a logout received by any
 * node finds the sessions of every node that shares the cache.
 */
#ifndef AC_INDEX_RECORD_H
#define AC_INDEX_RECORD_H

#include "util.h"

/* At most this many sessions per sid or sub: a bounded record whatever a
 * user does.  Past it the oldest session is dropped from the index (it
 * still ends at its own timeout). */
#define AC_INDEX_MAX_SESSIONS 32

typedef struct ac_index_session {
    const char *id;                 /* the session id */
    apr_time_t expires;             /* its hard end: no use listing it after */
} ac_index_session;

/* `list` is an array of ac_index_session. */
ac_error *ac_index_record_encode(apr_pool_t *p, const apr_array_header_t *list,
                                 char **buf, apr_size_t *len);
/* `buf` is used in place; *list is a new array in `p`. */
ac_error *ac_index_record_decode(apr_pool_t *p, char *buf, apr_size_t len,
                                 apr_array_header_t **list);

/*
 * `list` with session `id` (until `expires`) added, the sessions past their
 * end at `now` and any earlier entry of `id` left out, and when it is full
 * the one that ends first; returns how many live sessions had to be left
 * out for room (0 or 1).  A new array in `p`.
 */
int ac_index_record_add(apr_pool_t *p, const apr_array_header_t *list,
                        const char *id, apr_time_t expires, apr_time_t now,
                        apr_array_header_t **out);
/* Is `id` listed? */
int ac_index_record_has(const apr_array_header_t *list, const char *id);
/* The latest end of the listed sessions (0 for none): the entry's expiry. */
apr_time_t ac_index_record_until(const apr_array_header_t *list);

#endif
