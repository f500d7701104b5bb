/*
 * elementwise.cu - ReLU, copy / add, dropout (src/nn/elementwise.c),
 * the SGD update (src/train/sgd.c), conversions between the host's
 * float32 NCHW and a tensor's type and layout, and the step counter of a
 * captured training step.
 */
#include "common.cuh"

using namespace jk;

template <typename T>
__global__ void relu_k(size_t n, const T *x, T *y)
{
    JK_LOOP(i, n)
    {
        float v = ld(x, i);
        st(y, i, v > 0.0f ? v : 0.0f);
    }
}

template <typename T>
__global__ void relu_bwd_k(size_t n, const T *y, const T *dy, T *dx, int acc)
{
    JK_LOOP(i, n) put(dx, i, ld(y, i) > 0.0f ? ld(dy, i) : 0.0f, acc);
}

template <typename T>
__global__ void copy_k(size_t n, const T *x, T *y, int acc)
{
    JK_LOOP(i, n) put(y, i, ld(x, i), acc);
}

template <typename T> static int relu_t(size_t n, const void *x, void *y,
                                        cudaStream_t s)
{
    relu_k<T><<<blocks_for(n), JK_THREADS, 0, s>>>(n, (const T *)x, (T *)y);
    return launched();
}

template <typename T>
static int relu_bwd_t(size_t n, const void *y, const void *dy, void *dx,
                      int acc, cudaStream_t s)
{
    relu_bwd_k<T><<<blocks_for(n), JK_THREADS, 0, s>>>(
        n, (const T *)y, (const T *)dy, (T *)dx, acc);
    return launched();
}

template <typename T>
static int copy_t(size_t n, const void *x, void *y, int acc, cudaStream_t s)
{
    copy_k<T><<<blocks_for(n), JK_THREADS, 0, s>>>(n, (const T *)x, (T *)y,
                                                    acc);
    return launched();
}

extern "C" int jahs_k_relu(int dt, size_t n, const void *x, void *y,
                           cudaStream_t s)
{
    return JK_DISPATCH_T(dt, relu_t, n, x, y, s);
}

extern "C" int jahs_k_relu_bwd(int dt, size_t n, const void *y,
                               const void *dy, void *dx, int acc,
                               cudaStream_t s)
{
    return JK_DISPATCH_T(dt, relu_bwd_t, n, y, dy, dx, acc, s);
}

extern "C" int jahs_k_copy(int dt, size_t n, const void *x, void *y, int acc,
                           cudaStream_t s)
{
    return JK_DISPATCH_T(dt, copy_t, n, x, y, acc, s);
}

/* ---- dropout ------------------------------------------------------------ */

/* jahs_dropout_key (src/nn/elementwise.c) */
__device__ __forceinline__ uint64_t dropout_key(uint64_t base, uint64_t step,
                                                int site)
{
    uint64_t h = mix64(base ^ (step * 0xd1342543de82ef95ULL + 1));
    return mix64(h ^ ((uint64_t)(unsigned)site * 0x9e3779b97f4a7c15ULL));
}

template <typename T, bool NHWC>
__global__ void dropout_k(int N, int C, int H, int W, const T *x, T *y,
                          int acc, uint32_t thr, float scale, uint64_t seed,
                          const uint64_t *step, int site)
{
    const uint64_t key = dropout_key(seed, *step, site);
    const size_t total = (size_t)N * C * H * W;
    JK_LOOP(e, total)
    {
        int n, c, yy, xx;
        uint64_t i;
        coords<NHWC>(e, C, H, W, &n, &c, &yy, &xx);
        i = (((uint64_t)n * C + c) * H + yy) * W + xx; /* the NCHW index */
        uint32_t bits =
            (uint32_t)(mix64(key ^ (i * 0x9e3779b97f4a7c15ULL)) >> 40);
        put(y, e, bits >= thr ? __fmul_rn(ld(x, e), scale) : 0.0f, acc);
    }
}

template <typename T, bool NHWC>
static int dropout_t(const jahs_kshape *t, const void *x, void *y, int acc,
                     float p, uint64_t seed, const uint64_t *step, int site,
                     cudaStream_t s)
{
    size_t total = (size_t)t->n * t->c * t->h * t->w;
    uint32_t thr = (uint32_t)((double)p * 16777216.0);
    float scale = 1.0f / (1.0f - p);
    dropout_k<T, NHWC><<<blocks_for(total), JK_THREADS, 0, s>>>(
        t->n, t->c, t->h, t->w, (const T *)x, (T *)y, acc, thr, scale, seed,
        step, site);
    return launched();
}

extern "C" int jahs_k_dropout(const jahs_kshape *t, const void *x, void *y,
                              int acc, float p, uint64_t seed,
                              const uint64_t *step, int site, cudaStream_t s)
{
    return JK_DISPATCH(t, dropout_t, t, x, y, acc, p, seed, step, site, s);
}

/* ---- SGD --------------------------------------------------------------- */

__global__ void sgd_k(size_t n, float *p, const float *g, const bf16 *g16,
                      const int32_t *perm, float *buf, bf16 *p16,
                      const float *lr_p, float momentum, float wd,
                      int nesterov)
{
    const float lr = *lr_p;
    JK_LOOP(i, n)
    {
        int32_t q = perm ? perm[i] : -1;
        float gi = q >= 0 ? __bfloat162float(g16[q]) : g[i];
        float d, b, pi = p[i];
        /* jahs_sgd_step's operations, unfused */
        d = __fadd_rn(gi, __fmul_rn(wd, pi));
        b = __fadd_rn(__fmul_rn(momentum, buf[i]), d);
        buf[i] = b;
        d = nesterov ? __fadd_rn(d, __fmul_rn(momentum, b)) : b;
        pi = __fsub_rn(pi, __fmul_rn(lr, d));
        p[i] = pi;
        if (q >= 0)
            p16[q] = __float2bfloat16_rn(pi);
    }
}

extern "C" int jahs_k_sgd(size_t n, float *p, const float *g,
                          const uint16_t *g16, const int32_t *perm, float *buf,
                          uint16_t *p16, const float *lr, float momentum,
                          float wd, int nesterov, cudaStream_t s)
{
    sgd_k<<<blocks_for(n), JK_THREADS, 0, s>>>(
        n, p, g, (const bf16 *)g16, perm, buf, (bf16 *)p16, lr, momentum, wd,
        nesterov);
    return launched();
}

__global__ void to_bf16_k(size_t n, const float *src, const int32_t *perm,
                          bf16 *dst)
{
    JK_LOOP(i, n) if (perm[i] >= 0) dst[perm[i]] = __float2bfloat16_rn(src[i]);
}

extern "C" int jahs_k_to_bf16(size_t n, const float *src, const int32_t *perm,
                              uint16_t *p16, cudaStream_t s)
{
    to_bf16_k<<<blocks_for(n), JK_THREADS, 0, s>>>(n, src, perm, (bf16 *)p16);
    return launched();
}

__global__ void from_bf16_k(size_t n, const bf16 *g16, const int32_t *perm,
                            float *dst)
{
    JK_LOOP(i, n) if (perm[i] >= 0) dst[i] = __bfloat162float(g16[perm[i]]);
}

extern "C" int jahs_k_from_bf16(size_t n, const uint16_t *g16,
                                const int32_t *perm, float *dst,
                                cudaStream_t s)
{
    from_bf16_k<<<blocks_for(n), JK_THREADS, 0, s>>>(n, (const bf16 *)g16,
                                                      perm, dst);
    return launched();
}

/* ---- transfers ----------------------------------------------------------- */

template <typename T, bool NHWC>
__global__ void import_k(int N, int C, int H, int W, const float *src, T *dst,
                         int out)
{
    const size_t total = (size_t)N * C * H * W;
    JK_LOOP(e, total)
    {
        /* e walks the NCHW array */
        int x = (int)(e % W), y = (int)(e / W % H), c = (int)(e / W / H % C);
        int n = (int)(e / W / H / C);
        size_t o = at<NHWC>(C, H, W, n, c, y, x);
        if (out)
            ((float *)src)[e] = ld(dst, o);
        else
            st(dst, o, src[e]);
    }
}

template <typename T, bool NHWC>
static int import_t(const jahs_kshape *t, const float *src, void *dst,
                    int out, cudaStream_t s)
{
    size_t total = (size_t)t->n * t->c * t->h * t->w;
    import_k<T, NHWC><<<blocks_for(total), JK_THREADS, 0, s>>>(
        t->n, t->c, t->h, t->w, src, (T *)dst, out);
    return launched();
}

extern "C" int jahs_k_import(const jahs_kshape *t, const float *src,
                             void *dst, cudaStream_t s)
{
    return JK_DISPATCH(t, import_t, t, src, dst, 0, s);
}

extern "C" int jahs_k_export(const jahs_kshape *t, const void *src,
                             float *dst, cudaStream_t s)
{
    return JK_DISPATCH(t, import_t, t, dst, (void *)src, 1, s);
}

__global__ void advance_k(int *cursor, int by, uint64_t *step)
{
    *cursor += by;
    *step += 1;
}

extern "C" int jahs_k_advance(int *cursor, int by, uint64_t *step,
                              cudaStream_t s)
{
    advance_k<<<1, 1, 0, s>>>(cursor, by, step);
    return launched();
}
