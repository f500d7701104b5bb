/*
 * schedule_bo.c - "prior-fraction schedule, then BO" (beyond the paper: the
 * poster's proposed next step).  ASHA scheduling throughout (asha_core.h,
 * the run's rung and promotion conventions, NEPS v0.11 by default).
 *
 * Phase 1, while the finished work w (max-fidelity units, asha_bo.h) is
 * below cfg->schedule_budget: ASHA with priors whose prior fraction decays
 * linearly in the work done,
 *     f(w) = start + (end - start) min(1, w / budget),
 * start = cfg->schedule_start (0.8, the poster's better fraction at 2 h), end =
 * cfg->schedule_end (0), budget = cfg->schedule_budget (30 max-fidelity
 * trainings).  Each new config comes from the prior with probability f(w),
 * uniformly otherwise; cfg->default_first evaluates the prior's mode first.
 * Phase 2, once w >= budget: new configs from the GP searcher (gp_sampler.h,
 * MOBSTER's), warm-started with the whole history: every result of phase 1
 * (prior-sampled and uniform configs alike) is model data from the first
 * proposal on, so no initial random configs are needed.
 *
 * Why decay: an expert prior is most valuable before there is data and is
 * at best redundant, at worst misleading, once there is (Hvarfner et al.
 * 2022, piBO, weight the prior by beta / n so its influence fades as
 * observations accumulate; Mallick et al. 2023, PriorBand, shift weight from
 * the prior to the incumbent as evidence about the prior's quality builds
 * up).  The poster's own ablation points the same way: fraction 0.8 is
 * ahead at 2 h (68.6 vs 65.2 test accuracy) and 0.5 at 6 h (79.8 vs 79.1),
 * and it proposes "scheduling different prior fractions followed by BO
 * using the run history" (poster.txt, last lines).  The linear schedule
 * in work (not in configs or time) is the simplest monotone form that is
 * independent of the rung mix and of the evaluator's speed; at its end the
 * data take over entirely through the model.
 *
 * Without an informative prior phase 1 is plain ASHA.  Random numbers:
 * streams "opt/prior-schedule-bo/sample" and "opt/prior-schedule-bo/gp/...".
 * Never waits; DONE after cfg->max_trials new configs when that is set.
 */
#include <stdlib.h>

#include "core/rng.h"
#include "opt/asha_bo.h"
#include "opt/opt.h"

typedef struct {
    jahs_opt_config cfg;
    jahs_asha_bo *bo;
    jahs_rng *rng;
    int use_prior;
} sbo_state;

static void sbo_free(void *state)
{
    sbo_state *s = state;
    if (!s)
        return;
    jahs_asha_bo_free(s->bo);
    jahs_rng_free(s->rng);
    free(s);
}

static void *sbo_create(const jahs_opt_config *cfg, jahs_error *err)
{
    sbo_state *s;
    if (!(cfg->schedule_start >= 0 && cfg->schedule_start <= 1 &&
          cfg->schedule_end >= 0 && cfg->schedule_end <= 1 &&
          cfg->schedule_budget >= 0)) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "prior schedule: start %g and end %g must lie in [0, 1] "
                  "and budget %g must be >= 0",
                  cfg->schedule_start, cfg->schedule_end,
                  cfg->schedule_budget);
        return NULL;
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    s->cfg = *cfg;
    s->use_prior = cfg->prior && jahs_prior_informative(cfg->prior);
    s->bo = jahs_asha_bo_create(cfg, "opt/prior-schedule-bo", err);
    s->rng = s->bo ? jahs_rng_create(cfg->seed, "opt/prior-schedule-bo/sample",
                                     0, err)
                   : NULL;
    if (!s->rng) {
        sbo_free(s);
        return NULL;
    }
    return s;
}

/* The prior fraction after work w. */
static double fraction(const jahs_opt_config *c, double w)
{
    double a = c->schedule_budget > 0 ? w / c->schedule_budget : 1.0;
    if (a > 1)
        a = 1;
    return c->schedule_start + (c->schedule_end - c->schedule_start) * a;
}

static int sbo_ask(void *state, jahs_trial *t, jahs_error *err)
{
    sbo_state *s = state;
    jahs_asha *core = jahs_asha_bo_core(s->bo);
    double x[JAHS_MAX_PARAMS] = {0}, w = jahs_asha_bo_work(s->bo), coin;
    jahs_origin origin;
    if (jahs_asha_bo_promotion(s->bo, t))
        return 0;
    if (s->cfg.max_trials > 0 &&
        jahs_asha_n_configs(core) >= (size_t)s->cfg.max_trials)
        return JAHS_DONE;
    if (w >= s->cfg.schedule_budget && jahs_asha_n_results(core) > 0) {
        int rc = jahs_asha_bo_model(s->bo, x, NULL, err);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return jahs_asha_bo_start(s->bo, x, JAHS_ORIGIN_MODEL, t, err);
        jahs_asha_bo_random(s->bo, s->rng, x); /* space exhausted */
        return jahs_asha_bo_start(s->bo, x, JAHS_ORIGIN_RANDOM, t, err);
    }
    coin = jahs_rng_uniform(s->rng); /* drawn every time: fixed draws */
    if (s->use_prior && s->cfg.default_first &&
        jahs_asha_n_configs(core) == 0) {
        jahs_prior_mode(s->cfg.prior, s->rng, x);
        origin = JAHS_ORIGIN_DEFAULT;
    } else if (s->use_prior && coin < fraction(&s->cfg, w)) {
        jahs_prior_sample(s->cfg.prior, s->rng, x);
        origin = JAHS_ORIGIN_PRIOR;
    } else {
        jahs_space_sample(s->cfg.space, s->rng, x);
        origin = JAHS_ORIGIN_RANDOM;
    }
    return jahs_asha_bo_start(s->bo, x, origin, t, err);
}

static int sbo_tell(void *state, const jahs_trial *t, const jahs_result *r,
                    jahs_error *err)
{
    sbo_state *s = state;
    return jahs_asha_bo_tell(s->bo, t, r, err);
}

const jahs_opt_type jahs_opt_schedule_bo = {
    "prior-schedule-bo",
    "ASHA with a prior fraction decaying linearly in work from schedule_start "
    "to schedule_end over schedule_budget max-fidelity units, then MOBSTER's "
    "GP sampler warm-started with the whole history",
    sbo_create, sbo_ask, sbo_tell, sbo_free,
    2}; /* 2: the GP searcher refits on every call, warm and budgeted,
          * without a data cap (issue 18) */
