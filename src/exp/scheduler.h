/*
 * scheduler.h - the discrete-event loop that drives one run: an optimizer
 * (ask / tell), an evaluator, W workers and a clock with a budget.
 *
 * Semantics (the experiment driver and its journal rely on every one):
 *
 *  - Workers 0 .. W-1.  Whenever workers are idle and the clock is below the
 *    budget, the idle ones are filled in index order, one ask each:
 *      0          the trial starts now on that worker;
 *      JAHS_WAIT  this and the remaining idle workers stay idle until the next
 *                 result comes back (then asking resumes);
 *      JAHS_DONE  no more asks, ever; the run ends once all workers are idle.
 *    A WAIT with no trial running is an optimizer error (JAHS_ESTATE).
 *  - A trial is evaluated once per fold (folds 0 .. n_folds-1, one after the
 *    other on its worker): its result is the mean validation and test
 *    accuracy over folds and the sum of the fold costs; it ends at start +
 *    that sum.
 *  - Simulated clock (wall_clock = 0): the clock jumps to the earliest end
 *    among running trials.  Trials ending at the same time all finish then,
 *    in worker-index order (each told, then observed), before any worker is
 *    refilled.  Completion order gives the event's seq (0, 1, ...).
 *  - Budget: no trial starts at or after the budget (the optimizer is not
 *    even asked).  A trial that would end after the budget is cut: it is
 *    neither told nor observed, and the run ends at the budget with the
 *    clock set to it.  A trial ending exactly at the budget counts.  (Syne
 *    Tune's simulator likewise stops at max_wallclock_time and drops what is
 *    still running.)  The optimizer's final state is therefore the one a
 *    real run stopped at the budget would have.
 *  - charge_decision_time (default off): the measured duration of every ask
 *    and tell (jahs_now, monotonic seconds) is added to the clock, as Syne
 *    Tune's simulator does.  It makes the outputs depend on the machine's
 *    speed, so runs are no longer byte-identical; hence off by default.
 *  - Wall clock (wall_clock = 1, for live training): a trial's duration is the
 *    measured wall time of its fold evaluations (the evaluator's own costs
 *    are replaced by the measurements), and decision time is always charged.
 *    Trials run one after another in this thread; with W > 1 they are placed
 *    on the W-worker timeline as if they had run in parallel (the clock is a
 *    virtual clock built from measured durations).  With W = 1 the clock is
 *    the real elapsed time of the run.
 *  - Replay (resuming a killed run): replay holds the events journaled before
 *    the kill, in seq order.  The loop runs as normal, but when the optimizer
 *    asks a trial whose id is in replay, that trial is not evaluated: after
 *    checking that it is the same trial (config id, config, epochs,
 *    resume_from, worker) its recorded fold results and start / end times are
 *    used, no decision time is charged for it, and when it completes it is
 *    told but not observed again (its seq must match the record).  So the
 *    optimizer goes through exactly the same states, and the run continues
 *    as if it had never been interrupted.  Configs are compared to 1e-9
 *    relative (journals hold text); the recorded results are told as they
 *    are, so a journal must keep them at round-trip precision (%.17g) for the
 *    continuation to be exact.  A mismatch, a duplicate trial id, events out
 *    of seq order, or a replayed trial never asked again is JAHS_ESTATE.
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
#include "opt/opt.h"
#include "space/space.h"

#define JAHS_MAX_FOLDS 8

typedef struct jahs_sched_config {
    int workers;              /* W >= 1 (default 1, as in the paper) */
    double budget;            /* seconds of clock, > 0 */
    int n_folds;              /* evaluations per trial, one per fold (2) */
    uint64_t seed;            /* passed to the evaluator */
    int wall_clock;           /* 0: simulated from reported costs; 1: real */
    int charge_decision_time; /* add measured ask/tell time to the clock (0) */
} jahs_sched_config;

/* workers 1, budget 0 (the caller must set one), n_folds 2, seed 0, the
 * simulated clock, decision time not charged. */
void jahs_sched_config_defaults(jahs_sched_config *c);

typedef struct jahs_sched_event { /* one finished trial */
    int64_t seq;                  /* completion order 0, 1, ... */
    double start, end;            /* clock seconds */
    int worker;
    jahs_trial trial;
    jahs_result result; /* val/test mean over folds, cost = sum over folds */
    double fold_val[JAHS_MAX_FOLDS], fold_test[JAHS_MAX_FOLDS],
        fold_cost[JAHS_MAX_FOLDS];
} jahs_sched_event;

/* Called per finished trial; return 0, or a negative code with err filled to
 * abort the run. */
typedef int (*jahs_sched_observer)(void *ctx, const jahs_sched_event *e,
                                   jahs_error *err);

/* What a run did (all zero-initialised by jahs_sched_run). */
typedef struct jahs_sched_summary {
    double clock;            /* clock when the run ended */
    int64_t n_events;        /* finished trials, replayed ones included */
    int64_t n_replayed;      /* of which taken from replay */
    int64_t n_cut;           /* trials cut at the budget */
    int64_t n_asks;          /* asks answered with a trial */
    double decision_seconds; /* measured ask + tell time */
    int done;                /* 1: the optimizer answered DONE */
} jahs_sched_summary;

/* Check cfg: 1..100000 workers, 1..JAHS_MAX_FOLDS folds, a finite budget
 * > 0.  0, or JAHS_EINVAL naming the bad field (both schedulers use it). */
int jahs_sched_config_check(const jahs_sched_config *cfg, jahs_error *err);

/* After a run: every replayed event (used[i] set when its trial was asked
 * again) must have been asked again, else JAHS_ESTATE ("not the same run").
 * Both schedulers use it. */
int jahs_sched_replay_check_used(const jahs_sched_event *replay,
                                 const char *used, size_t n, jahs_error *err);

/*
 * Run opt with ev on space sp under cfg until the budget or DONE (see the
 * header comment).  replay (n_replay events, may be NULL / 0) resumes a run;
 * cb (may be NULL) observes every new event with ctx; summary (may be NULL)
 * receives the totals.  Returns 0, or a negative code with err filled (bad
 * config, optimizer, evaluator or observer failure, replay mismatch).
 */
int jahs_sched_run(jahs_opt *opt, jahs_eval *ev, const jahs_space *sp,
                   const jahs_sched_config *cfg, const jahs_sched_event *replay,
                   size_t n_replay, jahs_sched_observer cb, void *ctx,
                   jahs_sched_summary *summary, jahs_error *err);

/*
 * The replay check of the header comment, for other loops over the same
 * journal (exp/sched_async.h): 0 when trial t, asked for worker w, is the
 * journaled rep (config id, config to 1e-9 relative, epochs, resume_from,
 * worker); otherwise JAHS_ESTATE with a message naming both.
 */
int jahs_sched_replay_check(const jahs_space *sp, const jahs_sched_event *rep,
                            const jahs_trial *t, int w, jahs_error *err);

#endif
