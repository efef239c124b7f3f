/*
 * profile.h - who logged in, for providers without an id_token: plain
 * OAuth 2.0 (GitHub-like) and OAuth 1.0a (Twitter-like).  The profile
 * answers on the API base URL become the claims; the profile's id becomes
 * sub, exactly, as a string.
 */
#ifndef AC_PROFILE_H
#define AC_PROFILE_H

#include <jansson.h>
#include "config.h"
#include "http.h"
#include "oauth1.h"

/*
 * Add one profile answer to `claims`: an object adds the members still
 * missing (so the main profile wins); an array of {email, primary,
 * verified} objects sets email and email_verified from the primary
 * verified entry when the profile had no email.  Other answers are ignored.
 */
void ac_profile_add(json_t *claims, json_t *answer);

/* sub from id_str, else id (integer or string); error "profile_no_id". */
ac_error *ac_profile_set_sub(apr_pool_t *p, json_t *claims);

/* The claims object of an OAuth 2.0 login: UserInfoURL, then every
 * UserInfoExtraURL, with the bearer token; released with `p`. */
ac_error *ac_profile_fetch_oauth2(apr_pool_t *p, const ac_http_opts *h,
                                  const ac_provider *pv, const char *access_token,
                                  json_t **claims);

/* The same for OAuth 1.0a, each call signed with the access token. */
ac_error *ac_profile_fetch_oauth1(apr_pool_t *p, const ac_http_opts *h,
                                  const ac_oauth1_client *c, const ac_provider *pv,
                                  const char *token, const char *token_secret,
                                  json_t **claims);

#endif
