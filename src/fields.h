/*
 * fields.h - the byte layout of the session record and the flow entry.
 */
#ifndef AC_FIELDS_H
#define AC_FIELDS_H

#include <string.h>

#include "util.h"

/*
 * Records of NUL-terminated fields: the layout of the session record and the
 * flow entry.  Written by joining strings, read back in place by a cursor
 * that never passes `end`, so a truncated or forged buffer gives an error
 * instead of an over-read.  A NULL field is written as "".
 */
char *ac_fields_join(apr_pool_t *p, const apr_array_header_t *fields,
                     apr_size_t *len);

typedef struct ac_field_reader {
    char *pos;
    const char *end;
} ac_field_reader;

void ac_field_reader_init(ac_field_reader *r, char *buf, apr_size_t len);
/* The next field, or NULL when no NUL ends it before `end`; after a NULL
 * every later call returns NULL too, so checking the last field read is
 * enough.  Inline: the session record is read field by field on every
 * authenticated request. */
static inline const char *ac_field_next(ac_field_reader *r)
{
    char *field = r->pos;
    char *nul;

    if (r->pos >= r->end) {
        return NULL;
    }
    nul = memchr(r->pos, '\0', (apr_size_t)(r->end - r->pos));
    if (nul == NULL) {
        return NULL;
    }
    r->pos = nul + 1;
    return field;
}
/* Decimal count in 0..max; 0 (false) when absent, malformed or too big. */
int ac_field_next_count(ac_field_reader *r, apr_size_t max, apr_size_t *out);
/* Non-negative decimal apr_time_t; 0 (false) when absent or malformed. */
int ac_field_next_time(ac_field_reader *r, apr_time_t *out);
/* True when every byte has been consumed. */
int ac_field_reader_done(const ac_field_reader *r);

#endif
