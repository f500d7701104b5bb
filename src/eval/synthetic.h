/*
 * synthetic.h - multi-fidelity test functions with known optima, behind the
 * evaluator interface (type "synthetic", function chosen by
 * jahs_eval_options.synthetic = "NAME" or "NAME:E", E the epochs of full
 * fidelity, default 20).  They let the optimizers be tested before they meet
 * the tabular benchmark.  Fully deterministic: no noise, the seed and the fold
 * are ignored (every fold reports the same numbers, so fold means are exact).
 *
 *   branin     2 numeric parameters; Kandasamy et al. 2017's multi-fidelity
 *              Branin; optimum 0.397887 at three points.
 *   hartmann6  6 numeric parameters; Hartmann-6 with Kandasamy et al.'s
 *              fidelity shift of its weights; optimum -3.32237.
 *   cellhp     the `nb201` (or `cell64`) space: a known NB201 cell plus
 *              training hyperparameters maximise a separable-plus-interaction
 *              score, so prior quality can be set in tests (a prior centred at
 *              the optimum is good, one far from it misleading).
 *
 * synthetic.c documents every constant.
 */
#ifndef JAHS_EVAL_SYNTHETIC_H
#define JAHS_EVAL_SYNTHETIC_H

#include "core/error.h"
#include "eval/eval.h"
#include "space/space.h"

/*
 * The optimum of function spec ("branin", "hartmann6:200", ...) on space sp:
 * its config in sp's units in x (may be NULL; branin: the first of its three
 * optima, x1 = -pi) and the validation accuracy it scores at full fidelity in
 * *acc (may be NULL).  Errors: unknown function, bad ":E", or a space the
 * function cannot read.
 */
int jahs_synthetic_optimum(const char *spec, const jahs_space *sp, double *x,
                           double *acc, jahs_error *err);

/*
 * Evaluate function spec on sp at config x and epochs (>= 1) without an
 * evaluator object: validation accuracy (percent) and seconds per epoch.
 */
int jahs_synthetic_value(const char *spec, const jahs_space *sp,
                         const double *x, int epochs, double *val_acc,
                         double *sec_per_epoch, jahs_error *err);

#endif
