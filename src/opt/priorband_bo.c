/*
 * priorband_bo.c - PriorBand + BO ("priorband-bo"): PriorBand (priorband.h)
 * whose new configs come from the GP sampler (gp_sampler.h, MOBSTER's
 * searcher) once the finished work reaches cfg->bo_kickin x max_epochs.
 *
 * Convention followed: NEPS v0.11's PriorBand with model_based = True
 * (neps/optimizers/multi_fidelity_prior/priorband.py, MFBOBase): until
 * initial_design_size x max_budget of work (NEPS: 10) the ensemble of
 * random / prior / incumbent sampling proposes; afterwards a GP over
 * (config, fidelity) does.  We use the same GP, data cap, acquisition level
 * and EI as MOBSTER (REPRODUCE.md, "MOBSTER and model-based optimizers")
 * rather than NEPS's DeepGP / fidelity-free GP, so that the model-based
 * methods of the study differ only in scheduling and priors.  Where the GP
 * finds no admissible config (a small space exhausted) the ensemble samples.
 *
 * History handed to the model: every finished result of every rung (the
 * bracket core keeps them), as (config, epochs of the rung, score); pending
 * trials are fantasised at their latest rung; configs already started are
 * excluded.
 */
#include <stdlib.h>

#include "core/util.h"
#include "opt/acq.h"
#include "opt/gp_sampler.h"
#include "opt/hb_core.h"
#include "opt/priorband.h"

typedef struct {
    jahs_priorband *pb;
    jahs_gp_sampler *gp;
    jahs_config_set *started;
    const jahs_space *sp;
    jahs_gp_obs *obs, *pend;
    size_t cap_obs, cap_pend;
} pbbo_state;

/* The model hook: 0 with x filled, 1 to let the ensemble sample, or < 0. */
static int model(void *ctx, const jahs_hb *core, int rung, jahs_rng *rng,
                 double *x, jahs_error *err)
{
    pbbo_state *s = ctx;
    const jahs_rungs *rg = jahs_hb_rungs(core);
    size_t n = 0, np = 0, i, nc = jahs_hb_n_configs(core);
    int k, rc;
    (void)rung;
    (void)rng;
    for (k = 0; k < rg->n; k++) {
        size_t m = jahs_hb_rung_count(core, k);
        if (jahs_grow((void **)&s->obs, &s->cap_obs, n + m, sizeof *s->obs))
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        for (i = 0; i < m; i++) {
            jahs_gp_obs *o = &s->obs[n++];
            jahs_hb_rung_result(core, k, i, &o->config_id, &o->score);
            o->config = jahs_hb_config(core, o->config_id);
            o->epochs = rg->epochs[k];
        }
    }
    if (n == 0)
        return 1;
    if (jahs_grow((void **)&s->pend, &s->cap_pend, nc + 1, sizeof *s->pend))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    jahs_config_set_clear(s->started);
    for (i = 0; i < nc; i++) {
        int r, pending;
        double score;
        const double *c = jahs_hb_config(core, (int64_t)i);
        if ((rc = jahs_config_set_add(s->started, c)))
            return JAHS_FAIL(err, rc, "out of memory");
        if (jahs_hb_config_state(core, (int64_t)i, &r, &pending, &score) == 0 &&
            pending) {
            jahs_gp_obs *o = &s->pend[np++];
            o->config = c;
            o->config_id = (int64_t)i;
            o->epochs = rg->epochs[r];
            o->score = 0;
        }
    }
    rc = jahs_gp_sampler_propose(s->gp, s->obs, n, s->pend, np, s->started, x,
                                 NULL, err);
    if (rc == JAHS_DONE)
        return 1;
    return rc;
}

static void pbbo_free(void *state)
{
    pbbo_state *s = state;
    if (!s)
        return;
    jahs_priorband_free(s->pb);
    jahs_gp_sampler_free(s->gp);
    jahs_config_set_free(s->started);
    free(s->obs);
    free(s->pend);
    free(s);
}

static void *pbbo_create(const jahs_opt_config *cfg, jahs_error *err)
{
    pbbo_state *s = calloc(1, sizeof *s);
    jahs_gp_sampler_opts go;
    if (!s) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    s->sp = cfg->space;
    jahs_gp_sampler_opts_defaults(&go, cfg);
    if (!(s->pb = jahs_priorband_create(cfg, err)) ||
        !(s->gp = jahs_gp_sampler_create(cfg->space, cfg->max_epochs, cfg->seed,
                                         "opt/priorband-bo/gp", &go, err)) ||
        !(s->started = jahs_config_set_create(cfg->space, err))) {
        pbbo_free(s);
        return NULL;
    }
    jahs_priorband_set_model(s->pb, model, s, cfg->bo_kickin);
    return s;
}

static int pbbo_ask(void *state, jahs_trial *t, jahs_error *err)
{
    return jahs_priorband_ask(((pbbo_state *)state)->pb, t, err);
}

static int pbbo_tell(void *state, const jahs_trial *t, const jahs_result *r,
                     jahs_error *err)
{
    return jahs_priorband_tell(((pbbo_state *)state)->pb, t, r, err);
}

const jahs_opt_type jahs_opt_priorband_bo = {
    "priorband-bo",
    "PriorBand + BO (NEPS v0.11 model_based): PriorBand until bo_kickin x "
    "max_epochs of work, then MOBSTER's GP and EI propose new configs; needs "
    "a prior",
    pbbo_create, pbbo_ask, pbbo_tell, pbbo_free,
    2}; /* 2: the GP searcher refits on every call, warm and budgeted,
          * without a data cap (issue 18) */
