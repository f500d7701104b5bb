/*
 * test_nn_b8ops.c - the nChw8c kernels of b8ops.c against the NCHW kernels
 * they stand in for (batchnorm.c's passes over images, pooling.c's pools):
 * the NCHW kernel on NCHW data, the blocked kernel on the same data
 * reordered (b8ops.h's reorders), the blocked output reordered back, and
 * the two must be the same bits (BN's per-(image, channel) partial sums
 * compared as they are).  Random data with negatives and signed zeros;
 * channel counts 8, 16, 24, 40, 64 (one block, an even and an odd number of
 * blocks); BN runs of fewer than 16 pixels, not a multiple of 16, and the
 * NB201 sizes; pools on odd and one-pixel sides; image sub-ranges and
 * acc 0 / 1.  The reorders: a hand-computed index case, the round trip,
 * and the summing way back.  And bops_impl.h's template instantiated with
 * B = 16 against b16ops.c's kernels of the same names, so that it can
 * replace them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "harness.h"
#include "nn/b16ops.h"
#include "nn/b8ops.h"
#include "nn/layers.h"

/* the template at B = 16, static and without clones (the same bits) */
#define BOPS_B 16
#define BOPS_FN(name) t16_##name
#define BOPS_LINK static
#define BOPS_CLONES
#include "nn/bops_impl.h"

/* Index of the first of n elements of size bytes whose bits differ, or -1. */
static long first_diff(const void *a, const void *b, size_t n, size_t size)
{
    const unsigned char *p = a, *q = b;
    size_t i;
    for (i = 0; i < n; i++)
        if (memcmp(p + i * size, q + i * size, size) != 0)
            return (long)i;
    return -1;
}

/* CHECK that got and want (float or double arrays) are the same bits,
 * printing the first differing index and both values otherwise */
#define BITS_EQ(what, got, want, n)                                            \
    do {                                                                       \
        long k_ = first_diff((got), (want), (n), sizeof *(got));               \
        if (k_ >= 0)                                                           \
            printf("  %s: first difference at %ld: %.17g vs %.17g\n", (what), \
                   k_, (double)(got)[k_], (double)(want)[k_]);                 \
        CHECK_EQ_INT(k_, -1);                                                  \
    } while (0)

/* n floats: mu + sd N(0, 1), every 11th a zero of alternating sign */
static void rand_fill(jahs_rng *r, float *v, size_t n, double mu, double sd)
{
    size_t e;
    for (e = 0; e < n; e++)
        v[e] = e % 11 == 3 ? (e % 2 ? -0.0f : 0.0f)
                           : (float)(mu + jahs_rng_gaussian(r, sd));
}

/* malloc'd copy of x (n x c x hw, NCHW) in nChw8c (at least one float) */
static float *to_b8(int n, int c, int hw, const float *x)
{
    float *b = malloc(((size_t)n * c * hw + 1) * sizeof *b);
    jahs_b8_from_nchw(n, c, hw, x, b);
    return b;
}

/* ---- batch norm by images ------------------------------------------------- */

enum { K_STATS, K_APPLY, K_DSUMS, K_DX };
static const char *const kernel_names[] = {"stats_part", "apply",
                                           "dsums_part", "dx"};

/* per-channel arguments: gamma (apply's scale), shift, mean, istd, k2, k3 */
typedef struct chan_args {
    float *gamma, *shift, *mean, *istd, *k2, *k3;
} chan_args;

/* Kernel k over images [i0, i1), NCHW (b8 0) or nChw8c (b8 1). */
static void bn_kernel(int k, int b8, const jahs_bn_dims *d, int i0, int i1,
                      const float *x, const float *dy, const chan_args *a,
                      float *out, int acc, double *part)
{
    if (k == K_STATS)
        (b8 ? jahs_b8_bn_stats_part : jahs_bn_stats_part)(d, i0, i1, x, part);
    else if (k == K_APPLY)
        (b8 ? jahs_b8_bn_apply : jahs_bn_apply)(d, i0, i1, x, a->gamma,
                                                a->shift, out, acc);
    else if (k == K_DSUMS)
        (b8 ? jahs_b8_bn_dsums_part : jahs_bn_dsums_part)(
            d, i0, i1, x, dy, a->mean, a->istd, part);
    else
        (b8 ? jahs_b8_bn_dx : jahs_bn_dx)(d, i0, i1, x, dy, a->gamma, a->mean,
                                          a->istd, a->k2, a->k3, out, acc);
}

static void bn_check(int k)
{
    /* n, c, hw: fewer than 16 pixels, 16 + a tail, 7 x 7, the NB201 sizes
     * (8 x 8, 16 x 16, 32 x 32), exact 16, tails of 15 and 1 past a tile
     * of 128 */
    static const int shapes[][3] = {
        {1, 8, 1},   {2, 16, 7},  {3, 24, 49}, {4, 40, 64}, {5, 16, 256},
        {2, 8, 17},  {3, 24, 33}, {1, 40, 15}, {5, 8, 16},  {2, 16, 1024},
        {3, 64, 64}, {4, 8, 4},   {2, 32, 129}};
    const int part_k = k == K_STATS || k == K_DSUMS;
    jahs_rng *r = jahs_rng_create(51 + (uint64_t)k, "test/b8ops-bn", 0, NULL);
    size_t si;
    for (si = 0; si < sizeof shapes / sizeof *shapes; si++) {
        int n = shapes[si][0], c = shapes[si][1], hw = shapes[si][2];
        jahs_bn_dims d = {n, c, hw};
        size_t tot = (size_t)n * c * hw, sz = tot * sizeof(float);
        size_t np = (size_t)n * c * 2;
        float *x = malloc(sz), *dy = malloc(sz), *o0 = malloc(sz);
        float *o1 = malloc(sz), *o2 = malloc(sz), *back = malloc(sz);
        float *xb, *dyb, *o0b, *pc = malloc(6 * (size_t)c * sizeof *pc);
        double *p1 = malloc(np * sizeof *p1), *p2 = malloc(np * sizeof *p2);
        chan_args a;
        int acc, split, ch;
        rand_fill(r, x, tot, 0.8, 2.5);
        rand_fill(r, dy, tot, 0.0, 1.0);
        rand_fill(r, o0, tot, 0.0, 1.0);
        xb = to_b8(n, c, hw, x);
        dyb = to_b8(n, c, hw, dy);
        o0b = to_b8(n, c, hw, o0);
        a.gamma = pc, a.shift = pc + c, a.mean = pc + 2 * c;
        a.istd = pc + 3 * c, a.k2 = pc + 4 * c, a.k3 = pc + 5 * c;
        for (ch = 0; ch < c; ch++) {
            a.gamma[ch] = (float)(1.0 + jahs_rng_gaussian(r, 0.3));
            a.shift[ch] = (float)jahs_rng_gaussian(r, 0.2);
            a.mean[ch] = (float)(0.8 + jahs_rng_gaussian(r, 0.1));
            a.istd[ch] = (float)(0.4 + jahs_rng_gaussian(r, 0.04));
            a.k2[ch] = (float)jahs_rng_gaussian(r, 0.01);
            a.k3[ch] = (float)jahs_rng_gaussian(r, 0.01);
        }
        for (acc = 0; acc <= !part_k; acc++)
            /* all images in one call; two uneven ranges, the second first;
             * images [1, n) only (image 0's output and part rows must stay
             * as they were) */
            for (split = 0; split < 3; split++) {
                int rg[2][2] = {{0, n}, {0, 0}}, nr = 1, t, s = n / 2 + 1;
                char what[96];
                if (split == 1) {
                    rg[0][0] = s < n ? s : n;
                    rg[1][0] = 0, rg[1][1] = rg[0][0], nr = 2;
                } else if (split == 2)
                    rg[0][0] = 1;
                memcpy(o1, o0, sz);
                memcpy(o2, o0b, sz);
                memset(p1, 0xa5, np * sizeof *p1);
                memset(p2, 0xa5, np * sizeof *p2);
                for (t = 0; t < nr; t++) {
                    bn_kernel(k, 0, &d, rg[t][0], rg[t][1], x, dy, &a, o1, acc,
                              p1);
                    bn_kernel(k, 1, &d, rg[t][0], rg[t][1], xb, dyb, &a, o2,
                              acc, p2);
                }
                snprintf(what, sizeof what, "b8 bn %s %dx%dx%d acc %d split %d",
                         kernel_names[k], n, c, hw, acc, split);
                if (part_k)
                    BITS_EQ(what, p2, p1, np);
                else {
                    jahs_b8_to_nchw(n, c, hw, o2, back, 0);
                    BITS_EQ(what, back, o1, tot);
                }
            }
        free(x), free(dy), free(o0), free(o1), free(o2), free(back);
        free(xb), free(dyb), free(o0b), free(pc), free(p1), free(p2);
    }
    jahs_rng_free(r);
}

JAHS_TEST(nn_b8ops_bn_stats_part) { bn_check(K_STATS); }
JAHS_TEST(nn_b8ops_bn_apply) { bn_check(K_APPLY); }
JAHS_TEST(nn_b8ops_bn_dsums_part) { bn_check(K_DSUMS); }
JAHS_TEST(nn_b8ops_bn_dx) { bn_check(K_DX); }

/* ---- pools (one image) ---------------------------------------------------- */

typedef void (*pool_kernel)(int c, int h, int w, const float *in, float *out,
                            int acc);

/* pool forward (bwd 0) or backward (bwd 1), pool 3 or 2, on several images */
static void pool_check(int pool, int bwd)
{
    /* c, h, w: NB201's 32 x 32 / 16 x 16 / 8 x 8, odd sides, one-pixel
     * sides (a 3-window of 1 or 2 cells; a 2-pool with no output row),
     * the widest image the 3-pool's backward gathers for and wider ones
     * (it scatters past 64 pixels) */
    static const int shapes[][3] = {
        {16, 32, 32}, {32, 16, 16}, {64, 8, 8}, {8, 7, 5},  {24, 1, 1},
        {8, 1, 4},    {40, 3, 2},   {16, 2, 9}, {24, 5, 5}, {8, 4, 1},
        {8, 3, 64},   {16, 3, 65},  {24, 2, 70}};
    pool_kernel ref = pool == 3 ? (bwd ? jahs_avgpool3_backward
                                       : jahs_avgpool3_forward)
                                : (bwd ? jahs_avgpool2_backward
                                       : jahs_avgpool2_forward);
    pool_kernel b8 = pool == 3 ? (bwd ? jahs_b8_avgpool3_backward
                                      : jahs_b8_avgpool3_forward)
                               : (bwd ? jahs_b8_avgpool2_backward
                                      : jahs_b8_avgpool2_forward);
    jahs_rng *r = jahs_rng_create(61 + (uint64_t)(pool * 2 + bwd),
                                  "test/b8ops-pool", 0, NULL);
    size_t si;
    for (si = 0; si < sizeof shapes / sizeof *shapes; si++) {
        int c = shapes[si][0], h = shapes[si][1], w = shapes[si][2];
        int small = pool == 3 ? h * w : (h / 2) * (w / 2);
        int in_hw = bwd ? small : h * w, out_hw = bwd ? h * w : small;
        size_t nin = (size_t)c * in_hw, nout = (size_t)c * out_hw;
        size_t so = (nout + 1) * sizeof(float);
        float *in = malloc((nin + 1) * sizeof *in), *o0 = malloc(so);
        float *o1 = malloc(so), *o2 = malloc(so), *back = malloc(so);
        float *inb, *o0b;
        int acc;
        rand_fill(r, in, nin, 0.3, 1.0);
        rand_fill(r, o0, nout, 0.0, 1.0);
        inb = to_b8(1, c, in_hw, in);
        o0b = to_b8(1, c, out_hw, o0);
        for (acc = 0; acc <= 1; acc++) {
            char what[80];
            memcpy(o1, o0, so);
            memcpy(o2, o0b, so);
            ref(c, h, w, in, o1, acc);
            b8(c, h, w, inb, o2, acc);
            jahs_b8_to_nchw(1, c, out_hw, o2, back, 0);
            snprintf(what, sizeof what, "b8 avgpool%d %s %dx%dx%d acc %d",
                     pool, bwd ? "backward" : "forward", c, h, w, acc);
            BITS_EQ(what, back, o1, nout);
        }
        free(in), free(o0), free(o1), free(o2), free(back), free(inb),
            free(o0b);
    }
    jahs_rng_free(r);
}

JAHS_TEST(nn_b8ops_avgpool3_forward) { pool_check(3, 0); }
JAHS_TEST(nn_b8ops_avgpool3_backward) { pool_check(3, 1); }
JAHS_TEST(nn_b8ops_avgpool2_forward) { pool_check(2, 0); }
JAHS_TEST(nn_b8ops_avgpool2_backward) { pool_check(2, 1); }

/* ---- global average pool ---------------------------------------------------- */

JAHS_TEST(nn_b8ops_gap)
{
    static const int shapes[][2] = {{16, 1024}, {32, 256}, {64, 64}, {8, 1},
                                    {40, 7},    {24, 49},  {8, 15}};
    jahs_rng *r = jahs_rng_create(71, "test/b8ops-gap", 0, NULL);
    size_t si;
    for (si = 0; si < sizeof shapes / sizeof *shapes; si++) {
        int c = shapes[si][0], hw = shapes[si][1], acc;
        size_t tot = (size_t)c * hw, sz = tot * sizeof(float);
        size_t szc = (size_t)c * sizeof(float);
        float *x = malloc(sz), *dx0 = malloc(sz), *dx1 = malloc(sz);
        float *dx2 = malloc(sz), *back = malloc(sz), *xb, *dx0b;
        float *y0 = malloc(szc), *y1 = malloc(szc), *y2 = malloc(szc);
        rand_fill(r, x, tot, 0.3, 1.0);
        rand_fill(r, dx0, tot, 0.0, 1.0);
        rand_fill(r, y0, (size_t)c, 0.0, 1.0);
        xb = to_b8(1, c, hw, x);
        dx0b = to_b8(1, c, hw, dx0);
        for (acc = 0; acc <= 1; acc++) {
            char what[80];
            memcpy(y1, y0, szc);
            memcpy(y2, y0, szc);
            jahs_gap_forward(c, hw, x, y1, acc);
            jahs_b8_gap_forward(c, hw, xb, y2, acc);
            snprintf(what, sizeof what, "b8 gap forward %dx%d acc %d", c, hw,
                     acc);
            BITS_EQ(what, y2, y1, (size_t)c);
            /* backward, y0 as dy */
            memcpy(dx1, dx0, sz);
            memcpy(dx2, dx0b, sz);
            jahs_gap_backward(c, hw, y0, dx1, acc);
            jahs_b8_gap_backward(c, hw, y0, dx2, acc);
            jahs_b8_to_nchw(1, c, hw, dx2, back, 0);
            snprintf(what, sizeof what, "b8 gap backward %dx%d acc %d", c, hw,
                     acc);
            BITS_EQ(what, back, dx1, tot);
        }
        free(x), free(dx0), free(dx1), free(dx2), free(back), free(xb);
        free(dx0b), free(y0), free(y1), free(y2);
    }
    jahs_rng_free(r);
}

/* ---- the reorders and the layout itself ------------------------------------- */

JAHS_TEST(nn_b8ops_reorder_index)
{
    /* 2 images, 16 channels, 3 pixels: NCHW value 1000 i + 10 ch + j lands
     * at ((i 2 + ch / 8) 3 + j) 8 + ch % 8 */
    float x[2 * 16 * 3], b[2 * 16 * 3], back[2 * 16 * 3];
    int i, ch, j;
    for (i = 0; i < 2; i++)
        for (ch = 0; ch < 16; ch++)
            for (j = 0; j < 3; j++)
                x[(i * 16 + ch) * 3 + j] = (float)(1000 * i + 10 * ch + j);
    jahs_b8_from_nchw(2, 16, 3, x, b);
    CHECK_EQ_DBL(b[0], 0.0);
    CHECK_EQ_DBL(b[1], 10.0);        /* channel 1, pixel 0 */
    CHECK_EQ_DBL(b[8], 1.0);         /* channel 0, pixel 1 */
    CHECK_EQ_DBL(b[2 * 8 + 7], 72.0); /* channel 7, pixel 2 */
    CHECK_EQ_DBL(b[24], 80.0);       /* block 1: channel 8, pixel 0 */
    CHECK_EQ_DBL(b[(3 + 1) * 8 + 5], 131.0); /* channel 13, pixel 1 */
    CHECK_EQ_DBL(b[((2 + 1) * 3 + 2) * 8 + 6], 1142.0); /* image 1, ch 14 */
    jahs_b8_to_nchw(2, 16, 3, b, back, 0);
    BITS_EQ("b8 reorder hand round trip", back, x, 2 * 16 * 3);
}

JAHS_TEST(nn_b8ops_reorder_round_trip)
{
    static const int shapes[][3] = {{1, 8, 1}, {3, 24, 49}, {2, 40, 17},
                                    {2, 64, 64}, {1, 16, 1024}};
    jahs_rng *r = jahs_rng_create(81, "test/b8ops-reorder", 0, NULL);
    size_t si, e;
    for (si = 0; si < sizeof shapes / sizeof *shapes; si++) {
        int n = shapes[si][0], c = shapes[si][1], hw = shapes[si][2];
        size_t tot = (size_t)n * c * hw, sz = tot * sizeof(float);
        float *x = malloc(sz), *acc0 = malloc(sz), *want = malloc(sz);
        float *got = malloc(sz), *xb;
        char what[80];
        rand_fill(r, x, tot, 0.0, 1.0);
        rand_fill(r, acc0, tot, 0.0, 1.0);
        xb = to_b8(n, c, hw, x);
        jahs_b8_to_nchw(n, c, hw, xb, got, 0);
        snprintf(what, sizeof what, "b8 round trip %dx%dx%d", n, c, hw);
        BITS_EQ(what, got, x, tot);
        /* the summing way back: acc0 + x, one add per element */
        for (e = 0; e < tot; e++)
            want[e] = acc0[e] + x[e];
        memcpy(got, acc0, sz);
        jahs_b8_to_nchw(n, c, hw, xb, got, 1);
        snprintf(what, sizeof what, "b8 summing reorder %dx%dx%d", n, c, hw);
        BITS_EQ(what, got, want, tot);
        free(x), free(acc0), free(want), free(got), free(xb);
    }
    jahs_rng_free(r);
}

JAHS_TEST(nn_b8ops_hand_case)
{
    /* 16 channels, 2 x 2 pixels, blocked by hand: channel ch at pixel j is
     * ch + 100 j, so the 2-pool and the GAP give ch + 150 and the BN sums
     * of channel ch are 4 ch + 600 and sum (ch + 100 j)^2 */
    float x[16 * 4], y[16], g[16];
    double part[16 * 2];
    jahs_bn_dims d = {1, 16, 4};
    int ch, j;
    for (ch = 0; ch < 16; ch++)
        for (j = 0; j < 4; j++)
            x[((ch / 8) * 4 + j) * 8 + ch % 8] = (float)(ch + 100 * j);
    jahs_b8_avgpool2_forward(16, 2, 2, x, y, 0);
    CHECK_EQ_DBL(y[0], 150.0);
    CHECK_EQ_DBL(y[9], 159.0); /* block 1, channel 9 */
    jahs_b8_gap_forward(16, 4, x, g, 0);
    CHECK_EQ_DBL(g[5], 155.0);
    CHECK_EQ_DBL(g[15], 165.0);
    jahs_b8_bn_stats_part(&d, 0, 1, x, part);
    CHECK_EQ_DBL(part[2 * 3], 612.0);
    CHECK_EQ_DBL(part[2 * 3 + 1], 9.0 + 103 * 103 + 203 * 203 + 303 * 303);
    CHECK_EQ_DBL(part[2 * 12], 648.0);
}

/* ---- bops_impl.h at B = 16 vs b16ops.c ---------------------------------------- */

JAHS_TEST(nn_b8ops_template_b16)
{
    /* c, h, w: NB201's sides, odd and one-pixel ones, the 3-pool's gather
     * limit and past it; each image is also a BN batch of 2 x c x hw / 2 */
    static const int shapes[][3] = {{16, 32, 32}, {32, 16, 16}, {64, 8, 8},
                                    {16, 7, 5},   {32, 1, 1},   {48, 3, 2},
                                    {16, 3, 64},  {32, 2, 70}};
    static const char *const names[] = {"avgpool3_forward", "avgpool3_backward",
                                        "avgpool2_forward", "avgpool2_backward",
                                        "gap_backward",     "bn_apply",
                                        "bn_dx"};
    jahs_rng *r = jahs_rng_create(91, "test/b8ops-template", 0, NULL);
    size_t si;
    for (si = 0; si < sizeof shapes / sizeof *shapes; si++) {
        int c = shapes[si][0], h = shapes[si][1], w = shapes[si][2], hw = h * w;
        size_t tot = (size_t)c * hw, sz = (tot + 1) * sizeof(float);
        float *in = malloc(sz), *dy = malloc(sz), *o0 = malloc(sz);
        float *o1 = malloc(sz), *o2 = malloc(sz);
        float *pc = malloc(5 * (size_t)c * sizeof *pc);
        int k, acc, nb = hw >= 2 ? 2 : 1;
        jahs_bn_dims d = {nb, c, hw / nb}; /* nb images of hw / nb pixels */
        rand_fill(r, in, tot, 0.3, 1.0);
        rand_fill(r, dy, tot, 0.0, 1.0);
        rand_fill(r, o0, tot, 0.0, 1.0);
        rand_fill(r, pc, 5 * (size_t)c, 0.5, 0.2);
        for (k = 0; k < 7; k++)
            for (acc = 0; acc <= 1; acc++) {
                char what[96];
                float *o[2] = {o1, o2};
                int t;
                memcpy(o1, o0, sz);
                memcpy(o2, o0, sz);
                for (t = 0; t < 2; t++)
                    switch (k) {
                    case 0:
                        (t ? t16_avgpool3_forward : jahs_b16_avgpool3_forward)(
                            c, h, w, in, o[t], acc);
                        break;
                    case 1:
                        (t ? t16_avgpool3_backward
                           : jahs_b16_avgpool3_backward)(c, h, w, in, o[t],
                                                         acc);
                        break;
                    case 2:
                        (t ? t16_avgpool2_forward : jahs_b16_avgpool2_forward)(
                            c, h, w, in, o[t], acc);
                        break;
                    case 3:
                        (t ? t16_avgpool2_backward
                           : jahs_b16_avgpool2_backward)(c, h, w, in, o[t],
                                                         acc);
                        break;
                    case 4:
                        (t ? t16_gap_backward : jahs_b16_gap_backward)(
                            c, hw, in, o[t], acc);
                        break;
                    case 5:
                        (t ? t16_bn_apply : jahs_b16_bn_apply)(
                            &d, 0, d.n, in, pc, pc + c, o[t], acc);
                        break;
                    default:
                        (t ? t16_bn_dx : jahs_b16_bn_dx)(
                            &d, 0, d.n, in, dy, pc, pc + c, pc + 2 * c,
                            pc + 3 * c, pc + 4 * c, o[t], acc);
                    }
                snprintf(what, sizeof what, "template b16 %s %dx%dx%d acc %d",
                         names[k], c, h, w, acc);
                BITS_EQ(what, o2, o1, tot);
            }
        free(in), free(dy), free(o0), free(o1), free(o2), free(pc);
    }
    jahs_rng_free(r);
}
