/*
 * cmd_version.c - `jahs version`.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "exp/mpi.h"
#include "gpu/gpu.h"

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
    /* gpu: the device the GPU backend would use, or why there is none */
    if (jahs_gpu_probe(0, gpu, sizeof gpu, &e) == 0)
        printf("gpu: %s\n", gpu);
    else
        printf("gpu: none (%s)\n", e.msg);
    return 0;
}
