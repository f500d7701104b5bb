/*
 * harness.c - the test runner: main() for build/<variant>/jahs-test.
 *
 * usage: jahs-test [-t SUBSTR]... [-l]
 *   -t SUBSTR  run only tests whose name contains SUBSTR (repeatable)
 *   -l         list the tests
 */

#include "harness.h"
#include "nn/gemm.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_TESTS 4096

typedef struct {
    const char *name, *file;
    jahs_test_fn fn;
} test_entry;

static test_entry tests[MAX_TESTS];
static int n_tests;
static int cur_failed, cur_skipped;
static char cur_tmp[4096];
static const char *cur_name;

void jahs_test_register(const char *name, const char *file, jahs_test_fn fn)
{
    if (n_tests < MAX_TESTS) {
        tests[n_tests].name = name;
        tests[n_tests].file = file;
        tests[n_tests].fn = fn;
        n_tests++;
    }
}

void jahs_test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "  FAIL %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    cur_failed++;
}

void jahs_test_skip(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "  SKIP %s: ", cur_name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    cur_skipped = 1;
}

const char *jahs_test_tmpdir(void)
{
    if (!cur_tmp[0]) {
        const char *base = getenv("JAHS_TEST_TMP");
        snprintf(cur_tmp, sizeof cur_tmp, "%s/jahs-%s-XXXXXX",
                 base ? base : "/tmp", cur_name);
        if (!mkdtemp(cur_tmp)) {
            fprintf(stderr, "cannot create a temporary directory: %s\n",
                    strerror(errno));
            exit(3);
        }
    }
    return cur_tmp;
}

const char *jahs_test_path(const char *name)
{
    static char bufs[8][4096];
    static int k;
    char *b = bufs[k++ % 8];
    snprintf(b, 4096, "%s/%s", jahs_test_tmpdir(), name);
    return b;
}

const char *jahs_test_write(const char *name, const char *text)
{
    const char *p = jahs_test_path(name);
    FILE *f = fopen(p, "wb");
    if (!f) {
        jahs_test_fail(__FILE__, __LINE__, "cannot write %s", p);
        return p;
    }
    fputs(text, f);
    fclose(f);
    return p;
}

const char *jahs_test_gp_block(const char *script, const char *name)
{
    static char buf[8192];
    char open[64];
    const char *a, *b;
    snprintf(open, sizeof open, "%s << EOD\n", name);
    buf[0] = '\0';
    if (!script || !(a = strstr(script, open)))
        return buf;
    a += strlen(open);
    if (!(b = strstr(a, "EOD\n")) || (size_t)(b - a) >= sizeof buf)
        return buf;
    memcpy(buf, a, (size_t)(b - a));
    buf[b - a] = '\0';
    return buf;
}

int jahs_test_have_gnuplot(void)
{
    if (jahs_test_sh(NULL, "command -v gnuplot >/dev/null") != 0) {
        jahs_test_skip("gnuplot not installed ('make deps')");
        return 0;
    }
    return 1;
}

const char *jahs_test_bin(void)
{
    const char *b = getenv("JAHS_BIN");
    return b ? b : "build/release/jahs";
}

const char *jahs_test_shared(void)
{
    const char *s = getenv("JAHS_SHARED");
    return s ? s : "../shared";
}

int jahs_test_sh(char **output, const char *fmt, ...)
{
    char *cmd = NULL, *full = NULL;
    va_list ap;
    FILE *p;
    size_t cap = 0, len = 0;
    char *buf = NULL, chunk[4096];
    size_t n;
    int st;
    va_start(ap, fmt);
    if (vasprintf(&cmd, fmt, ap) < 0)
        cmd = NULL;
    va_end(ap);
    if (!cmd || asprintf(&full, "(%s) 2>&1", cmd) < 0) {
        free(cmd);
        return -1;
    }
    free(cmd);
    p = popen(full, "r");
    free(full);
    if (!p)
        return -1;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            buf = realloc(buf, cap);
            if (!buf) {
                pclose(p);
                return -1;
            }
        }
        memcpy(buf + len, chunk, n);
        len += n;
        buf[len] = '\0';
    }
    st = pclose(p);
    if (!buf)
        buf = calloc(1, 1);
    if (output)
        *output = buf;
    else
        free(buf);
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const test_entry *)a)->name, ((const test_entry *)b)->name);
}

static void remove_tree(const char *dir)
{
    char *cmd = NULL;
    if (asprintf(&cmd, "rm -rf '%s'", dir) >= 0) {
        if (system(cmd) != 0)
            fprintf(stderr, "warning: could not remove %s\n", dir);
    }
    free(cmd);
}

int main(int argc, char **argv)
{
    const char *filters[64];
    int n_filters = 0, list = 0, i, passed = 0, failed = 0, skipped = 0;
    jahs_blas_tune_process(argv); /* OpenBLAS's kernels for this CPU */
    /* a known start whoever runs us: a shell's background job ('make check
     * &') starts with SIGINT ignored, which jahs keeps ignored by design
     * (core/afile.c), and the tests of its signal handling would test the
     * shell instead */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-t") == 0 && i + 1 < argc && n_filters < 64)
            filters[n_filters++] = argv[++i];
        else if (strcmp(argv[i], "-l") == 0)
            list = 1;
        else {
            fprintf(stderr, "usage: %s [-t SUBSTR]... [-l]\n", argv[0]);
            return 2;
        }
    }
    qsort(tests, (size_t)n_tests, sizeof tests[0], by_name);
    for (i = 0; i < n_tests; i++) {
        int k, match = n_filters == 0;
        double t0;
        for (k = 0; k < n_filters; k++)
            if (strstr(tests[i].name, filters[k]))
                match = 1;
        if (!match)
            continue;
        if (list) {
            printf("%s (%s)\n", tests[i].name, tests[i].file);
            continue;
        }
        cur_name = tests[i].name;
        cur_failed = 0;
        cur_skipped = 0;
        cur_tmp[0] = '\0';
        {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            t0 = ts.tv_sec + 1e-9 * ts.tv_nsec;
        }
        tests[i].fn();
        {
            struct timespec ts;
            double dt;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            dt = ts.tv_sec + 1e-9 * ts.tv_nsec - t0;
            if (cur_failed) {
                failed++;
                printf("FAIL %s (%d checks failed, %.2fs)\n", cur_name,
                       cur_failed, dt);
            } else if (cur_skipped) {
                skipped++;
                printf("skip %s\n", cur_name);
            } else {
                passed++;
                printf("ok   %s (%.2fs)\n", cur_name, dt);
            }
            fflush(stdout);
        }
        if (cur_tmp[0] && !cur_failed)
            remove_tree(cur_tmp);
        else if (cur_tmp[0])
            fprintf(stderr, "  (files kept in %s)\n", cur_tmp);
    }
    if (list)
        return 0;
    if (skipped)
        printf("%d skipped\n", skipped);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

const char *jahs_test_claims_verdict(const char *dir, int k, const char *id,
                                     int n)
{
    static char v[128];
    char *out = NULL;
    size_t len;
    jahs_test_sh(&out,
                 "awk -F' [|] ' '/^## / { s++ } (%d == 0 || s == %d) && "
                 "$1 == \"| %s\" && $3 == \"%d\" { sub(/ [|]$/, \"\", $5); "
                 "print $5 }' '%s/claims.md'",
                 k, k, id, n, dir);
    snprintf(v, sizeof v, "%s", out ? out : "");
    len = strlen(v);
    while (len && v[len - 1] == '\n')
        v[--len] = '\0';
    free(out);
    return v;
}
