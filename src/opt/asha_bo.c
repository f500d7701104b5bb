/*
 * asha_bo.c - see asha_bo.h.
 */
#include "opt/asha_bo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RANDOM_RETRIES 50 /* Syne Tune's GET_CONFIG_RANDOM_RETRIES */

typedef struct {
    int64_t trial_id, config_id;
    int epochs;
} in_flight;

struct jahs_asha_bo {
    jahs_opt_config cfg;
    jahs_asha *core;
    jahs_gp_sampler *gs;
    jahs_config_set *started;
    in_flight *fl;
    size_t n_fl, cap_fl;
    jahs_gp_obs *obs, *pend;
    size_t cap_obs, cap_pend;
    double work;
};

jahs_asha_bo *jahs_asha_bo_create(const jahs_opt_config *cfg,
                                  const char *name, jahs_error *err)
{
    jahs_asha_bo *b = calloc(1, sizeof *b);
    jahs_gp_sampler_opts so;
    char purpose[128];
    if (!b) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    b->cfg = *cfg;
    jahs_gp_sampler_opts_defaults(&so, cfg);
    snprintf(purpose, sizeof purpose, "%s/gp", name);
    b->core = jahs_asha_create(cfg, err);
    b->gs = b->core ? jahs_gp_sampler_create(cfg->space, cfg->max_epochs,
                                             cfg->seed, purpose, &so, err)
                    : NULL;
    b->started = b->gs ? jahs_config_set_create(cfg->space, err) : NULL;
    if (!b->started) {
        jahs_asha_bo_free(b);
        return NULL;
    }
    return b;
}

void jahs_asha_bo_free(jahs_asha_bo *b)
{
    if (!b)
        return;
    jahs_asha_free(b->core);
    jahs_gp_sampler_free(b->gs);
    jahs_config_set_free(b->started);
    free(b->fl);
    free(b->obs);
    free(b->pend);
    free(b);
}

jahs_asha *jahs_asha_bo_core(jahs_asha_bo *b) { return b->core; }
double jahs_asha_bo_work(const jahs_asha_bo *b) { return b->work; }
size_t jahs_asha_bo_n_pending(const jahs_asha_bo *b) { return b->n_fl; }

static int add_flight(jahs_asha_bo *b, const jahs_trial *t)
{
    if (b->n_fl == b->cap_fl) {
        size_t c = b->cap_fl ? 2 * b->cap_fl : 8;
        in_flight *q = realloc(b->fl, c * sizeof *q);
        if (!q)
            return JAHS_ENOMEM;
        b->fl = q;
        b->cap_fl = c;
    }
    b->fl[b->n_fl].trial_id = t->id;
    b->fl[b->n_fl].config_id = t->config_id;
    b->fl[b->n_fl].epochs = t->epochs;
    b->n_fl++;
    return 0;
}

int jahs_asha_bo_promotion(jahs_asha_bo *b, jahs_trial *t)
{
    if (!jahs_asha_next_promotion(b->core, t))
        return 0;
    /* out of memory here only loses a fantasy, never a trial */
    (void)add_flight(b, t);
    return 1;
}

int jahs_asha_bo_started(const jahs_asha_bo *b, const double *x)
{
    return jahs_config_set_contains(b->started, x);
}

void jahs_asha_bo_random(jahs_asha_bo *b, jahs_rng *rng, double *x)
{
    int i;
    for (i = 0; i < RANDOM_RETRIES; i++) {
        jahs_space_sample(b->cfg.space, rng, x);
        if (!jahs_config_set_contains(b->started, x))
            return;
    }
}

int jahs_asha_bo_model(jahs_asha_bo *b, double *x, jahs_gp_sampler_info *info,
                       jahs_error *err)
{
    size_t n = jahs_asha_n_results(b->core), i;
    if (n == 0)
        return JAHS_FAIL(err, JAHS_ESTATE, "model-based proposal before any "
                                           "result");
    if (n > b->cap_obs) {
        size_t c = b->cap_obs ? b->cap_obs : 64;
        jahs_gp_obs *q;
        while (c < n)
            c *= 2;
        q = realloc(b->obs, c * sizeof *q);
        if (!q)
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        b->obs = q;
        b->cap_obs = c;
    }
    for (i = 0; i < n; i++) {
        const jahs_asha_result *r = jahs_asha_result_at(b->core, i);
        b->obs[i].config = jahs_asha_config(b->core, r->config_id);
        b->obs[i].config_id = r->config_id;
        b->obs[i].epochs = r->epochs;
        b->obs[i].score = r->score;
    }
    if (b->n_fl > b->cap_pend) {
        jahs_gp_obs *q = realloc(b->pend, b->n_fl * sizeof *q);
        if (!q)
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        b->pend = q;
        b->cap_pend = b->n_fl;
    }
    for (i = 0; i < b->n_fl; i++) {
        b->pend[i].config = jahs_asha_config(b->core, b->fl[i].config_id);
        b->pend[i].config_id = b->fl[i].config_id;
        b->pend[i].epochs = b->fl[i].epochs;
        b->pend[i].score = 0;
    }
    return jahs_gp_sampler_propose(b->gs, b->obs, n, b->pend, b->n_fl,
                                   b->started, x, info, err);
}

int jahs_asha_bo_start(jahs_asha_bo *b, const double *x, jahs_origin origin,
                       jahs_trial *t, jahs_error *err)
{
    int rc = jahs_asha_start_new(b->core, x, origin, t, err);
    if (rc != 0)
        return rc;
    if (add_flight(b, t) != 0 || jahs_config_set_add(b->started, x) != 0)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    return 0;
}

int jahs_asha_bo_tell(jahs_asha_bo *b, const jahs_trial *t,
                      const jahs_result *r, jahs_error *err)
{
    size_t i;
    int rc = jahs_asha_report(b->core, t, r->val_acc, err);
    if (rc != 0)
        return rc;
    for (i = 0; i < b->n_fl; i++)
        if (b->fl[i].trial_id == t->id) {
            b->fl[i] = b->fl[--b->n_fl]; /* order of fantasies: immaterial */
            break;
        }
    b->work += (double)(t->epochs - t->resume_from) / b->cfg.max_epochs;
    return 0;
}
