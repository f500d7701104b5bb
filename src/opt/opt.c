/*
 * opt.c - the optimizer registry and the thin instance wrapper.
 *
 * To add an optimizer: one file src/opt/<name>.c exporting a const
 * jahs_opt_type, declared in opt_types.h and listed in types[] below.
 */
#include "opt/opt.h"

#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "opt/acq.h"
#include "opt/opt_types.h"

/* Syne Tune v0.13.0 searcher_base.py:27 MAX_RETRIES, used by
 * sample_random_configuration (:45-67) */
#define FRESH_RETRIES 100

static const jahs_opt_type *const types[] = {
#define JAHS_X_OPT(sym) &sym,
    JAHS_OPT_TYPES(JAHS_X_OPT)
#undef JAHS_X_OPT
    NULL};

struct jahs_opt {
    const jahs_opt_type *type;
    void *state;
};

const char *jahs_origin_name(jahs_origin o)
{
    static const char *n[] = {"random",    "prior",     "default", "promoted",
                              "incumbent", "model"};
    return (o >= 0 && o < JAHS_ORIGIN_COUNT) ? n[o] : "?";
}

jahs_origin jahs_opt_sample_new(const jahs_opt_config *cfg, jahs_rng *rng,
                                size_t n_configs, double *x)
{
    int use_prior = cfg->prior && jahs_prior_informative(cfg->prior);
    double coin = jahs_rng_uniform(rng); /* drawn every time: fixed draws */
    if (use_prior && cfg->default_first && n_configs == 0) {
        jahs_prior_mode(cfg->prior, rng, x);
        return JAHS_ORIGIN_DEFAULT;
    }
    if (use_prior && coin < cfg->prior_fraction) {
        jahs_prior_sample(cfg->prior, rng, x);
        return JAHS_ORIGIN_PRIOR;
    }
    jahs_space_sample(cfg->space, rng, x);
    return JAHS_ORIGIN_RANDOM;
}

int jahs_opt_sample_fresh(const jahs_opt_config *cfg, jahs_rng *rng,
                          size_t n_configs, jahs_config_set *seen, double *x,
                          jahs_origin *origin)
{
    int k;
    if (cfg->allow_repeats) {
        *origin = jahs_opt_sample_new(cfg, rng, n_configs, x);
        return 0;
    }
    for (k = 0; k < FRESH_RETRIES; k++) {
        *origin = jahs_opt_sample_new(cfg, rng, n_configs, x);
        if (!jahs_config_set_contains(seen, x))
            return jahs_config_set_add(seen, x) ? JAHS_ENOMEM : 0;
    }
    return JAHS_DONE;
}

void jahs_opt_config_defaults(jahs_opt_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->seed = 0;
    cfg->min_epochs = 1;
    cfg->max_epochs = 20;
    cfg->eta = 3.0;
    cfg->rungs = JAHS_RUNGS_NEPS;
    cfg->promotion = JAHS_PROMO_NEPS;
    cfg->prior_fraction = 0.8;
    cfg->default_first = 0;
    cfg->max_trials = 0;
    cfg->async = 0;
    cfg->type = JAHS_TYPE_PROMOTION;
    cfg->brackets = JAHS_BRACKETS_AUTO;
    cfg->allow_repeats = 1;     /* NEPS: SearchSpace.sample keeps no record */
    cfg->default_at_target = 0; /* NEPS v0.11.1 default_searchers/
                                 * priorband.yaml:10 */
    /* Syne Tune v0.13.0 gp_searcher_factory.py:931: num_init_random = 6
     * for Hyperband schedulers (MOBSTER) */
    cfg->initial_random = 6;
    cfg->max_points = 100000;
    cfg->candidates = 250; /* Syne Tune num_init_candidates */
    /* NEPS v0.11.1 multi_fidelity/sampling_policy.py:34 SAMPLE_THRESHOLD,
     * the random configs ModelPolicy.sample scores (:370-373) */
    cfg->neps_samples = 1000;
    cfg->bo_kickin = 10.0;
    cfg->schedule_start = 0.8;
    cfg->schedule_end = 0.0;
    cfg->schedule_budget = 30.0;
}

const jahs_opt_type *const *jahs_opt_types(void) { return types; }

const jahs_opt_type *jahs_opt_find(const char *name)
{
    size_t i;
    for (i = 0; types[i]; i++)
        if (strcmp(types[i]->name, name) == 0)
            return types[i];
    return NULL;
}

int jahs_opt_uses_blas(const char *name)
{
    /* the optimizers that fit a GP (opt/gp.c, opt/gp_neps.c: GSL's Cholesky
     * over CBLAS) */
    static const char *const gp[] = {"mobster", "mobster-neps",
                                     "priorband-bo", "prior-schedule-bo"};
    size_t i;
    for (i = 0; i < sizeof gp / sizeof *gp; i++)
        if (strcmp(gp[i], name) == 0)
            return 1;
    return 0;
}

jahs_opt *jahs_opt_create(const jahs_opt_type *type, const jahs_opt_config *cfg,
                          jahs_error *err)
{
    jahs_opt *o;
    if (!type || !cfg || !cfg->space) {
        JAHS_FAIL(err, JAHS_EINVAL, "optimizer needs a type and a space");
        return NULL;
    }
    if (cfg->min_epochs < 1 || cfg->max_epochs < cfg->min_epochs) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "bad fidelity range [%d, %d] (expected 1 <= min <= max)",
                  cfg->min_epochs, cfg->max_epochs);
        return NULL;
    }
    if (!(cfg->eta > 1)) {
        JAHS_FAIL(err, JAHS_EINVAL, "eta must be > 1, got %g", cfg->eta);
        return NULL;
    }
    o = calloc(1, sizeof *o);
    if (!o) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    o->type = type;
    o->state = type->create(cfg, err);
    if (!o->state) {
        free(o);
        return NULL;
    }
    return o;
}

int jahs_opt_ask(jahs_opt *o, jahs_trial *out, jahs_error *err)
{
    return o->type->ask(o->state, out, err);
}

int jahs_opt_tell(jahs_opt *o, const jahs_trial *t, const jahs_result *r,
                  jahs_error *err)
{
    return o->type->tell(o->state, t, r, err);
}

const jahs_opt_type *jahs_opt_type_of(const jahs_opt *o) { return o->type; }

void jahs_opt_free(jahs_opt *o)
{
    if (!o)
        return;
    o->type->free(o->state);
    free(o);
}
