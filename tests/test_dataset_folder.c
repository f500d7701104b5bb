/*
 * test_dataset_folder.c - the image-folder datasets imagefolder: and
 * deepweeds: (src/data/dataset_folder.c) on folders generated here: class
 * order, file order, labels, sizes, statistics, the HDF5 cache through
 * `jahs data convert`, every error path, and class-stratified subsets
 * (subset_order = stratified, `jahs train --subset-order`).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data/dataset.h"
#include "data/dataset_read.h"
#include "data/image.h"
#include "eval/live.h"
#include "exp/experiment.h"
#include "fixture_images.h"
#include "harness.h"

static const char *mk(const char *rel)
{
    const char *p = jahs_test_path(rel);
    mkdir(p, 0755);
    return p;
}

/* A w x h RGB PNG filled with (r, g, b). */
static void solid_png(const char *rel, int w, int h, int r, int g, int b)
{
    uint8_t *px = malloc((size_t)w * h * 3);
    int i;
    for (i = 0; i < w * h; i++) {
        px[3 * i] = (uint8_t)r;
        px[3 * i + 1] = (uint8_t)g;
        px[3 * i + 2] = (uint8_t)b;
    }
    CHECK(fx_write_png(jahs_test_path(rel), w, h, FX_RGB, 8, px, NULL, 0) == 0);
    free(px);
}

/*
 * root/train/{Zeta, alpha, beta}/ and root/test/ the same classes.
 *   Zeta : z1.png (40 x 40 solid 10,20,30), sub/z0.png (32 x 32 RGB ramp,
 *          exact after loading: same size), notes.txt (skipped)
 *   alpha: a.JPG (gray JPEG 50 x 30), b.png (RGBA 17 x 9)
 *   beta : c.jpeg (RGB JPEG 64 x 48), d.png (gray 16-bit 33 x 35)
 * Sorted classes (byte order): "Zeta" < "alpha" < "beta"; within Zeta the
 * walk order is directory first ("Zeta" < "Zeta/sub"): z1.png, then
 * sub/z0.png.
 */
static const char *make_folder(uint8_t ramp[32 * 32 * 3])
{
    static char root[4096];
    uint8_t px[64 * 48 * 4];
    int i, s;
    snprintf(root, sizeof root, "%s", mk("f"));
    for (s = 0; s < 2; s++) {
        char b[64];
        const char *sp = s ? "f/test" : "f/train";
        mk(sp);
        snprintf(b, sizeof b, "%s/Zeta", sp);
        mk(b);
        snprintf(b, sizeof b, "%s/Zeta/sub", sp);
        mk(b);
        snprintf(b, sizeof b, "%s/alpha", sp);
        mk(b);
        snprintf(b, sizeof b, "%s/beta", sp);
        mk(b);
        snprintf(b, sizeof b, "%s/Zeta/z1.png", sp);
        solid_png(b, 40, 40, 10, 20, 30);
        for (i = 0; i < 32 * 32 * 3; i++)
            ramp[i] = (uint8_t)(i % 251);
        snprintf(b, sizeof b, "%s/Zeta/sub/z0.png", sp);
        CHECK(fx_write_png(jahs_test_path(b), 32, 32, FX_RGB, 8, ramp, NULL,
                           0) == 0);
        snprintf(b, sizeof b, "%s/Zeta/notes.txt", sp);
        jahs_test_write(b, "not an image\n");
        for (i = 0; i < 64 * 48 * 4; i++)
            px[i] = (uint8_t)(i * 13 % 256);
        snprintf(b, sizeof b, "%s/alpha/a.JPG", sp);
        CHECK(fx_write_jpeg(jahs_test_path(b), 50, 30, 1, px, 90) == 0);
        snprintf(b, sizeof b, "%s/alpha/b.png", sp);
        CHECK(fx_write_png(jahs_test_path(b), 17, 9, FX_RGBA, 8, px, NULL,
                           0) == 0);
        snprintf(b, sizeof b, "%s/beta/c.jpeg", sp);
        CHECK(fx_write_jpeg(jahs_test_path(b), 64, 48, 3, px, 90) == 0);
        snprintf(b, sizeof b, "%s/beta/d.png", sp);
        CHECK(fx_write_png(jahs_test_path(b), 33, 35, FX_GRAY, 16, px, NULL,
                           0) == 0);
    }
    return root;
}

static jahs_dataset *load(const char *fmt, const char *arg, jahs_split s,
                          int size, jahs_error *err)
{
    char spec[8400];
    snprintf(spec, sizeof spec, fmt, arg);
    return jahs_dataset_load_sized(spec, s, size, err);
}

/* Decode + resize one file directly: what the reader must have stored. */
static int expect_image(const jahs_dataset *d, int i, const char *rel)
{
    uint8_t *rgb = NULL, *out = malloc((size_t)d->h * d->w * 3);
    jahs_error err = {0};
    int h, w, same = 0;
    if (jahs_image_decode_rgb(jahs_test_path(rel), 4096, &rgb, &h, &w, &err) ==
            0 &&
        jahs_image_resize_bilinear(rgb, h, w, 3, out, d->h, d->w, &err) == 0)
        same = memcmp(out, d->images + (size_t)i * d->h * d->w * 3,
                      (size_t)d->h * d->w * 3) == 0;
    if (!same)
        printf("  image %d is not '%s' resized (%s)\n", i, rel, err.msg);
    free(rgb);
    free(out);
    return same;
}

JAHS_TEST(dataset_folder_imagefolder)
{
    jahs_error err = {0};
    uint8_t ramp[32 * 32 * 3];
    const char *root = make_folder(ramp);
    jahs_dataset *tr = load("imagefolder:%s", root, JAHS_SPLIT_TRAIN, 0, &err);
    jahs_dataset *te = load("imagefolder:%s", root, JAHS_SPLIT_TEST, 0, &err);
    jahs_dataset *t16 = load("imagefolder@16:%s", root, JAHS_SPLIT_TRAIN, 0,
                             &err);
    jahs_dataset *t20 = load("imagefolder:%s", root, JAHS_SPLIT_TRAIN, 20,
                             &err);
    static const int want_labels[6] = {0, 0, 1, 1, 2, 2};
    int i, k;
    CHECK(tr && te && t16 && t20);
    if (!tr || !te || !t16 || !t20) {
        printf("  %s\n", err.msg);
        goto out;
    }
    CHECK_STR(tr->name, "imagefolder");
    /* n, h, w, c, classes */
    CHECK_EQ_INT(tr->n * 10000 + tr->h * 100 + tr->w, 60000 + 3232);
    CHECK_EQ_INT(tr->c * 100 + tr->n_classes, 303);
    for (i = 0; i < 6; i++)
        CHECK_EQ_INT(tr->labels[i], want_labels[i]);
    /* order: Zeta/z1.png, Zeta/sub/z0.png, alpha/a.JPG, alpha/b.png, ... */
    CHECK_EQ_INT(tr->images[0], 10);
    CHECK_EQ_INT(tr->images[1], 20);
    CHECK_EQ_INT(tr->images[2], 30);
    CHECK(memcmp(tr->images + 32 * 32 * 3, ramp, sizeof ramp) == 0);
    CHECK(expect_image(tr, 2, "f/train/alpha/a.JPG"));
    CHECK(expect_image(tr, 3, "f/train/alpha/b.png"));
    CHECK(expect_image(tr, 4, "f/train/beta/c.jpeg"));
    CHECK(expect_image(tr, 5, "f/train/beta/d.png"));
    /* grayscale sources have three equal channels */
    CHECK_EQ_INT(tr->images[2 * 3072 + 300], tr->images[2 * 3072 + 301]);
    /* statistics: the training images, per channel, population std */
    for (k = 0; k < 3; k++) {
        double s = 0, sq = 0, n = 6.0 * 32 * 32, m, sd;
        for (i = 0; i < 6 * 32 * 32; i++) {
            double v = tr->images[3 * i + k] / 255.0;
            s += v;
            sq += v * v;
        }
        m = s / n;
        sd = sqrt(sq / n - m * m);
        CHECK_NEAR(tr->mean[k], m, 1e-6);
        CHECK_NEAR(tr->std[k], sd, 1e-6);
        CHECK_EQ_DBL(te->mean[k], tr->mean[k]);
        CHECK_EQ_DBL(te->std[k], tr->std[k]);
    }
    CHECK_EQ_INT(te->n, 6);
    CHECK(memcmp(te->images, tr->images, (size_t)6 * 3072) == 0);
    CHECK_EQ_INT(t16->h, 16);
    CHECK_EQ_INT(t16->w, 16);
    CHECK_EQ_INT(t20->h, 20);
    CHECK(expect_image(t16, 1, "f/train/Zeta/sub/z0.png"));
out:
    jahs_dataset_free(tr);
    jahs_dataset_free(te);
    jahs_dataset_free(t16);
    jahs_dataset_free(t20);
}

JAHS_TEST(dataset_folder_deepweeds_layout)
{
    jahs_error err = {0};
    const char *root = jahs_test_path("dw");
    char unb[4200];
    jahs_dataset *tr, *te, *u;
    CHECK(fx_make_deepweeds(root, 9, 3, 2, 40, 1) == 0);
    tr = load("deepweeds:%s", root, JAHS_SPLIT_TRAIN, 0, &err);
    te = load("deepweeds:%s:balanced", root, JAHS_SPLIT_TEST, 0, &err);
    CHECK(tr && te);
    if (tr && te) {
        CHECK_STR(tr->name, "deepweeds-balanced");
        CHECK_EQ_INT(tr->n, 27);
        CHECK_EQ_INT(te->n, 18);
        CHECK_EQ_INT(tr->n_classes, 9);
        CHECK_EQ_INT(tr->labels[26], 8);
        CHECK_EQ_INT(te->labels[2], 1);
        CHECK_EQ_INT(tr->h, 32);
    } else
        printf("  %s\n", err.msg);
    jahs_dataset_free(tr);
    jahs_dataset_free(te);
    /* ":unbalanced" wants train/ and test/ */
    u = load("deepweeds:%s:unbalanced", root, JAHS_SPLIT_TRAIN, 0, &err);
    CHECK(u == NULL);
    CHECK_CONTAINS(err.msg, "has no folder 'train'");
    snprintf(unb, sizeof unb, "%s/train_balanced", root);
    /* the same classes read as an imagefolder without a test split */
    u = load("imagefolder:%s", unb, JAHS_SPLIT_TRAIN, 0, &err);
    CHECK(u && u->n == 27);
    jahs_dataset_free(u);
    u = load("imagefolder:%s", unb, JAHS_SPLIT_TEST, 0, &err);
    CHECK(u == NULL);
    CHECK_CONTAINS(err.msg, "has no test split");
}

static void expect_fail(const char *spec, jahs_split s, int size,
                        const char *want, const char *want2)
{
    jahs_error err = {0};
    jahs_dataset *d = jahs_dataset_load_sized(spec, s, size, &err);
    CHECK(d == NULL);
    CHECK(err.code < 0);
    CHECK_CONTAINS(err.msg, want);
    if (want2)
        CHECK_CONTAINS(err.msg, want2);
    jahs_dataset_free(d);
}

JAHS_TEST(dataset_folder_errors)
{
    char spec[4200];
    const char *p;
    uint8_t ramp[32 * 32 * 3];
    const char *root = make_folder(ramp);
    /* specs */
    expect_fail("imagefolder:", JAHS_SPLIT_TRAIN, 0, "lacks a folder", NULL);
    expect_fail("imagefolder@:x", JAHS_SPLIT_TRAIN, 0, "expected imagefolder@SIZE",
                NULL);
    expect_fail("imagefolder@0:x", JAHS_SPLIT_TRAIN, 0, "image size '0'", NULL);
    expect_fail("deepweeds@12x:x", JAHS_SPLIT_TRAIN, 0, "image size '12x'",
                NULL);
    expect_fail("deepweeds@16", JAHS_SPLIT_TRAIN, 0, "lacks a folder", NULL);
    expect_fail("deepweeds::unbalanced", JAHS_SPLIT_TRAIN, 0, "lacks a folder",
                NULL);
    expect_fail("deepweeds:x", JAHS_SPLIT_TRAIN, -1, "invalid image size -1",
                NULL);
    expect_fail("deepweeds:x:balanced", JAHS_SPLIT_TRAIN, 0, "'x' is not a folder",
                NULL);
    snprintf(spec, sizeof spec, "imagefolder@16:%s", root);
    expect_fail(spec, JAHS_SPLIT_TRAIN, 24, "says images of 16 pixels", "24");
    expect_fail("fashion-mnist", JAHS_SPLIT_TRAIN, 32,
                "applies to imagefolder: and deepweeds:", "fashion-mnist");
    expect_fail("imagefolder:/nonexistent/x", JAHS_SPLIT_TRAIN, 0,
                "is not a folder", NULL);
    expect_fail("deepweeds:/nonexistent/x", JAHS_SPLIT_TEST, 0,
                "is not a folder", NULL);
    expect_fail("bogus:x", JAHS_SPLIT_TRAIN, 0, "imagefolder[@SIZE]:DIR", NULL);
    /* a test split whose classes differ */
    mk("f/test/gamma");
    solid_png("f/test/gamma/g.png", 8, 8, 1, 2, 3);
    snprintf(spec, sizeof spec, "imagefolder:%s", root);
    expect_fail(spec, JAHS_SPLIT_TEST, 0, "classes must be the same",
                "'gamma'");
    /* an empty class, named */
    mk("f/train/empty");
    mk("f/train/empty/deeper");
    jahs_test_write("f/train/empty/readme.txt", "x");
    expect_fail(spec, JAHS_SPLIT_TRAIN, 0, "no image file in the class folder",
                "'empty'");
    rmdir(jahs_test_path("f/train/empty/deeper"));
    remove(jahs_test_path("f/train/empty/readme.txt"));
    rmdir(jahs_test_path("f/train/empty"));
    /* a corrupt image, named */
    jahs_test_write("f/train/beta/e.png", "garbage");
    p = jahs_test_path("f/train/beta/e.png");
    expect_fail(spec, JAHS_SPLIT_TRAIN, 0, p, "neither PNG nor JPEG");
    remove(p);
    /* a known image extension jahs does not decode, named */
    jahs_test_write("f/train/beta/e.bmp", "BM....");
    p = jahs_test_path("f/train/beta/e.bmp");
    expect_fail(spec, JAHS_SPLIT_TRAIN, 0, p, "neither PNG nor JPEG");
    remove(p);
    /* a link loop below a class folder */
    CHECK(symlink(".", jahs_test_path("f/train/beta/loop")) == 0);
    expect_fail(spec, JAHS_SPLIT_TRAIN, 0, "nested deeper than 32",
                "a link loop");
    remove(jahs_test_path("f/train/beta/loop"));
    /* an image size beyond the format's sides */
    expect_fail(spec, JAHS_SPLIT_TRAIN, 5000, "image size 5000 out of range",
                NULL);
    /* more classes than uint8 labels hold */
    {
        char b[64];
        int k;
        mk("many");
        for (k = 0; k < 257; k++) {
            snprintf(b, sizeof b, "many/c%03d", k);
            mk(b);
        }
        snprintf(spec, sizeof spec, "imagefolder:%s", jahs_test_path("many"));
        expect_fail(spec, JAHS_SPLIT_TRAIN, 0, "has 257 class folders",
                    "at most 256");
    }
    /* a split folder without class folders */
    mk("flat");
    solid_png("flat/a.png", 4, 4, 0, 0, 0);
    snprintf(spec, sizeof spec, "imagefolder:%s", jahs_test_path("flat"));
    expect_fail(spec, JAHS_SPLIT_TRAIN, 0, "has no class folder", NULL);
}

/* `jahs data convert --from deepweeds:DIR` caches the decoded splits in the
 * HDF5 format: the file reads back identical to the folder. */
JAHS_TEST(dataset_folder_convert_cli)
{
    jahs_error err = {0};
    const char *root = jahs_test_path("dw");
    char out[4200], spec[4200], *o = NULL;
    jahs_dataset *a, *b;
    int rc;
    CHECK(fx_make_deepweeds(root, 3, 4, 2, 24, 5) == 0);
    snprintf(out, sizeof out, "%s", jahs_test_path("dw16.h5"));
    rc = jahs_test_sh(&o, "%s data convert --from 'deepweeds:%s' --out '%s' "
                          "--image-size 16",
                      jahs_test_bin(), root, out);
    CHECK_EQ_INT(rc, 0);
    CHECK_CONTAINS(o, "train 12, test 6 images of 16 x 16 x 3, 3 classes");
    free(o);
    snprintf(spec, sizeof spec, "deepweeds@16:%s", root);
    a = jahs_dataset_load(spec, JAHS_SPLIT_TEST, &err);
    b = jahs_dataset_load(out, JAHS_SPLIT_TEST, &err);
    CHECK(a && b);
    if (a && b) {
        CHECK_EQ_INT(a->n, b->n);
        CHECK(memcmp(a->images, b->images, (size_t)a->n * 16 * 16 * 3) == 0);
        CHECK(memcmp(a->labels, b->labels, (size_t)a->n) == 0);
        CHECK_NEAR(a->mean[1], b->mean[1], 1e-6);
        CHECK_NEAR(a->std[2], b->std[2], 1e-6);
    }
    jahs_dataset_free(a);
    jahs_dataset_free(b);
    rc = jahs_test_sh(&o, "%s data info 'deepweeds:%s' --split train",
                      jahs_test_bin(), root);
    CHECK_EQ_INT(rc, 0);
    CHECK_CONTAINS(o, "12 images, 32 x 32 x 3 (h x w x c), 3 classes");
    CHECK_CONTAINS(o, "by class  4 4 4");
    free(o);
    rc = jahs_test_sh(&o, "%s data info 'deepweeds:%s' --image-size 0",
                      jahs_test_bin(), root);
    CHECK(rc != 0);
    CHECK_CONTAINS(o, "'--image-size' expects an integer in 1..4096");
    free(o);
    rc = jahs_test_sh(&o, "%s data convert --from fashion-mnist --out '%s' "
                          "--image-size 8",
                      jahs_test_bin(), out);
    CHECK(rc != 0);
    CHECK_CONTAINS(o, "applies to imagefolder: and deepweeds: specs only");
    free(o);
}

/* ---- subset_order = stratified (eval/live.h, data/dataset.h) ------------ */

static void class_counts(const jahs_dataset *d, int *count, int k)
{
    int i;
    memset(count, 0, (size_t)k * sizeof *count);
    for (i = 0; d && i < d->n; i++)
        if (d->labels[i] < k)
            count[d->labels[i]]++;
}

/* A folder is in class order: `first` takes the first classes only;
 * `stratified` takes every class within one image of the others, each
 * class's first images in file order, for both splits. */
JAHS_TEST(dataset_folder_stratified_subset)
{
    jahs_error err = {0};
    const char *root = jahs_test_path("dws");
    char spec[4200];
    jahs_dataset *ftr = NULL, *fte = NULL, *tr = NULL, *te = NULL;
    int c[4], k, i, j, lo, hi;
    size_t per;
    CHECK(fx_make_deepweeds(root, 4, 5, 3, 8, 2) == 0);
    snprintf(spec, sizeof spec, "deepweeds@8:%s", root);
    /* the whole folder: the reference for which images were taken */
    CHECK_OK(jahs_live_datasets(spec, 0, JAHS_SUBSET_FIRST, &ftr, &fte, &err),
             &err);
    /* first: the first 10 training images are classes 0 and 1 only */
    CHECK_OK(jahs_live_datasets(spec, 10, JAHS_SUBSET_FIRST, &tr, &te, &err),
             &err);
    class_counts(tr, c, 4);
    CHECK_EQ_INT(c[0], 5);
    CHECK_EQ_INT(c[1], 5);
    CHECK_EQ_INT(c[2], 0);
    CHECK_EQ_INT(c[3], 0);
    jahs_dataset_free(tr);
    jahs_dataset_free(te);
    /* stratified: 10 of 4 classes = 3, 3, 2, 2 in both splits */
    CHECK_OK(jahs_live_datasets(spec, 10, JAHS_SUBSET_STRATIFIED, &tr, &te,
                                &err),
             &err);
    CHECK(tr && te && ftr && fte);
    if (!tr || !te || !ftr || !fte) {
        printf("  %s\n", err.msg);
        goto out;
    }
    CHECK_EQ_INT(tr->n, 10);
    CHECK_EQ_INT(te->n, 10);
    for (k = 0; k < 2; k++) {
        class_counts(k ? te : tr, c, 4);
        lo = hi = c[0];
        for (i = 1; i < 4; i++) {
            lo = c[i] < lo ? c[i] : lo;
            hi = c[i] > hi ? c[i] : hi;
        }
        CHECK(lo >= 1);
        CHECK(hi - lo <= 1);
        CHECK_EQ_INT(c[0], 3);
        CHECK_EQ_INT(c[1], 3);
        CHECK_EQ_INT(c[2], 2);
        CHECK_EQ_INT(c[3], 2);
    }
    /* file order kept: class k's j-th image is the folder's (5 k + j)-th */
    per = (size_t)tr->h * (size_t)tr->w * (size_t)tr->c;
    for (i = 0, k = 0, j = 0; i < tr->n; i++) {
        if (i > 0 && tr->labels[i] != tr->labels[i - 1]) {
            k = tr->labels[i];
            j = 0;
        }
        CHECK(tr->labels[i] >= (i ? tr->labels[i - 1] : 0));
        CHECK(memcmp(tr->images + per * (size_t)i,
                     ftr->images + per * (size_t)(5 * k + j), per) == 0);
        j++;
    }
    /* the full split's statistics */
    CHECK_EQ_DBL(tr->mean[0], ftr->mean[0]);
    /* a subset as large as the split keeps all of it */
    jahs_dataset_free(tr);
    jahs_dataset_free(te);
    CHECK_OK(jahs_live_datasets(spec, 20, JAHS_SUBSET_STRATIFIED, &tr, &te,
                                &err),
             &err);
    CHECK_EQ_INT(tr ? tr->n : -1, 20);
    CHECK_EQ_INT(te ? te->n : -1, 12);
    /* an order that does not exist */
    jahs_dataset_free(tr);
    jahs_dataset_free(te);
    CHECK(jahs_live_datasets(spec, 10, 2, &tr, &te, &err) == JAHS_EINVAL);
    CHECK_CONTAINS(err.msg, "expected first or stratified");
    CHECK(tr == NULL && te == NULL);
out:
    jahs_dataset_free(tr);
    jahs_dataset_free(te);
    jahs_dataset_free(ftr);
    jahs_dataset_free(fte);
}

/* A class with fewer images than its share gives all it has; the rest go
 * round-robin to the others.  Bad sizes and labels are errors. */
JAHS_TEST(dataset_stratified_short_class_and_errors)
{
    jahs_error err = {0};
    /* labels 0 x 6, 1 x 1, 2 x 3 in file order 0 1 0 2 0 2 0 2 0 0 */
    const uint8_t lab[10] = {0, 1, 0, 2, 0, 2, 0, 2, 0, 0};
    jahs_dataset *d = jahs_dataset_alloc("toy", 10, 1, 1, 1, 3, "toy", &err);
    jahs_dataset *s;
    int c[3], i;
    CHECK(d != NULL);
    if (!d)
        return;
    for (i = 0; i < 10; i++) {
        d->labels[i] = lab[i];
        d->images[i] = (uint8_t)i;
    }
    /* 7 = rounds {0, 1, 2}, {0, 2}, {0, 2}: 3, 1, 3 */
    s = jahs_dataset_stratified(d, 7, &err);
    CHECK(s != NULL);
    class_counts(s, c, 3);
    CHECK_EQ_INT(c[0], 3);
    CHECK_EQ_INT(c[1], 1);
    CHECK_EQ_INT(c[2], 3);
    /* the images kept, in file order: 0 1 2 3 4 5 7 */
    if (s) {
        const uint8_t want[7] = {0, 1, 2, 3, 4, 5, 7};
        for (i = 0; i < 7; i++)
            CHECK_EQ_INT(s->images[i], want[i]);
    }
    jahs_dataset_free(s);
    CHECK(jahs_dataset_stratified(d, 0, &err) == NULL);
    CHECK_CONTAINS(err.msg, "cannot take 0 images of a dataset of 10");
    CHECK(jahs_dataset_stratified(d, 11, &err) == NULL);
    d->labels[4] = 3;
    CHECK(jahs_dataset_stratified(d, 5, &err) == NULL);
    CHECK_CONTAINS(err.msg, "image 4 has label 3 of 3 classes");
    jahs_dataset_free(d);
}

/* The key: default first (no trace in the settings record, so results
 * made before it stay valid), stratified in the record, a bad value an
 * error naming file and line; `jahs train --subset-order` alike. */
JAHS_TEST(dataset_subset_order_key_and_cli)
{
    jahs_error err = {0};
    const char *text = "name = so\nevaluator = live\nsubset = 10\n"
                       "[a]\n[b]\nsubset_order = stratified\n";
    jahs_experiment *e = jahs_experiment_parse(text, "so.exp", &err);
    char *fa = NULL, *fb = NULL, *out = NULL;
    const char *bad;
    CHECK(e != NULL);
    if (e) {
        CHECK_EQ_INT(e->n_rows, 2);
        CHECK_EQ_INT(e->rows[0].subset_order, JAHS_SUBSET_FIRST);
        CHECK_EQ_INT(e->rows[1].subset_order, JAHS_SUBSET_STRATIFIED);
        CHECK_OK(jahs_exp_row_settings(e, &e->rows[0], &fa, &err), &err);
        CHECK_OK(jahs_exp_row_settings(e, &e->rows[1], &fb, &err), &err);
        CHECK(fa && !strstr(fa, "subset_order"));
        CHECK_CONTAINS(fb, ";subset_order=1");
    } else
        printf("  %s\n", err.msg);
    free(fa);
    free(fb);
    jahs_experiment_free(e);
    bad = jahs_test_write("bad.exp", "evaluator = live\n[a]\n"
                                     "subset_order = random\n");
    CHECK_EQ_INT(jahs_test_sh(&out, "%s run %s --live --out %s 2>&1",
                              jahs_test_bin(), bad, jahs_test_path("never")),
                 1);
    CHECK_CONTAINS(out, "bad.exp:3");
    CHECK_CONTAINS(out, "stratified");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s train --space nb201 --subset-order x "
                                    "2>&1",
                              jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "option '--subset-order' expects first or "
                        "stratified, got 'x'");
    free(out);
}
