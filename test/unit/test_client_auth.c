/*
 * test_client_auth.c - client authentication by signed JWT (RFC 7523 2.2):
 * key loading, then assertions taken apart by hand (split, base64url-decode,
 * parse) and their signatures checked twice - by cjose with the public half
 * of the key, and by OpenSSL on its own so a cjose quirk on both the signing
 * and the verifying side cannot hide.  The keys are in test/unit/data/ (made
 * with `openssl genpkey`, for tests only).
 */
#include <stdlib.h>
#include <string.h>

#include <cjose/cjose.h>
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "client_auth.h"
#include "unit.h"

#define CLIENT "s6BhdRkqt3"
#define AUD "https://server.example.com/token"
#define SECRET "a client secret for client_secret_jwt tests"
#define NOW 1700000000

static const char *data_path(const char *name)
{
    /* the automake test harness exports srcdir; a manual run starts at the
     * top of the tree */
    const char *dir = getenv("srcdir");

    return apr_pstrcat(unit_pool, dir ? dir : ".", "/test/unit/data/", name,
                       NULL);
}

/* ---- taking a JWT apart ------------------------------------------------- */

typedef struct jwt_parts {
    json_t *header;
    json_t *claims;
    const char *signing_input;      /* header.payload */
    unsigned char *sig;
    apr_size_t siglen;
} jwt_parts;

static apr_status_t json_release(void *data)
{
    json_decref(data);
    return APR_SUCCESS;
}

static json_t *part_json(const char *b64, apr_size_t len)
{
    apr_size_t n = 0;
    unsigned char *raw = ac_b64url_decode(unit_pool,
                                          apr_pstrmemdup(unit_pool, b64, len),
                                          &n);
    json_t *j;

    ck_assert_ptr_nonnull(raw);
    j = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, NULL);
    ck_assert_ptr_nonnull(j);
    ck_assert(json_is_object(j));
    apr_pool_cleanup_register(unit_pool, j, json_release,
                              apr_pool_cleanup_null);
    return j;
}

static jwt_parts jwt_split(const char *jwt)
{
    const char *dot1 = strchr(jwt, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    jwt_parts parts;

    ck_assert_ptr_nonnull(dot2);
    ck_assert_ptr_null(strchr(dot2 + 1, '.'));
    parts.header = part_json(jwt, (apr_size_t)(dot1 - jwt));
    parts.claims = part_json(dot1 + 1, (apr_size_t)(dot2 - dot1 - 1));
    parts.signing_input = apr_pstrmemdup(unit_pool, jwt,
                                         (apr_size_t)(dot2 - jwt));
    parts.sig = ac_b64url_decode(unit_pool, dot2 + 1, &parts.siglen);
    ck_assert_ptr_nonnull(parts.sig);
    return parts;
}

static json_int_t claim_int(json_t *c, const char *name)
{
    json_t *v = json_object_get(c, name);

    ck_assert_msg(json_is_integer(v), "%s is not an integer", name);
    return json_integer_value(v);
}

static void claims_check(const jwt_parts *p, int lifetime)
{
    const char *jti = ac_json_string_or_null:
        NULL;
}
