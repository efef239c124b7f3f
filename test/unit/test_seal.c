/* test_seal.c - AEAD sealing, key derivation and rotation, passphrase
 * checks and key hashing. */
#include <string.h>

#include "unit.h"
#include "seal.h"

static const unsigned char aad[] = "session-key-hash";
static const char plain[] = "ACS1\0provider\0user\0";

/* A random key: the sealing tests need no passphrase, and scrypt is slow on
 * purpose (seconds each under valgrind). */
static ac_seal_keys *random_key(void)
{
    ac_seal_keys *k = NULL;

    ck_assert_ptr_null(ac_seal_keys_random(unit_pool, &k));
    ck_assert_ptr_nonnull(k);
    return k;
}

static ac_seal_keys *keys_of(apr_pool_t *p, const char *first, const char *second)
{
    apr_array_header_t *pass = apr_array_make(p, 2, sizeof(const char *));
    ac_seal_keys *k = NULL;

    APR_ARRAY_PUSH(pass, const char *) = first;
    if (second) {
        APR_ARRAY_PUSH(pass, const char *) = second;
    }
    ck_assert_ptr_null(ac_seal_keys_derive(p, pass, &k));
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
    ac_seal_keys *k = random_key();
    unsigned char *s1, *s2, *out;
    apr_size_t l1, l2, out_len;

    seal_plain(k, &s1, &l1);
    ck_assert_uint_eq(l1, sizeof(plain) - 1 + AC_SEAL_OVERHEAD);
    ck_assert_int_eq(s1[0], 2);
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
    ac_seal_keys *k = random_key();
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
    ac_seal_keys *k = random_key();
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

/* ---- keys from passphrases ---------------------------------------------------- */

#define PASS_A "first passphrase, 0123456789"
#define PASS_B "second passphrase, 9876543210"

/*
 * Derived once, before the tests fork, so each scrypt run happens once.
 * The records are copied into static storage: the forked tests end with
 * kdf_pool alive, and LeakSanitizer does not look into pool memory for
 * the OpenSSL objects the records point to.
 */
static apr_pool_t *kdf_pool;
static ac_seal_keys kdf_a, kdf_b, kdf_ba;
static const ac_seal_keys *const keys_a = &kdf_a, *const keys_b = &kdf_b,
                          *const keys_ba = &kdf_ba;

static void kdf_setup(void)
{
    apr_pool_create(&kdf_pool, NULL);
    kdf_a = *keys_of(kdf_pool, PASS_A, NULL);
    kdf_b = *keys_of(kdf_pool, PASS_B, NULL);
    kdf_ba = *keys_of(kdf_pool, PASS_B, PASS_A);
}

static void kdf_teardown(void)
{
    apr_pool_destroy(kdf_pool);
}

START_TEST(seal_kdf_known_answer)
{
    /* scrypt, N=2^15 r=8 p=3, salt "mod_auth_client cache seal v2", as
     * computed by the OpenSSL command line:
     *   openssl kdf -keylen 32 -kdfopt 'pass:first passphrase, 0123456789'
     *     -kdfopt 'salt:mod_auth_client cache seal v2' -kdfopt n:32768
     *     -kdfopt r:8 -kdfopt p:3 -kdfopt maxmem_bytes:67108864 SCRYPT
     * A change here changes every key of every deployment: sessions in a
     * shared cache would no longer open after an upgrade. */
    ck_assert_str_eq(ac_hex(unit_pool, keys_a->keys[0], AC_SEAL_KEY_LEN),
                     "fad42994ad231db9da70d574ef1073a2"
                     "4be22045ed8fffe4650cf0a4b317eae0");
    ck_assert_str_eq(ac_hex(unit_pool, keys_b->keys[0], AC_SEAL_KEY_LEN),
                     "eee7f0c1209f77a7421cd537b6fa63ea"
                     "0835ccaf698c5364840772375e1b2eb4");
}
END_TEST

START_TEST(seal_kdf_stable)
{
    ac_seal_keys *again = keys_of(unit_pool, PASS_A, NULL);

    /* deterministic, so every node of a shared cache derives the same key */
    ck_assert_int_eq(again->count, 1);
    ck_assert_mem_eq(again->keys[0], keys_a->keys[0], AC_SEAL_KEY_LEN);
    /* different passphrases, different keys */
    ck_assert(memcmp(keys_a->keys[0], keys_b->keys[0], AC_SEAL_KEY_LEN) != 0);
    /* in a list each passphrase gives the key it gives alone, in order */
    ck_assert_int_eq(keys_ba->count, 2);
    ck_assert_mem_eq(keys_ba->keys[0], keys_b->keys[0], AC_SEAL_KEY_LEN);
    ck_assert_mem_eq(keys_ba->keys[1], keys_a->keys[0], AC_SEAL_KEY_LEN);
}
END_TEST

START_TEST(seal_rotation)
{
    unsigned char *s;
    apr_size_t len;

    /* sealed under A, still opens after B was put in front */
    seal_plain(keys_a, &s, &len);
    ck_assert_int_eq(opens(keys_ba, s, len), 1);
    ck_assert_int_eq(opens(keys_b, s, len), 0);
    /* [B, A] seals with B: opens with B alone, not with A alone */
    seal_plain(keys_ba, &s, &len);
    ck_assert_int_eq(opens(keys_b, s, len), 1);
    ck_assert_int_eq(opens(keys_a, s, len), 0);
}
END_TEST

START_TEST(seal_keys_errors_and_random)
{
    ac_seal_keys *r1 = random_key(), *r2 = random_key(), *k = NULL;
    apr_array_header_t *pass = apr_array_make(unit_pool, 1, sizeof(const char *));
    unsigned char raw[AC_SEAL_KEY_LEN];

    ck_assert_int_eq(r1->count, 1);
    ck_assert(memcmp(r1->keys[0], r2->keys[0], AC_SEAL_KEY_LEN) != 0);
    /* a raw key is used as given: no stretching */
    memset(raw, 0x5a, sizeof(raw));
    ck_assert_ptr_null(ac_seal_keys_raw(unit_pool, raw, &k));
    ck_assert_int_eq(k->count, 1);
    ck_assert_mem_eq(k->keys[0], raw, sizeof(raw));
    /* no passphrase, or an empty one, is a configuration error */
    ck_assert_ptr_nonnull(ac_seal_keys_derive(unit_pool, pass, &k));
    APR_ARRAY_PUSH(pass, const char *) = "";
    ck_assert_ptr_nonnull(ac_seal_keys_derive(unit_pool, pass, &k));
}
END_TEST

START_TEST(passphrase_weakness)
{
    /* what openssl rand prints passes */
    ck_assert_ptr_null(ac_passphrase_weakness("Qm9sdC1yYW5kb20tYnl0ZXMtaGVyZS0xMjM0NTY3OA=="));
    ck_assert_ptr_null(ac_passphrase_weakness("3f9a1c07be52d846a0e93b71c5d28f64"));
    ck_assert_ptr_null(ac_passphrase_weakness("integration-passphrase-0123456789"));
    /* exactly 16 characters, 8 of them different: the least accepted */
    ck_assert_ptr_null(ac_passphrase_weakness("abcdefghabcdefgi"));
    /* too short */
    ck_assert_str_eq(ac_passphrase_weakness("Sh0rt-but-mixed"),
                     "is shorter than 16 characters");
    ck_assert_str_eq(ac_passphrase_weakness(""), "is shorter than 16 characters");
    /* long but of few characters */
    ck_assert_str_eq(ac_passphrase_weakness("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
                     "has fewer than 8 different characters");
    ck_assert_str_eq(ac_passphrase_weakness("0101010110101010abab"),
                     "has fewer than 8 different characters");
    /* enough different characters, but one piece over and over, also when
     * the last copy is cut short */
    ck_assert_str_eq(ac_passphrase_weakness("Passw0rd!Passw0rd!"),
                     "is one short piece repeated");
    ck_assert_str_eq(ac_passphrase_weakness("abcdefghabcdefghabc"),
                     "is one short piece repeated");
}
END_TEST

START_TEST(key_hash)
{
    unsigned char h1[AC_KEY_HASH_LEN], h2[AC_KEY_HASH_LEN];
    ac_seal_keys *k = random_key();

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
    ac_seal_keys *k = random_key();

    memset(long1, 'a', sizeof(long1) - 1);
    long1[sizeof(long1) - 1] = '\0';
    memcpy(long2, long1, sizeof(long2));
    long2[sizeof(long2) - 2] = 'b';
    /* past the stack buffer ids still hash as SHA-256 over type NUL id */
    ac_key_hash(k, "flow1", long1, h1);
    ck_assert_str_eq(ac_hex(unit_pool, h1, sizeof(h1)),
                     "6168dbde1a41ce8e02c59c07fc0e0589"
                     "f78ba7ba2fc1b00728da54c3ea5564fe");
    ac_key_hash(k, "flow1", long2, h2);
    ck_assert(memcmp(h1, h2, sizeof(h1)) != 0);
    /* ids about the length of the stack buffer */
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
    TCase *kdf = tcase_create("kdf");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, seal_round_trip);
    tcase_add_test(tc, seal_tamper_rejected);
    tcase_add_test(tc, seal_wrong_aad_rejected);
    tcase_add_test(tc, seal_keys_errors_and_random);
    tcase_add_test(tc, passphrase_weakness);
    tcase_add_test(tc, key_hash);
    tcase_add_test(tc, key_hash_long_ids);
    suite_add_tcase(s, tc);

    tcase_add_unchecked_fixture(kdf, kdf_setup, kdf_teardown);
    tcase_add_checked_fixture(kdf, unit_setup, unit_teardown);
    /* one scrypt run per test at most, but valgrind makes that seconds */
    tcase_set_timeout(kdf, 120);
    tcase_add_test(kdf, seal_kdf_known_answer);
    tcase_add_test(kdf, seal_kdf_stable);
    tcase_add_test(kdf, seal_rotation);
    suite_add_tcase(s, kdf);
    return s;
}
