/*
 * test_nn_b8ops.c - the nChw8c kernels of b8ops.c against the NCHW kernels
 * they stand in for, the same bits (fixture_bops.h's checks: NCHW kernel
 * on NCHW data, b8 kernel on the data reordered by jahs_b8_from_nchw, the
 * output reordered back).  Channel counts 8, 16, 24, 40, 64 (one block, an
 * even and an odd number of blocks); BN runs of fewer than 16 pixels, not a
 * multiple of 16, past a tile of 128, and the NB201 sizes; pools on odd and
 * one-pixel sides and either side of the 3-pool's gather limit.  The
 * reorders: a hand-computed index case, the round trip, and the summing
 * way back.  And bops_impl.h's template instantiated here with B = 16
 * against b16ops.c's kernels of the same names (b16ops.c now instantiates
 * the same template: this checks the instantiation, not a second copy).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "fixture_bops.h"
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

#define NS(a) (sizeof(a) / sizeof *(a))

static const fx_bops b8 = {
    "b8",
    jahs_b8_from_nchw,
    jahs_b8_to_nchw,
    jahs_b8_bn_stats_part,
    jahs_b8_bn_apply,
    jahs_b8_bn_dsums_part,
    jahs_b8_bn_dx,
    jahs_b8_avgpool3_forward,
    jahs_b8_avgpool3_backward,
    jahs_b8_avgpool2_forward,
    jahs_b8_avgpool2_backward,
    jahs_b8_gap_forward,
    jahs_b8_gap_backward,
};

/* ---- batch norm by images ------------------------------------------------- */

/* n, c, hw: fewer than 16 pixels, 16 + a tail, 7 x 7, the NB201 sizes
 * (8 x 8, 16 x 16, 32 x 32), exact 16, a tail of 15, a tail of 1 past one
 * tile of 64 and past two */
static const int bn_shapes[][3] = {
    {1, 8, 1},  {2, 16, 7},  {3, 24, 49}, {4, 40, 64},   {5, 16, 256},
    {2, 8, 17}, {3, 24, 33}, {1, 40, 15}, {5, 8, 16},    {2, 16, 1024},
    {3, 64, 64}, {4, 8, 4},  {2, 32, 129}, {2, 8, 65}};

static void bn_check(int k)
{
    fx_bops_bn(&b8, k, bn_shapes, NS(bn_shapes), 51 + (uint64_t)k,
               "test/b8ops-bn");
}

JAHS_TEST(nn_b8ops_bn_stats_part) { bn_check(FX_BN_STATS); }
JAHS_TEST(nn_b8ops_bn_apply) { bn_check(FX_BN_APPLY); }
JAHS_TEST(nn_b8ops_bn_dsums_part) { bn_check(FX_BN_DSUMS); }
JAHS_TEST(nn_b8ops_bn_dx) { bn_check(FX_BN_DX); }

/* ---- pools (one image) and the GAP ------------------------------------------ */

/* c, h, w: NB201's 32 x 32 / 16 x 16 / 8 x 8, odd sides, one-pixel sides
 * (a 3-window of 1 or 2 cells; a 2-pool with no output row), the widest
 * image the 3-pool's backward gathers for and wider ones (it scatters past
 * 64 pixels) */
static const int pool_shapes[][3] = {
    {16, 32, 32}, {32, 16, 16}, {64, 8, 8}, {8, 7, 5},  {24, 1, 1},
    {8, 1, 4},    {40, 3, 2},   {16, 2, 9}, {24, 5, 5}, {8, 4, 1},
    {8, 3, 64},   {16, 3, 65},  {24, 2, 70}};

static void pool_check(int pool, int bwd)
{
    fx_bops_pool(&b8, pool, bwd, pool_shapes, NS(pool_shapes),
                 61 + (uint64_t)(pool * 2 + bwd), "test/b8ops-pool");
}

JAHS_TEST(nn_b8ops_avgpool3_forward) { pool_check(3, 0); }
JAHS_TEST(nn_b8ops_avgpool3_backward) { pool_check(3, 1); }
JAHS_TEST(nn_b8ops_avgpool2_forward) { pool_check(2, 0); }
JAHS_TEST(nn_b8ops_avgpool2_backward) { pool_check(2, 1); }

JAHS_TEST(nn_b8ops_gap)
{
    static const int shapes[][2] = {{16, 1024}, {32, 256}, {64, 64}, {8, 1},
                                    {40, 7},    {24, 49},  {8, 15}};
    fx_bops_gap(&b8, shapes, NS(shapes), 71, "test/b8ops-gap");
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
    FX_BITS_EQ("b8 reorder hand round trip", back, x, 2 * 16 * 3);
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
        fx_rand_fill(r, x, tot, 0.0, 1.0);
        fx_rand_fill(r, acc0, tot, 0.0, 1.0);
        xb = malloc(sz);
        jahs_b8_from_nchw(n, c, hw, x, xb);
        jahs_b8_to_nchw(n, c, hw, xb, got, 0);
        snprintf(what, sizeof what, "b8 round trip %dx%dx%d", n, c, hw);
        FX_BITS_EQ(what, got, x, tot);
        /* the summing way back: acc0 + x, one add per element */
        for (e = 0; e < tot; e++)
            want[e] = acc0[e] + x[e];
        memcpy(got, acc0, sz);
        jahs_b8_to_nchw(n, c, hw, xb, got, 1);
        snprintf(what, sizeof what, "b8 summing reorder %dx%dx%d", n, c, hw);
        FX_BITS_EQ(what, got, want, tot);
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
        fx_rand_fill(r, in, tot, 0.3, 1.0);
        fx_rand_fill(r, dy, tot, 0.0, 1.0);
        fx_rand_fill(r, o0, tot, 0.0, 1.0);
        fx_rand_fill(r, pc, 5 * (size_t)c, 0.5, 0.2);
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
                FX_BITS_EQ(what, o2, o1, tot);
            }
        free(in), free(dy), free(o0), free(o1), free(o2), free(pc);
    }
    jahs_rng_free(r);
}
