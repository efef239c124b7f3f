/*
 * fuzz_form.c - ac_form_parse, which reads the callback's query string, the
 * logout form and form-encoded provider answers.
 *
 * Input: one byte choosing the parameter limit, then the query.
 */
#include <string.h>
#include <strings.h>

#include <apr_tables.h>

#include "support.h"
#include "util.h"

/* the limits the callers use: logout, callback, OAuth 1.0a, token answers */
static const int limits[] = { 4, 16, 32, 64 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    apr_table_t *t = NULL;
    const apr_array_header_t *arr;
    const apr_table_entry_t *te;
    int max, i, j;

    if (size < 1) {
        return 0;
    }
    p = fz_pool_begin();
    max = limits[data[0] % (sizeof(limits) / sizeof(limits[0]))];
    if (ac_form_parse(p, fz_cstr(p, data + 1, size - 1), max, &t) == NULL) {
        /* what the header promises of an accepted form */
        FZ_ASSERT(t != NULL);
        arr = apr_table_elts(t);
        te = (const apr_table_entry_t *)arr->elts;
        FZ_ASSERT(arr->nelts <= max);
        for (i = 0; i < arr->nelts; i++) {
            FZ_ASSERT(te[i].key != NULL && *te[i].key != '\0');
            FZ_ASSERT(te[i].val != NULL);
            for (j = 0; j < i; j++) {
                FZ_ASSERT(strcasecmp(te[i].key, te[j].key) != 0);
            }
        }
    }
    fz_pool_end(p);
    return 0;
}
