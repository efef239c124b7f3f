/*
 * core_state.c - the one place that makes and ends the core's per-process
 * state (core_state.h).  Each part's file knows how to build and free its
 * part; this file decides when, and records it.
 */
#include <unistd.h>

#include "core_state.h"
#include "http.h"
#include "oidc.h"

ac_core_state ac_core = { .crypto_key_once = PTHREAD_ONCE_INIT };

/* `made` is what one ac_core_state_create made; the record may hold a later
 * process's parts by now (a child's, over the parent's it inherited). */
static apr_status_t core_state_end(void *data)
{
    const ac_core_state *made = data;

    if (ac_core.http == made->http && ac_core.pid == made->pid) {
        ac_core.http = NULL;
        ac_core.docs = NULL;
    }
    /* In a child that inherited them the parent owns the sockets. */
    if (made->pid == getpid()) {
        ac_http_share_destroy(made->http);
    }
    ac_doc_cache_destroy(made->docs);
    return APR_SUCCESS;
}

ac_error *ac_core_state_create(apr_pool_t *pproc)
{
    ac_core_state *made;
    ac_error *err;

    if (ac_core.http != NULL && ac_core.pid == getpid()) {
        return NULL;
    }
    made = apr_pcalloc(pproc, sizeof(*made));
    made->pid = getpid();
    if ((err = ac_http_share_create(pproc, &made->http)) != NULL) {
        return err;
    }
    if ((err = ac_doc_cache_create(pproc, &made->docs)) != NULL) {
        ac_http_share_destroy(made->http);
        return err;
    }
    apr_pool_cleanup_register(pproc, made, core_state_end,
                              apr_pool_cleanup_null);
    ac_core.pid = made->pid;
    ac_core.http = made->http;
    ac_core.docs = made->docs;
    return NULL;
}
