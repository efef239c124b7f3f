/*
 * claims.c - flattening a JSON claim set, once at login, into the list the
 * per-request path exports and matches without touching JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_hash.h>
#include <apr_lib.h>

#include "claims.h"

/* Control characters out, including NUL, which jansson allows inside a
 * string and which would otherwise cut "admin\u0000x" down to "admin". */
static char *clean_n(apr_pool_t *p, const char *s, apr_size_t len)
{
    char *out = apr_palloc(p, len + 1);
    char *o = out;
    apr_size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c >= 0x20 && c != 0x7f) {
            *o++ = (char)c;
        }
    }
    *o = '\0';
    return out;
}

char *ac_claim_value_clean(apr_pool_t *p, const char *value)
{
    return value ? clean_n(p, value, strlen(value)) : apr_pstrdup(p, "");
}

char *ac_claim_name_sanitise(apr_pool_t *p, const char *name)
{
    char *out = apr_pstrdup(p, name ? name : "");
    char *c;

    for (c = out; *c; c++) {
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z')
              || (*c >= '0' && *c <= '9') || *c == '_')) {
            *c = '_';
        }
    }
    return out;
}

/* An array element that is itself structured, as compact JSON text. */
static const char *json_text(apr_pool_t *p, json_t *v)
{
    char *dumped = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    const char *text;

    if (dumped == NULL) {
        return "";
    }
    /* JSON escapes controls below 0x20 but may leave DEL raw */
    text = clean_n(p, dumped, strlen(dumped));
    free(dumped);
    return text;
}

/* C's %.17g (round-trip exact); APR's formatter would print 0.5 as ".5". */
static const char *real_text(apr_pool_t *p, double d)
{
    char buf[64];

    snprintf(buf, sizeof(buf), "%.17g", d);
    return apr_pstrdup(p, buf);
}

/* The text of one leaf or array element. */
static const char *leaf_text(apr_pool_t *p, json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return clean_n(p, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        /* json_int_t is 64 bits: exact where a double would round.  APR's
         * formatter does not know JSON_INTEGER_FORMAT ("lld"). */
        return apr_psprintf(p, "%" APR_INT64_T_FMT,
                            (apr_int64_t)json_integer_value(v));
    case JSON_REAL:
        return real_text(p, json_real_value(v));
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    case JSON_NULL:
        return "";
    default:
        return json_text(p, v);
    }
}

static const char *join_values(apr_pool_t *p, const char **values, int n)
{
    apr_size_t total = 0;
    char *out, *o;
    int i;

    for (i = 0; i < n; i++) {
        total += strlen(values[i]) + 1;
    }
    out = o = apr_palloc(p, total ? total : 1);
    for (i = 0; i < n; i++) {
        apr_size_t len = strlen(values[i]);

        if (i > 0) {
            *o++ = ',';
        }
        memcpy(o, values[i], len);
        o += len;
    }
    *o = '\0';
    return out;
}

static void add_claim(apr_pool_t *p, apr_array_header_t *out, const char *path,
                      json_t *v)
{
    ac_claim *c = apr_array_push(out);

    c->path = path;
    c->env_name = ac_claim_name_sanitise(p, path);
    if (json_is_array(v)) {
        size_t i, n = json_array_size(v);

        c->nvalues = (int)n;
        c->values = apr_pcalloc(p, (n ? n : 1) * sizeof(*c->values));
        for (i = 0; i < n; i++) {
            c->values[i] = leaf_text(p, json_array_get(v, i));
        }
        c->env_value = join_values(p, c->values, c->nvalues);
        return;
    }
    c->nvalues = 1;
    c->values = apr_palloc(p, sizeof(*c->values));
    c->values[0] = leaf_text(p, v);
    c->env_value = c->values[0];
}

static void flatten(apr_pool_t *p, apr_array_header_t *out, const char *prefix,
                    json_t *obj, int depth)
{
    const char *key;
    json_t *v;

    json_object_foreach(obj, key, v) {
        const char *path;

        /* an empty name would export the bare prefix */
        if (*key == '\0') {
            continue;
        }
        /* copied: the claim list outlives the JSON document */
        path = prefix ? apr_pstrcat(p, prefix, ".", key, NULL)
                      : apr_pstrdup(p, key);
        if (!json_is_object(v)) {
            add_claim(p, out, path, v);
        }
        else if (depth < AC_CLAIMS_MAX_DEPTH) {
            flatten(p, out, path, v, depth + 1);
        }
    }
}

/*
 * Two claims may come to the same environment name ("a.b" and "a_b", or
 * names that differ in case only: environment tables ignore case).  The
 * later one is exported and the earlier ones not, decided once here, so
 * that every request can add the names without looking them up first.
 * Require claim still sees every claim by its path.
 */
static void unexport_shadowed(apr_pool_t *p, apr_array_header_t *claims)
{
    apr_hash_t *last = apr_hash_make(p);
    int i;

    for (i = claims->nelts - 1; i >= 0; i--) {
        ac_claim *c = &APR_ARRAY_IDX(claims, i, ac_claim);
        char *folded = apr_pstrdup(p, c->env_name);
        char *f;

        for (f = folded; *f; f++) {
            *f = (char)apr_tolower(*f);
        }
        if (apr_hash_get(last, folded, APR_HASH_KEY_STRING) != NULL) {
            c->env_name = "";
        }
        else {
            apr_hash_set(last, folded, APR_HASH_KEY_STRING, c);
        }
    }
}

apr_array_header_t *ac_claims_flatten(apr_pool_t *p, json_t *obj)
{
    apr_array_header_t *out = apr_array_make(p, 16, sizeof(ac_claim));

    if (json_is_object(obj)) {
        flatten(p, out, NULL, obj, 1);
        unexport_shadowed(p, out);
    }
    return out;
}

const ac_claim *ac_claims_find(const apr_array_header_t *claims,
                               const char *path)
{
    int i;

    for (i = 0; claims && i < claims->nelts; i++) {
        const ac_claim *c = &APR_ARRAY_IDX(claims, i, ac_claim);

        if (strcmp(c->path, path) == 0) {
            return c;
        }
    }
    return NULL;
}
