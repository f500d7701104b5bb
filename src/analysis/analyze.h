/*
 * analyze.h - `jahs analyze importance`: hyperparameter importance for every
 * row of a run directory (exp/rundir.h), written as
 *
 *   OUT/importance.csv   one line per (row, parameter): row, slug, space,
 *                        method, parameter, group (arch / hp), status (ok /
 *                        fixed / inactive), importance, std, rank, trees
 *                        used, evaluations, fidelity, seeds
 *   OUT/importance.md    per row: the data used, the incumbent, the ranked
 *                        table and the order within HPs and within
 *                        architecture choices (the poster reports those); a
 *                        caution when there are fewer than 5 evaluations per
 *                        varied parameter
 *   OUT/importance_<slug>.svg / .png   bar charts, when gnuplot is installed
 *                        (and JAHS_NO_PLOTS is unset)
 *
 * Data per row (DeepCAVE's choice for a run): the evaluations at one
 * fidelity (epochs; by default the highest one present in the row's pooled
 * journals), pooled over the row's seeds or from one seed; the response is
 * the mean validation accuracy over folds; evaluations without a finite
 * validation accuracy are dropped.  Incumbent: the best validation accuracy
 * at that fidelity (ties: the earlier seed in the experiment's list, then
 * the earlier journal row), i.e. the journal's incumbent rule restricted to
 * the analysed fidelity.
 *
 * All files are written atomically; the same journals and options give
 * byte-identical CSV and Markdown.
 */
#ifndef JAHS_ANALYSIS_ANALYZE_H
#define JAHS_ANALYSIS_ANALYZE_H

#include <stdint.h>

#include "analysis/importance.h"
#include "core/error.h"

typedef struct jahs_analyze_opts {
    jahs_imp_opts imp;
    const char *rows;    /* row filter (label or slug substring); NULL: all */
    int pool_all;        /* 1: pool every seed; 0: only seed pool_seed */
    uint64_t pool_seed;
    int fidelity;        /* epochs; 0: the highest present per row */
} jahs_analyze_opts;

void jahs_analyze_opts_default(jahs_analyze_opts *o);

/*
 * Analyse rundir and write the files above into outdir (created).  Rows
 * without journals, without the requested seed or fidelity, or with fewer
 * than 2 evaluations are listed in importance.md with the reason and have
 * no CSV lines; if no row can be analysed that is an error naming the run
 * directory.  *n_rows (may be NULL) receives the number of rows analysed,
 * *plots (may be NULL) whether gnuplot made the charts.
 */
int jahs_analyze_importance(const char *rundir, const jahs_analyze_opts *o,
                            const char *outdir, int *n_rows, int *plots,
                            jahs_error *err);

#endif
