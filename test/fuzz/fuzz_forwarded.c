/*
 * fuzz_forwarded.c - ac_forwarded_parse (Forwarded, X-Forwarded-Proto,
 * -Host, -Port from a trusted proxy) and ac_forwarded_origin.
 *
 * Input: one byte whose low four bits say which of the four headers are
 * present (Forwarded, X-Forwarded-Proto, -Host, -Port), then their values
 * in that order, separated by NUL bytes.  An accepted set must yield an
 * origin that is exactly "http(s)://host[:port]": nothing a Location
 * header or a cookie decision could be steered by beyond scheme, host and
 * port.
 */
#include <string.h>

#include <apr_lib.h>

#include "support.h"
#include "forwarded.h"
#include "url.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    return 0;
}

/* the next NUL-separated field of *data, advancing past it */
static const char *next_field(apr_pool_t *p, const uint8_t **data, size_t *size)
{
    const uint8_t *nul = memchr(*data, '\0', *size);
    size_t len = nul ? (size_t)(nul - *data) : *size;
    const char *field = fz_cstr(p, *data, len);

    *data += nul ? len + 1 : len;
    *size -= nul ? len + 1 : len;
    return field;
}

static void check_accepted(apr_pool_t *p, const ac_forwarded *fw)
{
    ac_url_origin u;
    const char *origin, *c;

    FZ_ASSERT(fw->scheme == NULL || strcmp(fw->scheme, "http") == 0
              || strcmp(fw->scheme, "https") == 0);
    FZ_ASSERT(fw->port >= 0 && fw->port <= 65535);
    if (fw->host) {
        FZ_ASSERT(fw->host[0] != '\0');
        for (c = fw->host; *c; c++) {
            FZ_ASSERT(apr_islower(*c) || apr_isdigit(*c) || strchr(".-_:", *c));
        }
    }
    origin = ac_forwarded_origin(p, fw, "http", "backend.internal", 8080);
    FZ_ASSERT(ac_url_origin_parse(p, origin, &u) == NULL);
    FZ_ASSERT(u.rest[0] == '\0');
    FZ_ASSERT(fw->scheme == NULL || strcmp(u.scheme, fw->scheme) == 0);
    FZ_ASSERT(fw->host == NULL || strcmp(u.host, fw->host) == 0);
    FZ_ASSERT(fw->port == 0 || u.port == fw->port);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ac_forwarded_headers h = { NULL, NULL, NULL, NULL };
    const char **slots[4] = { &h.forwarded, &h.x_proto, &h.x_host, &h.x_port };
    ac_forwarded fw;
    ac_error *e;
    apr_pool_t *p;
    unsigned present;
    int i;

    if (size < 1) {
        return 0;
    }
    p = fz_pool_begin();
    present = data[0];
    data++;
    size--;
    for (i = 0; i < 4; i++) {
        if (present & (1u << i)) {
            *slots[i] = next_field(p, &data, &size);
        }
    }
    e = ac_forwarded_parse(p, &h, &fw);
    fz_note("forwarded", e);
    if (e == NULL) {
        check_accepted(p, &fw);
    }
    else {
        FZ_ASSERT(fw.scheme == NULL && fw.host == NULL && fw.port == 0);
    }
    fz_pool_end(p);
    return 0;
}
