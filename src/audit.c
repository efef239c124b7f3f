/*
 * audit.c - the audit trail: one INFO line per login, logout, refresh and
 * logout from the provider, saying who, through which provider and how it
 * ended, in one fixed shape that an operator can grep for and a log shipper
 * can split ("audit: EVENT OUTCOME: user U, provider P[; DETAIL]").  The
 * failure itself is logged beside it, with its message, by whoever met it.
 */
#include "auth_client.h"

void ac_audit(request_rec *r, const char *number, const char *event,
              const char *outcome, const char *user, const char *provider,
              const char *detail)
{
    /* lognos: numbered by the caller */
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, "%s%s: audit: %s %s: user %s, "
                  "provider %s%s%s", number, AC_LOG_TAG, event, outcome,
                  user ? apr_pstrcat(r->pool, "\"", ac_log_quote(r->pool, user),
                                     "\"", NULL) : "-",
                  provider ? provider : "-", detail ? "; " : "",
                  detail ? detail : "");
}
