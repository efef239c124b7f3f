/*
 * fuzz_cookie.c - ac_cookie_scan, which reads the session and flow cookie
 * ids out of the Cookie headers of every request, before anything else
 * has looked at them.
 *
 * Input: the Cookie headers of one request, separated by '\n' (httpd hands
 * repeated headers to session.c one by one, through apr_table_do, and none
 * can hold a newline).  Every name below is looked up in them, as
 * ac_cookie_ids does: each header scanned into the same result until it is
 * full.  Each header is a string of exactly its length, so a read past its
 * NUL is an ASan report.
 *
 * Besides the promises checked on each value (inside its header, after
 * "name=" at the start of a cookie, no separator, no trailing blank), the
 * values are compared with a second reading written from cookie.h's
 * description alone, so that a cookie the scanner skips is caught too.
 */
#include <string.h>

#include "cookie.h"
#include "support.h"

/* The default names and what AuthClientCookieName and the __Host- prefix
 * make of them; "ac_session" is a prefix of "ac_session_flow". */
static const char *const names[] = {
    "ac_session", "ac_flow", "ac_session_flow",
    "__Host-ac_session", "__Host-ac_flow", "a",
};

#define MAX_HEADERS 64

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    return 0;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_separator(char c)
{
    return c == ';' || c == ',';
}

/*
 * The reference reading: a header is pieces between ';' and ','; a piece,
 * once its leading blanks are dropped, is a cookie of `name` when it starts
 * with "name=", and its value is the rest without trailing blanks.  Adds
 * the values to `out` as the scanner would.
 */
static void model_scan(const char *h, const char *name, ac_cookie_values *out)
{
    size_t nlen = strlen(name), hlen = strlen(h), start = 0;

    while (start <= hlen && out->count < AC_COOKIE_MAX_VALUES) {
        size_t stop = start, b;

        while (stop < hlen && !is_separator(h[stop])) {
            stop++;
        }
        for (b = start; b < stop && is_blank(h[b]); b++) {
        }
        if (stop - b > nlen && memcmp(h + b, name, nlen) == 0
            && h[b + nlen] == '=') {
            size_t v = b + nlen + 1, e = stop;

            while (e > v && is_blank(h[e - 1])) {
                e--;
            }
            out->value[out->count] = h + v;
            out->len[out->count] = e - v;
            out->count++;
        }
        start = stop + 1;
    }
}

/* What the header promises of value `i`, found in header `h`. */
static void check_value(const ac_cookie_values *got, int i, const char *h,
                        const char *name)
{
    const char *v = got->value[i], *end = h + strlen(h);
    size_t nlen = strlen(name), k;
    const char *start;

    FZ_ASSERT(v != NULL && v >= h && v <= end);
    FZ_ASSERT((size_t)(v - h) >= nlen + 1);
    start = v - nlen - 1;
    FZ_ASSERT(got->len[i] <= (size_t)(end - v));
    for (k = 0; k < got->len[i]; k++) {
        FZ_ASSERT(!is_separator(v[k]));
    }
    FZ_ASSERT(got->len[i] == 0 || !is_blank(v[got->len[i] - 1]));
    /* "name=" right before the value, at the start of a cookie */
    FZ_ASSERT(memcmp(start, name, nlen) == 0 && v[-1] == '=');
    FZ_ASSERT(start == h || is_blank(start[-1]) || is_separator(start[-1]));
}

static void scan_all(const char *const *headers, int nheaders,
                     const char *name)
{
    ac_cookie_values got, want;
    int i, j;

    got.count = 0;
    want.count = 0;
    for (i = 0; i < nheaders; i++) {
        int before = got.count;

        /* session.c stops once the result is full; scanning a full result
         * must change nothing either */
        ac_cookie_scan(headers[i], name, &got);
        FZ_ASSERT(got.count >= before && got.count <= AC_COOKIE_MAX_VALUES);
        for (j = before; j < got.count; j++) {
            check_value(&got, j, headers[i], name);
            FZ_ASSERT(j == before || got.value[j] > got.value[j - 1]);
        }
        model_scan(headers[i], name, &want);
    }
    FZ_ASSERT(got.count == want.count);
    for (i = 0; i < got.count; i++) {
        FZ_ASSERT(got.value[i] == want.value[i] && got.len[i] == want.len[i]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fz_pool_begin();
    const char *headers[MAX_HEADERS];
    const uint8_t *part = data, *end = data + size;
    int n = 0;
    size_t i;

    while (n < MAX_HEADERS && part <= end) {
        const uint8_t *nl = memchr(part, '\n', (size_t)(end - part));
        size_t len = nl ? (size_t)(nl - part) : (size_t)(end - part);

        headers[n++] = fz_cstr(p, part, len);
        part += len + 1;
    }
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        scan_all(headers, n, names[i]);
    }
    fz_pool_end(p);
    return 0;
}
