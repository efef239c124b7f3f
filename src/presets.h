/*
 * presets.h - well-known providers: "Preset github" in a provider block
 * fills the URLs, scope, remote-user claim and quirks the block leaves
 * unset; every key set explicitly wins.
 */
#ifndef AC_PRESETS_H
#define AC_PRESETS_H

#include "config.h"

/* Returns NULL or a message naming the preset problem. */
const char *ac_preset_apply(apr_pool_t *p, ac_provider *pv);

/* "github twitter google ..." for messages and the reference check. */
const char *ac_preset_names(void);

#endif
