/*
 * support.h - what every fuzz target shares: APR set up once, a fresh pool
 * per input whose allocations ASan can see, and input copies of exactly the
 * input's size.
 */
#ifndef AC_FUZZ_SUPPORT_H
#define AC_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include <apr_pools.h>

/* The targets' clock: the seeds' tokens are valid at this instant. */
#define FZ_NOW_SEC 1700000000

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* apr_initialize once per process; safe to call from every target. */
void fz_init(void);

/*
 * A new pool for one input.  Until fz_pool_end, every apr_palloc from it or
 * from its sub-pools is a malloc of exactly the size asked for, so ASan
 * reports a read or write one byte past a pool allocation, which it cannot
 * see inside APR's own blocks.
 */
apr_pool_t *fz_pool_begin(void);
/* Destroys the pool and frees what it handed out. */
void fz_pool_end(apr_pool_t *p);

/* `data` as a NUL-terminated string (cut at its first NUL) in `p`. */
char *fz_cstr(apr_pool_t *p, const uint8_t *data, size_t size);
/* `data` copied to a buffer of exactly `size` bytes in `p` (not terminated). */
char *fz_copy(apr_pool_t *p, const uint8_t *data, size_t size);
/* `data` with a NUL appended, inner NULs kept: an HTTP body as http.c
 * delivers it. */
char *fz_body(apr_pool_t *p, const uint8_t *data, size_t size);

/* With AC_FUZZ_DEBUG set in the environment, prints what became of an
 * input (the error code, or "accepted"): to check that seeds get as far
 * as they are meant to. */
struct ac_error;
void fz_note(const char *target, const struct ac_error *err);

/* A broken promise of the code under test: report and abort, so that
 * libFuzzer keeps the input. */
#define FZ_ASSERT(cond)                                                      \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fz_fail(__FILE__, __LINE__, #cond);                              \
        }                                                                    \
    } while (0)
void fz_fail(const char *file, int line, const char *what)
    __attribute__((noreturn));

#endif
