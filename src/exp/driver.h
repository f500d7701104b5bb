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
#include "eval/eval.h"
#include "exp/experiment.h"
#include "exp/scheduler.h"
#include "space/space.h"

typedef struct jahs_run_options {
    const char *outdir;  /* results directory (default results/<name>) */
    int jobs;            /* parallel units; 0: all cores */
    int live;            /* run rows with evaluator = live (else skipped) */
    const char *rows;    /* only rows whose label contains this (NULL: all) */
    int report;          /* write the report at the end (default 1) */
    int quiet;           /* no progress bar or per-unit lines */
    int fresh;           /* discard earlier results of the selected units */
} jahs_run_options;

void jahs_run_options_defaults(jahs_run_options *o);

/* Run one unit (row index, seed index) into outdir; used by the driver and
 * by the MPI driver.  Idempotent: a finished unit is skipped.  Rows on the
 * wall clock with workers > 1 run on W worker ranks under MPI
 * (jahs_run_units); here, in one process, their trials run one after the
 * other on a virtual W-worker timeline (scheduler.h's wall-clock
 * executor).  Its files: exp/rundir.h. */
int jahs_run_unit(const jahs_experiment *e, int row, int seed_index,
                  const char *outdir, jahs_error *err);

/* jahs_run_unit with the trials handed to exec (exp/scheduler.h; truly
 * parallel workers on the executor's clock) instead of an evaluator in this
 * process; the MPI driver's rank 0 runs such units with exp/mpi_live.h's
 * executor.  exec NULL: JAHS_EINVAL. */
int jahs_run_unit_exec(const jahs_experiment *e, int row, int seed_index,
                       const char *outdir, const jahs_sched_exec *exec,
                       jahs_error *err);

/*
 * The prior a unit of row r (of e) searches with, for space sp: the row's
 * cover and confidence, the architecture part from arch_weights or the
 * table's ranked cells, in arch_prior_form (NEPS's default + confidence by
 * default), then prior_default's centres.  *out: free with jahs_prior_free.
 */
int jahs_run_unit_prior(const jahs_experiment *e, const jahs_exp_row *r,
                        const jahs_space *sp, jahs_prior **out,
                        jahs_error *err);

/* Whether the row runs in this invocation (live rows need o->live). */
int jahs_run_row_selected(const jahs_experiment *e, int row,
                          const jahs_run_options *o);

/* One unit of work: row and seed index of e, journaled under outdir. */
typedef struct jahs_unit {
    const jahs_experiment *e;
    const char *outdir;
    int row, seed;
} jahs_unit;

/* Append every selected unit of e (rows jahs_run_row_selected by o, each
 * seed) under outdir to the malloc'd array *units (*n of them; free it). */
int jahs_run_units_add(const jahs_experiment *e, const char *outdir,
                       const jahs_run_options *o, jahs_unit **units, int *n,
                       jahs_error *err);

/*
 * Run units (any experiments, any outdirs, in this order of hand-out).
 * Under MPI with several ranks (exp/mpi.h) this is collective: every rank
 * passes the same list, and the units are spread over the ranks by
 * jahs_mpi_farm (o->jobs is not used); only rank 0 reports a failure.
 * Otherwise o->jobs units run at a time, each in its own process (0: one
 * per core; 1: in this process).  After a failure no new unit starts; the
 * error asks to run the same command again, which resumes.  A progress bar on
 * stderr unless o->quiet.
 */
int jahs_run_units(const jahs_unit *units, int n, const jahs_run_options *o,
                   jahs_error *err);

/*
 * Run every selected unit (jahs_run_units), then write the report into
 * o->outdir (default results/<name>), holding its lock (exp/rundir.h).  The
 * experiment file and its overrides go beside the results
 * (jahs_rundir_prepare) so `jahs report DIR` can redo the report.  Under MPI
 * it is collective; rank 0 alone locks and writes files other than the
 * units' journals.
 */
int jahs_run_experiment(const jahs_experiment *e, const jahs_run_options *o,
                        jahs_error *err);

#endif
