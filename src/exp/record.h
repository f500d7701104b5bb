/*
 * record.h - the trial record: one finished (or running) trial as it flows
 * from the scheduler to the journal and back.
 *
 * One struct, no copies field by field: the scheduler fills it (trial,
 * worker, start; the executor's fold loop the folds and their mean; the
 * scheduler the end and seq), the journal writes it and reads it back as is
 * (exp/journal.h; the incumbent columns are set where it is written), a
 * resumed run replays the records read back, and MPI carries it between
 * rank 0 and the trainer ranks (exp/mpi_live.c; as bytes: the same build on
 * every rank).
 *
 * The fold loop (jahs_record_evaluate) is the one place a trial is evaluated
 * fold by fold, in this process (exp/scheduler.h's executors) and on MPI
 * trainer ranks.
 */
#ifndef JAHS_EXP_RECORD_H
#define JAHS_EXP_RECORD_H

#include <stdint.h>

#include "core/error.h"
#include "eval/eval.h"
#include "opt/opt.h"
#include "space/space.h"

#define JAHS_MAX_FOLDS 8 /* cross-validation folds per trial, at most */

/* One fold's evaluation. */
typedef struct jahs_fold {
    double val, test; /* accuracy, percent */
    double cost;      /* seconds (simulated or measured) */
} jahs_fold;

/*
 * The incumbent (DESIGN.md): the best mean validation accuracy among the
 * evaluations at the highest fidelity reached so far; its test accuracy is
 * what the tables report.  Ties keep the earlier trial.
 */
typedef struct jahs_incumbent {
    int64_t trial; /* -1: none yet */
    int epochs;
    double val, test; /* NAN while trial is -1 */
} jahs_incumbent;

/* Status of a record. */
enum {
    JAHS_RECORD_DONE = 0,     /* every fold evaluated */
    JAHS_RECORD_CANCELLED = 1 /* stopped between folds (never journaled) */
    /* < 0: the evaluation failed with that code */
};

typedef struct jahs_record {
    int64_t seq;     /* completion order 0, 1, ... */
    int worker;      /* 0 .. W-1 */
    double start, end; /* clock seconds */
    jahs_trial trial;
    int n_folds;     /* 1 .. JAHS_MAX_FOLDS */
    jahs_fold fold[JAHS_MAX_FOLDS];
    jahs_result result;  /* val, test: mean over folds; cost: their sum */
    jahs_incumbent inc;  /* the run's incumbent after this record: set by
                            the journal that writes it (exp/journal.h) */
    int status;          /* JAHS_RECORD_DONE, _CANCELLED or a code < 0 */
} jahs_record;

void jahs_incumbent_init(jahs_incumbent *inc);
/* Fold one finished evaluation in; returns 1 when the incumbent changed. */
int jahs_incumbent_update(jahs_incumbent *inc, int64_t trial, int epochs,
                          double val, double test);

/* 1 when the poll wants the fold loop to stop before the next fold. */
typedef int (*jahs_record_poll)(void *ctx);

/*
 * The fold loop: evaluate r->trial with ev on space sp, folds 0 ..
 * r->n_folds-1 one after the other, with the run's seed.  Fills r->fold and
 * r->result (val and test: the mean over folds, summed in fold order; cost:
 * the sum) and sets r->status to JAHS_RECORD_DONE.  measure = 1: each
 * fold's cost is the wall time it took (jahs_now), not the evaluator's.
 * poll (may be NULL) is asked before every fold after the first; when it
 * answers 1 the loop stops with status JAHS_RECORD_CANCELLED (returns 0).
 * Returns 0, or a negative code with err filled ("trial T fold F: ...") and
 * r->status set to it: the evaluator failed, or reported a cost that is not
 * a finite number >= 0 (JAHS_ERANGE).
 */
int jahs_record_evaluate(jahs_record *r, jahs_eval *ev, const jahs_space *sp,
                         uint64_t seed, int measure, jahs_record_poll poll,
                         void *poll_ctx, jahs_error *err);

#endif
