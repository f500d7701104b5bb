/*
 * net.c - see net.h: pools, initialisation, and the forward / backward
 * passes over the graph on the CPU.
 */
#include "nn/net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "nn/b16ops.h"
#include "nn/b8ops.h"
#include "nn/blk16.h"
#include "nn/conv_dnnl.h"
#include "nn/gemm.h"
#include "nn/layers.h"
#include "nn/workers.h"

/* BN ops whose dy sums can wait at once (dsums_fusable). */
#define JAHS_NET_DSLOTS 4

struct jahs_net {
    jahs_graph *g;
    int max_batch;
    jahs_workers *workers;
    int threads;
    /* pools: one allocation each */
    float *params, *grads, *momentum, *buffers;
    float *act;     /* tensors (g->act_per_image x max_batch) + BN saves */
    float *dact;    /* planned gradients (g->grad_per_image x max_batch) */
    float *scratch; /* threads x max_col im2col, then chunk partials */
    /* batch norm in training mode, by images (batchnorm.c): per (image,
     * channel) partial sums, max_batch x bn_c x 2, and per channel scale,
     * shift (forward) or k2, k3 (backward), bn_c each */
    double *bn_part;
    float *bn_coef;
    int bn_c;
    /* backward: a BN op whose dx pass was left to the conv before it (its
     * dx goes straight into oneDNN's dy layout, never through memory in
     * NCHW; bn_fused_dx), or NULL */
    const jahs_op *bn_pending;
    /* forward: the BN op after the conv being run, whose statistics the
     * conv's chunk tasks sum while their output is still in cache
     * (bn_stats_for), and the BN op whose statistics are in bn_part */
    const jahs_op *bn_stats_for, *bn_stats_ready;
    /* forward: a ReLU op left to the conv after it (relu_fill), or NULL */
    const jahs_op *relu_pending;
    /* backward: the ReLU op before the conv being run, whose backward the
     * conv's chunk tasks compute from its dx in nChw16c (relu_sink), and
     * the ReLU op so done (skipped when its turn comes), or NULL */
    const jahs_op *relu_bwd_for, *relu_bwd_done;
    /* backward: the BN ops whose dy sums the conv being run sums chunk by
     * chunk, right after the ReLU's backward that completes their dy
     * (dsums_fusable), into the part slots dpart (a few BNs can wait for
     * their turn at once); dpart_op[k]: the BN whose sums slot k holds,
     * or NULL when free */
    double *dpart[JAHS_NET_DSLOTS];
    const jahs_op *dpart_op[JAHS_NET_DSLOTS];
    const jahs_op *dsums_for[JAHS_NET_DSLOTS];
    int dsums_slot[JAHS_NET_DSLOTS], n_dsums_for;
    int *first_reader; /* per tensor: the first op reading it, or -1 */
    int fuse; /* the fusions above (not JAHS_NET_FUSE=0) */
    /* the layout plan (plan_layout): per tensor, 1 when its activation and
     * gradient are in nChw16c, else NCHW; and per thread two NCHW images
     * of the largest blocked tensor, for the reference convolution on a
     * blocked tensor (ref_view) */
    unsigned char *blk;
    int blocked;
    int block;          /* the blocked tensors' block: 16 or 8 channels */
    const struct blk_ops *bops; /* their kernels (b16ops.h, b8ops.h) */
    float *b16tmp;
    size_t b16max;
    int test_fallback; /* JAHS_TEST_DNNL_FALLBACK=1: every oneDNN conv pass
                          falls back to the reference (tests) */
    size_t bytes;
    /* the convolutions' backend: oneDNN objects per operation (NULL for
     * other operations, or all NULL on the reference path) */
    jahs_conv_backend conv;
    jahs_dnnl_conv **dnnl;
    int dnnl_fallbacks;   /* passes that fell back to the reference */
    int dnnl_errors;      /* chunks whose oneDNN call failed */
    jahs_error dnnl_err;  /* the first such failure */
    /* the current step */
    int n, train;
    uint64_t dropout_seed, step;
};

int jahs_conv_backend_parse(const char *s, jahs_conv_backend *out,
                            jahs_error *err)
{
    if (!s || !*s) {
        *out = jahs_dnnl_available() ? JAHS_CONV_DNNL : JAHS_CONV_REF;
        return 0;
    }
    if (strcmp(s, "ref") == 0) {
        *out = JAHS_CONV_REF;
        return 0;
    }
    if (strcmp(s, "dnnl") == 0 || strcmp(s, "dnnl-direct") == 0) {
        if (!jahs_dnnl_available())
            return JAHS_FAIL(err, JAHS_EUNSUPPORTED,
                             "JAHS_CONV='%s' but jahs was built without "
                             "oneDNN (install libdnnl-dev and rebuild, or "
                             "JAHS_CONV=ref)",
                             s);
        *out = s[4] ? JAHS_CONV_DNNL_DIRECT : JAHS_CONV_DNNL;
        return 0;
    }
    return JAHS_FAIL(err, JAHS_EINVAL,
                     "JAHS_CONV='%s': expected 'ref' (im2col + GEMM), "
                     "'dnnl' (oneDNN, Winograd where it pays) or "
                     "'dnnl-direct' (oneDNN, direct only)",
                     s);
}

const char *jahs_conv_backend_name(jahs_conv_backend b)
{
    return b == JAHS_CONV_DNNL          ? "dnnl"
           : b == JAHS_CONV_DNNL_DIRECT ? "dnnl-direct"
                                        : "ref";
}

/* The backend from $JAHS_CONV and, for oneDNN, one object per conv. */
static int conv_setup(jahs_net *net, jahs_error *err)
{
    int i, rc;
    if ((rc = jahs_conv_backend_parse(getenv("JAHS_CONV"), &net->conv,
                                      err)) < 0)
        return rc;
    if (net->conv == JAHS_CONV_REF)
        return 0;
    if (!(net->dnnl = calloc((size_t)net->g->nop, sizeof *net->dnnl)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for oneDNN convs");
    for (i = 0; i < net->g->nop; i++)
        if (net->g->op[i].kind == JAHS_OP_CONV &&
            !(net->dnnl[i] = jahs_dnnl_conv_create(
                  &net->g->op[i].conv, net->threads,
                  net->conv == JAHS_CONV_DNNL, err)))
            return err ? err->code : JAHS_EUNSUPPORTED;
    return 0;
}

static float *pool(size_t n, size_t *bytes);

/* The kernels on blocked activations, one table per block size: each the
 * bits of its NCHW version (b16ops.h, b8ops.h). */
typedef struct blk_ops {
    void (*stats)(const jahs_bn_dims *, int, int, const float *, double *);
    void (*apply)(const jahs_bn_dims *, int, int, const float *,
                  const float *, const float *, float *, int);
    void (*dsums)(const jahs_bn_dims *, int, int, const float *,
                  const float *, const float *, const float *, double *);
    void (*dx)(const jahs_bn_dims *, int, int, const float *, const float *,
               const float *, const float *, const float *, const float *,
               const float *, float *, int);
    void (*pool3_fwd)(int, int, int, const float *, float *, int);
    void (*pool3_bwd)(int, int, int, const float *, float *, int);
    void (*pool2_fwd)(int, int, int, const float *, float *, int);
    void (*pool2_bwd)(int, int, int, const float *, float *, int);
    void (*gap_fwd)(int, int, const float *, float *, int);
    void (*gap_bwd)(int, int, const float *, float *, int);
    void (*from_nchw)(int, int, int, const float *, float *);
    void (*to_nchw)(int, int, int, const float *, float *, int);
} blk_ops;

static const blk_ops ops16 = {
    jahs_b16_bn_stats_part,    jahs_b16_bn_apply,
    jahs_b16_bn_dsums_part,    jahs_b16_bn_dx,
    jahs_b16_avgpool3_forward, jahs_b16_avgpool3_backward,
    jahs_b16_avgpool2_forward, jahs_b16_avgpool2_backward,
    jahs_b16_gap_forward,      jahs_b16_gap_backward,
    jahs_blk16_from_nchw,      jahs_blk16_to_nchw};

static const blk_ops ops8 = {
    jahs_b8_bn_stats_part,    jahs_b8_bn_apply,
    jahs_b8_bn_dsums_part,    jahs_b8_bn_dx,
    jahs_b8_avgpool3_forward, jahs_b8_avgpool3_backward,
    jahs_b8_avgpool2_forward, jahs_b8_avgpool2_backward,
    jahs_b8_gap_forward,      jahs_b8_gap_backward,
    jahs_b8_from_nchw,        jahs_b8_to_nchw};

/* NCHW: the reference kernels (the reorders are never called for it) */
static const blk_ops ops_nchw = {
    jahs_bn_stats_part,    jahs_bn_apply,
    jahs_bn_dsums_part,    jahs_bn_dx,
    jahs_avgpool3_forward, jahs_avgpool3_backward,
    jahs_avgpool2_forward, jahs_avgpool2_backward,
    jahs_gap_forward,      jahs_gap_backward,
    NULL,                  NULL};

/* net.h; the CPU's choice is jahs_dnnl_preferred_block's */
int jahs_net_plan_block(int *block, jahs_error *err)
{
    const char *e = getenv("JAHS_NET_BLOCK");
    if (!e || !*e) {
        *block = jahs_dnnl_preferred_block();
        return 0;
    }
    if (strcmp(e, "0") == 0 || strcmp(e, "8") == 0 || strcmp(e, "16") == 0) {
        *block = atoi(e);
        return 0;
    }
    return JAHS_FAIL(err, JAHS_EINVAL,
                     "JAHS_NET_BLOCK='%s': expected 0 (NCHW activations), 8 "
                     "(nChw8c), 16 (nChw16c) or nothing (the CPU's)",
                     e);
}

/*
 * The layout plan.  With oneDNN's convolutions, a tensor whose channels
 * are a multiple of the block (plan_block: 16 on AVX-512 CPUs, 8 on AVX2
 * ones) and which has more than one pixel (not the input image) lives in
 * nChw16c / nChw8c, activation and gradient, when every operation
 * touching it has a kernel for that layout: the convolutions (oneDNN
 * reads and writes it without a reorder where its kernel's layout is the
 * same, jahs_dnnl_conv_set_layout), BN, ReLU, copy, zero, the average
 * pools and the global pool (b16ops.h, b8ops.h); BN, ReLU, copy and the
 * pools keep their input's layout, so a tensor that must stay NCHW (read
 * by a linear layer, a max-pool, a bias or dropout) keeps its neighbours
 * NCHW too (iterated to a fixed point).  Every kernel gives the bits of
 * its NCHW version, so the plan changes speed only: the NB201 cell
 * networks run blocked end to end, from the stem conv's output to the
 * global pool.  JAHS_NET_BLOCK=0 keeps every tensor NCHW.
 */
static int plan_layout(jahs_net *net, jahs_error *err)
{
    jahs_graph *g = net->g;
    int i, changed, rc, block = 0;
    size_t max = 0;
    if (!(net->blk = calloc((size_t)g->nt, 1)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a network");
    if ((rc = jahs_net_plan_block(&block, err)) < 0)
        return rc;
    if (!net->dnnl || !block)
        return 0;
    net->block = block;
    net->bops = block == 16 ? &ops16 : &ops8;
    for (i = 0; i < g->nt; i++)
        net->blk[i] = i != g->input && g->t[i].c % block == 0 &&
                      g->t[i].h * g->t[i].w > 1;
    do {
        changed = 0;
        for (i = 0; i < g->nop; i++) {
            const jahs_op *op = &g->op[i];
            unsigned char *a = &net->blk[op->in], *b = &net->blk[op->out];
            switch (op->kind) {
            case JAHS_OP_CONV:
            case JAHS_OP_ZERO:
            case JAHS_OP_GAP: /* its output has one pixel: NCHW */
                break;
            case JAHS_OP_BN:
            case JAHS_OP_RELU:
            case JAHS_OP_COPY:
            case JAHS_OP_AVGPOOL3:
            case JAHS_OP_AVGPOOL2:
                if (*a != *b) {
                    *a = *b = 0;
                    changed = 1;
                }
                break;
            default: /* linear, max-pool, bias, dropout: NCHW only */
                if (*a || *b) {
                    *a = *b = 0;
                    changed = 1;
                }
                break;
            }
        }
    } while (changed);
    for (i = 0; i < g->nop; i++) {
        const jahs_op *op = &g->op[i];
        if (op->kind == JAHS_OP_CONV &&
            (rc = jahs_dnnl_conv_set_layout(
                 net->dnnl[i], net->blk[op->in] ? block : 0,
                 net->blk[op->out] ? block : 0, err)) < 0)
            return rc;
    }
    for (i = 0; i < g->nt; i++)
        if (net->blk[i]) {
            net->blocked = 1;
            if (g->t[i].size > max)
                max = g->t[i].size;
        }
    net->b16max = max;
    if (net->blocked &&
        !(net->b16tmp = pool(2 * max * (size_t)net->threads, &net->bytes)))
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a network");
    return 0;
}

/* The kernels for tensor t's layout. */
static const blk_ops *ops_of(const jahs_net *net, int t)
{
    return net->blk[t] ? net->bops : &ops_nchw;
}

int jahs_net_block(const jahs_net *net) { return net->blocked ? net->block : 0; }

int jahs_net_tensor_blocked(const jahs_net *net, int t)
{
    return t >= 0 && t < net->g->nt && net->blk[t];
}

jahs_conv_backend jahs_net_conv_backend(const jahs_net *net)
{
    return net->conv;
}

int jahs_net_dnnl_status(const jahs_net *net, int *fallbacks,
                         jahs_error *err)
{
    if (fallbacks)
        *fallbacks = net->dnnl_fallbacks;
    if (net->dnnl_errors) {
        if (err)
            *err = net->dnnl_err;
        return net->dnnl_err.code ? net->dnnl_err.code : JAHS_ESTATE;
    }
    return 0;
}

static float *pool(size_t n, size_t *bytes)
{
    size_t b = (n ? n : 1) * sizeof(float);
    b = (b + 63) / 64 * 64;
    *bytes += b;
    return aligned_alloc(64, b);
}

jahs_net *jahs_net_create(const jahs_net_spec *spec, int max_batch,
                          int threads, jahs_error *err)
{
    jahs_net *net;
    size_t scratch;
    if (max_batch < 1) {
        JAHS_FAIL(err, JAHS_EINVAL, "batch size %d < 1", max_batch);
        return NULL;
    }
    if (!(net = calloc(1, sizeof *net))) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a network");
        return NULL;
    }
    net->max_batch = max_batch;
    {
        const char *f = getenv("JAHS_NET_FUSE");
        net->fuse = !(f && strcmp(f, "0") == 0);
    }
    if (!(net->g = jahs_net_build(spec, err)) ||
        !(net->workers = jahs_workers_create(threads, err))) {
        jahs_net_free(net);
        return NULL;
    }
    net->threads = jahs_workers_count(net->workers);
    jahs_blas_single_thread();
    /* im2col per thread, weight-gradient partials per chunk, and the
     * flipped weights of the conv being back-propagated */
    scratch = (size_t)net->threads * net->g->max_col +
              (size_t)(JAHS_GRAD_CHUNKS + 1) * net->g->max_conv_w;
    net->params = pool(net->g->n_params, &net->bytes);
    net->grads = pool(net->g->n_params, &net->bytes);
    net->momentum = pool(net->g->n_params, &net->bytes);
    net->buffers = pool(net->g->n_buffers, &net->bytes);
    net->act = pool(net->g->act_per_image * (size_t)max_batch +
                        net->g->act_fixed,
                    &net->bytes);
    net->dact = pool(net->g->grad_per_image * (size_t)max_batch, &net->bytes);
    net->scratch = pool(scratch, &net->bytes);
    {
        int i;
        for (i = 0; i < net->g->nop; i++)
            if (net->g->op[i].kind == JAHS_OP_BN &&
                net->g->t[net->g->op[i].in].c > net->bn_c)
                net->bn_c = net->g->t[net->g->op[i].in].c;
        net->bn_part = (double *)pool(
            2 * (2 * (size_t)max_batch * (size_t)net->bn_c), &net->bytes);
        net->bn_coef = pool(2 * (size_t)net->bn_c, &net->bytes);
        for (i = 0; i < JAHS_NET_DSLOTS; i++)
            net->dpart[i] = (double *)pool(
                2 * (2 * (size_t)max_batch * (size_t)net->bn_c), &net->bytes);
        if ((net->first_reader = calloc((size_t)net->g->nt, sizeof(int))))
            for (i = 0; i < net->g->nt; i++)
                net->first_reader[i] = -1;
        for (i = net->g->nop - 1; i >= 0 && net->first_reader; i--)
            net->first_reader[net->g->op[i].in] = i;
    }
    {
        const char *f = getenv("JAHS_TEST_DNNL_FALLBACK");
        net->test_fallback = f && strcmp(f, "1") == 0;
    }
    if (conv_setup(net, err) < 0 || plan_layout(net, err) < 0) {
        jahs_net_free(net);
        return NULL;
    }
    if (!net->params || !net->grads || !net->momentum || !net->buffers ||
        !net->act || !net->dact || !net->scratch || !net->bn_part ||
        !net->first_reader || !net->dpart[JAHS_NET_DSLOTS - 1] ||
        !net->dpart[0] || !net->dpart[1] || !net->dpart[2] ||
        !net->bn_coef) {
        JAHS_FAIL(err, JAHS_ENOMEM,
                  "out of memory for a network of %.0f MB (batch %d)",
                  (double)net->bytes / 1e6, max_batch);
        jahs_net_free(net);
        return NULL;
    }
    /* everything starts at zero: no result can depend on stale memory */
    memset(net->act, 0, (net->g->act_per_image * (size_t)max_batch +
                         net->g->act_fixed) * sizeof(float));
    memset(net->dact, 0,
           net->g->grad_per_image * (size_t)max_batch * sizeof(float));
    memset(net->params, 0, net->g->n_params * sizeof(float));
    memset(net->grads, 0, net->g->n_params * sizeof(float));
    memset(net->momentum, 0, net->g->n_params * sizeof(float));
    memset(net->buffers, 0, net->g->n_buffers * sizeof(float));
    return net;
}

void jahs_net_free(jahs_net *net)
{
    if (!net)
        return;
    free(net->params);
    free(net->grads);
    free(net->momentum);
    free(net->buffers);
    free(net->act);
    free(net->dact);
    free(net->scratch);
    free(net->bn_part);
    free(net->bn_coef);
    {
        int k;
        for (k = 0; k < JAHS_NET_DSLOTS; k++)
            free(net->dpart[k]);
    }
    free(net->first_reader);
    free(net->blk);
    free(net->b16tmp);
    if (net->dnnl) {
        int i;
        for (i = 0; i < net->g->nop; i++)
            jahs_dnnl_conv_free(net->dnnl[i]);
        free(net->dnnl);
    }
    jahs_workers_free(net->workers);
    jahs_graph_free(net->g);
    free(net);
}

const jahs_graph *jahs_net_graph(const jahs_net *net) { return net->g; }
int jahs_net_max_batch(const jahs_net *net) { return net->max_batch; }
size_t jahs_net_memory(const jahs_net *net) { return net->bytes; }
float *jahs_net_params(jahs_net *net) { return net->params; }
float *jahs_net_grads(jahs_net *net) { return net->grads; }
float *jahs_net_momentum(jahs_net *net) { return net->momentum; }
float *jahs_net_buffers(jahs_net *net) { return net->buffers; }

/* Activation of tensor t (image 0) and its gradient. */
static float *A(const jahs_net *net, int t)
{
    return net->act + net->g->t[t].act * (size_t)net->max_batch;
}

static float *G(const jahs_net *net, int t)
{
    return net->dact + net->g->t[t].grad * (size_t)net->max_batch;
}

float *jahs_net_input(jahs_net *net) { return A(net, net->g->input); }

const float *jahs_net_activation(const jahs_net *net, int t)
{
    return A(net, t);
}

void jahs_net_activation_nchw(const jahs_net *net, int t, int n, float *out)
{
    const jahs_tensor *x = &net->g->t[t];
    if (net->blk[t])
        net->bops->to_nchw(n, x->c, x->h * x->w, A(net, t), out, 0);
    else
        memcpy(out, A(net, t), (size_t)n * x->size * sizeof *out);
}

const float *jahs_net_logits(const jahs_net *net)
{
    return A(net, net->g->logits);
}

static void uniform(jahs_rng *r, float *p, size_t n, double bound)
{
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = (float)((2.0 * jahs_rng_uniform(r) - 1.0) * bound);
}

int jahs_net_init(jahs_net *net, uint64_t seed, uint64_t index,
                  jahs_error *err)
{
    jahs_rng *r = jahs_rng_create(seed, "train/init", index, err);
    int i;
    size_t j;
    if (!r)
        return err ? err->code : JAHS_ENOMEM;
    for (i = 0; i < net->g->nop; i++) {
        const jahs_op *op = &net->g->op[i];
        const jahs_conv_shape *s = &op->conv;
        switch (op->kind) {
        case JAHS_OP_CONV:
            uniform(r, net->params + op->w, op->nw,
                    1.0 / sqrt((double)s->cin * s->k * s->k));
            break;
        case JAHS_OP_LINEAR: {
            double fan_in = (double)(op->nw / op->nb);
            uniform(r, net->params + op->w, op->nw, 1.0 / sqrt(fan_in));
            uniform(r, net->params + op->b, op->nb, 1.0 / sqrt(fan_in));
            break;
        }
        case JAHS_OP_BIAS: /* PyTorch Conv2d: U(-1/sqrt(fan_in), ..) */
            uniform(r, net->params + op->b, op->nb, op->p);
            break;
        case JAHS_OP_BN:
            for (j = 0; j < op->nw; j++) {
                net->params[op->w + j] = 1.0f;
                net->params[op->b + j] = 0.0f;
                net->buffers[op->stat + j] = 0.0f;
                net->buffers[op->stat + op->nw + j] = 1.0f;
            }
            break;
        default:
            break;
        }
    }
    memset(net->momentum, 0, net->g->n_params * sizeof(float));
    jahs_rng_free(r);
    return 0;
}

/* ---- per-operation jobs ------------------------------------------------ */

typedef struct {
    jahs_net *net;
    const jahs_op *op;
    int n;
    const float *x;  /* input activation */
    float *y;        /* output activation */
    const float *dy; /* gradient of the output */
    float *dx;       /* gradient of the input */
    size_t xs, ys;   /* floats per image */
    size_t total;    /* element-wise: n ys */
    int tasks;
    float *dw;       /* wreduce_task's output: the weight gradient, or the
                        sum in oneDNN's layout (dnnl_dw_native) */
} job;

static float *col_of(const jahs_net *net, int thread)
{
    return net->scratch + (size_t)thread * net->g->max_col;
}

/* Chunk k's partial weight gradient; k = JAHS_GRAD_CHUNKS is the flipped
 * weights' slot. */
static float *partial_of(const jahs_net *net, int k)
{
    return net->scratch + (size_t)net->threads * net->g->max_col +
           (size_t)k * net->g->max_conv_w;
}

/* Element range [lo, hi) of task t of an element-wise job. */
static void range(const job *j, int t, size_t *lo, size_t *hi)
{
    *lo = j->total * (size_t)t / (size_t)j->tasks;
    *hi = j->total * (size_t)(t + 1) / (size_t)j->tasks;
}

/*
 * The reference convolution where a side is blocked (a oneDNN pass that
 * fell back): image by image through NCHW copies in the thread's two
 * scratch images.  ref_view gives an NCHW view of image data v of tensor
 * t: v itself when t is NCHW, else slot `slot`'s copy of it (load: the
 * values; else uninitialised, for an output written whole); ref_store
 * puts a view written in slot `slot` back.
 */
static float *ref_view(const jahs_net *net, int thread, int slot, int t,
                       const float *v, int load)
{
    const jahs_tensor *x = &net->g->t[t];
    float *s = net->b16tmp + ((size_t)thread * 2 + (size_t)slot) * net->b16max;
    if (!net->blk[t])
        return (float *)v;
    if (load)
        net->bops->to_nchw(1, x->c, x->h * x->w, v, s, 0);
    return s;
}

static void ref_store(const jahs_net *net, int t, const float *view, float *v)
{
    const jahs_tensor *x = &net->g->t[t];
    if (net->blk[t])
        net->bops->from_nchw(1, x->c, x->h * x->w, view, v);
}

static void fwd_task(void *p, int t, int thread)
{
    job *j = p;
    const jahs_op *op = j->op;
    const float *x = j->x + (size_t)t * j->xs;
    float *y = j->y + (size_t)t * j->ys;
    const jahs_tensor *in = &j->net->g->t[op->in];
    size_t lo, hi;
    switch (op->kind) {
    case JAHS_OP_CONV: {
        const float *vx = ref_view(j->net, thread, 0, op->in, x, 1);
        float *vy = ref_view(j->net, thread, 1, op->out, y, op->acc);
        jahs_conv_forward(&op->conv, vx, j->net->params + op->w, vy, op->acc,
                          col_of(j->net, thread));
        ref_store(j->net, op->out, vy, y);
        break;
    }
    case JAHS_OP_AVGPOOL3:
        ops_of(j->net, op->in)->pool3_fwd(in->c, in->h, in->w, x, y, op->acc);
        break;
    case JAHS_OP_AVGPOOL2:
        ops_of(j->net, op->in)->pool2_fwd(in->c, in->h, in->w, x, y, op->acc);
        break;
    case JAHS_OP_MAXPOOL2:
        jahs_maxpool2_forward(in->c, in->h, in->w, x, y, op->acc);
        break;
    case JAHS_OP_BIAS:
        jahs_bias_forward(in->c, in->h * in->w, x, j->net->params + op->b, y,
                          op->acc);
        break;
    case JAHS_OP_GAP:
        ops_of(j->net, op->in)->gap_fwd(in->c, in->h * in->w, x, y, op->acc);
        break;
    case JAHS_OP_RELU:
        range(j, t, &lo, &hi);
        jahs_relu_forward(hi - lo, j->x + lo, j->y + lo);
        break;
    case JAHS_OP_COPY:
        range(j, t, &lo, &hi);
        jahs_copy(hi - lo, j->x + lo, j->y + lo, op->acc);
        break;
    case JAHS_OP_DROPOUT:
        range(j, t, &lo, &hi);
        if (j->net->train && op->p > 0.0f)
            jahs_dropout_forward(jahs_dropout_key(j->net->dropout_seed,
                                                  j->net->step, op->site),
                                 op->p, lo, hi - lo, j->x + lo, j->y + lo);
        else
            jahs_copy(hi - lo, j->x + lo, j->y + lo, 0);
        break;
    default: /* BN runs by images (bn_forward_train, bn_forward_eval) */
        break;
    }
}

static void bwd_task(void *p, int t, int thread)
{
    job *j = p;
    const jahs_op *op = j->op;
    const jahs_tensor *in = &j->net->g->t[op->in];
    const float *dy = j->dy + (size_t)t * j->ys;
    float *dx = j->dx ? j->dx + (size_t)t * j->xs : NULL;
    size_t lo, hi;
    switch (op->kind) {
    case JAHS_OP_CONV: {
        const float *vdy = ref_view(j->net, thread, 1, op->out, dy, 1);
        float *vdx = ref_view(j->net, thread, 0, op->in, dx, op->din_acc);
        if (jahs_conv_is_same(&op->conv) && op->conv.k > 1)
            jahs_conv_backward_data_same(&op->conv, vdy,
                                         partial_of(j->net, JAHS_GRAD_CHUNKS),
                                         vdx, op->din_acc,
                                         col_of(j->net, thread));
        else
            jahs_conv_backward_data(&op->conv, vdy, j->net->params + op->w,
                                    vdx, op->din_acc, col_of(j->net, thread));
        ref_store(j->net, op->in, vdx, dx);
        break;
    }
    case JAHS_OP_AVGPOOL3:
        ops_of(j->net, op->in)->pool3_bwd(in->c, in->h, in->w, dy, dx,
                                          op->din_acc);
        break;
    case JAHS_OP_AVGPOOL2:
        ops_of(j->net, op->in)->pool2_bwd(in->c, in->h, in->w, dy, dx,
                                          op->din_acc);
        break;
    case JAHS_OP_MAXPOOL2:
        jahs_maxpool2_backward(in->c, in->h, in->w, j->x + (size_t)t * j->xs,
                               dy, dx, op->din_acc);
        break;
    case JAHS_OP_BIAS: { /* task t: its channels over the batch */
        int c0 = in->c * t / j->tasks, c1 = in->c * (t + 1) / j->tasks;
        jahs_bias_backward_range(j->n, in->c, in->h * in->w, c0, c1, j->dy,
                                 j->dx, op->din_acc, j->net->grads + op->b);
        break;
    }
    case JAHS_OP_GAP:
        ops_of(j->net, op->in)->gap_bwd(in->c, in->h * in->w, dy, dx,
                                        op->din_acc);
        break;
    case JAHS_OP_RELU:
        range(j, t, &lo, &hi);
        jahs_relu_backward(hi - lo, j->y + lo, j->dy + lo, j->dx + lo,
                           op->din_acc);
        break;
    case JAHS_OP_COPY:
        range(j, t, &lo, &hi);
        jahs_copy(hi - lo, j->dy + lo, j->dx + lo, op->din_acc);
        break;
    case JAHS_OP_DROPOUT:
        range(j, t, &lo, &hi);
        if (op->p > 0.0f)
            jahs_dropout_backward(jahs_dropout_key(j->net->dropout_seed,
                                                   j->net->step, op->site),
                                  op->p, lo, hi - lo, j->dy + lo, j->dx + lo,
                                  op->din_acc);
        else
            jahs_copy(hi - lo, j->dy + lo, j->dx + lo, op->din_acc);
        break;
    default: /* BN runs by images (bn_backward) */
        break;
    }
}

/* Conv weight gradient: chunk k of the batch into partial k. */
/* Chunk k of n images: [lo, hi), the fixed partition of JAHS_GRAD_CHUNKS. */
static void chunk(int n, int k, int *lo, int *hi)
{
    *lo = n * k / JAHS_GRAD_CHUNKS;
    *hi = n * (k + 1) / JAHS_GRAD_CHUNKS;
}

static void wgrad_task(void *p, int k, int thread)
{
    job *j = p;
    const jahs_op *op = j->op;
    int i, lo, hi;
    float *part = partial_of(j->net, k);
    chunk(j->n, k, &lo, &hi);
    if (hi == lo) {
        memset(part, 0, op->nw * sizeof *part);
        return;
    }
    for (i = lo; i < hi; i++)
        jahs_conv_backward_weight(
            &op->conv,
            ref_view(j->net, thread, 0, op->in, j->x + (size_t)i * j->xs, 1),
            ref_view(j->net, thread, 1, op->out, j->dy + (size_t)i * j->ys, 1),
            part, i > lo, col_of(j->net, thread));
}

/* Sum the partials in chunk order into j->dw (the weight gradient when
 * NULL), a slice of the weights per task, in runs of 2048 floats that
 * stay in L1 over the 8 partials (each element's sum in chunk order). */
static void wreduce_task(void *p, int t, int thread)
{
    job *j = p;
    const jahs_op *op = j->op;
    size_t lo = op->nw * (size_t)t / (size_t)j->net->threads;
    size_t hi = op->nw * (size_t)(t + 1) / (size_t)j->net->threads, e, r, re;
    float *dw = j->dw ? j->dw : j->net->grads + op->w;
    int k;
    (void)thread;
    for (r = lo; r < hi; r = re) {
        re = r + 2048 < hi ? r + 2048 : hi;
        memcpy(dw + r, partial_of(j->net, 0) + r, (re - r) * sizeof *dw);
        for (k = 1; k < JAHS_GRAD_CHUNKS; k++) {
            const float *part = partial_of(j->net, k);
            for (e = r; e < re; e++)
                dw[e] += part[e];
        }
    }
}

/* ---- batch norm in training mode, over ranges of images --------------- */

/* Images [lo, hi) of task t of a BN job (j->tasks ranges); the BN's dims. */
static jahs_bn_dims image_range(const job *j, int t, int *lo, int *hi)
{
    const jahs_tensor *in = &j->net->g->t[j->op->in];
    jahs_bn_dims d = {j->n, in->c, in->h * in->w};
    *lo = (int)((size_t)j->n * (size_t)t / (size_t)j->tasks);
    *hi = (int)((size_t)j->n * (size_t)(t + 1) / (size_t)j->tasks);
    return d;
}

static float *bn_save(const jahs_net *net, const jahs_op *op)
{
    return net->act + net->g->act_per_image * (size_t)net->max_batch +
           op->save;
}

static void bn_stats_task(void *p, int t, int thread)
{
    job *j = p;
    int lo, hi;
    jahs_bn_dims d = image_range(j, t, &lo, &hi);
    (void)thread;
    ops_of(j->net, j->op->in)->stats(&d, lo, hi, j->x, j->net->bn_part);
}

static void bn_apply_task(void *p, int t, int thread)
{
    job *j = p;
    int lo, hi;
    jahs_bn_dims d = image_range(j, t, &lo, &hi);
    (void)thread;
    ops_of(j->net, j->op->in)->apply(&d, lo, hi, j->x, j->net->bn_coef,
                                     j->net->bn_coef + d.c, j->y, j->op->acc);
}

static void bn_dsums_task(void *p, int t, int thread)
{
    job *j = p;
    const float *save = bn_save(j->net, j->op);
    int lo, hi;
    jahs_bn_dims d = image_range(j, t, &lo, &hi);
    (void)thread;
    ops_of(j->net, j->op->in)->dsums(&d, lo, hi, j->x, j->dy, save,
                                     save + d.c, j->net->bn_part);
}

static void bn_dx_task(void *p, int t, int thread)
{
    job *j = p;
    const float *save = bn_save(j->net, j->op);
    int lo, hi;
    jahs_bn_dims d = image_range(j, t, &lo, &hi);
    (void)thread;
    ops_of(j->net, j->op->in)->dx(
        &d, lo, hi, j->x, j->dy, j->net->params + j->op->w, save, save + d.c,
        j->net->bn_coef, j->net->bn_coef + d.c, j->dx, j->op->din_acc);
}

/* Tasks for a BN pass over images: a few per thread. */
static int bn_tasks(const jahs_net *net)
{
    int t = net->threads * 4;
    return t < net->n ? t : net->n;
}

/* Training-mode forward of BN op j->op: statistics by images, per channel
 * totals, normalisation by images (the same bits as per channel). */
static void bn_forward_train(jahs_net *net, job *j)
{
    const jahs_op *op = j->op;
    const jahs_tensor *in = &net->g->t[op->in];
    jahs_bn_dims d = {net->n, in->c, in->h * in->w};
    float *P = net->params, *S = net->buffers, *save = bn_save(net, op);
    int ch;
    j->tasks = bn_tasks(net);
    if (net->bn_stats_ready != op)
        jahs_workers_run(net->workers, j->tasks, bn_stats_task, j);
    net->bn_stats_ready = NULL;
    for (ch = 0; ch < in->c; ch++)
        jahs_bn_stats_finish(&d, ch, net->bn_part, P[op->w + ch],
                             P[op->b + ch], net->bn_coef + ch,
                             net->bn_coef + in->c + ch, save + ch,
                             save + in->c + ch, S + op->stat + ch,
                             S + op->stat + in->c + ch);
    jahs_workers_run(net->workers, j->tasks, bn_apply_task, j);
}

/* Evaluation-mode forward of a BN op: the running statistics'
 * coefficients as jahs_bn_forward_eval computes them, then the
 * normalisation by images in the tensor's layout (the same bits). */
static void bn_forward_eval(jahs_net *net, job *j)
{
    const jahs_op *op = j->op;
    const float *P = net->params, *S = net->buffers;
    int c = net->g->t[op->in].c, ch;
    for (ch = 0; ch < c; ch++) {
        float istd = (float)(1.0 / sqrt((double)S[op->stat + c + ch] +
                                        (double)JAHS_BN_EPS));
        float scale = P[op->w + ch] * istd;
        net->bn_coef[ch] = scale;
        net->bn_coef[c + ch] = P[op->b + ch] - S[op->stat + ch] * scale;
    }
    j->tasks = bn_tasks(net);
    jahs_workers_run(net->workers, j->tasks, bn_apply_task, j);
}

static void bn_backward(jahs_net *net, job *j)
{
    const jahs_op *op = j->op;
    const jahs_tensor *in = &net->g->t[op->in];
    jahs_bn_dims d = {net->n, in->c, in->h * in->w};
    float *Gp = net->grads;
    const double *part = net->bn_part;
    int ch, k;
    j->tasks = bn_tasks(net);
    for (k = 0; k < JAHS_NET_DSLOTS; k++)
        if (net->dpart_op[k] == op) { /* summed by a conv's tasks */
            part = net->dpart[k];
            net->dpart_op[k] = NULL;
            break;
        }
    if (k == JAHS_NET_DSLOTS)
        jahs_workers_run(net->workers, j->tasks, bn_dsums_task, j);
    for (ch = 0; ch < in->c; ch++)
        jahs_bn_dsums_finish(&d, ch, part, net->bn_coef + ch,
                             net->bn_coef + in->c + ch, &Gp[op->w + ch],
                             &Gp[op->b + ch]);
    if (j->dx)
        jahs_workers_run(net->workers, j->tasks, bn_dx_task, j);
}

/* ---- BN's input gradient straight into the conv before it ------------- */

/*
 * A training-mode BN op i whose input is the output of conv op i - 1 and
 * whose input gradient it writes first (din_acc 0: no op after it reads
 * that tensor, none between: BN is its only reader) hands its dx pass to
 * that conv's backward, when the conv runs on oneDNN with dy in nChw16c
 * for every chunk size of this batch: each chunk's task then computes BN's
 * dx for its images, image by image into an L2-sized NCHW scratch, and
 * reorders it into the conv's dy (blk16), so the NCHW gradient is never
 * written to memory and read back.  The arithmetic is jahs_bn_dx's and the
 * reorder is pure movement: the same bits.
 */
static void chunk(int n, int k, int *lo, int *hi);
static int dnnl_conv_prepare(jahs_net *net, const jahs_op *op, int n,
                             int what);

/* Whether has(c, images) holds for every chunk size of this batch (the
 * layouts oneDNN chose for the chunks the passes run on). */
static int every_chunk(const jahs_net *net, const jahs_dnnl_conv *c,
                       int (*has)(const jahs_dnnl_conv *c, int mb))
{
    int k, lo, hi;
    for (k = 0; k < JAHS_GRAD_CHUNKS; k++) {
        chunk(net->n, k, &lo, &hi);
        if (hi > lo && !has(c, hi - lo))
            return 0;
    }
    return 1;
}

/* Whether the tensors' activation memory (floats per image) overlaps. */
static int act_overlap(const jahs_tensor *a, const jahs_tensor *b)
{
    return a->act < b->act + b->size && b->act < a->act + a->size;
}

/* Whether the tensors' gradient memory overlaps. */
static int grad_overlap(const jahs_tensor *a, const jahs_tensor *b)
{
    return a->grad < b->grad + b->size && b->grad < a->grad + a->size;
}

/*
 * The same, but for tensors whose memory the plan handed from one to the
 * other in the same slot (same offset, same floats per image): image i of
 * one is then exactly image i of the other, so a chunk task that is done
 * with its images of the first before it writes its images of the second
 * (every fusion below reads its inputs of a chunk before it writes that
 * chunk's outputs) never touches another task's images.  Partial overlaps
 * still rule a fusion out.
 */
static int act_clash(const jahs_tensor *a, const jahs_tensor *b)
{
    return act_overlap(a, b) && !(a->act == b->act && a->size == b->size);
}

static int grad_clash(const jahs_tensor *a, const jahs_tensor *b)
{
    return grad_overlap(a, b) && !(a->grad == b->grad && a->size == b->size);
}

static int bn_fusable(jahs_net *net, int i)
{
    const jahs_graph *g = net->g;
    const jahs_op *op = &g->op[i], *cv;
    const jahs_tensor *t;
    if (!net->fuse || !net->dnnl || i < 1 || !op->din || op->din_acc)
        return 0;
    cv = &g->op[i - 1];
    t = &g->t[op->in];
    if (cv->kind != JAHS_OP_CONV || cv->out != op->in || cv->acc ||
        !net->dnnl[i - 1] || (!net->blk[op->in] && t->size > net->g->max_col))
        return 0;
    /* BN's dy is read during the conv's backward, past its planned life:
     * it must not share memory with the conv's input gradient (graph.c's
     * plan may give the conv's dx the slot BN's dy leaves at the BN) */
    if (cv->din && grad_clash(&g->t[op->out], &g->t[cv->in]))
        return 0;
    /* the conv's backward prepared now (its pass then runs at once); when
     * oneDNN cannot, no fusion, and the conv's own pass falls back */
    if (net->test_fallback ||
        dnnl_conv_prepare(net, cv, net->n,
                          JAHS_DNNL_BWD_WEIGHTS | JAHS_DNNL_BWD_DATA) < 0)
        return 0;
    /* blocked: BN's dx is written into the conv's dy chunk by chunk
     * (bn_dx_chunk), the layout the conv reads */
    return net->blk[op->in] ||
           every_chunk(net, net->dnnl[i - 1], jahs_dnnl_conv_dy_blk16);
}

/* Blocked: BN's dx (op net->bn_pending) for images [lo, hi) straight into
 * its input gradient, the conv's dy, just before the conv's backward
 * reads that chunk (the blocked BN dx over the chunk: the same bits as the
 * BN's own pass). */
static void bn_dx_chunk(const jahs_net *net, int lo, int hi)
{
    const jahs_op *op = net->bn_pending;
    const jahs_tensor *in = &net->g->t[op->in];
    const float *save = bn_save(net, op);
    jahs_bn_dims d = {net->n, in->c, in->h * in->w};
    net->bops->dx(&d, lo, hi, A(net, op->in), G(net, op->out),
                   net->params + op->w, save, save + in->c, net->bn_coef,
                   net->bn_coef + in->c, G(net, op->in), 0);
}

typedef struct {
    const jahs_net *net;
    int lo, hi; /* the chunk's images */
} bn_fill_ctx;

/* jahs_dnnl_dy_fill: BN's dx for images [lo, hi) into dst (nChw16c). */
static void bn_fill(void *p, int thread, float *dst)
{
    const bn_fill_ctx *f = p;
    const jahs_net *net = f->net;
    const jahs_op *op = net->bn_pending;
    const jahs_tensor *in = &net->g->t[op->in];
    const float *x = A(net, op->in), *dy = G(net, op->out);
    const float *save = bn_save(net, op);
    float *tmp = col_of(net, thread);
    jahs_bn_dims d1 = {1, in->c, in->h * in->w};
    int i;
    for (i = f->lo; i < f->hi; i++) {
        jahs_bn_dx(&d1, 0, 1, x + (size_t)i * in->size,
                   dy + (size_t)i * in->size, net->params + op->w, save,
                   save + in->c, net->bn_coef, net->bn_coef + in->c, tmp, 0);
        jahs_blk16_from_nchw(1, in->c, in->h * in->w, tmp,
                             dst + (size_t)(i - f->lo) * in->size);
    }
}

/* ---- a ReLU computed straight into the conv after it ------------------- */

/*
 * A ReLU op i whose output is the input of oneDNN conv op i + 1, taking x
 * in nChw16c for every chunk size of this batch, is left to that conv's
 * forward tasks: each computes the ReLU for its images, image by image
 * (the NCHW output is still written: the backward reads it, and so may
 * another conv), and reorders each image from L1 / L2 into the conv's x
 * (blk16) instead of the conv reading the whole output back from memory.
 * The node must not share planned memory with the conv's output (written
 * by other chunks while this one still reads) or the ReLU's.  Same bits.
 */
static int relu_fusable(jahs_net *net, int i)
{
    const jahs_graph *g = net->g;
    const jahs_op *op = &g->op[i], *cv;
    if (!net->fuse || !net->dnnl || i + 1 >= g->nop)
        return 0;
    cv = &g->op[i + 1];
    if (cv->kind != JAHS_OP_CONV || cv->in != op->out || !net->dnnl[i + 1] ||
        act_clash(&g->t[op->in], &g->t[cv->out]) ||
        act_clash(&g->t[op->in], &g->t[op->out]))
        return 0;
    if (net->test_fallback ||
        dnnl_conv_prepare(net, cv, net->n, JAHS_DNNL_FWD) < 0)
        return 0;
    /* blocked: the ReLU runs on the chunk into its own output, which the
     * conv then reads (mostly from L2) */
    return net->blk[op->out] ||
           every_chunk(net, net->dnnl[i + 1], jahs_dnnl_conv_src_blk16);
}

/* jahs_dnnl_dy_fill for x: the pending ReLU for images [lo, hi). */
static void relu_fill(void *p, int thread, float *dst)
{
    const bn_fill_ctx *f = p;
    const jahs_net *net = f->net;
    const jahs_op *op = net->relu_pending;
    const jahs_tensor *t = &net->g->t[op->out];
    const float *x = A(net, op->in);
    float *y = A(net, op->out);
    int i;
    (void)thread;
    for (i = f->lo; i < f->hi; i++) {
        jahs_relu_forward(t->size, x + (size_t)i * t->size,
                          y + (size_t)i * t->size);
        jahs_blk16_from_nchw(1, t->c, t->h * t->w, y + (size_t)i * t->size,
                             dst + (size_t)(i - f->lo) * t->size);
    }
}

/* ---- a ReLU's backward straight from the conv after it ---------------- */

/*
 * A ReLU op i - 1 whose output is the input of oneDNN conv op i, with BN's
 * dx left to that conv (bn_pending) and the conv's dx in nChw16c for every
 * chunk size of this batch, is done by the conv's backward tasks: each
 * reorders its chunk's dx (summing onto what the ReLU's later consumers
 * wrote, when the conv's din_acc says so) and applies the ReLU's mask in
 * one pass (jahs_blk16_to_nchw_relu_bwd), so the ReLU's output gradient is
 * never stored and read back.  The conv is that gradient's last writer
 * (its other consumers come after it, so their backward ran before) and
 * the ReLU its only reader.  The ReLU's input gradient must not share
 * memory with anything the other chunks still read: its output gradient
 * and the BN's dy (the conv's dy, BN's dx, is never stored: bn_fill; the
 * plan may well give that unused slot to the ReLU's input gradient).
 * Same bits (the same adds and selects).
 */
static int relu_bwd_fusable(jahs_net *net, int i)
{
    const jahs_graph *g = net->g;
    const jahs_op *cv = &g->op[i], *rl, *bn = net->bn_pending;
    const jahs_tensor *din;
    int blk = net->blk[cv->out]; /* dnnl_task's blocked branch */
    if (!net->fuse || (!bn && !blk) || i < 1 || !cv->din || !net->dnnl ||
        !net->dnnl[i] || net->test_fallback)
        return 0;
    rl = &g->op[i - 1];
    if (rl->kind != JAHS_OP_RELU || rl->out != cv->in || !rl->din ||
        rl->dout_zero)
        return 0;
    din = &g->t[rl->in];
    if (grad_overlap(din, &g->t[rl->out]) ||
        (bn && grad_clash(din, &g->t[bn->out])))
        return 0;
    /* blocked: the conv writes its dx (the ReLU's output gradient) and
     * the ReLU's backward runs on the chunk after it (relu_bwd_chunk); the
     * conv's dy must then not share memory with din either (other chunks
     * read it) */
    if (blk)
        return !grad_clash(din, &g->t[cv->out]);
    return every_chunk(net, net->dnnl[i], jahs_dnnl_conv_dx_blk16);
}

/*
 * BN's dy sums in the same chunk tasks.  When the fused ReLU (relu_bwd_for,
 * blocked: relu_bwd_chunk) is its input node's first reader in forward
 * order, its backward is the last to add into the node's gradient: after
 * it, a chunk's images of that gradient are final.  Each training-mode BN
 * writing the node (its dy is the node's gradient) then gets its dsums
 * for the chunk's images there, from L2, into a free part slot, instead of
 * its own pass over the batch later (bn_backward finds the slot).  The
 * kernel is the pass's, per image, so the same bits.  Reads only: the
 * BN's x (activations, not written in the backward pass) and the node's
 * gradient, whose chunk only this task writes (relu_bwd_fusable checked
 * its overlaps).  Sets dsums_for; slots are marked taken by dsums_done.
 */
static void dsums_plan(jahs_net *net)
{
    const jahs_graph *g = net->g;
    const jahs_op *rl = net->relu_bwd_for;
    int i, k;
    net->n_dsums_for = 0;
    if (!rl || !net->train || net->first_reader[rl->in] != rl - g->op)
        return;
    for (i = 0; i < g->nop; i++) {
        const jahs_op *b = &g->op[i];
        if (b->kind != JAHS_OP_BN || b->out != rl->in)
            continue;
        for (k = 0; k < JAHS_NET_DSLOTS; k++) {
            int used = net->dpart_op[k] != NULL, m;
            for (m = 0; m < net->n_dsums_for; m++)
                used |= net->dsums_slot[m] == k;
            if (!used)
                break;
        }
        if (k == JAHS_NET_DSLOTS)
            return; /* no free slot: the rest sum in their own pass */
        net->dsums_for[net->n_dsums_for] = b;
        net->dsums_slot[net->n_dsums_for++] = k;
    }
}

/* dsums_plan's BNs for images [lo, hi), after relu_bwd_chunk. */
static void dsums_chunk(const jahs_net *net, int lo, int hi)
{
    int m;
    for (m = 0; m < net->n_dsums_for; m++) {
        const jahs_op *b = net->dsums_for[m];
        const jahs_tensor *in = &net->g->t[b->in];
        const float *save = bn_save(net, b);
        jahs_bn_dims d = {net->n, in->c, in->h * in->w};
        ops_of(net, b->in)->dsums(
            &d, lo, hi, A(net, b->in), G(net, b->out), save, save + in->c,
            net->dpart[net->dsums_slot[m]]);
    }
}

/* The conv's pass ran: dsums_plan's slots hold their BNs' sums. */
static void dsums_done(jahs_net *net)
{
    int m;
    for (m = 0; m < net->n_dsums_for; m++)
        net->dpart_op[net->dsums_slot[m]] = net->dsums_for[m];
    net->n_dsums_for = 0;
}

/* Blocked: the pending ReLU's backward for images [lo, hi), after the conv
 * after it wrote their gradient (jahs_relu_backward over the chunk). */
static void relu_bwd_chunk(const jahs_net *net, int lo, int hi)
{
    const jahs_op *rl = net->relu_bwd_for;
    const jahs_tensor *t = &net->g->t[rl->out];
    size_t o = (size_t)lo * t->size, m = (size_t)(hi - lo) * t->size;
    jahs_relu_backward(m, A(net, rl->out) + o, G(net, rl->out) + o,
                       G(net, rl->in) + o, rl->din_acc);
}

/* jahs_dnnl_dx_sink: the pending ReLU's backward for images [lo, hi). */
static void relu_sink(void *p, int thread, const float *src)
{
    const bn_fill_ctx *f = p;
    const jahs_net *net = f->net;
    const jahs_op *rl = net->relu_bwd_for;
    const jahs_op *cv = rl + 1;
    const jahs_tensor *t = &net->g->t[rl->out];
    size_t o = (size_t)f->lo * t->size;
    (void)thread;
    jahs_blk16_to_nchw_relu_bwd(f->hi - f->lo, t->c, t->h * t->w, src,
                                cv->din_acc ? G(net, rl->out) + o : NULL,
                                A(net, rl->out) + o, G(net, rl->in) + o,
                                rl->din_acc);
}

/* ---- oneDNN convolutions: one chunk of the batch per task ------------- */

static void dnnl_failed(jahs_net *net, const jahs_error *e)
{
    /* the first failure is kept; a race on the count only loses a count */
    if (__atomic_fetch_add(&net->dnnl_errors, 1, __ATOMIC_RELAXED) == 0)
        net->dnnl_err = *e;
}

static void dnnl_task(void *p, int k, int thread)
{
    job *j = p;
    const jahs_op *op = j->op;
    jahs_dnnl_conv *c = j->net->dnnl[op - j->net->g->op];
    jahs_error e = {0};
    int lo, hi, rc = 0;
    chunk(j->n, k, &lo, &hi);
    if (j->tasks != JAHS_DNNL_FWD && hi == lo) {
        memset(partial_of(j->net, k), 0, op->nw * sizeof(float));
        return;
    }
    if (hi == lo)
        return;
    if (j->tasks == JAHS_DNNL_FWD) {
        if (j->net->relu_pending && j->net->blk[op->in]) {
            /* blocked: the ReLU before on the chunk, then the conv */
            const jahs_op *rl = j->net->relu_pending;
            size_t o = (size_t)lo * j->xs, m = (size_t)(hi - lo) * j->xs;
            jahs_relu_forward(m, A(j->net, rl->in) + o, A(j->net, rl->out) + o);
            rc = jahs_dnnl_conv_forward(c, thread, hi - lo, j->x + o,
                                        j->y + (size_t)lo * j->ys, op->acc,
                                        &e);
        } else if (j->net->relu_pending) { /* x from the ReLU before */
            bn_fill_ctx f = {j->net, lo, hi};
            rc = jahs_dnnl_conv_forward_fill(c, thread, hi - lo, relu_fill,
                                             &f, j->y + (size_t)lo * j->ys,
                                             op->acc, &e);
        } else {
            rc = jahs_dnnl_conv_forward(c, thread, hi - lo,
                                        j->x + (size_t)lo * j->xs,
                                        j->y + (size_t)lo * j->ys, op->acc,
                                        &e);
        }
        if (j->net->bn_stats_for) {
            /* the BN after this conv: its sums over the chunk just written
             * (mostly still in L2), as its stats pass would sum them */
            const jahs_tensor *t = &j->net->g->t[op->out];
            jahs_bn_dims d = {j->n, t->c, t->h * t->w};
            ops_of(j->net, op->out)->stats(&d, lo, hi, j->y,
                                           j->net->bn_part);
        }
    } else if (j->net->blk[op->out]) {
        /* blocked: BN's dx into this chunk's dy first (bn_dx_chunk), both
         * passes, then the ReLU before's backward (relu_bwd_chunk) */
        if (j->net->bn_pending)
            bn_dx_chunk(j->net, lo, hi);
        rc = jahs_dnnl_conv_backward(
            c, thread, hi - lo, j->x + (size_t)lo * j->xs,
            j->dy + (size_t)lo * j->ys, partial_of(j->net, k),
            j->dx ? j->dx + (size_t)lo * j->xs : NULL, op->din_acc, &e);
        if (rc == 0 && j->net->relu_bwd_for) {
            relu_bwd_chunk(j->net, lo, hi);
            dsums_chunk(j->net, lo, hi);
        }
    } else if (j->net->bn_pending) { /* dy from the BN after this conv */
        bn_fill_ctx f = {j->net, lo, hi};
        if (j->net->relu_bwd_for) /* dx into the ReLU before (relu_sink) */
            rc = jahs_dnnl_conv_backward_fill_sink(
                c, thread, hi - lo, j->x + (size_t)lo * j->xs, bn_fill, &f,
                partial_of(j->net, k), relu_sink, &f, &e);
        else
            rc = jahs_dnnl_conv_backward_fill(
                c, thread, hi - lo, j->x + (size_t)lo * j->xs, bn_fill, &f,
                partial_of(j->net, k),
                j->dx ? j->dx + (size_t)lo * j->xs : NULL, op->din_acc, &e);
    } else /* both backward passes: weights into partial k, then dx */
        rc = jahs_dnnl_conv_backward(
            c, thread, hi - lo, j->x + (size_t)lo * j->xs,
            j->dy + (size_t)lo * j->ys, partial_of(j->net, k),
            j->dx ? j->dx + (size_t)lo * j->xs : NULL, op->din_acc, &e);
    if (rc < 0)
        dnnl_failed(j->net, &e);
}

/* Prepare pass `what` of conv op `op` for the chunk sizes of n images:
 * 0, or -1 when oneDNN could not (or the op has no oneDNN object). */
static int dnnl_conv_prepare(jahs_net *net, const jahs_op *op, int n,
                             int what)
{
    jahs_dnnl_conv *c = net->dnnl ? net->dnnl[op - net->g->op] : NULL;
    int k, lo, hi, last = -1;
    if (!c)
        return -1;
    for (k = 0; k < JAHS_GRAD_CHUNKS; k++) {
        jahs_error e = {0};
        chunk(n, k, &lo, &hi);
        /* at most two sizes (floor, ceil), in order */
        if (hi == lo || hi - lo == last)
            continue;
        if (jahs_dnnl_conv_prepare(c, hi - lo, what, net->params + op->w,
                                   &e) < 0)
            return -1;
        last = hi - lo;
    }
    return 0;
}

/*
 * Run pass `what` of conv op j->op through oneDNN over the fixed chunks;
 * 0, or -1 when the chunk sizes could not be prepared (nothing was written:
 * the caller runs the reference instead).  With a BN pending (bn_fusable:
 * the conv's backward was prepared then) it runs at once.
 */
/*
 * Backward: whether the chunks' weight gradients can stay in oneDNN's own
 * layout (jahs_dnnl_conv_dw_native for the batch's chunk sizes), summed
 * there by wreduce_task and reordered once (dnnl_dw_finish) instead of
 * once per chunk: for seqcnn-ss23's 512 x 512 x 9 weights the per-chunk
 * reorders were ~3 % of the step.  The same bits (each element's sum).
 */
static int dnnl_dw_native(const jahs_net *net, const jahs_op *op)
{
    int lo, hi, a, b;
    chunk(net->n, 0, &lo, &hi);
    a = hi - lo;
    chunk(net->n, JAHS_GRAD_CHUNKS - 1, &lo, &hi);
    b = hi - lo;
    if (a < 1)
        a = b; /* fewer images than chunks: the empty chunks write zeros */
    return net->fuse && op->nw <= net->g->max_conv_w &&
           jahs_dnnl_conv_dw_native(net->dnnl[op - net->g->op], a, b);
}

static int dnnl_conv_pass(jahs_net *net, job *j, int what)
{
    jahs_dnnl_conv *c;
    if (net->test_fallback ||
        (!net->bn_pending && !net->relu_pending &&
         dnnl_conv_prepare(net, j->op, j->n, what) < 0)) {
        /* correct either way (the reference runs); counted */
        if (net->dnnl && net->dnnl[j->op - net->g->op])
            net->dnnl_fallbacks++;
        return -1;
    }
    c = net->dnnl[j->op - net->g->op];
    j->tasks = what;
    if ((what & JAHS_DNNL_BWD_WEIGHTS) && dnnl_dw_native(net, j->op)) {
        j->dw = partial_of(net, JAHS_GRAD_CHUNKS); /* the native sum */
        jahs_dnnl_conv_set_dw_native(c, 1);
    }
    jahs_workers_run(net->workers, JAHS_GRAD_CHUNKS, dnnl_task, j);
    jahs_dnnl_conv_set_dw_native(c, 0);
    return 0;
}

/* After wreduce_task: a native sum (j->dw) into the weight gradient. */
static void dnnl_dw_finish(jahs_net *net, job *j)
{
    jahs_error e = {0};
    int lo, hi, k;
    if (!j->dw)
        return;
    for (k = 0; k < JAHS_GRAD_CHUNKS; k++) { /* a prepared chunk size */
        chunk(net->n, k, &lo, &hi);
        if (hi > lo)
            break;
    }
    if (jahs_dnnl_conv_dw_to_user(net->dnnl[j->op - net->g->op], hi - lo,
                                  j->dw, net->grads + j->op->w, &e) < 0)
        dnnl_failed(net, &e);
}

static void set_job(jahs_net *net, const jahs_op *op, job *j)
{
    const jahs_graph *g = net->g;
    memset(j, 0, sizeof *j);
    j->net = net;
    j->op = op;
    j->n = net->n;
    j->x = A(net, op->in);
    j->y = A(net, op->out);
    j->xs = g->t[op->in].size;
    j->ys = g->t[op->out].size;
    j->total = (size_t)net->n * j->ys;
}

/* Tasks for an element-wise job: a few per thread, at least 4096 floats. */
static int elem_tasks(const jahs_net *net, size_t total)
{
    size_t t = (size_t)net->threads * 4;
    if (total / 4096 < t)
        t = total / 4096;
    return t < 1 ? 1 : (int)t;
}

void jahs_net_forward(jahs_net *net, int n, int train, uint64_t dropout_seed,
                      uint64_t step)
{
    const jahs_graph *g = net->g;
    int i;
    net->n = n < net->max_batch ? n : net->max_batch;
    net->train = train;
    net->dropout_seed = dropout_seed;
    net->step = step;
    for (i = 0; i < g->nop; i++) {
        const jahs_op *op = &g->op[i];
        job j;
        set_job(net, op, &j);
        switch (op->kind) {
        case JAHS_OP_ZERO:
            memset(j.y, 0, j.total * sizeof(float));
            break;
        case JAHS_OP_LINEAR:
            jahs_linear_forward(net->n, (int)j.xs, (int)j.ys, j.x,
                                net->params + op->w, net->params + op->b, j.y);
            break;
        case JAHS_OP_BN:
            if (train)
                bn_forward_train(net, &j);
            else
                bn_forward_eval(net, &j);
            break;
        case JAHS_OP_CONV:
            /* a training-mode BN reading this conv's whole output next:
             * its statistics summed by the conv's chunk tasks */
            if (net->fuse && train && i + 1 < g->nop &&
                g->op[i + 1].kind == JAHS_OP_BN &&
                g->op[i + 1].in == op->out && !op->acc)
                net->bn_stats_for = &g->op[i + 1];
            if (dnnl_conv_pass(net, &j, JAHS_DNNL_FWD) < 0)
                jahs_workers_run(net->workers, net->n, fwd_task, &j);
            else
                net->bn_stats_ready = net->bn_stats_for;
            net->bn_stats_for = NULL;
            net->relu_pending = NULL;
            break;
        case JAHS_OP_RELU:
            if (relu_fusable(net, i)) {
                net->relu_pending = op; /* done by the conv's tasks */
                break;
            }
            j.tasks = elem_tasks(net, j.total);
            jahs_workers_run(net->workers, j.tasks, fwd_task, &j);
            break;
        case JAHS_OP_COPY:
        case JAHS_OP_DROPOUT:
            j.tasks = elem_tasks(net, j.total);
            jahs_workers_run(net->workers, j.tasks, fwd_task, &j);
            break;
        default: /* per image */
            jahs_workers_run(net->workers, net->n, fwd_task, &j);
            break;
        }
    }
}

double jahs_net_loss(jahs_net *net, const uint8_t *labels, int *correct)
{
    const jahs_graph *g = net->g;
    return jahs_softmax_ce(net->n, g->t[g->logits].c, A(net, g->logits),
                           labels, G(net, g->logits), correct);
}

void jahs_net_backward(jahs_net *net)
{
    const jahs_graph *g = net->g;
    int i;
    for (i = 0; i < JAHS_NET_DSLOTS; i++) /* none waits from another step */
        net->dpart_op[i] = NULL;
    for (i = g->nop - 1; i >= 0; i--) {
        const jahs_op *op = &g->op[i];
        job j;
        set_job(net, op, &j);
        j.dy = G(net, op->out);
        j.dx = op->din ? G(net, op->in) : NULL;
        if (op->dout_zero)
            memset(G(net, op->out), 0, j.total * sizeof(float));
        switch (op->kind) {
        case JAHS_OP_ZERO:
            break;
        case JAHS_OP_LINEAR:
            jahs_linear_backward(net->n, (int)j.xs, (int)j.ys, j.x,
                                 net->params + op->w, j.dy, j.dx, op->din_acc,
                                 net->grads + op->w, net->grads + op->b);
            break;
        case JAHS_OP_CONV:
            /* oneDNN: one task per chunk does both backward passes (and
             * the ReLU before's, relu_bwd_fusable) */
            if (relu_bwd_fusable(net, i)) {
                net->relu_bwd_for = &g->op[i - 1];
                if (net->blk[op->out]) /* the chunk-local branch */
                    dsums_plan(net);
            }
            if (dnnl_conv_pass(net, &j,
                               JAHS_DNNL_BWD_WEIGHTS | JAHS_DNNL_BWD_DATA) ==
                0) {
                net->relu_bwd_done = net->relu_bwd_for;
                net->relu_bwd_for = NULL;
                dsums_done(net);
                net->bn_pending = NULL;
                jahs_workers_run(net->workers, net->threads, wreduce_task,
                                 &j);
                dnnl_dw_finish(net, &j);
                break;
            }
            net->relu_bwd_for = NULL; /* the reference pass: not fused */
            net->n_dsums_for = 0;
            j.tasks = JAHS_GRAD_CHUNKS;
            jahs_workers_run(net->workers, JAHS_GRAD_CHUNKS, wgrad_task, &j);
            jahs_workers_run(net->workers, net->threads, wreduce_task, &j);
            if (j.dx) {
                if (jahs_conv_is_same(&op->conv) && op->conv.k > 1)
                    jahs_conv_flip_weights(&op->conv, net->params + op->w,
                                           partial_of(net, JAHS_GRAD_CHUNKS));
                jahs_workers_run(net->workers, net->n, bwd_task, &j);
            }
            break;
        case JAHS_OP_BN:
            if (bn_fusable(net, i)) {
                /* statistics here, dx in the conv's tasks (bn_fill) */
                j.dx = NULL;
                bn_backward(net, &j);
                net->bn_pending = op;
            } else {
                bn_backward(net, &j);
            }
            break;
        case JAHS_OP_BIAS: /* by channels (the bias gradient sums the
                              batch), a few groups per thread */
            j.tasks = g->t[op->in].c < net->threads * 4 ? g->t[op->in].c
                                                        : net->threads * 4;
            jahs_workers_run(net->workers, j.tasks, bwd_task, &j);
            break;
        case JAHS_OP_RELU:
            if (net->relu_bwd_done == op) { /* done by the conv after */
                net->relu_bwd_done = NULL;
                break;
            }
            /* fall through */
        case JAHS_OP_COPY:
        case JAHS_OP_DROPOUT:
            if (!j.dx)
                break;
            j.tasks = elem_tasks(net, j.total);
            jahs_workers_run(net->workers, j.tasks, bwd_task, &j);
            break;
        default: /* pools: per image */
            if (j.dx)
                jahs_workers_run(net->workers, net->n, bwd_task, &j);
            break;
        }
    }
}
