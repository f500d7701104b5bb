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
 * arch_weights when given (NULL or ""), else the priors the space file
 * states (space/space_file.h) when it states any, else from the NB201 table of
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

/* Write w as CSV `param,choice,weight` (header first; what
 * jahs_prior_load_weights reads), 30 rows. */
int jahs_arch_prior_write(const double w[6][5], jahs_csv_writer *out,
                          jahs_error *err);

#endif
