/*
 * cache.c - one thin layer over httpd's small-object cache (ap_socache.h).
 *
 * shmcb is the zero-configuration default; memcache and redis serve several
 * httpd nodes.  Keys are SHA-256 of a typed key (so shmcb's first-byte
 * bucketing spreads and no raw token is ever a key); values are sealed with
 * AES-256-GCM with the hashed key as AAD.  Providers flagged not
 * multi-process safe get a global mutex around every operation, reads
 * included, registered so the Mutex directive applies.
 *
 * Two stores: sessions, and logins in progress.  On shmcb the logins have
 * an instance of their own, so anonymous requests to protected URLs (each
 * one starts a login) can only push out other logins, never sessions.  A
 * shared cache holds both, as a login may end on another node.
 *
 * The shmcb instances, their locks and the random key of a server without
 * AuthClientPassphrase live through graceful restarts, and an entry pushed
 * out of a full shmcb instance is counted and reported.
 *
 * A read of the sessions store goes through the process's memo of opened
 * values (open_memo.h): the cache is read every time, and only the key
 * hash and the open are skipped for bytes this process opened before.
 */
#include <ap_provider.h>
#include <ap_socache.h>
#include <apr_atomic.h>
#include <apr_global_mutex.h>
#include <apr_thread_proc.h>
#include <http_main.h>
#include <mod_status.h>
#include <unixd.h>
#include <util_mutex.h>

#include "auth_client.h"
#include "module_state.h"
#include "seal.h"

/*
 * A login stores two entries in the sessions store: the session (about
 * 700 bytes sealed) and its tokens (about 900 with an id_token).  Their
 * mean sizes shmcb's index: 32 MiB hold about 19,000 such logins.
 */
#define AC_SHMCB_DEFAULT_SIZE APR_INT64_C(33554432)
#define AC_CACHE_TYPICAL_VALUE 768
/* logins in progress are about 290 bytes sealed: 8 MiB hold 24,000 */
#define AC_LOGIN_CACHE_DEFAULT_SIZE APR_INT64_C(8388608)
#define AC_LOGIN_TYPICAL_VALUE 288
#define AC_CACHE_NAMESPACE "auth_client"   /* socache: at most 14 characters */
#define AC_LOGIN_NAMESPACE "auth_client_lg"
#define AC_CACHE_MAX_VALUE (48 * 1024)
#define AC_CACHE_STRIPES 8                 /* for providers that need a lock */
#define AC_STATUS_FILTER "AUTH_CLIENT_STATUS"
#define AC_REPORT_INTERVAL 60              /* seconds between cache_full lines */
/* what is kept across restarts; a new layout of it needs a new key */
#define AC_KEPT_KEY "mod_auth_client-cache-1"
/* the memo of opened values (open_memo.h), per process: a session record
 * takes about 1.5 KiB there, sealed and open, its tokens 2 KiB more, so
 * 4 MiB hold about 2,700 sessions (1,100 with their tokens); a value
 * over 16 KiB (a large claim set apart) is not kept */
#define AC_OPEN_MEMO_SLOTS 4096
#define AC_OPEN_MEMO_MAX_BYTES (4 * 1024 * 1024)
#define AC_OPEN_MEMO_MAX_VALUE (16 * 1024)

typedef struct ac_stripe {
    const char *args;                   /* the provider's create() argument */
    ap_socache_instance_t *instance;
    apr_global_mutex_t *mutex;          /* NULL for multi-process safe caches */
} ac_stripe;

typedef struct ac_store {
    const char *what;                   /* for log lines */
    const char *namespace;
    const ap_socache_provider_t *provider;
    const char *provider_name;
    apr_size_t typical_value;
    int nstripes;
    ac_stripe *stripes;
    apr_global_mutex_t *take_mutex;     /* single-use takes without a stripe lock */
    /* entries a full shmcb pushed out, this process, since the last report */
    apr_uint32_t pushed_out;
    apr_uint32_t last_report;           /* seconds */
} ac_store;

struct ac_cache {
    ac_seal_keys *keys;
    int embedded;                       /* shmcb: one host, kept across restarts */
    int random_key;                     /* no AuthClientPassphrase (embedded only) */
    ac_store *sessions;
    ac_store *logins;                   /* the sessions store for a shared cache */
    const char *layout;                 /* what shapes the instances */
    unsigned char passphrase_hash[32];
};

/*
 * A retrieve needs a buffer as large as the largest value.  Allocating it
 * from the request pool took 48 KiB per read, which outgrows the pool's
 * first block on every request; each thread keeps one instead, made at its
 * first read and freed when the thread ends.  Nothing of it outlives the
 * read: the value is opened into the request pool at once.
 */
#if APR_HAS_THREADS

static void read_buffer_free(void *buf)
{
    free(buf);
}
#endif

static void read_buffer_init(apr_pool_t *pchild)
{
#if APR_HAS_THREADS
    if (apr_threadkey_private_create(&ac_state.read_buffer_key, read_buffer_free,
                                     pchild) != APR_SUCCESS) {
        ac_state.read_buffer_key = NULL;
    }
#else
    (void)pchild;
#endif
}

/* this thread's buffer; from the pool where there is none (the parent,
 * or no memory for it) */
static unsigned char *read_buffer(apr_pool_t *p)
{
    void *buf = NULL;

#if APR_HAS_THREADS
    if (ac_state.read_buffer_key == NULL) {
        return apr_palloc(p, AC_CACHE_MAX_VALUE);
    }
    apr_threadkey_private_get(&buf, ac_state.read_buffer_key);
    if (buf == NULL && (buf = malloc(AC_CACHE_MAX_VALUE)) != NULL
        && apr_threadkey_private_set(buf, ac_state.read_buffer_key) != APR_SUCCESS) {
        free(buf);
        buf = NULL;
    }
#endif
    return buf ? buf : apr_palloc(p, AC_CACHE_MAX_VALUE);
}

/*
 * APR's default process mutex here is a robust pthread mutex emulated with
 * a condition variable, which cost a quarter of the authenticated
 * throughput in bench/run.sh; a POSIX semaphore takes no system call when
 * uncontended.  "Mutex <mechanism> auth-client-cache" still overrides it.
 */
#if APR_HAS_POSIXSEM_SERIALIZE
#define AC_MUTEX_DEFAULT_MECH APR_LOCK_POSIXSEM
#define AC_MUTEX_FAST_NAME "posixsem"
#else
#define AC_MUTEX_DEFAULT_MECH APR_LOCK_DEFAULT
#define AC_MUTEX_FAST_NAME "sysvsem"
#endif

void ac_cache_pre_config(apr_pool_t *pconf)
{
    ac_state.cache = NULL;
    ap_mutex_register(pconf, AC_MUTEX_TYPE, NULL, AC_MUTEX_DEFAULT_MECH, 0);
}

/* ---- configuration --------------------------------------------------------- */

/*
 * shmcb's argument is "path(bytes)", both optional.  Each stripe gets
 * "path.N" and its share of the bytes.  Anything else is passed on as is,
 * for shmcb's own message.
 */
static const char *shmcb_stripe_args(apr_pool_t *p, const char *args,
                                     const char *default_path,
                                     apr_int64_t default_size, int i, int n)
{
    const char *open = args ? strrchr(args, '(') : NULL;
    const char *path = args && *args && *args != '(' ? args : default_path;
    int path_len = open && open != args ? (int)(open - args) : (int)strlen(path);
    apr_int64_t size = default_size;
    char *end;

    if (open) {
        size = apr_strtoi64(open + 1, &end, 10);
        if (end == open + 1 || strcmp(end, ")") != 0) {
            return args;
        }
    }
    return apr_psprintf(p, "%.*s.%d(%" APR_INT64_T_FMT ")", path_len, path, i,
                        size / n);
}

static void store_init(apr_pool_t *p, ac_store *st, const char *what,
                       const char *namespace, apr_size_t typical)
{
    st->what = what;
    st->namespace = namespace;
    st->typical_value = typical;
    st->stripes = apr_pcalloc(p, AC_CACHE_STRIPES * sizeof(ac_stripe));
}

/* the stores as configured: providers found, stripe arguments worked out */
static const char *configure_stores(apr_pool_t *pconf, ac_global_conf *g,
                                    const char *where)
{
    const char *spec = g->cache_spec ? g->cache_spec : "shmcb";
    const char *colon = strchr(spec, ':');
    const char *name = colon ? apr_pstrndup(pconf, spec, colon - spec) : spec;
    const char *args = colon ? colon + 1 : NULL;
    ac_store *s = ac_state.cache->sessions = apr_pcalloc(pconf, sizeof(ac_store));
    int i;

    store_init(pconf, s, "sessions", AC_CACHE_NAMESPACE, AC_CACHE_TYPICAL_VALUE);
    s->provider_name = name;
    s->provider = ap_lookup_provider(AP_SOCACHE_PROVIDER_GROUP, name,
                                     AP_SOCACHE_PROVIDER_VERSION);
    if (s->provider == NULL) {
        return apr_psprintf(pconf, "AuthClientCache (%s): the socache provider "
                            "'%s' is not available; load mod_socache_%s "
                            "(a2enmod socache_%s)", where, name, name, name);
    }
    ac_state.cache->embedded = strcmp(name, "shmcb") == 0;
    if (g->login_cache_size != AC_UNSET && !ac_state.cache->embedded) {
        return apr_psprintf(pconf, "AuthClientLoginCacheSize (%s) sizes the "
                            "embedded shmcb cache only; with AuthClientCache %s "
                            "logins in progress share that cache: remove it",
                            g->login_cache_size_where, name);
    }
    s->nstripes = (s->provider->flags & AP_SOCACHE_FLAG_NOTMPSAFE)
                  ? AC_CACHE_STRIPES : 1;
    for (i = 0; i < s->nstripes; i++) {
        s->stripes[i].args = !ac_state.cache->embedded ? args
            : shmcb_stripe_args(pconf, args, AC_CACHE_NAMESPACE "_cache",
                                AC_SHMCB_DEFAULT_SIZE, i, s->nstripes);
    }
    if (!ac_state.cache->embedded) {
        ac_state.cache->logins = s;
        return NULL;
    }
    ac_state.cache->logins = apr_pcalloc(pconf, sizeof(ac_store));
    store_init(pconf, ac_state.cache->logins, "logins in progress", AC_LOGIN_NAMESPACE,
               AC_LOGIN_TYPICAL_VALUE);
    ac_state.cache->logins->provider = s->provider;
    ac_state.cache->logins->provider_name = name;
    ac_state.cache->logins->nstripes = s->nstripes;
    for (i = 0; i < s->nstripes; i++) {
        ac_state.cache->logins->stripes[i].args = shmcb_stripe_args(
            pconf, "", AC_CACHE_NAMESPACE "_logins",
            g->login_cache_size != AC_UNSET ? g->login_cache_size
                                            : AC_LOGIN_CACHE_DEFAULT_SIZE,
            i, s->nstripes);
    }
    return NULL;
}

/* create() checks the arguments: a mistake fails "apachectl -t".  These
 * instances serve a shared cache; the shmcb ones are made again at
 * post_config, in pools that outlive the configuration (see kept_create). */
static const char *create_stripes(apr_pool_t *pconf, apr_pool_t *ptemp,
                                  ac_store *st)
{
    int i;

    for (i = 0; i < st->nstripes; i++) {
        const char *err = st->provider->create(&st->stripes[i].instance,
                                               st->stripes[i].args, ptemp, pconf);
        if (err) {
            return err;
        }
    }
    return NULL;
}

/* what a kept cache must match: everything that shapes the instances */
static void describe(apr_pool_t *pconf, ac_global_conf *g)
{
    const ac_store *s = ac_state.cache->sessions;
    const ac_store *l = ac_state.cache->logins;
    const char *pass = "";
    int i;

    ac_state.cache->layout = apr_psprintf(pconf, "%s %s x%d (%d); logins %s x%d (%d); %s",
                                 s->provider_name, s->stripes[0].args ? s->stripes[0].args : "",
                                 s->nstripes, (int)s->typical_value,
                                 l->stripes[0].args ? l->stripes[0].args : "",
                                 l->nstripes, (int)l->typical_value,
                                 AC_KEPT_KEY);
    for (i = 0; i < g->passphrases->nelts; i++) {
        const char *one = APR_ARRAY_IDX(g->passphrases, i, const char *);
        pass = apr_psprintf(pconf, "%s%" APR_SIZE_T_FMT ":%s", pass, strlen(one), one);
    }
    ac_sha256(pass, strlen(pass), ac_state.cache->passphrase_hash);
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
    e = ac_seal_keys_derive(pconf, g->passphrases, &ac_state.cache->keys);
    if (e == NULL) {
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, ap_server_conf, ACLOGNO(01014)
                     "%s: %d cache "
                     "key(s) derived from AuthClientPassphrase with scrypt in %"
                     APR_TIME_T_FMT " ms", AC_LOG_TAG, g->passphrases->nelts,
                     apr_time_as_msec(apr_time_now() - start));
    }
    return e;
}

const char *ac_cache_configure(apr_pool_t *pconf, apr_pool_t *ptemp,
                               ac_global_conf *g)
{
    const char *where = g->cache_spec_where ? g->cache_spec_where : "default";
    const char *err;

    ac_state.cache = apr_pcalloc(pconf, sizeof(*ac_state.cache));
    if ((err = configure_stores(pconf, g, where)) != NULL) {
        return err;
    }
    if ((err = create_stripes(pconf, ptemp, ac_state.cache->sessions)) != NULL
        || (ac_state.cache->logins != ac_state.cache->sessions
            && (err = create_stripes(pconf, ptemp, ac_state.cache->logins)) != NULL)) {
        return apr_psprintf(pconf, "AuthClientCache (%s): %s%s", where, err,
                            ac_state.cache->sessions->nstripes > 1
                            ? apr_psprintf(pconf, " (for each of its %d stripes, "
                                           "which share the bytes)",
                                           ac_state.cache->sessions->nstripes) : "");
    }
    describe(pconf, g);
    if (g->passphrases->nelts > 0) {
        ac_error *e = passphrase_keys(pconf, g);
        return e ? apr_psprintf(pconf, "%s: %s", e->code, e->message) : NULL;
    }
    if (!ac_state.cache->embedded) {
        return apr_psprintf(pconf, "AuthClientCache %s (%s) is shared between "
                            "servers, so it needs AuthClientPassphrase (the same "
                            "on every node), e.g. AuthClientPassphrase "
                            "file:/etc/apache2/auth_client.key",
                            ac_state.cache->sessions->provider_name, where);
    }
    /* a random key, made or kept at post_config with the instances */
    ac_state.cache->random_key = 1;
    return NULL;
}

/* ---- start-up ---------------------------------------------------------------- */

static apr_status_t destroy_instances(void *data)
{
    ac_store *st = data;
    int i;

    for (i = 0; i < st->nstripes; i++) {
        st->provider->destroy(st->stripes[i].instance, ap_server_conf);
    }
    return APR_SUCCESS;
}

/*
 * "Mutex file:/run/lock default", common in configurations and test
 * harnesses, applies to every mutex without a Mutex line of its own and
 * would put this lock, taken on every read of shmcb, on fcntl: a system
 * call each time.  httpd keeps no record of whether the lock was named,
 * so the active configuration tree is asked (conditional sections that
 * did not apply are not in it).
 */
static int named_in(const char *args, const char *type, apr_pool_t *p)
{
    const char *word;

    ap_getword_conf(p, &args);          /* the mechanism */
    while (*(word = ap_getword_conf(p, &args)) != '\0') {
        if (strcmp(word, type) == 0) {
            return 1;
        }
    }
    return 0;
}

static int mutex_named(const ap_directive_t *d, const char *type, apr_pool_t *p)
{
    for (; d != NULL; d = d->next) {
        if ((strcasecmp(d->directive, "Mutex") == 0 && named_in(d->args, type, p))
            || mutex_named(d->first_child, type, p)) {
            return 1;
        }
    }
    return 0;
}

static int mutex_create(apr_pool_t *pool, server_rec *s, const char *instance,
                        apr_global_mutex_t **out)
{
    apr_status_t rv;

    if (AC_MUTEX_DEFAULT_MECH != APR_LOCK_DEFAULT
        && !mutex_named(ap_conftree, AC_MUTEX_TYPE, pool)) {
        /* the fast default needs no file, so nothing else of the Mutex
         * configuration applies to it */
        rv = apr_global_mutex_create(out, NULL, AC_MUTEX_DEFAULT_MECH, pool);
#ifdef AP_NEED_SET_MUTEX_PERMS
        if (rv == APR_SUCCESS) {
            rv = ap_unixd_set_global_mutex_perms(*out);
        }
#endif
    }
    else {
        rv = ap_global_mutex_create(out, NULL, AC_MUTEX_TYPE, instance, s, pool, 0);
    }

    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, ACLOGNO(01015)
                     "%s: could not create the "
                     "%s mutex (%s) [cache_mutex]", AC_LOG_TAG, AC_MUTEX_TYPE,
                     instance);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

static int store_init_instances(ac_store *st, server_rec *s, apr_pool_t *pool)
{
    struct ap_socache_hints hints = { AC_KEY_HASH_LEN, 0, 300 * APR_USEC_PER_SEC };
    int i;

    hints.avg_obj_size = st->typical_value;
    for (i = 0; i < st->nstripes; i++) {
        apr_status_t rv = st->provider->init(st->stripes[i].instance, st->namespace,
                                             &hints, s, pool);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, ACLOGNO(01016)
                         "%s: could not initialise "
                         "the %s cache for %s [cache_init]", AC_LOG_TAG,
                         st->provider_name, st->what);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    return OK;
}

/*
 * A shared cache is made again at each start; nothing in this process
 * holds its entries.  Its provider is multi-process safe, so a login in
 * progress is taken under a lock of its own: see fetch().
 */
static int start_shared(apr_pool_t *pconf, server_rec *s)
{
    ac_store *st = ac_state.cache->sessions;

    if (st->nstripes > 1) {
        int i;
        for (i = 0; i < st->nstripes; i++) {
            if (mutex_create(pconf, s, apr_itoa(pconf, i), &st->stripes[i].mutex)
                != OK) {
                return HTTP_INTERNAL_SERVER_ERROR;
            }
        }
    }
    else if (mutex_create(pconf, s, "take", &st->take_mutex) != OK) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (store_init_instances(st, s, pconf) != OK) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_cleanup_register(pconf, st, destroy_instances, apr_pool_cleanup_null);
    return OK;
}

/* ---- the embedded cache across restarts ------------------------------------- */

/*
 * The instances, their shared memory and their locks must outlive the
 * configuration pool.  shmcb's init() allocates the segment in the pool it
 * is given (a pool under the process pool here, destroyed with it or when
 * the configuration changes, by APR's own cleanup), but registers its
 * cleanup on the pool create() was given, a cleanup that lives in
 * mod_socache_shmcb.so.  That DSO is unloaded and loaded again, maybe
 * elsewhere, at every restart, so the create() pool must never run its
 * cleanups: it is an unmanaged pool that nothing destroys, of a few
 * hundred bytes per fresh start.
 *
 * Both generations of children share the instances during a graceful
 * restart, so the locks are kept too (a changed "Mutex" for them takes
 * effect with the next fresh cache).  A restart that is not graceful kills
 * children wherever they are, perhaps holding a lock or halfway through a
 * store: that starts a fresh cache.
 */
typedef struct kept_store {
    ap_socache_instance_t *instance[AC_CACHE_STRIPES];
    apr_global_mutex_t *mutex[AC_CACHE_STRIPES];
} kept_store;

typedef struct kept_cache {
    apr_pool_t *anchor;                 /* unmanaged: the create() pool */
    apr_pool_t *pool;                   /* NULL while nothing is kept */
    const char *layout;
    unsigned char passphrase_hash[32];
    unsigned char key[AC_SEAL_KEY_LEN]; /* the random key, without a passphrase */
    unsigned int restarts;              /* graceful restarts kept through */
    kept_store sessions;
    kept_store logins;
} kept_cache;

static kept_cache *kept_get(void)
{
    kept_cache *k = ap_retained_data_get(AC_KEPT_KEY);

    return k ? k : ap_retained_data_create(AC_KEPT_KEY, sizeof(*k));
}

static void kept_release(kept_cache *k)
{
    if (k->pool) {
        apr_pool_destroy(k->pool);
    }
    k->pool = NULL;
    k->layout = NULL;
    memset(&k->sessions, 0, sizeof(k->sessions));
    memset(&k->logins, 0, sizeof(k->logins));
    memset(k->key, 0, sizeof(k->key));
    k->restarts = 0;
}

static void adopt(ac_store *st, const kept_store *ks)
{
    int i;

    for (i = 0; i < st->nstripes; i++) {
        st->stripes[i].instance = ks->instance[i];
        st->stripes[i].mutex = ks->mutex[i];
    }
}

static int kept_create_store(apr_pool_t *ptemp, server_rec *s, kept_cache *k,
                             ac_store *st, kept_store *ks, const char *prefix)
{
    int i;

    for (i = 0; i < st->nstripes; i++) {
        const char *err = st->provider->create(&ks->instance[i], st->stripes[i].args,
                                               ptemp, k->anchor);
        if (err) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, ACLOGNO(01017)
                         "%s: could not create the "
                         "%s cache: %s [cache_init]", AC_LOG_TAG, st->what, err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        if (mutex_create(k->pool, s, apr_psprintf(ptemp, "%s%d", prefix, i),
                         &ks->mutex[i]) != OK) {
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    adopt(st, ks);
    return store_init_instances(st, s, k->pool);
}

static int kept_create(apr_pool_t *ptemp, server_rec *s, kept_cache *k)
{
    ac_error *e;

    if (k->anchor == NULL
        && apr_pool_create_unmanaged_ex(&k->anchor, NULL, NULL) != APR_SUCCESS) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (apr_pool_create(&k->pool, s->process->pool) != APR_SUCCESS) {
        k->pool = NULL;
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_tag(k->pool, "auth_client_cache");
    if (kept_create_store(ptemp, s, k, ac_state.cache->sessions, &k->sessions, "") != OK
        || kept_create_store(ptemp, s, k, ac_state.cache->logins, &k->logins, "logins-") != OK) {
        kept_release(k);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    k->layout = apr_pstrdup(k->pool, ac_state.cache->layout);
    memcpy(k->passphrase_hash, ac_state.cache->passphrase_hash, sizeof(k->passphrase_hash));
    if (ac_state.cache->random_key && (e = ac_random_bytes(ptemp, k->key, sizeof(k->key))) != NULL) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, ACLOGNO(01018)
                     "%s: %s [%s]", AC_LOG_TAG,
                     e->message, e->code);
        kept_release(k);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

/* NULL when the kept cache fits this configuration */
static const char *why_fresh(const kept_cache *k)
{
    if (!ap_unixd_mpm_get_retained_data()->was_graceful) {
        return "the restart was not graceful";
    }
    if (strcmp(k->layout, ac_state.cache->layout) != 0) {
        return "AuthClientCache or AuthClientLoginCacheSize changed";
    }
    if (memcmp(k->passphrase_hash, ac_state.cache->passphrase_hash,
               sizeof(k->passphrase_hash)) != 0) {
        return "AuthClientPassphrase changed";
    }
    return NULL;
}

static int start_embedded(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s)
{
    kept_cache *k = kept_get();
    const char *why = k->pool ? why_fresh(k) : "";
    ac_error *e;

    if (why == NULL) {
        adopt(ac_state.cache->sessions, &k->sessions);
        adopt(ac_state.cache->logins, &k->logins);
        k->restarts++;
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, ACLOGNO(01019)
                     "%s: sessions and logins in "
                     "progress kept across the graceful restart (%u since the "
                     "cache was created) [cache_kept]", AC_LOG_TAG, k->restarts);
    }
    else {
        if (*why) {
            ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, ACLOGNO(01020)
                         "%s: %s: a fresh cache; "
                         "the sessions and logins in progress of before the "
                         "restart end [cache_fresh]", AC_LOG_TAG, why);
        }
        kept_release(k);
        if (kept_create(ptemp, s, k) != OK) {
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    /* 32 random bytes need no stretching */
    if (ac_state.cache->random_key && (e = ac_seal_keys_raw(pconf, k->key, &ac_state.cache->keys)) != NULL) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, ACLOGNO(01021)
                     "%s: %s [%s]", AC_LOG_TAG,
                     e->message, e->code);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

/* one line per start when the lock ended up on a file lock anyway: a
 * Mutex line named it, or APR has nothing faster */
static void report_slow_mutex(server_rec *s)
{
    const ac_store *st = ac_state.cache->sessions;
    apr_global_mutex_t *m = st->stripes[0].mutex ? st->stripes[0].mutex
                                                 : st->take_mutex;
    const char *mech = m ? apr_global_mutex_name(m) : NULL;

    if (mech == NULL) {
        return;
    }
    if (strcmp(mech, "fcntl") != 0 && strcmp(mech, "flock") != 0) {
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s, ACLOGNO(01078)
                     "%s: the %s lock is %s",
                     AC_LOG_TAG, AC_MUTEX_TYPE, mech);
        return;
    }
    ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, ACLOGNO(01079)
                 "%s: the %s lock is a file "
                 "lock (%s), a system call each time it is taken%s; \"Mutex "
                 AC_MUTEX_FAST_NAME " " AC_MUTEX_TYPE "\" makes it a semaphore "
                 "[cache_mutex_slow]", AC_LOG_TAG, AC_MUTEX_TYPE, mech,
                 st->stripes[0].mutex ? ", on every read of the session cache"
                                      : " (for single-use logins in progress)");
}

int ac_cache_post_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s)
{
    kept_cache *k;
    int rv;

    if (ac_state.cache->embedded) {
        rv = start_embedded(pconf, ptemp, s);
    }
    else {
        k = kept_get();
        if (k->pool) {
            ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, ACLOGNO(01080)
                         "%s: AuthClientCache "
                         "changed from shmcb to %s: the embedded cache is "
                         "released [cache_fresh]", AC_LOG_TAG,
                         ac_state.cache->sessions->provider_name);
            kept_release(k);
        }
        rv = start_shared(pconf, s);
    }
    if (rv == OK) {
        report_slow_mutex(s);
    }
    return rv;
}

static void child_init_mutex(apr_pool_t *pchild, server_rec *s,
                             apr_global_mutex_t **m)
{
    apr_status_t rv;

    if (*m == NULL) {
        return;
    }
    rv = apr_global_mutex_child_init(m, apr_global_mutex_lockfile(*m), pchild);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, ACLOGNO(01023)
                     "%s: could not re-attach "
                     "the %s mutex [cache_mutex]", AC_LOG_TAG, AC_MUTEX_TYPE);
    }
}

static void child_init_store(apr_pool_t *pchild, server_rec *s, ac_store *st)
{
    int i;

    for (i = 0; i < st->nstripes; i++) {
        child_init_mutex(pchild, s, &st->stripes[i].mutex);
    }
    child_init_mutex(pchild, s, &st->take_mutex);
}

static void open_memo_init(apr_pool_t *pchild, server_rec *s)
{
    ac_error *e = ac_open_memo_create(pchild, AC_OPEN_MEMO_SLOTS,
                                      AC_OPEN_MEMO_MAX_BYTES, &ac_state.open_memo);

    if (e != NULL) {
        /* correct without it, only slower */
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, ACLOGNO(01085)
                     "%s: %s [%s]", AC_LOG_TAG, e->message, e->code);
        ac_state.open_memo = NULL;
    }
}

void ac_cache_child_init(apr_pool_t *pchild, server_rec *s)
{
    if (ac_state.cache == NULL) {
        return;
    }
    read_buffer_init(pchild);
    open_memo_init(pchild, s);
    child_init_store(pchild, s, ac_state.cache->sessions);
    if (ac_state.cache->logins != ac_state.cache->sessions) {
        child_init_store(pchild, s, ac_state.cache->logins);
    }
}

static void lock(apr_global_mutex_t *m)
{
    if (m) {
        apr_global_mutex_lock(m);
    }
}

static void unlock(apr_global_mutex_t *m)
{
    if (m) {
        apr_global_mutex_unlock(m);
    }
}

/* ---- what a full shmcb instance pushed out ---------------------------------- */

/*
 * shmcb frees room in a full sub-cache by dropping its oldest entries,
 * expired or not, and says so only in the counters its status callback
 * prints for mod_status.  A store therefore reads them before and after,
 * under the stripe lock, through a request whose output is this buffer.
 */
typedef struct status_text {
    char buf[2048];
    apr_size_t len;
} status_text;

static apr_status_t status_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    status_text *t = f->ctx;
    apr_bucket *b;

    for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb);
         b = APR_BUCKET_NEXT(b)) {
        const char *data;
        apr_size_t n;
        if (APR_BUCKET_IS_METADATA(b)
            || apr_bucket_read(b, &data, &n, APR_BLOCK_READ) != APR_SUCCESS) {
            continue;
        }
        n = n < sizeof(t->buf) - 1 - t->len ? n : sizeof(t->buf) - 1 - t->len;
        memcpy(t->buf + t->len, data, n);
        t->len += n;
    }
    apr_brigade_cleanup(bb);
    return APR_SUCCESS;
}

void ac_cache_register_hooks(apr_pool_t *p)
{
    ap_register_output_filter(AC_STATUS_FILTER, status_filter, NULL,
                              AP_FTYPE_RESOURCE);
}

typedef struct shmcb_counts {
    long discarded;     /* pushed out before they expired, since creation */
    long entries;
    long usage;         /* percent of the data area */
} shmcb_counts;

static long counter(const char *text, const char *name)
{
    const char *at = strstr(text, name);

    return at ? strtol(at + strlen(name), NULL, 10) : -1;
}

static int read_counts(request_rec *r, const ac_store *store, const ac_stripe *st,
                       shmcb_counts *out)
{
    request_rec *rr = apr_pmemdup(r->pool, r, sizeof(*r));
    status_text *t = apr_pcalloc(r->pool, sizeof(*t));

    rr->output_filters = NULL;
    rr->proto_output_filters = NULL;
    if (ap_add_output_filter(AC_STATUS_FILTER, t, rr, r->connection) == NULL) {
        return 0;
    }
    store->provider->status(st->instance, rr, AP_STATUS_SHORT);
    ap_rflush(rr);
    t->buf[t->len] = '\0';
    out->discarded = counter(t->buf, "CacheDiscardCount: ");
    out->entries = counter(t->buf, "CacheCurrentEntries: ");
    out->usage = counter(t->buf, "CacheUsage: ");
    return out->discarded >= 0;
}

/* the counts of all stripes, each read under its lock */
static int total_counts(request_rec *r, const ac_store *store, shmcb_counts *sum)
{
    int i, n = 0;

    memset(sum, 0, sizeof(*sum));
    for (i = 0; i < store->nstripes; i++) {
        const ac_stripe *st = &store->stripes[i];
        shmcb_counts one;
        int ok;
        lock(st->mutex);
        ok = read_counts(r, store, st, &one);
        unlock(st->mutex);
        if (ok) {
            sum->discarded += one.discarded;
            sum->entries += one.entries;
            sum->usage += one.usage;
            n++;
        }
    }
    sum->usage = n ? sum->usage / n : 0;
    return n > 0;
}

/*
 * The first entry a process pushes out is reported at once, the next ones
 * at most every AC_REPORT_INTERVAL, with the totals of the whole store.
 */
static void report_pushed_out(request_rec *r, ac_store *store, long n)
{
    apr_uint32_t now = (apr_uint32_t)apr_time_sec(apr_time_now());
    apr_uint32_t last;
    shmcb_counts sum;

    apr_atomic_add32(&store->pushed_out, (apr_uint32_t)n);
    last = apr_atomic_read32(&store->last_report);
    if ((last != 0 && now - last < AC_REPORT_INTERVAL)
        || apr_atomic_cas32(&store->last_report, now, last) != last
        || !total_counts(r, store, &sum)) {
        return;
    }
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, ACLOGNO(01024)
                  "%s: the %s cache is full, "
                  "so it pushes out entries that have not expired: %ld since it "
                  "was created (%u by this process since its last report); it "
                  "holds %ld entries, %ld%% of its space; %s [cache_full]",
                  AC_LOG_TAG, store->what, sum.discarded,
                  apr_atomic_xchg32(&store->pushed_out, 0), sum.entries, sum.usage,
                  store == ac_state.cache->sessions
                  ? "sessions end early: give AuthClientCache shmcb more bytes"
                  : "a login that takes longer than the anonymous traffic lets "
                    "it wait fails: give AuthClientLoginCacheSize more bytes");
}

/* ---- operations ------------------------------------------------------------ */

/*
 * The hashed key is uniformly random.  shmcb picks its sub-cache from the
 * low bits of the first byte, so the stripe comes from the last one: from
 * the same byte, each stripe's keys would share those bits and fill only
 * the sub-caches that match them, an eighth of the stripe's memory.
 */
static ac_stripe *stripe_for(const ac_store *store, const unsigned char *key)
{
    return &store->stripes[key[AC_KEY_HASH_LEN - 1] % store->nstripes];
}

static ac_error *cache_error(request_rec *r, const ac_store *store,
                             apr_status_t rv, const char *op)
{
    char buf[120];

    return ac_error_make(r->pool, AC_E_CACHE_UNAVAILABLE,
                         "the %s cache failed to %s (%s); check that the cache "
                         "service is running and reachable",
                         store->provider_name, op,
                         apr_strerror(rv, buf, sizeof(buf)));
}

static ac_error *put(request_rec *r, ac_store *store, const char *type,
                     const char *id, const char *value, apr_size_t len,
                     apr_time_t expiry)
{
    unsigned char key[AC_KEY_HASH_LEN];
    unsigned char *sealed;
    apr_size_t sealed_len;
    ac_stripe *st;
    shmcb_counts before, after;
    int counted;
    apr_status_t rv;
    ac_error *e;

    if (len + AC_SEAL_OVERHEAD > AC_CACHE_MAX_VALUE) {
        return ac_error_make(r->pool, AC_E_CACHE_VALUE_TOO_LARGE,
                             "refusing to store a %s entry of %" APR_SIZE_T_FMT
                             " bytes (limit %d); the provider sent unusually "
                             "large tokens or claims", type, len, AC_CACHE_MAX_VALUE);
    }
    ac_key_hash(ac_state.cache->keys, type, id, key);
    e = ac_seal(r->pool, ac_state.cache->keys, key, sizeof(key), (const unsigned char *)value,
                len, &sealed, &sealed_len);
    if (e) {
        return e;
    }
    st = stripe_for(store, key);
    lock(st->mutex);
    counted = ac_state.cache->embedded && read_counts(r, store, st, &before);
    rv = store->provider->store(st->instance, r->server, key, sizeof(key),
                                expiry, sealed, (unsigned int)sealed_len, r->pool);
    counted = counted && read_counts(r, store, st, &after);
    unlock(st->mutex);
    if (rv != APR_SUCCESS) {
        return cache_error(r, store, rv, "store an entry");
    }
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, ACLOGNO(01025)
                  "%s: stored a %s entry of %"
                  APR_SIZE_T_FMT " bytes in the %s cache", AC_LOG_TAG, type,
                  sealed_len, store->what);
    if (counted && after.discarded > before.discarded) {
        report_pushed_out(r, store, after.discarded - before.discarded);
    }
    return NULL;
}

/* a value that does not open is treated as absent: it was written under a
 * rotated-out passphrase, or it was tampered with */
static void open_value(request_rec *r, const char *type, const unsigned char *key,
                       unsigned char *buf, unsigned int buf_len,
                       char **value, apr_size_t *len)
{
    unsigned char *plain;
    apr_size_t plain_len;
    ac_error *e = ac_unseal(r->pool, ac_state.cache->keys, key, AC_KEY_HASH_LEN, buf,
                            buf_len, &plain, &plain_len);

    if (e != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, ACLOGNO(01026)
                      "%s: a %s entry of the "
                      "cache does not open, so it counts as absent: %s [%s]",
                      AC_LOG_TAG, type, e->message, e->code);
        return;
    }
    ap_log_rerror(APLOG_MARK, APLOG_TRACE2, 0, r, ACLOGNO(01027)
                  "%s: read a %s entry of %"
                  APR_SIZE_T_FMT " bytes", AC_LOG_TAG, type, plain_len);
    *value = (char *)plain;
    *len = plain_len;
}

/*
 * A take is retrieve-then-remove, and the entry counts only for the
 * request whose remove removed it.  Within a node both happen under one
 * lock: the stripe's, or for a multi-process safe cache the take lock, so
 * two processes of one node never both hold the entry.  Across nodes,
 * memcached's delete and redis' DEL say whether they deleted, and
 * mod_socache_memcache / _redis pass that on as APR_SUCCESS or
 * APR_NOTFOUND; conf/auth_client.conf.reference says what remains.
 */
static ac_error *retrieve(request_rec *r, ac_store *store, const char *type,
                          const unsigned char *key, unsigned char *buf,
                          unsigned int *buf_len, int take, int *found)
{
    ac_stripe *st = stripe_for(store, key);
    apr_global_mutex_t *m = st->mutex ? st->mutex : take ? store->take_mutex : NULL;
    apr_status_t rv, removed = APR_SUCCESS;

    *found = 0;
    lock(m);
    rv = store->provider->retrieve(st->instance, r->server, key, AC_KEY_HASH_LEN,
                                   buf, buf_len, r->pool);
    if (rv == APR_SUCCESS && take) {
        removed = store->provider->remove(st->instance, r->server, key,
                                          AC_KEY_HASH_LEN, r->pool);
    }
    unlock(m);
    if (rv == APR_NOTFOUND) {
        ap_log_rerror(APLOG_MARK, APLOG_TRACE2, 0, r, ACLOGNO(01028)
                      "%s: no %s entry of that "
                      "id in the %s cache", AC_LOG_TAG, type, store->what);
        return NULL;
    }
    if (rv != APR_SUCCESS) {
        return cache_error(r, store, rv, "retrieve an entry");
    }
    if (removed == APR_NOTFOUND) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, ACLOGNO(01029)
                      "%s: the %s entry was taken "
                      "by another request at the same time (on another node)",
                      AC_LOG_TAG, type);
        return NULL;
    }
    if (removed != APR_SUCCESS) {
        return cache_error(r, store, removed, "remove a single-use entry");
    }
    *found = 1;
    return NULL;
}

/* the memo's plaintext counts only for the very bytes it was opened from */
static int opened_before(const ac_open_memo_hit *hit, const unsigned char *buf,
                         unsigned int buf_len)
{
    return hit->sealed_len == buf_len && memcmp(hit->sealed, buf, buf_len) == 0;
}

/* The value of (type, id) in *value, NULL when there is none; through
 * `memo` (open_memo.h) when there is one: the key is hashed and the value
 * opened only when this process has not done it for these bytes. */
static ac_error *fetch(request_rec *r, ac_store *store, ac_open_memo *memo,
                       const char *type, const char *id, char **value,
                       apr_size_t *len, int take)
{
    unsigned char key[AC_KEY_HASH_LEN];
    unsigned int buf_len = AC_CACHE_MAX_VALUE;
    unsigned char *buf = read_buffer(r->pool);
    ac_open_memo_hit hit;
    int known = memo != NULL && ac_open_memo_get(memo, type, id, r->pool, &hit);
    int found;
    ac_error *e;

    *value = NULL;
    *len = 0;
    if (known) {
        memcpy(key, hit.key, sizeof(key));
    }
    else {
        ac_key_hash(ac_state.cache->keys, type, id, key);
    }
    if ((e = retrieve(r, store, type, key, buf, &buf_len, take, &found)) != NULL
        || !found) {
        return e;
    }
    if (known && opened_before(&hit, buf, buf_len)) {
        ap_log_rerror(APLOG_MARK, APLOG_TRACE2, 0, r, ACLOGNO(01086)
                      "%s: read a %s entry of %" APR_SIZE_T_FMT " bytes, the "
                      "same this process opened before", AC_LOG_TAG, type,
                      hit.plain_len);
        *value = hit.plain;
        *len = hit.plain_len;
        return NULL;
    }
    open_value(r, type, key, buf, buf_len, value, len);
    if (memo != NULL && *value != NULL && buf_len <= AC_OPEN_MEMO_MAX_VALUE) {
        ac_open_memo_put(memo, type, id, key, buf, buf_len, *value, *len);
    }
    return NULL;
}

/* the operation counted for the status endpoint (metrics.h), by the store
 * the caller meant: on a shared cache both are one */
static ac_error *counted(ac_metrics_store store, ac_metrics_cache_op op,
                         ac_error *e, int found)
{
    ac_metrics_cache(store, op, e ? AC_M_ERROR : found ? AC_M_OK : AC_M_MISS);
    return e;
}

ac_error *ac_cache_put(request_rec *r, const char *type, const char *id,
                       const char *value, apr_size_t len, apr_time_t expiry)
{
    return counted(AC_M_SESSIONS, AC_M_PUT,
                   put(r, ac_state.cache->sessions, type, id, value, len, expiry), 1);
}

ac_error *ac_cache_get(request_rec *r, const char *type, const char *id,
                       char **value, apr_size_t *len)
{
    /* claim sections have a memo of their own, of decoded sections
     * (claims_memo.h) */
    ac_open_memo *memo = strcmp(type, AC_CACHE_CLAIMS) == 0 ? NULL : ac_state.open_memo;
    ac_error *e = fetch(r, ac_state.cache->sessions, memo, type, id, value, len, 0);

    return counted(AC_M_SESSIONS, AC_M_GET, e, *value != NULL);
}

ac_error *ac_cache_remove(request_rec *r, const char *type, const char *id)
{
    unsigned char key[AC_KEY_HASH_LEN];
    ac_store *store = ac_state.cache->sessions;
    ac_stripe *st;
    apr_status_t rv;

    ac_key_hash(ac_state.cache->keys, type, id, key);
    st = stripe_for(store, key);
    lock(st->mutex);
    rv = store->provider->remove(st->instance, r->server, key, sizeof(key), r->pool);
    unlock(st->mutex);
    /* the memo would only ever match these bytes again, but an ended
     * session's plaintext should not linger in the process */
    if (ac_state.open_memo != NULL) {
        ac_open_memo_forget(ac_state.open_memo, type, id);
    }
    return counted(AC_M_SESSIONS, AC_M_REMOVE,
                   (rv == APR_SUCCESS || rv == APR_NOTFOUND)
                   ? NULL : cache_error(r, store, rv, "remove an entry"), 1);
}

ac_error *ac_cache_login_put(request_rec *r, const char *type, const char *id,
                             const char *value, apr_size_t len, apr_time_t expiry)
{
    return counted(AC_M_LOGINS, AC_M_PUT,
                   put(r, ac_state.cache->logins, type, id, value, len, expiry), 1);
}

ac_error *ac_cache_login_get(request_rec *r, const char *type, const char *id,
                             char **value, apr_size_t *len)
{
    return fetch(r, ac_state.cache->logins, NULL, type, id, value, len, 0);
}

ac_error *ac_cache_login_take(request_rec *r, const char *type, const char *id,
                              char **value, apr_size_t *len)
{
    ac_error *e = fetch(r, ac_state.cache->logins, NULL, type, id, value, len, 1);

    return counted(AC_M_LOGINS, AC_M_TAKE, e, *value != NULL);
}

int ac_cache_shared(void)
{
    return ac_state.cache != NULL && !ac_state.cache->embedded;
}
