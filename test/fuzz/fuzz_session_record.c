/*
 * fuzz_session_record.c - ac_session_record_decode, run on every
 * authenticated request over the bytes the cache returned, its round
 * trip through ac_session_record_encode, and the claims split out of it
 * on demand (ac_session_record_claim, as Require claim asks): either all
 * of them are readable and agree with the export list, or none is.
 *
 * Input: the record bytes (the buffer is exactly that long, so a read past
 * the end is an ASan report).
 */
#include <string.h>

#include "session_record.h"
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

static void claims_equal(const apr_array_header_t *a,
                         const apr_array_header_t *b)
{
    int i, j;

    FZ_ASSERT((a == NULL) == (b == NULL));
    if (a == NULL) {
        return;
    }
    FZ_ASSERT(a->nelts == b->nelts);
    for (i = 0; i < a->nelts; i++) {
        const ac_claim *x = &APR_ARRAY_IDX(a, i, ac_claim);
        const ac_claim *y = &APR_ARRAY_IDX(b, i, ac_claim);

        FZ_ASSERT(str_eq(x->path, y->path));
        FZ_ASSERT(str_eq(x->env_name, y->env_name));
        FZ_ASSERT(str_eq(x->env_value, y->env_value));
        FZ_ASSERT(x->nvalues == y->nvalues && x->nvalues >= 0);
        for (j = 0; j < x->nvalues; j++) {
            FZ_ASSERT(str_eq(x->values[j], y->values[j]));
        }
    }
}

/* The lazy reader agrees with the export list the decoder made: every
 * exported claim found by its path, with the exported value. */
static void claims_agree(apr_pool_t *p, const ac_session_record *s)
{
    const apr_array_header_t *all = ac_session_record_claims(p, s);
    int i, exported = 0;

    if (all == NULL) {
        /* malformed paths or shapes: no claim is read at all */
        for (i = 0; i < s->nexports; i++) {
            FZ_ASSERT(ac_session_record_claim(p, s, "sub") == NULL);
        }
        return;
    }
    FZ_ASSERT((apr_size_t)all->nelts == s->nclaims);
    for (i = 0; i < all->nelts; i++) {
        const ac_claim *c = &APR_ARRAY_IDX(all, i, ac_claim);
        const ac_claim *found = ac_session_record_claim(p, s, c->path);

        FZ_ASSERT(found != NULL && str_eq(found->path, c->path));
        FZ_ASSERT(c->nvalues >= 0 && c->values != NULL);
        if (c->env_name[0] != '\0') {
            FZ_ASSERT(exported < s->nexports);
            FZ_ASSERT(str_eq(s->exports[exported].value, c->env_value));
            exported++;
        }
    }
    FZ_ASSERT(exported == s->nexports);
}

static void records_equal(apr_pool_t *p, const ac_session_record *a,
                          const ac_session_record *b)
{
    int i;

    FZ_ASSERT(str_eq(a->scope, b->scope));
    FZ_ASSERT(str_eq(a->provider, b->provider));
    FZ_ASSERT(str_eq(a->fingerprint, b->fingerprint));
    FZ_ASSERT(str_eq(a->remote_user, b->remote_user));
    FZ_ASSERT(str_eq(a->export_prefix, b->export_prefix));
    FZ_ASSERT(a->created == b->created);
    FZ_ASSERT(a->expires == b->expires);
    FZ_ASSERT(a->last_seen == b->last_seen);
    FZ_ASSERT(a->access_expires == b->access_expires);
    FZ_ASSERT(a->nexports == b->nexports);
    for (i = 0; i < a->nexports; i++) {
        FZ_ASSERT(str_eq(a->exports[i].name, b->exports[i].name));
        FZ_ASSERT(str_eq(a->exports[i].value, b->exports[i].value));
    }
    claims_equal(ac_session_record_claims(p, a), ac_session_record_claims(p, b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fz_pool_begin();
    ac_session_record s, s2, s3;
    char *buf, *enc, *enc2;
    apr_size_t len, len2;
    ac_error *err;

    buf = fz_copy(p, data, size);
    err = ac_session_record_decode(p, buf, size, &s);
    fz_note("session_record", err);
    if (err == NULL) {
        /* an empty user must never authenticate */
        FZ_ASSERT(s.remote_user != NULL && *s.remote_user != '\0');
        FZ_ASSERT(s.created >= 0 && s.expires >= 0 && s.last_seen >= 0);
        FZ_ASSERT(ac_session_record_encode(p, &s, &enc, &len) == NULL);
        FZ_ASSERT(ac_session_record_decode(p, fz_copy(p, (uint8_t *)enc, len),
                                           len, &s2) == NULL);
        claims_agree(p, &s);
        records_equal(p, &s, &s2);
        /* once written by the encoder, the bytes are canonical */
        FZ_ASSERT(ac_session_record_encode(p, &s2, &enc2, &len2) == NULL);
        FZ_ASSERT(len2 == len && memcmp(enc, enc2, len) == 0);
        FZ_ASSERT(ac_session_record_decode(p, enc2, len2, &s3) == NULL);
    }
    fz_pool_end(p);
    return 0;
}
