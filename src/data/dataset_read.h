/*
 * dataset_read.h - internal interface between dataset.c (spec parsing,
 * statistics, folds) and the format readers dataset_idx.c (gzip IDX),
 * dataset_cifar.c (CIFAR binary, directory or tar.gz), dataset_h5.c (the
 * project's HDF5 image format) and dataset_folder.c (image folders).  Not part of the public API: the trainer
 * includes dataset.h only.
 */
#ifndef JAHS_DATA_DATASET_READ_H
#define JAHS_DATA_DATASET_READ_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "data/dataset.h"

/* Largest accepted image side and channel count (sanity limits on headers). */
#define JAHS_DATASET_MAX_SIDE 4096
#define JAHS_DATASET_MAX_C 4

/*
 * Per-channel pixel sums, exact in integers, so that the mean and standard
 * deviation do not depend on the order in which images are added.
 */
typedef struct jahs_pixstats {
    int c;
    uint64_t count;            /* pixels per channel */
    uint64_t sum[JAHS_DATASET_MAX_C];
    uint64_t sumsq[JAHS_DATASET_MAX_C];
} jahs_pixstats;

/* Start sums for c channels. */
void jahs_pixstats_init(jahs_pixstats *s, int c);
/* Add npix pixels stored interleaved (HWC): px holds npix * s->c bytes. */
void jahs_pixstats_add_hwc(jahs_pixstats *s, const uint8_t *px, size_t npix);
/* Add npix pixels of one channel plane (CHW storage). */
void jahs_pixstats_add_plane(jahs_pixstats *s, int ch, const uint8_t *px,
                             size_t npix);
/*
 * Mean and population standard deviation per channel on the 0..1 scale
 * (pixel / 255).  A channel with zero variance gets std 1 so that
 * normalisation stays finite; entries from c to 3 are 0.
 */
void jahs_pixstats_finish(const jahs_pixstats *s, float mean[4], float std[4]);

/*
 * A dataset with uninitialised images and labels of the given shape
 * (n >= 0; 1 <= h, w <= JAHS_DATASET_MAX_SIDE; 1 <= c <= JAHS_DATASET_MAX_C).
 * src names the file for the error when the size is absurd.
 */
jahs_dataset *jahs_dataset_alloc(const char *name, int n, int h, int w, int c,
                                 int n_classes, const char *src,
                                 jahs_error *err);
/* Every label below d->n_classes, else an error naming src and the image. */
int jahs_dataset_check_labels(const jahs_dataset *d, const char *src,
                              jahs_error *err);

/* Gzip IDX (MNIST layout) in dir; name is "fashion-mnist" or "mnist". */
jahs_dataset *jahs_dataset_load_idx(const char *name, const char *dir,
                                    jahs_split split, jahs_error *err);
/* CIFAR binary: classes 10 or 100; path a directory or a .tar(.gz). */
jahs_dataset *jahs_dataset_load_cifar(int classes, const char *path,
                                      jahs_split split, jahs_error *err);
/*
 * An image folder (dataset_folder.c): kind "imagefolder" or "deepweeds"
 * (balanced selects train_balanced / test_balanced), every image decoded to
 * RGB and resized to size x size.
 */
jahs_dataset *jahs_dataset_load_folder(const char *kind, const char *root,
                                       int balanced, int size,
                                       jahs_split split, jahs_error *err);
/* The project's HDF5 image format. */
jahs_dataset *jahs_dataset_load_h5(const char *path, jahs_split split,
                                   jahs_error *err);

#endif
