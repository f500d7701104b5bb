/*
 * sched_async.h - the scheduler's asynchronous mode: W trials truly run at
 * once on an executor (W worker ranks under MPI, exp/mpi_live.h), on the
 * executor's real clock, while this loop runs the optimizer.
 *
 * The discrete-event loop of scheduler.h evaluates each trial before it goes
 * on (its wall-clock mode then places the measured durations on a virtual
 * W-worker timeline).  Here a trial is handed to the executor and the loop
 * goes on filling idle workers; the next event is whichever running trial
 * the executor reports finished first.  So ASHA and the others never wait for
 * the slowest worker, exactly as in an asynchronous run of Syne Tune or
 * NEPS.  The optimizer code is the same; it only sees ask and tell.
 *
 * Semantics (as scheduler.h unless said):
 *
 *  - Workers 0 .. W-1 are filled in index order whenever idle and the clock
 *    is below the budget; 0, JAHS_WAIT and JAHS_DONE from ask as there.
 *  - One completion at a time: after each, the trial is told and observed
 *    and the idle workers are refilled before the next completion.
 *  - Clock: base + (now - now at the start), `now` the executor's clock in
 *    seconds; base is 0 for a fresh run and the latest end among the replayed
 *    events when resuming (the time the killed run had spent).  A trial
 *    starts at the clock when it is handed out and ends at the clock when
 *    its result comes back.  Its fold costs are the executor's (the worker's
 *    measured seconds per fold); result.cost is their sum.  Decision time is
 *    real time and so always on the clock.
 *  - Budget: no trial is handed out at or after the budget.  When the budget
 *    passes with trials running, they are cut (neither told nor observed),
 *    the executor is told to cancel them, and the run ends with the clock at
 *    the budget.  A result that comes back after the budget is cut too.
 *  - Replay (resuming a killed run): the loop is the same as the one that
 *    wrote the journal, so re-asking the optimizer hands out the same trials
 *    to the same workers.  A trial in the replay is not run: its record is
 *    used (checked with jahs_sched_replay_check), and the running replayed
 *    trial with the lowest seq completes next (it must be the next seq), told
 *    but not observed.  Replayed trials complete before any trial run for
 *    real, as they did before the kill.  Trials that were running at the kill
 *    are asked again and run for real.  While replay records remain unused,
 *    the budget test uses the replayed clock.
 *
 * The executor is a small vtable; every call may fail with err filled.
 */
#ifndef JAHS_EXP_SCHED_ASYNC_H
#define JAHS_EXP_SCHED_ASYNC_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "exp/scheduler.h"
#include "opt/opt.h"
#include "space/space.h"

/* A finished trial as the executor reports it. */
typedef struct jahs_sched_done {
    int worker; /* the worker it was started on */
    double fold_val[JAHS_MAX_FOLDS], fold_test[JAHS_MAX_FOLDS],
        fold_cost[JAHS_MAX_FOLDS]; /* percent, percent, seconds */
} jahs_sched_done;

typedef struct jahs_sched_exec {
    void *ctx;
    /* Seconds on a monotonic clock. */
    double (*now)(void *ctx);
    /* Start trial t on idle worker w: all n_folds folds (0 .. n_folds-1, one
     * after the other) with the run's seed.  Returns at once. */
    int (*start)(void *ctx, int w, const jahs_trial *t, int n_folds,
                 uint64_t seed, jahs_error *err);
    /* Wait for a started trial to finish, until now() reaches deadline:
     * 1 with *done filled (its worker is idle again), 0 when the deadline
     * came first, or a negative code. */
    int (*wait)(void *ctx, double deadline, jahs_sched_done *done,
                jahs_error *err);
    /* Abandon every started trial; returns when the workers are idle. */
    int (*cancel)(void *ctx, jahs_error *err);
} jahs_sched_exec;

/*
 * Run opt on the executor's workers under cfg (cfg->workers of them; the
 * wall_clock and charge_decision_time fields are not used: the clock is
 * real) until the budget or DONE, as the header comment says.  replay,
 * cb, ctx and summary as in jahs_sched_run.  Returns 0, or a negative code
 * with err filled (bad config, optimizer, executor or observer failure,
 * replay mismatch); on failure the trials still running are cancelled.
 */
int jahs_sched_run_async(jahs_opt *opt, const jahs_sched_exec *ex,
                         const jahs_space *sp, const jahs_sched_config *cfg,
                         const jahs_sched_event *replay, size_t n_replay,
                         jahs_sched_observer cb, void *ctx,
                         jahs_sched_summary *summary, jahs_error *err);

#endif
