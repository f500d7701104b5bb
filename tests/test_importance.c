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

#ifdef __SANITIZE_ADDRESS__
#define TOY_N 800
#else
#define TOY_N 2000
#endif

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
