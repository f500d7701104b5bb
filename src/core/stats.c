/*
 * stats.c - see stats.h.
 */
#include "core/stats.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

#include "core/error.h"

int jahs_bootstrap(int n_groups, const int *n, jahs_boot_stat stat, void *ctx,
                   int resamples, double level, uint64_t seed,
                   jahs_boot_ci *out)
{
    int *w[JAHS_BOOT_MAX_GROUPS] = {0};
    double *vals = NULL;
    gsl_rng *g = NULL;
    int rc = JAHS_ENOMEM, b, k, i, m = 0;
    if (n_groups < 1 || n_groups > JAHS_BOOT_MAX_GROUPS || !stat ||
        resamples < 1 || !(level > 0 && level < 1) || !out)
        return JAHS_EINVAL;
    for (k = 0; k < n_groups; k++)
        if (n[k] < 1)
            return JAHS_EINVAL;
    for (k = 0; k < n_groups; k++)
        if (!(w[k] = malloc((size_t)n[k] * sizeof *w[k])))
            goto out;
    if (!(vals = malloc((size_t)resamples * sizeof *vals)) ||
        !(g = gsl_rng_alloc(gsl_rng_mt19937)))
        goto out;
    gsl_rng_set(g, (unsigned long)(seed ? seed : 1));
    for (b = 0; b < resamples; b++) {
        double v;
        for (k = 0; k < n_groups; k++) {
            for (i = 0; i < n[k]; i++)
                w[k][i] = 0;
            for (i = 0; i < n[k]; i++)
                w[k][gsl_rng_uniform_int(g, (unsigned long)n[k])]++;
        }
        v = stat(ctx, (const int *const *)w);
        if (!isnan(v))
            vals[m++] = v;
    }
    out->resamples = resamples;
    out->undefined = resamples - m;
    out->lo = out->hi = NAN;
    if (m > 0) {
        gsl_sort(vals, 1, (size_t)m);
        out->lo = gsl_stats_quantile_from_sorted_data(vals, 1, (size_t)m,
                                                      (1 - level) / 2);
        out->hi = gsl_stats_quantile_from_sorted_data(vals, 1, (size_t)m,
                                                      (1 + level) / 2);
    }
    rc = 0;
out:
    for (k = 0; k < n_groups; k++)
        free(w[k]);
    free(vals);
    if (g)
        gsl_rng_free(g);
    return rc;
}

/* Counts of U = 0 .. m n over the C(m + n, m) orderings: the coefficients
 * of the Gaussian binomial [m + n, m]_q = prod_{i=1..m} (1 - q^(n+i)) /
 * (1 - q^i), each partial product a polynomial. */
static double *u_counts(int m, int n)
{
    size_t len = (size_t)m * n + (size_t)n + (size_t)m + 1;
    double *c = calloc(len, sizeof *c);
    int i;
    size_t k, deg = 0;
    if (!c)
        return NULL;
    c[0] = 1;
    for (i = 1; i <= m; i++) {
        size_t s = (size_t)(n + i);
        for (k = deg + s; k >= s; k--) /* x (1 - q^s) */
            c[k] -= c[k - s];
        for (k = (size_t)i; k <= deg + s; k++) /* / (1 - q^i) */
            c[k] += c[k - (size_t)i];
        deg += (size_t)n;
    }
    return c;
}

int jahs_mann_whitney(const double *a, int na, const double *b, int nb,
                      double *u, double *p, int *exact)
{
    int i, j, ties = 0, N = na + nb;
    double U = 0;
    if (na < 1 || nb < 1 || !a || !b || !u || !p)
        return JAHS_EINVAL;
    for (i = 0; i < na; i++)
        for (j = 0; j < nb; j++)
            U += a[i] > b[j] ? 1.0 : a[i] == b[j] ? 0.5 : 0.0;
    /* ties anywhere in the pooled sample */
    {
        double *all = malloc((size_t)N * sizeof *all), tsum = 0;
        if (!all)
            return JAHS_ENOMEM;
        for (i = 0; i < na; i++)
            all[i] = a[i];
        for (j = 0; j < nb; j++)
            all[na + j] = b[j];
        gsl_sort(all, 1, (size_t)N);
        for (i = 0; i < N;) {
            int t = 1;
            while (i + t < N && all[i + t] == all[i])
                t++;
            if (t > 1) {
                ties = 1;
                tsum += (double)t * t * t - t;
            }
            i += t;
        }
        free(all);
        *u = U;
        if (!ties && N <= 60) {
            double *c = u_counts(na, nb), total = 0, le = 0, ge = 0;
            int k, mn = na * nb;
            if (!c)
                return JAHS_ENOMEM;
            for (k = 0; k <= mn; k++) {
                total += c[k];
                if (k <= (int)U)
                    le += c[k];
                if (k >= (int)U)
                    ge += c[k];
            }
            free(c);
            *p = fmin(1.0, 2.0 * fmin(le, ge) / total);
            if (exact)
                *exact = 1;
            return 0;
        }
        {
            double mu = na * (double)nb / 2.0;
            double var = na * (double)nb / 12.0 *
                         ((N + 1) - tsum / ((double)N * (N - 1)));
            double z = var > 0 ? (fabs(U - mu) - 0.5) / sqrt(var) : 0;
            *p = var > 0 ? fmin(1.0, 2.0 * gsl_cdf_ugaussian_Q(z)) : 1.0;
            if (exact)
                *exact = 0;
        }
    }
    return 0;
}
