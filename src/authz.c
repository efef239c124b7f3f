/*
 * authz.c - "Require claim name:value" and "Require claim name~regex".
 *
 * The require line is parsed and its regex compiled at startup; at request
 * time the session's pre-flattened claims are searched by dotted path, and
 * an array claim matches when any element does.
 */
#include <ap_provider.h>
#include <mod_auth.h>

#include "auth_client.h"

typedef struct claim_require {
    const char *path;
    const char *value;          /* exact match, or NULL with a regex */
    ap_regex_t *regex;
} claim_require;

static const char *parse_one(cmd_parms *cmd, const char *word, claim_require *cr)
{
    const char *colon = strchr(word, ':');
    const char *tilde = strchr(word, '~');

    /* whichever separator comes first splits name from value */
    if (tilde && (!colon || tilde < colon)) {
        cr->path = apr_pstrndup(cmd->pool, word, tilde - word);
        cr->regex = ap_pregcomp(cmd->pool, tilde + 1, 0);
        if (cr->regex == NULL) {
            return apr_psprintf(cmd->pool, "Require claim: regex '%s' does not "
                                "compile", tilde + 1);
        }
    }
    else if (colon) {
        cr->path = apr_pstrndup(cmd->pool, word, colon - word);
        cr->value = apr_pstrdup(cmd->pool, colon + 1);
    }
    else {
        return apr_psprintf(cmd->pool, "Require claim: '%s' is neither "
                            "name:value nor name~regex", word);
    }
    if (*cr->path == '\0') {
        return "Require claim: the claim name is empty";
    }
    return NULL;
}

static const char *parse_require(cmd_parms *cmd, const char *line,
                                 const void **parsed)
{
    apr_array_header_t *list = apr_array_make(cmd->pool, 2, sizeof(claim_require));
    const char *word;
    const char *err;

    while (*(word = ap_getword_conf(cmd->temp_pool, &line)) != '\0') {
        claim_require *cr = apr_array_push(list);
        memset(cr, 0, sizeof(*cr));
        if ((err = parse_one(cmd, word, cr)) != NULL) {
            return err;
        }
    }
    if (list->nelts == 0) {
        return "Require claim needs at least one name:value or name~regex";
    }
    *parsed = list;
    return NULL;
}

static int value_matches(const claim_require *cr, const char *v)
{
    if (cr->regex) {
        return ap_regexec(cr->regex, v, 0, NULL, 0) == 0;
    }
    return strcmp(cr->value, v) == 0;
}

static int claim_matches(const ac_session_record *s, const claim_require *cr)
{
    const ac_claim *cl = ac_claims_find(s->claims, cr->path);
    int i;

    for (i = 0; cl && i < cl->nvalues; i++) {
        if (value_matches(cr, cl->values[i])) {
            return 1;
        }
    }
    return 0;
}

static authz_status check_claim(request_rec *r, const char *line,
                                const void *parsed)
{
    const apr_array_header_t *list = parsed;
    ac_request_state *st = ac_request_state_get(r);
    int i;

    if (r->user == NULL) {
        return AUTHZ_DENIED_NO_USER;
    }
    if (st->session == NULL) {
        /* authenticated by another module: no claims to look at */
        return AUTHZ_DENIED;
    }
    /* several words on one line: any of them grants (like Require group) */
    for (i = 0; i < list->nelts; i++) {
        if (claim_matches(st->session, &APR_ARRAY_IDX(list, i, claim_require))) {
            return AUTHZ_GRANTED;
        }
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "%s: user '%s' lacks the "
                  "claim required by 'Require claim %s'", AC_LOG_TAG, r->user, line);
    return AUTHZ_DENIED;
}

static const authz_provider claim_provider = {
    &check_claim,
    &parse_require,
};

void ac_authz_register(apr_pool_t *p)
{
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, "claim",
                              AUTHZ_PROVIDER_VERSION, &claim_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
}
