/*
 * introspection.c - RFC 7662 token introspection as the resource server
 * uses it: the request form, the answer, and when an answer may be reused.
 *
 * An answer is cached (by the glue, sealed, keyed by a hash of the token)
 * only while it says active true, never past the token's exp and never
 * longer than the TTL, so a revoked token stops working within the TTL and
 * an inactive one is asked about again each time.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "access_token.h"
#include "fields.h"
#include "introspection.h"

#define ENTRY_TAG "ACI1"

const char *ac_introspection_form(apr_pool_t *p, const char *token)
{
    return apr_pstrcat(p, "token=", ac_url_escape(p, token),
                       "&token_type_hint=access_token", NULL);
}

ac_error *ac_introspection_parse(apr_pool_t *p, const ac_http_response *resp,
                                 json_t **result)
{
    json_t *obj, *active;

    *result = NULL;
    if (resp->status != 200) {
        return ac_error_make(p, AC_E_INTROSPECTION_HTTP_STATUS, "the "
                             "introspection endpoint answered HTTP %ld, "
                             "expected 200 (is this client allowed to "
                             "introspect?)", resp->status);
    }
    if (resp->body == NULL
        || ac_json_parse_object(p, resp->body, resp->len,
                                "the introspection answer", &obj) != NULL) {
        return ac_error_make(p, AC_E_INTROSPECTION_MALFORMED, "the "
                             "introspection answer is not a JSON object");
    }
    active = json_object_get(obj, "active");
    if (!json_is_boolean(active)) {
        return ac_error_make(p, AC_E_INTROSPECTION_MALFORMED, "the "
                             "introspection answer has no boolean active");
    }
    *result = obj;
    return NULL;
}

ac_error *ac_introspection_check(apr_pool_t *p, json_t *result,
                                 const char *issuer)
{
    json_t *iss = json_object_get(result, "iss");
    json_t *type = json_object_get(result, "token_type");

    if (!json_is_true(json_object_get(result, "active"))) {
        return ac_error_make(p, AC_E_BEARER_INACTIVE, "the provider says the "
                             "access token is not active (expired, revoked "
                             "or unknown)");
    }
    if (iss != NULL && (!json_is_string(iss) || issuer == NULL
                        || strcmp(json_string_value(iss), issuer) != 0)) {
        return ac_error_make(p, AC_E_BEARER_ISS, "the introspection answer "
                             "names another issuer than the provider's");
    }
    if (type != NULL && (!json_is_string(type)
                         || strcasecmp(json_string_value(type), "Bearer") != 0)) {
        return ac_error_make(p, AC_E_BEARER_TOKEN_TYPE, "the token is a %s "
                             "token, not a bearer access token",
                             json_is_string(type)
                                 ? ac_log_quote(p, json_string_value(type))
                                 : "(non-string token_type)");
    }
    return NULL;
}

apr_time_t ac_introspection_cache_until(json_t *result, apr_time_t fetched,
                                        int ttl)
{
    apr_time_t until = fetched + apr_time_from_sec(ttl);
    json_t *exp = json_object_get(result, "exp");
    apr_time_t exp_at = ac_access_token_expiry(result);

    if (ttl <= 0 || !json_is_true(json_object_get(result, "active"))) {
        return 0;
    }
    /* an exp that is not a usable time: no reuse rather than a guess */
    if (exp != NULL && exp_at == 0) {
        return 0;
    }
    if (exp_at != 0 && exp_at < until) {
        until = exp_at;
    }
    return until > fetched ? until : 0;
}

ac_error *ac_introspection_entry_encode(apr_pool_t *p, apr_time_t fetched,
                                        json_t *result, char **buf,
                                        apr_size_t *len)
{
    apr_array_header_t *f = apr_array_make(p, 3, sizeof(const char *));
    char *text = json_dumps(result, JSON_COMPACT);

    if (text == NULL) {
        return ac_error_make(p, AC_E_OUT_OF_MEMORY, "out of memory");
    }
    APR_ARRAY_PUSH(f, const char *) = ENTRY_TAG;
    APR_ARRAY_PUSH(f, const char *) = apr_psprintf(p, "%" APR_TIME_T_FMT, fetched);
    /* json_dumps escapes every NUL, so the text is one field */
    APR_ARRAY_PUSH(f, const char *) = apr_pstrdup(p, text);
    free(text);
    *buf = ac_fields_join(p, f, len);
    return NULL;
}

void ac_introspection_entry_decode(apr_pool_t *p, char *buf, apr_size_t len,
                                   apr_time_t now, int ttl, json_t **result)
{
    ac_field_reader r;
    const char *tag, *text;
    apr_time_t fetched;
    json_t *obj;

    *result = NULL;
    ac_field_reader_init(&r, buf, len);
    tag = ac_field_next(&r);
    if (tag == NULL || strcmp(tag, ENTRY_TAG) != 0
        || !ac_field_next_time(&r, &fetched)
        || (text = ac_field_next(&r)) == NULL || !ac_field_reader_done(&r)
        || ac_json_parse_object(p, text, strlen(text), "a cached "
                                "introspection answer", &obj) != NULL) {
        return;
    }
    if (now < fetched || now >= ac_introspection_cache_until(obj, fetched, ttl)) {
        return;
    }
    *result = obj;
}
