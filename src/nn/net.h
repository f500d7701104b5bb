/*
 * net.h - a network ready to train on the CPU: its graph (graph.h) with
 * the memory pools allocated once (parameters, gradients, optimizer
 * momentum, BN running statistics, activations, activation gradients,
 * scratch), the forward and backward passes over the graph, the loss, and
 * PyTorch's default initialisation.
 *
 * This is the readable reference of the training step: forward runs the
 * operations in order, backward in reverse order, each through the kernels
 * of layers.h, threaded across the images of the batch (or the channels for
 * batch norm) with workers.h.  Results do not depend on the number of
 * threads: per-image work writes disjoint outputs, and the conv weight
 * gradient is summed in JAHS_GRAD_CHUNKS fixed chunks of the batch, reduced
 * in chunk order.  The oneDNN convolutions (JAHS_CONV=dnnl, the default
 * when built with it) run one of the same fixed chunks per call, oneDNN
 * single-threaded, so the same holds for them.
 */
#ifndef JAHS_NN_NET_H
#define JAHS_NN_NET_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "nn/arch.h"
#include "nn/graph.h"

/* Fixed partition of a batch for the conv weight gradient's partial sums. */
#define JAHS_GRAD_CHUNKS 8

typedef struct jahs_net jahs_net;

/*
 * Who runs the convolutions: the im2col + GEMM reference of layers.h, or
 * oneDNN (conv_dnnl.h).  Both are threaded over the same fixed chunks /
 * images, so with either the results do not depend on the thread count;
 * the two differ from each other by float summation order only
 * (tests/test_nn_dnnl.c bounds it).
 */
typedef enum jahs_conv_backend {
    JAHS_CONV_REF = 0,    /* "ref" */
    JAHS_CONV_DNNL,       /* "dnnl": Winograd where it pays (conv_dnnl.h) */
    JAHS_CONV_DNNL_DIRECT /* "dnnl-direct": direct convolutions only */
} jahs_conv_backend;

/* Parse $JAHS_CONV's value: NULL or "" -> dnnl when built with oneDNN, else
 * ref; "ref"; "dnnl" or "dnnl-direct" (JAHS_EUNSUPPORTED without oneDNN);
 * anything else JAHS_EINVAL naming the value and the choices. */
int jahs_conv_backend_parse(const char *s, jahs_conv_backend *out,
                            jahs_error *err);
/* "ref", "dnnl" or "dnnl-direct". */
const char *jahs_conv_backend_name(jahs_conv_backend b);

/*
 * Build spec's graph and allocate its pools for batches of up to max_batch
 * images, with `threads` threads (0: all cores).  Parameters are zero until
 * jahs_net_init.  NULL and err on failure.  Free with jahs_net_free.
 */
jahs_net *jahs_net_create(const jahs_net_spec *spec, int max_batch,
                          int threads, jahs_error *err);
/* NULL is a no-op. */
void jahs_net_free(jahs_net *net);

/* The convolution backend chosen at creation from $JAHS_CONV. */
jahs_conv_backend jahs_net_conv_backend(const jahs_net *net);
/*
 * oneDNN's health since creation: *fallbacks (may be NULL) = conv passes
 * that ran on the reference instead because a chunk size could not be
 * prepared (results still correct); returns 0, or the code of the first
 * chunk whose oneDNN call failed (its message in err, may be NULL): that
 * chunk's output is undefined, so the trainer checks after each step and
 * stops with this error.
 */
int jahs_net_dnnl_status(const jahs_net *net, int *fallbacks,
                         jahs_error *err);

const jahs_graph *jahs_net_graph(const jahs_net *net);
int jahs_net_max_batch(const jahs_net *net);
/* Bytes held by the pools. */
size_t jahs_net_memory(const jahs_net *net);

/* The pools (graph->n_params floats for the first three, n_buffers for the
 * running statistics).  Owned by net. */
float *jahs_net_params(jahs_net *net);
float *jahs_net_grads(jahs_net *net);
float *jahs_net_momentum(jahs_net *net);
float *jahs_net_buffers(jahs_net *net);

/*
 * PyTorch's default initialisation (Conv2d / Linear: kaiming_uniform with
 * a = sqrt(5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), the linear bias
 * likewise; BatchNorm: gamma 1, beta 0, running mean 0, running variance
 * 1), drawn in graph order from the stream (seed, "train/init", index).
 * Momentum is zeroed.  NAS-Bench-201 applied no other initialisation.
 */
int jahs_net_init(jahs_net *net, uint64_t seed, uint64_t index,
                  jahs_error *err);

/* The input batch to fill: max_batch x c x h x w floats (NCHW). */
float *jahs_net_input(jahs_net *net);
/* Activation of tensor t of the graph (image 0; images follow at
 * t->size floats) in the tensor's layout (below), e.g. to compare
 * backends layer by layer.  After a
 * forward pass it holds t's values when t->kept; other tensors' memory is
 * reused by later ones (graph.h). */
const float *jahs_net_activation(const jahs_net *net, int t);
/*
 * The layout plan (net.c): 1 when tensor t's activation and gradient are
 * held in oneDNN's blocked layout, nChw16c or nChw8c (n x c/B x h w x B,
 * B = jahs_net_block), as the NB201 cell networks' are with oneDNN on
 * AVX-512 (B = 16) and AVX2 (B = 8) CPUs ($JAHS_NET_BLOCK = 0, 8 or 16
 * overrides the CPU's choice; 0: never), so that jahs_net_activation's
 * memory is in that layout; else 0 (NCHW).
 */
int jahs_net_tensor_blocked(const jahs_net *net, int t);
/* B above, or 0 when no tensor is blocked. */
int jahs_net_block(const jahs_net *net);
/*
 * The block a network created now would plan with (when oneDNN runs its
 * convolutions): $JAHS_NET_BLOCK (0: NCHW, 8, 16) or, unset or empty, the
 * one oneDNN's kernels take on this CPU (16 with AVX-512, 8 with AVX2,
 * else 0).  0, or JAHS_EINVAL naming another value.
 */
int jahs_net_plan_block(int *block, jahs_error *err);
/* Tensor t's activation for the first n images in NCHW, whatever its
 * layout, into out (n x t->size floats). */
void jahs_net_activation_nchw(const jahs_net *net, int t, int n, float *out);
/* The logits of the last forward pass: n x n_classes. */
const float *jahs_net_logits(const jahs_net *net);

/*
 * Forward pass on the first n images of the input (n <= max_batch).  train:
 * batch statistics (and the running-statistics update) and dropout; else
 * running statistics and no dropout.  Dropout masks are keyed by
 * (dropout_seed, step) (layers.h), so the backward pass of the same step
 * and a resumed run see the same masks.
 */
void jahs_net_forward(jahs_net *net, int n, int train, uint64_t dropout_seed,
                      uint64_t step);
/*
 * Softmax cross-entropy of the last forward pass against labels (n of
 * them); writes the gradient of the mean loss into the logits' gradient.
 * Returns the mean loss; *correct (may be NULL) the top-1 hits.
 */
double jahs_net_loss(jahs_net *net, const uint8_t *labels, int *correct);
/* Backward pass of the last (training) forward pass: fills the parameter
 * gradients (written, not accumulated). */
void jahs_net_backward(jahs_net *net);

#endif
