/*
 * fuzz_redirect.c - ac_redirect_check, between an attacker-supplied
 * post-login / post-logout target and a Location header, and
 * ac_url_is_secure_or_loopback.
 *
 * Input: one byte choosing this site's origin and the allow-list, then the
 * target (up to its first NUL).  An accepted target is checked against a
 * deliberately simple model of what may pass: a local path, or a URL whose
 * scheme, host and port are this site's or an allowed one's.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "support.h"
#include "url.h"

typedef struct site {
    const char *self;               /* may be NULL */
    const char *allow[3];           /* NULL-terminated */
} site;

static const site sites[] = {
    { "https://app.example", { NULL } },
    { "http://127.0.0.1:8080", { "https://partner.example/portal", NULL } },
    { "https://[::1]:8443", { "https://partner.example",
                              "http://intranet.example:8080/", NULL } },
    { NULL, { "https://partner.example/portal/", NULL } },
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    return 0;
}

/* "scheme://host:port" of an http(s) URL, host lower-cased, port made
 * explicit; NULL when it is not one.  *rest points after the authority. */
static const char *model_origin(apr_pool_t *p, const char *url,
                                const char **rest)
{
    const char *scheme, *a, *end, *colon, *host_end;
    char *host;
    long port;
    int i;

    if (strncasecmp(url, "https://", 8) == 0) {
        scheme = "https";
        port = 443;
        a = url + 8;
    }
    else if (strncasecmp(url, "http://", 7) == 0) {
        scheme = "http";
        port = 80;
        a = url + 7;
    }
    else {
        return NULL;
    }
    end = a + strcspn(a, "/?#");
    *rest = end;
    host_end = *a == '[' ? memchr(a, ']', (size_t)(end - a)) : NULL;
    host_end = host_end ? host_end + 1 : a;
    colon = memchr(host_end, ':', (size_t)(end - host_end));
    host_end = colon ? colon : end;
    if (colon && colon + 1 < end) {
        port = strtol(colon + 1, NULL, 10);
    }
    host = apr_pstrmemdup(p, a, (size_t)(host_end - a));
    for (i = 0; host[i]; i++) {
        host[i] = (char)apr_tolower(host[i]);
    }
    return apr_psprintf(p, "%s://%s:%ld", scheme, host, port);
}

static void check_accepted(apr_pool_t *p, const char *t, const site *s,
                           int with_allow)
{
    const char *o, *rest = NULL, *so, *srest;
    int i, ok = 0;

    for (i = 0; t[i]; i++) {
        unsigned char c = (unsigned char)t[i];

        FZ_ASSERT(c > 0x20 && c < 0x7f && c != '\\');
    }
    if (t[0] == '/') {
        FZ_ASSERT(t[1] != '/');
        FZ_ASSERT(strncasecmp(t, "/%2f", 4) != 0);
        FZ_ASSERT(strncasecmp(t, "/%5c", 4) != 0);
        return;
    }
    o = model_origin(p, t, &rest);
    FZ_ASSERT(o != NULL);
    FZ_ASSERT(memchr(t, '@', (size_t)(rest - t)) == NULL);
    FZ_ASSERT(rest[0] != '/' || rest[1] != '/');
    if (s->self && (so = model_origin(p, s->self, &srest)) != NULL) {
        ok = strcmp(o, so) == 0;
    }
    for (i = 0; !ok && with_allow && s->allow[i]; i++) {
        so = model_origin(p, s->allow[i], &srest);
        ok = strcmp(o, so) == 0 && (srest[0] == '\0' || strcmp(srest, "/") == 0
                                    || strncmp(rest, srest, strlen(srest)) == 0);
    }
    FZ_ASSERT(ok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const site *s;
    apr_array_header_t *allow;
    apr_pool_t *p;
    const char *t, *rest;
    int i, with_allow;

    if (size < 1) {
        return 0;
    }
    p = fz_pool_begin();
    s = &sites[(data[0] & 0x7f) % (sizeof(sites) / sizeof(sites[0]))];
    allow = apr_array_make(p, 3, sizeof(const char *));
    for (i = 0; s->allow[i]; i++) {
        APR_ARRAY_PUSH(allow, const char *) = s->allow[i];
    }
    t = fz_cstr(p, data + 1, size - 1);
    /* the top bit: no allow-list at all, as at login */
    with_allow = !(data[0] & 0x80);
    if (ac_redirect_check(p, t, s->self, with_allow ? allow : NULL) == NULL) {
        check_accepted(p, t, s, with_allow);
    }
    if (ac_url_is_secure_or_loopback(p, t)) {
        const char *o = model_origin(p, t, &rest);

        FZ_ASSERT(o != NULL);
        FZ_ASSERT(strncmp(o, "https://", 8) == 0
                  || strncmp(o, "http://localhost:", 17) == 0
                  || strncmp(o, "http://[::1]:", 13) == 0
                  || strncmp(o, "http://127.", 11) == 0
                  /* url.c takes "[127.0.0.1]" for an address literal;
                   * no client accepts that URL, so it is harmless */
                  || strncmp(o, "http://[127.", 12) == 0);
    }
    fz_pool_end(p);
    return 0;
}
