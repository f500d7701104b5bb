/*
 * importance.h - hyperparameter importance from a random-forest surrogate
 * (analysis/forest.h) fitted on evaluations (configuration -> validation
 * accuracy at one fidelity).
 *
 * Local Parameter Importance (LPI; Biedenkapp, Marben, Lindauer & Hutter,
 * "CAVE: Configuration Assessment, Visualization and Evaluation", LION 2018,
 * Sec. 3; DeepCAVE's deepcave/evaluators/lpi.py):
 *
 *   Around the incumbent c*, each parameter p that is active in c* is varied
 *   alone over its domain V_p -- every choice of a categorical, a fixed grid
 *   of `grid` values evenly spaced over a numeric's range in its own scale
 *   (log where the parameter is log; DeepCAVE's 500 "continuous neighbours";
 *   integers rounded, repeats kept so the grid stays an even quadrature) --
 *   and the forest predicts each neighbour c*[p = v].  For tree t,
 *
 *     var_t(p) = Var_{v in V_p} pred_t(c*[p = v])      (population variance)
 *     LPI_t(p) = var_t(p) / sum_q var_t(q)
 *
 *   and a parameter's importance is the mean of LPI_t(p) over the trees with
 *   a non-zero denominator, its uncertainty their standard deviation
 *   (DeepCAVE computes per-tree shares the same way; it reports their
 *   variance under the name "std", we report the standard deviation).
 *   V_p contains the incumbent's own value, as in the paper's reference
 *   implementation (pimp's local_parameter_importance.py); DeepCAVE 1.x
 *   leaves it out of the per-tree variance, which makes a two-choice
 *   categorical's importance identically 0 -- `exclude_incumbent` reproduces
 *   that variant.
 *
 *   Conditional parameters, as DeepCAVE (ConfigSpace's change_hp_value):
 *   parameters inactive at the incumbent are not varied (importance 0,
 *   status INACTIVE); when varying a parent activates a child, the child
 *   takes the space's default, else the middle of its range; a deactivated
 *   child becomes inactive.  Inactive parameters are encoded for the forest
 *   as DeepCAVE/SMAC impute them: -1 for a numeric, an extra category
 *   (n_choices) for a categorical -- at fitting and at prediction alike
 *   (DeepCAVE imputes the default at prediction; we keep one rule).
 *
 *   Parameters pinned by the experiment (key `fix`) are not varied (status
 *   FIXED).
 *
 * fANOVA-lite (an approximation, labelled as such in every output): the
 * first-order functional-ANOVA index of each parameter (Hutter, Hoos &
 * Leyton-Brown, ICML 2014) estimated per tree by Monte Carlo instead of
 * fANOVA's exact tree traversal: with M configurations x_m drawn uniformly
 * from the space (every parameter drawn; activity from the drawn parents),
 *   f_p(v) = mean_m pred_t(x_m[p = v]),  V_p = Var_v f_p(v),
 *   V = Var_m pred_t(x_m),               index_t(p) = V_p / V,
 * with v over the same kind of grid as LPI (fanova_grid numeric values).
 * Indices do not sum to 1 (interactions and Monte-Carlo error).
 */
#ifndef JAHS_ANALYSIS_IMPORTANCE_H
#define JAHS_ANALYSIS_IMPORTANCE_H

#include <stddef.h>

#include "analysis/forest.h"
#include "core/error.h"
#include "space/space.h"

typedef enum jahs_imp_method {
    JAHS_IMP_LPI = 0,
    JAHS_IMP_FANOVA_LITE = 1
} jahs_imp_method;

/* "lpi" / "fanova-lite" -> method; -1 when unknown. */
int jahs_imp_method_parse(const char *s);
const char *jahs_imp_method_name(jahs_imp_method m);

typedef struct jahs_imp_opts {
    jahs_imp_method method;
    jahs_forest_opts forest;
    int grid;              /* LPI: numeric grid points (>= 2) */
    int exclude_incumbent; /* LPI: DeepCAVE 1.x's variant (see above) */
    int mc_samples;        /* fANOVA-lite: Monte-Carlo configurations */
    int fanova_grid;       /* fANOVA-lite: numeric grid points (>= 2) */
} jahs_imp_opts;

/* DeepCAVE's LPI settings: forest defaults (forest.h), grid 500, incumbent
 * included; fANOVA-lite: 500 samples, grid 50. */
void jahs_imp_opts_default(jahs_imp_opts *o);

typedef enum jahs_imp_status {
    JAHS_IMP_OK = 0,
    JAHS_IMP_FIXED = 1,    /* pinned by the experiment: not varied */
    JAHS_IMP_INACTIVE = 2  /* LPI: inactive at the incumbent */
} jahs_imp_status;

const char *jahs_imp_status_name(jahs_imp_status s);

typedef struct jahs_imp_param {
    jahs_imp_status status;
    double mean, std; /* importance over trees (0 unless OK) */
    int rank;         /* 1 = most important among OK parameters; 0 otherwise */
} jahs_imp_param;

typedef struct jahs_importance {
    int n_params;       /* the space's parameters, in space order */
    jahs_imp_param p[JAHS_MAX_PARAMS];
    int n_trees;        /* trees fitted */
    int n_trees_used;   /* trees whose predictions varied (denominator > 0) */
} jahs_importance;

/* The forest's features for a space: one per parameter (see above). */
void jahs_imp_types(const jahs_space *sp, int *types);
/* Encode config x (space units, NAN when inactive) into f (sp->n values). */
void jahs_imp_encode(const jahs_space *sp, const double *x, double *f);

/*
 * Fit the forest on n evaluations (configs: n x sp->n, space units, NAN for
 * inactive; y: n responses, larger is better or not -- variance shares do
 * not care) and compute the importance of every parameter.  incumbent
 * (sp->n values) is required for LPI and ignored by fANOVA-lite.  Parameters
 * of a model whose predictions never vary get importance 0 and
 * n_trees_used 0.  Errors: n < 2, bad options, bad data (the forest names
 * the row).
 */
int jahs_importance_compute(const jahs_space *sp, const double *configs,
                            const double *y, size_t n, const double *incumbent,
                            const jahs_imp_opts *o, jahs_importance *out,
                            jahs_error *err);

#endif
