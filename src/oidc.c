/*
 * oidc.c - the OpenID Connect steps that talk to the provider: discovery
 * and JWKS, cached per process.  The OAuth 2.0 calls OIDC shares with plain
 * OAuth 2.0 are in oauth2.c.
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

#include <apr_hash.h>
#include <apr_thread_mutex.h>

#include "core_state.h"
#include "json.h"
#include "metrics.h"
#include "oidc.h"
#include "url.h"

/* A JWKS is refetched after this long even without a kid miss, so that a
 * key the provider withdrew stops being accepted within the hour. */
#define AC_OIDC_JWKS_TTL 3600

/* After a failed refresh the stale copy is served for this long before the
 * next attempt, so that a provider outage does not make every login wait
 * for a connect timeout. */
#define AC_OIDC_RETRY_SECONDS 10

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

/* The process record (core_state.h) holds the one in use. */
struct ac_doc_cache {
    apr_pool_t *pool;
#if APR_HAS_THREADS
    apr_thread_mutex_t *lock;
#endif
    apr_hash_t *entries;        /* URL -> doc_entry */
};

static void cache_lock(ac_doc_cache *c)
{
#if APR_HAS_THREADS
    apr_thread_mutex_lock(c->lock);
#endif
}

static void cache_unlock(ac_doc_cache *c)
{
#if APR_HAS_THREADS
    apr_thread_mutex_unlock(c->lock);
#endif
}

void ac_doc_cache_destroy(ac_doc_cache *c)
{
    apr_hash_index_t *hi;

    if (c == NULL) {
        return;
    }
    for (hi = apr_hash_first(NULL, c->entries); hi; hi = apr_hash_next(hi)) {
        doc_entry *e = apr_hash_this_val(hi);

        free(e->body);
        free(e->failure);
    }
}

ac_error *ac_doc_cache_create(apr_pool_t *pproc, ac_doc_cache **out)
{
    ac_doc_cache *c = apr_pcalloc(pproc, sizeof(*c));

    *out = NULL;
    c->pool = pproc;
    c->entries = apr_hash_make(pproc);
#if APR_HAS_THREADS
    if (apr_thread_mutex_create(&c->lock, APR_THREAD_MUTEX_DEFAULT, pproc)
        != APR_SUCCESS) {
        return ac_error_make(pproc, AC_E_OIDC_INIT,
                             "could not create the discovery cache lock");
    }
#endif
    *out = c;
    return NULL;
}

/* Called with the lock held. */
static doc_entry *entry_for(ac_doc_cache *c, const char *url)
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
    const ac_provider *pv;      /* whose document: for the status counters */
    ac_metrics_document doc;
    ac_error_id error_id;       /* for a bad answer */
    const char *url;
    int ttl;                    /* seconds */
    int kid_miss;
    int min_interval;           /* seconds between kid-miss fetches */
    doc_check_fn check;
    void *ctx;
} doc_request;

static ac_error *doc_fetch_checked(apr_pool_t *p, const ac_http_opts *h,
                                   const doc_request *rq, ac_http_response *resp)
{
    apr_table_t *hdrs = apr_table_make(p, 1);
    ac_error *err;

    apr_table_setn(hdrs, "Accept", "application/json");
    err = ac_http_request(p, h, "GET", rq->url, hdrs, NULL, NULL, resp);
    if (err != NULL) {
        return ac_error_wrap(p, err, apr_pstrcat(p, "fetching the ", rq->what, NULL));
    }
    if (resp->status != 200) {
        return ac_error_make(p, rq->error_id,
                             "the %s at %s answered HTTP %ld, expected 200",
                             rq->what, rq->url, resp->status);
    }
    return rq->check(p, resp->body, resp->len, rq->ctx);
}

/* every fetch is counted, and the time of a good one kept (metrics.h) */
static ac_error *doc_fetch(apr_pool_t *p, const ac_http_opts *h,
                           const doc_request *rq, ac_http_response *resp)
{
    ac_error *err = doc_fetch_checked(p, h, rq, resp);

    ac_metrics_fetch(rq->pv, rq->doc, err == NULL);
    return err;
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
    ac_doc_cache *c = ac_core.docs;
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

const char *ac_oidc_issuer_from_url(apr_pool_t *p, const char *url)
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
        return ac_error_make(p, AC_E_OIDC_DISCOVERY,
                             "the discovery document has no issuer");
    }
    if (!issuer_matches(p, x, iss)) {
        return ac_error_make(p, AC_E_OIDC_DISCOVERY_ISSUER,
                             "the discovery document names issuer '%s', "
                             "expected '%s' (set Issuer if the provider's "
                             "issuer differs from its metadata URL)",
                             ac_log_quote(p, iss), x->issuer);
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
        return ac_error_make(p, AC_E_OIDC_DISCOVERY, "%s", err->message);
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
        return ac_error_make(p, AC_E_OIDC_METADATA_INCOMPLETE,
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
        x.issuer = ac_oidc_issuer_from_url(p, pv->server_metadata_url);
        x.derived = 1;
    }
    if (x.issuer == NULL) {
        return ac_error_make(p, AC_E_OIDC_ISSUER_UNKNOWN,
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
    rq.pv = pv;
    rq.doc = AC_M_DISCOVERY;
    rq.error_id = AC_E_OIDC_DISCOVERY;
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
    md->revocation_endpoint = pick(p, pv->revocation_url, doc,
                                   "revocation_endpoint");
    md->introspection_endpoint = pick(p, NULL, doc, "introspection_endpoint");
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
        return ac_error_make(p, AC_E_JWKS_INVALID,
                             "the JWKS is not a JSON object with a keys array");
    }
    return NULL;
}

ac_error *ac_oidc_jwks_get(apr_pool_t *p, const ac_http_opts *h,
                           const ac_provider *pv, const char *jwks_uri, int kid_miss,
                           int min_interval, const char **jwks_json)
{
    doc_request rq;

    memset(&rq, 0, sizeof(rq));
    rq.what = "JWKS";
    rq.pv = pv;
    rq.doc = AC_M_JWKS;
    rq.error_id = AC_E_JWKS_FETCH;
    rq.url = jwks_uri;
    rq.ttl = AC_OIDC_JWKS_TTL;
    rq.kid_miss = kid_miss;
    rq.min_interval = min_interval;
    rq.check = jwks_check;
    *jwks_json = NULL;
    if (jwks_uri == NULL) {
        return ac_error_make(p, AC_E_OIDC_METADATA_INCOMPLETE, "no jwks_uri is known");
    }
    return doc_get(p, h, &rq, jwks_json, NULL);
}

