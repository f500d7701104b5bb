/*
 * batchnorm.c - batch normalisation (Ioffe & Szegedy 2015) one channel at a
 * time over the batch, PyTorch's BatchNorm2d semantics: training mode
 * normalises with the batch mean and biased variance, and moves the running
 * mean and the unbiased running variance with momentum 0.1; evaluation mode
 * uses the running statistics.  Sums are accumulated in double so that the
 * statistics do not depend on the batch size's rounding; the order of
 * summation is fixed (image by image), so results are deterministic.
 */
#include "nn/layers.h"

#include <math.h>
#include <string.h>

/* AVX2 and AVX-512 clones of the two hot kernels, chosen at load time
 * (GCC's target_clones, an ifunc): the build stays portable x86-64, and the
 * results are the same bits on every clone (the 16 double chains below are
 * the vector lanes, whatever their width; -std=c11 turns off FMA
 * contraction, so no clone fuses a multiply-add the baseline rounds
 * twice). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
#define JAHS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define JAHS_CLONES
#endif
/* the sums must be inlined into each clone to be compiled for its ISA */
#if defined(__GNUC__)
#define JAHS_INLINE __attribute__((always_inline)) inline
#else
#define JAHS_INLINE inline
#endif

#define AT(d, x, i, ch) ((x) + ((size_t)(i) * (d)->c + (ch)) * (d)->hw)

/* The sums below keep L = 16 independent partial sums in double, a fixed
 * order (so deterministic): element j goes to chain j mod 16 (of each
 * image's run), the chains are folded pairwise at the end.  16 chains so
 * that the vector adds overlap instead of waiting on each other's latency
 * (4 chains held BN to ~1 element per cycle, 18 % of the NB201 step). */
#define L 16

static double fold(double *a)
{
    int w, k;
    for (w = L / 2; w >= 1; w /= 2)
        for (k = 0; k < w; k++)
            a[k] += a[k + w];
    return a[0];
}

/*
 * The 16 chains as two vectors of 8 doubles each (GCC's vector extensions:
 * one register per vector in the AVX-512 clone, two in the AVX2 one, four
 * in the baseline SSE2 one).  Lane k of lo / hi is chain k / 8 + k: the
 * same additions in the same order as sixteen scalar chains, so the same
 * bits, but the compiler need not find the vectors itself (its SLP
 * vectoriser split the 16 chains into 8 + 4 + 2 + 1 + 1 lanes with stack
 * spills, which held the sums to ~1.5 cycles per element).
 */
#if defined(__GNUC__)
#define JAHS_VEC 1
typedef double v8d __attribute__((vector_size(64)));
typedef float v8f __attribute__((vector_size(32)));
/* 8 floats from p (any alignment) */
#define LD8F(p) (__extension__({                                              \
    v8f v_;                                                                    \
    memcpy(&v_, (p), sizeof v_);                                               \
    v_;                                                                        \
}))
/* widened element by element: GCC 12 lowers __builtin_convertvector(v8f ->
 * v8d) to two 4-wide converts, an extract and an insert even for AVX-512,
 * where this is one vcvtps2pd (the same values either way) */
#define CVT8(v) (__extension__({                                              \
    v8f c_ = (v);                                                              \
    (v8d){c_[0], c_[1], c_[2], c_[3], c_[4], c_[5], c_[6], c_[7]};             \
}))
#define ST8D(dst, v) memcpy((dst), &(v), sizeof(v))
#else
#define JAHS_VEC 0
#endif

/* *s1 += sum p[j], *s2 += sum p[j]^2 over j < n. */
JAHS_INLINE static void sums(const float *p, int n, double *s1, double *s2)
{
    double a[L] = {0}, b[L] = {0};
    int j = 0, k;
#if JAHS_VEC
    if (n >= L) {
        v8d a0 = {0}, a1 = {0}, b0 = {0}, b1 = {0};
        for (; j + L <= n; j += L) {
            v8d v0 = CVT8(LD8F(p + j)), v1 = CVT8(LD8F(p + j + 8));
            a0 += v0;
            a1 += v1;
            b0 += v0 * v0;
            b1 += v1 * v1;
        }
        ST8D(a, a0);
        ST8D(a + 8, a1);
        ST8D(b, b0);
        ST8D(b + 8, b1);
    }
#else
    for (; j + L <= n; j += L)
        for (k = 0; k < L; k++) {
            double v = p[j + k];
            a[k] += v;
            b[k] += v * v;
        }
#endif
    for (k = 0; j < n; j++, k++) {
        double v = p[j];
        a[k] += v;
        b[k] += v * v;
    }
    *s1 += fold(a);
    *s2 += fold(b);
}

/* *s1 += sum g[j], *s2 += sum g[j] (p[j] - mean) istd, likewise. */
JAHS_INLINE static void dsums(const float *g, const float *p, int n,
                              float mean, float istd, double *s1, double *s2)
{
    double a[L] = {0}, b[L] = {0};
    int j = 0, k;
#if JAHS_VEC
    if (n >= L) {
        v8d a0 = {0}, a1 = {0}, b0 = {0}, b1 = {0};
        for (; j + L <= n; j += L) {
            v8d g0 = CVT8(LD8F(g + j)), g1 = CVT8(LD8F(g + j + 8));
            /* xhat in float, then widened: as the scalar code rounds it */
            v8d x0 = CVT8((LD8F(p + j) - mean) * istd);
            v8d x1 = CVT8((LD8F(p + j + 8) - mean) * istd);
            a0 += g0;
            a1 += g1;
            b0 += g0 * x0;
            b1 += g1 * x1;
        }
        ST8D(a, a0);
        ST8D(a + 8, a1);
        ST8D(b, b0);
        ST8D(b + 8, b1);
    }
#else
    for (; j + L <= n; j += L)
        for (k = 0; k < L; k++) {
            a[k] += g[j + k];
            b[k] += (double)g[j + k] * ((p[j + k] - mean) * istd);
        }
#endif
    for (k = 0; j < n; j++, k++) {
        a[k] += g[j];
        b[k] += (double)g[j] * ((p[j] - mean) * istd);
    }
    *s1 += fold(a);
    *s2 += fold(b);
}

JAHS_CLONES
void jahs_bn_forward_train(const jahs_bn_dims *d, int ch, const float *x,
                           float gamma, float beta, float *y, int acc,
                           float *save_mean, float *save_istd, float *run_mean,
                           float *run_var)
{
    const double m = (double)d->n * d->hw;
    double sum = 0.0, ss = 0.0, mean, var;
    float fm, istd, scale, shift;
    int i, j;
    /* one pass: sum and sum of squares in double (float data: no
     * cancellation unless |mean| / std exceeds ~1e6) */
    for (i = 0; i < d->n; i++)
        sums(AT(d, x, i, ch), d->hw, &sum, &ss);
    mean = sum / m;
    ss -= sum * mean; /* sum of squared deviations */
    if (ss < 0.0)
        ss = 0.0;
    var = ss / m;
    fm = (float)mean;
    istd = (float)(1.0 / sqrt(var + (double)JAHS_BN_EPS));
    scale = gamma * istd;
    shift = beta - fm * scale;
    for (i = 0; i < d->n; i++) {
        const float *p = AT(d, x, i, ch);
        float *q = AT(d, y, i, ch);
        if (acc)
            for (j = 0; j < d->hw; j++)
                q[j] += p[j] * scale + shift;
        else
            for (j = 0; j < d->hw; j++)
                q[j] = p[j] * scale + shift;
    }
    if (save_mean)
        *save_mean = fm;
    if (save_istd)
        *save_istd = istd;
    if (run_mean && run_var) {
        double unbiased = m > 1.0 ? ss / (m - 1.0) : var;
        *run_mean = (1.0f - JAHS_BN_MOMENTUM) * *run_mean +
                    JAHS_BN_MOMENTUM * fm;
        *run_var = (1.0f - JAHS_BN_MOMENTUM) * *run_var +
                   JAHS_BN_MOMENTUM * (float)unbiased;
    }
}

void jahs_bn_forward_eval(const jahs_bn_dims *d, int ch, const float *x,
                          float gamma, float beta, float run_mean,
                          float run_var, float *y, int acc)
{
    float istd = (float)(1.0 / sqrt((double)run_var + (double)JAHS_BN_EPS));
    float scale = gamma * istd, shift = beta - run_mean * scale;
    int i, j;
    for (i = 0; i < d->n; i++) {
        const float *p = AT(d, x, i, ch);
        float *q = AT(d, y, i, ch);
        if (acc)
            for (j = 0; j < d->hw; j++)
                q[j] += p[j] * scale + shift;
        else
            for (j = 0; j < d->hw; j++)
                q[j] = p[j] * scale + shift;
    }
}

JAHS_CLONES
void jahs_bn_backward(const jahs_bn_dims *d, int ch, const float *x,
                      const float *dy, float gamma, float mean, float istd,
                      float *dx, int acc, float *dgamma, float *dbeta)
{
    const double m = (double)d->n * d->hw;
    double sdy = 0.0, sdyx = 0.0;
    float fg, fb, k1, k2, k3;
    int i, j;
    for (i = 0; i < d->n; i++)
        dsums(AT(d, dy, i, ch), AT(d, x, i, ch), d->hw, mean, istd, &sdy,
              &sdyx);
    fg = (float)sdyx;
    fb = (float)sdy;
    *dgamma = fg;
    *dbeta = fb;
    if (!dx)
        return;
    /* dx = gamma istd (dy - dbeta / m - xhat dgamma / m) */
    k1 = gamma * istd;
    k2 = (float)(sdy / m);
    k3 = (float)(sdyx / m);
    for (i = 0; i < d->n; i++) {
        const float *p = AT(d, x, i, ch), *g = AT(d, dy, i, ch);
        float *q = AT(d, dx, i, ch);
        for (j = 0; j < d->hw; j++) {
            float xh = (p[j] - mean) * istd;
            float v = k1 * (g[j] - k2 - xh * k3);
            if (acc)
                q[j] += v;
            else
                q[j] = v;
        }
    }
}

/*
 * The same training-mode forward and backward split into passes over
 * images instead of channels (what net.c runs): a task streams through a
 * contiguous range of images, all channels, instead of gathering one
 * channel's hw-float runs from every image (256-byte runs at 8 x 8, with a
 * 16 KB stride, defeat the prefetchers).  Every (image, channel) run gets
 * the same 16-chain sum as above, folded; the per-channel total adds those
 * folds in image order from 0.0, as jahs_bn_forward_train / backward do, so
 * the statistics and every output are the same bits.
 */
JAHS_CLONES
void jahs_bn_stats_part(const jahs_bn_dims *d, int i0, int i1, const float *x,
                        double *part)
{
    int i, ch;
    for (i = i0; i < i1; i++)
        for (ch = 0; ch < d->c; ch++) {
            double s1 = 0.0, s2 = 0.0;
            sums(AT(d, x, i, ch), d->hw, &s1, &s2);
            part[((size_t)i * d->c + ch) * 2] = s1;
            part[((size_t)i * d->c + ch) * 2 + 1] = s2;
        }
}

void jahs_bn_stats_finish(const jahs_bn_dims *d, int ch, const double *part,
                          float gamma, float beta, float *scale, float *shift,
                          float *save_mean, float *save_istd, float *run_mean,
                          float *run_var)
{
    const double m = (double)d->n * d->hw;
    double sum = 0.0, ss = 0.0, mean, var;
    float fm, istd;
    int i;
    for (i = 0; i < d->n; i++) {
        sum += part[((size_t)i * d->c + ch) * 2];
        ss += part[((size_t)i * d->c + ch) * 2 + 1];
    }
    mean = sum / m;
    ss -= sum * mean;
    if (ss < 0.0)
        ss = 0.0;
    var = ss / m;
    fm = (float)mean;
    istd = (float)(1.0 / sqrt(var + (double)JAHS_BN_EPS));
    *scale = gamma * istd;
    *shift = beta - fm * *scale;
    if (save_mean)
        *save_mean = fm;
    if (save_istd)
        *save_istd = istd;
    if (run_mean && run_var) {
        double unbiased = m > 1.0 ? ss / (m - 1.0) : var;
        *run_mean = (1.0f - JAHS_BN_MOMENTUM) * *run_mean +
                    JAHS_BN_MOMENTUM * fm;
        *run_var = (1.0f - JAHS_BN_MOMENTUM) * *run_var +
                   JAHS_BN_MOMENTUM * (float)unbiased;
    }
}

void jahs_bn_apply(const jahs_bn_dims *d, int i0, int i1, const float *x,
                   const float *scale, const float *shift, float *y, int acc)
{
    int i, ch, j;
    for (i = i0; i < i1; i++)
        for (ch = 0; ch < d->c; ch++) {
            const float *restrict p = AT(d, x, i, ch);
            float *restrict q = AT(d, y, i, ch);
            float sc = scale[ch], sh = shift[ch];
            if (acc)
                for (j = 0; j < d->hw; j++)
                    q[j] += p[j] * sc + sh;
            else
                for (j = 0; j < d->hw; j++)
                    q[j] = p[j] * sc + sh;
        }
}

JAHS_CLONES
void jahs_bn_dsums_part(const jahs_bn_dims *d, int i0, int i1, const float *x,
                        const float *dy, const float *mean, const float *istd,
                        double *part)
{
    int i, ch;
    for (i = i0; i < i1; i++)
        for (ch = 0; ch < d->c; ch++) {
            double s1 = 0.0, s2 = 0.0;
            dsums(AT(d, dy, i, ch), AT(d, x, i, ch), d->hw, mean[ch],
                  istd[ch], &s1, &s2);
            part[((size_t)i * d->c + ch) * 2] = s1;
            part[((size_t)i * d->c + ch) * 2 + 1] = s2;
        }
}

void jahs_bn_dsums_finish(const jahs_bn_dims *d, int ch, const double *part,
                          float *k2, float *k3, float *dgamma, float *dbeta)
{
    const double m = (double)d->n * d->hw;
    double sdy = 0.0, sdyx = 0.0;
    int i;
    for (i = 0; i < d->n; i++) {
        sdy += part[((size_t)i * d->c + ch) * 2];
        sdyx += part[((size_t)i * d->c + ch) * 2 + 1];
    }
    *dgamma = (float)sdyx;
    *dbeta = (float)sdy;
    *k2 = (float)(sdy / m);
    *k3 = (float)(sdyx / m);
}

void jahs_bn_dx(const jahs_bn_dims *d, int i0, int i1, const float *x,
                const float *dy, const float *gamma, const float *mean,
                const float *istd, const float *k2, const float *k3, float *dx,
                int acc)
{
    int i, ch, j;
    for (i = i0; i < i1; i++)
        for (ch = 0; ch < d->c; ch++) {
            const float *restrict p = AT(d, x, i, ch);
            const float *restrict g = AT(d, dy, i, ch);
            float *restrict q = AT(d, dx, i, ch);
            float mu = mean[ch], is = istd[ch];
            float c1 = gamma[ch] * is, c2 = k2[ch], c3 = k3[ch];
            if (acc)
                for (j = 0; j < d->hw; j++) {
                    float xh = (p[j] - mu) * is;
                    q[j] += c1 * (g[j] - c2 - xh * c3);
                }
            else
                for (j = 0; j < d->hw; j++) {
                    float xh = (p[j] - mu) * is;
                    q[j] = c1 * (g[j] - c2 - xh * c3);
                }
        }
}
