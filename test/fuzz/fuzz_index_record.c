/*
 * fuzz_index_record.c - ac_index_record_decode over the bytes a shared
 * cache returned for a single-logout index entry, its round trip through
 * ac_index_record_encode, and ac_index_record_add on what it decoded.
 *
 * Input: the entry bytes (the buffer is exactly that long, so a read past
 * the end is an ASan report).
 */
#include <string.h>

#include "index_record.h"
#include "support.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fz_pool_begin();
    apr_array_header_t *list = NULL, *again = NULL, *added = NULL;
    ac_error *err = ac_index_record_decode(p, fz_copy(p, data, size), size, &list);
    char *buf;
    apr_size_t len;
    int i;

    fz_note("index_record", err);
    if (err == NULL) {
        FZ_ASSERT(list != NULL && list->nelts <= AC_INDEX_MAX_SESSIONS);
        FZ_ASSERT(ac_index_record_encode(p, list, &buf, &len) == NULL);
        FZ_ASSERT(ac_index_record_decode(p, buf, len, &again) == NULL);
        FZ_ASSERT(again->nelts == list->nelts);
        for (i = 0; i < list->nelts; i++) {
            const ac_index_session *x = &APR_ARRAY_IDX(list, i, ac_index_session);
            const ac_index_session *y = &APR_ARRAY_IDX(again, i, ac_index_session);

            FZ_ASSERT(*x->id != '\0' && strcmp(x->id, y->id) == 0);
            FZ_ASSERT(x->expires == y->expires);
        }
        /* adding keeps the bound and lists the new session once */
        ac_index_record_add(p, list, "new-session", 2000000000, 1, &added);
        FZ_ASSERT(added->nelts <= AC_INDEX_MAX_SESSIONS);
        FZ_ASSERT(ac_index_record_has(added, "new-session"));
        for (i = 0; i < added->nelts; i++) {
            FZ_ASSERT(APR_ARRAY_IDX(added, i, ac_index_session).expires > 1);
        }
        FZ_ASSERT(ac_index_record_encode(p, added, &buf, &len) == NULL);
    }
    fz_pool_end(p);
    return 0;
}
