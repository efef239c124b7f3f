/*
 * session_record.h - the session as stored in the cache.  Encoded once at
 * login, decoded on every authenticated request by walking NUL separators in
 * the decrypted buffer (no JSON, no copies of the strings).
 *
 * The record is lean: each claim value is held once, as the text exported
 * to the application (arrays already joined with ","), under its exported
 * name (the claim prefix already on it).  A request decodes only that
 * export list; the single values of an array, which only "Require claim"
 * and a few other readers need, are split out of the joined text when one
 * of them asks (ac_session_record_claim).  The tokens and the id_token are
 * not here but in their own record (token_record.h), read only by the
 * requests that use them.
 *
 * A large claim section (a user in a thousand groups) is not in the
 * record either: the record then holds its SHA-256, and the caller keeps
 * the section on its own (session_claims.c), so that the record read and
 * opened on every request stays small.
 */
#ifndef AC_SESSION_RECORD_H
#define AC_SESSION_RECORD_H

#include "claims.h"

/* One exported claim, as the application sees it. */
typedef struct ac_export_item {
    const char *name;               /* with the record's export_prefix */
    const char *value;
} ac_export_item;

/* The claim section decoded: the stored fields and the export list, both
 * pointing into the section's bytes. */
typedef struct ac_claim_section {
    const char *stored;             /* the claims' fields, after the count */
    apr_size_t stored_len;
    const char *meta;               /* in `stored`: the paths and shapes */
    apr_size_t nclaims;
    const ac_export_item *exports;
    int nexports;
} ac_claim_section;

/* lowercase hex of the section's SHA-256 */
#define AC_CLAIMS_DIGEST_HEX_LEN 64

typedef struct ac_session_record {
    /* what made it: the session scope (vhost) and the provider's
     * configuration fingerprint; refused anywhere else */
    const char *scope;
    const char *provider;
    const char *fingerprint;
    const char *remote_user;
    apr_time_t created;             /* login time */
    apr_time_t expires;             /* hard limit (maximum duration) */
    apr_time_t last_seen;           /* for the inactivity timeout, touched lazily */
    /* when the access token expires (0: not said), so that a refresh can
     * be seen to be due without reading the tokens (token_record.h) */
    apr_time_t access_expires;
    /* the claim prefix the stored export names start with (NULL: none) */
    const char *export_prefix;
    /* The claims as flattened at login (or from a bearer token); NULL in
     * a decoded record, whose claims stay in `stored` until asked for. */
    apr_array_header_t *claims;     /* ac_claim */
    /* set by the decoder: the claim section of the buffer, written back
     * as it is when the record is stored again */
    const char *stored;
    apr_size_t stored_len;
    const char *meta;               /* in `stored`: the paths and shapes */
    apr_size_t nclaims;
    /* the claim section is apart, with this digest (NULL: in the record);
     * a decoded record's section is then absent until
     * ac_session_record_use_claims puts it in */
    const char *claims_digest;
    /* set by the decoder, or by ac_session_record_exports */
    const ac_export_item *exports;
    int nexports;
} ac_session_record;

ac_error *ac_session_record_encode(apr_pool_t *p, const ac_session_record *s,
                                   char **buf, apr_size_t *len);

/* As ac_session_record_encode, but a claim section longer than
 * `inline_max` goes to *apart (NULL when it stays in the record): the
 * caller stores it, and the record names its digest.  A decoded record
 * whose claims were apart keeps its digest, and *apart is NULL. */
ac_error *ac_session_record_encode_split(apr_pool_t *p,
                                         const ac_session_record *s,
                                         apr_size_t inline_max,
                                         char **buf, apr_size_t *len,
                                         char **apart, apr_size_t *apart_len);

/* `buf` is used in place (the record points into it); it must stay alive.
 * On an error *s is incomplete and must not be used. */
ac_error *ac_session_record_decode(apr_pool_t *p, char *buf, apr_size_t len,
                                   ac_session_record *s);

/* A claim section kept apart, decoded in place when its SHA-256 is
 * `digest` (the record's claims_digest), else an error. */
ac_error *ac_session_record_open_claims(apr_pool_t *p, const char *digest,
                                        char *buf, apr_size_t len,
                                        ac_claim_section *out);

/* Put a decoded section into a record whose claims were apart. */
void ac_session_record_use_claims(ac_session_record *s, const ac_claim_section *c);

/* The export list: the decoded one, or made once from `claims`. */
const ac_export_item *ac_session_record_exports(apr_pool_t *p,
                                                   ac_session_record *s,
                                                   int *n);

/* One claim by dotted path, its array elements split out of the stored
 * text on this call; NULL when the session has no such claim. */
const ac_claim *ac_session_record_claim(apr_pool_t *p,
                                        const ac_session_record *s,
                                        const char *path);

/* Every claim (the flattened list, or all of a decoded record's); NULL
 * when a decoded record's paths or shapes are malformed, which its
 * decoding, reading only the names and values, does not check. */
apr_array_header_t *ac_session_record_claims(apr_pool_t *p,
                                             const ac_session_record *s);

#endif
