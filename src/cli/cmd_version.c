/*
 * cmd_version.c - `jahs version`.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "exp/mpi.h"
#include "gpu/gpu.h"
#include "nn/conv_dnnl.h"
#include "nn/gemm.h"
#include "nn/net.h"

#ifndef JAHS_VERSION
#define JAHS_VERSION "0.1.0"
#endif

int jahs_cmd_version(int argc, char **argv, jahs_error *err)
{
    (void)argc;
    (void)argv;
    char mpi[256], gpu[256];
    jahs_error e = {0};
    (void)err;
    printf("jahs %s\n", JAHS_VERSION);
    printf("mpi: %s\n", jahs_mpi_library(mpi, sizeof mpi));
    /* cpu: the trainer's BLAS, convolutions and activation layout */
    {
        jahs_conv_backend b;
        int block = 0;
        jahs_error ce = {0};
        printf("cpu: BLAS %s (%s)", jahs_blas_name(), jahs_blas_kernel());
        if (jahs_conv_backend_parse(getenv("JAHS_CONV"), &b, &ce) < 0)
            printf(", convolutions: %s\n", ce.msg);
        else if (b == JAHS_CONV_REF)
            printf(", convolutions im2col + BLAS (JAHS_CONV=ref), NCHW\n");
        else if (jahs_net_plan_block(&block, &ce) < 0)
            printf(", convolutions %s (JAHS_CONV=%s), %s\n",
                   jahs_dnnl_describe(), jahs_conv_backend_name(b), ce.msg);
        else if (block)
            printf(", convolutions %s (JAHS_CONV=%s), activations "
                   "nChw%dc where the channels allow (JAHS_NET_BLOCK)\n",
                   jahs_dnnl_describe(), jahs_conv_backend_name(b), block);
        else
            printf(", convolutions %s (JAHS_CONV=%s), activations NCHW "
                   "(JAHS_NET_BLOCK)\n",
                   jahs_dnnl_describe(), jahs_conv_backend_name(b));
    }
    /* gpu: the device the GPU backend would use, or why there is none */
    if (jahs_gpu_probe(0, gpu, sizeof gpu, &e) == 0)
        printf("gpu: %s\n", gpu);
    else
        printf("gpu: none (%s)\n", e.msg);
    return 0;
}
