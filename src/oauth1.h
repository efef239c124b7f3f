/*
 * oauth1.h - OAuth 1.0a request signing (RFC 5849) and the three calls of
 * the flow: request token, access token, and signed API requests.
 */
#ifndef AC_OAUTH1_H
#define AC_OAUTH1_H

#include "util.h"
#include "http.h"

typedef enum {
    AC_OAUTH1_HMAC_SHA1 = 0,        /* default */
    AC_OAUTH1_HMAC_SHA256,
    AC_OAUTH1_RSA_SHA1,
    AC_OAUTH1_PLAINTEXT             /* https endpoints only */
} ac_oauth1_method;

typedef enum {
    AC_OAUTH1_IN_HEADER = 0,        /* Authorization: OAuth ... (default) */
    AC_OAUTH1_IN_QUERY,
    AC_OAUTH1_IN_BODY               /* application/x-www-form-urlencoded */
} ac_oauth1_placement;

typedef struct ac_oauth1_client {
    const char *consumer_key;
    const char *consumer_secret;    /* HMAC-* and PLAINTEXT */
    void *rsa_key;                  /* EVP_PKEY *, RSA-SHA1 */
    ac_oauth1_method method;
    ac_oauth1_placement placement;
    const char *realm;              /* NULL = none */
} ac_oauth1_client;

/* RFC 5849 3.6: UTF-8, RFC 3986 unreserved kept, everything else %XX upper. */
char *ac_oauth1_encode(apr_pool_t *p, const char *s);

/*
 * RFC 5849 3.4.1: the signature base string of `method` and `url` (its
 * query is part of the parameters, its fragment dropped, scheme and host
 * lower-cased, default port removed) over `params` (ac_kv, decoded values;
 * oauth_signature excluded by the caller), sorted by encoded name then
 * encoded value.
 */
ac_error *ac_oauth1_base_string(apr_pool_t *p, const char *method,
                                const char *url,
                                const apr_array_header_t *params,
                                const char **out);

/* The signature of `base` (RFC 5849 3.4.2-3.4.4). */
ac_error *ac_oauth1_signature(apr_pool_t *p, const ac_oauth1_client *c,
                              const char *base, const char *token_secret,
                              const char **out);

/* Load a PEM RSA private key (RSA-SHA1), released by a cleanup on `p`. */
ac_error *ac_oauth1_load_rsa_key(apr_pool_t *p, const char *path, void **key);

/*
 * The pieces ac_oauth1_request is made of, public so that published
 * examples can be reproduced with a fixed nonce and timestamp.
 */

/* "HMAC-SHA1", "HMAC-SHA256", "RSA-SHA1" or "PLAINTEXT"; NULL if unknown. */
const char *ac_oauth1_method_name(ac_oauth1_method m);

/*
 * The protocol parameters of one request (RFC 5849 3.1) as ac_kv, without
 * oauth_signature: oauth_consumer_key, oauth_nonce, oauth_signature_method,
 * oauth_timestamp, oauth_token (when non-NULL), oauth_version=1.0, then
 * `oauth_extra`, whose names must start with "oauth_" and must not repeat
 * one of the others.
 */
ac_error *ac_oauth1_protocol_params(apr_pool_t *p, const ac_oauth1_client *c,
                                    const char *token,
                                    const apr_array_header_t *oauth_extra,
                                    const char *nonce, const char *timestamp,
                                    apr_array_header_t **out);

/*
 * The signature of a request: the base string over `method`, `url` (its
 * query), `oauth` (from ac_oauth1_protocol_params) and `form` (ac_kv, may be
 * NULL), then ac_oauth1_signature.  PLAINTEXT is refused unless `url` is
 * https ("oauth1_plaintext_insecure").
 */
ac_error *ac_oauth1_sign(apr_pool_t *p, const ac_oauth1_client *c,
                         const char *method, const char *url,
                         const apr_array_header_t *oauth,
                         const apr_array_header_t *form,
                         const char *token_secret, const char **signature);

/* "name=value&..." in the given order, both encoded by ac_oauth1_encode. */
char *ac_oauth1_form_encode(apr_pool_t *p, const apr_array_header_t *params);

/*
 * The Authorization header value (RFC 5849 3.5.1) for `oauth` (signature
 * included): `OAuth realm="...", name="value", ...` with the realm of `c`
 * first when set (a quoted-string, not signed) and every name and value
 * encoded.  A realm with control characters is an error.
 */
ac_error *ac_oauth1_authorization_header(apr_pool_t *p,
                                         const ac_oauth1_client *c,
                                         const apr_array_header_t *oauth,
                                         const char **out);

/* What goes on the wire for one signed request. */
typedef struct ac_oauth1_prepared {
    const char *method;         /* upper-cased */
    const char *url;            /* oauth_* appended for AC_OAUTH1_IN_QUERY */
    const char *authorization;  /* AC_OAUTH1_IN_HEADER only, else NULL */
    const char *content_type;   /* NULL when there is no body */
    const char *body;           /* NULL when there is no body */
} ac_oauth1_prepared;

/*
 * Sign `oauth` + `form` and place them.  POST, PUT and PATCH always carry a
 * form body (possibly empty); other methods carry none, so a non-empty
 * `form` is refused for them and AC_OAUTH1_IN_BODY falls back to the query
 * (RFC 5849 3.5.2 allows the body only with a form-encoded entity-body).
 */
ac_error *ac_oauth1_prepare(apr_pool_t *p, const ac_oauth1_client *c,
                            const char *method, const char *url,
                            const apr_array_header_t *oauth,
                            const apr_array_header_t *form,
                            const char *token_secret,
                            ac_oauth1_prepared *out);

/*
 * A signed request: adds oauth_consumer_key, oauth_nonce (128 random bits),
 * oauth_timestamp, oauth_signature_method, oauth_version=1.0, oauth_token
 * (when non-NULL) and `oauth_extra` (e.g. oauth_callback, oauth_verifier),
 * signs over them, the URL's query and `form` (sent as the body of a POST),
 * and places the oauth_* parameters as the client says.  A non-2xx answer
 * is the error "oauth1_http_status", naming the endpoint without its query
 * (the provider's text only when short, printable and free of tokens).
 */
ac_error *ac_oauth1_request(apr_pool_t *p, const ac_http_opts *h,
                            const ac_oauth1_client *c, const char *method,
                            const char *url,
                            const apr_array_header_t *oauth_extra,
                            const apr_array_header_t *form,
                            const char *token, const char *token_secret,
                            ac_http_response *resp);

/* The three answers of the flow, form-encoded (RFC 5849 2.1, 2.3). */
typedef struct ac_oauth1_token {
    const char *token;
    const char *secret;
    apr_table_t *fields;            /* every field, e.g. user_id, screen_name */
} ac_oauth1_token;

/* Request token: refuses an answer without oauth_callback_confirmed=true. */
ac_error *ac_oauth1_parse_request_token(apr_pool_t *p, const ac_http_response *r,
                                        ac_oauth1_token *out);
ac_error *ac_oauth1_parse_access_token(apr_pool_t *p, const ac_http_response *r,
                                       ac_oauth1_token *out);

#endif
