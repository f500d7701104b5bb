/*
 * corpus.c - writes the seed corpora of the libFuzzer targets that read
 * binary files (`make fuzz` runs it from the release build): small valid
 * inputs made by the project's own writers, so that no binary fixture is
 * committed.  Usage: fuzz-corpus DIR; writes DIR/dataset_h5, DIR/idx,
 * DIR/cifar-src (train.bin and test.bin, which `make fuzz` tars),
 * DIR/checkpoint, DIR/image, and DIR/dataset_h5_sealed and
 * DIR/checkpoint_sealed (the same files for the targets that seal their
 * input first).  Exit 1 with a message on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../fixture_images.h"
#include "data/dataset_read.h"
#include "fuzz_util.h"

static const char *dir_of(const char *root, const char *sub)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/%s", root, sub);
    mkdir(buf, 0755);
    return buf;
}

static int put(const char *root, const char *name, const uint8_t *data,
               size_t size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, name);
    if (fz_write(path, data, size)) {
        fprintf(stderr, "fuzz-corpus: cannot write '%s'\n", path);
        return 1;
    }
    return 0;
}

/* A pixel pattern that is not constant (so statistics are not trivial). */
static void fill(uint8_t *px, size_t n, unsigned k)
{
    size_t i;
    for (i = 0; i < n; i++)
        px[i] = (uint8_t)((i * 37u + k * 11u) & 0xff);
}

static jahs_dataset *images(int n, int h, int w, int c, int classes,
                            jahs_error *err)
{
    jahs_dataset *d = jahs_dataset_alloc("fuzz", n, h, w, c, classes, "fuzz",
                                         err);
    int i;
    if (!d)
        return NULL;
    fill(d->images, (size_t)n * h * w * c, (unsigned)c);
    for (i = 0; i < n; i++)
        d->labels[i] = (uint8_t)(i % classes);
    for (i = 0; i < c; i++) {
        d->mean[i] = 0.5f;
        d->std[i] = 0.25f;
    }
    return d;
}

/* (name: the target's corpus folder, "dataset_h5" or "dataset_h5_sealed":
 * the same seeds for both modes) */
static int dataset_h5(const char *root, const char *name, jahs_error *err)
{
    const char *dir = dir_of(root, name);
    char path[4096];
    jahs_dataset *tr = images(6, 8, 8, 3, 4, err), *te = images(3, 8, 8, 3, 4, err);
    int rc = !tr || !te;
    snprintf(path, sizeof path, "%s/rgb.h5", dir);
    rc = rc || jahs_dataset_save_h5(tr, te, path, err);
    jahs_dataset_free(tr);
    jahs_dataset_free(te);
    return rc;
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* 4-byte length, an images file of 3 images 5 x 4, a labels file. */
static int idx(const char *root)
{
    enum { N = 3, H = 5, W = 4, IMG = 16 + N * H * W, LAB = 8 + N };
    uint8_t buf[4 + IMG + LAB], *img = buf + 4, *lab = img + IMG;
    int i;
    be32(buf, IMG);
    be32(img, 0x803);
    be32(img + 4, N);
    be32(img + 8, H);
    be32(img + 12, W);
    fill(img + 16, N * H * W, 1);
    be32(lab, 0x801);
    be32(lab + 4, N);
    for (i = 0; i < N; i++)
        lab[8 + i] = (uint8_t)(i * 4);
    return put(dir_of(root, "idx"), "three", buf, sizeof buf);
}

/* CIFAR-100 records: coarse label, fine label, 3072 pixel bytes (CHW). */
static int cifar(const char *root)
{
    enum { N = 3, REC = 2 + 3072 };
    static uint8_t buf[N * REC];
    const char *dir = dir_of(root, "cifar-src");
    int i;
    for (i = 0; i < N; i++) {
        buf[i * REC] = (uint8_t)(i * 5);
        buf[i * REC + 1] = (uint8_t)(i * 33);
        fill(buf + i * REC + 2, 3072, (unsigned)i);
    }
    return put(dir, "train.bin", buf, sizeof buf) ||
           put(dir, "test.bin", buf, 2 * REC);
}

/* The tiny trainer's checkpoint before training and after one epoch. */
static int checkpoint(const char *root, const char *name, jahs_error *err)
{
    const char *dir = dir_of(root, name);
    char p0[4096], p1[4096];
    jahs_trainer_opts o;
    jahs_trainer *t;
    jahs_dataset *d = images(8, 8, 8, 3, 4, err);
    int rc;
    fz_tiny_opts(&o);
    snprintf(p0, sizeof p0, "%s/epoch0.h5", dir);
    snprintf(p1, sizeof p1, "%s/epoch1.h5", dir);
    t = d ? jahs_trainer_create(&o, err) : NULL;
    rc = !t || jahs_trainer_save(t, p0, err) ||
         jahs_trainer_epoch(t, d, NULL, d->n, NULL, NULL, NULL, err) ||
         jahs_trainer_save(t, p1, err);
    jahs_trainer_free(t);
    jahs_dataset_free(d);
    return rc;
}

static int image(const char *root)
{
    static const uint8_t pal[4 * 3] = {0, 0, 0, 255, 0, 0, 0, 255, 0,
                                       0, 0, 255};
    uint8_t px[6 * 5 * 4 * 2], idx4[6 * 5];
    const char *dir = dir_of(root, "image");
    char p[4096];
    int i, rc = 0;
    fill(px, sizeof px, 3);
    for (i = 0; i < 6 * 5; i++)
        idx4[i] = (uint8_t)(i % 4);
#define PNG(name, type, depth, data)                                         \
    (snprintf(p, sizeof p, "%s/%s", dir, name),                             \
     fx_write_png(p, 6, 5, type, depth, data, pal, 4))
    rc |= PNG("rgb.png", FX_RGB, 8, px);
    rc |= PNG("gray.png", FX_GRAY, 8, px);
    rc |= PNG("gray_alpha.png", FX_GRAY_ALPHA, 8, px);
    rc |= PNG("rgba16.png", FX_RGBA, 16, px);
    rc |= PNG("palette.png", FX_PALETTE, 8, idx4);
    rc |= PNG("palette2.png", FX_PALETTE, 2, idx4);
#undef PNG
    snprintf(p, sizeof p, "%s/rgb.jpg", dir);
    rc |= fx_write_jpeg(p, 6, 5, 3, px, 90);
    snprintf(p, sizeof p, "%s/gray.jpg", dir);
    rc |= fx_write_jpeg(p, 6, 5, 1, px, 75);
    if (rc)
        fprintf(stderr, "fuzz-corpus: cannot write the images in '%s'\n", dir);
    return rc != 0;
}

int main(int argc, char **argv)
{
    jahs_error err = {0};
    int rc;
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz-corpus DIR\n");
        return 2;
    }
    mkdir(argv[1], 0755);
    rc = dataset_h5(argv[1], "dataset_h5", &err) ||
         dataset_h5(argv[1], "dataset_h5_sealed", &err) || idx(argv[1]) ||
         cifar(argv[1]) || checkpoint(argv[1], "checkpoint", &err) ||
         checkpoint(argv[1], "checkpoint_sealed", &err) || image(argv[1]);
    if (rc)
        fprintf(stderr, "fuzz-corpus: %s\n",
                err.msg[0] ? err.msg : "a write failed");
    return rc;
}
