/*
 * live.c - the live evaluator: trains the requested config on a real
 * dataset with the trainer (src/train) and reports measured accuracies;
 * the cost is wall-clock seconds.
 *
 * Options (eval.h): data (dataset spec, dataset.h; default fashion-mnist),
 * subset (N images of the training split, and of the test split, to keep
 * CPU runs short; 0: all), subset_order (the first N, or N round-robin over
 * the classes for datasets in class order: live.h), device ("cpu", or "gpu", "gpu:N",
 * optionally ",bf16": the GPU backend, gpu.h; JAHS_EUNAVAILABLE at open
 * when this build has no CUDA or no GPU is present; each request trains
 * on its own stream, so W workers share one GPU), workdir (checkpoints),
 * resume, threads (0: all cores), max_epochs (the schedule's horizon),
 * train_fraction (k-fold cross-validation
 * with k = 1 / (1 - train_fraction); 1: no CV), table (the NB201 table, for
 * the top10 space's ranks).
 *
 * A request trains fold `fold` of jahs_dataset_folds(train, fold, k, seed)
 * -- the same stratified split for every config of a run -- and reports the
 * accuracy on the held-out part as val_acc and on the test split as
 * test_acc.  Without CV (k = 1) it trains on the whole training split and
 * val_acc is the test accuracy (there is nothing held out; documented, not
 * hidden).
 *
 * Checkpoints (resume = 1 and a workdir): workdir/seed<S>/config<ID>-
 * fold<F>.h5, written after each request.  A request continues from the
 * checkpoint when it holds no more epochs than asked (ASHA promotions), so
 * only the extra epochs are trained and charged (one holding more epochs
 * than asked is left alone and the request trains afresh).  The
 * learning-rate schedule spans the maximum fidelity (the option
 * max_epochs, the experiment's max_epochs; default 20 as DESIGN.md) so that
 * continuing equals training to the target at once (trainer.h).  With
 * resume = 0 every request trains from scratch on a schedule over its own
 * epochs.
 *
 * Random streams: seed = the run's seed, stream = config_id x 64 + fold, so
 * every trial and fold has its own initialisation, order, augmentation and
 * dropout, reproducible from the run.
 *
 * Also here: the datasets and top10 lookup that `jahs train` shares (live.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "data/dataset.h"
#include "eval/eval.h"
#include "eval/live.h"
#include "eval/nb201_table.h"
#include "gpu/gpu.h"
#include "train/trainer.h"

#define JAHS_LIVE_HORIZON 20 /* DESIGN.md: fidelity is 1..20 epochs */

typedef struct live {
    const jahs_space *space;
    char *table_path, *table_dataset, *workdir;
    char data_id[256]; /* jahs_trainer_opts.data_id of every trial */
    int threads, resume, n_folds, horizon;
    int gpu, gpu_index, precision; /* device (gpu.h) */
    jahs_dataset *train, *test;
    jahs_top10_cells top10; /* path = table_path, dataset = table_dataset */
} live;

static void live_close(void *state)
{
    live *L = state;
    if (!L)
        return;
    jahs_dataset_free(L->train);
    jahs_dataset_free(L->test);
    jahs_top10_cells_close(&L->top10);
    free(L->table_path);
    free(L->table_dataset);
    free(L->workdir);
    free(L);
}

static const char *const subset_order_names[] = {"first", "stratified"};

int jahs_subset_order_parse(const char *s)
{
    int k;
    for (k = 0; s && k < 2; k++)
        if (strcmp(s, subset_order_names[k]) == 0)
            return k;
    return -1;
}

const char *jahs_subset_order_name(int order)
{
    return order >= 0 && order < 2 ? subset_order_names[order] : NULL;
}

/* n images of *d (n > 0 and fewer than it has) in order, replacing it. */
static int head(jahs_dataset **d, long n, int order, jahs_error *err)
{
    jahs_dataset *h;
    if (n <= 0 || n >= (*d)->n)
        return 0;
    h = order == JAHS_SUBSET_STRATIFIED
            ? jahs_dataset_stratified(*d, (int)n, err)
            : jahs_dataset_head(*d, (int)n, err);
    if (!h)
        return err ? err->code : JAHS_ENOMEM;
    jahs_dataset_free(*d);
    *d = h;
    return 0;
}

int jahs_live_datasets(const char *data, long subset, int order,
                       jahs_dataset **train, jahs_dataset **test,
                       jahs_error *err)
{
    int rc = 0;
    *train = *test = NULL;
    if (subset < 0)
        return JAHS_FAIL(err, JAHS_EINVAL, "subset %ld < 0", subset);
    if (!jahs_subset_order_name(order))
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "subset order %d (expected first or stratified)",
                         order);
    if (!data || !*data)
        data = JAHS_LIVE_DATA;
    if (!(*train = jahs_dataset_load(data, JAHS_SPLIT_TRAIN, err)) ||
        !(*test = jahs_dataset_load(data, JAHS_SPLIT_TEST, err)))
        rc = err ? err->code : JAHS_EIO;
    else if (!(rc = head(train, subset, order, err)))
        rc = head(test, subset, order, err);
    if (rc) {
        jahs_dataset_free(*train);
        jahs_dataset_free(*test);
        *train = *test = NULL;
    }
    return rc;
}

int jahs_top10_cell(void *ctx, int rank, int ops[6], jahs_error *err)
{
    jahs_top10_cells *c = ctx;
    int k, idx;
    if (!c->table) {
        if (!(c->table = jahs_nb201_table_open_dataset(c->dataset, c->path,
                                                       err))) {
            jahs_error_prefix(err, "space 'top10' needs the NB201 table%s",
                              c->hint ? c->hint : "");
            return err ? err->code : JAHS_EIO;
        }
    }
    if (rank < 1 || rank > c->table->n)
        return JAHS_FAIL(err, JAHS_ERANGE, "rank %d outside the table", rank);
    idx = c->table->by_rank[rank - 1];
    for (k = 0; k < 6; k++)
        ops[k] = c->table->ops[idx][k];
    return 0;
}

void jahs_top10_cells_close(jahs_top10_cells *c)
{
    if (!c)
        return;
    jahs_nb201_table_free(c->table);
    c->table = NULL;
}

static void *live_open(const jahs_eval_options *o, jahs_error *err)
{
    live *L;
    int gpu = 0, gpu_index = 0, precision = JAHS_PREC_FP32;
    if (o->device && *o->device &&
        jahs_device_parse(o->device, &gpu, &gpu_index, &precision, err))
        return NULL;
    if (gpu && jahs_gpu_probe(gpu_index, NULL, 0, err)) {
        jahs_error_prefix(err, "device '%s'", o->device);
        return NULL;
    }
    if (!(L = calloc(1, sizeof *L))) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    L->space = o->space;
    L->gpu = gpu;
    L->gpu_index = gpu_index;
    L->precision = precision;
    L->threads = o->threads;
    L->horizon = o->max_epochs > 0 ? o->max_epochs : JAHS_LIVE_HORIZON;
    L->resume = o->resume;
    L->n_folds = 1;
    if (o->train_fraction > 0 && o->train_fraction < 1)
        L->n_folds = (int)(1.0 / (1.0 - o->train_fraction) + 0.5);
    {
        /* top10's ranks: rank_dataset / rank_table, else dataset / table */
        int own = o->rank_dataset || o->rank_table;
        const char *tp = own ? o->rank_table : o->table,
                   *dn = own ? o->rank_dataset : o->dataset;
        if ((tp && !(L->table_path = jahs_strdup(tp))) ||
            (dn && !(L->table_dataset = jahs_strdup(dn)))) {
            JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            live_close(L);
            return NULL;
        }
    }
    if (o->workdir && !(L->workdir = jahs_strdup(o->workdir))) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        live_close(L);
        return NULL;
    }
    L->top10.path = L->table_path;
    L->top10.dataset = L->table_dataset;
    if (jahs_live_datasets(o->data, o->subset, o->subset_order, &L->train,
                           &L->test, err)) {
        live_close(L);
        return NULL;
    }
    { /* the checkpoints' data identity (issue 15, class 8): everything
       * that decided the images a trial trains on */
        jahs_buf id = {0};
        /* (subset_order first: the identity before the key existed) */
        jahs_buf_printf(&id, "%s, subset %ld%s, %d folds, %s %d images",
                        o->data ? o->data : "(default)", o->subset,
                        o->subset_order == JAHS_SUBSET_STRATIFIED
                            ? " stratified"
                            : "",
                        L->n_folds, L->train->name, L->train->n);
        if (id.data && id.len < sizeof L->data_id)
            memcpy(L->data_id, id.data, id.len + 1);
        else /* a long spec: its hash keeps the identity exact enough */
            snprintf(L->data_id, sizeof L->data_id, "%.160s... #%016llx",
                     id.data ? id.data : "",
                     (unsigned long long)jahs_hash_str(id.data ? id.data
                                                               : ""));
        jahs_buf_free(&id);
    }
    return L;
}

static char *checkpoint_path(const live *L, const jahs_eval_request *req)
{
    char name[96];
    char *dir, *path;
    snprintf(name, sizeof name, "seed%" PRIu64, req->seed);
    if (!(dir = jahs_path_join(L->workdir, name)))
        return NULL;
    snprintf(name, sizeof name, "config%" PRId64 "-fold%d.h5",
             req->config_id, req->fold);
    path = jahs_path_join(dir, name);
    free(dir);
    return path;
}

static int live_eval(void *state, const jahs_eval_request *req,
                     jahs_eval_result *out, jahs_error *err)
{
    live *L = state;
    const jahs_space *sp = req->space ? req->space : L->space;
    jahs_trainer_opts o;
    jahs_trainer *t = NULL;
    int *tr = NULL, *va = NULL, ntr = 0, nva = 0, rc;
    char *ckpt = NULL;
    double t0 = jahs_now();
    if (!sp || req->epochs < 1 || req->fold < 0)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "live request needs a space, epochs >= 1, fold >= 0");
    if ((rc = jahs_trainer_opts_from_config(&o, sp, req->config, L->train,
                                            NULL, jahs_top10_cell, &L->top10,
                                            err)))
        return rc;
    o.seed = req->seed;
    o.stream = (uint64_t)req->config_id * 64 + (uint64_t)req->fold;
    o.threads = L->threads;
    o.device = L->gpu;
    o.gpu_index = L->gpu_index;
    o.precision = L->precision;
    memcpy(o.data_id, L->data_id, sizeof o.data_id);
    o.horizon = L->resume ? L->horizon : req->epochs;
    if (o.horizon < req->epochs)
        o.horizon = req->epochs;
    if (L->n_folds >= 2) {
        if (req->fold >= L->n_folds)
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "fold %d does not exist: %d-fold cross-validation "
                             "has folds 0..%d",
                             req->fold, L->n_folds, L->n_folds - 1);
        if ((rc = jahs_dataset_folds(L->train, req->fold, L->n_folds,
                                     req->seed, &tr, &ntr, &va, &nva, err)))
            return rc;
    }
    if (!(t = jahs_trainer_create(&o, err))) {
        rc = err ? err->code : JAHS_ENOMEM;
        goto out;
    }
    if (L->resume && L->workdir) {
        if (!(ckpt = checkpoint_path(L, req))) {
            rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            goto out;
        }
        if (jahs_path_exists(ckpt)) {
            if ((rc = jahs_trainer_load(t, ckpt, err)))
                goto out;
            if (jahs_trainer_epochs(t) > req->epochs) {
                /* asked for fewer epochs than the checkpoint holds: train
                 * afresh, and keep the longer checkpoint */
                free(ckpt);
                ckpt = NULL;
                jahs_trainer_free(t);
                if (!(t = jahs_trainer_create(&o, err))) {
                    rc = err ? err->code : JAHS_ENOMEM;
                    goto out;
                }
            }
        }
    }
    while (jahs_trainer_epochs(t) < req->epochs)
        if ((rc = jahs_trainer_epoch(t, L->train, tr,
                                     tr ? ntr : L->train->n, NULL, NULL,
                                     NULL, err)))
            goto out;
    if ((rc = jahs_trainer_evaluate(t, L->test, NULL, 0, &out->test_acc,
                                    NULL, err)))
        goto out;
    if (va) {
        if ((rc = jahs_trainer_evaluate(t, L->train, va, nva, &out->val_acc,
                                        NULL, err)))
            goto out;
    } else {
        out->val_acc = out->test_acc;
    }
    if (ckpt && (rc = jahs_trainer_save(t, ckpt, err)))
        goto out;
    out->cost = jahs_now() - t0;
out:
    jahs_trainer_free(t);
    free(ckpt);
    free(tr);
    free(va);
    return rc;
}

static int live_value_check(const char *key, const char *value, char *msg,
                            size_t size)
{
    int gpu, index;
    if (strcmp(key, "device") == 0 &&
        jahs_device_parse(value, &gpu, &index, NULL, NULL)) {
        snprintf(msg, size, "cpu, gpu or gpu:N (optionally ,bf16)");
        return -1;
    }
    return 0;
}

static int live_wall_clock(const jahs_eval_options *o)
{
    (void)o;
    return 1;
}

static const jahs_eval_decl live_decl = {"data,subset,subset_order,device,"
                                         "threads,resume",
                                         1, NULL, live_value_check,
                                         live_wall_clock, NULL, NULL, 0};

const jahs_eval_type jahs_eval_live = {
    "live",
    "trains each config on a real dataset with the CPU or GPU trainer; "
    "wall-clock cost",
    live_open, live_eval, live_close, &live_decl};
