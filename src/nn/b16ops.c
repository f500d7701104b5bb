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
 * them.  Only the sums (chains) and the GAP's forward are this file's own;
 * the rest is bops_impl.h's template, shared with b8ops.c.  A vector is 64 bytes: tensors 64-byte aligned (as net.c allocates
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
#define LD8(p) LD(v8f, p)
#define LD8D(p) LD(v8d, p)
/* 8 floats widened to double.  Element by element, because GCC 12 lowers
 * __builtin_convertvector(v8f -> v8d) to two 4-wide converts, an extract
 * and an insert even for AVX-512, where this is one vcvtps2pd. */
#define CVT(v) (__extension__({                                                \
    v8f c_ = (v);                                                              \
    (v8d){c_[0], c_[1], c_[2], c_[3], c_[4], c_[5], c_[6], c_[7]};             \
}))
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

/* the kernels whose code is the same for any block (BN's part rows from
 * chains() above, apply, dx, the pools, the GAP's backward): bops_impl.h,
 * which b8ops.c instantiates too */
#define BOPS_B B
#define BOPS_FN(name) jahs_b16_##name
#define BOPS_LINK
#define BOPS_CLONES JAHS_CLONES
#define BOPS_CHAINS chains
#include "nn/bops_impl.h"

/* the GAP's forward: its double vectors depend on the block */
JAHS_CLONES
void jahs_b16_gap_forward(int c, int hw, const float *x, float *y, int acc)
{
    int cb, j;
    for (cb = 0; cb < c / B; cb++) {
        /* one double chain per channel, pixels in order, as pooling.c */
        v8d s0 = {0}, s1 = {0};
        v8f r0, r1;
        for (j = 0; j < hw; j++) {
            const float *p = BOPS_PIX(x, cb, hw, j);
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
