/*
 * mobster_neps.h - MOBSTER as NEPS v0.11 implements it ("mobster-neps"):
 * NEPS's MOBSTER class (optimizers/multi_fidelity/hyperband.py:460-533,
 * MOBSTER(MFBOBase, AsynchronousHyperband)), the model-based part in
 * multi_fidelity/mf_bo.py (MFBOBase, modelling_type "rung") and
 * sampling_policy.py:257-409 (ModelPolicy), with the defaults that
 * neps.run(searcher="mobster") loads from default_searchers/mobster.yaml.
 * Line numbers are of neps v0.11.1 (the optimizers are the same in
 * v0.11.0).  This is a different algorithm from Syne Tune's MOBSTER
 * (mobster.c, "mobster"), which the project ran before:
 *
 *   NEPS (this file)                        Syne Tune (mobster.c)
 *   async Hyperband: a bracket drawn per    ASHA (one bracket): every new
 *     ask, new configs start at its base      config starts at the lowest
 *     rung (a share at the top rung)          rung
 *   a GP per rung, on the results of the    one GP over (config, epochs), on
 *     highest rung with >= ndims + 2          every result, exp-decay
 *     results, no resource input              resource kernel
 *   initial design: uniform configs until   6 uniform configs (no repeats)
 *     a rung has ndims + 2 results
 *   EI over 1000 uniform samples, argmax    EI over 250 candidates + local
 *                                             search, never a repeat
 *
 * Rules, each with its NEPS source:
 *  - Schedule: asynchronous Hyperband (hb_core.h async mode; hyperband.py:
 *    319-416): every ask draws a bracket s with NEPS's probabilities
 *    (hyperband.py:384-401; jahs_hb_bracket_probs) and promotes, from rungs
 *    S-1 .. s, under NEPS's AsyncPromotionPolicy (promotion_policy.py:
 *    88-109; rungs.h), else starts a new config at rung s.  The run's rung,
 *    promotion and bracket conventions (cfg->rungs, cfg->promotion,
 *    cfg->brackets) apply; their defaults are NEPS's.  cfg->async is forced.
 *  - Model-based from the first ask at which some rung has init_size =
 *    ndims + 2 finished results (hyperband.py:521-528: n_min = ndims + 1,
 *    init_size = n_min + 1, ndims the non-fidelity hyperparameters,
 *    constants included: here every parameter of the space, pinned ones
 *    too; is_init_phase and _active_rung, mf_bo.py:112-140).  Until then
 *    every new config is uniform (RandomUniformPolicy, sampling_policy.py:
 *    52-69; repeats allowed, as SearchSpace.sample keeps no record).
 *  - The model (mf_bo.py:23-110 _fit_models, called from load_results
 *    before every ask, promotion or not: successive_halving.py:317-355,
 *    metahyper/api.py:303-304): the GP of gp_neps.h fitted on every result
 *    ever recorded at the active rung (the highest rung with >= init_size
 *    results, NEPS's rung_histories), the fidelity input set to that rung's
 *    epochs for all of them; targets the loss (here -score, which the GP's
 *    normalisation makes the same model as NEPS's 1 - accuracy).  Pending
 *    trials whose target is that rung are fantasised: fit on the finished
 *    ones, predict the pending ones' means, append them, fit again
 *    (ModelPolicy._fantasize_pending/update_model, sampling_policy.py:
 *    328-346).  The GP's likelihood carries over from fit to fit (gp.py:
 *    152-156, 240), which is why it is fitted on every ask.
 *  - A new config, out of the initial design (mf_bo.py:142-181
 *    sample_new_config; ModelPolicy.sample, sampling_policy.py:351-409):
 *    cfg->neps_samples (1000, SAMPLE_THRESHOLD) uniform configs, the
 *    fidelity input at the active rung's epochs (active_max_fidelity),
 *    scored by EI below the lowest training target (fantasies included;
 *    ComprehensiveExpectedImprovement, in_fill "best", xi 0, ei.py:51-109,
 *    acquisition_functions/__init__.py:11-16); the first of the highest is
 *    taken, whatever rung the bracket draw picked for it.  Repeats allowed.
 * Ours, where NEPS cannot say: NEPS draws from numpy's global stream; here
 * the bracket draws (jahs_rng "opt/mobster-neps/bracket"), the initial
 * design ("opt/mobster-neps/sample") and the model's samples
 * ("opt/mobster-neps/acq") have streams of their own.  A GP that cannot be
 * fitted (its Gram matrix not positive definite even with jitter; NEPS would
 * raise) gives a uniform config for that ask (counted in the info).  NEPS
 * orders rung_histories by its result files; here results arrive in the
 * order the scheduler tells them.  Inactive parameters of a conditional
 * space (NEPS has none) enter the GP as 0 (numerics) or as a choice of
 * their own (categoricals).  Priors are ignored (mobster.yaml use_priors
 * false).  Never waits; DONE after cfg->max_trials new configs when set.
 */
#ifndef JAHS_OPT_MOBSTER_NEPS_H
#define JAHS_OPT_MOBSTER_NEPS_H

#include <stddef.h>

#include "core/error.h"
#include "opt/hb_core.h"
#include "opt/opt.h"

typedef struct jahs_mobster_neps jahs_mobster_neps;

/* Free with jahs_mobster_neps_free (NULL is a no-op). */
jahs_mobster_neps *jahs_mobster_neps_create(const jahs_opt_config *cfg,
                                            jahs_error *err);
void jahs_mobster_neps_free(jahs_mobster_neps *m);
/* The optimizer interface (opt.h semantics). */
int jahs_mobster_neps_ask(jahs_mobster_neps *m, jahs_trial *t,
                          jahs_error *err);
int jahs_mobster_neps_tell(jahs_mobster_neps *m, const jahs_trial *t,
                           const jahs_result *r, jahs_error *err);

/* The bracket core (history, configs); owned by m. */
const jahs_hb *jahs_mobster_neps_core(const jahs_mobster_neps *m);
/* ndims + 2 (ndims = the space's parameters). */
size_t jahs_mobster_neps_init_size(const jahs_mobster_neps *m);

/*
 * NEPS's _active_rung on explicit counts: the highest k in 0 .. n_rungs - 1
 * with count[k] >= init_size, or -1 (the initial design).
 */
int jahs_neps_active_rung(const size_t *count, int n_rungs, size_t init_size);

/* What the last ask did (for tests and journals). */
typedef struct jahs_mobster_neps_info {
    int rung;         /* the active rung the GP was fitted on; -1: none */
    size_t n_train;   /* results at that rung */
    size_t n_pending; /* fantasies appended */
    double best;      /* EI's incumbent: lowest training target */
    double ei;        /* EI of the new config (model only) */
    double lik;       /* the GP's likelihood after the fit */
    int model;        /* the new config came from the model */
    int fallbacks;    /* asks so far whose GP could not be fitted */
} jahs_mobster_neps_info;
void jahs_mobster_neps_last(const jahs_mobster_neps *m,
                            jahs_mobster_neps_info *info);

#endif
