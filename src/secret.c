/*
 * secret.c - configuration secrets given as a literal, `file:/path` or
 * `exec:/program args`.
 *
 * Only the first line counts, so a key file may end with a newline and a
 * helper may print a comment after the secret.  Error messages name the file
 * or program, never what was read from it.
 */
#include <signal.h>
#include <string.h>

#include <apr_file_io.h>
#include <apr_thread_proc.h>

#include "secret.h"

/* A secret is a passphrase or a client secret, not a document. */
#define SECRET_MAX_LINE 8192
/* What a helper may print after its first line before it is cut off. */
#define SECRET_MAX_DRAIN (1024 * 1024)
/* httpd waits for the helper at startup; a hung helper must not hang it. */
#define SECRET_EXEC_TIMEOUT apr_time_from_sec(30)

/*
 * Reads from `f` until a newline, end of file or SECRET_MAX_LINE bytes; the
 * line is returned without its line ending.  `*done` tells whether end of
 * file was seen.
 */
static const char *read_first_line(apr_pool_t *p, apr_file_t *f, int *done,
                                   const char **why)
{
    char *buf = apr_palloc(p, SECRET_MAX_LINE + 1);
    apr_size_t have = 0;
    char *nl = NULL;

    *done = 0;
    while (have < SECRET_MAX_LINE && nl == NULL) {
        apr_size_t n = SECRET_MAX_LINE - have;
        apr_status_t rv = apr_file_read(f, buf + have, &n);

        if (APR_STATUS_IS_EOF(rv)) {
            *done = 1;
            break;
        }
        if (rv != APR_SUCCESS) {
            *why = APR_STATUS_IS_TIMEUP(rv) ? "timed out" : "could not be read";
            return NULL;
        }
        nl = memchr(buf + have, '\n', n);
        have += n;
    }
    if (nl == NULL && !*done) {
        *why = "has a first line longer than 8192 bytes";
        return NULL;
    }
    if (nl == NULL) {
        nl = buf + have;
    }
    if (nl > buf && nl[-1] == '\r') {
        nl--;
    }
    *nl = '\0';
    if (strlen(buf) != (apr_size_t)(nl - buf)) {
        *why = "contains a NUL byte in its first line";
        return NULL;
    }
    if (*buf == '\0') {
        *why = "gives an empty first line";
        return NULL;
    }
    return buf;
}

static const char *secret_from_file(apr_pool_t *p, const char *path,
                                    const char **err)
{
    apr_file_t *f;
    const char *line, *why = NULL;
    int done;
    apr_status_t rv;

    rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_OS_DEFAULT, p);
    if (rv != APR_SUCCESS) {
        char ebuf[128];

        *err = apr_psprintf(p, "secret file %s cannot be opened: %s", path,
                            apr_strerror(rv, ebuf, sizeof(ebuf)));
        return NULL;
    }
    line = read_first_line(p, f, &done, &why);
    apr_file_close(f);
    if (line == NULL) {
        *err = apr_psprintf(p, "secret file %s %s", path, why);
    }
    return line;
}

/* Reads and discards what the helper still prints, so it can exit. */
static int drain(apr_file_t *f)
{
    char scratch[4096];
    apr_size_t total = 0;

    while (total < SECRET_MAX_DRAIN) {
        apr_size_t n = sizeof(scratch);
        apr_status_t rv = apr_file_read(f, scratch, &n);

        if (APR_STATUS_IS_EOF(rv)) {
            return 1;
        }
        if (rv != APR_SUCCESS) {
            return 0;
        }
        total += n;
    }
    return 0;
}

/*
 * Waits for the helper until `deadline`, then kills it.  Returns NULL for a
 * clean exit with status 0, else what went wrong.
 */
static const char *reap(apr_pool_t *p, apr_proc_t *proc, apr_time_t deadline)
{
    apr_exit_why_e why;
    apr_status_t rv;
    int status;

    for (;;) {
        rv = apr_proc_wait(proc, &status, &why, APR_NOWAIT);
        if (APR_STATUS_IS_CHILD_DONE(rv)) {
            if (APR_PROC_CHECK_SIGNALED(why)) {
                return apr_psprintf(p, "was killed by signal %d", status);
            }
            return status == 0
                ? NULL : apr_psprintf(p, "failed with exit status %d", status);
        }
        if (!APR_STATUS_IS_CHILD_NOTDONE(rv) || apr_time_now() > deadline) {
            break;
        }
        apr_sleep(apr_time_from_msec(10));
    }
    apr_proc_kill(proc, SIGKILL);
    apr_proc_wait(proc, &status, &why, APR_WAIT);
    return "did not finish in time and was killed";
}

static apr_status_t spawn(apr_pool_t *p, const char *const *argv,
                          apr_proc_t *proc)
{
    apr_procattr_t *attr;
    apr_status_t rv;

    /* No stdin: at startup it may be the sysadmin's terminal.  stderr is
     * inherited so the helper's complaints reach the error log. */
    if ((rv = apr_procattr_create(&attr, p)) != APR_SUCCESS
        || (rv = apr_procattr_io_set(attr, APR_NO_FILE, APR_CHILD_BLOCK,
                                     APR_NO_PIPE)) != APR_SUCCESS
        || (rv = apr_procattr_cmdtype_set(attr, APR_PROGRAM_ENV)) != APR_SUCCESS
        || (rv = apr_procattr_error_check_set(attr, 1)) != APR_SUCCESS) {
        return rv;
    }
    rv = apr_proc_create(proc, argv[0], argv, NULL, attr, p);
    if (rv == APR_SUCCESS) {
        apr_file_pipe_timeout_set(proc->out, SECRET_EXEC_TIMEOUT);
    }
    return rv;
}

static const char *secret_from_exec(apr_pool_t *p, const char *cmdline,
                                    const char **err)
{
    apr_time_t deadline = apr_time_now() + SECRET_EXEC_TIMEOUT;
    const char *line, *why = NULL, *exit_why;
    char **argv;
    apr_proc_t proc;
    apr_status_t rv;
    int done;

    if (apr_tokenize_to_argv(cmdline, &argv, p) != APR_SUCCESS
        || argv[0] == NULL || argv[0][0] != '/') {
        *err = "exec: needs an absolute program path, e.g. "
               "exec:/usr/local/bin/get-secret";
        return NULL;
    }
    rv = spawn(p, (const char *const *)argv, &proc);
    if (rv != APR_SUCCESS) {
        char ebuf[128];

        *err = apr_psprintf(p, "secret program %s cannot be started: %s",
                            argv[0], apr_strerror(rv, ebuf, sizeof(ebuf)));
        return NULL;
    }
    line = read_first_line(p, proc.out, &done, &why);
    if (line != NULL && !done) {
        done = drain(proc.out);
    }
    apr_file_close(proc.out);
    /* a helper that is stuck or will not stop talking is killed at once */
    exit_why = reap(p, &proc, done ? deadline : 0);
    if (line == NULL && !done) {
        *err = apr_psprintf(p, "secret program %s: its output %s; it was "
                            "stopped", argv[0], why);
        return NULL;
    }
    if (exit_why != NULL) {
        *err = apr_psprintf(p, "secret program %s %s", argv[0], exit_why);
        return NULL;
    }
    if (line == NULL) {
        *err = apr_psprintf(p, "secret program %s: its output %s", argv[0],
                            why);
    }
    return line;
}

const char *ac_secret_resolve(apr_pool_t *p, const char *spec, const char **err)
{
    *err = NULL;
    if (spec == NULL || *spec == '\0') {
        *err = "the secret is empty";
        return NULL;
    }
    if (strncmp(spec, "file:", 5) == 0) {
        return secret_from_file(p, spec + 5, err);
    }
    if (strncmp(spec, "exec:", 5) == 0) {
        return secret_from_exec(p, spec + 5, err);
    }
    return apr_pstrdup(p, spec);
}
