/*
 * fuzz_profile.c - claims from profile answers (plain OAuth 2.0 and OAuth
 * 1.0a): ac_json_parse_object, ac_profile_add, ac_profile_set_sub, then
 * ac_claims_flatten and the session record they end up in.
 *
 * Input: up to four answers separated by NUL bytes.  The first is the main
 * profile (a JSON object); the others are the extra profile calls, object
 * or array, parsed as profile.c parses every answer.
 */
#include <string.h>

#include <jansson.h>

#include "claims.h"
#include "jose.h"
#include "json.h"
#include "profile.h"
#include "session_record.h"
#include "support.h"

#define MAX_ANSWERS 4

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_init();
    return 0;
}

/* as profile.c's parse_answer: an object or an array, duplicates refused */
static json_t *extra_answer(apr_pool_t *p, const char *text, size_t len)
{
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);

    if (j != NULL && !json_is_object(j) && !json_is_array(j)) {
        json_decref(j);
        return NULL;
    }
    if (j != NULL) {
        ac_json_pool_own(p, j);
    }
    return j;
}

static int clean(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f) {
            return 0;
        }
    }
    return 1;
}

/* what the per-request path relies on: safe names and values */
static void check_claims(const apr_array_header_t *claims)
{
    int i, j;

    for (i = 0; i < claims->nelts; i++) {
        const ac_claim *c = &APR_ARRAY_IDX(claims, i, ac_claim);
        const char *n;

        FZ_ASSERT(c->path != NULL && *c->path != '\0');
        FZ_ASSERT(c->env_name != NULL && c->env_value != NULL);
        for (n = c->env_name; *n; n++) {
            FZ_ASSERT((*n >= 'A' && *n <= 'Z') || (*n >= 'a' && *n <= 'z')
                      || (*n >= '0' && *n <= '9') || *n == '_');
        }
        FZ_ASSERT(clean(c->env_value));
        FZ_ASSERT(c->nvalues >= 0 && (c->nvalues == 0 || c->values != NULL));
        for (j = 0; j < c->nvalues; j++) {
            FZ_ASSERT(c->values[j] != NULL && clean(c->values[j]));
        }
    }
}

/* What the record gives back is what went in: each array element whole,
 * split out of the joined value it is stored as. */
static void same_claims(const apr_array_header_t *a, const apr_array_header_t *b)
{
    int i, j;

    FZ_ASSERT(a->nelts == b->nelts);
    for (i = 0; i < a->nelts; i++) {
        const ac_claim *x = &APR_ARRAY_IDX(a, i, ac_claim);
        const ac_claim *y = &APR_ARRAY_IDX(b, i, ac_claim);

        FZ_ASSERT(strcmp(x->path, y->path) == 0);
        FZ_ASSERT(strcmp(x->env_value, y->env_value) == 0);
        FZ_ASSERT(x->nvalues == y->nvalues);
        for (j = 0; j < x->nvalues; j++) {
            FZ_ASSERT(strcmp(x->values[j], y->values[j]) == 0);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *part = data, *end = data + size;
    ac_session_record s, back;
    apr_array_header_t *flat;
    apr_pool_t *p;
    json_t *claims, *answer;
    const ac_claim *sub;
    char *buf;
    apr_size_t len;
    ac_error *err;
    int n;

    p = fz_pool_begin();
    claims = json_object();
    ac_json_pool_own(p, claims);
    for (n = 0; n < MAX_ANSWERS && part <= end; n++) {
        const uint8_t *nul = memchr(part, '\0', (size_t)(end - part));
        size_t plen = nul ? (size_t)(nul - part) : (size_t)(end - part);
        char *text = fz_copy(p, part, plen);

        if (n == 0) {
            if (ac_json_parse_object(p, text, plen, "the profile", &answer)
                != NULL) {
                goto done;
            }
        }
        else if ((answer = extra_answer(p, text, plen)) == NULL) {
            goto done;
        }
        ac_profile_add(claims, answer);
        part += plen + 1;
    }
    err = ac_profile_set_sub(p, claims);
    fz_note("profile", err);
    if (err != NULL) {
        goto done;
    }
    FZ_ASSERT(json_is_string(json_object_get(claims, "sub")));
    flat = ac_claims_flatten(p, claims);
    check_claims(flat);
    sub = ac_claims_find(flat, "sub");
    FZ_ASSERT(sub != NULL && sub->nvalues == 1);

    /* into the session record and back, as login and every request do */
    memset(&s, 0, sizeof(s));
    s.provider = "github";
    s.remote_user = "u";
    s.scope = "localhost";
    s.fingerprint = "0123456789abcdef0123456789abcdef";
    s.claims = flat;
    FZ_ASSERT(ac_session_record_encode(p, &s, &buf, &len) == NULL);
    FZ_ASSERT(ac_session_record_decode(p, buf, len, &back) == NULL);
    same_claims(flat, ac_session_record_claims(p, &back));
done:
    fz_pool_end(p);
    return 0;
}
