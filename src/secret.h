/*
 * secret.h - secrets in configuration: a literal, `file:/path` (first line,
 * trailing newline stripped) or `exec:/path/to/program args` (its first line
 * of standard output), as httpd's SSLPassPhraseDialog and
 * mod_session_crypto's SessionCryptoPassphrase accept them.
 */
#ifndef AC_SECRET_H
#define AC_SECRET_H

#include "util.h"

/* Returns NULL and sets *err (no secret material in it) on failure. */
const char *ac_secret_resolve(apr_pool_t *p, const char *spec, const char **err);

#endif
