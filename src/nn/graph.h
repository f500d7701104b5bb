/*
 * graph.h - a network as a flat list of operations over tensors: the one
 * description the CPU runtime (net.c) executes and a GPU backend mirrors.
 *
 * A tensor is one activation of shape c x h x w per image; the batch is the
 * outer dimension (NCHW, float32).  An operation reads one tensor and writes
 * (or adds into) another: a cell node that sums several edges is a tensor
 * written by its first edge and accumulated into by the others, and in the
 * backward pass a tensor read by several operations gathers its gradient the
 * same way, so the graph needs no "add" or "split" nodes.
 *
 * Memory is planned once, when the graph is finished, in floats per image
 * (multiply by the batch size):
 *   - params / grads / momentum: one float per learnable parameter, in
 *     operation order (conv weight; BN gamma, beta; linear weight, bias);
 *   - buffers: BN running mean and variance;
 *   - activations: planned by lifetime in the forward pass; the tensors the
 *     backward pass reads (inputs of conv, BN and linear, outputs of ReLU)
 *     live to the end, the others (cell nodes, skip and pool outputs) give
 *     their memory back after their last reader;
 *   - activation gradients: planned by lifetime (a gradient lives from the
 *     backward of its last reader to the backward of its first writer) with
 *     first-fit offsets, so buffers are reused across the network.
 * Offsets are into these pools; a backend allocates each pool once.
 */
#ifndef JAHS_NN_GRAPH_H
#define JAHS_NN_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "nn/layers.h"

#define JAHS_NO_GRAD ((size_t)-1)

typedef enum jahs_op_kind {
    JAHS_OP_CONV = 0,  /* conv without bias (conv field), weight at w */
    JAHS_OP_BN,        /* batch norm: gamma at w, beta at b, stats at stat */
    JAHS_OP_RELU,      /* out = max(in, 0) (never accumulates) */
    JAHS_OP_COPY,      /* out (+)= in: a skip connection */
    JAHS_OP_ZERO,      /* out = 0: a cell node whose every edge is `none` */
    JAHS_OP_AVGPOOL3,  /* 3x3, stride 1, pad 1, padding excluded */
    JAHS_OP_AVGPOOL2,  /* 2x2, stride 2 */
    JAHS_OP_GAP,       /* global average pool: c x h x w -> c x 1 x 1 */
    JAHS_OP_DROPOUT,   /* inverted dropout with probability p (never accumulates) */
    JAHS_OP_LINEAR,    /* out = flatten(in) W^T + b: weight at w, bias at b */
    JAHS_OP_MAXPOOL2,  /* 2x2 max, stride 2 (floor) */
    JAHS_OP_BIAS,      /* out = in + b[channel]: a conv's bias, at b; p holds
                          its init bound 1 / sqrt(fan_in) */
    JAHS_OP_KINDS
} jahs_op_kind;

typedef struct jahs_tensor {
    int c, h, w;
    size_t size;     /* c h w: floats per image */
    size_t act;      /* offset per image in the activation pool (x batch) */
    size_t grad;     /* offset per image in the gradient pool, or JAHS_NO_GRAD */
    int kept;        /* the backward pass reads its activation, so it is
                        valid after the forward pass; others share memory
                        once their last reader has run */
    int n_writers;   /* operations writing it (the first overwrites) */
    int n_readers;
    char label[32];  /* "stem", "s1.c2.n3", ... for descriptions */
} jahs_tensor;

typedef struct jahs_op {
    jahs_op_kind kind;
    int in, out;        /* tensor ids */
    int acc;            /* forward: add into out (not its first writer) */
    int din;            /* backward: compute grad(in) (not the input image) */
    int din_acc;        /* backward: add into grad(in) (not its first writer) */
    int dout_zero;      /* backward: grad(out) has no writer; zero it first */
    jahs_conv_shape conv;
    size_t w, nw;       /* parameter offset and count: weight or gamma */
    size_t b, nb;       /* bias or beta */
    size_t stat;        /* BN: running mean at stat, variance at stat + c */
    size_t save;        /* BN: batch mean at save, 1/std at save + c (act pool, per batch) */
    float p;            /* dropout probability */
    int site;           /* dropout site (0, 1, ...), keys its mask */
} jahs_op;

typedef struct jahs_graph {
    jahs_tensor *t;
    int nt;
    jahs_op *op;
    int nop;
    int cap_t, cap_op;
    int input;             /* the image batch (tensor 0) */
    int logits;            /* n_classes x 1 x 1 */
    size_t n_params;       /* learnable floats */
    size_t n_buffers;      /* BN running statistics */
    size_t act_per_image;  /* activation floats per image */
    size_t act_fixed;      /* activation floats per batch (BN saves) */
    size_t grad_per_image; /* planned gradient floats per image */
    size_t max_col;        /* largest im2col scratch of one image (either
                              direction) */
    size_t max_conv_w;     /* largest conv weight (for partial sums) */
    int n_sites;           /* dropout sites */
    int finished;
} jahs_graph;

/* An empty graph whose input is c x h x w.  NULL and err on failure. */
jahs_graph *jahs_graph_create(int c, int h, int w, jahs_error *err);
/* NULL is a no-op. */
void jahs_graph_free(jahs_graph *g);

/*
 * Builders: each appends one operation reading tensor in (unary: relu,
 * copy, the pools, gap, maxpool2; linear flattens a c x h x w input).  out < 0 creates
 * the output tensor (shape from the operation) and returns its id; out >= 0
 * names an existing tensor of the right shape to add into (a cell node).
 * They return the output id or a negative error (shape mismatch, memory).
 * label names a newly created tensor.
 */
int jahs_graph_conv(jahs_graph *g, int in, int out, int cout, int k,
                    int stride, int pad, const char *label, jahs_error *err);
int jahs_graph_bn(jahs_graph *g, int in, int out, const char *label,
                  jahs_error *err);
int jahs_graph_unary(jahs_graph *g, jahs_op_kind kind, int in, int out,
                     const char *label, jahs_error *err);
int jahs_graph_zero(jahs_graph *g, int like, const char *label,
                    jahs_error *err);
int jahs_graph_dropout(jahs_graph *g, int in, float p, const char *label,
                       jahs_error *err);
int jahs_graph_linear(jahs_graph *g, int in, int n_out, const char *label,
                      jahs_error *err);
/* A per-channel bias on in (PyTorch's Conv2d bias=True as its own
 * operation); fan_in (cin k k of the conv) sets its initialisation. */
int jahs_graph_bias(jahs_graph *g, int in, int fan_in, const char *label,
                    jahs_error *err);
/* A new tensor with the shape of `like` and no writer yet. */
int jahs_graph_tensor_like(jahs_graph *g, int like, const char *label,
                           jahs_error *err);

/*
 * Mark logits (the classifier's output), derive the backward flags (din,
 * din_acc, dout_zero), plan the gradient pool and the scratch sizes.  After
 * this the graph is read-only.  A tensor with no writer is an error.
 */
int jahs_graph_finish(jahs_graph *g, int logits, jahs_error *err);

/*
 * Cost of one image: multiply-accumulates of the convolutions and the
 * classifier (with its bias), NAS-Bench-201's FLOP count (its
 * get_model_infos counts conv and linear multiply-adds and calls them
 * FLOPs).  Forward FLOPs proper are 2 x macs; forward + backward ~ 3 x
 * that.
 */
double jahs_graph_macs(const jahs_graph *g);

/* Short name of an operation kind ("conv", "bn", ...). */
const char *jahs_op_name(jahs_op_kind k);

#endif
