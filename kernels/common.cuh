/*
 * common.cuh - what the trainer's kernels share: loads and stores of
 * float32 / bfloat16 elements (arithmetic is always float32), element
 * offsets in NCHW and NHWC, the dropout hash (src/core/util.c's
 * jahs_mix64, SplitMix64's finaliser), launch geometry and the dispatch
 * from a (dtype, layout) pair to a template instance.
 *
 * Where a kernel must reproduce the CPU's float arithmetic exactly (the
 * augmentation, batch-norm coefficients, the SGD update), it uses the
 * round-to-nearest intrinsics (__fmul_rn, __fadd_rn, ...) that the compiler
 * never fuses into an FMA; the x86-64 CPU build has no FMA either.
 */
#ifndef JAHS_KERNELS_COMMON_CUH
#define JAHS_KERNELS_COMMON_CUH

#include <cuda_bf16.h>
#include <stdint.h>

#include "kernels.h"

namespace jk {

typedef __nv_bfloat16 bf16;

__device__ __forceinline__ float ld(const float *p, size_t i) { return p[i]; }
__device__ __forceinline__ float ld(const bf16 *p, size_t i)
{
    return __bfloat162float(p[i]);
}
__device__ __forceinline__ void st(float *p, size_t i, float v) { p[i] = v; }
__device__ __forceinline__ void st(bf16 *p, size_t i, float v)
{
    p[i] = __float2bfloat16_rn(v);
}
/* p[i] = v, or p[i] += v when acc. */
template <typename T>
__device__ __forceinline__ void put(T *p, size_t i, float v, int acc)
{
    st(p, i, acc ? __fadd_rn(ld(p, i), v) : v);
}

/* Offset of element (n, c, y, x) of a batch of C x H x W images. */
template <bool NHWC>
__device__ __forceinline__ size_t at(int C, int H, int W, int n, int c, int y,
                                     int x)
{
    return NHWC ? (((size_t)n * H + y) * W + x) * C + c
                : (((size_t)n * C + c) * H + y) * W + x;
}

/* The coordinates of memory offset e in a batch of C x H x W images. */
template <bool NHWC>
__device__ __forceinline__ void coords(size_t e, int C, int H, int W, int *n,
                                       int *c, int *y, int *x)
{
    if (NHWC) {
        *c = (int)(e % C);
        e /= C;
        *x = (int)(e % W);
        e /= W;
        *y = (int)(e % H);
        *n = (int)(e / H);
    } else {
        *x = (int)(e % W);
        e /= W;
        *y = (int)(e % H);
        e /= H;
        *c = (int)(e % C);
        *n = (int)(e / C);
    }
}

__host__ __device__ __forceinline__ uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

#define JK_THREADS 256

/* Blocks for n elements, one per thread, capped (grid-stride loops). */
static inline unsigned blocks_for(size_t n)
{
    size_t b = (n + JK_THREADS - 1) / JK_THREADS;
    if (b < 1)
        b = 1;
    if (b > 65535u * 16u)
        b = 65535u * 16u;
    return (unsigned)b;
}

#define JK_LOOP(i, n)                                                          \
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n);    \
         i += (size_t)gridDim.x * blockDim.x)

static inline int launched(void) { return (int)cudaGetLastError(); }

} /* namespace jk */

/* Call F<T, NHWC>(args) for the shape's dtype and layout. */
#define JK_DISPATCH(t, F, ...)                                                 \
    ((t)->dt == JAHS_K_BF16                                                    \
         ? ((t)->nhwc ? F<jk::bf16, true>(__VA_ARGS__)                         \
                      : F<jk::bf16, false>(__VA_ARGS__))                       \
         : ((t)->nhwc ? F<float, true>(__VA_ARGS__)                            \
                      : F<float, false>(__VA_ARGS__)))

/* Call F<T>(args) for a dtype. */
#define JK_DISPATCH_T(dt, F, ...)                                              \
    ((dt) == JAHS_K_BF16 ? F<jk::bf16>(__VA_ARGS__) : F<float>(__VA_ARGS__))

#endif
