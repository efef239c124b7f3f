/*
 * make_seeds.c - writes the seeds that must be computed: tokens signed with
 * the unit tests' keys, the JWKS of those keys, records written by the
 * encoders (and damaged copies of them) and sealed cache values.  The
 * hand-written seeds sit in corpus/ as plain files.
 *
 *     make_seeds test/unit/data test/fuzz
 *
 * writes test/fuzz/fixture_keys.h (the JWKS and fixed tokens compiled into
 * fuzz_idtoken and fuzz_jwks) and test/fuzz/corpus/<target>/gen-*.  ES256
 * and PS256 signatures are randomised, so a new run changes those files
 * without changing what they test; so do the sealed values (random IVs).
 * Run it again after any change of a record layout or of seal.c, and
 * delete the gen-* files first so that none is left from an older layout.
 * build.sh builds it as OUTDIR/make_seeds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <cjose/cjose.h>
#include <jansson.h>

#include "client_auth.h"
#include "keys.h"
#include "fixture.h"
#include "fields.h"
#include "flow_record.h"
#include "pkce.h"
#include "seal.h"
#include "session_record.h"
#include "support.h"
#include "token_record.h"
#include "util.h"

static apr_pool_t *pool;
static const char *outdir;

static void die(const char *what)
{
    fprintf(stderr, "make_seeds: %s\n", what);
    exit(1);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        die(apr_psprintf(pool, "cannot write %s", path));
    }
}

/* corpus/<target>/gen-<name>: the mode byte, then the bytes */
static void seed(const char *target, const char *name, int mode,
                 const void *data, size_t len)
{
    char *buf = malloc(len + 1);
    size_t n = 0;

    if (buf == NULL) {
        die("out of memory");
    }
    if (mode >= 0) {
        buf[n++] = (char)mode;
    }
    memcpy(buf + n, data, len);
    write_file(apr_psprintf(pool, "%s/corpus/%s/gen-%s", outdir, target, name),
               buf, n + len);
    free(buf);
}

static void seed_str(const char *target, const char *name, int mode,
                     const char *s)
{
    seed(target, name, mode, s, strlen(s));
}

/* ---- tokens --------------------------------------------------------------- */

static cjose_jwk_t *load_key(const char *dir, const char *file,
                             const char *kid)
{
    void *jwk;
    const char *alg;
    ac_error *err = ac_client_key_load(pool, apr_pstrcat(pool, dir, "/", file,
                                                         NULL),
                                       kid, &jwk, &alg);

    if (err != NULL) {
        die(err->message);
    }
    return jwk;
}

static const char *at_hash(void)
{
    unsigned char d[32];

    ac_sha256(FZ_ACCESS_TOKEN, strlen(FZ_ACCESS_TOKEN), d);
    return ac_b64url_encode(pool, d, 16);
}

/* The claims every valid seed token carries. */
static const char *claims_json(void)
{
    return apr_psprintf(pool,
        "{\"iss\":\"%s\",\"sub\":\"248289761001\",\"aud\":\"%s\","
        "\"nonce\":\"%s\",\"iat\":%d,\"exp\":%d,\"at_hash\":\"%s\","
        "\"name\":\"Jane Doe\",\"email\":\"janedoe@example.com\","
        "\"email_verified\":true,\"groups\":[\"admins\",\"staff\"],"
        "\"address\":{\"country\":\"NZ\",\"locality\":\"Wellington\"}}",
        FZ_ISS, FZ_CLIENT, FZ_NONCE, FZ_NOW_SEC, FZ_NOW_SEC + 600, at_hash());
}

static const char *sign(cjose_jwk_t *key, const char *alg, const char *kid,
                        const char *payload)
{
    cjose_err cerr;
    cjose_header_t *h = cjose_header_new(&cerr);
    cjose_jws_t *jws;
    const char *compact = NULL;
    const char *out;

    if (h == NULL || !cjose_header_set(h, CJOSE_HDR_ALG, alg, &cerr)
        || (kid && !cjose_header_set(h, CJOSE_HDR_KID, kid, &cerr))
        || !cjose_header_set(h, "typ", "JWT", &cerr)) {
        die("cjose header");
    }
    jws = cjose_jws_sign(key, h, (const uint8_t *)payload, strlen(payload),
                         &cerr);
    if (jws == NULL || !cjose_jws_export(jws, &compact, &cerr)) {
        die(apr_psprintf(pool, "cjose signing with %s: %s", alg,
                         cerr.message ? cerr.message : "?"));
    }
    out = apr_pstrdup(pool, compact);
    cjose_jws_release(jws);
    cjose_header_release(h);
    return out;
}

/* header.payload.signature with the signature given, not computed */
static const char *unsigned_token(const char *header, const char *payload,
                                  const char *sig)
{
    return apr_pstrcat(pool,
                       ac_b64url_encode(pool, (const unsigned char *)header,
                                        strlen(header)), ".",
                       ac_b64url_encode(pool, (const unsigned char *)payload,
                                        strlen(payload)), ".", sig, NULL);
}

static const char *public_jwk(cjose_jwk_t *key)
{
    cjose_err cerr;
    char *text = cjose_jwk_to_json(key, false, &cerr);
    const char *out;

    if (text == NULL) {
        die("cjose public key");
    }
    out = apr_pstrdup(pool, text);
    cjose_get_dealloc()(text);
    return out;
}

/* a C string literal of `s` */
static const char *c_literal(const char *s)
{
    const char *c;
    char *out = "\"";

    for (c = s; *c; c++) {
        out = apr_pstrcat(pool, out, *c == '"' ? "\\\"" : *c == '\\' ? "\\\\"
                          : apr_pstrmemdup(pool, c, 1), NULL);
    }
    return apr_pstrcat(pool, out, "\"", NULL);
}

static void tokens(const char *keydir)
{
    cjose_jwk_t *rsa = load_key(keydir, "rsa2048.pem", "rsa-1");
    cjose_jwk_t *ec = load_key(keydir, "ec_p256.pem", "ec-1");
    cjose_jwk_t *hs;
    cjose_err cerr;
    const char *claims = claims_json();
    const char *rs256, *rs256_nokid, *es256, *ps256, *hs256, *none, *jwks;
    const char *expired, *confused, *rsa_pub;
    const char *header, *text;

    rsa_pub = public_jwk(rsa);
    jwks = apr_psprintf(pool, "{\"keys\":[%s,%s]}", rsa_pub, public_jwk(ec));
    rs256 = sign(rsa, "RS256", "rsa-1", claims);
    rs256_nokid = sign(rsa, "RS256", NULL, claims);
    es256 = sign(ec, "ES256", "ec-1", claims);
    ps256 = sign(rsa, "PS256", "rsa-1", claims);
    hs = cjose_jwk_create_oct_spec((const uint8_t *)FZ_SECRET,
                                   strlen(FZ_SECRET), &cerr);
    hs256 = sign(hs, "HS256", NULL, claims);
    cjose_jwk_release(hs);
    /* HS256 keyed with the text of the provider's public key: the RS/HS
     * confusion attack, which must fail whatever the JWKS holds */
    hs = cjose_jwk_create_oct_spec((const uint8_t *)rsa_pub, strlen(rsa_pub),
                                   &cerr);
    confused = sign(hs, "HS256", "rsa-1", claims);
    cjose_jwk_release(hs);
    none = unsigned_token("{\"alg\":\"none\"}", claims, "");
    expired = sign(rsa, "RS256", "rsa-1", apr_psprintf(pool,
        "{\"iss\":\"%s\",\"sub\":\"1\",\"aud\":\"%s\",\"nonce\":\"%s\","
        "\"iat\":%d,\"exp\":%d}", FZ_ISS, FZ_CLIENT, FZ_NONCE,
        FZ_NOW_SEC - 7200, FZ_NOW_SEC - 3600));

    text = apr_pstrcat(pool,
        "/* fixture_keys.h - written by make_seeds.c from test/unit/data;\n"
        " * do not edit.  The public JWKS of rsa2048.pem (kid rsa-1) and\n"
        " * ec_p256.pem (kid ec-1), and tokens signed with them for\n"
        " * fixture.h's relying party, valid at FZ_NOW_SEC. */\n"
        "#define FZ_JWKS ", c_literal(jwks), "\n",
        "#define FZ_TOKEN_RS256 ", c_literal(rs256), "\n",
        "#define FZ_TOKEN_RS256_NOKID ", c_literal(rs256_nokid), "\n",
        "#define FZ_TOKEN_ES256 ", c_literal(es256), "\n",
        "#define FZ_TOKEN_PS256 ", c_literal(ps256), "\n",
        "#define FZ_TOKEN_HS256 ", c_literal(hs256), "\n",
        "#define FZ_TOKEN_CONFUSED ", c_literal(confused), "\n",
        "#define FZ_TOKEN_NONE ", c_literal(none), "\n",
        "#define FZ_TOKEN_EXPIRED ", c_literal(expired), "\n", NULL);
    write_file(apr_pstrcat(pool, outdir, "/fixture_keys.h", NULL), text,
               strlen(text));

    /* fuzz_idtoken, raw mode (bit 0 clear); bit 1 allows HS256, bit 2
     * passes the access token */
    seed_str("idtoken", "rs256", 0x04, rs256);
    seed_str("idtoken", "rs256-nokid", 0x00, rs256_nokid);
    seed_str("idtoken", "es256", 0x04, es256);
    seed_str("idtoken", "ps256", 0x00, ps256);
    seed_str("idtoken", "hs256-allowed", 0x06, hs256);
    seed_str("idtoken", "hs256-refused", 0x00, hs256);
    seed_str("idtoken", "confused", 0x06, confused);
    seed_str("idtoken", "none", 0x02, none);
    seed_str("idtoken", "expired", 0x00, expired);
    header = "{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"jwk\":{\"kty\":\"oct\",\"k\":\"AAAA\"}}";
    seed_str("idtoken", "jwk-in-header", 0x00,
             unsigned_token(header, claims, strrchr(rs256, '.') + 1));

    /* fuzz_jwks: the token index, then the JWKS */
    seed_str("jwks", "rs256", 0, jwks);
    seed_str("jwks", "es256", 2, jwks);
    seed_str("jwks", "rs256-nokid-one-key",
             1, apr_psprintf(pool, "{\"keys\":[%s]}", rsa_pub));
    seed_str("jwks", "ps256", 3, jwks);
    seed_str("jwks", "confused", 4, jwks);
}

/* ---- records -------------------------------------------------------------- */

/*
 * The malformed seeds are the encoder's output taken apart at its NULs and
 * changed field by field, so that they follow the layout when it changes;
 * only these positions need to follow it by hand (session_record.c,
 * token_record.c, flow_record.c).
 */
/* the session record's fields after its tag and binary times (S_HEAD
 * bytes), with one claim whose path is its name: name value, then its
 * shape with the "=" that says so */
#define S_HEAD 37
enum { S_USER = 3, S_PREFIX = 4, S_DIGEST = 5, S_NCLAIMS = 6, S_SHAPE = 9 };
enum { T_TOKEN_TYPE = 2, T_EXPIRES = 3, T_REFRESH = 4, T_SECRET = 6,
       T_DEAD = 7, T_RETRY = 8 };
enum { F_ID = 1, F_CREATED = 10 };

static apr_array_header_t *split(const char *buf, apr_size_t len)
{
    apr_array_header_t *f = apr_array_make(pool, 16, sizeof(const char *));
    apr_size_t at = 0;

    while (at < len) {
        const char *field = apr_pstrdup(pool, buf + at);

        APR_ARRAY_PUSH(f, const char *) = field;
        at += strlen(field) + 1;
    }
    return f;
}

/* `fields` with field `i` replaced by `with`, the first `keep` fields only
 * (-1: all), then `tail` bytes of `extra`; every field but a cut last one
 * NUL-terminated. */
static void variant_after(const char *head, apr_size_t head_len,
                          const char *target, const char *name,
                          const apr_array_header_t *fields, int i,
                          const char *with, int keep, const char *extra,
                          apr_size_t tail)
{
    apr_array_header_t *f = apr_array_copy(pool, fields);
    char *buf, *out;
    apr_size_t len;

    if (i >= 0) {
        APR_ARRAY_IDX(f, i, const char *) = with;
    }
    if (keep >= 0) {
        f->nelts = keep;
    }
    buf = ac_fields_join(pool, f, &len);
    out = apr_palloc(pool, head_len + len + tail + 1);
    memcpy(out, head, head_len);
    memcpy(out + head_len, buf, len);
    if (tail > 0) {
        memcpy(out + head_len + len, extra, tail);
    }
    seed(target, name, -1, out, head_len + len + tail);
}

static void variant(const char *target, const char *name,
                    const apr_array_header_t *fields, int i, const char *with,
                    int keep, const char *extra, apr_size_t tail)
{
    variant_after("", 0, target, name, fields, i, with, keep, extra, tail);
}

/* a session record's variant: its binary head kept, a text field changed */
static void session_variant(const char *head, const char *name,
                            const apr_array_header_t *fields, int i,
                            const char *with, int keep, const char *extra,
                            apr_size_t tail)
{
    variant_after(head, S_HEAD, "session_record", name, fields, i, with, keep,
                  extra, tail);
}

/* The seeds every record format gets: cut, extended, unterminated, with
 * the tag of an older layout, with no NUL at all. */
static void damaged(const char *target, const char *buf, apr_size_t len,
                    const char *old_tag)
{
    const apr_array_header_t *f = split(buf, len);
    char *flat = apr_pmemdup(pool, buf, len);
    apr_size_t i;

    variant(target, "tag-only", f, -1, NULL, 1, NULL, 0);
    variant(target, "old-tag", f, 0, old_tag, -1, NULL, 0);
    variant(target, "truncated", f, -1, NULL, f->nelts - 1, NULL, 0);
    variant(target, "trailing-bytes", f, -1, NULL, -1, "x", 1);
    variant(target, "trailing-nul", f, -1, NULL, -1, "", 1);
    seed(target, "unterminated", -1, buf, len - 1);
    for (i = 0; i < len; i++) {
        if (flat[i] == '\0') {
            flat[i] = ' ';
        }
    }
    seed(target, "no-nuls", -1, flat, len);
}

static void session_records(ac_seal_keys *keys, const unsigned char *aad)
{
    ac_session_record s;
    const apr_array_header_t *f;
    json_t *j;
    char *buf;
    apr_size_t len;
    unsigned char *sealed;
    apr_size_t sealed_len;
    int i;

    memset(&s, 0, sizeof(s));
    s.scope = "app.example";
    s.provider = "google";
    s.fingerprint = "5d41402abc4b2a76b9719d911017c592";
    s.remote_user = "janedoe@example.com";
    s.export_prefix = "OIDC_CLAIM_";
    s.created = (apr_time_t)FZ_NOW_SEC * APR_USEC_PER_SEC;
    s.expires = s.created + apr_time_from_sec(28800);
    s.last_seen = s.created + apr_time_from_sec(60);
    s.access_expires = s.created + apr_time_from_sec(3600);
    j = json_loads(claims_json(), 0, NULL);
    s.claims = ac_claims_flatten(pool, j);
    json_decref(j);
    if (ac_session_record_encode(pool, &s, &buf, &len) != NULL) {
        die("session record");
    }
    seed("session_record", "oidc", -1, buf, len);
    if (ac_seal(pool, keys, aad, AC_KEY_HASH_LEN, (unsigned char *)buf, len,
                &sealed, &sealed_len) != NULL) {
        die("seal");
    }
    seed("unseal", "session", -1, sealed, sealed_len);

    s.claims = NULL;
    if (ac_session_record_encode(pool, &s, &buf, &len) != NULL) {
        die("session record");
    }
    seed("session_record", "no-claims", -1, buf, len);

    /* elements with commas in them: stored by their lengths */
    j = json_pack("{s:[s,s,s], s:[s], s:[]}", "groups", "a,b", "", "c",
                  "one", "", "none");
    s.claims = ac_claims_flatten(pool, j);
    json_decref(j);
    if (ac_session_record_encode(pool, &s, &buf, &len) != NULL) {
        die("session record");
    }
    seed("session_record", "commas", -1, buf, len);

    /* the large claim set a session must still fit */
    j = json_array();
    for (i = 0; i < 1000; i++) {
        json_array_append_new(j, json_string(apr_psprintf(pool,
            "grp-%08x-0000-4000-8000-%012x", i, i)));
    }
    j = json_pack("{s:o, s:s}", "groups", j, "sub", "many");
    s.claims = ac_claims_flatten(pool, j);
    json_decref(j);
    if (ac_session_record_encode(pool, &s, &buf, &len) != NULL) {
        die("session record");
    }
    seed("session_record", "1000-groups", -1, buf, len);
    /* as stored: its claims apart, the record naming their digest */
    {
        char *apart;
        apr_size_t apart_len;

        if (ac_session_record_encode_split(pool, &s, 4096, &buf, &len, &apart,
                                           &apart_len) != NULL || apart == NULL) {
            die("session record apart");
        }
        seed("session_record", "claims-apart", -1, buf, len);
        f = split(buf + S_HEAD, len - S_HEAD);
        session_variant(buf, "digest-upper", f, S_DIGEST,
                "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
                -1, NULL, 0);
        session_variant(buf, "digest-short", f, S_DIGEST, "0123abcd", -1,
                NULL, 0);
        session_variant(buf, "digest-then-claims", f, -1, NULL, -1,
                "1\0OIDC_CLAIM_x\0v\0x\0", 20);
    }

    /* the malformed ones start from a record with one small claim */
    j = json_pack("{s:[s,s]}", "groups", "a", "b");
    s.remote_user = "jane";
    s.export_prefix = "OIDC_CLAIM_";
    s.claims = ac_claims_flatten(pool, j);
    json_decref(j);
    if (ac_session_record_encode(pool, &s, &buf, &len) != NULL) {
        die("session record");
    }
    seed("session_record", "one-claim", -1, buf, len);
    damaged("session_record", buf, len, "ACS4");
    f = split(buf + S_HEAD, len - S_HEAD);
    session_variant(buf, "empty-user", f, S_USER, "", -1, NULL, 0);
    {
        char *neg = apr_pmemdup(pool, buf, len);

        neg[5 + 7] = (char)0x80;                 /* created < 0 */
        seed("session_record", "negative-time", -1, neg, len);
        seed("session_record", "times-cut", -1, buf, 20);
    }
    session_variant(buf, "header-only", f, -1, NULL, S_NCLAIMS, NULL, 0);
    session_variant(buf, "count-huge", f, S_NCLAIMS,
            "99999999999999999999", -1, NULL, 0);
    session_variant(buf, "count-leading-zeros", f, S_NCLAIMS, "001", -1,
            NULL, 0);
    session_variant(buf, "count-plus", f, S_NCLAIMS, "+1", -1, NULL, 0);
    session_variant(buf, "count-negative", f, S_NCLAIMS, "-1", -1, NULL, 0);
    session_variant(buf, "count-over", f, S_NCLAIMS, "2", -1, NULL, 0);
    session_variant(buf, "prefix-missing", f, -1, NULL, S_PREFIX, NULL, 0);
    session_variant(buf, "digest-missing", f, -1, NULL, S_DIGEST, NULL, 0);
    session_variant(buf, "shapes-missing", f, -1, NULL, S_SHAPE, NULL, 0);
    session_variant(buf, "path-field", f, S_SHAPE, ",", -1, "groups", 7);
    session_variant(buf, "path-field-missing", f, S_SHAPE, ",", -1, NULL, 0);
    session_variant(buf, "shape-unknown", f, S_SHAPE, "=x", -1, NULL, 0);
    session_variant(buf, "shape-commas", f, S_SHAPE, "=,", -1, NULL, 0);
    session_variant(buf, "lengths-huge", f, S_SHAPE, "=#4294967297", -1,
            NULL, 0);
    session_variant(buf, "lengths-short", f, S_SHAPE, "=#1", -1, NULL, 0);
    session_variant(buf, "lengths-exact", f, S_SHAPE, "=#1,1", -1, NULL, 0);
    session_variant(buf, "lengths-empty", f, S_SHAPE, "=#", -1, NULL, 0);
    session_variant(buf, "lengths-comma-end", f, S_SHAPE, "=#1,", -1,
            NULL, 0);

    memset(&s, 0, sizeof(s));
    s.scope = "";
    s.provider = "twitter";
    s.fingerprint = "";
    s.remote_user = "jack";
    s.created = 1;
    s.expires = 2;
    s.last_seen = 0;
    j = json_pack("{s:s, s:s, s:I, s:[]}", "screen_name", "jack",
                  "id_str", "12", "id", (json_int_t)12, "empty");
    s.claims = ac_claims_flatten(pool, j);
    json_decref(j);
    if (ac_session_record_encode(pool, &s, &buf, &len) != NULL) {
        die("session record");
    }
    seed("session_record", "oauth1", -1, buf, len);
    if (ac_seal(pool, keys, aad, AC_KEY_HASH_LEN, (unsigned char *)buf, len,
                &sealed, &sealed_len) != NULL) {
        die("seal");
    }
    seed("unseal", "oauth1", -1, sealed, sealed_len);
}

static void token_records(ac_seal_keys *keys, const unsigned char *aad)
{
    apr_time_t now = (apr_time_t)FZ_NOW_SEC * APR_USEC_PER_SEC;
    const apr_array_header_t *f;
    ac_token_set t;
    char *buf;
    apr_size_t len;
    unsigned char *sealed;
    apr_size_t sealed_len;

    memset(&t, 0, sizeof(t));
    t.access_token = FZ_ACCESS_TOKEN;
    t.token_type = "Bearer";
    t.expires = now + apr_time_from_sec(3600);
    t.refresh_token = "8xLOxBtZp8";
    t.id_token = "eyJhbGciOiJSUzI1NiJ9.e30.c2ln";
    t.token_secret = "";
    if (ac_token_record_encode(pool, &t, &buf, &len) != NULL) {
        die("token record");
    }
    seed("token_record", "oidc", -1, buf, len);
    if (ac_seal(pool, keys, aad, AC_KEY_HASH_LEN, (unsigned char *)buf, len,
                &sealed, &sealed_len) != NULL) {
        die("seal");
    }
    seed("unseal", "tokens", -1, sealed, sealed_len);
    damaged("token_record", buf, len, "ACT0");

    f = split(buf, len);
    /* what ac_token_refresh_due decides on, each way */
    variant("token_record", "due", f, T_EXPIRES,
            apr_psprintf(pool, "%" APR_TIME_T_FMT, now + apr_time_from_sec(30)),
            -1, NULL, 0);
    variant("token_record", "expired-long-ago", f, T_EXPIRES, "1", -1, NULL, 0);
    variant("token_record", "no-expiry", f, T_EXPIRES, "0", -1, NULL, 0);
    variant("token_record", "no-refresh-token", f, T_REFRESH, "", -1, NULL, 0);
    variant("token_record", "refresh-dead", f, T_DEAD, "1", -1, NULL, 0);
    variant("token_record", "backing-off", f, T_RETRY,
            apr_psprintf(pool, "%" APR_TIME_T_FMT, now + apr_time_from_sec(60)),
            -1, NULL, 0);
    /* and what the decoder must refuse or read with care */
    variant("token_record", "negative-expiry", f, T_EXPIRES, "-1", -1, NULL, 0);
    variant("token_record", "negative-retry", f, T_RETRY, "-60000000", -1,
            NULL, 0);
    variant("token_record", "time-18-digits", f, T_RETRY,
            "999999999999999999", -1, NULL, 0);
    variant("token_record", "time-19-digits", f, T_EXPIRES,
            "9223372036854775807", -1, NULL, 0);
    variant("token_record", "time-leading-zeros", f, T_EXPIRES,
            "000000000000000007", -1, NULL, 0);
    variant("token_record", "time-empty", f, T_RETRY, "", -1, NULL, 0);
    variant("token_record", "dead-2", f, T_DEAD, "2", -1, NULL, 0);
    variant("token_record", "dead-01", f, T_DEAD, "01", -1, NULL, 0);
    variant("token_record", "dead-huge", f, T_DEAD, "99999999999999999999", -1,
            NULL, 0);
    variant("token_record", "dead-empty", f, T_DEAD, "", -1, NULL, 0);
    variant("token_record", "header-only", f, -1, NULL, T_EXPIRES, NULL, 0);
    variant("token_record", "high-bytes", f, T_TOKEN_TYPE, "\xff\xfe\t\x7f",
            -1, NULL, 0);

    memset(&t, 0, sizeof(t));
    t.access_token = "nnch734d00sl2jdk";
    t.token_type = "";
    t.refresh_token = "";
    t.id_token = "";
    t.token_secret = "pfkkdhi9sl3r4s00";
    if (ac_token_record_encode(pool, &t, &buf, &len) != NULL) {
        die("token record");
    }
    seed("token_record", "oauth1", -1, buf, len);
    f = split(buf, len);
    variant("token_record", "all-empty", f, T_SECRET, "", -1, NULL, 0);
}

static void flow_entries(void)
{
    ac_flow_entry e;
    const apr_array_header_t *f;
    char *buf;
    apr_size_t len;

    memset(&e, 0, sizeof(e));
    e.flow_id = "Qm9vZ2llIGZsb3cgaWQgMTI4";
    e.scope = "app.example";
    e.provider = "google";
    e.fingerprint = "5d41402abc4b2a76b9719d911017c592";
    e.original_url = "/app/page?x=1&y=%2F#frag";
    e.redirect_uri = "https://app.example/auth/callback";
    e.nonce = FZ_NONCE;
    e.code_verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    e.token_secret = "";
    e.created = (apr_time_t)FZ_NOW_SEC * APR_USEC_PER_SEC;
    if (ac_flow_entry_encode(pool, &e, &buf, &len) != NULL) {
        die("flow entry");
    }
    seed("flow_entry", "oidc", -1, buf, len);
    e.provider = "twitter";
    e.nonce = "";
    e.code_verifier = "";
    e.token_secret = "hdk48Djdsa";
    if (ac_flow_entry_encode(pool, &e, &buf, &len) != NULL) {
        die("flow entry");
    }
    seed("flow_entry", "oauth1", -1, buf, len);

    memset(&e, 0, sizeof(e));
    e.flow_id = "f";
    e.scope = e.provider = e.fingerprint = "";
    e.original_url = e.redirect_uri = e.nonce = "";
    e.code_verifier = e.token_secret = "";
    if (ac_flow_entry_encode(pool, &e, &buf, &len) != NULL) {
        die("flow entry");
    }
    seed("flow_entry", "minimal", -1, buf, len);
    damaged("flow_entry", buf, len, "ACF1");
    f = split(buf, len);
    variant("flow_entry", "empty-flow-id", f, F_ID, "", -1, NULL, 0);
    variant("flow_entry", "time-not-digits", f, F_CREATED, "12a", -1, NULL, 0);
    variant("flow_entry", "time-negative", f, F_CREATED, "-5", -1, NULL, 0);
    variant("flow_entry", "time-too-long", f, F_CREATED,
            "0000000000000000001", -1, NULL, 0);
    variant("flow_entry", "high-bytes", f, F_ID, "\xff\xfe\x01", -1, NULL, 0);
}

/* Sealed values that must not open, made from one that does, so that they
 * follow seal.c's version byte. */
static void sealed_damaged(ac_seal_keys *keys, const unsigned char *aad)
{
    apr_array_header_t *passes = apr_array_make(pool, 1, sizeof(const char *));
    ac_seal_keys *old;
    unsigned char other[AC_KEY_HASH_LEN], *sealed, *copy;
    apr_size_t len;

    if (ac_seal(pool, keys, aad, AC_KEY_HASH_LEN, (const unsigned char *)"x", 1,
                &sealed, &len) != NULL) {
        die("seal");
    }
    seed("unseal", "one-byte", -1, sealed, len);
    copy = apr_pmemdup(pool, sealed, len);
    copy[len - 17] ^= 0x01;     /* the last ciphertext byte, before the tag */
    seed("unseal", "tampered", -1, copy, len);
    copy = apr_pcalloc(pool, len + 16);
    copy[0] = sealed[0];        /* the version, then only zeros */
    seed("unseal", "zeros", -1, copy, len + 16);
    copy = apr_pmemdup(pool, sealed, len);
    copy[0] = (unsigned char)(copy[0] - 1);
    seed("unseal", "old-version", -1, copy, len);
    seed("unseal", "version-only", -1, sealed, 1);
    seed("unseal", "short", -1, sealed, AC_SEAL_OVERHEAD - 1);
    if (ac_seal(pool, keys, aad, AC_KEY_HASH_LEN, (const unsigned char *)"", 0,
                &sealed, &len) != NULL) {
        die("seal");
    }
    seed("unseal", "empty-plaintext", -1, sealed, len);

    /* under another cache key: must not open here */
    ac_key_hash(keys, FZ_CACHE_TYPE, "another id", other);
    if (ac_seal(pool, keys, other, sizeof(other), (const unsigned char *)"x", 1,
                &sealed, &len) != NULL) {
        die("seal");
    }
    seed("unseal", "other-key", -1, sealed, len);

    /* under the second passphrase only: opens by rotation */
    APR_ARRAY_PUSH(passes, const char *) = FZ_OLD_PASSPHRASE;
    if (ac_seal_keys_derive(pool, passes, &old) != NULL) {
        die("seal keys");
    }
    if (ac_seal(pool, old, aad, AC_KEY_HASH_LEN, (const unsigned char *)"x", 1,
                &sealed, &len) != NULL) {
        die("seal");
    }
    seed("unseal", "old-passphrase", -1, sealed, len);
}

static void records(void)
{
    apr_array_header_t *passes = apr_array_make(pool, 1, sizeof(const char *));
    ac_seal_keys *keys;
    unsigned char aad[AC_KEY_HASH_LEN];

    APR_ARRAY_PUSH(passes, const char *) = FZ_PASSPHRASE;
    if (ac_seal_keys_derive(pool, passes, &keys) != NULL) {
        die("seal keys");
    }
    ac_key_hash(keys, FZ_CACHE_TYPE, FZ_CACHE_ID, aad);
    session_records(keys, aad);
    token_records(keys, aad);
    flow_entries();
    sealed_damaged(keys, aad);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: make_seeds KEYDIR OUTDIR (test/unit/data test/fuzz)\n");
        return 2;
    }
    apr_initialize();
    apr_pool_create(&pool, NULL);
    outdir = argv[2];
    tokens(argv[1]);
    records();
    apr_pool_destroy(pool);
    apr_terminate();
    return 0;
}
