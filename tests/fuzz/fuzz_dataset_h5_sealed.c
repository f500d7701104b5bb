/*
 * fuzz_dataset_h5_sealed.c - libFuzzer target, sealed mode (fuzz_util.h, fz_seal):
 * every input gets a matching jahs checksum before it is read, so the bytes
 * reach libhdf5 as a forged file would (fuzz_dataset_h5.c fuzzes the raw bytes,
 * which the checksum now stops).  Otherwise as fuzz_dataset_h5.c: the project's HDF5 image format
 * (dataset_h5.c: shapes, sizes before allocating, label type and range,
 * statistics), both splits of each input.  The corpus is a 6-image file
 * written by jahs_dataset_save_h5 (tests/fuzz/corpus.c).
 */
#include <stdlib.h>

#include "data/dataset_read.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[96];
    jahs_error err = {0};
    if (!path[0])
        fz_path(path, sizeof path, "dataset-sealed", ".h5");
    if (fz_write(path, data, size))
        return 0;
    fz_seal(path);
    jahs_dataset_free(jahs_dataset_load_h5(path, JAHS_SPLIT_TRAIN, &err));
    jahs_dataset_free(jahs_dataset_load_h5(path, JAHS_SPLIT_TEST, &err));
    remove(path);
    return 0;
}
