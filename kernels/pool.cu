/*
 * pool.cu - the average pools of the cell networks (src/nn/pooling.c):
 * NB201's avg_pool_3x3 (stride 1, padding 1, count_include_pad=False: the
 * divisor counts the window cells inside the image), the reduction block's
 * AvgPool2d(2, 2), and the global average pool.  Forward kernels sum in
 * the CPU's order; the backward kernels gather (one thread per input
 * element) instead of the CPU's scatter, so they need no atomics.
 */
#include "common.cuh"

using namespace jk;

/* Cells of a 3-wide window centred at i inside [0, n). */
__device__ __forceinline__ int span3(int i, int n)
{
    return 1 + (i > 0) + (i < n - 1);
}

template <typename T, bool NHWC>
__global__ void avgpool3_k(int N, int C, int H, int W, const T *x, T *y,
                           int acc)
{
    const size_t total = (size_t)N * C * H * W;
    JK_LOOP(e, total)
    {
        int n, c, i, j;
        coords<NHWC>(e, C, H, W, &n, &c, &i, &j);
        int i0 = i > 0 ? i - 1 : 0, i1 = i < H - 1 ? i + 1 : H - 1;
        int j0 = j > 0 ? j - 1 : 0, j1 = j < W - 1 ? j + 1 : W - 1;
        float s = 0.0f;
        for (int a = i0; a <= i1; a++)
            for (int b = j0; b <= j1; b++)
                s = __fadd_rn(s, ld(x, at<NHWC>(C, H, W, n, c, a, b)));
        put(y, e, __fdiv_rn(s, (float)(span3(i, H) * span3(j, W))), acc);
    }
}

template <typename T, bool NHWC>
__global__ void avgpool3_bwd_k(int N, int C, int H, int W, const T *dy, T *dx,
                               int acc)
{
    const size_t total = (size_t)N * C * H * W;
    JK_LOOP(e, total)
    {
        int n, c, i, j;
        coords<NHWC>(e, C, H, W, &n, &c, &i, &j);
        float s = 0.0f;
        /* the outputs whose window holds (i, j) */
        for (int a = i - 1; a <= i + 1; a++) {
            if (a < 0 || a >= H)
                continue;
            for (int b = j - 1; b <= j + 1; b++) {
                if (b < 0 || b >= W)
                    continue;
                s = __fadd_rn(s, __fdiv_rn(ld(dy, at<NHWC>(C, H, W, n, c, a, b)),
                                           (float)(span3(a, H) * span3(b, W))));
            }
        }
        put(dx, e, s, acc);
    }
}

template <typename T, bool NHWC>
__global__ void avgpool2_k(int N, int C, int H, int W, const T *x, T *y,
                           int acc)
{
    const int Ho = H / 2, Wo = W / 2;
    const size_t total = (size_t)N * C * Ho * Wo;
    JK_LOOP(e, total)
    {
        int n, c, i, j;
        coords<NHWC>(e, C, Ho, Wo, &n, &c, &i, &j);
        float r0 = ld(x, at<NHWC>(C, H, W, n, c, 2 * i, 2 * j));
        float r1 = ld(x, at<NHWC>(C, H, W, n, c, 2 * i, 2 * j + 1));
        float r2 = ld(x, at<NHWC>(C, H, W, n, c, 2 * i + 1, 2 * j));
        float r3 = ld(x, at<NHWC>(C, H, W, n, c, 2 * i + 1, 2 * j + 1));
        float v = __fmul_rn(__fadd_rn(__fadd_rn(__fadd_rn(r0, r1), r2), r3),
                            0.25f);
        put(y, e, v, acc);
    }
}

template <typename T, bool NHWC>
__global__ void avgpool2_bwd_k(int N, int C, int H, int W, const T *dy, T *dx,
                               int acc)
{
    const int Ho = H / 2, Wo = W / 2;
    const size_t total = (size_t)N * C * H * W;
    JK_LOOP(e, total)
    {
        int n, c, i, j;
        coords<NHWC>(e, C, H, W, &n, &c, &i, &j);
        float v = 0.0f;
        if (i / 2 < Ho && j / 2 < Wo)
            v = __fmul_rn(ld(dy, at<NHWC>(C, Ho, Wo, n, c, i / 2, j / 2)),
                          0.25f);
        put(dx, e, v, acc);
    }
}

/* NCHW: one warp per (image, channel), contiguous values. */
template <typename T>
__global__ void gap_nchw_k(int NC, int HW, const T *x, T *y, int acc)
{
    int warp = (int)((blockIdx.x * blockDim.x + threadIdx.x) / 32);
    int lane = threadIdx.x % 32;
    if (warp >= NC)
        return;
    const T *p = x + (size_t)warp * HW;
    double s = 0.0;
    for (int k = lane; k < HW; k += 32)
        s += ld(p, k);
    for (int o = 16; o > 0; o /= 2)
        s += __shfl_down_sync(0xffffffffu, s, o);
    if (lane == 0)
        put(y, warp, (float)(s / HW), acc);
}

/* NHWC: one thread per (image, channel), neighbours read neighbours. */
template <typename T>
__global__ void gap_nhwc_k(int N, int C, int HW, const T *x, T *y, int acc)
{
    JK_LOOP(e, (size_t)N * C)
    {
        int n = (int)(e / C), c = (int)(e % C);
        const T *p = x + (size_t)n * HW * C + c;
        double s = 0.0;
        for (int k = 0; k < HW; k++)
            s += ld(p, (size_t)k * C);
        put(y, e, (float)(s / HW), acc);
    }
}

template <typename T, bool NHWC>
__global__ void gap_bwd_k(int N, int C, int H, int W, const T *dy, T *dx,
                          int acc)
{
    const size_t total = (size_t)N * C * H * W;
    const float hw = (float)(H * W);
    JK_LOOP(e, total)
    {
        int n, c, i, j;
        coords<NHWC>(e, C, H, W, &n, &c, &i, &j);
        put(dx, e, __fdiv_rn(ld(dy, (size_t)n * C + c), hw), acc);
    }
}

#define POOL_LAUNCHER(name, kern, count)                                       \
    template <typename T, bool NHWC>                                           \
    static int name##_t(const jahs_kshape *t, const void *a, void *b,          \
                        int acc, cudaStream_t s)                               \
    {                                                                          \
        kern<T, NHWC><<<blocks_for(count), JK_THREADS, 0, s>>>(                \
            t->n, t->c, t->h, t->w, (const T *)a, (T *)b, acc);                \
        return launched();                                                     \
    }                                                                          \
    extern "C" int jahs_k_##name(const jahs_kshape *t, const void *a,          \
                                 void *b, int acc, cudaStream_t s)             \
    {                                                                          \
        return JK_DISPATCH(t, name##_t, t, a, b, acc, s);                      \
    }

POOL_LAUNCHER(avgpool3, avgpool3_k, (size_t)t->n * t->c * t->h * t->w)
POOL_LAUNCHER(avgpool3_bwd, avgpool3_bwd_k, (size_t)t->n * t->c * t->h * t->w)
POOL_LAUNCHER(avgpool2, avgpool2_k,
              (size_t)t->n * t->c * (t->h / 2) * (t->w / 2))
POOL_LAUNCHER(avgpool2_bwd, avgpool2_bwd_k, (size_t)t->n * t->c * t->h * t->w)
POOL_LAUNCHER(gap_bwd, gap_bwd_k, (size_t)t->n * t->c * t->h * t->w)

template <typename T, bool NHWC>
static int gap_t(const jahs_kshape *t, const void *x, void *y, int acc,
                 cudaStream_t s)
{
    int nc = t->n * t->c, hw = t->h * t->w;
    if (NHWC)
        gap_nhwc_k<T><<<blocks_for((size_t)nc), JK_THREADS, 0, s>>>(
            t->n, t->c, hw, (const T *)x, (T *)y, acc);
    else
        gap_nchw_k<T><<<(unsigned)((nc + 7) / 8), JK_THREADS, 0, s>>>(
            nc, hw, (const T *)x, (T *)y, acc);
    return launched();
}

extern "C" int jahs_k_gap(const jahs_kshape *t, const void *x, void *y,
                          int acc, cudaStream_t s)
{
    return JK_DISPATCH(t, gap_t, t, x, y, acc, s);
}
