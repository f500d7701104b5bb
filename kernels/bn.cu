/*
 * bn.cu - batch normalisation in training and evaluation mode
 * (src/nn/batchnorm.c; PyTorch's BatchNorm2d: eps 1e-5, momentum 0.1,
 * biased variance to normalise, unbiased in the running estimate).
 *
 * A channel's statistics are sums over its m = n h w values, taken in two
 * deterministic steps: partial sums (double) over fixed chunks
 * (jahs_k_bn_chunks: a function of the shape only), then, one thread per
 * channel, the chunks in order.  The per-channel coefficients then turn the
 * normalisation into one multiply-add per element; they are computed with
 * the CPU's float operations (unfused), so given the same mean and istd the
 * outputs are the CPU's bits.
 *
 * Two partial-sum kernels: NCHW (a block per (chunk, channel), contiguous
 * rows), and NHWC with a power-of-two channel count up to 256 (a block per
 * chunk of pixels, a thread per (channel, lane), so a warp reads
 * consecutive channels); other NHWC shapes use the first kernel's
 * per-channel blocks with strided reads.
 */
#include "common.cuh"

using namespace jk;

#define BN_EPS 1e-5f
#define BN_MOMENTUM 0.1f

static int lane_kernel(const jahs_kshape *t)
{
    return t->nhwc && t->c <= JK_THREADS && (t->c & (t->c - 1)) == 0;
}

extern "C" int jahs_k_bn_chunks(const jahs_kshape *t)
{
    size_t m = (size_t)t->n * t->h * t->w, p;
    if (lane_kernel(t)) {
        p = m * (size_t)t->c / 16384;
        return (int)(p < 1 ? 1 : p > 1024 ? 1024 : p);
    }
    p = m / 4096;
    return (int)(p < 1 ? 1 : p > 64 ? 64 : p);
}

/* Sum a[tid], b[tid] over the block (power-of-two blockDim) into [0]. */
__device__ void block_sum2(double *a, double *b)
{
    for (int o = blockDim.x / 2; o > 0; o /= 2) {
        __syncthreads();
        if ((int)threadIdx.x < o) {
            a[threadIdx.x] += a[threadIdx.x + o];
            b[threadIdx.x] += b[threadIdx.x + o];
        }
    }
    __syncthreads();
}

/*
 * Per (chunk, channel) block: mode 0 sums x and x^2; mode 1 sums dy and
 * dy xhat with xhat = (x - mean) istd (the CPU's float expression).
 */
template <typename T, bool NHWC>
__global__ void stats_k(int N, int C, int HW, int P, const T *x, const T *dy,
                        const float *save, double *partial, int mode)
{
    __shared__ double sa[JK_THREADS], sb[JK_THREADS];
    const int p = blockIdx.x, c = blockIdx.y;
    const size_t m = (size_t)N * HW;
    const size_t lo = m * p / P, hi = m * (p + 1) / P;
    float mean = 0.0f, istd = 0.0f;
    double a = 0.0, b = 0.0;
    if (mode) {
        mean = save[c];
        istd = save[C + c];
    }
    for (size_t e = lo + threadIdx.x; e < hi; e += blockDim.x) {
        size_t n = e / HW, s = e % HW;
        size_t o = NHWC ? (n * HW + s) * C + c : (n * C + c) * HW + s;
        float v = ld(x, o);
        if (mode) {
            float g = ld(dy, o);
            a += g;
            b += (double)g * __fmul_rn(__fsub_rn(v, mean), istd);
        } else {
            a += v;
            b += (double)v * v;
        }
    }
    sa[threadIdx.x] = a;
    sb[threadIdx.x] = b;
    block_sum2(sa, sb);
    if (threadIdx.x == 0) {
        partial[((size_t)c * P + p) * 2] = sa[0];
        partial[((size_t)c * P + p) * 2 + 1] = sb[0];
    }
}

/* NHWC, C a power of two <= 256: a block per chunk of pixels. */
template <typename T>
__global__ void stats_lane_k(int N, int C, int HW, int P, const T *x,
                             const T *dy, const float *save, double *partial,
                             int mode)
{
    __shared__ double sa[JK_THREADS], sb[JK_THREADS];
    const int c = threadIdx.x % C, lanes = JK_THREADS / C;
    const int lane = threadIdx.x / C, p = blockIdx.x;
    const size_t m = (size_t)N * HW;
    const size_t lo = m * p / P, hi = m * (p + 1) / P;
    float mean = 0.0f, istd = 0.0f;
    double a = 0.0, b = 0.0;
    if (mode) {
        mean = save[c];
        istd = save[C + c];
    }
    for (size_t q = lo + lane; q < hi; q += lanes) {
        size_t o = q * C + c;
        float v = ld(x, o);
        if (mode) {
            float g = ld(dy, o);
            a += g;
            b += (double)g * __fmul_rn(__fsub_rn(v, mean), istd);
        } else {
            a += v;
            b += (double)v * v;
        }
    }
    sa[threadIdx.x] = a;
    sb[threadIdx.x] = b;
    /* fold the lanes of each channel: thread t += thread t + o C */
    for (int o = lanes / 2; o > 0; o /= 2) {
        __syncthreads();
        if (lane < o) {
            sa[threadIdx.x] += sa[threadIdx.x + o * C];
            sb[threadIdx.x] += sb[threadIdx.x + o * C];
        }
    }
    __syncthreads();
    if (lane == 0) {
        partial[((size_t)c * P + p) * 2] = sa[c];
        partial[((size_t)c * P + p) * 2 + 1] = sb[c];
    }
}

template <typename T, bool NHWC>
static int stats_t(const jahs_kshape *t, const void *x, const void *dy,
                   const float *save, double *partial, int mode,
                   cudaStream_t s)
{
    int P = jahs_k_bn_chunks(t), hw = t->h * t->w;
    if (lane_kernel(t)) {
        stats_lane_k<T><<<(unsigned)P, JK_THREADS, 0, s>>>(
            t->n, t->c, hw, P, (const T *)x, (const T *)dy, save, partial,
            mode);
    } else {
        dim3 grid((unsigned)P, (unsigned)t->c);
        stats_k<T, NHWC><<<grid, JK_THREADS, 0, s>>>(
            t->n, t->c, hw, P, (const T *)x, (const T *)dy, save, partial,
            mode);
    }
    return launched();
}

extern "C" int jahs_k_bn_stats(const jahs_kshape *t, const void *x,
                               double *partial, cudaStream_t s)
{
    return JK_DISPATCH(t, stats_t, t, x, (const void *)NULL,
                       (const float *)NULL, partial, 0, s);
}

extern "C" int jahs_k_bn_bwd_stats(const jahs_kshape *t, const void *x,
                                   const void *dy, const float *save,
                                   double *partial, cudaStream_t s)
{
    return JK_DISPATCH(t, stats_t, t, x, dy, save, partial, 1, s);
}

/* jahs_bn_forward_train's per-channel arithmetic. */
__global__ void finish_k(int C, int P, double m, const double *partial,
                         const float *gamma, const float *beta, float *save,
                         float *run, float *coef)
{
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    double sum = 0.0, ss = 0.0, mean, var;
    float fm, istd, scale;
    if (c >= C)
        return;
    for (int p = 0; p < P; p++) {
        sum += partial[((size_t)c * P + p) * 2];
        ss += partial[((size_t)c * P + p) * 2 + 1];
    }
    mean = sum / m;
    ss -= sum * mean;
    if (ss < 0.0)
        ss = 0.0;
    var = ss / m;
    fm = (float)mean;
    istd = (float)(1.0 / sqrt(var + (double)BN_EPS));
    scale = __fmul_rn(gamma[c], istd);
    save[c] = fm;
    save[C + c] = istd;
    coef[c] = scale;
    coef[C + c] = __fsub_rn(beta[c], __fmul_rn(fm, scale));
    if (run) {
        double unbiased = m > 1.0 ? ss / (m - 1.0) : var;
        run[c] = __fadd_rn(__fmul_rn(1.0f - BN_MOMENTUM, run[c]),
                           __fmul_rn(BN_MOMENTUM, fm));
        run[C + c] = __fadd_rn(__fmul_rn(1.0f - BN_MOMENTUM, run[C + c]),
                               __fmul_rn(BN_MOMENTUM, (float)unbiased));
    }
}

extern "C" int jahs_k_bn_finish(const jahs_kshape *t, const double *partial,
                                const float *gamma, const float *beta,
                                float *save, float *run, float *coef,
                                cudaStream_t s)
{
    int P = jahs_k_bn_chunks(t);
    double m = (double)t->n * t->h * t->w;
    finish_k<<<(unsigned)((t->c + 63) / 64), 64, 0, s>>>(
        t->c, P, m, partial, gamma, beta, save, run, coef);
    return launched();
}

/* jahs_bn_forward_eval's coefficients. */
__global__ void eval_coef_k(int C, const float *gamma, const float *beta,
                            const float *run, float *coef)
{
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= C)
        return;
    float istd = (float)(1.0 / sqrt((double)run[C + c] + (double)BN_EPS));
    float scale = __fmul_rn(gamma[c], istd);
    coef[c] = scale;
    coef[C + c] = __fsub_rn(beta[c], __fmul_rn(run[c], scale));
}

extern "C" int jahs_k_bn_eval_coef(int c, const float *gamma,
                                   const float *beta, const float *run,
                                   float *coef, cudaStream_t s)
{
    eval_coef_k<<<(unsigned)((c + 63) / 64), 64, 0, s>>>(c, gamma, beta, run,
                                                          coef);
    return launched();
}

template <typename T, bool NHWC>
__global__ void apply_k(int N, int C, int HW, const T *x, T *y, int acc,
                        const float *coef)
{
    const size_t total = (size_t)N * C * HW;
    JK_LOOP(e, total)
    {
        int c = NHWC ? (int)(e % C) : (int)(e / HW % C);
        put(y, e, __fadd_rn(__fmul_rn(ld(x, e), coef[c]), coef[C + c]), acc);
    }
}

template <typename T, bool NHWC>
static int apply_t(const jahs_kshape *t, const void *x, void *y, int acc,
                   const float *coef, cudaStream_t s)
{
    size_t total = (size_t)t->n * t->c * t->h * t->w;
    apply_k<T, NHWC><<<blocks_for(total), JK_THREADS, 0, s>>>(
        t->n, t->c, t->h * t->w, (const T *)x, (T *)y, acc, coef);
    return launched();
}

extern "C" int jahs_k_bn_apply(const jahs_kshape *t, const void *x, void *y,
                               int acc, const float *coef, cudaStream_t s)
{
    return JK_DISPATCH(t, apply_t, t, x, y, acc, coef, s);
}

/* jahs_bn_backward's per-channel arithmetic: dgamma, dbeta, k1, k2, k3. */
__global__ void bwd_finish_k(int C, int P, double m, const double *partial,
                             const float *gamma, const float *save,
                             float *dgamma, float *dbeta, float *coef)
{
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    double sdy = 0.0, sdyx = 0.0;
    if (c >= C)
        return;
    for (int p = 0; p < P; p++) {
        sdy += partial[((size_t)c * P + p) * 2];
        sdyx += partial[((size_t)c * P + p) * 2 + 1];
    }
    dgamma[c] = (float)sdyx;
    dbeta[c] = (float)sdy;
    coef[c] = __fmul_rn(gamma[c], save[C + c]);
    coef[C + c] = (float)(sdy / m);
    coef[2 * C + c] = (float)(sdyx / m);
}

extern "C" int jahs_k_bn_bwd_finish(const jahs_kshape *t,
                                    const double *partial, const float *gamma,
                                    const float *save, float *dgamma,
                                    float *dbeta, float *coef, cudaStream_t s)
{
    int P = jahs_k_bn_chunks(t);
    double m = (double)t->n * t->h * t->w;
    bwd_finish_k<<<(unsigned)((t->c + 63) / 64), 64, 0, s>>>(
        t->c, P, m, partial, gamma, save, dgamma, dbeta, coef);
    return launched();
}

template <typename T, bool NHWC>
__global__ void bwd_apply_k(int N, int C, int HW, const T *x, const T *dy,
                            T *dx, int acc, const float *save,
                            const float *coef)
{
    const size_t total = (size_t)N * C * HW;
    JK_LOOP(e, total)
    {
        int c = NHWC ? (int)(e % C) : (int)(e / HW % C);
        float xh = __fmul_rn(__fsub_rn(ld(x, e), save[c]), save[C + c]);
        float v = __fmul_rn(coef[c],
                            __fsub_rn(__fsub_rn(ld(dy, e), coef[C + c]),
                                      __fmul_rn(xh, coef[2 * C + c])));
        put(dx, e, v, acc);
    }
}

template <typename T, bool NHWC>
static int bwd_apply_t(const jahs_kshape *t, const void *x, const void *dy,
                       void *dx, int acc, const float *save,
                       const float *coef, cudaStream_t s)
{
    size_t total = (size_t)t->n * t->c * t->h * t->w;
    bwd_apply_k<T, NHWC><<<blocks_for(total), JK_THREADS, 0, s>>>(
        t->n, t->c, t->h * t->w, (const T *)x, (const T *)dy, (T *)dx, acc,
        save, coef);
    return launched();
}

extern "C" int jahs_k_bn_bwd_apply(const jahs_kshape *t, const void *x,
                                   const void *dy, void *dx, int acc,
                                   const float *save, const float *coef,
                                   cudaStream_t s)
{
    return JK_DISPATCH(t, bwd_apply_t, t, x, dy, dx, acc, save, coef, s);
}
