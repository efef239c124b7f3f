/*
 * fuzz_flow_entry.c - ac_flow_entry_decode, run at the callback over the
 * bytes the cache returned for a login in progress, and its round trip
 * through ac_flow_entry_encode.
 *
 * Input: the entry bytes (the buffer is exactly that long).
 */
#include <string.h>

#include "flow_record.h"
#include "pkce.h"
#include "support.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    return 0;
}

static int str_eq(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void entries_equal(const ac_flow_entry *a, const ac_flow_entry *b)
{
    FZ_ASSERT(str_eq(a->flow_id, b->flow_id));
    FZ_ASSERT(str_eq(a->provider, b->provider));
    FZ_ASSERT(str_eq(a->original_url, b->original_url));
    FZ_ASSERT(str_eq(a->redirect_uri, b->redirect_uri));
    FZ_ASSERT(str_eq(a->nonce, b->nonce));
    FZ_ASSERT(str_eq(a->code_verifier, b->code_verifier));
    FZ_ASSERT(str_eq(a->token_secret, b->token_secret));
    FZ_ASSERT(str_eq(a->scope, b->scope));
    FZ_ASSERT(str_eq(a->fingerprint, b->fingerprint));
    FZ_ASSERT(a->created == b->created);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fz_pool_begin();
    ac_flow_entry e, e2;
    char *enc, *enc2;
    apr_size_t len, len2;

    ac_error *err = ac_flow_entry_decode(p, fz_copy(p, data, size), size, &e);

    fz_note("flow_entry", err);
    if (err == NULL) {
        FZ_ASSERT(e.flow_id != NULL && *e.flow_id != '\0');
        FZ_ASSERT(e.scope != NULL && e.provider != NULL
                  && e.fingerprint != NULL && e.original_url != NULL
                  && e.redirect_uri != NULL && e.nonce != NULL
                  && e.code_verifier != NULL && e.token_secret != NULL);
        FZ_ASSERT(e.created >= 0);
        FZ_ASSERT(ac_flow_entry_encode(p, &e, &enc, &len) == NULL);
        FZ_ASSERT(ac_flow_entry_decode(p, fz_copy(p, (uint8_t *)enc, len),
                                       len, &e2) == NULL);
        entries_equal(&e, &e2);
        FZ_ASSERT(ac_flow_entry_encode(p, &e2, &enc2, &len2) == NULL);
        FZ_ASSERT(len2 == len && memcmp(enc, enc2, len) == 0);
    }
    fz_pool_end(p);
    return 0;
}
