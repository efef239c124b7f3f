/*
 * jose.c - ID token validation (OpenID Connect Core 1.0, 3.1.3.7) on cjose.
 *
 * cjose verifies a signature with whatever key it is handed, so everything
 * that decides *which* key and *which* algorithm is acceptable happens here,
 * before cjose sees the token: the protected header is decoded and checked
 * by this file (alg allow-list, no `none`, no keys or key URLs carried in the
 * token), the key comes only from the provider's JWKS or, for HS*, only from
 * the client secret, and the key type must fit the algorithm family.  The
 * claims are checked after the signature, so no unsigned payload is trusted
 * beyond being parsed.
 */
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <cjose/cjose.h>

#include "jose.h"
#include "json.h"
#include "keys.h"

typedef enum {
    ALG_RSA,        /* RS*, PS*: an RSA key from the JWKS */
    ALG_EC,         /* ES*: an EC key of the matching curve from the JWKS */
    ALG_HMAC        /* HS*: the client secret, never a JWKS key */
} alg_family;

typedef struct alg_info {
    const char *name;
    alg_family family;
    int bits;               /* hash size: also selects the at_hash digest */
    const char *crv;        /* EC only: JWK "crv" */
    int curve;              /* EC only: cjose curve id */
    int by_default;         /* in the allow-list when none is configured */
} alg_info;

static const alg_info alg_table[] = {
    { "RS256", ALG_RSA, 256, NULL, 0, 1 },
    { "RS384", ALG_RSA, 384, NULL, 0, 1 },
    { "RS512", ALG_RSA, 512, NULL, 0, 1 },
    { "PS256", ALG_RSA, 256, NULL, 0, 1 },
    { "PS384", ALG_RSA, 384, NULL, 0, 1 },
    { "PS512", ALG_RSA, 512, NULL, 0, 1 },
    { "ES256", ALG_EC, 256, "P-256", CJOSE_JWK_EC_P_256, 1 },
    { "ES384", ALG_EC, 384, "P-384", CJOSE_JWK_EC_P_384, 1 },
    { "ES512", ALG_EC, 512, "P-521", CJOSE_JWK_EC_P_521, 1 },
    { "HS256", ALG_HMAC, 256, NULL, 0, 0 },
    { "HS384", ALG_HMAC, 384, NULL, 0, 0 },
    { "HS512", ALG_HMAC, 512, NULL, 0, 0 },
    { NULL, ALG_RSA, 0, NULL, 0, 0 }
};

/* Header members that would let the token choose its own key. */
static const char *const forbidden_headers[] = {
    "jwk", "jku", "x5u", "x5c", NULL
};

/* ---- cjose objects released with a pool --------------------------------- */

/*
 * cjose 0.6 (Debian 12 ships 0.6.2.1) asserts, and so aborts the httpd
 * child, when the first '=' of a base64url string it decodes follows 4n+1
 * characters.  Every string handed to its decoder is checked here first;
 * `end` bounds `s` (a JWT part), NULL means up to the NUL.
 */
static int cjose_b64_would_abort(const char *s, const char *end)
{
    const char *eq = strchr(s, '=');

    return eq != NULL && (end == NULL || eq < end) && (eq - s) % 4 == 1;
}

static apr_status_t jws_cleanup(void *data)
{
    cjose_jws_release((cjose_jws_t *)data);
    return APR_SUCCESS;
}

/* ---- the protected header ----------------------------------------------- */

static ac_error *malformed(apr_pool_t *p, const char *why)
{
    return ac_error_make(p, AC_E_ID_TOKEN_MALFORMED,
                         "the ID token is malformed: %s", why);
}

/* Compact serialisation: exactly three parts, the first two non-empty. */
static ac_error *jwt_header_part(apr_pool_t *p, const char *jwt,
                                 const char **header_b64)
{
    const char *dot1 = strchr(jwt, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;

    if (dot1 == NULL || dot2 == NULL || strchr(dot2 + 1, '.') != NULL) {
        return malformed(p, "it does not have three dot-separated parts");
    }
    if (dot1 == jwt || dot2 == dot1 + 1) {
        return malformed(p, "its header or payload is empty");
    }
    *header_b64 = apr_pstrmemdup(p, jwt, dot1 - jwt);
    return NULL;
}

static ac_error *header_decode(apr_pool_t *p, const char *jwt, json_t **hdr)
{
    const char *b64 = NULL;
    unsigned char *raw;
    apr_size_t len;
    ac_error *err;

    err = jwt_header_part(p, jwt, &b64);
    if (err != NULL) {
        return err;
    }
    raw = ac_b64url_decode(p, b64, &len);
    if (raw == NULL) {
        return malformed(p, "its header is not base64url");
    }
    if (ac_json_parse_object(p, (const char *)raw, len, "the ID token header",
                             hdr) != NULL) {
        return malformed(p, "its header is not a JSON object");
    }
    return NULL;
}

const char *ac_jwt_peek_string(apr_pool_t *p, const char *jwt, const char *name)
{
    const char *dot1 = strchr(jwt, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    unsigned char *raw;
    apr_size_t len;
    json_t *payload;

    if (dot2 == NULL) {
        return NULL;
    }
    raw = ac_b64url_decode(p, apr_pstrmemdup(p, dot1 + 1, dot2 - dot1 - 1), &len);
    if (raw == NULL
        || ac_json_parse_object(p, (const char *)raw, len, "JWT payload",
                                &payload) != NULL) {
        return NULL;
    }
    return ac_json_string(payload, name);
}

static int alg_listed(const apr_array_header_t *list, const char *alg)
{
    int i;

    for (i = 0; i < list->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(list, i, const char *), alg) == 0) {
            return 1;
        }
    }
    return 0;
}

static ac_error *header_check(apr_pool_t *p, json_t *hdr,
                              const ac_idtoken_expect *e,
                              const alg_info **info, const char **kid)
{
    const char *alg = ac_json_string(hdr, "alg");
    json_t *jkid = json_object_get(hdr, "kid");
    const alg_info *a;
    int i;

    if (alg == NULL) {
        return malformed(p, "its header has no alg");
    }
    /* `none` can never be allowed, whatever the configuration says. */
    if (strcasecmp(alg, "none") == 0) {
        return ac_error_make(p, AC_E_ID_TOKEN_ALG,
                             "the ID token is unsigned (alg none)");
    }
    for (a = alg_table; a->name != NULL; a++) {
        if (strcmp(a->name, alg) == 0) {
            break;
        }
    }
    if (a->name == NULL
        || (e->allowed_algs == NULL && !a->by_default)
        || (e->allowed_algs != NULL && !alg_listed(e->allowed_algs, alg))) {
        return ac_error_make(p, AC_E_ID_TOKEN_ALG,
                             "the ID token is signed with %s, which is not "
                             "in the allowed algorithms", ac_log_quote(p, alg));
    }
    for (i = 0; forbidden_headers[i] != NULL; i++) {
        if (json_object_get(hdr, forbidden_headers[i]) != NULL) {
            return ac_error_make(p, AC_E_ID_TOKEN_HEADER,
                                 "the ID token header carries '%s'; keys are "
                                 "only taken from the provider's JWKS",
                                 forbidden_headers[i]);
        }
    }
    /* No extension is understood, so any critical one must be refused. */
    if (json_object_get(hdr, "crit") != NULL) {
        return ac_error_make(p, AC_E_ID_TOKEN_HEADER,
                             "the ID token header lists critical extensions");
    }
    if (jkid != NULL && !json_is_string(jkid)) {
        return malformed(p, "its kid is not a string");
    }
    *info = a;
    *kid = json_string_value(jkid);
    return NULL;
}

/* ---- the key ------------------------------------------------------------ */

static const char *family_kty(alg_family f)
{
    return f == ALG_RSA ? "RSA" : f == ALG_EC ? "EC" : "oct";
}

/* Does this JWKS entry suit the algorithm?  use and alg are optional in a
 * JWK, but when present they restrict what the key may verify. */
static int jwk_fits(json_t *k, const alg_info *a)
{
    const char *kty = ac_json_string(k, "kty");
    const char *use = ac_json_string(k, "use");
    const char *kalg = ac_json_string(k, "alg");

    if (kty == NULL || strcmp(kty, family_kty(a->family)) != 0) {
        return 0;
    }
    if (use != NULL && strcmp(use, "sig") != 0) {
        return 0;
    }
    if (kalg != NULL && strcmp(kalg, a->name) != 0) {
        return 0;
    }
    if (a->family == ALG_EC) {
        const char *crv = ac_json_string(k, "crv");

        return crv != NULL && strcmp(crv, a->crv) == 0;
    }
    return 1;
}

static ac_error *jwks_pick(apr_pool_t *p, const char *jwks_json,
                           const alg_info *a, const char *kid, json_t **out)
{
    json_t *jwks, *keys, *k, *chosen = NULL;
    int kid_seen = 0, fitting = 0;
    size_t i;

    if (jwks_json == NULL
        || ac_json_parse_object(p, jwks_json, strlen(jwks_json), "the JWKS",
                                &jwks) != NULL
        || !json_is_array(keys = json_object_get(jwks, "keys"))) {
        return ac_error_make(p, AC_E_JWKS_INVALID,
                             "the provider's JWKS is not a JSON object with "
                             "a keys array");
    }
    json_array_foreach(keys, i, k) {
        if (kid != NULL) {
            const char *kkid = ac_json_string(k, "kid");

            if (kkid == NULL || strcmp(kkid, kid) != 0) {
                continue;
            }
            kid_seen = 1;
        }
        if (jwk_fits(k, a)) {
            if (chosen == NULL) {
                chosen = k;
            }
            fitting++;
        }
    }
    if (kid != NULL && chosen == NULL && kid_seen) {
        return ac_error_make(p, AC_E_ID_TOKEN_ALG,
                             "the JWKS key '%s' cannot verify %s (key type, "
                             "curve, use or alg differ)", ac_log_quote(p, kid),
                             a->name);
    }
    if (kid != NULL && chosen == NULL) {
        return ac_error_make(p, AC_E_JWKS_KID_UNKNOWN,
                             "the provider's JWKS has no key '%s'",
                             ac_log_quote(p, kid));
    }
    if (kid == NULL && fitting != 1) {
        return ac_error_make(p, AC_E_JWKS_KID_UNKNOWN,
                             "the ID token names no kid and the JWKS has %d "
                             "%s signing keys (exactly one is needed)",
                             fitting, family_kty(a->family));
    }
    *out = chosen;
    return NULL;
}

/* cjose is handed a key only after this file has chosen it; this repeats the
 * type check on the imported key so that an RSA or EC algorithm can never
 * run with a symmetric key, whatever the JWK text claimed. */
static ac_error *jwk_check_type(apr_pool_t *p, const cjose_jwk_t *jwk,
                                const alg_info *a)
{
    cjose_err cerr;
    cjose_jwk_kty_t want = a->family == ALG_RSA ? CJOSE_JWK_KTY_RSA
                         : a->family == ALG_EC ? CJOSE_JWK_KTY_EC
                         : CJOSE_JWK_KTY_OCT;

    if (cjose_jwk_get_kty(jwk, &cerr) != want) {
        return ac_error_make(p, AC_E_ID_TOKEN_ALG,
                             "the key for %s is not of type %s", a->name,
                             family_kty(a->family));
    }
    if (a->family == ALG_EC
        && (int)cjose_jwk_EC_get_curve(jwk, &cerr) != a->curve) {
        return ac_error_make(p, AC_E_ID_TOKEN_ALG,
                             "the key for %s is not on curve %s", a->name,
                             a->crv);
    }
    return NULL;
}

/*
 * The public members of the JWKS entry `k`, the only ones cjose is given:
 * verifying needs nothing else, and cjose 0.6 leaks when an RSA key has
 * some of its private members but not all.  Each must be safe for cjose's
 * base64url decoder (see cjose_b64_would_abort).
 */
static ac_error *jwk_public_part(apr_pool_t *p, json_t *k, const alg_info *a,
                                 json_t **out)
{
    static const char *const rsa[] = { "kty", "n", "e", NULL };
    static const char *const ec[] = { "kty", "crv", "x", "y", NULL };
    const char *const *m = a->family == ALG_RSA ? rsa : ec;
    json_t *pub = json_object();

    if (pub == NULL) {
        return ac_error_make(p, AC_E_OUT_OF_MEMORY, "out of memory");
    }
    ac_json_pool_own(p, pub);
    for (; *m != NULL; m++) {
        json_t *v = json_object_get(k, *m);
        const char *text = json_string_value(v);

        if (text != NULL && cjose_b64_would_abort(text, NULL)) {
            return ac_error_make(p, AC_E_JWKS_INVALID,
                                 "the key for %s has a malformed '%s'",
                                 a->name, *m);
        }
        if (v != NULL) {
            json_object_set(pub, *m, v);
        }
    }
    *out = pub;
    return NULL;
}

static ac_error *key_for(apr_pool_t *p, const char *jwks_json,
                         const ac_idtoken_expect *e, const alg_info *a,
                         const char *kid, cjose_jwk_t **out)
{
    cjose_err cerr;
    cjose_jwk_t *jwk;
    json_t *k = NULL;
    ac_error *err;

    memset(&cerr, 0, sizeof(cerr));
    if (a->family == ALG_HMAC) {
        if (e->client_secret == NULL || *e->client_secret == '\0') {
            return ac_error_make(p, AC_E_ID_TOKEN_CONFIG,
                                 "%s is allowed but the provider has no "
                                 "client secret to verify it with", a->name);
        }
        jwk = cjose_jwk_create_oct_spec((const uint8_t *)e->client_secret,
                                        strlen(e->client_secret), &cerr);
    }
    else {
        err = jwks_pick(p, jwks_json, a, kid, &k);
        if (err == NULL) {
            err = jwk_public_part(p, k, a, &k);
        }
        if (err != NULL) {
            return err;
        }
        jwk = cjose_jwk_import_json((cjose_header_t *)k, &cerr);
    }
    if (jwk == NULL) {
        return ac_error_make(p, AC_E_JWKS_INVALID,
                             "the key for %s could not be loaded: %s",
                             a->name, cerr.message ? cerr.message : "?");
    }
    ac_jwk_pool_own(p, jwk);
    err = jwk_check_type(p, jwk, a);
    if (err != NULL) {
        return err;
    }
    *out = jwk;
    return NULL;
}

/* ---- signature ---------------------------------------------------------- */

static ac_error *signature_verify(apr_pool_t *p, const char *jwt,
                                  const cjose_jwk_t *jwk, json_t **payload)
{
    cjose_err cerr;
    cjose_jws_t *jws;
    uint8_t *pt = NULL;
    size_t ptlen = 0;
    const char *part;

    /* the header was decoded strictly already; the other two parts were not */
    for (part = strchr(jwt, '.'); part != NULL; part = strchr(part, '.')) {
        part++;
        if (cjose_b64_would_abort(part, strchr(part, '.'))) {
            return malformed(p, "its payload or signature is not base64url");
        }
    }
    memset(&cerr, 0, sizeof(cerr));
    jws = cjose_jws_import(jwt, strlen(jwt), &cerr);
    if (jws == NULL) {
        return malformed(p, cerr.message ? cerr.message : "cjose refused it");
    }
    apr_pool_cleanup_register(p, jws, jws_cleanup, apr_pool_cleanup_null);
    if (!cjose_jws_verify(jws, jwk, &cerr)) {
        return ac_error_make(p, AC_E_ID_TOKEN_SIGNATURE,
                             "the ID token signature does not verify");
    }
    if (!cjose_jws_get_plaintext(jws, &pt, &ptlen, &cerr)) {
        return malformed(p, "its payload cannot be read");
    }
    if (ac_json_parse_object(p, (const char *)pt, ptlen,
                             "the ID token payload", payload) != NULL) {
        return malformed(p, "its payload is not a JSON object");
    }
    return NULL;
}

/* ---- claims ------------------------------------------------------------- */

static ac_error *check_iss(apr_pool_t *p, json_t *c, const ac_idtoken_expect *e)
{
    const char *iss = ac_json_string(c, "iss");

    if (iss == NULL) {
        return ac_error_make(p, AC_E_ID_TOKEN_ISS, "the ID token has no iss");
    }
    if (e->issuer == NULL || strcmp(iss, e->issuer) != 0) {
        return ac_error_make(p, AC_E_ID_TOKEN_ISS,
                             "the ID token was issued by '%s', expected '%s'",
                             ac_log_quote(p, iss), e->issuer ? e->issuer : "(unset)");
    }
    return NULL;
}

static ac_error *check_aud_azp(apr_pool_t *p, json_t *c,
                               const ac_idtoken_expect *e)
{
    json_t *aud = json_object_get(c, "aud");
    json_t *jazp = json_object_get(c, "azp");
    size_t naud = 0, i;
    int found = 0;

    if (e->client_id == NULL) {
        return ac_error_make(p, AC_E_ID_TOKEN_CONFIG, "no client_id to expect");
    }
    if (json_is_string(aud)) {
        naud = 1;
        found = strcmp(json_string_value(aud), e->client_id) == 0;
    }
    else if (json_is_array(aud)) {
        json_t *v;

        naud = json_array_size(aud);
        json_array_foreach(aud, i, v) {
            if (json_is_string(v)
                && strcmp(json_string_value(v), e->client_id) == 0) {
                found = 1;
            }
        }
    }
    if (!found) {
        return ac_error_make(p, AC_E_ID_TOKEN_AUD,
                             "the ID token's audience does not include this "
                             "client (%s)", e->client_id);
    }
    if (jazp == NULL && naud > 1) {
        return ac_error_make(p, AC_E_ID_TOKEN_AZP,
                             "the ID token has several audiences but no azp");
    }
    if (jazp != NULL && (!json_is_string(jazp)
                         || strcmp(json_string_value(jazp),
                                   e->client_id) != 0)) {
        return ac_error_make(p, AC_E_ID_TOKEN_AZP,
                             "the ID token was issued to another party (azp)");
    }
    return NULL;
}

static ac_error *check_times(apr_pool_t *p, json_t *c,
                             const ac_idtoken_expect *e)
{
    json_t *exp = json_object_get(c, "exp");
    json_t *iat = json_object_get(c, "iat");
    apr_time_t now = e->now ? e->now : apr_time_now();
    double now_s = (double)apr_time_sec(now);
    double skew = e->clock_skew > 0 ? e->clock_skew : 0;

    if (!json_is_number(exp)) {
        return ac_error_make(p, AC_E_ID_TOKEN_EXP,
                             "the ID token has no numeric exp");
    }
    if (json_number_value(exp) <= now_s - skew) {
        return ac_error_make(p, AC_E_ID_TOKEN_EXP,
                             "the ID token expired %.0f seconds ago",
                             now_s - json_number_value(exp));
    }
    if (!json_is_number(iat)) {
        return ac_error_make(p, AC_E_ID_TOKEN_IAT,
                             "the ID token has no numeric iat");
    }
    if (json_number_value(iat) > now_s + skew) {
        return ac_error_make(p, AC_E_ID_TOKEN_IAT,
                             "the ID token was issued %.0f seconds in the "
                             "future (check the clocks)",
                             json_number_value(iat) - now_s);
    }
    if (e->iat_max_age > 0
        && json_number_value(iat) < now_s - e->iat_max_age - skew) {
        return ac_error_make(p, AC_E_ID_TOKEN_IAT,
                             "the ID token was issued %.0f seconds ago, more "
                             "than the %d allowed",
                             now_s - json_number_value(iat), e->iat_max_age);
    }
    return NULL;
}

static ac_error *check_nonce(apr_pool_t *p, json_t *c,
                             const ac_idtoken_expect *e)
{
    const char *nonce = ac_json_string(c, "nonce");

    if (e->refresh) {
        return NULL;
    }
    if (nonce == NULL) {
        return ac_error_make(p, AC_E_ID_TOKEN_NONCE,
                             "the ID token has no nonce");
    }
    if (e->nonce == NULL || !ac_str_equal_ct(nonce, e->nonce)) {
        return ac_error_make(p, AC_E_ID_TOKEN_NONCE,
                             "the ID token's nonce is not the one this login "
                             "sent (replayed or mixed-up response)");
    }
    return NULL;
}

/* OIDC Core 3.1.3.6: the left half of the alg's hash of the access token. */
static ac_error *check_at_hash(apr_pool_t *p, json_t *c,
                               const ac_idtoken_expect *e, const alg_info *a)
{
    json_t *jat = json_object_get(c, "at_hash");
    const EVP_MD *md = a->bits == 512 ? EVP_sha512()
                     : a->bits == 384 ? EVP_sha384() : EVP_sha256();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    const char *want;

    if (jat == NULL || e->access_token == NULL) {
        return NULL;
    }
    if (!json_is_string(jat)
        || !EVP_Digest(e->access_token, strlen(e->access_token), digest, &dlen,
                       md, NULL)) {
        return ac_error_make(p, AC_E_ID_TOKEN_AT_HASH,
                             "the ID token's at_hash cannot be checked");
    }
    want = ac_b64url_encode(p, digest, dlen / 2);
    if (!ac_str_equal_ct(want, json_string_value(jat))) {
        return ac_error_make(p, AC_E_ID_TOKEN_AT_HASH,
                             "the ID token's at_hash does not match the "
                             "access token");
    }
    return NULL;
}

static ac_error *check_sub(apr_pool_t *p, json_t *c, const ac_idtoken_expect *e)
{
    const char *sub = ac_json_string(c, "sub");

    if (sub == NULL || *sub == '\0') {
        return ac_error_make(p, AC_E_ID_TOKEN_SUB,
                             "the ID token has no sub");
    }
    /* a refresh must not turn the session into another user's */
    if (e->refresh && (e->sub == NULL || strcmp(sub, e->sub) != 0)) {
        return ac_error_make(p, AC_E_ID_TOKEN_SUB,
                             "the refreshed ID token names another sub than "
                             "the session's");
    }
    return NULL;
}

static ac_error *claims_check(apr_pool_t *p, json_t *c,
                              const ac_idtoken_expect *e, const alg_info *a)
{
    ac_error *err;

    if ((err = check_iss(p, c, e)) != NULL
        || (err = check_aud_azp(p, c, e)) != NULL
        || (err = check_times(p, c, e)) != NULL
        || (err = check_nonce(p, c, e)) != NULL
        || (err = check_at_hash(p, c, e, a)) != NULL
        || (err = check_sub(p, c, e)) != NULL) {
        return err;
    }
    return NULL;
}

/* ---- entry point -------------------------------------------------------- */

static ac_error *validate(apr_pool_t *tmp, apr_pool_t *p, const char *jwt,
                          const char *jwks_json, const ac_idtoken_expect *e,
                          json_t **claims)
{
    const alg_info *a = NULL;
    const char *kid = NULL;
    cjose_jwk_t *jwk = NULL;
    json_t *hdr, *payload;
    ac_error *err;

    if ((err = header_decode(tmp, jwt, &hdr)) != NULL
        || (err = header_check(tmp, hdr, e, &a, &kid)) != NULL
        || (err = key_for(tmp, jwks_json, e, a, kid, &jwk)) != NULL
        || (err = signature_verify(tmp, jwt, jwk, &payload)) != NULL
        || (err = claims_check(tmp, payload, e, a)) != NULL) {
        return err;
    }
    /* The claims outlive the scratch pool: take a reference for `p`. */
    *claims = json_incref(payload);
    ac_json_pool_own(p, payload);
    return NULL;
}

ac_error *ac_idtoken_validate(apr_pool_t *p, const char *jwt,
                              const char *jwks_json,
                              const ac_idtoken_expect *e, json_t **claims)
{
    apr_pool_t *tmp;
    ac_error *err;

    *claims = NULL;
    if (jwt == NULL || *jwt == '\0') {
        return malformed(p, "it is empty");
    }
    /* Scratch objects (header, JWKS, cjose handles) go with this pool now,
     * not with the request. */
    if (apr_pool_create(&tmp, p) != APR_SUCCESS) {
        return ac_error_make(p, AC_E_OUT_OF_MEMORY, "out of memory");
    }
    err = validate(tmp, p, jwt, jwks_json, e, claims);
    if (err != NULL) {
        /* The error must outlive the scratch pool. */
        err = ac_error_wrap(p, err, NULL);
    }
    apr_pool_destroy(tmp);
    return err;
}

/* ---- a signature alone (tokens with their own claim rules) --------------- */

static ac_error *jws_verify(apr_pool_t *tmp, apr_pool_t *p, const char *jwt,
                            const char *jwks_json, const ac_idtoken_expect *e,
                            json_t **header, json_t **payload)
{
    const alg_info *a = NULL;
    const char *kid = NULL;
    cjose_jwk_t *jwk = NULL;
    json_t *hdr, *pl;
    ac_error *err;

    if ((err = header_decode(tmp, jwt, &hdr)) != NULL
        || (err = header_check(tmp, hdr, e, &a, &kid)) != NULL
        || (err = key_for(tmp, jwks_json, e, a, kid, &jwk)) != NULL
        || (err = signature_verify(tmp, jwt, jwk, &pl)) != NULL) {
        return err;
    }
    *header = json_incref(hdr);
    ac_json_pool_own(p, hdr);
    *payload = json_incref(pl);
    ac_json_pool_own(p, pl);
    return NULL;
}

ac_error *ac_jws_verify(apr_pool_t *p, const char *jwt, const char *jwks_json,
                        const ac_idtoken_expect *e, json_t **header,
                        json_t **payload)
{
    apr_pool_t *tmp;
    ac_error *err;

    *header = NULL;
    *payload = NULL;
    if (jwt == NULL || *jwt == '\0') {
        return malformed(p, "it is empty");
    }
    if (apr_pool_create(&tmp, p) != APR_SUCCESS) {
        return ac_error_make(p, AC_E_OUT_OF_MEMORY, "out of memory");
    }
    err = jws_verify(tmp, p, jwt, jwks_json, e, header, payload);
    if (err != NULL) {
        err = ac_error_wrap(p, err, NULL);
    }
    apr_pool_destroy(tmp);
    return err;
}
