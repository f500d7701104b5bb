/*
 * rundir.h - the results directory: the one module that knows its layout.
 *
 *   DIR/experiment.exp              the experiment file, as run (a copy)
 *   DIR/overrides.txt               the overrides applied to it (`--set`,
 *                                   a sweep point's values), key=value a line
 *   DIR/runs/<row slug>/seed<k>.csv       a unit's journal (exp/journal.h)
 *   DIR/runs/<row slug>/seed<k>.settings  what decided its results
 *                                         (jahs_exp_row_settings)
 *   DIR/runs/<row slug>/seed<k>.done      present once the unit finished:
 *                                         row, seed, trials, its incumbent
 *   DIR/checkpoints/<row slug>/     the evaluators' checkpoints
 *   the report's files              exp/report.h
 *   a sweep: DIR/<point>/ (each a results directory) and DIR/sweep.csv
 *
 * The default DIR is results/<experiment name> (a sweep's
 * results/<name>-sweep).  While a jahs process writes DIR it holds DIR's
 * lock (jahs_rundir_lock).
 *
 * Reading (the report, `jahs analyze`, `jahs export`): jahs_rundir_open
 * loads the experiment with its overrides and the journals of its rows.
 */
#ifndef JAHS_EXP_RUNDIR_H
#define JAHS_EXP_RUNDIR_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "exp/experiment.h"
#include "exp/record.h"
#include "space/space.h"

/* The files of a unit (row, seed) under DIR/runs/<slug>/. */
typedef enum jahs_unit_file {
    JAHS_UNIT_JOURNAL,  /* seed<k>.csv */
    JAHS_UNIT_DONE,     /* seed<k>.done */
    JAHS_UNIT_SETTINGS  /* seed<k>.settings */
} jahs_unit_file;

/* DIR/runs/<r's slug>/seed<seed>.<csv|done|settings> (malloc'd; NULL when
 * out of memory). */
char *jahs_rundir_unit_path(const char *dir, const jahs_exp_row *r,
                            uint64_t seed, jahs_unit_file f);
/* DIR/checkpoints/<r's slug> (malloc'd): a row's live checkpoints, in
 * seed<S>/: one folder per row, since the live evaluator names a checkpoint
 * by seed, config id and fold only, which rows share (and --fresh discards
 * a unit's); NULL when out of memory. */
char *jahs_rundir_checkpoints(const char *dir, const jahs_exp_row *r);
/* The default results directory of e: results/<name><suffix> (suffix "" for
 * `jahs run`, "-sweep" for `jahs sweep`), malloc'd; NULL when out of
 * memory. */
char *jahs_rundir_default(const jahs_experiment *e, const char *suffix);

/*
 * Create DIR and write DIR/experiment.exp (a copy of e's file) and
 * DIR/overrides.txt (e->overrides), so the directory alone gives back e
 * (jahs_rundir_experiment).  0, or an I/O error naming the file.
 */
int jahs_rundir_prepare(const char *dir, const jahs_experiment *e,
                        jahs_error *err);
/*
 * The experiment of results directory DIR: DIR/experiment.exp with
 * DIR/overrides.txt applied.  NULL with err filled: DIR is not a directory
 * or has no experiment.exp (JAHS_ENOTFOUND), the file is invalid, an
 * override fails (named with the file).  Free with jahs_experiment_free.
 */
jahs_experiment *jahs_rundir_experiment(const char *dir, jahs_error *err);

/*
 * A unit's settings record: when the unit has no results yet, write it (the
 * journal's directory is created); when it has, they must have been made
 * with the same settings, else JAHS_ESTATE naming the journal and asking for
 * another --out or --fresh (also when a journal has no record).
 */
int jahs_rundir_unit_settings(const char *dir, const jahs_experiment *e,
                              const jahs_exp_row *r, uint64_t seed,
                              jahs_error *err);
/* The same check without writing anything: 0 when the unit has no results
 * or results made with these settings.  A run checks every unit before it
 * touches the directory, so a refused run leaves experiment.exp and
 * overrides.txt as they were (issue 15, class 5). */
int jahs_rundir_unit_check(const char *dir, const jahs_experiment *e,
                           const jahs_exp_row *r, uint64_t seed,
                           jahs_error *err);
/* 1 when the unit has finished (its .done exists). */
int jahs_rundir_unit_done(const char *dir, const jahs_exp_row *r,
                          uint64_t seed);
/* Mark the unit finished with trials records and incumbent inc (written
 * atomically). */
int jahs_rundir_unit_finish(const char *dir, const jahs_exp_row *r,
                            uint64_t seed, int64_t trials,
                            const jahs_incumbent *inc, jahs_error *err);
/* Remove a unit's results (journal, .done, .settings) and its live
 * checkpoints (checkpoints/<slug>/seed<S>/): `jahs run --fresh`. */
int jahs_rundir_unit_discard(const char *dir, const jahs_exp_row *r,
                             uint64_t seed, jahs_error *err);

/*
 * Lock DIR (created if missing) for writing: an advisory lock on the
 * directory (flock), held until jahs_rundir_unlock or the process ends (a
 * killed holder leaves no stale lock); forked children share it.  Another
 * jahs process holding it: JAHS_ESTATE naming DIR.  *lock receives the
 * handle (NULL when not taken).  Under MPI only rank 0 locks.
 */
typedef struct jahs_rundir_lock jahs_rundir_lock;
int jahs_rundir_lock_take(const char *dir, jahs_rundir_lock **lock,
                          jahs_error *err);
/* Release it.  NULL is a no-op. */
/* A shared lock on an existing dir, for a command that only reads it:
 * refused (JAHS_ESTATE) while a run holds it; readers share it.  Nothing is
 * created or written. */
int jahs_rundir_lock_shared(const char *dir, jahs_rundir_lock **lock,
                            jahs_error *err);
void jahs_rundir_unlock(jahs_rundir_lock *lock);

/* ---- reading ------------------------------------------------------------------ */

typedef struct jahs_rundir_seed {
    uint64_t seed;
    int index;            /* of seed in the row's seeds */
    char *path;           /* the journal */
    int done;             /* the unit has finished */
    jahs_record *rows;    /* in file order */
    size_t n;
} jahs_rundir_seed;

typedef struct jahs_rundir_row {
    const jahs_exp_row *row; /* in the directory's experiment */
    int index;               /* of row in the experiment */
    jahs_space *space;       /* the row's space, fixed parameters pinned */
    jahs_rundir_seed *seeds; /* the seeds whose journal exists, in the
                                row's order */
    int n_seeds;
} jahs_rundir_row;

typedef struct jahs_rundir {
    char *path;
    jahs_experiment *e;   /* owned unless given to jahs_rundir_read */
    int owns_e;
    jahs_rundir_row *rows; /* the selected rows, in experiment order */
    int n_rows;
    int n_journals;        /* over the selected rows */
} jahs_rundir;

/*
 * Open results directory path (jahs_rundir_experiment) and read the
 * journals of every row whose label or slug contains rows_filter
 * (case-insensitive; NULL or "" selects every row).  Errors, each naming the
 * path: jahs_rundir_experiment's; no row matches the filter; none of the
 * selected rows has a journal; a journal does not fit its row's space
 * (journal.h).  Free with jahs_rundir_free.
 */
jahs_rundir *jahs_rundir_open(const char *path, const char *rows_filter,
                              jahs_error *err);
/* The journals of every row of e under path (e is not owned; rows without
 * any journal are kept with n_seeds 0; no journal at all is no error). */
jahs_rundir *jahs_rundir_read(const jahs_experiment *e, const char *path,
                              jahs_error *err);
/* NULL is a no-op. */
void jahs_rundir_free(jahs_rundir *rd);

#endif
