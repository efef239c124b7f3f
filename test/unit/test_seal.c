/* test_seal.c - AEAD sealing, key rotation and key hashing. */
#include <string.h>

#include "unit.h"
#include "seal.h"

static const unsigned char aad[] = "session-key-hash";
static const char plain[] = "ACS1\0provider\0user\0";

static ac_seal_keys *keys_of(const char *first, const char *second)
{
    apr_array_header_t *pass = apr_array_make(unit_pool, 2, sizeof(const char *));
    ac_seal_keys *k = NULL;

    APR_ARRAY_PUSH(pass, const char *) = first;
    if (second) {
        APR_ARRAY_PUSH(pass, const char *) = second;
    }
    ck_assert_ptr_null(ac_seal_keys_derive(unit_pool, pass, &k));
    ck_assert_ptr_nonnull(k);
    return k;
}

static void seal_plain(const ac_seal_keys *k, unsigned char **out, apr_size_t *len)
{
    ck_assert_ptr_null(ac_seal(unit_pool, k, aad, sizeof(aad) - 1,
                               (const unsigned char *)plain, sizeof(plain) - 1,
                               out, len));
}

/* 1 when `sealed` opens under `k` to the original plaintext. */
static int opens(const ac_seal_keys *k, const unsigned char *sealed,
                 apr_size_t len)
{
    unsigned char *out = NULL;
    apr_size_t out_len = 0;
    ac_error *e = ac_unseal(unit_pool, k, aad, sizeof(aad) - 1, sealed, len,
                            &out, &out_len);

    if (e) {
        ck_assert_str_eq(e->code, "seal_open");
        return 0;
    }
    return out_len == sizeof(plain) - 1 && memcmp(out, plain, out_len) == 0;
}

START_TEST(seal_round_trip)
{
    ac_seal_keys *k = keys_of("correct horse battery staple", NULL);
    unsigned char *s1, *s2, *out;
    apr_size_t l1, l2, out_len;

    seal_plain(k, &s1, &l1);
    ck_assert_uint_eq(l1, sizeof(plain) - 1 + AC_SEAL_OVERHEAD);
    ck_assert_int_eq(s1[0], 1);
    ck_assert_int_eq(opens(k, s1, l1), 1);
    /* ciphertext is not the plaintext */
    ck_assert(memcmp(s1 + 13, plain, sizeof(plain) - 1) != 0);
    /* a fresh IV each time */
    seal_plain(k, &s2, &l2);
    ck_assert(memcmp(s1 + 1, s2 + 1, 12) != 0);
    /* empty plaintext and empty AAD work, and the output is NUL-terminated */
    ck_assert_ptr_null(ac_seal(unit_pool, k, NULL, 0,
                               (const unsigned char *)"", 0, &s1, &l1));
    ck_assert_uint_eq(l1, AC_SEAL_OVERHEAD);
    ck_assert_ptr_null(ac_unseal(unit_pool, k, NULL, 0, s1, l1, &out, &out_len));
    ck_assert_uint_eq(out_len, 0);
    ck_assert_int_eq(out[0], '\0');
}
END_TEST

START_TEST(seal_tamper_rejected)
{
    ac_seal_keys *k = keys_of("correct horse battery staple", NULL);
    unsigned char *s, *copy;
    apr_size_t len, i;
    /* version, first and last IV byte, first and last ciphertext byte, first
     * and last tag byte */
    apr_size_t where[7];

    seal_plain(k, &s, &len);
    where[0] = 0;
    where[1] = 1;
    where[2] = 12;
    where[3] = 13;
    where[4] = len - 17;
    where[5] = len - 16;
    where[6] = len - 1;
    copy = apr_palloc(unit_pool, len);
    for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
        memcpy(copy, s, len);
        copy[where[i]] ^= 0x01;
        ck_assert_msg(!opens(k, copy, len), "flip at offset %lu opened",
                      (unsigned long)where[i]);
    }
    /* truncation */
    ck_assert(!opens(k, s, len - 1));
    ck_assert(!opens(k, s, AC_SEAL_OVERHEAD - 1));
    ck_assert(!opens(k, s, 0));
    /* the untouched value still opens: the checks above are not vacuous */
    ck_assert(opens(k, s, len));
}
END_TEST

START_TEST(seal_wrong_aad_rejected)
{
    ac_seal_keys *k = keys_of("correct horse battery staple", NULL);
    static const unsigned char other[] = "session-key-hasX";
    unsigned char *s, *out;
    apr_size_t len, out_len;
    ac_error *e;

    seal_plain(k, &s, &len);
    e = ac_unseal(unit_pool, k, other, sizeof(other) - 1, s, len, &out, &out_len);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->code, "seal_open");
    e = ac_unseal(unit_pool, k, NULL, 0, s, len, &out, &out_len);
    ck_assert_ptr_nonnull(e);
}
END_TEST

START_TEST(seal_rotation)
{
    ac_seal_keys *a = keys_of("passphrase A", NULL);
    ac_seal_keys *b = keys_of("passphrase B", NULL);
    ac_seal_keys *ba = keys_of("passphrase B", "passphrase A");
    unsigned char *s;
    apr_size_t len;

    /* sealed under A, still opens after B was put in front */
    seal_plain(a, &s, &len);
    ck_assert_int_eq(opens(ba, s, len), 1);
    ck_assert_int_eq(opens(b, s, len), 0);
    /* [B, A] seals with B: opens with B alone, not with A alone */
    seal_plain(ba, &s, &len);
    ck_assert_int_eq(opens(b, s, len), 1);
    ck_assert_int_eq(opens(a, s, len), 0);
}
END_TEST

START_TEST(seal_keys_derivation)
{
    ac_seal_keys *a1 = keys_of("same", NULL);
    ac_seal_keys *a2 = keys_of("same", NULL);
    ac_seal_keys *b = keys_of("other", NULL);
    ac_seal_keys *r1 = NULL, *r2 = NULL, *k = NULL;
    apr_array_header_t *pass = apr_array_make(unit_pool, 1, sizeof(const char *));

    /* deterministic, so every node of a shared cache derives the same key */
    ck_assert_mem_eq(a1->keys[0], a2->keys[0], AC_SEAL_KEY_LEN);
    ck_assert(memcmp(a1->keys[0], b->keys[0], AC_SEAL_KEY_LEN) != 0);
    ck_assert_ptr_null(ac_seal_keys_random(unit_pool, &r1));
    ck_assert_ptr_null(ac_seal_keys_random(unit_pool, &r2));
    ck_assert_int_eq(r1->count, 1);
    ck_assert(memcmp(r1->keys[0], r2->keys[0], AC_SEAL_KEY_LEN) != 0);
    /* no passphrase, or an empty one, is a configuration error */
    ck_assert_ptr_nonnull(ac_seal_keys_derive(unit_pool, pass, &k));
    APR_ARRAY_PUSH(pass, const char *) = "";
    ck_assert_ptr_nonnull(ac_seal_keys_derive(unit_pool, pass, &k));
}
END_TEST

START_TEST(key_hash)
{
    unsigned char h1[AC_KEY_HASH_LEN], h2[AC_KEY_HASH_LEN];
    ac_seal_keys *k;

    ck_assert_ptr_null(ac_seal_keys_random(unit_pool, &k));
    /* printf 'session\0abc' | sha256sum */
    ac_key_hash(k, "session", "abc", h1);
    ck_assert_str_eq(ac_hex(unit_pool, h1, sizeof(h1)),
                     "cb61287a59987eb0d3b6357e5b48944a"
                     "bbdee296f4bf364b6fa78a6b5ee22e77");
    ac_key_hash(k, "flow", "abc", h2);
    ck_assert(memcmp(h1, h2, sizeof(h1)) != 0);
    /* the separator keeps the type and the id apart */
    ac_key_hash(k, "ab", "c", h1);
    ac_key_hash(k, "a", "bc", h2);
    ck_assert(memcmp(h1, h2, sizeof(h1)) != 0);
}
END_TEST

START_TEST(key_hash_long_ids)
{
    unsigned char h1[AC_KEY_HASH_LEN], h2[AC_KEY_HASH_LEN];
    char long1[400], long2[400];
    ac_seal_keys *k;

    ck_assert_ptr_null(ac_seal_keys_random(unit_pool, &k));
    memset(long1, 'a', sizeof(long1) - 1);
    long1[sizeof(long1) - 1] = '\0';
    memcpy(long2, long1, sizeof(long2));
    long2[sizeof(long2) - 2] = 'b';
    /* past the stack buffer ids still hash as SHA-256 over type NUL id */
    ac_key_hash(k, "flow1", long1, h1);
    ac_key_hash(k, "flow1", long2, h2);
    ck_assert(memcmp(h1, h2, sizeof(h1)) != 0);
    /* printf 'x\0' + 254 'y' | sha256sum: the last id that fits the buffer */
    memset(long1, 'y', 254);
    long1[254] = '\0';
    ac_key_hash(k, "x", long1, h1);
    long1[253] = '\0';
    ac_key_hash(k, "x", long1, h2);
    ck_assert(memcmp(h1, h2, sizeof(h1)) != 0);
}
END_TEST

Suite *seal_suite(void)
{
    Suite *s = suite_create("seal");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, seal_round_trip);
    tcase_add_test(tc, seal_tamper_rejected);
    tcase_add_test(tc, seal_wrong_aad_rejected);
    tcase_add_test(tc, seal_rotation);
    tcase_add_test(tc, seal_keys_derivation);
    tcase_add_test(tc, key_hash);
    tcase_add_test(tc, key_hash_long_ids);
    suite_add_tcase(s, tc);
    return s;
}
