/*
 * fuzz_secret.c - ac_secret_resolve for literal and file: secrets.
 *
 * exec: secrets run a program, which a fuzzer must never do: an input
 * whose spec would start with "exec:" is dropped before the call, and the
 * file: form never reaches a path from the input.  Instead:
 *
 * Input: one byte, then the rest.
 *   bit 0 clear: the rest is the spec (literal).
 *   bit 0 set:   the rest is the content of a secret file in a private
 *                temporary directory, read back through "file:<that path>"
 *                (bit 1: through a path that does not exist).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <apr_strings.h>

#include "secret.h"
#include "support.h"

static char dir[64];
static char file_path[96];

static void remove_dir(void)
{
    unlink(file_path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *tmp = getenv("TMPDIR");

    (void)argc;
    (void)argv;
    fz_init();
    snprintf(dir, sizeof(dir), "%s/ac-fuzz-secret.XXXXXX",
             tmp && strlen(tmp) < 32 ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("fuzz_secret: mkdtemp");
        abort();
    }
    snprintf(file_path, sizeof(file_path), "%s/secret", dir);
    atexit(remove_dir);
    return 0;
}

static int write_secret(const uint8_t *data, size_t size)
{
    FILE *f = fopen(file_path, "wb");
    int ok;

    if (f == NULL) {
        return 0;
    }
    ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *spec, *value, *err = NULL;
    apr_pool_t *p;

    if (size < 1) {
        return 0;
    }
    p = fz_pool_begin();
    if (data[0] & 1) {
        if (!write_secret(data + 1, size - 1)) {
            abort();
        }
        spec = apr_pstrcat(p, "file:", file_path, (data[0] & 2) ? ".missing" : "",
                           NULL);
    }
    else {
        spec = fz_cstr(p, data + 1, size - 1);
        /* never exec (case folded, in case the parser ever is), and no
         * file: path out of the input */
        if (strncasecmp(spec, "exec:", 5) == 0
            || strncasecmp(spec, "file:", 5) == 0) {
            fz_pool_end(p);
            return 0;
        }
    }
    value = ac_secret_resolve(p, spec, &err);
    if (value != NULL) {
        FZ_ASSERT(err == NULL && *value != '\0');
        FZ_ASSERT(strchr(value, '\n') == NULL || !(data[0] & 1));
        if (!(data[0] & 1)) {
            FZ_ASSERT(strcmp(value, spec) == 0);
        }
    }
    else {
        FZ_ASSERT(err != NULL);
    }
    fz_pool_end(p);
    return 0;
}
