/*
 * forest.h - a random-forest regressor (CART trees on bootstrap samples),
 * the surrogate behind `jahs analyze importance`.
 *
 * It follows pyrfr's binary_rss_forest, the forest DeepCAVE's LPI and fANOVA
 * evaluators use (deepcave/evaluators/epm/fanova_forest.py over
 * random_forest.py; pyrfr include/rfr/splits/binary_split_one_feature_rss_
 * loss.hpp), written from their descriptions, not their code:
 *
 *   - each tree is grown on n points drawn with replacement from the n
 *     training points (bootstrap; off: every point once);
 *   - at each node a random subset of max(1, floor(ratio x d)) features is
 *     tried (DeepCAVE's FanovaForest: ratio 1.0, every feature; SMAC's
 *     forest: 5/6); the split minimising the residual sum of squares wins,
 *     the first tried on ties;
 *   - numeric features split at a threshold drawn uniformly between the two
 *     adjacent distinct values the best cut falls between (pyrfr's rule;
 *     x <= threshold goes left);
 *   - categorical features are handled natively: the categories present at
 *     the node are ordered by their mean response and the best prefix of
 *     that order goes left (exact for the squared loss: Breiman et al. 1984,
 *     Sec. 9.4); categories absent at the node go left or right with
 *     probability 1/2 each (pyrfr's rule), so an unseen value still has a
 *     prediction;
 *   - a node becomes a leaf when it holds fewer than min_samples_split
 *     points, is at max_depth, is pure (all responses within 1e-12 of each
 *     other, relative) or has no split leaving min_samples_leaf points on
 *     each side; a leaf predicts the mean response of its points.
 *
 * Why native categoricals rather than one-hot: LPI varies one parameter of
 * the space at a time, so a parameter must be one feature; a categorical
 * split then sees the whole choice set at once (with one-hot a tree has to
 * chain k binary splits to separate k choices, and random feature subsets
 * drop choices of one parameter independently).  DeepCAVE's forest does the
 * same.
 *
 * Determinism: tree t draws from the named stream (seed, "analysis/forest",
 * t) of core/rng.h, so a forest is a pure function of (data, options, seed).
 */
#ifndef JAHS_ANALYSIS_FOREST_H
#define JAHS_ANALYSIS_FOREST_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Categorical features may have up to this many categories. */
#define JAHS_FOREST_MAX_CATS 64

typedef struct jahs_forest_opts {
    int n_trees;           /* >= 1 */
    double ratio_features; /* (0, 1]: fraction of features tried per node */
    int min_samples_split; /* >= 2 */
    int min_samples_leaf;  /* >= 1 */
    int max_depth;         /* >= 1 (the root is depth 0) */
    int bootstrap;         /* 1: bootstrap samples; 0: all points per tree */
    uint64_t seed;
} jahs_forest_opts;

/*
 * DeepCAVE's FanovaForest settings (which its LPI uses): 10 trees, ratio 1.0,
 * fully grown (min split 2, min leaf 1 -- pyrfr's 0s mean no limit), depth
 * 64, bootstrap on, seed 0.
 */
void jahs_forest_opts_default(jahs_forest_opts *o);

typedef struct jahs_forest jahs_forest;

/*
 * Fit a forest.  X: n x d, row-major; types: d values, 0 for a numeric
 * feature, k (2 .. JAHS_FOREST_MAX_CATS) for a categorical one whose values
 * are the integers 0 .. k-1 stored as doubles; y: n responses.  No input may
 * be NaN.  n >= 1.  Returns NULL and fills err on bad input (naming the
 * feature or row) or allocation failure.  Free with jahs_forest_free.
 */
jahs_forest *jahs_forest_fit(const double *X, const double *y, size_t n, int d,
                             const int *types, const jahs_forest_opts *o,
                             jahs_error *err);
/* NULL is a no-op. */
void jahs_forest_free(jahs_forest *f);

int jahs_forest_n_trees(const jahs_forest *f);
/* Number of nodes of tree t (for tests and benchmarks). */
int jahs_forest_tree_size(const jahs_forest *f, int t);

/* Prediction of tree t for x (d values, as in the training data). */
double jahs_forest_predict_tree(const jahs_forest *f, int t, const double *x);
/*
 * Mean of the trees' predictions for x; *var (may be NULL) receives their
 * population variance (pyrfr's predict_mean_var without leaf variances).
 */
double jahs_forest_predict(const jahs_forest *f, const double *x, double *var);

#endif
