/*
 * rundir.h - read a run directory (what `jahs run FILE` writes) for analysis:
 *
 *   RUNDIR/experiment.exp                      the experiment file (a copy)
 *   RUNDIR/runs/<row slug>/seed<k>.csv         one journal per (row, seed)
 *   RUNDIR/runs/<row slug>/seed<k>.done        present once the run finished
 *
 * The experiment gives each row's space (with its pinned parameters, key
 * `fix`) and folds, which is what the journals are read against
 * (exp/journal.h).  Rows without any journal are kept, marked as not run (a
 * live row in a tabular-only run directory).
 */
#ifndef JAHS_ANALYSIS_RUNDIR_H
#define JAHS_ANALYSIS_RUNDIR_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "exp/experiment.h"
#include "exp/journal.h"
#include "space/space.h"

typedef struct jahs_run_seed {
    uint64_t seed;
    char *path;               /* the journal */
    int done;                 /* seed<k>.done exists */
    jahs_journal_row *rows;   /* in file order */
    size_t n;
} jahs_run_seed;

typedef struct jahs_run_row {
    const jahs_exp_row *row;  /* in the run directory's experiment */
    jahs_space *space;        /* the row's space, fixed parameters pinned */
    jahs_run_seed *seeds;     /* the seeds whose journal exists */
    int n_seeds;
} jahs_run_row;

typedef struct jahs_rundir {
    char *path;
    jahs_experiment *e;
    jahs_run_row *rows;       /* the selected rows, in experiment order */
    int n_rows;
} jahs_rundir;

/*
 * Open path and read the journals of every row whose label or slug contains
 * rows_filter (case-insensitive; NULL or "" selects every row).  Errors, each
 * naming the path: the directory does not exist; experiment.exp is missing
 * or invalid; no row matches the filter; none of the selected rows has a
 * journal; a journal has the wrong header for its row's space or a bad row
 * (journal.h).  Free with jahs_rundir_free.
 */
jahs_rundir *jahs_rundir_open(const char *path, const char *rows_filter,
                              jahs_error *err);
/* NULL is a no-op. */
void jahs_rundir_free(jahs_rundir *rd);

#endif
