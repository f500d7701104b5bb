/*
 * nb201_table.h - the NAS-Bench-201 CIFAR-100 table: build the HDF5 file
 * from the shared CSV, and read it back into memory for O(1) lookups.
 *
 * Source: ../shared/data/nb201/nb201_cifar100.csv.gz (its README says what
 * each column is and where it comes from: NAS-Bench-201 / NATS-Bench-TSS,
 * Dong & Yang 2020, Dong et al. 2021; MIT / Apache-2.0 redistributions).
 * Layout of the .h5 (row i = NB201 arch index i; tables/README.md):
 *
 *   arch_index      i32 [N]       0..N-1
 *   ops             u8  [N, 6]    op per edge, ops_code digit order
 *   arch            u8  [N, 96]   NB201 arch string, NUL-padded
 *   n_runs_200      u8  [N]       2 or 3 (seeds 777, 888[, 999])
 *   valid_200       f64 [N, 3]    x-valid accuracy per seed (NaN if absent)
 *   test_200        f64 [N, 3]    x-test accuracy per seed (NaN if absent)
 *   valid_200_mean  f64 [N]       the CSV's means over available runs
 *   test_200_mean   f64 [N]
 *   valid_12        f64 [N]       12-epoch schedule, one run
 *   test_12         f64 [N]
 *   train_time_200  f64 [N]       seconds for 200 epochs (NB201's GPU)
 *   params_M        f64 [N]       parameters, millions
 * plus attributes on "/" (format, version, sources, licences, fold seeds,
 * the response model's version and constants; response.h).
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
#define JAHS_NB201_FORMAT "jahs-nb201-cifar100"
#define JAHS_NB201_FORMAT_VERSION 1L

/* The default table path: $JAHS_TABLE when set and non-empty, else
 * "tables/nb201_cifar100.h5" (relative to the working directory). */
const char *jahs_table_default_path(void);

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
    int n;                    /* JAHS_NB201_CELLS */
    uint8_t (*ops)[6];        /* n x 6 */
    uint8_t *n_runs;          /* n */
    double (*valid200)[3];    /* n x 3, NAN when absent */
    double (*test200)[3];     /* n x 3 */
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
 * Build the .h5 at out_path from the NB201 CSV (plain or gzip) at csv_path.
 * Validates the header (exact column names), every row (field count, index
 * range and uniqueness, ops code vs arch string, run count vs empty seed-999
 * fields, accuracies in [0, 100], test = 2 oritest - valid, means, times
 * and parameters positive) and the total (15,625 distinct cells); the first
 * problem stops the build with "file:line: what".  Nothing is written until
 * everything is valid, and the file appears atomically (no half-written
 * .h5 on any failure).
 */
int jahs_nb201_table_build(const char *csv_path, const char *out_path,
                           jahs_error *err);

/*
 * Open a table: read every dataset into memory, check shapes, format,
 * version and the response model's version and constants.  NULL and err
 * (naming the file and the dataset) on a missing, corrupt, truncated or
 * wrong-shaped file.  Free with jahs_nb201_table_free.
 */
jahs_nb201_table *jahs_nb201_table_open(const char *path, jahs_error *err);
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
