/*
 * conv_dnnl.h - the trainer's 2-D convolutions through oneDNN (Debian's
 * libdnnl 2.6, the library PyTorch's CPU convolutions use), beside the
 * im2col + GEMM reference of layers.h, which it is tested against
 * (tests/test_nn_dnnl.c).
 *
 * One jahs_dnnl_conv per convolution of a network.  It runs a *chunk* of
 * the batch (mb images, NCHW, the reference layout, or nChw16c / nChw8c:
 * jahs_dnnl_conv_set_layout; weights cout x cin x k x k) in one oneDNN
 * call on the calling thread: oneDNN itself is kept
 * single-threaded (its CPU runtime in Debian is OpenMP; every entry point
 * sets the calling thread's OpenMP team size to 1) and jahs's worker pool
 * hands out the fixed chunks of net.c, so the results depend on the batch
 * and its chunking only, never on the thread count (net.h).
 *
 * Primitives (forward, backward data, backward weights, and the reorders
 * between the user's NCHW / OIHW and the layouts oneDNN's kernels choose,
 * format_tag_any) are created once per chunk size, by
 * jahs_dnnl_conv_prepare on the calling thread, and cached in the object;
 * scratchpads are user-managed: one buffer per worker thread, grown by
 * prepare, never in the execution calls.  Activation reorders between
 * NCHW and exactly nChw16c (channels a multiple of 16) are blk16.c's
 * register transposes instead of oneDNN's reorders where the CPU has
 * AVX-512 (the same bits, about 3x faster); JAHS_DNNL_BLK16=0 in the
 * environment when a conv is created keeps oneDNN's (tests/test_nn_dnnl.c
 * compares the two).  A user whose activations are already blocked
 * (net.c's layout plan) needs neither where oneDNN's kernel takes that
 * layout.
 *
 * Built only with JAHS_HAVE_DNNL (Makefile DNNL=auto finds
 * oneapi/dnnl/dnnl.h); without it jahs_dnnl_available() is 0 and create
 * fails with JAHS_EUNSUPPORTED.
 */
#ifndef JAHS_NN_CONV_DNNL_H
#define JAHS_NN_CONV_DNNL_H

#include "core/error.h"
#include "nn/layers.h"

typedef struct jahs_dnnl_conv jahs_dnnl_conv;

/* 1 when jahs was built with oneDNN, else 0. */
int jahs_dnnl_available(void);
/*
 * The channel block of the activation layout oneDNN's convolution kernels
 * take on this CPU, as far as oneDNN may dispatch (dnnl.h:
 * dnnl_get_effective_cpu_isa, which $ONEDNN_MAX_CPU_ISA lowers): 16
 * (nChw16c) for AVX-512, 8 (nChw8c) for AVX2, else 0; 0 without oneDNN.
 */
int jahs_dnnl_preferred_block(void);
/* oneDNN's version and CPU runtime ("oneDNN 2.6.3 (OpenMP)"), or "none". */
const char *jahs_dnnl_describe(void);

/*
 * Winograd: oneDNN's F(4x4, 3x3) kernels (jit_wino_4x3, avx512_core; the
 * fast algorithm of Lavin & Gray 2016) do a 3x3 stride-1 "same"
 * convolution in ~2.25x fewer multiplications, at a larger but bounded
 * rounding error (tests/test_nn_dnnl.c measures it).  On the 2-core EPYC
 * they win from 32 channels on (bench/README.md: seqcnn-ss23's 512-channel
 * convolutions 1.9x, NB201's cell 1.2x); below, direct.
 */
#define JAHS_DNNL_WINOGRAD_MIN_C 32
/* 1 when shape s is one for Winograd (above), else 0. */
int jahs_dnnl_winograd_fits(const jahs_conv_shape *s);

/*
 * A convolution of shape s run by up to `threads` worker threads (thread
 * ids 0..threads-1 select the scratch); winograd: use Winograd where
 * jahs_dnnl_winograd_fits (falling back to direct, for the whole
 * convolution, where oneDNN has no such kernel).  Creates nothing for a
 * particular chunk size yet.  NULL and err on failure (no oneDNN:
 * JAHS_EUNSUPPORTED; an invalid shape: JAHS_EINVAL).  Free with
 * jahs_dnnl_conv_free.
 */
jahs_dnnl_conv *jahs_dnnl_conv_create(const jahs_conv_shape *s, int threads,
                                      int winograd, jahs_error *err);
/* 1 when c runs Winograd (known for sure after its first prepare). */
int jahs_dnnl_conv_winograd(const jahs_dnnl_conv *c);
/* NULL is a no-op. */
void jahs_dnnl_conv_free(jahs_dnnl_conv *c);

/*
 * The layouts of the user's activations, before the first prepare: x (and
 * dx) in blocks of src_block channels, y (and dy) in blocks of dst_block:
 * 16 (nChw16c), 8 (nChw8c) or 0 (NCHW, the default).  Where the kernel's
 * layout is the user's, no reorder runs.  0; JAHS_ESTATE after a prepare,
 * JAHS_EINVAL for another block or channels not a multiple of it.  The x /
 * dy producers and the dx consumer (the _fill and _sink calls below) are
 * for NCHW users only: the *_blk16 queries say 0 for a blocked side (no
 * reorder to replace).
 */
int jahs_dnnl_conv_set_layout(jahs_dnnl_conv *c, int src_block, int dst_block,
                              jahs_error *err);

/* Which passes a prepare readies. */
enum { JAHS_DNNL_FWD = 1, JAHS_DNNL_BWD_DATA = 2, JAHS_DNNL_BWD_WEIGHTS = 4 };

/*
 * Ready chunk size mb for the passes in `what` (a mask of the above):
 * primitives created (first time for this mb), per-thread scratch grown,
 * and, for FWD / BWD_DATA, wt (cout x cin x k x k) reordered into the
 * layout of that pass's kernel: call it after each weight update, once per
 * chunk size, before the chunks run.  Not thread-safe (the caller's
 * thread, between parallel sections).  0, or a negative code and err
 * (oneDNN's status named).
 */
int jahs_dnnl_conv_prepare(jahs_dnnl_conv *c, int mb, int what,
                           const float *wt, jahs_error *err);

/*
 * One chunk of mb images (mb prepared) on worker `thread`; these may run
 * concurrently on different threads.  x: mb x cin x h x w; y: mb x cout x
 * ho x wo; acc: add into y (else overwrite).  0, or a negative code and
 * err.
 */
int jahs_dnnl_conv_forward(jahs_dnnl_conv *c, int thread, int mb,
                           const float *x, float *y, int acc,
                           jahs_error *err);
/* dx (+)= the gradient of the input from dy (mb images). */
int jahs_dnnl_conv_backward_data(jahs_dnnl_conv *c, int thread, int mb,
                                 const float *dy, float *dx, int acc,
                                 jahs_error *err);
/* dw = the weight gradient summed over the mb images (written, cout x cin
 * x k x k). */
int jahs_dnnl_conv_backward_weights(jahs_dnnl_conv *c, int thread, int mb,
                                    const float *x, const float *dy, float *dw,
                                    jahs_error *err);

/*
 * Both backward passes of one chunk (BWD_DATA and BWD_WEIGHTS prepared):
 * dw as backward_weights, then, when dx is not NULL, dx (+)= as
 * backward_data, with dy reordered once for the two where their layouts
 * agree (they do for oneDNN's blocked kernels).  Same results as the two
 * calls.
 */
int jahs_dnnl_conv_backward(jahs_dnnl_conv *c, int thread, int mb,
                            const float *x, const float *dy, float *dw,
                            float *dx, int acc, jahs_error *err);

/*
 * Whether the prepared chunk size mb takes dy in exactly nChw16c (blk16.h)
 * for both backward passes (one shared copy): then
 * jahs_dnnl_conv_backward_fill can take dy from a producer that writes it
 * in that layout.  0 when mb is not prepared.
 */
int jahs_dnnl_conv_dy_blk16(const jahs_dnnl_conv *c, int mb);
/*
 * A producer of dy: writes the chunk's dy (mb x cout x ho x wo) into dst
 * in nChw16c (mb x cout / 16 x ho wo x 16) on worker `thread`.
 */
typedef void (*jahs_dnnl_dy_fill)(void *ctx, int thread, float *dst);
/*
 * jahs_dnnl_conv_backward with dy from fill(ctx, thread, buffer) instead
 * of a NCHW tensor (so dy never goes through memory in NCHW: a batch
 * norm's input gradient computed straight into the conv's layout).
 * Needs jahs_dnnl_conv_dy_blk16(c, mb); else JAHS_ESTATE before fill runs.
 */
int jahs_dnnl_conv_backward_fill(jahs_dnnl_conv *c, int thread, int mb,
                                 const float *x, jahs_dnnl_dy_fill fill,
                                 void *ctx, float *dw, float *dx, int acc,
                                 jahs_error *err);

/*
 * Whether, besides jahs_dnnl_conv_dy_blk16, the backward-data pass of the
 * prepared chunk size mb writes dx in exactly nChw16c (then reordered by
 * blk16.c): jahs_dnnl_conv_backward_fill_sink can hand that dx to a
 * consumer instead.  0 when mb is not prepared.
 */
int jahs_dnnl_conv_dx_blk16(const jahs_dnnl_conv *c, int mb);
/* A consumer of dx: reads the chunk's dx (mb x cin x h x w) from src in
 * nChw16c on worker `thread` (a ReLU's backward computed straight from the
 * conv's layout, so the conv's dx never goes through memory in NCHW). */
typedef void (*jahs_dnnl_dx_sink)(void *ctx, int thread, const float *src);
/*
 * jahs_dnnl_conv_backward_fill with dx handed to sink(sctx, thread, src)
 * instead of written into a tensor.  Needs jahs_dnnl_conv_dx_blk16(c, mb);
 * else JAHS_ESTATE before fill runs.
 */
int jahs_dnnl_conv_backward_fill_sink(jahs_dnnl_conv *c, int thread, int mb,
                                      const float *x, jahs_dnnl_dy_fill fill,
                                      void *ctx, float *dw,
                                      jahs_dnnl_dx_sink sink, void *sctx,
                                      jahs_error *err);

/*
 * The same for the forward pass's input: whether the prepared chunk size
 * mb takes x in exactly nChw16c, and the forward pass with x from fill
 * (a producer writing mb x cin x h x w in nChw16c: a ReLU computed
 * straight into the conv's layout).  JAHS_ESTATE before fill runs when
 * jahs_dnnl_conv_src_blk16(c, mb) is 0.
 */
int jahs_dnnl_conv_src_blk16(const jahs_dnnl_conv *c, int mb);
int jahs_dnnl_conv_forward_fill(jahs_dnnl_conv *c, int thread, int mb,
                                jahs_dnnl_dy_fill fill, void *ctx, float *y,
                                int acc, jahs_error *err);

/*
 * The weight gradient in the backward-weights kernel's own layout, for a
 * caller that sums the chunks' partial gradients before one reorder (the
 * sum of each element is the same in any layout, so the same bits).
 * jahs_dnnl_conv_dw_native: 1 when chunk sizes mb and mb2 (prepared for
 * BWD_WEIGHTS; mb2 may equal mb) both write dw in one layout, not the
 * user's, of exactly cout cin k k floats (no padding).  set_dw_native (the
 * caller's thread, between parallel sections): while on, the backward
 * calls write dw in that layout.  dw_to_user: that layout's native (cout
 * cin k k floats) into the user's dw on the caller's thread (it uses
 * thread 0's scratch); 0, or a negative code and err (JAHS_ESTATE when mb
 * is not prepared or has no such layout).
 */
int jahs_dnnl_conv_dw_native(const jahs_dnnl_conv *c, int mb, int mb2);
void jahs_dnnl_conv_set_dw_native(jahs_dnnl_conv *c, int on);
int jahs_dnnl_conv_dw_to_user(jahs_dnnl_conv *c, int mb, const float *native,
                              float *dw, jahs_error *err);

/* oneDNN's implementation names of the prepared mb's passes ("brg:avx512_core
 * / jit:avx512_core / ..."), for descriptions and the bench; "" if none. */
const char *jahs_dnnl_conv_impl(const jahs_dnnl_conv *c, int mb);

#endif
