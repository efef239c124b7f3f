/*
 * fuzz_jwks.c - the provider's JWKS document as ac_idtoken_validate reads
 * it: key selection by kid and type, import into cjose, signature check.
 *
 * Input: one byte choosing a fixed token of fixture_keys.h, then the JWKS
 * document (up to its first NUL, as the cache hands it over).
 */
#include <string.h>

#include "fixture.h"
#include "fixture_keys.h"
#include "jose.h"
#include "json.h"
#include "support.h"

typedef struct token {
    const char *jwt;
    int may_pass;               /* 0: no JWKS whatsoever may validate it */
} token;

static const token tokens[] = {
    { FZ_TOKEN_RS256, 1 },
    { FZ_TOKEN_RS256_NOKID, 1 },
    { FZ_TOKEN_ES256, 1 },
    { FZ_TOKEN_PS256, 1 },
    { FZ_TOKEN_CONFUSED, 0 },       /* HS256 is not allowed here */
    { FZ_TOKEN_HS256, 0 },
    { FZ_TOKEN_NONE, 0 },
    { FZ_TOKEN_EXPIRED, 0 },
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const token *t;
    ac_idtoken_expect e;
    apr_pool_t *p;
    json_t *claims = NULL;
    ac_error *err;

    if (size < 1) {
        return 0;
    }
    p = fz_pool_begin();
    t = &tokens[data[0] % (sizeof(tokens) / sizeof(tokens[0]))];
    memset(&e, 0, sizeof(e));
    e.issuer = FZ_ISS;
    e.client_id = FZ_CLIENT;
    e.client_secret = FZ_SECRET;
    e.nonce = FZ_NONCE;
    e.access_token = FZ_ACCESS_TOKEN;
    e.now = apr_time_from_sec(FZ_NOW_SEC);
    e.clock_skew = FZ_SKEW;
    e.iat_max_age = FZ_MAX_AGE;
    err = ac_idtoken_validate(p, t->jwt, fz_cstr(p, data + 1, size - 1), &e,
                              &claims);
    fz_note("jwks", err);
    if (err == NULL) {
        FZ_ASSERT(t->may_pass);
        FZ_ASSERT(claims != NULL);
    }
    fz_pool_end(p);
    return 0;
}
