/*
 * session.c - the hot path: session cookie -> one cache read -> decrypt ->
 * export.  Also session creation at login and removal at logout, and the
 * cookie helpers every flow uses.
 */
#include "auth_client.h"
#include "cookie.h"
#include "session_record.h"

/* ---- request state (shared with authz and subrequests) --------------------- */

ac_request_state *ac_request_state_get(request_rec *r)
{
    ac_request_state *st = ap_get_module_config(r->request_config, &auth_client_module);

    if (st == NULL) {
        st = apr_pcalloc(r->pool, sizeof(*st));
        ap_set_module_config(r->request_config, &auth_client_module, st);
    }
    return st;
}

/* ---- cookies ----------------------------------------------------------------- */

/* The base64url alphabet (RFC 4648, section 5) the ids are written in,
 * as a table: apr_isalnum is a locale lookup per byte. */
#define B64URL_10 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
#define B64URL_26 B64URL_10, B64URL_10, 1, 1, 1, 1, 1, 1
static const unsigned char id_alphabet[256] = {
    ['-'] = 1, ['0'] = B64URL_10, ['A'] = B64URL_26, ['_'] = 1, ['a'] = B64URL_26
};

static int id_chars_ok(const char *s, apr_size_t len)
{
    apr_size_t i;

    for (i = 0; i < len; i++) {
        if (!id_alphabet[(unsigned char)s[i]]) {
            return 0;
        }
    }
    return 1;
}

int ac_cookie_ids(request_rec *r, const char *name, const char **ids)
{
    const apr_array_header_t *h = apr_table_elts(r->headers_in);
    const apr_table_entry_t *e = (const apr_table_entry_t *)h->elts;
    ac_cookie_values found;
    int i, n = 0;

    /* every Cookie header, read in place: a loop over the entries costs
     * less than apr_table_do's on every authenticated request */
    found.count = 0;
    for (i = 0; i < h->nelts && found.count < AC_COOKIE_MAX_VALUES; i++) {
        if (e[i].key != NULL && (e[i].key[0] == 'C' || e[i].key[0] == 'c')
            && strcasecmp(e[i].key, "Cookie") == 0) {
            ac_cookie_scan(e[i].val, name, &found);
        }
    }
    for (i = 0; i < found.count; i++) {
        if (found.len[i] == AC_RANDOM_ID_LEN
            && id_chars_ok(found.value[i], AC_RANDOM_ID_LEN)) {
            ids[n++] = apr_pstrmemdup(r->pool, found.value[i], AC_RANDOM_ID_LEN);
        }
    }
    return n;
}

const char *ac_cookie_name(request_rec *r, const char *base)
{
    ac_server_conf *c = ac_sconf(r->server);

    /* a __Host- cookie can be set only over https, with Path=/ and without
     * Domain: no sibling subdomain and no plain-http page can plant one */
    if (c->cookie_domain == NULL && ac_request_is_https(r)
        && strcmp(ac_conf_cookie_path(c), "/") == 0) {
        return apr_pstrcat(r->pool, "__Host-", base, NULL);
    }
    return base;
}

void ac_cookie_set(request_rec *r, const char *name, const char *value,
                   int max_age)
{
    ac_server_conf *c = ac_sconf(r->server);
    const char *cookie = apr_psprintf(r->pool, "%s=%s; Path=%s; Max-Age=%d; "
                                      "HttpOnly; SameSite=Lax%s%s%s",
                                      name, value, ac_conf_cookie_path(c), max_age,
                                      c->cookie_domain ? "; Domain=" : "",
                                      c->cookie_domain ? c->cookie_domain : "",
                                      ac_request_is_https(r) ? "; Secure" : "");

    apr_table_addn(r->err_headers_out, "Set-Cookie", cookie);
}

/* Sec-Fetch-Site when the browser sends it, else Origin when it sends
 * that; neither (a client that is not a browser) passes, and SameSite=Lax
 * keeps the session cookie off cross-site requests of older browsers. */
int ac_request_same_origin(request_rec *r, int typed_ok)
{
    const char *site = apr_table_get(r->headers_in, "Sec-Fetch-Site");
    const char *origin = apr_table_get(r->headers_in, "Origin");

    if (site != NULL && strcmp(site, "same-origin") != 0
        && !(typed_ok && strcmp(site, "none") == 0)) {
        return 0;
    }
    return origin == NULL || strcmp(origin, ac_self_origin(r)) == 0;
}

int ac_random_id_shape_ok(const char *id)
{
    return id != NULL && strlen(id) == AC_RANDOM_ID_LEN
        && id_chars_ok(id, AC_RANDOM_ID_LEN);
}

/* ---- load ----------------------------------------------------------------------- */

/* Touch the record at most every tenth of the inactivity timeout, so the hot
 * path writes to the cache rarely. */
static int needs_touch(const ac_server_conf *c, const ac_session_record *s,
                       apr_time_t now)
{
    apr_time_t interval = apr_time_from_sec(ac_conf_session_inactivity(c)) / 10;

    return now - s->last_seen > interval;
}

static apr_time_t record_expiry(const ac_server_conf *c, const ac_session_record *s)
{
    apr_time_t idle_end = s->last_seen + apr_time_from_sec(ac_conf_session_inactivity(c));

    return idle_end < s->expires ? idle_end : s->expires;
}

apr_time_t ac_session_expiry(request_rec *r, const ac_session_record *s)
{
    return record_expiry(ac_sconf(r->server), s);
}

ac_error *ac_session_store(request_rec *r, const char *id,
                           const ac_session_record *s)
{
    char *buf, *claims;
    apr_size_t len, claims_len;
    ac_error *e = ac_session_record_encode_split(r->pool, s, AC_CLAIMS_INLINE_MAX,
                                                 &buf, &len, &claims, &claims_len);

    if (e) {
        return e;
    }
    /* a logout from the provider ended it meanwhile: do not bring it back */
    if (ac_session_index_ended(r, id)) {
        return NULL;
    }
    ac_session_local_drop(id);
    /* the claims first: a record must not name claims that are not there */
    if (claims != NULL
        && (e = ac_session_claims_store(r, id, claims, claims_len, s->expires)) != NULL) {
        return e;
    }
    return ac_cache_put(r, AC_CACHE_SESSION, id, buf, len,
                        record_expiry(ac_sconf(r->server), s));
}

/* A record is valid only where it was made: a provider of this vhost with
 * the same configuration fingerprint, in this vhost's session scope. */
static int belongs_here(request_rec *r, const ac_session_record *s)
{
    ac_server_conf *c = ac_sconf(r->server);
    const ac_provider *pv = ac_conf_find_provider(c, s->provider);

    return pv != NULL && strcmp(s->fingerprint, pv->fingerprint) == 0
        && strcmp(s->scope, ac_conf_session_scope(c, r->server->server_hostname)) == 0;
}

static void log_ignored(request_rec *r, const ac_error *e)
{
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, ACLOGNO(01057)
                  "%s: ignoring a session record that does not decode: "
                  "%s [%s]", AC_LOG_TAG, e->message, e->code);
}

/* The decoded record of session `id` in *out when it is valid here, with
 * its claims; else *out NULL.  Errors are cache failures only. */
static ac_error *valid_here(request_rec *r, const char *id, char *buf,
                            apr_size_t len, ac_session_record **out)
{
    ac_session_record *s = apr_palloc(r->pool, sizeof(*s));
    ac_error *e;

    *out = NULL;
    if ((e = ac_session_record_decode(r->pool, buf, len, s)) != NULL) {
        log_ignored(r, e);
        return NULL;
    }
    if (!belongs_here(r, s)) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, ACLOGNO(01058)
                      "%s: ignoring a session "
                      "made in another session scope or by another provider "
                      "configuration (provider %s)", AC_LOG_TAG,
                      ac_log_quote(r->pool, s->provider));
        return NULL;
    }
    if ((e = ac_session_claims_attach(r, id, s)) != NULL) {
        if (e->id != AC_E_SESSION_RECORD) {
            return e;
        }
        log_ignored(r, e);
        return NULL;
    }
    *out = s;
    return NULL;
}

/* From the shared cache: the record of one candidate id when it is valid
 * here, else *out NULL; kept in this process under `stamp` when it need
 * not be touched. */
static ac_error *load_shared(request_rec *r, const char *id, apr_uint32_t stamp,
                             apr_time_t now, ac_session_record **out)
{
    ac_server_conf *c = ac_sconf(r->server);
    ac_session_record *s;
    char *buf;
    apr_size_t len;
    ac_error *e;

    if ((e = ac_cache_get(r, AC_CACHE_SESSION, id, &buf, &len)) != NULL
        || buf == NULL) {
        return e;
    }
    /* the decoded record points into buf, which it only reads */
    if ((e = valid_here(r, id, buf, len, &s)) != NULL || s == NULL) {
        return e;
    }
    if (now >= record_expiry(c, s)) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, ACLOGNO(01059)
                      "%s: the session of %s "
                      "(provider %s) has expired (AuthClientSessionMaxDuration or "
                      "AuthClientSessionInactivityTimeout); it is removed",
                      AC_LOG_TAG, ac_log_quote(r->pool, s->remote_user), s->provider);
        ac_session_remove(r, id);
        return NULL;
    }
    if (needs_touch(c, s, now)) {
        s->last_seen = now;
        if ((e = ac_session_store(r, id, s)) != NULL) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, ACLOGNO(01060)
                          "%s: %s [%s]", AC_LOG_TAG,
                          e->message, e->code);
        }
    }
    else {
        ac_session_local_put(r, id, stamp, buf, len, record_expiry(c, s));
    }
    *out = s;
    return NULL;
}

/* The record of one candidate id when it is valid here, else *out NULL:
 * this process's recent copy while it needs no touch, else the shared
 * cache's. */
static ac_error *load_one(request_rec *r, const char *id, apr_time_t now,
                          ac_session_record **out)
{
    apr_uint32_t stamp;
    apr_size_t len;
    char *buf = ac_session_local_get(r, id, &len, &stamp);

    if (buf != NULL) {
        ac_server_conf *c = ac_sconf(r->server);
        ac_session_record *s;
        ac_error *e = valid_here(r, id, buf, len, &s);

        if (e != NULL) {
            return e;
        }
        /* the copy lives no longer than the record; touching it is the
         * shared cache's business */
        if (s != NULL && now < record_expiry(c, s) && !needs_touch(c, s, now)) {
            *out = s;
            return NULL;
        }
        ac_session_local_drop(id);
    }
    return load_shared(r, id, stamp, now, out);
}

ac_error *ac_session_load(request_rec *r, ac_session_record **out, const char **id)
{
    const char *ids[AC_COOKIE_MAX_VALUES];
    int n = ac_cookie_ids(r, ac_session_cookie_name(r), ids);
    apr_time_t now = apr_time_now();
    int i;

    *out = NULL;
    *id = NULL;
    /* every candidate, not only the first: a planted cookie must not shadow
     * the real one */
    for (i = 0; i < n; i++) {
        ac_error *e = load_one(r, ids[i], now, out);

        if (e != NULL || *out != NULL) {
            *id = ids[i];
            return e;
        }
    }
    if (n > 0) {
        ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, ACLOGNO(01061)
                      "%s: %d session cookie(s) "
                      "sent, none names a valid session here", AC_LOG_TAG, n);
    }
    return NULL;
}

/* ---- create / destroy --------------------------------------------------------- */

ac_error *ac_session_create(request_rec *r, ac_session_record *s,
                            const ac_token_set *t)
{
    ac_server_conf *c = ac_sconf(r->server);
    apr_time_t now = apr_time_now();
    const char *id;
    ac_error *e;

    /* always a new id: an id planted before login must not become a session */
    if ((e = ac_random_token(r->pool, AC_RANDOM_ID_BYTES, &id)) != NULL) {
        return e;
    }
    s->scope = ac_conf_session_scope(c, r->server->server_hostname);
    s->export_prefix = ac_dir_claim_prefix(ac_dconf(r));
    s->created = now;
    s->last_seen = now;
    s->expires = now + apr_time_from_sec(ac_conf_session_max(c));
    s->access_expires = t->expires;
    /* the tokens first: a session without them would look tokenless */
    if ((e = ac_tokens_store(r, id, t, s->expires)) != NULL
        || (e = ac_session_store(r, id, s)) != NULL) {
        return e;
    }
    ac_session_index_add(r, id, s, t);
    ac_cookie_set(r, ac_session_cookie_name(r), id, ac_conf_session_max(c));
    return NULL;
}

ac_error *ac_session_remove(request_rec *r, const char *id)
{
    ac_error *e;

    if ((e = ac_cache_remove(r, AC_CACHE_SESSION, id)) != NULL) {
        return e;
    }
    /* after the remove: a process that reads the record from now on finds
     * none, and a copy read before is under the old stamp */
    ac_session_local_forget(id);
    if ((e = ac_tokens_remove(r, id)) != NULL) {
        return e;
    }
    return ac_session_claims_remove(r, id);
}

ac_error *ac_session_destroy(request_rec *r, const char *id)
{
    ac_cookie_set(r, ac_session_cookie_name(r), "", 0);
    return id ? ac_session_remove(r, id) : NULL;
}

const char *ac_session_cookie_name(request_rec *r)
{
    return ac_cookie_name(r, ac_conf_cookie_name(ac_sconf(r->server)));
}

/* ---- export ------------------------------------------------------------------ */


/* the byte as the application will see it in its environment: CGI turns
 * "-" into "_", and names compare without case (ASCII only, as headers) */
static char env_fold(char c)
{
    if (c == '-') {
        return '_';
    }
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int spoofable(const char *header, const char *prefix)
{
    apr_size_t i;

    for (i = 0; prefix[i]; i++) {
        if (header[i] == '\0' || env_fold(header[i]) != env_fold(prefix[i])) {
            return 0;
        }
    }
    return 1;
}

/* What a client header must not pose as: the claim prefix, and the token
 * variables.  spoofable() compares a prefix, so the token's name already
 * covers the secret's, type's and expiry's; naming them keeps that true if
 * one is renamed. */
static const char *const token_names[] = {
    AC_ACCESS_TOKEN_VAR, AC_TOKEN_SECRET_VAR, AC_TOKEN_TYPE_VAR,
    AC_TOKEN_EXPIRES_VAR, AC_REFRESH_TOKEN_VAR
};

static int spoofs_any(const char *key, const char *prefix)
{
    char first = env_fold(key[0]);
    apr_size_t i;

    /* most headers differ from every name at their first character */
    if (first == env_fold(prefix[0]) && spoofable(key, prefix)) {
        return 1;
    }
    if (*prefix == '\0') {
        return 1;                   /* no prefix: every name is a claim's */
    }
    for (i = 0; i < sizeof(token_names) / sizeof(token_names[0]); i++) {
        if (first == env_fold(token_names[i][0]) && spoofable(key, token_names[i])) {
            return 1;
        }
    }
    return 0;
}

void ac_strip_spoofed_headers(request_rec *r, const ac_dir_conf *d)
{
    const char *prefix = ac_dir_claim_prefix(d);
    const apr_array_header_t *h = apr_table_elts(r->headers_in);
    const apr_table_entry_t *e = (const apr_table_entry_t *)h->elts;
    apr_array_header_t *doomed = NULL;
    int i;

    /* a loop over the entries, not apr_table_do: this runs on every
     * request to a protected location; the unsets come after it, as
     * unsetting moves the entries */
    for (i = 0; i < h->nelts; i++) {
        if (e[i].key != NULL && spoofs_any(e[i].key, prefix)) {
            if (doomed == NULL) {
                doomed = apr_array_make(r->pool, 2, sizeof(const char *));
            }
            APR_ARRAY_PUSH(doomed, const char *) = e[i].key;
        }
    }
    for (i = 0; doomed != NULL && i < doomed->nelts; i++) {
        apr_table_unset(r->headers_in, APR_ARRAY_IDX(doomed, i, const char *));
    }
}

/* The stored name under another prefix: a location whose
 * AuthClientClaimPrefix differs from the one in effect at login. */
static const char *reprefixed(apr_pool_t *p, const char *prefix, apr_size_t plen,
                              const char *name, apr_size_t stored_plen)
{
    apr_size_t nlen = strlen(name + stored_plen);
    char *out = apr_palloc(p, plen + nlen + 1);

    memcpy(out, prefix, plen);
    memcpy(out + plen, name + stored_plen, nlen + 1);
    return out;
}

void ac_session_export(request_rec *r, const ac_dir_conf *d,
                       ac_session_record *s)
{
    const char *prefix = ac_dir_claim_prefix(d);
    const char *stored_prefix = s->export_prefix ? s->export_prefix : "";
    /* the names were prefixed at login; only another prefix costs a copy */
    int as_stored = strcmp(prefix, stored_prefix) == 0;
    apr_size_t plen = strlen(prefix), stored_plen = strlen(stored_prefix);
    int headers = ac_dir_claim_headers(d);
    /* a main request's environment holds none of these names yet (the
     * spoofed headers are gone too), so adding skips the table scan a
     * set does; a subrequest starts from a copy of its parent's */
    void (*put)(apr_table_t *, const char *, const char *) =
        r->main ? apr_table_setn : apr_table_addn;
    const ac_export_item *x;
    int i, n;

    r->user = (char *)s->remote_user;
    r->ap_auth_type = (char *)AC_AUTH_TYPE;
    x = ac_session_record_exports(r->pool, s, &n);
    for (i = 0; i < n; i++) {
        const char *name = as_stored ? x[i].name
            : reprefixed(r->pool, prefix, plen, x[i].name, stored_plen);

        put(r->subprocess_env, name, x[i].value);
        if (headers) {
            put(r->headers_in, name, x[i].value);
        }
    }
}
