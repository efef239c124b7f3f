/*
 * session_record.c - the session as stored in the cache.
 *
 * Layout:
 *   "ACS5" NUL, then created expires last_seen access_expires, each eight
 *   bytes little-endian (a fixed place, read without parsing text),
 *   then NUL-terminated fields:
 *     scope provider fingerprint remote_user export_prefix claims_digest
 *   then the claim section:
 *     nclaims
 *     per claim: name value          (what the export reads)
 *     per claim: shape [path]        (what Require claim reads)
 * A claim section longer than the caller's inline limit is not in the
 * record: claims_digest is then the hex SHA-256 of the section, which the
 * caller stores on its own (session_claims.c); "" says it follows inline.
 * `name` is the exported name with export_prefix on it ("" when a later
 * claim of the same name shadows it), `value` the exported text (array
 * elements joined with ","), `path` the dotted path Require claim names.
 * `shape` says how to get the elements back out of `value`:
 *   ""            a single value
 *   ","           an array, split at every comma ("" is the empty array)
 *   "#5,0,12"     an array, by its element lengths (when an element has
 *                 a comma in it)
 * and, with a "=" before it, that the path is the exported name without
 * its prefix (most claims: "email" is OIDC_CLAIM_email), so no path field
 * follows; the record read on every request is that much shorter.
 * Each value is thus held once.  Counts are decimal.  Decoding points into
 * the buffer and reads only the names and values, which every request
 * exports; the paths and shapes are read, and checked, only when a claim
 * is asked for.  Every count is checked against the bytes left before
 * anything is allocated for it.
 */
#include <string.h>

#include "fields.h"
#include "session_record.h"
#include "util.h"

/* Bump with any change of the layout: old records then fail to decode and
 * their users log in again, instead of being misread. */
#define RECORD_TAG "ACS5"

/* The least a claim can occupy: four bytes (an empty name and value, then
 * "=" or an empty shape and path, each with its NUL). */
#define CLAIM_MIN_BYTES 4
/* the tag with its NUL, then the four times */
#define TIMES_AT 5
#define HEADER_BYTES (TIMES_AT + 4 * 8)

#define SHAPE_SCALAR ""
#define SHAPE_COMMAS ","
#define SHAPE_LENGTHS '#'
#define SHAPE_PATH_IS_NAME '='

static ac_error *record_error(apr_pool_t *p, const char *what)
{
    return ac_error_make(p, AC_E_SESSION_RECORD,
                         "the session record is malformed (%s)", what);
}

static void put_time(unsigned char *at, apr_time_t t)
{
    apr_uint64_t u = (apr_uint64_t)t;
    int i;

    for (i = 0; i < 8; i++) {
        at[i] = (unsigned char)(u >> (8 * i));
    }
}

/* 0 (false) for a negative time: no writer makes one */
static int get_time(const unsigned char *at, apr_time_t *t)
{
    apr_uint64_t u = 0;
    int i;

    for (i = 7; i >= 0; i--) {
        u = (u << 8) | at[i];
    }
    *t = (apr_time_t)u;
    return *t >= 0;
}

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* ---- encoding ------------------------------------------------------------- */

/* Can the elements be found again by splitting the joined text at commas? */
static int splits_at_commas(const ac_claim *c)
{
    int i;

    for (i = 0; i < c->nvalues; i++) {
        if (strchr(c->values[i], ',') != NULL) {
            return 0;
        }
    }
    return 1;
}

/* One value is a scalar whether or not it came as an array of one: every
 * reader (export, Require claim) sees the two alike. */
static const char *shape_of(apr_pool_t *p, const ac_claim *c)
{
    apr_array_header_t *lengths;
    int i;

    if (c->nvalues == 1) {
        return SHAPE_SCALAR;
    }
    if (splits_at_commas(c)) {
        return SHAPE_COMMAS;
    }
    lengths = apr_array_make(p, c->nvalues, sizeof(const char *));
    for (i = 0; i < c->nvalues; i++) {
        APR_ARRAY_PUSH(lengths, const char *) =
            apr_psprintf(p, "%" APR_SIZE_T_FMT, strlen(c->values[i]));
    }
    return apr_pstrcat(p, "#", apr_array_pstrcat(p, lengths, ','), NULL);
}

static ac_error *push_claims(apr_pool_t *p, apr_array_header_t *f,
                             const char *prefix, const apr_array_header_t *claims)
{
    int i, n = claims ? claims->nelts : 0;

    APR_ARRAY_PUSH(f, const char *) = apr_itoa(p, n);
    for (i = 0; i < n; i++) {
        const ac_claim *c = &APR_ARRAY_IDX(claims, i, ac_claim);

        if (c->path == NULL || c->env_name == NULL || c->env_value == NULL
            || c->nvalues < 0 || (c->nvalues > 0 && c->values == NULL)) {
            return record_error(p, "a claim without a path or values");
        }
        APR_ARRAY_PUSH(f, const char *) = c->env_name[0]
            ? apr_pstrcat(p, prefix, c->env_name, NULL) : "";
        APR_ARRAY_PUSH(f, const char *) = c->env_value;
    }
    for (i = 0; i < n; i++) {
        const ac_claim *c = &APR_ARRAY_IDX(claims, i, ac_claim);

        if (c->env_name[0] != '\0' && strcmp(c->env_name, c->path) == 0) {
            APR_ARRAY_PUSH(f, const char *) = apr_pstrcat(p, "=", shape_of(p, c), NULL);
        }
        else {
            APR_ARRAY_PUSH(f, const char *) = shape_of(p, c);
            APR_ARRAY_PUSH(f, const char *) = c->path;
        }
    }
    return NULL;
}

/* The claim section as it was read (a decoded record goes back as it
 * came), or made from the flattened claims. */
static ac_error *claim_section(apr_pool_t *p, const ac_session_record *s,
                               const char *prefix, char **buf, apr_size_t *len)
{
    apr_array_header_t *f;
    const char *count;
    apr_size_t count_len;
    ac_error *err;

    if (s->claims != NULL || s->stored == NULL) {
        f = apr_array_make(p, 1 + 4 * (s->claims ? s->claims->nelts : 0),
                           sizeof(const char *));
        if ((err = push_claims(p, f, prefix, s->claims)) != NULL) {
            return err;
        }
        *buf = ac_fields_join(p, f, len);
        return NULL;
    }
    count = apr_psprintf(p, "%" APR_SIZE_T_FMT, s->nclaims);
    count_len = strlen(count) + 1;
    *buf = apr_palloc(p, count_len + s->stored_len);
    memcpy(*buf, count, count_len);
    memcpy(*buf + count_len, s->stored, s->stored_len);
    *len = count_len + s->stored_len;
    return NULL;
}

static char *concat(apr_pool_t *p, const char *a, apr_size_t alen,
                    const char *b, apr_size_t blen, apr_size_t *len)
{
    char *buf = apr_palloc(p, alen + blen + 1);

    memcpy(buf, a, alen);
    memcpy(buf + alen, b, blen);
    *len = alen + blen;
    return buf;
}

static const char *section_digest(apr_pool_t *p, const char *section,
                                  apr_size_t len)
{
    unsigned char d[32];

    ac_sha256(section, len, d);
    return ac_hex(p, d, sizeof(d));
}

/* The tag, the times and the header's fields. */
static char *record_head(apr_pool_t *p, const ac_session_record *s,
                         const char *prefix, const char *digest, apr_size_t *len)
{
    apr_array_header_t *f = apr_array_make(p, 6, sizeof(const char *));
    unsigned char *head;
    char *fields;
    apr_size_t fields_len;

    APR_ARRAY_PUSH(f, const char *) = s->scope;
    APR_ARRAY_PUSH(f, const char *) = s->provider;
    APR_ARRAY_PUSH(f, const char *) = s->fingerprint;
    APR_ARRAY_PUSH(f, const char *) = s->remote_user;
    APR_ARRAY_PUSH(f, const char *) = prefix;
    APR_ARRAY_PUSH(f, const char *) = digest;
    fields = ac_fields_join(p, f, &fields_len);
    *len = HEADER_BYTES + fields_len;
    head = apr_palloc(p, *len);
    memcpy(head, RECORD_TAG, TIMES_AT);
    put_time(head + TIMES_AT, s->created);
    put_time(head + TIMES_AT + 8, s->expires);
    put_time(head + TIMES_AT + 16, s->last_seen);
    put_time(head + TIMES_AT + 24, s->access_expires);
    memcpy(head + HEADER_BYTES, fields, fields_len);
    return (char *)head;
}

ac_error *ac_session_record_encode_split(apr_pool_t *p,
                                         const ac_session_record *s,
                                         apr_size_t inline_max,
                                         char **buf, apr_size_t *len,
                                         char **apart, apr_size_t *apart_len)
{
    const char *prefix = or_empty(s->export_prefix);
    const char *digest = "";
    char *head, *section = "";
    apr_size_t head_len, section_len = 0;
    ac_error *err;

    *apart = NULL;
    *apart_len = 0;
    if (s->provider == NULL || s->remote_user == NULL || *s->remote_user == '\0'
        || s->scope == NULL || s->fingerprint == NULL
        || s->created < 0 || s->expires < 0 || s->last_seen < 0
        || s->access_expires < 0) {
        return record_error(p, "no provider, no user, no binding or a negative time");
    }
    /* claims kept apart: they stay where they are, under the same digest */
    if (s->claims_digest != NULL && s->claims == NULL) {
        digest = s->claims_digest;
    }
    else if ((err = claim_section(p, s, prefix, &section, &section_len)) != NULL) {
        return err;
    }
    else if (section_len > inline_max) {
        digest = section_digest(p, section, section_len);
        *apart = section;
        *apart_len = section_len;
        section = "";
        section_len = 0;
    }
    head = record_head(p, s, prefix, digest, &head_len);
    *buf = concat(p, head, head_len, section, section_len, len);
    return NULL;
}

ac_error *ac_session_record_encode(apr_pool_t *p, const ac_session_record *s,
                                   char **buf, apr_size_t *len)
{
    char *apart;
    apr_size_t apart_len;

    return ac_session_record_encode_split(p, s, (apr_size_t)-1, buf, len,
                                          &apart, &apart_len);
}

/* ---- decoding: the export list -------------------------------------------- */

/* "#l1,l2,...": decimal lengths that, with a comma between elements, add
 * up to `value` exactly, with a comma at each boundary. */
static int lengths_fit(const char *shape, const char *value)
{
    apr_size_t at = 0, vlen = strlen(value);
    const char *s = shape + 1;

    if (*s == '\0') {
        return vlen == 0;
    }
    for (;;) {
        apr_size_t n = 0;

        if (*s < '0' || *s > '9') {
            return 0;
        }
        for (; *s >= '0' && *s <= '9'; s++) {
            n = n * 10 + (apr_size_t)(*s - '0');
            if (n > vlen) {
                return 0;
            }
        }
        if (n > vlen - at) {
            return 0;
        }
        at += n;
        if (*s == '\0') {
            return at == vlen;
        }
        if (*s++ != ',' || at >= vlen || value[at] != ',') {
            return 0;
        }
        at++;
    }
}

static int shape_ok(const char *shape, const char *value)
{
    if (shape[0] == SHAPE_LENGTHS) {
        return lengths_fit(shape, value);
    }
    return strcmp(shape, SHAPE_SCALAR) == 0 || strcmp(shape, SHAPE_COMMAS) == 0;
}

/* The hot path's pass: the names and values, every field bounded; the
 * paths and shapes after them are left for walk_stored. */
static int read_exports(apr_pool_t *p, ac_field_reader *r, ac_claim_section *c)
{
    apr_size_t i, n = c->nclaims;
    ac_export_item *x = apr_palloc(p, (n ? n : 1) * sizeof(*x));

    c->nexports = 0;
    for (i = 0; i < n; i++) {
        const char *name = ac_field_next(r);
        const char *value = ac_field_next(r);

        /* a missing field makes every later one missing */
        if (value == NULL) {
            return 0;
        }
        if (name[0] != '\0') {
            x[c->nexports].name = name;
            x[c->nexports].value = value;
            c->nexports++;
        }
    }
    c->exports = x;
    c->meta = r->pos;
    return 1;
}

/* Into *c, which the caller zeroed; *c is incomplete on an error. */
static ac_error *decode_section(apr_pool_t *p, char *buf, apr_size_t len,
                                ac_claim_section *c)
{
    ac_field_reader r;

    ac_field_reader_init(&r, buf, len);
    /* bounded by the bytes after the count, which a count written
     * without its leading zeros leaves as they are */
    if (!ac_field_next_count(&r, len / CLAIM_MIN_BYTES, &c->nclaims)
        || c->nclaims > (apr_size_t)(r.end - r.pos) / CLAIM_MIN_BYTES) {
        return record_error(p, "bad claim count");
    }
    c->stored = r.pos;
    c->stored_len = (apr_size_t)(r.end - r.pos);
    if (!read_exports(p, &r, c)) {
        return record_error(p, "bad claim list");
    }
    return NULL;
}

ac_error *ac_session_record_open_claims(apr_pool_t *p, const char *digest,
                                        char *buf, apr_size_t len,
                                        ac_claim_section *out)
{
    /* the sealed record names the digest: bytes with another one are not
     * this session's claims, whatever key they were found under */
    if (digest == NULL || strcmp(section_digest(p, buf, len), digest) != 0) {
        return record_error(p, "the claims kept apart are not the ones the "
                            "record names (digest differs)");
    }
    memset(out, 0, sizeof(*out));
    return decode_section(p, buf, len, out);
}

void ac_session_record_use_claims(ac_session_record *s, const ac_claim_section *c)
{
    s->stored = c->stored;
    s->stored_len = c->stored_len;
    s->nclaims = c->nclaims;
    s->exports = c->exports;
    s->nexports = c->nexports;
    s->meta = c->meta;
}

/* "" or 64 lower-case hex digits (what section_digest writes) */
static int digest_shape_ok(const char *d)
{
    apr_size_t i;

    for (i = 0; d[i]; i++) {
        if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f'))) {
            return 0;
        }
    }
    return i == 0 || i == AC_CLAIMS_DIGEST_HEX_LEN;
}

/* Into *s, which is incomplete on an error. */
ac_error *ac_session_record_decode(apr_pool_t *p, char *buf, apr_size_t len,
                                   ac_session_record *s)
{
    ac_claim_section c;
    ac_field_reader r;
    const unsigned char *at = (const unsigned char *)buf;
    const char *digest;
    ac_error *e;

    if (buf == NULL || len < HEADER_BYTES) {
        return record_error(p, "empty or truncated");
    }
    if (memcmp(buf, RECORD_TAG, TIMES_AT) != 0) {
        return record_error(p, "unknown format");
    }
    memset(s, 0, sizeof(*s));
    if (!get_time(at + TIMES_AT, &s->created)
        || !get_time(at + TIMES_AT + 8, &s->expires)
        || !get_time(at + TIMES_AT + 16, &s->last_seen)
        || !get_time(at + TIMES_AT + 24, &s->access_expires)) {
        return record_error(p, "a negative time");
    }
    ac_field_reader_init(&r, buf + HEADER_BYTES, len - HEADER_BYTES);
    s->scope = ac_field_next(&r);
    s->provider = ac_field_next(&r);
    s->fingerprint = ac_field_next(&r);
    s->remote_user = ac_field_next(&r);
    s->export_prefix = ac_field_next(&r);
    /* an empty user must never authenticate, whatever wrote the record */
    if ((digest = ac_field_next(&r)) == NULL || *s->remote_user == '\0') {
        return record_error(p, "truncated header or no user");
    }
    if (!digest_shape_ok(digest)) {
        return record_error(p, "bad claims digest");
    }
    if (*digest != '\0') {
        /* the claims are apart: nothing may follow */
        if (!ac_field_reader_done(&r)) {
            return record_error(p, "trailing bytes");
        }
        s->claims_digest = digest;
        return NULL;
    }
    memset(&c, 0, sizeof(c));
    if ((e = decode_section(p, r.pos, (apr_size_t)(r.end - r.pos), &c)) != NULL) {
        return e;
    }
    ac_session_record_use_claims(s, &c);
    return NULL;
}

const ac_export_item *ac_session_record_exports(apr_pool_t *p,
                                                   ac_session_record *s,
                                                   int *n)
{
    const char *prefix = or_empty(s->export_prefix);
    ac_export_item *x;
    int i;

    if (s->exports == NULL && s->claims != NULL) {
        x = apr_palloc(p, (s->claims->nelts ? s->claims->nelts : 1) * sizeof(*x));
        s->nexports = 0;
        for (i = 0; i < s->claims->nelts; i++) {
            const ac_claim *c = &APR_ARRAY_IDX(s->claims, i, ac_claim);

            if (c->env_name[0] != '\0') {
                x[s->nexports].name = apr_pstrcat(p, prefix, c->env_name, NULL);
                x[s->nexports].value = c->env_value;
                s->nexports++;
            }
        }
        s->exports = x;
    }
    *n = s->exports ? s->nexports : 0;
    return s->exports;
}

/* ---- the claims, on demand ------------------------------------------------ */

static void split_at_commas(apr_pool_t *p, ac_claim *c)
{
    const char *v = c->env_value, *comma;
    int n = 1, i = 0;

    if (*v == '\0') {
        c->nvalues = 0;
        c->values = apr_palloc(p, sizeof(*c->values));
        return;
    }
    for (comma = v; (comma = strchr(comma, ',')) != NULL; comma++) {
        n++;
    }
    c->nvalues = n;
    c->values = apr_palloc(p, n * sizeof(*c->values));
    while ((comma = strchr(v, ',')) != NULL) {
        c->values[i++] = apr_pstrmemdup(p, v, (apr_size_t)(comma - v));
        v = comma + 1;
    }
    c->values[i] = v;
}

/* walk_stored checked that the lengths fit the value. */
static void split_by_lengths(apr_pool_t *p, ac_claim *c, const char *shape)
{
    const char *v = c->env_value, *s = shape + 1;
    int n = *s ? 1 : 0, i;

    for (i = 0; s[i]; i++) {
        n += s[i] == ',';
    }
    c->nvalues = n;
    c->values = apr_palloc(p, (n ? n : 1) * sizeof(*c->values));
    for (i = 0; i < n; i++) {
        apr_size_t len = (apr_size_t)apr_atoi64(s);

        c->values[i] = apr_pstrmemdup(p, v, len);
        v += len + 1;
        s = strchr(s, ',');
        s = s ? s + 1 : "";
    }
}

static void claim_from_fields(apr_pool_t *p, const ac_session_record *s,
                              const char *name, const char *value,
                              const char *path, const char *shape, ac_claim *c)
{
    const char *prefix = or_empty(s->export_prefix);
    apr_size_t plen = strlen(prefix);

    c->path = path;
    /* the encoder put the prefix before every name it exports; "" is a
     * name it does not export */
    c->env_name = strncmp(name, prefix, plen) == 0 && name[plen] != '\0'
                ? name + plen : name;
    c->env_value = value;
    if (strcmp(shape, SHAPE_SCALAR) == 0) {
        c->nvalues = 1;
        c->values = apr_palloc(p, sizeof(*c->values));
        c->values[0] = value;
    }
    else if (strcmp(shape, SHAPE_COMMAS) == 0) {
        split_at_commas(p, c);
    }
    else {
        split_by_lengths(p, c, shape);
    }
}

/* The path of a claim stored as its exported name: the name after the
 * record's prefix; NULL when the name is not so (not from the encoder). */
static const char *name_without_prefix(const ac_session_record *s, const char *name)
{
    const char *prefix = or_empty(s->export_prefix);
    apr_size_t plen = strlen(prefix);

    return name[0] != '\0' && strncmp(name, prefix, plen) == 0 && name[plen] != '\0'
         ? name + plen : NULL;
}

/* Walk the stored claim section: the names and values with the paths and
 * shapes beside them, each shape checked against its value before it is
 * used.  `want` NULL collects all of them into `all`, else *found is the
 * first claim of that path (NULL: none).  0 (false) when any of the
 * section is malformed: then nothing of it may be trusted. */
static int walk_stored(apr_pool_t *p, const ac_session_record *s,
                       const char *want, const ac_claim **found,
                       apr_array_header_t *all)
{
    const char *end = s->stored + s->stored_len;
    ac_field_reader values, meta;
    apr_size_t i;

    if (s->meta == NULL || s->meta < s->stored || s->meta > end) {
        return 0;
    }
    ac_field_reader_init(&values, (char *)s->stored, (apr_size_t)(s->meta - s->stored));
    ac_field_reader_init(&meta, (char *)s->meta, (apr_size_t)(end - s->meta));
    for (i = 0; i < s->nclaims; i++) {
        const char *name = ac_field_next(&values);
        const char *value = ac_field_next(&values);
        const char *shape = ac_field_next(&meta);
        const char *path;
        ac_claim *c;

        if (value == NULL || shape == NULL) {
            return 0;
        }
        if (*shape == SHAPE_PATH_IS_NAME) {
            shape++;
            path = name_without_prefix(s, name);
        }
        else {
            path = ac_field_next(&meta);
        }
        if (path == NULL || !shape_ok(shape, value)) {
            return 0;
        }
        if (want == NULL) {
            claim_from_fields(p, s, name, value, path, shape, apr_array_push(all));
        }
        else if (*found == NULL && strcmp(path, want) == 0) {
            c = apr_palloc(p, sizeof(*c));
            claim_from_fields(p, s, name, value, path, shape, c);
            *found = c;
        }
    }
    return ac_field_reader_done(&meta);
}

const ac_claim *ac_session_record_claim(apr_pool_t *p,
                                        const ac_session_record *s,
                                        const char *path)
{
    const ac_claim *found = NULL;

    if (s->claims != NULL || s->stored == NULL) {
        return ac_claims_find(s->claims, path);
    }
    /* a malformed section has no claims to grant with */
    return walk_stored(p, s, path, &found, NULL) ? found : NULL;
}

apr_array_header_t *ac_session_record_claims(apr_pool_t *p,
                                             const ac_session_record *s)
{
    apr_array_header_t *all;

    if (s->claims != NULL || s->stored == NULL) {
        return s->claims ? s->claims : apr_array_make(p, 1, sizeof(ac_claim));
    }
    all = apr_array_make(p, s->nclaims ? (int)s->nclaims : 1, sizeof(ac_claim));
    return walk_stored(p, s, NULL, NULL, all) ? all : NULL;
}
