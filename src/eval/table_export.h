/*
 * table_export.h - `jahs table export`: a built-in table (an NB201 table
 * plus the response model, eval/tabular.h) written as a table file
 * (eval/tabfile.h) in one pass, so it can be read back with
 * `evaluator = table` and fed to Syne Tune or NEPS.
 *
 * Rows: every config of the space's grid x seed x fold x epoch, in that
 * nesting (the last parameter varies fastest).  The grid: every choice of
 * each categorical, and for each numeric parameter the values given in
 * `grid` ("lr=0.01/0.1,wd=5e-4": '/' between values) or else its default
 * (the space's training recipe); a numeric parameter without either is an
 * error.  A categorical named in grid takes only the choices named.  Each
 * row is the tabular evaluator's answer to (config, epoch, fold, seed) from
 * scratch: its cost is cumulative, which is what the table evaluator reads.
 */
#ifndef JAHS_EVAL_TABLE_EXPORT_H
#define JAHS_EVAL_TABLE_EXPORT_H

#include <stdint.h>

#include "eval/eval.h"
#include "eval/tabfile.h"

typedef struct jahs_table_export_opts {
    const char *grid;       /* NULL: every numeric at its default */
    const int *epochs;      /* n_epochs fidelities, each 1..200 */
    int n_epochs;
    const uint64_t *seeds;  /* n_seeds run seeds (the seed column) */
    int n_seeds;
    int folds;              /* 1 or 2: folds 0 .. folds-1 */
    long limit;             /* > 0: only the first limit configs */
} jahs_table_export_opts;

/*
 * Export the table eo describes (eo->space, eo->dataset / eo->table,
 * eo->hardware_factor, eo->train_fraction: as `jahs run` opens the tabular
 * evaluator) to path in format fmt.  *rows (may be NULL) gets the number of
 * rows written.  Nothing is left at path on failure.
 */
int jahs_table_export(const jahs_eval_options *eo,
                      const jahs_table_export_opts *x, const char *path,
                      jahs_tabfile_format fmt, long *rows, jahs_error *err);

#endif
