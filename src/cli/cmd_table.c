/*
 * cmd_table.c - `jahs table build`, `jahs table query`, `jahs table stats`,
 * `jahs table export`:
 * the NAS-Bench-201 tables (src/eval/nb201_table.h), the tabular evaluator
 * (src/eval/tabular.h) and their statistics (src/eval/table_stats.h) from
 * the command line.
 */
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
#include "eval/table_export.h"
#include "eval/table_stats.h"
#include "eval/tabular.h"
#include "space/space.h"
#include "space/space_file.h"

int jahs_cmd_table_build(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{"from", 1, NULL}, {"out", 1, NULL},
                              {"dataset", 1, NULL}, {NULL, 0, NULL}};
    const char *from, *out, *name = "cifar100";
    const jahs_nb201_dataset *ds;
    char *own_from = NULL, *own_out = NULL;
    int npos, rc;
    struct stat st;
    if ((rc = jahs_cli_parse(argc, argv, opts, NULL, 0, &npos, err)) ||
        (rc = jahs_cli_dataset(opts, "dataset", &name, err)))
        return rc;
    ds = jahs_nb201_dataset_find(name);
    if (!(from = jahs_cli_get(opts, "from")))
        from = own_from = jahs_nb201_default_csv(ds);
    if (!(out = jahs_cli_get(opts, "out")))
        out = own_out = jahs_table_path_for(ds);
    if (!from || !out)
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    else if (!(rc = jahs_nb201_table_build_dataset(ds, from, out, err)))
        printf("wrote %s: %s, %d cells, %lld bytes, response model version "
               "%ld\n",
               out, ds->title, JAHS_NB201_CELLS,
               stat(out, &st) == 0 ? (long long)st.st_size : -1LL,
               JAHS_RESPONSE_VERSION);
    free(own_from);
    free(own_out);
    return rc;
}

int jahs_cmd_table_query(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {
        {"space", 1, NULL},  {"config", 1, NULL},        {"epochs", 1, NULL},
        {"fold", 1, NULL},   {"seed", 1, NULL},          {"table", 1, NULL},
        {"resume-from", 1, NULL}, {"hardware-factor", 1, NULL},
        {"dataset", 1, NULL}, {"prior-source", 1, NULL},
        {"prior-table", 1, NULL}, {"noise-free", 0, NULL}, {NULL, 0, NULL}};
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
                              &eo.hardware_factor, err)) ||
        (rc = jahs_cli_dataset(opts, "dataset", &eo.dataset, err)) ||
        (rc = jahs_cli_dataset(opts, "prior-source", &eo.rank_dataset, err)))
        return rc;
    if (!(space_name = jahs_cli_get(opts, "space")) ||
        !jahs_cli_get(opts, "epochs"))
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "'--space S' and '--epochs E' are required");
    if (resume_from > epochs)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "--resume-from (%ld) must be at most --epochs (%ld)",
                         resume_from, epochs);
    cfg = jahs_cli_get(opts, "config");
    if (!(sp = jahs_space_open(space_name, err)))
        return err->code;
    eo.space = sp;
    eo.table = jahs_cli_get(opts, "table");
    eo.rank_table = jahs_cli_get(opts, "prior-table");
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
    if ((rc = jahs_cli_get(opts, "noise-free")
                  ? jahs_tabular_eval_noise_free(tb, &req, &res, &info, err)
                  : jahs_tabular_eval(tb, &req, &res, &info, err)))
        goto out;
    if (!(w = jahs_csv_stream(stdout, err))) {
        rc = err->code;
        goto out;
    }
    {
        static const char *const head[] = {
            "dataset", "space", "arch_index", "ops_code", "epochs", "fold",
            "seed", "val_acc", "test_acc", "cost_s", "measured", "diverged"};
        char ops[8];
        int e;
        for (e = 0; e < 6; e++)
            ops[e] = (char)('0' + jahs_tabular_table(tb)->ops[info.arch_index][e]);
        ops[6] = '\0';
        if ((rc = jahs_csv_row(w, head, JAHS_ARRAY_LEN(head), err)))
            goto out;
        jahs_csv_str(w, jahs_tabular_table(tb)->dataset->name);
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

static void summary(const char *name, const jahs_table_summary *s)
{
    printf("  %-16s %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f %8.3f\n", name, s->mean,
           s->min, s->q10, s->q25, s->median, s->q90, s->max);
}

/* The epochs of the fidelity table: the default list or --epochs "1,2,3". */
static int epoch_list(const char *text, int *out, int max, int *n,
                      jahs_error *err)
{
    static const int def[] = {1, 2, 3, 4, 6, 9, 12, 20, 50, 100, 200};
    const char *p = text;
    *n = 0;
    if (!text) {
        memcpy(out, def, sizeof def);
        *n = (int)JAHS_ARRAY_LEN(def);
        return 0;
    }
    while (*p) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < JAHS_RESPONSE_MIN_EPOCHS ||
            v > JAHS_RESPONSE_MAX_EPOCHS || (*end && *end != ',') || *n == max)
            return JAHS_FAIL(err, JAHS_CLI_USAGE,
                             "option '--epochs' expects up to %d epochs in "
                             "1..200 separated by commas, got '%s'",
                             max, text);
        out[(*n)++] = (int)v;
        p = *end ? end + 1 : end;
    }
    return 0;
}

int jahs_cmd_table_stats(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {{"table", 1, NULL}, {"dataset", 1, NULL},
                              {"seed", 1, NULL},  {"epochs", 1, NULL},
                              {NULL, 0, NULL}};
    const char *dataset = NULL;
    int npos, rc, i, ne = 0, ep[32];
    uint64_t seed = 0;
    jahs_space *sp = NULL;
    jahs_tabular *tb = NULL;
    jahs_eval_options eo;
    const jahs_nb201_table *t;
    const jahs_response_data *d;
    jahs_table_facts f;
    char arch[JAHS_NB201_ARCH_LEN];
    if ((rc = jahs_cli_parse(argc, argv, opts, NULL, 0, &npos, err)) ||
        (rc = jahs_cli_dataset(opts, "dataset", &dataset, err)) ||
        (rc = jahs_cli_u64(opts, "seed", &seed, err)) ||
        (rc = epoch_list(jahs_cli_get(opts, "epochs"), ep,
                         (int)JAHS_ARRAY_LEN(ep), &ne, err)))
        return rc;
    if (!(sp = jahs_space_open("nb201", err)))
        return err->code;
    jahs_eval_options_defaults(&eo);
    eo.space = sp;
    eo.dataset = dataset;
    eo.table = jahs_cli_get(opts, "table");
    if (!(tb = jahs_tabular_open(&eo, err)) ||
        jahs_table_facts_of(jahs_tabular_table(tb), &f, err) != 0) {
        rc = err->code;
        goto out;
    }
    t = jahs_tabular_table(tb);
    d = jahs_tabular_data(tb);
    printf("table %s: %d NB201 cells on %s (--dataset %s), response model "
           "version %ld\n%s\n",
           t->path, t->n, t->dataset->title, t->dataset->name,
           JAHS_RESPONSE_VERSION, t->dataset->split);
    i = f.best;
    printf("best cell (mean 200-epoch valid): index %d %s\n"
           "  valid %.4f  test %.4f  (12 epochs: valid %.2f test %.2f)\n",
           i, jahs_nb201_arch_string(t->ops[i], arch, sizeof arch),
           t->valid200_mean[i], t->test200_mean[i], t->valid12[i],
           t->test12[i]);
    printf("\n  %-16s %8s %8s %8s %8s %8s %8s %8s\n", "column", "mean", "min",
           "q10", "q25", "median", "q90", "max");
    summary("valid_200_mean", &f.valid200_mean);
    summary("test_200_mean", &f.test200_mean);
    summary("valid_12", &f.valid12);
    summary("test_12", &f.test12);
    summary("train_time_200", &f.time200);
    summary("params_M", &f.params);
    printf("\ncells within 4 points of chance (%.3g %%) in test accuracy: %d\n",
           t->dataset->chance, f.near_chance);
    if (isnan(f.seed_sd_test))
        printf("seed spread: SD of one run's valid accuracy (777 vs 888) %.3f; "
               "test: no per-seed values\n",
               f.seed_sd_valid);
    else
        printf("seed spread: SD of one run's accuracy (777 vs 888): valid "
               "%.3f, test %.3f\n",
               f.seed_sd_valid, f.seed_sd_test);
    printf("Spearman(valid_12, valid_200_mean) = %.3f\n", f.rho12_valid);
    printf("Spearman(test_12, test_200_mean) = %.3f\n", f.rho12_test);
    printf("Spearman(valid seed 777, valid_200_mean) = %.3f\n",
           f.rho_seed_valid);
    printf("\nwhat the model reads off this table (src/eval/table_stats.h):\n"
           "  chance %.4g %%; strength 0 at valid_200_mean %.2f, 1 at %.2f; "
           "valid/test noise correlation %.3f\n"
           "  seed spread (SD of one run) by level above chance, valid / "
           "test:\n  ",
           d->chance, d->strength_lo, d->strength_hi, d->vt_corr);
    for (i = 0; i < d->n_bins; i++)
        printf("%s%g-%g: %.2f/%.2f", i ? (i % 5 ? "  " : "\n  ") : "",
               i * jahs_response_k(JAHS_RC_NOISE_LEVEL_BIN),
               (i + 1) * jahs_response_k(JAHS_RC_NOISE_LEVEL_BIN),
               d->sd_valid[i], d->sd_test[i]);
    printf("\n\nrank correlation with the measured 200-epoch mean at the "
           "recipe (Spearman over all\ncells; model: mean of the two folds, "
           "run seed %llu, seed noise included; law: r(E) x\nthe measured "
           "12-vs-200 figure, response.h; * = the measured numbers "
           "themselves):\n",
           (unsigned long long)seed);
    printf("  %6s %10s %12s %10s %12s\n", "epochs", "law valid", "model valid",
           "law test", "model test");
    for (i = 0; i < ne; i++) {
        double rv, rt, r = jahs_response_law(ep[i]);
        int measured = ep[i] == 12 || ep[i] == 200;
        if ((rc = jahs_tabular_fidelity_rho(tb, sp, ep[i], seed, &rv, &rt,
                                            err)))
            goto out;
        if (ep[i] <= 12)
            printf("  %6d %10.3f %11.3f%s %10.3f %11.3f%s\n", ep[i],
                   r * f.rho12_valid, rv, measured ? "*" : " ",
                   r * f.rho12_test, rt, measured ? "*" : " ");
        else
            printf("  %6d %10s %11.3f%s %10s %11.3f%s\n", ep[i], "-", rv,
                   measured ? "*" : " ", "-", rt, measured ? "*" : " ");
    }
    printf("\nwhere the model's optimum lies, one hyperparameter at a time, the "
           "others at the\nrecipe (best cell %d, fold 0, noise-free valid "
           "accuracy):\n  %6s %-16s %9s %9s %12s %10s\n",
           f.best, "epochs", "hp", "recipe", "best", "acc(recipe)", "acc(best)");
    for (i = 0; i < 3; i++) {
        static const int at[3] = {12, 20, 200};
        jahs_hp_optimum o[JAHS_HP_OPTIMA];
        int h;
        if ((rc = jahs_tabular_hp_optima(tb, f.best, at[i], o, err)))
            goto out;
        for (h = 0; h < JAHS_HP_OPTIMA; h++)
            printf("  %6d %-16s %9.3g %9.3g %12.2f %10.2f\n", at[i], o[h].hp,
                   o[h].recipe, o[h].best, o[h].acc_recipe, o[h].acc_best);
    }
    printf("\ntop10 space (rankK = K-th best by mean 200-epoch valid):\n");
    for (i = 0; i < 10; i++) {
        int c = t->by_rank[i];
        printf("  rank%02d  index %5d  valid %.4f  test %.4f  %s\n", i + 1, c,
               t->valid200_mean[c], t->test200_mean[c],
               jahs_nb201_arch_string(t->ops[c], arch, sizeof arch));
    }
out:
    jahs_tabular_close(tb);
    jahs_space_free(sp);
    return rc;
}

/* "a,b,c..d" of integers in [lo, hi] (up to max of them) into out; NULL:
 * def_lo..def_hi. */
static int range_list(const char *opt, const char *text, uint64_t lo,
                      uint64_t hi, uint64_t def_lo, uint64_t def_hi,
                      uint64_t *out, int max, int *n, jahs_error *err)
{
    char *copy, *tok, *save = NULL;
    uint64_t a, b, v;
    *n = 0;
    if (!text) {
        for (v = def_lo; v <= def_hi && *n < max; v++)
            out[(*n)++] = v;
        return 0;
    }
    if (!(copy = jahs_strdup(text)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *dots = strstr(tok, "..");
        if (dots)
            *dots = '\0';
        if (jahs_parse_u64(jahs_strtrim(tok), &a) ||
            (dots ? jahs_parse_u64(jahs_strtrim(dots + 2), &b) : (b = a, 0)) ||
            a < lo || b > hi || b < a || (uint64_t)*n + (b - a) >= (uint64_t)max)
            break;
        for (v = a; v <= b; v++)
            out[(*n)++] = v;
    }
    free(copy);
    if (tok || *n == 0)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--%s' expects up to %d integers in %llu..%llu "
                         "(a list, ranges a..b), got '%s'",
                         opt, max, (unsigned long long)lo,
                         (unsigned long long)hi, text);
    return 0;
}

int jahs_cmd_table_export(int argc, char **argv, jahs_error *err)
{
    jahs_cli_option opts[] = {
        {"dataset", 1, NULL}, {"table", 1, NULL},  {"out", 1, NULL},
        {"format", 1, NULL},  {"space", 1, NULL},  {"grid", 1, NULL},
        {"epochs", 1, NULL},  {"seeds", 1, NULL},  {"folds", 1, NULL},
        {"limit", 1, NULL},   {"hardware-factor", 1, NULL}, {NULL, 0, NULL}};
    const char *out, *fmt_name, *space_name;
    jahs_table_export_opts x;
    jahs_eval_options eo;
    jahs_tabfile_format fmt = JAHS_TABFILE_CSV;
    jahs_space *sp = NULL;
    uint64_t ep64[JAHS_RESPONSE_MAX_EPOCHS], seeds[64];
    int ep[JAHS_RESPONSE_MAX_EPOCHS], npos, rc, i;
    long folds = 2, rows = 0;
    double t0;
    memset(&x, 0, sizeof x);
    jahs_eval_options_defaults(&eo);
    if ((rc = jahs_cli_parse(argc, argv, opts, NULL, 0, &npos, err)) ||
        (rc = jahs_cli_dataset(opts, "dataset", &eo.dataset, err)) ||
        (rc = jahs_cli_long(opts, "folds", 1, 2, &folds, err)) ||
        (rc = jahs_cli_long(opts, "limit", 1, 1000000000L, &x.limit, err)) ||
        (rc = jahs_cli_double(opts, "hardware-factor", 1e-6, 1e6,
                              &eo.hardware_factor, err)) ||
        (rc = range_list("epochs", jahs_cli_get(opts, "epochs"),
                         JAHS_RESPONSE_MIN_EPOCHS, JAHS_RESPONSE_MAX_EPOCHS,
                         JAHS_RESPONSE_MIN_EPOCHS, JAHS_RESPONSE_MAX_EPOCHS,
                         ep64, (int)JAHS_ARRAY_LEN(ep64), &x.n_epochs, err)) ||
        (rc = range_list("seeds", jahs_cli_get(opts, "seeds"), 0,
                         UINT64_MAX - 1, 0, 0, seeds,
                         (int)JAHS_ARRAY_LEN(seeds), &x.n_seeds, err)))
        return rc;
    if (!(out = jahs_cli_get(opts, "out")))
        return JAHS_FAIL(err, JAHS_CLI_USAGE, "'--out FILE' is required");
    fmt_name = jahs_cli_get(opts, "format");
    if (fmt_name && strcmp(fmt_name, "h5") == 0)
        fmt = JAHS_TABFILE_H5;
    else if (fmt_name && strcmp(fmt_name, "csv") != 0)
        return JAHS_FAIL(err, JAHS_CLI_USAGE,
                         "option '--format' expects csv or h5, got '%s'",
                         fmt_name);
    for (i = 0; i < x.n_epochs; i++)
        ep[i] = (int)ep64[i];
    x.epochs = ep;
    x.seeds = seeds;
    x.folds = (int)folds;
    x.grid = jahs_cli_get(opts, "grid");
    space_name = jahs_cli_get(opts, "space");
    if (!(sp = jahs_space_create(space_name ? space_name : "nb201", err)))
        return err->code;
    eo.space = sp;
    eo.table = jahs_cli_get(opts, "table");
    /* k-fold CV as `jahs run` opens the evaluator (folds = 2: half) */
    eo.train_fraction = folds > 1 ? (double)(folds - 1) / (double)folds : 1.0;
    t0 = jahs_now();
    rc = jahs_table_export(&eo, &x, out, fmt, &rows, err);
    if (!rc)
        fprintf(stderr, "wrote %s: %ld rows (%s) in %.2f s\n", out, rows,
                fmt == JAHS_TABFILE_H5 ? "HDF5" : "CSV", jahs_now() - t0);
    jahs_space_free(sp);
    return rc;
}
