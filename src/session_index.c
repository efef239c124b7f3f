/*
 * session_index.c - which sessions a provider's logout ends.
 *
 * A logout from the provider (back-channel or front-channel) names a
 * provider session (sid) or a user (sub), never one of our session ids.
 * So at login every OpenID Connect session is listed in the cache under
 * both, per session scope and provider configuration (index_record.h):
 *
 *   logout-sid  "<scope>\n<provider fingerprint>\n<sid>"  -> session ids
 *   logout-sub  "<scope>\n<provider fingerprint>\n<sub>"  -> session ids
 *
 * and a logout received by any node that shares memcached or redis finds
 * the sessions made on every node.  Each listed session is read back and
 * ended only when its own record agrees (scope, provider, sub, sid): the
 * index says where to look, never whom to log out.
 *
 * The cache has no atomic update.  An entry is written, read back and
 * written again when a concurrent login replaced it meanwhile (a few
 * tries); a session that still goes missing ends at its own timeout.  A
 * request that was already past its session read when the logout ended
 * the session must not write it back (the lazy touch, a refresh): an
 * "ended" mark, read only on those writes, says so.
 */
#include "index_record.h"
#include "jose.h"
#include "login.h"

#define AC_CACHE_LOGOUT_SID "logout-sid"
#define AC_CACHE_LOGOUT_SUB "logout-sub"
#define AC_CACHE_ENDED "ended"
#define AC_INDEX_TRIES 3
/* longer ones are not indexed (nor accepted in a logout token) */
#define AC_INDEX_MAX_VALUE 255

static const char *index_key(request_rec *r, const char *fingerprint,
                             const char *value)
{
    return apr_pstrcat(r->pool,
                       ac_conf_session_scope(ac_sconf(r->server),
                                             r->server->server_hostname),
                       "\n", fingerprint, "\n", value, NULL);
}

static ac_error *index_read(request_rec *r, const char *type, const char *key,
                            apr_array_header_t **list)
{
    char *buf;
    apr_size_t len;
    ac_error *e = ac_cache_get(r, type, key, &buf, &len);

    *list = NULL;
    if (e != NULL || buf == NULL) {
        return e;
    }
    if ((e = ac_index_record_decode(r->pool, buf, len, list)) != NULL) {
        /* written by another version, or damaged: start it again */
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, ACLOGNO(01062)
                      "%s: %s [%s]",
                      AC_LOG_TAG, e->message, e->code);
        *list = NULL;
    }
    return NULL;
}

static ac_error *index_write(request_rec *r, const char *type, const char *key,
                             const apr_array_header_t *list)
{
    char *buf;
    apr_size_t len;
    ac_error *e;

    if (list->nelts == 0) {
        return ac_cache_remove(r, type, key);
    }
    if ((e = ac_index_record_encode(r->pool, list, &buf, &len)) != NULL) {
        return e;
    }
    return ac_cache_put(r, type, key, buf, len, ac_index_record_until(list));
}

/* Add session `id` to one entry, and check that it stayed there. */
static ac_error *index_add(request_rec *r, const char *type, const char *key,
                           const char *id, apr_time_t expires)
{
    apr_array_header_t *list, *added;
    ac_error *e;
    int i;

    for (i = 0; i < AC_INDEX_TRIES; i++) {
        if ((e = index_read(r, type, key, &list)) != NULL) {
            return e;
        }
        if (i > 0 && ac_index_record_has(list, id)) {
            return NULL;
        }
        if (ac_index_record_add(r->pool, list, id, expires, apr_time_now(),
                                &added)) {
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, ACLOGNO(01063)
                          "%s: more than %d "
                          "sessions under one %s: the oldest is no longer "
                          "ended by a logout from the provider", AC_LOG_TAG,
                          AC_INDEX_MAX_SESSIONS, type + strlen("logout-"));
        }
        if ((e = index_write(r, type, key, added)) != NULL) {
            return e;
        }
        if ((e = index_read(r, type, key, &list)) != NULL
            || ac_index_record_has(list, id)) {
            return e;
        }
    }
    return ac_error_make(r->pool, AC_E_CACHE_UNAVAILABLE, "the %s index kept "
                         "being replaced by concurrent logins", type);
}

static const char *session_claim(request_rec *r, const ac_session_record *s,
                                 const char *name)
{
    const ac_claim *c = ac_session_record_claim(r->pool, s, name);

    return c && c->nvalues == 1 ? c->values[0] : NULL;
}

/* A value fit to be an index key part. */
static int indexable(const char *v)
{
    return v != NULL && *v != '\0' && strlen(v) <= AC_INDEX_MAX_VALUE;
}

void ac_session_index_add(request_rec *r, const char *id,
                          const ac_session_record *s, const ac_token_set *t)
{
    const ac_provider *pv = ac_conf_find_provider(ac_sconf(r->server), s->provider);
    const char *sub = session_claim(r, s, "sub");
    const char *sid = NULL;
    ac_error *e = NULL;

    if (pv == NULL || ac_provider_kind(pv) != AC_KIND_OIDC) {
        return;
    }
    /* the sid of the ID token this login has just validated (not a claim
     * userinfo could have added) */
    if (t != NULL && t->id_token != NULL && *t->id_token != '\0') {
        sid = ac_jwt_peek_string(r->pool, t->id_token, "sid");
    }
    if (indexable(sid)) {
        e = index_add(r, AC_CACHE_LOGOUT_SID, index_key(r, pv->fingerprint, sid),
                      id, s->expires);
    }
    if (e == NULL && indexable(sub)) {
        e = index_add(r, AC_CACHE_LOGOUT_SUB, index_key(r, pv->fingerprint, sub),
                      id, s->expires);
    }
    if (e != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, ACLOGNO(01064)
                      "%s: user %s, provider "
                      "%s: the session is not in the single-logout index, so a "
                      "logout at the provider will not end it: %s [%s]",
                      AC_LOG_TAG, s->remote_user, pv->name, e->message, e->code);
    }
}

/* ---- ending ------------------------------------------------------------------ */

/* Could `pv` have issuer `iss`?  Saves the discovery of every unrelated
 * provider: an explicit Issuer is what discovery must name, and a derived
 * one differs at most by a trailing '/' (oidc.c). */
static int may_have_issuer(apr_pool_t *p, const ac_provider *pv, const char *iss)
{
    const char *x;

    if (pv->issuer != NULL) {
        return strcmp(pv->issuer, iss) == 0;
    }
    x = pv->server_metadata_url ? ac_oidc_issuer_from_url(p, pv->server_metadata_url)
                                : NULL;
    return x == NULL || strcmp(x, iss) == 0
        || strcmp(apr_pstrcat(p, x, "/", NULL), iss) == 0;
}

int ac_logout_provider_of(request_rec *r, const ac_provider *pv, const char *iss,
                          const ac_oidc_metadata **md)
{
    ac_http_opts h;

    if (ac_provider_kind(pv) != AC_KIND_OIDC || pv->multi_tenant_issuer
        || !may_have_issuer(r->pool, pv, iss)) {
        return 0;
    }
    ac_request_http_opts(r, &h);
    return ac_login_discovery(r, &h, pv, md) == NULL && (*md)->issuer != NULL
        && strcmp((*md)->issuer, iss) == 0;
}

/* Does the record of a listed session agree with the logout? */
static int session_matches(request_rec *r, const ac_provider *pv,
                           const ac_session_record *s, const char *sid,
                           const char *sub)
{
    const char *ssid = session_claim(r, s, "sid");
    const char *ssub = session_claim(r, s, "sub");

    return strcmp(s->scope, ac_conf_session_scope(ac_sconf(r->server),
                                                  r->server->server_hostname)) == 0
        && strcmp(s->fingerprint, pv->fingerprint) == 0
        && (sid == NULL || (ssid != NULL && strcmp(ssid, sid) == 0))
        && (sub == NULL || (ssub != NULL && strcmp(ssub, sub) == 0));
}

/* End one listed session when its record agrees; *ended when it did.
 * *keep when it exists but is someone else's (left in the index). */
static ac_error *end_one(request_rec *r, const ac_provider *pv,
                         const ac_index_session *is, const char *sid,
                         const char *sub, int *ended, int *keep)
{
    ac_session_record s;
    char *buf;
    apr_size_t len;
    ac_error *e;

    *ended = *keep = 0;
    if ((e = ac_cache_get(r, AC_CACHE_SESSION, is->id, &buf, &len)) != NULL
        || buf == NULL) {
        return e;
    }
    if (ac_session_record_decode(r->pool, buf, len, &s) != NULL
        || (e = ac_session_claims_attach(r, is->id, &s)) != NULL) {
        /* a record that cannot be read is no session to end */
        return e != NULL && e->id != AC_E_SESSION_RECORD ? e : NULL;
    }
    if (!session_matches(r, pv, &s, sid, sub)) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, ACLOGNO(01065)
                      "%s: a session listed "
                      "under this logout belongs to another user, session or "
                      "provider; it is left alone", AC_LOG_TAG);
        *keep = 1;
        return NULL;
    }
    /* the mark first: a request that read the session before it went must
     * not store it again */
    if ((e = ac_cache_put(r, AC_CACHE_ENDED, is->id, "1", 1, s.expires)) != NULL
        || (e = ac_session_remove(r, is->id)) != NULL) {
        return e;
    }
    *ended = 1;
    return NULL;
}

ac_error *ac_session_index_end(request_rec *r, const ac_provider *pv,
                               const char *sid, const char *sub,
                               apr_array_header_t *ended_ids, int *count)
{
    const char *type = sid ? AC_CACHE_LOGOUT_SID : AC_CACHE_LOGOUT_SUB;
    const char *key;
    apr_array_header_t *list, *kept;
    ac_error *e;
    int i;

    *count = 0;
    if (!indexable(sid ? sid : sub)) {
        return NULL;            /* never indexed: nothing to end */
    }
    key = index_key(r, pv->fingerprint, sid ? sid : sub);
    if ((e = index_read(r, type, key, &list)) != NULL || list == NULL) {
        return e;
    }
    kept = apr_array_make(r->pool, list->nelts, sizeof(ac_index_session));
    for (i = 0; i < list->nelts; i++) {
        const ac_index_session *is = &APR_ARRAY_IDX(list, i, ac_index_session);
        int ended, keep;

        if ((e = end_one(r, pv, is, sid, sub, &ended, &keep)) != NULL) {
            return e;
        }
        if (ended) {
            (*count)++;
            if (ended_ids != NULL) {
                APR_ARRAY_PUSH(ended_ids, const char *) = is->id;
            }
        }
        if (keep) {
            *(ac_index_session *)apr_array_push(kept) = *is;
        }
    }
    return index_write(r, type, key, kept);
}

int ac_session_index_ended(request_rec *r, const char *id)
{
    char *buf;
    apr_size_t len;

    return ac_cache_get(r, AC_CACHE_ENDED, id, &buf, &len) == NULL && buf != NULL;
}
