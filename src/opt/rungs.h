/*
 * rungs.h - rung tables and promotion rules of successive halving / ASHA.
 *
 * Rung placement (fidelity = epochs, integers):
 *   NEPS v0.11 anchors at the maximum: K = floor(log_eta(max / min)) + 1
 *     rungs at max / eta^(K-1-k), truncated to integers (never below min)
 *     (neps v0.11.1 multi_fidelity/successive_halving.py:172-191
 *     _get_rung_map: int() of max_budget / eta^i).
 *     (1, 20, 3) -> 2, 6, 20;  (1, 200, 3) -> 2, 7, 22, 66, 200.
 *   Syne Tune anchors at the minimum: round(min * eta^k) while
 *     min * eta^k < max, then max (syne-tune v0.13.0
 *     schedulers/utils/successive_halving.py:64-73, rounding half to even as
 *     Python's round does; the same levels as its synchronous Hyperband,
 *     synchronous/hyperband_rung_system.py:65-67, 97-99).
 *     (1, 20, 3) -> 1, 3, 9, 20;  (1, 200, 3) -> 1, 3, 9, 27, 81, 200.
 *   Duplicate levels after truncation or rounding are dropped.
 *
 * Promotion (higher score is better; ties go to the earlier record):
 *   NEPS (v0.11.1 multi_fidelity/promotion_policy.py:97-109
 *     AsyncPromotionPolicy): rung_members holds the configs whose highest
 *     finished rung is this one (successive_halving.py:290-296), so of the
 *     m configs still parked at a rung (promoted ones have left), the best
 *     is promotable once floor(m / eta) >= 1.  A promoted config leaves, so
 *     at most eta - 1 configs ever stay parked at a rung: every other config
 *     is promoted in the end, and with one worker each new result at a rung
 *     with eta - 1 parked configs promotes one at once.  That is not
 *     successive halving, which keeps the top 1/eta of a rung.
 *   Li et al. (2020), ASHA (Algorithm 2, get_job): of all n configs ever
 *     recorded at the rung, the top floor(n / eta) are promotable; promote
 *     the best of them not yet promoted.  About 1/eta of a rung moves on.
 *   Syne Tune (v0.13.0 hyperband_promotion.py:86-110
 *     PromotionRungSystem._find_promotable_trial): every result ever recorded
 *     at rung k stays in its data (hyperband_promotion.py:126-134); the best
 *     paused (not yet promoted) config is promoted when its score is at or
 *     above the cutoff Rung.quantile() (hyperband_stopping.py:78-108):
 *     numpy.quantile's linear interpolation of the scores at 1 - q_k, with
 *     q_k = r_k / r_{k+1} (hyperband.py:1088-1090; 1/eta exactly when the
 *     rungs form a geometric progression); fewer than 2 results: none.
 *     Ties in its sorted rung go to the earlier result (SortedList inserts
 *     after equal keys).
 *
 * Stopping (Syne Tune's `type = "stopping"`, hyperband_stopping.py:305-383
 * StoppingRungSystem): a config that reaches rung k < top is entered into the
 * rung's data and continues to rung k + 1 iff its score is at or above the
 * same cutoff (fewer than 2 results: it continues); otherwise it stops for
 * good.  Nothing is ever paused or promoted later.
 */
#ifndef JAHS_OPT_RUNGS_H
#define JAHS_OPT_RUNGS_H

#include <stddef.h>

#include "core/error.h"
#include "opt/opt.h"

#define JAHS_MAX_RUNGS 32

typedef struct jahs_rungs {
    int n;
    int epochs[JAHS_MAX_RUNGS]; /* increasing; epochs[n-1] == max */
} jahs_rungs;

/* Build the table for [min, max] with eta in the given style. */
int jahs_rungs_make(int min_epochs, int max_epochs, double eta,
                    jahs_rung_style style, jahs_rungs *out, jahs_error *err);
/* Index of the rung at exactly epochs, or -1. */
int jahs_rungs_index(const jahs_rungs *r, int epochs);
/* "neps" / "synetune" -> style; -1 when unknown. */
int jahs_rung_style_parse(const char *s);
const char *jahs_rung_style_name(jahs_rung_style s);
/* "neps" / "li" / "synetune" -> rule; -1 when unknown. */
int jahs_promo_rule_parse(const char *s);
const char *jahs_promo_rule_name(jahs_promo_rule r);
/* "promotion" / "stopping" -> type; -1 when unknown. */
int jahs_asha_type_parse(const char *s);
const char *jahs_asha_type_name(jahs_asha_type t);
/* "auto" / "neps" / "synetune" / "li" -> bracket style; -1 when unknown. */
int jahs_bracket_style_parse(const char *s);
const char *jahs_bracket_style_name(jahs_bracket_style b);
/* AUTO resolved against a rung style (NEPS -> NEPS, SYNETUNE -> SYNETUNE);
 * other styles unchanged. */
jahs_bracket_style jahs_bracket_style_resolve(jahs_bracket_style b,
                                              jahs_rung_style r);

/*
 * Which record of one rung to promote next: score[i] and promoted[i] for the
 * n records in arrival order.  Returns the index, or -1 when none may be
 * promoted yet.  O(n log n); n is small (hundreds).
 */
long jahs_rungs_pick(const double *score, const int *promoted, size_t n,
                     double eta, jahs_promo_rule rule);

/*
 * Syne Tune's promotion quantile of rung k of r (0 <= k < r->n - 1):
 * q_k = epochs[k] / epochs[k + 1].
 */
double jahs_rungs_quantile(const jahs_rungs *r, int k);

/*
 * Syne Tune's cutoff (Rung.quantile for mode "max") of the n scores at
 * quantile q (0 < q < 1): numpy.quantile(score, 1 - q), linear
 * interpolation, computed in Syne Tune's order of operations.  Returns 0
 * and *cutoff, or JAHS_EINVAL when n < 2 (Syne Tune: no cutoff).  O(n log n).
 */
int jahs_rungs_cutoff(const double *score, size_t n, double q, double *cutoff);

/*
 * Syne Tune's promotion at rung k of r: the best not-yet-promoted record if
 * its score is >= jahs_rungs_cutoff(score, n, q_k), else -1.  Any other rule
 * is jahs_rungs_pick(score, promoted, n, eta, rule).  This is what the ASHA
 * and Hyperband cores call.
 */
long jahs_rungs_pick_at(const jahs_rungs *r, int k, const double *score,
                        const int *promoted, size_t n, double eta,
                        jahs_promo_rule rule);

/*
 * Syne Tune's stopping decision at rung k of r for a result v that has just
 * been appended as score[n - 1]: 1 (continue) when n < 2 or
 * v >= jahs_rungs_cutoff(score, n, q_k), else 0 (stop).
 */
int jahs_rungs_continues(const jahs_rungs *r, int k, const double *score,
                         size_t n);

#endif
