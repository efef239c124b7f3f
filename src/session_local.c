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

/* sessions are spread over this many stamps, so one logout sends only
 * its share of the node's local entries back to the shared cache */
#define AC_LOCAL_STAMPS 64
#define AC_LOCAL_MAX_BYTES (8 * 1024 * 1024)    /* per process */
#define AC_LOCAL_STAMPS_KEY "mod_auth_client-local-stamps-1"

static int lifetime;                /* seconds; 0: off */
static int max_entries;
static apr_uint32_t *stamps;        /* shared by the node's processes */
static ac_local_cache *local;       /* this process's */

typedef struct kept_stamps {
    apr_shm_t *shm;                 /* in the process pool: made once */
} kept_stamps;

void ac_session_local_configure(const ac_global_conf *g)
{
    lifetime = g->local_cache_seconds > 0 ? g->local_cache_seconds : 0;
    max_entries = g->local_cache_entries > 0 ? g->local_cache_entries
                                             : AC_LOCAL_DEFAULT_ENTRIES;
}

/* the parent's: the stamps outlive restarts, so the children of two
 * generations during a graceful restart see the same ones */
int ac_session_local_post_config(server_rec *s)
{
    kept_stamps *k;
    apr_status_t rv;

    stamps = NULL;
    if (lifetime == 0) {
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
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, "%s: could not create the "
                     "shared memory of AuthClientSessionLocalCache "
                     "[cache_init]", AC_LOG_TAG);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    stamps = apr_shm_baseaddr_get(k->shm);
    return OK;
}

void ac_session_local_child_init(apr_pool_t *pchild, server_rec *s)
{
    ac_error *e;

    local = NULL;
    if (stamps == NULL) {
        return;
    }
    if ((e = ac_local_cache_create(pchild, max_entries, AC_LOCAL_MAX_BYTES,
                                   &local)) != NULL) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, "%s: %s [%s]", AC_LOG_TAG,
                     e->message, e->code);
        local = NULL;
    }
}

static apr_uint32_t *stamp_of(const char *id)
{
    apr_uint32_t h = 0;

    for (; *id; id++) {
        h = h * 31 + (unsigned char)*id;
    }
    return &stamps[h % AC_LOCAL_STAMPS];
}

char *ac_session_local_get(request_rec *r, const char *id, apr_size_t *len,
                           apr_uint32_t *stamp)
{
    *len = 0;
    *stamp = 0;
    if (local == NULL) {
        return NULL;
    }
    *stamp = apr_atomic_read32(stamp_of(id));
    return ac_local_cache_get(local, id, *stamp, apr_time_now(), r->pool, len);
}

void ac_session_local_put(request_rec *r, const char *id, apr_uint32_t stamp,
                          const char *record, apr_size_t len, apr_time_t expiry)
{
    apr_time_t until;

    if (local == NULL) {
        return;
    }
    until = apr_time_now() + apr_time_from_sec(lifetime);
    ac_local_cache_put(local, id, stamp, record, len,
                       expiry < until ? expiry : until);
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, "session kept in this "
                  "process for %d s (AuthClientSessionLocalCache)", lifetime);
}

void ac_session_local_drop(const char *id)
{
    if (local != NULL) {
        ac_local_cache_remove(local, id);
    }
}

void ac_session_local_forget(const char *id)
{
    if (stamps != NULL) {
        apr_atomic_inc32(stamp_of(id));
    }
    ac_session_local_drop(id);
}
