/*
 * rungs.h - rung tables and promotion rules of successive halving / ASHA.
 *
 * Rung placement (fidelity = epochs, integers):
 *   NEPS v0.11 anchors at the maximum: K = floor(log_eta(max / min)) + 1
 *     rungs at max / eta^(K-1-k), truncated to integers (never below min).
 *     (1, 20, 3) -> 2, 6, 20;  (1, 200, 3) -> 2, 7, 22, 66, 200.
 *   Syne Tune anchors at the minimum: min * eta^k while below max, then max.
 *     (1, 20, 3) -> 1, 3, 9, 20;  (1, 200, 3) -> 1, 3, 9, 27, 81, 200.
 *   Duplicate levels after truncation are dropped.
 *
 * Promotion (higher score is better; ties go to the earlier record):
 *   NEPS: of the m configs still parked at a rung (promoted ones have left),
 *     promote the best if floor(m / eta) >= 1.
 *   Li et al. (2020), ASHA: of all n configs ever recorded at the rung, the
 *     top floor(n / eta) are promotable; promote the best of them not yet
 *     promoted.
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
/* "neps" / "li" -> rule; -1 when unknown. */
int jahs_promo_rule_parse(const char *s);
const char *jahs_promo_rule_name(jahs_promo_rule r);

/*
 * Which record of one rung to promote next: score[i] and promoted[i] for the
 * n records in arrival order.  Returns the index, or -1 when none may be
 * promoted yet.  O(n log n); n is small (hundreds).
 */
long jahs_rungs_pick(const double *score, const int *promoted, size_t n,
                     double eta, jahs_promo_rule rule);

#endif
