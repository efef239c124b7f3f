/*
 * refresh.c - the tokens of a request that uses them: read from their own
 * record, refreshed first when the access token expires within the
 * margin, then exported to the application.
 *
 * One refresh per session at a time.  On a node, a lock (one of a few
 * global mutexes, chosen by the session id) is held only around the
 * refresh, and whoever waited on it finds the new tokens when it gets it.
 * Across nodes that share memcached or redis, the new token set is also
 * left for a minute under the old refresh token, so a node presenting the
 * same old refresh token takes that result instead of spending a rotated
 * token; a node that sees another node's refresh under way waits for it.
 * That part is best effort: the cache offers no atomic "add".
 */
#include <apr_global_mutex.h>
#include <util_mutex.h>

#include "login.h"
#include "module_state.h"

#define AC_REFRESH_MUTEX "auth-client-refresh"
#define AC_CACHE_REFRESHED "refreshed"
#define AC_CACHE_REFRESHING "refreshing"
/* how long a refresh result stays for other nodes to pick up */
#define AC_REFRESH_RESULT_SECONDS 60
/* after a failure that was not invalid_grant: no new attempt before */
#define AC_REFRESH_BACKOFF_SECONDS 30
/* across nodes: how long a node waits for another's refresh, and how often
 * it looks */
#define AC_REFRESH_WAIT_MS 5000
#define AC_REFRESH_POLL_MS 50

/* ---- the node's locks ------------------------------------------------------------- */

/*
 * APR's default, and whatever "Mutex ... default" sets: unlike the cache
 * lock this one is taken only around a refresh, never on every request,
 * so a file lock costs nothing that counts; and it is held across a call
 * to the provider, so it must be one that is released when a child dies
 * holding it (a robust mutex or fcntl is, a POSIX semaphore is not).
 */
void ac_refresh_pre_config(apr_pool_t *pconf)
{
    ap_mutex_register(pconf, AC_REFRESH_MUTEX, NULL, APR_LOCK_DEFAULT, 0);
}

int ac_refresh_locks_create(apr_pool_t *pconf, server_rec *s,
                            apr_global_mutex_t **locks)
{
    apr_status_t rv;
    int i;

    for (i = 0; i < AC_REFRESH_LOCKS; i++) {
        rv = ap_global_mutex_create(&locks[i], NULL, AC_REFRESH_MUTEX,
                                    apr_itoa(pconf, i), s, pconf, 0);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, ACLOGNO(01049)
                         "%s: cannot create the "
                         "refresh lock; check the Mutex directive for %s",
                         AC_LOG_TAG, AC_REFRESH_MUTEX);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    return OK;
}

void ac_refresh_locks_child_init(apr_pool_t *pchild,
                                 apr_global_mutex_t **locks)
{
    int i;

    for (i = 0; i < AC_REFRESH_LOCKS; i++) {
        if (locks[i] != NULL) {
            apr_global_mutex_child_init(&locks[i],
                                        apr_global_mutex_lockfile(locks[i]), pchild);
        }
    }
}

static apr_global_mutex_t *lock_for(const char *session_id)
{
    unsigned int h = 0;
    const char *c;

    for (c = session_id; *c; c++) {
        h = h * 31 + (unsigned char)*c;
    }
    return ac_state.refresh_locks[h % AC_REFRESH_LOCKS];
}

/* ---- across nodes -------------------------------------------------------------------- */

static ac_error *result_get(request_rec *r, const char *old_refresh,
                            ac_token_set **out)
{
    char *buf;
    apr_size_t len;
    ac_error *e = ac_cache_get(r, AC_CACHE_REFRESHED, old_refresh, &buf, &len);

    *out = NULL;
    if (e != NULL || buf == NULL) {
        return e;
    }
    *out = apr_palloc(r->pool, sizeof(**out));
    if (ac_token_record_decode(r->pool, buf, len, *out) != NULL) {
        *out = NULL;
    }
    return NULL;
}

static void result_put(request_rec *r, const char *old_refresh,
                       const ac_token_set *t)
{
    char *buf;
    apr_size_t len;

    if (ac_token_record_encode(r->pool, t, &buf, &len) == NULL) {
        ac_cache_put(r, AC_CACHE_REFRESHED, old_refresh, buf, len, apr_time_now()
                     + apr_time_from_sec(AC_REFRESH_RESULT_SECONDS));
    }
}

/*
 * With a shared cache: claim the refresh of `old_refresh` for this node
 * (a marker the last writer wins), or wait for the node that holds it and
 * take its result.  *taken is set when another node's result arrived.
 */
static ac_error *claim_or_wait(request_rec *r, const char *old_refresh,
                               ac_token_set **taken)
{
    const char *mine, *seen = NULL;
    char *buf;
    apr_size_t len;
    int waited;
    ac_error *e;

    *taken = NULL;
    if ((e = ac_random_token(r->pool, 16, &mine)) != NULL) {
        return e;
    }
    if ((e = ac_cache_get(r, AC_CACHE_REFRESHING, old_refresh, &buf, &len)) != NULL) {
        return e;
    }
    if (buf == NULL) {
        ac_cache_put(r, AC_CACHE_REFRESHING, old_refresh, mine, strlen(mine),
                     apr_time_now() + apr_time_from_msec(AC_REFRESH_WAIT_MS));
        apr_sleep(apr_time_from_msec(AC_REFRESH_POLL_MS));
        if ((e = ac_cache_get(r, AC_CACHE_REFRESHING, old_refresh, &buf, &len)) != NULL) {
            return e;
        }
    }
    seen = buf ? apr_pstrmemdup(r->pool, buf, len) : NULL;
    if (seen == NULL || strcmp(seen, mine) == 0) {
        return NULL;
    }
    for (waited = 0; waited < AC_REFRESH_WAIT_MS; waited += AC_REFRESH_POLL_MS) {
        if ((e = result_get(r, old_refresh, taken)) != NULL || *taken != NULL) {
            return e;
        }
        apr_sleep(apr_time_from_msec(AC_REFRESH_POLL_MS));
    }
    return NULL;        /* the other node gave up: try ourselves */
}

/* ---- the refresh ----------------------------------------------------------------------- */

typedef struct refresh_ctx {
    request_rec *r;
    ac_request_state *st;
    const ac_provider *pv;
    ac_token_set *old;
    ac_token_set fresh;
} refresh_ctx;

static const char *session_sub(request_rec *r, const ac_session_record *s)
{
    const ac_claim *sub = ac_session_record_claim(r->pool, s, "sub");

    return sub && sub->nvalues == 1 ? sub->values[0] : NULL;
}

/* The provider's answer, or another node's result for the same token. */
static ac_error *new_tokens(refresh_ctx *cx)
{
    request_rec *r = cx->r;
    const ac_login_kind *kind = ac_login_kind_of(cx->pv);
    ac_token_set *taken = NULL;
    ac_login lg;
    ac_error *e;

    if ((e = result_get(r, cx->old->refresh_token, &taken)) == NULL && taken == NULL
        && ac_cache_shared()) {
        e = claim_or_wait(r, cx->old->refresh_token, &taken);
    }
    if (e != NULL) {
        return e;
    }
    if (taken != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, ACLOGNO(01050)
                      "%s: refresh for %s: took the "
                      "result of a refresh made elsewhere", AC_LOG_TAG, r->user);
        cx->fresh = *taken;
        return NULL;
    }
    if (kind->refresh == NULL) {
        return ac_fail(r, AC_E_TOKEN_INVALID_GRANT, "this provider's kind has no refresh");
    }
    ac_login_for_session(r, cx->pv, &lg);
    if ((e = kind->refresh(&lg, cx->old->refresh_token,
                           session_sub(cx->r, cx->st->session))) != NULL) {
        return e;
    }
    ac_tokens_from_response(r->pool, &lg.tokens, NULL, cx->old, &cx->fresh);
    result_put(r, cx->old->refresh_token, &cx->fresh);
    return NULL;
}

static ac_error *save(refresh_ctx *cx)
{
    ac_session_record *s = cx->st->session;
    ac_error *e = ac_tokens_store(cx->r, cx->st->session_id, &cx->fresh, s->expires);

    if (e == NULL) {
        s->access_expires = cx->fresh.expires;
        e = ac_session_store(cx->r, cx->st->session_id, s);
    }
    return e;
}

/* A failed refresh is remembered, so that no request tries it again soon:
 * a dead refresh token never, anything else after a back-off. */
static void remember_failure(refresh_ctx *cx, const ac_error *why)
{
    ac_token_set t = *cx->old;

    if (why->id == AC_E_TOKEN_INVALID_GRANT || why->id == AC_E_ID_TOKEN_SUB) {
        t.refresh_dead = 1;
    }
    else {
        t.retry_after = apr_time_now() + apr_time_from_sec(AC_REFRESH_BACKOFF_SECONDS);
    }
    ac_tokens_store(cx->r, cx->st->session_id, &t, cx->st->session->expires);
    *cx->old = t;
}

/* Under the session's lock: the tokens again (another process may have
 * refreshed them meanwhile), and a refresh if still due. */
static ac_error *refresh_locked(refresh_ctx *cx, int margin, int *refreshed)
{
    ac_token_set *now_t;
    ac_error *e;

    *refreshed = 0;
    if ((e = ac_tokens_load(cx->r, cx->st->session_id, &now_t)) != NULL) {
        return e;
    }
    if (now_t == NULL || !ac_token_refresh_due(now_t, apr_time_now(), margin)) {
        if (now_t) {
            cx->fresh = *now_t;
        }
        /* nothing to refresh with: stop the session record's hint, so
         * later requests take no lock for it */
        if (now_t == NULL || !now_t->refresh_token[0] || now_t->refresh_dead) {
            cx->st->session->access_expires = 0;
            ac_session_store(cx->r, cx->st->session_id, cx->st->session);
        }
        return NULL;
    }
    cx->old = now_t;
    if ((e = new_tokens(cx)) != NULL) {
        remember_failure(cx, e);
        return e;
    }
    *refreshed = 1;
    return save(cx);
}

static void audit(refresh_ctx *cx, const ac_error *e)
{
    request_rec *r = cx->r;

    if (e == NULL) {
        ac_audit(r, ACLOGNO(01051),
                 "refresh", "ok", r->user, cx->pv->name, cx->fresh.expires
                 ? apr_psprintf(r->pool, "new access token valid %" APR_TIME_T_FMT " s",
                                apr_time_sec(cx->fresh.expires - apr_time_now()))
                 : "new access token, no expiry given");
        return;
    }
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, ACLOGNO(01052)
                  "%s: refresh: user %s, "
                  "provider %s: failed: %s [%s]", AC_LOG_TAG, r->user,
                  cx->pv->name, e->message, e->code);
    ac_audit(r, ACLOGNO(01053),
             "refresh", "failed", r->user, cx->pv->name, e->code);
}

/* What the location's policy makes of a failed refresh. */
static ac_refresh_outcome on_failure(refresh_ctx *cx, const ac_error *e)
{
    ac_refresh_failure policy = ac_dir_refresh_failure(ac_dconf(cx->r));
    int dead = cx->old->refresh_dead;

    if (policy == AC_REFRESH_FAIL_LOGOUT || (policy == AC_REFRESH_FAIL_AUTO && dead)) {
        ac_session_destroy(cx->r, cx->st->session_id);
        return AC_REFRESH_SESSION_ENDED;
    }
    if (policy == AC_REFRESH_FAIL_ERROR) {
        return AC_REFRESH_ERROR;
    }
    (void)e;
    cx->fresh = *cx->old;       /* pass: the stale token */
    return AC_REFRESH_OK;
}

static int refresh_due_hint(const ac_session_record *s, int margin)
{
    return s->access_expires != 0
        && s->access_expires - apr_time_from_sec(margin) <= apr_time_now();
}

ac_refresh_outcome ac_refresh_for_request(request_rec *r, ac_error **err)
{
    ac_request_state *st = ac_request_state_get(r);
    const ac_dir_conf *d = ac_dconf(r);
    int margin = ac_dir_refresh_margin(d);
    refresh_ctx cx;
    apr_global_mutex_t *lock;
    int refreshed = 0;
    ac_error *e;

    *err = NULL;
    /* the hot path: nothing read unless the request uses the tokens or a
     * refresh is due by the session record's hint */
    if (ac_dir_refresh(d) == AC_REFRESH_OFF || !refresh_due_hint(st->session, margin)) {
        if (!ac_dir_uses_tokens(d)) {
            return AC_REFRESH_OK;
        }
        if ((*err = ac_tokens_load(r, st->session_id, &cx.old)) == NULL && cx.old) {
            ac_tokens_export(r, d, cx.old);
        }
        return *err ? AC_REFRESH_ERROR : AC_REFRESH_OK;
    }
    if (!ac_dir_uses_tokens(d) && ac_dir_refresh(d) != AC_REFRESH_ON) {
        return AC_REFRESH_OK;       /* auto: nobody here uses the tokens */
    }
    memset(&cx, 0, sizeof(cx));
    cx.r = r;
    cx.st = st;
    cx.pv = ac_conf_find_provider(ac_sconf(r->server), st->session->provider);
    lock = lock_for(st->session_id);
    if (cx.pv == NULL || lock == NULL) {
        return AC_REFRESH_OK;
    }
    apr_global_mutex_lock(lock);
    e = refresh_locked(&cx, margin, &refreshed);
    apr_global_mutex_unlock(lock);
    if (e != NULL) {
        ac_refresh_outcome outcome;

        audit(&cx, e);
        ac_metrics_count(cx.pv, AC_M_REFRESH_FAILED);
        if ((outcome = on_failure(&cx, e)) != AC_REFRESH_OK) {
            *err = e;
            return outcome;
        }
    }
    else if (refreshed) {
        audit(&cx, NULL);
        ac_metrics_count(cx.pv, AC_M_REFRESH);
        ac_tokens_announce(r, cx.pv->name, r->user, &cx.fresh, cx.old);
    }
    if (cx.fresh.access_token != NULL) {
        ac_tokens_export(r, d, &cx.fresh);
    }
    return AC_REFRESH_OK;
}
