/*
 * test_train_live.c - the live evaluator: options and their errors, a
 * tiny request on a Fashion-MNIST subset, and a promotion resumed from its
 * checkpoint equal to training the target at once.
 */
#include <stdlib.h>
#include <string.h>

#include "core/h5.h"
#include "core/util.h"
#include "eval/eval.h"
#include "eval/nb201_table.h"
#include "gpu/gpu.h"
#include "harness.h"
#include "space/space.h"

#define FMNIST "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"

JAHS_TEST(train_live_device_errors)
{
    jahs_eval_options o;
    jahs_error err = {0};
    const jahs_eval_type *t = jahs_eval_find("live");
    CHECK(t != NULL);
    if (!t)
        return;
    jahs_eval_options_defaults(&o);
    /* without a usable GPU (or a CUDA build) the GPU device is refused at
     * open, saying why; with one, a device that does not exist is */
    o.device = jahs_gpu_probe(0, NULL, 0, NULL) ? "gpu" : "gpu:1000";
    CHECK(jahs_eval_open(t, &o, &err) == NULL);
    CHECK_EQ_INT(err.code, JAHS_EUNAVAILABLE);
    CHECK_CONTAINS(err.msg, "device 'gpu");
    CHECK_CONTAINS(err.msg, "no GPU available");
    o.device = "fpga";
    CHECK(jahs_eval_open(t, &o, &err) == NULL);
    CHECK_EQ_INT(err.code, JAHS_EINVAL);
    CHECK_CONTAINS(err.msg, "unknown device 'fpga'");
    o.device = "cpu";
    o.data = "fashion-mnist:/nonexistent-dir";
    CHECK(jahs_eval_open(t, &o, &err) == NULL);
    CHECK_CONTAINS(err.msg, "nonexistent-dir");
}

static int run(jahs_eval *e, const jahs_space *sp, const double *x,
               int64_t id, int epochs, int fold, jahs_eval_result *r,
               jahs_error *err)
{
    jahs_eval_request q;
    memset(&q, 0, sizeof q);
    q.space = sp;
    q.config = x;
    q.config_id = id;
    q.epochs = epochs;
    q.fold = fold;
    q.seed = 11;
    return jahs_eval_run(e, &q, r, err);
}

JAHS_TEST(train_live_promotion_resumes)
{
    jahs_eval_options o;
    jahs_error err = {0};
    jahs_space *sp;
    double x[JAHS_MAX_PARAMS];
    jahs_eval *with, *straight;
    jahs_eval_result r1, r2, r3;
    char *ck;
    if (!jahs_path_exists(FMNIST)) {
        jahs_test_skip("Fashion-MNIST is not installed (make deps)");
        return;
    }
    sp = jahs_space_create("seqcnn", &err);
    CHECK_OK(jahs_config_parse(sp, "n_layers=1,channels_0=8,batch_size=64",
                               x, &err),
             &err);
    jahs_eval_options_defaults(&o);
    o.space = sp;
    o.subset = 200;
    o.threads = 2;
    o.train_fraction = 0.5;
    o.workdir = jahs_test_path("work");
    with = jahs_eval_open(jahs_eval_find("live"), &o, &err);
    o.workdir = jahs_test_path("other");
    straight = jahs_eval_open(jahs_eval_find("live"), &o, &err);
    CHECK(with && straight);
    if (!with || !straight)
        goto out;
    /* config 5, fold 1: 1 epoch, then promoted to 2 */
    CHECK_OK(run(with, sp, x, 5, 1, 1, &r1, &err), &err);
    CHECK(r1.cost > 0);
    CHECK(r1.val_acc >= 0 && r1.val_acc <= 100);
    CHECK(r1.test_acc >= 0 && r1.test_acc <= 100);
    ck = jahs_path_join(jahs_test_path("work"), "seed11/config5-fold1.h5");
    CHECK(jahs_path_exists(ck));
    free(ck);
    CHECK_OK(run(with, sp, x, 5, 2, 1, &r2, &err), &err);
    /* the same trial trained to 2 epochs at once */
    CHECK_OK(run(straight, sp, x, 5, 2, 1, &r3, &err), &err);
    CHECK_EQ_DBL(r2.val_acc, r3.val_acc);
    CHECK_EQ_DBL(r2.test_acc, r3.test_acc);
    /* a request for fewer epochs than the checkpoint holds trains afresh
     * (the same as the 1-epoch run above) and leaves the checkpoint at 2 */
    CHECK_OK(run(with, sp, x, 5, 1, 1, &r3, &err), &err);
    CHECK_EQ_DBL(r3.val_acc, r1.val_acc);
    CHECK_EQ_DBL(r3.test_acc, r1.test_acc);
    {
        long ep = 0;
        char *p = jahs_path_join(jahs_test_path("work"),
                                 "seed11/config5-fold1.h5");
        jahs_h5 *h = jahs_h5_open(p, &err);
        CHECK(h != NULL);
        if (h) {
            CHECK_OK(jahs_h5_attr_get_long(h, "/", "epochs", &ep, &err),
                     &err);
            CHECK_EQ_INT(ep, 2);
            jahs_h5_close(h);
        }
        free(p);
    }
    /* fold 2 of two folds does not exist */
    CHECK(run(with, sp, x, 5, 1, 2, &r3, &err) < 0);
    CHECK_CONTAINS(err.msg, "fold 2 does not exist: 2-fold");
out:
    jahs_eval_close(with);
    jahs_eval_close(straight);
    jahs_space_free(sp);
}

/* top10 in the live evaluator: rank 1 through the NB201 table; an absent
 * table is an error naming it. */
JAHS_TEST(train_live_top10)
{
    jahs_eval_options o;
    jahs_error err = {0};
    jahs_space *sp;
    double x[JAHS_MAX_PARAMS];
    jahs_eval *e;
    jahs_eval_result r;
    const char *table = jahs_test_path("nb201.h5");
    char *csv;
    if (!jahs_path_exists(FMNIST)) {
        jahs_test_skip("Fashion-MNIST is not installed (make deps)");
        return;
    }
    sp = jahs_space_create("top10", &err);
    CHECK_OK(jahs_config_parse(sp, "arch=rank01,batch_size=64", x, &err),
             &err);
    jahs_eval_options_defaults(&o);
    o.space = sp;
    o.subset = 64;
    o.train_fraction = 0.5;
    o.table = table;
    e = jahs_eval_open(jahs_eval_find("live"), &o, &err);
    CHECK(e != NULL);
    if (!e)
        goto out;
    CHECK(run(e, sp, x, 1, 1, 0, &r, &err) < 0);
    CHECK_CONTAINS(err.msg, "space 'top10' needs the NB201 table");
    CHECK_CONTAINS(err.msg, "nb201.h5");
    csv = jahs_path_join(jahs_test_shared(), "data/nb201/nb201_cifar100.csv.gz");
    if (jahs_path_exists(csv)) {
        CHECK_OK(jahs_nb201_table_build(csv, table, &err), &err);
        CHECK_OK(run(e, sp, x, 1, 1, 0, &r, &err), &err);
        CHECK(r.val_acc >= 0 && r.val_acc <= 100);
        CHECK(r.cost > 0);
    }
    free(csv);
out:
    jahs_eval_close(e);
    jahs_space_free(sp);
}
