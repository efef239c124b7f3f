/*
 * status.c - the status endpoint for operators, and the shared memory of
 * its counters (metrics.h).
 *
 *     <Location /auth-client-status>
 *         SetHandler auth-client-status
 *         Require ip 192.0.2.0/24
 *     </Location>
 *
 * answers in the Prometheus text format, or in JSON for "?json" or an
 * Accept header that prefers application/json.  Like mod_status's
 * server-status it is an ordinary handler, so the location's Require
 * decides who may read it.
 *
 * The counters live in one anonymous shared memory segment made at
 * post_config, before the children are forked, so every child adds to the
 * same table.  Like the embedded cache (cache.c) the segment is kept
 * across graceful restarts while the providers stay the same, and made
 * afresh otherwise.
 */
#include <apr_shm.h>
#include <apr_strings.h>
#include <http_main.h>
#include <unixd.h>

#include "auth_client.h"
#include "json.h"

#define AC_STATUS_HANDLER "auth-client-status"
/* what is kept across restarts; a new layout of it needs a new key */
#define AC_STATUS_KEPT_KEY "mod_auth_client-status-1"
#define AC_PROVIDER_NOTE "auth-client-provider"
#define AC_PROM_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* ---- the shared memory --------------------------------------------------------- */

typedef struct kept_counters {
    apr_pool_t *pool;                   /* NULL while nothing is kept */
    apr_shm_t *shm;
    const char *layout;                 /* ac_metrics_layout() it was made for */
} kept_counters;

static kept_counters *kept_get(void)
{
    kept_counters *k = ap_retained_data_get(AC_STATUS_KEPT_KEY);

    return k ? k : ap_retained_data_create(AC_STATUS_KEPT_KEY, sizeof(*k));
}

static void kept_release(kept_counters *k)
{
    if (k->pool) {
        apr_pool_destroy(k->pool);      /* detaches the segment */
    }
    memset(k, 0, sizeof(*k));
}

static int kept_create(server_rec *s, kept_counters *k, const char *layout,
                       apr_size_t size)
{
    apr_status_t rv;

    if ((rv = apr_pool_create(&k->pool, s->process->pool)) == APR_SUCCESS) {
        apr_pool_tag(k->pool, "auth_client_status");
        rv = apr_shm_create(&k->shm, size, NULL, k->pool);
    }
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, ACLOGNO(01067)
                     "%s: could not create the "
                     "shared memory of the status counters (%" APR_SIZE_T_FMT
                     " bytes) [status_shm]", AC_LOG_TAG, size);
        kept_release(k);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    ac_metrics_table_init(apr_shm_baseaddr_get(k->shm), ac_metrics_slots());
    k->layout = apr_pstrdup(k->pool, layout);
    return OK;
}

int ac_status_post_config(apr_pool_t *ptemp, server_rec *s)
{
    kept_counters *k = kept_get();
    const char *layout = ac_metrics_layout(ptemp);
    int slots = ac_metrics_slots();

    /* a restart that is not graceful may have killed a child in the middle
     * of nothing worse than an add, but it starts everything else afresh:
     * so do the counters, as mod_status's do */
    if (k->pool == NULL || !ap_unixd_mpm_get_retained_data()->was_graceful
        || strcmp(k->layout, layout) != 0) {
        kept_release(k);
        if (kept_create(s, k, layout, ac_metrics_table_size(slots)) != OK) {
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    ac_metrics_attach(apr_shm_baseaddr_get(k->shm), slots);
    return OK;
}

/* ---- which provider a request is about ----------------------------------------- */

void ac_status_note_provider(request_rec *r, const ac_provider *pv)
{
    if (pv) {
        apr_table_setn(r->notes, AC_PROVIDER_NOTE, pv->name);
    }
}

const ac_provider *ac_status_provider_of(request_rec *r)
{
    const char *name = apr_table_get(r->notes, AC_PROVIDER_NOTE);
    const ac_request_state *st = ac_request_state_get(r);

    if (name == NULL && st->session) {
        name = st->session->provider;
    }
    return name ? ac_conf_find_provider(ac_sconf(r->server), name) : NULL;
}

/* ---- the Prometheus text format ------------------------------------------------ */

/* a label value: backslash, double quote and line feed escaped */
static const char *prom_escape(apr_pool_t *p, const char *s)
{
    char *out = apr_palloc(p, 2 * strlen(s) + 1), *o = out;

    for (; *s; s++) {
        if (*s == '\\' || *s == '"') {
            *o++ = '\\';
            *o++ = *s;
        }
        else if (*s == '\n') {
            *o++ = '\\';
            *o++ = 'n';
        }
        else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

static void prom_family(request_rec *r, const char *name, const char *type,
                        const char *help)
{
    ap_rprintf(r, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static const char *provider_label(request_rec *r, int slot)
{
    const char *name = ac_metrics_slot_name(slot);

    return apr_pstrcat(r->pool, "provider=\"", prom_escape(r->pool, name ? name : ""),
                       "\"", NULL);
}

static void prom_events(request_rec *r, const ac_metrics_view *v)
{
    static const struct {
        const char *metric;
        ac_metrics_event ok, failed;
        int first_slot;             /* 0: also what failed before a provider was known */
        const char *help;
    } pairs[] = {
        { "auth_client_logins_total", AC_M_LOGIN, AC_M_LOGIN_FAILED, 0,
          "Logins at the callback: ok made a session, failed ended in an error "
          "page (provider empty: the callback named no login of this server)." },
        { "auth_client_refreshes_total", AC_M_REFRESH, AC_M_REFRESH_FAILED, 1,
          "Access token refreshes with a refresh token." },
    };
    apr_size_t i;
    int s;

    for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        prom_family(r, pairs[i].metric, "counter", pairs[i].help);
        for (s = pairs[i].first_slot; s < v->slots; s++) {
            const char *pl = provider_label(r, s);
            ap_rprintf(r, "%s{%s,outcome=\"ok\"} %" APR_UINT64_T_FMT "\n",
                       pairs[i].metric, pl, v->providers[s].events[pairs[i].ok]);
            ap_rprintf(r, "%s{%s,outcome=\"failed\"} %" APR_UINT64_T_FMT "\n",
                       pairs[i].metric, pl, v->providers[s].events[pairs[i].failed]);
        }
    }
    prom_family(r, "auth_client_backchannel_logouts_total", "counter",
                "Back-channel logout tokens accepted.");
    for (s = 1; s < v->slots; s++) {
        ap_rprintf(r, "auth_client_backchannel_logouts_total{%s} %" APR_UINT64_T_FMT "\n",
                   provider_label(r, s), v->providers[s].events[AC_M_BACKCHANNEL_LOGOUT]);
    }
}

/* errors of every slot, the provider empty when none was known; only the
 * codes that occurred, of the hundred and more there are */
static void prom_errors(request_rec *r, const ac_metrics_view *v)
{
    int s, id;

    prom_family(r, "auth_client_errors_total", "counter",
                "Error pages and refusals by provider and stable error code "
                "(conf/troubleshooting).");
    for (s = 0; s < v->slots; s++) {
        for (id = 0; id < AC_E_COUNT; id++) {
            if (v->providers[s].errors[id] != 0) {
                ap_rprintf(r, "auth_client_errors_total{%s,code=\"%s\"} %"
                           APR_UINT64_T_FMT "\n", provider_label(r, s),
                           ac_error_code(id), v->providers[s].errors[id]);
            }
        }
    }
}

static void prom_documents(request_rec *r, const ac_metrics_view *v, apr_time_t now)
{
    int s, d;

    prom_family(r, "auth_client_document_fetches_total", "counter",
                "Discovery document and JWKS fetches from the provider.");
    for (s = 1; s < v->slots; s++) {
        for (d = 0; d < AC_M_DOCUMENT_COUNT; d++) {
            const char *l = apr_psprintf(r->pool, "%s,document=\"%s\"",
                                         provider_label(r, s),
                                         ac_metrics_document_name(d));
            ap_rprintf(r, "auth_client_document_fetches_total{%s,outcome=\"ok\"} %"
                       APR_UINT64_T_FMT "\n", l, v->providers[s].fetches[d][1]);
            ap_rprintf(r, "auth_client_document_fetches_total{%s,outcome=\"failed\"} %"
                       APR_UINT64_T_FMT "\n", l, v->providers[s].fetches[d][0]);
        }
    }
    prom_family(r, "auth_client_document_age_seconds", "gauge",
                "Seconds since the last successful fetch of the document by any "
                "process (each process keeps its own copy).");
    for (s = 1; s < v->slots; s++) {
        for (d = 0; d < AC_M_DOCUMENT_COUNT; d++) {
            if (v->providers[s].fetched_at[d] != 0) {
                ap_rprintf(r, "auth_client_document_age_seconds{%s,document=\"%s\"} %"
                           APR_TIME_T_FMT "\n", provider_label(r, s),
                           ac_metrics_document_name(d),
                           apr_time_sec(now - v->providers[s].fetched_at[d]));
            }
        }
    }
}

static const char *bound_text(apr_pool_t *p, int b)
{
    return b < AC_M_LATENCY_BOUNDS
           ? apr_psprintf(p, "%g",
                          (double)ac_metrics_latency_bounds[b] / APR_USEC_PER_SEC)
           : "+Inf";
}

static void prom_latency(request_rec *r, const ac_metrics_view *v)
{
    const char *m = "auth_client_token_request_duration_seconds";
    int s, b;

    prom_family(r, m, "histogram", "Time of the calls to the provider's token "
                "endpoint (code exchange, refresh, OAuth 1.0a access token).");
    for (s = 1; s < v->slots; s++) {
        const ac_metrics_provider_view *pv = &v->providers[s];
        const char *pl = provider_label(r, s);
        apr_uint64_t cumulative = 0;
        for (b = 0; b <= AC_M_LATENCY_BOUNDS; b++) {
            cumulative += pv->latency[b];
            ap_rprintf(r, "%s_bucket{%s,le=\"%s\"} %" APR_UINT64_T_FMT "\n", m, pl,
                       bound_text(r->pool, b), cumulative);
        }
        ap_rprintf(r, "%s_sum{%s} %.6f\n%s_count{%s} %" APR_UINT64_T_FMT "\n", m, pl,
                   (double)pv->latency_micros / APR_USEC_PER_SEC, m, pl, cumulative);
    }
}

static void prom_cache(request_rec *r, const ac_metrics_view *v)
{
    int st, op, res;

    prom_family(r, "auth_client_cache_operations_total", "counter",
                "Session cache operations by store, operation and result "
                "(error: the cache failed).");
    for (st = 0; st < AC_M_STORE_COUNT; st++) {
        for (op = 0; op < AC_M_CACHE_OP_COUNT; op++) {
            for (res = 0; res < AC_M_RESULT_COUNT; res++) {
                if (ac_metrics_cache_result_valid(op, res)) {
                    ap_rprintf(r, "auth_client_cache_operations_total{store=\"%s\","
                               "operation=\"%s\",result=\"%s\"} %" APR_UINT64_T_FMT "\n",
                               ac_metrics_store_name(st), ac_metrics_cache_op_name(op),
                               ac_metrics_result_name(res), v->cache[st][op][res]);
                }
            }
        }
    }
}

static void prom_write(request_rec *r, const ac_metrics_view *v)
{
    apr_time_t now = apr_time_now();

    ap_set_content_type(r, AC_PROM_TYPE);
    prom_events(r, v);
    prom_errors(r, v);
    prom_documents(r, v, now);
    prom_latency(r, v);
    prom_cache(r, v);
    prom_family(r, "auth_client_counters_created_timestamp_seconds", "gauge",
                "When the counters started: the last start or non-graceful "
                "restart, or a change of the providers.");
    ap_rprintf(r, "auth_client_counters_created_timestamp_seconds %" APR_TIME_T_FMT "\n",
               apr_time_sec(v->created));
}

/* ---- JSON ---------------------------------------------------------------------- */

static json_t *json_outcomes(apr_uint64_t ok, apr_uint64_t failed)
{
    return json_pack("{s:I,s:I}", "ok", (json_int_t)ok, "failed", (json_int_t)failed);
}

static json_t *json_errors(const ac_metrics_provider_view *pv)
{
    json_t *o = json_object();
    int id;

    for (id = 0; id < AC_E_COUNT; id++) {
        if (pv->errors[id] != 0) {
            json_object_set_new(o, ac_error_code(id),
                                json_integer((json_int_t)pv->errors[id]));
        }
    }
    return o;
}

static json_t *json_documents(const ac_metrics_provider_view *pv, apr_time_t now)
{
    json_t *o = json_object();
    int d;

    for (d = 0; d < AC_M_DOCUMENT_COUNT; d++) {
        json_object_set_new(o, ac_metrics_document_name(d), json_pack(
            "{s:o,s:o}", "fetches", json_outcomes(pv->fetches[d][1], pv->fetches[d][0]),
            "age_seconds", pv->fetched_at[d] == 0 ? json_null()
                : json_integer((json_int_t)apr_time_sec(now - pv->fetched_at[d]))));
    }
    return o;
}

static json_t *json_latency(apr_pool_t *p, const ac_metrics_provider_view *pv)
{
    json_t *buckets = json_object();
    apr_uint64_t count = 0;
    int b;

    /* cumulative, as in the Prometheus form */
    for (b = 0; b <= AC_M_LATENCY_BOUNDS; b++) {
        count += pv->latency[b];
        json_object_set_new(buckets, bound_text(p, b), json_integer((json_int_t)count));
    }
    return json_pack("{s:I,s:f,s:o}", "count", (json_int_t)count, "sum_seconds",
                     (double)pv->latency_micros / APR_USEC_PER_SEC, "buckets", buckets);
}

static json_t *json_provider(apr_pool_t *p, const ac_metrics_provider_view *pv,
                             apr_time_t now)
{
    return json_pack("{s:o,s:o,s:I,s:o,s:o,s:o}",
                     "logins", json_outcomes(pv->events[AC_M_LOGIN],
                                             pv->events[AC_M_LOGIN_FAILED]),
                     "refreshes", json_outcomes(pv->events[AC_M_REFRESH],
                                                pv->events[AC_M_REFRESH_FAILED]),
                     "backchannel_logouts",
                     (json_int_t)pv->events[AC_M_BACKCHANNEL_LOGOUT],
                     "documents", json_documents(pv, now),
                     "token_requests", json_latency(p, pv),
                     "errors", json_errors(pv));
}

static json_t *json_cache(const ac_metrics_view *v)
{
    json_t *o = json_object();
    int st, op, res;

    for (st = 0; st < AC_M_STORE_COUNT; st++) {
        json_t *store = json_object();
        for (op = 0; op < AC_M_CACHE_OP_COUNT; op++) {
            json_t *ops = json_object();
            for (res = 0; res < AC_M_RESULT_COUNT; res++) {
                if (ac_metrics_cache_result_valid(op, res)) {
                    json_object_set_new(ops, ac_metrics_result_name(res),
                                        json_integer((json_int_t)v->cache[st][op][res]));
                }
            }
            json_object_set_new(store, ac_metrics_cache_op_name(op), ops);
        }
        json_object_set_new(o, ac_metrics_store_name(st), store);
    }
    return o;
}

static void json_write(request_rec *r, const ac_metrics_view *v)
{
    apr_time_t now = apr_time_now();
    json_t *providers = json_object();
    json_t *doc;
    char *text;
    int s;

    for (s = 1; s < v->slots; s++) {
        json_object_set_new(providers, ac_metrics_slot_name(s),
                            json_provider(r->pool, &v->providers[s], now));
    }
    doc = json_pack("{s:I,s:I,s:o,s:o,s:o}",
                    "counters_since", (json_int_t)apr_time_sec(v->created),
                    "now", (json_int_t)apr_time_sec(now),
                    "providers", providers,
                    "without_provider", json_pack(
                        "{s:I,s:o}", "logins_failed",
                        (json_int_t)v->providers[0].events[AC_M_LOGIN_FAILED],
                        "errors", json_errors(&v->providers[0])),
                    "cache", json_cache(v));
    if (doc) {
        ac_json_pool_own(r->pool, doc);
    }
    text = doc ? json_dumps(doc, JSON_PRESERVE_ORDER | JSON_INDENT(1)) : NULL;
    ap_set_content_type(r, "application/json");
    ap_rputs(text ? text : "{}", r);
    ap_rputs("\n", r);
    free(text);
}

/* ---- the handler --------------------------------------------------------------- */

/* "?json", "?format=json", or an Accept header that names JSON before
 * any text format */
static int wants_json(request_rec *r)
{
    const char *accept = apr_table_get(r->headers_in, "Accept");
    const char *json_at, *text_at;

    if (r->args && (strcmp(r->args, "json") == 0
                    || strcmp(r->args, "format=json") == 0)) {
        return 1;
    }
    if (accept == NULL || (json_at = ap_strcasestr(accept, "application/json")) == NULL) {
        return 0;
    }
    text_at = ap_strcasestr(accept, "text/plain");
    return text_at == NULL || json_at < text_at;
}

static int status_handler(request_rec *r)
{
    ac_metrics_view *v;

    if (r->handler == NULL || strcmp(r->handler, AC_STATUS_HANDLER) != 0) {
        return DECLINED;
    }
    r->allowed = (AP_METHOD_BIT << M_GET);
    if (r->method_number != M_GET) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    if ((v = ac_metrics_read(r->pool)) == NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, ACLOGNO(01068)
                      "%s: the status counters are "
                      "not available (see the start-up log) [status_shm]",
                      AC_LOG_TAG);
        return HTTP_SERVICE_UNAVAILABLE;
    }
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    apr_table_mergen(r->headers_out, "Vary", "Accept");
    if (wants_json(r)) {
        json_write(r, v);
    }
    else {
        prom_write(r, v);
    }
    return OK;
}

void ac_status_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_handler(status_handler, NULL, NULL, APR_HOOK_MIDDLE);
}
