/*
 * live.h - what the live evaluator (live.c, jahs_eval_live in eval.h) and
 * `jahs train` (src/cli/cmd_train.c) share, so that one config trains the
 * same way in both: the datasets of a run (a dataset spec and the subset
 * and subset_order options) and the top10 space's cells by rank from the NB201 table.
 */
#ifndef JAHS_EVAL_LIVE_H
#define JAHS_EVAL_LIVE_H

#include "core/error.h"
#include "data/dataset.h"
#include "eval/nb201_table.h"

/* The dataset of a live run when none is named. */
#define JAHS_LIVE_DATA "fashion-mnist"

/* How `subset` picks its images (the experiment key subset_order, `jahs
 * train --subset-order`). */
typedef enum jahs_subset_order {
    JAHS_SUBSET_FIRST = 0,     /* the first N images of each split */
    JAHS_SUBSET_STRATIFIED = 1 /* N round-robin over the classes
                                  (jahs_dataset_stratified): for datasets in
                                  class order, image folders */
} jahs_subset_order;

/* "first" / "stratified" -> the order, else -1; and back (NULL when out of
 * range). */
int jahs_subset_order_parse(const char *s);
const char *jahs_subset_order_name(int order);

/*
 * Load the training and the test split of dataset spec data (dataset.h;
 * NULL or "": JAHS_LIVE_DATA) and keep subset images of each split (subset
 * 0, or one at least a split's size, keeps all of it; the kept images keep
 * the full training split's statistics): the first ones (order
 * JAHS_SUBSET_FIRST) or a class-stratified pick (JAHS_SUBSET_STRATIFIED,
 * jahs_dataset_stratified).  On success *train and *test own the splits
 * (jahs_dataset_free).  On failure both are NULL: a negative subset or an
 * unknown order is JAHS_EINVAL, a dataset that cannot be read is the
 * reader's error naming the file.
 */
int jahs_live_datasets(const char *data, long subset, int order,
                       jahs_dataset **train, jahs_dataset **test,
                       jahs_error *err);

/*
 * The top10 space's architectures: rank K (1..10 in the space) is the K-th
 * best cell of an NB201 table by mean 200-epoch validation accuracy
 * (nb201_table.h, by_rank).  The table is opened on the first lookup, so a
 * run that never asks for a rank needs no table.  Zero-initialise, set
 * path, dataset and hint, and close with jahs_top10_cells_close.  The
 * table is jahs_nb201_table_open_dataset(dataset, path): the ranks of a
 * prior's source task (prior_source) may come from another dataset than
 * the one a run searches.
 */
typedef struct jahs_top10_cells {
    const char *path;        /* the table; NULL: jahs_table_path_for(dataset) */
    const char *hint;        /* appended to the message when the table
                                cannot be opened, e.g. " or --cell";
                                NULL: none */
    const char *dataset;     /* its dataset's name (nb201_table.h); NULL:
                                whatever the file holds, cifar100 when
                                path is NULL too */
    jahs_nb201_table *table; /* NULL until the first lookup */
} jahs_top10_cells;

/*
 * A jahs_top10_fn (nn/arch.h) over ctx, a jahs_top10_cells: the six edge
 * ops of rank `rank`.  Errors: the table's own (naming the file) prefixed
 * "space 'top10' needs the NB201 table" and the hint; a rank outside
 * 1..n of the table, JAHS_ERANGE.
 */
int jahs_top10_cell(void *ctx, int rank, int ops[6], jahs_error *err);

/* Free the table, if one was opened; the struct may be looked up again.
 * NULL is a no-op. */
void jahs_top10_cells_close(jahs_top10_cells *c);

#endif
