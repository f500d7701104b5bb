/*
 * asha_bo.h - ASHA scheduling (asha_core.h) with a model-based sampler of
 * new configs (gp_sampler.h): the state MOBSTER and the prior-fraction
 * schedule share.  It tracks what the sampler needs and the ASHA core does
 * not keep: the trials in flight with their target epochs (fantasies), the
 * set of configs started (never proposed again), and the work done.
 *
 * Work is counted in max-fidelity units: a finished trial adds
 * (epochs - resume_from) / max_epochs, the epochs this optimizer asked to be
 * trained (an evaluator that restarts promoted trials spends more; the
 * schedule follows the optimizer's own accounting, so it is the same on
 * every evaluator).
 */
#ifndef JAHS_OPT_ASHA_BO_H
#define JAHS_OPT_ASHA_BO_H

#include "core/error.h"
#include "core/rng.h"
#include "opt/asha_core.h"
#include "opt/gp_sampler.h"
#include "opt/opt.h"

typedef struct jahs_asha_bo jahs_asha_bo;

/* ASHA from cfg plus a GP sampler with streams "<name>/gp/..." under
 * cfg->seed (sampler options from cfg).  Free with jahs_asha_bo_free. */
jahs_asha_bo *jahs_asha_bo_create(const jahs_opt_config *cfg,
                                  const char *name, jahs_error *err);
/* NULL is a no-op. */
void jahs_asha_bo_free(jahs_asha_bo *b);

jahs_asha *jahs_asha_bo_core(jahs_asha_bo *b);

/* 1 and a promotion in *t (recorded as in flight), or 0. */
int jahs_asha_bo_promotion(jahs_asha_bo *b, jahs_trial *t);

/* A uniform config not started before (up to 50 draws, Syne Tune's
 * GET_CONFIG_RANDOM_RETRIES; the last draw is kept if all were taken). */
void jahs_asha_bo_random(jahs_asha_bo *b, jahs_rng *rng, double *x);

/* Whether x was started before. */
int jahs_asha_bo_started(const jahs_asha_bo *b, const double *x);

/*
 * The sampler's proposal from the whole history (every result so far) and
 * the trials in flight; 0, JAHS_DONE (no admissible config), or < 0.  Needs
 * at least one result (JAHS_ESTATE otherwise).  info may be NULL.
 */
int jahs_asha_bo_model(jahs_asha_bo *b, double *x, jahs_gp_sampler_info *info,
                       jahs_error *err);

/* Start x at the base rung: fills *t, records it in flight and started. */
int jahs_asha_bo_start(jahs_asha_bo *b, const double *x, jahs_origin origin,
                       jahs_trial *t, jahs_error *err);

/* A result: recorded in the core (score = r->val_acc), work counted. */
int jahs_asha_bo_tell(jahs_asha_bo *b, const jahs_trial *t,
                      const jahs_result *r, jahs_error *err);

/* Finished work, in max-fidelity units. */
double jahs_asha_bo_work(const jahs_asha_bo *b);

/* Trials in flight. */
size_t jahs_asha_bo_n_pending(const jahs_asha_bo *b);

#endif
