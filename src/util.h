/*
 * util.h - errors as values and small helpers shared by every file of
 * mod_auth_client's core.  Nothing here calls into httpd, so the unit tests
 * and fuzzers link it without an httpd binary.
 */
#ifndef AC_UTIL_H
#define AC_UTIL_H

#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <apr_time.h>

/*
 * An error as a value: the pure code fills one in and returns it; the httpd
 * glue logs it once and renders the error page.  `code` is stable (it appears
 * on error pages and in log lines, so sysadmins can search for it); `message`
 * says what happened and what to check, and never carries a token, code or
 * secret.
 */
typedef struct ac_error {
    const char *code;
    const char *message;
    int http_status;            /* what the browser should see; 0 = 500 */
} ac_error;

ac_error *ac_error_make(apr_pool_t *p, int http_status, const char *code,
                        const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fill `buf` with `len` bytes from the OS CSPRNG (OpenSSL RAND_bytes). */
ac_error *ac_random_bytes(apr_pool_t *p, unsigned char *buf, apr_size_t len);

/* `nbytes` random bytes, base64url-encoded without padding. */
ac_error *ac_random_token(apr_pool_t *p, apr_size_t nbytes, const char **out);

/* base64url without padding (RFC 7515 Appendix C). */
char *ac_b64url_encode(apr_pool_t *p, const unsigned char *data, apr_size_t len);
/* Returns NULL on any character outside the alphabet or a bad length. */
unsigned char *ac_b64url_decode(apr_pool_t *p, const char *in, apr_size_t *outlen);

/* Constant-time comparison of two NUL-terminated strings. */
int ac_str_equal_ct(const char *a, const char *b);

/* SHA-256 of `data`. */
void ac_sha256(const void *data, apr_size_t len, unsigned char out[32]);

/* Lower-case hex of `len` bytes. */
char *ac_hex(apr_pool_t *p, const unsigned char *data, apr_size_t len);

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
 * Records of NUL-terminated fields: the layout of the session record and the
 * flow entry.  Written by joining strings, read back in place by a cursor
 * that never passes `end`, so a truncated or forged buffer gives an error
 * instead of an over-read.  A NULL field is written as "".
 */
char *ac_fields_join(apr_pool_t *p, const apr_array_header_t *fields,
                     apr_size_t *len);

typedef struct ac_field_reader {
    char *pos;
    const char *end;
} ac_field_reader;

void ac_field_reader_init(ac_field_reader *r, char *buf, apr_size_t len);
/* The next field, or NULL when no NUL ends it before `end`; after a NULL
 * every later call returns NULL too, so checking the last field read is
 * enough. */
const char *ac_field_next(ac_field_reader *r);
/* Decimal count in 0..max; 0 (false) when absent, malformed or too big. */
int ac_field_next_count(ac_field_reader *r, apr_size_t max, apr_size_t *out);
/* Non-negative decimal apr_time_t; 0 (false) when absent or malformed. */
int ac_field_next_time(ac_field_reader *r, apr_time_t *out);
/* True when every byte has been consumed. */
int ac_field_reader_done(const ac_field_reader *r);

#endif
