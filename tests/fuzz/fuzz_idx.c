/*
 * fuzz_idx.c - libFuzzer target: the IDX reader (dataset_idx.c, MNIST /
 * Fashion-MNIST layout: magic, sizes, data length, trailing bytes, equal
 * counts, labels) on plain files (gzread reads them as they are).  An input
 * is a 4-byte big-endian length L, then L bytes of the images file, then the
 * labels file; the two are written as train-images-idx3-ubyte and
 * train-labels-idx1-ubyte of a directory.  The corpus holds 3-image files
 * (tests/fuzz/corpus.c).
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "data/dataset_read.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[96], img[160], lab[160];
    jahs_error err = {0};
    size_t len;
    if (!dir[0]) {
        fz_path(dir, sizeof dir, "idx", "");
        snprintf(img, sizeof img, "%s/train-images-idx3-ubyte", dir);
        snprintf(lab, sizeof lab, "%s/train-labels-idx1-ubyte", dir);
        mkdir(dir, 0700);
    }
    if (size < 4)
        return 0;
    len = (size_t)data[0] << 24 | (size_t)data[1] << 16 |
          (size_t)data[2] << 8 | data[3];
    if (len > size - 4)
        len = size - 4;
    if (fz_write(img, data + 4, len) ||
        fz_write(lab, data + 4 + len, size - 4 - len))
        return 0;
    jahs_dataset_free(
        jahs_dataset_load_idx("fashion-mnist", dir, JAHS_SPLIT_TRAIN, &err));
    remove(img);
    remove(lab);
    return 0;
}
