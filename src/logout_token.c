/*
 * logout_token.c - Back-Channel Logout 1.0 logout tokens (logout_token.h).
 *
 * A logout token is signed like an ID token and by the same keys, so its
 * signature goes through jose.c's checks unchanged (ac_jws_verify); the
 * claims differ, and are checked here.  The checks that keep an ID token
 * (or any other JWT of the provider's) from passing for a logout token are
 * the events member and the absence of a nonce (section 4.4), plus a typ
 * header, when one is present, that says JWT or logout+jwt.
 */
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "jose.h"
#include "json.h"
#include "logout_token.h"
#include "util.h"

/* Bounds on what is kept and logged; OIDC's sub is at most 255 ASCII
 * characters, and nothing larger than these is plausible for the others. */
#define AC_LOGOUT_MAX_SUB 255
#define AC_LOGOUT_MAX_SID 255
#define AC_LOGOUT_MAX_JTI 255

static ac_error *refuse(apr_pool_t *p, ac_error_id id, const char *why)
{
    return ac_error_make(p, id, "the logout token %s", why);
}

/*
 * jose.c speaks of "the ID token"; its codes for what it checks become
 * this token's own, so log lines and the provider's answer name the right
 * token.  JWKS trouble keeps its code (the caller retries on a kid miss).
 */
static ac_error *as_logout_error(apr_pool_t *p, const ac_error *e)
{
    static const char prefix[] = "the ID token";
    ac_error_id id = e->id;
    const char *msg = e->message;

    switch (e->id) {
    case AC_E_ID_TOKEN_MALFORMED: id = AC_E_LOGOUT_TOKEN_MALFORMED; break;
    case AC_E_ID_TOKEN_ALG: id = AC_E_LOGOUT_TOKEN_ALG; break;
    case AC_E_ID_TOKEN_HEADER: id = AC_E_LOGOUT_TOKEN_HEADER; break;
    case AC_E_ID_TOKEN_SIGNATURE: id = AC_E_LOGOUT_TOKEN_SIGNATURE; break;
    default: break;
    }
    if (strncmp(msg, prefix, sizeof(prefix) - 1) == 0) {
        msg = apr_pstrcat(p, "the logout token", msg + sizeof(prefix) - 1, NULL);
    }
    return ac_error_make(p, id, "%s", msg);
}

/* RFC 7515 4.1.9: typ is a media type, "application/" may be left out,
 * and it compares case-insensitively. */
static ac_error *check_typ(apr_pool_t *p, json_t *hdr)
{
    json_t *jtyp = json_object_get(hdr, "typ");
    const char *typ;

    if (jtyp == NULL) {
        return NULL;
    }
    typ = json_string_value(jtyp);
    if (typ != NULL && strncasecmp(typ, "application/", 12) == 0) {
        typ += 12;
    }
    if (typ == NULL
        || (strcasecmp(typ, "logout+jwt") != 0 && strcasecmp(typ, "jwt") != 0)) {
        return refuse(p, AC_E_LOGOUT_TOKEN_HEADER, "has a typ header that "
                      "names another kind of token");
    }
    return NULL;
}

static ac_error *check_iss_aud(apr_pool_t *p, json_t *c,
                               const ac_logout_expect *e)
{
    const char *iss = ac_json_string(c, "iss");
    json_t *aud = json_object_get(c, "aud");
    int found = 0;
    size_t i;
    json_t *v;

    if (iss == NULL || e->issuer == NULL || strcmp(iss, e->issuer) != 0) {
        return ac_error_make(p, AC_E_LOGOUT_TOKEN_ISS, "the logout token was "
                             "issued by '%s', expected '%s'",
                             iss ? ac_log_quote(p, iss) : "(none)",
                             e->issuer ? e->issuer : "(unset)");
    }
    if (e->client_id == NULL) {
        return refuse(p, AC_E_LOGOUT_TOKEN_AUD, "cannot be checked: no client id");
    }
    if (json_is_string(aud)) {
        found = strcmp(json_string_value(aud), e->client_id) == 0;
    }
    else if (json_is_array(aud)) {
        json_array_foreach(aud, i, v) {
            found |= json_is_string(v)
                     && strcmp(json_string_value(v), e->client_id) == 0;
        }
    }
    if (!found) {
        return ac_error_make(p, AC_E_LOGOUT_TOKEN_AUD, "the logout token's "
                             "audience does not include this client (%s)",
                             e->client_id);
    }
    return NULL;
}

/* iat as for an ID token; exp is optional in the specification, but an
 * expired token is refused.  Sets the end of the token's acceptance. */
static ac_error *check_times(apr_pool_t *p, json_t *c,
                             const ac_logout_expect *e, apr_time_t *until)
{
    json_t *jiat = json_object_get(c, "iat");
    json_t *jexp = json_object_get(c, "exp");
    double now = (double)apr_time_sec(e->now ? e->now : apr_time_now());
    double skew = e->clock_skew > 0 ? e->clock_skew : 0;
    double iat, end;

    if (!json_is_number(jiat)) {
        return refuse(p, AC_E_LOGOUT_TOKEN_IAT, "has no numeric iat");
    }
    iat = json_number_value(jiat);
    if (iat > now + skew) {
        return ac_error_make(p, AC_E_LOGOUT_TOKEN_IAT, "the logout token was "
                             "issued %.0f seconds in the future (check the "
                             "clocks)", iat - now);
    }
    if (iat < now - e->iat_max_age - skew) {
        return ac_error_make(p, AC_E_LOGOUT_TOKEN_IAT, "the logout token was "
                             "issued %.0f seconds ago, more than the %d "
                             "allowed", now - iat, e->iat_max_age);
    }
    end = iat + e->iat_max_age;
    if (jexp != NULL) {
        if (!json_is_number(jexp)) {
            return refuse(p, AC_E_LOGOUT_TOKEN_EXP, "has a non-numeric exp");
        }
        if (json_number_value(jexp) <= now - skew) {
            return ac_error_make(p, AC_E_LOGOUT_TOKEN_EXP, "the logout token "
                                 "expired %.0f seconds ago",
                                 now - json_number_value(jexp));
        }
        if (json_number_value(jexp) < end) {
            end = json_number_value(jexp);
        }
    }
    *until = apr_time_from_sec((apr_time_t)(end + skew) + 1);
    return NULL;
}

static ac_error *check_events(apr_pool_t *p, json_t *c)
{
    json_t *events = json_object_get(c, "events");

    if (!json_is_object(events)) {
        return refuse(p, AC_E_LOGOUT_TOKEN_EVENTS, "has no events object");
    }
    if (!json_is_object(json_object_get(events, AC_BACKCHANNEL_LOGOUT_EVENT))) {
        return refuse(p, AC_E_LOGOUT_TOKEN_EVENTS, "has no back-channel "
                      "logout event (an object named " AC_BACKCHANNEL_LOGOUT_EVENT
                      ") in events");
    }
    return NULL;
}

/* A member that must be a non-empty string of bounded length when present. */
static ac_error *optional_id(apr_pool_t *p, json_t *c, const char *name,
                             apr_size_t max, ac_error_id id, const char **out)
{
    json_t *v = json_object_get(c, name);

    *out = NULL;
    if (v == NULL) {
        return NULL;
    }
    if (!json_is_string(v) || json_string_length(v) == 0
        || json_string_length(v) > max
        || strlen(json_string_value(v)) != json_string_length(v)) {
        return ac_error_make(p, id, "the logout token's %s is not a string "
                             "of 1 to %" APR_SIZE_T_FMT " characters", name, max);
    }
    *out = apr_pstrdup(p, json_string_value(v));
    return NULL;
}

static ac_error *check_ids(apr_pool_t *p, json_t *c, ac_logout_claims *out)
{
    ac_error *err;

    if ((err = optional_id(p, c, "sid", AC_LOGOUT_MAX_SID,
                           AC_E_LOGOUT_TOKEN_SUBJECT, &out->sid)) != NULL
        || (err = optional_id(p, c, "sub", AC_LOGOUT_MAX_SUB,
                              AC_E_LOGOUT_TOKEN_SUBJECT, &out->sub)) != NULL
        || (err = optional_id(p, c, "jti", AC_LOGOUT_MAX_JTI,
                              AC_E_LOGOUT_TOKEN_JTI, &out->jti)) != NULL) {
        return err;
    }
    if (out->sid == NULL && out->sub == NULL) {
        return refuse(p, AC_E_LOGOUT_TOKEN_SUBJECT, "names neither a session "
                      "(sid) nor a user (sub)");
    }
    if (out->jti == NULL) {
        return refuse(p, AC_E_LOGOUT_TOKEN_JTI, "has no jti, so a replay "
                      "could not be told from a new logout");
    }
    return NULL;
}

static ac_error *claims_check(apr_pool_t *p, json_t *c,
                              const ac_logout_expect *e, ac_logout_claims *out)
{
    ac_error *err;

    if ((err = check_iss_aud(p, c, e)) != NULL
        || (err = check_times(p, c, e, &out->until)) != NULL
        || (err = check_events(p, c)) != NULL) {
        return err;
    }
    /* section 2.4: prohibited, so that a logout token can never stand in
     * for an ID token, nor an ID token for it */
    if (json_object_get(c, "nonce") != NULL) {
        return refuse(p, AC_E_LOGOUT_TOKEN_NONCE, "carries a nonce, which a "
                      "logout token must not (is it an ID token?)");
    }
    return check_ids(p, c, out);
}

ac_error *ac_logout_token_validate(apr_pool_t *p, const char *jwt,
                                   const char *jwks_json,
                                   const ac_logout_expect *e,
                                   ac_logout_claims *out)
{
    ac_idtoken_expect sig;
    ac_logout_claims found;
    json_t *hdr, *payload;
    ac_error *err;

    memset(out, 0, sizeof(*out));
    memset(&found, 0, sizeof(found));
    memset(&sig, 0, sizeof(sig));
    sig.client_secret = e->client_secret;
    sig.allowed_algs = e->allowed_algs;
    if ((err = ac_jws_verify(p, jwt, jwks_json, &sig, &hdr, &payload)) != NULL) {
        return as_logout_error(p, err);
    }
    if ((err = check_typ(p, hdr)) != NULL
        || (err = claims_check(p, payload, e, &found)) != NULL) {
        return err;
    }
    *out = found;
    return NULL;
}
