/*
 * token_record.c - a session's tokens in the cache (token_record.h).
 *
 * Layout: NUL-terminated fields
 *   "ACT1" access_token token_type expires refresh_token id_token
 *   token_secret refresh_dead retry_after
 */
#include <string.h>

#include "fields.h"
#include "token_record.h"

#define TOKEN_TAG "ACT1"

static ac_error *token_error(apr_pool_t *p, const char *what)
{
    return ac_error_make(p, AC_E_TOKEN_RECORD,
                         "the session's token record is malformed (%s)", what);
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

ac_error *ac_token_record_encode(apr_pool_t *p, const ac_token_set *t,
                                 char **buf, apr_size_t *len)
{
    apr_array_header_t *f = apr_array_make(p, 9, sizeof(const char *));

    if (t->expires < 0 || t->retry_after < 0) {
        return token_error(p, "a negative time");
    }
    APR_ARRAY_PUSH(f, const char *) = TOKEN_TAG;
    APR_ARRAY_PUSH(f, const char *) = or_empty(t->access_token);
    APR_ARRAY_PUSH(f, const char *) = or_empty(t->token_type);
    APR_ARRAY_PUSH(f, const char *) = apr_psprintf(p, "%" APR_TIME_T_FMT, t->expires);
    APR_ARRAY_PUSH(f, const char *) = or_empty(t->refresh_token);
    APR_ARRAY_PUSH(f, const char *) = or_empty(t->id_token);
    APR_ARRAY_PUSH(f, const char *) = or_empty(t->token_secret);
    APR_ARRAY_PUSH(f, const char *) = t->refresh_dead ? "1" : "0";
    APR_ARRAY_PUSH(f, const char *) = apr_psprintf(p, "%" APR_TIME_T_FMT,
                                                   t->retry_after);
    *buf = ac_fields_join(p, f, len);
    return NULL;
}

ac_error *ac_token_record_decode(apr_pool_t *p, char *buf, apr_size_t len,
                                 ac_token_set *t)
{
    ac_token_set d;
    ac_field_reader r;
    const char *tag;
    apr_size_t dead;

    if (buf == NULL || len == 0) {
        return token_error(p, "empty");
    }
    ac_field_reader_init(&r, buf, len);
    tag = ac_field_next(&r);
    if (tag == NULL || strcmp(tag, TOKEN_TAG) != 0) {
        return token_error(p, "unknown format");
    }
    /* a missing field makes every later one missing */
    d.access_token = ac_field_next(&r);
    d.token_type = ac_field_next(&r);
    if (d.token_type == NULL || !ac_field_next_time(&r, &d.expires)) {
        return token_error(p, "truncated");
    }
    d.refresh_token = ac_field_next(&r);
    d.id_token = ac_field_next(&r);
    d.token_secret = ac_field_next(&r);
    if (d.token_secret == NULL || !ac_field_next_count(&r, 1, &dead)
        || !ac_field_next_time(&r, &d.retry_after)) {
        return token_error(p, "truncated");
    }
    if (!ac_field_reader_done(&r)) {
        return token_error(p, "trailing bytes");
    }
    d.refresh_dead = (int)dead;
    *t = d;
    return NULL;
}

int ac_token_refresh_due(const ac_token_set *t, apr_time_t now, int margin)
{
    if (t->refresh_token == NULL || *t->refresh_token == '\0' || t->refresh_dead
        || t->expires == 0 || now < t->retry_after) {
        return 0;
    }
    return t->expires - apr_time_from_sec(margin > 0 ? margin : 0) <= now;
}
