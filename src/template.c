/*
 * template.c - see template.h.  A placeholder is "{{" name "}}" with a
 * name of letters, digits and '_' (at most AC_TEMPLATE_NAME_MAX); anything
 * else between braces is text, so a page's CSS or script keeps its braces.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "template.h"

#define AC_TEMPLATE_NAME_MAX 32

/* The length of the name of a placeholder starting at s ("{{"), or 0. */
static apr_size_t placeholder_at(const char *s)
{
    apr_size_t n = 0;

    if (s[0] != '{' || s[1] != '{') {
        return 0;
    }
    while (n < AC_TEMPLATE_NAME_MAX && (apr_isalnum(s[2 + n]) || s[2 + n] == '_')) {
        n++;
    }
    return n > 0 && s[2 + n] == '}' && s[3 + n] == '}' ? n : 0;
}

static const ac_template_var *var_named(const ac_template_var *vars,
                                        apr_size_t nvars, const char *name,
                                        apr_size_t len)
{
    apr_size_t i;

    for (i = 0; i < nvars; i++) {
        if (strncmp(vars[i].name, name, len) == 0 && vars[i].name[len] == '\0') {
            return &vars[i];
        }
    }
    return NULL;
}

const char *ac_template_escape(apr_pool_t *p, const char *s)
{
    apr_size_t len = 0, i;
    const char *c;
    char *buf, *w;

    for (c = s; *c; c++) {
        len += *c == '&' ? 5 : *c == '<' || *c == '>' ? 4
             : *c == '"' || *c == '\'' ? 6 : 1;
    }
    buf = w = apr_palloc(p, len + 1);
    for (i = 0; s[i]; i++) {
        const char *ent = s[i] == '&' ? "&amp;" : s[i] == '<' ? "&lt;"
                        : s[i] == '>' ? "&gt;" : s[i] == '"' ? "&quot;"
                        : s[i] == '\'' ? "&#39;" : NULL;

        if (ent != NULL) {
            memcpy(w, ent, strlen(ent));
            w += strlen(ent);
        }
        else {
            *w++ = s[i];
        }
    }
    *w = '\0';
    return buf;
}

char *ac_template_render(apr_pool_t *p, const char *tmpl,
                         const ac_template_var *vars, apr_size_t nvars)
{
    apr_array_header_t *parts = apr_array_make(p, 32, sizeof(const char *));
    const char *s = tmpl, *text = tmpl;

    while ((s = strstr(s, "{{")) != NULL) {
        apr_size_t n = placeholder_at(s);
        const ac_template_var *v;

        if (n == 0) {
            s++;
            continue;
        }
        APR_ARRAY_PUSH(parts, const char *) = apr_pstrmemdup(p, text, s - text);
        v = var_named(vars, nvars, s + 2, n);
        if (v != NULL && v->value != NULL) {
            APR_ARRAY_PUSH(parts, const char *) = v->markup ? v->value
                : ac_template_escape(p, v->value);
        }
        s += n + 4;
        text = s;
    }
    APR_ARRAY_PUSH(parts, const char *) = text;
    return apr_array_pstrcat(p, parts, 0);
}

const char *ac_template_unknown(apr_pool_t *p, const char *tmpl,
                                const char *const *known, int *line)
{
    const char *s;

    *line = 1;
    for (s = tmpl; *s; s++) {
        apr_size_t n = placeholder_at(s);
        int i, found = 0;

        if (*s == '\n') {
            (*line)++;
        }
        if (n == 0) {
            continue;
        }
        for (i = 0; known[i] != NULL && !found; i++) {
            found = strncmp(known[i], s + 2, n) == 0 && known[i][n] == '\0';
        }
        if (!found) {
            return apr_pstrmemdup(p, s + 2, n);
        }
        s += n + 3;
    }
    return NULL;
}
