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
#define FZ_SEALED 1
#include "fuzz_checkpoint.c"
