/*
 * test_nn_blk16.c - the CPU trainer's bit-exact fast paths against the
 * kernels they replace:
 *   - blk16.c's NCHW <-> nChw16c reorders against a naive index loop (a
 *     hand-checkable case, odd pixel counts with a tail past the 16-pixel
 *     tiles, fewer than 16 pixels, several channel blocks, the summing
 *     variant), on the AVX-512 kernels and on the portable loop;
 *   - batchnorm.c's passes over ranges of images against the per-channel
 *     jahs_bn_forward_train / jahs_bn_backward (themselves checked against
 *     a double-precision reference in test_train_layers.c): the same bits,
 *     with odd sizes and the image ranges split unevenly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "harness.h"
#include "nn/blk16.h"
#include "nn/layers.h"

/* Index of the first float whose bits differ, or -1. */
static long first_diff(const float *a, const float *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (memcmp(&a[i], &b[i], sizeof *a) != 0)
            return (long)i;
    return -1;
}

/* CHECK that a and b are the same bits, printing the first difference. */
#define CHECK_SAME_BITS(what, a, b, n)                                         \
    do {                                                                       \
        long at_ = first_diff((a), (b), (n));                                  \
        if (at_ >= 0)                                                          \
            printf("  %s: first difference at %ld: %.9g vs %.9g\n", (what),   \
                   at_, (double)(a)[at_], (double)(b)[at_]);                   \
        CHECK_EQ_INT(at_, -1);                                                 \
    } while (0)

JAHS_TEST(nn_blk16_fits)
{
    CHECK_EQ_INT(jahs_blk16_fits(0), 0);
    CHECK_EQ_INT(jahs_blk16_fits(8), 0);
    CHECK_EQ_INT(jahs_blk16_fits(16), 1);
    CHECK_EQ_INT(jahs_blk16_fits(24), 0);
    CHECK_EQ_INT(jahs_blk16_fits(64), 1);
}

JAHS_TEST(nn_blk16_hand_case)
{
    /* 1 image, 16 channels, 2 pixels: src[k][s] = 100 k + s must land at
     * dst[s][k]; both kernels (the tile loop does not run: tail only) */
    float src[32], dst[32], back[32];
    int k, s, portable;
    for (k = 0; k < 16; k++)
        for (s = 0; s < 2; s++)
            src[k * 2 + s] = (float)(100 * k + s);
    for (portable = 0; portable <= 1; portable++) {
        jahs_blk16_force_portable(portable);
        memset(dst, 0, sizeof dst);
        jahs_blk16_from_nchw(1, 16, 2, src, dst);
        CHECK_EQ_DBL(dst[0], 0.0);
        CHECK_EQ_DBL(dst[1], 100.0);
        CHECK_EQ_DBL(dst[15], 1500.0);
        CHECK_EQ_DBL(dst[16], 1.0);
        CHECK_EQ_DBL(dst[31], 1501.0);
        jahs_blk16_to_nchw(1, 16, 2, dst, back, 0);
        CHECK_SAME_BITS("round trip", back, src, 32);
    }
    jahs_blk16_force_portable(0);
}

/* Naive reorders: NCHW index (i, ch, s) <-> blocked (i, ch / 16, s, ch % 16) */
static size_t blk_at(int c, int hw, int i, int ch, int s)
{
    return (((size_t)i * (c / 16) + ch / 16) * hw + s) * 16 + ch % 16;
}

JAHS_TEST(nn_blk16_matches_naive)
{
    /* n, c, hw: tiles only, a 1-pixel tail, tail only, 7 x 7 (the 28 x 28
     * Fashion-MNIST net's last stage), several blocks with a long tail */
    static const int shapes[][3] = {
        {2, 16, 16}, {3, 32, 17}, {1, 48, 5}, {2, 64, 49}, {3, 32, 64 + 15}};
    jahs_rng *r = jahs_rng_create(11, "test/blk16", 0, NULL);
    size_t si;
    int have = jahs_blk16_force_portable(0);
    printf("  AVX-512 kernels %s\n", have ? "available" : "not available");
    for (si = 0; si < sizeof shapes / sizeof *shapes; si++) {
        int n = shapes[si][0], c = shapes[si][1], hw = shapes[si][2];
        size_t tot = (size_t)n * c * hw, e;
        float *src = malloc(tot * sizeof *src), *want = malloc(tot * sizeof *src);
        float *got = malloc(tot * sizeof *src), *acc0 = malloc(tot * sizeof *src);
        float *wacc = malloc(tot * sizeof *src);
        int i, ch, s, portable;
        for (e = 0; e < tot; e++) {
            src[e] = (float)jahs_rng_gaussian(r, 1.0);
            acc0[e] = (float)jahs_rng_gaussian(r, 1.0);
        }
        for (i = 0; i < n; i++)
            for (ch = 0; ch < c; ch++)
                for (s = 0; s < hw; s++)
                    want[blk_at(c, hw, i, ch, s)] =
                        src[((size_t)i * c + ch) * hw + s];
        for (portable = 0; portable <= 1; portable++) {
            char what[64];
            jahs_blk16_force_portable(portable);
            snprintf(what, sizeof what, "%dx%dx%d %s to blocked", n, c, hw,
                     portable ? "portable" : "default");
            memset(got, 0xff, tot * sizeof *got);
            jahs_blk16_from_nchw(n, c, hw, src, got);
            CHECK_SAME_BITS(what, got, want, tot);
            /* back: overwrite, then sum into acc0 (dst + src per element) */
            snprintf(what, sizeof what, "%dx%dx%d %s to NCHW", n, c, hw,
                     portable ? "portable" : "default");
            memset(got, 0xff, tot * sizeof *got);
            jahs_blk16_to_nchw(n, c, hw, want, got, 0);
            CHECK_SAME_BITS(what, got, src, tot);
            for (e = 0; e < tot; e++)
                wacc[e] = acc0[e] + src[e];
            memcpy(got, acc0, tot * sizeof *got);
            jahs_blk16_to_nchw(n, c, hw, want, got, 1);
            CHECK_SAME_BITS("summing", got, wacc, tot);
        }
        free(src), free(want), free(got), free(acc0), free(wacc);
    }
    jahs_blk16_force_portable(0);
    jahs_rng_free(r);
}

/*
 * jahs_blk16_to_nchw_relu_bwd against its definition: the reorder into a
 * NCHW gradient (summing onto dy_old or not), then jahs_relu_backward
 * (overwriting or summing into dx), bit for bit, on both kernels.  y holds
 * positives, negatives and zeros (zero is masked), dx -0.0 where it sums
 * (-0.0 + 0.0 = +0.0 must come out as the two calls give it).
 */
JAHS_TEST(nn_blk16_relu_bwd_matches_two_calls)
{
    static const int shapes[][3] = {{2, 16, 16}, {3, 32, 17}, {1, 48, 5},
                                    {2, 64, 49}};
    jahs_rng *r = jahs_rng_create(12, "test/blk16-relu", 0, NULL);
    size_t si;
    for (si = 0; si < sizeof shapes / sizeof *shapes; si++) {
        int n = shapes[si][0], c = shapes[si][1], hw = shapes[si][2];
        size_t tot = (size_t)n * c * hw, e, sz = tot * sizeof(float);
        float *src = malloc(sz), *dyo = malloc(sz), *y = malloc(sz);
        float *dx0 = malloc(sz), *g = malloc(sz), *want = malloc(sz);
        float *got = malloc(sz);
        int portable, sum, acc;
        for (e = 0; e < tot; e++) {
            src[e] = (float)jahs_rng_gaussian(r, 1.0);
            dyo[e] = (float)jahs_rng_gaussian(r, 1.0);
            y[e] = e % 5 == 0 ? 0.0f : (float)jahs_rng_gaussian(r, 1.0);
            dx0[e] = e % 7 == 0 ? -0.0f : (float)jahs_rng_gaussian(r, 1.0);
        }
        for (portable = 0; portable <= 1; portable++)
            for (sum = 0; sum <= 1; sum++)
                for (acc = 0; acc <= 1; acc++) {
                    char what[80];
                    jahs_blk16_force_portable(portable);
                    memcpy(g, dyo, sz);
                    jahs_blk16_to_nchw(n, c, hw, src, g, sum);
                    memcpy(want, dx0, sz);
                    jahs_relu_backward(tot, y, g, want, acc);
                    memcpy(got, dx0, sz);
                    jahs_blk16_to_nchw_relu_bwd(n, c, hw, src,
                                                sum ? dyo : NULL, y, got, acc);
                    snprintf(what, sizeof what,
                             "%dx%dx%d %s, dy %s, dx %s", n, c, hw,
                             portable ? "portable" : "default",
                             sum ? "summed" : "written",
                             acc ? "summed" : "written");
                    CHECK_SAME_BITS(what, got, want, tot);
                }
        free(src), free(dyo), free(y), free(dx0), free(g), free(want),
            free(got);
    }
    jahs_blk16_force_portable(0);
    jahs_rng_free(r);
}

/* ---- batch norm by images ------------------------------------------------ */

JAHS_TEST(train_layer_bn_by_images_same_bits)
{
    /* n, c, hw: a tail past the 16 chains, fewer than 16 values per run,
     * exact multiples, 7 x 7 */
    static const int shapes[][3] = {
        {5, 3, 37}, {7, 4, 16}, {3, 2, 8}, {9, 5, 64 + 5}, {4, 6, 49}};
    jahs_rng *r = jahs_rng_create(12, "test/bn-images", 0, NULL);
    size_t si;
    for (si = 0; si < sizeof shapes / sizeof *shapes; si++) {
        int n = shapes[si][0], c = shapes[si][1], hw = shapes[si][2];
        jahs_bn_dims d = {n, c, hw};
        size_t tot = (size_t)n * c * hw, e;
        float *x = malloc(tot * sizeof *x), *dy = malloc(tot * sizeof *x);
        float *y0 = malloc(tot * sizeof *x), *y1 = malloc(tot * sizeof *x);
        float *y2 = malloc(tot * sizeof *x), *dx1 = malloc(tot * sizeof *x);
        float *dx2 = malloc(tot * sizeof *x);
        double *part = malloc((size_t)n * c * 2 * sizeof *part);
        float g[8], b[8], sm1[8], si1[8], rm1[8], rv1[8], sm2[8], si2[8];
        float rm2[8], rv2[8], sc[8], sh[8], k2[8], k3[8];
        float dg1[8], db1[8], dg2[8], db2[8];
        int ch, acc, split = n / 2 + 1;
        for (e = 0; e < tot; e++) {
            /* a mean and scale away from 0 / 1, as a conv output has */
            x[e] = (float)(2.5 * jahs_rng_gaussian(r, 1.0) + 0.8);
            dy[e] = (float)jahs_rng_gaussian(r, 1.0);
            y0[e] = (float)jahs_rng_gaussian(r, 1.0);
        }
        for (ch = 0; ch < c; ch++) {
            g[ch] = (float)(1.0 + 0.3 * jahs_rng_gaussian(r, 1.0));
            b[ch] = (float)(0.2 * jahs_rng_gaussian(r, 1.0));
            rm1[ch] = rm2[ch] = (float)ch * 0.1f;
            rv1[ch] = rv2[ch] = 1.0f + (float)ch;
        }
        for (acc = 0; acc <= 1; acc++) {
            char what[64];
            memcpy(y1, y0, tot * sizeof *y1);
            memcpy(y2, y0, tot * sizeof *y2);
            for (ch = 0; ch < c; ch++)
                jahs_bn_forward_train(&d, ch, x, g[ch], b[ch], y1, acc,
                                      &sm1[ch], &si1[ch], &rm1[ch], &rv1[ch]);
            /* two uneven image ranges, the second first */
            jahs_bn_stats_part(&d, split, n, x, part);
            jahs_bn_stats_part(&d, 0, split, x, part);
            for (ch = 0; ch < c; ch++)
                jahs_bn_stats_finish(&d, ch, part, g[ch], b[ch], &sc[ch],
                                     &sh[ch], &sm2[ch], &si2[ch], &rm2[ch],
                                     &rv2[ch]);
            jahs_bn_apply(&d, 0, split, x, sc, sh, y2, acc);
            jahs_bn_apply(&d, split, n, x, sc, sh, y2, acc);
            snprintf(what, sizeof what, "%dx%dx%d acc %d forward", n, c, hw,
                     acc);
            CHECK_SAME_BITS(what, y2, y1, tot);
            CHECK_SAME_BITS("batch mean", sm2, sm1, (size_t)c);
            CHECK_SAME_BITS("batch 1/std", si2, si1, (size_t)c);
            CHECK_SAME_BITS("running mean", rm2, rm1, (size_t)c);
            CHECK_SAME_BITS("running variance", rv2, rv1, (size_t)c);
            memcpy(dx1, y0, tot * sizeof *dx1);
            memcpy(dx2, y0, tot * sizeof *dx2);
            for (ch = 0; ch < c; ch++)
                jahs_bn_backward(&d, ch, x, dy, g[ch], sm1[ch], si1[ch], dx1,
                                 acc, &dg1[ch], &db1[ch]);
            jahs_bn_dsums_part(&d, 0, split, x, dy, sm2, si2, part);
            jahs_bn_dsums_part(&d, split, n, x, dy, sm2, si2, part);
            for (ch = 0; ch < c; ch++)
                jahs_bn_dsums_finish(&d, ch, part, &k2[ch], &k3[ch], &dg2[ch],
                                     &db2[ch]);
            jahs_bn_dx(&d, split, n, x, dy, g, sm2, si2, k2, k3, dx2, acc);
            jahs_bn_dx(&d, 0, split, x, dy, g, sm2, si2, k2, k3, dx2, acc);
            snprintf(what, sizeof what, "%dx%dx%d acc %d backward", n, c, hw,
                     acc);
            CHECK_SAME_BITS(what, dx2, dx1, tot);
            CHECK_SAME_BITS("dgamma", dg2, dg1, (size_t)c);
            CHECK_SAME_BITS("dbeta", db2, db1, (size_t)c);
        }
        free(x), free(dy), free(y0), free(y1), free(y2), free(dx1), free(dx2);
        free(part);
    }
    jahs_rng_free(r);
}

JAHS_TEST(train_layer_bn_by_images_hand_case)
{
    /* 2 images, 1 channel, 2 values each: x = {1, 3 | -1, 5}, mean 2,
     * biased variance (1 + 1 + 9 + 9) / 4 = 5; gamma 2, beta 0.5 */
    jahs_bn_dims d = {2, 1, 2};
    float x[4] = {1, 3, -1, 5}, y[4], dy[4] = {1, 0, 0, -1}, dx[4];
    float sc, sh, sm, si, rm = 0.0f, rv = 1.0f, k2, k3, dg, db, g = 2.0f;
    double part[4], istd = 1.0 / sqrt(5.0 + 1e-5);
    jahs_bn_stats_part(&d, 0, 2, x, part);
    CHECK_EQ_DBL(part[0], 4.0);  /* image 0: 1 + 3 */
    CHECK_EQ_DBL(part[1], 10.0); /* 1 + 9 */
    CHECK_EQ_DBL(part[2], 4.0);  /* image 1: -1 + 5 */
    CHECK_EQ_DBL(part[3], 26.0); /* 1 + 25 */
    jahs_bn_stats_finish(&d, 0, part, g, 0.5f, &sc, &sh, &sm, &si, &rm, &rv);
    CHECK_EQ_DBL(sm, 2.0);
    CHECK_NEAR(si, istd, 1e-7);
    CHECK_NEAR(rm, 0.2, 1e-7);                      /* 0.9 0 + 0.1 2 */
    CHECK_NEAR(rv, 0.9 + 0.1 * 20.0 / 3.0, 1e-6);   /* unbiased 20 / 3 */
    jahs_bn_apply(&d, 0, 2, x, &sc, &sh, y, 0);
    CHECK_NEAR(y[0], 2.0 * (1 - 2) * istd + 0.5, 1e-6);
    CHECK_NEAR(y[3], 2.0 * (5 - 2) * istd + 0.5, 1e-6);
    /* dbeta = sum dy = 0; dgamma = sum dy xhat = (-1 - 3) istd */
    jahs_bn_dsums_part(&d, 0, 2, x, dy, &sm, &si, part);
    jahs_bn_dsums_finish(&d, 0, part, &k2, &k3, &dg, &db);
    CHECK_EQ_DBL(db, 0.0);
    CHECK_NEAR(dg, -4.0 * istd, 1e-6);
    CHECK_NEAR(k3, -1.0 * istd, 1e-6); /* dgamma / 4 */
    jahs_bn_dx(&d, 0, 2, x, dy, &g, &sm, &si, &k2, &k3, dx, 0);
    /* dx = gamma istd (dy - k2 - xhat k3), xhat_0 = -istd */
    CHECK_NEAR(dx[0], 2.0 * istd * (1.0 - (-istd) * (-istd)), 1e-6);
    CHECK_NEAR(dx[3], 2.0 * istd * (-1.0 - (3 * istd) * (-istd)), 1e-6);
}
