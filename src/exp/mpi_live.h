/*
 * mpi_live.h - live mode across MPI ranks: rank 0 runs the optimizer and the
 * scheduler (exp/scheduler.h) on an executor with a clock; the trials of
 * worker w train on rank w + 1 and their results come back as they finish,
 * so no optimizer ever waits for the slowest worker.  The optimizer and evaluator code is
 * unchanged: rank 0 sees an executor, each trainer rank an ordinary
 * evaluator (the live trainer, or any other).
 *
 * Messages (a communicator of their own): rank 0 sends the trial's record
 * (exp/record.h: trial, worker, folds) with the unit's index and the seed to
 * the worker's rank, which opens the unit's evaluator when the unit changes,
 * runs the fold loop (jahs_record_evaluate, measured: the wall seconds each
 * fold took are the fold costs), and sends the record back with its folds,
 * result and status (an error with its message).  At the
 * budget rank 0 sends a cancel to each busy rank; a trainer checks for it
 * between folds (a fold in progress finishes first) and answers at once.
 *
 * Checkpoints: a promoted trial may resume on another rank than the one that
 * trained its lower rung.  Every rank opens the evaluator with the same
 * <outdir>/checkpoints directory, so outdir must be on a filesystem that all
 * ranks share (NFS, Lustre, GPFS; any directory on one machine), as it must
 * for the journals anyway.
 *
 * One GPU per rank: exp/mpi.h sets CUDA_VISIBLE_DEVICES per rank before the
 * trainer opens CUDA; rank 0 trains nothing.
 *
 * Testing: JAHS_TEST_KILL_AFTER=N in a trainer rank's environment makes it
 * SIGKILL itself when its (N+1)-th trial arrives (a trial in flight is lost),
 * as rank 0 kills itself after N journal rows (exp/driver.c).
 */
#ifndef JAHS_EXP_MPI_LIVE_H
#define JAHS_EXP_MPI_LIVE_H

#include "core/error.h"
#include "eval/eval.h"
#include "exp/scheduler.h"
#include "space/space.h"

/* Rank 0: run unit u with trials on the executor ex. */
typedef int (*jahs_mpi_live_run)(void *ctx, int u, const jahs_sched_exec *ex,
                                 jahs_error *err);
/* Trainer ranks: open unit u's space and evaluator (both freed by the
 * caller with jahs_eval_close and jahs_space_free). */
typedef int (*jahs_mpi_live_open)(void *ctx, int u, jahs_space **sp,
                                  jahs_eval **ev, jahs_error *err);

/*
 * Collective over all ranks (MPI running with size >= 2).  Rank 0 calls
 * run(ctx, u, ex, err) for u = 0 .. n-1 in order, ex sending worker w's
 * trials to rank w + 1 (a unit may use at most size - 1 workers; starting a
 * trial on a worker without a rank is JAHS_EINVAL), and stops at the first
 * failure; then it releases the other ranks, which until then train what
 * they are sent, opening evaluators with open.  done (may be NULL) is called
 * on rank 0 after each unit with the number finished.  Returns on rank 0
 * the first failure (a trainer's failure fails the unit it trained for,
 * with "rank R: " before its message); 0 on the other ranks.  Without MPI,
 * or with one rank: JAHS_EUNSUPPORTED.
 */
int jahs_mpi_live(int n, jahs_mpi_live_run run, jahs_mpi_live_open open,
                  void *ctx, void (*done)(void *ctx, int finished),
                  jahs_error *err);

#endif
