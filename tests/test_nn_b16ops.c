/*
 * test_nn_b16ops.c - the nChw16c kernels of b16ops.c against the NCHW
 * kernels they stand in for (batchnorm.c's passes over images, pooling.c's
 * pools), the same bits (fixture_bops.h's checks: NCHW kernel on NCHW data,
 * blocked kernel on the same data reordered by blk16.h, the output
 * reordered back; BN's per-(image, channel) partial sums compared as they
 * are).  BN runs of fewer than 16 pixels, not a multiple of 16, and the
 * NB201 sizes; pools on odd and one-pixel sides; image sub-ranges and
 * acc 0 / 1.  One known-answer case checks the layout itself.
 */
#include <stdint.h>

#include "fixture_bops.h"
#include "harness.h"
#include "nn/b16ops.h"
#include "nn/blk16.h"
#include "nn/layers.h"

#define NS(a) (sizeof(a) / sizeof *(a))

static const fx_bops b16 = {
    "b16",
    jahs_blk16_from_nchw,
    jahs_blk16_to_nchw,
    jahs_b16_bn_stats_part,
    jahs_b16_bn_apply,
    jahs_b16_bn_dsums_part,
    jahs_b16_bn_dx,
    jahs_b16_avgpool3_forward,
    jahs_b16_avgpool3_backward,
    jahs_b16_avgpool2_forward,
    jahs_b16_avgpool2_backward,
    jahs_b16_gap_forward,
    jahs_b16_gap_backward,
};

/* ---- batch norm by images ------------------------------------------------- */

static void bn_run(int k)
{
    /* n, c, hw: fewer than 16 pixels, 16 + a tail, 7 x 7, the NB201 sizes
     * (8 x 8, 16 x 16, 32 x 32), exact 16, a tail of 15 */
    static const int shapes[][3] = {
        {1, 16, 1},  {2, 16, 7},   {3, 32, 49}, {4, 48, 64}, {5, 16, 256},
        {2, 32, 17}, {3, 16, 33},  {1, 48, 15}, {5, 32, 16}, {2, 16, 1024},
        {3, 64, 64}, {4, 16, 4}};
    fx_bops_bn(&b16, k, shapes, NS(shapes), 21 + (uint64_t)k,
               "test/b16ops-bn");
}

JAHS_TEST(nn_b16ops_bn_stats_part) { bn_run(FX_BN_STATS); }
JAHS_TEST(nn_b16ops_bn_apply) { bn_run(FX_BN_APPLY); }
JAHS_TEST(nn_b16ops_bn_dsums_part) { bn_run(FX_BN_DSUMS); }
JAHS_TEST(nn_b16ops_bn_dx) { bn_run(FX_BN_DX); }

/* ---- pools (one image) ---------------------------------------------------- */

static void pool_run(int pool, int bwd)
{
    /* c, h, w: NB201's 32 x 32 / 16 x 16 / 8 x 8, odd sides, one-pixel
     * sides (a 3-window of 1 or 2 cells; a 2-pool with no output row),
     * the widest image the 3-pool's backward gathers for and wider ones
     * (it scatters past 64 pixels) */
    static const int shapes[][3] = {
        {16, 32, 32}, {32, 16, 16}, {64, 8, 8}, {16, 7, 5}, {32, 1, 1},
        {16, 1, 4},   {48, 3, 2},   {16, 2, 9}, {32, 5, 5}, {16, 4, 1},
        {16, 3, 64},  {16, 3, 65}, {32, 2, 70}};
    fx_bops_pool(&b16, pool, bwd, shapes, NS(shapes),
                 31 + (uint64_t)(pool * 2 + bwd), "test/b16ops-pool");
}

JAHS_TEST(nn_b16ops_avgpool3_forward) { pool_run(3, 0); }
JAHS_TEST(nn_b16ops_avgpool3_backward) { pool_run(3, 1); }
JAHS_TEST(nn_b16ops_avgpool2_forward) { pool_run(2, 0); }
JAHS_TEST(nn_b16ops_avgpool2_backward) { pool_run(2, 1); }

/* ---- global average pool ---------------------------------------------------- */

JAHS_TEST(nn_b16ops_gap)
{
    static const int shapes[][2] = {{16, 1024}, {32, 256}, {64, 64}, {16, 1},
                                    {48, 7},    {32, 49},  {16, 15}};
    fx_bops_gap(&b16, shapes, NS(shapes), 41, "test/b16ops-gap");
}

/* ---- the layout itself ------------------------------------------------------ */

JAHS_TEST(nn_b16ops_hand_case)
{
    /* 32 channels, 2 x 2 pixels, blocked by hand: channel ch at pixel j is
     * ch + 100 j, so the 2-pool and the GAP give ch + 150 and the BN sums
     * of channel ch are 4 ch + 600 and sum (ch + 100 j)^2 */
    float x[32 * 4], y[32], g[32];
    double part[32 * 2];
    jahs_bn_dims d = {1, 32, 4};
    int ch, j;
    for (ch = 0; ch < 32; ch++)
        for (j = 0; j < 4; j++)
            x[((ch / 16) * 4 + j) * 16 + ch % 16] = (float)(ch + 100 * j);
    jahs_b16_avgpool2_forward(32, 2, 2, x, y, 0);
    CHECK_EQ_DBL(y[0], 150.0);
    CHECK_EQ_DBL(y[17], 167.0); /* block 1, channel 17 */
    jahs_b16_gap_forward(32, 4, x, g, 0);
    CHECK_EQ_DBL(g[5], 155.0);
    CHECK_EQ_DBL(g[31], 181.0);
    jahs_b16_bn_stats_part(&d, 0, 1, x, part);
    CHECK_EQ_DBL(part[2 * 3], 612.0);
    CHECK_EQ_DBL(part[2 * 3 + 1], 9.0 + 103 * 103 + 203 * 203 + 303 * 303);
    CHECK_EQ_DBL(part[2 * 20], 680.0);
}
