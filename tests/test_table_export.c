/*
 * test_table_export.c - `jahs table export` (eval/table_export.h): a slice
 * of the built-in table, written as CSV and as HDF5, read back with
 * `evaluator = table` gives the tabular evaluator's results for the same
 * configs (byte-identical journals); its bad options are errors.  Skips
 * when the shared NB201 CSV is absent.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "fixture_nb201.h"
#include "harness.h"

/* The journal of row slug of results directory dir (malloc'd). */
static char *journal(const char *dir, const char *slug)
{
    char path[2048], *text = NULL;
    size_t len = 0;
    jahs_error err = {0};
    snprintf(path, sizeof path, "%s/runs/%s/seed0.csv", dir, slug);
    CHECK_OK(jahs_read_file(path, &text, &len, &err), &err);
    return text;
}

/* Journals a and b field by field: equal text, or numbers within a relative
 * 1e-12 (a resumed trial's cost is cost(e) - cost(r) from the file, the
 * tabular evaluator's s/epoch x (e - r): one rounding apart). */
static void same_numbers(const char *a, const char *b)
{
    int field = 0, bad = 0;
    while (*a && *b && bad < 3) {
        size_t la = strcspn(a, ",\n"), lb = strcspn(b, ",\n");
        char fa[64] = "", fb[64] = "";
        double x, y;
        snprintf(fa, sizeof fa, "%.*s", (int)la, a);
        snprintf(fb, sizeof fb, "%.*s", (int)lb, b);
        if (strcmp(fa, fb) != 0 &&
            (jahs_parse_double(fa, &x) || jahs_parse_double(fb, &y) ||
             fabs(x - y) > 1e-12 * fabs(x))) {
            jahs_test_fail(__FILE__, __LINE__, "field %d: '%s' vs '%s'", field,
                           fa, fb);
            bad++;
        }
        a += la + (a[la] != 0);
        b += lb + (b[lb] != 0);
        field++;
    }
    CHECK(!*a && !*b);
}

JAHS_TEST(table_export_reads_back_as_the_tabular_evaluator)
{
    const char *table = fx_nb201_path("cifar100");
    char csv[1024], h5[1024], exp[4096], *out = NULL, *a, *b, *c;
    const char *path;
    int f;
    if (!table)
        return;
    snprintf(csv, sizeof csv, "%s", jahs_test_path("top10.csv"));
    snprintf(h5, sizeof h5, "%s", jahs_test_path("top10.h5"));
    for (f = 0; f < 2; f++) {
        CHECK_EQ_INT(jahs_test_sh(&out,
                                  "%s table export --table '%s' --space top10 "
                                  "--epochs 1..9 --seeds 0 --format %s "
                                  "--out '%s'",
                                  jahs_test_bin(), table, f ? "h5" : "csv",
                                  f ? h5 : csv),
                     0);
        /* 10 cells x trivial_augment off / on x 2 folds x 9 epochs */
        CHECK_CONTAINS(out, "360 rows");
        free(out);
    }
    CHECK_EQ_INT(jahs_test_sh(&out, "head -2 '%s'", csv), 0);
    CHECK_CONTAINS(out, "arch,lr,wd,dropout_1,dropout_2,dropout_3,batch_size,"
                        "trivial_augment,epoch,fold,seed,val,test,cost\n"
                        "rank01,0.1,0.0005,0,0,0,256,off,1,0,0,");
    free(out);
    /* the same search on the tabular evaluator and on both exports */
    snprintf(exp, sizeof exp,
             "name = back\ntable = %s\nspace = top10\nbudget_hours = 2\n"
             "min_epochs = 1\nmax_epochs = 9\nseeds = 0\nfolds = 2\n"
             "optimizer = asha\nresume = restart\n"
             "fix = lr=0.1,wd=0.0005,dropout_1=0,dropout_2=0,dropout_3=0,"
             "batch_size=256\n"
             "[tabular]\nevaluator = tabular\n"
             "[csv]\nevaluator = table\ntable_file = %s\n"
             "[h5]\nevaluator = table\ntable_file = %s\n",
             table, csv, h5);
    path = jahs_test_write("back.exp", exp);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s --out %s", jahs_test_bin(),
                              path, jahs_test_path("r")),
                 0);
    free(out);
    a = journal(jahs_test_path("r"), "tabular");
    b = journal(jahs_test_path("r"), "csv");
    c = journal(jahs_test_path("r"), "h5");
    CHECK(a && b && c);
    if (a && b && c) {
        CHECK(strlen(a) > 1000);
        CHECK_STR(b, a);
        CHECK_STR(c, a);
    }
    free(a);
    free(b);
    free(c);
    /* promoted trials that resume: the same up to the cost's rounding */
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s --out %s --set resume=checkpoint",
                              jahs_test_bin(), path, jahs_test_path("k")),
                 0);
    free(out);
    a = journal(jahs_test_path("k"), "tabular");
    b = journal(jahs_test_path("k"), "h5");
    if (a && b)
        same_numbers(a, b);
    free(a);
    free(b);
}

/* `jahs table export ARGS` exits code with want in its output. */
static void export_fails(const char *args, int code, const char *want)
{
    char *out = NULL;
    CHECK_EQ_INT(jahs_test_sh(&out, "%s table export %s", jahs_test_bin(),
                              args),
                 code);
    CHECK_CONTAINS(out, want);
    free(out);
}

JAHS_TEST(table_export_bad_options)
{
    char args[2048];
    const char *g = jahs_test_path("g.csv");
    export_fails("", 2, "'--out FILE' is required");
    export_fails("--out x --format xls", 2,
                 "option '--format' expects csv or h5, got 'xls'");
    export_fails("--out x --epochs 0..3", 2,
                 "option '--epochs' expects up to 200 integers in 1..200");
    snprintf(args, sizeof args, "--out %s --space top10 --grid lr=5 --table "
                                "/nonexistent.h5", g);
    export_fails(args, 1, "cannot grid 'lr' at '5'");
    snprintf(args, sizeof args, "--out %s --space top10 --grid lr", g);
    export_fails(args, 2, "grid: expected name=value/value/..., got 'lr'");
    snprintf(args, sizeof args, "--out %s --space top10 --table "
                                "/nonexistent.h5", g);
    export_fails(args, 1, "nonexistent.h5");
    CHECK(!jahs_path_exists(g));
}
