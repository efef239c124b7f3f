/*
 * fuzz_idtoken.c - ac_idtoken_validate over a hostile ID token, against the
 * fixed JWKS of fixture_keys.h, and ac_jwt_peek_string.
 *
 * Input: a mode byte, then
 *   bit 0 clear: the compact JWT itself;
 *   bit 0 set:   a header and a payload (JSON, split at the first NUL) that
 *                this target serialises and signs with HS256 under the
 *                client secret, so that the claim checks run on fuzzed
 *                claims behind a signature that verifies.
 * Bit 1 adds HS256 to the allowed algorithms; bit 2 passes the access token
 * (at_hash is checked).
 */
#include <string.h>

#include <apr_strings.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "fixture.h"
#include "fixture_keys.h"
#include "jose.h"
#include "json.h"
#include "support.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    return 0;
}

/* b64url(header) "." b64url(payload) "." HS256 over both */
static const char *hs256_token(apr_pool_t *p, const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t hlen = nul ? (size_t)(nul - data) : size;
    const uint8_t *payload = nul ? nul + 1 : data + size;
    size_t plen = nul ? size - hlen - 1 : 0;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    const char *input;

    input = apr_pstrcat(p, ac_b64url_encode(p, data, hlen), ".",
                        ac_b64url_encode(p, payload, plen), NULL);
    if (HMAC(EVP_sha256(), FZ_SECRET, (int)strlen(FZ_SECRET),
             (const unsigned char *)input, strlen(input), mac, &maclen) == NULL) {
        return NULL;
    }
    return apr_pstrcat(p, input, ".", ac_b64url_encode(p, mac, maclen), NULL);
}

/* the alg of a token's header, unchecked */
static const char *header_alg(apr_pool_t *p, const char *jwt)
{
    const char *raw = (const char *)ac_b64url_decode(
        p, apr_pstrmemdup(p, jwt, strcspn(jwt, ".")), NULL);
    json_t *h = raw ? json_loads(raw, 0, NULL) : NULL;
    const char *alg = apr_pstrdup(p, json_string_value(json_object_get(h, "alg")));

    json_decref(h);
    return alg;
}

static int member_is(json_t *c, const char *name, const char *want)
{
    const char *v = json_string_value(json_object_get(c, name));

    return v != NULL && strcmp(v, want) == 0;
}

/* what every accepted token must satisfy, checked independently */
static void check_claims(apr_pool_t *p, json_t *c, int hs_allowed,
                         const char *jwt)
{
    const char *alg = header_alg(p, jwt);
    json_t *aud = json_object_get(c, "aud");
    const char *sub = json_string_value(json_object_get(c, "sub"));
    size_t i;
    int found = json_is_string(aud) && strcmp(json_string_value(aud), FZ_CLIENT) == 0;

    FZ_ASSERT(json_is_object(c));
    FZ_ASSERT(member_is(c, "iss", FZ_ISS));
    FZ_ASSERT(member_is(c, "nonce", FZ_NONCE));
    FZ_ASSERT(sub != NULL && *sub != '\0');
    for (i = 0; json_is_array(aud) && i < json_array_size(aud); i++) {
        json_t *v = json_array_get(aud, i);

        found |= json_is_string(v) && strcmp(json_string_value(v), FZ_CLIENT) == 0;
    }
    FZ_ASSERT(found);
    /* several audiences: azp names this client */
    FZ_ASSERT(!(json_is_array(aud) && json_array_size(aud) > 1)
              || member_is(c, "azp", FZ_CLIENT));
    FZ_ASSERT(json_is_number(json_object_get(c, "exp")));
    FZ_ASSERT(json_number_value(json_object_get(c, "exp")) > FZ_NOW_SEC - FZ_SKEW);
    FZ_ASSERT(json_is_number(json_object_get(c, "iat")));
    FZ_ASSERT(json_number_value(json_object_get(c, "iat")) <= FZ_NOW_SEC + FZ_SKEW);
    /* an HMAC token passes only where HS256 was allowed */
    FZ_ASSERT(alg != NULL && strcmp(alg, "none") != 0);
    FZ_ASSERT(hs_allowed || strncmp(alg, "HS", 2) != 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const algs[] = { "RS256", "PS256", "ES256", "HS256" };
    ac_idtoken_expect e;
    apr_array_header_t *allowed;
    apr_pool_t *p;
    const char *jwt;
    json_t *claims = NULL;
    ac_error *err;
    size_t i;
    int mode;

    if (size < 1) {
        return 0;
    }
    p = fz_pool_begin();
    mode = data[0];
    jwt = (mode & 1) ? hs256_token(p, data + 1, size - 1)
                     : fz_cstr(p, data + 1, size - 1);
    if (jwt == NULL) {
        fz_pool_end(p);
        return 0;
    }
    memset(&e, 0, sizeof(e));
    e.issuer = FZ_ISS;
    e.client_id = FZ_CLIENT;
    e.client_secret = FZ_SECRET;
    e.nonce = FZ_NONCE;
    e.access_token = (mode & 4) ? FZ_ACCESS_TOKEN : NULL;
    e.now = apr_time_from_sec(FZ_NOW_SEC);
    e.clock_skew = FZ_SKEW;
    e.iat_max_age = FZ_MAX_AGE;
    if (mode & 2) {
        allowed = apr_array_make(p, 4, sizeof(const char *));
        for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
            APR_ARRAY_PUSH(allowed, const char *) = algs[i];
        }
        e.allowed_algs = allowed;
    }
    err = ac_idtoken_validate(p, jwt, FZ_JWKS, &e, &claims);
    fz_note("idtoken", err);
    if (err == NULL) {
        FZ_ASSERT(claims != NULL);
        check_claims(p, claims, (mode & 2) != 0, jwt);
    }
    else {
        FZ_ASSERT(claims == NULL);
    }
    /* the unchecked peek, used to pick the Entra tenant's issuer */
    (void)ac_jwt_peek_string(p, jwt, "iss");
    (void)ac_jwt_peek_string(p, jwt, "tid");
    fz_pool_end(p);
    return 0;
}
