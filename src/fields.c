/*
 * fields.c - records of NUL-terminated fields (fields.h).
 */
#include <string.h>

#include "fields.h"

char *ac_fields_join(apr_pool_t *p, const apr_array_header_t *fields,
                     apr_size_t *len)
{
    const char **f = (const char **)fields->elts;
    apr_size_t total = 0;
    char *buf, *o;
    int i;

    for (i = 0; i < fields->nelts; i++) {
        total += (f[i] ? strlen(f[i]) : 0) + 1;
    }
    buf = o = apr_palloc(p, total ? total : 1);
    for (i = 0; i < fields->nelts; i++) {
        apr_size_t n = f[i] ? strlen(f[i]) : 0;

        memcpy(o, f[i] ? f[i] : "", n + 1);
        o += n + 1;
    }
    *len = total;
    return buf;
}

void ac_field_reader_init(ac_field_reader *r, char *buf, apr_size_t len)
{
    r->pos = buf;
    r->end = buf + len;
}

int ac_field_next_count(ac_field_reader *r, apr_size_t max, apr_size_t *out)
{
    const char *f = ac_field_next(r);
    apr_size_t n = 0;

    if (f == NULL || *f == '\0') {
        return 0;
    }
    for (; *f; f++) {
        if (*f < '0' || *f > '9') {
            return 0;
        }
        n = n * 10 + (apr_size_t)(*f - '0');
        /* checked per digit so the multiplication cannot wrap */
        if (n > max) {
            return 0;
        }
    }
    *out = n;
    return 1;
}

int ac_field_next_time(ac_field_reader *r, apr_time_t *out)
{
    const char *f = ac_field_next(r);
    apr_time_t t = 0;

    if (f == NULL || *f == '\0' || strlen(f) > 18) {
        /* 18 digits cannot overflow a 64-bit apr_time_t; times are
         * microseconds since 1970 and need 16 */
        return 0;
    }
    for (; *f; f++) {
        if (*f < '0' || *f > '9') {
            return 0;
        }
        t = t * 10 + (*f - '0');
    }
    *out = t;
    return 1;
}

int ac_field_reader_done(const ac_field_reader *r)
{
    return r->pos == r->end;
}
