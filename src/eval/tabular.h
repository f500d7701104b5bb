/*
 * tabular.h - the tabular evaluator ("tabular" in eval_types.h): a config of
 * the nb201, cell64 or top10 space, a number of epochs and a fold in; one
 * NB201 table (CIFAR-10, CIFAR-100 or ImageNet16-120: opts->dataset) plus
 * the response model (response.h) out, with a simulated cost.  No
 * allocation and no I/O per query.
 *
 * Folds: fold 0 reads NB201 seed 777, fold 1 seed 888 (every cell has both
 * runs); the single 12-epoch run serves both folds.  CIFAR-10 has no
 * per-seed test accuracy: at 200 epochs both folds get test_200_mean (the
 * measured seed mean of the 50k-trained run), and its test seed noise is
 * independent of the valid one (separate trainings).
 *
 * top10's rank01..rank10 are the best cells by mean 200-epoch valid
 * accuracy of opts->rank_dataset's table (default: the searched one), so a
 * prior's source task and the search task can differ.
 *
 * Cost of one call (one fold; the driver calls once per fold):
 *
 *   seconds = train_time_200 / 200            NB201's measured s/epoch;
 *                                             cell64: + b x extra FLOPs / 200
 *                                             (jahs_tabular_time_model)
 *             x train_images / timed_images   NATS times scale with the
 *                                             training-set size: CIFAR-10's
 *                                             were timed on 25k images, a
 *                                             full epoch is 50k (x2)
 *             x jahs_response_batch_time(bs)  relative to batch 256
 *             x hardware_factor               2.5 for the poster's GTX 1060
 *                                             (JAHS_RC_HW_GTX1060)
 *             x train_fraction                share of the training set a
 *                                             fold trains on (2-fold CV: 1/2)
 *             x epochs trained                epochs - resume_from when
 *                                             resuming, else epochs
 *
 * The lower-level API here is what the eval type wraps; the CLI and the
 * benchmark use it for the extra information (arch index, measured flag).
 */
#ifndef JAHS_EVAL_TABULAR_H
#define JAHS_EVAL_TABULAR_H

#include "eval/eval.h"
#include "eval/nb201_table.h"
#include "eval/response.h"

typedef struct jahs_tabular jahs_tabular;

/* What a query saw besides the result. */
typedef struct jahs_tabular_info {
    int arch_index;        /* NB201 cell */
    int measured;          /* 1: NB201's own number (recipe at 12 / 200) */
    int diverged;          /* 1: lr past the divergence cliff */
    double sec_per_epoch;  /* cost of one epoch, all factors applied */
} jahs_tabular_info;

/*
 * Open on opts->space (nb201, cell64 or top10; seqcnn is an error that says
 * it needs the live evaluator) with the table of opts->dataset at
 * opts->table (jahs_nb201_table_open_dataset: either may be NULL), top10's
 * ranking from opts->rank_dataset / opts->rank_table (NULL: the same
 * table), opts->hardware_factor (> 0) and opts->resume.  Prepares per cell
 * the cost, strength, capacity and learning fractions.  Queries on
 * different evaluators may run concurrently.  NULL and err on failure.
 * Free with jahs_tabular_close.
 */
jahs_tabular *jahs_tabular_open(const jahs_eval_options *opts, jahs_error *err);
/*
 * One query.  req->config holds values of opts->space; req->epochs 1..200,
 * req->fold 0 or 1.  info may be NULL.  Errors: out-of-range epochs or fold,
 * an edge that is not an op index, a non-positive lr / batch size, a wd
 * below 0, a dropout outside [0, 1).
 */
int jahs_tabular_eval(jahs_tabular *tb, const jahs_eval_request *req,
                      jahs_eval_result *out, jahs_tabular_info *info,
                      jahs_error *err);
/* The same query without run-seed noise: the model's value that the run
 * seeds scatter around (documentation, the docs' tables, tests). */
int jahs_tabular_eval_noise_free(jahs_tabular *tb, const jahs_eval_request *req,
                                 jahs_eval_result *out, jahs_tabular_info *info,
                                 jahs_error *err);
/* The table in use (owned by tb). */
const jahs_nb201_table *jahs_tabular_table(const jahs_tabular *tb);
/* What the model reads off that table (owned by tb). */
const jahs_response_data *jahs_tabular_data(const jahs_tabular *tb);
/* What the response model knows of cell (arch index) on fold 0 or 1:
 * anchors, strength, capacity (of tb's space's macro), learning fractions
 * (pointers into tb).  JAHS_EINVAL for a cell or fold out of range. */
int jahs_tabular_cell(const jahs_tabular *tb, int cell, int fold,
                      jahs_response_cell *c, jahs_error *err);
/* The arch index top10's rank (0..9) resolves to, on tb's table. */
int jahs_tabular_rank_cell(const jahs_tabular *tb, int rank);
/* NULL is a no-op. */
void jahs_tabular_close(jahs_tabular *tb);

/*
 * NB201's training time as a line in FLOPs: the least-squares fit
 * time200 = a + b x FLOPs per image of the NB201 macro (jahs_nb201_flops)
 * over every cell of the table.  a (seconds for 200 epochs) is the part of an
 * epoch that does not grow with convolution work (data loading, kernel
 * launches, element-wise layers); b (seconds per FLOP per image for 200
 * epochs) is the marginal cost of arithmetic on NB201's GPU.  The cost of a
 * cell in another macro (cell64) is its measured time plus b x the extra
 * FLOPs.  a or b may be NULL.
 */
int jahs_tabular_time_model(const jahs_nb201_table *t, double *a, double *b);

#endif
