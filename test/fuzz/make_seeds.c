/*
 * make_seeds.c - writes the seeds that must be computed: tokens signed with
 * the unit tests' keys, the JWKS of those keys, records written by the
 * encoders and a sealed cache value.  The hand-written seeds sit in
 * corpus/ as plain files.
 *
 *     make_seeds test/unit/data test/fuzz
 *
 * writes test/fuzz/fixture_keys.h (the JWKS and fixed tokens compiled into
 * fuzz_idtoken and fuzz_jwks) and test/fuzz/corpus/<target>/gen-*.  ES256
 * and PS256 signatures are randomised, so a new run changes those files
 * without changing what they test.  build.sh builds it as OUTDIR/make_seeds.
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
#include "flow_record.h"
#include "pkce.h"
#include "seal.h"
#include "session_record.h"
#include "support.h"
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

static void records(void)
{
    ac_session_record s;
    ac_flow_entry e;
    apr_array_header_t *passes = apr_array_make(pool, 1, sizeof(const char *));
    ac_seal_keys *keys;
    json_t *j;
    char *buf;
    apr_size_t len;
    unsigned char aad[AC_KEY_HASH_LEN], *sealed;
    apr_size_t sealed_len;

    memset(&s, 0, sizeof(s));
    s.scope = "app.example";
    s.provider = "google";
    s.fingerprint = "5d41402abc4b2a76b9719d911017c592";
    s.remote_user = "janedoe@example.com";
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

    passes = apr_array_make(pool, 1, sizeof(const char *));
    APR_ARRAY_PUSH(passes, const char *) = FZ_PASSPHRASE;
    if (ac_seal_keys_derive(pool, passes, &keys) != NULL) {
        die("seal keys");
    }
    ac_key_hash(keys, FZ_CACHE_TYPE, FZ_CACHE_ID, aad);
    if (ac_seal(pool, keys, aad, sizeof(aad), (unsigned char *)buf, len,
                &sealed, &sealed_len) != NULL) {
        die("seal");
    }
    seed("unseal", "session", -1, sealed, sealed_len);

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
    if (ac_seal(pool, keys, aad, sizeof(aad), (unsigned char *)buf, len,
                &sealed, &sealed_len) != NULL) {
        die("seal");
    }
    seed("unseal", "oauth1", -1, sealed, sealed_len);

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
