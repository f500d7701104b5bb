/*
 * test_train_cli.c - `jahs train` end to end on a small Fashion-MNIST
 * subset (skipped when the dataset is not installed): output, resume from a
 * checkpoint equal to a straight run, and the errors of bad command lines.
 */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "eval/nb201_table.h"
#include "gpu/gpu.h"
#include "harness.h"

#define FMNIST "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"

/* The tiny config every run here uses: 1 conv layer of 8 channels. */
#define TINY "--space seqcnn --config n_layers=1,channels_0=8,batch_size=64 " \
             "--subset 300 --seed 7 --threads 2"

JAHS_TEST(train_cli_usage_errors)
{
    char *out = NULL;
    CHECK_EQ_INT(jahs_test_sh(&out, "%s train --help", jahs_test_bin()), 0);
    CHECK_CONTAINS(out, "usage: jahs train --space S");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s train --epochs 1", jahs_test_bin()), 2);
    CHECK_CONTAINS(out, "option '--space' is required");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s train --space nope", jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "unknown space 'nope'");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s train --space nb201 --fold 2",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "--fold");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s train --space nb201 --fold 1 --no-cv",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "exclude each other");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s train --space nb201 --device tpu",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "expects cpu, gpu or gpu:N, got 'tpu'");
    free(out);
    /* no usable GPU: refused with the reason; with one, gpu:1000 is */
    CHECK_EQ_INT(jahs_test_sh(&out, "%s train --space nb201 --device %s",
                              jahs_test_bin(),
                              jahs_gpu_probe(0, NULL, 0, NULL) ? "gpu"
                                                               : "gpu:1000"),
                 1);
    CHECK_CONTAINS(out, "no GPU available");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s train --space nb201 --precision bf16",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "applies to --device gpu");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s train --space nb201 --device gpu "
                                    "--precision fp16",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "expects fp32 or bf16");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s train --space nb201 --epochs 5 "
                                    "--horizon 3",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "--horizon (3) must be at least --epochs (5)");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s train --space nb201 --cell 9",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "bad cell '9'");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s train --space seqcnn --cell 331333",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "applies to the cell spaces");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s train --space seqcnn --config lr=7",
                              jahs_test_bin()),
                 1);
    CHECK_CONTAINS(out, "lr");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s train --space seqcnn --config "
                                    "n_layers=1,channels_0=8 --data "
                                    "fashion-mnist:%s",
                              jahs_test_bin(), jahs_test_path("nowhere")),
                 1);
    CHECK_CONTAINS(out, "nowhere");
    free(out);
}

JAHS_TEST(train_cli_runs_and_resumes)
{
    char *a = NULL, *b = NULL, *c = NULL, *la, *lc;
    const char *ck = jahs_test_path("cli.h5");
    if (!jahs_path_exists(FMNIST)) {
        jahs_test_skip("Fashion-MNIST is not installed (make deps)");
        return;
    }
    CHECK_EQ_INT(jahs_test_sh(&a, "%s train " TINY " --epochs 2 --horizon 3",
                              jahs_test_bin()),
                 0);
    CHECK_CONTAINS(a, "network: sequential CNN, 1 conv3x3-BN-ReLU blocks (8");
    CHECK_CONTAINS(a, "input 28 x 28 x 1, 10 classes");
    CHECK_CONTAINS(a, "fold 0 trains on 150, validates on 150");
    CHECK_CONTAINS(a, "test accuracy");
    CHECK_CONTAINS(a, "(300 images)");
    /* 1 epoch to a checkpoint, then on to 2: the same second epoch and the
     * same test accuracy as the straight run */
    CHECK_EQ_INT(jahs_test_sh(&b, "%s train " TINY " --epochs 1 --horizon 3 "
                                  "--checkpoint %s",
                              jahs_test_bin(), ck),
                 0);
    CHECK(jahs_path_exists(ck));
    CHECK_EQ_INT(jahs_test_sh(&c, "%s train " TINY " --epochs 2 --horizon 3 "
                                  "--checkpoint %s",
                              jahs_test_bin(), ck),
                 0);
    CHECK_CONTAINS(c, "resumed from");
    la = a ? strstr(a, "\n    2 ") : NULL;
    lc = c ? strstr(c, "\n    2 ") : NULL;
    CHECK(la && lc);
    if (la && lc) {
        /* loss, train% and val% of epoch 2 (img/s and seconds differ) */
        CHECK(strncmp(la, lc, 46) == 0);
        CHECK_STR(strstr(a, "test accuracy"), strstr(c, "test accuracy"));
    }
    free(a);
    free(b);
    free(c);
    /* a checkpoint of another config is refused */
    CHECK_EQ_INT(jahs_test_sh(&a, "%s train --space seqcnn --config "
                                  "n_layers=1,channels_0=8,batch_size=64,"
                                  "lr=0.05 --subset 300 --seed 7 --epochs 2 "
                                  "--horizon 3 --checkpoint %s",
                              jahs_test_bin(), ck),
                 1);
    CHECK_CONTAINS(a, "belongs to another run");
    free(a);
}

/* top10: rank K is resolved through the NB201 table (built here from the
 * shared CSV); the best cell by mean 200-epoch validation accuracy is
 * NB201's 333133 (data/nb201/README.md: index 9930). */
JAHS_TEST(train_cli_top10_through_the_table)
{
    char *out = NULL, *csv;
    const char *table = jahs_test_path("nb201.h5");
    jahs_error err = {0};
    CHECK_EQ_INT(jahs_test_sh(&out, "%s train --space top10 --config "
                                    "arch=rank01 --table %s",
                              jahs_test_bin(), table),
                 1);
    CHECK_CONTAINS(out, "space 'top10' needs the NB201 table");
    CHECK_CONTAINS(out, "nb201.h5");
    free(out);
    if (!jahs_path_exists(FMNIST)) {
        jahs_test_skip("Fashion-MNIST is not installed (make deps)");
        return;
    }
    csv = jahs_path_join(jahs_test_shared(), "data/nb201/nb201_cifar100.csv.gz");
    if (!jahs_path_exists(csv)) {
        jahs_test_skip("no NB201 table at '%s'", csv);
        free(csv);
        return;
    }
    CHECK_OK(jahs_nb201_table_build(csv, table, &err), &err);
    free(csv);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s train --space top10 --config "
                                    "arch=rank01,batch_size=64 --table %s "
                                    "--subset 64 --no-cv --threads 2",
                              jahs_test_bin(), table),
                 0);
    CHECK_CONTAINS(out, "(ops 333133)");
    CHECK_CONTAINS(out, "test accuracy");
    free(out);
    /* --cell instead of the table */
    CHECK_EQ_INT(jahs_test_sh(&out, "%s train --space top10 --cell 100000 "
                                    "--config batch_size=64 --subset 64 "
                                    "--no-cv --table %s",
                              jahs_test_bin(), jahs_test_path("absent.h5")),
                 0);
    CHECK_CONTAINS(out, "(ops 100000)");
    free(out);
}
