/*
 * asha_core.h - the bookkeeping of asynchronous successive halving (Li et
 * al. 2020, "A System for Massively Parallel Hyperparameter Tuning"), shared
 * by every optimizer that schedules with ASHA (ASHA, ASHA with priors,
 * MOBSTER, the prior-fraction schedule): rungs, results per rung, promotions.
 * Where new configs come from is the caller's business (its "sampler").
 *
 * Protocol, per ask:
 *   1. jahs_asha_next_promotion(): scans the rungs from the top down (as
 *      NEPS v0.11 is_promotable, successive_halving.py:382-393, Li et al.
 *      and Syne Tune, hyperband_promotion.py:157-165, do) and, when some
 *      rung has a promotable config under the promotion rule (rungs.h),
 *      fills a trial that continues it to the next rung, resume_from = the
 *      epochs it has.
 *   2. otherwise the caller draws a config and calls jahs_asha_start_new(),
 *      which fills a trial at the base rung (from scratch).
 * Per tell: jahs_asha_report() records the score at the trial's rung.
 *
 * What the promotion rules make of it with one worker (the poster's
 * setting): the poster calls ASHA with one worker successive halving, which
 * is true of Li et al.'s rule (about 1/eta of each rung moves on) and of
 * Syne Tune's (the top q_k quantile), but not of NEPS v0.11's
 * AsyncPromotionPolicy, the default here because the poster ran NEPS:
 * promotion_policy.py:104-108 promotes the best of the configs still parked
 * at a rung whenever eta of them are parked, and a promoted config leaves
 * the rung, so at most eta - 1 configs stay behind at each rung and every
 * other config is promoted, one rung per result: with eta = 3 and rungs 2,
 * 6, 20, all but two configs per rung reach 20 epochs.  See rungs.h.
 *
 * cfg->type = JAHS_TYPE_STOPPING is Syne Tune's stopping variant
 * (hyperband_stopping.py StoppingRungSystem, its HyperbandScheduler's
 * default type, hyperband.py:101): a result at rung k < top is recorded and
 * the config continues at once (jahs_asha_next_promotion returns its
 * continuation before anything else, in the order results arrived) iff
 * jahs_rungs_continues says so; otherwise it stops for good.  The promotion
 * rule is not used then.
 */
#ifndef JAHS_OPT_ASHA_CORE_H
#define JAHS_OPT_ASHA_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "opt/opt.h"
#include "opt/rungs.h"

typedef struct jahs_asha jahs_asha;

/* One finished evaluation, in the order results arrived. */
typedef struct jahs_asha_result {
    int64_t config_id;
    int rung;
    int epochs;
    double score; /* higher is better (validation accuracy) */
} jahs_asha_result;

/* Rungs from cfg (min_epochs, max_epochs, eta, rungs), promotion rule from
 * cfg->promotion, type from cfg->type.  Free with jahs_asha_free. */
jahs_asha *jahs_asha_create(const jahs_opt_config *cfg, jahs_error *err);
/* NULL is a no-op. */
void jahs_asha_free(jahs_asha *a);

/* 1 and a promotion trial in *t (stopping type: a continuation), or 0 when
 * nothing is promotable. */
int jahs_asha_next_promotion(jahs_asha *a, jahs_trial *t);
/* Register a new config (space->n values, copied) at the base rung; fills *t. */
int jahs_asha_start_new(jahs_asha *a, const double *config, jahs_origin origin,
                        jahs_trial *t, jahs_error *err);
/* Record a finished trial's score (a trial this core issued). */
int jahs_asha_report(jahs_asha *a, const jahs_trial *t, double score,
                     jahs_error *err);

const jahs_rungs *jahs_asha_rungs(const jahs_asha *a);
/* Results so far, in arrival order; the pointer is valid until the next report. */
size_t jahs_asha_n_results(const jahs_asha *a);
const jahs_asha_result *jahs_asha_result_at(const jahs_asha *a, size_t i);
/* Configs registered so far (config_id 0 .. n-1). */
size_t jahs_asha_n_configs(const jahs_asha *a);
const double *jahs_asha_config(const jahs_asha *a, int64_t config_id);
/* Trials issued and not yet reported. */
size_t jahs_asha_n_pending(const jahs_asha *a);
/* Trials issued so far (the next trial id). */
int64_t jahs_asha_n_trials(const jahs_asha *a);

#endif
