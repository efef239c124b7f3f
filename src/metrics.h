/*
 * metrics.h - the counters behind the status endpoint (status.c): logins,
 * errors by code, refreshes, back-channel logouts, discovery and JWKS
 * fetches, token-endpoint latency per provider, and the cache operations.
 *
 * The table is one block of memory that every process of the server sees
 * (status.c places it in shared memory); an increment is an array index
 * and one atomic add, with no lookup and no lock, so the hot path can
 * afford it.  Before a table is attached every increment does nothing:
 * the unit tests and fuzzers link the callers without one.
 *
 * Providers are counted by a slot given to each provider name, in the
 * order of the configuration, when its block is read; slot 0 counts what
 * happened before a provider was known (an unknown state, a malformed
 * request).  Blocks of the same name in several virtual hosts share a
 * slot, as they share the name in every label.
 */
#ifndef AC_METRICS_H
#define AC_METRICS_H

#include <apr_pools.h>
#include <apr_time.h>

#include "config.h"
#include "error.h"

/* what is counted per provider */
typedef enum {
    AC_M_LOGIN,                 /* a login completed: a new session */
    AC_M_LOGIN_FAILED,          /* a callback that ended in an error */
    AC_M_REFRESH,
    AC_M_REFRESH_FAILED,
    AC_M_BACKCHANNEL_LOGOUT,    /* a logout token accepted */
    AC_M_EVENT_COUNT
} ac_metrics_event;

typedef enum {
    AC_M_DISCOVERY,
    AC_M_JWKS,
    AC_M_DOCUMENT_COUNT
} ac_metrics_document;

typedef enum {
    AC_M_SESSIONS,              /* the sessions store (and its tokens) */
    AC_M_LOGINS,                /* logins in progress */
    AC_M_STORE_COUNT
} ac_metrics_store;

typedef enum {
    AC_M_GET,
    AC_M_PUT,
    AC_M_REMOVE,
    AC_M_TAKE,                  /* a single-use get-and-remove */
    AC_M_CACHE_OP_COUNT
} ac_metrics_cache_op;

typedef enum {
    AC_M_OK,                    /* done; for a get or take: found */
    AC_M_MISS,                  /* a get or take that found nothing */
    AC_M_ERROR,                 /* the cache failed */
    AC_M_RESULT_COUNT
} ac_metrics_result;

/* the upper bounds of the token-latency buckets, in microseconds; one
 * more bucket counts the slower calls */
#define AC_M_LATENCY_BOUNDS 9
extern const apr_interval_time_t ac_metrics_latency_bounds[AC_M_LATENCY_BOUNDS];

/* ---- configuration: the provider slots ----------------------------------------- */

/* Forget the slots of the previous configuration (pre_config). */
void ac_metrics_pre_config(apr_pool_t *pconf);
/* The slot of provider `name`, a new one at its first block. */
int ac_metrics_provider_slot(const char *name);
/* Slots in use, slot 0 included, and the name of each (NULL for 0). */
int ac_metrics_slots(void);
const char *ac_metrics_slot_name(int slot);
/* The slot names in order, one string: a kept table fits a new
 * configuration only when this is unchanged. */
const char *ac_metrics_layout(apr_pool_t *p);

/* ---- the table ------------------------------------------------------------------ */

/* Bytes of a table for `slots` provider slots. */
apr_size_t ac_metrics_table_size(int slots);
/* Count into `mem` (ac_metrics_table_size(slots) bytes, zeroed when new,
 * or NULL to stop counting). */
void ac_metrics_attach(void *mem, int slots);
/* The time the attached table was zeroed, 0 for none. */
apr_time_t ac_metrics_created(void);
/* Zero `mem` as a new table, made now. */
void ac_metrics_table_init(void *mem, int slots);

/* ---- the increments: one line at the place the event happens ------------------------- */

void ac_metrics_count(const ac_provider *pv, ac_metrics_event ev);
void ac_metrics_error(const ac_provider *pv, ac_error_id id);
/* a discovery or JWKS fetch, and when it succeeded its time */
void ac_metrics_fetch(const ac_provider *pv, ac_metrics_document doc, int ok);
/* a token-endpoint call that began at `start` and ended now */
void ac_metrics_token_call(const ac_provider *pv, apr_time_t start);
void ac_metrics_cache(ac_metrics_store store, ac_metrics_cache_op op,
                      ac_metrics_result result);

/* ---- reading, for the status page ---------------------------------------------------- */

typedef struct ac_metrics_provider_view {
    apr_uint64_t events[AC_M_EVENT_COUNT];
    apr_uint64_t fetches[AC_M_DOCUMENT_COUNT][2];       /* [doc][ok] */
    apr_time_t fetched_at[AC_M_DOCUMENT_COUNT];         /* 0: never */
    /* per bucket, not cumulative; [AC_M_LATENCY_BOUNDS] is the slowest */
    apr_uint64_t latency[AC_M_LATENCY_BOUNDS + 1];
    apr_uint64_t latency_micros;                        /* their sum */
    apr_uint64_t errors[AC_E_COUNT];
} ac_metrics_provider_view;

typedef struct ac_metrics_view {
    apr_time_t created;
    int slots;
    apr_uint64_t cache[AC_M_STORE_COUNT][AC_M_CACHE_OP_COUNT][AC_M_RESULT_COUNT];
    ac_metrics_provider_view *providers;                /* [slots] */
} ac_metrics_view;

/* A copy of the attached table in `p`; NULL when none is attached. */
ac_metrics_view *ac_metrics_read(apr_pool_t *p);

/* names used in both formats */
const char *ac_metrics_event_name(ac_metrics_event ev);
const char *ac_metrics_document_name(ac_metrics_document doc);
const char *ac_metrics_store_name(ac_metrics_store st);
const char *ac_metrics_cache_op_name(ac_metrics_cache_op op);
const char *ac_metrics_result_name(ac_metrics_result res);
/* Can `op` have `result`?  (A put cannot miss.) */
int ac_metrics_cache_result_valid(ac_metrics_cache_op op, ac_metrics_result res);

#endif
