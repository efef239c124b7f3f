/*
 * test_claims_memo.c - the per-process memo of large claim sections: a
 * section is kept only under its own digest, comes back decoded, stays
 * alive while a request holds it even when pushed out, and the memo keeps
 * within its entries and bytes.
 */
#include <string.h>

#include "claims_memo.h"
#include "unit.h"

/* A record's claim section apart (limit 0: always), and its digest. */
static char *section_of(const char *sub, const char **digest, apr_size_t *len)
{
    ac_session_record s, d;
    json_error_t jerr;
    json_t *j = json_loads("{\"groups\":[\"a\",\"b\"]}", 0, &jerr);
    char *buf, *apart;
    apr_size_t blen;

    memset(&s, 0, sizeof(s));
    s.scope = "sc";
    s.provider = "p";
    s.fingerprint = "fp";
    s.remote_user = sub;
    s.export_prefix = "P_";
    json_object_set_new(j, "sub", json_string(sub));
    s.claims = ac_claims_flatten(unit_pool, j);
    json_decref(j);
    ck_assert_ptr_null(ac_session_record_encode_split(unit_pool, &s, 0, &buf, &blen,
                                                      &apart, len));
    ck_assert_ptr_null(ac_session_record_decode(unit_pool, buf, blen, &d));
    *digest = d.claims_digest;
    return apart;
}

static const char *export_value(const ac_claim_section *c, const char *name)
{
    int i;

    for (i = 0; i < c->nexports; i++) {
        if (strcmp(c->exports[i].name, name) == 0) {
            return c->exports[i].value;
        }
    }
    return NULL;
}

START_TEST(kept_under_its_digest)
{
    ac_claims_memo *m;
    const ac_claim_section *c;
    const char *da, *db, *dc;
    apr_size_t la, lb, lc, bytes;
    char *a = section_of("alice", &da, &la), *b = section_of("bob", &db, &lb);
    char *carol = section_of("carol", &dc, &lc);

    ck_assert_ptr_null(ac_claims_memo_create(unit_pool, 4, 1 << 20, &m));
    ck_assert_ptr_null(ac_claims_memo_get(m, da, unit_pool));
    c = ac_claims_memo_put(m, da, a, la, unit_pool);
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(export_value(c, "P_sub"), "alice");
    ck_assert_str_eq(export_value(c, "P_groups"), "a,b");
    /* the memo has its own copy */
    memset(a, 'x', la);
    c = ac_claims_memo_get(m, da, unit_pool);
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(export_value(c, "P_sub"), "alice");
    /* carol's bytes under bob's digest are not kept, nor found after */
    ck_assert_ptr_null(ac_claims_memo_put(m, db, carol, lc, unit_pool));
    ck_assert_ptr_null(ac_claims_memo_get(m, db, unit_pool));
    ck_assert_ptr_nonnull(ac_claims_memo_put(m, db, b, lb, unit_pool));
    ck_assert_int_eq(ac_claims_memo_count(m, &bytes), 2);
    ck_assert_uint_gt(bytes, la);
}
END_TEST

/* An entry pushed out while a request holds it stays readable until that
 * request's pool is cleared (valgrind and ASan see a use after free). */
START_TEST(held_entry_outlives_eviction)
{
    ac_claims_memo *m;
    apr_pool_t *req;
    const ac_claim_section *held;
    const char *d[4];
    apr_size_t len[4];
    char *sec[4];
    int i;

    for (i = 0; i < 4; i++) {
        char name[8];

        name[0] = 'u';
        name[1] = (char)('0' + i);
        name[2] = '\0';
        sec[i] = section_of(apr_pstrdup(unit_pool, name), &d[i], &len[i]);
    }
    ck_assert_ptr_null(ac_claims_memo_create(unit_pool, 2, 1 << 20, &m));
    apr_pool_create(&req, unit_pool);
    held = ac_claims_memo_put(m, d[0], sec[0], len[0], req);
    ck_assert_ptr_nonnull(held);
    /* three more through two slots: u0 goes first (least recently used) */
    for (i = 1; i < 4; i++) {
        ck_assert_ptr_nonnull(ac_claims_memo_put(m, d[i], sec[i], len[i], unit_pool));
    }
    ck_assert_int_eq(ac_claims_memo_count(m, NULL), 2);
    ck_assert_ptr_null(ac_claims_memo_get(m, d[0], unit_pool));
    ck_assert_str_eq(export_value(held, "P_sub"), "u0");
    apr_pool_destroy(req);
    ck_assert_ptr_nonnull(ac_claims_memo_get(m, d[3], unit_pool));
}
END_TEST

/* A use makes an entry the most recent; the bytes bound pushes out too. */
START_TEST(bounded_by_bytes_and_use)
{
    ac_claims_memo *m;
    const char *d1, *d2, *d3;
    apr_size_t l1, l2, l3, bytes;
    char *s1 = section_of("one", &d1, &l1), *s2 = section_of("two", &d2, &l2);
    char *s3 = section_of("three", &d3, &l3);

    /* room for two entries (a section and its two exports), not three */
    apr_size_t room = 2 * (l3 + 2 * sizeof(ac_export_item));

    ck_assert_ptr_null(ac_claims_memo_create(unit_pool, 8, room, &m));
    ck_assert_ptr_nonnull(ac_claims_memo_put(m, d1, s1, l1, unit_pool));
    ck_assert_ptr_nonnull(ac_claims_memo_put(m, d2, s2, l2, unit_pool));
    ck_assert_ptr_nonnull(ac_claims_memo_get(m, d1, unit_pool));
    /* room for two: "two", the least recently used, goes */
    ck_assert_ptr_nonnull(ac_claims_memo_put(m, d3, s3, l3, unit_pool));
    ck_assert_int_eq(ac_claims_memo_count(m, &bytes), 2);
    ck_assert_uint_le(bytes, room);
    ck_assert_ptr_nonnull(ac_claims_memo_get(m, d1, unit_pool));
    ck_assert_ptr_null(ac_claims_memo_get(m, d2, unit_pool));
    /* a section larger than all the room is not kept */
    ck_assert_ptr_null(ac_claims_memo_create(unit_pool, 8, l1 / 2, &m));
    ck_assert_ptr_null(ac_claims_memo_put(m, d1, s1, l1, unit_pool));
    ck_assert_int_eq(ac_claims_memo_count(m, NULL), 0);
}
END_TEST

Suite *claims_memo_suite(void)
{
    Suite *s = suite_create("claims_memo");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, kept_under_its_digest);
    tcase_add_test(tc, held_entry_outlives_eviction);
    tcase_add_test(tc, bounded_by_bytes_and_use);
    suite_add_tcase(s, tc);
    return s;
}
