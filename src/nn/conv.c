/*
 * conv.c - 2-D convolution on one image by im2col + GEMM (the lowering of
 * Chellapilla et al. 2006, as Caffe and darknet do it), forward and both
 * backward passes.  Weights in PyTorch's cout x cin x k x k layout, so the
 * weight matrix is cout x (cin k k) row-major and the GEMMs are:
 *   forward          y  (cout x P)     = W  (cout x K) col (K x P)
 *   backward data    dcol (K x P)      = W^T (K x cout) dy (cout x P)
 *   backward weight  dW (cout x K)    += dy (cout x P) col^T (P x K)
 * with K = cin k k and P = ho wo.  A 1x1 stride-1 unpadded convolution
 * uses the input as col directly.
 */
#include "nn/layers.h"

#include <string.h>

#include "nn/gemm.h"

void jahs_conv_shape_set(jahs_conv_shape *s, int cin, int h, int w, int cout,
                         int k, int stride, int pad)
{
    s->cin = cin;
    s->h = h;
    s->w = w;
    s->cout = cout;
    s->k = k;
    s->stride = stride;
    s->pad = pad;
    s->ho = (h + 2 * pad - k) / stride + 1;
    s->wo = (w + 2 * pad - k) / stride + 1;
}

static int is_pointwise(const jahs_conv_shape *s)
{
    return s->k == 1 && s->stride == 1 && s->pad == 0;
}

size_t jahs_conv_col_size(const jahs_conv_shape *s)
{
    if (is_pointwise(s))
        return 0;
    return (size_t)s->cin * s->k * s->k * s->ho * s->wo;
}

/*
 * im2col of a "same" stride-1 convolution (ho = h, wo = w): the rows of one
 * (ci, ki, kj) plane are the input plane shifted by (ki - pad) rows and
 * (kj - pad) columns, so the in-image rows are one block copy, after which
 * the columns that wrapped around from the neighbouring row are zeroed.
 */
static void im2col_same(const jahs_conv_shape *s, const float *x, float *col)
{
    const int h = s->h, w = s->w, P = h * w;
    int ci, ki, kj, oy;
    for (ci = 0; ci < s->cin; ci++) {
        const float *xc = x + (size_t)ci * P;
        for (ki = 0; ki < s->k; ki++) {
            int oy0 = s->pad - ki, oy1 = h + s->pad - ki;
            if (oy0 < 0)
                oy0 = 0;
            if (oy1 > h)
                oy1 = h;
            for (kj = 0; kj < s->k; kj++) {
                float *row = col + ((size_t)(ci * s->k + ki) * s->k + kj) * P;
                int shift = kj - s->pad, n = (oy1 - oy0) * w;
                float *dst = row + (size_t)oy0 * w;
                const float *src = xc + (size_t)(oy0 - s->pad + ki) * w + shift;
                /* a tap shifted by a whole row or more (k > w + 1, e.g.
                 * 5 x 5 on a 2 x 2 map) reads only padding */
                if (n <= 0 || shift >= w || -shift >= w) {
                    memset(row, 0, (size_t)P * sizeof *row);
                    continue;
                }
                memset(row, 0, (size_t)oy0 * w * sizeof *row);
                memset(row + (size_t)oy1 * w, 0,
                       (size_t)(h - oy1) * w * sizeof *row);
                if (shift < 0)
                    memcpy(dst - shift, src - shift,
                           (size_t)(n + shift) * sizeof *dst);
                else
                    memcpy(dst, src, (size_t)(n - shift) * sizeof *dst);
                for (oy = oy0; oy < oy1; oy++) {
                    float *r = row + (size_t)oy * w;
                    int c;
                    if (shift < 0)
                        for (c = 0; c < -shift; c++)
                            r[c] = 0.0f;
                    else
                        for (c = w - shift; c < w; c++)
                            r[c] = 0.0f;
                }
            }
        }
    }
}

void jahs_im2col(const jahs_conv_shape *s, const float *x, float *col)
{
    int ci, ki, kj, oy, ox;
    const int P = s->ho * s->wo;
    if (s->stride == 1 && s->ho == s->h && s->wo == s->w) {
        im2col_same(s, x, col);
        return;
    }
    for (ci = 0; ci < s->cin; ci++) {
        const float *xc = x + (size_t)ci * s->h * s->w;
        for (ki = 0; ki < s->k; ki++) {
            for (kj = 0; kj < s->k; kj++) {
                float *row = col + ((size_t)(ci * s->k + ki) * s->k + kj) * P;
                /* stride 1: ix = ox - pad + kj over a contiguous run */
                int lo = s->pad - kj, hi = s->w + s->pad - kj;
                if (lo < 0)
                    lo = 0;
                if (hi > s->wo)
                    hi = s->wo;
                if (hi < lo)
                    hi = lo;
                for (oy = 0; oy < s->ho; oy++) {
                    int iy = oy * s->stride - s->pad + ki;
                    float *r = row + (size_t)oy * s->wo;
                    if (iy < 0 || iy >= s->h) {
                        memset(r, 0, (size_t)s->wo * sizeof *r);
                        continue;
                    }
                    if (s->stride == 1) {
                        for (ox = 0; ox < lo; ox++)
                            r[ox] = 0.0f;
                        memcpy(r + lo, xc + (size_t)iy * s->w + lo - s->pad + kj,
                               (size_t)(hi - lo) * sizeof *r);
                        for (ox = hi; ox < s->wo; ox++)
                            r[ox] = 0.0f;
                        continue;
                    }
                    for (ox = 0; ox < s->wo; ox++) {
                        int ix = ox * s->stride - s->pad + kj;
                        r[ox] = (ix >= 0 && ix < s->w)
                                    ? xc[(size_t)iy * s->w + ix]
                                    : 0.0f;
                    }
                }
            }
        }
    }
}

/* d[i] += r[i], i < n, for the vectoriser (no aliasing). */
static void add_run(float *restrict d, const float *restrict r, int n)
{
    int i;
    for (i = 0; i < n; i++)
        d[i] += r[i];
}

void jahs_col2im(const jahs_conv_shape *s, const float *col, float *dx,
                 int acc)
{
    int ci, ki, kj, oy, ox;
    const int P = s->ho * s->wo;
    if (!acc)
        memset(dx, 0, (size_t)s->cin * s->h * s->w * sizeof *dx);
    for (ci = 0; ci < s->cin; ci++) {
        float *dc = dx + (size_t)ci * s->h * s->w;
        for (ki = 0; ki < s->k; ki++) {
            for (kj = 0; kj < s->k; kj++) {
                const float *row =
                    col + ((size_t)(ci * s->k + ki) * s->k + kj) * P;
                /* stride 1: ix = ox - pad + kj is a contiguous run */
                int lo = s->pad - kj, hi = s->w + s->pad - kj;
                if (lo < 0)
                    lo = 0;
                if (hi > s->wo)
                    hi = s->wo;
                for (oy = 0; oy < s->ho; oy++) {
                    int iy = oy * s->stride - s->pad + ki;
                    const float *r = row + (size_t)oy * s->wo;
                    float *d;
                    if (iy < 0 || iy >= s->h)
                        continue;
                    d = dc + (size_t)iy * s->w;
                    if (s->stride == 1) {
                        if (hi > lo)
                            add_run(d + lo - s->pad + kj, r + lo, hi - lo);
                        continue;
                    }
                    for (ox = 0; ox < s->wo; ox++) {
                        int ix = ox * s->stride - s->pad + kj;
                        if (ix >= 0 && ix < s->w)
                            d[ix] += r[ox];
                    }
                }
            }
        }
    }
}

void jahs_conv_forward(const jahs_conv_shape *s, const float *x,
                       const float *wt, float *y, int acc, float *col)
{
    const int K = s->cin * s->k * s->k, P = s->ho * s->wo;
    const float *b = x;
    if (!is_pointwise(s)) {
        jahs_im2col(s, x, col);
        b = col;
    }
    jahs_sgemm(0, 0, s->cout, P, K, 1.0f, wt, K, b, P, acc ? 1.0f : 0.0f, y,
               P);
}

void jahs_conv_backward_data(const jahs_conv_shape *s, const float *dy,
                             const float *wt, float *dx, int acc, float *col)
{
    const int K = s->cin * s->k * s->k, P = s->ho * s->wo;
    if (is_pointwise(s)) {
        jahs_sgemm(1, 0, K, P, s->cout, 1.0f, wt, K, dy, P,
                   acc ? 1.0f : 0.0f, dx, P);
        return;
    }
    jahs_sgemm(1, 0, K, P, s->cout, 1.0f, wt, K, dy, P, 0.0f, col, P);
    jahs_col2im(s, col, dx, acc);
}

int jahs_conv_is_same(const jahs_conv_shape *s)
{
    return s->stride == 1 && s->k % 2 == 1 && s->pad == (s->k - 1) / 2;
}

/* The transposed convolution's shape: dy (cout x ho x wo) in, dx out. */
static void flip_shape(const jahs_conv_shape *s, jahs_conv_shape *t)
{
    jahs_conv_shape_set(t, s->cout, s->ho, s->wo, s->cin, s->k, 1, s->pad);
}

size_t jahs_conv_flip_col_size(const jahs_conv_shape *s)
{
    jahs_conv_shape t;
    flip_shape(s, &t);
    return jahs_conv_col_size(&t);
}

void jahs_conv_flip_weights(const jahs_conv_shape *s, const float *wt,
                            float *wflip)
{
    int co, ci, a, b, k = s->k;
    for (co = 0; co < s->cout; co++)
        for (ci = 0; ci < s->cin; ci++)
            for (a = 0; a < k; a++)
                for (b = 0; b < k; b++)
                    wflip[((size_t)(ci * s->cout + co) * k + (k - 1 - a)) * k +
                          (k - 1 - b)] =
                        wt[((size_t)(co * s->cin + ci) * k + a) * k + b];
}

void jahs_conv_backward_data_same(const jahs_conv_shape *s, const float *dy,
                                  const float *wflip, float *dx, int acc,
                                  float *col)
{
    jahs_conv_shape t;
    flip_shape(s, &t);
    jahs_conv_forward(&t, dy, wflip, dx, acc, col);
}

void jahs_conv_backward_weight(const jahs_conv_shape *s, const float *x,
                               const float *dy, float *dw, int acc,
                               float *col)
{
    const int K = s->cin * s->k * s->k, P = s->ho * s->wo;
    const float *b = x;
    if (!is_pointwise(s)) {
        jahs_im2col(s, x, col);
        b = col;
    }
    jahs_sgemm(0, 1, s->cout, K, P, 1.0f, dy, P, b, P, acc ? 1.0f : 0.0f, dw,
               K);
}
