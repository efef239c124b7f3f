/*
 * json.c - JSON documents from outside (jansson), owned by APR pools.
 */
#include "json.h"

static apr_status_t json_cleanup(void *data)
{
    json_decref((json_t *)data);
    return APR_SUCCESS;
}

ac_error *ac_json_parse_object(apr_pool_t *p, const char *text, apr_size_t len,
                               const char *what, json_t **out)
{
    json_error_t jerr;
    json_t *j;

    *out = NULL;
    if (text == NULL) {
        return ac_error_make(p, AC_E_JSON_MALFORMED, "%s is empty", what);
    }
    /* Duplicate names are refused: two parsers could pick different ones. */
    j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (j == NULL) {
        return ac_error_make(p, AC_E_JSON_MALFORMED,
                             "%s is not valid JSON (line %d, column %d: %s)",
                             what, jerr.line, jerr.column, jerr.text);
    }
    if (!json_is_object(j)) {
        json_decref(j);
        return ac_error_make(p, AC_E_JSON_MALFORMED,
                             "%s is not a JSON object", what);
    }
    ac_json_pool_own(p, j);
    *out = j;
    return NULL;
}

void ac_json_pool_own(apr_pool_t *p, json_t *j)
{
    apr_pool_cleanup_register(p, j, json_cleanup, apr_pool_cleanup_null);
}

const char *ac_json_string(json_t *obj, const char *name)
{
    return json_string_value(json_object_get(obj, name));
}

