/*
 * h5.h - the project's only door to HDF5 (the only file that includes
 * hdf5.h is h5.c).  Typed datasets with deflate compression, string datasets,
 * attributes, and atomic creation (write to a temporary, rename on commit).
 * HDF5's automatic error printing is off; its failures come back as jahs
 * errors naming the file and the object.
 *
 * Corrupt files (issue 15, class 7) must not reach libhdf5's own faults
 * (Debian's 1.10.8 reads past buffers and loops in its global heap, leaks on
 * failed opens and trusts declared chunk sizes; REPRODUCE.md,
 * "Reliability"), so:
 *  - every file jahs writes has a 512-byte HDF5 user block holding a jahs
 *    header (magic, length, a 64-bit checksum of the whole file), written at
 *    commit and verified by jahs_h5_open before libhdf5 parses a byte;
 *  - strings are fixed-length HDF5 strings (no global heap); a
 *    variable-length string is refused before it is read;
 *  - sizes a dataset declares (chunk dims, stored bytes, total bytes) are
 *    checked against the file's size before HDF5 allocates for a read;
 *  - a file opened for reading is parsed by libhdf5 in a forked reading
 *    process, never in this one: what a forged file (a matching checksum)
 *    or another program's HDF5 file (no header) makes libhdf5 do (crash,
 *    loop, read past a buffer, leak) ends that process, and the call is an
 *    error naming the file and how the reader ended.  The read operations
 *    below send their request there and get the data back by value.
 *    JAHS_H5_TIMEOUT (seconds, default 300) bounds each answer.
 */
#ifndef JAHS_CORE_H5_H
#define JAHS_CORE_H5_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef struct jahs_h5 jahs_h5;

typedef enum jahs_h5_type {
    JAHS_H5_U8 = 0,
    JAHS_H5_I16,
    JAHS_H5_I32,
    JAHS_H5_I64,
    JAHS_H5_F32,
    JAHS_H5_F64
} jahs_h5_type;

#define JAHS_H5_MAX_RANK 4

/*
 * Create a new file for writing at path.  Data goes to a temporary beside it;
 * jahs_h5_commit renames it into place, jahs_h5_close without a commit
 * discards it.  Parent directories are created.
 */
jahs_h5 *jahs_h5_create(const char *path, jahs_error *err);
/* Open an existing file read-only: jahs_h5_open_verified(path, 0, NULL,
 * err).  A file that is not HDF5 (or is truncated) is an error naming it.
 * The handle owns a reading process (a fork) until jahs_h5_close; it must
 * not be used across a fork. */
jahs_h5 *jahs_h5_open(const char *path, jahs_error *err);

/* jahs_h5_open_verified's flags: refuse a file without the jahs header
 * (older jahs files, files of other programs). */
#define JAHS_H5_REQUIRE_SUM 1u
/*
 * Open an existing file read-only after checking its jahs header with plain
 * stdio: a file that has one must have the length and the checksum the
 * header states, else the error is "'<path>': checksum mismatch: the file
 * is damaged (<remedy>)" and libhdf5 never sees the file.  A file without
 * the header is opened (unprotected) unless flags has JAHS_H5_REQUIRE_SUM,
 * when the error says it carries no jahs checksum and then remedy.  remedy
 * (what makes the file again, e.g. "rebuild it with 'make tables'") may be
 * NULL for a generic one.  Returns a handle (jahs_h5_close) or NULL with
 * err filled.
 */
jahs_h5 *jahs_h5_open_verified(const char *path, unsigned flags,
                               const char *remedy, jahs_error *err);
/*
 * Recompute and write the jahs header of the file at path, which must have
 * been written by jahs_h5_create (a 512-byte user block before the HDF5
 * superblock): for tests and fuzzers that edit a file through libhdf5 or
 * byte by byte and want jahs's readers, not the checksum, to judge it.
 * Returns 0 or a negative code with err filled (no such file, no user
 * block); a file without a user block is left untouched.
 */
int jahs_h5_seal(const char *path, jahs_error *err);
/* 1 when head (the first n bytes of a file) starts an HDF5 file as jahs
 * writes it (the jahs header: the HDF5 signature is at byte 512) or as
 * other programs do (the signature at byte 0), else 0. */
int jahs_h5_sniff(const void *head, size_t n);
/* Close and rename a created file into place.  h is freed either way. */
int jahs_h5_commit(jahs_h5 *h, jahs_error *err);
/* Close (an uncommitted created file is removed).  NULL is a no-op. */
void jahs_h5_close(jahs_h5 *h);
const char *jahs_h5_path(const jahs_h5 *h);

/* Whether a dataset or group exists at name ("a/b/c"). */
int jahs_h5_exists(jahs_h5 *h, const char *name);

/*
 * Write a dataset (rank 1..4, dims[i] > 0) of the given type from data,
 * chunked, deflated at level (0: no compression) and with a Fletcher-32
 * checksum per chunk, which HDF5 verifies on every read (a corrupt chunk
 * fails jahs_h5_read).  Intermediate groups are created.
 */
int jahs_h5_write(jahs_h5 *h, const char *name, jahs_h5_type type, int rank,
                  const uint64_t *dims, const void *data, int deflate,
                  jahs_error *err);
/* Write n NUL-terminated strings as a 1-D fixed-length string dataset
 * (each padded to the longest + 1, NUL-terminated; at most 64 KiB each),
 * chunked with Fletcher-32 and deflated at level like jahs_h5_write. */
int jahs_h5_write_strings(jahs_h5 *h, const char *name,
                          const char *const *strs, size_t n, int deflate,
                          jahs_error *err);

/* Rank and dimensions of a dataset; an absent one is an error naming it. */
int jahs_h5_shape(jahs_h5 *h, const char *name, int *rank, uint64_t *dims,
                  jahs_error *err);
/*
 * Read a whole dataset converted to type into out, which holds n elements.
 * The dataset must have exactly n elements (else an error stating both), and
 * a numeric type (HDF5 converts between numeric types).
 */
/* 1 when dataset name is stored as integers, 0 when not (floats, strings,
 * ...), or a negative code with err filled (no such dataset). */
int jahs_h5_is_integer(jahs_h5 *h, const char *name, jahs_error *err);
int jahs_h5_read(jahs_h5 *h, const char *name, jahs_h5_type type, void *out,
                 size_t n, jahs_error *err);
/* Read a 1-D fixed-length string dataset: *out is a malloc'd array of n
 * malloc'd strings (free with jahs_h5_free_strings).  A variable-length
 * string dataset is refused without reading it (an error naming it). */
int jahs_h5_read_strings(jahs_h5 *h, const char *name, char ***out, size_t *n,
                         jahs_error *err);
void jahs_h5_free_strings(char **s, size_t n);

/* Scalar attributes on an object ("/" for the file's root).  Strings are
 * written as fixed-length HDF5 strings (at most 64 KiB); a reader refuses
 * a variable-length string attribute or one that is not scalar. */
int jahs_h5_attr_set_str(jahs_h5 *h, const char *obj, const char *key,
                         const char *value, jahs_error *err);
int jahs_h5_attr_set_double(jahs_h5 *h, const char *obj, const char *key,
                            double value, jahs_error *err);
int jahs_h5_attr_set_long(jahs_h5 *h, const char *obj, const char *key,
                          long value, jahs_error *err);
/* *out is malloc'd. */
int jahs_h5_attr_get_str(jahs_h5 *h, const char *obj, const char *key,
                         char **out, jahs_error *err);
int jahs_h5_attr_get_double(jahs_h5 *h, const char *obj, const char *key,
                            double *out, jahs_error *err);
int jahs_h5_attr_get_long(jahs_h5 *h, const char *obj, const char *key,
                          long *out, jahs_error *err);
/* Whether the attribute exists. */
int jahs_h5_attr_exists(jahs_h5 *h, const char *obj, const char *key);

#endif
