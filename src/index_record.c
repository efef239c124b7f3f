/*
 * index_record.c - the single-logout index entry (index_record.h).
 *
 * Layout: NUL-terminated fields
 *   "ACI1" count, then per session: id expires
 * Times and counts are decimal; the count is checked against the bytes
 * left before anything is allocated for it.
 */
#include <string.h>

#include "fields.h"
#include "index_record.h"

#define INDEX_TAG "ACI1"
/* the least one session takes: an empty id and "0", each with its NUL */
#define SESSION_MIN_BYTES 3

static ac_error *index_error(apr_pool_t *p, const char *what)
{
    return ac_error_make(p, AC_E_SESSION_RECORD,
                         "the single-logout index entry is malformed (%s)", what);
}

ac_error *ac_index_record_encode(apr_pool_t *p, const apr_array_header_t *list,
                                 char **buf, apr_size_t *len)
{
    apr_array_header_t *f = apr_array_make(p, 2 + 2 * list->nelts,
                                           sizeof(const char *));
    int i;

    if (list->nelts > AC_INDEX_MAX_SESSIONS) {
        return index_error(p, "too many sessions");
    }
    APR_ARRAY_PUSH(f, const char *) = INDEX_TAG;
    APR_ARRAY_PUSH(f, const char *) = apr_itoa(p, list->nelts);
    for (i = 0; i < list->nelts; i++) {
        const ac_index_session *s = &APR_ARRAY_IDX(list, i, ac_index_session);

        if (s->id == NULL || *s->id == '\0' || s->expires < 0) {
            return index_error(p, "a session without id or with a negative time");
        }
        APR_ARRAY_PUSH(f, const char *) = s->id;
        APR_ARRAY_PUSH(f, const char *) = apr_psprintf(p, "%" APR_TIME_T_FMT,
                                                       s->expires);
    }
    *buf = ac_fields_join(p, f, len);
    return NULL;
}

ac_error *ac_index_record_decode(apr_pool_t *p, char *buf, apr_size_t len,
                                 apr_array_header_t **list)
{
    ac_field_reader r;
    const char *tag;
    apr_size_t n, i, max;
    apr_array_header_t *out;

    if (buf == NULL || len == 0) {
        return index_error(p, "empty");
    }
    ac_field_reader_init(&r, buf, len);
    tag = ac_field_next(&r);
    if (tag == NULL || strcmp(tag, INDEX_TAG) != 0) {
        return index_error(p, "unknown format");
    }
    max = (apr_size_t)(r.end - r.pos) / SESSION_MIN_BYTES;
    if (max > AC_INDEX_MAX_SESSIONS) {
        max = AC_INDEX_MAX_SESSIONS;
    }
    if (!ac_field_next_count(&r, max, &n)) {
        return index_error(p, "bad count");
    }
    out = apr_array_make(p, n ? (int)n : 1, sizeof(ac_index_session));
    for (i = 0; i < n; i++) {
        ac_index_session *s = apr_array_push(out);

        s->id = ac_field_next(&r);
        if (s->id == NULL || *s->id == '\0'
            || !ac_field_next_time(&r, &s->expires)) {
            return index_error(p, "truncated");
        }
    }
    if (!ac_field_reader_done(&r)) {
        return index_error(p, "trailing bytes");
    }
    *list = out;
    return NULL;
}

int ac_index_record_add(apr_pool_t *p, const apr_array_header_t *list,
                        const char *id, apr_time_t expires, apr_time_t now,
                        apr_array_header_t **out)
{
    apr_array_header_t *kept = apr_array_make(p, AC_INDEX_MAX_SESSIONS,
                                              sizeof(ac_index_session));
    ac_index_session *added;
    int i, first = -1, dropped = 0;

    for (i = 0; list != NULL && i < list->nelts; i++) {
        const ac_index_session *s = &APR_ARRAY_IDX(list, i, ac_index_session);

        if (s->expires > now && strcmp(s->id, id) != 0) {
            *(ac_index_session *)apr_array_push(kept) = *s;
        }
    }
    if (kept->nelts >= AC_INDEX_MAX_SESSIONS) {
        for (i = 0; i < kept->nelts; i++) {
            ac_index_session *s = &APR_ARRAY_IDX(kept, i, ac_index_session);

            if (first < 0
                || s->expires < APR_ARRAY_IDX(kept, first, ac_index_session).expires) {
                first = i;
            }
        }
        memmove(kept->elts + first * kept->elt_size,
                kept->elts + (first + 1) * kept->elt_size,
                (apr_size_t)(kept->nelts - first - 1) * kept->elt_size);
        kept->nelts--;
        dropped = 1;
    }
    added = apr_array_push(kept);
    added->id = apr_pstrdup(p, id);
    added->expires = expires;
    *out = kept;
    return dropped;
}

int ac_index_record_has(const apr_array_header_t *list, const char *id)
{
    int i;

    for (i = 0; list != NULL && i < list->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(list, i, ac_index_session).id, id) == 0) {
            return 1;
        }
    }
    return 0;
}

apr_time_t ac_index_record_until(const apr_array_header_t *list)
{
    apr_time_t until = 0;
    int i;

    for (i = 0; list != NULL && i < list->nelts; i++) {
        const ac_index_session *s = &APR_ARRAY_IDX(list, i, ac_index_session);

        if (s->expires > until) {
            until = s->expires;
        }
    }
    return until;
}
