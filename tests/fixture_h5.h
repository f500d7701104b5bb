/*
 * fixture_h5.h - damaging HDF5 files the way a disk, a hand edit or a
 * hostile user would (issue 15): overwrite elements of a dataset or a
 * scalar attribute in place, through libhdf5, then seal the file again
 * (jahs_h5_seal) so its jahs checksum matches the edit.
 */
#ifndef JAHS_TESTS_FIXTURE_H5_H
#define JAHS_TESTS_FIXTURE_H5_H

#include <hdf5.h>

/* Overwrite n elements from i of the 1-D view of dataset name (memory type
 * mt) in the file at path, or the attribute name of the root group when
 * attr; a failure is a test failure. */
void fx_h5_poke(const char *path, const char *name, int attr, hid_t mt,
                hsize_t i, hsize_t n, const void *v);

#endif
