/*
 * core_state.h - everything of the core library that outlives a request, in
 * one record, with when it is made and when it ends.
 *
 * The core keeps no other file-scope state: a reader looking for what a
 * process carries from one request to the next finds all of it here.  The
 * httpd glue owns this record through its own (module_state.h), which
 * calls ac_core_state_create at post_config and child_init; tools and unit
 * tests that never call it still work, only without the shared caches.
 */
#ifndef AC_CORE_STATE_H
#define AC_CORE_STATE_H

#include <pthread.h>
#include <sys/types.h>

#include "util.h"

/* The record is reached from every request; hidden, the module's own code
 * reaches it as directly as a file-scope static (no GOT load). */
#if defined(__GNUC__)
#define AC_HIDDEN __attribute__((visibility("hidden")))
#else
#define AC_HIDDEN
#endif

typedef struct ac_http_share ac_http_share;    /* http.c */
typedef struct ac_doc_cache ac_doc_cache;      /* oidc.c */
typedef struct metrics_table metrics_table;    /* metrics.c */

typedef struct ac_core_state {
    /*
     * Per process: made by ac_core_state_create in the process's pool (the
     * parent's configuration pool at post_config, each child's pool at
     * child_init) and ended by that pool's cleanup.  A forked child inherits
     * the parent's copies; `pid` tells it they are not its own, so it makes
     * its own rather than write into sockets the parent also holds.
     */
    pid_t pid;                  /* the process these were made in */
    ac_http_share *http;        /* libcurl share: DNS and connection cache */
    ac_doc_cache *docs;         /* discovery and JWKS documents, by URL */

    /*
     * Per process, from the first seal or key hash to process exit: the
     * thread key under which each thread keeps its cipher and digest
     * contexts (seal.c), freed and cleansed when the thread ends.
     */
    pthread_once_t crypto_key_once;
    pthread_key_t crypto_key;

    /*
     * One configuration cycle (metrics.c): the providers' counter slots,
     * named at pre_config in pconf, and the counter table in the shared
     * memory every process of the node sees, attached at post_config
     * (status.c keeps the segment across graceful restarts).  A forked
     * child keeps them: they are the node's, not the process's.
     */
    struct {
        apr_array_header_t *slot_names; /* provider names by slot ([0] NULL) */
        metrics_table *table;
        int slots;
    } metrics;
} ac_core_state;

extern ac_core_state ac_core AC_HIDDEN;

/* Makes this process's shared caches in `pproc`, and registers the one
 * cleanup that ends them with it.  Does nothing when this process has them
 * already. */
ac_error *ac_core_state_create(apr_pool_t *pproc);

#endif
