/*
 * asha_core.c - see asha_core.h.
 */
#include "opt/asha_core.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

typedef struct {
    int64_t config_id;
    double score;
    int promoted;
} rung_rec;

typedef struct {
    rung_rec *recs;
    size_t n, cap;
    /* scratch for jahs_rungs_pick */
    double *score;
    int *prom;
    size_t scratch_cap;
} rung_list;

struct jahs_asha {
    jahs_opt_config cfg;
    jahs_rungs rungs;
    rung_list lists[JAHS_MAX_RUNGS];
    double *configs; /* n_configs x JAHS_MAX_PARAMS */
    size_t n_configs, cap_configs;
    jahs_asha_result *results;
    size_t n_results, cap_results;
    int64_t next_trial;
    size_t pending;
    /* stopping type: continuations (config id, rung reached), FIFO */
    struct cont {
        int64_t config_id;
        int rung;
    } *cont;
    size_t n_cont, head_cont, cap_cont;
};

jahs_asha *jahs_asha_create(const jahs_opt_config *cfg, jahs_error *err)
{
    jahs_asha *a = calloc(1, sizeof *a);
    if (!a) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    a->cfg = *cfg;
    if (jahs_rungs_make(cfg->min_epochs, cfg->max_epochs, cfg->eta, cfg->rungs,
                        &a->rungs, err) != 0) {
        free(a);
        return NULL;
    }
    return a;
}

void jahs_asha_free(jahs_asha *a)
{
    int k;
    if (!a)
        return;
    for (k = 0; k < JAHS_MAX_RUNGS; k++) {
        free(a->lists[k].recs);
        free(a->lists[k].score);
        free(a->lists[k].prom);
    }
    free(a->configs);
    free(a->results);
    free(a->cont);
    free(a);
}

static void fill_trial(jahs_asha *a, jahs_trial *t, int64_t config_id,
                       int rung, int resume_from, jahs_origin origin)
{
    memset(t, 0, sizeof *t);
    t->id = a->next_trial++;
    t->config_id = config_id;
    memcpy(t->config, a->configs + (size_t)config_id * JAHS_MAX_PARAMS,
           sizeof t->config);
    t->epochs = a->rungs.epochs[rung];
    t->resume_from = resume_from;
    t->rung = rung;
    t->bracket = 0;
    t->origin = origin;
    a->pending++;
}

int jahs_asha_next_promotion(jahs_asha *a, jahs_trial *t)
{
    int k;
    if (a->cfg.type == JAHS_TYPE_STOPPING) {
        const struct cont *c;
        if (a->head_cont == a->n_cont)
            return 0;
        c = &a->cont[a->head_cont++];
        fill_trial(a, t, c->config_id, c->rung + 1, a->rungs.epochs[c->rung],
                   JAHS_ORIGIN_PROMOTED);
        return 1;
    }
    for (k = a->rungs.n - 2; k >= 0; k--) {
        rung_list *l = &a->lists[k];
        size_t i;
        long pick;
        if (l->n == 0)
            continue;
        if (jahs_grow((void **)&l->score, &l->scratch_cap, l->n, sizeof *l->score))
            return 0;
        {
            size_t cap = l->scratch_cap;
            int *p = realloc(l->prom, cap * sizeof *p);
            if (!p)
                return 0;
            l->prom = p;
        }
        for (i = 0; i < l->n; i++) {
            l->score[i] = l->recs[i].score;
            l->prom[i] = l->recs[i].promoted;
        }
        pick = jahs_rungs_pick_at(&a->rungs, k, l->score, l->prom, l->n,
                                  a->cfg.eta, a->cfg.promotion);
        if (pick < 0)
            continue;
        l->recs[pick].promoted = 1;
        fill_trial(a, t, l->recs[pick].config_id, k + 1, a->rungs.epochs[k],
                   JAHS_ORIGIN_PROMOTED);
        return 1;
    }
    return 0;
}

int jahs_asha_start_new(jahs_asha *a, const double *config, jahs_origin origin,
                        jahs_trial *t, jahs_error *err)
{
    double *slot;
    if (jahs_grow((void **)&a->configs, &a->cap_configs, a->n_configs + 1,
             JAHS_MAX_PARAMS * sizeof(double)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    slot = a->configs + a->n_configs * JAHS_MAX_PARAMS;
    memset(slot, 0, JAHS_MAX_PARAMS * sizeof *slot);
    memcpy(slot, config, (size_t)a->cfg.space->n * sizeof *slot);
    fill_trial(a, t, (int64_t)a->n_configs, 0, 0, origin);
    a->n_configs++;
    return 0;
}

int jahs_asha_report(jahs_asha *a, const jahs_trial *t, double score,
                     jahs_error *err)
{
    rung_list *l;
    if (t->rung < 0 || t->rung >= a->rungs.n || t->config_id < 0 ||
        (size_t)t->config_id >= a->n_configs)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "result for a trial this scheduler did not issue "
                         "(trial %lld, rung %d)",
                         (long long)t->id, t->rung);
    l = &a->lists[t->rung];
    if (jahs_grow((void **)&l->recs, &l->cap, l->n + 1, sizeof *l->recs) ||
        jahs_grow((void **)&a->results, &a->cap_results, a->n_results + 1,
             sizeof *a->results))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    l->recs[l->n].config_id = t->config_id;
    l->recs[l->n].score = score;
    /* the top rung never promotes */
    l->recs[l->n].promoted = 0;
    l->n++;
    a->results[a->n_results].config_id = t->config_id;
    a->results[a->n_results].rung = t->rung;
    a->results[a->n_results].epochs = t->epochs;
    a->results[a->n_results].score = score;
    a->n_results++;
    if (a->pending > 0)
        a->pending--;
    if (a->cfg.type == JAHS_TYPE_STOPPING && t->rung < a->rungs.n - 1) {
        size_t i;
        int go;
        if (jahs_grow((void **)&l->score, &l->scratch_cap, l->n,
                      sizeof *l->score) ||
            jahs_grow((void **)&a->cont, &a->cap_cont, a->n_cont + 1,
                      sizeof *a->cont))
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        for (i = 0; i < l->n; i++)
            l->score[i] = l->recs[i].score;
        go = jahs_rungs_continues(&a->rungs, t->rung, l->score, l->n);
        if (go) {
            l->recs[l->n - 1].promoted = 1;
            a->cont[a->n_cont].config_id = t->config_id;
            a->cont[a->n_cont].rung = t->rung;
            a->n_cont++;
        }
    }
    return 0;
}

const jahs_rungs *jahs_asha_rungs(const jahs_asha *a) { return &a->rungs; }
size_t jahs_asha_n_results(const jahs_asha *a) { return a->n_results; }
const jahs_asha_result *jahs_asha_result_at(const jahs_asha *a, size_t i)
{
    return i < a->n_results ? &a->results[i] : NULL;
}
size_t jahs_asha_n_configs(const jahs_asha *a) { return a->n_configs; }
const double *jahs_asha_config(const jahs_asha *a, int64_t config_id)
{
    if (config_id < 0 || (size_t)config_id >= a->n_configs)
        return NULL;
    return a->configs + (size_t)config_id * JAHS_MAX_PARAMS;
}
size_t jahs_asha_n_pending(const jahs_asha *a) { return a->pending; }
int64_t jahs_asha_n_trials(const jahs_asha *a) { return a->next_trial; }
