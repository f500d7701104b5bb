/*
 * gp_neps.h - the Gaussian process of NEPS v0.11's model-based optimizers
 * (surrogate_model "gp" = ComprehensiveGP), the surrogate of mobster-neps
 * (mobster_neps.h).  Line numbers are of neps v0.11.1 (the optimizers are
 * the same in v0.11.0); "gp" is optimizers/bayesian_optimization/models/
 * gp.py, "vk" kernels/vectorial_kernels.py, "ck" kernels/combine_kernels.py.
 *
 * Inputs: NEPS's get_normalized_hp_categories (search_space.py:390-408)
 * splits a config into "continuous" values (numerics, the fidelity
 * included, each normalised to [0, 1]: (v - lo) / (hi - lo), in log space
 * when log, integers over [lo, hi], float.py:170-195, integer.py:94-103)
 * and "categorical" ones (the choice's index, categorical.py:162-169).
 * Constant parameters take no part.  Here: xc (nc values, nc >= 1) and xh
 * (nh choice indices, as doubles).
 *
 * Kernel (get_kernels.py:19-24: "m52" when the space has a numeric
 * parameter, which the fidelity always is, "hm" when it has a categorical;
 * ComprehensiveGP's default combined_kernel "sum", gp.py:25, 70-71):
 *   M(x, x')  = (1 + sqrt5 d + 5/3 d^2) exp(-sqrt5 d),
 *               d = sqrt(sum_k (xc_k - xc'_k)^2 / l_k^2 + 1e-8)
 *               (vk:127-143, _unscaled_distance adds 1e-8 to r^2, vk:200)
 *   H(x, x')  = exp(-#{k : xh_k != xh'_k} / 2)    (vk:243-259: Hamming with
 *               lengthscale 1; the lengthscale is detached into numpy, so it
 *               never learns)
 *   S = w_0 M + w_1 H (w_1 and H only when nh > 0), and the Gram matrix is
 *   normalised by its diagonal (ck:92-94): K = S / (w_0 M(0) + w_1), M(0)
 *   the Matern at d = 1e-4.  Outputscale 1 (vk:21).
 * Targets: y' = (y - mean) / std with torch.std, the unbiased n - 1 form (a
 * std of 0 is read as 1; gp.py:575-581); zero prior mean.
 * Likelihood: A = K + lik I, Cholesky with lik x 10^f, f = 0, 1, 2 on
 * failure (gp.py:644-668).
 * Objective: the negative log marginal likelihood divided by n (gp.py:
 * 610-641, normalize = True), here with its analytic gradient
 *   d/dtheta = (1 / 2n) tr((A^-1 - alpha alpha^T) dA/dtheta), alpha = A^-1 y'.
 * Fit (gp.py:118-243 _fit with its defaults): 20 Adam steps (torch's Adam,
 * lr 0.1, betas 0.9 / 0.999, eps 1e-8) from weights 1 / n_kernels each
 * (learned only with two kernels), lengthscales 1 (learned only when nc > 1,
 * gp.py:563-572) and the likelihood left by the previous fit (self.likelihood
 * persists in the model, gp.py:152-156, 240; first 1e-3, gp.py:22), each
 * step followed by clamping the weights to [0, 1], the lengthscales to
 * [exp(-6.754111155189306), exp(0.0858637988771976)] (vk:17-20) and the
 * likelihood to [1e-5, 0.01] (gp.py:127, 218-228).  As in NEPS, the factor
 * kept for prediction is that of the last step's Gram matrix (the
 * parameters before the final Adam step) with the likelihood after it
 * (gp.py:197-233), while predictions use the final weights (normalised to
 * sum 1) and lengthscales (gp.py:236-249).
 * Prediction (gp.py:266-314): mean = K_s^T A^-1 y', var = 1 + lik -
 * K_s^T A^-1 K_s clamped to >= lik, both returned in the caller's units
 * (mean x std + mean, var x std^2).  Note the noise is part of var.
 *
 * Deviation: double precision throughout (NEPS builds its Gram matrix in
 * torch's default float32).
 */
#ifndef JAHS_OPT_GP_NEPS_H
#define JAHS_OPT_GP_NEPS_H

#include <stddef.h>

#include "core/error.h"

typedef struct jahs_neps_gp jahs_neps_gp;

typedef struct jahs_neps_gp_opts {
    int iters;        /* Adam steps per fit (gp.py:122: 20); 0: no fit, the
                       * model is factorised at its current parameters */
    double lr;        /* Adam learning rate (gp.py:137: 0.1) */
    double lik_init;  /* first likelihood (gp.py:22: 1e-3) */
    double lik_min, lik_max; /* clamp (gp.py:224-225, 127: 1e-5, 0.01) */
} jahs_neps_gp_opts;

/* NEPS's values above. */
void jahs_neps_gp_opts_defaults(jahs_neps_gp_opts *o);

/*
 * A model over nc >= 1 continuous and nh >= 0 categorical inputs (nc + nh
 * <= 128); opts NULL: defaults.  No data.  Free with jahs_neps_gp_free.
 */
jahs_neps_gp *jahs_neps_gp_create(int nc, int nh, const jahs_neps_gp_opts *o,
                                  jahs_error *err);
/* NULL is a no-op. */
void jahs_neps_gp_free(jahs_neps_gp *g);

/*
 * Fit on n >= 1 points (xc: n x nc row-major, xh: n x nh or NULL when nh is
 * 0, y: n targets, lower is better), copied: weights and lengthscales start
 * afresh, the likelihood where the previous fit left it, then opts->iters
 * Adam steps.  Returns 0, or JAHS_ENUMERIC (a target is not finite, the
 * Gram matrix is not positive definite even with jitter, or the weights fell
 * to 0: the model is then unusable until the next fit), JAHS_ENOMEM.
 */
int jahs_neps_gp_fit(jahs_neps_gp *g, const double *xc, const double *xh,
                     const double *y, size_t n, jahs_error *err);

/*
 * Posterior at m points (xc: m x nc, xh: m x nh or NULL): mean[i] and var[i]
 * (noise included, see above), caller's units.  Needs a fit (JAHS_ESTATE).
 */
int jahs_neps_gp_predict(jahs_neps_gp *g, const double *xc, const double *xh,
                         size_t m, double *mean, double *var, jahs_error *err);

/* The lowest training target of the last fit (EI's incumbent, in_fill
 * "best": ei.py:100-103); +INFINITY before any fit. */
double jahs_neps_gp_best(const jahs_neps_gp *g);

/*
 * Parameters, packed as NEPS keeps them: p = (w_0 [, w_1], lik, l_1 .. l_nc)
 * (jahs_neps_gp_n_params values; weights unnormalised).  get reads the
 * current ones, set replaces them (no clamping; refactorises when there is
 * data).  learned[i] (may be NULL) says which ones Adam moves.
 */
int jahs_neps_gp_n_params(const jahs_neps_gp *g);
void jahs_neps_gp_get_params(const jahs_neps_gp *g, double *p, int *learned);
int jahs_neps_gp_set_params(jahs_neps_gp *g, const double *p, jahs_error *err);

/*
 * The objective (NLML / n) at p on the data of the last fit, and its
 * gradient (grad, jahs_neps_gp_n_params values, may be NULL; entries for
 * parameters Adam does not move are filled too).  Does not change the model.
 * Returns 0, JAHS_ESTATE before data, JAHS_ENUMERIC.
 */
int jahs_neps_gp_objective(jahs_neps_gp *g, const double *p, double *f,
                           double *grad, jahs_error *err);

#endif
