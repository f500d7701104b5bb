/*
 * arch_prior.h - the poster's architecture prior: "frequency of edge
 * operation of 100 best-performing architectures in NAS-Bench-201 on
 * CIFAR-100".  Per edge, the weight of op o is
 *
 *   w[e][o] = (count of o on edge e among the top-k cells + pseudo)
 *             / (k + 5 pseudo)
 *
 * with cells ranked by mean 200-epoch validation accuracy (the table's
 * by_rank; ties by lower arch index).  The pseudo-count (default 1, Laplace's
 * add-one rule: the posterior mean of each edge's op probabilities under a
 * uniform Dirichlet(1, ..., 1) prior) keeps every op possible: with k = 100
 * an op never seen among the top cells keeps 1/105 (about 1 %), so sampling
 * can still reach it and PriorBand's log densities stay finite.  A pseudo-
 * count of 0 gives the raw frequencies (zeros included).
 */
#ifndef JAHS_EVAL_ARCH_PRIOR_H
#define JAHS_EVAL_ARCH_PRIOR_H

#include <stddef.h>

#include "core/csv.h"
#include "core/error.h"
#include "eval/nb201_table.h"
#include "space/prior.h"

#define JAHS_ARCH_PRIOR_TOP 100     /* the poster's top-k */
#define JAHS_ARCH_PRIOR_PSEUDO 1.0  /* Laplace add-one */

/*
 * Fill w[e][o] (edges in ops_code order, ops by digit) for the top_k cells
 * (1..15625) with pseudo-count pseudo (>= 0).  Each row sums to 1.
 */
int jahs_arch_prior_weights(const jahs_nb201_table *t, int top_k, double pseudo,
                            double w[6][5], jahs_error *err);

/*
 * The same over the cells ranked first+1 .. first+count (first = 0: the top
 * count), for priors of chosen quality: first = 15525, count = 100 gives the
 * frequencies of the 100 worst cells, a misleading prior.
 */
int jahs_arch_prior_weights_ranked(const jahs_nb201_table *t, int first,
                                   int count, double pseudo, double w[6][5],
                                   jahs_error *err);

/*
 * Set the edge parameters of pr's space (nb201 or cell64: edge_1_0 ..
 * edge_3_2) to WEIGHTS from jahs_arch_prior_weights.  Other parameters are
 * left as they are.  Spaces without cell edges (top10, seqcnn) are an error.
 */
int jahs_arch_prior_fill(jahs_prior *pr, const jahs_nb201_table *t, int top_k,
                         double pseudo, jahs_error *err);

/* jahs_arch_prior_fill over the cells ranked first+1 .. first+count. */
int jahs_arch_prior_fill_ranked(jahs_prior *pr, const jahs_nb201_table *t,
                                int first, int count, double pseudo,
                                jahs_error *err);

/*
 * The prior of a run or of `jahs space sample` (the one builder): cover none
 * / hp / arch / joint; HP parameters centred at sp's defaults with
 * confidence conf; architecture parameters from the weights file
 * arch_weights when given (NULL or ""), else from the NB201 table of
 * dataset (a name, NULL: whatever the file holds) at table_path (NULL: that
 * dataset's default table, cifar100's when both are NULL;
 * jahs_nb201_table_open_dataset): the op frequencies of the cells ranked
 * skip+1 .. skip+top with pseudo-count pseudo.  NULL with err filled on
 * failure (the table's message when it cannot be opened).  Free with
 * jahs_prior_free.
 */
jahs_prior *jahs_arch_prior_build(const jahs_space *sp, jahs_prior_cover cover,
                                  jahs_confidence conf,
                                  const char *arch_weights,
                                  const char *dataset, const char *table_path,
                                  int skip, int top, double pseudo,
                                  jahs_error *err);

/*
 * HP priors of chosen quality (the experiment key hp_prior; REPRODUCE.md,
 * "HP-prior quality"), so that "HP priors help" is measured for a prior that
 * is not the optimum by construction (the recipe is the response model's
 * anchor, eval/response.h):
 *
 *   RECIPE         NB201's recipe, the spaces' defaults (lr 0.1, wd 5e-4,
 *                  dropout 0, batch 256, TrivialAugment off);
 *   LR_DECADE_OFF  the recipe with lr one decade below, 0.01 (inside the
 *                  range; a decade above, 1.0, is its upper end): the
 *                  response model charges it about 6 points at 20 epochs on
 *                  CIFAR-100's best cells (64.2 -> 58.2, noise-free);
 *   MISLEADING     the corner of the HP box the response model scores worst
 *                  at the search's 20 epochs among those that train (lr 1
 *                  with batch 64 diverges to chance: a flat region no expert
 *                  would pick after one epoch): lr 0.001 (LR_LOW_K and the
 *                  slowed learning, LR_SPEED_EXP), wd 1e-2 (WD_COST_SHORT),
 *                  dropout 0.5 (DROPOUT_COST_SHORT), batch 512 (linear
 *                  scaling moves the lr optimum up, further from 0.001),
 *                  TrivialAugment on (TA_COST_SHORT): 18.4 % on CIFAR-100's
 *                  best cell (tests/test_transfer.c checks the ranking).
 */
typedef enum jahs_hp_prior_variant {
    JAHS_HP_PRIOR_RECIPE = 0,
    JAHS_HP_PRIOR_LR_DECADE_OFF,
    JAHS_HP_PRIOR_MISLEADING
} jahs_hp_prior_variant;

/* "recipe", "lr-decade-off", "misleading" <-> the variant; parse: -1 when
 * unknown. */
int jahs_hp_prior_parse(const char *s);
const char *jahs_hp_prior_name(jahs_hp_prior_variant v);

/*
 * The centres of variant v for the HP parameters of space sp (lr, wd,
 * dropout*, batch_size, trivial_augment, those sp has) as "name=value,..."
 * into buf (n bytes; "" for RECIPE: the defaults); returns buf.
 */
const char *jahs_hp_prior_centres(const jahs_space *sp,
                                  jahs_hp_prior_variant v, char *buf,
                                  size_t n);

/* Move pr's HP centres to variant v's (confidence conf); RECIPE leaves pr
 * as it is.  0, or the error of jahs_prior_set_defaults_text. */
int jahs_hp_prior_apply(jahs_prior *pr, jahs_hp_prior_variant v,
                        jahs_confidence conf, jahs_error *err);

/* Write w as CSV `param,choice,weight` (header first; what
 * jahs_prior_load_weights reads), 30 rows. */
int jahs_arch_prior_write(const double w[6][5], jahs_csv_writer *out,
                          jahs_error *err);

#endif
