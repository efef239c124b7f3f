/*
 * util.h - small helpers shared by every file of
 * mod_auth_client's core.  Nothing here calls into httpd, so the unit tests
 * and fuzzers link it without an httpd binary.
 */
#ifndef AC_UTIL_H
#define AC_UTIL_H

#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <apr_time.h>

#include "error.h"

/* One name/value pair of an ordered parameter list. */
typedef struct ac_kv {
    const char *key;
    const char *value;
} ac_kv;

/* Fill `buf` with `len` bytes from the OS CSPRNG (OpenSSL RAND_bytes). */
ac_error *ac_random_bytes(apr_pool_t *p, unsigned char *buf, apr_size_t len);

/* `nbytes` random bytes, base64url-encoded without padding. */
ac_error *ac_random_token(apr_pool_t *p, apr_size_t nbytes, const char **out);

/* base64url without padding (RFC 7515 Appendix C). */
const char *ac_b64url_encode(apr_pool_t *p, const unsigned char *data, apr_size_t len);
/* Standard base64 with padding (RFC 4648 4): Basic auth, OAuth 1.0a. */
const char *ac_b64_encode(apr_pool_t *p, const unsigned char *data, apr_size_t len);
/* Returns NULL on any character outside the alphabet or a bad length. */
unsigned char *ac_b64url_decode(apr_pool_t *p, const char *in, apr_size_t *outlen);

/* Constant-time comparison of two NUL-terminated strings. */
int ac_str_equal_ct(const char *a, const char *b);

/* SHA-256 of `data`. */
void ac_sha256(const void *data, apr_size_t len, unsigned char out[32]);

/* Lower-case hex of `len` bytes. */
const char *ac_hex(apr_pool_t *p, const unsigned char *data, apr_size_t len);
/* The value of one hex digit, either case, or -1. */
int ac_hex_value(unsigned char c);

/* FNV-1a over `s` and its NUL, continued from `h` (AC_STR_HASH_START to
 * begin): spreads random ids over table slots; not a digest.  The NUL
 * keeps ("ab", "c") and ("a", "bc") apart when strings are hashed in turn. */
#define AC_STR_HASH_START 2166136261u
apr_uint32_t ac_str_hash(apr_uint32_t h, const char *s);

/* Untrusted text (a provider's error, a token's alg or kid) made fit for a
 * log line: cut to AC_LOG_QUOTE_MAX bytes, non-printable bytes as '?'. */
#define AC_LOG_QUOTE_MAX 120
const char *ac_log_quote(apr_pool_t *p, const char *s);

/* application/x-www-form-urlencoded / RFC 3986 unreserved-only escaping. */
char *ac_url_escape(apr_pool_t *p, const char *s);

/* Decode %XX and '+' (form encoding); NULL when a %-escape is malformed. */
char *ac_url_unescape(apr_pool_t *p, const char *s);

/*
 * Parse "a=1&b=2" into a table (values unescaped).  Returns an error for
 * malformed escapes, more than `max_params` parameters or duplicate names
 * (a duplicated OAuth parameter is an attack, not a convenience).
 */
ac_error *ac_form_parse(apr_pool_t *p, const char *query, int max_params,
                        apr_table_t **out);

/*
 * Levenshtein distance of two names, ASCII case folded.  Names longer than
 * AC_EDIT_NAME_MAX count as far from everything.
 */
#define AC_EDIT_NAME_MAX 128
int ac_edit_distance(const char *a, const char *b);

/*
 * For "did you mean": the candidate (const char * array) closest to `word`
 * when it is close enough to be a typo of it - at most one edit per three
 * characters of the word, and never more than two (but one is always
 * allowed) - else NULL.  Ties go to the first in strcmp order.
 */
const char *ac_closest_name(const char *word, const apr_array_header_t *candidates);

#endif
