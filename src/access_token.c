/*
 * access_token.c - access tokens as a resource server sees them: JWT access
 * tokens (RFC 9068 4) and the claim rules shared with introspection answers.
 *
 * The signature is jose.c's (ac_jws_verify), with the algorithm and key
 * rules of ID tokens; what makes an access token one is checked here: its
 * typ, so that an ID token or any other JWT of the same issuer is not taken
 * for one (RFC 9068 4, RFC 8725 3.11), and its audience, which must name
 * this resource server - the configured identifier, never a default.
 */
#include <string.h>
#include <strings.h>

#include "access_token.h"
#include "claims.h"
#include "jose.h"

#define DEFAULT_JWT_TYPE "at+jwt"

/* ---- shape --------------------------------------------------------------- */

/* The JWS header of `jwt`, unverified: for choosing the path and for
 * messages only. */
static json_t *header_peek(apr_pool_t *p, const char *jwt)
{
    const char *dot1 = strchr(jwt, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    unsigned char *raw;
    apr_size_t len;
    json_t *hdr;

    if (dot1 == NULL || dot2 == NULL || strchr(dot2 + 1, '.') != NULL
        || dot1 == jwt) {
        return NULL;
    }
    raw = ac_b64url_decode(p, apr_pstrmemdup(p, jwt, dot1 - jwt), &len);
    if (raw == NULL
        || ac_json_parse_object(p, (const char *)raw, len, "JWT header",
                                &hdr) != NULL) {
        return NULL;
    }
    return hdr;
}

int ac_access_token_is_jwt(apr_pool_t *p, const char *token)
{
    json_t *hdr = header_peek(p, token);

    return hdr != NULL && json_is_string(json_object_get(hdr, "alg"));
}

/* ---- signature ----------------------------------------------------------- */

/* The allow-list without HS*: a shared secret would be the client's, and
 * anybody holding it could mint tokens for this resource server. */
static const apr_array_header_t *asymmetric_only(apr_pool_t *p,
                                                 const apr_array_header_t *algs)
{
    apr_array_header_t *out;
    int i;

    if (algs == NULL) {
        return NULL;
    }
    out = apr_array_make(p, algs->nelts ? algs->nelts : 1, sizeof(const char *));
    for (i = 0; i < algs->nelts; i++) {
        const char *a = APR_ARRAY_IDX(algs, i, const char *);

        if (strncasecmp(a, "HS", 2) != 0) {
            APR_ARRAY_PUSH(out, const char *) = a;
        }
    }
    /* an empty list allows nothing, which is what a HS-only list means */
    return out;
}

/* jose.c names its errors after ID tokens: say the same of an access token. */
static ac_error *jws_error(apr_pool_t *p, const ac_error *err, const char *jwt)
{
    json_t *hdr = header_peek(p, jwt);
    const char *alg = hdr ? ac_json_string(hdr, "alg") : NULL;

    alg = ac_log_quote(p, alg ? alg : "?");
    switch (err->id) {
    case AC_E_ID_TOKEN_MALFORMED:
        return ac_error_make(p, AC_E_BEARER_TOKEN_MALFORMED, "the access token "
                             "is not a well-formed signed JWT");
    case AC_E_ID_TOKEN_ALG:
    case AC_E_ID_TOKEN_CONFIG:
        return ac_error_make(p, AC_E_BEARER_ALG, "the access token is signed "
                             "with %s, which is not allowed (or its key cannot "
                             "verify it)", alg);
    case AC_E_ID_TOKEN_HEADER:
        return ac_error_make(p, AC_E_BEARER_HEADER, "the access token header "
                             "carries a key, a key URL or critical extensions; "
                             "keys are only taken from the provider's JWKS");
    case AC_E_ID_TOKEN_SIGNATURE:
        return ac_error_make(p, AC_E_BEARER_SIGNATURE, "the access token "
                             "signature does not verify");
    case AC_E_JWKS_KID_UNKNOWN:
        return ac_error_make(p, AC_E_JWKS_KID_UNKNOWN, "the provider's JWKS "
                             "has no key for the access token (%s)", alg);
    default:
        return ac_error_wrap(p, err, "access token");
    }
}

/* ---- typ ------------------------------------------------------------------- */

/* RFC 7515 4.1.9: a media type, "application/" may be left out, and media
 * types compare without case. */
static const char *media_subtype(const char *t)
{
    return strncasecmp(t, "application/", 12) == 0 ? t + 12 : t;
}

static ac_error *check_typ(apr_pool_t *p, json_t *hdr,
                           const ac_access_token_expect *e)
{
    const char *typ = ac_json_string(hdr, "typ");
    int i, n = e->jwt_types ? e->jwt_types->nelts : 1;

    for (i = 0; typ != NULL && i < n; i++) {
        const char *want = e->jwt_types
                         ? APR_ARRAY_IDX(e->jwt_types, i, const char *)
                         : DEFAULT_JWT_TYPE;

        if (strcasecmp(media_subtype(typ), media_subtype(want)) == 0) {
            return NULL;
        }
    }
    return ac_error_make(p, AC_E_BEARER_TYP, "the JWT's typ is %s, not an "
                         "access token type (at+jwt, or AuthClientBearerJWTType)",
                         typ ? ac_log_quote(p, typ) : "missing");
}

/* ---- claims ---------------------------------------------------------------- */

static ac_error *check_iss(apr_pool_t *p, json_t *c, const char *issuer)
{
    const char *iss = ac_json_string(c, "iss");

    if (iss == NULL || strcmp(iss, issuer) != 0) {
        return ac_error_make(p, AC_E_BEARER_ISS, "the access token was issued "
                             "by %s, expected '%s'",
                             iss ? ac_log_quote(p, iss) : "nobody (no iss)",
                             issuer);
    }
    return NULL;
}

static ac_error *check_aud(apr_pool_t *p, json_t *c, const char *audience)
{
    json_t *aud = json_object_get(c, "aud");
    json_t *v;
    size_t i;

    if (audience == NULL || *audience == '\0') {
        return ac_error_make(p, AC_E_BEARER_CONFIG, "no audience to expect "
                             "(AuthClientBearerAudience)");
    }
    if (json_is_string(aud) && strcmp(json_string_value(aud), audience) == 0) {
        return NULL;
    }
    json_array_foreach(aud, i, v) {
        if (json_is_string(v) && strcmp(json_string_value(v), audience) == 0) {
            return NULL;
        }
    }
    return ac_error_make(p, AC_E_BEARER_AUD, "the access token's audience "
                         "does not include %s", audience);
}

/* A time claim: absent is fine unless `required`; present, a number. */
static ac_error *time_claim(apr_pool_t *p, json_t *c, const char *name,
                            int required, ac_error_id id, double *out)
{
    json_t *v = json_object_get(c, name);

    *out = -1;
    if (v == NULL && !required) {
        return NULL;
    }
    if (!json_is_number(v)) {
        return ac_error_make(p, id, "the access token has no numeric %s", name);
    }
    *out = json_number_value(v);
    return NULL;
}

static ac_error *check_times(apr_pool_t *p, json_t *c,
                             const ac_access_token_expect *e, int exp_required)
{
    double now = (double)apr_time_sec(e->now ? e->now : apr_time_now());
    double skew = e->clock_skew > 0 ? e->clock_skew : 0;
    double exp, nbf, iat;
    ac_error *err;

    if ((err = time_claim(p, c, "exp", exp_required, AC_E_BEARER_EXP, &exp))
        || (err = time_claim(p, c, "nbf", 0, AC_E_BEARER_NBF, &nbf))
        || (err = time_claim(p, c, "iat", 0, AC_E_BEARER_IAT, &iat))) {
        return err;
    }
    if (exp >= 0 && exp <= now - skew) {
        return ac_error_make(p, AC_E_BEARER_EXP, "the access token expired "
                             "%.0f seconds ago", now - exp);
    }
    if (nbf >= 0 && nbf > now + skew) {
        return ac_error_make(p, AC_E_BEARER_NBF, "the access token is not "
                             "valid for another %.0f seconds (nbf; check the "
                             "clocks)", nbf - now);
    }
    if (iat >= 0 && iat > now + skew) {
        return ac_error_make(p, AC_E_BEARER_IAT, "the access token was issued "
                             "%.0f seconds in the future (check the clocks)",
                             iat - now);
    }
    return NULL;
}

ac_error *ac_access_token_check_claims(apr_pool_t *p, json_t *claims,
                                       const ac_access_token_expect *e,
                                       int exp_required)
{
    ac_error *err;

    if (e->issuer != NULL && (err = check_iss(p, claims, e->issuer)) != NULL) {
        return err;
    }
    if ((err = check_aud(p, claims, e->audience)) != NULL) {
        return err;
    }
    return check_times(p, claims, e, exp_required);
}

apr_time_t ac_access_token_expiry(json_t *claims)
{
    json_t *exp = json_object_get(claims, "exp");
    double s = json_is_number(exp) ? json_number_value(exp) : 0;

    /* far beyond any token's life, and within apr_time_t */
    if (s <= 0 || s > 4.0e11) {
        return 0;
    }
    return apr_time_from_sec((apr_time_t)s);
}

/* ---- entry point ----------------------------------------------------------- */

ac_error *ac_access_token_validate(apr_pool_t *p, const char *jwt,
                                   const char *jwks_json,
                                   const ac_access_token_expect *e,
                                   json_t **claims)
{
    json_t *hdr, *payload;
    ac_idtoken_expect sig;
    ac_error *err;

    *claims = NULL;
    if (e->issuer == NULL) {
        return ac_error_make(p, AC_E_BEARER_CONFIG, "the provider's issuer "
                             "is unknown, so no JWT access token can be "
                             "checked");
    }
    /* the signature rules of ID tokens; no client secret, so never HS* */
    memset(&sig, 0, sizeof(sig));
    sig.allowed_algs = asymmetric_only(p, e->allowed_algs);
    err = ac_jws_verify(p, jwt, jwks_json, &sig, &hdr, &payload);
    if (err != NULL) {
        return jws_error(p, err, jwt);
    }
    if ((err = check_typ(p, hdr, e)) != NULL
        || (err = ac_access_token_check_claims(p, payload, e, 1)) != NULL) {
        return err;
    }
    *claims = payload;
    return NULL;
}

/* ---- scopes ---------------------------------------------------------------- */

/* Is `want` one of the space-separated words of `list`? */
static int word_in(const char *list, const char *want)
{
    apr_size_t n = strlen(want);
    const char *s = list;

    while (*s) {
        apr_size_t len = strcspn(s, " ");

        if (len == n && strncmp(s, want, n) == 0) {
            return 1;
        }
        s += len;
        s += strspn(s, " ");
    }
    return 0;
}

static int granted(const ac_claim *cl, const char *want)
{
    int i;

    for (i = 0; cl != NULL && i < cl->nvalues; i++) {
        if (word_in(cl->values[i], want)) {
            return 1;
        }
    }
    return 0;
}

const char *ac_access_token_missing_scope(const apr_array_header_t *claims,
                                          const apr_array_header_t *required)
{
    const ac_claim *cl = ac_claims_find(claims, "scope");
    int i;

    if (cl == NULL) {
        cl = ac_claims_find(claims, "scp");
    }
    for (i = 0; required != NULL && i < required->nelts; i++) {
        const char *want = APR_ARRAY_IDX(required, i, const char *);

        if (!granted(cl, want)) {
            return want;
        }
    }
    return NULL;
}
