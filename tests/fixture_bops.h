/*
 * fixture_bops.h - the checks shared by test_nn_b16ops.c and
 * test_nn_b8ops.c: a channel-blocked layout's kernels (b16ops.h, b8ops.h)
 * against the NCHW kernels they stand in for (batchnorm.c's passes over
 * images, pooling.c's pools).  The NCHW kernel runs on NCHW data, the
 * blocked one on the same data reordered by the layout's own reorder, the
 * blocked output is reordered back, and the two must be the same bits (BN's
 * per-(image, channel) partial sums compared as they are); a failure prints
 * the case, the first differing index and both values.  Random data with
 * negatives and signed zeros; image sub-ranges and acc 0 / 1.
 */
#ifndef JAHS_TESTS_FIXTURE_BOPS_H
#define JAHS_TESTS_FIXTURE_BOPS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/rng.h"
#include "harness.h"
#include "nn/layers.h"

typedef void (*fx_pool_fn)(int c, int h, int w, const float *in, float *out,
                           int acc);

/* one blocked layout: its name (in failure messages), reorders, kernels */
typedef struct fx_bops {
    const char *name;
    void (*from_nchw)(int n, int c, int hw, const float *src, float *dst);
    void (*to_nchw)(int n, int c, int hw, const float *src, float *dst,
                    int acc);
    void (*bn_stats_part)(const jahs_bn_dims *d, int i0, int i1,
                          const float *x, double *part);
    void (*bn_apply)(const jahs_bn_dims *d, int i0, int i1, const float *x,
                     const float *scale, const float *shift, float *y,
                     int acc);
    void (*bn_dsums_part)(const jahs_bn_dims *d, int i0, int i1,
                          const float *x, const float *dy, const float *mean,
                          const float *istd, double *part);
    void (*bn_dx)(const jahs_bn_dims *d, int i0, int i1, const float *x,
                  const float *dy, const float *gamma, const float *mean,
                  const float *istd, const float *k2, const float *k3,
                  float *dx, int acc);
    fx_pool_fn avgpool3_forward, avgpool3_backward;
    fx_pool_fn avgpool2_forward, avgpool2_backward;
    void (*gap_forward)(int c, int hw, const float *x, float *y, int acc);
    void (*gap_backward)(int c, int hw, const float *dy, float *dx, int acc);
} fx_bops;

/* Index of the first of n elements of size bytes whose bits differ, or -1. */
long fx_first_diff(const void *a, const void *b, size_t n, size_t size);

/* CHECK that got and want (float or double arrays) are the same bits,
 * printing the first differing index and both values otherwise */
#define FX_BITS_EQ(what, got, want, n)                                         \
    do {                                                                       \
        long k_ = fx_first_diff((got), (want), (n), sizeof *(got));            \
        if (k_ >= 0)                                                           \
            printf("  %s: first difference at %ld: %.17g vs %.17g\n", (what), \
                   k_, (double)(got)[k_], (double)(want)[k_]);                 \
        CHECK_EQ_INT(k_, -1);                                                  \
    } while (0)

/* n floats: mu + sd N(0, 1), every 11th a zero of alternating sign */
void fx_rand_fill(jahs_rng *r, float *v, size_t n, double mu, double sd);

/* BN kernel k (FX_BN_*) on ns shapes {n, c, hw}: all images in one call,
 * two uneven ranges (the second first), images [1, n) only; acc 0 and 1
 * for apply and dx.  seed, stream: the data's rng. */
enum { FX_BN_STATS, FX_BN_APPLY, FX_BN_DSUMS, FX_BN_DX };
void fx_bops_bn(const fx_bops *l, int k, const int (*shapes)[3], size_t ns,
                uint64_t seed, const char *stream);
/* the pool (3 or 2) forward (bwd 0) or backward (bwd 1) on ns one-image
 * shapes {c, h, w}, acc 0 and 1 */
void fx_bops_pool(const fx_bops *l, int pool, int bwd, const int (*shapes)[3],
                  size_t ns, uint64_t seed, const char *stream);
/* the GAP forward and backward on ns shapes {c, hw}, acc 0 and 1 */
void fx_bops_gap(const fx_bops *l, const int (*shapes)[2], size_t ns,
                 uint64_t seed, const char *stream);

#endif
