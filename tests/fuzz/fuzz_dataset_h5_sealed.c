/*
 * fuzz_dataset_h5_sealed.c - libFuzzer target, sealed mode (fuzz_util.h, fz_seal):
 * every input gets a matching jahs checksum before it is read, so the bytes
 * reach libhdf5 as a forged file would (fuzz_dataset_h5.c fuzzes the raw bytes,
 * which the checksum now stops).  Otherwise as fuzz_dataset_h5.c: the project's HDF5 image format
 * (dataset_h5.c: shapes, sizes before allocating, label type and range,
 * statistics), both splits of each input.  The corpus is a 6-image file
 * written by jahs_dataset_save_h5 (tests/fuzz/corpus.c).
 */
#define FZ_SEALED 1
#include "fuzz_dataset_h5.c"
