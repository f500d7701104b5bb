/*
 * b16ops.c - batch norm, average pools and the global average pool on
 * nChw16c activations (b16ops.h), the same bits as batchnorm.c's and
 * pooling.c's NCHW kernels.
 *
 * A pixel's 16 channels are one vector (GCC's vector extensions: one
 * register in the AVX-512 clone, two in the AVX2 one, four in the SSE2
 * baseline), and every lane does what the NCHW kernel does for its channel,
 * operation for operation: the same additions in the same order, the same
 * float roundings (-std=c11 turns off FMA contraction, so no clone fuses a
 * multiply-add the NCHW kernel rounds twice).  Two places keep the order
 * by other means than the NCHW loop structure: batch norm's sums
 * (batchnorm.c's sums() puts element j of a channel's run of hw values into
 * double chain j mod 16 and folds the 16 chains pairwise; here each chain
 * is kept per channel, 16 chains x 16 channels, filled four chains at a
 * time, chain k taking pixels k, k + 16, ... in order, and folded in the
 * same pairwise order, lane by lane), and the 3-pool's backward, which
 * gathers each cell's contributions in the order the NCHW kernel scatters
 * them.  A vector is 64 bytes: tensors 64-byte aligned (as net.c allocates
 * them) keep every access within one cache line.
 */
#include "nn/b16ops.h"

#include <string.h>

#if !defined(__GNUC__)
#error "b16ops.c needs GCC's vector extensions (GCC or clang)"
#endif

/* as in batchnorm.c: AVX2 and AVX-512 clones chosen at load time */
#if defined(__x86_64__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
#define JAHS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define JAHS_CLONES
#endif
#define JAHS_INLINE __attribute__((always_inline)) inline

#define B 16 /* channels per block, and batchnorm.c's chain count */

typedef float v16f __attribute__((vector_size(64)));
typedef float v8f __attribute__((vector_size(32)));
typedef double v8d __attribute__((vector_size(64)));

/* loads and stores at any alignment */
#define LD(T, p) (__extension__({                                              \
    T v_;                                                                      \
    memcpy(&v_, (p), sizeof v_);                                               \
    v_;                                                                        \
}))
#define ST(p, v) (__extension__({                                              \
    __typeof__(v) s_ = (v);                                                    \
    memcpy((p), &s_, sizeof s_);                                               \
}))
#define LD16(p) LD(v16f, p)
#define LD8(p) LD(v8f, p)
#define LD8D(p) LD(v8d, p)
/* 8 floats widened to double.  Element by element, because GCC 12 lowers
 * __builtin_convertvector(v8f -> v8d) to two 4-wide converts, an extract
 * and an insert even for AVX-512, where this is one vcvtps2pd. */
#define CVT(v) (__extension__({                                                \
    v8f c_ = (v);                                                              \
    (v8d){c_[0], c_[1], c_[2], c_[3], c_[4], c_[5], c_[6], c_[7]};             \
}))
/* 16 floats at q (+)= v: q + v when acc, as the NCHW kernels' q[j] += v */
#define PUT(q, v, acc) ST((q), (acc) ? LD16(q) + (v) : (v))

/* image i's channel block cb of a batch: hw x 16 floats */
#define BLK(d, x, i, cb)                                                       \
    ((x) + ((size_t)(i) * ((d)->c / B) + (cb)) * (d)->hw * B)

/* ---- batch norm ---------------------------------------------------------- */

/* pixels per tile of chains(): 4 KB of x (and of dy), in L1 for the four
 * passes over it (measured: 64 beat 32, 128, 256 and 512 at n = 256 on the
 * NB201 shapes; 256 and up were slower than the NCHW kernel at hw = 1024) */
#define TILE 64

/*
 * One (image, block) run, p: hw x 16.  a[k][l], b[k][l]: chain k of
 * channel l, fed pixels j = k, k + 16, ... in order.  Without g (the
 * forward's sums): a = sum x, b = sum x^2; with g (dy, the backward's
 * dsums): a = sum dy, b = sum dy xhat, xhat = (x - mean) istd in float, then
 * widened.  Four chains at a time, 16 independent vector sums in flight, in
 * four passes over a tile of TILE pixels (a multiple of 16, so pixel j
 * still goes to chain j mod 16) before the next tile: one pass over the
 * whole run would read the run from memory four times, a quarter of each
 * 1 KB at a time, which the prefetchers serve badly.
 */
JAHS_INLINE static void chains(const float *p, const float *g,
                               const float *mean, const float *istd, int hw,
                               double a[B][B], double b[B][B])
{
    v8f m0 = {0}, m1 = {0}, s0 = {0}, s1 = {0};
    int kb, j, t, t0, t1;
    if (g) {
        m0 = LD8(mean), m1 = LD8(mean + 8);
        s0 = LD8(istd), s1 = LD8(istd + 8);
    }
    memset(a, 0, sizeof(double[B][B]));
    memset(b, 0, sizeof(double[B][B]));
    for (t0 = 0; t0 < hw; t0 = t1) {
        t1 = hw - t0 > TILE ? t0 + TILE : hw;
        for (kb = 0; kb < B; kb += 4) {
            v8d A[4][2], S[4][2];
            for (t = 0; t < 4; t++) {
                A[t][0] = LD8D(&a[kb + t][0]);
                A[t][1] = LD8D(&a[kb + t][8]);
                S[t][0] = LD8D(&b[kb + t][0]);
                S[t][1] = LD8D(&b[kb + t][8]);
            }
#define STEP(t, jj)                                                            \
    do {                                                                       \
        const float *q_ = p + (size_t)(jj) * B;                                \
        if (g) {                                                               \
            const float *h_ = g + (size_t)(jj) * B;                            \
            v8d g0_ = CVT(LD8(h_)), g1_ = CVT(LD8(h_ + 8));                    \
            v8d x0_ = CVT((LD8(q_) - m0) * s0);                                \
            v8d x1_ = CVT((LD8(q_ + 8) - m1) * s1);                            \
            A[t][0] += g0_;                                                    \
            A[t][1] += g1_;                                                    \
            S[t][0] += g0_ * x0_;                                              \
            S[t][1] += g1_ * x1_;                                              \
        } else {                                                               \
            v8d v0_ = CVT(LD8(q_)), v1_ = CVT(LD8(q_ + 8));                    \
            A[t][0] += v0_;                                                    \
            A[t][1] += v1_;                                                    \
            S[t][0] += v0_ * v0_;                                              \
            S[t][1] += v1_ * v1_;                                              \
        }                                                                      \
    } while (0)
            for (j = t0 + kb; j + 4 <= t1; j += B) {
                STEP(0, j);
                STEP(1, j + 1);
                STEP(2, j + 2);
                STEP(3, j + 3);
            }
            /* the last pixels past the 16-pixel groups (j < t1 here only
             * when fewer than 4 of this group's pixels remain) */
            if (j < t1)
                STEP(0, j);
            if (j + 1 < t1)
                STEP(1, j + 1);
            if (j + 2 < t1)
                STEP(2, j + 2);
#undef STEP
            for (t = 0; t < 4; t++) {
                ST(&a[kb + t][0], A[t][0]);
                ST(&a[kb + t][8], A[t][1]);
                ST(&b[kb + t][0], S[t][0]);
                ST(&b[kb + t][8], S[t][1]);
            }
        }
    }
}

/* batchnorm.c's fold() on every channel: chain k += chain k + w, w = 8, 4,
 * 2, 1; out[l] (+)= channel l's total, as sums() adds it into 0.0. */
JAHS_INLINE static void fold16(double a[B][B], double *out, size_t stride)
{
    int w, k, l;
    for (w = B / 2; w >= 1; w /= 2)
        for (k = 0; k < w; k++) {
            ST(&a[k][0], LD8D(&a[k][0]) + LD8D(&a[k + w][0]));
            ST(&a[k][8], LD8D(&a[k][8]) + LD8D(&a[k + w][8]));
        }
    for (l = 0; l < B; l++)
        out[l * stride] = 0.0 + a[0][l];
}

/* part rows of images [i0, i1), from x (g NULL) or from dy and x */
JAHS_INLINE static void part_rows(const jahs_bn_dims *d, int i0, int i1,
                                  const float *x, const float *dy,
                                  const float *mean, const float *istd,
                                  double *part)
{
    double a[B][B], b[B][B];
    int i, cb, nb = d->c / B;
    for (i = i0; i < i1; i++)
        for (cb = 0; cb < nb; cb++) {
            double *row = part + ((size_t)i * d->c + (size_t)cb * B) * 2;
            if (dy)
                chains(BLK(d, x, i, cb), BLK(d, dy, i, cb), mean + cb * B,
                       istd + cb * B, d->hw, a, b);
            else
                chains(BLK(d, x, i, cb), NULL, NULL, NULL, d->hw, a, b);
            fold16(a, row, 2);
            fold16(b, row + 1, 2);
        }
}

JAHS_CLONES
void jahs_b16_bn_stats_part(const jahs_bn_dims *d, int i0, int i1,
                            const float *x, double *part)
{
    part_rows(d, i0, i1, x, NULL, NULL, NULL, part);
}

JAHS_CLONES
void jahs_b16_bn_dsums_part(const jahs_bn_dims *d, int i0, int i1,
                            const float *x, const float *dy, const float *mean,
                            const float *istd, double *part)
{
    part_rows(d, i0, i1, x, dy, mean, istd, part);
}

JAHS_CLONES
void jahs_b16_bn_apply(const jahs_bn_dims *d, int i0, int i1, const float *x,
                       const float *scale, const float *shift, float *y,
                       int acc)
{
    int i, cb, j, nb = d->c / B;
    for (i = i0; i < i1; i++)
        for (cb = 0; cb < nb; cb++) {
            const float *p = BLK(d, x, i, cb);
            float *q = BLK(d, y, i, cb);
            v16f sc = LD16(scale + cb * B), sh = LD16(shift + cb * B);
            for (j = 0; j < d->hw; j++)
                PUT(q + j * B, LD16(p + j * B) * sc + sh, acc);
        }
}

JAHS_CLONES
void jahs_b16_bn_dx(const jahs_bn_dims *d, int i0, int i1, const float *x,
                    const float *dy, const float *gamma, const float *mean,
                    const float *istd, const float *k2, const float *k3,
                    float *dx, int acc)
{
    int i, cb, j, nb = d->c / B;
    for (i = i0; i < i1; i++)
        for (cb = 0; cb < nb; cb++) {
            const float *p = BLK(d, x, i, cb), *g = BLK(d, dy, i, cb);
            float *q = BLK(d, dx, i, cb);
            v16f mu = LD16(mean + cb * B), is = LD16(istd + cb * B);
            v16f c1 = LD16(gamma + cb * B) * is;
            v16f c2 = LD16(k2 + cb * B), c3 = LD16(k3 + cb * B);
            for (j = 0; j < d->hw; j++) {
                v16f xh = (LD16(p + j * B) - mu) * is;
                v16f v = c1 * (LD16(g + j * B) - c2 - xh * c3);
                PUT(q + j * B, v, acc);
            }
        }
}

/* ---- pools ---------------------------------------------------------------- */

/* The 3-wide window centred at i clipped to [0, n): [*lo, *hi]; returns
 * its cell count (as pooling.c). */
static int win3(int i, int n, int *lo, int *hi)
{
    *lo = i > 0 ? i - 1 : 0;
    *hi = i < n - 1 ? i + 1 : n - 1;
    return 1 + (i > 0) + (i < n - 1);
}

/* pixel j of block cb of an image of hw pixels */
#define PIX(x, cb, hw, j) ((x) + ((size_t)(cb) * (hw) + (size_t)(j)) * B)

JAHS_CLONES
void jahs_b16_avgpool3_forward(int c, int h, int w, const float *x, float *y,
                               int acc)
{
    int cb, i, j, hw = h * w;
    for (cb = 0; cb < c / B; cb++)
        for (i = 0; i < h; i++) {
            int i0, i1, si = win3(i, h, &i0, &i1);
            for (j = 0; j < w; j++) {
                int j0, j1, sj = win3(j, w, &j0, &j1);
                float *q = PIX(y, cb, hw, i * w + j);
                const float *r = PIX(x, cb, hw, i0 * w + j0);
                v16f s = {0}, v;
                int a, b;
                /* the rows of the window, each left to right */
                if (si * sj == 9) /* inside: no variable-length loops */
                    for (a = 0; a < 3; a++, r += (size_t)w * B) {
                        s += LD16(r);
                        s += LD16(r + B);
                        s += LD16(r + 2 * B);
                    }
                else
                    for (a = i0; a <= i1; a++, r += (size_t)w * B)
                        for (b = 0; b <= j1 - j0; b++)
                            s += LD16(r + b * B);
                v = s / (float)(si * sj);
                PUT(q, v, acc);
            }
        }
}

/* widest image the 3-pool's backward gathers for (three rows of dy / count
 * on the stack: 3 x 64 x 64 B = 12 KB); wider ones take the scatter */
#define W3MAX 64

/* row: dy's row i of the block g, each pixel over its window's cell count
 * (the NCHW backward's v) */
JAHS_INLINE static void pool3_vrow(const float *g, int i, int h, int w,
                                   float *row)
{
    int j, lo, hi, si = win3(i, h, &lo, &hi);
    for (j = 0; j < w; j++)
        ST(row + j * B, LD16(g + ((size_t)i * w + j) * B) /
                            (float)(si * win3(j, w, &lo, &hi)));
}

/*
 * The NCHW kernel scatters v = dy / count of each output pixel, in row-major
 * order, onto its window's cells: cell (a, b) gets the v of the pixels
 * (a - 1, b - 1), (a - 1, b), ..., (a + 1, b + 1) that exist, in that order,
 * onto 0 (acc 0) or its old value.  For w <= W3MAX this gathers them in that
 * order instead (each cell read and written once, not 9 times); wider
 * images scatter as the NCHW kernel does.  The same sums either way.
 */
JAHS_CLONES
void jahs_b16_avgpool3_backward(int c, int h, int w, const float *dy,
                                float *dx, int acc)
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
                    int j0, j1, sj = win3(j, w, &j0, &j1);
                    v16f g = LD16(PIX(dy, cb, hw, i * w + j)) / (float)(si * sj);
                    int a, b;
                    for (a = i0; a <= i1; a++)
                        for (b = j0; b <= j1; b++) {
                            float *r = PIX(dx, cb, hw, a * w + b);
                            ST(r, LD16(r) + g);
                        }
                }
            }
        return;
    }
    for (cb = 0; cb < c / B; cb++) {
        const float *g = PIX(dy, cb, hw, 0);
        pool3_vrow(g, 0, h, w, v[0]);
        for (i = 0; i < h; i++) {
            int i0, i1, si = win3(i, h, &i0, &i1), a;
            const float *rows[3];
            if (i + 1 < h)
                pool3_vrow(g, i + 1, h, w, v[(i + 1) % 3]);
            for (a = 0; a < si; a++)
                rows[a] = v[(i0 + a) % 3];
            for (j = 0; j < w; j++) {
                int j0, j1, sj = win3(j, w, &j0, &j1), b;
                float *q = PIX(dx, cb, hw, i * w + j);
                v16f s = {0};
                if (acc)
                    s = LD16(q);
                if (si * sj == 9) /* inside: no variable-length loops */
                    for (a = 0; a < 3; a++) {
                        const float *r = rows[a] + (size_t)j0 * B;
                        s += LD16(r);
                        s += LD16(r + B);
                        s += LD16(r + 2 * B);
                    }
                else
                    for (a = 0; a < si; a++)
                        for (b = j0; b <= j1; b++)
                            s += LD16(rows[a] + (size_t)b * B);
                ST(q, s);
            }
        }
    }
}

JAHS_CLONES
void jahs_b16_avgpool2_forward(int c, int h, int w, const float *x, float *y,
                               int acc)
{
    int cb, i, j, ho = h / 2, wo = w / 2;
    for (cb = 0; cb < c / B; cb++)
        for (i = 0; i < ho; i++)
            for (j = 0; j < wo; j++) {
                const float *r = PIX(x, cb, h * w, 2 * i * w + 2 * j);
                float *q = PIX(y, cb, ho * wo, i * wo + j);
                v16f v = (LD16(r) + LD16(r + B) + LD16(r + (size_t)w * B) +
                          LD16(r + (size_t)(w + 1) * B)) *
                         0.25f;
                PUT(q, v, acc);
            }
}

JAHS_CLONES
void jahs_b16_avgpool2_backward(int c, int h, int w, const float *dy,
                                float *dx, int acc)
{
    int cb, i, j, ho = h / 2, wo = w / 2;
    if (!acc)
        memset(dx, 0, (size_t)c * h * w * sizeof *dx);
    for (cb = 0; cb < c / B; cb++)
        for (i = 0; i < ho; i++)
            for (j = 0; j < wo; j++) {
                v16f v = LD16(PIX(dy, cb, ho * wo, i * wo + j)) * 0.25f;
                float *r = PIX(dx, cb, h * w, 2 * i * w + 2 * j);
                float *s = r + (size_t)w * B;
                ST(r, LD16(r) + v);
                ST(r + B, LD16(r + B) + v);
                ST(s, LD16(s) + v);
                ST(s + B, LD16(s + B) + v);
            }
}

JAHS_CLONES
void jahs_b16_gap_forward(int c, int hw, const float *x, float *y, int acc)
{
    int cb, j;
    for (cb = 0; cb < c / B; cb++) {
        /* one double chain per channel, pixels in order, as pooling.c */
        v8d s0 = {0}, s1 = {0};
        v8f r0, r1;
        for (j = 0; j < hw; j++) {
            const float *p = PIX(x, cb, hw, j);
            s0 += CVT(LD8(p));
            s1 += CVT(LD8(p + 8));
        }
        r0 = __builtin_convertvector(s0 / (double)hw, v8f);
        r1 = __builtin_convertvector(s1 / (double)hw, v8f);
        if (acc) {
            r0 = LD8(y + cb * B) + r0;
            r1 = LD8(y + cb * B + 8) + r1;
        }
        ST(y + cb * B, r0);
        ST(y + cb * B + 8, r1);
    }
}

JAHS_CLONES
void jahs_b16_gap_backward(int c, int hw, const float *dy, float *dx, int acc)
{
    int cb, j;
    for (cb = 0; cb < c / B; cb++) {
        v16f v = LD16(dy + cb * B) / (float)hw;
        for (j = 0; j < hw; j++) {
            PUT(PIX(dx, cb, hw, j), v, acc);
        }
    }
}
