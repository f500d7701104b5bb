/*
 * head.cu - the classifier and the loss (src/nn/linear.c, loss.c):
 * PyTorch's Linear (y = x W^T + b) forward and backward with one thread
 * per output element (the head is a few hundred inputs by a hundred
 * classes: latency, not arithmetic), and softmax cross-entropy with mean
 * reduction (log-sum-exp shifted by the row maximum, in double as on the
 * CPU), summed over the batch in a fixed order.
 */
#include "common.cuh"

using namespace jk;

template <typename T>
__global__ void linear_k(int n, int in, int out, const T *x, const float *w,
                         const float *b, T *y)
{
    JK_LOOP(e, (size_t)n * out)
    {
        int r = (int)(e / out), o = (int)(e % out);
        float s = 0.0f;
        for (int i = 0; i < in; i++)
            s = fmaf(ld(x, (size_t)r * in + i), w[(size_t)o * in + i], s);
        st(y, e, __fadd_rn(b[o], s));
    }
}

/* dW (out x in) = dy^T x */
template <typename T>
__global__ void linear_dw_k(int n, int in, int out, const T *x, const T *dy,
                            float *dw)
{
    JK_LOOP(e, (size_t)out * in)
    {
        int o = (int)(e / in), i = (int)(e % in);
        float s = 0.0f;
        for (int r = 0; r < n; r++)
            s = fmaf(ld(dy, (size_t)r * out + o), ld(x, (size_t)r * in + i),
                     s);
        dw[e] = s;
    }
}

template <typename T>
__global__ void linear_db_k(int n, int out, const T *dy, float *db)
{
    JK_LOOP(o, (size_t)out)
    {
        double s = 0.0;
        for (int r = 0; r < n; r++)
            s += ld(dy, (size_t)r * out + o);
        db[o] = (float)s;
    }
}

/* dx (n x in) (+)= dy W */
template <typename T>
__global__ void linear_dx_k(int n, int in, int out, const float *w,
                            const T *dy, T *dx, int acc)
{
    JK_LOOP(e, (size_t)n * in)
    {
        int r = (int)(e / in), i = (int)(e % in);
        float s = 0.0f;
        for (int o = 0; o < out; o++)
            s = fmaf(ld(dy, (size_t)r * out + o), w[(size_t)o * in + i], s);
        put(dx, e, s, acc);
    }
}

template <typename T>
static int linear_t(int n, int in, int out, const void *x, const float *w,
                    const float *b, void *y, cudaStream_t s)
{
    linear_k<T><<<blocks_for((size_t)n * out), JK_THREADS, 0, s>>>(
        n, in, out, (const T *)x, w, b, (T *)y);
    return launched();
}

template <typename T>
static int linear_bwd_t(int n, int in, int out, const void *x, const float *w,
                        const void *dy, void *dx, int acc, float *dw,
                        float *db, cudaStream_t s)
{
    int rc;
    linear_dw_k<T><<<blocks_for((size_t)out * in), JK_THREADS, 0, s>>>(
        n, in, out, (const T *)x, (const T *)dy, dw);
    if ((rc = launched()))
        return rc;
    linear_db_k<T><<<blocks_for((size_t)out), JK_THREADS, 0, s>>>(
        n, out, (const T *)dy, db);
    if ((rc = launched()) || !dx)
        return rc;
    linear_dx_k<T><<<blocks_for((size_t)n * in), JK_THREADS, 0, s>>>(
        n, in, out, w, (const T *)dy, (T *)dx, acc);
    return launched();
}

extern "C" int jahs_k_linear(int dt, int n, int in, int out, const void *x,
                             const float *w, const float *b, void *y,
                             cudaStream_t s)
{
    return JK_DISPATCH_T(dt, linear_t, n, in, out, x, w, b, y, s);
}

extern "C" int jahs_k_linear_bwd(int dt, int n, int in, int out,
                                 const void *x, const float *w, const void *dy,
                                 void *dx, int acc, float *dw, float *db,
                                 cudaStream_t s)
{
    return JK_DISPATCH_T(dt, linear_bwd_t, n, in, out, x, w, dy, dx, acc, dw,
                         db, s);
}

/* ---- softmax cross-entropy ------------------------------------------------ */

/* One warp per row: arg-max (first on ties), log-sum-exp, gradient. */
template <typename T>
__global__ void ce_rows_k(int n, int k, const T *z, const uint8_t *labels,
                          T *dz, double *rows)
{
    int r = (int)((blockIdx.x * blockDim.x + threadIdx.x) / 32);
    int lane = threadIdx.x % 32, arg = -1, y;
    float best = 0.0f;
    double s = 0.0, lse;
    if (r >= n)
        return;
    const T *row = z + (size_t)r * k;
    for (int j = lane; j < k; j += 32) {
        float v = ld(row, j);
        if (arg < 0 || v > best) {
            best = v;
            arg = j;
        }
    }
    for (int o = 16; o > 0; o /= 2) {
        float ob = __shfl_down_sync(0xffffffffu, best, o);
        int oa = __shfl_down_sync(0xffffffffu, arg, o);
        if (oa >= 0 && (arg < 0 || ob > best || (ob == best && oa < arg))) {
            best = ob;
            arg = oa;
        }
    }
    arg = __shfl_sync(0xffffffffu, arg, 0);
    best = __shfl_sync(0xffffffffu, best, 0);
    for (int j = lane; j < k; j += 32)
        s += exp((double)ld(row, j) - (double)best);
    for (int o = 16; o > 0; o /= 2)
        s += __shfl_down_sync(0xffffffffu, s, o);
    s = __shfl_sync(0xffffffffu, s, 0);
    lse = (double)best + log(s);
    y = labels[r];
    if (dz)
        for (int j = lane; j < k; j += 32)
            st(dz, (size_t)r * k + j,
               (float)((exp((double)ld(row, j) - lse) - (j == y ? 1.0 : 0.0)) /
                       n));
    if (lane == 0) {
        rows[2 * r] = lse - (double)ld(row, y);
        rows[2 * r + 1] = arg == y ? 1.0 : 0.0;
    }
}

/* One block: the batch's sums in a fixed order. */
__global__ void ce_sum_k(int n, const double *rows, double *out)
{
    __shared__ double sl[JK_THREADS], sh[JK_THREADS];
    double l = 0.0, h = 0.0;
    for (int r = threadIdx.x; r < n; r += blockDim.x) {
        l += rows[2 * r];
        h += rows[2 * r + 1];
    }
    sl[threadIdx.x] = l;
    sh[threadIdx.x] = h;
    for (int o = blockDim.x / 2; o > 0; o /= 2) {
        __syncthreads();
        if ((int)threadIdx.x < o) {
            sl[threadIdx.x] += sl[threadIdx.x + o];
            sh[threadIdx.x] += sh[threadIdx.x + o];
        }
    }
    if (threadIdx.x == 0) {
        double mean = n > 0 ? sl[0] / n : 0.0;
        out[0] = mean;
        out[1] = sh[0];
        out[2] += mean * n;
        out[3] += sh[0];
    }
}

template <typename T>
static int ce_t(int n, int k, const void *z, const uint8_t *labels, void *dz,
                double *rows, double *out, cudaStream_t s)
{
    int rc;
    ce_rows_k<T><<<(unsigned)((n + 7) / 8), JK_THREADS, 0, s>>>(
        n, k, (const T *)z, labels, (T *)dz, rows);
    if ((rc = launched()))
        return rc;
    ce_sum_k<<<1, JK_THREADS, 0, s>>>(n, rows, out);
    return launched();
}

extern "C" int jahs_k_softmax_ce(int dt, int n, int k, const void *logits,
                                 const uint8_t *labels, void *dlogits,
                                 double *rows, double *out, cudaStream_t s)
{
    return JK_DISPATCH_T(dt, ce_t, n, k, logits, labels, dlogits, rows, out,
                         s);
}
