/*
 * priorband.h - PriorBand (Mallick et al. 2023, "PriorBand: practical
 * hyperparameter optimization in the age of deep learning", NeurIPS) as NEPS
 * v0.11 implements it (neps/optimizers/multi_fidelity_prior/priorband.py,
 * utils.py; sampling_policy.py EnsemblePolicy): synchronous Hyperband
 * (hb_core.h) whose new configs come from an ensemble of uniform, prior and
 * incumbent sampling.  priorband.c documents each rule and its source.
 *
 * The optimizer type is jahs_opt_priorband ("priorband").  This header adds
 * what tests and a model-based extension need:
 *   - the sampling weights PriorBand would use at a rung, the switch-on test
 *     and the incumbent, to check against hand-computed values;
 *   - NEPS's dynamic prior/incumbent ratio as a pure function;
 *   - a hook for a model-based sampler ("PriorBand + BO": NEPS's MFBOBase
 *     hands new configs to a GP once the finished work reaches
 *     initial_design_size x max_budget).  The hook is called for each new
 *     config once the finished work (jahs_hb_finished_work) reaches
 *     kickin x max_epochs; it may decline, and then the ensemble samples.
 */
#ifndef JAHS_OPT_PRIORBAND_H
#define JAHS_OPT_PRIORBAND_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/rng.h"
#include "opt/hb_core.h"
#include "opt/opt.h"
#include "space/prior.h"

typedef struct jahs_priorband jahs_priorband;

/* Probabilities of the three samplers for a new config (sum 1). */
typedef struct jahs_pb_weights {
    double random, prior, inc;
    int inc_active; /* 0: the incumbent share went to the prior */
} jahs_pb_weights;

/*
 * Model-based sampler for new configs: fill x (space->n values) for a new
 * config at rung `rung`, reading the history from core and drawing from rng;
 * return 0 (the config is used, origin JAHS_ORIGIN_MODEL), 1 to decline (the
 * ensemble samples instead), or a negative code with err filled.
 */
typedef int (*jahs_pb_model_fn)(void *ctx, const jahs_hb *core, int rung,
                                jahs_rng *rng, double *x, jahs_error *err);

/* Needs an informative cfg->prior (JAHS_EINVAL otherwise).  Free with
 * jahs_priorband_free (NULL is a no-op). */
jahs_priorband *jahs_priorband_create(const jahs_opt_config *cfg,
                                      jahs_error *err);
void jahs_priorband_free(jahs_priorband *pb);
/* The optimizer interface (opt.h semantics). */
int jahs_priorband_ask(jahs_priorband *pb, jahs_trial *t, jahs_error *err);
int jahs_priorband_tell(jahs_priorband *pb, const jahs_trial *t,
                        const jahs_result *r, jahs_error *err);

/* Install (fn non-NULL) or remove the model hook; it applies once the
 * finished work reaches kickin x max_epochs (NEPS PriorBand + BO: 10). */
void jahs_priorband_set_model(jahs_priorband *pb, jahs_pb_model_fn fn,
                              void *ctx, double kickin);

/* The bracket core (history, configs, finished work); owned by pb. */
const jahs_hb *jahs_priorband_core(const jahs_priorband *pb);
/* Weights for a new config at rung (0 .. top) in the current state. */
int jahs_priorband_weights(jahs_priorband *pb, int rung, jahs_pb_weights *w);
/* Whether incumbent sampling is switched on, and the work (epochs) that
 * switches it on: one full bracket 0 counting continuations. */
int jahs_priorband_inc_active(const jahs_priorband *pb);
double jahs_priorband_activation_work(const jahs_priorband *pb);
/* The incumbent's config id (best latest finished score, ties: lower id),
 * or -1 when nothing has finished. */
int64_t jahs_priorband_incumbent(jahs_priorband *pb);

/*
 * NEPS's dynamic prior/incumbent ratio on explicit data: the n configs
 * top[0..n-1] (best first) are scored by the prior and by the same prior
 * recentred at inc (see priorband.c), weighted n, n-1, ..., 1 by rank, and
 * the two weighted sums normalised: *w_prior + *w_inc = 1.
 */
void jahs_priorband_dynamic_ratio(const jahs_prior *prior, const double *inc,
                                  const double *const *top, size_t n,
                                  double *w_prior, double *w_inc);

/* The two log scores of x used above (NEPS compute_scores, v0.11). */
double jahs_priorband_prior_score(const jahs_prior *prior, const double *x);
double jahs_priorband_inc_score(const jahs_prior *prior, const double *inc,
                                const double *x);

#endif
