/*
 * test_dataset.c - the dataset readers on files generated here (gzip IDX,
 * a CIFAR .bin directory, a CIFAR tar.gz built with a tiny tar writer, the
 * HDF5 format), including broken ones; training statistics; subsets;
 * stratified folds; the real Fashion-MNIST files when installed; and the
 * `jahs data` commands.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "core/afile.h"
#include "core/h5.h"
#include "core/util.h"
#include "data/dataset.h"
#include "harness.h"

/* ---- generated IDX files --------------------------------------------------- */

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Write bytes to path, gzip-compressed when gz. */
static void write_bytes(const char *path, const void *data, size_t n, int gz)
{
    if (gz) {
        gzFile f = gzopen(path, "wb");
        CHECK(f != NULL);
        if (!f)
            return;
        if (n)
            CHECK_EQ_INT(gzwrite(f, data, (unsigned)n), (long long)n);
        CHECK_EQ_INT(gzclose(f), Z_OK);
    } else {
        FILE *f = fopen(path, "wb");
        CHECK(f != NULL);
        if (!f)
            return;
        CHECK_EQ_INT(fwrite(data, 1, n, f), (long long)n);
        fclose(f);
    }
}

/*
 * An IDX images file of n images of r x c: magic, sizes, then pixel
 * (k, i, j) = (k * 7 + i * 3 + j) % 256 unless pix is given.
 */
static void write_idx_images(const char *path, uint32_t magic, int n, int r,
                             int c, const uint8_t *pix, size_t extra_trunc,
                             int gz)
{
    size_t len = 16 + (size_t)n * r * c, i;
    unsigned char *b = calloc(len + 4, 1);
    put_be32(b, magic);
    put_be32(b + 4, (uint32_t)n);
    put_be32(b + 8, (uint32_t)r);
    put_be32(b + 12, (uint32_t)c);
    for (i = 0; i < (size_t)n * r * c; i++)
        b[16 + i] = pix ? pix[i] : (uint8_t)((i / (r * c)) * 7 + i % (r * c));
    write_bytes(path, b, len - extra_trunc, gz);
    free(b);
}

static void write_idx_labels(const char *path, int n, const uint8_t *lab,
                             int gz)
{
    unsigned char *b = calloc(8 + (size_t)n, 1);
    put_be32(b, 0x00000801);
    put_be32(b + 4, (uint32_t)n);
    memcpy(b + 8, lab, (size_t)n);
    write_bytes(path, b, 8 + (size_t)n, gz);
    free(b);
}

/*
 * A Fashion-MNIST-style directory: train 4 images of 2 x 2 with pixels
 * 0, 255, 0, 255 ... (mean exactly 0.5, std exactly 0.5), test 3 images of
 * value 10 (so the test split's own statistics would be different).
 */
static const char *make_idx_dir(const char *name)
{
    jahs_error err = {0};
    const char *dir = jahs_test_path(name);
    char p[4096];
    uint8_t tr[16], te[12], ltr[4] = {3, 0, 9, 1}, lte[3] = {2, 2, 5};
    int i;
    CHECK_OK(jahs_mkdirs(dir, &err), &err);
    for (i = 0; i < 16; i++)
        tr[i] = (uint8_t)(i % 2 ? 255 : 0);
    for (i = 0; i < 12; i++)
        te[i] = 10;
    snprintf(p, sizeof p, "%s/train-images-idx3-ubyte.gz", dir);
    write_idx_images(p, 0x803, 4, 2, 2, tr, 0, 1);
    snprintf(p, sizeof p, "%s/train-labels-idx1-ubyte.gz", dir);
    write_idx_labels(p, 4, ltr, 1);
    /* the test files uncompressed: gzread reads them transparently */
    snprintf(p, sizeof p, "%s/t10k-images-idx3-ubyte", dir);
    write_idx_images(p, 0x803, 3, 2, 2, te, 0, 0);
    snprintf(p, sizeof p, "%s/t10k-labels-idx1-ubyte", dir);
    write_idx_labels(p, 3, lte, 0);
    return dir;
}

static jahs_dataset *load(const char *fmt, const char *arg, jahs_split s,
                          jahs_error *err)
{
    char spec[4200];
    snprintf(spec, sizeof spec, fmt, arg);
    return jahs_dataset_load(spec, s, err);
}

JAHS_TEST(dataset_idx_reads_generated_files)
{
    jahs_error err = {0};
    const char *dir = make_idx_dir("fm");
    jahs_dataset *tr = load("fashion-mnist:%s", dir, JAHS_SPLIT_TRAIN, &err);
    jahs_dataset *te = load("fashion-mnist:%s", dir, JAHS_SPLIT_TEST, &err);
    jahs_dataset *mn = load("mnist:%s", dir, JAHS_SPLIT_TRAIN, &err);
    CHECK(tr && te && mn);
    if (!tr || !te || !mn) {
        printf("  %s\n", err.msg);
        goto out;
    }
    CHECK_STR(tr->name, "fashion-mnist");
    CHECK_STR(mn->name, "mnist");
    CHECK_EQ_INT(tr->n, 4);
    CHECK_EQ_INT(tr->h, 2);
    CHECK_EQ_INT(tr->w, 2);
    CHECK_EQ_INT(tr->c, 1);
    CHECK_EQ_INT(tr->n_classes, 10);
    CHECK_EQ_INT(tr->images[0], 0);
    CHECK_EQ_INT(tr->images[1], 255);
    CHECK_EQ_INT(tr->images[15], 255);
    CHECK_EQ_INT(tr->labels[0], 3);
    CHECK_EQ_INT(tr->labels[2], 9);
    /* half 0, half 255: mean 0.5, population std 0.5 */
    CHECK_NEAR(tr->mean[0], 0.5, 1e-7);
    CHECK_NEAR(tr->std[0], 0.5, 1e-7);
    CHECK_EQ_DBL(tr->mean[1], 0.0);
    /* the test split: its own pixels, the training statistics */
    CHECK_EQ_INT(te->n, 3);
    CHECK_EQ_INT(te->images[11], 10);
    CHECK_EQ_INT(te->labels[2], 5);
    CHECK_NEAR(te->mean[0], 0.5, 1e-7);
    CHECK_NEAR(te->std[0], 0.5, 1e-7);
out:
    jahs_dataset_free(tr);
    jahs_dataset_free(te);
    jahs_dataset_free(mn);
    jahs_dataset_free(NULL);
}

/* Load one split and expect failure with a message containing want. */
static void expect_fail(const char *spec, jahs_split s, const char *want,
                        const char *want2)
{
    jahs_error err = {0};
    jahs_dataset *d = jahs_dataset_load(spec, s, &err);
    CHECK(d == NULL);
    CHECK(err.code < 0);
    CHECK_CONTAINS(err.msg, want);
    if (want2)
        CHECK_CONTAINS(err.msg, want2);
    jahs_dataset_free(d);
}

JAHS_TEST(dataset_idx_broken_files_are_named)
{
    char spec[4200], p[4096];
    const char *dir = make_idx_dir("bad");
    uint8_t lab[4] = {0, 1, 2, 3}, big[4] = {0, 1, 10, 3};
    snprintf(spec, sizeof spec, "fashion-mnist:%s", dir);

    /* wrong magic (0x0801 where images are expected) */
    snprintf(p, sizeof p, "%s/train-images-idx3-ubyte.gz", dir);
    write_idx_images(p, 0x801, 4, 2, 2, NULL, 0, 1);
    expect_fail(spec, JAHS_SPLIT_TRAIN, "bad magic number 0x00000801", p);

    /* truncated data: 5 bytes short */
    write_idx_images(p, 0x803, 4, 2, 2, NULL, 5, 1);
    expect_fail(spec, JAHS_SPLIT_TRAIN, "truncated", p);

    /* a gzip stream cut in the middle */
    {
        FILE *f;
        long len;
        char *buf;
        write_idx_images(p, 0x803, 4, 2, 2, NULL, 0, 1);
        f = fopen(p, "rb");
        fseek(f, 0, SEEK_END);
        len = ftell(f);
        rewind(f);
        buf = malloc((size_t)len);
        CHECK_EQ_INT(fread(buf, 1, (size_t)len, f), len);
        fclose(f);
        write_bytes(p, buf, (size_t)len - 6, 0); /* in the CRC trailer */
        expect_fail(spec, JAHS_SPLIT_TRAIN, "gzip stream ends early", p);
        write_bytes(p, buf, (size_t)len - 20, 0); /* in the data */
        expect_fail(spec, JAHS_SPLIT_TRAIN, "truncated", p);
        buf[len - 8] ^= 1; /* a CRC that does not match */
        write_bytes(p, buf, (size_t)len, 0);
        expect_fail(spec, JAHS_SPLIT_TRAIN, "corrupt", p);
        free(buf);
    }

    /* trailing bytes after the declared images */
    {
        unsigned char b[16 + 16 + 3] = {0};
        put_be32(b, 0x803);
        put_be32(b + 4, 4);
        put_be32(b + 8, 2);
        put_be32(b + 12, 2);
        write_bytes(p, b, sizeof b, 1);
        expect_fail(spec, JAHS_SPLIT_TRAIN, "trailing data", p);
    }

    /* absurd sizes */
    write_idx_images(p, 0x803, 4, 5000, 2, NULL, 0, 1);
    expect_fail(spec, JAHS_SPLIT_TRAIN, "expected sides 1..4096", p);

    /* count mismatch: 4 images, 3 labels */
    write_idx_images(p, 0x803, 4, 2, 2, NULL, 0, 1);
    snprintf(p, sizeof p, "%s/train-labels-idx1-ubyte.gz", dir);
    write_idx_labels(p, 3, lab, 1);
    expect_fail(spec, JAHS_SPLIT_TRAIN, "holds 4 images but", "3 labels");

    /* label out of range */
    write_idx_labels(p, 4, big, 1);
    expect_fail(spec, JAHS_SPLIT_TRAIN, "label 10 of image 2 is out of range",
                p);

    /* the test split needs the training images for its statistics */
    snprintf(p, sizeof p, "%s/train-images-idx3-ubyte.gz", dir);
    unlink(p);
    expect_fail(spec, JAHS_SPLIT_TEST, "training statistics", "cannot find");

    /* missing directory */
    expect_fail("fashion-mnist:/nonexistent/fm", JAHS_SPLIT_TRAIN,
                "cannot find '/nonexistent/fm/train-images-idx3-ubyte.gz'",
                NULL);
}

JAHS_TEST(dataset_specs)
{
    expect_fail("imagenet", JAHS_SPLIT_TRAIN, "unknown dataset 'imagenet'",
                "fashion-mnist");
    expect_fail("cifar10:", JAHS_SPLIT_TRAIN, "lacks a path", NULL);
    expect_fail("", JAHS_SPLIT_TRAIN, "empty dataset spec", NULL);
    expect_fail("/nonexistent/x.h5", JAHS_SPLIT_TRAIN, "x.h5", NULL);
    expect_fail("cifar100:/nonexistent/c", JAHS_SPLIT_TRAIN,
                "cannot find '/nonexistent/c'", "cifar100");
}

/* ---- CIFAR ------------------------------------------------------------------ */

#define REC_PIX 3072

/*
 * One CIFAR record: label byte(s), then planes R, G, B with pixel p of
 * channel ch = (seed + ch * 50 + p) % 256.
 */
static void cifar_record(unsigned char *r, int hundred, int coarse, int label,
                         int seed)
{
    int off = hundred ? 2 : 1, ch, p;
    if (hundred)
        r[0] = (unsigned char)coarse;
    r[off - 1] = (unsigned char)label;
    for (ch = 0; ch < 3; ch++)
        for (p = 0; p < 1024; p++)
            r[off + ch * 1024 + p] = (unsigned char)((seed + ch * 50 + p) % 256);
}

/* CIFAR-10 batch k: 2 records, labels 2k-2 and 2k-1 (mod 10), seeds 10k. */
static unsigned char *cifar10_batch(int k, size_t *len)
{
    unsigned char *b = malloc(2 * (1 + REC_PIX));
    cifar_record(b, 0, 0, (2 * k - 2) % 10, 10 * k);
    cifar_record(b + 1 + REC_PIX, 0, 0, (2 * k - 1) % 10, 10 * k + 1);
    *len = 2 * (1 + REC_PIX);
    return b;
}

static const char *make_cifar10_dir(const char *name)
{
    jahs_error err = {0};
    const char *dir = jahs_test_path(name);
    char p[4096];
    int k;
    size_t len;
    unsigned char *b;
    CHECK_OK(jahs_mkdirs(dir, &err), &err);
    for (k = 1; k <= 5; k++) {
        b = cifar10_batch(k, &len);
        snprintf(p, sizeof p, "%s/data_batch_%d.bin", dir, k);
        write_bytes(p, b, len, 0);
        free(b);
    }
    b = malloc(1 + REC_PIX);
    cifar_record(b, 0, 0, 7, 99);
    snprintf(p, sizeof p, "%s/test_batch.bin", dir);
    write_bytes(p, b, 1 + REC_PIX, 0);
    free(b);
    return dir;
}

static void check_cifar10_train(const jahs_dataset *d)
{
    int k;
    CHECK_STR(d->name, "cifar10");
    CHECK_EQ_INT(d->n, 10);
    CHECK_EQ_INT(d->h, 32);
    CHECK_EQ_INT(d->w, 32);
    CHECK_EQ_INT(d->c, 3);
    CHECK_EQ_INT(d->n_classes, 10);
    /* batches in order 1..5, records in order */
    for (k = 0; k < 10; k++)
        CHECK_EQ_INT(d->labels[k], k);
    /* HWC: image 3 (batch 2, second record: seed 21), pixel p = 5 * 32 + 7 */
    {
        const uint8_t *im = d->images + 3 * REC_PIX;
        int p = 5 * 32 + 7;
        CHECK_EQ_INT(im[p * 3 + 0], (21 + p) % 256);
        CHECK_EQ_INT(im[p * 3 + 1], (21 + 50 + p) % 256);
        CHECK_EQ_INT(im[p * 3 + 2], (21 + 100 + p) % 256);
        CHECK_EQ_INT(im[1023 * 3 + 2], (21 + 100 + 1023) % 256);
    }
}

/*
 * Channel means of the generated training set, computed here by brute
 * force over the records (the reader computes them from its own copy).
 */
static double cifar10_mean(int ch)
{
    double s = 0;
    int k, r, p;
    for (k = 1; k <= 5; k++)
        for (r = 0; r < 2; r++)
            for (p = 0; p < 1024; p++)
                s += (10 * k + r + ch * 50 + p) % 256;
    return s / (10 * 1024) / 255.0;
}

JAHS_TEST(dataset_cifar_directory)
{
    jahs_error err = {0};
    const char *dir = make_cifar10_dir("c10");
    char parent[4096], sub[4200];
    jahs_dataset *tr = load("cifar10:%s", dir, JAHS_SPLIT_TRAIN, &err);
    jahs_dataset *te = load("cifar10:%s", dir, JAHS_SPLIT_TEST, &err);
    jahs_dataset *viaparent = NULL;
    CHECK(tr && te);
    if (!tr || !te) {
        printf("  %s\n", err.msg);
        goto out;
    }
    check_cifar10_train(tr);
    CHECK_NEAR(tr->mean[0], cifar10_mean(0), 1e-6);
    CHECK_NEAR(tr->mean[2], cifar10_mean(2), 1e-6);
    CHECK_EQ_DBL(tr->mean[3], 0.0);
    CHECK_EQ_INT(te->n, 1);
    CHECK_EQ_INT(te->labels[0], 7);
    CHECK_EQ_INT(te->images[1], (99 + 50) % 256);
    CHECK_EQ_DBL(te->mean[1], tr->mean[1]);
    CHECK_EQ_DBL(te->std[2], tr->std[2]);
    /* the official layout: PATH/cifar-10-batches-bin/ */
    snprintf(parent, sizeof parent, "%s", jahs_test_path("c10parent"));
    snprintf(sub, sizeof sub, "%s/cifar-10-batches-bin", parent);
    CHECK_OK(jahs_mkdirs(parent, &err), &err);
    CHECK_EQ_INT(rename(dir, sub), 0);
    viaparent = load("cifar10:%s", parent, JAHS_SPLIT_TRAIN, &err);
    CHECK(viaparent != NULL);
    if (viaparent)
        check_cifar10_train(viaparent);
out:
    jahs_dataset_free(tr);
    jahs_dataset_free(te);
    jahs_dataset_free(viaparent);
}

JAHS_TEST(dataset_cifar_broken_directory)
{
    char spec[4200], p[4096];
    const char *dir = make_cifar10_dir("c10bad");
    unsigned char rec[1 + REC_PIX];
    snprintf(spec, sizeof spec, "cifar10:%s", dir);
    /* a truncated batch */
    cifar_record(rec, 0, 0, 1, 0);
    snprintf(p, sizeof p, "%s/data_batch_4.bin", dir);
    write_bytes(p, rec, sizeof rec - 100, 0);
    expect_fail(spec, JAHS_SPLIT_TRAIN, "'data_batch_4.bin' in", "truncated");
    /* label 10 in CIFAR-10 */
    cifar_record(rec, 0, 0, 10, 0);
    write_bytes(p, rec, sizeof rec, 0);
    expect_fail(spec, JAHS_SPLIT_TRAIN, "label 10 of record 0", "data_batch_4");
    /* a missing batch */
    unlink(p);
    expect_fail(spec, JAHS_SPLIT_TRAIN, "data_batch_4.bin", "cannot find");
    /* no CIFAR files at all */
    expect_fail("cifar100:/tmp", JAHS_SPLIT_TRAIN, "train.bin",
                "cifar-100-binary");
}

JAHS_TEST(dataset_cifar100_uses_fine_labels)
{
    jahs_error err = {0};
    const char *dir = jahs_test_path("c100");
    char p[4096];
    unsigned char b[3 * (2 + REC_PIX)];
    jahs_dataset *tr, *te;
    CHECK_OK(jahs_mkdirs(dir, &err), &err);
    cifar_record(b, 1, 19, 99, 1);
    cifar_record(b + (2 + REC_PIX), 1, 3, 42, 2);
    cifar_record(b + 2 * (2 + REC_PIX), 1, 0, 0, 3);
    snprintf(p, sizeof p, "%s/train.bin", dir);
    write_bytes(p, b, sizeof b, 0);
    snprintf(p, sizeof p, "%s/test.bin", dir);
    write_bytes(p, b, 2 + REC_PIX, 0);
    tr = load("cifar100:%s", dir, JAHS_SPLIT_TRAIN, &err);
    te = load("cifar100:%s", dir, JAHS_SPLIT_TEST, &err);
    CHECK(tr && te);
    if (tr && te) {
        CHECK_STR(tr->name, "cifar100");
        CHECK_EQ_INT(tr->n_classes, 100);
        CHECK_EQ_INT(tr->n, 3);
        CHECK_EQ_INT(tr->labels[0], 99);
        CHECK_EQ_INT(tr->labels[1], 42);
        CHECK_EQ_INT(tr->labels[2], 0);
        CHECK_EQ_INT(tr->images[2 * REC_PIX + 3 * 10 + 1], (3 + 50 + 10) % 256);
        CHECK_EQ_INT(te->n, 1);
        CHECK_EQ_INT(te->labels[0], 99);
    }
    jahs_dataset_free(tr);
    jahs_dataset_free(te);
    /* a fine label of 100 */
    cifar_record(b, 1, 0, 100, 1);
    snprintf(p, sizeof p, "%s/train.bin", dir);
    write_bytes(p, b, 2 + REC_PIX, 0);
    snprintf(p, sizeof p, "cifar100:%s", dir);
    expect_fail(p, JAHS_SPLIT_TRAIN, "label 100", "expected 0..99");
}

/* ---- a tiny tar writer ------------------------------------------------------ */

typedef struct tar_w {
    unsigned char *data;
    size_t len, cap;
} tar_w;

static void tar_put(tar_w *t, const void *p, size_t n)
{
    if (t->len + n > t->cap) {
        t->cap = (t->len + n) * 2;
        t->data = realloc(t->data, t->cap);
    }
    memcpy(t->data + t->len, p, n);
    t->len += n;
}

/* A ustar member (type '0' regular, '5' directory). */
static void tar_member(tar_w *t, const char *name, char type, const void *p,
                       size_t n)
{
    unsigned char h[512] = {0}, pad[512] = {0};
    unsigned sum = 0;
    int i;
    snprintf((char *)h, 100, "%s", name);
    snprintf((char *)h + 100, 8, "%07o", 0644);
    snprintf((char *)h + 108, 8, "%07o", 0);
    snprintf((char *)h + 116, 8, "%07o", 0);
    snprintf((char *)h + 124, 12, "%011zo", n);
    snprintf((char *)h + 136, 12, "%011o", 0);
    h[156] = (unsigned char)type;
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memset(h + 148, ' ', 8);
    for (i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    tar_put(t, h, 512);
    if (n) {
        tar_put(t, p, n);
        if (n % 512)
            tar_put(t, pad, 512 - n % 512);
    }
}

static void tar_end(tar_w *t)
{
    unsigned char z[1024] = {0};
    tar_put(t, z, sizeof z);
}

/* The official archive's layout, members out of order, plus extras. */
static tar_w make_cifar10_tar(void)
{
    tar_w t = {0};
    const int order[5] = {3, 1, 5, 2, 4};
    unsigned char rec[1 + REC_PIX];
    const char readme[] = "not a batch\n";
    int i;
    tar_member(&t, "cifar-10-batches-bin/", '5', NULL, 0);
    tar_member(&t, "cifar-10-batches-bin/readme.html", '0', readme,
               sizeof readme - 1);
    for (i = 0; i < 5; i++) {
        size_t len;
        unsigned char *b = cifar10_batch(order[i], &len);
        char name[100];
        snprintf(name, sizeof name, "cifar-10-batches-bin/data_batch_%d.bin",
                 order[i]);
        tar_member(&t, name, '0', b, len);
        free(b);
    }
    cifar_record(rec, 0, 0, 7, 99);
    tar_member(&t, "cifar-10-batches-bin/test_batch.bin", '0', rec, sizeof rec);
    tar_end(&t);
    return t;
}

JAHS_TEST(dataset_cifar_tar_gz)
{
    jahs_error err = {0};
    tar_w t = make_cifar10_tar();
    const char *gz = jahs_test_path("cifar-10-binary.tar.gz");
    const char *plain = jahs_test_path("cifar-10-binary.tar");
    jahs_dataset *tr, *te, *tp;
    write_bytes(gz, t.data, t.len, 1);
    write_bytes(plain, t.data, t.len, 0);
    tr = load("cifar10:%s", gz, JAHS_SPLIT_TRAIN, &err);
    te = load("cifar10:%s", gz, JAHS_SPLIT_TEST, &err);
    tp = load("cifar10:%s", plain, JAHS_SPLIT_TRAIN, &err);
    CHECK(tr && te && tp);
    if (tr && te && tp) {
        check_cifar10_train(tr);
        check_cifar10_train(tp);
        CHECK_NEAR(tr->mean[1], cifar10_mean(1), 1e-6);
        CHECK_EQ_INT(te->n, 1);
        CHECK_EQ_INT(te->labels[0], 7);
        CHECK_EQ_DBL(te->std[0], tr->std[0]);
        CHECK(memcmp(tr->images, tp->images, (size_t)tr->n * REC_PIX) == 0);
    } else {
        printf("  %s\n", err.msg);
    }
    jahs_dataset_free(tr);
    jahs_dataset_free(te);
    jahs_dataset_free(tp);
    free(t.data);
}

JAHS_TEST(dataset_cifar_tar_broken)
{
    tar_w t = make_cifar10_tar();
    const char *p = jahs_test_path("broken.tar.gz");
    char spec[4200];
    snprintf(spec, sizeof spec, "cifar10:%s", p);
    /* cut inside a member: truncated */
    write_bytes(p, t.data, 512 * 3 + 6000, 1);
    expect_fail(spec, JAHS_SPLIT_TRAIN, "truncated", p);
    /* cut inside a header */
    write_bytes(p, t.data, 512 * 3 + 100, 1);
    expect_fail(spec, JAHS_SPLIT_TRAIN, "partial tar header", p);
    /* a gzip stream whose CRC trailer is cut: caught after the tar end */
    {
        FILE *f;
        long len;
        char *buf;
        write_bytes(p, t.data, t.len, 1);
        f = fopen(p, "rb");
        fseek(f, 0, SEEK_END);
        len = ftell(f);
        rewind(f);
        buf = malloc((size_t)len);
        CHECK_EQ_INT(fread(buf, 1, (size_t)len, f), len);
        fclose(f);
        write_bytes(p, buf, (size_t)len - 3, 0);
        expect_fail(spec, JAHS_SPLIT_TRAIN, "gzip stream ends early", p);
        free(buf);
    }
    /* a corrupted header byte: bad checksum */
    t.data[512 + 3] ^= 0x40;
    write_bytes(p, t.data, t.len, 1);
    expect_fail(spec, JAHS_SPLIT_TRAIN, "not a tar archive or is corrupt", p);
    t.data[512 + 3] ^= 0x40;
    /* stop after two batches: members missing */
    {
        tar_w s = {0};
        size_t len;
        unsigned char *b = cifar10_batch(1, &len);
        tar_member(&s, "data_batch_1.bin", '0', b, len);
        tar_end(&s);
        write_bytes(p, s.data, s.len, 1);
        expect_fail(spec, JAHS_SPLIT_TRAIN, "has no member 'data_batch_2.bin'",
                    p);
        free(b);
        free(s.data);
    }
    /* not a tar at all */
    write_bytes(p, "hello, this is text and not an archive", 38, 1);
    expect_fail(spec, JAHS_SPLIT_TRAIN, p, NULL);
    /* corrupt gzip data */
    {
        unsigned char junk[600];
        memset(junk, 0x5a, sizeof junk);
        junk[0] = 0x1f;
        junk[1] = 0x8b;
        junk[2] = 8;
        junk[3] = 0;
        write_bytes(p, junk, sizeof junk, 0);
        expect_fail(spec, JAHS_SPLIT_TRAIN, p, NULL);
    }
    free(t.data);
}

/* ---- HDF5 ------------------------------------------------------------------- */

JAHS_TEST(dataset_h5_round_trip)
{
    jahs_error err = {0};
    const char *dir = make_cifar10_dir("c10h5");
    const char *out = jahs_test_path("sub/c10.h5");
    jahs_dataset *tr = load("cifar10:%s", dir, JAHS_SPLIT_TRAIN, &err);
    jahs_dataset *te = load("cifar10:%s", dir, JAHS_SPLIT_TEST, &err);
    jahs_dataset *tr2 = NULL, *te2 = NULL, *tr3 = NULL;
    CHECK(tr && te);
    if (!tr || !te)
        goto out;
    CHECK_OK(jahs_dataset_save_h5(tr, te, out, &err), &err);
    CHECK_EQ_INT(jahs_afile_tmp_count(out), 0);
    tr2 = load("h5:%s", out, JAHS_SPLIT_TRAIN, &err);
    te2 = load("%s", out, JAHS_SPLIT_TEST, &err); /* ".h5" suffix spec */
    CHECK(tr2 && te2);
    if (!tr2 || !te2) {
        printf("  %s\n", err.msg);
        goto out;
    }
    CHECK_STR(tr2->name, "cifar10");
    CHECK_EQ_INT(tr2->n, tr->n);
    CHECK_EQ_INT(tr2->c, 3);
    CHECK_EQ_INT(tr2->n_classes, 10);
    CHECK(memcmp(tr2->images, tr->images, (size_t)tr->n * REC_PIX) == 0);
    CHECK(memcmp(tr2->labels, tr->labels, (size_t)tr->n) == 0);
    CHECK(memcmp(te2->images, te->images, REC_PIX) == 0);
    CHECK_EQ_INT(te2->labels[0], 7);
    /* statistics survive as text with 9 significant digits: exact floats */
    CHECK_EQ_DBL(tr2->mean[0], tr->mean[0]);
    CHECK_EQ_DBL(tr2->std[2], tr->std[2]);
    CHECK_EQ_DBL(te2->mean[1], tr->mean[1]);
    /* a training-only file has no test split */
    CHECK_OK(jahs_dataset_save_h5(tr, NULL, out, &err), &err);
    expect_fail(out, JAHS_SPLIT_TEST, "has no dataset 'test/images'", out);
    tr3 = load("h5:%s", out, JAHS_SPLIT_TRAIN, &err);
    CHECK(tr3 != NULL);
    /* mismatched splits and bad labels are refused, nothing written */
    te->c = 1;
    CHECK(jahs_dataset_save_h5(tr, te, jahs_test_path("x.h5"), &err) < 0);
    CHECK_CONTAINS(err.msg, "test is 32 x 32 x 1");
    te->c = 3;
    tr->labels[4] = 10;
    CHECK(jahs_dataset_save_h5(tr, te, jahs_test_path("x.h5"), &err) < 0);
    CHECK_CONTAINS(err.msg, "label 10 of image 4");
    CHECK(!jahs_path_exists(jahs_test_path("x.h5")));
out:
    jahs_dataset_free(tr);
    jahs_dataset_free(te);
    jahs_dataset_free(tr2);
    jahs_dataset_free(te2);
    jahs_dataset_free(tr3);
}

/* An image file written by hand through core/h5.h. */
static const char *hand_h5(const char *name, int rank, int nlab, int label,
                           const char *mean)
{
    jahs_error err = {0};
    const char *p = jahs_test_path(name);
    jahs_h5 *h = jahs_h5_create(p, &err);
    uint8_t img[4 * 2 * 2] = {0, 0, 0, 0, 255, 255, 255, 255,
                              0, 0, 0, 0, 255, 255, 255, 255};
    uint8_t lab[4] = {0, 1, 2, (uint8_t)label};
    uint64_t d4[4] = {4, 2, 2, 1}, d3[3] = {4, 2, 2}, dl = (uint64_t)nlab;
    CHECK(h != NULL);
    if (!h)
        return p;
    CHECK_OK(jahs_h5_write(h, "train/images", JAHS_H5_U8, rank,
                           rank == 4 ? d4 : d3, img, 0, &err),
             &err);
    CHECK_OK(jahs_h5_write(h, "train/labels", JAHS_H5_U8, 1, &dl, lab, 0, &err),
             &err);
    CHECK_OK(jahs_h5_write(h, "test/images", JAHS_H5_U8, rank,
                           rank == 4 ? d4 : d3, img, 0, &err),
             &err);
    CHECK_OK(jahs_h5_write(h, "test/labels", JAHS_H5_U8, 1, &dl, lab, 0, &err),
             &err);
    CHECK_OK(jahs_h5_attr_set_str(h, "/", "name", "hand", &err), &err);
    CHECK_OK(jahs_h5_attr_set_long(h, "/", "n_classes", 4, &err), &err);
    if (mean) {
        CHECK_OK(jahs_h5_attr_set_str(h, "/", "mean", mean, &err), &err);
        CHECK_OK(jahs_h5_attr_set_str(h, "/", "std", "0.5", &err), &err);
    }
    CHECK_OK(jahs_h5_commit(h, &err), &err);
    return p;
}

JAHS_TEST(dataset_h5_checks)
{
    jahs_error err = {0};
    jahs_dataset *d;
    /* no mean / std attributes: computed from the training split */
    const char *p = hand_h5("nostats.h5", 4, 4, 3, NULL);
    d = jahs_dataset_load(p, JAHS_SPLIT_TEST, &err);
    CHECK(d != NULL);
    if (d) {
        CHECK_STR(d->name, "hand");
        CHECK_NEAR(d->mean[0], 0.5, 1e-7);
        CHECK_NEAR(d->std[0], 0.5, 1e-7);
        jahs_dataset_free(d);
    }
    p = hand_h5("rank3.h5", 3, 4, 3, "0.5");
    expect_fail(p, JAHS_SPLIT_TRAIN, "has rank 3, expected 4", p);
    p = hand_h5("nlab.h5", 4, 3, 3, "0.5");
    expect_fail(p, JAHS_SPLIT_TRAIN, "holds 4 images but 'train/labels'", p);
    p = hand_h5("label.h5", 4, 4, 4, "0.5");
    expect_fail(p, JAHS_SPLIT_TRAIN, "label 4 of image 3 is out of range", p);
    p = hand_h5("mean.h5", 4, 4, 3, "0.5,0.5");
    expect_fail(p, JAHS_SPLIT_TRAIN, "attribute 'mean' is '0.5,0.5'",
                "expected 1 comma-separated");
    p = jahs_test_write("text.h5", "not an HDF5 file\n");
    expect_fail(p, JAHS_SPLIT_TRAIN, p, NULL);
}

/* ---- subsets and folds ------------------------------------------------------- */

/* 22 images of 1 x 1 x 1, classes 0 (7 images), 1 (10), 2 (5), mixed. */
static jahs_dataset *toy(void)
{
    jahs_error err = {0};
    const char *dir = jahs_test_path("toy");
    char p[4096];
    uint8_t lab[22], pix[22];
    int i;
    jahs_dataset *d;
    CHECK_OK(jahs_mkdirs(dir, &err), &err);
    for (i = 0; i < 22; i++) {
        lab[i] = (uint8_t)(i < 7 ? 0 : i < 17 ? 1 : 2);
        pix[i] = (uint8_t)i;
    }
    /* interleave the classes so that class blocks are not contiguous */
    for (i = 0; i < 22; i += 3) {
        uint8_t t = lab[i];
        lab[i] = lab[21 - i];
        lab[21 - i] = t;
    }
    snprintf(p, sizeof p, "%s/train-images-idx3-ubyte.gz", dir);
    write_idx_images(p, 0x803, 22, 1, 1, pix, 0, 1);
    snprintf(p, sizeof p, "%s/train-labels-idx1-ubyte.gz", dir);
    write_idx_labels(p, 22, lab, 1);
    d = load("fashion-mnist:%s", dir, JAHS_SPLIT_TRAIN, &err);
    CHECK(d != NULL);
    return d;
}

JAHS_TEST(dataset_head)
{
    jahs_error err = {0};
    jahs_dataset *d = toy(), *h;
    if (!d)
        return;
    h = jahs_dataset_head(d, 5, &err);
    CHECK(h != NULL);
    if (h) {
        CHECK_EQ_INT(h->n, 5);
        CHECK(memcmp(h->images, d->images, 5) == 0);
        CHECK(memcmp(h->labels, d->labels, 5) == 0);
        CHECK_EQ_DBL(h->mean[0], d->mean[0]);
        CHECK_EQ_DBL(h->std[0], d->std[0]);
        CHECK_STR(h->name, d->name);
    }
    jahs_dataset_free(h);
    CHECK(jahs_dataset_head(d, 23, &err) == NULL);
    CHECK_CONTAINS(err.msg, "first 23 images of a dataset of 22");
    CHECK(jahs_dataset_head(d, 0, &err) == NULL);
    jahs_dataset_free(d);
}

/* Checks every fold property on d for n_folds parts. */
static void check_folds(const jahs_dataset *d, int n_folds, uint64_t seed)
{
    jahs_error err = {0};
    int *seen = calloc((size_t)d->n, sizeof *seen), f, i, k;
    for (f = 0; f < n_folds; f++) {
        int *tr = NULL, *va = NULL, ntr = 0, nva = 0, *tr2, *va2, ntr2, nva2;
        int cnt[256] = {0}, total[256] = {0};
        CHECK_OK(jahs_dataset_folds(d, f, n_folds, seed, &tr, &ntr, &va, &nva,
                                    &err),
                 &err);
        if (!tr)
            continue;
        CHECK_EQ_INT(ntr + nva, d->n);
        /* part sizes within one of n / n_folds */
        CHECK(nva >= d->n / n_folds && nva <= d->n / n_folds + 1);
        /* ascending, disjoint, complete */
        for (i = 1; i < ntr; i++)
            CHECK(tr[i] > tr[i - 1]);
        for (i = 1; i < nva; i++)
            CHECK(va[i] > va[i - 1]);
        {
            char *mark = calloc((size_t)d->n, 1);
            for (i = 0; i < ntr; i++)
                mark[tr[i]]++;
            for (i = 0; i < nva; i++)
                mark[va[i]]++;
            for (i = 0; i < d->n; i++)
                CHECK_EQ_INT(mark[i], 1);
            free(mark);
        }
        /* each validation image is validated in exactly one fold */
        for (i = 0; i < nva; i++)
            seen[va[i]]++;
        /* stratified: each class's share of the part within one image */
        for (i = 0; i < d->n; i++)
            total[d->labels[i]]++;
        for (i = 0; i < nva; i++)
            cnt[d->labels[va[i]]]++;
        for (k = 0; k < d->n_classes; k++) {
            CHECK(cnt[k] >= total[k] / n_folds);
            CHECK(cnt[k] <= total[k] / n_folds + 1);
        }
        /* deterministic */
        CHECK_OK(jahs_dataset_folds(d, f, n_folds, seed, &tr2, &ntr2, &va2,
                                    &nva2, &err),
                 &err);
        CHECK_EQ_INT(nva2, nva);
        CHECK(memcmp(va, va2, (size_t)nva * sizeof *va) == 0);
        CHECK(memcmp(tr, tr2, (size_t)ntr * sizeof *tr) == 0);
        free(tr2);
        free(va2);
        free(tr);
        free(va);
    }
    for (i = 0; i < d->n; i++)
        CHECK_EQ_INT(seen[i], 1);
    free(seen);
}

JAHS_TEST(dataset_folds)
{
    jahs_error err = {0};
    jahs_dataset *d = toy();
    int *tr0, *va0, *tr1, *va1, *trs, *vas, n0, m0, n1, m1, ns, ms, i, same;
    if (!d)
        return;
    check_folds(d, 2, 1);
    check_folds(d, 3, 7);
    check_folds(d, 22, 5);
    /* two folds: fold 0 trains on what fold 1 validates on */
    CHECK_OK(jahs_dataset_folds(d, 0, 2, 1, &tr0, &n0, &va0, &m0, &err), &err);
    CHECK_OK(jahs_dataset_folds(d, 1, 2, 1, &tr1, &n1, &va1, &m1, &err), &err);
    CHECK_EQ_INT(n0, m1);
    CHECK_EQ_INT(m0, 11);
    CHECK(memcmp(tr0, va1, (size_t)n0 * sizeof *tr0) == 0);
    CHECK(memcmp(tr1, va0, (size_t)n1 * sizeof *tr1) == 0);
    /* another seed, another split */
    CHECK_OK(jahs_dataset_folds(d, 0, 2, 2, &trs, &ns, &vas, &ms, &err), &err);
    same = ms == m0;
    for (i = 0; same && i < ms; i++)
        same = vas[i] == va0[i];
    CHECK(!same);
    free(tr0);
    free(va0);
    free(tr1);
    free(va1);
    free(trs);
    free(vas);
    /* errors */
    CHECK_EQ_INT(jahs_dataset_folds(d, 0, 1, 1, &tr0, &n0, &va0, &m0, &err),
                 JAHS_EINVAL);
    CHECK_CONTAINS(err.msg, "invalid fold 0 of 1");
    CHECK_EQ_INT(jahs_dataset_folds(d, 2, 2, 1, &tr0, &n0, &va0, &m0, &err),
                 JAHS_EINVAL);
    CHECK_EQ_INT(jahs_dataset_folds(d, 0, 23, 1, &tr0, &n0, &va0, &m0, &err),
                 JAHS_EINVAL);
    d->labels[3] = 10;
    CHECK_EQ_INT(jahs_dataset_folds(d, 0, 2, 1, &tr0, &n0, &va0, &m0, &err),
                 JAHS_ERANGE);
    CHECK_CONTAINS(err.msg, "label 10 of image 3");
    jahs_dataset_free(d);
}

/* ---- the real Fashion-MNIST ------------------------------------------------- */

JAHS_TEST(dataset_fashion_mnist_real)
{
    jahs_error err = {0};
    jahs_dataset *tr, *te;
    long cnt[10] = {0};
    int i, k, *a, *b, na, nb, ok = 1;
    if (!jahs_path_exists(JAHS_FASHION_MNIST_DIR
                          "/train-images-idx3-ubyte.gz")) {
        jahs_test_skip("Fashion-MNIST not installed in %s (make deps)",
                       JAHS_FASHION_MNIST_DIR);
        return;
    }
    tr = jahs_dataset_load("fashion-mnist", JAHS_SPLIT_TRAIN, &err);
    te = jahs_dataset_load("fashion-mnist", JAHS_SPLIT_TEST, &err);
    CHECK(tr && te);
    if (!tr || !te) {
        printf("  %s\n", err.msg);
        goto out;
    }
    CHECK_EQ_INT(tr->n, 60000);
    CHECK_EQ_INT(te->n, 10000);
    CHECK_EQ_INT(tr->h, 28);
    CHECK_EQ_INT(tr->w, 28);
    CHECK_EQ_INT(tr->c, 1);
    CHECK_EQ_INT(te->h, 28);
    CHECK_EQ_INT(tr->n_classes, 10);
    /* 6000 / 1000 images per class (Xiao et al. 2017) */
    for (i = 0; i < tr->n; i++)
        cnt[tr->labels[i]]++;
    for (k = 0; k < 10; k++)
        CHECK_EQ_INT(cnt[k], 6000);
    memset(cnt, 0, sizeof cnt);
    for (i = 0; i < te->n; i++)
        cnt[te->labels[i]]++;
    for (k = 0; k < 10; k++)
        CHECK_EQ_INT(cnt[k], 1000);
    /* the commonly published normalisation: mean 0.2860, std 0.3530 */
    CHECK_NEAR(tr->mean[0], 0.2860, 5e-4);
    CHECK_NEAR(tr->std[0], 0.3530, 5e-4);
    CHECK_EQ_DBL(te->mean[0], tr->mean[0]);
    CHECK_EQ_DBL(te->std[0], tr->std[0]);
    /* two stratified halves of 30000 with 3000 images per class */
    CHECK_OK(jahs_dataset_folds(tr, 0, 2, 0, &a, &na, &b, &nb, &err), &err);
    CHECK_EQ_INT(na, 30000);
    CHECK_EQ_INT(nb, 30000);
    memset(cnt, 0, sizeof cnt);
    for (i = 0; i < nb; i++)
        cnt[tr->labels[b[i]]]++;
    for (k = 0; k < 10; k++)
        ok &= cnt[k] == 3000;
    CHECK(ok);
    free(a);
    free(b);
out:
    jahs_dataset_free(tr);
    jahs_dataset_free(te);
}

/* ---- CLI ---------------------------------------------------------------------- */

JAHS_TEST(dataset_cli_info_and_convert)
{
    const char *dir = make_idx_dir("clifm");
    const char *h5 = jahs_test_path("out/fm.h5");
    char *out = NULL;
    CHECK_EQ_INT(jahs_test_sh(&out, "%s data info fashion-mnist:%s",
                              jahs_test_bin(), dir),
                 0);
    CHECK_CONTAINS(out, "train     4 images, 2 x 2 x 1");
    CHECK_CONTAINS(out, "test      3 images");
    CHECK_CONTAINS(out, "mean      0.500000");
    CHECK_CONTAINS(out, "by class  1 1 0 1 0 0 0 0 0 1");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s data convert --from fashion-mnist:%s "
                                    "--out %s",
                              jahs_test_bin(), dir, h5),
                 0);
    CHECK_CONTAINS(out, "train 4, test 3 images of 2 x 2 x 1");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s data info %s --split test",
                              jahs_test_bin(), h5),
                 0);
    CHECK_CONTAINS(out, "dataset   fashion-mnist");
    CHECK_CONTAINS(out, "test      3 images");
    CHECK(!strstr(out, "train     "));
    CHECK_CONTAINS(out, "std       0.500000");
    free(out);
    /* usage errors exit 2, data errors exit 1 */
    CHECK_EQ_INT(jahs_test_sh(&out, "%s data convert --from x", jahs_test_bin()),
                 2);
    CHECK_CONTAINS(out, "--out");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s data info", jahs_test_bin()), 2);
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s data info x --split all",
                              jahs_test_bin()),
                 2);
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s data info nosuch", jahs_test_bin()), 1);
    CHECK_CONTAINS(out, "unknown dataset 'nosuch'");
    free(out);
    CHECK_EQ_INT(jahs_test_sh(&out, "%s data info --help", jahs_test_bin()), 0);
    CHECK_CONTAINS(out, "usage: jahs data info SPEC");
    free(out);
}
