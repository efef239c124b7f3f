/*
 * fuzz_template.c - ac_template_render and ac_template_unknown, the page
 * templates.  The values come from outside (a user name, a claim, a URL
 * the browser asked for); whatever they hold, escaped they can add no
 * markup: no < > " ' and no & that does not start an entity of ours.
 *
 * Input: a template, then a NUL, then the value of {{v}} (markup 0).
 */
#include <string.h>

#include "support.h"
#include "template.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    return 0;
}

static int only_our_entities(const char *s)
{
    static const char *const ents[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;" };

    for (; *s; s++) {
        size_t i, ok = 0;

        if (*s == '<' || *s == '>' || *s == '"' || *s == '\'') {
            return 0;
        }
        if (*s != '&') {
            continue;
        }
        for (i = 0; i < sizeof(ents) / sizeof(ents[0]) && !ok; i++) {
            ok = strncmp(s, ents[i], strlen(ents[i])) == 0;
        }
        if (!ok) {
            return 0;
        }
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const known[] = { "v", "title", NULL };
    apr_pool_t *p = fz_pool_begin();
    const char *tmpl = fz_cstr(p, data, size);
    size_t used = strlen(tmpl) + 1;
    const char *value = used < size ? fz_cstr(p, data + used, size - used) : "";
    ac_template_var v = { "v", value, 0 };
    int line;

    FZ_ASSERT(ac_template_render(p, tmpl, &v, 1) != NULL);
    FZ_ASSERT(only_our_entities(ac_template_render(p, "{{v}}", &v, 1)));
    (void)ac_template_unknown(p, tmpl, known, &line);
    FZ_ASSERT(line >= 1);
    fz_pool_end(p);
    return 0;
}
