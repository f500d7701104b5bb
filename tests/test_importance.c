/*
 * test_importance.c - the random forest (known answers on step and
 * categorical functions, accuracy on a smooth one, determinism, bad input),
 * Local Parameter Importance and fANOVA-lite on additive functions whose
 * variance shares are known analytically, conditional and pinned
 * parameters, and `jahs analyze importance` on run directories written with
 * jahs_journal_write (outputs, determinism, bad run directories).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyze.h"
#include "analysis/forest.h"
#include "analysis/importance.h"
#include "fixture_rundir.h"
#include "harness.h"

/* ---- forest -------------------------------------------------------------- */

JAHS_TEST(forest_step_and_categorical_known_answers)
{
    jahs_error err = {0};
    jahs_forest_opts o;
    double X[40 * 2], y[40], x[2];
    int types[2] = {0, 4}, i;
    jahs_forest *f;
    /* y = (x0 <= 0.5 ? 1 : 3) + effect[x1], effects 0, 10, 20, 30; category 3
     * never observed */
    static const double eff[4] = {0, 10, 20, 30};
    for (i = 0; i < 40; i++) {
        X[2 * i] = (i % 10) / 10.0 + 0.05;
        X[2 * i + 1] = i % 3;
        y[i] = (X[2 * i] <= 0.5 ? 1 : 3) + eff[i % 3];
    }
    jahs_forest_opts_default(&o);
    o.n_trees = 1;
    o.bootstrap = 0;
    f = jahs_forest_fit(X, y, 40, 2, types, &o, &err);
    CHECK(f != NULL);
    if (!f)
        return;
    /* one tree on all points is exact on every training cell */
    for (i = 0; i < 40; i++)
        CHECK_EQ_DBL(jahs_forest_predict_tree(f, 0, &X[2 * i]), y[i]);
    /* between 0.45 and 0.55 the cut is somewhere: both sides are exact away
     * from it */
    x[0] = 0.2;
    x[1] = 2;
    CHECK_EQ_DBL(jahs_forest_predict(f, x, NULL), 21);
    x[0] = 0.9;
    CHECK_EQ_DBL(jahs_forest_predict(f, x, NULL), 23);
    /* the unseen category 3 falls on one side: one of the seen outcomes */
    x[1] = 3;
    {
        double p = jahs_forest_predict(f, x, NULL);
        CHECK(p == 3 || p == 13 || p == 23);
    }
    /* fully grown on 30 distinct cells (10 x-values x 3 categories) */
    CHECK(jahs_forest_tree_size(f, 0) >= 2 * 6 - 1);
    jahs_forest_free(f);
}

JAHS_TEST(forest_fits_a_smooth_function)
{
    jahs_error err = {0};
    jahs_forest_opts o;
    jahs_rng *rng = jahs_rng_create(5, "test/forest", 0, &err);
    enum { N = 800 };
    double *X = malloc(N * 3 * sizeof *X), y[N], x[3], se = 0, var;
    int types[3] = {0, 0, 3}, i;
    jahs_forest *f;
    /* y = 2 x0 + sin(3 x1) + (cat == 2) */
    for (i = 0; i < N; i++) {
        X[3 * i] = jahs_rng_uniform(rng);
        X[3 * i + 1] = jahs_rng_uniform(rng);
        X[3 * i + 2] = (double)jahs_rng_int(rng, 3);
        y[i] = 2 * X[3 * i] + sin(3 * X[3 * i + 1]) + (X[3 * i + 2] == 2);
    }
    jahs_forest_opts_default(&o);
    f = jahs_forest_fit(X, y, N, 3, types, &o, &err);
    CHECK(f != NULL);
    for (i = 0; f && i < 200; i++) {
        double p, t;
        x[0] = jahs_rng_uniform(rng);
        x[1] = jahs_rng_uniform(rng);
        x[2] = (double)jahs_rng_int(rng, 3);
        t = 2 * x[0] + sin(3 * x[1]) + (x[2] == 2);
        p = jahs_forest_predict(f, x, &var);
        CHECK(var >= 0);
        se += (p - t) * (p - t);
    }
    /* the response spans about 3.0; an RMSE of 0.15 is 5 % of it */
    CHECK(sqrt(se / 200) < 0.15);
    jahs_forest_free(f);
    jahs_rng_free(rng);
    free(X);
}

JAHS_TEST(forest_is_deterministic_per_seed)
{
    jahs_error err = {0};
    jahs_forest_opts o;
    double X[200 * 2], y[200], x[2];
    int types[2] = {0, 0}, i, differ = 0;
    jahs_forest *a, *b, *c;
    for (i = 0; i < 200; i++) {
        X[2 * i] = (i * 37 % 200) / 200.0;
        X[2 * i + 1] = (i * 91 % 200) / 200.0;
        y[i] = X[2 * i] * X[2 * i + 1] + 0.1 * ((i * 13) % 7);
    }
    jahs_forest_opts_default(&o);
    o.seed = 7;
    a = jahs_forest_fit(X, y, 200, 2, types, &o, &err);
    b = jahs_forest_fit(X, y, 200, 2, types, &o, &err);
    o.seed = 8;
    c = jahs_forest_fit(X, y, 200, 2, types, &o, &err);
    CHECK(a && b && c);
    for (i = 0; a && b && c && i < 50; i++) {
        x[0] = i / 50.0;
        x[1] = 1 - i / 50.0;
        CHECK_EQ_DBL(jahs_forest_predict(a, x, NULL),
                     jahs_forest_predict(b, x, NULL));
        differ += jahs_forest_predict(a, x, NULL) !=
                  jahs_forest_predict(c, x, NULL);
    }
    CHECK(differ > 0);
    jahs_forest_free(a);
    jahs_forest_free(b);
    jahs_forest_free(c);
}

JAHS_TEST(forest_rejects_bad_input)
{
    jahs_error err = {0};
    jahs_forest_opts o;
    double X[4] = {0, 1, 2, 0.5}, y[2] = {1, NAN};
    int types[2] = {0, 3}, bad_type[2] = {0, 1};
    jahs_forest_opts_default(&o);
    CHECK(jahs_forest_fit(X, y, 2, 2, types, &o, &err) == NULL);
    CHECK_CONTAINS(err.msg, "row 1: response is not finite");
    y[1] = 2;
    CHECK(jahs_forest_fit(X, y, 2, 2, types, &o, &err) == NULL);
    CHECK_CONTAINS(err.msg, "row 1, feature 1: bad value 0.5 (expected a "
                            "category index)");
    X[3] = 2;
    CHECK(jahs_forest_fit(X, y, 2, 2, bad_type, &o, &err) == NULL);
    CHECK_CONTAINS(err.msg, "feature 1: bad type 1");
    o.ratio_features = 0;
    CHECK(jahs_forest_fit(X, y, 2, 2, types, &o, &err) == NULL);
    CHECK_CONTAINS(err.msg, "bad forest options");
    jahs_forest_free(NULL);
}

/* ---- LPI and fANOVA-lite on a synthetic additive function ----------------- */

/*
 * Space: a, b in [0, 1] (linear), c in [1e-3, 1] (log), k categorical with 4
 * choices, t categorical with 2 choices.  f = 4 u(a) + 2 u(b) + eff_k[k] +
 * eff_t[t], u the unit coordinate; c has no effect.  For an additive function
 * LPI does not depend on the incumbent: var(p) = Var over p's sweep of its
 * own term.  Numeric sweeps are even grids over [0, 1] in u: Var ~ a^2 / 12.
 *   a: 16/12 = 1.3333   b: 4/12 = 0.3333   c: 0
 *   k: effects 0, 0, 3, 0 -> population variance 9/4 - 9/16 = 1.6875
 *   t: effects 0, 1       -> 0.25
 *   total 3.6042: shares a 0.3699, b 0.0925, c 0, k 0.4682, t 0.0694.
 * The first-order fANOVA indices of an additive function under the uniform
 * measure are the same shares.
 */
static jahs_space *toy_space(void)
{
    static const char *const kc[] = {"k0", "k1", "k2", "k3"};
    static const char *const tc[] = {"off", "on"};
    jahs_space *sp = calloc(1, sizeof *sp);
    snprintf(sp->name, sizeof sp->name, "toy");
    jahs_space_add_float(sp, "a", JAHS_GROUP_HP, 0, 1, 0, "a");
    jahs_space_add_float(sp, "b", JAHS_GROUP_HP, 0, 1, 0, "b");
    jahs_space_add_float(sp, "c", JAHS_GROUP_HP, 1e-3, 1, 1, "c");
    jahs_space_add_cat(sp, "k", JAHS_GROUP_ARCH, kc, 4, "k");
    jahs_space_add_cat(sp, "t", JAHS_GROUP_HP, tc, 2, "t");
    jahs_space_finish(sp);
    return sp;
}

static double toy_f(const jahs_space *sp, const double *x)
{
    static const double ek[4] = {0, 0, 3, 0};
    return 4 * jahs_param_to_unit(&sp->params[0], x[0]) +
           2 * jahs_param_to_unit(&sp->params[1], x[1]) + ek[(int)x[3]] +
           (x[4] == 1 ? 1 : 0);
}

static const double toy_share[5] = {1.3333333 / 3.6041667, 0.3333333 / 3.6041667,
                                    0, 1.6875 / 3.6041667, 0.25 / 3.6041667};

/* n uniform samples of the toy space; the incumbent is the best one. */
static void toy_data(const jahs_space *sp, int n, double *X, double *y,
                     double *inc)
{
    jahs_error err = {0};
    jahs_rng *rng = jahs_rng_create(11, "test/toy", 0, &err);
    int i, best = 0;
    for (i = 0; i < n; i++) {
        jahs_space_sample(sp, rng, &X[i * sp->n]);
        y[i] = toy_f(sp, &X[i * sp->n]);
        if (y[i] > y[best])
            best = i;
    }
    memcpy(inc, &X[best * sp->n], (size_t)sp->n * sizeof *inc);
    jahs_rng_free(rng);
}

#define TOY_N 2000

JAHS_TEST(lpi_recovers_additive_variance_shares)
{
    jahs_error err = {0};
    jahs_space *sp = toy_space();
    double *X = malloc(TOY_N * sp->n * sizeof *X), y[TOY_N], inc[JAHS_MAX_PARAMS];
    jahs_imp_opts o;
    jahs_importance imp;
    int p;
    double sum = 0;
    toy_data(sp, TOY_N, X, y, inc);
    jahs_imp_opts_default(&o);
    CHECK_OK(jahs_importance_compute(sp, X, y, TOY_N, inc, &o, &imp, &err),
             &err);
    for (p = 0; p < sp->n; p++) {
        CHECK_EQ_INT(imp.p[p].status, JAHS_IMP_OK);
        /* stated tolerance: 0.03 absolute on every share (measured: within
         * 0.01 at n = 2000) */
        CHECK_NEAR(imp.p[p].mean, toy_share[p], 0.03);
        sum += imp.p[p].mean;
    }
    CHECK_NEAR(sum, 1.0, 1e-9);
    CHECK_EQ_INT(imp.p[3].rank, 1); /* k */
    CHECK_EQ_INT(imp.p[0].rank, 2); /* a */
    CHECK_EQ_INT(imp.p[2].rank, 5); /* c: no effect */
    CHECK_EQ_INT(imp.n_trees, 10);
    CHECK_EQ_INT(imp.n_trees_used, 10);
    free(X);
    jahs_space_free(sp);
}

JAHS_TEST(fanova_lite_recovers_additive_first_order_indices)
{
    jahs_error err = {0};
    jahs_space *sp = toy_space();
    double *X = malloc(TOY_N * sp->n * sizeof *X), y[TOY_N], inc[JAHS_MAX_PARAMS];
    jahs_imp_opts o;
    jahs_importance imp;
    int p;
    toy_data(sp, TOY_N, X, y, inc);
    jahs_imp_opts_default(&o);
    o.method = JAHS_IMP_FANOVA_LITE;
    CHECK_OK(jahs_importance_compute(sp, X, y, TOY_N, NULL, &o, &imp, &err),
             &err);
    for (p = 0; p < sp->n; p++) {
        /* 0.04 absolute (measured: within 0.02; the indices sum to
         * slightly less than 1) */
        CHECK_NEAR(imp.p[p].mean, toy_share[p], 0.04);
    }
    free(X);
    jahs_space_free(sp);
}

JAHS_TEST(lpi_exclude_incumbent_zeroes_two_choice_categoricals)
{
    jahs_error err = {0};
    jahs_space *sp = toy_space();
    double *X = malloc(600 * sp->n * sizeof *X), y[600], inc[JAHS_MAX_PARAMS];
    jahs_imp_opts o;
    jahs_importance a, b;
    toy_data(sp, 600, X, y, inc);
    jahs_imp_opts_default(&o);
    CHECK_OK(jahs_importance_compute(sp, X, y, 600, inc, &o, &a, &err), &err);
    o.exclude_incumbent = 1;
    CHECK_OK(jahs_importance_compute(sp, X, y, 600, inc, &o, &b, &err), &err);
    /* t matters (share ~0.07) but has one neighbour only: DeepCAVE's
     * variance over neighbours is 0 */
    CHECK(a.p[4].mean > 0.03);
    CHECK_EQ_DBL(b.p[4].mean, 0);
    /* k's incumbent value is its only good choice: its three neighbours all
     * score alike, so leaving the incumbent out hides k as well */
    CHECK(a.p[3].mean > 0.3);
    CHECK(b.p[3].mean < 0.02);
    CHECK(b.p[0].mean > a.p[0].mean);
    free(X);
    jahs_space_free(sp);
}

JAHS_TEST(importance_rejects_too_little_data_and_bad_options)
{
    jahs_error err = {0};
    jahs_space *sp = toy_space();
    double X[2 * JAHS_MAX_PARAMS] = {0}, y[2] = {1, 2};
    jahs_imp_opts o;
    jahs_importance imp;
    jahs_imp_opts_default(&o);
    CHECK(jahs_importance_compute(sp, X, y, 1, X, &o, &imp, &err) < 0);
    CHECK_CONTAINS(err.msg, "at least 2 evaluations, got 1");
    o.grid = 1;
    CHECK(jahs_importance_compute(sp, X, y, 2, X, &o, &imp, &err) < 0);
    CHECK_CONTAINS(err.msg, "bad importance options");
    jahs_imp_opts_default(&o);
    CHECK(jahs_importance_compute(sp, X, y, 2, NULL, &o, &imp, &err) < 0);
    CHECK_CONTAINS(err.msg, "LPI needs an incumbent");
    CHECK_EQ_INT(jahs_imp_method_parse("fanova-lite"), JAHS_IMP_FANOVA_LITE);
    CHECK_EQ_INT(jahs_imp_method_parse("fanova"), -1);
    jahs_space_free(sp);
}

/* ---- run directories ----------------------------------------------------- */

/*
 * nb201 run directory.  Row "ASHA toy", seeds 0 and 1: 300 evaluations per
 * seed at 20 epochs with val = 50 + 10 u(lr) + 8 [edge_1_0 = nor_conv_3x3],
 * plus 100 at 6 epochs whose score ignores both (they must not be used).
 * LPI shares (analytic, incumbent included): lr 100/12 = 8.333, edge_1_0
 * population variance of {0,0,0,8,0} = 10.24: lr 0.4487, edge_1_0 0.5513,
 * everything else 0.  Row "Pinned": seed 0 only, lr and wd pinned.  Row
 * "Live": no journals.  Row "Thin": 12 evaluations, too few for 13
 * parameters (a caution in the Markdown).
 */
static const char *imp_exp =
    "name = imp\nseeds = 0, 1\nfolds = 2\nbudget_hours = 1\n"
    "[ASHA toy]\nspace = nb201\noptimizer = asha\n"
    "[Pinned]\nspace = nb201\noptimizer = random\nfix = lr=0.1,wd=0.0005\n"
    "[Live]\nspace = seqcnn\nevaluator = live\noptimizer = asha\n"
    "[Thin]\nspace = nb201\noptimizer = asha\nseeds = 0\n";

static void write_imp_rundir(const char *dir)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    int lr = jahs_space_find(sp, "lr"), e10 = jahs_space_find(sp, "edge_1_0");
    int e20 = jahs_space_find(sp, "edge_2_0");
    fx_eval *ev = calloc(400, sizeof *ev);
    unsigned seed;
    int i;
    fx_write_experiment(dir, imp_exp);
    for (seed = 0; seed < 2; seed++) {
        jahs_rng *rng = jahs_rng_create(seed, "test/imp-rundir", 0, &err);
        for (i = 0; i < 400; i++) {
            fx_sample(sp, rng, ev[i].x);
            ev[i].epochs = i % 4 == 3 ? 6 : 20;
            ev[i].cost = 100 + i;
            ev[i].val = ev[i].epochs == 6
                            ? 90 - 30 * jahs_rng_uniform(rng)
                            : 50 + 10 * jahs_param_to_unit(&sp->params[lr],
                                                           ev[i].x[lr]) +
                                  (ev[i].x[e10] == 3 ? 8 : 0);
        }
        fx_write_journal(fx_journal_path(dir, "asha-toy", seed), sp, ev, 400);
        jahs_rng_free(rng);
    }
    {
        jahs_rng *rng = jahs_rng_create(9, "test/imp-rundir", 1, &err);
        for (i = 0; i < 60; i++) {
            fx_sample(sp, rng, ev[i].x);
            ev[i].x[lr] = 0.1;
            ev[i].x[jahs_space_find(sp, "wd")] = 0.0005;
            ev[i].epochs = 20;
            ev[i].cost = 10;
            ev[i].val = 60 + (ev[i].x[e20] == 1 ? 5 : 0);
        }
        fx_write_journal(fx_journal_path(dir, "pinned", 0), sp, ev, 60);
        fx_write_journal(fx_journal_path(dir, "thin", 0), sp, ev, 12);
        jahs_rng_free(rng);
    }
    free(ev);
    jahs_space_free(sp);
}

/* importance of (row label, parameter) from importance.csv; NAN if absent */
static double csv_importance(const char *path, const char *row,
                             const char *param, char *status, int *rank)
{
    jahs_error err = {0};
    jahs_csv_reader *r = jahs_csv_reader_open(path, &err);
    double v = NAN;
    CHECK(r != NULL);
    if (!r)
        return NAN;
    CHECK_OK(jahs_csv_read_header(r, &err), &err);
    while (jahs_csv_next(r, &err) == 1) {
        if (strcmp(jahs_csv_field(r, 0), row) != 0 ||
            strcmp(jahs_csv_field(r, 4), param) != 0)
            continue;
        jahs_parse_double(jahs_csv_field(r, 7), &v);
        if (status)
            snprintf(status, 16, "%s", jahs_csv_field(r, 6));
        if (rank) {
            long k = 0;
            jahs_parse_long(jahs_csv_field(r, 9), &k);
            *rank = (int)k;
        }
    }
    jahs_csv_reader_free(r);
    return v;
}

JAHS_TEST(analyze_importance_on_a_run_directory)
{
    jahs_error err = {0};
    const char *dir = jahs_test_path("run"), *out = jahs_test_path("imp");
    const char *out2 = jahs_test_path("imp2");
    char path[1024], path2[1024], status[16] = "";
    char *a = NULL, *b = NULL;
    jahs_analyze_opts o;
    int n_rows = -1, plots = -1, rank = 0;
    double v;
    write_imp_rundir(dir);
    jahs_analyze_opts_default(&o);
    setenv("JAHS_NO_PLOTS", "1", 1);
    CHECK_OK(jahs_analyze_importance(dir, &o, out, &n_rows, &plots, &err),
             &err);
    CHECK_EQ_INT(n_rows, 3);
    CHECK_EQ_INT(plots, 0);
    snprintf(path, sizeof path, "%s/importance.csv", out);
    v = csv_importance(path, "ASHA toy", "lr", status, &rank);
    CHECK_NEAR(v, 0.4487, 0.05);
    CHECK_STR(status, "ok");
    v = csv_importance(path, "ASHA toy", "edge_1_0", NULL, NULL);
    CHECK_NEAR(v, 0.5513, 0.05);
    CHECK(csv_importance(path, "ASHA toy", "dropout_2", NULL, NULL) < 0.02);
    CHECK_EQ_DBL(csv_importance(path, "Pinned", "lr", status, &rank), 0);
    CHECK_STR(status, "fixed");
    CHECK_EQ_INT(rank, 0);
    CHECK(csv_importance(path, "Pinned", "edge_2_0", NULL, &rank) > 0.5);
    CHECK_EQ_INT(rank, 1);
    CHECK(isnan(csv_importance(path, "Live", "n_layers", NULL, NULL)));
    CHECK_OK(jahs_read_file(path, &a, NULL, &err), &err);
    CHECK_CONTAINS(a, "row,slug,space,method,parameter,group,status,importance,"
                      "std,rank,trees_used,evaluations,fidelity,seeds\n");
    /* 2 x 300 evaluations at 20 epochs, seeds pooled */
    CHECK_CONTAINS(a, ",10,600,20,\"0, 1\"\n");
    free(a);
    snprintf(path, sizeof path, "%s/importance.md", out);
    CHECK_OK(jahs_read_file(path, &a, NULL, &err), &err);
    CHECK_CONTAINS(a, "## ASHA toy");
    CHECK_CONTAINS(a, "Seeds 0, 1 (2 journals, 0 finished); 800 evaluations, "
                      "600 at 20 epochs (epochs present: 6, 20).");
    CHECK_CONTAINS(a, "Architecture order: edge_1_0 > ");
    CHECK_CONTAINS(a, "Pinned by the row (not varied): `lr`, `wd`.");
    CHECK_CONTAINS(a, "## Live");
    CHECK_CONTAINS(a, "Not analysed: not run (no journals).");
    CHECK_CONTAINS(a, "Caution: 12 evaluations for 13 varied parameters");
    CHECK(strstr(a, "Caution") == strstr(a, "Caution: 12 "));
    free(a);
    /* byte-identical on a second run */
    CHECK_OK(jahs_analyze_importance(dir, &o, out2, NULL, NULL, &err), &err);
    snprintf(path, sizeof path, "%s/importance.csv", out);
    snprintf(path2, sizeof path2, "%s/importance.csv", out2);
    CHECK_OK(jahs_read_file(path, &a, NULL, &err), &err);
    CHECK_OK(jahs_read_file(path2, &b, NULL, &err), &err);
    CHECK(a && b && strcmp(a, b) == 0);
    free(a);
    free(b);
    snprintf(path, sizeof path, "%s/importance.md", out);
    snprintf(path2, sizeof path2, "%s/importance.md", out2);
    CHECK_OK(jahs_read_file(path, &a, NULL, &err), &err);
    CHECK_OK(jahs_read_file(path2, &b, NULL, &err), &err);
    CHECK(a && b && strcmp(a, b) == 0);
    free(a);
    free(b);
    /* one seed; a lower fidelity; a fidelity nobody reached */
    o.pool_all = 0;
    o.pool_seed = 1;
    CHECK_OK(jahs_analyze_importance(dir, &o, out2, &n_rows, NULL, &err), &err);
    CHECK_EQ_INT(n_rows, 1);
    snprintf(path, sizeof path, "%s/importance.md", out2);
    CHECK_OK(jahs_read_file(path, &a, NULL, &err), &err);
    CHECK_CONTAINS(a, "Not analysed: no journal for seed 1.");
    CHECK_CONTAINS(a, "Seeds 1 (1 journal, 0 finished); 400 evaluations, 300 at "
                      "20 epochs");
    free(a);
    o.pool_all = 1;
    o.fidelity = 6;
    o.rows = "toy";
    CHECK_OK(jahs_analyze_importance(dir, &o, out2, &n_rows, NULL, &err), &err);
    snprintf(path, sizeof path, "%s/importance.csv", out2);
    CHECK_OK(jahs_read_file(path, &a, NULL, &err), &err);
    CHECK_CONTAINS(a, ",200,6,\"0, 1\"\n");
    free(a);
    o.fidelity = 7;
    CHECK(jahs_analyze_importance(dir, &o, out2, NULL, NULL, &err) < 0);
    CHECK_CONTAINS(err.msg, "could be analysed (first: [ASHA toy]: 0 "
                            "evaluations at 7 epochs (need 2; epochs present: "
                            "6, 20))");
    unsetenv("JAHS_NO_PLOTS");
}

JAHS_TEST(analyze_importance_conditional_parameters)
{
    jahs_error err = {0};
    const char *dir = jahs_test_path("seq"), *out = jahs_test_path("seq/imp");
    jahs_space *sp = jahs_space_create("seqcnn", &err);
    jahs_rng *rng = jahs_rng_create(3, "test/imp-seq", 0, &err);
    fx_eval ev[300];
    jahs_analyze_opts o;
    char path[1024], status[16] = "";
    int i, nl = jahs_space_find(sp, "n_layers"), lr = jahs_space_find(sp, "lr");
    int c0 = jahs_space_find(sp, "channels_0");
    /* fewer layers are better, so the incumbent has n_layers = 1 and
     * channels_1..6 are inactive there */
    fx_write_experiment(dir, "name = seq\nseeds = 4\n[Seq]\nspace = seqcnn\n"
                             "evaluator = live\noptimizer = asha\n");
    for (i = 0; i < 300; i++) {
        fx_sample(sp, rng, ev[i].x);
        ev[i].epochs = 20;
        ev[i].cost = 1;
        ev[i].val = 70 - 3 * ev[i].x[nl] +
                    5 * jahs_param_to_unit(&sp->params[c0], ev[i].x[c0]) +
                    10 * jahs_param_to_unit(&sp->params[lr], ev[i].x[lr]);
    }
    fx_write_journal(fx_journal_path(dir, "seq", 4), sp, ev, 300);
    jahs_analyze_opts_default(&o);
    setenv("JAHS_NO_PLOTS", "1", 1);
    CHECK_OK(jahs_analyze_importance(dir, &o, out, NULL, NULL, &err), &err);
    unsetenv("JAHS_NO_PLOTS");
    snprintf(path, sizeof path, "%s/importance.csv", out);
    CHECK_EQ_DBL(csv_importance(path, "Seq", "channels_3", status, NULL), 0);
    CHECK_STR(status, "inactive");
    CHECK(csv_importance(path, "Seq", "n_layers", status, NULL) > 0.1);
    CHECK_STR(status, "ok");
    CHECK(csv_importance(path, "Seq", "lr", NULL, NULL) >
          csv_importance(path, "Seq", "dropout", NULL, NULL));
    CHECK(csv_importance(path, "Seq", "channels_0", NULL, NULL) > 0.02);
    snprintf(path, sizeof path, "%s/importance.md", out);
    {
        char *md = NULL;
        CHECK_OK(jahs_read_file(path, &md, NULL, &err), &err);
        CHECK_CONTAINS(md, "Inactive at the incumbent (importance 0): "
                           "`channels_1`, `channels_2`");
        CHECK_CONTAINS(md, "`n_layers=1,channels_0=");
        free(md);
    }
    jahs_rng_free(rng);
    jahs_space_free(sp);
}

JAHS_TEST(analyze_importance_bad_run_directories)
{
    jahs_error err = {0};
    jahs_analyze_opts o;
    const char *out = jahs_test_path("o");
    char dir[1024], msg[1400];
    jahs_analyze_opts_default(&o);
    /* missing */
    snprintf(dir, sizeof dir, "%s", jahs_test_path("absent"));
    CHECK(jahs_analyze_importance(dir, &o, out, NULL, NULL, &err) < 0);
    snprintf(msg, sizeof msg, "run directory '%s' does not exist", dir);
    CHECK_CONTAINS(err.msg, msg);
    /* a directory without experiment.exp */
    snprintf(dir, sizeof dir, "%s", jahs_test_path("empty"));
    CHECK_OK(jahs_mkdirs(dir, &err), &err);
    CHECK(jahs_analyze_importance(dir, &o, out, NULL, NULL, &err) < 0);
    snprintf(msg, sizeof msg, "'%s/experiment.exp' is missing", dir);
    CHECK_CONTAINS(err.msg, msg);
    /* a broken experiment file names its line */
    fx_write_experiment(dir, "[a]\noptimizer = nope\n");
    CHECK(jahs_analyze_importance(dir, &o, out, NULL, NULL, &err) < 0);
    CHECK_CONTAINS(err.msg, "experiment.exp:2: key 'optimizer'");
    /* no journals */
    fx_write_experiment(dir, "seeds = 0\n[A]\n");
    CHECK(jahs_analyze_importance(dir, &o, out, NULL, NULL, &err) < 0);
    snprintf(msg, sizeof msg, "no journals under '%s/runs'", dir);
    CHECK_CONTAINS(err.msg, msg);
    /* no row matches */
    o.rows = "zzz";
    CHECK(jahs_analyze_importance(dir, &o, out, NULL, NULL, &err) < 0);
    CHECK_CONTAINS(err.msg, "matches 'zzz'");
    o.rows = NULL;
    /* a journal with a wrong header names the journal */
    snprintf(msg, sizeof msg, "%s/runs/a", dir);
    CHECK_OK(jahs_mkdirs(msg, &err), &err);
    jahs_test_write("empty/runs/a/seed0.csv", "seq,worker,start\n1,0,0\n");
    CHECK(jahs_analyze_importance(dir, &o, out, NULL, NULL, &err) < 0);
    snprintf(msg, sizeof msg, "%s/runs/a/seed0.csv:1: journal header has 3 "
                              "columns",
             dir);
    CHECK_CONTAINS(err.msg, msg);
    CHECK(!jahs_path_exists(jahs_test_path("o/importance.csv")));
}

JAHS_TEST(analyze_importance_cli)
{
    const char *dir = jahs_test_path("run");
    char *out = NULL;
    write_imp_rundir(dir);
    CHECK_EQ_INT(jahs_test_sh(&out,
                              "JAHS_NO_PLOTS=1 %s analyze importance %s --rows "
                              "toy --trees 4 --method fanova-lite --samples 50 "
                              "--out %s",
                              jahs_test_bin(), dir, jahs_test_path("o")),
                 0);
    CHECK_CONTAINS(out, "(1 row analysed, fanova-lite)");
    free(out);
    CHECK(jahs_path_exists(jahs_test_path("o/importance.md")));
    CHECK_EQ_INT(jahs_test_sh(&out, "%s analyze importance %s --method fanova",
                              jahs_test_bin(), dir),
                 2);
    CHECK_CONTAINS(out, "option '--method' expects lpi or fanova-lite");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s analyze importance %s --fidelity top",
                              jahs_test_bin(), dir),
                 2);
    CHECK_CONTAINS(out, "option '--fidelity' expects max or epochs");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s analyze importance %s --seed-pool x",
                              jahs_test_bin(), dir),
                 2);
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s analyze importance %s/nope",
                              jahs_test_bin(), dir),
                 1);
    CHECK_CONTAINS(out, "does not exist");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s analyze importance --help",
                              jahs_test_bin()),
                 0);
    CHECK_CONTAINS(out, "usage: jahs analyze importance RUNDIR");
    free(out);
}
