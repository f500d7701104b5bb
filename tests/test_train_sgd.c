/*
 * test_train_sgd.c - SGD with Nesterov momentum against a hand computation
 * of PyTorch's update, and the cosine schedule's values.
 */
#include <math.h>

#include "harness.h"
#include "train/sgd.h"

JAHS_TEST(train_sgd_nesterov_by_hand)
{
    /* p = 1, lr 0.1, momentum 0.9, wd 0.01; gradients 0.5 then -0.2.
     * step 1: d = 0.5 + 0.01 = 0.51; buf = 0.51; d = 0.51 + 0.9*0.51 =
     *         0.969; p = 1 - 0.0969 = 0.9031
     * step 2: d = -0.2 + 0.009031 = -0.190969; buf = 0.459 - 0.190969 =
     *         0.268031; d = -0.190969 + 0.2412279 = 0.0502589;
     *         p = 0.9031 - 0.00502589 = 0.89807411 */
    float p[2] = {1.0f, -2.0f}, buf[2] = {0, 0};
    float g1[2] = {0.5f, 0.0f}, g2[2] = {-0.2f, 0.0f};
    jahs_sgd_step(p, g1, buf, 2, 0.1f, 0.9f, 0.01f, 1);
    CHECK_NEAR(buf[0], 0.51, 1e-7);
    CHECK_NEAR(p[0], 0.9031, 1e-7);
    /* weight decay alone moves a parameter with zero gradient */
    CHECK_NEAR(buf[1], -0.02, 1e-8);
    CHECK_NEAR(p[1], -2.0 + 0.1 * (0.02 + 0.9 * 0.02), 1e-7);
    jahs_sgd_step(p, g2, buf, 2, 0.1f, 0.9f, 0.01f, 1);
    CHECK_NEAR(buf[0], 0.268031, 1e-6);
    CHECK_NEAR(p[0], 0.89807411, 1e-6);
    /* plain momentum: p -= lr buf */
    {
        float q = 1.0f, b = 0.0f, g = 0.5f;
        jahs_sgd_step(&q, &g, &b, 1, 0.1f, 0.9f, 0.0f, 0);
        jahs_sgd_step(&q, &g, &b, 1, 0.1f, 0.9f, 0.0f, 0);
        CHECK_NEAR(q, 1.0 - 0.05 - 0.1 * (0.45 + 0.5), 1e-7);
    }
}

JAHS_TEST(train_cosine_schedule)
{
    CHECK_NEAR(jahs_cosine_lr(0.1, 0, 200), 0.1, 1e-15);
    CHECK_NEAR(jahs_cosine_lr(0.1, 100, 200), 0.05, 1e-15);
    CHECK_NEAR(jahs_cosine_lr(0.1, 50, 200), 0.05 * (1 + sqrt(0.5)), 1e-15);
    CHECK_NEAR(jahs_cosine_lr(0.1, 199, 200),
               0.05 * (1 + cos(M_PI * 199 / 200)), 1e-15);
    CHECK(jahs_cosine_lr(0.1, 199, 200) > 0);
    CHECK_EQ_DBL(jahs_cosine_lr(0.1, 200, 200), 0.0);
    /* 20-epoch horizon (the maximum fidelity): epoch 2 and 6 of a trial
     * promoted along ASHA's rungs */
    CHECK_NEAR(jahs_cosine_lr(0.2, 2, 20), 0.1 * (1 + cos(M_PI / 10)), 1e-15);
    CHECK_NEAR(jahs_cosine_lr(0.2, 10, 20), 0.1, 1e-15);
    CHECK_NEAR(jahs_cosine_lr(1.0, 1, 4), 0.5 * (1 + sqrt(0.5)), 1e-15);
    CHECK_EQ_DBL(jahs_cosine_lr(1.0, 0, 0), 0.0);
}
