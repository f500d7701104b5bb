/*
 * nb201_macro.h - analytic size of the NAS-Bench-201 macro network for one
 * cell: multiply-accumulates (FLOPs as NB201 counts them) and parameters.
 *
 * The macro (Dong & Yang 2020, Fig. 1; NATS-Bench "TinyNetwork"):
 *   stem      conv3x3(3 -> C) + BN
 *   stage s   N cells at C_s = C * 2^s channels, H_s = 32 / 2^s pixels
 *   between   a ResNet reduction block C_s -> 2 C_s, stride 2:
 *             ReLU-conv3x3(s2)-BN, ReLU-conv3x3-BN, shortcut avgpool2 + conv1x1
 *   head      BN + ReLU, global average pool, linear(C_last -> classes)
 * Cell edges (ops_code digit order, data/nb201/README.md): 0 none, 1 skip,
 * 2 ReLU-conv1x1-BN, 3 ReLU-conv3x3-BN, 4 avg_pool_3x3 (no parameters).
 *
 * Parameters count conv weights, BN affine weights (2 per channel) and the
 * classifier's weights and biases; BN running statistics are buffers, not
 * parameters.  With C=16, N=5, 3 stages, 100 classes this reproduces the
 * table's params_M exactly for 15,475 of the 15,625 cells (the other 150
 * differ by exactly one op's parameters in the source data; tables/README.md).
 *
 * FLOPs are multiply-accumulates of the convolutions and the classifier for
 * one 32x32 image, forward pass; BN, ReLU and pooling are not counted.
 * nb201 / top10 use (C=16, N=5, stages=3); cell64 (C=64, N=3, stages=2).
 */
#ifndef JAHS_EVAL_NB201_MACRO_H
#define JAHS_EVAL_NB201_MACRO_H

#include <stdint.h>

/*
 * Count FLOPs (multiply-accumulates per image, forward) and parameters of
 * the macro with initial channels C, N cells per stage, `stages` stages and
 * `classes` outputs, every cell being ops[0..5] (digits 0..4, ops_code
 * order).  Either out pointer may be NULL.  Pure; no allocation.
 */
void jahs_nb201_flops(const uint8_t ops[6], int C, int N, int stages,
                      int classes, double *flops, double *params);

#endif
