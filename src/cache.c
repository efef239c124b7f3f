/*
 * cache.c - one thin layer over httpd's small-object cache (ap_socache.h).
 *
 * shmcb is the zero-configuration default; memcache and redis serve several
 * httpd nodes.  Keys are SHA-256 of a typed key (so shmcb's first-byte
 * bucketing spreads and no raw token is ever a key); values are sealed with
 * AES-256-GCM with the hashed key as AAD.  Providers flagged not
 * multi-process safe get a global mutex around every operation, reads
 * included, registered so the Mutex directive applies.
 */
#include <ap_provider.h>
#include <ap_socache.h>
#include <apr_global_mutex.h>
#include <http_main.h>
#include <util_mutex.h>

#include "auth_client.h"
#include "seal.h"

/* 32 MiB of shmcb: about 16,000 sessions of a typical 2 KiB */
#define AC_SHMCB_DEFAULT_ARGS "auth_client_cache(33554432)"
#define AC_CACHE_NAMESPACE "auth_client"   /* socache: at most 14 characters */
#define AC_CACHE_MAX_VALUE (48 * 1024)
#define AC_CACHE_TYPICAL_VALUE 2048        /* sizes shmcb's index */
#define AC_CACHE_STRIPES 8                 /* for providers that need a lock */
#define AC_RANDOM_KEY_NOTE "mod_auth_client-random-key"

typedef struct ac_stripe {
    ap_socache_instance_t *instance;
    apr_global_mutex_t *mutex;          /* NULL for multi-process safe caches */
} ac_stripe;

typedef struct ac_cache {
    const ap_socache_provider_t *provider;
    const char *provider_name;
    const char *args;
    ac_seal_keys *keys;
    int nstripes;
    ac_stripe *stripes;
} ac_cache;

static ac_cache *cache;

/*
 * APR's default process mutex here is a robust pthread mutex emulated with
 * a condition variable, which cost a quarter of the authenticated
 * throughput in bench/run.sh; a POSIX semaphore takes no system call when
 * uncontended.  "Mutex <mechanism> auth-client-cache" still overrides it.
 */
#if APR_HAS_POSIXSEM_SERIALIZE
#define AC_MUTEX_DEFAULT_MECH APR_LOCK_POSIXSEM
#else
#define AC_MUTEX_DEFAULT_MECH APR_LOCK_DEFAULT
#endif

void ac_cache_pre_config(apr_pool_t *pconf)
{
    cache = NULL;
    ap_mutex_register(pconf, AC_MUTEX_TYPE, NULL, AC_MUTEX_DEFAULT_MECH, 0);
}

/* ---- configuration --------------------------------------------------------- */

static void split_spec(apr_pool_t *p, const char *spec, const char **name,
                       const char **args)
{
    const char *colon = spec ? strchr(spec, ':') : NULL;

    if (spec == NULL) {
        *name = "shmcb";
        *args = AC_SHMCB_DEFAULT_ARGS;
        return;
    }
    *name = colon ? apr_pstrndup(p, spec, colon - spec) : spec;
    *args = colon ? colon + 1 : NULL;
    if (strcmp(*name, "shmcb") == 0 && (*args == NULL || **args == '\0')) {
        *args = AC_SHMCB_DEFAULT_ARGS;
    }
}

/*
 * Without a passphrase a single-host cache gets a random key, kept on the
 * process pool so graceful restarts do not log everybody out.  Only plain
 * bytes go there: a cleanup on the process pool would outlive this DSO.
 * 32 random bytes need no stretching, so this costs nothing at startup.
 */
static ac_error *random_keys(apr_pool_t *pconf, ac_seal_keys **out)
{
    apr_pool_t *proc = pconf;
    void *kept = NULL;
    ac_error *e;

    while (apr_pool_parent_get(proc)) {
        proc = apr_pool_parent_get(proc);
    }
    apr_pool_userdata_get(&kept, AC_RANDOM_KEY_NOTE, proc);
    if (kept == NULL) {
        unsigned char *key = apr_palloc(proc, AC_SEAL_KEY_LEN);
        if ((e = ac_random_bytes(pconf, key, AC_SEAL_KEY_LEN)) != NULL) {
            return e;
        }
        kept = key;
        apr_pool_userdata_set(kept, AC_RANDOM_KEY_NOTE, apr_pool_cleanup_null, proc);
    }
    return ac_seal_keys_raw(pconf, kept, out);
}

/*
 * httpd reads its configuration twice when it starts and only the second
 * reading goes on to serve, so the slow passphrase derivation is skipped on
 * the first one - unless that first reading is all there is: apachectl -t
 * must find a derivation that fails.  A start, a graceful restart and a
 * config test each derive once per passphrase.
 */
static int keys_needed_now(void)
{
    return ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_PRE_CONFIG
        || ap_state_query(AP_SQ_RUN_MODE) == AP_SQ_RM_CONFIG_TEST;
}

static ac_error *passphrase_keys(apr_pool_t *pconf, const ac_global_conf *g)
{
    apr_time_t start = apr_time_now();
    ac_error *e;

    if (!keys_needed_now()) {
        return NULL;
    }
    e = ac_seal_keys_derive(pconf, g->passphrases, &cache->keys);
    if (e == NULL) {
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, ap_server_conf, "%s: %d cache "
                     "key(s) derived from AuthClientPassphrase with scrypt in %"
                     APR_TIME_T_FMT " ms", AC_LOG_TAG, g->passphrases->nelts,
                     apr_time_as_msec(apr_time_now() - start));
    }
    return e;
}

static const char *configure_keys(apr_pool_t *pconf, ac_global_conf *g,
                                  const char *where)
{
    ac_error *e = NULL;

    if (g->passphrases->nelts > 0) {
        e = passphrase_keys(pconf, g);
    }
    else if (strcmp(cache->provider_name, "shmcb") != 0) {
        return apr_psprintf(pconf, "AuthClientCache %s (%s) is shared between "
                            "servers, so it needs AuthClientPassphrase (the same "
                            "on every node), e.g. AuthClientPassphrase "
                            "file:/etc/apache2/auth_client.key",
                            cache->provider_name, where);
    }
    else {
        e = random_keys(pconf, &cache->keys);
    }
    return e ? apr_psprintf(pconf, "%s: %s", e->code, e->message) : NULL;
}

/*
 * shmcb's argument is "path(bytes)": each stripe gets "path.N" and its
 * share of the bytes (or shmcb's default size when none is given).
 */
static const char *stripe_args(apr_pool_t *p, const char *args, int i, int n)
{
    const char *open = args ? strrchr(args, '(') : NULL;
    apr_int64_t size;

    if (n == 1 || args == NULL) {
        return args;
    }
    if (open == NULL) {
        return apr_psprintf(p, "%s.%d", args, i);
    }
    size = apr_atoi64(open + 1) / n;
    return apr_psprintf(p, "%.*s.%d(%" APR_INT64_T_FMT ")", (int)(open - args),
                        args, i, size);
}

static const char *create_stripes(apr_pool_t *pconf, apr_pool_t *ptemp)
{
    int i;

    cache->nstripes = (cache->provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE)
                      ? AC_CACHE_STRIPES : 1;
    cache->stripes = apr_pcalloc(pconf, cache->nstripes * sizeof(ac_stripe));
    for (i = 0; i < cache->nstripes; i++) {
        const char *err = cache->provider->create(
            &cache->stripes[i].instance,
            stripe_args(pconf, cache->args, i, cache->nstripes), ptemp, pconf);
        if (err) {
            return err;
        }
    }
    return NULL;
}

const char *ac_cache_configure(apr_pool_t *pconf, apr_pool_t *ptemp,
                               ac_global_conf *g)
{
    const char *err;
    const char *where = g->cache_spec_where ? g->cache_spec_where : "default";

    cache = apr_pcalloc(pconf, sizeof(*cache));
    split_spec(pconf, g->cache_spec, &cache->provider_name, &cache->args);
    cache->provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP,
                                         cache->provider_name,
                                         AP_SOCACHE_PROVIDER_VERSION);
    if (cache->provider == NULL) {
        return apr_psprintf(pconf, "AuthClientCache (%s): the socache provider "
                            "'%s' is not available; load mod_socache_%s "
                            "(a2enmod socache_%s)", where, cache->provider_name,
                            cache->provider_name, cache->provider_name);
    }
    err = create_stripes(pconf, ptemp);
    if (err) {
        return apr_psprintf(pconf, "AuthClientCache (%s): %s", where, err);
    }
    return configure_keys(pconf, g, where);
}

static apr_status_t destroy_instances(void *data)
{
    ac_cache *c = data;
    int i;

    for (i = 0; i < c->nstripes; i++) {
        c->provider->destroy(c->stripes[i].instance, ap_server_conf);
    }
    return APR_SUCCESS;
}

static int init_stripe(apr_pool_t *pconf, server_rec *s, int i)
{
    struct ap_socache_hints hints = { AC_KEY_HASH_LEN, AC_CACHE_TYPICAL_VALUE,
                                      300 * APR_USEC_PER_SEC };
    ac_stripe *st = &cache->stripes[i];
    const char *instance = apr_itoa(pconf, i);
    apr_status_t rv;

    if (cache->provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE) {
        rv = ap_global_mutex_create(&st->mutex, NULL, AC_MUTEX_TYPE, instance,
                                    s, pconf, 0);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                         "could not create the %s mutex", AC_MUTEX_TYPE);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    rv = cache->provider->init(st->instance, AC_CACHE_NAMESPACE, &hints, s, pconf);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                     "could not initialise the %s cache", cache->provider_name);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

int ac_cache_post_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s)
{
    int i;

    for (i = 0; i < cache->nstripes; i++) {
        if (init_stripe(pconf, s, i) != OK) {
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    apr_pool_cleanup_register(pconf, cache, destroy_instances, apr_pool_cleanup_null);
    return OK;
}

void ac_cache_child_init(apr_pool_t *pchild, server_rec *s)
{
    int i;

    for (i = 0; cache && i < cache->nstripes; i++) {
        apr_global_mutex_t **m = &cache->stripes[i].mutex;
        apr_status_t rv;
        if (*m == NULL) {
            continue;
        }
        rv = apr_global_mutex_child_init(m, apr_global_mutex_lockfile(*m), pchild);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s,
                         "could not re-attach the %s mutex", AC_MUTEX_TYPE);
        }
    }
}

/* ---- operations ------------------------------------------------------------ */

/* the hashed key is uniformly random: its first byte picks the stripe */
static ac_stripe *stripe_for(const unsigned char *key)
{
    return &cache->stripes[key[0] % cache->nstripes];
}

static void lock(ac_stripe *st)
{
    if (st->mutex) {
        apr_global_mutex_lock(st->mutex);
    }
}

static void unlock(ac_stripe *st)
{
    if (st->mutex) {
        apr_global_mutex_unlock(st->mutex);
    }
}

static ac_error *cache_error(request_rec *r, apr_status_t rv, const char *op)
{
    char buf[120];

    return ac_error_make(r->pool, AC_E_CACHE_UNAVAILABLE,
                         "the %s cache failed to %s (%s); check that the cache "
                         "service is running and reachable",
                         cache->provider_name, op,
                         apr_strerror(rv, buf, sizeof(buf)));
}

ac_error *ac_cache_put(request_rec *r, const char *type, const char *id,
                       const char *value, apr_size_t len, apr_time_t expiry)
{
    unsigned char key[AC_KEY_HASH_LEN];
    unsigned char *sealed;
    apr_size_t sealed_len;
    ac_stripe *st;
    apr_status_t rv;
    ac_error *e;

    if (len + AC_SEAL_OVERHEAD > AC_CACHE_MAX_VALUE) {
        return ac_error_make(r->pool, AC_E_CACHE_VALUE_TOO_LARGE,
                             "refusing to store a %s entry of %" APR_SIZE_T_FMT
                             " bytes (limit %d); the provider sent unusually "
                             "large tokens or claims", type, len, AC_CACHE_MAX_VALUE);
    }
    ac_key_hash(cache->keys, type, id, key);
    e = ac_seal(r->pool, cache->keys, key, sizeof(key), (const unsigned char *)value,
                len, &sealed, &sealed_len);
    if (e) {
        return e;
    }
    st = stripe_for(key);
    lock(st);
    rv = cache->provider->store(st->instance, r->server, key, sizeof(key),
                                expiry, sealed, (unsigned int)sealed_len, r->pool);
    unlock(st);
    return rv == APR_SUCCESS ? NULL : cache_error(r, rv, "store an entry");
}

/* a value that does not open is treated as absent: it was written under a
 * rotated-out passphrase, or it was tampered with */
static void open_value(request_rec *r, const unsigned char *key,
                       unsigned char *buf, unsigned int buf_len,
                       char **value, apr_size_t *len)
{
    unsigned char *plain;
    apr_size_t plain_len;

    if (ac_unseal(r->pool, cache->keys, key, AC_KEY_HASH_LEN, buf, buf_len,
                  &plain, &plain_len) == NULL) {
        *value = (char *)plain;
        *len = plain_len;
    }
}

static ac_error *fetch(request_rec *r, const char *type, const char *id,
                       char **value, apr_size_t *len, int take)
{
    unsigned char key[AC_KEY_HASH_LEN];
    unsigned int buf_len = AC_CACHE_MAX_VALUE;
    unsigned char *buf = apr_palloc(r->pool, buf_len);
    ac_stripe *st;
    apr_status_t rv;

    *value = NULL;
    *len = 0;
    ac_key_hash(cache->keys, type, id, key);
    st = stripe_for(key);
    lock(st);
    rv = cache->provider->retrieve(st->instance, r->server, key, sizeof(key),
                                   buf, &buf_len, r->pool);
    if (rv == APR_SUCCESS && take) {
        cache->provider->remove(st->instance, r->server, key, sizeof(key), r->pool);
    }
    unlock(st);
    if (rv == APR_NOTFOUND) {
        return NULL;
    }
    if (rv != APR_SUCCESS) {
        return cache_error(r, rv, "retrieve an entry");
    }
    open_value(r, key, buf, buf_len, value, len);
    return NULL;
}

ac_error *ac_cache_get(request_rec *r, const char *type, const char *id,
                       char **value, apr_size_t *len)
{
    return fetch(r, type, id, value, len, 0);
}

ac_error *ac_cache_take(request_rec *r, const char *type, const char *id,
                        char **value, apr_size_t *len)
{
    return fetch(r, type, id, value, len, 1);
}

ac_error *ac_cache_remove(request_rec *r, const char *type, const char *id)
{
    unsigned char key[AC_KEY_HASH_LEN];
    ac_stripe *st;
    apr_status_t rv;

    ac_key_hash(cache->keys, type, id, key);
    st = stripe_for(key);
    lock(st);
    rv = cache->provider->remove(st->instance, r->server, key, sizeof(key), r->pool);
    unlock(st);
    return (rv == APR_SUCCESS || rv == APR_NOTFOUND) ? NULL
                                                     : cache_error(r, rv, "remove an entry");
}

int ac_cache_shared(void)
{
    return cache != NULL && strcmp(cache->provider_name, "shmcb") != 0;
}
