/*
 * augment.cu - the training batch on the device: for each image of the
 * batch, the dataset image (uint8 NHWC, resident on the GPU for the whole
 * run), one TrivialAugmentWide operation planned on the host
 * (jahs_ta_plan_make, src/data/augment.c), the random crop with zero
 * padding and the horizontal flip, then per-channel normalisation into the
 * network's input tensor.  One block per image; the image and one working
 * copy live in shared memory.
 *
 * The arithmetic is the CPU's (src/data/augment.c) operation by operation
 * (round-to-nearest intrinsics: nothing is fused into an FMA), so the batch
 * equals the CPU trainer's bit for bit; the GPU tests check that.
 */
#include "common.cuh"

using namespace jk;

enum {
    TA_IDENTITY = 0, TA_SHEAR_X, TA_SHEAR_Y, TA_TRANSLATE_X, TA_TRANSLATE_Y,
    TA_ROTATE, TA_BRIGHTNESS, TA_COLOR, TA_CONTRAST, TA_SHARPNESS,
    TA_POSTERIZE, TA_SOLARIZE, TA_AUTOCONTRAST, TA_EQUALIZE
};

/* torchvision's _blend: r a + r1 b in float32, clamped, truncated. */
__device__ __forceinline__ uint8_t blend(float r, float r1, float a, float b)
{
    float v = __fadd_rn(__fmul_rn(r, a), __fmul_rn(r1, b));
    if (!(v > 0.0f))
        return 0;
    if (v > 255.0f)
        return 255;
    return (uint8_t)v;
}

__device__ __forceinline__ uint8_t gray3(const uint8_t *p)
{
    float v = __fadd_rn(__fmul_rn(0.2989f, (float)p[0]),
                        __fmul_rn(0.587f, (float)p[1]));
    v = __fadd_rn(v, __fmul_rn(0.114f, (float)p[2]));
    return (uint8_t)v;
}

/* One TA operation: src -> dst (h x w x c in shared memory), block-wide. */
__device__ void ta_apply(const jahs_k_aug *a, const uint8_t *src, uint8_t *dst,
                         int h, int w, int c, unsigned int *hist,
                         uint8_t *lut, unsigned long long *sum, int *lo,
                         int *hi)
{
    const int npix = h * w, bytes = npix * c, tid = threadIdx.x;
    switch (a->op) {
    case TA_SHEAR_X:
    case TA_SHEAR_Y:
    case TA_TRANSLATE_X:
    case TA_TRANSLATE_Y:
    case TA_ROTATE:
        /* augment.c affine_nearest */
        for (int q = tid; q < npix; q += blockDim.x) {
            int i = q / w, j = q % w;
            double y = __dsub_rn(i + 0.5, h * 0.5);
            double x = __dsub_rn(j + 0.5, w * 0.5);
            double sx = __dadd_rn(
                __dadd_rn(__dadd_rn(__dmul_rn(a->m[0], x),
                                    __dmul_rn(a->m[1], y)),
                          a->m[2]),
                (w - 1) * 0.5);
            double sy = __dadd_rn(
                __dadd_rn(__dadd_rn(__dmul_rn(a->m[3], x),
                                    __dmul_rn(a->m[4], y)),
                          a->m[5]),
                (h - 1) * 0.5);
            sx = rint(sx);
            sy = rint(sy);
            for (int k = 0; k < c; k++)
                dst[q * c + k] =
                    (sx >= 0 && sx <= w - 1 && sy >= 0 && sy <= h - 1)
                        ? src[((int)sy * w + (int)sx) * c + k]
                        : 0;
        }
        break;
    case TA_BRIGHTNESS:
        for (int v = tid; v < 256; v += blockDim.x)
            lut[v] = blend(a->r, a->r1, (float)v, 0.0f);
        __syncthreads();
        for (int q = tid; q < bytes; q += blockDim.x)
            dst[q] = lut[src[q]];
        break;
    case TA_COLOR:
        for (int q = tid; q < npix; q += blockDim.x) {
            if (c != 3) {
                for (int k = 0; k < c; k++)
                    dst[q * c + k] = src[q * c + k];
                continue;
            }
            float g = (float)gray3(src + q * 3);
            for (int k = 0; k < 3; k++)
                dst[q * 3 + k] = blend(a->r, a->r1, (float)src[q * 3 + k], g);
        }
        break;
    case TA_CONTRAST: {
        unsigned long long part = 0;
        size_t n = c == 3 ? (size_t)npix : (size_t)bytes;
        if (tid == 0)
            *sum = 0;
        __syncthreads();
        if (c == 3)
            for (int q = tid; q < npix; q += blockDim.x)
                part += gray3(src + q * 3);
        else
            for (int q = tid; q < bytes; q += blockDim.x)
                part += src[q];
        atomicAdd(sum, part); /* integers: any order gives the same sum */
        __syncthreads();
        float mean = __fdiv_rn(__ull2float_rn(*sum), (float)n);
        for (int v = tid; v < 256; v += blockDim.x)
            lut[v] = blend(a->r, a->r1, (float)v, mean);
        __syncthreads();
        for (int q = tid; q < bytes; q += blockDim.x)
            dst[q] = lut[src[q]];
        break;
    }
    case TA_SHARPNESS:
        for (int q = tid; q < bytes; q += blockDim.x) {
            int k = q % c, p = q / c, i = p / w, j = p % w;
            int blur = src[q];
            if (h <= 2 || w <= 2) {
                dst[q] = src[q];
                continue;
            }
            if (i > 0 && j > 0 && i < h - 1 && j < w - 1) {
                int s = 4 * src[q];
                for (int di = -1; di <= 1; di++)
                    for (int dj = -1; dj <= 1; dj++)
                        s += src[((i + di) * w + (j + dj)) * c + k];
                blur = (2 * s + 13) / 26;
            }
            dst[q] = blend(a->r, a->r1, (float)src[q], (float)blur);
        }
        break;
    case TA_POSTERIZE: {
        uint8_t mask = (uint8_t)(0xFFu << (8 - a->bits));
        for (int q = tid; q < bytes; q += blockDim.x)
            dst[q] = src[q] & mask;
        break;
    }
    case TA_SOLARIZE:
        for (int q = tid; q < bytes; q += blockDim.x)
            dst[q] = (double)src[q] >= a->thresh ? (uint8_t)(255 - src[q])
                                                 : src[q];
        break;
    case TA_AUTOCONTRAST:
        if (tid < c) {
            lo[tid] = 255;
            hi[tid] = 0;
        }
        __syncthreads();
        for (int q = tid; q < bytes; q += blockDim.x) {
            atomicMin(&lo[q % c], (int)src[q]);
            atomicMax(&hi[q % c], (int)src[q]);
        }
        __syncthreads();
        for (int q = tid; q < bytes; q += blockDim.x) {
            int k = q % c;
            float mn = 0.0f, scale = 1.0f, v;
            if (hi[k] != lo[k]) {
                mn = (float)lo[k];
                scale = __fmul_rn(
                    __fdiv_rn(1.0f, __fsub_rn((float)hi[k], (float)lo[k])),
                    255.0f);
            }
            v = __fmul_rn(__fsub_rn((float)src[q], mn), scale);
            dst[q] = v <= 0.0f ? 0 : v >= 255.0f ? 255 : (uint8_t)v;
        }
        break;
    case TA_EQUALIZE:
        for (int v = tid; v < 256 * c; v += blockDim.x)
            hist[v] = 0;
        __syncthreads();
        for (int q = tid; q < bytes; q += blockDim.x)
            atomicAdd(&hist[(q % c) * 256 + src[q]], 1u);
        __syncthreads();
        if (tid < c) {
            /* augment.c op_equalize: torchvision's LUT */
            unsigned long long total = 0, step, cum = 0;
            const unsigned int *hk = hist + tid * 256;
            uint8_t *lk = lut + tid * 256;
            int last = -1;
            for (int v = 0; v < 256; v++) {
                total += hk[v];
                if (hk[v])
                    last = v;
            }
            step = last >= 0 ? (total - hk[last]) / 255 : 0;
            for (int v = 0; v < 256; v++) {
                if (step == 0) {
                    lk[v] = (uint8_t)v;
                    continue;
                }
                unsigned long long q = (cum + step / 2) / step;
                lk[v] = (uint8_t)(q > 255 ? 255 : q);
                cum += hk[v];
            }
        }
        __syncthreads();
        for (int q = tid; q < bytes; q += blockDim.x)
            dst[q] = lut[(q % c) * 256 + src[q]];
        break;
    default:
        for (int q = tid; q < bytes; q += blockDim.x)
            dst[q] = src[q];
        break;
    }
    __syncthreads();
}

template <typename T, bool NHWC>
__global__ void augment_k(int h, int w, int c, const uint8_t *images,
                          const uint8_t *labels, const jahs_k_aug *plan,
                          const int *cursor, jahs_k_norm norm, T *out,
                          uint8_t *batch_labels)
{
    extern __shared__ uint8_t smem[];
    __shared__ unsigned int hist[4 * 256];
    __shared__ uint8_t lut[4 * 256];
    __shared__ unsigned long long sum;
    __shared__ int lo[4], hi[4];
    const int bytes = h * w * c, b = blockIdx.x;
    const jahs_k_aug a = plan[*cursor + b];
    const uint8_t *src = images + (size_t)a.index * bytes;
    uint8_t *A = smem, *B = smem + bytes, *cur = A;
    for (int q = threadIdx.x; q < bytes; q += blockDim.x)
        A[q] = src[q];
    if (threadIdx.x == 0)
        batch_labels[b] = labels[a.index];
    __syncthreads();
    if (a.op > TA_IDENTITY) {
        ta_apply(&a, A, B, h, w, c, hist, lut, &sum, lo, hi);
        cur = B;
    }
    /* crop (zero padding), flip, normalise: out(i, j) = cur(i + dy,
     * j' + dx) with j' = w - 1 - j when flipped */
    for (int q = threadIdx.x; q < bytes; q += blockDim.x) {
        int k = q % c, p = q / c, i = p / w, j = p % w;
        int r = i + a.dy, cc = (a.flip ? w - 1 - j : j) + a.dx;
        float v = (r >= 0 && r < h && cc >= 0 && cc < w)
                      ? (float)cur[(r * w + cc) * c + k]
                      : 0.0f;
        v = __fmul_rn(__fsub_rn(__fdiv_rn(v, 255.0f), norm.mean[k]),
                      norm.k[k]);
        st(out, at<NHWC>(c, h, w, b, k, i, j), v);
    }
}

template <typename T, bool NHWC>
static int augment_t(const jahs_kshape *t, const uint8_t *images,
                     const uint8_t *labels, const jahs_k_aug *plan,
                     const int *cursor, jahs_k_norm norm, void *dst,
                     uint8_t *batch_labels, cudaStream_t s)
{
    size_t bytes = (size_t)t->h * t->w * t->c;
    if (bytes > JAHS_K_AUG_MAX_BYTES || t->c > 4 || t->n < 1)
        return (int)cudaErrorInvalidValue;
    augment_k<T, NHWC><<<(unsigned)t->n, JK_THREADS, 2 * bytes, s>>>(
        t->h, t->w, t->c, images, labels, plan, cursor, norm, (T *)dst,
        batch_labels);
    return launched();
}

extern "C" int jahs_k_augment(const jahs_kshape *out, const uint8_t *images,
                              const uint8_t *labels, const jahs_k_aug *plan,
                              const int *cursor, jahs_k_norm norm, void *dst,
                              uint8_t *batch_labels, cudaStream_t s)
{
    return JK_DISPATCH(out, augment_t, out, images, labels, plan, cursor,
                       norm, dst, batch_labels, s);
}
