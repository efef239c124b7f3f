/*
 * test_keys.c - private keys from PEM files: any type for the RSA-SHA1
 * signer to check, RSA or EC P-256 as a cjose JWK for private_key_jwt.  The
 * keys are in test/unit/data/ (see its README).
 */
#include <string.h>

#include <cjose/cjose.h>
#include <openssl/evp.h>

#include "keys.h"
#include "unit.h"

/* ---- PEM private keys --------------------------------------------------- */

START_TEST(pem_load_any_type)
{
    void *pkey = NULL;

    ck_assert_ptr_null(ac_pem_private_key_load(unit_pool,
                                               unit_data_path("rsa2048.pem"),
                                               "the test key", &pkey));
    ck_assert_ptr_nonnull(pkey);
    ck_assert_int_eq(EVP_PKEY_get_base_id(pkey), EVP_PKEY_RSA);
    ck_assert_int_eq(EVP_PKEY_get_bits(pkey), 2048);

    /* the type is the caller's business: P-384 loads here */
    pkey = NULL;
    ck_assert_ptr_null(ac_pem_private_key_load(unit_pool,
                                               unit_data_path("ec_p384.pem"),
                                               "the test key", &pkey));
    ck_assert_ptr_nonnull(pkey);
    ck_assert_int_eq(EVP_PKEY_get_base_id(pkey), EVP_PKEY_EC);
}
END_TEST

START_TEST(pem_load_refusals)
{
    static const char *const files[] = {
        "rsa2048_encrypted.pem",    /* refused, never prompted for */
        "rsa2048_public.pem",       /* no private half */
        "no-such-key.pem",
        "README",                   /* not PEM at all */
    };
    apr_size_t i;
    void *pkey;
    ac_error *err;

    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        pkey = (void *)1;
        err = ac_pem_private_key_load(unit_pool, unit_data_path(files[i]),
                                      "the RSA-SHA1 key", &pkey);
        ck_assert_msg(err != NULL, "%s accepted", files[i]);
        ck_assert_int_eq(err->id, AC_E_KEY_FILE);
        ck_assert_int_eq(err->category, AC_CAT_CONFIG);
        ck_assert_ptr_nonnull(strstr(err->message, files[i]));
        ck_assert_ptr_nonnull(strstr(err->message, "the RSA-SHA1 key"));
        ck_assert_ptr_null(pkey);
    }
    /* no file named at all */
    pkey = (void *)1;
    err = ac_pem_private_key_load(unit_pool, NULL, "the RSA-SHA1 key", &pkey);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(err->id, AC_E_KEY_FILE);
    ck_assert_ptr_nonnull(strstr(err->message, "the RSA-SHA1 key"));
    ck_assert_ptr_null(pkey);
    err = ac_pem_private_key_load(unit_pool, "", "the RSA-SHA1 key", &pkey);
    ck_assert_ptr_nonnull(err);
    ck_assert_int_eq(err->id, AC_E_KEY_FILE);
}
END_TEST

/* ---- private_key_jwt keys ---------------------------------------------- */

START_TEST(key_load_rsa)
{
    void *jwk = NULL;
    const char *alg = NULL;
    char *json;

    ck_assert_ptr_null(ac_client_key_load(unit_pool,
                                          unit_data_path("rsa2048.pem"),
                                          "rsa-1", &jwk, &alg));
    ck_assert_str_eq(alg, "RS256");
    ck_assert_int_eq(cjose_jwk_get_kty(jwk, NULL), CJOSE_JWK_KTY_RSA);
    ck_assert_str_eq(cjose_jwk_get_kid(jwk, NULL), "rsa-1");
    ck_assert_int_eq(cjose_jwk_get_keysize(jwk, NULL), 2048);
    /* the private half made it across */
    json = cjose_jwk_to_json(jwk, true, NULL);
    ck_assert_ptr_nonnull(json);
    ck_assert_ptr_nonnull(strstr(json, "\"d\""));
    ck_assert_ptr_nonnull(strstr(json, "\"qi\""));
    cjose_get_dealloc()(json);
}
END_TEST

START_TEST(key_load_ec)
{
    void *jwk = NULL;
    const char *alg = NULL;

    ck_assert_ptr_null(ac_client_key_load(unit_pool,
                                          unit_data_path("ec_p256.pem"),
                                          NULL, &jwk, &alg));
    ck_assert_str_eq(alg, "ES256");
    ck_assert_int_eq(cjose_jwk_get_kty(jwk, NULL), CJOSE_JWK_KTY_EC);
    ck_assert_int_eq(cjose_jwk_EC_get_curve(jwk, NULL), CJOSE_JWK_EC_P_256);
    ck_assert_ptr_null(cjose_jwk_get_kid(jwk, NULL));
}
END_TEST

START_TEST(key_load_refusals)
{
    static const struct { const char *file, *code; } cases[] = {
        { "ec_p384.pem", "client_key" },
        { "rsa2048_encrypted.pem", "key_file" },
        { "rsa2048_public.pem", "key_file" },
        { "no-such-key.pem", "key_file" },
        { NULL, NULL }
    };
    int i;

    for (i = 0; cases[i].file != NULL; i++) {
        void *jwk = (void *)1;
        const char *alg = "x";
        ac_error *err = ac_client_key_load(unit_pool,
                                           unit_data_path(cases[i].file),
                                           "k", &jwk, &alg);

        ck_assert_msg(err != NULL, "%s accepted", cases[i].file);
        ck_assert_str_eq(err->code, cases[i].code);
        ck_assert_ptr_nonnull(strstr(err->message, cases[i].file));
        ck_assert_ptr_null(jwk);
        ck_assert_ptr_null(alg);
    }
}
END_TEST

Suite *keys_suite(void)
{
    Suite *s = suite_create("keys");
    TCase *tc = tcase_create("keys");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, pem_load_any_type);
    tcase_add_test(tc, pem_load_refusals);
    tcase_add_test(tc, key_load_rsa);
    tcase_add_test(tc, key_load_ec);
    tcase_add_test(tc, key_load_refusals);
    suite_add_tcase(s, tc);
    return s;
}
