/*
 * tokens.c - a session's tokens: their own cache record beside the session
 * (token_record.h), read only by requests that use them; their export to
 * the application; and the token_update hook other modules subscribe to
 * (mod_auth_client.h).
 */
#include "auth_client.h"
#include "mod_auth_client.h"
#include "token_record.h"

APR_IMPLEMENT_OPTIONAL_HOOK_RUN_ALL(auth_client, AUTH_CLIENT, int, token_update,
                                    (request_rec *r, const char *provider,
                                     const char *user,
                                     const auth_client_tokens *tokens,
                                     const auth_client_tokens *replaced),
                                    (r, provider, user, tokens, replaced),
                                    OK, DECLINED)

ac_error *ac_tokens_load(request_rec *r, const char *session_id,
                         ac_token_set **out)
{
    char *buf;
    apr_size_t len;
    ac_token_set *t;
    ac_error *e = ac_cache_get(r, AC_CACHE_TOKENS, session_id, &buf, &len);

    *out = NULL;
    if (e != NULL || buf == NULL) {
        return e;
    }
    t = apr_palloc(r->pool, sizeof(*t));
    if ((e = ac_token_record_decode(r->pool, buf, len, t)) != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, ACLOGNO(01066)
                      "%s: ignoring a token "
                      "record that does not decode: %s [%s]", AC_LOG_TAG,
                      e->message, e->code);
        return NULL;
    }
    *out = t;
    return NULL;
}

/*
 * The stored id_token serves only as the id_token_hint of a logout at the
 * provider, a URL parameter.  One longer than a request line can carry
 * (httpd's LimitRequestLine is 8190 bytes, and browsers and proxies are
 * alike) would be useless there, and the large claim set that makes it so
 * (a thousand groups) could not be stored: the logout names the client
 * (client_id) instead.
 */
#define ID_TOKEN_HINT_MAX 6144

static const ac_token_set *as_stored(request_rec *r, const ac_token_set *t)
{
    ac_token_set *kept;
    apr_size_t len = strlen(t->id_token);

    if (len <= ID_TOKEN_HINT_MAX) {
        return t;
    }
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, ACLOGNO(01076)
                  "%s: the id_token (%"
                  APR_SIZE_T_FMT " bytes) is too long to be a logout's "
                  "id_token_hint and is not kept", AC_LOG_TAG, len);
    kept = apr_pmemdup(r->pool, t, sizeof(*t));
    kept->id_token = "";
    return kept;
}

ac_error *ac_tokens_store(request_rec *r, const char *session_id,
                          const ac_token_set *t, apr_time_t until)
{
    char *buf;
    apr_size_t len;
    ac_error *e = ac_token_record_encode(r->pool, as_stored(r, t), &buf, &len);

    return e ? e : ac_cache_put(r, AC_CACHE_TOKENS, session_id, buf, len, until);
}

ac_error *ac_tokens_remove(request_rec *r, const char *session_id)
{
    return ac_cache_remove(r, AC_CACHE_TOKENS, session_id);
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

void ac_tokens_from_response(apr_pool_t *p, const ac_token_response *resp,
                             const char *token_secret, const ac_token_set *old,
                             ac_token_set *t)
{
    memset(t, 0, sizeof(*t));
    t->access_token = or_empty(resp->access_token);
    t->token_type = token_secret ? "" : or_empty(resp->token_type);
    t->expires = resp->expires_in > 0
               ? apr_time_now() + apr_time_from_sec(resp->expires_in) : 0;
    t->token_secret = or_empty(token_secret);
    /* RFC 6749 6: a provider that does not rotate sends no new refresh
     * token, and the old one stays good; nor need a refresh repeat the
     * id_token */
    t->refresh_token = resp->refresh_token ? resp->refresh_token
                     : old ? old->refresh_token : "";
    t->id_token = resp->id_token ? resp->id_token : old ? old->id_token : "";
    (void)p;
}

static void export_one(request_rec *r, int headers, const char *name,
                       const char *value)
{
    apr_table_setn(r->subprocess_env, name, value);
    if (headers) {
        apr_table_setn(r->headers_in, name, value);
    }
}

void ac_tokens_export(request_rec *r, const ac_dir_conf *d, const ac_token_set *t)
{
    int headers = ac_dir_claim_headers(d);

    if (ac_dir_pass_access_token(d) && t->access_token[0]) {
        export_one(r, headers, AC_ACCESS_TOKEN_VAR, t->access_token);
        if (t->token_secret[0]) {
            export_one(r, headers, AC_TOKEN_SECRET_VAR, t->token_secret);
        }
        if (t->token_type[0]) {
            export_one(r, headers, AC_TOKEN_TYPE_VAR, t->token_type);
        }
        if (t->expires) {
            export_one(r, headers, AC_TOKEN_EXPIRES_VAR,
                       apr_psprintf(r->pool, "%" APR_TIME_T_FMT,
                                    apr_time_sec(t->expires)));
        }
    }
    if (ac_dir_pass_refresh_token(d) && t->refresh_token[0]) {
        export_one(r, headers, AC_REFRESH_TOKEN_VAR, t->refresh_token);
    }
}

static auth_client_tokens *public_form(apr_pool_t *p, const ac_token_set *t)
{
    auth_client_tokens *pub;

    if (t == NULL) {
        return NULL;
    }
    pub = apr_palloc(p, sizeof(*pub));
    pub->access_token = t->access_token;
    pub->token_type = t->token_type;
    pub->expires = t->expires;
    pub->refresh_token = t->refresh_token;
    pub->id_token = t->id_token;
    pub->token_secret = t->token_secret;
    return pub;
}

void ac_tokens_announce(request_rec *r, const char *provider, const char *user,
                        const ac_token_set *tokens, const ac_token_set *replaced)
{
    auth_client_run_token_update(r, provider, user, public_form(r->pool, tokens),
                                 public_form(r->pool, replaced));
}
