/*
 * h5.c - see h5.h.  Every HDF5 call's status is checked; the innermost
 * message of HDF5's error stack is appended to ours so a user sees what the
 * library saw ("file signature not found", "address of object past end of
 * allocation", ...).
 */
#include "core/h5.h"

#include <hdf5.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/afile.h"
#include "core/util.h"

struct jahs_h5 {
    hid_t file;
    char *path;  /* final path */
    char *tmp;   /* temporary path while creating; NULL when opened */
};

static void quiet(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

static herr_t walk_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    char *buf = data;
    (void)n;
    if (e->desc && *e->desc)
        snprintf(buf, 256, "%s", e->desc); /* keep the innermost (last) */
    return 0;
}

/* Fill err with "<what> ('<path>'): <hdf5's own words>". */
static int h5_fail(jahs_error *err, const char *file, int line,
                   const char *path, const char *what)
{
    char detail[256] = "";
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_cb, detail);
    H5Eclear2(H5E_DEFAULT);
    return jahs_error_set(err, JAHS_EHDF5, file, line, "%s '%s'%s%s", what,
                          path, detail[0] ? ": " : "", detail);
}
#define H5FAIL(err, path, ...)                                                 \
    h5_fail_fmt((err), __FILE__, __LINE__, (path), __VA_ARGS__)

static int h5_fail_fmt(jahs_error *err, const char *file, int line,
                       const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int h5_fail_fmt(jahs_error *err, const char *file, int line,
                       const char *path, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return h5_fail(err, file, line, path, what);
}

jahs_h5 *jahs_h5_create(const char *path, jahs_error *err)
{
    jahs_h5 *h;
    quiet();
    h = calloc(1, sizeof *h);
    if (!h || !(h->path = jahs_strdup(path))) {
        free(h);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    /* a fresh file of ours (O_EXCL), which HDF5 then truncates and fills */
    if (!(h->tmp = jahs_afile_tmp_create(path, NULL, err))) {
        free(h->path);
        free(h);
        return NULL;
    }
    {
        /* no object timestamps: the same data gives the same bytes */
        hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
        if (fcpl >= 0)
            H5Pset_obj_track_times(fcpl, 0);
        h->file = H5Fcreate(h->tmp, H5F_ACC_TRUNC,
                            fcpl >= 0 ? fcpl : H5P_DEFAULT, H5P_DEFAULT);
        if (fcpl >= 0)
            H5Pclose(fcpl);
    }
    if (h->file < 0) {
        H5FAIL(err, h->tmp, "cannot create HDF5 file");
        jahs_afile_tmp_remove(h->tmp);
        free(h->path);
        free(h);
        return NULL;
    }
    return h;
}

jahs_h5 *jahs_h5_open(const char *path, jahs_error *err)
{
    jahs_h5 *h;
    quiet();
    if (!jahs_path_exists(path)) {
        /* (what would make the file is the caller's to say: a table, a
         * dataset and a checkpoint are made differently) */
        JAHS_FAIL(err, JAHS_EIO, "cannot open '%s': no such file", path);
        return NULL;
    }
    if (H5Fis_hdf5(path) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        JAHS_FAIL(err, JAHS_EFORMAT,
                  "'%s' is not a readable HDF5 file (corrupt or truncated?)",
                  path);
        return NULL;
    }
    h = calloc(1, sizeof *h);
    if (!h || !(h->path = jahs_strdup(path))) {
        free(h);
        JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        return NULL;
    }
    h->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (h->file < 0) {
        h5_fail(err, __FILE__, __LINE__, path, "cannot open HDF5 file");
        free(h->path);
        free(h);
        return NULL;
    }
    return h;
}

const char *jahs_h5_path(const jahs_h5 *h) { return h->path; }

int jahs_h5_commit(jahs_h5 *h, jahs_error *err)
{
    int rc = 0;
    if (!h->tmp) {
        jahs_h5_close(h);
        return JAHS_FAIL(err, JAHS_ESTATE, "HDF5 file was opened, not created");
    }
    if (H5Fflush(h->file, H5F_SCOPE_GLOBAL) < 0 || H5Fclose(h->file) < 0) {
        rc = h5_fail(err, __FILE__, __LINE__, h->tmp, "cannot write HDF5 file");
        jahs_afile_tmp_remove(h->tmp);
    } else {
        rc = jahs_afile_tmp_commit(h->tmp, h->path, err);
    }
    free(h->path);
    free(h);
    return rc;
}

void jahs_h5_close(jahs_h5 *h)
{
    if (!h)
        return;
    H5Fclose(h->file);
    H5Eclear2(H5E_DEFAULT);
    jahs_afile_tmp_remove(h->tmp);
    free(h->path);
    free(h);
}

int jahs_h5_exists(jahs_h5 *h, const char *name)
{
    /* check each prefix: H5Lexists fails on a missing intermediate group */
    char buf[512];
    size_t i, n = strlen(name);
    if (n >= sizeof buf)
        return 0;
    for (i = 1; i <= n; i++) {
        if (i < n && name[i] != '/')
            continue;
        memcpy(buf, name, i);
        buf[i] = '\0';
        if (H5Lexists(h->file, buf, H5P_DEFAULT) <= 0) {
            H5Eclear2(H5E_DEFAULT);
            return 0;
        }
    }
    return 1;
}

static hid_t mem_type(jahs_h5_type t)
{
    switch (t) {
    case JAHS_H5_U8: return H5T_NATIVE_UINT8;
    case JAHS_H5_I16: return H5T_NATIVE_INT16;
    case JAHS_H5_I32: return H5T_NATIVE_INT32;
    case JAHS_H5_I64: return H5T_NATIVE_INT64;
    case JAHS_H5_F32: return H5T_NATIVE_FLOAT;
    default: return H5T_NATIVE_DOUBLE;
    }
}

/* Little-endian file types, so files are the same on every platform. */
static hid_t file_type(jahs_h5_type t)
{
    switch (t) {
    case JAHS_H5_U8: return H5T_STD_U8LE;
    case JAHS_H5_I16: return H5T_STD_I16LE;
    case JAHS_H5_I32: return H5T_STD_I32LE;
    case JAHS_H5_I64: return H5T_STD_I64LE;
    case JAHS_H5_F32: return H5T_IEEE_F32LE;
    default: return H5T_IEEE_F64LE;
    }
}

static hid_t link_props(void)
{
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    if (lcpl >= 0)
        H5Pset_create_intermediate_group(lcpl, 1);
    return lcpl;
}

static int write_dataset(jahs_h5 *h, const char *name, hid_t ftype,
                         hid_t mtype, int rank, const hsize_t *dims,
                         const void *data, int deflate, jahs_error *err)
{
    hid_t space = -1, dcpl = -1, lcpl = -1, ds = -1;
    int rc = 0, vlen;
    space = H5Screate_simple(rank, dims, NULL);
    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (dcpl >= 0)
        H5Pset_obj_track_times(dcpl, 0); /* reproducible bytes */
    lcpl = link_props();
    if (space < 0 || dcpl < 0 || lcpl < 0) {
        rc = H5FAIL(err, h->path, "cannot prepare dataset '%s' in", name);
        goto out;
    }
    /* (variable-length strings take no checksum filter in HDF5: they are
     * chunked and deflated only when asked, as before) */
    vlen = H5Tis_variable_str(ftype) > 0;
    if (!vlen || deflate > 0) {
        hsize_t chunk[JAHS_H5_MAX_RANK];
        int i;
        /* chunks of about 64k elements along the first axis, each with a
         * Fletcher-32 checksum (added after the compression, so it covers
         * the stored bytes): a flipped byte is an error on read, never a
         * silently different table, dataset or checkpoint (issue 15,
         * class 7) */
        hsize_t row = 1;
        for (i = 1; i < rank; i++) {
            chunk[i] = dims[i];
            row *= dims[i];
        }
        chunk[0] = 65536 / (row ? row : 1);
        if (chunk[0] < 1)
            chunk[0] = 1;
        if (chunk[0] > dims[0])
            chunk[0] = dims[0];
        if (H5Pset_chunk(dcpl, rank, chunk) < 0 ||
            (deflate > 0 && (H5Pset_shuffle(dcpl) < 0 ||
                             H5Pset_deflate(dcpl, (unsigned)deflate) < 0)) ||
            (!vlen && H5Pset_fletcher32(dcpl) < 0)) {
            rc = H5FAIL(err, h->path, "cannot set compression of '%s' in", name);
            goto out;
        }
    }
    ds = H5Dcreate2(h->file, name, ftype, space, lcpl, dcpl, H5P_DEFAULT);
    if (ds < 0) {
        rc = H5FAIL(err, h->path, "cannot create dataset '%s' in", name);
        goto out;
    }
    if (H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        rc = H5FAIL(err, h->path, "cannot write dataset '%s' in", name);
out:
    if (ds >= 0)
        H5Dclose(ds);
    if (lcpl >= 0)
        H5Pclose(lcpl);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    return rc;
}

int jahs_h5_write(jahs_h5 *h, const char *name, jahs_h5_type type, int rank,
                  const uint64_t *dims, const void *data, int deflate,
                  jahs_error *err)
{
    hsize_t d[JAHS_H5_MAX_RANK];
    int i;
    if (rank < 1 || rank > JAHS_H5_MAX_RANK)
        return JAHS_FAIL(err, JAHS_EINVAL, "bad rank %d for '%s'", rank, name);
    for (i = 0; i < rank; i++) {
        if (dims[i] == 0)
            return JAHS_FAIL(err, JAHS_EINVAL, "empty dimension in '%s'", name);
        d[i] = (hsize_t)dims[i];
    }
    return write_dataset(h, name, file_type(type), mem_type(type), rank, d,
                         data, deflate, err);
}

int jahs_h5_write_strings(jahs_h5 *h, const char *name,
                          const char *const *strs, size_t n, int deflate,
                          jahs_error *err)
{
    hid_t st = H5Tcopy(H5T_C_S1);
    hsize_t d = (hsize_t)n;
    int rc;
    if (st < 0 || H5Tset_size(st, H5T_VARIABLE) < 0 ||
        H5Tset_cset(st, H5T_CSET_UTF8) < 0) {
        if (st >= 0)
            H5Tclose(st);
        return H5FAIL(err, h->path, "cannot make a string type for '%s' in",
                      name);
    }
    if (n == 0) {
        H5Tclose(st);
        return JAHS_FAIL(err, JAHS_EINVAL, "empty string dataset '%s'", name);
    }
    /* variable-length data cannot use deflate filters meaningfully */
    (void)deflate;
    rc = write_dataset(h, name, st, st, 1, &d, strs, 0, err);
    H5Tclose(st);
    return rc;
}

static hid_t open_dataset(jahs_h5 *h, const char *name, jahs_error *err)
{
    hid_t ds;
    if (!jahs_h5_exists(h, name)) {
        JAHS_FAIL(err, JAHS_EFORMAT, "'%s' has no dataset '%s'", h->path, name);
        return -1;
    }
    ds = H5Dopen2(h->file, name, H5P_DEFAULT);
    if (ds < 0)
        H5FAIL(err, h->path, "cannot open dataset '%s' in", name);
    return ds;
}

int jahs_h5_shape(jahs_h5 *h, const char *name, int *rank, uint64_t *dims,
                  jahs_error *err)
{
    hid_t ds = open_dataset(h, name, err), sp;
    hsize_t d[JAHS_H5_MAX_RANK];
    int r, i;
    if (ds < 0)
        return err ? err->code : JAHS_EHDF5;
    sp = H5Dget_space(ds);
    r = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (r < 0 || r > JAHS_H5_MAX_RANK ||
        H5Sget_simple_extent_dims(sp, d, NULL) < 0) {
        if (sp >= 0)
            H5Sclose(sp);
        H5Dclose(ds);
        return H5FAIL(err, h->path, "cannot read the shape of '%s' in", name);
    }
    *rank = r;
    for (i = 0; i < r; i++)
        dims[i] = (uint64_t)d[i];
    H5Sclose(sp);
    H5Dclose(ds);
    return 0;
}

int jahs_h5_is_integer(jahs_h5 *h, const char *name, jahs_error *err)
{
    hid_t ds = open_dataset(h, name, err), ft;
    int is_int;
    if (ds < 0)
        return err ? err->code : JAHS_EHDF5;
    ft = H5Dget_type(ds);
    is_int = ft >= 0 && H5Tget_class(ft) == H5T_INTEGER;
    if (ft >= 0)
        H5Tclose(ft);
    H5Dclose(ds);
    return is_int;
}

int jahs_h5_read(jahs_h5 *h, const char *name, jahs_h5_type type, void *out,
                 size_t n, jahs_error *err)
{
    hid_t ds, sp, ft;
    hssize_t count;
    H5T_class_t cls;
    int rc = 0;
    if ((ds = open_dataset(h, name, err)) < 0)
        return err ? err->code : JAHS_EHDF5;
    sp = H5Dget_space(ds);
    ft = H5Dget_type(ds);
    count = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    cls = ft >= 0 ? H5Tget_class(ft) : H5T_NO_CLASS;
    if (count < 0 || cls == H5T_NO_CLASS) {
        rc = H5FAIL(err, h->path, "cannot inspect dataset '%s' in", name);
    } else if (cls != H5T_INTEGER && cls != H5T_FLOAT) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "dataset '%s' in '%s' is not numeric", name, h->path);
    } else if ((size_t)count != n) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "dataset '%s' in '%s' has %lld elements, expected %zu",
                       name, h->path, (long long)count, n);
    } else if (H5Dread(ds, mem_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT,
                       out) < 0) {
        rc = H5FAIL(err, h->path, "cannot read dataset '%s' in", name);
    }
    if (ft >= 0)
        H5Tclose(ft);
    if (sp >= 0)
        H5Sclose(sp);
    H5Dclose(ds);
    return rc;
}

int jahs_h5_read_strings(jahs_h5 *h, const char *name, char ***out, size_t *n,
                         jahs_error *err)
{
    hid_t ds, sp = -1, ft = -1, mt = -1;
    hssize_t count;
    char **raw = NULL, **copy = NULL;
    size_t i;
    int rc = 0;
    if ((ds = open_dataset(h, name, err)) < 0)
        return err ? err->code : JAHS_EHDF5;
    sp = H5Dget_space(ds);
    ft = H5Dget_type(ds);
    count = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    if (count < 0 || ft < 0) {
        rc = H5FAIL(err, h->path, "cannot inspect dataset '%s' in", name);
        goto out;
    }
    if (H5Tget_class(ft) != H5T_STRING || !H5Tis_variable_str(ft)) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "dataset '%s' in '%s' is not a variable-length string "
                       "dataset",
                       name, h->path);
        goto out;
    }
    mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5Tget_cset(ft));
    raw = calloc((size_t)count + 1, sizeof *raw);
    copy = calloc((size_t)count + 1, sizeof *copy);
    if (!raw || !copy) {
        rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
        goto out;
    }
    if (H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) < 0) {
        rc = H5FAIL(err, h->path, "cannot read dataset '%s' in", name);
        goto out;
    }
    for (i = 0; i < (size_t)count; i++) {
        copy[i] = jahs_strdup(raw[i] ? raw[i] : "");
        if (!copy[i]) {
            rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            break;
        }
    }
    H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, raw);
    if (rc == 0) {
        *out = copy;
        *n = (size_t)count;
        copy = NULL;
    }
out:
    if (copy)
        jahs_h5_free_strings(copy, (size_t)(count > 0 ? count : 0));
    free(raw);
    if (mt >= 0)
        H5Tclose(mt);
    if (ft >= 0)
        H5Tclose(ft);
    if (sp >= 0)
        H5Sclose(sp);
    H5Dclose(ds);
    return rc;
}

void jahs_h5_free_strings(char **s, size_t n)
{
    size_t i;
    if (!s)
        return;
    for (i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

static hid_t open_obj(jahs_h5 *h, const char *obj, jahs_error *err)
{
    hid_t o;
    if (strcmp(obj, "/") != 0 && !jahs_h5_exists(h, obj)) {
        JAHS_FAIL(err, JAHS_EFORMAT, "'%s' has no object '%s'", h->path, obj);
        return -1;
    }
    o = H5Oopen(h->file, obj, H5P_DEFAULT);
    if (o < 0)
        H5FAIL(err, h->path, "cannot open object '%s' in", obj);
    return o;
}

static int attr_write(jahs_h5 *h, const char *obj, const char *key,
                      hid_t type, const void *value, jahs_error *err)
{
    hid_t o = open_obj(h, obj, err), sp = -1, a = -1;
    int rc = 0;
    if (o < 0)
        return err ? err->code : JAHS_EHDF5;
    if (H5Aexists(o, key) > 0)
        H5Adelete(o, key);
    sp = H5Screate(H5S_SCALAR);
    a = sp >= 0 ? H5Acreate2(o, key, type, sp, H5P_DEFAULT, H5P_DEFAULT) : -1;
    if (a < 0 || H5Awrite(a, type, value) < 0)
        rc = H5FAIL(err, h->path, "cannot write attribute '%s' of '%s' in", key,
                    obj);
    if (a >= 0)
        H5Aclose(a);
    if (sp >= 0)
        H5Sclose(sp);
    H5Oclose(o);
    return rc;
}

int jahs_h5_attr_set_str(jahs_h5 *h, const char *obj, const char *key,
                         const char *value, jahs_error *err)
{
    hid_t st = H5Tcopy(H5T_C_S1);
    int rc;
    H5Tset_size(st, H5T_VARIABLE);
    H5Tset_cset(st, H5T_CSET_UTF8);
    rc = attr_write(h, obj, key, st, &value, err);
    H5Tclose(st);
    return rc;
}

int jahs_h5_attr_set_double(jahs_h5 *h, const char *obj, const char *key,
                            double value, jahs_error *err)
{
    return attr_write(h, obj, key, H5T_NATIVE_DOUBLE, &value, err);
}

int jahs_h5_attr_set_long(jahs_h5 *h, const char *obj, const char *key,
                          long value, jahs_error *err)
{
    int64_t v = value;
    return attr_write(h, obj, key, H5T_NATIVE_INT64, &v, err);
}

int jahs_h5_attr_exists(jahs_h5 *h, const char *obj, const char *key)
{
    hid_t o;
    int ex;
    if (strcmp(obj, "/") != 0 && !jahs_h5_exists(h, obj))
        return 0;
    o = H5Oopen(h->file, obj, H5P_DEFAULT);
    if (o < 0) {
        H5Eclear2(H5E_DEFAULT);
        return 0;
    }
    ex = H5Aexists(o, key) > 0;
    H5Oclose(o);
    H5Eclear2(H5E_DEFAULT);
    return ex;
}

static hid_t open_attr(jahs_h5 *h, const char *obj, const char *key,
                       hid_t *o, jahs_error *err)
{
    hid_t a;
    *o = open_obj(h, obj, err);
    if (*o < 0)
        return -1;
    if (H5Aexists(*o, key) <= 0) {
        H5Oclose(*o);
        JAHS_FAIL(err, JAHS_EFORMAT, "'%s' has no attribute '%s' on '%s'",
                  h->path, key, obj);
        return -1;
    }
    a = H5Aopen(*o, key, H5P_DEFAULT);
    if (a < 0) {
        H5Oclose(*o);
        H5FAIL(err, h->path, "cannot open attribute '%s' of '%s' in", key, obj);
    }
    return a;
}

int jahs_h5_attr_get_str(jahs_h5 *h, const char *obj, const char *key,
                         char **out, jahs_error *err)
{
    hid_t o, a = open_attr(h, obj, key, &o, err), at, mt;
    char *raw = NULL;
    int rc = 0;
    if (a < 0)
        return err ? err->code : JAHS_EHDF5;
    at = H5Aget_type(a);
    if (at < 0 || H5Tget_class(at) != H5T_STRING || !H5Tis_variable_str(at)) {
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "attribute '%s' of '%s' in '%s' is not a string", key,
                       obj, h->path);
    } else {
        mt = H5Tcopy(H5T_C_S1);
        H5Tset_size(mt, H5T_VARIABLE);
        H5Tset_cset(mt, H5Tget_cset(at));
        if (H5Aread(a, mt, &raw) < 0) {
            rc = H5FAIL(err, h->path, "cannot read attribute '%s' of '%s' in",
                        key, obj);
        } else {
            *out = jahs_strdup(raw ? raw : "");
            if (!*out)
                rc = JAHS_FAIL(err, JAHS_ENOMEM, "out of memory");
            H5free_memory(raw);
        }
        H5Tclose(mt);
    }
    if (at >= 0)
        H5Tclose(at);
    H5Aclose(a);
    H5Oclose(o);
    return rc;
}

static int attr_read_num(jahs_h5 *h, const char *obj, const char *key,
                         hid_t mt, void *out, jahs_error *err)
{
    hid_t o, a = open_attr(h, obj, key, &o, err), at;
    int rc = 0;
    H5T_class_t cls;
    if (a < 0)
        return err ? err->code : JAHS_EHDF5;
    at = H5Aget_type(a);
    cls = at >= 0 ? H5Tget_class(at) : H5T_NO_CLASS;
    if (cls != H5T_INTEGER && cls != H5T_FLOAT)
        rc = JAHS_FAIL(err, JAHS_EFORMAT,
                       "attribute '%s' of '%s' in '%s' is not numeric", key,
                       obj, h->path);
    else if (H5Aread(a, mt, out) < 0)
        rc = H5FAIL(err, h->path, "cannot read attribute '%s' of '%s' in", key,
                    obj);
    if (at >= 0)
        H5Tclose(at);
    H5Aclose(a);
    H5Oclose(o);
    return rc;
}

int jahs_h5_attr_get_double(jahs_h5 *h, const char *obj, const char *key,
                            double *out, jahs_error *err)
{
    return attr_read_num(h, obj, key, H5T_NATIVE_DOUBLE, out, err);
}

int jahs_h5_attr_get_long(jahs_h5 *h, const char *obj, const char *key,
                          long *out, jahs_error *err)
{
    int64_t v;
    int rc = attr_read_num(h, obj, key, H5T_NATIVE_INT64, &v, err);
    if (rc == 0)
        *out = (long)v;
    return rc;
}
