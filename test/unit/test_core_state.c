/* test_core_state.c - the core's per-process record: made once per process,
 * forgotten with its pool, never taken over by a forked child. */
#include <sys/wait.h>
#include <unistd.h>

#include "core_state.h"
#include "unit.h"

START_TEST(core_state_made_once_per_process)
{
    ac_http_share *http;
    ac_doc_cache *docs;

    ck_assert_ptr_null(ac_core_state_create(unit_pool));
    ck_assert_ptr_nonnull(ac_core.http);
    ck_assert_ptr_nonnull(ac_core.docs);
    ck_assert_int_eq(ac_core.pid, getpid());
    http = ac_core.http;
    docs = ac_core.docs;
    /* post_config and child_init both ask; the second keeps the first's
     * connections and documents */
    ck_assert_ptr_null(ac_core_state_create(unit_pool));
    ck_assert_ptr_eq(ac_core.http, http);
    ck_assert_ptr_eq(ac_core.docs, docs);
}
END_TEST

START_TEST(core_state_ends_with_its_pool)
{
    apr_pool_t *p;

    apr_pool_create(&p, unit_pool);
    ck_assert_ptr_null(ac_core_state_create(p));
    ck_assert_ptr_nonnull(ac_core.http);
    apr_pool_destroy(p);
    ck_assert_ptr_null(ac_core.http);
    ck_assert_ptr_null(ac_core.docs);
    /* a restart's next cycle makes them again */
    ck_assert_ptr_null(ac_core_state_create(unit_pool));
    ck_assert_ptr_nonnull(ac_core.http);
    ck_assert_ptr_nonnull(ac_core.docs);
}
END_TEST

/* What a child of the parent's post_config sees: the parent's parts, which
 * hold the parent's sockets.  It must make its own. */
static int child_makes_its_own(const ac_http_share *parent_http,
                               const ac_doc_cache *parent_docs)
{
    apr_pool_t *pchild;

    apr_pool_create(&pchild, NULL);
    if (ac_core_state_create(pchild) != NULL) {
        return 1;
    }
    if (ac_core.http == parent_http || ac_core.docs == parent_docs) {
        return 2;
    }
    if (ac_core.pid != getpid()) {
        return 3;
    }
    apr_pool_destroy(pchild);
    return ac_core.http == NULL ? 0 : 4;
}

START_TEST(core_state_forked_child_makes_its_own)
{
    pid_t pid;
    int status;

    ck_assert_ptr_null(ac_core_state_create(unit_pool));
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        _exit(child_makes_its_own(ac_core.http, ac_core.docs));
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    /* the parent's record is untouched by the child */
    ck_assert_int_eq(ac_core.pid, getpid());
}
END_TEST

Suite *core_state_suite(void)
{
    Suite *s = suite_create("core_state");
    TCase *tc = tcase_create("lifetime");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, core_state_made_once_per_process);
    tcase_add_test(tc, core_state_ends_with_its_pool);
    tcase_add_test(tc, core_state_forked_child_makes_its_own);
    suite_add_tcase(s, tc);
    return s;
}
