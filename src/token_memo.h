/*
 * token_memo.h - a small per-process memo of verified results (the bearer
 * path's JWT access tokens), so that a token seen again costs a hash and a
 * copy instead of a signature check.
 *
 * Keys are 32-byte digests (SHA-256 over what the result depends on and
 * the token: the token itself is never kept).  A fixed number of slots,
 * each holding at most one value up to a size cap, so its memory is
 * bounded; a new value takes its slot from whatever was there.  Safe for
 * threads; each process has its own.
 */
#ifndef AC_TOKEN_MEMO_H
#define AC_TOKEN_MEMO_H

#include "util.h"

#define AC_TOKEN_MEMO_KEY_LEN 32

typedef struct ac_token_memo ac_token_memo;

/* `slots` entries of at most `max_value` bytes, released with `p`. */
ac_error *ac_token_memo_create(apr_pool_t *p, int slots, apr_size_t max_value,
                               ac_token_memo **out);

/* SHA-256 of `data`: the key of what it identifies.  The digest is fetched
 * from OpenSSL once, at create: OpenSSL 3 looks SHA-256 up again on every
 * implicit use, which costs more than hashing a token.  `m` may be NULL. */
void ac_token_memo_key(const ac_token_memo *m, const char *data, apr_size_t len,
                       unsigned char *key);

/* A copy, in `p`, of the value under `key` while `now` is before its end;
 * NULL otherwise. */
char *ac_token_memo_get(ac_token_memo *m, const unsigned char *key,
                        apr_time_t now, apr_pool_t *p, apr_size_t *len);

/* Keep `value` under `key` until `until`; a value over the cap is not kept. */
void ac_token_memo_put(ac_token_memo *m, const unsigned char *key,
                       const char *value, apr_size_t len, apr_time_t until);

#endif
