/*
 * test_train_live.c - the live evaluator: options and their errors, a
 * tiny request on a Fashion-MNIST subset, and a promotion resumed from its
 * checkpoint equal to training the target at once; the datasets and top10
 * lookup it shares with `jahs train` (live.h).
 */
#include <stdlib.h>
#include <string.h>

#include "core/h5.h"
#include "core/util.h"
#include "eval/eval.h"
#include "eval/live.h"
#include "eval/nb201_table.h"
#include "gpu/gpu.h"
#include "fixture_nb201.h"
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

/* n images of 2 x 2 x 1, pixel value = 4 i + position, label i % 3. */
static jahs_dataset *pattern(int n)
{
    jahs_dataset *d = calloc(1, sizeof *d);
    int i;
    if (!d)
        return NULL;
    snprintf(d->name, sizeof d->name, "pattern");
    d->n = n;
    d->h = d->w = 2;
    d->c = 1;
    d->n_classes = 3;
    d->images = malloc((size_t)n * 4);
    d->labels = malloc((size_t)n);
    if (!d->images || !d->labels) {
        jahs_dataset_free(d);
        return NULL;
    }
    for (i = 0; i < n * 4; i++)
        d->images[i] = (uint8_t)i;
    for (i = 0; i < n; i++)
        d->labels[i] = (uint8_t)(i % 3);
    d->mean[0] = 0.5f;
    d->std[0] = 0.25f;
    return d;
}

/* A file of the project's HDF5 image format with ntr / nte images. */
static const char *pattern_h5(const char *name, int ntr, int nte)
{
    jahs_error err = {0};
    const char *p = jahs_test_path(name);
    jahs_dataset *tr = pattern(ntr), *te = pattern(nte);
    CHECK(tr && te);
    if (tr && te)
        CHECK_OK(jahs_dataset_save_h5(tr, te, p, &err), &err);
    jahs_dataset_free(tr);
    jahs_dataset_free(te);
    return p;
}

/* Loads spec with subset; checks the split sizes and the first images. */
static void expect_sizes(const char *spec, long subset, int ntr, int nte)
{
    jahs_error err = {0};
    jahs_dataset *tr = NULL, *te = NULL, *ref = pattern(ntr > nte ? ntr : nte);
    CHECK_OK(jahs_live_datasets(spec, subset, JAHS_SUBSET_FIRST, &tr, &te, &err), &err);
    CHECK(tr && te && ref);
    if (tr && te && ref) {
        CHECK_EQ_INT(tr->n, ntr);
        CHECK_EQ_INT(te->n, nte);
        CHECK(memcmp(tr->images, ref->images, (size_t)ntr * 4) == 0);
        CHECK(memcmp(te->images, ref->images, (size_t)nte * 4) == 0);
        CHECK(memcmp(tr->labels, ref->labels, (size_t)ntr) == 0);
        /* a subset keeps the full training split's statistics */
        CHECK_EQ_DBL(tr->mean[0], 0.5);
        CHECK_EQ_DBL(te->std[0], 0.25);
    }
    jahs_dataset_free(ref);
    jahs_dataset_free(tr);
    jahs_dataset_free(te);
}

/* The subset option keeps the first N images of each split; a split
 * smaller than N is kept whole; bad input is an error with no datasets. */
JAHS_TEST(train_live_datasets_subset)
{
    jahs_error err = {0};
    jahs_dataset *tr = NULL, *te = NULL;
    char big[4096], small[4096];
    snprintf(big, sizeof big, "h5:%s", pattern_h5("big.h5", 10, 6));
    snprintf(small, sizeof small, "h5:%s", pattern_h5("small.h5", 5, 8));
    expect_sizes(big, 0, 10, 6);
    expect_sizes(big, 4, 4, 4);
    expect_sizes(big, 8, 8, 6);
    expect_sizes(big, 10, 10, 6);
    expect_sizes(big, 1000, 10, 6);
    /* each split on its own: a training split smaller than N, a test
     * split cut to N */
    expect_sizes(small, 6, 5, 6);
    tr = te = (jahs_dataset *)1; /* set to NULL on failure */
    CHECK(jahs_live_datasets(big, -1, JAHS_SUBSET_FIRST, &tr, &te, &err) == JAHS_EINVAL);
    CHECK_CONTAINS(err.msg, "subset -1 < 0");
    CHECK(tr == NULL && te == NULL);
    tr = te = (jahs_dataset *)1;
    CHECK(jahs_live_datasets("h5:/nonexistent/live.h5", 0, JAHS_SUBSET_FIRST, &tr, &te, &err) < 0);
    CHECK_CONTAINS(err.msg, "/nonexistent/live.h5");
    CHECK(tr == NULL && te == NULL);
    /* a training split only: the test split's error, the training split
     * freed (ASan's leak check) */
    {
        jahs_dataset *only = pattern(4);
        const char *p = jahs_test_path("only.h5");
        char spec[4096];
        CHECK_OK(jahs_dataset_save_h5(only, NULL, p, &err), &err);
        jahs_dataset_free(only);
        snprintf(spec, sizeof spec, "h5:%s", p);
        tr = te = (jahs_dataset *)1;
        CHECK(jahs_live_datasets(spec, 0, JAHS_SUBSET_FIRST, &tr, &te, &err) < 0);
        CHECK_CONTAINS(err.msg, "only.h5");
        CHECK(tr == NULL && te == NULL);
    }
}

/* top10 ranks through a table: rank K is by_rank[K - 1]'s cell; ranks
 * outside the table and a missing table are errors (the hint appended). */
JAHS_TEST(train_live_top10_cells)
{
    jahs_error err = {0};
    uint8_t ops[3][6] = {{0, 1, 2, 3, 4, 0}, {4, 4, 4, 4, 4, 4},
                         {3, 3, 3, 1, 3, 3}};
    int32_t by_rank[3] = {2, 0, 1};
    jahs_nb201_table t;
    jahs_top10_cells c = {0};
    int got[6], k;
    memset(&t, 0, sizeof t);
    t.n = 3;
    t.ops = ops;
    t.by_rank = by_rank;
    c.table = &t; /* as if opened */
    CHECK_OK(jahs_top10_cell(&c, 1, got, &err), &err);
    for (k = 0; k < 6; k++)
        CHECK_EQ_INT(got[k], ops[2][k]);
    CHECK_OK(jahs_top10_cell(&c, 3, got, &err), &err);
    for (k = 0; k < 6; k++)
        CHECK_EQ_INT(got[k], ops[1][k]);
    CHECK(jahs_top10_cell(&c, 0, got, &err) == JAHS_ERANGE);
    CHECK_CONTAINS(err.msg, "rank 0 outside the table");
    CHECK(jahs_top10_cell(&c, 4, got, &err) == JAHS_ERANGE);
    CHECK_CONTAINS(err.msg, "rank 4 outside the table");
    /* not opened: the file is opened on the first lookup */
    c.table = NULL;
    c.path = jahs_test_path("absent.h5");
    c.hint = " (try --cell)";
    CHECK(jahs_top10_cell(&c, 1, got, &err) < 0);
    CHECK_CONTAINS(err.msg, "space 'top10' needs the NB201 table (try --cell)");
    CHECK_CONTAINS(err.msg, "absent.h5");
    CHECK(c.table == NULL);
    c.hint = NULL;
    CHECK(jahs_top10_cell(&c, 1, got, &err) < 0);
    CHECK_CONTAINS(err.msg, "space 'top10' needs the NB201 table: ");
    jahs_top10_cells_close(&c);
    jahs_top10_cells_close(NULL);
}

/* The ranks of a prior's source task: the table of the dataset named, the
 * K-th best cell of that table (CIFAR-10's best is 6111, CIFAR-100's
 * 9930), and a file of another dataset refused. */
JAHS_TEST(train_live_top10_cells_of_a_dataset)
{
    jahs_error err = {0};
    const jahs_nb201_table *mem = fx_nb201_mem("cifar10");
    jahs_top10_cells c = {0};
    int got[6], k;
    if (!mem)
        return;
    c.path = fx_nb201_path("cifar10");
    c.dataset = "cifar10";
    CHECK_OK(jahs_top10_cell(&c, 1, got, &err), &err);
    CHECK_EQ_INT(mem->by_rank[0], 6111);
    for (k = 0; k < 6; k++)
        CHECK_EQ_INT(got[k], mem->ops[6111][k]);
    jahs_top10_cells_close(&c);
    c.dataset = "cifar100";
    CHECK(jahs_top10_cell(&c, 1, got, &err) < 0);
    CHECK_CONTAINS(err.msg, "holds the cifar10 table, not cifar100");
    CHECK(c.table == NULL);
    c.dataset = "mnist";
    CHECK(jahs_top10_cell(&c, 1, got, &err) < 0);
    CHECK_CONTAINS(err.msg, "expected cifar10, cifar100 or imagenet16");
    jahs_top10_cells_close(&c);
}
