/*
 * bench_importance.c - cost of `jahs analyze importance` per row: fitting
 * the random forest (10 trees, DeepCAVE's settings) on 500 and 2000
 * evaluations of the nb201 space, LPI around the incumbent (500 grid values
 * per numeric) and fANOVA-lite (500 Monte-Carlo configurations, 50 grid
 * values).  Response: a smooth synthetic function of the configuration.
 * Prints the median wall time of 5 repeats.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/forest.h"
#include "analysis/importance.h"
#include "core/rng.h"
#include "core/util.h"
#include "space/space.h"

#define REPS 5

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double f(const jahs_space *sp, const double *x)
{
    double s = 0;
    int i;
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        double u = p->kind == JAHS_PARAM_CAT ? (x[i] + 0.5) / p->n_choices
                                             : jahs_param_to_unit(p, x[i]);
        s += (i + 1) * sin(3 * u + i);
    }
    return 50 + s;
}

int main(void)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    jahs_rng *rng = jahs_rng_create(1, "bench/importance", 0, &err);
    static const int sizes[2] = {500, 2000};
    int si, r, i;
    if (!sp || !rng) {
        fprintf(stderr, "bench_importance: %s\n", err.msg);
        return 1;
    }
    printf("%-44s %12s\n", "operation (nb201 space, 13 parameters)", "ms");
    for (si = 0; si < 2; si++) {
        int n = sizes[si], best = 0, types[JAHS_MAX_PARAMS];
        double *X = malloc((size_t)n * sp->n * sizeof *X);
        double *E = malloc((size_t)n * sp->n * sizeof *E);
        double *y = malloc((size_t)n * sizeof *y);
        double t[3][REPS];
        jahs_imp_opts o;
        jahs_importance imp;
        jahs_forest_opts fo;
        char label[64];
        for (i = 0; i < n; i++) {
            jahs_space_sample(sp, rng, &X[i * sp->n]);
            y[i] = f(sp, &X[i * sp->n]);
            jahs_imp_encode(sp, &X[i * sp->n], &E[i * sp->n]);
            if (y[i] > y[best])
                best = i;
        }
        jahs_imp_types(sp, types);
        jahs_forest_opts_default(&fo);
        jahs_imp_opts_default(&o);
        for (r = 0; r < REPS; r++) {
            double t0 = jahs_now();
            jahs_forest *fr = jahs_forest_fit(E, y, (size_t)n, sp->n, types,
                                              &fo, &err);
            t[0][r] = jahs_now() - t0;
            jahs_forest_free(fr);
            o.method = JAHS_IMP_LPI;
            t0 = jahs_now();
            if (jahs_importance_compute(sp, X, y, (size_t)n, &X[best * sp->n],
                                        &o, &imp, &err)) {
                fprintf(stderr, "bench_importance: %s\n", err.msg);
                return 1;
            }
            t[1][r] = jahs_now() - t0;
            o.method = JAHS_IMP_FANOVA_LITE;
            t0 = jahs_now();
            if (jahs_importance_compute(sp, X, y, (size_t)n, NULL, &o, &imp,
                                        &err)) {
                fprintf(stderr, "bench_importance: %s\n", err.msg);
                return 1;
            }
            t[2][r] = jahs_now() - t0;
        }
        for (i = 0; i < 3; i++)
            qsort(t[i], REPS, sizeof t[i][0], cmp_dbl);
        snprintf(label, sizeof label, "forest fit, 10 trees, n = %d", n);
        printf("%-44s %12.1f\n", label, 1e3 * t[0][REPS / 2]);
        snprintf(label, sizeof label, "fit + LPI (grid 500), n = %d", n);
        printf("%-44s %12.1f\n", label, 1e3 * t[1][REPS / 2]);
        snprintf(label, sizeof label, "fit + fANOVA-lite (500 x 50), n = %d", n);
        printf("%-44s %12.1f\n", label, 1e3 * t[2][REPS / 2]);
        free(X);
        free(E);
        free(y);
    }
    jahs_rng_free(rng);
    jahs_space_free(sp);
    return 0;
}
