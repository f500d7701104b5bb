/*
 * tabular.h - the tabular evaluator ("tabular" in eval_types.h): a config of
 * the nb201, cell64 or top10 space, a number of epochs and a fold in; the
 * NB201 CIFAR-100 table plus the response model (response.h) out, with a
 * simulated cost.  No allocation and no I/O per query.
 *
 * Folds: fold 0 reads NB201 seed 777, fold 1 seed 888 (every cell has both
 * runs); the single 12-epoch run serves both folds.  Cost of one call (one
 * fold; the driver calls once per fold):
 *
 *   seconds = train_time_200 / 200            NB201's measured s/epoch
 *             x macro factor                  cell64: FLOPs(cell64 macro) /
 *                                             FLOPs(NB201 macro), same cell
 *             x jahs_response_batch_time(bs)  relative to batch 256
 *             x hardware_factor               2.5 for the poster's GTX 1060
 *                                             (JAHS_RC_HW_GTX1060)
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
 * it needs the live evaluator) with the table at opts->table (NULL: the
 * default path), opts->hardware_factor (> 0) and opts->resume.  NULL and err
 * on failure.  Free with jahs_tabular_close.
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
/* The table in use (owned by tb). */
const jahs_nb201_table *jahs_tabular_table(const jahs_tabular *tb);
/* NULL is a no-op. */
void jahs_tabular_close(jahs_tabular *tb);

#endif
