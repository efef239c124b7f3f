/*
 * fuzz_decode.c - ac_b64url_decode (JWT parts, ids) and ac_url_unescape
 * (every form value), with the round trips their callers rely on.
 *
 * Input: the text to decode (up to its first NUL).
 */
#include <string.h>

#include "support.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    return 0;
}

static void b64url(apr_pool_t *p, const char *in)
{
    apr_size_t n = (apr_size_t)-1;
    unsigned char *raw = ac_b64url_decode(p, in, &n);

    if (raw == NULL) {
        return;
    }
    FZ_ASSERT(n <= strlen(in) * 3 / 4);
    /* the decoder accepts only the canonical spelling (no stray bits), so
     * encoding gives back exactly the input */
    FZ_ASSERT(strcmp(ac_b64url_encode(p, raw, n), in) == 0);
}

static void unescape(apr_pool_t *p, const char *in)
{
    char *out = ac_url_unescape(p, in);
    char *again;

    if (out == NULL) {
        return;
    }
    FZ_ASSERT(strlen(out) <= strlen(in));
    /* escaping then unescaping is the identity on any C string */
    again = ac_url_unescape(p, ac_url_escape(p, out));
    FZ_ASSERT(again != NULL && strcmp(again, out) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fz_pool_begin();
    const char *in = fz_cstr(p, data, size);

    b64url(p, in);
    unescape(p, in);
    fz_pool_end(p);
    return 0;
}
