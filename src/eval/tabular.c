/*
 * tabular.c - the "tabular" evaluator: an NB201 table + response model (see
 * tabular.h for the cost, response.h for the accuracies).
 *
 * Everything a query needs is prepared at open: parameter indices of the
 * space, what the model reads off the table (jahs_table_model_data), and per
 * cell the seconds per epoch (with the macro factor), the strength, the
 * capacity and the learning fractions below 12 epochs.  A query is then a
 * handful of array reads, the response formulas and the seed-noise process:
 * no allocation, no I/O.
 *
 * cell64 uses each cell's NB201 accuracies as a proxy: NB201 measured the
 * cell in its own macro (C=16, N=5, 3 stages); the poster's macro is
 * shallower and wider (C=64, N=3, 2 stages).  Its cost is the cell's
 * measured time plus NB201's marginal cost per FLOP (jahs_tabular_time_model)
 * times the extra FLOPs; its capacity (for TrivialAugment and dropout) its
 * own parameter count.
 */
#include "eval/tabular.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "eval/nb201_macro.h"
#include "eval/response.h"
#include "eval/table_stats.h"

#define MAX_DROPOUT 4

struct jahs_tabular {
    jahs_nb201_table *t;
    const jahs_space *sp; /* opts->space, not owned */
    jahs_macro_kind macro;
    int space_n;
    int i_edge[6], i_arch;
    int i_lr, i_wd, i_bs, i_ta;
    int i_do[MAX_DROPOUT], n_do;
    double hw;
    int resume;
    uint64_t space_key;
    double *sec_per_epoch; /* n: s/epoch at batch 256 on the reference GPU */
    double sec_per_flop;   /* NB201's marginal seconds (200 epochs) per FLOP */
    double *strength;      /* n */
    double *capacity;      /* n */
    double (*frac)[JAHS_RESPONSE_NFRAC]; /* n: learning fractions g(1..11) */
    double (*frac_test)[JAHS_RESPONSE_NFRAC]; /* n, when the test run is
                                                 another training; else NULL */
    int top[10];           /* top10: rank -> arch index of this table */
    jahs_response_data data;
};

static int need(const jahs_space *sp, const char *name, int *out,
                jahs_error *err)
{
    if ((*out = jahs_space_find(sp, name)) < 0)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "space '%s' has no parameter '%s' (the tabular "
                         "evaluator needs it)",
                         sp->name, name);
    return 0;
}

void jahs_tabular_close(jahs_tabular *tb)
{
    if (!tb)
        return;
    jahs_nb201_table_free(tb->t);
    free(tb->sec_per_epoch);
    free(tb->frac);
    free(tb->frac_test);
    free(tb);
}

/* top10's ranks: the ten best cells of the rank table (the searched one
 * unless opts names another), as arch indices of tb's table */
static int set_ranks(jahs_tabular *tb, const jahs_eval_options *opts,
                     jahs_error *err)
{
    const jahs_nb201_table *src = tb->t;
    jahs_nb201_table *other = NULL;
    int k;
    if (opts->rank_dataset || opts->rank_table) {
        if (!(other = jahs_nb201_table_open_dataset(opts->rank_dataset,
                                                    opts->rank_table, err))) {
            jahs_error_prefix(err, "top10's ranking (rank_dataset)");
            return err->code;
        }
        src = other;
    }
    for (k = 0; k < 10; k++)
        tb->top[k] =
            tb->t->index_of_code[jahs_nb201_code(src->ops[src->by_rank[k]])];
    jahs_nb201_table_free(other);
    return 0;
}

jahs_tabular *jahs_tabular_open(const jahs_eval_options *opts, jahs_error *err)
{
    static const char *const edges[6] = {"edge_1_0", "edge_2_0", "edge_2_1",
                                         "edge_3_0", "edge_3_1", "edge_3_2"};
    const jahs_space *sp = opts ? opts->space : NULL;
    jahs_tabular *tb;
    double *speed;
    int i, e, rc = 0;
    if (!sp) {
        JAHS_FAIL(err, JAHS_EINVAL, "the tabular evaluator needs a space");
        return NULL;
    }
    if (sp->macro == JAHS_MACRO_SEQ) {
        JAHS_FAIL(err, JAHS_EUNSUPPORTED,
                  "space '%s' is not in the NB201 table (the tabular evaluator "
                  "covers nb201, cell64 and top10); it needs the live evaluator",
                  sp->name);
        return NULL;
    }
    if (!(opts->hardware_factor > 0) || !isfinite(opts->hardware_factor)) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "hardware factor must be a positive number, got %g",
                  opts->hardware_factor);
        return NULL;
    }
    if (!(tb = calloc(1, sizeof *tb))) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    tb->sp = sp;
    tb->macro = sp->macro;
    tb->space_n = sp->n;
    tb->hw = opts->hardware_factor;
    if (!(opts->train_fraction > 0 && opts->train_fraction <= 1)) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "training fraction must be in (0, 1], got %g",
                  opts->train_fraction);
        free(tb);
        return NULL;
    }
    /* an epoch over a fold's share of the images costs that share of NB201's
     * full-set epoch (time per image constant) */
    tb->hw *= opts->train_fraction;
    tb->resume = opts->resume;
    tb->space_key = jahs_hash_str(sp->name);
    if (sp->macro == JAHS_MACRO_TOP10) {
        rc = need(sp, "arch", &tb->i_arch, err);
    } else {
        for (e = 0; e < 6 && !rc; e++)
            rc = need(sp, edges[e], &tb->i_edge[e], err);
    }
    if (rc || need(sp, "lr", &tb->i_lr, err) || need(sp, "wd", &tb->i_wd, err) ||
        need(sp, "batch_size", &tb->i_bs, err) ||
        need(sp, "trivial_augment", &tb->i_ta, err))
        goto fail;
    for (i = 0; i < sp->n; i++)
        if (strncmp(sp->params[i].name, "dropout", 7) == 0) {
            if (tb->n_do == MAX_DROPOUT) {
                JAHS_FAIL(err, JAHS_EINVAL, "space '%s' has more than %d "
                          "dropout parameters", sp->name, MAX_DROPOUT);
                goto fail;
            }
            tb->i_do[tb->n_do++] = i;
        }
    if (!(tb->t = jahs_nb201_table_open_dataset(opts->dataset, opts->table,
                                                err)) ||
        jahs_table_model_data(tb->t, &tb->data, err) != 0 ||
        set_ranks(tb, opts, err) != 0)
        goto fail;
    tb->sec_per_epoch = malloc(4 * (size_t)tb->t->n * sizeof(double));
    tb->frac = malloc((size_t)tb->t->n * sizeof *tb->frac);
    if (!tb->t->dataset->valid_test_one_net)
        tb->frac_test = malloc((size_t)tb->t->n * sizeof *tb->frac_test);
    if (!tb->sec_per_epoch || !tb->frac ||
        (!tb->t->dataset->valid_test_one_net && !tb->frac_test)) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto fail;
    }
    tb->strength = tb->sec_per_epoch + tb->t->n;
    tb->capacity = tb->strength + tb->t->n;
    speed = tb->capacity + tb->t->n; /* the cells' learning-speed factors */
    /* marginal cost of a FLOP, measured on NB201 itself: the least-squares
     * line time200 = a + b x FLOPs(NB201 macro) over all cells (see
     * jahs_tabular_time_model).  Another macro keeps the cell's measured
     * time and adds b x the FLOPs it has beyond NB201's.  NATS times scale
     * with the training-set size: an epoch over the full set costs
     * train_images / timed_images of the timed run's. */
    jahs_tabular_time_model(tb->t, NULL, &tb->sec_per_flop);
    for (i = 0; i < tb->t->n; i++) {
        double f201, f, params;
        jahs_nb201_flops(tb->t->ops[i], 16, 5, 3, 100, &f201, NULL);
        jahs_nb201_flops(tb->t->ops[i], sp->init_channels, sp->cells_per_stage,
                         sp->stages, 100, &f, &params);
        tb->sec_per_epoch[i] =
            (tb->t->time200[i] + tb->sec_per_flop * (f - f201)) / 200.0 *
            (tb->t->dataset->train_images / tb->t->dataset->timed_images);
        tb->strength[i] =
            jahs_response_strength(&tb->data, tb->t->valid200_mean[i]);
        tb->capacity[i] = jahs_response_capacity(params);
        speed[i] = jahs_response_speed_factor(i);
    }
    /* learning fractions below 12 epochs: the valid run's from valid_12;
     * a test run that is another training (CIFAR-10) from test_12, with
     * the same speed factors (the cell's) */
    if (jahs_response_fractions(tb->t->n, tb->t->valid12, tb->data.chance,
                                speed, tb->frac, err) != 0 ||
        (tb->frac_test &&
         jahs_response_fractions(tb->t->n, tb->t->test12, tb->data.chance,
                                 speed, tb->frac_test, err) != 0))
        goto fail;
    return tb;
fail:
    jahs_tabular_close(tb);
    return NULL;
}

int jahs_tabular_time_model(const jahs_nb201_table *t, double *a, double *b)
{
    /* ordinary least squares of time200 on FLOPs per image (NB201 macro) */
    double sx = 0, sy = 0, sxx = 0, sxy = 0, n = t->n, bb;
    int i;
    for (i = 0; i < t->n; i++) {
        double f;
        jahs_nb201_flops(t->ops[i], 16, 5, 3, 100, &f, NULL);
        sx += f;
        sy += t->time200[i];
        sxx += f * f;
        sxy += f * t->time200[i];
    }
    bb = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    if (a)
        *a = (sy - bb * sx) / n;
    if (b)
        *b = bb;
    return 0;
}

const jahs_nb201_table *jahs_tabular_table(const jahs_tabular *tb)
{
    return tb->t;
}

const jahs_response_data *jahs_tabular_data(const jahs_tabular *tb)
{
    return &tb->data;
}

static void cell_of(const jahs_tabular *tb, int cell, int fold,
                    jahs_response_cell *c)
{
    const jahs_nb201_table *t = tb->t;
    c->valid12 = t->valid12[cell];
    c->test12 = t->test12[cell];
    c->valid200 = t->valid200[cell][fold];
    /* no per-seed test (CIFAR-10): the measured seed mean for both folds */
    c->test200 = t->dataset->per_seed_test ? t->test200[cell][fold]
                                           : t->test200_mean[cell];
    c->strength = tb->strength[cell];
    c->capacity = tb->capacity[cell];
    c->frac = tb->frac[cell];
    c->frac_test = tb->frac_test ? tb->frac_test[cell] : NULL;
}

int jahs_tabular_cell(const jahs_tabular *tb, int cell, int fold,
                      jahs_response_cell *c, jahs_error *err)
{
    if (cell < 0 || cell >= tb->t->n || (fold != 0 && fold != 1))
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "cell %d / fold %d out of range (0..%d / 0..1)", cell,
                         fold, tb->t->n - 1);
    cell_of(tb, cell, fold, c);
    return 0;
}

int jahs_tabular_rank_cell(const jahs_tabular *tb, int rank)
{
    return (rank >= 0 && rank < 10) ? tb->top[rank] : -1;
}

static uint64_t mix_double(uint64_t h, double v)
{
    uint64_t u;
    if (v == 0)
        v = 0; /* -0 and 0 alike */
    memcpy(&u, &v, sizeof u);
    return jahs_mix64(h ^ u);
}

static int eval_impl(jahs_tabular *tb, const jahs_eval_request *req,
                     int noise, jahs_eval_result *out, jahs_tabular_info *info,
                     jahs_error *err)
{
    const double *x = req->config;
    const jahs_nb201_table *t = tb->t;
    jahs_response_hp hp;
    jahs_response_cell c;
    jahs_response_out r;
    uint64_t key;
    double zv, zt, spe;
    int cell, k, trained;
    if (req->epochs < JAHS_RESPONSE_MIN_EPOCHS ||
        req->epochs > JAHS_RESPONSE_MAX_EPOCHS)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "epochs %d out of range %d..%d (the table measures 12 "
                         "and 200)",
                         req->epochs, JAHS_RESPONSE_MIN_EPOCHS,
                         JAHS_RESPONSE_MAX_EPOCHS);
    if (req->fold != 0 && req->fold != 1)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "fold %d out of range (0 -> NB201 seed 777, 1 -> 888)",
                         req->fold);
    if (req->space && req->space != tb->sp &&
        strcmp(req->space->name, tb->sp->name) != 0)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "request for space '%s' on an evaluator opened for "
                         "'%s'",
                         req->space->name, tb->sp->name);
    if (req->resume_from < 0 || req->resume_from > req->epochs)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "resume_from %d out of range (expected 0..%d, the "
                         "requested epochs)",
                         req->resume_from, req->epochs);
    if (tb->macro == JAHS_MACRO_TOP10) {
        double v = x[tb->i_arch];
        if (!(v >= 0 && v <= 9 && v == (double)(int)v))
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "'arch' must be a choice rank01..rank10, got %g", v);
        cell = tb->top[(int)v];
    } else {
        int code = 0, e;
        for (e = 0; e < 6; e++) {
            double v = x[tb->i_edge[e]];
            if (!(v >= 0 && v <= 4 && v == (double)(int)v))
                return JAHS_FAIL(err, JAHS_EINVAL,
                                 "edge %d must be an op index 0..4, got %g",
                                 e + 1, v);
            code = code * JAHS_NB201_OPS + (int)v;
        }
        cell = t->index_of_code[code];
    }
    hp.lr = x[tb->i_lr];
    hp.wd = x[tb->i_wd];
    hp.batch = x[tb->i_bs];
    hp.ta = x[tb->i_ta] >= 0.5;
    hp.dropout = 0;
    for (k = 0; k < tb->n_do; k++) {
        double p = x[tb->i_do[k]];
        if (!(p >= 0 && p < 1))
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "dropout must be in [0, 1), got %g", p);
        hp.dropout += p;
    }
    if (tb->n_do)
        hp.dropout /= tb->n_do;
    if (!(hp.lr > 0) || !isfinite(hp.lr) || !(hp.batch >= 1) ||
        !isfinite(hp.batch) || !(hp.wd >= 0) || !isfinite(hp.wd))
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "lr %g, wd %g, batch_size %g: expected lr > 0, wd >= 0, "
                         "batch_size >= 1",
                         hp.lr, hp.wd, hp.batch);
    /* the run's identity for seed noise: space, cell, hyperparameters */
    key = jahs_mix64(tb->space_key ^ (uint64_t)cell);
    key = mix_double(key, hp.lr);
    key = mix_double(key, hp.wd);
    key = mix_double(key, hp.batch);
    key = mix_double(key, hp.ta);
    for (k = 0; k < tb->n_do; k++)
        key = mix_double(key, x[tb->i_do[k]]);
    zv = zt = 0;
    if (noise && !jahs_response_is_anchor(&hp, req->epochs))
        jahs_response_noise(key, req->fold, req->seed, req->epochs,
                            tb->data.vt_corr, &zv, &zt);
    cell_of(tb, cell, req->fold, &c);
    jahs_response_eval(&tb->data, &c, &hp, req->epochs, zv, zt, &r);
    spe = tb->sec_per_epoch[cell] * jahs_response_batch_time(hp.batch) * tb->hw;
    trained = req->epochs;
    if (tb->resume && req->resume_from > 0)
        trained = req->epochs > req->resume_from
                      ? req->epochs - req->resume_from
                      : 0;
    out->val_acc = r.val;
    out->test_acc = r.test;
    out->cost = spe * trained;
    if (info) {
        info->arch_index = cell;
        info->measured = r.measured;
        info->diverged = r.diverged;
        info->sec_per_epoch = spe;
    }
    return 0;
}

int jahs_tabular_eval(jahs_tabular *tb, const jahs_eval_request *req,
                      jahs_eval_result *out, jahs_tabular_info *info,
                      jahs_error *err)
{
    return eval_impl(tb, req, 1, out, info, err);
}

int jahs_tabular_eval_noise_free(jahs_tabular *tb, const jahs_eval_request *req,
                                 jahs_eval_result *out, jahs_tabular_info *info,
                                 jahs_error *err)
{
    return eval_impl(tb, req, 0, out, info, err);
}

/* ---- the eval type -------------------------------------------------------- */

static void *tabular_open(const jahs_eval_options *opts, jahs_error *err)
{
    return jahs_tabular_open(opts, err);
}

static int tabular_eval(void *state, const jahs_eval_request *req,
                        jahs_eval_result *out, jahs_error *err)
{
    return jahs_tabular_eval(state, req, out, NULL, err);
}

static void tabular_close(void *state) { jahs_tabular_close(state); }

/* The table holds NB201 cells: every space but the sequential CNN. */
static int tabular_space_check(const char *space, char *msg, size_t size)
{
    if (strcmp(space, "seqcnn") != 0)
        return 0;
    snprintf(msg, size,
             "space '%s' is not in the tabular benchmark (it covers nb201, "
             "cell64 and top10); use evaluator = live",
             space);
    return -1;
}

static const jahs_eval_decl tabular_decl = {"dataset,hardware_factor,resume", 0,
                                            tabular_space_check, NULL, NULL, NULL,
                                            NULL, 0};

const jahs_eval_type jahs_eval_tabular = {
    "tabular",
    "NAS-Bench-201 table (CIFAR-10, CIFAR-100 or ImageNet16-120) + "
    "learning-curve, seed-noise and hyperparameter-response model (spaces "
    "nb201, cell64, top10; simulated cost)",
    tabular_open, tabular_eval, tabular_close, &tabular_decl};
