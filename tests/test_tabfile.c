/*
 * test_tabfile.c - tabular benchmarks from files (eval/tabfile.h): the
 * columns' space, exact and nearest lookups, seeds, folds, resumed cost,
 * CSV / gzip CSV / HDF5 alike, every error path, a hand-written CSV
 * benchmark through `jahs run`, and one read of a file per process (the
 * cache: a run of 2 rows x 2 seeds, forked units, a changed file).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "core/h5.h"
#include "core/util.h"
#include "eval/eval.h"
#include "eval/tabfile.h"
#include "exp/driver.h"
#include "exp/experiment.h"
#include "harness.h"

/* lr on a 3-point grid, act two names, width 20 integers (> 16 distinct:
 * a range), epochs 1..3; val = 10 x epoch + width + (relu ? 5 : 0)
 * + 100 x lr, test = val - 1, cost = 7 x epoch. */
static const char *write_bench(const char *name, int with_seed)
{
    static char buf[1 << 16];
    size_t n = 0;
    int w, e, a, l, s;
    const double lrs[3] = {0.001, 0.01, 0.1};
    n += (size_t)snprintf(buf + n, sizeof buf - n, "lr,act,width,epoch,val,test,"
                                                    "cost%s\n",
                          with_seed ? ",seed" : "");
    for (l = 0; l < 3; l++)
        for (a = 0; a < 2; a++)
            for (w = 1; w <= 20; w++)
                for (e = 1; e <= 3; e++)
                    for (s = 0; s < (with_seed ? 2 : 1); s++) {
                        double v = 10 * e + w + (a ? 0 : 5) + 100 * lrs[l] +
                                   s * 0.5;
                        n += (size_t)snprintf(
                            buf + n, sizeof buf - n, "%g,%s,%d,%d,%g,%g,%d",
                            lrs[l], a ? "tanh" : "relu", w, e, v, v - 1,
                            7 * e);
                        if (with_seed)
                            n += (size_t)snprintf(buf + n, sizeof buf - n,
                                                  ",%d", 10 + s);
                        buf[n++] = '\n';
                    }
    buf[n] = '\0';
    return jahs_test_write(name, buf);
}

static void *open_on(const jahs_eval_type *t, const jahs_space *sp,
                     const char *path, int max_epochs, jahs_error *err)
{
    jahs_eval_options o;
    jahs_eval_options_defaults(&o);
    o.space = sp;
    o.table_file = path;
    o.max_epochs = max_epochs;
    return jahs_eval_open(t, &o, err);
}

JAHS_TEST(tabfile_columns_space_and_lookups)
{
    jahs_error err = {0};
    const char *path = write_bench("b.csv", 0);
    jahs_tabfile *t = jahs_tabfile_load(path, &err);
    jahs_space *sp = t ? jahs_tabfile_space(t, "nb201", "nb201", &err) : NULL;
    const jahs_eval_type *type = jahs_eval_find("table");
    jahs_eval *ev;
    jahs_eval_request req;
    jahs_eval_result r;
    double x[3];
    CHECK(t && sp && type);
    if (!sp || !type) {
        printf("  %s\n", err.msg);
        jahs_tabfile_free(t);
        return;
    }
    CHECK_EQ_INT(jahs_tabfile_rows(t), 3 * 2 * 20 * 3);
    CHECK_STR(sp->name, "table");
    CHECK_EQ_INT(sp->n, 3);
    /* lr: a 3-value grid -> choices sorted numerically */
    CHECK_EQ_INT(sp->params[0].kind, JAHS_PARAM_CAT);
    CHECK_EQ_INT(sp->params[0].n_choices, 3);
    CHECK_STR(sp->params[0].choices[0], "0.001");
    CHECK_STR(sp->params[0].choices[2], "0.1");
    /* act: texts, sorted */
    CHECK_EQ_INT(sp->params[1].kind, JAHS_PARAM_CAT);
    CHECK_STR(sp->params[1].choices[0], "relu");
    CHECK_STR(sp->params[1].choices[1], "tanh");
    /* width: 20 integers -> an integer range, linear (20 < 100 x 1) */
    CHECK_EQ_INT(sp->params[2].kind, JAHS_PARAM_INT);
    CHECK_EQ_DBL(sp->params[2].lo, 1);
    CHECK_EQ_DBL(sp->params[2].hi, 20);
    CHECK_EQ_INT(sp->params[2].log, 0);
    ev = open_on(type, sp, path, 3, &err);
    CHECK(ev != NULL);
    if (!ev) {
        printf("  %s\n", err.msg);
        goto out;
    }
    memset(&req, 0, sizeof req);
    req.space = sp;
    req.config = x;
    x[0] = 2; /* lr 0.1 */
    x[1] = 1; /* tanh */
    x[2] = 7;
    req.epochs = 2;
    CHECK_OK(jahs_eval_run(ev, &req, &r, &err), &err);
    CHECK_NEAR(r.val_acc, 20 + 7 + 10, 1e-9);
    CHECK_NEAR(r.test_acc, 36, 1e-9);
    CHECK_NEAR(r.cost, 14, 1e-12);
    /* resumed from epoch 1: cost(2) - cost(1) */
    req.resume_from = 1;
    CHECK_OK(jahs_eval_run(ev, &req, &r, &err), &err);
    CHECK_NEAR(r.cost, 7, 1e-12);
    req.resume_from = 0;
    /* off the grid: width 7.4 is nearest to 7 */
    x[2] = 7.4;
    CHECK_OK(jahs_eval_run(ev, &req, &r, &err), &err);
    CHECK_NEAR(r.val_acc, 37, 1e-9);
    /* no fold column: fold 1 reads the same row */
    x[2] = 7;
    req.fold = 1;
    CHECK_OK(jahs_eval_run(ev, &req, &r, &err), &err);
    CHECK_NEAR(r.val_acc, 37, 1e-9);
    /* an epoch the table does not have */
    req.epochs = 4;
    CHECK(jahs_eval_run(ev, &req, &r, &err) == JAHS_ENOTFOUND);
    CHECK_CONTAINS(err.msg, "no row for config lr=0.1,act=tanh,width=7 at "
                            "epoch 4");
    jahs_eval_close(ev);
    /* max_epochs past the table's */
    CHECK(open_on(type, sp, path, 5, &err) == NULL);
    CHECK_CONTAINS(err.msg, "max_epochs = 5, but the table's largest epoch is "
                            "3");
out:
    jahs_space_free(sp);
    jahs_tabfile_free(t);
}

JAHS_TEST(tabfile_seeds_gzip_and_h5_read_alike)
{
    jahs_error err = {0};
    const char *csv = write_bench("s.csv", 1);
    char gz[1024], h5[1024];
    const jahs_eval_type *type = jahs_eval_find("table");
    jahs_tabfile *t = jahs_tabfile_load(csv, &err);
    jahs_space *sp = t ? jahs_tabfile_space(t, NULL, NULL, &err) : NULL;
    char *text = NULL;
    size_t len = 0;
    int f;
    CHECK(sp != NULL);
    if (!sp) {
        printf("  %s\n", err.msg);
        jahs_tabfile_free(t);
        return;
    }
    /* the same table gzip'd, and written as HDF5 by the export writer */
    snprintf(gz, sizeof gz, "%s", jahs_test_path("s.csv.gz"));
    snprintf(h5, sizeof h5, "%s", jahs_test_path("s.h5"));
    CHECK_OK(jahs_read_file(csv, &text, &len, &err), &err);
    {
        gzFile g = gzopen(gz, "wb");
        CHECK(g && gzwrite(g, text, (unsigned)len) == (int)len);
        if (g)
            gzclose(g);
    }
    {
        jahs_tabfile_writer *w =
            jahs_tabfile_writer_open(h5, JAHS_TABFILE_H5, sp, &err);
        jahs_eval *ev = open_on(type, sp, csv, 3, &err);
        double x[3];
        int l, a, wd, e, s;
        CHECK(w && ev);
        for (l = 0; w && ev && l < 3; l++)
            for (a = 0; a < 2; a++)
                for (wd = 1; wd <= 20; wd++)
                    for (e = 1; e <= 3; e++)
                        for (s = 10; s <= 11; s++) {
                            jahs_eval_request req = {0};
                            jahs_eval_result r;
                            x[0] = l;
                            x[1] = a;
                            x[2] = wd;
                            req.config = x;
                            req.epochs = e;
                            req.seed = (uint64_t)s;
                            CHECK_OK(jahs_eval_run(ev, &req, &r, &err), &err);
                            CHECK_OK(jahs_tabfile_writer_row(w, x, e, 0,
                                                             (uint64_t)s, &r,
                                                             &err),
                                     &err);
                        }
        CHECK_OK(jahs_tabfile_writer_close(w, &err), &err);
        jahs_eval_close(ev);
    }
    for (f = 0; f < 3; f++) {
        const char *path = f == 0 ? csv : f == 1 ? gz : h5;
        jahs_eval *ev = open_on(type, sp, path, 3, &err);
        jahs_eval_request req = {0};
        jahs_eval_result r;
        double x[3] = {0, 0, 20}; /* lr 0.001, relu, width 20 */
        CHECK(ev != NULL);
        if (!ev) {
            printf("  %s: %s\n", path, err.msg);
            continue;
        }
        req.config = x;
        req.epochs = 3;
        req.seed = 11; /* a seed of the file: its rows */
        CHECK_OK(jahs_eval_run(ev, &req, &r, &err), &err);
        CHECK_NEAR(r.val_acc, 30 + 20 + 5 + 0.1 + 0.5, 1e-9);
        req.seed = 3; /* another: the (3 mod 2)-th of 10, 11 -> 11 */
        CHECK_OK(jahs_eval_run(ev, &req, &r, &err), &err);
        CHECK_NEAR(r.val_acc, 55.6, 1e-9);
        req.seed = 4; /* -> 10 */
        CHECK_OK(jahs_eval_run(ev, &req, &r, &err), &err);
        CHECK_NEAR(r.val_acc, 55.1, 1e-9);
        jahs_eval_close(ev);
    }
    free(text);
    jahs_space_free(sp);
    jahs_tabfile_free(t);
}

/* load path and expect an error containing want */
static void load_fails(const char *name, const char *text, const char *want)
{
    jahs_error err = {0};
    const char *path = jahs_test_write(name, text);
    jahs_tabfile *t = jahs_tabfile_load(path, &err);
    jahs_space *sp = t ? jahs_tabfile_space(t, NULL, NULL, &err) : NULL;
    void *ev = NULL;
    if (sp) {
        const jahs_eval_type *type = jahs_eval_find("table");
        ev = open_on(type, sp, path, 1, &err);
    }
    CHECK(ev == NULL);
    CHECK_CONTAINS(err.msg, want);
    jahs_eval_close(ev);
    jahs_space_free(sp);
    jahs_tabfile_free(t);
}

JAHS_TEST(tabfile_errors_name_file_and_line)
{
    char many[4096];
    size_t n = 0;
    int i;
    jahs_error err = {0};
    load_fails("a.csv", "x,epoch,val,test\n1,1,2,3\n", "no column 'cost'");
    load_fails("b.csv", "epoch,val,test,cost\n1,2,3,4\n",
               "no parameter columns");
    load_fails("c.csv", "x,epoch,val,test,cost\n1,1,2,3,4\n1,zwei,2,3,4\n",
               "c.csv:3: column 'epoch': expected an integer >= 1, got 'zwei'");
    load_fails("d.csv", "x,epoch,val,test,cost\n1,1,2,3\n",
               "d.csv:2: 4 fields, expected 5");
    load_fails("e.csv", "x,epoch,val,test,cost\n,1,2,3,4\n",
               "e.csv:2: column 'x' is empty");
    load_fails("f.csv", "x,epoch,val,test,cost\n1,1,2,3,4\n2,1,2,3,4\n"
                        "1,1,5,6,7\n",
               "f.csv:4: the same config, epoch, seed and fold as line 2");
    load_fails("g.csv", "x,x,epoch,val,test,cost\n1,1,1,2,3,4\n",
               "column 'x' appears twice");
    load_fails("h.csv", "x,epoch,val,test,cost\n", "h.csv: no rows");
    load_fails("i.csv", "x,epoch,val,test,cost,fold\n1,1,2,3,4,-1\n",
               "i.csv:2: column 'fold': expected an integer >= 0, got '-1'");
    load_fails("j.csv", "x,epoch,val,test,cost\n1,1,nan,3,4\n",
               "column 'val': expected a finite number");
    n += (size_t)snprintf(many, sizeof many, "x,epoch,val,test,cost\n");
    for (i = 0; i < 17; i++)
        n += (size_t)snprintf(many + n, sizeof many - n, "v%d,1,1,1,1\n", i);
    load_fails("k.csv", many, "column 'x' has texts and more than that many "
                              "distinct values");
    CHECK(jahs_tabfile_load(jahs_test_path("none.csv"), &err) == NULL);
    CHECK_CONTAINS(err.msg, "cannot open table file");
    CHECK(jahs_tabfile_load(NULL, &err) == NULL);
    CHECK_CONTAINS(err.msg, "needs table_file = FILE");
    /* an HDF5 file that is not a table; one with a bad code */
    {
        const char *p = jahs_test_path("bad.h5");
        jahs_h5 *h = jahs_h5_create(p, &err);
        double one = 1;
        uint64_t dims[1] = {1};
        CHECK(h && jahs_h5_write(h, "x", JAHS_H5_F64, 1, dims, &one, 0,
                                 &err) == 0);
        CHECK_OK(jahs_h5_commit(h, &err), &err);
        CHECK(jahs_tabfile_load(p, &err) == NULL);
        CHECK_CONTAINS(err.msg, "is not a jahs table file");
    }
    {
        const char *p = jahs_test_path("code.h5");
        jahs_h5 *h = jahs_h5_create(p, &err);
        double one = 1;
        int32_t code = 5;
        const char *ch[1] = {"a"};
        uint64_t dims[1] = {1};
        const char *c[5] = {"columns/epoch", "columns/val", "columns/test",
                            "columns/cost", NULL};
        for (i = 0; h && c[i]; i++)
            CHECK_OK(jahs_h5_write(h, c[i], JAHS_H5_F64, 1, dims, &one, 0,
                                   &err),
                     &err);
        CHECK_OK(jahs_h5_write(h, "columns/x", JAHS_H5_I32, 1, dims, &code, 0,
                               &err),
                 &err);
        CHECK_OK(jahs_h5_write_strings(h, "choices/x", ch, 1, 0, &err), &err);
        CHECK_OK(jahs_h5_attr_set_str(h, "/", "columns",
                                      "x,epoch,val,test,cost", &err),
                 &err);
        CHECK_OK(jahs_h5_commit(h, &err), &err);
        CHECK(jahs_tabfile_load(p, &err) == NULL);
        CHECK_CONTAINS(err.msg, "row 1: column 'x': code 5 is not one of its "
                                "1 choices");
    }
    /* a named space that is not the file's columns */
    {
        const char *p = write_bench("m.csv", 0);
        jahs_tabfile *t = jahs_tabfile_load(p, &err);
        CHECK(t && jahs_tabfile_space(t, "cell64", "nb201", &err) == NULL);
        CHECK_CONTAINS(err.msg, "are not the parameters of space 'cell64'");
        jahs_tabfile_free(t);
    }
}

/* `jahs run` on experiment text fails (1) with want in its output. */
static void run_fails(const char *name, const char *text, const char *want)
{
    char *out = NULL;
    const char *path = jahs_test_write(name, text);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s --out %s", jahs_test_bin(),
                              path, jahs_test_path("never")),
                 1);
    CHECK_CONTAINS(out, want);
    CHECK(!jahs_path_exists(jahs_test_path("never/runs")));
    free(out);
}

/* A hand-written CSV benchmark through `jahs run`: the optimizer finds the
 * table's best config; the journal holds the table's values; the same
 * command twice gives the same bytes; errors at parse time. */
JAHS_TEST(tabfile_csv_benchmark_through_jahs_run)
{
    char exp[2048], csv[1024], *out = NULL, *j1 = NULL, *j2 = NULL;
    const char *path;
    size_t l1 = 0, l2 = 0;
    jahs_error err = {0};
    snprintf(csv, sizeof csv, "%s", write_bench("run.csv", 0));
    snprintf(exp, sizeof exp,
             "name = own\nevaluator = table\ntable_file = %s\n"
             "budget_hours = 1\nmin_epochs = 1\nmax_epochs = 3\nseeds = 0\n"
             "folds = 1\n[ASHA]\noptimizer = asha\n[RS fixed lr]\n"
             "optimizer = random\nfix = lr=0.01\n",
             csv);
    path = jahs_test_write("own.exp", exp);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s --out %s", jahs_test_bin(),
                              path, jahs_test_path("r1")),
                 0);
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s --out %s", jahs_test_bin(),
                              path, jahs_test_path("r2")),
                 0);
    free(out);
    CHECK_OK(jahs_read_file(jahs_test_path("r1/runs/asha/seed0.csv"), &j1,
                            &l1, &err),
             &err);
    CHECK_OK(jahs_read_file(jahs_test_path("r2/runs/asha/seed0.csv"), &j2,
                            &l2, &err),
             &err);
    CHECK(j1 && j2 && l1 == l2 && memcmp(j1, j2, l1) == 0);
    CHECK_CONTAINS(j1, ",lr,act,width,");
    /* first trial: its values are a row of the table */
    CHECK_CONTAINS(j1, "random,0,0,1,0,");
    free(j1);
    free(j2);
    CHECK_OK(jahs_read_file(jahs_test_path("r1/runs/rs-fixed-lr/seed0.csv"),
                            &j1, &l1, &err),
             &err);
    CHECK(j1 && !strstr(j1, ",0.1,") && !strstr(j1, ",0.001,"));
    free(j1);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s report %s", jahs_test_bin(),
                              jahs_test_path("r1")),
                 0);
    free(out);
    /* an edited table: its results are not reused (the digest) */
    CHECK_EQ_INT(jahs_test_sh(&out, "echo '0.1,relu,21,1,1,1,1' >> '%s' && "
                                    "%s run %s --out %s --jobs 1",
                              csv, jahs_test_bin(), path, jahs_test_path("r1")),
                 1);
    CHECK_CONTAINS(out, "was made with other settings");
    free(out);
    /* parse-time errors: file and line of the table; no table_file */
    run_fails("nofile.exp", "evaluator = table\n[A]\n",
              "nofile.exp:2: [A]: no table file");
    snprintf(exp, sizeof exp, "evaluator = table\ntable_file = %s\n[A]\n",
             jahs_test_write("bad.csv", "x,epoch,val,test,cost\n1,1,2,x,4\n"));
    run_fails("badtab.exp", exp,
              "bad.csv:2: column 'test': expected a finite number, got 'x'");
    snprintf(exp, sizeof exp,
             "evaluator = table\ntable_file = %s\n[A]\nfix = lr=0.5\n", csv);
    run_fails("badfix.exp", exp, "cannot fix parameter 'lr' at '0.5'");
}

/* ---- one read per process (the cache) ------------------------------------ */

/* A small table x in {1,2,3} x epochs 1..3, val = base + 10 x + epoch
 * (base two digits: every base gives a file of the same size). */
static const char *write_small(const char *name, int base)
{
    char buf[1024];
    size_t n = 0;
    int x, e;
    n += (size_t)snprintf(buf, sizeof buf, "x,epoch,val,test,cost\n");
    for (x = 1; x <= 3; x++)
        for (e = 1; e <= 3; e++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%d,%d,%d,%d,%d\n",
                                  x, e, base + 10 * x + e, base + 10 * x + e,
                                  5 * e);
    return jahs_test_write(name, buf);
}

/* The whole journal of unit (row dir, seed) under results dir. */
static char *journal_of(const char *dir, const char *row, int seed)
{
    char rel[256], *text = NULL;
    jahs_error err = {0};
    snprintf(rel, sizeof rel, "%s/runs/%s/seed%d.csv", dir, row, seed);
    if (jahs_read_file(rel, &text, NULL, &err))
        printf("  %s\n", err.msg);
    return text;
}

/* 2 rows x 2 seeds through the driver in this process read the table once
 * (check, four units, report); a file rewritten between two runs is read
 * again and its new values reach the journal. */
JAHS_TEST(tabfile_read_once_per_run_and_again_when_changed)
{
    char exp[2048], csv[1024], dir[2][1024], *j[2] = {NULL, NULL};
    jahs_error err = {0};
    jahs_experiment *e;
    jahs_run_options ro;
    long before;
    int k;
    snprintf(csv, sizeof csv, "%s", write_small("once.csv", 50));
    snprintf(exp, sizeof exp,
             "name = once\nevaluator = table\ntable_file = %s\n"
             "budget_hours = 0.1\nreport_hours = 0.1\nmin_epochs = 1\n"
             "max_epochs = 3\nseeds = 0, 1\nfolds = 1\n[ASHA]\n"
             "optimizer = asha\n[RS]\noptimizer = random\n",
             csv);
    jahs_tabfile_cache_clear();
    for (k = 0; k < 2; k++) {
        snprintf(dir[k], sizeof dir[k], "%s", jahs_test_path(k ? "o2" : "o1"));
        if (k == 1) {
            /* the same size, in place, a tick later: mtime tells */
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
            write_small("once.csv", 60);
        }
        before = jahs_tabfile_loads();
        e = jahs_experiment_load(jahs_test_write("once.exp", exp), &err);
        CHECK(e != NULL);
        if (!e) {
            printf("  %s\n", err.msg);
            return;
        }
        jahs_run_options_defaults(&ro);
        ro.outdir = dir[k];
        ro.quiet = 1;
        ro.jobs = 1;
        CHECK_OK(jahs_run_experiment(e, &ro, &err), &err);
        jahs_experiment_free(e);
        CHECK_EQ_INT(jahs_tabfile_loads() - before, 1);
        j[k] = journal_of(dir[k], "asha", 1);
    }
    /* the first trial (x = 1, epoch 1; the same draw in both runs): val
     * and test base + 11, base 50 then 60 */
    CHECK_CONTAINS(j[0], "\n0,0,0,5,0,0,random,0,0,1,0,1,61,61,5,");
    CHECK_CONTAINS(j[1], "\n0,0,0,5,0,0,random,0,0,1,0,1,71,71,5,");
    free(j[0]);
    free(j[1]);
    /* no value of the old file in the second run (its values are >= 71) */
    j[1] = journal_of(dir[1], "rs", 0);
    CHECK(j[1] && !strstr(j[1], ",61,61,") && !strstr(j[1], ",62,62,"));
    free(j[1]);
}

/* Under --jobs 2 the units are forked after the check and inherit its
 * table: the whole run reads the file once (JAHS_LOG=debug names each
 * read). */
JAHS_TEST(tabfile_forked_units_inherit_the_read)
{
    char exp[1024], *out = NULL;
    const char *csv = write_small("fork.csv", 50), *path, *p;
    int reads = 0;
    snprintf(exp, sizeof exp,
             "name = fork\nevaluator = table\ntable_file = %s\n"
             "budget_hours = 0.1\nreport_hours = 0.1\nmin_epochs = 1\n"
             "max_epochs = 3\nseeds = 0, 1\nfolds = 1\n[ASHA]\n"
             "optimizer = asha\n[RS]\noptimizer = random\n",
             csv);
    path = jahs_test_write("fork.exp", exp);
    CHECK_EQ_INT(jahs_test_sh(&out, "JAHS_LOG=debug %s run %s --out %s "
                                    "--jobs 2 2>&1",
                              jahs_test_bin(), path, jahs_test_path("f")),
                 0);
    for (p = out; p && (p = strstr(p, "': read, 9 rows")); p++)
        reads++;
    CHECK_EQ_INT(reads, 1);
    if (reads != 1)
        printf("  output:\n%s\n", out ? out : "");
    free(out);
}

/* The cache: a hit is the same table; a rewritten file (a new inode, as
 * `jahs table export` writes) is a new one while the old handle stays
 * valid; tables no handle holds leave under the byte limit; clear keeps
 * handles out valid. */
JAHS_TEST(tabfile_cache_identity_limit_and_clear)
{
    jahs_error err = {0};
    jahs_tabfile *a, *a2, *b, *c;
    const char *pa, *pb;
    char tmp[1024], pa_s[1024];
    size_t old;
    long n0;
    jahs_tabfile_cache_clear();
    n0 = jahs_tabfile_loads();
    pa = write_small("ca.csv", 50);
    snprintf(pa_s, sizeof pa_s, "%s", pa);
    a = jahs_tabfile_load(pa_s, &err);
    a2 = jahs_tabfile_load(pa_s, &err);
    CHECK(a && a == a2);
    CHECK_EQ_INT(jahs_tabfile_loads() - n0, 1);
    /* replaced by rename, one row more: read again, the old one intact */
    snprintf(tmp, sizeof tmp, "%s", jahs_test_path("ca.new"));
    CHECK_EQ_INT(jahs_test_sh(NULL, "cp '%s' '%s' && echo 9,1,1,1,1 >> '%s' "
                                    "&& mv '%s' '%s'",
                              pa_s, tmp, tmp, tmp, pa_s),
                 0);
    b = jahs_tabfile_load(pa_s, &err);
    CHECK(b && b != a);
    CHECK_EQ_INT(jahs_tabfile_loads() - n0, 2);
    CHECK_EQ_INT(a ? jahs_tabfile_rows(a) : 0, 9);
    CHECK_EQ_INT(b ? jahs_tabfile_rows(b) : 0, 10);
    jahs_tabfile_free(a);
    jahs_tabfile_free(a2);
    /* a limit of 0: only the most recently used unheld table stays */
    old = jahs_tabfile_cache_limit(0);
    jahs_tabfile_free(b);
    pb = write_small("cb.csv", 60);
    c = jahs_tabfile_load(pb, &err); /* evicts ca.csv (no handle) */
    CHECK(c != NULL);
    jahs_tabfile_free(c);
    CHECK_EQ_INT(jahs_tabfile_loads() - n0, 3);
    c = jahs_tabfile_load(pa_s, &err); /* read again */
    CHECK_EQ_INT(jahs_tabfile_loads() - n0, 4);
    CHECK(jahs_tabfile_cache_limit(old) == 0);
    /* clear: the handle out stays valid (ASan: no use after free) */
    jahs_tabfile_cache_clear();
    CHECK_EQ_INT(c ? jahs_tabfile_rows(c) : 0, 10);
    jahs_tabfile_free(c);
    c = jahs_tabfile_load(pa_s, &err);
    CHECK_EQ_INT(jahs_tabfile_loads() - n0, 5);
    jahs_tabfile_free(c);
    /* a failed read is not kept: the fixed file is read */
    pb = jahs_test_write("cbad.csv", "x,epoch,val,test\n1,1,2,3\n");
    CHECK(jahs_tabfile_load(pb, &err) == NULL);
    CHECK_CONTAINS(err.msg, "no column 'cost'");
}
