/*
 * bench_tabular.c - the tabular benchmark's speed and size: one query
 * (targets: under 1 us; the response model, the learning fractions below 12
 * epochs and the seed-noise process over epochs), opening the table (under
 * 50 ms) and the evaluator (which also computes every cell's learning
 * fractions), the .h5 file (under 2 MB), and building it from the CSV
 * (with the derived seed-spread table).  Medians over 15 repeats.
 *
 * The table: the CIFAR-100 one (every dataset runs the same code):
 * $JAHS_TABLE when it exists, else tables/nb201_cifar100.h5 when it exists,
 * else one built into a temporary directory from
 * $JAHS_SHARED/data/nb201/nb201_cifar100.csv.gz (default ../shared).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/rng.h"
#include "core/util.h"
#include "eval/nb201_table.h"
#include "eval/tabular.h"
#include "space/space.h"

#define REPS 15
#define NCFG 1024
#define ITERS 200000

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp_dbl);
    return t[n / 2];
}

static volatile double sink;

int main(void)
{
    jahs_error err = {0};
    const char *shared = getenv("JAHS_SHARED"), *env = getenv("JAHS_TABLE");
    char csv[1024], tmpdir[] = "/tmp/jahs-bench-XXXXXX", built[1100];
    const char *path = NULL;
    double t[REPS], build_ms = -1, open_ms, eval_open_ms, q_ns, q_anchor_ns;
    struct stat st;
    jahs_space *sp = jahs_space_create("nb201", &err);
    jahs_rng *rng = jahs_rng_create(1, "bench/tabular", 0, &err);
    static double cfg[NCFG][JAHS_MAX_PARAMS];
    int r, i, made = 0;
    jahs_eval_options o;
    jahs_tabular *tb;
    snprintf(csv, sizeof csv, "%s/data/nb201/nb201_cifar100.csv.gz",
             shared ? shared : "../shared");
    if (env && *env && jahs_path_exists(env))
        path = env;
    else if (jahs_path_exists("tables/nb201_cifar100.h5"))
        path = "tables/nb201_cifar100.h5";
    if (jahs_path_exists(csv) && mkdtemp(tmpdir)) {
        /* build time is always measured (into the temporary directory) */
        snprintf(built, sizeof built, "%s/nb201.h5", tmpdir);
        for (r = 0; r < 3; r++) {
            double t0 = jahs_now();
            if (jahs_nb201_table_build(csv, built, &err) != 0) {
                fprintf(stderr, "bench_tabular: %s\n", err.msg);
                return 1;
            }
            t[r] = (jahs_now() - t0) * 1e3;
        }
        build_ms = median(t, 3);
        made = 1;
        if (!path)
            path = built;
    }
    if (!path || !sp || !rng) {
        fprintf(stderr, "bench_tabular: no table and no CSV at '%s' (%s)\n", csv,
                err.msg);
        return 1;
    }
    for (r = 0; r < REPS; r++) {
        double t0 = jahs_now();
        jahs_nb201_table *tab = jahs_nb201_table_open(path, &err);
        t[r] = (jahs_now() - t0) * 1e3;
        if (!tab) {
            fprintf(stderr, "bench_tabular: %s\n", err.msg);
            return 1;
        }
        jahs_nb201_table_free(tab);
    }
    open_ms = median(t, REPS);
    jahs_eval_options_defaults(&o);
    o.space = sp;
    o.table = path;
    for (r = 0; r < REPS; r++) {
        double t0 = jahs_now();
        tb = jahs_tabular_open(&o, &err);
        t[r] = (jahs_now() - t0) * 1e3;
        if (!tb) {
            fprintf(stderr, "bench_tabular: %s\n", err.msg);
            return 1;
        }
        if (r + 1 < REPS)
            jahs_tabular_close(tb);
    }
    eval_open_ms = median(t, REPS);
    for (i = 0; i < NCFG; i++)
        jahs_space_sample(sp, rng, cfg[i]);
    for (r = 0; r < REPS; r++) {
        jahs_eval_request q;
        jahs_eval_result res;
        double t0;
        memset(&q, 0, sizeof q);
        q.space = sp;
        t0 = jahs_now();
        for (i = 0; i < ITERS; i++) {
            q.config = cfg[i & (NCFG - 1)];
            q.epochs = 1 + i % 20;
            q.fold = i & 1;
            q.seed = (uint64_t)(i >> 10);
            jahs_tabular_eval(tb, &q, &res, NULL, &err);
            sink = res.val_acc;
        }
        t[r] = (jahs_now() - t0) / ITERS * 1e9;
    }
    q_ns = median(t, REPS);
    jahs_space_defaults(sp, cfg[0]);
    {
        uint8_t best[6] = {3, 3, 3, 1, 3, 3};
        jahs_nb201_set_cell(sp, best, cfg[0], &err);
    }
    for (r = 0; r < REPS; r++) {
        jahs_eval_request q;
        jahs_eval_result res;
        double t0;
        memset(&q, 0, sizeof q);
        q.space = sp;
        q.config = cfg[0];
        q.epochs = 200;
        t0 = jahs_now();
        for (i = 0; i < ITERS; i++) {
            q.fold = i & 1;
            jahs_tabular_eval(tb, &q, &res, NULL, &err);
            sink = res.val_acc;
        }
        t[r] = (jahs_now() - t0) / ITERS * 1e9;
    }
    q_anchor_ns = median(t, REPS);
    jahs_tabular_close(tb);
    printf("%-44s %12s %10s\n", "measure (table: NB201 CIFAR-100)", "median",
           "target");
    printf("%-44s %9.1f ns %10s\n", "query, random nb201 config, 1..20 epochs",
           q_ns, "< 1000 ns");
    printf("%-44s %9.1f ns %10s\n", "query, NB201 recipe at 200 epochs (anchor)",
           q_anchor_ns, "");
    printf("%-44s %9.2f ms %10s\n", "open table (read + index + rank)", open_ms,
           "< 50 ms");
    printf("%-44s %9.2f ms %10s\n", "open tabular evaluator (+ per-cell cost)",
           eval_open_ms, "");
    if (stat(path, &st) == 0)
        printf("%-44s %9.3f MB %10s\n", "file size", st.st_size / 1e6,
               "< 2 MB");
    if (build_ms >= 0)
        printf("%-44s %9.1f ms %10s\n", "build from CSV.gz (median of 3)",
               build_ms, "");
    if (made) {
        remove(built);
        rmdir(tmpdir);
    }
    jahs_rng_free(rng);
    jahs_space_free(sp);
    return 0;
}
