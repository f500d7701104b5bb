/*
 * report.h - turn the journals of an experiment into the paper's artefacts:
 *
 *   table.csv / table.md   the poster's layout: per row, incumbent test
 *                          accuracy at each report time (mean ± std over
 *                          seeds), ours beside the poster's numbers; a
 *                          report time past a row's budget reads "beyond
 *                          the budget" (empty in the CSVs), never the
 *                          budget's last value
 *   curves.csv             incumbent test (and validation) accuracy on a time
 *                          grid, mean / std / n per row
 *   speedup.csv            time to reach the reference row's final mean
 *                          accuracy, and the speedup in percent; each row
 *                          against the reference of its own search space
 *                          (jahs_exp_reference)
 *   summary.csv            one tidy line per (row, report time)
 *   ablation.csv           when the experiment names an ablation key
 *   claims.md              each claim of the poster, the numbers that decide
 *                          it, and held / not held / not applicable
 *   curves.svg/.png, ablation.svg/.png when gnuplot is installed
 *
 * All files are written atomically.  The same journals give byte-identical
 * reports.
 */
#ifndef JAHS_EXP_REPORT_H
#define JAHS_EXP_REPORT_H

#include "core/error.h"
#include "exp/experiment.h"

/* Statistics of one row at one time. */
typedef struct jahs_stat {
    int n;          /* seeds with a result by then */
    double mean, std; /* of the incumbent test accuracy (sample std, n-1) */
    double val_mean;
    int beyond;     /* 1: the time is past the row's budget_hours, so no
                       statistic (n 0, NANs): a 2 h run has no 6 h value */
} jahs_stat;

typedef struct jahs_report jahs_report;

/*
 * Load the journals of every (row, seed) of e under outdir/runs/.  Rows
 * without any journal are kept as "not run" (a live row in a tabular run).
 */
jahs_report *jahs_report_load(const jahs_experiment *e, const char *outdir,
                              jahs_error *err);
void jahs_report_free(jahs_report *r);

/* Incumbent test accuracy of row i at time t seconds, over its seeds;
 * .beyond (and no statistic) when t is past the row's budget. */
jahs_stat jahs_report_at(const jahs_report *r, int row, double t);
/* The same for one seed (by index): n is 1 when it has a result by t. */
jahs_stat jahs_report_seed_at(const jahs_report *r, int row, int seed_index,
                              double t);
/* Whether row i has any journal. */
int jahs_report_has_runs(const jahs_report *r, int row);
/*
 * The first time (seconds) at which row i's mean curve (over its seeds, on the
 * event times) reaches target; NAN when it never does within horizon.
 */
double jahs_report_time_to(const jahs_report *r, int row, double target,
                           double horizon);

/*
 * A row's curves for resampling (exp/claims.c's bootstrap): the members are
 * the row's seeds of index < first_n that have a journal, in seed order;
 * w[i] (>= 0) says how many times member i counts.  NULL: no member (or out
 * of memory).
 */
typedef struct jahs_report_curves jahs_report_curves;
jahs_report_curves *jahs_report_curves_make(const jahs_report *r, int row,
                                            int first_n);
void jahs_report_curves_free(jahs_report_curves *c);
int jahs_report_curves_members(const jahs_report_curves *c);
/* Weighted mean incumbent test accuracy at t over the members with w > 0;
 * NAN when one of them has no result yet. */
double jahs_report_curves_at(const jahs_report_curves *c, const int *w,
                             double t);
/* jahs_report_time_to of the weighted mean curve: the first event time at
 * which every member with w > 0 has a result and the mean reaches target;
 * NAN when never within horizon.  With every w = 1 it equals
 * jahs_report_time_to over the same seeds. */
double jahs_report_curves_time_to(const jahs_report_curves *c, const int *w,
                                  double target, double horizon);

/* The experiment the report was loaded for. */
const jahs_experiment *jahs_report_experiment(const jahs_report *r);

/* Append claims.md (claims.c): every claim of the poster that this
 * experiment's rows can decide, with the deciding numbers. */
struct jahs_buf;
int jahs_report_claims(const jahs_report *r, struct jahs_buf *md,
                       jahs_error *err);

/* Claim c (0, 1, ... in claims.md's order) decided on the first first_n
 * seeds of its rows, those of one setting: the setting of the experiment's
 * first row on an NB201 table (claims.md's first section).  Its id ("C1")
 * and verdict ("held", "reversed", "undecided", "not testable here", "not
 * applicable here").  0, or JAHS_ENOTFOUND past the last claim. */
int jahs_report_claim_verdict(const jahs_report *r, int c, int first_n,
                              const char **id, const char **verdict);

/*
 * The sensitivity matrix (Markdown, appended to md): one column per
 * convention, headed labels[i], its runs in dirs[i] ("DIR[,DIR...]", up to
 * 4 results directories, e.g. table1's and ablation's runs under that
 * convention), one row per claim some column can decide, each cell the
 * verdict at the poster's 3 seeds / at all seeds from the first of the
 * column's directories that has the claim's rows ("not run" when none
 * has).  Errors name the directory that cannot be read.
 */
#define JAHS_CLAIMS_MAX_VARIANTS 16
int jahs_claims_matrix(const char *const *labels, const char *const *dirs,
                       int n, struct jahs_buf *md, jahs_error *err);

/*
 * Plot helper (report.c; also the sweep's plot, sweep.c; the plots are
 * rendered by core/gnuplot.h's jahs_gnuplot_render).
 * jahs_plot_line_style appends " lc rgb '#...' dt ..." for line j of a plot:
 * colour and dash pattern each distinct for j < 12, the pair for j < 144.
 */
void jahs_plot_line_style(struct jahs_buf *b, int j);

/* Write every artefact into outdir (see above).  *plots says whether
 * gnuplot made the plots (0 when it is absent; not an error). */
int jahs_report_write(const jahs_report *r, const char *outdir, int *plots,
                      jahs_error *err);

#endif
