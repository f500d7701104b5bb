/*
 * sweep.h - `jahs sweep`: one experiment over a grid of overrides.
 *
 * Each axis is "key=v1,v2,..." (a list-valued key such as seeds gets one
 * element per point, so seeds=0,1,2 sweeps three single-seed points).  The
 * grid is every combination, the last axis fastest; point p is the
 * experiment file with p's values applied (jahs_experiment_set), run into
 * its own results directory OUT/<key-value_...> (exp/rundir.h, default OUT
 * results/<name>-sweep).  Every point's units go to one jahs_run_units call,
 * so --jobs or the MPI ranks balance the load over the whole grid.  Then the
 * tidy CSV (default OUT/sweep.csv), written in grid order so it does not
 * depend on which unit finished first: one line per (point, row, seed,
 * report time) with the axes' values, method, seed, hours, and that single
 * run's incumbent test and validation accuracy (empty before its first
 * result, and at a report time past the row's budget).  With gnuplot, OUT/sweep.svg/.png (and sweep.gp) plot it (sweep.c,
 * write_plot): a panel per report time, x the first swept key other than
 * seeds, a line per row and combination of the other keys, mean +- std over
 * seeds.
 */
#ifndef JAHS_EXP_SWEEP_H
#define JAHS_EXP_SWEEP_H

#include "core/error.h"
#include "exp/driver.h"

#define JAHS_SWEEP_MAX_AXES 32
#define JAHS_SWEEP_MAX_VALUES 64
#define JAHS_SWEEP_MAX_POINTS 100000

typedef struct jahs_sweep jahs_sweep;

/*
 * The grid of axes (n_axes of "key=v1,v2,..." texts) over experiment file
 * file, with every point loaded and its overrides applied; outdir and csv
 * may be NULL (the defaults above).  NULL with err filled: a malformed axis
 * or too many axes, values or points (JAHS_EUSAGE), the file or a point's
 * value invalid (the experiment's error).  Free with jahs_sweep_free.
 */
jahs_sweep *jahs_sweep_create(const char *file, const char *const *axes,
                              int n_axes, const char *outdir, const char *csv,
                              jahs_error *err);
/* The number of grid points, and the CSV's path. */
long jahs_sweep_points(const jahs_sweep *s);
const char *jahs_sweep_csv(const jahs_sweep *s);

/*
 * Run every point's selected units (o->rows, o->jobs, o->quiet; o->outdir
 * and o->report are not used) holding OUT's lock, then write the CSV.  Under
 * MPI it is collective; rank 0 alone locks and writes files other than the
 * units' journals.  0, or the first failure.
 */
int jahs_sweep_run(jahs_sweep *s, const jahs_run_options *o, jahs_error *err);

/* NULL is a no-op. */
void jahs_sweep_free(jahs_sweep *s);

#endif
