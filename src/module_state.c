/*
 * module_state.c - the one place that makes and ends the state that
 * outlives a request (module_state.h): each lifetime begins in one of the
 * hook entry points below and ends in one pool cleanup.
 */
#include <string.h>

#include "bearer.h"
#include "metrics.h"
#include "module_state.h"

ac_module_state ac_state = { .core = &ac_core };

/* ---- one configuration cycle --------------------------------------------- */

/* Registered first on pconf, so it runs after every cleanup registered
 * later in the cycle (those may still read the record). */
static apr_status_t config_cycle_end(void *unused)
{
    ac_state.global_conf = NULL;
    ac_state.provider_uses = NULL;
    ac_state.bearer_uses = NULL;
    ac_state.cache = NULL;
    memset(ac_state.refresh_locks, 0, sizeof(ac_state.refresh_locks));
    return APR_SUCCESS;
}

void ac_state_pre_config(apr_pool_t *pconf)
{
    ac_state.global_conf = ac_global_conf_create(pconf);
    ac_state.provider_uses = apr_array_make(pconf, 16, sizeof(ac_provider_use));
    ac_state.bearer_uses = apr_array_make(pconf, 8, sizeof(ac_bearer_use));
    apr_pool_cleanup_register(pconf, NULL, config_cycle_end,
                              apr_pool_cleanup_null);
    ac_metrics_pre_config(pconf);
}

const char *ac_state_check_config(apr_pool_t *pconf, apr_pool_t *ptemp)
{
    return ac_cache_configure(pconf, ptemp, ac_state.global_conf);
}

/* ---- one process ------------------------------------------------------------ */

static int core_state_start(apr_pool_t *pproc, server_rec *s)
{
    ac_error *e = ac_core_state_create(pproc);

    if (e != NULL) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, ACLOGNO(01077)
                     "%s: %s [%s]", AC_LOG_TAG, e->message, e->code);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

int ac_state_post_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s)
{
    /* the first pass only checks the configuration; the cache and libcurl
     * are set up once the server really starts */
    if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
        return OK;
    }
    if (core_state_start(pconf, s) != OK
        || ac_refresh_locks_create(pconf, s, ac_state.refresh_locks) != OK
        || ac_status_post_config(ptemp, s) != OK
        || ac_session_local_post_config(s) != OK) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return ac_cache_post_config(pconf, ptemp, s);
}

/* ---- one child ---------------------------------------------------------------- */

static apr_status_t child_end(void *unused)
{
    ac_state.bearer_memo = NULL;
    ac_state.claims_memo = NULL;
    ac_state.open_memo = NULL;
    return APR_SUCCESS;
}

void ac_state_child_init(apr_pool_t *pchild, server_rec *s)
{
    ac_cache_child_init(pchild, s);
    ac_refresh_locks_child_init(pchild, ac_state.refresh_locks);
    ac_session_local_child_init(pchild, s);
    ac_session_claims_child_init(pchild, s);
    /* each child builds its own connection cache: sockets opened by the
     * parent must not be shared between processes */
    (void)core_state_start(pchild, s);
    ac_state.bearer_memo = ac_bearer_memo_create(pchild, s);
    apr_pool_cleanup_register(pchild, NULL, child_end, apr_pool_cleanup_null);
}
