/*
 * oidc.c - the OpenID Connect / OAuth 2.0 steps that talk to the provider:
 * discovery and JWKS (cached per process), the token request, protected
 * resource calls and the token response parser.
 *
 * The per-process document cache exists so that a login costs no discovery
 * or JWKS round trip in the common case, and so that a burst of tokens with
 * unknown `kid`s (a key rotation, or an attacker) costs at most one JWKS
 * fetch per interval.  It holds raw bodies that already passed validation,
 * keyed by URL; entries are few (one per configured provider URL) and live
 * as long as the process.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <apr_base64.h>
#include <apr_hash.h>
#include <apr_thread_mutex.h>

#include "jose.h"
#include "client_auth.h"
#include "oidc.h"

/* A JWKS is refetched after this long even without a kid miss, so that a
 * key the provider withdrew stops being accepted within the hour. */
#define AC_OIDC_JWKS_TTL 3600

/* After a failed refresh the stale copy is served for this long before the
 * next attempt, so that a provider outage does not make every login wait
 * for a connect timeout. */
#define AC_OIDC_RETRY_SECONDS 10

/* Form-encoded token responses carry a handful of parameters. */
#define AC_OIDC_FORM_MAX_PARAMS 64

/* Provider-supplied text quoted in messages is cut to this length. */
#define AC_OIDC_QUOTE_MAX 120

#define AC_WELL_KNOWN_OIDC "/.well-known/openid-configuration"
#define AC_WELL_KNOWN_OAUTH "/.well-known/oauth-authorization-server"

/* ---- the per-process document cache ------------------------------------- */

typedef struct doc_entry {
    char *body;                 /* malloc'd, NUL-terminated; NULL = none yet */
    apr_size_t len;
    apr_time_t fetched;         /* last successful fetch */
    apr_time_t failed;          /* last failed refresh since then, or 0 */
    char *failure;              /* malloc'd message of that failure */
    apr_time_t kid_miss_fetched; /* last fetch caused by an unknown kid */
    int fetching;               /* a refresh is under way in some thread */
} doc_entry;

typedef struct doc_cache {
    apr_pool_t *pool;
#if APR_HAS_THREADS
    apr_thread_mutex_t *lock;
#endif
    apr_hash_t *entries;        /* URL -> doc_entry */
} doc_cache;

static doc_cache *ac_docs;

static void cache_lock(doc_cache *c)
{
#if APR_HAS_THREADS
    apr_thread_mutex_lock(c->lock);
#endif
}

static void cache_unlock(doc_cache *c)
{
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(c->lock);
#endif
}

static apr_status_t doc_cache_cleanup(void *data)
{
    doc_cache *c = data;
    apr_hash_index_t *hi;

    for (hi = apr_hash_first(NULL, c->entries); hi; hi = apr_hash_next(hi)) {
        doc_entry *e = apr_hash_this_val(hi);

        free(e->body);
        free(e->failure);
    }
    if (ac_docs == c) {
        ac_docs = NULL;
    }
    return APR_SUCCESS;
}

ac_error *ac_oidc_process_init(apr_pool_t *pproc)
{
    doc_cache *c;

    if (ac_docs != NULL) {
        return NULL;
    }
    c = apr_pcalloc(pproc, sizeof(*c));
    c->pool = pproc;
    c->entries = apr_hash_make(pproc);
#if APR_HAS_THREADS
    if (apr_thread_mutex_create(&c->lock, APR_THREAD_MUTEX_DEFAULT, pproc)
        != APR_SUCCESS) {
        return ac_error_make(pproc, 500, "oidc_init",
                             "could not create the discovery cache lock");
    }
#endif
    apr_pool_cleanup_register(pproc, c, doc_cache_cleanup,
                              apr_pool_cleanup_null);
    ac_docs = c;
    return NULL;
}

/* Called with the lock held. */
static doc_entry *entry_for(doc_cache *c, const char *url)
{
    doc_entry *e = apr_hash_get(c->entries, url, APR_HASH_KEY_STRING);

    if (e == NULL) {
        e = apr_pcalloc(c->pool, sizeof(*e));
        apr_hash_set(c->entries, apr_pstrdup(c->pool, url),
                     APR_HASH_KEY_STRING, e);
    }
    return e;
}

/* Called with the lock held. */
static void entry_store(doc_entry *e, const char *body, apr_size_t len,
                        apr_time_t now)
{
    char *copy = malloc(len + 1);

    if (copy == NULL) {
        return;             /* keep the old copy; the next call tries again */
    }
    memcpy(copy, body, len);
    copy[len] = '\0';
    free(e->body);
    e->body = copy;
    e->len = len;
    e->fetched = now;
    e->failed = 0;
    free(e->failure);
    e->failure = NULL;
}

/* Called with the lock held. */
static void entry_fail(doc_entry *e, const ac_error *err, apr_time_t now)
{
    free(e->failure);
    e->failure = strdup(err->message ? err->message : err->code);
    e->failed = now;
}

/* Validates a freshly fetched body before it may enter the cache. */
typedef ac_error *(*doc_check_fn)(apr_pool_t *p, const char *body,
                                  apr_size_t len, void *ctx);

typedef struct doc_request {
    const char *what;           /* "discovery document", "JWKS" */
    const char *code;           /* error code for a bad answer */
    const char *url;
    int ttl;                    /* seconds */
    int kid_miss;
    int min_interval;           /* seconds between kid-miss fetches */
    doc_check_fn check;
    void *ctx;
} doc_request;

static ac_error *doc_fetch(apr_pool_t *p, const ac_http_opts *h,
                           const doc_request *rq, ac_http_response *resp)
{
    apr_table_t *hdrs = apr_table_make(p, 1);
    ac_error *err;

    apr_table_setn(hdrs, "Accept", "application/json");
    err = ac_http_request(p, h, "GET", rq->url, hdrs, NULL, NULL, resp);
    if (err != NULL) {
        return ac_error_make(p, err->http_status, err->code,
                             "fetching the %s: %s", rq->what, err->message);
    }
    if (resp->status != 200) {
        return ac_error_make(p, 502, rq->code,
                             "the %s at %s answered HTTP %ld, expected 200",
                             rq->what, rq->url, resp->status);
    }
    return rq->check(p, resp->body, resp->len, rq->ctx);
}

typedef enum { DOC_SERVE, DOC_FETCH } doc_plan;

/* Decide, with the lock held, whether the cached copy will do. */
static doc_plan doc_decide(doc_entry *e, const doc_request *rq, apr_time_t now)
{
    apr_time_t ttl = apr_time_from_sec(rq->ttl > 0 ? rq->ttl : 0);
    apr_time_t retry = apr_time_from_sec(AC_OIDC_RETRY_SECONDS);

    if (e->body == NULL) {
        return DOC_FETCH;
    }
    if (e->fetching) {
        return DOC_SERVE;
    }
    if (rq->kid_miss) {
        apr_time_t interval = apr_time_from_sec(rq->min_interval);

        if (e->kid_miss_fetched != 0 && now - e->kid_miss_fetched < interval) {
            return DOC_SERVE;
        }
        /* Claimed before the fetch, so concurrent misses do not pile up. */
        e->kid_miss_fetched = now;
        return DOC_FETCH;
    }
    if (now - e->fetched < ttl) {
        return DOC_SERVE;
    }
    if (e->failed != 0 && now - e->failed < retry) {
        return DOC_SERVE;
    }
    return DOC_FETCH;
}

/* Copy the cached body out (lock held) and say if it is past its ttl. */
static void doc_serve(apr_pool_t *p, doc_entry *e, const doc_request *rq,
                      apr_time_t now, const char **body, const char **warning)
{
    *body = apr_pstrmemdup(p, e->body, e->len);
    if (warning != NULL && e->failed != 0
        && now - e->fetched >= apr_time_from_sec(rq->ttl)) {
        *warning = apr_psprintf(p, "the %s at %s could not be refreshed (%s); "
                                "using the copy fetched %" APR_TIME_T_FMT
                                " seconds ago", rq->what, rq->url,
                                e->failure ? e->failure : "?",
                                apr_time_sec(now - e->fetched));
    }
}

static ac_error *doc_get(apr_pool_t *p, const ac_http_opts *h,
                         const doc_request *rq, const char **body,
                         const char **warning)
{
    ac_http_response resp;
    apr_time_t now = apr_time_now();
    doc_cache *c = ac_docs;
    doc_entry *e;
    ac_error *err;

    if (c == NULL) {
        /* Not initialised (a tool, a test): correct, only uncached. */
        err = doc_fetch(p, h, rq, &resp);
        *body = err ? NULL : resp.body;
        return err;
    }
    cache_lock(c);
    e = entry_for(c, rq->url);
    if (doc_decide(e, rq, now) == DOC_SERVE) {
        doc_serve(p, e, rq, now, body, warning);
        cache_unlock(c);
        return NULL;
    }
    e->fetching = e->body != NULL;
    cache_unlock(c);

    /* The network call runs unlocked; other threads serve the old copy. */
    err = doc_fetch(p, h, rq, &resp);

    cache_lock(c);
    e->fetching = 0;
    if (err == NULL) {
        entry_store(e, resp.body, resp.len, apr_time_now());
        *body = resp.body;
    }
    else if (e->body != NULL) {
        entry_fail(e, err, now);
        doc_serve(p, e, rq, now, body, warning);
        err = NULL;
    }
    cache_unlock(c);
    return err;
}

/* ---- discovery ---------------------------------------------------------- */

/* Provider-supplied text made fit for a log line. */
static const char *quote(apr_pool_t *p, const char *s)
{
    apr_size_t n = strlen(s), i;
    char *q;

    if (n > AC_OIDC_QUOTE_MAX) {
        n = AC_OIDC_QUOTE_MAX;
    }
    q = apr_pstrmemdup(p, s, n);
    for (i = 0; i < n; i++) {
        if ((unsigned char)q[i] < 0x20 || (unsigned char)q[i] >= 0x7f) {
            q[i] = '?';
        }
    }
    return q;
}

/*
 * The issuer a metadata URL was built from (OIDC Discovery 4, RFC 8414 3):
 * the well-known segment removed, whether appended or inserted before the
 * path.  NULL when the URL has no well-known segment.
 */
static const char *issuer_from_url(apr_pool_t *p, const char *url)
{
    static const char *const segs[] = { AC_WELL_KNOWN_OIDC,
                                        AC_WELL_KNOWN_OAUTH, NULL };
    char *base = apr_pstrmemdup(p, url, strcspn(url, "?#"));
    int i;

    for (i = 0; segs[i] != NULL; i++) {
        char *at = strstr(base, segs[i]);

        if (at != NULL) {
            return apr_pstrcat(p, apr_pstrmemdup(p, base, at - base),
                               at + strlen(segs[i]), NULL);
        }
    }
    return NULL;
}

typedef struct issuer_expect {
    const char *issuer;
    int derived;                /* from the URL: a trailing '/' may differ */
    const char *tenant_template; /* Entra multi-tenant: ".../{tenantid}/..." */
} issuer_expect;

static int issuer_matches(apr_pool_t *p, const issuer_expect *x,
                          const char *iss)
{
    if (strcmp(iss, x->issuer) == 0) {
        return 1;
    }
    if (x->tenant_template && strcmp(iss, x->tenant_template) == 0) {
        return 1;
    }
    /* Discovery 4.1 drops a terminating '/' before appending the well-known
     * path, so the URL cannot tell "https://idp" from "https://idp/". */
    return x->derived
        && strcmp(iss, apr_pstrcat(p, x->issuer, "/", NULL)) == 0;
}

static ac_error *issuer_check(apr_pool_t *p, const issuer_expect *x,
                              json_t *doc)
{
    const char *iss = ac_json_string(doc, "issuer");

    if (iss == NULL) {
        return ac_error_make(p, 502, "oidc_discovery",
                             "the discovery document has no issuer");
    }
    if (!issuer_matches(p, x, iss)) {
        return ac_error_make(p, 502, "oidc_discovery_issuer",
                             "the discovery document names issuer '%s', "
                             "expected '%s' (set Issuer if the provider's "
                             "issuer differs from its metadata URL)",
                             quote(p, iss), x->issuer);
    }
    return NULL;
}

static ac_error *discovery_check(apr_pool_t *p, const char *body,
                                 apr_size_t len, void *ctx)
{
    json_t *doc;
    ac_error *err;

    err = ac_json_parse_object(p, body, len, "discovery document", &doc);
    if (err != NULL) {
        return ac_error_make(p, 502, "oidc_discovery", "%s", err->message);
    }
    return issuer_check(p, ctx, doc);
}

static const char *pick(apr_pool_t *p, const char *explicit_value,
                        json_t *doc, const char *name)
{
    const char *v;

    if (explicit_value != NULL) {
        return explicit_value;
    }
    v = doc ? ac_json_string(doc, name) : NULL;
    return v ? apr_pstrdup(p, v) : NULL;
}

/* An OIDC provider needs a JWKS unless every allowed algorithm is HS*. */
static int provider_needs_jwks(const ac_provider *pv)
{
    int i;

    if (ac_provider_kind(pv) != AC_KIND_OIDC) {
        return 0;
    }
    if (pv->id_token_algs == NULL || pv->id_token_algs->nelts == 0) {
        return 1;
    }
    for (i = 0; i < pv->id_token_algs->nelts; i++) {
        if (strncmp(APR_ARRAY_IDX(pv->id_token_algs, i, const char *), "HS",
                    2) != 0) {
            return 1;
        }
    }
    return 0;
}

static ac_error *metadata_complete(apr_pool_t *p, const ac_provider *pv,
                                   const ac_oidc_metadata *md)
{
    const char *missing = NULL;

    if (md->authorization_endpoint == NULL) {
        missing = "AuthorizeURL (authorization_endpoint)";
    }
    else if (md->token_endpoint == NULL) {
        missing = "AccessTokenURL (token_endpoint)";
    }
    else if (ac_provider_kind(pv) == AC_KIND_OIDC && md->issuer == NULL) {
        missing = "Issuer (issuer)";
    }
    else if (provider_needs_jwks(pv) && md->jwks_uri == NULL) {
        missing = "JwksURI (jwks_uri)";
    }
    if (missing != NULL) {
        return ac_error_make(p, 500, "oidc_metadata_incomplete",
                             "provider %s (%s) has no %s: configure it, or "
                             "a ServerMetadataURL that provides it",
                             pv->name, pv->defined_in ? pv->defined_in : "?",
                             missing);
    }
    return NULL;
}

/* What the discovery document of `pv` must name as its issuer. */
static ac_error *issuer_expect_init(apr_pool_t *p, const ac_provider *pv,
                                    issuer_expect *out)
{
    issuer_expect x;

    x.issuer = pv->issuer;
    x.derived = 0;
    if (x.issuer == NULL) {
        x.issuer = issuer_from_url(p, pv->server_metadata_url);
        x.derived = 1;
    }
    if (x.issuer == NULL) {
        return ac_error_make(p, 500, "oidc_discovery_issuer",
                             "provider %s: the issuer cannot be derived from "
                             "ServerMetadataURL %s; set Issuer", pv->name,
                             pv->server_metadata_url);
    }
    /* Entra's common/organizations/consumers endpoints name the issuer of
     * whichever tenant signs in as https://login.microsoftonline.com/
     * {tenantid}/v2.0; the id_token's iss is then checked against its tid */
    x.tenant_template = NULL;
    if (pv->multi_tenant_issuer) {
        const char *seg = apr_pstrcat(p, "/", pv->preset_arg ? pv->preset_arg
                                                             : "common", "/", NULL);
        const char *at = strstr(x.issuer, seg);
        if (at) {
            x.tenant_template = apr_pstrcat(p, apr_pstrmemdup(p, x.issuer, at - x.issuer),
                                            "/{tenantid}/", at + strlen(seg), NULL);
        }
    }
    *out = x;
    return NULL;
}

static ac_error *discovery_load(apr_pool_t *p, const ac_http_opts *h,
                                const ac_provider *pv, int ttl,
                                const char **body, const char **warning)
{
    issuer_expect x;
    doc_request rq;
    ac_error *err;

    err = issuer_expect_init(p, pv, &x);
    if (err != NULL) {
        return err;
    }
    memset(&rq, 0, sizeof(rq));
    rq.what = "discovery document";
    rq.code = "oidc_discovery";
    rq.url = pv->server_metadata_url;
    rq.ttl = ttl;
    rq.check = discovery_check;
    rq.ctx = &x;
    return doc_get(p, h, &rq, body, warning);
}

ac_error *ac_oidc_metadata_parse(apr_pool_t *p, const ac_provider *pv,
                                 const char *body, apr_size_t len,
                                 const ac_oidc_metadata **out)
{
    ac_oidc_metadata *md = apr_pcalloc(p, sizeof(*md));
    json_t *doc = NULL;
    ac_error *err;

    *out = NULL;
    if (body != NULL) {
        issuer_expect x;

        err = issuer_expect_init(p, pv, &x);
        if (err == NULL) {
            err = ac_json_parse_object(p, body, len, "discovery document",
                                       &doc);
        }
        /* Again for a cached copy: two providers may share a metadata URL
         * but not their Issuer setting. */
        if (err == NULL) {
            err = issuer_check(p, &x, doc);
        }
        if (err != NULL) {
            return err;
        }
    }
    md->issuer = pick(p, NULL, doc, "issuer");
    if (md->issuer == NULL) {
        md->issuer = pv->issuer;
    }
    md->authorization_endpoint = pick(p, pv->authorize_url, doc,
                                      "authorization_endpoint");
    md->token_endpoint = pick(p, pv->access_token_url, doc, "token_endpoint");
    md->userinfo_endpoint = pick(p, pv->userinfo_url, doc, "userinfo_endpoint");
    md->jwks_uri = pick(p, pv->jwks_uri, doc, "jwks_uri");
    md->end_session_endpoint = pick(p, pv->end_session_url, doc,
                                    "end_session_endpoint");
    md->iss_parameter_supported = doc != NULL && json_is_true(
        json_object_get(doc, "authorization_response_iss_parameter_supported"));
    err = metadata_complete(p, pv, md);
    if (err != NULL) {
        return err;
    }
    *out = md;
    return NULL;
}

ac_error *ac_oidc_metadata_get(apr_pool_t *p, const ac_http_opts *h,
                               const ac_provider *pv, int ttl,
                               const ac_oidc_metadata **out,
                               const char **warning)
{
    const char *body = NULL;
    ac_error *err;

    *out = NULL;
    if (warning != NULL) {
        *warning = NULL;
    }
    if (pv->server_metadata_url != NULL) {
        err = discovery_load(p, h, pv, ttl, &body, warning);
        if (err != NULL) {
            return err;
        }
    }
    return ac_oidc_metadata_parse(p, pv, body, body ? strlen(body) : 0, out);
}

/* ---- JWKS --------------------------------------------------------------- */

static ac_error *jwks_check(apr_pool_t *p, const char *body, apr_size_t len,
                            void *ctx)
{
    json_t *doc;

    (void)ctx;
    if (ac_json_parse_object(p, body, len, "JWKS", &doc) != NULL
        || !json_is_array(json_object_get(doc, "keys"))) {
        return ac_error_make(p, 502, "jwks_invalid",
                             "the JWKS is not a JSON object with a keys array");
    }
    return NULL;
}

ac_error *ac_oidc_jwks_get(apr_pool_t *p, const ac_http_opts *h,
                           const char *jwks_uri, int kid_miss,
                           int min_interval, const char **jwks_json)
{
    doc_request rq;

    memset(&rq, 0, sizeof(rq));
    rq.what = "JWKS";
    rq.code = "jwks_fetch";
    rq.url = jwks_uri;
    rq.ttl = AC_OIDC_JWKS_TTL;
    rq.kid_miss = kid_miss;
    rq.min_interval = min_interval;
    rq.check = jwks_check;
    *jwks_json = NULL;
    if (jwks_uri == NULL) {
        return ac_error_make(p, 500, "jwks_fetch", "no jwks_uri is known");
    }
    return doc_get(p, h, &rq, jwks_json, NULL);
}

/* ---- token responses ---------------------------------------------------- */

static int content_type_is(const char *ct, const char *type)
{
    apr_size_t n = strlen(type);

    return ct != NULL && strncasecmp(ct, type, n) == 0
        && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* A body such as "access_token=x&token_type=bearer": no JSON punctuation,
 * no white space, at least one '='. */
static int looks_like_form(const char *body)
{
    const unsigned char *c = (const unsigned char *)body;

    if (*c == '\0' || strchr(body, '=') == NULL) {
        return 0;
    }
    for (; *c; c++) {
        if (*c <= 0x20 || *c >= 0x7f || strchr("{}[]\"<>", *c) != NULL) {
            return 0;
        }
    }
    return 1;
}

static ac_error *form_to_json(apr_pool_t *p, const char *body, json_t **out)
{
    const apr_array_header_t *arr;
    const apr_table_entry_t *te;
    apr_table_t *t;
    json_t *obj;
    ac_error *err;
    int i;

    err = ac_form_parse(p, body, AC_OIDC_FORM_MAX_PARAMS, &t);
    if (err != NULL) {
        return err;
    }
    obj = json_object();
    if (obj == NULL) {
        return ac_error_make(p, 500, "token_malformed", "out of memory");
    }
    ac_json_pool_own(p, obj);
    arr = apr_table_elts(t);
    te = (const apr_table_entry_t *)arr->elts;
    for (i = 0; i < arr->nelts; i++) {
        /* json_string refuses invalid UTF-8, as the JSON parser would */
        if (json_object_set_new(obj, te[i].key, json_string(te[i].val)) != 0) {
            return ac_error_make(p, 502, "token_malformed",
                                 "a form-encoded parameter is not UTF-8");
        }
    }
    *out = obj;
    return NULL;
}

/* JSON, or form-encoded when the content type says so or when a body that
 * is not JSON looks like a form (GitHub without Accept, Facebook v2.2). */
static ac_error *token_body_parse(apr_pool_t *p, const ac_http_response *r,
                                  json_t **out)
{
    const char *body = r->body ? r->body : "";
    ac_error *err;

    if (content_type_is(r->content_type, "application/x-www-form-urlencoded")) {
        err = form_to_json(p, body, out);
    }
    else {
        err = ac_json_parse_object(p, body, r->body ? r->len : 0,
                                   "the token response", out);
        if (err != NULL && looks_like_form(body)) {
            err = form_to_json(p, body, out);
        }
    }
    if (err != NULL) {
        return ac_error_make(p, 502, "token_malformed",
                             "the token response is neither a JSON object "
                             "nor a form: %s", err->message);
    }
    return NULL;
}

/* "error" and "error_description" as they may appear in a log line. */
static const char *provider_error(apr_pool_t *p, json_t *obj)
{
    const char *code = ac_json_string(obj, "error");
    const char *desc = ac_json_string(obj, "error_description");

    if (code == NULL) {
        return NULL;
    }
    if (desc == NULL) {
        return quote(p, code);
    }
    return apr_psprintf(p, "%s: %s", quote(p, code), quote(p, desc));
}

static ac_error *token_status_error(apr_pool_t *p, const ac_http_response *r)
{
    json_t *obj = NULL;
    const char *perr = NULL;

    if (token_body_parse(p, r, &obj) == NULL) {
        perr = provider_error(p, obj);
    }
    return ac_error_make(p, 502, "token_http_status",
                         "the token endpoint answered HTTP %ld%s%s%s",
                         r->status, perr ? " (" : "", perr ? perr : "",
                         perr ? ")" : "");
}

static long token_expires_in(json_t *v)
{
    long n = 0;

    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);

        n = i > 0 && i < 0x7fffffffL ? (long)i : 0;
    }
    else if (json_is_real(v)) {
        double d = json_real_value(v);

        n = d > 0 && d < 2147483647.0 ? (long)d : 0;
    }
    else if (json_is_string(v)) {
        /* form-encoded answers carry every value as a string */
        const char *s = json_string_value(v);
        char *end;

        n = strtol(s, &end, 10);
        if (*s == '\0' || *end != '\0' || n < 0) {
            n = 0;
        }
    }
    return n;
}

/* A member that must be a string when present. */
static ac_error *optional_string(apr_pool_t *p, json_t *obj, const char *name,
                                 const char **out)
{
    json_t *v = json_object_get(obj, name);

    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        return NULL;
    }
    if (!json_is_string(v)) {
        return ac_error_make(p, 502, "token_malformed",
                             "the token response's %s is not a string", name);
    }
    *out = json_string_value(v);
    return NULL;
}

ac_error *ac_token_response_parse(apr_pool_t *p, const ac_http_response *r,
                                  ac_token_response *out)
{
    const char *perr;
    json_t *obj;
    ac_error *err;

    memset(out, 0, sizeof(*out));
    if (r->status < 200 || r->status > 299) {
        return token_status_error(p, r);
    }
    err = token_body_parse(p, r, &obj);
    if (err != NULL) {
        return err;
    }
    perr = provider_error(p, obj);
    if (perr != NULL || json_object_get(obj, "error") != NULL) {
        return ac_error_make(p, 401, "token_error",
                             "the token endpoint refused the request: %s",
                             perr ? perr : "(error is not a string)");
    }
    if ((err = optional_string(p, obj, "access_token", &out->access_token))
        || (err = optional_string(p, obj, "token_type", &out->token_type))
        || (err = optional_string(p, obj, "id_token", &out->id_token))
        || (err = optional_string(p, obj, "refresh_token",
                                  &out->refresh_token))) {
        return err;
    }
    if (out->access_token == NULL || *out->access_token == '\0') {
        return ac_error_make(p, 502, "token_missing_access_token",
                             "the token response has no access_token");
    }
    /* RFC 6749 7.1: a client must not use a token type it does not know. */
    if (out->token_type != NULL && strcasecmp(out->token_type, "bearer") != 0) {
        return ac_error_make(p, 502, "token_type_unsupported",
                             "the token endpoint issued a '%s' token; only "
                             "Bearer tokens are supported",
                             quote(p, out->token_type));
    }
    out->token_type = "Bearer";
    out->expires_in = token_expires_in(json_object_get(obj, "expires_in"));
    out->raw = obj;
    return NULL;
}

/* ---- the token request -------------------------------------------------- */

static char *form_add(apr_pool_t *p, char *form, const char *k, const char *v)
{
    char *pair = apr_pstrcat(p, k, "=", ac_url_escape(p, v), NULL);

    return *form ? apr_pstrcat(p, form, "&", pair, NULL) : pair;
}

/* RFC 6749 2.3.1: both halves form-encoded before base64. */
static const char *basic_auth(apr_pool_t *p, const char *id, const char *secret)
{
    const char *pair = apr_pstrcat(p, ac_url_escape(p, id), ":",
                                   ac_url_escape(p, secret), NULL);
    int len = (int)strlen(pair);
    char *b64 = apr_palloc(p, apr_base64_encode_len(len));

    apr_base64_encode(b64, pair, len);
    return apr_pstrcat(p, "Basic ", b64, NULL);
}

/* client_secret_jwt / private_key_jwt: RFC 7523 2.2, audience the token
 * endpoint as OpenID Connect Core 9 asks */
static ac_error *add_client_assertion(apr_pool_t *p, const ac_provider *pv,
                                      const char *token_endpoint, char **form)
{
    int with_key = ac_provider_token_auth(pv) == AC_TOKEN_AUTH_PRIVATE_KEY_JWT;
    const char *jwt;
    ac_error *err;

    if (with_key ? pv->assertion_jwk == NULL : pv->client_secret == NULL) {
        return ac_error_make(p, 500, "token_auth", "provider %s has no %s to "
                             "sign its client assertion with", pv->name,
                             with_key ? "PrivateKeyFile" : "ClientSecret");
    }
    err = ac_client_assertion(p, pv->client_id, token_endpoint,
                              pv->client_secret,
                              with_key ? pv->assertion_jwk : NULL,
                              with_key ? pv->assertion_alg : "HS256",
                              AC_CLIENT_ASSERTION_MAX_LIFETIME, apr_time_now(),
                              &jwt);
    if (err != NULL) {
        return err;
    }
    *form = form_add(p, *form, "client_id", pv->client_id);
    *form = form_add(p, *form, "client_assertion_type", AC_CLIENT_ASSERTION_TYPE);
    *form = form_add(p, *form, "client_assertion", jwt);
    return NULL;
}

static ac_error *client_auth(apr_pool_t *p, const ac_provider *pv,
                             const char *token_endpoint, apr_table_t *hdrs,
                             char **form)
{
    ac_token_auth how = ac_provider_token_auth(pv);
    const char *id = pv->client_id ? pv->client_id : "";

    if ((how == AC_TOKEN_AUTH_BASIC || how == AC_TOKEN_AUTH_POST)
        && pv->client_secret == NULL) {
        return ac_error_make(p, 500, "token_auth",
                             "provider %s authenticates with a client secret "
                             "but has none configured", pv->name);
    }
    switch (how) {
    case AC_TOKEN_AUTH_BASIC:
        apr_table_setn(hdrs, "Authorization",
                       basic_auth(p, id, pv->client_secret));
        return NULL;
    case AC_TOKEN_AUTH_POST:
        *form = form_add(p, *form, "client_id", id);
        *form = form_add(p, *form, "client_secret", pv->client_secret);
        return NULL;
    case AC_TOKEN_AUTH_NONE:
        *form = form_add(p, *form, "client_id", id);
        return NULL;
    default:
        return add_client_assertion(p, pv, token_endpoint, form);
    }
}

ac_error *ac_oauth2_code_exchange(apr_pool_t *p, const ac_http_opts *h,
                                  const ac_provider *pv,
                                  const char *token_endpoint,
                                  const char *code, const char *redirect_uri,
                                  const char *code_verifier,
                                  ac_token_response *out)
{
    apr_table_t *hdrs = apr_table_make(p, 2);
    char *form = "";
    ac_http_response resp;
    ac_error *err;

    memset(out, 0, sizeof(*out));
    form = form_add(p, form, "grant_type", "authorization_code");
    form = form_add(p, form, "code", code);
    form = form_add(p, form, "redirect_uri", redirect_uri);
    if (code_verifier != NULL && *code_verifier != '\0') {
        form = form_add(p, form, "code_verifier", code_verifier);
    }
    err = client_auth(p, pv, token_endpoint, hdrs, &form);
    if (err != NULL) {
        return err;
    }
    if (pv->access_token_params != NULL && *pv->access_token_params != '\0') {
        form = apr_pstrcat(p, form, "&", pv->access_token_params, NULL);
    }
    apr_table_setn(hdrs, "Accept", "application/json");
    err = ac_http_request(p, h, "POST", token_endpoint, hdrs,
                          "application/x-www-form-urlencoded", form, &resp);
    if (err != NULL) {
        return err;
    }
    return ac_token_response_parse(p, &resp, out);
}

/* ---- protected resources ------------------------------------------------ */

ac_error *ac_oauth2_get_json(apr_pool_t *p, const ac_http_opts *h,
                             const char *url, const char *access_token,
                             json_t **out)
{
    apr_table_t *hdrs = apr_table_make(p, 2);
    const char *where = apr_pstrmemdup(p, url, strcspn(url, "?#"));
    ac_http_response resp;
    ac_error *err;

    *out = NULL;
    apr_table_setn(hdrs, "Authorization",
                   apr_pstrcat(p, "Bearer ", access_token, NULL));
    apr_table_setn(hdrs, "Accept", "application/json");
    err = ac_http_request(p, h, "GET", url, hdrs, NULL, NULL, &resp);
    if (err != NULL) {
        return err;
    }
    if (resp.status != 200) {
        return ac_error_make(p, 502, "api_http_status",
                             "%s answered HTTP %ld, expected 200", where,
                             resp.status);
    }
    err = ac_json_parse_object(p, resp.body, resp.len, "the API response", out);
    if (err != NULL) {
        return ac_error_make(p, 502, "api_malformed", "%s: %s", where,
                             err->message);
    }
    return NULL;
}

/* ---- the authorization request ------------------------------------------ */

char *ac_oauth2_authorize_url(apr_pool_t *p, const ac_provider *pv,
                              const char *authorization_endpoint,
                              const char *redirect_uri, const char *state,
                              const char *nonce, const char *code_verifier)
{
    const char *scope = ac_provider_scope(pv);
    apr_size_t n = strlen(authorization_endpoint);
    const char *sep;
    char *q = "";

    q = form_add(p, q, "response_type", "code");
    q = form_add(p, q, "client_id", pv->client_id ? pv->client_id : "");
    q = form_add(p, q, "redirect_uri", redirect_uri);
    if (scope != NULL && *scope != '\0') {
        q = form_add(p, q, "scope", scope);
    }
    q = form_add(p, q, "state", state);
    if (nonce != NULL && *nonce != '\0') {
        q = form_add(p, q, "nonce", nonce);
    }
    if (code_verifier != NULL && *code_verifier != '\0') {
        unsigned char digest[32];

        /* RFC 7636 4.2 */
        ac_sha256(code_verifier, strlen(code_verifier), digest);
        q = form_add(p, q, "code_challenge",
                     ac_b64url_encode(p, digest, sizeof(digest)));
        q = form_add(p, q, "code_challenge_method", "S256");
    }
    if (pv->authorize_params != NULL && *pv->authorize_params != '\0') {
        q = apr_pstrcat(p, q, "&", pv->authorize_params, NULL);
    }
    sep = strchr(authorization_endpoint, '?') == NULL ? "?"
        : (n > 0 && (authorization_endpoint[n - 1] == '?'
                     || authorization_endpoint[n - 1] == '&')) ? "" : "&";
    return apr_pstrcat(p, authorization_endpoint, sep, q, NULL);
}
