/*
 * acq.h - acquisition for the model-based optimizers: expected improvement,
 * a set of configs to exclude (evaluated or pending), and the search for the
 * config that maximises EI at one resource level.
 *
 * Direction: the GP models a criterion to MINIMISE (MOBSTER models y = -score
 * with score = validation accuracy in percent; after the GP's mean/std
 * target normalisation this is the same model as Syne Tune's "1_minus_x"
 * reward map).  EI is therefore the expected improvement below best:
 *     EI(mean, sd; best) = E[max(best - f, 0)],  f ~ N(mean, sd^2)
 *                        = sd (u Phi(u) + phi(u)),  u = (best - mean) / sd,
 * (Jones, Schonlau & Welch 1998; Syne Tune's EIAcquisitionFunction), and
 * max(best - mean, 0) when sd == 0.
 *
 * Search (jahs_acq_maximise), following Syne Tune's BO loop
 * (bo_algorithm.py: score num_initial_candidates random configs, then
 * locally optimise from the best), with two documented differences: the
 * random candidates are scored by EI itself (Syne Tune's initial_scoring
 * "acq_func"; its default "thompson_indep" scores by independent posterior
 * samples), and the local search is a hill climb with the space's mutation
 * (jahs_space_mutate) instead of L-BFGS over the one-hot relaxation, so it
 * works the same on categorical and numeric parameters.
 */
#ifndef JAHS_OPT_ACQ_H
#define JAHS_OPT_ACQ_H

#include <stddef.h>

#include "core/error.h"
#include "core/rng.h"
#include "opt/gp.h"
#include "space/space.h"

/* Expected improvement below best (minimisation), closed form above. */
double jahs_ei(double mean, double sd, double best);

/* A set of configs (space->n values each), by value: hashed, exact. */
typedef struct jahs_config_set jahs_config_set;

/* Empty set for sp (not owned).  Free with jahs_config_set_free. */
jahs_config_set *jahs_config_set_create(const jahs_space *sp, jahs_error *err);
/* NULL is a no-op. */
void jahs_config_set_free(jahs_config_set *s);
/* Add x (copied); adding a member again is a no-op.  0 or JAHS_ENOMEM. */
int jahs_config_set_add(jahs_config_set *s, const double *x);
/* 1 when x is a member (jahs_config_equal), else 0. */
int jahs_config_set_contains(const jahs_config_set *s, const double *x);
size_t jahs_config_set_size(const jahs_config_set *s);
void jahs_config_set_clear(jahs_config_set *s);

typedef struct jahs_acq_opts {
    int candidates;      /* random configs scored first (Syne Tune: 250) */
    int local_starts;    /* best candidates refined by hill climbing: 3 */
    int local_rounds;    /* at most this many moves per start: 5 */
    int neighbours;      /* mutants tried per move: 10 */
    double mutate_prob;  /* per-parameter change probability: 0.3 */
    double mutate_sigma; /* numeric step sd in unit space: 0.1 */
} jahs_acq_opts;

/* The values above, with candidates as given. */
void jahs_acq_opts_defaults(jahs_acq_opts *o, int candidates);

/*
 * The config maximising EI at resource r (the GP's resource input; ignored by
 * a GP without the resource part) below best, over o->candidates uniform
 * configs refined by hill climbing, never a member of exclude (may be NULL).
 * Writes x_out (space->n values) and *ei_out (may be NULL).  Returns 0,
 * JAHS_DONE when every config tried was excluded (a small space exhausted),
 * or < 0.  Draws only from rng.
 */
int jahs_acq_maximise(const jahs_space *sp, jahs_gp *gp, double r, double best,
                      const jahs_acq_opts *o, jahs_rng *rng,
                      const jahs_config_set *exclude, double *x_out,
                      double *ei_out, jahs_error *err);

#endif
