/*
 * journal.h - the per-run journal: one CSV row per finished trial, appended
 * and flushed as each trial ends (core/csv.h JOURNAL mode), so a killed run
 * loses at most the row being written and can be resumed by replaying the
 * rows it has.  Columns:
 *
 *   seq, worker, start, end          completion order, worker, clock seconds
 *   trial, config_id, origin, rung, bracket, epochs, resume_from
 *   <one column per space parameter> (empty when inactive)
 *   val_f<k>, test_f<k>, cost_f<k>   per fold k
 *   val, test, cost                  mean over folds, mean, sum
 *   inc_trial, inc_epochs, inc_val, inc_test   the incumbent after this row
 *
 * Incumbent (DESIGN.md): the best mean validation accuracy among the
 * evaluations at the highest fidelity reached so far; its test accuracy is
 * what the tables report.  Ties keep the earlier trial.
 */
#ifndef JAHS_EXP_JOURNAL_H
#define JAHS_EXP_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/csv.h"
#include "core/error.h"
#include "opt/opt.h"
#include "space/space.h"

#ifndef JAHS_MAX_FOLDS
#define JAHS_MAX_FOLDS 8
#endif

typedef struct jahs_journal_row {
    int64_t seq;
    int worker;
    double start, end;
    jahs_trial trial;             /* id, config_id, config, epochs, ... */
    int n_folds;
    double fold_val[JAHS_MAX_FOLDS];
    double fold_test[JAHS_MAX_FOLDS];
    double fold_cost[JAHS_MAX_FOLDS];
    double val, test, cost;
    int64_t inc_trial;            /* -1 before any result */
    int inc_epochs;
    double inc_val, inc_test;
} jahs_journal_row;

/* The incumbent as rows arrive. */
typedef struct jahs_incumbent {
    int64_t trial; /* -1: none yet */
    int epochs;
    double val, test;
} jahs_incumbent;

void jahs_incumbent_init(jahs_incumbent *inc);
/* Fold one finished evaluation in; returns 1 when the incumbent changed. */
int jahs_incumbent_update(jahs_incumbent *inc, int64_t trial, int epochs,
                          double val, double test);

/* Write the header for a space with n_folds folds. */
int jahs_journal_header(jahs_csv_writer *w, const jahs_space *sp, int n_folds,
                        jahs_error *err);
/* Write one row (flushed when w is a JOURNAL writer). */
int jahs_journal_write(jahs_csv_writer *w, const jahs_space *sp,
                       const jahs_journal_row *r, jahs_error *err);

/*
 * Read a journal: rows in file order into a malloc'd array (*rows, *n; free
 * it).  A missing file gives 0 rows.  A header that does not match the space
 * and folds, or a malformed row, is an error naming file and line.  A torn
 * last line (no newline) is ignored.
 */
int jahs_journal_read(const char *path, const jahs_space *sp, int n_folds,
                      jahs_journal_row **rows, size_t *n, jahs_error *err);

#endif
