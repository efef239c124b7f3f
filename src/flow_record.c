/*
 * flow_record.c - the cached half of a login in progress.
 *
 * Layout, as the session record's: NUL-terminated fields
 *   "ACF2" flow_id scope provider fingerprint original_url redirect_uri
 *   nonce code_verifier
 *   token_secret created
 */
#include <string.h>

#include "fields.h"
#include "flow_record.h"

#define FLOW_TAG "ACF2"

static ac_error *flow_error(apr_pool_t *p, const char *what)
{
    return ac_error_make(p, AC_E_FLOW_STATE,
                         "the login state is malformed (%s); start the "
                         "login again", what);
}

ac_error *ac_flow_entry_encode(apr_pool_t *p, const ac_flow_entry *e,
                               char **buf, apr_size_t *len)
{
    apr_array_header_t *f = apr_array_make(p, 11, sizeof(const char *));

    if (e->flow_id == NULL || *e->flow_id == '\0' || e->provider == NULL
        || e->scope == NULL || e->fingerprint == NULL || e->created < 0) {
        return flow_error(p, "no flow id, no provider, no binding or a negative time");
    }
    APR_ARRAY_PUSH(f, const char *) = FLOW_TAG;
    APR_ARRAY_PUSH(f, const char *) = e->flow_id;
    APR_ARRAY_PUSH(f, const char *) = e->scope;
    APR_ARRAY_PUSH(f, const char *) = e->provider;
    APR_ARRAY_PUSH(f, const char *) = e->fingerprint;
    APR_ARRAY_PUSH(f, const char *) = e->original_url;
    APR_ARRAY_PUSH(f, const char *) = e->redirect_uri;
    APR_ARRAY_PUSH(f, const char *) = e->nonce;
    APR_ARRAY_PUSH(f, const char *) = e->code_verifier;
    APR_ARRAY_PUSH(f, const char *) = e->token_secret;
    APR_ARRAY_PUSH(f, const char *) = apr_psprintf(p, "%" APR_TIME_T_FMT,
                                                   e->created);
    *buf = ac_fields_join(p, f, len);
    return NULL;
}

ac_error *ac_flow_entry_decode(apr_pool_t *p, char *buf, apr_size_t len,
                               ac_flow_entry *e)
{
    ac_flow_entry d;
    ac_field_reader r;
    const char *tag;

    if (buf == NULL || len == 0) {
        return flow_error(p, "empty");
    }
    ac_field_reader_init(&r, buf, len);
    tag = ac_field_next(&r);
    if (tag == NULL || strcmp(tag, FLOW_TAG) != 0) {
        return flow_error(p, "unknown format");
    }
    /* a missing field makes every later one missing: the last check
     * covers them all */
    d.flow_id = ac_field_next(&r);
    d.scope = ac_field_next(&r);
    d.provider = ac_field_next(&r);
    d.fingerprint = ac_field_next(&r);
    d.original_url = ac_field_next(&r);
    d.redirect_uri = ac_field_next(&r);
    d.nonce = ac_field_next(&r);
    d.code_verifier = ac_field_next(&r);
    d.token_secret = ac_field_next(&r);
    if (d.token_secret == NULL || !ac_field_next_time(&r, &d.created)) {
        return flow_error(p, "truncated");
    }
    if (*d.flow_id == '\0') {
        return flow_error(p, "no flow id");
    }
    if (!ac_field_reader_done(&r)) {
        return flow_error(p, "trailing bytes");
    }
    *e = d;
    return NULL;
}
