/*
 * fuzz_token_response.c - ac_token_response_parse: what a token endpoint
 * answers to the code exchange (and to a refresh), JSON or form-encoded.
 *
 * Input: one byte choosing the HTTP status (low 3 bits) and the
 * Content-Type (the rest), then the body.
 */
#include <string.h>

#include "oauth2.h"
#include "support.h"

static const long statuses[] = { 200, 200, 200, 201, 400, 401, 500, 302 };

static const char *const content_types[] = {
    "application/json",
    "application/json; charset=utf-8",
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded;charset=UTF-8",
    NULL,                           /* none sent */
    "text/plain",                   /* GitHub without Accept */
    "text/html; charset=utf-8",
    "APPLICATION/X-WWW-FORM-URLENCODED",
};

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
    ac_token_response t;
    apr_pool_t *p;
    ac_error *err;

    if (size < 1) {
        return 0;
    }
    p = fz_pool_begin();
    memset(&r, 0, sizeof(r));
    r.status = statuses[data[0] & 7];
    r.content_type = content_types[(data[0] >> 3) % 8];
    r.body = fz_body(p, data + 1, size - 1);
    r.len = size - 1;
    err = ac_token_response_parse(p, &r, &t);
    fz_note("token_response", err);
    if (err == NULL) {
        FZ_ASSERT(r.status >= 200 && r.status <= 299);
        FZ_ASSERT(t.access_token != NULL && *t.access_token != '\0');
        FZ_ASSERT(t.token_type != NULL && strcmp(t.token_type, "Bearer") == 0);
        FZ_ASSERT(t.expires_in >= 0);
        FZ_ASSERT(t.raw != NULL);
    }
    fz_pool_end(p);
    return 0;
}
