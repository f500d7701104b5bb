/*
 * gpu_cuda.c - the CUDA backend of gpu.h: host code in C over the CUDA
 * runtime and cuDNN's C API; the kernels are in kernels/ (kernels.h).
 *
 * Every CUDA, cuDNN and kernel-launch status is checked: a failure becomes
 * a JAHS_ECUDA error naming the call and the library's message, with this
 * file's line in the error record (JAHS_FAIL).
 *
 * Execution follows the operation list (graph.h) exactly as net.c does
 * (forward in order, backward in reverse, the same acc / din / din_acc /
 * dout_zero flags, the same memory plan), so a tensor or a gradient sits
 * at the same offset of its pool as on the CPU (times the element size).
 *
 * Compiled only with JAHS_HAVE_CUDA (the Makefile defines it when nvcc and
 * cuDNN are found); gpu_net.c has the stubs of other builds.
 */
#ifdef JAHS_HAVE_CUDA

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cuda_runtime_api.h>
#include <cudnn.h>

#include "core/log.h"
#include "gpu/gpu.h"
#include "kernels.h"

#define ALIGN 256       /* bytes: every slice of a pool */
#define MAX_PLANS 8     /* batch sizes with descriptors and graphs */
#define N_DATA 2        /* datasets kept on the device */
#define MODES 2         /* 0: training step, 1: evaluation step */

/* ---- checked calls ------------------------------------------------------- */

/* The function name of a call's text ("cudaMalloc(&p, n)" -> "cudaMalloc"). */
static int name_len(const char *call)
{
    const char *p = strchr(call, '(');
    return p ? (int)(p - call) : (int)strlen(call);
}

#define CU(call)                                                               \
    do {                                                                       \
        cudaError_t e_ = (call);                                               \
        if (e_ != cudaSuccess)                                                 \
            return JAHS_FAIL(err, JAHS_ECUDA, "%.*s failed: %s (%s)",          \
                             name_len(#call), #call, cudaGetErrorString(e_),   \
                             cudaGetErrorName(e_));                            \
    } while (0)

/* a kernel launcher of kernels.h: 0 or a cudaError_t */
#define KL(call)                                                               \
    do {                                                                       \
        int e_ = (call);                                                       \
        if (e_)                                                                \
            return JAHS_FAIL(err, JAHS_ECUDA, "kernel %.*s failed: %s (%s)",   \
                             name_len(#call), #call,                           \
                             cudaGetErrorString((cudaError_t)e_),              \
                             cudaGetErrorName((cudaError_t)e_));               \
    } while (0)

#define DNN(call)                                                              \
    do {                                                                       \
        cudnnStatus_t s_ = (call);                                             \
        if (s_ != CUDNN_STATUS_SUCCESS)                                        \
            return JAHS_FAIL(err, JAHS_ECUDA, "%.*s failed: %s",               \
                             name_len(#call), #call, cudnnGetErrorString(s_)); \
    } while (0)

/* ---- state ----------------------------------------------------------------- */

typedef struct gdata {
    const jahs_dataset *src;    /* the host dataset it copies */
    const uint8_t *host_images; /* src->images when uploaded */
    int n;
    uint8_t *images, *labels;   /* device: n h w c bytes, then n labels */
    size_t bytes;
    unsigned long use;
} gdata;

/* What a captured step baked in: it is replayed only when these match. */
typedef struct gkey {
    const void *images, *labels, *aplan;
    uint64_t seed;
    float momentum, wd;
    jahs_k_norm norm;
} gkey;

typedef struct gstep {
    cudaGraphExec_t exec; /* NULL until captured */
    int eager;            /* steps run eagerly so far */
    gkey key;
} gstep;

/* Everything that depends on the batch size n. */
typedef struct plan {
    int n;
    cudnnTensorDescriptor_t *td; /* per tensor read or written by a conv */
    int *fwd, *bwdd, *bwdf;      /* per op: cuDNN algorithms of a conv */
    gstep step[MODES];
    unsigned long use;
} plan;

struct jahs_gpu_net {
    jahs_graph *g;
    jahs_gpu_opts o;
    int max_batch, dt, nhwc;
    size_t esize;                 /* bytes per activation element */
    cudaStream_t stream;
    cudnnHandle_t dnn;
    cudnnDataType_t ddt;
    cudnnFilterDescriptor_t *fd;      /* per op (conv) */
    cudnnConvolutionDescriptor_t *cd; /* per op (conv) */
    /* pools (one cudaMalloc each) and their slices */
    void *state, *act, *dact, *work;
    size_t bytes;
    float *params, *grads, *mom, *bufs, *lr;
    uint16_t *w16, *g16; /* bf16: conv weights / gradients, cuDNN's order */
    int32_t *perm;       /* bf16: parameter -> its place in w16 / g16 */
    uint64_t *step;
    int *cursor;
    double *lossout;     /* 4: batch mean loss, batch hits, sums */
    void *ws;
    size_t ws_bytes;
    double *partial;
    float *coef, *saves;
    double *rows;
    uint8_t *labels;
    /* per-image augmentation plans (device, per mode; host staging) */
    jahs_k_aug *aplan[MODES];
    size_t aplan_cap[MODES];
    jahs_k_aug *hplan;
    size_t hplan_cap;
    float *staging; /* device, the eager API's transfers */
    size_t staging_cap;
    gdata data[N_DATA];
    plan plans[MAX_PLANS];
    int nplans;
    unsigned long clock;
    /* the step being run */
    int n, train;
    uint64_t seed;
    plan *cur;
};

int jahs_gpu_built(void) { return 1; }

int jahs_gpu_probe(int device, char *desc, size_t size, jahs_error *err)
{
    struct cudaDeviceProp prop;
    int count = 0, rt = 0;
    cudaError_t e = cudaGetDeviceCount(&count);
    if (desc && size)
        desc[0] = '\0';
    if (e != cudaSuccess) {
        cudaGetLastError(); /* clear the sticky status */
        return JAHS_FAIL(err, JAHS_EUNAVAILABLE, "no GPU available: %s (%s)",
                         cudaGetErrorString(e), cudaGetErrorName(e));
    }
    if (count < 1)
        return JAHS_FAIL(err, JAHS_EUNAVAILABLE,
                         "no GPU available: the CUDA runtime sees no device");
    if (device < 0 || device >= count)
        return JAHS_FAIL(err, JAHS_EUNAVAILABLE,
                         "no GPU available: device 'gpu:%d' does not exist "
                         "(%d device%s)",
                         device, count, count == 1 ? "" : "s");
    CU(cudaGetDeviceProperties(&prop, device));
    if (prop.major < 8)
        return JAHS_FAIL(err, JAHS_EUNAVAILABLE,
                         "no GPU available: '%s' is sm_%d%d; this build runs "
                         "on sm_80 or newer",
                         prop.name, prop.major, prop.minor);
    cudaRuntimeGetVersion(&rt);
    if (desc && size)
        snprintf(desc, size, "%s, sm_%d%d, %.1f GB, CUDA runtime %d, cuDNN %zu",
                 prop.name, prop.major, prop.minor,
                 (double)prop.totalGlobalMem / 1e9, rt, cudnnGetVersion());
    return 0;
}

const jahs_graph *jahs_gpu_net_graph(const jahs_gpu_net *net)
{
    return net->g;
}
size_t jahs_gpu_net_memory(const jahs_gpu_net *net) { return net->bytes; }
int jahs_gpu_net_precision(const jahs_gpu_net *net) { return net->o.precision; }

static size_t align_up(size_t n) { return (n + ALIGN - 1) / ALIGN * ALIGN; }

/* Activation and gradient of tensor t (image 0). */
static void *A(const jahs_gpu_net *net, int t)
{
    return (char *)net->act +
           net->g->t[t].act * (size_t)net->max_batch * net->esize;
}

static void *G(const jahs_gpu_net *net, int t)
{
    return (char *)net->dact +
           net->g->t[t].grad * (size_t)net->max_batch * net->esize;
}

static jahs_kshape shape(const jahs_gpu_net *net, int t, int n)
{
    const jahs_tensor *x = &net->g->t[t];
    jahs_kshape s;
    s.dt = net->dt;
    s.nhwc = net->nhwc;
    s.n = n;
    s.c = x->c;
    s.h = x->h;
    s.w = x->w;
    return s;
}

/* Conv weights as cuDNN reads them, and where it writes their gradient. */
static const void *conv_w(const jahs_gpu_net *net, const jahs_op *op)
{
    return net->dt == JAHS_K_BF16 ? (const void *)(net->w16 + op->w)
                                  : (const void *)(net->params + op->w);
}

static void *conv_dw(const jahs_gpu_net *net, const jahs_op *op)
{
    return net->dt == JAHS_K_BF16 ? (void *)(net->g16 + op->w)
                                  : (void *)(net->grads + op->w);
}

static int dev_alloc(jahs_gpu_net *net, void **p, size_t bytes,
                     const char *what, jahs_error *err)
{
    cudaError_t e;
    bytes = align_up(bytes ? bytes : 1);
    if ((e = cudaMalloc(p, bytes)) != cudaSuccess) {
        *p = NULL;
        return JAHS_FAIL(err, e == cudaErrorMemoryAllocation ? JAHS_ENOMEM
                                                             : JAHS_ECUDA,
                         "cannot allocate %.1f MB of GPU memory for the %s "
                         "pool: %s",
                         (double)bytes / 1e6, what, cudaGetErrorString(e));
    }
    net->bytes += bytes;
    return 0;
}

/* Slice `bytes` off a pool at *off. */
static void *slice(void *pool, size_t *off, size_t bytes)
{
    void *p = (char *)pool + *off;
    *off += align_up(bytes);
    return p;
}

/* ---- plans: descriptors and algorithms per batch size ---------------------- */

static void plan_free(jahs_gpu_net *net, plan *pl)
{
    int i, m;
    if (pl->td) {
        for (i = 0; i < net->g->nt; i++)
            if (pl->td[i])
                cudnnDestroyTensorDescriptor(pl->td[i]);
        free(pl->td);
    }
    for (m = 0; m < MODES; m++)
        if (pl->step[m].exec)
            cudaGraphExecDestroy(pl->step[m].exec);
    free(pl->fwd);
    free(pl->bwdd);
    free(pl->bwdf);
    memset(pl, 0, sizeof *pl);
}

static int math_ok(const jahs_gpu_net *net, cudnnMathType_t m)
{
    /* fp32 must not use tensor cores (TF32 would cost the CPU agreement) */
    return net->dt == JAHS_K_BF16 ||
           (m != CUDNN_TENSOR_OP_MATH &&
            m != CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION);
}

static int no_algo(jahs_gpu_net *net, const jahs_op *op, const char *dir,
                   jahs_error *err)
{
    return JAHS_FAIL(err, JAHS_ECUDA,
                     "cuDNN offers no deterministic %s algorithm for the "
                     "convolution into '%s' within %zu MB of workspace "
                     "(JAHS_GPU_WORKSPACE_MB)",
                     dir, net->g->t[op->out].label, net->ws_bytes >> 20);
}

static int pick_fwd(jahs_gpu_net *net, plan *pl, const jahs_op *op, int *algo,
                    jahs_error *err)
{
    cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    cudnnTensorDescriptor_t xd = pl->td[op->in], yd = pl->td[op->out];
    int got = 0, i, k = (int)(op - net->g->op);
    if (net->o.find)
        DNN(cudnnFindConvolutionForwardAlgorithmEx(
            net->dnn, xd, A(net, op->in), net->fd[k], conv_w(net, op),
            net->cd[k], yd, A(net, op->out), CUDNN_CONVOLUTION_FWD_ALGO_COUNT,
            &got, perf, net->ws, net->ws_bytes));
    else
        DNN(cudnnGetConvolutionForwardAlgorithm_v7(
            net->dnn, xd, net->fd[k], net->cd[k], yd,
            CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &got, perf));
    for (i = 0; i < got; i++) {
        size_t need = 0;
        if (perf[i].status != CUDNN_STATUS_SUCCESS ||
            perf[i].determinism != CUDNN_DETERMINISTIC ||
            !math_ok(net, perf[i].mathType))
            continue;
        if (cudnnGetConvolutionForwardWorkspaceSize(
                net->dnn, xd, net->fd[k], net->cd[k], yd, perf[i].algo,
                &need) != CUDNN_STATUS_SUCCESS ||
            need > net->ws_bytes)
            continue;
        *algo = (int)perf[i].algo;
        return 0;
    }
    return no_algo(net, op, "forward", err);
}

static int pick_bwdd(jahs_gpu_net *net, plan *pl, const jahs_op *op,
                     int *algo, jahs_error *err)
{
    cudnnConvolutionBwdDataAlgoPerf_t
        perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
    cudnnTensorDescriptor_t xd = pl->td[op->in], yd = pl->td[op->out];
    int got = 0, i, k = (int)(op - net->g->op);
    if (net->o.find)
        DNN(cudnnFindConvolutionBackwardDataAlgorithmEx(
            net->dnn, net->fd[k], conv_w(net, op), yd, G(net, op->out),
            net->cd[k], xd, G(net, op->in),
            CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &got, perf, net->ws,
            net->ws_bytes));
    else
        DNN(cudnnGetConvolutionBackwardDataAlgorithm_v7(
            net->dnn, net->fd[k], yd, net->cd[k], xd,
            CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &got, perf));
    for (i = 0; i < got; i++) {
        size_t need = 0;
        if (perf[i].status != CUDNN_STATUS_SUCCESS ||
            perf[i].determinism != CUDNN_DETERMINISTIC ||
            perf[i].algo == CUDNN_CONVOLUTION_BWD_DATA_ALGO_0 ||
            !math_ok(net, perf[i].mathType))
            continue;
        if (cudnnGetConvolutionBackwardDataWorkspaceSize(
                net->dnn, net->fd[k], yd, net->cd[k], xd, perf[i].algo,
                &need) != CUDNN_STATUS_SUCCESS ||
            need > net->ws_bytes)
            continue;
        *algo = (int)perf[i].algo;
        return 0;
    }
    return no_algo(net, op, "backward-data", err);
}

static int pick_bwdf(jahs_gpu_net *net, plan *pl, const jahs_op *op,
                     int *algo, jahs_error *err)
{
    cudnnConvolutionBwdFilterAlgoPerf_t
        perf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
    cudnnTensorDescriptor_t xd = pl->td[op->in], yd = pl->td[op->out];
    int got = 0, i, k = (int)(op - net->g->op);
    if (net->o.find)
        DNN(cudnnFindConvolutionBackwardFilterAlgorithmEx(
            net->dnn, xd, A(net, op->in), yd, G(net, op->out), net->cd[k],
            net->fd[k], conv_dw(net, op),
            CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &got, perf, net->ws,
            net->ws_bytes));
    else
        DNN(cudnnGetConvolutionBackwardFilterAlgorithm_v7(
            net->dnn, xd, yd, net->cd[k], net->fd[k],
            CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &got, perf));
    for (i = 0; i < got; i++) {
        size_t need = 0;
        if (perf[i].status != CUDNN_STATUS_SUCCESS ||
            perf[i].determinism != CUDNN_DETERMINISTIC ||
            perf[i].algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0 ||
            perf[i].algo == CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3 ||
            !math_ok(net, perf[i].mathType))
            continue;
        if (cudnnGetConvolutionBackwardFilterWorkspaceSize(
                net->dnn, xd, yd, net->cd[k], net->fd[k], perf[i].algo,
                &need) != CUDNN_STATUS_SUCCESS ||
            need > net->ws_bytes)
            continue;
        *algo = (int)perf[i].algo;
        return 0;
    }
    return no_algo(net, op, "backward-filter", err);
}

/* Same convolution (shapes and hyperparameters): the same algorithms. */
static int same_conv(const jahs_op *a, const jahs_op *b)
{
    return memcmp(&a->conv, &b->conv, sizeof a->conv) == 0 &&
           a->din == b->din;
}

static int plan_fill(jahs_gpu_net *net, plan *pl, int n, jahs_error *err)
{
    const jahs_graph *g = net->g;
    cudnnTensorFormat_t fmt = net->nhwc ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW;
    int i, j, rc;
    pl->n = n;
    pl->td = calloc((size_t)g->nt, sizeof *pl->td);
    pl->fwd = calloc((size_t)g->nop, sizeof *pl->fwd);
    pl->bwdd = calloc((size_t)g->nop, sizeof *pl->bwdd);
    pl->bwdf = calloc((size_t)g->nop, sizeof *pl->bwdf);
    if (!pl->td || !pl->fwd || !pl->bwdd || !pl->bwdf)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a GPU plan");
    for (i = 0; i < g->nop; i++) {
        const jahs_op *op = &g->op[i];
        int ts[2] = {op->in, op->out}, k;
        if (op->kind != JAHS_OP_CONV)
            continue;
        for (k = 0; k < 2; k++) {
            const jahs_tensor *t = &g->t[ts[k]];
            if (pl->td[ts[k]])
                continue;
            DNN(cudnnCreateTensorDescriptor(&pl->td[ts[k]]));
            DNN(cudnnSetTensor4dDescriptor(pl->td[ts[k]], fmt, net->ddt, n,
                                           t->c, t->h, t->w));
        }
    }
    for (i = 0; i < g->nop; i++) {
        const jahs_op *op = &g->op[i];
        if (op->kind != JAHS_OP_CONV)
            continue;
        for (j = 0; j < i; j++)
            if (g->op[j].kind == JAHS_OP_CONV && same_conv(&g->op[j], op))
                break;
        if (j < i) {
            pl->fwd[i] = pl->fwd[j];
            pl->bwdd[i] = pl->bwdd[j];
            pl->bwdf[i] = pl->bwdf[j];
            continue;
        }
        if ((rc = pick_fwd(net, pl, op, &pl->fwd[i], err)) ||
            (rc = pick_bwdf(net, pl, op, &pl->bwdf[i], err)) ||
            (op->din && (rc = pick_bwdd(net, pl, op, &pl->bwdd[i], err))))
            return rc;
    }
    /* Find ran kernels on the pools: wait, and surface any fault here */
    CU(cudaStreamSynchronize(net->stream));
    return 0;
}

/* The plan for batch size n (built on first use; least recently used one
 * replaced when all slots are taken).  Never called during a capture. */
static int get_plan(jahs_gpu_net *net, int n, plan **out, jahs_error *err)
{
    plan *pl = NULL;
    int i, rc;
    for (i = 0; i < net->nplans; i++)
        if (net->plans[i].n == n) {
            pl = &net->plans[i];
            break;
        }
    if (!pl) {
        if (net->nplans < MAX_PLANS) {
            pl = &net->plans[net->nplans++];
        } else {
            pl = &net->plans[0];
            for (i = 1; i < MAX_PLANS; i++)
                if (net->plans[i].use < pl->use)
                    pl = &net->plans[i];
            plan_free(net, pl);
        }
        if ((rc = plan_fill(net, pl, n, err))) {
            plan_free(net, pl); /* n = 0: never matched, refilled later */
            return rc;
        }
    }
    pl->use = ++net->clock;
    *out = pl;
    return 0;
}

/* ---- creation ------------------------------------------------------------- */

void jahs_gpu_net_free(jahs_gpu_net *net)
{
    int i;
    if (!net)
        return;
    if (net->g)
        cudaSetDevice(net->o.device);
    if (net->stream)
        cudaStreamSynchronize(net->stream);
    for (i = 0; i < net->nplans; i++)
        plan_free(net, &net->plans[i]);
    for (i = 0; net->g && i < net->g->nop; i++) {
        if (net->cd && net->cd[i])
            cudnnDestroyConvolutionDescriptor(net->cd[i]);
        if (net->fd && net->fd[i])
            cudnnDestroyFilterDescriptor(net->fd[i]);
    }
    free(net->cd);
    free(net->fd);
    for (i = 0; i < N_DATA; i++)
        cudaFree(net->data[i].images);
    for (i = 0; i < MODES; i++)
        cudaFree(net->aplan[i]);
    cudaFree(net->staging);
    cudaFree(net->state);
    cudaFree(net->act);
    cudaFree(net->dact);
    cudaFree(net->work);
    free(net->hplan);
    if (net->dnn)
        cudnnDestroy(net->dnn);
    if (net->stream)
        cudaStreamDestroy(net->stream);
    jahs_graph_free(net->g);
    free(net);
}

/* Sizes of the work pool's slices. */
static void work_sizes(const jahs_gpu_net *net, size_t *partial, size_t *coef)
{
    const jahs_graph *g = net->g;
    int i;
    *partial = 2;
    *coef = 3;
    for (i = 0; i < g->nop; i++) {
        const jahs_op *op = &g->op[i];
        if (op->kind == JAHS_OP_BN) {
            jahs_kshape s = shape(net, op->in, net->max_batch);
            size_t p = 2 * (size_t)s.c * (size_t)jahs_k_bn_chunks(&s);
            if (p > *partial)
                *partial = p;
            if (3 * (size_t)s.c > *coef)
                *coef = 3 * (size_t)s.c;
        }
    }
}

/* perm: parameter -> its place in cuDNN's filter order, -1 for non-conv. */
static int32_t *make_perm(const jahs_graph *g, int nhwc)
{
    int32_t *perm = malloc((g->n_params ? g->n_params : 1) * sizeof *perm);
    size_t i;
    int o;
    if (!perm)
        return NULL;
    for (i = 0; i < g->n_params; i++)
        perm[i] = -1;
    for (o = 0; o < g->nop; o++) {
        const jahs_op *op = &g->op[o];
        const jahs_conv_shape *s = &op->conv;
        int co, ci, a, b, k = s->k;
        if (op->kind != JAHS_OP_CONV)
            continue;
        for (co = 0; co < s->cout; co++)
            for (ci = 0; ci < s->cin; ci++)
                for (a = 0; a < k; a++)
                    for (b = 0; b < k; b++) {
                        size_t from = (((size_t)co * s->cin + ci) * k + a) * k + b;
                        size_t to = nhwc ? (((size_t)co * k + a) * k + b) *
                                                   s->cin + ci
                                         : from;
                        perm[op->w + from] = (int32_t)(op->w + to);
                    }
    }
    return perm;
}

static int create_inner(jahs_gpu_net *net, const jahs_net_spec *spec,
                        jahs_error *err)
{
    const jahs_graph *g;
    size_t off, np, sz_partial, sz_coef, n_act, n_dact;
    int i, bf = net->dt == JAHS_K_BF16;
    if (!(net->g = jahs_net_build(spec, err)))
        return err ? err->code : JAHS_EINVAL;
    g = net->g;
    CU(cudaSetDevice(net->o.device));
    CU(cudaStreamCreateWithFlags(&net->stream, cudaStreamNonBlocking));
    DNN(cudnnCreate(&net->dnn));
    DNN(cudnnSetStream(net->dnn, net->stream));
    /* convolution and filter descriptors: independent of the batch size */
    net->cd = calloc((size_t)g->nop, sizeof *net->cd);
    net->fd = calloc((size_t)g->nop, sizeof *net->fd);
    if (!net->cd || !net->fd)
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a GPU network");
    for (i = 0; i < g->nop; i++) {
        const jahs_conv_shape *s = &g->op[i].conv;
        if (g->op[i].kind != JAHS_OP_CONV)
            continue;
        DNN(cudnnCreateConvolutionDescriptor(&net->cd[i]));
        DNN(cudnnSetConvolution2dDescriptor(net->cd[i], s->pad, s->pad,
                                            s->stride, s->stride, 1, 1,
                                            CUDNN_CROSS_CORRELATION,
                                            CUDNN_DATA_FLOAT));
        DNN(cudnnSetConvolutionMathType(
            net->cd[i], bf ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH));
        DNN(cudnnCreateFilterDescriptor(&net->fd[i]));
        DNN(cudnnSetFilter4dDescriptor(
            net->fd[i], net->ddt,
            net->nhwc ? CUDNN_TENSOR_NHWC : CUDNN_TENSOR_NCHW, s->cout,
            s->cin, s->k, s->k));
    }
    /* the state pool */
    np = g->n_params;
    off = 4 * align_up(np * sizeof(float)) +
          align_up(g->n_buffers * sizeof(float)) + 5 * ALIGN;
    if (bf)
        off += 2 * align_up(np * sizeof(uint16_t)) +
               align_up(np * sizeof(int32_t));
    {
        int rc;
        size_t total = off;
        if ((rc = dev_alloc(net, &net->state, total, "state", err)))
            return rc;
        off = 0;
        net->params = slice(net->state, &off, np * sizeof(float));
        net->grads = slice(net->state, &off, np * sizeof(float));
        net->mom = slice(net->state, &off, np * sizeof(float));
        net->bufs = slice(net->state, &off, g->n_buffers * sizeof(float));
        net->lr = slice(net->state, &off, sizeof(float));
        net->step = slice(net->state, &off, sizeof(uint64_t));
        net->cursor = slice(net->state, &off, sizeof(int));
        net->lossout = slice(net->state, &off, 4 * sizeof(double));
        if (bf) {
            net->w16 = slice(net->state, &off, np * sizeof(uint16_t));
            net->g16 = slice(net->state, &off, np * sizeof(uint16_t));
            net->perm = slice(net->state, &off, np * sizeof(int32_t));
        }
        CU(cudaMemsetAsync(net->state, 0, total, net->stream));
    }
    if (bf) {
        int32_t *perm = make_perm(g, net->nhwc);
        cudaError_t e;
        if (!perm)
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a GPU "
                                               "network");
        /* on the network's stream, after the memset (a non-blocking
         * stream does not order against the legacy default stream) */
        e = cudaMemcpyAsync(net->perm, perm, np * sizeof(int32_t),
                            cudaMemcpyHostToDevice, net->stream);
        free(perm);
        CU(e);
    }
    /* activations and their gradients */
    n_act = g->act_per_image * (size_t)net->max_batch;
    n_dact = g->grad_per_image * (size_t)net->max_batch;
    {
        int rc;
        if ((rc = dev_alloc(net, &net->act, n_act * net->esize, "activation",
                            err)) ||
            (rc = dev_alloc(net, &net->dact, n_dact * net->esize,
                            "activation-gradient", err)))
            return rc;
    }
    CU(cudaMemsetAsync(net->act, 0, n_act * net->esize, net->stream));
    CU(cudaMemsetAsync(net->dact, 0, n_dact * net->esize, net->stream));
    /* work: cuDNN workspace, BN sums and saves, loss rows, labels */
    work_sizes(net, &sz_partial, &sz_coef);
    net->ws_bytes = net->o.workspace;
    off = align_up(net->ws_bytes) + align_up(sz_partial * sizeof(double)) +
          align_up(sz_coef * sizeof(float)) +
          align_up((g->act_fixed ? g->act_fixed : 1) * sizeof(float)) +
          align_up(2 * (size_t)net->max_batch * sizeof(double)) +
          align_up((size_t)net->max_batch);
    {
        int rc;
        if ((rc = dev_alloc(net, &net->work, off, "work", err)))
            return rc;
    }
    off = 0;
    net->ws = slice(net->work, &off, net->ws_bytes);
    net->partial = slice(net->work, &off, sz_partial * sizeof(double));
    net->coef = slice(net->work, &off, sz_coef * sizeof(float));
    net->saves = slice(net->work, &off,
                       (g->act_fixed ? g->act_fixed : 1) * sizeof(float));
    net->rows = slice(net->work, &off, 2 * (size_t)net->max_batch *
                                           sizeof(double));
    net->labels = slice(net->work, &off, (size_t)net->max_batch);
    CU(cudaStreamSynchronize(net->stream));
    return 0;
}

jahs_gpu_net *jahs_gpu_net_create(const jahs_net_spec *spec, int max_batch,
                                  const jahs_gpu_opts *o, jahs_error *err)
{
    jahs_gpu_net *net;
    jahs_gpu_opts dflt;
    if (!o) {
        jahs_gpu_opts_defaults(&dflt);
        o = &dflt;
    }
    if (max_batch < 1) {
        JAHS_FAIL(err, JAHS_EINVAL, "batch size %d < 1", max_batch);
        return NULL;
    }
    if (o->precision != JAHS_PREC_FP32 && o->precision != JAHS_PREC_BF16) {
        JAHS_FAIL(err, JAHS_EINVAL, "unknown precision %d", o->precision);
        return NULL;
    }
    if (jahs_gpu_probe(o->device, NULL, 0, err))
        return NULL;
    if (!(net = calloc(1, sizeof *net))) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for a GPU network");
        return NULL;
    }
    net->o = *o;
    net->max_batch = max_batch;
    net->dt = o->precision == JAHS_PREC_BF16 ? JAHS_K_BF16 : JAHS_K_F32;
    net->nhwc = o->precision == JAHS_PREC_BF16;
    net->esize = net->dt == JAHS_K_BF16 ? 2 : 4;
    net->ddt = net->dt == JAHS_K_BF16 ? CUDNN_DATA_BFLOAT16 : CUDNN_DATA_FLOAT;
    if (create_inner(net, spec, err)) {
        jahs_gpu_net_free(net);
        return NULL;
    }
    return net;
}

/* ---- the passes ----------------------------------------------------------- */

static int forward_op(jahs_gpu_net *net, const jahs_op *op, jahs_error *err)
{
    const jahs_graph *g = net->g;
    const int n = net->n, k = (int)(op - g->op);
    jahs_kshape in = shape(net, op->in, n);
    const void *x = A(net, op->in);
    void *y = A(net, op->out);
    size_t total = (size_t)n * g->t[op->out].size;
    cudaStream_t s = net->stream;
    switch (op->kind) {
    case JAHS_OP_CONV: {
        float one = 1.0f, beta = op->acc ? 1.0f : 0.0f;
        DNN(cudnnConvolutionForward(
            net->dnn, &one, net->cur->td[op->in], x, net->fd[k],
            conv_w(net, op), net->cd[k],
            (cudnnConvolutionFwdAlgo_t)net->cur->fwd[k], net->ws,
            net->ws_bytes, &beta, net->cur->td[op->out], y));
        break;
    }
    case JAHS_OP_BN:
        if (net->train) {
            KL(jahs_k_bn_stats(&in, x, net->partial, s));
            KL(jahs_k_bn_finish(&in, net->partial, net->params + op->w,
                                net->params + op->b, net->saves + op->save,
                                net->bufs + op->stat, net->coef, s));
        } else {
            KL(jahs_k_bn_eval_coef(in.c, net->params + op->w,
                                   net->params + op->b, net->bufs + op->stat,
                                   net->coef, s));
        }
        KL(jahs_k_bn_apply(&in, x, y, op->acc, net->coef, s));
        break;
    case JAHS_OP_RELU:
        KL(jahs_k_relu(net->dt, total, x, y, s));
        break;
    case JAHS_OP_COPY:
        KL(jahs_k_copy(net->dt, total, x, y, op->acc, s));
        break;
    case JAHS_OP_ZERO:
        CU(cudaMemsetAsync(y, 0, total * net->esize, s));
        break;
    case JAHS_OP_AVGPOOL3:
        KL(jahs_k_avgpool3(&in, x, y, op->acc, s));
        break;
    case JAHS_OP_AVGPOOL2:
        KL(jahs_k_avgpool2(&in, x, y, op->acc, s));
        break;
    case JAHS_OP_GAP:
        KL(jahs_k_gap(&in, x, y, op->acc, s));
        break;
    case JAHS_OP_DROPOUT:
        if (net->train && op->p > 0.0f)
            KL(jahs_k_dropout(&in, x, y, 0, op->p, net->seed, net->step,
                              op->site, s));
        else
            KL(jahs_k_copy(net->dt, total, x, y, 0, s));
        break;
    case JAHS_OP_LINEAR:
        KL(jahs_k_linear(net->dt, n, (int)g->t[op->in].size,
                         (int)g->t[op->out].size, x, net->params + op->w,
                         net->params + op->b, y, s));
        break;
    default:
        return JAHS_FAIL(err, JAHS_EINVAL, "operation kind %d", op->kind);
    }
    return 0;
}

static int backward_op(jahs_gpu_net *net, const jahs_op *op, jahs_error *err)
{
    const jahs_graph *g = net->g;
    const int n = net->n, k = (int)(op - g->op);
    jahs_kshape in = shape(net, op->in, n);
    const void *x = A(net, op->in);
    void *dy = G(net, op->out), *dx = op->din ? G(net, op->in) : NULL;
    size_t total = (size_t)n * g->t[op->out].size;
    cudaStream_t s = net->stream;
    if (op->dout_zero)
        CU(cudaMemsetAsync(dy, 0, total * net->esize, s));
    switch (op->kind) {
    case JAHS_OP_CONV: {
        float one = 1.0f, zero = 0.0f, beta = op->din_acc ? 1.0f : 0.0f;
        DNN(cudnnConvolutionBackwardFilter(
            net->dnn, &one, net->cur->td[op->in], x, net->cur->td[op->out],
            dy, net->cd[k], (cudnnConvolutionBwdFilterAlgo_t)net->cur->bwdf[k],
            net->ws, net->ws_bytes, &zero, net->fd[k], conv_dw(net, op)));
        if (dx)
            DNN(cudnnConvolutionBackwardData(
                net->dnn, &one, net->fd[k], conv_w(net, op),
                net->cur->td[op->out], dy, net->cd[k],
                (cudnnConvolutionBwdDataAlgo_t)net->cur->bwdd[k], net->ws,
                net->ws_bytes, &beta, net->cur->td[op->in], dx));
        break;
    }
    case JAHS_OP_BN:
        KL(jahs_k_bn_bwd_stats(&in, x, dy, net->saves + op->save,
                               net->partial, s));
        KL(jahs_k_bn_bwd_finish(&in, net->partial, net->params + op->w,
                                net->saves + op->save, net->grads + op->w,
                                net->grads + op->b, net->coef, s));
        if (dx)
            KL(jahs_k_bn_bwd_apply(&in, x, dy, dx, op->din_acc,
                                   net->saves + op->save, net->coef, s));
        break;
    case JAHS_OP_RELU:
        if (dx)
            KL(jahs_k_relu_bwd(net->dt, total, A(net, op->out), dy, dx,
                               op->din_acc, s));
        break;
    case JAHS_OP_COPY:
        if (dx)
            KL(jahs_k_copy(net->dt, total, dy, dx, op->din_acc, s));
        break;
    case JAHS_OP_DROPOUT:
        if (dx && op->p > 0.0f)
            KL(jahs_k_dropout(&in, dy, dx, op->din_acc, op->p, net->seed,
                              net->step, op->site, s));
        else if (dx)
            KL(jahs_k_copy(net->dt, total, dy, dx, op->din_acc, s));
        break;
    case JAHS_OP_AVGPOOL3:
        if (dx)
            KL(jahs_k_avgpool3_bwd(&in, dy, dx, op->din_acc, s));
        break;
    case JAHS_OP_AVGPOOL2:
        if (dx)
            KL(jahs_k_avgpool2_bwd(&in, dy, dx, op->din_acc, s));
        break;
    case JAHS_OP_GAP:
        if (dx)
            KL(jahs_k_gap_bwd(&in, dy, dx, op->din_acc, s));
        break;
    case JAHS_OP_LINEAR:
        KL(jahs_k_linear_bwd(net->dt, n, (int)g->t[op->in].size,
                             (int)g->t[op->out].size, x, net->params + op->w,
                             dy, dx, op->din_acc, net->grads + op->w,
                             net->grads + op->b, s));
        break;
    case JAHS_OP_ZERO:
        break;
    default:
        return JAHS_FAIL(err, JAHS_EINVAL, "operation kind %d", op->kind);
    }
    return 0;
}

static int run_forward(jahs_gpu_net *net, jahs_error *err)
{
    int i, rc;
    for (i = 0; i < net->g->nop; i++)
        if ((rc = forward_op(net, &net->g->op[i], err)))
            return rc;
    return 0;
}

static int run_backward(jahs_gpu_net *net, jahs_error *err)
{
    int i, rc;
    for (i = net->g->nop - 1; i >= 0; i--)
        if ((rc = backward_op(net, &net->g->op[i], err)))
            return rc;
    return 0;
}

static int run_sgd(jahs_gpu_net *net, float momentum, float wd,
                   jahs_error *err)
{
    KL(jahs_k_sgd(net->g->n_params, net->params, net->grads, net->g16,
                  net->perm, net->mom, net->w16, net->lr, momentum, wd, 1,
                  net->stream));
    return 0;
}

static int sync(jahs_gpu_net *net, jahs_error *err)
{
    CU(cudaStreamSynchronize(net->stream));
    return 0;
}

/* Set the current batch size (its plan) and mode. */
static int begin(jahs_gpu_net *net, int n, int train, uint64_t seed,
                 jahs_error *err)
{
    int rc;
    if (n < 1 || n > net->max_batch)
        return JAHS_FAIL(err, JAHS_ERANGE, "batch of %d images outside "
                                           "1..%d",
                         n, net->max_batch);
    CU(cudaSetDevice(net->o.device));
    if ((rc = get_plan(net, n, &net->cur, err)))
        return rc;
    net->n = n;
    net->train = train;
    net->seed = seed;
    return 0;
}

/* ---- the eager API --------------------------------------------------------- */

static int staging(jahs_gpu_net *net, size_t floats, jahs_error *err)
{
    if (floats <= net->staging_cap)
        return 0;
    CU(cudaStreamSynchronize(net->stream));
    if (net->staging) {
        cudaFree(net->staging);
        net->bytes -= align_up(net->staging_cap * sizeof(float));
        net->staging = NULL;
        net->staging_cap = 0;
    }
    {
        int rc = dev_alloc(net, (void **)&net->staging, floats * sizeof(float),
                           "transfer", err);
        if (rc)
            return rc;
    }
    net->staging_cap = floats;
    return 0;
}

int jahs_gpu_net_set_state(jahs_gpu_net *net, const float *params,
                           const float *momentum, const float *buffers,
                           jahs_error *err)
{
    const jahs_graph *g = net->g;
    CU(cudaSetDevice(net->o.device));
    if (params)
        CU(cudaMemcpyAsync(net->params, params, g->n_params * sizeof(float),
                           cudaMemcpyHostToDevice, net->stream));
    if (momentum)
        CU(cudaMemcpyAsync(net->mom, momentum, g->n_params * sizeof(float),
                           cudaMemcpyHostToDevice, net->stream));
    if (buffers && g->n_buffers)
        CU(cudaMemcpyAsync(net->bufs, buffers, g->n_buffers * sizeof(float),
                           cudaMemcpyHostToDevice, net->stream));
    if (params && net->dt == JAHS_K_BF16)
        KL(jahs_k_to_bf16(g->n_params, net->params, net->perm, net->w16,
                          net->stream));
    return sync(net, err);
}

int jahs_gpu_net_get_state(jahs_gpu_net *net, float *params, float *momentum,
                           float *buffers, jahs_error *err)
{
    const jahs_graph *g = net->g;
    CU(cudaSetDevice(net->o.device));
    if (params)
        CU(cudaMemcpyAsync(params, net->params, g->n_params * sizeof(float),
                           cudaMemcpyDeviceToHost, net->stream));
    if (momentum)
        CU(cudaMemcpyAsync(momentum, net->mom, g->n_params * sizeof(float),
                           cudaMemcpyDeviceToHost, net->stream));
    if (buffers && g->n_buffers)
        CU(cudaMemcpyAsync(buffers, net->bufs, g->n_buffers * sizeof(float),
                           cudaMemcpyDeviceToHost, net->stream));
    return sync(net, err);
}

int jahs_gpu_net_get_grads(jahs_gpu_net *net, float *grads, jahs_error *err)
{
    const jahs_graph *g = net->g;
    CU(cudaSetDevice(net->o.device));
    if (net->dt == JAHS_K_BF16)
        KL(jahs_k_from_bf16(g->n_params, net->g16, net->perm, net->grads,
                            net->stream));
    CU(cudaMemcpyAsync(grads, net->grads, g->n_params * sizeof(float),
                       cudaMemcpyDeviceToHost, net->stream));
    return sync(net, err);
}

int jahs_gpu_net_set_input(jahs_gpu_net *net, const float *x, int n,
                           jahs_error *err)
{
    const jahs_graph *g = net->g;
    jahs_kshape s = shape(net, g->input, n);
    size_t count = (size_t)n * g->t[g->input].size;
    int rc;
    if (n < 1 || n > net->max_batch)
        return JAHS_FAIL(err, JAHS_ERANGE, "batch of %d images outside 1..%d",
                         n, net->max_batch);
    CU(cudaSetDevice(net->o.device));
    if ((rc = staging(net, count, err)))
        return rc;
    CU(cudaMemcpyAsync(net->staging, x, count * sizeof(float),
                       cudaMemcpyHostToDevice, net->stream));
    KL(jahs_k_import(&s, net->staging, A(net, g->input), net->stream));
    return sync(net, err);
}

int jahs_gpu_net_get_activation(jahs_gpu_net *net, int t, int n, float *out,
                                jahs_error *err)
{
    const jahs_graph *g = net->g;
    jahs_kshape s;
    size_t count;
    int rc;
    if (t < 0 || t >= g->nt || n < 1 || n > net->max_batch)
        return JAHS_FAIL(err, JAHS_ERANGE, "no tensor %d (batch %d)", t, n);
    s = shape(net, t, n);
    count = (size_t)n * g->t[t].size;
    CU(cudaSetDevice(net->o.device));
    if ((rc = staging(net, count, err)))
        return rc;
    KL(jahs_k_export(&s, A(net, t), net->staging, net->stream));
    CU(cudaMemcpyAsync(out, net->staging, count * sizeof(float),
                       cudaMemcpyDeviceToHost, net->stream));
    return sync(net, err);
}

int jahs_gpu_net_forward(jahs_gpu_net *net, int n, int train,
                         uint64_t dropout_seed, uint64_t step,
                         jahs_error *err)
{
    int rc;
    if ((rc = begin(net, n, train, dropout_seed, err)))
        return rc;
    CU(cudaMemcpyAsync(net->step, &step, sizeof step, cudaMemcpyHostToDevice,
                       net->stream));
    if ((rc = run_forward(net, err)))
        return rc;
    return sync(net, err);
}

int jahs_gpu_net_loss(jahs_gpu_net *net, const uint8_t *labels, double *loss,
                      int *correct, jahs_error *err)
{
    const jahs_graph *g = net->g;
    double out[4];
    if (net->n < 1)
        return JAHS_FAIL(err, JAHS_ESTATE, "loss before a forward pass");
    CU(cudaSetDevice(net->o.device));
    CU(cudaMemcpyAsync(net->labels, labels, (size_t)net->n,
                       cudaMemcpyHostToDevice, net->stream));
    KL(jahs_k_softmax_ce(net->dt, net->n, g->t[g->logits].c,
                         A(net, g->logits), net->labels, G(net, g->logits),
                         net->rows, net->lossout, net->stream));
    CU(cudaMemcpyAsync(out, net->lossout, sizeof out, cudaMemcpyDeviceToHost,
                       net->stream));
    CU(cudaStreamSynchronize(net->stream));
    if (loss)
        *loss = out[0];
    if (correct)
        *correct = (int)out[1];
    return 0;
}

int jahs_gpu_net_backward(jahs_gpu_net *net, jahs_error *err)
{
    int rc;
    if (net->n < 1 || !net->train)
        return JAHS_FAIL(err, JAHS_ESTATE,
                         "backward pass without a training forward pass");
    CU(cudaSetDevice(net->o.device));
    if ((rc = run_backward(net, err)))
        return rc;
    return sync(net, err);
}

int jahs_gpu_net_sgd(jahs_gpu_net *net, float lr, float momentum, float wd,
                     jahs_error *err)
{
    int rc;
    CU(cudaSetDevice(net->o.device));
    CU(cudaMemcpyAsync(net->lr, &lr, sizeof lr, cudaMemcpyHostToDevice,
                       net->stream));
    if ((rc = run_sgd(net, momentum, wd, err)))
        return rc;
    return sync(net, err);
}

/* ---- data on the device ---------------------------------------------------- */

static int check_data(const jahs_gpu_net *net, const jahs_dataset *d,
                      jahs_error *err)
{
    const jahs_tensor *in = &net->g->t[net->g->input];
    if (d->c != in->c || d->h != in->h || d->w != in->w ||
        d->n_classes != net->g->t[net->g->logits].c)
        return JAHS_FAIL(err, JAHS_EINVAL,
                         "dataset '%s' has %d x %d x %d images and %d "
                         "classes; the network expects %d x %d x %d and %d",
                         d->name, d->h, d->w, d->c, d->n_classes, in->h,
                         in->w, in->c, net->g->t[net->g->logits].c);
    if ((size_t)d->h * d->w * d->c > JAHS_K_AUG_MAX_BYTES || d->c > 4)
        return JAHS_FAIL(err, JAHS_EUNSUPPORTED,
                         "dataset '%s': images of %d x %d x %d bytes exceed "
                         "the GPU augmentation's %d",
                         d->name, d->h, d->w, d->c, JAHS_K_AUG_MAX_BYTES);
    return 0;
}

/* d on the device: found among the kept datasets or uploaded. */
static int data_get(jahs_gpu_net *net, const jahs_dataset *d, gdata **out,
                    jahs_error *err)
{
    gdata *D = NULL;
    size_t img;
    int i, rc;
    if ((rc = check_data(net, d, err)))
        return rc;
    for (i = 0; i < N_DATA; i++)
        if (net->data[i].src == d && net->data[i].host_images == d->images &&
            net->data[i].n == d->n && net->data[i].images) {
            D = &net->data[i];
            break;
        }
    if (!D) {
        D = &net->data[0];
        for (i = 1; i < N_DATA; i++)
            if (net->data[i].use < D->use)
                D = &net->data[i];
        CU(cudaStreamSynchronize(net->stream));
        if (D->images) {
            cudaFree(D->images);
            net->bytes -= align_up(D->bytes);
        }
        memset(D, 0, sizeof *D);
        img = (size_t)d->n * d->h * d->w * d->c;
        D->bytes = img + (size_t)d->n;
        if ((rc = dev_alloc(net, (void **)&D->images, D->bytes, "dataset",
                            err)))
            return rc;
        D->labels = D->images + img;
        CU(cudaMemcpyAsync(D->images, d->images, img, cudaMemcpyHostToDevice,
                           net->stream));
        CU(cudaMemcpyAsync(D->labels, d->labels, (size_t)d->n,
                           cudaMemcpyHostToDevice, net->stream));
        CU(cudaStreamSynchronize(net->stream));
        D->src = d;
        D->host_images = d->images;
        D->n = d->n;
    }
    D->use = ++net->clock;
    *out = D;
    return 0;
}

/* Upload the per-image plans of mode m: image k is idx[k] (k when idx is
 * NULL) with draws[k] (none when NULL). */
static int upload_plans(jahs_gpu_net *net, int m, const jahs_dataset *d,
                        const int *idx, const jahs_augment_draws *draws,
                        int n, jahs_error *err)
{
    int k, rc;
    if ((size_t)n > net->hplan_cap) {
        jahs_k_aug *h = realloc(net->hplan, (size_t)n * sizeof *h);
        if (!h)
            return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for %d image "
                                               "plans",
                             n);
        net->hplan = h;
        net->hplan_cap = (size_t)n;
    }
    for (k = 0; k < n; k++) {
        jahs_k_aug *a = &net->hplan[k];
        int index = idx ? idx[k] : k;
        if (index < 0 || index >= d->n)
            return JAHS_FAIL(err, JAHS_ERANGE,
                             "image index %d outside '%s' (%d images)", index,
                             d->name, d->n);
        memset(a, 0, sizeof *a);
        a->index = index;
        a->op = -1;
        if (draws) {
            const jahs_augment_draws *dr = &draws[k];
            if (dr->ta) {
                jahs_ta_plan p;
                jahs_ta_plan_make(dr->op, dr->bin, dr->sign, d->h, d->w, &p);
                a->op = p.op;
                memcpy(a->m, p.m, sizeof a->m);
                a->r = p.r;
                a->r1 = p.r1;
                a->bits = p.bits;
                a->thresh = p.thresh;
            }
            a->dy = dr->dy;
            a->dx = dr->dx;
            a->flip = dr->flip;
        }
    }
    if ((size_t)n > net->aplan_cap[m]) {
        CU(cudaStreamSynchronize(net->stream));
        if (net->aplan[m]) {
            cudaFree(net->aplan[m]);
            net->bytes -= align_up(net->aplan_cap[m] * sizeof(jahs_k_aug));
            net->aplan[m] = NULL;
            net->aplan_cap[m] = 0;
        }
        if ((rc = dev_alloc(net, (void **)&net->aplan[m],
                            (size_t)n * sizeof(jahs_k_aug), "batch-plan",
                            err)))
            return rc;
        net->aplan_cap[m] = (size_t)n;
    }
    /* pageable source: the copy is staged before the call returns, so
     * hplan may be refilled afterwards */
    CU(cudaMemcpyAsync(net->aplan[m], net->hplan, (size_t)n * sizeof(jahs_k_aug),
                       cudaMemcpyHostToDevice, net->stream));
    return 0;
}

static jahs_k_norm norm_of(const jahs_gpu_batch_opts *bo, int c)
{
    jahs_k_norm z;
    int k;
    memset(&z, 0, sizeof z);
    for (k = 0; k < c && k < 4; k++) {
        z.mean[k] = bo->mean[k];
        z.k[k] = 1.0f / bo->std[k]; /* as trainer.c's put_image */
    }
    return z;
}

/* Device counters before a run of steps. */
static int set_counters(jahs_gpu_net *net, uint64_t step, float lr,
                        jahs_error *err)
{
    static const double zero[4] = {0, 0, 0, 0};
    int cursor = 0;
    CU(cudaMemcpyAsync(net->cursor, &cursor, sizeof cursor,
                       cudaMemcpyHostToDevice, net->stream));
    CU(cudaMemcpyAsync(net->step, &step, sizeof step, cudaMemcpyHostToDevice,
                       net->stream));
    CU(cudaMemcpyAsync(net->lr, &lr, sizeof lr, cudaMemcpyHostToDevice,
                       net->stream));
    CU(cudaMemcpyAsync(net->lossout, zero, sizeof zero,
                       cudaMemcpyHostToDevice, net->stream));
    return 0;
}

int jahs_gpu_net_make_batch(jahs_gpu_net *net, const jahs_dataset *d,
                            const int *idx, const jahs_augment_draws *draws,
                            int n, const jahs_gpu_batch_opts *bo,
                            jahs_error *err)
{
    const jahs_graph *g = net->g;
    jahs_kshape s;
    gdata *D;
    int rc;
    if (n < 1 || n > net->max_batch)
        return JAHS_FAIL(err, JAHS_ERANGE, "batch of %d images outside 1..%d",
                         n, net->max_batch);
    CU(cudaSetDevice(net->o.device));
    if ((rc = data_get(net, d, &D, err)) ||
        (rc = upload_plans(net, 0, d, idx, draws, n, err)) ||
        (rc = set_counters(net, 0, 0.0f, err)))
        return rc;
    s = shape(net, g->input, n);
    KL(jahs_k_augment(&s, D->images, D->labels, net->aplan[0], net->cursor,
                      norm_of(bo, d->c), A(net, g->input), net->labels,
                      net->stream));
    return sync(net, err);
}

/* One step of mode m on the next m images of the plan: augment, forward,
 * loss (and backward, SGD), advance the counters.  Capturable. */
static int step_seq(jahs_gpu_net *net, int mode, const gdata *D,
                    jahs_k_norm norm, const jahs_gpu_batch_opts *bo,
                    jahs_error *err)
{
    const jahs_graph *g = net->g;
    jahs_kshape s = shape(net, g->input, net->n);
    int rc;
    KL(jahs_k_augment(&s, D->images, D->labels, net->aplan[mode],
                      net->cursor, norm, A(net, g->input), net->labels,
                      net->stream));
    if ((rc = run_forward(net, err)))
        return rc;
    KL(jahs_k_softmax_ce(net->dt, net->n, g->t[g->logits].c,
                         A(net, g->logits), net->labels,
                         mode == 0 ? G(net, g->logits) : NULL, net->rows,
                         net->lossout, net->stream));
    if (mode == 0 && ((rc = run_backward(net, err)) ||
                      (rc = run_sgd(net, bo->momentum, bo->wd, err))))
        return rc;
    KL(jahs_k_advance(net->cursor, net->n, net->step, net->stream));
    return 0;
}

/* Run one step of mode m with batch size n: replay its graph, capture it
 * (from the second step on), or run it eagerly. */
static int run_step(jahs_gpu_net *net, int mode, int n, const gdata *D,
                    const jahs_gpu_batch_opts *bo, jahs_error *err)
{
    jahs_k_norm norm = norm_of(bo, net->g->t[net->g->input].c);
    gstep *gs;
    gkey key;
    cudaGraph_t graph = NULL;
    cudaError_t e;
    int rc;
    if ((rc = begin(net, n, mode == 0, bo->dropout_seed, err)))
        return rc;
    gs = &net->cur->step[mode];
    memset(&key, 0, sizeof key);
    key.images = D->images;
    key.labels = D->labels;
    key.aplan = net->aplan[mode];
    key.seed = bo->dropout_seed;
    key.momentum = bo->momentum;
    key.wd = bo->wd;
    key.norm = norm;
    if (!net->o.graphs)
        return step_seq(net, mode, D, norm, bo, err);
    if (gs->exec && memcmp(&gs->key, &key, sizeof key) != 0) {
        CU(cudaStreamSynchronize(net->stream));
        cudaGraphExecDestroy(gs->exec);
        gs->exec = NULL;
    }
    if (!gs->exec && gs->eager < 1) {
        /* the first step loads the kernels: eagerly, outside a capture */
        gs->eager++;
        return step_seq(net, mode, D, norm, bo, err);
    }
    if (!gs->exec) {
        jahs_error cerr = {0};
        CU(cudaStreamBeginCapture(net->stream,
                                  cudaStreamCaptureModeThreadLocal));
        rc = step_seq(net, mode, D, norm, bo, &cerr);
        e = cudaStreamEndCapture(net->stream, &graph);
        if (!rc && e == cudaSuccess) {
            e = cudaGraphInstantiate(&gs->exec, graph, 0);
            if (e != cudaSuccess)
                gs->exec = NULL;
        }
        if (graph)
            cudaGraphDestroy(graph);
        if (rc || e != cudaSuccess) {
            /* nothing captured ran: run this step (and the network's
             * next ones) eagerly, where a real error shows as itself.
             * Capture fails e.g. when another thread synchronises the
             * device (cudaFree) meanwhile. */
            cudaGetLastError();
            jahs_warn("gpu: CUDA graph capture failed (%s); running steps "
                      "eagerly",
                      rc ? cerr.msg : cudaGetErrorString(e));
            net->o.graphs = 0;
            return step_seq(net, mode, D, norm, bo, err);
        }
        gs->key = key;
    }
    CU(cudaGraphLaunch(gs->exec, net->stream));
    return 0;
}

static int run_epoch(jahs_gpu_net *net, int mode, const jahs_dataset *d,
                     const int *idx, const jahs_augment_draws *draws, int n,
                     int batch, float lr, uint64_t step0,
                     const jahs_gpu_batch_opts *bo, double *loss_sum,
                     long *correct, jahs_error *err)
{
    double out[4];
    gdata *D;
    int b, rc;
    if (batch < 1 || batch > net->max_batch)
        return JAHS_FAIL(err, JAHS_ERANGE, "batch size %d outside 1..%d",
                         batch, net->max_batch);
    if (n < 0)
        return JAHS_FAIL(err, JAHS_ERANGE, "%d images", n);
    if (n == 0)
        return 0;
    CU(cudaSetDevice(net->o.device));
    if ((rc = data_get(net, d, &D, err)) ||
        (rc = upload_plans(net, mode, d, idx, draws, n, err)) ||
        (rc = set_counters(net, step0, lr, err)))
        return rc;
    for (b = 0; b < n; b += batch)
        if ((rc = run_step(net, mode, n - b < batch ? n - b : batch, D, bo,
                           err)))
            return rc;
    CU(cudaMemcpyAsync(out, net->lossout, sizeof out, cudaMemcpyDeviceToHost,
                       net->stream));
    CU(cudaStreamSynchronize(net->stream));
    if (loss_sum)
        *loss_sum += out[2];
    if (correct)
        *correct += (long)(out[3] + 0.5);
    return 0;
}

int jahs_gpu_net_train(jahs_gpu_net *net, const jahs_dataset *d,
                       const int *order, const jahs_augment_draws *draws,
                       int n, int batch, float lr, uint64_t step0,
                       const jahs_gpu_batch_opts *bo, double *loss_sum,
                       long *correct, jahs_error *err)
{
    return run_epoch(net, 0, d, order, draws, n, batch, lr, step0, bo,
                     loss_sum, correct, err);
}

int jahs_gpu_net_evaluate(jahs_gpu_net *net, const jahs_dataset *d,
                          const int *idx, int n, int batch,
                          const jahs_gpu_batch_opts *bo, double *loss_sum,
                          long *correct, jahs_error *err)
{
    return run_epoch(net, 1, d, idx, NULL, n, batch, 0.0f, 0, bo, loss_sum,
                     correct, err);
}

#else

/* ISO C wants a declaration in every translation unit. */
typedef int jahs_gpu_cuda_unused;

#endif /* JAHS_HAVE_CUDA */
