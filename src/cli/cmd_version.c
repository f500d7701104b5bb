/*
 * cmd_version.c - `jahs version`.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "exp/mpi.h"

#ifndef JAHS_VERSION
#define JAHS_VERSION "0.1.0"
#endif

int jahs_cmd_version(int argc, char **argv, jahs_error *err)
{
    (void)argc;
    (void)argv;
    char mpi[256];
    (void)err;
    printf("jahs %s\n", JAHS_VERSION);
    printf("mpi: %s\n", jahs_mpi_library(mpi, sizeof mpi));
    return 0;
}
