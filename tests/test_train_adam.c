/*
 * test_train_adam.c - Adam (src/train/adam.h) against a hand computation of
 * PyTorch's update.
 */
#include <math.h>

#include "harness.h"
#include "train/adam.h"

JAHS_TEST(train_adam_by_hand)
{
    /* p = 1, lr 0.01; step 1: g 0.5, wd 0; step 2: g -0.2, wd 0.1.
     * step 1: m = 0.1 * 0.5 = 0.05; v = 0.001 * 0.25 = 0.00025;
     *         step size 0.01 / (1 - 0.9) = 0.1; denom = sqrt(0.00025) /
     *         sqrt(1 - 0.999) + 1e-8 = 0.5 + 1e-8; p = 1 - 0.1 * 0.05 /
     *         (0.5 + 1e-8) = 0.9900000002 (the first step moves by lr)
     * step 2: d = -0.2 + 0.1 * 0.99 = -0.101; m = 0.045 - 0.0101 = 0.0349;
     *         v = 0.999 * 0.00025 + 0.001 * 0.010201 = 0.000259951;
     *         step size 0.01 / 0.19; denom = sqrt(v) / sqrt(0.001999) + 1e-8
     *         = 0.360611...; p = 0.99 - 0.0526316 * 0.0349 / 0.360611 =
     *         0.98490631 */
    float p[2] = {1.0f, 3.0f}, m[2] = {0, 0}, v[2] = {0, 0};
    float g1[2] = {0.5f, -4.0f}, g2[2] = {-0.2f, 0.0f};
    jahs_adam_step(p, g1, m, v, 2, 0.01f, 0.0f, 1);
    CHECK_NEAR(m[0], 0.05, 5e-8);
    CHECK_NEAR(v[0], 0.00025, 1e-10); /* float: ~1e-7 relative */
    CHECK_NEAR(p[0], 0.9900000002, 1e-7);
    /* any gradient: the first step is lr against its sign */
    CHECK_NEAR(p[1], 3.01, 1e-6);
    jahs_adam_step(p, g2, m, v, 2, 0.01f, 0.1f, 2);
    CHECK_NEAR(m[0], 0.0349, 1e-7);
    CHECK_NEAR(v[0], 0.000259951, 1e-9);
    CHECK_NEAR(p[0], 0.98490631, 1e-6);
    /* zero gradient, no decay: m and v decay, p keeps moving on m */
    CHECK_NEAR(m[1], 0.9 * -0.4 + 0.1 * (0.1 * 3.01), 1e-6);
}
