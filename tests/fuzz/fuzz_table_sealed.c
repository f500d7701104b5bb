/*
 * fuzz_table_sealed.c - libFuzzer target, sealed mode (fuzz_util.h, fz_seal):
 * every input gets a matching jahs checksum before it is read, so the bytes
 * reach libhdf5 as a forged file would (fuzz_table.c fuzzes the raw bytes,
 * which the checksum now stops).  Otherwise as fuzz_table.c: the NB201 table reader
 * (jahs_nb201_table_open: shapes, format, version, dataset name, response
 * model constants, value ranges, the Fletcher-32 checksums) over libhdf5.
 * The corpus is tables/nb201_cifar10.h5, the smallest valid table (every
 * table holds 15,625 cells).
 */
#define FZ_SEALED 1
#include "fuzz_table.c"
