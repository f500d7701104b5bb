/*
 * priorband.c - PriorBand as in NEPS v0.11 (see priorband.h for the files).
 * Line numbers below are of neps v0.11.1 (the optimizers are the same in
 * v0.11.0); "pb" is multi_fidelity_prior/priorband.py, "ut" its utils.py.
 *
 * Schedule: synchronous Hyperband (hb_core.h; NEPS's PriorBand inherits
 * HyperbandCustomDefault with SyncPromotionPolicy, pb:275, 283).  cfg->async
 * runs the same sampler over the asynchronous variant: our extension, not
 * checked against NEPS's async_priorband.py.
 *
 * The default first (cfg->default_first; NEPS's sample_default_first, true
 * in default_searchers/priorband.yaml:9): the prior's mode is the very first
 * config.  Where it runs is cfg->default_at_target:
 *   0 (the default): at the base rung of bracket 0, as the first of that
 *     bracket's configs, as neps.run(searcher="priorband") does: it loads
 *     priorband.yaml, whose sample_default_at_target is false (:10), and
 *     SuccessiveHalvingBase.get_config_and_ids then samples the default at
 *     rung_id = min_rung (multi_fidelity/successive_halving.py:415-427);
 *   1: at the top rung and outside the brackets (the PriorBand class's own
 *     keyword default, pb:291 sample_default_at_target=True, which
 *     successive_halving.py:422-424 sends to max_rung and :283-289, 500-502
 *     keep out of every bracket).
 *
 * Sampling a new config at rung r (the base rung of its bracket; NEPS passes
 * current_sh_bracket, pb:382), prior_weight_type "geometric" (pb:143-148,
 * 169-183):
 *   w_random = 1 / (1 + eta^r),  w_p = eta^r / (1 + eta^r);
 *   (p, i) = the dynamic prior/incumbent ratio (below);
 *   w_prior = p w_p, w_inc = i w_p;
 *   until the incumbent is switched on, w_prior += w_inc, w_inc = 0 (pb:79-84).
 * One uniform draw u picks, in NEPS's sorted order of names (sampling_policy.py
 * :163-170), incumbent (u < w_inc), prior (u < w_inc + w_prior) or random.
 *
 * Switch-on (is_activate_inc, pb:103-139): the finished work reaches the
 * resources of one full bracket 0 counting continuations,
 *   n_0 e_0 + sum_{k >= 1} n_k (e_k - e_{k-1})     ((1, 20, 3): 9*2 + 3*4 +
 *   1*14 = 44 epochs),
 * where finished work is NEPS's calc_total_resources_spent (ut:120-128): the
 * sum over configs whose latest trial has finished of that trial's epochs (a
 * config promoted and still running counts 0), and at least one result
 * exists at the top rung.
 *
 * Dynamic ratio (inc_style "dynamic", _prior_to_incumbent_ratio_dynamic,
 * pb:219-271): start at the top rung; if it has >= eta results (all results
 * ever recorded there, NEPS's rung_histories), take its best
 * max(floor(m / eta), eta) by score (ties: earlier result), score each by
 * the prior and by the incumbent distribution (ut:101-117 compute_scores),
 * weight them n, n-1, ..., 1 from the best, and normalise the two weighted
 * sums.  Otherwise go one rung down; at the base rung with too few results,
 * (eta / (1 + eta), 1 / (1 + eta)).
 *
 * Scores (compute_scores: SearchSpace.compute_prior, search_space.py:255-265,
 * which multiplies the densities of the parameters whose has_prior is set,
 * on a copy of the prior space and on a copy of the incumbent whose
 * defaults are moved to its values, ut:110-115; set_defaults_to_current_values,
 * search_space.py:502-505, moves defaults but leaves has_prior as it was, so
 * both scores run over the same parameters: those with a prior):
 *   prior score  = product over parameters that have a prior of: numerics,
 *                  the truncated standard normal pdf of z = (u - mu) / sigma
 *                  in unit space (scipy truncnorm(a, b).pdf(z), no 1/sigma
 *                  factor, as NEPS's FloatParameter.compute_prior,
 *                  float.py:84-90); weight tables, the probability of the
 *                  choice (categorical.py:54-70).
 *   incumbent score = product over the same parameters of the same
 *                  densities centred at the incumbent: numerics with the
 *                  prior's sigma (the incumbent is a sample of the same
 *                  space, so its default_confidence_score is the prior's);
 *                  categoricals c / (c + n - 1) at the incumbent's choice
 *                  and 1 / (c + n - 1) elsewhere, c the prior's weight on its
 *                  mode relative to the other choices' mean (exactly 2 / 4 /
 *                  6 for a default + confidence prior; for a frequency table,
 *                  its peakedness: our extension).
 *   Parameters without a prior take part in neither score.  The fidelity
 *   takes no part (it has no default, so no prior).  Inactive parameters
 *   (conditional spaces, ours) are skipped.
 *
 * Priors that do not cover every parameter (HP-only or arch-only PriorBand):
 * NEPS v0.11 cannot run them: the default config comes from
 * sample_default_configuration (successive_halving.py:427, pb:234), which
 * raises "No defaults specified" for any parameter without a default
 * (search_space.py:488-500).  Ours extrapolates NEPS's rules to the covered
 * parameters: the prior sampler and the prior's mode draw the uncovered ones
 * uniformly (the mode takes the space's default where it has one, the HPs'
 * NB201 recipe), both scores ignore them (so the ratio is the one NEPS would
 * compute on the covered subspace), and incumbent mutation moves every
 * parameter (NEPS's local_mutation, ut:17-40, mutates every one).
 *
 * Incumbent (find_incumbent, pb:48-77): the config with the best score at
 * its latest finished trial, over all rungs (NEPS compares configs at
 * whatever rung they reached); ties to the lower id.  Incumbent sampling
 * (inc_sample_type "mutation", local_mutation): each parameter changes with
 * probability 0.5, numerics by N(0, 0.25) in unit space, categoricals to
 * another choice (jahs_space_mutate), retried up to 50 times (NEPS's
 * patience) until the config differs from the incumbent.
 */
#include "opt/priorband.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "core/rng.h"

#define MUTATION_RATE 0.5
#define MUTATION_STD 0.25
#define MUTATION_PATIENCE 50

struct jahs_priorband {
    jahs_opt_config cfg;
    jahs_hb *core;
    jahs_rng *rng;
    double activation_work;
    jahs_pb_model_fn model;
    void *model_ctx;
    double kickin;
    /* every result per rung, best first (ties: earlier), kept on tell */
    struct srec {
        double score;
        int64_t id;
    } *sorted[JAHS_MAX_RUNGS];
    size_t n_sorted[JAHS_MAX_RUNGS], cap_sorted[JAHS_MAX_RUNGS];
    /* the incumbent, rescanned only when it was promoted */
    int64_t inc_id;
    double inc_best;
    int inc_dirty;
    /* the densities' fixed parts, and scratch for the ratio */
    struct scorer_s *sc;
    const double **top;
    double *lp;
    size_t scratch_cap;
};

/* log of the mass of N(mu, sigma) on [0, 1] */
static double trunc_logmass(double mu, double sigma)
{
    return log(gsl_cdf_ugaussian_P((1 - mu) / sigma) -
               gsl_cdf_ugaussian_P((0 - mu) / sigma));
}

/* log of the truncated standard normal pdf of z = (u - mu) / sigma on the
 * unit interval, without the 1/sigma factor (scipy truncnorm(a, b).pdf),
 * given the log mass */
static double trunc_logpdf(double u, double mu, double sigma, double logmass)
{
    double z = (u - mu) / sigma;
    return -0.5 * z * z - 0.5 * log(2 * M_PI) - logmass;
}

/* Categorical peakedness c of a weight table: p_max over the mean of the
 * others (2 / 4 / 6 for NEPS's default + confidence tables). */
static double table_weight(const jahs_prior_param *q, int n)
{
    double pmax = 0, rest;
    int k;
    if (n <= 1)
        return 1;
    for (k = 0; k < n; k++)
        if (q->prob[k] > pmax)
            pmax = q->prob[k];
    rest = (1 - pmax) / (n - 1);
    if (rest <= 0)
        return 1e6;
    return pmax / rest > 1e6 ? 1e6 : pmax / rest;
}

/*
 * The two densities with what does not depend on the scored config computed
 * once: the prior's truncation masses, and the incumbent's centres, sigmas,
 * masses and categorical log probabilities.
 */
typedef struct scorer_s {
    const jahs_prior *prior;
    double prior_lm[JAHS_MAX_PARAMS];
    int has_inc;
    double inc_u[JAHS_MAX_PARAMS], inc_sigma[JAHS_MAX_PARAMS],
        inc_lm[JAHS_MAX_PARAMS];
    double inc_hit[JAHS_MAX_PARAMS], inc_miss[JAHS_MAX_PARAMS];
} scorer;

static void scorer_prior(scorer *sc, const jahs_prior *prior)
{
    const jahs_space *sp = prior->space;
    int i;
    sc->prior = prior;
    sc->has_inc = 0;
    for (i = 0; i < sp->n; i++)
        sc->prior_lm[i] = prior->p[i].kind == JAHS_PRIOR_NORMAL
                              ? trunc_logmass(prior->p[i].mu, prior->p[i].sigma)
                              : 0;
}

/* The incumbent's densities, for the parameters with a prior only. */
static void scorer_inc(scorer *sc, const double *inc)
{
    const jahs_prior *prior = sc->prior;
    const jahs_space *sp = prior->space;
    int i;
    sc->has_inc = 1;
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        const jahs_prior_param *q = &prior->p[i];
        sc->inc_u[i] = inc[i];
        if (isnan(inc[i]) || q->kind == JAHS_PRIOR_UNIFORM)
            continue;
        if (q->kind == JAHS_PRIOR_WEIGHTS) {
            double c = table_weight(q, p->n_choices);
            sc->inc_hit[i] = log(c / (c + p->n_choices - 1));
            sc->inc_miss[i] = log(1.0 / (c + p->n_choices - 1));
        } else {
            sc->inc_u[i] = jahs_param_to_unit(p, inc[i]);
            sc->inc_sigma[i] = q->sigma;
            sc->inc_lm[i] = trunc_logmass(sc->inc_u[i], sc->inc_sigma[i]);
        }
    }
}

static double score_prior(const scorer *sc, const double *x)
{
    const jahs_space *sp = sc->prior->space;
    double s = 0;
    int i;
    for (i = 0; i < sp->n; i++) {
        const jahs_prior_param *q = &sc->prior->p[i];
        if (isnan(x[i]))
            continue;
        if (q->kind == JAHS_PRIOR_NORMAL)
            s += trunc_logpdf(jahs_param_to_unit(&sp->params[i], x[i]), q->mu,
                              q->sigma, sc->prior_lm[i]);
        else if (q->kind == JAHS_PRIOR_WEIGHTS)
            s += log(q->prob[(int)x[i]]);
    }
    return s;
}

/* inc was a config: categoricals compare choices, numerics unit values;
 * NEPS's scoring set: only the parameters with a prior */
static double score_inc(const scorer *sc, const double *inc, const double *x)
{
    const jahs_space *sp = sc->prior->space;
    double s = 0;
    int i;
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        if (isnan(x[i]) || isnan(inc[i]) ||
            sc->prior->p[i].kind == JAHS_PRIOR_UNIFORM)
            continue;
        if (p->kind == JAHS_PARAM_CAT)
            s += (int)x[i] == (int)inc[i] ? sc->inc_hit[i] : sc->inc_miss[i];
        else
            s += trunc_logpdf(jahs_param_to_unit(p, x[i]), sc->inc_u[i],
                              sc->inc_sigma[i], sc->inc_lm[i]);
    }
    return s;
}

double jahs_priorband_prior_score(const jahs_prior *prior, const double *x)
{
    scorer sc;
    scorer_prior(&sc, prior);
    return score_prior(&sc, x);
}

double jahs_priorband_inc_score(const jahs_prior *prior, const double *inc,
                                const double *x)
{
    scorer sc;
    scorer_prior(&sc, prior);
    scorer_inc(&sc, inc);
    return score_inc(&sc, inc, x);
}

/* Rank-weighted normalised sums over top[0..n-1] (best first); lp is
 * scratch for 2n values. */
static void dynamic_ratio(const scorer *sc, const double *inc,
                          const double *const *top, size_t n, double *lp,
                          double *w_prior, double *w_inc)
{
    double lp_max = -INFINITY, sp = 0, si = 0;
    size_t k;
    if (n == 0) {
        *w_prior = 0.5;
        *w_inc = 0.5;
        return;
    }
    for (k = 0; k < n; k++) {
        lp[2 * k] = score_prior(sc, top[k]);
        lp[2 * k + 1] = score_inc(sc, inc, top[k]);
        if (lp[2 * k] > lp_max)
            lp_max = lp[2 * k];
        if (lp[2 * k + 1] > lp_max)
            lp_max = lp[2 * k + 1];
    }
    /* weighted sums, scaled by exp(-lp_max) so nothing overflows */
    for (k = 0; k < n; k++) {
        double w = (double)(n - k);
        sp += w * exp(lp[2 * k] - lp_max);
        si += w * exp(lp[2 * k + 1] - lp_max);
    }
    if (!(sp + si > 0)) {
        *w_prior = 0.5;
        *w_inc = 0.5;
        return;
    }
    *w_prior = sp / (sp + si);
    *w_inc = si / (sp + si);
}

void jahs_priorband_dynamic_ratio(const jahs_prior *prior, const double *inc,
                                  const double *const *top, size_t n,
                                  double *w_prior, double *w_inc)
{
    scorer sc;
    double *lp = malloc((2 * n + 1) * sizeof *lp);
    scorer_prior(&sc, prior);
    scorer_inc(&sc, inc);
    if (!lp) {
        *w_prior = *w_inc = 0.5;
        return;
    }
    dynamic_ratio(&sc, inc, top, n, lp, w_prior, w_inc);
    free(lp);
}

jahs_priorband *jahs_priorband_create(const jahs_opt_config *cfg,
                                      jahs_error *err)
{
    jahs_priorband *pb;
    int n[JAHS_MAX_RUNGS], k;
    const jahs_rungs *r;
    if (!cfg->prior || !jahs_prior_informative(cfg->prior)) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "priorband needs an informative prior (hp, arch or joint)");
        return NULL;
    }
    if (cfg->prior->space != cfg->space &&
        cfg->prior->space->n != cfg->space->n) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "priorband: the prior is over space '%s', the run over '%s'",
                  cfg->prior->space->name, cfg->space->name);
        return NULL;
    }
    pb = calloc(1, sizeof *pb);
    if (!pb) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    pb->cfg = *cfg;
    pb->core = jahs_hb_create(cfg, "opt/priorband", err);
    pb->rng = pb->core ? jahs_rng_create(cfg->seed, "opt/priorband/sample", 0,
                                         err)
                       : NULL;
    if (!pb->core || !pb->rng) {
        jahs_priorband_free(pb);
        return NULL;
    }
    pb->sc = malloc(sizeof *pb->sc);
    if (!pb->sc) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        jahs_priorband_free(pb);
        return NULL;
    }
    scorer_prior(pb->sc, cfg->prior);
    pb->inc_id = -1;
    r = jahs_hb_rungs(pb->core);
    jahs_hb_bracket_sizes_style(r, cfg->eta, jahs_hb_bracket_style(pb->core),
                                0, n);
    pb->activation_work = (double)n[0] * r->epochs[0];
    for (k = 1; k < r->n; k++)
        pb->activation_work += (double)n[k] * (r->epochs[k] - r->epochs[k - 1]);
    pb->kickin = cfg->bo_kickin;
    return pb;
}

void jahs_priorband_free(jahs_priorband *pb)
{
    int k;
    if (!pb)
        return;
    jahs_hb_free(pb->core);
    jahs_rng_free(pb->rng);
    for (k = 0; k < JAHS_MAX_RUNGS; k++)
        free(pb->sorted[k]);
    free(pb->sc);
    free(pb->top);
    free(pb->lp);
    free(pb);
}

void jahs_priorband_set_model(jahs_priorband *pb, jahs_pb_model_fn fn,
                              void *ctx, double kickin)
{
    pb->model = fn;
    pb->model_ctx = ctx;
    pb->kickin = kickin;
}

const jahs_hb *jahs_priorband_core(const jahs_priorband *pb)
{
    return pb->core;
}

double jahs_priorband_activation_work(const jahs_priorband *pb)
{
    return pb->activation_work;
}

int64_t jahs_priorband_incumbent(jahs_priorband *pb)
{
    size_t i, n;
    if (!pb->inc_dirty)
        return pb->inc_id;
    n = jahs_hb_n_configs(pb->core);
    pb->inc_id = -1;
    pb->inc_best = -INFINITY;
    for (i = 0; i < n; i++) {
        int rung, pending;
        double score;
        jahs_hb_config_state(pb->core, (int64_t)i, &rung, &pending, &score);
        if (pending)
            continue;
        if (pb->inc_id < 0 || score > pb->inc_best) {
            pb->inc_id = (int64_t)i;
            pb->inc_best = score;
        }
    }
    pb->inc_dirty = 0;
    return pb->inc_id;
}

int jahs_priorband_inc_active(const jahs_priorband *pb)
{
    const jahs_rungs *r = jahs_hb_rungs(pb->core);
    return jahs_hb_finished_work(pb->core) >= pb->activation_work - 1e-9 &&
           jahs_hb_rung_count(pb->core, r->n - 1) > 0;
}

/* The prior's centre without drawing: NORMAL at its default, WEIGHTS at its
 * most probable choice, others at the space's default or the unit centre. */
static void prior_center(const jahs_prior *pr, double *x)
{
    const jahs_space *sp = pr->space;
    int i, k;
    for (i = 0; i < sp->n; i++) {
        const jahs_param *p = &sp->params[i];
        const jahs_prior_param *q = &pr->p[i];
        if (q->kind == JAHS_PRIOR_NORMAL) {
            x[i] = q->value;
        } else if (q->kind == JAHS_PRIOR_WEIGHTS) {
            int best = 0;
            for (k = 1; k < p->n_choices; k++)
                if (q->prob[k] > q->prob[best])
                    best = k;
            x[i] = best;
        } else {
            x[i] = p->has_default ? p->default_value
                                  : jahs_param_from_unit(p, 0.5);
        }
    }
    jahs_space_fix_conditions(sp, NULL, x);
}

/* The dynamic ratio in the current state (NEPS recursion over rungs). */
static int current_ratio(jahs_priorband *pb, double *w_prior, double *w_inc)
{
    const jahs_rungs *r = jahs_hb_rungs(pb->core);
    double eta = pb->cfg.eta;
    int k;
    for (k = r->n - 1; k >= 0; k--) {
        size_t m = pb->n_sorted[k], top_n, i;
        const double *inc;
        double mode[JAHS_MAX_PARAMS];
        int64_t inc_id;
        if ((double)m < eta)
            continue;
        top_n = (size_t)floor((double)m / eta + 1e-9);
        if (top_n < (size_t)floor(eta + 1e-9))
            top_n = (size_t)floor(eta + 1e-9);
        if (top_n > m)
            top_n = m;
        if (top_n > pb->scratch_cap) {
            size_t c = top_n * 2;
            const double **t = realloc((void *)pb->top, c * sizeof *t);
            double *l;
            if (!t)
                return JAHS_ENOMEM;
            pb->top = t;
            l = realloc(pb->lp, 2 * c * sizeof *l);
            if (!l)
                return JAHS_ENOMEM;
            pb->lp = l;
            pb->scratch_cap = c;
        }
        for (i = 0; i < top_n; i++)
            pb->top[i] = jahs_hb_config(pb->core, pb->sorted[k][i].id);
        inc_id = jahs_priorband_incumbent(pb);
        if (inc_id >= 0) {
            inc = jahs_hb_config(pb->core, inc_id);
        } else {
            /* NEPS: "the prior is treated as the incumbent" */
            prior_center(pb->cfg.prior, mode);
            inc = mode;
        }
        scorer_inc(pb->sc, inc);
        dynamic_ratio(pb->sc, inc, pb->top, top_n, pb->lp, w_prior, w_inc);
        return 0;
    }
    *w_prior = eta / (1 + eta);
    *w_inc = 1 / (1 + eta);
    return 0;
}

int jahs_priorband_weights(jahs_priorband *pb, int rung, jahs_pb_weights *w)
{
    const jahs_rungs *r = jahs_hb_rungs(pb->core);
    double e, wp, p, i;
    int rc;
    if (rung < 0 || rung >= r->n)
        return JAHS_EINVAL;
    e = pow(pb->cfg.eta, rung);
    w->random = 1 / (1 + e);
    wp = e / (1 + e);
    if ((rc = current_ratio(pb, &p, &i)) < 0)
        return rc;
    w->prior = p * wp;
    w->inc = i * wp;
    w->inc_active = jahs_priorband_inc_active(pb);
    if (!w->inc_active) {
        w->prior += w->inc;
        w->inc = 0;
    }
    return 0;
}

/* A mutation of the incumbent that differs from it (NEPS local_mutation). */
static void mutate_incumbent(jahs_priorband *pb, const double *inc, double *x)
{
    int k;
    for (k = 0; k < MUTATION_PATIENCE; k++) {
        jahs_space_mutate(pb->cfg.space, pb->rng, inc, x, MUTATION_RATE,
                          MUTATION_STD);
        if (!jahs_config_equal(pb->cfg.space, inc, x))
            return;
    }
}

int jahs_priorband_ask(jahs_priorband *pb, jahs_trial *t, jahs_error *err)
{
    double x[JAHS_MAX_PARAMS];
    jahs_pb_weights w;
    jahs_origin origin;
    int rung, rc, first = jahs_hb_n_configs(pb->core) == 0;
    if (pb->cfg.default_first && first && pb->cfg.default_at_target) {
        jahs_prior_mode(pb->cfg.prior, pb->rng, x);
        return jahs_hb_start_at_top(pb->core, x, JAHS_ORIGIN_DEFAULT, t, err);
    }
    rc = jahs_hb_next(pb->core, t, &rung);
    if (rc == 0 && rung < 0 && t->config_id == pb->inc_id)
        pb->inc_dirty = 1; /* the incumbent is pending now */
    if (rc != 0 || rung < 0)
        return rc; /* a promotion, WAIT or DONE */
    if (pb->cfg.default_first && first) {
        /* the first config of bracket 0, at its base rung */
        jahs_prior_mode(pb->cfg.prior, pb->rng, x);
        return jahs_hb_start_new(pb->core, x, JAHS_ORIGIN_DEFAULT, t, err);
    }
    if (pb->model &&
        jahs_hb_finished_work(pb->core) >= pb->kickin * pb->cfg.max_epochs) {
        rc = pb->model(pb->model_ctx, pb->core, rung, pb->rng, x, err);
        if (rc < 0)
            return rc;
        if (rc == 0)
            return jahs_hb_start_new(pb->core, x, JAHS_ORIGIN_MODEL, t, err);
    }
    if ((rc = jahs_priorband_weights(pb, rung, &w)) < 0)
        return JAHS_FAIL(err, rc, "out of memory");
    {
        double u = jahs_rng_uniform(pb->rng);
        int64_t inc_id;
        if (u < w.inc && (inc_id = jahs_priorband_incumbent(pb)) >= 0) {
            mutate_incumbent(pb, jahs_hb_config(pb->core, inc_id), x);
            origin = JAHS_ORIGIN_INCUMBENT;
        } else if (u < w.inc + w.prior) {
            jahs_prior_sample(pb->cfg.prior, pb->rng, x);
            origin = JAHS_ORIGIN_PRIOR;
        } else {
            jahs_space_sample(pb->cfg.space, pb->rng, x);
            origin = JAHS_ORIGIN_RANDOM;
        }
    }
    return jahs_hb_start_new(pb->core, x, origin, t, err);
}

int jahs_priorband_tell(jahs_priorband *pb, const jahs_trial *t,
                        const jahs_result *r, jahs_error *err)
{
    int rc, k = t->rung;
    size_t lo, hi;
    double v = r->val_acc;
    struct srec *a;
    if ((rc = jahs_hb_report(pb->core, t, v, err)) < 0)
        return rc;
    /* sorted insert after every score >= v (ties keep arrival order) */
    if (pb->n_sorted[k] + 1 > pb->cap_sorted[k]) {
        size_t c = pb->cap_sorted[k] ? 2 * pb->cap_sorted[k] : 64;
        a = realloc(pb->sorted[k], c * sizeof *a);
        if (!a)
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        pb->sorted[k] = a;
        pb->cap_sorted[k] = c;
    }
    a = pb->sorted[k];
    lo = 0;
    hi = pb->n_sorted[k];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid].score >= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(a + lo + 1, a + lo, (pb->n_sorted[k] - lo) * sizeof *a);
    a[lo].score = v;
    a[lo].id = t->config_id;
    pb->n_sorted[k]++;
    /* the incumbent: the reported config's latest score changed */
    if (!pb->inc_dirty) {
        if (t->config_id == pb->inc_id) {
            if (v < pb->inc_best)
                pb->inc_dirty = 1;
            else
                pb->inc_best = v;
        } else if (pb->inc_id < 0 || v > pb->inc_best ||
                   (v == pb->inc_best && t->config_id < pb->inc_id)) {
            pb->inc_id = t->config_id;
            pb->inc_best = v;
        }
    }
    return 0;
}

static void *pb_create(const jahs_opt_config *cfg, jahs_error *err)
{
    return jahs_priorband_create(cfg, err);
}
static int pb_ask(void *s, jahs_trial *t, jahs_error *err)
{
    return jahs_priorband_ask(s, t, err);
}
static int pb_tell(void *s, const jahs_trial *t, const jahs_result *r,
                   jahs_error *err)
{
    return jahs_priorband_tell(s, t, r, err);
}
static void pb_free(void *s) { jahs_priorband_free(s); }

const jahs_opt_type jahs_opt_priorband = {
    "priorband",
    "PriorBand (Mallick et al. 2023) as NEPS v0.11: synchronous Hyperband, "
    "random / prior / incumbent-mutation sampling with geometric rung weights "
    "and the dynamic prior-incumbent ratio; needs a prior",
    pb_create, pb_ask, pb_tell, pb_free,
    1};
