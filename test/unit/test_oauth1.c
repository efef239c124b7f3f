/*
 * test_oauth1.c - RFC 5849 signing: the encoder, the base string, the four
 * signature methods against published or independently computed vectors,
 * the placement of the protocol parameters, the token answer parsers, and
 * one signed request on the wire to a loopback listener run by a thread.
 *
 * Where the vectors come from:
 *   - RFC 5849 1.2 (photos.example.net) and 3.4.1.1 / 3.4.1.3.2 (example.com):
 *     the RFC text.  The RFC's 3.1 example prints a signature that does not
 *     match its own base string; the value used here is HMAC-SHA1 of that
 *     base string under "j49sk3j29djd&dh893hdasih9", computed with
 *     `openssl dgst -sha1 -hmac ... -binary | base64`.
 *   - HMAC-SHA1, HMAC-SHA256, RSA-SHA1 and PLAINTEXT for one POST with a
 *     query, a form body and a verifier: Debian's python3-oauthlib 3.2.2,
 *     oauthlib.oauth1.Client(..., nonce='4f1d0c7a9e2b3c5d',
 *     timestamp='1700000000').sign(url, 'POST', body, form content type),
 *     RSA with test/unit/data/rsa2048.pem; the HMAC-SHA256 and RSA-SHA1
 *     values were checked again with `openssl dgst` over oauthlib's base
 *     string.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_network_io.h>
#include <apr_poll.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>

#include "oauth1.h"
#include "unit.h"

static apr_array_header_t *kvs(const char *const *pairs)
{
    apr_array_header_t *a = apr_array_make(unit_pool, 4, sizeof(ac_kv));

    for (; pairs[0] != NULL; pairs += 2) {
        ac_kv *kv = apr_array_push(a);

        kv->key = pairs[0];
        kv->value = pairs[1];
    }
    return a;
}

/* The normalized parameter string inside a base string (its third part,
 * decoded once). */
static const char *normalized_of(const char *base)
{
    const char *amp = strchr(base, '&');

    ck_assert_ptr_nonnull(amp);
    amp = strchr(amp + 1, '&');
    ck_assert_ptr_nonnull(amp);
    return ac_url_unescape(unit_pool, amp + 1);
}

/* ---- percent-encoding --------------------------------------------------- */

START_TEST(encode_unreserved_kept)
{
    const char *s = "ABCXYZabcxyz0189-._~";

    ck_assert_str_eq(ac_oauth1_encode(unit_pool, s), s);
    ck_assert_str_eq(ac_oauth1_encode(unit_pool, ""), "");
}
END_TEST

START_TEST(encode_specials)
{
    ck_assert_str_eq(ac_oauth1_encode(unit_pool, " "), "%20");
    ck_assert_str_eq(ac_oauth1_encode(unit_pool, "+"), "%2B");
    ck_assert_str_eq(ac_oauth1_encode(unit_pool, "*"), "%2A");
    ck_assert_str_eq(ac_oauth1_encode(unit_pool, "%"), "%25");
    ck_assert_str_eq(ac_oauth1_encode(unit_pool, "!'()*;:@&=+$,/?#[]"),
                     "%21%27%28%29%2A%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D");
    ck_assert_str_eq(ac_oauth1_encode(unit_pool, "\"<>\\^`{|}"),
                     "%22%3C%3E%5C%5E%60%7B%7C%7D");
}
END_TEST

START_TEST(encode_utf8_bytes)
{
    ck_assert_str_eq(ac_oauth1_encode(unit_pool, "\xC3\x9C"), "%C3%9C");
    ck_assert_str_eq(ac_oauth1_encode(unit_pool, "\xE2\x82\xAC"),
                     "%E2%82%AC");
    ck_assert_str_eq(ac_oauth1_encode(unit_pool, "caf\xC3\xA9 au lait"),
                     "caf%C3%A9%20au%20lait");
    ck_assert_str_eq(ac_oauth1_encode(unit_pool, "\x7f\x01"), "%7F%01");
}
END_TEST

START_TEST(form_encode_order_kept)
{
    static const char *const in[] = { "b", "x y", "a", "", "c+", "1&2",
                                      NULL };

    ck_assert_str_eq(ac_oauth1_form_encode(unit_pool, kvs(in)),
                     "b=x%20y&a=&c%2B=1%262");
    ck_assert_str_eq(ac_oauth1_form_encode(unit_pool, NULL), "");
}
END_TEST

/* ---- base string -------------------------------------------------------- */

/* RFC 5849 3.4.1.1: the request of section 3.1, its query, its form body
 * "c2&a3=2+q" (decoded) and its protocol parameters. */
static const char *const rfc_3_1_params[] = {
    "oauth_consumer_key", "9djdj82h48djs9d2",
    "oauth_token", "kkk9d7dh3k39sjv7",
    "oauth_signature_method", "HMAC-SHA1",
    "oauth_timestamp", "137131201",
    "oauth_nonce", "7d8f3e4a",
    "c2", "",
    "a3", "2 q",
    NULL
};
#define RFC_3_1_URL "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b"
#define RFC_3_1_BASE \
    "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q" \
    "%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_" \
    "key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_" \
    "method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkk" \
    "k9d7dh3k39sjv7"

START_TEST(base_string_rfc_3_4_1_1)
{
    const char *base = NULL;

    ck_assert_ptr_null(ac_oauth1_base_string(unit_pool, "POST", RFC_3_1_URL,
                                             kvs(rfc_3_1_params), &base));
    ck_assert_str_eq(base, RFC_3_1_BASE);
    /* the method is upper-cased */
    ck_assert_ptr_null(ac_oauth1_base_string(unit_pool, "post", RFC_3_1_URL,
                                             kvs(rfc_3_1_params), &base));
    ck_assert_str_eq(base, RFC_3_1_BASE);
}
END_TEST

START_TEST(normalized_rfc_3_4_1_3_2)
{
    const char *base = NULL;

    ck_assert_ptr_null(ac_oauth1_base_string(unit_pool, "POST", RFC_3_1_URL,
                                             kvs(rfc_3_1_params), &base));
    ck_assert_str_eq(normalized_of(base),
                     "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_"
                     "consumer_key=9djdj82h48djs9d2&oauth_nonce=7d8f3e4a&"
                     "oauth_signature_method=HMAC-SHA1&oauth_timestamp="
                     "137131201&oauth_token=kkk9d7dh3k39sjv7");
}
END_TEST

START_TEST(signature_rfc_3_1)
{
    ac_oauth1_client c = { "9djdj82h48djs9d2", "j49sk3j29djd", NULL,
                           AC_OAUTH1_HMAC_SHA1, AC_OAUTH1_IN_HEADER, NULL };
    const char *sig = NULL;

    ck_assert_ptr_null(ac_oauth1_signature(unit_pool, &c, RFC_3_1_BASE,
                                           "dh893hdasih9", &sig));
    ck_assert_str_eq(sig, "r6/TJjbCOr97/+UU0NsvSne7s5g=");
}
END_TEST

/* Only the URI part of the base string, for a request without parameters. */
static const char *uri_part(const char *url)
{
    const char *base = NULL;
    ac_error *err = ac_oauth1_base_string(unit_pool, "GET", url, NULL, &base);
    const char *amp;

    ck_assert_msg(err == NULL, "%s: %s", url, err ? err->message : "");
    amp = strchr(base, '&');
    return ac_url_unescape(unit_pool,
                           apr_pstrmemdup(unit_pool, amp + 1,
                                          strcspn(amp + 1, "&")));
}

START_TEST(base_string_uri)
{
    /* RFC 5849 3.4.1.2's examples */
    ck_assert_str_eq(uri_part("http://EXAMPLE.COM:80/r%20v/X?id=123"),
                     "http://example.com/r%20v/X");
    ck_assert_str_eq(uri_part("https://www.example.net:8080/?q=1"),
                     "https://www.example.net:8080/");
    /* default ports per scheme only; path case kept; fragment dropped */
    ck_assert_str_eq(uri_part("HTTPS://Api.Example.ORG:443/A/b#frag"),
                     "https://api.example.org/A/b");
    ck_assert_str_eq(uri_part("https://h.example:80/x"),
                     "https://h.example:80/x");
    ck_assert_str_eq(uri_part("http://h.example:443/x"),
                     "http://h.example:443/x");
    ck_assert_str_eq(uri_part("http://h.example"), "http://h.example/");
    ck_assert_str_eq(uri_part("http://h.example?a=1"), "http://h.example/");
    ck_assert_str_eq(uri_part("http://[::1]:8080/p"), "http://[::1]:8080/p");
    ck_assert_str_eq(uri_part("http://[::1]:80/p"), "http://[::1]/p");
}
END_TEST

START_TEST(base_string_bad_urls)
{
    static const char *const bad[] = {
        "photos.example.net/photos", "ftp://example.com/x",
        "http://user:pw@example.com/x", "http:///x", "http://h:8x/",
        "http://h/x?a=%zz", "http://h/x?a=%00", NULL
    };
    const char *base;
    int i;

    for (i = 0; bad[i] != NULL; i++) {
        ac_error *err = ac_oauth1_base_string(unit_pool, "GET", bad[i], NULL,
                                              &base);

        ck_assert_msg(err != NULL, "%s accepted", bad[i]);
        ck_assert_str_eq(err->code, "oauth1_url");
        /* a query may hold credentials: it stays out of the message */
        ck_assert_ptr_null(strstr(err->message, "?"));
    }
    ck_assert_ptr_nonnull(ac_oauth1_base_string(unit_pool, "G E", "http://h/",
                                                NULL, &base));
    ck_assert_ptr_nonnull(ac_oauth1_base_string(unit_pool, "", "http://h/",
                                                NULL, &base));
}
END_TEST

START_TEST(normalize_duplicates_and_empty)
{
    static const char *const in[] = {
        "a", "z", "a", "b", "a", "", "b", "", "a", "b", NULL
    };
    const char *base = NULL;

    ck_assert_ptr_null(ac_oauth1_base_string(unit_pool, "GET",
                                             "http://h/?a=m&c", kvs(in),
                                             &base));
    /* duplicates kept, sorted by value; "c" without '=' is an empty value */
    ck_assert_str_eq(normalized_of(base), "a=&a=b&a=b&a=m&a=z&b=&c=");
}
END_TEST

START_TEST(normalize_sorts_encoded)
{
    /* raw "a." < "a/", encoded "a%2F" < "a."; raw "z" < "\xC3\xA9",
     * encoded "%C3%A9" < "z" */
    static const char *const in[] = {
        "a.", "1", "a/", "2", "v", "z", "v", "\xC3\xA9", NULL
    };
    const char *base = NULL;

    ck_assert_ptr_null(ac_oauth1_base_string(unit_pool, "GET", "http://h/",
                                             kvs(in), &base));
    ck_assert_str_eq(normalized_of(base), "a%2F=2&a.=1&v=%C3%A9&v=z");
}
END_TEST

START_TEST(normalize_query_form_decoding)
{
    const char *base = NULL;

    /* '+' in a query is a space (3.4.1.3.1), and "%2B" a plus */
    ck_assert_ptr_null(ac_oauth1_base_string(unit_pool, "GET",
                                             "http://h/?q=a+b%2Bc&&e=%7e",
                                             NULL, &base));
    ck_assert_str_eq(normalized_of(base), "e=~&q=a%20b%2Bc");
}
END_TEST

/* ---- RFC 5849 1.2 ------------------------------------------------------- */

static const ac_oauth1_client photos = {
    "dpf43f3p2l4k3l03", "kd94hf93k423kf44", NULL, AC_OAUTH1_HMAC_SHA1,
    AC_OAUTH1_IN_HEADER, "Photos"
};
#define PHOTOS_URL \
    "http://photos.example.net/photos?file=vacation.jpg&size=original"

START_TEST(rfc_1_2_example)
{
    apr_array_header_t *oauth = NULL;
    const char *sig = NULL, *base = NULL;

    ck_assert_ptr_null(ac_oauth1_protocol_params(unit_pool, &photos,
                                                 "nnch734d00sl2jdk", NULL,
                                                 "kllo9940pd9333jh",
                                                 "1191242096", &oauth));
    ck_assert_ptr_null(ac_oauth1_base_string(unit_pool, "GET", PHOTOS_URL,
                                             oauth, &base));
    ck_assert_str_eq(base,
                     "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3D"
                     "vacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26"
                     "oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method"
                     "%3DHMAC-SHA1%26oauth_timestamp%3D1191242096%26oauth_"
                     "token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3D"
                     "original");
    ck_assert_ptr_null(ac_oauth1_sign(unit_pool, &photos, "GET", PHOTOS_URL,
                                      oauth, NULL, "pfkkdhi9sl3r4s00", &sig));
    ck_assert_str_eq(sig, "tR3+Ty81lMeYAr/Fid0kMTYa/WM=");
}
END_TEST

START_TEST(rfc_1_2_header)
{
    apr_array_header_t *oauth = NULL;
    ac_oauth1_prepared out;

    ck_assert_ptr_null(ac_oauth1_protocol_params(unit_pool, &photos,
                                                 "nnch734d00sl2jdk", NULL,
                                                 "kllo9940pd9333jh",
                                                 "1191242096", &oauth));
    ck_assert_ptr_null(ac_oauth1_prepare(unit_pool, &photos, "get",
                                         PHOTOS_URL "#top", oauth, NULL,
                                         "pfkkdhi9sl3r4s00", &out));
    ck_assert_str_eq(out.method, "GET");
    ck_assert_str_eq(out.url, PHOTOS_URL);
    ck_assert_ptr_null(out.body);
    ck_assert_ptr_null(out.content_type);
    ck_assert_str_eq(out.authorization,
                     "OAuth realm=\"Photos\", "
                     "oauth_consumer_key=\"dpf43f3p2l4k3l03\", "
                     "oauth_nonce=\"kllo9940pd9333jh\", "
                     "oauth_signature_method=\"HMAC-SHA1\", "
                     "oauth_timestamp=\"1191242096\", "
                     "oauth_token=\"nnch734d00sl2jdk\", "
                     "oauth_version=\"1.0\", "
                     "oauth_signature=\"tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM"
                     "%3D\"");
}
END_TEST

/* ---- the four methods, vectors from python3-oauthlib -------------------- */

#define LIB_URL \
    "https://Api.Example.ORG:443/v1/items?tag=caf%C3%A9&tag=a+b&x=%7E"
#define LIB_NONCE "4f1d0c7a9e2b3c5d"
#define LIB_TIME "1700000000"

static const char *const lib_form[] = {
    "note", "Hello, world!", "empty", "", NULL
};
static const char *const lib_extra[] = { "oauth_verifier", "v3r!fier", NULL };

static ac_oauth1_client lib_client(ac_oauth1_method m)
{
    ac_oauth1_client c = { "consumer-key", "s3cr&t+/=", NULL, m,
                           AC_OAUTH1_IN_HEADER, NULL };
    return c;
}

static const char *lib_sign(const ac_oauth1_client *c)
{
    apr_array_header_t *oauth = NULL;
    const char *sig = NULL;
    ac_error *err;

    ck_assert_ptr_null(ac_oauth1_protocol_params(unit_pool, c, "token-123",
                                                 kvs(lib_extra), LIB_NONCE,
                                                 LIB_TIME, &oauth));
    err = ac_oauth1_sign(unit_pool, c, "POST", LIB_URL, oauth, kvs(lib_form),
                         "t0k~n secret", &sig);
    ck_assert_msg(err == NULL, "%s", err ? err->message : "");
    return sig;
}

START_TEST(oauthlib_base_string)
{
    ac_oauth1_client c = lib_client(AC_OAUTH1_PLAINTEXT);
    apr_array_header_t *oauth = NULL;
    const char *base = NULL;

    ck_assert_ptr_null(ac_oauth1_protocol_params(unit_pool, &c, "token-123",
                                                 kvs(lib_extra), LIB_NONCE,
                                                 LIB_TIME, &oauth));
    apr_array_cat(oauth, kvs(lib_form));
    ck_assert_ptr_null(ac_oauth1_base_string(unit_pool, "POST", LIB_URL,
                                             oauth, &base));
    ck_assert_str_eq(base,
        "POST&https%3A%2F%2Fapi.example.org%2Fv1%2Fitems&empty%3D%26note%3D"
        "Hello%252C%2520world%2521%26oauth_consumer_key%3Dconsumer-key%26"
        "oauth_nonce%3D4f1d0c7a9e2b3c5d%26oauth_signature_method%3DPLAINTEXT"
        "%26oauth_timestamp%3D1700000000%26oauth_token%3Dtoken-123%26oauth_"
        "verifier%3Dv3r%2521fier%26oauth_version%3D1.0%26tag%3Da%2520b%26tag"
        "%3Dcaf%25C3%25A9%26x%3D~");
}
END_TEST

START_TEST(oauthlib_hmac_sha1)
{
    ac_oauth1_client c = lib_client(AC_OAUTH1_HMAC_SHA1);

    ck_assert_str_eq(lib_sign(&c), "3uUWzGimAbKV7EbHQAAjiAXnH8E=");
}
END_TEST

START_TEST(oauthlib_hmac_sha256)
{
    ac_oauth1_client c = lib_client(AC_OAUTH1_HMAC_SHA256);

    ck_assert_str_eq(lib_sign(&c),
                     "oywgx8US5O7uDs/1kUmpCxaYWR/5C6fSfLRvnPFWdfw=");
}
END_TEST

START_TEST(oauthlib_rsa_sha1)
{
    ac_oauth1_client c = lib_client(AC_OAUTH1_RSA_SHA1);

    ck_assert_ptr_null(ac_oauth1_load_rsa_key(unit_pool,
                                              unit_data_path("rsa2048.pem"),
                                              &c.rsa_key));
    ck_assert_str_eq(lib_sign(&c),
        "m5HUkSv+eeO6++WrxJBTnurhsJ8PDrGQRwZq8frY6oSr1bjU71Qb6KtQDnEixaXJw25Y"
        "9iHVu7L/EnRatg9J8Ic+R9lnTYsmOXU721UCBtVeted+v8rLkyA3UfXw572fO+Hmwq"
        "ZyPufGd+KIqNjRonX68Ou/boZ+ODIsaJUh8c0c4hsGjesOvVlM1EVeF3WxnsW6JBAB"
        "fmpiZ5Didb434ggbZNJoKaRYK/ntB1oi+51H1Jj1DB8JNHXJAnAGcrdDjDGtpNhRuid"
        "ni46LCWQjGX4jGtP87x2qzWExW/g1rgKEaehmj/9JBAy3EIBcOEr/uUQu1On8YEsfFV"
        "wLrMVu9w==");
}
END_TEST

START_TEST(oauthlib_plaintext)
{
    ac_oauth1_client c = lib_client(AC_OAUTH1_PLAINTEXT);

    ck_assert_str_eq(lib_sign(&c), "s3cr%26t%2B%2F%3D&t0k~n%20secret");
}
END_TEST

START_TEST(oauthlib_header)
{
    ac_oauth1_client c = lib_client(AC_OAUTH1_HMAC_SHA1);
    apr_array_header_t *oauth = NULL;
    ac_oauth1_prepared out;

    ck_assert_ptr_null(ac_oauth1_protocol_params(unit_pool, &c, "token-123",
                                                 kvs(lib_extra), LIB_NONCE,
                                                 LIB_TIME, &oauth));
    ck_assert_ptr_null(ac_oauth1_prepare(unit_pool, &c, "POST", LIB_URL,
                                         oauth, kvs(lib_form), "t0k~n secret",
                                         &out));
    /* the same values, encoded alike, as oauthlib's header */
    ck_assert_str_eq(out.authorization,
                     "OAuth oauth_consumer_key=\"consumer-key\", "
                     "oauth_nonce=\"4f1d0c7a9e2b3c5d\", "
                     "oauth_signature_method=\"HMAC-SHA1\", "
                     "oauth_timestamp=\"1700000000\", "
                     "oauth_token=\"token-123\", oauth_version=\"1.0\", "
                     "oauth_verifier=\"v3r%21fier\", "
                     "oauth_signature=\"3uUWzGimAbKV7EbHQAAjiAXnH8E%3D\"");
    ck_assert_str_eq(out.url, LIB_URL);
    ck_assert_str_eq(out.content_type, "application/x-www-form-urlencoded");
    ck_assert_str_eq(out.body, "note=Hello%2C%20world%21&empty=");
}
END_TEST

START_TEST(signature_without_token_secret)
{
    ac_oauth1_client c = lib_client(AC_OAUTH1_PLAINTEXT);
    const char *sig = NULL;

    /* 3.4.4: the '&' stays when the token secret is empty */
    ck_assert_ptr_null(ac_oauth1_signature(unit_pool, &c, "", NULL, &sig));
    ck_assert_str_eq(sig, "s3cr%26t%2B%2F%3D&");
    c.consumer_secret = NULL;
    ck_assert_ptr_null(ac_oauth1_signature(unit_pool, &c, "", NULL, &sig));
    ck_assert_str_eq(sig, "&");
}
END_TEST

/* ---- placement ---------------------------------------------------------- */

static ac_oauth1_prepared prepare(const ac_oauth1_client *c,
                                  const char *method, const char *url,
                                  const apr_array_header_t *form)
{
    apr_array_header_t *oauth = NULL;
    ac_oauth1_prepared out;
    ac_error *err;

    ck_assert_ptr_null(ac_oauth1_protocol_params(unit_pool, c, "tok", NULL,
                                                 "n1", "1", &oauth));
    err = ac_oauth1_prepare(unit_pool, c, method, url, oauth, form, "ts",
                            &out);
    ck_assert_msg(err == NULL, "%s", err ? err->message : "");
    return out;
}

/* The oauth_signature the same request would carry in the header. */
static const char *header_signature(const char *method, const char *url,
                                    const apr_array_header_t *form)
{
    ac_oauth1_client c = lib_client(AC_OAUTH1_HMAC_SHA1);
    ac_oauth1_prepared out = prepare(&c, method, url, form);
    const char *sig = strstr(out.authorization, "oauth_signature=\"");

    ck_assert_ptr_nonnull(sig);
    sig += strlen("oauth_signature=\"");
    return apr_pstrmemdup(unit_pool, sig, strcspn(sig, "\""));
}

START_TEST(place_query)
{
    ac_oauth1_client c = lib_client(AC_OAUTH1_HMAC_SHA1);
    ac_oauth1_prepared out;

    c.placement = AC_OAUTH1_IN_QUERY;
    out = prepare(&c, "GET", "https://h.example/api?q=a+b#frag", NULL);
    ck_assert_ptr_null(out.authorization);
    ck_assert_ptr_null(out.body);
    ck_assert_str_eq(out.url,
                     apr_pstrcat(unit_pool, "https://h.example/api?q=a+b&"
                                 "oauth_consumer_key=consumer-key&oauth_nonce"
                                 "=n1&oauth_signature_method=HMAC-SHA1&oauth_"
                                 "timestamp=1&oauth_token=tok&oauth_version="
                                 "1.0&oauth_signature=",
                                 header_signature("GET", "https://h.example/"
                                                  "api?q=a+b", NULL), NULL));
    out = prepare(&c, "GET", "https://h.example/api", NULL);
    ck_assert_ptr_nonnull(strstr(out.url, "https://h.example/api?oauth_"
                                 "consumer_key=consumer-key&"));
}
END_TEST

START_TEST(place_body)
{
    static const char *const form[] = { "status", "a+b c", NULL };
    ac_oauth1_client c = lib_client(AC_OAUTH1_HMAC_SHA1);
    ac_oauth1_prepared out;

    c.placement = AC_OAUTH1_IN_BODY;
    out = prepare(&c, "POST", "https://h.example/api?x=1", kvs(form));
    ck_assert_ptr_null(out.authorization);
    ck_assert_str_eq(out.url, "https://h.example/api?x=1");
    ck_assert_str_eq(out.content_type, "application/x-www-form-urlencoded");
    ck_assert_str_eq(out.body,
                     apr_pstrcat(unit_pool, "status=a%2Bb%20c&oauth_consumer"
                                 "_key=consumer-key&oauth_nonce=n1&oauth_"
                                 "signature_method=HMAC-SHA1&oauth_timestamp"
                                 "=1&oauth_token=tok&oauth_version=1.0&oauth"
                                 "_signature=",
                                 header_signature("POST", "https://h.example/"
                                                  "api?x=1", kvs(form)),
                                 NULL));
    /* a GET has no body: the parameters go to the query */
    out = prepare(&c, "GET", "https://h.example/api", NULL);
    ck_assert_ptr_null(out.body);
    ck_assert_ptr_nonnull(strstr(out.url, "?oauth_consumer_key="));
}
END_TEST

START_TEST(place_header_post_has_body)
{
    ac_oauth1_client c = lib_client(AC_OAUTH1_HMAC_SHA1);
    ac_oauth1_prepared out = prepare(&c, "POST", "https://h.example/rt",
                                     NULL);

    /* an empty form body still makes it a POST on the wire */
    ck_assert_str_eq(out.body, "");
    ck_assert_str_eq(out.content_type, "application/x-www-form-urlencoded");
    ck_assert_ptr_nonnull(out.authorization);
}
END_TEST

START_TEST(prepare_refusals)
{
    static const char *const form[] = { "a", "1", NULL };
    ac_oauth1_client c = lib_client(AC_OAUTH1_PLAINTEXT);
    apr_array_header_t *oauth = NULL;
    ac_oauth1_prepared out;
    ac_error *err;

    ck_assert_ptr_null(ac_oauth1_protocol_params(unit_pool, &c, NULL, NULL,
                                                 "n", "1", &oauth));
    err = ac_oauth1_prepare(unit_pool, &c, "POST", "http://h.example/rt",
                            oauth, NULL, NULL, &out);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "oauth1_plaintext_insecure");
    ck_assert_ptr_null(strstr(err->message, "s3cr"));

    c = lib_client(AC_OAUTH1_HMAC_SHA1);
    err = ac_oauth1_prepare(unit_pool, &c, "GET", "https://h.example/x",
                            oauth, kvs(form), NULL, &out);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "oauth1_form_method");

    c.realm = "bad\r\nX-Injected: 1";
    err = ac_oauth1_prepare(unit_pool, &c, "GET", "https://h.example/x",
                            oauth, NULL, NULL, &out);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "oauth1_realm");

    c = lib_client(AC_OAUTH1_RSA_SHA1);
    ck_assert_ptr_null(ac_oauth1_protocol_params(unit_pool, &c, NULL, NULL,
                                                 "n", "1", &oauth));
    err = ac_oauth1_prepare(unit_pool, &c, "GET", "https://h.example/x",
                            oauth, NULL, NULL, &out);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "oauth1_rsa_key");
}
END_TEST

START_TEST(realm_quoted)
{
    ac_oauth1_client c = lib_client(AC_OAUTH1_HMAC_SHA1);
    static const char *const oauth[] = { "oauth_token", "a b", NULL };
    const char *h = NULL;

    c.realm = "say \"hi\" \\o/";
    ck_assert_ptr_null(ac_oauth1_authorization_header(unit_pool, &c,
                                                      kvs(oauth), &h));
    ck_assert_str_eq(h, "OAuth realm=\"say \\\"hi\\\" \\\\o/\", "
                        "oauth_token=\"a%20b\"");
    c.realm = NULL;
    ck_assert_ptr_null(ac_oauth1_authorization_header(unit_pool, &c,
                                                      kvs(oauth), &h));
    ck_assert_str_eq(h, "OAuth oauth_token=\"a%20b\"");
}
END_TEST

START_TEST(protocol_params_checks)
{
    static const char *const dup[] = { "oauth_token", "x", NULL };
    static const char *const sig[] = { "oauth_signature", "x", NULL };
    static const char *const plain[] = { "callback", "x", NULL };
    static const char *const cb[] = { "oauth_callback",
                                      "https://rp.example/cb?a=1", NULL };
    ac_oauth1_client c = lib_client(AC_OAUTH1_HMAC_SHA1);
    apr_array_header_t *oauth = NULL;
    const ac_kv *kv;
    ac_error *err;

    err = ac_oauth1_protocol_params(unit_pool, &c, "t", kvs(dup), "n", "1",
                                    &oauth);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "oauth1_param");
    err = ac_oauth1_protocol_params(unit_pool, &c, NULL, kvs(sig), "n", "1",
                                    &oauth);
    ck_assert_ptr_nonnull(err);
    err = ac_oauth1_protocol_params(unit_pool, &c, NULL, kvs(plain), "n",
                                    "1", &oauth);
    ck_assert_ptr_nonnull(err);
    c.consumer_key = "";
    err = ac_oauth1_protocol_params(unit_pool, &c, NULL, NULL, "n", "1",
                                    &oauth);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "oauth1_config");

    /* a request token call: no oauth_token, the callback last */
    c = lib_client(AC_OAUTH1_HMAC_SHA256);
    ck_assert_ptr_null(ac_oauth1_protocol_params(unit_pool, &c, NULL, kvs(cb),
                                                 "n", "1", &oauth));
    ck_assert_int_eq(oauth->nelts, 6);
    kv = (const ac_kv *)oauth->elts;
    ck_assert_str_eq(kv[2].value, "HMAC-SHA256");
    ck_assert_str_eq(kv[4].key, "oauth_version");
    ck_assert_str_eq(kv[5].key, "oauth_callback");
}
END_TEST

/* ---- keys --------------------------------------------------------------- */

START_TEST(rsa_key_loading)
{
    void *key = NULL;
    ac_error *err;

    ck_assert_ptr_null(ac_oauth1_load_rsa_key(unit_pool,
                                              unit_data_path("rsa2048.pem"),
                                              &key));
    ck_assert_ptr_nonnull(key);

    err = ac_oauth1_load_rsa_key(unit_pool, unit_data_path("ec_p256.pem"),
                                 &key);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "oauth1_rsa_key");
    ck_assert_ptr_null(key);

    /* refused, never prompted for */
    err = ac_oauth1_load_rsa_key(unit_pool,
                                 unit_data_path("rsa2048_encrypted.pem"), &key);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "key_file");

    err = ac_oauth1_load_rsa_key(unit_pool,
                                 unit_data_path("rsa2048_public.pem"), &key);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "key_file");

    err = ac_oauth1_load_rsa_key(unit_pool, unit_data_path("missing.pem"),
                                 &key);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "key_file");
    ck_assert_ptr_nonnull(strstr(err->message, "missing.pem"));
}
END_TEST

/* ---- the answers -------------------------------------------------------- */

static ac_http_response answer(long status, const char *body)
{
    ac_http_response r;

    memset(&r, 0, sizeof(r));
    r.status = status;
    r.body = apr_pstrdup(unit_pool, body);
    r.len = strlen(body);
    return r;
}

START_TEST(request_token_confirmed)
{
    ac_http_response r = answer(200, "oauth_token=hh5s93j4hdidpola&oauth_"
                                "token_secret=hdhd0244k9j7ao03&oauth_"
                                "callback_confirmed=true\r\n");
    ac_oauth1_token t;

    ck_assert_ptr_null(ac_oauth1_parse_request_token(unit_pool, &r, &t));
    ck_assert_str_eq(t.token, "hh5s93j4hdidpola");
    ck_assert_str_eq(t.secret, "hdhd0244k9j7ao03");
    ck_assert_str_eq(apr_table_get(t.fields, "oauth_callback_confirmed"),
                     "true");
}
END_TEST

START_TEST(request_token_unconfirmed)
{
    static const char *const bodies[] = {
        "oauth_token=a&oauth_token_secret=b",
        "oauth_token=a&oauth_token_secret=b&oauth_callback_confirmed=false",
        "oauth_token=a&oauth_token_secret=b&oauth_callback_confirmed=TRUE",
        "oauth_token=a&oauth_token_secret=b&oauth_callback_confirmed=",
        NULL
    };
    int i;

    for (i = 0; bodies[i] != NULL; i++) {
        ac_http_response r = answer(200, bodies[i]);
        ac_oauth1_token t;
        ac_error *err = ac_oauth1_parse_request_token(unit_pool, &r, &t);

        ck_assert_msg(err != NULL, "accepted %s", bodies[i]);
        ck_assert_str_eq(err->code, "oauth1_callback_unconfirmed");
        ck_assert_ptr_null(t.token);
        ck_assert_ptr_null(t.secret);
    }
}
END_TEST

START_TEST(access_token_fields)
{
    ac_http_response r = answer(200, "oauth_token=7710-aQf3kLm9ZpR2sT8vW1xY&"
                                "oauth_token_secret=Jk29sLq0Wm4nB7vC1xZ8&"
                                "user_id=7710&screen_name=ada%20l");
    ac_oauth1_token t;

    ck_assert_ptr_null(ac_oauth1_parse_access_token(unit_pool, &r, &t));
    ck_assert_str_eq(t.token, "7710-aQf3kLm9ZpR2sT8vW1xY");
    ck_assert_str_eq(t.secret, "Jk29sLq0Wm4nB7vC1xZ8");
    ck_assert_str_eq(apr_table_get(t.fields, "user_id"), "7710");
    ck_assert_str_eq(apr_table_get(t.fields, "screen_name"), "ada l");
    ck_assert_ptr_nonnull(apr_table_get(t.fields, "oauth_token_secret"));
}
END_TEST

START_TEST(token_answers_malformed)
{
    static const struct { long status; const char *body; const char *code; }
    cases[] = {
        { 200, "", "oauth1_malformed" },
        { 200, "\r\n", "oauth1_malformed" },
        { 200, "oauth_token=a", "oauth1_malformed" },
        { 200, "oauth_token=&oauth_token_secret=b", "oauth1_malformed" },
        { 200, "oauth_token=a&oauth_token_secret=", "oauth1_malformed" },
        { 200, "oauth_token=a&oauth_token=c&oauth_token_secret=b",
          "oauth1_malformed" },
        { 200, "oauth_token=a%zz&oauth_token_secret=b", "oauth1_malformed" },
        { 200, "{\"oauth_token\":\"a\"}", "oauth1_malformed" },
        { 401, "oauth_token=a&oauth_token_secret=b", "oauth1_http_status" },
        { 0, NULL, NULL }
    };
    int i;

    for (i = 0; cases[i].body != NULL; i++) {
        ac_http_response r = answer(cases[i].status, cases[i].body);
        ac_oauth1_token t;
        ac_error *err = ac_oauth1_parse_access_token(unit_pool, &r, &t);

        ck_assert_msg(err != NULL, "accepted '%s'", cases[i].body);
        ck_assert_str_eq(err->code, cases[i].code);
        ck_assert_ptr_null(strstr(err->message, "oauth_token_secret=b"));
    }
}
END_TEST

/* ---- one request on the wire -------------------------------------------- */

#define WIRE_MAX 16384

typedef struct wire {
    apr_socket_t *listener;
    apr_thread_t *thread;
    apr_port_t port;
    const char *answer;         /* the whole HTTP response */
    char request[WIRE_MAX];
    int joined;
} wire;

static void wire_read(apr_socket_t *s, char *buf)
{
    apr_size_t got = 0, want = 0;

    for (;;) {
        apr_size_t n = WIRE_MAX - 1 - got;
        char *end;

        if (n == 0 || apr_socket_recv(s, buf + got, &n) != APR_SUCCESS
            || n == 0) {
            break;
        }
        got += n;
        buf[got] = '\0';
        end = strstr(buf, "\r\n\r\n");
        if (end != NULL && want == 0) {
            const char *cl = strcasestr(buf, "\r\nContent-Length:");

            want = (apr_size_t)(end + 4 - buf)
                 + (cl && cl < end ? (apr_size_t)atol(cl + 17) : 0);
        }
        if (want != 0 && got >= want) {
            break;
        }
    }
    buf[got] = '\0';
}

static void *APR_THREAD_FUNC wire_main(apr_thread_t *t, void *data)
{
    wire *w = data;
    apr_pollfd_t pfd;
    apr_int32_t n = 0;
    apr_pool_t *cp;
    apr_socket_t *s;

    apr_pool_create(&cp, NULL);
    memset(&pfd, 0, sizeof(pfd));
    pfd.p = cp;
    pfd.desc_type = APR_POLL_SOCKET;
    pfd.reqevents = APR_POLLIN;
    pfd.desc.s = w->listener;
    /* apr_socket_accept does not wait out a timeout on its own: poll first,
     * so a client that connects a little later is still taken */
    if (apr_poll(&pfd, 1, &n, apr_time_from_sec(5)) == APR_SUCCESS && n == 1
        && apr_socket_accept(&s, w->listener, cp) == APR_SUCCESS) {
        apr_size_t len = strlen(w->answer);

        apr_socket_timeout_set(s, apr_time_from_sec(5));
        wire_read(s, w->request);
        apr_socket_send(s, w->answer, &len);
        apr_socket_close(s);
    }
    apr_pool_destroy(cp);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

static apr_status_t wire_join(void *data)
{
    wire *w = data;
    apr_status_t rv;

    if (!w->joined) {
        w->joined = 1;
        apr_thread_join(&rv, w->thread);
        apr_socket_close(w->listener);
    }
    return APR_SUCCESS;
}

/* A listener on 127.0.0.1 that takes one request and answers it. */
static wire *wire_start(int status, const char *content_type,
                        const char *body)
{
    wire *w = apr_pcalloc(unit_pool, sizeof(*w));
    apr_sockaddr_t *sa;

    w->answer = apr_psprintf(unit_pool, "HTTP/1.1 %d X\r\nContent-Type: %s"
                             "\r\nContent-Length: %" APR_SIZE_T_FMT "\r\n"
                             "Connection: close\r\n\r\n%s", status,
                             content_type, strlen(body), body);
    ck_assert_int_eq(apr_sockaddr_info_get(&sa, "127.0.0.1", APR_INET, 0, 0,
                                           unit_pool), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_create(&w->listener, APR_INET, SOCK_STREAM,
                                       APR_PROTO_TCP, unit_pool), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_bind(w->listener, sa), APR_SUCCESS);
    ck_assert_int_eq(apr_socket_listen(w->listener, 4), APR_SUCCESS);
    apr_socket_timeout_set(w->listener, apr_time_from_sec(5));
    apr_socket_addr_get(&sa, APR_LOCAL, w->listener);
    w->port = sa->port;
    ck_assert_int_eq(apr_thread_create(&w->thread, NULL, wire_main, w,
                                       unit_pool), APR_SUCCESS);
    apr_pool_pre_cleanup_register(unit_pool, w, wire_join);
    return w;
}

static const ac_http_opts wire_opts = { 5, 10, 65536, NULL };

/* The quoted value of `name` in the Authorization header of `req`. */
static const char *auth_param(const char *req, const char *name)
{
    const char *h = strstr(req, "\r\nAuthorization: OAuth ");
    const char *v;

    ck_assert_ptr_nonnull(h);
    v = strstr(h, apr_pstrcat(unit_pool, " ", name, "=\"", NULL));
    ck_assert_ptr_nonnull(v);
    v += strlen(name) + 3;
    return ac_url_unescape(unit_pool,
                           apr_pstrmemdup(unit_pool, v, strcspn(v, "\"")));
}

START_TEST(request_on_the_wire)
{
    static const char *const cb[] = { "oauth_callback",
                                      "https://rp.example/cb", NULL };
    wire *w = wire_start(200, "application/x-www-form-urlencoded",
                         "oauth_token=rt&oauth_token_secret=rs&oauth_"
                         "callback_confirmed=true\n");
    ac_oauth1_client c = lib_client(AC_OAUTH1_HMAC_SHA1);
    const char *url = apr_psprintf(unit_pool, "http://127.0.0.1:%u/oauth/"
                                   "request_token?x=1", (unsigned)w->port);
    apr_array_header_t *oauth = NULL;
    const char *nonce, *sig = NULL;
    ac_http_response resp;
    ac_oauth1_token t;
    ac_error *err;

    err = ac_oauth1_request(unit_pool, &wire_opts, &c, "POST", url, kvs(cb),
                            NULL, NULL, NULL, &resp);
    ck_assert_msg(err == NULL, "%s", err ? err->message : "");
    wire_join(w);
    ck_assert_int_eq(strncmp(w->request, "POST /oauth/request_token?x=1 "
                             "HTTP/1.1\r\n", 40), 0);
    ck_assert_ptr_nonnull(strcasestr(w->request, "\r\nContent-Type: "
                                     "application/x-www-form-urlencoded"));
    ck_assert_str_eq(auth_param(w->request, "oauth_callback"),
                     "https://rp.example/cb");
    /* 128 random bits as hex */
    nonce = auth_param(w->request, "oauth_nonce");
    ck_assert_int_eq(strlen(nonce), 32);
    /* the provider can check the signature from what it received */
    ck_assert_ptr_null(ac_oauth1_protocol_params(
        unit_pool, &c, NULL, kvs(cb), nonce,
        auth_param(w->request, "oauth_timestamp"), &oauth));
    ck_assert_ptr_null(ac_oauth1_sign(unit_pool, &c, "POST", url, oauth, NULL,
                                      NULL, &sig));
    ck_assert_str_eq(auth_param(w->request, "oauth_signature"), sig);

    ck_assert_ptr_null(ac_oauth1_parse_request_token(unit_pool, &resp, &t));
    ck_assert_str_eq(t.token, "rt");
}
END_TEST

START_TEST(request_http_status)
{
    wire *w = wire_start(401, "text/plain", "Invalid signature for tok42\n");
    ac_oauth1_client c = lib_client(AC_OAUTH1_HMAC_SHA1);
    const char *url = apr_psprintf(unit_pool, "http://127.0.0.1:%u/oauth/"
                                   "access_token?secret=1#f",
                                   (unsigned)w->port);
    ac_http_response resp;
    ac_error *err;

    err = ac_oauth1_request(unit_pool, &wire_opts, &c, "POST", url, NULL,
                            NULL, "tok4", "ts", &resp);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "oauth1_http_status");
    ck_assert_ptr_nonnull(strstr(err->message, "/oauth/access_token answered "
                                 "HTTP 401"));
    ck_assert_ptr_null(strstr(err->message, "secret=1"));
    /* the provider's text would echo the token: left out */
    ck_assert_ptr_null(strstr(err->message, "Invalid signature"));
}
END_TEST

START_TEST(request_http_status_text)
{
    wire *w = wire_start(403, "application/json",
                         "{\"errors\":[{\"message\":\"gone\"}]}\n");
    ac_oauth1_client c = lib_client(AC_OAUTH1_HMAC_SHA1);
    const char *url = apr_psprintf(unit_pool, "http://127.0.0.1:%u/1.1/me",
                                   (unsigned)w->port);
    ac_http_response resp;
    ac_error *err;

    err = ac_oauth1_request(unit_pool, &wire_opts, &c, "GET", url, NULL, NULL,
                            "tok", "ts", &resp);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err->code, "oauth1_http_status");
    ck_assert_ptr_nonnull(strstr(err->message, "HTTP 403 ({\"errors\":[{\""
                                 "message\":\"gone\"}]})"));
    ck_assert_int_eq(strncmp(w->request, "GET /1.1/me HTTP/1.1\r\n", 22), 0);
}
END_TEST

Suite *oauth1_suite(void)
{
    Suite *s = suite_create("oauth1");
    TCase *tc = tcase_create("encoding");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, encode_unreserved_kept);
    tcase_add_test(tc, encode_specials);
    tcase_add_test(tc, encode_utf8_bytes);
    tcase_add_test(tc, form_encode_order_kept);
    suite_add_tcase(s, tc);

    tc = tcase_create("base_string");
    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, base_string_rfc_3_4_1_1);
    tcase_add_test(tc, normalized_rfc_3_4_1_3_2);
    tcase_add_test(tc, signature_rfc_3_1);
    tcase_add_test(tc, base_string_uri);
    tcase_add_test(tc, base_string_bad_urls);
    tcase_add_test(tc, normalize_duplicates_and_empty);
    tcase_add_test(tc, normalize_sorts_encoded);
    tcase_add_test(tc, normalize_query_form_decoding);
    suite_add_tcase(s, tc);

    tc = tcase_create("signatures");
    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, rfc_1_2_example);
    tcase_add_test(tc, rfc_1_2_header);
    tcase_add_test(tc, oauthlib_base_string);
    tcase_add_test(tc, oauthlib_hmac_sha1);
    tcase_add_test(tc, oauthlib_hmac_sha256);
    tcase_add_test(tc, oauthlib_rsa_sha1);
    tcase_add_test(tc, oauthlib_plaintext);
    tcase_add_test(tc, oauthlib_header);
    tcase_add_test(tc, signature_without_token_secret);
    suite_add_tcase(s, tc);

    tc = tcase_create("placement");
    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, place_query);
    tcase_add_test(tc, place_body);
    tcase_add_test(tc, place_header_post_has_body);
    tcase_add_test(tc, prepare_refusals);
    tcase_add_test(tc, realm_quoted);
    tcase_add_test(tc, protocol_params_checks);
    tcase_add_test(tc, rsa_key_loading);
    suite_add_tcase(s, tc);

    tc = tcase_create("answers");
    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, request_token_confirmed);
    tcase_add_test(tc, request_token_unconfirmed);
    tcase_add_test(tc, access_token_fields);
    tcase_add_test(tc, token_answers_malformed);
    suite_add_tcase(s, tc);

    tc = tcase_create("wire");
    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, request_on_the_wire);
    tcase_add_test(tc, request_http_status);
    tcase_add_test(tc, request_http_status_text);
    suite_add_tcase(s, tc);
    return s;
}
