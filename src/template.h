/*
 * template.h - the module's pages as templates: HTML with {{name}}
 * placeholders, filled with values that are HTML-escaped unless the module
 * built them as markup itself.  The built-in design and an administrator's
 * AuthClientTemplateDir files go through the same renderer.
 */
#ifndef AC_TEMPLATE_H
#define AC_TEMPLATE_H

#include "util.h"

typedef struct ac_template_var {
    const char *name;
    const char *value;          /* NULL renders as nothing */
    int markup;                 /* 1: built by the module, inserted as is */
} ac_template_var;

/* `tmpl` with every {{name}} replaced by its value (escaped unless markup);
 * a name not in `vars` renders as nothing, and text that is not a
 * well-formed placeholder is copied as it is. */
char *ac_template_render(apr_pool_t *p, const char *tmpl,
                         const ac_template_var *vars, apr_size_t nvars);

/* The first placeholder of `tmpl` whose name is not in `known` (a NULL-
 * terminated list), with its line in *line; NULL when every one is known.
 * For the startup check of an administrator's templates. */
const char *ac_template_unknown(apr_pool_t *p, const char *tmpl,
                                const char *const *known, int *line);

/* & < > " ' as entities: for text and attribute values alike. */
const char *ac_template_escape(apr_pool_t *p, const char *s);

#endif
