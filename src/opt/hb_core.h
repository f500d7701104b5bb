/*
 * hb_core.h - the bookkeeping of Hyperband (Li et al. 2018, "Hyperband: a
 * novel bandit-based approach to hyperparameter optimization", JMLR 18),
 * shared by Hyperband, Hyperband with priors and PriorBand.  Where new configs
 * come from is the caller's business (its "sampler"), as in asha_core.h.
 *
 * Brackets: over a rung table of K rungs (rungs.h), S = K - 1; bracket
 * s = 0..S starts at rung s (bracket 0 is the most exploratory).  Sizes,
 * by cfg->brackets (AUTO: NEPS on NEPS rungs, Syne Tune on Syne Tune rungs):
 *   NEPS (v0.11.1 multi_fidelity/successive_halving.py:193-211
 *     _get_config_map; HpBandSter v1.0 optimizers/hyperband.py:92-93 has the
 *     same): n_s = floor((S + 1) / (S - s + 1)) * eta^(S - s) new configs,
 *     and rung s + i keeps floor(n / eta^i) of them (successive floor
 *     divisions, as NEPS's `_n_config //= eta`).  (1, 20, 3), rungs 2, 6,
 *     20: s=0: 9, 3, 1; s=1: 3, 1; s=2: 3.  NEPS's comment calls this "L2
 *     from Alg 1" of Li et al., but Li et al.'s Algorithm 1 takes a
 *     ceiling, not a floor:
 *   LI (Li et al. 2018, JMLR 18, Algorithm 1): n = ceil((S + 1) /
 *     (S - s + 1) * eta^(S - s)), rung s + i keeps floor(n / eta^i): (1,
 *     20, 3), rungs 2, 6, 20: 9, 3, 1; 5, 1; 3 (their Table 1, R = 81, eta
 *     3: 81, 34, 15, 8, 5 where NEPS has 81, 27, 9, 6, 5).
 *   SYNETUNE (v0.13.0 synchronous/hyperband_rung_system.py:92-105
 *     SynchronousHyperbandRungSystem.geometric): each rung's size rounded
 *     up on its own: rung k < S of bracket s keeps ceil(pre * eta^(S - k)),
 *     the top rung ceil(pre), pre = (S + 1) / (S - s + 1).  (1, 20, 3),
 *     Syne Tune rungs 1, 3, 9, 20: 27, 9, 3, 1; 12, 4, 2; 6, 2; 4 (NEPS's
 *     sizes on these rungs: 27, 9, 3, 1; 9, 3, 1; 6, 2; 4).
 *   In Li et al.'s notation bracket s here is their s' = S - s.
 *
 * Synchronous mode (NEPS v0.11 Hyperband, hyperband.py:144-214
 * `clear_old_brackets`; Syne Tune v0.13.0 SynchronousHyperbandBracketManager,
 * synchronous/hyperband_bracket_manager.py:98-139, cycles the same way):
 * brackets are opened in the order s = 0, 1, ..., S, 0, 1, ... and each takes
 * the next n_s new configs.  A rung of a bracket promotes only once all of its
 * n_r results are in; then its best n_{r+1} (ties: earlier result) are
 * promoted, one per ask, best first.  Each ask takes, from the oldest open
 * bracket that has one, a promotion from its highest promotable rung;
 * otherwise a new config for the newest bracket, opening the next bracket of
 * the cycle when the newest is full.  So, like NEPS and HpBandSter, a free
 * worker never idles while a bracket waits: it starts the next bracket.  With
 * one worker this is Li et al.'s Hyperband loop over the bracket sizes
 * above (with LI sizes, their Algorithm 1 exactly).  NEPS v0.11 with several
 * workers counts pending evaluations towards a full rung and can promote
 * before they finish; we wait for every result (the brief and Li et al.).
 * The promotion rule (cfg->promotion) does not apply: every rule reduces to
 * "the top n_{r+1} of n_r" once a rung is full (Syne Tune's get_top_list,
 * synchronous/hyperband_bracket.py:224-255, does the same).
 *
 * Asynchronous mode (cfg->async; NEPS v0.11 AsynchronousHyperband, "the
 * promotion variant of ASHA as used in MOBSTER", hyperband.py:319-416):
 * each ask draws a bracket s (jahs_hb_bracket_probs: NEPS's
 * `_get_bracket_to_run`, from Appendix A of Klein et al. 2020 with K = S,
 * p_s proportional to eta^(S-s) (S+1) / (S-s+1); Syne Tune brackets: its
 * DefaultHyperbandBracketDistribution, p_s proportional to (S+1) /
 * ((S+1-s) r_s), r_s the epochs of rung s), then looks for a promotion over
 * all configs ever recorded at a rung (one shared record per rung, as NEPS
 * shares `rung_members` between its brackets and Syne Tune keeps one rung
 * system, hyperband.py:105 rung_system_per_bracket = False) under
 * cfg->promotion (rungs.h), at rungs S-1 down to s (NEPS: the drawn
 * bracket's rungs) or, with Syne Tune brackets, at every rung (Syne Tune's
 * on_task_schedule scans its whole rung system); if none, a new config
 * starts at rung s.  The draw is made on every ask, also when a promotion
 * follows (as NEPS and Syne Tune do), from the stream (cfg->seed,
 * "<purpose>/bracket", 0).  cfg->type = JAHS_TYPE_STOPPING (asynchronous
 * only; synchronous Hyperband with it is JAHS_EINVAL) is Syne Tune's
 * stopping variant as in asha_core.h: a result at rung k < S continues at
 * the next ask (before any draw) iff jahs_rungs_continues over every result
 * at rung k, else the config stops.
 *
 * Limits: cfg->max_trials > 0 stops new configs once that many exist, but a
 * bracket already opened is always filled (synchronous mode), so a run ends
 * on whole brackets.  Then ask answers JAHS_WAIT while results are pending and
 * JAHS_DONE when none are.
 *
 * Also kept for PriorBand: every result per rung in arrival order (NEPS's
 * `rung_histories`), each config's latest trial (its rung, whether it is
 * still pending, its score) and the work finished so far in NEPS's
 * `calc_total_resources_spent` sense.
 */
#ifndef JAHS_OPT_HB_CORE_H
#define JAHS_OPT_HB_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "opt/opt.h"
#include "opt/rungs.h"

typedef struct jahs_hb jahs_hb;

/*
 * Sizes of bracket s (0 <= s < r->n) over rung table r: n[k] configs at rung k
 * for k = s .. r->n - 1, 0 below s.  n has JAHS_MAX_RUNGS entries.  Returns 0,
 * or JAHS_EINVAL for a bad s or eta.  jahs_hb_bracket_sizes is NEPS's;
 * _style takes NEPS, SYNETUNE or LI (AUTO is read as NEPS: resolve it with
 * jahs_bracket_style_resolve first).
 */
int jahs_hb_bracket_sizes(const jahs_rungs *r, double eta, int s, int *n);
int jahs_hb_bracket_sizes_style(const jahs_rungs *r, double eta,
                                jahs_bracket_style style, int s, int *n);

/*
 * The asynchronous bracket draw: p[s] for s = 0 .. r->n - 1 (sum 1), Syne
 * Tune's distribution for SYNETUNE, NEPS's otherwise (Li et al. define no
 * draw).  Returns 0, or JAHS_EINVAL for a bad eta.
 */
int jahs_hb_bracket_probs(const jahs_rungs *r, double eta,
                          jahs_bracket_style style, double *p);

/*
 * Rungs from cfg (min/max epochs, eta, rungs style), mode from cfg->async,
 * limit from cfg->max_trials; purpose names the bracket-draw stream (e.g.
 * "opt/hyperband").  NULL and err on failure.  Free with jahs_hb_free.
 */
jahs_hb *jahs_hb_create(const jahs_opt_config *cfg, const char *purpose,
                        jahs_error *err);
/* NULL is a no-op. */
void jahs_hb_free(jahs_hb *h);

/*
 * Decide the next step.  Returns 0 and either *rung = -1 with a promotion
 * filled into *t (resume_from = the epochs it has), or *rung >= 0 when a new
 * config is wanted at that rung (call jahs_hb_start_new, or
 * jahs_hb_start_at_top, next); JAHS_WAIT when nothing can start until a
 * pending result comes back; JAHS_DONE when nothing more will ever start.
 */
int jahs_hb_next(jahs_hb *h, jahs_trial *t, int *rung);

/* Register a new config (space->n values, copied) for the bracket chosen by
 * the last jahs_hb_next that returned 0; fills *t (from scratch). */
int jahs_hb_start_new(jahs_hb *h, const double *x, jahs_origin origin,
                      jahs_trial *t, jahs_error *err);
/*
 * Register a config outside every bracket, trained straight to the top rung
 * (NEPS's sample_default_at_target: the prior's default first).  Only before
 * any other config; fills *t (bracket -1).
 */
int jahs_hb_start_at_top(jahs_hb *h, const double *x, jahs_origin origin,
                         jahs_trial *t, jahs_error *err);

/* Record a finished trial's score (higher is better).  A trial this core did
 * not issue, or one reported twice, is JAHS_EINVAL. */
int jahs_hb_report(jahs_hb *h, const jahs_trial *t, double score,
                   jahs_error *err);

const jahs_rungs *jahs_hb_rungs(const jahs_hb *h);
/* The bracket style in use (cfg->brackets resolved against cfg->rungs). */
jahs_bracket_style jahs_hb_bracket_style(const jahs_hb *h);
/* Number of results at rung k, and the i-th (i < that number) in arrival
 * order. */
size_t jahs_hb_rung_count(const jahs_hb *h, int k);
void jahs_hb_rung_result(const jahs_hb *h, int k, size_t i, int64_t *config_id,
                         double *score);
/* Configs registered so far (ids 0 .. n-1) and their values. */
size_t jahs_hb_n_configs(const jahs_hb *h);
const double *jahs_hb_config(const jahs_hb *h, int64_t config_id);
/*
 * A config's latest trial: its rung, whether it is pending, and (when not
 * pending) its score there.  Returns 0, or JAHS_EINVAL for an unknown id.
 */
int jahs_hb_config_state(const jahs_hb *h, int64_t config_id, int *rung,
                         int *pending, double *score);
/* Epochs of work finished: the sum over configs whose latest trial has
 * finished of the epochs of that trial's rung (NEPS's
 * calc_total_resources_spent; a config pending at a higher rung counts 0). */
double jahs_hb_finished_work(const jahs_hb *h);
/* Trials issued and not yet reported; trials issued so far. */
size_t jahs_hb_n_pending(const jahs_hb *h);
int64_t jahs_hb_n_trials(const jahs_hb *h);

#endif
