/*
 * fuzz_checkpoint.c - libFuzzer target: checkpoint restore
 * (jahs_trainer_load in checkpoint.c: identity, checksum, epoch and step
 * counts, RNG state, finiteness and shapes of the weights) into a fresh
 * tiny trainer (fuzz_util.h) per input.  The corpus is checkpoints of that
 * trainer after 0 and 1 epochs (tests/fuzz/corpus.c).
 * Raw mode: the fuzzer's bytes as they are, so most inputs now stop at
 * the jahs checksum (core/h5.h) before libhdf5; fuzz_checkpoint_sealed.c
 * builds this file with FZ_SEALED 1, which seals each input first to
 * reach libhdf5.
 */
#include <stdlib.h>

#include "fuzz_util.h"

#ifndef FZ_SEALED
#define FZ_SEALED 0
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[96];
    jahs_trainer_opts o;
    jahs_trainer *t;
    jahs_error err = {0};
    if (!path[0])
        fz_path(path, sizeof path, FZ_SEALED ? "checkpoint-sealed" : "checkpoint",
                ".h5");
    fz_tiny_opts(&o);
    if (fz_write(path, data, size))
        return 0;
    if (FZ_SEALED)
        fz_seal(path);
    if ((t = jahs_trainer_create(&o, &err)))
        jahs_trainer_load(t, path, &err);
    fz_note(&err);
    jahs_trainer_free(t);
    remove(path);
    return 0;
}
