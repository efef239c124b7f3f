/*
 * error.c - errors as values (error.h): the table of codes and categories.
 */
#include <stdarg.h>

#include <apr_strings.h>

#include "error.h"

static const struct {
    const char *code;
    ac_error_category category;
} error_table[AC_E_COUNT] = {
#define AC_ERROR_ROW(id, code, cat) { code, AC_CAT_##cat },
    AC_ERROR_CODES(AC_ERROR_ROW)
#undef AC_ERROR_ROW
};

const char *ac_error_code(ac_error_id id)
{
    return id < AC_E_COUNT ? error_table[id].code : "unknown";
}

ac_error_category ac_error_category_of(ac_error_id id)
{
    return id < AC_E_COUNT ? error_table[id].category : AC_CAT_INTERNAL;
}

static ac_error *error_new(apr_pool_t *p, ac_error_id id, const char *message)
{
    ac_error *e = apr_palloc(p, sizeof(*e));

    e->id = id;
    e->code = ac_error_code(id);
    e->category = ac_error_category_of(id);
    e->message = message;
    return e;
}

ac_error *ac_error_make(apr_pool_t *p, ac_error_id id, const char *fmt, ...)
{
    va_list ap;
    const char *message;

    va_start(ap, fmt);
    message = apr_pvsprintf(p, fmt, ap);
    va_end(ap);
    return error_new(p, id, message);
}

ac_error *ac_error_wrap(apr_pool_t *p, const ac_error *e, const char *context)
{
    return error_new(p, e->id, context
                     ? apr_pstrcat(p, context, ": ", e->message, NULL)
                     : apr_pstrdup(p, e->message));
}
