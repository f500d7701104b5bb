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
 * multiply-add the NCHW kernel rounds twice).  The kernels whose code does
 * not depend on the block width (BN's part rows, apply and dx, the pools,
 * the GAP's backward) are bops_impl.h's template; this file has batch
 * norm's sums and the GAP's forward, whose double vectors do, and the
 * reorders.  BN's sums
 * keep batchnorm.c's order by other means than its loops: sums() puts
 * element j of a channel's run of hw values into double chain j mod 16 and
 * folds the 16 chains pairwise; here each chain is kept per channel, 16
 * chains x 8 channels, two chains at a time, chain k taking pixels k,
 * k + 16, ... in order, folded in the same pairwise order lane by lane.
 * Doubles are 4 to a vector (not 8 as in b16ops.c: see v4d).
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

#define B 8  /* channels per block */
#define L 16 /* batchnorm.c's chain count */

typedef float v8f __attribute__((vector_size(32)));
/* doubles four to a vector: 8 doubles as one 64-byte vector would be two
 * registers in the AVX2 clone, which GCC 12 keeps in memory, a store and a
 * reload per add */
typedef double v4d __attribute__((vector_size(32)));

/* 8 floats (bops_impl.h's BOPS_LD) or 4 doubles at p, any alignment; v
 * stored at p */
#define LD8(p) BOPS_LD(p)
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
/* below: chain k of channel l of one (image, block) run into a[k][l] and
 * b[k][l] (bops_impl.h's BOPS_CHAINS) */
__attribute__((always_inline)) inline static void
chains(const float *p, const float *g, const float *mean, const float *istd,
       int hw, double a[L][B], double b[L][B]);

/* the kernels whose code is the same at any block width: BN's part rows
 * (from chains()), apply and dx, the pools, the GAP's backward */
#define BOPS_B B
#define BOPS_FN(name) jahs_b8_##name
#define BOPS_LINK
#define BOPS_CLONES JAHS_CLONES
#define BOPS_CHAINS chains
#include "nn/bops_impl.h"

/* ---- batch norm's sums ------------------------------------------------------ */

/* pixels per tile of chains() (a multiple of L): 2 KB of x (and of dy), in
 * L1 for the eight passes over it (measured, AVX2 build at n = 256 on the
 * NB201 shapes: 64 beat 32, 48, 80, 96, 128 ... 1024, by up to 1.3x at
 * hw = 1024) */
#define TILE 64

/*
 * One (image, block) run, p: hw x 8.  a[k][l], b[k][l]: chain k of
 * channel l, fed pixels j = k, k + 16, ... in order.  Without g (the
 * forward's sums): a = sum x, b = sum x^2; with g (dy, the backward's
 * dsums): a = sum dy, b = sum dy xhat, xhat = (x - mean) istd in float, then
 * widened.  Two chains at a time (8 vectors of 4 doubles: half of AVX2's 16
 * registers, 8 independent sums in flight), in eight passes over a tile of
 * TILE pixels before the next tile.
 */
BOPS_INLINE static void chains(const float *p, const float *g,
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

/* ---- the GAP's forward ---------------------------------------------------- */

JAHS_CLONES
void jahs_b8_gap_forward(int c, int hw, const float *x, float *y, int acc)
{
    int cb, j;
    for (cb = 0; cb < c / B; cb++) {
        /* one double chain per channel, pixels in order, as pooling.c */
        v4d s0 = {0}, s1 = {0};
        v8f r;
        for (j = 0; j < hw; j++) {
            v8f v = LD8(BOPS_PIX(x, cb, hw, j));
            s0 += LO(v);
            s1 += HI(v);
        }
        s0 /= (double)hw;
        s1 /= (double)hw;
        r = (v8f){(float)s0[0], (float)s0[1], (float)s0[2], (float)s0[3],
                  (float)s1[0], (float)s1[1], (float)s1[2], (float)s1[3]};
        BOPS_PUT(y + cb * B, r, acc);
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
