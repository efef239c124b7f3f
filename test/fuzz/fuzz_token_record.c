/*
 * fuzz_token_record.c - ac_token_record_decode, run over the bytes the
 * cache returned for a session's tokens (token export, refresh, logout),
 * its round trip through ac_token_record_encode, and ac_token_refresh_due
 * over what was decoded.
 *
 * Input: the record bytes (the buffer is exactly that long, so a read past
 * the end is an ASan report).
 */
#include <limits.h>
#include <string.h>

#include "support.h"
#include "token_record.h"

#define USEC APR_USEC_PER_SEC

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

static void sets_equal(const ac_token_set *a, const ac_token_set *b)
{
    FZ_ASSERT(str_eq(a->access_token, b->access_token));
    FZ_ASSERT(str_eq(a->token_type, b->token_type));
    FZ_ASSERT(a->expires == b->expires);
    FZ_ASSERT(str_eq(a->refresh_token, b->refresh_token));
    FZ_ASSERT(str_eq(a->id_token, b->id_token));
    FZ_ASSERT(str_eq(a->token_secret, b->token_secret));
    FZ_ASSERT(a->refresh_dead == b->refresh_dead);
    FZ_ASSERT(a->retry_after == b->retry_after);
}

/*
 * token_record.h's sentence, written out: due when the access token
 * expires within `margin` seconds of `now`, it said when it expires, there
 * is a live refresh token and no back-off runs.
 */
static int model_due(const ac_token_set *t, apr_time_t now, int margin)
{
    apr_time_t m = apr_time_from_sec(margin > 0 ? margin : 0);

    if (t->refresh_token == NULL || *t->refresh_token == '\0'
        || t->refresh_dead || t->expires == 0 || now < t->retry_after) {
        return 0;
    }
    return t->expires <= now + m;
}

static void check_due(const ac_token_set *t)
{
    static const int margins[] = { INT_MIN, -1, 0, 1, 60, 3600, INT_MAX };
    /* decoded times have at most 18 digits, so `now + margin` cannot wrap
     * for any of these */
    const apr_time_t nows[] = {
        0, 1, -1, (apr_time_t)FZ_NOW_SEC * USEC, t->expires, t->expires - 1,
        t->expires + 1, t->retry_after, t->retry_after - 1,
        (apr_time_t)999999999999999999LL,
        -(apr_time_t)999999999999999999LL,
    };
    ac_token_set dead = *t, norefresh = *t;
    size_t i, j;

    dead.refresh_dead = 1;
    norefresh.refresh_token = "";
    for (i = 0; i < sizeof(nows) / sizeof(nows[0]); i++) {
        for (j = 0; j < sizeof(margins) / sizeof(margins[0]); j++) {
            int due = ac_token_refresh_due(t, nows[i], margins[j]);

            FZ_ASSERT(due == 0 || due == 1);
            FZ_ASSERT(due == model_due(t, nows[i], margins[j]));
            FZ_ASSERT(ac_token_refresh_due(&dead, nows[i], margins[j]) == 0);
            FZ_ASSERT(ac_token_refresh_due(&norefresh, nows[i], margins[j])
                      == 0);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fz_pool_begin();
    ac_token_set t, t2, t3;
    char *enc, *enc2;
    apr_size_t len, len2;
    ac_error *err;

    err = ac_token_record_decode(p, fz_copy(p, data, size), size, &t);
    fz_note("token_record", err);
    if (err == NULL) {
        FZ_ASSERT(t.access_token != NULL && t.token_type != NULL
                  && t.refresh_token != NULL && t.id_token != NULL
                  && t.token_secret != NULL);
        FZ_ASSERT(t.expires >= 0 && t.retry_after >= 0);
        FZ_ASSERT(t.refresh_dead == 0 || t.refresh_dead == 1);
        check_due(&t);
        FZ_ASSERT(ac_token_record_encode(p, &t, &enc, &len) == NULL);
        FZ_ASSERT(ac_token_record_decode(p, fz_copy(p, (uint8_t *)enc, len),
                                         len, &t2) == NULL);
        sets_equal(&t, &t2);
        /* once written by the encoder, the bytes are canonical */
        FZ_ASSERT(ac_token_record_encode(p, &t2, &enc2, &len2) == NULL);
        FZ_ASSERT(len2 == len && memcmp(enc, enc2, len) == 0);
        FZ_ASSERT(ac_token_record_decode(p, enc2, len2, &t3) == NULL);
        sets_equal(&t2, &t3);
    }
    fz_pool_end(p);
    return 0;
}
