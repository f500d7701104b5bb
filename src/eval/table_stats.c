/*
 * table_stats.c - see table_stats.h.
 */
#include "eval/table_stats.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int jahs_table_summarize(const double *v, int n, jahs_table_summary *s,
                         jahs_error *err)
{
    double *w;
    if (n < 1)
        return JAHS_FAIL(err, JAHS_EINVAL, "no values to summarise");
    if (!(w = malloc((size_t)n * sizeof *w)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    memcpy(w, v, (size_t)n * sizeof *w);
    qsort(w, (size_t)n, sizeof *w, cmp_dbl);
    s->mean = gsl_stats_mean(w, 1, (size_t)n);
    s->min = w[0];
    s->q10 = gsl_stats_quantile_from_sorted_data(w, 1, (size_t)n, 0.1);
    s->q25 = gsl_stats_quantile_from_sorted_data(w, 1, (size_t)n, 0.25);
    s->median = gsl_stats_quantile_from_sorted_data(w, 1, (size_t)n, 0.5);
    s->q90 = gsl_stats_quantile_from_sorted_data(w, 1, (size_t)n, 0.9);
    s->max = w[n - 1];
    free(w);
    return 0;
}

int jahs_table_spearman(const double *x, const double *y, int n, double *rho,
                        jahs_error *err)
{
    /* gsl_stats_spearman sorts its inputs in place: work on copies */
    double *w = malloc(4 * (size_t)n * sizeof *w);
    if (n < 2)
        return free(w), JAHS_FAIL(err, JAHS_EINVAL,
                                  "a rank correlation needs two values");
    if (!w)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    memcpy(w, x, (size_t)n * sizeof *w);
    memcpy(w + n, y, (size_t)n * sizeof *w);
    *rho = gsl_stats_spearman(w, 1, w + n, 1, (size_t)n, w + 2 * n);
    free(w);
    return 0;
}

/* RMS of (a - b) / sqrt 2 over the cells where both are present */
static double seed_sd(const jahs_nb201_table *t, double (*v)[3])
{
    double s = 0;
    int i, n = 0;
    for (i = 0; i < t->n; i++)
        if (!isnan(v[i][0]) && !isnan(v[i][1])) {
            double d = v[i][0] - v[i][1];
            s += d * d;
            n++;
        }
    return n ? sqrt(s / n / 2.0) : NAN;
}

int jahs_table_facts_of(const jahs_nb201_table *t, jahs_table_facts *f,
                        jahs_error *err)
{
    double *col = malloc((size_t)t->n * sizeof *col);
    int i, rc;
    if (!col)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    memset(f, 0, sizeof *f);
    f->best = t->by_rank[0];
    if ((rc = jahs_table_summarize(t->valid200_mean, t->n, &f->valid200_mean,
                                   err)) ||
        (rc = jahs_table_summarize(t->test200_mean, t->n, &f->test200_mean,
                                   err)) ||
        (rc = jahs_table_summarize(t->valid12, t->n, &f->valid12, err)) ||
        (rc = jahs_table_summarize(t->test12, t->n, &f->test12, err)) ||
        (rc = jahs_table_summarize(t->time200, t->n, &f->time200, err)) ||
        (rc = jahs_table_summarize(t->params_m, t->n, &f->params, err)))
        goto out;
    for (i = 0; i < t->n; i++) {
        f->near_chance += t->test200_mean[i] < t->dataset->chance + 4.0;
        col[i] = t->valid200[i][0];
    }
    f->seed_sd_valid = seed_sd(t, t->valid200);
    f->seed_sd_test = t->dataset->per_seed_test ? seed_sd(t, t->test200) : NAN;
    if ((rc = jahs_table_spearman(t->valid12, t->valid200_mean, t->n,
                                  &f->rho12_valid, err)) ||
        (rc = jahs_table_spearman(t->test12, t->test200_mean, t->n,
                                  &f->rho12_test, err)) ||
        (rc = jahs_table_spearman(col, t->valid200_mean, t->n,
                                  &f->rho_seed_valid, err)))
        goto out;
out:
    free(col);
    return rc;
}

/* ---- the model's view of the table --------------------------------------- */

/* NB201 twins (NB201 op codes) of JAHS's weak and strong example cells
 * (response.h, LR_SHIFT_WEAK and the strength scale) */
static const int weak_twins[2] = {441444, 111111};
static const int strong_twins[3] = {331333, 301300, 221222};

static int cell_of_digits(const jahs_nb201_table *t, int digits)
{
    uint8_t ops[6];
    int e;
    for (e = 5; e >= 0; e--, digits /= 10)
        ops[e] = (uint8_t)(digits % 10);
    return t->index_of_code[jahs_nb201_code(ops)];
}

int jahs_table_model_data(const jahs_nb201_table *t, jahs_response_data *d,
                          jahs_error *err)
{
    double w = jahs_response_k(JAHS_RC_NOISE_LEVEL_BIN),
           min_cells = jahs_response_k(JAHS_RC_NOISE_MIN_CELLS);
    double sv[JAHS_RESPONSE_NOISE_BINS] = {0}, st[JAHS_RESPONSE_NOISE_BINS] = {0};
    int cnt[JAHS_RESPONSE_NOISE_BINS] = {0}, i, b, nb = 0;
    double sxy = 0, sxx = 0, syy = 0;
    memset(d, 0, sizeof *d);
    d->chance = t->dataset->chance;
    d->strength_lo = 0;
    for (i = 0; i < 2; i++)
        d->strength_lo += t->valid200_mean[cell_of_digits(t, weak_twins[i])] / 2;
    d->strength_hi = INFINITY;
    for (i = 0; i < 3; i++) {
        double v = t->valid200_mean[cell_of_digits(t, strong_twins[i])];
        if (v < d->strength_hi)
            d->strength_hi = v;
    }
    for (i = 0; i < t->n; i++) {
        double v0 = t->valid200[i][0], v1 = t->valid200[i][1], dv, dt = 0;
        double lev = (v0 + v1) / 2 - d->chance;
        if (isnan(v0) || isnan(v1))
            continue;
        b = lev < 0 ? 0 : (int)(lev / w);
        if (b >= JAHS_RESPONSE_NOISE_BINS)
            b = JAHS_RESPONSE_NOISE_BINS - 1;
        dv = (v0 - v1) / sqrt(2.0);
        if (t->dataset->per_seed_test) {
            dt = (t->test200[i][0] - t->test200[i][1]) / sqrt(2.0);
            sxy += dv * dt, sxx += dv * dv, syy += dt * dt;
        }
        sv[b] += dv * dv;
        st[b] += (t->dataset->per_seed_test ? dt : dv) *
                 (t->dataset->per_seed_test ? dt : dv);
        cnt[b]++;
        if (b + 1 > nb)
            nb = b + 1;
    }
    /* valid and test from one network share its seed deviation; separate
     * trainings (CIFAR-10) do not */
    d->vt_corr = (t->dataset->valid_test_one_net && sxx > 0 && syy > 0)
                     ? sxy / sqrt(sxx * syy)
                     : 0.0;
    d->n_bins = nb;
    for (b = 0; b < nb; b++) {
        int best = -1, k;
        for (k = 0; k < nb; k++)
            if (cnt[k] >= min_cells &&
                (best < 0 || abs(k - b) < abs(best - b) ||
                 (abs(k - b) == abs(best - b) && k > best)))
                best = k;
        if (best < 0)
            return JAHS_FAIL(err, JAHS_EFORMAT,
                             "'%s': no accuracy level has %g cells with two "
                             "seed runs",
                             t->path, min_cells);
        d->sd_valid[b] = sqrt(sv[best] / cnt[best]);
        d->sd_test[b] = sqrt(st[best] / cnt[best]);
    }
    return 0;
}

int jahs_table_write_derived(const jahs_nb201_table *t, jahs_h5 *h,
                             jahs_error *err)
{
    jahs_response_data d;
    double rows[JAHS_RESPONSE_NOISE_BINS][3];
    uint64_t dims[2];
    int b, rc;
    static const char *const src_strength_lo =
        "mean valid_200_mean of 441444 and 111111, the NB201 twins of JAHS's "
        "weakest cells (lr optimum 0.02 at every length): strength 0";
    static const char *const src_strength_hi =
        "lowest valid_200_mean of 331333, 301300, 221222, the NB201 twins of "
        "JAHS's strong cells (lr optimum 0.1 at 200 epochs): strength 1";
    if ((rc = jahs_table_model_data(t, &d, err)))
        return rc;
    if ((rc = jahs_h5_attr_set_double(h, "/", "derived.CHANCE", d.chance,
                                      err)) ||
        (rc = jahs_h5_attr_set_str(h, "/", "derived.CHANCE.source",
                                   "100 / classes", err)) ||
        (rc = jahs_h5_attr_set_double(h, "/", "derived.STRENGTH_LO",
                                      d.strength_lo, err)) ||
        (rc = jahs_h5_attr_set_str(h, "/", "derived.STRENGTH_LO.source",
                                   src_strength_lo, err)) ||
        (rc = jahs_h5_attr_set_double(h, "/", "derived.STRENGTH_HI",
                                      d.strength_hi, err)) ||
        (rc = jahs_h5_attr_set_str(h, "/", "derived.STRENGTH_HI.source",
                                   src_strength_hi, err)) ||
        (rc = jahs_h5_attr_set_double(h, "/", "derived.NOISE_VT_CORR",
                                      d.vt_corr, err)) ||
        (rc = jahs_h5_attr_set_str(
             h, "/", "derived.NOISE_VT_CORR.source",
             t->dataset->valid_test_one_net
                 ? "correlation of the seed 777 - 888 differences of valid "
                   "and test (one network, disjoint test halves)"
                 : "0: valid and test come from separate trainings",
             err)) ||
        (rc = jahs_h5_attr_set_str(
             h, "/", "derived.noise_sd_by_level.source",
             "columns: lower edge (points above chance), SD of one run's "
             "valid, test accuracy: RMS of (s777 - s888) / sqrt 2 over the "
             "cells whose two-run mean is in the bin; sparse bins take the "
             "nearest bin with NOISE_MIN_CELLS cells",
             err)))
        return rc;
    for (b = 0; b < d.n_bins; b++) {
        rows[b][0] = b * jahs_response_k(JAHS_RC_NOISE_LEVEL_BIN);
        rows[b][1] = d.sd_valid[b];
        rows[b][2] = d.sd_test[b];
    }
    dims[0] = (uint64_t)d.n_bins;
    dims[1] = 3;
    return jahs_h5_write(h, "noise_sd_by_level", JAHS_H5_F64, 2, dims, rows, 0,
                         err);
}

/* ---- the model at a fidelity --------------------------------------------- */

int jahs_tabular_fidelity_rho(jahs_tabular *tb, const jahs_space *sp,
                              int epochs, uint64_t seed, double *rho_valid,
                              double *rho_test, jahs_error *err)
{
    const jahs_nb201_table *t = jahs_tabular_table(tb);
    double *v = malloc(2 * (size_t)t->n * sizeof *v), *te = v ? v + t->n : NULL;
    double x[JAHS_MAX_PARAMS];
    int i, f, rc = 0;
    if (!v)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    if (sp->macro != JAHS_MACRO_CELL) {
        free(v);
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "the fidelity correlation walks every cell: it needs "
                         "a space with cell edges (nb201, cell64), not '%s'",
                         sp->name);
    }
    jahs_space_defaults(sp, x);
    for (i = 0; i < t->n && !rc; i++) {
        jahs_eval_request q;
        jahs_eval_result r;
        if ((rc = jahs_nb201_set_cell(sp, t->ops[i], x, err)))
            break;
        memset(&q, 0, sizeof q);
        q.space = sp;
        q.config = x;
        q.epochs = epochs;
        q.seed = seed;
        v[i] = te[i] = 0;
        for (f = 0; f < 2 && !rc; f++) {
            q.fold = f;
            if (!(rc = jahs_tabular_eval(tb, &q, &r, NULL, err))) {
                v[i] += r.val_acc / 2;
                te[i] += r.test_acc / 2;
            }
        }
    }
    if (!rc && rho_valid)
        rc = jahs_table_spearman(v, t->valid200_mean, t->n, rho_valid, err);
    if (!rc && rho_test)
        rc = jahs_table_spearman(te, t->test200_mean, t->n, rho_test, err);
    free(v);
    return rc;
}

/* ---- the model's optimum per hyperparameter ------------------------------ */

static double acc_at(const jahs_tabular *tb, const jahs_response_cell *c,
                     const jahs_response_hp *hp, int epochs)
{
    jahs_response_out o;
    jahs_response_eval(jahs_tabular_data(tb), c, hp, epochs, 0.0, 0.0, &o);
    return o.val;
}

int jahs_tabular_hp_optima(const jahs_tabular *tb, int cell, int epochs,
                           jahs_hp_optimum out[JAHS_HP_OPTIMA],
                           jahs_error *err)
{
    static const double batches[4] = {64, 128, 256, 512};
    jahs_response_cell c;
    jahs_response_hp ref, hp;
    int h, k, rc;
    if ((rc = jahs_tabular_cell(tb, cell, 0, &c, err)))
        return rc;
    if (epochs < JAHS_RESPONSE_MIN_EPOCHS || epochs > JAHS_RESPONSE_MAX_EPOCHS)
        return JAHS_FAIL(err, JAHS_EINVAL, "epochs %d out of range 1..200",
                         epochs);
    jahs_response_recipe(&ref);
    for (h = 0; h < JAHS_HP_OPTIMA; h++) {
        static const char *const names[JAHS_HP_OPTIMA] = {
            "lr", "wd", "dropout", "trivial_augment", "batch_size"};
        static const int points[JAHS_HP_OPTIMA] = {121, 61, 21, 2, 4};
        jahs_hp_optimum *o = &out[h];
        o->hp = names[h];
        o->acc_recipe = acc_at(tb, &c, &ref, epochs);
        o->acc_best = -1;
        for (k = 0; k < points[h]; k++) {
            double v, a;
            hp = ref;
            switch (h) {
            case 0: v = hp.lr = pow(10.0, -3.0 + 3.0 * k / 120.0); break;
            case 1: v = hp.wd = pow(10.0, -5.0 + 3.0 * k / 60.0); break;
            case 2: v = hp.dropout = 0.025 * k; break;
            case 3: v = hp.ta = k; break;
            default: v = hp.batch = batches[k]; break;
            }
            a = acc_at(tb, &c, &hp, epochs);
            if (a > o->acc_best)
                o->acc_best = a, o->best = v;
        }
        o->recipe = h == 0 ? ref.lr
                    : h == 1 ? ref.wd
                    : h == 2 ? ref.dropout
                    : h == 3 ? ref.ta
                             : ref.batch;
        /* the recipe's own value may be off the grid: it is a candidate */
        if (o->acc_recipe >= o->acc_best)
            o->acc_best = o->acc_recipe, o->best = o->recipe;
    }
    return 0;
}
