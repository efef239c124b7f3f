/*
 * support.c - shared scaffolding of the fuzz targets.
 *
 * APR carves allocations out of large blocks, so an over-read of a string
 * that a parser copied into a pool stays inside mapped, "valid" memory and
 * ASan says nothing.  While an input runs, apr_palloc (which libapr itself
 * calls through its PLT, so apr_pstrdup and friends come here too) is
 * replaced by malloc for the input's pool and its sub-pools; the blocks are
 * freed after the pool is destroyed.  apr_psprintf writes into the pool's
 * blocks directly and is not covered.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "support.h"
#include "util.h"

typedef void *(*palloc_fn)(apr_pool_t *, apr_size_t);

static palloc_fn real_palloc;
static apr_pool_t *guarded;         /* the current input's pool, or NULL */
static void **blocks;               /* what was handed out for it */
static size_t nblocks, capblocks;

static palloc_fn find_real_palloc(void)
{
    if (real_palloc == NULL) {
        real_palloc = (palloc_fn)dlsym(RTLD_NEXT, "apr_palloc");
        if (real_palloc == NULL) {
            fprintf(stderr, "fuzz support: apr_palloc not found in libapr\n");
            abort();
        }
    }
    return real_palloc;
}

static int is_guarded(apr_pool_t *p)
{
    return guarded != NULL && (p == guarded || apr_pool_is_ancestor(guarded, p));
}

static void *guarded_alloc(apr_size_t size, int zero)
{
    void *m;

    if (nblocks == capblocks) {
        size_t cap = capblocks ? capblocks * 2 : 1024;
        void **grown = realloc(blocks, cap * sizeof(*blocks));

        if (grown == NULL) {
            abort();
        }
        blocks = grown;
        capblocks = cap;
    }
    /* malloc(0) may return NULL; APR never does */
    m = zero ? calloc(1, size ? size : 1) : malloc(size ? size : 1);
    if (m == NULL) {
        abort();
    }
    blocks[nblocks++] = m;
    return m;
}

void *apr_palloc(apr_pool_t *p, apr_size_t size)
{
    if (is_guarded(p)) {
        return guarded_alloc(size, 0);
    }
    return find_real_palloc()(p, size);
}

/* libapr exports apr_pcalloc as a function too (headers make it a macro) */
#undef apr_pcalloc
void *apr_pcalloc(apr_pool_t *p, apr_size_t size);
void *apr_pcalloc(apr_pool_t *p, apr_size_t size)
{
    void *m;

    if (is_guarded(p)) {
        return guarded_alloc(size, 1);
    }
    m = find_real_palloc()(p, size);
    memset(m, 0, size);
    return m;
}

void fz_init(void)
{
    static int done;

    if (!done) {
        done = 1;
        find_real_palloc();
        if (apr_initialize() != APR_SUCCESS) {
            fprintf(stderr, "fuzz support: apr_initialize failed\n");
            abort();
        }
        atexit(apr_terminate);
    }
}

apr_pool_t *fz_pool_begin(void)
{
    apr_pool_t *p;

    fz_init();
    if (apr_pool_create(&p, NULL) != APR_SUCCESS) {
        abort();
    }
    guarded = p;
    return p;
}

void fz_pool_end(apr_pool_t *p)
{
    size_t i;

    apr_pool_destroy(p);
    guarded = NULL;
    for (i = 0; i < nblocks; i++) {
        free(blocks[i]);
    }
    nblocks = 0;
}

char *fz_cstr(apr_pool_t *p, const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);

    return apr_pstrmemdup(p, (const char *)data,
                          nul ? (size_t)(nul - data) : size);
}

char *fz_copy(apr_pool_t *p, const uint8_t *data, size_t size)
{
    char *buf = apr_palloc(p, size);

    if (size > 0) {
        memcpy(buf, data, size);
    }
    return buf;
}

char *fz_body(apr_pool_t *p, const uint8_t *data, size_t size)
{
    char *buf = apr_palloc(p, size + 1);

    if (size > 0) {
        memcpy(buf, data, size);
    }
    buf[size] = '\0';
    return buf;
}

void fz_note(const char *target, const ac_error *err)
{
    static int debug = -1;

    if (debug < 0) {
        debug = getenv("AC_FUZZ_DEBUG") != NULL;
    }
    if (debug) {
        fprintf(stderr, "%s: %s%s%s\n", target, err ? err->code : "accepted",
                err ? ": " : "", err ? err->message : "");
    }
}

void fz_fail(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: broken promise: %s\n", file, line, what);
    abort();
}
