/*
 * fuzz_logout_token.c - ac_logout_token_validate over a hostile logout
 * token, against the fixed JWKS of fixture_keys.h (what a back-channel
 * logout path receives from anyone).
 *
 * Input: a mode byte, then
 *   bit 0 clear: the compact JWT itself;
 *   bit 0 set:   a header and a payload (JSON, split at the first NUL) that
 *                this target serialises and signs with HS256 under the
 *                client secret, so that the claim checks run on fuzzed
 *                claims behind a signature that verifies.
 * Bit 1 adds HS256 to the allowed algorithms.
 */
#include <string.h>

#include <apr_strings.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "fixture.h"
#include "fixture_keys.h"
#include "logout_token.h"
#include "support.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    return 0;
}

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

/* the payload of an accepted token, decoded again here */
static json_t *payload_of(apr_pool_t *p, const char *jwt)
{
    const char *d1 = strchr(jwt, '.');
    const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    apr_size_t n = 0;
    unsigned char *raw;

    FZ_ASSERT(d2 != NULL);
    raw = ac_b64url_decode(p, apr_pstrmemdup(p, d1 + 1, d2 - d1 - 1), &n);
    FZ_ASSERT(raw != NULL);
    return json_loadb((const char *)raw, n, 0, NULL);
}

/* what every accepted token must satisfy, checked independently */
static void check_accepted(apr_pool_t *p, const char *jwt,
                           const ac_logout_claims *out)
{
    json_t *c = payload_of(p, jwt);
    json_t *aud, *events;
    size_t i;
    int found;

    FZ_ASSERT(json_is_object(c));
    FZ_ASSERT(json_is_string(json_object_get(c, "iss"))
              && strcmp(json_string_value(json_object_get(c, "iss")), FZ_ISS) == 0);
    aud = json_object_get(c, "aud");
    found = json_is_string(aud) && strcmp(json_string_value(aud), FZ_CLIENT) == 0;
    for (i = 0; json_is_array(aud) && i < json_array_size(aud); i++) {
        json_t *v = json_array_get(aud, i);

        found |= json_is_string(v) && strcmp(json_string_value(v), FZ_CLIENT) == 0;
    }
    FZ_ASSERT(found);
    events = json_object_get(c, "events");
    FZ_ASSERT(json_is_object(json_object_get(events, AC_BACKCHANNEL_LOGOUT_EVENT)));
    FZ_ASSERT(json_object_get(c, "nonce") == NULL);
    FZ_ASSERT(json_is_number(json_object_get(c, "iat")));
    FZ_ASSERT(json_number_value(json_object_get(c, "iat")) <= FZ_NOW_SEC + FZ_SKEW);
    FZ_ASSERT(out->sid != NULL || out->sub != NULL);
    FZ_ASSERT(out->sid == NULL || *out->sid != '\0');
    FZ_ASSERT(out->sub == NULL || *out->sub != '\0');
    FZ_ASSERT(out->jti != NULL && *out->jti != '\0');
    FZ_ASSERT(out->until > apr_time_from_sec(FZ_NOW_SEC - FZ_SKEW));
    json_decref(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ac_logout_expect e;
    ac_logout_claims out;
    apr_array_header_t *allowed;
    apr_pool_t *p;
    const char *jwt;
    ac_error *err;
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
    e.now = apr_time_from_sec(FZ_NOW_SEC);
    e.clock_skew = FZ_SKEW;
    e.iat_max_age = FZ_MAX_AGE;
    if (mode & 2) {
        allowed = apr_array_make(p, 2, sizeof(const char *));
        APR_ARRAY_PUSH(allowed, const char *) = "RS256";
        APR_ARRAY_PUSH(allowed, const char *) = "HS256";
        e.allowed_algs = allowed;
    }
    err = ac_logout_token_validate(p, jwt, FZ_JWKS, &e, &out);
    fz_note("logout_token", err);
    if (err == NULL) {
        const char *alg = header_alg(p, jwt);

        /* never none; an HMAC token only where HS256 was allowed */
        FZ_ASSERT(alg != NULL && strcmp(alg, "none") != 0);
        FZ_ASSERT((mode & 2) || strncmp(alg, "HS", 2) != 0);
        check_accepted(p, jwt, &out);
    }
    fz_pool_end(p);
    return 0;
}
