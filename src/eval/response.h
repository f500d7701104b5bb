/*
 * response.h - the tabular benchmark's learning-curve, low-fidelity, seed-
 * noise and hyperparameter-response model: pure functions from a cell's
 * measured NB201 accuracies (the anchors) and a training recipe to simulated
 * accuracies.
 *
 * NAS-Bench-201 measured every cell at one recipe (SGD Nesterov, lr 0.1
 * cosine, wd 5e-4, batch 256, no dropout, no TrivialAugment) for 12 and 200
 * epochs, on three datasets.  The model keeps those numbers and only says
 * how accuracy moves away from them:
 *
 *   acc(hp, E) = chance + (curve(E_eff) - chance) * M(hp, E) / M(recipe, E)
 *                + SD(level) * z(E)
 *
 *   curve     the cell's own learning curve through its measured 12- and
 *             200-epoch values (power law in E above 12); below 12 the
 *             cell's learning fraction g_c(E) of its 12-epoch accuracy above
 *             chance, which ranks cells less and less like their 12-epoch
 *             (and so their 200-epoch) accuracy as E falls, by the law
 *             r(E) = 1 - LOWFID_C ln(12/E)^LOWFID_P of the Spearman
 *             correlation with the 200-epoch accuracy relative to 12 epochs'
 *             (jahs_response_law; jahs_response_fractions);
 *   E_eff     E slowed down when lr is below its optimum (DeepOBS: epochs to
 *             90 % of final accuracy grow as (lr_opt / lr)^0.35);
 *   M         a product of factors (1 - L) for learning rate (asymmetric,
 *             with a divergence cliff to chance), weight decay (inverted U
 *             whose benefit shows late), dropout (small; helps only long
 *             runs of high-capacity cells), TrivialAugment (costs early,
 *             helps late in proportion to capacity); the lr optimum shifts
 *             with batch size (linear scaling), training length and cell
 *             strength;
 *   SD, z     run-seed noise: a unit-variance process over epochs, white
 *             plus AR(1) (jahs_response_noise), scaled by the seed spread
 *             NB201 measured at that accuracy level on that dataset.
 *
 * Every constant, its value and its source is in JAHS_RESPONSE_CONSTANTS
 * below, in tables/README.md and, as attributes, in the .h5 tables.  The
 * values the model reads off each table (chance, the strength scale, the
 * seed spread by level, the valid/test noise correlation) are in
 * jahs_response_data (computed by jahs_table_model_data, table_stats.h).
 * Nothing is fitted to the poster's table.
 *
 * At the recipe with E = 12 or 200 the result is the anchor itself, bit for
 * bit (no model arithmetic, no noise).
 */
#ifndef JAHS_EVAL_RESPONSE_H
#define JAHS_EVAL_RESPONSE_H

#include <stdint.h>

#include "core/error.h"
#include "core/h5.h"

/* Bump when any constant or formula changes: tables record it and the
 * evaluator refuses a table built for another version. */
#define JAHS_RESPONSE_VERSION 2L

/* Epochs the model covers; NB201 measured 12 and 200. */
#define JAHS_RESPONSE_MIN_EPOCHS 1
#define JAHS_RESPONSE_MAX_EPOCHS 200

/* Learning fractions stored per cell: g_c(E) for E = 1..11 (g_c(12) = 1). */
#define JAHS_RESPONSE_NFRAC 11

/* Accuracy-level bins of the measured seed spread (width NOISE_LEVEL_BIN
 * points above chance; 100 / 5 = 20 cover every level). */
#define JAHS_RESPONSE_NOISE_BINS 20

/*
 * X(NAME, value, "source").  Units: accuracies in percent points, lr shifts
 * in decades (log10), losses as fractions of the accuracy above chance.
 * "JAHS" = jahs_thesis_surrogate_nb201_hp_slices.csv (N=5, W=16, the NB201
 * size, unless said otherwise); "DeepOBS" = deepobs_cifar100_allcnnc_
 * momentum_lr_{curves,summary}.csv; "LCBench" = lcbench_surrogate_hp_
 * slices.csv; "NB201" = ../shared/data/nb201/nb201_<dataset>.csv.gz.
 */
#define JAHS_RESPONSE_CONSTANTS(X)                                             \
    X(LR_REF, 0.1, "NB201 recipe learning rate (Dong & Yang 2020, Table 1)")   \
    X(WD_REF, 5e-4, "NB201 recipe weight decay")                               \
    X(BATCH_REF, 256.0, "NB201 recipe batch size")                             \
    X(CURVE_ALPHA, 0.5,                                                        \
      "DeepOBS optimum lr 3.98e-3 (seeds 43, 44): least squares of a - c "     \
      "E^-alpha over epochs 12..200 gives alpha 0.49 / 0.58")                  \
    X(CURVE_BETA, 0.3,                                                         \
      "JAHS lr 0.1, cells 220222/330333/210211: (acc(E)-10)/(acc(12)-10) at "  \
      "E = 1, 3, 6 is 0.39-0.47, 0.64-0.69, 0.83-0.88, i.e. (E/12)^beta "      \
      "with beta 0.23-0.35")                                                   \
    X(LOWFID_C, 0.0645,                                                        \
      "JAHS, all 345 configs (5 cells x 3 sizes x one-HP slices): Spearman "   \
      "of the epoch-E and epoch-200 accuracy is 0.434, 0.684, 0.772, 0.790 "   \
      "at E = 1, 3, 6, 12; least squares of r(E) = 1 - C ln(12/E)^P on "       \
      "their ratios to E = 12 (0.550, 0.867, 0.978) gives C 0.0645, P 2.14; "  \
      "LCBench's 5 tasks give 0.74 at 2 of 13 epochs (r: 0.75)")               \
    X(LOWFID_P, 2.14, "the exponent of that fit (see LOWFID_C)")               \
    X(LR_SPEED_EXP, 0.35,                                                      \
      "DeepOBS summary: epochs to 90 % of max grow as (lr_opt / lr)^0.35 below "    \
      "the optimum (hp_response/README.md)")                                   \
    X(LR_SHIFT_SHORT, 0.30,                                                    \
      "JAHS: optimum lr 0.05 at epoch 12 vs 0.1 at 200 for strong cells: "     \
      "log10(2) decades lower for short training, fading out by 200 epochs")   \
    X(LR_SHIFT_WEAK, 0.70,                                                     \
      "JAHS pool-heavy cell 440444: optimum lr 0.02 at 12 and 200 epochs: "    \
      "log10(5) decades lower for the weakest cells")                          \
    X(LR_LOW_K, 0.04,                                                          \
      "JAHS 200 epochs, lr one decade below the optimum: -5..-7 points of "    \
      "~84 above chance (0.06-0.08), less ~0.03 the slower learning "          \
      "explains; loss = k x decades^2")                                        \
    X(LR_HIGH_K_SHORT, 0.27,                                                   \
      "JAHS epoch 12: lr 10x the optimum (0.5 vs 0.05) costs 18 points of "    \
      "67 above chance; loss = k x decades^2; same k at epochs 3 and 6")       \
    X(LR_HIGH_K_LONG, 0.10,                                                    \
      "JAHS epoch 200: lr 10x the optimum (1.0 vs 0.1) costs 8 points of 84 "  \
      "above chance")                                                          \
    X(LR_DIVERGE, 1.39794,                                                     \
      "DeepOBS: diverged to chance (1 %) at 25x the optimum lr: "              \
      "log10(25) decades")                                                     \
    X(LR_DIVERGE_RAMP, 0.1,                                                    \
      "width in decades of the linear fall to chance before the cliff "        \
      "(DeepOBS: -44 points at 10x, chance at 25x; modelling choice)")         \
    X(WD_COST_SHORT, 56.0,                                                     \
      "JAHS epoch 12: wd 1e-2 costs 39 points of 69 above chance vs 1e-5 "     \
      "(0.56), wd 3e-3 0.19: loss grows ~linearly in wd, 56 per unit wd")      \
    X(WD_COST_LONG, 30.0,                                                      \
      "JAHS epoch 200: wd 1e-2 costs ~20 points (0.24 of above chance) vs "    \
      "the optimum; with WD_GAIN_LONG: 30 per unit wd")                        \
    X(WD_GAIN_LONG, 0.0345,                                                    \
      "benefit per decade of wd above WD_FLOOR at 200 epochs, set so the "     \
      "optimum is 5e-4 (hp_response/README: optimum 1e-4..5e-4): "             \
      "WD_COST_LONG x 5e-4 x ln 10; JAHS: 1e-5 costs 0.05-0.07 at 200")        \
    X(WD_FLOOR, 1e-5, "lowest wd of the spaces (JAHS-Bench-201's range)")      \
    X(DROPOUT_COST_SHORT, 0.06,                                                \
      "LCBench dropout slices: p 0.5 costs 1-3 points early (epoch 2-6), "     \
      "dropout slows early learning: 0.06 per unit p")                         \
    X(DROPOUT_COST_LONG, 0.04,                                                 \
      "LCBench epoch 52: |effect| <= 1-2 points for p <= 0.5, either sign")    \
    X(DROPOUT_GAIN_LONG, 0.07,                                                 \
      "gain per unit p at 200 epochs x capacity: net +0.015 (about +1 point) " \
      "at p 0.5 for the largest cell; WRN-28-10 on CIFAR-100 gains +1.6 "      \
      "(Zagoruyko & Komodakis 2016), much larger nets than NB201's")           \
    X(TA_COST_SHORT, 0.045,                                                    \
      "JAHS epoch 12: TrivialAugment costs 2.2-2.8 points of 55-64 above "     \
      "chance (strong cells)")                                                 \
    X(TA_GAIN_LONG, 0.04,                                                      \
      "gain x capacity once fully trained: JAHS CIFAR-10 +1.5 points at 200 "  \
      "(0.018); CIFAR-100 wide ResNets +3..+6 points (Mueller & Hutter 2021, " \
      "hp_response/README.md)")                                                \
    X(TA_FULL_EPOCHS, 100.0,                                                   \
      "JAHS: the TA gain reaches its plateau by epoch 100 (crossing zero "     \
      "between 25 and 50)")                                                    \
    X(CAP_PARAMS_LO, 79156.0,                                                  \
      "parameters of the smallest NB201 macro (no convolutions in the cell, "  \
      "100-class head): capacity 0; JAHS: TA ~0 for tiny nets")                \
    X(CAP_PARAMS_HI, 1537396.0,                                                \
      "parameters of the largest NB201 macro (six conv3x3, 100-class head): "  \
      "capacity 1")                                                            \
    X(SHORT_EPOCHS, 12.0, "NB201's short schedule: where short-run values hold") \
    X(LONG_EPOCHS, 200.0, "NB201's full schedule: where long-run values hold") \
    X(NOISE_AR_SHARE, 0.21,                                                    \
      "DeepOBS seeds 43 vs 44 at lr 3.98e-3: the autocorrelation of their "    \
      "per-epoch test-accuracy difference over epochs 1..350, lags 1..60, "    \
      "least squares of share x phi^lag: share 0.207 of the seed variance "    \
      "persists (AR(1)), the rest is new each epoch (from epoch 12 on: "       \
      "0.16)")                                                                 \
    X(NOISE_AR_PHI, 0.90,                                                      \
      "the same fit: AR(1) coefficient per epoch 0.901 (about 10 epochs' "     \
      "memory; from epoch 12 on 0.92); NB201's 12-epoch values are "           \
      "uncorrelated with any seed's 200-epoch deviation (|r| <= 0.044 on "     \
      "every dataset), as 0.90^188 = 0 says")                                  \
    X(NOISE_LEVEL_BIN, 5.0,                                                    \
      "width (points above chance) of the accuracy bins in which the seed "    \
      "spread is measured on each table: NB201's spread falls from about "     \
      "1-2 points for weak cells to 0.2-0.6 for strong ones and is 0 at "      \
      "chance")                                                                \
    X(NOISE_MIN_CELLS, 30.0,                                                   \
      "a bin with fewer cells takes the spread of the nearest bin that has "   \
      "this many (the standard error of an SD from n cells is SD / sqrt(2n): " \
      "13 % at 30; modelling choice)")                                         \
    X(BATCH_STEP_SHARE, 0.25,                                                  \
      "share of an epoch's time that is per-step overhead at batch 256 "       \
      "(kernel launches, optimizer step; estimate, no measurement in the "     \
      "data): time(bs) = t256 (share 256/bs + 1 - share)")                     \
    X(HW_GTX1060, 2.5,                                                         \
      "poster's GTX 1060 3 GB vs the GPU NB201 timed on (a GTX 1080 Ti-class " \
      "card, unverified): FP32 peak 3.9 vs 11.3 TFLOPS (2.9x), memory "        \
      "bandwidth 192 vs 484 GB/s (2.5x)")

enum {
#define JAHS_X_RC(name, value, src) JAHS_RC_##name,
    JAHS_RESPONSE_CONSTANTS(JAHS_X_RC)
#undef JAHS_X_RC
        JAHS_RC_COUNT
};

typedef struct jahs_response_constant {
    const char *name; /* "CURVE_ALPHA" */
    double value;
    const char *source;
} jahs_response_constant;

/* The constants, JAHS_RC_COUNT of them, in list order. */
const jahs_response_constant *jahs_response_constants(void);
/* Value of constant JAHS_RC_<name>. */
double jahs_response_k(int id);

/*
 * What the model reads off one table (one dataset); computed from the
 * table's own measurements by jahs_table_model_data (table_stats.h), where
 * each field's source is written down.
 */
typedef struct jahs_response_data {
    double chance;               /* percent: 100 / classes */
    double strength_lo;          /* valid_200_mean where strength is 0 */
    double strength_hi;          /* ... and 1 */
    double vt_corr;              /* correlation of a run's valid and test
                                    seed deviations */
    int n_bins;                  /* seed-spread bins, <= NOISE_BINS */
    double sd_valid[JAHS_RESPONSE_NOISE_BINS]; /* SD of one run's deviation, */
    double sd_test[JAHS_RESPONSE_NOISE_BINS];  /* bin b: [b, b+1) x
                                                  NOISE_LEVEL_BIN above chance */
} jahs_response_data;

/* Training hyperparameters in the spaces' units. */
typedef struct jahs_response_hp {
    double lr;      /* initial learning rate */
    double wd;      /* weight decay */
    double dropout; /* mean dropout probability over the stages, 0..1 */
    double batch;   /* batch size */
    int ta;         /* TrivialAugment on */
} jahs_response_hp;

/* NB201's recipe: lr 0.1, wd 5e-4, dropout 0, batch 256, TA off. */
void jahs_response_recipe(jahs_response_hp *hp);
/* 1 when hp is exactly the recipe (exact double comparisons). */
int jahs_response_is_recipe(const jahs_response_hp *hp);
/* 1 when (hp, epochs) is a measured point: the recipe at 12 or 200 epochs
 * (the result is the anchor; no noise is drawn). */
int jahs_response_is_anchor(const jahs_response_hp *hp, int epochs);

/* One cell on one fold: the anchors and what the model reads of the cell. */
typedef struct jahs_response_cell {
    double valid12, test12;   /* 12-epoch schedule, percent */
    double valid200, test200; /* 200-epoch schedule, this fold's seed */
    double strength;          /* jahs_response_strength, 0..1 */
    double capacity;          /* jahs_response_capacity, 0..1 */
    const double *frac;       /* JAHS_RESPONSE_NFRAC learning fractions
                                 g(1..11) (jahs_response_fractions) of the
                                 valid run; NULL: the mean curve
                                 (E/12)^CURVE_BETA */
    const double *frac_test;  /* those of the test run when it is another
                                 training (CIFAR-10: from test12); NULL:
                                 frac (one network) */
} jahs_response_cell;

typedef struct jahs_response_out {
    double val, test; /* percent */
    int measured;     /* 1: the anchor itself (recipe at 12 or 200 epochs) */
    int diverged;     /* 1: lr beyond the cliff, chance accuracy */
} jahs_response_out;

/* Cell strength from its mean 200-epoch valid accuracy: 0 at
 * d->strength_lo, 1 at d->strength_hi, linear between, clamped. */
double jahs_response_strength(const jahs_response_data *d,
                              double valid200_mean);
/* Capacity from the macro's parameter count (100-class head): 0 at
 * CAP_PARAMS_LO, 1 at CAP_PARAMS_HI, linear, clamped. */
double jahs_response_capacity(double params);

/* The optimal initial lr for (epochs, strength, batch): 0.1 x batch/256 x
 * 10^-max(short-run shift, weak-cell shift). */
double jahs_response_lr_opt(double epochs, double strength, double batch);

/*
 * The low-fidelity law: r(E) = 1 - LOWFID_C ln(12/E)^LOWFID_P for E < 12
 * (clamped at 0), 1 for E >= 12.  The model's E-epoch accuracy at the
 * recipe ranks cells with Spearman about r(E) x (the measured 12-vs-200
 * figure) against the measured 200-epoch accuracy.
 */
double jahs_response_law(double epochs);

/* The cell's latent learning-speed factor: a standard normal fixed per
 * cell (arch index), the same on every dataset (jahs_rng_hash, stateless). */
double jahs_response_speed_factor(int cell);

/*
 * Learning fractions of n cells, out[i][k] = g_i(k + 1) for E = 1..11:
 * the share of cell i's 12-epoch accuracy above chance it reaches in an
 * E-epoch schedule.  a12: the cells' 12-epoch valid accuracies; u: their
 * speed factors (jahs_response_speed_factor).  A Gaussian copula: with
 * z_i the normal score of a12_i among the n cells, the cell's rank at E is
 * that of L_i = cos(t) z_i + sin(t) u_i, t = acos(r(E)), and
 *
 *   g_i(E) = min(g_i(E + 1), (Q(Phi(L_i)) - chance) / (a12_i - chance)
 *                                 x (E/12)^CURVE_BETA)
 *
 * with Q the sorted a12 values: every cell's curve rises in E and never
 * passes its 12-epoch value; the spread of the E-epoch values is the
 * 12-epoch spread scaled by (E/12)^CURVE_BETA; cells at chance stay there.
 * Deterministic (ties in a12 broken by index).  JAHS_ENOMEM on failure.
 */
int jahs_response_fractions(int n, const double *a12, double chance,
                            const double *u, double (*out)[JAHS_RESPONSE_NFRAC],
                            jahs_error *err);

/* The cell's learning curve at (fractional) epochs e > 0: a12 at 12, a200
 * at 200, chance as e -> 0; below 12 through c's fractions of the valid
 * run (test = 0) or the test run (test = 1); the mean curve when c or its
 * fractions are NULL. */
double jahs_response_curve(const jahs_response_data *d,
                           const jahs_response_cell *c, int test, double a12,
                           double a200, double e);

/* M(hp, E) of the header comment (0 when diverged); strength and capacity
 * as in jahs_response_cell.  Exported for tests and documentation. */
double jahs_response_factor(const jahs_response_hp *hp, double epochs,
                            double strength, double capacity);

/*
 * Seed noise of one run at one epoch: two unit-variance values for valid
 * and test, correlated vt_corr, of the run (key = config identity, fold,
 * seed).  Over epochs each is
 *
 *   z(E) = sqrt(NOISE_AR_SHARE) x(E) + sqrt(1 - NOISE_AR_SHARE) w(E)
 *
 * with w white and x a stationary AR(1) with coefficient NOISE_AR_PHI per
 * epoch, drawn exactly by midpoint displacement (x at E given its two
 * neighbours in a dyadic tree over blocks of 64 epochs; block ends are
 * independent, neglecting the AR correlation 0.90^64 = 0.001), from
 * jahs_rng_hash / jahs_mix64: stateless, so the value at E depends only on
 * (key, fold, seed, E) and a run resumed at any epoch is the same run.
 * epoch in 1..200.
 */
void jahs_response_noise(uint64_t key, int fold, uint64_t seed, int epoch,
                         double vt_corr, double *zv, double *zt);

/* The measured seed spread (SD of one run) at `level` points above chance,
 * valid (test = 0) or test (test = 1): piecewise linear between the bin
 * centres of d, from 0 at chance; constant beyond the last bin. */
double jahs_response_noise_sd(const jahs_response_data *d, double level,
                              int test);

/*
 * The model: accuracies after `epochs` (1..200) of training with hp, for
 * cell c of a table with data d, with noise zv, zt (jahs_response_noise;
 * scaled by jahs_response_noise_sd at the noise-free level).  At the recipe
 * with epochs 12 or 200 out is the anchor exactly and measured = 1.  Pure;
 * no allocation.
 */
void jahs_response_eval(const jahs_response_data *d,
                        const jahs_response_cell *c, const jahs_response_hp *hp,
                        int epochs, double zv, double zt,
                        jahs_response_out *out);

/* Seconds-per-epoch multiplier of batch size relative to 256. */
double jahs_response_batch_time(double batch);

/* Write model_version and every constant (value "model.NAME", source
 * "model.NAME.source") as attributes of "/" in h. */
int jahs_response_write_attrs(jahs_h5 *h, jahs_error *err);
/* Check h's model_version (and that every constant is present and equal);
 * an error names the file and says how to rebuild. */
int jahs_response_check_attrs(jahs_h5 *h, jahs_error *err);

#endif
