/*
 * json.h - JSON documents from outside (jansson), owned by APR pools.
 */
#ifndef AC_JSON_H
#define AC_JSON_H

#include <jansson.h>
#include "util.h"

/* Parse a JSON object document; error when not an object.  Released by a
 * cleanup on `p`. */
ac_error *ac_json_parse_object(apr_pool_t *p, const char *text, apr_size_t len,
                               const char *what, json_t **out);

/* Hand one reference of `j` to `p`: json_decref'd when `p` is cleared. */
void ac_json_pool_own(apr_pool_t *p, json_t *j);

/* String member or NULL. */
const char *ac_json_string(json_t *obj, const char *name);

#endif
