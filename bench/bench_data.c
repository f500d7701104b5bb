/*
 * bench_data.c - the data side of the live trainer: seconds to load
 * Fashion-MNIST (gzip IDX, and the same data from the project's HDF5
 * format), and augmentation throughput in images per second on one core
 * for crop + flip and TrivialAugment + crop + flip, on 28 x 28 x 1 and
 * 32 x 32 x 3 images, plus the cost of each TrivialAugmentWide operation.
 * Median of repeats.  Fashion-MNIST rows are skipped when it is not
 * installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/rng.h"
#include "core/util.h"
#include "data/augment.h"
#include "data/dataset.h"

#define REPS 5

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp_dbl);
    return t[n / 2];
}

/* Seconds to load one split of spec (median of reps); < 0 on failure. */
static double time_load(const char *spec, jahs_split s, int reps)
{
    double t[REPS];
    int r;
    for (r = 0; r < reps; r++) {
        jahs_error err = {0};
        double t0 = jahs_now();
        jahs_dataset *d = jahs_dataset_load(spec, s, &err);
        t[r] = jahs_now() - t0;
        if (!d) {
            fprintf(stderr, "bench_data: %s\n", err.msg);
            return -1;
        }
        jahs_dataset_free(d);
    }
    return median(t, reps);
}

/* Images per second of jahs_augment_image over n random images. */
static double aug_rate(const jahs_augment *a, int h, int w, int c, int n)
{
    jahs_error err = {0};
    size_t sz = (size_t)h * w * c;
    uint8_t *src = malloc(sz * (size_t)n), *dst = malloc(sz);
    jahs_rng *rng = jahs_rng_create(1, "bench/augment", 0, &err);
    double t[REPS];
    size_t i;
    int r, k;
    for (i = 0; i < sz * (size_t)n; i++)
        src[i] = (uint8_t)jahs_rng_int(rng, 256);
    for (r = 0; r < REPS; r++) {
        double t0 = jahs_now();
        for (k = 0; k < n; k++)
            jahs_augment_image(a, rng, src + sz * (size_t)k, dst, h, w, c);
        t[r] = jahs_now() - t0;
    }
    free(src);
    free(dst);
    jahs_rng_free(rng);
    return n / median(t, REPS);
}

/* Nanoseconds per image of one op (bin 20, sign +1) on random images. */
static double op_ns(jahs_ta_op op, int h, int w, int c, int n)
{
    jahs_error err = {0};
    size_t sz = (size_t)h * w * c;
    uint8_t *src = malloc(sz * 16), *dst = malloc(sz);
    jahs_rng *rng = jahs_rng_create(2, "bench/ta-op", 0, &err);
    double t[REPS];
    size_t i;
    int r, k;
    for (i = 0; i < sz * 16; i++)
        src[i] = (uint8_t)jahs_rng_int(rng, 256);
    for (r = 0; r < REPS; r++) {
        double t0 = jahs_now();
        for (k = 0; k < n; k++)
            jahs_ta_apply(op, 20, 1, src + sz * (size_t)(k % 16), dst, h, w, c);
        t[r] = jahs_now() - t0;
    }
    free(src);
    free(dst);
    jahs_rng_free(rng);
    return median(t, REPS) / n * 1e9;
}

int main(void)
{
    const jahs_augment cf = {4, 1, 0}, ta = {4, 1, 1};
    const int shapes[2][3] = {{28, 28, 1}, {32, 32, 3}};
    int s, op;
    printf("%-44s %12s\n", "dataset load (median of 3)", "seconds");
    if (jahs_path_exists(JAHS_FASHION_MNIST_DIR
                         "/train-images-idx3-ubyte.gz")) {
        char h5[64];
        jahs_error err = {0};
        jahs_dataset *tr = NULL, *te = NULL;
        printf("%-44s %12.3f\n", "fashion-mnist train (gzip IDX, 60000)",
               time_load("fashion-mnist", JAHS_SPLIT_TRAIN, 3));
        printf("%-44s %12.3f\n", "fashion-mnist test (+ train statistics)",
               time_load("fashion-mnist", JAHS_SPLIT_TEST, 3));
        snprintf(h5, sizeof h5, "/tmp/jahs-bench-data-%d.h5", (int)getpid());
        tr = jahs_dataset_load("fashion-mnist", JAHS_SPLIT_TRAIN, &err);
        te = tr ? jahs_dataset_load("fashion-mnist", JAHS_SPLIT_TEST, &err)
                : NULL;
        if (te && jahs_dataset_save_h5(tr, te, h5, &err) == 0) {
            printf("%-44s %12.3f\n", "fashion-mnist train (HDF5, deflate 4)",
                   time_load(h5, JAHS_SPLIT_TRAIN, 3));
            printf("%-44s %12.3f\n", "fashion-mnist test (HDF5)",
                   time_load(h5, JAHS_SPLIT_TEST, 3));
            unlink(h5);
        } else {
            fprintf(stderr, "bench_data: %s\n", err.msg);
        }
        jahs_dataset_free(tr);
        jahs_dataset_free(te);
    } else {
        printf("%-44s %12s\n", "fashion-mnist", "not installed");
    }
    printf("\n%-44s %12s\n", "augmentation (one core, median of 5)",
           "images/s");
    for (s = 0; s < 2; s++) {
        int h = shapes[s][0], w = shapes[s][1], c = shapes[s][2];
        char name[64];
        snprintf(name, sizeof name, "crop+flip %dx%dx%d", h, w, c);
        printf("%-44s %12.0f\n", name, aug_rate(&cf, h, w, c, 20000));
        snprintf(name, sizeof name, "TA+crop+flip %dx%dx%d", h, w, c);
        printf("%-44s %12.0f\n", name, aug_rate(&ta, h, w, c, 20000));
    }
    printf("\n%-20s %14s %14s\n", "TA op (bin 20)", "ns 28x28x1",
           "ns 32x32x3");
    for (op = 0; op < JAHS_TA_COUNT; op++)
        printf("%-20s %14.0f %14.0f\n", jahs_ta_op_name((jahs_ta_op)op),
               op_ns((jahs_ta_op)op, 28, 28, 1, 5000),
               op_ns((jahs_ta_op)op, 32, 32, 3, 5000));
    return 0;
}
