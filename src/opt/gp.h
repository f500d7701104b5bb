/*
 * gp.h - Gaussian-process regression over (config, resource), the surrogate
 * of MOBSTER (Klein, Tiao, Lienart, Archambeau, Seeger 2020, "Model-based
 * Asynchronous Hyperparameter and Neural Architecture Search") as Syne Tune
 * defines it (searcher "bayesopt" with a Hyperband scheduler: model
 * "gp_multitask", gp_resource_kernel "exp-decay-sum").
 *
 * Inputs: an encoded config z in [0,1]^dim (jahs_space_encode: numerics one
 * dimension each, categoricals one-hot) and a resource r >= 0 (MOBSTER uses
 * jahs_gp_resource_unit(epochs, max_epochs), Syne Tune's normalisation).
 *
 * Model (all in normalised target units, see below):
 *   f(z, r) ~ GP(m, k),
 *   m(z, r)        = c + gamma kappa(r)
 *   k((z,r),(z',r')) = s2 M52(z, z') + gamma^2 [kappa(r + r') - kappa(r) kappa(r')]
 *   kappa(u)       = (beta / (u + beta))^alpha,   beta = alpha / lam
 *   M52(z, z')     = (1 + t + t^2 / 3) exp(-t),   t = sqrt(5 sum_k b_k^2 (z_k - z'_k)^2)
 *   y = f + eps,  eps ~ N(0, noise)
 * This is Syne Tune's ExponentialDecayResourcesKernelFunction with delta = 0
 * (the additive freeze-thaw kernel of Swersky et al. 2014, centred as in
 * Tiao et al. 2020) and its ExponentialDecayResourcesMeanFunction over a
 * ScalarMeanFunction; M52 is Syne Tune's Matern52 with ARD inverse
 * bandwidths b_k and covariance scale s2.  With the resource part switched
 * off (jahs_gp_create(dim, 0, ...)) the model is the plain GP of Syne Tune's
 * GPFIFOSearcher: m = c, k = s2 M52.
 *
 * Targets are normalised as Syne Tune does (normalize_targets = True):
 * y' = (y - mean(y)) / max(std(y), 1e-9), population std, recomputed by
 * jahs_gp_set_data; predictions are returned in the caller's units.
 *
 * Hyperparameters and their Syne Tune defaults (gpautograd/constants.py,
 * kernel/base.py, kernel/exponential_decay.py, likelihood.py, mean.py):
 *   name      init   box            prior (negative log density on the value)
 *   noise     1e-3   [1e-9, 1e6]    Gamma(mean 0.1, alpha 0.1)
 *   c         0      unbounded      Normal(0, 1)
 *   s2        1      [1e-3, 1e3]    LogNormal(0, 1)
 *   b_k       1      [1e-4, 100]    Uniform (a constant: no effect)
 *   alpha     1      [1e-6, 250]    none
 *   lam       0.5    [1e-4, 50]     none
 *   gamma     0.5    [1e-4, 1]      none
 * They are optimised in log space (c as is): theta = (log noise, c, log s2,
 * log b_1..log b_dim [, log alpha, log lam, log gamma]).  Syne Tune uses
 * L-BFGS-B with these boxes; GSL's vector_bfgs2 is unconstrained, so a
 * coordinate outside its box is evaluated at the box edge plus a quadratic
 * penalty 10 (theta - edge)^2 (continuous, and zero inside the box).
 *
 * The objective is Syne Tune's: negative log marginal likelihood of the
 * normalised targets plus the negative log priors above, with its analytic
 * gradient (Rasmussen & Williams 2006, eq. 5.9, plus the mean's term).
 *
 * Linear algebra: LAPACK's dpotrf / dpotri (the factor and K^-1 for the
 * gradient) through the linked OpenBLAS, or GSL's gsl_linalg_cholesky_decomp1
 * / _invert when the build uses GSL's CBLAS (jahs_gp_uses_lapack); triangular
 * solves through CBLAS; kernel matrices and the candidates' kernel vectors
 * from GEMMs of the scaled inputs.  One BLAS thread (gp.c says why).
 * jahs_gp_add_point extends the factor by one row in O(n^2) instead of
 * refactorising in O(n^3/3).
 */
#ifndef JAHS_OPT_GP_H
#define JAHS_OPT_GP_H

#include <stddef.h>

#include "core/error.h"

typedef struct jahs_gp jahs_gp;

/* Hyperparameters, natural units (positive ones as values, not logs). */
typedef struct jahs_gp_params {
    double noise;    /* noise variance, normalised units */
    double mean;     /* constant mean c */
    double scale;    /* covariance scale s2 of the Matern kernel */
    double alpha;    /* resource kernel: shape */
    double mean_lam; /* resource kernel: mean decay rate (beta = alpha / lam) */
    double gamma;    /* resource kernel: amplitude */
    double *inv_bw;  /* dim inverse bandwidths; points into the model */
} jahs_gp_params;

/* Hyperparameter optimisation settings. */
typedef struct jahs_gp_fit_opts {
    int max_iter;    /* BFGS iterations per start (Syne Tune opt_maxiter: 50) */
    int starts;      /* 1: previous optimum only; 2: also the defaults
                      * (Syne Tune opt_nstarts: 2) */
    double grad_tol; /* stop when |gradient| < grad_tol (1e-4) */
    int max_evals;   /* > 0: stop a start after this many objective
                      * evaluations (line searches included); 0: no limit */
} jahs_gp_fit_opts;

/* Syne Tune's settings: 50 iterations, 2 starts, gradient norm 1e-4, no
 * evaluation limit. */
void jahs_gp_fit_opts_defaults(jahs_gp_fit_opts *o);

/*
 * A model over dim encoded dimensions (1..JAHS_MAX_ENCODED), with the
 * exponential-decay resource part when resource != 0.  Hyperparameters start
 * at the defaults above; there is no data.  Free with jahs_gp_free.
 */
jahs_gp *jahs_gp_create(int dim, int resource, jahs_error *err);
/* NULL is a no-op. */
void jahs_gp_free(jahs_gp *gp);

/* Syne Tune's resource encoding: r in [1, r_max] -> (r - 0.5) / r_max (an
 * integer hyperparameter over [0.5, r_max + 0.5] mapped linearly to [0, 1]). */
double jahs_gp_resource_unit(double epochs, double max_epochs);

/*
 * Replace the data: n points, z row-major n x dim, r n values (ignored, may
 * be NULL, without the resource part), y n targets in the caller's units
 * (lower is better for jahs_ei; the model itself does not care).  Copies
 * everything, renormalises the targets and factorises K at the current
 * hyperparameters: O(n^3 / 3).  n == 0 clears.  JAHS_ENUMERIC when K cannot
 * be factorised even with jitter.
 */
int jahs_gp_set_data(jahs_gp *gp, const double *z, const double *r,
                     const double *y, size_t n, jahs_error *err);

/*
 * Append one point without refitting: the Cholesky factor grows by one row
 * (O(n^2) instead of O(n^3 / 3)); K does not depend on the targets.  With
 * renormalise, the target normalisation is recomputed over all n + 1 points
 * (exactly what jahs_gp_set_data on the n + 1 points gives); without, the
 * point joins in the current normalisation (pending trials: fantasies at
 * the posterior mean).
 */
int jahs_gp_add_point(jahs_gp *gp, const double *z, double r, double y,
                      int renormalise, jahs_error *err);

/*
 * Keep the first n points only (n <= current count): the factor of a
 * leading block is the leading block of the factor, so this costs O(n^2)
 * (the targets are renormalised over the n points).
 */
int jahs_gp_truncate(jahs_gp *gp, size_t n, jahs_error *err);

/*
 * Fit the hyperparameters to the current data (n >= 1) by minimising the
 * objective from opts->starts starts (the current values, then the
 * defaults when they differ; the defaults also when the only start's
 * objective is not finite there, e.g. a warm start gone astray); keeps the
 * best point evaluated and its posterior (reused from the last evaluation
 * when that was the best, else refactorised).  opts->max_evals > 0 is a hard
 * budget per start (the last evaluation skips the gradient).  The first
 * evaluation of a start at the model's current hyperparameters reuses the
 * factor in place (e.g. just extended by jahs_gp_add_point).  opts NULL:
 * defaults.  Deterministic.  *evals (may be NULL) receives the number of
 * objective evaluations.
 */
int jahs_gp_fit(jahs_gp *gp, const jahs_gp_fit_opts *opts, int *evals,
                jahs_error *err);

/*
 * Posterior of the latent f at m points (z: m x dim, r: m values or NULL):
 * mean[i] and var[i] (>= 1e-12 normalised) in the caller's units.  Before any
 * data: the prior.  O(m n^2) in one triangular solve with m right-hand sides.
 */
int jahs_gp_predict(jahs_gp *gp, const double *z, const double *r, size_t m,
                    double *mean, double *var, jahs_error *err);

/* Number of points, dimension, number of hyperparameters (3 + dim, + 3 with
 * the resource part). */
size_t jahs_gp_n(const jahs_gp *gp);
int jahs_gp_dim(const jahs_gp *gp);
int jahs_gp_n_hyper(const jahs_gp *gp);

/* Current hyperparameters (inv_bw points into the model: valid until free). */
void jahs_gp_get_params(const jahs_gp *gp, jahs_gp_params *p);
/* Set them (p->inv_bw: dim values, or NULL to keep); refactorises when there
 * is data.  Values are used as given (no box). */
int jahs_gp_set_params(jahs_gp *gp, const jahs_gp_params *p, jahs_error *err);
/* Back to the defaults (refactorises when there is data). */
int jahs_gp_reset_params(jahs_gp *gp, jahs_error *err);

/* Internal coordinates theta (jahs_gp_n_hyper values, order above). */
void jahs_gp_get_theta(const jahs_gp *gp, double *theta);

/*
 * The objective at theta (does not change the model): negative log marginal
 * likelihood of the normalised targets plus negative log priors plus the box
 * penalty; grad (may be NULL) receives its gradient with respect to theta.
 * Returns 0, or JAHS_ENUMERIC when K is not positive definite there.
 */
int jahs_gp_objective(jahs_gp *gp, const double *theta, double *value,
                      double *grad);

/*
 * The Cholesky factor of K (+ jitter) at the current hyperparameters, for
 * tests and diagnostics: the lower triangle of an n x n row-major matrix
 * with row stride *tda; NULL before data.  Valid until the model changes.
 */
const double *jahs_gp_factor(jahs_gp *gp, size_t *tda);

/* 1 when the factorisation and the inverse go through LAPACK's dpotrf /
 * dpotri (OpenBLAS's, when the build links it), 0 when through GSL's
 * gsl_linalg_cholesky_decomp1 / _invert (BLAS=gsl). */
int jahs_gp_uses_lapack(void);

/* Target normalisation in use: y' = (y - mean) / std. */
void jahs_gp_target_norm(const jahs_gp *gp, double *mean, double *std);

#endif
