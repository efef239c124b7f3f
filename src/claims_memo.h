/*
 * claims_memo.h - a per-process memo of decoded claim sections kept apart
 * from their session records (session_claims.c), keyed by the section's
 * SHA-256.
 *
 * A user in a thousand groups has a claim section of 40 KB or more that
 * every request exports.  Opening and decoding it per request would cost
 * far more than the rest of the request; the memo does it once per
 * process.  The key is the content's digest, which the sealed session
 * record names: an entry can only ever hold exactly the bytes the record
 * was made with, so nothing needs invalidating when a session ends.
 *
 * A request holds the entries it got until its pool is cleared, so an
 * entry pushed out meanwhile stays alive until its last reader is done.
 * Bounded by a number of entries and of bytes; the least recently used
 * goes first.  Safe for threads.
 */
#ifndef AC_CLAIMS_MEMO_H
#define AC_CLAIMS_MEMO_H

#include "session_record.h"

typedef struct ac_claims_memo ac_claims_memo;

/* At most `max_entries` sections of `max_bytes` in all, released with `p`. */
ac_error *ac_claims_memo_create(apr_pool_t *p, int max_entries,
                                apr_size_t max_bytes, ac_claims_memo **out);

/* The section under `digest`, held until `p` is cleared; NULL if none. */
const ac_claim_section *ac_claims_memo_get(ac_claims_memo *m, const char *digest,
                                           apr_pool_t *p);

/* Open a copy of `section` under `digest` (ac_session_record_open_claims)
 * and keep it; held until `p` is cleared like a get.  NULL when it is not
 * kept (larger than all the room, no memory, another digest, or it does
 * not decode): the caller then opens the section itself, which says why. */
const ac_claim_section *ac_claims_memo_put(ac_claims_memo *m, const char *digest,
                                           const char *section, apr_size_t len,
                                           apr_pool_t *p);

/* entries and bytes held now (for tests) */
int ac_claims_memo_count(ac_claims_memo *m, apr_size_t *bytes);

#endif
