/*
 * fuzz_relay.c - the API relay's upstream request: ac_relay_outside_base
 * on the URL mod_proxy would use, ac_relay_form_params on the browser's
 * form body, ac_relay_bearer on a token, and ac_relay_oauth1_sign over
 * what passed.
 *
 * Input: one byte choosing the API base URL (low two bits), the
 * signature placement (next two) and whether the URL is a ProxyPass
 * pattern (bit 4), then the upstream URL up to the first NUL, then the
 * form body (the rest, NULs included).  A URL found under
 * the base is checked against a deliberately simple model: the base's
 * origin and path as a plain prefix, and nothing in the path an upstream
 * could read as another path.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "relay_upstream.h"
#include "support.h"

typedef struct base {
    const char *url;
    const char *prefix;             /* what an accepted URL starts with */
} base;

static const base bases[] = {
    { "https://api.github.com/", "https://api.github.com/" },
    { "https://api.twitter.com/1.1/", "https://api.twitter.com/1.1/" },
    { "http://127.0.0.1:4601/v1", "http://127.0.0.1:4601/v1" },
    { "https://[::1]:8443/api/", "https://[::1]:8443/api/" },
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    return 0;
}

/* The URL with its authority in the base's spelling: lower case, the
 * port as a number, the default one dropped (also an empty one, "host:"). */
static const char *normalised(apr_pool_t *p, const char *url)
{
    const char *a = strstr(url, "://"), *end, *colon;
    int https = strncasecmp(url, "https://", 8) == 0;
    char *host, *c;
    long port;

    if (a == NULL) {
        return url;
    }
    a += 3;
    end = a + strcspn(a, "/?#");
    colon = *a == '[' ? memchr(a, ']', (size_t)(end - a)) : a;
    colon = colon ? memchr(colon, ':', (size_t)(end - colon)) : NULL;
    host = apr_pstrmemdup(p, a, (size_t)((colon ? colon : end) - a));
    for (c = host; *c; c++) {
        *c = (char)apr_tolower(*c);
    }
    port = colon && colon + 1 < end ? strtol(colon + 1, NULL, 10) : (https ? 443 : 80);
    return apr_pstrcat(p, https ? "https://" : "http://", host,
                       port == (https ? 443 : 80) ? "" : apr_psprintf(p, ":%ld", port),
                       *end == '/' ? "" : "/", end, NULL);
}

static void check_under(apr_pool_t *p, const base *b, const char *url)
{
    const char *n = normalised(p, url);
    size_t plen = strlen(b->prefix), pathlen;
    const char *path = strstr(n, "://") + 3;
    char *copy, *seg, *last;

    path += strcspn(path, "/");
    pathlen = strcspn(path, "?");
    FZ_ASSERT(strncmp(n, b->prefix, plen) == 0
              || (strlen(n) + 1 == plen && strncmp(n, b->prefix, plen - 1) == 0));
    /* ".../v1" admits ".../v1" and ".../v1/...", never ".../v1x" */
    if (b->prefix[plen - 1] != '/' && strlen(n) > plen) {
        FZ_ASSERT(n[plen] == '/' || n[plen] == '?');
    }
    FZ_ASSERT(strchr(url, '#') == NULL);
    copy = apr_pstrmemdup(p, path, pathlen);
    FZ_ASSERT(strchr(copy, '\\') == NULL);
    FZ_ASSERT(strcasestr(copy, "%2f") == NULL && strcasestr(copy, "%5c") == NULL);
    for (seg = copy; *seg; seg++) {
        FZ_ASSERT((unsigned char)*seg > 0x20 && (unsigned char)*seg < 0x7f);
    }
    for (seg = apr_strtok(copy, "/", &last); seg; seg = apr_strtok(NULL, "/", &last)) {
        char *s = apr_pstrdup(p, seg), *d;

        s[strcspn(s, ";")] = '\0';
        while ((d = strcasestr(s, "%2e")) != NULL) {
            *d = '.';
            memmove(d + 1, d + 3, strlen(d + 3) + 1);
        }
        FZ_ASSERT(strcmp(s, ".") != 0 && strcmp(s, "..") != 0);
    }
}

static void check_header_safe(const char *v)
{
    for (; v && *v; v++) {
        FZ_ASSERT((unsigned char)*v >= 0x20 && (unsigned char)*v < 0x7f);
    }
}

static void check_signed(apr_pool_t *p, const char *url,
                         const apr_array_header_t *form, int where)
{
    ac_oauth1_client c = { "fuzz-key", "fuzz-secret", NULL, AC_OAUTH1_HMAC_SHA1,
                           (ac_oauth1_placement)where, NULL };
    ac_relay_signed out;
    ac_error *e = ac_relay_oauth1_sign(p, &c, "POST", url, form, "tok", "tok secret",
                                       "0123456789abcdef", "1700000000", &out);
    const char *s;

    fz_note("relay", e);
    if (e != NULL) {
        return;
    }
    FZ_ASSERT(strncmp(out.url, url, strlen(url)) == 0);
    check_header_safe(out.authorization);
    /* what is added is encoded: it cannot break the URL, header or body */
    s = out.body_params ? out.body_params : out.url + strlen(url);
    for (; *s; s++) {
        FZ_ASSERT(apr_isalnum(*s) || strchr("-._~%=&?", *s) != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const base *b;
    apr_pool_t *p;
    apr_array_header_t *form = NULL;
    const char *url, *auth = NULL, *body;
    size_t ulen, blen;
    int where;

    if (size < 1) {
        return 0;
    }
    p = fz_pool_begin();
    b = &bases[data[0] & 3];
    where = (data[0] >> 2) % 3;
    url = fz_cstr(p, data + 1, size - 1);
    ulen = strlen(url);
    body = ulen + 2 <= size - 1 ? (const char *)data + 1 + ulen + 1 : "";
    blen = ulen + 2 <= size - 1 ? size - 1 - ulen - 1 : 0;
    body = fz_copy(p, (const uint8_t *)body, blen);

    if (ac_relay_bearer(p, url, &auth) == NULL) {
        check_header_safe(auth);
    }
    if (ac_relay_form_params(p, body, blen, 64, &form) == NULL) {
        const ac_kv *kv = (const ac_kv *)form->elts;
        apr_array_header_t *again = NULL;
        const char *enc = ac_oauth1_form_encode(p, form);
        int i;

        FZ_ASSERT(form->nelts <= 64);
        /* encoding what was read and reading it again gives it back */
        FZ_ASSERT(ac_relay_form_params(p, enc, strlen(enc), 64, &again) == NULL);
        FZ_ASSERT(again->nelts == form->nelts);
        for (i = 0; i < form->nelts; i++) {
            const ac_kv *kv2 = &APR_ARRAY_IDX(again, i, ac_kv);

            FZ_ASSERT(strcmp(kv[i].key, kv2->key) == 0);
            FZ_ASSERT(strcmp(kv[i].value, kv2->value) == 0);
        }
    }
    else {
        form = NULL;
    }
    if (data[0] & 16) {
        /* a pattern: the promise is about what precedes its first '$' */
        if (ac_relay_outside_base(p, b->url, url, 1) == NULL) {
            const char *lit = normalised(p, apr_pstrmemdup(p, url, strcspn(url, "$")));

            FZ_ASSERT(strncmp(lit, b->prefix, strlen(b->prefix)) == 0
                      || strlen(lit) + 1 == strlen(b->prefix));
            FZ_ASSERT(strchr(url, '#') == NULL && strchr(url, '\\') == NULL);
        }
    }
    else if (ac_relay_outside_base(p, b->url, url, 0) == NULL) {
        check_under(p, b, url);
        check_signed(p, url, form, where);
    }
    fz_pool_end(p);
    return 0;
}
