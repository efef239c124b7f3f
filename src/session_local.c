/*
 * session_local.c - AuthClientSessionLocalCache: each process keeps the
 * sessions it verified recently (local_cache.h), for a few seconds, so a
 * busy page on memcache or redis pays neither the network round trip nor
 * the AEAD open per request.
 *
 * What that costs is said in the reference: a logout on this node ends
 * the session at once, one on another node (or at the provider, through
 * back-channel logout received there) only when the local copy runs out,
 * within the lifetime.  "At once" spans the node's processes through
 * stamps in shared memory: ending a session moves its stamp on, and an
 * entry put under an older stamp no longer counts in any process.  A
 * reader takes the stamp before it reads the shared cache, so a session
 * read just before it ended is put under the old stamp and never used.
 */
#include <apr_atomic.h>
#include <apr_shm.h>
#include <http_main.h>

#include "auth_client.h"
#include "local_cache.h"
#include "module_state.h"

/* sessions are spread over this many stamps, so one logout sends only
 * its share of the node's local entries back to the shared cache */
#define AC_LOCAL_STAMPS 64
#define AC_LOCAL_MAX_BYTES (8 * 1024 * 1024)    /* per process */
#define AC_LOCAL_STAMPS_KEY "mod_auth_client-local-stamps-1"

/* the state: ac_state's local_* fields (module_state.h) */

typedef struct kept_stamps {
    apr_shm_t *shm;                 /* in the process pool: made once */
} kept_stamps;

void ac_session_local_configure(const ac_global_conf *g)
{
    ac_state.local_lifetime = g->local_cache_seconds > 0 ? g->local_cache_seconds
                                                         : 0;
    ac_state.local_max_entries = g->local_cache_entries > 0
                                 ? g->local_cache_entries : AC_LOCAL_DEFAULT_ENTRIES;
}

/* the parent's: the stamps outlive restarts, so the children of two
 * generations during a graceful restart see the same ones */
int ac_session_local_post_config(server_rec *s)
{
    kept_stamps *k;
    apr_status_t rv;

    ac_state.local_stamps = NULL;
    if (ac_state.local_lifetime == 0) {
        return OK;
    }
    k = ap_retained_data_get(AC_LOCAL_STAMPS_KEY);
    if (k == NULL) {
        k = ap_retained_data_create(AC_LOCAL_STAMPS_KEY, sizeof(*k));
    }
    if (k->shm == NULL
        && (rv = apr_shm_create(&k->shm, AC_LOCAL_STAMPS * sizeof(apr_uint32_t),
                                NULL, s->process->pool)) != APR_SUCCESS) {
        k->shm = NULL;
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, ACLOGNO(01081)
                     "%s: could not create the "
                     "shared memory of AuthClientSessionLocalCache "
                     "[cache_init]", AC_LOG_TAG);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    ac_state.local_stamps = apr_shm_baseaddr_get(k->shm);
    return OK;
}

void ac_session_local_child_init(apr_pool_t *pchild, server_rec *s)
{
    ac_error *e;

    ac_state.local_sessions = NULL;
    if (ac_state.local_stamps == NULL) {
        return;
    }
    if ((e = ac_local_cache_create(pchild, ac_state.local_max_entries,
                                   AC_LOCAL_MAX_BYTES,
                                   &ac_state.local_sessions)) != NULL) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, ACLOGNO(01082)
                     "%s: %s [%s]", AC_LOG_TAG,
                     e->message, e->code);
        ac_state.local_sessions = NULL;
    }
}

static apr_uint32_t *stamp_of(const char *id)
{
    apr_uint32_t h = 0;

    for (; *id; id++) {
        h = h * 31 + (unsigned char)*id;
    }
    return &ac_state.local_stamps[h % AC_LOCAL_STAMPS];
}

char *ac_session_local_get(request_rec *r, const char *id, apr_size_t *len,
                           apr_uint32_t *stamp)
{
    *len = 0;
    *stamp = 0;
    if (ac_state.local_sessions == NULL) {
        return NULL;
    }
    *stamp = apr_atomic_read32(stamp_of(id));
    return ac_local_cache_get(ac_state.local_sessions, id, *stamp,
                              apr_time_now(), r->pool, len);
}

void ac_session_local_put(request_rec *r, const char *id, apr_uint32_t stamp,
                          const char *record, apr_size_t len, apr_time_t expiry)
{
    apr_time_t until;

    if (ac_state.local_sessions == NULL) {
        return;
    }
    until = apr_time_now() + apr_time_from_sec(ac_state.local_lifetime);
    ac_local_cache_put(ac_state.local_sessions, id, stamp, record, len,
                       expiry < until ? expiry : until);
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, ACLOGNO(01083)
                  "%s: session kept in this "
                  "process for %d s (AuthClientSessionLocalCache)", AC_LOG_TAG,
                  ac_state.local_lifetime);
}

void ac_session_local_drop(const char *id)
{
    if (ac_state.local_sessions != NULL) {
        ac_local_cache_remove(ac_state.local_sessions, id);
    }
}

void ac_session_local_forget(const char *id)
{
    if (ac_state.local_stamps != NULL) {
        apr_atomic_inc32(stamp_of(id));
    }
    ac_session_local_drop(id);
}
