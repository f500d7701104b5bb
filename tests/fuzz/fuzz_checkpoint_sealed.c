/*
 * fuzz_checkpoint_sealed.c - libFuzzer target, sealed mode (fuzz_util.h, fz_seal):
 * every input gets a matching jahs checksum before it is read, so the bytes
 * reach libhdf5 as a forged file would (fuzz_checkpoint.c fuzzes the raw bytes,
 * which the checksum now stops).  Otherwise as fuzz_checkpoint.c: checkpoint restore
 * (jahs_trainer_load in checkpoint.c: identity, checksum, epoch and step
 * counts, RNG state, finiteness and shapes of the weights) into a fresh
 * tiny trainer (fuzz_util.h) per input.  The corpus is checkpoints of that
 * trainer after 0 and 1 epochs (tests/fuzz/corpus.c).
 */
#include <stdlib.h>

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[96];
    jahs_trainer_opts o;
    jahs_trainer *t;
    jahs_error err = {0};
    if (!path[0])
        fz_path(path, sizeof path, "checkpoint-sealed", ".h5");
    fz_tiny_opts(&o);
    if (fz_write(path, data, size))
        return 0;
    fz_seal(path);
    if ((t = jahs_trainer_create(&o, &err)))
        jahs_trainer_load(t, path, &err);
    jahs_trainer_free(t);
    remove(path);
    return 0;
}
