/*
 * fuzz_introspection.c - an introspection endpoint's answer (RFC 7662)
 * through ac_introspection_parse and ac_introspection_check, its cache
 * entry written and read back, and a hostile cache entry read as one (a
 * shared cache's contents are outside input too).
 *
 * Input: a mode byte - bit 0: HTTP 401 instead of 200; bits 1-2: the TTL
 * (0, 1, 60 or 3600 s); bit 3: the data is a cache entry, not a body -
 * then the body or entry.
 */
#include <string.h>

#include <jansson.h>

#include "fixture.h"
#include "introspection.h"
#include "support.h"

static const int ttls[] = { 0, 1, 60, 3600 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    return 0;
}

/* an entry read back stands only for an active answer, within ttl and exp */
static void check_reused(json_t *r, apr_time_t fetched, apr_time_t now, int ttl)
{
    apr_time_t until = ac_introspection_cache_until(r, fetched, ttl);

    FZ_ASSERT(json_is_true(json_object_get(r, "active")));
    FZ_ASSERT(ttl > 0 && now < until && until <= fetched + apr_time_from_sec(ttl));
}

static void entry_case(apr_pool_t *p, const uint8_t *data, size_t size, int ttl)
{
    apr_time_t now = apr_time_from_sec(FZ_NOW_SEC);
    json_t *r;

    ac_introspection_entry_decode(p, fz_copy(p, data, size), size, now, ttl, &r);
    if (r != NULL) {
        /* the fetch time is not returned; ttl bounds it from below */
        FZ_ASSERT(json_is_true(json_object_get(r, "active")));
        FZ_ASSERT(ttl > 0);
    }
}

static void answer_case(apr_pool_t *p, const uint8_t *data, size_t size,
                        long status, int ttl)
{
    apr_time_t fetched = apr_time_from_sec(FZ_NOW_SEC);
    ac_http_response resp;
    json_t *r, *back;
    char *buf;
    apr_size_t len;
    ac_error *err;

    memset(&resp, 0, sizeof(resp));
    resp.status = status;
    resp.body = fz_body(p, data, size);
    resp.len = size;
    err = ac_introspection_parse(p, &resp, &r);
    fz_note("introspection", err);
    if (err != NULL) {
        FZ_ASSERT(r == NULL);
        return;
    }
    FZ_ASSERT(status == 200 && json_is_boolean(json_object_get(r, "active")));
    err = ac_introspection_check(p, r, FZ_ISS);
    FZ_ASSERT(err != NULL || json_is_true(json_object_get(r, "active")));
    if (ac_introspection_entry_encode(p, fetched, r, &buf, &len) != NULL) {
        return;
    }
    ac_introspection_entry_decode(p, buf, len, fetched, ttl, &back);
    if (ac_introspection_cache_until(r, fetched, ttl) > fetched) {
        FZ_ASSERT(back != NULL && json_equal(back, r));
        check_reused(back, fetched, fetched, ttl);
    }
    else {
        FZ_ASSERT(back == NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    int ttl;

    if (size < 1) {
        return 0;
    }
    p = fz_pool_begin();
    ttl = ttls[(data[0] >> 1) & 3];
    if (data[0] & 8) {
        entry_case(p, data + 1, size - 1, ttl);
    }
    else {
        answer_case(p, data + 1, size - 1, (data[0] & 1) ? 401 : 200, ttl);
    }
    fz_pool_end(p);
    return 0;
}
