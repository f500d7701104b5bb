/*
 * hyperband.c - Hyperband (Li et al. 2018) and Hyperband with priors, NEPS
 * v0.11 conventions (neps/optimizers/multi_fidelity/hyperband.py: Hyperband,
 * HyperbandWithPriors, AsynchronousHyperband): rungs anchored at the maximum
 * by default (cfg->rungs), bracket sizes n = floor((S+1)/(S-s+1)) eta^(S-s),
 * brackets run in the order 0 (most exploratory), 1, ..., S and cycle.  The
 * bracket machinery (synchronous, or asynchronous with cfg->async) is in
 * hb_core.h, which says exactly what is followed.
 *
 * New configs: with a prior (cfg->prior informative) each new config is drawn
 * from the prior with probability cfg->prior_fraction, uniformly otherwise, as
 * ASHA with priors does (NEPS's HyperbandWithPriors uses FixedPriorPolicy with
 * fraction 1; set prior_fraction = 1 for that).  cfg->default_first makes the
 * prior's mode the very first config, trained at the base rung of bracket 0
 * like any other (NEPS's sample_default_first with sample_default_at_target
 * off, its Hyperband default).  Without a prior every config is uniform.
 *
 * One uniform draw per new config decides prior or uniform, so the same seed
 * gives the same stream of configs whatever the prior fraction.
 *
 * Syne Tune's conventions (rungs = synetune, brackets auto or synetune,
 * promotion = synetune, type = stopping with async = 1: its SyncHyperband
 * and HyperbandScheduler(brackets > 1), baselines.py:433; hb_core.h).
 * cfg->allow_repeats = 0 never draws a config twice (jahs_opt_sample_fresh);
 * once none can be found, new configs stop: ask answers promotions, WAIT
 * while trials are pending, then DONE.
 */
#include <stdlib.h>

#include "core/rng.h"
#include "opt/acq.h"
#include "opt/hb_core.h"
#include "opt/opt.h"

typedef struct {
    jahs_opt_config cfg;
    jahs_hb *core;
    jahs_rng *rng;
    jahs_config_set *seen; /* allow_repeats = 0 only */
    int exhausted;         /* no new config could be drawn */
} hb_state;

static void hb_free(void *state);

static void *hb_create(const jahs_opt_config *cfg, jahs_error *err)
{
    hb_state *s = calloc(1, sizeof *s);
    if (!s) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    s->cfg = *cfg;
    s->core = jahs_hb_create(cfg, "opt/hyperband", err);
    s->rng = s->core
                 ? jahs_rng_create(cfg->seed, "opt/hyperband/sample", 0, err)
                 : NULL;
    if (s->rng && !cfg->allow_repeats)
        s->seen = jahs_config_set_create(cfg->space, err);
    if (!s->core || !s->rng || (!cfg->allow_repeats && !s->seen)) {
        hb_free(s);
        return NULL;
    }
    return s;
}

static int hb_ask(void *state, jahs_trial *t, jahs_error *err)
{
    hb_state *s = state;
    double x[JAHS_MAX_PARAMS];
    jahs_origin o;
    int rung, rc = jahs_hb_next(s->core, t, &rung);
    if (rc != 0 || rung < 0)
        return rc; /* a promotion, WAIT or DONE */
    if (!s->exhausted) {
        rc = jahs_opt_sample_fresh(&s->cfg, s->rng, jahs_hb_n_configs(s->core),
                                   s->seen, x, &o);
        if (rc == 0)
            return jahs_hb_start_new(s->core, x, o, t, err);
        if (rc != JAHS_DONE)
            return JAHS_FAIL(err, rc, "out of memory");
        s->exhausted = 1;
    }
    return jahs_hb_n_pending(s->core) > 0 ? JAHS_WAIT : JAHS_DONE;
}

static int hb_tell(void *state, const jahs_trial *t, const jahs_result *r,
                   jahs_error *err)
{
    hb_state *s = state;
    return jahs_hb_report(s->core, t, r->val_acc, err);
}

static void hb_free(void *state)
{
    hb_state *s = state;
    if (!s)
        return;
    jahs_hb_free(s->core);
    jahs_rng_free(s->rng);
    jahs_config_set_free(s->seen);
    free(s);
}

const jahs_opt_type jahs_opt_hyperband = {
    "hyperband",
    "Hyperband (Li et al. 2018), NEPS v0.11 brackets and rungs by default "
    "(Syne Tune's with rungs synetune), synchronous (async = 1: NEPS "
    "AsynchronousHyperband); new configs from the prior with probability "
    "prior_fraction when a prior is given",
    hb_create, hb_ask, hb_tell, hb_free,
    1};
