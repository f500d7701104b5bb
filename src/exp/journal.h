/*
 * journal.h - the per-run journal: one CSV row per finished trial record
 * (exp/record.h), appended and flushed as each trial ends (core/csv.h
 * JOURNAL mode), so a killed run loses at most the row being written and can
 * be resumed by replaying the records it has.  Columns:
 *
 *   seq, worker, start, end          completion order, worker, clock seconds
 *   trial, config_id, origin, rung, bracket, epochs, resume_from
 *   <one column per space parameter> (empty when inactive)
 *   val_f<k>, test_f<k>, cost_f<k>   per fold k
 *   val, test, cost                  mean over folds, mean, sum
 *   inc_trial, inc_epochs, inc_val, inc_test   the incumbent after this row
 *
 * Numbers are written at round-trip precision, so a record reads back as it
 * was written.  The incumbent columns are computed here, once, as rows are
 * appended (jahs_journal_append); readers (the report, a resumed run) take
 * them as they are.  Only finished records (status JAHS_RECORD_DONE) are
 * journaled, so there is no status column.
 */
#ifndef JAHS_EXP_JOURNAL_H
#define JAHS_EXP_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/csv.h"
#include "core/error.h"
#include "exp/record.h"
#include "space/space.h"

/* Write the header for a space with n_folds folds. */
int jahs_journal_header(jahs_csv_writer *w, const jahs_space *sp, int n_folds,
                        jahs_error *err);
/* Write r as one row, its incumbent columns from r->inc (flushed when w is a
 * JOURNAL writer). */
int jahs_journal_write(jahs_csv_writer *w, const jahs_space *sp,
                       const jahs_record *r, jahs_error *err);

/* What the settings allow a journal's rows to hold (0: not checked). */
typedef struct jahs_journal_bounds {
    int max_epochs; /* epochs of a row at most this */
    int workers;    /* worker of a row below this */
} jahs_journal_bounds;

/*
 * Read a journal: records in file order into a malloc'd array (*rows, *n;
 * free it), n_folds and status (JAHS_RECORD_DONE) set.  A missing file gives
 * 0 rows.  The file is never modified: a torn last line (no newline; a run
 * killed while writing it) is not read (the run that resumes cuts it off,
 * jahs_journal_open).  Errors name file and line: a header that does not
 * match the space and folds, a malformed row, and a row that no run could
 * have written (issue 15, class 2): seq not the row's index (a gap, a
 * duplicate: two writers), epochs outside 1..bounds->max_epochs,
 * resume_from outside 0..epochs, a worker outside 0..bounds->workers-1, a
 * negative or non-finite time or cost, end before start, an infinite
 * accuracy (NaN is a diverged trial, which exports mark as crashed), an
 * incumbent that is not one of the rows so far.  bounds may be
 * NULL (only what holds for every setting is checked).
 */
int jahs_journal_read(const char *path, const jahs_space *sp, int n_folds,
                      const jahs_journal_bounds *bounds, jahs_record **rows,
                      size_t *n, jahs_error *err);

/* A journal open for appending, with the incumbent kept as rows arrive. */
typedef struct jahs_journal jahs_journal;

/*
 * Open the journal at path (parent directories created) for a run on sp
 * with n_folds folds.  The records already in it (a killed run's) are read
 * and checked (jahs_journal_read) and kept (jahs_journal_replay); a torn
 * last line is cut off the file; new rows go after them, and the incumbent
 * goes on from the last one's.  A new file gets the header.  Returns NULL
 * with err filled on failure (jahs_journal_read's errors, I/O).  Free with
 * jahs_journal_close or jahs_journal_abort.
 */
jahs_journal *jahs_journal_open(const char *path, const jahs_space *sp,
                                int n_folds, const jahs_journal_bounds *bounds,
                                jahs_error *err);
/* The records read at open, in file order (*n of them; owned by j). */
const jahs_record *jahs_journal_replay(const jahs_journal *j, size_t *n);
/* Append r (status JAHS_RECORD_DONE) with the incumbent after it in the
 * incumbent columns (r->inc is not read); flushed. */
int jahs_journal_append(jahs_journal *j, const jahs_record *r,
                        jahs_error *err);
/* The incumbent after the last row. */
const jahs_incumbent *jahs_journal_incumbent(const jahs_journal *j);
/* Rows in the file: read at open plus appended. */
int64_t jahs_journal_rows(const jahs_journal *j);
/* Close (everything is already flushed) and free; 0 or an I/O error. */
int jahs_journal_close(jahs_journal *j, jahs_error *err);
/* Free, keeping what was flushed.  NULL is a no-op. */
void jahs_journal_abort(jahs_journal *j);

#endif
