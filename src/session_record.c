/*
 * session_record.c - the session as stored in the cache.
 *
 * Layout: NUL-terminated fields, in this order:
 *   "ACS3" scope provider fingerprint remote_user created expires last_seen
 *   access_expires nclaims
 *   then per claim: path env_name env_value nvalues value...
 * Times and counts are decimal.  Decoding points into the buffer, so the
 * hot path copies no strings; every count is checked against the bytes left
 * before anything is allocated for it.
 */
#include <string.h>

#include "fields.h"
#include "session_record.h"

/* Bump with any change of the layout: old records then fail to decode and
 * their users log in again, instead of being misread. */
#define RECORD_TAG "ACS3"

/* The least a claim can occupy: four empty fields. */
#define CLAIM_MIN_BYTES 4

static ac_error *record_error(apr_pool_t *p, const char *what)
{
    return ac_error_make(p, AC_E_SESSION_RECORD,
                         "the session record is malformed (%s)", what);
}

static const char *time_text(apr_pool_t *p, apr_time_t t)
{
    return apr_psprintf(p, "%" APR_TIME_T_FMT, t);
}

static ac_error *push_claims(apr_pool_t *p, apr_array_header_t *f,
                             const apr_array_header_t *claims)
{
    int i, j, n = claims ? claims->nelts : 0;

    APR_ARRAY_PUSH(f, const char *) = apr_itoa(p, n);
    for (i = 0; i < n; i++) {
        const ac_claim *c = &APR_ARRAY_IDX(claims, i, ac_claim);

        if (c->path == NULL || c->nvalues < 0
            || (c->nvalues > 0 && c->values == NULL)) {
            return record_error(p, "a claim without a path or values");
        }
        APR_ARRAY_PUSH(f, const char *) = c->path;
        APR_ARRAY_PUSH(f, const char *) = c->env_name;
        APR_ARRAY_PUSH(f, const char *) = c->env_value;
        APR_ARRAY_PUSH(f, const char *) = apr_itoa(p, c->nvalues);
        for (j = 0; j < c->nvalues; j++) {
            APR_ARRAY_PUSH(f, const char *) = c->values[j];
        }
    }
    return NULL;
}

ac_error *ac_session_record_encode(apr_pool_t *p, const ac_session_record *s,
                                   char **buf, apr_size_t *len)
{
    apr_array_header_t *f = apr_array_make(p, 32, sizeof(const char *));
    ac_error *err;

    if (s->provider == NULL || s->remote_user == NULL || *s->remote_user == '\0'
        || s->scope == NULL || s->fingerprint == NULL
        || s->created < 0 || s->expires < 0 || s->last_seen < 0
        || s->access_expires < 0) {
        return record_error(p, "no provider, no user, no binding or a negative time");
    }
    APR_ARRAY_PUSH(f, const char *) = RECORD_TAG;
    APR_ARRAY_PUSH(f, const char *) = s->scope;
    APR_ARRAY_PUSH(f, const char *) = s->provider;
    APR_ARRAY_PUSH(f, const char *) = s->fingerprint;
    APR_ARRAY_PUSH(f, const char *) = s->remote_user;
    APR_ARRAY_PUSH(f, const char *) = time_text(p, s->created);
    APR_ARRAY_PUSH(f, const char *) = time_text(p, s->expires);
    APR_ARRAY_PUSH(f, const char *) = time_text(p, s->last_seen);
    APR_ARRAY_PUSH(f, const char *) = time_text(p, s->access_expires);
    if ((err = push_claims(p, f, s->claims)) != NULL) {
        return err;
    }
    *buf = ac_fields_join(p, f, len);
    return NULL;
}

static int read_claim(apr_pool_t *p, ac_field_reader *r, ac_claim *c)
{
    apr_size_t n, i;

    c->path = ac_field_next(r);
    c->env_name = ac_field_next(r);
    c->env_value = ac_field_next(r);
    /* a missing field makes every later one missing; each value takes at
     * least its NUL, which bounds the count */
    if (c->env_value == NULL
        || !ac_field_next_count(r, (apr_size_t)(r->end - r->pos), &n)) {
        return 0;
    }
    c->nvalues = (int)n;
    c->values = apr_palloc(p, (n ? n : 1) * sizeof(*c->values));
    for (i = 0; i < n; i++) {
        if ((c->values[i] = ac_field_next(r)) == NULL) {
            return 0;
        }
    }
    return 1;
}

static int read_claims(apr_pool_t *p, ac_field_reader *r,
                       apr_array_header_t **out)
{
    apr_size_t n, i;

    if (!ac_field_next_count(r, (apr_size_t)(r->end - r->pos) / CLAIM_MIN_BYTES,
                             &n)) {
        return 0;
    }
    *out = apr_array_make(p, n ? (int)n : 1, sizeof(ac_claim));
    for (i = 0; i < n; i++) {
        if (!read_claim(p, r, apr_array_push(*out))) {
            return 0;
        }
    }
    return 1;
}

ac_error *ac_session_record_decode(apr_pool_t *p, char *buf, apr_size_t len,
                                   ac_session_record *s)
{
    ac_session_record d;
    ac_field_reader r;
    const char *tag;

    if (buf == NULL || len == 0) {
        return record_error(p, "empty");
    }
    ac_field_reader_init(&r, buf, len);
    tag = ac_field_next(&r);
    if (tag == NULL || strcmp(tag, RECORD_TAG) != 0) {
        return record_error(p, "unknown format");
    }
    d.scope = ac_field_next(&r);
    d.provider = ac_field_next(&r);
    d.fingerprint = ac_field_next(&r);
    d.remote_user = ac_field_next(&r);
    /* an empty user must never authenticate, whatever wrote the record */
    if (d.remote_user == NULL || *d.remote_user == '\0'
        || !ac_field_next_time(&r, &d.created)
        || !ac_field_next_time(&r, &d.expires)
        || !ac_field_next_time(&r, &d.last_seen)
        || !ac_field_next_time(&r, &d.access_expires)) {
        return record_error(p, "truncated header");
    }
    if (!read_claims(p, &r, &d.claims)) {
        return record_error(p, "bad claim list");
    }
    if (!ac_field_reader_done(&r)) {
        return record_error(p, "trailing bytes");
    }
    *s = d;
    return NULL;
}
