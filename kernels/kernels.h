/*
 * kernels.h - the C side of the trainer's CUDA kernels (the .cu files in
 * kernels/): one extern "C" launcher per kernel, darknet's boundary between
 * plain C and CUDA (its layer_kernels.cu files), without its single layer
 * struct.
 *
 * Tensors are the trainer's activations (src/nn/graph.h): a batch of n
 * images of c x h x w elements, either float32 or bfloat16 (dt: JAHS_K_F32 /
 * JAHS_K_BF16, bf16 passed as 16-bit words), laid out NCHW or NHWC (nhwc:
 * 0 / 1).  Parameters, their gradients, the optimizer state and every
 * reduction stay float32 (BN and loss statistics in double), whatever dt:
 * the bf16 path keeps fp32 master weights.
 *
 * Every launcher enqueues its work on stream s and returns 0 or the
 * cudaError_t of the launch (as int); the caller checks it with file and
 * line (src/gpu/gpu_net.c).  Kernels use no atomics on floats and fixed
 * reduction orders, so a result depends only on the inputs, not on the
 * scheduling: the same inputs give the same bits.  All launchers are safe
 * to capture in a CUDA graph (no host synchronisation, no allocation).
 * The reference of every kernel is the CPU kernel named beside it
 * (src/nn/layers.h), which the GPU tests compare it with.
 */
#ifndef JAHS_KERNELS_H
#define JAHS_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include <cuda_runtime_api.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { JAHS_K_F32 = 0, JAHS_K_BF16 = 1 };

/* Shape of a batch of activations as the kernels see it. */
typedef struct jahs_kshape {
    int dt;        /* JAHS_K_F32 or JAHS_K_BF16 */
    int nhwc;      /* 0: NCHW, 1: NHWC */
    int n, c, h, w;
} jahs_kshape;

/* ---- element-wise (layers.h: relu, copy, dropout) ---------------------- */

/* y = max(x, 0) over n elements. */
int jahs_k_relu(int dt, size_t n, const void *x, void *y, cudaStream_t s);
/* dx (+)= y > 0 ? dy : 0. */
int jahs_k_relu_bwd(int dt, size_t n, const void *y, const void *dy,
                    void *dx, int acc, cudaStream_t s);
/* y (+)= x. */
int jahs_k_copy(int dt, size_t n, const void *x, void *y, int acc,
                cudaStream_t s);
/*
 * Inverted dropout, forward and backward alike: y (+)= keep(i) x / (1 - p)
 * where i is the element's NCHW index in the batch and keep() is
 * jahs_dropout_keep with key jahs_dropout_key(seed, *step, site) (the step
 * is read on the device, so a captured graph sees each step's value).
 */
int jahs_k_dropout(const jahs_kshape *t, const void *x, void *y, int acc,
                   float p, uint64_t seed, const uint64_t *step, int site,
                   cudaStream_t s);

/* ---- pooling (layers.h: avgpool3, avgpool2, gap) ------------------------ */

/* t: the input's shape.  avgpool3 keeps the shape; avgpool2 halves h, w
 * (floor); gap gives c x 1 x 1. */
int jahs_k_avgpool3(const jahs_kshape *t, const void *x, void *y, int acc,
                    cudaStream_t s);
int jahs_k_avgpool3_bwd(const jahs_kshape *t, const void *dy, void *dx,
                        int acc, cudaStream_t s);
int jahs_k_avgpool2(const jahs_kshape *t, const void *x, void *y, int acc,
                    cudaStream_t s);
int jahs_k_avgpool2_bwd(const jahs_kshape *t, const void *dy, void *dx,
                        int acc, cudaStream_t s);
int jahs_k_gap(const jahs_kshape *t, const void *x, void *y, int acc,
               cudaStream_t s);
int jahs_k_gap_bwd(const jahs_kshape *t, const void *dy, void *dx, int acc,
                   cudaStream_t s);

/* ---- batch normalisation (layers.h: bn_forward_train, bn_backward) ----- */

/*
 * Partial sums per channel over fixed chunks of the n h w values: the
 * number of chunks jahs_k_bn_chunks(t) depends on the shape only, so the
 * reduction order is fixed.  partial needs 2 c chunks doubles.
 */
int jahs_k_bn_chunks(const jahs_kshape *t);
/* partial <- sums of x and x^2 per (channel, chunk). */
int jahs_k_bn_stats(const jahs_kshape *t, const void *x, double *partial,
                    cudaStream_t s);
/*
 * From the partials: save = (mean, 1 / sqrt(var + eps)) per channel (2 c),
 * coef = (gamma istd, beta - mean gamma istd) (2 c), and, when run is not
 * NULL, run (mean then variance, 2 c) moved with momentum 0.1 towards the
 * batch mean and unbiased variance.
 */
int jahs_k_bn_finish(const jahs_kshape *t, const double *partial,
                     const float *gamma, const float *beta, float *save,
                     float *run, float *coef, cudaStream_t s);
/* Evaluation: coef from the running statistics run (2 c). */
int jahs_k_bn_eval_coef(int c, const float *gamma, const float *beta,
                        const float *run, float *coef, cudaStream_t s);
/* y (+)= x coef[ch] + coef[c + ch]. */
int jahs_k_bn_apply(const jahs_kshape *t, const void *x, void *y, int acc,
                    const float *coef, cudaStream_t s);
/* partial <- sums of dy and dy xhat per (channel, chunk). */
int jahs_k_bn_bwd_stats(const jahs_kshape *t, const void *x, const void *dy,
                        const float *save, double *partial, cudaStream_t s);
/* dgamma, dbeta (written) and coef (3 c) for the input gradient. */
int jahs_k_bn_bwd_finish(const jahs_kshape *t, const double *partial,
                         const float *gamma, const float *save, float *dgamma,
                         float *dbeta, float *coef, cudaStream_t s);
/* dx (+)= k1 (dy - k2 - xhat k3). */
int jahs_k_bn_bwd_apply(const jahs_kshape *t, const void *x, const void *dy,
                        void *dx, int acc, const float *save,
                        const float *coef, cudaStream_t s);

/* ---- classifier and loss (layers.h: linear, softmax_ce) ----------------- */

/* y (n x out) = x (n x in) W^T + b; W out x in, float32. */
int jahs_k_linear(int dt, int n, int in, int out, const void *x,
                  const float *w, const float *b, void *y, cudaStream_t s);
/* dW = dy^T x, db = column sums of dy (written); dx (+)= dy W when dx. */
int jahs_k_linear_bwd(int dt, int n, int in, int out, const void *x,
                      const float *w, const void *dy, void *dx, int acc,
                      float *dw, float *db, cudaStream_t s);
/*
 * Softmax cross-entropy of logits (n x k) against labels (uint8, device):
 * dlogits (may be NULL) = (softmax - onehot) / n; rows: 2 n doubles of
 * scratch; out[0] = mean loss, out[1] = top-1 hits of this batch, and
 * out[2] += n mean loss, out[3] += hits (running sums over an epoch).
 */
int jahs_k_softmax_ce(int dt, int n, int k, const void *logits,
                      const uint8_t *labels, void *dlogits, double *rows,
                      double *out, cudaStream_t s);

/* ---- optimizer (sgd.h) ------------------------------------------------- */

/*
 * SGD with (Nesterov) momentum on n parameters, jahs_sgd_step's order of
 * operations with *lr read on the device.  perm (may be NULL) maps the
 * parameters that cuDNN reads as bf16 (the conv weights of the bf16 path,
 * stored there in cuDNN's NHWC filter order, cout x k x k x cin) to their
 * place in g16 / p16, -1 for the others: parameter i's gradient is then
 * g16[perm[i]], and p16[perm[i]] receives its updated bf16 copy; without
 * perm, or where perm is -1, the gradient is g[i].
 */
int jahs_k_sgd(size_t n, float *p, const float *g, const uint16_t *g16,
               const int32_t *perm, float *buf, uint16_t *p16,
               const float *lr, float momentum, float wd, int nesterov,
               cudaStream_t s);
/* p16[perm[i]] = bf16(src[i]) where perm[i] >= 0 (round to nearest even). */
int jahs_k_to_bf16(size_t n, const float *src, const int32_t *perm,
                   uint16_t *p16, cudaStream_t s);
/* dst[i] = float(g16[perm[i]]) where perm[i] >= 0. */
int jahs_k_from_bf16(size_t n, const uint16_t *g16, const int32_t *perm,
                     float *dst, cudaStream_t s);

/* ---- transfers --------------------------------------------------------- */

/* dst (t's type and layout) = src (float32 NCHW). */
int jahs_k_import(const jahs_kshape *t, const float *src, void *dst,
                  cudaStream_t s);
/* dst (float32 NCHW) = src (t's type and layout). */
int jahs_k_export(const jahs_kshape *t, const void *src, float *dst,
                  cudaStream_t s);

/* ---- data: augmentation and normalisation (augment.h) ------------------- */

/*
 * One image of a batch: which dataset image, and the augmentation drawn
 * for it on the host (jahs_augment_draw, planned by jahs_ta_plan_make):
 * op -1 applies no TrivialAugment operation.
 */
typedef struct jahs_k_aug {
    int32_t index;     /* image in the dataset */
    int32_t op;        /* jahs_ta_op, or -1 */
    int32_t dy, dx;    /* crop offset minus padding */
    int32_t flip;
    int32_t bits;      /* posterize */
    float r, r1;       /* enhance blend weights */
    double m[6];       /* geometric: inverse affine matrix */
    double thresh;     /* solarize */
} jahs_k_aug;

/* Per-channel normalisation: x = (v / 255 - mean) k, k = 1 / std. */
typedef struct jahs_k_norm {
    float mean[4], k[4];
} jahs_k_norm;

/* Largest image (h w c bytes) the augmentation kernel takes. */
#define JAHS_K_AUG_MAX_BYTES 20000

/*
 * Batch of out->n images: image b is plan[*cursor + b] of the dataset
 * images (N x h x w x c uint8, NHWC) augmented (TA, then crop and flip, as
 * jahs_augment_apply) and normalised into out (out's type and layout);
 * labels[index] goes to batch_labels[b].  The result equals the CPU
 * trainer's input batch bit for bit.
 */
int jahs_k_augment(const jahs_kshape *out, const uint8_t *images,
                   const uint8_t *labels, const jahs_k_aug *plan,
                   const int *cursor, jahs_k_norm norm, void *dst,
                   uint8_t *batch_labels, cudaStream_t s);
/* *cursor += by; *step += 1 (the end of a captured training step). */
int jahs_k_advance(int *cursor, int by, uint64_t *step, cudaStream_t s);

#ifdef __cplusplus
}
#endif

#endif
