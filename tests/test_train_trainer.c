/*
 * test_train_trainer.c - the training loop on in-memory images: bit-exact
 * resume from a checkpoint, checkpoint round trip and its errors,
 * determinism (seed, stream, threads), hyperparameters from configs, data
 * checks, and learning on a synthetic problem.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/h5.h"
#include "core/rng.h"
#include "core/util.h"
#include "fixture_h5.h"
#include "harness.h"
#include "space/space.h"
#include "train/trainer.h"

/* A synthetic 4-class problem: 8 x 8 x 3 images, each class a different
 * coloured blob position, plus noise.  Learnable in a few epochs. */
static jahs_dataset *synthetic(int n, int seed)
{
    jahs_dataset *d = calloc(1, sizeof *d);
    jahs_rng *r = jahs_rng_create((uint64_t)seed, "test/synthetic", 0, NULL);
    int i, y, x, c;
    snprintf(d->name, sizeof d->name, "synthetic");
    d->n = n;
    d->h = d->w = 8;
    d->c = 3;
    d->n_classes = 4;
    d->images = malloc((size_t)n * 8 * 8 * 3);
    d->labels = malloc((size_t)n);
    for (i = 0; i < n; i++) {
        int k = (int)jahs_rng_int(r, 4), cy = (k / 2) * 4 + 2,
            cx = (k % 2) * 4 + 2;
        d->labels[i] = (uint8_t)k;
        for (y = 0; y < 8; y++)
            for (x = 0; x < 8; x++)
                for (c = 0; c < 3; c++) {
                    double v = 60 + 40 * jahs_rng_uniform(r);
                    if (abs(y - cy) <= 1 && abs(x - cx) <= 1)
                        v += 120 + 10 * c;
                    d->images[((size_t)i * 64 + y * 8 + x) * 3 + c] =
                        (uint8_t)v;
                }
    }
    for (c = 0; c < 3; c++) {
        d->mean[c] = 0.35f;
        d->std[c] = 0.2f;
    }
    jahs_rng_free(r);
    return d;
}

static void free_data(jahs_dataset *d)
{
    if (!d)
        return;
    free(d->images);
    free(d->labels);
    free(d);
}

static void tiny_opts(jahs_trainer_opts *o, const jahs_dataset *d)
{
    int c;
    jahs_trainer_opts_defaults(o);
    o->spec.macro = JAHS_MACRO_CELL;
    o->spec.c_in = d->c;
    o->spec.h = d->h;
    o->spec.w = d->w;
    o->spec.n_classes = d->n_classes;
    o->spec.C = 4;
    o->spec.N = 1;
    o->spec.stages = 2;
    jahs_nb201_cell_parse("312430", o->spec.ops, NULL);
    o->spec.dropout[0] = 0.2f;
    o->hp.lr = 0.05;
    o->hp.wd = 5e-4;
    o->hp.batch_size = 32;
    o->hp.trivial_augment = 1;
    o->horizon = 5;
    o->seed = 42;
    o->stream = 3;
    o->threads = 2;
    for (c = 0; c < 3; c++) {
        o->mean[c] = d->mean[c];
        o->std[c] = d->std[c];
    }
}

static int same_state(jahs_trainer *a, jahs_trainer *b)
{
    const jahs_graph *g = jahs_net_graph(jahs_trainer_net(a));
    return memcmp(jahs_net_params(jahs_trainer_net(a)),
                  jahs_net_params(jahs_trainer_net(b)),
                  g->n_params * sizeof(float)) == 0 &&
           memcmp(jahs_net_momentum(jahs_trainer_net(a)),
                  jahs_net_momentum(jahs_trainer_net(b)),
                  g->n_params * sizeof(float)) == 0 &&
           memcmp(jahs_net_buffers(jahs_trainer_net(a)),
                  jahs_net_buffers(jahs_trainer_net(b)),
                  g->n_buffers * sizeof(float)) == 0;
}

JAHS_TEST(train_trainer_resume_is_bit_exact)
{
    jahs_dataset *d = synthetic(100, 1); /* batches 32, 32, 32, 4 */
    jahs_trainer_opts o;
    jahs_trainer *a, *b, *c;
    jahs_error err = {0};
    jahs_epoch_stats sa, sc;
    const char *ck = jahs_test_path("resume.h5");
    int idx[90], i, e;
    for (i = 0; i < 90; i++)
        idx[i] = i + 10; /* a subset of the images, as a CV fold */
    tiny_opts(&o, d);
    a = jahs_trainer_create(&o, &err);
    b = jahs_trainer_create(&o, &err);
    CHECK(a && b);
    if (!a || !b)
        goto out0;
    for (e = 0; e < 3; e++)
        CHECK_OK(jahs_trainer_epoch(a, d, idx, 90, &sa, NULL, NULL, &err),
                 &err);
    for (e = 0; e < 2; e++)
        CHECK_OK(jahs_trainer_epoch(b, d, idx, 90, NULL, NULL, NULL, &err),
                 &err);
    CHECK_OK(jahs_trainer_save(b, ck, &err), &err);
    jahs_trainer_free(b);
    b = NULL;
    c = jahs_trainer_create(&o, &err);
    CHECK(c != NULL);
    if (!c)
        goto out0;
    CHECK_OK(jahs_trainer_load(c, ck, &err), &err);
    CHECK_EQ_INT(jahs_trainer_epochs(c), 2);
    CHECK_EQ_INT(jahs_trainer_steps(c), 6);
    CHECK_OK(jahs_trainer_epoch(c, d, idx, 90, &sc, NULL, NULL, &err), &err);
    CHECK_EQ_INT(jahs_trainer_epochs(c), 3);
    CHECK(same_state(a, c));
    CHECK_EQ_DBL(sa.loss, sc.loss);
    CHECK_EQ_DBL(sa.acc, sc.acc);
    CHECK_EQ_INT(sc.epoch, 3);
    CHECK_NEAR(sc.lr, 0.05 * 0.5 * (1 + cos(M_PI * 2 / 5)), 1e-8);
    /* one more epoch each stays identical (the generators were restored) */
    CHECK_OK(jahs_trainer_epoch(a, d, idx, 90, NULL, NULL, NULL, &err), &err);
    CHECK_OK(jahs_trainer_epoch(c, d, idx, 90, NULL, NULL, NULL, &err), &err);
    CHECK(same_state(a, c));
    jahs_trainer_free(c);
out0:
    jahs_trainer_free(a);
    jahs_trainer_free(b);
    free_data(d);
}

JAHS_TEST(train_trainer_determinism)
{
    jahs_dataset *d = synthetic(70, 2);
    jahs_trainer_opts o;
    jahs_trainer *a, *b, *c;
    jahs_error err = {0};
    tiny_opts(&o, d);
    o.threads = 1;
    a = jahs_trainer_create(&o, &err);
    o.threads = 2;
    b = jahs_trainer_create(&o, &err);
    o.stream = 4;
    c = jahs_trainer_create(&o, &err);
    CHECK(a && b && c);
    if (a && b && c) {
        CHECK_OK(jahs_trainer_epoch(a, d, NULL, 0, NULL, NULL, NULL, &err),
                 &err);
        CHECK_OK(jahs_trainer_epoch(b, d, NULL, 0, NULL, NULL, NULL, &err),
                 &err);
        CHECK_OK(jahs_trainer_epoch(c, d, NULL, 0, NULL, NULL, NULL, &err),
                 &err);
        /* 1 thread == 2 threads; another stream, another run */
        CHECK(same_state(a, b));
        CHECK(!same_state(a, c));
    }
    jahs_trainer_free(a);
    jahs_trainer_free(b);
    jahs_trainer_free(c);
    free_data(d);
}

JAHS_TEST(train_trainer_checkpoint_errors)
{
    jahs_dataset *d = synthetic(40, 3);
    jahs_trainer_opts o;
    jahs_trainer *a, *b;
    jahs_error err = {0};
    const char *ck = jahs_test_path("ck.h5");
    const char *junk = jahs_test_write("junk.h5", "not an HDF5 file\n");
    jahs_h5 *h;
    tiny_opts(&o, d);
    a = jahs_trainer_create(&o, &err);
    CHECK(a != NULL);
    if (!a) {
        free_data(d);
        return;
    }
    CHECK_OK(jahs_trainer_epoch(a, d, NULL, 0, NULL, NULL, NULL, &err), &err);
    CHECK_OK(jahs_trainer_save(a, ck, &err), &err);
    /* another learning rate: another run */
    o.hp.lr = 0.1;
    b = jahs_trainer_create(&o, &err);
    CHECK_EQ_INT(jahs_trainer_load(b, ck, &err), JAHS_ESTATE);
    CHECK_CONTAINS(err.msg, "belongs to another run");
    CHECK_CONTAINS(err.msg, "lr 0.05");
    /* the failed load left b untouched: epoch 0 */
    CHECK_EQ_INT(jahs_trainer_epochs(b), 0);
    jahs_trainer_free(b);
    /* another horizon: another schedule */
    o.hp.lr = 0.05;
    o.horizon = 6;
    b = jahs_trainer_create(&o, &err);
    CHECK_EQ_INT(jahs_trainer_load(b, ck, &err), JAHS_ESTATE);
    CHECK_CONTAINS(err.msg, "horizon 5");
    jahs_trainer_free(b);
    /* not a checkpoint */
    CHECK(jahs_trainer_load(a, junk, &err) < 0);
    CHECK_CONTAINS(err.msg, "junk.h5");
    CHECK(jahs_trainer_load(a, jahs_test_path("absent.h5"), &err) < 0);
    CHECK_CONTAINS(err.msg, "absent.h5");
    /* an HDF5 file of another kind */
    h = jahs_h5_create(jahs_test_path("other.h5"), &err);
    CHECK(h != NULL);
    if (h) {
        CHECK_OK(jahs_h5_attr_set_str(h, "/", "format", "something", &err),
                 &err);
        CHECK_OK(jahs_h5_commit(h, &err), &err);
        CHECK_EQ_INT(jahs_trainer_load(a, jahs_test_path("other.h5"), &err),
                     JAHS_EFORMAT);
        CHECK_CONTAINS(err.msg, "not a jahs checkpoint");
    }
    /* a checkpoint of the same run with a dataset cut short */
    h = jahs_h5_create(jahs_test_path("short.h5"), &err);
    if (h) {
        uint64_t n = 3;
        float p[3] = {0};
        CHECK_OK(jahs_h5_attr_set_str(h, "/", "format", "jahs-checkpoint 2",
                                      &err),
                 &err);
        o.horizon = 5;
        b = jahs_trainer_create(&o, &err);
        /* identity of the same run, written by hand */
        {
            char *fid = NULL;
            jahs_h5 *r = jahs_h5_open(ck, &err);
            CHECK_OK(jahs_h5_attr_get_str(r, "/", "identity", &fid, &err),
                     &err);
            CHECK_OK(jahs_h5_attr_set_str(h, "/", "identity", fid, &err),
                     &err);
            free(fid);
            jahs_h5_close(r);
        }
        CHECK_OK(jahs_h5_attr_set_long(h, "/", "epochs", 1, &err), &err);
        CHECK_OK(jahs_h5_attr_set_long(h, "/", "steps", 2, &err), &err);
        CHECK_OK(jahs_h5_write(h, "params", JAHS_H5_F32, 1, &n, p, 0, &err),
                 &err);
        CHECK_OK(jahs_h5_commit(h, &err), &err);
        CHECK(jahs_trainer_load(b, jahs_test_path("short.h5"), &err) < 0);
        CHECK_CONTAINS(err.msg, "params");
        CHECK_EQ_INT(jahs_trainer_epochs(b), 0);
        jahs_trainer_free(b);
    }
    jahs_trainer_free(a);
    free_data(d);
}

JAHS_TEST(train_trainer_data_and_options_errors)
{
    jahs_dataset *d = synthetic(20, 4);
    jahs_trainer_opts o;
    jahs_trainer *a;
    jahs_error err = {0};
    int bad[2] = {3, 20};
    tiny_opts(&o, d);
    a = jahs_trainer_create(&o, &err);
    CHECK(a != NULL);
    if (a) {
        CHECK_EQ_INT(jahs_trainer_epoch(a, d, bad, 2, NULL, NULL, NULL, &err),
                     JAHS_ERANGE);
        CHECK_CONTAINS(err.msg, "image index 20 outside 'synthetic'");
        d->c = 1;
        CHECK_EQ_INT(jahs_trainer_evaluate(a, d, NULL, 0, NULL, NULL, &err),
                     JAHS_EINVAL);
        CHECK_CONTAINS(err.msg, "the network expects 8 x 8 x 3");
        d->c = 3;
    }
    jahs_trainer_free(a);
    o.horizon = 0;
    CHECK(jahs_trainer_create(&o, &err) == NULL);
    CHECK_CONTAINS(err.msg, "horizon 0");
    o.horizon = 1;
    o.std[1] = 0.0f;
    CHECK(jahs_trainer_create(&o, &err) == NULL);
    CHECK_CONTAINS(err.msg, "std of channel 1");
    free_data(d);
}

JAHS_TEST(train_trainer_hp_from_config)
{
    jahs_error err = {0};
    jahs_space *sp = jahs_space_create("cell64", &err);
    jahs_space *bare = calloc(1, sizeof *bare);
    double x[JAHS_MAX_PARAMS];
    jahs_train_hp hp;
    CHECK_OK(jahs_config_parse(sp,
                               "edge_1_0=none,edge_2_0=none,edge_2_1=none,"
                               "edge_3_0=none,edge_3_1=none,edge_3_2=none,"
                               "lr=0.02,wd=0.001,batch_size=128,"
                               "trivial_augment=on",
                               x, &err),
             &err);
    CHECK_OK(jahs_train_hp_from_config(&hp, sp, x, &err), &err);
    CHECK_NEAR(hp.lr, 0.02, 1e-15);
    CHECK_NEAR(hp.wd, 0.001, 1e-15);
    CHECK_EQ_INT(hp.batch_size, 128);
    CHECK_EQ_INT(hp.trivial_augment, 1);
    /* a space without the HPs */
    snprintf(bare->name, sizeof bare->name, "bare");
    jahs_space_add_float(bare, "lr", JAHS_GROUP_HP, 1e-3, 1, 1, "lr");
    jahs_space_finish(bare);
    x[0] = 0.1;
    CHECK_EQ_INT(jahs_train_hp_from_config(&hp, bare, x, &err), JAHS_EINVAL);
    CHECK_CONTAINS(err.msg, "key 'wd'");
    free(bare);
    jahs_space_free(sp);
}

JAHS_TEST(train_trainer_learns_synthetic)
{
    /* the tiny cell network separates the four blob positions: from
     * chance (25 %) to >= 90 % on held-out images in 8 epochs */
    jahs_dataset *d = synthetic(400, 5), *v = synthetic(200, 6);
    jahs_trainer_opts o;
    jahs_trainer *a;
    jahs_error err = {0};
    double acc0 = 0, acc = 0;
    int e;
    tiny_opts(&o, d);
    o.spec.dropout[0] = 0.0f;
    o.hp.trivial_augment = 0;
    o.augment = 0;
    o.hp.lr = 0.1;
    o.horizon = 8;
    a = jahs_trainer_create(&o, &err);
    CHECK(a != NULL);
    if (a) {
        CHECK_OK(jahs_trainer_evaluate(a, v, NULL, 0, &acc0, NULL, &err),
                 &err);
        for (e = 0; e < 8; e++)
            CHECK_OK(jahs_trainer_epoch(a, d, NULL, 0, NULL, NULL, NULL, &err),
                     &err);
        CHECK_OK(jahs_trainer_evaluate(a, v, NULL, 0, &acc, NULL, &err), &err);
        CHECK(acc0 < 50);
        CHECK(acc >= 90);
    }
    jahs_trainer_free(a);
    free_data(d);
    free_data(v);
}

/* A trainer of o after one epoch on d, saved to ck; NULL (a failed check)
 * when it cannot be made. */
static jahs_trainer *trained_and_saved(const jahs_trainer_opts *o,
                                       jahs_dataset *d, const char *ck)
{
    jahs_error err = {0};
    jahs_trainer *a = jahs_trainer_create(o, &err);
    CHECK(a != NULL);
    if (!a)
        return NULL;
    CHECK_OK(jahs_trainer_epoch(a, d, NULL, 0, NULL, NULL, NULL, &err), &err);
    CHECK_OK(jahs_trainer_save(a, ck, &err), &err);
    return a;
}

/* issue 15, class 7: checkpoints were trusted (a corrupt RNG state crashed
 * training, an epoch count past the request or NaN weights were taken, a
 * flipped byte changed results silently) */
JAHS_TEST(train_trainer_checkpoint_values_are_checked)
{
    jahs_dataset *d = synthetic(40, 3);
    jahs_trainer_opts o;
    jahs_trainer *a, *b;
    jahs_error err = {0};
    const char *ck = jahs_test_path("ck.h5");
    const char *bad = jahs_test_path("bad.h5");
    char *out = NULL;
    float nan_f = NAN;
    long many = 99;
    unsigned char ff[4] = {0xff, 0xff, 0xff, 0xff};
    int k;
    tiny_opts(&o, d);
    if (!(a = trained_and_saved(&o, d, ck))) {
        free_data(d);
        return;
    }
    for (k = 0; k < 3; k++) {
        static const char *want[3] = {"holds non-finite weights",
                                      "99 epochs and",
                                      "corrupt random generator state"};
        CHECK_EQ_INT(jahs_test_sh(&out, "cp %s %s", ck, bad), 0);
        free(out);
        if (k == 0)
            fx_h5_poke(bad, "params", 0, H5T_NATIVE_FLOAT, 3, 1, &nan_f);
        else if (k == 1)
            fx_h5_poke(bad, "epochs", 1, H5T_NATIVE_LONG, 0, 1, &many);
        else if (k == 2) /* GSL MT19937's index: after the 624 words */
            fx_h5_poke(bad, "rng/shuffle", 0, H5T_NATIVE_UCHAR,
                    624 * sizeof(unsigned long), 4, ff);
        b = jahs_trainer_create(&o, &err);
        CHECK(b != NULL);
        if (!b)
            continue;
        memset(&err, 0, sizeof err);
        CHECK(jahs_trainer_load(b, bad, &err) < 0);
        CHECK_CONTAINS(err.msg, want[k]);
        CHECK_EQ_INT(jahs_trainer_epochs(b), 0); /* nothing installed */
        jahs_trainer_free(b);
    }
    jahs_trainer_free(a);
    free_data(d);
}

/* ---- the template's seqcnn with Adam (seqcnn-ss23) ------------------------- */

static void seqt_opts(jahs_trainer_opts *o, const jahs_dataset *d,
                      jahs_space **sp, jahs_error *err)
{
    double x[JAHS_MAX_PARAMS];
    *sp = jahs_space_create("seqcnn-ss23", err);
    CHECK(*sp != NULL);
    CHECK_OK(jahs_config_parse(*sp,
                               "n_conv_layers=2,conv_channels_0=32,"
                               "conv_channels_1=16,use_bn=on,"
                               "global_avg_pooling=off,n_fc_layers=1,"
                               "fc_channels_0=32,lr=0.003,batch_size=32",
                               x, err),
             err);
    CHECK_OK(jahs_trainer_opts_from_config(o, *sp, x, d, NULL, NULL, NULL,
                                           err),
             err);
    o->horizon = 20;
    o->seed = 7;
    o->stream = 1;
    o->threads = 2;
}

/* Adam at a constant lr, no augmentation; learns the blobs; a checkpoint
 * (with Adam's second moments) resumes bit for bit; the GPU is refused. */
JAHS_TEST(train_trainer_seqcnn_ss23_adam)
{
    jahs_dataset *d = synthetic(300, 8), *v = synthetic(200, 9);
    jahs_trainer_opts o;
    jahs_trainer *a = NULL, *b = NULL, *c = NULL;
    jahs_space *sp = NULL;
    jahs_error err = {0};
    jahs_epoch_stats st;
    const char *ck = jahs_test_path("adam.h5");
    double acc = 0;
    int e;
    seqt_opts(&o, d, &sp, &err);
    CHECK_EQ_INT(o.hp.optimizer, JAHS_OPTIM_ADAM);
    CHECK_EQ_INT(o.augment, 0);
    CHECK_EQ_DBL(o.hp.wd, 0.0);
    CHECK_EQ_INT(o.hp.batch_size, 32);
    CHECK_EQ_INT(o.spec.macro, JAHS_MACRO_SEQT);
    a = jahs_trainer_create(&o, &err);
    b = jahs_trainer_create(&o, &err);
    CHECK(a && b);
    if (!a || !b) {
        printf("  %s\n", err.msg);
        goto out;
    }
    for (e = 0; e < 6; e++)
        CHECK_OK(jahs_trainer_epoch(a, d, NULL, 0, &st, NULL, NULL, &err),
                 &err);
    CHECK_NEAR(st.lr, 0.003, 1e-9); /* constant: no cosine */
    CHECK_OK(jahs_trainer_evaluate(a, v, NULL, 0, &acc, NULL, &err), &err);
    if (acc < 90)
        printf("  held-out accuracy %.1f %%\n", acc);
    CHECK(acc >= 90);
    for (e = 0; e < 3; e++)
        CHECK_OK(jahs_trainer_epoch(b, d, NULL, 0, NULL, NULL, NULL, &err),
                 &err);
    CHECK_OK(jahs_trainer_save(b, ck, &err), &err);
    c = jahs_trainer_create(&o, &err);
    CHECK_OK(jahs_trainer_load(c, ck, &err), &err);
    for (e = 0; e < 3; e++)
        CHECK_OK(jahs_trainer_epoch(c, d, NULL, 0, NULL, NULL, NULL, &err),
                 &err);
    CHECK(same_state(a, c));
    /* an SGD run's checkpoint is another run's */
    jahs_trainer_free(b);
    o.hp.optimizer = JAHS_OPTIM_SGD;
    b = jahs_trainer_create(&o, &err);
    CHECK(jahs_trainer_load(b, ck, &err) == JAHS_ESTATE);
    CHECK_CONTAINS(err.msg, "optimizer adam");
    o.hp.optimizer = JAHS_OPTIM_ADAM;
    o.device = 1;
    CHECK(jahs_trainer_create(&o, &err) == NULL);
    CHECK_CONTAINS(err.msg, "has no GPU kernels yet");
out:
    jahs_trainer_free(a);
    jahs_trainer_free(b);
    jahs_trainer_free(c);
    jahs_space_free(sp);
    free_data(d);
    free_data(v);
}

/* issue 15, class 8: a checkpoint of the same net trained on other data
 * (another spec, subset or folds) belongs to another run */
JAHS_TEST(train_trainer_checkpoint_identity_has_the_data)
{
    jahs_dataset *d = synthetic(40, 3);
    jahs_trainer_opts o;
    jahs_trainer *a, *b;
    jahs_error err = {0};
    const char *ck = jahs_test_path("ck.h5");
    tiny_opts(&o, d);
    snprintf(o.data_id, sizeof o.data_id, "fashion-mnist, subset 500, 2 folds");
    if (!(a = trained_and_saved(&o, d, ck))) {
        free_data(d);
        return;
    }
    snprintf(o.data_id, sizeof o.data_id, "fashion-mnist, subset 800, 2 folds");
    b = jahs_trainer_create(&o, &err);
    CHECK(b != NULL);
    if (b) {
        CHECK_EQ_INT(jahs_trainer_load(b, ck, &err), JAHS_ESTATE);
        CHECK_CONTAINS(err.msg, "subset 800");
        CHECK_EQ_INT(jahs_trainer_epochs(b), 0);
    }
    jahs_trainer_free(b);
    jahs_trainer_free(a);
    free_data(d);
}
