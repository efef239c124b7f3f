/* test_util.c - encodings, form parsing, comparison and the record reader. */
#include <string.h>

#include "unit.h"
#include "util.h"

/* ---- base64url ----------------------------------------------------------- */

/* RFC 4648 section 10 vectors, in the URL alphabet without padding. */
START_TEST(b64url_rfc4648_vectors)
{
    static const char *const plain[] = {
        "", "f", "fo", "foo", "foob", "fooba", "foobar"
    };
    static const char *const enc[] = {
        "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"
    };
    int i;

    for (i = 0; i < 7; i++) {
        apr_size_t n = 99;
        unsigned char *d;

        ck_assert_str_eq(ac_b64url_encode(unit_pool,
                                          (const unsigned char *)plain[i],
                                          strlen(plain[i])), enc[i]);
        d = ac_b64url_decode(unit_pool, enc[i], &n);
        ck_assert_ptr_nonnull(d);
        ck_assert_uint_eq(n, strlen(plain[i]));
        ck_assert_mem_eq(d, plain[i], n);
    }
}
END_TEST

START_TEST(b64url_url_alphabet)
{
    static const unsigned char raw[] = { 0xfb, 0xff, 0xbf };
    apr_size_t n;
    unsigned char *d;

    /* '+' and '/' of standard base64 become '-' and '_' */
    ck_assert_str_eq(ac_b64url_encode(unit_pool, raw, 3), "-_-_");
    d = ac_b64url_decode(unit_pool, "-_-_", &n);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(n, 3);
    ck_assert_mem_eq(d, raw, 3);
}
END_TEST

START_TEST(b64url_round_trip_all_lengths)
{
    unsigned char buf[300];
    int len, i;

    for (i = 0; i < (int)sizeof(buf); i++) {
        buf[i] = (unsigned char)(i * 7 + 3);
    }
    for (len = 0; len <= (int)sizeof(buf); len++) {
        char *e = ac_b64url_encode(unit_pool, buf, (apr_size_t)len);
        apr_size_t n = 0;
        unsigned char *d = ac_b64url_decode(unit_pool, e, &n);

        ck_assert_msg(strchr(e, '=') == NULL, "padding at length %d", len);
        ck_assert_msg(d != NULL, "decode failed at length %d", len);
        ck_assert_uint_eq(n, (apr_size_t)len);
        ck_assert_msg(memcmp(d, buf, n) == 0, "mismatch at length %d", len);
    }
}
END_TEST

START_TEST(b64url_rejects_bad_input)
{
    static const char *const bad[] = {
        "Zm9v+g",       /* standard alphabet */
        "Zm9v/g",
        "Zg==",         /* padding */
        "Zm9vY",        /* length 1 mod 4 */
        "Z",
        "Zm 9v",        /* whitespace */
        "Zm9v\n",
        "Zh",           /* non-zero left-over bits: not canonical */
        "Zm9",          /* canonical is Zm8 */
        "Zm\xc3\xa9v",  /* non-ASCII */
    };
    apr_size_t i, n;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_msg(ac_b64url_decode(unit_pool, bad[i], &n) == NULL,
                      "accepted \"%s\"", bad[i]);
    }
    ck_assert_ptr_null(ac_b64url_decode(unit_pool, NULL, &n));
}
END_TEST

/* ---- random --------------------------------------------------------------- */

START_TEST(random_token_length_and_uniqueness)
{
    const char *a, *b;

    ck_assert_ptr_null(ac_random_token(unit_pool, 32, &a));
    ck_assert_ptr_null(ac_random_token(unit_pool, 32, &b));
    ck_assert_uint_eq(strlen(a), 43);
    ck_assert_uint_eq(strlen(a), strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "abcdefghijklmnopqrstuvwxyz0123456789-_"));
    ck_assert_str_ne(a, b);
    ck_assert_ptr_null(ac_random_token(unit_pool, 16, &a));
    ck_assert_uint_eq(strlen(a), 22);
}
END_TEST

/* ---- comparison, hashing, hex --------------------------------------------- */

START_TEST(str_equal_ct)
{
    ck_assert_int_eq(ac_str_equal_ct("abc", "abc"), 1);
    ck_assert_int_eq(ac_str_equal_ct("", ""), 1);
    ck_assert_int_eq(ac_str_equal_ct("abc", "abd"), 0);
    ck_assert_int_eq(ac_str_equal_ct("abd", "abc"), 0);
    ck_assert_int_eq(ac_str_equal_ct("xbc", "abc"), 0);
    ck_assert_int_eq(ac_str_equal_ct("abc", "abcd"), 0);
    ck_assert_int_eq(ac_str_equal_ct("abcd", "abc"), 0);
    ck_assert_int_eq(ac_str_equal_ct("", "a"), 0);
    ck_assert_int_eq(ac_str_equal_ct("ABC", "abc"), 0);
    ck_assert_int_eq(ac_str_equal_ct(NULL, "abc"), 0);
    ck_assert_int_eq(ac_str_equal_ct("abc", NULL), 0);
    ck_assert_int_eq(ac_str_equal_ct(NULL, NULL), 0);
}
END_TEST

START_TEST(sha256_and_hex)
{
    unsigned char d[32];
    static const unsigned char bytes[] = { 0x00, 0x0f, 0xa0, 0xff };

    ac_sha256("abc", 3, d);
    ck_assert_str_eq(ac_hex(unit_pool, d, 32),
                     "ba7816bf8f01cfea414140de5dae2223"
                     "b00361a396177a9cb410ff61f20015ad");
    ck_assert_str_eq(ac_hex(unit_pool, bytes, 4), "000fa0ff");
    ck_assert_str_eq(ac_hex(unit_pool, bytes, 0), "");
}
END_TEST

/* ---- URL escaping ------------------------------------------------------------ */

START_TEST(url_escape_unreserved_only)
{
    ck_assert_str_eq(ac_url_escape(unit_pool, "aZ09-._~"), "aZ09-._~");
    ck_assert_str_eq(ac_url_escape(unit_pool, "a b+c&d=e/f?g%"),
                     "a%20b%2Bc%26d%3De%2Ff%3Fg%25");
    ck_assert_str_eq(ac_url_escape(unit_pool, "\xc3\x9c"), "%C3%9C");
    ck_assert_str_eq(ac_url_escape(unit_pool, ""), "");
}
END_TEST

START_TEST(url_unescape)
{
    ck_assert_str_eq(ac_url_unescape(unit_pool, "a%20b+c%2b%2Fd"), "a b c+/d");
    ck_assert_str_eq(ac_url_unescape(unit_pool, "%C3%9C"), "\xc3\x9c");
    ck_assert_str_eq(ac_url_unescape(unit_pool, ""), "");
    ck_assert_ptr_null(ac_url_unescape(unit_pool, "%"));
    ck_assert_ptr_null(ac_url_unescape(unit_pool, "abc%2"));
    ck_assert_ptr_null(ac_url_unescape(unit_pool, "%zz"));
    ck_assert_ptr_null(ac_url_unescape(unit_pool, "%2g"));
    ck_assert_ptr_null(ac_url_unescape(unit_pool, "admin%00x"));
}
END_TEST

/* ---- forms -------------------------------------------------------------------- */

START_TEST(form_parse_ok)
{
    apr_table_t *t;

    ck_assert_ptr_null(ac_form_parse(unit_pool,
                                     "code=a%2Fb&state=xyz&empty=&flag&sp=a+b",
                                     10, &t));
    ck_assert_str_eq(apr_table_get(t, "code"), "a/b");
    ck_assert_str_eq(apr_table_get(t, "state"), "xyz");
    ck_assert_str_eq(apr_table_get(t, "empty"), "");
    ck_assert_str_eq(apr_table_get(t, "flag"), "");
    ck_assert_str_eq(apr_table_get(t, "sp"), "a b");
    ck_assert_int_eq(apr_table_elts(t)->nelts, 5);
}
END_TEST

START_TEST(form_parse_empty)
{
    apr_table_t *t;

    ck_assert_ptr_null(ac_form_parse(unit_pool, "", 5, &t));
    ck_assert_int_eq(apr_table_elts(t)->nelts, 0);
    ck_assert_ptr_null(ac_form_parse(unit_pool, NULL, 5, &t));
    ck_assert_int_eq(apr_table_elts(t)->nelts, 0);
    /* empty pieces carry nothing and are skipped */
    ck_assert_ptr_null(ac_form_parse(unit_pool, "&a=1&&b=2&", 2, &t));
    ck_assert_int_eq(apr_table_elts(t)->nelts, 2);
}
END_TEST

START_TEST(form_parse_duplicates)
{
    apr_table_t *t;
    ac_error *e;

    e = ac_form_parse(unit_pool, "state=a&code=1&state=b", 10, &t);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->code, "form_duplicate");
    ck_assert_int_eq(e->http_status, 400);
    /* the same name after decoding, or in another case, is the same name */
    e = ac_form_parse(unit_pool, "state=a&st%61te=b", 10, &t);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->code, "form_duplicate");
    e = ac_form_parse(unit_pool, "state=a&STATE=b", 10, &t);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->code, "form_duplicate");
    /* even when the values are equal */
    e = ac_form_parse(unit_pool, "a=1&a=1", 10, &t);
    ck_assert_ptr_nonnull(e);
}
END_TEST

START_TEST(form_parse_malformed)
{
    static const char *const bad[] = {
        "a=%zz", "a=%2", "a=1&b=%", "%zz=1", "=1", "a=1&=2", "a=x%00y",
    };
    apr_size_t i;
    apr_table_t *t;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ac_error *e = ac_form_parse(unit_pool, bad[i], 10, &t);

        ck_assert_msg(e != NULL, "accepted \"%s\"", bad[i]);
        ck_assert_msg(strcmp(e->code, "form_malformed") == 0,
                      "\"%s\" gave %s", bad[i], e->code);
    }
}
END_TEST

START_TEST(form_parse_too_many)
{
    apr_table_t *t;
    ac_error *e;

    ck_assert_ptr_null(ac_form_parse(unit_pool, "a=1&b=2&c=3", 3, &t));
    e = ac_form_parse(unit_pool, "a=1&b=2&c=3&d=4", 3, &t);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->code, "form_too_many");
}
END_TEST

START_TEST(form_parse_does_not_change_input)
{
    const char *q = "a=1&b=2";
    char copy[16];
    apr_table_t *t;

    strcpy(copy, q);
    ck_assert_ptr_null(ac_form_parse(unit_pool, copy, 5, &t));
    ck_assert_str_eq(copy, q);
}
END_TEST

/* ---- errors ------------------------------------------------------------------- */

START_TEST(error_make)
{
    ac_error *e = ac_error_make(unit_pool, 403, "some_code", "n=%d s=%s", 7, "x");

    ck_assert_str_eq(e->code, "some_code");
    ck_assert_str_eq(e->message, "n=7 s=x");
    ck_assert_int_eq(e->http_status, 403);
}
END_TEST

/* ---- record fields -------------------------------------------------------------- */

START_TEST(fields_join_and_read)
{
    apr_array_header_t *f = apr_array_make(unit_pool, 4, sizeof(const char *));
    ac_field_reader r;
    apr_size_t len, n;
    apr_time_t t;
    char *buf;

    APR_ARRAY_PUSH(f, const char *) = "one";
    APR_ARRAY_PUSH(f, const char *) = NULL;
    APR_ARRAY_PUSH(f, const char *) = "12";
    APR_ARRAY_PUSH(f, const char *) = "1700000000000000";
    buf = ac_fields_join(unit_pool, f, &len);
    ck_assert_uint_eq(len, 4 + 1 + 3 + 17);
    ac_field_reader_init(&r, buf, len);
    ck_assert_str_eq(ac_field_next(&r), "one");
    ck_assert_str_eq(ac_field_next(&r), "");
    ck_assert_int_eq(ac_field_reader_done(&r), 0);
    ck_assert_int_eq(ac_field_next_count(&r, 100, &n), 1);
    ck_assert_uint_eq(n, 12);
    ck_assert_int_eq(ac_field_next_time(&r, &t), 1);
    ck_assert(t == APR_INT64_C(1700000000000000));
    ck_assert_int_eq(ac_field_reader_done(&r), 1);
    ck_assert_ptr_null(ac_field_next(&r));
}
END_TEST

START_TEST(fields_reader_bounds)
{
    char buf[] = { 'a', 'b', '\0', 'c', 'd' };     /* last field unterminated */
    char nums[] = "12\0" "x1\0" "1a\0" "-5\0" "";
    ac_field_reader r;
    apr_size_t n;
    apr_time_t t;

    ac_field_reader_init(&r, buf, sizeof(buf));
    ck_assert_str_eq(ac_field_next(&r), "ab");
    ck_assert_ptr_null(ac_field_next(&r));
    ck_assert_ptr_null(ac_field_next(&r));

    ac_field_reader_init(&r, nums, sizeof(nums) - 1);
    ck_assert_int_eq(ac_field_next_count(&r, 11, &n), 0);      /* above max */
    ck_assert_int_eq(ac_field_next_count(&r, 100, &n), 0);     /* not a number */
    ck_assert_int_eq(ac_field_next_count(&r, 1000, &n), 0);    /* trailing junk */
    ck_assert_int_eq(ac_field_next_time(&r, &t), 0);           /* negative */
    ck_assert_int_eq(ac_field_next_time(&r, &t), 0);           /* missing */
}
END_TEST

Suite *util_suite(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, b64url_rfc4648_vectors);
    tcase_add_test(tc, b64url_url_alphabet);
    tcase_add_test(tc, b64url_round_trip_all_lengths);
    tcase_add_test(tc, b64url_rejects_bad_input);
    tcase_add_test(tc, random_token_length_and_uniqueness);
    tcase_add_test(tc, str_equal_ct);
    tcase_add_test(tc, sha256_and_hex);
    tcase_add_test(tc, url_escape_unreserved_only);
    tcase_add_test(tc, url_unescape);
    tcase_add_test(tc, form_parse_ok);
    tcase_add_test(tc, form_parse_empty);
    tcase_add_test(tc, form_parse_duplicates);
    tcase_add_test(tc, form_parse_malformed);
    tcase_add_test(tc, form_parse_too_many);
    tcase_add_test(tc, form_parse_does_not_change_input);
    tcase_add_test(tc, error_make);
    tcase_add_test(tc, fields_join_and_read);
    tcase_add_test(tc, fields_reader_bounds);
    suite_add_tcase(s, tc);
    return s;
}
