/*
 * test_gp.c - the GP (src/opt/gp.c) and the acquisition (src/opt/acq.c):
 * a posterior worked by hand, the marginal-likelihood gradient against
 * finite differences, the Cholesky extension against a fresh factorisation,
 * EI against its closed form and Monte Carlo, the exclusion set, the EI
 * search, and the error paths.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_blas.h>

#include "core/blas.h"
#include "core/rng.h"
#include "harness.h"
#include "opt/acq.h"
#include "opt/gp.h"
#include "space/space.h"

/*
 * Posterior on three 1-D points, by hand.
 *
 * Model without the resource part, hyperparameters fixed: noise 0.01, c = 0,
 * s2 = 1, inverse bandwidth b = 2 / sqrt(5), so that t = sqrt(5) b |x - x'|
 * = 2 |x - x'| and M(t) = (1 + t + t^2 / 3) e^-t.
 * Data x = 0, 0.5, 1 with y = 1, 2, 3: normalised with mean 2 and population
 * std sqrt(2/3) = 0.8164966, so y' = (-u, 0, u), u = 1.2247449.
 *   a = M(1) = (7/3) e^-1  = 0.8583854   (|x - x'| = 0.5)
 *   b = M(2) = (13/3) e^-2 = 0.5864529   (|x - x'| = 1)
 *   K = [[1.01, a, b], [a, 1.01, a], [b, a, 1.01]]
 * v = (-1, 0, 1) is an eigenvector of K: K v = (1.01 - b) v, eigenvalue
 * lam = 0.4235471, so alpha = K^-1 y' = (u / lam) v = 2.8916379 v.
 * Query x* = 0.25: distances 0.25, 0.25, 0.75, t = 0.5, 0.5, 1.5:
 *   p = M(0.5) = (1 + 0.5 + 0.25/3) e^-0.5 = 0.9603402
 *   q = M(1.5) = (1 + 1.5 + 0.75) e^-1.5   = 0.7251730
 *   k* = (p, p, q)
 * Mean (normalised): k*' alpha = 2.8916379 (q - p) = -0.6800184,
 *   in data units 2 + 0.8164966 (-0.6800184) = 1.4447673.
 * Variance: split k* = A v + (S e1 + p e2) with e1 = (1, 0, 1), e2 = (0, 1, 0),
 *   A = (q - p) / 2 = -0.1175836, S = (p + q) / 2 = 0.8427566.
 *   Antisymmetric part: A^2 |v|^2 / lam = 0.0652863.
 *   Symmetric part: K maps e1 -> (1.01 + b) e1 + 2a e2 and e2 -> a e1 + 1.01 e2;
 *   solving (1.01 + b) w1 + a w2 = S, 2a w1 + 1.01 w2 = p (determinant
 *   0.1387666) gives w1 = 0.1934342, w2 = 0.6220376, and the quadratic form
 *   (S e1 + p e2).(w1 e1 + w2 e2) = 2 S w1 + p w2 = 0.9234037.
 *   var' = 1 - 0.0652863 - 0.9234037 = 0.0113101,
 *   in data units 0.0113101 x 2/3 = 0.0075400.
 */
JAHS_TEST(gp_posterior_three_points_by_hand)
{
    jahs_error err = {0};
    jahs_gp *gp = jahs_gp_create(1, 0, &err);
    double z[3] = {0, 0.5, 1}, y[3] = {1, 2, 3}, q = 0.25, mu, var, bw;
    jahs_gp_params p;
    CHECK(gp != NULL);
    if (!gp)
        return;
    CHECK_OK(jahs_gp_set_data(gp, z, NULL, y, 3, &err), &err);
    jahs_gp_get_params(gp, &p);
    bw = 2 / sqrt(5.0);
    p.noise = 0.01;
    p.mean = 0;
    p.scale = 1;
    p.inv_bw = &bw;
    CHECK_OK(jahs_gp_set_params(gp, &p, &err), &err);
    CHECK_OK(jahs_gp_predict(gp, &q, NULL, 1, &mu, &var, &err), &err);
    CHECK_NEAR(mu, 1.4447673, 2e-7);
    CHECK_NEAR(var, 0.0075400, 2e-7);
    {
        double m, s;
        jahs_gp_target_norm(gp, &m, &s);
        CHECK_NEAR(m, 2.0, 1e-15);
        CHECK_NEAR(s, sqrt(2.0 / 3.0), 1e-15);
    }
    /* before data: the prior (mean c, variance s2, in units mean 0 std 1) */
    CHECK_OK(jahs_gp_set_data(gp, NULL, NULL, NULL, 0, &err), &err);
    CHECK_OK(jahs_gp_predict(gp, &q, NULL, 1, &mu, &var, &err), &err);
    CHECK_NEAR(mu, 0.0, 1e-15);
    CHECK_NEAR(var, 1.0, 1e-15);
    jahs_gp_free(gp);
}

/* A random data set: n points in [0,1]^d, resources from a few levels. */
static void make_data(jahs_rng *rng, size_t n, int d, double *z, double *r,
                      double *y)
{
    static const double lev[4] = {1, 3, 9, 20};
    size_t i;
    int k;
    for (i = 0; i < n; i++) {
        double s = 0;
        for (k = 0; k < d; k++) {
            z[i * d + k] = jahs_rng_uniform(rng);
            s += (z[i * d + k] - 0.3) * (z[i * d + k] - 0.3);
        }
        r[i] = jahs_gp_resource_unit(lev[jahs_rng_int(rng, 4)], 20);
        y[i] = s + 0.5 * exp(-3 * r[i]) + 0.05 * jahs_rng_gaussian(rng, 1);
    }
}

/* Central differences of the objective in every coordinate of theta. */
static void check_gradient(jahs_gp *gp, const double *theta, double rel)
{
    int p = jahs_gp_n_hyper(gp), i;
    double g[200], th[200], f, fp, fm, h = 1e-5;
    CHECK(p <= 200);
    CHECK_EQ_INT(jahs_gp_objective(gp, theta, &f, g), 0);
    CHECK(isfinite(f));
    for (i = 0; i < p; i++) {
        double fd;
        memcpy(th, theta, (size_t)p * sizeof *th);
        th[i] += h;
        CHECK_EQ_INT(jahs_gp_objective(gp, th, &fp, NULL), 0);
        th[i] -= 2 * h;
        CHECK_EQ_INT(jahs_gp_objective(gp, th, &fm, NULL), 0);
        fd = (fp - fm) / (2 * h);
        if (!(fabs(fd - g[i]) <= rel * (1 + fabs(fd))))
            jahs_test_fail(__FILE__, __LINE__,
                           "gradient %d: analytic %.10g, finite diff %.10g", i,
                           g[i], fd);
    }
}

JAHS_TEST(gp_gradient_matches_finite_differences)
{
    jahs_error err = {0};
    jahs_rng *rng = jahs_rng_create(7, "test/gp", 0, &err);
    enum { N = 25, D = 3 };
    double z[N * D], r[N], y[N], theta[200];
    int res, i;
    for (res = 0; res <= 1; res++) {
        jahs_gp *gp = jahs_gp_create(D, res, &err);
        CHECK(gp != NULL);
        if (!gp)
            continue;
        make_data(rng, N, D, z, r, y);
        CHECK_OK(jahs_gp_set_data(gp, z, r, y, N, &err), &err);
        CHECK_EQ_INT(jahs_gp_n_hyper(gp), 3 + D + 3 * res);
        /* at the defaults, and at a point away from them (inside the boxes) */
        jahs_gp_get_theta(gp, theta);
        check_gradient(gp, theta, 1e-5);
        for (i = 0; i < jahs_gp_n_hyper(gp); i++)
            theta[i] += 0.3 * jahs_rng_gaussian(rng, 1);
        theta[0] = log(0.05); /* noise well inside its box */
        check_gradient(gp, theta, 1e-5);
        jahs_gp_free(gp);
    }
    jahs_rng_free(rng);
}

JAHS_TEST(gp_gradient_penalty_outside_box)
{
    jahs_error err = {0};
    jahs_gp *gp = jahs_gp_create(1, 1, &err);
    double z[2] = {0.2, 0.7}, r[2] = {0.1, 0.9}, y[2] = {1, 0}, th[7], f, g[7];
    double f_in, th_in[7];
    CHECK_OK(jahs_gp_set_data(gp, z, r, y, 2, &err), &err);
    jahs_gp_get_theta(gp, th);
    memcpy(th_in, th, sizeof th);
    th_in[0] = log(1e-9); /* noise at its lower edge */
    th[0] = log(1e-9) - 1; /* one unit below */
    CHECK_EQ_INT(jahs_gp_objective(gp, th_in, &f_in, NULL), 0);
    CHECK_EQ_INT(jahs_gp_objective(gp, th, &f, g), 0);
    /* value: the edge's plus 10 * 1^2; gradient: the penalty's only */
    CHECK_NEAR(f, f_in + 10.0, 1e-9);
    CHECK_NEAR(g[0], -20.0, 1e-9);
    jahs_gp_free(gp);
}

JAHS_TEST(gp_fit_increases_evidence_and_predicts)
{
    jahs_error err = {0};
    jahs_rng *rng = jahs_rng_create(3, "test/gp", 1, &err);
    enum { N = 40, D = 2 };
    double z[N * D], r[N], y[N], th[20], f0, f1, mu[2], var[2];
    double qz[4] = {0.3, 0.3, 0.9, 0.9}, qr[2];
    int evals = 0;
    jahs_gp *gp = jahs_gp_create(D, 1, &err);
    make_data(rng, N, D, z, r, y);
    CHECK_OK(jahs_gp_set_data(gp, z, r, y, N, &err), &err);
    jahs_gp_get_theta(gp, th);
    CHECK_EQ_INT(jahs_gp_objective(gp, th, &f0, NULL), 0);
    CHECK_OK(jahs_gp_fit(gp, NULL, &evals, &err), &err);
    jahs_gp_get_theta(gp, th);
    CHECK_EQ_INT(jahs_gp_objective(gp, th, &f1, NULL), 0);
    CHECK(f1 < f0 - 1);
    CHECK(evals > 1);
    /* the function is lowest near z = 0.3 at the largest resource */
    qr[0] = qr[1] = jahs_gp_resource_unit(20, 20);
    CHECK_OK(jahs_gp_predict(gp, qz, qr, 2, mu, var, &err), &err);
    CHECK(mu[0] < mu[1]);
    CHECK(var[0] > 0 && var[1] > 0);
    jahs_gp_free(gp);
    jahs_rng_free(rng);
}

JAHS_TEST(gp_fit_is_deterministic)
{
    jahs_error err = {0};
    enum { N = 30, D = 3 };
    double z[N * D], r[N], y[N], t1[20], t2[20];
    int rep;
    for (rep = 0; rep < 2; rep++) {
        jahs_rng *rng = jahs_rng_create(11, "test/gp", 2, &err);
        jahs_gp *gp = jahs_gp_create(D, 1, &err);
        make_data(rng, N, D, z, r, y);
        CHECK_OK(jahs_gp_set_data(gp, z, r, y, N, &err), &err);
        CHECK_OK(jahs_gp_fit(gp, NULL, NULL, &err), &err);
        jahs_gp_get_theta(gp, rep ? t2 : t1);
        jahs_gp_free(gp);
        jahs_rng_free(rng);
    }
    CHECK(memcmp(t1, t2, (3 + D + 3) * sizeof(double)) == 0);
}

JAHS_TEST(gp_cholesky_extension_equals_fresh_factorisation)
{
    jahs_error err = {0};
    jahs_rng *rng = jahs_rng_create(5, "test/gp", 3, &err);
    enum { N = 30, D = 4 };
    double z[N * D], r[N], y[N], maxdiff = 0;
    jahs_gp *a = jahs_gp_create(D, 1, &err), *b = jahs_gp_create(D, 1, &err);
    const double *La, *Lb;
    size_t ta, tb, i, j;
    make_data(rng, N, D, z, r, y);
    /* a: N - 5 points, then 5 appended one by one; b: all N at once */
    CHECK_OK(jahs_gp_set_data(a, z, r, y, N - 5, &err), &err);
    for (i = N - 5; i < N; i++)
        CHECK_OK(jahs_gp_add_point(a, z + i * D, r[i], y[i], 1, &err), &err);
    CHECK_OK(jahs_gp_set_data(b, z, r, y, N, &err), &err);
    CHECK_EQ_INT(jahs_gp_n(a), N);
    La = jahs_gp_factor(a, &ta);
    Lb = jahs_gp_factor(b, &tb);
    CHECK(La && Lb);
    if (La && Lb)
        for (i = 0; i < N; i++)
            for (j = 0; j <= i; j++) {
                double d = fabs(La[i * ta + j] - Lb[i * tb + j]);
                if (d > maxdiff)
                    maxdiff = d;
            }
    CHECK(maxdiff < 1e-10);
    /* with renormalisation the posteriors agree too */
    {
        double ma[N], va[N], mb[N], vb[N];
        CHECK_OK(jahs_gp_predict(a, z, r, N, ma, va, &err), &err);
        CHECK_OK(jahs_gp_predict(b, z, r, N, mb, vb, &err), &err);
        for (i = 0; i < N; i++) {
            CHECK_NEAR(ma[i], mb[i], 1e-9);
            CHECK_NEAR(va[i], vb[i], 1e-9);
        }
        /* truncating b to N - 5 points gives the first model */
        CHECK_OK(jahs_gp_truncate(b, N - 5, &err), &err);
        CHECK_OK(jahs_gp_set_data(a, z, r, y, N - 5, &err), &err);
        CHECK_OK(jahs_gp_predict(a, z, r, N, ma, va, &err), &err);
        CHECK_OK(jahs_gp_predict(b, z, r, N, mb, vb, &err), &err);
        for (i = 0; i < N; i++) {
            CHECK_NEAR(ma[i], mb[i], 1e-9);
            CHECK_NEAR(va[i], vb[i], 1e-9);
        }
        for (i = N - 5; i < N; i++) /* appended without renormalising */
            CHECK_OK(jahs_gp_add_point(a, z + i * D, r[i], y[i], 0, &err),
                     &err);
        {
            double m0, s0;
            jahs_gp_target_norm(a, &m0, &s0);
            jahs_gp_target_norm(b, &mb[0], &vb[0]);
            CHECK_EQ_DBL(m0, mb[0]); /* still the N - 5 point normalisation */
        }
    }
    /* the appended point is predicted close to its target (low noise) */
    {
        double mu, var;
        jahs_gp_params p;
        jahs_gp_get_params(a, &p);
        p.noise = 1e-6;
        CHECK_OK(jahs_gp_set_params(a, &p, &err), &err);
        CHECK_OK(jahs_gp_predict(a, z + (N - 1) * D, r + N - 1, 1, &mu, &var,
                                 &err),
                 &err);
        CHECK_NEAR(mu, y[N - 1], 1e-2);
    }
    jahs_gp_free(a);
    jahs_gp_free(b);
    jahs_rng_free(rng);
}

/*
 * The refit machinery of issue 18 (gp.c, "fitting"):
 *  - an evaluation budget is a hard limit per start, and the best point
 *    evaluated is kept (the objective never ends above its start);
 *  - the posterior a fit leaves (reused from its last evaluation when that
 *    was the optimum) is the one a fresh factorisation at the same theta
 *    gives, bit for bit;
 *  - the objective at the model's own theta right after an O(n^2) append
 *    (factor reused) matches a fresh factorisation's value and gradient;
 *  - a warm start whose objective is not finite falls back to the defaults.
 */
JAHS_TEST(gp_fit_budget_keeps_the_best_point)
{
    jahs_error err = {0};
    jahs_rng *rng = jahs_rng_create(8, "test/gp", 9, &err);
    enum { N = 40, D = 3 };
    double z[N * D], r[N], y[N], th[20], f0, f1;
    int evals = 0, budget;
    jahs_gp *gp = jahs_gp_create(D, 1, &err);
    jahs_gp_fit_opts o;
    make_data(rng, N, D, z, r, y);
    CHECK_OK(jahs_gp_set_data(gp, z, r, y, N, &err), &err);
    jahs_gp_fit_opts_defaults(&o);
    o.starts = 1;
    for (budget = 2; budget <= 5; budget++) {
        jahs_gp_get_theta(gp, th);
        CHECK_EQ_INT(jahs_gp_objective(gp, th, &f0, NULL), 0);
        o.max_evals = budget;
        CHECK_OK(jahs_gp_fit(gp, &o, &evals, &err), &err);
        if (evals > budget)
            jahs_test_fail(__FILE__, __LINE__, "budget %d: %d evaluations",
                           budget, evals);
        CHECK(evals >= 1);
        jahs_gp_get_theta(gp, th);
        CHECK_EQ_INT(jahs_gp_objective(gp, th, &f1, NULL), 0);
        if (!(f1 <= f0))
            jahs_test_fail(__FILE__, __LINE__,
                           "budget %d: objective %.17g after, %.17g before",
                           budget, f1, f0);
    }
    jahs_gp_free(gp);
    jahs_rng_free(rng);
}

JAHS_TEST(gp_fit_leaves_the_fresh_posterior)
{
    jahs_error err = {0};
    jahs_rng *rng = jahs_rng_create(9, "test/gp", 10, &err);
    enum { N = 30, D = 2 };
    double z[N * D], r[N], y[N], ma[N], va[N], mb[N], vb[N];
    size_t i;
    int budget;
    jahs_gp *gp = jahs_gp_create(D, 1, &err);
    jahs_gp_fit_opts o;
    make_data(rng, N, D, z, r, y);
    jahs_gp_fit_opts_defaults(&o);
    for (budget = 0; budget <= 3; budget += 3) { /* ends at any evaluation */
        o.max_evals = budget;
        CHECK_OK(jahs_gp_set_data(gp, z, r, y, N, &err), &err);
        CHECK_OK(jahs_gp_fit(gp, &o, NULL, &err), &err);
        CHECK_OK(jahs_gp_predict(gp, z, r, N, ma, va, &err), &err);
        /* the same data again: a fresh factorisation at the fitted theta */
        CHECK_OK(jahs_gp_set_data(gp, z, r, y, N, &err), &err);
        CHECK_OK(jahs_gp_predict(gp, z, r, N, mb, vb, &err), &err);
        for (i = 0; i < N; i++) {
            CHECK_EQ_DBL(ma[i], mb[i]);
            CHECK_EQ_DBL(va[i], vb[i]);
        }
    }
    jahs_gp_free(gp);
    jahs_rng_free(rng);
}

JAHS_TEST(gp_objective_reuses_the_appended_factor)
{
    jahs_error err = {0};
    jahs_rng *rng = jahs_rng_create(10, "test/gp", 11, &err);
    enum { N = 30, D = 3, P = 3 + D + 3 };
    double z[N * D], r[N], y[N], th[P], fa, fb, ga[P], gb[P];
    int k;
    jahs_gp *a = jahs_gp_create(D, 1, &err), *b = jahs_gp_create(D, 1, &err);
    make_data(rng, N, D, z, r, y);
    CHECK_OK(jahs_gp_set_data(a, z, r, y, N - 1, &err), &err);
    CHECK_OK(jahs_gp_fit(a, NULL, NULL, &err), &err);
    CHECK_OK(jahs_gp_add_point(a, z + (N - 1) * D, r[N - 1], y[N - 1], 1, &err),
             &err);
    jahs_gp_get_theta(a, th);
    CHECK_EQ_INT(jahs_gp_objective(a, th, &fa, ga), 0); /* reused factor */
    CHECK_OK(jahs_gp_set_data(b, z, r, y, N, &err), &err);
    CHECK_EQ_INT(jahs_gp_objective(b, th, &fb, gb), 0); /* fresh factor */
    CHECK_NEAR(fa, fb, 1e-9 * fabs(fb));
    for (k = 0; k < P; k++)
        CHECK_NEAR(ga[k], gb[k], 1e-7 * (1 + fabs(gb[k])));
    /* value only, then again with the gradient: the same value */
    CHECK_EQ_INT(jahs_gp_objective(a, th, &fb, NULL), 0);
    CHECK_EQ_DBL(fa, fb);
    jahs_gp_free(a);
    jahs_gp_free(b);
    jahs_rng_free(rng);
}

JAHS_TEST(gp_failed_warm_start_falls_back_to_the_defaults)
{
    jahs_error err = {0};
    jahs_rng *rng = jahs_rng_create(12, "test/gp", 12, &err);
    enum { N = 20, D = 2 };
    double z[N * D], r[N], y[N], th[20], f;
    jahs_gp *gp = jahs_gp_create(D, 1, &err);
    jahs_gp_params p;
    jahs_gp_fit_opts o;
    make_data(rng, N, D, z, r, y);
    CHECK_OK(jahs_gp_set_data(gp, z, r, y, N, &err), &err);
    /* an unbounded mean this far out: the objective overflows there */
    jahs_gp_get_params(gp, &p);
    p.mean = 1e300;
    CHECK_OK(jahs_gp_set_params(gp, &p, &err), &err);
    jahs_gp_get_theta(gp, th);
    CHECK_EQ_INT(jahs_gp_objective(gp, th, &f, NULL), 0);
    CHECK(!isfinite(f));
    jahs_gp_fit_opts_defaults(&o);
    o.starts = 1; /* warm start only: the chain must try the defaults */
    CHECK_OK(jahs_gp_fit(gp, &o, NULL, &err), &err);
    jahs_gp_get_params(gp, &p);
    CHECK(fabs(p.mean) < 10);
    jahs_gp_get_theta(gp, th);
    CHECK_EQ_INT(jahs_gp_objective(gp, th, &f, NULL), 0);
    CHECK(isfinite(f));
    jahs_gp_free(gp);
    jahs_rng_free(rng);
}

/* The build links OpenBLAS: the GP's factorisation goes through LAPACK. */
JAHS_TEST(gp_uses_lapack_with_openblas)
{
#ifdef JAHS_BLAS_OPENBLAS
    CHECK_EQ_INT(jahs_gp_uses_lapack(), 1);
#else
    CHECK_EQ_INT(jahs_gp_uses_lapack(), 0);
#endif
}

/*
 * OpenBLAS's pool stays stopped (core/blas.h): in a forked child (which
 * starts with the calling thread only), creating a GP and multiplying two
 * 300 x 300 matrices leaves one thread.  Before core/blas.c the GP's
 * openblas_set_num_threads(1) restarted the pool after the fork (a second
 * thread spinning on sched_yield).
 */
JAHS_TEST(gp_openblas_pool_stays_stopped)
{
    pid_t pid;
    int status = 0;
    if (getenv("OPENBLAS_NUM_THREADS")) {
        jahs_test_skip("OPENBLAS_NUM_THREADS is set: the pool is the user's");
        return;
    }
    jahs_blas_one_thread();
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        jahs_error err = {0};
        jahs_gp *gp = jahs_gp_create(2, 0, &err);
        gsl_matrix *a = gsl_matrix_alloc(300, 300),
                   *c = gsl_matrix_alloc(300, 300);
        int n;
        if (!gp || !a || !c)
            _exit(100);
        gsl_matrix_set_all(a, 0.5);
        gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, a, a, 0.0, c);
        n = jahs_process_threads();
        _exit(gsl_matrix_get(c, 7, 7) == 75.0 ? n : 101);
    }
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    /* 1: the caller only; 100 / 101: allocation / product failed */
    CHECK_EQ_INT(WEXITSTATUS(status), 1);
}

JAHS_TEST(gp_duplicate_points_get_jitter_not_failure)
{
    jahs_error err = {0};
    jahs_gp *gp = jahs_gp_create(2, 0, &err);
    double z[6] = {0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, y[3] = {1, 1.0001, 0.9999};
    double mu, var;
    jahs_gp_params p;
    jahs_gp_get_params(gp, &p);
    p.noise = 1e-12;
    p.scale = 1e3;
    CHECK_OK(jahs_gp_set_params(gp, &p, &err), &err);
    CHECK_OK(jahs_gp_set_data(gp, z, NULL, y, 3, &err), &err);
    CHECK_OK(jahs_gp_predict(gp, z, NULL, 1, &mu, &var, &err), &err);
    CHECK_NEAR(mu, 1.0, 1e-3);
    jahs_gp_free(gp);
}

JAHS_TEST(gp_errors)
{
    jahs_error err = {0};
    jahs_gp *gp;
    double z[2] = {0.1, 0.2}, y[2] = {1, NAN}, r[2] = {0.1, -1}, mu, var;
    jahs_gp_params p;
    CHECK(jahs_gp_create(0, 0, &err) == NULL);
    CHECK_EQ_INT(err.code, JAHS_EINVAL);
    CHECK_CONTAINS(err.msg, "dimension");
    gp = jahs_gp_create(1, 1, &err);
    CHECK_EQ_INT(jahs_gp_set_data(gp, z, r, y, 2, &err), JAHS_EINVAL);
    CHECK_CONTAINS(err.msg, "not finite");
    CHECK_EQ_INT(jahs_gp_set_data(gp, z, NULL, y, 1, &err), JAHS_EINVAL);
    CHECK_CONTAINS(err.msg, "needs z, y and r");
    CHECK_EQ_INT(jahs_gp_fit(gp, NULL, NULL, &err), JAHS_ESTATE);
    CHECK_CONTAINS(err.msg, "needs data");
    CHECK_EQ_INT(jahs_gp_predict(gp, z, NULL, 1, &mu, &var, &err), JAHS_EINVAL);
    CHECK_CONTAINS(err.msg, "resources");
    CHECK_EQ_INT(jahs_gp_add_point(gp, z, 0.5, NAN, 1, &err), JAHS_EINVAL);
    CHECK_EQ_INT(jahs_gp_truncate(gp, 5, &err), JAHS_EINVAL);
    CHECK_CONTAINS(err.msg, "truncate");
    jahs_gp_get_params(gp, &p);
    p.noise = -1;
    CHECK_EQ_INT(jahs_gp_set_params(gp, &p, &err), JAHS_EINVAL);
    CHECK_CONTAINS(err.msg, "positive");
    jahs_gp_get_params(gp, &p);
    {
        double bad = 0;
        p.inv_bw = &bad;
        CHECK_EQ_INT(jahs_gp_set_params(gp, &p, &err), JAHS_EINVAL);
        CHECK_CONTAINS(err.msg, "inverse bandwidth");
    }
    {
        jahs_gp_fit_opts o;
        jahs_gp_fit_opts_defaults(&o);
        o.max_iter = 0;
        y[1] = 2;
        r[1] = 0.5;
        CHECK_OK(jahs_gp_set_data(gp, z, r, y, 2, &err), &err);
        CHECK_EQ_INT(jahs_gp_fit(gp, &o, NULL, &err), JAHS_EINVAL);
        CHECK_CONTAINS(err.msg, "max_iter");
    }
    CHECK_OK(jahs_gp_reset_params(gp, &err), &err);
    jahs_gp_free(gp);
    jahs_gp_free(NULL);
}

/* ---- acquisition ------------------------------------------------------- */

/*
 * EI closed form, by hand: EI(0, 1; 0) = phi(0) = 1/sqrt(2 pi) = 0.3989423.
 * EI(1, 2; 0.5): u = -0.25, Phi(-0.25) = 0.4012937, phi(-0.25) = 0.3866681,
 *   EI = 2 (-0.25 x 0.4012937 + 0.3866681) = 0.5726894.
 * sd = 0: max(best - mean, 0).
 */
JAHS_TEST(ei_closed_form_and_monte_carlo)
{
    jahs_error err = {0};
    jahs_rng *rng = jahs_rng_create(1, "test/ei", 0, &err);
    const double cases[3][3] = {{0, 1, 0}, {1, 2, 0.5}, {-0.3, 0.4, -1.0}};
    int c;
    CHECK_NEAR(jahs_ei(0, 1, 0), 0.3989423, 1e-7);
    CHECK_NEAR(jahs_ei(1, 2, 0.5), 0.5726894, 1e-7);
    CHECK_NEAR(jahs_ei(1, 0, 3), 2.0, 0);
    CHECK_NEAR(jahs_ei(1, 0, 0), 0.0, 0);
    /* never negative, increasing in best, increasing in sd */
    CHECK(jahs_ei(5, 1, 0) >= 0);
    CHECK(jahs_ei(0, 1, 0.1) > jahs_ei(0, 1, 0));
    CHECK(jahs_ei(0, 2, 0) > jahs_ei(0, 1, 0));
    for (c = 0; c < 3; c++) {
        double m = cases[c][0], s = cases[c][1], b = cases[c][2];
        double sum = 0, sum2 = 0, mean, se;
        int i, n = 200000;
        for (i = 0; i < n; i++) {
            double f = m + jahs_rng_gaussian(rng, s);
            double imp = b - f > 0 ? b - f : 0;
            sum += imp;
            sum2 += imp * imp;
        }
        mean = sum / n;
        se = sqrt((sum2 / n - mean * mean) / n);
        CHECK_NEAR(jahs_ei(m, s, b), mean, 4 * se);
    }
    jahs_rng_free(rng);
}

JAHS_TEST(config_set_membership)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("nb201", &err);
    jahs_config_set *s = jahs_config_set_create(sp, &err);
    jahs_rng *rng = jahs_rng_create(2, "test/set", 0, &err);
    double x[300][JAHS_MAX_PARAMS], y[JAHS_MAX_PARAMS];
    int i;
    for (i = 0; i < 300; i++) {
        jahs_space_sample(sp, rng, x[i]);
        CHECK_OK(jahs_config_set_add(s, x[i]), &err);
    }
    CHECK_OK(jahs_config_set_add(s, x[7]), &err); /* again: no-op */
    CHECK_EQ_INT(jahs_config_set_size(s), 300);
    for (i = 0; i < 300; i++)
        CHECK(jahs_config_set_contains(s, x[i]));
    memcpy(y, x[3], sizeof y);
    y[sp->n - 1] = y[sp->n - 1] == 0 ? 1 : 0; /* another choice */
    CHECK(!jahs_config_set_contains(s, y));
    jahs_config_set_clear(s);
    CHECK_EQ_INT(jahs_config_set_size(s), 0);
    CHECK(!jahs_config_set_contains(s, x[0]));
    jahs_config_set_free(s);
    jahs_config_set_free(NULL);
    jahs_rng_free(rng);
    jahs_space_free(sp);
}

/* A 2-D float space. */
static jahs_space *float_space(int dims)
{
    jahs_space *sp = calloc(1, sizeof *sp);
    int k;
    for (k = 0; k < dims; k++) {
        char name[8];
        name[0] = 'x';
        name[1] = (char)('0' + k);
        name[2] = 0;
        jahs_space_add_float(sp, name, JAHS_GROUP_HP, 0, 1, 0, "test");
    }
    jahs_space_finish(sp);
    return sp;
}

JAHS_TEST(acq_maximise_finds_the_model_minimum_and_skips_excluded)
{
    jahs_error err = {0};
    jahs_space *sp = float_space(2);
    jahs_gp *gp = jahs_gp_create(2, 0, &err);
    jahs_rng *rng = jahs_rng_create(4, "test/acq", 0, &err), *r2;
    jahs_config_set *ex = jahs_config_set_create(sp, &err);
    jahs_acq_opts o;
    double z[50 * 2], y[50], x[JAHS_MAX_PARAMS], ei, x2[JAHS_MAX_PARAMS];
    int i;
    /* a bowl with its minimum at (0.7, 0.2) */
    for (i = 0; i < 50; i++) {
        z[2 * i] = jahs_rng_uniform(rng);
        z[2 * i + 1] = jahs_rng_uniform(rng);
        y[i] = pow(z[2 * i] - 0.7, 2) + pow(z[2 * i + 1] - 0.2, 2);
    }
    CHECK_OK(jahs_gp_set_data(gp, z, NULL, y, 50, &err), &err);
    CHECK_OK(jahs_gp_fit(gp, NULL, NULL, &err), &err);
    jahs_acq_opts_defaults(&o, 500);
    {
        double best = y[0];
        for (i = 1; i < 50; i++)
            if (y[i] < best)
                best = y[i];
        CHECK_OK(jahs_acq_maximise(sp, gp, 0, best, &o, rng, ex, x, &ei, &err),
                 &err);
        CHECK(ei > 0);
        CHECK(fabs(x[0] - 0.7) < 0.15 && fabs(x[1] - 0.2) < 0.15);
        /* excluded: a different answer; same stream state, same draws */
        CHECK_OK(jahs_config_set_add(ex, x), &err);
        r2 = jahs_rng_create(99, "test/acq", 1, &err);
        CHECK_OK(jahs_acq_maximise(sp, gp, 0, best, &o, r2, ex, x2, NULL, &err),
                 &err);
        CHECK(!jahs_config_equal(sp, x, x2));
        jahs_rng_free(r2);
    }
    jahs_config_set_free(ex);
    jahs_rng_free(rng);
    jahs_gp_free(gp);
    free(sp);
}

JAHS_TEST(acq_maximise_done_when_space_exhausted)
{
    jahs_error err = {0};
    jahs_space *sp = calloc(1, sizeof *sp);
    static const char *const ch[2] = {"a", "b"};
    jahs_gp *gp;
    jahs_rng *rng = jahs_rng_create(4, "test/acq", 2, &err);
    jahs_config_set *ex;
    jahs_acq_opts o;
    double x[JAHS_MAX_PARAMS] = {0}, z[2] = {1, 0}, y = 1;
    jahs_space_add_cat(sp, "c", JAHS_GROUP_HP, ch, 2, "test");
    jahs_space_finish(sp);
    gp = jahs_gp_create(sp->encoded_dim, 0, &err);
    ex = jahs_config_set_create(sp, &err);
    CHECK_OK(jahs_gp_set_data(gp, z, NULL, &y, 1, &err), &err);
    x[0] = 0;
    CHECK_OK(jahs_config_set_add(ex, x), &err);
    x[0] = 1;
    CHECK_OK(jahs_config_set_add(ex, x), &err);
    jahs_acq_opts_defaults(&o, 20);
    CHECK_EQ_INT(jahs_acq_maximise(sp, gp, 0, 1, &o, rng, ex, x, NULL, &err),
                 JAHS_DONE);
    jahs_config_set_free(ex);
    jahs_gp_free(gp);
    jahs_rng_free(rng);
    free(sp);
}
