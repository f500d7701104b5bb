/*
 * random.c - random search (Bergstra & Bengio 2012): every config is trained
 * at the maximum fidelity.  New configs come from the prior with probability
 * prior_fraction when a prior is given (1.0 gives NEPS's "random search from
 * the prior"), uniformly otherwise.  Never waits; DONE after max_trials new
 * configs when max_trials > 0.  cfg->allow_repeats = 0 never draws a config
 * twice (Syne Tune's RandomSearcher, random_grid_searcher.py:97-125, up to
 * 100 draws each: jahs_opt_sample_fresh), and answers DONE once a draw finds
 * none that is new.
 */
#include <stdlib.h>

#include "core/rng.h"
#include "opt/acq.h"
#include "opt/opt.h"

typedef struct {
    jahs_opt_config cfg;
    jahs_rng *rng;
    jahs_config_set *seen; /* allow_repeats = 0 only */
    int64_t next_id;
} rs_state;

static void rs_free(void *state);

static void *rs_create(const jahs_opt_config *cfg, jahs_error *err)
{
    rs_state *s = calloc(1, sizeof *s);
    if (!s) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    s->cfg = *cfg;
    s->rng = jahs_rng_create(cfg->seed, "opt/random/sample", 0, err);
    if (s->rng && !cfg->allow_repeats)
        s->seen = jahs_config_set_create(cfg->space, err);
    if (!s->rng || (!cfg->allow_repeats && !s->seen)) {
        rs_free(s);
        return NULL;
    }
    return s;
}

static int rs_ask(void *state, jahs_trial *t, jahs_error *err)
{
    rs_state *s = state;
    jahs_origin o;
    int rc;
    if (s->cfg.max_trials > 0 && s->next_id >= s->cfg.max_trials)
        return JAHS_DONE;
    rc = jahs_opt_sample_fresh(&s->cfg, s->rng, (size_t)s->next_id, s->seen,
                               t->config, &o);
    if (rc == JAHS_DONE)
        return JAHS_DONE;
    if (rc < 0)
        return JAHS_FAIL(err, rc, "out of memory");
    t->id = t->config_id = s->next_id++;
    t->epochs = s->cfg.max_epochs;
    t->resume_from = 0;
    t->rung = 0;
    t->bracket = -1;
    t->origin = o;
    return 0;
}

static int rs_tell(void *state, const jahs_trial *t, const jahs_result *r,
                   jahs_error *err)
{
    (void)state;
    (void)t;
    (void)r;
    (void)err;
    return 0;
}

static void rs_free(void *state)
{
    rs_state *s = state;
    if (!s)
        return;
    jahs_rng_free(s->rng);
    jahs_config_set_free(s->seen);
    free(s);
}

const jahs_opt_type jahs_opt_random = {
    "random",
    "random search at max fidelity; from the prior with probability "
    "prior_fraction when a prior is given",
    rs_create, rs_ask, rs_tell, rs_free,
    1};
