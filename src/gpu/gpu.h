/*
 * gpu.h - the GPU backend of the trainer: the same operation list
 * (graph.h) executed on an NVIDIA GPU with CUDA and cuDNN, checked against
 * the CPU reference (net.h) by the GPU tests.
 *
 * Design (llm.c's and darknet's, see STYLE.md):
 *   - convolutions (forward, backward data, backward filter) by cuDNN's
 *     legacy API, an algorithm per distinct shape chosen once per batch
 *     size (cudnnFind*AlgorithmEx, or the cudnnGet*_v7 heuristics with
 *     JAHS_CUDNN_FIND=0), deterministic algorithms only, the workspace a
 *     fixed slice of the work pool; every other operation by our kernels
 *     (kernels/kernels.h): batch norm, ReLU, pools, dropout (the CPU's
 *     counter-based mask), the linear head, softmax cross-entropy, SGD;
 *   - pools, each one device allocation: state (parameters, gradients,
 *     momentum, BN running statistics, the bf16 weight copies, the step
 *     counters), activations, activation gradients (the graph's memory
 *     plan, x batch), work (cuDNN workspace, BN partial sums and saved
 *     statistics, loss rows, the batch's labels), and per dataset its
 *     images and labels, uploaded once and resident for the whole run;
 *   - the training batch is drawn on the host exactly as the CPU trainer
 *     draws it (shuffle, augmentation choices) and built on the device
 *     (kernels/augment.cu): the same input bits as the CPU;
 *   - a training step (augment, forward, loss, backward, SGD, counters) is
 *     captured once per batch size into a CUDA graph and replayed; the
 *     step's varying inputs (which images, the step for dropout, the
 *     learning rate) are read on the device, so one graph serves the
 *     whole run.  The first step of each batch size runs eagerly (it loads
 *     the kernels; capture cannot).  JAHS_GPU_GRAPHS=0 runs every step
 *     eagerly;
 *   - precision JAHS_PREC_FP32: float32 NCHW tensors, cuDNN restricted to
 *     FMA math (no TF32), so the results match the CPU to float rounding;
 *     JAHS_PREC_BF16: bfloat16 NHWC activations and conv weights (tensor
 *     cores), float32 master weights, gradients of BN / linear parameters,
 *     optimizer state and every reduction;
 *   - each network has its own stream and cuDNN handle, so several trials
 *     (threads or processes) share one GPU.
 *
 * Without CUDA in the build, or without a usable device at run time, every
 * constructor fails with JAHS_EUNAVAILABLE and a message saying why.
 */
#ifndef JAHS_GPU_GPU_H
#define JAHS_GPU_GPU_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "data/augment.h"
#include "data/dataset.h"
#include "nn/arch.h"
#include "nn/graph.h"

typedef enum jahs_precision {
    JAHS_PREC_FP32 = 0, /* float32, NCHW */
    JAHS_PREC_BF16 = 1  /* bfloat16 NHWC activations, fp32 master weights */
} jahs_precision;

/* 1 when this build contains the CUDA backend (nvcc and cuDNN were found). */
int jahs_gpu_built(void);

/*
 * Whether GPU `device` can run the backend: 0, with a one-line description
 * in desc (may be NULL) such as "NVIDIA H200, sm_90, 139.8 GB, CUDA
 * runtime 13000, cuDNN 91900"; JAHS_EUNAVAILABLE with the reason (not
 * built with CUDA, no driver, no device, no such index, a GPU older than
 * sm_80).
 */
int jahs_gpu_probe(int device, char *desc, size_t size, jahs_error *err);

/*
 * Parse a device name: "cpu" (*gpu = 0; also NULL), "gpu" (*gpu = 1,
 * *index = 0) or "gpu:N", optionally followed by ",fp32" or ",bf16" for
 * the precision (*precision, default JAHS_PREC_FP32; precision may be
 * NULL).  Anything else is JAHS_EINVAL naming the text.
 */
int jahs_device_parse(const char *text, int *gpu, int *index, int *precision,
                      jahs_error *err);

typedef struct jahs_gpu_opts {
    int device;       /* CUDA device index */
    int precision;    /* jahs_precision */
    int graphs;       /* 1: capture training steps in CUDA graphs */
    int find;         /* 1: time cuDNN's algorithms; 0: its heuristics */
    size_t workspace; /* bytes of cuDNN workspace (the largest algorithm
                         allowed to run) */
} jahs_gpu_opts;

/* Defaults: device 0, fp32, graphs on, find on, 256 MB of workspace;
 * the environment overrides graphs (JAHS_GPU_GRAPHS=0), find
 * (JAHS_CUDNN_FIND=0) and the workspace (JAHS_GPU_WORKSPACE_MB). */
void jahs_gpu_opts_defaults(jahs_gpu_opts *o);

typedef struct jahs_gpu_net jahs_gpu_net;

/*
 * Build spec's graph and allocate its device pools for batches of up to
 * max_batch images.  Parameters are zero until jahs_gpu_net_set_state.
 * NULL and err on failure (JAHS_EUNAVAILABLE without a GPU, JAHS_ECUDA
 * naming the failing call and its source line).
 */
jahs_gpu_net *jahs_gpu_net_create(const jahs_net_spec *spec, int max_batch,
                                  const jahs_gpu_opts *o, jahs_error *err);
/* NULL is a no-op. */
void jahs_gpu_net_free(jahs_gpu_net *net);

const jahs_graph *jahs_gpu_net_graph(const jahs_gpu_net *net);
/* Bytes held on the device by the network's pools (data included). */
size_t jahs_gpu_net_memory(const jahs_gpu_net *net);
/* The precision it runs in. */
int jahs_gpu_net_precision(const jahs_gpu_net *net);

/*
 * Copy the optimizer state to the device: params and momentum
 * (graph->n_params floats each), buffers (n_buffers, BN running mean and
 * variance), in graph order as net.h's pools.  Any may be NULL (left as
 * is).  get_state copies them back; get_grads the parameter gradients of
 * the last backward pass.
 */
int jahs_gpu_net_set_state(jahs_gpu_net *net, const float *params,
                           const float *momentum, const float *buffers,
                           jahs_error *err);
int jahs_gpu_net_get_state(jahs_gpu_net *net, float *params, float *momentum,
                           float *buffers, jahs_error *err);
int jahs_gpu_net_get_grads(jahs_gpu_net *net, float *grads, jahs_error *err);

/* ---- one step at a time (the tests compare these with net.h) ------------ */

/* The input batch: n images, float32 NCHW (as jahs_net_input). */
int jahs_gpu_net_set_input(jahs_gpu_net *net, const float *x, int n,
                           jahs_error *err);
/* Tensor t of the last forward pass (its first n images) as float32 NCHW
 * into out (n x size floats); valid for the tensors the CPU keeps. */
int jahs_gpu_net_get_activation(jahs_gpu_net *net, int t, int n, float *out,
                                jahs_error *err);
/* As jahs_net_forward / jahs_net_loss / jahs_net_backward / jahs_sgd_step
 * (Nesterov) on the device; each waits for the device before returning. */
int jahs_gpu_net_forward(jahs_gpu_net *net, int n, int train,
                         uint64_t dropout_seed, uint64_t step,
                         jahs_error *err);
int jahs_gpu_net_loss(jahs_gpu_net *net, const uint8_t *labels, double *loss,
                      int *correct, jahs_error *err);
int jahs_gpu_net_backward(jahs_gpu_net *net, jahs_error *err);
int jahs_gpu_net_sgd(jahs_gpu_net *net, float lr, float momentum, float wd,
                     jahs_error *err);

/* ---- whole epochs with the data on the device -------------------------- */

typedef struct jahs_gpu_batch_opts {
    uint64_t dropout_seed;
    float momentum, wd;    /* SGD */
    float mean[4], std[4]; /* per-channel normalisation, 0..1 scale */
} jahs_gpu_batch_opts;

/*
 * Build the input batch of images idx[0..n) of d (n <= max_batch) on the
 * device with the augmentation draws[0..n) (NULL: none), normalised, as
 * the training loop does; the tests compare it with the CPU's batch.
 */
int jahs_gpu_net_make_batch(jahs_gpu_net *net, const jahs_dataset *d,
                            const int *idx, const jahs_augment_draws *draws,
                            int n, const jahs_gpu_batch_opts *bo,
                            jahs_error *err);

/*
 * Train on images order[0..n) of d in that order, batches of `batch`
 * (the last one smaller), image k augmented with draws[k] (NULL: none), at
 * learning rate lr, the first step numbered step0 (dropout masks).  d is
 * uploaded on first use and stays on the device (two datasets are kept).
 * *loss_sum += the sum over images of the loss; *correct += top-1 hits.
 */
int jahs_gpu_net_train(jahs_gpu_net *net, const jahs_dataset *d,
                       const int *order, const jahs_augment_draws *draws,
                       int n, int batch, float lr, uint64_t step0,
                       const jahs_gpu_batch_opts *bo, double *loss_sum,
                       long *correct, jahs_error *err);
/* Evaluation mode (running statistics, no dropout, no augmentation) on
 * images idx[0..n) of d: loss and hits summed as above. */
int jahs_gpu_net_evaluate(jahs_gpu_net *net, const jahs_dataset *d,
                          const int *idx, int n, int batch,
                          const jahs_gpu_batch_opts *bo, double *loss_sum,
                          long *correct, jahs_error *err);

#endif
