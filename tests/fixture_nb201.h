/*
 * fixture_nb201.h - the real NB201 tables for the tests: each dataset's
 * table is built once per test process, into a private temporary directory,
 * from the shared CSV ($JAHS_SHARED/data/nb201/nb201_<dataset>.csv.gz), and
 * removed at exit.  Without the CSV the calling test is skipped.
 */
#ifndef JAHS_TESTS_FIXTURE_NB201_H
#define JAHS_TESTS_FIXTURE_NB201_H

#include <stdint.h>

#include "eval/nb201_table.h"
#include "eval/tabular.h"

/* The 20-column header line of the NB201 CSVs, newline included. */
extern const char fx_nb201_csv_header[];

/* The shared CSV of dataset (cifar10, cifar100, imagenet16); a static
 * buffer per dataset. */
const char *fx_nb201_csv(const char *dataset);
/* The built table's path, or NULL (test skipped; or failed when the build
 * fails). */
const char *fx_nb201_path(const char *dataset);
/* The table opened in memory (owned by the fixture), or NULL as above. */
const jahs_nb201_table *fx_nb201_mem(const char *dataset);

/* One query of tb (space sp, config x); a failure fails the test (and
 * returns its code).  info may be NULL. */
int fx_tabular_query(jahs_tabular *tb, const jahs_space *sp, const double *x,
                     int epochs, int resume_from, int fold, uint64_t seed,
                     jahs_eval_result *r, jahs_tabular_info *info);

#endif
