/*
 * session_claims.c - a large claim section kept apart from its session
 * record (session_record.h), so that the record opened on every request
 * stays small.
 *
 * The section is a cache entry of its own under the session's id, stored
 * at login with the session's hard expiry and removed with the session.
 * The record, sealed, names the section's SHA-256.  Each process keeps
 * the sections it read, decoded, in a memo keyed by that digest
 * (claims_memo.h): a busy user costs one small record per request, not a
 * forty-kilobyte one.  A section read from the cache counts only when its
 * digest is the record's, so an entry of another session, or an old one,
 * is never taken for this session's claims.
 */
#include "auth_client.h"
#include "claims_memo.h"
#include "module_state.h"

/* per process: about 180 users of a thousand 40-byte groups */
#define AC_CLAIMS_MEMO_ENTRIES 256
#define AC_CLAIMS_MEMO_BYTES (8 * 1024 * 1024)

void ac_session_claims_child_init(apr_pool_t *pchild, server_rec *s)
{
    ac_error *e;

    ac_state.claims_memo = NULL;
    if ((e = ac_claims_memo_create(pchild, AC_CLAIMS_MEMO_ENTRIES,
                                   AC_CLAIMS_MEMO_BYTES,
                                   &ac_state.claims_memo)) != NULL) {
        /* without it large claim sets are read from the cache each time */
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s,
                     ACLOGNO(01084)
                     "%s: %s [%s]", AC_LOG_TAG, e->message, e->code);
        ac_state.claims_memo = NULL;
    }
}

ac_error *ac_session_claims_store(request_rec *r, const char *id,
                                  const char *section, apr_size_t len,
                                  apr_time_t expiry)
{
    return ac_cache_put(r, AC_CACHE_CLAIMS, id, section, len, expiry);
}

ac_error *ac_session_claims_remove(request_rec *r, const char *id)
{
    return ac_cache_remove(r, AC_CACHE_CLAIMS, id);
}

/* From the cache: the section, checked against the digest, kept in the
 * memo (or, when the memo does not keep it, opened in r->pool). */
static ac_error *claims_read(request_rec *r, const char *id, const char *digest,
                             const ac_claim_section **out)
{
    ac_claim_section *own;
    char *buf;
    apr_size_t len;
    ac_error *e;

    *out = NULL;
    if ((e = ac_cache_get(r, AC_CACHE_CLAIMS, id, &buf, &len)) != NULL) {
        return e;
    }
    if (buf == NULL) {
        return ac_error_make(r->pool, AC_E_SESSION_RECORD, "the session's "
                             "claims are no longer in the cache");
    }
    if (ac_state.claims_memo != NULL
        && (*out = ac_claims_memo_put(ac_state.claims_memo, digest, buf, len,
                                      r->pool)) != NULL) {
        return NULL;
    }
    own = apr_palloc(r->pool, sizeof(*own));
    if ((e = ac_session_record_open_claims(r->pool, digest, buf, len, own)) != NULL) {
        return e;
    }
    *out = own;
    return NULL;
}

ac_error *ac_session_claims_attach(request_rec *r, const char *id,
                                   ac_session_record *s)
{
    const ac_claim_section *section = NULL;
    ac_error *e;

    if (s->claims_digest == NULL) {
        return NULL;
    }
    if (ac_state.claims_memo != NULL) {
        section = ac_claims_memo_get(ac_state.claims_memo, s->claims_digest,
                                     r->pool);
    }
    if (section == NULL
        && (e = claims_read(r, id, s->claims_digest, &section)) != NULL) {
        return e;
    }
    ac_session_record_use_claims(s, section);
    return NULL;
}
