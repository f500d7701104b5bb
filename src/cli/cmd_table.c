/*
 * cmd_table.c - `jahs table build`, `jahs table query`, `jahs table stats`:
 * the NAS-Bench-201 CIFAR-100 table (src/eval/nb201_table.h) and the
 * tabular evaluator (src/eval/tabular.h) from the command line.
 */
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/csv.h"
#include "core/util.h"
#include "eval/nb201_table.h"
#include "eval/response.h"
#include "eval/tabular.h"
#include "space/space.h"

int jahs_cmd_table_build(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{"from", 1, NULL}, {"out", 1, NULL},
                              {NULL, 0, NULL}};
    const char *from, *out;
    int npos, rc;
    struct stat st;
    if ((rc = jahs_cli_parse(argc, argv, opts, NULL, 0, &npos, err)))
        return rc;
    if (!(from = jahs_cli_get(opts, "from")))
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "missing '--from CSV' (the NB201 CSV, e.g. "
                         "../shared/data/nb201/nb201_cifar100.csv.gz)");
    out = jahs_cli_get(opts, "out");
    if (!out)
        out = jahs_table_default_path();
    if ((rc = jahs_nb201_table_build(from, out, err)))
        return rc;
    printf("wrote %s: %d cells, %lld bytes, response model version %ld\n", out,
           JAHS_NB201_CELLS,
           stat(out, &st) == 0 ? (long long)st.st_size : -1LL,
           JAHS_RESPONSE_VERSION);
    return 0;
}

int jahs_cmd_table_query(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {
        {"space", 1, NULL},  {"config", 1, NULL},        {"epochs", 1, NULL},
        {"fold", 1, NULL},   {"seed", 1, NULL},          {"table", 1, NULL},
        {"resume-from", 1, NULL}, {"hardware-factor", 1, NULL},
        {NULL, 0, NULL}};
    const char *space_name, *cfg;
    int npos, rc;
    long epochs = 0, fold = 0, resume_from = 0;
    uint64_t seed = 0;
    jahs_space *sp = NULL;
    jahs_tabular *tb = NULL;
    jahs_csv_writer *w = NULL;
    jahs_eval_options eo;
    jahs_eval_request req;
    jahs_eval_result res;
    jahs_tabular_info info;
    double x[JAHS_MAX_PARAMS];
    jahs_eval_options_defaults(&eo);
    if ((rc = jahs_cli_parse(argc, argv, opts, NULL, 0, &npos, err)) ||
        (rc = jahs_cli_long(opts, "epochs", JAHS_RESPONSE_MIN_EPOCHS,
                            JAHS_RESPONSE_MAX_EPOCHS, &epochs, err)) ||
        (rc = jahs_cli_long(opts, "fold", 0, 1, &fold, err)) ||
        (rc = jahs_cli_long(opts, "resume-from", 0, JAHS_RESPONSE_MAX_EPOCHS,
                            &resume_from, err)) ||
        (rc = jahs_cli_u64(opts, "seed", &seed, err)) ||
        (rc = jahs_cli_double(opts, "hardware-factor", 1e-6, 1e6,
                              &eo.hardware_factor, err)))
        return rc;
    if (!(space_name = jahs_cli_get(opts, "space")) ||
        !jahs_cli_get(opts, "epochs"))
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "'--space S' and '--epochs E' are required");
    cfg = jahs_cli_get(opts, "config");
    if (!(sp = jahs_space_create(space_name, err)))
        return err->code;
    eo.space = sp;
    eo.table = jahs_cli_get(opts, "table");
    /* the evaluator first: it says when a space is not in the table */
    if (!(tb = jahs_tabular_open(&eo, err))) {
        rc = err->code;
        goto out;
    }
    if ((rc = jahs_config_parse(sp, cfg ? cfg : "", x, err)) ||
        (rc = jahs_config_check(sp, x, err)))
        goto out;
    memset(&req, 0, sizeof req);
    req.space = sp;
    req.config = x;
    req.epochs = (int)epochs;
    req.resume_from = (int)resume_from;
    req.fold = (int)fold;
    req.seed = seed;
    if ((rc = jahs_tabular_eval(tb, &req, &res, &info, err)))
        goto out;
    if (!(w = jahs_csv_stream(stdout, err))) {
        rc = err->code;
        goto out;
    }
    {
        static const char *const head[] = {
            "space", "arch_index", "ops_code", "epochs", "fold", "seed", "val_acc",
            "test_acc", "cost_s", "measured", "diverged"};
        char ops[8];
        int e;
        for (e = 0; e < 6; e++)
            ops[e] = (char)('0' + jahs_tabular_table(tb)->ops[info.arch_index][e]);
        ops[6] = '\0';
        if ((rc = jahs_csv_row(w, head, JAHS_ARRAY_LEN(head), err)))
            goto out;
        jahs_csv_str(w, sp->name);
        jahs_csv_int(w, info.arch_index);
        jahs_csv_str(w, ops);
        jahs_csv_int(w, epochs);
        jahs_csv_int(w, fold);
        jahs_csv_int(w, (long long)seed);
        jahs_csv_double(w, res.val_acc);
        jahs_csv_double(w, res.test_acc);
        jahs_csv_double(w, res.cost);
        jahs_csv_int(w, info.measured);
        jahs_csv_int(w, info.diverged);
        if ((rc = jahs_csv_end_row(w, err)))
            goto out;
    }
    rc = jahs_csv_close(w, err);
    w = NULL;
out:
    jahs_csv_abort(w);
    jahs_tabular_close(tb);
    jahs_space_free(sp);
    return rc;
}

static double quantile(const double *sorted, size_t n, double q)
{
    return gsl_stats_quantile_from_sorted_data(sorted, 1, n, q);
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Summary line of one column: mean, min, quantiles, max. */
static void summary(const char *name, const double *v, int n, double *work)
{
    memcpy(work, v, (size_t)n * sizeof *work);
    qsort(work, (size_t)n, sizeof *work, cmp_dbl);
    printf("  %-16s %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f\n", name,
           gsl_stats_mean(work, 1, (size_t)n), work[0], quantile(work, n, 0.1),
           quantile(work, n, 0.25), quantile(work, n, 0.5),
           quantile(work, n, 0.9), work[n - 1]);
}

int jahs_cmd_table_stats(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{"table", 1, NULL}, {NULL, 0, NULL}};
    const char *path;
    int npos, rc, i, n, below5 = 0;
    jahs_nb201_table *t;
    double *work, *work2, *a, sd_sum = 0;
    char arch[JAHS_NB201_ARCH_LEN];
    if ((rc = jahs_cli_parse(argc, argv, opts, NULL, 0, &npos, err)))
        return rc;
    path = jahs_cli_get(opts, "table");
    if (!path)
        path = jahs_table_default_path();
    if (!(t = jahs_nb201_table_open(path, err)))
        return err->code;
    n = t->n;
    work = malloc(4 * (size_t)n * sizeof *work);
    if (!work) {
        jahs_nb201_table_free(t);
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    }
    /* work: 2n (Spearman's workspace), then a and work2: n each */
    a = work + 2 * n;
    work2 = a + n;
    printf("table %s: %d NB201 cells on CIFAR-100, response model version "
           "%ld\n",
           path, n, JAHS_RESPONSE_VERSION);
    i = t->by_rank[0];
    printf("best cell (mean 200-epoch valid): index %d %s\n"
           "  valid %.4f  test %.4f  (12 epochs: valid %.2f test %.2f)\n",
           i, jahs_nb201_arch_string(t->ops[i], arch, sizeof arch),
           t->valid200_mean[i], t->test200_mean[i], t->valid12[i],
           t->test12[i]);
    printf("\n  %-16s %8s %8s %8s %8s %8s %8s %8s\n", "column", "mean", "min",
           "q10", "q25", "median", "q90", "max");
    summary("valid_200_mean", t->valid200_mean, n, work);
    summary("test_200_mean", t->test200_mean, n, work);
    summary("valid_12", t->valid12, n, work);
    summary("test_12", t->test12, n, work);
    summary("train_time_200", t->time200, n, work);
    summary("params_M", t->params_m, n, work);
    for (i = 0; i < n; i++) {
        double d = t->valid200[i][0] - t->valid200[i][1];
        below5 += t->test200_mean[i] < 5.0;
        sd_sum += d * d;
    }
    printf("\ncells below 5 %% test accuracy: %d\n", below5);
    printf("seed spread: SD of one run's valid accuracy (777 vs 888) %.3f\n",
           sqrt(sd_sum / n / 2.0));
    memcpy(a, t->test12, (size_t)n * sizeof *a);
    memcpy(work2, t->test200_mean, (size_t)n * sizeof *work2);
    printf("Spearman(test_12, test_200_mean) = %.3f\n",
           gsl_stats_spearman(a, 1, work2, 1, (size_t)n, work));
    printf("\ntop10 space (rankK = K-th best by mean 200-epoch valid):\n");
    for (i = 0; i < 10; i++) {
        int c = t->by_rank[i];
        printf("  rank%02d  index %5d  valid %.4f  test %.4f  %s\n", i + 1, c,
               t->valid200_mean[c], t->test200_mean[c],
               jahs_nb201_arch_string(t->ops[c], arch, sizeof arch));
    }
    free(work);
    jahs_nb201_table_free(t);
    return 0;
}
