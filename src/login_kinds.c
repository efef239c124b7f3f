/*
 * login_kinds.c - the one place a login kind is chosen: for a provider at
 * login start, and for a callback by the cache entry its parameters name.
 */
#include "login.h"

/* indexed by the provider kind the configuration implies (config.c) */
static const ac_login_kind *const kind_of_provider[] = {
    [AC_KIND_OAUTH1] = &ac_login_oauth1,
    [AC_KIND_OAUTH2] = &ac_login_oauth2,
    [AC_KIND_OIDC] = &ac_login_oauth2,
};

/* asked in this order which one a callback belongs to */
static const ac_login_kind *const callback_kinds[] = {
    &ac_login_oauth2,
    &ac_login_oauth1,
};

const ac_login_kind *ac_login_kind_of(const ac_provider *pv)
{
    ac_kind k = ac_provider_kind(pv);

    return k > AC_KIND_UNSET && k <= AC_KIND_OIDC ? kind_of_provider[k] : NULL;
}

ac_error *ac_login_kind_of_callback(request_rec *r, apr_table_t *params,
                                    const char *flow_id,
                                    const ac_login_kind **kind, const char **key)
{
    apr_size_t i;
    ac_error *e;

    for (i = 0; i < sizeof(callback_kinds) / sizeof(callback_kinds[0]); i++) {
        *key = NULL;
        if ((e = callback_kinds[i]->callback_key(r, params, flow_id, key)) != NULL) {
            return e;
        }
        if (*key != NULL) {
            *kind = callback_kinds[i];
            return NULL;
        }
    }
    return ac_fail(r, AC_E_STATE_MISSING, "callback without a usable state "
                   "parameter; was it opened directly?");
}
