/*
 * dataset.h - image classification datasets held in memory as uint8 NHWC,
 * and the two-fold cross-validation split of a training set.
 *
 * Readers (dataset.c and siblings):
 *   "fashion-mnist"        Debian's dataset-fashion-mnist (gzip IDX files
 *                          under /usr/share/datasets/fashion-mnist/), or
 *   "fashion-mnist:DIR"    the same four files in DIR;
 *   "cifar10:PATH"         CIFAR-10 binary version: a directory with
 *                          data_batch_{1..5}.bin / test_batch.bin, or the
 *                          cifar-10-binary.tar.gz read directly through zlib;
 *   "cifar100:PATH"        CIFAR-100 binary version (train.bin / test.bin,
 *                          fine labels), directory or .tar.gz;
 *   "h5:PATH"              the project's HDF5 image format (see below);
 *                          a spec ending in ".h5" is taken as "h5:SPEC";
 *   "mnist:DIR"            the same IDX reader for MNIST's four files;
 *   "imagefolder[@S]:DIR"  PNG / JPEG images in class folders, as
 *                          torchvision's ImageFolder: DIR/train/<class>/FILE
 *                          and DIR/test/<class>/FILE, or DIR/<class>/FILE as a
 *                          training split only; classes are the sorted
 *                          folder names;
 *   "deepweeds[@S]:DIR[:balanced|:unbalanced]"
 *                          the AutoML SS23 template's DeepWeedsX layout:
 *                          DIR/train_balanced/<class>/FILE and
 *                          DIR/test_balanced/<class>/FILE (the default,
 *                          ":balanced"), or DIR/train and DIR/test.
 *                          Folder images become RGB (c = 3) and are
 *                          resized to S x S (default 32,
 *                          JAHS_DATASET_IMAGE_SIZE) as torchvision's
 *                          Resize((S, S)) resizes PIL images (data/image.h).
 *                          Decoding is slow: convert once with
 *                          `jahs data convert --from SPEC --out F.h5`.
 *
 * Images stay uint8 NHWC as stored (CIFAR's CHW records are converted to
 * HWC).  Grayscale datasets keep c = 1: the networks' stem convolution takes
 * c input channels, so nothing is replicated.
 *
 * mean / std are the per-channel statistics of the TRAINING split (pixel /
 * 255, population standard deviation over all training pixels), whichever
 * split is loaded: the test split is normalised with the training
 * statistics.  Loading an IDX or CIFAR test split therefore also streams the
 * training images once; the HDF5 format stores the statistics.  Entries from
 * c to 3 are 0; a constant channel gets std 1.
 *
 * The project's HDF5 image format: datasets "train/images" and
 * "test/images" (uint8, N x H x W x C), "train/labels" and "test/labels"
 * (uint8, N), root attributes "name" (string), "n_classes" (long), and
 * "mean" / "std" (per-channel, comma-separated text on the 0..1 scale).
 */
#ifndef JAHS_DATA_DATASET_H
#define JAHS_DATA_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Where Debian's dataset-fashion-mnist installs the four gzip IDX files. */
#define JAHS_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"

typedef enum jahs_split { JAHS_SPLIT_TRAIN = 0, JAHS_SPLIT_TEST = 1 } jahs_split;

typedef struct jahs_dataset {
    char name[64];     /* "fashion-mnist", "cifar10", ... */
    int n;             /* images */
    int h, w, c;       /* 28 x 28 x 1 for Fashion-MNIST, 32 x 32 x 3 for CIFAR */
    int n_classes;
    uint8_t *images;   /* n * h * w * c bytes, NHWC, owned */
    uint8_t *labels;   /* n labels in [0, n_classes), owned */
    float mean[4];     /* per-channel mean of the training images, 0..1 scale */
    float std[4];      /* per-channel standard deviation, 0..1 scale */
} jahs_dataset;

/* The side folder images are resized to unless a spec or caller says. */
#define JAHS_DATASET_IMAGE_SIZE 32

/*
 * Load one split of a dataset named by spec (see above).  Corrupt or
 * truncated files, wrong magic numbers, mismatched counts and labels out of
 * range are errors naming the file.  Free with jahs_dataset_free.
 */
jahs_dataset *jahs_dataset_load(const char *spec, jahs_split split,
                                jahs_error *err);
/*
 * jahs_dataset_load with the side folder images are resized to (image_size
 * >= 1; 0 = the spec's "@S", else JAHS_DATASET_IMAGE_SIZE).  A positive
 * image_size with a spec that is not an image folder, or that disagrees with
 * the spec's "@S", is an error (JAHS_EINVAL).
 */
jahs_dataset *jahs_dataset_load_sized(const char *spec, jahs_split split,
                                      int image_size, jahs_error *err);
/* NULL is a no-op. */
void jahs_dataset_free(jahs_dataset *d);

/* The first n images of d as a new dataset (copy; 1 <= n <= d->n), keeping
 * d's name and statistics (those of the full training split). */
jahs_dataset *jahs_dataset_head(const jahs_dataset *d, int n, jahs_error *err);

/*
 * A class-stratified subset of n images of d (copy; 1 <= n <= d->n), for
 * datasets stored in class order (image folders, as torchvision's
 * ImageFolder lists them), where the first n are the first classes only.
 * Images are taken round-robin over the classes 0, 1, ..., n_classes - 1,
 * each class's in file order: round r takes the r-th image of every class
 * that has one, until n are taken.  So every class gets floor(n / K) or
 * ceil(n / K) images (K: the classes present), the lower classes the extra
 * ones; a class with fewer images than its share gives all it has, and the
 * images it lacks go on round-robin to the classes that still have some.
 * The subset keeps d's file order, name and statistics.  Deterministic (no
 * seed).  Labels outside [0, n_classes) are JAHS_EINVAL.
 */
jahs_dataset *jahs_dataset_stratified(const jahs_dataset *d, int n,
                                      jahs_error *err);

/*
 * Two-fold (k-fold) cross-validation on a training set: a deterministic
 * stratified shuffle of the indices 0..n-1 from (seed), cut into n_folds
 * parts; fold k validates on part k and trains on the rest.  *train and
 * *val are malloc'd index arrays (free them), ascending.  Stratified: each
 * class is shuffled from the stream (seed, "data/folds", 0), the class blocks
 * are concatenated in label order and dealt round robin to the parts, so
 * each part holds every class to within one image.  The DESIGN's two-fold CV
 * is n_folds = 2: fold k validates on half k, trains on the other half.
 * Errors: n_folds < 2 or > d->n, fold outside [0, n_folds), a bad label.
 */
int jahs_dataset_folds(const jahs_dataset *d, int fold, int n_folds,
                       uint64_t seed, int **train, int *n_train, int **val,
                       int *n_val, jahs_error *err);

/*
 * Write train and test splits to the project's HDF5 image format,
 * atomically (a temporary file renamed on success).  test may be NULL (a
 * file with a training split only).  Both splits must have the same shape
 * and class count; the statistics written are train's mean / std.
 */
int jahs_dataset_save_h5(const jahs_dataset *train, const jahs_dataset *test,
                         const char *path, jahs_error *err);

#endif
