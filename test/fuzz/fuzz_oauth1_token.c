/*
 * fuzz_oauth1_token.c - ac_oauth1_parse_request_token and
 * ac_oauth1_parse_access_token: the form-encoded answers of an OAuth 1.0a
 * provider (RFC 5849 2.1, 2.3).
 *
 * Input: one byte (bit 0: request or access token; bits 1-2: the HTTP
 * status), then the body.
 */
#include <string.h>

#include <apr_tables.h>

#include "oauth1.h"
#include "support.h"

static const long statuses[] = { 200, 200, 201, 401 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ac_http_response r;
    ac_oauth1_token t;
    apr_pool_t *p;
    int request;
    ac_error *err;

    if (size < 1) {
        return 0;
    }
    p = fz_pool_begin();
    memset(&r, 0, sizeof(r));
    request = data[0] & 1;
    r.status = statuses[(data[0] >> 1) & 3];
    r.content_type = "application/x-www-form-urlencoded";
    r.body = fz_body(p, data + 1, size - 1);
    r.len = size - 1;
    err = request ? ac_oauth1_parse_request_token(p, &r, &t)
                  : ac_oauth1_parse_access_token(p, &r, &t);
    fz_note("oauth1_token", err);
    if (err == NULL) {
        FZ_ASSERT(r.status >= 200 && r.status <= 299);
        FZ_ASSERT(t.token != NULL && *t.token != '\0');
        FZ_ASSERT(t.secret != NULL && *t.secret != '\0');
        FZ_ASSERT(t.fields != NULL);
        if (request) {
            const char *c = apr_table_get(t.fields, "oauth_callback_confirmed");

            FZ_ASSERT(c != NULL && strcmp(c, "true") == 0);
        }
    }
    else {
        /* a refused answer leaves nothing behind to be used by mistake */
        FZ_ASSERT(t.token == NULL && t.secret == NULL);
    }
    fz_pool_end(p);
    return 0;
}
