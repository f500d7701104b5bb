/*
 * bench_space.c - cost of the space primitives every optimizer decision uses:
 * uniform and prior sampling, encoding, mutation, prior density, promotion
 * picks.  Prints a table of median nanoseconds per call over 15 repeats.
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/rng.h"
#include "core/util.h"
#include "opt/rungs.h"
#include "space/prior.h"
#include "space/space.h"

#define REPS 15
#define ITERS 20000

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static volatile double sink;

int main(void)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    jahs_prior *pr = jahs_prior_build(sp, JAHS_COVER_HP, JAHS_CONF_MEDIUM, NULL,
                                      &err);
    jahs_rng *rng = jahs_rng_create(1, "bench/space", 0, &err);
    const char *names[] = {"uniform sample", "prior sample (hp)", "encode",
                           "mutate (p=0.5)", "prior logpdf", "promotion pick (n=243)"};
    double scores[243];
    int prom[243] = {0};
    int which, r, i;
    if (!sp || !pr || !rng) {
        fprintf(stderr, "bench_space: %s\n", err.msg);
        return 1;
    }
    for (i = 0; i < 243; i++)
        scores[i] = jahs_rng_uniform(rng);
    printf("%-26s %12s\n", "operation (nb201 space)", "ns/call");
    for (which = 0; which < 6; which++) {
        double t[REPS];
        for (r = 0; r < REPS; r++) {
            double x[JAHS_MAX_PARAMS], y[JAHS_MAX_PARAMS], z[JAHS_MAX_ENCODED];
            double t0 = jahs_now();
            jahs_space_sample(sp, rng, x);
            for (i = 0; i < ITERS; i++) {
                switch (which) {
                case 0: jahs_space_sample(sp, rng, x); break;
                case 1: jahs_prior_sample(pr, rng, x); break;
                case 2: jahs_space_encode(sp, x, z); sink = z[0]; break;
                case 3: jahs_space_mutate(sp, rng, x, y, 0.5, 0.25); break;
                case 4: sink = jahs_prior_logpdf(pr, x); break;
                default:
                    sink = (double)jahs_rungs_pick(scores, prom, 243, 3,
                                                   JAHS_PROMO_NEPS);
                }
            }
            t[r] = (jahs_now() - t0) / ITERS * 1e9;
        }
        qsort(t, REPS, sizeof t[0], cmp_dbl);
        printf("%-26s %12.1f\n", names[which], t[REPS / 2]);
    }
    jahs_rng_free(rng);
    jahs_prior_free(pr);
    jahs_space_free(sp);
    return 0;
}
