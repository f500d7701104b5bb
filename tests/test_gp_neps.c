/*
 * test_gp_neps.c - NEPS v0.11's GP (src/opt/gp_neps.h): the posterior on
 * two points worked by hand (Matern and Hamming parts), the objective's
 * gradient against central differences, torch's Adam first step and NEPS's
 * clamps, the likelihood carried from fit to fit, and the error paths.
 */
#include <math.h>
#include <stdlib.h>

#include "harness.h"
#include "opt/gp_neps.h"

static double m52(double d)
{
    return (1 + sqrt(5) * d + 5.0 / 3.0 * d * d) * exp(-sqrt(5) * d);
}

static jahs_neps_gp *make(int nc, int nh, int iters)
{
    jahs_error err = {0};
    jahs_neps_gp_opts o;
    jahs_neps_gp *g;
    jahs_neps_gp_opts_defaults(&o);
    o.iters = iters;
    g = jahs_neps_gp_create(nc, nh, &o, &err);
    CHECK(g != NULL);
    return g;
}

/*
 * One numeric input plus the constant fidelity (nc = 2), no categorical:
 * one kernel, K = M / M(1e-4).  Points u = 0 and 1, targets 1 and 3: mean 2,
 * unbiased std sqrt 2, y' = -+1/sqrt 2.  k = K(0, 1) = M(sqrt(1 + 1e-8)) /
 * m0 = 0.523994; A = [[1 + lik, k], [k, 1 + lik]], lik = 1e-3.
 *   at u = 0.5: by symmetry mean 2; var = 2 (1 + lik - 2 ks^2 / (1 + lik + k))
 *     with ks = M(sqrt(0.25 + 1e-8)) / m0 = 0.828649: 0.200919;
 *   at u = 0: K_s = (1, k): mean = 2 + (k - 1) / (1 + lik - k) = 1.002096,
 *     var = 2 (1 + lik - [(1 + lik) - 2k^2 + k^2 (1 + lik)] / det) = 0.003997.
 * Categoricals only (nc = 1, the fidelity; nh = 2): weights 1/2 each, K =
 * (m0 + H) / (m0 + 1).  Points (0, 0), (1, 1) (H = e^-1), query (0, 1)
 * (H = e^-1/2 to both): mean 2, var = 2 (1 + lik - 2 ks^2 / (1 + lik + k))
 * with k = (m0 + e^-1) / (m0 + 1), ks = (m0 + e^-1/2) / (m0 + 1): 0.470230.
 */
JAHS_TEST(gp_neps_posterior_by_hand)
{
    jahs_error err = {0};
    jahs_neps_gp *g = make(2, 0, 0);
    double xc[4] = {0, 0.5, 1, 0.5}, y[2] = {1, 3};
    double q[4] = {0.5, 0.5, 0, 0.5}, mean[2], var[2];
    double m0 = m52(1e-4), lik = 1e-3;
    double k = m52(sqrt(1 + 1e-8)) / m0, ks = m52(sqrt(0.25 + 1e-8)) / m0;
    double det = (1 + lik) * (1 + lik) - k * k;
    CHECK_NEAR(k, 0.523994110316236, 1e-12);
    CHECK_OK(jahs_neps_gp_fit(g, xc, NULL, y, 2, &err), &err);
    CHECK_NEAR(jahs_neps_gp_best(g), 1, 0);
    CHECK_OK(jahs_neps_gp_predict(g, q, NULL, 2, mean, var, &err), &err);
    CHECK_NEAR(mean[0], 2, 1e-12);
    CHECK_NEAR(var[0], 2 * (1 + lik - 2 * ks * ks / (1 + lik + k)), 1e-12);
    CHECK_NEAR(var[0], 0.200919199840903, 1e-9);
    CHECK_NEAR(mean[1], 2 + (k - 1) / (1 + lik - k), 1e-12);
    CHECK_NEAR(mean[1], 1.0020964101735994, 1e-9);
    CHECK_NEAR(var[1],
               2 * (1 + lik - ((1 + lik) - 2 * k * k + k * k * (1 + lik)) / det),
               1e-12);
    CHECK_NEAR(var[1], 0.003997247849588215, 1e-9);
    jahs_neps_gp_free(g);

    g = make(1, 2, 0);
    {
        double c[2] = {0, 0}, h[4] = {0, 0, 1, 1}, qc[1] = {0}, qh[2] = {0, 1};
        double kk = (m0 + exp(-1)) / (m0 + 1), kq = (m0 + exp(-0.5)) / (m0 + 1);
        CHECK_OK(jahs_neps_gp_fit(g, c, h, y, 2, &err), &err);
        CHECK_OK(jahs_neps_gp_predict(g, qc, qh, 1, mean, var, &err), &err);
        CHECK_NEAR(mean[0], 2, 1e-12);
        CHECK_NEAR(var[0], 2 * (1 + lik - 2 * kq * kq / (1 + lik + kk)),
                   1e-12);
        CHECK_NEAR(var[0], 0.470229619247706, 1e-9);
    }
    jahs_neps_gp_free(g);
}

/* six points in 3 numeric + 2 categorical inputs */
static const double XC[18] = {0.1, 0.2, 0.5, 0.8, 0.3, 0.5, 0.4, 0.9, 0.5,
                              0.6, 0.6, 0.5, 0.2, 0.7, 0.5, 0.95, 0.05, 0.5};
static const double XH[12] = {0, 1, 1, 1, 2, 0, 0, 0, 1, 2, 2, 2};
static const double Y[6] = {-50, -62, -48, -70, -55, -61};

JAHS_TEST(gp_neps_gradient_matches_differences)
{
    jahs_error err = {0};
    jahs_neps_gp *g = make(3, 2, 0);
    double p[6] = {0.3, 0.6, 4e-3, 0.5, 0.8, 1.0}, grad[6], f;
    int k;
    CHECK_EQ_INT(jahs_neps_gp_n_params(g), 6);
    CHECK_OK(jahs_neps_gp_fit(g, XC, XH, Y, 6, &err), &err);
    CHECK_OK(jahs_neps_gp_objective(g, p, &f, grad, &err), &err);
    CHECK(isfinite(f));
    for (k = 0; k < 6; k++) {
        double h = 1e-6 * (fabs(p[k]) > 1e-3 ? fabs(p[k]) : 1e-3), fp, fm;
        double q[6];
        int i;
        for (i = 0; i < 6; i++)
            q[i] = p[i];
        q[k] = p[k] + h;
        CHECK_OK(jahs_neps_gp_objective(g, q, &fp, NULL, &err), &err);
        q[k] = p[k] - h;
        CHECK_OK(jahs_neps_gp_objective(g, q, &fm, NULL, &err), &err);
        CHECK_NEAR(grad[k], (fp - fm) / (2 * h),
                   1e-6 * (1 + fabs(grad[k])));
    }
    jahs_neps_gp_free(g);
}

/*
 * torch's Adam, first step: m = (1 - b1) g, v = (1 - b2) g^2, so the step is
 * lr / (1 - b1) m / (sqrt(v) / sqrt(1 - b2) + eps) = 0.1 g / (|g| + 1e-8):
 * every learned parameter moves by 0.1 against its gradient's sign, then
 * NEPS's clamps apply (the likelihood 1e-3 +- 0.1 lands on 1e-5 or 0.01, a
 * lengthscale 1 + 0.1 on exp(0.0858637988771976)).  The second fit starts
 * from fresh weights and lengthscales but the likelihood the first left.
 */
JAHS_TEST(gp_neps_adam_step_clamps_and_carried_likelihood)
{
    jahs_error err = {0};
    jahs_neps_gp *a = make(3, 2, 0), *b = make(3, 2, 1);
    double p0[6], g0[6], p1[6], p2[6], f, fresh[6];
    int learned[6], k;
    const double lo = exp(-6.754111155189306), hi = exp(0.0858637988771976);
    CHECK_OK(jahs_neps_gp_fit(a, XC, XH, Y, 6, &err), &err);
    jahs_neps_gp_get_params(a, p0, learned);
    for (k = 0; k < 6; k++)
        CHECK_EQ_INT(learned[k], 1);
    CHECK_NEAR(p0[0], 0.5, 0);
    CHECK_NEAR(p0[2], 1e-3, 0);
    CHECK_NEAR(p0[3], 1, 0);
    CHECK_OK(jahs_neps_gp_objective(a, p0, &f, g0, &err), &err);
    CHECK_OK(jahs_neps_gp_fit(b, XC, XH, Y, 6, &err), &err);
    jahs_neps_gp_get_params(b, p1, NULL);
    for (k = 0; k < 6; k++) {
        double want = p0[k] - 0.1 * g0[k] / (fabs(g0[k]) + 1e-8);
        if (k < 2)
            want = want < 0 ? 0 : want > 1 ? 1 : want;
        else if (k == 2)
            want = want < 1e-5 ? 1e-5 : want > 0.01 ? 0.01 : want;
        else
            want = want < lo ? lo : want > hi ? hi : want;
        CHECK_NEAR(p1[k], want, 1e-12);
    }
    CHECK(p1[2] == 1e-5 || p1[2] == 0.01);
    /* second fit: weights 1/2, lengthscales 1, likelihood p1[2] */
    for (k = 0; k < 6; k++)
        fresh[k] = k < 2 ? 0.5 : k == 2 ? p1[2] : 1;
    CHECK_OK(jahs_neps_gp_objective(a, fresh, &f, g0, &err), &err);
    CHECK_OK(jahs_neps_gp_fit(b, XC, XH, Y, 6, &err), &err);
    jahs_neps_gp_get_params(b, p2, NULL);
    {
        double want = p1[2] - 0.1 * g0[2] / (fabs(g0[2]) + 1e-8);
        want = want < 1e-5 ? 1e-5 : want > 0.01 ? 0.01 : want;
        CHECK_NEAR(p2[2], want, 1e-15);
        CHECK_NEAR(p2[0], 0.5 - 0.1 * g0[0] / (fabs(g0[0]) + 1e-8), 1e-12);
    }
    jahs_neps_gp_free(a);
    jahs_neps_gp_free(b);

    /* one numeric input (the fidelity) and no categorical: one kernel, one
     * lengthscale: only the likelihood learns */
    b = make(1, 0, 20);
    {
        double c[3] = {0.5, 0.5, 0.5}, y3[3] = {1, 2, 4}, p[3];
        CHECK_EQ_INT(jahs_neps_gp_n_params(b), 3);
        CHECK_OK(jahs_neps_gp_fit(b, c, NULL, y3, 3, &err), &err);
        jahs_neps_gp_get_params(b, p, learned);
        CHECK_EQ_INT(learned[0], 0);
        CHECK_EQ_INT(learned[1], 1);
        CHECK_EQ_INT(learned[2], 0);
        CHECK_NEAR(p[0], 1, 0);
        CHECK_NEAR(p[2], 1, 0);
        CHECK(p[1] >= 1e-5 && p[1] <= 0.01);
    }
    jahs_neps_gp_free(b);
}

JAHS_TEST(gp_neps_errors)
{
    jahs_error err = {0};
    jahs_neps_gp *g;
    double xc[2] = {0, 1}, y[2] = {0, 1}, bad[2] = {0, NAN}, m, v;
    double p[3] = {1, -1, 1};
    CHECK(jahs_neps_gp_create(0, 1, NULL, &err) == NULL);
    CHECK_CONTAINS(err.msg, "continuous inputs");
    g = make(1, 1, 20);
    CHECK_EQ_INT(jahs_neps_gp_predict(g, xc, xc, 1, &m, &v, &err),
                 JAHS_ESTATE);
    CHECK_CONTAINS(err.msg, "predict before a fit");
    CHECK_EQ_INT(jahs_neps_gp_objective(g, p, &m, NULL, &err), JAHS_ESTATE);
    CHECK_EQ_INT(jahs_neps_gp_fit(g, xc, NULL, y, 2, &err), JAHS_EINVAL);
    CHECK_CONTAINS(err.msg, "categorical inputs expected");
    CHECK_EQ_INT(jahs_neps_gp_fit(g, xc, xc, y, 0, &err), JAHS_EINVAL);
    CHECK_EQ_INT(jahs_neps_gp_fit(g, xc, xc, bad, 2, &err), JAHS_ENUMERIC);
    CHECK_CONTAINS(err.msg, "not a finite number");
    CHECK_EQ_INT(jahs_neps_gp_fit(g, bad, xc, y, 2, &err), JAHS_ENUMERIC);
    CHECK_CONTAINS(err.msg, "not positive definite");
    CHECK_OK(jahs_neps_gp_fit(g, xc, xc, y, 2, &err), &err);
    CHECK_EQ_INT(jahs_neps_gp_predict(g, xc, NULL, 1, &m, &v, &err),
                 JAHS_EINVAL);
    {
        double q[4] = {0.5, 0.5, -1, 1};
        CHECK_EQ_INT(jahs_neps_gp_set_params(g, q, &err), JAHS_EINVAL);
        CHECK_CONTAINS(err.msg, "positive likelihood");
        q[2] = 2e-3;
        CHECK_OK(jahs_neps_gp_set_params(g, q, &err), &err);
        q[0] = q[1] = 0; /* both weights 0: no kernel */
        CHECK_EQ_INT(jahs_neps_gp_objective(g, q, &m, NULL, &err),
                     JAHS_ENUMERIC);
    }
    jahs_neps_gp_free(g);
    jahs_neps_gp_free(NULL);
}
