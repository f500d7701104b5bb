/*
 * gpu_net.c - see gpu.h.
 *
 * This file: the device-name parser and options (both builds), and the
 * backend of a build without CUDA (no nvcc / cuDNN, CUDA=0, the ASan
 * build): the same functions, answering JAHS_EUNAVAILABLE.  The CUDA
 * backend is gpu_cuda.c.
 */
#include "gpu/gpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int jahs_device_parse(const char *text, int *gpu, int *index, int *precision,
                      jahs_error *err)
{
    const char *p = text;
    char *end;
    long v;
    *gpu = 0;
    *index = 0;
    if (precision)
        *precision = JAHS_PREC_FP32;
    if (!text || strcmp(text, "cpu") == 0)
        return 0;
    if (strncmp(p, "gpu", 3) != 0)
        goto bad;
    p += 3;
    if (*p == ':') {
        if (p[1] < '0' || p[1] > '9')
            goto bad;
        v = strtol(p + 1, &end, 10);
        if (v < 0 || v >= 1024)
            goto bad;
        *index = (int)v;
        p = end;
    }
    if (strcmp(p, ",bf16") == 0) {
        if (precision)
            *precision = JAHS_PREC_BF16;
    } else if (*p && strcmp(p, ",fp32") != 0) {
        goto bad;
    }
    *gpu = 1;
    return 0;
bad:
    *index = 0;
    return JAHS_FAIL(err, JAHS_EINVAL,
                     "unknown device '%s' (expected cpu, gpu or gpu:N, "
                     "optionally with ,fp32 or ,bf16)",
                     text);
}

static long env_long(const char *name, long dflt, long lo, long hi)
{
    const char *s = getenv(name);
    char *end;
    long v;
    if (!s || !*s)
        return dflt;
    v = strtol(s, &end, 10);
    return (*end == '\0' && v >= lo && v <= hi) ? v : dflt;
}

void jahs_gpu_opts_defaults(jahs_gpu_opts *o)
{
    memset(o, 0, sizeof *o);
    o->precision = JAHS_PREC_FP32;
    o->graphs = (int)env_long("JAHS_GPU_GRAPHS", 1, 0, 1);
    o->find = (int)env_long("JAHS_CUDNN_FIND", 1, 0, 1);
    o->workspace = (size_t)env_long("JAHS_GPU_WORKSPACE_MB", 256, 0, 65536)
                   << 20;
}

#ifndef JAHS_HAVE_CUDA

/* ---- a build without CUDA ---------------------------------------------- */

#define NOT_BUILT                                                              \
    "no GPU available: this jahs was built without the CUDA backend (nvcc "   \
    "and cuDNN were not found, or CUDA=0)"

int jahs_gpu_built(void) { return 0; }

int jahs_gpu_probe(int device, char *desc, size_t size, jahs_error *err)
{
    (void)device;
    if (desc && size)
        desc[0] = '\0';
    return JAHS_FAIL(err, JAHS_EUNAVAILABLE, NOT_BUILT);
}

jahs_gpu_net *jahs_gpu_net_create(const jahs_net_spec *spec, int max_batch,
                                  const jahs_gpu_opts *o, jahs_error *err)
{
    (void)spec;
    (void)max_batch;
    (void)o;
    JAHS_FAIL(err, JAHS_EUNAVAILABLE, NOT_BUILT);
    return NULL;
}

void jahs_gpu_net_free(jahs_gpu_net *net) { (void)net; }

/* Unreachable without a network; present so that callers link. */
const jahs_graph *jahs_gpu_net_graph(const jahs_gpu_net *net)
{
    (void)net;
    return NULL;
}
size_t jahs_gpu_net_memory(const jahs_gpu_net *net)
{
    (void)net;
    return 0;
}
int jahs_gpu_net_precision(const jahs_gpu_net *net)
{
    (void)net;
    return JAHS_PREC_FP32;
}

/* the stubs ignore their arguments */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#define STUB(...)                                                              \
    {                                                                          \
        return JAHS_FAIL(err, JAHS_EUNAVAILABLE, NOT_BUILT);                   \
    }

int jahs_gpu_net_set_state(jahs_gpu_net *net, const float *params,
                           const float *momentum, const float *buffers,
                           jahs_error *err)
STUB()
int jahs_gpu_net_get_state(jahs_gpu_net *net, float *params, float *momentum,
                           float *buffers, jahs_error *err)
STUB()
int jahs_gpu_net_get_grads(jahs_gpu_net *net, float *grads, jahs_error *err)
STUB()
int jahs_gpu_net_set_input(jahs_gpu_net *net, const float *x, int n,
                           jahs_error *err)
STUB()
int jahs_gpu_net_get_activation(jahs_gpu_net *net, int t, int n, float *out,
                                jahs_error *err)
STUB()
int jahs_gpu_net_forward(jahs_gpu_net *net, int n, int train,
                         uint64_t dropout_seed, uint64_t step,
                         jahs_error *err)
STUB()
int jahs_gpu_net_loss(jahs_gpu_net *net, const uint8_t *labels, double *loss,
                      int *correct, jahs_error *err)
STUB()
int jahs_gpu_net_backward(jahs_gpu_net *net, jahs_error *err)
STUB()
int jahs_gpu_net_sgd(jahs_gpu_net *net, float lr, float momentum, float wd,
                     jahs_error *err)
STUB()
int jahs_gpu_net_make_batch(jahs_gpu_net *net, const jahs_dataset *d,
                            const int *idx, const jahs_augment_draws *draws,
                            int n, const jahs_gpu_batch_opts *bo,
                            jahs_error *err)
STUB()
int jahs_gpu_net_train(jahs_gpu_net *net, const jahs_dataset *d,
                       const int *order, const jahs_augment_draws *draws,
                       int n, int batch, float lr, uint64_t step0,
                       const jahs_gpu_batch_opts *bo, double *loss_sum,
                       long *correct, jahs_error *err)
STUB()
int jahs_gpu_net_evaluate(jahs_gpu_net *net, const jahs_dataset *d,
                          const int *idx, int n, int batch,
                          const jahs_gpu_batch_opts *bo, double *loss_sum,
                          long *correct, jahs_error *err)
STUB()

#endif /* !JAHS_HAVE_CUDA: the real backend is gpu_cuda.c */
