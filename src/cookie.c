/*
 * cookie.c - the module's cookies out of Cookie request headers (cookie.h).
 */
#include <string.h>

#include "cookie.h"

void ac_cookie_scan(const char *header, const char *name, ac_cookie_values *out)
{
    apr_size_t name_len = strlen(name);
    const char *s = header;

    while (*s && out->count < AC_COOKIE_MAX_VALUES) {
        const char *end;

        /* httpd joins repeated Cookie headers with ", "; a cookie value
         * cannot hold ',' (RFC 6265 4.1.1), so it separates too */
        while (*s == ' ' || *s == '\t' || *s == ';' || *s == ',') {
            s++;
        }
        end = s + strcspn(s, ";,");
        if ((apr_size_t)(end - s) > name_len && strncmp(s, name, name_len) == 0
            && s[name_len] == '=') {
            const char *v = s + name_len + 1;
            apr_size_t len = (apr_size_t)(end - v);

            /* "id " and "id\t" are the same cookie to a browser */
            while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t')) {
                len--;
            }
            out->value[out->count] = v;
            out->len[out->count] = len;
            out->count++;
        }
        s = end;
    }
}
