/*
 * metrics.c - the counters of metrics.h: the provider slots, the table
 * layout, the increments and a consistent-enough copy for the status page.
 *
 * Counters are 64-bit where the compiler has lock-free 64-bit atomics:
 * a lock-free atomic works on any address, so also in memory that several
 * processes map, while APR's apr_atomic_*64 may fall back to a mutex that
 * lives in one process only.  Elsewhere they are 32-bit apr_atomic
 * counters, which wrap (Prometheus reads a wrap as a counter reset).
 * Increments are relaxed: nothing is ordered by them, and a reader only
 * needs each counter whole, not all of them from one instant.
 */
#include <string.h>

#include <apr_atomic.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "core_state.h"
#include "metrics.h"

#if defined(__GCC_ATOMIC_LLONG_LOCK_FREE) && __GCC_ATOMIC_LLONG_LOCK_FREE == 2
typedef apr_uint64_t ac_counter;
#define counter_add(c, n) ((void)__atomic_fetch_add((c), (n), __ATOMIC_RELAXED))
#define counter_set(c, v) __atomic_store_n((c), (v), __ATOMIC_RELAXED)
#define counter_read(c) __atomic_load_n((c), __ATOMIC_RELAXED)
#else
typedef apr_uint32_t ac_counter;
#define counter_add(c, n) ((void)apr_atomic_add32((c), (apr_uint32_t)(n)))
#define counter_set(c, v) apr_atomic_set32((c), (apr_uint32_t)(v))
#define counter_read(c) apr_atomic_read32(c)
#endif

const apr_interval_time_t ac_metrics_latency_bounds[AC_M_LATENCY_BOUNDS] = {
    25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000
};

typedef struct provider_counters {
    ac_counter events[AC_M_EVENT_COUNT];
    ac_counter fetches[AC_M_DOCUMENT_COUNT][2];
    ac_counter fetched_at[AC_M_DOCUMENT_COUNT];     /* seconds since the epoch */
    ac_counter latency[AC_M_LATENCY_BOUNDS + 1];
    ac_counter latency_micros;
    ac_counter errors[AC_E_COUNT];
} provider_counters;

struct metrics_table {
    apr_time_t created;
    ac_counter cache[AC_M_STORE_COUNT][AC_M_CACHE_OP_COUNT][AC_M_RESULT_COUNT];
    provider_counters providers[1];                 /* [slots] */
};

/* the state: the core's record (core_state.h) */

/* ---- configuration ------------------------------------------------------------- */

void ac_metrics_pre_config(apr_pool_t *pconf)
{
    ac_core.metrics.slot_names = apr_array_make(pconf, 16, sizeof(const char *));
    APR_ARRAY_PUSH(ac_core.metrics.slot_names, const char *) = NULL;
    ac_core.metrics.table = NULL;
    ac_core.metrics.slots = 0;
}

int ac_metrics_provider_slot(const char *name)
{
    apr_array_header_t *names = ac_core.metrics.slot_names;
    int i;

    if (names == NULL) {
        return 0;           /* a tool or a test without a configuration */
    }
    for (i = 1; i < names->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(names, i, const char *), name) == 0) {
            return i;
        }
    }
    APR_ARRAY_PUSH(names, const char *) = apr_pstrdup(names->pool, name);
    return names->nelts - 1;
}

int ac_metrics_slots(void)
{
    return ac_core.metrics.slot_names ? ac_core.metrics.slot_names->nelts : 1;
}

const char *ac_metrics_slot_name(int slot)
{
    const apr_array_header_t *names = ac_core.metrics.slot_names;

    return names && slot > 0 && slot < names->nelts
           ? APR_ARRAY_IDX(names, slot, const char *) : NULL;
}

const char *ac_metrics_layout(apr_pool_t *p)
{
    const char *layout = apr_psprintf(p, "counters-1 %d", ac_metrics_slots());
    int i;

    for (i = 1; i < ac_metrics_slots(); i++) {
        const char *name = ac_metrics_slot_name(i);
        layout = apr_psprintf(p, "%s %" APR_SIZE_T_FMT ":%s", layout, strlen(name), name);
    }
    return layout;
}

/* ---- the table ----------------------------------------------------------------- */

apr_size_t ac_metrics_table_size(int slots)
{
    return sizeof(metrics_table) + (apr_size_t)(slots - 1) * sizeof(provider_counters);
}

void ac_metrics_table_init(void *mem, int slots)
{
    metrics_table *t = mem;

    memset(mem, 0, ac_metrics_table_size(slots));
    t->created = apr_time_now();
}

void ac_metrics_attach(void *mem, int slots)
{
    ac_core.metrics.table = mem;
    ac_core.metrics.slots = mem ? slots : 0;
}

apr_time_t ac_metrics_created(void)
{
    return ac_core.metrics.table ? ac_core.metrics.table->created : 0;
}

/* ---- increments ---------------------------------------------------------------- */

static provider_counters *counters_of(const ac_provider *pv)
{
    metrics_table *t = ac_core.metrics.table;
    int slot = pv ? pv->metrics_slot : 0;

    if (t == NULL || slot < 0 || slot >= ac_core.metrics.slots) {
        return NULL;
    }
    return &t->providers[slot];
}

void ac_metrics_count(const ac_provider *pv, ac_metrics_event ev)
{
    provider_counters *c = counters_of(pv);

    if (c && ev < AC_M_EVENT_COUNT) {
        counter_add(&c->events[ev], 1);
    }
}

void ac_metrics_error(const ac_provider *pv, ac_error_id id)
{
    provider_counters *c = counters_of(pv);

    if (c && id < AC_E_COUNT) {
        counter_add(&c->errors[id], 1);
    }
}

void ac_metrics_fetch(const ac_provider *pv, ac_metrics_document doc, int ok)
{
    provider_counters *c = counters_of(pv);

    if (c == NULL || doc >= AC_M_DOCUMENT_COUNT) {
        return;
    }
    counter_add(&c->fetches[doc][ok ? 1 : 0], 1);
    if (ok) {
        counter_set(&c->fetched_at[doc], (ac_counter)apr_time_sec(apr_time_now()));
    }
}

void ac_metrics_token_call(const ac_provider *pv, apr_time_t start)
{
    provider_counters *c = counters_of(pv);
    apr_interval_time_t took = apr_time_now() - start;
    int b = 0;

    if (c == NULL) {
        return;
    }
    took = took > 0 ? took : 0;
    while (b < AC_M_LATENCY_BOUNDS && took > ac_metrics_latency_bounds[b]) {
        b++;
    }
    counter_add(&c->latency[b], 1);
    counter_add(&c->latency_micros, (ac_counter)took);
}

void ac_metrics_cache(ac_metrics_store store, ac_metrics_cache_op op,
                      ac_metrics_result result)
{
    metrics_table *t = ac_core.metrics.table;

    if (t && store < AC_M_STORE_COUNT && op < AC_M_CACHE_OP_COUNT
        && result < AC_M_RESULT_COUNT) {
        counter_add(&t->cache[store][op][result], 1);
    }
}

/* ---- reading ------------------------------------------------------------------- */

static void read_provider(const provider_counters *c, ac_metrics_provider_view *v)
{
    int i, d;

    for (i = 0; i < AC_M_EVENT_COUNT; i++) {
        v->events[i] = counter_read(&c->events[i]);
    }
    for (d = 0; d < AC_M_DOCUMENT_COUNT; d++) {
        v->fetches[d][0] = counter_read(&c->fetches[d][0]);
        v->fetches[d][1] = counter_read(&c->fetches[d][1]);
        v->fetched_at[d] = apr_time_from_sec(counter_read(&c->fetched_at[d]));
    }
    for (i = 0; i <= AC_M_LATENCY_BOUNDS; i++) {
        v->latency[i] = counter_read(&c->latency[i]);
    }
    v->latency_micros = counter_read(&c->latency_micros);
    for (i = 0; i < AC_E_COUNT; i++) {
        v->errors[i] = counter_read(&c->errors[i]);
    }
}

ac_metrics_view *ac_metrics_read(apr_pool_t *p)
{
    metrics_table *t = ac_core.metrics.table;
    ac_metrics_view *v;
    int s, o, r;

    if (t == NULL) {
        return NULL;
    }
    v = apr_pcalloc(p, sizeof(*v));
    v->created = t->created;
    v->slots = ac_core.metrics.slots;
    for (s = 0; s < AC_M_STORE_COUNT; s++) {
        for (o = 0; o < AC_M_CACHE_OP_COUNT; o++) {
            for (r = 0; r < AC_M_RESULT_COUNT; r++) {
                v->cache[s][o][r] = counter_read(&t->cache[s][o][r]);
            }
        }
    }
    v->providers = apr_pcalloc(p, v->slots * sizeof(*v->providers));
    for (s = 0; s < v->slots; s++) {
        read_provider(&t->providers[s], &v->providers[s]);
    }
    return v;
}

/* ---- names --------------------------------------------------------------------- */

const char *ac_metrics_event_name(ac_metrics_event ev)
{
    static const char *const names[AC_M_EVENT_COUNT] = {
        "login", "login_failed", "refresh", "refresh_failed", "backchannel_logout"
    };
    return ev < AC_M_EVENT_COUNT ? names[ev] : "?";
}

const char *ac_metrics_document_name(ac_metrics_document doc)
{
    return doc == AC_M_DISCOVERY ? "discovery" : "jwks";
}

const char *ac_metrics_store_name(ac_metrics_store st)
{
    return st == AC_M_SESSIONS ? "sessions" : "logins";
}

const char *ac_metrics_cache_op_name(ac_metrics_cache_op op)
{
    static const char *const names[AC_M_CACHE_OP_COUNT] = {
        "get", "put", "remove", "take"
    };
    return op < AC_M_CACHE_OP_COUNT ? names[op] : "?";
}

const char *ac_metrics_result_name(ac_metrics_result res)
{
    static const char *const names[AC_M_RESULT_COUNT] = { "ok", "miss", "error" };
    return res < AC_M_RESULT_COUNT ? names[res] : "?";
}

int ac_metrics_cache_result_valid(ac_metrics_cache_op op, ac_metrics_result res)
{
    return res != AC_M_MISS || op == AC_M_GET || op == AC_M_TAKE;
}
