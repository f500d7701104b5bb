/*
 * table_stats.h - statistics of an NB201 table and of the tabular model on
 * it: column summaries, seed spread, the 12-vs-200-epoch rank correlation,
 * what the response model reads off the table (jahs_response_data), and the
 * model's rank correlation with the measured 200-epoch accuracy at any
 * fidelity.  `jahs table stats` prints these; the model and the table build
 * use jahs_table_model_data.
 *
 * Spearman correlations are GSL's gsl_stats_spearman (average ranks for
 * ties) over all 15,625 cells.
 */
#ifndef JAHS_EVAL_TABLE_STATS_H
#define JAHS_EVAL_TABLE_STATS_H

#include <stdint.h>

#include "core/error.h"
#include "core/h5.h"
#include "eval/nb201_table.h"
#include "eval/response.h"
#include "eval/tabular.h"
#include "space/space.h"

/* Mean, min, 10/25/50/90 % quantiles (GSL, sorted data), max. */
typedef struct jahs_table_summary {
    double mean, min, q10, q25, median, q90, max;
} jahs_table_summary;

/* Summary of v (n >= 1 values; NaN not allowed). JAHS_ENOMEM on failure. */
int jahs_table_summarize(const double *v, int n, jahs_table_summary *s,
                         jahs_error *err);

/* Spearman's rank correlation of x and y (n values each). */
int jahs_table_spearman(const double *x, const double *y, int n, double *rho,
                        jahs_error *err);

/*
 * What a table says about itself (the measured figures the docs quote).
 * Seed spread: the SD of one run, sqrt(mean((s777 - s888)^2) / 2) over all
 * cells; NaN for the test columns of a table without per-seed test.
 */
typedef struct jahs_table_facts {
    int best;                  /* arch index of the best mean 200-epoch valid */
    jahs_table_summary valid200_mean, test200_mean, valid12, test12, time200,
        params;
    int near_chance;           /* cells whose test_200_mean is within 4
                                  points of chance */
    double seed_sd_valid, seed_sd_test;
    double rho12_valid;        /* Spearman(valid_12, valid_200_mean) */
    double rho12_test;         /* Spearman(test_12, test_200_mean) */
    double rho_seed_valid;     /* Spearman(valid seed 777, valid_200_mean) */
} jahs_table_facts;

int jahs_table_facts_of(const jahs_nb201_table *t, jahs_table_facts *f,
                        jahs_error *err);

/*
 * The response model's view of table t (response.h, jahs_response_data):
 *   chance       100 / classes (the dataset);
 *   strength_lo  mean valid_200_mean of the NB201 twins 441444 and 111111
 *                of JAHS's weakest cells (pool-heavy, skip-only), where the
 *                lr optimum shift for weak cells is full (LR_SHIFT_WEAK);
 *   strength_hi  the lowest valid_200_mean of the twins 331333, 301300,
 *                221222 of JAHS's strong cells (optimum 0.1 at 200 epochs);
 *   vt_corr      correlation of the 777-888 differences of valid and test
 *                (the same network, disjoint test halves); 0 for a dataset
 *                whose valid and test come from separate trainings
 *                (CIFAR-10);
 *   sd_valid/sd_test by level: RMS of (s777 - s888) / sqrt 2 over the
 *                cells whose mean of the two runs lies in each
 *                NOISE_LEVEL_BIN-point bin above chance (below chance: the
 *                first bin); bins with fewer than NOISE_MIN_CELLS cells take
 *                the nearest bin that has enough (ties: the higher); test
 *                = valid without per-seed test.
 */
int jahs_table_model_data(const jahs_nb201_table *t, jahs_response_data *d,
                          jahs_error *err);

/* Write the jahs_table_model_data of t into h: attributes "derived.NAME"
 * and "derived.NAME.source" for the scalars and the dataset
 * noise_sd_by_level [bins, 3] (level of the bin's lower edge, sd valid, sd
 * test). */
int jahs_table_write_derived(const jahs_nb201_table *t, jahs_h5 *h,
                             jahs_error *err);

/*
 * The model's rank correlation at one fidelity: Spearman over all cells of
 * tb's table between the model's score at the recipe after `epochs`
 * (valid and test, each the mean of the two folds, run seed `seed`, seed
 * noise included; what an optimizer sees) and the measured 200-epoch mean
 * (valid_200_mean, test_200_mean).  tb must be open on a cell space
 * (nb201 or cell64: sp).  At 12 epochs this is the measured 12-vs-200
 * figure exactly.  Either output may be NULL.
 */
int jahs_tabular_fidelity_rho(jahs_tabular *tb, const jahs_space *sp,
                              int epochs, uint64_t seed, double *rho_valid,
                              double *rho_test, jahs_error *err);

/*
 * Where the model's optimum lies, one hyperparameter at a time with the
 * others at NB201's recipe, for one cell at `epochs` (noise-free, fold 0,
 * valid accuracy): lr on a log grid of 121 points over the space's
 * [1e-3, 1], wd on 61 points over [1e-5, 1e-2], dropout 0..0.5 by 0.025,
 * TrivialAugment off/on, batch size 64, 128, 256, 512.  acc_best -
 * acc_recipe (points, >= 0) is what the recipe's value gives up against the
 * best one: it shows how far "the recipe is optimal by construction" holds
 * at that fidelity.
 */
typedef struct jahs_hp_optimum {
    const char *hp;   /* "lr", "wd", "dropout", "trivial_augment", "batch_size" */
    double recipe;    /* the recipe's value */
    double best;      /* the best value on the grid */
    double acc_recipe, acc_best; /* valid accuracy at each, percent */
} jahs_hp_optimum;

#define JAHS_HP_OPTIMA 5
int jahs_tabular_hp_optima(const jahs_tabular *tb, int cell, int epochs,
                           jahs_hp_optimum out[JAHS_HP_OPTIMA],
                           jahs_error *err);

#endif
