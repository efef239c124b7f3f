/*
 * module_state.h - everything of the httpd glue that outlives a request, in
 * one record, grouped by lifetime: one configuration cycle (pconf), one
 * process (post_config / child_init), one child (pchild).  The core
 * library's part is its own record (core_state.h), owned from here.
 *
 * module_state.c makes the record at each of those points and ends each
 * lifetime in one cleanup; the files named below fill and read their
 * fields.  No other file of the module keeps state at file scope.
 *
 * Besides this record, only httpd's retained data outlives a restart: the
 * embedded cache's shmcb instances and its random key (cache.c, "kept"),
 * found by name with ap_retained_data_get and kept across graceful
 * restarts while the cache configuration stays the same.
 */
#ifndef AC_MODULE_STATE_H
#define AC_MODULE_STATE_H

#include <apr_global_mutex.h>

#include "auth_client.h"
#include "core_state.h"
#include "claims_memo.h"
#include "local_cache.h"
#include "open_memo.h"
#include "token_memo.h"

/* The refresh locks: one of these serialises a session's refreshes. */
#define AC_REFRESH_LOCKS 8

/* One "AuthClientProvider NAME" of the server configuration, resolved at
 * check_config against its host's provider blocks (complete only once
 * every file is read).  .htaccess files are read at request time and are
 * not listed. */
typedef struct ac_provider_use {
    server_rec *s;
    const char *name;
    const char *where;              /* "file:line" */
} ac_provider_use;

/* One section that turns bearer tokens on, checked at check_config. */
typedef struct ac_bearer_use {
    server_rec *s;
    const ac_dir_conf *d;
    const char *where;              /* "file:line" */
} ac_bearer_use;

typedef struct ac_cache ac_cache;   /* cache.c */

typedef struct ac_module_state {
    /*
     * One configuration cycle: made at pre_config (and check_config) in
     * pconf; forgotten when pconf is cleared, at every restart.  Written
     * while the configuration is read, only read while requests are
     * served.
     */
    ac_global_conf *global_conf;        /* AuthClientCache, AuthClientPassphrase,
                                         * AuthClientLoginCacheSize (directives.c) */
    apr_array_header_t *provider_uses;  /* ac_provider_use (directives.c) */
    apr_array_header_t *bearer_uses;    /* ac_bearer_use (bearer.c) */
    /* the socache layer: providers, instances, seal keys, mutexes; made by
     * ac_cache_configure at check_config, started at post_config (the
     * shmcb instances then live in retained pools, see above), its mutexes
     * re-attached in child_init (cache.c) */
    ac_cache *cache;
    /* made at post_config, re-attached in child_init (refresh.c) */
    apr_global_mutex_t *refresh_locks[AC_REFRESH_LOCKS];
    /* AuthClientSessionLocalCache (session_local.c): its settings, from
     * check_config, and the node's session stamps, shared memory attached
     * at post_config and kept across restarts as retained data */
    int local_lifetime;                 /* seconds; 0: off */
    int local_max_entries;
    apr_uint32_t *local_stamps;

    /*
     * One child: made at child_init in pchild, forgotten at child exit.
     */
    ac_token_memo *bearer_memo;         /* verified JWTs (bearer.c); NULL:
                                         * none, correct only slower */
    ac_local_cache *local_sessions;     /* this process's copies of verified
                                         * sessions (session_local.c); NULL: off */
    ac_claims_memo *claims_memo;        /* large claim sections, decoded
                                         * (session_claims.c); NULL: none */
    ac_open_memo *open_memo;            /* cache values opened lately
                                         * (cache.c); NULL: none */
    apr_threadkey_t *read_buffer_key;   /* each thread's cache read buffer
                                         * (cache.c); NULL: the pool's */
    apr_uint32_t forwarded_warned;      /* the one warning of untrusted
                                         * forwarded headers (origin.c) */

    /* One process: the core's record (core_state.h), made at post_config
     * for the parent and at child_init for each child. */
    ac_core_state *core;
} ac_module_state;

extern ac_module_state ac_state AC_HIDDEN;

/* The hooks' entry points, in the order httpd calls them. */
void ac_state_pre_config(apr_pool_t *pconf);
const char *ac_state_check_config(apr_pool_t *pconf, apr_pool_t *ptemp);
int ac_state_post_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s);
void ac_state_child_init(apr_pool_t *pchild, server_rec *s);

#endif
