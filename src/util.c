/*
 * util.c - randomness, encodings and form parsing for the
 * core of mod_auth_client.  No httpd symbols: the unit tests and fuzzers link
 * this file on its own.
 */
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <apr_encode.h>
#include <apr_lib.h>

#include "util.h"

/* ---- randomness --------------------------------------------------------- */

ac_error *ac_random_bytes(apr_pool_t *p, unsigned char *buf, apr_size_t len)
{
    /* RAND_bytes takes an int; callers ask for a few dozen bytes, but a
     * size_t that does not fit must not be truncated silently. */
    while (len > 0) {
        int chunk = len > 65536 ? 65536 : (int)len;

        if (RAND_bytes(buf, chunk) != 1) {
            return ac_error_make(p, AC_E_RANDOM,
                                 "the OpenSSL random generator failed; "
                                 "check the entropy source of this host");
        }
        buf += chunk;
        len -= chunk;
    }
    return NULL;
}

ac_error *ac_random_token(apr_pool_t *p, apr_size_t nbytes, const char **out)
{
    unsigned char *raw = apr_palloc(p, nbytes ? nbytes : 1);
    ac_error *err = ac_random_bytes(p, raw, nbytes);

    if (err) {
        return err;
    }
    *out = ac_b64url_encode(p, raw, nbytes);
    /* the token is handed out; the raw bytes should not linger in the pool */
    OPENSSL_cleanse(raw, nbytes);
    return NULL;
}

/* ---- base64url ---------------------------------------------------------- */

const char *ac_b64url_encode(apr_pool_t *p, const unsigned char *data, apr_size_t len)
{
    return apr_pencode_base64_binary(p, data, (apr_ssize_t)len,
                                     APR_ENCODE_BASE64URL, NULL);
}

const char *ac_b64_encode(apr_pool_t *p, const unsigned char *data, apr_size_t len)
{
    return apr_pencode_base64_binary(p, data, (apr_ssize_t)len, APR_ENCODE_NONE,
                                     NULL);
}

/* The decoder is kept by hand on purpose: apr_pdecode_base64 is lenient
 * (it skips what it does not know), and a token compared in encoded form
 * must have exactly one spelling.  The 6-bit value of a base64url
 * character, or -1. */
static int b64url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '-') {
        return 62;
    }
    if (c == '_') {
        return 63;
    }
    return -1;
}

unsigned char *ac_b64url_decode(apr_pool_t *p, const char *in,
                                apr_size_t *outlen)
{
    apr_size_t len, i, n = 0;
    apr_uint32_t acc = 0;
    int bits = 0;
    unsigned char *out;

    if (in == NULL) {
        return NULL;
    }
    len = strlen(in);
    /* one character alone carries only 6 bits: never a whole byte */
    if (len % 4 == 1) {
        return NULL;
    }
    out = apr_palloc(p, len / 4 * 3 + 3);
    for (i = 0; i < len; i++) {
        int v = b64url_value((unsigned char)in[i]);

        if (v < 0) {
            return NULL;
        }
        acc = (acc << 6) | (apr_uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
        }
    }
    /* Left-over bits must be zero: otherwise several strings decode to the
     * same bytes, and a token compared in encoded form could be forged. */
    if (acc & ((1u << bits) - 1)) {
        return NULL;
    }
    out[n] = '\0';
    if (outlen) {
        *outlen = n;
    }
    return out;
}

/* ---- comparison and hashing --------------------------------------------- */

int ac_str_equal_ct(const char *a, const char *b)
{
    apr_size_t la, lb;

    if (a == NULL || b == NULL) {
        return 0;
    }
    la = strlen(a);
    lb = strlen(b);
    /* The length is not secret (ids and states have a fixed length); the
     * content is, so compare it without an early exit. */
    if (la != lb) {
        return 0;
    }
    return CRYPTO_memcmp(a, b, la) == 0;
}

void ac_sha256(const void *data, apr_size_t len, unsigned char out[32])
{
    unsigned int outlen = 32;

    EVP_Digest(data, len, out, &outlen, EVP_sha256(), NULL);
}

const char *ac_hex(apr_pool_t *p, const unsigned char *data, apr_size_t len)
{
    return apr_pencode_base16_binary(p, data, (apr_ssize_t)len,
                                     APR_ENCODE_LOWER, NULL);
}

apr_uint32_t ac_str_hash(apr_uint32_t h, const char *s)
{
    do {
        h = (h ^ (unsigned char)*s) * 16777619u;
    } while (*s++);
    return h;
}

int ac_hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

const char *ac_log_quote(apr_pool_t *p, const char *s)
{
    apr_size_t n = s ? strlen(s) : 0, i;
    char *q;

    if (n > AC_LOG_QUOTE_MAX) {
        n = AC_LOG_QUOTE_MAX;
    }
    q = apr_pstrmemdup(p, s ? s : "", n);
    for (i = 0; i < n; i++) {
        if ((unsigned char)q[i] < 0x20 || (unsigned char)q[i] >= 0x7f) {
            q[i] = '?';
        }
    }
    return q;
}

/* ---- URL encoding ------------------------------------------------------- */

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
        || c == '~';
}

char *ac_url_escape(apr_pool_t *p, const char *s)
{
    static const char digits[] = "0123456789ABCDEF";
    const unsigned char *in = (const unsigned char *)s;
    char *out, *o;

    if (s == NULL) {
        return apr_pstrdup(p, "");
    }
    /* upper-case hex and %20 for space: RFC 5849 3.6 signs exactly this */
    out = o = apr_palloc(p, strlen(s) * 3 + 1);
    for (; *in; in++) {
        if (is_unreserved(*in)) {
            *o++ = (char)*in;
        }
        else {
            *o++ = '%';
            *o++ = digits[*in >> 4];
            *o++ = digits[*in & 0x0f];
        }
    }
    *o = '\0';
    return out;
}

/* Kept by hand on purpose: apr_punescape_url cannot refuse %00, which
 * would cut the C string short and hide what follows from later checks. */
char *ac_url_unescape(apr_pool_t *p, const char *s)
{
    char *out, *o;

    if (s == NULL) {
        return NULL;
    }
    out = o = apr_palloc(p, strlen(s) + 1);
    for (; *s; s++) {
        if (*s == '+') {
            *o++ = ' ';
        }
        else if (*s == '%') {
            int hi = ac_hex_value((unsigned char)s[1]);
            int lo = hi < 0 ? -1 : ac_hex_value((unsigned char)s[2]);

            /* %00 would cut the C string short and hide what follows it
             * from every later check, so it counts as malformed */
            if (lo < 0 || (hi == 0 && lo == 0)) {
                return NULL;
            }
            *o++ = (char)(hi * 16 + lo);
            s += 2;
        }
        else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

/* ---- forms -------------------------------------------------------------- */

/* One "name=value" piece of a form into `t`. */
static ac_error *form_add_pair(apr_pool_t *p, apr_table_t *t, char *pair)
{
    char *eq = strchr(pair, '=');
    const char *value = "";
    const char *name;

    if (eq) {
        *eq = '\0';
        value = ac_url_unescape(p, eq + 1);
    }
    name = ac_url_unescape(p, pair);
    if (name == NULL || value == NULL) {
        return ac_error_make(p, AC_E_FORM_MALFORMED,
                             "a parameter has a malformed %%-escape");
    }
    if (*name == '\0') {
        return ac_error_make(p, AC_E_FORM_MALFORMED,
                             "a parameter has an empty name");
    }
    /* apr tables match names case-insensitively, so "State" and "state"
     * count as the same parameter here as they would at lookup */
    if (apr_table_get(t, name) != NULL) {
        return ac_error_make(p, AC_E_FORM_DUPLICATE,
                             "parameter '%s' appears more than once",
                             ac_url_escape(p, name));
    }
    apr_table_setn(t, name, value);
    return NULL;
}

ac_error *ac_form_parse(apr_pool_t *p, const char *query, int max_params,
                        apr_table_t **out)
{
    /* a size hint only: the limit may be generous, most forms are small */
    apr_table_t *t = apr_table_make(p, max_params > 0 && max_params < 8
                                           ? max_params : 8);
    char *copy, *pair, *last;
    int count = 0;

    *out = t;
    if (query == NULL) {
        return NULL;
    }
    copy = apr_pstrdup(p, query);
    /* apr_strtok skips empty pieces ("a=1&&b=2"), which carry nothing */
    for (pair = apr_strtok(copy, "&", &last); pair != NULL;
         pair = apr_strtok(NULL, "&", &last)) {
        ac_error *err;

        if (++count > max_params) {
            return ac_error_make(p, AC_E_FORM_TOO_MANY,
                                 "more than %d parameters", max_params);
        }
        err = form_add_pair(p, t, pair);
        if (err) {
            return err;
        }
    }
    return NULL;
}

/* ---- names ---------------------------------------------------------------- */

int ac_edit_distance(const char *a, const char *b)
{
    int row[AC_EDIT_NAME_MAX + 1];
    apr_size_t la = strlen(a), lb = strlen(b), i, j;

    if (la > AC_EDIT_NAME_MAX || lb > AC_EDIT_NAME_MAX) {
        return INT_MAX;
    }
    /* one row of the table: row[j] is the distance of a[0..i) to b[0..j) */
    for (j = 0; j <= lb; j++) {
        row[j] = (int)j;
    }
    for (i = 1; i <= la; i++) {
        int diagonal = row[0];
        row[0] = (int)i;
        for (j = 1; j <= lb; j++) {
            int above = row[j];
            int cost = apr_tolower((unsigned char)a[i - 1])
                       != apr_tolower((unsigned char)b[j - 1]);
            int best = diagonal + cost;
            if (above + 1 < best) {
                best = above + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            diagonal = above;
            row[j] = best;
        }
    }
    return row[lb];
}

const char *ac_closest_name(const char *word, const apr_array_header_t *candidates)
{
    int limit = (int)(strlen(word) / 3);
    const char *best = NULL;
    int best_d = INT_MAX, i;

    limit = limit < 1 ? 1 : limit > 2 ? 2 : limit;
    for (i = 0; candidates && i < candidates->nelts; i++) {
        const char *c = APR_ARRAY_IDX(candidates, i, const char *);
        int d = ac_edit_distance(word, c);
        if (d <= limit && (d < best_d || (d == best_d && strcmp(c, best) < 0))) {
            best = c;
            best_d = d;
        }
    }
    return best;
}
