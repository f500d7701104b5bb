/*
 * hb_core.c - see hb_core.h.
 */
#include "opt/hb_core.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/util.h"

/* Results at one rung, struct-of-arrays so jahs_rungs_pick reads them as is. */
typedef struct {
    int64_t *id;
    double *score;
    int *prom;
    size_t n, cap;
} rec_list;

typedef struct {
    int s;                       /* base rung */
    int size[JAHS_MAX_RUNGS];    /* n_r, r = s .. K-1 */
    int started;                 /* new configs started */
    int promoted[JAHS_MAX_RUNGS]; /* promotions out of rung r */
    rec_list recs[JAHS_MAX_RUNGS];
    int complete;
} bracket;

typedef struct {
    int bracket; /* bracket instance (sync), base rung (async), -1 outside */
    int rung;    /* rung of the latest trial */
    int pending; /* latest trial not reported yet */
    double score; /* at the latest rung, when not pending */
} cfg_state;

struct jahs_hb {
    jahs_opt_config cfg;
    jahs_rungs rungs;
    int S; /* top rung index */
    int async;
    jahs_bracket_style bstyle; /* resolved: NEPS, SYNETUNE or LI */
    /* stopping type (async): continuations (config id, rung reached), FIFO */
    struct hb_cont {
        int64_t id;
        int rung;
    } *cont;
    size_t n_cont, head_cont, cap_cont;
    jahs_rng *rng; /* async bracket draws */
    double bprob[JAHS_MAX_RUNGS];
    rec_list global[JAHS_MAX_RUNGS];
    bracket *br;
    size_t n_br, cap_br;
    size_t first_open; /* brackets before it are complete */
    int next_s;        /* base rung of the next bracket to open (sync) */
    double *x;         /* n_configs x JAHS_MAX_PARAMS */
    cfg_state *st;
    size_t n_cfg, cap_cfg;
    int64_t next_trial;
    size_t pending;
    double work;
    /* decision of the last jahs_hb_next that returned 0 */
    int want_rung, want_bracket, want_valid;
};

static int rec_push(rec_list *l, int64_t id, double score)
{
    size_t cap = l->cap;
    if (l->n + 1 > cap) {
        size_t c = cap ? cap * 2 : 16;
        int64_t *a = realloc(l->id, c * sizeof *a);
        double *b;
        int *p;
        if (!a)
            return JAHS_ENOMEM;
        l->id = a;
        b = realloc(l->score, c * sizeof *b);
        if (!b)
            return JAHS_ENOMEM;
        l->score = b;
        p = realloc(l->prom, c * sizeof *p);
        if (!p)
            return JAHS_ENOMEM;
        l->prom = p;
        l->cap = c;
    }
    l->id[l->n] = id;
    l->score[l->n] = score;
    l->prom[l->n] = 0;
    l->n++;
    return 0;
}

static void rec_free(rec_list *l)
{
    free(l->id);
    free(l->score);
    free(l->prom);
    memset(l, 0, sizeof *l);
}

int jahs_hb_bracket_sizes(const jahs_rungs *r, double eta, int s, int *n)
{
    return jahs_hb_bracket_sizes_style(r, eta, JAHS_BRACKETS_NEPS, s, n);
}

int jahs_hb_bracket_sizes_style(const jahs_rungs *r, double eta,
                                jahs_bracket_style style, int s, int *n)
{
    int S = r->n - 1, k;
    double m;
    if (!(eta > 1) || s < 0 || s > S)
        return JAHS_EINVAL;
    for (k = 0; k < JAHS_MAX_RUNGS; k++)
        n[k] = 0;
    switch (style) {
    case JAHS_BRACKETS_SYNETUNE: {
        /* Syne Tune v0.13.0 synchronous/hyperband_rung_system.py:92-105:
         * pre_fact = (s_max + 1) / (r_num_m1 + 1), rung sizes
         * ceil(pre_fact * eta^(r_num_m1 - rung)), the top ceil(pre_fact);
         * here r_num_m1 = S - s and rung = k - s */
        double pre = (double)(S + 1) / (double)(S - s + 1);
        for (k = s; k < S; k++)
            n[k] = (int)ceil(pre * pow(eta, S - k));
        n[S] = (int)ceil(pre);
        return 0;
    }
    case JAHS_BRACKETS_LI:
        /* Li et al. 2018, Algorithm 1: n = ceil(B / R * eta^s' / (s' + 1))
         * with B = (s_max + 1) R and s' = S - s, then successive halving
         * keeps floor(n eta^-i) */
        m = ceil((double)(S + 1) / (double)(S - s + 1) * pow(eta, S - s));
        for (k = s; k <= S; k++)
            n[k] = (int)floor(m / pow(eta, k - s) + 1e-9);
        return 0;
    default:
        /* NEPS v0.11.1 multi_fidelity/successive_halving.py:193-211
         * _get_config_map: _n_config = floor(s_max / (_s + 1)) * eta**_s
         * with s_max = S + 1 and _s = S - s, then int() per rung and
         * _n_config //= eta (HpBandSter v1.0 optimizers/hyperband.py:92-93
         * has the same sizes) */
        m = floor((double)(S + 1) / (double)(S - s + 1)) * pow(eta, S - s);
        for (k = s; k <= S; k++) {
            n[k] = (int)floor(m + 1e-9);
            m = floor(m / eta + 1e-9);
        }
        return 0;
    }
}

int jahs_hb_bracket_probs(const jahs_rungs *r, double eta,
                          jahs_bracket_style style, double *p)
{
    int S = r->n - 1, s;
    double sum = 0;
    if (!(eta > 1))
        return JAHS_EINVAL;
    for (s = 0; s <= S; s++) {
        if (style == JAHS_BRACKETS_SYNETUNE)
            /* Syne Tune v0.13.0 searchers/bracket_distribution.py:70-80:
             * smax_plus1 / ((smax_plus1 - s) * rung_levels[s]) */
            p[s] = (double)(S + 1) / ((double)(S + 1 - s) * r->epochs[s]);
        else
            /* NEPS v0.11.1 multi_fidelity/hyperband.py:384-401
             * _get_bracket_to_run, K = max_rung */
            p[s] = pow(eta, S - s) * (S + 1) / (S - s + 1);
        sum += p[s];
    }
    for (s = 0; s <= S; s++)
        p[s] /= sum;
    return 0;
}

jahs_hb *jahs_hb_create(const jahs_opt_config *cfg, const char *purpose,
                        jahs_error *err)
{
    jahs_hb *h = calloc(1, sizeof *h);
    char name[96];
    if (!h) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    h->cfg = *cfg;
    h->async = cfg->async != 0;
    h->bstyle = jahs_bracket_style_resolve(cfg->brackets, cfg->rungs);
    if (cfg->type == JAHS_TYPE_STOPPING && !h->async) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "type = stopping needs the asynchronous variant (async = "
                  "1), as Syne Tune's HyperbandScheduler; synchronous "
                  "Hyperband always promotes");
        free(h);
        return NULL;
    }
    if (jahs_rungs_make(cfg->min_epochs, cfg->max_epochs, cfg->eta, cfg->rungs,
                        &h->rungs, err) != 0) {
        free(h);
        return NULL;
    }
    h->S = h->rungs.n - 1;
    snprintf(name, sizeof name, "%s/bracket", purpose);
    h->rng = jahs_rng_create(cfg->seed, name, 0, err);
    if (!h->rng) {
        free(h);
        return NULL;
    }
    jahs_hb_bracket_probs(&h->rungs, cfg->eta, h->bstyle, h->bprob);
    return h;
}

void jahs_hb_free(jahs_hb *h)
{
    size_t i;
    int k;
    if (!h)
        return;
    for (k = 0; k < JAHS_MAX_RUNGS; k++)
        rec_free(&h->global[k]);
    for (i = 0; i < h->n_br; i++)
        for (k = 0; k < JAHS_MAX_RUNGS; k++)
            rec_free(&h->br[i].recs[k]);
    free(h->br);
    free(h->x);
    free(h->st);
    free(h->cont);
    jahs_rng_free(h->rng);
    free(h);
}

static void fill_trial(jahs_hb *h, jahs_trial *t, int64_t id, int rung,
                       int resume_from, int bracket_s, jahs_origin origin)
{
    memset(t, 0, sizeof *t);
    t->id = h->next_trial++;
    t->config_id = id;
    memcpy(t->config, h->x + (size_t)id * JAHS_MAX_PARAMS, sizeof t->config);
    t->epochs = h->rungs.epochs[rung];
    t->resume_from = resume_from;
    t->rung = rung;
    t->bracket = bracket_s;
    t->origin = origin;
    h->pending++;
}

/* Issue a promotion of config id from rung k to k + 1. */
static void promote(jahs_hb *h, int64_t id, int k, jahs_trial *t)
{
    cfg_state *c = &h->st[id];
    /* its rung-k result leaves the finished work until the new one is in */
    h->work -= h->rungs.epochs[k];
    c->rung = k + 1;
    c->pending = 1;
    fill_trial(h, t, id, k + 1, h->rungs.epochs[k],
               c->bracket >= 0 && !h->async ? h->br[c->bracket].s : c->bracket,
               JAHS_ORIGIN_PROMOTED);
}

/* Best not-yet-promoted record of l (ties: the earlier one), or -1. */
static long best_unpromoted(const rec_list *l)
{
    size_t i;
    long best = -1;
    for (i = 0; i < l->n; i++)
        if (!l->prom[i] && (best < 0 || l->score[i] > l->score[best]))
            best = (long)i;
    return best;
}

static int sync_promotion(jahs_hb *h, jahs_trial *t)
{
    size_t b;
    for (b = h->first_open; b < h->n_br; b++) {
        bracket *br = &h->br[b];
        int k;
        if (br->complete)
            continue;
        for (k = h->S - 1; k >= br->s; k--) {
            long i;
            if ((int)br->recs[k].n < br->size[k] ||
                br->promoted[k] >= br->size[k + 1])
                continue;
            i = best_unpromoted(&br->recs[k]);
            if (i < 0)
                continue;
            br->recs[k].prom[i] = 1;
            br->promoted[k]++;
            promote(h, br->recs[k].id[i], k, t);
            return 1;
        }
    }
    return 0;
}

static int new_allowed(const jahs_hb *h)
{
    return h->cfg.max_trials <= 0 || h->n_cfg < (size_t)h->cfg.max_trials;
}

static int async_promotion(jahs_hb *h, int lo, jahs_trial *t)
{
    int k;
    for (k = h->S - 1; k >= lo; k--) {
        rec_list *l = &h->global[k];
        long i;
        if (l->n == 0)
            continue;
        i = jahs_rungs_pick_at(&h->rungs, k, l->score, l->prom, l->n,
                               h->cfg.eta, h->cfg.promotion);
        if (i < 0)
            continue;
        l->prom[i] = 1;
        promote(h, l->id[i], k, t);
        return 1;
    }
    return 0;
}

int jahs_hb_next(jahs_hb *h, jahs_trial *t, int *rung)
{
    h->want_valid = 0;
    if (h->async && h->cfg.type == JAHS_TYPE_STOPPING) {
        /* a continuation runs on without a new bracket draw (Syne Tune
         * samples a bracket only for a new task, hyperband.py:1244-1246) */
        if (h->head_cont < h->n_cont) {
            const struct hb_cont *c = &h->cont[h->head_cont++];
            promote(h, c->id, c->rung, t);
            *rung = -1;
            return 0;
        }
    }
    if (h->async) {
        double w[JAHS_MAX_RUNGS];
        int s, lo;
        memcpy(w, h->bprob, sizeof w);
        s = (int)jahs_rng_discrete(h->rng, w, (size_t)h->S + 1);
        /* NEPS: bracket s promotes from rungs S-1 .. s only
         * (successive_halving.py:387, min_rung = s); Syne Tune's one rung
         * system scans every rung whatever bracket was drawn
         * (hyperband_promotion.py:157-165, rung_system_per_bracket False) */
        lo = h->bstyle == JAHS_BRACKETS_SYNETUNE ? 0 : s;
        if (h->cfg.type != JAHS_TYPE_STOPPING && async_promotion(h, lo, t)) {
            *rung = -1;
            return 0;
        }
        if (new_allowed(h)) {
            h->want_rung = s;
            h->want_bracket = s;
            h->want_valid = 1;
            *rung = s;
            return 0;
        }
        /* no new configs: any promotion at all before waiting */
        if (h->cfg.type != JAHS_TYPE_STOPPING && async_promotion(h, 0, t)) {
            *rung = -1;
            return 0;
        }
    } else {
        if (sync_promotion(h, t)) {
            *rung = -1;
            return 0;
        }
        const bracket *nb = h->n_br > 0 ? &h->br[h->n_br - 1] : NULL;
        if (nb && nb->started < nb->size[nb->s]) {
            h->want_bracket = (int)h->n_br - 1;
            h->want_rung = h->br[h->n_br - 1].s;
            h->want_valid = 1;
            *rung = h->want_rung;
            return 0;
        }
        if (new_allowed(h)) {
            h->want_bracket = -2; /* open the next bracket on start */
            h->want_rung = h->next_s;
            h->want_valid = 1;
            *rung = h->want_rung;
            return 0;
        }
    }
    return h->pending > 0 ? JAHS_WAIT : JAHS_DONE;
}

static int add_config(jahs_hb *h, const double *x, int bracket_idx, int rung,
                      jahs_error *err)
{
    double *slot;
    cfg_state *c;
    if (jahs_grow((void **)&h->x, &h->cap_cfg, h->n_cfg + 1,
             JAHS_MAX_PARAMS * sizeof(double)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    {
        size_t cap = h->cap_cfg;
        cfg_state *p = realloc(h->st, cap * sizeof *p);
        if (!p)
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        h->st = p;
    }
    slot = h->x + h->n_cfg * JAHS_MAX_PARAMS;
    memset(slot, 0, JAHS_MAX_PARAMS * sizeof *slot);
    memcpy(slot, x, (size_t)h->cfg.space->n * sizeof *slot);
    c = &h->st[h->n_cfg];
    c->bracket = bracket_idx;
    c->rung = rung;
    c->pending = 1;
    c->score = 0;
    h->n_cfg++;
    return 0;
}

int jahs_hb_start_new(jahs_hb *h, const double *x, jahs_origin origin,
                      jahs_trial *t, jahs_error *err)
{
    int rc, bi, s;
    if (!h->want_valid)
        return JAHS_FAIL(err, JAHS_ESTATE,
                         "hyperband: start_new without a decision for a new "
                         "config");
    s = h->want_rung;
    if (h->async) {
        bi = s;
    } else {
        if (h->want_bracket == -2) {
            bracket *br;
            if (jahs_grow((void **)&h->br, &h->cap_br, h->n_br + 1, sizeof *h->br))
                return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            br = &h->br[h->n_br];
            memset(br, 0, sizeof *br);
            br->s = s;
            jahs_hb_bracket_sizes_style(&h->rungs, h->cfg.eta, h->bstyle, s,
                                        br->size);
            h->want_bracket = (int)h->n_br++;
            h->next_s = (s + 1) % (h->S + 1);
        }
        bi = h->want_bracket;
        h->br[bi].started++;
    }
    if ((rc = add_config(h, x, bi, s, err)) < 0)
        return rc;
    h->want_valid = 0;
    fill_trial(h, t, (int64_t)h->n_cfg - 1, s, 0, s, origin);
    return 0;
}

int jahs_hb_start_at_top(jahs_hb *h, const double *x, jahs_origin origin,
                         jahs_trial *t, jahs_error *err)
{
    int rc;
    if (h->n_cfg != 0)
        return JAHS_FAIL(err, JAHS_ESTATE,
                         "hyperband: a config at the top rung outside the "
                         "brackets must come first");
    if ((rc = add_config(h, x, -1, h->S, err)) < 0)
        return rc;
    h->want_valid = 0;
    fill_trial(h, t, 0, h->S, 0, -1, origin);
    return 0;
}

int jahs_hb_report(jahs_hb *h, const jahs_trial *t, double score,
                   jahs_error *err)
{
    cfg_state *c;
    int k = t->rung;
    if (t->config_id < 0 || (size_t)t->config_id >= h->n_cfg || k < 0 ||
        k > h->S || h->st[t->config_id].rung != k ||
        !h->st[t->config_id].pending || t->id >= h->next_trial)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "result for a trial this hyperband did not issue or "
                         "already heard of (trial %lld, config %lld, rung %d)",
                         (long long)t->id, (long long)t->config_id, t->rung);
    c = &h->st[t->config_id];
    if (rec_push(&h->global[k], t->config_id, score))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    if (!h->async && c->bracket >= 0) {
        bracket *br = &h->br[c->bracket];
        if (rec_push(&br->recs[k], t->config_id, score))
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        if (k == h->S && (int)br->recs[k].n >= br->size[k]) {
            int r;
            br->complete = 1;
            for (r = 0; r < JAHS_MAX_RUNGS; r++)
                rec_free(&br->recs[r]);
            while (h->first_open < h->n_br && h->br[h->first_open].complete)
                h->first_open++;
        }
    }
    c->pending = 0;
    c->score = score;
    h->work += h->rungs.epochs[k];
    if (h->pending > 0)
        h->pending--;
    if (h->async && h->cfg.type == JAHS_TYPE_STOPPING && k < h->S) {
        rec_list *l = &h->global[k];
        if (jahs_rungs_continues(&h->rungs, k, l->score, l->n)) {
            if (jahs_grow((void **)&h->cont, &h->cap_cont, h->n_cont + 1,
                          sizeof *h->cont))
                return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            l->prom[l->n - 1] = 1;
            h->cont[h->n_cont].id = t->config_id;
            h->cont[h->n_cont].rung = k;
            h->n_cont++;
        }
    }
    return 0;
}

const jahs_rungs *jahs_hb_rungs(const jahs_hb *h) { return &h->rungs; }
jahs_bracket_style jahs_hb_bracket_style(const jahs_hb *h)
{
    return h->bstyle;
}

size_t jahs_hb_rung_count(const jahs_hb *h, int k)
{
    return k >= 0 && k < JAHS_MAX_RUNGS ? h->global[k].n : 0;
}

void jahs_hb_rung_result(const jahs_hb *h, int k, size_t i, int64_t *config_id,
                         double *score)
{
    *config_id = h->global[k].id[i];
    *score = h->global[k].score[i];
}

size_t jahs_hb_n_configs(const jahs_hb *h) { return h->n_cfg; }

const double *jahs_hb_config(const jahs_hb *h, int64_t config_id)
{
    if (config_id < 0 || (size_t)config_id >= h->n_cfg)
        return NULL;
    return h->x + (size_t)config_id * JAHS_MAX_PARAMS;
}

int jahs_hb_config_state(const jahs_hb *h, int64_t config_id, int *rung,
                         int *pending, double *score)
{
    const cfg_state *c;
    if (config_id < 0 || (size_t)config_id >= h->n_cfg)
        return JAHS_EINVAL;
    c = &h->st[config_id];
    *rung = c->rung;
    *pending = c->pending;
    *score = c->score;
    return 0;
}

double jahs_hb_finished_work(const jahs_hb *h) { return h->work; }
size_t jahs_hb_n_pending(const jahs_hb *h) { return h->pending; }
int64_t jahs_hb_n_trials(const jahs_hb *h) { return h->next_trial; }
