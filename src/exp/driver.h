/*
 * driver.h - run an experiment: every (row, seed) unit on the scheduler,
 * journaled, resumable, in parallel processes, then the report.
 *
 * Units are independent: each builds its own space, prior, optimizer and
 * evaluator from the row and the seed, so the output is byte-identical
 * whatever the number of parallel jobs.  A unit whose journal is complete
 * (a seed<k>.done file beside it) is skipped; a partial one (a killed run) is
 * resumed by replaying its journal into the scheduler, which re-asks the
 * optimizer the same trials and takes the recorded results instead of
 * evaluating again, so the finished journal equals an uninterrupted one.
 */
#ifndef JAHS_EXP_DRIVER_H
#define JAHS_EXP_DRIVER_H

#include "core/error.h"
#include "exp/experiment.h"

typedef struct jahs_run_options {
    const char *outdir;  /* results directory (default results/<name>) */
    int jobs;            /* parallel units; 0: all cores */
    int live;            /* run rows with evaluator = live (else skipped) */
    const char *rows;    /* only rows whose label contains this (NULL: all) */
    int report;          /* write the report at the end (default 1) */
    int quiet;           /* no progress bar or per-unit lines */
} jahs_run_options;

void jahs_run_options_defaults(jahs_run_options *o);

/* Run one unit (row index, seed index) into outdir; used by the driver and
 * by the MPI driver.  Idempotent: a finished unit is skipped. */
int jahs_run_unit(const jahs_experiment *e, int row, int seed_index,
                  const char *outdir, jahs_error *err);

/* Whether the row runs in this invocation (live rows need o->live). */
int jahs_run_row_selected(const jahs_experiment *e, int row,
                          const jahs_run_options *o);

/*
 * Run every selected unit (o->jobs at a time, each in its own process),
 * then write the report into o->outdir.  A copy of the experiment file goes
 * to <outdir>/experiment.exp so `jahs report DIR` can redo the report.
 */
int jahs_run_experiment(const jahs_experiment *e, const jahs_run_options *o,
                        jahs_error *err);

#endif
