/*
 * fuzz_cifar.c - libFuzzer target: the CIFAR binary reader and its tar
 * reader (dataset_cifar.c: tar headers, octal sizes, checksums, ustar
 * prefixes, member lengths in whole records, labels) on a CIFAR-100
 * archive, both splits.  The corpus holds a plain and a gzip tar of
 * 3-image train.bin / test.bin (tests/fuzz/corpus.c, then tar and gzip in
 * `make fuzz`).
 */
#include <stdlib.h>

#include "data/dataset_read.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[96];
    jahs_error err = {0};
    if (!path[0])
        fz_path(path, sizeof path, "cifar", ".tar");
    if (fz_write(path, data, size))
        return 0;
    jahs_dataset_free(
        jahs_dataset_load_cifar(100, path, JAHS_SPLIT_TRAIN, &err));
    jahs_dataset_free(
        jahs_dataset_load_cifar(100, path, JAHS_SPLIT_TEST, &err));
    remove(path);
    return 0;
}
