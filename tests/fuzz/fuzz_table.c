/*
 * fuzz_table.c - libFuzzer target: the NB201 table reader
 * (jahs_nb201_table_open: shapes, format, version, dataset name, response
 * model constants, value ranges, the Fletcher-32 checksums) over libhdf5.
 * The corpus is tables/nb201_cifar10.h5, the smallest valid table (every
 * table holds 15,625 cells).
 * Raw mode: the fuzzer's bytes as they are, so most inputs now stop at
 * the jahs checksum (core/h5.h) before libhdf5; fuzz_table_sealed.c
 * builds this file with FZ_SEALED 1, which seals each input first to
 * reach libhdf5.
 */
#include <stdlib.h>

#include "eval/nb201_table.h"
#include "fuzz_util.h"

#ifndef FZ_SEALED
#define FZ_SEALED 0
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[96];
    jahs_error err = {0};
    if (!path[0])
        fz_path(path, sizeof path, FZ_SEALED ? "table-sealed" : "table",
                ".h5");
    if (fz_write(path, data, size))
        return 0;
    if (FZ_SEALED)
        fz_seal(path);
    jahs_nb201_table_free(jahs_nb201_table_open(path, &err));
    fz_note(&err);
    remove(path);
    return 0;
}
