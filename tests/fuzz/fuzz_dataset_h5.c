/*
 * fuzz_dataset_h5.c - libFuzzer target: the project's HDF5 image format
 * (dataset_h5.c: shapes, sizes before allocating, label type and range,
 * statistics), both splits of each input.  The corpus is a 6-image file
 * written by jahs_dataset_save_h5 (tests/fuzz/corpus.c).
 * Raw mode: the fuzzer's bytes as they are, so most inputs now stop at
 * the jahs checksum (core/h5.h) before libhdf5; fuzz_dataset_h5_sealed.c
 * builds this file with FZ_SEALED 1, which seals each input first to
 * reach libhdf5.
 */
#include <stdlib.h>

#include "data/dataset_read.h"
#include "fuzz_util.h"

#ifndef FZ_SEALED
#define FZ_SEALED 0
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[96];
    jahs_error err = {0};
    if (!path[0])
        fz_path(path, sizeof path, FZ_SEALED ? "dataset-sealed" : "dataset",
                ".h5");
    if (fz_write(path, data, size))
        return 0;
    if (FZ_SEALED)
        fz_seal(path);
    jahs_dataset_free(jahs_dataset_load_h5(path, JAHS_SPLIT_TRAIN, &err));
    fz_note(&err);
    memset(&err, 0, sizeof err);
    jahs_dataset_free(jahs_dataset_load_h5(path, JAHS_SPLIT_TEST, &err));
    fz_note(&err);
    remove(path);
    return 0;
}
