/*
 * gp_sampler.c - MOBSTER's model-based searcher; see gp_sampler.h for the
 * steps of a proposal and their sources in Syne Tune.
 */
#include "opt/gp_sampler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "core/rng.h"

struct jahs_gp_sampler {
    const jahs_space *sp;
    int max_epochs, dim;
    jahs_gp_sampler_opts o;
    jahs_gp *gp;
    jahs_rng *rng_acq, *rng_sub;
    /* the model's data (without fantasies), to detect appends */
    double *bz, *br, *by;
    size_t bn, bcap;
    /* new data, built per call */
    double *nz, *nr, *ny;
    size_t ncap;
    /* refit predicate */
    size_t last_nobs;
    long counter;
    int fitted;
    /* scratch */
    size_t *keep, *tmp, *tmp2;
    int64_t *ids;
    unsigned char *rem;
    size_t scap;
    double *qz, *qr, *qm, *qv;
    size_t qcap;
};

void jahs_gp_sampler_opts_defaults(jahs_gp_sampler_opts *o,
                                   const jahs_opt_config *cfg)
{
    o->max_points = cfg && cfg->max_points > 0 ? cfg->max_points : 500;
    o->candidates = cfg && cfg->candidates > 0 ? cfg->candidates : 250;
    o->threshold = 3;
    o->refit_init = 50;
    o->refit_period = 1;
    jahs_gp_fit_opts_defaults(&o->fit);
    o->fit_late = o->fit;
    o->fit_late.starts = 1;
    o->fit_late.max_iter = 50;
    o->fit_late.max_evals = 8;
    o->late_evals_n = 100;
    jahs_acq_opts_defaults(&o->acq, o->candidates);
}

jahs_gp_sampler *jahs_gp_sampler_create(const jahs_space *sp, int max_epochs,
                                        uint64_t seed, const char *purpose,
                                        const jahs_gp_sampler_opts *opts,
                                        jahs_error *err)
{
    jahs_gp_sampler *s;
    char name[128];
    if (!sp || sp->n < 1 || max_epochs < 1 || !purpose) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "gp sampler needs a space, max_epochs >= 1 and a purpose");
        return NULL;
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    s->sp = sp;
    s->max_epochs = max_epochs;
    s->dim = sp->encoded_dim;
    if (opts)
        s->o = *opts;
    else
        jahs_gp_sampler_opts_defaults(&s->o, NULL);
    s->o.acq.candidates = s->o.candidates;
    if (s->o.max_points < 1 || s->o.candidates < 1 || s->o.threshold < 1 ||
        s->o.refit_period < 1 || s->o.refit_init < 0 || s->o.late_evals_n < 1) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "gp sampler options: max_points, candidates, threshold, "
                  "refit_period and late_evals_n must be >= 1, refit_init >= 0");
        free(s);
        return NULL;
    }
    s->gp = jahs_gp_create(s->dim, 1, err);
    snprintf(name, sizeof name, "%s/acq", purpose);
    s->rng_acq = s->gp ? jahs_rng_create(seed, name, 0, err) : NULL;
    snprintf(name, sizeof name, "%s/subsample", purpose);
    s->rng_sub = s->rng_acq ? jahs_rng_create(seed, name, 0, err) : NULL;
    if (!s->rng_sub) {
        jahs_gp_sampler_free(s);
        return NULL;
    }
    return s;
}

void jahs_gp_sampler_free(jahs_gp_sampler *s)
{
    if (!s)
        return;
    jahs_gp_free(s->gp);
    jahs_rng_free(s->rng_acq);
    jahs_rng_free(s->rng_sub);
    free(s->bz);
    free(s->br);
    free(s->by);
    free(s->nz);
    free(s->nr);
    free(s->ny);
    free(s->keep);
    free(s->tmp);
    free(s->tmp2);
    free(s->ids);
    free(s->rem);
    free(s->qz);
    free(s->qr);
    free(s->qm);
    free(s->qv);
    free(s);
}

jahs_gp *jahs_gp_sampler_model(jahs_gp_sampler *s) { return s->gp; }

/* ---- scratch ------------------------------------------------------------- */

#define RESERVE(ptr, count)                                                    \
    do {                                                                       \
        void *q_ = realloc((ptr), (count) * sizeof *(ptr));                    \
        if (!q_)                                                               \
            return JAHS_ENOMEM;                                                \
        (ptr) = q_;                                                            \
    } while (0)

static int reserve_scratch(jahs_gp_sampler *s, size_t n)
{
    if (n <= s->scap)
        return 0;
    RESERVE(s->keep, n);
    RESERVE(s->tmp, n);
    RESERVE(s->tmp2, n);
    RESERVE(s->ids, n);
    RESERVE(s->rem, n);
    s->scap = n;
    return 0;
}

static int reserve_new(jahs_gp_sampler *s, size_t n)
{
    if (n <= s->ncap)
        return 0;
    RESERVE(s->nz, n * (size_t)s->dim);
    RESERVE(s->nr, n);
    RESERVE(s->ny, n);
    s->ncap = n;
    return 0;
}

static int reserve_base(jahs_gp_sampler *s, size_t n)
{
    if (n <= s->bcap)
        return 0;
    RESERVE(s->bz, n * (size_t)s->dim);
    RESERVE(s->br, n);
    RESERVE(s->by, n);
    s->bcap = n;
    return 0;
}

static int reserve_query(jahs_gp_sampler *s, size_t n)
{
    if (n <= s->qcap)
        return 0;
    RESERVE(s->qz, n * (size_t)s->dim);
    RESERVE(s->qr, n);
    RESERVE(s->qm, n);
    RESERVE(s->qv, n);
    s->qcap = n;
    return 0;
}
#undef RESERVE

/* ---- the data cap ------------------------------------------------------------ */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int jahs_gp_sampler_cap(jahs_gp_sampler *s, const jahs_gp_obs *obs,
                        size_t n_obs, size_t *keep, size_t *n_keep,
                        jahs_error *err)
{
    size_t max = (size_t)s->o.max_points, nk = 0, i;
    int lev, top = 0;
    if (n_obs <= max) {
        for (i = 0; i < n_obs; i++)
            keep[i] = i;
        *n_keep = n_obs;
        return 0;
    }
    if (reserve_scratch(s, n_obs) != 0)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (i = 0; i < n_obs; i++) {
        if (obs[i].epochs < 0)
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "observation %zu has negative epochs %d", i,
                             obs[i].epochs);
        if (obs[i].epochs > top)
            top = obs[i].epochs;
        s->rem[i] = 1;
    }
    /* levels from the top down (epochs are small integers) */
    for (lev = top; lev >= 0 && nk < max; lev--) {
        size_t nid = 0, nnext = 0, gap = max - nk;
        for (i = 0; i < n_obs; i++)
            if (s->rem[i] && obs[i].epochs == lev)
                s->ids[nid++] = obs[i].config_id;
        if (nid == 0)
            continue;
        qsort(s->ids, nid, sizeof *s->ids, cmp_i64);
        /* next: remaining data of those configs, in arrival order */
        for (i = 0; i < n_obs; i++)
            if (s->rem[i] && bsearch(&obs[i].config_id, s->ids, nid,
                                     sizeof *s->ids, cmp_i64)) {
                s->tmp[nnext++] = i;
                s->rem[i] = 0;
            }
        if (nnext > gap) {
            /* drop the lowest levels first; subsample the one that fits */
            int low;
            for (low = 0; low <= lev; low++) {
                size_t nsample = 0, nrest = 0, j, size;
                for (j = 0; j < nnext; j++) {
                    size_t o = s->tmp[j];
                    if (low < lev ? obs[o].epochs == low : 1)
                        s->tmp2[nsample++] = o;
                    else
                        s->tmp[nrest++] = o;
                }
                nnext = nrest;
                if (nsample == 0 || gap <= nnext)
                    continue;
                size = gap - nnext;
                gsl_ran_choose(jahs_rng_gsl(s->rng_sub), s->tmp + nnext, size,
                               s->tmp2, nsample, sizeof *s->tmp2);
                nnext += size;
                break;
            }
        }
        memcpy(keep + nk, s->tmp, nnext * sizeof *keep);
        nk += nnext;
    }
    *n_keep = nk;
    return 0;
}

/* ---- proposal --------------------------------------------------------------- */

static void encode_obs(const jahs_gp_sampler *s, const jahs_gp_obs *ob,
                       double *z, double *r)
{
    jahs_space_encode(s->sp, ob->config, z);
    *r = jahs_gp_resource_unit(ob->epochs, s->max_epochs);
}

/* Acquisition level: the largest epochs with >= threshold observations. */
static int acq_level(const jahs_gp_sampler *s, const jahs_gp_obs *obs,
                     size_t n_obs)
{
    int best = -1, lowest = -1;
    size_t i;
    int e, *cnt = calloc((size_t)s->max_epochs + 2, sizeof *cnt);
    if (!cnt)
        return obs[0].epochs;
    for (i = 0; i < n_obs; i++) {
        e = obs[i].epochs;
        if (e > s->max_epochs)
            e = s->max_epochs + 1;
        if (e < 0)
            e = 0;
        cnt[e]++;
    }
    for (e = 0; e <= s->max_epochs + 1; e++)
        if (cnt[e] > 0) {
            if (lowest < 0)
                lowest = e;
            if (cnt[e] >= s->o.threshold)
                best = e;
        }
    free(cnt);
    return best >= 0 ? best : lowest;
}

int jahs_gp_sampler_propose(jahs_gp_sampler *s, const jahs_gp_obs *obs,
                            size_t n_obs, const jahs_gp_obs *pending,
                            size_t n_pending, const jahs_config_set *exclude,
                            double *config_out, jahs_gp_sampler_info *info,
                            jahs_error *err)
{
    jahs_gp_sampler_info inf;
    size_t nk = 0, i, d = (size_t)s->dim, nq, base_n;
    int refit, rc, e_acq, appended = 0, late = 0;
    double r_acq, best;
    memset(&inf, 0, sizeof inf);
    if (n_obs == 0 || !obs)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "gp sampler needs at least one observation");
    /* 1. refit or not (before the cap, as Syne Tune) */
    if (!s->fitted)
        refit = 1;
    else if (n_obs == s->last_nobs)
        refit = 0;
    else if (n_obs < (size_t)s->o.refit_init)
        refit = 1;
    else {
        refit = (s->counter++ % s->o.refit_period) == 0;
        late = 1;
    }
    s->last_nobs = n_obs;
    /* 2. the cap */
    if (reserve_scratch(s, n_obs) != 0 || reserve_new(s, n_obs) != 0)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    if ((rc = jahs_gp_sampler_cap(s, obs, n_obs, s->keep, &nk, err)) != 0)
        return rc;
    /* 3. model data */
    for (i = 0; i < nk; i++) {
        const jahs_gp_obs *ob = &obs[s->keep[i]];
        if (!isfinite(ob->score))
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "observation %zu has a non-finite score",
                             s->keep[i]);
        encode_obs(s, ob, s->nz + i * d, &s->nr[i]);
        s->ny[i] = -ob->score;
    }
    if (s->bn > 0 && nk > s->bn && 3 * (nk - s->bn) < s->bn &&
        jahs_gp_n(s->gp) == s->bn &&
        memcmp(s->nz, s->bz, s->bn * d * sizeof *s->bz) == 0 &&
        memcmp(s->nr, s->br, s->bn * sizeof *s->br) == 0 &&
        memcmp(s->ny, s->by, s->bn * sizeof *s->by) == 0) {
        for (i = s->bn; i < nk; i++)
            if ((rc = jahs_gp_add_point(s->gp, s->nz + i * d, s->nr[i],
                                        s->ny[i], 1, err)) != 0)
                return rc;
        appended = 1;
    } else if ((rc = jahs_gp_set_data(s->gp, s->nz, s->nr, s->ny, nk, err)) !=
               0) {
        return rc;
    }
    if (refit) {
        jahs_gp_fit_opts fo = late ? s->o.fit_late : s->o.fit;
        if (s->fitted && s->o.fit_late.max_evals > 0) {
            /* every refit after the first: an evaluation budget per start
             * of fit_late.max_evals at late_evals_n points, scaled by
             * (late_evals_n / n)^2 (an evaluation costs about n^2 here up
             * to a few hundred points, more beyond), within [2, 50] (2: the
             * start and one step) */
            double q = (double)s->o.late_evals_n / (double)(nk > 0 ? nk : 1);
            double ev = floor(s->o.fit_late.max_evals * q * q);
            fo.max_evals = ev < 2 ? 2 : ev > 50 ? 50 : (int)ev;
        }
        if ((rc = jahs_gp_fit(s->gp, &fo, &inf.fit_evals, err)) != 0)
            return rc;
        s->fitted = 1;
    }
    if (reserve_base(s, nk) != 0)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    memcpy(s->bz, s->nz, nk * d * sizeof *s->bz);
    memcpy(s->br, s->nr, nk * sizeof *s->br);
    memcpy(s->by, s->ny, nk * sizeof *s->by);
    s->bn = base_n = nk;
    /* 5. acquisition level (whole history) */
    e_acq = acq_level(s, obs, n_obs);
    r_acq = jahs_gp_resource_unit(e_acq, s->max_epochs);
    /* 4. fantasies for pending trials, at their posterior mean */
    if (reserve_query(s, nk + n_pending + 1) != 0)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    for (i = 0; i < n_pending; i++) {
        double mu, var;
        encode_obs(s, &pending[i], s->qz, s->qr);
        if ((rc = jahs_gp_predict(s->gp, s->qz, s->qr, 1, &mu, &var, err)) !=
                0 ||
            (rc = jahs_gp_add_point(s->gp, s->qz, s->qr[0], mu, 0, err)) != 0)
            goto out;
    }
    /* 6. incumbent: lowest posterior mean at the level, over the configs
     * observed (kept) or pending there; all kept configs when none is */
    nq = 0;
    for (i = 0; i < nk; i++)
        if (obs[s->keep[i]].epochs == e_acq) {
            memcpy(s->qz + nq * d, s->nz + i * d, d * sizeof *s->qz);
            s->qr[nq++] = r_acq;
        }
    for (i = 0; i < n_pending; i++)
        if (pending[i].epochs == e_acq) {
            jahs_space_encode(s->sp, pending[i].config, s->qz + nq * d);
            s->qr[nq++] = r_acq;
        }
    if (nq == 0)
        for (i = 0; i < nk; i++) {
            memcpy(s->qz + nq * d, s->nz + i * d, d * sizeof *s->qz);
            s->qr[nq++] = r_acq;
        }
    if ((rc = jahs_gp_predict(s->gp, s->qz, s->qr, nq, s->qm, s->qv, err)) !=
        0)
        goto out;
    best = s->qm[0];
    for (i = 1; i < nq; i++)
        if (s->qm[i] < best)
            best = s->qm[i];
    rc = jahs_acq_maximise(s->sp, s->gp, r_acq, best, &s->o.acq, s->rng_acq,
                           exclude, config_out, &inf.ei, err);
    inf.epochs_acq = e_acq;
    inf.best = best;
    inf.n_data = nk;
    inf.n_pending = n_pending;
    inf.refit = refit;
    inf.appended = appended;
    if (info)
        *info = inf;
out:
    /* drop the fantasies: the leading block's factor is kept */
    if (jahs_gp_n(s->gp) > base_n) {
        jahs_error e2 = {0};
        int rc2 = jahs_gp_truncate(s->gp, base_n, &e2);
        if (rc == 0 && rc2 != 0) {
            if (err)
                *err = e2;
            rc = rc2;
        }
    }
    return rc;
}
