/*
 * nb201_table.h - the NAS-Bench-201 tables (CIFAR-10, CIFAR-100,
 * ImageNet16-120): build an HDF5 file from a shared CSV, and read it back
 * into memory for O(1) lookups.
 *
 * Sources: ../shared/data/nb201/nb201_<dataset>.csv.gz (their READMEs say
 * what each column is and where it comes from: NAS-Bench-201 /
 * NATS-Bench-TSS, Dong & Yang 2020, Dong et al. 2021; MIT / Apache-2.0
 * redistributions).  The three CSVs have the same 20 columns and row order;
 * CIFAR-10's per-seed test columns are empty (README_cifar10.md).  Layout of
 * the .h5 (row i = NB201 arch index i; tables/README.md):
 *
 *   arch_index      i32 [N]       0..N-1
 *   ops             u8  [N, 6]    op per edge, ops_code digit order
 *   arch            u8  [N, 96]   NB201 arch string, NUL-padded
 *   n_runs_200      u8  [N]       2 or 3 (seeds 777, 888[, 999])
 *   valid_200       f64 [N, 3]    x-valid accuracy per seed (NaN if absent)
 *   test_200        f64 [N, 3]    x-test accuracy per seed (NaN if absent;
 *                                 all NaN for CIFAR-10)
 *   valid_200_mean  f64 [N]       the CSV's means over available runs
 *   test_200_mean   f64 [N]
 *   valid_12        f64 [N]       12-epoch schedule, one run
 *   test_12         f64 [N]
 *   train_time_200  f64 [N]       seconds for 200 epochs (NB201's GPU)
 *   params_M        f64 [N]       parameters, millions
 *   noise_sd_by_level f64 [B, 3]  derived: seed spread by accuracy level
 *                                 (table_stats.h; documentation only)
 * plus attributes on "/" (format, version, the dataset's name, sources,
 * licences, fold seeds, the response model's version and constants;
 * response.h; and the values derived from the table, "derived.*").
 *
 * Cells are addressed by NB201 arch index or by their ops code, the six
 * digits read as a base-5 number (0..15624); jahs spaces' edge parameters
 * edge_1_0..edge_3_2 take choices in the same digit order.
 */
#ifndef JAHS_EVAL_NB201_TABLE_H
#define JAHS_EVAL_NB201_TABLE_H

#include <stdint.h>

#include "core/error.h"
#include "space/space.h"

#define JAHS_NB201_CELLS 15625
#define JAHS_NB201_EDGES 6
#define JAHS_NB201_OPS 5
#define JAHS_NB201_SEEDS 3
#define JAHS_NB201_ARCH_LEN 96 /* bytes per arch string, NUL included */
#define JAHS_NB201_FORMAT "jahs-nb201"
/* 3: fixed-length strings and the jahs checksum (core/h5.h) */
#define JAHS_NB201_FORMAT_VERSION 3L

/*
 * The NB201 datasets.  Every table holds one; the CLI's --dataset and the
 * library take the name.  Facts come from the data READMEs.
 */
typedef struct jahs_nb201_dataset {
    const char *name;       /* "cifar100": --dataset, file names */
    const char *title;      /* "CIFAR-100" */
    const char *csv;        /* "nb201_cifar100.csv.gz" */
    int classes;
    double chance;          /* percent: 100 / classes */
    double train_images;    /* images of the full training set */
    double timed_images;    /* images of the run train_time_200 timed
                               (CIFAR-10: the 25k cifar10-valid run) */
    int per_seed_test;      /* 0: test_200 per seed is absent (CIFAR-10) */
    int valid_test_one_net; /* 1: valid and test are two halves of one
                               network's test set; 0: separate trainings */
    const char *split;      /* what valid and test are (one sentence) */
    const char *provenance; /* the CSV's sources and licences */
} jahs_nb201_dataset;

/* The datasets in a fixed order (cifar10, cifar100, imagenet16); i in
 * 0..jahs_nb201_dataset_count()-1, else NULL. */
int jahs_nb201_dataset_count(void);
const jahs_nb201_dataset *jahs_nb201_dataset_at(int i);
/* By name, or NULL. */
const jahs_nb201_dataset *jahs_nb201_dataset_find(const char *name);
/* The poster's dataset (and every default): cifar100. */
const jahs_nb201_dataset *jahs_nb201_dataset_default(void);
/* By name; an unknown name is JAHS_EINVAL with a message listing the
 * names ("dataset 'x': expected cifar10, cifar100 or imagenet16"). */
int jahs_nb201_dataset_parse(const char *name, const jahs_nb201_dataset **out,
                             jahs_error *err);

/*
 * Where a dataset's table lives by default: for cifar100, $JAHS_TABLE when
 * set and non-empty (the one-table setting of earlier versions); otherwise
 * "$JAHS_TABLE_DIR/nb201_<name>.h5", $JAHS_TABLE_DIR defaulting to
 * "tables" (relative to the working directory).  ds NULL: cifar100.
 * Returns the path, malloc'd (no length limit), or NULL when out of memory.
 */
char *jahs_table_path_for(const jahs_nb201_dataset *ds);
/*
 * Where a table at path is: path itself when it is absolute or exists from
 * the working directory; else, for an installed jahs, <prefix>/share/jahs/
 * path (<prefix> the directory above the running binary's, so DESTDIR
 * installs work too); else the source tree jahs was built from
 * (JAHS_SRCDIR/path); else path (whose open then fails naming it).  buf
 * (size bytes) may receive the result; a candidate longer than buf is
 * skipped, never truncated.
 */
const char *jahs_table_locate(const char *path, char *buf, size_t size);

/* The shared CSV of ds: "$JAHS_SHARED/data/nb201/<csv>", $JAHS_SHARED
 * defaulting to "../shared"; malloc'd, NULL when out of memory. */
char *jahs_nb201_default_csv(const jahs_nb201_dataset *ds);

/* Op names in ops_code digit order: none, skip_connect, nor_conv_1x1,
 * nor_conv_3x3, avg_pool_3x3. */
const char *jahs_nb201_op_name(int op);
/* NB201 seed of seed column s (0..2): 777, 888, 999. */
int jahs_nb201_seed(int s);

/* ops (6 digits 0..4) -> base-5 code 0..15624. */
int jahs_nb201_code(const uint8_t ops[6]);
/* code -> ops. */
void jahs_nb201_ops_of_code(int code, uint8_t ops[6]);
/* Write the NB201 arch string of ops into buf (needs JAHS_NB201_ARCH_LEN);
 * returns buf. */
char *jahs_nb201_arch_string(const uint8_t ops[6], char *buf, size_t size);
/* Parse an NB201 arch string; 0 and ops, or -1 when it is malformed. */
int jahs_nb201_parse_arch(const char *s, uint8_t ops[6]);

/*
 * The table in memory (read-only after open; one allocation holds every
 * array).  Row i is NB201 arch index i.  The `arch` strings are checked to
 * be present but not loaded: jahs_nb201_arch_string rebuilds them from ops.
 */
typedef struct jahs_nb201_table {
    char *path;
    const jahs_nb201_dataset *dataset; /* what the file holds */
    int n;                    /* JAHS_NB201_CELLS */
    uint8_t (*ops)[6];        /* n x 6 */
    uint8_t *n_runs;          /* n */
    double (*valid200)[3];    /* n x 3, NAN when absent */
    double (*test200)[3];     /* n x 3; all NAN without per-seed test */
    double *valid200_mean;    /* n */
    double *test200_mean;     /* n */
    double *valid12, *test12; /* n */
    double *time200;          /* n, seconds */
    double *params_m;         /* n, millions */
    int32_t *index_of_code;   /* JAHS_NB201_CELLS: ops code -> arch index */
    int32_t *by_rank;         /* n: arch indices by valid200_mean, best first
                                 (ties: lower index first) */
} jahs_nb201_table;

/*
 * Build the .h5 of dataset ds at out_path from its NB201 CSV (plain or
 * gzip) at csv_path.  Validates the header (exact column names), every row
 * (field count, index range and uniqueness, ops code vs arch string, run
 * count vs empty seed-999 fields, accuracies in [0, 100], per-seed test
 * present with test = 2 oritest - valid, or, for a dataset without per-seed
 * test (CIFAR-10), every per-seed test field empty and oritest_mean equal
 * to test_mean; means, times and parameters positive) and the total
 * (15,625 distinct cells); the first problem stops the build with
 * "file:line: what".  Nothing is written until everything is valid, and the
 * file appears atomically (no half-written .h5 on any failure).
 */
int jahs_nb201_table_build_dataset(const jahs_nb201_dataset *ds,
                                   const char *csv_path, const char *out_path,
                                   jahs_error *err);
/* jahs_nb201_table_build_dataset for CIFAR-100. */
int jahs_nb201_table_build(const char *csv_path, const char *out_path,
                           jahs_error *err);

/*
 * Open a table: read every dataset into memory, check shapes, format,
 * version, the dataset name and the response model's version and
 * constants.  NULL and err (naming the file and the dataset) on a missing,
 * corrupt, truncated or wrong-shaped file.  Free with jahs_nb201_table_free.
 */
jahs_nb201_table *jahs_nb201_table_open(const char *path, jahs_error *err);
/*
 * Open the table of dataset `dataset` (a name; NULL: whatever the file
 * holds) at `path` (NULL: jahs_table_path_for(dataset), cifar100 when both
 * are NULL).  When both are given the file must hold that dataset
 * ("'x.h5' holds the cifar100 table, not imagenet16").  An unknown dataset
 * name is an error that lists the names.
 */
jahs_nb201_table *jahs_nb201_table_open_dataset(const char *dataset,
                                                const char *path,
                                                jahs_error *err);
/* NULL is a no-op. */
void jahs_nb201_table_free(jahs_nb201_table *t);

/* Arch index of ops (every cell is in the table). */
static inline int jahs_nb201_lookup(const jahs_nb201_table *t,
                                    const uint8_t ops[6])
{
    return t->index_of_code[jahs_nb201_code(ops)];
}

/*
 * The cell a config of space sp selects: nb201 / cell64 from the edge
 * parameters edge_1_0..edge_3_2, top10 from `arch` (rankK -> by_rank[K-1]).
 * Returns the arch index, or a negative code with err (seqcnn and other
 * spaces are not in the table).
 */
int jahs_nb201_cell_of_config(const jahs_nb201_table *t, const jahs_space *sp,
                              const double *x, jahs_error *err);

/* Set the edge parameters of x (space nb201 or cell64) to ops. */
int jahs_nb201_set_cell(const jahs_space *sp, const uint8_t ops[6], double *x,
                        jahs_error *err);

#endif
