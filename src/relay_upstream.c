/*
 * relay_upstream.c - the API relay's upstream request (relay_upstream.h):
 * the check that keeps the user's credentials inside the provider's API
 * base URL, form bodies as RFC 5849 signs them, and the signature of a
 * relayed OAuth 1.0a request over the oauth1.c building blocks.
 *
 * The base URL check is deliberately narrower than RFC 3986, like the
 * redirect check in url.c: whatever an upstream server might read
 * differently from a plain prefix comparison (dot segments, encoded
 * slashes, Tomcat's "..;") is refused rather than interpreted.
 */
#include <string.h>

#include <apr_cstr.h>
#include <apr_lib.h>

#include "relay_upstream.h"
#include "url.h"

/* ---- under the API base URL ---------------------------------------------- */

/* Is this one segment "." or "..", also as %2e and with ";parameters"? */
static int dot_segment(apr_pool_t *p, const char *seg, apr_size_t len)
{
    char *s = apr_pstrmemdup(p, seg, len);
    char *d;

    s[strcspn(s, ";")] = '\0';
    for (d = s; (d = strstr(d, "%2")) != NULL; d++) {
        if (d[2] == 'e' || d[2] == 'E') {
            d[0] = '.';
            memmove(d + 1, d + 3, strlen(d + 3) + 1);
        }
    }
    return strcmp(s, ".") == 0 || strcmp(s, "..") == 0;
}

/* Why the path `path` (up to `end`) is unfit for a prefix comparison. */
static const char *path_unsafe(apr_pool_t *p, const char *path, const char *end)
{
    const char *s, *seg = path;

    for (s = path; s < end; s++) {
        unsigned char c = (unsigned char)*s;

        if (c <= 0x20 || c >= 0x7f) {
            return "has a space, a control or a raw non-ASCII character in its path";
        }
        if (c == '\\') {
            return "has a backslash in its path";
        }
        if (c == '%') {
            if (s + 2 >= end || ac_hex_value((unsigned char)s[1]) < 0
                || ac_hex_value((unsigned char)s[2]) < 0) {
                return "has a malformed %-escape in its path";
            }
            if (apr_cstr_casecmpn(s, "%2f", 3) == 0
                || apr_cstr_casecmpn(s, "%5c", 3) == 0) {
                return "has an encoded slash or backslash in its path";
            }
        }
        if (c == '/') {
            if (dot_segment(p, seg, (apr_size_t)(s - seg))) {
                return "has a \".\" or \"..\" segment in its path";
            }
            seg = s + 1;
        }
    }
    if (dot_segment(p, seg, (apr_size_t)(end - seg))) {
        return "has a \".\" or \"..\" segment in its path";
    }
    return NULL;
}

const char *ac_relay_outside_base(apr_pool_t *p, const char *base,
                                  const char *url, int pattern)
{
    ac_url_origin b, u;
    const char *bpath, *upath, *why;
    apr_size_t blen, ulen;
    int open_end;

    if (base == NULL || ac_url_origin_parse(p, base, &b) != NULL) {
        return "cannot be compared with an API base URL that is not an "
               "http(s) URL";
    }
    if (url == NULL || ac_url_origin_parse(p, url, &u) != NULL) {
        return "is not an http(s) URL without user information";
    }
    if (strcmp(b.scheme, u.scheme) != 0 || strcmp(b.host, u.host) != 0
        || b.port != u.port) {
        return "has another scheme, host or port than the base URL";
    }
    if (strchr(u.rest, '#') != NULL) {
        return "has a fragment";
    }
    ulen = strcspn(u.rest, "?");
    upath = ulen > 0 ? u.rest : "/";
    ulen = ulen > 0 ? ulen : 1;
    if ((why = path_unsafe(p, upath, upath + ulen)) != NULL) {
        return why;
    }
    /* in a pattern, the prefix that counts ends at the first '$': what a
     * substitution puts there is not known yet */
    open_end = 0;
    if (pattern && memchr(upath, '$', ulen) != NULL) {
        ulen = (apr_size_t)((const char *)memchr(upath, '$', ulen) - upath);
        open_end = 1;
    }
    bpath = b.rest;
    blen = strcspn(bpath, "?#");
    if (blen == 0) {
        bpath = "/";
        blen = 1;
    }
    if (ulen < blen || strncmp(upath, bpath, blen) != 0) {
        return "has a path outside the base URL's path";
    }
    if (bpath[blen - 1] == '/') {
        return NULL;
    }
    /* ".../v1": the URL must end the segment where the base does */
    if (ulen == blen && !open_end) {
        return NULL;
    }
    if (ulen > blen && upath[blen] == '/') {
        return NULL;
    }
    return "has a path outside the base URL's path";
}

/* ---- form bodies --------------------------------------------------------- */

int ac_relay_is_form(const char *content_type)
{
    static const char form[] = "application/x-www-form-urlencoded";
    const char *s = content_type;

    if (s == NULL) {
        return 0;
    }
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    if (apr_cstr_casecmpn(s, form, sizeof(form) - 1) != 0) {
        return 0;
    }
    s += sizeof(form) - 1;
    return *s == '\0' || *s == ';' || *s == ' ' || *s == '\t';
}

static void kv_push(apr_array_header_t *a, const char *key, const char *value)
{
    ac_kv *kv = apr_array_push(a);

    kv->key = key;
    kv->value = value;
}

ac_error *ac_relay_form_params(apr_pool_t *p, const char *body, apr_size_t len,
                               int max_params, apr_array_header_t **out)
{
    apr_array_header_t *a = apr_array_make(p, 8, sizeof(ac_kv));
    char *copy, *piece, *last;

    *out = NULL;
    if (len > 0 && memchr(body, '\0', len) != NULL) {
        return ac_error_make(p, AC_E_FORM_MALFORMED, "the form body has a NUL byte");
    }
    copy = apr_pstrmemdup(p, len > 0 ? body : "", len);
    for (piece = apr_strtok(copy, "&", &last); piece != NULL;
         piece = apr_strtok(NULL, "&", &last)) {
        char *eq = strchr(piece, '=');
        const char *name, *value = "";

        if (a->nelts >= max_params) {
            return ac_error_make(p, AC_E_FORM_TOO_MANY, "the form body has more "
                                 "than %d parameters", max_params);
        }
        if (eq != NULL) {
            *eq = '\0';
            value = ac_url_unescape(p, eq + 1);
        }
        name = ac_url_unescape(p, piece);
        if (name == NULL || value == NULL) {
            return ac_error_make(p, AC_E_FORM_MALFORMED, "the form body has a "
                                 "malformed or NUL %%-escape");
        }
        kv_push(a, name, value);
    }
    *out = a;
    return NULL;
}

/* ---- the credentials ----------------------------------------------------- */

ac_error *ac_relay_bearer(apr_pool_t *p, const char *token,
                          const char **authorization)
{
    const char *s;

    *authorization = NULL;
    if (token == NULL || *token == '\0') {
        return ac_error_make(p, AC_E_TOKEN_MALFORMED, "the session has an empty "
                             "access token");
    }
    for (s = token; *s; s++) {
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f) {
            return ac_error_make(p, AC_E_TOKEN_MALFORMED, "the access token has "
                                 "a character that cannot go in a header");
        }
    }
    *authorization = apr_pstrcat(p, "Bearer ", token, NULL);
    return NULL;
}

static ac_error *own_oauth_param(apr_pool_t *p, const char *where)
{
    return ac_error_make(p, AC_E_RELAY_OAUTH_PARAM, "the request has an oauth_* "
                         "parameter of its own in its %s; the relay adds the "
                         "protocol parameters itself", where);
}

/* RFC 5849 3.1: the oauth_* names belong to the protocol, and a second
 * copy from the browser would only confuse the provider's verifier. */
static ac_error *refuse_oauth_names(apr_pool_t *p, const char *url,
                                    const apr_array_header_t *form)
{
    const char *q = strchr(url, '?');
    const ac_kv *kv;
    int i;

    if (q != NULL) {
        apr_array_header_t *query;
        apr_size_t qlen = strcspn(q + 1, "#");

        if (ac_relay_form_params(p, q + 1, qlen, 1 << 20, &query) != NULL) {
            return ac_error_make(p, AC_E_OAUTH1_URL, "the query of the request "
                                 "has a malformed %%-escape");
        }
        kv = (const ac_kv *)query->elts;
        for (i = 0; i < query->nelts; i++) {
            if (strncmp(kv[i].key, "oauth_", 6) == 0) {
                return own_oauth_param(p, "query");
            }
        }
    }
    kv = form ? (const ac_kv *)form->elts : NULL;
    for (i = 0; form && i < form->nelts; i++) {
        if (strncmp(kv[i].key, "oauth_", 6) == 0) {
            return own_oauth_param(p, "form body");
        }
    }
    return NULL;
}

static const char *url_add_query(apr_pool_t *p, const char *url, const char *query)
{
    const char *q = strchr(url, '?');

    if (q == NULL) {
        return apr_pstrcat(p, url, "?", query, NULL);
    }
    return apr_pstrcat(p, url, q[1] == '\0' ? "" : "&", query, NULL);
}

ac_error *ac_relay_oauth1_sign(apr_pool_t *p, const ac_oauth1_client *c,
                               const char *method, const char *url,
                               const apr_array_header_t *form,
                               const char *token, const char *token_secret,
                               const char *nonce, const char *timestamp,
                               ac_relay_signed *out)
{
    apr_array_header_t *oauth;
    ac_oauth1_placement where = c->placement;
    const char *sig;
    ac_kv *kv;
    ac_error *e;

    memset(out, 0, sizeof(*out));
    if (url == NULL || strchr(url, '#') != NULL) {
        return ac_error_make(p, AC_E_OAUTH1_URL, "a relayed URL has no fragment");
    }
    if ((e = refuse_oauth_names(p, url, form)) != NULL
        || (e = ac_oauth1_protocol_params(p, c, token, NULL, nonce, timestamp,
                                          &oauth)) != NULL
        || (e = ac_oauth1_sign(p, c, method, url, oauth, form, token_secret,
                               &sig)) != NULL) {
        return e;
    }
    kv = apr_array_push(oauth);
    kv->key = "oauth_signature";
    kv->value = sig;
    out->url = url;
    if (where == AC_OAUTH1_IN_BODY && form == NULL) {
        where = AC_OAUTH1_IN_QUERY;     /* 3.5.2: only a form body can carry them */
    }
    switch (where) {
    case AC_OAUTH1_IN_HEADER:
        return ac_oauth1_authorization_header(p, c, oauth, &out->authorization);
    case AC_OAUTH1_IN_QUERY:
        out->url = url_add_query(p, url, ac_oauth1_form_encode(p, oauth));
        return NULL;
    case AC_OAUTH1_IN_BODY:
        out->body_params = ac_oauth1_form_encode(p, oauth);
        return NULL;
    }
    return ac_error_make(p, AC_E_OAUTH1_PARAM, "unknown signature placement %d",
                         (int)where);
}
