/*
 * authz.c - "Require claim name:value" and "Require claim name~regex", and
 * the same as "Require oauth-claim".
 *
 * The require line is parsed and its regex compiled at startup; at request
 * time the session's pre-flattened claims are searched by dotted path, and
 * an array claim matches when any element does.
 *
 * mod_auth_openidc registers a "claim" provider too, and httpd keeps the
 * one registered last, silently.  "oauth-claim" is the name nobody else
 * takes, and startup warns when "claim" is not ours, or is ours while
 * mod_auth_openidc is loaded.
 */
#include <ap_provider.h>
#include <mod_auth.h>

#include "auth_client.h"

#define CLAIM_NAME "claim"
#define ALIAS_NAME "oauth-claim"

typedef struct claim_require {
    const char *path;
    const char *value;          /* exact match, or NULL with a regex */
    ap_regex_t *regex;
} claim_require;

/* one Require line: the name it was written with, for messages */
typedef struct claim_line {
    const char *name;
    apr_array_header_t *list;   /* claim_require */
} claim_line;

static const char *parse_one(cmd_parms *cmd, const char *name,
                             const char *word, claim_require *cr)
{
    const char *colon = strchr(word, ':');
    const char *tilde = strchr(word, '~');

    /* whichever separator comes first splits name from value */
    if (tilde && (!colon || tilde < colon)) {
        cr->path = apr_pstrndup(cmd->pool, word, tilde - word);
        cr->regex = ap_pregcomp(cmd->pool, tilde + 1, 0);
        if (cr->regex == NULL) {
            return apr_psprintf(cmd->pool, "Require %s: regex '%s' does not "
                                "compile", name, tilde + 1);
        }
    }
    else if (colon) {
        cr->path = apr_pstrndup(cmd->pool, word, colon - word);
        cr->value = apr_pstrdup(cmd->pool, colon + 1);
    }
    else {
        return apr_psprintf(cmd->pool, "Require %s: '%s' is neither "
                            "name:value nor name~regex", name, word);
    }
    if (*cr->path == '\0') {
        return apr_psprintf(cmd->pool, "Require %s: the claim name is empty",
                            name);
    }
    return NULL;
}

static const char *parse_require(cmd_parms *cmd, const char *name,
                                 const char *line, const void **parsed)
{
    claim_line *cl = apr_palloc(cmd->pool, sizeof(*cl));
    const char *word;
    const char *err;

    cl->name = name;
    cl->list = apr_array_make(cmd->pool, 2, sizeof(claim_require));
    while (*(word = ap_getword_conf(cmd->temp_pool, &line)) != '\0') {
        claim_require *cr = apr_array_push(cl->list);
        memset(cr, 0, sizeof(*cr));
        if ((err = parse_one(cmd, name, word, cr)) != NULL) {
            return err;
        }
    }
    if (cl->list->nelts == 0) {
        return apr_psprintf(cmd->pool, "Require %s needs at least one "
                            "name:value or name~regex", name);
    }
    *parsed = cl;
    return NULL;
}

static const char *parse_claim(cmd_parms *cmd, const char *line,
                               const void **parsed)
{
    return parse_require(cmd, CLAIM_NAME, line, parsed);
}

static const char *parse_alias(cmd_parms *cmd, const char *line,
                               const void **parsed)
{
    return parse_require(cmd, ALIAS_NAME, line, parsed);
}

static int value_matches(const claim_require *cr, const char *v)
{
    if (cr->regex) {
        return ap_regexec(cr->regex, v, 0, NULL, 0) == 0;
    }
    return strcmp(cr->value, v) == 0;
}

static int claim_matches(request_rec *r, const ac_session_record *s,
                         const claim_require *cr)
{
    /* the array's elements are split out of the record only here */
    const ac_claim *cl = ac_session_record_claim(r->pool, s, cr->path);
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
    const claim_line *cl = parsed;
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
    for (i = 0; i < cl->list->nelts; i++) {
        if (claim_matches(r, st->session, &APR_ARRAY_IDX(cl->list, i, claim_require))) {
            return AUTHZ_GRANTED;
        }
    }
    st->claim_denied = 1;
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, ACLOGNO(01003)
                  "%s: user '%s' lacks the "
                  "claim required by 'Require %s %s'", AC_LOG_TAG, r->user,
                  cl->name, line);
    return AUTHZ_DENIED;
}

static const authz_provider claim_provider = {
    &check_claim,
    &parse_claim,
};

static const authz_provider alias_provider = {
    &check_claim,
    &parse_alias,
};

void ac_authz_register(apr_pool_t *p)
{
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, CLAIM_NAME,
                              AUTHZ_PROVIDER_VERSION, &claim_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(p, AUTHZ_PROVIDER_GROUP, ALIAS_NAME,
                              AUTHZ_PROVIDER_VERSION, &alias_provider,
                              AP_AUTH_INTERNAL_PER_CONF);
}

/* the module known to register "claim" too, if it is loaded */
static const char *openidc_module(void)
{
    module *m;

    for (m = ap_top_module; m; m = m->next) {
        if (m->name && strstr(m->name, "mod_auth_openidc") != NULL) {
            return "mod_auth_openidc";
        }
    }
    return NULL;
}

void ac_authz_check_config(server_rec *s)
{
    const void *now = ap_lookup_provider(AUTHZ_PROVIDER_GROUP, CLAIM_NAME,
                                         AUTHZ_PROVIDER_VERSION);
    const char *other = openidc_module();

    if (now != &claim_provider) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, ACLOGNO(01004)
                     "%s: 'Require claim' "
                     "belongs to %s, loaded after mod_auth_client, not to "
                     "mod_auth_client: in locations with AuthType oauth it "
                     "cannot see the session's claims.  Write 'Require "
                     "oauth-claim' there, which is always mod_auth_client's",
                     AC_LOG_TAG, other ? other : "another module");
    }
    else if (other != NULL) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, ACLOGNO(01005)
                     "%s: %s is loaded too, "
                     "and 'Require claim' is mod_auth_client's because "
                     "mod_auth_client was loaded after it: in %s's locations "
                     "'Require claim' now denies everybody.  Load %s after "
                     "mod_auth_client, and write 'Require oauth-claim' in "
                     "locations with AuthType oauth", AC_LOG_TAG, other,
                     other, other);
    }
}
