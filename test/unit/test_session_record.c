/* test_session_record.c - the session as stored in the cache: round trip,
 * refusals, and decoding of truncated or forged records. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "session_record.h"

static json_t *parse(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, 0, &jerr);

    ck_assert_msg(j != NULL, "test JSON does not parse: %s", jerr.text);
    return j;
}

static const ac_claim *must_find(const ac_session_record *s, const char *path)
{
    const ac_claim *c = ac_session_record_claim(unit_pool, s, path);

    ck_assert_msg(c != NULL, "claim %s missing", path);
    return c;
}

static ac_session_record sample_record(void)
{
    ac_session_record s;
    json_t *j = parse("{\"sub\":\"u1\",\"groups\":[\"admins\",\"users\",\"x y\"],"
                      "\"address\":{\"country\":\"DE\"},\"empty\":[],"
                      "\"nothing\":null,\"name\":\"\xc3\x9cmlaut\","
                      "\"commas\":[\"a,b\",\"\",\"c\"],\"one\":[\"\"],"
                      "\"blanks\":[\"\",\"\"],\"a_b\":1,\"a\":{\"b\":2}}");

    memset(&s, 0, sizeof(s));
    s.export_prefix = "OIDC_CLAIM_";
    s.scope = "rp.example";
    s.provider = "google";
    s.fingerprint = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    s.remote_user = "alice@example.com";
    s.created = APR_INT64_C(1700000000000001);
    s.expires = APR_INT64_C(1700028800000002);
    s.last_seen = APR_INT64_C(1700000100000003);
    s.access_expires = 4;
    s.claims = ac_claims_flatten(unit_pool, j);
    json_decref(j);
    return s;
}

static void assert_claims_equal(const apr_array_header_t *a,
                                const apr_array_header_t *b)
{
    int i, k;

    ck_assert_int_eq(a->nelts, b->nelts);
    for (i = 0; i < a->nelts; i++) {
        const ac_claim *x = &APR_ARRAY_IDX(a, i, ac_claim);
        const ac_claim *y = &APR_ARRAY_IDX(b, i, ac_claim);

        ck_assert_str_eq(x->path, y->path);
        ck_assert_str_eq(x->env_name, y->env_name);
        ck_assert_str_eq(x->env_value, y->env_value);
        ck_assert_int_eq(x->nvalues, y->nvalues);
        for (k = 0; k < x->nvalues; k++) {
            ck_assert_str_eq(x->values[k], y->values[k]);
        }
    }
}

START_TEST(session_record_round_trip)
{
    ac_session_record s = sample_record(), d;
    const ac_claim *g;
    char *buf;
    apr_size_t len;

    ck_assert_ptr_null(ac_session_record_encode(unit_pool, &s, &buf, &len));
    memset(&d, 0, sizeof(d));
    ck_assert_ptr_null(ac_session_record_decode(unit_pool, buf, len, &d));
    ck_assert_str_eq(d.scope, "rp.example");
    ck_assert_str_eq(d.provider, "google");
    ck_assert_str_eq(d.fingerprint, "0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    ck_assert_str_eq(d.remote_user, "alice@example.com");
    ck_assert(d.created == s.created);
    ck_assert(d.expires == s.expires);
    ck_assert(d.last_seen == s.last_seen);
    ck_assert_int_eq(d.access_expires, 4);
    ck_assert_str_eq(d.export_prefix, "OIDC_CLAIM_");
    /* nothing split on decode: the claims wait until asked for */
    ck_assert_ptr_null(d.claims);
    assert_claims_equal(s.claims, ac_session_record_claims(unit_pool, &d));
    g = must_find(&d, "groups");
    ck_assert_int_eq(g->nvalues, 3);
    ck_assert_str_eq(g->values[1], "users");
    ck_assert_str_eq(g->env_value, "admins,users,x y");
    ck_assert_ptr_null(ac_session_record_claim(unit_pool, &d, "absent"));
    /* decoding works in place: the strings live in the buffer */
    ck_assert(d.remote_user >= buf && d.remote_user < buf + len);
}
END_TEST

/* Each value is stored once, and elements with commas come back whole. */
START_TEST(session_record_values_once)
{
    ac_session_record s = sample_record(), d;
    const ac_claim *c;
    char *buf;
    apr_size_t len;

    ck_assert_ptr_null(ac_session_record_encode(unit_pool, &s, &buf, &len));
    ck_assert_ptr_nonnull(memmem(buf, len, "admins,users,x y", 16));
    ck_assert_ptr_null(memmem(buf, len, "admins\0", 7));
    ck_assert_ptr_null(ac_session_record_decode(unit_pool, buf, len, &d));
    c = must_find(&d, "commas");
    ck_assert_int_eq(c->nvalues, 3);
    ck_assert_str_eq(c->values[0], "a,b");
    ck_assert_str_eq(c->values[1], "");
    ck_assert_str_eq(c->values[2], "c");
    c = must_find(&d, "one");
    ck_assert_int_eq(c->nvalues, 1);
    ck_assert_str_eq(c->values[0], "");
    c = must_find(&d, "blanks");
    ck_assert_int_eq(c->nvalues, 2);
    c = must_find(&d, "empty");
    ck_assert_int_eq(c->nvalues, 0);
}
END_TEST

/* The export list is the decode's whole product: prefixed names, joined
 * values, shadowed names left out. */
START_TEST(session_record_exports)
{
    ac_session_record s = sample_record(), d;
    const ac_export_item *x;
    char *buf;
    apr_size_t len;
    int i, n, seen_groups = 0, seen_ab = 0;

    ck_assert_ptr_null(ac_session_record_encode(unit_pool, &s, &buf, &len));
    ck_assert_ptr_null(ac_session_record_decode(unit_pool, buf, len, &d));
    x = d.exports;
    n = d.nexports;
    for (i = 0; i < n; i++) {
        ck_assert(strncmp(x[i].name, "OIDC_CLAIM_", 11) == 0);
        if (strcmp(x[i].name, "OIDC_CLAIM_groups") == 0) {
            ck_assert_str_eq(x[i].value, "admins,users,x y");
            seen_groups++;
        }
        if (strcmp(x[i].name, "OIDC_CLAIM_a_b") == 0) {
            ck_assert_str_eq(x[i].value, "2");       /* the later one */
            seen_ab++;
        }
    }
    ck_assert_int_eq(seen_groups, 1);
    ck_assert_int_eq(seen_ab, 1);
    /* from the flattened claims, the same list */
    x = ac_session_record_exports(unit_pool, &s, &i);
    ck_assert_int_eq(i, n);
    for (i = 0; i < n; i++) {
        ck_assert_str_eq(x[i].name, d.exports[i].name);
        ck_assert_str_eq(x[i].value, d.exports[i].value);
    }
}
END_TEST

/* Stored again after a touch, a decoded record keeps its claims as read. */
START_TEST(session_record_store_again)
{
    ac_session_record s = sample_record(), d, d2;
    char *buf, *buf2;
    apr_size_t len, len2;

    ck_assert_ptr_null(ac_session_record_encode(unit_pool, &s, &buf, &len));
    ck_assert_ptr_null(ac_session_record_decode(unit_pool, buf, len, &d));
    d.last_seen = s.last_seen + 1;
    ck_assert_ptr_null(ac_session_record_encode(unit_pool, &d, &buf2, &len2));
    ck_assert_ptr_null(ac_session_record_decode(unit_pool, buf2, len2, &d2));
    ck_assert(d2.last_seen == s.last_seen + 1);
    assert_claims_equal(s.claims, ac_session_record_claims(unit_pool, &d2));
}
END_TEST

START_TEST(session_record_no_claims)
{
    ac_session_record s = sample_record(), d;
    char *buf;
    apr_size_t len;

    s.claims = NULL;
    ck_assert_ptr_null(ac_session_record_encode(unit_pool, &s, &buf, &len));
    ck_assert_ptr_null(ac_session_record_decode(unit_pool, buf, len, &d));
    ck_assert_int_eq(d.nexports, 0);
    ck_assert_int_eq(ac_session_record_claims(unit_pool, &d)->nelts, 0);
}
END_TEST

START_TEST(session_record_encode_rejects)
{
    ac_session_record s = sample_record();
    ac_claim *c;
    char *buf;
    apr_size_t len;

    s.remote_user = "";
    ck_assert_ptr_nonnull(ac_session_record_encode(unit_pool, &s, &buf, &len));
    s = sample_record();
    s.provider = NULL;
    ck_assert_ptr_nonnull(ac_session_record_encode(unit_pool, &s, &buf, &len));
    s = sample_record();
    s.scope = NULL;
    ck_assert_ptr_nonnull(ac_session_record_encode(unit_pool, &s, &buf, &len));
    s = sample_record();
    s.fingerprint = NULL;
    ck_assert_ptr_nonnull(ac_session_record_encode(unit_pool, &s, &buf, &len));
    s = sample_record();
    s.expires = -1;
    ck_assert_ptr_nonnull(ac_session_record_encode(unit_pool, &s, &buf, &len));
    s = sample_record();
    c = &APR_ARRAY_IDX(s.claims, 1, ac_claim);
    c->values = NULL;
    ck_assert_ptr_nonnull(ac_session_record_encode(unit_pool, &s, &buf, &len));
}
END_TEST

/* A claim section over the limit goes apart under its digest; the record
 * is small, and the section, opened under that digest, gives the claims
 * back.  Bytes with another digest are refused. */
START_TEST(session_record_claims_apart)
{
    ac_session_record s = sample_record(), d, d2;
    ac_claim_section sec;
    char *buf, *apart, *buf2, *apart2, *other;
    apr_size_t len, apart_len, len2, apart_len2;

    ck_assert_ptr_null(ac_session_record_encode_split(unit_pool, &s, 16, &buf, &len,
                                                      &apart, &apart_len));
    ck_assert_ptr_nonnull(apart);
    ck_assert_ptr_null(memmem(buf, len, "admins,users", 12));
    ck_assert_ptr_nonnull(memmem(apart, apart_len, "admins,users", 12));
    ck_assert_ptr_null(ac_session_record_decode(unit_pool, buf, len, &d));
    ck_assert_ptr_nonnull(d.claims_digest);
    ck_assert_int_eq(strlen(d.claims_digest), AC_CLAIMS_DIGEST_HEX_LEN);
    ck_assert_int_eq(d.nexports, 0);
    ck_assert_str_eq(d.remote_user, "alice@example.com");

    ck_assert_ptr_null(ac_session_record_open_claims(unit_pool, d.claims_digest,
                                                     apart, apart_len, &sec));
    ac_session_record_use_claims(&d, &sec);
    assert_claims_equal(s.claims, ac_session_record_claims(unit_pool, &d));
    ck_assert_str_eq(must_find(&d, "groups")->values[2], "x y");
    ck_assert_int_eq(d.nexports, (int)sec.nexports);

    /* one byte changed, or a section of another record: not these claims */
    other = apr_pmemdup(unit_pool, apart, apart_len);
    other[apart_len - 2] ^= 1;
    ck_assert_ptr_nonnull(ac_session_record_open_claims(unit_pool, d.claims_digest,
                                                        other, apart_len, &sec));
    s.remote_user = "mallory";
    ((ac_claim *)s.claims->elts)[0].env_value = "u2";
    ck_assert_ptr_null(ac_session_record_encode_split(unit_pool, &s, 16, &buf2, &len2,
                                                      &other, &apart_len2));
    ck_assert_ptr_nonnull(ac_session_record_open_claims(unit_pool, d.claims_digest,
                                                        other, apart_len2, &sec));
    ck_assert_ptr_nonnull(ac_session_record_open_claims(unit_pool, NULL,
                                                        apart, apart_len, &sec));

    /* stored again (a touch), with or without its claims read back: the
     * same digest, and nothing new to store apart */
    d.last_seen++;
    ck_assert_ptr_null(ac_session_record_encode_split(unit_pool, &d, 16, &buf2, &len2,
                                                      &apart2, &apart_len2));
    ck_assert_ptr_null(apart2);
    ck_assert_ptr_null(ac_session_record_decode(unit_pool, buf2, len2, &d2));
    ck_assert_str_eq(d2.claims_digest, d.claims_digest);
    ck_assert(d2.last_seen == d.last_seen);
    ck_assert_ptr_null(ac_session_record_encode_split(unit_pool, &d2, 16, &buf2, &len2,
                                                      &apart2, &apart_len2));
    ck_assert_ptr_null(apart2);
}
END_TEST

/* Under the limit the claims stay in the record, as before. */
START_TEST(session_record_claims_inline)
{
    ac_session_record s = sample_record(), d;
    char *buf, *apart;
    apr_size_t len, apart_len;

    ck_assert_ptr_null(ac_session_record_encode_split(unit_pool, &s, 4096, &buf, &len,
                                                      &apart, &apart_len));
    ck_assert_ptr_null(apart);
    ck_assert_ptr_null(ac_session_record_decode(unit_pool, buf, len, &d));
    ck_assert_ptr_null(d.claims_digest);
    assert_claims_equal(s.claims, ac_session_record_claims(unit_pool, &d));
}
END_TEST

START_TEST(session_record_truncated)
{
    ac_session_record s = sample_record(), d;
    char *buf;
    apr_size_t len, cut;

    ck_assert_ptr_null(ac_session_record_encode(unit_pool, &s, &buf, &len));
    /* every proper prefix, in a malloc block of exactly its size so that
     * ASan and valgrind see any read past the end: it does not decode, or
     * (cut in the paths and shapes, which a request does not read) none
     * of its claims can be read */
    for (cut = 0; cut < len; cut++) {
        char *copy = malloc(cut ? cut : 1);
        ac_error *err;

        memcpy(copy, buf, cut);
        err = ac_session_record_decode(unit_pool, copy, cut, &d);
        if (err == NULL) {
            ck_assert_msg(ac_session_record_claims(unit_pool, &d) == NULL,
                          "prefix of %lu of %lu bytes: claims read",
                          (unsigned long)cut, (unsigned long)len);
            ck_assert_ptr_null(ac_session_record_claim(unit_pool, &d, "groups"));
        }
        else {
            ck_assert_str_eq(err->code, "session_record");
        }
        free(copy);
    }
}
END_TEST

/* Hand-made records: the tag, four times (little-endian), then `fields`
 * (`n` bytes, NULs in them) - in a block of exactly that size, so that a
 * read past the end is an ASan or valgrind report. */
typedef struct hand {
    char *buf;
    apr_size_t len;
} hand;

static hand hand_made(const char *tag, apr_int64_t created, const char *fields,
                      apr_size_t n)
{
    apr_int64_t times[4];
    hand h;
    int i, k;

    times[0] = created;
    times[1] = 2;
    times[2] = 3;
    times[3] = 4;
    h.len = 5 + 32 + n;
    h.buf = apr_palloc(unit_pool, h.len);
    memcpy(h.buf, tag, 5);
    for (i = 0; i < 4; i++) {
        for (k = 0; k < 8; k++) {
            h.buf[5 + 8 * i + k] = (char)((apr_uint64_t)times[i] >> (8 * k));
        }
    }
    memcpy(h.buf + 37, fields, n);
    return h;
}

#define HAND(f) hand_made("ACS5", 1, f, sizeof(f) - 1)
#define HDR "sc\0p\0fp\0u\0P_\0" "\0"

static int decodes(hand h, ac_session_record *d)
{
    return ac_session_record_decode(unit_pool, h.buf, h.len, d) == NULL;
}

START_TEST(session_record_garbage)
{
    hand base = HAND(HDR "1\0" "P_env\0v\0" "\0path\0");
    hand lengths = HAND(HDR "1\0" "P_env\0a,b,c\0" "#3,1\0path\0");
    /* the path is the name without the prefix ("=" before the shape) */
    hand same_path = HAND(HDR "1\0" "P_env\0v\0" "=\0");
    struct { const char *what; hand h; } refused[] = {
        /* the previous layout: text times, no claims digest */
        { "old tag", hand_made("ACS4", 1, HDR "0\0", sizeof(HDR "0\0") - 1) },
        { "later tag", hand_made("ACS6", 1, HDR "0\0", sizeof(HDR "0\0") - 1) },
        { "no NUL after the tag", hand_made("ACS5x", 1, HDR "0\0", sizeof(HDR "0\0") - 1) },
        { "negative time", hand_made("ACS5", -1, HDR "0\0", sizeof(HDR "0\0") - 1) },
        { "no user", HAND("sc\0p\0fp\0\0P_\0\0" "0\0") },
        { "no digest", HAND("sc\0p\0fp\0u\0P_\0") },
        { "unterminated digest", HAND("sc\0p\0fp\0u\0P_\0abc") },
        { "huge count", HAND(HDR "99999999\0" "P_env\0v\0path\0\0") },
        { "signed count", HAND(HDR "+1\0" "P_env\0v\0path\0\0") },
        { "empty count", HAND(HDR "\0" "P_env\0v\0path\0\0") },
        { "unterminated value", HAND(HDR "1\0" "P_env\0v") },
        /* the bound is the bytes after the count, however it is written */
        { "padded count", HAND(HDR "000000000000002\0" "\0\0\0a\0") },
    };
    /* decoded (the request reads only names and values), but its paths
     * and shapes refuse every claim */
    struct { const char *what; hand h; } bad_meta[] = {
        { "unknown shape", HAND(HDR "1\0" "P_env\0v\0" "x\0path\0") },
        { "lengths too long", HAND(HDR "1\0" "P_env\0a,b\0" "#2,1\0path\0") },
        { "lengths too short", HAND(HDR "1\0" "P_env\0a,b\0" "#1\0path\0") },
        { "no comma there", HAND(HDR "1\0" "P_env\0ab,c\0" "#1,2\0path\0") },
        { "huge length", HAND(HDR "1\0" "P_env\0a\0" "#99999999999999999999999\0path\0") },
        { "empty length", HAND(HDR "1\0" "P_env\0a,b\0" "#1,\0path\0") },
        { "no path", HAND(HDR "1\0" "P_env\0v\0" "\0") },
        { "path as the name, not prefixed", HAND(HDR "1\0" "env\0v\0" "=\0") },
        { "path as an unexported name", HAND(HDR "1\0" "\0v\0" "=\0") },
        { "trailing", HAND(HDR "1\0" "P_env\0v\0" "\0path\0x") },
        { "paths missing", HAND(HDR "2\0" "P_env\0v\0" "\0path\0") },
    };
#define D63 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"
    hand apart = HAND("sc\0p\0fp\0u\0P_\0" D63 "f\0");
    struct { const char *what; hand h; } bad_digest[] = {
        { "short digest", HAND("sc\0p\0fp\0u\0P_\0" D63 "\0") },
        { "upper-case digest", HAND("sc\0p\0fp\0u\0P_\0" D63 "F\0") },
        { "long digest", HAND("sc\0p\0fp\0u\0P_\0" D63 "ff\0") },
        { "not hex", HAND("sc\0p\0fp\0u\0P_\0" D63 "g\0") },
        { "claims after a digest", HAND("sc\0p\0fp\0u\0P_\0" D63 "f\0"
                                        "1\0P_env\0v\0\0path\0") },
    };
    ac_session_record d;
    const ac_claim *c;
    apr_size_t i;

    ck_assert(decodes(base, &d));
    ck_assert_str_eq(must_find(&d, "path")->values[0], "v");
    ck_assert_str_eq(must_find(&d, "path")->env_name, "env");
    ck_assert_str_eq(d.exports[0].name, "P_env");
    ck_assert_str_eq(d.scope, "sc");
    ck_assert_str_eq(d.fingerprint, "fp");
    ck_assert(d.created == 1 && d.expires == 2 && d.last_seen == 3
              && d.access_expires == 4);
    ck_assert(decodes(same_path, &d));
    ck_assert_str_eq(must_find(&d, "env")->values[0], "v");
    ck_assert_str_eq(must_find(&d, "env")->env_name, "env");
    ck_assert(decodes(lengths, &d));
    c = must_find(&d, "path");
    ck_assert_int_eq(c->nvalues, 2);
    ck_assert_str_eq(c->values[0], "a,b");
    ck_assert_str_eq(c->values[1], "c");
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        ck_assert_msg(!decodes(refused[i].h, &d), "%s decoded", refused[i].what);
    }
    for (i = 0; i < sizeof(bad_meta) / sizeof(bad_meta[0]); i++) {
        ck_assert_msg(decodes(bad_meta[i].h, &d), "%s not decoded", bad_meta[i].what);
        ck_assert_msg(ac_session_record_claim(unit_pool, &d, "path") == NULL,
                      "%s: a claim read", bad_meta[i].what);
        ck_assert_msg(ac_session_record_claims(unit_pool, &d) == NULL,
                      "%s: the claims read", bad_meta[i].what);
    }
    for (i = 0; i < sizeof(bad_digest) / sizeof(bad_digest[0]); i++) {
        ck_assert_msg(!decodes(bad_digest[i].h, &d), "%s decoded", bad_digest[i].what);
    }
    /* claims apart: the record names their digest and holds none */
    ck_assert(decodes(apart, &d));
    ck_assert_str_eq(d.claims_digest, D63 "f");
    ck_assert_ptr_null(ac_session_record_claim(unit_pool, &d, "path"));
    ck_assert_ptr_nonnull(ac_session_record_decode(unit_pool, NULL, 0, &d));
    /* no terminating NUL at all: no claim can be read */
    ck_assert(decodes((hand){ base.buf, base.len - 1 }, &d));
    ck_assert_ptr_null(ac_session_record_claim(unit_pool, &d, "path"));
    ck_assert(!decodes((hand){ apart.buf, apart.len - 1 }, &d));
#undef D63
}
END_TEST

Suite *session_record_suite(void)
{
    Suite *s = suite_create("session_record");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, session_record_round_trip);
    tcase_add_test(tc, session_record_values_once);
    tcase_add_test(tc, session_record_exports);
    tcase_add_test(tc, session_record_store_again);
    tcase_add_test(tc, session_record_no_claims);
    tcase_add_test(tc, session_record_encode_rejects);
    tcase_add_test(tc, session_record_claims_apart);
    tcase_add_test(tc, session_record_claims_inline);
    tcase_add_test(tc, session_record_truncated);
    tcase_add_test(tc, session_record_garbage);
    suite_add_tcase(s, tc);
    return s;
}
