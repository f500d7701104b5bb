/*
 * bench_train.c - CPU training speed: images per second of one training
 * step (forward, loss, backward, SGD update) at batch 256 for
 *   - the NB201 best cell (|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|
 *     +|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|), C=16, N=5, 3 stages,
 *     32 x 32 x 3 inputs, 100 classes (NB201's CIFAR-100 network);
 *   - the poster's largest sequential CNN, 7 x 512 channels, same inputs;
 *   - the AutoML SS23 template's sequential CNN (space seqcnn-ss23 at its
 *     defaults: 3 blocks conv3x3 512 + bias, ReLU, BN, max-pool; global
 *     average pooling; 3 FC 512 with ReLU and dropout 0.2), 9 classes
 *     (DeepWeedsX), trained with Adam (lr 1e-3, no weight decay);
 * with OpenBLAS (when linked) and GSL's reference CBLAS (libgslcblas,
 * opened with dlopen so both run in one process), and with 1 thread and all
 * cores.  Steps are timed after one warm-up step; the median over the timed
 * steps is reported.  GSL's reference CBLAS is an order of magnitude
 * slower, so it runs one timed step at batch 32 (JAHS_BENCH_GSL=0 skips
 * it): the convolutions are one GEMM per image, so images per second hardly
 * depend on the batch size.  Effective GFLOP/s counts forward + backward as
 * 3 x 2 x the multiply-accumulates of arch.h's cost.
 *
 * One-row mode, for bench/torch_cpu.py (which runs PyTorch's same step in
 * the same minute and prints the ratio):
 *   bench_train --net nb201|seqt --threads N [--batch B] [--steps S]
 * times one network with the linked BLAS and prints
 *   RESULT jahs <net> <threads> <batch> <images/s> <MMAC/img>
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/util.h"
#include "nn/arch.h"
#include "nn/gemm.h"
#include "nn/net.h"
#include "nn/workers.h"
#include "space/space.h"
#include "train/adam.h"
#include "train/sgd.h"

#define BATCH 256
#define GSL_BATCH 32
#define MAX_BATCH 1024
#define SEQT_LR 1e-3f /* the template's learning_rate_init default */

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median seconds of one training step over `steps` timed steps. */
static double time_step(const jahs_net_spec *s, int batch, int threads,
                        int steps, size_t *mem, jahs_error *err)
{
    jahs_net *net = jahs_net_create(s, batch, threads, err);
    jahs_rng *r = jahs_rng_create(1, "bench/train", 0, err);
    const jahs_graph *g;
    uint8_t labels[MAX_BATCH];
    double *t = malloc((size_t)steps * sizeof *t), med;
    float *adam_v = NULL;
    size_t i, nin;
    int k;
    if (!net || !r || !t) {
        jahs_net_free(net);
        jahs_rng_free(r);
        free(t);
        return -1;
    }
    g = jahs_net_graph(net);
    if (s->macro == JAHS_MACRO_SEQT &&
        !(adam_v = calloc(g->n_params + 1, sizeof *adam_v))) {
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory for Adam's moments");
        jahs_net_free(net);
        jahs_rng_free(r);
        free(t);
        return -1;
    }
    jahs_net_init(net, 1, 0, err);
    nin = (size_t)batch * s->c_in * s->h * s->w;
    for (i = 0; i < nin; i++)
        jahs_net_input(net)[i] = (float)jahs_rng_gaussian(r, 1.0);
    for (i = 0; i < (size_t)batch; i++)
        labels[i] = (uint8_t)jahs_rng_int(r, (unsigned long)s->n_classes);
    for (k = -1; k < steps; k++) {
        double t0 = jahs_now();
        jahs_net_forward(net, batch, 1, 1, (uint64_t)k + 1);
        jahs_net_loss(net, labels, NULL);
        jahs_net_backward(net);
        if (adam_v)
            jahs_adam_step(jahs_net_params(net), jahs_net_grads(net),
                           jahs_net_momentum(net), adam_v, g->n_params,
                           SEQT_LR, 0.0f, (uint64_t)k + 2);
        else
            jahs_sgd_step(jahs_net_params(net), jahs_net_grads(net),
                          jahs_net_momentum(net), g->n_params, 0.01f, 0.9f,
                          5e-4f, 1);
        if (k >= 0)
            t[k] = jahs_now() - t0;
    }
    qsort(t, (size_t)steps, sizeof *t, cmp_dbl);
    med = t[steps / 2];
    *mem = jahs_net_memory(net);
    free(t);
    free(adam_v);
    jahs_rng_free(r);
    jahs_net_free(net);
    return med;
}

/* The template's seqcnn at the seqcnn-ss23 space's defaults, 32 x 32 x 3,
 * 9 classes. */
static int seqt_spec(jahs_net_spec *spec, jahs_error *err)
{
    jahs_space *sp = jahs_space_create("seqcnn-ss23", err);
    double *x;
    int rc;
    if (!sp)
        return -1;
    if (!(x = malloc((size_t)sp->n * sizeof *x))) {
        jahs_space_free(sp);
        return JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
    }
    jahs_space_defaults(sp, x);
    rc = jahs_net_spec_from_config(spec, sp, x, 3, 32, 32, 9, NULL, NULL,
                                   NULL, err);
    free(x);
    jahs_space_free(sp);
    return rc;
}

static int usage(const char *msg, const char *arg)
{
    fprintf(stderr,
            "bench_train: %s%s%s\n"
            "usage: bench_train                 (the table, bench/README.md)\n"
            "       bench_train --net nb201|seqt --threads N [--batch B] "
            "[--steps S]\n",
            msg, arg ? ": " : "", arg ? arg : "");
    return 2;
}

/* A positive integer <= max from text, or -1. */
static int pos_int(const char *text, int max)
{
    char *end;
    long v = strtol(text, &end, 10);
    return *text && !*end && v >= 1 && v <= max ? (int)v : -1;
}

/* One row for bench/torch_cpu.py: RESULT jahs net threads batch img/s. */
static int one_row(const jahs_net_spec *nets, int argc, char **argv)
{
    const char *net = NULL;
    int a, threads = -1, batch = BATCH, steps = 3, n;
    size_t mem = 0;
    double s, macs;
    jahs_error err = {0};
    for (a = 1; a < argc; a++) {
        int *dst = NULL, max = 0;
        if (a + 1 >= argc)
            return usage("missing value after", argv[a]);
        if (strcmp(argv[a], "--net") == 0)
            net = argv[++a];
        else if (strcmp(argv[a], "--threads") == 0)
            dst = &threads, max = 256;
        else if (strcmp(argv[a], "--batch") == 0)
            dst = &batch, max = MAX_BATCH;
        else if (strcmp(argv[a], "--steps") == 0)
            dst = &steps, max = 1000;
        else
            return usage("unknown option", argv[a]);
        if (dst && (*dst = pos_int(argv[++a], max)) < 0)
            return usage("expected a positive integer (batch <= 1024) after",
                         argv[a - 1]);
    }
    if (!net || threads < 0)
        return usage("--net and --threads are required", NULL);
    if (strcmp(net, "nb201") == 0)
        n = 0;
    else if (strcmp(net, "seqt") == 0)
        n = 2;
    else
        return usage("--net: expected nb201 or seqt, got", net);
    jahs_net_cost(&nets[n], NULL, &macs, NULL);
    s = time_step(&nets[n], batch, threads, steps, &mem, &err);
    if (s < 0) {
        fprintf(stderr, "bench_train: %s\n", err.msg);
        return 1;
    }
    printf("RESULT jahs %s %d %d %.2f %.1f\n", net, threads, batch, batch / s,
           macs / 1e6);
    return 0;
}

int main(int argc, char **argv)
{
    jahs_net_spec nets[3];
    const char *names[3] = {"NB201 best cell C=16 N=5 (3 stages)",
                            "seqcnn 7 x 512",
                            "seqcnn-ss23 defaults (Adam)"};
    const char *gsl_env = getenv("JAHS_BENCH_GSL");
    jahs_sgemm_fn gsl_sgemm = NULL, linked;
    void *gsl = NULL;
    jahs_error err = {0};
    int n, b, th, cpus = jahs_cpu_count(), k;
    jahs_blas_tune_process(argv);
    memset(nets, 0, sizeof nets);
    nets[0].macro = JAHS_MACRO_CELL;
    nets[0].c_in = 3;
    nets[0].h = nets[0].w = 32;
    nets[0].n_classes = 100;
    nets[0].C = 16;
    nets[0].N = 5;
    nets[0].stages = 3;
    jahs_nb201_cell_parse("333133", nets[0].ops, NULL);
    nets[1] = nets[0];
    nets[1].macro = JAHS_MACRO_SEQ;
    nets[1].n_layers = 7;
    for (k = 0; k < 7; k++)
        nets[1].channels[k] = 512;
    if (seqt_spec(&nets[2], &err) < 0) {
        fprintf(stderr, "bench_train: seqcnn-ss23: %s\n", err.msg);
        return 1;
    }
    if (argc > 1)
        return one_row(nets, argc, argv);
    if (!gsl_env || strcmp(gsl_env, "0") != 0) {
        gsl = dlopen("libgslcblas.so.0", RTLD_NOW | RTLD_LOCAL);
        if (gsl)
            *(void **)&gsl_sgemm = dlsym(gsl, "cblas_sgemm");
    }
    linked = jahs_sgemm_set(NULL);
    printf("CPU training step (forward + loss + backward + SGD), batch %d, "
           "%d CPUs, linked BLAS: %s (kernels: %s)\n",
           BATCH, cpus, jahs_blas_name(), jahs_blas_kernel());
    printf("%-36s %-9s %5s %7s %10s %9s %8s %8s\n", "network", "BLAS",
           "batch", "threads", "MMAC/img", "img/s", "GFLOP/s", "MB");
    for (n = 0; n < 3; n++) {
        double macs;
        jahs_net_cost(&nets[n], NULL, &macs, NULL);
        for (b = 0; b < 2; b++) {
            const char *bn = b == 0 ? jahs_blas_name() : "gsl (dl)";
            if (b == 1 && (!gsl_sgemm || strcmp(jahs_blas_name(), "gsl") == 0))
                continue;
            jahs_sgemm_set(b == 0 ? linked : gsl_sgemm);
            for (th = 1; th <= cpus; th = th == cpus ? cpus + 1 : cpus) {
                size_t mem = 0;
                int steps = b == 1 ? 1 : 3, batch = b == 1 ? GSL_BATCH : BATCH;
                double s;
                if (b == 1 && th != cpus)
                    continue; /* one GSL figure, all cores */
                s = time_step(&nets[n], batch, th, steps, &mem, &err);
                if (s < 0) {
                    fprintf(stderr, "bench_train: %s\n", err.msg);
                    return 1;
                }
                printf("%-36s %-9s %5d %7d %10.1f %9.1f %8.1f %8.0f\n",
                       names[n], bn, batch, th, macs / 1e6, batch / s,
                       6.0 * macs * batch / s / 1e9, (double)mem / 1e6);
                fflush(stdout);
            }
        }
    }
    jahs_sgemm_set(NULL);
    if (gsl)
        dlclose(gsl);
    return 0;
}
