/*
 * asha.c - ASHA (Li et al. 2020) and ASHA with priors, NEPS v0.11
 * conventions by default: rungs anchored at the maximum fidelity (1..20,
 * eta 3: 2, 6, 20), NEPS's promotion rule (best of floor(m / eta) parked);
 * both switchable (cfg->rungs, cfg->promotion).
 *
 * New configs: with a prior (cfg->prior informative), each new config is drawn
 * from the prior with probability cfg->prior_fraction and uniformly otherwise
 * (the poster's ASHA-Prior, fraction 0.5 / 0.8); cfg->default_first evaluates
 * the prior's mode as the very first config.  Without a prior every config is
 * uniform (the poster's "ASHA NAS Random HP" when the space is the joint one).
 * ASHA never waits: when nothing is promotable it starts a new config, so it
 * never answers JAHS_WAIT; it answers JAHS_DONE after cfg->max_trials new
 * configs when that is set.
 *
 * cfg->promotion = synetune and cfg->type = stopping give Syne Tune's
 * ASHA (baselines.py ASHA = HyperbandScheduler with searcher "random";
 * rungs.h, asha_core.h).  cfg->allow_repeats = 0 never draws a config twice
 * (Syne Tune's RandomSearcher: jahs_opt_sample_fresh); once no new config
 * can be found, new configs stop, and ask answers a promotion, WAIT while
 * trials are pending, then DONE (Syne Tune's scheduler likewise stops
 * suggesting when its searcher returns None).
 */
#include <stdlib.h>

#include "core/rng.h"
#include "opt/acq.h"
#include "opt/asha_core.h"
#include "opt/opt.h"

typedef struct {
    jahs_opt_config cfg;
    jahs_asha *core;
    jahs_rng *rng;
    jahs_config_set *seen; /* allow_repeats = 0 only */
    int exhausted;         /* no new config could be drawn */
} asha_state;

static void asha_free(void *state);

static void *asha_create(const jahs_opt_config *cfg, jahs_error *err)
{
    asha_state *s = calloc(1, sizeof *s);
    if (!s) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    s->cfg = *cfg;
    s->core = jahs_asha_create(cfg, err);
    s->rng = s->core ? jahs_rng_create(cfg->seed, "opt/asha/sample", 0, err)
                     : NULL;
    if (s->rng && !cfg->allow_repeats)
        s->seen = jahs_config_set_create(cfg->space, err);
    if (!s->core || !s->rng || (!cfg->allow_repeats && !s->seen)) {
        asha_free(s);
        return NULL;
    }
    return s;
}

static int asha_ask(void *state, jahs_trial *t, jahs_error *err)
{
    asha_state *s = state;
    double x[JAHS_MAX_PARAMS];
    jahs_origin o;
    int rc;
    if (jahs_asha_next_promotion(s->core, t))
        return 0;
    if (s->cfg.max_trials > 0 &&
        jahs_asha_n_configs(s->core) >= (size_t)s->cfg.max_trials)
        return JAHS_DONE;
    if (!s->exhausted) {
        rc = jahs_opt_sample_fresh(&s->cfg, s->rng,
                                   jahs_asha_n_configs(s->core), s->seen, x,
                                   &o);
        if (rc == 0)
            return jahs_asha_start_new(s->core, x, o, t, err);
        if (rc != JAHS_DONE)
            return JAHS_FAIL(err, rc, "out of memory");
        s->exhausted = 1;
    }
    return jahs_asha_n_pending(s->core) > 0 ? JAHS_WAIT : JAHS_DONE;
}

static int asha_tell(void *state, const jahs_trial *t, const jahs_result *r,
                     jahs_error *err)
{
    asha_state *s = state;
    return jahs_asha_report(s->core, t, r->val_acc, err);
}

static void asha_free(void *state)
{
    asha_state *s = state;
    if (!s)
        return;
    jahs_asha_free(s->core);
    jahs_rng_free(s->rng);
    jahs_config_set_free(s->seen);
    free(s);
}

const jahs_opt_type jahs_opt_asha = {
    "asha",
    "asynchronous successive halving (Li et al. 2020), NEPS v0.11 rungs and "
    "promotion by default (promotion li / synetune, type stopping); new "
    "configs from the prior with probability prior_fraction when a prior is "
    "given",
    asha_create, asha_ask, asha_tell, asha_free,
    1};
