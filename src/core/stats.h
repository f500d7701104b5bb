/*
 * stats.h - the statistics that decide the poster's claims (exp/claims.c):
 * a percentile bootstrap over independent groups of seeds and the
 * Mann-Whitney rank test.
 *
 * Bootstrap (Efron & Tibshirani 1993, "An Introduction to the Bootstrap",
 * ch. 13, the percentile interval): each resample draws, for every group g
 * independently, n_g members with replacement (as counts w_g[i], summing to
 * n_g) and evaluates the statistic on the counts; the interval is the
 * (1 - level) / 2 and (1 + level) / 2 quantiles of the resampled statistics
 * (GSL's gsl_stats_quantile_from_sorted_data: linear interpolation, R's
 * type 7).  The random numbers come from a GSL mt19937 generator seeded with
 * the caller's fixed seed, so the same data give the same interval.  With
 * very few members (3 seeds: 10 distinct resamples per group) the interval
 * is coarse and tends to be too narrow; it is reported, not hidden.
 */
#ifndef JAHS_CORE_STATS_H
#define JAHS_CORE_STATS_H

#include <stdint.h>

#define JAHS_BOOT_MAX_GROUPS 4

/* The statistic of one resample: w[g][i] is how many times member i of
 * group g was drawn.  NAN: not defined for this resample (counted). */
typedef double (*jahs_boot_stat)(void *ctx, const int *const *w);

typedef struct jahs_boot_ci {
    double lo, hi;  /* the interval over the resamples that gave a number */
    int resamples;  /* drawn */
    int undefined;  /* gave NAN (lo / hi ignore them) */
} jahs_boot_ci;

/*
 * Percentile bootstrap interval of stat at the given level (0.95) from
 * resamples draws over n_groups groups of n[g] >= 1 members each.  Returns
 * 0, or JAHS_EINVAL (bad arguments) / JAHS_ENOMEM; when every resample is
 * undefined lo and hi are NAN.
 */
int jahs_bootstrap(int n_groups, const int *n, jahs_boot_stat stat, void *ctx,
                   int resamples, double level, uint64_t seed,
                   jahs_boot_ci *out);

/*
 * Two-sided Mann-Whitney U test of a (na) against b (nb), both >= 1.  *u is
 * U of a (pairs a > b, plus half the ties), *p the two-sided p-value: exact
 * (the null distribution of U counted by recursion, Mann & Whitney 1947)
 * when there are no ties and na + nb <= 60; else the normal approximation
 * with the tie correction of the variance and a continuity correction of
 * 0.5 (as scipy.stats.mannwhitneyu method="asymptotic").  *exact says which.
 * Returns 0, JAHS_EINVAL or JAHS_ENOMEM.
 */
int jahs_mann_whitney(const double *a, int na, const double *b, int nb,
                      double *u, double *p, int *exact);

#endif
