/*
 * claims.h - turning a JSON claim set into the flat list that is stored in
 * the session record at login, so the per-request path exports environment
 * variables and evaluates `Require claim` without parsing JSON.
 */
#ifndef AC_CLAIMS_H
#define AC_CLAIMS_H

#include <jansson.h>
#include "util.h"

/* Nesting deeper than this is not flattened (the subtree is dropped). */
#define AC_CLAIMS_MAX_DEPTH 8

typedef struct ac_claim {
    const char *path;           /* dotted JSON path: "address.country" */
    const char *env_name;       /* sanitised for the environment: "address_country";
                                 * "" when a later claim has the same name */
    const char *env_value;      /* array elements joined with ",", control chars stripped */
    int nvalues;                /* scalars, for Require claim (arrays: one per element) */
    const char **values;
} ac_claim;

/*
 * Flatten a JSON object.  Leaves: strings as they are, true/false as
 * "true"/"false", integers in decimal (exact, also above 2^53), reals with
 * %.17g, null as "".  Objects recurse with "parent.child" paths; arrays of
 * scalars give one value per element; an array element that is an object or
 * array is kept as its compact JSON text.  Returns an array of ac_claim.
 */
apr_array_header_t *ac_claims_flatten(apr_pool_t *p, json_t *obj);

/* [A-Za-z0-9_] kept, everything else becomes '_'. */
char *ac_claim_name_sanitise(apr_pool_t *p, const char *name);

/* Control characters (< 0x20 and 0x7f) removed; UTF-8 kept. */
char *ac_claim_value_clean(apr_pool_t *p, const char *value);

/* Linear lookup by dotted path; NULL when absent. */
const ac_claim *ac_claims_find(const apr_array_header_t *claims, const char *path);

#endif
