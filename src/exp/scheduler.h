/*
 * scheduler.h - the loop that drives one run: an optimizer (ask / tell), an
 * executor that runs trials on W workers (exp/record.h's fold loop behind
 * it), and a clock with a budget.  One loop, three executors:
 *
 *   simulated  (jahs_sched_exec_local, measure 0) evaluates a trial at once
 *              in this process; it ends at start + the evaluator's costs.
 *              With a concurrent evaluator (eval.h: the command one) and
 *              W > 1 each trial runs on its worker's thread and the
 *              executor joins them all before it picks a completion: the
 *              same records, the work done at once.
 *   wall clock (jahs_sched_exec_local, measure 1) the same, with each fold's
 *              cost its measured wall time: trials run one after another
 *              here and are placed on the W-worker timeline as if they had
 *              run in parallel (with W = 1 the clock is the run's real
 *              elapsed time).
 *   MPI        (exp/mpi_live.h) W trainer ranks truly at once, on the real
 *              clock; a trial ends when its result comes back.
 * The first two have no clock of their own (now == NULL): the clock is the
 * loop's, and it jumps to the next completion.  An executor with a clock
 * (now != NULL) runs on it.
 *
 * Semantics (the driver and its journal rely on every one):
 *
 *  - Workers 0 .. W-1.  Whenever workers are idle and the clock is below the
 *    budget, the idle ones are filled in index order, one ask each:
 *      0          the trial starts now on that worker;
 *      JAHS_WAIT  this and the remaining idle workers stay idle until the next
 *                 result comes back (then asking resumes);
 *      JAHS_DONE  no more asks, ever; the run ends once all workers are idle.
 *    A WAIT with no trial running is an optimizer error (JAHS_ESTATE).
 *  - A trial is evaluated once per fold (folds 0 .. n_folds-1, one after the
 *    other on its worker, jahs_record_evaluate): its result is the mean
 *    validation and test accuracy over folds and the sum of the fold costs.
 *  - Completions: the next one is the earliest end (simulated: start + cost;
 *    ties in worker-index order; with a clock: whichever result comes back
 *    first, its end the clock then).  Each is told, then observed, and gets
 *    the next seq (0, 1, ...).  Without a clock of the executor's, every
 *    trial ending at the same time finishes before any worker is refilled;
 *    with one, workers are refilled after each completion.
 *  - Budget: no trial starts at or after the budget (the optimizer is not
 *    even asked).  A trial that would end after the budget is cut: it is
 *    neither told nor observed, the executor is told to cancel what runs,
 *    and the run ends at the budget with the clock set to it.  A trial
 *    ending exactly at the budget counts.  (Syne Tune's simulator likewise
 *    stops at max_wallclock_time and drops what is still running.)  The
 *    optimizer's final state is therefore the one a real run stopped at the
 *    budget would have.
 *  - Decision time: with charge_decision_time (default off) and an
 *    executor without a clock, the measured duration of every ask and tell
 *    (jahs_now, monotonic seconds) is added to the clock, as Syne Tune's
 *    simulator does; it makes outputs depend on the machine's speed, so runs
 *    are no longer byte-identical.  jahs_sched_run turns it on for the wall
 *    clock.  On an executor's clock decision time is real time anyway.
 *  - Replay (resuming a killed run): replay holds the records journaled
 *    before the kill, in seq order (a prefix of the completion order).  The
 *    loop runs as normal, but when the optimizer asks a trial whose id is in
 *    replay, that trial is not run: after checking that it is the same trial
 *    (config id, config, epochs, resume_from, worker) its record is used, no
 *    decision time is charged for it, and it is told but not observed again.
 *    Replayed trials complete first, in seq order (each must be the next
 *    seq), as they did before the kill; trials that were running at the kill
 *    are asked again and run for real.  While replay records remain unused,
 *    the budget test uses the replayed clock (the latest start or end among
 *    the records used).  On an executor's clock, the clock goes on from the
 *    latest end in replay (the time the killed run had spent).  So the
 *    optimizer goes through exactly the same states, and a simulated run
 *    continues as if it had never been interrupted.  Configs are compared to
 *    1e-9 relative (journals hold text); the recorded results are told as
 *    they are (journals keep them at round-trip precision).  A mismatch, a
 *    duplicate trial id, records out of seq order, or a replayed trial never
 *    asked again is JAHS_ESTATE.
 *
 * The observer is called once per finished trial in seq order (not for
 * replayed ones); a negative return (with err filled) aborts the run with it.
 */
#ifndef JAHS_EXP_SCHEDULER_H
#define JAHS_EXP_SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "eval/eval.h"
#include "exp/record.h"
#include "opt/opt.h"
#include "space/space.h"

typedef struct jahs_sched_config {
    int workers;              /* W >= 1 (default 1, as in the paper) */
    double budget;            /* seconds of clock, > 0 */
    int n_folds;              /* evaluations per trial, one per fold (2) */
    uint64_t seed;            /* passed to the evaluator */
    int wall_clock;           /* jahs_sched_run: 1 picks the wall-clock
                                 executor (0: simulated) */
    int charge_decision_time; /* add measured ask/tell time to the clock (0) */
} jahs_sched_config;

/* workers 1, budget 0 (the caller must set one), n_folds 2, seed 0, the
 * simulated clock, decision time not charged. */
void jahs_sched_config_defaults(jahs_sched_config *c);

/* Check cfg: 1..100000 workers, 1..JAHS_MAX_FOLDS folds, a finite budget
 * > 0.  0, or JAHS_EINVAL naming the bad field. */
int jahs_sched_config_check(const jahs_sched_config *cfg, jahs_error *err);

/* Called per finished trial; return 0, or a negative code with err filled to
 * abort the run. */
typedef int (*jahs_sched_observer)(void *ctx, const jahs_record *r,
                                   jahs_error *err);

/* What a run did (all zero-initialised by the loop). */
typedef struct jahs_sched_summary {
    double clock;            /* clock when the run ended */
    int64_t n_events;        /* finished trials, replayed ones included */
    int64_t n_replayed;      /* of which taken from replay */
    int64_t n_cut;           /* trials cut at the budget */
    int64_t n_asks;          /* asks answered with a trial */
    double decision_seconds; /* measured ask + tell time */
    int done;                /* 1: the optimizer answered DONE */
} jahs_sched_summary;

/*
 * An executor: runs trials on workers 0 .. W-1.  Every call may fail with a
 * negative code and err filled (naming the trial where there is one).
 */
typedef struct jahs_sched_exec {
    void *ctx;
    /* Seconds on the executor's monotonic clock, or NULL: no clock of its
     * own (the loop's clock jumps to each completion's end). */
    double (*now)(void *ctx);
    /* Start r->trial on idle worker r->worker (r->start, r->n_folds set):
     * all folds, one after the other, with the run's seed.  An executor
     * without a clock evaluates it here; one with a clock returns at once. */
    int (*start)(void *ctx, const jahs_record *r, uint64_t seed,
                 jahs_error *err);
    /* The next started trial to finish by deadline (on now()'s clock; the
     * loop's clock when now is NULL): 1 with *r its record (worker, trial,
     * folds, result; without a clock also its end), 0 when none finishes by
     * then (an executor with a clock waits until deadline), or < 0. */
    int (*next)(void *ctx, double deadline, jahs_record *r, jahs_error *err);
    /* Abandon every started trial; returns when the workers are idle. */
    int (*cancel)(void *ctx, jahs_error *err);
} jahs_sched_exec;

/*
 * The simulated (measure 0) or wall-clock (measure 1) executor over ev on
 * space sp with workers W (see the header comment): trials are evaluated in
 * start, ties at the same end finish in worker order.  ev and sp are not
 * owned.  NULL with err on failure; free with jahs_sched_exec_free.
 */
jahs_sched_exec *jahs_sched_exec_local(jahs_eval *ev, const jahs_space *sp,
                                       int workers, int measure,
                                       jahs_error *err);
/* Free an executor made by jahs_sched_exec_local.  NULL is a no-op. */
void jahs_sched_exec_free(jahs_sched_exec *ex);

/*
 * The loop: run opt on ex's workers under cfg until the budget or DONE (see
 * the header comment).  replay (n_replay records, may be NULL / 0) resumes a
 * run; cb (may be NULL) observes every new record with ctx; summary (may be
 * NULL) receives the totals.  Returns 0, or a negative code with err filled
 * (bad config, optimizer, executor or observer failure, replay mismatch); on
 * failure the trials still running are cancelled.
 */
int jahs_sched_run_exec(jahs_opt *opt, const jahs_sched_exec *ex,
                        const jahs_space *sp, const jahs_sched_config *cfg,
                        const jahs_record *replay, size_t n_replay,
                        jahs_sched_observer cb, void *ctx,
                        jahs_sched_summary *summary, jahs_error *err);

/* jahs_sched_run_exec on ev in this process: the simulated executor, or the
 * wall-clock one (decision time charged) when cfg->wall_clock. */
int jahs_sched_run(jahs_opt *opt, jahs_eval *ev, const jahs_space *sp,
                   const jahs_sched_config *cfg, const jahs_record *replay,
                   size_t n_replay, jahs_sched_observer cb, void *ctx,
                   jahs_sched_summary *summary, jahs_error *err);

#endif
