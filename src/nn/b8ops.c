/*
 * b8ops.c - batch norm, average pools and the global average pool on
 * nChw8c activations (b8ops.h), the same bits as batchnorm.c's and
 * pooling.c's NCHW kernels (and so as b16ops.c's nChw16c ones), and the
 * NCHW <-> nChw8c reorders.
 *
 * b16ops.c's kernels with a block of 8: a pixel's 8 channels are one float
 * vector (GCC's vector extensions: one 256-bit register in the AVX2 clone,
 * the one AVX2-only CPUs run, where oneDNN's convolutions use nChw8c), and
 * every lane does what the NCHW kernel does for its channel, operation for
 * operation: the same additions in the same order, the same float
 * roundings (-std=c11 turns off FMA contraction, so no clone fuses a
 * multiply-add the NCHW kernel rounds twice).  As in b16ops.c, two places
 * keep the order by other means than the NCHW loop structure: batch norm's
 * sums (batchnorm.c's sums() puts element j of a channel's run of hw values
 * into double chain j mod 16 and folds the 16 chains pairwise; here each
 * chain is kept per channel, 16 chains x 8 channels, two chains at a time,
 * chain k taking pixels k, k + 16, ... in order, folded in the same
 * pairwise order lane by lane), and the 3-pool's backward, which gathers
 * each cell's contributions in the order the NCHW kernel scatters them.
 */
#include "nn/b8ops.h"

#include <string.h>

#if !defined(__GNUC__)
#error "b8ops.c needs GCC's vector extensions (GCC or clang)"
#endif

/* as in batchnorm.c: AVX2 and AVX-512 clones chosen at load time */
#if defined(__x86_64__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
#define JAHS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define JAHS_CLONES
#endif
#define JAHS_INLINE __attribute__((always_inline)) inline

#define B 8  /* channels per block */
#define L 16 /* batchnorm.c's chain count */

typedef float v8f __attribute__((vector_size(32)));
/* doubles four to a vector: 8 doubles as one 64-byte vector would be two
 * registers in the AVX2 clone, which GCC 12 keeps in memory, a store and a
 * reload per add */
typedef double v4d __attribute__((vector_size(32)));

/* 8 floats (or 4 doubles) at p, any alignment; v stored at p */
#define LD8(p) (__extension__({                                                \
    v8f v_;                                                                    \
    memcpy(&v_, (p), sizeof v_);                                               \
    v_;                                                                        \
}))
#define LD4D(p) (__extension__({                                               \
    v4d v_;                                                                    \
    memcpy(&v_, (p), sizeof v_);                                               \
    v_;                                                                        \
}))
#define ST(p, v) (__extension__({                                              \
    __typeof__(v) s_ = (v);                                                    \
    memcpy((p), &s_, sizeof s_);                                               \
}))
/* floats 0-3 (LO) or 4-7 (HI) of v widened to double (one vcvtps2pd each) */
#define LO(v) (__extension__({                                                 \
    v8f c_ = (v);                                                              \
    (v4d){c_[0], c_[1], c_[2], c_[3]};                                         \
}))
#define HI(v) (__extension__({                                                 \
    v8f c_ = (v);                                                              \
    (v4d){c_[4], c_[5], c_[6], c_[7]};                                         \
}))
/* 8 floats at q (+)= v: q + v when acc, as the NCHW kernels' q[j] += v */
#define PUT(q, v, acc) ST((q), (acc) ? LD8(q) + (v) : (v))

/* image i's channel block cb of a batch: hw x 8 floats */
#define BLK(d, x, i, cb)                                                       \
    ((x) + ((size_t)(i) * ((d)->c / B) + (cb)) * (d)->hw * B)

/* ---- batch norm ---------------------------------------------------------- */

/* pixels per tile of chains() (a multiple of L): 4 KB of x (and of dy), in
 * L1 for the eight passes over it */
#define TILE 128

/*
 * One (image, block) run, p: hw x 8.  a[k][l], b[k][l]: chain k of
 * channel l, fed pixels j = k, k + 16, ... in order.  Without g (the
 * forward's sums): a = sum x, b = sum x^2; with g (dy, the backward's
 * dsums): a = sum dy, b = sum dy xhat, xhat = (x - mean) istd in float, then
 * widened.  Two chains at a time (8 vectors of 4 doubles: half of AVX2's 16
 * registers, 8 independent sums in flight), in eight passes over a tile of
 * TILE pixels before the next tile.
 */
JAHS_INLINE static void chains(const float *p, const float *g,
                               const float *mean, const float *istd, int hw,
                               double a[L][B], double b[L][B])
{
    v8f m = {0}, s = {0};
    int kb, j, t0, t1;
    if (g)
        m = LD8(mean), s = LD8(istd);
    memset(a, 0, sizeof(double[L][B]));
    memset(b, 0, sizeof(double[L][B]));
    for (t0 = 0; t0 < hw; t0 = t1) {
        t1 = hw - t0 > TILE ? t0 + TILE : hw;
        for (kb = 0; kb < L; kb += 2) {
            /* chain kb + t, channels 0-3 (0) and 4-7 (1) */
            v4d A00 = LD4D(a[kb]), A01 = LD4D(a[kb] + 4);
            v4d A10 = LD4D(a[kb + 1]), A11 = LD4D(a[kb + 1] + 4);
            v4d S00 = LD4D(b[kb]), S01 = LD4D(b[kb] + 4);
            v4d S10 = LD4D(b[kb + 1]), S11 = LD4D(b[kb + 1] + 4);
#define STEP(A0, A1, S0, S1, jj)                                               \
    do {                                                                       \
        v8f q_ = LD8(p + (size_t)(jj) * B);                                    \
        if (g) {                                                               \
            v8f h_ = LD8(g + (size_t)(jj) * B), x_ = (q_ - m) * s;             \
            v4d g0_ = LO(h_), g1_ = HI(h_);                                    \
            A0 += g0_;                                                         \
            A1 += g1_;                                                         \
            S0 += g0_ * LO(x_);                                                \
            S1 += g1_ * HI(x_);                                                \
        } else {                                                               \
            v4d e0_ = LO(q_), e1_ = HI(q_);                                    \
            A0 += e0_;                                                         \
            A1 += e1_;                                                         \
            S0 += e0_ * e0_;                                                   \
            S1 += e1_ * e1_;                                                   \
        }                                                                      \
    } while (0)
            for (j = t0 + kb; j + 2 <= t1; j += L) {
                STEP(A00, A01, S00, S01, j);
                STEP(A10, A11, S10, S11, j + 1);
            }
            /* the last pixel past the 16-pixel groups (j < t1 here only
             * when one of this pair's pixels remains) */
            if (j < t1)
                STEP(A00, A01, S00, S01, j);
#undef STEP
            ST(a[kb], A00), ST(a[kb] + 4, A01);
            ST(a[kb + 1], A10), ST(a[kb + 1] + 4, A11);
            ST(b[kb], S00), ST(b[kb] + 4, S01);
            ST(b[kb + 1], S10), ST(b[kb + 1] + 4, S11);
        }
    }
}

/* batchnorm.c's fold() on every channel: chain k += chain k + w, w = 8, 4,
 * 2, 1; out[l * stride] = 0.0 + channel l's total, as sums() adds it into
 * 0.0. */
JAHS_INLINE static void fold(double a[L][B], double *out, size_t stride)
{
    int w, k, l;
    for (w = L / 2; w >= 1; w /= 2)
        for (k = 0; k < w; k++) {
            ST(a[k], LD4D(a[k]) + LD4D(a[k + w]));
            ST(a[k] + 4, LD4D(a[k] + 4) + LD4D(a[k + w] + 4));
        }
    for (l = 0; l < B; l++)
        out[l * stride] = 0.0 + a[0][l];
}

/* part rows of images [i0, i1), from x (dy NULL) or from dy and x */
JAHS_INLINE static void part_rows(const jahs_bn_dims *d, int i0, int i1,
                                  const float *x, const float *dy,
                                  const float *mean, const float *istd,
                                  double *part)
{
    double a[L][B], b[L][B];
    int i, cb, nb = d->c / B;
    for (i = i0; i < i1; i++)
        for (cb = 0; cb < nb; cb++) {
            double *row = part + ((size_t)i * d->c + (size_t)cb * B) * 2;
            if (dy)
                chains(BLK(d, x, i, cb), BLK(d, dy, i, cb), mean + cb * B,
                       istd + cb * B, d->hw, a, b);
            else
                chains(BLK(d, x, i, cb), NULL, NULL, NULL, d->hw, a, b);
            fold(a, row, 2);
            fold(b, row + 1, 2);
        }
}

JAHS_CLONES
void jahs_b8_bn_stats_part(const jahs_bn_dims *d, int i0, int i1,
                           const float *x, double *part)
{
    part_rows(d, i0, i1, x, NULL, NULL, NULL, part);
}

JAHS_CLONES
void jahs_b8_bn_dsums_part(const jahs_bn_dims *d, int i0, int i1,
                           const float *x, const float *dy, const float *mean,
                           const float *istd, double *part)
{
    part_rows(d, i0, i1, x, dy, mean, istd, part);
}

JAHS_CLONES
void jahs_b8_bn_apply(const jahs_bn_dims *d, int i0, int i1, const float *x,
                      const float *scale, const float *shift, float *y,
                      int acc)
{
    int i, cb, j, nb = d->c / B;
    for (i = i0; i < i1; i++)
        for (cb = 0; cb < nb; cb++) {
            const float *p = BLK(d, x, i, cb);
            float *q = BLK(d, y, i, cb);
            v8f sc = LD8(scale + cb * B), sh = LD8(shift + cb * B);
            for (j = 0; j < d->hw; j++)
                PUT(q + j * B, LD8(p + j * B) * sc + sh, acc);
        }
}

JAHS_CLONES
void jahs_b8_bn_dx(const jahs_bn_dims *d, int i0, int i1, const float *x,
                   const float *dy, const float *gamma, const float *mean,
                   const float *istd, const float *k2, const float *k3,
                   float *dx, int acc)
{
    int i, cb, j, nb = d->c / B;
    for (i = i0; i < i1; i++)
        for (cb = 0; cb < nb; cb++) {
            const float *p = BLK(d, x, i, cb), *g = BLK(d, dy, i, cb);
            float *q = BLK(d, dx, i, cb);
            v8f mu = LD8(mean + cb * B), is = LD8(istd + cb * B);
            v8f c1 = LD8(gamma + cb * B) * is;
            v8f c2 = LD8(k2 + cb * B), c3 = LD8(k3 + cb * B);
            for (j = 0; j < d->hw; j++) {
                v8f xh = (LD8(p + j * B) - mu) * is;
                PUT(q + j * B, c1 * (LD8(g + j * B) - c2 - xh * c3), acc);
            }
        }
}

/* ---- pools ---------------------------------------------------------------- */

/* The 3-wide window centred at i clipped to [0, n): [*lo, *hi]; returns
 * its cell count (pooling.c's span3). */
static int win3(int i, int n, int *lo, int *hi)
{
    *lo = i > 0 ? i - 1 : 0;
    *hi = i < n - 1 ? i + 1 : n - 1;
    return 1 + (i > 0) + (i < n - 1);
}

/* pixel j of block cb of an image of hw pixels */
#define PIX(x, cb, hw, j) ((x) + ((size_t)(cb) * (hw) + (size_t)(j)) * B)

/* the sum of a window's cells, rows top to bottom, each left to right, as
 * pooling.c adds them: r is its top-left cell, rows of `stride` floats,
 * si x sj cells; *sum: the sum so far (0, or the old dx) on entry */
JAHS_INLINE static void win_sum(v8f *sum, const float *r, size_t stride,
                                int si, int sj)
{
    v8f s = *sum;
    int a, b;
    if (si * sj == 9) /* inside: no variable-length loops */
        for (a = 0; a < 3; a++, r += stride) {
            s += LD8(r);
            s += LD8(r + B);
            s += LD8(r + 2 * B);
        }
    else
        for (a = 0; a < si; a++, r += stride)
            for (b = 0; b < sj; b++)
                s += LD8(r + b * B);
    *sum = s;
}

JAHS_CLONES
void jahs_b8_avgpool3_forward(int c, int h, int w, const float *x, float *y,
                              int acc)
{
    int cb, i, j, hw = h * w;
    for (cb = 0; cb < c / B; cb++)
        for (i = 0; i < h; i++) {
            int i0, i1, si = win3(i, h, &i0, &i1);
            for (j = 0; j < w; j++) {
                int j0, j1, sj = win3(j, w, &j0, &j1);
                v8f s = {0};
                win_sum(&s, PIX(x, cb, hw, i0 * w + j0), (size_t)w * B, si,
                        sj);
                PUT(PIX(y, cb, hw, i * w + j), s / (float)(si * sj), acc);
            }
        }
}

/* widest image the 3-pool's backward gathers for (three rows of dy / count
 * on the stack: 3 x 64 x 32 B = 6 KB); wider ones take the scatter */
#define W3MAX 64

/* row: dy's row i of the block g, each pixel over its window's cell count
 * (the NCHW backward's v) */
JAHS_INLINE static void pool3_vrow(const float *g, int i, int h, int w,
                                   float *row)
{
    int j, lo, hi, si = win3(i, h, &lo, &hi);
    for (j = 0; j < w; j++)
        ST(row + j * B, LD8(g + ((size_t)i * w + j) * B) /
                            (float)(si * win3(j, w, &lo, &hi)));
}

/*
 * The NCHW kernel scatters v = dy / count of each output pixel, in row-major
 * order, onto its window's cells: cell (a, b) gets the v of the pixels
 * (a - 1, b - 1), (a - 1, b), ..., (a + 1, b + 1) that exist, in that order,
 * onto 0 (acc 0) or its old value.  For w <= W3MAX this gathers them in that
 * order instead (three rows of v in a ring, each cell read and written
 * once); wider images scatter as the NCHW kernel does.
 */
JAHS_CLONES
void jahs_b8_avgpool3_backward(int c, int h, int w, const float *dy, float *dx,
                               int acc)
{
    float v[3][W3MAX * B]; /* v[i % 3]: row i of dy / count */
    int cb, i, j, hw = h * w;
    if (w > W3MAX) {
        if (!acc)
            memset(dx, 0, (size_t)c * hw * sizeof *dx);
        for (cb = 0; cb < c / B; cb++)
            for (i = 0; i < h; i++) {
                int i0, i1, si = win3(i, h, &i0, &i1);
                for (j = 0; j < w; j++) {
                    int j0, j1, sj = win3(j, w, &j0, &j1), a, b;
                    v8f g = LD8(PIX(dy, cb, hw, i * w + j)) / (float)(si * sj);
                    for (a = i0; a <= i1; a++)
                        for (b = j0; b <= j1; b++) {
                            float *r = PIX(dx, cb, hw, a * w + b);
                            ST(r, LD8(r) + g);
                        }
                }
            }
        return;
    }
    for (cb = 0; cb < c / B; cb++) {
        const float *g = PIX(dy, cb, hw, 0);
        pool3_vrow(g, 0, h, w, v[0]);
        for (i = 0; i < h; i++) {
            int i0, i1, si = win3(i, h, &i0, &i1);
            if (i + 1 < h)
                pool3_vrow(g, i + 1, h, w, v[(i + 1) % 3]);
            for (j = 0; j < w; j++) {
                int j0, j1, sj = win3(j, w, &j0, &j1), a, b;
                float *q = PIX(dx, cb, hw, i * w + j);
                v8f s = {0};
                if (acc)
                    s = LD8(q);
                /* the ring's rows are not contiguous: row by row */
                if (si * sj == 9)
                    for (a = 0; a < 3; a++) {
                        const float *r = v[(i0 + a) % 3] + (size_t)j0 * B;
                        s += LD8(r);
                        s += LD8(r + B);
                        s += LD8(r + 2 * B);
                    }
                else
                    for (a = 0; a < si; a++)
                        for (b = j0; b <= j1; b++)
                            s += LD8(v[(i0 + a) % 3] + (size_t)b * B);
                ST(q, s);
            }
        }
    }
}

JAHS_CLONES
void jahs_b8_avgpool2_forward(int c, int h, int w, const float *x, float *y,
                              int acc)
{
    int cb, i, j, ho = h / 2, wo = w / 2;
    for (cb = 0; cb < c / B; cb++)
        for (i = 0; i < ho; i++)
            for (j = 0; j < wo; j++) {
                const float *r = PIX(x, cb, h * w, 2 * i * w + 2 * j);
                v8f v = (LD8(r) + LD8(r + B) + LD8(r + (size_t)w * B) +
                         LD8(r + (size_t)(w + 1) * B)) *
                        0.25f;
                PUT(PIX(y, cb, ho * wo, i * wo + j), v, acc);
            }
}

JAHS_CLONES
void jahs_b8_avgpool2_backward(int c, int h, int w, const float *dy, float *dx,
                               int acc)
{
    int cb, i, j, ho = h / 2, wo = w / 2;
    if (!acc)
        memset(dx, 0, (size_t)c * h * w * sizeof *dx);
    for (cb = 0; cb < c / B; cb++)
        for (i = 0; i < ho; i++)
            for (j = 0; j < wo; j++) {
                v8f v = LD8(PIX(dy, cb, ho * wo, i * wo + j)) * 0.25f;
                float *r = PIX(dx, cb, h * w, 2 * i * w + 2 * j);
                float *s = r + (size_t)w * B;
                ST(r, LD8(r) + v);
                ST(r + B, LD8(r + B) + v);
                ST(s, LD8(s) + v);
                ST(s + B, LD8(s + B) + v);
            }
}

JAHS_CLONES
void jahs_b8_gap_forward(int c, int hw, const float *x, float *y, int acc)
{
    int cb, j;
    for (cb = 0; cb < c / B; cb++) {
        /* one double chain per channel, pixels in order, as pooling.c */
        v4d s0 = {0}, s1 = {0};
        v8f r;
        for (j = 0; j < hw; j++) {
            v8f v = LD8(PIX(x, cb, hw, j));
            s0 += LO(v);
            s1 += HI(v);
        }
        s0 /= (double)hw;
        s1 /= (double)hw;
        r = (v8f){(float)s0[0], (float)s0[1], (float)s0[2], (float)s0[3],
                  (float)s1[0], (float)s1[1], (float)s1[2], (float)s1[3]};
        PUT(y + cb * B, r, acc);
    }
}

JAHS_CLONES
void jahs_b8_gap_backward(int c, int hw, const float *dy, float *dx, int acc)
{
    int cb, j;
    for (cb = 0; cb < c / B; cb++) {
        v8f v = LD8(dy + cb * B) / (float)hw;
        for (j = 0; j < hw; j++)
            PUT(PIX(dx, cb, hw, j), v, acc);
    }
}

/* ---- reorders ------------------------------------------------------------- */

JAHS_CLONES
void jahs_b8_from_nchw(int n, int c, int hw, const float *src, float *dst)
{
    size_t blk, nblk = (size_t)n * (c / B);
    int s, k;
    /* image i's channel block cb is block i (c / 8) + cb of both layouts */
    for (blk = 0; blk < nblk; blk++) {
        const float *p = src + blk * B * hw;
        float *q = dst + blk * B * hw;
        for (s = 0; s < hw; s++)
            for (k = 0; k < B; k++)
                q[(size_t)s * B + k] = p[(size_t)k * hw + s];
    }
}

JAHS_CLONES
void jahs_b8_to_nchw(int n, int c, int hw, const float *src, float *dst,
                     int acc)
{
    size_t blk, nblk = (size_t)n * (c / B);
    int s, k;
    for (blk = 0; blk < nblk; blk++) {
        const float *p = src + blk * B * hw;
        float *q = dst + blk * B * hw;
        for (k = 0; k < B; k++)
            if (acc)
                for (s = 0; s < hw; s++)
                    q[(size_t)k * hw + s] += p[(size_t)s * B + k];
            else
                for (s = 0; s < hw; s++)
                    q[(size_t)k * hw + s] = p[(size_t)s * B + k];
    }
}
