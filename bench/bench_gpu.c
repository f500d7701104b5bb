/*
 * bench_gpu.c - GPU training speed: images per second of the training
 * step (augmentation kernel, forward, loss, backward, SGD Nesterov update;
 * CUDA graphs) at batch 256 on 32 x 32 x 3 inputs, 100 classes, for
 *   - the NB201 best cell (|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|
 *     +|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|), C=16, N=5,
 *     3 stages (NB201's CIFAR-100 network);
 *   - the same cell, C=64, N=3, 2 stages;
 * in fp32 (NCHW, no TF32: the CPU-matching path) and bf16 (NHWC, fp32
 * master weights), as ../shared/DEVICE.md's PyTorch reference measures
 * (bench/torch_ref.py runs that beside this one in bench/gpu_check.sh).
 *
 * Data: random images resident on the device, no augmentation draws (the
 * kernel still builds and normalises each batch).  Each configuration
 * trains 3 warm-up steps (the first eager, the second captures the step
 * graph), then TIMED_STEPS steps, three times; the best of the three is
 * reported with the device pools' size (cuDNN workspace included).
 * Without a GPU it prints why and exits 0 (make bench runs everywhere).
 *
 * Lines starting "RESULT" are for bench/gpu_check.sh:
 *   RESULT jahs <network> <precision> <images/s> <pool MB>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/util.h"
#include "gpu/gpu.h"
#include "nn/arch.h"
#include "nn/net.h"

#define BATCH 256
#define TIMED_STEPS 30
#define REPEATS 3

static jahs_dataset *random_data(int n)
{
    jahs_dataset *d = calloc(1, sizeof *d);
    jahs_rng *r = jahs_rng_create(1, "bench/gpu", 0, NULL);
    size_t bytes = (size_t)n * 32 * 32 * 3, i;
    int c;
    if (!d || !r) {
        free(d);
        jahs_rng_free(r);
        return NULL;
    }
    snprintf(d->name, sizeof d->name, "random");
    d->n = n;
    d->h = d->w = 32;
    d->c = 3;
    d->n_classes = 100;
    d->images = malloc(bytes);
    d->labels = malloc((size_t)n);
    for (i = 0; d->images && i < bytes; i++)
        d->images[i] = (uint8_t)jahs_rng_int(r, 256);
    for (i = 0; d->labels && i < (size_t)n; i++)
        d->labels[i] = (uint8_t)jahs_rng_int(r, 100);
    for (c = 0; c < 3; c++) {
        d->mean[c] = 0.5f;
        d->std[c] = 0.25f;
    }
    jahs_rng_free(r);
    return d;
}

/* Best images/s over REPEATS runs of TIMED_STEPS steps; *mb: pool MB. */
static double time_net(const jahs_net_spec *s, int precision,
                       const jahs_dataset *d, double *mb, jahs_error *err)
{
    jahs_gpu_opts go;
    jahs_gpu_batch_opts bo;
    jahs_gpu_net *gpu;
    jahs_net *host = jahs_net_create(s, 1, 1, err);
    double best = 0.0, loss = 0.0;
    long hits = 0;
    int rep, c;
    if (!host)
        return -1;
    jahs_gpu_opts_defaults(&go);
    go.precision = precision;
    if (jahs_net_init(host, 1, 0, err) ||
        !(gpu = jahs_gpu_net_create(s, BATCH, &go, err))) {
        jahs_net_free(host);
        return -1;
    }
    *mb = (double)jahs_gpu_net_memory(gpu) / 1e6;
    memset(&bo, 0, sizeof bo);
    bo.dropout_seed = 1;
    bo.momentum = 0.9f;
    bo.wd = 5e-4f;
    for (c = 0; c < 4; c++) {
        bo.mean[c] = d->mean[c];
        bo.std[c] = c < 3 ? d->std[c] : 1.0f;
    }
    if (jahs_gpu_net_set_state(gpu, jahs_net_params(host),
                               jahs_net_momentum(host), jahs_net_buffers(host),
                               err) ||
        jahs_gpu_net_train(gpu, d, NULL, NULL, 3 * BATCH, BATCH, 0.01f, 0, &bo,
                           &loss, &hits, err))
        goto fail;
    for (rep = 0; rep < REPEATS; rep++) {
        double t0 = jahs_now(), ips;
        if (jahs_gpu_net_train(gpu, d, NULL, NULL, TIMED_STEPS * BATCH, BATCH,
                               0.01f, 3 + (uint64_t)rep * TIMED_STEPS, &bo,
                               &loss, &hits, err))
            goto fail;
        ips = TIMED_STEPS * BATCH / (jahs_now() - t0);
        if (ips > best)
            best = ips;
    }
    jahs_gpu_net_free(gpu);
    jahs_net_free(host);
    return best;
fail:
    jahs_gpu_net_free(gpu);
    jahs_net_free(host);
    return -1;
}

int main(void)
{
    static const struct {
        const char *name;
        int C, N, stages;
    } nets[] = {{"c16n5s3", 16, 5, 3}, {"c64n3s2", 64, 3, 2}};
    static const char *const precs[] = {"fp32", "bf16"};
    jahs_error err = {0};
    char desc[256];
    jahs_dataset *d;
    size_t i;
    int p, rc = 0;
    if (jahs_gpu_probe(0, desc, sizeof desc, &err)) {
        printf("bench_gpu: skipped: %s\n", err.msg);
        return 0;
    }
    if (!(d = random_data(TIMED_STEPS * BATCH))) {
        fprintf(stderr, "bench_gpu: out of memory\n");
        return 1;
    }
    printf("GPU training step, batch %d, 32x32x3, 100 classes (%s)\n", BATCH,
           desc);
    printf("%-9s %-5s %10s %9s %10s %10s\n", "network", "prec", "img/s",
           "ms/step", "GFLOP/img", "pools MB");
    for (i = 0; i < sizeof nets / sizeof nets[0]; i++) {
        jahs_net_spec s;
        double params, macs;
        memset(&s, 0, sizeof s);
        s.macro = JAHS_MACRO_CELL;
        s.c_in = 3;
        s.h = s.w = 32;
        s.n_classes = 100;
        s.C = nets[i].C;
        s.N = nets[i].N;
        s.stages = nets[i].stages;
        jahs_nb201_cell_parse("333133", s.ops, NULL);
        if (jahs_net_cost(&s, &params, &macs, &err)) {
            fprintf(stderr, "bench_gpu: %s\n", err.msg);
            rc = 1;
            break;
        }
        for (p = 0; p < 2; p++) {
            double mb = 0, ips = time_net(&s, p, d, &mb, &err);
            if (ips < 0) {
                fprintf(stderr, "bench_gpu: %s %s: %s\n", nets[i].name,
                        precs[p], err.msg);
                rc = 1;
                continue;
            }
            /* forward + backward ~ 3 x forward; 2 FLOPs per MAC */
            printf("%-9s %-5s %10.0f %9.2f %10.3f %10.0f\n", nets[i].name,
                   precs[p], ips, 1e3 * BATCH / ips, 6.0 * macs / 1e9, mb);
            printf("RESULT jahs %s %s %.0f %.0f\n", nets[i].name, precs[p],
                   ips, mb);
            fflush(stdout);
        }
    }
    jahs_dataset_free(d);
    return rc;
}
