/* test_secret.c - secrets in configuration: literal, file: and exec:. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "secret.h"

START_TEST(secret_literal)
{
    const char *err = "unset";

    ck_assert_str_eq(ac_secret_resolve(unit_pool, "s3cret", &err), "s3cret");
    ck_assert_ptr_null(err);
    ck_assert_ptr_null(ac_secret_resolve(unit_pool, "", &err));
    ck_assert_ptr_nonnull(err);
}
END_TEST

static const char *temp_file(const char *content, apr_size_t len)
{
    char *path = apr_pstrdup(unit_pool, "/tmp/ac_secret_XXXXXX");
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, content, len), (ssize_t)len);
    close(fd);
    return path;
}

START_TEST(secret_file)
{
    const char *path = temp_file("line one\r\nline two\n", 19);
    const char *err = NULL, *s;

    s = ac_secret_resolve(unit_pool, apr_pstrcat(unit_pool, "file:", path, NULL),
                          &err);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(s, "line one");
    unlink(path);

    /* no trailing newline at all */
    path = temp_file("only", 4);
    s = ac_secret_resolve(unit_pool, apr_pstrcat(unit_pool, "file:", path, NULL),
                          &err);
    ck_assert_str_eq(s, "only");
    unlink(path);
}
END_TEST

START_TEST(secret_file_errors)
{
    const char *path = temp_file("\nsecond-line-secret\n", 20);
    const char *err = NULL;

    /* an empty first line is refused, and the message does not leak what
     * follows it */
    ck_assert_ptr_null(ac_secret_resolve(unit_pool,
                                         apr_pstrcat(unit_pool, "file:", path,
                                                     NULL), &err));
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_null(strstr(err, "second-line-secret"));
    unlink(path);
    err = NULL;
    ck_assert_ptr_null(ac_secret_resolve(unit_pool,
                                         "file:/nonexistent/ac-secret", &err));
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/ac-secret"));
}
END_TEST

START_TEST(secret_exec)
{
    const char *err = "unset", *s;

    s = ac_secret_resolve(unit_pool, "exec:/bin/echo from-helper extra", &err);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(s, "from-helper extra");
    /* quoted arguments stay one argument */
    s = ac_secret_resolve(unit_pool, "exec:/bin/echo \"a  b\"", &err);
    ck_assert_str_eq(s, "a  b");
    /* only the first line counts, the rest is read so the helper can exit */
    s = ac_secret_resolve(unit_pool, "exec:/usr/bin/seq 100000", &err);
    ck_assert_ptr_null(err);
    ck_assert_str_eq(s, "1");
}
END_TEST

START_TEST(secret_exec_errors)
{
    const char *err = NULL;

    /* a helper printing a secret and then failing: the secret is not used
     * and is not in the message */
    ck_assert_ptr_null(ac_secret_resolve(unit_pool,
                                         "exec:/bin/sh -c \"echo leaked; exit 3\"",
                                         &err));
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_null(strstr(err, "leaked"));
    ck_assert_ptr_nonnull(strstr(err, "exit status 3"));

    err = NULL;
    ck_assert_ptr_null(ac_secret_resolve(unit_pool, "exec:/bin/false", &err));
    ck_assert_ptr_nonnull(err);

    err = NULL;
    ck_assert_ptr_null(ac_secret_resolve(unit_pool, "exec:/bin/true", &err));
    ck_assert_ptr_nonnull(err);            /* no output */

    err = NULL;
    ck_assert_ptr_null(ac_secret_resolve(unit_pool,
                                         "exec:/nonexistent/helper", &err));
    ck_assert_ptr_nonnull(err);

    err = NULL;
    ck_assert_ptr_null(ac_secret_resolve(unit_pool, "exec:echo relative", &err));
    ck_assert_ptr_nonnull(err);

    err = NULL;
    ck_assert_ptr_null(ac_secret_resolve(unit_pool, "exec:", &err));
    ck_assert_ptr_nonnull(err);
}
END_TEST

Suite *secret_suite(void)
{
    Suite *s = suite_create("secret");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, unit_setup, unit_teardown);
    tcase_add_test(tc, secret_literal);
    tcase_add_test(tc, secret_file);
    tcase_add_test(tc, secret_file_errors);
    tcase_add_test(tc, secret_exec);
    tcase_add_test(tc, secret_exec_errors);
    suite_add_tcase(s, tc);
    return s;
}
