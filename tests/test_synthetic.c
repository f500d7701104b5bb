/*
 * test_synthetic.c - the synthetic multi-fidelity functions: known optima,
 * accuracy rising with epochs, low fidelities misleading a little, the
 * evaluator's costs and every error path.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "eval/eval.h"
#include "eval/synthetic.h"
#include "harness.h"

/* A space of d floats on the given ranges (unit cube when lo = 0, hi = 1). */
static jahs_space *float_space(int d, const double *lo, const double *hi)
{
    jahs_space *sp = calloc(1, sizeof *sp);
    int i;
    snprintf(sp->name, sizeof sp->name, "float%d", d);
    for (i = 0; i < d; i++) {
        char nm[8];
        snprintf(nm, sizeof nm, "x%d", i + 1);
        jahs_space_add_float(sp, nm, JAHS_GROUP_HP, lo ? lo[i] : 0,
                             hi ? hi[i] : 1, 0, "test");
    }
    jahs_space_finish(sp);
    return sp;
}

static double value(const char *fn, const jahs_space *sp, const double *x,
                    int epochs)
{
    jahs_error err = {0};
    double v = NAN;
    CHECK_OK(jahs_synthetic_value(fn, sp, x, epochs, &v, NULL, &err), &err);
    return v;
}

/* Branin: 100 - 0.397887 / 3 = 99.867371 at each of the three optima; a
 * 201 x 201 grid over its domain finds nothing better. */
JAHS_TEST(synthetic_branin_optimum)
{
    jahs_error err = {0};
    const double lo[2] = {-5, 0}, hi[2] = {10, 15};
    jahs_space *sp = float_space(2, lo, hi);
    double x[2], acc, best = -1e9;
    const double others[2][2] = {{M_PI, 2.275}, {9.42478, 2.475}};
    int i, j;
    CHECK_OK(jahs_synthetic_optimum("branin", sp, x, &acc, &err), &err);
    CHECK_NEAR(x[0], -M_PI, 1e-9);
    CHECK_NEAR(x[1], 12.275, 1e-9);
    CHECK_NEAR(acc, 100 - 0.397887 / 3, 1e-5);
    for (i = 0; i < 2; i++)
        CHECK_NEAR(value("branin", sp, others[i], 20), acc, 1e-5);
    for (i = 0; i <= 200; i++)
        for (j = 0; j <= 200; j++) {
            double y[2] = {-5 + 15 * i / 200.0, 15 * j / 200.0};
            double v = value("branin", sp, y, 20);
            if (v > best)
                best = v;
        }
    CHECK(best <= acc + 1e-9);
    CHECK(best > acc - 0.05);
    free(sp);
}

/* Hartmann-6: 100 at its optimum; 2000 uniform points stay below. */
JAHS_TEST(synthetic_hartmann6_optimum)
{
    jahs_error err = {0};
    jahs_space *sp = float_space(6, NULL, NULL);
    jahs_rng *rng = jahs_rng_create(1, "test/h6", 0, &err);
    double x[6], acc;
    int k;
    CHECK_OK(jahs_synthetic_optimum("hartmann6", sp, x, &acc, &err), &err);
    CHECK_NEAR(acc, 100, 1e-3);
    CHECK_NEAR(x[0], 0.20169, 1e-12);
    for (k = 0; k < 2000; k++) {
        double y[6];
        jahs_space_sample(sp, rng, y);
        CHECK(value("hartmann6", sp, y, 20) < acc);
    }
    jahs_rng_free(rng);
    free(sp);
}

/* cellhp: 75 at the optimum (the best NB201 cell, lr 0.2, wd 3e-4, dropout
 * 0.1, batch 128, TrivialAugment on); each single change costs what the
 * header says: conv3x3 -> none on edge_1_0 costs 5, TrivialAugment off 2. */
JAHS_TEST(synthetic_cellhp_optimum_and_penalties)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    jahs_rng *rng = jahs_rng_create(2, "test/cellhp", 0, &err);
    double x[JAHS_MAX_PARAMS], y[JAHS_MAX_PARAMS], acc;
    jahs_buf b = {0};
    int k;
    CHECK_OK(jahs_synthetic_optimum("cellhp", sp, x, &acc, &err), &err);
    CHECK_NEAR(acc, 75, 1e-12);
    jahs_config_format(sp, x, &b);
    CHECK_CONTAINS(b.data, "edge_1_0=nor_conv_3x3,edge_2_0=nor_conv_3x3,"
                           "edge_2_1=nor_conv_3x3,edge_3_0=skip_connect,"
                           "edge_3_1=nor_conv_3x3,edge_3_2=nor_conv_3x3");
    CHECK_CONTAINS(b.data, "batch_size=128,trivial_augment=on");
    jahs_buf_free(&b);
    memcpy(y, x, sizeof y);
    y[jahs_space_find(sp, "edge_1_0")] = 0;
    CHECK_NEAR(value("cellhp", sp, y, 20), 70, 1e-12);
    memcpy(y, x, sizeof y);
    y[jahs_space_find(sp, "trivial_augment")] = 0;
    CHECK_NEAR(value("cellhp", sp, y, 20), 73, 1e-12);
    for (k = 0; k < 2000; k++) {
        jahs_space_sample(sp, rng, y);
        CHECK(value("cellhp", sp, y, 20) < acc);
    }
    /* cell64 has two dropouts; the function reads it by name too */
    {
        jahs_space *c64 = jahs_space_create("cell64", &err);
        CHECK_OK(jahs_synthetic_optimum("cellhp", c64, y, &acc, &err), &err);
        CHECK_NEAR(acc, 75, 1e-12);
        jahs_space_free(c64);
    }
    jahs_rng_free(rng);
    jahs_space_free(sp);
}

/* Every config's accuracy rises with epochs (1..20), for every function. */
JAHS_TEST(synthetic_accuracy_rises_with_epochs)
{
    jahs_error err = {0};
    const char *fns[3] = {"branin", "hartmann6", "cellhp"};
    jahs_space *sps[3];
    jahs_rng *rng = jahs_rng_create(3, "test/rise", 0, &err);
    int f, k, e;
    sps[0] = float_space(2, NULL, NULL);
    sps[1] = float_space(6, NULL, NULL);
    sps[2] = jahs_space_create("nb201", &err);
    for (f = 0; f < 3; f++)
        for (k = 0; k < 300; k++) {
            double x[JAHS_MAX_PARAMS], prev = -1e9;
            jahs_space_sample(sps[f], rng, x);
            for (e = 1; e <= 20; e++) {
                double v = value(fns[f], sps[f], x, e);
                if (!(v > prev))
                    jahs_test_fail(__FILE__, __LINE__,
                                   "%s: accuracy fell from %g to %g at %d "
                                   "epochs",
                                   fns[f], prev, v, e);
                prev = v;
            }
        }
    free(sps[0]);
    free(sps[1]);
    jahs_space_free(sps[2]);
    jahs_rng_free(rng);
}

/* Low rungs mislead a little: over 300 random configs, the order at 2 epochs
 * agrees with the order at 20 for most pairs (concordance > 0.75) but not
 * all (< 0.999), for each function.  (Measured with these seeds: branin
 * 0.989, hartmann6 0.998 - Kandasamy et al.'s weight shift misleads least -
 * cellhp 0.949.) */
JAHS_TEST(synthetic_low_fidelity_misleads_a_little)
{
    jahs_error err = {0};
    const char *fns[3] = {"branin", "hartmann6", "cellhp"};
    jahs_space *sps[3];
    jahs_rng *rng = jahs_rng_create(4, "test/mislead", 0, &err);
    int f, i, j;
    sps[0] = float_space(2, NULL, NULL);
    sps[1] = float_space(6, NULL, NULL);
    sps[2] = jahs_space_create("nb201", &err);
    for (f = 0; f < 3; f++) {
        double lo[300], hi[300];
        long conc = 0, pairs = 0;
        for (i = 0; i < 300; i++) {
            double x[JAHS_MAX_PARAMS];
            jahs_space_sample(sps[f], rng, x);
            lo[i] = value(fns[f], sps[f], x, 2);
            hi[i] = value(fns[f], sps[f], x, 20);
        }
        for (i = 0; i < 300; i++)
            for (j = i + 1; j < 300; j++) {
                pairs++;
                conc += (lo[i] - lo[j]) * (hi[i] - hi[j]) > 0;
            }
        if (!((double)conc / pairs > 0.75 && (double)conc / pairs < 0.999))
            jahs_test_fail(__FILE__, __LINE__,
                           "%s: concordance of 2 vs 20 epochs %.4f outside "
                           "(0.75, 0.999)",
                           fns[f], (double)conc / pairs);
    }
    free(sps[0]);
    free(sps[1]);
    jahs_space_free(sps[2]);
    jahs_rng_free(rng);
}

JAHS_TEST(synthetic_evaluator_costs_and_errors)
{
    jahs_error err = {0};
    jahs_space *sp = float_space(2, NULL, NULL);
    jahs_space *nb = jahs_space_create("nb201", &err);
    jahs_eval_options o;
    jahs_eval *ev;
    jahs_eval_request rq;
    jahs_eval_result r;
    double x[2] = {0.5, 0.25}, v20, v;
    jahs_eval_options_defaults(&o);
    o.space = sp;
    o.synthetic = "branin";
    ev = jahs_eval_open(jahs_eval_find("synthetic"), &o, &err);
    CHECK(ev != NULL);
    memset(&rq, 0, sizeof rq);
    rq.space = sp;
    rq.config = x;
    rq.epochs = 6;
    rq.resume_from = 2;
    CHECK_OK(jahs_eval_run(ev, &rq, &r, &err), &err);
    CHECK_NEAR(r.cost, 4 * 1.5, 1e-12); /* 4 extra epochs x (1 + 0.5) s */
    CHECK_NEAR(r.test_acc, r.val_acc - 1, 1e-12);
    CHECK_NEAR(r.val_acc, value("branin", sp, x, 6), 1e-12);
    rq.resume_from = 7;
    CHECK(jahs_eval_run(ev, &rq, &r, &err) < 0);
    CHECK_CONTAINS(err.msg, "bad request");
    rq.resume_from = 0;
    x[0] = 2; /* out of range */
    CHECK(jahs_eval_run(ev, &rq, &r, &err) < 0);
    CHECK_CONTAINS(err.msg, "bad value 2 for 'x1'");
    x[0] = 0.5;
    rq.space = nb;
    CHECK(jahs_eval_run(ev, &rq, &r, &err) < 0);
    CHECK_CONTAINS(err.msg, "evaluator opened on 'float2'");
    jahs_eval_close(ev);
    /* no resume: every epoch charged */
    o.resume = 0;
    ev = jahs_eval_open(jahs_eval_find("synthetic"), &o, &err);
    rq.space = sp;
    rq.resume_from = 2;
    CHECK_OK(jahs_eval_run(ev, &rq, &r, &err), &err);
    CHECK_NEAR(r.cost, 6 * 1.5, 1e-12);
    jahs_eval_close(ev);
    /* ":E" moves full fidelity: 20 epochs of branin:200 is not full */
    v20 = value("branin", sp, x, 20);
    v = value("branin:200", sp, x, 20);
    CHECK(v < v20 - 1);
    CHECK_NEAR(value("branin:200", sp, x, 200), v20, 1e-12);
    /* errors: unknown function, bad suffix, wrong space, missing name */
    o.synthetic = "rosenbrock";
    CHECK(jahs_eval_open(jahs_eval_find("synthetic"), &o, &err) == NULL);
    CHECK_CONTAINS(err.msg, "unknown synthetic function 'rosenbrock'");
    o.synthetic = "branin:0";
    CHECK(jahs_eval_open(jahs_eval_find("synthetic"), &o, &err) == NULL);
    CHECK_CONTAINS(err.msg, "NAME:E with E an integer >= 1");
    o.synthetic = "hartmann6";
    CHECK(jahs_eval_open(jahs_eval_find("synthetic"), &o, &err) == NULL);
    CHECK_CONTAINS(err.msg, "needs a space of 6 numeric parameters");
    o.synthetic = "branin";
    o.space = nb;
    CHECK(jahs_eval_open(jahs_eval_find("synthetic"), &o, &err) == NULL);
    CHECK_CONTAINS(err.msg, "some categorical");
    o.synthetic = "cellhp";
    o.space = sp;
    CHECK(jahs_eval_open(jahs_eval_find("synthetic"), &o, &err) == NULL);
    CHECK_CONTAINS(err.msg, "needs a categorical parameter 'edge_1_0'");
    o.synthetic = NULL;
    CHECK(jahs_eval_open(jahs_eval_find("synthetic"), &o, &err) == NULL);
    CHECK_CONTAINS(err.msg, "no synthetic function named");
    o.synthetic = "branin";
    o.space = NULL;
    CHECK(jahs_eval_open(jahs_eval_find("synthetic"), &o, &err) == NULL);
    CHECK_CONTAINS(err.msg, "needs a space");
    /* cellhp: edges with other choices, or no 'lr' */
    {
        static const char *const three[3] = {"a", "b", "c"};
        static const char *const ops[5] = {"none", "skip_connect",
                                           "nor_conv_1x1", "nor_conv_3x3",
                                           "avg_pool_3x3"};
        static const char *const edges[6] = {"edge_1_0", "edge_2_0",
                                             "edge_2_1", "edge_3_0",
                                             "edge_3_1", "edge_3_2"};
        jahs_space *cs = calloc(1, sizeof *cs);
        int e;
        snprintf(cs->name, sizeof cs->name, "cells");
        jahs_space_add_cat(cs, "edge_1_0", JAHS_GROUP_ARCH, three, 3, "t");
        CHECK(jahs_synthetic_optimum("cellhp", cs, NULL, &v, &err) < 0);
        CHECK_CONTAINS(err.msg, "must have NB201's 5 operations in order");
        memset(cs, 0, sizeof *cs);
        snprintf(cs->name, sizeof cs->name, "cells");
        for (e = 0; e < 6; e++)
            jahs_space_add_cat(cs, edges[e], JAHS_GROUP_ARCH, ops, 5, "t");
        CHECK(jahs_synthetic_optimum("cellhp", cs, NULL, &v, &err) < 0);
        CHECK_CONTAINS(err.msg, "needs a numeric parameter 'lr'");
        free(cs);
    }
    CHECK(jahs_synthetic_value("branin", sp, x, 0, &v, NULL, &err) < 0);
    CHECK_CONTAINS(err.msg, "epochs must be >= 1");
    free(sp);
    jahs_space_free(nb);
}
