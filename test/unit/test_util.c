/* test_util.c - encodings, form parsing, comparison, hex and log quoting. */
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
        const char *e = ac_b64url_encode(unit_pool, buf, (apr_size_t)len);
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

/* ---- standard base64 ----------------------------------------------------- */

/* RFC 4648 section 10 vectors, standard alphabet with padding. */
START_TEST(b64_rfc4648_vectors)
{
    static const char *const plain[] = {
        "", "f", "fo", "foo", "foob", "fooba", "foobar"
    };
    static const char *const enc[] = {
        "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"
    };
    int i;

    for (i = 0; i < 7; i++) {
        ck_assert_str_eq(ac_b64_encode(unit_pool,
                                       (const unsigned char *)plain[i],
                                       strlen(plain[i])), enc[i]);
    }
}
END_TEST

START_TEST(b64_standard_alphabet)
{
    static const unsigned char raw[] = { 0xfb, 0xff, 0xbf, 0x00 };

    /* '+' and '/', unlike base64url; binary zeros are data, not the end */
    ck_assert_str_eq(ac_b64_encode(unit_pool, raw, 3), "+/+/");
    ck_assert_str_eq(ac_b64_encode(unit_pool, raw, 4), "+/+/AA==");
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

START_TEST(hex_value)
{
    static const char digits[] = "0123456789abcdef";
    int i;

    for (i = 0; i < 16; i++) {
        ck_assert_int_eq(ac_hex_value((unsigned char)digits[i]), i);
    }
    ck_assert_int_eq(ac_hex_value('A'), 10);
    ck_assert_int_eq(ac_hex_value('F'), 15);
    ck_assert_int_eq(ac_hex_value('g'), -1);
    ck_assert_int_eq(ac_hex_value('G'), -1);
    ck_assert_int_eq(ac_hex_value('/'), -1);
    ck_assert_int_eq(ac_hex_value(':'), -1);
    ck_assert_int_eq(ac_hex_value('@'), -1);
    ck_assert_int_eq(ac_hex_value('`'), -1);
    ck_assert_int_eq(ac_hex_value(' '), -1);
    ck_assert_int_eq(ac_hex_value('\0'), -1);
    ck_assert_int_eq(ac_hex_value(0xc3), -1);
}
END_TEST

/* ---- log quoting ---------------------------------------------------------- */

START_TEST(str_hash)
{
    apr_uint32_t h = AC_STR_HASH_START;

    /* FNV-1a over the bytes "a", NUL */
    ck_assert_uint_eq(ac_str_hash(h, "a"), 0x2b24d044u);
    ck_assert_uint_ne(ac_str_hash(ac_str_hash(h, "ab"), "c"),
                      ac_str_hash(ac_str_hash(h, "a"), "bc"));
    ck_assert_uint_ne(ac_str_hash(h, ""), h);
}
END_TEST

START_TEST(log_quote)
{
    char longer[AC_LOG_QUOTE_MAX + 50];
    const char *q;

    ck_assert_str_eq(ac_log_quote(unit_pool, "invalid_grant"), "invalid_grant");
    ck_assert_str_eq(ac_log_quote(unit_pool, ""), "");
    ck_assert_str_eq(ac_log_quote(unit_pool, NULL), "");
    /* a forged log line, a terminal escape, DEL and UTF-8 are neutralised */
    ck_assert_str_eq(ac_log_quote(unit_pool, "a\r\nAH00001: forged"),
                     "a??AH00001: forged");
    ck_assert_str_eq(ac_log_quote(unit_pool, "\x1b[31mred\x7f"), "?[31mred?");
    ck_assert_str_eq(ac_log_quote(unit_pool, "caf\xc3\xa9"), "caf??");
    /* cut to the maximum */
    memset(longer, 'x', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    q = ac_log_quote(unit_pool, longer);
    ck_assert_uint_eq(strlen(q), AC_LOG_QUOTE_MAX);
    longer[AC_LOG_QUOTE_MAX] = '\0';
    ck_assert_str_eq(ac_log_quote(unit_pool, longer), longer);
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
    ck_assert_int_eq(e->category, AC_CAT_REQUEST);
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

START_TEST(edit_distance)
{
    ck_assert_int_eq(ac_edit_distance("", ""), 0);
    ck_assert_int_eq(ac_edit_distance("google", "google"), 0);
    ck_assert_int_eq(ac_edit_distance("ClientID", "clientid"), 0);   /* case folded */
    ck_assert_int_eq(ac_edit_distance("gogle", "google"), 1);
    ck_assert_int_eq(ac_edit_distance("google", "gogle"), 1);
    ck_assert_int_eq(ac_edit_distance("kitten", "sitting"), 3);
    ck_assert_int_eq(ac_edit_distance("ClientSecrte", "ClientSecret"), 2);
    ck_assert_int_eq(ac_edit_distance("", "abc"), 3);
}
END_TEST

START_TEST(closest_name)
{
    apr_array_header_t *names = apr_array_make(unit_pool, 4, sizeof(const char *));
    char longer[AC_EDIT_NAME_MAX + 2];

    APR_ARRAY_PUSH(names, const char *) = "github";
    APR_ARRAY_PUSH(names, const char *) = "google";
    APR_ARRAY_PUSH(names, const char *) = "op";
    ck_assert_str_eq(ac_closest_name("gogle", names), "google");
    ck_assert_str_eq(ac_closest_name("githb", names), "github");
    /* one edit is allowed even for a short name, two not */
    ck_assert_str_eq(ac_closest_name("opp", names), "op");
    ck_assert_ptr_null(ac_closest_name("xy", names));
    /* at most one edit per three characters */
    ck_assert_str_eq(ac_closest_name("gxxgle", names), "google");
    ck_assert_ptr_null(ac_closest_name("gxxxle", names));
    ck_assert_ptr_null(ac_closest_name("twitter", names));
    ck_assert_ptr_null(ac_closest_name("google", NULL));
    /* ties: the first in strcmp order, whatever the array's order */
    APR_ARRAY_PUSH(names, const char *) = "gitlab";
    ck_assert_str_eq(ac_closest_name("gitlub", names), "github");
    apr_array_clear(names);
    APR_ARRAY_PUSH(names, const char *) = "gitlab";
    APR_ARRAY_PUSH(names, const char *) = "github";
    ck_assert_str_eq(ac_closest_name("gitlub", names), "github");
    /* an overlong word is far from everything and costs nothing */
    memset(longer, 'g', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    ck_assert_ptr_null(ac_closest_name(longer, names));
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
    tcase_add_test(tc, b64_rfc4648_vectors);
    tcase_add_test(tc, b64_standard_alphabet);
    tcase_add_test(tc, random_token_length_and_uniqueness);
    tcase_add_test(tc, str_equal_ct);
    tcase_add_test(tc, sha256_and_hex);
    tcase_add_test(tc, hex_value);
    tcase_add_test(tc, str_hash);
    tcase_add_test(tc, log_quote);
    tcase_add_test(tc, url_escape_unreserved_only);
    tcase_add_test(tc, url_unescape);
    tcase_add_test(tc, form_parse_ok);
    tcase_add_test(tc, form_parse_empty);
    tcase_add_test(tc, form_parse_duplicates);
    tcase_add_test(tc, form_parse_malformed);
    tcase_add_test(tc, form_parse_too_many);
    tcase_add_test(tc, form_parse_does_not_change_input);
    tcase_add_test(tc, edit_distance);
    tcase_add_test(tc, closest_name);
    suite_add_tcase(s, tc);
    return s;
}
