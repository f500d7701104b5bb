/*
 * test_tabular_cli.c - `jahs table build|query|stats`, `jahs prior arch` and
 * `jahs space sample --prior arch|joint` from the table, end to end through
 * the binary.  Skips when the shared NB201 CSV is absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "harness.h"

/* Build a table in the test's directory; NULL (skipped) without the CSV. */
static const char *cli_table(void)
{
    static char csv[1024];
    const char *out = jahs_test_path("t.h5");
    char *o = NULL;
    snprintf(csv, sizeof csv, "%s/data/nb201/nb201_cifar100.csv.gz",
             jahs_test_shared());
    if (!jahs_path_exists(csv)) {
        jahs_test_skip("shared NB201 CSV '%s' absent", csv);
        return NULL;
    }
    CHECK_EQ_INT(jahs_test_sh(&o, "%s table build --from '%s' --out '%s'",
                              jahs_test_bin(), csv, out),
                 0);
    CHECK_CONTAINS(o, "15625 cells");
    free(o);
    return out;
}

JAHS_TEST(cli_table_build_query_stats)
{
    const char *t = cli_table();
    char *o = NULL;
    if (!t)
        return;
    CHECK_EQ_INT(jahs_test_sh(&o, "%s table query --space top10 --config "
                                  "arch=rank01 --epochs 200 --table '%s'",
                              jahs_test_bin(), t),
                 0);
    CHECK_STR(o, "dataset,space,arch_index,ops_code,epochs,fold,seed,val_acc,"
                 "test_acc,cost_s,measured,diverged\n"
                 "cifar100,top10,9930,333133,200,0,0,73.52,73.18,5869.007,1,0\n");
    free(o);
    CHECK_EQ_INT(jahs_test_sh(&o, "%s table query --space nb201 --config "
                                  "'edge_1_0=nor_conv_3x3,edge_2_0=3,edge_2_1=3,"
                                  "edge_3_0=skip_connect,edge_3_1=3,edge_3_2=3'"
                                  " --epochs 12 --fold 1 --hardware-factor 2.5 "
                                  "--table '%s'",
                              jahs_test_bin(), t),
                 0);
    CHECK_CONTAINS(o, "\ncifar100,nb201,9930,333133,12,1,0,60.28,61.12,");
    free(o);
    /* --noise-free: the seed does not move the value; without it it does */
    {
        char *a = NULL, *b = NULL;
        CHECK_EQ_INT(jahs_test_sh(&a, "%s table query --space top10 --config "
                                      "arch=rank03,lr=0.03 --epochs 7 --seed 1 "
                                      "--noise-free --table '%s' | cut -d, "
                                      "-f8,9",
                                  jahs_test_bin(), t),
                     0);
        CHECK_EQ_INT(jahs_test_sh(&b, "%s table query --space top10 --config "
                                      "arch=rank03,lr=0.03 --epochs 7 --seed 2 "
                                      "--noise-free --table '%s' | cut -d, "
                                      "-f8,9",
                                  jahs_test_bin(), t),
                     0);
        CHECK(a && b && strcmp(a, b) == 0);
        free(b);
        b = NULL;
        CHECK_EQ_INT(jahs_test_sh(&b, "%s table query --space top10 --config "
                                      "arch=rank03,lr=0.03 --epochs 7 --seed 2 "
                                      "--table '%s' | cut -d, -f8,9",
                                  jahs_test_bin(), t),
                     0);
        CHECK(a && b && strcmp(a, b) != 0);
        free(a);
        free(b);
    }
    /* JAHS_TABLE is the default path */
    CHECK_EQ_INT(jahs_test_sh(&o, "JAHS_TABLE='%s' %s table stats", t,
                              jahs_test_bin()),
                 0);
    CHECK_CONTAINS(o, "best cell (mean 200-epoch valid): index 9930");
    CHECK_CONTAINS(o, "cells within 4 points of chance (1 %) in test "
                      "accuracy: 341");
    CHECK_CONTAINS(o, "Spearman(test_12, test_200_mean) = 0.824");
    CHECK_CONTAINS(o, "Spearman(valid_12, valid_200_mean) = 0.823");
    /* the correlation table: the measured figure at 12 epochs, the law
     * below (tests/test_tabular_model.c checks the numbers) */
    CHECK_CONTAINS(o, "      12      0.823       0.823*      0.824       "
                      "0.824*\n");
    CHECK_CONTAINS(o, "\n       2      0.638 ");
    CHECK_CONTAINS(o, "rank10  index  6111");
    CHECK_CONTAINS(o, "     200 lr                     0.1       0.1 ");
    free(o);
    CHECK_EQ_INT(jahs_test_sh(&o, "%s table query --space seqcnn --config "
                                  "n_layers=1 --epochs 5 --table '%s'",
                              jahs_test_bin(), t),
                 1);
    CHECK_CONTAINS(o, "needs the live evaluator");
    free(o);
    CHECK_EQ_INT(jahs_test_sh(&o, "%s table query --space nb201 --table '%s'",
                              jahs_test_bin(), t),
                 2);
    CHECK_CONTAINS(o, "'--epochs E' are required");
    free(o);
    CHECK_EQ_INT(jahs_test_sh(&o, "%s table query --space top10 --config "
                                  "arch=rank01 --epochs 300 --table '%s'",
                              jahs_test_bin(), t),
                 2);
    free(o);
    CHECK_EQ_INT(jahs_test_sh(&o, "%s table stats --table '%s/none.h5'",
                              jahs_test_bin(), jahs_test_tmpdir()),
                 1);
    CHECK_CONTAINS(o, "make tables");
    free(o);
}

/* --dataset across build, query, stats, prior arch and space sample; the
 * default CSV ($JAHS_SHARED) and a table of the wrong dataset */
JAHS_TEST(cli_tables_of_every_dataset)
{
    char csv[1024], *o = NULL, *a = NULL, *b = NULL;
    const char *c10 = jahs_test_path("c10.h5"), *in16 = jahs_test_path("in16.h5"),
               *c100 = cli_table();
    if (!c100)
        return;
    snprintf(csv, sizeof csv, "%s/data/nb201/nb201_cifar10.csv.gz",
             jahs_test_shared());
    if (!jahs_path_exists(csv)) {
        jahs_test_skip("shared NB201 CSV '%s' absent", csv);
        return;
    }
    /* --from defaults to $JAHS_SHARED/data/nb201/nb201_<dataset>.csv.gz */
    CHECK_EQ_INT(jahs_test_sh(&o, "JAHS_SHARED='%s' %s table build --dataset "
                                  "cifar10 --out '%s'",
                              jahs_test_shared(), jahs_test_bin(), c10),
                 0);
    CHECK_CONTAINS(o, "CIFAR-10, 15625 cells");
    free(o);
    CHECK_EQ_INT(jahs_test_sh(&o, "%s table build --dataset imagenet16 --from "
                                  "'%s/data/nb201/nb201_imagenet16.csv.gz' "
                                  "--out '%s'",
                              jahs_test_bin(), jahs_test_shared(), in16),
                 0);
    free(o);
    CHECK_EQ_INT(jahs_test_sh(&o, "%s table stats --dataset cifar10 --table "
                                  "'%s' --epochs 2,12",
                              jahs_test_bin(), c10),
                 0);
    CHECK_CONTAINS(o, "on CIFAR-10 (--dataset cifar10)");
    CHECK_CONTAINS(o, "test: no per-seed values");
    CHECK_CONTAINS(o, "Spearman(test_12, test_200_mean) = 0.870");
    CHECK_CONTAINS(o, "valid/test noise correlation 0.000");
    CHECK_CONTAINS(o, "rank01  index  6111");
    free(o);
    /* CIFAR-10 at 200 epochs: the test seed mean for both folds */
    CHECK_EQ_INT(jahs_test_sh(&o, "%s table query --dataset cifar10 --table "
                                  "'%s' --space top10 --config arch=rank01 "
                                  "--epochs 200 --fold 1",
                              jahs_test_bin(), c10),
                 0);
    CHECK_CONTAINS(o, "\ncifar10,top10,6111,333132,200,1,0,91.72,94.3733,");
    free(o);
    /* the search on ImageNet16-120, top10 from CIFAR-100's ranking */
    CHECK_EQ_INT(jahs_test_sh(&o, "%s table query --dataset imagenet16 --table "
                                  "'%s' --prior-source cifar100 --prior-table "
                                  "'%s' --space top10 --config arch=rank01 "
                                  "--epochs 200",
                              jahs_test_bin(), in16, c100),
                 0);
    CHECK_CONTAINS(o, "\nimagenet16,top10,9930,333133,200,0,0,");
    free(o);
    /* prior arch from another dataset differs from CIFAR-100's */
    CHECK_EQ_INT(jahs_test_sh(&a, "%s prior arch --dataset imagenet16 --table "
                                  "'%s'",
                              jahs_test_bin(), in16),
                 0);
    CHECK_EQ_INT(jahs_test_sh(&b, "%s prior arch --table '%s'",
                              jahs_test_bin(), c100),
                 0);
    CHECK(a && b && strncmp(a, "param,choice,weight\n", 20) == 0 &&
          strcmp(a, b) != 0);
    free(a);
    free(b);
    CHECK_EQ_INT(jahs_test_sh(&o, "%s space sample nb201 --prior arch "
                                  "--dataset cifar10 --table '%s' --n 3",
                              jahs_test_bin(), c10),
                 0);
    free(o);
    /* a table of another dataset, an unknown dataset */
    CHECK_EQ_INT(jahs_test_sh(&o, "%s table stats --dataset imagenet16 "
                                  "--table '%s'",
                              jahs_test_bin(), c100),
                 1);
    CHECK_CONTAINS(o, "holds the cifar100 table, not imagenet16");
    free(o);
    CHECK_EQ_INT(jahs_test_sh(&o, "%s prior arch --dataset mnist",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(o, "option '--dataset' expects cifar10, cifar100 or "
                      "imagenet16, got 'mnist'");
    free(o);
    CHECK_EQ_INT(jahs_test_sh(&o, "%s table stats --epochs 0,12 --table '%s'",
                              jahs_test_bin(), c100),
                 2);
    CHECK_CONTAINS(o, "option '--epochs' expects up to 32 epochs in 1..200");
    free(o);
}

JAHS_TEST(cli_table_build_malformed_csv)
{
    char *o = NULL;
    const char *csv = jahs_test_write(
        "bad.csv",
        "arch_index,arch,ops_code,n_runs_200,valid_acc_200_s777,"
        "test_acc_200_s777,oritest_acc_200_s777,valid_acc_200_s888,"
        "test_acc_200_s888,oritest_acc_200_s888,valid_acc_200_s999,"
        "test_acc_200_s999,oritest_acc_200_s999,valid_acc_200_mean,"
        "test_acc_200_mean,oritest_acc_200_mean,train_time_200_s,params_M,"
        "valid_acc_12,test_acc_12\n"
        "0,|none~0|+|none~0|none~1|+|none~0|none~1|none~2|,000000,2,"
        "1.0,1.0,1.0,1.0,1.0,1.0,,,,1.0,1.0,1.0,1000,abc,1.0,1.0\n");
    CHECK_EQ_INT(jahs_test_sh(&o, "%s table build --from '%s' --out '%s'",
                              jahs_test_bin(), csv, jahs_test_path("o/t.h5")),
                 1);
    CHECK_CONTAINS(o, "bad.csv:2: column 'params_M' expects a number, got "
                      "'abc'");
    CHECK(!jahs_path_exists(jahs_test_path("o/t.h5")));
    free(o);
    CHECK_EQ_INT(jahs_test_sh(&o, "%s table build --from '%s/none.csv' --out "
                                  "'%s'",
                              jahs_test_bin(), jahs_test_tmpdir(),
                              jahs_test_path("o/t.h5")),
                 1);
    CHECK_CONTAINS(o, "none.csv");
    CHECK(!jahs_path_exists(jahs_test_path("o/t.h5")));
    free(o);
    CHECK_EQ_INT(jahs_test_sh(&o, "%s table build --dataset mnist --out x.h5",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(o, "option '--dataset' expects cifar10, cifar100 or "
                      "imagenet16, got 'mnist'");
    free(o);
}

JAHS_TEST(cli_prior_arch_and_space_sample)
{
    const char *t = cli_table();
    const char *w = jahs_test_path("w.csv");
    char *o = NULL, *a = NULL, *b = NULL, *p;
    int lines = 0;
    if (!t)
        return;
    CHECK_EQ_INT(jahs_test_sh(&o, "%s prior arch --top 100 --table '%s' --out "
                                  "'%s'",
                              jahs_test_bin(), t, w),
                 0);
    CHECK_CONTAINS(o, "top 100 cells of CIFAR-100, pseudo-count 1");
    free(o);
    CHECK_EQ_INT(jahs_test_sh(&o, "cat '%s'", w), 0);
    for (p = o; p && *p; p++)
        lines += *p == '\n';
    CHECK_EQ_INT(lines, 31);
    CHECK(o && strncmp(o, "param,choice,weight\nedge_1_0,none,", 34) == 0);
    free(o);
    /* the file and the table give the same prior, hence the same samples */
    CHECK_EQ_INT(jahs_test_sh(&a, "%s space sample nb201 --prior joint "
                                  "--arch-weights '%s' --n 20 --seed 4",
                              jahs_test_bin(), w),
                 0);
    CHECK_EQ_INT(jahs_test_sh(&b, "%s space sample nb201 --prior joint "
                                  "--table '%s' --n 20 --seed 4",
                              jahs_test_bin(), t),
                 0);
    CHECK(a && b && strcmp(a, b) == 0);
    free(a);
    free(b);
    CHECK_EQ_INT(jahs_test_sh(&o, "%s space sample cell64 --prior arch --table "
                                  "'%s/none.h5'",
                              jahs_test_bin(), jahs_test_tmpdir()),
                 1);
    CHECK_CONTAINS(o, "--prior arch without --arch-weights computes the prior "
                      "from the NB201 table");
    CHECK_CONTAINS(o, "make tables");
    free(o);
    CHECK_EQ_INT(jahs_test_sh(&o, "%s space sample top10 --prior arch --table "
                                  "'%s'",
                              jahs_test_bin(), t),
                 1);
    CHECK_CONTAINS(o, "no cell edges");
    free(o);
    CHECK_EQ_INT(jahs_test_sh(&o, "%s prior arch --space top10 --table '%s'",
                              jahs_test_bin(), t),
                 2);
    free(o);
    CHECK_EQ_INT(jahs_test_sh(&o, "%s prior arch --top 0 --table '%s'",
                              jahs_test_bin(), t),
                 2);
    free(o);
}
