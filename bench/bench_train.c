/*
 * bench_train.c - CPU training speed: images per second of one training
 * step (forward, loss, backward, SGD update) at batch 256 for
 *   - the NB201 best cell (|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|
 *     +|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|), C=16, N=5, 3 stages,
 *     32 x 32 x 3 inputs, 100 classes (NB201's CIFAR-100 network);
 *   - the poster's largest sequential CNN, 7 x 512 channels, same inputs;
 * with OpenBLAS (when linked) and GSL's reference CBLAS (libgslcblas,
 * opened with dlopen so both run in one process), and with 1 thread and all
 * cores.  Steps are timed after one warm-up step; the median over the timed
 * steps is reported.  GSL's reference CBLAS is an order of magnitude
 * slower, so it runs one timed step at batch 32 (JAHS_BENCH_GSL=0 skips
 * it): the convolutions are one GEMM per image, so images per second hardly
 * depend on the batch size.  Effective GFLOP/s counts forward + backward as
 * 3 x 2 x the multiply-accumulates of arch.h's cost.
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
#include "train/sgd.h"

#define BATCH 256
#define GSL_BATCH 32

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
    uint8_t labels[BATCH];
    double *t = malloc((size_t)steps * sizeof *t), med;
    size_t i, nin;
    int k;
    if (!net || !r || !t) {
        jahs_net_free(net);
        jahs_rng_free(r);
        free(t);
        return -1;
    }
    g = jahs_net_graph(net);
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
        jahs_sgd_step(jahs_net_params(net), jahs_net_grads(net),
                      jahs_net_momentum(net), g->n_params, 0.01f, 0.9f, 5e-4f,
                      1);
        if (k >= 0)
            t[k] = jahs_now() - t0;
    }
    qsort(t, (size_t)steps, sizeof *t, cmp_dbl);
    med = t[steps / 2];
    *mem = jahs_net_memory(net);
    free(t);
    jahs_rng_free(r);
    jahs_net_free(net);
    return med;
}

int main(int argc, char **argv)
{
    jahs_net_spec nets[2];
    const char *names[2] = {"NB201 best cell C=16 N=5 (3 stages)",
                            "seqcnn 7 x 512"};
    const char *gsl_env = getenv("JAHS_BENCH_GSL");
    jahs_sgemm_fn gsl_sgemm = NULL, linked;
    void *gsl = NULL;
    jahs_error err = {0};
    int n, b, th, cpus = jahs_cpu_count(), k;
    (void)argc;
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
    for (n = 0; n < 2; n++) {
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
