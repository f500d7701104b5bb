/*
 * layers.h - the CPU reference kernels of the trainer's layers, each with
 * its forward and backward: convolution (im2col + GEMM), batch
 * normalisation, ReLU, copy / add, average pools, global average pool,
 * linear, dropout and softmax cross-entropy.
 *
 * Layout: float32, NCHW.  A kernel works on one image (convolution, pools),
 * one channel over the batch (batch norm), a range of elements
 * (element-wise ops) or a whole batch (linear, loss): the unit the network
 * runtime (net.c) hands to a thread.  Every kernel has an `acc` switch:
 * 0 overwrites the output, 1 adds to it; this is how a cell node sums its
 * incoming edges (forward) and how a tensor with several consumers gathers
 * its gradient (backward) without copies.
 *
 * Semantics follow PyTorch (which NAS-Bench-201 used): Conv2d without bias;
 * BatchNorm2d with eps 1e-5, momentum 0.1, biased batch variance to
 * normalise and unbiased variance in the running estimate;
 * AvgPool2d(3, 1, 1, count_include_pad=False) (NB201's avg_pool_3x3);
 * AvgPool2d(2, 2) (NB201's reduction shortcut); Linear with bias;
 * inverted dropout; CrossEntropyLoss with mean reduction.
 */
#ifndef JAHS_NN_LAYERS_H
#define JAHS_NN_LAYERS_H

#include <stddef.h>
#include <stdint.h>

#define JAHS_BN_EPS 1e-5f
#define JAHS_BN_MOMENTUM 0.1f

/* ---- convolution ------------------------------------------------------ */

/* Shape of a square-kernel 2-D convolution on one image. */
typedef struct jahs_conv_shape {
    int cin, h, w;     /* input: cin x h x w */
    int cout, ho, wo;  /* output: cout x ho x wo */
    int k, stride, pad;
} jahs_conv_shape;

/* Fill s; ho = (h + 2 pad - k) / stride + 1 (floor), likewise wo. */
void jahs_conv_shape_set(jahs_conv_shape *s, int cin, int h, int w, int cout,
                         int k, int stride, int pad);
/* Floats of im2col scratch one image needs (cin k k x ho wo); 0 for a
 * 1x1, stride-1, unpadded convolution, which multiplies the input itself. */
size_t jahs_conv_col_size(const jahs_conv_shape *s);
/* x: cin x h x w -> col: (cin k k) x (ho wo), zero where the window is in
 * the padding. */
void jahs_im2col(const jahs_conv_shape *s, const float *x, float *col);
/* The adjoint of im2col: dx (+)= fold(col); dx: cin x h x w. */
void jahs_col2im(const jahs_conv_shape *s, const float *col, float *dx,
                 int acc);
/*
 * One image: y (+)= W * im2col(x).  x: cin x h x w; wt: cout x cin x k x k
 * (PyTorch's layout); y: cout x ho x wo; col: jahs_conv_col_size floats of
 * scratch (unused when that size is 0).
 */
void jahs_conv_forward(const jahs_conv_shape *s, const float *x,
                       const float *wt, float *y, int acc, float *col);
/* One image: dx (+)= fold(W^T dy).  col: scratch as above. */
void jahs_conv_backward_data(const jahs_conv_shape *s, const float *dy,
                             const float *wt, float *dx, int acc, float *col);
/*
 * The same for a stride-1 "same" convolution (k odd, pad = (k - 1) / 2):
 * dx is the convolution of dy with the flipped, transposed kernel, computed
 * as im2col(dy) and one GEMM straight into dx (a gather instead of col2im's
 * scatter).  wflip = jahs_conv_flip_weights(wt); col needs
 * jahs_conv_flip_col_size floats.
 */
int jahs_conv_is_same(const jahs_conv_shape *s);
size_t jahs_conv_flip_col_size(const jahs_conv_shape *s);
/* wflip[ci][co][k-1-a][k-1-b] = wt[co][ci][a][b]: cin x cout x k x k. */
void jahs_conv_flip_weights(const jahs_conv_shape *s, const float *wt,
                            float *wflip);
void jahs_conv_backward_data_same(const jahs_conv_shape *s, const float *dy,
                                  const float *wflip, float *dx, int acc,
                                  float *col);
/* One image: dw (+)= dy * im2col(x)^T; dw: cout x cin x k x k. */
void jahs_conv_backward_weight(const jahs_conv_shape *s, const float *x,
                               const float *dy, float *dw, int acc,
                               float *col);

/* ---- batch normalisation (one channel over the batch) ------------------ */

/* x and y are n x c x hw; a call handles channel ch. */
typedef struct jahs_bn_dims {
    int n, c, hw;
} jahs_bn_dims;

/*
 * Training mode, channel ch: mean and biased variance over the n hw values
 * (accumulated in double), y (+)= gamma (x - mean) / sqrt(var + eps) + beta;
 * save_mean / save_istd receive mean and 1 / sqrt(var + eps) for the
 * backward pass; run_mean / run_var (may be NULL) move towards mean and the
 * unbiased variance (var n hw / (n hw - 1)) with momentum 0.1.
 */
void jahs_bn_forward_train(const jahs_bn_dims *d, int ch, const float *x,
                           float gamma, float beta, float *y, int acc,
                           float *save_mean, float *save_istd, float *run_mean,
                           float *run_var);
/* Evaluation mode: the running statistics instead of the batch's. */
void jahs_bn_forward_eval(const jahs_bn_dims *d, int ch, const float *x,
                          float gamma, float beta, float run_mean,
                          float run_var, float *y, int acc);
/*
 * Backward of the training mode for channel ch: dgamma = sum dy xhat,
 * dbeta = sum dy (written), and, when dx is not NULL,
 * dx (+)= gamma istd / m (m dy - dbeta - xhat dgamma), m = n hw,
 * xhat = (x - mean) istd recomputed from x.
 */
void jahs_bn_backward(const jahs_bn_dims *d, int ch, const float *x,
                      const float *dy, float gamma, float mean, float istd,
                      float *dx, int acc, float *dgamma, float *dbeta);

/*
 * The training-mode forward and backward as passes over images (a task
 * streams a contiguous range of images, all channels), giving the same bits
 * as jahs_bn_forward_train / jahs_bn_backward: every (image, channel) run is
 * summed as they sum it and the totals add those sums in image order.
 *
 * part: n x c x 2 doubles of scratch; a pass over images [i0, i1) writes
 * only their rows, so tasks over disjoint ranges may run in parallel.
 *
 * Forward: jahs_bn_stats_part for every image, then jahs_bn_stats_finish
 * for every channel (scale = gamma istd, shift = beta - mean scale, and the
 * saves and running statistics of jahs_bn_forward_train), then
 * jahs_bn_apply: y (+)= x scale[ch] + shift[ch].
 */
void jahs_bn_stats_part(const jahs_bn_dims *d, int i0, int i1, const float *x,
                        double *part);
void jahs_bn_stats_finish(const jahs_bn_dims *d, int ch, const double *part,
                          float gamma, float beta, float *scale, float *shift,
                          float *save_mean, float *save_istd, float *run_mean,
                          float *run_var);
void jahs_bn_apply(const jahs_bn_dims *d, int i0, int i1, const float *x,
                   const float *scale, const float *shift, float *y, int acc);
/*
 * Backward: jahs_bn_dsums_part for every image (mean, istd: the c saved
 * statistics), jahs_bn_dsums_finish for every channel (dgamma, dbeta and
 * k2 = dbeta / m, k3 = dgamma / m), then, when dx is wanted, jahs_bn_dx:
 * dx (+)= gamma istd (dy - k2 - xhat k3); gamma, mean, istd, k2, k3: c each.
 */
void jahs_bn_dsums_part(const jahs_bn_dims *d, int i0, int i1, const float *x,
                        const float *dy, const float *mean, const float *istd,
                        double *part);
void jahs_bn_dsums_finish(const jahs_bn_dims *d, int ch, const double *part,
                          float *k2, float *k3, float *dgamma, float *dbeta);
void jahs_bn_dx(const jahs_bn_dims *d, int i0, int i1, const float *x,
                const float *dy, const float *gamma, const float *mean,
                const float *istd, const float *k2, const float *k3, float *dx,
                int acc);

/* ---- element-wise ----------------------------------------------------- */

/* y[i] = max(x[i], 0), i < n. */
void jahs_relu_forward(size_t n, const float *x, float *y);
/* dx[i] (+)= y[i] > 0 ? dy[i] : 0 (from the output y; PyTorch's rule, the
 * gradient at 0 is 0). */
void jahs_relu_backward(size_t n, const float *y, const float *dy, float *dx,
                        int acc);
/* y (+)= x over n elements (a skip connection; also its backward). */
void jahs_copy(size_t n, const float *x, float *y, int acc);

/*
 * Dropout with a counter-based mask, so the mask needs no storage, a resumed
 * run draws the same masks, and a GPU kernel can draw the same bits:
 * element i of a tensor is kept iff the top 24 bits of
 * mix64(key ^ (i * 0x9e3779b97f4a7c15)) are >= p 2^24; kept values are
 * scaled by 1 / (1 - p) (inverted dropout).  key = jahs_dropout_key(...).
 */
uint64_t jahs_dropout_key(uint64_t base, uint64_t step, int site);
/* Whether element i is kept. */
int jahs_dropout_keep(uint64_t key, uint64_t i, float p);
/* Elements [first, first + n) of a tensor: y = mask x / (1 - p). */
void jahs_dropout_forward(uint64_t key, float p, size_t first, size_t n,
                          const float *x, float *y);
/* dx (+)= mask dy / (1 - p) over the same elements. */
void jahs_dropout_backward(uint64_t key, float p, size_t first, size_t n,
                           const float *dy, float *dx, int acc);

/* ---- pooling (one image) ----------------------------------------------- */

/* 3x3 window, stride 1, padding 1, the average over the in-image part of
 * the window only (count_include_pad=False).  x, y: c x h x w. */
void jahs_avgpool3_forward(int c, int h, int w, const float *x, float *y,
                           int acc);
void jahs_avgpool3_backward(int c, int h, int w, const float *dy, float *dx,
                            int acc);
/* 2x2 window, stride 2, no padding: x c x h x w -> y c x h/2 x w/2 (floor). */
void jahs_avgpool2_forward(int c, int h, int w, const float *x, float *y,
                           int acc);
void jahs_avgpool2_backward(int c, int h, int w, const float *dy, float *dx,
                            int acc);
/* 2x2 max, stride 2, no padding: x c x h x w -> y c x h/2 x w/2 (floor),
 * PyTorch's MaxPool2d(2, 2).  The backward pass sends each output's
 * gradient to the first maximum of its window in row-major order (PyTorch's
 * CPU kernel keeps the first index on ties, `val > maxval`); it reads x. */
void jahs_maxpool2_forward(int c, int h, int w, const float *x, float *y,
                           int acc);
void jahs_maxpool2_backward(int c, int h, int w, const float *x,
                            const float *dy, float *dx, int acc);
/* Global average: x c x hw -> y c. */
void jahs_gap_forward(int c, int hw, const float *x, float *y, int acc);
void jahs_gap_backward(int c, int hw, const float *dy, float *dx, int acc);

/* ---- per-channel bias (a conv's bias) ----------------------------------- */

/* One image: y (+)= x + b[ch] over the hw values of each channel. */
void jahs_bias_forward(int c, int hw, const float *x, const float *b, float *y,
                       int acc);
/* Channel ch over a batch of n images of c x hw: dx (+)= dy (dx may be
 * NULL) and *db = the sum of dy over the batch and the hw positions. */
void jahs_bias_backward(int n, int c, int hw, int ch, const float *dy,
                        float *dx, int acc, float *db);
/* Channels ch0 .. ch1 - 1 (0 <= ch0 <= ch1 <= c) in one call, the same bits
 * as jahs_bias_backward on each: dx (+)= dy for those channels (dx may be
 * NULL) and db[ch] = channel ch's sum, indexed by the channel (db is the
 * whole c-long gradient slice; only db[ch0 .. ch1 - 1] is written).  Faster
 * than one call per channel: the channels' sums run side by side. */
void jahs_bias_backward_range(int n, int c, int hw, int ch0, int ch1,
                              const float *dy, float *dx, int acc, float *db);

/* ---- linear (a batch) -------------------------------------------------- */

/* y (n x out) = x (n x in) W^T + b; W: out x in (PyTorch's layout). */
void jahs_linear_forward(int n, int in, int out, const float *x,
                         const float *wt, const float *b, float *y);
/* dW = dy^T x, db = sum over rows of dy (written); dx (+)= dy W when dx is
 * not NULL. */
void jahs_linear_backward(int n, int in, int out, const float *x,
                          const float *wt, const float *dy, float *dx, int acc,
                          float *dw, float *db);

/* ---- loss ------------------------------------------------------------- */

/*
 * Softmax cross-entropy averaged over the batch: logits n x k, labels in
 * [0, k).  Returns the mean loss (computed in double); dlogits (may be NULL)
 * = (softmax - onehot) / n; *correct (may be NULL) = rows whose arg-max
 * (first on ties) is the label.
 */
double jahs_softmax_ce(int n, int k, const float *logits,
                       const uint8_t *labels, float *dlogits, int *correct);

#endif
