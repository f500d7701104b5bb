/*
 * gp_sampler.h - a model-based sampler of new configs from a run's history,
 * MOBSTER's searcher as Syne Tune defines it (GPMultiFidelitySearcher with
 * model "gp_multitask", gp_resource_kernel "exp-decay-sum",
 * resource_acq "bohb"), usable by any multi-fidelity optimizer: MOBSTER
 * (ASHA scheduling), the prior-fraction schedule then BO, and PriorBand + BO
 * (Hyperband scheduling).  It knows nothing of the scheduler: the caller
 * passes its history (configs, epochs, scores) and its pending trials.
 *
 * One proposal (jahs_gp_sampler_propose):
 *  1. Refit or not (Syne Tune's SkipPeriodicallyPredicate, evaluated on the
 *     number of observations before the cap): by default on every call that
 *     sees new data (refit_period 1, Syne Tune's opt_skip_period = 1).  The
 *     first fit runs Syne Tune's settings in full (fit: 2 starts, <= 50
 *     iterations).  Every later refit starts from the previous optimum
 *     (Syne Tune's opt_warmstart; below refit_init = 50 observations also
 *     from the defaults, a second start as in Syne Tune's opt_nstarts = 2)
 *     with an evaluation budget per start: fit_late.max_evals (8) at
 *     late_evals_n (100) points, scaled by (late_evals_n / n)^2 within
 *     [2, 50] (e.g. 50 at 25 points, 8 at 100, 2 from 200 on: the start and
 *     one step).  One new observation moves the optimum little, so the chain
 *     of warm refits tracks it; a warm start whose objective is not finite
 *     falls back to the defaults (jahs_gp_fit).  With refit_period p > 1,
 *     from refit_init on only every p-th call with new data refits, and in
 *     between only the posterior is updated.  A call on the same data as the
 *     previous one never refits.  The budget replaces Syne Tune's 2 x 50
 *     iterations per call to keep a decision within 1/100 of Syne Tune's
 *     time (issue 18, bench/README.md); 30 seeds of table1's MOBSTER rows
 *     show no change in results (bench/mobster_seeds.sh).
 *  2. The data cap (Syne Tune's SubsampleMultiFidelityStateConverter,
 *     models/subsample_state_multi_fidelity.py, cap_size_tuning_job_state,
 *     max_size_data_for_model = 500 by default; here max_points defaults to
 *     100000, no cap: a decision at 2000 points is within budget, see
 *     bench/README.md): with more than max_points
 *     observations, walk the epoch levels from the top; take all the data of
 *     the configs observed at that level (and not yet taken) while they fit;
 *     when they do not, drop their lowest levels first and fill the gap with
 *     a uniform subsample (without replacement) of the lowest level that
 *     still makes the rest fit.  Redrawn on every call (Syne Tune: "repeated
 *     every time the model is fit, which ensures that most recent data is
 *     taken into account").  The "keep the best 25 %" rule (top_fraction) is
 *     Syne Tune's single-fidelity converter, not MOBSTER's.
 *  3. Model data: encoded config, jahs_gp_resource_unit(epochs, max_epochs),
 *     target -score (the GP normalises it).  When the data only grew by
 *     appended observations since the last call (fewer than a third of it
 *     new), the factor is extended row by row (jahs_gp_add_point) instead
 *     of refactorised, also before a refit: the refit's first evaluation,
 *     at the previous optimum, reuses that factor.
 *  4. Pending trials: fantasised at their posterior mean ("kriging
 *     believer", Ginsbourger et al. 2010) and appended without refitting,
 *     then removed after the proposal.  Syne Tune instead averages EI over
 *     20 sampled fantasies (num_fantasy_samples); with one worker, the
 *     poster's setting, nothing is pending when a new config is asked for,
 *     so both rules give the same decisions there.
 *  5. Acquisition level (Syne Tune's ResourceForAcquisitionBOHB,
 *     resource_acq_bohb_threshold = 3): the largest epochs value with at
 *     least threshold observations in the whole history; the smallest
 *     observed one when none has.
 *  6. EI below the incumbent (Syne Tune's current_best: the lowest posterior
 *     mean of -score over the configs observed or pending at that level),
 *     maximised by jahs_acq_maximise over opts->candidates random configs
 *     plus local search, excluding the configs in the caller's exclusion set.
 *
 * Determinism: random draws (candidates, local moves, subsamples) come from
 * streams jahs_rng_create(seed, purpose + "/acq" or "/subsample", 0).
 */
#ifndef JAHS_OPT_GP_SAMPLER_H
#define JAHS_OPT_GP_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "opt/acq.h"
#include "opt/gp.h"
#include "opt/opt.h"
#include "space/space.h"

/* One finished evaluation of the caller's history. */
typedef struct jahs_gp_obs {
    const double *config; /* space->n values; not owned */
    int64_t config_id;    /* the same for every evaluation of one config */
    int epochs;           /* fidelity reached */
    double score;         /* higher is better (validation accuracy, %) */
} jahs_gp_obs;

typedef struct jahs_gp_sampler_opts {
    int max_points;   /* data cap (Syne Tune max_size_data_for_model: 500) */
    int candidates;   /* random configs scored by EI (Syne Tune: 250) */
    int threshold;    /* acquisition-level rule (Syne Tune: 3) */
    int refit_init;   /* refit on every call below this many observations,
                       * from 2 starts (fit) */
    int refit_period; /* then on every refit_period-th call with new data */
    jahs_gp_fit_opts fit;      /* the first fit, and refits below refit_init
                                * (2 starts; budgeted after the first) */
    jahs_gp_fit_opts fit_late; /* refits from refit_init on: warm start only,
                                * <= 8 objective evaluations */
    int late_evals_n; /* past this many points fit_late's evaluation budget
                       * shrinks as (late_evals_n / n)^2, to at least 2 */
    jahs_acq_opts acq; /* acq.candidates is set from candidates */
} jahs_gp_sampler_opts;

/*
 * Defaults from cfg (max_points, candidates) and the values documented in
 * REPRODUCE.md: threshold 3, refit_init 50, refit_period 1 (Syne Tune's
 * default: refit on every call), Syne Tune's fit settings for the first
 * fit, fit_late warm (1 start, <= 50 iterations, 8 evaluations at
 * late_evals_n = 100 points; step 1 above), acq defaults.
 */
void jahs_gp_sampler_opts_defaults(jahs_gp_sampler_opts *o,
                                   const jahs_opt_config *cfg);

typedef struct jahs_gp_sampler jahs_gp_sampler;

/*
 * A sampler over sp (not owned; must outlive it) for fidelities up to
 * max_epochs, random streams named purpose (e.g. "opt/mobster/gp") under
 * seed.  opts NULL: defaults from a default jahs_opt_config.  Free with
 * jahs_gp_sampler_free.
 */
jahs_gp_sampler *jahs_gp_sampler_create(const jahs_space *sp, int max_epochs,
                                        uint64_t seed, const char *purpose,
                                        const jahs_gp_sampler_opts *opts,
                                        jahs_error *err);
/* NULL is a no-op. */
void jahs_gp_sampler_free(jahs_gp_sampler *s);

/* What one proposal did (for journals, tests and benchmarks). */
typedef struct jahs_gp_sampler_info {
    int epochs_acq;  /* the acquisition level */
    double ei;       /* EI of the proposal (units of the score) */
    double best;     /* incumbent: lowest posterior mean of -score there */
    size_t n_data;   /* points the model used (after the cap, no fantasies) */
    size_t n_pending;/* fantasies appended */
    int refit;       /* hyperparameters refitted in this call */
    int fit_evals;   /* objective evaluations of that refit */
    int appended;    /* factor extended in place (no refactorisation) */
} jahs_gp_sampler_info;

/*
 * Propose a new config from the history obs[0..n_obs) (n_obs >= 1, in
 * arrival order) and the pending trials pending[0..n_pending) (score
 * ignored; may be NULL when n_pending is 0), never a member of exclude (may
 * be NULL; typically every config started so far).  Writes config_out
 * (space->n values) and *info (may be NULL).  Returns 0, JAHS_DONE when no
 * admissible config was found (a small space exhausted), or < 0.
 */
int jahs_gp_sampler_propose(jahs_gp_sampler *s, const jahs_gp_obs *obs,
                            size_t n_obs, const jahs_gp_obs *pending,
                            size_t n_pending, const jahs_config_set *exclude,
                            double *config_out, jahs_gp_sampler_info *info,
                            jahs_error *err);

/*
 * The data cap alone (step 2), for tests: writes the indices of the kept
 * observations (at most max_points, in the order chosen) into keep and
 * their number into *n_keep.  keep needs n_obs slots.  Draws from the
 * sampler's subsample stream.
 */
int jahs_gp_sampler_cap(jahs_gp_sampler *s, const jahs_gp_obs *obs,
                        size_t n_obs, size_t *keep, size_t *n_keep,
                        jahs_error *err);

/* The model (for benchmarks and diagnostics); owned by the sampler. */
jahs_gp *jahs_gp_sampler_model(jahs_gp_sampler *s);

#endif
