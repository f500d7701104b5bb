/*
 * tabfile.h - tabular benchmarks from files: the "table" evaluator
 * (`evaluator = table`, `table_file = FILE`) and the writer that
 * `jahs table export` uses, so any built-in table can be fed back or to
 * Syne Tune / NEPS.
 *
 * A table file has one row per (config, epoch[, seed][, fold]):
 *
 *   <parameter columns>  the config: one column per parameter
 *   epoch                the fidelity (a positive integer)
 *   val, test            validation / test accuracy, percent
 *   cost                 seconds to train the config from scratch to this
 *                        epoch (cumulative)
 *   seed                 optional: the run seed of the row
 *   fold                 optional: the cross-validation fold of the row
 *
 * Formats (chosen by content, not by name): CSV, gzip CSV (zlib: core/csv.h
 * reads both), or HDF5 (the file starts with HDF5's signature) laid out as
 * `jahs table export --format h5` writes it: a root attribute `columns`
 * (the column names, comma-separated, in order), one 1-D dataset per column
 * under /columns (float64), and for a column of names an int32 code per row
 * in /columns/<name> with the names in the string dataset /choices/<name>.
 *
 * The space (jahs_tabfile_space): when the row's `space` names a space
 * whose parameters are exactly the file's parameter columns (a table that
 * `jahs table export` wrote from it), that space: its ranges, defaults and
 * priors.  Otherwise the file's columns, in file order:
 *   - a column with any value that is not a number: categorical, its
 *     distinct texts sorted (strcmp) as the choices (at most
 *     JAHS_MAX_CHOICES);
 *   - numbers with at most JAHS_MAX_CHOICES distinct values (a grid, as
 *     most tabular benchmarks have): categorical, the values sorted
 *     numerically as choices, so every config drawn is on the grid and the
 *     journal shows the value that was looked up;
 *   - more distinct numbers (random configs, LCBench-style), all integral:
 *     integer in [min, max]; otherwise a float in [min, max]; log scale when
 *     min > 0 and max >= 100 x min.
 * The evaluator asked for a config that is not in the file (a float the
 * optimizer drew between the file's values, or a built-in space's
 * continuous hyperparameter) looks up the file's nearest config:
 * the least jahs_space_distance (mean over parameters of |du| on the unit
 * scale, 1 for a different choice), ties to the config first in the file.
 * The epoch must be in the file for that config (an error otherwise, naming
 * the epochs it has): no interpolation.
 *
 * Seeds: a run seed that is a value of the seed column reads those rows;
 * another reads the (seed mod n)-th seed of the file's sorted seeds.  Folds:
 * with a fold column, fold f reads fold f's rows (an error when absent);
 * without, every fold reads the same row.  Cost: cost(epochs), or
 * cost(epochs) - cost(resume_from) when a promoted trial resumes from its
 * checkpoint (resume = checkpoint).
 *
 * Every parameter must have a value in every row (conditional spaces are
 * not read from tables).  Errors name the file and the line (CSV) or row
 * (HDF5) and what was expected.
 */
#ifndef JAHS_EVAL_TABFILE_H
#define JAHS_EVAL_TABFILE_H

#include <stdint.h>

#include "eval/eval.h"
#include "space/space.h"

typedef struct jahs_tabfile jahs_tabfile;

/* Read a table file (any of the formats above).  NULL and err on failure.
 * Free with jahs_tabfile_free.  The table is shared and read-only: a
 * process reads a file once, and a later load of the same path returns the
 * same table while the file's device, inode, size, mtime and ctime are
 * unchanged (a file rewritten in place within one timestamp tick of its
 * file system, a few ms, keeping its size, is not seen: as make).  A file
 * that changed is read again; handles to its old table stay valid.
 * Thread-safe. */
jahs_tabfile *jahs_tabfile_load(const char *path, jahs_error *err);
/* Release a handle of jahs_tabfile_load.  NULL is a no-op. */
void jahs_tabfile_free(jahs_tabfile *t);

/* Tables no handle uses stay cached while the cache's tables (columns and
 * line numbers: about 9 x parameters + 56 bytes a row) fit in this many
 * bytes; the most recently used one always stays. */
#define JAHS_TABFILE_CACHE_BYTES ((size_t)4 << 30)
/* Set that limit (bytes), evicting what no longer fits; the old limit. */
size_t jahs_tabfile_cache_limit(size_t bytes);
/* Drop every cached table (handles out stay valid); done at exit. */
void jahs_tabfile_cache_clear(void);
/* Table files this process has read from disk so far (tests). */
long jahs_tabfile_loads(void);
/* Rows read. */
size_t jahs_tabfile_rows(const jahs_tabfile *t);

/*
 * The space of table t (rules above): the space called space_key when its
 * parameters are the file's parameter columns, else the columns' space
 * (named "table").  When space_key is neither NULL nor deflt (the row key's
 * default) and does not match, that is an error naming both lists of
 * names.  Free with jahs_space_free.
 */
jahs_space *jahs_tabfile_space(const jahs_tabfile *t, const char *space_key,
                               const char *deflt, jahs_error *err);

/* Writer for `jahs table export`: columns are sp's parameters, epoch, fold,
 * seed, val, test, cost. */
typedef enum jahs_tabfile_format {
    JAHS_TABFILE_CSV = 0,
    JAHS_TABFILE_H5 = 1
} jahs_tabfile_format;

typedef struct jahs_tabfile_writer jahs_tabfile_writer;
/* CSV is written through a temporary and renamed on close; HDF5 is
 * gathered in memory and written on close.  NULL and err on failure. */
jahs_tabfile_writer *jahs_tabfile_writer_open(const char *path,
                                              jahs_tabfile_format fmt,
                                              const jahs_space *sp,
                                              jahs_error *err);
/* One row: config x (sp->n values), the fidelity, fold, seed and result. */
int jahs_tabfile_writer_row(jahs_tabfile_writer *w, const double *x,
                            int epoch, int fold, uint64_t seed,
                            const jahs_eval_result *r, jahs_error *err);
/* Commit and free (0, or an error with nothing left at the path). */
int jahs_tabfile_writer_close(jahs_tabfile_writer *w, jahs_error *err);
/* Discard and free.  NULL is a no-op. */
void jahs_tabfile_writer_abort(jahs_tabfile_writer *w);

#endif
