/*
 * profile.c - claims from profile calls (plain OAuth 2.0 and OAuth 1.0a).
 */
#include <apr_strings.h>

#include "json.h"
#include "oauth2.h"
#include "profile.h"
#include "url.h"

/* the primary verified address of a user/emails style answer */
static json_t *primary_verified_email(json_t *list)
{
    size_t i;
    json_t *entry;

    json_array_foreach(list, i, entry) {
        if (json_is_true(json_object_get(entry, "primary"))
            && json_is_true(json_object_get(entry, "verified"))
            && json_is_string(json_object_get(entry, "email"))) {
            return json_object_get(entry, "email");
        }
    }
    return NULL;
}

void ac_profile_add(json_t *claims, json_t *answer)
{
    json_t *email;

    if (json_is_object(answer)) {
        json_object_update_missing(claims, answer);
        return;
    }
    if (!json_is_array(answer)) {
        return;
    }
    /* a private address shows as null in the profile: fill it in */
    email = primary_verified_email(answer);
    if (email && !json_is_string(json_object_get(claims, "email"))) {
        json_object_set(claims, "email", email);
        json_object_set_new(claims, "email_verified", json_true());
    }
}

ac_error *ac_profile_set_sub(apr_pool_t *p, json_t *claims)
{
    /* Twitter's id_str keeps ids above 2^53 exact for JavaScript; jansson
     * reads integers as 64-bit, so "id" is exact here too */
    json_t *id = json_object_get(claims, "id_str");
    const char *sub = NULL;

    if (!json_is_string(id)) {
        id = json_object_get(claims, "id");
    }
    if (json_is_string(id)) {
        sub = json_string_value(id);
    }
    else if (json_is_integer(id)) {
        sub = apr_psprintf(p, "%" APR_INT64_T_FMT, (apr_int64_t)json_integer_value(id));
    }
    if (sub == NULL || *sub == '\0') {
        return ac_error_make(p, AC_E_PROFILE_NO_ID, "the profile answer has "
                             "no id (id_str or id) to identify the user by");
    }
    json_object_set_new(claims, "sub", json_string(sub));
    return NULL;
}

static const char *resolve(apr_pool_t *p, const ac_provider *pv, const char *url)
{
    if (strstr(url, "://") || pv->api_base_url == NULL) {
        return url;
    }
    return ac_url_join(p, pv->api_base_url, url);
}

static ac_error *parse_answer(apr_pool_t *p, const char *url,
                              const ac_http_response *r, json_t **out)
{
    const char *where = apr_pstrmemdup(p, url, strcspn(url, "?#"));
    json_error_t jerr;

    if (r->status != 200) {
        return ac_error_make(p, AC_E_PROFILE_HTTP_STATUS, "the profile call "
                             "%s answered HTTP %ld", where, r->status);
    }
    *out = json_loadb(r->body ? r->body : "", r->len, JSON_REJECT_DUPLICATES, &jerr);
    if (*out == NULL || !(json_is_object(*out) || json_is_array(*out))) {
        if (*out) {
            json_decref(*out);
        }
        return ac_error_make(p, AC_E_PROFILE_MALFORMED, "the profile call %s "
                             "did not answer a JSON object or array", where);
    }
    ac_json_pool_own(p, *out);
    return NULL;
}

/* every profile URL in order: the main one first, so its fields win */
static apr_array_header_t *profile_urls(apr_pool_t *p, const ac_provider *pv)
{
    apr_array_header_t *urls = apr_array_make(p, 3, sizeof(const char *));
    int i;

    APR_ARRAY_PUSH(urls, const char *) = resolve(p, pv, pv->userinfo_url);
    for (i = 0; pv->userinfo_extra_urls && i < pv->userinfo_extra_urls->nelts; i++) {
        APR_ARRAY_PUSH(urls, const char *) =
            resolve(p, pv, APR_ARRAY_IDX(pv->userinfo_extra_urls, i, const char *));
    }
    return urls;
}

static ac_error *finish(apr_pool_t *p, json_t *claims, json_t **out)
{
    ac_error *e = ac_profile_set_sub(p, claims);

    *out = e ? NULL : claims;
    return e;
}

static json_t *new_claims(apr_pool_t *p)
{
    json_t *claims = json_object();

    ac_json_pool_own(p, claims);
    return claims;
}

ac_error *ac_profile_fetch_oauth2(apr_pool_t *p, const ac_http_opts *h,
                                  const ac_provider *pv, const char *access_token,
                                  json_t **out)
{
    apr_array_header_t *urls = profile_urls(p, pv);
    apr_table_t *hdrs = apr_table_make(p, 2);
    json_t *claims = new_claims(p);
    int i;

    apr_table_setn(hdrs, "Authorization", apr_pstrcat(p, "Bearer ", access_token, NULL));
    apr_table_setn(hdrs, "Accept", "application/json");
    for (i = 0; i < urls->nelts; i++) {
        const char *url = APR_ARRAY_IDX(urls, i, const char *);
        ac_http_response r;
        json_t *answer;
        ac_error *e = ac_http_request(p, h, "GET", url, hdrs, NULL, NULL, &r);
        if (e || (e = parse_answer(p, url, &r, &answer)) != NULL) {
            return e;
        }
        ac_profile_add(claims, answer);
    }
    return finish(p, claims, out);
}

ac_error *ac_profile_fetch_oauth1(apr_pool_t *p, const ac_http_opts *h,
                                  const ac_oauth1_client *c, const ac_provider *pv,
                                  const char *token, const char *token_secret,
                                  json_t **out)
{
    apr_array_header_t *urls = profile_urls(p, pv);
    json_t *claims = new_claims(p);
    int i;

    for (i = 0; i < urls->nelts; i++) {
        const char *url = APR_ARRAY_IDX(urls, i, const char *);
        ac_http_response r;
        json_t *answer;
        ac_error *e = ac_oauth1_request(p, h, c, "GET", url, NULL, NULL, token,
                                        token_secret, &r);
        if (e || (e = parse_answer(p, url, &r, &answer)) != NULL) {
            return e;
        }
        ac_profile_add(claims, answer);
    }
    return finish(p, claims, out);
}
