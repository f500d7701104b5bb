/*
 * mobster_neps.c - see mobster_neps.h (every rule and its NEPS source).
 */
#include "opt/mobster_neps.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/util.h"
#include "opt/acq.h"
#include "opt/gp_neps.h"

struct jahs_mobster_neps {
    jahs_opt_config cfg;
    jahs_hb *core;
    jahs_rng *rng; /* initial design */
    jahs_rng *acq; /* the model's random samples */
    jahs_neps_gp *gp;
    size_t init_size;
    /* GP inputs: the non-pinned numerics, then the fidelity; categoricals */
    int nc, nh;
    int num[JAHS_MAX_PARAMS], cat[JAHS_MAX_PARAMS];
    int n_num, n_cat;
    /* training data (results at the active rung, then fantasies) */
    double *xc, *xh, *y;
    size_t cap;
    /* the model's samples */
    double *sx, *sc, *sh, *mu, *var;
    size_t n_samples;
    int fitted; /* the GP was fitted at this ask */
    jahs_mobster_neps_info info;
};

int jahs_neps_active_rung(const size_t *count, int n_rungs, size_t init_size)
{
    int k;
    /* mf_bo.py:112-119: from max_rung down to min_rung */
    for (k = n_rungs - 1; k >= 0; k--)
        if (count[k] >= init_size)
            return k;
    return -1;
}

void jahs_mobster_neps_free(jahs_mobster_neps *m)
{
    if (!m)
        return;
    jahs_hb_free(m->core);
    jahs_rng_free(m->rng);
    jahs_rng_free(m->acq);
    jahs_neps_gp_free(m->gp);
    free(m->xc);
    free(m->xh);
    free(m->y);
    free(m->sx);
    free(m->sc);
    free(m->sh);
    free(m->mu);
    free(m->var);
    free(m);
}

jahs_mobster_neps *jahs_mobster_neps_create(const jahs_opt_config *cfg,
                                            jahs_error *err)
{
    const jahs_space *sp = cfg->space;
    jahs_mobster_neps *m;
    jahs_opt_config c = *cfg;
    size_t S;
    int i;
    if (cfg->neps_samples < 1) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "mobster-neps: neps_samples must be >= 1, got %d",
                  cfg->neps_samples);
        return NULL;
    }
    m = calloc(1, sizeof *m);
    if (!m) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    c.async = 1; /* MOBSTER(MFBOBase, AsynchronousHyperband) */
    m->cfg = c;
    /* hyperband.py:521-528 */
    m->init_size = (size_t)sp->n + 2;
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        if (p->fixed) /* a NEPS ConstantParameter: no kernel input */
            continue;
        if (p->kind == JAHS_PARAM_CAT)
            m->cat[m->n_cat++] = i;
        else
            m->num[m->n_num++] = i;
    }
    m->nc = m->n_num + 1; /* + the fidelity */
    m->nh = m->n_cat;
    S = (size_t)cfg->neps_samples;
    m->n_samples = S;
    m->core = jahs_hb_create(&c, "opt/mobster-neps", err);
    m->rng = m->core ? jahs_rng_create(cfg->seed, "opt/mobster-neps/sample", 0,
                                       err)
                     : NULL;
    m->acq = m->rng ? jahs_rng_create(cfg->seed, "opt/mobster-neps/acq", 0, err)
                    : NULL;
    m->gp = m->acq ? jahs_neps_gp_create(m->nc, m->nh, NULL, err) : NULL;
    if (!m->gp) {
        jahs_mobster_neps_free(m);
        return NULL;
    }
    m->sx = malloc(S * JAHS_MAX_PARAMS * sizeof *m->sx);
    m->sc = malloc(S * (size_t)m->nc * sizeof *m->sc);
    m->sh = malloc((S * (size_t)m->nh + 1) * sizeof *m->sh);
    m->mu = malloc(S * sizeof *m->mu);
    m->var = malloc(S * sizeof *m->var);
    if (!m->sx || !m->sc || !m->sh || !m->mu || !m->var) {
        jahs_mobster_neps_free(m);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    m->info.rung = -1;
    return m;
}

/* NEPS's normalised value (float.py:170-177, integer.py:94-103: integers
 * over [lo, hi], not widened): (v - lo) / (hi - lo), in log space when log */
static double neps_unit(const jahs_param *p, double v)
{
    double lo = p->lo, hi = p->hi;
    if (p->log) {
        v = log(v);
        lo = log(lo);
        hi = log(hi);
    }
    return hi > lo ? (v - lo) / (hi - lo) : 0;
}

/* The GP inputs of config x at fidelity epochs. */
static void encode(const jahs_mobster_neps *m, const double *x, int epochs,
                   double *xc, double *xh)
{
    const jahs_space *sp = m->cfg.space;
    int i;
    for (i = 0; i < m->n_num; i++) {
        const jahs_param *p = &sp->params[m->num[i]];
        double v = x[m->num[i]];
        xc[i] = isnan(v) ? 0 : neps_unit(p, v);
    }
    xc[m->n_num] = m->cfg.max_epochs > m->cfg.min_epochs
                       ? (double)(epochs - m->cfg.min_epochs) /
                             (m->cfg.max_epochs - m->cfg.min_epochs)
                       : 0;
    for (i = 0; i < m->n_cat; i++) {
        double v = x[m->cat[i]];
        xh[i] = isnan(v) ? -1 : v;
    }
}

static int reserve(jahs_mobster_neps *m, size_t n)
{
    size_t c = m->cap ? m->cap : 64;
    if (n <= m->cap)
        return 0;
    while (c < n)
        c *= 2;
    if (!(m->xc = realloc(m->xc, c * (size_t)m->nc * sizeof *m->xc)) ||
        !(m->xh = realloc(m->xh, (c * (size_t)m->nh + 1) * sizeof *m->xh)) ||
        !(m->y = realloc(m->y, c * sizeof *m->y)))
        return JAHS_ENOMEM;
    m->cap = c;
    return 0;
}

/* Fit the GP at rung k: 0, JAHS_ENUMERIC (no model this ask), or < 0. */
static int fit_rung(jahs_mobster_neps *m, int k, jahs_error *err)
{
    const jahs_rungs *r = jahs_hb_rungs(m->core);
    size_t n = jahs_hb_rung_count(m->core, k), nc = jahs_hb_n_configs(m->core);
    size_t i, np = 0;
    int epochs = r->epochs[k], rc;
    jahs_error local = {0};
    if (reserve(m, n + jahs_hb_n_pending(m->core)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (i = 0; i < n; i++) {
        int64_t id;
        double score;
        jahs_hb_rung_result(m->core, k, i, &id, &score);
        encode(m, jahs_hb_config(m->core, id), epochs, m->xc + i * m->nc,
               m->xh + i * m->nh);
        m->y[i] = -score; /* a loss: lower is better */
    }
    /* pending trials whose target is rung k (mf_bo.py:45, 74-78) */
    for (i = 0; i < nc; i++) {
        int rung, pending;
        double score;
        jahs_hb_config_state(m->core, (int64_t)i, &rung, &pending, &score);
        if (!pending || rung != k)
            continue;
        encode(m, jahs_hb_config(m->core, (int64_t)i), epochs,
               m->xc + (n + np) * m->nc, m->xh + (n + np) * m->nh);
        np++;
    }
    rc = jahs_neps_gp_fit(m->gp, m->xc, m->xh, m->y, n, &local);
    if (rc == 0 && np > 0) {
        double *var = malloc(np * sizeof *var);
        if (!var)
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        rc = jahs_neps_gp_predict(m->gp, m->xc + n * m->nc,
                                  m->xh + n * m->nh, np, m->y + n, var,
                                  &local);
        free(var);
        if (rc == 0)
            rc = jahs_neps_gp_fit(m->gp, m->xc, m->xh, m->y, n + np, &local);
    }
    if (rc == JAHS_ENOMEM)
        return JAHS_FAIL(err, rc, "out of memory");
    m->info.rung = k;
    m->info.n_train = n;
    m->info.n_pending = np;
    if (rc < 0) {
        m->info.fallbacks++;
        return JAHS_ENUMERIC;
    }
    {
        double p[JAHS_MAX_ENCODED + 3];
        jahs_neps_gp_get_params(m->gp, p, NULL);
        m->info.lik = p[m->nh > 0 ? 2 : 1];
    }
    m->info.best = jahs_neps_gp_best(m->gp);
    return 0;
}

/* The model's new config: argmax of EI over the samples. */
static int propose(jahs_mobster_neps *m, int k, double *x, jahs_error *err)
{
    const jahs_rungs *r = jahs_hb_rungs(m->core);
    size_t S = m->n_samples, s, best = 0;
    double best_ei = -INFINITY, inc = jahs_neps_gp_best(m->gp);
    int rc;
    for (s = 0; s < S; s++) {
        double *xs = m->sx + s * JAHS_MAX_PARAMS;
        jahs_space_sample(m->cfg.space, m->acq, xs);
        encode(m, xs, r->epochs[k], m->sc + s * m->nc, m->sh + s * m->nh);
    }
    if ((rc = jahs_neps_gp_predict(m->gp, m->sc, m->sh, S, m->mu, m->var,
                                   err)) < 0)
        return rc;
    for (s = 0; s < S; s++) {
        double ei = jahs_ei(m->mu[s], sqrt(m->var[s]), inc);
        if (ei > best_ei) { /* np.argmax: the first of the highest */
            best_ei = ei;
            best = s;
        }
    }
    memcpy(x, m->sx + best * JAHS_MAX_PARAMS, JAHS_MAX_PARAMS * sizeof *x);
    m->info.ei = best_ei;
    return 0;
}

int jahs_mobster_neps_ask(jahs_mobster_neps *m, jahs_trial *t, jahs_error *err)
{
    const jahs_rungs *r = jahs_hb_rungs(m->core);
    size_t count[JAHS_MAX_RUNGS];
    double x[JAHS_MAX_PARAMS];
    int k, rung, rc;
    for (k = 0; k < r->n; k++)
        count[k] = jahs_hb_rung_count(m->core, k);
    m->info.rung = -1;
    m->info.n_train = m->info.n_pending = 0;
    m->info.model = 0;
    m->info.ei = 0;
    m->fitted = 0;
    /* load_results -> _fit_models on every ask (mf_bo.py:23-31) */
    k = jahs_neps_active_rung(count, r->n, m->init_size);
    if (k >= 0) {
        rc = fit_rung(m, k, err);
        if (rc < 0 && rc != JAHS_ENUMERIC)
            return rc;
        m->fitted = rc == 0;
    }
    rc = jahs_hb_next(m->core, t, &rung);
    if (rc != 0 || rung < 0)
        return rc; /* a promotion, WAIT or DONE */
    if (m->fitted) {
        if ((rc = propose(m, k, x, err)) < 0)
            return rc;
        m->info.model = 1;
        return jahs_hb_start_new(m->core, x, JAHS_ORIGIN_MODEL, t, err);
    }
    jahs_space_sample(m->cfg.space, m->rng, x);
    return jahs_hb_start_new(m->core, x, JAHS_ORIGIN_RANDOM, t, err);
}

int jahs_mobster_neps_tell(jahs_mobster_neps *m, const jahs_trial *t,
                           const jahs_result *r, jahs_error *err)
{
    return jahs_hb_report(m->core, t, r->val_acc, err);
}

const jahs_hb *jahs_mobster_neps_core(const jahs_mobster_neps *m)
{
    return m->core;
}

size_t jahs_mobster_neps_init_size(const jahs_mobster_neps *m)
{
    return m->init_size;
}

void jahs_mobster_neps_last(const jahs_mobster_neps *m,
                            jahs_mobster_neps_info *info)
{
    *info = m->info;
}

static void *mn_create(const jahs_opt_config *cfg, jahs_error *err)
{
    return jahs_mobster_neps_create(cfg, err);
}
static int mn_ask(void *s, jahs_trial *t, jahs_error *err)
{
    return jahs_mobster_neps_ask(s, t, err);
}
static int mn_tell(void *s, const jahs_trial *t, const jahs_result *r,
                   jahs_error *err)
{
    return jahs_mobster_neps_tell(s, t, r, err);
}
static void mn_free(void *s) { jahs_mobster_neps_free(s); }

const jahs_opt_type jahs_opt_mobster_neps = {
    "mobster-neps",
    "MOBSTER as NEPS v0.11 runs it (the poster's): asynchronous Hyperband "
    "bracket draws, a GP per rung once a rung has ndims + 2 results, EI "
    "over 1000 random samples; ignores priors",
    mn_create, mn_ask, mn_tell, mn_free,
    1};
