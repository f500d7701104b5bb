/*
 * b8ops.h - the CPU trainer's non-convolution kernels on activations in
 * oneDNN's nChw8c layout, the layout oneDNN's convolutions use on AVX2-only
 * CPUs (b16ops.h is the nChw16c sibling for AVX-512 ones), and the reorders
 * between it and NCHW.
 *
 * Layout, for one batch: n x (c / 8) x hw x 8 floats; element (image i,
 * channel ch, pixel j) is at ((i (c / 8) + ch / 8) hw + j) 8 + ch % 8.
 * c must be a multiple of 8 (the caller checks).
 *
 * Every kernel takes the arguments of its NCHW namesake in layers.h
 * (batchnorm.c, pooling.c) with the same meaning; only the layout of the
 * activations x / y / dy / dx differs.  The results are the same bits as
 * the NCHW kernel's on the same data reordered (every float and double
 * operation in the same order, 8 channels to a vector), so the same bits
 * as b16ops.c's too.  `part` keeps the NCHW kernels' layout,
 * part[(i c + ch) 2 + {0, 1}], so jahs_bn_stats_finish and
 * jahs_bn_dsums_finish serve all three.
 */
#ifndef JAHS_NN_B8OPS_H
#define JAHS_NN_B8OPS_H

#include "nn/layers.h"

/* ---- batch norm by images (jahs_bn_stats_part ... jahs_bn_dx) ----------- */

/* part rows of images [i0, i1): per (image, channel) sum x and sum x^2. */
void jahs_b8_bn_stats_part(const jahs_bn_dims *d, int i0, int i1,
                           const float *x, double *part);
/* y (+)= x scale[ch] + shift[ch] over images [i0, i1). */
void jahs_b8_bn_apply(const jahs_bn_dims *d, int i0, int i1, const float *x,
                      const float *scale, const float *shift, float *y,
                      int acc);
/* part rows of images [i0, i1): sum dy and sum dy xhat, xhat = (x - mean)
 * istd rounded to float; mean, istd: c each. */
void jahs_b8_bn_dsums_part(const jahs_bn_dims *d, int i0, int i1,
                           const float *x, const float *dy, const float *mean,
                           const float *istd, double *part);
/* dx (+)= gamma istd (dy - k2 - xhat k3) over images [i0, i1). */
void jahs_b8_bn_dx(const jahs_bn_dims *d, int i0, int i1, const float *x,
                   const float *dy, const float *gamma, const float *mean,
                   const float *istd, const float *k2, const float *k3,
                   float *dx, int acc);

/* ---- pools (one image: c x h x w blocked, (c / 8) x h w x 8) ------------ */

/* AvgPool2d(3, 1, 1, count_include_pad=False): y is c x h x w. */
void jahs_b8_avgpool3_forward(int c, int h, int w, const float *x, float *y,
                              int acc);
void jahs_b8_avgpool3_backward(int c, int h, int w, const float *dy, float *dx,
                               int acc);
/* AvgPool2d(2, 2): y is c x (h / 2) x (w / 2) (floor: an odd last row or
 * column is dropped, and gets no gradient). */
void jahs_b8_avgpool2_forward(int c, int h, int w, const float *x, float *y,
                              int acc);
void jahs_b8_avgpool2_backward(int c, int h, int w, const float *dy, float *dx,
                               int acc);
/* Global average pool: x is c x hw blocked, y is c floats (c x 1 x 1, the
 * same in both layouts). */
void jahs_b8_gap_forward(int c, int hw, const float *x, float *y, int acc);
void jahs_b8_gap_backward(int c, int hw, const float *dy, float *dx, int acc);

/* ---- reorders (pure data movement) -------------------------------------- */

/* src: n x c x hw (NCHW) -> dst: n x (c / 8) x hw x 8. */
void jahs_b8_from_nchw(int n, int c, int hw, const float *src, float *dst);
/* src: n x (c / 8) x hw x 8 -> dst: n x c x hw; acc: dst += src, once per
 * element. */
void jahs_b8_to_nchw(int n, int c, int hw, const float *src, float *dst,
                     int acc);

#endif
