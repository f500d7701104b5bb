/*
 * bops_impl.h - the kernels on channel-blocked activations (nChw<B>c: n x
 * (c / B) x hw x B floats) whose code is the same for any block width B:
 * batch norm's part rows (given the includer's sums), apply and dx, the 3-
 * and 2-pools forward and backward, and the GAP's backward.  A template:
 * b8ops.c instantiates it with B = 8 and b16ops.c with B = 16
 * (tests/test_nn_b8ops.c also instantiates it with 16 on its own).  The
 * per-width parts (BN's sums, the GAP's forward: their double vectors
 * depend on the width) stay in the including file.
 *
 * Before including, define
 *   BOPS_B         channels per block (a multiple of 8: one float vector of
 *                  B lanes per pixel)
 *   BOPS_CHAINS    (optional) the name of the includer's BN sums,
 *                  void f(const float *p, const float *g, const float *mean,
 *                         const float *istd, int hw, double a[16][BOPS_B],
 *                         double b[16][BOPS_B]):
 *                  one (image, block) run p (hw x B) into batchnorm.c's 16
 *                  double chains per channel, chain k of channel l in
 *                  a[k][l] / b[k][l] fed pixels k, k + 16, ... in order
 *                  (a = sum x, b = sum x^2 when g is NULL; a = sum dy,
 *                  b = sum dy xhat from dy = g otherwise); with it, the
 *                  template defines bn_stats_part and bn_dsums_part
 *   BOPS_FN(name)  the name of each kernel, e.g. jahs_b8_##name
 *   BOPS_LINK      its storage class (empty for exported kernels, static)
 *   BOPS_CLONES    its clone attribute (target_clones or empty)
 * Every lane does what the NCHW kernel (batchnorm.c, pooling.c) does for
 * its channel, operation for operation, so the results are the NCHW
 * kernels' bits; -std=c11 keeps FMA contraction off.  Include once per
 * translation unit.
 */
#ifndef JAHS_NN_BOPS_IMPL_H
#define JAHS_NN_BOPS_IMPL_H

#include <string.h>

#include "nn/layers.h"

#if !defined(BOPS_B) || !defined(BOPS_FN) || !defined(BOPS_LINK) || \
    !defined(BOPS_CLONES)
#error "define BOPS_B, BOPS_FN, BOPS_LINK and BOPS_CLONES before bops_impl.h"
#endif

#define BOPS_INLINE __attribute__((always_inline)) inline

/* one pixel's B channels */
typedef float bops_vf __attribute__((vector_size(BOPS_B * 4)));

/* a pixel's vector at p (any alignment); v stored at p */
#define BOPS_LD(p) (__extension__({                                            \
    bops_vf v_;                                                                \
    memcpy(&v_, (p), sizeof v_);                                               \
    v_;                                                                        \
}))
#define BOPS_ST(p, v) (__extension__({                                         \
    bops_vf s_ = (v);                                                          \
    memcpy((p), &s_, sizeof s_);                                               \
}))
/* q (+)= v: q + v when acc, as the NCHW kernels' q[j] += v */
#define BOPS_PUT(q, v, acc) BOPS_ST((q), (acc) ? BOPS_LD(q) + (v) : (v))
/* image i's channel block cb of a batch: hw x B floats */
#define BOPS_BLK(d, x, i, cb)                                                  \
    ((x) + ((size_t)(i) * ((d)->c / BOPS_B) + (cb)) * (d)->hw * BOPS_B)
/* pixel j of block cb of an image of hw pixels */
#define BOPS_PIX(x, cb, hw, j)                                                 \
    ((x) + ((size_t)(cb) * (hw) + (size_t)(j)) * BOPS_B)

/* ---- batch norm ---------------------------------------------------------- */

#ifdef BOPS_CHAINS
typedef double bops_v4d __attribute__((vector_size(32)));

/* batchnorm.c's fold() on every channel: chain k += chain k + w, w = 8, 4,
 * 2, 1; out[l * stride] = 0.0 + channel l's total, as sums() adds it into
 * 0.0 */
BOPS_INLINE static void bops_fold(double a[16][BOPS_B], double *out,
                                  size_t stride)
{
    int w, k, l, q;
    for (w = 8; w >= 1; w /= 2)
        for (k = 0; k < w; k++)
            for (q = 0; q < BOPS_B; q += 4) {
                bops_v4d u, v;
                memcpy(&u, a[k] + q, sizeof u);
                memcpy(&v, a[k + w] + q, sizeof v);
                u += v;
                memcpy(a[k] + q, &u, sizeof u);
            }
    for (l = 0; l < BOPS_B; l++)
        out[l * stride] = 0.0 + a[0][l];
}

/* part rows of images [i0, i1), from x (dy NULL) or from dy and x */
BOPS_INLINE static void bops_part_rows(const jahs_bn_dims *d, int i0, int i1,
                                       const float *x, const float *dy,
                                       const float *mean, const float *istd,
                                       double *part)
{
    double a[16][BOPS_B], b[16][BOPS_B];
    int i, cb, nb = d->c / BOPS_B;
    for (i = i0; i < i1; i++)
        for (cb = 0; cb < nb; cb++) {
            double *row = part + ((size_t)i * d->c + (size_t)cb * BOPS_B) * 2;
            if (dy)
                BOPS_CHAINS(BOPS_BLK(d, x, i, cb), BOPS_BLK(d, dy, i, cb),
                            mean + cb * BOPS_B, istd + cb * BOPS_B, d->hw, a,
                            b);
            else
                BOPS_CHAINS(BOPS_BLK(d, x, i, cb), NULL, NULL, NULL, d->hw, a,
                            b);
            bops_fold(a, row, 2);
            bops_fold(b, row + 1, 2);
        }
}

BOPS_CLONES
BOPS_LINK void BOPS_FN(bn_stats_part)(const jahs_bn_dims *d, int i0, int i1,
                                      const float *x, double *part)
{
    bops_part_rows(d, i0, i1, x, NULL, NULL, NULL, part);
}

BOPS_CLONES
BOPS_LINK void BOPS_FN(bn_dsums_part)(const jahs_bn_dims *d, int i0, int i1,
                                      const float *x, const float *dy,
                                      const float *mean, const float *istd,
                                      double *part)
{
    bops_part_rows(d, i0, i1, x, dy, mean, istd, part);
}
#endif

BOPS_CLONES
BOPS_LINK void BOPS_FN(bn_apply)(const jahs_bn_dims *d, int i0, int i1,
                                 const float *x, const float *scale,
                                 const float *shift, float *y, int acc)
{
    int i, cb, j, nb = d->c / BOPS_B;
    for (i = i0; i < i1; i++)
        for (cb = 0; cb < nb; cb++) {
            const float *p = BOPS_BLK(d, x, i, cb);
            float *q = BOPS_BLK(d, y, i, cb);
            bops_vf sc = BOPS_LD(scale + cb * BOPS_B);
            bops_vf sh = BOPS_LD(shift + cb * BOPS_B);
            for (j = 0; j < d->hw; j++)
                BOPS_PUT(q + j * BOPS_B, BOPS_LD(p + j * BOPS_B) * sc + sh,
                         acc);
        }
}

BOPS_CLONES
BOPS_LINK void BOPS_FN(bn_dx)(const jahs_bn_dims *d, int i0, int i1,
                              const float *x, const float *dy,
                              const float *gamma, const float *mean,
                              const float *istd, const float *k2,
                              const float *k3, float *dx, int acc)
{
    int i, cb, j, nb = d->c / BOPS_B;
    for (i = i0; i < i1; i++)
        for (cb = 0; cb < nb; cb++) {
            const float *p = BOPS_BLK(d, x, i, cb);
            const float *g = BOPS_BLK(d, dy, i, cb);
            float *q = BOPS_BLK(d, dx, i, cb);
            bops_vf mu = BOPS_LD(mean + cb * BOPS_B);
            bops_vf is = BOPS_LD(istd + cb * BOPS_B);
            bops_vf c1 = BOPS_LD(gamma + cb * BOPS_B) * is;
            bops_vf c2 = BOPS_LD(k2 + cb * BOPS_B);
            bops_vf c3 = BOPS_LD(k3 + cb * BOPS_B);
            for (j = 0; j < d->hw; j++) {
                bops_vf xh = (BOPS_LD(p + j * BOPS_B) - mu) * is;
                BOPS_PUT(q + j * BOPS_B,
                         c1 * (BOPS_LD(g + j * BOPS_B) - c2 - xh * c3), acc);
            }
        }
}

/* ---- pools ---------------------------------------------------------------- */

/* The 3-wide window centred at i clipped to [0, n): [*lo, *hi]; returns
 * its cell count (pooling.c's span3). */
static int bops_win3(int i, int n, int *lo, int *hi)
{
    *lo = i > 0 ? i - 1 : 0;
    *hi = i < n - 1 ? i + 1 : n - 1;
    return 1 + (i > 0) + (i < n - 1);
}

/* *sum += a window's si x sj cells, rows top to bottom, each left to
 * right, as pooling.c adds them; the window's row a starts at
 * rows[a] + off */
BOPS_INLINE static void bops_win_sum(bops_vf *sum, const float *const *rows,
                                     size_t off, int si, int sj)
{
    bops_vf s = *sum;
    int a, b;
    if (si * sj == 9) /* inside: no variable-length loops */
        for (a = 0; a < 3; a++) {
            const float *r = rows[a] + off;
            s += BOPS_LD(r);
            s += BOPS_LD(r + BOPS_B);
            s += BOPS_LD(r + 2 * BOPS_B);
        }
    else
        for (a = 0; a < si; a++)
            for (b = 0; b < sj; b++)
                s += BOPS_LD(rows[a] + off + (size_t)b * BOPS_B);
    *sum = s;
}

BOPS_CLONES
BOPS_LINK void BOPS_FN(avgpool3_forward)(int c, int h, int w, const float *x,
                                         float *y, int acc)
{
    int cb, i, j, a, hw = h * w;
    for (cb = 0; cb < c / BOPS_B; cb++)
        for (i = 0; i < h; i++) {
            int i0, i1, si = bops_win3(i, h, &i0, &i1);
            const float *rows[3]; /* the window's rows of x */
            for (a = 0; a < si; a++)
                rows[a] = BOPS_PIX(x, cb, hw, (i0 + a) * w);
            for (j = 0; j < w; j++) {
                int j0, j1, sj = bops_win3(j, w, &j0, &j1);
                bops_vf s = {0};
                bops_win_sum(&s, rows, (size_t)j0 * BOPS_B, si, sj);
                BOPS_PUT(BOPS_PIX(y, cb, hw, i * w + j), s / (float)(si * sj),
                         acc);
            }
        }
}

/* widest image the 3-pool's backward gathers for (three rows of dy / count
 * on the stack: 3 x 64 x 4 B floats); wider ones take the scatter */
#define BOPS_W3MAX 64

/* row: dy's row i of the block g, each pixel over its window's cell count
 * (the NCHW backward's v) */
BOPS_INLINE static void bops_pool3_vrow(const float *g, int i, int h, int w,
                                        float *row)
{
    int j, lo, hi, si = bops_win3(i, h, &lo, &hi);
    for (j = 0; j < w; j++)
        BOPS_ST(row + j * BOPS_B,
                BOPS_LD(g + ((size_t)i * w + j) * BOPS_B) /
                    (float)(si * bops_win3(j, w, &lo, &hi)));
}

/*
 * The NCHW kernel scatters v = dy / count of each output pixel, in row-major
 * order, onto its window's cells: cell (a, b) gets the v of the pixels
 * (a - 1, b - 1), (a - 1, b), ..., (a + 1, b + 1) that exist, in that order,
 * onto 0 (acc 0) or its old value.  For w <= BOPS_W3MAX this gathers them
 * in that order instead (three rows of v in a ring, each cell read and
 * written once); wider images scatter as the NCHW kernel does.
 */
BOPS_CLONES
BOPS_LINK void BOPS_FN(avgpool3_backward)(int c, int h, int w, const float *dy,
                                          float *dx, int acc)
{
    float v[3][BOPS_W3MAX * BOPS_B]; /* v[i % 3]: row i of dy / count */
    int cb, i, j, a, hw = h * w;
    if (w > BOPS_W3MAX) {
        if (!acc)
            memset(dx, 0, (size_t)c * hw * sizeof *dx);
        for (cb = 0; cb < c / BOPS_B; cb++)
            for (i = 0; i < h; i++) {
                int i0, i1, si = bops_win3(i, h, &i0, &i1);
                for (j = 0; j < w; j++) {
                    int j0, j1, sj = bops_win3(j, w, &j0, &j1), b;
                    bops_vf g = BOPS_LD(BOPS_PIX(dy, cb, hw, i * w + j)) /
                                (float)(si * sj);
                    for (a = i0; a <= i1; a++)
                        for (b = j0; b <= j1; b++) {
                            float *r = BOPS_PIX(dx, cb, hw, a * w + b);
                            BOPS_ST(r, BOPS_LD(r) + g);
                        }
                }
            }
        return;
    }
    for (cb = 0; cb < c / BOPS_B; cb++) {
        const float *g = BOPS_PIX(dy, cb, hw, 0);
        bops_pool3_vrow(g, 0, h, w, v[0]);
        for (i = 0; i < h; i++) {
            int i0, i1, si = bops_win3(i, h, &i0, &i1);
            const float *rows[3]; /* the window's rows of v */
            if (i + 1 < h)
                bops_pool3_vrow(g, i + 1, h, w, v[(i + 1) % 3]);
            for (a = 0; a < si; a++)
                rows[a] = v[(i0 + a) % 3];
            for (j = 0; j < w; j++) {
                int j0, j1, sj = bops_win3(j, w, &j0, &j1);
                float *q = BOPS_PIX(dx, cb, hw, i * w + j);
                bops_vf s = {0};
                if (acc)
                    s = BOPS_LD(q);
                bops_win_sum(&s, rows, (size_t)j0 * BOPS_B, si, sj);
                BOPS_ST(q, s);
            }
        }
    }
}

BOPS_CLONES
BOPS_LINK void BOPS_FN(avgpool2_forward)(int c, int h, int w, const float *x,
                                         float *y, int acc)
{
    int cb, i, j, ho = h / 2, wo = w / 2;
    for (cb = 0; cb < c / BOPS_B; cb++)
        for (i = 0; i < ho; i++)
            for (j = 0; j < wo; j++) {
                const float *r = BOPS_PIX(x, cb, h * w, 2 * i * w + 2 * j);
                const float *s = r + (size_t)w * BOPS_B;
                bops_vf v = (BOPS_LD(r) + BOPS_LD(r + BOPS_B) + BOPS_LD(s) +
                             BOPS_LD(s + BOPS_B)) *
                            0.25f;
                BOPS_PUT(BOPS_PIX(y, cb, ho * wo, i * wo + j), v, acc);
            }
}

BOPS_CLONES
BOPS_LINK void BOPS_FN(avgpool2_backward)(int c, int h, int w, const float *dy,
                                          float *dx, int acc)
{
    int cb, i, j, ho = h / 2, wo = w / 2;
    if (!acc)
        memset(dx, 0, (size_t)c * h * w * sizeof *dx);
    for (cb = 0; cb < c / BOPS_B; cb++)
        for (i = 0; i < ho; i++)
            for (j = 0; j < wo; j++) {
                bops_vf v =
                    BOPS_LD(BOPS_PIX(dy, cb, ho * wo, i * wo + j)) * 0.25f;
                float *r = BOPS_PIX(dx, cb, h * w, 2 * i * w + 2 * j);
                float *s = r + (size_t)w * BOPS_B;
                BOPS_ST(r, BOPS_LD(r) + v);
                BOPS_ST(r + BOPS_B, BOPS_LD(r + BOPS_B) + v);
                BOPS_ST(s, BOPS_LD(s) + v);
                BOPS_ST(s + BOPS_B, BOPS_LD(s + BOPS_B) + v);
            }
}

BOPS_CLONES
BOPS_LINK void BOPS_FN(gap_backward)(int c, int hw, const float *dy, float *dx,
                                     int acc)
{
    int cb, j;
    for (cb = 0; cb < c / BOPS_B; cb++) {
        bops_vf v = BOPS_LD(dy + cb * BOPS_B) / (float)hw;
        for (j = 0; j < hw; j++)
            BOPS_PUT(BOPS_PIX(dx, cb, hw, j), v, acc);
    }
}

#endif
