/*
 * csv.h - CSV writing and reading (RFC 4180 quoting).
 *
 * Writers come in three modes: ATOMIC (whole file through a temporary and a
 * rename on close), JOURNAL (append-only, each row flushed as it ends, so a
 * killed process loses at most the row it was writing; a torn last line is
 * cut off when the journal is reopened) and STREAM (an open FILE*, stdout).
 * Doubles are written as the shortest text that reads back exactly.
 *
 * Readers take plain or gzip files alike (zlib's gzread passes plain files
 * through), and report the line each row started on, for error messages.
 */
#ifndef JAHS_CORE_CSV_H
#define JAHS_CORE_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"

typedef enum jahs_csv_mode {
    JAHS_CSV_ATOMIC,
    JAHS_CSV_JOURNAL,
    JAHS_CSV_STREAM
} jahs_csv_mode;

typedef struct jahs_csv_writer jahs_csv_writer;

/*
 * Open a writer on path (ATOMIC or JOURNAL; parent directories are created).
 * In JOURNAL mode an existing file is kept and appended to; *existed (may be
 * NULL) says whether it had any complete row.  Free with jahs_csv_close
 * (commit) or jahs_csv_abort (discard; for JOURNAL, keeps what was flushed).
 */
jahs_csv_writer *jahs_csv_open(const char *path, jahs_csv_mode mode,
                               int *existed, jahs_error *err);
/* An ATOMIC writer on dir/name (joined without a length limit). */
jahs_csv_writer *jahs_csv_open_in(const char *dir, const char *name,
                                  jahs_error *err);
/* A writer on an open stream (not closed by jahs_csv_close). */
jahs_csv_writer *jahs_csv_stream(FILE *f, jahs_error *err);

/* Append one field to the current row. */
int jahs_csv_str(jahs_csv_writer *w, const char *s);
int jahs_csv_double(jahs_csv_writer *w, double x);
int jahs_csv_int(jahs_csv_writer *w, long long x);
/* Append a whole row of strings. */
int jahs_csv_row(jahs_csv_writer *w, const char *const *fields, size_t n,
                 jahs_error *err);
/* End the row: writes the newline; flushes in JOURNAL and STREAM modes. */
int jahs_csv_end_row(jahs_csv_writer *w, jahs_error *err);

/* Commit (ATOMIC: rename into place) and free.  NULL is a no-op. */
int jahs_csv_close(jahs_csv_writer *w, jahs_error *err);
/* Discard (ATOMIC: remove the temporary) and free.  NULL is a no-op. */
void jahs_csv_abort(jahs_csv_writer *w);

/*
 * Cut a journal file back to its last complete line (a process killed while
 * writing leaves a torn row).  A missing file is fine.
 */
int jahs_csv_journal_repair(const char *path, jahs_error *err);

typedef struct jahs_csv_reader jahs_csv_reader;

/* Open path (plain or gzip).  Free with jahs_csv_reader_free. */
jahs_csv_reader *jahs_csv_reader_open(const char *path, jahs_error *err);
/* Read from a string in memory (a copy is taken); name is used in errors. */
jahs_csv_reader *jahs_csv_reader_string(const char *text, const char *name,
                                        jahs_error *err);
void jahs_csv_reader_free(jahs_csv_reader *r);

/*
 * Read the next row: 1 when a row was read, 0 at end of file, negative on
 * error (unterminated quote, I/O error; err names file and line).  Blank
 * lines are skipped.  Fields stay valid until the next call.
 */
int jahs_csv_next(jahs_csv_reader *r, jahs_error *err);
size_t jahs_csv_nfields(const jahs_csv_reader *r);
/* Field i of the current row ("" when i is out of range). */
const char *jahs_csv_field(const jahs_csv_reader *r, size_t i);
/* Line on which the current row started (1-based). */
long jahs_csv_line(const jahs_csv_reader *r);
const char *jahs_csv_path(const jahs_csv_reader *r);

/*
 * Read the first row as the header and keep it.  Returns 0, or an error when
 * the file is empty.
 */
int jahs_csv_read_header(jahs_csv_reader *r, jahs_error *err);
/* Index of the header column named name, or -1. */
int jahs_csv_col(const jahs_csv_reader *r, const char *name);
/* Like jahs_csv_col, but an absent column is an error naming the file. */
int jahs_csv_require_col(const jahs_csv_reader *r, const char *name,
                         jahs_error *err);
size_t jahs_csv_header_len(const jahs_csv_reader *r);
const char *jahs_csv_header_name(const jahs_csv_reader *r, size_t i);

/* Field col of the current row as a number; an error names file:line, the
 * column and what was found. */
int jahs_csv_get_double(const jahs_csv_reader *r, int col, double *out,
                        jahs_error *err);
int jahs_csv_get_long(const jahs_csv_reader *r, int col, long *out,
                      jahs_error *err);

#endif
