/*
 * cookie.h - reading the module's cookies out of Cookie request headers.
 *
 * The module's cookies hold only base64url ids, so no unquoting is needed,
 * and a lighter reader than ap_cookie_read keeps the hot path cheap.  Every
 * cookie of the name is returned, not only the first: a cookie planted with
 * a more specific path (or by a sibling subdomain) would otherwise shadow
 * the real one.
 */
#ifndef AC_COOKIE_H
#define AC_COOKIE_H

#include "util.h"

/* How many same-named cookies are looked at; more are ignored, so a flood
 * of planted cookies costs a bounded number of cache reads. */
#define AC_COOKIE_MAX_VALUES 4

typedef struct ac_cookie_values {
    int count;
    const char *value[AC_COOKIE_MAX_VALUES];    /* into the header, not NUL-ended */
    apr_size_t len[AC_COOKIE_MAX_VALUES];
} ac_cookie_values;

/* Add the values of every cookie called `name` in one Cookie header
 * ("a=1; b=2"), in order, until `out` is full. */
void ac_cookie_scan(const char *header, const char *name, ac_cookie_values *out);

#endif
