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

/* *s1 += sum p[j], *s2 += sum p[j]^2 over j < n. */
JAHS_INLINE static void sums(const float *p, int n, double *s1, double *s2)
{
    double a[L] = {0}, b[L] = {0};
    int j = 0, k;
    for (; j + L <= n; j += L)
        for (k = 0; k < L; k++) {
            double v = p[j + k];
            a[k] += v;
            b[k] += v * v;
        }
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
    for (; j + L <= n; j += L)
        for (k = 0; k < L; k++) {
            a[k] += g[j + k];
            b[k] += (double)g[j + k] * ((p[j + k] - mean) * istd);
        }
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
