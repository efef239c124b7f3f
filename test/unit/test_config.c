/*
 * test_config.c - every configuration field has a default and a merge rule;
 * provider keys are parsed and checked as documented.
 *
 * The merge tests fill a record's bytes with a pattern and merge it with an
 * unset record: a field added to the struct without a merge rule comes out
 * different and fails the comparison, so the rule cannot be forgotten.
 * Padding is cleared first (merges allocate zeroed records), which needs
 * GCC's __builtin_clear_padding.
 */
#include <string.h>
#include <apr_hash.h>
#include "unit.h"
#include "config.h"

#define PATTERN 0x5a

static ac_server_conf *patterned_server(apr_pool_t *p)
{
    ac_server_conf *c = apr_palloc(p, sizeof(*c));

    memset(c, PATTERN, sizeof(*c));
    __builtin_clear_padding(c);
    c->providers = apr_hash_make(p);
    return c;
}

static int server_same_except_providers(const ac_server_conf *a,
                                        const ac_server_conf *b)
{
    ac_server_conf x, y;

    memcpy(&x, a, sizeof(x));
    memcpy(&y, b, sizeof(y));
    x.providers = y.providers = NULL;
    return memcmp(&x, &y, sizeof(x)) == 0;
}

START_TEST(server_unset_falls_through_to_base)
{
    ac_server_conf *base = patterned_server(unit_pool);
    ac_server_conf *add = ac_server_conf_create(unit_pool);
    ac_server_conf *m = ac_server_conf_merge(unit_pool, base, add);

    ck_assert_msg(server_same_except_providers(m, base),
                  "a server field has no merge rule (unset vhost value must inherit)");
}
END_TEST

START_TEST(server_set_overrides_base)
{
    ac_server_conf *base = ac_server_conf_create(unit_pool);
    ac_server_conf *add = patterned_server(unit_pool);
    ac_server_conf *m = ac_server_conf_merge(unit_pool, base, add);

    ck_assert_msg(server_same_except_providers(m, add),
                  "a server field set in the vhost does not win the merge");
}
END_TEST

START_TEST(server_merge_leaves_inputs_alone)
{
    ac_server_conf *base = ac_server_conf_create(unit_pool);
    ac_server_conf *add = ac_server_conf_create(unit_pool);
    ac_server_conf before_base = *base, before_add = *add;

    base->callback_path = "/cb";
    before_base.callback_path = "/cb";
    ac_server_conf_merge(unit_pool, base, add);
    ck_assert(memcmp(base, &before_base, sizeof(*base)) == 0);
    ck_assert(memcmp(add, &before_add, sizeof(*add)) == 0);
}
END_TEST

/* AuthClientPassphrase adds to the list; AuthClientLoginCacheSize is unset
 * until given, so the cache layer picks its own default. */
START_TEST(global_defaults)
{
    ac_global_conf *g = ac_global_conf_create(unit_pool);

    ck_assert_ptr_null(g->cache_spec);
    ck_assert_ptr_nonnull(g->passphrases);
    ck_assert_int_eq(g->passphrases->nelts, 0);
    ck_assert(g->login_cache_size == AC_UNSET);
}
END_TEST

START_TEST(server_defaults)
{
    ac_server_conf *c = ac_server_conf_create(unit_pool);

    ck_assert_str_eq(ac_conf_callback_path(c), "/auth/callback");
    ck_assert_str_eq(ac_conf_logout_path(c), "/auth/logout");
    ck_assert_str_eq(ac_conf_cookie_name(c), "ac_session");
    ck_assert_str_eq(ac_conf_flow_cookie_name(c), "ac_flow");
    ck_assert_str_eq(ac_conf_cookie_path(c), "/");
    ck_assert_int_eq(ac_conf_session_inactivity(c), 3600);
    ck_assert_int_eq(ac_conf_session_max(c), 28800);
    ck_assert_int_eq(ac_conf_state_ttl(c), 300);
    ck_assert_int_eq(ac_conf_http_connect_timeout(c), 5);
    ck_assert_int_eq(ac_conf_http_timeout(c), 10);
    ck_assert_int_eq(ac_conf_http_max_response(c), 1048576);
    ck_assert_int_eq(ac_conf_metadata_ttl(c), 3600);
    ck_assert_int_eq(ac_conf_jwks_refresh_interval(c), 60);
    ck_assert_int_eq(ac_conf_clock_skew(c), 120);
    ck_assert_int_eq(ac_conf_iat_max_age(c), 600);
    ck_assert_ptr_null(c->ca_file);
    ck_assert_ptr_null(c->cookie_domain);
    ck_assert_ptr_null(c->logout_redirect_allow);
    /* no proxy trusted, the redirect URI from the request */
    ck_assert_ptr_null(c->trusted_proxies);
    ck_assert_ptr_null(c->redirect_uri);
}
END_TEST

START_TEST(explicit_default_still_overrides)
{
    /* an inner block may set the default value explicitly */
    ac_server_conf *base = ac_server_conf_create(unit_pool);
    ac_server_conf *add = ac_server_conf_create(unit_pool);
    ac_server_conf *m;

    base->clock_skew = 30;
    add->clock_skew = 120;
    m = ac_server_conf_merge(unit_pool, base, add);
    ck_assert_int_eq(ac_conf_clock_skew(m), 120);
}
END_TEST

START_TEST(vhost_redefines_provider_by_name)
{
    ac_server_conf *base = ac_server_conf_create(unit_pool);
    ac_server_conf *add = ac_server_conf_create(unit_pool);
    ac_provider *outer = ac_provider_create(unit_pool, "google", "a:1");
    ac_provider *inner = ac_provider_create(unit_pool, "google", "b:2");
    ac_provider *other = ac_provider_create(unit_pool, "github", "a:3");
    ac_server_conf *m;

    apr_hash_set(base->providers, "google", APR_HASH_KEY_STRING, outer);
    apr_hash_set(base->providers, "github", APR_HASH_KEY_STRING, other);
    apr_hash_set(add->providers, "google", APR_HASH_KEY_STRING, inner);
    m = ac_server_conf_merge(unit_pool, base, add);
    ck_assert_ptr_eq(apr_hash_get(m->providers, "google", APR_HASH_KEY_STRING), inner);
    ck_assert_ptr_eq(apr_hash_get(m->providers, "github", APR_HASH_KEY_STRING), other);
    ck_assert_int_eq(apr_hash_count(base->providers), 2);
    ck_assert_ptr_eq(apr_hash_get(base->providers, "google", APR_HASH_KEY_STRING), outer);
}
END_TEST

static ac_dir_conf *patterned_dir(apr_pool_t *p)
{
    ac_dir_conf *d = apr_palloc(p, sizeof(*d));

    memset(d, PATTERN, sizeof(*d));
    __builtin_clear_padding(d);
    return d;
}

START_TEST(dir_unset_falls_through_and_set_wins)
{
    ac_dir_conf *pat = patterned_dir(unit_pool);
    ac_dir_conf *unset = ac_dir_conf_create(unit_pool);

    ck_assert_msg(memcmp(ac_dir_conf_merge(unit_pool, pat, unset), pat, sizeof(*pat)) == 0,
                  "a directory field has no merge rule");
    ck_assert_msg(memcmp(ac_dir_conf_merge(unit_pool, unset, pat), pat, sizeof(*pat)) == 0,
                  "a directory field set inside does not win");
}
END_TEST

START_TEST(dir_defaults)
{
    ac_dir_conf *d = ac_dir_conf_create(unit_pool);

    ck_assert_ptr_null(d->providers);
    ck_assert_str_eq(ac_dir_claim_prefix(d), "OIDC_CLAIM_");
    ck_assert_int_eq(ac_dir_pass_access_token(d), 0);
    ck_assert_int_eq(ac_dir_claim_headers(d), 0);
    ck_assert_int_eq(ac_dir_unauth_action(d), AC_UNAUTH_AUTH);
    ck_assert_int_eq(ac_dir_pass_cors_preflight(d), 0);
    ck_assert_int_eq(ac_dir_session_info(d), 0);
    ck_assert_ptr_null(d->session_info_claims);
}
END_TEST

/* ---- provider keys ------------------------------------------------------- */

static const char *set1(ac_provider *pv, const char *key, const char *v)
{
    char *argv[1];

    argv[0] = (char *)v;
    return ac_provider_set(unit_pool, unit_pool, pv, key, 1, argv);
}

static ac_provider *oidc_provider(void)
{
    ac_provider *pv = ac_provider_create(unit_pool, "op", "test.conf:1");

    ck_assert_ptr_null(set1(pv, "ClientID", "id"));
    ck_assert_ptr_null(set1(pv, "ClientSecret", "secret"));
    ck_assert_ptr_null(set1(pv, "ServerMetadataURL",
                            "https://op.example/.well-known/openid-configuration"));
    return pv;
}

START_TEST(provider_kind_follows_keys)
{
    ac_provider *pv = ac_provider_create(unit_pool, "x", "t:1");

    ck_assert_int_eq(ac_provider_kind(pv), AC_KIND_OAUTH2);
    ck_assert_ptr_null(set1(pv, "Scope", "openid"));
    ck_assert_int_eq(ac_provider_kind(pv), AC_KIND_OIDC);
    pv = ac_provider_create(unit_pool, "x", "t:1");
    ck_assert_ptr_null(set1(pv, "Scope", "user:email openidish"));
    ck_assert_int_eq(ac_provider_kind(pv), AC_KIND_OAUTH2);
    ck_assert_int_eq(ac_provider_kind(oidc_provider()), AC_KIND_OIDC);
    pv = oidc_provider();
    ck_assert_ptr_null(set1(pv, "RequestTokenURL", "https://api.example/oauth/request_token"));
    ck_assert_int_eq(ac_provider_kind(pv), AC_KIND_OAUTH1);
}
END_TEST

START_TEST(provider_defaults)
{
    ac_provider *pv = oidc_provider();

    ck_assert_int_eq(ac_provider_token_auth(pv), AC_TOKEN_AUTH_BASIC);
    ck_assert_int_eq(ac_provider_pkce(pv), AC_PKCE_S256);
    ck_assert_str_eq(ac_provider_scope(pv), "openid");
    ck_assert_str_eq(ac_provider_remote_user_claim(pv), "sub");
    ck_assert_int_eq(pv->fetch_userinfo, AC_UNSET);
    ck_assert_ptr_null(pv->id_token_algs);
    ck_assert_ptr_null(ac_provider_check(unit_pool, pv));
}
END_TEST

START_TEST(provider_rejects_bad_values)
{
    ac_provider *pv = oidc_provider();
    const char *err;

    ck_assert_ptr_nonnull(set1(pv, "AuthorizeURL", "http://op.example/auth"));
    ck_assert_ptr_null(set1(pv, "AuthorizeURL", "http://127.0.0.1:3000/auth"));
    ck_assert_ptr_nonnull(set1(pv, "CodeChallengeMethod", "plain"));
    ck_assert_ptr_nonnull(set1(pv, "TokenEndpointAuthMethod", "client_secret"));
    ck_assert_ptr_nonnull(set1(pv, "IDTokenAlgorithms", "none"));
    ck_assert_ptr_nonnull(set1(pv, "FetchUserInfo", "yes"));
    ck_assert_ptr_nonnull(set1(pv, "AuthorizeParams", "novalue"));
    err = set1(pv, "ClientIdentifier", "x");
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, "ClientIdentifier") && strstr(err, "op"),
                  "unknown key error names the key and the provider: %s", err);
    err = set1(pv, "CodeChallengeMethod", "plain");
    ck_assert_msg(strstr(err, "syntax: CodeChallengeMethod"), "error shows syntax: %s", err);
}
END_TEST

START_TEST(provider_block_checks)
{
    ac_provider *pv = ac_provider_create(unit_pool, "op", "test.conf:7");
    const char *err;

    ck_assert_ptr_null(set1(pv, "ServerMetadataURL",
                            "https://op.example/.well-known/openid-configuration"));
    err = ac_provider_check(unit_pool, pv);
    ck_assert_msg(err && strstr(err, "ClientID") && strstr(err, "test.conf:7"),
                  "missing ClientID named with where: %s", err);
    ck_assert_ptr_null(set1(pv, "ClientID", "id"));
    err = ac_provider_check(unit_pool, pv);
    ck_assert_msg(err && strstr(err, "ClientSecret"), "missing secret: %s", err);
    ck_assert_ptr_null(set1(pv, "TokenEndpointAuthMethod", "none"));
    ck_assert_ptr_null(ac_provider_check(unit_pool, pv));
    ck_assert_ptr_null(set1(pv, "CodeChallengeMethod", "none"));
    err = ac_provider_check(unit_pool, pv);
    ck_assert_msg(err && strstr(err, "PKCE"), "public client without PKCE: %s", err);

    pv = ac_provider_create(unit_pool, "op", "test.conf:9");
    ck_assert_ptr_null(set1(pv, "ClientID", "id"));
    ck_assert_ptr_null(set1(pv, "ClientSecret", "s"));
    ck_assert_ptr_null(set1(pv, "Scope", "openid"));
    err = ac_provider_check(unit_pool, pv);
    ck_assert_msg(err && strstr(err, "ServerMetadataURL"), "OIDC without endpoints: %s", err);
}
END_TEST

START_TEST(hmac_algs_need_a_secret)
{
    ac_provider *pv = ac_provider_create(unit_pool, "op", "t:1");
    char *algs[] = { "RS256", "HS256" };
    const char *err;

    ck_assert_ptr_null(set1(pv, "ClientID", "id"));
    ck_assert_ptr_null(set1(pv, "TokenEndpointAuthMethod", "none"));
    ck_assert_ptr_null(set1(pv, "ServerMetadataURL",
                            "https://op.example/.well-known/openid-configuration"));
    ck_assert_ptr_null(ac_provider_set(unit_pool, unit_pool, pv, "IDTokenAlgorithms", 2, algs));
    err = ac_provider_check(unit_pool, pv);
    ck_assert_msg(err && strstr(err, "HS"), "HS* without a secret: %s", err);
}
END_TEST

START_TEST(params_are_form_encoded)
{
    ac_provider *pv = oidc_provider();
    char *params[] = { "prompt=login", "hd=example.org", "x=a b&c" };

    ck_assert_ptr_null(ac_provider_set(unit_pool, unit_pool, pv, "AuthorizeParams", 3, params));
    ck_assert_str_eq(pv->authorize_params, "prompt=login&hd=example.org&x=a%20b%26c");
}
END_TEST

START_TEST(every_key_is_documented_in_the_table)
{
    apr_size_t i;

    for (i = 0; ac_provider_key_at(i); i++) {
        const ac_provider_key *k = ac_provider_key_at(i);
        ck_assert_msg(strncmp(k->syntax, k->name, strlen(k->name)) == 0,
                      "syntax of %s starts with its name", k->name);
        ck_assert_msg(k->help[0] != '\0', "%s has help text", k->name);
    }
    ck_assert_uint_ge(i, 20);
}
END_TEST

/* ---- end of block ------------------------------------------------------- */

static ac_provider *preset_provider(const char *name, const char *arg)
{
    ac_provider *pv = ac_provider_create(unit_pool, "p", "t:1");
    char *argv[2] = { (char *)name, (char *)arg };

    ck_assert_ptr_null(ac_provider_set(unit_pool, unit_pool, pv, "Preset",
                                       arg ? 2 : 1, argv));
    ck_assert_ptr_null(set1(pv, "ClientID", "id"));
    ck_assert_ptr_null(set1(pv, "ClientSecret", "s"));
    return pv;
}

START_TEST(oauth1_startup_checks)
{
    ac_provider *pv = preset_provider("twitter", NULL);
    const char *err;

    ck_assert_ptr_null(set1(pv, "SignatureMethod", "RSA-SHA1"));
    err = ac_provider_finish(unit_pool, pv);
    ck_assert_msg(err && strstr(err, "PrivateKeyFile"), "RSA-SHA1 without key: %s", err);

    pv = preset_provider("twitter", NULL);
    ck_assert_ptr_null(set1(pv, "RequestTokenURL", "http://127.0.0.1:4501/oauth/request_token"));
    ck_assert_ptr_null(set1(pv, "SignatureMethod", "PLAINTEXT"));
    err = ac_provider_finish(unit_pool, pv);
    ck_assert_msg(err && strstr(err, "PLAINTEXT"), "PLAINTEXT over http: %s", err);

    pv = preset_provider("twitter", NULL);
    ck_assert_ptr_null(set1(pv, "SignatureMethod", "PLAINTEXT"));
    ck_assert_ptr_null(ac_provider_finish(unit_pool, pv));
    ck_assert_ptr_nonnull(set1(pv, "SignatureMethod", "HMAC-MD5"));
}
END_TEST

START_TEST(provider_finish_precomputes)
{
    ac_provider *pv = preset_provider("twitter", NULL);
    char *rt[] = { "x_auth_access_type=read", "note=a b&c" };
    char *at[] = { "lang=de" };
    const ac_kv *kv;

    ck_assert_ptr_null(ac_provider_set(unit_pool, unit_pool, pv,
                                       "RequestTokenParams", 2, rt));
    ck_assert_ptr_null(ac_provider_set(unit_pool, unit_pool, pv,
                                       "AccessTokenParams", 1, at));
    ck_assert_int_eq(pv->kind, AC_KIND_UNSET);
    ck_assert_ptr_null(ac_provider_finish(unit_pool, pv));
    ck_assert_int_eq(pv->kind, AC_KIND_OAUTH1);
    ck_assert_int_eq(ac_provider_kind(pv), AC_KIND_OAUTH1);
    /* decoded name/value pairs in the order given, ready for signing */
    ck_assert_ptr_nonnull(pv->request_token_kv);
    ck_assert_int_eq(pv->request_token_kv->nelts, 2);
    kv = (const ac_kv *)pv->request_token_kv->elts;
    ck_assert_str_eq(kv[0].key, "x_auth_access_type");
    ck_assert_str_eq(kv[0].value, "read");
    ck_assert_str_eq(kv[1].key, "note");
    ck_assert_str_eq(kv[1].value, "a b&c");
    ck_assert_ptr_nonnull(pv->access_token_kv);
    ck_assert_int_eq(pv->access_token_kv->nelts, 1);
    kv = (const ac_kv *)pv->access_token_kv->elts;
    ck_assert_str_eq(kv[0].key, "lang");
    ck_assert_str_eq(kv[0].value, "de");

    /* without parameters the lists are empty, not missing */
    pv = oidc_provider();
    ck_assert_ptr_null(ac_provider_finish(unit_pool, pv));
    ck_assert_int_eq(pv->kind, AC_KIND_OIDC);
    ck_assert_ptr_nonnull(pv->request_token_kv);
    ck_assert_int_eq(pv->request_token_kv->nelts, 0);
    ck_assert_ptr_nonnull(pv->access_token_kv);
    ck_assert_int_eq(pv->access_token_kv->nelts, 0);

    pv = preset_provider("github", NULL);
    ck_assert_ptr_null(ac_provider_finish(unit_pool, pv));
    ck_assert_int_eq(pv->kind, AC_KIND_OAUTH2);
}
END_TEST

/* ---- lookups ------------------------------------------------------------ */

/* sessions and logins are bound to the fingerprint: it must tell apart
 * what makes another provider, and only that */
START_TEST(provider_fingerprint)
{
    ac_provider *a = oidc_provider();
    ac_provider *b = oidc_provider();
    ac_provider *c = oidc_provider();
    char *other_client[] = { "another-client" };

    ck_assert_ptr_null(ac_provider_finish(unit_pool, a));
    ck_assert_ptr_null(ac_provider_finish(unit_pool, b));
    ck_assert_ptr_nonnull(a->fingerprint);
    ck_assert_int_eq(strlen(a->fingerprint), 32);
    ck_assert_str_eq(a->fingerprint, b->fingerprint);
    ck_assert_ptr_null(ac_provider_set(unit_pool, unit_pool, c, "ClientID", 1,
                                       other_client));
    ck_assert_ptr_null(ac_provider_finish(unit_pool, c));
    ck_assert_str_ne(a->fingerprint, c->fingerprint);
}
END_TEST

START_TEST(session_scope_default_and_override)
{
    ac_server_conf *c = ac_server_conf_create(unit_pool);

    ck_assert_str_eq(ac_conf_session_scope(c, "www.example.org"), "www.example.org");
    ck_assert_str_eq(ac_conf_session_scope(c, NULL), "");
    c->session_scope = "shop";
    ck_assert_str_eq(ac_conf_session_scope(c, "www.example.org"), "shop");
}
END_TEST

START_TEST(dir_conf_in_use)
{
    ac_dir_conf *d = ac_dir_conf_create(unit_pool);

    ck_assert_int_eq(ac_dir_conf_in_use(d), 0);
    d->claim_prefix = "AC_";
    ck_assert_int_eq(ac_dir_conf_in_use(d), 1);
    d = ac_dir_conf_create(unit_pool);
    d->pass_access_token = 0;
    ck_assert_int_eq(ac_dir_conf_in_use(d), 1);
    /* the per-path settings count too: their locations get the identity
     * headers stripped like any other */
    d = ac_dir_conf_create(unit_pool);
    d->unauth_action = AC_UNAUTH_PASS;
    ck_assert_int_eq(ac_dir_conf_in_use(d), 1);
    d = ac_dir_conf_create(unit_pool);
    d->pass_cors_preflight = 0;
    ck_assert_int_eq(ac_dir_conf_in_use(d), 1);
    d = ac_dir_conf_create(unit_pool);
    d->session_info = 1;
    ck_assert_int_eq(ac_dir_conf_in_use(d), 1);
}
END_TEST

START_TEST(find_provider)
{
    ac_server_conf *c = ac_server_conf_create(unit_pool);
    ac_provider *google = ac_provider_create(unit_pool, "google", "a:1");

    ck_assert_ptr_null(ac_conf_find_provider(c, "google"));
    apr_hash_set(c->providers, "google", APR_HASH_KEY_STRING, google);
    ck_assert_ptr_eq(ac_conf_find_provider(c, "google"), google);
    ck_assert_ptr_null(ac_conf_find_provider(c, "github"));
    ck_assert_ptr_null(ac_conf_find_provider(c, "Google"));
    ck_assert_ptr_null(ac_conf_find_provider(c, ""));
    ck_assert_ptr_null(ac_conf_find_provider(c, NULL));
}
END_TEST

START_TEST(conf_http_opts)
{
    ac_server_conf *c = ac_server_conf_create(unit_pool);
    ac_http_opts o;

    memset(&o, 0x5a, sizeof(o));
    ac_conf_http_opts(c, &o);
    ck_assert_int_eq(o.connect_timeout, 5);
    ck_assert_int_eq(o.timeout, 10);
    ck_assert_uint_eq(o.max_response, 1048576);
    ck_assert_ptr_null(o.ca_file);

    c->http_connect_timeout = 2;
    c->http_timeout = 7;
    c->http_max_response = 4096;
    c->ca_file = "/etc/ssl/ca.pem";
    ac_conf_http_opts(c, &o);
    ck_assert_int_eq(o.connect_timeout, 2);
    ck_assert_int_eq(o.timeout, 7);
    ck_assert_uint_eq(o.max_response, 4096);
    ck_assert_str_eq(o.ca_file, "/etc/ssl/ca.pem");
}
END_TEST

/* ---- what could only fail at the first login -------------------------------- */

static const char *set_params(ac_provider *pv, const char *key, const char *pair)
{
    char *argv[2];

    argv[0] = "prompt=login";
    argv[1] = (char *)pair;
    return ac_provider_set(unit_pool, unit_pool, pv, key, 2, argv);
}

START_TEST(params_refuse_the_protocols_own)
{
    static const char *const authorize[] = {
        "state=x", "nonce=x", "redirect_uri=https://elsewhere.example/",
        "code_challenge=x", "response_type=token", "response_mode=form_post",
        "client_id=other", "oauth_token=x", NULL
    };
    static const char *const token[] = {
        "grant_type=password", "code=x", "code_verifier=x", "redirect_uri=x",
        "client_secret=x", "client_assertion=x", "oauth_verifier=x", NULL
    };
    ac_provider *pv = oidc_provider();
    const char *err;
    int i;

    for (i = 0; authorize[i]; i++) {
        err = set_params(pv, "AuthorizeParams", authorize[i]);
        ck_assert_msg(err && strstr(err, "must not set"), "AuthorizeParams %s: %s",
                      authorize[i], err ? err : "accepted");
    }
    for (i = 0; token[i]; i++) {
        err = set_params(pv, "AccessTokenParams", token[i]);
        ck_assert_msg(err && strstr(err, "must not set"), "AccessTokenParams %s: %s",
                      token[i], err ? err : "accepted");
    }
    err = set_params(pv, "RequestTokenParams", "oauth_callback=https://x.example/");
    ck_assert_msg(err && strstr(err, "'oauth_callback'"), "oauth_*: %s", err);
    /* the key to use instead, where there is one */
    err = set_params(pv, "AuthorizeParams", "scope=email");
    ck_assert_msg(err && strstr(err, "use the Scope key"), "scope: %s", err);
    err = set_params(pv, "AuthorizeParams", "code_challenge_method=plain");
    ck_assert_msg(err && strstr(err, "CodeChallengeMethod"), "PKCE method: %s", err);
    /* names that only look alike pass, and nothing was kept from refusals */
    ck_assert_ptr_null(set_params(pv, "AuthorizeParams", "statehint=1"));
    ck_assert_ptr_null(set_params(pv, "RequestTokenParams", "x_auth_access_type=read"));
    ck_assert_str_eq(pv->authorize_params, "prompt=login&statehint=1");
}
END_TEST

START_TEST(metadata_url_needs_well_known)
{
    ac_provider *pv = ac_provider_create(unit_pool, "op", "test.conf:3");
    const char *err;

    ck_assert_ptr_null(set1(pv, "ClientID", "id"));
    ck_assert_ptr_null(set1(pv, "ClientSecret", "secret"));
    ck_assert_ptr_null(set1(pv, "ServerMetadataURL", "https://op.example/realms/x/"));
    err = ac_provider_check(unit_pool, pv);
    ck_assert_msg(err && strstr(err, "/.well-known/") && strstr(err, "test.conf:3")
                  && strstr(err, "https://op.example/realms/x/.well-known/openid-configuration"),
                  "the fix is the discovery URL: %s", err);
    /* RFC 8414 metadata, and discovery with a query, are discovery URLs */
    ck_assert_ptr_null(set1(pv, "ServerMetadataURL",
                            "https://op.example/.well-known/oauth-authorization-server/t"));
    ck_assert_ptr_null(ac_provider_check(unit_pool, pv));
    ck_assert_ptr_null(set1(pv, "ServerMetadataURL",
                            "https://op.example/t/v2.0/.well-known/openid-configuration?p=B2C_1"));
    ck_assert_ptr_null(ac_provider_check(unit_pool, pv));
    /* a provider that publishes elsewhere says what its issuer is */
    ck_assert_ptr_null(set1(pv, "ServerMetadataURL", "https://op.example/metadata"));
    ck_assert_ptr_nonnull(ac_provider_check(unit_pool, pv));
    ck_assert_ptr_null(set1(pv, "Issuer", "https://op.example"));
    ck_assert_ptr_null(ac_provider_check(unit_pool, pv));
}
END_TEST

START_TEST(unknown_key_suggests_the_closest)
{
    ac_provider *pv = oidc_provider();
    const char *err;

    err = set1(pv, "ClientSecrte", "x");
    ck_assert_msg(err && strstr(err, "did you mean ClientSecret?"), "%s", err);
    err = set1(pv, "serverMetadataUrl2", "x");
    ck_assert_msg(err && strstr(err, "did you mean ServerMetadataURL?"), "%s", err);
    err = set1(pv, "Frobnicate", "x");
    ck_assert_msg(err && strstr(err, "unknown key") && !strstr(err, "did you mean"),
                  "nothing close, no guess: %s", err);
}
END_TEST

Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("config");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, server_unset_falls_through_to_base);
    tcase_add_test(tc, server_set_overrides_base);
    tcase_add_test(tc, server_merge_leaves_inputs_alone);
    tcase_add_test(tc, global_defaults);
    tcase_add_test(tc, server_defaults);
    tcase_add_test(tc, explicit_default_still_overrides);
    tcase_add_test(tc, vhost_redefines_provider_by_name);
    tcase_add_test(tc, dir_unset_falls_through_and_set_wins);
    tcase_add_test(tc, dir_defaults);
    tcase_add_test(tc, provider_kind_follows_keys);
    tcase_add_test(tc, provider_defaults);
    tcase_add_test(tc, provider_rejects_bad_values);
    tcase_add_test(tc, provider_block_checks);
    tcase_add_test(tc, hmac_algs_need_a_secret);
    tcase_add_test(tc, params_are_form_encoded);
    tcase_add_test(tc, every_key_is_documented_in_the_table);
    tcase_add_test(tc, oauth1_startup_checks);
    tcase_add_test(tc, provider_finish_precomputes);
    tcase_add_test(tc, provider_fingerprint);
    tcase_add_test(tc, session_scope_default_and_override);
    tcase_add_test(tc, dir_conf_in_use);
    tcase_add_test(tc, find_provider);
    tcase_add_test(tc, conf_http_opts);
    tcase_add_test(tc, params_refuse_the_protocols_own);
    tcase_add_test(tc, metadata_url_needs_well_known);
    tcase_add_test(tc, unknown_key_suggests_the_closest);
    suite_add_tcase(s, tc);
    return s;
}
