/*
 * oauth1.c - OAuth 1.0a (RFC 5849): the signature base string, the four
 * signature methods, the placement of the protocol parameters, and the
 * parsers of the temporary and token credentials answers.
 *
 * A request is assembled from small steps that the unit tests drive one by
 * one with a fixed nonce and timestamp: protocol parameters, signature,
 * placement; only ac_oauth1_request draws randomness and touches the network.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_lib.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include "oauth1.h"
#include "keys.h"
#include "url.h"

/* RSA-SHA1 is a legacy method; providers that still use it (Jira-style
 * application links) document 1024-bit keys, so that is the floor. */
#define AC_OAUTH1_RSA_MIN_BITS 1024
/* A provider's error text longer than this stays out of the message. */
#define AC_OAUTH1_QUOTE_MAX 160
/* Fields of a token answer: a handful in practice. */
#define AC_OAUTH1_MAX_FIELDS 64

/* ---- percent-encoding --------------------------------------------------- */

char *ac_oauth1_encode(apr_pool_t *p, const char *s)
{
    /* util.c's escaper is exactly RFC 5849 3.6 (unreserved kept, upper-case
     * hex, bytes one by one); this name says which rule the caller needs. */
    return ac_url_escape(p, s);
}

static void kv_push(apr_array_header_t *a, const char *key, const char *value)
{
    ac_kv *kv = apr_array_push(a);

    kv->key = key;
    kv->value = value;
}

/* "k=v&k=v", each side encoded first when `encode` is set. */
static char *kv_join(apr_pool_t *p, const apr_array_header_t *a, int encode)
{
    const ac_kv *kv = (const ac_kv *)a->elts;
    apr_array_header_t *parts = apr_array_make(p, a->nelts * 4 + 1,
                                               sizeof(const char *));
    int i;

    for (i = 0; i < a->nelts; i++) {
        if (i > 0) {
            APR_ARRAY_PUSH(parts, const char *) = "&";
        }
        APR_ARRAY_PUSH(parts, const char *) =
            encode ? ac_oauth1_encode(p, kv[i].key) : kv[i].key;
        APR_ARRAY_PUSH(parts, const char *) = "=";
        APR_ARRAY_PUSH(parts, const char *) =
            encode ? ac_oauth1_encode(p, kv[i].value) : kv[i].value;
    }
    return apr_array_pstrcat(p, parts, '\0');
}

char *ac_oauth1_form_encode(apr_pool_t *p, const apr_array_header_t *params)
{
    if (params == NULL) {
        return apr_pstrdup(p, "");
    }
    return kv_join(p, params, 1);
}

/* ---- the base string URI (RFC 5849 3.4.1.2) ----------------------------- */

typedef struct url_parts {
    const char *base_uri;       /* scheme://host[:port]/path, normalised */
    const char *query;          /* raw, without '?'; NULL when none */
    const char *without_fragment;
    int https;
} url_parts;

static ac_error *bad_url(apr_pool_t *p, const char *url, const char *why)
{
    return ac_error_make(p, AC_E_OAUTH1_URL,
                         "cannot sign a request to %s: %s",
                         ac_url_for_log(p, url), why);
}

static ac_error *url_split(apr_pool_t *p, const char *url, url_parts *out)
{
    ac_url_origin o;
    const char *why = ac_url_origin_parse(p, url, &o);
    const char *host, *port = "";
    apr_size_t pathlen, end;

    if (why != NULL) {
        return bad_url(p, url, why);
    }
    /* 3.4.1.2: host lower-cased (done by the parser), default port dropped */
    host = strchr(o.host, ':') ? apr_pstrcat(p, "[", o.host, "]", NULL) : o.host;
    if (o.port != (strcmp(o.scheme, "https") == 0 ? 443 : 80)) {
        port = apr_psprintf(p, ":%d", o.port);
    }
    end = strcspn(o.rest, "#");
    pathlen = strcspn(o.rest, "?#");
    out->base_uri = apr_pstrcat(p, o.scheme, "://", host, port,
                                pathlen ? apr_pstrmemdup(p, o.rest, pathlen)
                                        : "/", NULL);
    out->query = o.rest[pathlen] == '?'
               ? apr_pstrmemdup(p, o.rest + pathlen + 1, end - pathlen - 1)
               : NULL;
    out->without_fragment = apr_pstrmemdup(p, url,
                                           (apr_size_t)(o.rest - url) + end);
    out->https = strcmp(o.scheme, "https") == 0;
    return NULL;
}

/* ---- the base string (RFC 5849 3.4.1) ----------------------------------- */

/* Query parameters, decoded by the form rules ('+' is a space, 3.4.1.3.1). */
static ac_error *query_params(apr_pool_t *p, const char *url,
                              const char *query, apr_array_header_t *out)
{
    char *copy, *pair, *last;

    if (query == NULL) {
        return NULL;
    }
    copy = apr_pstrdup(p, query);
    for (pair = apr_strtok(copy, "&", &last); pair != NULL;
         pair = apr_strtok(NULL, "&", &last)) {
        char *eq = strchr(pair, '=');
        const char *name, *value = "";

        if (eq != NULL) {
            *eq = '\0';
            value = ac_url_unescape(p, eq + 1);
        }
        name = ac_url_unescape(p, pair);
        if (name == NULL || value == NULL) {
            return bad_url(p, url, "its query has a malformed %-escape");
        }
        kv_push(out, name, value);
    }
    return NULL;
}

static int kv_compare(const void *a, const void *b)
{
    const ac_kv *x = a, *y = b;
    int c = strcmp(x->key, y->key);

    return c != 0 ? c : strcmp(x->value, y->value);
}

/* 3.4.1.3.2: encode, then sort by name and value as encoded - the order of
 * "a%20b" and "a-b" differs before and after encoding. */
static char *params_normalise(apr_pool_t *p, const apr_array_header_t *in)
{
    apr_array_header_t *enc = apr_array_make(p, in->nelts ? in->nelts : 1,
                                             sizeof(ac_kv));
    const ac_kv *kv = (const ac_kv *)in->elts;
    int i;

    for (i = 0; i < in->nelts; i++) {
        kv_push(enc, ac_oauth1_encode(p, kv[i].key),
                ac_oauth1_encode(p, kv[i].value));
    }
    if (enc->nelts > 1) {
        qsort(enc->elts, (size_t)enc->nelts, sizeof(ac_kv), kv_compare);
    }
    return kv_join(p, enc, 0);
}

static ac_error *method_upper(apr_pool_t *p, const char *method,
                              const char **out)
{
    char *m, *c;

    if (method == NULL || *method == '\0') {
        return ac_error_make(p, AC_E_OAUTH1_METHOD, "no HTTP method given");
    }
    m = apr_pstrdup(p, method);
    for (c = m; *c; c++) {
        if (!apr_isalpha(*c)) {
            return ac_error_make(p, AC_E_OAUTH1_METHOD,
                                 "'%s' is not an HTTP method",
                                 ac_oauth1_encode(p, method));
        }
        *c = (char)apr_toupper(*c);
    }
    *out = m;
    return NULL;
}

ac_error *ac_oauth1_base_string(apr_pool_t *p, const char *method,
                                const char *url,
                                const apr_array_header_t *params,
                                const char **out)
{
    apr_array_header_t *all = apr_array_make(p, 16, sizeof(ac_kv));
    const char *m;
    url_parts u;
    ac_error *err;

    if (url == NULL) {
        return ac_error_make(p, AC_E_OAUTH1_URL, "no URL to sign");
    }
    err = method_upper(p, method, &m);
    if (err == NULL) {
        err = url_split(p, url, &u);
    }
    if (err == NULL) {
        err = query_params(p, url, u.query, all);
    }
    if (err != NULL) {
        return err;
    }
    if (params != NULL) {
        apr_array_cat(all, params);
    }
    *out = apr_pstrcat(p, m, "&", ac_oauth1_encode(p, u.base_uri), "&",
                       ac_oauth1_encode(p, params_normalise(p, all)), NULL);
    return NULL;
}

/* ---- signature methods (RFC 5849 3.4.2 - 3.4.4) ------------------------- */

const char *ac_oauth1_method_name(ac_oauth1_method m)
{
    switch (m) {
    case AC_OAUTH1_HMAC_SHA1: return "HMAC-SHA1";
    case AC_OAUTH1_HMAC_SHA256: return "HMAC-SHA256";
    case AC_OAUTH1_RSA_SHA1: return "RSA-SHA1";
    case AC_OAUTH1_PLAINTEXT: return "PLAINTEXT";
    }
    return NULL;
}

/* The shared secret of HMAC-* and PLAINTEXT (3.4.2, 3.4.4). */
static char *secret_key(apr_pool_t *p, const ac_oauth1_client *c,
                        const char *token_secret)
{
    return apr_pstrcat(p, ac_oauth1_encode(p, c->consumer_secret), "&",
                       ac_oauth1_encode(p, token_secret), NULL);
}

static ac_error *sign_hmac(apr_pool_t *p, const EVP_MD *md, const char *key,
                           const char *base, const char **out)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;

    if (HMAC(md, key, (int)strlen(key), (const unsigned char *)base,
             strlen(base), mac, &maclen) == NULL) {
        ERR_clear_error();
        return ac_error_make(p, AC_E_OAUTH1_SIGN,
                             "OpenSSL could not compute the HMAC signature");
    }
    *out = ac_b64_encode(p, mac, maclen);
    return NULL;
}

static ac_error *sign_rsa_sha1(apr_pool_t *p, EVP_PKEY *key, const char *base,
                               const char **out)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char *sig = NULL;
    size_t siglen = 0;
    int ok;

    /* 3.4.3 is RSASSA-PKCS1-v1_5, set explicitly rather than relying on
     * the provider's default padding */
    ok = ctx != NULL
        && EVP_DigestSignInit(ctx, &pctx, EVP_sha1(), NULL, key) == 1
        && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0
        && EVP_DigestSign(ctx, NULL, &siglen, (const unsigned char *)base,
                          strlen(base)) == 1;
    if (ok) {
        sig = apr_palloc(p, siglen);
        ok = EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)base,
                            strlen(base)) == 1;
    }
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        ERR_clear_error();
        return ac_error_make(p, AC_E_OAUTH1_SIGN,
                             "OpenSSL refused to make the RSA-SHA1 signature "
                             "(is SHA-1 signing disabled by the crypto "
                             "policy of this host?)");
    }
    *out = ac_b64_encode(p, sig, siglen);
    return NULL;
}

ac_error *ac_oauth1_signature(apr_pool_t *p, const ac_oauth1_client *c,
                              const char *base, const char *token_secret,
                              const char **out)
{
    ac_error *err = NULL;
    char *key;

    switch (c->method) {
    case AC_OAUTH1_HMAC_SHA1:
    case AC_OAUTH1_HMAC_SHA256:
        key = secret_key(p, c, token_secret);
        err = sign_hmac(p, c->method == AC_OAUTH1_HMAC_SHA1 ? EVP_sha1()
                                                            : EVP_sha256(),
                        key, base, out);
        /* the key holds both secrets in the clear */
        OPENSSL_cleanse(key, strlen(key));
        return err;
    case AC_OAUTH1_RSA_SHA1:
        if (c->rsa_key == NULL) {
            return ac_error_make(p, AC_E_OAUTH1_RSA_KEY,
                                 "RSA-SHA1 needs a private key; none is "
                                 "loaded");
        }
        return sign_rsa_sha1(p, c->rsa_key, base, out);
    case AC_OAUTH1_PLAINTEXT:
        *out = secret_key(p, c, token_secret);
        return NULL;
    }
    return ac_error_make(p, AC_E_OAUTH1_METHOD,
                         "unknown signature method %d", (int)c->method);
}

/* ---- the RSA-SHA1 key --------------------------------------------------- */

ac_error *ac_oauth1_load_rsa_key(apr_pool_t *p, const char *path, void **key)
{
    EVP_PKEY *pkey;
    void *loaded;
    ac_error *err;

    *key = NULL;
    err = ac_pem_private_key_load(p, path, "the RSA-SHA1 key", &loaded);
    if (err != NULL) {
        return err;
    }
    pkey = loaded;
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
        return ac_error_make(p, AC_E_OAUTH1_RSA_KEY,
                             "%s is not an RSA key; RSA-SHA1 needs one "
                             "(openssl genpkey -algorithm RSA)", path);
    }
    if (EVP_PKEY_get_bits(pkey) < AC_OAUTH1_RSA_MIN_BITS) {
        return ac_error_make(p, AC_E_OAUTH1_RSA_KEY,
                             "%s holds a %d-bit RSA key; at least %d bits "
                             "are required", path, EVP_PKEY_get_bits(pkey),
                             AC_OAUTH1_RSA_MIN_BITS);
    }
    *key = pkey;
    return NULL;
}

/* ---- assembling a request ----------------------------------------------- */

static int is_protocol_name(const apr_array_header_t *a, const char *name)
{
    const ac_kv *kv = (const ac_kv *)a->elts;
    int i;

    for (i = 0; i < a->nelts; i++) {
        if (strcmp(kv[i].key, name) == 0) {
            return 1;
        }
    }
    return 0;
}

static ac_error *extra_add(apr_pool_t *p, apr_array_header_t *out,
                           const apr_array_header_t *extra)
{
    const ac_kv *kv = (const ac_kv *)extra->elts;
    int i;

    for (i = 0; i < extra->nelts; i++) {
        if (kv[i].key == NULL || kv[i].value == NULL
            || strncmp(kv[i].key, "oauth_", 6) != 0) {
            return ac_error_make(p, AC_E_OAUTH1_PARAM,
                                 "extra protocol parameters must be named "
                                 "oauth_* and have a value");
        }
        /* a second oauth_token or oauth_signature_method would be signed
         * and sent, and each side could read a different one */
        if (strcmp(kv[i].key, "oauth_signature") == 0
            || is_protocol_name(out, kv[i].key)) {
            return ac_error_make(p, AC_E_OAUTH1_PARAM,
                                 "protocol parameter %s given twice",
                                 ac_oauth1_encode(p, kv[i].key));
        }
        kv_push(out, kv[i].key, kv[i].value);
    }
    return NULL;
}

ac_error *ac_oauth1_protocol_params(apr_pool_t *p, const ac_oauth1_client *c,
                                    const char *token,
                                    const apr_array_header_t *oauth_extra,
                                    const char *nonce, const char *timestamp,
                                    apr_array_header_t **out)
{
    apr_array_header_t *a = apr_array_make(p, 8, sizeof(ac_kv));
    const char *name = ac_oauth1_method_name(c->method);

    *out = NULL;
    if (c->consumer_key == NULL || *c->consumer_key == '\0') {
        return ac_error_make(p, AC_E_OAUTH1_CONFIG,
                             "no consumer key (ClientID) is configured");
    }
    if (name == NULL) {
        return ac_error_make(p, AC_E_OAUTH1_METHOD,
                             "unknown signature method %d", (int)c->method);
    }
    kv_push(a, "oauth_consumer_key", c->consumer_key);
    kv_push(a, "oauth_nonce", nonce);
    kv_push(a, "oauth_signature_method", name);
    kv_push(a, "oauth_timestamp", timestamp);
    if (token != NULL) {
        kv_push(a, "oauth_token", token);
    }
    kv_push(a, "oauth_version", "1.0");
    if (oauth_extra != NULL) {
        ac_error *err = extra_add(p, a, oauth_extra);

        if (err != NULL) {
            return err;
        }
    }
    *out = a;
    return NULL;
}

ac_error *ac_oauth1_sign(apr_pool_t *p, const ac_oauth1_client *c,
                         const char *method, const char *url,
                         const apr_array_header_t *oauth,
                         const apr_array_header_t *form,
                         const char *token_secret, const char **signature)
{
    apr_array_header_t *params = apr_array_copy(p, oauth);
    const char *base;
    ac_error *err;
    url_parts u;

    err = url ? url_split(p, url, &u)
              : ac_error_make(p, AC_E_OAUTH1_URL, "no URL to sign");
    if (err != NULL) {
        return err;
    }
    /* 3.4.4: PLAINTEXT puts both secrets on the wire as they are */
    if (c->method == AC_OAUTH1_PLAINTEXT && !u.https) {
        return ac_error_make(p, AC_E_OAUTH1_PLAINTEXT_INSECURE,
                             "PLAINTEXT signatures send the secrets in the "
                             "clear; %s is not https (use https or "
                             "HMAC-SHA1)", ac_url_for_log(p, url));
    }
    if (form != NULL) {
        apr_array_cat(params, form);
    }
    err = ac_oauth1_base_string(p, method, url, params, &base);
    if (err != NULL) {
        return err;
    }
    return ac_oauth1_signature(p, c, base, token_secret, signature);
}

/* The realm as an RFC 7230 quoted-string. */
static ac_error *realm_quote(apr_pool_t *p, const char *realm,
                             const char **out)
{
    char *q = apr_palloc(p, strlen(realm) * 2 + 3);
    char *o = q;

    *o++ = '"';
    for (; *realm; realm++) {
        unsigned char ch = (unsigned char)*realm;

        if (ch < 0x20 || ch == 0x7f) {
            return ac_error_make(p, AC_E_OAUTH1_REALM,
                                 "the realm has a control character");
        }
        if (ch == '"' || ch == '\\') {
            *o++ = '\\';
        }
        *o++ = (char)ch;
    }
    *o++ = '"';
    *o = '\0';
    *out = q;
    return NULL;
}

ac_error *ac_oauth1_authorization_header(apr_pool_t *p,
                                         const ac_oauth1_client *c,
                                         const apr_array_header_t *oauth,
                                         const char **out)
{
    apr_array_header_t *parts = apr_array_make(p, oauth->nelts * 6 + 3,
                                               sizeof(const char *));
    const ac_kv *kv = (const ac_kv *)oauth->elts;
    const char *sep = " ";
    int i;

    APR_ARRAY_PUSH(parts, const char *) = "OAuth";
    if (c->realm != NULL) {
        const char *quoted = NULL;
        ac_error *err = realm_quote(p, c->realm, &quoted);

        if (err != NULL) {
            return err;
        }
        APR_ARRAY_PUSH(parts, const char *) = " realm=";
        APR_ARRAY_PUSH(parts, const char *) = quoted;
        sep = ", ";
    }
    for (i = 0; i < oauth->nelts; i++) {
        /* encoded values never hold '"' or '\', so no escaping is due */
        APR_ARRAY_PUSH(parts, const char *) = sep;
        APR_ARRAY_PUSH(parts, const char *) = ac_oauth1_encode(p, kv[i].key);
        APR_ARRAY_PUSH(parts, const char *) = "=\"";
        APR_ARRAY_PUSH(parts, const char *) = ac_oauth1_encode(p, kv[i].value);
        APR_ARRAY_PUSH(parts, const char *) = "\"";
        sep = ", ";
    }
    *out = apr_array_pstrcat(p, parts, '\0');
    return NULL;
}

static int has_body(const char *method)
{
    return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0
        || strcmp(method, "PATCH") == 0;
}

static const char *url_add_query(apr_pool_t *p, const char *url,
                                 const char *query)
{
    const char *q = strchr(url, '?');

    if (*query == '\0') {
        return url;
    }
    if (q == NULL) {
        return apr_pstrcat(p, url, "?", query, NULL);
    }
    return apr_pstrcat(p, url, q[1] == '\0' ? "" : "&", query, NULL);
}

/* 3.5: where the signed protocol parameters travel. */
static ac_error *place(apr_pool_t *p, const ac_oauth1_client *c,
                       const char *method, const url_parts *u,
                       const apr_array_header_t *oauth,
                       const apr_array_header_t *form,
                       ac_oauth1_prepared *out)
{
    apr_array_header_t *body = form ? apr_array_copy(p, form)
                                    : apr_array_make(p, 8, sizeof(ac_kv));
    ac_oauth1_placement where = c->placement;

    if (where == AC_OAUTH1_IN_BODY && !has_body(method)) {
        where = AC_OAUTH1_IN_QUERY;
    }
    out->url = u->without_fragment;
    if (where == AC_OAUTH1_IN_HEADER) {
        ac_error *err = ac_oauth1_authorization_header(p, c, oauth,
                                                       &out->authorization);
        if (err != NULL) {
            return err;
        }
    }
    else if (where == AC_OAUTH1_IN_QUERY) {
        out->url = url_add_query(p, u->without_fragment,
                                 ac_oauth1_form_encode(p, oauth));
    }
    else {
        apr_array_cat(body, oauth);
    }
    if (has_body(method)) {
        /* always a body, even an empty one: a POST without one would be
         * sent by libcurl as a GET */
        out->content_type = "application/x-www-form-urlencoded";
        out->body = ac_oauth1_form_encode(p, body);
    }
    return NULL;
}

ac_error *ac_oauth1_prepare(apr_pool_t *p, const ac_oauth1_client *c,
                            const char *method, const char *url,
                            const apr_array_header_t *oauth,
                            const apr_array_header_t *form,
                            const char *token_secret,
                            ac_oauth1_prepared *out)
{
    apr_array_header_t *signed_oauth;
    const char *m, *sig;
    ac_error *err;
    url_parts u;

    memset(out, 0, sizeof(*out));
    err = method_upper(p, method, &m);
    if (err != NULL) {
        return err;
    }
    if (form != NULL && form->nelts > 0 && !has_body(m)) {
        return ac_error_make(p, AC_E_OAUTH1_FORM_METHOD,
                             "a %s request has no body for form parameters",
                             m);
    }
    err = ac_oauth1_sign(p, c, m, url, oauth, form, token_secret, &sig);
    if (err == NULL) {
        err = url_split(p, url, &u);
    }
    if (err != NULL) {
        return err;
    }
    signed_oauth = apr_array_copy(p, oauth);
    kv_push(signed_oauth, "oauth_signature", sig);
    out->method = m;
    return place(p, c, m, &u, signed_oauth, form, out);
}

/* ---- the request -------------------------------------------------------- */

/* The provider's answer text, when it can be shown: short, printable, and
 * not carrying anything that looks like a credential. */
static const char *provider_text(apr_pool_t *p, const ac_http_response *r,
                                 const char *token, const char *token_secret)
{
    apr_size_t len = r->body ? r->len : 0, i;

    while (len > 0 && apr_isspace(r->body[len - 1])) {
        len--;
    }
    if (len == 0 || len > AC_OAUTH1_QUOTE_MAX) {
        return NULL;
    }
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)r->body[i];

        if (ch < 0x20 || ch > 0x7e) {
            return NULL;
        }
    }
    {
        const char *text = apr_pstrmemdup(p, r->body, len);

        if (strstr(text, "oauth_token") != NULL
            || (token && *token && strstr(text, token) != NULL)
            || (token_secret && *token_secret
                && strstr(text, token_secret) != NULL)) {
            return NULL;
        }
        return text;
    }
}

static ac_error *status_check(apr_pool_t *p, const char *url,
                              const ac_http_response *r, const char *token,
                              const char *token_secret)
{
    const char *text;

    if (r->status >= 200 && r->status <= 299) {
        return NULL;
    }
    text = provider_text(p, r, token, token_secret);
    return ac_error_make(p, AC_E_OAUTH1_HTTP_STATUS,
                         "%s answered HTTP %ld%s%s%s", ac_url_for_log(p, url),
                         r->status, text ? " (" : "", text ? text : "",
                         text ? ")" : "");
}

ac_error *ac_oauth1_request(apr_pool_t *p, const ac_http_opts *h,
                            const ac_oauth1_client *c, const char *method,
                            const char *url,
                            const apr_array_header_t *oauth_extra,
                            const apr_array_header_t *form,
                            const char *token, const char *token_secret,
                            ac_http_response *resp)
{
    unsigned char raw[16];
    apr_array_header_t *oauth;
    apr_table_t *headers = NULL;
    ac_oauth1_prepared out;
    const char *nonce, *timestamp;
    ac_error *err;

    memset(resp, 0, sizeof(*resp));
    err = ac_random_bytes(p, raw, sizeof(raw));
    if (err != NULL) {
        return err;
    }
    /* hex, not base64url: some providers accept only alphanumeric nonces */
    nonce = ac_hex(p, raw, sizeof(raw));
    timestamp = apr_psprintf(p, "%" APR_TIME_T_FMT,
                             apr_time_sec(apr_time_now()));
    err = ac_oauth1_protocol_params(p, c, token, oauth_extra, nonce,
                                    timestamp, &oauth);
    if (err == NULL) {
        err = ac_oauth1_prepare(p, c, method, url, oauth, form, token_secret,
                                &out);
    }
    if (err != NULL) {
        return err;
    }
    if (out.authorization != NULL) {
        headers = apr_table_make(p, 1);
        apr_table_setn(headers, "Authorization", out.authorization);
    }
    err = ac_http_request(p, h, out.method, out.url, headers, out.content_type,
                          out.body, resp);
    if (err != NULL) {
        return err;
    }
    return status_check(p, url, resp, token, token_secret);
}

/* ---- the answers -------------------------------------------------------- */

static ac_error *token_parse(apr_pool_t *p, const ac_http_response *r,
                             const char *what, ac_oauth1_token *out)
{
    apr_size_t len = r->body ? r->len : 0;
    ac_error *err;
    char *body;

    memset(out, 0, sizeof(*out));
    if (r->status < 200 || r->status > 299) {
        return ac_error_make(p, AC_E_OAUTH1_HTTP_STATUS,
                             "the %s endpoint answered HTTP %ld", what,
                             r->status);
    }
    /* a trailing newline is common and carries nothing */
    while (len > 0 && apr_isspace(r->body[len - 1])) {
        len--;
    }
    if (len == 0) {
        return ac_error_make(p, AC_E_OAUTH1_MALFORMED,
                             "the %s answer is empty", what);
    }
    body = apr_pstrmemdup(p, r->body, len);
    err = ac_form_parse(p, body, AC_OAUTH1_MAX_FIELDS, &out->fields);
    if (err != NULL) {
        return ac_error_make(p, AC_E_OAUTH1_MALFORMED,
                             "the %s answer is not a valid form: %s", what,
                             err->message);
    }
    out->token = apr_table_get(out->fields, "oauth_token");
    out->secret = apr_table_get(out->fields, "oauth_token_secret");
    /* an empty secret is allowed by 2.1 grammar but signs with just the
     * consumer secret; providers always issue one, so its absence means a
     * confused answer */
    if (out->token == NULL || *out->token == '\0' || out->secret == NULL
        || *out->secret == '\0') {
        memset(out, 0, sizeof(*out));
        return ac_error_make(p, AC_E_OAUTH1_MALFORMED,
                             "the %s answer lacks oauth_token or "
                             "oauth_token_secret", what);
    }
    return NULL;
}

ac_error *ac_oauth1_parse_request_token(apr_pool_t *p,
                                        const ac_http_response *r,
                                        ac_oauth1_token *out)
{
    ac_error *err = token_parse(p, r, "request token", out);
    const char *confirmed;

    if (err != NULL) {
        return err;
    }
    /* 2.1: without it the provider may be a pre-1.0a one, open to session
     * fixation through an attacker-chosen callback */
    confirmed = apr_table_get(out->fields, "oauth_callback_confirmed");
    if (confirmed == NULL || strcmp(confirmed, "true") != 0) {
        memset(out, 0, sizeof(*out));
        return ac_error_make(p, AC_E_OAUTH1_CALLBACK_UNCONFIRMED,
                             "the request token answer does not carry "
                             "oauth_callback_confirmed=true; the provider "
                             "does not speak OAuth 1.0a");
    }
    return NULL;
}

ac_error *ac_oauth1_parse_access_token(apr_pool_t *p,
                                       const ac_http_response *r,
                                       ac_oauth1_token *out)
{
    return token_parse(p, r, "access token", out);
}
