/*
 * test_stats.c - known answers of the bootstrap and the Mann-Whitney test
 * (core/stats.h) on hand-made samples.
 */
#include <math.h>
#include <stdlib.h>

#include "core/error.h"
#include "core/stats.h"
#include "harness.h"

typedef struct {
    const double *a, *b;
    int na, nb;
} samples;

static double mean_w(const double *x, const int *w, int n)
{
    double s = 0;
    int i, k = 0;
    for (i = 0; i < n; i++) {
        s += w[i] * x[i];
        k += w[i];
    }
    return s / k;
}

static double diff_stat(void *ctx, const int *const *w)
{
    const samples *s = ctx;
    return mean_w(s->a, w[0], s->na) - mean_w(s->b, w[1], s->nb);
}

static double mean_stat(void *ctx, const int *const *w)
{
    const samples *s = ctx;
    return mean_w(s->a, w[0], s->na);
}

/* NAN whenever member 0 is not drawn: P = (1 - 1/n)^n */
static double undefined_stat(void *ctx, const int *const *w)
{
    (void)ctx;
    return w[0][0] ? 1.0 : NAN;
}

JAHS_TEST(stats_bootstrap_known_answers)
{
    static const double five[] = {5, 5, 5}, one[] = {1, 1, 1}, zo[] = {0, 1};
    double x[30], m = 0, sd = 0, se;
    samples s = {five, one, 3, 3};
    jahs_boot_ci ci, ci2;
    int n[2] = {3, 3}, i;
    /* constant samples: the interval is the point */
    CHECK_OK(jahs_bootstrap(2, n, diff_stat, &s, 1000, 0.95, 7, &ci), NULL);
    CHECK_NEAR(ci.lo, 4, 1e-12);
    CHECK_NEAR(ci.hi, 4, 1e-12);
    CHECK_EQ_INT(ci.undefined, 0);
    CHECK_EQ_INT(ci.resamples, 1000);
    /* {0, 1}: resampled means 0 (1/4), 0.5 (1/2), 1 (1/4): the 2.5 % and
     * 97.5 % quantiles are 0 and 1 */
    s.a = zo;
    s.na = 2;
    n[0] = 2;
    CHECK_OK(jahs_bootstrap(1, n, mean_stat, &s, 10000, 0.95, 7, &ci), NULL);
    CHECK_NEAR(ci.lo, 0, 1e-12);
    CHECK_NEAR(ci.hi, 1, 1e-12);
    /* at the 40 % level the quantiles 0.3 and 0.7 are both 0.5 */
    CHECK_OK(jahs_bootstrap(1, n, mean_stat, &s, 10000, 0.40, 7, &ci), NULL);
    CHECK_NEAR(ci.lo, 0.5, 1e-12);
    CHECK_NEAR(ci.hi, 0.5, 1e-12);
    /* 30 values: the interval of the mean is close to mean -+ 1.96 se with
     * se = sd sqrt((n - 1) / n) / sqrt(n) (the bootstrap's plug-in se) */
    for (i = 0; i < 30; i++) {
        x[i] = (double)((i * 7) % 30);
        m += x[i] / 30;
    }
    for (i = 0; i < 30; i++)
        sd += (x[i] - m) * (x[i] - m) / 29;
    se = sqrt(sd) * sqrt(29.0 / 30) / sqrt(30.0);
    s.a = x;
    s.na = 30;
    n[0] = 30;
    CHECK_OK(jahs_bootstrap(1, n, mean_stat, &s, 20000, 0.95, 3, &ci), NULL);
    CHECK_NEAR(ci.lo, m - 1.96 * se, 0.1 * 1.96 * se);
    CHECK_NEAR(ci.hi, m + 1.96 * se, 0.1 * 1.96 * se);
    /* the same seed: the same interval; another seed: another */
    CHECK_OK(jahs_bootstrap(1, n, mean_stat, &s, 20000, 0.95, 3, &ci2), NULL);
    CHECK_EQ_DBL(ci.lo, ci2.lo);
    CHECK_EQ_DBL(ci.hi, ci2.hi);
    CHECK_OK(jahs_bootstrap(1, n, mean_stat, &s, 500, 0.95, 4, &ci2), NULL);
    CHECK(ci2.lo != ci.lo || ci2.hi != ci.hi);
    /* undefined resamples are counted: (2/3)^3 = 0.296 of them at n = 3 */
    n[0] = 3;
    CHECK_OK(jahs_bootstrap(1, n, undefined_stat, NULL, 20000, 0.95, 5, &ci),
             NULL);
    CHECK_NEAR(ci.undefined / 20000.0, 8.0 / 27.0, 0.015);
    CHECK_NEAR(ci.lo, 1, 1e-12);
    /* bad arguments */
    CHECK_EQ_INT(jahs_bootstrap(0, n, mean_stat, &s, 10, 0.95, 1, &ci),
                 JAHS_EINVAL);
    CHECK_EQ_INT(jahs_bootstrap(5, n, mean_stat, &s, 10, 0.95, 1, &ci),
                 JAHS_EINVAL);
    CHECK_EQ_INT(jahs_bootstrap(1, n, mean_stat, &s, 0, 0.95, 1, &ci),
                 JAHS_EINVAL);
    CHECK_EQ_INT(jahs_bootstrap(1, n, mean_stat, &s, 10, 1.0, 1, &ci),
                 JAHS_EINVAL);
    n[0] = 0;
    CHECK_EQ_INT(jahs_bootstrap(1, n, mean_stat, &s, 10, 0.95, 1, &ci),
                 JAHS_EINVAL);
}

JAHS_TEST(stats_mann_whitney_known_answers)
{
    static const double a3[] = {1, 2, 3}, b3[] = {4, 5, 6};
    static const double c3[] = {1, 2, 5}, d3[] = {3, 4, 6};
    static const double a5[] = {1, 2, 3, 4, 5}, b5[] = {6, 7, 8, 9, 10};
    static const double t1[] = {1, 2, 2}, t2[] = {2, 3, 4};
    double u, p, big_a[40], big_b[40];
    int exact, i;
    /* 3 vs 3, separated: U = 0, P(U <= 0) = 1 / C(6, 3) = 1 / 20, p = 0.1 */
    CHECK_OK(jahs_mann_whitney(a3, 3, b3, 3, &u, &p, &exact), NULL);
    CHECK_NEAR(u, 0, 0);
    CHECK_NEAR(p, 0.1, 1e-12);
    CHECK_EQ_INT(exact, 1);
    CHECK_OK(jahs_mann_whitney(b3, 3, a3, 3, &u, &p, &exact), NULL);
    CHECK_NEAR(u, 9, 0);
    CHECK_NEAR(p, 0.1, 1e-12);
    /* U = 2: counts of U over the 20 orderings 1 1 2 3 3 3 3 2 1 1, P(U <=
     * 2) = 4 / 20, p = 0.4 */
    CHECK_OK(jahs_mann_whitney(c3, 3, d3, 3, &u, &p, &exact), NULL);
    CHECK_NEAR(u, 2, 0);
    CHECK_NEAR(p, 0.4, 1e-12);
    /* 5 vs 5 separated: 2 / C(10, 5) = 2 / 252 */
    CHECK_OK(jahs_mann_whitney(a5, 5, b5, 5, &u, &p, &exact), NULL);
    CHECK_NEAR(p, 2.0 / 252.0, 1e-12);
    /* ties: normal approximation.  U = 1 (two half ties); var = 9/12 (7 -
     * 24/30) = 4.65; z = (|1 - 4.5| - 0.5) / sqrt(4.65) = 1.39122; p =
     * erfc(z / sqrt 2) = 0.164160 */
    CHECK_OK(jahs_mann_whitney(t1, 3, t2, 3, &u, &p, &exact), NULL);
    CHECK_NEAR(u, 1, 0);
    CHECK_EQ_INT(exact, 0);
    CHECK_NEAR(p, 0.16415972847851523, 1e-9);
    /* 30 vs 30 separated, exact: 2 / C(60, 30) = 1.6919e-17 */
    for (i = 0; i < 30; i++) {
        big_a[i] = i;
        big_b[i] = 100 + i;
    }
    CHECK_OK(jahs_mann_whitney(big_a, 30, big_b, 30, &u, &p, &exact), NULL);
    CHECK_EQ_INT(exact, 1);
    CHECK_NEAR(p / (2.0 / 1.1826458156486e17), 1, 1e-6);
    /* interleaved 40 vs 40 (beyond the exact limit): U = 40 * 40 / 2 + 20
     * ... any p near 1 */
    for (i = 0; i < 40; i++) {
        big_a[i] = 2 * i;
        big_b[i] = 2 * i + 1;
    }
    CHECK_OK(jahs_mann_whitney(big_a, 40, big_b, 40, &u, &p, &exact), NULL);
    CHECK_EQ_INT(exact, 0);
    CHECK_NEAR(u, 780, 0);
    CHECK(p > 0.8);
    CHECK_EQ_INT(jahs_mann_whitney(a3, 0, b3, 3, &u, &p, &exact), JAHS_EINVAL);
}
